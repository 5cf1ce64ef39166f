/* rtx_auth: MACs through libsodium and the per-sender replay window. See
 * rtx_auth.h for the choices. */
#include "config.h"

#include "rtx_auth.h"

#include <errno.h>
#include <sodium.h>
#include <string.h>

#include "rtx_wire.h"

int rtx_auth_init(void)
{
	return sodium_init() < 0 ? -ENOSYS : 0;
}

static void nonce_of(const uint8_t *msg, uint8_t nonce[12])
{
	memcpy(nonce, msg + RTX_WIRE_OFF_SESSION, 4);
	memcpy(nonce + 4, msg + RTX_WIRE_OFF_TS, 8);
}

void rtx_auth_sign(const uint8_t key[RTX_AUTH_KEY_BYTES], uint8_t *msg, size_t len)
{
	uint8_t nonce[crypto_aead_chacha20poly1305_IETF_NPUBBYTES];
	unsigned long long tag_len;
	uint8_t none = 0; /* the empty message: libsodium wants non-NULL pointers */

	nonce_of(msg, nonce);
	crypto_aead_chacha20poly1305_ietf_encrypt_detached(&none, msg + len, &tag_len, &none, 0,
							   msg, len, NULL, nonce, key);
}

int rtx_auth_verify(const uint8_t key[RTX_AUTH_KEY_BYTES], const uint8_t *msg, size_t len)
{
	uint8_t nonce[crypto_aead_chacha20poly1305_IETF_NPUBBYTES];
	uint8_t none = 0;

	if (len < RTX_WIRE_OVERHEAD)
		return -EACCES;
	nonce_of(msg, nonce);
	if (crypto_aead_chacha20poly1305_ietf_decrypt_detached(&none, NULL, &none, 0,
							       msg + len - RTX_AUTH_TAG_BYTES,
							       msg, len - RTX_AUTH_TAG_BYTES,
							       nonce, key) != 0)
		return -EACCES;
	return 0;
}

uint32_t rtx_auth_session(void)
{
	uint32_t v;

	do
		v = randombytes_random();
	while (v == 0);
	return v;
}

/* Index of the smallest remembered timestamp. */
static unsigned oldest(const struct rtx_replay *r)
{
	unsigned i, o = 0;

	for (i = 1; i < r->n; i++)
		if (r->seen[i] < r->seen[o])
			o = i;
	return o;
}

static void remember(struct rtx_replay *r, uint64_t ts)
{
	if (r->n < RTX_REPLAY_SLOTS)
		r->seen[r->n++] = ts;
	else
		r->seen[oldest(r)] = ts;
}

int rtx_replay_check(struct rtx_replay *r, uint64_t ts, uint64_t window)
{
	unsigned i;

	if (!r->started) {
		r->started = true;
		r->hi = ts;
		r->n = 0;
		return 0;
	}
	if (ts > r->hi) {
		remember(r, r->hi);
		r->hi = ts;
		return 0;
	}
	if (ts == r->hi || r->hi - ts > window)
		return -EALREADY;
	/* Every timestamp seen above the oldest remembered one is remembered. */
	if (r->n == RTX_REPLAY_SLOTS && ts <= r->seen[oldest(r)])
		return -EALREADY;
	for (i = 0; i < r->n; i++)
		if (r->seen[i] == ts)
			return -EALREADY;
	remember(r, ts);
	return 0;
}

int rtx_replay_fresh(uint64_t *hi, uint64_t ts, uint64_t window)
{
	if (*hi && ts < *hi && *hi - ts > window)
		return -EALREADY;
	if (ts > *hi)
		*hi = ts;
	return 0;
}
