/* edge: channels, scheduler and SDP service of the edge server. See edge.h.
 *
 * Scheduling: one periodic tick for the whole process (a timerfd, every
 * tick_us while any channel has packets queued). At each tick every channel
 * sends what has come due and all of it leaves in sendmmsg batches: a few
 * thousand wake-ups and system calls a second whatever the number of
 * channels, where a process per channel wakes once per packet. A packet
 * leaves at most one tick late, which bounds the pacing error. Channels
 * start the tick when a packet arrives while it is stopped. */
#include "config.h"

#include "edge.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "edge_mgmt.h"
#include "emit.h"
#include "edge_ident.h"
#include "ret.h"
#include "sc_httpd.h"
#include "sc_listen.h"
#include "sc_log.h"
#include "sdp.h"

struct edge {
	sc_loop *loop;
	struct edge_cfg cfg;
	emit *em;
	chan **chans;    /* parallel to cfg.chans; NULL where a channel failed */
	int tfd;         /* the periodic tick */
	bool ticking;
	sc_httpd *http;
	edge_ret *ret;   /* NULL: no RET service */
	edge_ident *ident; /* NULL: no RET service */
	edge_mgmt *mgmt; /* NULL: standalone */
	struct mkey {    /* RET keys from the management server */
		uint32_t id;
		uint8_t key[32];
	} *mkeys;
	size_t n_mkeys;
	uint64_t started_ns;
	struct sc_logger lg;
};

static uint64_t now(const edge *e)
{
	return sc_clock_now_ns(sc_loop_clock(e->loop));
}

static void set_tick(edge *e, uint64_t first_ns)
{
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };

	if (first_ns) {
		its.it_value.tv_sec = (time_t)(first_ns / SC_NS_PER_S);
		its.it_value.tv_nsec = (long)(first_ns % SC_NS_PER_S);
		its.it_interval.tv_nsec = (long)e->cfg.tick_ns;
	}
	timerfd_settime(e->tfd, first_ns ? TFD_TIMER_ABSTIME : 0, &its, NULL);
	e->ticking = first_ns != 0;
}

static void wake(void *arg, uint64_t due)
{
	edge *e = arg;

	if (!e->ticking)
		set_tick(e, due ? due : 1);
}

static void on_tick(void *arg, int fd, uint32_t events)
{
	edge *e = arg;
	uint64_t t = now(e), expirations, due;
	bool busy = false;

	(void)events;
	if (read(fd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
		return;
	for (size_t i = 0; i < e->cfg.nchans; i++)
		if (e->chans[i])
			chan_send_due(e->chans[i], t);
	emit_flush(e->em);
	for (size_t i = 0; i < e->cfg.nchans && !busy; i++)
		busy = e->chans[i] && chan_next_due(e->chans[i], &due);
	if (!busy)
		set_tick(e, 0);
}

/* Every packet that leaves feeds the channel's RET and burst cache. */
static void on_sent(void *arg, uint32_t chan_id, const struct rtpk_packet *pkt)
{
	edge *e = arg;

	ret_packet(e->ret, chan_id, pkt->buf, pkt->len, (pkt->rap ? RTX_PKT_RAP : 0) | (pkt->pat ? RTX_PKT_PAT : 0));
}

/* The RET key of a channel: the management server's, else its own, else
 * the edge's. */
static const uint8_t *ret_key_for(const edge *e, const struct edge_chan_cfg *c)
{
	for (size_t i = 0; i < e->n_mkeys; i++)
		if (e->mkeys[i].id == c->chan.id)
			return e->mkeys[i].key;
	return c->has_ret_key ? c->ret_key : e->cfg.has_ret_key ? e->cfg.ret_key : NULL;
}

static const struct sc_sockaddr *source_for(const edge *e, const struct sc_sockaddr *group)
{
	return sc_addr_family(group) == AF_INET6 ? &e->cfg.source6 : &e->cfg.source4;
}

/* <dir>/<id>.sdp (IPv6) and <dir>/<id>-ipv4.sdp, written atomically. */
static void write_sdp_files(const edge *e, const struct chan_cfg *c)
{
	const struct sc_sockaddr *groups[2] = { &c->group6, &c->group4 };
	char path[512], tmp[520], text[2048];

	for (int k = 0; k < 2; k++) {
		bool ok = false;
		int n, fd;

		if (!groups[k]->len)
			continue;
		n = sdp_write(text, sizeof(text), c->id, c->name, groups[k], source_for(e, groups[k]), c->hops);
		snprintf(path, sizeof(path), "%s/%u%s.sdp", e->cfg.sdp_dir, c->id, k ? "-ipv4" : "");
		snprintf(tmp, sizeof(tmp), "%s.tmp", path);
		fd = n < 0 ? -1 : open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd >= 0) {
			ok = write(fd, text, (size_t)n) == n;
			ok = close(fd) == 0 && ok && rename(tmp, path) == 0;
		}
		if (!ok)
			sc_logf(&e->lg, LOG_WARNING, "cannot write %s: %s", path, strerror(errno));
	}
}

static chan *find_chan(const edge *e, uint32_t id, size_t *idx)
{
	for (size_t i = 0; i < e->cfg.nchans; i++)
		if (e->chans[i] && e->cfg.chans[i].chan.id == id) {
			if (idx)
				*idx = i;
			return e->chans[i];
		}
	return NULL;
}

/* The mesh's hosting node of a channel: its children and upload. upload_x
 * is what it sent (data and control) over the stream it was fed. */
static json_t *mesh_json(const struct ret_chan_stats *rs)
{
	const struct mesh_stats *m = &rs->mesh_st;
	uint64_t sent = m->data_bytes_sent + m->ctl_bytes_sent;

	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f}", "children", (json_int_t)m->children,
			 "in_view", (json_int_t)m->in_view, "input_bytes", (json_int_t)rs->mesh_input_bytes,
			 "data_bytes_sent", (json_int_t)m->data_bytes_sent, "ctl_bytes_sent",
			 (json_int_t)m->ctl_bytes_sent, "pulls_served", (json_int_t)m->data_pulled_out, "redirects",
			 (json_int_t)m->redirects_sent, "auth_failures", (json_int_t)m->auth_failed, "upload_x",
			 rs->mesh_input_bytes ? (double)sent / (double)rs->mesh_input_bytes : 0.0);
}

static json_t *chan_json(const edge *e, size_t i)
{
	const struct chan_cfg *c = &e->cfg.chans[i].chan;
	struct chan_stats st;
	char g6[SC_ADDR_STRLEN] = "", g4[SC_ADDR_STRLEN] = "", path[64];
	const struct tsin_stats *ts = e->chans[i] ? chan_ts_stats(e->chans[i]) : NULL;
	struct ret_chan_stats rs;
	json_t *o;

	if (e->chans[i])
		chan_get_stats(e->chans[i], &st);
	else
		memset(&st, 0, sizeof(st));
	if (c->group6.len)
		sc_addr_format(&c->group6, true, g6, sizeof(g6));
	if (c->group4.len)
		sc_addr_format(&c->group4, true, g4, sizeof(g4));
	snprintf(path, sizeof(path), "/sdp/%u.sdp", c->id);
	o = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:b, s:I, s:I, s:I, s:I}", "id", (json_int_t)c->id,
		      "name", c->name, "source", c->source, "group6", g6, "group4", g4, "sdp", path, "running",
		      st.running, "bitrate_bps", (json_int_t)st.bitrate_bps, "packets", (json_int_t)st.packets_sent,
		      "restarts", (json_int_t)st.restarts, "cc_errors", (json_int_t)(ts ? ts->cc_errors : 0));
	if (o && st.last_error[0])
		json_object_set_new(o, "error", json_string(st.last_error));
	if (o && e->ret && ret_chan_stats(e->ret, c->id, &rs) == 0)
		json_object_set_new(o, "ret", json_pack("{s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "key",
							ret_has_key(e->ret, c->id), "requests",
							(json_int_t)rs.rtx.requests_received, "repairs",
							(json_int_t)rs.rtx.repairs_sent, "refused",
							(json_int_t)rs.rtx.seqs_refused, "auth_failures",
							(json_int_t)rs.rtx.auth_failed, "bursts",
							(json_int_t)rs.rtx.bursts_served, "burst_refused",
							(json_int_t)rs.rtx.burst_refused, "burst_packets",
							(json_int_t)rs.rtx.burst_packets, "burst_bps",
							(json_int_t)rs.burst_bps));
	if (o && e->ret && rs.mesh)
		json_object_set_new(o, "mesh", mesh_json(&rs));
	return o;
}

static void http_channels(edge *e, struct sc_http_resp *resp)
{
	json_t *a = json_array();
	char *text;

	for (size_t i = 0; i < e->cfg.nchans; i++)
		json_array_append_new(a, chan_json(e, i));
	text = json_dumps(a, JSON_INDENT(2));
	json_decref(a);
	sc_httpd_printf(resp, 200, "application/json", "%s\n", text ? text : "[]");
	free(text);
}

static void http_sdp(edge *e, const char *url, struct sc_http_resp *resp)
{
	unsigned id = 0;
	char tail[16] = "", text[2048];
	const struct chan_cfg *c;
	const struct sc_sockaddr *g;
	size_t i;
	int n;

	if (sscanf(url, "/sdp/%u%15s", &id, tail) < 1 || !find_chan(e, id, &i) ||
	    (strcmp(tail, ".sdp") != 0 && strcmp(tail, "-ipv4.sdp") != 0)) {
		sc_httpd_printf(resp, 404, "application/json", "{\"error\": \"no such channel SDP: %s\"}\n", url);
		return;
	}
	c = &e->cfg.chans[i].chan;
	g = tail[0] == '-' ? &c->group4 : &c->group6;
	n = g->len ? sdp_write(text, sizeof(text), c->id, c->name, g, source_for(e, g), c->hops) : -ENOENT;
	if (n < 0) {
		sc_httpd_printf(resp, 404, "application/json",
				"{\"error\": \"channel %u is not sent over IPv%s\"}\n", id, tail[0] == '-' ? "4" : "6");
		return;
	}
	sc_httpd_printf(resp, 200, "application/sdp", "%s", text);
}

/* The mesh's hosting nodes: a line per channel that runs one. */
static void mesh_metrics(const edge *e, FILE *f)
{
#define MS(n, t, h, f) { n, t, h, offsetof(struct mesh_stats, f) }
	static const struct {
		const char *name, *type, *help;
		size_t off;
	} m[] = {
		MS("sixcast_mesh_data_bytes_sent_total", "counter", "Stream bytes the mesh node sent (push and pulls).",
		   data_bytes_sent),
		MS("sixcast_mesh_ctl_bytes_sent_total", "counter", "Mesh control bytes the node sent.", ctl_bytes_sent),
		MS("sixcast_mesh_malformed_total", "counter", "Mesh datagrams dropped: malformed.", malformed),
		MS("sixcast_mesh_auth_failed_total", "counter",
		   "Mesh datagrams dropped: another channel, another receiver, a bad certificate or MAC.", auth_failed),
		MS("sixcast_mesh_unknown_sender_total", "counter",
		   "Mesh datagrams dropped: no certificate of the sender known or attached.", unknown_sender),
		MS("sixcast_mesh_revoked_total", "counter", "Mesh datagrams dropped: a revoked member.", revoked),
		MS("sixcast_mesh_replayed_total", "counter", "Mesh datagrams dropped: replayed or stale.", replayed),
		MS("sixcast_mesh_unvalidated_total", "counter",
		   "Mesh datagrams dropped: from an address not validated for their sender.", unvalidated),
		MS("sixcast_mesh_rate_limited_total", "counter", "Mesh datagrams dropped: over the sender's rate.",
		   rate_limited),
		MS("sixcast_mesh_tx_refused_total", "counter",
		   "Mesh sends refused: to an address not validated, or larger than what came from there.", tx_refused),
		MS("sixcast_mesh_challenges_total", "counter", "Address challenges (PATH) the mesh node sent.",
		   challenges),
		MS("sixcast_mesh_moves_total", "counter", "Nodes whose entry moved to another validated address.", moves),
	};
#undef MS

	fputs("# TYPE sixcast_mesh_children gauge\n# HELP sixcast_mesh_children Boxes the edge's mesh node serves "
	      "directly.\n# TYPE sixcast_mesh_input_bytes_total counter\n# HELP sixcast_mesh_input_bytes_total RTP "
	      "bytes of the channel fed to the mesh node.\n", f);
	for (size_t k = 0; k < sizeof(m) / sizeof(m[0]) + 2; k++) {
		if (k >= 2)
			fprintf(f, "# TYPE %s %s\n# HELP %s %s\n", m[k - 2].name, m[k - 2].type, m[k - 2].name,
				m[k - 2].help);
		for (size_t i = 0; i < e->cfg.nchans; i++) {
			struct ret_chan_stats rs;
			uint64_t v;

			if (!e->chans[i] || ret_chan_stats(e->ret, e->cfg.chans[i].chan.id, &rs) < 0 || !rs.mesh)
				continue;
			if (k == 0)
				v = rs.mesh_st.children;
			else if (k == 1)
				v = rs.mesh_input_bytes;
			else
				memcpy(&v, (const uint8_t *)&rs.mesh_st + m[k - 2].off, sizeof(v));
			fprintf(f, "%s{channel=\"%u\"} %llu\n",
				k == 0 ? "sixcast_mesh_children" : k == 1 ? "sixcast_mesh_input_bytes_total" : m[k - 2].name,
				e->cfg.chans[i].chan.id, (unsigned long long)v);
		}
	}
}

/* The edge's identity (shared by RET and the mesh): certificates checked,
 * datagrams refused for it. */
static void ident_metrics(const edge *e, FILE *f)
{
#define IS(n, h, f) { n, h, offsetof(struct rtx_ident_stats, f) }
	static const struct {
		const char *name, *help;
		size_t off;
	} m[] = {
		IS("certs_verified", "Certificate signatures checked.", certs_verified),
		IS("certs_rejected", "Certificates refused: bad signature, another CA, expired.", certs_rejected),
		IS("budget_refused", "Certificates not checked: the verification budget was spent.", budget_refused),
		IS("revoked", "Datagrams or certificates of revoked members.", revoked),
		IS("unknown_sender", "Datagrams whose sender's certificate is neither known nor attached.",
		   unknown_sender),
		IS("wrong_receiver", "Datagrams for another receiver.", wrong_receiver),
		IS("bad_mac", "Datagrams whose MAC did not verify.", bad_mac),
		IS("challenges", "Address challenges sent.", challenges_sent),
		IS("addrs_validated", "Addresses proven by an echoed challenge.", addrs_validated),
	};
#undef IS
	struct rtx_ident_stats st;

	if (!e->ident)
		return;
	rtx_ident_stats(edge_ident_get(e->ident), &st);
	for (size_t k = 0; k < sizeof(m) / sizeof(m[0]); k++) {
		uint64_t v;

		memcpy(&v, (const uint8_t *)&st + m[k].off, sizeof(v));
		fprintf(f, "# HELP sixcast_ident_%s_total %s\n# TYPE sixcast_ident_%s_total counter\n"
			   "sixcast_ident_%s_total %llu\n", m[k].name, m[k].help, m[k].name, m[k].name,
			(unsigned long long)v);
	}
	fprintf(f, "# HELP sixcast_ident_peers Peers whose certificates the edge holds.\n"
		   "# TYPE sixcast_ident_peers gauge\nsixcast_ident_peers %u\n", st.peers);
}

/* The RET service's counters, one family per counter, a line per channel. */
static void ret_metrics(const edge *e, FILE *f)
{
	static const struct {
		const char *name, *help;
		size_t off;
	} m[] = {
		{ "requests", "RET requests (NACKs) that authenticated.", offsetof(struct rtx_stats, requests_received) },
		{ "repairs", "Packets sent as RET repairs.", offsetof(struct rtx_stats, repairs_sent) },
		{ "refused", "Packets refused by the per-client rate limit.", offsetof(struct rtx_stats, seqs_refused) },
		{ "missing", "Packets asked for that the edge no longer held.", offsetof(struct rtx_stats, seqs_missing) },
		{ "auth_failures", "Datagrams with a bad MAC or for a channel without a key.",
		  offsetof(struct rtx_stats, auth_failed) },
		{ "malformed", "Malformed datagrams.", offsetof(struct rtx_stats, malformed) },
		{ "replayed", "Datagrams dropped: replayed or stale.", offsetof(struct rtx_stats, replayed) },
		{ "unvalidated", "Requests from an address not validated: challenged, not served.",
		  offsetof(struct rtx_stats, unvalidated) },
		{ "unknown_sender", "Datagrams whose sender's certificate is neither known nor attached.",
		  offsetof(struct rtx_stats, unknown_sender) },
		{ "revoked", "Datagrams of revoked members.", offsetof(struct rtx_stats, revoked) },
		{ "non_member", "Datagrams from a sender of the wrong kind.", offsetof(struct rtx_stats, non_member) },
		{ "unsupported", "Datagrams not for an edge (the wrong type or flags).",
		  offsetof(struct rtx_stats, unsupported) },
		{ "path_sent", "Address challenges and echoes sent.", offsetof(struct rtx_stats, path_sent) },
		{ "bursts", "Fast channel change bursts started.", offsetof(struct rtx_stats, bursts_served) },
		{ "burst_refused", "Burst requests refused (rate, bandwidth cap, no random access point).",
		  offsetof(struct rtx_stats, burst_refused) },
		{ "burst_packets", "Packets sent in bursts.", offsetof(struct rtx_stats, burst_packets) },
	};
	unsigned rc_, bc;

	for (size_t k = 0; k < sizeof(m) / sizeof(m[0]); k++) {
		fprintf(f, "# HELP sixcast_ret_%s_total %s\n# TYPE sixcast_ret_%s_total counter\n", m[k].name, m[k].help,
			m[k].name);
		for (size_t i = 0; i < e->cfg.nchans; i++) {
			struct ret_chan_stats rs;
			uint64_t v;

			if (!e->chans[i] || ret_chan_stats(e->ret, e->cfg.chans[i].chan.id, &rs) < 0)
				continue;
			memcpy(&v, (const uint8_t *)&rs.rtx + m[k].off, sizeof(v));
			fprintf(f, "sixcast_ret_%s_total{channel=\"%u\"} %llu\n", m[k].name, e->cfg.chans[i].chan.id,
				(unsigned long long)v);
		}
	}
	mesh_metrics(e, f);
	ident_metrics(e, f);
	ret_clients(e->ret, 10 * SC_NS_PER_S, &rc_, &bc);
	fprintf(f, "# HELP sixcast_ret_clients Set-top boxes heard on the RET port in the last 10 s.\n"
		   "# TYPE sixcast_ret_clients gauge\nsixcast_ret_clients %u\n"
		   "# TYPE sixcast_ret_burst_clients gauge\nsixcast_ret_burst_clients %u\n"
		   "# TYPE sixcast_ret_unrouted_total counter\nsixcast_ret_unrouted_total %llu\n"
		   "# HELP sixcast_ret_datagrams_total Datagrams read from the RET port, whatever they were.\n"
		   "# TYPE sixcast_ret_datagrams_total counter\nsixcast_ret_datagrams_total %llu\n",
		rc_, bc, (unsigned long long)ret_unrouted(e->ret), (unsigned long long)ret_datagrams(e->ret));
}

/* What the HTTP port's limits refused and closed. */
static void http_guard_metrics(const edge *e, FILE *f)
{
	char text[2048];

	if (e->http && sc_guard_metrics(sc_httpd_guard_stats(e->http), "sixcast_edge_http", text, sizeof(text)) <
	    (int)sizeof(text))
		fputs(text, f);
}

static void http_metrics(edge *e, struct sc_http_resp *resp)
{
	const struct emit_stats *es = emit_stats(e->em);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f) {
		resp->status = 500;
		return;
	}
	fprintf(f, "# HELP sixcast_edge_packets_total RTP packets sent, all channels and families.\n"
		   "# TYPE sixcast_edge_packets_total counter\nsixcast_edge_packets_total %llu\n"
		   "# TYPE sixcast_edge_send_errors_total counter\nsixcast_edge_send_errors_total %llu\n",
		(unsigned long long)es->packets, (unsigned long long)es->errors);
	fputs("# HELP sixcast_channel_bitrate_bps Bit rate of the channel from its PCRs.\n"
	      "# TYPE sixcast_channel_bitrate_bps gauge\n", f);
	for (size_t i = 0; i < e->cfg.nchans; i++) {
		struct chan_stats st;

		if (!e->chans[i])
			continue;
		chan_get_stats(e->chans[i], &st);
		fprintf(f, "sixcast_channel_bitrate_bps{channel=\"%u\"} %llu\n", e->cfg.chans[i].chan.id,
			(unsigned long long)st.bitrate_bps);
	}
	fputs("# TYPE sixcast_channel_source_cc_errors_total counter\n", f);
	for (size_t i = 0; i < e->cfg.nchans; i++)
		if (e->chans[i])
			fprintf(f, "sixcast_channel_source_cc_errors_total{channel=\"%u\"} %llu\n",
				e->cfg.chans[i].chan.id, (unsigned long long)chan_ts_stats(e->chans[i])->cc_errors);
	if (e->ret)
		ret_metrics(e, f);
	http_guard_metrics(e, f);
	fclose(f);
	resp->status = 200;
	resp->type = "text/plain; version=0.0.4";
	resp->body = buf;
	resp->len = len;
}

/* Who the edge is for the boxes: its id and certificate (public data:
 * what its datagrams carry anyway), and a standalone edge's CA key. */
static void http_identity(edge *e, struct sc_http_resp *resp)
{
	char cert[2 * RTX_CERT_BYTES + 1], ca[2 * RTX_CA_PUB_BYTES + 1];
	uint32_t id;

	if (!e->ident || !edge_ident_describe(e->ident, &id, cert, ca)) {
		sc_httpd_printf(resp, 404, "application/json", "{\"error\": \"no identity (yet)\"}\n");
		return;
	}
	sc_httpd_printf(resp, 200, "application/json", "{\"id\": %u, \"edge_id\": %u, \"cert\": \"%s\", \"ca\": %s%s%s}\n",
			(unsigned)id, (unsigned)(id & ~RTX_EDGE_ID_FLAG), cert, ca[0] ? "\"" : "",
			ca[0] ? ca : "null", ca[0] ? "\"" : "");
}

static void on_http(void *arg, const struct sc_http_req *req, struct sc_http_resp *resp)
{
	edge *e = arg;

	if (strcmp(req->method, "GET") != 0)
		sc_httpd_printf(resp, 405, "application/json", "{\"error\": \"only GET here\"}\n");
	else if (strcmp(req->url, "/channels") == 0)
		http_channels(e, resp);
	else if (strncmp(req->url, "/sdp/", 5) == 0)
		http_sdp(e, req->url, resp);
	else if (strcmp(req->url, "/metrics") == 0)
		http_metrics(e, resp);
	else if (strcmp(req->url, "/identity") == 0)
		http_identity(e, resp);
	else
		sc_httpd_printf(resp, 404, "application/json",
				"{\"error\": \"not found; try /channels, /sdp/ID.sdp, /metrics, /identity\"}\n");
}

static chan *make_chan(edge *e, const struct edge_chan_cfg *ec)
{
	const struct chan_cfg *c = &ec->chan;
	struct chan_env env = {
		.loop = e->loop, .em = e->em, .lg = e->lg,
		.latency_ns = e->cfg.latency_ns, .lookahead_ns = e->cfg.lookahead_ns,
		.stall_ns = e->cfg.stall_ns, .src6 = &e->cfg.source6, .src4 = &e->cfg.source4,
		.wake = wake, .sent = e->ret ? on_sent : NULL, .arg = e,
	};
	char err[300];
	chan *ch = NULL;

	if (chan_new(c, &env, &ch, err, sizeof(err)) < 0) {
		sc_logf(&e->lg, LOG_ERR, "channel %u (%s): %s", c->id, c->name, err);
		return NULL;
	}
	if (e->cfg.sdp_dir[0])
		write_sdp_files(e, c);
	if (e->ret) {
		int rc = ret_add_channel(e->ret, c->id, ret_key_for(e, ec));

		if (rc < 0)
			sc_logf(&e->lg, LOG_ERR, "channel %u (%s): no RET service: %s", c->id, c->name, strerror(-rc));
		else if (!ret_key_for(e, ec) && !e->cfg.mgmt_url[0])
			sc_logf(&e->lg, LOG_WARNING, "channel %u (%s): no RET key (ret.key or the channel's ret_key):"
				" RET requests will fail", c->id, c->name);
		if (rc == 0 && ec->mesh_max_children)
			ret_set_mesh(e->ret, c->id, ec->mesh_max_children);
	}
	chan_start(ch);
	sc_logf(&e->lg, LOG_INFO, "channel %u (%s) from %s", c->id, c->name, c->source);
	return ch;
}

static void remove_sdp_files(const edge *e, uint32_t id)
{
	char path[512];

	if (!e->cfg.sdp_dir[0])
		return;
	snprintf(path, sizeof(path), "%s/%u.sdp", e->cfg.sdp_dir, id);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%u-ipv4.sdp", e->cfg.sdp_dir, id);
	unlink(path);
}

/* ---- the management server ---- */

static json_t *mgmt_channels(void *arg)
{
	const edge *e = arg;
	json_t *a = json_array();
	char host[SC_ADDR_STRLEN] = "", url[300];

	if (e->cfg.http.len && e->cfg.source6.len)
		sc_addr_format(&e->cfg.source6, false, host, sizeof(host));
	for (size_t i = 0; i < e->cfg.nchans; i++) {
		json_t *c = json_pack("{s:I}", "id", (json_int_t)e->cfg.chans[i].chan.id);
		unsigned direct = e->cfg.chans[i].mesh_max_children;

		/* The tracker's hosting-node threshold: the boxes this edge's
		 * mesh node takes directly (docs/api.md). */
		if (direct && e->ret)
			json_object_set_new(c, "direct_max", json_integer(direct));

		if (host[0]) {
			snprintf(url, sizeof(url), "http://[%s]:%u/sdp/%u.sdp", host, sc_addr_port(&e->cfg.http),
				 e->cfg.chans[i].chan.id);
			json_object_set_new(c, "sdp_url", json_string(url));
		}
		json_array_append_new(a, c);
	}
	return a;
}

static json_t *mgmt_load(void *arg)
{
	edge *e = arg;
	json_t *chans = json_array();
	uint64_t bps = 0, req = 0, served = 0, bursts = 0, direct = 0;
	unsigned rc_ = 0, bc = 0;

	for (size_t i = 0; i < e->cfg.nchans; i++) {
		struct chan_stats st;
		struct ret_chan_stats rs = { 0 };
		uint32_t id = e->cfg.chans[i].chan.id;

		if (!e->chans[i])
			continue;
		chan_get_stats(e->chans[i], &st);
		if (e->ret)
			ret_chan_stats(e->ret, id, &rs);
		bps += st.bitrate_bps;
		req += rs.rtx.requests_received;
		served += rs.rtx.repairs_sent;
		bursts += rs.rtx.bursts_served;
		direct += rs.mesh_st.children;
		json_array_append_new(chans, json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "id", (json_int_t)id,
						       "bitrate_bps", (json_int_t)st.bitrate_bps, "packets",
						       (json_int_t)st.packets_sent, "ret_requests",
						       (json_int_t)rs.rtx.requests_received, "ret_served",
						       (json_int_t)rs.rtx.repairs_sent, "burst_served",
						       (json_int_t)rs.rtx.bursts_served, "direct_clients",
						       (json_int_t)rs.mesh_st.children));
	}
	if (e->ret)
		ret_clients(e->ret, 10 * SC_NS_PER_S, &rc_, &bc);
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "bitrate_bps", (json_int_t)bps,
			 "ret_clients", (json_int_t)rc_, "burst_clients", (json_int_t)bc, "direct_clients",
			 (json_int_t)direct, "ret_requests", (json_int_t)req,
			 "ret_served", (json_int_t)served, "burst_served", (json_int_t)bursts, "uptime_s",
			 (json_int_t)((now(e) - e->started_ns) / SC_NS_PER_S), "channels", chans);
}

static void mgmt_ret_key(void *arg, uint32_t id, const uint8_t key[32])
{
	edge *e = arg;
	struct mkey *k = NULL;

	for (size_t i = 0; i < e->n_mkeys && !k; i++)
		if (e->mkeys[i].id == id)
			k = &e->mkeys[i];
	if (!k) {
		struct mkey *n = realloc(e->mkeys, (e->n_mkeys + 1) * sizeof(*n));

		if (!n)
			return;
		e->mkeys = n;
		k = &e->mkeys[e->n_mkeys++];
		k->id = id;
	}
	memcpy(k->key, key, sizeof(k->key));
	if (e->ret)
		ret_set_key(e->ret, id, key);
}

static void mgmt_registered(void *arg, uint32_t edge_id)
{
	edge *e = arg;

	if (e->ret)
		ret_set_edge_id(e->ret, edge_id);
}

static void add_addr(json_t *a, const struct sc_sockaddr *addr, bool with_port, uint16_t port)
{
	struct sc_sockaddr x = *addr;
	char text[SC_ADDR_STRLEN];

	if (!addr->len)
		return;
	sc_addr_set_port(&x, port);
	if (sc_addr_format(&x, with_port, text, sizeof(text)) == 0)
		json_array_append_new(a, json_string(text));
}

static int start_mgmt(edge *e)
{
	struct edge_mgmt_ops ops = { e, mgmt_channels, mgmt_load, mgmt_ret_key, mgmt_registered };
	struct edge_mgmt_cfg mc = { e->cfg.mgmt_url, e->cfg.mgmt_credential, e->cfg.name, json_array(), json_array(),
				    e->cfg.mgmt_report_ns, e->ident };
	uint16_t port = e->cfg.ret_listen.len ? sc_addr_port(&e->cfg.ret_listen) : 5200;
	int rc;

	add_addr(mc.addrs, &e->cfg.source6, false, 0);
	add_addr(mc.addrs, &e->cfg.source4, false, 0);
	if (e->ret) {
		add_addr(mc.ret_addrs, &e->cfg.source6, true, port);
		add_addr(mc.ret_addrs, &e->cfg.source4, true, port);
	}
	rc = edge_mgmt_new(e->loop, &mc, &ops, &e->lg, &e->mgmt);
	json_decref(mc.addrs);
	json_decref(mc.ret_addrs);
	return rc;
}

static bool addr_is_any(const struct sc_sockaddr *a)
{
	if (sc_addr_family(a) == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(&a->u.in6.sin6_addr);
	return sc_addr_family(a) == AF_INET && a->u.in4.sin_addr.s_addr == 0;
}

static int start_ret(edge *e)
{
	const struct edge_cfg *c = &e->cfg;
	struct ret_cfg rc = {
		.listen = c->ret_listen, .window_ns = c->ret_window_ns, .max_bitrate_bps = c->ret_max_bitrate,
		.rate_pps = c->ret_rate_pps, .burst_speed = c->burst_speed, .burst_max_ns = c->burst_max_ns,
		.burst_overlap_ns = c->burst_overlap_ns, .burst_interval_ns = c->burst_interval_ns,
		.burst_total_bps = c->burst_total_bps, .mesh_edge_id = c->mesh_edge_id,
	};
	const struct sc_sockaddr *self = c->source6.len ? &c->source6 : &c->source4;
	int err;

	/* Who the boxes talk to: without a management server or a CA key of
	 * its own, the edge could authenticate nobody. */
	if (!c->mgmt_url[0] && !c->ca_key_file[0]) {
		sc_logf(&e->lg, LOG_WARNING, "no RET, fast channel change or mesh: no identity "
			"(set mgmt.url, or trust.ca_key_file for a standalone edge)");
		return 0;
	}
	if ((err = edge_ident_new(e->loop, c->ca_key_file, c->mesh_edge_id, &e->lg, &e->ident)) < 0)
		return err;
	rc.ident = edge_ident_get(e->ident);
	sc_listen_pick(&rc.listen, c->ret_listen_dflt, SOCK_DGRAM, NULL, &e->lg, "RET");
	/* The mesh nodes announce the RET socket's address: its own when it
	 * is bound to one, else the edge's (the one registered as ret_addrs). */
	if (addr_is_any(&rc.listen) && self->len) {
		rc.mesh_self = *self;
		sc_addr_set_port(&rc.mesh_self, sc_addr_port(&rc.listen));
	} else {
		rc.mesh_self = rc.listen;
	}
	return ret_new(e->loop, &rc, &e->lg, &e->ret);
}

/* The configured address stays in e->cfg, for a reload to compare. */
static int start_http(edge *e)
{
	struct sc_sockaddr a = e->cfg.http;

	if (!a.len)
		return 0;
	sc_listen_pick(&a, e->cfg.http_dflt, SOCK_STREAM, NULL, &e->lg, "http");
	return sc_httpd_new(e->loop, &a, 0, &e->cfg.http_limits, on_http, e, &e->lg, &e->http);
}

int edge_new(sc_loop *loop, struct edge_cfg *cfg, edge **out)
{
	edge *e = calloc(1, sizeof(*e));
	int rc = -ENOMEM;

	*out = NULL;
	if (!e)
		goto fail;
	e->tfd = -1;
	e->loop = loop;
	e->cfg = *cfg;
	memset(cfg, 0, sizeof(*cfg));
	e->lg = (struct sc_logger){ sc_log_sink, NULL, LOG_DEBUG };
	e->em = emit_new(&e->lg);
	e->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	e->chans = calloc(e->cfg.nchans ? e->cfg.nchans : 1, sizeof(*e->chans));
	if (!e->em || e->tfd < 0 || !e->chans || sc_loop_add_fd(loop, e->tfd, SC_LOOP_IN, on_tick, e) < 0)
		goto fail;
	if (e->cfg.sdp_dir[0] && mkdir(e->cfg.sdp_dir, 0755) < 0 && errno != EEXIST)
		sc_logf(&e->lg, LOG_WARNING, "cannot create %s: %s", e->cfg.sdp_dir, strerror(errno));
	if ((rc = start_http(e)) < 0)
		goto fail;
	if (e->cfg.ret_listen.len && (rc = start_ret(e)) < 0)
		goto fail;
	e->started_ns = now(e);
	for (size_t i = 0; i < e->cfg.nchans; i++)
		e->chans[i] = make_chan(e, &e->cfg.chans[i]);
	if (e->cfg.mgmt_url[0] && (rc = start_mgmt(e)) < 0)
		goto fail;
	*out = e;
	return 0;
fail:
	if (!e)
		edge_cfg_free(cfg);
	edge_free(e);
	return rc;
}

void edge_free(edge *e)
{
	if (!e)
		return;
	for (size_t i = 0; e->chans && i < e->cfg.nchans; i++)
		chan_free(e->chans[i]);
	free(e->chans);
	edge_mgmt_free(e->mgmt);
	free(e->mkeys);
	ret_free(e->ret);
	edge_ident_free(e->ident);
	sc_httpd_free(e->http);
	if (e->tfd >= 0) {
		sc_loop_del_fd(e->loop, e->tfd);
		close(e->tfd);
	}
	emit_free(e->em);
	edge_cfg_free(&e->cfg);
	free(e);
}

/* Two optional addresses are the same: both off, or equal. */
static bool same_opt_addr(const struct sc_sockaddr *a, const struct sc_sockaddr *b)
{
	return (!a->len && !b->len) || sc_addr_equal(a, b);
}

static void warn_restart_needed(const edge *e, const struct edge_cfg *n)
{
	if (strcmp(e->cfg.iface, n->iface) != 0 || !same_opt_addr(&e->cfg.http, &n->http) ||
	    e->cfg.http_dflt != n->http_dflt || e->cfg.ret_listen_dflt != n->ret_listen_dflt ||
	    strcmp(e->cfg.sdp_dir, n->sdp_dir) != 0 || !same_opt_addr(&e->cfg.ret_listen, &n->ret_listen) ||
	    strcmp(e->cfg.mgmt_url, n->mgmt_url) != 0 || e->cfg.mesh_edge_id != n->mesh_edge_id)
		sc_logf(&e->lg, LOG_WARNING, "reload: interface, http, sdp_dir, ret.listen, mgmt.url and "
					     "edge.mesh.edge_id take effect only after a restart");
}

int edge_reconfigure(edge *e, struct edge_cfg *n)
{
	chan **next = calloc(n->nchans ? n->nchans : 1, sizeof(*next));
	size_t kept = 0, started = 0, stopped = 0, meshed = 0;

	if (!next) {
		edge_cfg_free(n);
		return -ENOMEM;
	}
	warn_restart_needed(e, n);
	e->cfg.http_limits = n->http_limits;
	if (e->http)
		sc_httpd_set_limits(e->http, &n->http_limits);
	/* Keep what is unchanged; anything else is made anew below. */
	for (size_t i = 0; i < n->nchans; i++) {
		size_t k;

		if (find_chan(e, n->chans[i].chan.id, &k) && edge_chan_cfg_equal(&e->cfg.chans[k], &n->chans[i])) {
			next[i] = e->chans[k];
			e->chans[k] = NULL;
			kept++;
			/* The mesh node is remade (its children partner again);
			 * the multicast goes on untouched. */
			if (e->ret && n->chans[i].mesh_max_children != e->cfg.chans[k].mesh_max_children) {
				ret_set_mesh(e->ret, n->chans[i].chan.id, n->chans[i].mesh_max_children);
				meshed++;
			}
		}
	}
	for (size_t k = 0; k < e->cfg.nchans; k++)
		if (e->chans[k]) {
			remove_sdp_files(e, e->cfg.chans[k].chan.id);
			if (e->ret)
				ret_remove_channel(e->ret, e->cfg.chans[k].chan.id);
			chan_free(e->chans[k]);
			stopped++;
		}
	free(e->chans);
	edge_cfg_free(&e->cfg);
	/* Edge-wide timings apply to new channels; the rest needs a restart. */
	e->cfg.latency_ns = n->latency_ns;
	e->cfg.lookahead_ns = n->lookahead_ns;
	e->cfg.stall_ns = n->stall_ns;
	e->cfg.tick_ns = n->tick_ns;
	memcpy(e->cfg.ret_key, n->ret_key, sizeof(e->cfg.ret_key));
	e->cfg.has_ret_key = n->has_ret_key;
	e->cfg.chans = n->chans;
	e->cfg.nchans = n->nchans;
	n->chans = NULL;
	n->nchans = 0;
	e->chans = next;
	for (size_t i = 0; i < e->cfg.nchans; i++)
		if (!e->chans[i] && (e->chans[i] = make_chan(e, &e->cfg.chans[i])))
			started++;
	sc_logf(&e->lg, LOG_NOTICE, "reloaded: %zu channel(s) unchanged, %zu (re)started, %zu stopped", kept,
		started, stopped);
	if (started || stopped || meshed) /* meshed: the tracker's direct_max */
		edge_mgmt_reregister(e->mgmt);
	return 0;
}

void edge_status(const edge *e, char *buf, size_t len)
{
	size_t up = 0, meshes = 0, children = 0;
	int n;

	for (size_t i = 0; i < e->cfg.nchans; i++) {
		struct chan_stats st;
		struct ret_chan_stats rs;

		if (!e->chans[i])
			continue;
		chan_get_stats(e->chans[i], &st);
		up += st.running;
		if (e->ret && ret_chan_stats(e->ret, e->cfg.chans[i].chan.id, &rs) == 0 && rs.mesh) {
			meshes++;
			children += rs.mesh_st.children;
		}
	}
	n = snprintf(buf, len, "%zu of %zu channel(s) running on %s", up, e->cfg.nchans, e->cfg.iface);
	if (meshes && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, ", mesh on %zu with %zu direct child(ren)", meshes, children);
}
