/* mg_stats: loss and repair figures from the boxes' heartbeats.
 *
 * A box reports counters that only grow while it stays tuned (they restart
 * at each tune). The server keeps each box's last report, turns every new
 * one into deltas, and adds them to running totals per channel, per metro
 * and overall (mg_acc). Once a second the totals are sampled into a ring
 * of recent points per channel and metro (mg_series), which is what the
 * NOC console charts and the summaries' recent rates read. Pure. */
#ifndef MG_STATS_H
#define MG_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Counters a box reports (cumulative since its tune), also the totals. */
struct mg_counters {
	uint64_t received;   /* RTP packets received by multicast */
	uint64_t lost;       /* packets found missing (sequence gaps) */
	uint64_t rep_group;  /* missing packets repaired by the group */
	uint64_t rep_edge;   /* ... by the edge's RET server */
	uint64_t rep_mesh;   /* ... by the P2P mesh */
	uint64_t unrepaired; /* missing at play-out time */
	uint64_t served;     /* repairs this box sent to others */
};

#define MG_COUNTERS 7
extern const char *const mg_counter_names[MG_COUNTERS];
uint64_t *mg_counter_at(struct mg_counters *c, unsigned i);
uint64_t mg_counter_get(const struct mg_counters *c, unsigned i);

/* d = now - last, field by field; a field that went down (the box
 * restarted its counters) counts as its new value. */
void mg_counters_delta(const struct mg_counters *now, const struct mg_counters *last,
		       struct mg_counters *d);
void mg_counters_add(struct mg_counters *acc, const struct mg_counters *d);

/* Loss rate lost / (received + lost); repair rate (repaired) / lost;
 * residual unrepaired / (received + lost). 0 when undefined. */
double mg_loss_rate(const struct mg_counters *c);
double mg_repair_rate(const struct mg_counters *c);
double mg_residual_rate(const struct mg_counters *c);

#define MG_SERIES_LEN 300 /* points: five minutes at one per second */

struct mg_point {
	int64_t t_ms;         /* wall clock of the sample */
	uint32_t clients;     /* live boxes at the time */
	struct mg_counters d; /* what happened since the previous point */
};

struct mg_series {
	struct mg_point p[MG_SERIES_LEN];
	size_t head, n;           /* oldest at head */
	struct mg_counters last;  /* totals at the previous sample */
	int primed;
};

/* Take a sample of totals. The first sample only primes. */
void mg_series_sample(struct mg_series *s, int64_t t_ms, uint32_t clients,
		      const struct mg_counters *totals);
/* Points newer than since_ms, oldest first, at most max; returns count. */
size_t mg_series_since(const struct mg_series *s, int64_t since_ms, const struct mg_point **out,
		       size_t max);
/* Sum of the deltas of the last n points (recent rates). */
void mg_series_recent(const struct mg_series *s, size_t n, struct mg_counters *sum);

#endif
