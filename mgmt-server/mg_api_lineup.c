/* mg_api_lineup: the NOC's line-up: channels and metros created, changed,
 * removed; a channel's groups listed and rebuilt. Part of mg_api;
 * docs/api.md has the shapes. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mg_api.h"
#include "mg_view.h"

static bool lineup_editable(struct mg_call *c)
{
	if (mg_api_config(c->api)->lineup.mode != MG_LINEUP_FILE)
		return true;
	mg_reply_error(c->r, 409, "the line-up is managed by the config file (lineup.mode = \"file\")");
	return false;
}

/* Apply the body to d and check the result. */
static bool chan_from_body(struct mg_call *c, struct mg_chan_def *d)
{
	char why[200];

	if (mg_body_chan_def(c->body, d, why, sizeof(why)) < 0) {
		mg_reply_error(c->r, 400, "%s", why);
		return false;
	}
	return true;
}

static uint32_t free_channel_id(struct mg_state *st)
{
	uint32_t max = 0;
	struct mg_channel *ch;
	size_t pos = 0;

	while ((ch = mg_channel_next(st, &pos)))
		if (ch->def.id > max)
			max = ch->def.id;
	if (max < UINT32_MAX)
		return max + 1;
	/* The highest id is taken (max + 1 wrapped to 0, refused as an id
	 * the caller never sent): the lowest free one. */
	for (max = 1; max && mg_channel_get(st, max); max++)
		;
	return max;
}

static void put_channel(struct mg_call *c, const struct mg_chan_def *d, unsigned status)
{
	struct mg_batch *b = mg_batch_new();

	if (!b || mg_channel_put(c->st, d, c->who.actor, b) < 0) {
		mg_batch_free(b);
		mg_reply_error(c->r, 500, "out of memory");
		return;
	}
	mg_api_commit(c, b, status, mg_view_channel(c->st, mg_channel_get(c->st, d->id), true));
}

void mg_h_channel_create(struct mg_call *c)
{
	struct mg_chan_def d;
	uint32_t id;

	if (!lineup_editable(c) || !mg_body_ok(c, mg_body_channel))
		return;
	if (!json_object_get(c->body, "name")) {
		mg_reply_error(c->r, 400, "missing field \"name\"");
		return;
	}
	id = mg_json_u32(c->body, "id", 0);
	if (!id)
		id = free_channel_id(c->st);
	if (mg_channel_get(c->st, id)) {
		mg_reply_error(c->r, 409, "channel %u exists", id);
		return;
	}
	mg_chan_default(&d, id, "");
	if (chan_from_body(c, &d))
		put_channel(c, &d, 201);
}

void mg_h_channel_update(struct mg_call *c)
{
	struct mg_channel *ch = mg_channel_get(c->st, c->id[0]);
	struct mg_chan_def d;

	if (!lineup_editable(c) || !mg_body_ok(c, mg_body_channel))
		return;
	if (!ch) {
		mg_reply_error(c->r, 404, "no channel %u", c->id[0]);
		return;
	}
	if (mg_json_u32(c->body, "id", ch->def.id) != ch->def.id) {
		mg_reply_error(c->r, 400, "a channel's id cannot change");
		return;
	}
	d = ch->def;
	if (chan_from_body(c, &d))
		put_channel(c, &d, 200);
}

void mg_h_channel_delete(struct mg_call *c)
{
	struct mg_batch *b;

	if (!lineup_editable(c))
		return;
	if (!mg_channel_get(c->st, c->id[0])) {
		mg_reply_error(c->r, 404, "no channel %u", c->id[0]);
		return;
	}
	if (!(b = mg_batch_new())) {
		mg_reply_error(c->r, 500, "out of memory");
		return;
	}
	mg_channel_delete(c->st, c->id[0], c->who.actor, b);
	mg_api_commit(c, b, 200, json_pack("{s:I}", "deleted", (json_int_t)c->id[0]));
}

void mg_h_channel_rebuild(struct mg_call *c)
{
	struct mg_batch *b;
	struct grp_stats gs;
	int n;

	if (!mg_body_ok(c, mg_body_empty))
		return;
	if (!mg_channel_get(c->st, c->id[0])) {
		mg_reply_error(c->r, 404, "no channel %u", c->id[0]);
		return;
	}
	if (!(b = mg_batch_new())) {
		mg_reply_error(c->r, 500, "out of memory");
		return;
	}
	n = mg_channel_rebuild(c->st, c->id[0], c->who.actor, b);
	if (n < 0) {
		mg_batch_free(b);
		mg_reply_error(c->r, 500, "cannot rebuild: %s", strerror(-n));
		return;
	}
	grp_stats(mg_state_grp(c->st), c->id[0], &gs);
	mg_api_commit(c, b, 200,
		      json_pack("{s:I, s:I, s:I, s:I, s:f}", "channel_id", (json_int_t)c->id[0], "groups",
				(json_int_t)gs.groups, "members", (json_int_t)gs.members, "distinct",
				(json_int_t)gs.distinct,
				"distinct_share", gs.groups ? (double)gs.distinct / (double)gs.groups : 1.0));
}

struct glist {
	const struct mg_state *st;
	json_t *arr;
	size_t skip, limit, total;
};

static int add_group(void *ctx, const struct grp_group *g)
{
	struct glist *gl = ctx;

	if (gl->total++ >= gl->skip && json_array_size(gl->arr) < gl->limit)
		json_array_append_new(gl->arr, mg_view_group(gl->st, g, false, true));
	return 0;
}

void mg_h_channel_groups(struct mg_call *c)
{
	int64_t off = mg_arg_id(c->r, "offset"), lim = mg_arg_id(c->r, "limit");
	struct glist gl = { c->st, json_array(), off > 0 ? (size_t)off : 0, lim > 0 ? (size_t)lim : 1000, 0 };

	if (!mg_channel_get(c->st, c->id[0])) {
		json_decref(gl.arr);
		mg_reply_error(c->r, 404, "no channel %u", c->id[0]);
		return;
	}
	grp_foreach(mg_state_grp(c->st), c->id[0], add_group, &gl);
	mg_reply_json(c->r, 200, json_pack("{s:I, s:I, s:o}", "channel_id", (json_int_t)c->id[0],
					   "total", (json_int_t)gl.total, "groups", gl.arr));
}

static bool metro_from_body(struct mg_call *c, struct mg_metro_def *d)
{
	char why[200];

	if (mg_body_metro_def(c->body, d, why, sizeof(why)) < 0) {
		mg_reply_error(c->r, 400, "%s", why);
		return false;
	}
	return true;
}

static void put_metro(struct mg_call *c, const struct mg_metro_def *d, unsigned status)
{
	struct mg_batch *b = mg_batch_new();
	char why[200] = "";
	int rc;

	if (!b) {
		mg_reply_error(c->r, 500, "out of memory");
		return;
	}
	rc = mg_metro_put(c->st, d, c->who.actor, b, why, sizeof(why));
	if (rc < 0) {
		mg_batch_free(b);
		if (rc == -EEXIST) {
			mg_reply_error(c->r, 409, "%s", why);
			return;
		}
		mg_reply_error(c->r, 500, "cannot save the metro: %s", strerror(-rc));
		return;
	}
	mg_api_commit(c, b, status, mg_view_metro(c->st, mg_metro_get(c->st, d->id)));
}

void mg_h_metro_create(struct mg_call *c)
{
	struct mg_metro_def d = { 0 };
	struct mg_metro *m;
	size_t pos = 0;

	if (!lineup_editable(c) || !mg_body_ok(c, mg_body_metro))
		return;
	if (!json_object_get(c->body, "name")) {
		mg_reply_error(c->r, 400, "missing field \"name\"");
		return;
	}
	d.id = mg_json_u32(c->body, "id", 0);
	if (!d.id) {
		uint32_t max = 0;

		while ((m = mg_metro_next(c->st, &pos)))
			if (m->def.id > max)
				max = m->def.id;
		/* The highest id taken: the lowest free one. */
		for (d.id = max < UINT32_MAX ? max + 1 : 1; d.id && mg_metro_get(c->st, d.id); d.id++)
			;
	}
	if (mg_metro_get(c->st, d.id)) {
		mg_reply_error(c->r, 409, "metro %u exists", d.id);
		return;
	}
	if (metro_from_body(c, &d))
		put_metro(c, &d, 201);
}

void mg_h_metro_update(struct mg_call *c)
{
	struct mg_metro *m = mg_metro_get(c->st, c->id[0]);
	struct mg_metro_def d;

	if (!lineup_editable(c) || !mg_body_ok(c, mg_body_metro))
		return;
	if (!m) {
		mg_reply_error(c->r, 404, "no metro %u", c->id[0]);
		return;
	}
	if (mg_json_u32(c->body, "id", m->def.id) != m->def.id) {
		mg_reply_error(c->r, 400, "a metro's id cannot change");
		return;
	}
	d = m->def;
	if (metro_from_body(c, &d))
		put_metro(c, &d, 200);
}

void mg_h_metro_delete(struct mg_call *c)
{
	struct mg_batch *b;

	if (!lineup_editable(c))
		return;
	if (!mg_metro_get(c->st, c->id[0])) {
		mg_reply_error(c->r, 404, "no metro %u", c->id[0]);
		return;
	}
	if (!(b = mg_batch_new())) {
		mg_reply_error(c->r, 500, "out of memory");
		return;
	}
	mg_metro_delete(c->st, c->id[0], c->who.actor, b);
	mg_api_commit(c, b, 200, json_pack("{s:I}", "deleted", (json_int_t)c->id[0]));
}

void mg_h_metros(struct mg_call *c)
{
	json_t *arr = json_array();
	struct mg_metro **v;
	size_t n = mg_metros_sorted(c->st, &v);

	for (size_t i = 0; arr && i < n; i++)
		json_array_append_new(arr, mg_view_metro(c->st, v[i]));
	free(v);
	mg_reply_json(c->r, 200, arr);
}

void mg_h_metro(struct mg_call *c)
{
	struct mg_metro *m = mg_metro_get(c->st, c->id[0]);
	json_t *j;

	if (!m) {
		mg_reply_error(c->r, 404, "no metro %u", c->id[0]);
		return;
	}
	j = mg_view_metro(c->st, m);
	json_object_set_new(j, "totals", mg_view_counters(&m->acc));
	mg_view_rates(j, &m->acc);
	mg_reply_json(c->r, 200, j);
}
