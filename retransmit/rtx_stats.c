/* rtx_stats: latency histogram buckets and quantiles. See rtx_stats.h. */
#include "config.h"

#include "rtx_stats.h"

/* Latencies are bucketed in units of 2^13 ns; below 8 units (65.5 us) is
 * bucket 0, then 8 buckets per power of two. */
#define UNIT_SHIFT 13

unsigned rtx_lat_bucket(uint64_t ns)
{
	uint64_t v = ns >> UNIT_SHIFT;
	unsigned e = 0, idx;

	if (v < 8)
		return 0;
	while ((v >> e) > 1)
		e++;
	idx = 1 + 8 * (e - 3) + (unsigned)((v >> (e - 3)) & 7);
	return idx < RTX_LAT_BUCKETS ? idx : RTX_LAT_BUCKETS - 1;
}

uint64_t rtx_latency_bucket_ns(unsigned i)
{
	unsigned e, sub;

	if (i == 0)
		return 8ULL << UNIT_SHIFT;
	if (i >= RTX_LAT_BUCKETS - 1)
		return UINT64_MAX;
	e = (i - 1) / 8 + 3;
	sub = (i - 1) % 8;
	return (uint64_t)(9 + sub) << (e - 3 + UNIT_SHIFT);
}

uint64_t rtx_stats_latency_ns(const struct rtx_stats *st, double q)
{
	uint64_t total = 0, want, acc = 0;
	unsigned i;

	for (i = 0; i < RTX_LAT_BUCKETS; i++)
		total += st->latency_hist[i];
	if (total == 0)
		return 0;
	if (q < 0)
		q = 0;
	if (q > 1)
		q = 1;
	want = (uint64_t)(q * (double)total);
	if (want == 0)
		want = 1;
	for (i = 0; i < RTX_LAT_BUCKETS; i++) {
		acc += st->latency_hist[i];
		if (acc >= want)
			return rtx_latency_bucket_ns(i);
	}
	return rtx_latency_bucket_ns(RTX_LAT_BUCKETS - 1);
}
