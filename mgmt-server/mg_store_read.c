/* mg_store_read: reading the store on the daemon's thread: the loaders
 * used at start-up and the event-log query. Part of mg_store. */
#include "config.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mg_store.h"

static const char *text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* Prepare sql, call row() per result row until it returns nonzero. */
static int each_row(mg_store *s, const char *sql, int (*row)(sqlite3_stmt *, void *), void *ctx)
{
	sqlite3 *db = mg_store_reader(s);
	sqlite3_stmt *st;
	int rc = 0, step;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	while ((step = sqlite3_step(st)) == SQLITE_ROW && rc == 0)
		rc = row(st, ctx);
	if (rc == 0 && step != SQLITE_DONE && step != SQLITE_ROW)
		rc = -EIO;
	sqlite3_finalize(st);
	return rc;
}

struct metro_ctx {
	mg_store *s;
	int (*fn)(void *, const struct mg_row_metro *);
	void *ctx;
};

static int metro_row(sqlite3_stmt *st, void *arg)
{
	struct metro_ctx *mc = arg;
	struct mg_row_metro r = { (uint32_t)sqlite3_column_int64(st, 0), text(st, 1), NULL, 0 };
	sqlite3_stmt *ps;
	char **pfx = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (sqlite3_prepare_v2(mg_store_reader(mc->s),
			       "SELECT prefix FROM metro_prefixes WHERE metro_id = ? ORDER BY prefix", -1,
			       &ps, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(ps, 1, r.id);
	while (rc == 0 && sqlite3_step(ps) == SQLITE_ROW) {
		if (n == cap) {
			char **v = realloc(pfx, (cap = cap ? cap * 2 : 8) * sizeof(*v));

			if (!v) {
				rc = -ENOMEM;
				break;
			}
			pfx = v;
		}
		pfx[n] = strdup(text(ps, 0) ? text(ps, 0) : "");
		if (!pfx[n++])
			rc = -ENOMEM;
	}
	sqlite3_finalize(ps);
	if (rc == 0) {
		r.prefix = (const char *const *)pfx;
		r.nprefix = n;
		rc = mc->fn(mc->ctx, &r);
	}
	for (size_t i = 0; i < n; i++)
		free(pfx[i]);
	free(pfx);
	return rc;
}

int mg_store_each_metro(mg_store *s, int (*fn)(void *, const struct mg_row_metro *), void *ctx)
{
	struct metro_ctx mc = { s, fn, ctx };

	return each_row(s, "SELECT id, name FROM metros ORDER BY id", metro_row, &mc);
}

/* The row callback, stored as a generic function pointer and cast back
 * to its own type by each row function. */
struct cb {
	void (*fn)(void);
	void *ctx;
};

static int channel_row(sqlite3_stmt *st, void *arg)
{
	struct cb *c = arg;
	int (*fn)(void *, const struct mg_row_channel *) = (int (*)(void *, const struct mg_row_channel *))c->fn;
	struct mg_row_channel r = {
		.id = (uint32_t)sqlite3_column_int64(st, 0),
		.name = text(st, 1),
		.group6 = text(st, 2),
		.group4 = text(st, 3),
		.port = (uint32_t)sqlite3_column_int64(st, 4),
		.source6 = text(st, 5),
		.source4 = text(st, 6),
		.sdp_url = text(st, 7),
		.direct_max = (uint32_t)sqlite3_column_int64(st, 8),
		.enabled = sqlite3_column_int(st, 9) != 0,
		.ret_key = sqlite3_column_blob(st, 10),
		.ret_key_len = (size_t)sqlite3_column_bytes(st, 10),
	};

	return fn(c->ctx, &r);
}

int mg_store_each_channel(mg_store *s, int (*fn)(void *, const struct mg_row_channel *), void *ctx)
{
	struct cb c = { (void (*)(void))fn, ctx };

	return each_row(s, "SELECT id, name, group6, group4, port, source6, source4, sdp_url,"
			" direct_max, enabled, ret_key FROM channels ORDER BY id", channel_row, &c);
}

static int edge_row(sqlite3_stmt *st, void *arg)
{
	struct cb *c = arg;
	int (*fn)(void *, const struct mg_row_edge *) = (int (*)(void *, const struct mg_row_edge *))c->fn;
	struct mg_row_edge r = {
		.id = (uint32_t)sqlite3_column_int64(st, 0),
		.name = text(st, 1),
		.token_hash = sqlite3_column_blob(st, 2),
		.token_hash_len = (size_t)sqlite3_column_bytes(st, 2),
		.addrs = text(st, 3),
		.ret_addrs = text(st, 4),
		.burst_addrs = text(st, 5),
		.channels = text(st, 6),
		.registered_ms = sqlite3_column_int64(st, 7),
		.last_seen_ms = sqlite3_column_int64(st, 8),
		.load = text(st, 9),
		.cert = sqlite3_column_blob(st, 10),
		.cert_len = (size_t)sqlite3_column_bytes(st, 10),
	};

	return fn(c->ctx, &r);
}

int mg_store_each_edge(mg_store *s, int (*fn)(void *, const struct mg_row_edge *), void *ctx)
{
	struct cb c = { (void (*)(void))fn, ctx };

	return each_row(s, "SELECT id, name, token_hash, addrs, ret_addrs, burst_addrs, channels,"
			" registered_ms, last_seen_ms, load, cert FROM edges ORDER BY id", edge_row, &c);
}

static int client_row(sqlite3_stmt *st, void *arg)
{
	struct cb *c = arg;
	int (*fn)(void *, const struct mg_row_client *) = (int (*)(void *, const struct mg_row_client *))c->fn;
	struct mg_row_client r = {
		.id = (uint32_t)sqlite3_column_int64(st, 0),
		.device_id = text(st, 1),
		.token_hash = sqlite3_column_blob(st, 2),
		.token_hash_len = (size_t)sqlite3_column_bytes(st, 2),
		.metro = (uint32_t)sqlite3_column_int64(st, 3),
		.pinned = (uint32_t)sqlite3_column_int(st, 4),
		.addrs = text(st, 5),
		.banned = sqlite3_column_int(st, 6) != 0,
		.registered_ms = sqlite3_column_int64(st, 7),
		.channel = (uint32_t)sqlite3_column_int64(st, 8),
		.last_seen_ms = sqlite3_column_int64(st, 9),
		.cert = sqlite3_column_blob(st, 17),
		.cert_len = (size_t)sqlite3_column_bytes(st, 17),
	};

	for (int i = 0; i < 7; i++)
		r.stats[i] = sqlite3_column_int64(st, 10 + i);

	return fn(c->ctx, &r);
}

int mg_store_each_client(mg_store *s, int (*fn)(void *, const struct mg_row_client *), void *ctx)
{
	struct cb c = { (void (*)(void))fn, ctx };

	return each_row(s, "SELECT id, device_id, token_hash, metro_id, metro_pinned, addrs, banned,"
			" registered_ms, channel_id, last_seen_ms, received, lost, repaired_group,"
			" repaired_edge, repaired_mesh, unrepaired, served, cert FROM clients ORDER BY id",
			client_row, &c);
}

static int group_row(sqlite3_stmt *st, void *arg)
{
	struct cb *c = arg;
	int (*fn)(void *, const struct mg_row_group *) = (int (*)(void *, const struct mg_row_group *))c->fn;
	struct mg_row_group r = {
		.id = (uint32_t)sqlite3_column_int64(st, 0),
		.channel = (uint32_t)sqlite3_column_int64(st, 1),
		.version = (uint32_t)sqlite3_column_int64(st, 2),
		.key = sqlite3_column_blob(st, 3),
		.key_len = (size_t)sqlite3_column_bytes(st, 3),
		.members = text(st, 4),
	};

	return fn(c->ctx, &r);
}

int mg_store_each_group(mg_store *s, int (*fn)(void *, const struct mg_row_group *), void *ctx)
{
	struct cb c = { (void (*)(void))fn, ctx };

	return each_row(s, "SELECT id, channel_id, version, key, members FROM groups ORDER BY id",
			group_row, &c);
}

static int revocation_row(sqlite3_stmt *st, void *arg)
{
	struct cb *c = arg;
	int (*fn)(void *, const struct mg_row_revocation *) =
		(int (*)(void *, const struct mg_row_revocation *))c->fn;
	struct mg_row_revocation r = {
		.member = (uint32_t)sqlite3_column_int64(st, 0),
		.before_ms = sqlite3_column_int64(st, 1),
		.until_ms = sqlite3_column_int64(st, 2),
	};

	return fn(c->ctx, &r);
}

int mg_store_each_revocation(mg_store *s, int (*fn)(void *, const struct mg_row_revocation *),
			     void *ctx)
{
	struct cb c = { (void (*)(void))fn, ctx };

	return each_row(s, "SELECT member, before_ms, until_ms FROM revocations ORDER BY before_ms,"
			" member", revocation_row, &c);
}

int mg_store_seq_get(mg_store *s, const char *name, int64_t *value)
{
	sqlite3_stmt *st;
	int rc;

	*value = 0;
	if (sqlite3_prepare_v2(mg_store_reader(s), "SELECT value FROM seqs WHERE name = ?", -1, &st,
			       NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*value = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -EIO;
}

int mg_store_events(mg_store *s, const struct mg_event_query *q,
		    int (*fn)(void *, const struct mg_row_event *), void *ctx)
{
	char sql[512];
	sqlite3_stmt *st;
	int rc = 0, step, k = 1;

	snprintf(sql, sizeof(sql),
		 "SELECT id, ts_ms, actor, type, subject, detail FROM events WHERE 1%s%s%s%s%s"
		 " ORDER BY id %s LIMIT ?",
		 q->before_id ? " AND id < ?" : "", q->after_id ? " AND id > ?" : "",
		 q->type ? " AND substr(type, 1, length(?)) = ?" : "", q->actor ? " AND actor = ?" : "",
		 q->subject ? " AND subject = ?" : "", q->after_id ? "ASC" : "DESC");
	if (sqlite3_prepare_v2(mg_store_reader(s), sql, -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	if (q->before_id)
		sqlite3_bind_int64(st, k++, q->before_id);
	if (q->after_id)
		sqlite3_bind_int64(st, k++, q->after_id);
	if (q->type) {
		sqlite3_bind_text(st, k++, q->type, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, k++, q->type, -1, SQLITE_STATIC);
	}
	if (q->actor)
		sqlite3_bind_text(st, k++, q->actor, -1, SQLITE_STATIC);
	if (q->subject)
		sqlite3_bind_text(st, k++, q->subject, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, k, q->limit ? q->limit : 100);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct mg_row_event r = {
			sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), text(st, 2),
			text(st, 3), text(st, 4), text(st, 5),
		};

		rc = fn(ctx, &r);
	}
	sqlite3_finalize(st);
	return rc;
}
