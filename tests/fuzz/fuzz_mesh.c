/* libFuzzer target: the mesh protocol's decoders on arbitrary bytes, and a
 * peer node and a source fed with datagrams cut from the input, sealed with
 * the channel's key when the first byte says so (so that the fuzzer gets
 * past the MAC into the node's handling: maps, pulls, subscriptions,
 * answers, redirects). Build with ./configure CC=clang --enable-fuzzers;
 * run e.g. build/tests/fuzz/fuzz_mesh -max_total_time=600 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mesh.h"
#include "mesh_wire.h"

static uint64_t now_v = 1000000000;
static uint8_t mkey[32], ret_key[32];

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

static int handle_of(void *ctx, const struct mesh_addr *a, uint64_t *h)
{
	(void)ctx;
	*h = a->addr[15] % 16;
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

static void decoders(const uint8_t *data, size_t size)
{
	struct mesh_hdr h;
	struct mesh_hello hello;
	struct mesh_entries e;
	struct mesh_bmap_msg b;
	struct mesh_data d;
	struct mesh_pull p;
	uint8_t x, y;
	uint16_t z;

	mesh_peek(data, size, NULL, NULL);
	if (mesh_wire_parse(data, size, &h) == 0)
		mesh_wire_verify(mkey, data, size);
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
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mesh_callbacks cb = { .now_ns = now_cb, .send = send_cb, .handle_of = handle_of,
				     .addr_of = addr_of };
	struct mesh_config cfg;
	mesh_node *peer = NULL, *src = NULL;
	uint8_t buf[MESH_WIRE_MAX];
	size_t off = 1;
	uint64_t ts = 1;

	decoders(data, size);
	if (!size)
		return 0;
	memset(ret_key, 3, sizeof(ret_key));
	mesh_wire_key(ret_key, 1, mkey);
	mesh_config_defaults(&cfg, MESH_ROLE_PEER);
	cfg.self_id = 100;
	cfg.channel_id = 1;
	memcpy(cfg.ret_key, ret_key, 32);
	if (mesh_node_new(&cfg, &cb, &peer) < 0)
		return 0;
	mesh_config_defaults(&cfg, MESH_ROLE_SOURCE);
	cfg.self_id = MESH_SOURCE_ID_FLAG | 1;
	cfg.channel_id = 1;
	memcpy(cfg.ret_key, ret_key, 32);
	mesh_node_new(&cfg, &cb, &src);
	/* records: type, sender, length (2 bytes), body */
	while (src && off + 4 <= size) {
		struct mesh_hdr h = { .type = data[off], .channel = 1, .session = 9 };
		size_t blen = ((size_t)data[off + 2] << 8 | data[off + 3]) % (MESH_WIRE_MAX - MESH_WIRE_OVERHEAD);
		size_t len;

		h.sender = data[off + 1] % 8 + 1;
		if (data[off + 1] & 0x80)
			h.sender |= MESH_SOURCE_ID_FLAG;
		off += 4;
		if (blen > size - off)
			blen = size - off;
		memcpy(buf + MESH_WIRE_HDR, data + off, blen);
		off += blen;
		h.ts = ts++;
		len = mesh_wire_seal(data[0] & 1 ? mkey : ret_key, buf, &h, blen);
		mesh_node_input(peer, buf, len, h.sender % 16);
		mesh_node_input(src, buf, len, h.sender % 16);
		if (h.type == 0) /* time passes */
			now_v += 10000000;
		if (h.type == 0xff && blen >= 12) /* the source emits */
			mesh_node_input_rtp(src, data + off - blen, blen);
		mesh_node_run(peer);
		mesh_node_run(src);
	}
	mesh_node_free(peer);
	mesh_node_free(src);
	return 0;
}
