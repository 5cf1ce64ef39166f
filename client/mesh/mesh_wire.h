/* mesh_wire: the mesh protocol's datagrams, version 1
 * (docs/protocol/mesh.md has the full description and the diagrams of
 * every body).
 *
 * Every datagram is a fixed header, a body and a 16-byte MAC over both:
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     magic 'S' 'M' (0x534d)    |  version = 1  |     type      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     flags     |  reserved = 0 |          body length          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                          channel id                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                           sender id                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  timestamp (64 bits, sender's)                |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  session (random per sender run)              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  body (body length bytes) ...                 |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  MAC (16 bytes)                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The magic differs from the repair protocol's ('S' 'X'), so one UDP port
 * carries both. The MAC is ChaCha20-Poly1305 (IETF) over an empty message
 * with the datagram as associated data, nonce = session || timestamp,
 * under the mesh key: keyed BLAKE2b (crypto_generichash) of "sixcast-mesh"
 * || channel id under the channel's RET key.
 *
 * Decoders take (buffer, length), check every length before reading and
 * return -EBADMSG for anything malformed. They never authenticate. */
#ifndef MESH_WIRE_H
#define MESH_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mesh.h"

#define MESH_WIRE_MAGIC 0x534du
#define MESH_WIRE_VERSION 1
#define MESH_WIRE_HDR 28
#define MESH_WIRE_MAC 16
#define MESH_WIRE_OVERHEAD (MESH_WIRE_HDR + MESH_WIRE_MAC)
#define MESH_WIRE_OFF_TS 16
#define MESH_WIRE_OFF_SESSION 24
#define MESH_WIRE_MAX 1500         /* no datagram is longer */
#define MESH_WIRE_MAX_ENTRIES 16   /* nodes in an answer or a redirect */
#define MESH_WIRE_ENTRY 24
#define MESH_WIRE_MAX_BITS 2048    /* bits in a buffer map */
#define MESH_WIRE_MAX_PULL 64      /* sequence numbers in a pull */
#define MESH_WIRE_DATA_HDR 20

enum mesh_msg {
	MESH_MSG_HELLO = 1,
	MESH_MSG_NQUERY = 2,
	MESH_MSG_NANSWER = 3,
	MESH_MSG_PREQ = 4,
	MESH_MSG_PACCEPT = 5,
	MESH_MSG_PREFUSE = 6,
	MESH_MSG_BMAP = 7,
	MESH_MSG_SUB = 8,
	MESH_MSG_UNSUB = 9,
	MESH_MSG_DATA = 10,
	MESH_MSG_PULL = 11,
	MESH_MSG_FULL = 12,
	MESH_MSG_MAX = 12,
};

/* HELLO flags */
#define MESH_HELLO_OUT 0x01u    /* the receiver is in the sender's OutView */
#define MESH_HELLO_LEAVE 0x02u  /* the sender leaves: forget it */
#define MESH_HELLO_SOURCE 0x04u /* the sender is a source */
#define MESH_HELLO_KNOWN 0x07u
/* DATA flags */
#define MESH_DATA_PULLED 0x01u
#define MESH_DATA_KNOWN 0x01u
/* PULL flags */
#define MESH_PULL_URGENT 0x01u
/* PREFUSE reasons */
#define MESH_REFUSE_FULL 1
#define MESH_REFUSE_PAUSED 2
#define MESH_REFUSE_SELF 3
#define MESH_DEPTH_NONE 255 /* no path to the source */

struct mesh_hdr {
	uint8_t type;
	uint8_t flags;
	uint32_t channel;
	uint32_t sender;
	uint64_t ts;
	uint32_t session;
	const uint8_t *body;
	size_t body_len;
};

struct mesh_hello {
	uint8_t flags;
	uint8_t depth;
	uint64_t newest;   /* highest sequence held (0: none) */
	uint64_t echo_ts;  /* receiver's last timestamp seen (0: none) */
	uint32_t echo_delay_us;
};

struct mesh_entry {
	uint32_t id;
	struct mesh_addr addr;
};

struct mesh_entries {
	size_t n;
	struct mesh_entry e[MESH_WIRE_MAX_ENTRIES];
};

struct mesh_bmap_msg {
	uint8_t depth;
	uint16_t nbits;
	uint64_t start;
	const uint8_t *bits; /* nbits, bit i (MSB first) = start + i */
};

struct mesh_data {
	uint8_t flags;
	uint64_t seq;
	uint64_t src_ts;
	const uint8_t *rtp;
	size_t rtp_len;
};

struct mesh_pull {
	uint8_t flags;
	uint64_t base;
	size_t n;
	uint16_t off[MESH_WIRE_MAX_PULL];
};

/* Derive the mesh key of a channel from its RET key. */
void mesh_wire_key(const uint8_t ret_key[MESH_KEY_BYTES], uint32_t channel, uint8_t key[MESH_KEY_BYTES]);

/* Parse a datagram's header and locate its body. Returns 0 or -EBADMSG
 * (bad magic, version, type, reserved bits or lengths). */
int mesh_wire_parse(const uint8_t *buf, size_t len, struct mesh_hdr *h);
/* Write a header for a body of body_len bytes (already at buf +
 * MESH_WIRE_HDR), then the MAC. buf holds at least body_len +
 * MESH_WIRE_OVERHEAD bytes. Returns the datagram's length. */
size_t mesh_wire_seal(const uint8_t key[MESH_KEY_BYTES], uint8_t *buf, const struct mesh_hdr *h,
		      size_t body_len);
/* Check the MAC of a whole datagram. Returns 0 or -EACCES. */
int mesh_wire_verify(const uint8_t key[MESH_KEY_BYTES], const uint8_t *buf, size_t len);

/* Body codecs. Encoders write into body (room for MESH_WIRE_MAX -
 * MESH_WIRE_OVERHEAD bytes) and return the body length, or -EINVAL /
 * -EMSGSIZE. Decoders return 0 or -EBADMSG. */
int mesh_enc_hello(uint8_t *body, const struct mesh_hello *m);
int mesh_dec_hello(const uint8_t *b, size_t len, struct mesh_hello *m);
int mesh_enc_small(uint8_t *body, uint8_t a, uint8_t b, uint16_t c); /* NQUERY/PREQ/... */
int mesh_dec_small(const uint8_t *b, size_t len, uint8_t *a, uint8_t *bb, uint16_t *c);
int mesh_enc_entries(uint8_t *body, const struct mesh_entries *m);
int mesh_dec_entries(const uint8_t *b, size_t len, struct mesh_entries *m);
int mesh_enc_bmap(uint8_t *body, const struct mesh_bmap_msg *m);
int mesh_dec_bmap(const uint8_t *b, size_t len, struct mesh_bmap_msg *m);
/* bit i of a decoded map */
static inline bool mesh_bmap_msg_bit(const struct mesh_bmap_msg *m, unsigned i)
{
	return i < m->nbits && (m->bits[i >> 3] >> (7 - (i & 7))) & 1;
}
int mesh_enc_data(uint8_t *body, const struct mesh_data *m);
int mesh_dec_data(const uint8_t *b, size_t len, struct mesh_data *m);
int mesh_enc_pull(uint8_t *body, const struct mesh_pull *m);
int mesh_dec_pull(const uint8_t *b, size_t len, struct mesh_pull *m);

const char *mesh_msg_name(unsigned type);

#endif
