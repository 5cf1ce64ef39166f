/* mesh_bench: the mesh's figures from the simulation (tests/bench/mesh_sim.c):
 * at 20, 50 and 100 peers, with and without churn, the continuity index
 * (delivered / (delivered + missing at the deadline)), start-up delay (join
 * -> first packet played), playback lag behind the source's emission, the
 * source's upload as a multiple of the stream rate, and control overhead
 * as a share of the mesh's bytes. Built by make, run by hand:
 *
 *   build/tests/bench/mesh_bench [-d SECONDS] [-s SEED] [-p PEERS] [-c CHURN_MS] [-r PPS]
 *
 * Without -p it runs the table of the issue (20/50/100, churn off/on).
 * Targets: continuity >= 0.999, source upload <= 4x, start-up <= 2 s,
 * lag <= 2 s. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "mesh_sim.h"
#include "sc_clock.h"

static unsigned pps = 400;

static void row(unsigned peers, uint64_t churn_ms, unsigned secs, uint64_t seed)
{
	struct mesh_sim_config c;
	struct mesh_sim_result r;

	mesh_sim_config_defaults(&c);
	c.peers = peers;
	c.seed = seed;
	c.duration_ns = secs * SC_NS_PER_S;
	c.join_spread_ns = 3 * SC_NS_PER_S;
	c.churn_every_ns = churn_ms * SC_NS_PER_MS;
	c.pps = pps;
	if (mesh_sim_run(&c, &r) < 0) {
		fprintf(stderr, "mesh_bench: simulation failed\n");
		exit(1);
	}
	printf("%5u %6s %5llu %9u %10.5f %10.5f %9.0f %9.0f %8.0f %8.0f %8.2fx %7.2f%% %6.2f%% %5.1f %5u %4llu %4llu %4llu\n",
	       peers, churn_ms ? "yes" : "no", (unsigned long long)(churn_ms ? churn_ms : 0), r.survivors,
	       r.continuity_avg, r.continuity_min, r.startup_avg_ms, r.startup_max_ms, r.lag_avg_ms, r.lag_max_ms,
	       r.source_upload_x, 100 * r.control_share, 100 * r.dup_share, r.partners_avg_x10 / 10.0, r.depth_max,
	       (unsigned long long)r.kills, (unsigned long long)(r.dup_deliveries + r.order_errors),
	       (unsigned long long)r.corrupt);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	unsigned secs = 60, peers = 0;
	uint64_t seed = 1, churn = 0;
	int opt;

	while ((opt = getopt(argc, argv, "d:s:p:c:r:")) != -1) {
		switch (opt) {
		case 'd': secs = (unsigned)strtoul(optarg, NULL, 10); break;
		case 's': seed = strtoull(optarg, NULL, 10); break;
		case 'p': peers = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'c': churn = strtoull(optarg, NULL, 10); break;
		case 'r': pps = (unsigned)strtoul(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: %s [-d SECONDS] [-s SEED] [-p PEERS] [-c CHURN_MS] [-r PPS]\n", argv[0]);
			return 2;
		}
	}
	printf("mesh simulation: %u s, %u pps x 1316 B (%.1f Mb/s), 4 metros (2 ms within, 10 ms across),\n"
	       "jitter 1 ms, source max 3 direct children, 8 strips, playout delay 1.5 s; seed %llu\n",
	       secs, pps, pps * 1328 * 8 / 1e6, (unsigned long long)seed);
	printf("peers  churn  every survivors  cont.avg   cont.min  start.avg start.max  lag.avg  lag.max   src.up  control   dups  part depth kills bad  corr\n");
	printf("                (ms)                                     (ms)      (ms)     (ms)     (ms)\n");
	if (peers) {
		row(peers, churn, secs, seed);
		return 0;
	}
	row(20, 0, secs, seed);
	row(50, 0, secs, seed);
	row(100, 0, secs, seed);
	row(20, 2000, secs, seed);
	row(50, 1000, secs, seed);
	row(100, 500, secs, seed);
	return 0;
}
