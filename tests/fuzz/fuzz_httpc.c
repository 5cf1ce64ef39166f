/* libFuzzer target: the built-in HTTP client's reading of an answer
 * (common/sc_http_parse.c: sc_http_answer_parse, as sc_httpc calls it).
 * The first byte says where the network cuts the answer in two; the rest
 * is the answer.
 *
 * Beyond "no crash": an answer complete at the cut is the same answer
 * (status and body) as the whole, and one refused at the cut is refused
 * whole: how TCP segments an answer must not change what the box reads.
 * "More to come" leaves the bytes as they were. A complete answer has a
 * status of three digits and a body inside the buffer, within the limit;
 * written back with Content-Length, and chunked, it reads the same. Build
 * with ./configure CC=clang-14 --enable-fuzzers; run e.g.
 *   build-fuzz/tests/fuzz/fuzz_httpc -dict=tests/fuzz/dict/http.dict CORPUS_DIR */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sc_http_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x) ((x) ? (void)0 : abort())
#define MAX 4096 /* small, so that the limit is reached too */

struct result {
	int rc;
	int status;
	size_t len;
	char *body; /* a copy, malloc'd */
};

/* Parse a copy of msg[0..len) (with its byte of room after it). */
static void parse(const uint8_t *msg, size_t len, bool eof, struct result *r)
{
	char *buf = malloc(len + 1);
	struct sc_http_answer a;

	CHECK(buf != NULL);
	memcpy(buf, msg, len);
	buf[len] = 'x'; /* not a NUL: the parser must not need one */
	memset(r, 0, sizeof(*r));
	r->rc = sc_http_answer_parse(buf, len, eof, MAX, &a);
	CHECK(r->rc == 1 || r->rc == 0 || r->rc == -EMSGSIZE || (r->rc == -EBADMSG && a.err && *a.err));
	if (r->rc == 0)
		CHECK(!memcmp(buf, msg, len)); /* to be parsed again with more */
	if (r->rc == 1) {
		CHECK(a.status >= 100 && a.status <= 999 && a.body_len <= MAX);
		CHECK(a.body >= buf && a.body + a.body_len <= buf + len && a.body[a.body_len] == '\0');
		r->status = a.status;
		r->len = a.body_len;
		r->body = malloc(a.body_len + 1);
		CHECK(r->body != NULL);
		memcpy(r->body, a.body, a.body_len + 1);
	}
	free(buf);
}

static bool same(const struct result *a, const struct result *b)
{
	return a->rc == b->rc && a->status == b->status && a->len == b->len &&
	       (a->rc != 1 || !memcmp(a->body, b->body, a->len));
}

/* The complete answer r written back in a frame of its own. */
static void again(const struct result *r, bool chunked, size_t piece)
{
	size_t cap = r->len * 2 + 64 * (r->len / piece + 2) + 128, n;
	uint8_t *b = malloc(cap);
	struct result s;

	CHECK(b != NULL);
	if (!chunked) {
		n = (size_t)snprintf((char *)b, cap, "HTTP/1.1 %d X\r\nContent-Length: %zu\r\n\r\n", r->status, r->len);
		memcpy(b + n, r->body, r->len);
		n += r->len;
	} else {
		n = (size_t)snprintf((char *)b, cap, "HTTP/1.1 %d X\r\nTransfer-Encoding: chunked\r\n\r\n", r->status);
		for (size_t off = 0; off < r->len; off += piece) {
			size_t k = r->len - off < piece ? r->len - off : piece;

			n += (size_t)snprintf((char *)b + n, cap - n, "%zx\r\n", k);
			memcpy(b + n, r->body + off, k);
			n += k;
			memcpy(b + n, "\r\n", 2);
			n += 2;
		}
		memcpy(b + n, "0\r\n\r\n", 5);
		n += 5;
	}
	parse(b, n, false, &s);
	CHECK(same(r, &s));
	free(s.body);
	free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct result whole, eof, part;
	size_t cut;

	if (size < 1)
		return 0;
	cut = size > 1 ? data[0] % size : 0;
	data++;
	size--;
	parse(data, size, false, &whole);
	parse(data, size, true, &eof);
	CHECK(whole.rc != 1 || same(&whole, &eof)); /* the end changes nothing then */
	parse(data, cut, false, &part);
	if (part.rc == 1)
		CHECK(same(&part, &whole));
	if (part.rc < 0)
		CHECK(whole.rc < 0);
	if (whole.rc == 1) {
		again(&whole, false, 1);
		again(&whole, true, cut ? cut : 1);
	}
	free(whole.body);
	free(eof.body);
	free(part.body);
	return 0;
}
