/* Unit tests of sc_httpc against sc_httpd on loopback: GET, POST with a
 * token, error statuses, a refused connection, a timeout, cancellation; a
 * host name, https (libcurl, loaded on demand), and canned answers from a
 * bare socket: chunked, truncated, too large. */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sc_httpc.h"
#include "sc_httpd.h"
#include "tu.h"

static void handler(void *arg, const struct sc_http_req *req, struct sc_http_resp *resp)
{
	const char *auth = sc_httpd_header(req, "Authorization");

	(void)arg;
	if (strcmp(req->url, "/teapot") == 0) {
		sc_httpd_printf(resp, 418, "application/json", "{\"error\": \"short and stout\"}");
		return;
	}
	sc_httpd_printf(resp, 200, "application/json", "{\"method\": \"%s\", \"auth\": \"%s\", \"body\": %s}",
			req->method, auth ? auth : "", req->body_len ? req->body : "null");
}

struct result {
	int calls, status;
	char body[512], err[256];
};

static void done(void *arg, int status, const char *body, size_t len, const char *err)
{
	struct result *r = arg;

	(void)len;
	r->calls++;
	r->status = status;
	snprintf(r->body, sizeof(r->body), "%s", body);
	snprintf(r->err, sizeof(r->err), "%s", err ? err : "");
}

static void run_until(sc_loop *l, sc_httpc *c)
{
	for (int i = 0; i < 500 && sc_httpc_pending(c); i++)
		sc_loop_run_once(l, 10);
}

static void test_requests(void)
{
	sc_loop *l = sc_loop_new(sc_clock_system());
	sc_httpc *c = sc_httpc_new(l, NULL);
	struct sc_sockaddr a;
	sc_httpd *d;
	char url[128];
	struct result r1 = { 0 }, r2 = { 0 }, r3 = { 0 }, r4 = { 0 };
	int64_t id;

	sc_addr_parse("[::1]:0", 0, &a);
	CU_ASSERT_EQUAL_FATAL(sc_httpd_new(l, &a, 4096, NULL, handler, NULL, NULL, &d), 0);
	snprintf(url, sizeof(url), "http://[::1]:%u/x", sc_httpd_port(d));
	CU_ASSERT(sc_httpc_request(c, "GET", url, NULL, NULL, 2000, done, &r1) > 0);
	CU_ASSERT(sc_httpc_request(c, "POST", url, "s3cret", "{\"a\": 1}", 2000, done, &r2) > 0);
	snprintf(url, sizeof(url), "http://[::1]:%u/teapot", sc_httpd_port(d));
	CU_ASSERT(sc_httpc_request(c, "GET", url, NULL, NULL, 2000, done, &r3) > 0);
	id = sc_httpc_request(c, "GET", url, NULL, NULL, 2000, done, &r4);
	sc_httpc_cancel(c, id);
	run_until(l, c);
	CU_ASSERT_EQUAL(r1.calls, 1);
	CU_ASSERT_EQUAL(r1.status, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r1.body, "\"method\": \"GET\""));
	CU_ASSERT_EQUAL(r2.status, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r2.body, "\"auth\": \"Bearer s3cret\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(r2.body, "\"body\": {\"a\": 1}"));
	CU_ASSERT_EQUAL(r3.status, 418);
	CU_ASSERT_EQUAL(r4.calls, 0);
	sc_httpc_free(c);
	sc_httpd_free(d);
	sc_loop_free(l);
}

static void test_failures(void)
{
	sc_loop *l = sc_loop_new(sc_clock_system());
	sc_httpc *c = sc_httpc_new(l, NULL);
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	socklen_t len = sizeof(sa);
	struct result refused = { 0 }, slow = { 0 }, pending = { 0 };
	char url[128];
	int fd = socket(AF_INET6, SOCK_STREAM, 0);

	/* A listener that never answers: the request times out. */
	CU_ASSERT_EQUAL_FATAL(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	listen(fd, 4);
	getsockname(fd, (struct sockaddr *)&sa, &len);
	snprintf(url, sizeof(url), "http://[::1]:%u/", ntohs(sa.sin6_port));
	CU_ASSERT(sc_httpc_request(c, "GET", url, NULL, NULL, 200, done, &slow) > 0);
	/* Nothing listens on port 1. */
	CU_ASSERT(sc_httpc_request(c, "GET", "http://[::1]:1/", NULL, NULL, 2000, done, &refused) > 0);
	run_until(l, c);
	CU_ASSERT_EQUAL(refused.calls, 1);
	CU_ASSERT_EQUAL(refused.status, 0);
	CU_ASSERT(refused.err[0] != '\0');
	CU_ASSERT_EQUAL(slow.calls, 1);
	CU_ASSERT_EQUAL(slow.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(slow.err, "imed out"));
	/* Freed with a request in flight: no callback, no leak (ASan). */
	CU_ASSERT(sc_httpc_request(c, "GET", url, NULL, NULL, 5000, done, &pending) > 0);
	sc_loop_run_once(l, 10);
	sc_httpc_free(c);
	CU_ASSERT_EQUAL(pending.calls, 0);
	close(fd);
	sc_loop_free(l);
}

static void test_names_and_tls(void)
{
	sc_loop *l = sc_loop_new(sc_clock_system());
	sc_httpc *c = sc_httpc_new(l, NULL);
	struct sc_sockaddr a;
	sc_httpd *d;
	char url[128];
	struct result byname = { 0 }, nobody = { 0 }, tls = { 0 }, noname = { 0 };

	/* Both families: localhost is 127.0.0.1, ::1 or both. */
	sc_addr_parse("[::]:0", 0, &a);
	CU_ASSERT_EQUAL_FATAL(sc_httpd_new(l, &a, 4096, NULL, handler, NULL, NULL, &d), 0);
	snprintf(url, sizeof(url), "http://localhost:%u/x", sc_httpd_port(d));
	CU_ASSERT(sc_httpc_request(c, "GET", url, NULL, NULL, 2000, done, &byname) > 0);
	CU_ASSERT(sc_httpc_request(c, "POST", url, NULL, NULL, 2000, done, &nobody) > 0);
	/* TLS to a plain HTTP server: libcurl is loaded and says it failed. */
	snprintf(url, sizeof(url), "https://[::1]:%u/x", sc_httpd_port(d));
	CU_ASSERT(sc_httpc_request(c, "GET", url, NULL, NULL, 2000, done, &tls) > 0);
	CU_ASSERT(sc_httpc_request(c, "GET", "http://no-such-host.invalid/", NULL, NULL, 2000, done, &noname) > 0);
	CU_ASSERT_EQUAL(byname.calls + nobody.calls + tls.calls + noname.calls, 0);
	run_until(l, c);
	CU_ASSERT_EQUAL(byname.status, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(byname.body, "\"method\": \"GET\""));
	CU_ASSERT_EQUAL(nobody.status, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(nobody.body, "\"body\": null"));
	CU_ASSERT_EQUAL(tls.calls, 1);
	CU_ASSERT_EQUAL(tls.status, 0);
	CU_ASSERT(tls.err[0] != '\0');
	CU_ASSERT_EQUAL(noname.calls, 1);
	CU_ASSERT_EQUAL(noname.status, 0);
	CU_ASSERT(noname.err[0] != '\0');
	CU_ASSERT(sc_httpc_request(c, "GET", "ftp://[::1]/", NULL, NULL, 2000, done, &noname) < 0);
	sc_httpc_free(c);
	sc_httpd_free(d);
	sc_loop_free(l);
}

/* One request answered by hand with answer (len bytes, at most step at a
 * time with the loop run between, then close). */
static void canned_by(const char *answer, size_t len, size_t step, struct result *r)
{
	sc_loop *l = sc_loop_new(sc_clock_system());
	sc_httpc *c = sc_httpc_new(l, NULL);
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET6, SOCK_STREAM, 0), cfd = -1;
	char url[128], req[2048];
	size_t off = 0;

	CU_ASSERT_EQUAL_FATAL(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	listen(fd, 4);
	getsockname(fd, (struct sockaddr *)&sa, &sl);
	snprintf(url, sizeof(url), "http://[::1]:%u/", ntohs(sa.sin6_port));
	CU_ASSERT_FATAL(sc_httpc_request(c, "GET", url, NULL, NULL, 5000, done, r) > 0);
	for (int i = 0; i < 2000 && sc_httpc_pending(c); i++) {
		sc_loop_run_once(l, 1);
		if (cfd < 0 && (cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK)) >= 0)
			CU_ASSERT(recv(cfd, req, sizeof(req), 0) > 0 || 1);
		if (cfd >= 0 && off < len) {
			size_t want = len - off < step ? len - off : step;
			ssize_t n = send(cfd, answer + off, want, MSG_DONTWAIT | MSG_NOSIGNAL);

			off += n > 0 ? (size_t)n : 0;
			if (off == len)
				shutdown(cfd, SHUT_WR);
		}
	}
	CU_ASSERT_EQUAL(r->calls, 1);
	sc_httpc_free(c);
	if (cfd >= 0)
		close(cfd);
	close(fd);
	sc_loop_free(l);
}

static void canned(const char *answer, size_t len, struct result *r)
{
	canned_by(answer, len, len, r);
}

static void test_canned(void)
{
	static const char chunked[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
				      "5\r\n{\"a\":\r\n3\r\n 1}\r\n0\r\n\r\n";
	static const char short_body[] = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}";
	static const char no_length[] = "HTTP/1.0 201 Created\r\n\r\n{\"b\": 2}";
	static const char junk[] = "SSH-2.0-OpenSSH\r\n\r\n";
	struct result r = { 0 };
	size_t big = (1u << 20) + 100;
	char *b = malloc(big + 64);
	int n;

	canned(chunked, strlen(chunked), &r);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_STRING_EQUAL(r.body, "{\"a\": 1}");
	/* The same in pieces of 3 bytes: parsed again as each comes. */
	r = (struct result){ 0 };
	canned_by(chunked, strlen(chunked), 3, &r);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_STRING_EQUAL(r.body, "{\"a\": 1}");
	r = (struct result){ 0 };
	canned(short_body, strlen(short_body), &r);
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT(r.err[0] != '\0');
	r = (struct result){ 0 };
	canned(no_length, strlen(no_length), &r);
	CU_ASSERT_EQUAL(r.status, 201);
	CU_ASSERT_STRING_EQUAL(r.body, "{\"b\": 2}");
	r = (struct result){ 0 };
	canned(junk, strlen(junk), &r);
	CU_ASSERT_EQUAL(r.status, 0);
	r = (struct result){ 0 };
	CU_ASSERT_FATAL(b != NULL);
	n = snprintf(b, 64, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", big);
	memset(b + n, 'x', big);
	canned(b, (size_t)n + big, &r);
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "larger than"));
	free(b);
}

int tu_register(void)
{
	/* The built-in client for http:// (libcurl still answers https://);
	 * SIXCAST_HTTPC=curl in the environment tests libcurl instead. */
	setenv("SIXCAST_HTTPC", getenv("SIXCAST_HTTPC") ? getenv("SIXCAST_HTTPC") : "builtin", 1);
	static const struct tu_test tests[] = {
		{ "requests and answers", test_requests },
		{ "refused, timed out, freed in flight", test_failures },
		{ "a host name, https, no body, bad schemes", test_names_and_tls },
		{ "chunked, truncated, unframed, junk, too large", test_canned },
		{ NULL, NULL },
	};
	return tu_add_suite("sc_httpc", tests);
}
