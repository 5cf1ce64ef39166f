/* mg_api_box: the set-top boxes' API: register, channel list, tune,
 * heartbeat (with long polls), leave, and the tracker's peers. Part of
 * mg_api; docs/api.md has the shapes. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mg_api.h"
#include "mg_auth.h"
#include "mg_view.h"
#include "sc_log.h"

#define CLIENT_PORT 5100

/* A heartbeat waiting (?wait=ms) for its box's group to change. */
struct waiter {
	struct mg_api *api;
	struct mg_req *r;
	struct mg_client *c;
	uint32_t group_version;
	sc_timer *timer;
	bool ready;
	struct waiter *prev, *next;
};

static struct {
	struct waiter *head;
	unsigned n;
	sc_timer *kick; /* finishes ready waiters outside the model's callbacks */
} lp;

static void waiter_unlink(struct waiter *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else if (lp.head == w)
		lp.head = w->next;
	if (w->next)
		w->next->prev = w->prev;
	w->prev = w->next = NULL;
	if (w->c)
		w->c->waiter = NULL;
	lp.n--;
}

static bool device_id_ok(const char *s)
{
	size_t n = strlen(s);

	return n && n < MG_DEVICE_MAX &&
	       s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:@+-")] == '\0';
}

/* The metro a box declares, by id or name: true and *metro (0: none), or
 * false with the request answered 400. */
static bool read_metro(struct mg_call *c, uint32_t *metro)
{
	json_t *v = json_object_get(c->body, "metro");
	const struct mg_metro *m = NULL;

	*metro = 0;
	if (!v || json_is_null(v))
		return true;
	if (json_is_integer(v) && json_integer_value(v) > 0 && json_integer_value(v) <= UINT32_MAX)
		m = mg_metro_get(c->st, (uint32_t)json_integer_value(v));
	else if (json_is_string(v))
		m = mg_metro_by_name(c->st, json_string_value(v));
	else if (!json_is_integer(v)) {
		mg_reply_error(c->r, 400, "field \"metro\" must be a metro id or name");
		return false;
	}
	if (!m) {
		mg_reply_error(c->r, 400, "no such metro");
		return false;
	}
	*metro = m->def.id;
	return true;
}

static json_t *register_answer(struct mg_state *st, const struct mg_client *cl, const char *token)
{
	const struct mg_config *cfg = mg_state_config(st);
	json_t *answer = json_pack("{s:I, s:s, s:s, s:I, s:I, s:I}", "client_id", (json_int_t)cl->id,
				   "token", token, "metro", mg_metro_name(st, cl->metro), "metro_id",
				   (json_int_t)cl->metro, "heartbeat_ms",
				   (json_int_t)cfg->clients.heartbeat_ms, "lineup_version",
				   (json_int_t)mg_state_lineup_version(st));

	mg_view_cert_fields(answer, st, cl->cert);
	return answer;
}

void mg_h_register(struct mg_call *c)
{
	const struct mg_config *cfg = mg_api_config(c->api);
	struct mg_register reg = { .peer = &c->r->peer };
	char token[MG_TOKEN_BUF], why[160];
	uint8_t pub[RTX_PUB_BYTES];
	struct mg_client *cl;
	struct mg_batch *b;
	int rc;

	if (!mg_body_ok(c, mg_body_register))
		return;
	reg.device_id = json_string_value(json_object_get(c->body, "device_id"));
	if (!device_id_ok(reg.device_id)) {
		mg_reply_error(c->r, 400, "device_id may hold letters, digits and ._:@+- only");
		return;
	}
	if (!mg_credential_ok(cfg->auth.client_mode, cfg->auth.client_secret, reg.device_id,
			      json_string_value(json_object_get(c->body, "credential")))) {
		mg_reply_error(c->r, 401, "wrong credential for this device");
		return;
	}
	if (mg_json_addrs(json_object_get(c->body, "addrs"), CLIENT_PORT, reg.addrs, MG_CLIENT_ADDRS,
			  &reg.naddr, why, sizeof(why)) < 0) {
		mg_reply_error(c->r, 400, "addrs: %s", why);
		return;
	}
	if (!read_metro(c, &reg.metro))
		return;
	if ((rc = mg_body_pubkey(c, pub)) < 0)
		return;
	reg.pub = rc ? pub : NULL;
	if (!(b = mg_batch_new())) {
		mg_reply_error(c->r, 500, "out of memory");
		return;
	}
	rc = mg_client_register(c->st, &reg, token, &cl, b);
	if (rc < 0) {
		mg_batch_free(b);
		if (rc == -EPERM) {
			mg_reply_error(c->r, 403, "this device is banned");
			return;
		}
		mg_reply_error(c->r, 500, "cannot register: %s", strerror(-rc));
		return;
	}
	mg_api_commit(c, b, 200, register_answer(c->st, cl, token));
}

void mg_h_channels(struct mg_call *c)
{
	bool admin = c->who.role == MG_ROLE_ADMIN;
	json_t *arr = json_array();
	struct mg_channel **v;
	size_t n = mg_channels_sorted(c->st, &v);

	for (size_t i = 0; arr && i < n; i++)
		if (admin || v[i]->def.enabled)
			json_array_append_new(arr, mg_view_channel(c->st, v[i], admin));
	free(v);
	mg_reply_json(c->r, 200, arr);
}

void mg_h_channel(struct mg_call *c)
{
	struct mg_channel *ch = mg_channel_get(c->st, c->id[0]);
	bool admin = c->who.role == MG_ROLE_ADMIN;

	if (!ch || (!admin && !ch->def.enabled)) {
		mg_reply_error(c->r, 404, "no channel %u", c->id[0]);
		return;
	}
	mg_reply_json(c->r, 200, mg_view_channel(c->st, ch, admin));
}

/* Written by hand (mg_jw) from cached parts: this is the answer the boxes
 * ask for most. */
static void tune_answer(struct mg_req *r, struct mg_state *st, struct mg_client *cl)
{
	struct mg_channel *ch = mg_channel_get(st, cl->channel);
	const struct grp_group *g = mg_client_group(cl);
	struct mg_jw w;

	if (mg_tune_parts(st, ch) < 0) {
		mg_reply_error(r, 500, "out of memory");
		return;
	}
	mg_jw_init(&w);
	mg_jw_obj(&w);
	mg_jw_key(&w, "channel");
	mg_jw_raw(&w, ch->tune_head, ch->tune_head_len);
	mg_jw_key(&w, "group");
	if (g)
		mg_jw_group(&w, st, g, true);
	else
		mg_jw_null(&w);
	mg_jw_raw(&w, ch->tune_tail, ch->tune_tail_len);
	mg_jw_key(&w, "heartbeat_ms");
	mg_jw_u64(&w, mg_state_config(st)->clients.heartbeat_ms);
	mg_jw_key(&w, "lineup_version");
	mg_jw_u64(&w, mg_state_lineup_version(st));
	mg_jw_obj_end(&w);
	mg_reply_jw(r, &w);
}

void mg_h_tune(struct mg_call *c)
{
	uint32_t ch;
	int rc;

	if (!mg_body_ok(c, mg_body_tune))
		return;
	ch = mg_json_u32(c->body, "channel_id", 0);
	rc = mg_client_tune(c->st, c->who.client, ch);
	if (rc == -ENOENT) {
		mg_reply_error(c->r, 404, "no channel %u", ch);
		return;
	}
	if (rc == -EAGAIN) {
		mg_reply_error(c->r, 409, "channel %u is disabled", ch);
		return;
	}
	if (rc < 0) {
		mg_reply_error(c->r, 500, "cannot tune: %s", strerror(-rc));
		return;
	}
	tune_answer(c->r, c->st, c->who.client);
}

/* The heartbeat's answer: the group only when it differs from the
 * version the box holds (versions are unique across groups); the box's
 * certificate when this heartbeat renewed it; always the revocations, so
 * that a kicked member is refused everywhere within a heartbeat. */
static void hb_answer(struct mg_req *r, struct mg_state *st, struct mg_client *cl, uint32_t held,
		      bool cert)
{
	const struct grp_group *g = mg_client_group(cl);
	struct mg_jw w;

	mg_jw_init(&w);
	mg_jw_obj(&w);
	mg_jw_key(&w, "heartbeat_ms");
	mg_jw_u64(&w, mg_state_config(st)->clients.heartbeat_ms);
	mg_jw_key(&w, "lineup_version");
	mg_jw_u64(&w, mg_state_lineup_version(st));
	mg_jw_key(&w, "channel_id");
	if (cl->channel)
		mg_jw_u64(&w, cl->channel);
	else
		mg_jw_null(&w);
	if (cert)
		mg_jw_cert(&w, cl->cert);
	mg_jw_revoked(&w, st);
	if (g && grp_group_version(g) != held) {
		mg_jw_key(&w, "group");
		mg_jw_group(&w, st, g, true);
	} else if (!g && held) {
		mg_jw_key(&w, "group");
		mg_jw_null(&w);
	}
	mg_jw_obj_end(&w);
	mg_reply_jw(r, &w);
}

static bool hb_changed(struct mg_client *cl, uint32_t held)
{
	const struct grp_group *g = mg_client_group(cl);

	return g ? grp_group_version(g) != held : held != 0;
}

static void waiter_finish(struct waiter *w)
{
	waiter_unlink(w);
	sc_timer_free(w->timer);
	w->r->on_free = NULL;
	w->r->api_data = NULL;
	if (w->c && w->c->has_token)
		hb_answer(w->r, mg_api_state(w->api), w->c, w->group_version, false);
	else
		mg_reply_error(w->r, 401, "the token was revoked");
	mg_req_finish(w->r);
	free(w);
}

static void waiter_timeout(void *arg)
{
	waiter_finish(arg);
}

/* The connection went away while waiting (only at shutdown). */
static void waiter_gone(struct mg_req *r)
{
	struct waiter *w = r->api_data;

	if (!w)
		return;
	waiter_unlink(w);
	sc_timer_free(w->timer);
	free(w);
}

static void kick_ready(void *arg)
{
	struct waiter *w = lp.head, *next;

	(void)arg;
	for (; w; w = next) {
		next = w->next;
		if (w->ready)
			waiter_finish(w);
	}
}

void mg_api_notify(void *api, struct mg_client *c)
{
	struct waiter *w = c->waiter;

	(void)api;
	if (!w)
		return;
	if (!c->has_token) {
		/* Kicked or deleted: the box may be freed right after this. */
		c->waiter = NULL;
		w->c = NULL;
	}
	if (w->ready)
		return;
	w->ready = true;
	/* The model is in the middle of a change: answer once it is done. */
	if (!sc_timer_armed(lp.kick))
		sc_timer_arm(lp.kick, 0);
}

static bool wait_for_change(struct mg_call *c, uint32_t held)
{
	const struct mg_config *cfg = mg_api_config(c->api);
	const char *arg = mg_req_arg(c->r, "wait");
	struct mg_client *cl = c->who.client;
	unsigned long ms;
	struct waiter *w;
	char *end;

	if (!arg || !cfg->http.long_poll_max_ms || cl->waiter)
		return false;
	ms = strtoul(arg, &end, 10);
	if (*end || !ms)
		return false;
	if (ms > cfg->http.long_poll_max_ms)
		ms = cfg->http.long_poll_max_ms;
	w = calloc(1, sizeof(*w));
	if (!w || !(w->timer = sc_timer_new(mg_api_loop(c->api), waiter_timeout, w))) {
		free(w);
		return false;
	}
	w->api = c->api;
	w->r = c->r;
	w->c = cl;
	w->group_version = held;
	w->next = lp.head;
	if (lp.head)
		lp.head->prev = w;
	lp.head = w;
	lp.n++;
	cl->waiter = w;
	c->r->pending = true;
	c->r->api_data = w;
	c->r->on_free = waiter_gone;
	sc_timer_arm(w->timer, (uint64_t)ms * SC_NS_PER_MS);
	return true;
}

void mg_h_heartbeat(struct mg_call *c)
{
	struct mg_heartbeat hb = { .on_mesh = -1 };
	const char *mode;
	struct mg_client *cl = c->who.client;
	uint8_t pub[RTX_PUB_BYTES];
	int given, issued;
	uint32_t held;
	char why[256];
	json_t *s;

	if (!mg_body_ok(c, mg_body_heartbeat))
		return;
	if ((given = mg_body_pubkey(c, pub)) < 0)
		return;
	held = mg_json_u32(c->body, "group_version", 0);
	hb.channel = mg_json_u32(c->body, "channel_id", 0);
	if ((mode = json_string_value(json_object_get(c->body, "mode")))) {
		if (strcmp(mode, "multicast") && strcmp(mode, "mesh")) {
			mg_reply_error(c->r, 400, "mode: \"multicast\" or \"mesh\", not \"%s\"", mode);
			return;
		}
		hb.on_mesh = !strcmp(mode, "mesh");
	}
	if ((s = json_object_get(c->body, "stats")) && mg_body_stats(s, &hb, why, sizeof(why)) < 0) {
		mg_reply_error(c->r, 400, "%s", why);
		return;
	}
	mg_client_heartbeat(c->st, cl, &hb);
	issued = mg_client_cert_refresh(c->st, cl, given ? pub : NULL);
	if (issued < 0)
		sc_log(LOG_ERR, "cannot certify box %u: %s", cl->id, strerror(-issued));
	/* A new certificate goes out now, not at the end of a long poll. */
	if (issued <= 0 && !hb_changed(cl, held) && wait_for_change(c, held))
		return;
	hb_answer(c->r, c->st, cl, held, issued > 0);
}

void mg_h_leave(struct mg_call *c)
{
	if (!mg_body_ok(c, mg_body_empty))
		return;
	mg_client_leave(c->st, c->who.client);
	mg_reply_json(c->r, 200, json_object());
}

static json_t *peer_json(struct mg_state *st, const struct trk_peer *p)
{
	const struct mg_client *q = mg_client_get(st, p->id);
	json_t *o = json_pack("{s:I, s:s, s:I, s:o}", "client_id", (json_int_t)p->id, "metro",
			      mg_metro_name(st, p->metro), "metro_id", (json_int_t)p->metro, "addrs",
			      q ? mg_json_addr_array(q->addrs, q->naddr) : json_array());

	if (o && q && q->cert)
		json_object_set_new(o, "cert", mg_view_cert(q->cert));
	return o;
}

static json_t *edge_stream_addrs(struct mg_state *st, uint32_t channel)
{
	json_t *arr = json_array();
	struct mg_edge *e;
	size_t pos = 0;
	char buf[SC_ADDR_STRLEN];

	while (arr && (e = mg_edge_next(st, &pos)))
		if (mg_edge_carries(e, channel) && mg_edge_live(st, e))
			for (size_t i = 0; i < e->naddr; i++) {
				mg_caddr_format(&e->addrs[i], buf, sizeof(buf));
				json_array_append_new(arr, json_string(buf));
			}
	return arr;
}

/* The mesh's hosting node (docs/protocol/mesh.md): the first live edge
 * carrying the channel runs it on its RET port; its mesh id is the source
 * flag | edge id. An empty object when no edge carries the channel. */
static json_t *mesh_source(struct mg_state *st, uint32_t channel)
{
	struct mg_edge *e;
	size_t pos = 0;

	while ((e = mg_edge_next(st, &pos)))
		if (mg_edge_carries(e, channel) && mg_edge_live(st, e) && e->nret)
			return mg_view_server(e, false);
	return json_object();
}

void mg_h_peers(struct mg_call *c)
{
	json_t *answer;
	int64_t want = mg_arg_id(c->r, "client_id");
	struct mg_client *cl = c->who.client;
	struct trk_answer a;
	json_t *near, *rnd;

	if (want < 0) {
		mg_reply_error(c->r, 400, "client_id must be a client id");
		return;
	}
	if (c->who.role == MG_ROLE_ADMIN) {
		if (!want || !(cl = mg_client_get(c->st, (uint32_t)want))) {
			mg_reply_error(c->r, 404, "no client %lld", (long long)want);
			return;
		}
	} else if (want && want != cl->id) {
		mg_reply_error(c->r, 403, "a box asks for its own peers only");
		return;
	}
	if (!mg_channel_get(c->st, c->id[0])) {
		mg_reply_error(c->r, 404, "no channel %u", c->id[0]);
		return;
	}
	if (cl->channel != c->id[0] || trk_peer_channel(&cl->tp) != c->id[0] ||
	    trk_query(mg_state_trk(c->st), &cl->tp, &a) < 0) {
		mg_reply_error(c->r, 409, "client %u is not watching channel %u", cl->id, c->id[0]);
		return;
	}
	near = json_array();
	rnd = json_array();
	for (size_t i = 0; near && i < a.nnear; i++) {
		json_t *p = peer_json(c->st, a.near[i]);

		json_object_set_new(p, "distance_ms", json_real(a.near_us[i] / 1000.0));
		json_object_set_new(p, "measured", json_boolean(a.near_measured[i]));
		json_array_append_new(near, p);
	}
	for (size_t i = 0; rnd && i < a.nrandom; i++)
		json_array_append_new(rnd, peer_json(c->st, a.random[i]));
	answer = json_pack("{s:I, s:I, s:s, s:b, s:I, s:I, s:I, s:{s:o}, s:o, s:o}", "channel_id",
			   (json_int_t)c->id[0], "client_id", (json_int_t)cl->id, "mode",
			   a.direct ? "edge" : "mesh", "direct", a.direct, "direct_used",
			   (json_int_t)a.direct_used, "direct_max", (json_int_t)a.direct_max, "peers",
			   (json_int_t)a.peers, "edge", "addrs", edge_stream_addrs(c->st, c->id[0]),
			   "near", near, "random", rnd);
	if (answer)
		json_object_set_new(answer, "source", mesh_source(c->st, c->id[0]));
	mg_reply_json(c->r, 200, answer);
}

void mg_api_box_init(struct mg_api *api)
{
	lp.head = NULL;
	lp.n = 0;
	lp.kick = sc_timer_new(mg_api_loop(api), kick_ready, NULL);
}

void mg_api_box_fini(struct mg_api *api)
{
	mg_api_release_waiters(api);
	sc_timer_free(lp.kick);
	lp.kick = NULL;
}

void mg_api_release_waiters(struct mg_api *api)
{
	(void)api;
	while (lp.head)
		waiter_finish(lp.head);
}

unsigned mg_api_waiters(const struct mg_api *api)
{
	(void)api;
	return lp.n;
}
