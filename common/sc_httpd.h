/* sc_httpd: a small HTTP/1.1 server on libmicrohttpd, run by the daemon's
 * event loop (no thread of its own): MHD's epoll fd is watched by sc_loop
 * and its timeouts become an sc_timer. Handlers get the whole request body
 * (up to a limit) and fill in a whole response. Bad requests that never
 * reach a handler (oversize bodies) get a 413 with a message.
 *
 * Connections are kept honest by an sc_guard (sc_guard_mhd.h): a cap per
 * source address, a cap in all that evicts the oldest half-sent request
 * for a newcomer, the whole request due within seconds of the connect (or
 * of the previous answer on a kept-alive connection), and MHD's idle
 * timeout. */
#ifndef SC_HTTPD_H
#define SC_HTTPD_H

#include <stddef.h>

#include "sc_addr.h"
#include "sc_guard.h"
#include "sc_log.h"
#include "sc_loop.h"

typedef struct sc_httpd sc_httpd;

struct sc_http_req {
	const char *method;     /* "GET", "POST", ... */
	const char *url;        /* path, without the query */
	const char *body;       /* NUL-terminated; "" when none */
	size_t body_len;
	const struct sc_sockaddr *peer;
	void *conn;             /* for sc_httpd_header()/sc_httpd_query() */
};

struct sc_http_resp {
	int status;             /* 200 unless the handler says otherwise */
	const char *type;       /* Content-Type; "text/plain; charset=utf-8" by default */
	char *body;             /* malloc'd by the handler, freed by the server */
	size_t len;
};

typedef void (*sc_httpd_fn)(void *arg, const struct sc_http_req *req, struct sc_http_resp *resp);

/* The defaults: 256 connections, 16 per address, the whole request within
 * 10 s, 30 s idle (and between requests on a kept-alive connection). */
void sc_httpd_limits_default(struct sc_guard_limits *lim);

/* Listen on addr (IPv6 "[::]" listens on IPv4 too). max_body: larger
 * request bodies get 413. lim NULL: the defaults. Returns 0 and *out, or a
 * negative errno (logged). */
int sc_httpd_new(sc_loop *loop, const struct sc_sockaddr *addr, size_t max_body, const struct sc_guard_limits *lim,
		 sc_httpd_fn fn, void *arg, const struct sc_logger *lg, sc_httpd **out);
void sc_httpd_free(sc_httpd *h);
/* New limits (a reload). The idle timeout and a connection cap above the
 * one started with wait for a restart (libmicrohttpd fixes them). */
void sc_httpd_set_limits(sc_httpd *h, const struct sc_guard_limits *lim);
/* Connections refused and closed by the limits. */
const struct sc_guard_stats *sc_httpd_guard_stats(const sc_httpd *h);

/* A request header or query argument; NULL when absent. Valid during the
 * handler call. */
const char *sc_httpd_header(const struct sc_http_req *req, const char *name);
const char *sc_httpd_query(const struct sc_http_req *req, const char *name);

/* Set a response body from a printf format (malloc'd). Returns 0 or
 * -ENOMEM (then the server answers 500). */
int sc_httpd_printf(struct sc_http_resp *resp, int status, const char *type, const char *fmt, ...)
	SC_PRINTF(4, 5);

/* The port the server listens on (useful after binding port 0). */
unsigned sc_httpd_port(const sc_httpd *h);

#endif
