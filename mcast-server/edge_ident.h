/* edge_ident: the edge's identity (docs/security.md): its key pair, its
 * certificate and the CA it trusts, for the RET service and the mesh's
 * hosting node. With a management server, the server is the CA: the
 * registration answer gives the CA key and the certificate, load answers
 * renew it and announce revocations (edge_mgmt.c feeds them here).
 * Standalone (no management server), the edge holds a CA key of its own
 * (trust.ca_key_file, made by `sixcast-mcast-server --new-ca-key FILE`),
 * certifies itself and renews its certificate when half of its life is
 * spent; boxes then need certificates from that CA (lab tools). */
#ifndef EDGE_IDENT_H
#define EDGE_IDENT_H

#include <stdbool.h>
#include <stdint.h>

#include "rtx_ident.h"
#include "sc_log.h"
#include "sc_loop.h"

typedef struct edge_ident edge_ident;

/* An identity on loop. ca_key_file NULL or "": the management server's
 * CA (installed later); else the standalone CA, and the edge certifies
 * itself as edge_id at once. Returns 0 and *out, or a negative errno
 * (logged: an unreadable or malformed key file). */
int edge_ident_new(sc_loop *loop, const char *ca_key_file, uint32_t edge_id, const struct sc_logger *lg,
		   edge_ident **out);
void edge_ident_free(edge_ident *ei);

/* The identity for the RET sessions and mesh nodes (owned by ei). */
rtx_ident *edge_ident_get(edge_ident *ei);

/* The public key to present (registration, load report), as hex (65
 * bytes): a new one when the certificate is due for renewal. */
void edge_ident_pubkey(edge_ident *ei, char out[2 * RTX_PUB_BYTES + 1]);
/* From the management server's answers: its CA key (ca NULL: none in the
 * answer), our certificate (cert NULL: none). Returns 0, -EAGAIN when the
 * server has a new CA (the identity started over: register again with the
 * new key), or another negative errno (logged). */
int edge_ident_install(edge_ident *ei, const uint8_t *ca, const uint8_t *cert);
/* A revocation from a load answer. */
void edge_ident_revoke(edge_ident *ei, uint32_t id, uint64_t before_ms);
/* Whether a certificate is installed, and its id and hex (for GET
 * /identity). cert_hex holds 2 * RTX_CERT_BYTES + 1 bytes. */
bool edge_ident_describe(edge_ident *ei, uint32_t *id, char *cert_hex, char *ca_hex);

/* Write a new standalone CA key to path (0600, refusing to overwrite) and
 * its public key as hex into pub_hex (65 bytes). Returns 0 or a negative
 * errno. */
int edge_ident_new_ca_key(const char *path, char *pub_hex);

#endif
