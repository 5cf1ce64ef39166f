/* rtx_cert: member certificates, the CA's signing, hex for the JSON API,
 * and the authenticated envelope's header shared by the repair and mesh
 * protocols. See rtx_ident.h for the formats. */
#include "config.h"

#include "rtx_ident.h"

#include <errno.h>
#include <sodium.h>
#include <string.h>

#include "rtx.h"
#include "sc_bytes.h"

#define SIGNED_BYTES 64 /* the certificate's bytes the signature covers */

static void put_signed(const struct rtx_cert *c, uint8_t *b)
{
	sc_put_be16(b, RTX_CERT_MAGIC);
	b[2] = RTX_CERT_VERSION;
	b[3] = c->kind;
	sc_put_be32(b + 4, c->id);
	sc_put_be32(b + 8, c->serial);
	sc_put_be32(b + 12, c->issuer);
	sc_put_be64(b + 16, c->not_before_ms);
	sc_put_be64(b + 24, c->not_after_ms);
	memcpy(b + 32, c->pub, RTX_PUB_BYTES);
}

int rtx_cert_decode(const uint8_t *b, size_t len, struct rtx_cert *c)
{
	bool edge;

	if (!b || len != RTX_CERT_BYTES || sc_get_be16(b) != RTX_CERT_MAGIC || b[2] != RTX_CERT_VERSION)
		return -EBADMSG;
	c->kind = b[3];
	c->id = sc_get_be32(b + 4);
	c->serial = sc_get_be32(b + 8);
	c->issuer = sc_get_be32(b + 12);
	c->not_before_ms = sc_get_be64(b + 16);
	c->not_after_ms = sc_get_be64(b + 24);
	memcpy(c->pub, b + 32, RTX_PUB_BYTES);
	memcpy(c->sig, b + SIGNED_BYTES, sizeof(c->sig));
	edge = (c->id & RTX_EDGE_ID_FLAG) != 0;
	if ((c->kind != RTX_CERT_BOX && c->kind != RTX_CERT_EDGE) || c->id == 0 ||
	    c->id == RTX_EDGE_ID_FLAG || edge != (c->kind == RTX_CERT_EDGE) ||
	    c->not_before_ms >= c->not_after_ms)
		return -EBADMSG;
	return 0;
}

void rtx_cert_encode(const struct rtx_cert *c, uint8_t out[RTX_CERT_BYTES])
{
	put_signed(c, out);
	memcpy(out + SIGNED_BYTES, c->sig, sizeof(c->sig));
}

int rtx_cert_verify(const struct rtx_cert *c, const uint8_t ca_pub[RTX_CA_PUB_BYTES])
{
	uint8_t b[SIGNED_BYTES];

	if (c->issuer != rtx_ca_key_id(ca_pub))
		return -EKEYREJECTED;
	put_signed(c, b);
	return crypto_sign_ed25519_verify_detached(c->sig, b, sizeof(b), ca_pub) == 0 ? 0
										       : -EKEYREJECTED;
}

int rtx_ca_keygen(uint8_t pub[RTX_CA_PUB_BYTES], uint8_t secret[RTX_CA_SECRET_BYTES])
{
	if (sodium_init() < 0)
		return -ENOSYS;
	crypto_sign_ed25519_keypair(pub, secret);
	return 0;
}

void rtx_ca_pub(const uint8_t secret[RTX_CA_SECRET_BYTES], uint8_t pub[RTX_CA_PUB_BYTES])
{
	crypto_sign_ed25519_sk_to_pk(pub, secret);
}

uint32_t rtx_ca_key_id(const uint8_t ca_pub[RTX_CA_PUB_BYTES])
{
	static const uint8_t label[] = "sixcast ca key id";
	uint8_t h[16];

	crypto_generichash(h, sizeof(h), label, sizeof(label) - 1, ca_pub, RTX_CA_PUB_BYTES);
	return sc_get_be32(h);
}

int rtx_cert_sign(struct rtx_cert *c, const uint8_t ca_secret[RTX_CA_SECRET_BYTES])
{
	uint8_t b[RTX_CERT_BYTES], pub[RTX_CA_PUB_BYTES];
	struct rtx_cert chk;

	if (sodium_init() < 0)
		return -ENOSYS;
	rtx_ca_pub(ca_secret, pub);
	c->issuer = rtx_ca_key_id(pub);
	rtx_cert_encode(c, b);
	/* What we sign must be what every receiver accepts as well formed. */
	if (rtx_cert_decode(b, sizeof(b), &chk) < 0)
		return -EINVAL;
	crypto_sign_ed25519_detached(c->sig, NULL, b, SIGNED_BYTES, ca_secret);
	return 0;
}

void rtx_hex(const uint8_t *in, size_t len, char *out)
{
	static const char d[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = d[in[i] >> 4];
		out[2 * i + 1] = d[in[i] & 15];
	}
	out[2 * len] = '\0';
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int rtx_unhex(const char *in, uint8_t *out, size_t len)
{
	if (!in || strlen(in) != 2 * len)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		int hi = nibble(in[2 * i]), lo = nibble(in[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* ---- the envelope ---- */

int rtx_env_parse(const uint8_t *b, size_t len, uint16_t magic, struct rtx_env *e)
{
	size_t cert, need;

	if (!b || len < RTX_ENV_HDR + RTX_ENV_MAC || sc_get_be16(b) != magic ||
	    b[2] != RTX_ENV_VERSION)
		return -EBADMSG;
	e->type = b[3];
	e->flags = b[4];
	e->hint = b[5];
	e->body_len = sc_get_be16(b + 6);
	e->domain = sc_get_be32(b + 8);
	e->sender = sc_get_be32(b + 12);
	e->receiver = sc_get_be32(b + 16);
	e->ts = sc_get_be64(b + RTX_ENV_OFF_TS);
	e->session = sc_get_be32(b + RTX_ENV_OFF_SESSION);
	cert = (e->flags & RTX_ENV_FLAG_CERT) ? RTX_CERT_BYTES : 0;
	need = RTX_ENV_HDR + cert + e->body_len + RTX_ENV_MAC;
	if (len != need || e->sender == 0 || e->receiver == 0 || e->session == 0)
		return -EBADMSG;
	e->cert = cert ? b + RTX_ENV_HDR : NULL;
	e->body = b + RTX_ENV_HDR + cert;
	return 0;
}

size_t rtx_env_put(uint8_t *b, uint16_t magic, const struct rtx_env *e)
{
	size_t off = RTX_ENV_HDR;

	sc_put_be16(b, magic);
	b[2] = RTX_ENV_VERSION;
	b[3] = e->type;
	b[4] = e->flags;
	b[5] = e->hint;
	sc_put_be16(b + 6, e->body_len);
	sc_put_be32(b + 8, e->domain);
	sc_put_be32(b + 12, e->sender);
	sc_put_be32(b + 16, e->receiver);
	sc_put_be64(b + RTX_ENV_OFF_TS, e->ts);
	sc_put_be32(b + RTX_ENV_OFF_SESSION, e->session);
	if ((e->flags & RTX_ENV_FLAG_CERT) && e->cert) {
		memmove(b + off, e->cert, RTX_CERT_BYTES);
		off += RTX_CERT_BYTES;
	}
	return off;
}
