/* edge_ident: the edge's identity. See edge_ident.h. */
#include "config.h"

#include "edge_ident.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rtx.h"
#include "sc_clock.h"

#define RENEW_CHECK_NS (60 * SC_NS_PER_S)
#define STANDALONE_LIFE_MS (24ULL * 3600 * 1000)

struct edge_ident {
	sc_loop *loop;
	struct sc_logger lg;
	rtx_ident *id;
	bool standalone, renewing;
	uint32_t edge_id;
	uint8_t ca_sk[RTX_CA_SECRET_BYTES];
	uint8_t ca_pub[RTX_CA_PUB_BYTES];
	uint32_t serial;
	sc_timer *timer;
};

static uint64_t mono_ns(void *ctx)
{
	const edge_ident *ei = ctx;

	return sc_clock_now_ns(sc_loop_clock(ei->loop));
}

static uint64_t wall_ms(void *ctx)
{
	edge_ident *ei = ctx;

	return sc_clock_wall_ns(sc_loop_clock(ei->loop)) / SC_NS_PER_MS;
}

/* The standalone CA key: 128 hex characters (and a newline) in a file. */
static int read_ca_key(edge_ident *ei, const char *path)
{
	char buf[200];
	size_t n;
	FILE *f = fopen(path, "r");

	if (!f) {
		sc_logf(&ei->lg, LOG_ERR, "trust.ca_key_file %s: %s", path, strerror(errno));
		return -errno;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	if (rtx_unhex(buf, ei->ca_sk, sizeof(ei->ca_sk)) < 0) {
		sodium_memzero(buf, sizeof(buf));
		sc_logf(&ei->lg, LOG_ERR, "trust.ca_key_file %s: not a CA key (128 hex characters; "
			"make one with sixcast-mcast-server --new-ca-key FILE)", path);
		return -EINVAL;
	}
	sodium_memzero(buf, sizeof(buf));
	rtx_ca_pub(ei->ca_sk, ei->ca_pub);
	return 0;
}

/* Standalone: a new key, certified by our own CA. */
static int self_certify(edge_ident *ei)
{
	struct rtx_cert c = { .kind = RTX_CERT_EDGE, .id = RTX_EDGE_ID_FLAG | ei->edge_id };
	uint8_t cert[RTX_CERT_BYTES];
	int rc;

	rtx_ident_keygen(ei->id, c.pub);
	c.serial = ++ei->serial;
	c.not_before_ms = wall_ms(ei);
	c.not_after_ms = c.not_before_ms + STANDALONE_LIFE_MS;
	if ((rc = rtx_cert_sign(&c, ei->ca_sk)) < 0)
		return rc;
	rtx_cert_encode(&c, cert);
	rc = rtx_ident_set_cert(ei->id, cert, sizeof(cert));
	if (rc < 0)
		sc_logf(&ei->lg, LOG_ERR, "identity: own certificate refused: %s", strerror(-rc));
	return rc;
}

static void on_timer(void *arg)
{
	edge_ident *ei = arg;

	if (rtx_ident_wants_renewal(ei->id))
		self_certify(ei);
	sc_timer_arm(ei->timer, RENEW_CHECK_NS);
}

int edge_ident_new(sc_loop *loop, const char *ca_key_file, uint32_t edge_id, const struct sc_logger *lg,
		   edge_ident **out)
{
	struct rtx_ident_config cfg;
	struct rtx_ident_callbacks cb;
	edge_ident *ei = calloc(1, sizeof(*ei));
	int rc = -ENOMEM;

	*out = NULL;
	if (!ei)
		return rc;
	ei->loop = loop;
	ei->lg = *lg;
	ei->edge_id = edge_id;
	ei->standalone = ca_key_file && *ca_key_file;
	randombytes_buf(&ei->serial, sizeof(ei->serial));
	cb = (struct rtx_ident_callbacks){ ei, mono_ns, wall_ms };
	if (ei->standalone && (rc = read_ca_key(ei, ca_key_file)) < 0)
		goto fail;
	rtx_ident_config_defaults(&cfg, 0, ei->standalone ? ei->ca_pub : NULL);
	cfg.max_peers = 16384;
	if ((rc = rtx_ident_new(&cfg, &cb, &ei->id)) < 0)
		goto fail;
	if (ei->standalone) {
		ei->timer = sc_timer_new(loop, on_timer, ei);
		if (!ei->timer) {
			rc = -ENOMEM;
			goto fail;
		}
		if ((rc = self_certify(ei)) < 0)
			goto fail;
		sc_timer_arm(ei->timer, RENEW_CHECK_NS);
		sc_logf(&ei->lg, LOG_NOTICE, "identity: standalone, edge %u certified by its own CA", edge_id);
	}
	*out = ei;
	return 0;
fail:
	edge_ident_free(ei);
	return rc;
}

void edge_ident_free(edge_ident *ei)
{
	if (!ei)
		return;
	sc_timer_free(ei->timer);
	rtx_ident_free(ei->id);
	sodium_memzero(ei->ca_sk, sizeof(ei->ca_sk));
	free(ei);
}

rtx_ident *edge_ident_get(edge_ident *ei)
{
	return ei->id;
}

void edge_ident_pubkey(edge_ident *ei, char out[2 * RTX_PUB_BYTES + 1])
{
	uint8_t pub[RTX_PUB_BYTES];

	if (!rtx_ident_pending_pub(ei->id, pub) || (rtx_ident_wants_renewal(ei->id) && !ei->renewing)) {
		rtx_ident_keygen(ei->id, pub);
		ei->renewing = true;
	}
	rtx_hex(pub, sizeof(pub), out);
}

int edge_ident_install(edge_ident *ei, const uint8_t *ca, const uint8_t *cert)
{
	int rc;

	if (ca && rtx_ident_set_ca(ei->id, ca) < 0) {
		/* Its store was lost: a new CA. Start over with it: the
		 * certificate in this answer is for our old key. */
		sc_logf(&ei->lg, LOG_WARNING, "identity: the management server has a new CA key: "
			"a new key, registering again");
		rtx_ident_reset(ei->id, 0, ca);
		ei->renewing = false;
		return -EAGAIN;
	}
	if (!cert)
		return 0;
	rc = rtx_ident_set_cert(ei->id, cert, RTX_CERT_BYTES);
	if (rc < 0) {
		sc_logf(&ei->lg, LOG_ERR, "identity: certificate refused: %s", strerror(-rc));
		return rc;
	}
	ei->renewing = false;
	sc_logf(&ei->lg, LOG_INFO, "identity: certificate %08x for edge %u, valid until %llu",
		(unsigned)rtx_ident_cert(ei->id)->serial, (unsigned)(rtx_ident_self(ei->id) & ~RTX_EDGE_ID_FLAG),
		(unsigned long long)(rtx_ident_cert(ei->id)->not_after_ms / 1000));
	return 0;
}

void edge_ident_revoke(edge_ident *ei, uint32_t id, uint64_t before_ms)
{
	if (rtx_ident_revoke(ei->id, id, before_ms) < 0)
		sc_logf(&ei->lg, LOG_WARNING, "identity: revocation list full");
}

bool edge_ident_describe(edge_ident *ei, uint32_t *id, char *cert_hex, char *ca_hex)
{
	const struct rtx_cert *c = rtx_ident_cert(ei->id);
	uint8_t b[RTX_CERT_BYTES];

	if (!c)
		return false;
	*id = c->id;
	rtx_cert_encode(c, b);
	rtx_hex(b, sizeof(b), cert_hex);
	ca_hex[0] = '\0';
	if (ei->standalone)
		rtx_hex(ei->ca_pub, sizeof(ei->ca_pub), ca_hex);
	return true;
}

int edge_ident_new_ca_key(const char *path, char *pub_hex)
{
	uint8_t sk[RTX_CA_SECRET_BYTES], pub[RTX_CA_PUB_BYTES];
	char hex[2 * RTX_CA_SECRET_BYTES + 2];
	int fd, rc = 0;

	if (rtx_ca_keygen(pub, sk) < 0)
		return -ENOSYS;
	rtx_hex(sk, sizeof(sk), hex);
	strcat(hex, "\n");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, hex, strlen(hex)) != (ssize_t)strlen(hex))
		rc = -errno;
	if (fd >= 0 && close(fd) < 0 && !rc)
		rc = -errno;
	sodium_memzero(sk, sizeof(sk));
	sodium_memzero(hex, sizeof(hex));
	rtx_hex(pub, sizeof(pub), pub_hex);
	return rc;
}
