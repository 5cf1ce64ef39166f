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
 * (any of the five, fast channel change included), writes a valid header
 * (sender and group from data[1]), uses data[2..] as the body and signs it.
 * Whatever the sessions send is dropped. */
#include "config.h"

#include <string.h>

#include "rtx.h"
#include "rtx_auth.h"
#include "rtx_wire.h"

#define MS 1000000ULL

static uint64_t clk;
static uint64_t ts = 1000;
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

static void make(rtx_session **client, rtx_session **edge)
{
	struct rtx_callbacks cb = { .now_ns = now_cb, .send = send_cb, .deliver = deliver_cb };
	struct rtx_config cfg;
	uint64_t ret_peer = 9;
	struct rtx_ret r = { .domain_id = 5, .peers = &ret_peer, .n_peers = 1 };

	memcpy(r.key, rkey, sizeof(r.key));
	rtx_config_defaults(&cfg, RTX_ROLE_CLIENT);
	cfg.self_id = 1;
	cfg.buffer_max_bytes = 1 << 20;
	cfg.max_gaps = 256;
	rtx_session_new(&cfg, &cb, client);
	set_group(*client, 1, 4);
	rtx_session_set_ret(*client, &r);
	rtx_config_defaults(&cfg, RTX_ROLE_EDGE);
	cfg.self_id = RTX_EDGE_ID_FLAG | 1;
	cfg.buffer_max_bytes = 1 << 20;
	cb.deliver = NULL;
	rtx_session_new(&cfg, &cb, edge);
	r.n_peers = 0;
	rtx_session_set_ret(*edge, &r);
}

static void signed_input(rtx_session *s, bool ret, const uint8_t *d, size_t n)
{
	uint8_t buf[RTX_WIRE_OVERHEAD + 256];
	struct rtx_hdr h = { 0 };

	if (n < 2)
		return;
	h.type = (uint8_t)(1 + d[0] % 5);
	h.flags = ret ? RTX_WIRE_FLAG_RET : 0;
	h.group_id = ret ? 5 : 10;
	h.sender_id = ret ? (d[1] & 1 ? RTX_EDGE_ID_FLAG | 1 : 2u + d[1] % 3) :
			    (d[1] & 0x80 ? RTX_EDGE_ID_FLAG | 1 : 1u + d[1] % 5);
	h.ts = (d[1] & 0x40) ? ts - 5 : ts++;
	h.session = 3;
	h.body_len = (uint16_t)(n - 2);
	rtx_wire_put_hdr(buf, &h);
	memcpy(buf + RTX_WIRE_HDR, d + 2, n - 2);
	rtx_auth_sign(ret ? rkey : gkey, buf, RTX_WIRE_HDR + n - 2);
	rtx_session_input_peer(s, buf, RTX_WIRE_OVERHEAD + n - 2, 4);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rtx_session *c = NULL, *e = NULL;
	size_t i = 0, n;
	uint32_t version = 1;

	clk = 1000 * MS;
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
		case 1: signed_input(c, false, data + i, n); break;
		case 2: signed_input(e, true, data + i, n); break;
		case 3: rtx_session_input_rtp_flags(e, data + i, n, (unsigned)n & 3); break;
		case 4:
			clk += (n ? data[i] : 1) * MS;
			rtx_session_run(c);
			rtx_session_run(e);
			break;
		case 5: set_group(c, ++version, n ? data[i] : 0); break;
		case 6: signed_input(c, true, data + i, n); break;
		default: rtx_session_request_burst(c); break;
		}
		i += n;
	}
	clk += 10000 * MS;
	rtx_session_run(c);
out:
	rtx_session_free(c);
	rtx_session_free(e);
	return 0;
}
