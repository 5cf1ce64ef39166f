/* Unit tests of mesh_wire: every message round-trips; the key derivation;
 * the MAC covers every bit; hostile input (truncations, random bytes,
 * lying lengths) is refused and never read out of bounds; mesh_peek tells
 * the mesh from the repair protocol. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mesh_sockaddr.h"
#include "mesh_wire.h"
#include "rtx_auth.h"
#include "sc_rtp.h"
#include "tu.h"

static uint8_t key[32];

static size_t seal(uint8_t *buf, uint8_t type, size_t body_len)
{
	struct mesh_hdr h = { .type = type, .channel = 7, .sender = 42, .ts = 123456789, .session = 99 };

	return mesh_wire_seal(key, buf, &h, body_len);
}

static void test_header(void)
{
	uint8_t buf[MESH_WIRE_MAX];
	struct mesh_hello m = { .flags = MESH_HELLO_OUT, .depth = 3, .newest = 77, .echo_ts = 5,
				.echo_delay_us = 9 }, back;
	struct mesh_hdr h;
	size_t len = seal(buf, MESH_MSG_HELLO, (size_t)mesh_enc_hello(buf + MESH_WIRE_HDR, &m));
	uint32_t ch, snd;

	CU_ASSERT_EQUAL(len, MESH_WIRE_OVERHEAD + 24);
	CU_ASSERT_EQUAL_FATAL(mesh_wire_parse(buf, len, &h), 0);
	CU_ASSERT_EQUAL(h.type, MESH_MSG_HELLO);
	CU_ASSERT_EQUAL(h.channel, 7);
	CU_ASSERT_EQUAL(h.sender, 42);
	CU_ASSERT_EQUAL(h.ts, 123456789);
	CU_ASSERT_EQUAL(h.session, 99);
	CU_ASSERT_EQUAL(mesh_wire_verify(key, buf, len), 0);
	CU_ASSERT_EQUAL_FATAL(mesh_dec_hello(h.body, h.body_len, &back), 0);
	CU_ASSERT_EQUAL(back.depth, 3);
	CU_ASSERT_EQUAL(back.newest, 77);
	CU_ASSERT_EQUAL(back.echo_ts, 5);
	CU_ASSERT_EQUAL(back.echo_delay_us, 9);
	CU_ASSERT_EQUAL(mesh_peek(buf, len, &ch, &snd), 1);
	CU_ASSERT_EQUAL(ch, 7);
	CU_ASSERT_EQUAL(snd, 42);
	/* the repair protocol's magic is not ours */
	buf[1] = 0x58;
	CU_ASSERT_EQUAL(mesh_peek(buf, len, NULL, NULL), 0);
	CU_ASSERT_EQUAL(mesh_wire_parse(buf, len, &h), -EBADMSG);
}

static void test_mac_every_bit(void)
{
	uint8_t buf[MESH_WIRE_MAX], other[32];
	size_t len, i;
	int bit;

	memset(buf + MESH_WIRE_HDR, 0xa5, 4);
	len = seal(buf, MESH_MSG_NQUERY, 4);
	memcpy(other, key, 32);
	other[5] ^= 1;
	CU_ASSERT_EQUAL(mesh_wire_verify(other, buf, len), -EACCES);
	for (i = 0; i < len; i++)
		for (bit = 0; bit < 8; bit++) {
			buf[i] ^= (uint8_t)(1u << bit);
			CU_ASSERT_EQUAL_FATAL(mesh_wire_verify(key, buf, len), -EACCES);
			buf[i] ^= (uint8_t)(1u << bit);
		}
	CU_ASSERT_EQUAL(mesh_wire_verify(key, buf, len), 0);
}

static void test_key_derivation(void)
{
	uint8_t ret[32] = { 1, 2, 3 }, k1[32], k2[32], k3[32];

	mesh_wire_key(ret, 1, k1);
	mesh_wire_key(ret, 1, k2);
	mesh_wire_key(ret, 2, k3);
	CU_ASSERT_EQUAL(memcmp(k1, k2, 32), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(k1, k3, 32), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(k1, ret, 32), 0); /* never the RET key itself */
}

static void test_entries(void)
{
	uint8_t body[MESH_WIRE_MAX];
	struct mesh_entries e = { 0 }, back;
	size_t i;
	int len;

	for (i = 0; i < MESH_WIRE_MAX_ENTRIES; i++) {
		e.e[i].id = (uint32_t)(i + 1);
		e.e[i].addr.family = i % 2 ? 4 : 6;
		e.e[i].addr.port = 5100;
		e.e[i].addr.addr[0] = (uint8_t)i;
		e.e[i].addr.addr[i % 4] = 0x20;
	}
	e.n = MESH_WIRE_MAX_ENTRIES;
	len = mesh_enc_entries(body, &e);
	CU_ASSERT_EQUAL_FATAL(len, 4 + MESH_WIRE_MAX_ENTRIES * MESH_WIRE_ENTRY);
	CU_ASSERT_EQUAL_FATAL(mesh_dec_entries(body, (size_t)len, &back), 0);
	CU_ASSERT_EQUAL(back.n, e.n);
	for (i = 0; i < e.n; i++) {
		CU_ASSERT_EQUAL(back.e[i].id, e.e[i].id);
		CU_ASSERT_EQUAL(back.e[i].addr.port, 5100);
		CU_ASSERT_EQUAL(memcmp(back.e[i].addr.addr, e.e[i].addr.addr, 16), 0);
	}
	CU_ASSERT_EQUAL(mesh_dec_entries(body, (size_t)len - 1, &back), -EBADMSG);
	body[0] = MESH_WIRE_MAX_ENTRIES + 1; /* a count beyond the limit */
	CU_ASSERT_EQUAL(mesh_dec_entries(body, (size_t)len, &back), -EBADMSG);
	e.n = MESH_WIRE_MAX_ENTRIES + 1;
	CU_ASSERT_EQUAL(mesh_enc_entries(body, &e), -EMSGSIZE);
}

/* An entry has one encoding only: what the decoder accepts, the encoder
 * writes back byte for byte (fuzz_mesh's round trip aborted on an IPv4
 * entry with non-zero padding). */
static void test_entries_ipv4_padding(void)
{
	uint8_t body[MESH_WIRE_MAX], again[MESH_WIRE_MAX];
	struct mesh_entries e = { .n = 1 }, back;
	size_t pad;
	int len;

	e.e[0].id = 9;
	e.e[0].addr.family = 4;
	e.e[0].addr.port = 5100;
	memcpy(e.e[0].addr.addr, "\x0a\x01\x00\x07", 4);
	len = mesh_enc_entries(body, &e);
	CU_ASSERT_EQUAL_FATAL(mesh_dec_entries(body, (size_t)len, &back), 0);
	CU_ASSERT_EQUAL(mesh_enc_entries(again, &back), len);
	CU_ASSERT_EQUAL(memcmp(again, body, (size_t)len), 0);
	for (pad = 4; pad < 16; pad++) {
		body[4 + 8 + pad] = 1;
		CU_ASSERT_EQUAL(mesh_dec_entries(body, (size_t)len, &back), -EBADMSG);
		body[4 + 8 + pad] = 0;
	}
}

static void test_bmap_msg(void)
{
	uint8_t body[MESH_WIRE_MAX], bits[256] = { 0 };
	struct mesh_bmap_msg m = { .depth = 2, .nbits = 1000, .start = 1u << 20, .bits = bits }, back;
	int len;
	unsigned i;

	for (i = 0; i < 1000; i += 3)
		bits[i >> 3] |= (uint8_t)(0x80u >> (i & 7));
	len = mesh_enc_bmap(body, &m);
	CU_ASSERT_EQUAL_FATAL(len, 12 + 125);
	CU_ASSERT_EQUAL_FATAL(mesh_dec_bmap(body, (size_t)len, &back), 0);
	CU_ASSERT_EQUAL(back.start, m.start);
	CU_ASSERT_EQUAL(back.nbits, 1000);
	for (i = 0; i < 1001; i++)
		CU_ASSERT_EQUAL(mesh_bmap_msg_bit(&back, i), i < 1000 && i % 3 == 0);
	/* a count the body does not hold */
	body[2] = 0x10;
	CU_ASSERT_EQUAL(mesh_dec_bmap(body, (size_t)len, &back), -EBADMSG);
	/* stray bits past nbits */
	m.nbits = 999;
	len = mesh_enc_bmap(body, &m);
	body[len - 1] |= 1;
	CU_ASSERT_EQUAL(mesh_dec_bmap(body, (size_t)len, &back), -EBADMSG);
	m.nbits = MESH_WIRE_MAX_BITS + 1;
	CU_ASSERT_EQUAL(mesh_enc_bmap(body, &m), -EMSGSIZE);
}

static size_t make_rtp(uint8_t *p, uint16_t seq, size_t payload)
{
	struct sc_rtp_fields f = { .payload_type = 33, .seq = seq, .timestamp = 9000, .ssrc = 0x1234 };
	size_t i;

	sc_rtp_write(p, 12, &f);
	for (i = 0; i < payload; i++)
		p[12 + i] = (uint8_t)tu_rand();
	return 12 + payload;
}

static void test_data(void)
{
	uint8_t body[MESH_WIRE_MAX], rtp[1400];
	size_t rlen = make_rtp(rtp, 0x2345, 7 * 188);
	struct mesh_data d = { .flags = MESH_DATA_PULLED, .seq = 0x52345, .src_ts = 77, .rtp = rtp,
			       .rtp_len = rlen }, back;
	int len = mesh_enc_data(body, &d);

	CU_ASSERT_EQUAL_FATAL(len, (int)(MESH_WIRE_DATA_HDR + rlen));
	CU_ASSERT_EQUAL_FATAL(mesh_dec_data(body, (size_t)len, &back), 0);
	CU_ASSERT_EQUAL(back.seq, 0x52345);
	CU_ASSERT_EQUAL(back.src_ts, 77);
	CU_ASSERT_EQUAL(back.flags, MESH_DATA_PULLED);
	CU_ASSERT_EQUAL_FATAL(back.rtp_len, rlen);
	CU_ASSERT_EQUAL(memcmp(back.rtp, rtp, rlen), 0); /* byte-identical */
	/* the low 16 bits must be the RTP sequence */
	d.seq = 0x52346;
	len = mesh_enc_data(body, &d);
	CU_ASSERT_EQUAL(mesh_dec_data(body, (size_t)len, &back), -EBADMSG);
	/* not RTP */
	d.seq = 0x52345;
	len = mesh_enc_data(body, &d);
	body[MESH_WIRE_DATA_HDR] = 0x40;
	CU_ASSERT_EQUAL(mesh_dec_data(body, (size_t)len, &back), -EBADMSG);
}

static void test_pull(void)
{
	uint8_t body[MESH_WIRE_MAX];
	struct mesh_pull m = { .flags = MESH_PULL_URGENT, .base = 1000, .n = MESH_WIRE_MAX_PULL }, back;
	size_t i;
	int len;

	for (i = 0; i < m.n; i++)
		m.off[i] = (uint16_t)(i * 3);
	len = mesh_enc_pull(body, &m);
	CU_ASSERT_EQUAL_FATAL(mesh_dec_pull(body, (size_t)len, &back), 0);
	CU_ASSERT_EQUAL(back.n, m.n);
	CU_ASSERT_EQUAL(back.base, 1000);
	CU_ASSERT_EQUAL(back.off[5], 15);
	body[1] = MESH_WIRE_MAX_PULL + 1;
	CU_ASSERT_EQUAL(mesh_dec_pull(body, (size_t)len, &back), -EBADMSG);
	body[1] = 0;
	CU_ASSERT_EQUAL(mesh_dec_pull(body, 12, &back), -EBADMSG);
	m.n = 0;
	CU_ASSERT_EQUAL(mesh_enc_pull(body, &m), -EINVAL);
}

/* Random bytes, truncations and mutated valid datagrams: parsers refuse or
 * accept, never read past the length (ASan watches). */
static void test_hostile(void)
{
	uint8_t buf[MESH_WIRE_MAX], *copy;
	size_t round, len, i;

	for (round = 0; round < 20000; round++) {
		struct mesh_hdr h;
		union {
			struct mesh_hello hello;
			struct mesh_entries e;
			struct mesh_bmap_msg b;
			struct mesh_data d;
			struct mesh_pull p;
		} u;
		uint8_t a, b;
		uint16_t c;

		len = tu_rand_below(sizeof(buf) + 1);
		for (i = 0; i < len; i++)
			buf[i] = (uint8_t)tu_rand();
		if (round % 2 && len >= MESH_WIRE_OVERHEAD) { /* a plausible header */
			uint8_t type = (uint8_t)(1 + tu_rand_below(MESH_MSG_MAX));

			seal(buf, type, len - MESH_WIRE_OVERHEAD);
			if (round % 4 == 1)
				buf[tu_rand_below(len)] ^= (uint8_t)(1u << tu_rand_below(8));
		}
		copy = malloc(len ? len : 1); /* exact size, for ASan */
		memcpy(copy, buf, len);
		if (mesh_wire_parse(copy, len, &h) == 0) {
			CU_ASSERT(h.body + h.body_len + MESH_WIRE_MAC == copy + len);
			mesh_wire_verify(key, copy, len);
			mesh_dec_hello(h.body, h.body_len, &u.hello);
			mesh_dec_small(h.body, h.body_len, &a, &b, &c);
			mesh_dec_entries(h.body, h.body_len, &u.e);
			if (mesh_dec_bmap(h.body, h.body_len, &u.b) == 0)
				CU_ASSERT(12 + (u.b.nbits + 7u) / 8 == h.body_len);
			if (mesh_dec_data(h.body, h.body_len, &u.d) == 0)
				CU_ASSERT(u.d.rtp + u.d.rtp_len == h.body + h.body_len);
			mesh_dec_pull(h.body, h.body_len, &u.p);
		}
		free(copy);
	}
	/* every truncation of a valid datagram is refused */
	len = seal(buf, MESH_MSG_NQUERY, 4);
	for (i = 0; i < len; i++) {
		struct mesh_hdr h;

		CU_ASSERT_EQUAL(mesh_wire_parse(buf, i, &h), -EBADMSG);
	}
}

static void test_sockaddr(void)
{
	struct sc_sockaddr a, b;
	struct mesh_addr m;
	char txt[SC_ADDR_STRLEN];

	CU_ASSERT_EQUAL_FATAL(sc_addr_parse("[2001:db8:1::5]:5100", 0, &a), 0);
	mesh_addr_from_sockaddr(&a, &m);
	CU_ASSERT_EQUAL(m.family, 6);
	CU_ASSERT_EQUAL(m.port, 5100);
	CU_ASSERT_EQUAL(mesh_addr_to_sockaddr(&m, true, &b), 0);
	CU_ASSERT(sc_addr_equal(&a, &b));
	/* IPv4, plain or as a dual-stack socket sees it */
	CU_ASSERT_EQUAL_FATAL(sc_addr_parse("[::ffff:10.1.0.7]:5200", 0, &a), 0);
	mesh_addr_from_sockaddr(&a, &m);
	CU_ASSERT_EQUAL(m.family, 4);
	CU_ASSERT_EQUAL(mesh_addr_to_sockaddr(&m, true, &b), 0);
	CU_ASSERT(sc_addr_equal(&a, &b));
	CU_ASSERT_EQUAL(mesh_addr_to_sockaddr(&m, false, &b), 0);
	sc_addr_format(&b, true, txt, sizeof(txt));
	CU_ASSERT_STRING_EQUAL(txt, "10.1.0.7:5200");
	m.family = 5;
	CU_ASSERT_EQUAL(mesh_addr_to_sockaddr(&m, true, &b), -EAFNOSUPPORT);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "header round trip and peek", test_header },
		{ "the MAC covers every bit", test_mac_every_bit },
		{ "key derivation", test_key_derivation },
		{ "node entries", test_entries },
		{ "node entries: IPv4 padding is zero", test_entries_ipv4_padding },
		{ "buffer map message", test_bmap_msg },
		{ "data message", test_data },
		{ "pull message", test_pull },
		{ "hostile input", test_hostile },
		{ "socket addresses", test_sockaddr },
		{ NULL, NULL },
	};
	size_t i;

	if (rtx_auth_init() < 0)
		return -1;
	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 7);
	return tu_add_suite("mesh_wire", tests);
}
