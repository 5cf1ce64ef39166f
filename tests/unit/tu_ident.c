/* tu_ident: see tu_ident.h. */
#include "config.h"

#include "tu_ident.h"

#include <string.h>

static uint64_t pki_now(void *ctx)
{
	struct tu_pki *p = ctx;

	return p->now_ns(p->ctx);
}

static uint64_t pki_wall(void *ctx)
{
	return tu_pki_wall_ms(ctx);
}

int tu_pki_init(struct tu_pki *pki, uint64_t (*now_ns)(void *ctx), void *ctx)
{
	memset(pki, 0, sizeof(*pki));
	pki->now_ns = now_ns;
	pki->ctx = ctx;
	pki->wall0_ms = 1800000000000ULL; /* 2027 */
	pki->lifetime_ms = 86400000ULL;
	return rtx_ca_keygen(pki->ca_pub, pki->ca_sk);
}

uint64_t tu_pki_wall_ms(const struct tu_pki *pki)
{
	return pki->wall0_ms + pki->now_ns(pki->ctx) / 1000000ULL;
}

void tu_pki_issue(struct tu_pki *pki, uint32_t id, const uint8_t pub[RTX_PUB_BYTES],
		  uint8_t out[RTX_CERT_BYTES])
{
	struct rtx_cert c = { 0 };

	c.kind = (id & 0x80000000u) ? RTX_CERT_EDGE : RTX_CERT_BOX;
	c.id = id;
	c.serial = ++pki->serial;
	c.not_before_ms = tu_pki_wall_ms(pki);
	c.not_after_ms = c.not_before_ms + pki->lifetime_ms;
	memcpy(c.pub, pub, RTX_PUB_BYTES);
	rtx_cert_sign(&c, pki->ca_sk);
	rtx_cert_encode(&c, out);
}

int tu_ident_renew(struct tu_pki *pki, rtx_ident *ident)
{
	uint8_t pub[RTX_PUB_BYTES], cert[RTX_CERT_BYTES];

	rtx_ident_keygen(ident, pub);
	tu_pki_issue(pki, rtx_ident_self(ident), pub, cert);
	return rtx_ident_set_cert(ident, cert, sizeof(cert));
}

rtx_ident *tu_ident_new(struct tu_pki *pki, uint32_t id, uint32_t max_peers)
{
	struct rtx_ident_config cfg;
	struct rtx_ident_callbacks cb = { pki, pki_now, pki_wall };
	rtx_ident *ident;

	rtx_ident_config_defaults(&cfg, id, pki->ca_pub);
	if (max_peers)
		cfg.max_peers = max_peers;
	if (rtx_ident_new(&cfg, &cb, &ident) < 0)
		return NULL;
	if (tu_ident_renew(pki, ident) < 0) {
		rtx_ident_free(ident);
		return NULL;
	}
	return ident;
}

void tu_ident_introduce(rtx_ident *a, rtx_ident *b)
{
	uint8_t c[RTX_CERT_BYTES];

	rtx_cert_encode(rtx_ident_cert(a), c);
	rtx_ident_learn(b, c, sizeof(c));
	rtx_cert_encode(rtx_ident_cert(b), c);
	rtx_ident_learn(a, c, sizeof(c));
}
