/* Unit tests of rtx_gaps: lookup, removal, bounded memory. */
#include "config.h"

#include <string.h>

#include "rtx_gaps.h"
#include "tu.h"

static void test_add_find_remove(void)
{
	struct rtx_gaps g;
	struct rtx_gap *a;
	uint64_t dropped = 1, e;

	CU_ASSERT_EQUAL_FATAL(rtx_gaps_init(&g, 100), 0);
	CU_ASSERT_EQUAL(g.cap, 128);
	for (e = 1000; e < 1100; e++) {
		a = rtx_gaps_add(&g, e, &dropped);
		CU_ASSERT_EQUAL(dropped, 0);
		CU_ASSERT_EQUAL(a->ext, e);
	}
	CU_ASSERT_EQUAL(rtx_gaps_count(&g), 100);
	CU_ASSERT_PTR_NULL(rtx_gaps_find(&g, 999));
	CU_ASSERT_PTR_NULL(rtx_gaps_find(&g, 0));
	for (e = 1000; e < 1100; e += 2)
		rtx_gaps_remove(&g, rtx_gaps_find(&g, e));
	CU_ASSERT_EQUAL(rtx_gaps_count(&g), 50);
	for (e = 1000; e < 1100; e++)
		CU_ASSERT_EQUAL((rtx_gaps_find(&g, e) != NULL), (int)(e & 1));
	/* the live list is exactly the live gaps, positions consistent */
	for (e = 0; e < rtx_gaps_count(&g); e++) {
		a = rtx_gaps_at(&g, (size_t)e);
		CU_ASSERT_EQUAL(a->pos, e);
		CU_ASSERT_PTR_EQUAL(rtx_gaps_find(&g, a->ext), a);
	}
	rtx_gaps_clear(&g);
	CU_ASSERT_EQUAL(rtx_gaps_count(&g), 0);
	CU_ASSERT_PTR_NULL(rtx_gaps_find(&g, 1001));
	rtx_gaps_free(&g);
}

static void test_bounded(void)
{
	struct rtx_gaps g;
	uint64_t dropped, e, n_dropped = 0;

	rtx_gaps_init(&g, 16);
	for (e = 1; e <= 1000; e++) {
		rtx_gaps_add(&g, e, &dropped);
		if (dropped) {
			CU_ASSERT_EQUAL(dropped, e - 16);
			n_dropped++;
		}
	}
	CU_ASSERT_EQUAL(rtx_gaps_count(&g), 16);
	CU_ASSERT_EQUAL(n_dropped, 1000 - 16);
	rtx_gaps_free(&g);
}

static void test_random_model(void)
{
	static uint8_t live[4096];
	struct rtx_gaps g;
	uint64_t e, dropped;
	size_t n = 0, i;
	int k;

	memset(live, 0, sizeof(live));
	rtx_gaps_init(&g, 4096);
	for (k = 0; k < 100000; k++) {
		e = 1 + tu_rand_below(4095);
		if (live[e]) {
			rtx_gaps_remove(&g, rtx_gaps_find(&g, e));
			live[e] = 0;
			n--;
		} else {
			rtx_gaps_add(&g, e, &dropped);
			CU_ASSERT_EQUAL_FATAL(dropped, 0);
			live[e] = 1;
			n++;
		}
		CU_ASSERT_EQUAL_FATAL(rtx_gaps_count(&g), n);
	}
	for (i = 0; i < rtx_gaps_count(&g); i++)
		CU_ASSERT_FATAL(live[rtx_gaps_at(&g, i)->ext]);
	rtx_gaps_free(&g);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "add, find, remove", test_add_find_remove },
		{ "bounded", test_bounded },
		{ "random against a model", test_random_model },
		{ NULL, NULL },
	};
	return tu_add_suite("rtx_gaps", tests);
}
