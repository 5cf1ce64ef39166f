/* pace: a channel's send queue, mapping the stream timeline to the wall
 * clock so that packets leave as smoothly as the PCRs say they should.
 *
 * A packet of timeline time t (27 MHz) departs at anchor_wall + (t -
 * anchor_t). The anchor is set by the first packet, latency_ns ahead of
 * now, which is the jitter a live source may have before packets are late.
 * For a live source whose clock drifts from ours, or that stalls, the
 * anchor is moved when a packet would depart in the past or too far ahead;
 * each move is counted as a resync. A file source is read only while the
 * queue holds less than its lookahead, so it never drifts. */
#ifndef PACE_H
#define PACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtpk.h"

typedef struct pace pace;

struct pace_stats {
	uint64_t queued, sent, dropped; /* dropped: queue full */
	uint64_t resyncs;               /* anchor moves */
};

/* cap: packets the queue may hold (it grows up to that as needed).
 * Returns NULL when out of memory. */
pace *pace_new(size_t cap, uint64_t latency_ns, bool live);
void pace_free(pace *q);

/* Queue a packet (copied) at time now_ns. Returns 0, or -ENOBUFS when the
 * queue is full (the packet is dropped and counted). */
int pace_push(pace *q, const struct rtpk_packet *pkt, uint64_t now_ns);

/* The packet to send next and its departure time; NULL when empty. The
 * pointer is valid until the next pace_pop/pace_push. */
const struct rtpk_packet *pace_peek(const pace *q, uint64_t *due_ns);
void pace_pop(pace *q);

size_t pace_len(const pace *q);
/* How far ahead of now the last queued packet departs (0 when empty). */
uint64_t pace_ahead_ns(const pace *q, uint64_t now_ns);
/* Whether the source is live (known once it has started). */
void pace_set_live(pace *q, bool live);

/* Forget the anchor (a new source): the next packet sets a new one,
 * continuing after what is still queued. */
void pace_reanchor(pace *q);

const struct pace_stats *pace_stats(const pace *q);

#endif
