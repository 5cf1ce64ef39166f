/* mesh_sim: a deterministic simulation of one channel's mesh in one
 * process: a source node fed with a synthetic RTP/MP2T stream and N peer
 * nodes, on a fake clock, over a simulated network (per-link latency from
 * the metro layout, jitter, random loss), with a tracker that hands out k
 * near + l random peers and the hosting node's direct slots, and optional
 * churn (peers killed without a word and restarted later). Every node has
 * its own member identity from one CA (tests/unit/tu_ident.h), made anew
 * when a killed peer restarts; the tracker hands out certificates with the
 * addresses, as the management server does. Used by the
 * unit test (tests/unit/test_mesh_sim.c: what is certain) and the
 * benchmark (tests/bench/mesh_bench.c: the figures). */
#ifndef MESH_SIM_H
#define MESH_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "mesh.h"

struct mesh_sim_config {
	unsigned peers;
	unsigned metros;         /* peers are spread over these */
	uint64_t seed;
	uint64_t duration_ns;
	uint64_t join_spread_ns; /* peers join uniformly over this */
	unsigned pps;            /* stream packets per second */
	unsigned payload;        /* RTP payload bytes (7 x 188) */
	uint64_t lat_metro_ns;   /* one way, within a metro */
	uint64_t lat_core_ns;    /* one way, across metros / to the source */
	uint64_t jitter_ns;
	double loss;             /* per datagram, every link */
	uint64_t churn_every_ns; /* 0: no churn; else a kill this often */
	uint64_t churn_down_ns;  /* a killed peer restarts this much later */
	unsigned max_children;   /* the source's direct slots */
	/* applied to every peer's mesh_config after the defaults */
	void (*tune)(struct mesh_config *cfg, void *arg);
	void *tune_arg;
};

void mesh_sim_config_defaults(struct mesh_sim_config *c);

struct mesh_sim_result {
	/* certain things (the unit test asserts them) */
	uint64_t dup_deliveries;   /* a sequence delivered twice to one peer */
	uint64_t order_errors;     /* delivered out of order */
	uint64_t corrupt;          /* not byte-identical to what was emitted */
	/* figures over the peers that never died */
	unsigned survivors;
	double continuity_min, continuity_avg; /* delivered / (delivered + lost) */
	double startup_avg_ms, startup_max_ms; /* join -> first delivery */
	double lag_avg_ms, lag_max_ms;         /* emission -> delivery */
	double source_upload_x;    /* source's bytes sent / stream bytes */
	double control_share;      /* control bytes / all mesh bytes */
	double dup_share;          /* duplicate data received / data received */
	uint64_t delivered, lost, kills;
	unsigned partners_avg_x10, depth_max;
	uint64_t pushed, pulled, urgent;
};

/* Run a whole simulation. Returns 0 or a negative errno. */
int mesh_sim_run(const struct mesh_sim_config *c, struct mesh_sim_result *r);

#endif
