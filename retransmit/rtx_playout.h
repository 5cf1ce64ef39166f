/* rtx_playout: the playback buffer: hands packets of the raw buffer out in
 * sequence order, each at its playback time, and skips the ones still
 * missing when they can wait no longer.
 *
 * Playback time of a packet = its RTP timestamp (in ns from the stream's
 * first timestamp) + the reference transit + the configured delay. The
 * reference transit is the smallest (arrival - timestamp) of first-arrival
 * packets over the current and the previous epoch of a few seconds: the
 * least-delayed packet sets the pace, network jitter is absorbed by the
 * delay, and slow sender/receiver clock drift is followed one epoch at a
 * time. A packet arriving more than the whole delay behind the reference
 * means the timestamps jumped: the reference is re-anchored on it.
 *
 * A missing packet has no timestamp of its own; it is given up when the
 * next packet that came by multicast after it is due, which leaves a lost
 * burst all the time there is and never delays the packets behind it.
 * Repairs do not count there: they come after their own playback time, and
 * one filling the end of a burst must not cut short the wait for its
 * beginning. A repair is released as soon as its turn comes. */
#ifndef RTX_PLAYOUT_H
#define RTX_PLAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtx_rawbuf.h"

#define RTX_PLAYOUT_EPOCH_NS (5ULL * 1000000000ULL)

struct rtx_playout {
	uint64_t delay_ns;
	uint32_t clock_rate; /* 0: playback at arrival + delay */
	bool started;
	uint64_t head;       /* next extended number to hand out */
	bool succ_valid;
	uint64_t succ;       /* first multicast packet after head, when valid */
	bool ts_started;
	uint64_t ts_first;   /* extended RTP timestamps */
	uint64_t ts_high;
	bool ref_started;
	int64_t ref_cur, ref_prev; /* transit minima of this and the last epoch */
	uint64_t epoch_end;
	uint64_t extra_ns;   /* added to every playback time (after a burst) */
};

/* Packets handed out: pkt/len of a held packet, or pkt NULL for one that
 * was skipped as lost. */
typedef void (*rtx_playout_fn)(void *ctx, uint64_t ext, const uint8_t *pkt, size_t len);

void rtx_playout_init(struct rtx_playout *po, uint64_t delay_ns, uint32_t clock_rate);
/* Forget the stream (a source restart); the settings stay. */
void rtx_playout_reset(struct rtx_playout *po);

/* The playback time of a packet with RTP timestamp ts arriving at now_ns.
 * first_arrival: it came by multicast (not as a repair), so its transit
 * may move the reference. */
uint64_t rtx_playout_due(struct rtx_playout *po, uint32_t ts, uint64_t now_ns,
			 bool first_arrival);

/* Anchor the reference on a packet of RTP timestamp ts taken as live at
 * now_ns, unless multicast packets did already (a fast channel change
 * learns the live head from the edge before any multicast arrives). */
void rtx_playout_anchor(struct rtx_playout *po, uint32_t ts, uint64_t now_ns);

/* Start handing out at ext (the stream's first packet). */
void rtx_playout_start(struct rtx_playout *po, uint64_t ext);
/* Whether ext can still be handed out (not behind the head). */
bool rtx_playout_pending(const struct rtx_playout *po, uint64_t ext);
/* Tell the buffer that ext was just stored in rb (as a repair or not). */
void rtx_playout_stored(struct rtx_playout *po, uint64_t ext, bool repair);

/* Hand out everything due at now_ns. Returns how many packets (held or
 * skipped) were handed out. */
size_t rtx_playout_run(struct rtx_playout *po, struct rtx_rawbuf *rb, uint64_t now_ns,
		       rtx_playout_fn fn, void *ctx);
/* When rtx_playout_run() next has something to do; UINT64_MAX if nothing
 * is buffered. */
uint64_t rtx_playout_next(struct rtx_playout *po, struct rtx_rawbuf *rb);

#endif
