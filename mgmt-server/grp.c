/* grp: cross-metro grouping of a channel's viewers. See grp.h for the
 * policy; this file keeps, per channel, the groups in lists by member
 * count so that a join finds the fullest open group in a few steps. */
#include "config.h"

#include "grp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mg_map.h"

struct grp_chan;

struct grp_group {
	uint32_t id, channel, version;
	uint8_t n;        /* members */
	uint8_t linked;   /* member count it is filed under in its channel (0: none) */
	uint8_t distinct; /* as filed */
	uint8_t touched, rekey;
	uint8_t key[GRP_KEY_LEN];
	struct grp_member *m[GRP_MAX_SIZE];
	uint32_t metro[GRP_MAX_SIZE]; /* m[i]'s metro, inline for cheap scans */
	struct grp_group *prev, *next; /* the channel's list for its size */
	struct grp_group *tnext;       /* touched during the current call */
	struct grp_chan *chan;
};

struct grp_chan {
	uint32_t id;
	size_t ngroups;  /* including emptied groups not yet dissolved */
	size_t nmembers;
	size_t ndistinct;
	size_t hist[GRP_MAX_SIZE + 1];
	struct grp_group *bucket[GRP_MAX_SIZE + 1];
};

struct grp {
	struct grp_params p;
	struct grp_ops ops;
	struct mg_idmap groups; /* id -> group */
	struct mg_idmap chans;  /* channel -> grp_chan */
	struct grp_group *touched;
};

/* Placements decided but not made yet, for merges that must place every
 * member or none. */
struct overlay {
	struct grp_group *tgt[GRP_MAX_SIZE];
	uint32_t metro[GRP_MAX_SIZE];
	unsigned n;
};

void grp_params_default(struct grp_params *p)
{
	p->size = 5;
	p->min_size = 3;
	p->max_open = 16;
	p->scan_max = 256;
}

int grp_params_check(const struct grp_params *p)
{
	if (!p || p->size < GRP_MIN_SIZE || p->size > GRP_MAX_SIZE)
		return -EINVAL;
	if (p->min_size < 2 || p->min_size > p->size || p->max_open < 1 || p->scan_max < 1)
		return -EINVAL;
	return 0;
}

grp *grp_new(const struct grp_params *p, const struct grp_ops *ops)
{
	grp *g;

	if (grp_params_check(p) < 0 || !ops || !ops->new_key || !ops->new_group_id ||
	    !ops->new_version || !ops->changed)
		return NULL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->p = *p;
	g->ops = *ops;
	return g;
}

void grp_free(grp *g)
{
	struct grp_group *gr;
	struct grp_chan *c;
	size_t pos = 0;

	if (!g)
		return;
	while ((gr = mg_idmap_next(&g->groups, &pos, NULL))) {
		for (unsigned i = 0; i < gr->n; i++) {
			gr->m[i]->group = NULL;
			gr->m[i]->channel = 0;
		}
		free(gr);
	}
	pos = 0;
	while ((c = mg_idmap_next(&g->chans, &pos, NULL)))
		free(c);
	mg_idmap_clear(&g->groups);
	mg_idmap_clear(&g->chans);
	free(g);
}

int grp_set_params(grp *g, const struct grp_params *p)
{
	if (grp_params_check(p) < 0)
		return -EINVAL;
	g->p = *p;
	return 0;
}

const struct grp_params *grp_get_params(const grp *g)
{
	return &g->p;
}

static bool compute_distinct(const struct grp_group *gr)
{
	for (unsigned i = 1; i < gr->n; i++)
		for (unsigned j = 0; j < i; j++)
			if (gr->metro[i] == gr->metro[j])
				return false;
	return true;
}

/* File gr under its current member count (unfile when empty) and keep the
 * channel's counters in step. */
static void relink(struct grp_group *gr)
{
	struct grp_chan *c = gr->chan;

	if (gr->linked) {
		if (gr->prev)
			gr->prev->next = gr->next;
		else
			c->bucket[gr->linked] = gr->next;
		if (gr->next)
			gr->next->prev = gr->prev;
		c->hist[gr->linked]--;
		c->ndistinct -= gr->distinct;
		gr->linked = 0;
		gr->prev = gr->next = NULL;
	}
	if (!gr->n)
		return;
	gr->distinct = compute_distinct(gr);
	gr->linked = gr->n;
	gr->next = c->bucket[gr->n];
	if (gr->next)
		gr->next->prev = gr;
	c->bucket[gr->n] = gr;
	c->hist[gr->n]++;
	c->ndistinct += gr->distinct;
}

static void touch(grp *g, struct grp_group *gr, bool rekey)
{
	gr->rekey |= rekey;
	if (gr->touched)
		return;
	gr->touched = 1;
	gr->tnext = g->touched;
	g->touched = gr;
}

static struct grp_chan *chan_get(grp *g, uint32_t channel, bool create)
{
	struct grp_chan *c = mg_idmap_get(&g->chans, channel);

	if (c || !create)
		return c;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->id = channel;
	if (mg_idmap_put(&g->chans, channel, c) < 0) {
		free(c);
		return NULL;
	}
	return c;
}

static struct grp_group *group_alloc(grp *g, struct grp_chan *c, uint32_t id)
{
	struct grp_group *gr = calloc(1, sizeof(*gr));

	if (!gr)
		return NULL;
	gr->id = id;
	gr->channel = c->id;
	gr->chan = c;
	if (mg_idmap_put(&g->groups, id, gr) < 0) {
		free(gr);
		return NULL;
	}
	c->ngroups++;
	return gr;
}

/* A new empty group; it gets its key and version when the call ends. */
static struct grp_group *group_new(grp *g, struct grp_chan *c)
{
	struct grp_group *gr = group_alloc(g, c, g->ops.new_group_id(g->ops.ctx));

	if (gr)
		touch(g, gr, true);
	return gr;
}

static void insert(struct grp_group *gr, struct grp_member *m)
{
	gr->m[gr->n] = m;
	gr->metro[gr->n] = m->metro;
	gr->n++;
	m->group = gr;
	m->channel = gr->channel;
	gr->chan->nmembers++;
	relink(gr);
}

static void add(grp *g, struct grp_group *gr, struct grp_member *m)
{
	insert(gr, m);
	touch(g, gr, false);
}

static struct grp_group *take_out(grp *g, struct grp_member *m)
{
	struct grp_group *gr = m->group;
	unsigned i;

	for (i = 0; i < gr->n && gr->m[i] != m; i++)
		;
	gr->n--;
	gr->m[i] = gr->m[gr->n];
	gr->metro[i] = gr->metro[gr->n];
	gr->m[gr->n] = NULL;
	m->group = NULL;
	m->channel = 0;
	gr->chan->nmembers--;
	relink(gr);
	touch(g, gr, true);
	return gr;
}

static unsigned metro_count(const struct grp_group *gr, uint32_t metro)
{
	unsigned k = 0;

	for (unsigned i = 0; i < gr->n; i++)
		k += gr->metro[i] == metro;
	return k;
}

/* Whether gr can take a member of metro, counting the placements an
 * overlay already planned into it. */
static bool fits(const grp *g, const struct grp_group *gr, uint32_t metro, const struct overlay *ov)
{
	unsigned n = gr->n;

	if (metro_count(gr, metro))
		return false;
	for (unsigned i = 0; ov && i < ov->n; i++) {
		if (ov->tgt[i] != gr)
			continue;
		if (ov->metro[i] == metro)
			return false;
		n++;
	}
	return n < g->p.size;
}

/* The fullest open group of c, other than exclude, with no member of
 * metro. At most scan_max groups are looked at. */
static struct grp_group *pick_lacking(const grp *g, const struct grp_chan *c, uint32_t metro,
				      const struct grp_group *exclude, const struct overlay *ov)
{
	unsigned budget = g->p.scan_max;

	for (unsigned n = g->p.size - 1; n >= 1; n--)
		for (struct grp_group *gr = c->bucket[n]; gr; gr = gr->next) {
			if (gr != exclude && fits(g, gr, metro, ov))
				return gr;
			if (--budget == 0)
				return NULL;
		}
	return NULL;
}

/* No open group lacks metro: the open group with the fewest members of
 * it, the fullest among equals. */
static struct grp_group *pick_least_repeat(const grp *g, const struct grp_chan *c, uint32_t metro)
{
	struct grp_group *best = NULL;
	unsigned best_k = ~0u, budget = g->p.scan_max;

	for (unsigned n = g->p.size - 1; n >= 1; n--)
		for (struct grp_group *gr = c->bucket[n]; gr; gr = gr->next) {
			unsigned k = metro_count(gr, metro);

			if (k < best_k) {
				best = gr;
				best_k = k;
			}
			if (--budget == 0)
				return best;
		}
	return best;
}

static size_t open_count(const grp *g, const struct grp_chan *c)
{
	size_t k = 0;

	for (unsigned n = 1; n < g->p.size; n++)
		k += c->hist[n];
	return k;
}

static int place(grp *g, struct grp_member *m, uint32_t channel)
{
	struct grp_chan *c = chan_get(g, channel, true);
	struct grp_group *gr;

	if (!c)
		return -ENOMEM;
	gr = pick_lacking(g, c, m->metro, NULL, NULL);
	if (!gr && open_count(g, c) >= g->p.max_open)
		gr = pick_least_repeat(g, c, m->metro);
	if (!gr)
		gr = group_new(g, c);
	if (!gr)
		return -ENOMEM;
	add(g, gr, m);
	return 0;
}

/* A group under min_size moves all its members into other open groups
 * lacking their metros, or stays as it is when one of them has nowhere to
 * go (a half-done merge would leave a smaller group behind). */
static void maybe_merge(grp *g, struct grp_group *gr)
{
	struct overlay ov = { .n = 0 };

	if (!gr->n || gr->n >= g->p.min_size)
		return;
	for (unsigned i = 0; i < gr->n; i++) {
		struct grp_group *t = pick_lacking(g, gr->chan, gr->metro[i], gr, &ov);

		if (!t)
			return;
		ov.tgt[ov.n] = t;
		ov.metro[ov.n++] = gr->metro[i];
	}
	for (unsigned i = 0; i < ov.n; i++) {
		struct grp_member *m = gr->m[0];

		/* take_out moves the last member into slot 0, so the members
		 * come out in reverse order: match them to their plan. */
		for (unsigned j = 0; j < ov.n; j++)
			if (ov.tgt[j] && ov.metro[j] == m->metro) {
				take_out(g, m);
				add(g, ov.tgt[j], m);
				ov.tgt[j] = NULL;
				break;
			}
	}
}

static void free_group(grp *g, struct grp_group *gr)
{
	struct grp_chan *c = gr->chan;

	mg_idmap_del(&g->groups, gr->id);
	if (g->ops.removed)
		g->ops.removed(g->ops.ctx, gr->id, gr->channel);
	free(gr);
	if (--c->ngroups == 0 && !c->nmembers) {
		mg_idmap_del(&g->chans, c->id);
		free(c);
	}
}

/* End of a public call: one version (and key, after a departure) per
 * touched group, then its callback; empty groups are dissolved. */
static void flush(grp *g)
{
	struct grp_group *gr;

	while ((gr = g->touched)) {
		g->touched = gr->tnext;
		gr->touched = 0;
		gr->tnext = NULL;
		if (!gr->n) {
			free_group(g, gr);
			continue;
		}
		gr->version = g->ops.new_version(g->ops.ctx);
		if (gr->rekey)
			g->ops.new_key(g->ops.ctx, gr->key);
		gr->rekey = 0;
		g->ops.changed(g->ops.ctx, gr);
	}
}

static int set_metro(grp *g, struct grp_member *m, uint32_t metro)
{
	struct grp_group *gr = m->group;
	uint32_t channel;
	unsigned i;

	if (!gr || metro == m->metro) {
		m->metro = metro;
		return 0;
	}
	for (i = 0; gr->m[i] != m; i++)
		;
	if (!metro_count(gr, metro)) {
		m->metro = metro;
		gr->metro[i] = metro;
		relink(gr);
		touch(g, gr, false);
		return 0;
	}
	channel = m->channel;
	take_out(g, m);
	maybe_merge(g, gr);
	m->metro = metro;
	return place(g, m, channel);
}

int grp_join(grp *g, struct grp_member *m, uint32_t channel, uint32_t metro)
{
	int rc;

	if (!g || !m || !m->id || !channel)
		return -EINVAL;
	if (m->group && m->channel == channel) {
		rc = set_metro(g, m, metro);
	} else {
		if (m->group)
			maybe_merge(g, take_out(g, m));
		m->metro = metro;
		rc = place(g, m, channel);
	}
	flush(g);
	return rc;
}

void grp_leave(grp *g, struct grp_member *m)
{
	if (!g || !m || !m->group)
		return;
	maybe_merge(g, take_out(g, m));
	flush(g);
}

void grp_leave_many(grp *g, struct grp_member *const *m, size_t n)
{
	struct grp_group *head;

	if (!g)
		return;
	for (size_t i = 0; i < n; i++)
		if (m[i] && m[i]->group)
			take_out(g, m[i]);
	/* Merges push their targets onto the front of the touched list;
	 * walking from the old head visits exactly the groups that lost
	 * members. */
	head = g->touched;
	for (struct grp_group *gr = head; gr; gr = gr->tnext)
		maybe_merge(g, gr);
	flush(g);
}

int grp_set_metro(grp *g, struct grp_member *m, uint32_t metro)
{
	int rc;

	if (!g || !m)
		return -EINVAL;
	rc = set_metro(g, m, metro);
	flush(g);
	return rc;
}

int grp_place(grp *g, struct grp_member *m, uint32_t group_id)
{
	struct grp_group *t = mg_idmap_get(&g->groups, group_id), *old;

	if (!t)
		return -ENOENT;
	if (!m->group || m->channel != t->channel)
		return -EXDEV;
	if (m->group == t)
		return 0;
	if (t->n >= GRP_MAX_SIZE)
		return -ENOSPC;
	old = take_out(g, m);
	add(g, t, m);
	maybe_merge(g, old);
	flush(g);
	return 0;
}

struct by_metro {
	struct grp_member *m;
	uint32_t metro;
	uint32_t count; /* members of its metro in the channel */
};

static int cmp_metro(const void *a, const void *b)
{
	const struct by_metro *x = a, *y = b;

	if (x->metro != y->metro)
		return x->metro < y->metro ? -1 : 1;
	return x->m->id < y->m->id ? -1 : x->m->id > y->m->id;
}

/* Biggest metros first, so that they are spread before the small ones
 * fill the gaps. */
static int cmp_count(const void *a, const void *b)
{
	const struct by_metro *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return cmp_metro(a, b);
}

/* The channel's members, ordered for dealing: metro blocks, biggest first. */
static struct by_metro *deal_order(const struct grp_chan *c, size_t *n)
{
	struct by_metro *v = calloc(c->nmembers ? c->nmembers : 1, sizeof(*v));
	size_t k = 0;

	if (!v)
		return NULL;
	for (unsigned s = 1; s <= GRP_MAX_SIZE; s++)
		for (struct grp_group *gr = c->bucket[s]; gr; gr = gr->next)
			for (unsigned i = 0; i < gr->n; i++) {
				v[k].m = gr->m[i];
				v[k++].metro = gr->metro[i];
			}
	qsort(v, k, sizeof(*v), cmp_metro);
	for (size_t i = 0, j; i < k; i = j) {
		for (j = i; j < k && v[j].metro == v[i].metro; j++)
			;
		for (size_t t = i; t < j; t++)
			v[t].count = (uint32_t)(j - i);
	}
	qsort(v, k, sizeof(*v), cmp_count);
	*n = k;
	return v;
}

int grp_rebuild(grp *g, uint32_t channel)
{
	struct grp_chan *c = g ? chan_get(g, channel, false) : NULL;
	struct grp_group **old = NULL, **use = NULL;
	struct by_metro *v = NULL;
	size_t n = 0, nold = 0, need, i;
	int rc = -ENOMEM;

	if (!c)
		return 0;
	v = deal_order(c, &n);
	old = calloc(c->ngroups + 1, sizeof(*old));
	need = (n + g->p.size - 1) / g->p.size;
	use = calloc(need + 1, sizeof(*use));
	if (!v || !old || !use)
		goto out;
	for (unsigned s = 1; s <= GRP_MAX_SIZE; s++)
		for (struct grp_group *gr = c->bucket[s]; gr; gr = gr->next)
			old[nold++] = gr;
	/* Allocate first, so that running out of memory changes nothing. */
	for (i = 0; i < need; i++) {
		use[i] = i < nold ? old[i] : group_new(g, c);
		if (!use[i])
			goto out;
	}
	for (i = 0; i < n; i++)
		take_out(g, v[i].m);
	for (i = 0; i < n; i++) {
		v[i].m->metro = v[i].metro;
		add(g, use[i % need], v[i].m);
	}
	rc = (int)need;
out:
	flush(g);
	free(v);
	free(old);
	free(use);
	return rc;
}

int grp_restore(grp *g, uint32_t id, uint32_t channel, uint32_t version,
		const uint8_t key[GRP_KEY_LEN], struct grp_member *const *members, size_t n,
		const uint32_t *metros)
{
	struct grp_group *gr;
	struct grp_chan *c;

	if (!g || !id || !channel || !n || n > GRP_MAX_SIZE)
		return -EINVAL;
	if (mg_idmap_get(&g->groups, id))
		return -EEXIST;
	for (size_t i = 0; i < n; i++)
		if (!members[i] || members[i]->group || !members[i]->id)
			return -EINVAL;
	c = chan_get(g, channel, true);
	if (!c)
		return -ENOMEM;
	gr = group_alloc(g, c, id);
	if (!gr) {
		if (!c->ngroups && !c->nmembers) {
			mg_idmap_del(&g->chans, channel);
			free(c);
		}
		return -ENOMEM;
	}
	gr->version = version;
	memcpy(gr->key, key, GRP_KEY_LEN);
	for (size_t i = 0; i < n; i++) {
		members[i]->metro = metros[i];
		insert(gr, members[i]);
	}
	return 0;
}

const struct grp_group *grp_find(const grp *g, uint32_t id)
{
	return mg_idmap_get(&g->groups, id);
}

uint32_t grp_group_id(const struct grp_group *gr)
{
	return gr->id;
}

uint32_t grp_group_channel(const struct grp_group *gr)
{
	return gr->channel;
}

uint32_t grp_group_version(const struct grp_group *gr)
{
	return gr->version;
}

const uint8_t *grp_group_key(const struct grp_group *gr)
{
	return gr->key;
}

unsigned grp_group_size(const struct grp_group *gr)
{
	return gr->n;
}

const struct grp_member *grp_group_member(const struct grp_group *gr, unsigned i)
{
	return i < gr->n ? gr->m[i] : NULL;
}

bool grp_group_distinct(const struct grp_group *gr)
{
	return compute_distinct(gr);
}

static int chan_foreach(const struct grp_chan *c, int (*fn)(void *, const struct grp_group *),
			void *ctx)
{
	for (unsigned s = 1; s <= GRP_MAX_SIZE; s++)
		for (struct grp_group *gr = c->bucket[s]; gr; gr = gr->next) {
			int rc = fn(ctx, gr);

			if (rc)
				return rc;
		}
	return 0;
}

int grp_foreach(const grp *g, uint32_t channel, int (*fn)(void *ctx, const struct grp_group *gr),
		void *ctx)
{
	const struct grp_chan *c;
	size_t pos = 0;
	int rc;

	if (channel) {
		c = mg_idmap_get(&g->chans, channel);
		return c ? chan_foreach(c, fn, ctx) : 0;
	}
	while ((c = mg_idmap_next(&g->chans, &pos, NULL)))
		if ((rc = chan_foreach(c, fn, ctx)))
			return rc;
	return 0;
}

static void add_stats(const grp *g, const struct grp_chan *c, struct grp_stats *out)
{
	out->members += c->nmembers;
	out->distinct += c->ndistinct;
	for (unsigned s = 1; s <= GRP_MAX_SIZE; s++) {
		out->groups += c->hist[s];
		out->size_hist[s] += c->hist[s];
	}
	out->open += open_count(g, c);
}

void grp_stats(const grp *g, uint32_t channel, struct grp_stats *out)
{
	const struct grp_chan *c;
	size_t pos = 0;

	memset(out, 0, sizeof(*out));
	if (channel) {
		c = mg_idmap_get(&g->chans, channel);
		if (c)
			add_stats(g, c, out);
		return;
	}
	while ((c = mg_idmap_next(&g->chans, &pos, NULL)))
		add_stats(g, c, out);
}
