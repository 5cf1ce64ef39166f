/* sc_httpd_lite: the handler contract of sc_httpd (struct sc_http_req,
 * struct sc_http_resp, sc_httpd_fn, sc_httpd_printf) on a small HTTP/1.1
 * server of its own, for a daemon that answers a few local requests and
 * should not load libmicrohttpd: with it come GnuTLS, nettle, gmp, p11-kit
 * and libunistring, about 2.5 MB of RSS (issue 7: the set-top box's
 * control API). One request per connection (answered with "Connection:
 * close"), bodies by Content-Length only, at most 32 connections. Handlers
 * get method, url (without the query), body and peer; sc_httpd_header()
 * and sc_httpd_query() are sc_httpd's alone (req->conn is NULL here).
 *
 * Connections are kept honest by an sc_guard (a few per address, the whole
 * request due within seconds of the connect, the oldest half-sent request
 * closed for a newcomer when all are taken), and a bearer token can be
 * required of every request: without it the answer is 401 with a JSON
 * error, and the handler never runs. */
#ifndef SC_HTTPD_LITE_H
#define SC_HTTPD_LITE_H

#include "sc_guard.h"
#include "sc_httpd.h"

#define SC_HTTPD_LITE_MAX_CONNS 32

typedef struct sc_httpd_lite sc_httpd_lite;

struct sc_httpd_lite_stats {
	struct sc_guard_stats conns; /* refused and closed by the limits */
	uint64_t auth_failed;        /* requests answered 401 */
};

/* The defaults: 32 connections, 4 per address, the whole request within
 * 5 s of the connect, 10 s idle. */
void sc_httpd_lite_limits_default(struct sc_guard_limits *lim);

/* As sc_httpd_new(); lim NULL: the defaults (max_conns is capped at
 * SC_HTTPD_LITE_MAX_CONNS). */
int sc_httpd_lite_new(sc_loop *loop, const struct sc_sockaddr *addr, size_t max_body,
		      const struct sc_guard_limits *lim, sc_httpd_fn fn, void *arg, const struct sc_logger *lg,
		      sc_httpd_lite **out);
void sc_httpd_lite_free(sc_httpd_lite *h);
unsigned sc_httpd_lite_port(const sc_httpd_lite *h);
/* New limits (a reload), as in sc_httpd_lite_new(). */
void sc_httpd_lite_set_limits(sc_httpd_lite *h, const struct sc_guard_limits *lim);
/* Require "Authorization: Bearer TOKEN" of every request from now on;
 * NULL or "": no token. Compared in constant time. Returns 0 or -ENOMEM
 * (then the previous token stays). */
int sc_httpd_lite_set_token(sc_httpd_lite *h, const char *token);
void sc_httpd_lite_stats(const sc_httpd_lite *h, struct sc_httpd_lite_stats *out);

#endif
