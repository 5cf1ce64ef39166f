/* sc_guard: what the connections of an HTTP server may hold, so that a
 * hostile network cannot lock legitimate clients out with slow or
 * half-sent requests (slowloris). Every HTTP server of sixcast (the box's
 * stream output and control API, the edge's and the management server's
 * libmicrohttpd ports) tells its guard about each connection's life; the
 * guard says whether a new connection may come in, and closes, through
 * the server's callback, those that overstay:
 *
 *  - per address: at most per_addr connections from one source address
 *    (an IPv4-mapped IPv6 address counts as its IPv4 address);
 *  - in all: at most max_conns. When full, the connection that has been
 *    reading its request the longest is closed to make room (then the
 *    kept-alive one idle the longest), so that slow clients hold nothing
 *    a complete request needs. Only when every connection is past its
 *    request (a stream, a long poll) is the new one refused;
 *  - a connection's first request (head and body) must be complete within
 *    request_ns of its opening, and a kept-alive connection's next request
 *    within keep_ns of the previous answer, however slowly the bytes
 *    trickle in (an idle timeout alone is reset by every byte);
 *  - a connection on which nothing moved for idle_ns is closed, unless
 *    the server holds it (it waits on purpose: nothing to send).
 *
 * Time is the loop's clock, through one sc_timer at the earliest deadline,
 * so a test advances a fake clock instead of waiting. Every refusal and
 * close is counted; they are logged at most once per 10 s per kind, with
 * the count of those not logged. Single-threaded, like sc_loop. */
#ifndef SC_GUARD_H
#define SC_GUARD_H

#include <stdbool.h>
#include <stdint.h>

#include "sc_addr.h"
#include "sc_log.h"
#include "sc_loop.h"

typedef struct sc_guard sc_guard;
typedef struct sc_guard_conn sc_guard_conn;

/* 0 in any field: no such limit. */
struct sc_guard_limits {
	unsigned max_conns;  /* open connections */
	unsigned per_addr;   /* open connections from one source address */
	uint64_t request_ns; /* first request complete within this of the connect */
	uint64_t keep_ns;    /* next request on a kept-alive connection within this */
	uint64_t idle_ns;    /* nothing moved (sc_guard_touch) for this long */
};

/* Why the guard closes a connection. */
enum sc_guard_why {
	SC_GUARD_REQUEST_TIMEOUT, /* its request did not arrive in time */
	SC_GUARD_EVICTED,         /* still reading its request when room was needed */
	SC_GUARD_IDLE,            /* nothing moved for idle_ns, or keep_ns between requests */
};

struct sc_guard_stats {
	uint64_t accepted;         /* connections let in */
	uint64_t refused_addr;     /* refused: over per_addr from that address */
	uint64_t refused_full;     /* refused: max_conns taken, none of them evictable */
	uint64_t evicted;          /* closed while reading a request, to make room */
	uint64_t request_timeouts; /* closed: the request did not arrive in time */
	uint64_t idle_timeouts;    /* closed: idle */
	unsigned open;             /* connections open now */
};

/* The server closes conn (its own handle) when the guard says so. It may
 * do so at once or later; either way it calls sc_guard_remove() when the
 * connection is gone, and the guard no longer counts it against the
 * limits from this call on. */
typedef void (*sc_guard_close_fn)(void *arg, void *conn, enum sc_guard_why why);

/* A guard on loop's clock. name prefixes log lines ("http output"). lg may
 * be NULL (nothing logged). Returns 0 and *out, or -ENOMEM. */
int sc_guard_new(sc_loop *loop, const struct sc_guard_limits *lim, const char *name, sc_guard_close_fn fn,
		 void *arg, const struct sc_logger *lg, sc_guard **out);
/* Frees the guard and the records of connections still registered (their
 * connections are the server's to close). NULL is ignored. */
void sc_guard_free(sc_guard *g);
/* New limits (a reload); deadlines already running keep their start. */
void sc_guard_set_limits(sc_guard *g, const struct sc_guard_limits *lim);
const struct sc_guard_limits *sc_guard_limits(const sc_guard *g);

/* May a new connection from peer come in? At max_conns this closes the
 * oldest connection still reading a request (SC_GUARD_EVICTED, through the
 * close callback, before returning). Returns 0, -EBUSY over per_addr, or
 * -ENOSPC when full with nothing to evict; refusals are counted. */
int sc_guard_check(sc_guard *g, const struct sc_sockaddr *peer);
/* Register a connection that came in (after sc_guard_check): it starts
 * reading its first request. conn is what the close callback gets.
 * Returns NULL when out of memory. */
sc_guard_conn *sc_guard_add(sc_guard *g, const struct sc_sockaddr *peer, void *conn);
/* Both of the above. Returns 0 and *out, or a negative errno as they. */
int sc_guard_admit(sc_guard *g, const struct sc_sockaddr *peer, void *conn, sc_guard_conn **out);

/* The whole request is in: no request deadline any more, and the
 * connection is no longer evictable. */
void sc_guard_request_done(sc_guard_conn *c);
/* Answered and kept alive: the next request is due within keep_ns. */
void sc_guard_request_next(sc_guard_conn *c);
/* Bytes moved: the idle clock starts over. */
void sc_guard_touch(sc_guard_conn *c);
/* Held connections wait on purpose (a stream with nothing to send) and
 * have no idle deadline; released, the idle clock starts over. */
void sc_guard_hold(sc_guard_conn *c, bool hold);
/* The connection is gone. NULL is ignored. */
void sc_guard_remove(sc_guard_conn *c);

const struct sc_guard_stats *sc_guard_stats(const sc_guard *g);

/* The counters as Prometheus text: PREFIX_connections,
 * PREFIX_accepted_total, PREFIX_refused_total{reason="per_address"|"full"}
 * and PREFIX_closed_total{reason="request_timeout"|"evicted"|"idle"}.
 * Returns the length it needed, as snprintf(). */
int sc_guard_metrics(const struct sc_guard_stats *st, const char *prefix, char *buf, size_t len);

#endif
