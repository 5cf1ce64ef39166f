/* Unit tests of sc_httpd_lite on loopback, with sc_httpc as the client:
 * GET with a query, POST with a body, a body over the limit (413), and by
 * hand: Expect: 100-continue, a request without its body then silence;
 * the bearer token; and on a fake clock the connection limits: per
 * address, the whole request (a body trickling too) within 5 s, and the
 * oldest half-sent request closed for a newcomer when all 32 are taken. */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sc_httpc.h"
#include "sc_httpd_lite.h"
#include "tu.h"
#include "tu_net.h"

static void handler(void *arg, const struct sc_http_req *req, struct sc_http_resp *resp)
{
	int *calls = arg;

	(*calls)++;
	if (strcmp(req->url, "/missing") == 0) {
		sc_httpd_printf(resp, 404, "application/json", "{\"error\": \"no\"}");
		return;
	}
	sc_httpd_printf(resp, 200, "application/json", "{\"method\": \"%s\", \"url\": \"%s\", \"body\": \"%s\"}",
			req->method, req->url, req->body);
}

struct result {
	int calls, status;
	char body[512];
};

static void done(void *arg, int status, const char *body, size_t len, const char *err)
{
	struct result *r = arg;

	(void)len;
	(void)err;
	r->calls++;
	r->status = status;
	snprintf(r->body, sizeof(r->body), "%s", body);
}

static void test_requests(void)
{
	sc_loop *l = sc_loop_new(sc_clock_system());
	sc_httpc *c = sc_httpc_new(l, NULL);
	struct sc_sockaddr a;
	sc_httpd_lite *d;
	char url[128], big[200];
	struct result r1 = { 0 }, r2 = { 0 }, r3 = { 0 }, r4 = { 0 };
	int calls = 0;

	sc_addr_parse("[::1]:0", 0, &a);
	CU_ASSERT_EQUAL_FATAL(sc_httpd_lite_new(l, &a, 100, NULL, handler, &calls, NULL, &d), 0);
	CU_ASSERT(sc_httpd_lite_port(d) > 0);
	snprintf(url, sizeof(url), "http://[::1]:%u/api/x?wait=5", sc_httpd_lite_port(d));
	CU_ASSERT(sc_httpc_request(c, "GET", url, NULL, NULL, 2000, done, &r1) > 0);
	CU_ASSERT(sc_httpc_request(c, "POST", url, "t", "{\"a\": 1}", 2000, done, &r2) > 0);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CU_ASSERT(sc_httpc_request(c, "POST", url, NULL, big, 2000, done, &r3) > 0);
	snprintf(url, sizeof(url), "http://[::1]:%u/missing", sc_httpd_lite_port(d));
	CU_ASSERT(sc_httpc_request(c, "GET", url, NULL, NULL, 2000, done, &r4) > 0);
	for (int i = 0; i < 500 && sc_httpc_pending(c); i++)
		sc_loop_run_once(l, 10);
	CU_ASSERT_EQUAL(r1.status, 200);
	CU_ASSERT_STRING_EQUAL(r1.body, "{\"method\": \"GET\", \"url\": \"/api/x\", \"body\": \"\"}");
	CU_ASSERT_EQUAL(r2.status, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r2.body, "\"body\": \"{\"a\": 1}\""));
	CU_ASSERT_EQUAL(r3.status, 413);
	CU_ASSERT_EQUAL(r4.status, 404);
	CU_ASSERT_EQUAL(calls, 3);
	sc_httpc_free(c);
	sc_httpd_lite_free(d);
	sc_loop_free(l);
}

static void test_by_hand(void)
{
	sc_loop *l = sc_loop_new(sc_clock_system());
	struct sc_sockaddr a;
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	sc_httpd_lite *d;
	char buf[1024];
	size_t got = 0;
	int calls = 0, fd, idle;
	static const char head[] = "POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n";

	sc_addr_parse("[::1]:0", 0, &a);
	CU_ASSERT_EQUAL_FATAL(sc_httpd_lite_new(l, &a, 100, NULL, handler, &calls, NULL, &d), 0);
	sa.sin6_port = htons((uint16_t)sc_httpd_lite_port(d));
	fd = socket(AF_INET6, SOCK_STREAM, 0);
	CU_ASSERT_EQUAL_FATAL(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	CU_ASSERT(send(fd, head, strlen(head), 0) > 0);
	for (int i = 0; i < 100 && !strstr(buf, "100 Continue"); i++) {
		ssize_t n;

		sc_loop_run_once(l, 10);
		n = recv(fd, buf + got, sizeof(buf) - 1 - got, MSG_DONTWAIT);
		got += n > 0 ? (size_t)n : 0;
		buf[got] = '\0';
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "HTTP/1.1 100 Continue"));
	CU_ASSERT(send(fd, "{}", 2, 0) == 2);
	for (int i = 0; i < 100 && !strstr(buf, "\"body\": \"{}\""); i++) {
		ssize_t n;

		sc_loop_run_once(l, 10);
		n = recv(fd, buf + got, sizeof(buf) - 1 - got, MSG_DONTWAIT);
		got += n > 0 ? (size_t)n : 0;
		buf[got] = '\0';
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "HTTP/1.1 200 OK"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"body\": \"{}\""));
	close(fd);
	/* A head without its body, then nothing: the handler never runs, and
	 * freeing the server closes the connection. */
	fd = socket(AF_INET6, SOCK_STREAM, 0);
	CU_ASSERT_EQUAL_FATAL(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	idle = (int)send(fd, head, strlen(head) - 2, 0);
	CU_ASSERT(idle > 0);
	for (int i = 0; i < 10; i++)
		sc_loop_run_once(l, 5);
	CU_ASSERT_EQUAL(calls, 1);
	sc_httpd_lite_free(d);
	CU_ASSERT_EQUAL(recv(fd, buf, sizeof(buf), 0), 0);
	close(fd);
	sc_loop_free(l);
}

/* A server on a fake clock on [::] at a random port. */
struct fake {
	sc_clock *clk;
	sc_loop *l;
	sc_httpd_lite *d;
	unsigned port;
	int calls;
};

static void fake_up(struct fake *f, const struct sc_guard_limits *lim)
{
	struct sc_sockaddr a;

	memset(f, 0, sizeof(*f));
	f->clk = sc_clock_fake_new(SC_NS_PER_S);
	f->l = sc_loop_new(f->clk);
	sc_addr_parse("[::]:0", 0, &a);
	CU_ASSERT_EQUAL_FATAL(sc_httpd_lite_new(f->l, &a, 100, lim, handler, &f->calls, NULL, &f->d), 0);
	f->port = sc_httpd_lite_port(f->d);
}

static void fake_down(struct fake *f)
{
	sc_httpd_lite_free(f->d);
	sc_loop_free(f->l);
	sc_clock_free(f->clk);
}

static struct sc_httpd_lite_stats stats_of(const struct fake *f)
{
	struct sc_httpd_lite_stats st;

	sc_httpd_lite_stats(f->d, &st);
	return st;
}

/* Send a whole request and read the whole answer. */
static const char *ask(struct fake *f, const char *req)
{
	static char buf[1024];
	int fd = tu_connect("::1", f->port, req);

	CU_ASSERT_FATAL(fd >= 0);
	if (!tu_wait_closed(f->l, fd, buf, sizeof(buf)))
		CU_FAIL("no answer");
	close(fd);
	return buf;
}

static void test_token(void)
{
	static const char tok[] = "s3cr3t-t0ken-0123456789abcdef";
	struct fake f;
	const char *r;

	fake_up(&f, NULL);
	CU_ASSERT_EQUAL(sc_httpd_lite_set_token(f.d, tok), 0);
	r = ask(&f, "GET /api/status HTTP/1.1\r\nHost: x\r\n\r\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "HTTP/1.1 401 Unauthorized\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "WWW-Authenticate: Bearer"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "Content-Type: application/json"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "{\"error\": \"missing or wrong bearer token"));
	r = ask(&f, "GET /api/status HTTP/1.1\r\nAuthorization: Bearer s3cr3t-t0ken-0123456789abcdeX\r\n\r\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(r, " 401 "));
	/* A prefix of the token, the token and more, another scheme. */
	r = ask(&f, "GET /a HTTP/1.1\r\nAuthorization: Bearer s3cr3t-t0ken\r\n\r\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(r, " 401 "));
	r = ask(&f, "GET /a HTTP/1.1\r\nAuthorization: Bearer s3cr3t-t0ken-0123456789abcdef0\r\n\r\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(r, " 401 "));
	r = ask(&f, "GET /a HTTP/1.1\r\nAuthorization: Basic s3cr3t-t0ken-0123456789abcdef\r\n\r\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(r, " 401 "));
	/* Refused before the body: a POST without the token cannot send one. */
	r = ask(&f, "POST /api/tune HTTP/1.1\r\nContent-Length: 50\r\n\r\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(r, " 401 "));
	CU_ASSERT_EQUAL(f.calls, 0);
	CU_ASSERT_EQUAL(stats_of(&f).auth_failed, 6);
	r = ask(&f, "POST /api/tune HTTP/1.1\r\nauthorization:   bearer s3cr3t-t0ken-0123456789abcdef\r\n"
		    "Content-Length: 2\r\n\r\n{}");
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "HTTP/1.1 200 OK\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "\"body\": \"{}\""));
	CU_ASSERT_EQUAL(f.calls, 1);
	/* No token any more: anyone. */
	CU_ASSERT_EQUAL(sc_httpd_lite_set_token(f.d, ""), 0);
	r = ask(&f, "GET /a HTTP/1.1\r\n\r\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(r, " 200 OK"));
	fake_down(&f);
}

static sc_httpd_lite *seen_d;
static unsigned seen_n;

static bool seen(void *arg)
{
	struct sc_httpd_lite_stats st;

	(void)arg;
	sc_httpd_lite_stats(seen_d, &st);
	return st.conns.accepted + st.conns.refused_addr + st.conns.refused_full >= seen_n;
}

/* Pump until the server has taken in or refused n connections. */
static void wait_seen(struct fake *f, unsigned n)
{
	seen_d = f->d;
	seen_n = n;
	if (!tu_pump_until(f->l, seen, NULL))
		CU_FAIL("the server did not take the connections");
}

static void test_per_address(void)
{
	struct fake f;
	char buf[512];
	int fd[5];

	fake_up(&f, NULL);
	for (int i = 0; i < 5; i++)
		fd[i] = tu_connect("::1", f.port, "GET /x HTTP/1.1\r\n");
	wait_seen(&f, 5);
	CU_ASSERT_TRUE(tu_wait_closed(f.l, fd[4], buf, sizeof(buf)));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "HTTP/1.1 503 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "{\"error\": \"too many connections\"}"));
	CU_ASSERT_EQUAL(stats_of(&f).conns.refused_addr, 1);
	CU_ASSERT_EQUAL(stats_of(&f).conns.open, 4);
	/* Another address is answered. */
	close(fd[4]);
	fd[4] = tu_connect("127.0.0.1", f.port, "GET /y HTTP/1.1\r\n\r\n");
	CU_ASSERT_TRUE(tu_wait_closed(f.l, fd[4], buf, sizeof(buf)));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, " 200 OK"));
	for (int i = 0; i < 5; i++)
		close(fd[i]);
	fake_down(&f);
}

static void test_request_deadline(void)
{
	struct fake f;
	char buf[512];
	int body, head;

	fake_up(&f, NULL);
	/* The head in time, the body a byte a second; a head a line a second. */
	body = tu_connect("::1", f.port, "POST /p HTTP/1.1\r\nContent-Length: 20\r\n\r\n");
	head = tu_connect("::1", f.port, "GET /x HTTP/1.1\r\n");
	wait_seen(&f, 2);
	for (int i = 0; i < 4; i++) {
		sc_clock_fake_advance(f.clk, SC_NS_PER_S);
		CU_ASSERT(send(body, "x", 1, MSG_NOSIGNAL) == 1);
		CU_ASSERT(send(head, "A: b\r\n", 6, MSG_NOSIGNAL) == 6);
		sc_loop_run_once(f.l, 0);
	}
	CU_ASSERT_TRUE(tu_still_open(body));
	CU_ASSERT_TRUE(tu_still_open(head));
	sc_clock_fake_advance(f.clk, SC_NS_PER_S);
	CU_ASSERT_TRUE(tu_wait_closed(f.l, body, buf, sizeof(buf)));
	CU_ASSERT_TRUE(tu_wait_closed(f.l, head, buf, sizeof(buf)));
	CU_ASSERT_EQUAL(stats_of(&f).conns.request_timeouts, 2);
	CU_ASSERT_EQUAL(f.calls, 0);
	close(body);
	close(head);
	fake_down(&f);
}

static void test_full_of_half_requests(void)
{
	struct sc_guard_limits lim;
	struct fake f;
	char buf[512];
	int fd[SC_HTTPD_LITE_MAX_CONNS], ok;

	sc_httpd_lite_limits_default(&lim);
	lim.per_addr = 0;
	fake_up(&f, &lim);
	for (int i = 0; i < SC_HTTPD_LITE_MAX_CONNS; i++) {
		fd[i] = tu_connect("::1", f.port, "GET /x HTTP/1.1\r\nHost: x\r\n");
		wait_seen(&f, (unsigned)i + 1);
		sc_clock_fake_advance(f.clk, SC_NS_PER_MS);
	}
	ok = tu_connect("::1", f.port, "GET /ok HTTP/1.1\r\n\r\n");
	CU_ASSERT_TRUE(tu_wait_closed(f.l, ok, buf, sizeof(buf)));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, " 200 OK"));
	CU_ASSERT_TRUE(tu_wait_closed(f.l, fd[0], NULL, 0));
	CU_ASSERT_TRUE(tu_still_open(fd[1]));
	CU_ASSERT_EQUAL(stats_of(&f).conns.evicted, 1);
	CU_ASSERT_EQUAL(f.calls, 1);
	for (int i = 0; i < SC_HTTPD_LITE_MAX_CONNS; i++)
		close(fd[i]);
	close(ok);
	fake_down(&f);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "requests and answers", test_requests },
		{ "100-continue, a silent connection", test_by_hand },
		{ "bearer token", test_token },
		{ "connections per address", test_per_address },
		{ "the whole request within 5 s", test_request_deadline },
		{ "32 half-sent requests do not lock a client out", test_full_of_half_requests },
		{ NULL, NULL },
	};
	return tu_add_suite("sc_httpd_lite", tests);
}
