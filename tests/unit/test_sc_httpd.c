/* Unit tests of sc_httpd: a request through the loop, query and headers,
 * bodies, and the 413 for an oversize body. Talks to itself on loopback. */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sc_httpd.h"
#include "tu.h"

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
	CU_ASSERT_EQUAL_FATAL(sc_httpd_new(l, &addr, 64, handler, NULL, NULL, &h), 0);
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
	CU_ASSERT(sc_httpd_new(l, &addr, 64, handler, NULL, NULL, &h) < 0);
	CU_ASSERT_PTR_NULL(h);
	sc_loop_free(l);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "requests", test_requests },
		{ "cannot listen", test_bad_listen },
		{ NULL, NULL },
	};
	return tu_add_suite("sc_httpd", tests);
}
