/* Unit tests of rtx_requester: reorder hold, the `all` and `ranked`
 * policies, MISSING answers, escalation to RET, deadlines, regroups,
 * aggregation, and the rule that nobody is asked twice within its
 * retransmission timeout. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "rtx_requester.h"
#include "tu.h"

#define MS 1000000ULL
#define NMEM 4

struct ask {
	int target;
	uint64_t ext;
	uint64_t at;
};

struct log {
	struct ask a[20000];
	size_t n;
	size_t emits;
	uint64_t now;
	int sorted_ok;
};

static void emit(void *ctx, int target, const uint64_t *exts, size_t n)
{
	struct log *l = ctx;
	size_t i;

	l->emits++;
	for (i = 0; i < n; i++) {
		if (i && exts[i] <= exts[i - 1])
			l->sorted_ok = 0;
		if (l->n < 20000)
			l->a[l->n++] = (struct ask){ target, exts[i], l->now };
	}
}

struct fix {
	struct rtx_requester rq;
	struct rtx_groups grp;
	struct log log;
};

static void setup(struct fix *f, enum rtx_policy policy, bool ret)
{
	static const struct rtx_member ret_srv[] = { { RTX_EDGE_ID_FLAG | 1, 100 } };
	struct rtx_req_cfg c = {
		.policy = policy, .hold_ns = 5 * MS, .hold_pkts = 3,
		.rtt_init_ns = 20 * MS, .rto_min_ns = 5 * MS, .rto_max_ns = 500 * MS,
		.ret_after_rounds = 1, .ret_lead_ns = 50 * MS, .max_gaps = 256,
	};
	struct rtx_member m[NMEM + 1];
	struct rtx_group g = { .id = 1, .version = 1, .members = m, .n_members = NMEM + 1 };
	struct rtx_ret r = { .domain_id = 7, .servers = ret_srv, .n_servers = 1 };
	int i;

	memset(f, 0, sizeof(*f));
	f->log.sorted_ok = 1;
	CU_ASSERT_EQUAL_FATAL(rtx_req_init(&f->rq, &c), 0);
	rtx_groups_init(&f->grp, 99);
	for (i = 0; i <= NMEM; i++)
		m[i] = (struct rtx_member){ (uint32_t)(i == NMEM ? 99 : 11 + i), (uint64_t)i };
	CU_ASSERT_EQUAL_FATAL(rtx_groups_set(&f->grp, &g, 0, 0), 1);
	CU_ASSERT_EQUAL(f->grp.n, NMEM); /* ourselves skipped */
	if (ret)
		rtx_groups_set_ret(&f->grp, &r);
}

static void run_at(struct fix *f, uint64_t t)
{
	f->log.now = t;
	rtx_req_run(&f->rq, &f->grp, t, emit, &f->log);
}

static size_t asks_of(const struct fix *f, int target, uint64_t ext)
{
	size_t i, n = 0;

	for (i = 0; i < f->log.n; i++)
		if (f->log.a[i].ext == ext && (target == 1000 || f->log.a[i].target == target))
			n++;
	return n;
}

static void test_hold_by_time(void)
{
	struct fix f;
	uint64_t dropped;

	setup(&f, RTX_POLICY_ALL, false);
	CU_ASSERT_EQUAL(rtx_req_next(&f.rq), UINT64_MAX);
	CU_ASSERT_EQUAL(rtx_req_add(&f.rq, 100, 101, 0, 300 * MS, &dropped), 0);
	CU_ASSERT_EQUAL(rtx_req_add(&f.rq, 100, 101, 0, 300 * MS, &dropped), -EEXIST);
	CU_ASSERT_EQUAL(rtx_req_next(&f.rq), 5 * MS);
	run_at(&f, 4 * MS);
	CU_ASSERT_EQUAL(f.log.n, 0);
	run_at(&f, 5 * MS);
	CU_ASSERT_EQUAL(f.log.n, NMEM);
	rtx_req_free(&f.rq);
}

static void test_hold_by_packets(void)
{
	struct fix f;
	uint64_t dropped;

	setup(&f, RTX_POLICY_ALL, false);
	rtx_req_add(&f.rq, 100, 101, 0, 300 * MS, &dropped);
	rtx_req_highest(&f.rq, 103, 1 * MS);
	CU_ASSERT_EQUAL(rtx_req_next(&f.rq), 5 * MS);
	rtx_req_highest(&f.rq, 104, 2 * MS);
	CU_ASSERT_EQUAL(rtx_req_next(&f.rq), 2 * MS);
	run_at(&f, 2 * MS);
	CU_ASSERT_EQUAL(f.log.n, NMEM);
	rtx_req_free(&f.rq);
}

static void test_all_rounds(void)
{
	struct fix f;
	uint64_t dropped;
	int i;

	setup(&f, RTX_POLICY_ALL, false);
	rtx_req_add(&f.rq, 100, 101, 0, 300 * MS, &dropped);
	run_at(&f, 5 * MS);
	for (i = 0; i < NMEM; i++)
		CU_ASSERT_EQUAL(asks_of(&f, i, 100), 1);
	/* no sample yet: timeout 2 x 20 ms */
	CU_ASSERT_EQUAL(rtx_req_next(&f.rq), 45 * MS);
	run_at(&f, 44 * MS);
	CU_ASSERT_EQUAL(f.log.n, NMEM);
	run_at(&f, 45 * MS);
	CU_ASSERT_EQUAL(f.log.n, 2 * NMEM);
	/* repaired: nothing more */
	CU_ASSERT_EQUAL(rtx_req_resolve(&f.rq, 100, NULL), 0);
	CU_ASSERT_EQUAL(rtx_req_resolve(&f.rq, 100, NULL), -ENOENT);
	run_at(&f, 200 * MS);
	CU_ASSERT_EQUAL(f.log.n, 2 * NMEM);
	CU_ASSERT_EQUAL(rtx_req_next(&f.rq), UINT64_MAX);
	rtx_req_free(&f.rq);
}

static void test_ranked_one_at_a_time(void)
{
	struct fix f;
	uint64_t dropped;
	int first, second;

	setup(&f, RTX_POLICY_RANKED, false);
	rtx_req_add(&f.rq, 500, 501, 0, 300 * MS, &dropped);
	run_at(&f, 5 * MS);
	CU_ASSERT_EQUAL_FATAL(f.log.n, 1);
	first = f.log.a[0].target;
	run_at(&f, 44 * MS);
	CU_ASSERT_EQUAL(f.log.n, 1);
	run_at(&f, 45 * MS);
	CU_ASSERT_EQUAL_FATAL(f.log.n, 2);
	second = f.log.a[1].target;
	CU_ASSERT_NOT_EQUAL(first, second);
	/* the second lacks it: the third at once */
	rtx_req_missing(&f.rq, 500, second, 50 * MS);
	CU_ASSERT_EQUAL(rtx_req_next(&f.rq), 50 * MS);
	run_at(&f, 50 * MS);
	CU_ASSERT_EQUAL_FATAL(f.log.n, 3);
	CU_ASSERT(f.log.a[2].target != first && f.log.a[2].target != second);
	/* a MISSING from someone else does not hurry anything */
	rtx_req_missing(&f.rq, 500, first, 51 * MS);
	CU_ASSERT_EQUAL(rtx_req_next(&f.rq), 90 * MS);
	rtx_req_free(&f.rq);
}

static void test_ranked_spreads_load(void)
{
	struct fix f;
	uint64_t dropped, e;
	size_t count[NMEM] = { 0 }, i;

	setup(&f, RTX_POLICY_RANKED, false);
	for (e = 1000; e < 1200; e++)
		rtx_req_add(&f.rq, e, 1200, 0, 300 * MS, &dropped);
	run_at(&f, 5 * MS);
	CU_ASSERT_EQUAL_FATAL(f.log.n, 200);
	CU_ASSERT_EQUAL(f.log.emits, NMEM); /* one request per member */
	CU_ASSERT_TRUE(f.log.sorted_ok);
	for (i = 0; i < f.log.n; i++)
		count[f.log.a[i].target]++;
	for (i = 0; i < NMEM; i++)
		CU_ASSERT(count[i] > 20 && count[i] < 80);
	rtx_req_free(&f.rq);
}

static void test_escalation(void)
{
	struct fix f;
	uint64_t dropped;

	/* all: RET after the first round times out */
	setup(&f, RTX_POLICY_ALL, true);
	rtx_req_add(&f.rq, 100, 101, 0, 300 * MS, &dropped);
	run_at(&f, 5 * MS);
	CU_ASSERT_EQUAL(asks_of(&f, RTX_TARGET_RET, 100), 0);
	run_at(&f, 45 * MS);
	CU_ASSERT_EQUAL(asks_of(&f, RTX_TARGET_RET, 100), 1);
	rtx_req_free(&f.rq);

	/* all members lack it: RET at once */
	setup(&f, RTX_POLICY_ALL, true);
	rtx_req_add(&f.rq, 100, 101, 0, 300 * MS, &dropped);
	run_at(&f, 5 * MS);
	rtx_req_missing(&f.rq, 100, 0, 10 * MS);
	rtx_req_missing(&f.rq, 100, 1, 10 * MS);
	rtx_req_missing(&f.rq, 100, 2, 11 * MS);
	CU_ASSERT_EQUAL(asks_of(&f, RTX_TARGET_RET, 100), 0);
	rtx_req_missing(&f.rq, 100, 3, 12 * MS);
	CU_ASSERT_EQUAL(rtx_req_next(&f.rq), 12 * MS);
	run_at(&f, 12 * MS);
	CU_ASSERT_EQUAL(asks_of(&f, RTX_TARGET_RET, 100), 1);
	rtx_req_free(&f.rq);

	/* a close deadline: RET before the deadline lead even mid-round */
	setup(&f, RTX_POLICY_RANKED, true);
	f.rq.cfg.ret_after_rounds = 100;
	rtx_req_add(&f.rq, 100, 101, 0, 120 * MS, &dropped);
	run_at(&f, 5 * MS);
	CU_ASSERT_EQUAL(rtx_req_next(&f.rq), 45 * MS);
	run_at(&f, 45 * MS);
	CU_ASSERT_EQUAL(rtx_req_next(&f.rq), 70 * MS);
	run_at(&f, 70 * MS);
	CU_ASSERT_EQUAL(asks_of(&f, RTX_TARGET_RET, 100), 1);
	rtx_req_free(&f.rq);
}

/* ranked, with RET: the first member asked lacks the packet. That is no
 * reason for RET while other members have not been asked: the next member
 * is asked at once, and RET only once every member lacks it. */
static void test_ranked_lack_is_not_exhaustion(void)
{
	struct fix f;
	uint64_t dropped;
	int i;

	setup(&f, RTX_POLICY_RANKED, true);
	f.rq.cfg.ret_after_rounds = 100;
	rtx_req_add(&f.rq, 100, 101, 0, 300 * MS, &dropped);
	run_at(&f, 5 * MS);
	CU_ASSERT_EQUAL_FATAL(f.log.n, 1);
	rtx_req_missing(&f.rq, 100, f.log.a[0].target, 6 * MS);
	run_at(&f, 6 * MS);
	CU_ASSERT_EQUAL(asks_of(&f, RTX_TARGET_RET, 100), 0);
	CU_ASSERT_EQUAL_FATAL(f.log.n, 2);
	/* the others lack it too, one after the other: then RET */
	for (i = 2; i <= NMEM; i++) {
		CU_ASSERT_EQUAL(asks_of(&f, RTX_TARGET_RET, 100), 0);
		rtx_req_missing(&f.rq, 100, f.log.a[f.log.n - 1].target, (uint64_t)(5 + i) * MS);
		run_at(&f, (uint64_t)(5 + i) * MS);
	}
	CU_ASSERT_EQUAL(asks_of(&f, RTX_TARGET_RET, 100), 1);
	rtx_req_free(&f.rq);
}

/* Every member says "not yet" (a prediction of a pull ahead of the
 * stream): no step towards RET and no other member; the same member is
 * asked again when told, and not before its own timeout. */
static void test_not_yet(void)
{
	struct fix f;
	uint64_t dropped;
	int first;

	setup(&f, RTX_POLICY_RANKED, true);
	f.rq.cfg.ret_after_rounds = 100;
	rtx_req_add(&f.rq, 100, 101, 0, 300 * MS, &dropped);
	run_at(&f, 5 * MS);
	CU_ASSERT_EQUAL_FATAL(f.log.n, 1);
	first = f.log.a[0].target;
	/* too early: held to the member's timeout (2 x 20 ms initial RTT) */
	rtx_req_not_yet(&f.rq, &f.grp, 100, first, 6 * MS);
	CU_ASSERT_EQUAL(rtx_req_next(&f.rq), 45 * MS);
	run_at(&f, 44 * MS);
	CU_ASSERT_EQUAL(f.log.n, 1);
	run_at(&f, 45 * MS);
	CU_ASSERT_EQUAL_FATAL(f.log.n, 2);
	CU_ASSERT_EQUAL(f.log.a[1].target, first);
	/* later than the timeout: then */
	rtx_req_not_yet(&f.rq, &f.grp, 100, first, 100 * MS);
	run_at(&f, 99 * MS);
	CU_ASSERT_EQUAL(f.log.n, 2);
	run_at(&f, 100 * MS);
	CU_ASSERT_EQUAL_FATAL(f.log.n, 3);
	CU_ASSERT_EQUAL(f.log.a[2].target, first);
	CU_ASSERT_EQUAL(asks_of(&f, RTX_TARGET_RET, 100), 0);
	/* from a member not asked, or out of range: nothing */
	rtx_req_not_yet(&f.rq, &f.grp, 100, (first + 1) % NMEM, 101 * MS);
	rtx_req_not_yet(&f.rq, &f.grp, 100, NMEM, 101 * MS);
	rtx_req_not_yet(&f.rq, &f.grp, 100, -1, 101 * MS);
	CU_ASSERT_EQUAL(rtx_req_next(&f.rq), 140 * MS);
	rtx_req_free(&f.rq);
}

static void test_deadline(void)
{
	struct fix f;
	uint64_t dropped;

	setup(&f, RTX_POLICY_ALL, false);
	/* 15 ms left when the hold ends: shorter than any srtt (20 ms) */
	rtx_req_add(&f.rq, 100, 101, 0, 20 * MS, &dropped);
	run_at(&f, 5 * MS);
	CU_ASSERT_EQUAL(f.log.n, 0);
	CU_ASSERT_EQUAL(rtx_req_next(&f.rq), 20 * MS);
	run_at(&f, 20 * MS);
	CU_ASSERT_EQUAL(rtx_req_next(&f.rq), UINT64_MAX);
	CU_ASSERT_EQUAL(rtx_gaps_find(&f.rq.gaps, 100)->state, RTX_GAP_DONE);
	run_at(&f, 1000 * MS);
	CU_ASSERT_EQUAL(f.log.n, 0);
	rtx_req_free(&f.rq);
}

/* A gap predicted while multicast was gone (rtx_starve) with a guessed
 * deadline, then shown missing for real by the stream with a later one:
 * the real deadline holds, and a gap already given up is asked again. */
static void test_deadline_moved(void)
{
	struct fix f;
	uint64_t dropped;

	setup(&f, RTX_POLICY_ALL, false);
	rtx_req_add(&f.rq, 100, 101, 0, 30 * MS, &dropped);
	run_at(&f, 30 * MS);
	CU_ASSERT_EQUAL(rtx_gaps_find(&f.rq.gaps, 100)->state, RTX_GAP_DONE);
	f.log.n = 0;
	/* a deadline already past asks nothing */
	CU_ASSERT_EQUAL(rtx_req_add(&f.rq, 100, 101, 40 * MS, 20 * MS, &dropped), -EEXIST);
	CU_ASSERT_EQUAL(rtx_gaps_find(&f.rq.gaps, 100)->state, RTX_GAP_DONE);
	CU_ASSERT_EQUAL(rtx_req_add(&f.rq, 100, 150, 40 * MS, 340 * MS, &dropped), -EEXIST);
	CU_ASSERT_EQUAL(rtx_gaps_find(&f.rq.gaps, 100)->deadline_ns, 340 * MS);
	CU_ASSERT_EQUAL(rtx_req_next(&f.rq), 40 * MS);
	run_at(&f, 40 * MS);
	CU_ASSERT_EQUAL(asks_of(&f, 1000, 100), NMEM);
	CU_ASSERT_EQUAL(rtx_gaps_find(&f.rq.gaps, 100)->state, RTX_GAP_ACTIVE);
	/* an earlier real deadline holds too: the gap is done then */
	CU_ASSERT_EQUAL(rtx_req_add(&f.rq, 100, 150, 45 * MS, 200 * MS, &dropped), -EEXIST);
	CU_ASSERT(rtx_req_next(&f.rq) <= 200 * MS);
	run_at(&f, 200 * MS);
	CU_ASSERT_EQUAL(rtx_gaps_find(&f.rq.gaps, 100)->state, RTX_GAP_DONE);
	rtx_req_free(&f.rq);
}

/* Whether RET can still answer is judged by its best round trip, not the
 * smoothed one a few slow answers inflated: RET is asked when the group
 * lacks a packet even though its srtt is longer than the time left. */
static void test_ret_slow_then_fast(void)
{
	struct fix f;
	uint64_t dropped;
	int i;

	setup(&f, RTX_POLICY_ALL, true);
	rtx_rtt_sample(&f.grp.ret_rtt, 2 * MS);
	for (i = 0; i < 20; i++)
		rtx_rtt_sample(&f.grp.ret_rtt, 400 * MS);
	CU_ASSERT(rtx_rtt_srtt(&f.grp.ret_rtt, 0) > 150 * MS);
	rtx_req_add(&f.rq, 100, 101, 0, 150 * MS, &dropped);
	run_at(&f, 5 * MS);
	CU_ASSERT_EQUAL(asks_of(&f, 1000, 100), NMEM);
	for (i = 0; i < NMEM; i++)
		rtx_req_missing(&f.rq, 100, i, 6 * MS);
	run_at(&f, 6 * MS);
	CU_ASSERT_EQUAL(asks_of(&f, RTX_TARGET_RET, 100), 1);
	rtx_req_free(&f.rq);
}

/* A RET server's challenge: what waits for it is asked again at once (it
 * answered nothing), without a step of backoff; a second challenge of the
 * same gap is not followed (a server that cannot validate us draws no
 * request per round trip). */
static void test_ret_challenged(void)
{
	struct fix f;
	uint64_t dropped;

	setup(&f, RTX_POLICY_ALL, true);
	f.rq.cfg.ret_after_rounds = 0;
	rtx_req_add(&f.rq, 100, 101, 0, 300 * MS, &dropped);
	rtx_req_add(&f.rq, 200, 201, 0, 300 * MS, &dropped);
	run_at(&f, 5 * MS);
	CU_ASSERT_EQUAL(asks_of(&f, RTX_TARGET_RET, 100), 1);
	CU_ASSERT(rtx_req_next(&f.rq) > 6 * MS);
	rtx_req_resolve(&f.rq, 200, NULL);
	rtx_req_ret_challenged(&f.rq, 6 * MS);
	CU_ASSERT_EQUAL(rtx_req_next(&f.rq), 6 * MS);
	run_at(&f, 6 * MS);
	CU_ASSERT_EQUAL(asks_of(&f, RTX_TARGET_RET, 100), 2);
	CU_ASSERT_EQUAL(asks_of(&f, RTX_TARGET_RET, 200), 1);
	/* the next RET try comes after a first timeout, not a doubled one */
	CU_ASSERT(rtx_req_next(&f.rq) <= 6 * MS + 100 * MS);
	rtx_req_ret_challenged(&f.rq, 7 * MS);
	run_at(&f, 7 * MS);
	CU_ASSERT_EQUAL(asks_of(&f, RTX_TARGET_RET, 100), 2);
	rtx_req_free(&f.rq);
}

static void test_regroup(void)
{
	struct fix f;
	uint64_t dropped;
	struct rtx_member m[2] = { { 50, 7 }, { 51, 8 } };
	struct rtx_group g = { .id = 2, .version = 1, .members = m, .n_members = 2 };

	setup(&f, RTX_POLICY_ALL, false);
	rtx_req_add(&f.rq, 100, 101, 0, 300 * MS, &dropped);
	run_at(&f, 5 * MS);
	CU_ASSERT_EQUAL(f.log.n, NMEM);
	CU_ASSERT_EQUAL(rtx_groups_set(&f.grp, &g, 6 * MS, 1000 * MS), 1);
	rtx_req_regrouped(&f.rq);
	/* the new members are asked when the round in flight times out */
	run_at(&f, 6 * MS);
	CU_ASSERT_EQUAL(f.log.n, NMEM);
	run_at(&f, 45 * MS);
	CU_ASSERT_EQUAL(f.log.n, NMEM + 2);
	rtx_req_free(&f.rq);

	/* from no group to a group: asked as soon as there is one */
	setup(&f, RTX_POLICY_ALL, false);
	rtx_groups_set(&f.grp, NULL, 0, 0);
	rtx_req_add(&f.rq, 100, 101, 0, 300 * MS, &dropped);
	run_at(&f, 5 * MS);
	CU_ASSERT_EQUAL(f.log.n, 0);
	CU_ASSERT_EQUAL(rtx_req_next(&f.rq), 300 * MS);
	rtx_groups_set(&f.grp, &g, 10 * MS, 1000 * MS);
	rtx_req_regrouped(&f.rq);
	run_at(&f, 10 * MS);
	CU_ASSERT_EQUAL(f.log.n, 2);
	rtx_req_free(&f.rq);
}

static void test_bounded_gaps(void)
{
	struct fix f;
	uint64_t dropped, e;
	int n_dropped = 0;

	setup(&f, RTX_POLICY_ALL, false);
	for (e = 1; e <= 1000; e++)
		if (rtx_req_add(&f.rq, e, 1001, 0, 300 * MS, &dropped) == 1)
			n_dropped++;
	CU_ASSERT_EQUAL(rtx_gaps_count(&f.rq.gaps), 256);
	CU_ASSERT_EQUAL(n_dropped, 1000 - 256);
	rtx_req_free(&f.rq);
}

/* Random events, both policies: no member (nor RET) is ever asked for the
 * same packet twice within its timeout, and nothing after the deadline. */
static void check_spacing(enum rtx_policy policy)
{
	struct fix f;
	uint64_t t = 0, dropped, e = 1000, rto;
	size_t i, j;
	int k;

	setup(&f, policy, true);
	for (k = 0; k < 3000; k++) {
		t += tu_rand_below(3 * MS);
		switch (tu_rand_below(6)) {
		case 0:
			e += 1 + tu_rand_below(3);
			rtx_req_add(&f.rq, e, e + 1, t, t + 50 * MS + tu_rand_below(250 * MS), &dropped);
			break;
		case 1:
			rtx_req_resolve(&f.rq, e - tu_rand_below(30), NULL);
			break;
		case 2:
			rtx_req_missing(&f.rq, e - tu_rand_below(30), (int)tu_rand_below(NMEM), t);
			break;
		default:
			if (rtx_req_next(&f.rq) <= t)
				run_at(&f, t);
		}
	}
	rto = 2 * 20 * MS; /* no samples in this test */
	for (i = 0; i < f.log.n; i++)
		for (j = i + 1; j < f.log.n; j++)
			if (f.log.a[j].ext == f.log.a[i].ext && f.log.a[j].target == f.log.a[i].target)
				CU_ASSERT_FATAL(f.log.a[j].at - f.log.a[i].at >= rto);
	CU_ASSERT(f.log.n > 100);
	CU_ASSERT_TRUE(f.log.sorted_ok);
	rtx_req_free(&f.rq);
}

static void test_spacing_all(void)
{
	check_spacing(RTX_POLICY_ALL);
}

static void test_spacing_ranked(void)
{
	check_spacing(RTX_POLICY_RANKED);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "hold by time", test_hold_by_time },
		{ "hold by packets", test_hold_by_packets },
		{ "all: rounds", test_all_rounds },
		{ "ranked: one at a time", test_ranked_one_at_a_time },
		{ "ranked: spreads the load", test_ranked_spreads_load },
		{ "escalation to RET", test_escalation },
		{ "ranked: one lack is not exhaustion", test_ranked_lack_is_not_exhaustion },
		{ "deadline", test_deadline },
		{ "a guessed deadline moved", test_deadline_moved },
		{ "RET: slow answers, then asked", test_ret_slow_then_fast },
		{ "RET: a challenge, asked again at once", test_ret_challenged },
		{ "not yet: the same member later, no RET", test_not_yet },
		{ "regroup", test_regroup },
		{ "bounded gaps", test_bounded_gaps },
		{ "spacing, all", test_spacing_all },
		{ "spacing, ranked", test_spacing_ranked },
		{ NULL, NULL },
	};
	return tu_add_suite("rtx_requester", tests);
}
