/* mg_auth: tokens, hashes and credentials on libsodium. See mg_auth.h. */
#include "config.h"

#include "mg_auth.h"

#include <errno.h>
#include <sodium.h>
#include <string.h>
#include <strings.h>

#include "mg_json.h"

int mg_auth_init(void)
{
	return sodium_init() < 0 ? -EIO : 0;
}

void mg_token_new(const char *prefix, char *out, uint8_t hash[MG_HASH_LEN])
{
	uint8_t raw[MG_TOKEN_HEX / 2];
	size_t n = strlen(prefix);

	if (n > MG_TOKEN_BUF - MG_TOKEN_HEX - 1)
		n = MG_TOKEN_BUF - MG_TOKEN_HEX - 1;
	memcpy(out, prefix, n);
	randombytes_buf(raw, sizeof(raw));
	mg_hex(raw, sizeof(raw), out + n);
	sodium_memzero(raw, sizeof(raw));
	mg_token_hash(out, hash);
}

void mg_token_hash(const char *token, uint8_t hash[MG_HASH_LEN])
{
	crypto_generichash(hash, MG_HASH_LEN, (const unsigned char *)token, strlen(token), NULL, 0);
}

bool mg_hash_equal(const uint8_t a[MG_HASH_LEN], const uint8_t b[MG_HASH_LEN])
{
	return sodium_memcmp(a, b, MG_HASH_LEN) == 0;
}

const char *mg_bearer(const char *header)
{
	if (!header || strncasecmp(header, "Bearer ", 7) != 0)
		return NULL;
	header += 7;
	while (*header == ' ')
		header++;
	return *header ? header : NULL;
}

void mg_credential_for(const char *secret, const char *device_id, char *out)
{
	uint8_t mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)device_id, strlen(device_id));
	crypto_auth_hmacsha256_final(&st, mac);
	mg_hex(mac, sizeof(mac), out);
}

bool mg_credential_ok(enum mg_cred_mode mode, const char *secret, const char *device_id,
		      const char *credential)
{
	char want[2 * crypto_auth_hmacsha256_BYTES + 1];
	size_t n = strlen(credential);

	if (mode == MG_CRED_SHARED)
		return n == strlen(secret) && sodium_memcmp(credential, secret, n) == 0;
	mg_credential_for(secret, device_id, want);
	return n == strlen(want) && sodium_memcmp(credential, want, n) == 0;
}

/* Group keys change on every departure, thousands a second under zapping:
 * one getrandom() each would cost more than the rest of the request. So
 * keys come from a fast-key-erasure generator on libsodium's ChaCha20
 * (randombytes_buf_deterministic): each block's first 32 bytes become the
 * next seed and are wiped, bytes are wiped as they are handed out, and the
 * seed is mixed with fresh system randomness every 256 blocks. */
static struct {
	uint8_t seed[randombytes_SEEDBYTES];
	uint8_t buf[1024];
	size_t pos;
	unsigned blocks;
} rng = { .pos = sizeof(rng.buf) };

static void rng_take(void *out, size_t n)
{
	if (rng.pos + n > sizeof(rng.buf)) {
		if (rng.blocks++ % 256 == 0) {
			uint8_t fresh[randombytes_SEEDBYTES];

			randombytes_buf(fresh, sizeof(fresh));
			for (size_t i = 0; i < sizeof(fresh); i++)
				rng.seed[i] ^= fresh[i];
			sodium_memzero(fresh, sizeof(fresh));
		}
		randombytes_buf_deterministic(rng.buf, sizeof(rng.buf), rng.seed);
		memcpy(rng.seed, rng.buf, sizeof(rng.seed));
		sodium_memzero(rng.buf, sizeof(rng.seed));
		rng.pos = sizeof(rng.seed);
	}
	memcpy(out, rng.buf + rng.pos, n);
	sodium_memzero(rng.buf + rng.pos, n);
	rng.pos += n;
}

void mg_random_key(uint8_t key[MG_KEY_LEN])
{
	rng_take(key, MG_KEY_LEN);
}

uint64_t mg_random_u64(void)
{
	uint64_t v;

	rng_take(&v, sizeof(v));
	return v;
}
