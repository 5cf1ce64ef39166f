/* Unit tests of hts_req: players' requests as hts read them before the
 * reading moved out of it (the same routes, the same playlist base). */
#include "config.h"

#include <string.h>

#include "hts_req.h"
#include "tu.h"

static enum hts_route route(const char *req, struct hts_req *r)
{
	hts_req_parse(req, r);
	return r->route;
}

static void test_routes(void)
{
	struct hts_req r;

	CU_ASSERT_EQUAL(route("GET /current HTTP/1.1\r\nHost: box:8080\r\n\r\n", &r), HTS_CURRENT);
	CU_ASSERT(!r.head);
	CU_ASSERT_EQUAL(route("HEAD /current HTTP/1.0\r\n\r\n", &r), HTS_CURRENT);
	CU_ASSERT(r.head);
	CU_ASSERT_EQUAL(route("GET /channel/12 HTTP/1.1\r\n\r\n", &r), HTS_CHANNEL);
	CU_ASSERT_EQUAL(r.channel, 12);
	CU_ASSERT_EQUAL(route("GET /channel/4294967295 HTTP/1.1\r\n\r\n", &r), HTS_CHANNEL);
	CU_ASSERT_EQUAL(r.channel, 4294967295u);
	CU_ASSERT_EQUAL(route("GET /playlist.m3u HTTP/1.1\r\n\r\n", &r), HTS_PLAYLIST);
	/* mpv and VLC send more headers; ffplay an HTTP/1.1 line */
	CU_ASSERT_EQUAL(route("GET /channel/3 HTTP/1.1\r\nUser-Agent: Lavf/59.27.100\r\nAccept: */*\r\n"
			      "Range: bytes=0-\r\nConnection: close\r\nIcy-MetaData: 1\r\n\r\n", &r), HTS_CHANNEL);
	CU_ASSERT_EQUAL(r.channel, 3);
}

static void test_refused(void)
{
	struct hts_req r;

	CU_ASSERT_EQUAL(route("POST /current HTTP/1.1\r\n\r\n", &r), HTS_BAD_REQUEST);
	CU_ASSERT_EQUAL(route("get /current HTTP/1.1\r\n\r\n", &r), HTS_BAD_REQUEST);
	CU_ASSERT_EQUAL(route("GET\r\n\r\n", &r), HTS_BAD_REQUEST);
	CU_ASSERT_EQUAL(route("", &r), HTS_BAD_REQUEST);
	CU_ASSERT_EQUAL(route("GET /other HTTP/1.1\r\n\r\n", &r), HTS_NOT_FOUND);
	CU_ASSERT_EQUAL(route("GET /channel/12x HTTP/1.1\r\n\r\n", &r), HTS_NOT_FOUND);
	CU_ASSERT_EQUAL(route("GET /channel/ HTTP/1.1\r\n\r\n", &r), HTS_NOT_FOUND);
	CU_ASSERT_EQUAL(route("GET /current/ HTTP/1.1\r\n\r\n", &r), HTS_NOT_FOUND);
	CU_ASSERT_EQUAL(route("GET /playlist.m3u?x=1 HTTP/1.1\r\n\r\n", &r), HTS_NOT_FOUND);
}

/* Found by fuzz_hts_req: the channel number was read with sscanf's %u,
 * which takes a sign and wraps numbers past 2^32 around, from a path cut
 * at 255 bytes. */
static void test_channel_number(void)
{
	struct hts_req r;
	char req[512];

	CU_ASSERT_EQUAL(route("GET /channel/4294967301 HTTP/1.1\r\n\r\n", &r), HTS_NOT_FOUND);
	CU_ASSERT_EQUAL(route("GET /channel/666666666609 HTT\r\n\r\n", &r), HTS_NOT_FOUND);
	CU_ASSERT_EQUAL(route("GET /channel/-1 HTTP/1.1\r\n\r\n", &r), HTS_NOT_FOUND);
	CU_ASSERT_EQUAL(route("GET /channel/+5 HTTP/1.1\r\n\r\n", &r), HTS_NOT_FOUND);
	CU_ASSERT_EQUAL(route("GET /channel/05 HTTP/1.1\r\n\r\n", &r), HTS_CHANNEL);
	CU_ASSERT_EQUAL(r.channel, 5);
	/* "/channel/", 300 zeros and a 5 is channel 5, not channel 0 */
	snprintf(req, sizeof(req), "GET /channel/%0301d HTTP/1.1\r\n\r\n", 5);
	CU_ASSERT_EQUAL(route(req, &r), HTS_CHANNEL);
	CU_ASSERT_EQUAL(r.channel, 5);
	/* and a path longer than 255 bytes is not /current cut short */
	snprintf(req, sizeof(req), "GET /current%0300d HTTP/1.1\r\n\r\n", 0);
	CU_ASSERT_EQUAL(route(req, &r), HTS_NOT_FOUND);
}

static void test_base_url(void)
{
	char buf[256], req[512];
	struct sc_sockaddr local;

	/* The Host first, whatever the address. */
	sc_addr_parse("[::1]:9000", 0, &local);
	hts_req_base_url("GET /playlist.m3u HTTP/1.1\r\nHost: 192.0.2.7:8080\r\n\r\n", &local, 9000, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "http://192.0.2.7:8080");
	hts_req_base_url("GET /playlist.m3u HTTP/1.1\r\nhost: \t[2001:db8::7]:8080\r\nX: y\r\n\r\n", &local, 9000, buf,
			 sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "http://[2001:db8::7]:8080");
	/* Without a Host: where the player reached the box, in its family. */
	sc_addr_parse("[::1]:9000", 0, &local);
	hts_req_base_url("GET /playlist.m3u HTTP/1.0\r\n\r\n", &local, 9000, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "http://[::1]:9000");
	sc_addr_parse("[::ffff:127.0.0.1]:9000", 0, &local);
	hts_req_base_url("GET /playlist.m3u HTTP/1.0\r\n\r\n", &local, 9000, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "http://127.0.0.1:9000");
	sc_addr_parse("10.1.0.1:9000", 0, &local);
	hts_req_base_url("GET /playlist.m3u HTTP/1.0\r\n\r\n", &local, 9000, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "http://10.1.0.1:9000");
	/* Nor that: a name the player's resolver tries in both families. */
	hts_req_base_url("GET /playlist.m3u HTTP/1.0\r\n\r\n", NULL, 9000, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "http://localhost:9000");
	/* a Host past 200 characters is cut there */
	snprintf(req, sizeof(req), "GET /playlist.m3u HTTP/1.1\r\nHost: %0300d\r\n\r\n", 0);
	hts_req_base_url(req, &local, 9000, buf, sizeof(buf));
	CU_ASSERT_EQUAL(strlen(buf), 7 + 200);
	hts_req_base_url(req, &local, 9000, buf, 10);
	CU_ASSERT_STRING_EQUAL(buf, "http://00");
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "routes", test_routes },
		{ "refused", test_refused },
		{ "channel number", test_channel_number },
		{ "playlist base", test_base_url },
		{ NULL, NULL },
	};
	return tu_add_suite("hts_req", tests);
}
