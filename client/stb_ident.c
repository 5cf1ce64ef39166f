/* stb_ident: the box's identity (docs/security.md): a key pair it makes
 * itself, the certificate the management server gives it at registration
 * and renews in heartbeat answers, the CA it trusts (pinned in the
 * configuration, or the one its first registration answer named), the
 * certificates of its peers and edges from the server's lists, and the
 * revocations the server announces. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "stb_int.h"

static uint64_t ident_now(void *ctx)
{
	return stb_now(ctx);
}

static uint64_t ident_wall(void *ctx)
{
	struct stb *s = ctx;

	return sc_clock_wall_ns(sc_loop_clock(s->loop)) / SC_NS_PER_MS;
}

int stb_ident_open(struct stb *s)
{
	struct rtx_ident_config cfg;
	struct rtx_ident_callbacks cb = { s, ident_now, ident_wall };

	rtx_ident_config_defaults(&cfg, 0, s->cfg.has_ca ? s->cfg.ca : NULL);
	return rtx_ident_new(&cfg, &cb, &s->ident);
}

void stb_ident_close(struct stb *s)
{
	rtx_ident_free(s->ident);
	s->ident = NULL;
}

void stb_ident_pubkey(struct stb *s, char out[2 * RTX_PUB_BYTES + 1])
{
	uint8_t pub[RTX_PUB_BYTES];

	/* Half-way through a certificate's life, a new key: the server
	 * certifies it in a heartbeat answer. */
	if (!rtx_ident_pending_pub(s->ident, pub) ||
	    (rtx_ident_wants_renewal(s->ident) && !s->ident_renewing)) {
		rtx_ident_keygen(s->ident, pub);
		s->ident_renewing = true;
	}
	rtx_hex(pub, sizeof(pub), out);
}

/* Start afresh: another CA (the management server was reinstalled) or
 * another id. The tuner uses the identity: it goes first (registration
 * tunes again). */
static int reset(struct stb *s, const char *why)
{
	sc_logf(&s->lg, LOG_WARNING, "identity: %s: starting with a new key", why);
	stb_stop_tuner(s);
	stb_ident_close(s);
	s->ident_renewing = false;
	return stb_ident_open(s);
}

static int install(struct stb *s, const uint8_t *cert)
{
	int rc = rtx_ident_set_cert(s->ident, cert, MGC_CERT_BYTES);

	if (rc == 0) {
		s->ident_renewing = false;
		sc_logf(&s->lg, LOG_INFO, "identity: certificate %08x valid until %llu",
			(unsigned)rtx_ident_cert(s->ident)->serial,
			(unsigned long long)(rtx_ident_cert(s->ident)->not_after_ms / 1000));
	} else {
		sc_logf(&s->lg, LOG_ERR, "identity: certificate refused: %s", strerror(-rc));
	}
	return rc;
}

int stb_ident_registered(struct stb *s, const struct mgc_register *r)
{
	uint32_t self = rtx_ident_self(s->ident);
	bool other_ca;
	int rc;

	if (!r->has_ca || !r->has_cert) {
		sc_logf(&s->lg, LOG_ERR, "identity: the management server gave no certificate: "
			"no repairs, no fast zap, no mesh (is it older than this box?)");
		return -ENOKEY;
	}
	other_ca = rtx_ident_set_ca(s->ident, r->ca) < 0;
	if (other_ca && s->cfg.has_ca) {
		sc_logf(&s->lg, LOG_ERR, "identity: the management server's CA is not the one configured "
			"(mgmt.ca): refusing it");
		return -EKEYREJECTED;
	}
	if (other_ca || (self && self != r->client_id)) {
		/* The certificate is for the key we had: register again with
		 * the new one. */
		rc = reset(s, other_ca ? "the management server has a new CA" : "a new client id");
		return rc < 0 ? rc : -EAGAIN;
	}
	return install(s, r->cert);
}

void stb_ident_heartbeat(struct stb *s, const struct mgc_heartbeat *hb)
{
	if (hb->has_cert)
		install(s, hb->cert);
	for (size_t i = 0; i < hb->n_revoked; i++)
		if (rtx_ident_revoke(s->ident, hb->revoked[i].id, hb->revoked[i].before_ms) < 0)
			sc_logf(&s->lg, LOG_WARNING, "identity: revocation list full");
}

bool stb_ident_learn(struct stb *s, uint32_t id, bool has_cert, const uint8_t *cert)
{
	int rc;

	if (!has_cert) {
		sc_logf(&s->lg, LOG_INFO, "identity: no certificate of %u in the server's answer", (unsigned)id);
		return false;
	}
	rc = rtx_ident_learn(s->ident, cert, MGC_CERT_BYTES);
	if (rc < 0)
		sc_logf(&s->lg, LOG_WARNING, "identity: certificate of %u refused: %s", (unsigned)id, strerror(-rc));
	return rc == 0;
}
