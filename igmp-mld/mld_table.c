/* mld_table: per (group, host) membership state built from the reports a
 * watcher sees. See mld_table.h.
 *
 * A chained hash table keyed by group and host; each entry holds its
 * sources as a sorted array, so that the set operations of the record types
 * are linear merges. Growth is bounded (entries, sources per entry), since
 * the input comes off the wire and anyone can forge a report. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mld_table.h"

#define INITIAL_BUCKETS 256u

struct entry {
	struct entry *next;
	struct mld_entry pub; /* pub.sources == srcs */
	struct mld_addr *srcs;
};

struct mld_table {
	struct entry **buckets;
	size_t nbuckets, count;
	size_t total_sources;
	mld_table_fn fn;
	void *arg;
	uint64_t max_age_ms;
};

/* A sorted, duplicate-free set of sources. */
struct srcset {
	struct mld_addr *v;
	size_t n;
};

static size_t hash(const struct mld_addr *g, const struct mld_addr *h)
{
	uint64_t x = 1469598103934665603ULL; /* FNV-1a */

	for (size_t i = 0; i < 16; i++)
		x = (x ^ g->bytes[i]) * 1099511628211ULL;
	for (size_t i = 0; i < 16; i++)
		x = (x ^ h->bytes[i]) * 1099511628211ULL;
	return (size_t)(x ^ (uint64_t)g->family ^ ((uint64_t)h->family << 8));
}

mld_table *mld_table_new(mld_table_fn fn, void *arg)
{
	mld_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->buckets = calloc(INITIAL_BUCKETS, sizeof(*t->buckets));
	if (!t->buckets) {
		free(t);
		return NULL;
	}
	t->nbuckets = INITIAL_BUCKETS;
	t->fn = fn;
	t->arg = arg;
	t->max_age_ms = MLD_TABLE_DEFAULT_MAX_AGE_MS;
	return t;
}

void mld_table_free(mld_table *t)
{
	if (!t)
		return;
	for (size_t b = 0; b < t->nbuckets; b++) {
		struct entry *e = t->buckets[b], *next;

		for (; e; e = next) {
			next = e->next;
			free(e->srcs);
			free(e);
		}
	}
	free(t->buckets);
	free(t);
}

static struct entry **slot(const mld_table *t, const struct mld_addr *g, const struct mld_addr *h)
{
	struct entry **pp = &t->buckets[hash(g, h) & (t->nbuckets - 1)];

	for (; *pp; pp = &(*pp)->next)
		if (mld_addr_equal(&(*pp)->pub.group, g) && mld_addr_equal(&(*pp)->pub.host, h))
			break;
	return pp;
}

const struct mld_entry *mld_table_find(const mld_table *t, const struct mld_addr *group,
				       const struct mld_addr *host)
{
	struct entry *e = *slot(t, group, host);

	return e ? &e->pub : NULL;
}

/* Double the buckets when the chains get long; a failed allocation just
 * keeps the longer chains. */
static void maybe_grow(mld_table *t)
{
	size_t n = t->nbuckets * 2;
	struct entry **nb;

	if (t->count < t->nbuckets)
		return;
	nb = calloc(n, sizeof(*nb));
	if (!nb)
		return;
	for (size_t b = 0; b < t->nbuckets; b++) {
		struct entry *e = t->buckets[b], *next;

		for (; e; e = next) {
			size_t i = hash(&e->pub.group, &e->pub.host) & (n - 1);

			next = e->next;
			e->next = nb[i];
			nb[i] = e;
		}
	}
	free(t->buckets);
	t->buckets = nb;
	t->nbuckets = n;
}

static void notify(mld_table *t, enum mld_change c, const struct entry *e)
{
	if (t->fn)
		t->fn(t->arg, c, &e->pub);
}

static void remove_entry(mld_table *t, struct entry **pp, enum mld_change why)
{
	struct entry *e = *pp;

	notify(t, why, e);
	t->total_sources -= e->pub.n_sources;
	*pp = e->next;
	free(e->srcs);
	free(e);
	t->count--;
}

static int cmp_addr(const void *a, const void *b)
{
	return mld_addr_cmp(a, b);
}

/* The record's sources, sorted and unique, at most MLD_TABLE_MAX_SOURCES. */
static int record_sources(const struct mld_record *r, struct srcset *s)
{
	size_t n = r->n_sources < MLD_TABLE_MAX_SOURCES ? r->n_sources : MLD_TABLE_MAX_SOURCES;
	size_t out = 0;

	s->n = 0;
	s->v = NULL;
	if (n == 0)
		return 0;
	s->v = malloc(n * sizeof(*s->v));
	if (!s->v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		mld_record_source(r, i, &s->v[i]);
	qsort(s->v, n, sizeof(*s->v), cmp_addr);
	for (size_t i = 0; i < n; i++)
		if (out == 0 || !mld_addr_equal(&s->v[out - 1], &s->v[i]))
			s->v[out++] = s->v[i];
	s->n = out;
	return 0;
}

/* out = a op b over sorted sets; op '+' union, '-' difference. */
static int set_merge(const struct srcset *a, const struct srcset *b, char op, struct srcset *out)
{
	size_t i = 0, j = 0, n = 0, cap = a->n + (op == '+' ? b->n : 0);

	out->n = 0;
	out->v = NULL;
	if (cap > MLD_TABLE_MAX_SOURCES)
		cap = MLD_TABLE_MAX_SOURCES;
	if (cap == 0)
		return 0;
	out->v = malloc(cap * sizeof(*out->v));
	if (!out->v)
		return -ENOMEM;
	while ((i < a->n || j < b->n) && n < cap) {
		int c = i == a->n ? 1 : j == b->n ? -1 : mld_addr_cmp(&a->v[i], &b->v[j]);

		if (c < 0)
			out->v[n++] = a->v[i++];
		else if (c > 0) {
			if (op == '+')
				out->v[n++] = b->v[j];
			j++;
		} else {
			if (op == '+')
				out->v[n++] = a->v[i];
			i++, j++;
		}
	}
	out->n = n;
	return 0;
}

static bool same_state(const struct entry *e, enum mld_mode mode, const struct srcset *s)
{
	if (e->pub.mode != mode || e->pub.n_sources != s->n)
		return false;
	for (size_t i = 0; i < s->n; i++)
		if (!mld_addr_equal(&e->srcs[i], &s->v[i]))
			return false;
	return true;
}

/* Give e the state (mode, s); takes s over, cut to what the table-wide
 * budget of sources allows. Returns 1 when it changed. */
static int set_state(mld_table *t, struct entry *e, enum mld_mode mode, struct srcset *s)
{
	size_t others = t->total_sources - e->pub.n_sources;
	int changed;

	if (s->n > MLD_TABLE_MAX_TOTAL_SOURCES - others)
		s->n = MLD_TABLE_MAX_TOTAL_SOURCES - others;
	changed = !same_state(e, mode, s);
	t->total_sources = others + s->n;

	free(e->srcs);
	e->srcs = s->v;
	e->pub.sources = s->v;
	e->pub.n_sources = s->n;
	e->pub.mode = mode;
	s->v = NULL;
	return changed;
}

static struct entry *add_entry(mld_table *t, const struct mld_msg *m, const struct mld_addr *g,
			       uint64_t now)
{
	struct entry *e;
	struct entry **pp;

	if (t->count >= MLD_TABLE_MAX_ENTRIES)
		return NULL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->pub.group = *g;
	e->pub.host = m->src;
	e->pub.first_ms = now;
	e->pub.mode = MLD_MODE_INCLUDE;
	pp = &t->buckets[hash(g, &m->src) & (t->nbuckets - 1)];
	e->next = *pp;
	*pp = e;
	t->count++;
	return e;
}

/* The new (mode, sources) of an entry in (mode, cur) after a record of
 * type with sources s. Returns 0 and fills out, 1 when the record means
 * "remove the entry" (INCLUDE {}), or -ENOMEM. */
static int next_state(unsigned type, enum mld_mode mode, const struct srcset *cur,
		      const struct srcset *s, enum mld_mode *nmode, struct srcset *out)
{
	static const struct srcset none;
	int rc;

	switch (type) {
	case MLD_REC_IS_IN:
	case MLD_REC_TO_IN:
		*nmode = MLD_MODE_INCLUDE;
		rc = set_merge(s, &none, '-', out);
		break;
	case MLD_REC_IS_EX:
	case MLD_REC_TO_EX:
		*nmode = MLD_MODE_EXCLUDE;
		rc = set_merge(s, &none, '-', out);
		break;
	case MLD_REC_ALLOW: /* INCLUDE: more sources wanted; EXCLUDE: fewer refused */
		*nmode = mode;
		rc = set_merge(cur, s, mode == MLD_MODE_INCLUDE ? '+' : '-', out);
		break;
	default: /* MLD_REC_BLOCK: the reverse */
		*nmode = mode;
		rc = set_merge(cur, s, mode == MLD_MODE_INCLUDE ? '-' : '+', out);
		break;
	}
	if (rc < 0)
		return rc;
	return *nmode == MLD_MODE_INCLUDE && out->n == 0 ? 1 : 0;
}

static void refresh(struct entry *e, const struct mld_msg *m, uint64_t now)
{
	e->pub.last_ms = now;
	e->pub.version = m->version;
	if (m->has_mac) {
		e->pub.has_mac = true;
		memcpy(e->pub.mac, m->src_mac, 6);
	}
}

/* One record of host m->src. Returns the number of changes (0 or 1),
 * -ENOSPC when a new entry was refused, or -ENOMEM. */
static int apply_record(mld_table *t, const struct mld_msg *m, const struct mld_record *r,
			uint64_t now)
{
	struct entry **pp, *e;
	struct srcset s, cur, out;
	enum mld_mode nmode;
	int rc, changed;

	if (r->type < MLD_REC_IS_IN || r->type > MLD_REC_BLOCK)
		return 0; /* RFC 3810 5.2.12: ignore unknown record types */
	maybe_grow(t);
	pp = slot(t, &r->group, &m->src);
	e = *pp;
	rc = record_sources(r, &s);
	if (rc < 0)
		return rc;
	cur.v = e ? e->srcs : NULL;
	cur.n = e ? e->pub.n_sources : 0;
	rc = next_state(r->type, e ? e->pub.mode : MLD_MODE_INCLUDE, &cur, &s, &nmode, &out);
	free(s.v);
	if (rc != 0) {
		free(out.v);
		if (rc < 0 || !e)
			return rc < 0 ? rc : 0;
		remove_entry(t, pp, MLD_CHANGE_LEAVE);
		return 1;
	}
	if (!e) {
		e = add_entry(t, m, &r->group, now);
		if (!e) {
			free(out.v);
			return -ENOSPC;
		}
		set_state(t, e, nmode, &out);
		refresh(e, m, now);
		notify(t, MLD_CHANGE_JOIN, e);
		return 1;
	}
	changed = set_state(t, e, nmode, &out);
	refresh(e, m, now);
	if (changed)
		notify(t, MLD_CHANGE_UPDATE, e);
	return changed;
}

int mld_table_apply(mld_table *t, const struct mld_msg *m, uint64_t now_ms)
{
	struct mld_record r;
	size_t pos = 0;
	int rc, changes = 0, refused = 0;

	if (m->kind == MLD_KIND_QUERY) {
		/* RFC 3810 9.4: MALI = QRV x QQI + QRI, from general queries. */
		if (mld_addr_is_unspecified(&m->group) && m->version >= 2 && m->qqi_s > 0)
			t->max_age_ms = (uint64_t)(m->qrv ? m->qrv : 2) * m->qqi_s * 1000 + m->max_resp_ms;
		return 0;
	}
	while (mld_msg_next_record(m, &pos, &r) > 0) {
		rc = apply_record(t, m, &r, now_ms);
		if (rc == -ENOSPC)
			refused = 1;
		else if (rc < 0)
			return rc;
		else
			changes += rc;
	}
	return refused ? -ENOSPC : changes;
}

int mld_table_expire(mld_table *t, uint64_t now_ms)
{
	int n = 0;

	for (size_t b = 0; b < t->nbuckets; b++) {
		struct entry **pp = &t->buckets[b];

		while (*pp) {
			if (now_ms > (*pp)->pub.last_ms && now_ms - (*pp)->pub.last_ms > t->max_age_ms) {
				remove_entry(t, pp, MLD_CHANGE_EXPIRE);
				n++;
			} else {
				pp = &(*pp)->next;
			}
		}
	}
	return n;
}

uint64_t mld_table_max_age_ms(const mld_table *t)
{
	return t->max_age_ms;
}

size_t mld_table_count(const mld_table *t)
{
	return t->count;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct mld_entry *x = *(const struct mld_entry *const *)a;
	const struct mld_entry *y = *(const struct mld_entry *const *)b;
	int c = mld_addr_cmp(&x->group, &y->group);

	return c ? c : mld_addr_cmp(&x->host, &y->host);
}

int mld_table_foreach(const mld_table *t, mld_table_visit_fn fn, void *arg)
{
	const struct mld_entry **v;
	size_t n = 0;
	int rc = 0;

	if (t->count == 0)
		return 0;
	v = malloc(t->count * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t b = 0; b < t->nbuckets; b++)
		for (const struct entry *e = t->buckets[b]; e; e = e->next)
			v[n++] = &e->pub;
	qsort(v, n, sizeof(*v), cmp_entry);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = fn(arg, v[i]);
	free(v);
	return rc;
}
