/* Unit tests of rtpk: 7 x 188 payloads, headers, sequence continuity and
 * wrap, timestamps from the timeline, RAP/PAT marks and short flushes. */
#include "config.h"

#include <string.h>

#include "rtpk.h"
#include "sc_rtp.h"
#include "tsgen.h"
#include "tu.h"

static void test_packets(void)
{
	rtpk *pk = rtpk_new(0xabcdef01, 65534, 1000);
	struct rtpk_packet out;
	struct tsgen_es es = { .pid = 0x41 };
	uint8_t ts[TS_SIZE];
	struct sc_rtp r;
	int done = 0;

	for (int i = 0; i < 7 * 3; i++) {
		tsgen_es(ts, &es);
		if (rtpk_add(pk, ts, (uint64_t)i * 300 * 10, i == 9, i == 8, &out)) {
			CU_ASSERT_EQUAL(out.len, 12 + 7 * 188);
			CU_ASSERT_EQUAL(sc_rtp_parse(out.buf, out.len, &r), 0);
			CU_ASSERT_EQUAL(r.payload_type, 33);
			CU_ASSERT_EQUAL(r.ssrc, 0xabcdef01);
			CU_ASSERT_EQUAL(r.seq, (uint16_t)(65534 + done));
			CU_ASSERT_EQUAL(out.seq, r.seq);
			/* 90 kHz of the first TS packet's time, plus the offset. */
			CU_ASSERT_EQUAL(r.timestamp, 1000 + (uint32_t)(done * 7 * 10));
			CU_ASSERT_EQUAL(out.t27, (uint64_t)done * 7 * 3000);
			CU_ASSERT_EQUAL(out.rap, done == 1);
			CU_ASSERT_EQUAL(out.pat, done == 1);
			for (int k = 0; k < 7; k++)
				CU_ASSERT_EQUAL(r.payload[k * 188], 0x47);
			done++;
		}
	}
	CU_ASSERT_EQUAL(done, 3);
	CU_ASSERT_EQUAL(rtpk_next_seq(pk), 1); /* wrapped */
	CU_ASSERT_EQUAL(rtpk_flush(pk, &out), 0);
	tsgen_es(ts, &es);
	CU_ASSERT_EQUAL(rtpk_add(pk, ts, 0, false, false, &out), 0);
	CU_ASSERT_EQUAL(rtpk_flush(pk, &out), 1);
	CU_ASSERT_EQUAL(out.len, 12 + 188);
	CU_ASSERT_EQUAL(out.seq, 1);
	CU_ASSERT_FALSE(out.rap);
	rtpk_free(pk);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "packets", test_packets },
		{ NULL, NULL },
	};
	return tu_add_suite("rtpk", tests);
}
