/* rtx_wire: the repair protocol's datagrams, version 2
 * (docs/protocol/repair.md has the full description).
 *
 * Every datagram is the authenticated envelope of rtx_ident.h with magic
 * "SX" (0x5358): a 32-byte header naming sender and receiver, the sender's
 * certificate when flagged, a body, and a 16-byte MAC. The protocol's flag
 * is RET (0x01: the domain id is a RET domain, the channel, and the RET key
 * is the domain secret; otherwise it is a repair group and its key). Types:
 * 1 NACK, 2 REPAIR, 3 MISSING, 4 BURST_REQ, 5 BURST, 6 PATH.
 *
 * NACK and MISSING bodies list 16-bit RTP sequence numbers of one stream:
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  media SSRC                                   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  echo timestamp (64 bits; 0 in a NACK)        |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     PID/BLP entries (n)       |       range entries (m)       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  PID                          |  BLP             (n times)    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  first                        |  count (1..65535) (m times)   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * PID/BLP is RFC 4585's generic NACK: PID, and PID+i for each bit i-1 set
 * in BLP (bit 0 = least significant). A range is first .. first+count-1.
 *
 * A REPAIR body is the echo timestamp and the original RTP datagram,
 * unchanged:
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  echo timestamp (64 bits)                     |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  RTP datagram ...                             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The echo timestamp is the timestamp of the request answered, so the
 * requester measures its round trip on its own clock, unambiguously.
 *
 * Fast channel change: a BURST_REQ (RET domain only) asks for a burst from
 * the newest random access point at least `backlog` ms old:
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  backlog (ms)                                 |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  reserved = 0 (12 bytes)                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * and the edge answers with a BURST carrying the splice information, then
 * sends packets start .. splice-1 as REPAIRs (echoing the request):
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |    status     |  reserved = 0 |       speed (percent)         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  media SSRC                                   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  echo timestamp (64 bits)                     |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  start seq (PAT before RAP)   |  RAP seq                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  splice seq (first not sent)  |  head seq (live at request)   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  RTP timestamp of start                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  RTP timestamp of the RAP                     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  RTP timestamp of head                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * status: 0 OK; a refusal (1 rate, 2 busy, 3 no random access point, 4 no
 * stream) has the fields after the echo 0. Both bodies have fixed lengths.
 *
 * PATH validates an address (a challenge and its echo, 0 = none):
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  token (64 bits)                              |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  echo (64 bits)                               |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Parsers take (buffer, length), check every length before reading, and
 * return -EBADMSG for anything malformed. They never authenticate: see
 * rtx_auth. */
#ifndef RTX_WIRE_H
#define RTX_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "rtx.h"
#include "rtx_ident.h"

#define RTX_WIRE_MAGIC 0x5358u
#define RTX_WIRE_VERSION RTX_ENV_VERSION
#define RTX_WIRE_HDR RTX_ENV_HDR
#define RTX_WIRE_MAC RTX_ENV_MAC
#define RTX_WIRE_OVERHEAD (RTX_WIRE_HDR + RTX_WIRE_MAC)
#define RTX_WIRE_FLAG_RET 0x01u
#define RTX_WIRE_FLAGS_KNOWN RTX_WIRE_FLAG_RET
#define RTX_WIRE_LIST_HDR 16 /* SSRC + echo + counts */
#define RTX_WIRE_REPAIR_HDR 8
#define RTX_WIRE_RANGE_MIN 17 /* runs this long go out as ranges */

/* Padded so that a challenge (a PATH) is never larger than the request. */
#define RTX_WIRE_BURST_REQ_LEN 16
#define RTX_WIRE_BURST_LEN 36
#define RTX_WIRE_PATH_LEN 16

/* Byte offsets in the header (the MAC's nonce is read from them). */
#define RTX_WIRE_OFF_TS RTX_ENV_OFF_TS
#define RTX_WIRE_OFF_SESSION RTX_ENV_OFF_SESSION

/* A parsed header: the envelope's fields under the protocol's names. */
struct rtx_hdr {
	uint8_t type;        /* enum rtx_msg_type */
	uint8_t flags;       /* protocol flags (RTX_WIRE_FLAG_RET) */
	uint16_t body_len;
	uint32_t group_id;   /* or RET domain */
	uint32_t sender_id;
	uint32_t receiver_id;
	uint64_t ts;
	uint32_t session;
	const uint8_t *body; /* set by rtx_wire_parse() */
	struct rtx_env env;  /* the envelope (certificate, key hint) */
};

/* Check the header and the lengths of a whole datagram (header, the
 * certificate if flagged, body of the stated length, MAC, nothing more),
 * its type and flags. Returns 0 and fills h, or -EBADMSG. */
int rtx_wire_parse(const uint8_t *buf, size_t len, struct rtx_hdr *h);

/* The envelope of a datagram to send: type, protocol flags, body length,
 * domain, receiver, timestamp and session (rtx_ident fills the rest). */
void rtx_wire_env(struct rtx_env *e, const struct rtx_hdr *h);

/* A NACK or MISSING body, parsed. */
struct rtx_list {
	uint32_t ssrc;
	uint64_t echo_ts;
	uint16_t n_pid, n_range;
	const uint8_t *entries;
};

/* Parse a NACK/MISSING body. Returns 0, or -EBADMSG (wrong length, a
 * range of count 0). */
int rtx_list_parse(const uint8_t *body, size_t len, struct rtx_list *l);

/* Call fn for each sequence number listed, in entry order (duplicates are
 * not removed), stopping after limit numbers. Returns how many were
 * visited. CPU is bounded by limit, whatever the entries say. */
typedef void (*rtx_seq_fn)(void *ctx, uint16_t seq);
size_t rtx_list_foreach(const struct rtx_list *l, size_t limit, rtx_seq_fn fn, void *ctx);

/* Write a NACK/MISSING body for the extended numbers exts[0..n) (strictly
 * increasing), as PID/BLP entries and, for runs of RTX_WIRE_RANGE_MIN or
 * more, ranges. Writes at most cap bytes; returns the body length and sets
 * *used to how many numbers it covers (the caller sends the rest in another
 * datagram), or -ENOSPC when cap cannot hold one entry. */
int rtx_list_build(uint8_t *body, size_t cap, uint32_t ssrc, uint64_t echo_ts,
		   const uint64_t *exts, size_t n, size_t *used);

/* A REPAIR body. */
struct rtx_repair {
	uint64_t echo_ts;
	const uint8_t *rtp;
	size_t rtp_len;
};
/* Returns 0, or -EBADMSG when shorter than the echo plus an RTP header. */
int rtx_repair_parse(const uint8_t *body, size_t len, struct rtx_repair *r);

/* A BURST_REQ body. */
struct rtx_burst_req {
	uint32_t backlog_ms;
};
/* Returns 0, or -EBADMSG (wrong length, reserved not 0). */
int rtx_burst_req_parse(const uint8_t *body, size_t len, struct rtx_burst_req *r);
/* Writes RTX_WIRE_BURST_REQ_LEN bytes; returns that. */
size_t rtx_burst_req_put(uint8_t *body, const struct rtx_burst_req *r);

enum rtx_burst_status {
	RTX_BURST_OK = 0,
	RTX_BURST_RATE = 1,   /* asked again too soon */
	RTX_BURST_BUSY = 2,   /* bandwidth cap or too many bursts */
	RTX_BURST_NO_RAP = 3, /* no usable random access point held */
	RTX_BURST_NO_STREAM = 4,
};

/* A BURST body. */
struct rtx_burst_ans {
	uint8_t status;
	uint16_t speed_pct;
	uint32_t ssrc;
	uint64_t echo_ts;
	uint16_t start, rap, splice, head;
	uint32_t start_ts, rap_ts, head_ts;
};
/* Returns 0, or -EBADMSG (wrong length, unknown status, reserved not 0). */
int rtx_burst_ans_parse(const uint8_t *body, size_t len, struct rtx_burst_ans *a);
/* Writes RTX_WIRE_BURST_LEN bytes; returns that. */
size_t rtx_burst_ans_put(uint8_t *body, const struct rtx_burst_ans *a);

/* A PATH body. */
struct rtx_path {
	uint64_t token, echo;
};
/* Returns 0, or -EBADMSG (wrong length, both fields 0). */
int rtx_path_parse(const uint8_t *body, size_t len, struct rtx_path *p);
/* Writes RTX_WIRE_PATH_LEN bytes; returns that. */
size_t rtx_path_put(uint8_t *body, const struct rtx_path *p);

#endif
