/* mg_api_summary: the NOC's loss and repair summaries per channel and per
 * metro, the grouping summary, and the per-second series the console
 * charts. Part of mg_api; docs/api.md has the shapes. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mg_api.h"
#include "mg_view.h"

#define RECENT_S 10

/* totals, their rates, and the rates of the last RECENT_S seconds */
static void add_figures(json_t *j, const struct mg_counters *acc, const struct mg_series *s)
{
	struct mg_counters recent;
	json_t *r = json_object();

	json_object_set_new(j, "totals", mg_view_counters(acc));
	mg_view_rates(j, acc);
	mg_series_recent(s, RECENT_S, &recent);
	if (r) {
		json_object_set_new(r, "seconds", json_integer(RECENT_S));
		json_object_set_new(r, "counters", mg_view_counters(&recent));
		mg_view_rates(r, &recent);
		json_object_set_new(j, "recent", r);
	}
}

static json_t *channel_summary(struct mg_state *st, const struct mg_channel *ch)
{
	struct grp_stats gs;
	json_t *j;

	grp_stats(mg_state_grp(st), ch->def.id, &gs);
	j = json_pack("{s:I, s:s, s:b, s:I, s:I, s:I}", "channel_id", (json_int_t)ch->def.id, "name",
		      ch->def.name, "enabled", ch->def.enabled, "viewers", (json_int_t)gs.members,
		      "groups", (json_int_t)gs.groups, "groups_distinct", (json_int_t)gs.distinct);
	if (j)
		add_figures(j, &ch->acc, &ch->series);
	return j;
}

static json_t *metro_summary(struct mg_state *st, const struct mg_metro *m)
{
	json_t *j = json_pack("{s:I, s:s, s:I, s:b}", "metro_id", (json_int_t)m->def.id, "name",
			      m->def.name, "live", (json_int_t)m->live, "silent", m->silent);

	(void)st;
	if (j)
		add_figures(j, &m->acc, &m->series);
	return j;
}

void mg_h_summary_channels(struct mg_call *c)
{
	json_t *arr = json_array();
	struct mg_channel **v;
	size_t n = mg_channels_sorted(c->st, &v);

	for (size_t i = 0; arr && i < n; i++)
		json_array_append_new(arr, channel_summary(c->st, v[i]));
	free(v);
	mg_reply_json(c->r, 200, arr);
}

void mg_h_summary_metros(struct mg_call *c)
{
	json_t *arr = json_array();
	struct mg_metro **v;
	size_t n = mg_metros_sorted(c->st, &v);

	for (size_t i = 0; arr && i < n; i++)
		json_array_append_new(arr, metro_summary(c->st, v[i]));
	free(v);
	mg_reply_json(c->r, 200, arr);
}

static json_t *group_stats(const struct grp_stats *gs)
{
	json_t *hist = json_object();
	char k[8];

	for (unsigned s = 1; hist && s <= GRP_MAX_SIZE; s++) {
		snprintf(k, sizeof(k), "%u", s);
		json_object_set_new(hist, k, json_integer((json_int_t)gs->size_hist[s]));
	}
	return json_pack("{s:I, s:I, s:I, s:f, s:I, s:o}", "groups", (json_int_t)gs->groups, "members",
			 (json_int_t)gs->members, "distinct", (json_int_t)gs->distinct, "distinct_share",
			 gs->groups ? (double)gs->distinct / (double)gs->groups : 1.0, "open",
			 (json_int_t)gs->open, "sizes", hist ? hist : json_object());
}

void mg_h_summary_groups(struct mg_call *c)
{
	int64_t ch = mg_arg_id(c->r, "channel");
	struct grp_stats gs;
	json_t *j;

	if (ch < 0) {
		mg_reply_error(c->r, 400, "channel must be an id");
		return;
	}
	grp_stats(mg_state_grp(c->st), (uint32_t)ch, &gs);
	j = group_stats(&gs);
	json_object_set_new(j, "channel_id", ch ? json_integer(ch) : json_null());
	json_object_set_new(j, "target_size", json_integer(grp_get_params(mg_state_grp(c->st))->size));
	mg_reply_json(c->r, 200, j);
}

void mg_h_summary(struct mg_call *c)
{
	struct grp_stats gs;
	size_t nch = 0, nm = 0, ne = 0, live_e = 0, pos = 0;
	struct mg_edge *e;
	json_t *j;

	while (mg_channel_next(c->st, &pos))
		nch++;
	for (pos = 0; mg_metro_next(c->st, &pos);)
		nm++;
	for (pos = 0; (e = mg_edge_next(c->st, &pos)); ne++)
		live_e += mg_edge_live(c->st, e);
	grp_stats(mg_state_grp(c->st), 0, &gs);
	j = json_pack("{s:{s:I, s:I}, s:I, s:I, s:{s:I, s:I}, s:o}", "clients", "registered",
		      (json_int_t)mg_client_count(c->st), "live", (json_int_t)mg_state_live(c->st),
		      "channels", (json_int_t)nch, "metros", (json_int_t)nm, "edges", "total",
		      (json_int_t)ne, "live", (json_int_t)live_e, "groups", group_stats(&gs));
	if (j)
		add_figures(j, mg_state_totals(c->st), mg_state_series(c->st));
	mg_reply_json(c->r, 200, j);
}

void mg_h_series(struct mg_call *c)
{
	int64_t ch = mg_arg_id(c->r, "channel"), metro = mg_arg_id(c->r, "metro");
	const char *since = mg_req_arg(c->r, "since");
	const struct mg_point *pts[MG_SERIES_LEN];
	const struct mg_series *s = mg_state_series(c->st);
	json_t *arr = json_array(), *j;
	size_t n;

	if (ch < 0 || metro < 0 || (ch && metro)) {
		json_decref(arr);
		mg_reply_error(c->r, 400, "give channel=ID or metro=ID, or neither for all");
		return;
	}
	if (ch) {
		const struct mg_channel *x = mg_channel_get(c->st, (uint32_t)ch);

		if (!x) {
			json_decref(arr);
			mg_reply_error(c->r, 404, "no channel %lld", (long long)ch);
			return;
		}
		s = &x->series;
	} else if (metro) {
		const struct mg_metro *x = mg_metro_get(c->st, (uint32_t)metro);

		if (!x) {
			json_decref(arr);
			mg_reply_error(c->r, 404, "no metro %lld", (long long)metro);
			return;
		}
		s = &x->series;
	}
	n = mg_series_since(s, since ? strtoll(since, NULL, 10) : 0, pts, MG_SERIES_LEN);
	for (size_t i = 0; arr && i < n; i++) {
		const struct mg_counters *d = &pts[i]->d;

		j = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "t_ms",
			      (json_int_t)pts[i]->t_ms, "clients", (json_int_t)pts[i]->clients, "received",
			      (json_int_t)d->received, "lost", (json_int_t)d->lost, "repaired_group",
			      (json_int_t)d->rep_group, "repaired_edge", (json_int_t)d->rep_edge,
			      "repaired_mesh", (json_int_t)d->rep_mesh, "unrepaired",
			      (json_int_t)d->unrepaired, "served", (json_int_t)d->served);
		if (j)
			mg_view_rates(j, d);
		json_array_append_new(arr, j);
	}
	mg_reply_json(c->r, 200, json_pack("{s:I, s:o, s:o, s:o}", "step_ms", (json_int_t)1000, "channel_id",
					   ch ? json_integer(ch) : json_null(), "metro_id",
					   metro ? json_integer(metro) : json_null(), "points", arr));
}
