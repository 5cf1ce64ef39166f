/* player: the box's own player. The released transport stream goes down a
 * pipe to the helper process sixcast-play (client/sixcast-play.c), where
 * GStreamer's playbin decodes it to the configured sinks (autovideosink
 * and autoaudiosink on a box with a screen, fakesink in tests); the helper
 * counts the decoded video frames so that zapping can be timed to the
 * first picture. The daemon itself links neither GStreamer nor GLib. */
#ifndef PLAYER_H
#define PLAYER_H

#include <stddef.h>
#include <stdint.h>

#include "sc_log.h"
#include "sc_loop.h"

typedef struct player player;

struct player_cfg {
	const char *video_sink; /* a sink or bin description: "autovideosink", "fakesink" */
	const char *audio_sink; /* "autoaudiosink", "fakesink" */
	const char *helper;     /* sixcast-play; NULL: beside the program, else PKGLIBEXECDIR */
};

struct player_stats {
	uint64_t frames;          /* video frames decoded since the last (re)start */
	uint64_t first_frame_ns;  /* clock time of the first of them, 0 before */
	uint64_t started_ns;      /* clock time of the last (re)start */
	uint64_t restarts, errors; /* errors: pipeline failures, helper deaths */
	uint64_t bytes;
	uint64_t dropped;         /* bytes not given to a helper that fell behind or was away */
};

/* Build (nothing plays until data comes: the helper starts then). cfg
 * strings are copied. Returns 0 and *out or a negative errno (logged). */
int player_new(sc_loop *loop, const struct player_cfg *cfg, const struct sc_logger *lg, player **out);
void player_free(player *p);

/* TS bytes to play (whole packets). Starts the helper on first data, and
 * again after it died (at most once a second). Never blocks. */
void player_push(player *p, const uint8_t *ts, size_t len);

/* A new channel: the pipeline starts over with the next data. */
void player_restart(player *p);

void player_get_stats(const player *p, struct player_stats *out);

#endif
