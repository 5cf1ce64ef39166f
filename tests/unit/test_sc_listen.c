/* Unit tests of sc_listen: default listen addresses on hosts without IPv6,
 * and the other loopback for local clients.
 *
 * A kernel without IPv6 (ipv6.disable=1) cannot be booted by a test, and
 * IPv6 disabled by sysctl needs a namespace of its own: both are played
 * here by probes that fail as those hosts fail (EAFNOSUPPORT from
 * socket(AF_INET6); EADDRNOTAVAIL from binding ::1). tests/integration/
 * af_lab.sh runs the daemons on both (the first with tests/tools/noipv6.so
 * preloaded). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sc_cfg.h"
#include "sc_listen.h"
#include "tu.h"

static struct sc_sockaddr addr(const char *text)
{
	struct sc_sockaddr a;

	CU_ASSERT_EQUAL_FATAL(sc_addr_parse(text, 0, &a), 0);
	return a;
}

static void expect_text(const struct sc_sockaddr *a, const char *text)
{
	char buf[SC_ADDR_STRLEN];

	CU_ASSERT_EQUAL(sc_addr_format(a, true, buf, sizeof(buf)), 0);
	CU_ASSERT_STRING_EQUAL(buf, text);
}

/* ---- hosts, as probes ---- */

static unsigned probes;

/* ipv6.disable=1: no AF_INET6 socket at all. */
static int probe_no_ipv6_kernel(const struct sc_sockaddr *a, int type)
{
	(void)type;
	probes++;
	return sc_addr_family(a) == AF_INET6 ? -EAFNOSUPPORT : 0;
}

/* disable_ipv6 = 1: ::1 is gone, the wildcard still binds. */
static int probe_ipv6_disabled(const struct sc_sockaddr *a, int type)
{
	(void)type;
	probes++;
	if (sc_addr_family(a) == AF_INET6 && IN6_IS_ADDR_LOOPBACK(&a->u.in6.sin6_addr))
		return -EADDRNOTAVAIL;
	return 0;
}

static int probe_dual(const struct sc_sockaddr *a, int type)
{
	(void)a;
	(void)type;
	probes++;
	return 0;
}

/* Neither family binds (loopback down in an empty namespace). */
static int probe_nothing(const struct sc_sockaddr *a, int type)
{
	(void)a;
	(void)type;
	probes++;
	return -EADDRNOTAVAIL;
}

static int probe_denied(const struct sc_sockaddr *a, int type)
{
	(void)a;
	(void)type;
	probes++;
	return -EACCES;
}

static char logged[1024];
static int logged_level;

static void capture(void *ctx, int level, const char *msg)
{
	(void)ctx;
	logged_level = level;
	snprintf(logged, sizeof(logged), "%s", msg);
}

static const struct sc_logger lg = { capture, NULL, LOG_DEBUG };

/* pick() on text as a default, with probe: the address taken, the result. */
static int pick(const char *text, sc_listen_probe_fn probe, struct sc_sockaddr *out)
{
	*out = addr(text);
	logged[0] = '\0';
	logged_level = -1;
	return sc_listen_pick(out, true, SOCK_STREAM, probe, &lg, "control API");
}

static void test_missing_family(void)
{
	CU_ASSERT(sc_af_missing(-EAFNOSUPPORT));
	CU_ASSERT(sc_af_missing(-EADDRNOTAVAIL));
	CU_ASSERT_FALSE(sc_af_missing(-EADDRINUSE));
	CU_ASSERT_FALSE(sc_af_missing(-EACCES));
	CU_ASSERT_FALSE(sc_af_missing(0));
}

static void test_standin(void)
{
	struct sc_sockaddr a = addr("[::1]:8091"), o;

	CU_ASSERT_EQUAL(sc_addr_ipv4_standin(&a, &o), 0);
	expect_text(&o, "127.0.0.1:8091");
	a = addr("[::]:5200");
	CU_ASSERT_EQUAL(sc_addr_ipv4_standin(&a, &o), 0);
	expect_text(&o, "0.0.0.0:5200");
	/* An address of its own has no stand-in, nor has IPv4. */
	a = addr("[2001:db8::1]:80");
	CU_ASSERT_EQUAL(sc_addr_ipv4_standin(&a, &o), -ENOENT);
	a = addr("[fe80::1%lo]:80");
	CU_ASSERT_EQUAL(sc_addr_ipv4_standin(&a, &o), -ENOENT);
	a = addr("127.0.0.1:80");
	CU_ASSERT_EQUAL(sc_addr_ipv4_standin(&a, &o), -ENOENT);
	memset(&a, 0, sizeof(a));
	CU_ASSERT_EQUAL(sc_addr_ipv4_standin(&a, &o), -ENOENT);
}

static void test_other_loopback(void)
{
	struct sc_sockaddr a = addr("[::1]:8091"), o;

	CU_ASSERT_EQUAL(sc_addr_other_loopback(&a, &o), 0);
	expect_text(&o, "127.0.0.1:8091");
	a = addr("127.0.0.1:8091");
	CU_ASSERT_EQUAL(sc_addr_other_loopback(&a, &o), 0);
	expect_text(&o, "[::1]:8091");
	a = addr("127.0.1.1:80");
	CU_ASSERT_EQUAL(sc_addr_other_loopback(&a, &o), 0);
	expect_text(&o, "[::1]:80");
	a = addr("[::ffff:127.0.0.1]:80");
	CU_ASSERT_EQUAL(sc_addr_other_loopback(&a, &o), 0);
	expect_text(&o, "[::1]:80");
	a = addr("[::]:8091");
	CU_ASSERT_EQUAL(sc_addr_other_loopback(&a, &o), -ENOENT);
	a = addr("192.0.2.1:8091");
	CU_ASSERT_EQUAL(sc_addr_other_loopback(&a, &o), -ENOENT);
}

/* A kernel without IPv6: both defaults take IPv4, and say so at info. */
static void test_pick_no_ipv6_kernel(void)
{
	struct sc_sockaddr a;

	CU_ASSERT_EQUAL(pick("[::1]:8091", probe_no_ipv6_kernel, &a), 1);
	expect_text(&a, "127.0.0.1:8091");
	CU_ASSERT_EQUAL(logged_level, LOG_INFO);
	CU_ASSERT_PTR_NOT_NULL(strstr(logged, "control API: 127.0.0.1:8091"));
	CU_ASSERT_PTR_NOT_NULL(strstr(logged, "default [::1]:8091"));
	CU_ASSERT_PTR_NOT_NULL(strstr(logged, strerror(EAFNOSUPPORT)));
	CU_ASSERT_EQUAL(pick("[::]:5200", probe_no_ipv6_kernel, &a), 1);
	expect_text(&a, "0.0.0.0:5200");
	CU_ASSERT_PTR_NOT_NULL(strstr(logged, "0.0.0.0:5200"));
}

/* IPv6 disabled by sysctl: loopback moves to IPv4, the wildcard stays
 * (it takes IPv4 as mapped addresses). */
static void test_pick_ipv6_disabled(void)
{
	struct sc_sockaddr a;

	CU_ASSERT_EQUAL(pick("[::1]:8091", probe_ipv6_disabled, &a), 1);
	expect_text(&a, "127.0.0.1:8091");
	CU_ASSERT_PTR_NOT_NULL(strstr(logged, strerror(EADDRNOTAVAIL)));
	CU_ASSERT_EQUAL(pick("[::]:8090", probe_ipv6_disabled, &a), 0);
	expect_text(&a, "[::]:8090");
	CU_ASSERT_EQUAL(logged_level, LOG_INFO);
	CU_ASSERT_STRING_EQUAL(logged, "control API: [::]:8090 (the default)");
}

/* Both families: the default as it is. An IPv6-only host's IPv4 defaults
 * (0.0.0.0) bind as well: a wildcard needs no address. */
static void test_pick_dual(void)
{
	struct sc_sockaddr a;

	CU_ASSERT_EQUAL(pick("[::1]:8091", probe_dual, &a), 0);
	expect_text(&a, "[::1]:8091");
	CU_ASSERT_STRING_EQUAL(logged, "control API: [::1]:8091 (the default)");
	CU_ASSERT_EQUAL(pick("0.0.0.0:8080", probe_dual, &a), 0);
	expect_text(&a, "0.0.0.0:8080");
}

/* What the operator wrote is never probed nor changed, on any host. */
static void test_pick_operator(void)
{
	struct sc_sockaddr a = addr("[::1]:8091");

	probes = 0;
	logged[0] = '\0';
	CU_ASSERT_EQUAL(sc_listen_pick(&a, false, SOCK_STREAM, probe_no_ipv6_kernel, &lg, "control API"), 0);
	expect_text(&a, "[::1]:8091");
	CU_ASSERT_EQUAL(probes, 0);
	CU_ASSERT_STRING_EQUAL(logged, "");
	/* Nor is an address that is off. */
	memset(&a, 0, sizeof(a));
	CU_ASSERT_EQUAL(sc_listen_pick(&a, true, SOCK_STREAM, probe_no_ipv6_kernel, &lg, "x"), 0);
	CU_ASSERT_EQUAL(a.len, 0);
	CU_ASSERT_EQUAL(probes, 0);
}

/* Failures that are not a missing family, or a stand-in that fails too,
 * leave the default: opening it then reports the trouble about it. */
static void test_pick_keeps_default(void)
{
	struct sc_sockaddr a;

	CU_ASSERT_EQUAL(pick("[::1]:8091", probe_denied, &a), 0);
	expect_text(&a, "[::1]:8091");
	CU_ASSERT_STRING_EQUAL(logged, "");
	probes = 0;
	CU_ASSERT_EQUAL(pick("[::1]:8091", probe_nothing, &a), 0);
	expect_text(&a, "[::1]:8091");
	CU_ASSERT_EQUAL(probes, 2);
	/* An address with no stand-in stays too. */
	CU_ASSERT_EQUAL(pick("[2001:db8::5]:8091", probe_nothing, &a), 0);
	expect_text(&a, "[2001:db8::5]:8091");
}

/* The real probe: IPv4 loopback binds everywhere. (Addresses the host
 * lacks are af_lab.sh's: a host may allow binding foreign addresses.) */
static void test_probe_host(void)
{
	struct sc_sockaddr a = addr("127.0.0.1:1");
	int fd;

	CU_ASSERT_EQUAL(sc_listen_probe(&a, SOCK_STREAM), 0);
	CU_ASSERT_EQUAL(sc_listen_probe(&a, SOCK_DGRAM), 0);
	/* The probe binds port 0: the daemon's port in use does not matter. */
	a = addr("127.0.0.1:0");
	fd = sc_tcp_listen(&a, 1);
	CU_ASSERT_FATAL(fd >= 0);
	sc_addr_set_port(&a, sc_sock_port(fd));
	CU_ASSERT_EQUAL(sc_listen_probe(&a, SOCK_STREAM), 0);
	close(fd);
}

/* The config getter: absent is the default (and says so), "" is none,
 * and what is written is kept. */
static void test_cfg_listen(void)
{
	static const char *text = "g: {\n  off = \"\";\n  mine = \"127.0.0.1:0\";\n  bad = \"[::1\";\n  num = 5;\n};\n";
	struct sc_cfg_err err = { "" };
	config_setting_t *g;
	struct sc_sockaddr a;
	sc_cfg *c = NULL;
	bool dflt = false;

	CU_ASSERT_EQUAL_FATAL(sc_cfg_load_string(text, "t.conf", &c, &err), 0);
	CU_ASSERT_EQUAL_FATAL(sc_cfg_get_section(sc_cfg_root(c), "g", CONFIG_TYPE_GROUP, &g, &err), 0);
	CU_ASSERT_EQUAL(sc_cfg_get_listen(g, "absent", "[::1]:8091", 8091, SOCK_STREAM, &a, &dflt, &err), 0);
	CU_ASSERT(dflt);
	expect_text(&a, "[::1]:8091");
	CU_ASSERT_EQUAL(sc_cfg_get_listen(g, "absent", "", 8091, SOCK_STREAM, &a, &dflt, &err), 0);
	CU_ASSERT(dflt);
	CU_ASSERT_EQUAL(a.len, 0);
	CU_ASSERT_EQUAL(sc_cfg_get_listen(g, "off", "[::1]:8091", 8091, SOCK_STREAM, &a, &dflt, &err), 0);
	CU_ASSERT_FALSE(dflt);
	CU_ASSERT_EQUAL(a.len, 0);
	CU_ASSERT_EQUAL(sc_cfg_get_listen(g, "mine", "[::]:1", 1, SOCK_DGRAM, &a, NULL, &err), 0);
	expect_text(&a, "127.0.0.1:0");
	CU_ASSERT_EQUAL(sc_cfg_get_listen(g, "bad", "[::]:1", 1, SOCK_DGRAM, &a, &dflt, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "t.conf:4: 'g.bad'"));
	CU_ASSERT_EQUAL(sc_cfg_get_listen(g, "num", "[::]:1", 1, SOCK_DGRAM, &a, &dflt, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "t.conf:5:"));
	sc_cfg_free(c);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "a missing family, by errno", test_missing_family },
		{ "IPv4 stand-ins of defaults", test_standin },
		{ "the other loopback", test_other_loopback },
		{ "default on a kernel without IPv6", test_pick_no_ipv6_kernel },
		{ "default with IPv6 disabled", test_pick_ipv6_disabled },
		{ "default on a dual-stack host", test_pick_dual },
		{ "the operator's address is kept", test_pick_operator },
		{ "other failures keep the default", test_pick_keeps_default },
		{ "the probe on this host", test_probe_host },
		{ "config: listen addresses", test_cfg_listen },
		{ NULL, NULL },
	};
	return tu_add_suite("sc_listen", tests);
}
