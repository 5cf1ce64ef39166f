/* Unit tests of rtx_stats: latency buckets and quantiles. */
#include "config.h"

#include <string.h>

#include "rtx_stats.h"
#include "tu.h"

static void test_buckets_cover(void)
{
	uint64_t ns;
	unsigned b, prev = 0;
	int i;

	CU_ASSERT_EQUAL(rtx_lat_bucket(0), 0);
	CU_ASSERT_EQUAL(rtx_lat_bucket(65535), 0);
	CU_ASSERT_EQUAL(rtx_lat_bucket(65536), 1);
	CU_ASSERT_EQUAL(rtx_lat_bucket(UINT64_MAX), RTX_LAT_BUCKETS - 1);
	CU_ASSERT_EQUAL(rtx_latency_bucket_ns(RTX_LAT_BUCKETS - 1), UINT64_MAX);
	/* each latency is below its bucket's bound and at or above the
	 * previous bucket's; buckets grow monotonically */
	for (i = 0; i < 100000; i++) {
		ns = tu_rand() >> (tu_rand_below(40) + 4);
		b = rtx_lat_bucket(ns);
		CU_ASSERT_FATAL(ns < rtx_latency_bucket_ns(b));
		if (b > 0)
			CU_ASSERT_FATAL(ns >= rtx_latency_bucket_ns(b - 1));
	}
	for (b = 1; b < RTX_LAT_BUCKETS; b++) {
		CU_ASSERT_FATAL(rtx_latency_bucket_ns(b) > rtx_latency_bucket_ns(b - 1));
		/* about 9% wide */
		if (b > 1 && b < RTX_LAT_BUCKETS - 1)
			CU_ASSERT_FATAL(rtx_latency_bucket_ns(b) * 100 / rtx_latency_bucket_ns(b - 1) <= 113);
	}
	for (ns = 1; ns < (1ULL << 40); ns = ns * 3 / 2 + 1) {
		b = rtx_lat_bucket(ns);
		CU_ASSERT_FATAL(b >= prev);
		prev = b;
	}
	/* seconds still resolve */
	CU_ASSERT(rtx_lat_bucket(3000000000ULL) < RTX_LAT_BUCKETS - 1);
}

static void test_quantiles(void)
{
	struct rtx_stats st;
	int i;

	memset(&st, 0, sizeof(st));
	CU_ASSERT_EQUAL(rtx_stats_latency_ns(&st, 0.5), 0);
	for (i = 0; i < 99; i++)
		st.latency_hist[rtx_lat_bucket(20000000)]++;
	st.latency_hist[rtx_lat_bucket(200000000)]++;
	CU_ASSERT_EQUAL(rtx_stats_latency_ns(&st, 0.5), rtx_latency_bucket_ns(rtx_lat_bucket(20000000)));
	CU_ASSERT_EQUAL(rtx_stats_latency_ns(&st, 0.99), rtx_latency_bucket_ns(rtx_lat_bucket(20000000)));
	CU_ASSERT_EQUAL(rtx_stats_latency_ns(&st, 1.0), rtx_latency_bucket_ns(rtx_lat_bucket(200000000)));
	CU_ASSERT(rtx_stats_latency_ns(&st, 0.5) >= 20000000);
	CU_ASSERT(rtx_stats_latency_ns(&st, 0.5) < 22000000);
	CU_ASSERT_EQUAL(rtx_stats_latency_ns(&st, -1), rtx_stats_latency_ns(&st, 0));
	CU_ASSERT_EQUAL(rtx_stats_latency_ns(&st, 7), rtx_stats_latency_ns(&st, 1));
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "buckets cover every latency", test_buckets_cover },
		{ "quantiles", test_quantiles },
		{ NULL, NULL },
	};
	return tu_add_suite("rtx_stats", tests);
}
