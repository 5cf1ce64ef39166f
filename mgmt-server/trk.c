/* trk: per-channel peer caches answering k nearest + l random peers, and
 * the hosting-node threshold. See trk.h. */
#include "config.h"

#include "trk.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mg_map.h"

struct trk_chan {
	uint32_t id;
	struct trk_peer **v;
	size_t n, cap;
	unsigned direct_used;
	unsigned direct_max; /* 0: the default */
};

struct trk {
	struct trk_params p;
	struct trk_ops ops;
	struct mg_idmap chans;
};

void trk_params_default(struct trk_params *p)
{
	p->near = 8;
	p->random = 3;
	p->scan_max = 4096;
	p->direct_max = 50;
}

int trk_params_check(const struct trk_params *p)
{
	if (!p || p->near > TRK_MAX_ANSWER || p->random > TRK_MAX_ANSWER || p->scan_max < 1)
		return -EINVAL;
	return 0;
}

trk *trk_new(const struct trk_params *p, const struct trk_ops *ops)
{
	trk *t;

	if (trk_params_check(p) < 0 || !ops || !ops->rand)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->p = *p;
	t->ops = *ops;
	return t;
}

void trk_free(trk *t)
{
	struct trk_chan *c;
	size_t pos = 0;

	if (!t)
		return;
	while ((c = mg_idmap_next(&t->chans, &pos, NULL))) {
		for (size_t i = 0; i < c->n; i++)
			c->v[i]->channel = 0;
		free(c->v);
		free(c);
	}
	mg_idmap_clear(&t->chans);
	free(t);
}

int trk_set_params(trk *t, const struct trk_params *p)
{
	if (trk_params_check(p) < 0)
		return -EINVAL;
	t->p = *p;
	return 0;
}

static struct trk_chan *chan_get(trk *t, uint32_t id, bool create)
{
	struct trk_chan *c = mg_idmap_get(&t->chans, id);

	if (c || !create)
		return c;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->id = id;
	if (mg_idmap_put(&t->chans, id, c) < 0) {
		free(c);
		return NULL;
	}
	return c;
}

void trk_remove(trk *t, struct trk_peer *p)
{
	struct trk_chan *c;

	if (!t || !p || !p->channel)
		return;
	c = mg_idmap_get(&t->chans, p->channel);
	if (c && p->idx < c->n && c->v[p->idx] == p) {
		c->v[p->idx] = c->v[--c->n];
		c->v[p->idx]->idx = p->idx;
		if (p->direct && c->direct_used)
			c->direct_used--;
		if (!c->n && !c->direct_max) {
			mg_idmap_del(&t->chans, c->id);
			free(c->v);
			free(c);
		}
	}
	p->channel = 0;
	p->direct = 0;
}

int trk_add(trk *t, struct trk_peer *p, uint32_t channel)
{
	struct trk_chan *c;

	if (!t || !p || !p->id || !channel)
		return -EINVAL;
	if (p->channel == channel)
		return 0;
	trk_remove(t, p);
	c = chan_get(t, channel, true);
	if (!c)
		return -ENOMEM;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct trk_peer **v = realloc(c->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		c->v = v;
		c->cap = cap;
	}
	p->idx = (uint32_t)c->n;
	c->v[c->n++] = p;
	p->channel = channel;
	return 0;
}

static unsigned common_bits(const uint8_t *a, const uint8_t *b, unsigned bytes)
{
	unsigned bits = 0;

	for (unsigned i = 0; i < bytes; i++) {
		uint8_t x = a[i] ^ b[i];

		if (!x) {
			bits += 8;
			continue;
		}
		while (!(x & 0x80)) {
			x <<= 1;
			bits++;
		}
		break;
	}
	return bits;
}

uint32_t trk_distance_us(const struct trk_peer *a, const struct trk_peer *b)
{
	uint32_t d;

	if (a->has6 && b->has6) {
		unsigned n = common_bits(a->addr6, b->addr6, 16);

		d = n >= 64 ? 500 : n >= 56 ? 1000 : n >= 48 ? 2000 : n >= 40 ? 5000 :
		    n >= 32 ? 10000 : 10000 + (32 - n) * 1000;
	} else if (a->has4 && b->has4) {
		unsigned n = common_bits(a->addr4, b->addr4, 4);

		d = n >= 24 ? 500 : n >= 16 ? 2000 : n >= 8 ? 10000 : 30000;
	} else {
		d = 50000;
	}
	if (a->metro && a->metro == b->metro && d > 2000)
		d = 2000;
	return d;
}

static uint32_t distance(const trk *t, const struct trk_peer *a, const struct trk_peer *b,
			 bool *measured)
{
	int64_t rtt = t->ops.rtt_us ? t->ops.rtt_us(t->ops.ctx, a, b) : -1;

	*measured = rtt >= 0;
	if (rtt >= 0)
		return rtt > UINT32_MAX ? UINT32_MAX : (uint32_t)rtt;
	return trk_distance_us(a, b);
}

/* Keep the k smallest distances seen, sorted, by insertion. */
static void keep_nearest(struct trk_answer *out, unsigned k, const struct trk_peer *q, uint32_t d,
			 bool measured)
{
	size_t i;

	if (out->nnear == k && d >= out->near_us[k - 1])
		return;
	i = out->nnear < k ? out->nnear++ : k - 1;
	for (; i > 0 && out->near_us[i - 1] > d; i--) {
		out->near[i] = out->near[i - 1];
		out->near_us[i] = out->near_us[i - 1];
		out->near_measured[i] = out->near_measured[i - 1];
	}
	out->near[i] = q;
	out->near_us[i] = d;
	out->near_measured[i] = measured;
}

static bool in_answer(const struct trk_answer *out, const struct trk_peer *q)
{
	for (size_t i = 0; i < out->nnear; i++)
		if (out->near[i] == q)
			return true;
	for (size_t i = 0; i < out->nrandom; i++)
		if (out->random[i] == q)
			return true;
	return false;
}

static void find_near(trk *t, const struct trk_chan *c, const struct trk_peer *p,
		      struct trk_answer *out)
{
	size_t scan = c->n < t->p.scan_max ? c->n : t->p.scan_max;
	size_t start = c->n > scan ? (size_t)(t->ops.rand(t->ops.ctx) % c->n) : 0;

	if (!t->p.near)
		return;
	for (size_t i = 0; i < scan; i++) {
		const struct trk_peer *q = c->v[(start + i) % c->n];
		bool measured;
		uint32_t d;

		if (q == p)
			continue;
		d = distance(t, p, q, &measured);
		keep_nearest(out, t->p.near, q, d, measured);
	}
}

static void find_random(trk *t, const struct trk_chan *c, const struct trk_peer *p,
			struct trk_answer *out)
{
	size_t others = c->n - 1 - out->nnear, want = t->p.random;

	if (want > others)
		want = others;
	for (unsigned tries = 0; out->nrandom < want && tries < 8 * want + 16; tries++) {
		const struct trk_peer *q = c->v[t->ops.rand(t->ops.ctx) % c->n];

		if (q != p && !in_answer(out, q))
			out->random[out->nrandom++] = q;
	}
}

int trk_query(trk *t, struct trk_peer *p, struct trk_answer *out)
{
	struct trk_chan *c = p && p->channel ? mg_idmap_get(&t->chans, p->channel) : NULL;

	memset(out, 0, sizeof(*out));
	if (!c)
		return -ENOENT;
	find_near(t, c, p, out);
	find_random(t, c, p, out);
	out->direct_max = c->direct_max ? c->direct_max : t->p.direct_max;
	if (!p->direct && c->direct_used < out->direct_max) {
		p->direct = 1;
		c->direct_used++;
	}
	out->direct = p->direct;
	out->direct_used = c->direct_used;
	out->peers = c->n;
	return 0;
}

void trk_set_direct_max(trk *t, uint32_t channel, unsigned max)
{
	struct trk_chan *c = chan_get(t, channel, max != 0);

	if (!c)
		return;
	c->direct_max = max;
	if (!c->n && !max) {
		mg_idmap_del(&t->chans, channel);
		free(c->v);
		free(c);
	}
}

size_t trk_channel_peers(const trk *t, uint32_t channel)
{
	const struct trk_chan *c = mg_idmap_get(&t->chans, channel);

	return c ? c->n : 0;
}
