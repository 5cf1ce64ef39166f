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
 * line of key=value results when the time is up. Joins and sender options
 * go through libsixcast-igmp-mld, so the lab exercises the library the
 * daemons use. With --rejoin the receiver also watches its interface
 * (netlink) and joins again when it comes back up or is re-created,
 * printing one line per link event ("link-down eth0", "rejoined eth0 #5"):
 * the lab's link-flap test uses it. --fast sends each join's report at
 * once (MLD_RECV_FAST_JOIN, needs CAP_NET_RAW). */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mld.h"
#include "sc_addr.h"
#include "sc_clock.h"
#include "sc_log.h"
#include "sc_rtp.h"

#define TS_PACKET 188
#define TS_PER_RTP 7
#define PAYLOAD (TS_PACKET * TS_PER_RTP)

struct opts {
	const char *group, *iface, *source;
	long count, rate, hops, progress;
	double duration;
	bool rejoin, fast;
};

static const struct mld_log mlog = { sc_log_sink, NULL, LOG_INFO };

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *f)
{
	fputs("usage: mcprobe send -g GROUP:PORT -i IFACE [-n COUNT] [-r PPS] [-H HOPS]\n"
	      "       mcprobe recv -g GROUP:PORT -i IFACE [-s SOURCE[,SOURCE...]] [-t SECONDS]\n"
	      "                    [--rejoin] [--fast] [--progress N]\n"
	      "--progress N: a line \"progress unique=U last=SEQ gap_ms=G\" every N new packets\n"
	      "             (G: the longest time between two arrivals since the line before),\n"
	      "for a test to wait for the stream rather than for a time.\n"
	      "GROUP:PORT as \"[ff3e::8000:1]:5000\" or \"232.1.1.1:5000\".\n"
	      "SSM groups (ff3x::, 232/8) need -s SOURCE on the receiver.\n", f);
}

static int parse_group(const struct opts *o, struct sc_sockaddr *grp)
{
	if (sc_addr_parse(o->group, 5000, grp) < 0 || !sc_addr_is_multicast(grp)) {
		sc_log(LOG_ERR, "-g %s: not a multicast group address", o->group);
		return -EINVAL;
	}
	return 0;
}

static int do_send(const struct opts *o)
{
	struct sc_sockaddr grp;
	struct mld_send_cfg sc = { .iface = o->iface, .hops = (int)o->hops };
	uint8_t pkt[SC_RTP_HDR_MIN + PAYLOAD];
	struct sc_rtp_fields f = { 0, SC_RTP_PT_MP2T, 0, 0, 0x5c0de001 };
	struct timespec next;
	long sent = 0, interval_ns = 1000000000L / o->rate;
	int fd;

	if (parse_group(o, &grp) < 0)
		return 2;
	sc.family = sc_addr_family(&grp);
	fd = mld_send_open(&sc, &mlog);
	if (fd < 0)
		return 2;
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
		if (sendto(fd, pkt, sizeof(pkt), 0, &grp.u.sa, grp.len) < 0 && errno != ENOBUFS &&
		    errno != EAGAIN) {
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

/* "-s a,b,c" into at most max sources of the group's family. */
static int parse_sources(const char *text, int family, struct mld_addr *out, size_t max)
{
	char buf[1024], *save = NULL, *tok;
	size_t n = 0;

	if (!text)
		return 0;
	snprintf(buf, sizeof(buf), "%s", text);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == max || mld_addr_parse(tok, &out[n]) < 0 || out[n].family != family) {
			sc_log(LOG_ERR, "-s %s: not a list of %s source addresses", text,
			       family == AF_INET6 ? "IPv6" : "IPv4");
			return -EINVAL;
		}
		n++;
	}
	return (int)n;
}

struct rstats {
	long received, unique, dup, reorder, bad;
	long first, last;
	/* Arrival times by the kernel's clock (SO_TIMESTAMPNS), so that a
	 * receiver the machine did not run still sees when packets came:
	 * the largest gap since the last progress line. */
	uint64_t last_at_ns, gap_max_ns;
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

/* --rejoin: report link events and join again when the receiver's
 * interface runs again (also under a new index after being re-created). */
static void on_link(void *arg, const struct mld_link_event *ev)
{
	mld_recv *r = arg;
	char a[MLD_ADDR_STRLEN];
	int rc;

	if (ev->type == MLD_ADDR_NEW || ev->type == MLD_ADDR_DEL) {
		mld_addr_format(&ev->addr, a, sizeof(a));
		printf("%s %s %s/%u\n", mld_link_ev_name(ev->type), ev->ifname, a, ev->prefixlen);
	} else {
		printf("%s %s #%u\n", mld_link_ev_name(ev->type), ev->ifname, ev->ifindex);
	}
	if (ev->type == MLD_LINK_UP || ev->type == MLD_LINK_RESYNC) {
		rc = mld_recv_rejoin(r);
		if (rc == 0)
			printf("rejoined %s #%u\n", ev->ifname, mld_recv_ifindex(r));
		else
			printf("rejoin failed: %s\n", strerror(-rc));
	}
	fflush(stdout);
}

static int open_receiver(const struct opts *o, mld_recv **r)
{
	struct mld_addr src[16];
	struct mld_recv_cfg rc = { .iface = o->iface, .sources = src };
	struct sc_sockaddr grp;
	int n;

	if (parse_group(o, &grp) < 0)
		return -EINVAL;
	mld_addr_from_sockaddr(&grp.u.sa, grp.len, &rc.group);
	rc.port = sc_addr_port(&grp);
	n = parse_sources(o->source, rc.group.family, src, sizeof(src) / sizeof(src[0]));
	if (n < 0)
		return n;
	rc.n_sources = (size_t)n;
	rc.flags = o->fast ? MLD_RECV_FAST_JOIN : 0;
	return mld_recv_open(&rc, &mlog, r);
}

/* recv() that notes the datagram's arrival (the kernel's timestamp, else
 * the time of the read) and the gap since the one before. */
static ssize_t recv_at(int fd, uint8_t *buf, size_t cap, struct rstats *s)
{
	union {
		char b[CMSG_SPACE(sizeof(struct timespec))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { buf, cap };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b) };
	struct timespec ts;
	uint64_t at;
	ssize_t n = recvmsg(fd, &mh, 0);

	if (n <= 0)
		return n;
	clock_gettime(CLOCK_REALTIME, &ts);
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS)
			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
	at = (uint64_t)ts.tv_sec * SC_NS_PER_S + (uint64_t)ts.tv_nsec;
	if (s->last_at_ns && at > s->last_at_ns && at - s->last_at_ns > s->gap_max_ns)
		s->gap_max_ns = at - s->last_at_ns;
	s->last_at_ns = at;
	return n;
}

static int do_recv(const struct opts *o)
{
	static struct rstats s;
	mld_nlwatch *w = NULL;
	uint8_t buf[2048];
	mld_recv *r;
	uint64_t end;
	ssize_t n;
	int fd;

	if (open_receiver(o, &r) < 0)
		return 2;
	fd = mld_recv_fd(r);
	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &(int){ 1 }, sizeof(int));
	if (o->rejoin && mld_nlwatch_new(o->iface, on_link, r, &mlog, &w) < 0) {
		mld_recv_free(r);
		return 2;
	}
	printf("joined\n");
	fflush(stdout);
	s.first = s.last = -1;
	end = sc_clock_now_ns(sc_clock_system()) + (uint64_t)(o->duration * 1e9);
	while (!stop) {
		uint64_t now = sc_clock_now_ns(sc_clock_system());
		struct pollfd p[2] = { { fd, POLLIN, 0 }, { w ? mld_nlwatch_fd(w) : -1, POLLIN, 0 } };

		if (now >= end)
			break;
		if (poll(p, 2, (int)((end - now) / SC_NS_PER_MS) + 1) <= 0)
			continue;
		if (p[1].revents)
			mld_nlwatch_process(w);
		while (p[0].revents && (n = recv_at(fd, buf, sizeof(buf), &s)) > 0) {
			long before = s.unique;

			account(&s, buf, (size_t)n);
			if (o->progress && s.unique != before && s.unique % o->progress == 0) {
				printf("progress unique=%ld last=%ld gap_ms=%.0f\n", s.unique, s.last,
				       (double)s.gap_max_ns / 1e6);
				fflush(stdout);
				s.gap_max_ns = 0;
			}
		}
	}
	/* Stopped by a signal: what already arrived counts too (a receiver
	 * the machine did not schedule has it in its socket buffer). */
	while (stop && (n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		account(&s, buf, (size_t)n);
	printf("received=%ld unique=%ld lost=%ld dup=%ld reorder=%ld bad=%ld first=%ld last=%ld\n",
	       s.received, s.unique, s.last >= 0 ? s.last - s.first + 1 - s.unique : 0, s.dup,
	       s.reorder, s.bad, s.first, s.last);
	mld_nlwatch_free(w);
	mld_recv_free(r);
	return 0;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "group", required_argument, NULL, 'g' },  { "iface", required_argument, NULL, 'i' },
		{ "source", required_argument, NULL, 's' }, { "count", required_argument, NULL, 'n' },
		{ "rate", required_argument, NULL, 'r' },   { "time", required_argument, NULL, 't' },
		{ "hops", required_argument, NULL, 'H' },   { "help", no_argument, NULL, 'h' },
		{ "rejoin", no_argument, NULL, 'w' },     { "fast", no_argument, NULL, 'F' },
		{ "progress", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "g:i:s:n:r:t:H:p:hwF", longopts, NULL)) != -1) {
		switch (c) {
		case 'g': o->group = optarg; break;
		case 'i': o->iface = optarg; break;
		case 's': o->source = optarg; break;
		case 'n': o->count = strtol(optarg, NULL, 10); break;
		case 'r': o->rate = strtol(optarg, NULL, 10); break;
		case 't': o->duration = strtod(optarg, NULL); break;
		case 'H': o->hops = strtol(optarg, NULL, 10); break;
		case 'w': o->rejoin = true; break;
		case 'F': o->fast = true; break;
		case 'p': o->progress = strtol(optarg, NULL, 10); break;
		case 'h': usage(stdout); exit(0);
		default: return -EINVAL;
		}
	}
	if (!o->group || !o->iface || o->count < 1 || o->count > 65536 || o->rate < 1 ||
	    o->rate > 1000000 || o->duration <= 0 || o->hops < 1 || o->hops > 255 ||
	    o->progress < 0)
		return -EINVAL;
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { NULL, NULL, NULL, 1000, 500, 8, 0, 5.0, false, false };
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
