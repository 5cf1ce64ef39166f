/* Unit tests of mesh_wire (version 2): the envelope (sender and receiver,
 * the certificate attached, the mesh's flag bits), every message
 * round-trips, node entries carry certificates and have one encoding only
 * (IPv4 padding), the sizes fit a 1500-byte MTU; the key derivation; the
 * MAC covers every bit; hostile input (truncations, random bytes, lying
 * lengths) is refused and never read out of bounds; mesh_peek tells the
 * mesh from the repair protocol. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mesh_sockaddr.h"
#include "mesh_wire.h"
#include "rtx_auth.h"
#include "sc_rtp.h"
#include "tu.h"
#include "tu_ident.h"

#define SENDER 42
#define RECEIVER 43

static uint8_t key[32];
static uint64_t clk = 1000000000;
static struct tu_pki pki;
static rtx_ident *ia, *ib; /* SENDER's and RECEIVER's identities */

static uint64_t fake_now(void *ctx)
{
	(void)ctx;
	return clk;
}

/* A datagram from SENDER to RECEIVER; its certificate attached until
 * RECEIVER confirms it knows its key (never, here). */
static size_t seal_body(uint8_t *buf, uint8_t type, const uint8_t *body, size_t body_len)
{
	struct mesh_hdr h = { .type = type, .channel = 7, .receiver = RECEIVER, .ts = 123456789, .session = 99 };
	int len = mesh_wire_seal(ia, key, &h, body, body_len, false, buf, MESH_WIRE_MAX);

	CU_ASSERT_FATAL(len > 0);
	return (size_t)len;
}

static size_t seal(uint8_t *buf, uint8_t type, size_t body_len)
{
	uint8_t body[MESH_WIRE_MAX];

	memset(body, 0xa5, body_len);
	return seal_body(buf, type, body, body_len);
}

/* Open at RECEIVER (nothing remembered). */
static int open_b(const uint8_t *buf, size_t len)
{
	struct mesh_hdr h;
	struct rtx_opened o;
	const uint8_t *keys[1] = { key };

	if (mesh_wire_parse(buf, len, &h) < 0)
		return -EBADMSG;
	return rtx_ident_open(ib, buf, len, &h.env, keys, 1, &o);
}

static void test_header(void)
{
	uint8_t buf[MESH_WIRE_MAX], body[24], cert[RTX_CERT_BYTES];
	struct mesh_hello m = { .flags = MESH_HELLO_OUT, .depth = 3, .newest = 77, .echo_ts = 5,
				.echo_delay_us = 9 }, back;
	struct mesh_hdr h;
	size_t len = seal_body(buf, MESH_MSG_HELLO, body, (size_t)mesh_enc_hello(body, &m));
	uint32_t ch, snd;

	CU_ASSERT_EQUAL(len, MESH_WIRE_OVERHEAD + RTX_CERT_BYTES + 24);
	CU_ASSERT_EQUAL_FATAL(mesh_wire_parse(buf, len, &h), 0);
	CU_ASSERT_EQUAL(h.type, MESH_MSG_HELLO);
	CU_ASSERT_EQUAL(buf[2], 2); /* version */
	CU_ASSERT_EQUAL(h.channel, 7);
	CU_ASSERT_EQUAL(h.sender, SENDER);
	CU_ASSERT_EQUAL(h.receiver, RECEIVER);
	CU_ASSERT_EQUAL(h.ts, 123456789);
	CU_ASSERT_EQUAL(h.session, 99);
	/* the sender's certificate is attached: RECEIVER never showed it knows its key */
	CU_ASSERT_PTR_NOT_NULL_FATAL(h.cert);
	rtx_cert_encode(rtx_ident_cert(ia), cert);
	CU_ASSERT_EQUAL(memcmp(h.cert, cert, sizeof(cert)), 0);
	CU_ASSERT_EQUAL(open_b(buf, len), 0);
	CU_ASSERT_EQUAL_FATAL(mesh_dec_hello(h.body, h.body_len, &back), 0);
	CU_ASSERT_EQUAL(back.depth, 3);
	CU_ASSERT_EQUAL(back.newest, 77);
	CU_ASSERT_EQUAL(back.echo_ts, 5);
	CU_ASSERT_EQUAL(back.echo_delay_us, 9);
	CU_ASSERT_EQUAL(mesh_peek(buf, len, &ch, &snd), 1);
	CU_ASSERT_EQUAL(ch, 7);
	CU_ASSERT_EQUAL(snd, 42);
	/* the mesh's flag bits are 0 in version 2; unknown types */
	buf[4] |= 0x01;
	CU_ASSERT_EQUAL(mesh_wire_parse(buf, len, &h), -EOPNOTSUPP);
	buf[4] &= (uint8_t)~0x01;
	buf[3] = MESH_MSG_MAX + 1;
	CU_ASSERT_EQUAL(mesh_wire_parse(buf, len, &h), -EOPNOTSUPP);
	buf[3] = MESH_MSG_HELLO;
	/* version 1 is gone */
	buf[2] = 1;
	CU_ASSERT_EQUAL(mesh_wire_parse(buf, len, &h), -EBADMSG);
	CU_ASSERT_EQUAL(mesh_peek(buf, len, NULL, NULL), 0);
	buf[2] = 2;
	/* the repair protocol's magic is not ours */
	buf[1] = 0x58;
	CU_ASSERT_EQUAL(mesh_peek(buf, len, NULL, NULL), 0);
	CU_ASSERT_EQUAL(mesh_wire_parse(buf, len, &h), -EBADMSG);
}

static void test_mac_every_bit(void)
{
	uint8_t buf[MESH_WIRE_MAX], other[32];
	struct mesh_hdr h = { .type = MESH_MSG_NQUERY, .channel = 7, .receiver = RECEIVER, .ts = 5, .session = 1 };
	uint8_t body[4] = { 8, 0, 0, 0 };
	size_t len, i;
	int bit, l;

	len = seal(buf, MESH_MSG_NQUERY, 4);
	CU_ASSERT_EQUAL(open_b(buf, len), 0);
	/* another channel's mesh key */
	memcpy(other, key, 32);
	other[5] ^= 1;
	l = mesh_wire_seal(ia, other, &h, body, 4, false, buf, sizeof(buf));
	CU_ASSERT_EQUAL_FATAL(l, (int)len);
	CU_ASSERT_EQUAL(open_b(buf, (size_t)l), -EACCES);
	len = seal(buf, MESH_MSG_NQUERY, 4);
	for (i = 0; i < len; i++)
		for (bit = 0; bit < 8; bit++) {
			buf[i] ^= (uint8_t)(1u << bit);
			CU_ASSERT_NOT_EQUAL_FATAL(open_b(buf, len), 0);
			buf[i] ^= (uint8_t)(1u << bit);
			clk += 10000000; /* a changed certificate costs a check: the budget refills */
		}
	CU_ASSERT_EQUAL(open_b(buf, len), 0);
}

/* Valid at its receiver only. */
static void test_receiver_bound(void)
{
	uint8_t buf[MESH_WIRE_MAX];
	struct mesh_hdr h = { .type = MESH_MSG_NQUERY, .channel = 7, .receiver = RECEIVER + 1, .ts = 5,
			      .session = 1 };
	uint8_t body[4] = { 8, 0, 0, 0 };
	rtx_ident *ic = tu_ident_new(&pki, RECEIVER + 1, 0);
	int len;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ic);
	tu_ident_introduce(ia, ic);
	len = mesh_wire_seal(ia, key, &h, body, 4, false, buf, sizeof(buf));
	CU_ASSERT_FATAL(len > 0);
	CU_ASSERT_EQUAL(open_b(buf, (size_t)len), -EACCES);
	/* no certificate of the receiver: nothing can be sealed for it */
	h.receiver = 999;
	CU_ASSERT_EQUAL(mesh_wire_seal(ia, key, &h, body, 4, false, buf, sizeof(buf)), -ENOKEY);
	rtx_ident_free(ic);
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

static void mkentries(struct mesh_entries *e, size_t n)
{
	uint8_t pub[RTX_PUB_BYTES];
	size_t i;

	memset(e, 0, sizeof(*e));
	for (i = 0; i < n; i++) {
		e->e[i].id = (uint32_t)(i + 1);
		e->e[i].addr.family = i % 2 ? 4 : 6;
		e->e[i].addr.port = 5100;
		e->e[i].addr.addr[0] = (uint8_t)(i + 1);
		e->e[i].addr.addr[i % 4] = 0x20;
		memset(pub, (int)i, sizeof(pub));
		tu_pki_issue(&pki, e->e[i].id, pub, e->e[i].cert);
	}
	e->n = n;
}

static void test_entries(void)
{
	uint8_t body[MESH_WIRE_MAX], buf[MESH_WIRE_MAX];
	struct mesh_entries e, back;
	size_t i;
	int len;

	mkentries(&e, MESH_WIRE_MAX_ENTRIES);
	len = mesh_enc_entries(body, &e);
	CU_ASSERT_EQUAL_FATAL(len, 4 + MESH_WIRE_MAX_ENTRIES * (24 + RTX_CERT_BYTES));
	CU_ASSERT_EQUAL_FATAL(mesh_dec_entries(body, (size_t)len, &back), 0);
	CU_ASSERT_EQUAL(back.n, e.n);
	for (i = 0; i < e.n; i++) {
		CU_ASSERT_EQUAL(back.e[i].id, e.e[i].id);
		CU_ASSERT_EQUAL(back.e[i].addr.family, e.e[i].addr.family);
		CU_ASSERT_EQUAL(back.e[i].addr.port, 5100);
		CU_ASSERT_EQUAL(memcmp(back.e[i].addr.addr, e.e[i].addr.addr, 16), 0);
		CU_ASSERT_EQUAL(memcmp(back.e[i].cert, e.e[i].cert, RTX_CERT_BYTES), 0);
	}
	/* the largest list, with our certificate attached, fits the MTU */
	CU_ASSERT(seal_body(buf, MESH_MSG_NANSWER, body, (size_t)len) <= MESH_WIRE_MAX);
	CU_ASSERT_EQUAL(mesh_dec_entries(body, (size_t)len - 1, &back), -EBADMSG);
	body[0] = MESH_WIRE_MAX_ENTRIES + 1; /* a count beyond the limit */
	CU_ASSERT_EQUAL(mesh_dec_entries(body, (size_t)len, &back), -EBADMSG);
	e.n = MESH_WIRE_MAX_ENTRIES + 1;
	CU_ASSERT_EQUAL(mesh_enc_entries(body, &e), -EMSGSIZE);
}

/* An entry has one encoding only: what the decoder accepts, the encoder
 * writes back byte for byte (the fuzzer's round trip). */
static void test_entries_strict(void)
{
	uint8_t body[MESH_WIRE_MAX];
	struct mesh_entries e, back;
	size_t pad;
	int len;

	mkentries(&e, 2); /* entry 1 is IPv4 */
	len = mesh_enc_entries(body, &e);
	CU_ASSERT_EQUAL_FATAL(mesh_dec_entries(body, (size_t)len, &back), 0);
	/* every padding byte after an IPv4 address must be 0 */
	for (pad = 4; pad < 16; pad++) {
		uint8_t *b = body + 4 + MESH_WIRE_ENTRY + 8 + pad;

		*b = 1;
		CU_ASSERT_EQUAL(mesh_dec_entries(body, (size_t)len, &back), -EBADMSG);
		*b = 0;
	}
	CU_ASSERT_EQUAL(mesh_dec_entries(body, (size_t)len, &back), 0);
	/* a certificate of another node, or no certificate at all */
	body[4 + 3] ^= 0x40; /* entry 0's id */
	CU_ASSERT_EQUAL(mesh_dec_entries(body, (size_t)len, &back), -EBADMSG);
	body[4 + 3] ^= 0x40;
	body[4 + 24] = 0; /* its certificate's magic */
	CU_ASSERT_EQUAL(mesh_dec_entries(body, (size_t)len, &back), -EBADMSG);
	/* the encoder refuses what the decoder would */
	memset(e.e[0].cert, 0, RTX_CERT_BYTES);
	CU_ASSERT_EQUAL(mesh_enc_entries(body, &e), -EINVAL);
}

static void test_path(void)
{
	uint8_t body[MESH_WIRE_PATH + 1];
	uint64_t t, e;

	CU_ASSERT_EQUAL_FATAL(mesh_enc_path(body, 0x1122334455667788ULL, 9), MESH_WIRE_PATH);
	CU_ASSERT_EQUAL(mesh_dec_path(body, MESH_WIRE_PATH, &t, &e), 0);
	CU_ASSERT_EQUAL(t, 0x1122334455667788ULL);
	CU_ASSERT_EQUAL(e, 9);
	CU_ASSERT_EQUAL(mesh_dec_path(body, MESH_WIRE_PATH + 1, &t, &e), -EBADMSG);
	CU_ASSERT_EQUAL(mesh_dec_path(body, MESH_WIRE_PATH - 1, &t, &e), -EBADMSG);
	CU_ASSERT_EQUAL(mesh_enc_path(body, 0, 0), -EINVAL);
	memset(body, 0, sizeof(body));
	CU_ASSERT_EQUAL(mesh_dec_path(body, MESH_WIRE_PATH, &t, &e), -EBADMSG);
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

/* The largest RTP in a DATA (never with a certificate) makes a datagram of
 * exactly MESH_WIRE_MAX bytes; one more byte does not go. */
static void test_sizes(void)
{
	uint8_t body[MESH_WIRE_MAX], buf[MESH_WIRE_MAX], rtp[MESH_WIRE_MAX];
	struct mesh_hdr h = { .type = MESH_MSG_DATA, .channel = 7, .receiver = RECEIVER, .ts = 5, .session = 1 };
	size_t rlen = make_rtp(rtp, 3, MESH_WIRE_MAX_RTP - 12);
	struct mesh_data d = { .seq = 3, .rtp = rtp, .rtp_len = rlen };
	int len = mesh_enc_data(body, &d);

	CU_ASSERT_EQUAL(MESH_WIRE_MAX, 1500 - 40 - 8);
	CU_ASSERT_FATAL(len > 0);
	CU_ASSERT_EQUAL(mesh_wire_seal(ia, key, &h, body, (size_t)len, true, buf, sizeof(buf)), MESH_WIRE_MAX);
	/* with a certificate it would not fit */
	CU_ASSERT_EQUAL(mesh_wire_seal(ia, key, &h, body, (size_t)len, false, buf, sizeof(buf)), -EMSGSIZE);
	d.rtp_len++;
	CU_ASSERT_EQUAL(mesh_enc_data(body, &d), -EMSGSIZE);
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
		uint64_t tok, echo;
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
		if (round % 2 && len >= MESH_WIRE_OVERHEAD + RTX_CERT_BYTES) { /* a plausible header */
			uint8_t type = (uint8_t)(1 + tu_rand_below(MESH_MSG_MAX)), body[MESH_WIRE_MAX];

			memcpy(body, buf, len);
			len = seal_body(buf, type, body, len - MESH_WIRE_OVERHEAD - RTX_CERT_BYTES);
			if (round % 4 == 1)
				buf[tu_rand_below(len)] ^= (uint8_t)(1u << tu_rand_below(8));
		}
		copy = malloc(len ? len : 1); /* exact size, for ASan */
		memcpy(copy, buf, len);
		if (mesh_wire_parse(copy, len, &h) == 0) {
			CU_ASSERT(h.body + h.body_len + MESH_WIRE_MAC == copy + len);
			if (round % 16 == 1)
				open_b(copy, len);
			mesh_dec_hello(h.body, h.body_len, &u.hello);
			mesh_dec_small(h.body, h.body_len, &a, &b, &c);
			mesh_dec_entries(h.body, h.body_len, &u.e);
			if (mesh_dec_bmap(h.body, h.body_len, &u.b) == 0)
				CU_ASSERT(12 + (u.b.nbits + 7u) / 8 == h.body_len);
			if (mesh_dec_data(h.body, h.body_len, &u.d) == 0)
				CU_ASSERT(u.d.rtp + u.d.rtp_len == h.body + h.body_len);
			mesh_dec_pull(h.body, h.body_len, &u.p);
			mesh_dec_path(h.body, h.body_len, &tok, &echo);
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
		{ "a datagram is valid at its receiver only", test_receiver_bound },
		{ "key derivation", test_key_derivation },
		{ "node entries with certificates", test_entries },
		{ "node entries: one encoding only (IPv4 padding)", test_entries_strict },
		{ "path message", test_path },
		{ "buffer map message", test_bmap_msg },
		{ "data message", test_data },
		{ "sizes: the largest DATA fits a 1500-byte MTU", test_sizes },
		{ "pull message", test_pull },
		{ "hostile input", test_hostile },
		{ "socket addresses", test_sockaddr },
		{ NULL, NULL },
	};
	size_t i;

	if (rtx_auth_init() < 0 || tu_pki_init(&pki, fake_now, NULL) < 0)
		return -1;
	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 7);
	ia = tu_ident_new(&pki, SENDER, 0);
	ib = tu_ident_new(&pki, RECEIVER, 0);
	if (!ia || !ib)
		return -1;
	tu_ident_introduce(ia, ib); /* as the management server would */
	return tu_add_suite("mesh_wire", tests);
}
