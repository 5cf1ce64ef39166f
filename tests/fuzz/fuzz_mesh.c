/* libFuzzer target: the mesh protocol's decoders on arbitrary bytes (a
 * node list that decodes must encode back to the same bytes: one encoding
 * only), and a peer node and a source fed with datagrams cut from the
 * input. Each sender (box ids 1..8, source ids flag | 1..8) has a member
 * identity from a test CA that both nodes know, at a validated handle, and
 * seals for each node under the channel's mesh key when the first byte
 * says so (else under the RET key: refused), so that the fuzzer gets past
 * the envelope into the node's handling: maps, pulls, subscriptions,
 * answers, redirects, challenges. Build with ./configure CC=clang
 * --enable-fuzzers; run e.g. build/tests/fuzz/fuzz_mesh -max_total_time=600 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mesh.h"
#include "mesh_wire.h"
#include "tu_ident.h"

#define PEER_ID 100
#define SRC_ID (MESH_SOURCE_ID_FLAG | 1)
#define SENDERS 16 /* boxes 1..8, sources flag | 1..8 */

static uint64_t now_v = 1000000000;
static uint8_t mkey[32], ret_key[32];
static struct tu_pki pki;
static rtx_ident *peer_id, *src_id, *snd[SENDERS];

static uint64_t now_cb(void *ctx)
{
	(void)ctx;
	return now_v;
}

static int send_cb(void *ctx, uint64_t peer, const uint8_t *buf, size_t len)
{
	(void)ctx;
	(void)peer;
	(void)buf;
	(void)len;
	return 0;
}

/* Handles 1..16, the last byte of the address (0 is none). */
static int handle_of(void *ctx, const struct mesh_addr *a, uint64_t *h)
{
	(void)ctx;
	*h = a->addr[15] >= 1 && a->addr[15] <= 16 ? a->addr[15] : 1u + a->addr[15] % 16;
	return 0;
}

static int addr_of(void *ctx, uint64_t h, struct mesh_addr *a)
{
	(void)ctx;
	memset(a, 0, sizeof(*a));
	a->family = 6;
	a->addr[0] = 0x20;
	a->addr[15] = (uint8_t)h;
	a->port = 5100;
	return 0;
}

static uint32_t sender_id(unsigned i)
{
	return i < 8 ? i + 1 : MESH_SOURCE_ID_FLAG | (i - 7);
}

static uint64_t sender_handle(uint32_t id)
{
	return 1 + id % 16;
}

/* Once: the CA, the two nodes' identities and the senders', all known to
 * each other and each sender at its handle. */
static int setup(void)
{
	static int done;
	unsigned i;

	if (done)
		return done > 0 ? 0 : -1;
	done = -1;
	if (tu_pki_init(&pki, now_cb, NULL) < 0)
		return -1;
	pki.lifetime_ms = 100ULL * 365 * 86400 * 1000; /* the fuzzer's clock runs on */
	peer_id = tu_ident_new(&pki, PEER_ID, 0);
	src_id = tu_ident_new(&pki, SRC_ID, 0);
	if (!peer_id || !src_id)
		return -1;
	for (i = 0; i < SENDERS; i++) {
		if (!(snd[i] = tu_ident_new(&pki, sender_id(i), 0)))
			return -1;
		tu_ident_introduce(snd[i], peer_id);
		if (sender_id(i) != SRC_ID)
			tu_ident_introduce(snd[i], src_id);
		rtx_ident_addr_set(peer_id, sender_id(i), sender_handle(sender_id(i)));
		rtx_ident_addr_set(src_id, sender_id(i), sender_handle(sender_id(i)));
	}
	done = 1;
	return 0;
}

static void decoders(const uint8_t *data, size_t size)
{
	struct mesh_hdr h;
	struct mesh_hello hello;
	struct mesh_entries e;
	struct mesh_bmap_msg b;
	struct mesh_data d;
	struct mesh_pull p;
	uint64_t t, echo;
	uint8_t x, y;
	uint16_t z;

	mesh_peek(data, size, NULL, NULL);
	mesh_wire_parse(data, size, &h);
	mesh_dec_hello(data, size, &hello);
	mesh_dec_small(data, size, &x, &y, &z);
	if (mesh_dec_entries(data, size, &e) == 0) {
		uint8_t out[MESH_WIRE_MAX];

		if (mesh_enc_entries(out, &e) != (int)size || memcmp(out, data, size))
			abort();
	}
	mesh_dec_bmap(data, size, &b);
	mesh_dec_data(data, size, &d);
	mesh_dec_pull(data, size, &p);
	mesh_dec_path(data, size, &t, &echo);
}

static mesh_node *node(enum mesh_role role, uint32_t id, rtx_ident *ident)
{
	struct mesh_callbacks cb = { .now_ns = now_cb, .send = send_cb, .handle_of = handle_of,
				     .addr_of = addr_of };
	struct mesh_config cfg;
	mesh_node *n = NULL;

	mesh_config_defaults(&cfg, role);
	cfg.self_id = id;
	cfg.channel_id = 1;
	cfg.ident = ident;
	memcpy(cfg.ret_key, ret_key, 32);
	mesh_node_new(&cfg, &cb, &n);
	return n;
}

/* One record's datagram from sender i to node `to`. */
static void feed(mesh_node *n, uint32_t to, unsigned i, uint8_t type, const uint8_t *body, size_t blen,
		 uint64_t ts, const uint8_t *key)
{
	struct mesh_hdr h = { .type = type, .channel = 1, .receiver = to, .ts = ts, .session = 9 };
	uint8_t buf[MESH_WIRE_MAX];
	int len;

	if (sender_id(i) == to)
		return;
	len = mesh_wire_seal(snd[i], key, &h, body, blen, false, buf, sizeof(buf));
	if (len > 0)
		mesh_node_input(n, buf, (size_t)len, sender_handle(sender_id(i)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mesh_node *peer, *src;
	size_t off = 1;
	uint64_t ts = now_v;

	decoders(data, size);
	if (!size || setup() < 0)
		return 0;
	memset(ret_key, 3, sizeof(ret_key));
	mesh_wire_key(ret_key, 1, mkey);
	peer = node(MESH_ROLE_PEER, PEER_ID, peer_id);
	src = node(MESH_ROLE_SOURCE, SRC_ID, src_id);
	/* records: type, sender, length (2 bytes), body */
	while (peer && src && off + 4 <= size) {
		uint8_t type = data[off];
		unsigned i = data[off + 1] % SENDERS;
		size_t blen = ((size_t)data[off + 2] << 8 | data[off + 3]) % (MESH_WIRE_MAX - MESH_WIRE_OVERHEAD);
		const uint8_t *key = data[0] & 1 ? mkey : ret_key;

		off += 4;
		if (blen > size - off)
			blen = size - off;
		ts++;
		feed(peer, PEER_ID, i, type, data + off, blen, ts, key);
		feed(src, SRC_ID, i, type, data + off, blen, ts, key);
		off += blen;
		if (type == 0) /* time passes */
			now_v += 10000000;
		if (type == 0xff && blen >= 12) /* the source emits */
			mesh_node_input_rtp(src, data + off - blen, blen);
		mesh_node_run(peer);
		mesh_node_run(src);
	}
	mesh_node_free(peer);
	mesh_node_free(src);
	return 0;
}
