/* Unit tests of sc_http_parse: requests as sc_httpd_lite read them and
 * answers as sc_httpc read them before the parsing moved out of them (the
 * same fields, the same refusals, the same "wait for more"). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sc_http_parse.h"
#include "tu.h"

#define MAX (1u << 20)

static void test_request_line(void)
{
	struct sc_http_line l;

	CU_ASSERT_EQUAL(sc_http_request_line("GET /api/v1/status HTTP/1.1\r\nHost: x", &l), 0);
	CU_ASSERT_STRING_EQUAL(l.method, "GET");
	CU_ASSERT_STRING_EQUAL(l.target, "/api/v1/status");
	CU_ASSERT_EQUAL(sc_http_request_line("POST /tune?channel=2#x HTTP/1.0", &l), 0);
	CU_ASSERT_STRING_EQUAL(l.method, "POST");
	CU_ASSERT_STRING_EQUAL(l.target, "/tune");
	CU_ASSERT_EQUAL(sc_http_request_line("GET /#frag HTTP/1.1", &l), 0);
	CU_ASSERT_STRING_EQUAL(l.target, "/");
	/* without a version, HTTP/0.9 style: taken */
	CU_ASSERT_EQUAL(sc_http_request_line("GET /x", &l), 0);
	CU_ASSERT_STRING_EQUAL(l.target, "/x");
	CU_ASSERT_EQUAL(sc_http_request_line("GET", &l), -EBADMSG);
	CU_ASSERT_EQUAL(sc_http_request_line("", &l), -EBADMSG);
	CU_ASSERT_EQUAL(sc_http_request_line("\r\n", &l), -EBADMSG);
}

/* Found by fuzz_http_request: sscanf's %15s and %1023s cut a long method
 * or target, and the rest of the word read as the next one. */
static void test_request_line_too_long(void)
{
	struct sc_http_line l;
	char head[1200];

	CU_ASSERT_EQUAL(sc_http_request_line("\r\nConten\x9at-Length: /aOSTp", &l), -EBADMSG);
	CU_ASSERT_EQUAL(sc_http_request_line("ABCDEFGHIJKLMNOPQ /x HTTP/1.1", &l), -EBADMSG);
	CU_ASSERT_EQUAL(sc_http_request_line("ABCDEFGHIJKLMNO /x HTTP/1.1", &l), 0);
	CU_ASSERT_STRING_EQUAL(l.method, "ABCDEFGHIJKLMNO");
	/* a target of 1023 bytes fits, 1024 do not (it was cut to another) */
	snprintf(head, sizeof(head), "GET /%01022d HTTP/1.1", 0);
	CU_ASSERT_EQUAL(sc_http_request_line(head, &l), 0);
	CU_ASSERT_EQUAL(strlen(l.target), 1023);
	snprintf(head, sizeof(head), "GET /%01023d HTTP/1.1", 0);
	CU_ASSERT_EQUAL(sc_http_request_line(head, &l), -EBADMSG);
}

static void test_request_fields(void)
{
	struct sc_http_fields f;

	sc_http_request_fields("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 42\r\nExpect: 100-continue", &f);
	CU_ASSERT_EQUAL(f.content_length, 42);
	CU_ASSERT(f.expect_continue);
	CU_ASSERT(!f.transfer_encoding);
	sc_http_request_fields("POST /x HTTP/1.1\r\ncontent-length:7\r\nexpect: \t100-Continue", &f);
	CU_ASSERT_EQUAL(f.content_length, 7);
	CU_ASSERT(f.expect_continue);
	sc_http_request_fields("GET /x HTTP/1.1\r\nHost: a", &f);
	CU_ASSERT_EQUAL(f.content_length, 0);
	CU_ASSERT(!f.expect_continue);
	sc_http_request_fields("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\nExpect: 200-ok", &f);
	CU_ASSERT(f.transfer_encoding);
	CU_ASSERT(!f.expect_continue);
	/* a header's name must start its line */
	sc_http_request_fields("POST /x HTTP/1.1\r\nX-Content-Length: 9", &f);
	CU_ASSERT_EQUAL(f.content_length, 0);
}

/* Parse text (a copy with room for the NUL). */
static int answer(const char *text, bool eof, char **copy, struct sc_http_answer *a)
{
	size_t len = strlen(text);

	*copy = malloc(len + 1);
	memcpy(*copy, text, len + 1);
	return sc_http_answer_parse(*copy, len, eof, MAX, a);
}

static void test_answer_framing(void)
{
	struct sc_http_answer a;
	char *b;

	CU_ASSERT_EQUAL(answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", false, &b, &a), 1);
	CU_ASSERT_EQUAL(a.status, 200);
	CU_ASSERT_EQUAL(a.body_len, 2);
	CU_ASSERT_STRING_EQUAL(a.body, "{}");
	free(b);
	/* more than Content-Length: the rest is cut */
	CU_ASSERT_EQUAL(answer("HTTP/1.0 404 Not Found\r\ncontent-length: 2\r\n\r\n{}junk", false, &b, &a), 1);
	CU_ASSERT_EQUAL(a.status, 404);
	CU_ASSERT_STRING_EQUAL(a.body, "{}");
	free(b);
	CU_ASSERT_EQUAL(answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{\"\r\n9;x=y\r\n"
			       "a\": 1234}\r\n0\r\n\r\n", false, &b, &a), 1);
	CU_ASSERT_STRING_EQUAL(a.body, "{\"a\": 1234}");
	CU_ASSERT_EQUAL(a.body_len, 11);
	free(b);
	/* neither: up to the end */
	CU_ASSERT_EQUAL(answer("HTTP/1.1 200 OK\r\n\r\n[1,2]", false, &b, &a), 0);
	free(b);
	CU_ASSERT_EQUAL(answer("HTTP/1.1 200 OK\r\n\r\n[1,2]", true, &b, &a), 1);
	CU_ASSERT_STRING_EQUAL(a.body, "[1,2]");
	free(b);
	CU_ASSERT_EQUAL(answer("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n", false, &b, &a), 1);
	CU_ASSERT_EQUAL(a.body_len, 0);
	CU_ASSERT_STRING_EQUAL(a.body, "");
	free(b);
}

/* An answer not complete yet is left as it came, to be parsed again. */
static void test_answer_more(void)
{
	static const char *const partial[] = {
		"HTTP/1.1 200 OK\r\nContent-Le",
		"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n",
		"HTTP/1.1 200 OK\r\nX: 1\r\n\r\nbody",
	};
	struct sc_http_answer a;
	char *b;

	for (size_t i = 0; i < sizeof(partial) / sizeof(partial[0]); i++) {
		CU_ASSERT_EQUAL(answer(partial[i], false, &b, &a), 0);
		CU_ASSERT_STRING_EQUAL(b, partial[i]);
		free(b);
	}
	CU_ASSERT_EQUAL(sc_http_answer_parse(NULL, 0, false, MAX, &a), 0);
}

static void test_answer_refused(void)
{
	static const struct {
		const char *text;
		int rc;
		const char *err;
	} cases[] = {
		{ "", -EBADMSG, "Empty reply from server" },
		{ "HTTP/1.1 200 OK\r\n", -EBADMSG, "malformed answer (no end of header)" },
		{ "SSH-2.0-OpenSSH\r\n\r\n", -EBADMSG, "malformed status line" },
		{ "HTTP/1.1 99 Odd\r\n\r\n", -EBADMSG, "malformed status line" },
		{ "HTTP/2 200\r\n\r\n", -EBADMSG, "malformed status line" },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}", -EBADMSG, "answer shorter than its Content-Length" },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 1048577\r\n\r\n", -EMSGSIZE, NULL },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", -EBADMSG,
		  "malformed or truncated chunked answer" },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n", -EBADMSG,
		  "malformed or truncated chunked answer" },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n100001\r\n", -EBADMSG,
		  "malformed or truncated chunked answer" },
	};
	struct sc_http_answer a;
	char *b;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CU_ASSERT_EQUAL(answer(cases[i].text, true, &b, &a), cases[i].rc);
		if (cases[i].err)
			CU_ASSERT_STRING_EQUAL(a.err, cases[i].err);
		free(b);
	}
	CU_ASSERT_EQUAL(sc_http_answer_parse(NULL, 0, true, MAX, &a), -EBADMSG);
	CU_ASSERT_STRING_EQUAL(a.err, "Empty reply from server");
	/* a Content-Length over the limit is refused before the body comes */
	CU_ASSERT_EQUAL(answer("HTTP/1.1 200 OK\r\nContent-Length: 1048577\r\n\r\n", false, &b, &a), -EMSGSIZE);
	free(b);
}

/* Found by fuzz_httpc: a chunk's size was read with strtoul, which skips
 * white space, the size line's own CRLF included, and reads the next
 * line's digits; so an empty size line was refused when TCP cut the answer
 * right after it and taken when the next line came with it. */
static void test_chunk_size(void)
{
	static const char head[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
	static const struct {
		const char *body;
		int rc;
		const char *want;
	} cases[] = {
		{ "\r\n5\r\nhello\r\n0\r\n\r\n", -EBADMSG, NULL },
		{ " 5\r\nhello\r\n0\r\n\r\n", -EBADMSG, NULL },
		{ "+5\r\nhello\r\n0\r\n\r\n", -EBADMSG, NULL },
		{ "0x5\r\nhello\r\n0\r\n\r\n", -EBADMSG, NULL },
		{ "5\r\nhello\r\n-0\r\n\r\n", -EBADMSG, NULL },
		{ "5;name=value\r\nhello\r\n0\r\n\r\n", 1, "hello" },
		{ "5 \r\nhello\r\n00\r\n\r\n", 1, "hello" },
		{ "A\r\n0123456789\r\nb\r\n0123456789a\r\n0\r\n\r\n", 1, "01234567890123456789a" },
	};
	struct sc_http_answer a;
	char text[256], *b;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "%s%s", head, cases[i].body);
		CU_ASSERT_EQUAL(answer(text, false, &b, &a), cases[i].rc);
		if (cases[i].want)
			CU_ASSERT_STRING_EQUAL(a.body, cases[i].want);
		free(b);
	}
	/* the case found, cut where the fuzzer cut it and whole: refused both */
	snprintf(text, sizeof(text), "%s\r\n", head);
	CU_ASSERT_EQUAL(answer(text, false, &b, &a), -EBADMSG);
	free(b);
	snprintf(text, sizeof(text), "%s\r\n5\r\n\r\n", head);
	CU_ASSERT_EQUAL(answer(text, false, &b, &a), -EBADMSG);
	free(b);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "request line", test_request_line },
		{ "request line too long", test_request_line_too_long },
		{ "request fields", test_request_fields },
		{ "answer framing", test_answer_framing },
		{ "answer not complete yet", test_answer_more },
		{ "answer refused", test_answer_refused },
		{ "chunk size", test_chunk_size },
		{ NULL, NULL },
	};
	return tu_add_suite("sc_http_parse", tests);
}
