/* Unit tests of ts_splice: nothing changes before the first cut; after
 * one, PCR and PTS/DTS continue the output's timeline (by packets, or by
 * the wall clock when that is longer), across the 33-bit wrap, without a
 * stream going back in time; continuity counters continue per PID; PAT
 * and PMT versions move on with a correct CRC. */
#include "config.h"

#include <string.h>

#include "ts.h"
#include "ts_es.h"
#include "ts_splice.h"
#include "tsgen.h"
#include "tu.h"

#define VPID 0x100
#define APID 0x101
#define RATE 27000 /* 27 MHz ticks per packet in these streams: 1 ms */

/* A stream of packets: PCR on the video every 10th packet, a video PES
 * start with PTS = PCR/300 + lead every 100th (with a PCR), an audio PES
 * start 55 packets later, video in between. */
struct gen {
	struct tsgen_es v, a;
	uint64_t pcr0;
	uint64_t lead_v, lead_a; /* 90 kHz ahead of the PCR */
	unsigned n;
};

static void next(struct gen *g, uint8_t *p)
{
	uint64_t pcr = (g->pcr0 + (uint64_t)g->n * RATE) % TS_PCR_WRAP;
	static const uint8_t data[] = { 0, 0, 1, 0x09, 0xf0 };

	g->v.pid = VPID;
	g->a.pid = APID;
	if (g->n % 100 == 0) {
		struct tsgen_pes h = { 0xe0, true, true, (pcr / 300 + g->lead_v) % TS_PTS_WRAP,
				       (pcr / 300 + g->lead_v - 1) % TS_PTS_WRAP };

		g->v.with_pcr = true;
		g->v.pcr = pcr;
		tsgen_pes(p, &g->v, &h, data, sizeof(data));
		g->v.with_pcr = false;
	} else if (g->n % 10 == 0) {
		g->v.pusi = false;
		g->v.with_pcr = true;
		g->v.pcr = pcr;
		tsgen_es(p, &g->v);
		g->v.with_pcr = false;
	} else if (g->n % 100 == 55) {
		struct tsgen_pes h = { 0xc0, true, false, (pcr / 300 + g->lead_a) % TS_PTS_WRAP, 0 };

		tsgen_pes(p, &g->a, &h, data, sizeof(data));
	} else {
		g->v.pusi = false;
		tsgen_es(p, &g->v);
	}
	g->n++;
}

static void through(ts_splice *sp, uint8_t *p, uint64_t now)
{
	ts_splice_input(sp, p);
	ts_splice_output(sp, p, now);
}

static void test_untouched(void)
{
	ts_splice *sp = ts_splice_new();
	struct gen g = { .pcr0 = 12345 * 300, .lead_v = 9000, .lead_a = 9000 };
	uint8_t p[TS_SIZE], q[TS_SIZE];

	for (int i = 0; i < 100; i++) {
		next(&g, p);
		memcpy(q, p, TS_SIZE);
		through(sp, p, 0);
		CU_ASSERT_EQUAL(memcmp(p, q, TS_SIZE), 0);
	}
	tsgen_pat(p, 0x1000, 3);
	memcpy(q, p, TS_SIZE);
	through(sp, p, 0);
	CU_ASSERT_EQUAL(memcmp(p, q, TS_SIZE), 0);
	ts_splice_free(sp);
}

/* Run A for na packets, cut, then B; check the output across the cut.
 * gap_ns: the wall-clock time between A's last and B's first packet. */
static void splice(uint64_t a0, uint64_t b0, uint64_t gap_ns, uint64_t want_step)
{
	ts_splice *sp = ts_splice_new();
	struct gen a = { .pcr0 = a0, .lead_v = 9000, .lead_a = 9000 };
	struct gen b = { .pcr0 = b0, .lead_v = 9000, .lead_a = 9000, .v = { .cc = 9 }, .a = { .cc = 2 } };
	uint8_t p[TS_SIZE], cc[2] = { 0 };
	uint64_t pcr, last_pcr = 0, now = 1000000000, last_pts[2] = { 0 }, in_pcr = 0, in_pts;
	bool first = true;

	for (int i = 0; i < 95; i++, now += 1000) {
		next(&a, p);
		through(sp, p, now);
		if (ts_pcr(p, &pcr))
			last_pcr = pcr;
		cc[ts_pid(p) == APID] = ts_cc(p);
	}
	ts_splice_cut(sp);
	now += gap_ns;
	for (int i = 0; i < 200; i++, now += 1000) {
		struct ts_pes pes;
		const uint8_t *start;
		int k;

		next(&b, p);
		in_pcr = ts_pcr(p, &pcr) ? pcr : 0;
		in_pts = ts_es_pes(p, &pes, &start) == 0 ? pes.pts : 0;
		through(sp, p, now);
		k = ts_pid(p) == APID;
		CU_ASSERT_EQUAL(ts_cc(p), (cc[k] + 1) & 0xf);
		cc[k] = ts_cc(p);
		if (in_pcr && ts_pcr(p, &pcr)) {
			uint64_t step = (pcr + TS_PCR_WRAP - last_pcr) % TS_PCR_WRAP;

			/* B's first packet has a PCR: it comes right after. */
			CU_ASSERT(first ? step <= want_step && step + 300 > want_step : step == 10 * RATE);
			first = false;
			last_pcr = pcr;
		}
		if (in_pts && ts_es_pes(p, &pes, &start) == 0) {
			/* PTS shifted as the PCR: the lead over the PCR stays. */
			CU_ASSERT_EQUAL((pes.pts + TS_PTS_WRAP - last_pcr / 300) % TS_PTS_WRAP,
					ts_pid(p) == VPID ? 9000 : 9000 + 5 * RATE / 300);
			CU_ASSERT(pes.pts != last_pts[k]);
			last_pts[k] = pes.pts;
		}
	}
	CU_ASSERT_EQUAL(ts_splice_stats(sp)->cuts, 1);
	ts_splice_free(sp);
}

static void test_cut(void)
{
	/* A's last PCR at packet 90, four more packets: 5 packets on. */
	splice(27000000, 99 * 27000000ULL, 0, 5 * RATE);
	splice(99 * 27000000ULL, 27000000, 0, 5 * RATE);
}

static void test_wall_clock(void)
{
	/* Two seconds passed: the output's clock follows. */
	splice(27000000, 5 * 27000000ULL, 2000000000, 2 * 27000000ULL + 5 * 1000 * 27 / 1000);
}

static void test_wrap(void)
{
	splice(TS_PCR_WRAP - 50 * RATE, 27000000, 0, 5 * RATE);
	splice(27000000, TS_PCR_WRAP - 50 * RATE - 7, 0, 5 * RATE);
}

/* B's audio lags its PCR by far less than A's did: the offset grows so
 * that A's last audio PTS is not followed by an earlier one. */
static void test_keep_order(void)
{
	ts_splice *sp = ts_splice_new();
	struct gen a = { .pcr0 = 27000000, .lead_v = 9000, .lead_a = 90000 };
	struct gen b = { .pcr0 = 5 * 27000000ULL, .lead_v = 9000, .lead_a = 0 };
	uint8_t p[TS_SIZE];
	uint64_t last_a = 0;
	struct ts_pes pes;
	const uint8_t *start;

	for (int i = 0; i < 96; i++) {
		next(&a, p);
		through(sp, p, 0);
		if (ts_pid(p) == APID && ts_es_pes(p, &pes, &start) == 0)
			last_a = pes.pts;
	}
	ts_splice_cut(sp);
	/* B's input before its start (an audio PES among it): seen, not
	 * handed on. */
	for (int i = 0; i < 60; i++) {
		next(&b, p);
		ts_splice_input(sp, p);
	}
	for (int i = 0; i < 300; i++) {
		next(&b, p);
		through(sp, p, 0);
		if (ts_pid(p) == APID && ts_es_pes(p, &pes, &start) == 0) {
			CU_ASSERT(pes.pts >= last_a + 3600);
			last_a = pes.pts;
		}
	}
	CU_ASSERT(ts_splice_stats(sp)->last_jump27 > 80000 * 300);
	ts_splice_free(sp);
}

static void test_psi_versions(void)
{
	ts_splice *sp = ts_splice_new();
	uint8_t p[TS_SIZE];
	uint16_t pmt_pid;
	struct ts_pmt pmt;

	tsgen_pat(p, 0x1000, 0);
	through(sp, p, 0);
	tsgen_pmt(p, 0x1000, VPID, VPID, APID, 0);
	through(sp, p, 0);
	CU_ASSERT_EQUAL(ts_psi_version(p), 0);
	for (int cut = 1; cut <= 33; cut++) {
		ts_splice_cut(sp);
		for (int k = 0; k < 2; k++) {
			tsgen_pat(p, 0x1000, 5);
			through(sp, p, 0);
			CU_ASSERT_EQUAL(ts_psi_version(p), cut % 32);
			CU_ASSERT_EQUAL(ts_pat_first_pmt(p, &pmt_pid), 0);
			tsgen_pmt(p, 0x1000, VPID, VPID, APID, 5);
			through(sp, p, 0);
			CU_ASSERT_EQUAL(ts_psi_version(p), cut % 32);
			CU_ASSERT_EQUAL(ts_pmt_parse(p, &pmt), 0);
		}
	}
	ts_splice_free(sp);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "untouched before a cut", test_untouched },
		{ "a cut continues PCR, PTS and CC", test_cut },
		{ "the wall clock across a long zap", test_wall_clock },
		{ "the 33-bit wrap", test_wrap },
		{ "no stream goes back in time", test_keep_order },
		{ "PAT and PMT versions move on", test_psi_versions },
		{ NULL, NULL },
	};
	return tu_add_suite("ts_splice", tests);
}
