/* rtx_rawbuf: the raw buffer: received RTP datagrams kept by extended
 * sequence number, byte for byte, over a window bounded by memory (a fixed
 * number of slots, allocated once) and by time (a packet older than the
 * window is no longer served).
 *
 * Slot i holds extended number ext with ext % capacity == i, so lookups
 * are O(1) and a newer packet simply takes the place of one `capacity`
 * numbers older. The playback buffer reads packets from here: it is a view
 * over the raw buffer, not a copy of it. Each slot also remembers whom it
 * was last sent to as a repair, for the responder's de-duplication. */
#ifndef RTX_RAWBUF_H
#define RTX_RAWBUF_H

#include <stddef.h>
#include <stdint.h>

/* Per-packet metadata, readable through rtx_rawbuf_meta(). */
struct rtx_slot {
	uint64_t ext;        /* 0: empty */
	uint64_t arrival_ns;
	uint64_t due_ns;     /* playback time */
	uint64_t served_ns;  /* last sent as a repair, to served_to */
	uint32_t served_to;
	uint16_t len;
	uint16_t flags;      /* RTX_SLOT_* */
};

/* The packet came as a repair, not by multicast: it arrived after its
 * playback time and does not pace the playback of others. */
#define RTX_SLOT_REPAIR 0x1

/* Visible for the inline accessors below (called several times per
 * packet); use the functions. */
struct rtx_rawbuf {
	size_t cap;
	size_t max_packet;
	uint64_t window_ns;
	uint64_t highest;
	struct rtx_slot *slots;
	uint8_t *data; /* cap * max_packet bytes */
};

/* A buffer of floor(max_bytes / (max_packet + metadata)) slots, at least 2.
 * Returns NULL when out of memory or for max_packet 0 or over 65535. */
struct rtx_rawbuf *rtx_rawbuf_new(size_t max_bytes, size_t max_packet, uint64_t window_ns);
void rtx_rawbuf_free(struct rtx_rawbuf *rb);
/* Empty it (a source restart). */
void rtx_rawbuf_clear(struct rtx_rawbuf *rb);

static inline size_t rtx_rawbuf_capacity(const struct rtx_rawbuf *rb)
{
	return rb->cap;
}

/* Highest extended number stored since the last clear; 0 if none. */
static inline uint64_t rtx_rawbuf_highest(const struct rtx_rawbuf *rb)
{
	return rb->highest;
}

/* Store a copy of pkt (len bytes) as ext (> 0), with RTX_SLOT_* flags.
 * Returns 0, -EEXIST if ext is already held, -EMSGSIZE over max_packet,
 * -ERANGE if ext is capacity or more behind the highest (its slot belongs
 * to a newer packet). */
int rtx_rawbuf_put(struct rtx_rawbuf *rb, uint64_t ext, const uint8_t *pkt, size_t len,
		   uint64_t now_ns, uint64_t due_ns, unsigned flags);

/* The metadata of ext if held (whatever its age), else NULL. Writable
 * (served_*). */
static inline struct rtx_slot *rtx_rawbuf_meta(struct rtx_rawbuf *rb, uint64_t ext)
{
	struct rtx_slot *sl = &rb->slots[ext % rb->cap];

	return ext != 0 && sl->ext == ext ? sl : NULL;
}

/* Whether ext is held, whatever its age. */
static inline int rtx_rawbuf_has(const struct rtx_rawbuf *rb, uint64_t ext)
{
	return ext != 0 && rb->slots[ext % rb->cap].ext == ext;
}
/* The bytes of ext if held, whatever their age; *len set. NULL if not. */
const uint8_t *rtx_rawbuf_data(const struct rtx_rawbuf *rb, uint64_t ext, size_t *len);
/* The bytes of ext if held and younger than the window at now_ns (what may
 * be served to a peer); *len set. NULL if not. */
const uint8_t *rtx_rawbuf_get(const struct rtx_rawbuf *rb, uint64_t ext, uint64_t now_ns,
			      size_t *len);

#endif
