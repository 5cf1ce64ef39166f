/* rtx_ident: a node's key pairs and certificate, its peers' certificates,
 * revocations, the keys of each datagram and the validation of addresses.
 * See rtx_ident.h; docs/security.md explains the choices. */
#include "config.h"

#include "rtx_ident.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "rtx_auth.h"
#include "rtx_ratelimit.h"
#include "sc_bytes.h"

#define WAYS 4
#define DH_SLOTS 4
#define MAX_REVOKED 4096
#define CHALLENGE_AGAIN_NS (200ULL * 1000000ULL)
#define CHALLENGE_LIFE_NS (5ULL * 1000000000ULL)

struct own_key {
	bool has;
	uint8_t sk[32], pk[32];
	struct rtx_cert cert;
	uint8_t bytes[RTX_CERT_BYTES];
	uint64_t until_ns; /* the previous key: accepted until then */
};

struct dh {
	bool has;
	uint32_t own_serial, peer_serial;
	uint8_t s[32];
};

/* A derived MAC key: one direction, one domain, one pair of keys. The
 * derivation (a BLAKE2b) per datagram cost as much as the MAC itself. */
struct kslot {
	bool has, out;
	uint32_t own_serial, peer_serial;
	uint8_t dk[32];
	uint8_t key[32];
};
#define KSLOTS 4

struct pent {
	uint32_t id; /* 0: free */
	struct kslot ks[KSLOTS];
	unsigned ks_next;
	struct rtx_cert cur, prev;
	bool has_prev;
	uint64_t prev_until_ns;
	struct dh dh[DH_SLOTS];
	unsigned dh_next;
	uint32_t confirmed_serial; /* our serial it used last, and when */
	uint64_t confirmed_ns;
	uint64_t vh[2];            /* validated handles, most recent first */
	unsigned n_vh;
	uint64_t chal_h, chal_token, chal_ns;
	uint64_t last_ns;
};

struct revoked {
	uint32_t id;
	uint64_t before_ms;
};

struct rtx_ident {
	struct rtx_ident_config cfg;
	struct rtx_ident_callbacks cb;
	bool has_ca;
	uint32_t ca_id;
	struct own_key cur, prev, pending;
	struct pent *peers;
	uint32_t n_peers; /* a power of two, multiple of WAYS */
	struct revoked *rev;
	size_t n_rev;
	struct rtx_bucket budget;
	struct rtx_ident_stats st;
};

void rtx_ident_config_defaults(struct rtx_ident_config *c, uint32_t self_id,
			       const uint8_t ca_pub[RTX_CA_PUB_BYTES])
{
	memset(c, 0, sizeof(*c));
	c->self_id = self_id;
	if (ca_pub)
		memcpy(c->ca_pub, ca_pub, RTX_CA_PUB_BYTES);
	c->max_peers = (self_id & 0x80000000u) ? 16384 : 256;
	c->verify_rate = 500;
	c->verify_burst = 500;
	c->key_grace_ns = 60ULL * 1000000000ULL;
	c->clock_skew_ms = 300000;
	c->confirm_ns = 1000000000ULL;
}

int rtx_ident_new(const struct rtx_ident_config *cfg, const struct rtx_ident_callbacks *cb,
		  rtx_ident **out)
{
	rtx_ident *id;
	uint32_t n = WAYS;

	*out = NULL;
	if (!cfg || !cb || !cb->now_ns || !cb->wall_ms || !cfg->max_peers ||
	    cfg->max_peers > (1u << 24) || !cfg->verify_rate || !cfg->verify_burst)
		return -EINVAL;
	if (sodium_init() < 0)
		return -ENOSYS;
	while (n < cfg->max_peers)
		n <<= 1;
	id = calloc(1, sizeof(*id));
	if (!id)
		return -ENOMEM;
	id->peers = calloc(n, sizeof(*id->peers));
	id->rev = calloc(MAX_REVOKED, sizeof(*id->rev));
	if (!id->peers || !id->rev) {
		rtx_ident_free(id);
		return -ENOMEM;
	}
	id->n_peers = n;
	id->cfg = *cfg;
	id->cb = *cb;
	id->has_ca = !sodium_is_zero(cfg->ca_pub, RTX_CA_PUB_BYTES);
	id->ca_id = rtx_ca_key_id(cfg->ca_pub);
	*out = id;
	return 0;
}

void rtx_ident_reset(rtx_ident *id, uint32_t self_id, const uint8_t *ca_pub)
{
	static const uint8_t none[RTX_CA_PUB_BYTES];

	sodium_memzero(id->peers, (size_t)id->n_peers * sizeof(*id->peers));
	sodium_memzero(&id->cur, sizeof(id->cur));
	sodium_memzero(&id->prev, sizeof(id->prev));
	sodium_memzero(&id->pending, sizeof(id->pending));
	id->n_rev = 0;
	id->cfg.self_id = self_id;
	memcpy(id->cfg.ca_pub, ca_pub ? ca_pub : none, RTX_CA_PUB_BYTES);
	id->has_ca = !sodium_is_zero(id->cfg.ca_pub, RTX_CA_PUB_BYTES);
	id->ca_id = rtx_ca_key_id(id->cfg.ca_pub);
}

int rtx_ident_set_ca(rtx_ident *id, const uint8_t ca_pub[RTX_CA_PUB_BYTES])
{
	if (id->has_ca)
		return memcmp(id->cfg.ca_pub, ca_pub, RTX_CA_PUB_BYTES) ? -EKEYREJECTED : 0;
	memcpy(id->cfg.ca_pub, ca_pub, RTX_CA_PUB_BYTES);
	id->ca_id = rtx_ca_key_id(ca_pub);
	id->has_ca = true;
	return 0;
}

void rtx_ident_free(rtx_ident *id)
{
	if (!id)
		return;
	if (id->peers)
		sodium_memzero(id->peers, (size_t)id->n_peers * sizeof(*id->peers));
	sodium_memzero(&id->cur, sizeof(id->cur));
	sodium_memzero(&id->prev, sizeof(id->prev));
	sodium_memzero(&id->pending, sizeof(id->pending));
	free(id->peers);
	free(id->rev);
	free(id);
}

static uint64_t now(const rtx_ident *id)
{
	return id->cb.now_ns(id->cb.ctx);
}

static uint64_t wall(const rtx_ident *id)
{
	return id->cb.wall_ms(id->cb.ctx);
}

/* ---- own keys ---- */

void rtx_ident_keygen(rtx_ident *id, uint8_t pub[RTX_PUB_BYTES])
{
	struct own_key *k = &id->pending;

	sodium_memzero(k, sizeof(*k));
	crypto_box_keypair(k->pk, k->sk);
	k->has = true;
	memcpy(pub, k->pk, RTX_PUB_BYTES);
}

bool rtx_ident_pending_pub(const rtx_ident *id, uint8_t pub[RTX_PUB_BYTES])
{
	const struct own_key *k = id->pending.has ? &id->pending : id->cur.has ? &id->cur : NULL;

	if (!k)
		return false;
	memcpy(pub, k->pk, RTX_PUB_BYTES);
	return true;
}

/* Signed by our CA, well formed and valid at wall-clock ms t. */
static int cert_check(const rtx_ident *id, const struct rtx_cert *c, uint64_t t)
{
	if (c->issuer != id->ca_id)
		return -EKEYREJECTED;
	if (t >= c->not_after_ms || c->not_before_ms > t + id->cfg.clock_skew_ms)
		return -EKEYEXPIRED;
	return 0;
}

int rtx_ident_set_cert(rtx_ident *id, const uint8_t *b, size_t len)
{
	struct rtx_cert c;
	int rc;

	if (rtx_cert_decode(b, len, &c) < 0)
		return -EBADMSG;
	if (!id->has_ca || (id->cfg.self_id && c.id != id->cfg.self_id) ||
	    rtx_cert_verify(&c, id->cfg.ca_pub) < 0)
		return -EKEYREJECTED;
	if ((rc = cert_check(id, &c, wall(id))) < 0)
		return rc;
	if (id->cur.has && memcmp(c.pub, id->cur.pk, RTX_PUB_BYTES) == 0) {
		/* The same key, certified anew. */
		id->cur.cert = c;
		memcpy(id->cur.bytes, b, RTX_CERT_BYTES);
		return 0;
	}
	if (!id->pending.has || memcmp(c.pub, id->pending.pk, RTX_PUB_BYTES) != 0)
		return -EKEYREJECTED;
	if (id->cur.has) {
		id->prev = id->cur;
		id->prev.until_ns = now(id) + id->cfg.key_grace_ns;
	}
	id->cur = id->pending;
	id->cur.cert = c;
	memcpy(id->cur.bytes, b, RTX_CERT_BYTES);
	sodium_memzero(&id->pending, sizeof(id->pending));
	id->cfg.self_id = c.id;
	id->st.renewals++;
	return 0;
}

bool rtx_ident_ready(const rtx_ident *id)
{
	return id->cur.has && wall(id) < id->cur.cert.not_after_ms;
}

const struct rtx_cert *rtx_ident_cert(const rtx_ident *id)
{
	return id->cur.has ? &id->cur.cert : NULL;
}

bool rtx_ident_wants_renewal(const rtx_ident *id)
{
	const struct rtx_cert *c = &id->cur.cert;

	if (!id->cur.has)
		return true;
	return wall(id) >= c->not_before_ms + (c->not_after_ms - c->not_before_ms) / 2;
}

uint32_t rtx_ident_self(const rtx_ident *id)
{
	return id->cfg.self_id;
}

/* ---- revocations ---- */

static const struct revoked *revoked_find(const rtx_ident *id, uint32_t peer)
{
	size_t lo = 0, hi = id->n_rev;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (id->rev[mid].id == peer)
			return &id->rev[mid];
		if (id->rev[mid].id < peer)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static bool is_revoked(const rtx_ident *id, const struct rtx_cert *c)
{
	const struct revoked *r = id->n_rev ? revoked_find(id, c->id) : NULL;

	return r && c->not_before_ms <= r->before_ms;
}

/* ---- the table of peers ---- */

/* murmur3's finalizer: every bit of the id moves the low bits (ids are
 * sequential; a multiplication alone left ids 1..20 in 2 sets of 64). */
static uint32_t set_of(const rtx_ident *id, uint32_t peer)
{
	uint32_t h = peer;

	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h & (id->n_peers / WAYS - 1);
}

static struct pent *peer_find(rtx_ident *id, uint32_t peer)
{
	struct pent *s = &id->peers[set_of(id, peer) * WAYS];

	for (int i = 0; i < WAYS; i++)
		if (s[i].id == peer)
			return &s[i];
	return NULL;
}

/* The entry of peer, made (replacing the least recently used of its set)
 * when new. */
static struct pent *peer_get(rtx_ident *id, uint32_t peer)
{
	struct pent *s = &id->peers[set_of(id, peer) * WAYS], *v = NULL;

	for (int i = 0; i < WAYS; i++) {
		if (s[i].id == peer)
			return &s[i];
		if (!v || !s[i].id || (v->id && s[i].last_ns < v->last_ns))
			v = &s[i];
	}
	sodium_memzero(v, sizeof(*v));
	v->id = peer;
	v->last_ns = now(id);
	return v;
}

int rtx_ident_revoke(rtx_ident *id, uint32_t peer, uint64_t before_ms)
{
	struct revoked *r = (struct revoked *)revoked_find(id, peer);
	struct pent *p;
	size_t i;

	if (!r) {
		if (id->n_rev == MAX_REVOKED)
			return -ENOSPC;
		for (i = id->n_rev; i > 0 && id->rev[i - 1].id > peer; i--)
			id->rev[i] = id->rev[i - 1];
		id->rev[i] = (struct revoked){ peer, before_ms };
		id->n_rev++;
	} else if (before_ms > r->before_ms) {
		r->before_ms = before_ms;
	}
	p = peer_find(id, peer);
	if (p && is_revoked(id, &p->cur))
		sodium_memzero(p, sizeof(*p));
	else if (p && p->has_prev && is_revoked(id, &p->prev))
		p->has_prev = false;
	return 0;
}

/* ---- keys ---- */

static int dh_compute(const uint8_t sk[32], const uint8_t pk_own[32], const uint8_t pk_peer[32],
		      uint8_t out[32])
{
	static const uint8_t label[] = "sixcast pair v2";
	uint8_t q[32];
	const uint8_t *lo = pk_own, *hi = pk_peer;
	crypto_generichash_state st;

	/* A low-order point gives the all-zero secret: refused by libsodium. */
	if (crypto_scalarmult(q, sk, pk_peer) != 0)
		return -EKEYREJECTED;
	if (memcmp(lo, hi, 32) > 0) {
		lo = pk_peer;
		hi = pk_own;
	}
	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, label, sizeof(label) - 1);
	crypto_generichash_update(&st, q, sizeof(q));
	crypto_generichash_update(&st, lo, 32);
	crypto_generichash_update(&st, hi, 32);
	crypto_generichash_final(&st, out, 32);
	sodium_memzero(q, sizeof(q));
	return 0;
}

/* The MAC key of one direction in one domain. */
static void derive(const uint8_t s[32], uint32_t from, uint32_t to, const uint8_t *domain_key,
		   uint8_t key[32]);

/* The key of (our key k, its certificate c, direction, domain) from p's
 * cache, derived (and cached) from the shared secret s when absent. */
static void cached_key(struct pent *p, const struct own_key *k, const struct rtx_cert *c, bool out,
		       uint32_t from, uint32_t to, const uint8_t *dk, const uint8_t s[32], uint8_t key[32])
{
	struct kslot *e;

	for (int i = 0; i < KSLOTS; i++) {
		e = &p->ks[i];
		if (e->has && e->out == out && e->own_serial == k->cert.serial && e->peer_serial == c->serial &&
		    memcmp(e->dk, dk, 32) == 0) {
			memcpy(key, e->key, 32);
			return;
		}
	}
	derive(s, from, to, dk, key);
	e = &p->ks[p->ks_next++ % KSLOTS];
	*e = (struct kslot){ true, out, k->cert.serial, c->serial, { 0 }, { 0 } };
	memcpy(e->dk, dk, 32);
	memcpy(e->key, key, 32);
}

static void derive(const uint8_t s[32], uint32_t from, uint32_t to, const uint8_t *domain_key,
		   uint8_t key[32])
{
	static const uint8_t label[] = "sixcast dgram v2";
	uint8_t m[sizeof(label) - 1 + 8 + 32];

	memcpy(m, label, sizeof(label) - 1);
	sc_put_be32(m + sizeof(label) - 1, from);
	sc_put_be32(m + sizeof(label) + 3, to);
	memcpy(m + sizeof(label) + 7, domain_key, 32);
	crypto_generichash(key, 32, m, sizeof(m), s, 32);
}

/* The shared secret of our key k and the peer's certificate c, from the
 * entry's cache or computed (and cached). */
static int shared_of(struct pent *p, const struct own_key *k, const struct rtx_cert *c,
		     uint8_t out[32])
{
	struct dh *d;
	int rc;

	for (int i = 0; i < DH_SLOTS; i++) {
		d = &p->dh[i];
		if (d->has && d->own_serial == k->cert.serial && d->peer_serial == c->serial) {
			memcpy(out, d->s, 32);
			return 0;
		}
	}
	if ((rc = dh_compute(k->sk, k->pk, c->pub, out)) < 0)
		return rc;
	d = &p->dh[p->dh_next++ % DH_SLOTS];
	*d = (struct dh){ true, k->cert.serial, c->serial, { 0 } };
	memcpy(d->s, out, 32);
	return 0;
}

/* Which of our keys to seal to p with: the current one, unless the peer
 * is known to use only the previous one and we may not teach it. */
static const struct own_key *seal_own(const rtx_ident *id, const struct pent *p, uint64_t t,
				      bool may_attach, bool *confirmed)
{
	bool recent = t - p->confirmed_ns <= id->cfg.confirm_ns;

	*confirmed = recent && p->confirmed_serial == id->cur.cert.serial;
	if (*confirmed || may_attach)
		return &id->cur;
	if (recent && id->prev.has && t < id->prev.until_ns &&
	    p->confirmed_serial == id->prev.cert.serial) {
		*confirmed = true;
		return &id->prev;
	}
	return &id->cur;
}

int rtx_ident_seal_key(rtx_ident *id, uint32_t to, const uint8_t *domain_key, bool may_attach,
		       struct rtx_seal *out)
{
	struct pent *p = peer_find(id, to);
	const struct own_key *k;
	uint8_t s[32];
	uint64_t t = now(id);

	if (!p || !p->cur.id || !rtx_ident_ready(id))
		return -ENOKEY;
	if (is_revoked(id, &p->cur))
		return -EKEYREVOKED;
	k = seal_own(id, p, t, may_attach, &out->confirmed);
	if (shared_of(p, k, &p->cur, s) < 0)
		return -ENOKEY;
	cached_key(p, k, &p->cur, true, id->cfg.self_id, to, domain_key, s, out->key);
	sodium_memzero(s, sizeof(s));
	out->hint = (uint8_t)p->cur.serial;
	out->attach = may_attach && !out->confirmed;
	p->last_ns = t;
	return 0;
}

size_t rtx_ident_seal_begin(rtx_ident *id, const struct rtx_seal *s, uint16_t magic,
			    struct rtx_env *e, uint8_t *buf)
{
	e->sender = id->cfg.self_id;
	e->hint = s->hint;
	e->flags = (uint8_t)((e->flags & ~RTX_ENV_FLAG_CERT) | (s->attach ? RTX_ENV_FLAG_CERT : 0));
	e->cert = s->attach ? id->cur.bytes : NULL;
	return rtx_env_put(buf, magic, e);
}

size_t rtx_ident_seal_finish(const struct rtx_seal *s, uint8_t *buf, size_t len)
{
	rtx_auth_sign(s->key, buf, len);
	return len + RTX_ENV_MAC;
}

int rtx_ident_learn(rtx_ident *id, const uint8_t *b, size_t len)
{
	struct rtx_cert c;
	struct pent *p;
	int rc;

	if (rtx_cert_decode(b, len, &c) < 0)
		return -EBADMSG;
	if (!id->has_ca)
		return -EKEYREJECTED;
	if (c.id == id->cfg.self_id)
		return 0;
	if ((rc = cert_check(id, &c, wall(id))) < 0)
		return rc;
	if (is_revoked(id, &c)) {
		id->st.revoked++;
		return -EKEYREVOKED;
	}
	p = peer_find(id, c.id);
	if (p && p->cur.serial == c.serial && memcmp(p->cur.pub, c.pub, 32) == 0)
		return 0;
	id->st.certs_verified++;
	if (rtx_cert_verify(&c, id->cfg.ca_pub) < 0) {
		id->st.certs_rejected++;
		return -EKEYREJECTED;
	}
	p = peer_get(id, c.id);
	if (p->cur.id && c.not_before_ms < p->cur.not_before_ms)
		return 0; /* older than what we hold */
	if (p->cur.id) {
		p->prev = p->cur;
		p->has_prev = true;
		p->prev_until_ns = now(id) + id->cfg.key_grace_ns;
	}
	p->cur = c;
	return 0;
}

int rtx_ident_peer_cert(rtx_ident *id, uint32_t peer, uint8_t out[RTX_CERT_BYTES])
{
	struct pent *p = peer_find(id, peer);

	if (!p || !p->cur.id)
		return -ENOKEY;
	rtx_cert_encode(&p->cur, out);
	return 0;
}

void rtx_ident_stats(const rtx_ident *id, struct rtx_ident_stats *out)
{
	*out = id->st;
	out->peers = 0;
	for (uint32_t i = 0; i < id->n_peers; i++)
		out->peers += id->peers[i].id != 0;
}

/* ---- opening a datagram ---- */

static bool same_cert(const struct rtx_cert *a, const struct rtx_cert *b)
{
	return a->id == b->id && a->serial == b->serial && memcmp(a->pub, b->pub, 32) == 0 &&
	       memcmp(a->sig, b->sig, sizeof(a->sig)) == 0;
}

/* Our keys a datagram with this hint may be sealed to. */
static int own_keys(const rtx_ident *id, uint8_t hint, uint64_t t, const struct own_key *k[2])
{
	int n = 0;

	if (id->cur.has && (uint8_t)id->cur.cert.serial == hint)
		k[n++] = &id->cur;
	if (id->prev.has && t < id->prev.until_ns && (uint8_t)id->prev.cert.serial == hint)
		k[n++] = &id->prev;
	return n;
}

/* An attached certificate we do not hold: checked, within the budget. */
static int fresh_cert(rtx_ident *id, const struct rtx_cert *c, uint64_t t)
{
	int rc = cert_check(id, c, wall(id));

	if (rc < 0) {
		id->st.certs_rejected++;
		return rc;
	}
	if (is_revoked(id, c)) {
		id->st.revoked++;
		return -EKEYREVOKED;
	}
	if (!rtx_bucket_take(&id->budget, id->cfg.verify_rate, id->cfg.verify_burst, t, 1)) {
		id->st.budget_refused++;
		return -EBUSY;
	}
	id->st.certs_verified++;
	if (rtx_cert_verify(c, id->cfg.ca_pub) < 0) {
		id->st.certs_rejected++;
		return -EKEYREJECTED;
	}
	return 0;
}

/* The sender's certificates to try: the attached one, else what we hold
 * (and its previous one during a renewal). Returns how many, or an error. */
static int sender_certs(rtx_ident *id, const struct rtx_env *e, struct pent *p, uint64_t t,
			struct rtx_cert c[2], bool *fresh)
{
	int n = 0, rc;

	*fresh = false;
	if (e->cert) {
		if (rtx_cert_decode(e->cert, RTX_CERT_BYTES, &c[0]) < 0 || c[0].id != e->sender)
			return -EACCES;
		if ((p && same_cert(&p->cur, &c[0])) || (p && p->has_prev && same_cert(&p->prev, &c[0])))
			return 1;
		if ((rc = fresh_cert(id, &c[0], t)) < 0)
			return rc;
		*fresh = true;
		return 1;
	}
	if (!p || !p->cur.id) {
		id->st.unknown_sender++;
		return -ENOKEY;
	}
	if (is_revoked(id, &p->cur)) {
		id->st.revoked++;
		return -EKEYREVOKED;
	}
	if (cert_check(id, &p->cur, wall(id)) < 0)
		return -EKEYEXPIRED;
	c[n++] = p->cur;
	if (p->has_prev && t < p->prev_until_ns)
		c[n++] = p->prev;
	return n;
}

/* Try one (our key, its certificate) pair under every domain key. */
static bool try_pair(rtx_ident *id, struct pent *p, const struct own_key *k, const struct rtx_cert *c,
		     bool fresh, const uint8_t *buf, size_t len, const struct rtx_env *e,
		     const uint8_t *const *dk, int n, struct rtx_opened *out)
{
	uint8_t s[32], key[32];
	bool ok = false;

	if ((fresh || !p ? dh_compute(k->sk, k->pk, c->pub, s) : shared_of(p, k, c, s)) < 0)
		return false;
	for (int i = 0; i < n && !ok; i++) {
		if (fresh || !p)
			derive(s, e->sender, id->cfg.self_id, dk[i], key);
		else
			cached_key(p, k, c, false, e->sender, id->cfg.self_id, dk[i], s, key);
		if (rtx_auth_verify(key, buf, len) == 0) {
			ok = true;
			out->key_index = i;
			out->cert = *c;
			out->new_cert = fresh;
			out->own_serial = k->cert.serial;
			out->own_current = k == &id->cur;
			memcpy(out->shared, s, 32);
		}
	}
	sodium_memzero(key, sizeof(key));
	sodium_memzero(s, sizeof(s));
	return ok;
}

int rtx_ident_open(rtx_ident *id, const uint8_t *buf, size_t len, const struct rtx_env *e,
		   const uint8_t *const *dk, int n, struct rtx_opened *out)
{
	const struct own_key *k[2];
	struct rtx_cert c[2];
	struct pent *p;
	uint64_t t = now(id);
	bool fresh;
	int nk, nc;

	if (e->receiver != id->cfg.self_id) {
		id->st.wrong_receiver++;
		return -EACCES;
	}
	nk = own_keys(id, e->hint, t, k);
	p = peer_find(id, e->sender);
	nc = sender_certs(id, e, p, t, c, &fresh);
	if (nc < 0)
		return nc;
	for (int i = 0; i < nk; i++)
		for (int j = 0; j < nc; j++)
			if (try_pair(id, p, k[i], &c[j], fresh, buf, len, e, dk, n, out))
				return 0;
	id->st.bad_mac++;
	return -EACCES;
}

void rtx_ident_commit(rtx_ident *id, const struct rtx_opened *o)
{
	struct pent *p = peer_get(id, o->cert.id);
	uint64_t t = now(id);
	struct dh *d;

	if (o->new_cert && (!p->cur.id || o->cert.not_before_ms >= p->cur.not_before_ms)) {
		if (p->cur.id && !same_cert(&p->cur, &o->cert)) {
			p->prev = p->cur;
			p->has_prev = true;
			p->prev_until_ns = t + id->cfg.key_grace_ns;
		}
		d = &p->dh[p->dh_next++ % DH_SLOTS];
		p->cur = o->cert;
		*d = (struct dh){ true, o->own_serial, o->cert.serial, { 0 } };
		memcpy(d->s, o->shared, 32);
	}
	/* It knows the key it sealed to (the previous one during a renewal:
	 * answers too large to carry a certificate are sealed to that). */
	p->confirmed_serial = o->own_serial;
	p->confirmed_ns = t;
	p->last_ns = t;
}

/* ---- addresses ---- */

static bool has_handle(const struct pent *p, uint64_t h)
{
	return (p->n_vh > 0 && p->vh[0] == h) || (p->n_vh > 1 && p->vh[1] == h);
}

static void validate(struct pent *p, uint64_t h)
{
	if (has_handle(p, h))
		return;
	p->vh[1] = p->vh[0];
	p->vh[0] = h;
	if (p->n_vh < 2)
		p->n_vh++;
}

bool rtx_ident_addr_ok(rtx_ident *id, uint32_t peer, uint64_t h)
{
	struct pent *p = peer_find(id, peer);

	return p && has_handle(p, h);
}

int rtx_ident_addr_set(rtx_ident *id, uint32_t peer, uint64_t h)
{
	struct pent *p = peer_find(id, peer);

	if (!p)
		return -ENOKEY;
	validate(p, h);
	return 0;
}

int rtx_ident_challenge(rtx_ident *id, uint32_t peer, uint64_t h, uint64_t *token)
{
	struct pent *p = peer_find(id, peer);
	uint64_t t = now(id);

	if (!p)
		return -ENOKEY;
	if (p->chal_token && p->chal_h == h && t - p->chal_ns < CHALLENGE_AGAIN_NS)
		return -EAGAIN;
	do
		randombytes_buf(&p->chal_token, sizeof(p->chal_token));
	while (!p->chal_token);
	p->chal_h = h;
	p->chal_ns = t;
	*token = p->chal_token;
	id->st.challenges_sent++;
	return 0;
}

int rtx_ident_path_echo(rtx_ident *id, uint32_t peer, uint64_t h, uint64_t echo)
{
	struct pent *p = peer_find(id, peer);

	if (!p || !p->chal_token || !echo || p->chal_h != h ||
	    sodium_memcmp(&echo, &p->chal_token, sizeof(echo)) != 0 ||
	    now(id) - p->chal_ns > CHALLENGE_LIFE_NS)
		return -ENOENT;
	p->chal_token = 0;
	validate(p, h);
	id->st.addrs_validated++;
	return 0;
}
