/* Unit tests of sixcastctl's logic apart from the network: argument
 * parsing, options turned into typed JSON fields, settings from a config
 * file, URL normalising, command lookup with aliases, exit codes of usage
 * errors, table layout (widths, alignment, UTF-8, cutting) and the value
 * formats. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_opts.h"
#include "ctl_run.h"
#include "ctl_table.h"
#include "tu.h"

static const struct ctl_opt spec[] = {
	{ "name", CTL_VALUE, "name", CTL_J_STR, "NAME", "" },
	{ "group4", CTL_VALUE, "group4", CTL_J_STR_NULL, "ADDR", "" },
	{ "port", CTL_VALUE, "port", CTL_J_UINT, "PORT", "" },
	{ "enabled", CTL_VALUE, "enabled", CTL_J_BOOL, "yes|no", "" },
	{ "ban", CTL_FLAG, "ban", CTL_J_BOOL, NULL, "" },
	{ "prefix", CTL_MULTI, "prefixes", CTL_J_LIST, "P", "" },
	{ "hosts", CTL_VALUE, "hosts", CTL_J_LIST, "H", "" },
	{ "metro", CTL_VALUE, NULL, CTL_J_NONE, "M", "" },
	{ NULL, 0, NULL, 0, NULL, NULL },
};

static int parse(struct ctl_args *a, char *err, size_t len, int argc, ...)
{
	char *argv[32];
	va_list ap;

	va_start(ap, argc);
	for (int i = 0; i < argc; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	return ctl_args_parse(spec, argc, argv, a, err, len);
}

static void test_args(void)
{
	struct ctl_args a;
	char err[128];

	CU_ASSERT_EQUAL(parse(&a, err, sizeof(err), 7, "7", "--name", "Kids", "--port=5002", "--ban",
			      "--json", "extra"), 0);
	CU_ASSERT_EQUAL(a.npos, 2);
	CU_ASSERT_STRING_EQUAL(a.pos[0], "7");
	CU_ASSERT_STRING_EQUAL(a.pos[1], "extra");
	CU_ASSERT_STRING_EQUAL(ctl_arg(spec, &a, "name"), "Kids");
	CU_ASSERT_STRING_EQUAL(ctl_arg(spec, &a, "port"), "5002");
	CU_ASSERT(ctl_has(spec, &a, "ban"));
	CU_ASSERT(!ctl_has(spec, &a, "enabled"));
	CU_ASSERT(!ctl_has(spec, &a, "nosuch"));
	CU_ASSERT(a.json);
	CU_ASSERT(!a.help);

	/* "--" ends options; a lone "-" is an argument; "=" may be empty */
	CU_ASSERT_EQUAL(parse(&a, err, sizeof(err), 5, "--name=", "--", "--port", "-", "-h"), 0);
	CU_ASSERT_STRING_EQUAL(ctl_arg(spec, &a, "name"), "");
	CU_ASSERT_EQUAL(a.npos, 3);
	CU_ASSERT(!a.help);
	CU_ASSERT_EQUAL(parse(&a, err, sizeof(err), 2, "x", "-h"), 0);
	CU_ASSERT(a.help);

	CU_ASSERT_EQUAL(parse(&a, err, sizeof(err), 1, "--nosuch"), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "unknown option --nosuch");
	CU_ASSERT_EQUAL(parse(&a, err, sizeof(err), 1, "--name"), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "--name needs a value");
	CU_ASSERT_EQUAL(parse(&a, err, sizeof(err), 1, "--ban=yes"), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "--ban takes no value");
	CU_ASSERT_EQUAL(parse(&a, err, sizeof(err), 1, "-x"), -EINVAL);
	CU_ASSERT_EQUAL(parse(&a, err, sizeof(err), 9, "1", "2", "3", "4", "5", "6", "7", "8", "9"), -EINVAL);

	/* a repeated option keeps every value in order, the last as val */
	CU_ASSERT_EQUAL(parse(&a, err, sizeof(err), 4, "--prefix", "2001:db8::/32", "--prefix=10.0.0.0/8",
			      "--metro=north"), 0);
	CU_ASSERT_EQUAL(a.nmulti, 2);
	CU_ASSERT_STRING_EQUAL(a.multi[0], "2001:db8::/32");
	CU_ASSERT_STRING_EQUAL(ctl_arg(spec, &a, "prefix"), "10.0.0.0/8");
	CU_ASSERT_EQUAL(a.count[ctl_opt_index(spec, "prefix")], 2);
}

static json_t *to_json(int *rc, char *err, size_t len, int argc, ...)
{
	struct ctl_args a;
	char *argv[32];
	json_t *o = json_object();
	va_list ap;

	va_start(ap, argc);
	for (int i = 0; i < argc; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	CU_ASSERT_EQUAL_FATAL(ctl_args_parse(spec, argc, argv, &a, err, len), 0);
	*rc = ctl_opts_to_json(spec, &a, o, err, len);
	return o;
}

static void expect_json(json_t *o, const char *want)
{
	char *got = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);

	if (strcmp(got, want) != 0) {
		printf("\n  got %s\n  want %s\n", got, want);
		CU_FAIL("json");
	}
	free(got);
	json_decref(o);
}

static void test_to_json(void)
{
	char err[128];
	json_t *o;
	int rc;

	o = to_json(&rc, err, sizeof(err), 7, "--name", "Kids HD", "--port", "5002", "--enabled", "No",
		    "--ban");
	CU_ASSERT_EQUAL(rc, 4);
	expect_json(o, "{\"ban\":true,\"enabled\":false,\"name\":\"Kids HD\",\"port\":5002}");
	o = to_json(&rc, err, sizeof(err), 2, "--group4", "none");
	expect_json(o, "{\"group4\":null}");
	o = to_json(&rc, err, sizeof(err), 2, "--group4", "232.1.0.9");
	expect_json(o, "{\"group4\":\"232.1.0.9\"}");
	o = to_json(&rc, err, sizeof(err), 4, "--prefix", "a/1, b/2", "--prefix", "c/3");
	expect_json(o, "{\"prefixes\":[\"a/1\",\"b/2\",\"c/3\"]}");
	o = to_json(&rc, err, sizeof(err), 2, "--prefix", "");
	expect_json(o, "{\"prefixes\":[]}");
	o = to_json(&rc, err, sizeof(err), 4, "--hosts", "x,,y", "--prefix", "p");
	expect_json(o, "{\"hosts\":[\"x\",\"y\"],\"prefixes\":[\"p\"]}");
	o = to_json(&rc, err, sizeof(err), 2, "--metro", "north");
	CU_ASSERT_EQUAL(rc, 0);
	expect_json(o, "{}");

	o = to_json(&rc, err, sizeof(err), 2, "--port", "50x");
	CU_ASSERT_EQUAL(rc, -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "--port: \"50x\" is not a whole number");
	json_decref(o);
	o = to_json(&rc, err, sizeof(err), 2, "--port", "-1");
	CU_ASSERT_EQUAL(rc, -EINVAL);
	json_decref(o);
	o = to_json(&rc, err, sizeof(err), 2, "--enabled", "maybe");
	CU_ASSERT_EQUAL(rc, -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "--enabled: \"maybe\" is not yes or no");
	json_decref(o);
}

static void test_numbers(void)
{
	unsigned long long v;
	bool b;

	CU_ASSERT_EQUAL(ctl_parse_uint("4294967295", 0xffffffffULL, &v), 0);
	CU_ASSERT_EQUAL(v, 4294967295ULL);
	CU_ASSERT_EQUAL(ctl_parse_uint("4294967296", 0xffffffffULL, &v), -EINVAL);
	CU_ASSERT_EQUAL(ctl_parse_uint("99999999999999999999999", ~0ULL, &v), -EINVAL);
	CU_ASSERT_EQUAL(ctl_parse_uint("", 10, &v), -EINVAL);
	CU_ASSERT_EQUAL(ctl_parse_uint(" 1", 10, &v), -EINVAL);
	CU_ASSERT_EQUAL(ctl_parse_uint("+1", 10, &v), -EINVAL);
	CU_ASSERT_EQUAL(ctl_parse_uint("1 ", 10, &v), -EINVAL);
	CU_ASSERT_EQUAL(ctl_parse_uint(NULL, 10, &v), -EINVAL);
	CU_ASSERT_EQUAL(ctl_parse_bool("ON", &b), 0);
	CU_ASSERT(b);
	CU_ASSERT_EQUAL(ctl_parse_bool("0", &b), 0);
	CU_ASSERT(!b);
	CU_ASSERT_EQUAL(ctl_parse_bool("", &b), -EINVAL);
}

static void test_url(void)
{
	char out[64];

	CU_ASSERT_EQUAL(ctl_url_normalise("mgmt:8080", out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "http://mgmt:8080");
	CU_ASSERT_EQUAL(ctl_url_normalise("https://[2001:db8::1]:8080/api/v1/", out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "https://[2001:db8::1]:8080");
	CU_ASSERT_EQUAL(ctl_url_normalise("http://x//", out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "http://x");
	CU_ASSERT_EQUAL(ctl_url_normalise("ftp://x", out, sizeof(out)), -EINVAL);
	CU_ASSERT_EQUAL(ctl_url_normalise("", out, sizeof(out)), -EINVAL);
	CU_ASSERT_EQUAL(ctl_url_normalise("http://", out, sizeof(out)), -EINVAL);
	CU_ASSERT_EQUAL(ctl_url_normalise("http://a-very-long-host-name-that-does-not-fit-in-the-buffer.example",
					  out, sizeof(out)), -EINVAL);
}

static void test_config(void)
{
	struct ctl_conn c;
	char err[256];

	memset(&c, 0, sizeof(c));
	CU_ASSERT_EQUAL(ctl_conn_from_config(&c, "url = \"mgmt.example:8080\";\ntoken = \"abc\";\n"
					     "insecure = true;\ntimeout_s = 5;\n", "t.conf", err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(c.url, "http://mgmt.example:8080");
	CU_ASSERT_STRING_EQUAL(c.token, "abc");
	CU_ASSERT(c.insecure);
	CU_ASSERT_EQUAL(c.timeout_s, 5);

	/* what the command line or environment set stays */
	memset(&c, 0, sizeof(c));
	strcpy(c.token, "from-env");
	strcpy(c.url, "http://cli");
	CU_ASSERT_EQUAL(ctl_conn_from_config(&c, "url = \"http://file\"; token = \"file\";", "t.conf", err,
					     sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(c.token, "from-env");
	CU_ASSERT_STRING_EQUAL(c.url, "http://cli");

	memset(&c, 0, sizeof(c));
	CU_ASSERT_EQUAL(ctl_conn_from_config(&c, "url = \"http://x\";\ntokn = \"abc\";\n", "t.conf", err,
					     sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "t.conf:2"));
	CU_ASSERT_EQUAL(ctl_conn_from_config(&c, "\n\nurl = \"gopher://x\";\n", "t.conf", err, sizeof(err)),
			-EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "t.conf:3"));
	CU_ASSERT_EQUAL(ctl_conn_from_config(&c, "timeout_s = 0;", "t.conf", err, sizeof(err)), -EINVAL);
	CU_ASSERT_EQUAL(ctl_conn_from_config(&c, "url = ", "t.conf", err, sizeof(err)), -EINVAL);
}

static void expect_cmd(const char *a0, const char *a1, const char *noun, const char *verb, int used)
{
	char *argv[2] = { (char *)a0, (char *)a1 };
	const struct ctl_cmd *c;
	int u;

	c = ctl_find(a1 ? 2 : 1, argv, &u);
	if (!noun) {
		CU_ASSERT_PTR_NULL(c);
		return;
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(c->noun, noun);
	if (verb) {
		CU_ASSERT_STRING_EQUAL(c->verb, verb);
	} else {
		CU_ASSERT_PTR_NULL(c->verb);
	}
	CU_ASSERT_EQUAL(u, used);
}

static void test_find(void)
{
	expect_cmd("channels", "list", "channels", "list", 2);
	expect_cmd("channel", "ls", "channels", "list", 2);
	expect_cmd("channels", NULL, "channels", "list", 1);
	expect_cmd("channels", "--json", "channels", "list", 1);
	expect_cmd("channel", "rebuild", "channels", "rebuild", 2);
	expect_cmd("metro", "delete", "metros", "rm", 2);
	expect_cmd("box", "move", "clients", "move", 2);
	expect_cmd("events", "--type", "events", NULL, 1);
	expect_cmd("summary", "metros", "summary", "metros", 2);
	expect_cmd("summary", NULL, "summary", NULL, 1);
	expect_cmd("peers", "1", "peers", NULL, 1);
	expect_cmd("channels", "frobnicate", NULL, NULL, 0);
	expect_cmd("nothing", NULL, NULL, NULL, 0);
}

/* run(arg, ..., NULL): sixcastctl's exit code. */
static int run(const char *first, ...)
{
	char *argv[16];
	int argc = 1, rc;
	va_list ap;

	argv[0] = "sixcastctl";
	va_start(ap, first);
	for (const char *s = first; s && argc < 15; s = va_arg(ap, const char *))
		argv[argc++] = (char *)s;
	va_end(ap);
	fflush(stdout);
	rc = ctl_main(argc, argv);
	fflush(stdout);
	return rc;
}

/* Exit codes: usage errors are 2 before anything is sent; a server that
 * cannot be reached is 1. */
static void test_exit_codes(void)
{
	setenv("SIXCAST_CONFIG", "/dev/null", 1);
	CU_ASSERT_EQUAL(run(NULL), 2);
	CU_ASSERT_EQUAL(run("--bogus", NULL), 2);
	CU_ASSERT_EQUAL(run("nothing", NULL), 2);
	CU_ASSERT_EQUAL(run("channels", "frobnicate", NULL), 2);
	CU_ASSERT_EQUAL(run("channels", "show", NULL), 2);
	CU_ASSERT_EQUAL(run("channels", "show", "1", "2", NULL), 2);
	CU_ASSERT_EQUAL(run("--url", "ftp://x", "status", NULL), 2);
	CU_ASSERT_EQUAL(run("--timeout", "0", "status", NULL), 2);
	CU_ASSERT_EQUAL(run("--url", "http://127.0.0.1:1", "channels", "show", "x", NULL), 2);
	CU_ASSERT_EQUAL(run("--url", "http://127.0.0.1:1", "channels", "set", "1", "--port=x", NULL), 2);
	CU_ASSERT_EQUAL(run("--url", "http://127.0.0.1:1", "channels", "set", "1", NULL), 2);
	CU_ASSERT_EQUAL(run("--url", "http://127.0.0.1:1", "clients", "move", "1", NULL), 2);
	CU_ASSERT_EQUAL(run("channels", "add", "--nosuch", "x", NULL), 2);
	CU_ASSERT_EQUAL(run("channels", "add", NULL), 2);
	CU_ASSERT_EQUAL(run("channels", "--help", NULL), 0);
	CU_ASSERT_EQUAL(run("channels", "add", "--help", NULL), 0);
	CU_ASSERT_EQUAL(run("--version", NULL), 0);
	/* port 1 on loopback refuses at once */
	CU_ASSERT_EQUAL(run("--url", "http://127.0.0.1:1", "channels", "list", NULL), 1);
	setenv("SIXCAST_URL", "http://127.0.0.1:1", 1);
	CU_ASSERT_EQUAL(run("status", NULL), 1);
	unsetenv("SIXCAST_URL");
	setenv("SIXCAST_CONFIG", "/nonexistent/sixcastctl.conf", 1);
	CU_ASSERT_EQUAL(run("status", NULL), 2);
	unsetenv("SIXCAST_CONFIG");
}

static char *print_table(ctl_table *t)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	CU_ASSERT_EQUAL(ctl_table_print(t, f), 0);
	fclose(f);
	return out;
}

static void test_table(void)
{
	static const char *const head[] = { "ID", "NAME", "N" };
	ctl_table *t = ctl_table_new(3, head, "rlr");
	char *out;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	ctl_table_row(t);
	ctl_table_put(t, "%d", 1);
	ctl_table_put(t, "%s", "Téléfoot");
	ctl_table_put(t, "%d", 12345);
	ctl_table_row(t);
	ctl_table_put(t, "%d", 100);
	ctl_table_put(t, "%s", "News 24");
	ctl_table_put(t, "%d", 7);
	ctl_table_put(t, "dropped");
	ctl_table_row(t); /* an empty row: empty cells */
	CU_ASSERT_EQUAL(ctl_table_rows(t), 3);
	out = print_table(t);
	CU_ASSERT_STRING_EQUAL(out, " ID  NAME          N\n"
				    "  1  Téléfoot  12345\n"
				    "100  News 24       7\n"
				    "                    \n");
	free(out);
	ctl_table_free(t);

	/* cut to 5 characters, UTF-8 kept whole; no header line */
	t = ctl_table_new(2, NULL, NULL);
	ctl_table_set_max(t, 0, 5);
	ctl_table_row(t);
	ctl_table_put(t, "%s", "ééééééé");
	ctl_table_put(t, "x");
	ctl_table_row(t);
	ctl_table_put(t, "ab");
	ctl_table_put(t, "y");
	out = print_table(t);
	CU_ASSERT_STRING_EQUAL(out, "éééé~  x\nab     y\n");
	free(out);
	ctl_table_free(t);

	CU_ASSERT_PTR_NULL(ctl_table_new(0, NULL, NULL));
	CU_ASSERT_PTR_NULL(ctl_table_new(17, NULL, NULL));
	ctl_table_free(NULL);
	CU_ASSERT_EQUAL(ctl_text_width("a€b"), 3);
	CU_ASSERT_EQUAL(ctl_text_width(NULL), 0);
}

static void test_formats(void)
{
	char b[64];

	CU_ASSERT_STRING_EQUAL(ctl_fmt_rate(0, b, sizeof(b)), "0%");
	CU_ASSERT_STRING_EQUAL(ctl_fmt_rate(-1, b, sizeof(b)), "0%");
	CU_ASSERT_STRING_EQUAL(ctl_fmt_rate(1.0, b, sizeof(b)), "100%");
	CU_ASSERT_STRING_EQUAL(ctl_fmt_rate(0.983, b, sizeof(b)), "98.3%");
	CU_ASSERT_STRING_EQUAL(ctl_fmt_rate(0.0133, b, sizeof(b)), "1.33%");
	CU_ASSERT_STRING_EQUAL(ctl_fmt_rate(0.00133, b, sizeof(b)), "0.13%");
	CU_ASSERT_STRING_EQUAL(ctl_fmt_rate(0.0000222, b, sizeof(b)), "0.0022%");
	CU_ASSERT_STRING_EQUAL(ctl_fmt_rate(0.99999, b, sizeof(b)), "100%");
	CU_ASSERT_STRING_EQUAL(ctl_fmt_ago(100000, 0, b, sizeof(b)), "-");
	CU_ASSERT_STRING_EQUAL(ctl_fmt_ago(100000, 100500, b, sizeof(b)), "now");
	CU_ASSERT_STRING_EQUAL(ctl_fmt_ago(100000, 88000, b, sizeof(b)), "12s");
	CU_ASSERT_STRING_EQUAL(ctl_fmt_ago(4000000, 1000, b, sizeof(b)), "1h");
	CU_ASSERT_STRING_EQUAL(ctl_fmt_ago(400000000, 1000, b, sizeof(b)), "4d");
	CU_ASSERT_STRING_EQUAL(ctl_fmt_duration(45, b, sizeof(b)), "45s");
	CU_ASSERT_STRING_EQUAL(ctl_fmt_duration(750, b, sizeof(b)), "12m30s");
	CU_ASSERT_STRING_EQUAL(ctl_fmt_duration(11100, b, sizeof(b)), "3h05m");
	CU_ASSERT_STRING_EQUAL(ctl_fmt_duration(187200, b, sizeof(b)), "2d04h");
	CU_ASSERT_STRING_EQUAL(ctl_fmt_bps(950, b, sizeof(b)), "950 b/s");
	CU_ASSERT_STRING_EQUAL(ctl_fmt_bps(16e6, b, sizeof(b)), "16.0 Mb/s");
	CU_ASSERT_STRING_EQUAL(ctl_fmt_bps(1.25e9, b, sizeof(b)), "1.25 Gb/s");
	CU_ASSERT_STRING_EQUAL(ctl_fmt_bps(250e3, b, sizeof(b)), "250 kb/s");
	CU_ASSERT_STRING_EQUAL(ctl_fmt_time(1795322071432LL, b, sizeof(b)), "2026-11-22 04:34:31.432");
	CU_ASSERT_STRING_EQUAL(ctl_fmt_time(0, b, sizeof(b)), "-");
}

/* Random argument lists never crash the parser, and what it reports is
 * consistent with what it was given. */
static void test_random_args(void)
{
	static char *const words[] = { "--name", "--name=x", "--port", "7", "--ban", "--ban=1", "--prefix",
				       "a,b", "--", "-", "-h", "--json", "--help", "--nosuch", "x", "",
				       "--=", "---", "--prefix=" };
	size_t nw = sizeof(words) / sizeof(words[0]);

	for (int round = 0; round < 5000; round++) {
		char *argv[20], err[128];
		int argc = (int)tu_rand_below(20);
		struct ctl_args a;
		json_t *o;

		for (int i = 0; i < argc; i++)
			argv[i] = words[tu_rand_below(nw)];
		if (ctl_args_parse(spec, argc, argv, &a, err, sizeof(err)) < 0) {
			CU_ASSERT(err[0] != '\0');
			continue;
		}
		CU_ASSERT(a.npos <= CTL_MAX_POS);
		CU_ASSERT(a.nmulti <= (unsigned)argc);
		o = json_object();
		if (ctl_opts_to_json(spec, &a, o, err, sizeof(err)) >= 0)
			CU_ASSERT(json_object_size(o) <= 8);
		json_decref(o);
	}
}

int tu_register(void)
{
	static const struct tu_test opts[] = {
		{ "arguments", test_args },
		{ "typed JSON fields", test_to_json },
		{ "numbers and booleans", test_numbers },
		{ "URLs", test_url },
		{ "config file", test_config },
		{ "random arguments", test_random_args },
		{ NULL, NULL },
	};
	static const struct tu_test run_tests[] = {
		{ "command lookup", test_find },
		{ "exit codes", test_exit_codes },
		{ NULL, NULL },
	};
	static const struct tu_test out[] = {
		{ "tables", test_table },
		{ "value formats", test_formats },
		{ NULL, NULL },
	};

	return tu_add_suite("ctl_opts", opts) || tu_add_suite("ctl_run", run_tests) ||
	       tu_add_suite("ctl_table", out);
}
