/* Unit tests of ts: packet checks, adaptation-field flags, PCR, payload,
 * PAT/PMT parsing with CRC, and hostile packets. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "sc_bytes.h"
#include "ts.h"
#include "tsgen.h"
#include "tu.h"

static void test_check(void)
{
	uint8_t p[TS_SIZE];
	struct tsgen_es es = { .pid = 0x100, .pusi = true };

	tsgen_es(p, &es);
	CU_ASSERT_EQUAL(ts_check(p), TS_OK);
	CU_ASSERT_EQUAL(ts_pid(p), 0x100);
	CU_ASSERT(ts_pusi(p));
	CU_ASSERT(ts_has_payload(p));
	CU_ASSERT_FALSE(ts_has_af(p));
	p[0] = 0x46;
	CU_ASSERT_EQUAL(ts_check(p), TS_ESYNC);
	p[0] = TS_SYNC;
	p[3] &= 0xcf; /* AFC 00 */
	CU_ASSERT_EQUAL(ts_check(p), TS_EAFC);
	p[3] |= 0x30;
	p[4] = 183; /* with payload, at most 182 */
	CU_ASSERT_EQUAL(ts_check(p), TS_EAFLEN);
	p[3] = (p[3] & 0xcf) | 0x20; /* AF only: 183 is fine */
	CU_ASSERT_EQUAL(ts_check(p), TS_OK);
	p[4] = 184;
	CU_ASSERT_EQUAL(ts_check(p), TS_EAFLEN);
	CU_ASSERT_STRING_EQUAL(ts_strerror(TS_ESYNC), "lost sync (no 0x47 sync byte)");
}

static void test_af_flags_and_pcr(void)
{
	uint8_t p[TS_SIZE];
	uint64_t pcr = 0, want = (((uint64_t)1 << 33) - 5) * 300 + 299;
	struct tsgen_es es = { .pid = 0x41, .rai = true, .with_pcr = true, .pcr = want };
	const uint8_t *pl;

	tsgen_es(p, &es);
	CU_ASSERT_EQUAL(ts_check(p), TS_OK);
	CU_ASSERT(ts_random_access(p));
	CU_ASSERT_FALSE(ts_discontinuity(p));
	CU_ASSERT(ts_pcr(p, &pcr));
	CU_ASSERT_EQUAL(pcr, want);
	CU_ASSERT_EQUAL(ts_payload(p, &pl), TS_SIZE - 12);
	CU_ASSERT_PTR_EQUAL(pl, p + 12);
	/* PCR flag set but the field too short to hold one. */
	p[4] = 3;
	CU_ASSERT_FALSE(ts_pcr(p, &pcr));
	/* An empty adaptation field has no flags at all. */
	p[4] = 0;
	CU_ASSERT_FALSE(ts_random_access(p));
	CU_ASSERT_FALSE(ts_pcr(p, &pcr));
	/* Adaptation field filling the packet: no payload. */
	p[4] = 182;
	CU_ASSERT_EQUAL(ts_payload(p, &pl), 1);
	p[3] = (p[3] & 0xcf) | 0x20;
	p[4] = 183;
	CU_ASSERT_EQUAL(ts_payload(p, &pl), 0);
}

static void test_psi(void)
{
	uint8_t p[TS_SIZE];
	uint16_t pmt_pid = 0;
	struct ts_pmt pmt;

	tsgen_pat(p, 0x1000, 0);
	CU_ASSERT_EQUAL(ts_check(p), TS_OK);
	CU_ASSERT_EQUAL(ts_pat_first_pmt(p, &pmt_pid), 0);
	CU_ASSERT_EQUAL(pmt_pid, 0x1000);
	tsgen_pmt(p, 0x1000, 0x41, 0x41, 0x42, 0);
	CU_ASSERT_EQUAL(ts_pmt_parse(p, &pmt), 0);
	CU_ASSERT_EQUAL(pmt.program, 1);
	CU_ASSERT_EQUAL(pmt.pcr_pid, 0x41);
	CU_ASSERT_EQUAL(pmt.nstreams, 2);
	CU_ASSERT_EQUAL(pmt.streams[0].type, 0x1b);
	CU_ASSERT_EQUAL(pmt.streams[0].pid, 0x41);
	CU_ASSERT(ts_stream_is_video(pmt.streams[0].type));
	CU_ASSERT_FALSE(ts_stream_is_video(pmt.streams[1].type));
	/* A PMT is not a PAT and the other way round. */
	CU_ASSERT_EQUAL(ts_pat_first_pmt(p, &pmt_pid), -EBADMSG);
	tsgen_pat(p, 0x1000, 0);
	CU_ASSERT_EQUAL(ts_pmt_parse(p, &pmt), -EBADMSG);
	/* Not the start of a section. */
	p[1] &= ~0x40;
	CU_ASSERT_EQUAL(ts_pat_first_pmt(p, &pmt_pid), -EAGAIN);
}

static void test_psi_hostile(void)
{
	uint8_t p[TS_SIZE];
	uint16_t pmt_pid;
	struct ts_pmt pmt;

	tsgen_pat(p, 0x1000, 0);
	p[10] ^= 1; /* one bit off: CRC fails */
	CU_ASSERT_EQUAL(ts_pat_first_pmt(p, &pmt_pid), -EBADMSG);
	tsgen_pat(p, 0x1000, 0);
	p[4] = 200; /* pointer_field past the packet */
	CU_ASSERT_EQUAL(ts_pat_first_pmt(p, &pmt_pid), -EBADMSG);
	tsgen_pat(p, 0x1000, 0);
	p[7] = 0xff; /* a section longer than the packet */
	p[6] = 0xb2; /* 0x2ff = 767 bytes */
	CU_ASSERT_EQUAL(ts_pat_first_pmt(p, &pmt_pid), -EMSGSIZE);
	p[6] = 0xb0;
	p[7] = 2; /* too short to be a section */
	CU_ASSERT_EQUAL(ts_pat_first_pmt(p, &pmt_pid), -EBADMSG);
	/* A PMT whose ES_info_length runs past the section. */
	tsgen_pmt(p, 0x1000, 0x41, 0x41, 0x42, 0);
	p[5 + 15] = 0xf0 | 0x0f;
	p[5 + 16] = 0xff;
	sc_put_be32(p + 5 + 22, ts_crc32(p + 5, 22));
	CU_ASSERT_EQUAL(ts_pmt_parse(p, &pmt), -EBADMSG);
	/* Random packets never make the parsers read past 188 bytes (ASan). */
	for (int i = 0; i < 100000; i++) {
		for (int k = 0; k < TS_SIZE; k++)
			p[k] = (uint8_t)tu_rand();
		p[0] = TS_SYNC;
		p[1] |= 0x40;
		if (ts_check(p) != TS_OK)
			continue;
		ts_pat_first_pmt(p, &pmt_pid);
		if (ts_pmt_parse(p, &pmt) == 0)
			CU_ASSERT(pmt.nstreams <= TS_MAX_STREAMS);
		ts_pcr(p, &(uint64_t){ 0 });
	}
}

static void test_crc(void)
{
	/* The CRC-32/MPEG-2 check value of "123456789". */
	CU_ASSERT_EQUAL(ts_crc32((const uint8_t *)"123456789", 9), 0x0376e6e7);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "packet check", test_check },
		{ "adaptation field flags and PCR", test_af_flags_and_pcr },
		{ "PAT and PMT", test_psi },
		{ "hostile PSI", test_psi_hostile },
		{ "CRC-32/MPEG-2", test_crc },
		{ NULL, NULL },
	};
	return tu_add_suite("ts", tests);
}
