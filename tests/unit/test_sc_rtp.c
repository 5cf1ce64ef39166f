/* Unit tests of sc_rtp: valid headers of every shape, and every way a
 * header can lie about its length. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sc_rtp.h"
#include "tu.h"

/* A header with seq 0x1234, ts 0xdeadbeef, ssrc 0x01020304, PT 33. */
static size_t build(uint8_t *b, uint8_t first, size_t extra)
{
	memset(b, 0, 12 + extra);
	b[0] = first;
	b[1] = 0x80 | 33;
	sc_put_be16(b + 2, 0x1234);
	sc_put_be32(b + 4, 0xdeadbeef);
	sc_put_be32(b + 8, 0x01020304);
	return 12 + extra;
}

static void test_minimal(void)
{
	uint8_t b[12 + 188];
	struct sc_rtp r;

	build(b, 0x80, 188);
	CU_ASSERT_EQUAL(sc_rtp_parse(b, sizeof(b), &r), 0);
	CU_ASSERT_EQUAL(r.version, 2);
	CU_ASSERT_EQUAL(r.marker, 1);
	CU_ASSERT_EQUAL(r.payload_type, 33);
	CU_ASSERT_EQUAL(r.seq, 0x1234);
	CU_ASSERT_EQUAL(r.timestamp, 0xdeadbeef);
	CU_ASSERT_EQUAL(r.ssrc, 0x01020304);
	CU_ASSERT_EQUAL(r.header_len, 12);
	CU_ASSERT_PTR_EQUAL(r.payload, b + 12);
	CU_ASSERT_EQUAL(r.payload_len, 188);
	CU_ASSERT_EQUAL(sc_rtp_seq(b), 0x1234);
	CU_ASSERT_EQUAL(sc_rtp_ts(b), 0xdeadbeef);
	CU_ASSERT_EQUAL(sc_rtp_ssrc(b), 0x01020304);
}

static void test_header_only(void)
{
	uint8_t b[12];
	struct sc_rtp r;

	build(b, 0x80, 0);
	CU_ASSERT_EQUAL(sc_rtp_parse(b, sizeof(b), &r), 0);
	CU_ASSERT_EQUAL(r.payload_len, 0);
}

static void test_too_short(void)
{
	uint8_t b[12];
	struct sc_rtp r;

	build(b, 0x80, 0);
	for (size_t n = 0; n < 12; n++) {
		CU_ASSERT_EQUAL(sc_rtp_parse(b, n, &r), SC_RTP_ETRUNC);
		CU_ASSERT_EQUAL(r.payload, NULL);
	}
	CU_ASSERT_EQUAL(sc_rtp_parse(NULL, 12, &r), -EINVAL);
	CU_ASSERT_EQUAL(sc_rtp_parse(b, 12, NULL), -EINVAL);
}

static void test_wrong_version(void)
{
	uint8_t b[40];
	struct sc_rtp r;

	for (uint8_t v = 0; v < 4; v++) {
		if (v == 2)
			continue;
		build(b, (uint8_t)(v << 6), 28);
		CU_ASSERT_EQUAL(sc_rtp_parse(b, sizeof(b), &r), SC_RTP_EVERSION);
	}
}

static void test_csrc(void)
{
	uint8_t b[12 + 15 * 4 + 8];
	struct sc_rtp r;

	build(b, 0x80 | 15, 15 * 4 + 8);
	sc_put_be32(b + 12, 0xaabbccdd);
	CU_ASSERT_EQUAL(sc_rtp_parse(b, sizeof(b), &r), 0);
	CU_ASSERT_EQUAL(r.csrc_count, 15);
	CU_ASSERT_EQUAL(sc_get_be32(r.csrc), 0xaabbccdd);
	CU_ASSERT_EQUAL(r.header_len, 12 + 60);
	CU_ASSERT_EQUAL(r.payload_len, 8);
}

static void test_csrc_past_end(void)
{
	uint8_t b[12 + 15 * 4];
	struct sc_rtp r;

	/* CC=15 needs 60 bytes after the fixed header; give every length up
	 * to one short of that. */
	build(b, 0x80 | 15, 60);
	for (size_t n = 12; n < 12 + 60; n++)
		CU_ASSERT_EQUAL(sc_rtp_parse(b, n, &r), SC_RTP_ETRUNC);
	CU_ASSERT_EQUAL(sc_rtp_parse(b, 72, &r), 0);
	CU_ASSERT_EQUAL(r.payload_len, 0);
}

static void test_extension(void)
{
	uint8_t b[12 + 8 + 4 + 8 + 188];
	struct sc_rtp r;

	build(b, 0x80 | 0x10 | 2, 8 + 4 + 8 + 188);
	sc_put_be16(b + 20, 0xbede);
	sc_put_be16(b + 22, 2); /* two words of extension data */
	b[24] = 0x42;
	CU_ASSERT_EQUAL(sc_rtp_parse(b, sizeof(b), &r), 0);
	CU_ASSERT_EQUAL(r.extension, 1);
	CU_ASSERT_EQUAL(r.ext_profile, 0xbede);
	CU_ASSERT_EQUAL(r.ext_len, 8);
	CU_ASSERT_PTR_EQUAL(r.ext_data, b + 24);
	CU_ASSERT_EQUAL(r.ext_data[0], 0x42);
	CU_ASSERT_EQUAL(r.header_len, 12 + 8 + 4 + 8);
	CU_ASSERT_PTR_EQUAL(r.payload, b + 32);
	CU_ASSERT_EQUAL(r.payload_len, 188);
}

static void test_extension_past_end(void)
{
	static uint8_t b[12 + 4 + 65535 * 4];
	struct sc_rtp r;

	/* Extension header itself cut short. */
	build(b, 0x90, 4);
	for (size_t n = 12; n < 16; n++)
		CU_ASSERT_EQUAL(sc_rtp_parse(b, n, &r), SC_RTP_ETRUNC);
	/* Length claims more words than there are. */
	sc_put_be16(b + 14, 3);
	CU_ASSERT_EQUAL(sc_rtp_parse(b, 16, &r), SC_RTP_ETRUNC);
	CU_ASSERT_EQUAL(sc_rtp_parse(b, 16 + 11, &r), SC_RTP_ETRUNC);
	CU_ASSERT_EQUAL(sc_rtp_parse(b, 16 + 12, &r), 0);
	/* The largest length the field can hold, one byte short. */
	sc_put_be16(b + 14, 0xffff);
	CU_ASSERT_EQUAL(sc_rtp_parse(b, sizeof(b) - 1, &r), SC_RTP_ETRUNC);
	CU_ASSERT_EQUAL(sc_rtp_parse(b, sizeof(b), &r), 0);
	CU_ASSERT_EQUAL(r.payload_len, 0);
}

static void test_padding(void)
{
	uint8_t b[12 + 188 + 4];
	struct sc_rtp r;

	build(b, 0x80 | 0x20, 188 + 4);
	b[sizeof(b) - 1] = 4;
	CU_ASSERT_EQUAL(sc_rtp_parse(b, sizeof(b), &r), 0);
	CU_ASSERT_EQUAL(r.pad_len, 4);
	CU_ASSERT_EQUAL(r.payload_len, 188);
	/* Padding may take the whole payload... */
	b[sizeof(b) - 1] = 188 + 4;
	CU_ASSERT_EQUAL(sc_rtp_parse(b, sizeof(b), &r), 0);
	CU_ASSERT_EQUAL(r.payload_len, 0);
	/* ...but not the header, and a zero count is malformed. */
	b[sizeof(b) - 1] = 188 + 5;
	CU_ASSERT_EQUAL(sc_rtp_parse(b, sizeof(b), &r), SC_RTP_EPADDING);
	b[sizeof(b) - 1] = 0;
	CU_ASSERT_EQUAL(sc_rtp_parse(b, sizeof(b), &r), SC_RTP_EPADDING);
	/* P set on a header-only datagram: the count byte is the header's. */
	build(b, 0xa0, 0);
	CU_ASSERT_EQUAL(sc_rtp_parse(b, 12, &r), SC_RTP_EPADDING);
}

static void test_write_roundtrip(void)
{
	struct sc_rtp_fields f = { 1, 33, 65535, 90000, 0xcafef00d };
	uint8_t b[12 + 1316];
	struct sc_rtp r;

	CU_ASSERT_EQUAL(sc_rtp_write(b, 11, &f), -ENOSPC);
	CU_ASSERT_EQUAL(sc_rtp_write(b, sizeof(b), &f), 12);
	memset(b + 12, 0x47, 1316);
	CU_ASSERT_EQUAL(sc_rtp_parse(b, sizeof(b), &r), 0);
	CU_ASSERT_EQUAL(r.marker, 1);
	CU_ASSERT_EQUAL(r.payload_type, 33);
	CU_ASSERT_EQUAL(r.seq, 65535);
	CU_ASSERT_EQUAL(r.timestamp, 90000);
	CU_ASSERT_EQUAL(r.ssrc, 0xcafef00d);
	CU_ASSERT_EQUAL(r.payload_len, 1316);
}

/* Random datagrams: parse either fails cleanly or describes a layout that
 * lies wholly inside the buffer. ASan/UBSan builds catch any stray read. */
static void test_random(void)
{
	for (int i = 0; i < 200000; i++) {
		size_t n = (size_t)tu_rand_below(96);
		uint8_t *b = malloc(n ? n : 1);
		struct sc_rtp r;

		for (size_t k = 0; k < n; k++)
			b[k] = (uint8_t)tu_rand();
		if (n && tu_rand_below(2))
			b[0] = (uint8_t)((b[0] & 0x3f) | 0x80); /* mostly version 2 */
		if (sc_rtp_parse(b, n, &r) == 0) {
			CU_ASSERT(r.header_len >= 12 && r.header_len <= n);
			CU_ASSERT(r.payload >= b + r.header_len);
			CU_ASSERT(r.payload + r.payload_len + r.pad_len == b + n);
		} else {
			CU_ASSERT_EQUAL(r.payload, NULL);
		}
		free(b);
	}
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "minimal header", test_minimal },
		{ "header only", test_header_only },
		{ "too short", test_too_short },
		{ "wrong version", test_wrong_version },
		{ "CSRC list", test_csrc },
		{ "CSRC count past the end", test_csrc_past_end },
		{ "header extension", test_extension },
		{ "extension length past the end", test_extension_past_end },
		{ "padding", test_padding },
		{ "write and parse back", test_write_roundtrip },
		{ "random datagrams", test_random },
		{ NULL, NULL },
	};
	return tu_add_suite("sc_rtp", tests);
}
