/* mcprobe: a small multicast sender and receiver for the lab.
 *
 * The sender emits numbered RTP packets (PT 33, 7 x 188-byte TS null
 * packets) to a group at a fixed rate; the receiver joins the group, any-
 * source or source-specific, and reports what arrived: how many, how many
 * distinct sequence numbers, gaps, duplicates and reorderings. The lab tests
 * use it to prove the network; an engineer can use it to check that a path
 * carries multicast before blaming sixcast.
 *
 *   mcprobe send -g '[ff3e::8000:1]:5000' -i eth0 -n 1000 -r 500
 *   mcprobe recv -g '[ff3e::8000:1]:5000' -i eth0 -s 2001:db8:1::1 -t 5
 *
 * The receiver prints "joined" once its membership is in place, then one
 * line of key=value results when the time is up. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sc_addr.h"
#include "sc_clock.h"
#include "sc_log.h"
#include "sc_rtp.h"

#define TS_PACKET 188
#define TS_PER_RTP 7
#define PAYLOAD (TS_PACKET * TS_PER_RTP)

struct opts {
	const char *group, *iface, *source;
	long count, rate, hops;
	double duration;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *f)
{
	fputs("usage: mcprobe send -g GROUP:PORT -i IFACE [-n COUNT] [-r PPS] [-H HOPS]\n"
	      "       mcprobe recv -g GROUP:PORT -i IFACE [-s SOURCE] [-t SECONDS]\n"
	      "GROUP:PORT as \"[ff3e::8000:1]:5000\" or \"232.1.1.1:5000\".\n"
	      "SSM groups (ff3x::, 232/8) need -s SOURCE on the receiver.\n", f);
}

static int open_socket(const struct opts *o, struct sc_sockaddr *grp, unsigned *ifindex)
{
	int rc, fd;

	rc = sc_addr_parse(o->group, 5000, grp);
	if (rc < 0 || !sc_addr_is_multicast(grp)) {
		sc_log(LOG_ERR, "-g %s: not a multicast group address", o->group);
		return -EINVAL;
	}
	rc = sc_if_index(o->iface, ifindex);
	if (rc < 0) {
		sc_log(LOG_ERR, "-i %s: no such interface", o->iface);
		return rc;
	}
	fd = socket(sc_addr_family(grp), SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		sc_log(LOG_ERR, "socket: %s", strerror(errno));
	return fd < 0 ? -errno : fd;
}

static int sender_setup(int fd, const struct sc_sockaddr *grp, unsigned ifindex, int hops)
{
	int off = 0;

	if (sc_addr_family(grp) == AF_INET6) {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex)) < 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) < 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &off, sizeof(off)) < 0)
			return -errno;
	} else {
		struct ip_mreqn m = { .imr_ifindex = (int)ifindex };
		unsigned char ttl = (unsigned char)hops, loop = 0;

		if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof(m)) < 0 ||
		    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) < 0 ||
		    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof(loop)) < 0)
			return -errno;
	}
	return 0;
}

static int do_send(const struct opts *o)
{
	struct sc_sockaddr grp;
	unsigned ifindex;
	uint8_t pkt[SC_RTP_HDR_MIN + PAYLOAD];
	struct sc_rtp_fields f = { 0, SC_RTP_PT_MP2T, 0, 0, 0x5c0de001 };
	struct timespec next;
	long sent = 0, interval_ns = 1000000000L / o->rate;
	int fd, rc;

	fd = open_socket(o, &grp, &ifindex);
	if (fd < 0)
		return 2;
	rc = sender_setup(fd, &grp, ifindex, (int)o->hops);
	if (rc < 0) {
		sc_log(LOG_ERR, "multicast options on %s: %s", o->iface, strerror(-rc));
		close(fd);
		return 2;
	}
	for (int i = 0; i < TS_PER_RTP; i++) {
		uint8_t *ts = pkt + SC_RTP_HDR_MIN + i * TS_PACKET;

		memset(ts, 0xff, TS_PACKET);
		ts[0] = 0x47, ts[1] = 0x1f, ts[2] = 0xff, ts[3] = 0x10; /* null PID */
	}
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (sent = 0; sent < o->count && !stop; sent++) {
		f.seq = (uint16_t)sent;
		f.timestamp = (uint32_t)(sent * 90000 / o->rate);
		sc_rtp_write(pkt, sizeof(pkt), &f);
		if (sendto(fd, pkt, sizeof(pkt), 0, &grp.u.sa, grp.len) < 0 && errno != ENOBUFS) {
			sc_log(LOG_ERR, "send to %s: %s", o->group, strerror(errno));
			break;
		}
		next.tv_nsec += interval_ns;
		while (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	printf("sent=%ld\n", sent);
	close(fd);
	return sent == o->count ? 0 : 1;
}

static int join(int fd, const struct sc_sockaddr *grp, unsigned ifindex, const char *source)
{
	int level = sc_addr_family(grp) == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
	struct sc_sockaddr src;

	if (!source) {
		struct group_req r = { .gr_interface = ifindex };

		memcpy(&r.gr_group, &grp->u.ss, grp->len);
		return setsockopt(fd, level, MCAST_JOIN_GROUP, &r, sizeof(r)) < 0 ? -errno : 0;
	} else {
		struct group_source_req r = { .gsr_interface = ifindex };

		if (sc_addr_parse(source, 0, &src) < 0 || sc_addr_family(&src) != sc_addr_family(grp))
			return -EINVAL;
		memcpy(&r.gsr_group, &grp->u.ss, grp->len);
		memcpy(&r.gsr_source, &src.u.ss, src.len);
		return setsockopt(fd, level, MCAST_JOIN_SOURCE_GROUP, &r, sizeof(r)) < 0 ? -errno : 0;
	}
}

struct rstats {
	long received, unique, dup, reorder, bad;
	long first, last;
	uint8_t seen[65536 / 8];
};

static void account(struct rstats *s, const uint8_t *b, size_t n)
{
	struct sc_rtp r;
	uint16_t seq;

	if (sc_rtp_parse(b, n, &r) < 0) {
		s->bad++;
		return;
	}
	seq = r.seq;
	s->received++;
	if (s->seen[seq / 8] & (1u << (seq % 8))) {
		s->dup++;
		return;
	}
	s->seen[seq / 8] |= (uint8_t)(1u << (seq % 8));
	s->unique++;
	if (s->first < 0)
		s->first = seq;
	if (s->last >= 0 && seq < s->last)
		s->reorder++;
	if (seq > s->last)
		s->last = seq;
}

static int do_recv(const struct opts *o)
{
	struct sc_sockaddr grp;
	static struct rstats s;
	uint8_t buf[2048];
	unsigned ifindex;
	uint64_t end;
	int fd, rc, one = 1;

	fd = open_socket(o, &grp, &ifindex);
	if (fd < 0)
		return 2;
	if (sc_addr_is_ssm(&grp) && !o->source) {
		sc_log(LOG_ERR, "%s is a source-specific group: give its source with -s", o->group);
		close(fd);
		return 2;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* Bound to the group, so only this group's datagrams arrive. */
	if (bind(fd, &grp.u.sa, grp.len) < 0) {
		sc_log(LOG_ERR, "bind %s: %s", o->group, strerror(errno));
		close(fd);
		return 2;
	}
	rc = join(fd, &grp, ifindex, o->source);
	if (rc < 0) {
		sc_log(LOG_ERR, "join %s on %s: %s", o->group, o->iface, strerror(-rc));
		close(fd);
		return 2;
	}
	printf("joined\n");
	fflush(stdout);
	s.first = s.last = -1;
	end = sc_clock_now_ns(sc_clock_system()) + (uint64_t)(o->duration * 1e9);
	while (!stop) {
		uint64_t now = sc_clock_now_ns(sc_clock_system());
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t n;

		if (now >= end)
			break;
		if (poll(&p, 1, (int)((end - now) / SC_NS_PER_MS) + 1) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n > 0)
			account(&s, buf, (size_t)n);
	}
	printf("received=%ld unique=%ld lost=%ld dup=%ld reorder=%ld bad=%ld first=%ld last=%ld\n",
	       s.received, s.unique, s.last >= 0 ? s.last - s.first + 1 - s.unique : 0, s.dup,
	       s.reorder, s.bad, s.first, s.last);
	close(fd);
	return 0;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "group", required_argument, NULL, 'g' },  { "iface", required_argument, NULL, 'i' },
		{ "source", required_argument, NULL, 's' }, { "count", required_argument, NULL, 'n' },
		{ "rate", required_argument, NULL, 'r' },   { "time", required_argument, NULL, 't' },
		{ "hops", required_argument, NULL, 'H' },   { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "g:i:s:n:r:t:H:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'g': o->group = optarg; break;
		case 'i': o->iface = optarg; break;
		case 's': o->source = optarg; break;
		case 'n': o->count = strtol(optarg, NULL, 10); break;
		case 'r': o->rate = strtol(optarg, NULL, 10); break;
		case 't': o->duration = strtod(optarg, NULL); break;
		case 'H': o->hops = strtol(optarg, NULL, 10); break;
		case 'h': usage(stdout); exit(0);
		default: return -EINVAL;
		}
	}
	if (!o->group || !o->iface || o->count < 1 || o->count > 65536 || o->rate < 1 ||
	    o->rate > 1000000 || o->duration <= 0 || o->hops < 1 || o->hops > 255)
		return -EINVAL;
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { NULL, NULL, NULL, 1000, 500, 8, 5.0 };
	const char *mode = argc > 1 ? argv[1] : "";

	sc_log_open("mcprobe", SC_LOG_STDERR, LOG_INFO);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (parse_opts(argc - 1, argv + 1, &o) < 0) {
		usage(stderr);
		return 2;
	}
	if (strcmp(mode, "send") == 0)
		return do_send(&o);
	if (strcmp(mode, "recv") == 0)
		return do_recv(&o);
	usage(stderr);
	return 2;
}
