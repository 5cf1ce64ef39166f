/* rtx_responder: answering one authenticated request from the raw buffer.
 *
 * For each sequence number asked (at most max_seqs per request, whatever
 * the ranges say, so a hostile request costs bounded CPU): a packet held
 * and younger than the buffer window is sent back as a repair if the
 * requester's token bucket allows and it was not just sent to the same
 * requester (within RTX_DEDUP_NS: a duplicated request datagram); a packet
 * not held goes into the MISSING answer, so that the requester moves on at
 * once. Numbers are placed around our own highest, so one far outside the
 * window simply is not held. Authentication, membership and replay checks
 * happen before (rtx_session); this module never sees a forged request. */
#ifndef RTX_RESPONDER_H
#define RTX_RESPONDER_H

#include <stddef.h>
#include <stdint.h>

#include "rtx_rawbuf.h"
#include "rtx_ratelimit.h"
#include "rtx_seq.h"
#include "rtx_wire.h"

#define RTX_DEDUP_NS 3000000ULL

struct rtx_serve_cfg {
	uint32_t rate_pps, rate_burst;
	uint32_t max_seqs;
};

struct rtx_serve_result {
	uint32_t visited;  /* numbers looked at */
	uint32_t served;   /* repairs emitted */
	uint32_t refused;  /* held but over the rate limit */
	uint32_t deduped;
	size_t n_missing;  /* numbers in missing[], strictly increasing */
};

/* Called for each repair to send: the stored datagram of ext. */
typedef void (*rtx_serve_fn)(void *ctx, uint64_t ext, const uint8_t *pkt, size_t len);

/* Answer request req from requester `who` (its sender id; ps its state,
 * for the bucket). ssrc is our stream's (0 with started false in seq: no
 * stream yet). missing must hold cfg->max_seqs numbers; it receives the
 * extended numbers not held, sorted, without duplicates. */
void rtx_serve(const struct rtx_serve_cfg *cfg, struct rtx_rawbuf *rb, const struct rtx_seq *seq,
	       const struct rtx_list *req, uint32_t who, struct rtx_peer_state *ps,
	       uint64_t now_ns, rtx_serve_fn fn, void *ctx, uint64_t *missing,
	       struct rtx_serve_result *res);

#endif
