/* mg_store: schema, migrations, batches and the group-commit writer
 * thread. See mg_store.h. */
#include "config.h"

#include "mg_store.h"
#include "sc_clock.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Each migration takes the schema from version i to i + 1, inside one
 * transaction. Append, never edit: stores in the field went through the
 * old ones. */
static const char *const migrations[MG_STORE_SCHEMA] = {
	/* 0 -> 1 */
	"CREATE TABLE metros(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
	"  updated_ms INTEGER NOT NULL);"
	"CREATE TABLE metro_prefixes(metro_id INTEGER NOT NULL REFERENCES metros(id),"
	"  prefix TEXT NOT NULL, PRIMARY KEY(metro_id, prefix));"
	"CREATE TABLE channels(id INTEGER PRIMARY KEY, name TEXT NOT NULL, group6 TEXT,"
	"  group4 TEXT, port INTEGER NOT NULL, source6 TEXT, source4 TEXT, sdp_url TEXT,"
	"  direct_max INTEGER NOT NULL DEFAULT 0, enabled INTEGER NOT NULL DEFAULT 1,"
	"  ret_key BLOB NOT NULL, updated_ms INTEGER NOT NULL);"
	"CREATE TABLE edges(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, token_hash BLOB,"
	"  addrs TEXT NOT NULL, ret_addrs TEXT NOT NULL, burst_addrs TEXT NOT NULL,"
	"  channels TEXT NOT NULL, registered_ms INTEGER NOT NULL, last_seen_ms INTEGER NOT NULL,"
	"  load TEXT);"
	"CREATE TABLE clients(id INTEGER PRIMARY KEY, device_id TEXT NOT NULL UNIQUE,"
	"  token_hash BLOB, metro_id INTEGER NOT NULL DEFAULT 0,"
	"  metro_pinned INTEGER NOT NULL DEFAULT 0, addrs TEXT NOT NULL,"
	"  banned INTEGER NOT NULL DEFAULT 0, registered_ms INTEGER NOT NULL,"
	"  channel_id INTEGER NOT NULL DEFAULT 0, last_seen_ms INTEGER NOT NULL DEFAULT 0,"
	"  received INTEGER NOT NULL DEFAULT 0, lost INTEGER NOT NULL DEFAULT 0,"
	"  repaired_group INTEGER NOT NULL DEFAULT 0, repaired_edge INTEGER NOT NULL DEFAULT 0,"
	"  repaired_mesh INTEGER NOT NULL DEFAULT 0, unrepaired INTEGER NOT NULL DEFAULT 0,"
	"  served INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE groups(id INTEGER PRIMARY KEY, channel_id INTEGER NOT NULL,"
	"  version INTEGER NOT NULL, key BLOB NOT NULL, members TEXT NOT NULL,"
	"  updated_ms INTEGER NOT NULL);"
	"CREATE TABLE events(id INTEGER PRIMARY KEY AUTOINCREMENT, ts_ms INTEGER NOT NULL,"
	"  actor TEXT NOT NULL, type TEXT NOT NULL, subject TEXT, detail TEXT);"
	"CREATE INDEX events_type ON events(type);"
	"CREATE INDEX events_actor ON events(actor);"
	"CREATE INDEX events_subject ON events(subject);"
	"CREATE TABLE seqs(name TEXT PRIMARY KEY, value INTEGER NOT NULL);",
	/* 1 -> 2: member certificates. The CA's key pair (one row; the id
	 * leaves room for a rotation), each member's current certificate, and
	 * the revocations still in force (one per member: the latest covers
	 * the earlier ones). */
	"CREATE TABLE ca(id INTEGER PRIMARY KEY, pub BLOB NOT NULL, secret BLOB NOT NULL,"
	"  created_ms INTEGER NOT NULL);"
	"CREATE TABLE revocations(member INTEGER PRIMARY KEY, before_ms INTEGER NOT NULL,"
	"  until_ms INTEGER NOT NULL);"
	"ALTER TABLE clients ADD COLUMN cert BLOB;"
	"ALTER TABLE edges ADD COLUMN cert BLOB;",
};

static const char *const sql_text[MG_SQL_COUNT] = {
	[MG_SQL_METRO_PUT] = "INSERT INTO metros(id, name, updated_ms) VALUES(?1, ?2, ?3)"
			     " ON CONFLICT(id) DO UPDATE SET name = ?2, updated_ms = ?3",
	[MG_SQL_METRO_DEL] = "DELETE FROM metros WHERE id = ?1",
	[MG_SQL_PREFIX_CLEAR] = "DELETE FROM metro_prefixes WHERE metro_id = ?1",
	[MG_SQL_PREFIX_ADD] = "INSERT OR REPLACE INTO metro_prefixes(metro_id, prefix) VALUES(?1, ?2)",
	[MG_SQL_CHANNEL_PUT] = "INSERT OR REPLACE INTO channels(id, name, group6, group4, port,"
			       " source6, source4, sdp_url, direct_max, enabled, ret_key, updated_ms)"
			       " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
	[MG_SQL_CHANNEL_DEL] = "DELETE FROM channels WHERE id = ?1",
	[MG_SQL_EDGE_PUT] = "INSERT OR REPLACE INTO edges(id, name, token_hash, addrs, ret_addrs,"
			    " burst_addrs, channels, registered_ms, last_seen_ms)"
			    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[MG_SQL_EDGE_LIVE] = "UPDATE edges SET last_seen_ms = ?1, load = ?2 WHERE id = ?3",
	[MG_SQL_EDGE_DEL] = "DELETE FROM edges WHERE id = ?1",
	[MG_SQL_CLIENT_PUT] = "INSERT INTO clients(id, device_id, token_hash, metro_id, metro_pinned,"
			      " addrs, banned, registered_ms, channel_id, last_seen_ms)"
			      " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
			      " ON CONFLICT(id) DO UPDATE SET device_id = ?2, token_hash = ?3,"
			      " metro_id = ?4, metro_pinned = ?5, addrs = ?6, banned = ?7,"
			      " channel_id = ?9, last_seen_ms = ?10",
	[MG_SQL_CLIENT_LIVE] = "UPDATE clients SET channel_id = ?1, last_seen_ms = ?2, received = ?3,"
			       " lost = ?4, repaired_group = ?5, repaired_edge = ?6, repaired_mesh = ?7,"
			       " unrepaired = ?8, served = ?9 WHERE id = ?10",
	[MG_SQL_CLIENT_DEL] = "DELETE FROM clients WHERE id = ?1",
	[MG_SQL_GROUP_PUT] = "INSERT OR REPLACE INTO groups(id, channel_id, version, key, members,"
			     " updated_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	[MG_SQL_GROUP_DEL] = "DELETE FROM groups WHERE id = ?1",
	[MG_SQL_EVENT] = "INSERT INTO events(ts_ms, actor, type, subject, detail)"
			 " VALUES(?1, ?2, ?3, ?4, ?5)",
	[MG_SQL_EVENTS_PRUNE] = "DELETE FROM events WHERE id <= (SELECT MAX(id) FROM events) - ?1",
	[MG_SQL_SEQ_PUT] = "INSERT OR REPLACE INTO seqs(name, value) VALUES(?1, ?2)",
	[MG_SQL_CLIENT_CERT] = "UPDATE clients SET cert = ?1 WHERE id = ?2",
	[MG_SQL_EDGE_CERT] = "UPDATE edges SET cert = ?1 WHERE id = ?2",
	[MG_SQL_REVOKE] = "INSERT INTO revocations(member, before_ms, until_ms) VALUES(?1, ?2, ?3)"
			  " ON CONFLICT(member) DO UPDATE SET before_ms = max(before_ms, ?2),"
			  " until_ms = max(until_ms, ?3)",
	[MG_SQL_REVOKE_PRUNE] = "DELETE FROM revocations WHERE until_ms <= ?1",
};

/* A batch is one arena of encoded operations:
 *   op:    u16 sql, u8 nargs, then nargs args
 *   arg:   u8 type ('i' int64 | 't' text | 'b' blob | 'n' null), then
 *          'i': 8 bytes; 't', 'b': u32 length + bytes (text without NUL). */
struct mg_batch {
	uint8_t *buf;
	size_t len, cap;
	size_t nops;
	mg_store_done_fn fn;
	void *arg;
	int rc;
	struct mg_batch *next;
};

struct mg_store {
	sqlite3 *rd;              /* the caller's thread */
	sqlite3 *wr;              /* the writer thread */
	sqlite3_stmt *stmt[MG_SQL_COUNT];
	struct sc_logger lg;
	int efd;
	pthread_t thread;
	bool running, stop;
	pthread_mutex_t mu;
	pthread_cond_t cv, idle_cv;
	struct mg_batch *head, *tail; /* submitted */
	struct mg_batch *done_head, *done_tail;
	bool busy;                    /* the writer holds batches */
	struct mg_store_stats st;
};

static int errf(char *why, size_t len, int rc, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int errf(char *why, size_t len, int rc, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static int exec(sqlite3 *db, const char *sql, char *why, size_t len)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		errf(why, len, -EIO, "%s", msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -EIO;
	}
	return 0;
}

static int user_version(sqlite3 *db, int *v)
{
	sqlite3_stmt *st;
	int rc = -EIO;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*v = sqlite3_column_int(st, 0);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

static int migrate(sqlite3 *db, const struct sc_logger *lg, char *why, size_t len)
{
	char sql[64];
	int v, rc;

	if (user_version(db, &v) < 0)
		return errf(why, len, -EIO, "cannot read the schema version: %s", sqlite3_errmsg(db));
	if (v > MG_STORE_SCHEMA)
		return errf(why, len, -EPROTO, "the store has schema %d, newer than this server's %d",
			    v, MG_STORE_SCHEMA);
	for (; v < MG_STORE_SCHEMA; v++) {
		if ((rc = exec(db, "BEGIN IMMEDIATE", why, len)) < 0)
			return rc;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if ((rc = exec(db, migrations[v], why, len)) < 0 || (rc = exec(db, sql, why, len)) < 0) {
			exec(db, "ROLLBACK", NULL, 0);
			return rc;
		}
		if ((rc = exec(db, "COMMIT", why, len)) < 0)
			return rc;
		sc_logf(lg, LOG_NOTICE, "store schema migrated to version %d", v + 1);
	}
	return 0;
}

static int open_conn(const char *path, bool sync_full, sqlite3 **db, char *why, size_t len)
{
	char pragmas[256];

	if (sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		return errf(why, len, -EIO, "%s: %s", path, *db ? sqlite3_errmsg(*db) : "out of memory");
	sqlite3_busy_timeout(*db, 10000);
	/* page_size only takes on a new store; bigger pages mean fewer writes
	 * for the many small rows of a write-behind commit. */
	snprintf(pragmas, sizeof(pragmas),
		 "PRAGMA page_size = 16384; PRAGMA journal_mode = WAL; PRAGMA synchronous = %s;"
		 " PRAGMA cache_size = -16384;",
		 sync_full ? "FULL" : "NORMAL");
	return exec(*db, pragmas, why, len);
}

int mg_store_open(const char *path, bool sync_full, const struct sc_logger *lg, mg_store **out,
		  char *why, size_t len)
{
	mg_store *s = calloc(1, sizeof(*s));
	int rc;

	*out = NULL;
	if (!s)
		return -ENOMEM;
	if (lg)
		s->lg = *lg;
	s->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	pthread_cond_init(&s->idle_cv, NULL);
	if (s->efd < 0) {
		rc = -errno;
		goto fail;
	}
	if ((rc = open_conn(path, sync_full, &s->rd, why, len)) < 0 ||
	    (rc = migrate(s->rd, &s->lg, why, len)) < 0 ||
	    (rc = open_conn(path, sync_full, &s->wr, why, len)) < 0)
		goto fail;
	for (int i = 0; i < MG_SQL_COUNT; i++)
		if (sqlite3_prepare_v3(s->wr, sql_text[i], -1, SQLITE_PREPARE_PERSISTENT, &s->stmt[i],
				       NULL) != SQLITE_OK) {
			rc = errf(why, len, -EIO, "statement %d: %s", i, sqlite3_errmsg(s->wr));
			goto fail;
		}
	*out = s;
	return 0;
fail:
	mg_store_close(s);
	return rc;
}

/* The stored pair: 0, -ENOENT (none), -EPROTO (wrong lengths), -EIO. */
static int ca_read(sqlite3 *db, uint8_t *pub, size_t publen, uint8_t *secret, size_t seclen)
{
	sqlite3_stmt *st;
	int rc = -EIO, step;

	if (sqlite3_prepare_v2(db, "SELECT pub, secret FROM ca ORDER BY id LIMIT 1", -1, &st, NULL) !=
	    SQLITE_OK)
		return -EIO;
	step = sqlite3_step(st);
	if (step == SQLITE_DONE) {
		rc = -ENOENT;
	} else if (step == SQLITE_ROW) {
		rc = -EPROTO;
		if ((size_t)sqlite3_column_bytes(st, 0) == publen &&
		    (size_t)sqlite3_column_bytes(st, 1) == seclen) {
			memcpy(pub, sqlite3_column_blob(st, 0), publen);
			memcpy(secret, sqlite3_column_blob(st, 1), seclen);
			rc = 0;
		}
	}
	sqlite3_finalize(st);
	return rc;
}

static int ca_insert(sqlite3 *db, const uint8_t *pub, size_t publen, const uint8_t *secret,
		     size_t seclen, int64_t now_ms)
{
	sqlite3_stmt *st;
	int step;

	if (sqlite3_prepare_v2(db, "INSERT INTO ca(id, pub, secret, created_ms) VALUES(1, ?1, ?2, ?3)",
			       -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_blob(st, 1, pub, (int)publen, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, secret, (int)seclen, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now_ms);
	step = sqlite3_step(st);
	sqlite3_finalize(st);
	return step == SQLITE_DONE ? 0 : -EIO;
}

int mg_store_ca_ensure(mg_store *s, mg_store_keygen_fn gen, void *ctx, uint8_t *pub,
		       size_t publen, uint8_t *secret, size_t seclen, int64_t now_ms, bool *created)
{
	int rc;

	*created = false;
	/* A key is fsync'd before it signs anything, also with store.sync =
	 * "normal" (this connection writes nothing else after start-up).
	 * IMMEDIATE: the write lock first, so that two servers starting on
	 * one store at once cannot both find no key and make two. */
	if (exec(s->rd, "PRAGMA synchronous = FULL", NULL, 0) < 0 ||
	    exec(s->rd, "BEGIN IMMEDIATE", NULL, 0) < 0)
		return -EIO;
	rc = ca_read(s->rd, pub, publen, secret, seclen);
	if (rc == -ENOENT && (rc = gen(ctx, pub, secret)) == 0 &&
	    (rc = ca_insert(s->rd, pub, publen, secret, seclen, now_ms)) == 0)
		*created = true;
	if (rc == 0 && exec(s->rd, "COMMIT", NULL, 0) < 0)
		rc = -EIO;
	if (rc < 0) {
		exec(s->rd, "ROLLBACK", NULL, 0);
		*created = false;
	}
	return rc;
}

void *mg_store_reader(mg_store *s)
{
	return s->rd;
}

int mg_store_fd(const mg_store *s)
{
	return s->efd;
}

struct mg_batch *mg_batch_new(void)
{
	return calloc(1, sizeof(struct mg_batch));
}

void mg_batch_free(struct mg_batch *b)
{
	if (!b)
		return;
	free(b->buf);
	free(b);
}

size_t mg_batch_count(const struct mg_batch *b)
{
	return b->nops;
}

static int reserve(struct mg_batch *b, size_t more)
{
	size_t cap;
	uint8_t *p;

	if (b->len + more <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + more)
		cap *= 2;
	p = realloc(b->buf, cap);
	if (!p)
		return -ENOMEM;
	b->buf = p;
	b->cap = cap;
	return 0;
}

static int put_bytes(struct mg_batch *b, char type, const void *p, size_t n)
{
	uint32_t n32 = (uint32_t)n;

	if (n > UINT32_MAX || reserve(b, 5 + n) < 0)
		return -ENOMEM;
	b->buf[b->len++] = (uint8_t)type;
	memcpy(b->buf + b->len, &n32, 4);
	memcpy(b->buf + b->len + 4, p, n);
	b->len += 4 + n;
	return 0;
}

static int put_arg(struct mg_batch *b, char t, va_list *ap)
{
	int64_t v;

	switch (t) {
	case 'u':
	case 'i':
		v = t == 'u' ? (int64_t)va_arg(*ap, uint32_t) : va_arg(*ap, int64_t);
		if (reserve(b, 9) < 0)
			return -ENOMEM;
		b->buf[b->len++] = 'i';
		memcpy(b->buf + b->len, &v, 8);
		b->len += 8;
		return 0;
	case 't': {
		const char *s = va_arg(*ap, const char *);

		if (s)
			return put_bytes(b, 't', s, strlen(s));
		break;
	}
	case 'b': {
		const void *p = va_arg(*ap, const void *);
		size_t n = va_arg(*ap, size_t);

		if (p)
			return put_bytes(b, 'b', p, n);
		break;
	}
	case 'n':
		break;
	default:
		return -EINVAL;
	}
	if (reserve(b, 1) < 0)
		return -ENOMEM;
	b->buf[b->len++] = 'n';
	return 0;
}

int mg_batch_add(struct mg_batch *b, enum mg_sql sql, const char *fmt, ...)
{
	size_t n = strlen(fmt), start = b->len;
	va_list ap;
	int rc = 0;

	if ((unsigned)sql >= MG_SQL_COUNT || n > 32)
		return -EINVAL;
	if (reserve(b, 3) < 0)
		return -ENOMEM;
	b->buf[b->len++] = (uint8_t)sql;
	b->buf[b->len++] = (uint8_t)(sql >> 8);
	b->buf[b->len++] = (uint8_t)n;
	va_start(ap, fmt);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = put_arg(b, fmt[i], &ap);
	va_end(ap);
	if (rc < 0) {
		b->len = start;
		return rc;
	}
	b->nops++;
	return 0;
}

/* Bind and run one encoded operation at *pos. Returns 0 or -EIO. */
static int run_op(mg_store *s, const struct mg_batch *b, size_t *pos)
{
	const uint8_t *p = b->buf + *pos;
	unsigned sql = p[0] | (unsigned)p[1] << 8, n = p[2];
	sqlite3_stmt *st = s->stmt[sql];
	int rc;

	p += 3;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	for (unsigned i = 1; i <= n; i++) {
		char t = (char)*p++;
		uint32_t len;
		int64_t v;

		if (t == 'i') {
			memcpy(&v, p, 8);
			p += 8;
			sqlite3_bind_int64(st, (int)i, v);
		} else if (t == 't' || t == 'b') {
			memcpy(&len, p, 4);
			p += 4;
			if (t == 't')
				sqlite3_bind_text(st, (int)i, (const char *)p, (int)len, SQLITE_STATIC);
			else
				sqlite3_bind_blob(st, (int)i, p, (int)len, SQLITE_STATIC);
			p += len;
		}
		/* 'n': left unbound, which is NULL */
	}
	*pos = (size_t)(p - b->buf);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		sc_logf(&s->lg, LOG_ERR, "store: %s: %s", sql_text[sql], sqlite3_errmsg(s->wr));
		return -EIO;
	}
	return 0;
}

static void run_batch(mg_store *s, struct mg_batch *b)
{
	size_t pos = 0;

	b->rc = 0;
	if (exec(s->wr, "SAVEPOINT b", NULL, 0) < 0) {
		b->rc = -EIO;
		return;
	}
	for (size_t i = 0; i < b->nops && b->rc == 0; i++)
		b->rc = run_op(s, b, &pos);
	if (b->rc < 0)
		exec(s->wr, "ROLLBACK TO b", NULL, 0);
	exec(s->wr, "RELEASE b", NULL, 0);
}

/* How long a commit really took (the writer thread's own measure, for the
 * slow-commit warning): the host's monotonic clock, whatever the loop's. */
static uint64_t now_ns(void)
{
	return sc_clock_now_ns(sc_clock_system());
}

/* One transaction for everything that was queued. */
static void commit_all(mg_store *s, struct mg_batch *list)
{
	uint64_t t0 = now_ns(), dt;
	char why[256];
	size_t nb = 0, nops = 0;
	int rc = exec(s->wr, "BEGIN IMMEDIATE", why, sizeof(why));

	for (struct mg_batch *b = list; b; b = b->next) {
		if (rc == 0)
			run_batch(s, b);
		else
			b->rc = rc;
		nb++;
		nops += b->nops;
	}
	if (rc == 0 && (rc = exec(s->wr, "COMMIT", why, sizeof(why))) < 0) {
		exec(s->wr, "ROLLBACK", NULL, 0);
		for (struct mg_batch *b = list; b; b = b->next)
			b->rc = rc;
	}
	if (rc < 0)
		sc_logf(&s->lg, LOG_ERR, "store: commit failed: %s", why);
	dt = now_ns() - t0;
	pthread_mutex_lock(&s->mu);
	s->st.commits++;
	s->st.batches += nb;
	s->st.ops += nops;
	s->st.commit_ns_last = dt;
	if (dt > s->st.commit_ns_max)
		s->st.commit_ns_max = dt;
	for (struct mg_batch *b = list; b; b = b->next)
		s->st.failed += b->rc < 0;
	pthread_mutex_unlock(&s->mu);
}

static void *writer(void *arg)
{
	mg_store *s = arg;
	uint64_t one = 1;

	/* The API's thread answers boxes; this one writes behind them. When
	 * both want the CPU, the answers go first (a commit waits a little
	 * longer, which group commit absorbs). */
	if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10) < 0)
		sc_logf(&s->lg, LOG_DEBUG, "store: cannot lower the writer's priority");

	for (;;) {
		struct mg_batch *list, *last;

		pthread_mutex_lock(&s->mu);
		while (!s->head && !s->stop)
			pthread_cond_wait(&s->cv, &s->mu);
		list = s->head;
		last = s->tail;
		s->head = s->tail = NULL;
		s->busy = list != NULL;
		pthread_mutex_unlock(&s->mu);
		if (!list)
			break; /* stopping, nothing left */
		commit_all(s, list);
		pthread_mutex_lock(&s->mu);
		if (s->done_tail)
			s->done_tail->next = list;
		else
			s->done_head = list;
		s->done_tail = last;
		s->busy = false;
		pthread_cond_broadcast(&s->idle_cv);
		pthread_mutex_unlock(&s->mu);
		if (write(s->efd, &one, sizeof(one)) < 0) {
			/* The counter cannot overflow in practice; dispatch
			 * polls the list anyway. */
		}
	}
	return NULL;
}

int mg_store_start(mg_store *s)
{
	int rc;

	if (s->running)
		return 0;
	rc = pthread_create(&s->thread, NULL, writer, s);
	if (rc)
		return -rc;
	s->running = true;
	return 0;
}

int mg_store_submit(mg_store *s, struct mg_batch *b, mg_store_done_fn fn, void *arg)
{
	b->fn = fn;
	b->arg = arg;
	b->next = NULL;
	pthread_mutex_lock(&s->mu);
	if (s->tail)
		s->tail->next = b;
	else
		s->head = b;
	s->tail = b;
	s->st.queued++;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return 0;
}

int mg_store_dispatch(mg_store *s)
{
	struct mg_batch *list, *next;
	uint64_t v;
	int n = 0;

	if (read(s->efd, &v, sizeof(v)) < 0) {
		/* EAGAIN: nothing signalled; the list may still hold work
		 * from a drain. */
	}
	pthread_mutex_lock(&s->mu);
	list = s->done_head;
	s->done_head = s->done_tail = NULL;
	pthread_mutex_unlock(&s->mu);
	for (; list; list = next) {
		next = list->next;
		pthread_mutex_lock(&s->mu);
		s->st.queued--;
		pthread_mutex_unlock(&s->mu);
		if (list->fn)
			list->fn(list->arg, list->rc);
		mg_batch_free(list);
		n++;
	}
	return n;
}

int mg_store_wait(mg_store *s)
{
	if (!s->running)
		return -EIO;
	pthread_mutex_lock(&s->mu);
	while (s->head || s->busy)
		pthread_cond_wait(&s->idle_cv, &s->mu);
	pthread_mutex_unlock(&s->mu);
	return 0;
}

int mg_store_drain(mg_store *s)
{
	int rc = mg_store_wait(s);

	if (rc == 0)
		mg_store_dispatch(s);
	return rc;
}

void mg_store_get_stats(mg_store *s, struct mg_store_stats *out)
{
	pthread_mutex_lock(&s->mu);
	*out = s->st;
	pthread_mutex_unlock(&s->mu);
}

void mg_store_close(mg_store *s)
{
	if (!s)
		return;
	if (s->running) {
		pthread_mutex_lock(&s->mu);
		s->stop = true;
		pthread_cond_signal(&s->cv);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->thread, NULL);
		s->running = false;
	}
	mg_store_dispatch(s);
	/* Batches never started (the writer was not running) are dropped. */
	while (s->head) {
		struct mg_batch *b = s->head;

		s->head = b->next;
		mg_batch_free(b);
	}
	for (int i = 0; i < MG_SQL_COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	if (s->wr)
		sqlite3_close(s->wr);
	if (s->rd)
		sqlite3_close(s->rd);
	if (s->efd >= 0)
		close(s->efd);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	pthread_cond_destroy(&s->idle_cv);
	free(s);
}
