/* sc_httpc: asynchronous HTTP/JSON requests from a daemon's event loop
 * (libcurl multi: its sockets are watched by sc_loop, its timeouts are an
 * sc_timer). Set-top boxes and edges talk to the management server through
 * it without ever blocking their packet path. */
#ifndef SC_HTTPC_H
#define SC_HTTPC_H

#include <stddef.h>
#include <stdint.h>

#include "sc_log.h"
#include "sc_loop.h"

typedef struct sc_httpc sc_httpc;

/* The end of a request. status: the HTTP status, or 0 when no answer came
 * (then err says why: refused, timed out, ...). body is NUL-terminated and
 * valid during the call only. */
typedef void (*sc_httpc_done)(void *arg, int status, const char *body, size_t len, const char *err);

/* Returns NULL when out of memory or libcurl fails to start. */
sc_httpc *sc_httpc_new(sc_loop *loop, const struct sc_logger *lg);
/* Cancels what is in flight (their callbacks are not called). */
void sc_httpc_free(sc_httpc *h);

/* Start a request. method: "GET", "POST", ...; token: sent as
 * "Authorization: Bearer TOKEN" when not NULL; json: request body (sent as
 * application/json) or NULL. The callback runs exactly once, later, from
 * the loop, unless the request is cancelled. Returns a request id > 0, or a
 * negative errno. Answers over 1 MiB fail as too large. */
int64_t sc_httpc_request(sc_httpc *h, const char *method, const char *url, const char *token, const char *json,
			 unsigned timeout_ms, sc_httpc_done done, void *arg);

/* Cancel a request in flight; its callback is not called. Unknown ids are
 * ignored. */
void sc_httpc_cancel(sc_httpc *h, int64_t id);

/* Requests in flight. */
size_t sc_httpc_pending(const sc_httpc *h);

#endif
