/* sc_http_parse: HTTP/1.1 requests and answers. See sc_http_parse.h. */
#include "config.h"

#include "sc_http_parse.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

/* The next word of *s (after white space) into w[cap]. Returns 0, or
 * -EBADMSG when there is none or it does not fit: cut short (as sscanf's
 * %15s did) a word reads as another request ("ABCDEFGHIJKLMNOPQ /x" as
 * method "ABCDEFGHIJKLMNO" of target "PQ"). */
static int word(const char **s, char *w, size_t cap)
{
	size_t n;

	while (isspace((unsigned char)**s))
		(*s)++;
	n = strcspn(*s, " \t\n\v\f\r");
	if (!n || n >= cap)
		return -EBADMSG;
	memcpy(w, *s, n);
	w[n] = '\0';
	*s += n;
	return 0;
}

int sc_http_request_line(const char *head, struct sc_http_line *l)
{
	const char *s = head;

	if (word(&s, l->method, sizeof(l->method)) < 0 || word(&s, l->target, sizeof(l->target)) < 0)
		return -EBADMSG;
	l->target[strcspn(l->target, "?#")] = '\0';
	return 0;
}

void sc_http_request_fields(const char *head, struct sc_http_fields *f)
{
	const char *cl = strcasestr(head, "\r\nContent-Length:"), *ex = strcasestr(head, "\r\nExpect:");

	f->content_length = cl ? strtoul(cl + 17, NULL, 10) : 0;
	f->transfer_encoding = strcasestr(head, "\r\nTransfer-Encoding:") != NULL;
	f->expect_continue = ex && strncasecmp(ex + 9 + strspn(ex + 9, " \t"), "100-continue", 12) == 0;
}

/* The size at the start of a chunk's line p[0..eol): hex digits, then an
 * extension (";..." or white space) or the line's end. Returns it, or -1
 * when malformed or over max. strtoul skipped white space, the line's own
 * CRLF included, and took the next line's digits: then whether an answer
 * was malformed depended on where TCP cut it. */
static long long chunk_size(const char *p, const char *eol, size_t max)
{
	unsigned long long n = 0;
	const char *q;

	for (q = p; q < eol && isxdigit((unsigned char)*q); q++) {
		n = n * 16 + (unsigned long long)(isdigit((unsigned char)*q) ? *q - '0' : (*q | 0x20) - 'a' + 10);
		if (n > max)
			return -1;
	}
	if (q == p || (q < eol && *q != ';' && *q != ' ' && *q != '\t'))
		return -1;
	return (long long)n;
}

/* One pass over a chunked body: with move, decode it in place. Returns
 * the decoded length when the last chunk is in, -EAGAIN when more must
 * come, -EBADMSG when malformed. */
static ssize_t chunks(char *b, size_t len, size_t max, bool move)
{
	size_t in = 0, out = 0;

	for (;;) {
		const char *crlf = memmem(b + in, len - in, "\r\n", 2);
		long long n;

		if (!crlf)
			return -EAGAIN;
		n = chunk_size(b + in, crlf, max);
		if (n < 0)
			return -EBADMSG;
		in = (size_t)(crlf - b) + 2;
		if (n == 0)
			return (ssize_t)out;
		if (len - in < (size_t)n + 2)
			return -EAGAIN;
		if (move)
			memmove(b + out, b + in, (size_t)n);
		out += (size_t)n;
		in += (size_t)n + 2;
	}
}

/* Decode only once the whole body is in: an incomplete one stays as it
 * came, to be parsed again with more. */
static ssize_t dechunk(char *b, size_t len, size_t max)
{
	ssize_t n = chunks(b, len, max, false);

	return n < 0 ? n : chunks(b, len, max, true);
}

/* Whether a Transfer-Encoding value (up to its line's end) says chunked. */
static bool chunked(const char *v)
{
	size_t n = strcspn(v, "\r\n");

	return memmem(v, n, "chunked", 7) != NULL;
}

static int refuse(struct sc_http_answer *a, const char *why)
{
	a->err = why;
	return -EBADMSG;
}

/* The body's length by the head: 1 with *body_len set, 0 for more. */
static int body_length(const char *head, char *body, size_t *body_len, bool eof, size_t max,
		       struct sc_http_answer *a)
{
	const char *cl = strcasestr(head, "\r\nContent-Length:"), *te = strcasestr(head, "\r\nTransfer-Encoding:");

	if (te && chunked(te + 20)) {
		ssize_t n = dechunk(body, *body_len, max);

		if (n == -EAGAIN && !eof)
			return 0;
		if (n < 0)
			return refuse(a, "malformed or truncated chunked answer");
		*body_len = (size_t)n;
	} else if (cl) {
		unsigned long want = strtoul(cl + 17, NULL, 10);

		if (want > max)
			return -EMSGSIZE;
		if (*body_len < want && !eof)
			return 0;
		if (*body_len < want)
			return refuse(a, "answer shorter than its Content-Length");
		*body_len = want;
	} else if (!eof) {
		return 0;
	}
	return *body_len > max ? -EMSGSIZE : 1;
}

int sc_http_answer_parse(char *in, size_t len, bool eof, size_t max, struct sc_http_answer *a)
{
	char *head_end = in ? memmem(in, len, "\r\n\r\n", 4) : NULL;
	size_t body_len;
	int status, rc;

	memset(a, 0, sizeof(*a));
	if (!head_end) {
		if (!eof)
			return 0;
		return refuse(a, len ? "malformed answer (no end of header)" : "Empty reply from server");
	}
	*head_end = '\0';
	if (sscanf(in, "HTTP/1.%*1d %3d", &status) != 1 || status < 100)
		return refuse(a, "malformed status line");
	body_len = len - (size_t)(head_end + 4 - in);
	rc = body_length(in, head_end + 4, &body_len, eof, max, a);
	if (rc == 0)
		*head_end = '\r'; /* as it came, to be parsed again with more */
	if (rc <= 0)
		return rc;
	a->status = status;
	a->body = head_end + 4;
	a->body_len = body_len;
	a->body[body_len] = '\0';
	return 1;
}
