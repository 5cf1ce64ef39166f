/* ts_start: where an output of a channel may begin, so that every player
 * starts clean: the HTTP output's connections, the UDP output, the
 * recording and the box's player.
 *
 * One ts_start per channel stream parses each packet once for all its
 * outputs: it learns the PAT and the PMT (keeping copies of the latest),
 * the video PID and its stream type, and marks the random access points
 * (RAP) of the video as ts_es_is_rap() reads them. An output holds only a
 * struct ts_start_out (a few bytes): waiting or streaming, and which of the
 * program's streams it has begun.
 *
 * An output that starts, or starts over, gets nothing until the next RAP;
 * there it gets the PAT and the PMT (copies whose continuity counters lead
 * into the packets that follow), then the RAP's packet and what follows.
 * Each other stream of the program (audio, subtitles) begins at its next
 * PES start, so that no player sees a cut PES. Nothing is buffered: a new
 * output waits for the next RAP of the live stream, up to one GOP (a
 * second or two on most channels, 4 s on some HEVC ones), rather than the
 * box keeping a GOP per channel.
 *
 * A zap (ts_start_zap): the new channel's PAT and PMT are learnt afresh;
 * its packets are held back from every output until its first RAP, where
 * every output, streaming or not, starts as above. With a ts_splice
 * (ts_start_new(true)) the outputs' stream stays one continuous stream
 * across zaps (ts_splice.h): the start after a zap then also waits for
 * the new channel's PCR.
 *
 * Use: feed the packets in order, a bounded number at a time, then let
 * each output take its part of what was fed:
 *
 *	for (size_t off = 0; off < len;) {
 *		off += ts_start_feed(st, ts + off, len - off, now_ns);
 *		ts_start_out(st, &out_a, emit_a, a);
 *		ts_start_out(st, &out_b, emit_b, b);
 *	}
 */
#ifndef TS_START_H
#define TS_START_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ts_splice.h"

/* Packets taken by one ts_start_feed(). */
#define TS_START_MAX 64

typedef struct ts_start ts_start;

/* One output's state. Zero (or ts_start_out_reset) is "waiting". */
struct ts_start_out {
	bool streaming;
	uint32_t begun; /* bit i: stream i of the PMT has begun a PES */
};

struct ts_start_stats {
	uint64_t packets;     /* fed */
	uint64_t raps;        /* random access points of the video */
	uint64_t rai_only;    /* of them, taken on the RAI (the video did not tell) */
	uint64_t rai_refused; /* RAIs on packets the video says are no RAP */
	uint64_t zaps;
	uint64_t held;        /* packets held back after a zap before its RAP */
	int video_pid;        /* -1 until a PMT names one */
	uint8_t video_type;
};

/* splice: keep the outputs one continuous stream across zaps. Returns NULL
 * when out of memory. */
ts_start *ts_start_new(bool splice);
void ts_start_free(ts_start *st);

/* Take up to TS_START_MAX whole 188-byte packets from ts[0..len), which it
 * may rewrite in place (splicing); malformed packets pass unparsed. now_ns
 * as for ts_splice_output(). Returns the bytes taken (0 only when len is
 * under 188). */
size_t ts_start_feed(ts_start *st, uint8_t *ts, size_t len, uint64_t now_ns);

/* The next packets are another channel. */
void ts_start_zap(ts_start *st);

typedef void (*ts_start_emit)(void *arg, const uint8_t *ts, size_t len);

/* Hand output o its part of the packets last fed, as runs of whole
 * packets: the fed buffer itself and the PAT/PMT copies, valid during the
 * call only. */
void ts_start_out(const ts_start *st, struct ts_start_out *o, ts_start_emit emit, void *arg);

/* The output starts over: it waits for the next RAP. */
static inline void ts_start_out_reset(struct ts_start_out *o)
{
	o->streaming = false;
	o->begun = 0;
}

/* Index, in the packets last fed, of the packet where a waiting output
 * starts (a RAP with PAT and PMT known), or -1. */
int ts_start_point(const ts_start *st);

const struct ts_start_stats *ts_start_stats(const ts_start *st);
/* NULL unless splicing. */
const struct ts_splice_stats *ts_start_splice_stats(const ts_start *st);

#endif
