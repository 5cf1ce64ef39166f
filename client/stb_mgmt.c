/* stb_mgmt: the box's side of the management API (docs/api.md): register,
 * line-up, tune, heartbeat as a long poll (group changes arrive at once),
 * leave. Failures never stop the picture: the box logs what happened in
 * words, keeps playing, and retries with a doubling backoff and random jitter (sc_backoff). */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stb_int.h"

#define BACKOFF_MIN_NS (500 * SC_NS_PER_MS)
#define NEED_REGISTER 0x1u
#define NEED_CHANNELS 0x2u
#define NEED_TUNE 0x4u

static void url(const struct stb *s, char *buf, size_t len, const char *path)
{
	size_t n = strlen(s->cfg.mgmt_url);

	while (n && s->cfg.mgmt_url[n - 1] == '/')
		n--;
	snprintf(buf, len, "%.*s/api/v1%s", (int)n, s->cfg.mgmt_url, path);
}

static const char *token(const struct stb *s)
{
	return s->reg.token[0] ? s->reg.token : NULL;
}

static int64_t request(struct stb *s, const char *method, const char *path, json_t *body, unsigned timeout_ms,
		       sc_httpc_done done)
{
	char u[512];
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	int64_t id;

	url(s, u, sizeof(u), path);
	json_decref(body);
	id = sc_httpc_request(s->http, method, u, token(s), text, timeout_ms, done, s);
	free(text);
	return id;
}

/* The server answered (2xx/4xx) or not (status 0, 5xx). */
static void went_up(struct stb *s)
{
	if (!s->mgmt_up && s->mg == MG_READY)
		sc_logf(&s->lg, LOG_NOTICE, "management server %s is back", s->cfg.mgmt_url);
	s->mgmt_up = true;
	sc_backoff_reset(&s->backoff);
}

static void retry(struct stb *s, unsigned what, const char *why)
{
	uint64_t delay;

	s->mg_need |= what;
	s->mgmt_errors++;
	/* a reload may have changed the cap */
	s->backoff.max_ns = s->cfg.mgmt_retry_max_ns;
	delay = sc_backoff_next(&s->backoff);
	if (s->mgmt_up || strcmp(why, s->mgmt_err))
		sc_logf(&s->lg, LOG_WARNING, "management server %s: %s; %s, retrying in %.1f s", s->cfg.mgmt_url, why,
			s->t ? "playing on" : "not tuned", (double)delay / 1e9);
	snprintf(s->mgmt_err, sizeof(s->mgmt_err), "%s", why);
	s->mgmt_up = false;
	sc_timer_arm(s->mg_timer, delay);
}

/* Classify an answer: 0 to use it, else retry (and log) as what says. */
static int check(struct stb *s, int status, const char *body, const char *err, const char *what_for,
		 unsigned what)
{
	char msg[200], why[260];

	if (status >= 200 && status < 300) {
		went_up(s);
		return 0;
	}
	if (status == 0)
		snprintf(why, sizeof(why), "%s: no answer (%s)", what_for, err ? err : "?");
	else {
		mgc_error_text(body, msg, sizeof(msg));
		snprintf(why, sizeof(why), "%s refused (%d): %s", what_for, status, msg);
	}
	if (status == 401 && s->mg == MG_READY) {
		/* The token is void: kicked, or the server forgot us. */
		s->mg = MG_IDLE;
		s->reg.token[0] = 0;
		what |= NEED_REGISTER | NEED_CHANNELS | (s->want ? NEED_TUNE : 0);
	}
	retry(s, what, why);
	return -1;
}

static json_t *my_addrs(struct stb *s)
{
	struct mld_ifinfo ii;
	json_t *a = json_array();

	if (mld_if_get(s->cfg.iface, &ii, &s->mlg) < 0)
		return a;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < ii.n_addrs && json_array_size(a) < MGC_MAX_ADDRS; i++) {
			const struct mld_if_addr *x = &ii.addrs[i];
			char txt[MLD_ADDR_STRLEN], buf[MLD_ADDR_STRLEN + 10];

			if (x->scope != 0 || x->tentative || (x->addr.family == AF_INET6) != (pass == 0))
				continue;
			mld_addr_format(&x->addr, txt, sizeof(txt));
			snprintf(buf, sizeof(buf), pass == 0 ? "[%s]:%u" : "%s:%u", txt, s->cfg.repair_port);
			json_array_append_new(a, json_string(buf));
		}
	return a;
}

static void get_channels(struct stb *s);
static void hb_send(struct stb *s);

static void on_register(void *arg, int status, const char *body, size_t len, const char *err)
{
	struct stb *s = arg;
	struct mgc_register r;
	char perr[MGC_ERR_LEN];

	(void)len;
	if (check(s, status, body, err, "registration", NEED_REGISTER) < 0)
		return;
	if (mgc_parse_register(body, &r, perr) < 0) {
		retry(s, NEED_REGISTER, perr);
		return;
	}
	if (stb_ident_registered(s, &r) == -EAGAIN) {
		retry(s, NEED_REGISTER, "registering again with a new key");
		return;
	}
	s->reg = r;
	s->mg = MG_READY;
	s->mg_need &= ~NEED_REGISTER;
	s->heartbeat_ms = r.heartbeat_ms ? r.heartbeat_ms : 5000;
	sc_logf(&s->lg, LOG_NOTICE, "registered as client %u in metro %s", r.client_id, r.metro[0] ? r.metro : "?");
	stb_on_registered(s);
	get_channels(s);
}

static void do_register(struct stb *s)
{
	char pub[2 * RTX_PUB_BYTES + 1];
	json_t *b;

	stb_ident_pubkey(s, pub);
	b = json_pack("{s:s, s:s, s:o, s:s}", "device_id", s->cfg.device_id, "credential", s->cfg.credential,
		      "addrs", my_addrs(s), "pubkey", pub);

	if (s->cfg.metro[0])
		json_object_set_new(b, "metro", json_string(s->cfg.metro));
	s->mg = MG_REGISTERING;
	if (request(s, "POST", "/clients/register", b, s->cfg.mgmt_timeout_ms, on_register) < 0)
		retry(s, NEED_REGISTER, "cannot start a request");
}

static void on_channels(void *arg, int status, const char *body, size_t len, const char *err)
{
	struct stb *s = arg;
	struct mgc_channel *c;
	size_t n;
	char perr[MGC_ERR_LEN];

	(void)len;
	if (check(s, status, body, err, "channel list", NEED_CHANNELS) < 0)
		return;
	if (mgc_parse_channels(body, &c, &n, perr) < 0) {
		retry(s, NEED_CHANNELS, perr);
		return;
	}
	s->mg_need &= ~NEED_CHANNELS;
	free(s->chans);
	s->chans = c;
	s->n_chans = n;
	sc_logf(&s->lg, LOG_INFO, "line-up: %zu channel(s)", n);
	stb_on_channels(s);
	if (!sc_timer_armed(s->hb_timer) && !s->hb_req)
		hb_send(s);
}

static void get_channels(struct stb *s)
{
	if (request(s, "GET", "/channels", NULL, s->cfg.mgmt_timeout_ms, on_channels) < 0)
		retry(s, NEED_CHANNELS, "cannot start a request");
}

static void on_tune(void *arg, int status, const char *body, size_t len, const char *err)
{
	struct stb *s = arg;
	struct mgc_tune *tu;
	char perr[MGC_ERR_LEN];

	(void)len;
	s->tune_req = 0;
	if (status == 404 || status == 409) {
		mgc_error_text(body, perr, sizeof(perr));
		sc_logf(&s->lg, LOG_WARNING, "tune to channel %u refused: %s", s->want, perr);
		get_channels(s);
		return;
	}
	if (check(s, status, body, err, "tune", NEED_TUNE) < 0)
		return;
	tu = malloc(sizeof(*tu));
	if (!tu || mgc_parse_tune(body, tu, perr) < 0) {
		retry(s, NEED_TUNE, tu ? perr : "out of memory");
		free(tu);
		return;
	}
	s->mg_need &= ~NEED_TUNE;
	if (tu->heartbeat_ms)
		s->heartbeat_ms = tu->heartbeat_ms;
	stb_on_tuned(s, tu);
	free(tu);
}

void stb_mgmt_tune(struct stb *s, uint32_t id)
{
	char path[64];

	if (s->tune_req)
		sc_httpc_cancel(s->http, s->tune_req);
	snprintf(path, sizeof(path), "/clients/%u/tune", s->reg.client_id);
	s->tune_req = request(s, "POST", path, json_pack("{s:i}", "channel_id", (json_int_t)id),
			      s->cfg.mgmt_timeout_ms, on_tune);
	if (s->tune_req < 0) {
		s->tune_req = 0;
		retry(s, NEED_TUNE, "cannot start a request");
	}
}

static void on_peers(void *arg, int status, const char *body, size_t len, const char *err)
{
	struct stb *s = arg;
	struct mgc_peers *p;
	char perr[MGC_ERR_LEN];

	(void)len;
	s->peers_req = 0;
	if (status < 200 || status >= 300) {
		/* Not a reason to retry everything: the node asks again. */
		if (status)
			mgc_error_text(body, perr, sizeof(perr));
		sc_logf(&s->lg, LOG_WARNING, "tracker: %s", status ? perr : err ? err : "no answer");
		return;
	}
	p = malloc(sizeof(*p));
	if (!p || mgc_parse_peers(body, p, perr) < 0)
		sc_logf(&s->lg, LOG_WARNING, "tracker: %s", p ? perr : "out of memory");
	else if (s->t)
		stb_mesh_peers(s->t, p);
	free(p);
}

void stb_mgmt_peers(struct stb *s, uint32_t channel)
{
	char path[96];

	if (s->peers_req || s->mg != MG_READY)
		return;
	snprintf(path, sizeof(path), "/channels/%u/peers?client_id=%u", channel, s->reg.client_id);
	s->peers_req = request(s, "GET", path, NULL, s->cfg.mgmt_timeout_ms, on_peers);
	if (s->peers_req < 0)
		s->peers_req = 0;
}

static json_t *stats_json(const struct stb *s)
{
	struct rtx_stats st;
	uint64_t mesh;

	if (!s->t)
		return json_object();
	rtx_session_stats(s->t->rtx, &st);
	/* The raw buffer counts what the mesh brought as received: received
	 * is what multicast brought. */
	mesh = s->t->mesh.accepted;
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "received",
			 (json_int_t)(st.received > mesh ? st.received - mesh : 0), "lost", (json_int_t)st.gaps,
			 "repaired_group", (json_int_t)st.repaired_peer, "repaired_edge", (json_int_t)st.repaired_ret,
			 "repaired_mesh", (json_int_t)mesh, "unrepaired", (json_int_t)st.unrepaired, "served",
			 (json_int_t)st.repairs_sent);
}

static void on_heartbeat(void *arg, int status, const char *body, size_t len, const char *err)
{
	struct stb *s = arg;
	struct mgc_heartbeat *hb;
	char perr[MGC_ERR_LEN];
	uint64_t next;

	(void)len;
	s->hb_req = 0;
	if (check(s, status, body, err, "heartbeat", 0) < 0)
		return;
	hb = malloc(sizeof(*hb));
	if (!hb || mgc_parse_heartbeat(body, hb, perr) < 0) {
		retry(s, 0, hb ? perr : "out of memory");
		free(hb);
		return;
	}
	if (hb->heartbeat_ms)
		s->heartbeat_ms = hb->heartbeat_ms;
	if (hb->lineup_version && s->lineup_version && hb->lineup_version != s->lineup_version)
		get_channels(s);
	s->lineup_version = hb->lineup_version;
	/* Revocations before the group: a new group's certificates are
	 * checked against them. */
	stb_ident_heartbeat(s, hb);
	if (hb->group_changed)
		stb_on_group(s, hb->has_group ? &hb->group : NULL);
	/* A group change came early: poll again at once. Otherwise keep one
	 * heartbeat per period. */
	next = hb->group_changed ? stb_now(s) : s->hb_sent_ns + s->heartbeat_ms * SC_NS_PER_MS;
	free(hb);
	sc_timer_arm_at(s->hb_timer, next);
}

static void hb_send(struct stb *s)
{
	char path[96], pub[2 * RTX_PUB_BYTES + 1];
	json_t *b;

	if (s->mg != MG_READY || s->hb_req)
		return;
	stb_ident_pubkey(s, pub);
	b = json_pack("{s:o, s:s}", "stats", stats_json(s), "pubkey", pub);
	if (s->t) {
		json_object_set_new(b, "channel_id", json_integer(s->t->ch.id));
		json_object_set_new(b, "group_version", json_integer(s->t->has_group ? s->t->group_version : 0));
		/* the NOC sees which boxes play through the mesh */
		json_object_set_new(b, "mode", json_string(stb_mesh_active(s->t) ? "mesh" : "multicast"));
	}
	snprintf(path, sizeof(path), "/clients/%u/heartbeat?wait=%u", s->reg.client_id, s->heartbeat_ms);
	s->hb_sent_ns = stb_now(s);
	s->hb_req = request(s, "POST", path, b, s->heartbeat_ms + s->cfg.mgmt_timeout_ms, on_heartbeat);
	if (s->hb_req < 0) {
		s->hb_req = 0;
		retry(s, 0, "cannot start a request");
	}
}

static void on_hb_timer(void *arg)
{
	hb_send(arg);
}

/* After a failure: redo what is needed, in order; the heartbeat doubles as
 * the probe that tells when the server is back. */
static void on_mg_timer(void *arg)
{
	struct stb *s = arg;

	if (s->mg_need & NEED_REGISTER || s->mg != MG_READY)
		do_register(s);
	else if (s->mg_need & NEED_CHANNELS)
		get_channels(s);
	else if (s->mg_need & NEED_TUNE && s->want)
		stb_mgmt_tune(s, s->want);
	else
		hb_send(s);
}

void stb_mgmt_start(struct stb *s)
{
	sc_backoff_init(&s->backoff, BACKOFF_MIN_NS, s->cfg.mgmt_retry_max_ns, 0);
	s->mg_timer = sc_timer_new(s->loop, on_mg_timer, s);
	s->hb_timer = sc_timer_new(s->loop, on_hb_timer, s);
	s->mgmt_up = true;
	s->mg_need = 0;
	if (s->mg_timer && s->hb_timer)
		do_register(s);
}

void stb_mgmt_stop(struct stb *s)
{
	sc_timer_free(s->mg_timer);
	sc_timer_free(s->hb_timer);
	s->mg_timer = s->hb_timer = NULL;
}

int64_t stb_mgmt_leave(struct stb *s, sc_httpc_done done, void *arg)
{
	char u[512], path[64];

	if (s->hb_req)
		sc_httpc_cancel(s->http, s->hb_req);
	s->hb_req = 0;
	snprintf(path, sizeof(path), "/clients/%u/leave", s->reg.client_id);
	url(s, u, sizeof(u), path);
	return sc_httpc_request(s->http, "POST", u, token(s), "{}", 1000, done, arg);
}
