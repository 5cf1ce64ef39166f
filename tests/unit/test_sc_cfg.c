/* Unit tests of sc_cfg: typed getters, defaults, and messages that name
 * the file and the line of the bad setting. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sc_cfg.h"
#include "tu.h"

static const char *sample =
	"# a client config\n"
	"client: {\n"
	"  delay_ms = 300;\n"
	"  ratio = 1.5;\n"
	"  play = true;\n"
	"  policy = \"ranked\";\n"
	"  mgmt = \"[2001:db8::1]:8080\";\n"
	"  iface = \"eth0\";\n"
	"};\n"
	"channels = ( { id = 1; } );\n";

static sc_cfg *load(const char *text)
{
	struct sc_cfg_err err;
	sc_cfg *c = NULL;

	CU_ASSERT_EQUAL(sc_cfg_load_string(text, "test.conf", &c, &err), 0);
	return c;
}

static void test_getters(void)
{
	static const char *const policies[] = { "all", "ranked", NULL };
	struct sc_cfg_err err = { "" };
	sc_cfg *c = load(sample);
	config_setting_t *cl, *ch;
	long long i;
	double f;
	bool b;
	const char *s;
	int e;
	struct sc_sockaddr a;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(sc_cfg_get_section(sc_cfg_root(c), "client", CONFIG_TYPE_GROUP, &cl, &err), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cl);
	CU_ASSERT_EQUAL(sc_cfg_get_int(cl, "delay_ms", 0, 10000, 1, &i, &err), 0);
	CU_ASSERT_EQUAL(i, 300);
	CU_ASSERT_EQUAL(sc_cfg_get_int(cl, "absent", 0, 10, 7, &i, &err), 0);
	CU_ASSERT_EQUAL(i, 7);
	CU_ASSERT_EQUAL(sc_cfg_get_float(cl, "ratio", 1, 2, 1.3, &f, &err), 0);
	CU_ASSERT_DOUBLE_EQUAL(f, 1.5, 1e-9);
	CU_ASSERT_EQUAL(sc_cfg_get_float(cl, "delay_ms", 0, 1000, 0, &f, &err), 0);
	CU_ASSERT_DOUBLE_EQUAL(f, 300, 1e-9);
	CU_ASSERT_EQUAL(sc_cfg_get_bool(cl, "play", false, &b, &err), 0);
	CU_ASSERT(b);
	CU_ASSERT_EQUAL(sc_cfg_get_string(cl, "iface", NULL, &s, &err), 0);
	CU_ASSERT_STRING_EQUAL(s, "eth0");
	CU_ASSERT_EQUAL(sc_cfg_get_enum(cl, "policy", policies, 0, &e, &err), 0);
	CU_ASSERT_EQUAL(e, 1);
	CU_ASSERT_EQUAL(sc_cfg_get_addr(cl, "mgmt", NULL, 80, &a, &err), 0);
	CU_ASSERT_EQUAL(sc_addr_port(&a), 8080);
	CU_ASSERT_EQUAL(sc_cfg_get_addr(cl, "absent", "192.0.2.1", 80, &a, &err), 0);
	CU_ASSERT_EQUAL(sc_addr_port(&a), 80);
	CU_ASSERT_EQUAL(sc_cfg_get_section(sc_cfg_root(c), "channels", CONFIG_TYPE_LIST, &ch, &err), 0);
	CU_ASSERT_EQUAL(config_setting_length(ch), 1);
	CU_ASSERT_EQUAL(sc_cfg_get_section(sc_cfg_root(c), "nothing", CONFIG_TYPE_LIST, &ch, &err), 0);
	CU_ASSERT_PTR_NULL(ch);
	sc_cfg_free(c);
}

/* Each bad case: the getter fails and the message carries file and line. */
static void test_errors(void)
{
	static const char *const policies[] = { "all", "ranked", NULL };
	static const char *const known[] = { "delay_ms", "ratio", "play", "policy", "mgmt", "iface", NULL };
	static const char *const fewer[] = { "delay_ms", NULL };
	struct sc_cfg_err err;
	sc_cfg *c = load(sample);
	config_setting_t *cl, *ch;
	long long i;
	double f;
	bool b;
	const char *s;
	int e;
	struct sc_sockaddr a;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	sc_cfg_get_section(sc_cfg_root(c), "client", CONFIG_TYPE_GROUP, &cl, &err);
	CU_ASSERT_EQUAL(sc_cfg_get_int(cl, "delay_ms", 0, 100, 1, &i, &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "test.conf:3: 'client.delay_ms' is 300, must be between 0 and 100");
	CU_ASSERT_EQUAL(sc_cfg_get_int(cl, "ratio", 0, 100, 1, &i, &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "test.conf:4: 'client.ratio' must be an integer");
	CU_ASSERT_EQUAL(sc_cfg_get_float(cl, "ratio", 2, 3, 2, &f, &err), -EINVAL);
	CU_ASSERT_EQUAL(sc_cfg_get_bool(cl, "delay_ms", false, &b, &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "test.conf:3: 'client.delay_ms' must be true or false");
	CU_ASSERT_EQUAL(sc_cfg_get_string(cl, "play", NULL, &s, &err), -EINVAL);
	CU_ASSERT_EQUAL(sc_cfg_get_string(cl, "absent", NULL, &s, &err), -ENOENT);
	CU_ASSERT_STRING_EQUAL(err.msg, "test.conf:2: 'client.absent' is required");
	CU_ASSERT_EQUAL(sc_cfg_get_enum(cl, "iface", policies, 0, &e, &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "test.conf:8: 'client.iface' is \"eth0\", must be one of \"all\", \"ranked\"");
	CU_ASSERT_EQUAL(sc_cfg_get_addr(cl, "iface", NULL, 0, &a, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "test.conf:8: 'client.iface': \"eth0\" is not an address"));
	CU_ASSERT_EQUAL(sc_cfg_get_section(sc_cfg_root(c), "client", CONFIG_TYPE_LIST, &ch, &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "test.conf:2: 'client' must be a list ( ... )");
	CU_ASSERT_EQUAL(sc_cfg_check_keys(cl, known, &err), 0);
	CU_ASSERT_EQUAL(sc_cfg_check_keys(cl, fewer, &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "test.conf:4: unknown setting 'ratio' in client");
	CU_ASSERT_EQUAL(sc_cfg_fail(cl, &err, "no %s", "members"), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "test.conf:2: no members");
	sc_cfg_free(c);
}

static void test_http_limits(void)
{
	struct sc_guard_limits lim = { .max_conns = 256, .per_addr = 16, .request_ns = 10 * SC_NS_PER_S,
				       .keep_ns = 7, .idle_ns = 30 * SC_NS_PER_S };
	struct sc_cfg_err err;
	config_setting_t *g;
	sc_cfg *c = load("a = { per_address_limit = 0; request_timeout_ms = 2500; };\n"
			 "b = {\n  connection_limit = 64;\n  idle_timeout_s = 0;\n};\n");

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	/* Absent group: the defaults. */
	CU_ASSERT_EQUAL(sc_cfg_get_http_limits(NULL, 1000, &lim, &err), 0);
	CU_ASSERT_EQUAL(lim.max_conns, 256);
	sc_cfg_get_section(sc_cfg_root(c), "a", CONFIG_TYPE_GROUP, &g, &err);
	CU_ASSERT_EQUAL(sc_cfg_get_http_limits(g, 1000, &lim, &err), 0);
	CU_ASSERT_EQUAL(lim.max_conns, 256);
	CU_ASSERT_EQUAL(lim.per_addr, 0);
	CU_ASSERT_EQUAL(lim.request_ns, 2500 * SC_NS_PER_MS);
	CU_ASSERT_EQUAL(lim.idle_ns, 30 * SC_NS_PER_S);
	CU_ASSERT_EQUAL(lim.keep_ns, 7);
	sc_cfg_get_section(sc_cfg_root(c), "b", CONFIG_TYPE_GROUP, &g, &err);
	CU_ASSERT_EQUAL(sc_cfg_get_http_limits(g, 32, &lim, &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "test.conf:3: 'b.connection_limit' is 64, must be between 16 and 32");
	CU_ASSERT_EQUAL(sc_cfg_get_http_limits(g, 0, &lim, &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "test.conf:4: 'b.idle_timeout_s' is 0, must be between 1 and 3600");
	sc_cfg_free(c);
}

static void test_syntax_error(void)
{
	struct sc_cfg_err err;
	sc_cfg *c = (sc_cfg *)&err;

	CU_ASSERT_EQUAL(sc_cfg_load_string("a = 1;\nb = ;\n", "bad.conf", &c, &err), -EINVAL);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "bad.conf:2: "));
}

static void test_files(void)
{
	char dir[] = "/tmp/sc_cfg_testXXXXXX", path[300], inc[300];
	struct sc_cfg_err err;
	config_setting_t *s;
	long long i;
	sc_cfg *c;
	FILE *f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/main.conf", dir);
	snprintf(inc, sizeof(inc), "%s/more.conf", dir);
	f = fopen(inc, "w");
	fputs("\n\nx = \"text\";\n", f);
	fclose(f);
	f = fopen(path, "w");
	fputs("a = 1;\n@include \"more.conf\"\n", f);
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(sc_cfg_load(path, &c, &err), 0);
	s = sc_cfg_root(c);
	CU_ASSERT_EQUAL(sc_cfg_get_int(s, "x", 0, 1, 0, &i, &err), -EINVAL);
	/* The message names the included file and its own line. */
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "more.conf:3: 'x' must be an integer"));
	sc_cfg_free(c);
	unlink(inc);
	CU_ASSERT_EQUAL(sc_cfg_load(inc, &c, &err), -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "more.conf: cannot read: "));
	unlink(path);
	rmdir(dir);
}

/* Random-looking secrets of the kinds the docs recommend pass. */
static const char *const good_secrets[] = {
	"3f9c1a7e5b2d4f60a8c3e1b9d7f5a2c4e6b8d0f2a4c6e8b1d3f5a7c9e2b4d6f8", /* openssl rand -hex 32 */
	"q8Zr2LwX+0bN4tVf/7YhKc1sJm9PdA3eGu6iTo5nRyE=",                    /* openssl rand -base64 32 */
	"b7e41f0c9a2d58e3c6f1a04d",                                          /* exactly 24 */
	NULL,
};

/* Placeholders, short and typed-by-hand values are refused; the reason
 * never repeats the value. */
static void test_secret_check(void)
{
	static const struct { const char *v, *why; } bad[] = {
		{ "", "is empty" },
		{ "CHANGE-ME-noc-admin-token", "is a placeholder (it contains \"changeme\")" },
		{ "change_me_box_enrolment_7f3a9c2eb1d4", "is a placeholder (it contains \"changeme\")" },
		{ "x-ChangeMe-x-7f3a9c2eb1d4e6f8a2c5", "is a placeholder (it contains \"changeme\")" },
		{ "test-box-secret-0123456789", "is a placeholder (it contains \"secret\")" },
		{ "password", "is a placeholder (it contains \"password\")" },
		{ "0123456789abcdef01234567", "is a placeholder (it contains \"123456789\")" },
		{ "changeme", "is a placeholder (it contains \"changeme\")" },
		{ "7f3a9c2eb1d4", "is too short (12 characters; at least 24 are needed)" },
		{ "7f3a9c2e b1d4e6f8a2c5d7e9f0a1b3c4", "must be printable ASCII without spaces" },
		{ "7f3a9c2e\tb1d4e6f8a2c5d7e9f0a1b3c4", "must be printable ASCII without spaces" },
		{ "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "is not random (only 1 different characters)" },
		{ "abcabcabcabcabcabcabcabcabc", "is not random (only 3 different characters)" },
		{ "7f3a9c2e00000000b1d4e6f8a2c5", "is not random (one character 8 times in a row)" },
	};
	char why[160];

	for (int i = 0; good_secrets[i]; i++)
		CU_ASSERT_EQUAL(sc_cfg_secret_check(good_secrets[i], why, sizeof(why)), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		CU_ASSERT_EQUAL(sc_cfg_secret_check(bad[i].v, why, sizeof(why)), -EINVAL);
		CU_ASSERT_STRING_EQUAL(why, bad[i].why);
		if (strlen(bad[i].v) > 12) /* shorter ones may be the word named */
			CU_ASSERT_PTR_NULL(strstr(why, bad[i].v));
	}
	CU_ASSERT_EQUAL(sc_cfg_secret_check(NULL, NULL, 0), -EINVAL);
}

/* What `openssl rand -hex 12` and `-hex 32` make must never be refused: the
 * thresholds leave random values about one chance in 10^6 or less. */
static void test_secret_random(void)
{
	static const char hex[] = "0123456789abcdef";
	char v[65], why[160];

	for (int i = 0; i < 2000; i++) {
		size_t n = i % 2 ? 64 : 24;

		for (size_t k = 0; k < n; k++)
			v[k] = hex[tu_rand_below(16)];
		v[n] = '\0';
		if (sc_cfg_secret_check(v, why, sizeof(why)) != 0) {
			printf("refused %s: %s\n", v, why);
			CU_FAIL("a random secret was refused");
		}
	}
}

static const char *secret_conf =
	"auth = {\n"
	"  admins = ( { name = \"noc\"; token = \"CHANGE-ME-noc-admin-token\"; },\n"
	"             { name = \"ops\"; token = \"3f9c1a7e5b2d4f60a8c3e1b9d7f5a2c4\"; } );\n"
	"  client_credential = \"short-one\";\n"
	"  edge_credential = \"3f9c1a7e5b2d4f60a8c3e1b9d7f5a2c4\";\n"
	"  edge_credential_file = \"edge.secret\";\n"
	"  big = 5;\n"
	"};\n";

/* The inline form: the message names file, line and the setting's path,
 * and ends with the hint. */
static void test_secret_inline(void)
{
	struct sc_cfg_err err;
	config_setting_t *auth, *admins;
	char dst[64];
	sc_cfg *c = load(secret_conf);

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	auth = config_setting_get_member(sc_cfg_root(c), "auth");
	admins = config_setting_get_member(auth, "admins");
	CU_ASSERT_EQUAL(sc_cfg_get_secret(config_setting_get_elem(admins, 1), "token", true, NULL, dst,
					  sizeof(dst), &err), 0);
	CU_ASSERT_STRING_EQUAL(dst, "3f9c1a7e5b2d4f60a8c3e1b9d7f5a2c4");
	CU_ASSERT_EQUAL(sc_cfg_get_secret(config_setting_get_elem(admins, 0), "token", true, NULL, dst,
					  sizeof(dst), &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "test.conf:2: 'auth.admins[0].token' is a placeholder (it contains "
			       "\"changeme\"); generate one with `openssl rand -hex 32`");
	CU_ASSERT_STRING_EQUAL(dst, "");
	CU_ASSERT_EQUAL(sc_cfg_get_secret(auth, "client_credential", true, "copy it from the server", dst,
					  sizeof(dst), &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "test.conf:4: 'auth.client_credential' is too short (9 characters; "
			       "at least 24 are needed); copy it from the server");
	CU_ASSERT_EQUAL(sc_cfg_get_secret(auth, "edge_credential", true, NULL, dst, sizeof(dst), &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "test.conf:6: 'edge_credential' and 'edge_credential_file' both give "
			       "the secret: keep one");
	CU_ASSERT_EQUAL(sc_cfg_get_secret(auth, "big", true, NULL, dst, sizeof(dst), &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "test.conf:7: 'auth.big' must be a string in double quotes");
	CU_ASSERT_EQUAL(sc_cfg_get_secret(auth, "edge_credential", true, NULL, dst, 8, &err), -EINVAL);
	CU_ASSERT_EQUAL(sc_cfg_get_secret(auth, "absent", false, NULL, dst, sizeof(dst), &err), 0);
	CU_ASSERT_STRING_EQUAL(dst, "");
	CU_ASSERT_EQUAL(sc_cfg_get_secret(auth, "absent", true, "ask the NOC", dst, sizeof(dst), &err), -ENOENT);
	CU_ASSERT_STRING_EQUAL(err.msg, "test.conf:1: auth: 'absent_file' (or 'absent') is required; ask the NOC");
	sc_cfg_free(c);
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

/* get_secret on the file form of a fresh config naming secret_path. */
static int file_secret(const char *dir, const char *secret_path, bool required, char *dst, size_t len,
		       struct sc_cfg_err *err)
{
	char conf[300], text[400];
	sc_cfg *c;
	int rc;

	snprintf(conf, sizeof(conf), "%s/box.conf", dir);
	snprintf(text, sizeof(text), "# a box\nclient = {\n  credential_file = \"%s\";\n};\n", secret_path);
	put(conf, text);
	CU_ASSERT_EQUAL_FATAL(sc_cfg_load(conf, &c, err), 0);
	rc = sc_cfg_get_secret(config_setting_get_member(sc_cfg_root(c), "client"), "credential", required,
			       "fill it", dst, len, err);
	sc_cfg_free(c);
	unlink(conf);
	return rc;
}

/* The file form: one line, a relative name from the config's folder, and
 * the same checks as inline, with the file's name in every message. */
static void test_secret_file(void)
{
	char dir[] = "/tmp/sc_cfg_secretXXXXXX", path[300], want[700], dst[65];
	struct sc_cfg_err err;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/box.secret", dir);
	put(path, "3f9c1a7e5b2d4f60a8c3e1b9d7f5a2c4\n");
	CU_ASSERT_EQUAL(file_secret(dir, "box.secret", true, dst, sizeof(dst), &err), 0);
	CU_ASSERT_STRING_EQUAL(dst, "3f9c1a7e5b2d4f60a8c3e1b9d7f5a2c4");
	CU_ASSERT_EQUAL(file_secret(dir, path, true, dst, sizeof(dst), &err), 0);
	CU_ASSERT_EQUAL(file_secret(dir, path, true, dst, 16, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "is longer than 15 characters"));
	put(path, "CHANGE-ME-box-enrolment-secret\r\n");
	CU_ASSERT_EQUAL(file_secret(dir, "box.secret", true, dst, sizeof(dst), &err), -EINVAL);
	snprintf(want, sizeof(want), "%s/box.conf:3: 'client.credential_file': the secret in %s is a placeholder "
		 "(it contains \"changeme\"); fill it", dir, path);
	CU_ASSERT_STRING_EQUAL(err.msg, want);
	CU_ASSERT_STRING_EQUAL(dst, "");
	put(path, "3f9c1a7e5b2d4f60a8c3e1b9d7f5a2c4\nmore\n");
	CU_ASSERT_EQUAL(file_secret(dir, "box.secret", true, dst, sizeof(dst), &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "must hold the secret alone, on one line"));
	put(path, "\n");
	CU_ASSERT_EQUAL(file_secret(dir, "box.secret", true, dst, sizeof(dst), &err), -EINVAL);
	snprintf(want, sizeof(want), "%s/box.conf:3: 'client.credential_file': %s is empty; fill it", dir, path);
	CU_ASSERT_STRING_EQUAL(err.msg, want);
	/* An optional secret: an empty or missing file is no secret. */
	CU_ASSERT_EQUAL(file_secret(dir, "box.secret", false, dst, sizeof(dst), &err), 0);
	CU_ASSERT_STRING_EQUAL(dst, "");
	unlink(path);
	CU_ASSERT_EQUAL(file_secret(dir, "box.secret", false, dst, sizeof(dst), &err), 0);
	CU_ASSERT_EQUAL(file_secret(dir, "box.secret", true, dst, sizeof(dst), &err), -EINVAL);
	snprintf(want, sizeof(want), "%s/box.conf:3: 'client.credential_file': cannot read %s (No such file or "
		 "directory); fill it", dir, path);
	CU_ASSERT_STRING_EQUAL(err.msg, want);
	CU_ASSERT_EQUAL(file_secret(dir, dir, true, dst, sizeof(dst), &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "is not a regular file"));
	CU_ASSERT_EQUAL(file_secret(dir, "", true, dst, sizeof(dst), &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "'client.credential_file' must be a file name in double quotes"));
	rmdir(dir);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "HTTP limits", test_http_limits },
		{ "typed getters and defaults", test_getters },
		{ "errors name file and line", test_errors },
		{ "syntax error", test_syntax_error },
		{ "files and includes", test_files },
		{ "secrets: placeholders, length, variety", test_secret_check },
		{ "secrets: random ones pass", test_secret_random },
		{ "secrets: inline", test_secret_inline },
		{ "secrets: in a file", test_secret_file },
		{ NULL, NULL },
	};
	return tu_add_suite("sc_cfg", tests);
}
