/* libFuzzer target: the box's HTTP stream output reading a player's
 * request (client/hts_req.c: hts_req_parse and hts_req_base_url, on the
 * NUL-terminated request as hts holds it). The input is the request.
 *
 * Beyond "no crash": the route is what the request line's words say (GET
 * or HEAD; /playlist.m3u, /current, or /channel/ and a number that fits in
 * 32 bits, nothing else); a route written back as a request reads the
 * same; the playlist's base is "http://" and the Host header's value, on
 * one line, within the buffer. Build with ./configure CC=clang-14
 * --enable-fuzzers; run e.g.
 *   build-fuzz/tests/fuzz/fuzz_hts_req -dict=tests/fuzz/dict/http.dict CORPUS_DIR */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hts_req.h"
#include "sc_addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x) ((x) ? (void)0 : abort())

/* The next word of s (after white space), as a pointer and a length. */
static size_t word(const char **s, const char **w)
{
	size_t n;

	while (isspace((unsigned char)**s))
		(*s)++;
	n = strcspn(*s, " \t\n\v\f\r");
	*w = *s;
	*s += n;
	return n;
}

static bool is(const char *w, size_t n, const char *lit)
{
	return n == strlen(lit) && !memcmp(w, lit, n);
}

/* "/channel/" and digits of a value up to 2^32-1. */
static bool channel_of(const char *p, size_t n, uint32_t *id)
{
	uint64_t v = 0;

	if (n <= 9 || memcmp(p, "/channel/", 9))
		return false;
	for (size_t i = 9; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			return false;
		v = v * 10 + (uint64_t)(p[i] - '0');
		if (v > UINT32_MAX)
			return false;
	}
	*id = (uint32_t)v;
	return true;
}

/* The route as the request's words say it. */
static void expected(const char *req, struct hts_req *r)
{
	const char *s = req, *m, *p;
	size_t mn = word(&s, &m), pn;

	memset(r, 0, sizeof(*r));
	pn = word(&s, &p);
	if (!mn || !pn || (!is(m, mn, "GET") && !is(m, mn, "HEAD"))) {
		r->route = HTS_BAD_REQUEST;
		return;
	}
	r->head = is(m, mn, "HEAD");
	if (is(p, pn, "/playlist.m3u"))
		r->route = HTS_PLAYLIST;
	else if (is(p, pn, "/current"))
		r->route = HTS_CURRENT;
	else if (channel_of(p, pn, &r->channel))
		r->route = HTS_CHANNEL;
	else
		r->route = HTS_NOT_FOUND;
}

static void route(const char *req)
{
	struct hts_req r, want, back;
	char again[64];

	hts_req_parse(req, &r);
	expected(req, &want);
	CHECK(r.route == want.route);
	if (r.route == HTS_BAD_REQUEST)
		return;
	CHECK(r.head == want.head && (r.route != HTS_CHANNEL || r.channel == want.channel));
	if (r.route == HTS_NOT_FOUND)
		return;
	if (r.route == HTS_CHANNEL)
		snprintf(again, sizeof(again), "%s /channel/%u HTTP/1.1\r\n\r\n", r.head ? "HEAD" : "GET", r.channel);
	else
		snprintf(again, sizeof(again), "%s %s HTTP/1.1\r\n\r\n", r.head ? "HEAD" : "GET",
			 r.route == HTS_PLAYLIST ? "/playlist.m3u" : "/current");
	hts_req_parse(again, &back);
	CHECK(back.route == r.route && back.head == r.head && back.channel == r.channel);
}

static void base_url(const char *req, size_t len)
{
	char buf[256];
	struct sc_sockaddr local;

	/* With and without the address the player reached (no Host). */
	sc_addr_parse(len % 2 ? "[::ffff:192.0.2.7]:8080" : "[2001:db8::7]:8080", 0, &local);
	memset(buf, 'x', sizeof(buf));
	hts_req_base_url(req, len % 3 ? &local : NULL, 8080, buf, len);
	CHECK(strlen(buf) < len && !strpbrk(buf, "\r\n"));
	CHECK(!strncmp(buf, "http://", len - 1 < 7 ? len - 1 : 7));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *req = malloc(size + 1);

	if (!req)
		return 0;
	memcpy(req, data, size);
	req[size] = '\0';
	route(req);
	base_url(req, 256);
	base_url(req, size % 256 + 1);
	free(req);
	return 0;
}
