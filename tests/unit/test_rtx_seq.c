/* Unit tests of rtx_seq: extension across wrap, reordering, restarts. */
#include "config.h"

#include "rtx_seq.h"
#include "tu.h"

static void test_first_and_forward(void)
{
	struct rtx_seq s;
	uint64_t ext = 0;

	rtx_seq_init(&s, 3000, 3000);
	CU_ASSERT_EQUAL(rtx_seq_nearest(&s, 5), 0);
	CU_ASSERT_EQUAL(rtx_seq_update(&s, 100, 7, &ext), RTX_SEQ_START);
	CU_ASSERT_EQUAL(ext, 65536 + 100);
	CU_ASSERT_EQUAL(rtx_seq_update(&s, 101, 7, &ext), RTX_SEQ_OK);
	CU_ASSERT_EQUAL(ext, 65536 + 101);
	CU_ASSERT_EQUAL(rtx_seq_update(&s, 150, 7, &ext), RTX_SEQ_OK);
	CU_ASSERT_EQUAL(ext, 65536 + 150);
	CU_ASSERT_EQUAL(s.max_ext, 65536 + 150);
}

static void test_wrap(void)
{
	struct rtx_seq s;
	uint64_t ext = 0, prev;
	uint32_t i;

	rtx_seq_init(&s, 3000, 3000);
	rtx_seq_update(&s, 65530, 1, &ext);
	prev = ext;
	for (i = 1; i < 200000; i++) {
		CU_ASSERT_EQUAL_FATAL(rtx_seq_update(&s, (uint16_t)(65530 + i), 1, &ext), RTX_SEQ_OK);
		CU_ASSERT_EQUAL_FATAL(ext, prev + 1);
		CU_ASSERT_EQUAL_FATAL(ext & 0xffff, (uint16_t)(65530 + i));
		prev = ext;
	}
}

static void test_reorder_and_duplicate(void)
{
	struct rtx_seq s;
	uint64_t ext = 0;

	rtx_seq_init(&s, 3000, 3000);
	rtx_seq_update(&s, 2, 1, &ext);
	rtx_seq_update(&s, 5, 1, &ext);
	/* behind the highest, across a wrap boundary of the low bits */
	CU_ASSERT_EQUAL(rtx_seq_update(&s, 3, 1, &ext), RTX_SEQ_OK);
	CU_ASSERT_EQUAL(ext, 65536 + 3);
	CU_ASSERT_EQUAL(s.max_ext, 65536 + 5);
	CU_ASSERT_EQUAL(rtx_seq_update(&s, 5, 1, &ext), RTX_SEQ_OK);
	CU_ASSERT_EQUAL(ext, 65536 + 5);
	/* before the first packet, still placed */
	CU_ASSERT_EQUAL(rtx_seq_update(&s, 65535, 1, &ext), RTX_SEQ_OK);
	CU_ASSERT_EQUAL(ext, 65535);
}

static void test_jump_needs_confirmation(void)
{
	struct rtx_seq s;
	uint64_t ext = 0;

	rtx_seq_init(&s, 3000, 3000);
	rtx_seq_update(&s, 1000, 1, &ext);
	/* a stray packet far away: dropped, stream untouched */
	CU_ASSERT_EQUAL(rtx_seq_update(&s, 30000, 1, &ext), RTX_SEQ_PROBATION);
	CU_ASSERT_EQUAL(rtx_seq_update(&s, 1001, 1, &ext), RTX_SEQ_OK);
	CU_ASSERT_EQUAL(ext, 65536 + 1001);
	/* two in a row: a restart */
	CU_ASSERT_EQUAL(rtx_seq_update(&s, 40000, 1, &ext), RTX_SEQ_PROBATION);
	CU_ASSERT_EQUAL(rtx_seq_update(&s, 40001, 1, &ext), RTX_SEQ_START);
	CU_ASSERT_EQUAL(ext, 65536 + 40001);
	CU_ASSERT_EQUAL(rtx_seq_update(&s, 40002, 1, &ext), RTX_SEQ_OK);
}

static void test_ssrc_change(void)
{
	struct rtx_seq s;
	uint64_t ext = 0;

	rtx_seq_init(&s, 3000, 3000);
	rtx_seq_update(&s, 10, 1, &ext);
	rtx_seq_update(&s, 11, 1, &ext);
	CU_ASSERT_EQUAL(rtx_seq_update(&s, 12, 2, &ext), RTX_SEQ_PROBATION);
	CU_ASSERT_EQUAL(rtx_seq_update(&s, 12, 1, &ext), RTX_SEQ_OK);
	CU_ASSERT_EQUAL(rtx_seq_update(&s, 500, 2, &ext), RTX_SEQ_PROBATION);
	CU_ASSERT_EQUAL(rtx_seq_update(&s, 501, 2, &ext), RTX_SEQ_START);
	CU_ASSERT_EQUAL(s.ssrc, 2u);
	CU_ASSERT_EQUAL(ext, 65536 + 501);
}

static void test_nearest(void)
{
	struct rtx_seq s;
	uint64_t ext = 0;
	uint32_t i;

	rtx_seq_init(&s, 3000, 3000);
	rtx_seq_update(&s, 10, 1, &ext);
	CU_ASSERT_EQUAL(rtx_seq_nearest(&s, 10), ext);
	CU_ASSERT_EQUAL(rtx_seq_nearest(&s, 9), ext - 1);
	CU_ASSERT_EQUAL(rtx_seq_nearest(&s, 20), ext + 10);
	for (i = 0; i < 70000; i++)
		rtx_seq_update(&s, (uint16_t)(11 + i), 1, &ext);
	/* every 16-bit number maps within half a cycle of the highest */
	for (i = 0; i < 1000; i++) {
		uint16_t q = (uint16_t)tu_rand();
		uint64_t e = rtx_seq_nearest(&s, q);

		CU_ASSERT_EQUAL_FATAL(e & 0xffff, q);
		CU_ASSERT_FATAL(e + 32768 >= s.max_ext && e <= s.max_ext + 32767);
	}
}

static void test_random_never_crashes(void)
{
	struct rtx_seq s;
	uint64_t ext = 0, max = 0;
	int i;

	rtx_seq_init(&s, 3000, 3000);
	for (i = 0; i < 100000; i++) {
		enum rtx_seq_verdict v = rtx_seq_update(&s, (uint16_t)tu_rand(),
							(uint32_t)tu_rand_below(3), &ext);
		if (v != RTX_SEQ_PROBATION) {
			CU_ASSERT_FATAL(ext > 0);
			CU_ASSERT_FATAL(ext <= s.max_ext);
		}
		if (v == RTX_SEQ_OK)
			CU_ASSERT_FATAL(s.max_ext >= max);
		max = s.max_ext;
	}
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "first and forward", test_first_and_forward },
		{ "wrap", test_wrap },
		{ "reorder and duplicate", test_reorder_and_duplicate },
		{ "jump needs confirmation", test_jump_needs_confirmation },
		{ "ssrc change", test_ssrc_change },
		{ "nearest", test_nearest },
		{ "random input", test_random_never_crashes },
		{ NULL, NULL },
	};
	return tu_add_suite("rtx_seq", tests);
}
