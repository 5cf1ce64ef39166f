/* rtxprobe: a minimal set-top box for the edge's RET and fast channel
 * change: joins a channel's SSM group, runs a retransmit client session
 * whose only repairer is the edge's RET server, and records what the
 * playback buffer delivers.
 *
 *   rtxprobe -g GROUP:PORT -s SOURCE -i IFACE -r RET_ADDR:PORT -c CHANNEL
 *            -k KEYHEX -t SECONDS -o FILE [-b] [-d DELAY_MS] [-n ID]
 *
 *   -b   zap with a burst: ask the RET server for a fast-channel-change burst
 *        and join the group at once (without -b: join and wait)
 *   -d   playback delay (default 300 ms); -n the client id (default from the pid)
 *
 * At the end it prints one line of key=value pairs: the session's counters
 * and the zap milestones in ms from the start (request or join):
 * first_out_ms (first packet out of the playback buffer), first_rap_out_ms
 * (first packet out holding a video random access point), first_frame_ms
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
#include "rtx.h"
#include "sc_addr.h"
#include "sc_clock.h"
#include "sc_rtp.h"
#include "ts.h"

struct probe {
	rtx_session *s;
	int mfd, rfd;
	struct sc_sockaddr ret;
	FILE *out;
	uint64_t t0, first_out, first_rap, first_frame;
	int pmt_pid, video_pid; /* -1 until known */
	uint64_t delivered, lost, ts_packets;
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

/* The video PID, from the PAT and the PMT as they go by (a decoder can
 * start only after them anyway). */
static void find_video(struct probe *p, const uint8_t *t)
{
	struct ts_pmt pmt;
	uint16_t pid;

	if (p->video_pid >= 0)
		return;
	if (ts_pid(t) == TS_PID_PAT && ts_pat_first_pmt(t, &pid) == 0) {
		p->pmt_pid = pid;
	} else if (p->pmt_pid >= 0 && ts_pid(t) == p->pmt_pid && ts_pmt_parse(t, &pmt) == 0) {
		for (unsigned i = 0; i < pmt.nstreams; i++)
			if (ts_stream_is_video(pmt.streams[i].type))
				p->video_pid = pmt.streams[i].pid;
	}
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
	for (size_t off = 0; off + TS_SIZE <= r.payload_len; off += TS_SIZE) {
		const uint8_t *t = r.payload + off;

		p->ts_packets++;
		if (ts_check(t) != TS_OK)
			continue;
		find_video(p, t);
		if (p->video_pid < 0 || ts_pid(t) != p->video_pid)
			continue;
		if (!p->first_rap && ts_random_access(t)) {
			p->first_rap = now_cb(NULL);
		} else if (p->first_rap && !p->first_frame && ts_pusi(t)) {
			/* The next picture starts: the first one is whole. */
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

static void pump(struct probe *p, uint64_t end)
{
	uint8_t buf[2048];

	for (;;) {
		uint64_t t = now_cb(NULL), d = rtx_session_run(p->s);
		struct pollfd fds[2] = { { p->mfd, POLLIN, 0 }, { p->rfd, POLLIN, 0 } };
		uint64_t until = d < end ? d : end;
		int wait = until > t ? (int)((until - t + SC_NS_PER_MS - 1) / SC_NS_PER_MS) : 0;
		ssize_t n;

		if (t >= end)
			return;
		if (poll(fds, 2, wait) <= 0)
			continue;
		if (fds[0].revents & POLLIN)
			while ((n = recv(p->mfd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
				rtx_session_input_rtp(p->s, buf, (size_t)n);
		if (fds[1].revents & POLLIN)
			while ((n = recv(p->rfd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
				rtx_session_input_peer(p->s, buf, (size_t)n, 0);
	}
}

static int usage(void)
{
	fputs("usage: rtxprobe -g GROUP:PORT -s SOURCE -i IFACE -r RET_ADDR:PORT -c CHANNEL -k KEYHEX\n"
	      "                -t SECONDS -o FILE [-b] [-d DELAY_MS] [-n ID] [-v]\n", stderr);
	return 2;
}

int main(int argc, char **argv)
{
	const char *group = NULL, *source = NULL, *iface = NULL, *ret = NULL, *key = NULL, *out = NULL;
	struct probe p = { .mfd = -1, .pmt_pid = -1, .video_pid = -1 };
	struct rtx_config cfg;
	struct rtx_callbacks cb = { &p, now_cb, send_cb, deliver_cb, lost_cb, log_cb, LOG_DEBUG };
	struct rtx_ret rr = { 0 };
	uint64_t peer = 0;
	mld_recv *mr = NULL;
	double secs = 5;
	long delay_ms = 300, id = 1000 + getpid() % 100000;
	bool burst = false;
	size_t klen = 0;
	int c, rc;

	while ((c = getopt(argc, argv, "g:s:i:r:c:k:t:o:bd:n:v")) != -1) {
		switch (c) {
		case 'g': group = optarg; break;
		case 's': source = optarg; break;
		case 'i': iface = optarg; break;
		case 'r': ret = optarg; break;
		case 'c': rr.domain_id = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'k': key = optarg; break;
		case 't': secs = strtod(optarg, NULL); break;
		case 'o': out = optarg; break;
		case 'b': burst = true; break;
		case 'd': delay_ms = strtol(optarg, NULL, 10); break;
		case 'n': id = strtol(optarg, NULL, 10); break;
		case 'v': p.verbose = true; break;
		default: return usage();
		}
	}
	if (!group || !source || !iface || !ret || !key || !out || !rr.domain_id || secs <= 0 || id <= 0)
		return usage();
	if (sodium_init() < 0 || sodium_hex2bin(rr.key, sizeof(rr.key), key, strlen(key), NULL, &klen, NULL) != 0 ||
	    klen != sizeof(rr.key) || sc_addr_parse(ret, 5200, &p.ret) < 0) {
		fprintf(stderr, "rtxprobe: bad key or RET address\n");
		return 2;
	}
	p.rfd = socket(sc_addr_family(&p.ret), SOCK_DGRAM | SOCK_CLOEXEC, 0);
	p.out = fopen(out, "wb");
	if (p.rfd < 0 || !p.out) {
		fprintf(stderr, "rtxprobe: %s: %s\n", out, strerror(errno));
		return 2;
	}
	rtx_config_defaults(&cfg, RTX_ROLE_CLIENT);
	cfg.self_id = (uint32_t)id;
	cfg.playout_delay_ns = (uint64_t)delay_ms * SC_NS_PER_MS;
	cfg.ret_after_rounds = 0; /* no group: the edge is the only repairer */
	rr.peers = &peer;
	rr.n_peers = 1;
	if ((rc = rtx_session_new(&cfg, &cb, &p.s)) < 0 || (rc = rtx_session_set_ret(p.s, &rr)) < 0) {
		fprintf(stderr, "rtxprobe: session: %s\n", strerror(-rc));
		return 2;
	}
	p.t0 = now_cb(NULL);
	if (burst && (rc = rtx_session_request_burst(p.s)) < 0)
		fprintf(stderr, "rtxprobe: burst request: %s\n", strerror(-rc));
	if ((rc = join(&p, group, source, iface, &mr)) < 0) {
		fprintf(stderr, "rtxprobe: join %s from %s on %s: %s\n", group, source, iface, strerror(-rc));
		return 2;
	}
	pump(&p, p.t0 + (uint64_t)(secs * 1e9));
	fclose(p.out);
	report(&p);
	mld_recv_free(mr);
	rtx_session_free(p.s);
	close(p.rfd);
	return 0;
}
