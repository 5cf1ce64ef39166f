/* Unit tests of sc_httpd: a request through the loop, query and headers,
 * bodies, and the 413 for an oversize body. Talks to itself on loopback.
 * On a fake clock, the connection limits libmicrohttpd alone lacks: per
 * address, the whole request within 10 s however slowly it trickles, the
 * next request of a kept-alive connection, and the oldest half-sent
 * request closed for a newcomer when the server is full. */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sc_httpd.h"
#include "tu.h"
#include "tu_net.h"

static void handler(void *arg, const struct sc_http_req *req, struct sc_http_resp *resp)
{
	const char *q = sc_httpd_query(req, "q"), *h = sc_httpd_header(req, "X-Test");

	(void)arg;
	if (strcmp(req->url, "/missing") == 0) {
		sc_httpd_printf(resp, 404, "application/json", "{\"error\": \"no such thing\"}\n");
		return;
	}
	sc_httpd_printf(resp, 200, NULL, "%s %s q=%s h=%s body=%zu:%s", req->method, req->url, q ? q : "-",
			h ? h : "-", req->body_len, req->body);
}

/* Send a raw request and pump the loop until the server closes. */
static char *roundtrip(sc_loop *l, unsigned port, const char *req)
{
	static char out[4096];
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };
	int fd = socket(AF_INET6, SOCK_STREAM, 0);
	size_t n = 0;

	a.sin6_addr = in6addr_loopback;
	CU_ASSERT_EQUAL_FATAL(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	CU_ASSERT_EQUAL(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	for (int i = 0; i < 200; i++) {
		ssize_t r;

		sc_loop_run_once(l, 10);
		r = recv(fd, out + n, sizeof(out) - 1 - n, MSG_DONTWAIT);
		if (r == 0)
			break;
		if (r > 0)
			n += (size_t)r;
	}
	out[n] = '\0';
	close(fd);
	return out;
}

static void test_requests(void)
{
	sc_loop *l = sc_loop_new(sc_clock_system());
	struct sc_sockaddr addr;
	sc_httpd *h = NULL;
	char *r;

	sc_addr_parse("[::1]:0", 0, &addr);
	CU_ASSERT_EQUAL_FATAL(sc_httpd_new(l, &addr, 64, NULL, handler, NULL, NULL, &h), 0);
	CU_ASSERT(sc_httpd_port(h) > 0);
	r = roundtrip(l, sc_httpd_port(h), "GET /a/b?q=7 HTTP/1.0\r\nX-Test: yes\r\n\r\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(r, " 200 OK\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "GET /a/b q=7 h=yes body=0:"));
	r = roundtrip(l, sc_httpd_port(h),
		      "POST /p HTTP/1.0\r\nContent-Length: 5\r\nContent-Type: application/json\r\n\r\nhello");
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "POST /p q=- h=- body=5:hello"));
	r = roundtrip(l, sc_httpd_port(h), "GET /missing HTTP/1.0\r\n\r\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(r, " 404 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "no such thing"));
	r = roundtrip(l, sc_httpd_port(h),
		      "POST /p HTTP/1.0\r\nContent-Length: 100\r\nContent-Type: application/json\r\n\r\n"
		      "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789");
	CU_ASSERT_PTR_NOT_NULL(strstr(r, " 413 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "larger than 64 bytes"));
	sc_httpd_free(h);
	sc_loop_free(l);
}

static void test_bad_listen(void)
{
	sc_loop *l = sc_loop_new(sc_clock_system());
	struct sc_sockaddr addr;
	sc_httpd *h = (sc_httpd *)&addr;

	/* An address this host does not have. */
	sc_addr_parse("[2001:db8:ffff::1]:8080", 0, &addr);
	CU_ASSERT(sc_httpd_new(l, &addr, 64, NULL, handler, NULL, NULL, &h) < 0);
	CU_ASSERT_PTR_NULL(h);
	sc_loop_free(l);
}

/* A server on a fake clock on [::] at a random port. */
struct fake {
	sc_clock *clk;
	sc_loop *l;
	sc_httpd *h;
	unsigned port;
};

static void fake_up(struct fake *f, const struct sc_guard_limits *lim)
{
	struct sc_sockaddr a;

	f->clk = sc_clock_fake_new(SC_NS_PER_S);
	f->l = sc_loop_new(f->clk);
	sc_addr_parse("[::]:0", 0, &a);
	CU_ASSERT_EQUAL_FATAL(sc_httpd_new(f->l, &a, 64, lim, handler, NULL, NULL, &f->h), 0);
	f->port = sc_httpd_port(f->h);
}

static void fake_down(struct fake *f)
{
	sc_httpd_free(f->h);
	sc_loop_free(f->l);
	sc_clock_free(f->clk);
}

static const sc_httpd *seen_h;
static unsigned seen_n;

static bool seen(void *arg)
{
	const struct sc_guard_stats *st = sc_httpd_guard_stats(seen_h);

	(void)arg;
	return st->accepted + st->refused_addr + st->refused_full >= seen_n;
}

/* Pump until the server has taken in or refused n connections. */
static void wait_seen(struct fake *f, unsigned n)
{
	seen_h = f->h;
	seen_n = n;
	if (!tu_pump_until(f->l, seen, NULL))
		CU_FAIL("the server did not take the connections");
}

static void test_per_address(void)
{
	struct sc_guard_limits lim;
	struct fake f;
	char buf[512];
	int fd[3], other;

	sc_httpd_limits_default(&lim);
	lim.per_addr = 2;
	fake_up(&f, &lim);
	for (int i = 0; i < 3; i++)
		fd[i] = tu_connect("::1", f.port, "GET /x HTTP/1.1\r\n");
	wait_seen(&f, 3);
	CU_ASSERT_TRUE(tu_wait_closed(f.l, fd[2], buf, sizeof(buf)));
	CU_ASSERT_EQUAL(sc_httpd_guard_stats(f.h)->refused_addr, 1);
	CU_ASSERT_TRUE(tu_still_open(fd[0]));
	CU_ASSERT_TRUE(tu_still_open(fd[1]));
	other = tu_connect("127.0.0.1", f.port, "GET /from/v4 HTTP/1.0\r\n\r\n");
	CU_ASSERT_TRUE(tu_wait_closed(f.l, other, buf, sizeof(buf)));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "GET /from/v4"));
	for (int i = 0; i < 3; i++)
		close(fd[i]);
	close(other);
	fake_down(&f);
}

static void test_request_deadline(void)
{
	struct fake f;
	char buf[512];
	int head, body;

	fake_up(&f, NULL);
	head = tu_connect("::1", f.port, "GET /x HTTP/1.1\r\n");
	body = tu_connect("::1", f.port, "POST /p HTTP/1.1\r\nContent-Length: 20\r\n\r\n");
	wait_seen(&f, 2);
	/* A header line, a body byte every second: libmicrohttpd's idle
	 * timeout alone would never fire. */
	for (int i = 0; i < 9; i++) {
		sc_clock_fake_advance(f.clk, SC_NS_PER_S);
		CU_ASSERT(send(head, "A: b\r\n", 6, MSG_NOSIGNAL) == 6);
		CU_ASSERT(send(body, "x", 1, MSG_NOSIGNAL) == 1);
		sc_loop_run_once(f.l, 0);
	}
	CU_ASSERT_TRUE(tu_still_open(head));
	CU_ASSERT_TRUE(tu_still_open(body));
	sc_clock_fake_advance(f.clk, SC_NS_PER_S);
	CU_ASSERT_TRUE(tu_wait_closed(f.l, head, buf, sizeof(buf)));
	CU_ASSERT_TRUE(tu_wait_closed(f.l, body, buf, sizeof(buf)));
	CU_ASSERT_EQUAL(sc_httpd_guard_stats(f.h)->request_timeouts, 2);
	close(head);
	close(body);
	fake_down(&f);
}

static void test_keep_alive(void)
{
	static const char two[] = "GET /two HTTP/1.1\r\nHost: x\r\n\r\n";
	struct fake f;
	char buf[512];
	int fd;

	fake_up(&f, NULL);
	fd = tu_connect("::1", f.port, "GET /one HTTP/1.1\r\nHost: x\r\n\r\n");
	CU_ASSERT_TRUE(tu_wait_text(f.l, fd, "GET /one", buf, sizeof(buf)));
	/* Kept alive: the next request may come within the idle timeout. */
	sc_clock_fake_advance(f.clk, 20 * SC_NS_PER_S);
	sc_loop_run_once(f.l, 0);
	CU_ASSERT(send(fd, two, sizeof(two) - 1, MSG_NOSIGNAL) == (ssize_t)sizeof(two) - 1);
	CU_ASSERT_TRUE(tu_wait_text(f.l, fd, "GET /two", buf, sizeof(buf)));
	sc_clock_fake_advance(f.clk, 29 * SC_NS_PER_S);
	sc_loop_run_once(f.l, 0);
	CU_ASSERT_TRUE(tu_still_open(fd));
	/* ... and not later. */
	sc_clock_fake_advance(f.clk, SC_NS_PER_S);
	CU_ASSERT_TRUE(tu_wait_closed(f.l, fd, buf, sizeof(buf)));
	CU_ASSERT_EQUAL(sc_httpd_guard_stats(f.h)->idle_timeouts, 1);
	CU_ASSERT_EQUAL(sc_httpd_guard_stats(f.h)->request_timeouts, 0);
	close(fd);
	fake_down(&f);
}

static void test_full_of_half_requests(void)
{
	struct sc_guard_limits lim;
	struct fake f;
	char buf[512];
	int fd[8], ok;

	sc_httpd_limits_default(&lim);
	lim.max_conns = 8;
	lim.per_addr = 0;
	fake_up(&f, &lim);
	for (int i = 0; i < 8; i++) {
		fd[i] = tu_connect("::1", f.port, "GET /x HTTP/1.1\r\nHost: x\r\n");
		wait_seen(&f, (unsigned)i + 1);
		sc_clock_fake_advance(f.clk, SC_NS_PER_MS);
	}
	ok = tu_connect("::1", f.port, "GET /ok HTTP/1.0\r\n\r\n");
	CU_ASSERT_TRUE(tu_wait_closed(f.l, ok, buf, sizeof(buf)));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "GET /ok"));
	CU_ASSERT_TRUE(tu_wait_closed(f.l, fd[0], NULL, 0));
	CU_ASSERT_TRUE(tu_still_open(fd[1]));
	CU_ASSERT_EQUAL(sc_httpd_guard_stats(f.h)->evicted, 1);
	for (int i = 0; i < 8; i++)
		close(fd[i]);
	close(ok);
	fake_down(&f);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "requests", test_requests },
		{ "cannot listen", test_bad_listen },
		{ "connections per address", test_per_address },
		{ "the whole request within 10 s", test_request_deadline },
		{ "the next request on a kept-alive connection", test_keep_alive },
		{ "half-sent requests do not lock a client out", test_full_of_half_requests },
		{ NULL, NULL },
	};
	return tu_add_suite("sc_httpd", tests);
}
