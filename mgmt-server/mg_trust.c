/* mg_trust: the management server as certificate authority. Its Ed25519
 * key pair lives in the store (made at the first start); it signs member
 * certificates (retransmit/rtx_ident.h) binding a box's client id or an
 * edge's wire id to the X25519 key the member made itself, for
 * trust.cert_lifetime_s; it keeps the revocations of kicked, banned and
 * forgotten members while the certificates they cover may still be valid.
 * Part of mg_state; docs/mgmt-server.md, "Certificates and revocation". */
#include "config.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mg_auth.h"
#include "mg_jw.h"
#include "mg_state_priv.h"
#include "sc_log.h"

static int keygen(void *ctx, uint8_t *pub, uint8_t *secret)
{
	(void)ctx;
	return rtx_ca_keygen(pub, secret);
}

static int64_t lifetime_ms(const struct mg_state *st)
{
	return (int64_t)st->cfg->trust.cert_lifetime_s * 1000;
}

const uint8_t *mg_trust_ca_pub(const struct mg_state *st)
{
	return st->trust.ca_pub;
}

uint32_t mg_trust_ca_key_id(const struct mg_state *st)
{
	return st->trust.key_id;
}

uint64_t mg_trust_lifetime_ms(const struct mg_state *st)
{
	return (uint64_t)lifetime_ms(st);
}

size_t mg_trust_revocations(const struct mg_state *st)
{
	return mg_idmap_count(&st->trust.revoked);
}

int64_t mg_trust_revoked_before(const struct mg_state *st, uint32_t wire)
{
	const struct mg_rev *r = mg_idmap_get(&st->trust.revoked, wire);

	return r ? r->before_ms : -1;
}

/* Put (or move forward) a revocation in memory. */
static int rev_put(struct mg_state *st, uint32_t member, int64_t before_ms, int64_t until_ms)
{
	struct mg_trust *t = &st->trust;
	struct mg_rev *r = mg_idmap_get(&t->revoked, member);

	if (!r) {
		if (!(r = calloc(1, sizeof(*r))) || mg_idmap_put(&t->revoked, member, r) < 0) {
			free(r);
			return -ENOMEM;
		}
		r->member = member;
	}
	if (before_ms > r->before_ms)
		r->before_ms = before_ms;
	if (until_ms > r->until_ms)
		r->until_ms = until_ms;
	if (!t->next_until_ms || r->until_ms < t->next_until_ms)
		t->next_until_ms = r->until_ms;
	free(t->revoked_json);
	t->revoked_json = NULL;
	return 0;
}

static int load_rev(void *ctx, const struct mg_row_revocation *r)
{
	struct mg_state *st = ctx;

	if (r->until_ms <= mg_state_now_ms(st) || !r->member)
		return 0; /* expired while the server was down */
	return rev_put(st, r->member, r->before_ms, r->until_ms);
}

int mg_trust_load(struct mg_state *st, char *why, size_t len)
{
	struct mg_trust *t = &st->trust;
	char hex[2 * RTX_CA_PUB_BYTES + 1];
	struct mg_batch *b;
	bool created;
	int rc;

	rc = mg_store_ca_ensure(st->store, keygen, NULL, t->ca_pub, sizeof(t->ca_pub), t->ca_secret,
				sizeof(t->ca_secret), mg_state_now_ms(st), &created);
	if (rc < 0) {
		snprintf(why, len, "cannot read or make the CA key: %s",
			 rc == -EPROTO ? "the stored key has the wrong size" : strerror(-rc));
		return rc;
	}
	t->key_id = rtx_ca_key_id(t->ca_pub);
	t->ready = true;
	rtx_hex(t->ca_pub, sizeof(t->ca_pub), hex);
	sc_log(created ? LOG_NOTICE : LOG_INFO, "%s the CA key %08x (public key %s)",
	       created ? "made" : "loaded", t->key_id, hex);
	if ((rc = mg_store_each_revocation(st->store, load_rev, st)) < 0) {
		snprintf(why, len, "cannot read the revocations from the store");
		return rc;
	}
	/* Those that expired while the server was down leave the store too
	 * (the sweeps only prune what is in memory). */
	if ((b = mg_batch_new()) && mg_batch_add(b, MG_SQL_REVOKE_PRUNE, "i", mg_state_now_ms(st)) == 0)
		mg_store_submit(st->store, b, NULL, NULL);
	else
		mg_batch_free(b);
	return 0;
}

void mg_trust_free(struct mg_state *st)
{
	struct mg_trust *t = &st->trust;
	size_t pos = 0;
	void *p;

	sodium_memzero(t->ca_secret, sizeof(t->ca_secret));
	while ((p = mg_idmap_next(&t->revoked, &pos, NULL)))
		free(p);
	mg_idmap_clear(&t->revoked);
	free(t->revoked_json);
	t->revoked_json = NULL;
}

/* Revocations whose certificates have all expired go, in memory now and
 * in the store with the next write. Cheap when nothing is due. */
void mg_trust_prune(struct mg_state *st)
{
	struct mg_trust *t = &st->trust;
	int64_t now = mg_state_now_ms(st), next = 0;
	size_t n = mg_idmap_count(&t->revoked), k = 0, pos = 0;
	uint32_t *gone, key;
	struct mg_batch *b;
	struct mg_rev *r;

	if (!t->next_until_ms || now < t->next_until_ms)
		return;
	/* The map must not change while it is walked: collect, then delete. */
	if (!(gone = malloc((n ? n : 1) * sizeof(*gone))))
		return;
	while ((r = mg_idmap_next(&t->revoked, &pos, &key))) {
		if (r->until_ms <= now)
			gone[k++] = key;
		else if (!next || r->until_ms < next)
			next = r->until_ms;
	}
	for (size_t i = 0; i < k; i++)
		free(mg_idmap_del(&t->revoked, gone[i]));
	free(gone);
	t->next_until_ms = next;
	if (!k)
		return;
	free(t->revoked_json);
	t->revoked_json = NULL;
	if ((b = mg_batch_new()) && mg_batch_add(b, MG_SQL_REVOKE_PRUNE, "i", now) == 0)
		mg_store_submit(st->store, b, NULL, NULL);
	else
		mg_batch_free(b);
}

static int cmp_rev(const void *a, const void *b)
{
	const struct mg_rev *x = *(const struct mg_rev *const *)a, *y = *(const struct mg_rev *const *)b;

	if (x->before_ms != y->before_ms)
		return x->before_ms < y->before_ms ? -1 : 1;
	return x->member < y->member ? -1 : x->member > y->member;
}

/* The one encoder of the "revoked" list, cached: it goes into every
 * heartbeat and load answer. */
static int build_revoked_json(struct mg_trust *t)
{
	size_t n = mg_idmap_count(&t->revoked), k = 0, pos = 0;
	struct mg_rev **v = malloc((n ? n : 1) * sizeof(*v)), *r;
	struct mg_jw w;

	if (!v)
		return -ENOMEM;
	while ((r = mg_idmap_next(&t->revoked, &pos, NULL)))
		v[k++] = r;
	qsort(v, k, sizeof(*v), cmp_rev);
	mg_jw_init(&w);
	mg_jw_arr(&w);
	for (size_t i = 0; i < k; i++) {
		mg_jw_obj(&w);
		mg_jw_key(&w, "id");
		mg_jw_u64(&w, v[i]->member);
		mg_jw_key(&w, "before_ms");
		mg_jw_u64(&w, (uint64_t)v[i]->before_ms);
		mg_jw_obj_end(&w);
	}
	mg_jw_arr_end(&w);
	free(v);
	t->revoked_json = mg_jw_take(&w, &t->revoked_json_len);
	return t->revoked_json ? 0 : -ENOMEM;
}

const char *mg_trust_revoked_json(struct mg_state *st, size_t *len)
{
	struct mg_trust *t = &st->trust;

	mg_trust_prune(st);
	if (!t->revoked_json && build_revoked_json(t) < 0)
		return NULL;
	*len = t->revoked_json_len;
	return t->revoked_json;
}

void mg_trust_revoke(struct mg_state *st, uint32_t wire, const struct mg_cert *cur,
		     const char *actor, const char *subject, const char *why, struct mg_batch *b)
{
	int64_t now = mg_state_now_ms(st), until = now + lifetime_ms(st);
	char detail[160];

	/* A certificate signed under a longer lifetime (before a reload cut
	 * it) stays revoked until it expires. */
	if (cur && cur->not_after_ms > until)
		until = cur->not_after_ms;
	if (rev_put(st, wire, now, until) < 0)
		sc_log(LOG_ERR, "out of memory: the revocation of %u is only in the store", wire);
	mg_batch_add(b, MG_SQL_REVOKE, "uii", wire, now, until);
	snprintf(detail, sizeof(detail), "{\"id\":%u,\"before_ms\":%lld,\"why\":\"%s\"}", wire,
		 (long long)now, why);
	mg_state_event(st, b, actor, "cert.revoke", subject, detail);
	st->cnt.revocations++;
}

void mg_cert_drop(struct mg_cert **slot)
{
	free(*slot);
	*slot = NULL;
}

void mg_cert_row(enum mg_sql sql, uint32_t id, const struct mg_cert *cert, struct mg_batch *b)
{
	if (cert)
		mg_batch_add(b, sql, "bu", cert->raw, (size_t)RTX_CERT_BYTES, id);
	else
		mg_batch_add(b, sql, "nu", id);
}

/* A serial whose low byte (the key hint of the envelope) differs from the
 * previous certificate's, so that peers pick the right key at once. */
static uint32_t new_serial(const struct mg_cert *prev)
{
	uint32_t s;

	do
		s = (uint32_t)mg_random_u64();
	while (!s || (prev && (s & 0xff) == (prev->serial & 0xff)));
	return s;
}

int mg_cert_issue(struct mg_state *st, struct mg_cert **slot, uint32_t wire, const uint8_t *pub)
{
	int64_t now = mg_state_now_ms(st), rev = mg_trust_revoked_before(st, wire);
	struct rtx_cert c = { .id = wire };
	struct mg_cert *m;

	if (!st->trust.ready)
		return -EAGAIN;
	/* Peers refuse a certificate not younger than the member's revocation
	 * (rtx_ident): one made in the millisecond of a kick must not be. */
	if (rev >= now)
		now = rev + 1;
	c.kind = (wire & RTX_EDGE_ID_FLAG) ? RTX_CERT_EDGE : RTX_CERT_BOX;
	c.serial = new_serial(*slot);
	c.not_before_ms = (uint64_t)now;
	c.not_after_ms = (uint64_t)(now + lifetime_ms(st));
	memcpy(c.pub, pub, RTX_PUB_BYTES);
	if (wire == 0 || wire == RTX_EDGE_ID_FLAG || rtx_cert_sign(&c, st->trust.ca_secret) < 0)
		return -ERANGE;
	if (!(m = *slot) && !(m = malloc(sizeof(*m))))
		return -ENOMEM;
	rtx_cert_encode(&c, m->raw);
	m->serial = c.serial;
	m->not_before_ms = now;
	m->not_after_ms = (int64_t)c.not_after_ms;
	*slot = m;
	st->cnt.certs_issued++;
	return 0;
}

int mg_cert_refresh(struct mg_state *st, struct mg_cert **slot, uint32_t wire, const uint8_t *pub)
{
	const struct mg_cert *c = *slot;
	uint8_t same[RTX_PUB_BYTES];
	int rc;

	if (pub && (!c || sodium_memcmp(pub, c->raw + 32, RTX_PUB_BYTES) != 0))
		return (rc = mg_cert_issue(st, slot, wire, pub)) < 0 ? rc : 1;
	if (!c || mg_state_now_ms(st) < c->not_before_ms + (c->not_after_ms - c->not_before_ms) / 2)
		return 0;
	memcpy(same, c->raw + 32, sizeof(same));
	return (rc = mg_cert_issue(st, slot, wire, same)) < 0 ? rc : 1;
}

void mg_cert_restore(struct mg_state *st, struct mg_cert **slot, uint32_t wire, const uint8_t *raw,
		     size_t len)
{
	struct rtx_cert c;
	struct mg_cert *m;

	*slot = NULL;
	if (!raw || rtx_cert_decode(raw, len, &c) < 0 || c.id != wire ||
	    c.issuer != st->trust.key_id ||
	    (int64_t)c.not_before_ms <= mg_trust_revoked_before(st, wire) ||
	    !(m = malloc(sizeof(*m))))
		return;
	memcpy(m->raw, raw, RTX_CERT_BYTES);
	m->serial = c.serial;
	m->not_before_ms = (int64_t)c.not_before_ms;
	m->not_after_ms = (int64_t)c.not_after_ms;
	*slot = m;
}

int mg_client_cert_refresh(struct mg_state *st, struct mg_client *c, const uint8_t *pub)
{
	int rc = mg_cert_refresh(st, &c->cert, c->id, pub);

	if (rc > 0) {
		c->cert_dirty = 1;
		mg_client_dirty(st, c);
	}
	return rc;
}

int mg_edge_cert_refresh(struct mg_state *st, struct mg_edge *e, const uint8_t *pub)
{
	int rc = mg_cert_refresh(st, &e->cert, mg_edge_wire_id(e), pub);

	if (rc > 0) {
		e->cert_dirty = e->dirty = true;
		st->edges_dirty = true;
	}
	return rc;
}
