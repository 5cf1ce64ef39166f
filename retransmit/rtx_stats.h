/* rtx_stats: the repair latency histogram's bucketing (8 buckets per
 * octave from 64 us, about 9% wide), shared by the session and its
 * readers. The counters themselves are struct rtx_stats in rtx.h. */
#ifndef RTX_STATS_H
#define RTX_STATS_H

#include <stdint.h>

#include "rtx.h"

/* Histogram bucket of a latency. */
unsigned rtx_lat_bucket(uint64_t ns);

#endif
