/* Unit tests of sc_addr: address and prefix parsing, formatting, ranges. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "sc_addr.h"
#include "tu.h"

/* Parse, check the family and port, format back and compare. */
static void roundtrip(const char *in, int family, uint16_t port, const char *out)
{
	struct sc_sockaddr a;
	char buf[SC_ADDR_STRLEN];

	CU_ASSERT_EQUAL_FATAL(sc_addr_parse(in, 9, &a), 0);
	CU_ASSERT_EQUAL(sc_addr_family(&a), family);
	CU_ASSERT_EQUAL(sc_addr_port(&a), port);
	CU_ASSERT_EQUAL(sc_addr_format(&a, true, buf, sizeof(buf)), 0);
	CU_ASSERT_STRING_EQUAL(buf, out);
}

static void test_parse_forms(void)
{
	roundtrip("[2001:db8::1]:5000", AF_INET6, 5000, "[2001:db8::1]:5000");
	roundtrip("[2001:db8::1]", AF_INET6, 9, "[2001:db8::1]:9");
	roundtrip("2001:db8::1", AF_INET6, 9, "[2001:db8::1]:9");
	roundtrip("::", AF_INET6, 9, "[::]:9");
	roundtrip("[ff3e::1234]:0", AF_INET6, 0, "[ff3e::1234]:0");
	roundtrip("192.0.2.1:65535", AF_INET, 65535, "192.0.2.1:65535");
	roundtrip("232.1.2.3", AF_INET, 9, "232.1.2.3:9");
	roundtrip("[fe80::1%lo]:5000", AF_INET6, 5000, "[fe80::1%lo]:5000");
}

static void test_parse_scope(void)
{
	struct sc_sockaddr a;
	unsigned lo;
	char buf[SC_ADDR_STRLEN];

	CU_ASSERT_EQUAL_FATAL(sc_if_index("lo", &lo), 0);
	snprintf(buf, sizeof(buf), "[fe80::1%%%u]:1", lo);
	CU_ASSERT_EQUAL(sc_addr_parse(buf, 0, &a), 0);
	CU_ASSERT_EQUAL(a.u.in6.sin6_scope_id, lo);
	CU_ASSERT_EQUAL(sc_addr_parse("[fe80::1%nosuchif0]:1", 0, &a), -ENODEV);
	CU_ASSERT_EQUAL(a.len, 0);
	CU_ASSERT_EQUAL(sc_addr_format(&a, true, buf, sizeof(buf)), -EINVAL);
}

static void test_parse_bad(void)
{
	static const char *const bad[] = {
		"", "[", "[]", "[2001:db8::1", "[2001:db8::1]x", "[2001:db8::1]:", "[2001:db8::1]:65536",
		"[2001:db8::1]:-1", "[2001:db8::1]:5x", "192.0.2.1:", "192.0.2.1:99999", "192.0.2.256",
		"[192.0.2.1]:5", "192.0.2.1%lo", "host.example:80", "2001:db8::1%", "[fe80::1%]:5",
		"[fe80::1%aaaaaaaaaaaaaaaaaaaaaaaa]:5", ":5", "1.2.3.4:5:6x", "[::1]:00000000001",
		"2001:db8:::1",
	};
	struct sc_sockaddr a;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = sc_addr_parse(bad[i], 1, &a);

		if (rc != -EINVAL && rc != -ENODEV)
			CU_FAIL(bad[i]);
		CU_ASSERT_EQUAL(a.len, 0);
	}
	CU_ASSERT_EQUAL(sc_addr_parse(NULL, 1, &a), -EINVAL);
}

static void test_format_small_buffer(void)
{
	struct sc_sockaddr a;
	char buf[8], fit[9];

	CU_ASSERT_EQUAL_FATAL(sc_addr_parse("[2001:db8::1]:5000", 0, &a), 0);
	CU_ASSERT_EQUAL(sc_addr_format(&a, true, buf, sizeof(buf)), -ENOSPC);
	CU_ASSERT_EQUAL(sc_addr_format(&a, false, buf, 4), -ENOSPC);
	CU_ASSERT_EQUAL(sc_addr_format(&a, false, buf, sizeof(buf)), -ENOSPC);
	/* Exactly enough room: the text and its NUL. */
	CU_ASSERT_EQUAL_FATAL(sc_addr_parse("10.0.0.1", 0, &a), 0);
	CU_ASSERT_EQUAL(sc_addr_format(&a, false, buf, sizeof(buf)), -ENOSPC);
	CU_ASSERT_EQUAL(sc_addr_format(&a, false, fit, sizeof(fit)), 0);
	CU_ASSERT_STRING_EQUAL(fit, "10.0.0.1");
}

static void test_ranges(void)
{
	static const struct {
		const char *a;
		bool mc, ssm;
	} cases[] = {
		{ "ff3e::8000:1", true, true },   { "ff35::1", true, true },
		{ "ff3e:30:2001:db8::1", true, false }, /* unicast-prefix-based, not SSM */
		{ "ff0e::1", true, false },       { "ff02::1", true, false },
		{ "2001:db8::1", false, false },  { "232.1.1.1", true, true },
		{ "239.1.1.1", true, false },     { "224.0.0.1", true, false },
		{ "10.0.0.1", false, false },     { "231.255.255.255", true, false },
	};
	struct sc_sockaddr a;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CU_ASSERT_EQUAL_FATAL(sc_addr_parse(cases[i].a, 0, &a), 0);
		CU_ASSERT_EQUAL(sc_addr_is_multicast(&a), cases[i].mc);
		CU_ASSERT_EQUAL(sc_addr_is_ssm(&a), cases[i].ssm);
	}
}

static void test_equal_and_from_sa(void)
{
	struct sc_sockaddr a, b, c;
	struct sockaddr_in6 raw;

	CU_ASSERT_EQUAL(sc_addr_parse("[2001:db8::1]:5", 0, &a), 0);
	CU_ASSERT_EQUAL(sc_addr_parse("2001:db8::1", 5, &b), 0);
	CU_ASSERT(sc_addr_equal(&a, &b));
	sc_addr_set_port(&b, 6);
	CU_ASSERT(!sc_addr_equal(&a, &b));
	memcpy(&raw, &a.u.in6, sizeof(raw));
	CU_ASSERT_EQUAL(sc_addr_from_sa((struct sockaddr *)&raw, sizeof(raw), &c), 0);
	CU_ASSERT(sc_addr_equal(&a, &c));
	CU_ASSERT_EQUAL(sc_addr_from_sa((struct sockaddr *)&raw, 8, &c), -EINVAL);
	raw.sin6_family = AF_UNIX;
	CU_ASSERT_EQUAL(sc_addr_from_sa((struct sockaddr *)&raw, sizeof(raw), &c), -EINVAL);
}

static void test_loopback(void)
{
	static const struct {
		const char *a;
		bool lo;
	} cases[] = {
		{ "[::1]:8091", true },         { "127.0.0.1:8091", true },  { "127.3.2.1", true },
		{ "[::ffff:127.0.0.1]", true }, { "[::]:8091", false },      { "0.0.0.0", false },
		{ "[2001:db8::1]", false },     { "10.0.0.1", false },       { "[::ffff:10.0.0.1]", false },
		{ "[fe80::1%1]", false },
	};
	struct sc_sockaddr a;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CU_ASSERT_EQUAL_FATAL(sc_addr_parse(cases[i].a, 0, &a), 0);
		if (sc_addr_is_loopback(&a) != cases[i].lo)
			CU_FAIL(cases[i].a);
	}
}

static void test_if_index(void)
{
	unsigned idx, idx2;
	char name[IF_NAMESIZE], num[16];

	CU_ASSERT_EQUAL_FATAL(sc_if_index("lo", &idx), 0);
	CU_ASSERT_EQUAL(sc_if_name(idx, name), 0);
	CU_ASSERT_STRING_EQUAL(name, "lo");
	snprintf(num, sizeof(num), "%u", idx);
	CU_ASSERT_EQUAL(sc_if_index(num, &idx2), 0);
	CU_ASSERT_EQUAL(idx, idx2);
	CU_ASSERT_EQUAL(sc_if_index("nosuchif0", &idx), -ENODEV);
	CU_ASSERT_EQUAL(sc_if_index("0", &idx), -ENODEV);
	CU_ASSERT_EQUAL(sc_if_index("", &idx), -EINVAL);
	CU_ASSERT_EQUAL(sc_if_index("abcdefghijklmnopq", &idx), -EINVAL);
	CU_ASSERT_EQUAL(sc_if_name(0x7fffffff, name), -ENODEV);
}

static void test_prefix(void)
{
	struct sc_prefix p;
	char buf[64];

	CU_ASSERT_EQUAL(sc_prefix_parse("2001:db8:1::/48", &p), 0);
	CU_ASSERT_EQUAL(p.family, AF_INET6);
	CU_ASSERT_EQUAL(p.len, 48);
	CU_ASSERT_EQUAL(sc_prefix_format(&p, buf, sizeof(buf)), 0);
	CU_ASSERT_STRING_EQUAL(buf, "2001:db8:1::/48");
	CU_ASSERT_EQUAL(sc_prefix_parse("10.1.0.0/16", &p), 0);
	CU_ASSERT_EQUAL(p.family, AF_INET);
	CU_ASSERT_EQUAL(sc_prefix_parse("10.1.2.3", &p), 0);
	CU_ASSERT_EQUAL(p.len, 32);
	CU_ASSERT_EQUAL(sc_prefix_parse("0.0.0.0/0", &p), 0);
	CU_ASSERT_EQUAL(sc_prefix_parse("::/0", &p), 0);
	CU_ASSERT_EQUAL(sc_prefix_parse("2001:db8:1::/129", &p), -EINVAL);
	CU_ASSERT_EQUAL(sc_prefix_parse("2001:db8:1::1/48", &p), -EINVAL); /* host bits */
	CU_ASSERT_EQUAL(sc_prefix_parse("10.1.0.0/15", &p), -EINVAL);
	CU_ASSERT_EQUAL(sc_prefix_parse("10.1.0.0/", &p), -EINVAL);
	CU_ASSERT_EQUAL(sc_prefix_parse("/8", &p), -EINVAL);
	CU_ASSERT_EQUAL(sc_prefix_parse("nonsense/8", &p), -EINVAL);
	CU_ASSERT_EQUAL(sc_prefix_parse("10.0.0.0/8/8", &p), -EINVAL);
}

static void test_longest_match(void)
{
	struct sc_prefix t[5];
	struct sc_sockaddr a;

	CU_ASSERT_EQUAL(sc_prefix_parse("2001:db8::/32", &t[0]), 0);
	CU_ASSERT_EQUAL(sc_prefix_parse("2001:db8:1::/48", &t[1]), 0);
	CU_ASSERT_EQUAL(sc_prefix_parse("2001:db8:1:8000::/49", &t[2]), 0);
	CU_ASSERT_EQUAL(sc_prefix_parse("10.0.0.0/8", &t[3]), 0);
	CU_ASSERT_EQUAL(sc_prefix_parse("10.2.0.0/16", &t[4]), 0);
	sc_addr_parse("2001:db8:1::5", 0, &a);
	CU_ASSERT_EQUAL(sc_prefix_longest_match(t, 5, &a), 1);
	sc_addr_parse("2001:db8:1:8001::5", 0, &a);
	CU_ASSERT_EQUAL(sc_prefix_longest_match(t, 5, &a), 2);
	sc_addr_parse("2001:db8:7::5", 0, &a);
	CU_ASSERT_EQUAL(sc_prefix_longest_match(t, 5, &a), 0);
	sc_addr_parse("2001:db9::5", 0, &a);
	CU_ASSERT_EQUAL(sc_prefix_longest_match(t, 5, &a), -1);
	sc_addr_parse("10.2.0.7", 0, &a);
	CU_ASSERT_EQUAL(sc_prefix_longest_match(t, 5, &a), 4);
	sc_addr_parse("::ffff:10.2.0.7", 0, &a);
	CU_ASSERT_EQUAL(sc_prefix_longest_match(t, 5, &a), 4);
	sc_addr_parse("11.0.0.1", 0, &a);
	CU_ASSERT_EQUAL(sc_prefix_longest_match(t, 5, &a), -1);
}

static void test_unmap(void)
{
	struct sc_sockaddr a, o;
	char buf[SC_ADDR_STRLEN];

	sc_addr_parse("[::ffff:192.0.2.9]:8090", 0, &a);
	sc_addr_unmap(&a, &o);
	CU_ASSERT_EQUAL(sc_addr_family(&o), AF_INET);
	sc_addr_format(&o, true, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "192.0.2.9:8090");
	sc_addr_unmap(&a, &a);
	CU_ASSERT(sc_addr_equal(&a, &o));
	sc_addr_parse("[2001:db8::9]:8090", 0, &a);
	sc_addr_unmap(&a, &o);
	CU_ASSERT(sc_addr_equal(&a, &o));
	sc_addr_parse("192.0.2.9:1", 0, &a);
	sc_addr_unmap(&a, &o);
	CU_ASSERT(sc_addr_equal(&a, &o));
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "parse and format forms", test_parse_forms },
		{ "scope ids", test_parse_scope },
		{ "malformed addresses", test_parse_bad },
		{ "format into a small buffer", test_format_small_buffer },
		{ "multicast and SSM ranges", test_ranges },
		{ "equality and kernel sockaddrs", test_equal_and_from_sa },
		{ "loopback addresses", test_loopback },
		{ "IPv4 mapped into IPv6", test_unmap },
		{ "interface names and indexes", test_if_index },
		{ "prefixes", test_prefix },
		{ "longest prefix match", test_longest_match },
		{ NULL, NULL },
	};
	return tu_add_suite("sc_addr", tests);
}
