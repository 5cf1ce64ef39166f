/* rtxprobe: a minimal set-top box for the edge's RET and fast channel
 * change: joins a channel's SSM group, runs a retransmit client session
 * whose only repairer is the edge's RET server, and records what the
 * playback buffer delivers.
 *
 *   rtxprobe -g GROUP:PORT -s SOURCE -i IFACE -r RET_ADDR:PORT -c CHANNEL
 *            -t SECONDS -o FILE [-N PACKETS] [-b] [-d DELAY_MS] [-n ID] IDENTITY
 *
 *   IDENTITY is, for a standalone edge, -A CA_KEY_FILE -E EDGE_CERT_HEX -k
 *   KEYHEX (the edge's trust.ca_key_file, its certificate from GET
 *   /identity, the channel's RET key), or, with a management server, -M URL
 *   -C CREDENTIAL -a OUR_ADDR (the probe registers, tunes and takes the RET
 *   key and the edge's certificate from the answer).
 *
 *   -G FILE   once registered, say "ready" on stderr and wait (up to 60 s)
 *             for FILE to exist before zapping: a test can take the
 *             management server down between the two.
 *
 *   -N N stop once the playback buffer has handed out N packets (played or
 *        skipped as lost): a span of stream, which a busy machine does not
 *        shorten; -t is then only a guard
 *   -b   zap with a burst: ask the RET server for a fast-channel-change burst
 *        and join the group at once (without -b: join and wait)
 *   -d   playback delay (default 300 ms); -n the client id (default from the pid)
 *
 * At the end it prints one line of key=value pairs: the session's counters
 * and the zap milestones in ms from the start (request or join):
 * first_out_ms (first packet out of the playback buffer), first_rap_out_ms
 * (first packet out holding a video random access point, as the box's
 * outputs find it: ts_start.h), first_frame_ms
 * (the first picture is whole at the output: the next one starts), answer_ms,
 * first_burst_ms, first_mcast_ms, spliced_ms. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "mld.h"
#include "probe_ident.h"
#include "rtx.h"
#include "sc_addr.h"
#include "sc_clock.h"
#include "sc_rtp.h"
#include "ts.h"
#include "ts_start.h"

struct probe {
	rtx_session *s;
	int mfd, rfd;
	struct sc_sockaddr ret;
	FILE *out;
	uint64_t t0, first_out, first_rap, first_frame;
	ts_start *tss; /* where a player could start (as the box's outputs do) */
	uint64_t delivered, lost, ts_packets;
	uint64_t stop_after; /* -N: 0 for none */
	bool verbose;
};

static uint64_t now_cb(void *ctx)
{
	(void)ctx;
	return sc_clock_now_ns(sc_clock_system());
}

static int send_cb(void *ctx, uint64_t peer, const uint8_t *buf, size_t len)
{
	struct probe *p = ctx;

	(void)peer;
	return sendto(p->rfd, buf, len, 0, &p->ret.u.sa, p->ret.len) < 0 ? -errno : 0;
}

static void deliver_cb(void *ctx, uint64_t ext, const uint8_t *pkt, size_t len)
{
	struct probe *p = ctx;
	struct sc_rtp r;

	(void)ext;
	p->delivered++;
	if (!p->first_out)
		p->first_out = now_cb(NULL);
	if (sc_rtp_parse(pkt, len, &r) < 0)
		return;
	if (r.payload_len / TS_SIZE <= TS_START_MAX) {
		uint8_t ts[TS_START_MAX * TS_SIZE];
		size_t n = r.payload_len / TS_SIZE;
		int from = 0, video;

		/* ts_start: a random access point of the video, the PAT and
		 * PMT known (a decoder can start only after them anyway). */
		memcpy(ts, r.payload, n * TS_SIZE);
		ts_start_feed(p->tss, ts, n * TS_SIZE, 0);
		p->ts_packets += n;
		if (!p->first_rap && (from = ts_start_point(p->tss)) >= 0) {
			p->first_rap = now_cb(NULL);
			from++;
		}
		video = ts_start_stats(p->tss)->video_pid;
		for (size_t i = (size_t)from; p->first_rap && !p->first_frame && i < n; i++) {
			const uint8_t *t = ts + i * TS_SIZE;

			/* The next picture starts: the first one is whole. */
			if (ts_check(t) == TS_OK && ts_pid(t) == video && ts_pusi(t))
				p->first_frame = now_cb(NULL);
		}
	}
	fwrite(r.payload, 1, r.payload_len, p->out);
}

static void lost_cb(void *ctx, uint64_t ext)
{
	struct probe *p = ctx;

	(void)ext;
	p->lost++;
}

static void log_cb(void *ctx, int level, const char *msg)
{
	const struct probe *p = ctx;

	if (p->verbose || level <= LOG_NOTICE)
		fprintf(stderr, "rtxprobe: %s\n", msg);
}

static double ms(const struct probe *p, uint64_t t)
{
	return t ? (double)(t - p->t0) / 1e6 : -1;
}

static void report(const struct probe *p)
{
	struct rtx_stats st;
	struct rtx_zap z;

	rtx_session_stats(p->s, &st);
	rtx_session_zap(p->s, &z);
	printf("delivered=%llu lost=%llu ts_packets=%llu received=%llu gaps=%llu reordered=%llu "
	       "repaired_ret=%llu unrepaired=%llu late=%llu ret_requests=%llu duplicates=%llu "
	       "duplicates_rtp=%llu bursts_requested=%llu bursts_answered=%llu burst_packets=%llu "
	       "burst_duplicates=%llu burst_refused=%llu burst_state=%d start_seq=%u rap_seq=%u splice_seq=%u "
	       "first_out_ms=%.1f first_rap_out_ms=%.1f first_frame_ms=%.1f answer_ms=%.1f first_burst_ms=%.1f "
	       "first_mcast_ms=%.1f spliced_ms=%.1f\n",
	       (unsigned long long)p->delivered, (unsigned long long)p->lost, (unsigned long long)p->ts_packets,
	       (unsigned long long)st.received, (unsigned long long)st.gaps, (unsigned long long)st.reordered,
	       (unsigned long long)st.repaired_ret, (unsigned long long)st.unrepaired,
	       (unsigned long long)st.late, (unsigned long long)st.ret_requests_sent,
	       (unsigned long long)st.duplicates, (unsigned long long)st.duplicates_rtp,
	       (unsigned long long)st.bursts_requested, (unsigned long long)st.bursts_answered,
	       (unsigned long long)st.burst_packets, (unsigned long long)st.burst_duplicates,
	       (unsigned long long)st.burst_refused, (int)z.state, z.start_seq, z.rap_seq, z.splice_seq,
	       ms(p, p->first_out), ms(p, p->first_rap), ms(p, p->first_frame), ms(p, z.answered_ns), ms(p, z.first_burst_ns),
	       ms(p, z.first_mcast_ns), ms(p, z.spliced_ns));
}

static int join(struct probe *p, const char *group, const char *source, const char *iface, mld_recv **r)
{
	struct sc_sockaddr g;
	struct mld_addr src;
	struct mld_recv_cfg rc = { .iface = iface, .sources = &src, .n_sources = 1, .flags = MLD_RECV_FAST_JOIN };
	char host[SC_ADDR_STRLEN];
	int rc_;

	if (sc_addr_parse(group, 5000, &g) < 0 || sc_addr_format(&g, false, host, sizeof(host)) < 0 ||
	    mld_addr_parse(host, &rc.group) < 0 || mld_addr_parse(source, &src) < 0)
		return -EINVAL;
	rc.port = sc_addr_port(&g);
	rc_ = mld_recv_open(&rc, NULL, r);
	if (rc_ == 0)
		p->mfd = mld_recv_fd(*r);
	return rc_;
}

/* The sockets are read before each run of the session: after a stretch
 * the machine did not run the probe, what waited in them is not missing. */
static void pump(struct probe *p, uint64_t end)
{
	uint8_t buf[2048];

	for (;;) {
		ssize_t n;

		while ((n = recv(p->mfd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
			rtx_session_input_rtp(p->s, buf, (size_t)n);
		while ((n = recv(p->rfd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
			rtx_session_input_peer(p->s, buf, (size_t)n, 0);

		uint64_t t = now_cb(NULL), d = rtx_session_run(p->s);
		struct pollfd fds[2] = { { p->mfd, POLLIN, 0 }, { p->rfd, POLLIN, 0 } };
		uint64_t until = d < end ? d : end;
		int wait = until > t ? (int)((until - t + SC_NS_PER_MS - 1) / SC_NS_PER_MS) : 0;

		if (t >= end || (p->stop_after && p->delivered + p->lost >= p->stop_after))
			return;
		poll(fds, 2, wait);
	}
}

static int usage(void)
{
	fputs("usage: rtxprobe -g GROUP:PORT -s SOURCE -i IFACE -r RET_ADDR:PORT -c CHANNEL\n"
	      "                -t SECONDS -o FILE [-N PACKETS] [-b] [-d DELAY_MS] [-n ID] [-v]\n"
	      "                (-A CA_KEY_FILE -E EDGE_CERT_HEX -k KEYHEX | -M URL -C CREDENTIAL -a OUR_ADDR)\n",
	      stderr);
	return 2;
}

/* Say "ready" and wait for a file (the test's go-ahead). */
static int wait_for(const char *path)
{
	fprintf(stderr, "rtxprobe: ready\n");
	for (int i = 0; i < 6000; i++) {
		if (access(path, F_OK) == 0)
			return 0;
		usleep(10000);
	}
	fprintf(stderr, "rtxprobe: %s never came\n", path);
	return -1;
}

struct args {
	const char *group, *source, *iface, *ret, *key, *out;
	const char *ca_file, *edge_cert, *mgmt, *cred, *addr, *go;
	double secs;
	long delay_ms, id;
	bool burst;
};

static int parse(int argc, char **argv, struct args *a, struct rtx_ret *rr, struct probe *p)
{
	int c;

	while ((c = getopt(argc, argv, "g:s:i:r:c:k:t:o:bd:n:vA:E:M:C:a:G:N:")) != -1) {
		switch (c) {
		case 'g': a->group = optarg; break;
		case 's': a->source = optarg; break;
		case 'i': a->iface = optarg; break;
		case 'r': a->ret = optarg; break;
		case 'c': rr->domain_id = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'k': a->key = optarg; break;
		case 't': a->secs = strtod(optarg, NULL); break;
		case 'o': a->out = optarg; break;
		case 'b': a->burst = true; break;
		case 'd': a->delay_ms = strtol(optarg, NULL, 10); break;
		case 'n': a->id = strtol(optarg, NULL, 10); break;
		case 'v': p->verbose = true; break;
		case 'N': p->stop_after = strtoull(optarg, NULL, 10); break;
		case 'A': a->ca_file = optarg; break;
		case 'E': a->edge_cert = optarg; break;
		case 'M': a->mgmt = optarg; break;
		case 'C': a->cred = optarg; break;
		case 'a': a->addr = optarg; break;
		case 'G': a->go = optarg; break;
		default: return -1;
		}
	}
	if (!a->group || !a->source || !a->iface || !a->ret || !a->out || !rr->domain_id || a->secs <= 0 ||
	    a->id <= 0 || (a->mgmt ? !a->cred || !a->addr : !a->ca_file || !a->edge_cert || !a->key))
		return -1;
	return 0;
}

/* The probe's identity and the RET server's id and key. */
static int identity(const struct args *a, struct rtx_ret *rr, rtx_ident **id, uint32_t *server)
{
	struct probe_tune t;
	struct rtx_cert c;
	uint8_t cert[RTX_CERT_BYTES];
	char dev[64];
	size_t klen = 0;

	if (a->mgmt) {
		snprintf(dev, sizeof(dev), "rtxprobe-%ld", a->id);
		if (probe_ident_mgmt(a->mgmt, a->cred, dev, a->addr, rr->domain_id, id, &t) < 0)
			return -1;
		memcpy(rr->key, t.ret_key, sizeof(rr->key));
		*server = t.server_id;
		return 0;
	}
	if (sodium_hex2bin(rr->key, sizeof(rr->key), a->key, strlen(a->key), NULL, &klen, NULL) != 0 ||
	    klen != sizeof(rr->key) || rtx_unhex(a->edge_cert, cert, sizeof(cert)) < 0 ||
	    rtx_cert_decode(cert, sizeof(cert), &c) < 0) {
		fprintf(stderr, "rtxprobe: bad key or edge certificate\n");
		return -1;
	}
	*server = c.id;
	return probe_ident_standalone(a->ca_file, (uint32_t)a->id, a->edge_cert, id);
}

int main(int argc, char **argv)
{
	struct args a = { .secs = 5, .delay_ms = 300, .id = 1000 + getpid() % 100000 };
	struct probe p = { .mfd = -1 };
	struct rtx_config cfg;
	struct rtx_callbacks cb = { &p, now_cb, send_cb, deliver_cb, lost_cb, log_cb, LOG_DEBUG };
	struct rtx_ret rr = { 0 };
	struct rtx_member srv = { 0, 0 };
	rtx_ident *ident = NULL;
	mld_recv *mr = NULL;
	int rc;

	if (parse(argc, argv, &a, &rr, &p) < 0)
		return usage();
	if (sodium_init() < 0 || sc_addr_parse(a.ret, 5200, &p.ret) < 0) {
		fprintf(stderr, "rtxprobe: bad RET address\n");
		return 2;
	}
	if (identity(&a, &rr, &ident, &srv.id) < 0)
		return 2;
	if (a.go && wait_for(a.go) < 0)
		return 2;
	p.rfd = socket(sc_addr_family(&p.ret), SOCK_DGRAM | SOCK_CLOEXEC, 0);
	p.out = fopen(a.out, "wb");
	if (p.rfd < 0 || !p.out) {
		fprintf(stderr, "rtxprobe: %s: %s\n", a.out, strerror(errno));
		return 2;
	}
	rtx_config_defaults(&cfg, RTX_ROLE_CLIENT);
	cfg.self_id = rtx_ident_self(ident);
	cfg.ident = ident;
	cfg.playout_delay_ns = (uint64_t)a.delay_ms * SC_NS_PER_MS;
	cfg.ret_after_rounds = 0; /* no group: the edge is the only repairer */
	rr.servers = &srv;
	rr.n_servers = 1;
	if (!(p.tss = ts_start_new(false))) {
		fprintf(stderr, "rtxprobe: out of memory\n");
		return 2;
	}
	if ((rc = rtx_session_new(&cfg, &cb, &p.s)) < 0 || (rc = rtx_session_set_ret(p.s, &rr)) < 0) {
		fprintf(stderr, "rtxprobe: session: %s\n", strerror(-rc));
		return 2;
	}
	p.t0 = now_cb(NULL);
	if (a.burst && (rc = rtx_session_request_burst(p.s)) < 0)
		fprintf(stderr, "rtxprobe: burst request: %s\n", strerror(-rc));
	if ((rc = join(&p, a.group, a.source, a.iface, &mr)) < 0) {
		fprintf(stderr, "rtxprobe: join %s from %s on %s: %s\n", a.group, a.source, a.iface, strerror(-rc));
		return 2;
	}
	pump(&p, p.t0 + (uint64_t)(a.secs * 1e9));
	fclose(p.out);
	report(&p);
	mld_recv_free(mr);
	rtx_session_free(p.s);
	ts_start_free(p.tss);
	rtx_ident_free(ident);
	close(p.rfd);
	return 0;
}
