/* mg_metrics: latency histograms and the /metrics text. See mg_metrics.h. */
#include "config.h"

#include "mg_metrics.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "mg_http.h"
#include "mg_state.h"

const double mg_lat_bounds[MG_LAT_BUCKETS] = {
	0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5,
};

const char *const mg_area_names[MG_AREA_COUNT] = { "box", "register", "edge", "noc", "metrics",
						   "console", "other" };

void mg_metrics_observe(struct mg_metrics *m, int area, unsigned status, uint64_t ns)
{
	double s = (double)ns / 1e9;
	unsigned b = 0;

	if (area < 0 || area >= MG_AREA_COUNT)
		area = MG_AREA_OTHER;
	while (b < MG_LAT_BUCKETS && s > mg_lat_bounds[b])
		b++;
	m->bucket[area][b]++;
	m->count[area]++;
	m->sum[area] += s;
	m->status[area][status >= 100 && status < 600 ? status / 100 - 1 : 5]++;
}

double mg_metrics_quantile(const struct mg_metrics *m, int area, double q)
{
	uint64_t want = (uint64_t)((double)m->count[area] * q + 0.5), seen = 0;

	if (!m->count[area])
		return 0;
	if (want < 1)
		want = 1;
	for (unsigned b = 0; b <= MG_LAT_BUCKETS; b++) {
		seen += m->bucket[area][b];
		if (seen >= want)
			return b < MG_LAT_BUCKETS ? mg_lat_bounds[b] : 10;
	}
	return 10;
}

struct buf {
	char *p;
	size_t len, cap;
	int failed;
};

static void put(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->failed = 1;
			return;
		}
		if (b->p && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = b->cap ? b->cap * 2 : 16384;
		while (cap < b->len + (size_t)n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);

		if (!p) {
			b->failed = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
}

/* A label value with \ " and newlines escaped. */
static const char *esc(const char *s, char *out, size_t len)
{
	size_t k = 0;

	for (; *s && k + 3 < len; s++) {
		if (*s == '\\' || *s == '"') {
			out[k++] = '\\';
			out[k++] = *s;
		} else if (*s == '\n') {
			out[k++] = '\\';
			out[k++] = 'n';
		} else {
			out[k++] = *s;
		}
	}
	out[k] = '\0';
	return out;
}

static void head(struct buf *b, const char *name, const char *type, const char *help)
{
	put(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void api_metrics(struct buf *b, const struct mg_metrics *m)
{
	static const char *const cls[6] = { "1xx", "2xx", "3xx", "4xx", "5xx", "other" };

	head(b, "sixcast_api_requests_total", "counter", "API requests by area and status class.");
	for (int a = 0; a < MG_AREA_COUNT; a++)
		for (int s = 0; s < 6; s++)
			if (m->status[a][s])
				put(b, "sixcast_api_requests_total{area=\"%s\",code=\"%s\"} %llu\n",
				    mg_area_names[a], cls[s], (unsigned long long)m->status[a][s]);
	head(b, "sixcast_api_request_duration_seconds", "histogram",
	     "Time from a request's arrival to its answer.");
	for (int a = 0; a < MG_AREA_COUNT; a++) {
		uint64_t cum = 0;

		if (!m->count[a])
			continue;
		for (int i = 0; i < MG_LAT_BUCKETS; i++) {
			cum += m->bucket[a][i];
			put(b, "sixcast_api_request_duration_seconds_bucket{area=\"%s\",le=\"%g\"} %llu\n",
			    mg_area_names[a], mg_lat_bounds[i], (unsigned long long)cum);
		}
		put(b, "sixcast_api_request_duration_seconds_bucket{area=\"%s\",le=\"+Inf\"} %llu\n",
		    mg_area_names[a], (unsigned long long)m->count[a]);
		put(b, "sixcast_api_request_duration_seconds_sum{area=\"%s\"} %.6f\n", mg_area_names[a],
		    m->sum[a]);
		put(b, "sixcast_api_request_duration_seconds_count{area=\"%s\"} %llu\n",
		    mg_area_names[a], (unsigned long long)m->count[a]);
	}
}

static void counters(struct buf *b, struct mg_state *st)
{
	const struct mg_state_counters *c = mg_state_counters(st);
	static const struct {
		const char *name, *help;
		size_t off;
	} list[] = {
		{ "registrations", "Box registrations.", offsetof(struct mg_state_counters, registrations) },
		{ "tunes", "Tune requests.", offsetof(struct mg_state_counters, tunes) },
		{ "heartbeats", "Heartbeats.", offsetof(struct mg_state_counters, heartbeats) },
		{ "leaves", "Boxes leaving a channel.", offsetof(struct mg_state_counters, leaves) },
		{ "timeouts", "Boxes dropped for missed heartbeats.", offsetof(struct mg_state_counters, timeouts) },
		{ "kicks", "Boxes kicked by the NOC.", offsetof(struct mg_state_counters, kicks) },
		{ "group_changes", "Group versions issued.", offsetof(struct mg_state_counters, group_changes) },
		{ "metro_outages", "Metros declared silent.", offsetof(struct mg_state_counters, metro_outages) },
		{ "certs_issued", "Member certificates signed (registrations and renewals).",
		  offsetof(struct mg_state_counters, certs_issued) },
		{ "revocations", "Members whose certificates were revoked (kicks, bans, deletions).",
		  offsetof(struct mg_state_counters, revocations) },
	};
	char name[64];

	for (size_t i = 0; i < sizeof(list) / sizeof(list[0]); i++) {
		snprintf(name, sizeof(name), "sixcast_%s_total", list[i].name);
		head(b, name, "counter", list[i].help);
		put(b, "%s %llu\n", name,
		    (unsigned long long)*(const uint64_t *)(const void *)((const char *)c + list[i].off));
	}
}

static void packet_counters(struct buf *b, const char *family, const char *label,
			    const char *value, const struct mg_counters *acc)
{
	char e[160];

	for (unsigned i = 0; i < MG_COUNTERS; i++)
		put(b, "%s{%s=\"%s\",kind=\"%s\"} %llu\n", family, label, esc(value, e, sizeof(e)),
		    mg_counter_names[i], (unsigned long long)mg_counter_get(acc, i));
}

static void channel_metrics(struct buf *b, struct mg_state *st)
{
	struct mg_channel *ch;
	struct grp_stats gs;
	struct mg_counters recent;
	size_t pos = 0;

	head(b, "sixcast_groups", "gauge", "Groups per channel.");
	while ((ch = mg_channel_next(st, &pos))) {
		grp_stats(mg_state_grp(st), ch->def.id, &gs);
		put(b, "sixcast_groups{channel=\"%u\"} %zu\n", ch->def.id, gs.groups);
	}
	head(b, "sixcast_groups_distinct", "gauge", "Groups whose members are all in different metros.");
	for (pos = 0; (ch = mg_channel_next(st, &pos));) {
		grp_stats(mg_state_grp(st), ch->def.id, &gs);
		put(b, "sixcast_groups_distinct{channel=\"%u\"} %zu\n", ch->def.id, gs.distinct);
	}
	head(b, "sixcast_packets_total", "counter",
	     "Packets reported by boxes: received, lost, repaired (by group, edge, mesh), "
	     "unrepaired, served to peers.");
	for (pos = 0; (ch = mg_channel_next(st, &pos));) {
		char id[16];

		snprintf(id, sizeof(id), "%u", ch->def.id);
		packet_counters(b, "sixcast_packets_total", "channel", id, &ch->acc);
	}
	head(b, "sixcast_loss_ratio", "gauge", "Share of packets lost over the last 10 s, per channel.");
	for (pos = 0; (ch = mg_channel_next(st, &pos));) {
		mg_series_recent(&ch->series, 10, &recent);
		put(b, "sixcast_loss_ratio{channel=\"%u\"} %.6f\n", ch->def.id, mg_loss_rate(&recent));
	}
	head(b, "sixcast_repair_ratio", "gauge", "Share of lost packets repaired over the last 10 s.");
	for (pos = 0; (ch = mg_channel_next(st, &pos));) {
		mg_series_recent(&ch->series, 10, &recent);
		put(b, "sixcast_repair_ratio{channel=\"%u\"} %.6f\n", ch->def.id, mg_repair_rate(&recent));
	}
}

static void metro_metrics(struct buf *b, struct mg_state *st)
{
	struct mg_metro *m;
	size_t pos = 0;
	char e[160];

	head(b, "sixcast_metro_live_clients", "gauge", "Boxes heartbeating, per metro.");
	while ((m = mg_metro_next(st, &pos)))
		put(b, "sixcast_metro_live_clients{metro=\"%s\"} %u\n", esc(m->def.name, e, sizeof(e)), m->live);
	head(b, "sixcast_metro_silent", "gauge", "1 while a metro is declared silent.");
	for (pos = 0; (m = mg_metro_next(st, &pos));)
		put(b, "sixcast_metro_silent{metro=\"%s\"} %d\n", esc(m->def.name, e, sizeof(e)), m->silent);
	head(b, "sixcast_metro_rebuild_seconds", "gauge",
	     "Time the last outage of a metro took to regroup its boxes' groups.");
	for (pos = 0; (m = mg_metro_next(st, &pos));)
		put(b, "sixcast_metro_rebuild_seconds{metro=\"%s\"} %.6f\n", esc(m->def.name, e, sizeof(e)),
		    (double)m->rebuild_ns / 1e9);
	head(b, "sixcast_metro_packets_total", "counter", "Packets reported by boxes, per metro.");
	for (pos = 0; (m = mg_metro_next(st, &pos));)
		packet_counters(b, "sixcast_metro_packets_total", "metro", m->def.name, &m->acc);
}

/* Boxes per channel and metro, counted at scrape time. */
static void client_matrix(struct buf *b, struct mg_state *st)
{
	struct mg_idmap idx = { 0 };
	size_t nch = 0, nm = 0, pos = 0;
	uint32_t *chid = NULL, *mid = NULL, *count = NULL, k = 0;
	struct mg_channel *ch;
	struct mg_metro *m;
	struct mg_client *c;
	char e[160];

	while ((ch = mg_channel_next(st, &pos)))
		nch++;
	for (pos = 0; mg_metro_next(st, &pos);)
		nm++;
	chid = calloc(nch + 1, sizeof(*chid));
	mid = calloc(nm + 2, sizeof(*mid));
	count = calloc((nch + 1) * (nm + 2), sizeof(*count));
	if (!chid || !mid || !count)
		goto out;
	for (pos = 0, k = 0; (ch = mg_channel_next(st, &pos)); k++) {
		chid[k] = ch->def.id;
		mg_idmap_put(&idx, ch->def.id, (void *)(uintptr_t)(k + 1));
	}
	for (pos = 0, k = 1; (m = mg_metro_next(st, &pos)); k++)
		mid[k] = m->def.id; /* index 0: unknown metro */
	for (uint32_t cp = 0; (c = mg_client_next(st, &cp));) {
		uintptr_t ci = c->live && c->channel ? (uintptr_t)mg_idmap_get(&idx, c->channel) : 0;
		size_t mi = 0;

		if (!ci)
			continue;
		for (size_t j = 1; j <= nm && !mi; j++)
			if (mid[j] == c->metro)
				mi = j;
		count[(ci - 1) * (nm + 1) + mi]++;
	}
	head(b, "sixcast_clients", "gauge", "Boxes watching, per channel and metro.");
	for (size_t i = 0; i < nch; i++)
		for (size_t j = 0; j <= nm; j++)
			if (count[i * (nm + 1) + j])
				put(b, "sixcast_clients{channel=\"%u\",metro=\"%s\"} %u\n", chid[i],
				    esc(mg_metro_name(st, mid[j]), e, sizeof(e)), count[i * (nm + 1) + j]);
out:
	mg_idmap_clear(&idx);
	free(chid);
	free(mid);
	free(count);
}

static long rss_bytes(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return 0;
	if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
		rss = 0;
	fclose(f);
	return rss * sysconf(_SC_PAGESIZE);
}

static double cpu_seconds(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return 0;
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

/* Connections open, and what the limits refused and closed. */
static void http_metrics(struct buf *b, const struct mg_http *http)
{
	static const struct sc_guard_stats none;
	char text[2048];

	if (sc_guard_metrics(http ? mg_http_guard_stats(http) : &none, "sixcast_http", text, sizeof(text)) <
	    (int)sizeof(text))
		put(b, "%s", text);
}

static void totals(struct buf *b, struct mg_state *st, const struct mg_http *http, unsigned waiters)
{
	struct mg_store_stats ss;
	struct grp_stats gs;
	size_t pos = 0, edges = 0;
	struct mg_edge *e;

	while ((e = mg_edge_next(st, &pos)))
		edges += mg_edge_live(st, e);
	grp_stats(mg_state_grp(st), 0, &gs);
	mg_store_get_stats(mg_state_store(st), &ss);
	put(b, "# TYPE sixcast_clients_registered gauge\nsixcast_clients_registered %zu\n",
	    mg_client_count(st));
	put(b, "# TYPE sixcast_clients_live gauge\nsixcast_clients_live %zu\n", mg_state_live(st));
	put(b, "# TYPE sixcast_groups_all gauge\nsixcast_groups_all %zu\n", gs.groups);
	put(b, "# TYPE sixcast_groups_distinct_ratio gauge\nsixcast_groups_distinct_ratio %.6f\n",
	    gs.groups ? (double)gs.distinct / (double)gs.groups : 1.0);
	put(b, "# TYPE sixcast_edges_live gauge\nsixcast_edges_live %zu\n", edges);
	http_metrics(b, http);
	put(b, "# HELP sixcast_revocations Revocations in force (announced in every heartbeat).\n"
	       "# TYPE sixcast_revocations gauge\nsixcast_revocations %zu\n", mg_trust_revocations(st));
	put(b, "# TYPE sixcast_long_polls gauge\nsixcast_long_polls %u\n", waiters);
	put(b, "# TYPE sixcast_store_commits_total counter\nsixcast_store_commits_total %llu\n",
	    (unsigned long long)ss.commits);
	put(b, "# TYPE sixcast_store_batches_total counter\nsixcast_store_batches_total %llu\n",
	    (unsigned long long)ss.batches);
	put(b, "# TYPE sixcast_store_queue gauge\nsixcast_store_queue %zu\n", ss.queued);
	put(b, "# TYPE sixcast_store_commit_seconds gauge\nsixcast_store_commit_seconds{which=\"last\"} "
	       "%.6f\nsixcast_store_commit_seconds{which=\"max\"} %.6f\n",
	    (double)ss.commit_ns_last / 1e9, (double)ss.commit_ns_max / 1e9);
	put(b, "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes %ld\n",
	    rss_bytes());
	put(b, "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total %.6f\n", cpu_seconds());
}

char *mg_metrics_render(const struct mg_metrics *m, struct mg_state *st,
			const struct mg_http *http, unsigned waiters, size_t *len)
{
	struct buf b = { NULL, 0, 0, 0 };

	totals(&b, st, http, waiters);
	counters(&b, st);
	client_matrix(&b, st);
	channel_metrics(&b, st);
	metro_metrics(&b, st);
	api_metrics(&b, m);
	if (b.failed) {
		free(b.p);
		return NULL;
	}
	*len = b.len;
	return b.p;
}
