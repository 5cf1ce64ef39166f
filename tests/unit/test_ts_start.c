/* Unit tests of ts_start: an output starts at a random access point with
 * PAT and PMT first, other streams at their next PES start; outputs are
 * independent; a zap holds the new channel back until its RAP and, with a
 * splice, keeps counters and clocks continuous. Synthetic channels from
 * tsgen_chan; real encoders' streams are in tests/integration/ts_start.sh. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ts.h"
#include "ts_es.h"
#include "ts_start.h"
#include "tsgen.h"
#include "tu.h"

#define MAXPKT 4000

/* What an output got. */
struct sink {
	uint8_t *b;
	size_t n; /* packets */
};

static void emit(void *arg, const uint8_t *ts, size_t len)
{
	struct sink *k = arg;

	CU_ASSERT_EQUAL_FATAL(len % TS_SIZE, 0);
	CU_ASSERT_FATAL(k->n + len / TS_SIZE <= MAXPKT);
	memcpy(k->b + k->n * TS_SIZE, ts, len);
	k->n += len / TS_SIZE;
}

static void sink_init(struct sink *k)
{
	k->b = malloc((size_t)MAXPKT * TS_SIZE);
	k->n = 0;
}

static const uint8_t *pkt(const struct sink *k, size_t i)
{
	return k->b + i * TS_SIZE;
}

static struct tsgen_chan chan_a(void)
{
	return (struct tsgen_chan){ .pmt_pid = 0x1000, .video_pid = 0x100, .audio_pid = 0x101, .video_type = 0x1b,
				    .gop = 5, .frame_pkts = 4, .pts0 = 90000 };
}

/* Make n packets of c into buf; kinds[i] says what each is. */
static void make(struct tsgen_chan *c, uint8_t *buf, char *kinds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		kinds[i] = tsgen_chan_next(c, buf + i * TS_SIZE);
}

/* Feed buf in chunks of `chunk` packets to st, every output taking its part. */
static void run(ts_start *st, uint8_t *buf, size_t n, size_t chunk, struct ts_start_out *o, struct sink *k,
		size_t nout)
{
	for (size_t i = 0; i < n; i += chunk) {
		size_t m = n - i < chunk ? n - i : chunk;

		CU_ASSERT_EQUAL(ts_start_feed(st, buf + i * TS_SIZE, m * TS_SIZE, 0), m * TS_SIZE);
		for (size_t j = 0; j < nout; j++)
			ts_start_out(st, &o[j], emit, &k[j]);
	}
}

/* Index of the first packet of kind want at or after i, or n. */
static size_t find(const char *kinds, size_t n, size_t i, char want)
{
	while (i < n && kinds[i] != want)
		i++;
	return i;
}

static void test_start_at_rap(void)
{
	struct tsgen_chan c = chan_a();
	static uint8_t buf[200 * TS_SIZE], copy[200 * TS_SIZE];
	char kinds[200];
	struct ts_start_out o = { 0 };
	struct sink k;
	ts_start *st = ts_start_new(false);
	size_t first, rap, aud;

	sink_init(&k);
	make(&c, buf, kinds, 200);
	memcpy(copy, buf, sizeof(buf));
	/* Start in the middle of the first GOP: after its PAT, PMT and RAP. */
	first = find(kinds, 200, 0, 'I') + 5;
	run(st, buf + first * TS_SIZE, 200 - first, 7, &o, &k, 1);
	rap = find(kinds, 200, first, 'I');
	CU_ASSERT_FATAL(rap < 200);
	CU_ASSERT(k.n > 3);
	CU_ASSERT_EQUAL(ts_pid(pkt(&k, 0)), TS_PID_PAT);
	CU_ASSERT_EQUAL(ts_pid(pkt(&k, 1)), 0x1000);
	/* The copies lead into the next PAT and PMT of the stream: these
	 * came right before the RAP, so the copies are them, CC and all. */
	CU_ASSERT_EQUAL(memcmp(pkt(&k, 0), copy + (rap - 2) * TS_SIZE, TS_SIZE), 0);
	CU_ASSERT_EQUAL(memcmp(pkt(&k, 1), copy + (rap - 1) * TS_SIZE, TS_SIZE), 0);
	CU_ASSERT_EQUAL(memcmp(pkt(&k, 2), copy + rap * TS_SIZE, TS_SIZE), 0);
	CU_ASSERT_EQUAL(ts_es_rap(pkt(&k, 2), 0x1b), TS_ES_RAP);
	/* Audio: its first packet out starts a PES. */
	for (aud = 3; aud < k.n && ts_pid(pkt(&k, aud)) != 0x101; aud++)
		;
	CU_ASSERT_FATAL(aud < k.n);
	CU_ASSERT(ts_pusi(pkt(&k, aud)));
	/* From there on, every packet of the stream, unchanged. */
	CU_ASSERT_EQUAL(k.n, 2 + (200 - rap) - (kinds[rap + 1] == 'a'));
	CU_ASSERT_EQUAL(ts_start_stats(st)->video_pid, 0x100);
	CU_ASSERT_EQUAL(ts_start_stats(st)->video_type, 0x1b);
	ts_start_free(st);
	free(k.b);
}

/* Audio starts at its PES start even when the RAP cuts an audio PES. */
static void test_audio_waits_for_pes(void)
{
	struct tsgen_chan c = chan_a();
	static uint8_t buf[100 * TS_SIZE];
	char kinds[100];
	struct ts_start_out o = { 0 };
	struct sink k;
	ts_start *st = ts_start_new(false);
	size_t rap, i;

	sink_init(&k);
	c.frame_pkts = 3; /* three audio packets a frame: PES starts drift */
	make(&c, buf, kinds, 100);
	rap = find(kinds, 100, 10, 'I');
	CU_ASSERT_FATAL(rap + 1 < 100 && kinds[rap + 1] == 'a');
	run(st, buf + 10 * TS_SIZE, 90, 7, &o, &k, 1);
	for (i = 0; i < k.n && ts_pid(pkt(&k, i)) != 0x101; i++)
		;
	CU_ASSERT_FATAL(i < k.n);
	CU_ASSERT(ts_pusi(pkt(&k, i)));
	CU_ASSERT_EQUAL(k.n, 2 + (100 - rap) - 1);
	ts_start_free(st);
	free(k.b);
}

/* A muxer that sets RAI on every picture: only the IDRs are starts. */
static void test_loose_rai(void)
{
	struct tsgen_chan c = chan_a();
	static uint8_t buf[120 * TS_SIZE];
	char kinds[120];
	struct ts_start_out o = { 0 };
	struct sink k;
	ts_start *st = ts_start_new(false);
	size_t f;

	sink_init(&k);
	c.rai_on_p = true;
	make(&c, buf, kinds, 120);
	f = find(kinds, 120, find(kinds, 120, 0, 'I'), 'F');
	run(st, buf + f * TS_SIZE, 120 - f, 7, &o, &k, 1);
	CU_ASSERT_FATAL(k.n > 2);
	CU_ASSERT_EQUAL(ts_es_rap(pkt(&k, 2), 0x1b), TS_ES_RAP);
	CU_ASSERT(ts_start_stats(st)->rai_refused > 0);
	CU_ASSERT_EQUAL(ts_start_stats(st)->rai_only, 0);
	ts_start_free(st);
	free(k.b);
}

/* Outputs are independent, and chunking changes nothing. */
static void test_outputs_and_chunks(void)
{
	struct tsgen_chan c = chan_a();
	static uint8_t orig[600 * TS_SIZE], buf[600 * TS_SIZE];
	char kinds[600];
	struct sink k[3], ref;
	struct ts_start_out o[3] = { { 0 } }, ro = { 0 };
	ts_start *st;

	make(&c, orig, kinds, 600);
	sink_init(&ref);
	for (int j = 0; j < 3; j++)
		sink_init(&k[j]);
	memcpy(buf, orig, sizeof(buf));
	st = ts_start_new(false);
	run(st, buf, 600, 1, &ro, &ref, 1);
	ts_start_free(st);
	/* Output 0 from the start, 1 joins later, 2 joins, leaves and joins
	 * again; random chunks. */
	memcpy(buf, orig, sizeof(buf));
	st = ts_start_new(true);
	for (size_t i = 0; i < 600;) {
		size_t m = 1 + tu_rand_below(TS_START_MAX + 20);

		i += ts_start_feed(st, buf + i * TS_SIZE, (m < 600 - i ? m : 600 - i) * TS_SIZE, 0) / TS_SIZE;
		ts_start_out(st, &o[0], emit, &k[0]);
		if (i > 250)
			ts_start_out(st, &o[1], emit, &k[1]);
		if (i > 100 && (i < 300 || i > 400))
			ts_start_out(st, &o[2], emit, &k[2]);
		if (i >= 300 && i < 400) {
			ts_start_out_reset(&o[2]);
			k[2].n = 0;
		}
	}
	CU_ASSERT_EQUAL(k[0].n, ref.n);
	CU_ASSERT_EQUAL(memcmp(k[0].b, ref.b, ref.n * TS_SIZE), 0);
	for (int j = 1; j < 3; j++) {
		CU_ASSERT_FATAL(k[j].n > 2 && k[j].n < ref.n);
		CU_ASSERT_EQUAL(ts_pid(pkt(&k[j], 0)), TS_PID_PAT);
		CU_ASSERT_EQUAL(ts_pid(pkt(&k[j], 1)), 0x1000);
		CU_ASSERT_EQUAL(ts_es_rap(pkt(&k[j], 2), 0x1b), TS_ES_RAP);
		/* ... and then the same packets as the first output. */
		CU_ASSERT_EQUAL(memcmp(pkt(&k[j], 3), pkt(&ref, ref.n - k[j].n + 3), (k[j].n - 3) * TS_SIZE), 0);
	}
	ts_start_free(st);
	for (int j = 0; j < 3; j++)
		free(k[j].b);
	free(ref.b);
}

/* Continuity counters of an output: +1 per packet with payload per PID. */
static unsigned cc_errors(const struct sink *k)
{
	static uint8_t last[8192];
	unsigned errors = 0;

	memset(last, 0xff, sizeof(last));
	for (size_t i = 0; i < k->n; i++) {
		const uint8_t *p = pkt(k, i);
		uint16_t pid = ts_pid(p);

		if (last[pid] != 0xff && ts_cc(p) != ((last[pid] + 1) & 0xf))
			errors++;
		last[pid] = ts_cc(p);
	}
	return errors;
}

static void zap(bool splice)
{
	struct tsgen_chan a = chan_a(), b = chan_a();
	static uint8_t ba[300 * TS_SIZE], bb[300 * TS_SIZE];
	char ka[300], kb[300];
	struct ts_start_out o = { 0 };
	struct sink k;
	ts_start *st = ts_start_new(splice);
	size_t before, rap_b, i;
	uint64_t pcr, last_pcr = 0, last_v = 0, last_a = 0;
	int pat_ver = -1;

	sink_init(&k);
	b.pts0 = 5000000; /* another encoder's clock */
	b.cc_pat = 7;
	b.v.cc = 3;
	make(&a, ba, ka, 300);
	make(&b, bb, kb, 300);
	run(st, ba, 150, 7, &o, &k, 1);
	before = k.n;
	ts_start_zap(st);
	/* Start B in the middle of a GOP, with a cut audio PES first. */
	run(st, bb + 13 * TS_SIZE, 287, 7, &o, &k, 1);
	rap_b = find(kb, 300, 13, 'I');
	CU_ASSERT_EQUAL(ts_start_stats(st)->held, rap_b - 13);
	if (splice) {
		/* The old video ends its sequence (H.264 NAL 10). */
		const uint8_t *p = pkt(&k, before++);

		CU_ASSERT_EQUAL(ts_pid(p), 0x100);
		CU_ASSERT(ts_pusi(p));
		CU_ASSERT_EQUAL(memcmp(p + TS_SIZE - 5, "\0\0\0\1\x0a", 5), 0);
	}
	CU_ASSERT_EQUAL(ts_pid(pkt(&k, before)), TS_PID_PAT);
	CU_ASSERT_EQUAL(ts_pid(pkt(&k, before + 1)), 0x1000);
	CU_ASSERT_EQUAL(ts_es_rap(pkt(&k, before + 2), 0x1b), TS_ES_RAP);
	CU_ASSERT_EQUAL(k.n, before + 2 + (300 - rap_b) - (kb[rap_b + 1] == 'a'));
	if (!splice) {
		CU_ASSERT(cc_errors(&k) > 0);
		goto out;
	}
	CU_ASSERT_EQUAL(cc_errors(&k), 0);
	for (i = 0; i < k.n; i++) {
		const uint8_t *p = pkt(&k, i);
		struct ts_pes pes;
		const uint8_t *start;

		if (ts_pid(p) == TS_PID_PAT) {
			int v = ts_psi_version(p);
			uint16_t pmt;

			CU_ASSERT(ts_pat_first_pmt(p, &pmt) == 0); /* CRC still right */
			CU_ASSERT(pat_ver < 0 || v == pat_ver || (i == before && v == pat_ver + 1));
			CU_ASSERT(i != before || v == pat_ver + 1);
			pat_ver = v;
		}
		if (ts_pcr(p, &pcr)) {
			/* one frame (3600 * 300) apart, and a few packets at the zap */
			CU_ASSERT(!last_pcr || (pcr > last_pcr && pcr - last_pcr <= 3600 * 300 * 2));
			last_pcr = pcr;
		}
		if (ts_es_pes(p, &pes, &start) == 0 && pes.has_pts) {
			uint64_t *last = ts_pid(p) == 0x100 ? &last_v : &last_a;

			/* tsgen_chan's audio PES of one frame share a PTS */
			CU_ASSERT(ts_pid(p) == 0x100 ? pes.pts > *last : pes.pts >= *last);
			*last = pes.pts;
		}
	}
	CU_ASSERT_EQUAL(ts_start_splice_stats(st)->cuts, 1);
out:
	ts_start_free(st);
	free(k.b);
}

static void test_zap_splice(void)
{
	zap(true);
}

static void test_zap_no_splice(void)
{
	zap(false);
}

/* Audio alone: a start at the next audio PES. */
static void test_radio(void)
{
	struct tsgen_chan c = chan_a();
	static uint8_t buf[60 * TS_SIZE];
	char kinds[60];
	struct ts_start_out o = { 0 };
	struct sink k;
	ts_start *st = ts_start_new(false);

	c.video_type = 0;
	sink_init(&k);
	make(&c, buf, kinds, 60);
	run(st, buf, 60, 7, &o, &k, 1);
	CU_ASSERT_EQUAL(ts_start_stats(st)->video_pid, -1);
	CU_ASSERT_FATAL(k.n > 3);
	CU_ASSERT_EQUAL(ts_pid(pkt(&k, 2)), 0x101);
	CU_ASSERT(ts_pusi(pkt(&k, 2)));
	ts_start_free(st);
	free(k.b);
}

/* No PAT or PMT: no start, whatever the video says. */
static void test_no_psi(void)
{
	struct tsgen_chan c = chan_a();
	static uint8_t buf[60 * TS_SIZE];
	char kinds[60];
	struct ts_start_out o = { 0 };
	struct sink k;
	ts_start *st = ts_start_new(false);
	size_t j = 0;

	sink_init(&k);
	make(&c, buf, kinds, 60);
	for (size_t i = 0; i < 60; i++)
		if (kinds[i] != 'P')
			memmove(buf + j++ * TS_SIZE, buf + i * TS_SIZE, TS_SIZE);
	run(st, buf, j, 7, &o, &k, 1);
	CU_ASSERT_EQUAL(k.n, 0);
	CU_ASSERT_EQUAL(ts_start_feed(st, buf, 100, 0), 0);
	ts_start_free(st);
	free(k.b);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "an output starts at a RAP, PAT and PMT first", test_start_at_rap },
		{ "audio begins at its PES start", test_audio_waits_for_pes },
		{ "a loose RAI is no start", test_loose_rai },
		{ "independent outputs, any chunking", test_outputs_and_chunks },
		{ "a zap, spliced", test_zap_splice },
		{ "a zap, not spliced", test_zap_no_splice },
		{ "a radio channel", test_radio },
		{ "no start without PAT", test_no_psi },
		{ NULL, NULL },
	};
	return tu_add_suite("ts_start", tests);
}
