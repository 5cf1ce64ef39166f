/* sc_httpc_int: the libcurl back end of sc_httpc (sc_httpc_curl.c). Not a
 * public interface.
 *
 * Plain http:// is sc_httpc.c's own small HTTP/1.1 client (unless
 * SIXCAST_HTTPC=curl); https:// goes to libcurl, loaded with dlopen() on the first request: linking
 * libcurl loads some thirty libraries (OpenSSL, GnuTLS, Kerberos, LDAP,
 * SSH, ...) and its start-up touches about 6 MB of them, which a set-top
 * box talking plain http to its management server need not load (issue 7;
 * with the built-in client it does not). */
#ifndef SC_HTTPC_INT_H
#define SC_HTTPC_INT_H

#include "sc_httpc.h"

struct sc_httpc_curl;

/* Load libcurl (once per process) and make a multi handle on loop.
 * Returns 0 and *out, or a negative errno with the reason in why. */
int sc_httpc_curl_new(sc_loop *loop, struct sc_httpc_curl **out, char *why, size_t len);
void sc_httpc_curl_free(struct sc_httpc_curl *c);
/* As sc_httpc_request(), with the request id chosen by the caller. */
int sc_httpc_curl_request(struct sc_httpc_curl *c, int64_t id, const char *method, const char *url,
			  const char *token, const char *json, unsigned timeout_ms, sc_httpc_done done, void *arg);
/* Returns 1 when id was in flight here (and is now cancelled), else 0. */
int sc_httpc_curl_cancel(struct sc_httpc_curl *c, int64_t id);
size_t sc_httpc_curl_pending(const struct sc_httpc_curl *c);

#define SC_HTTPC_MAX_ANSWER (1u << 20)

#endif
