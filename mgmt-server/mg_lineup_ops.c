/* mg_lineup_ops: changing the line-up in the model: channels and metros
 * created, changed and removed (by the NOC or the config file), the metro
 * table and the boxes it places. Part of mg_state. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mg_auth.h"
#include "mg_state_priv.h"
#include "sc_log.h"

static const char *addr_or_null(const struct sc_sockaddr *a, char *buf, size_t len)
{
	if (!a->len)
		return NULL;
	sc_addr_format(a, false, buf, len);
	return buf;
}

void mg_channel_row(const struct mg_state *st, struct mg_channel *ch, struct mg_batch *b)
{
	char g6[SC_ADDR_STRLEN], g4[SC_ADDR_STRLEN], s6[SC_ADDR_STRLEN], s4[SC_ADDR_STRLEN];
	const struct mg_chan_def *d = &ch->def;

	mg_batch_add(b, MG_SQL_CHANNEL_PUT, "utttutttuubi", d->id, d->name,
		     addr_or_null(&d->group6, g6, sizeof(g6)), addr_or_null(&d->group4, g4, sizeof(g4)),
		     (uint32_t)d->port, addr_or_null(&d->source6, s6, sizeof(s6)),
		     addr_or_null(&d->source4, s4, sizeof(s4)), d->sdp_url[0] ? d->sdp_url : NULL,
		     d->direct_max, (uint32_t)d->enabled, ch->ret_key, sizeof(ch->ret_key), mg_state_now_ms(st));
}

void mg_metro_row(const struct mg_state *st, struct mg_metro *m, struct mg_batch *b)
{
	char p[64];

	mg_batch_add(b, MG_SQL_METRO_PUT, "uti", m->def.id, m->def.name, mg_state_now_ms(st));
	mg_batch_add(b, MG_SQL_PREFIX_CLEAR, "u", m->def.id);
	for (size_t i = 0; i < m->def.nprefix; i++) {
		sc_prefix_format(&m->def.prefix[i], p, sizeof(p));
		mg_batch_add(b, MG_SQL_PREFIX_ADD, "ut", m->def.id, p);
	}
}

void mg_channel_free(struct mg_channel *ch)
{
	if (!ch)
		return;
	free(ch->tune_head);
	free(ch->tune_tail);
	free(ch);
}

struct mg_channel *mg_channel_insert(struct mg_state *st, const struct mg_chan_def *d,
				     const uint8_t *ret_key)
{
	struct mg_channel *ch = mg_channel_get(st, d->id);

	if (!ch) {
		ch = calloc(1, sizeof(*ch));
		if (!ch || mg_idmap_put(&st->channels, d->id, ch) < 0) {
			free(ch);
			return NULL;
		}
		if (ret_key)
			memcpy(ch->ret_key, ret_key, sizeof(ch->ret_key));
		else
			mg_random_key(ch->ret_key);
	}
	ch->def = *d;
	st->lineup_version++;
	mg_channel_update_direct(st, d->id);
	return ch;
}

struct mg_metro *mg_metro_insert(struct mg_state *st, const struct mg_metro_def *d)
{
	struct mg_metro *m = mg_metro_get(st, d->id);

	if (!m) {
		m = calloc(1, sizeof(*m));
		if (!m || mg_idmap_put(&st->metros, d->id, m) < 0) {
			free(m);
			return NULL;
		}
		m->last_hb_ns = sc_clock_now_ns(st->clk);
	}
	m->def = *d;
	return m;
}

static char *def_detail(const struct mg_chan_def *d)
{
	json_t *j = json_pack("{s:s, s:b}", "name", d->name, "enabled", d->enabled);
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;

	json_decref(j);
	return s;
}

/* Boxes tuned to a channel that is gone or switched off leave it; they
 * learn it from their heartbeat (channel_id null). */
static void untune_all(struct mg_state *st, uint32_t channel)
{
	struct mg_client *c;
	uint32_t pos = 0;

	while ((c = mg_client_next(st, &pos)))
		if (c->channel == channel) {
			mg_client_leave(st, c);
			mg_state_notify(st, c);
		}
}

/* A changed channel (its groups, its source): tuned boxes hear of it on
 * their next heartbeat through the line-up version. */
static void notify_tuned(struct mg_state *st, uint32_t channel)
{
	struct mg_client *c;
	uint32_t pos = 0;

	while ((c = mg_client_next(st, &pos)))
		if (c->channel == channel)
			mg_state_notify(st, c);
}

int mg_channel_put(struct mg_state *st, const struct mg_chan_def *d, const char *actor,
		   struct mg_batch *b)
{
	bool fresh = !mg_channel_get(st, d->id);
	struct mg_channel *ch = mg_channel_insert(st, d, NULL);
	char subj[32], *detail;

	if (!ch)
		return -ENOMEM;
	if (!d->enabled)
		untune_all(st, d->id);
	else if (!fresh)
		notify_tuned(st, d->id);
	mg_channel_row(st, ch, b);
	snprintf(subj, sizeof(subj), "channel:%u", d->id);
	detail = def_detail(d);
	mg_state_event(st, b, actor, fresh ? "channel.create" : "channel.update", subj, detail);
	free(detail);
	return 0;
}

int mg_channel_delete(struct mg_state *st, uint32_t id, const char *actor, struct mg_batch *b)
{
	struct mg_channel *ch = mg_idmap_del(&st->channels, id);
	char subj[32], *detail;

	if (!ch)
		return -ENOENT;
	untune_all(st, id);
	trk_set_direct_max(st->trk, id, 0);
	st->lineup_version++;
	mg_batch_add(b, MG_SQL_CHANNEL_DEL, "u", id);
	snprintf(subj, sizeof(subj), "channel:%u", id);
	detail = def_detail(&ch->def);
	mg_state_event(st, b, actor, "channel.delete", subj, detail);
	free(detail);
	mg_channel_free(ch);
	return 0;
}

int mg_channel_rebuild(struct mg_state *st, uint32_t id, const char *actor, struct mg_batch *b)
{
	struct grp_stats gs;
	char subj[32], detail[128];
	int n;

	if (!mg_channel_get(st, id))
		return -ENOENT;
	n = grp_rebuild(st->grp, id);
	if (n < 0)
		return n;
	grp_stats(st->grp, id, &gs);
	snprintf(subj, sizeof(subj), "channel:%u", id);
	snprintf(detail, sizeof(detail), "{\"groups\":%zu,\"members\":%zu,\"distinct\":%zu}", gs.groups,
		 gs.members, gs.distinct);
	mg_state_event(st, b, actor, "channel.rebuild", subj, detail);
	return n;
}

uint32_t mg_metro_match(const struct mg_state *st, const struct sc_sockaddr *a)
{
	return mg_metro_lookup(&st->mtable, a);
}

/* The table over every metro, with cand standing in for its id. */
static int build_table(const struct mg_state *st, struct mg_metro_table *t,
		       const struct mg_metro_def *cand, uint32_t skip, char *why, size_t len)
{
	size_t n = mg_idmap_count(&st->metros) + 1, k = 0, pos = 0;
	const struct mg_metro_def **v = calloc(n, sizeof(*v));
	struct mg_metro *m;
	int rc;

	if (!v)
		return -ENOMEM;
	while ((m = mg_idmap_next(&st->metros, &pos, NULL)))
		if (m->def.id != skip && (!cand || m->def.id != cand->id))
			v[k++] = &m->def;
	if (cand)
		v[k++] = cand;
	rc = mg_metro_table_build(t, v, k, why, len);
	free(v);
	return rc;
}

int mg_state_rebuild_metro_table(struct mg_state *st, char *why, size_t len)
{
	return build_table(st, &st->mtable, NULL, 0, why, len);
}

/* Boxes whose metro follows their addresses are matched again after a
 * table change; grp regroups those that moved. */
void mg_state_rematch_clients(struct mg_state *st)
{
	struct mg_client *c;
	uint32_t pos = 0;

	while ((c = mg_client_next(st, &pos))) {
		struct mg_register r = { .naddr = c->naddr };
		uint32_t m = 0;

		if (c->pinned)
			continue;
		memcpy(r.addrs, c->addrs, c->naddr * sizeof(*c->addrs));
		for (size_t i = 0; i < r.naddr && !m; i++) {
			struct sc_sockaddr s;

			mg_caddr_to(&r.addrs[i], &s);
			m = mg_metro_match(st, &s);
		}
		if (m != c->metro) {
			struct mg_metro *old = mg_metro_get(st, c->metro), *nm = mg_metro_get(st, m);

			if (c->live && old && old->live)
				old->live--;
			if (c->live && nm)
				nm->live++;
			c->metro = c->tp.metro = m;
			if (grp_of(&c->gm))
				grp_set_metro(st->grp, &c->gm, m);
			mg_state_notify(st, c);
		}
	}
}

int mg_metro_put(struct mg_state *st, const struct mg_metro_def *d, const char *actor,
		 struct mg_batch *b, char *why, size_t len)
{
	struct mg_metro_table t = { 0 };
	struct mg_metro *same = mg_metro_by_name(st, d->name), *m;
	bool fresh = !mg_metro_get(st, d->id);
	char subj[32], detail[160];
	int rc;

	if (same && same->def.id != d->id) {
		snprintf(why, len, "metro %u already has the name \"%s\"", same->def.id, d->name);
		return -EEXIST;
	}
	if ((rc = build_table(st, &t, d, 0, why, len)) < 0)
		return rc == -EINVAL ? -EEXIST : rc;
	if (!(m = mg_metro_insert(st, d))) {
		mg_metro_table_free(&t);
		return -ENOMEM;
	}
	mg_metro_table_free(&st->mtable);
	st->mtable = t;
	mg_state_rematch_clients(st);
	mg_metro_row(st, m, b);
	snprintf(subj, sizeof(subj), "metro:%u", d->id);
	snprintf(detail, sizeof(detail), "{\"prefixes\":%zu}", d->nprefix);
	mg_state_event(st, b, actor, fresh ? "metro.create" : "metro.update", subj, detail);
	return 0;
}

int mg_metro_delete(struct mg_state *st, uint32_t id, const char *actor, struct mg_batch *b)
{
	struct mg_metro *m = mg_metro_get(st, id);
	struct mg_client *c;
	uint32_t pos = 0;
	char subj[32];

	if (!m)
		return -ENOENT;
	/* Boxes pinned to it follow their prefixes again. */
	while ((c = mg_client_next(st, &pos)))
		if (c->pinned && c->metro == id) {
			c->pinned = 0;
			mg_client_row(st, c, b);
		}
	mg_idmap_del(&st->metros, id);
	free(m);
	build_table(st, &st->mtable, NULL, 0, NULL, 0);
	mg_state_rematch_clients(st);
	mg_batch_add(b, MG_SQL_PREFIX_CLEAR, "u", id);
	mg_batch_add(b, MG_SQL_METRO_DEL, "u", id);
	snprintf(subj, sizeof(subj), "metro:%u", id);
	mg_state_event(st, b, actor, "metro.delete", subj, NULL);
	return 0;
}
