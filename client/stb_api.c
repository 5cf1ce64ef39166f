/* stb_api: the box's local control API, for sixcast-stb and the box's
 * own user interface (docs/client.md, "Control API"):
 *
 *   GET  /api/status    what the box does now, zap milestones
 *   GET  /api/channels  the line-up, the watched channel flagged
 *   GET  /api/stats     reception, repair and output counters
 *   POST /api/tune      {"channel": ID}
 *   POST /api/up, /api/down
 *   POST /api/record    {"action": "start" | "stop", "path"?: FILE}
 *
 * Loopback by default: anyone who reaches it can change the channel and
 * record to the box's disk, so beyond loopback the configuration must give
 * a bearer token (client.control_token, checked by stb_cfg), which every
 * request must then carry; on loopback a token given is required too. */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "stb_int.h"

#define MAX_BODY 4096

static double ms_since(uint64_t from, uint64_t to)
{
	return from && to ? (double)(to - from) / 1e6 : -1;
}

static json_t *zap_json(const struct stb_tuner *t, const struct stb *s)
{
	/* From the viewer's request: what the viewer waits. */
	json_t *z = json_pack("{s:f, s:f, s:f, s:f}", "tune_answer_ms", ms_since(t->asked_ns, t->tune_ns),
			      "join_ms", ms_since(t->asked_ns, t->join_ns), "first_packet_ms",
			      ms_since(t->asked_ns, t->first_rx_ns), "first_output_ms",
			      ms_since(t->asked_ns, t->first_out_ns));

	if (s->out.pl) {
		struct player_stats ps;

		player_get_stats(s->out.pl, &ps);
		json_object_set_new(z, "first_frame_ms", json_real(ms_since(t->asked_ns, ps.first_frame_ns)));
		json_object_set_new(z, "frames", json_integer((json_int_t)ps.frames));
	}
	if (t->burst_asked) {
		static const char *const states[] = { "none", "asked", "active", "done", "refused" };
		struct rtx_zap rz;

		rtx_session_zap(t->rtx, &rz);
		json_object_set_new(z, "burst", json_pack("{s:s, s:f, s:f, s:i, s:i}", "state",
				    (unsigned)rz.state < 5 ? states[rz.state] : "?", "answer_ms",
				    ms_since(t->asked_ns, rz.answered_ns), "first_burst_packet_ms",
				    ms_since(t->asked_ns, rz.first_burst_ns), "start_seq", (json_int_t)rz.start_seq,
				    "splice_seq", (json_int_t)rz.splice_seq));
	} else {
		json_object_set_new(z, "burst", json_null());
	}
	return z;
}

static json_t *status_json(const struct stb *s)
{
	char line[200];
	json_t *j;

	stb_status_line(s, line, sizeof(line));
	j = json_pack("{s:s, s:i, s:s, s:b, s:s, s:f, s:s}", "device_id", s->cfg.device_id, "client_id",
		      (json_int_t)s->reg.client_id, "metro", s->reg.metro, "mgmt_up", s->mgmt_up, "mgmt_url",
		      s->cfg.mgmt_url, "uptime_s",
		      (double)(sc_clock_now_ns(sc_loop_clock(s->loop)) - s->started_ns) / 1e9, "status", line);
	if (!s->mgmt_up)
		json_object_set_new(j, "mgmt_error", json_string(s->mgmt_err));
	if (s->t) {
		const struct stb_tuner *t = s->t;

		json_object_set_new(j, "channel", json_pack("{s:i, s:s}", "id", (json_int_t)t->ch.id, "name", t->ch.name));
		json_object_set_new(j, "family", json_string(t->family == AF_INET6 ? "ipv6" : "ipv4"));
		json_object_set_new(j, "repair_group", t->has_group ? json_pack("{s:i, s:i}", "id",
				     (json_int_t)t->group_id, "version", (json_int_t)t->group_version) : json_null());
		json_object_set_new(j, "ret", json_boolean(t->has_ret));
		json_object_set_new(j, "multicast", json_string(t->starving ? "missing" : t->first_rx_ns ? "ok" : "waiting"));
		json_object_set_new(j, "mode", json_string(stb_mesh_active(t) ? "mesh" : "multicast"));
		json_object_set_new(j, "zap", zap_json(t, s));
	} else {
		json_object_set_new(j, "channel", json_null());
	}
	if (s->out.rec)
		json_object_set_new(j, "recording", json_string(rec_path(s->out.rec)));
	return j;
}

#define ADD(o, st, f) json_object_set_new(o, #f, json_integer((json_int_t)(st).f))

static json_t *rtx_json(const struct rtx_stats *st)
{
	json_t *o = json_object();

	ADD(o, *st, received); ADD(o, *st, duplicates_rtp); ADD(o, *st, malformed_rtp); ADD(o, *st, restarts);
	ADD(o, *st, gaps); ADD(o, *st, reordered); ADD(o, *st, repaired_peer); ADD(o, *st, repaired_ret);
	ADD(o, *st, duplicates); ADD(o, *st, late); ADD(o, *st, unrepaired); ADD(o, *st, delivered);
	ADD(o, *st, requests_sent); ADD(o, *st, ret_requests_sent); ADD(o, *st, requests_received);
	ADD(o, *st, seqs_requested); ADD(o, *st, missing_received); ADD(o, *st, seqs_missing);
	ADD(o, *st, repairs_sent); ADD(o, *st, requests_refused); ADD(o, *st, malformed); ADD(o, *st, auth_failed);
	ADD(o, *st, non_member); ADD(o, *st, replayed); ADD(o, *st, bytes_sent); ADD(o, *st, bytes_received);
	/* what the responder refused, and why a datagram was dropped */
	ADD(o, *st, seqs_refused); ADD(o, *st, seqs_deduped); ADD(o, *st, unsupported); ADD(o, *st, unvalidated);
	ADD(o, *st, revoked); ADD(o, *st, unknown_sender); ADD(o, *st, no_key); ADD(o, *st, path_sent);
	ADD(o, *st, send_errors);
	json_object_set_new(o, "repair_latency_p50_ms", json_real((double)rtx_stats_latency_ns(st, 0.5) / 1e6));
	json_object_set_new(o, "repair_latency_p99_ms", json_real((double)rtx_stats_latency_ns(st, 0.99) / 1e6));
	return o;
}

static double since_ms(const struct stb *s, uint64_t t)
{
	return t ? (double)(sc_clock_now_ns(sc_loop_clock(s->loop)) - t) / 1e6 : -1;
}

/* What the mesh node dropped and why, and what it refused to send. */
static void mesh_drops_json(json_t *o, const struct mesh_stats *ms)
{
	if (!o)
		return;
	ADD(o, *ms, malformed); ADD(o, *ms, unsupported); ADD(o, *ms, replayed); ADD(o, *ms, rate_limited);
	ADD(o, *ms, banned); ADD(o, *ms, revoked); ADD(o, *ms, unknown_sender); ADD(o, *ms, unvalidated);
	ADD(o, *ms, tx_refused); ADD(o, *ms, challenges); ADD(o, *ms, validated); ADD(o, *ms, moves);
	ADD(o, *ms, send_errors); ADD(o, *ms, pulls_received); ADD(o, *ms, pulls_refused);
	ADD(o, *ms, data_bytes_sent); ADD(o, *ms, ctl_bytes_sent);
}

/* The box's identity: certificates checked, datagrams it refused. */
static json_t *ident_json(const rtx_ident *id)
{
	struct rtx_ident_stats st;
	json_t *o = json_object();

	rtx_ident_stats(id, &st);
	ADD(o, st, certs_verified); ADD(o, st, certs_rejected); ADD(o, st, revoked); ADD(o, st, budget_refused);
	ADD(o, st, unknown_sender); ADD(o, st, wrong_receiver); ADD(o, st, bad_mac); ADD(o, st, challenges_sent);
	ADD(o, st, addrs_validated); ADD(o, st, renewals); ADD(o, st, peers);
	return o;
}

/* The mesh fallback: the switch and the node's counters. */
static json_t *mesh_json(const struct stb *s, const struct stb_tuner *t)
{
	const struct stb_mesh *m = &t->mesh;
	struct mesh_stats ms;
	json_t *o;

	if (!m->poll)
		return json_null();
	o = json_pack("{s:s, s:I, s:I, s:f, s:f, s:f, s:I, s:I, s:I, s:I}", "mode",
		      mesh_mode_name(m->sw.mode), "to_mesh", (json_int_t)m->to_mesh, "to_multicast",
		      (json_int_t)m->to_mcast, "since_switch_ms", since_ms(s, m->sw.changed_ns), "startup_ms",
		      m->first_ns ? (double)(m->first_ns - m->entered_ns) / 1e6 : -1.0, "multicast_loss",
		      mesh_switch_loss((struct mesh_switch *)&m->sw, sc_clock_now_ns(sc_loop_clock(s->loop))),
		      "delivered", (json_int_t)m->delivered, "accepted", (json_int_t)m->accepted,
		      "tracker_answers", (json_int_t)m->tracker_answers, "dropped", (json_int_t)m->dropped);
	/* Switch times on the host's CLOCK_MONOTONIC, for a lab to compare
	 * with when it cut multicast. */
	json_object_set_new(o, "switched_mono_ms", json_real((double)m->sw.changed_ns / 1e6));
	json_object_set_new(o, "first_mesh_mono_ms", json_real((double)m->first_ns / 1e6));
	json_object_set_new(o, "output_gap_max_ms", json_pack("{s:f, s:f, s:f}", "entering",
			    (double)m->gap_enter_ns / 1e6, "in_mesh", (double)m->gap_mesh_ns / 1e6, "switching_back",
			    (double)m->gap_back_ns / 1e6));
	json_object_set_new(o, "multicast_back_ms", json_real(m->mc_back_ns && m->left_ns > m->mc_back_ns ?
			    (double)(m->left_ns - m->mc_back_ns) / 1e6 : -1.0));
	if (!m->n)
		return o;
	mesh_node_stats(m->n, &ms);
	json_object_set_new(o, "node", json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:i, s:i, s:i, s:i}",
			    "received", (json_int_t)ms.data_received, "pushed_in", (json_int_t)ms.data_pushed_in,
			    "pulled_in", (json_int_t)ms.data_pulled_in, "duplicates", (json_int_t)ms.data_duplicates,
			    "sent", (json_int_t)ms.data_sent, "pushed", (json_int_t)ms.data_pushed,
			    "pulled_out", (json_int_t)ms.data_pulled_out, "urgent_pulls",
			    (json_int_t)ms.urgent_pulls_sent,
			    "auth_failed", (json_int_t)ms.auth_failed, "partners", (json_int_t)ms.partners,
			    "out_view", (json_int_t)ms.out_view, "in_view", (json_int_t)ms.in_view, "depth",
			    (json_int_t)ms.depth));
	mesh_drops_json(json_object_get(o, "node"), &ms);
	return o;
}

/* What an HTTP server's limits refused and closed. */
static json_t *guard_json(const struct sc_guard_stats *g)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:i}", "accepted", (json_int_t)g->accepted,
			 "refused_per_address", (json_int_t)g->refused_addr, "refused_full",
			 (json_int_t)g->refused_full, "evicted", (json_int_t)g->evicted, "request_timeouts",
			 (json_int_t)g->request_timeouts, "idle_timeouts", (json_int_t)g->idle_timeouts,
			 "open", (json_int_t)g->open);
}

static json_t *control_json(const struct stb *s)
{
	struct sc_httpd_lite_stats st;
	json_t *o;

	sc_httpd_lite_stats(s->api, &st);
	o = guard_json(&st.conns);
	json_object_set_new(o, "auth_failed", json_integer((json_int_t)st.auth_failed));
	return o;
}

static json_t *stats_json(const struct stb *s)
{
	json_t *j = json_object(), *o = json_object();

	if (s->t) {
		struct rtx_stats st;

		rtx_session_stats(s->t->rtx, &st);
		json_object_set_new(j, "repair", rtx_json(&st));
		json_object_set_new(j, "multicast", json_pack("{s:I, s:I}", "datagrams",
			(json_int_t)s->t->rx_datagrams, "errors", (json_int_t)s->t->rx_errors));
		json_object_set_new(j, "mesh", mesh_json(s, s->t));
	}
	if (s->ident)
		json_object_set_new(j, "identity", ident_json(s->ident));
	json_object_set_new(j, "repair_port", json_pack("{s:I, s:I, s:I}", "datagrams", (json_int_t)s->repair_in,
			    "malformed", (json_int_t)s->repair_bad, "stray", (json_int_t)s->repair_stray));
	json_object_set_new(o, "bytes", json_integer((json_int_t)s->out.bytes));
	json_object_set_new(o, "udp_errors", json_integer((json_int_t)s->out.udp_errors));
	json_object_set_new(o, "source_restarts", json_integer((json_int_t)s->out.restarts));
	if (s->out.hts) {
		const struct hts_stats *h = hts_stats(s->out.hts);

		json_object_set_new(o, "http", json_pack("{s:I, s:I, s:I, s:i, s:o}", "streams", (json_int_t)h->streams,
				    "dropped_slow", (json_int_t)h->dropped_slow, "bytes", (json_int_t)h->bytes,
				    "clients", (json_int_t)h->clients, "connections",
				    guard_json(hts_guard_stats(s->out.hts))));
	}
	json_object_set_new(j, "outputs", o);
	if (s->api)
		json_object_set_new(j, "control", control_json(s));
	json_object_set_new(j, "mgmt_errors", json_integer((json_int_t)s->mgmt_errors));
	return j;
}

static json_t *channels_json(const struct stb *s)
{
	json_t *a = json_array();

	for (size_t i = 0; i < s->n_chans; i++)
		json_array_append_new(a, json_pack("{s:i, s:s, s:b}", "id", (json_int_t)s->chans[i].id, "name",
						   s->chans[i].name, "current", s->t && s->t->ch.id == s->chans[i].id));
	return a;
}

static void reply(struct sc_http_resp *resp, int status, json_t *j)
{
	char *text = json_dumps(j, JSON_COMPACT);

	json_decref(j);
	sc_httpd_printf(resp, status, "application/json", "%s\n", text ? text : "{}");
	free(text);
}

static void fail(struct sc_http_resp *resp, int status, const char *msg)
{
	reply(resp, status, json_pack("{s:s}", "error", msg));
}

static void tune_to(struct stb *s, uint32_t id, struct sc_http_resp *resp)
{
	char msg[120];

	if (stb_request_tune(s, id) < 0) {
		snprintf(msg, sizeof(msg), "channel %u is not in the line-up", id);
		fail(resp, 404, msg);
		return;
	}
	reply(resp, 200, json_pack("{s:i}", "channel", (json_int_t)id));
}

/* Next (dir 1) or previous (-1) channel of the line-up, wrapping. */
static void step(struct stb *s, int dir, struct sc_http_resp *resp)
{
	size_t i = 0;

	if (!s->n_chans) {
		fail(resp, 409, "the line-up is not known yet");
		return;
	}
	for (size_t k = 0; k < s->n_chans; k++)
		if (s->t && s->chans[k].id == s->t->ch.id)
			i = (k + s->n_chans + (size_t)(long)dir) % s->n_chans;
	tune_to(s, s->chans[i].id, resp);
}

static void post(struct stb *s, const struct sc_http_req *req, json_t *b, struct sc_http_resp *resp)
{
	char why[200];

	if (strcmp(req->url, "/api/tune") == 0) {
		json_t *c = json_object_get(b, "channel");

		if (!json_is_integer(c) || json_integer_value(c) < 1 || json_integer_value(c) > 0xffffffffLL) {
			fail(resp, 400, "give {\"channel\": ID} with ID 1..4294967295");
			return;
		}
		tune_to(s, (uint32_t)json_integer_value(c), resp);
	} else if (strcmp(req->url, "/api/up") == 0 || strcmp(req->url, "/api/down") == 0) {
		step(s, strcmp(req->url, "/api/up") == 0 ? 1 : -1, resp);
	} else if (strcmp(req->url, "/api/record") == 0) {
		const char *a = json_string_value(json_object_get(b, "action"));
		json_t *p = json_object_get(b, "path");

		if (!a || (strcmp(a, "start") && strcmp(a, "stop")) || (p && !json_is_string(p))) {
			fail(resp, 400, "give {\"action\": \"start\"|\"stop\", \"path\"?: FILE}");
			return;
		}
		if (stb_out_record(s, strcmp(a, "start") == 0, json_string_value(p), why, sizeof(why)) < 0) {
			fail(resp, 409, why);
			return;
		}
		reply(resp, 200, s->out.rec ? json_pack("{s:s}", "recording", rec_path(s->out.rec)) : json_object());
	} else {
		fail(resp, 404, "POST /api/tune, /api/up, /api/down or /api/record");
	}
}

static void handle(void *arg, const struct sc_http_req *req, struct sc_http_resp *resp)
{
	struct stb *s = arg;
	json_t *b;

	if (strcmp(req->method, "GET") == 0) {
		if (strcmp(req->url, "/api/status") == 0)
			reply(resp, 200, status_json(s));
		else if (strcmp(req->url, "/api/channels") == 0)
			reply(resp, 200, channels_json(s));
		else if (strcmp(req->url, "/api/stats") == 0)
			reply(resp, 200, stats_json(s));
		else
			fail(resp, 404, "GET /api/status, /api/channels or /api/stats");
		return;
	}
	if (strcmp(req->method, "POST") != 0) {
		fail(resp, 405, "GET or POST");
		return;
	}
	b = json_loads(req->body_len ? req->body : "{}", 0, NULL);
	if (!json_is_object(b))
		fail(resp, 400, "the body is not a JSON object");
	else
		post(s, req, b, resp);
	json_decref(b);
}

int stb_api_open(struct stb *s)
{
	/* The configured address stays in s->cfg, for a reload to compare. */
	struct sc_sockaddr a = s->cfg.control;
	int rc;

	if (!a.len)
		return 0;
	sc_listen_pick(&a, s->cfg.control_dflt, SOCK_STREAM, NULL, &s->lg, "control API");
	if ((rc = sc_httpd_lite_new(s->loop, &a, MAX_BODY, &s->cfg.control_limits, handle, s, &s->lg, &s->api)) < 0)
		return rc;
	if ((rc = sc_httpd_lite_set_token(s->api, s->cfg.control_token)) < 0) {
		stb_api_close(s);
		return rc;
	}
	if (s->cfg.control_token[0])
		sc_logf(&s->lg, LOG_INFO, "control API: every request needs the bearer token");
	return 0;
}

void stb_api_reconfigure(struct stb *s, const struct stb_cfg *cfg)
{
	if (!s->api)
		return;
	sc_httpd_lite_set_limits(s->api, &cfg->control_limits);
	/* The address stays as started: beyond loopback, a token must stay
	 * whatever the new file says for a new address. */
	if (!cfg->control_token[0] && s->cfg.control_token[0] && !sc_addr_is_loopback(&s->cfg.control)) {
		sc_logf(&s->lg, LOG_WARNING, "reload: the control API listens beyond loopback until the restart: "
			"keeping its token");
		return;
	}
	if (sc_httpd_lite_set_token(s->api, cfg->control_token) == 0)
		snprintf(s->cfg.control_token, sizeof(s->cfg.control_token), "%s", cfg->control_token);
}

void stb_api_close(struct stb *s)
{
	sc_httpd_lite_free(s->api);
	s->api = NULL;
}
