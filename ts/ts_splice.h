/* ts_splice: one continuous transport stream out of several in turn (the
 * channels a box watches one after the other), for the outputs that go on
 * across a zap: the HTTP stream /current, the UDP output, the player.
 *
 * A player reading such an output sees one stream. At a zap every clock
 * and counter of the new channel would jump: its PCR, PTS and DTS belong
 * to another encoder, its continuity counters start anywhere, its PAT and
 * PMT may carry the same version_number with other contents. VLC then
 * stalls ("PCR is called too late", "could not convert timestamp"), and a
 * demuxer that keeps a PMT by its version keeps the old codecs. So:
 *
 * - Timestamps: from the cut on, every PCR (adaptation field) and every
 *   PTS/DTS (PES header) of the new stream is shifted by one offset, so
 *   that the first packet handed on after the cut continues the output's
 *   timeline: its time is the last PCR out plus the packets since at the
 *   old stream's rate, plus one packet (about one packet interval after
 *   the old stream's last packet), or, when the caller gives wall-clock
 *   times, plus the time that really passed, if longer: a live player's
 *   clock ran on during the zap and must not find the new PCRs late. It
 *   is then raised if need be so that no PID goes back in time: its first
 *   new PES decodes at least 40 ms after the last one shown. The
 *   offset is a whole number of 90 kHz ticks so that PTS/DTS shift
 *   exactly; timestamps wrap at 33 bits as they do. The
 *   discontinuity_indicator is not set: there is none left. (OPCR and
 *   ESCR are not rewritten; nothing here uses them.)
 * - Continuity counters continue per PID where the output left them (as
 *   tsfix does at the edge).
 * - PAT and PMT of the new stream get version_number last out + 1 (CRC
 *   recomputed), and keep that version for as long as the stream does not
 *   change it, so that every demuxer takes the new program.
 *
 * The first stream goes out untouched (offset 0) until the first cut. The
 * caller chooses where the new stream starts (ts_start: at a random access
 * point, PAT and PMT first, after an end of sequence of the old video that
 * ts_splice_append() numbers) and hands every packet of the input to
 * ts_splice_input() so that its PCR and timestamps are known there. */
#ifndef TS_SPLICE_H
#define TS_SPLICE_H

#include <stdint.h>

typedef struct ts_splice ts_splice;

struct ts_splice_stats {
	uint64_t cuts;
	uint64_t restamped;   /* PCRs and PES headers rewritten */
	int64_t last_jump27;  /* the last cut's output PCR step (27 MHz) */
};

/* Returns NULL when out of memory. */
ts_splice *ts_splice_new(void);
void ts_splice_free(ts_splice *sp);

/* What follows comes from another stream. */
void ts_splice_cut(ts_splice *sp);

/* Every validated packet of the input, whether it goes out or not: follows
 * its PCR. */
void ts_splice_input(ts_splice *sp, const uint8_t *p);

/* A validated packet going out, rewritten in place. now_ns: when it goes
 * out (any monotonic clock), or 0 when there is no such time (a file). */
void ts_splice_output(ts_splice *sp, uint8_t *p, uint64_t now_ns);

/* A packet the caller adds to the end of the old stream after the cut
 * (an end of sequence): numbered on from the old stream's counter of its
 * PID, nothing else changed. */
void ts_splice_append(ts_splice *sp, uint8_t *p);

const struct ts_splice_stats *ts_splice_stats(const ts_splice *sp);

#endif
