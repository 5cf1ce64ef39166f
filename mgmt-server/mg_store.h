/* mg_store: the management server's SQLite store (WAL mode, a versioned
 * schema with migrations) and its writer thread.
 *
 * The daemon keeps its state in memory and mirrors it here. Changes go to
 * the store as batches of prepared-statement executions. One writer thread
 * takes every batch queued at that moment and commits them in a single
 * transaction (group commit: one fsync for many requests), each batch in
 * its own savepoint so that one failing batch does not undo the others.
 * A batch's completion callback then runs on the daemon's thread (through
 * an eventfd the event loop watches), which is where an API answer that
 * must be durable is finally sent. docs/mgmt-server.md says which changes
 * wait for this and which are written behind.
 *
 * The caller's thread has its own read connection for loading at start-up
 * and for queries such as the event log; WAL lets it read while the writer
 * writes. */
#ifndef MG_STORE_H
#define MG_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sc_log.h"

#define MG_STORE_SCHEMA 2

/* Statements a batch can run; their SQL and parameters are in mg_store.c. */
enum mg_sql {
	MG_SQL_METRO_PUT,        /* id u, name t, updated_ms i */
	MG_SQL_METRO_DEL,        /* id u (and its prefixes) */
	MG_SQL_PREFIX_CLEAR,     /* metro_id u */
	MG_SQL_PREFIX_ADD,       /* metro_id u, prefix t */
	MG_SQL_CHANNEL_PUT,      /* id u, name t, group6 t, group4 t, port u, source6 t, source4 t,
				    sdp_url t, direct_max u, enabled u, ret_key b, updated_ms i */
	MG_SQL_CHANNEL_DEL,      /* id u */
	MG_SQL_EDGE_PUT,         /* id u, name t, token_hash b, addrs t, ret_addrs t, burst_addrs t,
				    channels t, registered_ms i, last_seen_ms i */
	MG_SQL_EDGE_LIVE,        /* last_seen_ms i, load t, id u */
	MG_SQL_EDGE_DEL,         /* id u */
	MG_SQL_CLIENT_PUT,       /* id u, device_id t, token_hash b, metro_id u, metro_pinned u,
				    addrs t, banned u, registered_ms i, channel_id u, last_seen_ms i */
	MG_SQL_CLIENT_LIVE,      /* channel_id u, last_seen_ms i, received i, lost i,
				    repaired_group i, repaired_edge i, repaired_mesh i,
				    unrepaired i, served i, id u */
	MG_SQL_CLIENT_DEL,       /* id u */
	MG_SQL_GROUP_PUT,        /* id u, channel_id u, version u, key b, members t, updated_ms i */
	MG_SQL_GROUP_DEL,        /* id u */
	MG_SQL_EVENT,            /* ts_ms i, actor t, type t, subject t, detail t */
	MG_SQL_EVENTS_PRUNE,     /* keep i: delete all but the newest keep events */
	MG_SQL_SEQ_PUT,          /* name t, value i */
	MG_SQL_CLIENT_CERT,      /* cert b (NULL: none), id u */
	MG_SQL_EDGE_CERT,        /* cert b (NULL: none), id u */
	MG_SQL_REVOKE,           /* member u, before_ms i, until_ms i (the later of each is kept) */
	MG_SQL_REVOKE_PRUNE,     /* now_ms i: revocations kept until then go */
	MG_SQL_COUNT
};

typedef struct mg_store mg_store;
struct mg_batch;

/* Open (creating) the store at path and bring its schema up to
 * MG_STORE_SCHEMA. sync_full: fsync every commit (survives power loss);
 * else only a crash of the process is survived. Returns 0, or a negative
 * errno with a message in why: -EPROTO for a store written by a newer
 * version, -EIO for SQLite errors. */
int mg_store_open(const char *path, bool sync_full, const struct sc_logger *lg, mg_store **out,
		  char *why, size_t len);
/* Commit everything queued, stop the writer, close. NULL is ignored. */
void mg_store_close(mg_store *s);
/* Start the writer thread. Returns 0 or a negative errno. */
int mg_store_start(mg_store *s);

/* The certificate authority's key pair, made once per store: under one
 * write transaction, the stored pair is read into pub and secret, or, when
 * there is none yet, gen() makes one and it is committed and fsync'd
 * (whatever store.sync says) before this returns, so that servers sharing
 * the store agree on one key. *created says which. The only write besides
 * the migrations that does not go through the writer thread; call it at
 * start-up. now_ms dates a new key. Returns 0, -EPROTO (a stored pair of other lengths), -EIO, or
 * gen's error. */
typedef int (*mg_store_keygen_fn)(void *ctx, uint8_t *pub, uint8_t *secret);
int mg_store_ca_ensure(mg_store *s, mg_store_keygen_fn gen, void *ctx, uint8_t *pub,
		       size_t publen, uint8_t *secret, size_t seclen, int64_t now_ms, bool *created);

/* Readable when completions wait for mg_store_dispatch(). */
int mg_store_fd(const mg_store *s);
/* Run the completions of committed batches, on the calling thread.
 * Returns how many ran. */
int mg_store_dispatch(mg_store *s);
/* Wait until every batch submitted so far is committed, then dispatch.
 * Returns 0, or -EIO when the writer is not running. */
int mg_store_drain(mg_store *s);
/* Wait like mg_store_drain() but leave the completions for the next
 * dispatch (safe in the middle of a change). */
int mg_store_wait(mg_store *s);

struct mg_batch *mg_batch_new(void);
void mg_batch_free(struct mg_batch *b);
/* Queue one execution of sql. fmt has one letter per parameter: 'u'
 * unsigned (uint32_t), 'i' int64_t, 't' text (const char *, NULL is SQL
 * NULL), 'b' blob (const void *, size_t), 'n' NULL. Values are copied.
 * Returns 0, -EINVAL (bad fmt) or -ENOMEM. */
int mg_batch_add(struct mg_batch *b, enum mg_sql sql, const char *fmt, ...);
size_t mg_batch_count(const struct mg_batch *b);

/* rc is 0 when the batch committed, else a negative errno. */
typedef void (*mg_store_done_fn)(void *arg, int rc);
/* Hand b to the writer (the store owns it from now on). fn, if not NULL,
 * runs from mg_store_dispatch() after the commit. Returns 0. */
int mg_store_submit(mg_store *s, struct mg_batch *b, mg_store_done_fn fn, void *arg);

struct mg_store_stats {
	uint64_t commits, batches, ops, failed;
	uint64_t commit_ns_last, commit_ns_max;
	size_t queued; /* batches submitted, not yet committed */
};
void mg_store_get_stats(mg_store *s, struct mg_store_stats *out);

/* Reading, on the caller's thread (mg_store_read.c). Each iterator calls
 * fn per row; a nonzero return stops it and is returned; SQLite errors are
 * -EIO. Strings and blobs are valid during the call only. */
struct mg_row_metro {
	uint32_t id;
	const char *name;
	const char *const *prefix;
	size_t nprefix;
};
struct mg_row_channel {
	uint32_t id, port, direct_max;
	bool enabled;
	const char *name, *group6, *group4, *source6, *source4, *sdp_url; /* NULL: none */
	const uint8_t *ret_key;
	size_t ret_key_len;
};
struct mg_row_edge {
	uint32_t id;
	const char *name, *addrs, *ret_addrs, *burst_addrs, *channels, *load; /* JSON texts */
	const uint8_t *token_hash, *cert; /* cert: NULL when none */
	size_t token_hash_len, cert_len;
	int64_t registered_ms, last_seen_ms;
};
struct mg_row_client {
	uint32_t id, metro, channel, pinned;
	bool banned;
	const char *device_id, *addrs; /* addrs: JSON text */
	int64_t stats[7]; /* received, lost, repaired_group, repaired_edge,
			     repaired_mesh, unrepaired, served */
	const uint8_t *token_hash, *cert; /* cert: NULL when none */
	size_t token_hash_len, cert_len;
	int64_t registered_ms, last_seen_ms;
};
struct mg_row_group {
	uint32_t id, channel, version;
	const uint8_t *key;
	size_t key_len;
	const char *members; /* "id,id,..." */
};
struct mg_row_revocation {
	uint32_t member;           /* wire id */
	int64_t before_ms, until_ms;
};
struct mg_row_event {
	int64_t id, ts_ms;
	const char *actor, *type, *subject, *detail; /* detail: JSON text or NULL */
};

int mg_store_each_metro(mg_store *s, int (*fn)(void *, const struct mg_row_metro *), void *ctx);
int mg_store_each_channel(mg_store *s, int (*fn)(void *, const struct mg_row_channel *), void *ctx);
int mg_store_each_edge(mg_store *s, int (*fn)(void *, const struct mg_row_edge *), void *ctx);
int mg_store_each_client(mg_store *s, int (*fn)(void *, const struct mg_row_client *), void *ctx);
int mg_store_each_group(mg_store *s, int (*fn)(void *, const struct mg_row_group *), void *ctx);
int mg_store_each_revocation(mg_store *s, int (*fn)(void *, const struct mg_row_revocation *),
			     void *ctx);
/* A named counter (0 when absent). Returns 0 or -EIO. */
int mg_store_seq_get(mg_store *s, const char *name, int64_t *value);

struct mg_event_query {
	int64_t before_id; /* 0: from the newest */
	int64_t after_id;  /* 0: no lower bound; with it, oldest first */
	unsigned limit;    /* 1..1000 */
	const char *type;  /* prefix of the type, or NULL */
	const char *actor; /* exact actor, or NULL */
	const char *subject; /* exact subject, or NULL */
};
int mg_store_events(mg_store *s, const struct mg_event_query *q,
		    int (*fn)(void *, const struct mg_row_event *), void *ctx);

/* Internal to mg_store*.c. */
void *mg_store_reader(mg_store *s);

#endif
