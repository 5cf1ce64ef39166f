/* play_proto: what sixcast-client (client/player.c) and its player helper
 * sixcast-play (client/sixcast-play.c) say to each other over two pipes.
 * Both ends are built from the same tree and run on the same machine, so
 * the records are in host byte order.
 *
 * Daemon -> helper (the helper's stdin): messages of a 4-byte header and a
 * body, each at most PLAY_MSG_MAX bytes in all, so that one write() to the
 * pipe is atomic (PIPE_BUF): a message is never torn, even when the
 * daemon's non-blocking write finds the pipe full (it then drops it whole).
 *   PLAY_DATA:    body = whole TS packets to play
 *   PLAY_RESTART: no body; a new channel: the pipeline starts over with the
 *                 next data
 *
 * Helper -> daemon (the helper's stdout): struct play_status records, each
 * the whole state since the last restart, written after every decoded video
 * frame and after an error; a record lost to a full pipe is superseded by
 * the next. */
#ifndef PLAY_PROTO_H
#define PLAY_PROTO_H

#include <stdint.h>

#define PLAY_MSG_MAX 4096
#define PLAY_HDR 4

enum play_msg { PLAY_DATA = 'D', PLAY_RESTART = 'R' };

struct play_hdr {
	uint8_t type;   /* enum play_msg */
	uint8_t zero;
	uint16_t len;   /* of the body */
};

struct play_status {
	uint64_t frames;         /* video frames decoded since the last restart */
	uint64_t first_frame_ns; /* CLOCK_MONOTONIC of the first of them; 0 before */
	uint32_t restarts;       /* PLAY_RESTART messages seen: tells records apart */
	uint32_t errors;         /* pipeline errors (each restarts the pipeline) */
};

#endif
