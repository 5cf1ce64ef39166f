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

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "HTTP limits", test_http_limits },
		{ "typed getters and defaults", test_getters },
		{ "errors name file and line", test_errors },
		{ "syntax error", test_syntax_error },
		{ "files and includes", test_files },
		{ NULL, NULL },
	};
	return tu_add_suite("sc_cfg", tests);
}
