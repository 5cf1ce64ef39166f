/* Unit tests of the management server as certificate authority
 * (mg_trust, through mg_state) on a real store in a temporary folder and
 * a fake clock: certificates issued at registration that verify under the
 * CA key, renewal at half life, revocation by kick, ban and delete (also
 * of an edge), pruning once the revoked certificates expired, everything
 * kept across a reopen of the store, one CA key for two servers sharing a
 * store, and the certificates in the group, RET and burst answers (the
 * hand-written JSON equal to the jansson views). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mg_auth.h"
#include "mg_state.h"
#include "mg_view.h"
#include "sc_log.h"
#include "tu.h"

static const char *conf =
	"auth = { admins = ( { name = \"noc\"; token = \"noc-4f1c9a7e2b6d8053c1e9a4f7b2d6\"; } );\n"
	"  client_credential = \"box-8e2a6c0f4d9b1735e8c2a6f0d4b9\";\n"
	"  edge_credential = \"edge-3b7f1d9c5a2e8064b3f7d1c9a5e2\"; };\n"
	"clients = { heartbeat_ms = 1000; };\n"
	"trust = { cert_lifetime_s = 3600; };\n"
	"lineup = { metros = (\n"
	" { id = 1; name = \"m1\"; prefixes = [ \"2001:db8:1::/48\" ]; },\n"
	" { id = 2; name = \"m2\"; prefixes = [ \"2001:db8:2::/48\" ]; } );\n"
	" channels = ( { id = 1; name = \"One\"; } ); };\n";

#define LIFE_MS 3600000LL

static char dir[128], path[160];
static int dbno;
static struct mg_config *cfg;
static sc_clock *clk;
static mg_store *store;
static struct mg_state *st;

static struct mg_state *open_state(mg_store **s)
{
	struct mg_state *x = NULL;
	char why[256] = "";

	CU_ASSERT_EQUAL_FATAL(mg_store_open(path, false, NULL, s, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL_FATAL(mg_store_start(*s), 0);
	CU_ASSERT_EQUAL_FATAL(mg_state_new(cfg, clk, *s, &x), 0);
	if (mg_state_load(x, why, sizeof(why)) < 0)
		printf("load: %s\n", why);
	return x;
}

static void up_store(bool again)
{
	if (!again)
		snprintf(path, sizeof(path), "%s/trust%d.db", dir, ++dbno);
	st = open_state(&store);
}

static void close_state(struct mg_state *x, mg_store *s)
{
	mg_state_flush(x, true);
	mg_store_drain(s);
	mg_state_free(x);
	mg_store_close(s);
}

static void down(void)
{
	close_state(st, store);
	st = NULL;
	store = NULL;
}

static int suite_init(void)
{
	struct sc_cfg_err err;

	sc_log_set_level(LOG_ERR);
	mg_auth_init();
	snprintf(dir, sizeof(dir), "/tmp/sixcast-trust-XXXXXX");
	if (!mkdtemp(dir) || mg_cfg_load_string(conf, "t.conf", &cfg, &err) < 0)
		return 1;
	clk = sc_clock_fake_new(1000 * SC_NS_PER_S);
	return 0;
}

static int suite_clean(void)
{
	static const char *const sfx[] = { "", "-wal", "-shm" };
	char p[200];

	for (int n = 1; n <= dbno; n++)
		for (int i = 0; i < 3; i++) {
			snprintf(p, sizeof(p), "%s/trust%d.db%s", dir, n, sfx[i]);
			unlink(p);
		}
	rmdir(dir);
	mg_cfg_free(cfg);
	sc_clock_free(clk);
	return 0;
}

static void key(uint8_t pub[32], int seed)
{
	memset(pub, 0, 32);
	pub[0] = (uint8_t)seed;
	pub[31] = 0x40;
}

/* Register box dev in metro m with public key pub (NULL: none). */
static struct mg_client *reg(const char *dev, unsigned m, const uint8_t *pub)
{
	struct mg_register r = { .device_id = dev, .naddr = 1, .pub = pub };
	struct mg_batch *b = mg_batch_new();
	struct mg_client *c = NULL;
	char txt[64], token[MG_TOKEN_BUF];
	struct sc_sockaddr a;

	snprintf(txt, sizeof(txt), "[2001:db8:%x::%zx]:5100", m, strlen(dev));
	sc_addr_parse(txt, 0, &a);
	mg_caddr_from(&r.addrs[0], &a);
	CU_ASSERT_EQUAL(mg_client_register(st, &r, token, &c, b), 0);
	mg_store_submit(store, b, NULL, NULL);
	return c;
}

static struct mg_edge *edge_reg(const char *name, const uint8_t *pub)
{
	struct mg_edge_chan ch = { .id = 1 };
	struct mg_edge_reg r = { .name = name, .naddr = 1, .nret = 1, .chan = &ch, .nchan = 1,
				 .pub = pub };
	struct mg_batch *b = mg_batch_new();
	struct mg_edge *e = NULL;
	char token[MG_TOKEN_BUF];
	struct sc_sockaddr a;

	sc_addr_parse("2001:db8::10", 0, &a);
	mg_caddr_from(&r.addrs[0], &a);
	sc_addr_parse("[2001:db8::10]:5200", 0, &a);
	mg_caddr_from(&r.ret[0], &a);
	CU_ASSERT_EQUAL(mg_edge_register(st, &r, token, &e, b), 0);
	mg_store_submit(store, b, NULL, NULL);
	return e;
}

/* The certificate of a slot, decoded and checked under the CA key. */
static struct rtx_cert check(const struct mg_cert *m, uint32_t id, const uint8_t *pub)
{
	struct rtx_cert c = { 0 };

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(rtx_cert_decode(m->raw, RTX_CERT_BYTES, &c), 0);
	CU_ASSERT_EQUAL(rtx_cert_verify(&c, mg_trust_ca_pub(st)), 0);
	CU_ASSERT_EQUAL(c.issuer, mg_trust_ca_key_id(st));
	CU_ASSERT_EQUAL(c.id, id);
	CU_ASSERT_EQUAL(c.kind, (id & RTX_EDGE_ID_FLAG) ? RTX_CERT_EDGE : RTX_CERT_BOX);
	CU_ASSERT_EQUAL(memcmp(c.pub, pub, 32), 0);
	CU_ASSERT_EQUAL(c.serial, m->serial);
	CU_ASSERT_EQUAL((int64_t)c.not_before_ms, m->not_before_ms);
	CU_ASSERT_EQUAL((int64_t)c.not_after_ms, m->not_after_ms);
	CU_ASSERT_EQUAL(m->not_after_ms - m->not_before_ms, LIFE_MS);
	return c;
}

static void test_issue(void)
{
	uint8_t k1[32], k2[32];
	struct mg_client *a, *b;
	struct mg_edge *e;
	uint64_t issued;
	uint32_t serial;

	key(k1, 1);
	key(k2, 2);
	up_store(false);
	issued = mg_state_counters(st)->certs_issued;
	a = reg("is-a", 1, k1);
	check(a->cert, a->id, k1);
	CU_ASSERT_EQUAL(a->cert->not_before_ms, mg_state_now_ms(st));
	b = reg("is-b", 2, NULL);
	CU_ASSERT_PTR_NULL(b->cert); /* an old box: no key, no certificate */
	serial = a->cert->serial;
	/* Registering again certifies the key presented now. */
	a = reg("is-a", 1, k2);
	check(a->cert, a->id, k2);
	CU_ASSERT_NOT_EQUAL(a->cert->serial & 0xff, serial & 0xff);
	a = reg("is-a", 1, NULL);
	CU_ASSERT_PTR_NULL(a->cert);
	e = edge_reg("edge-1", k1);
	check(e->cert, RTX_EDGE_ID_FLAG | e->id, k1);
	CU_ASSERT_EQUAL(mg_state_counters(st)->certs_issued - issued, 3);
	CU_ASSERT_EQUAL(mg_trust_lifetime_ms(st), (uint64_t)LIFE_MS);
	down();
}

static void test_renew(void)
{
	uint8_t k1[32], k2[32];
	struct mg_client *a, *b;
	struct mg_edge *e;
	uint32_t serial;

	key(k1, 3);
	key(k2, 4);
	up_store(false);
	a = reg("rn-a", 1, k1);
	b = reg("rn-b", 2, NULL);
	serial = a->cert->serial;
	CU_ASSERT_EQUAL(mg_client_cert_refresh(st, a, NULL), 0);
	CU_ASSERT_EQUAL(mg_client_cert_refresh(st, a, k1), 0); /* the key it has */
	CU_ASSERT_EQUAL(mg_client_cert_refresh(st, b, NULL), 0);
	sc_clock_fake_advance(clk, (LIFE_MS / 2 - 1) * SC_NS_PER_MS);
	CU_ASSERT_EQUAL(mg_client_cert_refresh(st, a, NULL), 0);
	CU_ASSERT_EQUAL(a->cert->serial, serial);
	/* Half its life spent: the same key again, from now on. */
	sc_clock_fake_advance(clk, SC_NS_PER_MS);
	CU_ASSERT_EQUAL(mg_client_cert_refresh(st, a, NULL), 1);
	check(a->cert, a->id, k1);
	CU_ASSERT_NOT_EQUAL(a->cert->serial & 0xff, serial & 0xff);
	CU_ASSERT_EQUAL(a->cert->not_before_ms, mg_state_now_ms(st));
	CU_ASSERT(a->cert_dirty);
	/* A new key at any time. */
	CU_ASSERT_EQUAL(mg_client_cert_refresh(st, a, k2), 1);
	check(a->cert, a->id, k2);
	/* A box that had none gets one with its first key. */
	CU_ASSERT_EQUAL(mg_client_cert_refresh(st, b, k1), 1);
	check(b->cert, b->id, k1);
	e = edge_reg("edge-rn", NULL);
	CU_ASSERT_EQUAL(mg_edge_cert_refresh(st, e, NULL), 0);
	CU_ASSERT_EQUAL(mg_edge_cert_refresh(st, e, k2), 1);
	check(e->cert, RTX_EDGE_ID_FLAG | e->id, k2);
	down();
}

static bool listed(uint32_t id, int64_t before)
{
	size_t len;
	const char *j = mg_trust_revoked_json(st, &len);
	char want[64];

	snprintf(want, sizeof(want), "{\"id\":%u,\"before_ms\":%lld}", id, (long long)before);
	return j && strlen(j) == len && strstr(j, want);
}

static void test_revoke_and_prune(void)
{
	uint8_t k1[32];
	struct mg_client *a, *b, *c;
	struct mg_batch *bt = mg_batch_new();
	struct mg_edge *e;
	int64_t t0;
	uint32_t eid;
	size_t len;

	key(k1, 5);
	up_store(false);
	a = reg("rv-a", 1, k1);
	b = reg("rv-b", 2, k1);
	c = reg("rv-c", 1, NULL);
	e = edge_reg("edge-rv", k1);
	eid = RTX_EDGE_ID_FLAG | e->id;
	CU_ASSERT_STRING_EQUAL(mg_trust_revoked_json(st, &len), "[]");
	t0 = mg_state_now_ms(st);
	mg_client_kick(st, a, false, "admin:noc", "test", bt);
	CU_ASSERT_PTR_NULL(a->cert);
	CU_ASSERT_EQUAL(mg_trust_revoked_before(st, a->id), t0);
	CU_ASSERT(listed(a->id, t0));
	/* Back in the same millisecond: the new certificate is younger than
	 * the revocation, or peers would refuse it. */
	a = reg("rv-a", 1, k1);
	CU_ASSERT(a->cert->not_before_ms > t0);
	sc_clock_fake_advance(clk, 10 * SC_NS_PER_MS);
	mg_client_kick(st, b, true, "admin:noc", NULL, bt); /* a ban */
	mg_client_delete(st, c, "admin:noc", bt);           /* no certificate, still revoked */
	mg_edge_delete(st, e, "admin:noc", bt);
	CU_ASSERT_EQUAL(mg_trust_revocations(st), 4);
	CU_ASSERT(listed(eid, t0 + 10));
	CU_ASSERT_EQUAL(mg_state_counters(st)->revocations, 4);
	mg_store_submit(store, bt, NULL, NULL);
	/* Kept while a revoked certificate may live, then forgotten. */
	sc_clock_fake_advance(clk, (LIFE_MS - 11) * SC_NS_PER_MS);
	mg_state_sweep(st);
	CU_ASSERT_EQUAL(mg_trust_revocations(st), 4);
	sc_clock_fake_advance(clk, SC_NS_PER_MS);
	mg_state_sweep(st);
	CU_ASSERT_EQUAL(mg_trust_revocations(st), 3);
	CU_ASSERT_EQUAL(mg_trust_revoked_before(st, a->id), -1);
	sc_clock_fake_advance(clk, 10 * SC_NS_PER_MS);
	mg_state_sweep(st);
	CU_ASSERT_STRING_EQUAL(mg_trust_revoked_json(st, &len), "[]");
	down();
	/* The pruning reached the store. */
	up_store(true);
	CU_ASSERT_EQUAL(mg_trust_revocations(st), 0);
	down();
}

static int count_rev(void *ctx, const struct mg_row_revocation *r)
{
	(void)r;
	(*(int *)ctx)++;
	return 0;
}

static void test_persist(void)
{
	uint8_t k1[32], k2[32], ca[32], raw[RTX_CERT_BYTES], eraw[RTX_CERT_BYTES];
	struct mg_batch *bt = mg_batch_new();
	struct mg_client *a, *b;
	struct mg_edge *e;
	uint32_t aid, bid, eid;
	int64_t t0;

	key(k1, 6);
	key(k2, 7);
	up_store(false);
	memcpy(ca, mg_trust_ca_pub(st), 32);
	a = reg("ps-a", 1, k1);
	b = reg("ps-b", 2, k2);
	e = edge_reg("edge-ps", k2);
	aid = a->id;
	bid = b->id;
	eid = e->id;
	sc_clock_fake_advance(clk, LIFE_MS / 2 * SC_NS_PER_MS);
	CU_ASSERT_EQUAL(mg_client_cert_refresh(st, a, NULL), 1); /* written behind */
	CU_ASSERT_EQUAL(mg_edge_cert_refresh(st, e, k1), 1);
	memcpy(raw, a->cert->raw, sizeof(raw));
	memcpy(eraw, e->cert->raw, sizeof(eraw));
	t0 = mg_state_now_ms(st);
	mg_client_kick(st, b, false, "admin:noc", NULL, bt);
	mg_store_submit(store, bt, NULL, NULL);
	down();
	up_store(true);
	CU_ASSERT_EQUAL(memcmp(mg_trust_ca_pub(st), ca, 32), 0);
	a = mg_client_get(st, aid);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a->cert);
	CU_ASSERT_EQUAL(memcmp(a->cert->raw, raw, sizeof(raw)), 0);
	check(a->cert, aid, k1);
	e = mg_edge_get(st, eid);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e->cert);
	CU_ASSERT_EQUAL(memcmp(e->cert->raw, eraw, sizeof(eraw)), 0);
	CU_ASSERT_PTR_NULL(mg_client_get(st, bid)->cert);
	CU_ASSERT_EQUAL(mg_trust_revoked_before(st, bid), t0);
	down();
	/* Expired while the server was down: forgotten, in the store too. */
	sc_clock_fake_advance(clk, (LIFE_MS + 1) * SC_NS_PER_MS);
	up_store(true);
	CU_ASSERT_EQUAL(mg_trust_revocations(st), 0);
	down();
	{
		mg_store *s;
		int n = 0;

		CU_ASSERT_EQUAL_FATAL(mg_store_open(path, false, NULL, &s, NULL, 0), 0);
		CU_ASSERT_EQUAL(mg_store_each_revocation(s, count_rev, &n), 0);
		CU_ASSERT_EQUAL(n, 0);
		mg_store_close(s);
	}
}

static void test_shared_store(void)
{
	mg_store *s2;
	struct mg_state *st2;

	up_store(false);
	st2 = open_state(&s2); /* a second server on the same store */
	CU_ASSERT_EQUAL(memcmp(mg_trust_ca_pub(st), mg_trust_ca_pub(st2), 32), 0);
	CU_ASSERT_EQUAL(mg_trust_ca_key_id(st), mg_trust_ca_key_id(st2));
	close_state(st2, s2);
	down();
}

/* The hand-written JSON (mg_jw) of v and the jansson view are equal. */
static void same_json(void (*jw)(struct mg_jw *, const struct mg_state *, const struct mg_channel *),
		      const struct mg_channel *ch, json_t *view)
{
	struct mg_jw w;
	size_t len;
	char *text;
	json_t *a;

	mg_jw_init(&w);
	jw(&w, st, ch);
	text = mg_jw_take(&w, &len);
	a = text ? json_loads(text, 0, NULL) : NULL;
	CU_ASSERT(json_equal(a, view));
	free(text);
	json_decref(a);
	json_decref(view);
}

static void test_answers(void)
{
	uint8_t k1[32], k2[32];
	struct mg_client *a, *b;
	struct mg_channel *ch;
	struct mg_edge *e;
	json_t *g, *m, *r;
	char *tail;
	struct mg_jw w;
	size_t len;

	key(k1, 8);
	key(k2, 9);
	up_store(false);
	a = reg("an-a", 1, k1);
	b = reg("an-b", 2, NULL);
	mg_client_tune(st, a, 1);
	mg_client_tune(st, b, 1);
	e = edge_reg("edge-an", k2);
	ch = mg_channel_get(st, 1);
	/* The group with the key: the members' certificates (none for b). */
	g = mg_view_group(st, mg_client_group(a), true, false);
	mg_jw_init(&w);
	mg_jw_group(&w, st, mg_client_group(a), true);
	tail = mg_jw_take(&w, &len);
	m = json_loads(tail, 0, NULL);
	CU_ASSERT(json_equal(m, g));
	for (size_t i = 0; i < 2; i++) {
		json_t *o = json_array_get(json_object_get(g, "members"), i);
		json_int_t id = json_integer_value(json_object_get(o, "client_id"));
		json_t *cert = json_object_get(o, "cert");
		char hex[2 * RTX_CERT_BYTES + 1];

		if (id == a->id) {
			rtx_hex(a->cert->raw, RTX_CERT_BYTES, hex);
			CU_ASSERT_STRING_EQUAL(json_string_value(cert), hex);
		} else {
			CU_ASSERT_PTR_NULL(cert);
		}
	}
	free(tail);
	json_decref(m);
	json_decref(g);
	g = mg_view_group(st, mg_client_group(a), false, true); /* the NOC's lists: no certificates */
	CU_ASSERT_PTR_NULL(json_object_get(json_array_get(json_object_get(g, "members"), 0), "cert"));
	json_decref(g);
	/* RET and burst: the flat list and one server per edge with its certificate. */
	r = mg_view_ret(st, ch);
	m = json_array_get(json_object_get(r, "servers"), 0);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(m, "edge_id")), e->id);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(m, "id")), RTX_EDGE_ID_FLAG | e->id);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(json_object_get(m, "addrs"), 0)),
			       "[2001:db8::10]:5200");
	CU_ASSERT_EQUAL(json_string_length(json_object_get(m, "cert")), 2 * RTX_CERT_BYTES);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(r, "addrs")), 1);
	same_json(mg_jw_ret, ch, r);
	same_json(mg_jw_burst, ch, mg_view_burst(st, ch));
	/* The cached parts of the tune answer follow the edge's renewal. */
	CU_ASSERT_EQUAL(mg_tune_parts(st, ch), 0);
	tail = strdup(ch->tune_tail);
	CU_ASSERT_EQUAL(mg_edge_cert_refresh(st, e, k1), 1);
	CU_ASSERT_EQUAL(mg_tune_parts(st, ch), 0);
	CU_ASSERT_STRING_NOT_EQUAL(tail, ch->tune_tail);
	free(tail);
	down();
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "certificates at registration", test_issue },
		{ "renewal at half life", test_renew },
		{ "revocation and pruning", test_revoke_and_prune },
		{ "kept across a restart", test_persist },
		{ "one CA for servers sharing a store", test_shared_store },
		{ "certificates in the answers", test_answers },
		{ NULL, NULL },
	};
	CU_pSuite s = CU_add_suite("mg_trust", suite_init, suite_clean);

	if (!s)
		return CU_get_error();
	for (const struct tu_test *t = tests; t->name; t++)
		if (!CU_add_test(s, t->name, t->fn))
			return CU_get_error();
	return 0;
}
