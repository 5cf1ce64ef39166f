/* sec_bench: what an attacker gets out of sixcast's responders, and what
 * the authentication costs, measured in-process over the real libraries
 * on a fake clock (deterministic; the namespace lab's attack suite,
 * tests/security/, measures the same live).
 *
 *   build/tests/bench/sec_bench [ROUNDS]
 *
 * For each attack class: the datagrams and bytes the attacker sent, the
 * bytes the victims sent in answer (to anybody: to the attacker, or to a
 * spoofed address), and their ratio. Replays and forgeries must get 0;
 * anything from an address not validated at most 1 (only a challenge no
 * larger than the request). Then the cost of sealing and opening one
 * repair (1384 bytes) against version 1's single MAC, and per 8 Mb/s
 * stream. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rtx.h"
#include "rtx_auth.h"
#include "rtx_wire.h"
#include "sc_rtp.h"
#include "tu_ident.h"

#define MS 1000000ULL
#define S 1000000000ULL
#define SSRC 0x5ec0001u
#define GROUP 77
#define DOMAIN 9
#define EDGE1 (RTX_EDGE_ID_FLAG | 1)
#define EDGE2 (RTX_EDGE_ID_FLAG | 2)
#define ATTACKER 666 /* the attacker's handle (an address nobody registered) */
#define SPOOFED 667  /* an address the attacker spoofs (a victim) */

static uint64_t clk = 1000 * MS;
static struct tu_pki pki;

/* ---- a network that records every datagram ---- */

struct dgram {
	uint32_t from_node;
	uint64_t to;
	uint8_t buf[1600];
	size_t len;
};

static struct {
	struct dgram *q;
	size_t n, cap;
	uint64_t bytes;      /* answers sent since the last reset */
} net;

struct node {
	uint32_t id;         /* member id; its handle is id (edges: 9, 10) */
	uint64_t handle;
	rtx_ident *ident;
	rtx_session *s;
};

static uint64_t now_cb(void *ctx)
{
	(void)ctx;
	return clk;
}

static int send_cb(void *ctx, uint64_t peer, const uint8_t *buf, size_t len)
{
	struct node *nd = ctx;
	struct rtx_msg_info info;

	/* Answers (what an attacker could make a victim send): not the
	 * victims' own requests. */
	if (rtx_peek(buf, len, &info) == 0 && info.type != RTX_MSG_NACK && info.type != RTX_MSG_BURST_REQ)
		net.bytes += len;
	if (net.n == net.cap) {
		size_t cap = net.cap ? 2 * net.cap : 1024;
		struct dgram *q = realloc(net.q, cap * sizeof(*q));

		if (!q)
			return -ENOMEM;
		net.q = q;
		net.cap = cap;
	}
	net.q[net.n] = (struct dgram){ .from_node = nd->id, .to = peer, .len = len };
	memcpy(net.q[net.n].buf, buf, len);
	net.n++;
	return 0;
}

static void deliver_cb(void *ctx, uint64_t ext, const uint8_t *pkt, size_t len)
{
	(void)ctx;
	(void)ext;
	(void)pkt;
	(void)len;
}

static const uint8_t group_key[32] = { 1, 2, 3 }, ret_key[32] = { 4, 5, 6 };

static void node_new(struct node *nd, uint32_t id, uint64_t handle)
{
	struct rtx_config cfg;
	struct rtx_callbacks cb = { .ctx = nd, .now_ns = now_cb, .send = send_cb, .deliver = deliver_cb };
	bool edge = (id & RTX_EDGE_ID_FLAG) != 0;

	nd->id = id;
	nd->handle = handle;
	nd->ident = tu_ident_new(&pki, id, 0);
	rtx_config_defaults(&cfg, edge ? RTX_ROLE_EDGE : RTX_ROLE_CLIENT);
	cfg.self_id = id;
	cfg.ident = nd->ident;
	cfg.ts_base_ns = 5000 * MS * id;
	if (!nd->ident || rtx_session_new(&cfg, &cb, &nd->s) < 0) {
		fprintf(stderr, "sec_bench: cannot make node %u\n", id);
		exit(1);
	}
}

static void stream(struct node *nd, uint16_t first, uint16_t n, unsigned flags_every)
{
	uint8_t pkt[1328];
	struct sc_rtp_fields f = { .payload_type = 33, .ssrc = SSRC };

	for (uint16_t i = 0; i < n; i++) {
		f.seq = (uint16_t)(first + i);
		f.timestamp = f.seq * 3000u;
		sc_rtp_write(pkt, sizeof(pkt), &f);
		memset(pkt + SC_RTP_HDR_MIN, 0x47, sizeof(pkt) - SC_RTP_HDR_MIN);
		rtx_session_input_rtp_flags(nd->s, pkt, sizeof(pkt),
					    flags_every && i % flags_every == 0 ? RTX_PKT_RAP | RTX_PKT_PAT : 0);
		clk += 1 * MS;
	}
}

/* ---- the world: a group of three boxes, two edges of the channel, a
 * viewer (box 7, holds the RET key, not in the group) ---- */

static struct node box[3], viewer, edge1, edge2;

static void world_new(void)
{
	struct node *all[] = { &box[0], &box[1], &box[2], &viewer, &edge1, &edge2 };
	struct rtx_member m[3] = { { 1, 1 }, { 2, 2 }, { 3, 3 } };
	struct rtx_group g = { .id = GROUP, .version = 1, .members = m, .n_members = 3 };
	struct rtx_member srv[2] = { { EDGE1, 9 }, { EDGE2, 10 } };
	struct rtx_ret rc = { .domain_id = DOMAIN, .servers = srv, .n_servers = 2 }, re = { .domain_id = DOMAIN };

	if (tu_pki_init(&pki, now_cb, NULL) < 0)
		exit(1);
	for (int i = 0; i < 3; i++)
		node_new(&box[i], (uint32_t)i + 1, (uint64_t)i + 1);
	node_new(&viewer, 7, 7);
	node_new(&edge1, EDGE1, 9);
	node_new(&edge2, EDGE2, 10);
	for (size_t i = 0; i < 6; i++)
		for (size_t j = i + 1; j < 6; j++)
			tu_ident_introduce(all[i]->ident, all[j]->ident);
	memcpy(g.key, group_key, 32);
	memcpy(rc.key, ret_key, 32);
	memcpy(re.key, ret_key, 32);
	for (int i = 0; i < 3; i++) {
		rtx_session_set_group(box[i].s, &g);
		rtx_session_set_ret(box[i].s, &rc);
	}
	rtx_session_set_ret(viewer.s, &rc);
	rtx_session_set_ret(edge1.s, &re);
	rtx_session_set_ret(edge2.s, &re);
	/* the edges met the boxes before (their addresses are validated) */
	for (uint32_t id = 1; id <= 7; id++) {
		rtx_ident_addr_set(edge1.ident, id, id);
		rtx_ident_addr_set(edge2.ident, id, id);
	}
	for (int i = 0; i < 3; i++)
		stream(&box[i], 100, 300, 0);
	stream(&edge1, 100, 300, 50);
	stream(&edge2, 100, 300, 50);
}

/* ---- attacks ---- */

struct result {
	const char *name, *expect;
	uint64_t dgrams, bytes_in, bytes_out;
};

static struct result results[32];
static size_t n_results;

/* The first datagram of `type` node `from` sent (to `to`, or anyone). */
static int capture(uint32_t from, int type, uint64_t to, uint8_t *buf, size_t *len)
{
	struct rtx_msg_info info;

	for (size_t i = 0; i < net.n; i++)
		if (net.q[i].from_node == from && (to == UINT64_MAX || net.q[i].to == to) &&
		    rtx_peek(net.q[i].buf, net.q[i].len, &info) == 0 && (int)info.type == type) {
			memcpy(buf, net.q[i].buf, net.q[i].len);
			*len = net.q[i].len;
			return 0;
		}
	return -1;
}

/* Feed a datagram to a victim n times from handle `from`; bytes out. */
static void attack(struct result *r, struct node *victim, const uint8_t *buf, size_t len, uint64_t from,
		   unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		clk += 4 * MS;
		net.bytes = 0;
		net.n = 0;
		rtx_session_input_peer(victim->s, buf, len, from);
		rtx_session_run(victim->s);
		r->dgrams++;
		r->bytes_in += len;
		r->bytes_out += net.bytes;
	}
}

static struct result *result(const char *name, const char *expect)
{
	struct result *r = &results[n_results++];

	*r = (struct result){ name, expect, 0, 0, 0 };
	return r;
}

/* Box 1 asks box 2 for packets 150..170 (it sends a real NACK). */
static size_t nack_of_box1(uint8_t *buf)
{
	uint8_t body[200];
	uint64_t exts[21];
	size_t used, len = 0;
	struct rtx_hdr h = { .type = RTX_MSG_NACK, .group_id = GROUP, .receiver_id = 2, .session = 5 };
	struct rtx_env e;
	struct rtx_seal s;
	int bl;

	for (int i = 0; i < 21; i++)
		exts[i] = 65536 + 150 + (uint64_t)i;
	bl = rtx_list_build(body, sizeof(body), SSRC, 0, exts, 21, &used);
	h.body_len = (uint16_t)bl;
	h.ts = 6000 * MS + clk;
	rtx_wire_env(&e, &h);
	rtx_ident_seal_key(box[0].ident, 2, group_key, true, &s);
	len = rtx_ident_seal_begin(box[0].ident, &s, RTX_WIRE_MAGIC, &e, buf);
	memcpy(buf + len, body, (size_t)bl);
	return rtx_ident_seal_finish(&s, buf, len + (size_t)bl);
}

static void replays(unsigned rounds)
{
	uint8_t nack[1600], breq[1600];
	size_t nl, bl;
	struct result *r;

	nl = nack_of_box1(nack);
	/* the original is served */
	net.bytes = 0;
	rtx_session_input_peer(box[1].s, nack, nl, 1);
	r = result("NACK replayed to its receiver", "0");
	attack(r, &box[1], nack, nl, 1, rounds);
	r = result("NACK replayed to another member", "0");
	attack(r, &box[2], nack, nl, ATTACKER, rounds);
	r = result("NACK replayed from another address", "0");
	attack(r, &box[1], nack, nl, ATTACKER, rounds);
	/* box 1's burst request to edge 1, replayed to edge 2 */
	net.n = 0;
	rtx_session_request_burst(box[0].s);
	if (capture(1, RTX_MSG_BURST_REQ, UINT64_MAX, breq, &bl) < 0) {
		fprintf(stderr, "sec_bench: no burst request captured\n");
		exit(1);
	}
	r = result("BURST_REQ replayed to another edge", "0");
	attack(r, &edge2, breq, bl, 1, rounds);
	attack(r, &edge2, breq, bl, ATTACKER, rounds);
}

static void relays(unsigned rounds)
{
	uint8_t buf[1600];
	size_t len;
	struct result *r = result("fresh NACKs relayed from an unproven address", "<= 1");

	for (unsigned i = 0; i < rounds; i++) {
		len = nack_of_box1(buf);
		attack(r, &box[1], buf, len, ATTACKER, 1);
	}
	r = result("fresh BURST_REQs, spoofed source (reflection)", "<= 1");
	for (unsigned i = 0; i < rounds; i++) {
		clk += 300 * MS; /* past the per-box interval */
		net.n = 0;
		rtx_session_request_burst(viewer.s);
		rtx_session_run(viewer.s);
		if (capture(7, RTX_MSG_BURST_REQ, UINT64_MAX, buf, &len) == 0)
			attack(r, &edge1, buf, len, SPOOFED, 1);
	}
}

/* The viewer (it has the RET key) claims to be box 1. */
static void forgeries(unsigned rounds)
{
	uint8_t buf[1600];
	size_t len;
	struct result *r = result("a viewer's NACK under box 1's id", "0");

	for (unsigned i = 0; i < rounds; i++) {
		uint8_t body[64];
		uint64_t ext = 65536 + 200;
		size_t used;
		struct rtx_hdr h = { .type = RTX_MSG_NACK, .flags = RTX_WIRE_FLAG_RET, .group_id = DOMAIN,
				     .receiver_id = EDGE1, .session = 9, .ts = 7000 * MS + clk };
		struct rtx_env e;
		struct rtx_seal s;
		int bl = rtx_list_build(body, sizeof(body), SSRC, 0, &ext, 1, &used);

		h.body_len = (uint16_t)bl;
		rtx_wire_env(&e, &h);
		rtx_ident_seal_key(viewer.ident, EDGE1, ret_key, i % 2 == 0, &s);
		len = rtx_ident_seal_begin(viewer.ident, &s, RTX_WIRE_MAGIC, &e, buf);
		memcpy(buf + len, body, (size_t)bl);
		len = rtx_ident_seal_finish(&s, buf, len + (size_t)bl);
		buf[12] = buf[13] = buf[14] = 0;
		buf[15] = 1; /* sender id: box 1 */
		attack(r, &edge1, buf, len, 1, 1);
	}
}

static void garbage(unsigned rounds)
{
	uint8_t buf[1500];
	struct result *r = result("random datagrams", "0");
	struct result *r2 = result("well-formed headers, made-up certificates", "0");
	uint64_t x = 88172645463325252ULL;

	for (unsigned i = 0; i < rounds; i++) {
		size_t len = 1 + (x % 1400);

		for (size_t k = 0; k < len; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			buf[k] = (uint8_t)x;
		}
		attack(r, &edge1, buf, len, ATTACKER, 1);
		/* a plausible header with a certificate attached */
		{
			struct rtx_hdr h = { .type = RTX_MSG_BURST_REQ, .flags = RTX_WIRE_FLAG_RET,
					     .body_len = RTX_WIRE_BURST_REQ_LEN, .group_id = DOMAIN,
					     .sender_id = 1000 + i, .receiver_id = EDGE1, .ts = x, .session = 3 };
			struct rtx_env e;

			rtx_wire_env(&e, &h);
			e.flags |= RTX_ENV_FLAG_CERT;
			e.cert = buf + 200;
			len = rtx_env_put(buf, RTX_WIRE_MAGIC, &e) + RTX_WIRE_BURST_REQ_LEN + RTX_WIRE_MAC;
			attack(r2, &edge1, buf, len, ATTACKER, 1);
		}
	}
}

static void print_results(void)
{
	printf("| attack | datagrams | bytes in | bytes answered | answered per byte in | bar |\n");
	printf("|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < n_results; i++) {
		const struct result *r = &results[i];

		printf("| %s | %llu | %llu | %llu | %.3f | %s |\n", r->name, (unsigned long long)r->dgrams,
		       (unsigned long long)r->bytes_in, (unsigned long long)r->bytes_out,
		       r->bytes_in ? (double)r->bytes_out / (double)r->bytes_in : 0.0, r->expect);
	}
}

/* ---- cost ---- */

static double wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void costs(unsigned n)
{
	uint8_t buf[1600], key[32] = { 7 };
	struct rtx_hdr h = { .type = RTX_MSG_REPAIR, .group_id = GROUP, .receiver_id = 2, .session = 5,
			     .body_len = 8 + 1328 };
	struct rtx_env e, pe;
	struct rtx_seal s;
	struct rtx_opened o;
	const uint8_t *dk[1] = { group_key };
	size_t len = 0;
	double t0, v1, seal, open;

	memset(buf, 0x47, sizeof(buf));
	t0 = wall_ns();
	for (unsigned i = 0; i < n; i++) {
		rtx_auth_sign(key, buf, 32 + 8 + 1328);
		rtx_auth_verify(key, buf, 32 + 8 + 1328 + 16);
	}
	v1 = (wall_ns() - t0) / n;
	t0 = wall_ns();
	for (unsigned i = 0; i < n; i++) {
		h.ts = 1000 + i;
		rtx_wire_env(&e, &h);
		rtx_ident_seal_key(box[0].ident, 2, group_key, false, &s);
		len = rtx_ident_seal_begin(box[0].ident, &s, RTX_WIRE_MAGIC, &e, buf);
		len = rtx_ident_seal_finish(&s, buf, len + h.body_len);
	}
	seal = (wall_ns() - t0) / n;
	t0 = wall_ns();
	for (unsigned i = 0; i < n; i++) {
		if (rtx_env_parse(buf, len, RTX_WIRE_MAGIC, &pe) < 0 ||
		    rtx_ident_open(box[1].ident, buf, len, &pe, dk, 1, &o) < 0) {
			fprintf(stderr, "sec_bench: open failed\n");
			exit(1);
		}
	}
	open = (wall_ns() - t0) / n;
	printf("\n| per 1384-byte repair | version 1 (one key) | version 2 (pair keys) |\n|---|---|---|\n");
	printf("| seal + open | %.2f us | %.2f us |\n", v1 / 1e3, (seal + open) / 1e3);
	printf("| per 8 Mb/s stream (760 pps, every packet sealed and opened once) | %.3f%% of a core | "
	       "%.3f%% of a core |\n", v1 * 760 / 1e7, (seal + open) * 760 / 1e7);
}

int main(int argc, char **argv)
{
	unsigned rounds = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 200;

	world_new();
	replays(rounds);
	relays(rounds);
	forgeries(rounds);
	garbage(rounds);
	print_results();
	costs(20000);
	free(net.q);
	return 0;
}
