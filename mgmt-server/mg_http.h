/* mg_http: the HTTP server under the API, on libmicrohttpd, driven from the
 * daemon's event loop.
 *
 * One MHD daemon per listen address (own sockets, IPv6-only for IPv6, so
 * "[::]" and "0.0.0.0" share a port), in MHD's external-epoll mode: each
 * daemon's epoll fd sits in the sc_loop, so requests, store completions,
 * timers and signals all run on one thread and the model needs no locks.
 * TLS through MHD (GnuTLS) when a certificate is configured.
 *
 * A request is collected (body up to http.max_body; more is a 413 without
 * reading it all) into a struct mg_req and handed to the handler once. The
 * handler answers at once, or marks the request pending (a durable write,
 * a long poll): the connection is suspended until mg_req_finish().
 *
 * Connections are kept honest by one sc_guard across the daemons
 * (sc_guard_mhd.h, the http.* limits of mg_cfg.h): a cap per source
 * address, a cap in all that evicts the oldest half-sent request (then the
 * longest idle kept-alive connection) for a newcomer, the whole request
 * due within http.request_timeout_ms of the connect or within
 * http.idle_timeout_s of the previous answer; a request being served,
 * long polls included, has no deadline and is never evicted. */
#ifndef MG_HTTP_H
#define MG_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mg_cfg.h"
#include "sc_addr.h"
#include "sc_guard.h"
#include "sc_loop.h"

enum mg_method { MG_GET, MG_POST, MG_PUT, MG_PATCH, MG_DELETE, MG_HEAD, MG_OTHER };

struct mg_req {
	/* the request */
	enum mg_method method;
	const char *method_name;
	const char *path;          /* without the query */
	const char *auth;          /* Authorization header, or NULL */
	const char *content_type;  /* or NULL */
	char *body;                /* NUL-terminated */
	size_t body_len;
	bool body_too_big;
	struct sc_sockaddr peer;
	uint64_t start_ns;
	/* the answer, set by the handler (mg_reply_* in mg_api.h) */
	unsigned status;
	char *resp;                /* malloc'd, owned by the request */
	size_t resp_len;
	const char *resp_type;     /* static string */
	const char *allow;         /* Allow header for 405, static */
	int area;                  /* metrics label, see mg_metrics.h */
	bool pending;              /* answer later, through mg_req_finish() */
	/* for the API: what a pending request waits for */
	void *api_data;
	void (*on_free)(struct mg_req *r); /* the request goes away */
	/* private */
	void *conn;
	struct mg_http *http;
	int phase;
	size_t body_cap;
	struct mg_req *susp_prev, *susp_next;
};

/* Called once per complete request. */
typedef void (*mg_handler_fn)(void *ctx, struct mg_req *r);
/* Called when a request is done, with its duration. */
typedef void (*mg_done_fn)(void *ctx, const struct mg_req *r, uint64_t ns);

typedef struct mg_http mg_http;

/* Listen on cfg's addresses and serve through handler. Returns 0 or a
 * negative errno with why set (an address in use, a TLS file missing). */
int mg_http_start(const struct mg_config *cfg, sc_loop *loop, mg_handler_fn handler,
		  mg_done_fn done, void *ctx, mg_http **out, char *why, size_t len);
/* Answer every pending request with 503, close, free. NULL is ignored. */
void mg_http_stop(mg_http *h);
/* Settings that apply without a restart (body limit, long-poll cap, the
 * per-address limit, the request timeout, a lower connection limit). */
void mg_http_reconfigure(mg_http *h, const struct mg_config *cfg);
/* Connections open now, across daemons. */
unsigned mg_http_connections(const mg_http *h);
/* Connections refused and closed by the limits. */
const struct sc_guard_stats *mg_http_guard_stats(const mg_http *h);
/* The port of the i-th listen address (after binding port 0); 0 if none. */
unsigned mg_http_port(const mg_http *h, size_t i);

/* A query argument, or NULL. */
const char *mg_req_arg(const struct mg_req *r, const char *name);
/* Send the answer of a pending request (resume its connection). */
void mg_req_finish(struct mg_req *r);

#endif
