/* mg_state: life cycle, lookups, reserved counters, the grouping
 * callbacks, write-behind flushing, timeouts and silent metros. See
 * mg_state.h. */
#include "config.h"

#include "mg_state_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mg_auth.h"
#include "sc_log.h"

#define GID_BLOCK (1u << 16)
#define VER_BLOCK (1u << 22)

/* Under a fake clock the date is a fixed one moved by it (sc_clock_wall_ns),
 * the same for every model on that clock: a test restarts the server
 * "later". */
int64_t mg_state_now_ms(const struct mg_state *st)
{
	return (int64_t)(sc_clock_wall_ns(st->clk) / SC_NS_PER_MS);
}

struct seq_res {
	struct mg_state *st;
	uint64_t *mark;
	uint64_t value;
};

static void seq_done(void *arg, int rc)
{
	struct seq_res *r = arg;

	if (rc == 0 && r->value > *r->mark)
		*r->mark = r->value;
	else if (rc < 0)
		sc_log(LOG_ERR, "cannot reserve counters in the store: %s", strerror(-rc));
	free(r);
}

static void seq_reserve(struct mg_state *st, const char *name, uint64_t *mark, uint64_t *pending,
			uint64_t value)
{
	struct mg_batch *b = mg_batch_new();
	struct seq_res *r = malloc(sizeof(*r));

	if (!b || !r || mg_batch_add(b, MG_SQL_SEQ_PUT, "ti", name, (int64_t)value) < 0) {
		mg_batch_free(b);
		free(r);
		return;
	}
	*r = (struct seq_res){ st, mark, value };
	*pending = value;
	mg_store_submit(st->store, b, seq_done, r);
}

/* The next value of a reserved counter: a new reservation when half the
 * block is used; a wait for it in the (unlikely) case the block ran out
 * before the reservation committed. Values are 32 bits on the wire and
 * skip 0. */
static uint32_t seq_take(struct mg_state *st, const char *name, uint64_t *next, uint64_t *mark,
			 uint64_t *pending, uint64_t block)
{
	uint64_t v = (*next)++;

	if ((uint32_t)v == 0)
		v = (*next)++;
	if (*pending <= *mark && *next + block / 2 > *mark)
		seq_reserve(st, name, mark, pending, *mark + block);
	if (*next > *mark) {
		mg_store_wait(st->store);
		if (*pending > *mark)
			*mark = *pending;
	}
	return (uint32_t)v;
}

void mg_state_seq_init(struct mg_state *st)
{
	/* Start where the last run's reservations ended, and reserve the first
	 * blocks before anything is handed out. */
	st->next_gid = st->gid_mark;
	st->next_ver = st->ver_mark;
	if (st->next_gid == 0)
		st->next_gid = 1;
	if (st->next_ver == 0)
		st->next_ver = 1;
	seq_reserve(st, "group_id", &st->gid_mark, &st->gid_pending, st->next_gid + GID_BLOCK);
	seq_reserve(st, "version", &st->ver_mark, &st->ver_pending, st->next_ver + VER_BLOCK);
	mg_store_drain(st->store);
}

static void g_key(void *ctx, uint8_t key[GRP_KEY_LEN])
{
	(void)ctx;
	mg_random_key(key);
}

static uint32_t g_gid(void *ctx)
{
	struct mg_state *st = ctx;

	return seq_take(st, "group_id", &st->next_gid, &st->gid_mark, &st->gid_pending, GID_BLOCK);
}

static uint32_t g_ver(void *ctx)
{
	struct mg_state *st = ctx;

	return seq_take(st, "version", &st->next_ver, &st->ver_mark, &st->ver_pending, VER_BLOCK);
}

static void gq_push(struct mg_state *st, uint32_t id)
{
	if (st->gq_len == st->gq_cap) {
		size_t cap = st->gq_cap ? st->gq_cap * 2 : 1024;
		uint32_t *v = malloc(cap * sizeof(*v));

		if (!v)
			return; /* written at the next change of the group */
		for (size_t i = 0; i < st->gq_len; i++)
			v[i] = st->gq[(st->gq_head + i) % st->gq_cap];
		free(st->gq);
		st->gq = v;
		st->gq_cap = cap;
		st->gq_head = 0;
	}
	st->gq[(st->gq_head + st->gq_len++) % st->gq_cap] = id;
}

static void g_changed(void *ctx, const struct grp_group *g)
{
	struct mg_state *st = ctx;

	if (!mg_idmap_get(&st->dirty_groups, grp_group_id(g)) &&
	    mg_idmap_put(&st->dirty_groups, grp_group_id(g), (void *)g) == 0)
		gq_push(st, grp_group_id(g));
	st->cnt.group_changes++;
	for (unsigned i = 0; i < grp_group_size(g); i++) {
		const struct grp_member *m = grp_group_member(g, i);

		mg_state_notify(st, MG_CONTAINER(m, struct mg_client, gm));
	}
}

static void g_removed(void *ctx, uint32_t id, uint32_t channel)
{
	struct mg_state *st = ctx;

	(void)channel;
	mg_idmap_del(&st->dirty_groups, id);
	if (st->nremoved == st->capremoved) {
		size_t cap = st->capremoved ? st->capremoved * 2 : 64;
		uint32_t *v = realloc(st->removed_groups, cap * sizeof(*v));

		if (!v)
			return; /* the row stays in the store; pruned at load */
		st->removed_groups = v;
		st->capremoved = cap;
	}
	st->removed_groups[st->nremoved++] = id;
}

static uint64_t t_rand(void *ctx)
{
	(void)ctx;
	return mg_random_u64();
}

static int64_t t_rtt(void *ctx, const struct trk_peer *a, const struct trk_peer *b)
{
	const struct mg_client *ca = MG_CONTAINER(a, struct mg_client, tp);
	const struct mg_client *cb = MG_CONTAINER(b, struct mg_client, tp);
	int64_t r = mg_client_rtt(ca, cb->id);

	(void)ctx;
	return r >= 0 ? r : mg_client_rtt(cb, ca->id);
}

static const char *device_key(const void *obj)
{
	return ((const struct mg_client *)obj)->device_id;
}

int mg_state_new(const struct mg_config *cfg, sc_clock *clk, mg_store *store,
		 struct mg_state **out)
{
	struct mg_state *st = calloc(1, sizeof(*st));
	struct grp_ops gops;
	struct trk_ops tops = { NULL, t_rand, t_rtt };

	*out = NULL;
	if (!st)
		return -ENOMEM;
	st->cfg = cfg;
	st->clk = clk;
	st->store = store;
	st->next_client = st->next_edge = 1;
	mg_strmap_init(&st->by_device, device_key);
	gops = (struct grp_ops){ st, g_key, g_gid, g_ver, g_changed, g_removed };
	tops.ctx = st;
	st->grp = grp_new(&cfg->grouping, &gops);
	st->trk = trk_new(&cfg->tracker, &tops);
	if (!st->grp || !st->trk) {
		mg_state_free(st);
		return -ENOMEM;
	}
	*out = st;
	return 0;
}

void mg_state_free(struct mg_state *st)
{
	size_t pos = 0;
	void *p;

	if (!st)
		return;
	grp_free(st->grp);
	trk_free(st->trk);
	for (uint32_t i = 0; i < st->clients_cap; i++)
		mg_client_free(st->clients[i]);
	free(st->clients);
	while ((p = mg_idmap_next(&st->metros, &pos, NULL)))
		free(p);
	pos = 0;
	while ((p = mg_idmap_next(&st->channels, &pos, NULL)))
		mg_channel_free(p);
	pos = 0;
	while ((p = mg_idmap_next(&st->edges, &pos, NULL)))
		mg_edge_free(p);
	mg_idmap_clear(&st->metros);
	mg_idmap_clear(&st->channels);
	mg_idmap_clear(&st->edges);
	mg_idmap_clear(&st->dirty_groups);
	mg_strmap_clear(&st->by_device);
	mg_metro_table_free(&st->mtable);
	free(st->removed_groups);
	free(st->gq);
	mg_batch_free(st->wb);
	mg_trust_free(st);
	free(st);
}

const struct mg_config *mg_state_config(const struct mg_state *st)
{
	return st->cfg;
}

void mg_state_set_notify(struct mg_state *st, mg_notify_fn fn, void *ctx)
{
	st->notify = fn;
	st->notify_ctx = ctx;
}

void mg_state_notify(struct mg_state *st, struct mg_client *c)
{
	if (st->notify && c->waiter)
		st->notify(st->notify_ctx, c);
}

int mg_state_reconfigure(struct mg_state *st, const struct mg_config *cfg, char *why, size_t len)
{
	int rc;

	if (grp_set_params(st->grp, &cfg->grouping) < 0 || trk_set_params(st->trk, &cfg->tracker) < 0) {
		snprintf(why, len, "grouping or tracker settings out of range");
		return -EINVAL;
	}
	st->cfg = cfg;
	if (cfg->lineup.mode == MG_LINEUP_FILE && (rc = mg_state_load_lineup_file(st, why, len)) < 0)
		return rc;
	for (size_t pos = 0;;) {
		struct mg_channel *ch = mg_channel_next(st, &pos);

		if (!ch)
			break;
		mg_channel_update_direct(st, ch->def.id);
	}
	return 0;
}

struct mg_client *mg_client_get(const struct mg_state *st, uint32_t id)
{
	return id < st->clients_cap ? st->clients[id] : NULL;
}

struct mg_client *mg_client_by_device(const struct mg_state *st, const char *device_id)
{
	return mg_strmap_get(&st->by_device, device_id);
}

struct mg_channel *mg_channel_get(const struct mg_state *st, uint32_t id)
{
	return mg_idmap_get(&st->channels, id);
}

struct mg_metro *mg_metro_get(const struct mg_state *st, uint32_t id)
{
	return mg_idmap_get(&st->metros, id);
}

struct mg_metro *mg_metro_by_name(const struct mg_state *st, const char *name)
{
	struct mg_metro *m;
	size_t pos = 0;

	while ((m = mg_idmap_next(&st->metros, &pos, NULL)))
		if (!strcmp(m->def.name, name))
			return m;
	return NULL;
}

const char *mg_metro_name(const struct mg_state *st, uint32_t id)
{
	const struct mg_metro *m = id ? mg_metro_get(st, id) : NULL;

	return m ? m->def.name : "unknown";
}

struct mg_edge *mg_edge_get(const struct mg_state *st, uint32_t id)
{
	return mg_idmap_get(&st->edges, id);
}

struct mg_client *mg_client_next(const struct mg_state *st, uint32_t *pos)
{
	while (*pos < st->clients_cap) {
		struct mg_client *c = st->clients[(*pos)++];

		if (c)
			return c;
	}
	return NULL;
}

struct mg_channel *mg_channel_next(const struct mg_state *st, size_t *pos)
{
	return mg_idmap_next(&st->channels, pos, NULL);
}

struct mg_metro *mg_metro_next(const struct mg_state *st, size_t *pos)
{
	return mg_idmap_next(&st->metros, pos, NULL);
}

struct mg_edge *mg_edge_next(const struct mg_state *st, size_t *pos)
{
	return mg_idmap_next(&st->edges, pos, NULL);
}

struct keyed {
	uint32_t key;
	void *val;
};

static int cmp_keyed(const void *a, const void *b)
{
	uint32_t x = ((const struct keyed *)a)->key, y = ((const struct keyed *)b)->key;

	return x < y ? -1 : x > y;
}

static size_t sorted(const struct mg_idmap *m, void ***out)
{
	size_t n = mg_idmap_count(m), k = 0, pos = 0;
	struct keyed *v = calloc(n ? n : 1, sizeof(*v));
	void **res = calloc(n ? n : 1, sizeof(*res));
	uint32_t key;
	void *val;

	*out = NULL;
	if (!v || !res || !n) {
		free(v);
		free(res);
		return 0;
	}
	while ((val = mg_idmap_next(m, &pos, &key)))
		v[k++] = (struct keyed){ key, val };
	qsort(v, k, sizeof(*v), cmp_keyed);
	for (size_t i = 0; i < k; i++)
		res[i] = v[i].val;
	free(v);
	*out = res;
	return k;
}

size_t mg_channels_sorted(const struct mg_state *st, struct mg_channel ***out)
{
	return sorted(&st->channels, (void ***)out);
}

size_t mg_metros_sorted(const struct mg_state *st, struct mg_metro ***out)
{
	return sorted(&st->metros, (void ***)out);
}

size_t mg_edges_sorted(const struct mg_state *st, struct mg_edge ***out)
{
	return sorted(&st->edges, (void ***)out);
}

size_t mg_client_count(const struct mg_state *st)
{
	return st->nclients;
}

grp *mg_state_grp(const struct mg_state *st)
{
	return st->grp;
}

trk *mg_state_trk(const struct mg_state *st)
{
	return st->trk;
}

mg_store *mg_state_store(const struct mg_state *st)
{
	return st->store;
}

uint32_t mg_state_lineup_version(const struct mg_state *st)
{
	return st->lineup_version;
}

void mg_state_lineup_changed(struct mg_state *st)
{
	st->lineup_version++;
}

const struct mg_state_counters *mg_state_counters(const struct mg_state *st)
{
	return &st->cnt;
}

const struct mg_counters *mg_state_totals(const struct mg_state *st)
{
	return &st->totals;
}

struct mg_counters *mg_state_totals_rw(struct mg_state *st)
{
	return &st->totals;
}

const struct mg_series *mg_state_series(const struct mg_state *st)
{
	return &st->series;
}

size_t mg_state_live(const struct mg_state *st)
{
	return st->nlive;
}

void mg_state_next_ids(struct mg_state *st, uint32_t client, uint32_t edge)
{
	if (client >= st->next_client)
		st->next_client = client + 1;
	if (edge >= st->next_edge)
		st->next_edge = edge + 1;
}

int mg_state_add_client(struct mg_state *st, struct mg_client *c)
{
	if (c->id >= st->clients_cap) {
		uint32_t cap = st->clients_cap ? st->clients_cap : 1024;
		struct mg_client **v;

		while (cap <= c->id)
			cap *= 2;
		v = realloc(st->clients, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		memset(v + st->clients_cap, 0, (cap - st->clients_cap) * sizeof(*v));
		st->clients = v;
		st->clients_cap = cap;
	}
	if (mg_strmap_add(&st->by_device, c) < 0)
		return -ENOMEM;
	st->clients[c->id] = c;
	st->nclients++;
	mg_state_next_ids(st, c->id, 0);
	return 0;
}

void mg_state_event(struct mg_state *st, struct mg_batch *b, const char *actor, const char *type,
		    const char *subject, const char *detail)
{
	struct mg_batch *own = b ? NULL : mg_batch_new();

	if (!b && !own)
		return;
	mg_batch_add(b ? b : own, MG_SQL_EVENT, "itttt", mg_state_now_ms(st), actor, type, subject, detail);
	if (own)
		mg_store_submit(st->store, own, NULL, NULL);
}

static void seen_unlink(struct mg_state *st, struct mg_client *c)
{
	if (c->seen_prev)
		c->seen_prev->seen_next = c->seen_next;
	else
		st->seen_head = c->seen_next;
	if (c->seen_next)
		c->seen_next->seen_prev = c->seen_prev;
	else
		st->seen_tail = c->seen_prev;
	c->seen_prev = c->seen_next = NULL;
}

static void seen_append(struct mg_state *st, struct mg_client *c)
{
	c->seen_prev = st->seen_tail;
	c->seen_next = NULL;
	if (st->seen_tail)
		st->seen_tail->seen_next = c;
	else
		st->seen_head = c;
	st->seen_tail = c;
}

static void metro_back(struct mg_state *st, struct mg_metro *m)
{
	char subj[32], detail[96];

	m->silent = false;
	snprintf(subj, sizeof(subj), "metro:%u", m->def.id);
	snprintf(detail, sizeof(detail), "{\"silent_ms\":%lld}", (long long)(mg_state_now_ms(st) - m->silent_since_ms));
	mg_state_event(st, NULL, "system", "metro.back", subj, detail);
	sc_log(LOG_NOTICE, "metro %u (%s) is heard again", m->def.id, m->def.name);
}

void mg_client_touch(struct mg_state *st, struct mg_client *c)
{
	uint64_t now = sc_clock_now_ns(st->clk);
	struct mg_metro *m = c->metro ? mg_metro_get(st, c->metro) : NULL;

	c->last_seen_ns = now;
	c->last_seen_ms = mg_state_now_ms(st);
	if (c->live && st->seen_tail != c) {
		seen_unlink(st, c);
		seen_append(st, c);
	}
	if (m) {
		m->last_hb_ns = now;
		if (m->silent)
			metro_back(st, m);
	}
	mg_client_dirty(st, c);
}

/* Into the write-behind queue, unless it is there already. */
void mg_client_dirty(struct mg_state *st, struct mg_client *c)
{
	if (c->dirty)
		return;
	c->dirty = 1;
	c->dirty_next = NULL;
	if (st->dirty_tail)
		st->dirty_tail->dirty_next = c;
	else
		st->dirty_head = c;
	st->dirty_tail = c;
	st->ndirty++;
}

void mg_client_activate(struct mg_state *st, struct mg_client *c)
{
	struct mg_metro *m = c->metro ? mg_metro_get(st, c->metro) : NULL;

	if (c->live)
		return;
	c->live = 1;
	seen_append(st, c);
	st->nlive++;
	if (m) {
		m->live++;
		m->last_hb_ns = sc_clock_now_ns(st->clk);
	}
	if (c->channel && mg_channel_get(st, c->channel)) {
		if (grp_join(st->grp, &c->gm, c->channel, c->metro) == 0)
			trk_add(st->trk, &c->tp, c->channel);
	}
}

void mg_client_deactivate_many(struct mg_state *st, struct mg_client **v, size_t n)
{
	struct grp_member **gm = malloc((n ? n : 1) * sizeof(*gm));
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		struct mg_client *c = v[i];
		struct mg_metro *m;

		if (!c->live)
			continue;
		c->live = 0;
		seen_unlink(st, c);
		st->nlive--;
		m = c->metro ? mg_metro_get(st, c->metro) : NULL;
		if (m && m->live)
			m->live--;
		trk_remove(st->trk, &c->tp);
		if (gm)
			gm[k++] = &c->gm;
		else
			grp_leave(st->grp, &c->gm);
	}
	grp_leave_many(st->grp, gm, k);
	free(gm);
}

static void client_live_row(struct mg_client *c, struct mg_batch *b)
{
	const struct mg_counters *k = &c->stats;

	mg_batch_add(b, MG_SQL_CLIENT_LIVE, "uiiiiiiiiu", c->channel, c->last_seen_ms,
		     (int64_t)k->received, (int64_t)k->lost, (int64_t)k->rep_group, (int64_t)k->rep_edge,
		     (int64_t)k->rep_mesh, (int64_t)k->unrepaired, (int64_t)k->served, c->id);
}

static void group_row(const struct grp_group *g, struct mg_batch *b, int64_t now_ms)
{
	char members[GRP_MAX_SIZE * 11 + 1];
	size_t n = 0;

	members[0] = '\0';
	for (unsigned i = 0; i < grp_group_size(g); i++)
		n += (size_t)snprintf(members + n, sizeof(members) - n, "%s%u", i ? "," : "",
				      grp_group_member(g, i)->id);
	mg_batch_add(b, MG_SQL_GROUP_PUT, "uuubti", grp_group_id(g), grp_group_channel(g),
		     grp_group_version(g), grp_group_key(g), (size_t)GRP_KEY_LEN, members, now_ms);
}

static void flush_edges(struct mg_state *st, struct mg_batch *b)
{
	struct mg_edge *e;
	size_t pos = 0;

	if (!st->edges_dirty)
		return;
	while ((e = mg_idmap_next(&st->edges, &pos, NULL)))
		if (e->dirty) {
			char *load = e->load ? json_dumps(e->load, JSON_COMPACT) : NULL;

			mg_batch_add(b, MG_SQL_EDGE_LIVE, "itu", e->last_seen_ms, load, e->id);
			if (e->cert_dirty)
				mg_cert_row(MG_SQL_EDGE_CERT, e->id, e->cert, b);
			free(load);
			e->dirty = e->cert_dirty = false;
		}
	st->edges_dirty = false;
}

void mg_state_unlink_dirty(struct mg_state *st, struct mg_client *c)
{
	struct mg_client **pp = &st->dirty_head, *prev = NULL;

	if (!c->dirty)
		return;
	while (*pp && *pp != c) {
		prev = *pp;
		pp = &(*pp)->dirty_next;
	}
	if (!*pp)
		return;
	*pp = c->dirty_next;
	if (st->dirty_tail == c)
		st->dirty_tail = prev;
	c->dirty = 0;
	st->ndirty--;
}

/* Write behind, oldest changes first. Every tick encodes a slice (enough
 * that the backlog is gone within store.flush_ms, at least 2,000 rows, so
 * that no tick stalls the API for long) into one pending batch, and the
 * batch goes to the writer once every store.flush_ms: one transaction a
 * second writes each touched page of the store once, where a commit per
 * tick would write the same pages twenty times. all: everything, now. */
void mg_state_flush(struct mg_state *st, bool all)
{
	size_t backlog = st->ndirty + st->gq_len, budget;
	uint64_t now = sc_clock_now_ns(st->clk);
	int64_t now_ms = mg_state_now_ms(st);
	struct mg_batch *b;

	budget = backlog * MG_FLUSH_TICK_MS / st->cfg->store.flush_ms + 1;
	if (all || budget < 2000)
		budget = all ? SIZE_MAX : 2000;
	if (!st->wb && (backlog || st->nremoved || st->edges_dirty)) {
		st->wb = mg_batch_new();
		st->wb_since = now;
	}
	if (!(b = st->wb))
		return;
	while (st->dirty_head && budget) {
		struct mg_client *c = st->dirty_head;

		st->dirty_head = c->dirty_next;
		if (!st->dirty_head)
			st->dirty_tail = NULL;
		c->dirty = 0;
		c->dirty_next = NULL;
		st->ndirty--;
		client_live_row(c, b);
		if (c->cert_dirty) {
			mg_cert_row(MG_SQL_CLIENT_CERT, c->id, c->cert, b);
			c->cert_dirty = 0;
		}
		budget--;
	}
	while (st->gq_len && budget) {
		uint32_t id = st->gq[st->gq_head];
		const struct grp_group *g = mg_idmap_del(&st->dirty_groups, id);

		st->gq_head = (st->gq_head + 1) % st->gq_cap;
		st->gq_len--;
		if (g) {
			group_row(g, b, now_ms);
			budget--;
		}
	}
	for (size_t i = 0; i < st->nremoved; i++)
		mg_batch_add(b, MG_SQL_GROUP_DEL, "u", st->removed_groups[i]);
	st->nremoved = 0;
	flush_edges(st, b);
	if (now - st->last_prune_ns > 60 * SC_NS_PER_S) {
		st->last_prune_ns = now;
		mg_batch_add(b, MG_SQL_EVENTS_PRUNE, "i", (int64_t)st->cfg->store.events_keep);
	}
	if (all || now - st->wb_since >= (uint64_t)st->cfg->store.flush_ms * SC_NS_PER_MS ||
	    mg_batch_count(b) >= 500000) {
		st->wb = NULL;
		if (mg_batch_count(b))
			mg_store_submit(st->store, b, NULL, NULL);
		else
			mg_batch_free(b);
	}
}

/* Every live box of a silent metro leaves its group now, without waiting
 * for each box's own timeout. */
static void metro_outage(struct mg_state *st, struct mg_metro *m, uint64_t now)
{
	struct mg_client **v = malloc((m->live ? m->live : 1) * sizeof(*v));
	char subj[32], detail[160];
	size_t n = 0;
	uint64_t t0 = sc_clock_now_ns(sc_clock_system()), dt;

	if (!v)
		return;
	for (struct mg_client *c = st->seen_head; c && n < m->live; c = c->seen_next)
		if (c->metro == m->def.id)
			v[n++] = c;
	mg_client_deactivate_many(st, v, n);
	free(v);
	dt = sc_clock_now_ns(sc_clock_system()) - t0;
	m->silent = true;
	m->silent_since_ms = mg_state_now_ms(st) - (int64_t)((now - m->last_hb_ns) / SC_NS_PER_MS);
	m->silenced = (uint32_t)n;
	m->rebuild_ns = dt;
	m->outages++;
	st->cnt.metro_outages++;
	snprintf(subj, sizeof(subj), "metro:%u", m->def.id);
	snprintf(detail, sizeof(detail), "{\"clients\":%zu,\"silent_ms\":%llu,\"rebuild_us\":%llu}", n,
		 (unsigned long long)((now - m->last_hb_ns) / SC_NS_PER_MS),
		 (unsigned long long)(dt / SC_NS_PER_US));
	mg_state_event(st, NULL, "system", "metro.silent", subj, detail);
	sc_log(LOG_WARNING, "metro %u (%s) silent: %zu boxes regrouped in %.1f ms", m->def.id,
	       m->def.name, n, (double)dt / 1e6);
}

/* Has a metro fallen silent? Its n live boxes send n/H heartbeats a
 * second, spread over the period H: a window expected to hold
 * MG_SILENCE_EXPECTED of them and holding none is an outage (a false
 * alarm, if arrivals are anything like Poisson, has odds of e^-20). The
 * window is at least metro_silence_min_ms and at most metro_silence_ms
 * (small metros). And some other metro must have been heard within the
 * window: when every metro is quiet at once, the fault is nearer to this
 * server than to any metro. */
static bool metro_is_silent(struct mg_state *st, const struct mg_metro *m, uint64_t now)
{
	const struct mg_config *cfg = st->cfg;
	uint64_t win, hb = (uint64_t)cfg->clients.heartbeat_ms * SC_NS_PER_MS;
	const struct mg_metro *o;
	size_t pos = 0;

	if (m->silent || m->live < cfg->metro_min_clients || now <= m->last_hb_ns)
		return false;
	win = MG_SILENCE_EXPECTED * hb / m->live;
	if (win < (uint64_t)cfg->metro_silence_min_ms * SC_NS_PER_MS)
		win = (uint64_t)cfg->metro_silence_min_ms * SC_NS_PER_MS;
	if (win > (uint64_t)cfg->metro_silence_ms * SC_NS_PER_MS)
		win = (uint64_t)cfg->metro_silence_ms * SC_NS_PER_MS;
	if (now - m->last_hb_ns <= win)
		return false;
	while ((o = mg_idmap_next(&st->metros, &pos, NULL)))
		if (o != m && o->live && now - o->last_hb_ns <= win)
			return true;
	return false;
}

void mg_state_sweep(struct mg_state *st)
{
	const struct mg_config *cfg = st->cfg;
	uint64_t now = sc_clock_now_ns(st->clk);
	uint64_t timeout = (uint64_t)cfg->clients.missed * cfg->clients.heartbeat_ms * SC_NS_PER_MS;
	struct mg_client **v = NULL;
	struct mg_metro *m;
	size_t n = 0, cap = 0, pos = 0;

	for (struct mg_client *c = st->seen_head; c && now - c->last_seen_ns > timeout; c = c->seen_next) {
		if (n == cap) {
			struct mg_client **nv = realloc(v, (cap = cap ? cap * 2 : 256) * sizeof(*v));

			if (!nv)
				break;
			v = nv;
		}
		v[n++] = c;
	}
	if (n) {
		mg_client_deactivate_many(st, v, n);
		st->cnt.timeouts += n;
	}
	free(v);
	while ((m = mg_idmap_next(&st->metros, &pos, NULL)))
		if (metro_is_silent(st, m, now))
			metro_outage(st, m, now);
	mg_trust_prune(st);
}

void mg_state_sample(struct mg_state *st)
{
	int64_t t = mg_state_now_ms(st);
	struct mg_channel *ch;
	struct mg_metro *m;
	struct grp_stats gs;
	size_t pos = 0;

	while ((ch = mg_idmap_next(&st->channels, &pos, NULL))) {
		grp_stats(st->grp, ch->def.id, &gs);
		mg_series_sample(&ch->series, t, (uint32_t)gs.members, &ch->acc);
		mg_channel_update_direct(st, ch->def.id); /* edges come and go */
	}
	pos = 0;
	while ((m = mg_idmap_next(&st->metros, &pos, NULL)))
		mg_series_sample(&m->series, t, m->live, &m->acc);
	mg_series_sample(&st->series, t, (uint32_t)st->nlive, &st->totals);
}
