/* rtx_bench: the retransmit library's figures, from the deterministic
 * simulation of a group (rtx_sim.c): for loss of 1, 5, 10, 20% independent
 * and in bursts of 10, 50, 200 packets (5% mean), with the loss hitting
 * requests and repairs too, and for each policy: residual loss at
 * playback, requests and repairs per lost packet, duplicates per repaired
 * packet, repair latency p50/p99, library CPU time per packet.
 *
 *   build/tests/bench/rtx_bench                      the table (1M packets a row)
 *   build/tests/bench/rtx_bench --headline 10000000  + the 5%/peers-only target row
 *   build/tests/bench/rtx_bench --delays             residual loss against the delay
 *   build/tests/bench/rtx_bench --blocked            a member without multicast pulls
 *                                                    a TV channel from its group and RET
 *   options: --packets N --seed N --ret --policy all|ranked --delay MS --quick
 *
 * There is no reference tool to run beside it in a pure simulation; RIST
 * is compared in the lab by the client's benchmark. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rtx_sim.h"

#define MS 1000000ULL

struct opts {
	uint64_t packets, headline, seed;
	uint64_t delay_ms;
	bool ret, delays, quick, blocked;
	int policy; /* -1: both */
};

struct scenario {
	const char *name;
	double loss;
	unsigned burst;
};

static const struct scenario scenarios[] = {
	{ "1% indep", 0.01, 0 },
	{ "5% indep", 0.05, 0 },
	{ "10% indep", 0.10, 0 },
	{ "20% indep", 0.20, 0 },
	{ "burst 10 (5%)", 0.05, 10 },
	{ "burst 50 (5%)", 0.05, 50 },
	{ "burst 200 (5%)", 0.05, 200 },
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Cost of one clock read: the least of a few tries, which is the one
 * nobody interrupted. */
static double timer_overhead_ns(void)
{
	double best = 1e9, t;
	uint64_t t0, x = 0;
	int i, k;

	for (k = 0; k < 20; k++) {
		t0 = mono_ns();
		for (i = 0; i < 100000; i++)
			x += mono_ns();
		t = (double)(mono_ns() - t0) / 100000.0;
		if (t < best)
			best = t;
	}
	(void)x;
	return best;
}

/* One-sided 95% upper bound of a Poisson mean given k events
 * (Wilson-Hilferty), divided by n trials. */
static double upper95(uint64_t k, uint64_t n)
{
	double v = 2.0 * (double)k + 2.0, z = 1.6449;
	double c = v * pow(1.0 - 2.0 / (9.0 * v) + z * sqrt(2.0 / (9.0 * v)), 3.0);

	return n ? c / 2.0 / (double)n : 0;
}

static void header(void)
{
	printf("%-15s %-6s %4s %10s %9s %8s %8s %8s %8s %7s %7s %7s\n", "scenario", "policy",
	       "RET", "packets", "residual", "95%<=", "req/lost", "rep/lost", "dup/rep",
	       "p50 ms", "p99 ms", "ns/pkt");
}

static void row(const char *name, const struct rtx_sim_params *p, const struct rtx_sim_result *r,
		double overhead)
{
	const struct rtx_stats *m = &r->members;
	double lost = m->gaps ? (double)m->gaps : 1;
	double repaired = (double)(m->repaired_peer + m->repaired_ret);
	/* Each timed call costs one clock read beyond what it measures; the
	 * callbacks' own reads sit inside the library's measurement. Wall
	 * time includes time other processes took the CPU from us: scale by
	 * the loop's CPU/wall ratio (preemption hits the library and the
	 * simulator alike). */
	double lib = ((double)r->lib_ns - (double)r->cb_ns -
		      overhead * (double)(r->lib_calls + 2 * r->cb_calls)) *
		     ((double)r->loop_cpu_ns / (double)(r->loop_wall_ns ? r->loop_wall_ns : 1));
	double pkts = (double)r->mcast_sent * p->members;

	printf("%-15s %-6s %4s %10llu %9.2e %8.1e %8.2f %8.2f %8.2f %7.1f %7.1f %7.0f\n", name,
	       rtx_policy_name(p->policy), p->ret ? "yes" : "no",
	       (unsigned long long)p->packets, (double)r->lost / (double)r->expected,
	       upper95(r->lost_any, p->packets),
	       (double)(m->requests_sent + m->ret_requests_sent) / lost,
	       (double)(m->repairs_sent + r->edge.repairs_sent) / lost,
	       repaired ? (double)m->duplicates / repaired : 0,
	       (double)rtx_stats_latency_ns(m, 0.5) / 1e6, (double)rtx_stats_latency_ns(m, 0.99) / 1e6,
	       lib > 0 ? lib / pkts : 0);
	if (r->dup_deliveries || r->order_errors || r->content_errors)
		printf("  !! invariant broken: %llu duplicates, %llu out of order, %llu corrupted\n",
		       (unsigned long long)r->dup_deliveries, (unsigned long long)r->order_errors,
		       (unsigned long long)r->content_errors);
	fflush(stdout);
}

static int run_one(const struct opts *o, const struct scenario *sc, int policy, uint64_t packets,
		   bool ret, uint64_t delay_ms, double overhead)
{
	struct rtx_sim_params p;
	struct rtx_sim_result r;
	int rc;

	rtx_sim_defaults(&p);
	p.packets = packets;
	p.loss = sc->loss;
	p.burst = sc->burst;
	p.policy = policy;
	p.ret = ret;
	p.delay_ns = delay_ms * MS;
	p.seed = o->seed;
	p.measure_cpu = true;
	rc = rtx_sim_run(&p, &r);
	if (rc < 0) {
		fprintf(stderr, "rtx_bench: simulation failed: %s\n", strerror(-rc));
		return rc;
	}
	row(sc->name, &p, &r, overhead);
	return 0;
}

static int for_policies(const struct opts *o, const struct scenario *sc, uint64_t packets,
			bool ret, uint64_t delay_ms, double overhead)
{
	int pol;

	for (pol = RTX_POLICY_ALL; pol <= RTX_POLICY_RANKED; pol++)
		if ((o->policy < 0 || o->policy == pol) &&
		    run_one(o, sc, pol, packets, ret, delay_ms, overhead) < 0)
			return 1;
	return 0;
}

static int delay_sweep(const struct opts *o, double overhead)
{
	static const uint64_t delays[] = { 100, 150, 200, 250, 300, 400 };
	static const int which[] = { 1, 3, 6 };
	size_t i, j;

	for (j = 0; j < sizeof(which) / sizeof(which[0]); j++)
		for (i = 0; i < sizeof(delays) / sizeof(delays[0]); i++) {
			printf("delay %3llu ms: ", (unsigned long long)delays[i]);
			if (for_policies(o, &scenarios[which[j]], o->packets, o->ret, delays[i],
					 overhead))
				return 1;
		}
	return 0;
}

/* Member 0's multicast blocked after 500 packets of a channel of 0.4, 1.7
 * and 8.4 Mb/s (40, 160 and 800 packets/s in 25 frames/s, an I-frame ten
 * times a P-frame every second), 5% loss everywhere, RET on: what the blocked
 * member loses and what its pull costs (the other members repair only
 * their own 5%). */
static int blocked(const struct opts *o)
{
	static const uint32_t rates[] = { 40, 160, 800 };
	struct rtx_sim_params p;
	struct rtx_sim_result r;
	double secs;
	int pol, rc;
	size_t i;

	printf("%-6s %5s %10s %10s %9s %9s %9s %9s\n", "policy", "pps", "pulled", "lost at 0",
	       "req/s", "RET req/s", "MISSING/s", "rep p99");
	for (i = 0; i < sizeof(rates) / sizeof(rates[0]); i++)
	for (pol = RTX_POLICY_ALL; pol <= RTX_POLICY_RANKED; pol++) {
		if (o->policy >= 0 && o->policy != pol)
			continue;
		rtx_sim_defaults(&p);
		p.pps = rates[i];
		p.packets = (o->quick ? 25 : 100) * p.pps;
		p.fps = 25;
		p.gop = 25;
		p.iframe_weight = 10;
		p.policy = pol;
		p.ret = true;
		p.delay_ns = o->delay_ms * MS;
		p.seed = o->seed;
		p.blocked_from = 500;
		if ((rc = rtx_sim_run(&p, &r)) < 0) {
			fprintf(stderr, "rtx_bench: simulation failed: %s\n", strerror(-rc));
			return 1;
		}
		secs = (double)(p.packets - p.blocked_from) / p.pps;
		printf("%-6s %5u %10llu %10llu %9.0f %9.0f %9.0f %9.1f\n", rtx_policy_name(pol), p.pps,
		       (unsigned long long)r.members.pulled, (unsigned long long)r.lost_by_member[0],
		       (double)r.members.requests_sent / secs, (double)r.members.ret_requests_sent / secs,
		       (double)r.members.missing_received / secs,
		       (double)rtx_stats_latency_ns(&r.members, 0.99) / 1e6);
	}
	printf("columns: pulled = numbers predicted, lost at 0 = packets the blocked member did "
	       "not play; req/s, RET req/s, MISSING/s = request datagrams to peers and RET and "
	       "MISSING answers, all members, per second of blocked stream; rep p99 = repair "
	       "latency (ms) from detection\n");
	return 0;
}

static int parse(int argc, char **argv, struct opts *o)
{
	int i;

	*o = (struct opts){ .packets = 1000000, .seed = 1, .delay_ms = 300, .policy = -1 };
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--packets") && v)
			o->packets = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(a, "--headline") && v)
			o->headline = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(a, "--seed") && v)
			o->seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(a, "--delay") && v)
			o->delay_ms = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(a, "--policy") && v && rtx_policy_parse(v) >= 0)
			o->policy = rtx_policy_parse(argv[++i]);
		else if (!strcmp(a, "--ret"))
			o->ret = true;
		else if (!strcmp(a, "--delays"))
			o->delays = true;
		else if (!strcmp(a, "--blocked"))
			o->blocked = true;
		else if (!strcmp(a, "--quick"))
			o->quick = true;
		else
			return -EINVAL;
	}
	if (o->quick)
		o->packets = 100000;
	return o->packets ? 0 : -EINVAL;
}

int main(int argc, char **argv)
{
	struct opts o;
	double overhead;
	size_t i;
	uint64_t t0 = mono_ns();

	if (parse(argc, argv, &o) < 0) {
		fprintf(stderr, "usage: %s [--packets N] [--headline N] [--seed N] [--delay MS]\n"
				"       [--policy all|ranked] [--ret] [--delays] [--blocked] [--quick]\n", argv[0]);
		return 2;
	}
	if (o.blocked)
		return blocked(&o);
	overhead = timer_overhead_ns();
	printf("rtx_bench: simulated group of 5, 1000 packets/s of 1328 bytes, one-way 3-25 ms "
	       "between members, loss also on requests and repairs, seed %llu, delay %llu ms\n"
	       "(no reference tool runs in a pure simulation; RIST is compared in the lab)\n",
	       (unsigned long long)o.seed, (unsigned long long)o.delay_ms);
	header();
	if (o.delays)
		return delay_sweep(&o, overhead);
	if (o.headline && for_policies(&o, &scenarios[1], o.headline, false, o.delay_ms, overhead))
		return 1;
	for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		if (for_policies(&o, &scenarios[i], o.packets, o.ret, o.delay_ms, overhead))
			return 1;
	printf("columns: residual = lost at playback / packets due, per member; 95%%<= = one-sided "
	       "95%% upper bound on it, from the stream packets lost at any member (losses are "
	       "correlated across members, so this counts events, not member-packets); req, rep = request and repair datagrams per lost packet; dup/rep = "
	       "duplicate repairs per repaired packet; ns/pkt = library CPU per stream packet per "
	       "member. %.1f s.\n", (double)(mono_ns() - t0) / 1e9);
	return 0;
}
