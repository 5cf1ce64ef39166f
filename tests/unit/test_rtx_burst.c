/* Unit tests of fast channel change (rtx_burst.c): the BURST_REQ/BURST
 * wire format, the edge's choice of random access point, pacing, refusals
 * and rate limits, and a deterministic simulation on a fake clock: a client
 * zaps, gets a burst, joins the multicast at once, and delivers a gap-free,
 * duplicate-free, in-order stream that starts at the PAT before the RAP,
 * also when the network loses packets or the answer. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtx.h"
#include "rtx_wire.h"
#include "sc_bytes.h"
#include "sc_rtp.h"
#include "tu.h"
#include "tu_ident.h"

#define MS 1000000ULL
#define SSRC 0x5eed0001u
#define DOMAIN 7
#define PKT_NS (2 * MS)       /* 500 packets/s */
#define GOP 250               /* a RAP every 0.5 s */
#define PAT_BEFORE 3          /* the PAT 3 packets before each RAP */
#define ONE_WAY (3 * MS)
#define JOIN (5 * MS)         /* request to first multicast packet */
#define FIRST_SEQ 65000       /* wraps during the run */
#define PKT_LEN 200

static uint64_t clk;
static const uint8_t key[RTX_KEY_BYTES] = { 7, 7, 7, 1 };

/* Identities: the edge and the boxes of the tests, by one CA. The edge has
 * met the boxes (their address, handle 1, is validated) unless a test
 * says first_contact. */
#define EDGE_ID (RTX_EDGE_ID_FLAG | 1)
static const uint32_t ids[] = { EDGE_ID, 100, 200, 5 };
#define N_IDS (sizeof(ids) / sizeof(ids[0]))
static struct tu_pki pki;
static rtx_ident *idents[N_IDS];
static bool first_contact;

static uint64_t pki_clock(void *ctx)
{
	(void)ctx;
	return clk;
}

static void idents_free(void)
{
	for (size_t i = 0; i < N_IDS; i++) {
		rtx_ident_free(idents[i]);
		idents[i] = NULL;
	}
}

static rtx_ident *ident_of(uint32_t id)
{
	for (size_t i = 0; i < N_IDS; i++)
		if (ids[i] == id)
			return idents[i];
	return NULL;
}

static void idents_reset(void)
{
	static bool registered;

	if (!registered)
		atexit(idents_free);
	registered = true;
	idents_free();
	CU_ASSERT_EQUAL_FATAL(tu_pki_init(&pki, pki_clock, NULL), 0);
	for (size_t i = 0; i < N_IDS; i++)
		CU_ASSERT_PTR_NOT_NULL_FATAL(idents[i] = tu_ident_new(&pki, ids[i], 0));
	for (size_t i = 0; i < N_IDS; i++)
		for (size_t j = i + 1; j < N_IDS; j++)
			tu_ident_introduce(idents[i], idents[j]);
	for (size_t i = 1; i < N_IDS && !first_contact; i++)
		rtx_ident_addr_set(idents[0], ids[i], 1);
}

/* ---- a network with one-way delay and optional loss ---- */

struct dgram {
	uint64_t at;
	int to; /* 0 edge, 1 client */
	uint8_t buf[PKT_LEN + 100];
	size_t len;
};

static struct {
	struct dgram q[8192];
	size_t n;
	unsigned loss_pct;     /* unicast datagrams lost */
	unsigned mc_loss_pct;  /* multicast packets lost */
	int drop_answers;      /* the first N BURST answers are lost */
	uint64_t rng;          /* the losses' own generator, seeded by tu_rand() */
} net;

/* xorshift64*: the network's losses draw from their own stream. */
static unsigned lose_below(void)
{
	net.rng ^= net.rng >> 12;
	net.rng ^= net.rng << 25;
	net.rng ^= net.rng >> 27;
	return (unsigned)((net.rng * 0x2545f4914f6cdd1dULL) >> 32) % 100;
}

struct node {
	int id;
	rtx_session *s;
	uint64_t got[8192];
	size_t n_got, n_lost;
	int bad;
};

static struct node edge_n, client_n;
static uint64_t edge_interval_ns = 200 * MS;
static uint32_t client_id = 100;

static uint64_t now_cb(void *ctx)
{
	(void)ctx;
	return clk;
}

static int send_cb(void *ctx, uint64_t peer, const uint8_t *buf, size_t len)
{
	struct node *nd = ctx;
	struct rtx_msg_info info;

	(void)peer;
	if (net.n == 8192 || len > sizeof(net.q[0].buf))
		return -ENOBUFS;
	if (rtx_peek(buf, len, &info) == 0 && info.type == RTX_MSG_BURST && net.drop_answers > 0) {
		net.drop_answers--;
		return 0;
	}
	if (net.loss_pct && lose_below() < net.loss_pct)
		return 0;
	net.q[net.n] = (struct dgram){ .at = clk + ONE_WAY, .to = nd->id == 0 ? 1 : 0, .len = len };
	memcpy(net.q[net.n].buf, buf, len);
	net.n++;
	return 0;
}

static void mk_rtp(uint8_t *buf, uint16_t seq)
{
	/* 90 kHz timestamps of packets PKT_NS apart, continuous across the
	 * sequence number's wrap. */
	struct sc_rtp_fields f = { .payload_type = 33, .seq = seq, .timestamp = 12345u + (uint16_t)(seq - FIRST_SEQ) * 180u,
				   .ssrc = SSRC };

	sc_rtp_write(buf, PKT_LEN, &f);
	for (size_t i = SC_RTP_HDR_MIN; i < PKT_LEN; i++)
		buf[i] = (uint8_t)(seq * 7 + i);
}

static void deliver_cb(void *ctx, uint64_t ext, const uint8_t *pkt, size_t len)
{
	struct node *nd = ctx;
	uint8_t want[PKT_LEN];

	mk_rtp(want, sc_rtp_seq(pkt));
	if (len != PKT_LEN || memcmp(pkt, want, len) != 0)
		nd->bad++;
	if (nd->n_got < 8192)
		nd->got[nd->n_got++] = ext;
}

static void lost_cb(void *ctx, uint64_t ext)
{
	if (getenv("BURST_DEBUG"))
		fprintf(stderr, "lost %u at %llu ms\n", (unsigned)(uint16_t)ext, (unsigned long long)(clk / MS));
	((struct node *)ctx)->n_lost++;
}

static void make(struct node *nd, int id, enum rtx_role role, uint64_t peer)
{
	struct rtx_config cfg;
	struct rtx_callbacks cb = { .ctx = nd, .now_ns = now_cb, .send = send_cb, .deliver = deliver_cb,
				    .lost = lost_cb };
	struct rtx_member srv = { EDGE_ID, peer };
	struct rtx_ret r = { .domain_id = DOMAIN, .servers = &srv, .n_servers = role == RTX_ROLE_CLIENT };

	memset(nd, 0, sizeof(*nd));
	nd->id = id;
	rtx_config_defaults(&cfg, role);
	cfg.self_id = role == RTX_ROLE_EDGE ? EDGE_ID : client_id;
	cfg.ident = ident_of(cfg.self_id);
	if (role == RTX_ROLE_EDGE)
		cfg.burst_interval_ns = edge_interval_ns;
	cfg.ret_after_rounds = 0;
	cfg.ts_base_ns = 1000000 * MS;
	memcpy(r.key, key, sizeof(key));
	CU_ASSERT_EQUAL_FATAL(rtx_session_new(&cfg, &cb, &nd->s), 0);
	CU_ASSERT_EQUAL_FATAL(rtx_session_set_ret(nd->s, &r), 0);
}

/* The stream: packet i (from 0) leaves the edge at i * PKT_NS. */
static uint16_t seq_of(uint64_t i)
{
	return (uint16_t)(FIRST_SEQ + i);
}

static unsigned flags_of(uint64_t i)
{
	return (i % GOP == 0 ? RTX_PKT_RAP : 0) | (i % GOP == GOP - PAT_BEFORE ? RTX_PKT_PAT : 0);
}

struct sim {
	uint64_t next_pkt;   /* next packet index to emit */
	uint64_t joined_at;  /* the client gets multicast from then on; 0: not joined */
	bool client_on;
};

static void emit_due(struct sim *sm)
{
	uint8_t buf[PKT_LEN];

	while (sm->next_pkt * PKT_NS <= clk) {
		uint64_t i = sm->next_pkt++;

		mk_rtp(buf, seq_of(i));
		rtx_session_input_rtp_flags(edge_n.s, buf, PKT_LEN, flags_of(i));
		if (sm->client_on && sm->joined_at && clk >= sm->joined_at &&
		    !(net.mc_loss_pct && lose_below() < net.mc_loss_pct))
			rtx_session_input_rtp(client_n.s, buf, PKT_LEN);
	}
}

static void deliver_net(bool client_on)
{
	size_t k = 0;

	for (size_t i = 0; i < net.n; i++) {
		struct dgram *d = &net.q[i];

		if (d->at > clk) {
			net.q[k++] = *d;
			continue;
		}
		if (d->to == 0)
			rtx_session_input_peer(edge_n.s, d->buf, d->len, 1);
		else if (client_on)
			rtx_session_input_peer(client_n.s, d->buf, d->len, 0);
	}
	net.n = k;
}

/* Advance the world to `until`, 100 us at a time. */
static void run_until(struct sim *sm, uint64_t until)
{
	while (clk < until) {
		clk += 100000;
		emit_due(sm);
		deliver_net(sm->client_on);
		rtx_session_run(edge_n.s);
		if (sm->client_on)
			rtx_session_run(client_n.s);
	}
}

static void setup(struct sim *sm)
{
	memset(&net, 0, sizeof(net));
	net.rng = tu_rand() | 1;
	memset(sm, 0, sizeof(*sm));
	clk = 0;
	idents_reset();
	make(&edge_n, 0, RTX_ROLE_EDGE, 0);
	make(&client_n, 1, RTX_ROLE_CLIENT, 0);
}

static void teardown(void)
{
	rtx_session_free(edge_n.s);
	rtx_session_free(client_n.s);
	edge_n.s = client_n.s = NULL;
}

/* The packet index the burst must start at for a request at t: the PAT
 * before the newest RAP at least the playback delay (300 ms) old. */
static uint64_t expected_start(uint64_t t)
{
	uint64_t newest = t / PKT_NS, rap = newest / GOP * GOP;

	while (t - rap * PKT_NS < 300 * MS)
		rap -= GOP;
	return rap - PAT_BEFORE;
}

/* Zap at time t; return the client's deliveries checked. */
static void zap_at(uint64_t t, uint64_t run_for)
{
	struct sim sm;
	struct rtx_zap z;
	struct rtx_stats st;
	uint64_t start;

	setup(&sm);
	run_until(&sm, t);
	sm.client_on = true;
	CU_ASSERT_EQUAL(rtx_session_request_burst(client_n.s), 0);
	sm.joined_at = clk + JOIN;
	run_until(&sm, t + run_for);

	rtx_session_zap(client_n.s, &z);
	rtx_session_stats(client_n.s, &st);
	start = expected_start(t);
	CU_ASSERT_EQUAL(z.state, RTX_BURST_DONE);
	CU_ASSERT_EQUAL(z.start_seq, seq_of(start));
	CU_ASSERT_EQUAL(z.rap_seq, seq_of(start + PAT_BEFORE));
	CU_ASSERT_TRUE(z.requested_ns == t);
	/* The first packet out about one round trip after the request. */
	CU_ASSERT_TRUE(z.first_delivered_ns >= t + 2 * ONE_WAY);
	CU_ASSERT_TRUE(z.first_delivered_ns <= t + 2 * ONE_WAY + MS);
	CU_ASSERT_TRUE(z.spliced_ns > z.first_burst_ns);
	/* Gap-free, duplicate-free, in order, from the PAT on, byte-exact. */
	CU_ASSERT_EQUAL(client_n.n_lost, 0);
	CU_ASSERT_EQUAL(client_n.bad, 0);
	if (client_n.n_got <= 300)
		fprintf(stderr, "t=%llu got=%zu lost=%zu state=%d start=%u rap=%u splice=%u first=%llu burst_pkts=%llu dup=%llu\n",
			(unsigned long long)(t / MS), client_n.n_got, client_n.n_lost, z.state, z.start_seq, z.rap_seq,
			z.splice_seq, client_n.n_got ? (unsigned long long)(uint16_t)client_n.got[0] : 0,
			(unsigned long long)st.burst_packets, (unsigned long long)st.burst_duplicates);
	CU_ASSERT_TRUE_FATAL(client_n.n_got > 300);
	CU_ASSERT_EQUAL((uint16_t)client_n.got[0], seq_of(start));
	for (size_t i = 1; i < client_n.n_got; i++)
		if (client_n.got[i] != client_n.got[i - 1] + 1) {
			CU_FAIL("delivered stream not consecutive");
			break;
		}
	/* Into the multicast well past the splice point. */
	CU_ASSERT_TRUE(client_n.got[client_n.n_got - 1] > client_n.got[0] + (z.splice_seq - z.start_seq) % 65536 + 100);
	CU_ASSERT_TRUE(st.burst_packets > 0);
	CU_ASSERT_EQUAL(st.bursts_answered, 1);
	teardown();
}

static void test_zap_splice(void)
{
	/* Requests at several points of the GOP, the first one before the
	 * second RAP is old enough (so the first RAP is used). */
	static const uint64_t at[] = { 900, 1000, 1130, 1260, 1370, 1499, 1501 };

	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++)
		zap_at(at[i] * MS, 2500 * MS);
}

static void test_zap_with_loss(void)
{
	struct sim sm;
	struct rtx_stats st;
	struct rtx_zap z;

	setup(&sm);
	run_until(&sm, 1200 * MS);
	sm.client_on = true;
	net.loss_pct = 5;
	net.mc_loss_pct = 5;
	CU_ASSERT_EQUAL(rtx_session_request_burst(client_n.s), 0);
	sm.joined_at = clk + JOIN;
	run_until(&sm, 4000 * MS);
	net.loss_pct = net.mc_loss_pct = 0;
	run_until(&sm, 4500 * MS);
	rtx_session_stats(client_n.s, &st);
	rtx_session_zap(client_n.s, &z);
	if (getenv("BURST_DEBUG"))
		fprintf(stderr, "start %u rap %u splice %u req %llu ans %llu mc %llu spliced %llu tries %llu gaps %llu ret %llu "
			"burst %llu\n", z.start_seq, z.rap_seq, z.splice_seq, (unsigned long long)(z.requested_ns / MS),
			(unsigned long long)(z.answered_ns / MS), (unsigned long long)(z.first_mcast_ns / MS),
			(unsigned long long)(z.spliced_ns / MS), (unsigned long long)st.bursts_requested,
			(unsigned long long)st.gaps, (unsigned long long)st.repaired_ret, (unsigned long long)st.burst_packets);
	/* (Three requests or their answers may all be lost: then the box
	 * plays the multicast, still gap-free.) */
	CU_ASSERT_TRUE(z.state == RTX_BURST_DONE || (z.state == RTX_BURST_REFUSED && st.bursts_requested == 3));
	CU_ASSERT_EQUAL(client_n.n_lost, 0);
	CU_ASSERT_EQUAL(client_n.bad, 0);
	CU_ASSERT_TRUE(st.repaired_ret > 0);
	for (size_t i = 1; i < client_n.n_got; i++)
		if (client_n.got[i] != client_n.got[i - 1] + 1) {
			CU_FAIL("delivered stream not consecutive");
			break;
		}
	/* (A lost request is asked again later: the RAP may be a newer one.) */
	if (z.state == RTX_BURST_DONE) {
		CU_ASSERT_EQUAL((uint16_t)client_n.got[0], z.start_seq);
		CU_ASSERT_EQUAL((uint16_t)(z.start_seq - FIRST_SEQ) % GOP, GOP - PAT_BEFORE);
	}
	teardown();
}

static void test_answer_lost(void)
{
	struct sim sm;
	struct rtx_zap z;

	/* The first answer is lost: the copy sent along the burst (or the
	 * answer to the repeated request) starts it; what came before is asked
	 * for as gaps. */
	setup(&sm);
	run_until(&sm, 1400 * MS);
	sm.client_on = true;
	net.drop_answers = 1;
	CU_ASSERT_EQUAL(rtx_session_request_burst(client_n.s), 0);
	sm.joined_at = clk + JOIN;
	run_until(&sm, 3500 * MS);
	rtx_session_zap(client_n.s, &z);
	CU_ASSERT_EQUAL(z.state, RTX_BURST_DONE);
	CU_ASSERT_EQUAL(client_n.n_lost, 0);
	CU_ASSERT_EQUAL((uint16_t)client_n.got[0], z.start_seq);
	CU_ASSERT_EQUAL((uint16_t)(z.start_seq - FIRST_SEQ) % GOP, GOP - PAT_BEFORE);
	teardown();
}

static void test_refusals(void)
{
	struct sim sm;
	struct rtx_zap z;
	struct rtx_stats est, cst;
	rtx_session *bare;
	struct rtx_config cfg;
	struct rtx_callbacks cb = { .ctx = &client_n, .now_ns = now_cb, .send = send_cb, .deliver = deliver_cb };

	/* API errors. */
	setup(&sm);
	CU_ASSERT_EQUAL(rtx_session_request_burst(edge_n.s), -EOPNOTSUPP);
	rtx_config_defaults(&cfg, RTX_ROLE_CLIENT);
	cfg.self_id = 5;
	cfg.ident = ident_of(5);
	CU_ASSERT_EQUAL_FATAL(rtx_session_new(&cfg, &cb, &bare), 0);
	CU_ASSERT_EQUAL(rtx_session_request_burst(bare), -ENOTCONN);
	rtx_session_free(bare);

	/* A stream 0.1 s old: its only RAP is younger than the playback
	 * delay, and still used. */
	edge_interval_ns = 5000 * MS;
	teardown();
	setup(&sm);
	run_until(&sm, 100 * MS);
	sm.client_on = true;
	CU_ASSERT_EQUAL(rtx_session_request_burst(client_n.s), 0);
	sm.joined_at = clk + JOIN;
	run_until(&sm, 1000 * MS);
	rtx_session_zap(client_n.s, &z);
	CU_ASSERT_EQUAL(z.state, RTX_BURST_DONE);
	CU_ASSERT_EQUAL(z.start_seq, seq_of(0));
	CU_ASSERT_EQUAL(client_n.n_lost, 0);

	/* The same box again within the edge's interval (5 s here): refused,
	 * and it plays the multicast. */
	rtx_session_free(client_n.s);
	make(&client_n, 1, RTX_ROLE_CLIENT, 0);
	client_n.n_got = 0;
	CU_ASSERT_EQUAL(rtx_session_request_burst(client_n.s), 0);
	run_until(&sm, 1010 * MS);
	rtx_session_zap(client_n.s, &z);
	rtx_session_stats(edge_n.s, &est);
	CU_ASSERT_EQUAL(z.state, RTX_BURST_REFUSED);
	CU_ASSERT_EQUAL(est.burst_refused, 1);
	run_until(&sm, 1800 * MS);
	CU_ASSERT_TRUE(client_n.n_got > 100);
	CU_ASSERT_EQUAL(client_n.n_lost, 0);

	/* Another box, with a cap below one burst's rate: busy. */
	rtx_session_free(client_n.s);
	client_id = 200;
	make(&client_n, 1, RTX_ROLE_CLIENT, 0);
	rtx_session_set_burst_cap(edge_n.s, 1000);
	CU_ASSERT_EQUAL(rtx_session_request_burst(client_n.s), 0);
	run_until(&sm, 1900 * MS);
	rtx_session_zap(client_n.s, &z);
	rtx_session_stats(edge_n.s, &est);
	rtx_session_stats(client_n.s, &cst);
	CU_ASSERT_EQUAL(z.state, RTX_BURST_REFUSED);
	CU_ASSERT_EQUAL(cst.burst_refused, 1);
	CU_ASSERT_EQUAL(est.burst_refused, 2);
	CU_ASSERT_EQUAL(rtx_session_burst_bps(edge_n.s), 0);
	client_id = 100;
	edge_interval_ns = 200 * MS;
	teardown();
}

static void test_no_answer(void)
{
	struct sim sm;
	struct rtx_zap z;
	struct rtx_stats st;

	/* The RET server never answers: three tries, then the multicast. */
	setup(&sm);
	run_until(&sm, 1000 * MS);
	rtx_session_set_ret(edge_n.s, NULL);
	sm.client_on = true;
	CU_ASSERT_EQUAL(rtx_session_request_burst(client_n.s), 0);
	sm.joined_at = clk + JOIN;
	run_until(&sm, 2500 * MS);
	rtx_session_zap(client_n.s, &z);
	rtx_session_stats(client_n.s, &st);
	CU_ASSERT_EQUAL(z.state, RTX_BURST_REFUSED);
	CU_ASSERT_EQUAL(st.bursts_requested, 3);
	CU_ASSERT_TRUE(client_n.n_got > 300);
	CU_ASSERT_EQUAL(client_n.n_lost, 0);
	CU_ASSERT_TRUE(z.first_delivered_ns > z.first_mcast_ns);
	teardown();
}

static void test_wire(void)
{
	uint8_t b[64];
	struct rtx_burst_req rq = { 300 }, rq2;
	struct rtx_burst_ans a = { RTX_BURST_OK, 150, SSRC, 0x1122334455667788ULL, 1, 2, 3, 4, 5, 6, 7 }, a2;

	CU_ASSERT_EQUAL(rtx_burst_req_put(b, &rq), RTX_WIRE_BURST_REQ_LEN);
	CU_ASSERT_EQUAL(rtx_burst_req_parse(b, RTX_WIRE_BURST_REQ_LEN, &rq2), 0);
	CU_ASSERT_EQUAL(rq2.backlog_ms, 300);
	CU_ASSERT_EQUAL(rtx_burst_req_parse(b, RTX_WIRE_BURST_REQ_LEN - 1, &rq2), -EBADMSG);
	b[7] = 1;
	CU_ASSERT_EQUAL(rtx_burst_req_parse(b, RTX_WIRE_BURST_REQ_LEN, &rq2), -EBADMSG);
	CU_ASSERT_EQUAL(rtx_burst_req_parse(NULL, 0, &rq2), -EBADMSG);

	CU_ASSERT_EQUAL(rtx_burst_ans_put(b, &a), RTX_WIRE_BURST_LEN);
	CU_ASSERT_EQUAL(rtx_burst_ans_parse(b, RTX_WIRE_BURST_LEN, &a2), 0);
	/* field by field: the struct's padding is not the parser's to set */
	CU_ASSERT(a2.status == a.status && a2.speed_pct == a.speed_pct && a2.ssrc == a.ssrc &&
		  a2.echo_ts == a.echo_ts && a2.start == a.start && a2.rap == a.rap &&
		  a2.splice == a.splice && a2.head == a.head && a2.start_ts == a.start_ts &&
		  a2.rap_ts == a.rap_ts && a2.head_ts == a.head_ts);
	CU_ASSERT_EQUAL(sc_get_be16(b + 16), 1);
	CU_ASSERT_EQUAL(sc_get_be32(b + 32), 7);
	CU_ASSERT_EQUAL(rtx_burst_ans_parse(b, RTX_WIRE_BURST_LEN + 1, &a2), -EBADMSG);
	b[1] = 1;
	CU_ASSERT_EQUAL(rtx_burst_ans_parse(b, RTX_WIRE_BURST_LEN, &a2), -EBADMSG);
	b[1] = 0;
	b[0] = 9;
	CU_ASSERT_EQUAL(rtx_burst_ans_parse(b, RTX_WIRE_BURST_LEN, &a2), -EBADMSG);
	/* Random bodies never crash either parser. */
	for (int i = 0; i < 2000; i++) {
		size_t n = tu_rand_below(sizeof(b));

		for (size_t k = 0; k < n; k++)
			b[k] = (uint8_t)tu_rand();
		rtx_burst_req_parse(b, n, &rq2);
		rtx_burst_ans_parse(b, n, &a2);
	}
}

static void test_roles(void)
{
	struct sim sm;
	struct rtx_stats st;
	uint8_t buf[200];
	size_t n;

	/* A client does not serve bursts; an edge does not take answers. */
	setup(&sm);
	run_until(&sm, 1000 * MS);
	sm.client_on = true;
	CU_ASSERT_EQUAL(rtx_session_request_burst(client_n.s), 0);
	CU_ASSERT_EQUAL_FATAL(net.n, 1);
	n = net.q[0].len;
	memcpy(buf, net.q[0].buf, n);
	net.n = 0;
	CU_ASSERT_EQUAL(rtx_session_input_peer(client_n.s, buf, n, 0), -EBADMSG); /* its own */
	CU_ASSERT_EQUAL(rtx_session_input_peer(edge_n.s, buf, n, 1), 0);
	/* The same request again is a replay. */
	CU_ASSERT_EQUAL(rtx_session_input_peer(edge_n.s, buf, n, 1), -EALREADY);
	CU_ASSERT_TRUE_FATAL(net.n >= 1);
	n = net.q[0].len;
	memcpy(buf, net.q[0].buf, n);
	CU_ASSERT_EQUAL(rtx_session_input_peer(edge_n.s, buf, n, 1), -EBADMSG); /* its own */
	rtx_session_stats(edge_n.s, &st);
	CU_ASSERT_EQUAL(st.bursts_served, 1);
	CU_ASSERT_EQUAL(st.replayed, 1);
	CU_ASSERT_EQUAL(st.raps, 3);
	teardown();
}

/* A box the edge has not met: its request is answered by a challenge no
 * larger than itself, the echo validates the box's address and the burst
 * starts then, one round trip later than for a known box, gap-free. */
static void test_first_contact(void)
{
	struct sim sm;
	struct rtx_zap z;
	struct rtx_stats est;
	size_t req_len;
	const uint64_t t = 1200 * MS;

	first_contact = true;
	setup(&sm);
	run_until(&sm, t);
	sm.client_on = true;
	CU_ASSERT_EQUAL(rtx_session_request_burst(client_n.s), 0);
	CU_ASSERT_EQUAL_FATAL(net.n, 1);
	req_len = net.q[0].len;
	sm.joined_at = clk + JOIN;
	run_until(&sm, t + ONE_WAY);
	/* the edge's only answer so far: a challenge, no larger */
	CU_ASSERT_EQUAL_FATAL(net.n, 1);
	CU_ASSERT(net.q[0].len <= req_len);
	rtx_session_stats(edge_n.s, &est);
	CU_ASSERT_EQUAL(est.unvalidated, 1);
	CU_ASSERT_EQUAL(est.bursts_served, 0);
	run_until(&sm, t + 2500 * MS);
	rtx_session_zap(client_n.s, &z);
	rtx_session_stats(edge_n.s, &est);
	CU_ASSERT_EQUAL(z.state, RTX_BURST_DONE);
	CU_ASSERT_EQUAL(est.bursts_served, 1);
	CU_ASSERT_TRUE(z.first_delivered_ns <= t + 4 * ONE_WAY + MS);
	CU_ASSERT_EQUAL(client_n.n_lost, 0);
	CU_ASSERT_EQUAL((uint16_t)client_n.got[0], z.start_seq);
	first_contact = false;
	teardown();
}

static void test_pacing(void)
{
	struct sim sm;
	uint64_t t, sent_at[600] = { 0 };
	size_t n = 0, before_rap = 0;
	struct rtx_burst_ans a;
	struct rtx_hdr h;

	/* The edge alone: what it sends for one request, and when. */
	setup(&sm);
	run_until(&sm, 1200 * MS);
	t = clk;
	CU_ASSERT_EQUAL(rtx_session_request_burst(client_n.s), 0);
	while (clk < t + 1500 * MS) {
		clk += 100000;
		emit_due(&sm);
		for (size_t i = 0; i < net.n; i++) {
			struct dgram *d = &net.q[i];

			if (d->to == 0) {
				rtx_session_input_peer(edge_n.s, d->buf, d->len, 1);
			} else if (rtx_wire_parse(d->buf, d->len, &h) == 0 && h.type == RTX_MSG_REPAIR && n < 600) {
				sent_at[n++] = d->at - ONE_WAY;
			} else if (h.type == RTX_MSG_BURST) {
				rtx_burst_ans_parse(h.body, h.body_len, &a);
			}
		}
		net.n = 0;
		rtx_session_run(edge_n.s);
	}
	/* PAT before RAP at 247, RAP at 250, live head at the request 600:
	 * 247..249 at once, then packet 250 + k at k x 2 ms / 1.5, up to the
	 * splice point 100 ms of stream past the head, sent as emitted. */
	CU_ASSERT_EQUAL(a.start, seq_of(247));
	CU_ASSERT_EQUAL(a.rap, seq_of(250));
	CU_ASSERT_EQUAL(a.head, seq_of(600));
	CU_ASSERT_EQUAL(a.splice, seq_of(651));
	CU_ASSERT_EQUAL(n, 651 - 247);
	t = sent_at[0]; /* the request's arrival at the edge */
	for (size_t k = 0; k < n; k++) {
		uint64_t want = k < 3 ? t : t + (k - 3) * PKT_NS * 100 / 150;
		uint64_t emitted = (247 + k) * PKT_NS;

		if (want < emitted)
			want = emitted; /* past the head: as it is emitted */
		before_rap += k < 3 && sent_at[k] == t;
		/* Within the 1 ms slack and the 100 us step of the loop. */
		if (sent_at[k] + 1 * MS < want || sent_at[k] > want + 200000) {
			CU_FAIL("burst packet sent off its pace");
			break;
		}
	}
	CU_ASSERT_EQUAL(before_rap, 3);
	CU_ASSERT_EQUAL(rtx_session_burst_bps(edge_n.s), 0); /* over */
	teardown();
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "wire", test_wire },
		{ "roles and replay", test_roles },
		{ "pacing", test_pacing },
		{ "first contact: challenge, then burst", test_first_contact },
		{ "zap and splice", test_zap_splice },
		{ "zap under loss", test_zap_with_loss },
		{ "answer lost", test_answer_lost },
		{ "no answer", test_no_answer },
		{ "refusals", test_refusals },
		{ NULL, NULL },
	};

	return tu_add_suite("rtx_burst", tests);
}
