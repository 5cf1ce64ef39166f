/* sc_httpd_lite: the handler contract of sc_httpd (struct sc_http_req,
 * struct sc_http_resp, sc_httpd_fn, sc_httpd_printf) on a small HTTP/1.1
 * server of its own, for a daemon that answers a few local requests and
 * should not load libmicrohttpd: with it come GnuTLS, nettle, gmp, p11-kit
 * and libunistring, about 2.5 MB of RSS (issue 7: the set-top box's
 * control API). One request per connection (answered with "Connection:
 * close"), bodies by Content-Length only, at most 32 connections, each
 * closed after 10 s without a whole request. Handlers get method, url
 * (without the query), body and peer; sc_httpd_header() and
 * sc_httpd_query() are sc_httpd's alone (req->conn is NULL here). */
#ifndef SC_HTTPD_LITE_H
#define SC_HTTPD_LITE_H

#include "sc_httpd.h"

typedef struct sc_httpd_lite sc_httpd_lite;

/* As sc_httpd_new(). */
int sc_httpd_lite_new(sc_loop *loop, const struct sc_sockaddr *addr, size_t max_body, sc_httpd_fn fn, void *arg,
		      const struct sc_logger *lg, sc_httpd_lite **out);
void sc_httpd_lite_free(sc_httpd_lite *h);
unsigned sc_httpd_lite_port(const sc_httpd_lite *h);

#endif
