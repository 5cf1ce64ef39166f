/* libFuzzer target: the small HTTP server's reading of a request head
 * (common/sc_http_parse.c: sc_http_request_line and
 * sc_http_request_fields, as sc_httpd_lite calls them on the head it
 * NUL-terminated). The input is the head.
 *
 * Beyond "no crash": the method and target are the request line's first
 * two words, whole (a word cut short would be another request), the
 * target without its query; written back as a request line they read the
 * same. A well-formed Content-Length is read as its value. Build with
 * ./configure CC=clang-14 --enable-fuzzers; run e.g.
 *   build-fuzz/tests/fuzz/fuzz_http_request -dict=tests/fuzz/dict/http.dict CORPUS_DIR */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sc_http_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x) ((x) ? (void)0 : abort())

/* The next word of s (after white space) into w[cap]; false if none, or
 * if it does not fit. */
static bool word(const char **s, char *w, size_t cap, bool *fits)
{
	size_t n;

	while (isspace((unsigned char)**s))
		(*s)++;
	n = strcspn(*s, " \t\n\v\f\r");
	if (!n)
		return false;
	*fits = n < cap;
	snprintf(w, cap, "%.*s", (int)n, *s);
	*s += n;
	return true;
}

static void request_line(const char *head)
{
	static struct sc_http_line l, m;
	static char method[SC_HTTP_METHOD_MAX], target[SC_HTTP_TARGET_MAX], line[2 * SC_HTTP_TARGET_MAX];
	const char *s = head;
	bool fit1 = false, fit2 = false, two;
	int rc = sc_http_request_line(head, &l);

	two = word(&s, method, sizeof(method), &fit1) && word(&s, target, sizeof(target), &fit2);
	if (!two || !fit1 || !fit2) {
		CHECK(rc == -EBADMSG); /* no request line, or one that does not fit */
		return;
	}
	CHECK(rc == 0);
	target[strcspn(target, "?#")] = '\0';
	CHECK(!strcmp(l.method, method) && !strcmp(l.target, target));
	if (!l.target[0])
		return; /* "?query" alone: an empty target, written back no word */
	snprintf(line, sizeof(line), "%s %s HTTP/1.1\r\nHost: x", l.method, l.target);
	CHECK(sc_http_request_line(line, &m) == 0 && !strcmp(l.method, m.method) && !strcmp(l.target, m.target));
}

/* The value of a Content-Length of digits only (and white space around),
 * as a number, or -1 when there is none or another form. */
static long long length_of(const char *head)
{
	const char *cl = strcasestr(head, "\r\nContent-Length:"), *v;
	long long n = 0;

	if (!cl)
		return -1;
	v = cl + 17 + strspn(cl + 17, " \t");
	if (!isdigit((unsigned char)*v))
		return -1;
	for (; isdigit((unsigned char)*v); v++) {
		if (n > 100000000000LL)
			return -1;
		n = n * 10 + (*v - '0');
	}
	v += strspn(v, " \t");
	return *v == '\r' || *v == '\0' ? n : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sc_http_fields f;
	char *head = malloc(size + 1);
	long long want;

	if (!head)
		return 0;
	memcpy(head, data, size);
	head[size] = '\0';
	request_line(head);
	sc_http_request_fields(head, &f);
	want = length_of(head);
	CHECK(want < 0 || f.content_length == (size_t)want);
	CHECK(!f.transfer_encoding || strcasestr(head, "\r\nTransfer-Encoding:"));
	free(head);
	return 0;
}
