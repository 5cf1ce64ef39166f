/* Unit tests of trk, the P2P tracker: nearest peers by prefix and by
 * reported RTT, random peers, the hosting-node threshold, and moves
 * between channels. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "trk.h"
#include "tu.h"

static struct trk_peer peers[6000];
static uint32_t rtt_a, rtt_b;
static int64_t rtt_val = -1;

static uint64_t t_rand(void *ctx)
{
	(void)ctx;
	return tu_rand();
}

static int64_t t_rtt(void *ctx, const struct trk_peer *a, const struct trk_peer *b)
{
	(void)ctx;
	if ((a->id == rtt_a && b->id == rtt_b) || (a->id == rtt_b && b->id == rtt_a))
		return rtt_val;
	return -1;
}

static trk *mk(unsigned near, unsigned random, unsigned direct)
{
	struct trk_params p;
	struct trk_ops ops = { NULL, t_rand, t_rtt };

	trk_params_default(&p);
	p.near = near;
	p.random = random;
	p.direct_max = direct;
	memset(peers, 0, sizeof(peers));
	rtt_a = rtt_b = 0;
	rtt_val = -1;
	return trk_new(&p, &ops);
}

/* metro M, site S, host H: 2001:db8:M:S::H and 10.M.S.H */
static void addr(struct trk_peer *p, uint32_t id, unsigned m, unsigned s, unsigned h)
{
	char a6[64];

	p->id = id;
	p->metro = m;
	snprintf(a6, sizeof(a6), "2001:db8:%x:%x::%x", m, s, h);
	CU_ASSERT_EQUAL(inet_pton(AF_INET6, a6, p->addr6), 1);
	p->addr4[0] = 10;
	p->addr4[1] = (uint8_t)m;
	p->addr4[2] = (uint8_t)s;
	p->addr4[3] = (uint8_t)h;
	p->has6 = p->has4 = 1;
}

static void test_distance_scale(void)
{
	struct trk_peer a = { 0 }, b = { 0 };

	addr(&a, 1, 1, 1, 1);
	addr(&b, 2, 1, 1, 2);
	CU_ASSERT_EQUAL(trk_distance_us(&a, &b), 500); /* same /64 */
	addr(&b, 2, 1, 0x80, 2);
	CU_ASSERT_EQUAL(trk_distance_us(&a, &b), 1000); /* same /56 */
	addr(&b, 2, 1, 0x8000, 2);
	CU_ASSERT_EQUAL(trk_distance_us(&a, &b), 2000); /* same /48 */
	addr(&b, 2, 2, 1, 2);
	b.metro = 7;
	CU_ASSERT_EQUAL(trk_distance_us(&a, &b), 5000); /* 2001:db8:1:: vs 2001:db8:2::, /46 */
	b.has6 = 0;
	CU_ASSERT_EQUAL(trk_distance_us(&a, &b), 10000); /* IPv4 10/8 */
	b.has4 = 0;
	CU_ASSERT_EQUAL(trk_distance_us(&a, &b), 50000);
	/* Same metro: at most 2 ms, whatever the addresses. */
	b.metro = 1;
	CU_ASSERT_EQUAL(trk_distance_us(&a, &b), 2000);
}

static void test_nearest_by_prefix(void)
{
	trk *t = mk(8, 3, 50);
	struct trk_answer ans;
	uint32_t id = 1;

	/* The asker in metro 3 site 1; 4 peers beside it, 6 in its metro,
	 * 40 in other metros. */
	addr(&peers[0], id++, 3, 1, 1);
	for (int i = 1; i <= 4; i++)
		addr(&peers[i], id++, 3, 1, 10 + (unsigned)i);
	for (int i = 5; i <= 10; i++)
		addr(&peers[i], id++, 3, 0x1000 + (unsigned)i, 1); /* same /48 */
	for (int i = 11; i <= 50; i++)
		addr(&peers[i], id++, 4 + (unsigned)i % 6, 1, (unsigned)i);
	for (int i = 50; i >= 0; i--)
		CU_ASSERT_EQUAL(trk_add(t, &peers[i], 9), 0);
	CU_ASSERT_EQUAL(trk_query(t, &peers[0], &ans), 0);
	CU_ASSERT_EQUAL(ans.nnear, 8);
	CU_ASSERT_EQUAL(ans.nrandom, 3);
	CU_ASSERT_EQUAL(ans.peers, 51);
	for (int i = 0; i < 4; i++) {
		CU_ASSERT_EQUAL(ans.near[i]->metro, 3);
		CU_ASSERT_EQUAL(ans.near_us[i], 500);
	}
	for (int i = 4; i < 8; i++)
		CU_ASSERT_EQUAL(ans.near_us[i], 2000);
	for (size_t i = 0; i < ans.nrandom; i++) {
		CU_ASSERT_PTR_NOT_EQUAL(ans.random[i], &peers[0]);
		for (size_t j = 0; j < ans.nnear; j++)
			CU_ASSERT_PTR_NOT_EQUAL(ans.random[i], ans.near[j]);
		for (size_t j = 0; j < i; j++)
			CU_ASSERT_PTR_NOT_EQUAL(ans.random[i], ans.random[j]);
	}
	trk_free(t);
}

static void test_rtt_wins(void)
{
	trk *t = mk(2, 0, 50);
	struct trk_answer ans;

	addr(&peers[0], 1, 1, 1, 1);
	addr(&peers[1], 2, 1, 1, 2);  /* same /64: 0.5 ms estimated */
	addr(&peers[2], 3, 5, 1, 1);  /* far away, but measured at 0.2 ms */
	addr(&peers[3], 4, 6, 1, 1);
	for (int i = 0; i < 4; i++)
		trk_add(t, &peers[i], 1);
	rtt_a = 1;
	rtt_b = 3;
	rtt_val = 200;
	trk_query(t, &peers[0], &ans);
	CU_ASSERT_EQUAL(ans.nnear, 2);
	CU_ASSERT_PTR_EQUAL(ans.near[0], &peers[2]);
	CU_ASSERT(ans.near_measured[0]);
	CU_ASSERT_EQUAL(ans.near_us[0], 200);
	CU_ASSERT_PTR_EQUAL(ans.near[1], &peers[1]);
	CU_ASSERT_FALSE(ans.near_measured[1]);
	trk_free(t);
}

static void test_small_channel(void)
{
	trk *t = mk(8, 3, 50);
	struct trk_answer ans;

	for (int i = 0; i < 5; i++) {
		addr(&peers[i], (uint32_t)i + 1, (unsigned)i + 1, 1, 1);
		trk_add(t, &peers[i], 2);
	}
	trk_query(t, &peers[0], &ans);
	/* Fewer peers than k + l: all of them, none twice. */
	CU_ASSERT_EQUAL(ans.nnear + ans.nrandom, 4);
	CU_ASSERT_EQUAL(ans.nrandom, 0);
	addr(&peers[10], 99, 1, 1, 1);
	CU_ASSERT_EQUAL(trk_query(t, &peers[10], &ans), -ENOENT);
	trk_free(t);
}

static void test_direct_threshold(void)
{
	trk *t = mk(8, 3, 3);
	struct trk_answer ans;

	for (int i = 0; i < 6; i++) {
		addr(&peers[i], (uint32_t)i + 1, 1, 1, (unsigned)i + 1);
		trk_add(t, &peers[i], 4);
	}
	for (int i = 0; i < 6; i++) {
		trk_query(t, &peers[i], &ans);
		CU_ASSERT_EQUAL(ans.direct, i < 3);
		CU_ASSERT_EQUAL(ans.direct_max, 3);
	}
	/* Asking again keeps the slot. */
	trk_query(t, &peers[1], &ans);
	CU_ASSERT(ans.direct);
	CU_ASSERT_EQUAL(ans.direct_used, 3);
	/* A direct peer leaves: the next to ask gets its slot. */
	trk_remove(t, &peers[0]);
	trk_query(t, &peers[5], &ans);
	CU_ASSERT(ans.direct);
	trk_query(t, &peers[4], &ans);
	CU_ASSERT_FALSE(ans.direct);
	/* A per-channel threshold overrides the default. */
	trk_set_direct_max(t, 4, 10);
	trk_query(t, &peers[4], &ans);
	CU_ASSERT(ans.direct);
	CU_ASSERT_EQUAL(ans.direct_max, 10);
	trk_free(t);
}

static void test_move_channel(void)
{
	trk *t = mk(8, 3, 1);
	struct trk_answer ans;

	addr(&peers[0], 1, 1, 1, 1);
	addr(&peers[1], 2, 1, 1, 2);
	trk_add(t, &peers[0], 1);
	trk_add(t, &peers[1], 1);
	trk_query(t, &peers[0], &ans);
	CU_ASSERT(ans.direct);
	CU_ASSERT_EQUAL(trk_add(t, &peers[0], 2), 0);
	CU_ASSERT_EQUAL(trk_channel_peers(t, 1), 1);
	CU_ASSERT_EQUAL(trk_channel_peers(t, 2), 1);
	/* The slot it held on channel 1 is free again. */
	trk_query(t, &peers[1], &ans);
	CU_ASSERT(ans.direct);
	trk_query(t, &peers[0], &ans);
	CU_ASSERT_EQUAL(ans.nnear, 0);
	CU_ASSERT_EQUAL(trk_add(t, &peers[0], 0), -EINVAL);
	trk_remove(t, &peers[0]);
	trk_remove(t, &peers[0]);
	CU_ASSERT_EQUAL(trk_channel_peers(t, 2), 0);
	trk_free(t);
	trk_free(NULL);
}

static void test_big_channel_sampled(void)
{
	trk *t = mk(8, 3, 50);
	struct trk_answer ans;
	const int n = 6000;

	/* More peers than scan_max (4096): the answer is still full, from the
	 * asker's own metro, and the random ones are distinct. */
	for (int i = 0; i < n; i++) {
		addr(&peers[i], (uint32_t)i + 1, (unsigned)(i % 10) + 1, (unsigned)i % 7, (unsigned)i);
		trk_add(t, &peers[i], 1);
	}
	for (int k = 0; k < 50; k++) {
		struct trk_peer *p = &peers[tu_rand_below((uint64_t)n)];

		trk_query(t, p, &ans);
		CU_ASSERT_EQUAL(ans.nnear, 8);
		CU_ASSERT_EQUAL(ans.nrandom, 3);
		for (size_t i = 0; i < ans.nnear; i++)
			CU_ASSERT(ans.near_us[i] <= 2000);
	}
	trk_free(t);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "distance scale", test_distance_scale },
		{ "nearest by prefix", test_nearest_by_prefix },
		{ "measured RTT wins", test_rtt_wins },
		{ "small channel", test_small_channel },
		{ "hosting-node threshold", test_direct_threshold },
		{ "channel change", test_move_channel },
		{ "big channel, sampled", test_big_channel_sampled },
		{ NULL, NULL },
	};

	return tu_add_suite("trk", tests);
}
