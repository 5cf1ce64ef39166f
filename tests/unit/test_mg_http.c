/* Unit tests of mg_http, the management server's HTTP layer, on loopback
 * and a fake clock: a request answered at once, a long poll answered
 * later; and the connection limits with room for boxes' long polls: per
 * address, the whole request within its timeout however slowly it
 * trickles, a long poll outliving that timeout, and a server full of
 * half-sent requests that evicts them, not the long poll, for a newcomer. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mg_http.h"
#include "sc_httpd.h"
#include "tu.h"
#include "tu_net.h"

struct fake {
	sc_clock *clk;
	sc_loop *l;
	mg_http *h;
	unsigned port;
	struct mg_req *poll; /* the long poll waiting */
	int calls;
};

static void answer(struct mg_req *r, const char *text)
{
	r->status = 200;
	r->resp = strdup(text);
	r->resp_len = strlen(text);
	r->resp_type = "text/plain";
}

static void on_free(struct mg_req *r)
{
	struct fake *f = r->api_data;

	if (f->poll == r)
		f->poll = NULL;
}

/* /poll waits for the test to answer it; anything else is answered. */
static void handler(void *ctx, struct mg_req *r)
{
	struct fake *f = ctx;

	f->calls++;
	if (strcmp(r->path, "/poll") == 0) {
		r->pending = true;
		r->api_data = f;
		r->on_free = on_free;
		f->poll = r;
		return;
	}
	answer(r, r->path);
}

static void fake_up(struct fake *f, unsigned conns, unsigned per_addr)
{
	struct mg_config *cfg = calloc(1, sizeof(*cfg));
	char why[200];

	memset(f, 0, sizeof(*f));
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	sc_addr_parse("[::1]:0", 0, &cfg->http.listen[0]);
	cfg->http.nlisten = 1;
	cfg->http.max_body = 4096;
	cfg->http.limits = (struct sc_guard_limits){ .max_conns = conns, .per_addr = per_addr,
						     .request_ns = 10 * SC_NS_PER_S, .idle_ns = 90 * SC_NS_PER_S };
	f->clk = sc_clock_fake_new(SC_NS_PER_S);
	f->l = sc_loop_new(f->clk);
	CU_ASSERT_EQUAL_FATAL(mg_http_start(cfg, f->l, handler, NULL, f, &f->h, why, sizeof(why)), 0);
	f->port = mg_http_port(f->h, 0);
	free(cfg);
}

static void fake_down(struct fake *f)
{
	mg_http_stop(f->h);
	sc_loop_free(f->l);
	sc_clock_free(f->clk);
}

static const mg_http *seen_h;
static unsigned seen_n;

static bool seen(void *arg)
{
	const struct sc_guard_stats *st = mg_http_guard_stats(seen_h);

	(void)arg;
	return st->accepted + st->refused_addr + st->refused_full >= seen_n;
}

static void wait_seen(struct fake *f, unsigned n)
{
	seen_h = f->h;
	seen_n = n;
	if (!tu_pump_until(f->l, seen, NULL))
		CU_FAIL("the server did not take the connections");
}

static bool one_open(void *arg)
{
	(void)arg;
	return mg_http_guard_stats(seen_h)->open == 1;
}

static void test_per_address(void)
{
	struct fake f;
	char buf[512];
	int fd[3], ok;

	fake_up(&f, 64, 2);
	for (int i = 0; i < 3; i++)
		fd[i] = tu_connect("::1", f.port, "GET /x HTTP/1.1\r\n");
	wait_seen(&f, 3);
	CU_ASSERT_TRUE(tu_wait_closed(f.l, fd[2], buf, sizeof(buf)));
	CU_ASSERT_EQUAL(mg_http_guard_stats(f.h)->refused_addr, 1);
	CU_ASSERT_TRUE(tu_still_open(fd[0]));
	/* One goes: once the server has seen it go, there is room again. */
	close(fd[0]);
	seen_h = f.h;
	CU_ASSERT_TRUE(tu_pump_until(f.l, one_open, NULL));
	ok = tu_connect("::1", f.port, "GET /ok HTTP/1.1\r\nConnection: close\r\n\r\n");
	CU_ASSERT_TRUE(tu_wait_closed(f.l, ok, buf, sizeof(buf)));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "200 OK"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "/ok"));
	close(fd[1]);
	close(fd[2]);
	close(ok);
	fake_down(&f);
}

static bool polling(void *arg)
{
	return ((struct fake *)arg)->poll != NULL;
}

static void test_long_poll_outlives_request_timeout(void)
{
	struct fake f;
	char buf[512];
	int slow, poll;

	fake_up(&f, 64, 16);
	poll = tu_connect("::1", f.port, "GET /poll?wait=30000 HTTP/1.1\r\nHost: x\r\n\r\n");
	slow = tu_connect("::1", f.port, "GET /slow HTTP/1.1\r\n");
	wait_seen(&f, 2);
	CU_ASSERT_TRUE(tu_pump_until(f.l, polling, &f));
	for (int i = 0; i < 9; i++) {
		sc_clock_fake_advance(f.clk, SC_NS_PER_S);
		CU_ASSERT(send(slow, "A: b\r\n", 6, MSG_NOSIGNAL) == 6);
		sc_loop_run_once(f.l, 0);
	}
	sc_clock_fake_advance(f.clk, SC_NS_PER_S);
	CU_ASSERT_TRUE(tu_wait_closed(f.l, slow, buf, sizeof(buf)));
	CU_ASSERT_EQUAL(mg_http_guard_stats(f.h)->request_timeouts, 1);
	/* The long poll is being served: 30 s is nothing to it. */
	sc_clock_fake_advance(f.clk, 20 * SC_NS_PER_S);
	sc_loop_run_once(f.l, 0);
	CU_ASSERT_TRUE(tu_still_open(poll));
	CU_ASSERT_PTR_NOT_NULL_FATAL(f.poll);
	answer(f.poll, "heartbeat answered");
	mg_req_finish(f.poll);
	CU_ASSERT_TRUE(tu_wait_text(f.l, poll, "heartbeat answered", buf, sizeof(buf)));
	CU_ASSERT_EQUAL(mg_http_guard_stats(f.h)->idle_timeouts, 0);
	close(slow);
	close(poll);
	fake_down(&f);
}

static void test_full_of_half_requests(void)
{
	struct fake f;
	char buf[512];
	int fd[16], poll, ok;

	fake_up(&f, 16, 0);
	poll = tu_connect("::1", f.port, "GET /poll HTTP/1.1\r\nHost: x\r\n\r\n");
	wait_seen(&f, 1);
	for (int i = 0; i < 15; i++) {
		fd[i] = tu_connect("::1", f.port, "GET /x HTTP/1.1\r\nHost: x\r\n");
		wait_seen(&f, (unsigned)i + 2);
		sc_clock_fake_advance(f.clk, SC_NS_PER_MS);
	}
	CU_ASSERT_TRUE(tu_pump_until(f.l, polling, &f));
	/* Full: a box comes and the oldest half-sent request makes room. */
	ok = tu_connect("::1", f.port, "POST /api/v1/clients/register HTTP/1.1\r\nConnection: close\r\n"
				       "Content-Length: 2\r\n\r\n{}");
	CU_ASSERT_TRUE(tu_wait_closed(f.l, ok, buf, sizeof(buf)));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "/api/v1/clients/register"));
	CU_ASSERT_TRUE(tu_wait_closed(f.l, fd[0], NULL, 0));
	CU_ASSERT_TRUE(tu_still_open(fd[1]));
	CU_ASSERT_TRUE(tu_still_open(poll));
	CU_ASSERT_EQUAL(mg_http_guard_stats(f.h)->evicted, 1);
	CU_ASSERT_PTR_NOT_NULL(f.poll);
	for (int i = 0; i < 15; i++)
		close(fd[i]);
	close(poll);
	close(ok);
	fake_down(&f);
}

/* The default list leaves out an address of a family the host lacks and
 * listens on the rest; an address written is opened or fails. The host
 * lacking IPv6 is played by an address it does not have (EADDRNOTAVAIL,
 * as ::1 where IPv6 is disabled). */
static void test_default_family_left_out(void)
{
	struct mg_config *cfg = calloc(1, sizeof(*cfg));
	sc_clock *clk = sc_clock_fake_new(SC_NS_PER_S);
	sc_loop *l = sc_loop_new(clk);
	mg_http *h = NULL;
	struct fake f = { 0 };
	char why[200] = "";
	int fd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	sc_addr_parse("[2001:db8::7e57]:0", 0, &cfg->http.listen[0]);
	sc_addr_parse("127.0.0.1:0", 0, &cfg->http.listen[1]);
	cfg->http.nlisten = 2;
	cfg->http.max_body = 4096;
	sc_httpd_limits_default(&cfg->http.limits);
	cfg->http.listen_dflt = true;
	CU_ASSERT_EQUAL_FATAL(mg_http_start(cfg, l, handler, NULL, &f, &h, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(mg_http_port(h, 0), 0);
	CU_ASSERT_NOT_EQUAL(mg_http_port(h, 1), 0);
	fd = tu_connect("127.0.0.1", mg_http_port(h, 1), "GET /x HTTP/1.0\r\n\r\n");
	CU_ASSERT(fd >= 0);
	if (fd >= 0)
		close(fd);
	mg_http_stop(h);
	/* Nothing left: an error, not a server deaf to everyone. */
	cfg->http.nlisten = 1;
	CU_ASSERT(mg_http_start(cfg, l, handler, NULL, &f, &h, why, sizeof(why)) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "no default listen address works"));
	/* Written by the operator, it is tried, and its error told. */
	cfg->http.listen_dflt = false;
	CU_ASSERT(mg_http_start(cfg, l, handler, NULL, &f, &h, why, sizeof(why)) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "[2001:db8::7e57]:0"));
	sc_loop_free(l);
	sc_clock_free(clk);
	free(cfg);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "connections per address", test_per_address },
		{ "a long poll outlives the request timeout", test_long_poll_outlives_request_timeout },
		{ "half-sent requests are evicted, not long polls", test_full_of_half_requests },
		{ "a default family the host lacks is left out", test_default_family_left_out },
		{ NULL, NULL },
	};
	return tu_add_suite("mg_http", tests);
}
