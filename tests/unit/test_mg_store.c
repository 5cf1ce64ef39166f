/* Unit tests of mg_store: schema creation and migration, refusal of a
 * newer schema, batches committed by the writer thread with completions,
 * a failing batch that does not undo its neighbours, the loaders and the
 * event-log query; the CA's key pair made once per store and shared by
 * two servers on it; member certificates and revocations. Uses a
 * temporary folder. */
#include "config.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mg_store.h"
#include "tu.h"

static char dir[256], path[300];
static int done_rc[64], ndone;

static void setup_dir(void)
{
	snprintf(dir, sizeof(dir), "/tmp/sixcast-store-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/mgmt.db", dir);
}

static void cleanup_dir(void)
{
	char p[400];
	static const char *const suffix[] = { "", "-wal", "-shm" };

	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffix[i]);
		unlink(p);
	}
	rmdir(dir);
}

static void on_done(void *arg, int rc)
{
	(void)arg;
	if (ndone < 64)
		done_rc[ndone] = rc;
	ndone++;
}

static mg_store *open_store(void)
{
	char why[256] = "";
	mg_store *s = NULL;

	CU_ASSERT_EQUAL(mg_store_open(path, true, NULL, &s, why, sizeof(why)), 0);
	if (!s)
		printf("open: %s\n", why);
	else
		CU_ASSERT_EQUAL(mg_store_start(s), 0);
	return s;
}

static int count_client(void *ctx, const struct mg_row_client *r)
{
	int *n = ctx;

	if (r->id == 7 && r->channel) {
		CU_ASSERT_STRING_EQUAL(r->device_id, "stb-7");
		CU_ASSERT_EQUAL(r->token_hash_len, 16);
		CU_ASSERT_EQUAL(r->metro, 2);
		CU_ASSERT_EQUAL(r->channel, 5);
		CU_ASSERT_EQUAL(r->stats[1], 3);
	}
	(*n)++;
	return 0;
}

static int metro_seen(void *ctx, const struct mg_row_metro *r)
{
	int *n = ctx;

	CU_ASSERT_EQUAL(r->id, 1);
	CU_ASSERT_STRING_EQUAL(r->name, "north");
	CU_ASSERT_EQUAL(r->nprefix, 2);
	if (r->nprefix == 2) {
		CU_ASSERT_STRING_EQUAL(r->prefix[0], "10.1.0.0/16");
		CU_ASSERT_STRING_EQUAL(r->prefix[1], "2001:db8:1::/48");
	}
	(*n)++;
	return 0;
}

static void test_roundtrip(void)
{
	uint8_t hash[16] = { 1, 2, 3 };
	struct mg_batch *b;
	mg_store *s;
	int n = 0;
	int64_t v;

	setup_dir();
	s = open_store();
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	b = mg_batch_new();
	CU_ASSERT_EQUAL(mg_batch_add(b, MG_SQL_METRO_PUT, "uti", 1u, "north", (int64_t)1000), 0);
	CU_ASSERT_EQUAL(mg_batch_add(b, MG_SQL_PREFIX_ADD, "ut", 1u, "2001:db8:1::/48"), 0);
	CU_ASSERT_EQUAL(mg_batch_add(b, MG_SQL_PREFIX_ADD, "ut", 1u, "10.1.0.0/16"), 0);
	CU_ASSERT_EQUAL(mg_batch_add(b, MG_SQL_CLIENT_PUT, "utbuutuiui", 7u, "stb-7", hash,
				     sizeof(hash), 2u, 0u, "[]", 0u, (int64_t)5, 0u, (int64_t)0), 0);
	CU_ASSERT_EQUAL(mg_batch_add(b, MG_SQL_CLIENT_LIVE, "uiiiiiiiiu", 5u, (int64_t)77, (int64_t)100,
				     (int64_t)3, (int64_t)2, (int64_t)0, (int64_t)0, (int64_t)1, (int64_t)0,
				     7u), 0);
	CU_ASSERT_EQUAL(mg_batch_add(b, MG_SQL_SEQ_PUT, "ti", "version", (int64_t)123456), 0);
	CU_ASSERT_EQUAL(mg_batch_add(b, MG_SQL_EVENT, "x", 1u), -EINVAL);
	CU_ASSERT_EQUAL(mg_batch_count(b), 6);
	ndone = 0;
	mg_store_submit(s, b, on_done, NULL);
	CU_ASSERT_EQUAL(mg_store_drain(s), 0);
	CU_ASSERT_EQUAL(ndone, 1);
	CU_ASSERT_EQUAL(done_rc[0], 0);
	mg_store_close(s);

	/* Reopen: everything is there, the schema is not migrated again. */
	s = open_store();
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(mg_store_each_client(s, count_client, &n), 0);
	CU_ASSERT_EQUAL(n, 1);
	n = 0;
	CU_ASSERT_EQUAL(mg_store_each_metro(s, metro_seen, &n), 0);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(mg_store_seq_get(s, "version", &v), 0);
	CU_ASSERT_EQUAL(v, 123456);
	CU_ASSERT_EQUAL(mg_store_seq_get(s, "nothing", &v), 0);
	CU_ASSERT_EQUAL(v, 0);
	mg_store_close(s);
	cleanup_dir();
}

static void test_failed_batch_alone(void)
{
	uint8_t hash[16] = { 0 };
	struct mg_batch *b;
	mg_store *s;
	int n = 0;

	setup_dir();
	s = open_store();
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	ndone = 0;
	/* Three batches in flight; the second violates the unique device id
	 * and must fail alone. */
	for (uint32_t i = 1; i <= 3; i++) {
		b = mg_batch_new();
		mg_batch_add(b, MG_SQL_CLIENT_PUT, "utbuutuiui", i, i == 2 ? "stb-1" : (i == 1 ? "stb-1" : "stb-3"),
			     hash, sizeof(hash), 0u, 0u, "[]", 0u, (int64_t)0, 0u, (int64_t)0);
		mg_batch_add(b, MG_SQL_EVENT, "itttt", (int64_t)i, "test", "client.register", "x", NULL);
		mg_store_submit(s, b, on_done, NULL);
	}
	mg_store_drain(s);
	CU_ASSERT_EQUAL(ndone, 3);
	CU_ASSERT_EQUAL(done_rc[0], 0);
	CU_ASSERT_EQUAL(done_rc[1], -EIO);
	CU_ASSERT_EQUAL(done_rc[2], 0);
	mg_store_each_client(s, count_client, &n);
	CU_ASSERT_EQUAL(n, 2);
	mg_store_close(s);
	cleanup_dir();
}

static void test_newer_schema_refused(void)
{
	char why[256] = "";
	sqlite3 *db;
	mg_store *s = NULL;

	setup_dir();
	CU_ASSERT_EQUAL(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL);
	sqlite3_close(db);
	CU_ASSERT_EQUAL(mg_store_open(path, false, NULL, &s, why, sizeof(why)), -EPROTO);
	CU_ASSERT_PTR_NULL(s);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "newer"));
	cleanup_dir();
	CU_ASSERT(mg_store_open("/nonexistent/dir/x.db", false, NULL, &s, why, sizeof(why)) < 0);
}

static void test_migrates_from_empty(void)
{
	char why[256] = "";
	sqlite3 *db;
	sqlite3_stmt *st;
	mg_store *s = NULL;

	/* A store from before any schema (version 0, an unrelated table). */
	setup_dir();
	CU_ASSERT_EQUAL(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_exec(db, "CREATE TABLE notes(x)", NULL, NULL, NULL);
	sqlite3_close(db);
	CU_ASSERT_EQUAL(mg_store_open(path, false, NULL, &s, why, sizeof(why)), 0);
	mg_store_close(s);
	CU_ASSERT_EQUAL(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
	CU_ASSERT_EQUAL(sqlite3_step(st), SQLITE_ROW);
	CU_ASSERT_EQUAL(sqlite3_column_int(st, 0), MG_STORE_SCHEMA);
	sqlite3_finalize(st);
	sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL);
	CU_ASSERT_EQUAL(sqlite3_step(st), SQLITE_ROW);
	CU_ASSERT_STRING_EQUAL((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	sqlite3_close(db);
	cleanup_dir();
}

static int64_t seen[100];
static int nseen;

static int event_seen(void *ctx, const struct mg_row_event *r)
{
	(void)ctx;
	if (nseen < 100)
		seen[nseen++] = r->id;
	return 0;
}

static void test_events_query(void)
{
	struct mg_event_query q = { 0 };
	struct mg_batch *b;
	mg_store *s;

	setup_dir();
	s = open_store();
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	b = mg_batch_new();
	for (int i = 1; i <= 30; i++)
		mg_batch_add(b, MG_SQL_EVENT, "itttt", (int64_t)i, i % 2 ? "admin:noc" : "system",
			     i % 3 ? "channel.update" : "client.kick", "channel:1", "{}");
	mg_store_submit(s, b, NULL, NULL);
	mg_store_drain(s);
	q.limit = 5;
	nseen = 0;
	mg_store_events(s, &q, event_seen, NULL);
	CU_ASSERT_EQUAL(nseen, 5);
	CU_ASSERT_EQUAL(seen[0], 30); /* newest first */
	q.before_id = 26;
	nseen = 0;
	mg_store_events(s, &q, event_seen, NULL);
	CU_ASSERT_EQUAL(seen[0], 25);
	q.before_id = 0;
	q.after_id = 28;
	nseen = 0;
	mg_store_events(s, &q, event_seen, NULL);
	CU_ASSERT_EQUAL(nseen, 2);
	CU_ASSERT_EQUAL(seen[0], 29); /* oldest first after a point */
	q.after_id = 0;
	q.limit = 100;
	q.type = "client.";
	q.actor = "system";
	nseen = 0;
	mg_store_events(s, &q, event_seen, NULL);
	CU_ASSERT_EQUAL(nseen, 5); /* even multiples of 3: 6 12 18 24 30 */
	/* Pruning keeps the newest. */
	b = mg_batch_new();
	mg_batch_add(b, MG_SQL_EVENTS_PRUNE, "i", (int64_t)10);
	mg_store_submit(s, b, NULL, NULL);
	mg_store_drain(s);
	memset(&q, 0, sizeof(q));
	q.limit = 100;
	nseen = 0;
	mg_store_events(s, &q, event_seen, NULL);
	CU_ASSERT_EQUAL(nseen, 10);
	CU_ASSERT_EQUAL(seen[9], 21);
	mg_store_close(s);
	cleanup_dir();
}

static void test_many_batches(void)
{
	struct mg_store_stats st;
	mg_store *s;
	int n = 0;

	setup_dir();
	s = open_store();
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	ndone = 0;
	for (uint32_t i = 1; i <= 2000; i++) {
		struct mg_batch *b = mg_batch_new();
		char dev[32];

		snprintf(dev, sizeof(dev), "stb-%u", i);
		mg_batch_add(b, MG_SQL_CLIENT_PUT, "utnuutuiui", i, dev, 0u, 0u, "[]", 0u,
			     (int64_t)0, 0u, (int64_t)0);
		mg_store_submit(s, b, on_done, NULL);
	}
	mg_store_drain(s);
	mg_store_get_stats(s, &st);
	CU_ASSERT_EQUAL(st.batches, 2000);
	CU_ASSERT(st.commits >= 1 && st.commits <= 2000);
	CU_ASSERT_EQUAL(st.queued, 0);
	CU_ASSERT_EQUAL(st.failed, 0);
	CU_ASSERT_EQUAL(ndone, 2000);
	mg_store_each_client(s, count_client, &n);
	CU_ASSERT_EQUAL(n, 2000);
	mg_store_close(s);
	cleanup_dir();
}

static int gens;

static int fake_keygen(void *ctx, uint8_t *pub, uint8_t *secret)
{
	(void)ctx;
	gens++;
	memset(pub, 0x11 * gens, 32);
	memset(secret, 0x22 * gens, 64);
	return 0;
}

static void test_ca_once(void)
{
	uint8_t pub[32], sec[64], pub2[32], sec2[64], small[16];
	mg_store *s, *t;
	bool created;

	setup_dir();
	gens = 0;
	s = open_store();
	t = open_store(); /* a second server on the same store */
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(mg_store_ca_ensure(s, fake_keygen, NULL, pub, 32, sec, 64, 1700000000000LL, &created), 0);
	CU_ASSERT(created);
	CU_ASSERT_EQUAL(mg_store_ca_ensure(t, fake_keygen, NULL, pub2, 32, sec2, 64, 1700000000000LL, &created), 0);
	CU_ASSERT_FALSE(created);
	CU_ASSERT_EQUAL(gens, 1);
	CU_ASSERT_EQUAL(memcmp(pub, pub2, 32), 0);
	CU_ASSERT_EQUAL(memcmp(sec, sec2, 64), 0);
	/* A pair of other sizes is not silently cut. */
	CU_ASSERT_EQUAL(mg_store_ca_ensure(t, fake_keygen, NULL, small, 16, sec2, 64, 1700000000000LL, &created),
			-EPROTO);
	mg_store_close(t);
	mg_store_close(s);
	s = open_store();
	CU_ASSERT_EQUAL(mg_store_ca_ensure(s, fake_keygen, NULL, pub2, 32, sec2, 64, 1700000000000LL, &created), 0);
	CU_ASSERT_FALSE(created);
	CU_ASSERT_EQUAL(memcmp(pub, pub2, 32), 0);
	mg_store_close(s);
	cleanup_dir();
}

static int nrev;
static struct mg_row_revocation revs[8];

static int rev_seen(void *ctx, const struct mg_row_revocation *r)
{
	(void)ctx;
	if (nrev < 8)
		revs[nrev++] = *r;
	return 0;
}

static int cert_seen(void *ctx, const struct mg_row_client *r)
{
	int *n = ctx;

	if (r->id == 3) {
		CU_ASSERT_EQUAL(r->cert_len, 128);
		CU_ASSERT(r->cert && r->cert[0] == 0x53 && r->cert[127] == 0x7f);
	} else {
		CU_ASSERT_PTR_NULL(r->cert);
	}
	(*n)++;
	return 0;
}

static int edge_cert_seen(void *ctx, const struct mg_row_edge *r)
{
	int *n = ctx;

	CU_ASSERT_EQUAL(r->cert_len, 128);
	(*n)++;
	return 0;
}

static void test_certs_and_revocations(void)
{
	uint8_t cert[128];
	struct mg_batch *b;
	mg_store *s;
	int n = 0;

	memset(cert, 0x7f, sizeof(cert));
	cert[0] = 0x53;
	setup_dir();
	s = open_store();
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	b = mg_batch_new();
	for (uint32_t i = 3; i <= 4; i++)
		mg_batch_add(b, MG_SQL_CLIENT_PUT, "utnuutuiui", i, i == 3 ? "c3" : "c4", 0u, 0u, "[]",
			     0u, (int64_t)0, 0u, (int64_t)0);
	mg_batch_add(b, MG_SQL_CLIENT_CERT, "bu", cert, sizeof(cert), 3u);
	mg_batch_add(b, MG_SQL_CLIENT_CERT, "nu", 4u);
	mg_batch_add(b, MG_SQL_EDGE_PUT, "utnttttii", 1u, "e1", "[]", "[]", "[]", "[]", (int64_t)0,
		     (int64_t)0);
	mg_batch_add(b, MG_SQL_EDGE_CERT, "bu", cert, sizeof(cert), 1u);
	/* One row per member: the later revocation of 5 covers the first. */
	mg_batch_add(b, MG_SQL_REVOKE, "uii", 5u, (int64_t)1000, (int64_t)2000);
	mg_batch_add(b, MG_SQL_REVOKE, "uii", 5u, (int64_t)1500, (int64_t)2500);
	mg_batch_add(b, MG_SQL_REVOKE, "uii", 0x80000001u, (int64_t)1200, (int64_t)2200);
	mg_batch_add(b, MG_SQL_REVOKE, "uii", 6u, (int64_t)100, (int64_t)200);
	mg_batch_add(b, MG_SQL_REVOKE_PRUNE, "i", (int64_t)1000);
	mg_store_submit(s, b, on_done, NULL);
	ndone = 0;
	mg_store_drain(s);
	CU_ASSERT_EQUAL(done_rc[0], 0);
	mg_store_close(s);
	s = open_store();
	CU_ASSERT_EQUAL(mg_store_each_client(s, cert_seen, &n), 0);
	CU_ASSERT_EQUAL(n, 2);
	n = 0;
	CU_ASSERT_EQUAL(mg_store_each_edge(s, edge_cert_seen, &n), 0);
	CU_ASSERT_EQUAL(n, 1);
	nrev = 0;
	CU_ASSERT_EQUAL(mg_store_each_revocation(s, rev_seen, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(nrev, 2); /* 6 was pruned */
	CU_ASSERT_EQUAL(revs[0].member, 0x80000001u);
	CU_ASSERT_EQUAL(revs[1].member, 5);
	CU_ASSERT_EQUAL(revs[1].before_ms, 1500);
	CU_ASSERT_EQUAL(revs[1].until_ms, 2500);
	mg_store_close(s);
	cleanup_dir();
}

/* A store of schema 1 (as the previous release left it) gains the
 * certificate columns and tables and keeps its rows. */
static void test_migrates_from_1(void)
{
	sqlite3 *db;
	mg_store *s;
	int n = 0;

	setup_dir();
	s = open_store();
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	mg_store_close(s);
	CU_ASSERT_EQUAL(sqlite3_open(path, &db), SQLITE_OK);
	CU_ASSERT_EQUAL(sqlite3_exec(db, "DROP TABLE ca; DROP TABLE revocations;"
				     " ALTER TABLE clients DROP COLUMN cert; ALTER TABLE edges DROP COLUMN cert;"
				     " INSERT INTO clients(id, device_id, addrs, registered_ms)"
				     "  VALUES(4, 'old', '[]', 1);"
				     " PRAGMA user_version = 1;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	s = open_store();
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(mg_store_each_client(s, cert_seen, &n), 0);
	CU_ASSERT_EQUAL(n, 1);
	nrev = 0;
	CU_ASSERT_EQUAL(mg_store_each_revocation(s, rev_seen, NULL), 0);
	CU_ASSERT_EQUAL(nrev, 0);
	mg_store_close(s);
	cleanup_dir();
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "the CA's key: made once, shared", test_ca_once },
		{ "certificates and revocations", test_certs_and_revocations },
		{ "migration from version 1", test_migrates_from_1 },
		{ "write, reopen, read", test_roundtrip },
		{ "a failed batch fails alone", test_failed_batch_alone },
		{ "newer schema refused", test_newer_schema_refused },
		{ "migration from version 0", test_migrates_from_empty },
		{ "event log query", test_events_query },
		{ "many batches, group commit", test_many_batches },
		{ NULL, NULL },
	};

	return tu_add_suite("mg_store", tests);
}
