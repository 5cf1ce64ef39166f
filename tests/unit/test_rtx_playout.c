/* Unit tests of rtx_playout: timing from RTP timestamps, in-order
 * release, giving up on holes, late repairs, re-anchoring, eviction. */
#include "config.h"

#include <string.h>

#include "rtx_playout.h"
#include "tu.h"

#define MS 1000000ULL
#define RATE 90000u
#define TICKS_PER_MS 90u

struct out {
	uint64_t ext[4096];
	uint64_t at[4096];
	int lost[4096];
	size_t n;
	uint64_t now;
};

static void rec(void *ctx, uint64_t ext, const uint8_t *pkt, size_t len)
{
	struct out *o = ctx;

	(void)len;
	if (o->n < 4096) {
		o->ext[o->n] = ext;
		o->at[o->n] = o->now;
		o->lost[o->n] = pkt == NULL;
		o->n++;
	}
}

struct fix {
	struct rtx_rawbuf *rb;
	struct rtx_playout po;
	struct out out;
};

static void setup(struct fix *f, uint64_t delay, uint32_t rate, size_t slots)
{
	memset(f, 0, sizeof(*f));
	f->rb = rtx_rawbuf_new(slots * (64 + sizeof(struct rtx_slot)), 64, UINT64_MAX);
	rtx_playout_init(&f->po, delay, rate);
}

/* Packet ext with RTP timestamp ts arrives at now. */
static void arrive(struct fix *f, uint64_t ext, uint32_t ts, uint64_t now, bool first)
{
	uint8_t pkt[16] = { (uint8_t)ext };
	uint64_t due = rtx_playout_due(&f->po, ts, now, first);

	if (!f->po.started)
		rtx_playout_start(&f->po, ext);
	if (rtx_rawbuf_put(f->rb, ext, pkt, sizeof(pkt), now, due, first ? 0 : RTX_SLOT_REPAIR) == 0)
		rtx_playout_stored(&f->po, ext, !first);
}

static void run_until(struct fix *f, uint64_t t)
{
	f->out.now = t;
	rtx_playout_run(&f->po, f->rb, t, rec, &f->out);
}

static void test_in_order_after_delay(void)
{
	struct fix f;
	uint64_t i;

	setup(&f, 100 * MS, RATE, 256);
	CU_ASSERT_EQUAL(rtx_playout_next(&f.po, f.rb), UINT64_MAX);
	/* one packet per ms, timestamps matching */
	for (i = 0; i < 50; i++)
		arrive(&f, 1000 + i, (uint32_t)(i * TICKS_PER_MS), 1000 * MS + i * MS, true);
	CU_ASSERT_EQUAL(rtx_playout_next(&f.po, f.rb), 1100 * MS);
	run_until(&f, 1100 * MS - 1);
	CU_ASSERT_EQUAL(f.out.n, 0);
	run_until(&f, 1100 * MS);
	CU_ASSERT_EQUAL(f.out.n, 1);
	run_until(&f, 1120 * MS);
	CU_ASSERT_EQUAL(f.out.n, 21);
	for (i = 0; i < f.out.n; i++) {
		CU_ASSERT_EQUAL(f.out.ext[i], 1000 + i);
		CU_ASSERT_FALSE(f.out.lost[i]);
	}
	CU_ASSERT_EQUAL(rtx_playout_next(&f.po, f.rb), 1121 * MS);
	rtx_rawbuf_free(f.rb);
}

static void test_jitter_absorbed(void)
{
	struct fix f;
	uint64_t i;

	setup(&f, 100 * MS, RATE, 256);
	/* the first packet is the least delayed; others up to 5 ms late */
	for (i = 0; i < 100; i++)
		arrive(&f, 1 + i, (uint32_t)(i * TICKS_PER_MS), i * MS + (i ? tu_rand_below(5 * MS) : 0),
		       true);
	for (i = 0; i < 100; i++)
		CU_ASSERT_EQUAL(rtx_rawbuf_meta(f.rb, 1 + i)->due_ns, 100 * MS + i * MS);
	rtx_rawbuf_free(f.rb);
}

static void test_hole_given_up_at_successor(void)
{
	struct fix f;

	setup(&f, 100 * MS, RATE, 256);
	arrive(&f, 10, 0, 0, true);
	arrive(&f, 11, TICKS_PER_MS, 1 * MS, true);
	/* 12, 13 missing */
	arrive(&f, 14, 4 * TICKS_PER_MS, 4 * MS, true);
	run_until(&f, 101 * MS);
	CU_ASSERT_EQUAL(f.out.n, 2);
	/* the hole waits for 14's time */
	CU_ASSERT_EQUAL(rtx_playout_next(&f.po, f.rb), 104 * MS);
	run_until(&f, 103 * MS);
	CU_ASSERT_EQUAL(f.out.n, 2);
	/* 13 is repaired at 103 ms, after its own time: out at once, in order
	 * after 12 is given up */
	arrive(&f, 13, 3 * TICKS_PER_MS, 103 * MS, false);
	run_until(&f, 103 * MS);
	CU_ASSERT_EQUAL(f.out.n, 2);
	run_until(&f, 104 * MS);
	CU_ASSERT_EQUAL_FATAL(f.out.n, 5);
	CU_ASSERT_EQUAL(f.out.ext[2], 12);
	CU_ASSERT_TRUE(f.out.lost[2]);
	CU_ASSERT_EQUAL(f.out.ext[3], 13);
	CU_ASSERT_FALSE(f.out.lost[3]);
	CU_ASSERT_EQUAL(f.out.ext[4], 14);
	/* too late now */
	CU_ASSERT_FALSE(rtx_playout_pending(&f.po, 12));
	CU_ASSERT_TRUE(rtx_playout_pending(&f.po, 15));
	rtx_rawbuf_free(f.rb);
}

static void test_repair_in_time(void)
{
	struct fix f;

	setup(&f, 100 * MS, RATE, 256);
	arrive(&f, 10, 0, 0, true);
	arrive(&f, 12, 2 * TICKS_PER_MS, 2 * MS, true);
	arrive(&f, 11, 1 * TICKS_PER_MS, 30 * MS, false);
	run_until(&f, 200 * MS);
	CU_ASSERT_EQUAL_FATAL(f.out.n, 3);
	CU_ASSERT_FALSE(f.out.lost[0] || f.out.lost[1] || f.out.lost[2]);
	CU_ASSERT_EQUAL(f.out.ext[1], 11);
	/* the repair did not move the reference */
	CU_ASSERT_EQUAL(rtx_rawbuf_meta(f.rb, 11)->due_ns, 101 * MS);
	rtx_rawbuf_free(f.rb);
}

static void test_arrival_mode(void)
{
	struct fix f;

	setup(&f, 50 * MS, 0, 64);
	arrive(&f, 1, 999, 10 * MS, true);
	arrive(&f, 2, 12345, 17 * MS, true);
	CU_ASSERT_EQUAL(rtx_rawbuf_meta(f.rb, 1)->due_ns, 60 * MS);
	CU_ASSERT_EQUAL(rtx_rawbuf_meta(f.rb, 2)->due_ns, 67 * MS);
	rtx_rawbuf_free(f.rb);
}

static void test_timestamp_wrap_and_jumps(void)
{
	struct fix f;
	uint32_t ts0 = 0xffffffffu - 45 * TICKS_PER_MS;
	uint64_t i;

	setup(&f, 100 * MS, RATE, 256);
	for (i = 0; i < 100; i++)
		arrive(&f, 1 + i, ts0 + (uint32_t)(i * TICKS_PER_MS), i * MS, true);
	CU_ASSERT_EQUAL(rtx_rawbuf_meta(f.rb, 100)->due_ns, 199 * MS);
	/* timestamps jump back by 10 s: re-anchored, not all late */
	arrive(&f, 101, ts0 - 900000, 100 * MS, true);
	CU_ASSERT_EQUAL(rtx_rawbuf_meta(f.rb, 101)->due_ns, 200 * MS);
	/* and forward by 10 s: the least-delayed rule takes it as is */
	arrive(&f, 102, ts0 + 900000, 101 * MS, true);
	CU_ASSERT_EQUAL(rtx_rawbuf_meta(f.rb, 102)->due_ns, 201 * MS);
	rtx_rawbuf_free(f.rb);
}

static void test_eviction_skips(void)
{
	struct fix f;
	uint64_t i;

	setup(&f, 1000 * MS, RATE, 16);
	for (i = 0; i < 40; i++)
		arrive(&f, 1 + i, (uint32_t)(i * TICKS_PER_MS), i * MS, true);
	CU_ASSERT_EQUAL(rtx_playout_next(&f.po, f.rb), 0);
	run_until(&f, 50 * MS);
	/* 1..24 were overwritten: skipped as lost, in order */
	CU_ASSERT_EQUAL_FATAL(f.out.n, 24);
	for (i = 0; i < 24; i++) {
		CU_ASSERT_EQUAL(f.out.ext[i], 1 + i);
		CU_ASSERT_TRUE(f.out.lost[i]);
	}
	rtx_rawbuf_free(f.rb);
}

static void test_random_order_invariants(void)
{
	struct fix f;
	uint64_t t = 0, i, last = 0;
	bool seen[2100] = { false };

	setup(&f, 50 * MS, RATE, 4096);
	for (i = 0; i < 2000; i++) {
		t += MS;
		if (tu_rand_below(10) == 0)
			continue; /* lost */
		arrive(&f, 1 + i, (uint32_t)(i * TICKS_PER_MS), t + tu_rand_below(3 * MS), true);
		if (tu_rand_below(4) == 0 && i > 5)
			arrive(&f, 1 + i - tu_rand_below(5), (uint32_t)((i - 2) * TICKS_PER_MS), t,
			       false);
		run_until(&f, t);
	}
	run_until(&f, t + 10 * 1000 * MS);
	for (i = 0; i < f.out.n; i++) {
		CU_ASSERT_FATAL(f.out.ext[i] > last);
		CU_ASSERT_FATAL(!seen[f.out.ext[i]]);
		seen[f.out.ext[i]] = true;
		last = f.out.ext[i];
	}
	rtx_rawbuf_free(f.rb);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "in order after the delay", test_in_order_after_delay },
		{ "jitter absorbed", test_jitter_absorbed },
		{ "hole given up at its successor", test_hole_given_up_at_successor },
		{ "repair in time", test_repair_in_time },
		{ "arrival-time mode", test_arrival_mode },
		{ "timestamp wrap and jumps", test_timestamp_wrap_and_jumps },
		{ "eviction skips", test_eviction_skips },
		{ "random order invariants", test_random_order_invariants },
		{ NULL, NULL },
	};
	return tu_add_suite("rtx_playout", tests);
}
