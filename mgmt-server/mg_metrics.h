/* mg_metrics: the Prometheus text exposition at /metrics, and the API's
 * own measurements (requests and their latency per area).
 *
 * Latency goes into fixed-bucket histograms per area (box, edge, noc,
 * metrics, console, other), which /metrics exposes as
 * sixcast_api_request_duration_seconds and the status endpoint turns into
 * p50/p99 estimates. Everything else is read from the model when scraped. */
#ifndef MG_METRICS_H
#define MG_METRICS_H

#include <stddef.h>
#include <stdint.h>

enum mg_area {
	MG_AREA_BOX,      /* tune, heartbeat, leave, channels, peers */
	MG_AREA_REGISTER, /* box and edge registrations (they wait for the store) */
	MG_AREA_EDGE,
	MG_AREA_NOC,
	MG_AREA_METRICS,
	MG_AREA_CONSOLE,
	MG_AREA_OTHER,
	MG_AREA_COUNT
};

#define MG_LAT_BUCKETS 14

struct mg_metrics {
	uint64_t bucket[MG_AREA_COUNT][MG_LAT_BUCKETS + 1]; /* last: +Inf */
	uint64_t count[MG_AREA_COUNT];
	double sum[MG_AREA_COUNT];
	uint64_t status[MG_AREA_COUNT][6]; /* by hundreds: 1xx..5xx, other */
};

extern const double mg_lat_bounds[MG_LAT_BUCKETS];
extern const char *const mg_area_names[MG_AREA_COUNT];

void mg_metrics_observe(struct mg_metrics *m, int area, unsigned status, uint64_t ns);
/* Upper bound of the bucket holding quantile q (0..1) of an area, in
 * seconds; 0 with no data. */
double mg_metrics_quantile(const struct mg_metrics *m, int area, double q);

struct mg_state;
struct mg_http;
struct mg_store_stats;
/* The whole exposition, malloc'd (length in *len), or NULL. */
char *mg_metrics_render(const struct mg_metrics *m, struct mg_state *st,
			const struct mg_http *http, unsigned waiters, size_t *len);

#endif
