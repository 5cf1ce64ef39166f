/* Unit tests of sc_guard on a fake clock, without sockets: the per-address
 * cap, eviction of the connection reading its request the longest, the
 * request deadline however the bytes trickle, the kept-alive deadline,
 * idle and held connections, and the counters. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "sc_guard.h"
#include "tu.h"

#define MS SC_NS_PER_MS

struct fixture {
	sc_clock *clk;
	sc_loop *loop;
	sc_guard *g;
	sc_guard_conn *c[16];
	enum sc_guard_why why[16];
	int closed[16], nclosed;
	int logged;
};

/* The server's side: close at once, as the box's servers do. */
static void on_close(void *arg, void *conn, enum sc_guard_why why)
{
	struct fixture *f = arg;
	int i = (int)(intptr_t)conn;

	f->why[i] = why;
	f->closed[f->nclosed++] = i;
	sc_guard_remove(f->c[i]);
	f->c[i] = NULL;
}

static void on_log(void *ctx, int level, const char *msg)
{
	struct fixture *f = ctx;

	(void)level;
	(void)msg;
	f->logged++;
}

static void setup(struct fixture *f, const struct sc_guard_limits *lim)
{
	struct sc_logger lg = { on_log, f, LOG_DEBUG };

	memset(f, 0, sizeof(*f));
	f->clk = sc_clock_fake_new(1000 * MS);
	f->loop = sc_loop_new(f->clk);
	CU_ASSERT_EQUAL_FATAL(sc_guard_new(f->loop, lim, "test", on_close, f, &lg, &f->g), 0);
}

static void teardown(struct fixture *f)
{
	sc_guard_free(f->g);
	sc_loop_free(f->loop);
	sc_clock_free(f->clk);
}

static struct sc_sockaddr addr(const char *text)
{
	struct sc_sockaddr a;

	CU_ASSERT_EQUAL(sc_addr_parse(text, 0, &a), 0);
	return a;
}

static int admit(struct fixture *f, int i, const char *from)
{
	struct sc_sockaddr a = addr(from);

	return sc_guard_admit(f->g, &a, (void *)(intptr_t)i, &f->c[i]);
}

/* Advance the fake clock and run what is due. */
static void advance(struct fixture *f, uint64_t ns)
{
	sc_clock_fake_advance(f->clk, ns);
	sc_loop_run_once(f->loop, 0);
}

static void test_per_address(void)
{
	struct sc_guard_limits lim = { .per_addr = 2 };
	struct fixture f;

	setup(&f, &lim);
	CU_ASSERT_EQUAL(admit(&f, 0, "[2001:db8::1]:1000"), 0);
	CU_ASSERT_EQUAL(admit(&f, 1, "[2001:db8::1]:1001"), 0);
	CU_ASSERT_EQUAL(admit(&f, 2, "[2001:db8::1]:1002"), -EBUSY);
	CU_ASSERT_EQUAL(admit(&f, 3, "[2001:db8::2]:1000"), 0);
	/* IPv4 and the same address mapped into IPv6 are one source. */
	CU_ASSERT_EQUAL(admit(&f, 4, "192.0.2.7:1"), 0);
	CU_ASSERT_EQUAL(admit(&f, 5, "[::ffff:192.0.2.7]:2"), 0);
	CU_ASSERT_EQUAL(admit(&f, 6, "192.0.2.7:3"), -EBUSY);
	CU_ASSERT_EQUAL(sc_guard_stats(f.g)->refused_addr, 2);
	CU_ASSERT_EQUAL(sc_guard_stats(f.g)->open, 5);
	/* Refusals are logged once per 10 s, not once each. */
	CU_ASSERT_EQUAL(f.logged, 1);
	sc_guard_remove(f.c[0]);
	f.c[0] = NULL;
	CU_ASSERT_EQUAL(admit(&f, 2, "[2001:db8::1]:1002"), 0);
	CU_ASSERT_EQUAL(sc_guard_stats(f.g)->accepted, 6);
	CU_ASSERT_EQUAL(f.nclosed, 0);
	teardown(&f);
}

static void test_evicts_oldest_reader(void)
{
	struct sc_guard_limits lim = { .max_conns = 3 };
	struct fixture f;

	setup(&f, &lim);
	CU_ASSERT_EQUAL(admit(&f, 0, "[2001:db8::1]:1"), 0);
	advance(&f, 1 * MS);
	CU_ASSERT_EQUAL(admit(&f, 1, "[2001:db8::2]:1"), 0);
	advance(&f, 1 * MS);
	CU_ASSERT_EQUAL(admit(&f, 2, "[2001:db8::3]:1"), 0);
	/* 1 is served (a stream): not evictable. */
	sc_guard_request_done(f.c[1]);
	CU_ASSERT_EQUAL(admit(&f, 3, "[2001:db8::4]:1"), 0);
	CU_ASSERT_EQUAL(f.nclosed, 1);
	CU_ASSERT_EQUAL(f.closed[0], 0);
	CU_ASSERT_EQUAL(f.why[0], SC_GUARD_EVICTED);
	CU_ASSERT_EQUAL(admit(&f, 4, "[2001:db8::5]:1"), 0);
	CU_ASSERT_EQUAL(f.closed[1], 2);
	/* Only connections being served left: the newest is refused. */
	sc_guard_request_done(f.c[3]);
	sc_guard_request_done(f.c[4]);
	CU_ASSERT_EQUAL(admit(&f, 5, "[2001:db8::6]:1"), -ENOSPC);
	CU_ASSERT_EQUAL(sc_guard_stats(f.g)->evicted, 2);
	CU_ASSERT_EQUAL(sc_guard_stats(f.g)->refused_full, 1);
	CU_ASSERT_EQUAL(sc_guard_stats(f.g)->open, 3);
	teardown(&f);
}

/* A server that closes later (libmicrohttpd): the connection being closed
 * no longer counts against the limits. */
static void later_close(void *arg, void *conn, enum sc_guard_why why)
{
	struct fixture *f = arg;

	f->why[(intptr_t)conn] = why;
	f->closed[f->nclosed++] = (int)(intptr_t)conn;
}

static void test_closing_later(void)
{
	struct sc_guard_limits lim = { .max_conns = 2, .per_addr = 1 };
	struct sc_sockaddr a = addr("[2001:db8::1]:1"), b = addr("[2001:db8::2]:1"), c = addr("[2001:db8::3]:1");
	struct fixture f;
	sc_guard_conn *c0, *c1;

	memset(&f, 0, sizeof(f));
	f.clk = sc_clock_fake_new(0);
	f.loop = sc_loop_new(f.clk);
	CU_ASSERT_EQUAL_FATAL(sc_guard_new(f.loop, &lim, "test", later_close, &f, NULL, &f.g), 0);
	CU_ASSERT_EQUAL(sc_guard_admit(f.g, &a, (void *)0, &c0), 0);
	CU_ASSERT_EQUAL(sc_guard_admit(f.g, &b, (void *)1, &c1), 0);
	CU_ASSERT_EQUAL(sc_guard_check(f.g, &b), -EBUSY);
	/* Full: 0 is evicted but stays registered until the server is done. */
	CU_ASSERT_EQUAL(sc_guard_check(f.g, &c), 0);
	CU_ASSERT_EQUAL(f.nclosed, 1);
	CU_ASSERT_EQUAL(f.closed[0], 0);
	CU_ASSERT_PTR_NOT_NULL(sc_guard_add(f.g, &c, (void *)2));
	CU_ASSERT_EQUAL(sc_guard_stats(f.g)->open, 3);
	/* ... and counts no more against its address. */
	lim.max_conns = 0;
	sc_guard_set_limits(f.g, &lim);
	CU_ASSERT_EQUAL(sc_guard_check(f.g, &a), 0);
	/* Calls on a connection being closed are harmless. */
	sc_guard_touch(c0);
	sc_guard_request_next(c0);
	sc_guard_hold(c0, true);
	sc_guard_request_done(c0);
	sc_guard_remove(c0);
	CU_ASSERT_EQUAL(sc_guard_stats(f.g)->open, 2);
	CU_ASSERT_EQUAL(f.nclosed, 1);
	sc_guard_free(f.g); /* frees the records still registered */
	sc_loop_free(f.loop);
	sc_clock_free(f.clk);
}

static void test_request_deadline(void)
{
	struct sc_guard_limits lim = { .request_ns = 5000 * MS, .keep_ns = 30000 * MS };
	struct fixture f;

	setup(&f, &lim);
	CU_ASSERT_EQUAL(admit(&f, 0, "[2001:db8::1]:1"), 0);
	advance(&f, 2000 * MS);
	CU_ASSERT_EQUAL(admit(&f, 1, "[2001:db8::1]:2"), 0);
	/* Bytes trickling in do not move the deadline. */
	for (int i = 0; i < 29; i++) {
		sc_guard_touch(f.c[0]);
		advance(&f, 100 * MS);
	}
	CU_ASSERT_EQUAL(f.nclosed, 0);
	advance(&f, 100 * MS); /* 5 s after its connect */
	CU_ASSERT_EQUAL(f.nclosed, 1);
	CU_ASSERT_EQUAL(f.closed[0], 0);
	CU_ASSERT_EQUAL(f.why[0], SC_GUARD_REQUEST_TIMEOUT);
	/* 1 completes its request in time and is kept alive after the answer. */
	sc_guard_request_done(f.c[1]);
	advance(&f, 10000 * MS);
	CU_ASSERT_EQUAL(f.nclosed, 1);
	sc_guard_request_next(f.c[1]);
	advance(&f, 29999 * MS);
	CU_ASSERT_EQUAL(f.nclosed, 1);
	advance(&f, 1 * MS);
	CU_ASSERT_EQUAL(f.nclosed, 2);
	CU_ASSERT_EQUAL(f.why[1], SC_GUARD_IDLE);
	CU_ASSERT_EQUAL(sc_guard_stats(f.g)->request_timeouts, 1);
	CU_ASSERT_EQUAL(sc_guard_stats(f.g)->idle_timeouts, 1);
	CU_ASSERT_EQUAL(sc_guard_stats(f.g)->open, 0);
	teardown(&f);
}

static void test_idle_and_hold(void)
{
	struct sc_guard_limits lim = { .idle_ns = 1000 * MS };
	struct fixture f;

	setup(&f, &lim);
	CU_ASSERT_EQUAL(admit(&f, 0, "[2001:db8::1]:1"), 0);
	CU_ASSERT_EQUAL(admit(&f, 1, "[2001:db8::1]:2"), 0);
	CU_ASSERT_EQUAL(admit(&f, 2, "[2001:db8::1]:3"), 0);
	sc_guard_request_done(f.c[0]);
	sc_guard_request_done(f.c[1]);
	sc_guard_hold(f.c[1], true);
	advance(&f, 600 * MS);
	sc_guard_touch(f.c[0]);
	advance(&f, 600 * MS);
	/* 2 never moved; 0 moved 600 ms ago; 1 waits on purpose. */
	CU_ASSERT_EQUAL(f.nclosed, 1);
	CU_ASSERT_EQUAL(f.closed[0], 2);
	advance(&f, 400 * MS);
	CU_ASSERT_EQUAL(f.nclosed, 2);
	CU_ASSERT_EQUAL(f.closed[1], 0);
	advance(&f, 5000 * MS);
	CU_ASSERT_EQUAL(f.nclosed, 2);
	/* Released, its idle clock starts over. */
	sc_guard_hold(f.c[1], false);
	advance(&f, 999 * MS);
	CU_ASSERT_EQUAL(f.nclosed, 2);
	advance(&f, 1 * MS);
	CU_ASSERT_EQUAL(f.nclosed, 3);
	CU_ASSERT_EQUAL(sc_guard_stats(f.g)->idle_timeouts, 3);
	teardown(&f);
}

static void test_set_limits(void)
{
	struct sc_guard_limits lim = { .per_addr = 1 };
	struct fixture f;

	setup(&f, &lim);
	CU_ASSERT_EQUAL(admit(&f, 0, "[2001:db8::1]:1"), 0);
	CU_ASSERT_EQUAL(admit(&f, 1, "[2001:db8::1]:2"), -EBUSY);
	lim.per_addr = 0;
	lim.request_ns = 100 * MS;
	sc_guard_set_limits(f.g, &lim);
	CU_ASSERT_EQUAL(sc_guard_limits(f.g)->request_ns, 100 * MS);
	CU_ASSERT_EQUAL(admit(&f, 1, "[2001:db8::1]:2"), 0);
	/* The deadline counts from the connect, also for one that came in
	 * before the limit was set. */
	advance(&f, 100 * MS);
	CU_ASSERT_EQUAL(f.nclosed, 2);
	teardown(&f);
}

static void test_metrics(void)
{
	struct sc_guard_stats st = { .accepted = 9, .refused_addr = 1, .refused_full = 2, .evicted = 3,
				     .request_timeouts = 4, .idle_timeouts = 5, .open = 6 };
	char buf[2048];
	int n = sc_guard_metrics(&st, "x_http", buf, sizeof(buf));

	CU_ASSERT(n > 0 && (size_t)n < sizeof(buf));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\nx_http_connections 6\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\nx_http_accepted_total 9\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\nx_http_refused_total{reason=\"per_address\"} 1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\nx_http_refused_total{reason=\"full\"} 2\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\nx_http_closed_total{reason=\"request_timeout\"} 4\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\nx_http_closed_total{reason=\"evicted\"} 3\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\nx_http_closed_total{reason=\"idle\"} 5\n"));
	CU_ASSERT_EQUAL(sc_guard_metrics(&st, "x_http", buf, 10), n);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "per-address cap", test_per_address },
		{ "full: the oldest reader is evicted", test_evicts_oldest_reader },
		{ "a server that closes later", test_closing_later },
		{ "request and keep-alive deadlines", test_request_deadline },
		{ "idle and held connections", test_idle_and_hold },
		{ "new limits", test_set_limits },
		{ "Prometheus text", test_metrics },
		{ NULL, NULL },
	};
	return tu_add_suite("sc_guard", tests);
}
