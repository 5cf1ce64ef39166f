/* mesh_wire: the mesh protocol's datagrams, version 2
 * (docs/protocol/mesh.md has the full description and the diagrams of
 * every body).
 *
 * Every datagram is the authenticated envelope that the repair protocol
 * shares (retransmit/rtx_ident.h, docs/protocol/repair.md) with the magic
 * "SM": a 32-byte header naming the channel (the domain), the sender AND
 * the receiver, the sender's certificate when the C flag says so, the
 * body, and a 16-byte MAC under a key bound to (sender, receiver, the
 * channel's mesh key). The mesh's own flag bits (0x7f) are 0.
 *
 * Sizes: no datagram is longer than MESH_WIRE_MAX (1452: a 1500-byte
 * IPv6 MTU less 40 + 8 bytes of headers). A control body fits with a
 * certificate attached (8 node entries of 152 bytes: 32 + 128 + 1220 +
 * 16 = 1396). DATA never carries a certificate (it goes only to partners,
 * which hold it): 32 + 20 + RTP + 16, so an RTP datagram of up to 1384
 * bytes (MESH_WIRE_MAX_RTP; 7 x 188 TS packets make 1328).
 *
 * Decoders take (buffer, length), check every length before reading and
 * return -EBADMSG for anything malformed. They never authenticate. */
#ifndef MESH_WIRE_H
#define MESH_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mesh.h"
#include "rtx_ident.h"

#define MESH_WIRE_MAGIC 0x534du
#define MESH_WIRE_VERSION RTX_ENV_VERSION
#define MESH_WIRE_HDR RTX_ENV_HDR  /* 32 */
#define MESH_WIRE_MAC RTX_ENV_MAC  /* 16 */
#define MESH_WIRE_OVERHEAD (MESH_WIRE_HDR + MESH_WIRE_MAC)
#define MESH_WIRE_PROTO_FLAGS 0x7fu /* the mesh's flag bits: 0 in version 2 */
#define MESH_WIRE_MAX 1452         /* no datagram is longer */
#define MESH_WIRE_MAX_ENTRIES 8    /* nodes in an answer or a redirect */
#define MESH_WIRE_ADDR_ENTRY 24    /* id, family, port, address */
#define MESH_WIRE_ENTRY (MESH_WIRE_ADDR_ENTRY + RTX_CERT_BYTES) /* ... and its certificate */
#define MESH_WIRE_MAX_BITS 2048    /* bits in a buffer map */
#define MESH_WIRE_MAX_PULL 64      /* sequence numbers in a pull */
#define MESH_WIRE_DATA_HDR 20
#define MESH_WIRE_PATH 16          /* token, echo */
/* The largest RTP datagram a DATA carries (never with a certificate). */
#define MESH_WIRE_MAX_RTP (MESH_WIRE_MAX - MESH_WIRE_OVERHEAD - MESH_WIRE_DATA_HDR)
/* The largest control body: room for a certificate beside it. */
#define MESH_WIRE_MAX_CTL (MESH_WIRE_MAX - MESH_WIRE_OVERHEAD - RTX_CERT_BYTES)

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
	MESH_MSG_PATH = 13,
	MESH_MSG_MAX = 13,
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

/* A parsed datagram: the envelope and, for convenience, its fields. */
struct mesh_hdr {
	struct rtx_env env;
	uint8_t type;
	uint32_t channel;   /* the envelope's domain */
	uint32_t sender, receiver;
	uint64_t ts;
	uint32_t session;
	const uint8_t *cert; /* the sender's certificate, or NULL */
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
	uint8_t cert[RTX_CERT_BYTES]; /* the node's certificate (its id) */
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

/* Parse a whole datagram: the envelope (version 2, lengths, ids), a known
 * type, no mesh flag bit, the type's minimum body, a channel. Returns 0,
 * -EBADMSG (malformed) or -EOPNOTSUPP (a type or a flag this version does
 * not know). Nothing is authenticated. */
int mesh_wire_parse(const uint8_t *buf, size_t len, struct mesh_hdr *h);
/* Seal a datagram from ident to h->receiver: h gives type, channel,
 * receiver, ts and session; body_len bytes of body. The MAC key is
 * rtx_ident_seal_key(ident, receiver, key); our certificate is attached
 * when that says so, unless no_cert (DATA, PATH: sealed then to the key
 * the receiver last used). Writes at most cap bytes to
 * out. Returns the datagram's length, or -ENOKEY / -EKEYREVOKED (from
 * rtx_ident_seal_key), -EMSGSIZE. */
int mesh_wire_seal(rtx_ident *ident, const uint8_t key[MESH_KEY_BYTES], const struct mesh_hdr *h,
		   const uint8_t *body, size_t body_len, bool no_cert, uint8_t *out, size_t cap);

/* Body codecs. Encoders write into body (room for MESH_WIRE_MAX -
 * MESH_WIRE_OVERHEAD bytes) and return the body length, or -EINVAL /
 * -EMSGSIZE. Decoders return 0 or -EBADMSG. Node entries: each
 * certificate is checked for shape and for the entry's id, not for its
 * signature (rtx_ident_learn() does that). */
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
/* PATH: a challenge (token) and/or the echo of one; 0 = none, not both. */
int mesh_enc_path(uint8_t *body, uint64_t token, uint64_t echo);
int mesh_dec_path(const uint8_t *b, size_t len, uint64_t *token, uint64_t *echo);

const char *mesh_msg_name(unsigned type);

#endif
