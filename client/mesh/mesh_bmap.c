/* mesh_bmap: sliding bit windows and the media buffer. See mesh_bmap.h. */
#include "config.h"

#include "mesh_bmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MASK (MESH_BMAP_BITS - 1)

void mesh_bmap_clear(struct mesh_bmap *m)
{
	memset(m, 0, sizeof(*m));
}

static void clear_bit(struct mesh_bmap *m, uint64_t seq)
{
	unsigned i = (unsigned)(seq & MASK);

	m->w[i / 64] &= ~(1ULL << (i % 64));
}

/* Slide the window up so that it ends at seq, clearing what enters it. */
static void slide(struct mesh_bmap *m, uint64_t seq)
{
	uint64_t s;

	if (seq - m->newest >= MESH_BMAP_BITS) {
		memset(m->w, 0, sizeof(m->w));
	} else {
		for (s = m->newest + 1; s <= seq; s++) {
			unsigned i = (unsigned)(s & MASK);

			if (i % 64 == 0 && seq - s >= 63) {
				m->w[i / 64] = 0;
				s += 63;
				continue;
			}
			clear_bit(m, s);
		}
	}
	m->newest = seq;
}

int mesh_bmap_set(struct mesh_bmap *m, uint64_t seq)
{
	unsigned i;

	if (!m->any) {
		memset(m->w, 0, sizeof(m->w));
		m->any = true;
		m->newest = seq;
	} else if (seq > m->newest) {
		slide(m, seq);
	} else if (m->newest - seq >= MESH_BMAP_BITS) {
		return -ERANGE;
	}
	i = (unsigned)(seq & MASK);
	m->w[i / 64] |= 1ULL << (i % 64);
	return 0;
}

void mesh_bmap_unset(struct mesh_bmap *m, uint64_t seq)
{
	if (m->any && seq <= m->newest && m->newest - seq < MESH_BMAP_BITS)
		clear_bit(m, seq);
}

bool mesh_bmap_test(const struct mesh_bmap *m, uint64_t seq)
{
	unsigned i;

	if (!m->any || seq > m->newest || m->newest - seq >= MESH_BMAP_BITS)
		return false;
	i = (unsigned)(seq & MASK);
	return (m->w[i / 64] >> (i % 64)) & 1;
}

uint64_t mesh_bmap_oldest(const struct mesh_bmap *m)
{
	if (!m->any)
		return 0;
	return m->newest >= MESH_BMAP_BITS - 1 ? m->newest - (MESH_BMAP_BITS - 1) : 0;
}

void mesh_bmap_export(const struct mesh_bmap *m, uint64_t start, unsigned nbits, uint8_t *out)
{
	unsigned i;

	memset(out, 0, (nbits + 7) / 8);
	for (i = 0; i < nbits; i++)
		if (mesh_bmap_test(m, start + i))
			out[i >> 3] |= (uint8_t)(0x80u >> (i & 7));
}

void mesh_bmap_merge(struct mesh_bmap *m, uint64_t start, unsigned nbits, const uint8_t *bits)
{
	unsigned i;

	for (i = nbits; i-- > 0;)
		if ((bits[i >> 3] << (i & 7)) & 0x80)
			mesh_bmap_set(m, start + i);
}

unsigned mesh_bmap_count(const struct mesh_bmap *m, uint64_t lo, uint64_t hi)
{
	unsigned n = 0;
	uint64_t s;

	if (!m->any || lo > hi)
		return 0;
	if (hi > m->newest)
		hi = m->newest;
	if (lo < mesh_bmap_oldest(m))
		lo = mesh_bmap_oldest(m);
	for (s = lo; s <= hi && lo <= hi; s++)
		n += mesh_bmap_test(m, s);
	return n;
}

int mesh_buf_init(struct mesh_buf *b, unsigned cap)
{
	memset(b, 0, sizeof(*b));
	if (cap < 16 || cap > MESH_BMAP_BITS || (cap & (cap - 1)))
		return -EINVAL;
	b->slot = calloc(cap, sizeof(*b->slot));
	if (!b->slot)
		return -ENOMEM;
	b->cap = cap;
	return 0;
}

void mesh_buf_fini(struct mesh_buf *b)
{
	unsigned i;

	if (!b->slot)
		return;
	for (i = 0; i < b->cap; i++)
		free(b->slot[i].data);
	free(b->slot);
	b->slot = NULL;
}

void mesh_buf_reset(struct mesh_buf *b)
{
	unsigned i;

	mesh_bmap_clear(&b->have);
	for (i = 0; i < b->cap; i++)
		b->slot[i].used = false;
}

void mesh_buf_release(struct mesh_buf *b)
{
	unsigned i;

	mesh_buf_reset(b);
	for (i = 0; i < b->cap; i++) {
		free(b->slot[i].data);
		b->slot[i].data = NULL;
		b->slot[i].cap = 0;
	}
}

uint64_t mesh_buf_oldest(const struct mesh_buf *b)
{
	if (!b->have.any)
		return 0;
	return b->have.newest >= b->cap - 1 ? b->have.newest - (b->cap - 1) : 0;
}

int mesh_buf_put(struct mesh_buf *b, uint64_t seq, const uint8_t *pkt, size_t len, uint64_t src_ts,
		 uint64_t now_ns)
{
	struct mesh_slot *s = &b->slot[seq & (b->cap - 1)];

	if (len > UINT16_MAX)
		return -EMSGSIZE;
	if (b->have.any && seq <= b->have.newest && b->have.newest - seq >= b->cap)
		return -ERANGE;
	if (mesh_bmap_test(&b->have, seq))
		return -EALREADY;
	if (s->cap < len) {
		uint8_t *d = realloc(s->data, len);

		if (!d)
			return -ENOMEM;
		s->data = d;
		s->cap = (uint16_t)len;
	}
	/* the slot's previous packet leaves the map with it */
	if (s->used && s->seq != seq)
		mesh_bmap_unset(&b->have, s->seq);
	mesh_bmap_set(&b->have, seq);
	memcpy(s->data, pkt, len);
	s->len = (uint16_t)len;
	s->seq = seq;
	s->src_ts = src_ts;
	s->arrival_ns = now_ns;
	s->used = true;
	return 0;
}

bool mesh_buf_has(const struct mesh_buf *b, uint64_t seq)
{
	return seq >= mesh_buf_oldest(b) && mesh_bmap_test(&b->have, seq);
}

const struct mesh_slot *mesh_buf_get(const struct mesh_buf *b, uint64_t seq)
{
	const struct mesh_slot *s = &b->slot[seq & (b->cap - 1)];

	if (!s->used || s->seq != seq || !mesh_bmap_test(&b->have, seq))
		return NULL;
	if (seq < mesh_buf_oldest(b))
		return NULL;
	return s;
}
