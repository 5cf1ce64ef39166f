/* rtx_ratelimit: token buckets and the bounded requester table. See
 * rtx_ratelimit.h. */
#include "config.h"

#include "rtx_ratelimit.h"

#include <stdlib.h>
#include <string.h>

#define NANO 1000000000ULL
#define WAYS 4

uint32_t rtx_bucket_take(struct rtx_bucket *b, uint32_t rate, uint32_t burst, uint64_t now_ns,
			 uint32_t n)
{
	uint64_t full = (uint64_t)burst * NANO, have;
	uint32_t got;

	if (!b->started) {
		b->started = true;
		b->nano_tokens = full;
		b->last_ns = now_ns;
	} else if (now_ns > b->last_ns) {
		uint64_t dt = now_ns - b->last_ns;

		/* dt * rate overflows only after centuries of idleness at any
		 * sane rate; clamp the idle time instead of trusting it. */
		if (dt > 1000 * NANO)
			dt = 1000 * NANO;
		b->nano_tokens += dt * rate;
		if (b->nano_tokens > full)
			b->nano_tokens = full;
		b->last_ns = now_ns;
	}
	have = b->nano_tokens / NANO;
	got = have < n ? (uint32_t)have : n;
	b->nano_tokens -= (uint64_t)got * NANO;
	return got;
}

struct rtx_ptab {
	uint32_t sets; /* power of two */
	struct rtx_peer_state *e;
};

struct rtx_ptab *rtx_ptab_new(uint32_t max_entries)
{
	struct rtx_ptab *t = calloc(1, sizeof(*t));
	uint32_t sets = 1;

	if (!t)
		return NULL;
	while (sets * WAYS < max_entries && sets < (1u << 24))
		sets <<= 1;
	t->sets = sets;
	t->e = calloc((size_t)sets * WAYS, sizeof(*t->e));
	if (!t->e) {
		free(t);
		return NULL;
	}
	return t;
}

void rtx_ptab_free(struct rtx_ptab *t)
{
	if (!t)
		return;
	free(t->e);
	free(t);
}

void rtx_ptab_clear(struct rtx_ptab *t)
{
	memset(t->e, 0, (size_t)t->sets * WAYS * sizeof(*t->e));
}

static struct rtx_peer_state *set_of(struct rtx_ptab *t, uint32_t id)
{
	uint32_t h = id * 0x9e3779b1u;

	return &t->e[(size_t)((h >> 8) & (t->sets - 1)) * WAYS];
}

struct rtx_peer_state *rtx_ptab_find(struct rtx_ptab *t, uint32_t sender_id)
{
	struct rtx_peer_state *set = set_of(t, sender_id);
	unsigned i;

	for (i = 0; i < WAYS; i++)
		if (set[i].sender_id == sender_id && sender_id != 0)
			return &set[i];
	return NULL;
}

struct rtx_peer_state *rtx_ptab_get(struct rtx_ptab *t, uint32_t sender_id, uint64_t now_ns)
{
	struct rtx_peer_state *set = set_of(t, sender_id), *victim = &set[0];
	unsigned i;

	for (i = 0; i < WAYS; i++) {
		if (set[i].sender_id == sender_id) {
			set[i].last_seen_ns = now_ns;
			return &set[i];
		}
		if (set[i].sender_id == 0)
			victim = &set[i];
		else if (victim->sender_id != 0 && set[i].last_seen_ns < victim->last_seen_ns)
			victim = &set[i];
	}
	memset(victim, 0, sizeof(*victim));
	victim->sender_id = sender_id;
	victim->last_seen_ns = now_ns;
	return victim;
}
