/* bench_mld_joinlat: join-to-first-packet latency, in a lab host.
 *
 * With a sender running at a steady rate elsewhere in the lab, joins the
 * group N times and measures, each time, from just before the join to the
 * first datagram on the socket: the report's trip to the snooping bridges
 * and the querier, the bridges opening the path, and the next packet of the
 * stream. Between joins it leaves and waits until the stream has stopped
 * reaching the host's wire (libpcap on the interface, quiet for 300 ms), so
 * that every join starts from a pruned path, as when a viewer zaps to a
 * channel nobody on the segment watches.
 *
 *   bench_mld_joinlat -g GROUP:PORT -s SOURCE -i IFACE [-n 50] [--fast | --raw]
 *
 * --fast sets MLD_RECV_FAST_JOIN (the report leaves at once from a raw
 * socket instead of on the kernel's timer). --raw joins with a bare
 * MCAST_JOIN_SOURCE_GROUP on a plain socket instead of mld_recv_open(): the
 * reference, what any tool does. Prints one line
 * per join and a summary line "median_ms=... p99_ms=...". Run by
 * tests/bench/mld_joinlat.sh. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "mld.h"
#include "sc_addr.h"

struct opts {
	const char *group, *source, *iface;
	int n;
	bool raw, fast;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Wait until the wire has been quiet for quiet_ms (at most max_ms).
 * Returns 0 when quiet, -ETIMEDOUT otherwise. */
static int wait_quiet(pcap_t *p, double quiet_ms, double max_ms)
{
	double start = now_ms(), last = start;
	struct pcap_pkthdr *h;
	const u_char *d;

	while (now_ms() - start < max_ms) {
		struct pollfd pf = { pcap_get_selectable_fd(p), POLLIN, 0 };

		poll(&pf, 1, 20);
		while (pcap_next_ex(p, &h, &d) == 1)
			last = now_ms();
		if (now_ms() - last >= quiet_ms)
			return 0;
	}
	return -ETIMEDOUT;
}

static pcap_t *wire(const char *iface, uint16_t port)
{
	char err[PCAP_ERRBUF_SIZE], filter[64];
	struct bpf_program prog;
	pcap_t *p = pcap_create(iface, err);

	if (!p || pcap_set_immediate_mode(p, 1) < 0 || pcap_set_snaplen(p, 64) < 0 ||
	    pcap_activate(p) < 0) {
		fprintf(stderr, "pcap on %s: %s\n", iface, p ? pcap_geterr(p) : err);
		exit(2);
	}
	snprintf(filter, sizeof(filter), "udp dst port %u", port);
	if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0 || pcap_setfilter(p, &prog) < 0 ||
	    pcap_setnonblock(p, 1, err) < 0) {
		fprintf(stderr, "pcap filter: %s\n", pcap_geterr(p));
		exit(2);
	}
	pcap_freecode(&prog);
	return p;
}

/* A bare socket joined with one setsockopt, the way every tool does it. */
static int raw_join(const struct sc_sockaddr *g, const struct sc_sockaddr *s, unsigned ifindex)
{
	int fam = sc_addr_family(g), fd = socket(fam, SOCK_DGRAM | SOCK_NONBLOCK, 0), one = 1;
	struct group_source_req r = { .gsr_interface = ifindex };

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, &g->u.sa, g->len) < 0)
		return -errno;
	memcpy(&r.gsr_group, &g->u.ss, g->len);
	memcpy(&r.gsr_source, &s->u.ss, s->len);
	if (setsockopt(fd, fam == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP, MCAST_JOIN_SOURCE_GROUP, &r,
		       sizeof(r)) < 0)
		return -errno;
	return fd;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "group", required_argument, NULL, 'g' }, { "source", required_argument, NULL, 's' },
		{ "iface", required_argument, NULL, 'i' }, { "count", required_argument, NULL, 'n' },
		{ "raw", no_argument, NULL, 'R' },         { "fast", no_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "g:s:i:n:RF", lo, NULL)) != -1) {
		switch (c) {
		case 'g': o->group = optarg; break;
		case 's': o->source = optarg; break;
		case 'i': o->iface = optarg; break;
		case 'n': o->n = atoi(optarg); break;
		case 'R': o->raw = true; break;
		case 'F': o->fast = true; break;
		default: return -1;
		}
	}
	return o->group && o->source && o->iface && o->n > 0 && o->n <= 10000 ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct opts o = { NULL, NULL, NULL, 50, false, false };
	struct sc_sockaddr g, s;
	struct mld_recv_cfg rc;
	struct mld_addr src;
	double *lat;
	unsigned ifindex;
	pcap_t *p;
	int got = 0;

	if (parse(argc, argv, &o) < 0 || sc_addr_parse(o.group, 5000, &g) < 0 ||
	    sc_addr_parse(o.source, 0, &s) < 0 || sc_if_index(o.iface, &ifindex) < 0) {
		fprintf(stderr, "usage: bench_mld_joinlat -g GROUP:PORT -s SOURCE -i IFACE [-n N] [--fast|--raw]\n");
		return 2;
	}
	memset(&rc, 0, sizeof(rc));
	rc.iface = o.iface;
	mld_addr_from_sockaddr(&g.u.sa, g.len, &rc.group);
	rc.port = sc_addr_port(&g);
	mld_addr_from_sockaddr(&s.u.sa, s.len, &src);
	rc.sources = &src;
	rc.n_sources = 1;
	rc.flags = o.fast ? MLD_RECV_FAST_JOIN : 0;
	lat = calloc((size_t)o.n, sizeof(*lat));
	p = wire(o.iface, rc.port);
	for (int i = 0; i < o.n; i++) {
		mld_recv *r = NULL;
		int fd, rcv = -1;
		double t0, t1 = 0;
		char buf[2048];

		if (wait_quiet(p, 300, 10000) < 0) {
			fprintf(stderr, "join %d: the stream never stopped reaching %s\n", i, o.iface);
			return 1;
		}
		t0 = now_ms();
		if (o.raw) {
			fd = rcv = raw_join(&g, &s, ifindex);
		} else {
			fd = mld_recv_open(&rc, NULL, &r);
			if (fd == 0)
				fd = mld_recv_fd(r);
		}
		if (fd < 0) {
			fprintf(stderr, "join: %s\n", strerror(-fd));
			return 1;
		}
		for (;;) {
			struct pollfd pf = { fd, POLLIN, 0 };

			if (poll(&pf, 1, 5000) <= 0)
				break;
			if (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0) {
				t1 = now_ms();
				break;
			}
		}
		if (t1 > 0) {
			lat[got++] = t1 - t0;
			printf("join %2d: %.3f ms\n", i + 1, t1 - t0);
		} else {
			printf("join %2d: nothing within 5 s\n", i + 1);
		}
		fflush(stdout);
		if (r)
			mld_recv_free(r);
		if (rcv >= 0)
			close(rcv);
	}
	if (got == 0)
		return 1;
	qsort(lat, (size_t)got, sizeof(*lat), cmp_double);
	/* Nearest-rank percentiles. */
	printf("%s joins=%d median_ms=%.3f p99_ms=%.3f min_ms=%.3f max_ms=%.3f\n",
	       o.raw ? "raw-setsockopt (reference)" : o.fast ? "libsixcast-igmp-mld FAST_JOIN" : "libsixcast-igmp-mld",
	       got, lat[(got + 1) / 2 - 1],
	       lat[(99 * got + 99) / 100 - 1], lat[0], lat[got - 1]);
	pcap_close(p);
	free(lat);
	return got == o.n ? 0 : 1;
}
