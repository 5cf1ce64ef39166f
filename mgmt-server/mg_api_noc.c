/* mg_api_noc: the NOC's API besides the line-up: status, boxes (list,
 * inspect, move, kick, ban, forget), groups, edges, the event log, loss and
 * repair summaries, and the series the console charts. Part of mg_api;
 * docs/api.md has the shapes. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mg_api.h"
#include "mg_view.h"

static size_t arg_size(const struct mg_req *r, const char *name, size_t dflt, size_t max)
{
	int64_t v = mg_arg_id(r, name);

	return v <= 0 ? dflt : (size_t)v > max ? max : (size_t)v;
}

void mg_h_whoami(struct mg_call *c)
{
	static const char *const roles[] = { "none", "client", "edge", "", "admin" };

	mg_reply_json(c->r, 200, json_pack("{s:s, s:s}", "role", roles[c->who.role], "actor",
					   c->who.actor));
}

static json_t *api_latency(const struct mg_metrics *m)
{
	json_t *j = json_object();

	for (int a = 0; j && a < MG_AREA_COUNT; a++)
		if (m->count[a])
			json_object_set_new(j, mg_area_names[a],
					    json_pack("{s:I, s:f, s:f}", "requests", (json_int_t)m->count[a],
						      "p50_ms_max", mg_metrics_quantile(m, a, 0.5) * 1e3,
						      "p99_ms_max", mg_metrics_quantile(m, a, 0.99) * 1e3));
	return j;
}

void mg_h_status(struct mg_call *c)
{
	const struct mg_config *cfg = mg_api_config(c->api);
	struct mg_store_stats ss;
	mg_http *http = mg_api_http(c->api);

	mg_store_get_stats(mg_state_store(c->st), &ss);
	mg_reply_json(c->r, 200,
		      json_pack("{s:s, s:I, s:I, s:s, s:I, s:I, s:{s:s, s:I, s:I, s:I, s:f, s:f},"
				" s:{s:I, s:I}, s:o}",
				"version", PACKAGE_VERSION, "started_ms", (json_int_t)mg_api_started_ms(c->api),
				"uptime_s", (json_int_t)((mg_state_now_ms(c->st) - mg_api_started_ms(c->api)) / 1000),
				"lineup_mode", cfg->lineup.mode == MG_LINEUP_FILE ? "file" : "seed",
				"heartbeat_ms", (json_int_t)cfg->clients.heartbeat_ms, "group_size",
				(json_int_t)cfg->grouping.size, "store", "path", cfg->store.path, "commits",
				(json_int_t)ss.commits, "batches", (json_int_t)ss.batches, "queued",
				(json_int_t)ss.queued, "last_commit_ms", ss.commit_ns_last / 1e6,
				"max_commit_ms", ss.commit_ns_max / 1e6, "http", "connections",
				(json_int_t)(http ? mg_http_connections(http) : 0), "long_polls",
				(json_int_t)mg_api_waiters(c->api), "api",
				api_latency(mg_api_metrics(c->api))));
}

void mg_h_reload(struct mg_call *c)
{
	char why[512] = "";

	if (!mg_body_ok(c, mg_body_empty))
		return;
	if (mg_api_reload(c->api, why, sizeof(why)) < 0) {
		mg_reply_error(c->r, 400, "reload refused: %s", why);
		return;
	}
	mg_state_event(c->st, NULL, c->who.actor, "config.reload", "config", NULL);
	mg_reply_json(c->r, 200, json_pack("{s:b}", "reloaded", 1));
}

void mg_h_clients(struct mg_call *c)
{
	int64_t ch = mg_arg_id(c->r, "channel"), metro = mg_arg_id(c->r, "metro");
	const char *live = mg_req_arg(c->r, "live"), *dev = mg_req_arg(c->r, "device");
	size_t off = arg_size(c->r, "offset", 0, SIZE_MAX), lim = arg_size(c->r, "limit", 100, 1000);
	size_t total = 0;
	json_t *arr = json_array();
	struct mg_client *cl;
	uint32_t pos = 0;

	if (ch < 0 || metro < 0) {
		json_decref(arr);
		mg_reply_error(c->r, 400, "channel and metro must be ids");
		return;
	}
	while (arr && (cl = mg_client_next(c->st, &pos))) {
		if ((ch && cl->channel != ch) || (metro && cl->metro != metro) ||
		    (live && (cl->live != 0) != (live[0] == '1' || live[0] == 't')) ||
		    (dev && !strstr(cl->device_id, dev)))
			continue;
		if (total++ >= off && json_array_size(arr) < lim)
			json_array_append_new(arr, mg_view_client(c->st, cl, false));
	}
	mg_reply_json(c->r, 200, json_pack("{s:I, s:I, s:o}", "total", (json_int_t)total, "offset",
					   (json_int_t)off, "clients", arr));
}

void mg_h_client(struct mg_call *c)
{
	struct mg_client *cl = mg_client_get(c->st, c->id[0]);

	if (!cl) {
		mg_reply_error(c->r, 404, "no client %u", c->id[0]);
		return;
	}
	mg_reply_json(c->r, 200, mg_view_client(c->st, cl, true));
}

static void client_answer(struct mg_call *c, struct mg_batch *b, struct mg_client *cl)
{
	mg_api_commit(c, b, 200, mg_view_client(c->st, cl, true));
}

void mg_h_client_patch(struct mg_call *c)
{
	struct mg_client *cl = mg_client_get(c->st, c->id[0]);
	json_t *ban, *metro;
	struct mg_batch *b;

	if (!mg_body_ok(c, mg_body_client_patch))
		return;
	if (!cl) {
		mg_reply_error(c->r, 404, "no client %u", c->id[0]);
		return;
	}
	metro = json_object_get(c->body, "metro_id");
	if (json_is_integer(metro) && !mg_metro_get(c->st, (uint32_t)json_integer_value(metro))) {
		mg_reply_error(c->r, 400, "no metro %lld", (long long)json_integer_value(metro));
		return;
	}
	if (!(b = mg_batch_new())) {
		mg_reply_error(c->r, 500, "out of memory");
		return;
	}
	ban = json_object_get(c->body, "banned");
	if (json_is_true(ban) && !cl->banned)
		mg_client_kick(c->st, cl, true, c->who.actor, NULL, b);
	else if (json_is_false(ban))
		mg_client_unban(c->st, cl, c->who.actor, b);
	if (metro)
		mg_client_set_metro(c->st, cl, json_is_integer(metro) ? (uint32_t)json_integer_value(metro) : 0,
				    json_is_integer(metro), c->who.actor, b);
	client_answer(c, b, cl);
}

void mg_h_client_delete(struct mg_call *c)
{
	struct mg_client *cl = mg_client_get(c->st, c->id[0]);
	struct mg_batch *b;

	if (!cl) {
		mg_reply_error(c->r, 404, "no client %u", c->id[0]);
		return;
	}
	if (!(b = mg_batch_new())) {
		mg_reply_error(c->r, 500, "out of memory");
		return;
	}
	mg_client_delete(c->st, cl, c->who.actor, b);
	mg_api_commit(c, b, 200, json_pack("{s:I}", "deleted", (json_int_t)c->id[0]));
}

void mg_h_client_move(struct mg_call *c)
{
	struct mg_client *cl = mg_client_get(c->st, c->id[0]);
	uint32_t metro, group;
	struct mg_batch *b;
	int rc = 0;

	if (!mg_body_ok(c, mg_body_client_move))
		return;
	if (!cl) {
		mg_reply_error(c->r, 404, "no client %u", c->id[0]);
		return;
	}
	metro = mg_json_u32(c->body, "metro_id", 0);
	group = mg_json_u32(c->body, "group_id", 0);
	if (!metro == !group) {
		mg_reply_error(c->r, 400, "give exactly one of metro_id and group_id");
		return;
	}
	if (metro && !mg_metro_get(c->st, metro)) {
		mg_reply_error(c->r, 404, "no metro %u", metro);
		return;
	}
	if (!(b = mg_batch_new())) {
		mg_reply_error(c->r, 500, "out of memory");
		return;
	}
	if (metro)
		rc = mg_client_set_metro(c->st, cl, metro, true, c->who.actor, b);
	else
		rc = mg_client_place(c->st, cl, group, c->who.actor, b);
	if (rc < 0) {
		mg_batch_free(b);
		if (rc == -ENOENT) {
			mg_reply_error(c->r, 404, "no group %u", group);
			return;
		}
		if (rc == -EXDEV) {
			mg_reply_error(c->r, 409, "client %u is not watching the channel of group %u",
					      cl->id, group);
			return;
		}
		if (rc == -ENOSPC) {
			mg_reply_error(c->r, 409, "group %u is full (%d members)", group, GRP_MAX_SIZE);
			return;
		}
		mg_reply_error(c->r, 500, "cannot move: %s", strerror(-rc));
		return;
	}
	client_answer(c, b, cl);
}

void mg_h_client_kick(struct mg_call *c)
{
	struct mg_client *cl = mg_client_get(c->st, c->id[0]);
	struct mg_batch *b;

	if (!mg_body_ok(c, mg_body_client_kick))
		return;
	if (!cl) {
		mg_reply_error(c->r, 404, "no client %u", c->id[0]);
		return;
	}
	if (!(b = mg_batch_new())) {
		mg_reply_error(c->r, 500, "out of memory");
		return;
	}
	mg_client_kick(c->st, cl, mg_json_bool(c->body, "ban", false), c->who.actor,
		       mg_json_str(c->body, "reason", NULL), b);
	client_answer(c, b, cl);
}

struct gfilter {
	const struct mg_state *st;
	json_t *arr;
	int64_t metro;
	int distinct; /* -1: any */
	size_t off, lim, total;
};

static int group_filter(void *ctx, const struct grp_group *g)
{
	struct gfilter *f = ctx;
	bool has = !f->metro;

	for (unsigned i = 0; !has && i < grp_group_size(g); i++)
		has = grp_group_member(g, i)->metro == (uint32_t)f->metro;
	if (!has || (f->distinct >= 0 && grp_group_distinct(g) != (f->distinct != 0)))
		return 0;
	if (f->total++ >= f->off && json_array_size(f->arr) < f->lim)
		json_array_append_new(f->arr, mg_view_group(f->st, g, false, true));
	return 0;
}

void mg_h_groups(struct mg_call *c)
{
	int64_t ch = mg_arg_id(c->r, "channel");
	const char *d = mg_req_arg(c->r, "distinct");
	struct gfilter f = { c->st, json_array(), mg_arg_id(c->r, "metro"),
			     d ? (d[0] == '1' || d[0] == 't') : -1,
			     arg_size(c->r, "offset", 0, SIZE_MAX), arg_size(c->r, "limit", 100, 1000), 0 };

	if (ch < 0 || f.metro < 0) {
		json_decref(f.arr);
		mg_reply_error(c->r, 400, "channel and metro must be ids");
		return;
	}
	grp_foreach(mg_state_grp(c->st), (uint32_t)ch, group_filter, &f);
	mg_reply_json(c->r, 200, json_pack("{s:I, s:I, s:o}", "total", (json_int_t)f.total, "offset",
					   (json_int_t)f.off, "groups", f.arr));
}

void mg_h_group(struct mg_call *c)
{
	const struct grp_group *g = grp_find(mg_state_grp(c->st), c->id[0]);

	if (!g) {
		mg_reply_error(c->r, 404, "no group %u", c->id[0]);
		return;
	}
	mg_reply_json(c->r, 200, mg_view_group(c->st, g, true, true));
}

void mg_h_edges(struct mg_call *c)
{
	json_t *arr = json_array();
	struct mg_edge **v;
	size_t n = mg_edges_sorted(c->st, &v);

	for (size_t i = 0; arr && i < n; i++)
		json_array_append_new(arr, mg_view_edge(c->st, v[i]));
	free(v);
	mg_reply_json(c->r, 200, arr);
}

void mg_h_edge(struct mg_call *c)
{
	struct mg_edge *e = mg_edge_get(c->st, c->id[0]);

	if (!e) {
		mg_reply_error(c->r, 404, "no edge %u", c->id[0]);
		return;
	}
	mg_reply_json(c->r, 200, mg_view_edge(c->st, e));
}

void mg_h_edge_delete(struct mg_call *c)
{
	struct mg_edge *e = mg_edge_get(c->st, c->id[0]);
	struct mg_batch *b;

	if (!e) {
		mg_reply_error(c->r, 404, "no edge %u", c->id[0]);
		return;
	}
	if (!(b = mg_batch_new())) {
		mg_reply_error(c->r, 500, "out of memory");
		return;
	}
	mg_edge_delete(c->st, e, c->who.actor, b);
	mg_api_commit(c, b, 200, json_pack("{s:I}", "deleted", (json_int_t)c->id[0]));
}

struct ev_ctx {
	json_t *arr;
	int64_t lowest;
};

static int add_event(void *ctx, const struct mg_row_event *r)
{
	struct ev_ctx *e = ctx;
	json_t *detail = r->detail ? json_loads(r->detail, 0, NULL) : NULL;

	json_array_append_new(e->arr, json_pack("{s:I, s:I, s:s, s:s, s:s?, s:o}", "id",
						(json_int_t)r->id, "ts_ms", (json_int_t)r->ts_ms, "actor",
						r->actor ? r->actor : "", "type", r->type ? r->type : "",
						"subject", r->subject, "detail",
						detail ? detail : json_null()));
	if (!e->lowest || r->id < e->lowest)
		e->lowest = r->id;
	return 0;
}

void mg_h_events(struct mg_call *c)
{
	struct mg_event_query q = {
		.before_id = mg_arg_id(c->r, "before"),
		.after_id = mg_arg_id(c->r, "after"),
		.limit = (unsigned)arg_size(c->r, "limit", 100, 1000),
		.type = mg_req_arg(c->r, "type"),
		.actor = mg_req_arg(c->r, "actor"),
		.subject = mg_req_arg(c->r, "subject"),
	};
	struct ev_ctx e = { json_array(), 0 };

	if (q.before_id < 0 || q.after_id < 0) {
		json_decref(e.arr);
		mg_reply_error(c->r, 400, "before and after must be event ids");
		return;
	}
	/* The writer may still hold events of the last moments: wait for it
	 * so that the log shows what the API has answered. */
	mg_store_wait(mg_state_store(c->st));
	if (mg_store_events(mg_state_store(c->st), &q, add_event, &e) < 0) {
		json_decref(e.arr);
		mg_reply_error(c->r, 500, "cannot read the event log");
		return;
	}
	mg_reply_json(c->r, 200, json_pack("{s:o, s:o}", "events", e.arr, "next_before",
					   e.lowest > 1 && !q.after_id ? json_integer(e.lowest) : json_null()));
}
