/* rtx_requester: the NACK scheduler. See rtx_requester.h for the policies. */
#include "config.h"

#include "rtx_requester.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define BIT(i) (1ULL << (i))
#define NONE UINT64_MAX

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

int rtx_req_init(struct rtx_requester *rq, const struct rtx_req_cfg *cfg)
{
	memset(rq, 0, sizeof(*rq));
	rq->cfg = *cfg;
	rq->next_ns = NONE;
	rq->hold_trigger = NONE;
	return rtx_gaps_init(&rq->gaps, cfg->max_gaps);
}

void rtx_req_free(struct rtx_requester *rq)
{
	rtx_gaps_free(&rq->gaps);
	free(rq->pairs);
	free(rq->exts);
	rq->pairs = NULL;
	rq->exts = NULL;
	rq->cap_pairs = 0;
}

void rtx_req_clear(struct rtx_requester *rq)
{
	rtx_gaps_clear(&rq->gaps);
	rq->next_ns = NONE;
	rq->hold_trigger = NONE;
	rq->highest = 0;
}

int rtx_req_add(struct rtx_requester *rq, uint64_t ext, uint64_t highest, uint64_t now_ns,
		uint64_t deadline_ns, uint64_t *dropped)
{
	struct rtx_gap *gp = rtx_gaps_find(&rq->gaps, ext);

	if (gp) {
		/* Already a gap: a prediction (multicast gone, rtx_starve) that
		 * the stream has now shown missing for real. Its deadline was a
		 * guess; the real one is the playback time of the packet that
		 * revealed it, earlier or later. A gap given up on a guess is
		 * asked again. */
		gp->deadline_ns = deadline_ns;
		if (gp->state == RTX_GAP_DONE) {
			if (deadline_ns <= now_ns)
				return -EEXIST;
			gp->state = RTX_GAP_ACTIVE;
			gp->exhausted = 0;
			gp->step_end = 0;
			gp->next_ns = now_ns;
		}
		gp->next_ns = min64(gp->next_ns, deadline_ns);
		rq->next_ns = min64(rq->next_ns, gp->next_ns);
		return -EEXIST;
	}
	gp = rtx_gaps_add(&rq->gaps, ext, dropped);
	gp->detect_ns = now_ns;
	gp->deadline_ns = deadline_ns;
	gp->hold_ext = highest;
	gp->state = RTX_GAP_HOLD;
	gp->next_ns = now_ns + rq->cfg.hold_ns;
	rq->next_ns = min64(rq->next_ns, gp->next_ns);
	if (rq->cfg.hold_pkts)
		rq->hold_trigger = min64(rq->hold_trigger, highest + rq->cfg.hold_pkts);
	if (highest > rq->highest)
		rq->highest = highest;
	return *dropped ? 1 : 0;
}

int rtx_req_resolve(struct rtx_requester *rq, uint64_t ext, uint64_t *detect_ns)
{
	struct rtx_gap *gp = rtx_gaps_find(&rq->gaps, ext);

	if (!gp)
		return -ENOENT;
	if (detect_ns)
		*detect_ns = gp->detect_ns;
	rtx_gaps_remove(&rq->gaps, gp);
	return 0;
}

void rtx_req_highest(struct rtx_requester *rq, uint64_t highest, uint64_t now_ns)
{
	if (highest > rq->highest)
		rq->highest = highest;
	if (rq->highest >= rq->hold_trigger) {
		rq->next_ns = min64(rq->next_ns, now_ns);
		rq->hold_trigger = NONE;
	}
}

void rtx_req_missing(struct rtx_requester *rq, uint64_t ext, int member, uint64_t now_ns)
{
	struct rtx_gap *gp = rtx_gaps_find(&rq->gaps, ext);

	if (!gp || gp->state != RTX_GAP_ACTIVE || member < 0 || member >= RTX_MAX_MEMBERS)
		return;
	gp->lacks |= BIT(member);
	if ((rq->cfg.policy == RTX_POLICY_RANKED && gp->step_mask &&
	     (gp->lacks & gp->step_mask) == gp->step_mask) ||
	    (gp->asked && (gp->lacks & gp->asked) == gp->asked)) {
		/* Move on now: to the next member, or to RET. */
		/* Under `ranked` the members asked so far are not all the
		 * members: the step moves on to the next one and finds out
		 * itself when nobody is left (only then is RET the answer). */
		if (rq->cfg.policy == RTX_POLICY_RANKED)
			gp->step_end = now_ns;
		else if ((gp->lacks & gp->asked) == gp->asked)
			gp->exhausted = 1;
		gp->next_ns = now_ns;
		rq->next_ns = min64(rq->next_ns, now_ns);
	}
}

void rtx_req_not_yet(struct rtx_requester *rq, const struct rtx_groups *grp, uint64_t ext,
		     int member, uint64_t at_ns)
{
	struct rtx_gap *gp = rtx_gaps_find(&rq->gaps, ext);
	uint64_t rto;

	if (!gp || gp->state != RTX_GAP_ACTIVE || member < 0 || (size_t)member >= grp->n ||
	    !(gp->asked & BIT(member)))
		return;
	rto = rtx_rtt_rto(&grp->m[member].rtt, rq->cfg.rtt_init_ns, rq->cfg.rto_min_ns,
			  rq->cfg.rto_max_ns);
	if (at_ns < gp->last_ask + rto)
		at_ns = gp->last_ask + rto;
	/* Asking on at once, to the next member and RET, was a storm of
	 * requests for numbers nobody had yet (ten datagrams per packet of an
	 * 800 packets/s pull): the member is asked again when the number
	 * should exist. */
	gp->asked &= ~BIT(member);
	gp->step_mask &= ~BIT(member);
	gp->step_end = at_ns;
	gp->next_ns = min64(gp->next_ns, at_ns);
	rq->next_ns = min64(rq->next_ns, gp->next_ns);
}

void rtx_req_ret_challenged(struct rtx_requester *rq, uint64_t now_ns)
{
	struct rtx_gap *gp;
	size_t i;

	for (i = 0; i < rtx_gaps_count(&rq->gaps); i++) {
		gp = rtx_gaps_at(&rq->gaps, i);
		if (gp->state != RTX_GAP_ACTIVE || !gp->ret_ns || gp->challenged)
			continue;
		/* Not a failed try: the backoff stays where it was. */
		gp->challenged = 1;
		gp->ret_ns = 0;
		gp->next_ns = now_ns;
		rq->next_ns = min64(rq->next_ns, now_ns);
	}
}

void rtx_req_resume(struct rtx_requester *rq, const struct rtx_groups *grp, uint64_t now_ns)
{
	uint64_t srtt = 0, r, t;
	struct rtx_gap *gp;
	size_t i;

	for (i = 0; i < grp->n; i++) {
		r = rtx_rtt_srtt(&grp->m[i].rtt, rq->cfg.rtt_init_ns);
		if (r > srtt)
			srtt = r;
	}
	for (i = 0; i < rtx_gaps_count(&rq->gaps); i++) {
		gp = rtx_gaps_at(&rq->gaps, i);
		if (gp->state != RTX_GAP_ACTIVE || gp->step_end <= now_ns ||
		    gp->step_end == NONE)
			continue;
		t = gp->last_ask + srtt;
		if (t >= gp->step_end)
			continue;
		gp->step_end = t > now_ns ? t : now_ns;
		gp->next_ns = min64(gp->next_ns, gp->step_end);
		rq->next_ns = min64(rq->next_ns, gp->next_ns);
	}
}

void rtx_req_regrouped(struct rtx_requester *rq)
{
	size_t i;
	struct rtx_gap *gp;
	uint64_t next = NONE;

	for (i = 0; i < rtx_gaps_count(&rq->gaps); i++) {
		gp = rtx_gaps_at(&rq->gaps, i);
		gp->asked = gp->lacks = gp->step_mask = 0;
		gp->exhausted = 0;
		if (gp->step_end == NONE)
			gp->step_end = 0;
		if (gp->state == RTX_GAP_ACTIVE)
			gp->next_ns = min64(gp->next_ns, gp->step_end);
		next = min64(next, gp->next_ns);
	}
	rq->next_ns = next;
}

/* ---- one step of one gap ---- */

struct step {
	struct rtx_requester *rq;
	const struct rtx_groups *grp;
	uint64_t now, left;
};

static void push(struct rtx_requester *rq, int target, uint64_t ext)
{
	rq->pairs[rq->n_pairs].ext = ext;
	rq->pairs[rq->n_pairs].target = target;
	rq->n_pairs++;
}

/* Exponential backoff: each round in which nobody answered at all (no
 * repair, no MISSING) doubles the waits of the next, up to 8 times: our
 * requests or our own link are failing, and a requester that cannot hear
 * must not keep draining its peers' rate limits every round trip. Rounds
 * answered by MISSING keep the pace: those peers are repairing their own
 * copy. */
static uint64_t backoff(const struct rtx_gap *gp, uint64_t t)
{
	return t << (gp->silent_rounds < 3 ? gp->silent_rounds : 3);
}

/* A round of the group ended without the packet. */
static void round_over(struct rtx_gap *gp)
{
	if (gp->rounds_done < 255)
		gp->rounds_done++;
	if (gp->lacks == 0 && gp->silent_rounds < 255)
		gp->silent_rounds++;
	else if (gp->lacks)
		gp->silent_rounds = 0;
	gp->asked = gp->lacks = 0;
}

static uint64_t member_rto(const struct step *st, size_t i)
{
	const struct rtx_req_cfg *c = &st->rq->cfg;

	return rtx_rtt_rto(&st->grp->m[i].rtt, c->rtt_init_ns, c->rto_min_ns, c->rto_max_ns);
}

static bool can_answer(const struct step *st, size_t i)
{
	return rtx_rtt_min(&st->grp->m[i].rtt, st->rq->cfg.rtt_init_ns) < st->left;
}

static uint64_t max_rto(const struct step *st)
{
	uint64_t m = 0, r;
	size_t i;

	for (i = 0; i < st->grp->n; i++) {
		r = member_rto(st, i);
		if (r > m)
			m = r;
	}
	return m;
}

/* Rendezvous hashing: a well-mixed score per (packet, member). */
static uint64_t score(uint64_t ext, uint32_t id)
{
	uint64_t z = ext ^ ((uint64_t)id * 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The best-ranked member for ext outside `exclude` that can still answer
 * in time, or -1. */
static int best_member(const struct step *st, uint64_t ext, uint64_t exclude)
{
	uint64_t best_score = 0, sc;
	int best = -1;
	size_t i;

	for (i = 0; i < st->grp->n; i++) {
		if ((exclude & BIT(i)) || !can_answer(st, i))
			continue;
		sc = score(ext, st->grp->m[i].id);
		if (best < 0 || sc > best_score) {
			best = (int)i;
			best_score = sc;
		}
	}
	return best;
}

static uint64_t step_all(const struct step *st, struct rtx_gap *gp)
{
	uint64_t rto, longest = 0;
	size_t i;

	if (st->now < gp->step_end) {
		/* Woken inside a round: only MISSING answers do that. */
		if (gp->asked && (gp->lacks & gp->asked) == gp->asked)
			gp->exhausted = 1;
		return gp->step_end;
	}
	if (gp->asked)
		round_over(gp);
	for (i = 0; i < st->grp->n; i++) {
		if (!can_answer(st, i))
			continue;
		push(st->rq, (int)i, gp->ext);
		gp->asked |= BIT(i);
		rto = member_rto(st, i);
		if (rto > longest)
			longest = rto;
	}
	if (!gp->asked) {
		gp->exhausted = 1;
		gp->step_end = NONE;
		return NONE;
	}
	gp->last_ask = st->now;
	gp->step_end = st->now + backoff(gp, longest);
	return gp->step_end;
}

/* How many of the k members left in this round to ask at once so that the
 * round still fits in the time left, one timeout per step: 1 while there
 * is time (the cheapest, one repair per loss), more as the deadline nears
 * (lower latency, some duplicates). */
static size_t fan_out(const struct step *st, size_t k, uint64_t rto)
{
	uint64_t need = (uint64_t)k * rto;
	size_t fan = (size_t)((need + st->left - 1) / st->left);

	return fan < 1 ? 1 : fan > k ? k : fan;
}

static size_t count_candidates(const struct step *st, uint64_t exclude)
{
	size_t i, k = 0;

	for (i = 0; i < st->grp->n; i++)
		if (!(exclude & BIT(i)) && can_answer(st, i))
			k++;
	return k;
}

static uint64_t step_ranked(const struct step *st, struct rtx_gap *gp)
{
	uint64_t longest = 0, rto, t;
	size_t k, fan;
	int m;

	if (st->now < gp->step_end)
		return gp->step_end;
	k = count_candidates(st, gp->asked | gp->lacks);
	if (k == 0 && gp->asked) {
		/* Everyone was asked or lacks it: a new round, but not before
		 * the longest timeout after the last ask, so that nobody is
		 * asked again within its own. */
		if ((gp->lacks & gp->asked) == gp->asked)
			gp->exhausted = 1;
		t = gp->last_ask + backoff(gp, max_rto(st));
		if (st->now < t) {
			gp->step_end = t;
			return t;
		}
		round_over(gp);
		k = count_candidates(st, 0);
	}
	if (k == 0) {
		gp->exhausted = 1;
		gp->step_end = NONE;
		return NONE;
	}
	gp->step_mask = 0;
	for (fan = fan_out(st, k, max_rto(st)); fan > 0; fan--) {
		m = best_member(st, gp->ext, gp->asked | gp->lacks);
		push(st->rq, m, gp->ext);
		gp->asked |= BIT(m);
		gp->step_mask |= BIT(m);
		rto = member_rto(st, (size_t)m);
		if (rto > longest)
			longest = rto;
	}
	gp->last_ask = st->now;
	gp->step_end = st->now + backoff(gp, longest);
	return gp->step_end;
}

static uint64_t escalate(const struct step *st, struct rtx_gap *gp, uint64_t next)
{
	const struct rtx_req_cfg *c = &st->rq->cfg;
	const struct rtx_groups *grp = st->grp;
	uint64_t rto, lead_at;
	bool want;

	if (!grp->have_ret || grp->n_ret == 0 ||
	    rtx_rtt_min(&grp->ret_rtt, c->rtt_init_ns) >= st->left)
		return next;
	rto = rtx_rtt_rto(&grp->ret_rtt, c->rtt_init_ns, c->rto_min_ns, c->rto_max_ns);
	lead_at = gp->deadline_ns > c->ret_lead_ns ? gp->deadline_ns - c->ret_lead_ns : 0;
	want = gp->rounds_done >= c->ret_after_rounds || gp->exhausted || st->now >= lead_at;
	if (!want)
		return min64(next, lead_at);
	rto <<= gp->ret_tries < 3 ? gp->ret_tries : 3;
	if (gp->ret_ns && st->now < gp->ret_ns + rto)
		return min64(next, gp->ret_ns + rto);
	push(st->rq, RTX_TARGET_RET, gp->ext);
	if (gp->ret_ns && gp->ret_tries < 255)
		gp->ret_tries++;
	gp->ret_ns = st->now;
	return min64(next, st->now + rto);
}

static bool hold_over(const struct rtx_requester *rq, const struct rtx_gap *gp, uint64_t now)
{
	return now >= gp->detect_ns + rq->cfg.hold_ns ||
	       (rq->cfg.hold_pkts && rq->highest >= gp->hold_ext + rq->cfg.hold_pkts);
}

static void step(struct step *st, struct rtx_gap *gp)
{
	uint64_t next;
	size_t asks;

	if (gp->state == RTX_GAP_DONE)
		return;
	if (st->now >= gp->deadline_ns) {
		gp->state = RTX_GAP_DONE;
		gp->next_ns = NONE;
		return;
	}
	if (gp->state == RTX_GAP_HOLD) {
		if (!hold_over(st->rq, gp, st->now)) {
			gp->next_ns = gp->detect_ns + st->rq->cfg.hold_ns;
			return;
		}
		gp->state = RTX_GAP_ACTIVE;
	}
	st->left = gp->deadline_ns - st->now;
	asks = st->rq->n_pairs;
	if (st->rq->cfg.policy == RTX_POLICY_RANKED)
		next = step_ranked(st, gp);
	else
		next = step_all(st, gp);
	asks = st->rq->n_pairs - asks;
	if (asks && !gp->first_ask)
		gp->first_ask = st->now;
	gp->asks = gp->asks + asks > 255 ? 255 : (uint8_t)(gp->asks + asks);
	next = escalate(st, gp, next);
	gp->next_ns = min64(next, gp->deadline_ns);
}

/* ---- a run: step what is due, then emit per target ---- */

static int cmp_pair(const void *a, const void *b)
{
	const struct rtx_req_pair *x = a, *y = b;

	if (x->target != y->target)
		return x->target < y->target ? -1 : 1;
	return x->ext < y->ext ? -1 : x->ext > y->ext;
}

static void flush(struct rtx_requester *rq, rtx_req_emit_fn emit, void *ctx)
{
	size_t i = 0, j, k;
	int target;

	qsort(rq->pairs, rq->n_pairs, sizeof(*rq->pairs), cmp_pair);
	while (i < rq->n_pairs) {
		target = rq->pairs[i].target;
		for (j = i, k = 0; j < rq->n_pairs && rq->pairs[j].target == target; j++)
			rq->exts[k++] = rq->pairs[j].ext;
		emit(ctx, target, rq->exts, k);
		i = j;
	}
}

static int reserve(struct rtx_requester *rq, size_t need)
{
	struct rtx_req_pair *p;
	uint64_t *e;
	size_t cap;

	if (need <= rq->cap_pairs)
		return 0;
	cap = rq->cap_pairs ? rq->cap_pairs : 64;
	while (cap < need)
		cap *= 2;
	p = realloc(rq->pairs, cap * sizeof(*p));
	if (!p)
		return -ENOMEM;
	rq->pairs = p;
	e = realloc(rq->exts, cap * sizeof(*e));
	if (!e)
		return -ENOMEM;
	rq->exts = e;
	rq->cap_pairs = cap;
	return 0;
}

int rtx_req_run(struct rtx_requester *rq, const struct rtx_groups *grp, uint64_t now_ns,
		rtx_req_emit_fn emit, void *ctx)
{
	struct step st = { rq, grp, now_ns, 0 };
	uint64_t next = NONE, trigger = NONE;
	struct rtx_gap *gp;
	size_t i, n = rtx_gaps_count(&rq->gaps);

	if (now_ns < rq->next_ns)
		return 0;
	if (reserve(rq, n * (grp->n + 1)) < 0)
		return -ENOMEM;
	rq->n_pairs = 0;
	for (i = 0; i < n; i++) {
		gp = rtx_gaps_at(&rq->gaps, i);
		if (gp->next_ns <= now_ns ||
		    (gp->state == RTX_GAP_HOLD && hold_over(rq, gp, now_ns)))
			step(&st, gp);
		if (gp->state == RTX_GAP_HOLD && rq->cfg.hold_pkts)
			trigger = min64(trigger, gp->hold_ext + rq->cfg.hold_pkts);
		next = min64(next, gp->next_ns);
	}
	rq->next_ns = next;
	rq->hold_trigger = trigger;
	if (rq->n_pairs)
		flush(rq, emit, ctx);
	return (int)rq->n_pairs;
}
