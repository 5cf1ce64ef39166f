/* rtx_sim: a deterministic, seeded simulation of a repair group: a source
 * multicasting an RTP stream to N client sessions of libsixcast-retransmit
 * (and optionally an edge RET server), over a simulated network with
 * per-path delay and jitter and per-receiver loss (independent or in
 * outages of a given length) that can hit requests and repairs too.
 *
 * Time is simulated: every session's clock is the simulator's (the now_ns
 * seam), datagrams go through the send seam into an event queue, and each
 * session's next deadline becomes a timer event. Same parameters and seed,
 * same run, to the byte. Used by tests/unit/test_rtx_sim.c (which asserts
 * what is certain) and tests/bench/rtx_bench.c (which measures). */
#ifndef RTX_SIM_H
#define RTX_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtx.h"

#define RTX_SIM_MAX_MEMBERS 16

enum rtx_sim_kind {
	RTX_SIM_MCAST, /* a stream packet to a member (or the edge) */
	RTX_SIM_PEER,  /* a repair-protocol datagram */
};

/* A datagram about to be delivered, for the drop hook. */
struct rtx_sim_dgram {
	enum rtx_sim_kind kind;
	int from, to;        /* node indices; the source is -1, the edge N */
	uint64_t index;      /* stream packet index (RTX_SIM_MCAST) */
	int type;            /* enum rtx_msg_type (RTX_SIM_PEER) */
	uint64_t at_ns;
};

struct rtx_sim_params {
	unsigned members;         /* group size, <= RTX_SIM_MAX_MEMBERS */
	uint64_t packets;         /* stream packets that count */
	uint32_t pps;             /* stream rate */
	/* 0: one packet every 1/pps. Otherwise a video stream's shape: fps
	 * frames a second, each a burst of packets sent back to back with one
	 * RTP timestamp, the first frame of every gop frames iframe_weight
	 * times the size of the others, pps packets a second on average. */
	unsigned fps, gop, iframe_weight;
	size_t payload;           /* RTP payload bytes (1316: 7 TS packets) */
	double loss;              /* mean loss on each member's downlink */
	unsigned burst;           /* 0: independent; L: outages of L packet times */
	bool unicast_loss;        /* the loss also hits requests and repairs */
	enum rtx_policy policy;
	bool ret;                 /* an edge RET server takes part */
	uint64_t delay_ns;        /* playback delay */
	uint64_t seed;
	/* network: one-way delays, uniform in [min, max] per path, plus
	 * uniform jitter per datagram */
	uint64_t mc_min_ns, mc_max_ns, mc_jitter_ns;
	uint64_t p2p_min_ns, p2p_max_ns, uc_jitter_ns;
	uint64_t ret_ns;
	bool measure_cpu;         /* time every library call */
	/* Optional: member 0's multicast blocked for good from this stream
	 * packet on (0: never), on top of the loss model. */
	uint64_t blocked_from;
	/* Optional: decide drops instead of the loss model (true: drop). */
	bool (*drop)(void *ctx, const struct rtx_sim_dgram *d);
	void *drop_ctx;
	/* Optional: adjust each session's settings before it is created. */
	void (*tweak)(void *ctx, int node, struct rtx_config *cfg);
	void *tweak_ctx;
	/* Optional regroup at regroup_ns (0: none): every member gets version
	 * 2 of the group with a new key, each at a different moment within
	 * regroup_skew_ns; with regroup_drop_last, the last member is left out
	 * of version 2 (and leaves). */
	uint64_t regroup_ns, regroup_skew_ns;
	bool regroup_drop_last;
};

struct rtx_sim_result {
	uint64_t expected;        /* counted packets after each member's start */
	uint64_t delivered, lost; /* at playback, counted packets */
	uint64_t lost_any;        /* counted packets lost at one member or more:
				     losses are correlated across members, so
				     confidence bounds count these against
				     `packets`, not `lost` against `expected` */
	uint64_t dup_deliveries, order_errors, content_errors;
	uint64_t mcast_sent, mcast_dropped, unicast_sent, unicast_dropped;
	struct rtx_stats members; /* summed over the members */
	struct rtx_stats edge;
	uint64_t lib_ns, lib_calls; /* time in library calls, when measured */
	uint64_t cb_ns, cb_calls;   /* ... of which in the simulator's callbacks */
	uint64_t loop_wall_ns, loop_cpu_ns; /* the whole event loop: wall and
					       thread CPU time (preemption) */
	uint64_t events;
	uint64_t lost_by_member[RTX_SIM_MAX_MEMBERS];
};

/* Fill p with the benchmark's defaults: 5 members, 1000 packets/s of
 * 1316-byte payloads, 300 ms delay, metro-to-metro paths (one-way 3-25 ms
 * between members, 2-10 ms from the source, 8 ms to the edge). */
void rtx_sim_defaults(struct rtx_sim_params *p);

/* Run the simulation. Returns 0, or a negative errno (-EINVAL for bad
 * parameters, -ENOMEM). */
int rtx_sim_run(const struct rtx_sim_params *p, struct rtx_sim_result *r);

#endif
