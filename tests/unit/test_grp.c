/* Unit tests of grp, the cross-metro grouping: diversity of joins, refill
 * after a leave, merges of small groups, a metro outage, channel changes,
 * rebuilds, NOC placement, restore, and a random walk that checks the
 * invariants after every step. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "grp.h"
#include "tu.h"

#define MAXM 20000

static struct grp_member mem[MAXM + 1];
static uint32_t next_gid, next_ver;
static unsigned nchanged, nremoved;
static uint32_t changed_ids[MAXM];

static void t_key(void *ctx, uint8_t key[GRP_KEY_LEN])
{
	(void)ctx;
	for (int i = 0; i < GRP_KEY_LEN; i++)
		key[i] = (uint8_t)tu_rand();
}

static uint32_t t_gid(void *ctx)
{
	(void)ctx;
	return ++next_gid;
}

static uint32_t t_ver(void *ctx)
{
	(void)ctx;
	return ++next_ver;
}

static void t_changed(void *ctx, const struct grp_group *gr)
{
	(void)ctx;
	if (nchanged < MAXM)
		changed_ids[nchanged] = grp_group_id(gr);
	nchanged++;
}

static void t_removed(void *ctx, uint32_t id, uint32_t channel)
{
	(void)ctx;
	(void)id;
	(void)channel;
	nremoved++;
}

static grp *mk(unsigned size)
{
	struct grp_params p;
	struct grp_ops ops = { NULL, t_key, t_gid, t_ver, t_changed, t_removed };

	grp_params_default(&p);
	p.size = size;
	p.min_size = size > 3 ? 3 : 2;
	memset(mem, 0, sizeof(mem));
	for (uint32_t i = 0; i <= MAXM; i++)
		mem[i].id = i + 1;
	next_gid = next_ver = 0;
	nchanged = nremoved = 0;
	return grp_new(&p, &ops);
}

/* Every grouped member is where its group says, sizes are in range, and
 * the counters agree with a recount. */
struct check {
	const grp *g;
	size_t members;
};

static int check_cb(void *ctx, const struct grp_group *gr)
{
	struct check *ck = ctx;
	unsigned n = grp_group_size(gr);

	CU_ASSERT(n >= 1 && n <= GRP_MAX_SIZE);
	for (unsigned i = 0; i < n; i++) {
		const struct grp_member *m = grp_group_member(gr, i);

		CU_ASSERT_PTR_EQUAL(grp_of(m), gr);
		CU_ASSERT_EQUAL(grp_member_channel(m), grp_group_channel(gr));
	}
	CU_ASSERT_PTR_EQUAL(grp_find(ck->g, grp_group_id(gr)), gr);
	ck->members += n;
	return 0;
}

static void check_invariants(grp *g, size_t nmem)
{
	struct check ck = { g, 0 };
	size_t grouped = 0;
	struct grp_stats st;

	grp_foreach(g, 0, check_cb, &ck);
	for (size_t i = 0; i < nmem; i++)
		grouped += grp_of(&mem[i]) != NULL;
	grp_stats(g, 0, &st);
	CU_ASSERT_EQUAL(ck.members, grouped);
	CU_ASSERT_EQUAL(st.members, grouped);
}

static double distinct_share(grp *g, uint32_t channel)
{
	struct grp_stats st;

	grp_stats(g, channel, &st);
	return st.groups ? (double)st.distinct / (double)st.groups : 1.0;
}

static void test_first_groups(void)
{
	grp *g = mk(5);
	const struct grp_group *a, *b;
	uint8_t key[GRP_KEY_LEN];
	uint32_t v;

	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	for (int i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(grp_join(g, &mem[i], 7, (uint32_t)i + 1), 0);
	a = grp_of(&mem[0]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(grp_group_size(a), 5);
	CU_ASSERT(grp_group_distinct(a));
	CU_ASSERT_EQUAL(nchanged, 5); /* one callback per call */
	v = grp_group_version(a);
	memcpy(key, grp_group_key(a), sizeof(key));
	/* The sixth opens a second group: the first is full. */
	CU_ASSERT_EQUAL(grp_join(g, &mem[5], 7, 1), 0);
	b = grp_of(&mem[5]);
	CU_ASSERT_PTR_NOT_EQUAL(a, b);
	CU_ASSERT_EQUAL(grp_group_version(a), v);
	CU_ASSERT(grp_group_version(b) > v);
	/* A join keeps the key: the newcomer gets the current one. */
	CU_ASSERT_EQUAL(grp_join(g, &mem[6], 7, 2), 0);
	CU_ASSERT_PTR_EQUAL(grp_of(&mem[6]), b);
	check_invariants(g, 7);
	grp_free(g);
}

static void test_diversity_uniform(void)
{
	grp *g = mk(5);
	struct grp_stats st;
	const size_t n = 10000;

	for (size_t i = 0; i < n; i++)
		CU_ASSERT_EQUAL(grp_join(g, &mem[i], 1, (uint32_t)tu_rand_below(10) + 1), 0);
	grp_stats(g, 1, &st);
	CU_ASSERT(distinct_share(g, 1) >= 0.99);
	/* Nearly everybody is in a full group. */
	CU_ASSERT(st.size_hist[5] * 5 >= n - 16 * 5);
	CU_ASSERT(st.groups <= n / 5 + 16);
	check_invariants(g, n);
	grp_free(g);
}

static void test_refill_after_leave(void)
{
	grp *g = mk(5);
	const struct grp_group *a;
	uint8_t key[GRP_KEY_LEN];
	uint32_t v;

	for (int i = 0; i < 5; i++)
		grp_join(g, &mem[i], 1, (uint32_t)i + 1);
	grp_join(g, &mem[5], 1, 1); /* a second, open group */
	a = grp_of(&mem[0]);
	v = grp_group_version(a);
	memcpy(key, grp_group_key(a), sizeof(key));
	grp_leave(g, &mem[2]); /* metro 3 leaves */
	CU_ASSERT_PTR_NULL(grp_of(&mem[2]));
	CU_ASSERT_EQUAL(grp_group_size(a), 4);
	CU_ASSERT(grp_group_version(a) > v);
	CU_ASSERT(memcmp(key, grp_group_key(a), sizeof(key)) != 0); /* departed box loses the key */
	/* A newcomer of metro 3 fills the hole (the fullest group lacking it). */
	grp_join(g, &mem[6], 1, 3);
	CU_ASSERT_PTR_EQUAL(grp_of(&mem[6]), a);
	CU_ASSERT(grp_group_distinct(a));
	/* Metro 2 is in a already: it goes to the other group. */
	grp_join(g, &mem[7], 1, 2);
	CU_ASSERT_PTR_NOT_EQUAL(grp_of(&mem[7]), a);
	check_invariants(g, 8);
	grp_free(g);
}

static void test_merge_small_groups(void)
{
	grp *g = mk(5);
	const struct grp_group *a, *b;

	/* a = {1,2,3,4,5}, b = {1,2}: b is below min_size 3 after a leave. */
	for (int i = 0; i < 5; i++)
		grp_join(g, &mem[i], 1, (uint32_t)i + 1);
	grp_join(g, &mem[5], 1, 1);
	grp_join(g, &mem[6], 1, 2);
	grp_join(g, &mem[7], 1, 6);
	b = grp_of(&mem[5]);
	CU_ASSERT_EQUAL(grp_group_size(b), 3);
	/* a loses metros 1 and 2; b then loses metro 6 and is under min: its
	 * members (metros 1, 2) move into a, which lacks both. */
	a = grp_of(&mem[0]);
	grp_leave(g, &mem[0]);
	grp_leave(g, &mem[1]);
	nremoved = 0;
	grp_leave(g, &mem[7]);
	CU_ASSERT_EQUAL(nremoved, 1);
	CU_ASSERT_PTR_EQUAL(grp_of(&mem[5]), a);
	CU_ASSERT_PTR_EQUAL(grp_of(&mem[6]), a);
	CU_ASSERT_EQUAL(grp_group_size(a), 5);
	CU_ASSERT(grp_group_distinct(a));
	check_invariants(g, 8);
	grp_free(g);
}

static void test_merge_impossible_keeps_group(void)
{
	grp *g = mk(5);
	const struct grp_group *b;

	for (int i = 0; i < 5; i++)
		grp_join(g, &mem[i], 1, (uint32_t)i + 1);
	grp_join(g, &mem[5], 1, 1);
	grp_join(g, &mem[6], 1, 2);
	grp_join(g, &mem[7], 1, 3);
	b = grp_of(&mem[5]);
	nremoved = 0;
	grp_leave(g, &mem[7]); /* b = {1,2}; the only other group is full */
	CU_ASSERT_EQUAL(nremoved, 0);
	CU_ASSERT_PTR_EQUAL(grp_of(&mem[5]), b);
	CU_ASSERT_EQUAL(grp_group_size(b), 2);
	check_invariants(g, 8);
	grp_free(g);
}

static void test_metro_outage(void)
{
	grp *g = mk(5);
	struct grp_member *gone[1000];
	size_t ngone = 0, n = 1000;
	const struct grp_group *gr;

	for (size_t i = 0; i < n; i++)
		grp_join(g, &mem[i], 1 + (uint32_t)(i % 3), (uint32_t)(i % 10) + 1);
	for (size_t i = 0; i < n; i++)
		if (mem[i].metro == 4)
			gone[ngone++] = &mem[i];
	nchanged = 0;
	grp_leave_many(g, gone, ngone);
	for (size_t i = 0; i < ngone; i++)
		CU_ASSERT_PTR_NULL(grp_of(gone[i]));
	/* No group keeps a member of the silent metro, and every changed group
	 * got exactly one new version. */
	for (size_t i = 0; i < n; i++) {
		gr = grp_of(&mem[i]);
		if (!gr)
			continue;
		for (unsigned k = 0; k < grp_group_size(gr); k++)
			CU_ASSERT_NOT_EQUAL(grp_group_member(gr, k)->metro, 4);
	}
	for (unsigned i = 0; i < nchanged && i < MAXM; i++)
		for (unsigned j = 0; j < i; j++)
			if (changed_ids[i] == changed_ids[j]) {
				CU_FAIL("a group changed twice in one call");
				i = nchanged;
				break;
			}
	CU_ASSERT(nchanged >= ngone / 2);
	CU_ASSERT(distinct_share(g, 0) >= 0.99);
	check_invariants(g, n);
	grp_free(g);
}

static void test_channel_change(void)
{
	grp *g = mk(5);

	for (int i = 0; i < 5; i++)
		grp_join(g, &mem[i], 1, (uint32_t)i + 1);
	CU_ASSERT_EQUAL(grp_join(g, &mem[0], 2, 1), 0);
	CU_ASSERT_EQUAL(grp_group_channel(grp_of(&mem[0])), 2);
	CU_ASSERT_EQUAL(grp_group_size(grp_of(&mem[1])), 4);
	CU_ASSERT_EQUAL(grp_group_size(grp_of(&mem[0])), 1);
	/* Re-joining the same channel changes nothing. */
	nchanged = 0;
	CU_ASSERT_EQUAL(grp_join(g, &mem[0], 2, 1), 0);
	CU_ASSERT_EQUAL(nchanged, 0);
	CU_ASSERT_EQUAL(grp_join(g, &mem[0], 0, 1), -EINVAL);
	check_invariants(g, 5);
	grp_free(g);
}

static void test_dominant_metro(void)
{
	grp *g = mk(5);
	struct grp_stats st;
	const size_t n = 2000;

	/* Six in ten from metro 1: repeats are unavoidable, singletons not. */
	for (size_t i = 0; i < n; i++) {
		uint32_t metro = tu_rand_below(10) < 6 ? 1 : 2 + (uint32_t)tu_rand_below(9);

		grp_join(g, &mem[i], 1, metro);
	}
	grp_stats(g, 1, &st);
	CU_ASSERT(st.groups <= n / 5 + 16);
	CU_ASSERT(st.size_hist[1] <= 16);
	check_invariants(g, n);
	grp_free(g);
}

static void test_few_metros(void)
{
	grp *g = mk(5);
	struct grp_stats st;

	/* Three metros, groups of five: metros must repeat, groups still fill. */
	for (size_t i = 0; i < 300; i++)
		grp_join(g, &mem[i], 1, (uint32_t)(i % 3) + 1);
	grp_stats(g, 1, &st);
	CU_ASSERT(st.groups <= 300 / 5 + 16);
	check_invariants(g, 300);
	grp_free(g);
}

static void test_rebuild(void)
{
	grp *g = mk(5);
	struct grp_stats st;
	const size_t n = 997;
	int rc;

	for (size_t i = 0; i < n; i++)
		grp_join(g, &mem[i], 1, (uint32_t)tu_rand_below(10) + 1);
	/* Churn: a third leaves, others zap in and out. */
	for (size_t i = 0; i < n; i += 3)
		grp_leave(g, &mem[i]);
	for (size_t i = 1; i < n; i += 7)
		grp_join(g, &mem[i], 2, mem[i].metro);
	grp_stats(g, 1, &st);
	rc = grp_rebuild(g, 1);
	CU_ASSERT_EQUAL(rc, (int)((st.members + 4) / 5));
	grp_stats(g, 1, &st);
	CU_ASSERT_EQUAL(st.groups, (size_t)rc);
	/* Every metro has fewer members than there are groups: all distinct,
	 * sizes within one of each other. */
	CU_ASSERT_EQUAL(st.distinct, st.groups);
	for (unsigned s = 1; s < 4; s++)
		CU_ASSERT_EQUAL(st.size_hist[s], 0);
	CU_ASSERT_EQUAL(grp_rebuild(g, 99), 0);
	check_invariants(g, n);
	grp_free(g);
}

static void test_set_metro(void)
{
	grp *g = mk(5);
	const struct grp_group *a;
	uint32_t v;

	for (int i = 0; i < 5; i++)
		grp_join(g, &mem[i], 1, (uint32_t)i + 1);
	a = grp_of(&mem[0]);
	v = grp_group_version(a);
	/* To a metro nobody else in the group has: stays, new version. */
	CU_ASSERT_EQUAL(grp_set_metro(g, &mem[0], 9), 0);
	CU_ASSERT_PTR_EQUAL(grp_of(&mem[0]), a);
	CU_ASSERT(grp_group_version(a) > v);
	CU_ASSERT(grp_group_distinct(a));
	/* To metro 2, which mem[1] has: it moves out. */
	CU_ASSERT_EQUAL(grp_set_metro(g, &mem[0], 2), 0);
	CU_ASSERT_PTR_NOT_EQUAL(grp_of(&mem[0]), a);
	CU_ASSERT_EQUAL(mem[0].metro, 2);
	check_invariants(g, 5);
	grp_free(g);
}

static void test_place(void)
{
	grp *g = mk(5);
	const struct grp_group *a, *b;

	for (int i = 0; i < 5; i++)
		grp_join(g, &mem[i], 1, (uint32_t)i + 1);
	for (int i = 5; i < 8; i++)
		grp_join(g, &mem[i], 1, (uint32_t)i + 1);
	grp_join(g, &mem[8], 2, 1);
	a = grp_of(&mem[0]);
	b = grp_of(&mem[5]);
	CU_ASSERT_EQUAL(grp_place(g, &mem[5], grp_group_id(a)), 0);
	CU_ASSERT_PTR_EQUAL(grp_of(&mem[5]), a);
	CU_ASSERT_EQUAL(grp_group_size(a), 6); /* over target: the NOC asked */
	CU_ASSERT_EQUAL(grp_place(g, &mem[8], grp_group_id(a)), -EXDEV);
	CU_ASSERT_EQUAL(grp_place(g, &mem[6], 12345), -ENOENT);
	CU_ASSERT_EQUAL(grp_place(g, &mem[9], grp_group_id(a)), -EXDEV);
	(void)b;
	grp_place(g, &mem[6], grp_group_id(a));
	CU_ASSERT_EQUAL(grp_place(g, &mem[7], grp_group_id(a)), 0);
	CU_ASSERT_EQUAL(grp_group_size(a), 8);
	grp_join(g, &mem[10], 1, 1);
	CU_ASSERT_EQUAL(grp_place(g, &mem[10], grp_group_id(a)), -ENOSPC);
	check_invariants(g, 11);
	grp_free(g);
}

static void test_restore(void)
{
	grp *g = mk(5);
	struct grp_member *ms[3] = { &mem[0], &mem[1], &mem[2] };
	uint32_t metros[3] = { 1, 2, 3 };
	uint8_t key[GRP_KEY_LEN];
	const struct grp_group *a;

	memset(key, 0xab, sizeof(key));
	CU_ASSERT_EQUAL(grp_restore(g, 40, 3, 900, key, ms, 3, metros), 0);
	CU_ASSERT_EQUAL(nchanged, 0);
	a = grp_find(g, 40);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(grp_group_version(a), 900);
	CU_ASSERT_EQUAL(memcmp(grp_group_key(a), key, sizeof(key)), 0);
	CU_ASSERT_EQUAL(mem[1].metro, 2);
	CU_ASSERT_EQUAL(grp_restore(g, 40, 3, 1, key, &ms[0], 1, metros), -EEXIST);
	CU_ASSERT_EQUAL(grp_restore(g, 41, 3, 1, key, &ms[0], 1, metros), -EINVAL);
	/* A restored group takes joins like any other. */
	next_ver = 1000;
	grp_join(g, &mem[3], 3, 4);
	CU_ASSERT_PTR_EQUAL(grp_of(&mem[3]), a);
	CU_ASSERT_EQUAL(grp_group_version(a), 1001);
	check_invariants(g, 4);
	grp_free(g);
}

static void test_params(void)
{
	struct grp_params p;

	grp_params_default(&p);
	CU_ASSERT_EQUAL(grp_params_check(&p), 0);
	p.size = 2;
	CU_ASSERT_EQUAL(grp_params_check(&p), -EINVAL);
	p.size = 9;
	CU_ASSERT_EQUAL(grp_params_check(&p), -EINVAL);
	p.size = 8;
	p.min_size = 9;
	CU_ASSERT_EQUAL(grp_params_check(&p), -EINVAL);
	grp_free(NULL);
}

/* Random joins, zaps, leaves, metro moves and outages over three
 * channels, checking the invariants as it goes. */
static void test_random_walk(void)
{
	grp *g = mk(3 + (unsigned)tu_rand_below(6));
	const size_t n = 3000;
	struct grp_member *batch[64];

	for (int step = 0; step < 30000; step++) {
		struct grp_member *m = &mem[tu_rand_below(n)];
		unsigned op = (unsigned)tu_rand_below(100);

		if (op < 60) {
			CU_ASSERT_EQUAL(grp_join(g, m, 1 + (uint32_t)tu_rand_below(3),
						 (uint32_t)tu_rand_below(10) + 1), 0);
		} else if (op < 90) {
			grp_leave(g, m);
		} else if (op < 97) {
			grp_set_metro(g, m, (uint32_t)tu_rand_below(10) + 1);
		} else if (op < 99) {
			size_t k = 0;
			uint32_t metro = (uint32_t)tu_rand_below(10) + 1;

			for (size_t i = 0; i < n && k < 64; i++)
				if (grp_of(&mem[i]) && mem[i].metro == metro)
					batch[k++] = &mem[i];
			grp_leave_many(g, batch, k);
		} else {
			grp_rebuild(g, 1 + (uint32_t)tu_rand_below(3));
		}
		if (step % 5000 == 0)
			check_invariants(g, n);
	}
	check_invariants(g, n);
	grp_free(g);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "first groups", test_first_groups },
		{ "diversity, 10 metros", test_diversity_uniform },
		{ "refill after a leave", test_refill_after_leave },
		{ "merge of small groups", test_merge_small_groups },
		{ "merge impossible", test_merge_impossible_keeps_group },
		{ "metro outage", test_metro_outage },
		{ "channel change", test_channel_change },
		{ "dominant metro", test_dominant_metro },
		{ "fewer metros than size", test_few_metros },
		{ "rebuild", test_rebuild },
		{ "metro change", test_set_metro },
		{ "NOC placement", test_place },
		{ "restore", test_restore },
		{ "parameters", test_params },
		{ "random walk", test_random_walk },
		{ NULL, NULL },
	};

	return tu_add_suite("grp", tests);
}
