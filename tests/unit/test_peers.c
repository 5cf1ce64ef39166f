/* Unit tests of peers: handles for UDP peers. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "peers.h"
#include "tu.h"

static struct sc_sockaddr addr(const char *text)
{
	struct sc_sockaddr a;

	CU_ASSERT_EQUAL_FATAL(sc_addr_parse(text, 5100, &a), 0);
	return a;
}

static void test_intern(void)
{
	peers *p = peers_new(8);
	struct sc_sockaddr a = addr("[2001:db8::1]:5100"), b = addr("10.0.0.1:5100");
	uint64_t ha = peers_intern(p, &a, false), hb = peers_intern(p, &b, true);

	CU_ASSERT(ha != 0 && hb != 0 && ha != hb);
	CU_ASSERT_EQUAL(peers_intern(p, &a, false), ha);
	CU_ASSERT(sc_addr_equal(peers_get(p, ha), &a));
	CU_ASSERT_PTR_NULL(peers_get(p, 0));
	CU_ASSERT_PTR_NULL(peers_get(p, 999));
	peers_free(p);
}

static void test_mapped(void)
{
	peers *p = peers_new(8);
	struct sc_sockaddr v4 = addr("10.0.0.1:5100"), mapped = addr("[::ffff:10.0.0.1]:5100"), back;

	CU_ASSERT_EQUAL(peers_intern(p, &v4, false), peers_intern(p, &mapped, false));
	peers_to_v6(&v4, &back);
	CU_ASSERT_EQUAL(back.u.sa.sa_family, AF_INET6);
	CU_ASSERT(sc_addr_equal(&back, &mapped));
	peers_free(p);
}

static void test_eviction(void)
{
	peers *p = peers_new(8);
	uint64_t h[20];
	char text[64];
	struct sc_sockaddr a;

	snprintf(text, sizeof(text), "[2001:db8::1]:5100");
	a = addr(text);
	h[0] = peers_intern(p, &a, true); /* pinned: survives */
	for (int i = 1; i < 20; i++) {
		snprintf(text, sizeof(text), "[2001:db8::%x]:5100", i + 1);
		a = addr(text);
		h[i] = peers_intern(p, &a, false);
		CU_ASSERT(h[i] != 0);
	}
	CU_ASSERT_PTR_NOT_NULL(peers_get(p, h[0]));
	CU_ASSERT_PTR_NULL(peers_get(p, h[1])); /* evicted: the stale handle finds nothing */
	CU_ASSERT_PTR_NOT_NULL(peers_get(p, h[19]));
	peers_unpin_all(p);
	for (int i = 0; i < 8; i++) {
		snprintf(text, sizeof(text), "[2001:db8::1:%x]:5100", i);
		a = addr(text);
		peers_intern(p, &a, true);
	}
	CU_ASSERT_PTR_NULL(peers_get(p, h[0]));
	a = addr("[2001:db8::ffff]:1");
	CU_ASSERT_EQUAL(peers_intern(p, &a, false), 0); /* all pinned */
	peers_free(p);
}

/* Datagrams from 1000 made-up sources (none authenticates) take the
 * untrusted slots only: the peers from the server's lists and those whose
 * datagrams were used stay, with their handles. */
static void test_untrusted_flood(void)
{
	peers *p = peers_new(8);
	struct sc_sockaddr a = addr("[2001:db8::1]:5100"), b = addr("[2001:db8::2]:5100"), c;
	uint64_t ha = peers_intern(p, &a, false), hb, hc;
	char text[64];

	hb = peers_intern_src(p, &b);
	CU_ASSERT(hb != 0);
	peers_trust(p, hb); /* its datagram authenticated */
	for (int i = 0; i < 1000; i++) {
		snprintf(text, sizeof(text), "[2001:db8:f::%x]:5100", i + 1);
		c = addr(text);
		hc = peers_intern_src(p, &c);
		CU_ASSERT(hc != 0 && hc != ha && hc != hb);
	}
	CU_ASSERT(sc_addr_equal(peers_get(p, ha), &a));
	CU_ASSERT(sc_addr_equal(peers_get(p, hb), &b));
	/* a table full of trusted entries takes no untrusted newcomer */
	for (int i = 0; i < 8; i++) {
		snprintf(text, sizeof(text), "[2001:db8:e::%x]:5100", i + 1);
		c = addr(text);
		peers_intern(p, &c, true);
	}
	c = addr("[2001:db8:f::ffff]:5100");
	CU_ASSERT_EQUAL(peers_intern_src(p, &c), 0);
	peers_free(p);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "intern", test_intern }, { "mapped", test_mapped }, { "eviction", test_eviction },
		{ "a flood of made-up sources keeps the trusted", test_untrusted_flood }, { NULL, NULL },
	};
	return tu_add_suite("peers", tests);
}
