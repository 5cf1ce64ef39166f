/* The deterministic simulation of a group of 5 (tests/bench/rtx_sim.c),
 * asserting only what is certain:
 *  - a packet held by some member (or the RET server) and requested with
 *    time left is repaired when nothing else is lost, whatever the policy;
 *  - nothing is ever delivered twice, order is preserved, and every
 *    delivered packet is byte-identical to what the source sent, under
 *    any loss, including lost requests and repairs and a regroup;
 *  - the same seed gives the same run. */
#include "config.h"

#include <string.h>

#include "rtx_sim.h"
#include "tu.h"

#define MS 1000000ULL

static void base(struct rtx_sim_params *p, enum rtx_policy policy)
{
	rtx_sim_defaults(p);
	p->packets = 6000;
	p->policy = policy;
	p->seed = tu_rand();
}

static void assert_invariants(const struct rtx_sim_result *r)
{
	CU_ASSERT_EQUAL(r->dup_deliveries, 0);
	CU_ASSERT_EQUAL(r->order_errors, 0);
	CU_ASSERT_EQUAL(r->content_errors, 0);
	CU_ASSERT(r->expected > 0);
	CU_ASSERT_EQUAL(r->delivered + r->lost, r->expected);
}

/* Drops chosen by the test: stream packet i is lost at the members in
 * mask[i % 64] when i is in the lossy set; nothing else is lost. */
struct picks {
	uint64_t period; /* packets i with i % period == 7 are the lossy ones */
	uint32_t lossy_members;
};

static bool pick_drop(void *ctx, const struct rtx_sim_dgram *d)
{
	const struct picks *pk = ctx;

	if (d->kind != RTX_SIM_MCAST || d->to < 0 || d->index < 50)
		return false;
	return d->index % pk->period == 7 && (pk->lossy_members >> d->to & 1);
}

static void run_picks(enum rtx_policy policy, uint32_t lossy, bool ret, uint64_t *lost)
{
	struct rtx_sim_params p;
	struct rtx_sim_result r;
	struct picks pk = { 97, lossy };

	base(&p, policy);
	p.drop = pick_drop;
	p.drop_ctx = &pk;
	p.ret = ret;
	CU_ASSERT_EQUAL_FATAL(rtx_sim_run(&p, &r), 0);
	assert_invariants(&r);
	CU_ASSERT(r.mcast_dropped > 0);
	*lost = r.lost;
}

static void test_single_loss_repaired(void)
{
	uint64_t lost;
	int policy;

	for (policy = RTX_POLICY_ALL; policy <= RTX_POLICY_RANKED; policy++) {
		run_picks(policy, 1u << 0, false, &lost);
		CU_ASSERT_EQUAL(lost, 0);
	}
}

static void test_held_by_one_member(void)
{
	uint64_t lost;
	int policy;

	/* members 0-3 lose the same packets; only member 4 has them */
	for (policy = RTX_POLICY_ALL; policy <= RTX_POLICY_RANKED; policy++) {
		run_picks(policy, 0xf, false, &lost);
		CU_ASSERT_EQUAL(lost, 0);
	}
}

static void test_held_by_ret_only(void)
{
	uint64_t lost;
	int policy;

	for (policy = RTX_POLICY_ALL; policy <= RTX_POLICY_RANKED; policy++) {
		run_picks(policy, 0x1f, true, &lost);
		CU_ASSERT_EQUAL(lost, 0);
	}
}

static void test_held_by_nobody(void)
{
	struct rtx_sim_params p;
	struct rtx_sim_result r;
	struct picks pk = { 97, 0x1f };

	base(&p, RTX_POLICY_RANKED);
	p.drop = pick_drop;
	p.drop_ctx = &pk;
	CU_ASSERT_EQUAL_FATAL(rtx_sim_run(&p, &r), 0);
	assert_invariants(&r);
	/* exactly the packets nobody has are lost, at every member */
	CU_ASSERT_EQUAL(r.lost, r.mcast_dropped);
	CU_ASSERT_EQUAL(r.members.repaired_peer, 0);
}

static void run_random(enum rtx_policy policy, double loss, unsigned burst, bool ret)
{
	struct rtx_sim_params p;
	struct rtx_sim_result r;

	base(&p, policy);
	p.loss = loss;
	p.burst = burst;
	p.ret = ret;
	CU_ASSERT_EQUAL_FATAL(rtx_sim_run(&p, &r), 0);
	assert_invariants(&r);
	CU_ASSERT(r.mcast_dropped > 0);
	if (!burst)
		CU_ASSERT(r.unicast_dropped > 0);
	/* repairs happened and every repair counted is a packet that was
	 * missing */
	CU_ASSERT(r.members.repaired_peer > 0);
	CU_ASSERT(r.members.repaired_peer + r.members.repaired_ret + r.members.reordered <=
		  r.members.gaps);
}

static void test_random_independent(void)
{
	run_random(RTX_POLICY_ALL, 0.10, 0, false);
	run_random(RTX_POLICY_RANKED, 0.20, 0, true);
}

static void test_random_bursts(void)
{
	run_random(RTX_POLICY_ALL, 0.05, 50, true);
	run_random(RTX_POLICY_RANKED, 0.05, 200, false);
}

static void test_regroup_in_flight(void)
{
	struct rtx_sim_params p;
	struct rtx_sim_result r;
	struct picks pk = { 97, 0x3 };
	int drop_last;

	/* a key change reaching the members over 2 s while repairs are in
	 * flight, then one member removed: what members 2-4 hold is still
	 * repaired for 0 and 1 */
	for (drop_last = 0; drop_last <= 1; drop_last++) {
		base(&p, drop_last ? RTX_POLICY_ALL : RTX_POLICY_RANKED);
		p.drop = pick_drop;
		p.drop_ctx = &pk;
		p.regroup_ns = 2000 * MS;
		p.regroup_skew_ns = 2000 * MS;
		p.regroup_drop_last = drop_last;
		CU_ASSERT_EQUAL_FATAL(rtx_sim_run(&p, &r), 0);
		assert_invariants(&r);
		CU_ASSERT_EQUAL(r.lost, 0);
		CU_ASSERT_EQUAL(r.members.auth_failed, 0);
	}
}


/* Member 0's multicast is blocked for good from packet 500 on (its line
 * drops the channel's port) while every member loses 5% of what it
 * receives, requests and repairs too: member 0 plays on from its group and
 * RET and loses nothing. The stream is a TV channel's: 160 (then 40)
 * packets/s in 25 frames/s, an I-frame ten times a P-frame's size every
 * second. (Predicted from the last multicast packet alone and paced, the
 * pull lost 2-25% of the stream here: drift and the tails of I-frames; with
 * the period of a quarter second of 40 packets/s, the numbers of I-frames.) */
static void test_multicast_blocked(void)
{
	struct rtx_sim_params p;
	struct rtx_sim_result r;
	int policy, run;

	for (run = 0; run < 2; run++)
		for (policy = RTX_POLICY_ALL; policy <= RTX_POLICY_RANKED; policy++) {
			base(&p, policy);
			p.pps = run ? 40 : 160;
			p.fps = 25;
			p.gop = 25;
			p.iframe_weight = 10;
			p.packets = 2000;
			p.ret = true;
			p.blocked_from = 500;
			CU_ASSERT_EQUAL_FATAL(rtx_sim_run(&p, &r), 0);
			assert_invariants(&r);
			CU_ASSERT(r.members.pulled >= 1400);
			CU_ASSERT_EQUAL(r.lost_by_member[0], 0);
		}
}

static void test_deterministic(void)
{
	struct rtx_sim_params p;
	static struct rtx_sim_result a, b;

	base(&p, RTX_POLICY_RANKED);
	p.packets = 3000;
	p.loss = 0.1;
	CU_ASSERT_EQUAL_FATAL(rtx_sim_run(&p, &a), 0);
	CU_ASSERT_EQUAL_FATAL(rtx_sim_run(&p, &b), 0);
	/* everything but the (real) time it took */
	a.loop_wall_ns = b.loop_wall_ns = a.loop_cpu_ns = b.loop_cpu_ns = 0;
	CU_ASSERT_EQUAL(memcmp(&a, &b, sizeof(a)), 0);
	/* the multicast losses do not depend on the policy */
	p.policy = RTX_POLICY_ALL;
	CU_ASSERT_EQUAL_FATAL(rtx_sim_run(&p, &b), 0);
	CU_ASSERT_EQUAL(a.mcast_dropped, b.mcast_dropped);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "single losses repaired", test_single_loss_repaired },
		{ "held by one member", test_held_by_one_member },
		{ "held by the RET server only", test_held_by_ret_only },
		{ "held by nobody", test_held_by_nobody },
		{ "random independent loss", test_random_independent },
		{ "random bursts", test_random_bursts },
		{ "regroup with requests in flight", test_regroup_in_flight },
		{ "multicast blocked at one member", test_multicast_blocked },
		{ "deterministic", test_deterministic },
		{ NULL, NULL },
	};
	return tu_add_suite("rtx_sim", tests);
}
