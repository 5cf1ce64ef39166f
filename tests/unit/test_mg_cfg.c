/* Unit tests of the management server's config (mg_cfg), the line-up
 * checks and the metro table's longest-prefix matching (mg_lineup). */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mg_cfg.h"
#include "mg_lineup.h"
#include "tu.h"

static const char *minimal =
	"auth = {\n"
	"  admins = ( { name = \"noc\"; token = \"9b1e4c7a2f5d8e0b3a6c9f2e5d8b1a4c\"; } );\n"
	"  client_credential = \"4e7a0d3c6f9b2e5a8d1c4f7b0e3a6d9c\";\n"
	"  edge_credential = \"c2f5a8e1b4d7c0f3a6e9b2d5c8f1a4e7\";\n"
	"};\n";

static int load(const char *extra, struct mg_config **c, struct sc_cfg_err *err)
{
	char text[4096];

	snprintf(text, sizeof(text), "%s%s", minimal, extra);
	return mg_cfg_load_string(text, "t.conf", c, err);
}

static void test_defaults(void)
{
	struct sc_cfg_err err = { "" };
	struct mg_config *c = NULL;

	CU_ASSERT_EQUAL_FATAL(load("", &c, &err), 0);
	CU_ASSERT_EQUAL(c->http.nlisten, 2);
	CU_ASSERT_EQUAL(sc_addr_port(&c->http.listen[0]), 8080);
	/* One per family, and marked: a family the host lacks is left out. */
	CU_ASSERT_EQUAL(sc_addr_family(&c->http.listen[0]), AF_INET6);
	CU_ASSERT_EQUAL(sc_addr_family(&c->http.listen[1]), AF_INET);
	CU_ASSERT(c->http.listen_dflt);
	CU_ASSERT_EQUAL(c->grouping.size, 5);
	CU_ASSERT_EQUAL(c->tracker.near, 8);
	CU_ASSERT_EQUAL(c->tracker.random, 3);
	CU_ASSERT_EQUAL(c->clients.heartbeat_ms, 5000);
	CU_ASSERT_EQUAL(c->metro_silence_ms, 6000);
	CU_ASSERT(c->store.sync_full);
	CU_ASSERT_EQUAL(c->auth.nadmin, 1);
	CU_ASSERT_EQUAL(c->lineup.nmetro, 0);
	CU_ASSERT_EQUAL(c->http.limits.max_conns, 65536);
	CU_ASSERT_EQUAL(c->http.limits.per_addr, 16);
	CU_ASSERT_EQUAL(c->http.limits.request_ns, 10 * SC_NS_PER_S);
	CU_ASSERT_EQUAL(c->http.limits.idle_ns, 90 * SC_NS_PER_S);
	CU_ASSERT_EQUAL(c->trust.cert_lifetime_s, 86400);
	mg_cfg_free(c);
	/* A list written is the operator's, whole. */
	CU_ASSERT_EQUAL_FATAL(load("http = { listen = [ \"127.0.0.1:0\" ]; };\n", &c, &err), 0);
	CU_ASSERT_EQUAL(c->http.nlisten, 1);
	CU_ASSERT_FALSE(c->http.listen_dflt);
	mg_cfg_free(c);
}

/* A file of 64 random hex characters and a newline, as the package's
 * postinst makes them. */
static void write_secret(const char *dir, const char *name)
{
	static const char hex[] = "0123456789abcdef";
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	for (int i = 0; i < 64; i++)
		fputc(hex[tu_rand_below(16)], f);
	fputc('\n', f);
	fclose(f);
}

/* The example names its secret files in /etc/sixcast/secrets/: read it
 * with that folder swapped for dir, which holds such files. */
static int load_example(const char *dir, struct mg_config **c, struct sc_cfg_err *err)
{
	static const char from[] = "/etc/sixcast/secrets/";
	const char *src = getenv("top_srcdir");
	char path[1024], *text = calloc(1, 1 << 16), *out = calloc(1, 1 << 17), *p, *q, *o;
	FILE *f;
	int rc = -EIO;

	snprintf(path, sizeof(path), "%s/mgmt-server/sixcast-mgmt-server.conf.example", src ? src : SRCDIR);
	f = fopen(path, "r");
	if (f && text && out && fread(text, 1, (1 << 16) - 1, f) > 0) {
		for (p = text, o = out; (q = strstr(p, from)); p = q + strlen(from))
			o += sprintf(o, "%.*s%s/", (int)(q - p), p, dir);
		strcpy(o, p);
		rc = mg_cfg_load_string(out, "example.conf", c, err);
	}
	if (f)
		fclose(f);
	free(text);
	free(out);
	return rc;
}

static void test_http_limits(void)
{
	struct sc_cfg_err err = { "" };
	struct mg_config *c = NULL;

	CU_ASSERT_EQUAL_FATAL(load("http = { connection_limit = 100; per_address_limit = 0;\n"
				   "  request_timeout_ms = 3000; idle_timeout_s = 20; };\n", &c, &err), 0);
	CU_ASSERT_EQUAL(c->http.limits.max_conns, 100);
	CU_ASSERT_EQUAL(c->http.limits.per_addr, 0);
	CU_ASSERT_EQUAL(c->http.limits.request_ns, 3000 * SC_NS_PER_MS);
	CU_ASSERT_EQUAL(c->http.limits.idle_ns, 20 * SC_NS_PER_S);
	mg_cfg_free(c);
	CU_ASSERT_EQUAL(load("http = {\n  request_timeout_ms = 10; };\n", &c, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "t.conf:7: 'http.request_timeout_ms' is 10"));
}

static void test_example_file(void)
{
	static const char *const files[] = { "admin-token", "box-enrolment", "edge-enrolment", NULL };
	char dir[] = "/tmp/mg_cfg_exampleXXXXXX", path[512];
	struct sc_cfg_err err = { "" };
	struct mg_config *c = NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	for (int i = 0; files[i]; i++)
		write_secret(dir, files[i]);
	CU_ASSERT_EQUAL(load_example(dir, &c, &err), 0);
	for (int i = 0; files[i]; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
	if (!c) {
		printf("example: %s\n", err.msg);
		return;
	}
	CU_ASSERT_EQUAL(c->lineup.nmetro, 3);
	CU_ASSERT_EQUAL(c->lineup.nchan, 3);
	CU_ASSERT_EQUAL(c->lineup.chan[2].direct_max, 100);
	CU_ASSERT_EQUAL(strlen(c->auth.admin[0].token), 64);
	CU_ASSERT_EQUAL(strlen(c->auth.client_secret), 64);
	mg_cfg_free(c);
}

/* Each bad file names the line of the bad setting. */
static void test_errors_name_the_line(void)
{
	static const struct {
		const char *text;
		const char *want;
	} cases[] = {
		{ "grouping = { size = 9; };\n", "t.conf:6: 'grouping.size' is 9" },
		{ "grouping = {\n size = 5;\n sise = 4; };\n", "t.conf:8: unknown setting 'sise'" },
		{ "http = { listen = [ \"nowhere\" ]; };\n", "t.conf:6: \"nowhere\" is not a listen" },
		{ "lineup = { metros = ( { id = 1; name = \"a\"; prefixes = [ \"2001:db8:1::1/48\" ]; } ); };\n",
		  "t.conf:6: \"2001:db8:1::1/48\" is not a prefix" },
		{ "lineup = { metros = (\n { id = 1; name = \"a\"; prefixes = [ \"10.1.0.0/16\" ]; },\n"
		  " { id = 2; name = \"b\"; prefixes = [ \"10.1.0.0/16\" ]; } ); };\n",
		  "t.conf:6: prefix 10.1.0.0/16 belongs to two metros" },
		{ "lineup = { channels = (\n { id = 4; name = \"x\"; group6 = \"2001:db8::1\"; } ); };\n",
		  "t.conf:7: channel 4: group6 must be a multicast address" },
		{ "lineup = { channels = (\n { id = 4; name = \"x\"; },\n { id = 4; name = \"y\"; } ); };\n",
		  "t.conf:8: channel id 4 is used twice" },
		{ "lineup = { mode = \"auto\"; };\n", "t.conf:6: 'lineup.mode' is \"auto\"" },
		{ "http = { tls_cert = \"/x\"; };\n", "tls_cert and tls_key go together" },
		{ "log_level = \"loud\";\n", "t.conf:6: log_level \"loud\"" },
		{ "trust = {\n cert_lifetime_s = 599; };\n", "t.conf:7: 'trust.cert_lifetime_s' is 599" },
		{ "trust = { lifetime = 600; };\n", "t.conf:6: unknown setting 'lifetime'" },
	};
	struct mg_config *c;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sc_cfg_err err = { "" };

		c = NULL;
		CU_ASSERT(load(cases[i].text, &c, &err) < 0);
		CU_ASSERT_PTR_NULL(c);
		if (!strstr(err.msg, cases[i].want)) {
			printf("case %zu: got \"%s\", want \"%s\"\n", i, err.msg, cases[i].want);
			CU_FAIL("message");
		}
	}
}

static void test_auth_required(void)
{
	struct sc_cfg_err err = { "" };
	struct mg_config *c = NULL;

	CU_ASSERT(mg_cfg_load_string("log_level = \"info\";\n", "t.conf", &c, &err) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "auth"));
	CU_ASSERT(mg_cfg_load_string("auth = { admins = ( { name = \"a\"; token = \"short\"; } );"
				     " client_credential = \"4e7a0d3c6f9b2e5a8d1c4f7b0e3a6d9c\";"
				     " edge_credential = \"c2f5a8e1b4d7c0f3a6e9b2d5c8f1a4e7\"; };",
				     "t.conf", &c, &err) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "at least 24"));
	CU_ASSERT(mg_cfg_load("/nonexistent/x.conf", &c, &err) < 0);
}

/* What the packages shipped until now, and other weak or shared secrets:
 * refused with the file and the line. */
static void test_weak_secrets(void)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "auth = {\n admins = ( { name = \"noc\"; token = \"CHANGE-ME-noc-admin-token\"; } );\n"
		  " client_credential = \"4e7a0d3c6f9b2e5a8d1c4f7b0e3a6d9c\";\n"
		  " edge_credential = \"c2f5a8e1b4d7c0f3a6e9b2d5c8f1a4e7\"; };\n",
		  "t.conf:2: 'auth.admins[0].token' is a placeholder (it contains \"changeme\"); generate one "
		  "with `openssl rand -hex 32`" },
		{ "auth = {\n admins = ( { name = \"noc\"; token = \"9b1e4c7a2f5d8e0b3a6c9f2e5d8b1a4c\"; } );\n"
		  " client_credential = \"CHANGE-ME-box-enrolment-secret\";\n"
		  " edge_credential = \"c2f5a8e1b4d7c0f3a6e9b2d5c8f1a4e7\"; };\n",
		  "t.conf:3: 'auth.client_credential' is a placeholder" },
		{ "auth = {\n admins = ( { name = \"noc\"; token = \"9b1e4c7a2f5d8e0b3a6c9f2e5d8b1a4c\"; } );\n"
		  " client_credential = \"4e7a0d3c6f9b2e5a8d1c4f7b0e3a6d9c\";\n"
		  " edge_credential = \"0123456789abcdef0\"; };\n",
		  "t.conf:4: 'auth.edge_credential' is a placeholder (it contains \"123456789\")" },
		{ "auth = {\n admins = ( { name = \"noc\"; token = \"9b1e4c7a2f5d8e0b3a6c9f2e5d8b1a4c\"; } );\n"
		  " client_credential = \"4e7a0d3c6f9b2e5a8d1c4f7b0e3a6d9c\";\n"
		  " edge_credential = \"4e7a0d3c6f9b2e5a8d1c4f7b0e3a6d9c\"; };\n",
		  "t.conf:1: client_credential and edge_credential are the same" },
		{ "auth = {\n admins = ( { name = \"noc\"; token = \"4e7a0d3c6f9b2e5a8d1c4f7b0e3a6d9c\"; } );\n"
		  " client_credential = \"4e7a0d3c6f9b2e5a8d1c4f7b0e3a6d9c\";\n"
		  " edge_credential = \"c2f5a8e1b4d7c0f3a6e9b2d5c8f1a4e7\"; };\n",
		  "t.conf:1: admin \"noc\" has the token of an enrolment credential" },
		{ "auth = {\n admins = ( { name = \"noc\"; token_file = \"/nonexistent/admin-token\"; } );\n"
		  " client_credential = \"4e7a0d3c6f9b2e5a8d1c4f7b0e3a6d9c\";\n"
		  " edge_credential = \"c2f5a8e1b4d7c0f3a6e9b2d5c8f1a4e7\"; };\n",
		  "t.conf:2: 'auth.admins[0].token_file': cannot read /nonexistent/admin-token" },
		{ "auth = {\n admins = ( { name = \"noc\"; } );\n"
		  " client_credential = \"4e7a0d3c6f9b2e5a8d1c4f7b0e3a6d9c\";\n"
		  " edge_credential = \"c2f5a8e1b4d7c0f3a6e9b2d5c8f1a4e7\"; };\n",
		  "t.conf:2: auth.admins[0]: 'token_file' (or 'token') is required" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sc_cfg_err err = { "" };
		struct mg_config *c = NULL;

		CU_ASSERT(mg_cfg_load_string(cases[i].text, "t.conf", &c, &err) < 0);
		CU_ASSERT_PTR_NULL(c);
		if (!strstr(err.msg, cases[i].want)) {
			printf("case %zu: got \"%s\", want \"%s\"\n", i, err.msg, cases[i].want);
			CU_FAIL("message");
		}
	}
}

/* Every secret in a file beside the config, named relative to it. */
static void test_secret_files(void)
{
	char dir[] = "/tmp/mg_cfg_secretsXXXXXX", path[512];
	static const char *const files[] = { "admin-token", "box-enrolment", "edge-enrolment", "mgmt.conf", NULL };
	struct sc_cfg_err err = { "" };
	struct mg_config *c = NULL;
	FILE *f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	for (int i = 0; i < 3; i++)
		write_secret(dir, files[i]);
	snprintf(path, sizeof(path), "%s/mgmt.conf", dir);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("auth = {\n  admins = ( { name = \"noc\"; token_file = \"admin-token\"; } );\n"
	      "  client_credential_file = \"box-enrolment\";\n  edge_credential_file = \"edge-enrolment\";\n};\n",
	      f);
	fclose(f);
	CU_ASSERT_EQUAL(mg_cfg_load(path, &c, &err), 0);
	if (c) {
		CU_ASSERT_EQUAL(strlen(c->auth.admin[0].token), 64);
		CU_ASSERT_EQUAL(strlen(c->auth.client_secret), 64);
		CU_ASSERT_EQUAL(strlen(c->auth.edge_secret), 64);
	} else {
		printf("secret files: %s\n", err.msg);
	}
	mg_cfg_free(c);
	for (int i = 0; files[i]; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

static void test_channel_defaults(void)
{
	struct mg_chan_def d;
	char buf[SC_ADDR_STRLEN], why[128];

	mg_chan_default(&d, 300, "Three hundred");
	sc_addr_format(&d.group6, true, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "[ff3e::8000:12c]:5000");
	sc_addr_format(&d.group4, true, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "232.1.1.44:5000");
	CU_ASSERT_EQUAL(mg_chan_check(&d, why, sizeof(why)), 0);
	mg_chan_default(&d, 70000, "big");
	CU_ASSERT_EQUAL(d.group4.len, 0);
	sc_addr_format(&d.group6, false, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "ff3e::8001:1170");
	mg_chan_default(&d, 1, "");
	CU_ASSERT_EQUAL(mg_chan_check(&d, why, sizeof(why)), -EINVAL);
	mg_chan_default(&d, 1, "bad\tname");
	CU_ASSERT_EQUAL(mg_chan_check(&d, why, sizeof(why)), -EINVAL);
	mg_chan_default(&d, 1, "ok");
	sc_addr_parse("192.0.2.1", 0, &d.group4);
	CU_ASSERT_EQUAL(mg_chan_check(&d, why, sizeof(why)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "group4"));
}

static uint32_t lookup(const struct mg_metro_table *t, const char *a)
{
	struct sc_sockaddr s;

	CU_ASSERT_EQUAL(sc_addr_parse(a, 0, &s), 0);
	return mg_metro_lookup(t, &s);
}

static void test_prefix_matching(void)
{
	struct mg_metro_def m[3];
	const struct mg_metro_def *p[3] = { &m[0], &m[1], &m[2] };
	struct mg_metro_table t = { 0 };
	char why[128];

	memset(m, 0, sizeof(m));
	m[0].id = 1;
	strcpy(m[0].name, "wide");
	sc_prefix_parse("2001:db8::/32", &m[0].prefix[m[0].nprefix++]);
	sc_prefix_parse("10.0.0.0/8", &m[0].prefix[m[0].nprefix++]);
	m[1].id = 2;
	strcpy(m[1].name, "metro2");
	sc_prefix_parse("2001:db8:2::/48", &m[1].prefix[m[1].nprefix++]);
	sc_prefix_parse("10.2.0.0/16", &m[1].prefix[m[1].nprefix++]);
	m[2].id = 3;
	strcpy(m[2].name, "site");
	sc_prefix_parse("2001:db8:2:77::/64", &m[2].prefix[m[2].nprefix++]);
	CU_ASSERT_EQUAL(mg_metro_table_build(&t, p, 3, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(lookup(&t, "[2001:db8:2::5]:5100"), 2);
	CU_ASSERT_EQUAL(lookup(&t, "2001:db8:2:77::9"), 3);      /* longest wins */
	CU_ASSERT_EQUAL(lookup(&t, "2001:db8:9::1"), 1);
	CU_ASSERT_EQUAL(lookup(&t, "2001:db9::1"), 0);            /* nobody's */
	CU_ASSERT_EQUAL(lookup(&t, "10.2.3.4:5100"), 2);
	CU_ASSERT_EQUAL(lookup(&t, "10.3.3.4"), 1);
	CU_ASSERT_EQUAL(lookup(&t, "192.0.2.1"), 0);
	CU_ASSERT_EQUAL(lookup(&t, "::ffff:10.2.0.1"), 2);        /* v4-mapped */
	/* A random address of metro 2's /48 always lands in metro 2 unless it
	 * is in the /64 of metro 3. */
	for (int i = 0; i < 1000; i++) {
		struct sc_sockaddr s;
		uint8_t *b;
		uint32_t want;

		sc_addr_parse("2001:db8:2::", 0, &s);
		b = s.u.in6.sin6_addr.s6_addr;
		for (int k = 6; k < 16; k++)
			b[k] = (uint8_t)tu_rand();
		if (tu_rand_below(4) == 0) {
			b[6] = 0;
			b[7] = 0x77;
		}
		want = (b[6] == 0 && b[7] == 0x77) ? 3 : 2;
		CU_ASSERT_EQUAL(mg_metro_lookup(&t, &s), want);
	}
	/* The same prefix in two metros is refused; the table is kept. */
	sc_prefix_parse("10.2.0.0/16", &m[2].prefix[m[2].nprefix++]);
	CU_ASSERT_EQUAL(mg_metro_table_build(&t, p, 3, why, sizeof(why)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "10.2.0.0/16"));
	CU_ASSERT_EQUAL(lookup(&t, "10.2.3.4"), 2);
	mg_metro_table_free(&t);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "HTTP limits", test_http_limits },
		{ "defaults", test_defaults },
		{ "example file", test_example_file },
		{ "errors name the line", test_errors_name_the_line },
		{ "auth is required", test_auth_required },
		{ "weak and shared secrets are refused", test_weak_secrets },
		{ "secrets in files", test_secret_files },
		{ "channel defaults and checks", test_channel_defaults },
		{ "metro prefix matching", test_prefix_matching },
		{ NULL, NULL },
	};

	return tu_add_suite("mg_cfg", tests);
}
