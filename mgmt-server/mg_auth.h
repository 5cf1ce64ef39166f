/* mg_auth: tokens and credentials.
 *
 * A box or an edge gets a token when it registers: 32 random bytes
 * (libsodium), sent once as 64 hex characters and kept only as a 16-byte
 * BLAKE2b hash, in memory and in the store, so that a copy of the store
 * does not hand out working tokens. Requests carry the token as
 * "Authorization: Bearer <token>"; the check hashes it and compares in
 * constant time. Admin tokens come from the config file and are checked
 * the same way. */
#ifndef MG_AUTH_H
#define MG_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mg_cfg.h"

#define MG_TOKEN_HEX 64 /* random hex characters of a token made here */
#define MG_TOKEN_BUF 80 /* "c<id>." + hex + NUL */
#define MG_HASH_LEN 16
#define MG_KEY_LEN 32

/* Initialise libsodium. Returns 0 or -EIO. */
int mg_auth_init(void);
/* A new token "<prefix><64 hex>" (out: MG_TOKEN_BUF bytes) and its hash.
 * Box tokens have the prefix "c<id>.", edge tokens "e<id>.", so that a
 * request names its sender before the hash is checked. */
void mg_token_new(const char *prefix, char *out, uint8_t hash[MG_HASH_LEN]);
void mg_token_hash(const char *token, uint8_t hash[MG_HASH_LEN]);
/* Constant-time comparison of two hashes. */
bool mg_hash_equal(const uint8_t a[MG_HASH_LEN], const uint8_t b[MG_HASH_LEN]);
/* The token of an Authorization header value ("Bearer <token>", the
 * scheme case-insensitive), or NULL. */
const char *mg_bearer(const char *header);
/* Whether a box's credential is right for its device id (see
 * enum mg_cred_mode). */
bool mg_credential_ok(enum mg_cred_mode mode, const char *secret, const char *device_id,
		      const char *credential);
/* The per-device credential (hex HMAC-SHA256(secret, device id)) into
 * out[65]; for tests and provisioning tools. */
void mg_credential_for(const char *secret, const char *device_id, char *out);
/* 32 random bytes: group keys and RET keys. */
void mg_random_key(uint8_t key[MG_KEY_LEN]);
uint64_t mg_random_u64(void);

#endif
