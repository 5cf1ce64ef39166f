/* pcr: gives every TS packet of a channel a time on one continuous 27 MHz
 * timeline, from the stream's own PCRs.
 *
 * The edge paces by this time, and the RTP timestamps derive from it. A
 * packet's time is interpolated linearly between the PCRs around it (the
 * stream's byte rate is constant between PCRs, 2.4.2.2), so packets wait
 * here until the next PCR arrives: at most one PCR interval (<= 100 ms).
 *
 * The timeline never jumps: a PCR discontinuity (a looped file, a restarted
 * source, a PCR that goes backwards or leaps more than max_gap) continues
 * the timeline at the last known byte rate, and the 33-bit PCR wrap is
 * unfolded. A stream without PCRs is paced at a configured fallback bitrate,
 * or refused. */
#ifndef PCR_H
#define PCR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct pcr_timeline pcr_timeline;

struct pcr_stats {
	uint64_t packets;        /* TS packets timed */
	uint64_t pcrs;           /* PCRs used */
	uint64_t discontinuities;
	uint64_t dropped;        /* packets dropped for lack of PCR */
	uint64_t bitrate_bps;    /* byte rate of the last PCR interval, as bits/s */
};

/* max_pending: how many TS packets may wait for the next PCR before the
 * stream is declared PCR-less (then the fallback bitrate applies, or the
 * oldest are dropped when fallback_bps is 0). max_gap_ms: a PCR step longer
 * than this is a discontinuity. Returns NULL when out of memory. */
pcr_timeline *pcr_new(size_t max_pending, unsigned max_gap_ms, uint64_t fallback_bps);
void pcr_free(pcr_timeline *tl);

/* Forget the stream (a new source starts) but keep the timeline going:
 * the next packets continue after the last one timed. */
void pcr_restart(pcr_timeline *tl);

/* Queue one validated 188-byte TS packet (copied). Returns 0, or -ENOBUFS
 * when max_pending packets already wait: the packet is dropped and counted.
 * That happens when the caller does not pop, or when the stream has no PCR
 * and no fallback rate; with one, a ring full of PCR-less packets switches
 * the timeline to free-running (packets timed on arrival) until a PCR
 * shows up again. */
int pcr_push(pcr_timeline *tl, const uint8_t *ts);

/* Take the next timed packet: copies 188 bytes into ts and its time into
 * *t27. Returns 1, or 0 when the next packet still waits for a PCR. */
int pcr_pop(pcr_timeline *tl, uint8_t *ts, uint64_t *t27);

/* How many packets wait (timed or not). */
size_t pcr_pending(const pcr_timeline *tl);

/* Time packets still waiting for a PCR at the last known rate (end of a
 * file, a source that stopped). */
void pcr_flush(pcr_timeline *tl);

const struct pcr_stats *pcr_stats(const pcr_timeline *tl);

#endif
