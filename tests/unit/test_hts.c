/* Unit tests of hts, the HTTP stream output, over loopback: streams start
 * at a random access point with PAT and PMT first, /channel/ID tunes, the playlist, errors, slow players; and on
 * a fake clock, what half-sent requests can hold: a per-address cap, the
 * request deadline, eviction of the oldest half-sent request when every
 * slot is taken, and a waiting stream that is never idle. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hts.h"
#include "ts.h"
#include "ts_es.h"
#include "tsgen.h"
#include "tu.h"
#include "tu_net.h"

static uint32_t tuned;

static int tune(void *arg, uint32_t id)
{
	(void)arg;
	if (id > 10)
		return -ENOENT;
	tuned = id;
	return 0;
}

static void playlist(void *arg, FILE *f, const char *base)
{
	(void)arg;
	fprintf(f, "#EXTINF:-1,News\n%s/channel/1\n", base);
}

static int connect_to(unsigned port, const char *req)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };
	int fd = socket(AF_INET6, SOCK_STREAM, 0);

	a.sin6_addr = in6addr_loopback;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		return -1;
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req))
		return -1;
	return fd;
}

/* Pump the loop, then read what arrived (up to cap). */
static size_t pump_read(sc_loop *l, int fd, uint8_t *buf, size_t cap)
{
	size_t n = 0;

	for (int i = 0; i < 20; i++) {
		ssize_t r;

		sc_loop_run_once(l, 5);
		while (n < cap && (r = recv(fd, buf + n, cap - n, MSG_DONTWAIT)) > 0)
			n += (size_t)r;
	}
	return n;
}

static struct tsgen_chan chan(void)
{
	return (struct tsgen_chan){ .pmt_pid = 0x1000, .video_pid = 0x100, .audio_pid = 0x101, .video_type = 0x1b,
				    .gop = 3, .frame_pkts = 3, .pts0 = 90000 };
}

static void test_stream_from_rap(void)
{
	sc_loop *l = sc_loop_new(sc_clock_system());
	struct hts_cb cb = { tune, playlist, NULL };
	struct tsgen_chan g = chan();
	struct sc_sockaddr a;
	uint8_t ts[40 * 188], copy[40 * 188], buf[16384];
	ts_start *st = ts_start_new(false);
	hts *h;
	size_t n, rap = 0;
	char *body;
	int fd;

	sc_addr_parse("[::1]:0", 0, &a);
	CU_ASSERT_EQUAL_FATAL(hts_new(l, &a, NULL, &cb, NULL, &h), 0);
	/* The stream's first GOP goes by before the player connects. */
	for (int i = 0; i < 40; i++)
		tsgen_chan_next(&g, ts + i * 188);
	ts_start_feed(st, ts, 20 * 188, 0);
	hts_write(h, st);
	fd = connect_to(hts_port(h), "GET /current HTTP/1.1\r\nHost: stb\r\n\r\n");
	CU_ASSERT_FATAL(fd >= 0);
	pump_read(l, fd, buf, 0);
	/* Two more GOPs (PAT, PMT, IDR at packets 0, 20; frames of 6); the
	 * player joins after the first one's IDR. */
	for (int i = 0; i < 40; i++)
		tsgen_chan_next(&g, ts + i * 188);
	memcpy(copy, ts, sizeof(ts));
	for (int i = 1; i < 4; i++) {
		ts_start_feed(st, ts + 3 * i * 188, 3 * 188, 0); /* mid-GOP: nothing yet */
		hts_write(h, st);
	}
	ts_start_feed(st, ts + 12 * 188, 28 * 188, 0);
	hts_write(h, st);
	for (rap = 12; rap < 40 && !(ts_pid(copy + rap * 188) == 0x100 && ts_pusi(copy + rap * 188) &&
				    ts_es_rap(copy + rap * 188, 0x1b) == TS_ES_RAP); rap++)
		;
	CU_ASSERT_FATAL(rap < 40);
	n = pump_read(l, fd, buf, sizeof(buf) - 1);
	buf[n] = '\0';
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)buf, "HTTP/1.0 200 OK\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)buf, "Content-Type: video/mp2t\r\n"));
	body = strstr((char *)buf, "\r\n\r\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	body += 4;
	/* PAT, PMT, then the RAP and what follows (but an audio packet
	 * before the audio's next PES start). */
	n -= (size_t)(body - (char *)buf);
	CU_ASSERT_FATAL(n >= 3 * 188 && n % 188 == 0);
	CU_ASSERT_EQUAL(ts_pid((uint8_t *)body), 0);
	CU_ASSERT_EQUAL(ts_pid((uint8_t *)body + 188), 0x1000);
	CU_ASSERT_EQUAL(memcmp(body + 2 * 188, copy + rap * 188, 188), 0);
	for (size_t i = 2, k = rap; i < n / 188; i++, k++) {
		while (k < 40 && memcmp(body + i * 188, copy + k * 188, 188))
			k++;
		CU_ASSERT(k < 40);
	}
	CU_ASSERT(n / 188 >= 40 - rap + 1);
	CU_ASSERT_EQUAL(hts_stats(h)->clients, 1);
	close(fd);
	pump_read(l, -1, buf, 0);
	hts_write(h, st); /* notices the closed player */
	pump_read(l, -1, buf, 0);
	CU_ASSERT_EQUAL(hts_stats(h)->clients, 0);
	hts_free(h);
	ts_start_free(st);
	sc_loop_free(l);
}

static char *get(sc_loop *l, hts *h, const char *req)
{
	static char out[4096];
	int fd = connect_to(hts_port(h), req);
	size_t n = pump_read(l, fd, (uint8_t *)out, sizeof(out) - 1);

	out[n] = '\0';
	close(fd);
	return out;
}

static void test_requests(void)
{
	sc_loop *l = sc_loop_new(sc_clock_system());
	struct hts_cb cb = { tune, playlist, NULL };
	struct sc_sockaddr a;
	hts *h;
	char *r;

	sc_addr_parse("[::1]:0", 0, &a);
	CU_ASSERT_EQUAL_FATAL(hts_new(l, &a, NULL, &cb, NULL, &h), 0);
	r = get(l, h, "GET /playlist.m3u HTTP/1.1\r\nHost: stb.home:8090\r\n\r\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "#EXTM3U\n#EXTINF:-1,News\nhttp://stb.home:8090/channel/1\n"));
	r = get(l, h, "GET /channel/7 HTTP/1.0\r\n\r\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(r, " 200 OK"));
	CU_ASSERT_EQUAL(tuned, 7);
	r = get(l, h, "GET /channel/99 HTTP/1.0\r\n\r\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(r, " 404 "));
	r = get(l, h, "POST /current HTTP/1.0\r\n\r\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(r, " 400 "));
	r = get(l, h, "GET /etc/passwd HTTP/1.0\r\n\r\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(r, " 404 "));
	r = get(l, h, "garbage\r\n\r\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(r, " 400 "));
	CU_ASSERT(hts_stats(h)->bad_requests >= 4);
	hts_free(h);
	sc_loop_free(l);
}

static void test_slow_player(void)
{
	sc_loop *l = sc_loop_new(sc_clock_system());
	struct hts_cb cb = { tune, playlist, NULL };
	static uint8_t ts[64 * 188];
	struct tsgen_chan g = chan();
	ts_start *st = ts_start_new(true);
	struct sc_sockaddr a;
	uint8_t buf[512];
	hts *h;
	int fd, small = 4096;

	sc_addr_parse("[::1]:0", 0, &a);
	CU_ASSERT_EQUAL_FATAL(hts_new(l, &a, NULL, &cb, NULL, &h), 0);
	fd = connect_to(hts_port(h), "GET /current HTTP/1.0\r\n\r\n");
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	pump_read(l, fd, buf, 0);
	/* Never read: after a few MB the player is dropped. */
	for (int i = 0; i < 1000 && hts_stats(h)->dropped_slow == 0; i++) {
		for (int k = 0; k < 64; k++)
			tsgen_chan_next(&g, ts + k * 188);
		ts_start_feed(st, ts, sizeof(ts), 0);
		hts_write(h, st);
		sc_loop_run_once(l, 0);
	}
	CU_ASSERT_EQUAL(hts_stats(h)->dropped_slow, 1);
	CU_ASSERT_EQUAL(hts_stats(h)->clients, 0);
	close(fd);
	hts_free(h);
	ts_start_free(st);
	sc_loop_free(l);
}

/* A server on a fake clock, on [::] (IPv4 too) at a random port. */
struct fake {
	sc_clock *clk;
	sc_loop *l;
	hts *h;
};

static void fake_up(struct fake *f, const struct sc_guard_limits *lim)
{
	static const struct hts_cb cb = { tune, playlist, NULL };
	struct sc_sockaddr a;

	f->clk = sc_clock_fake_new(SC_NS_PER_S);
	f->l = sc_loop_new(f->clk);
	sc_addr_parse("[::]:0", 0, &a);
	CU_ASSERT_EQUAL_FATAL(hts_new(f->l, &a, lim, &cb, NULL, &f->h), 0);
}

static void fake_down(struct fake *f)
{
	hts_free(f->h);
	sc_loop_free(f->l);
	sc_clock_free(f->clk);
}

static hts *accepted_h;
static unsigned accepted_n;

static bool all_accepted(void *arg)
{
	(void)arg;
	return hts_guard_stats(accepted_h)->accepted + hts_guard_stats(accepted_h)->refused_addr >= accepted_n;
}

/* Pump until the server has seen n connections. */
static void wait_accepted(struct fake *f, unsigned n)
{
	accepted_h = f->h;
	accepted_n = n;
	if (!tu_pump_until(f->l, all_accepted, NULL))
		CU_FAIL("the server did not accept the connections");
}

static void test_per_address(void)
{
	struct sc_guard_limits lim;
	struct fake f;
	char buf[256];
	int fd[5];

	hts_limits_default(&lim);
	fake_up(&f, &lim);
	for (int i = 0; i < 5; i++)
		fd[i] = tu_connect("::1", hts_port(f.h), "GET /cur");
	wait_accepted(&f, 5);
	/* The fifth from one address is refused with a 503, the others wait. */
	CU_ASSERT_TRUE(tu_wait_closed(f.l, fd[4], buf, sizeof(buf)));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, " 503 "));
	CU_ASSERT_EQUAL(hts_guard_stats(f.h)->refused_addr, 1);
	CU_ASSERT_EQUAL(hts_stats(f.h)->clients, 4);
	for (int i = 0; i < 4; i++)
		CU_ASSERT_TRUE(tu_still_open(fd[i]));
	/* Another address (IPv4 loopback, dual-stack) still gets in. */
	close(fd[4]);
	fd[4] = tu_connect("127.0.0.1", hts_port(f.h), "GET /playlist.m3u HTTP/1.0\r\n\r\n");
	CU_ASSERT_TRUE(tu_wait_closed(f.l, fd[4], buf, sizeof(buf)));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, " 200 OK"));
	for (int i = 0; i < 5; i++)
		close(fd[i]);
	fake_down(&f);
}

static void test_request_deadline(void)
{
	struct fake f;
	char buf[256];
	int slow, dead;

	fake_up(&f, NULL);
	dead = tu_connect("::1", hts_port(f.h), "");
	slow = tu_connect("::1", hts_port(f.h), "GET /current HTTP/1.1\r\n");
	wait_accepted(&f, 2);
	/* One header line a second: the deadline counts from the connect. */
	for (int i = 0; i < 4; i++) {
		sc_clock_fake_advance(f.clk, SC_NS_PER_S);
		CU_ASSERT(send(slow, "X-Slow: 1\r\n", 11, MSG_NOSIGNAL) == 11);
		sc_loop_run_once(f.l, 0);
	}
	CU_ASSERT_TRUE(tu_still_open(slow));
	CU_ASSERT_EQUAL(hts_guard_stats(f.h)->request_timeouts, 0);
	sc_clock_fake_advance(f.clk, SC_NS_PER_S);
	CU_ASSERT_TRUE(tu_wait_closed(f.l, slow, buf, sizeof(buf)));
	CU_ASSERT_TRUE(tu_wait_closed(f.l, dead, buf, sizeof(buf)));
	CU_ASSERT_EQUAL(hts_guard_stats(f.h)->request_timeouts, 2);
	CU_ASSERT_EQUAL(hts_stats(f.h)->clients, 0);
	close(slow);
	close(dead);
	fake_down(&f);
}

static void test_full_of_half_requests(void)
{
	struct sc_guard_limits lim;
	struct fake f;
	char buf[512];
	int fd[HTS_MAX_CLIENTS], player;

	/* 16 half-sent requests, all from one address: no per-address cap,
	 * only the slots. */
	hts_limits_default(&lim);
	lim.per_addr = 0;
	fake_up(&f, &lim);
	for (int i = 0; i < HTS_MAX_CLIENTS; i++) {
		fd[i] = tu_connect("::1", hts_port(f.h), "GET /current HTTP/1.1\r\nHost: x\r\n");
		wait_accepted(&f, (unsigned)i + 1);
		sc_clock_fake_advance(f.clk, SC_NS_PER_MS);
	}
	CU_ASSERT_EQUAL(hts_stats(f.h)->clients, HTS_MAX_CLIENTS);
	/* A player comes: the oldest half-sent request makes room for it. */
	player = tu_connect("::1", hts_port(f.h), "GET /current HTTP/1.1\r\n\r\n");
	CU_ASSERT_TRUE(tu_wait_text(f.l, player, "\r\n\r\n", buf, sizeof(buf)));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "HTTP/1.0 200 OK"));
	CU_ASSERT_TRUE(tu_wait_closed(f.l, fd[0], NULL, 0));
	CU_ASSERT_TRUE(tu_still_open(fd[1]));
	CU_ASSERT_EQUAL(hts_guard_stats(f.h)->evicted, 1);
	CU_ASSERT_EQUAL(hts_guard_stats(f.h)->refused_full, 0);
	/* A stream waiting for its channel holds its slot however long. */
	sc_clock_fake_advance(f.clk, 3600 * SC_NS_PER_S);
	sc_loop_run_once(f.l, 0);
	for (int i = 1; i < HTS_MAX_CLIENTS; i++)
		CU_ASSERT_TRUE(tu_wait_closed(f.l, fd[i], NULL, 0));
	CU_ASSERT_TRUE(tu_still_open(player));
	CU_ASSERT_EQUAL(hts_stats(f.h)->clients, 1);
	CU_ASSERT_EQUAL(hts_guard_stats(f.h)->request_timeouts, HTS_MAX_CLIENTS - 1);
	CU_ASSERT_EQUAL(hts_guard_stats(f.h)->idle_timeouts, 0);
	for (int i = 0; i < HTS_MAX_CLIENTS; i++)
		close(fd[i]);
	close(player);
	fake_down(&f);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "a stream starts at a RAP, PAT and PMT first", test_stream_from_rap },
		{ "playlist, tune, errors", test_requests },
		{ "a slow player is dropped", test_slow_player },
		{ "connections per address", test_per_address },
		{ "the request is due within 5 s", test_request_deadline },
		{ "16 half-sent requests do not lock a player out", test_full_of_half_requests },
		{ NULL, NULL },
	};
	return tu_add_suite("hts", tests);
}
