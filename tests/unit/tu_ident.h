/* tu_ident: a certificate authority and member identities for tests and
 * simulations, on a fake clock: what the management server and a
 * daemon's registration do in production, in a few calls. */
#ifndef TU_IDENT_H
#define TU_IDENT_H

#include <stdint.h>

#include "rtx_ident.h"

struct tu_pki {
	uint8_t ca_pub[RTX_CA_PUB_BYTES];
	uint8_t ca_sk[RTX_CA_SECRET_BYTES];
	/* Time: the test's monotonic clock; the wall clock is wall0_ms plus
	 * that clock's milliseconds. */
	uint64_t (*now_ns)(void *ctx);
	void *ctx;
	uint64_t wall0_ms;
	uint32_t serial;
	uint64_t lifetime_ms; /* of the certificates issued (default 1 day) */
};

/* A new CA on the given clock. Returns 0 or a negative errno. */
int tu_pki_init(struct tu_pki *pki, uint64_t (*now_ns)(void *ctx), void *ctx);
uint64_t tu_pki_wall_ms(const struct tu_pki *pki);

/* Certify pub for member id, valid from now for pki->lifetime_ms. */
void tu_pki_issue(struct tu_pki *pki, uint32_t id, const uint8_t pub[RTX_PUB_BYTES],
		  uint8_t out[RTX_CERT_BYTES]);

/* A member's identity with a key and a certificate. NULL on failure.
 * max_peers 0: the default. */
rtx_ident *tu_ident_new(struct tu_pki *pki, uint32_t id, uint32_t max_peers);
/* A new key, certified and installed (a renewal). Returns 0 or an error. */
int tu_ident_renew(struct tu_pki *pki, rtx_ident *ident);
/* Each learns the other's certificate (as from the management server). */
void tu_ident_introduce(rtx_ident *a, rtx_ident *b);

#endif
