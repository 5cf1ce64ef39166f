/* meshpeer_ident: the member identities of meshpeer's nodes.
 *
 * A datagram is sealed with its receiver's key, so a node must hold its
 * peers' certificates before its first word to them. Without a management
 * server (static mode, --ca-key) the tool is its own test CA, and a node's
 * key pair derives from the CA key and its id: every process that has the
 * CA key computes the same certificate for any node (its own, its peers',
 * the source's). With one (--mgmt), a node registers a fresh public key
 * and installs the certificate it gets back. */
#ifndef MESHPEER_IDENT_H
#define MESHPEER_IDENT_H

#include <sodium.h>
#include <stdint.h>

#include "rtx_ident.h"

/* Before libsodium starts (it draws the key pairs: see the .c). */
void mpi_init(void);
/* meshpeer ca-keygen: a new CA, its secret key in hex on stdout, its
 * public key on stderr. Returns the exit code. */
int mpi_ca_keygen(void);

/* The CA: its secret key (static mode, 128 hex digits), or its public key
 * (from the management server). */
int mpi_set_ca_secret(const char *hex);
void mpi_set_ca_pub(const uint8_t pub[RTX_CA_PUB_BYTES]);

/* An identity for node id on the CA, without a key yet. NULL: no memory. */
rtx_ident *mpi_ident_new(uint32_t id, uint64_t (*now_ns)(void *ctx));
/* The key pair rtx_ident_keygen() makes from seed: its public key, and
 * the pair drawn into ident (waiting for its certificate). */
void mpi_seed_pub(const uint8_t seed[randombytes_SEEDBYTES], uint8_t pub[RTX_PUB_BYTES]);
void mpi_seeded_keygen(rtx_ident *ident, const uint8_t seed[randombytes_SEEDBYTES]);

/* Static mode: node id's certificate (the same bytes in every process),
 * and its identity with key pair and certificate installed. */
const uint8_t *mpi_static_cert(uint32_t id);
int mpi_static_ident(uint32_t id, uint64_t (*now_ns)(void *ctx), rtx_ident **out);
/* Keep a certificate received (the tracker's) for the process's life;
 * returns the copy, or NULL when the table is full. */
const uint8_t *mpi_cert_keep(uint32_t id, const uint8_t *cert);

#endif
