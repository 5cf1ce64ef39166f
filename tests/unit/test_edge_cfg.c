/* Unit tests of the edge's config (edge_cfg) where it reads secrets: the
 * enrolment credential (inline or in mgmt.credential_file, needed only
 * with a management server) and the RET keys. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "edge_cfg.h"
#include "tu.h"

static char dir[] = "/tmp/test_edge_cfg_XXXXXX";

/* Write text as dir/edge.conf and load it (no channels: no sources). */
static int load(const char *text, struct edge_cfg *c, struct sc_cfg_err *err)
{
	char path[300];
	FILE *f;

	snprintf(path, sizeof(path), "%s/edge.conf", dir);
	f = fopen(path, "w");
	if (!f)
		return -EIO;
	fputs(text, f);
	fclose(f);
	return edge_cfg_load(path, false, c, err);
}

static void put(const char *name, const char *text)
{
	char path[300];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

/* load() that must fail with want in the message. */
static void refused(const char *text, const char *want)
{
	struct sc_cfg_err err = { "" };
	struct edge_cfg c;

	CU_ASSERT(load(text, &c, &err) < 0);
	if (!strstr(err.msg, want)) {
		printf("got \"%s\", want \"%s\"\n", err.msg, want);
		CU_FAIL("message");
	}
}

#define EDGE "edge: { interface = \"lo\"; source6 = \"::1\"; };\n"

static void test_credential(void)
{
	struct sc_cfg_err err = { "" };
	struct edge_cfg c;

	/* Standalone: the packaged file names a credential file the operator
	 * has not filled, and that is no error. */
	CU_ASSERT_EQUAL(load(EDGE "mgmt: { url = \"\"; credential_file = \"edge-enrolment\"; };\n", &c, &err), 0);
	CU_ASSERT_STRING_EQUAL(c.mgmt_credential, "");
	edge_cfg_free(&c);
	/* With a management server it is needed, and the message says where
	 * it comes from. */
	refused(EDGE "mgmt: { url = \"http://[::1]:8080\";\n credential_file = \"edge-enrolment\"; };\n",
		"edge.conf:3: 'mgmt.credential_file': cannot read ");
	refused(EDGE "mgmt: { url = \"http://[::1]:8080\";\n credential_file = \"edge-enrolment\"; };\n",
		"/edge-enrolment (No such file or directory); use the management server's edge enrolment secret "
		"(the content of its /etc/sixcast/secrets/edge-enrolment)");
	put("edge-enrolment", "\n");
	refused(EDGE "mgmt: { url = \"http://[::1]:8080\";\n credential_file = \"edge-enrolment\"; };\n",
		"/edge-enrolment is empty; use the management server's edge enrolment secret");
	refused(EDGE "mgmt: { url = \"http://[::1]:8080\"; };\n",
		"edge.conf:2: mgmt: 'credential_file' (or 'credential') is required; use the management server's");
	refused(EDGE "mgmt: { url = \"http://[::1]:8080\";\n credential = \"CHANGE-ME-edge-enrolment-secret\"; };\n",
		"edge.conf:3: 'mgmt.credential' is a placeholder (it contains \"changeme\")");
	put("edge-enrolment", "e4cc743b702828165f93f8c34261a346a612b1a4\n");
	CU_ASSERT_EQUAL(load(EDGE "mgmt: { url = \"http://[::1]:8080\"; credential_file = \"edge-enrolment\"; };\n", &c,
			     &err), 0);
	CU_ASSERT_STRING_EQUAL(c.mgmt_credential, "e4cc743b702828165f93f8c34261a346a612b1a4");
	edge_cfg_free(&c);
}

static void test_ret_keys(void)
{
	struct sc_cfg_err err = { "" };
	struct edge_cfg c;

	CU_ASSERT_EQUAL(load(EDGE "ret: { key = \"3f9c1a7e5b2d4f60a8c3e1b9d7f5a2c4e6b8d0f2a4c6e8b1d3f5a7c9e2b4d6f8\"; };\n",
			     &c, &err), 0);
	CU_ASSERT(c.has_ret_key);
	edge_cfg_free(&c);
	refused(EDGE "ret: {\n key = \"0000000000000000000000000000000000000000000000000000000000000000\"; };\n",
		"edge.conf:3: 'key' is not random (only 1 different characters); generate one with `openssl rand -hex 32`");
	refused(EDGE "ret: {\n key = \"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"; };\n",
		"edge.conf:3: 'key' is a placeholder (it contains \"123456789\")");
}

/* The listen addresses left out are the defaults, marked so that the edge
 * may take their IPv4 stand-ins on a host without IPv6; written ones are
 * kept, "" is off. */
static void test_listen_defaults(void)
{
	struct sc_cfg_err err = { "" };
	struct edge_cfg c;
	char buf[SC_ADDR_STRLEN];

	CU_ASSERT_EQUAL_FATAL(load(EDGE, &c, &err), 0);
	CU_ASSERT(c.http_dflt);
	CU_ASSERT(c.ret_listen_dflt);
	sc_addr_format(&c.http, true, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "[::]:8081");
	sc_addr_format(&c.ret_listen, true, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "[::]:5200");
	edge_cfg_free(&c);
	CU_ASSERT_EQUAL_FATAL(load("edge: { interface = \"lo\"; source6 = \"::1\"; http = \"[::]:8081\"; };\n"
				   "ret: { listen = \"\"; };\n", &c, &err), 0);
	CU_ASSERT_FALSE(c.http_dflt);
	CU_ASSERT_FALSE(c.ret_listen_dflt);
	CU_ASSERT_EQUAL(c.ret_listen.len, 0);
	edge_cfg_free(&c);
	refused("edge: { interface = \"lo\"; source6 = \"::1\";\n http = \"[::1\"; };\n", "edge.conf:2: 'edge.http'");
}

/* Everything the tests wrote goes at exit, passed or not. */
static void cleanup(void)
{
	static const char *const files[] = { "edge.conf", "edge-enrolment", NULL };
	char path[300];

	for (int i = 0; files[i]; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "the enrolment credential", test_credential },
		{ "RET keys", test_ret_keys },
		{ "listen defaults", test_listen_defaults },
		{ NULL, NULL },
	};

	if (!mkdtemp(dir))
		return CUE_SINIT_FAILED;
	atexit(cleanup);
	return tu_add_suite("edge_cfg", tests);
}
