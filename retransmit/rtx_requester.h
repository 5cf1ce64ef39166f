/* rtx_requester: gap tracking and NACK scheduling: when to ask whom for
 * which missing packet.
 *
 * Each missing packet waits out a reorder hold, then is asked of the group
 * in rounds, by policy:
 *  - all: every member at once; the next round after the slowest member's
 *    retransmission timeout (so no member is asked twice within its RTT);
 *  - ranked: one member at a time, in an order given per packet by
 *    rendezvous hashing of (packet, member id), each given its own timeout
 *    before the next; a member answering MISSING moves it on at once. When
 *    the time left no longer covers one timeout per member still to ask,
 *    several are asked at once (as many as it takes for the round to fit):
 *    one repair per loss while there is time, latency when there is not.
 *    A new round starts when all were asked, and no earlier than the
 *    slowest member's timeout after the last ask.
 * Each round in which nobody answered at all doubles the timeouts of the
 * next (up to 8 times): a requester whose own link is down must not drain
 * its peers' rate limits; when its link is seen to come back, it asks again
 * at once (resume).
 * A RET server is asked after ret_after_rounds unanswered rounds, when all
 * members lack the packet or none can be asked, and in any case when the
 * deadline is less than ret_lead away; it too is not asked again within its
 * timeout. Nobody is asked who cannot answer before the deadline (its
 * lowest RTT seen is longer than the time left); then the gap is done and
 * waits for the playback buffer to give it up.
 *
 * The requester only decides; the session encodes, signs and sends what
 * the emit callback hands it: per target, strictly increasing numbers. */
#ifndef RTX_REQUESTER_H
#define RTX_REQUESTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtx.h"
#include "rtx_gaps.h"
#include "rtx_group.h"

#define RTX_TARGET_RET (-1)

struct rtx_req_cfg {
	enum rtx_policy policy;
	uint64_t hold_ns;
	uint32_t hold_pkts;
	uint64_t rtt_init_ns, rto_min_ns, rto_max_ns;
	uint32_t ret_after_rounds;
	uint64_t ret_lead_ns;
	uint32_t max_gaps;
};

struct rtx_req_pair {
	uint64_t ext;
	int32_t target; /* member index or RTX_TARGET_RET */
};

struct rtx_requester {
	struct rtx_req_cfg cfg;
	struct rtx_gaps gaps;
	uint64_t next_ns;      /* no step is due before this */
	uint64_t hold_trigger; /* highest number that ends a packet-count hold */
	uint64_t highest;
	struct rtx_req_pair *pairs; /* requests being collected by a run */
	uint64_t *exts;             /* one target's numbers, for emit */
	size_t n_pairs, cap_pairs;
};

/* Requests for target: exts[0..n) strictly increasing. */
typedef void (*rtx_req_emit_fn)(void *ctx, int target, const uint64_t *exts, size_t n);

/* Returns 0 or -ENOMEM. */
int rtx_req_init(struct rtx_requester *rq, const struct rtx_req_cfg *cfg);
void rtx_req_free(struct rtx_requester *rq);
/* Forget every gap (a source restart). */
void rtx_req_clear(struct rtx_requester *rq);

/* ext is missing: detected at now_ns when packet `highest` arrived; the
 * playback buffer gives it up at deadline_ns. Returns 0, -EEXIST if it is
 * already a gap (a prediction: its deadline becomes deadline_ns, and it is
 * asked for again if it had been given up and there is time), or 1 when
 * an older gap was dropped for room (its number in *dropped). */
int rtx_req_add(struct rtx_requester *rq, uint64_t ext, uint64_t highest, uint64_t now_ns,
		uint64_t deadline_ns, uint64_t *dropped);
/* ext arrived or was given up: stop asking. Returns 0 and sets *detect_ns
 * (when it was detected; may be NULL), or -ENOENT if it was no gap. */
int rtx_req_resolve(struct rtx_requester *rq, uint64_t ext, uint64_t *detect_ns);
/* A new highest packet arrived (ends packet-count holds). */
void rtx_req_highest(struct rtx_requester *rq, uint64_t highest, uint64_t now_ns);
/* Our link came back after a silence (the multicast stream resumed):
 * replies due while we could not hear were lost, so every gap whose last
 * ask should have been answered by now (last ask + the slowest member's
 * smoothed RTT) is asked again at once instead of after its (backed-off)
 * timeout. */
void rtx_req_resume(struct rtx_requester *rq, const struct rtx_groups *grp, uint64_t now_ns);
/* A RET server challenged our address (it answers nothing before we echo):
 * every gap waiting for a RET answer is asked again at once, after the
 * echo, instead of after its timeout; once per gap, so that a server that
 * cannot validate us does not draw a request per round trip. */
void rtx_req_ret_challenged(struct rtx_requester *rq, uint64_t now_ns);
/* Member index `member` says it lacks ext. */
void rtx_req_missing(struct rtx_requester *rq, uint64_t ext, int member, uint64_t now_ns);
/* Member index `member` lacks ext, a number the stream has probably not
 * reached yet (a prediction of a pull, above everything we hold): no lack
 * and no step towards RET; the member is asked again at at_ns, or one of
 * its timeouts after the last ask if that is later. */
void rtx_req_not_yet(struct rtx_requester *rq, const struct rtx_groups *grp, uint64_t ext,
		     int member, uint64_t at_ns);
/* Members or RET servers changed: forget who was asked (indices moved) and
 * look at every gap again at the next run. */
void rtx_req_regrouped(struct rtx_requester *rq);

/* When rtx_req_run() next has work; UINT64_MAX if none. */
static inline uint64_t rtx_req_next(const struct rtx_requester *rq) { return rq->next_ns; }
/* Take every step due at now_ns and emit the requests. Returns how many
 * (target, packet) asks were emitted, or -ENOMEM. */
int rtx_req_run(struct rtx_requester *rq, const struct rtx_groups *grp, uint64_t now_ns,
		rtx_req_emit_fn emit, void *ctx);

#endif
