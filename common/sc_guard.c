/* sc_guard: connection limits and request deadlines; see sc_guard.h.
 *
 * Each connection sits in at most one deadline list (READING its first
 * request, or KEPT alive waiting for the next) and, unless held, in the
 * IDLE list. A list's timeout is the same for all its members and members
 * join at the tail with the current time, so every list is ordered by
 * deadline and only heads are ever looked at: O(1) per event. Counting
 * connections per address goes through a hash table keyed with a random
 * seed, so that a remote party cannot aim its addresses at one chain. */
#include "config.h"

#include "sc_guard.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#define KEYLEN 17 /* family, then the address (IPv4 in the first 4 bytes) */
#define LOG_EVERY_NS (10 * SC_NS_PER_S)

enum { L_READING, L_KEPT, L_IDLE, NLISTS };
enum { N_ADDR, N_FULL, N_EVICT, N_TIMEOUT, N_IDLE, NNOTES };

struct link {
	sc_guard_conn *prev, *next;
};

struct list {
	sc_guard_conn *head, *tail;
};

struct sc_guard_conn {
	sc_guard *g;
	void *conn;
	uint8_t key[KEYLEN];
	sc_guard_conn *hnext; /* hash chain */
	struct link ln[2];    /* [0]: READING or KEPT, [1]: IDLE */
	int dlist;            /* L_READING, L_KEPT, or -1 */
	bool in_idle, held, closing;
	uint64_t since, last; /* deadline list start, last activity */
};

struct sc_guard {
	sc_loop *loop;
	sc_timer *timer;
	struct sc_guard_limits lim;
	char name[32];
	sc_guard_close_fn fn;
	void *arg;
	struct sc_logger lg;
	struct list lists[NLISTS];
	sc_guard_conn **buckets;
	size_t nbuckets; /* a power of two */
	uint64_t seed;
	uint64_t armed_at; /* what timer is armed for, when armed */
	unsigned live;   /* open and not being closed */
	struct sc_guard_stats st;
	struct sc_lograte notes[NNOTES];
};

static uint64_t now(const sc_guard *g)
{
	return sc_clock_now_ns(sc_loop_clock(g->loop));
}

static uint64_t timeout_of(const sc_guard *g, int list)
{
	return list == L_READING ? g->lim.request_ns : list == L_KEPT ? g->lim.keep_ns : g->lim.idle_ns;
}

/* Have the timer fire by when. Members only ever join a list at its
 * tail, so an armed timer is moved only for a list that was empty or
 * slower; one left armed for a connection gone fires early, once. */
static void wake_by(sc_guard *g, uint64_t when)
{
	if (!sc_timer_armed(g->timer) || when < g->armed_at) {
		sc_timer_arm_at(g->timer, when);
		g->armed_at = when;
	}
}

/* --- the lists --- */

static int link_of(int list)
{
	return list == L_IDLE;
}

static void list_push(sc_guard *g, int list, sc_guard_conn *c)
{
	struct list *l = &g->lists[list];
	struct link *k = &c->ln[link_of(list)];

	k->prev = l->tail;
	k->next = NULL;
	if (l->tail)
		l->tail->ln[link_of(list)].next = c;
	else
		l->head = c;
	l->tail = c;
}

static void list_del(sc_guard *g, int list, sc_guard_conn *c)
{
	struct list *l = &g->lists[list];
	struct link *k = &c->ln[link_of(list)];

	if (k->prev)
		k->prev->ln[link_of(list)].next = k->next;
	else
		l->head = k->next;
	if (k->next)
		k->next->ln[link_of(list)].prev = k->prev;
	else
		l->tail = k->prev;
	k->prev = k->next = NULL;
}

static void set_dlist(sc_guard_conn *c, int list)
{
	if (c->dlist >= 0)
		list_del(c->g, c->dlist, c);
	c->dlist = list;
	if (list >= 0) {
		c->since = now(c->g);
		list_push(c->g, list, c);
		if (timeout_of(c->g, list))
			wake_by(c->g, c->since + timeout_of(c->g, list));
	}
}

static void set_idle(sc_guard_conn *c, bool on)
{
	if (c->in_idle)
		list_del(c->g, L_IDLE, c);
	c->in_idle = on;
	if (on) {
		c->last = now(c->g);
		list_push(c->g, L_IDLE, c);
		if (c->g->lim.idle_ns)
			wake_by(c->g, c->last + c->g->lim.idle_ns);
	}
}

/* --- addresses --- */

static void addr_key(const struct sc_sockaddr *a, uint8_t key[KEYLEN])
{
	memset(key, 0, KEYLEN);
	if (sc_addr_family(a) == AF_INET6 && !IN6_IS_ADDR_V4MAPPED(&a->u.in6.sin6_addr)) {
		key[0] = 6;
		memcpy(key + 1, a->u.in6.sin6_addr.s6_addr, 16);
	} else if (sc_addr_family(a) == AF_INET6) {
		key[0] = 4;
		memcpy(key + 1, a->u.in6.sin6_addr.s6_addr + 12, 4);
	} else if (sc_addr_family(a) == AF_INET) {
		key[0] = 4;
		memcpy(key + 1, &a->u.in4.sin_addr, 4);
	}
}

static void key_format(const uint8_t key[KEYLEN], char *buf, size_t len)
{
	if (!inet_ntop(key[0] == 6 ? AF_INET6 : AF_INET, key + 1, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

static size_t bucket_of(const sc_guard *g, const uint8_t key[KEYLEN])
{
	uint64_t a, b, h;

	memcpy(&a, key + 1, 8);
	memcpy(&b, key + 9, 8);
	h = mix(g->seed ^ key[0]);
	h = mix(h ^ a);
	h = mix(h ^ b);
	return (size_t)h & (g->nbuckets - 1);
}

static unsigned count_addr(const sc_guard *g, const uint8_t key[KEYLEN])
{
	unsigned n = 0;

	for (sc_guard_conn *c = g->buckets[bucket_of(g, key)]; c; c = c->hnext)
		n += !c->closing && memcmp(c->key, key, KEYLEN) == 0;
	return n;
}

static void hash_del(sc_guard_conn *c)
{
	sc_guard_conn **p = &c->g->buckets[bucket_of(c->g, c->key)];

	while (*p && *p != c)
		p = &(*p)->hnext;
	if (*p)
		*p = c->hnext;
}

/* --- logging and closing --- */

static void note(sc_guard *g, int kind, const uint8_t key[KEYLEN])
{
	static const char *const what[NNOTES] = {
		[N_ADDR] = "refused a connection over the per-address limit",
		[N_FULL] = "refused a connection: every slot is busy serving",
		[N_EVICT] = "closed the connection reading its request the longest, to make room",
		[N_TIMEOUT] = "closed a connection whose request did not arrive in time",
		[N_IDLE] = "closed an idle connection",
	};
	char a[INET6_ADDRSTRLEN], more[64] = "";
	uint64_t quiet;

	if (!sc_lograte_ok(&g->notes[kind], now(g), LOG_EVERY_NS, &quiet))
		return;
	key_format(key, a, sizeof(a));
	if (quiet)
		snprintf(more, sizeof(more), " (and %llu more in the last %llu s)", (unsigned long long)quiet,
			 (unsigned long long)(LOG_EVERY_NS / SC_NS_PER_S));
	sc_logf(&g->lg, kind == N_IDLE ? LOG_INFO : LOG_WARNING, "%s: %s, from %s%s", g->name, what[kind], a, more);
}

static void close_conn(sc_guard_conn *c, enum sc_guard_why why)
{
	sc_guard *g = c->g;

	set_dlist(c, -1);
	set_idle(c, false);
	c->closing = true;
	g->live--;
	if (why == SC_GUARD_EVICTED) {
		g->st.evicted++;
		note(g, N_EVICT, c->key);
	} else if (why == SC_GUARD_REQUEST_TIMEOUT) {
		g->st.request_timeouts++;
		note(g, N_TIMEOUT, c->key);
	} else {
		g->st.idle_timeouts++;
		note(g, N_IDLE, c->key);
	}
	/* c may be freed from here on (the server removes it at once). */
	g->fn(g->arg, c->conn, why);
}

/* --- deadlines --- */

/* When the head of a list is due; false for an empty or untimed list. */
static bool deadline(const sc_guard *g, int list, uint64_t *when)
{
	const sc_guard_conn *c = g->lists[list].head;
	uint64_t lim = timeout_of(g, list);

	if (!c || !lim)
		return false;
	*when = (list == L_IDLE ? c->last : c->since) + lim;
	return true;
}

static void schedule(sc_guard *g)
{
	uint64_t first = UINT64_MAX, when;

	for (int l = 0; l < NLISTS; l++)
		if (deadline(g, l, &when) && when < first)
			first = when;
	if (first == UINT64_MAX) {
		sc_timer_stop(g->timer);
	} else {
		sc_timer_arm_at(g->timer, first);
		g->armed_at = first;
	}
}

static void on_timer(void *arg)
{
	static const enum sc_guard_why why[NLISTS] = { SC_GUARD_REQUEST_TIMEOUT, SC_GUARD_IDLE, SC_GUARD_IDLE };
	sc_guard *g = arg;
	uint64_t t = now(g), when;

	/* Requests first: a reader past both deadlines is a request timeout. */
	for (int l = 0; l < NLISTS; l++)
		while (deadline(g, l, &when) && when <= t)
			close_conn(g->lists[l].head, why[l]);
	schedule(g);
}

/* --- the interface --- */

static size_t buckets_for(unsigned max_conns)
{
	size_t n = 64;

	while (n < max_conns && n < (1u << 16))
		n *= 2;
	return max_conns ? n : 1024;
}

int sc_guard_new(sc_loop *loop, const struct sc_guard_limits *lim, const char *name, sc_guard_close_fn fn,
		 void *arg, const struct sc_logger *lg, sc_guard **out)
{
	sc_guard *g = calloc(1, sizeof(*g));

	*out = NULL;
	if (!g)
		return -ENOMEM;
	g->loop = loop;
	g->lim = *lim;
	g->fn = fn;
	g->arg = arg;
	if (lg)
		g->lg = *lg;
	snprintf(g->name, sizeof(g->name), "%s", name ? name : "http");
	g->nbuckets = buckets_for(lim->max_conns);
	g->buckets = calloc(g->nbuckets, sizeof(*g->buckets));
	g->timer = sc_timer_new(loop, on_timer, g);
	if (getrandom(&g->seed, sizeof(g->seed), GRND_NONBLOCK) != (ssize_t)sizeof(g->seed))
		g->seed = mix(sc_clock_now_ns(sc_clock_system()) ^ (uint64_t)getpid() ^ (uint64_t)(uintptr_t)g);
	if (!g->buckets || !g->timer) {
		sc_guard_free(g);
		return -ENOMEM;
	}
	*out = g;
	return 0;
}

void sc_guard_free(sc_guard *g)
{
	if (!g)
		return;
	for (size_t b = 0; g->buckets && b < g->nbuckets; b++)
		while (g->buckets[b]) {
			sc_guard_conn *c = g->buckets[b];

			g->buckets[b] = c->hnext;
			free(c);
		}
	sc_timer_free(g->timer);
	free(g->buckets);
	free(g);
}

void sc_guard_set_limits(sc_guard *g, const struct sc_guard_limits *lim)
{
	g->lim = *lim;
	schedule(g);
}

const struct sc_guard_limits *sc_guard_limits(const sc_guard *g)
{
	return &g->lim;
}

int sc_guard_check(sc_guard *g, const struct sc_sockaddr *peer)
{
	uint8_t key[KEYLEN];
	sc_guard_conn *victim;

	addr_key(peer, key);
	if (g->lim.per_addr && count_addr(g, key) >= g->lim.per_addr) {
		g->st.refused_addr++;
		note(g, N_ADDR, key);
		return -EBUSY;
	}
	if (!g->lim.max_conns || g->live < g->lim.max_conns)
		return 0;
	victim = g->lists[L_READING].head ? g->lists[L_READING].head : g->lists[L_KEPT].head;
	if (!victim) {
		g->st.refused_full++;
		note(g, N_FULL, key);
		return -ENOSPC;
	}
	close_conn(victim, SC_GUARD_EVICTED);
	return 0;
}

sc_guard_conn *sc_guard_add(sc_guard *g, const struct sc_sockaddr *peer, void *conn)
{
	sc_guard_conn *c = calloc(1, sizeof(*c));
	size_t b;

	if (!c)
		return NULL;
	c->g = g;
	c->conn = conn;
	c->dlist = -1;
	addr_key(peer, c->key);
	b = bucket_of(g, c->key);
	c->hnext = g->buckets[b];
	g->buckets[b] = c;
	g->live++;
	g->st.open++;
	g->st.accepted++;
	set_dlist(c, L_READING);
	set_idle(c, true);
	return c;
}

int sc_guard_admit(sc_guard *g, const struct sc_sockaddr *peer, void *conn, sc_guard_conn **out)
{
	int rc = sc_guard_check(g, peer);

	*out = NULL;
	if (rc < 0)
		return rc;
	*out = sc_guard_add(g, peer, conn);
	return *out ? 0 : -ENOMEM;
}

void sc_guard_request_done(sc_guard_conn *c)
{
	if (c && !c->closing && c->dlist >= 0)
		set_dlist(c, -1);
}

void sc_guard_request_next(sc_guard_conn *c)
{
	if (c && !c->closing)
		set_dlist(c, L_KEPT);
}

void sc_guard_touch(sc_guard_conn *c)
{
	/* O(1): this runs for every packet of a stream. */
	if (c && c->in_idle)
		set_idle(c, true);
}

void sc_guard_hold(sc_guard_conn *c, bool hold)
{
	if (!c || c->closing || c->held == hold)
		return;
	c->held = hold;
	set_idle(c, !hold);
}

void sc_guard_remove(sc_guard_conn *c)
{
	sc_guard *g;

	if (!c)
		return;
	g = c->g;
	set_dlist(c, -1);
	set_idle(c, false);
	hash_del(c);
	if (!c->closing)
		g->live--;
	g->st.open--;
	free(c);
}

const struct sc_guard_stats *sc_guard_stats(const sc_guard *g)
{
	return &g->st;
}

int sc_guard_metrics(const struct sc_guard_stats *st, const char *p, char *buf, size_t len)
{
	return snprintf(buf, len,
			"# HELP %s_connections HTTP connections open.\n# TYPE %s_connections gauge\n%s_connections %u\n"
			"# TYPE %s_accepted_total counter\n%s_accepted_total %llu\n"
			"# HELP %s_refused_total HTTP connections refused by the limits.\n"
			"# TYPE %s_refused_total counter\n%s_refused_total{reason=\"per_address\"} %llu\n"
			"%s_refused_total{reason=\"full\"} %llu\n"
			"# HELP %s_closed_total HTTP connections closed by the limits.\n"
			"# TYPE %s_closed_total counter\n%s_closed_total{reason=\"request_timeout\"} %llu\n"
			"%s_closed_total{reason=\"evicted\"} %llu\n%s_closed_total{reason=\"idle\"} %llu\n",
			p, p, p, st->open, p, p, (unsigned long long)st->accepted, p, p, p,
			(unsigned long long)st->refused_addr, p, (unsigned long long)st->refused_full, p, p, p,
			(unsigned long long)st->request_timeouts, p, (unsigned long long)st->evicted, p,
			(unsigned long long)st->idle_timeouts);
}
