/* Unit tests of rtx_ident and rtx_cert: certificates, the envelope, who
 * may open what (receiver binding, domains, revocation, renewal), the
 * verification budget and the validation of addresses, on a fake clock. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "rtx.h"
#include "rtx_ident.h"
#include "tu.h"
#include "tu_ident.h"

#define MAGIC 0x5358u
#define MS 1000000ULL
#define S 1000000000ULL

static uint64_t clk;
static struct tu_pki pki;

static uint64_t fake_now(void *ctx)
{
	(void)ctx;
	return clk;
}

static uint64_t fake_wall(void *ctx)
{
	(void)ctx;
	return tu_pki_wall_ms(&pki);
}

static void setup(void)
{
	clk = 5 * S;
	CU_ASSERT_EQUAL_FATAL(tu_pki_init(&pki, fake_now, NULL), 0);
}

static const uint8_t dom_a[32] = { 1, 2, 3 }, dom_b[32] = { 9, 9, 9 };

/* Seal a 20-byte body from `from` to `to` in buf; returns its length. */
static size_t seal_as(rtx_ident *from, uint32_t to, const uint8_t *dk, uint64_t ts, uint8_t *buf,
		      bool may_attach)
{
	struct rtx_seal s;
	struct rtx_env e = { .type = 1, .body_len = 20, .domain = 7, .receiver = to, .ts = ts,
			     .session = 42 };
	size_t off;

	CU_ASSERT_EQUAL_FATAL(rtx_ident_seal_key(from, to, dk, may_attach, &s), 0);
	off = rtx_ident_seal_begin(from, &s, MAGIC, &e, buf);
	memset(buf + off, 0xab, 20);
	return rtx_ident_seal_finish(&s, buf, off + 20);
}

static size_t seal(rtx_ident *from, uint32_t to, const uint8_t *dk, uint64_t ts, uint8_t *buf)
{
	return seal_as(from, to, dk, ts, buf, true);
}

/* Parse and open at `at` under dk; commit on success. */
static int open_at(rtx_ident *at, const uint8_t *buf, size_t len, const uint8_t *dk)
{
	struct rtx_env e;
	struct rtx_opened o;
	const uint8_t *keys[1] = { dk };
	int rc;

	if (rtx_env_parse(buf, len, MAGIC, &e) < 0)
		return -EBADMSG;
	rc = rtx_ident_open(at, buf, len, &e, keys, 1, &o);
	if (rc == 0)
		rtx_ident_commit(at, &o);
	return rc;
}

static void test_cert_roundtrip(void)
{
	uint8_t pub[32] = { 5 }, b[RTX_CERT_BYTES], b2[RTX_CERT_BYTES];
	struct rtx_cert c;
	uint8_t other_pub[32], other_sk[64];

	setup();
	tu_pki_issue(&pki, 17, pub, b);
	CU_ASSERT_EQUAL(rtx_cert_decode(b, sizeof(b), &c), 0);
	CU_ASSERT_EQUAL(c.id, 17u);
	CU_ASSERT_EQUAL(c.kind, RTX_CERT_BOX);
	CU_ASSERT_EQUAL(rtx_cert_verify(&c, pki.ca_pub), 0);
	rtx_cert_encode(&c, b2);
	CU_ASSERT_EQUAL(memcmp(b, b2, sizeof(b)), 0);
	/* every signed byte matters */
	for (size_t i = 4; i < RTX_CERT_BYTES; i += 7) {
		b2[i] ^= 1;
		if (rtx_cert_decode(b2, sizeof(b2), &c) == 0)
			CU_ASSERT_NOT_EQUAL(rtx_cert_verify(&c, pki.ca_pub), 0);
		b2[i] ^= 1;
	}
	/* another CA's key does not verify it */
	CU_ASSERT_EQUAL(rtx_ca_keygen(other_pub, other_sk), 0);
	CU_ASSERT_EQUAL(rtx_cert_decode(b, sizeof(b), &c), 0);
	CU_ASSERT_EQUAL(rtx_cert_verify(&c, other_pub), -EKEYREJECTED);
	/* shape */
	CU_ASSERT_EQUAL(rtx_cert_decode(b, sizeof(b) - 1, &c), -EBADMSG);
	b2[3] = RTX_CERT_EDGE; /* a box id with the edge kind */
	CU_ASSERT_EQUAL(rtx_cert_decode(b2, sizeof(b2), &c), -EBADMSG);
}

static void test_hex(void)
{
	uint8_t in[3] = { 0x00, 0xab, 0xff }, out[3];
	char h[7];

	rtx_hex(in, 3, h);
	CU_ASSERT_STRING_EQUAL(h, "00abff");
	CU_ASSERT_EQUAL(rtx_unhex("00ABff", out, 3), 0);
	CU_ASSERT_EQUAL(memcmp(in, out, 3), 0);
	CU_ASSERT_EQUAL(rtx_unhex("00abf", out, 3), -EINVAL);
	CU_ASSERT_EQUAL(rtx_unhex("00abfg", out, 3), -EINVAL);
}

static void test_set_cert(void)
{
	rtx_ident *a;
	uint8_t pub[32], cert[RTX_CERT_BYTES];

	setup();
	a = tu_ident_new(&pki, 3, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_TRUE(rtx_ident_ready(a));
	CU_ASSERT_FALSE(rtx_ident_wants_renewal(a));
	/* a certificate for another key, or another id, is refused */
	memset(pub, 7, sizeof(pub));
	tu_pki_issue(&pki, 3, pub, cert);
	CU_ASSERT_EQUAL(rtx_ident_set_cert(a, cert, sizeof(cert)), -EKEYREJECTED);
	rtx_ident_keygen(a, pub);
	tu_pki_issue(&pki, 4, pub, cert);
	CU_ASSERT_EQUAL(rtx_ident_set_cert(a, cert, sizeof(cert)), -EKEYREJECTED);
	tu_pki_issue(&pki, 3, pub, cert);
	CU_ASSERT_EQUAL(rtx_ident_set_cert(a, cert, sizeof(cert)), 0);
	/* half a life later it wants a new one; past it, it is not ready */
	clk += 13 * 3600 * S;
	CU_ASSERT_TRUE(rtx_ident_wants_renewal(a));
	clk += 12 * 3600 * S;
	CU_ASSERT_FALSE(rtx_ident_ready(a));
	rtx_ident_free(a);
}

/* A box learns its id and the CA at registration. */
static void test_late_id(void)
{
	uint8_t pub[32], cert[RTX_CERT_BYTES];

	setup();
	{
		struct rtx_ident_config cfg;
		struct rtx_ident_callbacks cb = { NULL, fake_now, fake_wall };
		rtx_ident *late;
		uint8_t other[32] = { 1 };

		rtx_ident_config_defaults(&cfg, 0, NULL);
		CU_ASSERT_EQUAL_FATAL(rtx_ident_new(&cfg, &cb, &late), 0);
		rtx_ident_keygen(late, pub);
		tu_pki_issue(&pki, 42, pub, cert);
		CU_ASSERT_EQUAL(rtx_ident_set_cert(late, cert, sizeof(cert)), -EKEYREJECTED); /* no CA */
		CU_ASSERT_EQUAL(rtx_ident_set_ca(late, pki.ca_pub), 0);
		CU_ASSERT_EQUAL(rtx_ident_set_ca(late, pki.ca_pub), 0);
		CU_ASSERT_EQUAL(rtx_ident_set_ca(late, other), -EKEYREJECTED);
		CU_ASSERT_EQUAL(rtx_ident_self(late), 0u);
		CU_ASSERT_EQUAL(rtx_ident_set_cert(late, cert, sizeof(cert)), 0);
		CU_ASSERT_EQUAL(rtx_ident_self(late), 42u);
		CU_ASSERT_TRUE(rtx_ident_ready(late));
		rtx_ident_free(late);
	}
}

/* A reset forgets everything: a new CA can certify it again. */
static void test_reset(void)
{
	rtx_ident *a;
	uint8_t pub[32], cert[RTX_CERT_BYTES];

	setup();
	a = tu_ident_new(&pki, 3, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	{
		struct tu_pki other;
		uint8_t c2[RTX_CERT_BYTES];

		CU_ASSERT_EQUAL_FATAL(tu_pki_init(&other, fake_now, NULL), 0);
		rtx_ident_reset(a, 0, other.ca_pub);
		CU_ASSERT_FALSE(rtx_ident_ready(a));
		CU_ASSERT_EQUAL(rtx_ident_self(a), 0u);
		rtx_ident_keygen(a, pub);
		tu_pki_issue(&other, 3, pub, c2);
		CU_ASSERT_EQUAL(rtx_ident_set_cert(a, c2, sizeof(c2)), 0);
		CU_ASSERT_EQUAL(rtx_ident_self(a), 3u);
		tu_pki_issue(&pki, 3, pub, c2); /* the old CA's is refused now */
		CU_ASSERT_EQUAL(rtx_ident_set_cert(a, c2, sizeof(c2)), -EKEYREJECTED);
		rtx_ident_reset(a, 3, pki.ca_pub);
		rtx_ident_keygen(a, pub);
		tu_pki_issue(&pki, 3, pub, cert);
		CU_ASSERT_EQUAL(rtx_ident_set_cert(a, cert, sizeof(cert)), 0);
	}
	rtx_ident_free(a);
}

static void test_seal_open(void)
{
	rtx_ident *a, *b, *c;
	uint8_t buf[512];
	size_t len;
	struct rtx_seal s;

	setup();
	a = tu_ident_new(&pki, 1, 0);
	b = tu_ident_new(&pki, 2, 0);
	c = tu_ident_new(&pki, 3, 0);
	/* a knows b (from the management server); b does not know a */
	{
		uint8_t cb[RTX_CERT_BYTES];

		rtx_cert_encode(rtx_ident_cert(b), cb);
		CU_ASSERT_EQUAL(rtx_ident_learn(a, cb, sizeof(cb)), 0);
		CU_ASSERT_EQUAL(rtx_ident_learn(c, cb, sizeof(cb)), 0);
	}
	CU_ASSERT_EQUAL(rtx_ident_seal_key(b, 1, dom_a, true, &s), -ENOKEY);
	len = seal(a, 2, dom_a, 100, buf);
	CU_ASSERT_EQUAL(len, RTX_ENV_HDR + RTX_CERT_BYTES + 20 + RTX_ENV_MAC); /* cert attached */
	/* only b, only under the domain's key */
	CU_ASSERT_EQUAL(open_at(c, buf, len, dom_a), -EACCES);
	CU_ASSERT_EQUAL(open_at(b, buf, len, dom_b), -EACCES);
	buf[len - 30] ^= 1;
	CU_ASSERT_EQUAL(open_at(b, buf, len, dom_a), -EACCES);
	buf[len - 30] ^= 1;
	CU_ASSERT_EQUAL(open_at(b, buf, len, dom_a), 0);
	/* b now knows a, and that a knows its key: its answer carries no certificate */
	len = seal(b, 1, dom_a, 200, buf);
	CU_ASSERT_EQUAL(len, RTX_ENV_HDR + 20 + RTX_ENV_MAC);
	CU_ASSERT_EQUAL(open_at(a, buf, len, dom_a), 0);
	/* and a stops attaching once b answered */
	len = seal(a, 2, dom_a, 300, buf);
	CU_ASSERT_EQUAL(len, RTX_ENV_HDR + 20 + RTX_ENV_MAC);
	CU_ASSERT_EQUAL(open_at(b, buf, len, dom_a), 0);
	/* ... until b has been silent for a while */
	clk += 2 * S;
	len = seal(a, 2, dom_a, 400, buf);
	CU_ASSERT_EQUAL(len, RTX_ENV_HDR + RTX_CERT_BYTES + 20 + RTX_ENV_MAC);
	rtx_ident_free(a);
	rtx_ident_free(b);
	rtx_ident_free(c);
}

static void test_unknown_and_forged(void)
{
	rtx_ident *a, *b, *x;
	uint8_t buf[512], cb[RTX_CERT_BYTES];
	size_t len;
	struct tu_pki rogue;
	struct rtx_ident_stats st;

	setup();
	a = tu_ident_new(&pki, 1, 0);
	b = tu_ident_new(&pki, 2, 0);
	tu_ident_introduce(a, b);
	/* a datagram without a certificate from someone b never heard of */
	CU_ASSERT_EQUAL_FATAL(tu_pki_init(&rogue, fake_now, NULL), 0);
	x = tu_ident_new(&rogue, 9, 0); /* a certificate from another CA */
	/* the rogue's node knows b's real public key (its CA certified it) */
	tu_pki_issue(&rogue, 2, rtx_ident_cert(b)->pub, cb);
	CU_ASSERT_EQUAL(rtx_ident_learn(x, cb, sizeof(cb)), 0);
	len = seal(x, 2, dom_a, 100, buf);
	CU_ASSERT_EQUAL(open_at(b, buf, len, dom_a), -EKEYREJECTED);
	/* the rogue claims to be a (id 1) with its own certificate: refused */
	rtx_ident_free(x);
	x = tu_ident_new(&rogue, 1, 0);
	CU_ASSERT_EQUAL(rtx_ident_learn(x, cb, sizeof(cb)), 0);
	len = seal(x, 2, dom_a, 100, buf);
	CU_ASSERT_EQUAL(open_at(b, buf, len, dom_a), -EKEYREJECTED);
	/* the same without the certificate: b tries a's real key, MAC fails */
	buf[4] &= (uint8_t)~RTX_ENV_FLAG_CERT;
	memmove(buf + RTX_ENV_HDR, buf + RTX_ENV_HDR + RTX_CERT_BYTES, len - RTX_ENV_HDR - RTX_CERT_BYTES);
	len -= RTX_CERT_BYTES;
	CU_ASSERT_EQUAL(open_at(b, buf, len, dom_a), -EACCES);
	rtx_ident_stats(b, &st);
	CU_ASSERT_EQUAL(st.certs_rejected, 2u);
	CU_ASSERT_EQUAL(st.bad_mac, 1u);
	rtx_ident_free(x);
	rtx_ident_free(a);
	rtx_ident_free(b);
}

static void test_replay_elsewhere(void)
{
	rtx_ident *a, *b, *c;
	uint8_t buf[512];
	size_t len;

	setup();
	a = tu_ident_new(&pki, 1, 0);
	b = tu_ident_new(&pki, 2, 0);
	c = tu_ident_new(&pki, 3, 0);
	tu_ident_introduce(a, b);
	tu_ident_introduce(a, c);
	tu_ident_introduce(b, c);
	len = seal(a, 2, dom_a, 100, buf);
	CU_ASSERT_EQUAL(open_at(b, buf, len, dom_a), 0);
	/* the same bytes at c, even with the receiver field rewritten */
	CU_ASSERT_EQUAL(open_at(c, buf, len, dom_a), -EACCES);
	buf[19] = 3;
	CU_ASSERT_EQUAL(open_at(c, buf, len, dom_a), -EACCES);
	rtx_ident_free(a);
	rtx_ident_free(b);
	rtx_ident_free(c);
}

static void test_revoke(void)
{
	rtx_ident *a, *b;
	uint8_t buf[512], cb[RTX_CERT_BYTES];
	size_t len;
	struct rtx_seal s;

	setup();
	a = tu_ident_new(&pki, 1, 0);
	b = tu_ident_new(&pki, 2, 0);
	tu_ident_introduce(a, b);
	clk += 10 * MS;
	CU_ASSERT_EQUAL(rtx_ident_revoke(b, 1, tu_pki_wall_ms(&pki)), 0);
	len = seal(a, 2, dom_a, 100, buf); /* carries a's revoked certificate */
	CU_ASSERT_EQUAL(open_at(b, buf, len, dom_a), -EKEYREVOKED);
	CU_ASSERT_EQUAL(rtx_ident_seal_key(b, 1, dom_a, true, &s), -ENOKEY);
	rtx_cert_encode(rtx_ident_cert(a), cb);
	CU_ASSERT_EQUAL(rtx_ident_learn(b, cb, sizeof(cb)), -EKEYREVOKED);
	/* a re-registered later: its new certificate is accepted */
	clk += 10 * MS;
	CU_ASSERT_EQUAL(tu_ident_renew(&pki, a), 0);
	len = seal(a, 2, dom_a, 200, buf);
	CU_ASSERT_EQUAL(open_at(b, buf, len, dom_a), 0);
	rtx_ident_free(a);
	rtx_ident_free(b);
}

static void test_renewal(void)
{
	rtx_ident *a, *b;
	uint8_t buf[512], old[512];
	size_t len, old_len;

	setup();
	a = tu_ident_new(&pki, 1, 0);
	b = tu_ident_new(&pki, 2, 0);
	tu_ident_introduce(a, b);
	len = seal(a, 2, dom_a, 100, buf);
	CU_ASSERT_EQUAL(open_at(b, buf, len, dom_a), 0);
	/* b sealed to a's current key; then a renews its key */
	old_len = seal(b, 1, dom_a, 150, old);
	CU_ASSERT_EQUAL(tu_ident_renew(&pki, a), 0);
	/* b's datagram to a's previous key still opens, within the grace */
	CU_ASSERT_EQUAL(open_at(a, old, old_len, dom_a), 0);
	/* a large answer (no room for a certificate) goes to the key b knows */
	len = seal_as(a, 2, dom_a, 160, buf, false);
	CU_ASSERT_EQUAL(len, RTX_ENV_HDR + 20 + RTX_ENV_MAC);
	CU_ASSERT_EQUAL(open_at(b, buf, len, dom_a), 0);
	/* a's next datagram carries its new certificate; b takes it */
	len = seal(a, 2, dom_a, 200, buf);
	CU_ASSERT_EQUAL(len, RTX_ENV_HDR + RTX_CERT_BYTES + 20 + RTX_ENV_MAC);
	CU_ASSERT_EQUAL(open_at(b, buf, len, dom_a), 0);
	len = seal(b, 1, dom_a, 250, buf);
	CU_ASSERT_EQUAL(open_at(a, buf, len, dom_a), 0);
	/* past the grace, the old key is gone */
	clk += 61 * S;
	CU_ASSERT_EQUAL(open_at(a, old, old_len, dom_a), -EACCES);
	rtx_ident_free(a);
	rtx_ident_free(b);
}

static void test_budget(void)
{
	rtx_ident *b, *x;
	uint8_t buf[512], cb[RTX_CERT_BYTES];
	size_t len;
	int busy = 0, ok = 0;

	setup();
	b = tu_ident_new(&pki, 2, 0);
	rtx_cert_encode(rtx_ident_cert(b), cb);
	/* 600 new members at once: the budget (500) checks 500, refuses 100 */
	for (uint32_t i = 0; i < 600; i++) {
		int rc;

		x = tu_ident_new(&pki, 1000 + i, 0);
		rtx_ident_learn(x, cb, sizeof(cb));
		len = seal(x, 2, dom_a, 100, buf);
		rc = open_at(b, buf, len, dom_a);
		busy += rc == -EBUSY;
		ok += rc == 0;
		rtx_ident_free(x);
	}
	CU_ASSERT_EQUAL(ok, 500);
	CU_ASSERT_EQUAL(busy, 100);
	rtx_ident_free(b);
}

static void test_addresses(void)
{
	rtx_ident *a, *b;
	uint64_t tok, tok2;

	setup();
	a = tu_ident_new(&pki, 1, 0);
	b = tu_ident_new(&pki, 2, 0);
	tu_ident_introduce(a, b);
	CU_ASSERT_EQUAL(rtx_ident_addr_set(a, 77, 5), -ENOKEY);
	CU_ASSERT_FALSE(rtx_ident_addr_ok(a, 2, 5));
	CU_ASSERT_FALSE(rtx_ident_addr_ok(a, 2, 0));
	CU_ASSERT_EQUAL(rtx_ident_addr_set(b, 1, 0), 0); /* 0 is a handle like any other */
	CU_ASSERT_TRUE(rtx_ident_addr_ok(b, 1, 0));
	CU_ASSERT_EQUAL(rtx_ident_addr_set(a, 2, 5), 0);
	CU_ASSERT_TRUE(rtx_ident_addr_ok(a, 2, 5));
	CU_ASSERT_FALSE(rtx_ident_addr_ok(a, 2, 6));
	CU_ASSERT_EQUAL(rtx_ident_challenge(a, 2, 6, &tok), 0);
	CU_ASSERT_EQUAL(rtx_ident_challenge(a, 2, 6, &tok2), -EAGAIN);
	/* the echo must come from where the challenge went, with its token */
	CU_ASSERT_EQUAL(rtx_ident_path_echo(a, 2, 7, tok), -ENOENT);
	CU_ASSERT_EQUAL(rtx_ident_path_echo(a, 2, 6, tok + 1), -ENOENT);
	CU_ASSERT_FALSE(rtx_ident_addr_ok(a, 2, 6));
	CU_ASSERT_EQUAL(rtx_ident_path_echo(a, 2, 6, tok), 0);
	CU_ASSERT_TRUE(rtx_ident_addr_ok(a, 2, 6));
	CU_ASSERT_TRUE(rtx_ident_addr_ok(a, 2, 5));
	/* once only */
	CU_ASSERT_EQUAL(rtx_ident_path_echo(a, 2, 6, tok), -ENOENT);
	/* a stale challenge is not honoured */
	clk += S;
	CU_ASSERT_EQUAL(rtx_ident_challenge(a, 2, 8, &tok), 0);
	clk += 6 * S;
	CU_ASSERT_EQUAL(rtx_ident_path_echo(a, 2, 8, tok), -ENOENT);
	rtx_ident_free(a);
	rtx_ident_free(b);
}

static void test_env_parse(void)
{
	uint8_t buf[256] = { 0 };
	struct rtx_env e = { .type = 3, .flags = 1, .hint = 9, .body_len = 10, .domain = 5,
			     .sender = 1, .receiver = 2, .ts = 77, .session = 8 }, p;
	size_t off = rtx_env_put(buf, MAGIC, &e), len = off + 10 + RTX_ENV_MAC;

	CU_ASSERT_EQUAL(off, RTX_ENV_HDR);
	CU_ASSERT_EQUAL(rtx_env_parse(buf, len, MAGIC, &p), 0);
	CU_ASSERT_EQUAL(p.type, 3);
	CU_ASSERT_EQUAL(p.hint, 9);
	CU_ASSERT_EQUAL(p.receiver, 2u);
	CU_ASSERT_PTR_NULL(p.cert);
	CU_ASSERT_PTR_EQUAL(p.body, buf + RTX_ENV_HDR);
	CU_ASSERT_EQUAL(rtx_env_parse(buf, len - 1, MAGIC, &p), -EBADMSG);
	CU_ASSERT_EQUAL(rtx_env_parse(buf, len, 0x534d, &p), -EBADMSG);
	buf[4] |= RTX_ENV_FLAG_CERT; /* claims a certificate it has no room for */
	CU_ASSERT_EQUAL(rtx_env_parse(buf, len, MAGIC, &p), -EBADMSG);
	CU_ASSERT_EQUAL(rtx_env_parse(buf, len + RTX_CERT_BYTES, MAGIC, &p), 0);
	buf[4] &= (uint8_t)~RTX_ENV_FLAG_CERT;
	buf[19] = 0; /* receiver 0 */
	CU_ASSERT_EQUAL(rtx_env_parse(buf, len, MAGIC, &p), -EBADMSG);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "certificates encode, decode, sign, verify", test_cert_roundtrip },
		{ "hex", test_hex },
		{ "own certificate", test_set_cert },
		{ "an id and a CA learnt at registration", test_late_id },
		{ "a reset starts over", test_reset },
		{ "seal and open, certificate attached until known", test_seal_open },
		{ "unknown senders and forged certificates", test_unknown_and_forged },
		{ "a datagram is valid at one receiver only", test_replay_elsewhere },
		{ "revocation", test_revoke },
		{ "key renewal", test_renewal },
		{ "verification budget", test_budget },
		{ "addresses and challenges", test_addresses },
		{ "envelope parsing", test_env_parse },
		{ NULL, NULL },
	};
	return tu_add_suite("rtx_ident", tests);
}
