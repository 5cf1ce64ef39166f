/* meshpeer_ident: see meshpeer_ident.h. */
#include "config.h"

#include "meshpeer_ident.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mesh.h"

#define MAX_CERTS 1024
/* Room in each node's identity: rtx_ident's table crowds ids that differ
 * in their high bits only into few sets; with 4096 the lab's ids spread. */
#define IDENT_PEERS 4096
/* The validity of the static certificates: fixed, so that every process
 * computes the same bytes. */
#define STATIC_NOT_BEFORE_MS 1700000000000ULL /* 2023-11-14 */
#define STATIC_NOT_AFTER_MS 4102444800000ULL  /* 2100-01-01 */

static uint8_t ca_sk[RTX_CA_SECRET_BYTES], ca_pub[RTX_CA_PUB_BYTES];
/* certificates computed (static) or received (tracker), by id */
static struct {
	uint32_t id;
	uint8_t cert[RTX_CERT_BYTES];
} certs[MAX_CERTS];
static size_t ncerts;

/* libsodium's randomness, made deterministic while a static node's key
 * pair is drawn (rtx_ident_keygen() takes its secret from randombytes and
 * has no way to be given one): seeded with (CA key, node id), it gives
 * every process the same key pair for that node. Anything else gets the
 * system's randomness. */
static struct {
	bool on;
	uint8_t seed[randombytes_SEEDBYTES];
} det;

static void det_buf(void *const buf, const size_t size)
{
	if (det.on)
		randombytes_buf_deterministic(buf, size, det.seed);
	else
		randombytes_sysrandom_implementation.buf(buf, size);
}

static uint32_t det_random(void)
{
	uint32_t v;

	det_buf(&v, sizeof(v));
	return v;
}

static const char *det_name(void)
{
	return "meshpeer";
}

static randombytes_implementation det_impl = {
	.implementation_name = det_name, .random = det_random, .buf = det_buf,
};

/* The seed of a static node's key pair. */
static void node_seed(uint32_t id, uint8_t seed[randombytes_SEEDBYTES])
{
	static const char label[] = "meshpeer node key";
	uint8_t m[sizeof(label) - 1 + 4];

	memcpy(m, label, sizeof(label) - 1);
	m[sizeof(label) - 1] = (uint8_t)(id >> 24);
	m[sizeof(label)] = (uint8_t)(id >> 16);
	m[sizeof(label) + 1] = (uint8_t)(id >> 8);
	m[sizeof(label) + 2] = (uint8_t)id;
	crypto_generichash(seed, randombytes_SEEDBYTES, m, sizeof(m), ca_sk, 32);
}

/* The public key rtx_ident_keygen() makes from seed. */
void mpi_seed_pub(const uint8_t seed[randombytes_SEEDBYTES], uint8_t pub[RTX_PUB_BYTES])
{
	uint8_t sk[32];

	randombytes_buf_deterministic(sk, sizeof(sk), seed);
	crypto_scalarmult_base(pub, sk);
	sodium_memzero(sk, sizeof(sk));
}

void mpi_seeded_keygen(rtx_ident *ident, const uint8_t seed[randombytes_SEEDBYTES])
{
	uint8_t pub[RTX_PUB_BYTES];

	det.on = true;
	memcpy(det.seed, seed, sizeof(det.seed));
	rtx_ident_keygen(ident, pub);
	det.on = false;
	sodium_memzero(det.seed, sizeof(det.seed));
}

static const uint8_t *cert_find(uint32_t id)
{
	for (size_t i = 0; i < ncerts; i++)
		if (certs[i].id == id)
			return certs[i].cert;
	return NULL;
}

const uint8_t *mpi_cert_keep(uint32_t id, const uint8_t *cert)
{
	size_t i;

	for (i = 0; i < ncerts && certs[i].id != id; i++)
		;
	if (i == MAX_CERTS)
		return NULL;
	certs[i].id = id;
	memcpy(certs[i].cert, cert, RTX_CERT_BYTES);
	ncerts += i == ncerts;
	return certs[i].cert;
}

/* The certificate of node id as the tool, a test CA, issues it: the same
 * bytes in every process (a derived key, fixed serial and validity, and
 * Ed25519 signs deterministically). */
const uint8_t *mpi_static_cert(uint32_t id)
{
	struct rtx_cert c = { .kind = (id & MESH_SOURCE_ID_FLAG) ? RTX_CERT_EDGE : RTX_CERT_BOX, .id = id,
			      .serial = 1, .not_before_ms = STATIC_NOT_BEFORE_MS,
			      .not_after_ms = STATIC_NOT_AFTER_MS };
	uint8_t seed[randombytes_SEEDBYTES], b[RTX_CERT_BYTES];
	const uint8_t *have = cert_find(id);

	if (have)
		return have;
	node_seed(id, seed);
	mpi_seed_pub(seed, c.pub);
	if (rtx_cert_sign(&c, ca_sk) < 0)
		return NULL;
	rtx_cert_encode(&c, b);
	return mpi_cert_keep(id, b);
}

static uint64_t wall_ms(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

rtx_ident *mpi_ident_new(uint32_t id, uint64_t (*now_ns)(void *ctx))
{
	struct rtx_ident_callbacks cb = { NULL, now_ns, wall_ms };
	struct rtx_ident_config cfg;
	rtx_ident *ident;

	rtx_ident_config_defaults(&cfg, id, ca_pub);
	cfg.max_peers = IDENT_PEERS;
	return rtx_ident_new(&cfg, &cb, &ident) < 0 ? NULL : ident;
}

int mpi_static_ident(uint32_t id, uint64_t (*now_ns)(void *ctx), rtx_ident **out)
{
	uint8_t seed[randombytes_SEEDBYTES];
	const uint8_t *cert = mpi_static_cert(id);
	int rc;

	if (!cert || !(*out = mpi_ident_new(id, now_ns)))
		return -ENOMEM;
	node_seed(id, seed);
	mpi_seeded_keygen(*out, seed);
	rc = rtx_ident_set_cert(*out, cert, RTX_CERT_BYTES);
	sodium_memzero(seed, sizeof(seed));
	return rc;
}

void mpi_init(void)
{
	randombytes_set_implementation(&det_impl);
}

int mpi_set_ca_secret(const char *hex)
{
	if (rtx_unhex(hex, ca_sk, sizeof(ca_sk)) < 0)
		return -EINVAL;
	rtx_ca_pub(ca_sk, ca_pub);
	return 0;
}

void mpi_set_ca_pub(const uint8_t pub[RTX_CA_PUB_BYTES])
{
	memcpy(ca_pub, pub, RTX_CA_PUB_BYTES);
}

/* A new CA key pair for a lab: its secret key in hex on stdout (to pass
 * as --ca-key), its public key on stderr. */
int mpi_ca_keygen(void)
{
	uint8_t sk[RTX_CA_SECRET_BYTES], pub[RTX_CA_PUB_BYTES];
	char hex[2 * RTX_CA_SECRET_BYTES + 1];

	if (rtx_ca_keygen(pub, sk) < 0)
		return 1;
	rtx_hex(sk, sizeof(sk), hex);
	printf("%s\n", hex);
	rtx_hex(pub, sizeof(pub), hex);
	fprintf(stderr, "meshpeer: CA public key %s\n", hex);
	sodium_memzero(sk, sizeof(sk));
	return 0;
}
