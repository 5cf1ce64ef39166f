/* Unit tests of rtx_ratelimit: token buckets and the bounded requester
 * table. */
#include "config.h"

#include "rtx_ratelimit.h"
#include "tu.h"

#define MS 1000000ULL

static void test_bucket(void)
{
	struct rtx_bucket b = { 0 };
	uint32_t got = 0;
	int i;

	/* starts full */
	CU_ASSERT_EQUAL(rtx_bucket_take(&b, 100, 10, 0, 25), 10);
	CU_ASSERT_EQUAL(rtx_bucket_take(&b, 100, 10, 0, 1), 0);
	/* 100/s: one per 10 ms */
	CU_ASSERT_EQUAL(rtx_bucket_take(&b, 100, 10, 9 * MS, 1), 0);
	CU_ASSERT_EQUAL(rtx_bucket_take(&b, 100, 10, 10 * MS, 1), 1);
	CU_ASSERT_EQUAL(rtx_bucket_take(&b, 100, 10, 10 * MS, 1), 0);
	/* never more than the burst after idling */
	CU_ASSERT_EQUAL(rtx_bucket_take(&b, 100, 10, 100000 * MS, 100), 10);
	/* over a second of steady demand: the rate */
	for (i = 1; i <= 1000; i++)
		got += rtx_bucket_take(&b, 100, 10, 100000 * MS + (uint64_t)i * MS, 5);
	CU_ASSERT_EQUAL(got, 100);
	/* time going backwards grants nothing extra */
	CU_ASSERT_EQUAL(rtx_bucket_take(&b, 100, 10, 5, 5), 0);
	/* an absurd idle time does not overflow */
	CU_ASSERT_EQUAL(rtx_bucket_take(&b, 1000000, 1000000, UINT64_MAX - 1, 2000000), 1000000);
}

static void test_table_find_get(void)
{
	struct rtx_ptab *t = rtx_ptab_new(64);
	struct rtx_peer_state *a, *b;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_PTR_NULL(rtx_ptab_find(t, 5));
	a = rtx_ptab_get(t, 5, 100);
	CU_ASSERT_EQUAL(a->sender_id, 5u);
	a->bucket.started = true;
	b = rtx_ptab_get(t, 5, 200);
	CU_ASSERT_PTR_EQUAL(a, b);
	CU_ASSERT_TRUE(b->bucket.started);
	CU_ASSERT_EQUAL(b->last_seen_ns, 200u);
	CU_ASSERT_PTR_EQUAL(rtx_ptab_find(t, 5), a);
	CU_ASSERT_PTR_NULL(rtx_ptab_find(t, 0));
	rtx_ptab_clear(t);
	CU_ASSERT_PTR_NULL(rtx_ptab_find(t, 5));
	rtx_ptab_free(t);
	rtx_ptab_free(NULL);
}

static void test_table_bounded(void)
{
	struct rtx_ptab *t = rtx_ptab_new(16);
	uint32_t id, kept = 0;

	/* a thousand requesters: memory stays at 16 entries, the most
	 * recently seen survive */
	for (id = 1; id <= 1000; id++)
		rtx_ptab_get(t, id, id);
	for (id = 1; id <= 1000; id++)
		if (rtx_ptab_find(t, id))
			kept++;
	CU_ASSERT(kept <= 16);
	CU_ASSERT(kept >= 4);
	CU_ASSERT_PTR_NOT_NULL(rtx_ptab_find(t, 1000));
	/* an active one is not evicted by newcomers in its set */
	for (id = 2000; id < 2100; id++) {
		rtx_ptab_get(t, 1000, id * 2 + 1);
		rtx_ptab_get(t, id, id * 2);
	}
	CU_ASSERT_PTR_NOT_NULL(rtx_ptab_find(t, 1000));
	rtx_ptab_free(t);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "token bucket", test_bucket },
		{ "table find and get", test_table_find_get },
		{ "table bounded", test_table_bounded },
		{ NULL, NULL },
	};
	return tu_add_suite("rtx_ratelimit", tests);
}
