/* Unit tests of the edge's RET and fast channel change service (ret.c), in
 * process: the service runs in the test's sc_loop on a fake clock and
 * listens on [::1]; the stream it is fed is MPEG-TS (tsgen) put into RTP
 * by the edge's own packetizer (rtpk), with the RAP/PAT marks found as
 * chan.c finds them. On the other side of loopback sockets are a client
 * session of the public retransmit library (end to end, address challenge
 * included) and hand-built boxes that seal each datagram with the
 * library's encoders under their own identity, so that a test asks exactly
 * what it means to: packets within and beyond the window, wrong keys and
 * identities, bursts and their pacing, one identity's rate limit, a
 * channel's restart. Identities come from a test CA (tu_ident.h).
 *
 * Time moves only by sc_clock_fake_advance(). After each step the test
 * pumps the loop (tu_net.h, real-time deadline) until the edge has read
 * every datagram the test's sockets sent and those sockets got every byte
 * the edge sent: what the edge did with a request is then all there is to
 * see, and counters are compared exactly. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ret.h"
#include "rtpk.h"
#include "rtx.h"
#include "rtx_wire.h"
#include "sc_rtp.h"
#include "ts.h"
#include "tsgen.h"
#include "tu.h"
#include "tu_ident.h"
#include "tu_net.h"

#define CHAN 11
#define CHAN_NOKEY 12          /* served, but without a key yet */
#define CHAN_NONE 99           /* not served */
#define EDGE_ID (RTX_EDGE_ID_FLAG | 1)
#define PKT_NS SC_NS_PER_MS    /* the stream: one RTP packet per ms */
#define GOP 100                /* a RAP every GOP packets; the PAT ends the packet before */
#define WINDOW_NS (2 * SC_NS_PER_S)
#define RATE_PPS 100
#define BUCKET 1000            /* ret.c: a bucket max(rate_pps, 1000) deep */
#define SPEED 2                /* bursts at twice the stream's pace */
#define OVERLAP_NS (50 * SC_NS_PER_MS)
#define INTERVAL_NS (200 * SC_NS_PER_MS)
#define MAX_PKTS 1400
#define CHUNK 50               /* numbers per NACK: the answers fit a socket buffer */
#define MAX_SEQS 2048
#define VIDEO_PID 0x100
#define AUDIO_PID 0x101
#define PMT_PID 0x1000

static const uint8_t key[RTX_KEY_BYTES] = { 0x52, 0x45, 0x54, 1, 2, 3 };
static const uint8_t wrong_key[RTX_KEY_BYTES] = { 0x52, 0x45, 0x54, 1, 2, 4 };

static void log_fn(void *ctx, int level, const char *msg)
{
	(void)ctx;
	if (getenv("RET_TEST_LOG"))
		fprintf(stderr, "<%d> %s\n", level, msg);
}

struct pkt {
	uint8_t buf[RTPK_MAX];
	uint16_t len;
	unsigned flags;
};

struct box;
struct client;

struct world {
	sc_clock *clk;
	sc_loop *loop;
	edge_ret *r;
	struct sc_sockaddr addr;
	rtx_ident *ident;       /* the edge's */
	/* the stream, every packet kept to compare repairs with */
	rtpk *pk;
	struct tsgen_es video;
	uint8_t pat_cc, pmt_cc;
	uint64_t ts_pkts;
	uint16_t first_seq;
	uint32_t ssrc;
	size_t n;
	struct pkt p[MAX_PKTS];
	/* the test's sockets: what they sent, what they got */
	struct box *boxes[8];
	size_t n_boxes;
	struct client *cl;
	uint64_t sent, got_bytes;
	uint64_t gone_bytes;    /* sent by channels since removed */
};

static struct world world;
static struct tu_pki pki;
static uint64_t ts_count; /* makes the boxes' timestamps strictly increasing */

static uint64_t pki_now(void *ctx)
{
	return sc_clock_now_ns(ctx);
}

/* ---- the stream ---- */

/* TS packet k of RTP packet i: video, a RAP opening each GOP, and the
 * PAT and PMT at the end of the packet before it. */
static void ts_make(struct world *w, uint8_t *ts, size_t i, int k)
{
	bool before_rap = i % GOP == GOP - 1;

	if (before_rap && k == RTPK_TS_PER_PACKET - 2) {
		tsgen_pat(ts, PMT_PID, w->pat_cc++);
	} else if (before_rap && k == RTPK_TS_PER_PACKET - 1) {
		tsgen_pmt(ts, PMT_PID, VIDEO_PID, VIDEO_PID, AUDIO_PID, w->pmt_cc++);
	} else {
		w->video.pusi = w->video.rai = i % GOP == 0 && k == 0;
		tsgen_es(ts, &w->video);
		/* payload that differs from packet to packet */
		ts[TS_SIZE - 2] = (uint8_t)(w->ts_pkts >> 8);
		ts[TS_SIZE - 1] = (uint8_t)w->ts_pkts;
	}
}

/* One packet leaves the edge, PKT_NS after the last: it goes to RET with
 * the marks the edge gives it (chan.c, edge.c on_sent). Returns its index. */
static size_t emit(struct world *w)
{
	struct rtpk_packet out;
	struct pkt *p = &w->p[w->n];
	uint8_t ts[TS_SIZE];
	int done = 0;

	CU_ASSERT_FATAL(w->n < MAX_PKTS);
	sc_clock_fake_advance(w->clk, PKT_NS);
	for (int k = 0; k < RTPK_TS_PER_PACKET; k++) {
		bool rap, pat;

		ts_make(w, ts, w->n, k);
		rap = ts_random_access(ts) && ts_pid(ts) == VIDEO_PID;
		pat = ts_pid(ts) == TS_PID_PAT && ts_pusi(ts);
		done = rtpk_add(w->pk, ts, w->ts_pkts * 27000 / 7, rap, pat, &out);
		w->ts_pkts++;
	}
	CU_ASSERT_FATAL(done == 1);
	memcpy(p->buf, out.buf, out.len);
	p->len = out.len;
	p->flags = (out.rap ? RTX_PKT_RAP : 0) | (out.pat ? RTX_PKT_PAT : 0);
	ret_packet(w->r, CHAN, p->buf, p->len, p->flags);
	return w->n++;
}

/* The 16-bit sequence number of packet i, and the index of a number. */
static uint16_t seq_of(const struct world *w, size_t i)
{
	return (uint16_t)(w->first_seq + i);
}

static size_t index_of(const struct world *w, uint16_t seq)
{
	return (uint16_t)(seq - w->first_seq);
}

/* Whether an RTP datagram is packet i of the stream, byte for byte. */
static bool is_packet(const struct world *w, const uint8_t *rtp, size_t len, size_t *i)
{
	*i = len >= SC_RTP_HDR_MIN ? index_of(w, sc_rtp_seq(rtp)) : MAX_PKTS;
	return *i < w->n && len == w->p[*i].len && memcmp(rtp, w->p[*i].buf, len) == 0;
}

/* ---- hand-built boxes ---- */

struct box {
	struct world *w;
	int fd;
	uint32_t id;
	rtx_ident *ident;
	bool own_ident;
	bool no_cert;              /* never attach our certificate */
	uint8_t key[RTX_KEY_BYTES]; /* the RET key we seal with */
	uint32_t session;
	/* what came back */
	size_t dgrams, bad, paths, n_ans;
	struct rtx_burst_ans ans;  /* the last BURST answer */
	size_t n_rep, n_miss;
	uint16_t rep[MAX_SEQS], miss[MAX_SEQS];
	uint8_t first[2][RTPK_MAX]; /* the first two repairs */
};

static uint64_t next_ts(const struct world *w)
{
	return sc_clock_wall_ns(w->clk) + ++ts_count;
}

/* Seal a datagram of type to the edge in RET domain chan and send it.
 * Returns 0 or a negative errno. */
static int box_send(struct box *b, uint32_t chan, uint8_t type, const uint8_t *body, size_t len)
{
	struct rtx_hdr h = { .type = type, .flags = RTX_WIRE_FLAG_RET, .body_len = (uint16_t)len,
			     .group_id = chan, .sender_id = b->id, .receiver_id = EDGE_ID,
			     .ts = next_ts(b->w), .session = b->session };
	uint8_t dg[RTX_WIRE_OVERHEAD + RTX_CERT_BYTES + 1400];
	struct rtx_seal seal;
	struct rtx_env e;
	size_t off;
	int rc = rtx_ident_seal_key(b->ident, EDGE_ID, b->key, !b->no_cert, &seal);

	if (rc < 0)
		return rc;
	rtx_wire_env(&e, &h);
	off = rtx_ident_seal_begin(b->ident, &seal, RTX_WIRE_MAGIC, &e, dg);
	memcpy(dg + off, body, len);
	len = rtx_ident_seal_finish(&seal, dg, off + len);
	if (send(b->fd, dg, len, 0) != (ssize_t)len)
		return -errno;
	b->w->sent++;
	return 0;
}

static void box_repair(struct box *b, const struct rtx_hdr *h)
{
	struct rtx_repair rp;
	size_t i;

	if (rtx_repair_parse(h->body, h->body_len, &rp) < 0 || !is_packet(b->w, rp.rtp, rp.rtp_len, &i)) {
		b->bad++;
		return;
	}
	if (b->n_rep < 2)
		memcpy(b->first[b->n_rep], rp.rtp, rp.rtp_len);
	if (b->n_rep < MAX_SEQS)
		b->rep[b->n_rep++] = sc_rtp_seq(rp.rtp);
}

static void box_missing_one(void *ctx, uint16_t seq)
{
	struct box *b = ctx;

	if (b->n_miss < MAX_SEQS)
		b->miss[b->n_miss++] = seq;
}

/* A challenge is echoed at once, as a box does. */
static void box_path(struct box *b, const struct rtx_hdr *h)
{
	struct rtx_path p, echo = { 0 };
	uint8_t body[RTX_WIRE_PATH_LEN];

	if (rtx_path_parse(h->body, h->body_len, &p) < 0) {
		b->bad++;
		return;
	}
	b->paths++;
	if (p.token) {
		echo.echo = p.token;
		CU_ASSERT_EQUAL(box_send(b, h->group_id, RTX_MSG_PATH, body, rtx_path_put(body, &echo)), 0);
	}
}

static void box_input(struct box *b, const uint8_t *buf, size_t len)
{
	const uint8_t *keys[1] = { b->key };
	struct rtx_opened o;
	struct rtx_list l;
	struct rtx_hdr h;

	b->dgrams++;
	if (rtx_wire_parse(buf, len, &h) < 0 || rtx_ident_open(b->ident, buf, len, &h.env, keys, 1, &o) < 0) {
		b->bad++;
		return;
	}
	rtx_ident_commit(b->ident, &o);
	if (h.type == RTX_MSG_REPAIR)
		box_repair(b, &h);
	else if (h.type == RTX_MSG_MISSING && rtx_list_parse(h.body, h.body_len, &l) == 0)
		rtx_list_foreach(&l, MAX_SEQS, box_missing_one, b);
	else if (h.type == RTX_MSG_BURST && rtx_burst_ans_parse(h.body, h.body_len, &b->ans) == 0)
		b->n_ans++;
	else if (h.type == RTX_MSG_PATH)
		box_path(b, &h);
	else
		b->bad++;
}

static void box_drain(struct box *b)
{
	uint8_t buf[2048];
	ssize_t n;

	while ((n = recv(b->fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		b->w->got_bytes += (uint64_t)n;
		box_input(b, buf, (size_t)n);
	}
}

/* A UDP socket on [::1] connected to the edge, with room for a burst. */
static int edge_socket(const struct world *w)
{
	struct sc_sockaddr me = { .len = sizeof(struct sockaddr_in6) };
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), buf = 4 << 20;

	me.u.in6.sin6_family = AF_INET6;
	me.u.in6.sin6_addr = in6addr_loopback;
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	if (bind(fd, &me.u.sa, me.len) < 0 || connect(fd, &w->addr.u.sa, w->addr.len) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A box with identity ident (owned when own) sealing with the channel's
 * key; the world closes it. */
static void box_open(struct world *w, struct box *b, rtx_ident *ident, bool own)
{
	memset(b, 0, sizeof(*b));
	b->w = w;
	b->ident = ident;
	b->own_ident = own;
	CU_ASSERT_PTR_NOT_NULL_FATAL(ident);
	b->id = rtx_ident_self(ident);
	memcpy(b->key, key, sizeof(key));
	b->session = (uint32_t)tu_rand() | 1;
	b->fd = edge_socket(w);
	CU_ASSERT_FATAL(b->fd >= 0 && w->n_boxes < sizeof(w->boxes) / sizeof(w->boxes[0]));
	w->boxes[w->n_boxes++] = b;
}

/* A registered box: the edge and it know each other's certificates, as
 * from the management server. */
static void box_new(struct world *w, struct box *b, uint32_t id)
{
	box_open(w, b, tu_ident_new(&pki, id, 0), true);
	tu_ident_introduce(w->ident, b->ident);
}

/* ---- a client session of the public library ---- */

struct client {
	struct world *w;
	int fd;
	rtx_ident *ident;
	rtx_session *s;
	uint64_t delivered, bad, lost;
};

static uint64_t cl_now(void *ctx)
{
	return sc_clock_now_ns(((struct client *)ctx)->w->clk);
}

/* Its one RET server, the edge, is peer 1. */
static int cl_send(void *ctx, uint64_t peer, const uint8_t *buf, size_t len)
{
	struct client *c = ctx;

	if (peer != 1)
		return -ENOENT;
	if (send(c->fd, buf, len, 0) != (ssize_t)len)
		return -errno;
	c->w->sent++;
	return 0;
}

/* The playback buffer's output must be the stream, in order, as sent. */
static void cl_deliver(void *ctx, uint64_t ext, const uint8_t *pkt, size_t len)
{
	struct client *c = ctx;
	size_t i;

	(void)ext;
	if (!is_packet(c->w, pkt, len, &i) || i != c->delivered)
		c->bad++;
	c->delivered++;
}

static void cl_lost(void *ctx, uint64_t ext)
{
	(void)ext;
	((struct client *)ctx)->lost++;
}

static void client_new(struct world *w, struct client *c, uint32_t id)
{
	struct rtx_callbacks cb = { .ctx = c, .now_ns = cl_now, .send = cl_send, .deliver = cl_deliver,
				    .lost = cl_lost, .log = log_fn, .log_level = LOG_DEBUG };
	struct rtx_member srv = { EDGE_ID, 1 };
	struct rtx_ret rr = { .domain_id = CHAN, .servers = &srv, .n_servers = 1 };
	struct rtx_config cfg;

	memset(c, 0, sizeof(*c));
	c->w = w;
	c->ident = tu_ident_new(&pki, id, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c->ident);
	tu_ident_introduce(w->ident, c->ident);
	c->fd = edge_socket(w);
	CU_ASSERT_FATAL(c->fd >= 0);
	rtx_config_defaults(&cfg, RTX_ROLE_CLIENT);
	cfg.self_id = id;
	cfg.ident = c->ident;
	cfg.playout_delay_ns = 100 * SC_NS_PER_MS;
	cfg.ret_after_rounds = 0; /* no group: RET at once */
	cfg.ts_base_ns = sc_clock_wall_ns(w->clk);
	memcpy(rr.key, key, sizeof(key));
	CU_ASSERT_EQUAL_FATAL(rtx_session_new(&cfg, &cb, &c->s), 0);
	CU_ASSERT_EQUAL_FATAL(rtx_session_set_ret(c->s, &rr), 0);
	w->cl = c;
}

static void client_drain(struct client *c)
{
	uint8_t buf[2048];
	ssize_t n;

	while ((n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		c->w->got_bytes += (uint64_t)n;
		rtx_session_input_peer(c->s, buf, (size_t)n, 1);
	}
	if (rtx_session_deadline(c->s) <= cl_now(c))
		rtx_session_run(c->s);
}

/* ---- the world: the edge on a fake clock ---- */

static uint64_t edge_bytes(const struct world *w)
{
	static const uint32_t chans[] = { CHAN, CHAN_NOKEY };
	struct ret_chan_stats st;
	uint64_t sum = w->gone_bytes;

	for (size_t i = 0; i < sizeof(chans) / sizeof(chans[0]); i++)
		if (ret_chan_stats(w->r, chans[i], &st) == 0)
			sum += st.rtx.bytes_sent;
	return sum;
}

static bool quiet(void *arg)
{
	struct world *w = arg;

	for (size_t i = 0; i < w->n_boxes; i++)
		box_drain(w->boxes[i]);
	if (w->cl)
		client_drain(w->cl);
	return ret_datagrams(w->r) == w->sent && w->got_bytes == edge_bytes(w);
}

/* Fire what is due at the current time, then pump until nothing is in
 * flight either way. */
static void settle(struct world *w)
{
	sc_loop_run_once(w->loop, 0);
	CU_ASSERT_FATAL(tu_pump_until(w->loop, quiet, w));
}

/* A free port on [::1] (bound and released: the edge binds it next). */
static void free_port(struct sc_sockaddr *a)
{
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	memset(a, 0, sizeof(*a));
	a->u.in6.sin6_family = AF_INET6;
	a->u.in6.sin6_addr = in6addr_loopback;
	a->len = sizeof(a->u.in6);
	CU_ASSERT_FATAL(fd >= 0 && bind(fd, &a->u.sa, a->len) == 0 && getsockname(fd, &a->u.sa, &a->len) == 0);
	close(fd);
}

/* The edge (id EDGE_ID) with channel CHAN keyed, and the stream's
 * packetizer: random SSRC and timestamp, and a random first sequence
 * number less than 500 below the wrap, so that most tests cross it
 * somewhere. */
static struct world *world_new(void)
{
	struct world *w = &world;
	struct sc_logger lg = { log_fn, NULL, LOG_DEBUG };
	struct ret_cfg rc = { .window_ns = WINDOW_NS, .max_bitrate_bps = 20000000, .rate_pps = RATE_PPS,
			      .burst_speed = SPEED, .burst_max_ns = SC_NS_PER_S, .burst_overlap_ns = OVERLAP_NS,
			      .burst_interval_ns = INTERVAL_NS, .edge_id = 1 };
	int err = -EADDRINUSE;

	memset(w, 0, sizeof(*w));
	w->clk = sc_clock_fake_new(10 * SC_NS_PER_S);
	w->loop = sc_loop_new(w->clk);
	CU_ASSERT_FATAL(w->clk && w->loop && tu_pki_init(&pki, pki_now, w->clk) == 0);
	w->ident = rc.ident = tu_ident_new(&pki, EDGE_ID, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w->ident);
	for (int tries = 0; tries < 5 && err == -EADDRINUSE; tries++) {
		free_port(&rc.listen);
		err = ret_new(w->loop, &rc, &lg, &w->r);
	}
	CU_ASSERT_EQUAL_FATAL(err, 0);
	w->addr = rc.listen;
	w->first_seq = (uint16_t)(65535 - tu_rand_below(500));
	w->ssrc = (uint32_t)tu_rand() | 1;
	w->pk = rtpk_new(w->ssrc, w->first_seq, (uint32_t)tu_rand());
	w->video.pid = VIDEO_PID;
	CU_ASSERT_PTR_NOT_NULL_FATAL(w->pk);
	CU_ASSERT_EQUAL_FATAL(ret_add_channel(w->r, CHAN, key), 0);
	return w;
}

static void world_free(struct world *w)
{
	ret_free(w->r); /* before the identity its sessions borrow */
	for (size_t i = 0; i < w->n_boxes; i++) {
		close(w->boxes[i]->fd);
		if (w->boxes[i]->own_ident)
			rtx_ident_free(w->boxes[i]->ident);
	}
	if (w->cl) {
		rtx_session_free(w->cl->s);
		rtx_ident_free(w->cl->ident);
		close(w->cl->fd);
	}
	rtx_ident_free(w->ident);
	rtpk_free(w->pk);
	sc_loop_free(w->loop);
	sc_clock_free(w->clk);
}

static struct ret_chan_stats chan_stats(const struct world *w, uint32_t id)
{
	struct ret_chan_stats st;

	CU_ASSERT_EQUAL(ret_chan_stats(w->r, id, &st), 0);
	return st;
}

/* ---- requests ---- */

/* NACK packets idx[0..n) (increasing) of the stream. */
static void nack_list(struct box *b, uint32_t chan, const size_t *idx, size_t n)
{
	uint64_t exts[CHUNK];
	uint8_t body[1200];
	size_t used = 0;
	int len;

	CU_ASSERT_FATAL(n <= CHUNK);
	for (size_t i = 0; i < n; i++)
		exts[i] = 65536u + b->w->first_seq + idx[i]; /* the low 16 bits go on the wire */
	len = rtx_list_build(body, sizeof(body), b->w->ssrc, 0, exts, n, &used);
	CU_ASSERT_FATAL(len > 0 && used == n);
	CU_ASSERT_EQUAL(box_send(b, chan, RTX_MSG_NACK, body, (size_t)len), 0);
	settle(b->w);
}

/* NACK packets from .. from+n-1, CHUNK at a time. */
static void nack_run(struct box *b, uint32_t chan, size_t from, size_t n)
{
	size_t idx[CHUNK];

	while (n > 0) {
		size_t k = n < CHUNK ? n : CHUNK;

		for (size_t i = 0; i < k; i++)
			idx[i] = from + i;
		nack_list(b, chan, idx, k);
		from += k;
		n -= k;
	}
}

static void burst_req(struct box *b, uint32_t chan, uint32_t backlog_ms)
{
	struct rtx_burst_req rq = { backlog_ms };
	uint8_t body[RTX_WIRE_BURST_REQ_LEN];

	CU_ASSERT_EQUAL(box_send(b, chan, RTX_MSG_BURST_REQ, body, rtx_burst_req_put(body, &rq)), 0);
	settle(b->w);
}

/* Prove our address to the edge: a challenge of ours, echoed with one of
 * its own, which we echo (box_path). */
static void hello(struct box *b)
{
	struct rtx_path p = { .token = tu_rand() | 1 };
	uint8_t body[RTX_WIRE_PATH_LEN];
	struct rtx_ident_stats before, after;

	rtx_ident_stats(b->w->ident, &before);
	CU_ASSERT_EQUAL(box_send(b, CHAN, RTX_MSG_PATH, body, rtx_path_put(body, &p)), 0);
	settle(b->w);
	rtx_ident_stats(b->w->ident, &after);
	CU_ASSERT_EQUAL(after.addrs_validated, before.addrs_validated + 1);
	CU_ASSERT_EQUAL(b->paths, 1); /* its challenge */
	b->paths = 0;
}

/* ---- the tests ---- */

/* (1) A library client's multicast losses are repaired by the edge, byte for byte, in order. */
static void test_repair_end_to_end(void)
{
	struct world *w = world_new();
	struct client c;
	struct ret_chan_stats st;
	struct rtx_stats cs;
	size_t lost[6], n_lost = 0;

	client_new(w, &c, 300);
	/* a lone loss at a random place and a run of five later */
	lost[n_lost++] = 20 + tu_rand_below(60);
	for (size_t i = 0; i < 5; i++)
		lost[n_lost++] = 120 + i;
	for (size_t k = 0; k < 600 && c.delivered < 250; k++) {
		size_t i = emit(w);
		bool drop = false;

		for (size_t j = 0; j < n_lost; j++)
			drop |= lost[j] == i;
		if (!drop)
			rtx_session_input_rtp(c.s, w->p[i].buf, w->p[i].len);
		settle(w);
	}
	rtx_session_stats(c.s, &cs);
	st = chan_stats(w, CHAN);
	CU_ASSERT(c.delivered >= 250);
	CU_ASSERT_EQUAL(c.bad, 0);
	CU_ASSERT_EQUAL(c.lost, 0);
	CU_ASSERT_EQUAL(cs.repaired_ret, n_lost);
	CU_ASSERT(cs.ret_requests_sent >= 1);
	CU_ASSERT_EQUAL(st.rtx.repairs_sent, n_lost);
	CU_ASSERT(st.rtx.requests_received >= 1);
	CU_ASSERT_EQUAL(st.rtx.unvalidated, 1); /* the first request: challenged */
	CU_ASSERT_EQUAL(st.rtx.auth_failed + st.rtx.malformed + st.rtx.replayed, 0);
	world_free(w);
}

/* (2) A NACK gets repairs from the last WINDOW_NS only: older packets are MISSING, not sent. */
static void test_window(void)
{
	struct world *w = world_new();
	struct box b;
	struct ret_chan_stats st;
	const size_t both[] = { 40, 60 }, old[] = { 10, 11, 12 };

	box_new(w, &b, 100);
	for (int i = 0; i < 100; i++)
		emit(w);
	hello(&b);
	nack_run(&b, CHAN, 10, 10);
	CU_ASSERT_EQUAL(b.n_rep, 10);
	CU_ASSERT_EQUAL(b.rep[0], seq_of(w, 10));
	/* Packet i arrived at (i + 1) ms; now is 100 ms: packet 40 gets 10 ms
	 * past the window, packet 60 stays 10 ms within. */
	sc_clock_fake_advance(w->clk, WINDOW_NS - 49 * PKT_NS);
	nack_list(&b, CHAN, both, 2);
	CU_ASSERT_EQUAL(b.n_rep, 11);
	CU_ASSERT_EQUAL(b.rep[10], seq_of(w, 60));
	CU_ASSERT_EQUAL(b.n_miss, 1);
	CU_ASSERT_EQUAL(b.miss[0], seq_of(w, 40));
	/* packets repaired before, now too old: nothing */
	nack_list(&b, CHAN, old, 3);
	CU_ASSERT_EQUAL(b.n_rep, 11);
	CU_ASSERT_EQUAL(b.n_miss, 4);
	st = chan_stats(w, CHAN);
	CU_ASSERT_EQUAL(st.rtx.repairs_sent, 11);
	CU_ASSERT_EQUAL(st.rtx.seqs_missing, 4);
	CU_ASSERT_EQUAL(b.bad, 0);
	world_free(w);
}

/* One NACK (for packet 5) or burst request that must get nothing: the
 * edge sends nothing at all, not even a challenge. Returns chan's counters
 * after it. */
static struct ret_chan_stats refused(struct box *b, uint32_t chan, bool burst)
{
	struct world *w = b->w;
	struct ret_chan_stats st = { 0 };
	uint64_t bytes = edge_bytes(w);
	size_t dgrams = b->dgrams;
	const size_t idx[] = { 5 };

	if (burst)
		burst_req(b, chan, 0);
	else
		nack_list(b, chan, idx, 1);
	CU_ASSERT_EQUAL(edge_bytes(w), bytes);
	CU_ASSERT_EQUAL(b->dgrams, dgrams);
	if (chan != CHAN_NONE)
		st = chan_stats(w, chan);
	return st;
}

/* A box whose certificate is signed by another CA (with the edge's id and
 * key certified by that CA too, so that only the CA is wrong). */
static rtx_ident *rogue_ident(struct world *w, uint32_t id, struct tu_pki *rogue)
{
	uint8_t cert[RTX_CERT_BYTES];
	rtx_ident *ident;

	CU_ASSERT_FATAL(tu_pki_init(rogue, pki_now, w->clk) == 0);
	ident = tu_ident_new(rogue, id, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ident);
	tu_pki_issue(rogue, EDGE_ID, rtx_ident_cert(w->ident)->pub, cert);
	CU_ASSERT_EQUAL(rtx_ident_learn(ident, cert, sizeof(cert)), 0);
	return ident;
}

/* A box of our CA whose certificate the edge never got: it knows the
 * edge's, as from the management server, and does not attach its own. */
static rtx_ident *stranger_ident(struct world *w, uint32_t id)
{
	uint8_t cert[RTX_CERT_BYTES];
	rtx_ident *ident = tu_ident_new(&pki, id, 0);

	CU_ASSERT_PTR_NOT_NULL_FATAL(ident);
	rtx_cert_encode(rtx_ident_cert(w->ident), cert);
	CU_ASSERT_EQUAL(rtx_ident_learn(ident, cert, sizeof(cert)), 0);
	return ident;
}

/* (3) Unauthenticated requests get nothing, not even a challenge, and are counted by cause. */
static void test_auth(void)
{
	struct world *w = world_new();
	struct box good, wrong, nokey, rogue, stranger, revoked;
	struct tu_pki rogue_pki;
	struct ret_chan_stats st;
	const size_t idx[] = { 5 };
	unsigned ret_c, burst_c;

	CU_ASSERT_EQUAL(ret_add_channel(w->r, CHAN_NOKEY, NULL), 0);
	for (int i = 0; i < 50; i++)
		emit(w);
	box_new(w, &good, 100);
	hello(&good);
	/* a registered box with the wrong channel key: a NACK, a burst request */
	box_new(w, &wrong, 101);
	memcpy(wrong.key, wrong_key, sizeof(wrong_key));
	st = refused(&wrong, CHAN, false);
	CU_ASSERT_EQUAL(st.rtx.auth_failed, 1);
	st = refused(&wrong, CHAN, true);
	CU_ASSERT_EQUAL(st.rtx.auth_failed, 2);
	CU_ASSERT_EQUAL(st.rtx.bursts_served + st.rtx.burst_refused, 0);
	/* what never authenticated is not a client, nor one of a burst */
	ret_clients(w->r, SC_NS_PER_S, &ret_c, &burst_c);
	CU_ASSERT_EQUAL(burst_c, 0);
	/* the right key on a channel that has none yet */
	box_new(w, &nokey, 102);
	st = refused(&nokey, CHAN_NOKEY, false);
	CU_ASSERT_EQUAL(st.rtx.auth_failed, 1);
	/* not certified by our CA; never introduced */
	box_open(w, &rogue, rogue_ident(w, 103, &rogue_pki), true);
	st = refused(&rogue, CHAN, false);
	CU_ASSERT_EQUAL(st.rtx.auth_failed, 3);
	box_open(w, &stranger, stranger_ident(w, 104), true);
	stranger.no_cert = true;
	st = refused(&stranger, CHAN, false);
	CU_ASSERT_EQUAL(st.rtx.unknown_sender, 1);
	/* kicked by the management server */
	box_new(w, &revoked, 105);
	CU_ASSERT_EQUAL(rtx_ident_revoke(w->ident, 105, tu_pki_wall_ms(&pki) + 1), 0);
	st = refused(&revoked, CHAN, false);
	CU_ASSERT_EQUAL(st.rtx.revoked, 1);
	CU_ASSERT_EQUAL(ret_unrouted(w->r), 0);
	refused(&good, CHAN_NONE, false);
	CU_ASSERT_EQUAL(ret_unrouted(w->r), 1);
	/* meanwhile the registered box is served */
	nack_list(&good, CHAN, idx, 1);
	CU_ASSERT_EQUAL(good.n_rep, 1);
	CU_ASSERT_EQUAL(good.bad, 0);
	st = chan_stats(w, CHAN);
	CU_ASSERT_EQUAL(st.rtx.repairs_sent, 1);
	CU_ASSERT_EQUAL(st.rtx.requests_received, 1);
	CU_ASSERT_EQUAL(st.rtx.auth_failed, 3);
	/* of the seven boxes that spoke, only the registered one counts */
	ret_clients(w->r, SC_NS_PER_S, &ret_c, &burst_c);
	CU_ASSERT_EQUAL(ret_c, 1);
	CU_ASSERT_EQUAL(burst_c, 0);
	world_free(w);
}

/* The PAT (and its PMT) is in this RTP packet. */
static bool holds_pat(const uint8_t *rtp)
{
	uint16_t pmt = 0;

	for (int k = 0; k < RTPK_TS_PER_PACKET; k++) {
		const uint8_t *ts = rtp + SC_RTP_HDR_MIN + k * TS_SIZE;

		if (ts_check(ts) == TS_OK && ts_pid(ts) == TS_PID_PAT && ts_pat_first_pmt(ts, &pmt) == 0)
			return pmt == PMT_PID;
	}
	return false;
}

/* Its first TS packet is a random access point of the video. */
static bool starts_rap(const uint8_t *rtp)
{
	const uint8_t *ts = rtp + SC_RTP_HDR_MIN;

	return ts_check(ts) == TS_OK && ts_pid(ts) == VIDEO_PID && ts_random_access(ts);
}

/* Check the burst start: the answer, the PAT, then the RAP. */
static void check_burst_start(const struct world *w, const struct box *b)
{
	CU_ASSERT_EQUAL_FATAL(b->n_ans, 1);
	CU_ASSERT_EQUAL(b->ans.status, RTX_BURST_OK);
	CU_ASSERT_EQUAL(b->ans.speed_pct, SPEED * 100);
	CU_ASSERT_EQUAL(b->ans.ssrc, w->ssrc);
	/* the newest RAP at least 50 ms old is packet 300 (packet 400 is 49
	 * ms old); the burst starts at the PAT in the packet before it */
	CU_ASSERT_EQUAL(b->ans.start, seq_of(w, 299));
	CU_ASSERT_EQUAL(b->ans.rap, seq_of(w, 300));
	CU_ASSERT_EQUAL(b->ans.head, seq_of(w, 449));
	/* past the head by OVERLAP_NS of stream */
	CU_ASSERT_EQUAL(b->ans.splice, seq_of(w, 450 + OVERLAP_NS / PKT_NS));
	CU_ASSERT_FATAL(b->n_rep >= 2);
	CU_ASSERT_EQUAL(b->rep[0], seq_of(w, 299));
	CU_ASSERT(holds_pat(b->first[0]));
	CU_ASSERT_EQUAL(b->rep[1], seq_of(w, 300));
	CU_ASSERT(starts_rap(b->first[1]));
}

/* (4) A burst starts at the PAT before a RAP, is paced at SPEED, counted, and rate limited. */
static void test_burst(void)
{
	struct world *w = world_new();
	struct box b;
	struct ret_chan_stats st;
	size_t n0, n10, total = 450 + OVERLAP_NS / PKT_NS - 299; /* 299 .. splice - 1 */
	unsigned ret_c, burst_c;

	box_new(w, &b, 100);
	hello(&b);
	for (int i = 0; i < 450; i++)
		emit(w);
	burst_req(&b, CHAN, 50);
	check_burst_start(w, &b);
	/* At once: what comes before the RAP, and the packets due within the
	 * sender's 1 ms slack; then SPEED packets per ms of the stream. */
	n0 = b.n_rep;
	CU_ASSERT(n0 <= 2 + SPEED * 1);
	for (int k = 0; k < 10; k++) {
		emit(w);
		settle(w);
	}
	n10 = b.n_rep;
	CU_ASSERT(n10 >= 1 + SPEED * 9);
	CU_ASSERT(n10 <= 2 + SPEED * 11);
	for (int k = 0; k < 400 && b.n_rep < total; k++) {
		emit(w);
		settle(w);
	}
	CU_ASSERT_EQUAL(b.n_rep, total);
	for (size_t i = 0; i < b.n_rep; i++)
		CU_ASSERT_EQUAL(b.rep[i], seq_of(w, 299 + i));
	CU_ASSERT_EQUAL(b.bad, 0);
	st = chan_stats(w, CHAN);
	CU_ASSERT_EQUAL(st.rtx.bursts_served, 1);
	CU_ASSERT_EQUAL(st.rtx.burst_packets, total);
	CU_ASSERT_EQUAL(st.rtx.burst_refused, 0);
	CU_ASSERT(st.rtx.raps >= 5);
	ret_clients(w->r, SC_NS_PER_S, &ret_c, &burst_c);
	CU_ASSERT_EQUAL(ret_c, 1);
	CU_ASSERT_EQUAL(burst_c, 1);
	/* again, within the interval: refused, and counted */
	b.n_ans = 0;
	burst_req(&b, CHAN, 50);
	CU_ASSERT_EQUAL(b.n_ans, 1);
	CU_ASSERT_EQUAL(b.ans.status, RTX_BURST_RATE);
	st = chan_stats(w, CHAN);
	CU_ASSERT_EQUAL(st.rtx.bursts_served, 1);
	CU_ASSERT_EQUAL(st.rtx.burst_refused, 1);
	CU_ASSERT_EQUAL(b.n_rep, total);
	world_free(w);
}

/* (5) One identity gets BUCKET repairs, then RATE_PPS a second, from any address; others their own. */
static void test_rate_limit(void)
{
	struct world *w = world_new();
	struct box a, a2, other;
	struct ret_chan_stats st;

	box_new(w, &a, 100);
	box_open(w, &a2, a.ident, false); /* the same box at another port */
	box_new(w, &other, 101);
	hello(&a);
	hello(&a2);
	hello(&other);
	for (int i = 0; i < 1200; i++)
		emit(w);
	nack_run(&a, CHAN, 0, 1200);
	CU_ASSERT_EQUAL(a.n_rep, BUCKET);
	st = chan_stats(w, CHAN);
	CU_ASSERT_EQUAL(st.rtx.repairs_sent, BUCKET);
	CU_ASSERT_EQUAL(st.rtx.seqs_refused, 1200 - BUCKET);
	CU_ASSERT_EQUAL(st.rtx.requests_refused, (1200 - BUCKET) / CHUNK);
	nack_run(&a2, CHAN, 1100, CHUNK);
	CU_ASSERT_EQUAL(a2.n_rep, 0);
	nack_run(&other, CHAN, 0, CHUNK);
	CU_ASSERT_EQUAL(other.n_rep, CHUNK);
	/* half a second refills RATE_PPS / 2 (the stream is still within the
	 * window) */
	sc_clock_fake_advance(w->clk, SC_NS_PER_S / 2);
	nack_run(&a, CHAN, 1000, RATE_PPS / 2 + 10);
	CU_ASSERT_EQUAL(a.n_rep, BUCKET + RATE_PPS / 2);
	CU_ASSERT_EQUAL(a.n_miss, 0);
	st = chan_stats(w, CHAN);
	CU_ASSERT_EQUAL(st.rtx.repairs_sent, BUCKET + CHUNK + RATE_PPS / 2);
	CU_ASSERT_EQUAL(st.rtx.seqs_refused, 1200 - BUCKET + CHUNK + 10);
	CU_ASSERT_EQUAL(a.bad + a2.bad + other.bad, 0);
	world_free(w);
}

/* (6) Removing and re-adding a channel forgets its window and RAPs; meanwhile it is unrouted. */
static void test_restart(void)
{
	struct world *w = world_new();
	struct box b;
	struct ret_chan_stats st;
	const size_t idx[] = { 10 }, both[] = { 50, 110 };

	box_new(w, &b, 100);
	hello(&b);
	for (int i = 0; i < 100; i++)
		emit(w);
	nack_list(&b, CHAN, idx, 1);
	CU_ASSERT_EQUAL(b.n_rep, 1);
	w->gone_bytes += chan_stats(w, CHAN).rtx.bytes_sent;
	ret_remove_channel(w->r, CHAN);
	CU_ASSERT_EQUAL(ret_chan_stats(w->r, CHAN, &st), -ENOENT);
	nack_list(&b, CHAN, idx, 1);
	CU_ASSERT_EQUAL(ret_unrouted(w->r), 1);
	CU_ASSERT_EQUAL(b.n_rep, 1);
	CU_ASSERT_EQUAL(ret_add_channel(w->r, CHAN, key), 0);
	for (int i = 0; i < 20; i++)
		emit(w); /* 100 (a RAP) .. 119, same SSRC, numbers going on */
	nack_list(&b, CHAN, both, 2);
	CU_ASSERT_EQUAL(b.n_rep, 2);
	CU_ASSERT_EQUAL(b.rep[1], seq_of(w, 110));
	CU_ASSERT_EQUAL(b.n_miss, 1);
	CU_ASSERT_EQUAL(b.miss[0], seq_of(w, 50));
	st = chan_stats(w, CHAN);
	CU_ASSERT_EQUAL(st.rtx.repairs_sent, 1);
	CU_ASSERT_EQUAL(st.rtx.seqs_missing, 1);
	CU_ASSERT_EQUAL(st.rtx.raps, 1);
	burst_req(&b, CHAN, 0);
	CU_ASSERT_EQUAL_FATAL(b.n_ans, 1);
	CU_ASSERT_EQUAL(b.ans.status, RTX_BURST_OK);
	CU_ASSERT_EQUAL(b.ans.start, seq_of(w, 100));
	CU_ASSERT_EQUAL(b.ans.rap, seq_of(w, 100));
	CU_ASSERT_EQUAL(b.bad, 0);
	world_free(w);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "a library client's losses are repaired, byte for byte", test_repair_end_to_end },
		{ "packets older than the window are not repaired", test_window },
		{ "unauthenticated requests get nothing and are counted", test_auth },
		{ "a burst starts at the PAT before a RAP and is paced", test_burst },
		{ "one identity is rate limited, refilled with time", test_rate_limit },
		{ "a channel's restart forgets its window", test_restart },
		{ NULL, NULL },
	};

	return tu_add_suite("edge_ret", tests);
}
