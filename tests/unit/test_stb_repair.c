/* Unit tests of the set-top box core's repair paths (stb_tuner.c and the
 * retransmit session under it), in process on the fake clock of tu_stb.h:
 * the fake management server's tune answer names test sockets of the
 * namespace as the edge's RET / burst server and as the repair group's
 * members, each with its own identity of the test CA (tu_ident.h); they
 * open what the box sends them and seal what they answer by hand with the
 * public library's encoders (rtx_ident.h, rtx_wire.h), as test_edge_ret.c
 * does for the edge. The test also sends the channel's multicast RTP
 * into the namespace (out of mldt0, looped back to the box's join).
 *
 * Covered: a zap with a burst server (a BURST_REQ reaches it; its answer
 * and burst start playback) and without one (no BURST_REQ); a hole in the
 * multicast asked of the group first and, after the rounds the box gives
 * the group, of the edge's RET, whose repair fills it.
 *
 * Everything here needs the box's tuner, so without a namespace (no user
 * namespaces) each test says so and checks nothing. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mld_netns.h"
#include "rtx_wire.h"
#include "sc_bytes.h"
#include "tu.h"
#include "tu_net.h"
#include "tu_stb.h"

#define EDGE_ID (RTX_EDGE_ID_FLAG | 1)
#define CHAN 1
#define SSRC 0x5eed0001u
#define RTP_LEN TU_RTP_LEN
#define MAX_LOG 256
#define N_PEERS 2

/* A test socket speaking the repair protocol: a group member or the edge. */
struct peer {
	int fd;
	uint32_t id;
	rtx_ident *ident;
	uint8_t key[32];          /* its domain's: the group's or RET's */
	bool ret;                 /* RET domain (flag and domain id) */
	uint32_t session;
	/* what it got, in order; order[] on the test's common counter */
	size_t n;
	uint8_t type[MAX_LOG];
	unsigned order[MAX_LOG];
	uint16_t first_seq[MAX_LOG]; /* a NACK's first number */
	uint64_t last_ts;            /* of the last request (echoed) */
	struct rtx_burst_req breq;
	size_t bad;
};

static unsigned order_ctr;
static uint64_t ts_count;

/* One multicast stream into the namespace, every packet kept. */
struct stream {
	int fd;
	uint16_t next;
	uint8_t pkt[64][RTP_LEN];
};

static uint64_t next_ts(struct tu_fake *f)
{
	return sc_clock_wall_ns(f->clk) + ++ts_count;
}

static void peer_open(struct tu_fake *f, struct peer *p, uint32_t id, bool ret, char *addr, size_t cap)
{
	uint16_t port;

	memset(p, 0, sizeof(*p));
	p->id = id;
	p->ret = ret;
	p->ident = tu_ident_new(&f->pki, id, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p->ident);
	p->fd = tu_stb_ns_socket(&port);
	p->session = (uint32_t)tu_rand() | 1;
	snprintf(addr, cap, "[%s]:%u", TU_SRC6_A, port);
}

static void peer_close(struct peer *p)
{
	close(p->fd);
	rtx_ident_free(p->ident);
}

/* The test's group members and edge, named in the fake's answers; with
 * burst, the edge is the burst server too. */
static void peers_up(struct tu_fake *f, struct peer *m, struct peer *edge, bool burst)
{
	f->n_members = f->n_real = N_PEERS;
	for (unsigned i = 0; i < N_PEERS; i++) {
		peer_open(f, &m[i], 101 + i, false, f->real_addr[i], sizeof(f->real_addr[i]));
		memset(m[i].key, TU_GROUP_KEY, sizeof(m[i].key));
		tu_cert_of(m[i].ident, f->real_cert[i]);
	}
	peer_open(f, edge, EDGE_ID, true, f->ret.addr, sizeof(f->ret.addr));
	memset(edge->key, 0x7e, sizeof(edge->key));
	memcpy(f->ret.key, edge->key, sizeof(edge->key));
	tu_cert_of(edge->ident, f->ret.cert);
	f->ret.id = EDGE_ID;
	f->ret.on = true;
	f->ret.burst = burst;
}

/* Seal a datagram of type to the box and send it to its repair port. */
static void peer_send(struct tu_fake *f, struct peer *p, uint8_t type, const uint8_t *body, size_t len)
{
	struct rtx_hdr h = { .type = type, .flags = p->ret ? RTX_WIRE_FLAG_RET : 0, .body_len = (uint16_t)len,
			     .group_id = p->ret ? CHAN : f->group_id, .sender_id = p->id, .receiver_id = TU_ID0,
			     .ts = next_ts(f), .session = p->session };
	uint8_t dg[RTX_WIRE_OVERHEAD + RTX_CERT_BYTES + 1600];
	struct sockaddr_in6 to = { .sin6_family = AF_INET6 };
	socklen_t tl = sizeof(to);
	struct rtx_seal seal;
	struct rtx_env e;
	size_t off;

	CU_ASSERT_EQUAL_FATAL(rtx_ident_seal_key(p->ident, TU_ID0, p->key, true, &seal), 0);
	rtx_wire_env(&e, &h);
	off = rtx_ident_seal_begin(p->ident, &seal, RTX_WIRE_MAGIC, &e, dg);
	memcpy(dg + off, body, len);
	len = rtx_ident_seal_finish(&seal, dg, off + len);
	getsockname(tu_boxes[0]->rfd, (struct sockaddr *)&to, &tl);
	inet_pton(AF_INET6, TU_SRC6_A, &to.sin6_addr);
	CU_ASSERT_EQUAL(sendto(p->fd, dg, len, 0, (struct sockaddr *)&to, sizeof(to)), (ssize_t)len);
}

/* What the box sent p: logged in order; challenges echoed at once. */
static void peer_input(struct tu_fake *f, struct peer *p, const uint8_t *buf, size_t len)
{
	const uint8_t *keys[1] = { p->key };
	struct rtx_opened o;
	struct rtx_list l;
	struct rtx_path path, echo = { 0 };
	uint8_t body[RTX_WIRE_PATH_LEN];
	struct rtx_hdr h;

	if (rtx_wire_parse(buf, len, &h) < 0 || rtx_ident_open(p->ident, buf, len, &h.env, keys, 1, &o) < 0) {
		p->bad++;
		return;
	}
	rtx_ident_commit(p->ident, &o);
	if (p->n < MAX_LOG) {
		p->type[p->n] = h.type;
		p->order[p->n] = ++order_ctr;
		if (h.type == RTX_MSG_NACK && rtx_list_parse(h.body, h.body_len, &l) == 0 && l.n_pid)
			p->first_seq[p->n] = sc_get_be16(l.entries);
		p->n++;
	}
	p->last_ts = h.ts;
	if (h.type == RTX_MSG_BURST_REQ && rtx_burst_req_parse(h.body, h.body_len, &p->breq) < 0)
		p->bad++;
	if (h.type == RTX_MSG_PATH && rtx_path_parse(h.body, h.body_len, &path) == 0 && path.token) {
		echo.echo = path.token;
		peer_send(f, p, RTX_MSG_PATH, body, rtx_path_put(body, &echo));
	}
}

static void peer_drain(struct tu_fake *f, struct peer *p)
{
	uint8_t buf[2048];
	ssize_t n;

	while ((n = recv(p->fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		peer_input(f, p, buf, (size_t)n);
}

/* How many datagrams of type p got. */
static size_t peer_count(const struct peer *p, uint8_t type)
{
	size_t c = 0;

	for (size_t i = 0; i < p->n; i++)
		c += p->type[i] == type;
	return c;
}

/* The order of p's first datagram of type (0: none). */
static unsigned peer_first(const struct peer *p, uint8_t type)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->type[i] == type)
			return p->order[i];
	return 0;
}

struct wait_dgram {
	struct tu_fake *f;
	struct peer *p;
	uint8_t type;
};

static bool got_type(void *arg)
{
	struct wait_dgram *w = arg;

	peer_drain(w->f, w->p);
	return peer_count(w->p, w->type) > 0;
}

/* Pump the loop until p got a datagram of type (a real-time deadline
 * only guards against a hang). */
static bool wait_type(struct tu_fake *f, struct peer *p, uint8_t type)
{
	struct wait_dgram w = { f, p, type };

	return tu_pump_until(f->loop, got_type, &w);
}

/* ---- the channel's multicast ---- */

static void stream_open(struct stream *m)
{
	memset(m, 0, sizeof(*m));
	m->next = (uint16_t)tu_rand();
	m->fd = tu_stb_mcast_socket();
}

/* RTP packet seq of the stream (MP2T, 7 TS packets), kept by seq. */
static uint8_t *stream_packet(struct stream *m, uint16_t seq)
{
	uint8_t *b = m->pkt[seq % 64];

	tu_stb_rtp(b, seq, 3000u, SSRC);
	return b;
}

/* Send the next n packets, leaving out the hole-th (n: none), and pump
 * until the box has read them all. */
static void stream_send(struct tu_fake *f, struct stream *m, unsigned n, unsigned hole)
{
	uint64_t want = tu_boxes[0]->t->rx_datagrams;

	for (unsigned i = 0; i < n; i++) {
		uint16_t seq = m->next++;
		uint8_t *b = stream_packet(m, seq);

		if (i == hole)
			continue;
		CU_ASSERT_EQUAL(send(m->fd, b, RTP_LEN, 0), RTP_LEN);
		want++;
	}
	CU_ASSERT(tu_pump_until(f->loop, tu_stb_box_got, &want));
}

/* One step of the fake clock: the box's timers run, the peers read. */
static void step(struct tu_fake *f, struct peer *ps, size_t n, uint64_t ns)
{
	sc_clock_fake_advance(f->clk, ns);
	tu_settle(f);
	for (size_t i = 0; i < n; i++)
		peer_drain(f, &ps[i]);
}

/* Registered, the peers know the box's certificate, tuned to CHAN. */
static bool box_tuned(struct tu_fake *f, struct peer *ps, size_t n)
{
	uint8_t cert[RTX_CERT_BYTES];

	tu_boxes[0] = tu_box_new(f, "stb-1");
	tu_advance(f, SC_NS_PER_S);
	tu_cert_of(tu_boxes[0]->ident, cert);
	for (size_t i = 0; i < n; i++)
		CU_ASSERT_EQUAL(rtx_ident_learn(ps[i].ident, cert, sizeof(cert)), 0);
	tu_api_tune(f, CHAN);
	return tu_need_tuner(tu_boxes[0], "the repair paths");
}

static json_t *zap_of(json_t *st)
{
	return json_object_get(st, "zap");
}

static double zap_ms(json_t *st, const char *k)
{
	return json_number_value(json_object_get(zap_of(st), k));
}

static bool burst_state_at_least(void *arg)
{
	struct rtx_zap z;

	rtx_session_zap(tu_boxes[0]->t->rtx, &z);
	return z.state >= *(enum rtx_burst_state *)arg;
}

/* The edge's answer to the BURST_REQ: live at s0+3 when asked, packets
 * s0 .. s0+4 (the first a random access point; the burst runs past the
 * head, as an edge's does), multicast from the splice point s0+5 on. */
static void edge_burst(struct tu_fake *f, struct peer *edge, struct stream *m)
{
	uint16_t s0 = m->next;
	struct rtx_burst_ans a = { .status = RTX_BURST_OK, .speed_pct = 200, .ssrc = SSRC, .echo_ts = edge->last_ts,
				   .start = s0, .rap = s0, .splice = (uint16_t)(s0 + 5), .head = (uint16_t)(s0 + 3),
				   .start_ts = s0 * 3000u, .rap_ts = s0 * 3000u, .head_ts = (s0 + 3u) * 3000u };
	uint8_t body[RTX_WIRE_REPAIR_HDR + RTP_LEN];
	enum rtx_burst_state active = RTX_BURST_ACTIVE;

	peer_send(f, edge, RTX_MSG_BURST, body, rtx_burst_ans_put(body, &a));
	for (uint16_t s = s0; s != (uint16_t)(s0 + 5); s++) {
		sc_put_be64(body, edge->last_ts);
		memcpy(body + RTX_WIRE_REPAIR_HDR, stream_packet(m, s), RTP_LEN);
		peer_send(f, edge, RTX_MSG_REPAIR, body, sizeof(body));
	}
	m->next = (uint16_t)(s0 + 5);
	CU_ASSERT(tu_pump_until(f->loop, burst_state_at_least, &active));
}

/* 1. Zap with a burst server in the tune answer: the box sends the edge a
 * BURST_REQ (sealed to the edge in the RET domain, a backlog asked); the
 * edge's answer and burst make the zap's burst "active", then multicast
 * from the splice point completes it ("done") and playback starts. */
static void test_zap_burst(void)
{
	struct tu_fake f;
	struct peer m[N_PEERS], edge;
	struct stream st;
	json_t *s;

	tu_fake_up(&f);
	peers_up(&f, m, &edge, true);
	if (!box_tuned(&f, &edge, 1))
		goto out;
	CU_ASSERT_FATAL(wait_type(&f, &edge, RTX_MSG_BURST_REQ));
	CU_ASSERT_EQUAL(peer_count(&edge, RTX_MSG_BURST_REQ), 1);
	CU_ASSERT_EQUAL(edge.bad, 0);
	CU_ASSERT(edge.breq.backlog_ms > 0);
	s = tu_status(&f, tu_boxes[0]);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(zap_of(s), "burst"), "state")),
			       "asked");
	CU_ASSERT(zap_ms(s, "first_output_ms") < 0);
	json_decref(s);
	stream_open(&st);
	edge_burst(&f, &edge, &st);
	stream_send(&f, &st, 10, 10);
	tu_advance(&f, SC_NS_PER_S);
	s = tu_status(&f, tu_boxes[0]);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(zap_of(s), "burst"), "state")),
			       "done");
	CU_ASSERT(json_integer_value(json_object_get(json_object_get(zap_of(s), "burst"), "start_seq")) ==
		  (uint16_t)(st.next - 15));
	CU_ASSERT(zap_ms(s, "first_packet_ms") >= 0);
	CU_ASSERT(zap_ms(s, "first_output_ms") >= 0);
	json_decref(s);
	CU_ASSERT_EQUAL(tu_boxes[0]->t->out_packets, 15);
	close(st.fd);
out:
	tu_boxes_free();
	for (int i = 0; i < N_PEERS; i++)
		peer_close(&m[i]);
	peer_close(&edge);
	tu_fake_down(&f);
}

/* 1b. The same zap without a burst server (RET only): no BURST_REQ goes
 * out, the zap has no burst, and playback starts from multicast. */
static void test_zap_no_burst(void)
{
	struct tu_fake f;
	struct peer m[N_PEERS], edge;
	struct stream st;
	json_t *s;

	tu_fake_up(&f);
	peers_up(&f, m, &edge, false);
	if (!box_tuned(&f, &edge, 1))
		goto out;
	stream_open(&st);
	stream_send(&f, &st, 10, 10);
	for (int i = 0; i < 20; i++)
		step(&f, &edge, 1, TU_STEP_NS);
	CU_ASSERT_EQUAL(peer_count(&edge, RTX_MSG_BURST_REQ), 0);
	CU_ASSERT_FALSE(tu_boxes[0]->t->burst_asked);
	s = tu_status(&f, tu_boxes[0]);
	CU_ASSERT_TRUE(json_is_true(json_object_get(s, "ret")));
	CU_ASSERT_TRUE(json_is_null(json_object_get(zap_of(s), "burst")));
	CU_ASSERT(zap_ms(s, "first_output_ms") >= 0);
	json_decref(s);
	CU_ASSERT_EQUAL(tu_boxes[0]->t->out_packets, 10);
	close(st.fd);
out:
	tu_boxes_free();
	for (int i = 0; i < N_PEERS; i++)
		peer_close(&m[i]);
	peer_close(&edge);
	tu_fake_down(&f);
}

/* A repair of packet seq from p, echoing p's last request. */
static void peer_repair(struct tu_fake *f, struct peer *p, struct stream *m, uint16_t seq)
{
	uint8_t body[RTX_WIRE_REPAIR_HDR + RTP_LEN];

	sc_put_be64(body, p->last_ts);
	memcpy(body + RTX_WIRE_REPAIR_HDR, stream_packet(m, seq), RTP_LEN);
	peer_send(f, p, RTX_MSG_REPAIR, body, sizeof(body));
}

static json_int_t repair_stat(struct tu_fake *f, const char *k)
{
	json_t *j = tu_stats(f, tu_boxes[0]);
	json_int_t v = json_integer_value(json_object_get(json_object_get(j, "repair"), k));

	json_decref(j);
	return v;
}

static bool repaired_ret(void *arg)
{
	struct rtx_stats st;

	(void)arg;
	rtx_session_stats(tu_boxes[0]->t->rtx, &st);
	return st.repaired_ret > 0;
}

/* 2. A hole in the multicast: the box NACKs its group's members first;
 * they never answer, and after the rounds it gives the group the NACK goes
 * to the edge's RET; the edge's repair fills the hole (repaired_ret 1,
 * nothing unrepaired, every packet played). */
static void test_escalation(void)
{
	struct tu_fake f;
	struct peer ps[N_PEERS + 1];
	struct peer *edge = &ps[N_PEERS];
	struct stream st;
	uint16_t hole;

	tu_fake_up(&f);
	peers_up(&f, ps, edge, false);
	if (!box_tuned(&f, ps, N_PEERS + 1))
		goto out;
	stream_open(&st);
	stream_send(&f, &st, 10, 10);
	hole = (uint16_t)(st.next + 4);
	stream_send(&f, &st, 10, 4);
	for (int i = 0; i < 100 && !peer_count(edge, RTX_MSG_NACK); i++) {
		step(&f, ps, N_PEERS + 1, 5 * SC_NS_PER_MS);
		stream_send(&f, &st, 1, 1);
	}
	CU_ASSERT_FATAL(peer_count(edge, RTX_MSG_NACK) > 0);
	CU_ASSERT_EQUAL(edge->first_seq[0], hole);
	for (int i = 0; i < N_PEERS; i++) {
		CU_ASSERT(peer_first(&ps[i], RTX_MSG_NACK) > 0);
		CU_ASSERT(peer_first(&ps[i], RTX_MSG_NACK) < peer_first(edge, RTX_MSG_NACK));
		CU_ASSERT_EQUAL(ps[i].first_seq[0], hole);
		printf("[member %u: %zu NACK(s)] ", ps[i].id, peer_count(&ps[i], RTX_MSG_NACK));
	}
	CU_ASSERT_EQUAL(repair_stat(&f, "repaired_ret"), 0);
	peer_repair(&f, edge, &st, hole);
	CU_ASSERT(tu_pump_until(f.loop, repaired_ret, NULL));
	tu_advance(&f, SC_NS_PER_S);
	CU_ASSERT_EQUAL(repair_stat(&f, "repaired_ret"), 1);
	CU_ASSERT_EQUAL(repair_stat(&f, "repaired_peer"), 0);
	CU_ASSERT_EQUAL(repair_stat(&f, "unrepaired"), 0);
	CU_ASSERT_EQUAL(tu_boxes[0]->t->out_packets, (uint16_t)(st.next - hole + 14));
	close(st.fd);
out:
	tu_boxes_free();
	for (int i = 0; i <= N_PEERS; i++)
		peer_close(&ps[i]);
	tu_fake_down(&f);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "zap with a burst server: BURST_REQ, burst, playback", test_zap_burst },
		{ "zap without a burst server: no BURST_REQ", test_zap_no_burst },
		{ "a hole: the group is asked first, then RET, which fills it", test_escalation },
		{ NULL, NULL },
	};
	tu_stb_enter_netns();
	return tu_add_suite("stb_repair", tests);
}
