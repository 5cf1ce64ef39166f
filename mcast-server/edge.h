/* edge: the running edge server: its channels, the send scheduler, the SDP
 * service, and reconfiguration without disturbing unchanged channels. */
#ifndef EDGE_H
#define EDGE_H

#include "edge_cfg.h"
#include "sc_loop.h"

typedef struct edge edge;

/* Build the edge from cfg (taken over: the edge frees it) on loop. Channels
 * start at once. Returns 0 and *out, or a negative errno (logged). */
int edge_new(sc_loop *loop, struct edge_cfg *cfg, edge **out);
void edge_free(edge *e);

/* Apply a new configuration (taken over): channels that are new start,
 * removed ones stop, changed ones restart, the others go on untouched.
 * Settings that need a restart of the daemon are logged. Returns 0. */
int edge_reconfigure(edge *e, struct edge_cfg *cfg);

/* A one-line summary for logs and systemd. */
void edge_status(const edge *e, char *buf, size_t len);

#endif
