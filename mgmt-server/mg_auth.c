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

void mg_random_key(uint8_t key[MG_KEY_LEN])
{
	randombytes_buf(key, MG_KEY_LEN);
}

uint64_t mg_random_u64(void)
{
	uint64_t v;

	randombytes_buf(&v, sizeof(v));
	return v;
}
