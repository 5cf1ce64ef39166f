/* tsin: turns a byte stream into validated TS packets and watches them.
 *
 * Framing (tsin_feed): finds and keeps the 0x47 sync every 188 bytes, even
 * when the source hands over arbitrary chunks; bytes between a lost sync and
 * the next confirmed one are skipped and counted, so an ISP engineer can tell
 * a damaged source from a network fault.
 *
 * Watching (done for every packet before it is handed on): the PAT and PMT,
 * to learn which PID carries video and its codec, so that random access
 * points for fast channel change are those the video itself shows
 * (ts_es.h: an IDR, an I picture after a sequence header, an HEVC IRAP),
 * the random access indicator counting only where the video cannot tell;
 * and the continuity counters of every PID, whose errors measure the
 * source. */
#ifndef TSIN_H
#define TSIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ts.h"

typedef struct tsin tsin;

struct tsin_stats {
	uint64_t bytes;
	uint64_t packets;      /* valid packets handed on */
	uint64_t sync_losses;  /* times sync was lost after having it */
	uint64_t skipped;      /* bytes skipped while out of sync */
	uint64_t invalid;      /* packets in sync but malformed (ts_check) */
	uint64_t cc_errors;    /* continuity counter jumps, over all PIDs */
	uint64_t raps;         /* random access points seen */
	uint64_t rai_refused;  /* RAIs on video the stream says is no RAP */
	int video_pid;         /* -1 until a PMT names one */
	uint8_t video_type;    /* its stream_type */
	int pmt_pid;           /* -1 until the PAT is seen */
	enum ts_err last_error;
};

/* Called for each good packet; rap: a random access point of the video
 * (tsin_rap); pat: a packet starting a PAT section. */
typedef void (*tsin_fn)(void *arg, const uint8_t *ts, bool rap, bool pat);

/* Returns NULL when out of memory. */
tsin *tsin_new(void);
void tsin_free(tsin *in);

/* Feed len bytes (any chunking). Calls fn for every complete packet.
 * Returns the number of packets handed on. */
size_t tsin_feed(tsin *in, const uint8_t *data, size_t len, tsin_fn fn, void *arg);

/* Forget sync, PSI and continuity state (a new source); stats stay. */
void tsin_reset(tsin *in);

/* Whether a validated packet starts a random access point of the video as
 * far as the PSI seen so far tells: ts_es_is_rap() on the video PID; on
 * any PID's RAI before a PMT names the video. */
bool tsin_rap(const tsin *in, const uint8_t *p);

/* Whether the stream is in sync now. */
bool tsin_synced(const tsin *in);

const struct tsin_stats *tsin_stats(const tsin *in);

#endif
