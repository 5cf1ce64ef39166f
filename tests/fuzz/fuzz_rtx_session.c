/* libFuzzer target: a client session and an edge session driven by
 * arbitrary input, with the repair-port datagrams signed by the harness so
 * that the fuzzer reaches past authentication into the requester, the
 * responder and the playback buffer. The input is a sequence of records:
 *   op (1 byte) | length (1 byte) | data (length bytes)
 * op % 8: 0 multicast RTP to the client (data is the datagram), 1 group
 * datagram to the client, 2 RET datagram to the edge, 3 RTP to the edge
 * (marked RAP/PAT by the length's low bits), 4 advance the clock by data[0]
 * ms and run both, 5 regroup, 6 RET datagram to the client, 7 the client
 * asks for a burst. For 1, 2 and 6 the harness takes the type from data[0]
 * (any of the six, fast channel change and address challenges included),
 * writes a valid header (sender and group from data[1]), uses data[2..]
 * as the body and seals it with the sender's identity for its receiver
 * (with or without the sender's certificate attached: data[1] & 0x20).
 * Every member has an identity from one CA (the receivers' made anew for
 * each input);
 * datagrams come from handle 4, validated for every sender but one (0x10
 * of data[1] picks handle 5, never validated: requests get challenges).
 * Whatever the sessions send is dropped. */
#include "config.h"

#include <string.h>

#include "rtx.h"
#include "rtx_auth.h"
#include "rtx_wire.h"
#include "tu_ident.h"

#define MS 1000000ULL

static uint64_t clk;
static uint64_t ts = 1000;

/* The members: client 1 (the fuzzed client), boxes 2..5, the edge. */
#define EDGE (RTX_EDGE_ID_FLAG | 1)
static const uint32_t ids[] = { 1, 2, 3, 4, 5, EDGE };
#define N_IDS (sizeof(ids) / sizeof(ids[0]))
static struct tu_pki pki;
static rtx_ident *idents[N_IDS];
static const uint8_t gkey[RTX_KEY_BYTES] = { 7 };
static const uint8_t rkey[RTX_KEY_BYTES] = { 8 };

static uint64_t now_cb(void *ctx)
{
	(void)ctx;
	return clk;
}

static int send_cb(void *ctx, uint64_t peer, const uint8_t *buf, size_t len)
{
	(void)ctx;
	(void)peer;
	(void)buf;
	(void)len;
	return 0;
}

static void deliver_cb(void *ctx, uint64_t ext, const uint8_t *pkt, size_t len)
{
	(void)ctx;
	(void)ext;
	(void)pkt;
	(void)len;
}

static void set_group(rtx_session *s, uint32_t version, uint8_t n)
{
	struct rtx_member m[4] = { { 1, 1 }, { 2, 2 }, { 3, 3 }, { 4, 4 } };
	struct rtx_group g = { .id = 10, .version = version, .members = m, .n_members = n % 5 };

	memcpy(g.key, gkey, sizeof(g.key));
	rtx_session_set_group(s, &g);
}

static rtx_ident *ident_of(uint32_t id)
{
	for (size_t i = 0; i < N_IDS; i++)
		if (ids[i] == id)
			return idents[i];
	return NULL;
}

/* The receivers (the client and the edge) hold what a run changes (the
 * peers they learnt, validated addresses, challenges): made anew for each
 * input, so that no state leaks from one to the next. The other boxes only
 * send (their identities never change): made once, which keeps a run
 * cheap enough for the fuzzer (key pairs, signatures and their checks). */
static bool receiver(uint32_t id)
{
	return id == 1 || id == EDGE;
}

static void idents_free(void)
{
	for (size_t i = 0; i < N_IDS; i++)
		if (receiver(ids[i])) {
			rtx_ident_free(idents[i]);
			idents[i] = NULL;
		}
}

static int idents_new(void)
{
	static int senders; /* 0: not yet, 1: made, -1: failed */

	if (!senders) {
		senders = -1;
		if (tu_pki_init(&pki, now_cb, NULL) < 0)
			return -1;
		pki.lifetime_ms = 100ULL * 365 * 86400 * 1000; /* the clock runs on */
		for (size_t i = 0; i < N_IDS; i++)
			if (!receiver(ids[i]) && !(idents[i] = tu_ident_new(&pki, ids[i], 16)))
				return -1;
		senders = 1;
	}
	if (senders < 0)
		return -1;
	for (size_t i = 0; i < N_IDS; i++)
		if (receiver(ids[i]) && !(idents[i] = tu_ident_new(&pki, ids[i], 16)))
			return -1;
	for (size_t i = 0; i < N_IDS; i++)
		for (size_t j = i + 1; j < N_IDS; j++)
			if (receiver(ids[i]) || receiver(ids[j]))
				tu_ident_introduce(idents[i], idents[j]);
	for (size_t i = 0; i < N_IDS; i++)
		for (size_t j = 0; j < N_IDS; j++)
			if (i != j && receiver(ids[i]))
				rtx_ident_addr_set(idents[i], ids[j], 4);
	return 0;
}

static void make(rtx_session **client, rtx_session **edge)
{
	struct rtx_callbacks cb = { .now_ns = now_cb, .send = send_cb, .deliver = deliver_cb };
	struct rtx_config cfg;
	struct rtx_member srv = { EDGE, 9 };
	struct rtx_ret r = { .domain_id = 5, .servers = &srv, .n_servers = 1 };

	memcpy(r.key, rkey, sizeof(r.key));
	rtx_config_defaults(&cfg, RTX_ROLE_CLIENT);
	cfg.self_id = 1;
	cfg.ident = ident_of(1);
	cfg.buffer_max_bytes = 1 << 20;
	cfg.max_gaps = 256;
	rtx_session_new(&cfg, &cb, client);
	set_group(*client, 1, 4);
	rtx_session_set_ret(*client, &r);
	rtx_config_defaults(&cfg, RTX_ROLE_EDGE);
	cfg.self_id = EDGE;
	cfg.ident = ident_of(EDGE);
	cfg.buffer_max_bytes = 1 << 20;
	cb.deliver = NULL;
	rtx_session_new(&cfg, &cb, edge);
	r.n_servers = 0;
	rtx_session_set_ret(*edge, &r);
}

static void signed_input(rtx_session *s, uint32_t to, bool ret, const uint8_t *d, size_t n)
{
	uint8_t buf[RTX_WIRE_OVERHEAD + RTX_CERT_BYTES + 256];
	struct rtx_hdr h = { 0 };
	struct rtx_env e;
	struct rtx_seal seal;
	rtx_ident *from;
	size_t off;

	if (n < 2)
		return;
	h.type = (uint8_t)(1 + d[0] % 6);
	h.flags = ret ? RTX_WIRE_FLAG_RET : 0;
	h.group_id = ret ? 5 : 10;
	h.sender_id = ret ? (d[1] & 1 ? EDGE : 2u + d[1] % 3) : (d[1] & 0x80 ? EDGE : 1u + d[1] % 5);
	h.receiver_id = to;
	h.ts = (d[1] & 0x40) ? ts - 5 : ts++;
	h.session = 3;
	h.body_len = (uint16_t)(n - 2);
	from = ident_of(h.sender_id);
	if (!from || rtx_ident_seal_key(from, h.receiver_id, ret ? rkey : gkey, (d[1] & 0x20) != 0, &seal) < 0)
		return;
	rtx_wire_env(&e, &h);
	off = rtx_ident_seal_begin(from, &seal, RTX_WIRE_MAGIC, &e, buf);
	memcpy(buf + off, d + 2, n - 2);
	rtx_session_input_peer(s, buf, rtx_ident_seal_finish(&seal, buf, off + n - 2), d[1] & 0x10 ? 5 : 4);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rtx_session *c = NULL, *e = NULL;
	size_t i = 0, n;
	uint32_t version = 1;

	clk = 1000 * MS;
	if (idents_new() < 0)
		goto out;
	make(&c, &e);
	if (!c || !e)
		goto out;
	while (i + 2 <= size) {
		uint8_t op = data[i] % 8;

		n = data[i + 1];
		i += 2;
		if (n > size - i)
			n = size - i;
		switch (op) {
		case 0: rtx_session_input_rtp(c, data + i, n); break;
		case 1: signed_input(c, 1, false, data + i, n); break;
		case 2: signed_input(e, EDGE, true, data + i, n); break;
		case 3: rtx_session_input_rtp_flags(e, data + i, n, (unsigned)n & 3); break;
		case 4:
			clk += (n ? data[i] : 1) * MS;
			rtx_session_run(c);
			rtx_session_run(e);
			break;
		case 5: set_group(c, ++version, n ? data[i] : 0); break;
		case 6: signed_input(c, 1, true, data + i, n); break;
		default: rtx_session_request_burst(c); break;
		}
		i += n;
	}
	clk += 10000 * MS;
	rtx_session_run(c);
out:
	rtx_session_free(c);
	rtx_session_free(e);
	idents_free();
	return 0;
}
