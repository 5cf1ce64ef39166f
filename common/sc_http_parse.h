/* sc_http_parse: reading HTTP/1.1 messages off the network, for our own
 * small server (sc_httpd_lite: a request's line and head) and client
 * (sc_httpc: an answer, with Content-Length, chunked, or up to EOF).
 *
 * Pure functions over the bytes received, apart from the sockets, timers
 * and limits of the modules that call them, so that unit tests and the
 * fuzz targets (tests/fuzz/fuzz_http_request.c, fuzz_httpc.c) reach every
 * message a peer can send. */
#ifndef SC_HTTP_PARSE_H
#define SC_HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#define SC_HTTP_METHOD_MAX 16   /* with the NUL */
#define SC_HTTP_TARGET_MAX 1024 /* with the NUL */

/* A request line: "METHOD TARGET HTTP/1.x". */
struct sc_http_line {
	char method[SC_HTTP_METHOD_MAX];
	char target[SC_HTTP_TARGET_MAX]; /* without its query and fragment */
};

/* Read the request line at the start of head (NUL-terminated). Returns 0,
 * or -EBADMSG when there is none, or its method or target do not fit. */
int sc_http_request_line(const char *head, struct sc_http_line *l);

/* What a request's head says about its body. */
struct sc_http_fields {
	size_t content_length;   /* 0 without Content-Length */
	bool transfer_encoding;  /* a Transfer-Encoding header (refused) */
	bool expect_continue;    /* "Expect: 100-continue" */
};

/* Read the header fields of head (NUL-terminated, up to the blank line
 * excluded). */
void sc_http_request_fields(const char *head, struct sc_http_fields *f);

/* An answer, as far as it has come. */
struct sc_http_answer {
	int status;
	char *body;        /* inside the buffer, NUL-terminated */
	size_t body_len;
	const char *err;   /* why it is refused */
};

/* Parse the answer in in[0..len); in holds len + 1 bytes (it is written
 * to: a chunked body is decoded in place, the body NUL-terminated). eof:
 * nothing more will come. Returns 1 when the answer is complete (a's
 * status and body), 0 when more must come (in as it was), -EBADMSG
 * (a->err says why) or -EMSGSIZE (a body over max bytes). */
int sc_http_answer_parse(char *in, size_t len, bool eof, size_t max, struct sc_http_answer *a);

#endif
