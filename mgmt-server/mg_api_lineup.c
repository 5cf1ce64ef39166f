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

static const struct mg_field chan_fields[] = {
	{ "id", MG_J_UINT, 1, UINT32_MAX },
	{ "name", MG_J_STR, 1, MG_NAME_MAX - 1 },
	{ "group6", MG_J_STR | MG_J_NULLABLE, 1, 64 },
	{ "group4", MG_J_STR | MG_J_NULLABLE, 1, 64 },
	{ "port", MG_J_UINT, 1, 65535 },
	{ "source6", MG_J_STR | MG_J_NULLABLE, 1, 64 },
	{ "source4", MG_J_STR | MG_J_NULLABLE, 1, 64 },
	{ "sdp_url", MG_J_STR | MG_J_NULLABLE, 0, MG_URL_MAX - 1 },
	{ "direct_max", MG_J_UINT, 0, 1000000 },
	{ "enabled", MG_J_BOOL, 0, 0 },
	{ NULL, 0, 0, 0 },
};

/* An address field: absent keeps *a, null clears it, a string must be an
 * address of family. */
static bool addr_field(struct mg_call *c, const char *name, int family, struct sc_sockaddr *a)
{
	json_t *v = json_object_get(c->body, name);

	if (!v)
		return true;
	memset(a, 0, sizeof(*a));
	if (json_is_null(v))
		return true;
	if (sc_addr_parse(json_string_value(v), 0, a) < 0 || sc_addr_family(a) != family) {
		mg_reply_error(c->r, 400, "%s must be an IPv%d address", name, family == AF_INET6 ? 6 : 4);
		return false;
	}
	return true;
}

/* Apply the body to d and check the result. */
static bool chan_from_body(struct mg_call *c, struct mg_chan_def *d)
{
	char why[200];
	json_t *v;

	if ((v = json_object_get(c->body, "name")))
		snprintf(d->name, sizeof(d->name), "%s", json_string_value(v));
	d->port = (uint16_t)mg_json_u32(c->body, "port", d->port);
	if (!addr_field(c, "group6", AF_INET6, &d->group6) ||
	    !addr_field(c, "group4", AF_INET, &d->group4) ||
	    !addr_field(c, "source6", AF_INET6, &d->source6) ||
	    !addr_field(c, "source4", AF_INET, &d->source4))
		return false;
	if (d->group6.len)
		sc_addr_set_port(&d->group6, d->port);
	if (d->group4.len)
		sc_addr_set_port(&d->group4, d->port);
	if ((v = json_object_get(c->body, "sdp_url")))
		snprintf(d->sdp_url, sizeof(d->sdp_url), "%s", json_is_string(v) ? json_string_value(v) : "");
	d->direct_max = mg_json_u32(c->body, "direct_max", d->direct_max);
	d->enabled = mg_json_bool(c->body, "enabled", d->enabled);
	if (mg_chan_check(d, why, sizeof(why)) < 0) {
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
	return max + 1;
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

	if (!lineup_editable(c) || !mg_body_ok(c, chan_fields))
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

	if (!lineup_editable(c) || !mg_body_ok(c, chan_fields))
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
	static const struct mg_field fields[] = { { NULL, 0, 0, 0 } };
	struct mg_batch *b;
	struct grp_stats gs;
	int n;

	if (!mg_body_ok(c, fields))
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

static const struct mg_field metro_fields[] = {
	{ "id", MG_J_UINT, 1, UINT32_MAX },
	{ "name", MG_J_STR, 1, MG_NAME_MAX - 1 },
	{ "prefixes", MG_J_ARRAY, 0, MG_PREFIX_MAX },
	{ NULL, 0, 0, 0 },
};

static bool metro_from_body(struct mg_call *c, struct mg_metro_def *d)
{
	json_t *v = json_object_get(c->body, "prefixes"), *p;
	char why[200];
	size_t i;

	if (json_object_get(c->body, "name"))
		snprintf(d->name, sizeof(d->name), "%s", mg_json_str(c->body, "name", ""));
	if (v) {
		d->nprefix = 0;
		json_array_foreach(v, i, p) {
			if (!json_is_string(p) || sc_prefix_parse(json_string_value(p), &d->prefix[i]) < 0) {
				mg_reply_error(c->r, 400, "prefixes[%zu] is not a prefix such as "
					       "\"2001:db8:1::/48\" (host bits zero)", i);
				return false;
			}
			d->nprefix++;
		}
	}
	if (mg_metro_check(d, why, sizeof(why)) < 0) {
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

	if (!lineup_editable(c) || !mg_body_ok(c, metro_fields))
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
		d.id = max + 1;
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

	if (!lineup_editable(c) || !mg_body_ok(c, metro_fields))
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
