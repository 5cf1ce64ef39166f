/* mesh_bmap: buffer maps and the media buffer of a mesh node.
 *
 * A buffer map (seed 004) says which packets a node holds: a bit per
 * sequence number over a sliding window that ends at the highest one set.
 * Each node keeps its own (the media buffer's) and a local copy of every
 * partner's, updated from the maps they publish and every time a packet is
 * pushed to or received from them, so that no packet is pushed twice.
 *
 * The media buffer keeps the last `cap` sequence numbers' packets (a FIFO
 * by sequence: a newer packet evicts the one cap places below it), with
 * the source's timestamp and the local arrival time of each. */
#ifndef MESH_BMAP_H
#define MESH_BMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MESH_BMAP_BITS 4096u /* window of a map, a power of 2 */

struct mesh_bmap {
	bool any;
	uint64_t newest; /* highest sequence set, when any */
	uint64_t w[MESH_BMAP_BITS / 64];
};

void mesh_bmap_clear(struct mesh_bmap *m);
/* Set seq. Returns 0, or -ERANGE when seq is below the window (ignored). */
int mesh_bmap_set(struct mesh_bmap *m, uint64_t seq);
void mesh_bmap_unset(struct mesh_bmap *m, uint64_t seq);
bool mesh_bmap_test(const struct mesh_bmap *m, uint64_t seq);
/* Lowest sequence of the window (0 when empty). */
uint64_t mesh_bmap_oldest(const struct mesh_bmap *m);
/* Write the nbits bits (MSB first) from start into out (zeroed first;
 * (nbits + 7) / 8 bytes). */
void mesh_bmap_export(const struct mesh_bmap *m, uint64_t start, unsigned nbits, uint8_t *out);
/* OR a published map (start, nbits bits MSB first) into a local copy. */
void mesh_bmap_merge(struct mesh_bmap *m, uint64_t start, unsigned nbits, const uint8_t *bits);
/* Set bits in [lo, hi]: how many. */
unsigned mesh_bmap_count(const struct mesh_bmap *m, uint64_t lo, uint64_t hi);

struct mesh_slot {
	uint64_t seq;
	uint64_t src_ts;
	uint64_t arrival_ns;
	uint8_t *data;
	uint16_t len, cap;
	bool used;
};

struct mesh_buf {
	unsigned cap; /* power of 2, <= MESH_BMAP_BITS */
	struct mesh_bmap have;
	struct mesh_slot *slot;
};

/* Returns 0, -EINVAL (cap not a power of 2 in 16..MESH_BMAP_BITS) or -ENOMEM. */
int mesh_buf_init(struct mesh_buf *b, unsigned cap);
void mesh_buf_fini(struct mesh_buf *b);
void mesh_buf_reset(struct mesh_buf *b);
/* Empty it and give back the packets' memory (a paused node holds none:
 * a set-top box back on multicast should not keep the mesh's megabytes). */
void mesh_buf_release(struct mesh_buf *b);
/* Store a packet. Returns 0, -EALREADY (held), -ERANGE (older than the
 * window), -ENOMEM. */
int mesh_buf_put(struct mesh_buf *b, uint64_t seq, const uint8_t *pkt, size_t len, uint64_t src_ts,
		 uint64_t now_ns);
/* Whether seq is held. */
bool mesh_buf_has(const struct mesh_buf *b, uint64_t seq);
/* The slot holding seq, or NULL. */
const struct mesh_slot *mesh_buf_get(const struct mesh_buf *b, uint64_t seq);
static inline bool mesh_buf_any(const struct mesh_buf *b) { return b->have.any; }
static inline uint64_t mesh_buf_newest(const struct mesh_buf *b) { return b->have.newest; }
/* Lowest sequence the buffer may still hold. */
uint64_t mesh_buf_oldest(const struct mesh_buf *b);

/* Strip of a sequence number: seq mod P. */
static inline unsigned mesh_strip_of(uint64_t seq, unsigned strips)
{
	return (unsigned)(seq % strips);
}

#endif
