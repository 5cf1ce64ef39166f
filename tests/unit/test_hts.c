/* Unit tests of hts, the HTTP stream output, over loopback: streams start
 * at a PAT, /channel/ID tunes, the playlist, errors, slow players. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hts.h"
#include "tu.h"

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

static void ts_packet(uint8_t *p, uint16_t pid, bool pusi)
{
	memset(p, 0xff, 188);
	p[0] = 0x47;
	p[1] = (uint8_t)((pusi ? 0x40 : 0) | pid >> 8);
	p[2] = (uint8_t)pid;
	p[3] = 0x10;
}

static void test_stream_from_pat(void)
{
	sc_loop *l = sc_loop_new(sc_clock_system());
	struct hts_cb cb = { tune, playlist, NULL };
	struct sc_sockaddr a;
	uint8_t ts[4 * 188], buf[8192];
	hts *h;
	size_t n;
	char *body;
	int fd;

	sc_addr_parse("[::1]:0", 0, &a);
	CU_ASSERT_EQUAL_FATAL(hts_new(l, &a, &cb, NULL, &h), 0);
	fd = connect_to(hts_port(h), "GET /current HTTP/1.1\r\nHost: stb\r\n\r\n");
	CU_ASSERT_FATAL(fd >= 0);
	pump_read(l, fd, buf, 0);
	ts_packet(ts, 0x100, false);
	ts_packet(ts + 188, 0x100, false);
	ts_packet(ts + 376, 0, true); /* PAT */
	ts_packet(ts + 564, 0x100, true);
	hts_write(h, ts, sizeof(ts));
	n = pump_read(l, fd, buf, sizeof(buf) - 1);
	buf[n] = '\0';
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)buf, "HTTP/1.0 200 OK\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)buf, "Content-Type: video/mp2t\r\n"));
	body = strstr((char *)buf, "\r\n\r\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	body += 4;
	/* Only the PAT and what follows. */
	CU_ASSERT_EQUAL(n - (size_t)(body - (char *)buf), 2 * 188);
	CU_ASSERT_EQUAL(memcmp(body, ts + 376, 2 * 188), 0);
	CU_ASSERT_EQUAL(hts_stats(h)->clients, 1);
	close(fd);
	pump_read(l, -1, buf, 0);
	hts_write(h, ts, sizeof(ts)); /* notices the closed player */
	pump_read(l, -1, buf, 0);
	CU_ASSERT_EQUAL(hts_stats(h)->clients, 0);
	hts_free(h);
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
	CU_ASSERT_EQUAL_FATAL(hts_new(l, &a, &cb, NULL, &h), 0);
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
	static uint8_t ts[100 * 188];
	struct sc_sockaddr a;
	uint8_t buf[512];
	hts *h;
	int fd, small = 4096;

	sc_addr_parse("[::1]:0", 0, &a);
	CU_ASSERT_EQUAL_FATAL(hts_new(l, &a, &cb, NULL, &h), 0);
	fd = connect_to(hts_port(h), "GET /current HTTP/1.0\r\n\r\n");
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	pump_read(l, fd, buf, 0);
	for (int i = 0; i < 100; i++)
		ts_packet(ts + i * 188, i ? 0x100 : 0, i == 0);
	/* Never read: after a few MB the player is dropped. */
	for (int i = 0; i < 400 && hts_stats(h)->dropped_slow == 0; i++) {
		hts_write(h, ts, sizeof(ts));
		sc_loop_run_once(l, 0);
	}
	CU_ASSERT_EQUAL(hts_stats(h)->dropped_slow, 1);
	CU_ASSERT_EQUAL(hts_stats(h)->clients, 0);
	close(fd);
	hts_free(h);
	sc_loop_free(l);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "a stream starts at a PAT", test_stream_from_pat },
		{ "playlist, tune, errors", test_requests },
		{ "a slow player is dropped", test_slow_player },
		{ NULL, NULL },
	};
	return tu_add_suite("hts", tests);
}
