/* peers: handles for UDP peers. See peers.h. */
#include "config.h"

#include "peers.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	struct sc_sockaddr addr;
	uint32_t gen;
	uint64_t used; /* tick of last use; 0: free */
	bool pinned;
	bool trusted;  /* from a list of the management server's, or proven */
};

struct peers {
	size_t cap;
	uint64_t tick;
	struct entry *e;
};

peers *peers_new(size_t cap)
{
	peers *p = calloc(1, sizeof(*p));

	if (cap < 8)
		cap = 8;
	if (!p || !(p->e = calloc(cap, sizeof(*p->e)))) {
		free(p);
		return NULL;
	}
	p->cap = cap;
	return p;
}

void peers_free(peers *p)
{
	if (!p)
		return;
	free(p->e);
	free(p);
}

void peers_to_v6(const struct sc_sockaddr *a, struct sc_sockaddr *out)
{
	*out = *a;
	if (a->u.sa.sa_family != AF_INET)
		return;
	memset(out, 0, sizeof(*out));
	out->u.in6.sin6_family = AF_INET6;
	out->u.in6.sin6_port = a->u.in4.sin_port;
	out->u.in6.sin6_addr.s6_addr[10] = 0xff;
	out->u.in6.sin6_addr.s6_addr[11] = 0xff;
	memcpy(&out->u.in6.sin6_addr.s6_addr[12], &a->u.in4.sin_addr, 4);
	out->len = sizeof(out->u.in6);
}

static uint64_t handle(const peers *p, size_t i)
{
	return ((uint64_t)p->e[i].gen << 32) | (uint64_t)(i + 1);
}

/* The entry of c (its use refreshed), or p->cap; *victim: the slot a new
 * entry would take (only a free or untrusted one when untrusted_only). */
static size_t find(peers *p, const struct sc_sockaddr *c, bool untrusted_only, size_t *victim)
{
	*victim = p->cap;
	for (size_t i = 0; i < p->cap; i++) {
		struct entry *e = &p->e[i];

		if (e->used && sc_addr_equal(&e->addr, c)) {
			e->used = p->tick;
			return i;
		}
		if (e->pinned || (untrusted_only && e->used && e->trusted))
			continue;
		if (*victim == p->cap || e->used < p->e[*victim].used)
			*victim = i;
	}
	return p->cap;
}

static uint64_t intern(peers *p, const struct sc_sockaddr *a, bool pin, bool trusted)
{
	struct sc_sockaddr c;
	size_t i, victim;

	if (!a->len || (a->u.sa.sa_family != AF_INET && a->u.sa.sa_family != AF_INET6))
		return 0;
	sc_addr_unmap(a, &c);
	p->tick++;
	i = find(p, &c, !trusted, &victim);
	if (i < p->cap) {
		p->e[i].pinned |= pin;
		p->e[i].trusted |= trusted;
		return handle(p, i);
	}
	if (victim == p->cap)
		return 0;
	p->e[victim].addr = c;
	p->e[victim].gen++;
	p->e[victim].used = p->tick;
	p->e[victim].pinned = pin;
	p->e[victim].trusted = trusted;
	return handle(p, victim);
}

uint64_t peers_intern(peers *p, const struct sc_sockaddr *a, bool pin)
{
	return intern(p, a, pin, true);
}

uint64_t peers_intern_src(peers *p, const struct sc_sockaddr *a)
{
	return intern(p, a, false, false);
}

void peers_trust(peers *p, uint64_t h)
{
	if (peers_get(p, h))
		p->e[(h & 0xffffffffu) - 1].trusted = true;
}

const struct sc_sockaddr *peers_get(const peers *p, uint64_t h)
{
	uint64_t i = (h & 0xffffffffu);

	if (i == 0 || i > p->cap)
		return NULL;
	if (!p->e[i - 1].used || p->e[i - 1].gen != (uint32_t)(h >> 32))
		return NULL;
	return &p->e[i - 1].addr;
}

void peers_unpin_all(peers *p)
{
	for (size_t i = 0; i < p->cap; i++)
		p->e[i].pinned = false;
}
