/* Unit tests of ts_es: PES headers and timestamps, and random access
 * points of H.264, HEVC and MPEG-2 video read from hand-made access units
 * (the real encoders' streams are in tests/integration/ts_start.sh). */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "ts.h"
#include "ts_es.h"
#include "tsgen.h"
#include "tu.h"

#define VPID 0x100

static const struct tsgen_pes video = { 0xe0, true, true, 900000, 896400 };

/* One PES-starting video packet with this access unit. */
static void au(uint8_t *p, const uint8_t *data, size_t len, bool rai)
{
	struct tsgen_es es = { .pid = VPID, .rai = rai };

	CU_ASSERT_EQUAL(tsgen_pes(p, &es, &video, data, len), len);
	CU_ASSERT_EQUAL(ts_check(p), TS_OK);
}

static enum ts_es_rap classify(uint8_t type, const uint8_t *data, size_t len)
{
	uint8_t p[TS_SIZE];

	au(p, data, len, false);
	return ts_es_rap(p, type);
}

static void test_pes(void)
{
	uint8_t p[TS_SIZE], data[4] = { 0, 0, 1, 9 };
	struct tsgen_es es = { .pid = VPID };
	struct tsgen_pes h = { 0xe0, true, true, TS_PTS_WRAP - 1, 123456789 };
	struct ts_pes pes;
	const uint8_t *start;

	tsgen_pes(p, &es, &h, data, sizeof(data));
	CU_ASSERT_EQUAL(ts_es_pes(p, &pes, &start), 0);
	CU_ASSERT_EQUAL(pes.stream_id, 0xe0);
	CU_ASSERT_EQUAL(pes.header_len, 19);
	CU_ASSERT(pes.has_pts && pes.has_dts);
	CU_ASSERT_EQUAL(pes.pts, TS_PTS_WRAP - 1);
	CU_ASSERT_EQUAL(pes.dts, 123456789);
	CU_ASSERT_EQUAL(start + pes.header_len, p + TS_SIZE - sizeof(data));
	CU_ASSERT_FALSE(pes.scrambled);
	/* Rewriting keeps the prefix nibbles ('0011' PTS, '0001' DTS). */
	ts_pes_put_ts((uint8_t *)start + pes.pts_off, 42);
	ts_pes_put_ts((uint8_t *)start + pes.dts_off, TS_PTS_WRAP - 2);
	CU_ASSERT_EQUAL(ts_es_pes(p, &pes, &start), 0);
	CU_ASSERT_EQUAL(pes.pts, 42);
	CU_ASSERT_EQUAL(pes.dts, TS_PTS_WRAP - 2);
	CU_ASSERT_EQUAL(start[9] >> 4, 3);
	CU_ASSERT_EQUAL(start[14] >> 4, 1);
	/* PTS only. */
	h.has_dts = false;
	tsgen_pes(p, &es, &h, data, sizeof(data));
	CU_ASSERT_EQUAL(ts_es_pes(p, &pes, &start), 0);
	CU_ASSERT(pes.has_pts && !pes.has_dts);
	CU_ASSERT_EQUAL(pes.header_len, 14);
	/* No PUSI. */
	es.pusi = false;
	tsgen_es(p, &es);
	CU_ASSERT_EQUAL(ts_es_pes(p, &pes, &start), -EAGAIN);
}

static void test_pes_hostile(void)
{
	uint8_t b[32] = { 0, 0, 1, 0xe0, 0, 0, 0x80, 0xc0, 10 };
	struct ts_pes pes;

	CU_ASSERT_EQUAL(ts_pes_parse(b, 5, &pes), -EMSGSIZE);
	CU_ASSERT_EQUAL(ts_pes_parse(b, 19, &pes), 0);
	CU_ASSERT_EQUAL(ts_pes_parse(b, 18, &pes), -EMSGSIZE); /* header longer than the bytes */
	b[8] = 9;                                              /* too short for PTS and DTS */
	CU_ASSERT_EQUAL(ts_pes_parse(b, sizeof(b), &pes), -EBADMSG);
	b[8] = 10;
	b[7] = 0x40; /* DTS without PTS */
	CU_ASSERT_EQUAL(ts_pes_parse(b, sizeof(b), &pes), -EBADMSG);
	b[7] = 0;
	b[6] = 0x40; /* not '10' */
	CU_ASSERT_EQUAL(ts_pes_parse(b, sizeof(b), &pes), -EBADMSG);
	b[6] = 0x90; /* scrambled */
	CU_ASSERT_EQUAL(ts_pes_parse(b, sizeof(b), &pes), 0);
	CU_ASSERT(pes.scrambled);
	b[3] = 0xbe; /* padding: no optional header */
	CU_ASSERT_EQUAL(ts_pes_parse(b, sizeof(b), &pes), -ENOMSG);
	CU_ASSERT_EQUAL(pes.header_len, 6);
	b[2] = 2;
	CU_ASSERT_EQUAL(ts_pes_parse(b, sizeof(b), &pes), -EBADMSG);
}

static void test_timestamps(void)
{
	uint8_t f[5] = { 0x20 };

	for (int i = 0; i < 1000; i++) {
		uint64_t t = tu_rand_below(TS_PTS_WRAP);

		ts_pes_put_ts(f, t);
		CU_ASSERT_EQUAL(ts_pes_get_ts(f), t);
		CU_ASSERT_EQUAL(f[0] >> 4, 2);
		CU_ASSERT((f[0] & 1) && (f[2] & 1) && (f[4] & 1));
	}
}

/* H.264 units: AUD, SPS, PPS, and slices whose header starts with
 * first_mb_in_slice 0 ('1') and slice_type (ue). */
#define AUD 0, 0, 0, 1, 0x09, 0xf0
#define SPS 0, 0, 0, 1, 0x67, 0x42, 0xc0, 0x1e, 0xd9
#define PPS 0, 0, 0, 1, 0x68, 0xce, 0x3c, 0x80
#define IDR(t) 0, 0, 1, 0x65, t, 0x84, 0x00
#define SLICE(t) 0, 0, 1, 0x41, t, 0x84, 0x00
#define I7 0x88 /* 1 0001000: type 7 */
#define I2 0xb0 /* 1 011: type 2 */
#define P5 0x98 /* 1 00110: type 5 */
#define B6 0x9c /* 1 00111: type 6 */

static void test_h264(void)
{
	static const uint8_t idr[] = { AUD, SPS, PPS, IDR(I7) };
	static const uint8_t idr_bare[] = { IDR(I7) };
	static const uint8_t open_i[] = { AUD, SPS, PPS, SLICE(I7) };
	static const uint8_t open_i2[] = { SPS, PPS, SLICE(I2) };
	static const uint8_t i_no_sps[] = { AUD, SLICE(I7) };
	static const uint8_t p_with_sps[] = { AUD, SPS, PPS, SLICE(P5) };
	static const uint8_t p[] = { AUD, SLICE(P5) };
	static const uint8_t b[] = { AUD, SLICE(B6) };
	static const uint8_t cut[] = { AUD, SPS, PPS, 0, 0, 1, 0x41 };
	static const uint8_t part[] = { AUD, 0, 0, 1, 0x22, 0x88 };

	CU_ASSERT_EQUAL(classify(0x1b, idr, sizeof(idr)), TS_ES_RAP);
	CU_ASSERT_EQUAL(classify(0x1b, idr_bare, sizeof(idr_bare)), TS_ES_RAP);
	CU_ASSERT_EQUAL(classify(0x1b, open_i, sizeof(open_i)), TS_ES_RAP);
	CU_ASSERT_EQUAL(classify(0x1b, open_i2, sizeof(open_i2)), TS_ES_RAP);
	CU_ASSERT_EQUAL(classify(0x1b, i_no_sps, sizeof(i_no_sps)), TS_ES_NOT_RAP);
	CU_ASSERT_EQUAL(classify(0x1b, p_with_sps, sizeof(p_with_sps)), TS_ES_NOT_RAP);
	CU_ASSERT_EQUAL(classify(0x1b, p, sizeof(p)), TS_ES_NOT_RAP);
	CU_ASSERT_EQUAL(classify(0x1b, b, sizeof(b)), TS_ES_NOT_RAP);
	/* The slice header is cut by the end of the packet. */
	CU_ASSERT_EQUAL(classify(0x1b, cut, sizeof(cut)), TS_ES_UNKNOWN);
	CU_ASSERT_EQUAL(classify(0x1b, part, sizeof(part)), TS_ES_NOT_RAP);
}

/* An SEI longer than the packet: the picture is not in it. */
static void test_h264_long_sei(void)
{
	uint8_t data[200] = { AUD, SPS, PPS, 0, 0, 1, 0x06, 0x05, 0xff };
	uint8_t pkt[TS_SIZE];

	memset(data + 24, 0x55, sizeof(data) - 24);
	au(pkt, data, 160, false);
	CU_ASSERT_EQUAL(ts_es_rap(pkt, 0x1b), TS_ES_UNKNOWN);
	CU_ASSERT_FALSE(ts_es_is_rap(pkt, 0x1b));
	/* Then the muxer's word counts. */
	au(pkt, data, 150, true);
	CU_ASSERT_EQUAL(ts_es_rap(pkt, 0x1b), TS_ES_UNKNOWN);
	CU_ASSERT(ts_es_is_rap(pkt, 0x1b));
}

/* The RAI is only believed when the stream cannot tell. */
static void test_loose_rai(void)
{
	static const uint8_t p[] = { AUD, SLICE(P5) };
	static const uint8_t idr[] = { AUD, SPS, PPS, IDR(I7) };
	uint8_t pkt[TS_SIZE];
	struct tsgen_es es = { .pid = VPID, .rai = true };

	au(pkt, p, sizeof(p), true);
	CU_ASSERT_FALSE(ts_es_is_rap(pkt, 0x1b));
	au(pkt, idr, sizeof(idr), false);
	CU_ASSERT(ts_es_is_rap(pkt, 0x1b));
	/* Scrambled: the RAI is all there is. */
	au(pkt, p, sizeof(p), true);
	pkt[3] |= 0x80;
	CU_ASSERT_EQUAL(ts_es_rap(pkt, 0x1b), TS_ES_UNKNOWN);
	CU_ASSERT(ts_es_is_rap(pkt, 0x1b));
	/* A codec not read here (MPEG-4 part 2). */
	au(pkt, p, sizeof(p), true);
	CU_ASSERT_EQUAL(ts_es_rap(pkt, 0x10), TS_ES_UNKNOWN);
	CU_ASSERT(ts_es_is_rap(pkt, 0x10));
	/* Never without PUSI, whatever the RAI says. */
	tsgen_es(pkt, &es);
	CU_ASSERT_EQUAL(ts_es_rap(pkt, 0x1b), TS_ES_NOT_RAP);
	CU_ASSERT_FALSE(ts_es_is_rap(pkt, 0x1b));
}

/* HEVC NAL headers: type << 1, then layer 0 and temporal id 1. */
#define H(t) 0, 0, 0, 1, (uint8_t)((t) << 1), 0x01
#define HPS H(32), 0x0c, H(33), 0x01, H(34), 0xc1, 0x72

static void test_hevc(void)
{
	static const uint8_t idr[] = { H(35), 0x10, HPS, H(19), 0xaf };
	static const uint8_t idr_n[] = { H(20), 0xaf };
	static const uint8_t cra[] = { H(35), 0x10, HPS, H(21), 0xaf };
	static const uint8_t bla[] = { HPS, H(16), 0xaf };
	static const uint8_t trail[] = { H(35), 0x50, H(1), 0xaf };
	static const uint8_t rasl[] = { H(35), 0x50, H(8), 0xaf };
	static const uint8_t rsv_irap[] = { H(22), 0xaf };
	static const uint8_t layer1[] = { 0, 0, 1, 0x02, 0x09, 0xaf, H(19), 0xaf };
	static const uint8_t cut[] = { HPS, 0, 0, 1, 0x26 };

	CU_ASSERT_EQUAL(classify(0x24, idr, sizeof(idr)), TS_ES_RAP);
	CU_ASSERT_EQUAL(classify(0x24, idr_n, sizeof(idr_n)), TS_ES_RAP);
	CU_ASSERT_EQUAL(classify(0x24, cra, sizeof(cra)), TS_ES_RAP);
	CU_ASSERT_EQUAL(classify(0x24, bla, sizeof(bla)), TS_ES_RAP);
	CU_ASSERT_EQUAL(classify(0x24, trail, sizeof(trail)), TS_ES_NOT_RAP);
	CU_ASSERT_EQUAL(classify(0x24, rasl, sizeof(rasl)), TS_ES_NOT_RAP);
	CU_ASSERT_EQUAL(classify(0x24, rsv_irap, sizeof(rsv_irap)), TS_ES_UNKNOWN);
	/* A trailing picture of layer 1 is skipped, the base layer counts. */
	CU_ASSERT_EQUAL(classify(0x24, layer1, sizeof(layer1)), TS_ES_RAP);
	CU_ASSERT_EQUAL(classify(0x24, cut, sizeof(cut)), TS_ES_UNKNOWN);
}

/* MPEG-2: sequence header, GOP header, picture header with
 * picture_coding_type in bits 5..3 of its second byte. */
#define SEQ 0, 0, 1, 0xb3, 0x14, 0x00, 0xf0, 0x13, 0xff, 0xff, 0xe0, 0x18
#define GOP 0, 0, 1, 0xb8, 0x00, 0x08, 0x00, 0x00
#define PIC(t) 0, 0, 1, 0x00, 0x00, (uint8_t)((t) << 3), 0xff, 0xf8

static void test_mpeg2(void)
{
	static const uint8_t i[] = { SEQ, GOP, PIC(1), 0, 0, 1, 0x01, 0x13 };
	static const uint8_t i_no_seq[] = { GOP, PIC(1) };
	static const uint8_t p[] = { SEQ, PIC(2) };
	static const uint8_t b[] = { PIC(3) };
	static const uint8_t slice[] = { 0, 0, 1, 0x01, 0x13 };
	static const uint8_t seq_only[] = { SEQ, 0, 0, 1, 0xb5, 0x14 };
	static const uint8_t cut[] = { SEQ, 0, 0, 1, 0x00, 0x00 };

	CU_ASSERT_EQUAL(classify(0x02, i, sizeof(i)), TS_ES_RAP);
	CU_ASSERT_EQUAL(classify(0x01, i, sizeof(i)), TS_ES_RAP);
	CU_ASSERT_EQUAL(classify(0x02, i_no_seq, sizeof(i_no_seq)), TS_ES_NOT_RAP);
	CU_ASSERT_EQUAL(classify(0x02, p, sizeof(p)), TS_ES_NOT_RAP);
	CU_ASSERT_EQUAL(classify(0x02, b, sizeof(b)), TS_ES_NOT_RAP);
	CU_ASSERT_EQUAL(classify(0x02, slice, sizeof(slice)), TS_ES_NOT_RAP);
	CU_ASSERT_EQUAL(classify(0x02, seq_only, sizeof(seq_only)), TS_ES_UNKNOWN);
	CU_ASSERT_EQUAL(classify(0x02, cut, sizeof(cut)), TS_ES_UNKNOWN);
}

/* Whatever bytes follow a PES header, the scan stays in the packet and
 * answers something (run under ASan in ./run full-test). */
static void test_garbage(void)
{
	static const uint8_t types[] = { 0x01, 0x02, 0x1b, 0x24 };
	uint8_t data[TS_SIZE], pkt[TS_SIZE];

	for (int i = 0; i < 20000; i++) {
		size_t len = tu_rand_below(sizeof(data));
		enum ts_es_rap r;

		for (size_t k = 0; k < len; k++)
			data[k] = (uint8_t)(tu_rand_below(4) ? tu_rand_below(3) : tu_rand());
		au(pkt, data, len > 165 ? 165 : len, false);
		r = ts_es_rap(pkt, types[i % 4]);
		CU_ASSERT(r == TS_ES_RAP || r == TS_ES_NOT_RAP || r == TS_ES_UNKNOWN);
	}
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "PES header and timestamps", test_pes },
		{ "hostile PES headers", test_pes_hostile },
		{ "33-bit timestamps round trip", test_timestamps },
		{ "H.264 IDR, open-GOP I, P and B", test_h264 },
		{ "H.264 behind a long SEI", test_h264_long_sei },
		{ "a loose RAI is not believed", test_loose_rai },
		{ "HEVC IRAP and others", test_hevc },
		{ "MPEG-2 I picture after a sequence header", test_mpeg2 },
		{ "random bytes after a PES header", test_garbage },
		{ NULL, NULL },
	};
	return tu_add_suite("ts_es", tests);
}
