/* tsrec: records a multicast TS channel to a file and checks TS files.
 *
 *   tsrec rec -g GROUP:PORT -i IFACE [-s SOURCE] -t SECONDS -o FILE [-L LOSTFILE]
 *       join (source-specific when -s is given), write the TS inside the
 *       RTP (or raw UDP) datagrams to FILE byte for byte, for SECONDS or
 *       until SIGTERM/SIGINT (a test that stops it on an event); then print datagrams=N rtp_lost=N rtp_reordered=N rtp_ts=N (RTP
 *       sequence gaps while recording; TS packets in RTP datagrams) and
 *       the check of FILE. A unicast GROUP (e.g. [::1]:7100, a box's UDP
 *       output) is listened on without a join. -L writes one line per run
 *       of lost RTP numbers: "MS FIRST COUNT" (ms since the first datagram).
 *   tsrec check FILE
 *       print: packets=N bytes=N sync_errors=N cc_errors=N cc_lost=N pids=N
 *       rap=N, and a cc_errors line per PID that has any (cc_lost: the
 *       packets the counter jumps imply, each modulo 16)
 *
 * The lab tests use it to prove that what a box got decodes without a
 * continuity-counter error; FFmpeg cannot tell, as it rewrites counters
 * when it remuxes. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sc_addr.h"
#include "sc_clock.h"
#include "sc_rtp.h"
#include "ts.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct check {
	uint64_t packets, sync_errors, cc_errors, cc_lost, raps;
	uint8_t cc[8192];
	uint64_t cc_err_pid[8192];
	unsigned pids;
};

static void check_packet(struct check *c, const uint8_t *p)
{
	uint16_t pid;
	uint8_t last;

	if (ts_check(p) != TS_OK) {
		c->sync_errors++;
		return;
	}
	c->packets++;
	pid = ts_pid(p);
	c->raps += ts_random_access(p);
	if (pid == TS_PID_NULL)
		return;
	last = c->cc[pid];
	if (last == 0xff) {
		c->pids++;
	} else if (!ts_discontinuity(p)) {
		uint8_t want = ts_has_payload(p) ? (uint8_t)((last + 1) & 0xf) : last;

		if (ts_cc(p) != want && !(ts_has_payload(p) && ts_cc(p) == last)) {
			c->cc_errors++;
			c->cc_lost += (uint8_t)(ts_cc(p) - want) & 0xf;
			c->cc_err_pid[pid]++;
		}
	}
	c->cc[pid] = ts_cc(p);
}

static void print_check(const struct check *c, uint64_t bytes, size_t n)
{
	printf("packets=%llu bytes=%llu sync_errors=%llu cc_errors=%llu cc_lost=%llu pids=%u rap=%llu tail=%zu\n",
	       (unsigned long long)c->packets, (unsigned long long)bytes, (unsigned long long)c->sync_errors,
	       (unsigned long long)c->cc_errors, (unsigned long long)c->cc_lost, c->pids,
	       (unsigned long long)c->raps, n);
	for (unsigned pid = 0; pid < 8192; pid++)
		if (c->cc_err_pid[pid])
			printf("cc_errors pid=0x%04x count=%llu\n", pid, (unsigned long long)c->cc_err_pid[pid]);
}

static int do_check(const char *path)
{
	static struct check c;
	uint8_t p[TS_SIZE];
	FILE *f = fopen(path, "rb");
	uint64_t bytes = 0;
	size_t n;

	if (!f) {
		fprintf(stderr, "tsrec: %s: %s\n", path, strerror(errno));
		return 2;
	}
	memset(c.cc, 0xff, sizeof(c.cc));
	while ((n = fread(p, 1, TS_SIZE, f)) == TS_SIZE) {
		bytes += n;
		check_packet(&c, p);
	}
	bytes += n;
	fclose(f);
	print_check(&c, bytes, n);
	return 0;
}

static int join(int fd, const struct sc_sockaddr *g, unsigned ifindex, const struct sc_sockaddr *src)
{
	int level = sc_addr_family(g) == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;

	if (!src->len) {
		struct group_req r = { .gr_interface = ifindex };

		memcpy(&r.gr_group, &g->u.ss, g->len);
		return setsockopt(fd, level, MCAST_JOIN_GROUP, &r, sizeof(r));
	} else {
		struct group_source_req r = { .gsr_interface = ifindex };

		memcpy(&r.gsr_group, &g->u.ss, g->len);
		memcpy(&r.gsr_source, &src->u.ss, src->len);
		return setsockopt(fd, level, MCAST_JOIN_SOURCE_GROUP, &r, sizeof(r));
	}
}

struct rtpstat {
	long datagrams, lost, reordered, ts;
	int last; /* -1 before the first */
	uint64_t t0, bytes;
	FILE *lost_log; /* runs of lost numbers, or NULL */
	struct check c; /* of what was written, as it is written */
};

static void write_ts(FILE *out, const uint8_t *b, size_t n, struct rtpstat *rs)
{
	fwrite(b, 1, n, out);
	rs->bytes += n;
	for (size_t i = 0; i + TS_SIZE <= n; i += TS_SIZE)
		check_packet(&rs->c, b + i);
}

static void write_datagram(FILE *out, const uint8_t *b, size_t n, struct rtpstat *rs, uint64_t now)
{
	struct sc_rtp r;

	if (!rs->datagrams++)
		rs->t0 = now;
	if (n && n % TS_SIZE == 0 && b[0] == TS_SYNC) {
		write_ts(out, b, n, rs);
	} else if (sc_rtp_parse(b, n, &r) == 0) {
		rs->ts += r.payload_len / TS_SIZE;
		if (rs->last >= 0) {
			uint16_t d = (uint16_t)(r.seq - rs->last);

			if (d == 0 || d > 0x8000) {
				rs->reordered++;
			} else if (d > 1) {
				rs->lost += d - 1;
				if (rs->lost_log)
					fprintf(rs->lost_log, "%.1f %u %u\n", (double)(now - rs->t0) / 1e6,
						(unsigned)(uint16_t)(rs->last + 1), (unsigned)d - 1);
			}
		}
		rs->last = r.seq;
		write_ts(out, r.payload, r.payload_len, rs);
	}
}

static int do_rec(const char *group, const char *iface, const char *source, double secs, const char *path,
		  const char *lost_path)
{
	struct sc_sockaddr g, src = { 0 };
	unsigned ifindex;
	uint8_t buf[2048];
	static struct rtpstat rs = { .last = -1 };
	uint64_t end;
	FILE *out;
	int fd, one = 1, rcvbuf = 8 << 20;

	if (sc_addr_parse(group, 5000, &g) < 0 || sc_if_index(iface, &ifindex) < 0 ||
	    (source && sc_addr_parse(source, 0, &src) < 0)) {
		fprintf(stderr, "tsrec: bad group, interface or source\n");
		return 2;
	}
	fd = socket(sc_addr_family(&g), SOCK_DGRAM | SOCK_CLOEXEC, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* Past rmem_max when root may: a recorder must not be what loses. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	/* A unicast address: a box's UDP output, listened on, not joined. */
	if (fd < 0 || bind(fd, &g.u.sa, g.len) < 0 ||
	    (sc_addr_is_multicast(&g) && join(fd, &g, ifindex, &src) < 0)) {
		fprintf(stderr, "tsrec: join %s on %s: %s\n", group, iface, strerror(errno));
		return 2;
	}
	out = fopen(path, "wb");
	if (lost_path)
		rs.lost_log = fopen(lost_path, "w");
	if (!out || (lost_path && !rs.lost_log)) {
		fprintf(stderr, "tsrec: %s: %s\n", out ? lost_path : path, strerror(errno));
		return 2;
	}
	memset(rs.c.cc, 0xff, sizeof(rs.c.cc));
	printf("joined\n");
	fflush(stdout);
	end = sc_clock_now_ns(sc_clock_system()) + (uint64_t)(secs * 1e9);
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
			write_datagram(out, buf, (size_t)n, &rs, sc_clock_now_ns(sc_clock_system()));
	}
	fclose(out);
	if (rs.lost_log)
		fclose(rs.lost_log);
	close(fd);
	printf("datagrams=%ld rtp_lost=%ld rtp_reordered=%ld rtp_ts=%ld\n", rs.datagrams, rs.lost, rs.reordered,
	       rs.ts);
	/* The check of what was written (the file may be /dev/null). */
	print_check(&rs.c, rs.bytes, 0);
	return 0;
}

int main(int argc, char **argv)
{
	const char *group = NULL, *iface = NULL, *source = NULL, *out = NULL, *lost = NULL;
	double secs = 5;
	int c;

	if (argc >= 3 && strcmp(argv[1], "check") == 0)
		return do_check(argv[2]);
	if (argc < 2 || strcmp(argv[1], "rec") != 0)
		goto usage;
	optind = 2;
	while ((c = getopt(argc, argv, "g:i:s:t:o:L:")) != -1) {
		switch (c) {
		case 'g': group = optarg; break;
		case 'i': iface = optarg; break;
		case 's': source = optarg; break;
		case 't': secs = strtod(optarg, NULL); break;
		case 'o': out = optarg; break;
		case 'L': lost = optarg; break;
		default: goto usage;
		}
	}
	if (group && iface && out && secs > 0) {
		/* no SA_RESTART: the signal ends the poll at once */
		struct sigaction sa = { .sa_handler = on_signal };

		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		return do_rec(group, iface, source, secs, out, lost);
	}
usage:
	fputs("usage: tsrec rec -g GROUP:PORT -i IFACE [-s SOURCE] -t SECONDS -o FILE [-L LOSTFILE]\n"
	      "       tsrec check FILE\n", stderr);
	return 2;
}
