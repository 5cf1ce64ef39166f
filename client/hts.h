/* hts: the set-top box's HTTP stream output, for VLC, mpv and ffplay.
 *
 *   GET /current          the channel being watched, as MPEG-TS, for ever
 *   GET /channel/ID       tune to channel ID, then the same
 *   GET /playlist.m3u     every channel as a link to /channel/ID
 *
 * A stream starts clean (ts_start.h): at the channel's next random access
 * point, PAT and PMT first, each other stream at its next PES, so a player
 * decodes from its first picture; a player that connects waits for that
 * point (up to a GOP). It goes on across channel changes as one stream
 * (ts_splice.h: clocks, counters and tables continue). A player that falls more than
 * its buffer (about two seconds) behind is disconnected rather than allowed
 * to hold memory or stall the box. HTTP/1.0-style: one response per
 * connection, closed at the end.
 *
 * At most 16 connections, kept honest by an sc_guard (hts_limits_default):
 * a few per address, the request head due within seconds of the connect,
 * and when every slot is taken the connection that has been reading its
 * request the longest is closed for the newcomer, so half-sent requests
 * never lock a player out. A streaming player with nothing to receive is
 * never idle; one that stops reading falls behind and is dropped. */
#ifndef HTS_H
#define HTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sc_addr.h"
#include "sc_guard.h"
#include "sc_log.h"
#include "sc_loop.h"
#include "ts_start.h"

#define HTS_MAX_CLIENTS 16

typedef struct hts hts;

struct hts_cb {
	/* A player asked for /channel/ID. Return 0 when the box tunes there
	 * (or already watches it), -ENOENT for an unknown channel. */
	int (*tune)(void *arg, uint32_t id);
	/* Write an M3U playlist whose links start with base ("http://host:port"). */
	void (*playlist)(void *arg, FILE *f, const char *base);
	void *arg;
};

struct hts_stats {
	uint64_t connections, streams, dropped_slow, bad_requests;
	uint64_t bytes;
	unsigned clients;
};

/* The defaults: 16 connections, 4 per address, the request within 5 s,
 * 30 s idle. */
void hts_limits_default(struct sc_guard_limits *lim);

/* Listen on addr. lim NULL: the defaults; max_conns is capped at
 * HTS_MAX_CLIENTS. cb is copied. Returns 0 and *out, or a negative errno
 * (logged). */
int hts_new(sc_loop *loop, const struct sc_sockaddr *addr, const struct sc_guard_limits *lim,
	    const struct hts_cb *cb, const struct sc_logger *lg, hts **out);
/* New limits (a reload), as in hts_new(). */
void hts_set_limits(hts *h, const struct sc_guard_limits *lim);
void hts_free(hts *h);

/* The packets st was last fed (ts_start_feed): each streaming player gets
 * its part (ts_start_out). A zap is st's to handle (ts_start_zap). */
void hts_write(hts *h, const ts_start *st);

/* The port listened on (after binding port 0). */
unsigned hts_port(const hts *h);
const struct hts_stats *hts_stats(const hts *h);
/* Connections refused and closed by the limits. */
const struct sc_guard_stats *hts_guard_stats(const hts *h);

#endif
