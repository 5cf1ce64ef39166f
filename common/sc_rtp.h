/* sc_rtp: bounds-checked access to RTP headers (RFC 3550, section 5.1).
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                           timestamp                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           synchronization source (SSRC) identifier            |
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * |            contributing source (CSRC) identifiers             |
 * |                    (CC entries, 4 bytes each)                 |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   extension profile (if X)    |   extension length (words)    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  extension data (length x 4 bytes)            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     payload ...               | padding | cnt |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * sc_rtp_parse() validates a whole datagram and says where its payload is.
 * It never reads past len, whatever the bytes say. */
#ifndef SC_RTP_H
#define SC_RTP_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "sc_bytes.h"

#define SC_RTP_VERSION 2
#define SC_RTP_HDR_MIN 12
#define SC_RTP_PT_MP2T 33 /* RFC 3551: MPEG-2 transport stream, 90 kHz */

/* A parsed header. Pointers point into the parsed buffer and live as long
 * as it does. */
struct sc_rtp {
	uint8_t version;
	uint8_t padding;     /* P bit */
	uint8_t extension;   /* X bit */
	uint8_t csrc_count;  /* CC */
	uint8_t marker;      /* M bit */
	uint8_t payload_type;
	uint16_t seq;
	uint32_t timestamp;
	uint32_t ssrc;
	const uint8_t *csrc;      /* csrc_count big-endian 32-bit ids */
	uint16_t ext_profile;     /* if extension */
	const uint8_t *ext_data;  /* if extension; ext_len bytes */
	size_t ext_len;
	size_t header_len;        /* fixed header + CSRCs + extension */
	const uint8_t *payload;   /* payload without padding */
	size_t payload_len;
	uint8_t pad_len;          /* padding bytes at the end (incl. count) */
};

/* Errors of sc_rtp_parse(), as negative errno values. */
#define SC_RTP_ETRUNC (-EMSGSIZE)  /* shorter than the header says */
#define SC_RTP_EVERSION (-EPROTO)  /* version is not 2 */
#define SC_RTP_EPADDING (-EBADMSG) /* padding count 0 or past the payload */

/* Parse and validate an RTP datagram. Returns 0 and fills out, or one of
 * the errors above (-EINVAL for NULL arguments); out is zeroed on error. */
int sc_rtp_parse(const uint8_t *buf, size_t len, struct sc_rtp *out);

/* Fields that a sender sets; see sc_rtp_write(). */
struct sc_rtp_fields {
	uint8_t marker;
	uint8_t payload_type;
	uint16_t seq;
	uint32_t timestamp;
	uint32_t ssrc;
};

/* Write a 12-byte header (V=2, no padding, extension or CSRC). Returns the
 * number of bytes written, or -ENOSPC when cap is under 12. */
int sc_rtp_write(uint8_t *buf, size_t cap, const struct sc_rtp_fields *f);

/* Unchecked accessors for a datagram already validated by sc_rtp_parse()
 * (at least SC_RTP_HDR_MIN bytes). */
static inline uint16_t sc_rtp_seq(const uint8_t *b) { return sc_get_be16(b + 2); }
static inline uint32_t sc_rtp_ts(const uint8_t *b) { return sc_get_be32(b + 4); }
static inline uint32_t sc_rtp_ssrc(const uint8_t *b) { return sc_get_be32(b + 8); }

#endif
