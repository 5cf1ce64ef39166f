/* Unit tests of the box's configuration (stb_cfg) where it guards the
 * control API: a token is required beyond loopback, a token given must be
 * strong (24 characters, not the example's CHANGE-ME), from the file or a
 * token file; every refusal names the file and the line. And the HTTP
 * limits shared by the output and the control API. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hts.h"
#include "sc_httpd_lite.h"
#include "stb_cfg.h"
#include "tu.h"

#define GOOD "q7Xv2LmN9pR4sT1wY6zA3bC8dE"

static char dir[] = "/tmp/sixcast-stb-cfg-XXXXXX";

/* Write a config with these client settings (line 2) and more groups. */
static int load(const char *client, const char *more, struct stb_cfg *c, struct sc_cfg_err *err)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/client.conf", dir);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fprintf(f, "client: { device_id = \"stb-1\"; interface = \"lo\"; credential = \"" GOOD "x\";\n  %s\n};\n"
		   "mgmt: { url = \"http://[::1]:8080\"; };\n%s\n", client, more);
	fclose(f);
	err->msg[0] = '\0';
	return stb_cfg_load(path, c, err);
}

static void expect_fail(const char *client, const char *what)
{
	struct stb_cfg c;
	struct sc_cfg_err err;

	CU_ASSERT(load(client, "", &c, &err) < 0);
	if (!strstr(err.msg, "client.conf:2: ") || !strstr(err.msg, what)) {
		printf("\n%s: %s\n", client, err.msg);
		CU_FAIL("not refused with file, line and reason");
	}
}

static void test_loopback(void)
{
	struct stb_cfg c;
	struct sc_cfg_err err;

	CU_ASSERT_EQUAL(load("", "", &c, &err), 0);
	CU_ASSERT_STRING_EQUAL(c.control_token, "");
	/* The defaults are marked as such: the box may take their IPv4
	 * stand-ins on a host without IPv6; what the file says it may not. */
	CU_ASSERT(c.control_dflt);
	CU_ASSERT(c.http_dflt);
	CU_ASSERT_EQUAL(sc_addr_port(&c.control), 8091);
	CU_ASSERT_EQUAL(load("control = \"127.0.0.1:8091\";", "outputs: { http = \"[::]:8090\"; };", &c, &err), 0);
	CU_ASSERT_FALSE(c.control_dflt);
	CU_ASSERT_FALSE(c.http_dflt);
	CU_ASSERT_EQUAL(load("control = \"\";", "", &c, &err), 0);
	CU_ASSERT_EQUAL(c.control.len, 0);
	CU_ASSERT_FALSE(c.control_dflt);
	CU_ASSERT_EQUAL(load("control_token = \"" GOOD "\";", "", &c, &err), 0);
	CU_ASSERT_STRING_EQUAL(c.control_token, GOOD);
	/* A token given is enforced, so it must be a real one, loopback too. */
	expect_fail("control_token = \"short-token\";", "it needs 24 or more");
}

static void test_beyond_loopback(void)
{
	struct stb_cfg c;
	struct sc_cfg_err err;

	expect_fail("control = \"[::]:8091\";", "beyond loopback: set 'control_token'");
	expect_fail("control = \"[2001:db8::5]:8091\";", "'control' listens on [2001:db8::5]:8091");
	expect_fail("control = \"0.0.0.0:8091\"; control_token = \"0123456789abcdef\";", "24 or more");
	expect_fail("control = \"[::]:8091\"; control_token = \"CHANGE-ME-to-a-long-random-token\";",
		    "placeholder (CHANGE-ME)");
	expect_fail("control = \"[::]:8091\"; control_token = \"change-me-to-a-long-random-token\";",
		    "placeholder");
	expect_fail("control = \"[::]:8091\"; control_token = \"a token with spaces in it, 24+\";", "spaces");
	CU_ASSERT_EQUAL(load("control = \"[::]:8091\"; control_token = \"" GOOD "\";", "", &c, &err), 0);
	CU_ASSERT_STRING_EQUAL(c.control_token, GOOD);
}

static void test_token_file(void)
{
	char path[256], line[400];
	struct stb_cfg c;
	struct sc_cfg_err err;
	FILE *f;

	snprintf(path, sizeof(path), "%s/control.token", dir);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(GOOD "\n", f);
	fclose(f);
	snprintf(line, sizeof(line), "control = \"[::]:8091\"; control_token_file = \"%s\";", path);
	CU_ASSERT_EQUAL(load(line, "", &c, &err), 0);
	CU_ASSERT_STRING_EQUAL(c.control_token, GOOD);
	snprintf(line, sizeof(line), "control_token = \"" GOOD "\"; control_token_file = \"%s\";", path);
	expect_fail(line, "not both");
	expect_fail("control_token_file = \"/nonexistent/sixcast.token\";", "cannot read /nonexistent");
	unlink(path);
}

static void test_limits(void)
{
	struct sc_guard_limits out, ctl;
	struct stb_cfg c;
	struct sc_cfg_err err;

	hts_limits_default(&out);
	sc_httpd_lite_limits_default(&ctl);
	CU_ASSERT_EQUAL(load("", "", &c, &err), 0);
	CU_ASSERT_EQUAL(memcmp(&c.http_limits, &out, sizeof(out)), 0);
	CU_ASSERT_EQUAL(memcmp(&c.control_limits, &ctl, sizeof(ctl)), 0);
	CU_ASSERT_EQUAL(c.http_limits.per_addr, 4);
	CU_ASSERT_EQUAL(load("", "http_limits = { per_address_limit = 2; request_timeout_ms = 3000; };", &c, &err), 0);
	CU_ASSERT_EQUAL(c.http_limits.per_addr, 2);
	CU_ASSERT_EQUAL(c.control_limits.per_addr, 2);
	CU_ASSERT_EQUAL(c.control_limits.request_ns, 3 * SC_NS_PER_S);
	CU_ASSERT_EQUAL(c.http_limits.idle_ns, out.idle_ns);
	CU_ASSERT(load("", "http_limits = { connection_limit = 8; };", &c, &err) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "unknown setting 'connection_limit'"));
}

static int setup(void)
{
	return mkdtemp(dir) ? 0 : -1;
}

static void cleanup(void)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/client.conf", dir);
	unlink(path);
	rmdir(dir);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "loopback needs no token", test_loopback },
		{ "beyond loopback a strong token", test_beyond_loopback },
		{ "token file", test_token_file },
		{ "HTTP limits", test_limits },
		{ NULL, NULL },
	};

	if (setup() < 0)
		return CUE_SINIT_FAILED;
	atexit(cleanup);
	return tu_add_suite("stb_cfg", tests);
}
