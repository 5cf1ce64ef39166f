/* Unit tests of sc_httpd_lite on loopback, with sc_httpc as the client:
 * GET with a query, POST with a body, a body over the limit (413), and by
 * hand: Expect: 100-continue, a request without its body then silence. */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sc_httpc.h"
#include "sc_httpd_lite.h"
#include "tu.h"

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
	CU_ASSERT_EQUAL_FATAL(sc_httpd_lite_new(l, &a, 100, handler, &calls, NULL, &d), 0);
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
	CU_ASSERT_EQUAL_FATAL(sc_httpd_lite_new(l, &a, 100, handler, &calls, NULL, &d), 0);
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

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "requests and answers", test_requests },
		{ "100-continue, a silent connection", test_by_hand },
		{ NULL, NULL },
	};
	return tu_add_suite("sc_httpd_lite", tests);
}
