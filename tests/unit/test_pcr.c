/* Unit tests of pcr: interpolation between PCRs, packets before the first
 * PCR, the 33-bit wrap, discontinuities of every kind, PCR-less streams,
 * restarts, and a random stream whose times must never go backwards. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "pcr.h"
#include "ts.h"
#include "tsgen.h"
#include "tu.h"

#define R 5076 /* ticks per packet: about 8 Mb/s */

/* Push n packets of PID 0x41; a PCR every `every` packets, the first at
 * index `first`, values base + i * R; returns the PCR value after the run. */
static void push_run(pcr_timeline *tl, int n, int first, int every, uint64_t base, bool disc_first)
{
	struct tsgen_es es = { .pid = 0x41 };
	uint8_t p[TS_SIZE];

	for (int i = 0; i < n; i++) {
		es.with_pcr = i >= first && (i - first) % every == 0;
		es.pcr = (base + (uint64_t)i * R) % TS_PCR_WRAP;
		es.disc = disc_first && i == first;
		tsgen_es(p, &es);
		CU_ASSERT_EQUAL(pcr_push(tl, p), 0);
	}
}

/* Pop everything timed; check it continues at R per packet from *t. */
static int pop_linear(pcr_timeline *tl, uint64_t *t)
{
	uint8_t p[TS_SIZE];
	uint64_t got;
	int n = 0;

	while (pcr_pop(tl, p, &got) == 1) {
		if (got != *t)
			CU_FAIL("time off the line");
		*t += R;
		n++;
	}
	return n;
}

static void test_linear(void)
{
	pcr_timeline *tl = pcr_new(1000, 500, 0);
	uint64_t t = 0;

	push_run(tl, 101, 0, 10, 1000000, false);
	CU_ASSERT_EQUAL(pop_linear(tl, &t), 101);
	CU_ASSERT_EQUAL(pcr_stats(tl)->pcrs, 11);
	CU_ASSERT_EQUAL(pcr_stats(tl)->bitrate_bps, (uint64_t)TS_SIZE * 8 * TS_PCR_HZ / R);
	pcr_free(tl);
}

static void test_waits_for_next_pcr(void)
{
	pcr_timeline *tl = pcr_new(1000, 500, 0);
	uint64_t t = 0;

	/* PCRs at 3 and 13: packets 0..13 can be timed, 14..19 wait. */
	push_run(tl, 20, 3, 10, 0, false);
	CU_ASSERT_EQUAL(pop_linear(tl, &t), 14);
	CU_ASSERT_EQUAL(pcr_pending(tl), 6);
	pcr_flush(tl); /* end of stream: the last ones at the last rate */
	CU_ASSERT_EQUAL(pop_linear(tl, &t), 6);
	CU_ASSERT_EQUAL(pcr_pending(tl), 0);
	pcr_free(tl);
}

static void test_wrap(void)
{
	pcr_timeline *tl = pcr_new(1000, 500, 0);
	uint64_t t = 0;

	push_run(tl, 201, 0, 10, TS_PCR_WRAP - 100 * R, false);
	CU_ASSERT_EQUAL(pop_linear(tl, &t), 201);
	CU_ASSERT_EQUAL(pcr_stats(tl)->discontinuities, 0);
	pcr_free(tl);
}

static void test_discontinuities(void)
{
	pcr_timeline *tl = pcr_new(1000, 500, 0);
	uint64_t t = 0;

	push_run(tl, 51, 0, 10, 5000000, false);
	/* A looped file: PCRs start again from the beginning... */
	push_run(tl, 51, 0, 10, 5000000, false);
	/* ...a leap forward of an hour... */
	push_run(tl, 51, 0, 10, 5000000 + 3600 * TS_PCR_HZ, false);
	/* ...and a flagged discontinuity with a small step. */
	push_run(tl, 51, 0, 10, 5000000 + 3600 * TS_PCR_HZ + 60 * R, true);
	CU_ASSERT_EQUAL(pop_linear(tl, &t), 204);
	CU_ASSERT_EQUAL(pcr_stats(tl)->discontinuities, 3);
	pcr_free(tl);
}

static void test_no_pcr(void)
{
	pcr_timeline *tl = pcr_new(50, 500, 0);
	uint8_t p[TS_SIZE];
	uint64_t t;

	push_run(tl, 50, 1000, 10, 0, false);
	tsgen_null(p);
	CU_ASSERT_EQUAL(pcr_push(tl, p), -ENOBUFS);
	CU_ASSERT_EQUAL(pcr_pop(tl, p, &t), 0);
	CU_ASSERT_EQUAL(pcr_stats(tl)->dropped, 1);
	pcr_free(tl);
}

/* PCRs further apart than the ring holds (mpegtsmux after a big I-frame):
 * the ring grows and every packet is timed, none dropped. */
static void test_sparse_pcr(void)
{
	pcr_timeline *tl = pcr_new(50, 500, 0);
	uint8_t p[TS_SIZE];
	uint64_t t = 0, last = 0;
	int n = 0;

	push_run(tl, 201, 0, 200, 0, false);
	CU_ASSERT_EQUAL(pcr_stats(tl)->dropped, 0);
	while (pcr_pop(tl, p, &t) == 1) {
		CU_ASSERT(n == 0 || t > last);
		last = t;
		n++;
	}
	CU_ASSERT_EQUAL(n, 201);
	pcr_free(tl);
}

static void test_fallback(void)
{
	/* 8 Mb/s fallback: 188 * 8 * 27e6 / 8e6 = 5076 ticks per packet. */
	pcr_timeline *tl = pcr_new(50, 500, 8000000);
	uint8_t p[TS_SIZE];
	uint64_t t = 0;

	push_run(tl, 50, 1000, 10, 0, false);
	tsgen_null(p);
	CU_ASSERT_EQUAL(pcr_push(tl, p), -ENOBUFS); /* switches to free-running */
	CU_ASSERT_EQUAL(pop_linear(tl, &t), 50);
	/* From now on packets are timed on arrival. */
	CU_ASSERT_EQUAL(pcr_push(tl, p), 0);
	CU_ASSERT_EQUAL(pop_linear(tl, &t), 1);
	pcr_free(tl);
}

static void test_restart(void)
{
	pcr_timeline *tl = pcr_new(1000, 500, 0);
	uint64_t t = 0;

	push_run(tl, 25, 0, 10, 777, false);
	pcr_restart(tl); /* flushes 21..24 at the last rate */
	/* The new source has other PCR values and a PCR PID of its own. */
	push_run(tl, 31, 5, 10, 123456789, false);
	CU_ASSERT_EQUAL(pop_linear(tl, &t), 25 + 26);
	pcr_free(tl);
}

static void test_random_monotonic(void)
{
	pcr_timeline *tl = pcr_new(4000, 500, 0);
	struct tsgen_es es = { .pid = 0x41 };
	uint8_t p[TS_SIZE];
	uint64_t pcr = tu_rand() % TS_PCR_WRAP, last = 0, t, popped = 0, pushed = 0;

	for (int i = 0; i < 200000; i++) {
		unsigned r = (unsigned)tu_rand_below(1000);

		es.with_pcr = r < 50;
		es.disc = r == 7;
		if (r == 3) /* a jump anywhere */
			pcr = tu_rand() % TS_PCR_WRAP;
		pcr = (pcr + 1000 + tu_rand_below(10000)) % TS_PCR_WRAP;
		es.pcr = pcr;
		tsgen_es(p, &es);
		if (pcr_push(tl, p) == 0)
			pushed++;
		while (pcr_pop(tl, p, &t) == 1) {
			if (t < last)
				CU_FAIL("time went backwards");
			last = t;
			popped++;
		}
	}
	pcr_flush(tl);
	while (pcr_pop(tl, p, &t) == 1)
		popped++;
	CU_ASSERT_EQUAL(popped, pushed);
	pcr_free(tl);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "linear between PCRs", test_linear },
		{ "packets wait for the next PCR", test_waits_for_next_pcr },
		{ "33-bit wrap", test_wrap },
		{ "discontinuities", test_discontinuities },
		{ "no PCR, no fallback", test_no_pcr },
		{ "no PCR, fallback rate", test_fallback },
		{ "PCRs sparser than the ring", test_sparse_pcr },
		{ "source restart", test_restart },
		{ "random stream stays monotonic", test_random_monotonic },
		{ NULL, NULL },
	};
	return tu_add_suite("pcr", tests);
}
