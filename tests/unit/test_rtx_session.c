/* Unit tests of the public session API (rtx.h): settings, a repair end to
 * end between two clients and from an edge, the checks every repair-port
 * datagram goes through (malformed, wrong key, unknown group, non-member,
 * replayed, stale, wrong role, hostile ranges, rate limit), restarts, late
 * and duplicate packets, and rtx_peek(). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rtx.h"
#include "rtx_auth.h"
#include "rtx_wire.h"
#include "sc_bytes.h"
#include "sc_rtp.h"
#include "tu.h"
#include "tu_ident.h"

#define MS 1000000ULL
#define SSRC 0xabcdef01u
#define GROUP 500
#define DOMAIN 42

static uint64_t clk = 1000 * MS;

/* ---- identities: every box and edge of the tests, certified by one CA
 * and knowing each other's certificates (as the management server's lists
 * would make them) ---- */

#define EDGE1 (RTX_EDGE_ID_FLAG | 1)
#define EDGE2 (RTX_EDGE_ID_FLAG | 2)
static const uint32_t member_ids[] = { 1, 2, 3, 4, 7, EDGE1, EDGE2 };
#define N_IDS (sizeof(member_ids) / sizeof(member_ids[0]))
static struct tu_pki pki;
static rtx_ident *idents[N_IDS];

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

/* Fresh identities for a test. */
static void idents_reset(void)
{
	static bool registered;

	if (!registered)
		atexit(idents_free);
	registered = true;
	idents_free();
	CU_ASSERT_EQUAL_FATAL(tu_pki_init(&pki, pki_clock, NULL), 0);
	for (size_t i = 0; i < N_IDS; i++) {
		idents[i] = tu_ident_new(&pki, member_ids[i], 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(idents[i]);
	}
	for (size_t i = 0; i < N_IDS; i++)
		for (size_t j = i + 1; j < N_IDS; j++)
			tu_ident_introduce(idents[i], idents[j]);
}

static rtx_ident *ident_of(uint32_t id)
{
	for (size_t i = 0; i < N_IDS; i++)
		if (member_ids[i] == id)
			return idents[i];
	return NULL;
}

/* at knows handle h as member id's address (registered, or proven). */
static void validated(uint32_t at, uint32_t id, uint64_t h)
{
	CU_ASSERT_EQUAL(rtx_ident_addr_set(ident_of(at), id, h), 0);
}

/* ---- a tiny network: datagrams queue up until a test hands them on ---- */

struct dgram {
	int from;
	uint64_t to;
	uint8_t buf[1600];
	size_t len;
};

static struct {
	struct dgram q[4096];
	size_t n;
} net;

struct node {
	int id; /* also its peer handle */
	rtx_session *s;
	uint64_t got[4096];
	size_t n_got, n_lost;
	int bad_bytes;
	char last_log[256];
};

static uint64_t now_cb(void *ctx)
{
	(void)ctx;
	return clk;
}

static int send_cb(void *ctx, uint64_t peer, const uint8_t *buf, size_t len)
{
	struct node *nd = ctx;

	if (net.n == 4096 || len > sizeof(net.q[0].buf))
		return -ENOBUFS;
	net.q[net.n].from = nd->id;
	net.q[net.n].to = peer;
	memcpy(net.q[net.n].buf, buf, len);
	net.q[net.n].len = len;
	net.n++;
	return 0;
}

static void mk_rtp(uint8_t *buf, size_t len, uint32_t ssrc, uint16_t seq)
{
	struct sc_rtp_fields f = { .payload_type = 33, .seq = seq,
				   .timestamp = (uint32_t)seq * 90, .ssrc = ssrc };
	size_t i;

	sc_rtp_write(buf, len, &f);
	for (i = SC_RTP_HDR_MIN; i < len; i++)
		buf[i] = (uint8_t)(seq * 3 + i);
}

static void deliver_cb(void *ctx, uint64_t ext, const uint8_t *pkt, size_t len)
{
	struct node *nd = ctx;
	uint8_t want[200];

	mk_rtp(want, sizeof(want), sc_rtp_ssrc(pkt), sc_rtp_seq(pkt));
	if (len != sizeof(want) || memcmp(pkt, want, len) != 0)
		nd->bad_bytes++;
	if (nd->n_got < 4096)
		nd->got[nd->n_got++] = ext;
}

static void lost_cb(void *ctx, uint64_t ext)
{
	(void)ext;
	((struct node *)ctx)->n_lost++;
}

static void log_cb(void *ctx, int level, const char *msg)
{
	(void)level;
	strncpy(((struct node *)ctx)->last_log, msg, sizeof(((struct node *)ctx)->last_log) - 1);
}

static struct rtx_callbacks callbacks(struct node *nd)
{
	return (struct rtx_callbacks){ .ctx = nd, .now_ns = now_cb, .send = send_cb,
				       .deliver = deliver_cb, .lost = lost_cb, .log = log_cb,
				       .log_level = 7 };
}

static const uint8_t group_key[RTX_KEY_BYTES] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
static const uint8_t ret_key[RTX_KEY_BYTES] = { 9, 8, 7, 6, 5, 4, 3, 2, 1 };

static void client(struct node *nd, int id, enum rtx_policy policy)
{
	struct rtx_config cfg;
	struct rtx_callbacks cb;
	struct rtx_member m[3] = { { 1, 1 }, { 2, 2 }, { 3, 3 } };
	struct rtx_group g = { .id = GROUP, .version = 1, .members = m, .n_members = 3 };

	memset(nd, 0, sizeof(*nd));
	nd->id = id;
	cb = callbacks(nd);
	rtx_config_defaults(&cfg, RTX_ROLE_CLIENT);
	cfg.self_id = (uint32_t)id;
	cfg.policy = policy;
	cfg.playout_delay_ns = 500 * MS;
	cfg.ts_base_ns = 5000 * MS;
	cfg.ident = ident_of((uint32_t)id);
	memcpy(g.key, group_key, sizeof(g.key));
	CU_ASSERT_EQUAL_FATAL(rtx_session_new(&cfg, &cb, &nd->s), 0);
	CU_ASSERT_EQUAL_FATAL(rtx_session_set_group(nd->s, &g), 0);
}

static void edge(struct node *nd)
{
	struct rtx_config cfg;
	struct rtx_callbacks cb;
	struct rtx_ret r = { .domain_id = DOMAIN };

	memset(nd, 0, sizeof(*nd));
	nd->id = 9;
	cb = callbacks(nd);
	cb.deliver = NULL;
	rtx_config_defaults(&cfg, RTX_ROLE_EDGE);
	cfg.self_id = EDGE1;
	cfg.ident = ident_of(EDGE1);
	memcpy(r.key, ret_key, sizeof(r.key));
	CU_ASSERT_EQUAL_FATAL(rtx_session_new(&cfg, &cb, &nd->s), 0);
	CU_ASSERT_EQUAL_FATAL(rtx_session_set_ret(nd->s, &r), 0);
}

/* Feed packets first..last of the stream to nd, skipping those in skip. */
static void stream(struct node *nd, uint16_t first, uint16_t last, const uint16_t *skip, size_t n)
{
	uint8_t pkt[200];
	uint16_t s;
	size_t i;

	for (s = first; s != (uint16_t)(last + 1); s++) {
		for (i = 0; i < n && skip[i] != s; i++)
			;
		if (i < n)
			continue;
		mk_rtp(pkt, sizeof(pkt), SSRC, s);
		rtx_session_input_rtp(nd->s, pkt, sizeof(pkt));
	}
}

/* Hand every queued datagram addressed to nd to it; returns how many. */
static size_t pass_to(struct node *nd)
{
	size_t i, k = 0, n = net.n;
	struct dgram *d;

	for (i = 0; i < n; i++) {
		d = &net.q[i];
		if (d->to != (uint64_t)nd->id)
			continue;
		rtx_session_input_peer(nd->s, d->buf, d->len, (uint64_t)d->from);
		d->to = UINT64_MAX;
		k++;
	}
	return k;
}

static size_t queued_to(uint64_t to, int type)
{
	size_t i, k = 0;
	struct rtx_msg_info info;

	for (i = 0; i < net.n; i++)
		if (net.q[i].to == to && rtx_peek(net.q[i].buf, net.q[i].len, &info) == 0 &&
		    (type == 0 || (int)info.type == type))
			k++;
	return k;
}

static struct rtx_stats stats(const struct node *nd)
{
	struct rtx_stats st;

	rtx_session_stats(nd->s, &st);
	return st;
}

/* ---- settings ---- */

static int try_new(void (*change)(struct rtx_config *, struct rtx_callbacks *))
{
	struct node nd = { .id = 1 };
	struct rtx_config cfg;
	struct rtx_callbacks cb = callbacks(&nd);
	rtx_session *s = NULL;
	int rc;

	rtx_config_defaults(&cfg, RTX_ROLE_CLIENT);
	cfg.self_id = 1;
	cfg.ident = ident_of(1);
	change(&cfg, &cb);
	rc = rtx_session_new(&cfg, &cb, &s);
	rtx_session_free(s);
	return rc;
}

static void ch_none(struct rtx_config *c, struct rtx_callbacks *b) { (void)c; (void)b; }
static void ch_role(struct rtx_config *c, struct rtx_callbacks *b) { (void)b; c->role = 0; }
static void ch_id0(struct rtx_config *c, struct rtx_callbacks *b) { (void)b; c->self_id = 0; }
static void ch_idedge(struct rtx_config *c, struct rtx_callbacks *b) { (void)b; c->self_id |= RTX_EDGE_ID_FLAG; }
static void ch_policy(struct rtx_config *c, struct rtx_callbacks *b) { (void)b; c->policy = 7; }
static void ch_delay(struct rtx_config *c, struct rtx_callbacks *b) { (void)b; c->playout_delay_ns = 0; }
static void ch_buffer(struct rtx_config *c, struct rtx_callbacks *b) { (void)b; c->buffer_ns = c->playout_delay_ns - 1; }
static void ch_maxpkt(struct rtx_config *c, struct rtx_callbacks *b) { (void)b; c->max_packet = 10; }
static void ch_mem(struct rtx_config *c, struct rtx_callbacks *b) { (void)b; c->buffer_max_bytes = 1000; }
static void ch_rate(struct rtx_config *c, struct rtx_callbacks *b) { (void)b; c->rate_pps = 0; }
static void ch_rto(struct rtx_config *c, struct rtx_callbacks *b) { (void)b; c->rto_min_ns = c->rto_max_ns + 1; }
static void ch_gaps(struct rtx_config *c, struct rtx_callbacks *b) { (void)b; c->max_gaps = 1; }
static void ch_send(struct rtx_config *c, struct rtx_callbacks *b) { (void)c; b->send = NULL; }
static void ch_deliver(struct rtx_config *c, struct rtx_callbacks *b) { (void)c; b->deliver = NULL; }
static void ch_ident(struct rtx_config *c, struct rtx_callbacks *b) { (void)b; c->ident = NULL; }
static void ch_ident2(struct rtx_config *c, struct rtx_callbacks *b) { (void)b; c->ident = ident_of(2); }

static void test_settings(void)
{
	struct node nd = { .id = 1 };
	struct rtx_config cfg;
	struct rtx_callbacks cb = callbacks(&nd);
	rtx_session *s = (rtx_session *)&nd;

	idents_reset();
	CU_ASSERT_EQUAL(try_new(ch_none), 0);
	CU_ASSERT_EQUAL(try_new(ch_ident), -EINVAL);
	CU_ASSERT_EQUAL(try_new(ch_ident2), -EINVAL); /* another member's identity */
	CU_ASSERT_EQUAL(try_new(ch_role), -EINVAL);
	CU_ASSERT_EQUAL(try_new(ch_id0), -EINVAL);
	CU_ASSERT_EQUAL(try_new(ch_idedge), -EINVAL);
	CU_ASSERT_EQUAL(try_new(ch_policy), -EINVAL);
	CU_ASSERT_EQUAL(try_new(ch_delay), -EINVAL);
	CU_ASSERT_EQUAL(try_new(ch_buffer), -EINVAL);
	CU_ASSERT_EQUAL(try_new(ch_maxpkt), -EINVAL);
	CU_ASSERT_EQUAL(try_new(ch_mem), -EINVAL);
	CU_ASSERT_EQUAL(try_new(ch_rate), -EINVAL);
	CU_ASSERT_EQUAL(try_new(ch_rto), -EINVAL);
	CU_ASSERT_EQUAL(try_new(ch_gaps), -EINVAL);
	CU_ASSERT_EQUAL(try_new(ch_send), -EINVAL);
	CU_ASSERT_EQUAL(try_new(ch_deliver), -EINVAL);
	/* the bad setting is named in the log */
	rtx_config_defaults(&cfg, RTX_ROLE_CLIENT);
	cfg.self_id = 1;
	cfg.ident = ident_of(1);
	cfg.max_packet = 10;
	CU_ASSERT_EQUAL(rtx_session_new(&cfg, &cb, &s), -EINVAL);
	CU_ASSERT_PTR_NULL(s);
	CU_ASSERT_PTR_NOT_NULL(strstr(nd.last_log, "max_packet"));
	/* an edge needs no deliver callback, but a flagged id */
	rtx_config_defaults(&cfg, RTX_ROLE_EDGE);
	cb.deliver = NULL;
	cfg.self_id = 5;
	CU_ASSERT_EQUAL(rtx_session_new(&cfg, &cb, &s), -EINVAL);
	cfg.self_id = EDGE1;
	cfg.ident = ident_of(EDGE1);
	CU_ASSERT_EQUAL(rtx_session_new(&cfg, &cb, &s), 0);
	CU_ASSERT_EQUAL(rtx_session_set_group(s, NULL), -EOPNOTSUPP);
	rtx_session_free(s);
	rtx_session_free(NULL);
	CU_ASSERT_EQUAL(rtx_policy_parse("ranked"), RTX_POLICY_RANKED);
	CU_ASSERT_EQUAL(rtx_policy_parse("ALL"), RTX_POLICY_ALL);
	CU_ASSERT_EQUAL(rtx_policy_parse("some"), -EINVAL);
	CU_ASSERT_EQUAL(rtx_policy_parse(NULL), -EINVAL);
	CU_ASSERT_STRING_EQUAL(rtx_policy_name(RTX_POLICY_ALL), "all");
	CU_ASSERT_STRING_EQUAL(rtx_policy_name(9), "?");
}

/* ---- end to end ---- */

static void test_repair_between_clients(void)
{
	struct node a, b;
	uint16_t skip[2] = { 105, 106 };
	struct rtx_stats st;
	size_t i;

	net.n = 0;
	idents_reset();
	client(&a, 1, RTX_POLICY_RANKED);
	client(&b, 2, RTX_POLICY_RANKED);
	stream(&a, 100, 120, skip, 2);
	stream(&b, 100, 120, NULL, 0);
	st = stats(&a);
	CU_ASSERT_EQUAL(st.received, 19);
	CU_ASSERT_EQUAL(st.gaps, 2);
	/* 14 packets came after the gap: the reorder hold is over at once;
	 * with two peers and plenty of time, each packet is asked of one
	 * (ranked: the two may well rank different members first) */
	CU_ASSERT_EQUAL(rtx_session_deadline(a.s), clk);
	CU_ASSERT_EQUAL(rtx_session_run(a.s), rtx_session_deadline(a.s));
	CU_ASSERT_EQUAL(stats(&a).seqs_requested, 2);
	CU_ASSERT(queued_to(2, RTX_MSG_NACK) + queued_to(3, RTX_MSG_NACK) >= 1);
	CU_ASSERT(queued_to(2, RTX_MSG_NACK) + queued_to(3, RTX_MSG_NACK) <= 2);
	if (queued_to(3, RTX_MSG_NACK)) {
		/* member 3 is silent: after its timeout, member 2 */
		clk += 200 * MS;
		rtx_session_run(a.s);
	}
	CU_ASSERT(stats(&a).seqs_requested >= 2);
	clk += 3 * MS;
	CU_ASSERT(pass_to(&b) >= 1);
	CU_ASSERT_EQUAL(stats(&b).repairs_sent, 2);
	CU_ASSERT_EQUAL(queued_to(1, RTX_MSG_REPAIR), 2);
	clk += 3 * MS;
	CU_ASSERT_EQUAL(pass_to(&a), 2);
	st = stats(&a);
	CU_ASSERT_EQUAL(st.repaired_peer, 2);
	CU_ASSERT_EQUAL(st.latency_hist[0] + st.latency_hist[1], 0); /* took milliseconds */
	CU_ASSERT(rtx_stats_latency_ns(&st, 0.5) >= 6 * MS);
	/* play everything out: in order, byte-identical, nothing lost */
	clk += 1000 * MS;
	rtx_session_run(a.s);
	CU_ASSERT_EQUAL(a.n_got, 21);
	CU_ASSERT_EQUAL(a.n_lost, 0);
	CU_ASSERT_EQUAL(a.bad_bytes, 0);
	for (i = 1; i < a.n_got; i++)
		CU_ASSERT_EQUAL(a.got[i], a.got[i - 1] + 1);
	CU_ASSERT_EQUAL(stats(&a).delivered, 21);
	CU_ASSERT(stats(&a).bytes_sent > 0);
	CU_ASSERT(stats(&b).bytes_received > 0);
	CU_ASSERT_EQUAL(rtx_session_deadline(a.s), RTX_NO_DEADLINE);
	rtx_session_free(a.s);
	rtx_session_free(b.s);
}

static void test_ret_escalation(void)
{
	struct node a, e;
	uint16_t skip[1] = { 7 };
	struct rtx_member srv = { EDGE1, 9 };
	struct rtx_ret r = { .domain_id = DOMAIN, .servers = &srv, .n_servers = 1 };
	struct rtx_stats st;

	net.n = 0;
	idents_reset();
	client(&a, 1, RTX_POLICY_ALL);
	edge(&e);
	validated(EDGE1, 1, 1); /* the edge met this box before */
	memcpy(r.key, ret_key, sizeof(r.key));
	CU_ASSERT_EQUAL(rtx_session_set_ret(a.s, &r), 0);
	stream(&e, 0, 20, NULL, 0);
	stream(&a, 0, 20, skip, 1);
	/* peers 2 and 3 are silent: a round, then RET */
	rtx_session_run(a.s);
	CU_ASSERT_EQUAL(queued_to(2, RTX_MSG_NACK) + queued_to(3, RTX_MSG_NACK), 2);
	CU_ASSERT_EQUAL(queued_to(9, 0), 0);
	clk = rtx_session_deadline(a.s);
	rtx_session_run(a.s);
	CU_ASSERT_EQUAL(queued_to(9, RTX_MSG_NACK), 1);
	CU_ASSERT_EQUAL(pass_to(&e), 1);
	CU_ASSERT_EQUAL(stats(&e).repairs_sent, 1);
	CU_ASSERT_EQUAL(pass_to(&a), 1);
	st = stats(&a);
	CU_ASSERT_EQUAL(st.repaired_ret, 1);
	CU_ASSERT_EQUAL(st.ret_requests_sent, 1);
	/* an edge answers RET requests only */
	CU_ASSERT_EQUAL(stats(&e).unsupported, 0);
	rtx_session_free(a.s);
	rtx_session_free(e.s);
}

/* ---- hostile and wrong datagrams ---- */

/* A datagram from `sender` to `to`, sealed with the sender's identity
 * (one that has none gets a made-up MAC: it cannot be anybody). */
static size_t forge_to(uint8_t *buf, uint32_t to, uint8_t type, bool ret, uint32_t group,
		       uint32_t sender, uint64_t ts, const uint8_t *key, const uint8_t *body,
		       size_t body_len)
{
	struct rtx_hdr h = { .type = type, .flags = ret ? RTX_WIRE_FLAG_RET : 0,
			     .body_len = (uint16_t)body_len, .group_id = group,
			     .sender_id = sender, .receiver_id = to, .ts = ts, .session = 1 };
	struct rtx_env e;
	struct rtx_seal seal;
	rtx_ident *from = ident_of(sender);
	size_t off;

	rtx_wire_env(&e, &h);
	if (!from || rtx_ident_seal_key(from, to, key, true, &seal) < 0) {
		off = rtx_env_put(buf, RTX_WIRE_MAGIC, &e);
		memcpy(buf + off, body, body_len);
		memset(buf + off + body_len, 0x55, RTX_WIRE_MAC);
		return off + body_len + RTX_WIRE_MAC;
	}
	off = rtx_ident_seal_begin(from, &seal, RTX_WIRE_MAGIC, &e, buf);
	memcpy(buf + off, body, body_len);
	return rtx_ident_seal_finish(&seal, buf, off + body_len);
}

/* Most forged datagrams go to member 2 or member 1: the receiver is the
 * member that is not the sender. */
static size_t forge(uint8_t *buf, uint8_t type, bool ret, uint32_t group, uint32_t sender,
		    uint64_t ts, const uint8_t *key, const uint8_t *body, size_t body_len)
{
	return forge_to(buf, sender == 1 ? 2 : 1, type, ret, group, sender, ts, key, body, body_len);
}

/* A NACK body for first..first+n-1 (n <= 64) in body (at least 272
 * bytes: the list header and 64 entries). */
static size_t nack_body(uint8_t *body, uint16_t first, size_t n)
{
	uint64_t exts[64];
	size_t i, used;

	for (i = 0; i < n; i++)
		exts[i] = 65536 + (uint16_t)(first + i);
	return (size_t)rtx_list_build(body, RTX_WIRE_LIST_HDR + 4 * 64, SSRC, 0, exts, n, &used);
}

static void test_refusals(void)
{
	struct node b;
	uint8_t buf[1600], body[1300], bad_key[RTX_KEY_BYTES] = { 0x66 };
	size_t len, bl, i;
	uint64_t ts = 7000 * MS;
	struct rtx_stats st;

	net.n = 0;
	idents_reset();
	client(&b, 2, RTX_POLICY_ALL);
	stream(&b, 100, 120, NULL, 0);
	bl = nack_body(body, 110, 3);
	/* garbage, truncated */
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)tu_rand();
	CU_ASSERT_EQUAL(rtx_session_input_peer(b.s, buf, 100, 1), -EBADMSG);
	len = forge(buf, RTX_MSG_NACK, false, GROUP, 1, ts++, group_key, body, bl);
	CU_ASSERT_EQUAL(rtx_session_input_peer(b.s, buf, len - 1, 1), -EBADMSG);
	CU_ASSERT_EQUAL(rtx_session_input_peer(b.s, NULL, 0, 1), -EBADMSG);
	/* wrong key, unknown group, non-member, ourselves, wrong role */
	len = forge(buf, RTX_MSG_NACK, false, GROUP, 1, ts++, bad_key, body, bl);
	CU_ASSERT_EQUAL(rtx_session_input_peer(b.s, buf, len, 1), -EACCES);
	len = forge(buf, RTX_MSG_NACK, false, GROUP + 1, 1, ts++, group_key, body, bl);
	CU_ASSERT_EQUAL(rtx_session_input_peer(b.s, buf, len, 1), -EACCES);
	len = forge(buf, RTX_MSG_NACK, false, GROUP, 7, ts++, group_key, body, bl);
	CU_ASSERT_EQUAL(rtx_session_input_peer(b.s, buf, len, 7), -EPERM);
	len = forge(buf, RTX_MSG_NACK, false, GROUP, 2, ts++, group_key, body, bl);
	CU_ASSERT_EQUAL(rtx_session_input_peer(b.s, buf, len, 2), -EBADMSG);
	len = forge(buf, RTX_MSG_NACK, true, DOMAIN, 1, ts++, ret_key, body, bl);
	CU_ASSERT_EQUAL(rtx_session_input_peer(b.s, buf, len, 1), -EOPNOTSUPP);
	len = forge(buf, RTX_MSG_NACK, false, GROUP, RTX_EDGE_ID_FLAG | 1, ts++, group_key, body, bl);
	CU_ASSERT_EQUAL(rtx_session_input_peer(b.s, buf, len, 9), -EPERM);
	/* a body that does not parse, under a good MAC */
	len = forge(buf, RTX_MSG_NACK, false, GROUP, 1, ts++, group_key, body, bl - 1);
	CU_ASSERT_EQUAL(rtx_session_input_peer(b.s, buf, len, 1), -EBADMSG);
	CU_ASSERT_EQUAL(net.n, 0); /* no answer to any of them */
	st = stats(&b);
	CU_ASSERT_EQUAL(st.malformed, 5);
	CU_ASSERT_EQUAL(st.auth_failed, 2);
	CU_ASSERT_EQUAL(st.non_member, 2);
	CU_ASSERT_EQUAL(st.unsupported, 1);
	CU_ASSERT_EQUAL(st.requests_received, 0);
	/* a good one is answered; the same again is a replay */
	len = forge(buf, RTX_MSG_NACK, false, GROUP, 1, ts++, group_key, body, bl);
	CU_ASSERT_EQUAL(rtx_session_input_peer(b.s, buf, len, 1), 0);
	CU_ASSERT_EQUAL(queued_to(1, RTX_MSG_REPAIR), 3);
	clk += 10 * MS;
	CU_ASSERT_EQUAL(rtx_session_input_peer(b.s, buf, len, 1), -EALREADY);
	/* so is one far older than the sender's latest */
	len = forge(buf, RTX_MSG_NACK, false, GROUP, 1, ts - 3000 * MS, group_key, body, bl);
	CU_ASSERT_EQUAL(rtx_session_input_peer(b.s, buf, len, 1), -EALREADY);
	CU_ASSERT_EQUAL(queued_to(1, RTX_MSG_REPAIR), 3);
	CU_ASSERT_EQUAL(stats(&b).replayed, 2);
	rtx_session_free(b.s);
}

static void test_hostile_request_bounded(void)
{
	struct node b;
	uint8_t buf[1600], body[RTX_WIRE_LIST_HDR + 8 * 4], list[1300];
	size_t len, i;
	uint64_t ts = 7000 * MS;
	int rc = 0, k;

	net.n = 0;
	idents_reset();
	client(&b, 2, RTX_POLICY_ALL);
	stream(&b, 100, 120, NULL, 0);
	/* eight ranges of 65535 numbers, sequence numbers from everywhere */
	memset(body, 0, sizeof(body));
	sc_put_be32(body, SSRC);
	sc_put_be16(body + 14, 8);
	for (i = 0; i < 8; i++) {
		sc_put_be16(body + RTX_WIRE_LIST_HDR + 4 * i, (uint16_t)(i * 8191));
		sc_put_be16(body + RTX_WIRE_LIST_HDR + 4 * i + 2, 0xffff);
	}
	len = forge(buf, RTX_MSG_NACK, false, GROUP, 1, ts++, group_key, body, sizeof(body));
	CU_ASSERT_EQUAL(rtx_session_input_peer(b.s, buf, len, 1), 0);
	/* at most max_seqs_per_request (1024) looked at: all missing but what
	 * we hold among them, in a handful of MISSING datagrams */
	CU_ASSERT(stats(&b).seqs_missing + stats(&b).repairs_sent <= 1024);
	CU_ASSERT(queued_to(1, RTX_MSG_MISSING) <= 4);
	/* the rate limit: 1000 repairs deep, then refusals */
	for (k = 0; k < 80; k++) {
		clk += 4 * MS; /* past the de-duplication of repeated requests */
		len = forge(buf, RTX_MSG_NACK, false, GROUP, 1, ts++, group_key, list,
			    nack_body(list, 100, 21));
		rc = rtx_session_input_peer(b.s, buf, len, 1);
	}
	CU_ASSERT(rc == 0 || rc == -EBUSY);
	CU_ASSERT(stats(&b).repairs_sent <= 1000 + 80 * 4 + 1);
	CU_ASSERT(stats(&b).requests_refused > 0);
	CU_ASSERT(stats(&b).seqs_refused > 0);
	rtx_session_free(b.s);
}

static void test_repairs_checked(void)
{
	struct node a, e;
	uint8_t buf[1600], body[300], pkt[200];
	size_t len;
	uint64_t ts = 7000 * MS;
	uint16_t skip[1] = { 10 };

	net.n = 0;
	idents_reset();
	client(&a, 1, RTX_POLICY_ALL);
	edge(&e);
	stream(&a, 0, 20, skip, 1);
	memset(body, 0, 8);
	/* a repair from a non-member */
	mk_rtp(pkt, sizeof(pkt), SSRC, 10);
	memcpy(body + 8, pkt, sizeof(pkt));
	len = forge(buf, RTX_MSG_REPAIR, false, GROUP, 7, ts++, group_key, body, 8 + sizeof(pkt));
	CU_ASSERT_EQUAL(rtx_session_input_peer(a.s, buf, len, 7), -EPERM);
	/* of another stream: unsolicited */
	mk_rtp(pkt, sizeof(pkt), SSRC + 1, 10);
	memcpy(body + 8, pkt, sizeof(pkt));
	len = forge(buf, RTX_MSG_REPAIR, false, GROUP, 2, ts++, group_key, body, 8 + sizeof(pkt));
	CU_ASSERT_EQUAL(rtx_session_input_peer(a.s, buf, len, 2), -EALREADY);
	CU_ASSERT_EQUAL(stats(&a).unsolicited, 1);
	/* not RTP inside */
	memset(body + 8, 0, sizeof(pkt));
	len = forge(buf, RTX_MSG_REPAIR, false, GROUP, 2, ts++, group_key, body, 8 + sizeof(pkt));
	CU_ASSERT_EQUAL(rtx_session_input_peer(a.s, buf, len, 2), -EBADMSG);
	/* a packet we hold: a duplicate; the one we miss: repaired */
	mk_rtp(pkt, sizeof(pkt), SSRC, 9);
	memcpy(body + 8, pkt, sizeof(pkt));
	len = forge(buf, RTX_MSG_REPAIR, false, GROUP, 2, ts++, group_key, body, 8 + sizeof(pkt));
	CU_ASSERT_EQUAL(rtx_session_input_peer(a.s, buf, len, 2), -EALREADY);
	CU_ASSERT_EQUAL(stats(&a).duplicates, 1);
	mk_rtp(pkt, sizeof(pkt), SSRC, 10);
	memcpy(body + 8, pkt, sizeof(pkt));
	len = forge(buf, RTX_MSG_REPAIR, false, GROUP, 2, ts++, group_key, body, 8 + sizeof(pkt));
	CU_ASSERT_EQUAL(rtx_session_input_peer(a.s, buf, len, 2), 0);
	CU_ASSERT_EQUAL(stats(&a).repaired_peer, 1);
	/* RET repairs must come from an edge, group ones from a client */
	len = forge(buf, RTX_MSG_REPAIR, false, GROUP, RTX_EDGE_ID_FLAG | 1, ts++, group_key, body,
		    8 + sizeof(pkt));
	CU_ASSERT_EQUAL(rtx_session_input_peer(a.s, buf, len, 9), -EPERM);
	/* an edge takes no repairs */
	len = forge(buf, RTX_MSG_REPAIR, true, DOMAIN, 1, ts++, ret_key, body, 8 + sizeof(pkt));
	CU_ASSERT_EQUAL(rtx_session_input_peer(e.s, buf, len, 1), -EOPNOTSUPP);
	rtx_session_free(a.s);
	rtx_session_free(e.s);
}

static void test_clock_skew(void)
{
	struct node b;
	struct rtx_config cfg;
	struct rtx_callbacks cb;
	struct rtx_member m[2] = { { 1, 1 }, { 2, 2 } };
	struct rtx_group g = { .id = GROUP, .version = 1, .members = m, .n_members = 2 };
	uint8_t buf[1600], body[300];
	size_t len, bl;

	net.n = 0;
	idents_reset();
	memset(&b, 0, sizeof(b));
	b.id = 2;
	cb = callbacks(&b);
	rtx_config_defaults(&cfg, RTX_ROLE_CLIENT);
	cfg.self_id = 2;
	cfg.ident = ident_of(2);
	cfg.ts_base_ns = 1700000000ULL * 1000000000ULL;
	cfg.max_clock_skew_ns = 30000 * MS;
	memcpy(g.key, group_key, sizeof(g.key));
	CU_ASSERT_EQUAL_FATAL(rtx_session_new(&cfg, &cb, &b.s), 0);
	rtx_session_set_group(b.s, &g);
	bl = nack_body(body, 1, 1);
	len = forge(buf, RTX_MSG_NACK, false, GROUP, 1, cfg.ts_base_ns - 60000 * MS, group_key, body,
		    bl);
	CU_ASSERT_EQUAL(rtx_session_input_peer(b.s, buf, len, 1), -EALREADY);
	len = forge(buf, RTX_MSG_NACK, false, GROUP, 1, cfg.ts_base_ns + 1000 * MS, group_key, body,
		    bl);
	CU_ASSERT_EQUAL(rtx_session_input_peer(b.s, buf, len, 1), 0);
	rtx_session_free(b.s);
}

/* ---- the stream side ---- */

static void test_stream_events(void)
{
	struct node a;
	uint8_t pkt[200];
	uint16_t s;
	struct rtx_stats st;

	net.n = 0;
	idents_reset();
	client(&a, 1, RTX_POLICY_ALL);
	stream(&a, 0, 9, NULL, 0);
	mk_rtp(pkt, sizeof(pkt), SSRC, 5);
	CU_ASSERT_EQUAL(rtx_session_input_rtp(a.s, pkt, sizeof(pkt)), -EALREADY);
	CU_ASSERT_EQUAL(rtx_session_input_rtp(a.s, pkt, 11), -EBADMSG);
	CU_ASSERT_EQUAL(rtx_session_input_rtp(a.s, pkt, 1600), -EMSGSIZE);
	/* play 0..9, then packet 3 again: too late */
	clk += 1000 * MS;
	rtx_session_run(a.s);
	CU_ASSERT_EQUAL(a.n_got, 10);
	mk_rtp(pkt, sizeof(pkt), SSRC, 3);
	CU_ASSERT_EQUAL(rtx_session_input_rtp(a.s, pkt, sizeof(pkt)), -EALREADY);
	/* a far jump is held back until the next packet confirms it */
	mk_rtp(pkt, sizeof(pkt), SSRC, 30000);
	CU_ASSERT_EQUAL(rtx_session_input_rtp(a.s, pkt, sizeof(pkt)), -ERANGE);
	mk_rtp(pkt, sizeof(pkt), SSRC, 10);
	CU_ASSERT_EQUAL(rtx_session_input_rtp(a.s, pkt, sizeof(pkt)), 0);
	/* a new SSRC, confirmed: a restart, and the new stream plays */
	for (s = 500; s < 510; s++) {
		mk_rtp(pkt, sizeof(pkt), SSRC + 1, s);
		rtx_session_input_rtp(a.s, pkt, sizeof(pkt));
	}
	st = stats(&a);
	CU_ASSERT_EQUAL(st.restarts, 1);
	CU_ASSERT_EQUAL(st.out_of_window, 2);
	CU_ASSERT_EQUAL(st.malformed_rtp, 2);
	CU_ASSERT_EQUAL(st.duplicates_rtp, 2);
	CU_ASSERT_EQUAL(st.gaps, 0);
	clk += 1000 * MS;
	rtx_session_run(a.s);
	CU_ASSERT_EQUAL(a.n_got, 10 + 1 + 9);
	CU_ASSERT_EQUAL(a.bad_bytes, 0);
	rtx_session_free(a.s);
}

static void test_late_repair(void)
{
	struct node a;
	uint8_t buf[1600], body[300], pkt[200];
	uint16_t skip[1] = { 5 };
	size_t len;

	net.n = 0;
	idents_reset();
	client(&a, 1, RTX_POLICY_ALL);
	stream(&a, 0, 9, skip, 1);
	clk += 1000 * MS;
	rtx_session_run(a.s);
	CU_ASSERT_EQUAL(a.n_got, 9);
	CU_ASSERT_EQUAL(a.n_lost, 1);
	CU_ASSERT_EQUAL(stats(&a).unrepaired, 1);
	memset(body, 0, 8);
	mk_rtp(pkt, sizeof(pkt), SSRC, 5);
	memcpy(body + 8, pkt, sizeof(pkt));
	len = forge(buf, RTX_MSG_REPAIR, false, GROUP, 2, 9000 * MS, group_key, body,
		    8 + sizeof(pkt));
	CU_ASSERT_EQUAL(rtx_session_input_peer(a.s, buf, len, 2), -ETIME);
	CU_ASSERT_EQUAL(stats(&a).late, 1);
	rtx_session_free(a.s);
}

static void test_groups_and_peek(void)
{
	struct node a;
	struct rtx_member m[2] = { { 1, 1 }, { 4, 4 } };
	struct rtx_group g = { .id = GROUP, .version = 0, .members = m, .n_members = 2 };
	struct rtx_member srv[2] = { { EDGE1, 9 }, { EDGE2, 10 } };
	struct rtx_ret r = { .domain_id = DOMAIN, .servers = srv, .n_servers = 2 };
	struct rtx_msg_info info;
	uint16_t skip[1] = { 3 };
	size_t i;

	net.n = 0;
	idents_reset();
	client(&a, 1, RTX_POLICY_ALL);
	CU_ASSERT_EQUAL(rtx_session_set_group(a.s, &g), -ESTALE);
	g.version = 2;
	CU_ASSERT_EQUAL(rtx_session_set_group(a.s, &g), 0);
	m[1].id = 0;
	g.version = 3;
	CU_ASSERT_EQUAL(rtx_session_set_group(a.s, &g), -EINVAL);
	CU_ASSERT_EQUAL(rtx_session_set_ret(a.s, &r), 0);
	r.domain_id = 0;
	CU_ASSERT_EQUAL(rtx_session_set_ret(a.s, &r), -EINVAL);
	/* a request goes to the only other member, 4, after the hold */
	stream(&a, 0, 5, skip, 1);
	CU_ASSERT_EQUAL(rtx_session_deadline(a.s), clk + 5 * MS);
	rtx_session_run(a.s);
	CU_ASSERT_EQUAL(net.n, 0);
	clk += 5 * MS;
	rtx_session_run(a.s);
	CU_ASSERT_EQUAL_FATAL(net.n, 1);
	CU_ASSERT_EQUAL(net.q[0].to, 4u);
	CU_ASSERT_EQUAL(rtx_peek(net.q[0].buf, net.q[0].len, &info), 0);
	CU_ASSERT_EQUAL(info.type, RTX_MSG_NACK);
	CU_ASSERT_EQUAL(info.ret, 0);
	CU_ASSERT_EQUAL(info.group_id, GROUP);
	CU_ASSERT_EQUAL(info.sender_id, 1u);
	for (i = 0; i < net.q[0].len; i++)
		CU_ASSERT_EQUAL(rtx_peek(net.q[0].buf, i, &info), -EBADMSG);
	CU_ASSERT_EQUAL(rtx_peek(net.q[0].buf, net.q[0].len, NULL), -EBADMSG);
	/* leaving the group: requests go to RET only */
	CU_ASSERT_EQUAL(rtx_session_set_group(a.s, NULL), 0);
	CU_ASSERT(rtx_session_deadline(a.s) > clk);
	for (i = 0; i < 10 && queued_to(9, 0) + queued_to(10, 0) == 0; i++) {
		clk = rtx_session_deadline(a.s);
		rtx_session_run(a.s);
	}
	CU_ASSERT_EQUAL(queued_to(4, 0), 1);
	CU_ASSERT(queued_to(9, RTX_MSG_NACK) + queued_to(10, RTX_MSG_NACK) >= 1);
	rtx_session_free(a.s);
}

/* A RET answer that comes seconds late (a stalled edge, a repair queued
 * behind a burst) is no round trip: RET is still asked, in time, for the
 * next loss its group cannot repair. */
static void test_slow_answer(void)
{
	struct node a, e;
	uint16_t skip[1] = { 7 }, skip2[1] = { 40 };
	uint64_t t;
	struct rtx_member srv = { EDGE1, 9 };
	struct rtx_ret r = { .domain_id = DOMAIN, .servers = &srv, .n_servers = 1 };
	int i;

	net.n = 0;
	idents_reset();
	client(&a, 1, RTX_POLICY_ALL);
	edge(&e);
	validated(EDGE1, 1, 1);
	memcpy(r.key, ret_key, sizeof(r.key));
	CU_ASSERT_EQUAL(rtx_session_set_ret(a.s, &r), 0);
	stream(&e, 0, 60, NULL, 0);
	stream(&a, 0, 20, skip, 1);
	rtx_session_run(a.s);
	clk = rtx_session_deadline(a.s);
	rtx_session_run(a.s);
	CU_ASSERT_EQUAL(queued_to(9, RTX_MSG_NACK), 1);
	/* the edge answers 3 s later */
	clk += 3000 * MS;
	CU_ASSERT_EQUAL(pass_to(&e), 1);
	pass_to(&a);
	net.n = 0;
	stream(&a, 21, 60, skip2, 1);
	t = clk + 400 * MS;
	for (i = 0; i < 1000 && queued_to(9, RTX_MSG_NACK) == 0 && rtx_session_deadline(a.s) <= t; i++) {
		if (rtx_session_deadline(a.s) > clk)
			clk = rtx_session_deadline(a.s);
		rtx_session_run(a.s);
	}
	CU_ASSERT_EQUAL(queued_to(9, RTX_MSG_NACK), 1);
	rtx_session_free(a.s);
	rtx_session_free(e.s);
}

static size_t nacks_to_members(void)
{
	return queued_to(1, RTX_MSG_NACK) + queued_to(2, RTX_MSG_NACK) + queued_to(3, RTX_MSG_NACK);
}

/* Multicast stalls for 100 ms (the box's process not scheduled, say) while
 * its packets queue up, then they all arrive at once. The pull the silence
 * starts predicts the stream at its real pace (1 packet/ms here, in batches
 * of 32: the smoothed gap between arrivals is a fraction of that), a lead
 * ahead, and the predictions the queued packets fill are forgotten, not
 * asked for. */
static void test_stall(void)
{
	struct node a;
	uint64_t t, d;
	struct rtx_member srv = { EDGE1, 9 };
	struct rtx_ret r = { .domain_id = DOMAIN, .servers = &srv, .n_servers = 1 };
	struct rtx_stats st;
	int i;

	net.n = 0;
	idents_reset();
	client(&a, 1, RTX_POLICY_RANKED);
	memcpy(r.key, ret_key, sizeof(r.key));
	CU_ASSERT_EQUAL(rtx_session_set_ret(a.s, &r), 0);
	for (i = 0; i < 1024; i += 32) {
		stream(&a, (uint16_t)i, (uint16_t)(i + 31), NULL, 0);
		clk += 32 * MS;
		rtx_session_run(a.s);
	}
	t = clk + 68 * MS; /* 100 ms after the last batch */
	for (i = 0; i < 100000 && (d = rtx_session_deadline(a.s)) <= t; i++) {
		if (d > clk)
			clk = d;
		rtx_session_run(a.s);
	}
	clk = t;
	rtx_session_run(a.s);
	st = stats(&a);
	CU_ASSERT_EQUAL(st.starved, 1);
	/* 100 ms of stream at 1 packet/ms, and the lead of 50 ms */
	CU_ASSERT(st.pulled >= 100 && st.pulled <= 200);
	CU_ASSERT(nacks_to_members() > 0);
	/* the queued packets, and more */
	stream(&a, 1024, 1199, NULL, 0);
	net.n = 0;
	for (i = 0; i < 3; i++) {
		clk += 10 * MS;
		rtx_session_run(a.s);
	}
	CU_ASSERT_EQUAL(nacks_to_members(), 0);
	st = stats(&a);
	CU_ASSERT_EQUAL(st.reordered, st.pulled);
	CU_ASSERT_EQUAL(st.unrepaired, 0);
	rtx_session_free(a.s);
}


/* ---- identities and addresses ---- */

/* A NACK member 1 sent to member 2, replayed to member 3 or to member 2
 * from another address, gets nothing back; a fresh one relayed from
 * another address gets a challenge no larger than itself, and no repair. */
static void test_nack_replayed_elsewhere(void)
{
	struct node b, c;
	uint8_t buf[1600], body[300];
	size_t len, bl;
	uint64_t ts = 7000 * MS;

	net.n = 0;
	idents_reset();
	client(&b, 2, RTX_POLICY_ALL);
	client(&c, 3, RTX_POLICY_ALL);
	stream(&b, 100, 120, NULL, 0);
	stream(&c, 100, 120, NULL, 0);
	bl = nack_body(body, 110, 3);
	len = forge_to(buf, 2, RTX_MSG_NACK, false, GROUP, 1, ts++, group_key, body, bl);
	CU_ASSERT_EQUAL(rtx_session_input_peer(c.s, buf, len, 1), -EACCES);
	CU_ASSERT_EQUAL(net.n, 0);
	CU_ASSERT_EQUAL(rtx_session_input_peer(b.s, buf, len, 1), 0);
	CU_ASSERT_EQUAL(queued_to(1, RTX_MSG_REPAIR), 3);
	net.n = 0;
	CU_ASSERT_EQUAL(rtx_session_input_peer(b.s, buf, len, 66), -EALREADY);
	CU_ASSERT_EQUAL(net.n, 0);
	len = forge_to(buf, 2, RTX_MSG_NACK, false, GROUP, 1, ts++, group_key, body, bl);
	CU_ASSERT_EQUAL(rtx_session_input_peer(b.s, buf, len, 66), -EAGAIN);
	CU_ASSERT_EQUAL_FATAL(net.n, 1);
	CU_ASSERT_EQUAL(queued_to(66, RTX_MSG_PATH), 1);
	CU_ASSERT(net.q[0].len <= len);
	CU_ASSERT_EQUAL(stats(&b).unvalidated, 1);
	CU_ASSERT_EQUAL(stats(&b).repairs_sent, 3);
	CU_ASSERT_EQUAL(stats(&c).auth_failed, 1);
	rtx_session_free(b.s);
	rtx_session_free(c.s);
}

/* The box the edge has not met: its first NACK is challenged; the box
 * echoes and asks again at once; the echo validates its address and the
 * NACK behind it is served. */
static void test_ret_address_validation(void)
{
	struct node a, e;
	uint16_t skip[1] = { 7 };
	struct rtx_member srv = { EDGE1, 9 };
	struct rtx_ret r = { .domain_id = DOMAIN, .servers = &srv, .n_servers = 1 };
	size_t nack_len = 0;

	net.n = 0;
	idents_reset();
	client(&a, 1, RTX_POLICY_ALL);
	edge(&e);
	memcpy(r.key, ret_key, sizeof(r.key));
	CU_ASSERT_EQUAL(rtx_session_set_ret(a.s, &r), 0);
	stream(&e, 0, 20, NULL, 0);
	stream(&a, 0, 20, skip, 1);
	rtx_session_run(a.s);
	clk = rtx_session_deadline(a.s);
	rtx_session_run(a.s);
	CU_ASSERT_EQUAL_FATAL(queued_to(9, RTX_MSG_NACK), 1);
	for (size_t k = 0; k < net.n; k++)
		if (net.q[k].to == 9)
			nack_len = net.q[k].len;
	CU_ASSERT_EQUAL(pass_to(&e), 1);
	CU_ASSERT_EQUAL(stats(&e).repairs_sent, 0);
	CU_ASSERT_EQUAL(stats(&e).unvalidated, 1);
	CU_ASSERT_EQUAL_FATAL(queued_to(1, RTX_MSG_PATH), 1);
	CU_ASSERT(net.q[net.n - 1].len <= nack_len);
	CU_ASSERT_EQUAL(pass_to(&a), 1);
	CU_ASSERT_EQUAL(queued_to(9, RTX_MSG_PATH), 1);
	/* the box asks again at once, behind its echo, not after a timeout */
	CU_ASSERT_EQUAL(rtx_session_deadline(a.s), clk);
	rtx_session_run(a.s);
	CU_ASSERT_EQUAL(queued_to(9, RTX_MSG_NACK), 1);
	CU_ASSERT_EQUAL(pass_to(&e), 2);
	CU_ASSERT_TRUE(rtx_ident_addr_ok(ident_of(EDGE1), 1, 1));
	CU_ASSERT_EQUAL(stats(&e).repairs_sent, 1);
	pass_to(&a);
	CU_ASSERT_EQUAL(stats(&a).repaired_ret, 1);
	rtx_session_free(a.s);
	rtx_session_free(e.s);
}

/* A viewer (box 7: it has the channel's RET key) cannot speak for box 1,
 * and one that asks too much is throttled alone. */
static void test_viewer_is_itself(void)
{
	struct node e;
	uint8_t buf[1600], body[300];
	size_t len, bl;
	uint64_t ts = 7000 * MS;
	struct rtx_stats st;
	int k;

	net.n = 0;
	idents_reset();
	edge(&e);
	stream(&e, 0, 60, NULL, 0);
	validated(EDGE1, 1, 1);
	validated(EDGE1, 7, 7);
	bl = nack_body(body, 10, 21);
	len = forge_to(buf, EDGE1, RTX_MSG_NACK, true, DOMAIN, 7, ts++, ret_key, body, bl);
	sc_put_be32(buf + 12, 1); /* box 7's datagram, claiming to be box 1's */
	CU_ASSERT_EQUAL(rtx_session_input_peer(e.s, buf, len, 1), -EACCES);
	buf[4] &= (uint8_t)~RTX_ENV_FLAG_CERT; /* without its certificate: 1's key */
	memmove(buf + RTX_WIRE_HDR, buf + RTX_WIRE_HDR + RTX_CERT_BYTES, len - RTX_WIRE_HDR - RTX_CERT_BYTES);
	CU_ASSERT_EQUAL(rtx_session_input_peer(e.s, buf, len - RTX_CERT_BYTES, 1), -EACCES);
	CU_ASSERT_EQUAL(net.n, 0);
	/* box 7 floods: its bucket runs dry */
	for (k = 0; k < 80; k++) {
		clk += 4 * MS;
		len = forge_to(buf, EDGE1, RTX_MSG_NACK, true, DOMAIN, 7, ts++, ret_key, body, bl);
		rtx_session_input_peer(e.s, buf, len, 7);
	}
	st = stats(&e);
	CU_ASSERT(st.seqs_refused > 0);
	CU_ASSERT(st.repairs_sent <= 1000 + 80 * 4 + 21);
	/* box 1 is served in full */
	net.n = 0;
	len = forge_to(buf, EDGE1, RTX_MSG_NACK, true, DOMAIN, 1, ts++, ret_key, body, bl);
	CU_ASSERT_EQUAL(rtx_session_input_peer(e.s, buf, len, 1), 0);
	CU_ASSERT_EQUAL(queued_to(1, RTX_MSG_REPAIR), 21);
	rtx_session_free(e.s);
}

/* A revoked member is refused at once, and a stranger's certificate
 * (another CA) too. */
static void test_revoked_member(void)
{
	struct node b;
	uint8_t buf[1600], body[300];
	size_t len, bl;
	uint64_t ts = 7000 * MS;

	net.n = 0;
	idents_reset();
	client(&b, 2, RTX_POLICY_ALL);
	stream(&b, 100, 120, NULL, 0);
	bl = nack_body(body, 110, 3);
	clk += MS;
	CU_ASSERT_EQUAL(rtx_ident_revoke(ident_of(2), 1, tu_pki_wall_ms(&pki)), 0);
	len = forge_to(buf, 2, RTX_MSG_NACK, false, GROUP, 1, ts++, group_key, body, bl);
	CU_ASSERT_EQUAL(rtx_session_input_peer(b.s, buf, len, 1), -EACCES);
	CU_ASSERT_EQUAL(stats(&b).revoked, 1);
	CU_ASSERT_EQUAL(net.n, 0);
	rtx_session_free(b.s);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "settings", test_settings },
		{ "repair between clients", test_repair_between_clients },
		{ "escalation to RET", test_ret_escalation },
		{ "refusals", test_refusals },
		{ "hostile requests are bounded", test_hostile_request_bounded },
		{ "repairs are checked", test_repairs_checked },
		{ "clock skew", test_clock_skew },
		{ "stream events", test_stream_events },
		{ "late repair", test_late_repair },
		{ "groups and peek", test_groups_and_peek },
		{ "a stall of multicast", test_stall },
		{ "a slow answer is no round trip", test_slow_answer },
		{ "a NACK replayed elsewhere gets nothing", test_nack_replayed_elsewhere },
		{ "RET validates the box's address", test_ret_address_validation },
		{ "a viewer is itself, and throttled alone", test_viewer_is_itself },
		{ "a revoked member is refused", test_revoked_member },
		{ NULL, NULL },
	};
	return tu_add_suite("rtx_session", tests);
}
