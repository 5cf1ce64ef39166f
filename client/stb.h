/* stb: the set-top box daemon's core. It registers with the management
 * server, keeps the line-up, tunes channels (source-specific join through
 * igmp-mld, repair through the retransmit library: the group first, the
 * edge's RET behind it, a fast-channel-change burst on tune), feeds the
 * released stream to the outputs, heartbeats its statistics, applies group
 * changes, and serves the local control API. Everything runs on one
 * sc_loop; nothing blocks.
 *
 * When the management server is away the box keeps playing what it plays
 * (multicast and the repair group it has), tunes from the line-up it
 * already knows, and retries with backoff. */
#ifndef STB_H
#define STB_H

#include "sc_loop.h"
#include "stb_cfg.h"

typedef struct stb stb;

/* Start the box: opens the repair socket, the outputs and the control API,
 * then registers (asynchronously). cfg is copied. Returns 0 and *out, or a
 * negative errno (logged in words). */
int stb_new(sc_loop *loop, const struct stb_cfg *cfg, stb **out);

/* Leave the channel, tell the management server (waiting at most
 * timeout_ms for its answer, running the loop meanwhile) and free. NULL is
 * ignored. */
void stb_free(stb *s, unsigned timeout_ms);

/* Apply a re-read configuration (SIGHUP): what can change live changes,
 * the rest is logged as needing a restart. */
void stb_reconfigure(stb *s, const struct stb_cfg *cfg);

/* One line for the log and systemd's status. */
void stb_status_line(const stb *s, char *buf, size_t len);

#endif
