/* Unit tests of tsin: framing over any chunking, losing and regaining
 * sync, garbage, malformed packets, continuity errors, and finding the
 * video's random access points through PAT and PMT. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tsgen.h"
#include "tsin.h"
#include "tu.h"

#define N 60

static uint8_t stream[N * TS_SIZE];
static int got, raps, pats;
static uint8_t seen[N * TS_SIZE];

static void collect(void *arg, const uint8_t *ts, bool rap, bool pat)
{
	(void)arg;
	if (got < N)
		memcpy(seen + (size_t)got * TS_SIZE, ts, TS_SIZE);
	got++;
	raps += rap;
	pats += pat;
}

/* PAT, PMT (video 0x41, audio 0x42), then video with a RAI on a PES start
 * every 20 packets (whose payload does not tell: the RAI counts) and
 * audio with a RAI every 7 (which must not count). */
static void build(void)
{
	struct tsgen_es v = { .pid = 0x41 }, a = { .pid = 0x42 };

	tsgen_pat(stream, 0x1000, 0);
	tsgen_pmt(stream + TS_SIZE, 0x1000, 0x41, 0x41, 0x42, 0);
	for (int i = 2; i < N; i++) {
		struct tsgen_es *es = i % 3 ? &v : &a;

		es->rai = es == &v ? i % 20 == 0 : i % 7 == 0;
		es->pusi = es == &v && es->rai;
		tsgen_es(stream + (size_t)i * TS_SIZE, es);
	}
}

static void reset(void)
{
	got = raps = pats = 0;
}

static void test_chunking(void)
{
	build();
	for (size_t chunk = 1; chunk <= 400; chunk += 37) {
		tsin *in = tsin_new();

		reset();
		for (size_t off = 0; off < sizeof(stream); off += chunk) {
			size_t n = sizeof(stream) - off < chunk ? sizeof(stream) - off : chunk;

			tsin_feed(in, stream + off, n, collect, NULL);
		}
		CU_ASSERT_EQUAL(got, N);
		CU_ASSERT_EQUAL(memcmp(seen, stream, sizeof(stream)), 0);
		CU_ASSERT_EQUAL(pats, 1);
		CU_ASSERT_EQUAL(raps, 2); /* video packets 20 and 40 */
		CU_ASSERT_EQUAL(tsin_stats(in)->video_pid, 0x41);
		CU_ASSERT_EQUAL(tsin_stats(in)->pmt_pid, 0x1000);
		CU_ASSERT_EQUAL(tsin_stats(in)->cc_errors, 0);
		CU_ASSERT_EQUAL(tsin_stats(in)->skipped, 0);
		tsin_free(in);
	}
}

static void test_resync(void)
{
	static uint8_t buf[sizeof(stream) + 100];
	tsin *in = tsin_new();

	build();
	/* 37 bytes of junk at the start, 63 in the middle. */
	memset(buf, 0x47, 37);
	memcpy(buf + 37, stream, 20 * TS_SIZE);
	memset(buf + 37 + 20 * TS_SIZE, 0x11, 63);
	memcpy(buf + 100 + 20 * TS_SIZE, stream + 20 * TS_SIZE, sizeof(stream) - 20 * TS_SIZE);
	reset();
	tsin_feed(in, buf, sizeof(buf), collect, NULL);
	CU_ASSERT_EQUAL(got, N);
	CU_ASSERT_EQUAL(tsin_stats(in)->skipped, 100);
	CU_ASSERT_EQUAL(tsin_stats(in)->sync_losses, 1);
	CU_ASSERT(tsin_synced(in));
	tsin_free(in);
}

static void test_garbage(void)
{
	static uint8_t junk[100000];
	tsin *in = tsin_new();

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)tu_rand();
	/* Make sync bytes common but never 188 apart three times. */
	for (size_t i = 0; i < sizeof(junk); i += 100)
		junk[i] = 0x47;
	for (size_t i = 0; i + 2 * TS_SIZE < sizeof(junk); i++)
		if (junk[i] == 0x47 && junk[i + TS_SIZE] == 0x47 && junk[i + 2 * TS_SIZE] == 0x47)
			junk[i + 2 * TS_SIZE] = 0;
	reset();
	CU_ASSERT_EQUAL(tsin_feed(in, junk, sizeof(junk), collect, NULL), 0);
	CU_ASSERT_EQUAL(got, 0);
	CU_ASSERT_FALSE(tsin_synced(in));
	CU_ASSERT(tsin_stats(in)->skipped > sizeof(junk) - 3 * TS_SIZE);
	tsin_free(in);
}

static void test_invalid_and_cc(void)
{
	tsin *in = tsin_new();
	uint8_t p[3 * TS_SIZE];
	struct tsgen_es v = { .pid = 0x41 };

	tsgen_es(p, &v);
	v.cc = 9; /* jump */
	tsgen_es(p + TS_SIZE, &v);
	tsgen_es(p + 2 * TS_SIZE, &v);
	p[2 * TS_SIZE + 3] &= 0xcf; /* reserved AFC: malformed */
	reset();
	tsin_feed(in, p, sizeof(p), collect, NULL);
	CU_ASSERT_EQUAL(got, 2);
	CU_ASSERT_EQUAL(tsin_stats(in)->cc_errors, 1);
	CU_ASSERT_EQUAL(tsin_stats(in)->invalid, 1);
	CU_ASSERT_EQUAL(tsin_stats(in)->last_error, TS_EAFC);
	/* A duplicate packet (same CC) is allowed once. */
	reset();
	tsin_reset(in);
	memcpy(p + TS_SIZE, p, TS_SIZE);
	tsin_feed(in, p, 2 * TS_SIZE, collect, NULL);
	CU_ASSERT_EQUAL(tsin_stats(in)->cc_errors, 1);
	tsin_free(in);
}

/* The video says where it may be entered; the RAI only where it cannot. */
static void test_es_rap(void)
{
	static const uint8_t idr[] = { 0, 0, 0, 1, 0x09, 0xf0, 0, 0, 1, 0x65, 0x88, 0x84 };
	static const uint8_t pic_p[] = { 0, 0, 0, 1, 0x09, 0x30, 0, 0, 1, 0x41, 0x98, 0x84 };
	struct tsgen_pes h = { 0xe0, true, false, 900, 0 };
	struct tsgen_es v = { .pid = 0x41 };
	uint8_t p[4 * TS_SIZE];
	tsin *in = tsin_new();

	tsgen_pat(p, 0x1000, 0);
	tsgen_pmt(p + TS_SIZE, 0x1000, 0x41, 0x41, 0x42, 0);
	tsgen_pes(p + 2 * TS_SIZE, &v, &h, idr, sizeof(idr)); /* no RAI: a RAP all the same */
	v.rai = true;
	tsgen_pes(p + 3 * TS_SIZE, &v, &h, pic_p, sizeof(pic_p)); /* a loose RAI: none */
	reset();
	tsin_feed(in, p, sizeof(p), collect, NULL);
	CU_ASSERT_EQUAL(got, 4);
	CU_ASSERT_EQUAL(raps, 1);
	CU_ASSERT_EQUAL(tsin_stats(in)->raps, 1);
	CU_ASSERT_EQUAL(tsin_stats(in)->rai_refused, 1);
	CU_ASSERT_EQUAL(tsin_stats(in)->video_type, 0x1b);
	CU_ASSERT(tsin_rap(in, p + 2 * TS_SIZE));
	CU_ASSERT_FALSE(tsin_rap(in, p + 3 * TS_SIZE));
	tsin_free(in);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "any chunking", test_chunking },
		{ "junk and resync", test_resync },
		{ "garbage never syncs", test_garbage },
		{ "malformed packets and CC errors", test_invalid_and_cc },
		{ "random access points from the video", test_es_rap },
		{ NULL, NULL },
	};
	return tu_add_suite("tsin", tests);
}
