/* peers: the box's table of UDP peers (group members, RET servers, boxes
 * that ask us for repairs), so that the retransmit library can address
 * them by an opaque 64-bit handle and the daemon can turn a handle back
 * into a socket address.
 *
 * Addresses are kept in one canonical form: IPv4-mapped IPv6 addresses
 * (what a dual-stack socket reports for IPv4 peers) become plain IPv4, so
 * the same box is one entry however it was learned. A handle carries the
 * slot's generation, so a handle to an evicted entry resolves to nothing
 * rather than to its successor. Pinned entries (the current group and RET
 * servers) are never evicted; the others are reused least recently used
 * first. An entry made for the source of a datagram not yet authenticated
 * is untrusted: it takes the place of another untrusted one only (a flood
 * of datagrams from made-up sources must not push out the mesh peers), and
 * becomes trusted once a datagram from it was used (peers_trust()). */
#ifndef PEERS_H
#define PEERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sc_addr.h"

typedef struct peers peers;

/* A table of cap entries (at least 8). NULL when out of memory. */
peers *peers_new(size_t cap);
void peers_free(peers *p);

/* The handle of a, adding it when new (evicting the least recently used
 * unpinned entry when full). pin keeps it until peers_unpin_all(). Returns
 * a handle > 0, or 0 when a is unusable or every entry is pinned. */
uint64_t peers_intern(peers *p, const struct sc_sockaddr *a, bool pin);

/* The handle of the source of a datagram not yet authenticated: its entry,
 * or a new untrusted one (evicting only an untrusted entry, or a free
 * slot). Returns a handle > 0, or 0 when a is unusable or no untrusted
 * entry can make room. */
uint64_t peers_intern_src(peers *p, const struct sc_sockaddr *a);
/* A datagram from h authenticated and was used: h is trusted from now. */
void peers_trust(peers *p, uint64_t h);

/* The address of handle h, or NULL when h is unknown or stale. The pointer
 * is valid until the next peers_intern(). */
const struct sc_sockaddr *peers_get(const peers *p, uint64_t h);

/* Unpin every entry (before pinning a new group's). */
void peers_unpin_all(peers *p);

/* Fill *out with a in the form a dual-stack IPv6 socket sends to (IPv4 as
 * an IPv4-mapped IPv6 address). */
void peers_to_v6(const struct sc_sockaddr *a, struct sc_sockaddr *out);

#endif
