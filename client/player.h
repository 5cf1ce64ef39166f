/* player: the box's own player. GStreamer's playbin decodes the released
 * transport stream from an appsrc to the configured sinks (autovideosink
 * and autoaudiosink on a box with a screen, fakesink in tests), and the
 * decoded video frames are counted so that zapping can be timed to the
 * first picture. */
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
};

struct player_stats {
	uint64_t frames;          /* video frames decoded since the last (re)start */
	uint64_t first_frame_ns;  /* clock time of the first of them, 0 before */
	uint64_t started_ns;      /* clock time of the last (re)start */
	uint64_t restarts, errors;
	uint64_t bytes;
};

/* Build (nothing plays until data comes). cfg strings are copied. Returns
 * 0 and *out or a negative errno (logged). */
int player_new(sc_loop *loop, const struct player_cfg *cfg, const struct sc_logger *lg, player **out);
void player_free(player *p);

/* TS bytes to play (whole packets). Starts the pipeline on first data. */
void player_push(player *p, const uint8_t *ts, size_t len);

/* A new channel: the pipeline starts over with the next data. */
void player_restart(player *p);

void player_get_stats(const player *p, struct player_stats *out);

#endif
