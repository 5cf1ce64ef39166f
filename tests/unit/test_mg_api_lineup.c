/* Unit tests of the management server's line-up and summary API
 * (mg_api_lineup.c, mg_api_summary.c) in process, on the fixture of
 * test_mg_api.c: mg_state on a fake clock with a SQLite store in a
 * temporary folder, mg_api and the HTTP server on the test's own sc_loop,
 * requests over loopback through tu_net.h. Channels and metros listed,
 * created, changed and deleted; refusals (401/403/400/404/409) that change
 * nothing; the line-up version boxes and edges see, long polls included;
 * lineup.mode = "file"; regrouping; the store across a restart; summaries
 * and series, with liveness driven by the fake clock (nothing sleeps). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mg_api.h"
#include "mg_auth.h"
#include "mg_http.h"
#include "mg_state.h"
#include "sc_log.h"
#include "tu.h"
#include "tu_mg_http.h"
#include "tu_net.h"

#define ADMIN "9b1e4c7a2f5d8e0b3a6c9f2e5d8b1a4c"
#define BOXCRED "4e7a0d3c6f9b2e5a8d1c4f7b0e3a6d9c"
#define EDGECRED "c2f5a8e1b4d7c0f3a6e9b2d5c8f1a4e7"
#define CH "/api/v1/channels"
#define MT "/api/v1/metros"
#define SUM "/api/v1/summary"
#define J(j, k) json_object_get(j, k)
#define NREF(t) (sizeof(t) / sizeof((t)[0]))
#define NX "{\"name\":\"x\"," /* a body naming x, more fields to follow */

#define CONF_BASE                                                                                  \
	"auth = { admins = ( { name = \"noc\"; token = \"" ADMIN "\"; } );\n"                      \
	"  client_credential = \"" BOXCRED "\"; edge_credential = \"" EDGECRED "\"; };\n"          \
	"clients = { heartbeat_ms = 1000; missed_heartbeats = 3; };\n"                             \
	"edges = { report_ms = 1000; missed_reports = 3; };\n"
#define LINEUP(mode)                                                                               \
	"lineup = { mode = \"" mode "\"; metros = (\n"                                             \
	" { id = 1; name = \"m1\"; prefixes = [ \"2001:db8:1::/48\" ]; },\n"                       \
	" { id = 2; name = \"m2\"; prefixes = [ \"2001:db8:2::/48\" ]; },\n"                       \
	" { id = 3; name = \"m3\"; prefixes = [ \"2001:db8:3::/48\" ]; } );\n"                     \
	" channels = ( { id = 1; name = \"One\"; }, { id = 2; name = \"Two\"; } ); };\n"

/* SEED: the NOC edits the line-up; FILEMODE: the config file owns it. */
enum { SEED, FILEMODE, NCONF };
static const char *const confs[NCONF] = { CONF_BASE LINEUP("seed"), CONF_BASE LINEUP("file") };

static char dir[128];
static int dbno;
static struct mg_config *cfgs[NCONF];
static sc_clock *clk;

/* The server under test. */
static struct {
	sc_loop *l;
	mg_store *store;
	struct mg_state *st;
	struct mg_metrics metrics;
	struct mg_api *api;
	mg_http *http;
	unsigned port;
} s;

static void on_store(void *arg, int fd, uint32_t events)
{
	(void)arg;
	(void)fd;
	(void)events;
	mg_store_dispatch(s.store);
}

/* Store number db (0: a new one; else reopened), model, API and HTTP
 * server on config c, as mg_main.c wires the daemon. */
static void up(int c, int db)
{
	char why[256] = "", path[200];

	snprintf(path, sizeof(path), "%s/mgmt%d.db", dir, db ? db : ++dbno);
	memset(&s, 0, sizeof(s));
	s.l = sc_loop_new(clk);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s.l);
	CU_ASSERT_EQUAL_FATAL(mg_store_open(path, false, NULL, &s.store, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL_FATAL(mg_store_start(s.store), 0);
	CU_ASSERT_EQUAL_FATAL(mg_state_new(cfgs[c], clk, s.store, &s.st), 0);
	CU_ASSERT_EQUAL_FATAL(mg_state_load(s.st, why, sizeof(why)), 0);
	s.api = mg_api_new(s.st, &s.metrics, s.l);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s.api);
	CU_ASSERT_EQUAL_FATAL(mg_http_start(cfgs[c], s.l, mg_api_handle, mg_api_done, s.api, &s.http,
					    why, sizeof(why)), 0);
	mg_api_set_http(s.api, s.http);
	CU_ASSERT_EQUAL_FATAL(sc_loop_add_fd(s.l, mg_store_fd(s.store), SC_LOOP_IN, on_store, NULL), 0);
	s.port = mg_http_port(s.http, 0);
}

/* As the daemon's stop(). */
static void down(void)
{
	mg_state_flush(s.st, true);
	mg_store_drain(s.store);
	mg_api_release_waiters(s.api);
	for (int i = 0; i < 5; i++)
		sc_loop_run_once(s.l, 0);
	mg_http_stop(s.http);
	mg_state_flush(s.st, true);
	mg_api_free(s.api);
	sc_loop_del_fd(s.l, mg_store_fd(s.store));
	mg_store_close(s.store);
	mg_state_free(s.st);
	sc_loop_free(s.l);
	json_decref(tu_mg_res.j);
	tu_mg_res.j = NULL;
	memset(&s, 0, sizeof(s));
}

static int suite_init(void)
{
	struct sc_cfg_err err;

	sc_log_set_level(LOG_CRIT);
	mg_auth_init();
	snprintf(dir, sizeof(dir), "/tmp/sixcast-lineup-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	for (int i = 0; i < NCONF; i++) {
		if (mg_cfg_load_string(confs[i], "t.conf", &cfgs[i], &err) < 0)
			return 1;
		sc_addr_parse("[::1]:0", 0, &cfgs[i]->http.listen[0]); /* loopback, any free port */
		cfgs[i]->http.nlisten = 1;
	}
	clk = sc_clock_fake_new(1000 * SC_NS_PER_S);
	return 0;
}

static int suite_clean(void)
{
	static const char *const sfx[] = { "", "-wal", "-shm" };
	char p[220];

	for (int n = 1; n <= dbno; n++)
		for (int i = 0; i < 3; i++) {
			snprintf(p, sizeof(p), "%s/mgmt%d.db%s", dir, n, sfx[i]);
			unlink(p);
		}
	rmdir(dir);
	for (int i = 0; i < NCONF; i++)
		mg_cfg_free(cfgs[i]);
	sc_clock_free(clk);
	return 0;
}

/* The shared client (tu_mg_http) on this test's loop and server. */
static int send_req(const char *method, const char *token, const char *body, const char *target)
{
	return tu_mg_send(s.port, method, token, body, target);
}

static unsigned answer(int fd)
{
	return tu_mg_answer(s.l, fd);
}

static unsigned api(const char *method, const char *token, const char *body, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* One request to fmt... and its answer (in tu_mg_res). */
static unsigned api(const char *method, const char *token, const char *body, const char *fmt, ...)
{
	va_list ap;
	unsigned st;

	va_start(ap, fmt);
	st = tu_mg_vapi(s.l, s.port, method, token, body, fmt, ap);
	va_end(ap);
	return st;
}

static json_int_t jint(const json_t *j, const char *key)
{
	return json_integer_value(J(j, key));
}

static double jnum(const json_t *j, const char *key)
{
	return json_number_value(J(j, key));
}

static const char *jstr(const json_t *j, const char *key)
{
	const char *v = json_string_value(J(j, key));

	return v ? v : "";
}

/* The element of array arr whose key is id (NULL: none). */
static json_t *by_id(const json_t *arr, const char *key, json_int_t id)
{
	json_t *e;
	size_t i;

	json_array_foreach(arr, i, e)
		if (jint(e, key) == id)
			return e;
	return NULL;
}

/* Whether the last answer was status with the error message msg. */
static bool err_is(unsigned status, const char *msg)
{
	return tu_mg_res.status == status && !strcmp(jstr(tu_mg_res.j, "error"), msg);
}

/* Register box dev at [2001:db8:<m>::<host>]:5100 (metro m by prefix);
 * its token into tok. Returns its id. */
static uint32_t reg_box(const char *dev, unsigned m, unsigned host, char *tok)
{
	char body[600];

	snprintf(body, sizeof(body), "{\"device_id\":\"%s\",\"credential\":\"" BOXCRED "\","
		 "\"addrs\":[\"[2001:db8:%x::%x]:5100\"]}", dev, m, host);
	CU_ASSERT_EQUAL(api("POST", NULL, body, "/api/v1/clients/register"), 200);
	snprintf(tok, MG_TOKEN_BUF, "%s", jstr(tu_mg_res.j, "token"));
	return (uint32_t)jint(tu_mg_res.j, "client_id");
}

/* Tune box id to channel ch; returns the version of its group (0: none). */
static uint32_t tune(uint32_t id, const char *tok, unsigned ch)
{
	char body[64];

	snprintf(body, sizeof(body), "{\"channel_id\":%u}", ch);
	CU_ASSERT_EQUAL(api("POST", tok, body, "/api/v1/clients/%u/tune", id), 200);
	return (uint32_t)jint(J(tu_mg_res.j, "group"), "version");
}

static unsigned heartbeat(uint32_t id, const char *tok, const char *body)
{
	return api("POST", tok, body, "/api/v1/clients/%u/heartbeat", id);
}

/* Register an edge at 2001:db8::1 carrying channels 1 and 77; returns its
 * id, its token into tok. */
static uint32_t reg_edge(char *tok)
{
	CU_ASSERT_EQUAL(api("POST", NULL, "{\"name\":\"edge-1\",\"credential\":\"" EDGECRED "\","
			    "\"addrs\":[\"2001:db8::1\"],\"channels\":[{\"id\":1},{\"id\":77}]}",
			    "/api/v1/edges/register"), 200);
	snprintf(tok, MG_TOKEN_BUF, "%s", jstr(tu_mg_res.j, "token"));
	return (uint32_t)jint(tu_mg_res.j, "edge_id");
}

/* GET target with the admin token; the answer (owned by tu_mg_res). */
static json_t *get(const char *target)
{
	CU_ASSERT_EQUAL(api("GET", ADMIN, NULL, "%s", target), 200);
	return tu_mg_res.j;
}

/* The line-up as the NOC reads it, to compare before and after. */
static json_t *lineup(void)
{
	json_t *chans = json_incref(get(CH));

	return json_pack("{s:o, s:O}", "channels", chans, "metros", get(MT));
}

/* The line-up and its version are what they were (before is released). */
static void unchanged(json_t *before, uint32_t version)
{
	json_t *now = lineup();

	CU_ASSERT(before && json_equal(before, now));
	CU_ASSERT_EQUAL(mg_state_lineup_version(s.st), version);
	json_decref(before);
	json_decref(now);
}

/* Requests expected to be refused with status and a message holding
 * needle, each sent with the token tok[who]. */
enum { ADM, NONE, BOX, EDGE };
struct refusal {
	const char *method, *target, *body;
	int who;
	unsigned status;
	const char *needle;
};

static void refused(const struct refusal *t, size_t n, const char *const tok[4])
{
	for (size_t i = 0; i < n; i++) {
		const char *m;

		api(t[i].method, tok[t[i].who], t[i].body, "%s", t[i].target);
		m = jstr(tu_mg_res.j, "error");
		if (tu_mg_res.status != t[i].status || !*m || !strstr(m, t[i].needle)) {
			fprintf(stderr, "%s %s %s (%d): want %u \"%s\", got %u %s\n", t[i].method,
				t[i].target, t[i].body ? t[i].body : "", t[i].who, t[i].status, t[i].needle,
				tu_mg_res.status, tu_mg_res.body);
			CU_FAIL("not refused as it should be");
		}
	}
}

/* Proves: GET /channels gives the NOC every channel by id with defaults
 * (groups from the id, port 5000) and NOC fields, a box or an edge the
 * same without them; a live edge carrying a channel supplies its source
 * until its reports stop on the fake clock; GET /metros lists metros by
 * id with prefixes and live boxes, GET /metros/{id} adds totals and
 * rates; an unknown id is 404 with a message. */
static void test_listing(void)
{
	char tb[MG_TOKEN_BUF], te[MG_TOKEN_BUF];
	json_t *ch, *m;

	up(SEED, 0);
	tune(reg_box("ls-a", 2, 1, tb), tb, 1);
	reg_edge(te);
	ch = json_array_get(get(CH), 0);
	CU_ASSERT_EQUAL_FATAL(json_array_size(tu_mg_res.j), 2);
	CU_ASSERT(jint(ch, "id") == 1 && !strcmp(jstr(ch, "name"), "One") && jint(ch, "port") == 5000);
	CU_ASSERT(!strcmp(jstr(ch, "group6"), "ff3e::8000:1") && !strcmp(jstr(ch, "group4"), "232.1.0.1"));
	CU_ASSERT_STRING_EQUAL(jstr(ch, "source6"), "2001:db8::1"); /* the edge's */
	CU_ASSERT(json_is_null(J(ch, "configured_source6")) && json_is_null(J(ch, "sdp_url")));
	CU_ASSERT(json_is_true(J(ch, "enabled")) && jint(ch, "viewers") == 1 && jint(ch, "groups") == 1);
	CU_ASSERT(json_is_null(J(json_array_get(tu_mg_res.j, 1), "source6"))); /* the edge lacks 2 */
	CU_ASSERT_EQUAL(api("GET", tb, NULL, CH), 200);
	CU_ASSERT(json_array_size(tu_mg_res.j) == 2 && !J(json_array_get(tu_mg_res.j, 0), "viewers"));
	CU_ASSERT_EQUAL(api("GET", te, NULL, CH "/2"), 200);
	CU_ASSERT(!strcmp(jstr(tu_mg_res.j, "name"), "Two") && !J(tu_mg_res.j, "enabled"));
	m = json_array_get(get(MT), 1);
	CU_ASSERT(json_array_size(tu_mg_res.j) == 3 && jint(m, "id") == 2 && jint(m, "live") == 1);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(J(m, "prefixes"), 0)), "2001:db8:2::/48");
	CU_ASSERT(json_is_false(J(m, "silent")) && jint(m, "outages") == 0 && !J(m, "totals"));
	CU_ASSERT_EQUAL(jint(J(get(MT "/2"), "totals"), "received"), 0);
	CU_ASSERT(json_is_real(J(tu_mg_res.j, "loss_rate")));
	api("GET", ADMIN, NULL, MT "/9");
	CU_ASSERT(err_is(404, "no metro 9"));
	api("GET", ADMIN, NULL, CH "/9");
	CU_ASSERT(err_is(404, "no channel 9"));
	/* The edge's reports stop: missed_reports x report_ms, then 1 ms. */
	sc_clock_fake_advance(clk, 3 * SC_NS_PER_S);
	CU_ASSERT_STRING_EQUAL(jstr(get(CH "/1"), "source6"), "2001:db8::1");
	sc_clock_fake_advance(clk, SC_NS_PER_MS);
	CU_ASSERT(json_is_null(J(get(CH "/1"), "source6")));
	down();
}

/* Proves: POST /channels creates (201) with the given id or the next free
 * one (highest + 1), defaults filled in (no group4 past id 65535) or the
 * fields given; the answer is what GET shows after; an id taken is 409;
 * each creation bumps the line-up version by one; a box may tune the new
 * channel at once and does not see a disabled one. */
static void test_channel_create(void)
{
	char tb[MG_TOKEN_BUF];
	uint32_t v0;
	json_t *made;

	up(SEED, 0);
	v0 = mg_state_lineup_version(s.st);
	CU_ASSERT_EQUAL(api("POST", ADMIN, "{\"id\":70000,\"name\":\"Far\",\"direct_max\":100}", CH), 201);
	CU_ASSERT(jint(tu_mg_res.j, "id") == 70000 && jint(tu_mg_res.j, "direct_max") == 100);
	CU_ASSERT_STRING_EQUAL(jstr(tu_mg_res.j, "group6"), "ff3e::8001:1170"); /* 0x80000000 + id */
	CU_ASSERT(json_is_null(J(tu_mg_res.j, "group4")));
	made = json_incref(tu_mg_res.j);
	CU_ASSERT(json_equal(made, get(CH "/70000")));
	json_decref(made);
	CU_ASSERT_EQUAL(api("POST", ADMIN, "{\"name\":\"Next\"}", CH), 201);
	CU_ASSERT_EQUAL(jint(tu_mg_res.j, "id"), 70001);
	CU_ASSERT_EQUAL(api("POST", ADMIN, "{\"id\":3,\"name\":\"Kids\",\"group6\":\"ff3e::8000:30\","
			    "\"group4\":null,\"port\":6000,\"source6\":\"2001:db8::10\","
			    "\"sdp_url\":\"http://x/3.sdp\",\"enabled\":false}", CH), 201);
	CU_ASSERT_STRING_EQUAL(jstr(tu_mg_res.j, "group6"), "ff3e::8000:30");
	CU_ASSERT(json_is_null(J(tu_mg_res.j, "group4")) && jint(tu_mg_res.j, "port") == 6000);
	CU_ASSERT_STRING_EQUAL(jstr(tu_mg_res.j, "configured_source6"), "2001:db8::10");
	CU_ASSERT_STRING_EQUAL(jstr(tu_mg_res.j, "sdp_url"), "http://x/3.sdp");
	CU_ASSERT(json_is_false(J(tu_mg_res.j, "enabled")));
	api("POST", ADMIN, "{\"id\":1,\"name\":\"Again\"}", CH);
	CU_ASSERT(err_is(409, "channel 1 exists"));
	CU_ASSERT_STRING_EQUAL(jstr(get(CH "/1"), "name"), "One");
	CU_ASSERT_EQUAL(mg_state_lineup_version(s.st), v0 + 3);
	CU_ASSERT_EQUAL(json_array_size(get(CH)), 5);
	tune(reg_box("cc-a", 1, 1, tb), tb, 70001);
	CU_ASSERT_EQUAL(jint(J(tu_mg_res.j, "channel"), "id"), 70001);
	CU_ASSERT_EQUAL(jint(tu_mg_res.j, "lineup_version"), v0 + 3);
	CU_ASSERT_EQUAL(api("GET", tb, NULL, CH), 200);
	CU_ASSERT(json_array_size(tu_mg_res.j) == 4 && !by_id(tu_mg_res.j, "id", 3));
	/* the highest id taken: the lowest free one, not a wrap to 0 */
	CU_ASSERT_EQUAL(api("POST", ADMIN, "{\"id\":4294967295,\"name\":\"Max\"}", CH), 201);
	CU_ASSERT_EQUAL(api("POST", ADMIN, "{\"name\":\"Low\"}", CH), 201);
	CU_ASSERT_EQUAL(jint(tu_mg_res.j, "id"), 4);
	CU_ASSERT_EQUAL(api("POST", ADMIN, "{\"id\":4294967295,\"name\":\"Top\"}", "/api/v1/metros"), 201);
	CU_ASSERT_EQUAL(api("POST", ADMIN, "{\"name\":\"Low\"}", "/api/v1/metros"), 201);
	CU_ASSERT(jint(tu_mg_res.j, "id") > 0 && jint(tu_mg_res.j, "id") < 4294967295);
	down();
}

/* Proves: line-up writes, metro reads, regrouping and the summaries need
 * the admin token (none: 401, a box's or edge's: 403); bad channel bodies
 * (malformed, not an object, no name, unknown field, wrong type, out of
 * range, bad or no groups, a multicast source, a bad URL, an id change)
 * are 400 with a message saying what, an unknown channel 404; and none
 * of these changes the line-up or its version. */
static void test_channel_refused(void)
{
	static const struct refusal t[] = {
		{ "POST", CH, "{\"name\":\"Z\"}", NONE, 401, "token is required" },
		{ "POST", CH, "{\"name\":\"Z\"}", BOX, 403, "not allowed with this token" },
		{ "PATCH", CH "/1", "{\"name\":\"Z\"}", EDGE, 403, "not allowed" },
		{ "DELETE", CH "/1", NULL, BOX, 403, "not allowed" },
		{ "POST", CH "/1/rebuild", NULL, EDGE, 403, "not allowed" },
		{ "GET", CH "/1/groups", NULL, BOX, 403, "not allowed" },
		{ "GET", MT, NULL, EDGE, 403, "not allowed" },
		{ "POST", MT, "{\"name\":\"Z\"}", BOX, 403, "not allowed" },
		{ "DELETE", MT "/1", NULL, NONE, 401, "token is required" },
		{ "GET", SUM, NULL, BOX, 403, "not allowed" },
		{ "GET", SUM "/channels", NULL, EDGE, 403, "not allowed" },
		{ "GET", SUM "/metros", NULL, NONE, 401, "token is required" },
		{ "GET", SUM "/groups", NULL, BOX, 403, "not allowed" },
		{ "GET", "/api/v1/series", NULL, EDGE, 403, "not allowed" },
		{ "POST", CH, "{\"name\":\"x\",", ADM, 400, "malformed JSON" },
		{ "POST", CH, "[\"x\"]", ADM, 400, "must be a JSON object" },
		{ "POST", CH, "", ADM, 400, "missing field \"name\"" },
		{ "POST", CH, NX "\"colour\":1}", ADM, 400, "unknown field \"colour\"" },
		{ "POST", CH, "{\"name\":7}", ADM, 400, "field \"name\" must be a string" },
		{ "POST", CH, "{\"name\":\"\"}", ADM, 400, "must have a length between 1 and 63" },
		{ "POST", CH, "{\"name\":\"a\\u0001b\"}", ADM, 400, "no control characters" },
		{ "POST", CH, "{\"id\":0,\"name\":\"x\"}", ADM, 400, "field \"id\" must be between 1 and" },
		{ "POST", CH, "{\"id\":\"4\",\"name\":\"x\"}", ADM, 400, "field \"id\" must be an integer" },
		{ "POST", CH, NX "\"port\":65536}", ADM, 400, "field \"port\" must be between" },
		{ "POST", CH, NX "\"group6\":\"2001:db8::5\"}", ADM, 400, "must be a multicast" },
		{ "POST", CH, NX "\"group6\":\"232.1.1.1\"}", ADM, 400, "group6 must be an IPv6" },
		{ "POST", CH, NX "\"group4\":\"10.0.0.1\"}", ADM, 400, "group4 must be a multicast" },
		{ "POST", CH, NX "\"group6\":null,\"group4\":null}", ADM, 400, "needs group6 or" },
		{ "POST", CH, NX "\"source6\":\"ff3e::9\"}", ADM, 400, "source6 must be a unicast" },
		{ "POST", CH, NX "\"sdp_url\":\"ftp://x/1\"}", ADM, 400, "sdp_url must be an http" },
		{ "POST", CH, NX "\"direct_max\":1000001}", ADM, 400, "field \"direct_max\"" },
		{ "POST", CH, NX "\"enabled\":\"yes\"}", ADM, 400, "must be true or false" },
		{ "PATCH", CH "/1", "{\"id\":2}", ADM, 400, "a channel's id cannot change" },
		{ "PATCH", CH "/1", "{\"group4\":\"ff3e::1\",\"group6\":null}", ADM, 400, "be an IPv4" },
		{ "PATCH", CH "/9", "{\"name\":\"x\"}", ADM, 404, "no channel 9" },
		{ "DELETE", CH "/9", NULL, ADM, 404, "no channel 9" },
	};
	char tb[MG_TOKEN_BUF], te[MG_TOKEN_BUF];
	const char *const tok[4] = { ADMIN, NULL, tb, te };
	uint32_t v0;
	json_t *before;

	up(SEED, 0);
	reg_box("cr-a", 1, 1, tb);
	reg_edge(te);
	v0 = mg_state_lineup_version(s.st);
	before = lineup();
	refused(t, NREF(t), tok);
	unchanged(before, v0);
	down();
}

/* Proves: PATCH /channels/{id} changes the fields given and keeps the
 * others (null clears a source: the edge's shows again); disabling takes
 * the tuned box off (its heartbeat: channel_id null, group null), hides
 * the channel from boxes (list and 404) but not from the NOC, and a tune
 * to it is 409 until enabled again; DELETE answers {"deleted": id}, then
 * 404; its box is untuned, the edge carrying it lists it as unknown; each
 * change bumps the line-up version the box and the edge are given. */
static void test_channel_update_delete(void)
{
	char ta[MG_TOKEN_BUF], te[MG_TOKEN_BUF], hb[64];
	uint32_t a, e, v0;

	up(SEED, 0);
	a = reg_box("ud-a", 1, 1, ta);
	snprintf(hb, sizeof(hb), "{\"group_version\":%u}", tune(a, ta, 1));
	e = reg_edge(te);
	v0 = mg_state_lineup_version(s.st);
	CU_ASSERT_EQUAL(api("PATCH", ADMIN, "{\"name\":\"One HD\",\"port\":6000,"
			    "\"source6\":\"2001:db8::99\",\"direct_max\":7}", CH "/1"), 200);
	CU_ASSERT(!strcmp(jstr(tu_mg_res.j, "name"), "One HD") && jint(tu_mg_res.j, "port") == 6000);
	CU_ASSERT(!strcmp(jstr(tu_mg_res.j, "group6"), "ff3e::8000:1") && jint(tu_mg_res.j, "direct_max") == 7);
	CU_ASSERT_STRING_EQUAL(jstr(tu_mg_res.j, "source6"), "2001:db8::99"); /* over the edge's */
	CU_ASSERT_EQUAL(heartbeat(a, ta, hb), 200);
	CU_ASSERT(jint(tu_mg_res.j, "lineup_version") == v0 + 1 && jint(tu_mg_res.j, "channel_id") == 1);
	CU_ASSERT_PTR_NULL(J(tu_mg_res.j, "group")); /* unchanged */
	CU_ASSERT_EQUAL(api("PATCH", ADMIN, "{\"source6\":null}", CH "/1"), 200);
	CU_ASSERT_STRING_EQUAL(jstr(tu_mg_res.j, "source6"), "2001:db8::1");
	CU_ASSERT(json_is_null(J(tu_mg_res.j, "configured_source6")) && jint(tu_mg_res.j, "port") == 6000);
	CU_ASSERT_EQUAL(api("PATCH", ADMIN, "{\"enabled\":false}", CH "/1"), 200);
	CU_ASSERT_STRING_EQUAL(jstr(tu_mg_res.j, "name"), "One HD");
	CU_ASSERT_EQUAL(heartbeat(a, ta, hb), 200);
	CU_ASSERT(json_is_null(J(tu_mg_res.j, "channel_id")) && json_is_null(J(tu_mg_res.j, "group")));
	CU_ASSERT_EQUAL(jint(tu_mg_res.j, "lineup_version"), v0 + 3);
	CU_ASSERT_EQUAL(api("GET", ta, NULL, CH), 200);
	CU_ASSERT(json_array_size(tu_mg_res.j) == 1 && !by_id(tu_mg_res.j, "id", 1));
	CU_ASSERT_EQUAL(api("GET", ta, NULL, CH "/1"), 404);
	CU_ASSERT(json_is_false(J(get(CH "/1"), "enabled")) && jint(tu_mg_res.j, "viewers") == 0);
	api("POST", ta, "{\"channel_id\":1}", "/api/v1/clients/%u/tune", a);
	CU_ASSERT(err_is(409, "channel 1 is disabled"));
	CU_ASSERT_EQUAL(api("PATCH", ADMIN, "{\"enabled\":true}", CH "/1"), 200);
	tune(a, ta, 1);
	CU_ASSERT(api("DELETE", ADMIN, NULL, CH "/1") == 200 && jint(tu_mg_res.j, "deleted") == 1);
	CU_ASSERT_EQUAL(api("GET", ADMIN, NULL, CH "/1"), 404);
	api("DELETE", ADMIN, NULL, CH "/1");
	CU_ASSERT(err_is(404, "no channel 1"));
	CU_ASSERT_EQUAL(heartbeat(a, ta, "{}"), 200);
	CU_ASSERT(json_is_null(J(tu_mg_res.j, "channel_id")) && jint(tu_mg_res.j, "lineup_version") == v0 + 5);
	CU_ASSERT_EQUAL(api("GET", te, NULL, "/api/v1/edges/%u/channels", e), 200);
	CU_ASSERT_EQUAL(json_array_size(J(tu_mg_res.j, "channels")), 0);
	CU_ASSERT_EQUAL(json_array_size(J(tu_mg_res.j, "unknown_channels")), 2);
	CU_ASSERT_EQUAL(jint(tu_mg_res.j, "lineup_version"), v0 + 5);
	down();
}

static unsigned want_waiters;

static bool waiters_reached(void *arg)
{
	(void)arg;
	return mg_api_waiters(s.api) == want_waiters;
}

/* Start box id's long poll (4 s) on channel ch holding group version
 * held; returns its fd once the server holds it. */
static int long_poll(uint32_t id, const char *tok, uint32_t held, unsigned ch)
{
	char body[80], target[96];
	int fd;

	snprintf(body, sizeof(body), "{\"group_version\":%u,\"channel_id\":%u}", held, ch);
	snprintf(target, sizeof(target), "/api/v1/clients/%u/heartbeat?wait=4000", id);
	want_waiters = mg_api_waiters(s.api) + 1;
	fd = send_req("POST", tok, body, target);
	CU_ASSERT(fd >= 0);
	CU_ASSERT(tu_pump_until(s.l, waiters_reached, NULL));
	return fd;
}

/* Proves: a change to a channel answers at once (the fake clock stands
 * still) the long polls of the boxes tuned to it, with the new line-up
 * version, and not those of boxes on another channel, whose wait runs out
 * on the fake clock; a refused change and metro changes leave the version
 * alone; an edge gets the same version in its load answer. */
static void test_version_long_poll(void)
{
	char ta[MG_TOKEN_BUF], tb[MG_TOKEN_BUF], te[MG_TOKEN_BUF];
	uint32_t a, b, e, ga, gb, v0;
	int fa, fb;

	up(SEED, 0);
	a = reg_box("lp-a", 1, 1, ta);
	b = reg_box("lp-b", 2, 1, tb);
	ga = tune(a, ta, 1);
	gb = tune(b, tb, 2);
	e = reg_edge(te);
	v0 = (uint32_t)jint(tu_mg_res.j, "lineup_version");
	CU_ASSERT_EQUAL(v0, mg_state_lineup_version(s.st));
	fa = long_poll(a, ta, ga, 1);
	fb = long_poll(b, tb, gb, 2);
	CU_ASSERT_EQUAL(api("PATCH", ADMIN, "{\"name\":\"Uno\"}", CH "/1"), 200);
	CU_ASSERT_EQUAL(answer(fa), 200);
	CU_ASSERT(jint(tu_mg_res.j, "lineup_version") == v0 + 1 && jint(tu_mg_res.j, "channel_id") == 1);
	CU_ASSERT_PTR_NULL(J(tu_mg_res.j, "group"));
	CU_ASSERT(tu_still_open(fb) && mg_api_waiters(s.api) == 1);
	CU_ASSERT_EQUAL(api("PATCH", ADMIN, "{\"port\":0}", CH "/2"), 400);
	CU_ASSERT_EQUAL(api("POST", ADMIN, "{\"name\":\"m9\"}", MT), 201);
	CU_ASSERT_EQUAL(api("PATCH", ADMIN, "{\"name\":\"north\"}", MT "/1"), 200);
	CU_ASSERT_EQUAL(mg_state_lineup_version(s.st), v0 + 1);
	CU_ASSERT(tu_still_open(fb));
	CU_ASSERT_EQUAL(api("POST", te, "{}", "/api/v1/edges/%u/load", e), 200);
	CU_ASSERT_EQUAL(jint(tu_mg_res.j, "lineup_version"), v0 + 1);
	sc_clock_fake_advance(clk, 4 * SC_NS_PER_S);
	CU_ASSERT_EQUAL(answer(fb), 200);
	CU_ASSERT(jint(tu_mg_res.j, "lineup_version") == v0 + 1 && jint(tu_mg_res.j, "channel_id") == 2);
	CU_ASSERT_EQUAL(mg_api_waiters(s.api), 0);
	down();
}

/* A POST /metros body: name with n prefixes 2001:db8:1xx::/48. */
static void many_prefixes(char *buf, size_t len, const char *name, unsigned n)
{
	size_t k = (size_t)snprintf(buf, len, "{\"name\":\"%s\",\"prefixes\":[", name);

	for (unsigned i = 0; i < n && k < len; i++)
		k += (size_t)snprintf(buf + k, len - k, "%s\"2001:db8:%x::/48\"", i ? "," : "", 0x100 + i);
	if (k < len)
		snprintf(buf + k, len - k, "]}");
}

/* Proves: POST /metros creates (201) with the given id or the next one,
 * up to 64 prefixes (65: 400); PATCH renames and re-prefixes; DELETE
 * removes (then 404); 400 with a message for bad JSON, no name, a bad or
 * repeated prefix, a wrong type, an id change; 409 for an id or name
 * taken or a prefix another metro lists; 404 for no such metro; refusals
 * change nothing; and all of it is in the store once answered: after a
 * restart on the same database (the config's seed not applied again) the
 * line-up is as the NOC left it. */
static void test_metros(void)
{
	static const struct refusal t[] = {
		{ "POST", MT, "{\"name\":", ADM, 400, "malformed JSON" },
		{ "POST", MT, "{}", ADM, 400, "missing field \"name\"" },
		{ "POST", MT, NX "\"region\":1}", ADM, 400, "unknown field \"region\"" },
		{ "POST", MT, "{\"name\":\"m1\"}", ADM, 409, "metro 1 already has the name \"m1\"" },
		{ "POST", MT, "{\"id\":2,\"name\":\"x\"}", ADM, 409, "metro 2 exists" },
		{ "POST", MT, NX "\"prefixes\":[\"2001:db8:1::/48\"]}", ADM, 409,
		  "prefix 2001:db8:1::/48 belongs to two metros" },
		{ "POST", MT, NX "\"prefixes\":[\"10.5.0.0/16\",\"2001:db8:5::1/48\"]}", ADM, 400,
		  "prefixes[1] is not a prefix" },
		{ "POST", MT, NX "\"prefixes\":[48]}", ADM, 400, "prefixes[0]" },
		{ "POST", MT, NX "\"prefixes\":\"10.5.0.0/16\"}", ADM, 400, "must be an array" },
		{ "POST", MT, NX "\"prefixes\":[\"10.5.0.0/16\",\"10.5.0.0/16\"]}", ADM, 400,
		  "prefix 10.5.0.0/16 is listed twice" },
		{ "PATCH", MT "/1", "{\"id\":2}", ADM, 400, "a metro's id cannot change" },
		{ "PATCH", MT "/1", "{\"name\":\"m2\"}", ADM, 409, "metro 2 already has the name \"m2\"" },
		{ "PATCH", MT "/1", "{\"prefixes\":[\"2001:db8:2::/48\"]}", ADM, 409, "two metros" },
		{ "PATCH", MT "/99", "{}", ADM, 404, "no metro 99" },
		{ "DELETE", MT "/99", NULL, ADM, 404, "no metro 99" },
	};
	const char *const tok[4] = { ADMIN, NULL, NULL, NULL };
	char big[2048];
	json_t *before;
	int db;

	up(SEED, 0);
	db = dbno;
	/* In text order: the store gives prefixes back sorted. */
	CU_ASSERT_EQUAL(api("POST", ADMIN,
			    "{\"name\":\"m4\",\"prefixes\":[\"10.4.0.0/16\",\"2001:db8:4::/48\"]}", MT), 201);
	CU_ASSERT(jint(tu_mg_res.j, "id") == 4 && jint(tu_mg_res.j, "live") == 0 && json_is_false(J(tu_mg_res.j, "silent")));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(J(tu_mg_res.j, "prefixes"), 1)), "2001:db8:4::/48");
	CU_ASSERT_EQUAL(api("POST", ADMIN, "{\"id\":10,\"name\":\"m10\"}", MT), 201);
	CU_ASSERT_EQUAL(json_array_size(J(tu_mg_res.j, "prefixes")), 0);
	many_prefixes(big, sizeof(big), "m11", 64);
	CU_ASSERT_EQUAL(api("POST", ADMIN, big, MT), 201);
	CU_ASSERT(jint(tu_mg_res.j, "id") == 11 && json_array_size(J(tu_mg_res.j, "prefixes")) == 64);
	CU_ASSERT_EQUAL(api("PATCH", ADMIN, "{\"name\":\"ten\",\"prefixes\":[\"2001:db8:a::/48\"]}",
			    MT "/10"), 200);
	CU_ASSERT(!strcmp(jstr(get(MT "/10"), "name"), "ten") && json_array_size(J(tu_mg_res.j, "prefixes")) == 1);
	CU_ASSERT(api("DELETE", ADMIN, NULL, MT "/11") == 200 && jint(tu_mg_res.j, "deleted") == 11);
	CU_ASSERT_EQUAL(api("GET", ADMIN, NULL, MT "/11"), 404);
	CU_ASSERT_EQUAL(api("PATCH", ADMIN, "{\"name\":\"Deux\",\"enabled\":false}", CH "/2"), 200);
	CU_ASSERT_EQUAL(api("DELETE", ADMIN, NULL, CH "/1"), 200);
	before = lineup();
	refused(t, NREF(t), tok);
	many_prefixes(big, sizeof(big), "m12", 65);
	CU_ASSERT_EQUAL(api("POST", ADMIN, big, MT), 400);
	CU_ASSERT_PTR_NOT_NULL(strstr(jstr(tu_mg_res.j, "error"), "between 0 and 64"));
	down();
	up(SEED, db);
	unchanged(before, mg_state_lineup_version(s.st));
	down();
}

/* Proves: with lineup.mode = "file" every create, change and delete of a
 * channel or metro is 409 with a message naming the mode, and nothing
 * changes; reading the line-up and regrouping a channel (not a line-up
 * change) still work. */
static void test_file_mode(void)
{
	static const struct refusal t[] = {
		{ "POST", CH, "{\"name\":\"x\"}", ADM, 409, "(lineup.mode = \"file\")" },
		{ "PATCH", CH "/1", "{\"name\":\"x\"}", ADM, 409, "managed by the config file" },
		{ "DELETE", CH "/2", NULL, ADM, 409, "managed by the config file" },
		{ "POST", MT, "{\"name\":\"x\"}", ADM, 409, "managed by the config file" },
		{ "PATCH", MT "/1", "{\"name\":\"x\"}", ADM, 409, "managed by the config file" },
		{ "DELETE", MT "/3", NULL, ADM, 409, "managed by the config file" },
	};
	const char *const tok[4] = { ADMIN, NULL, NULL, NULL };
	uint32_t v0;
	json_t *before;

	up(FILEMODE, 0);
	v0 = mg_state_lineup_version(s.st);
	before = lineup();
	CU_ASSERT(json_array_size(J(before, "channels")) == 2 && json_array_size(J(before, "metros")) == 3);
	refused(t, NREF(t), tok);
	CU_ASSERT_EQUAL(api("POST", ADMIN, "", CH "/1/rebuild"), 200);
	CU_ASSERT(jint(tu_mg_res.j, "channel_id") == 1 && jint(tu_mg_res.j, "groups") == 0);
	CU_ASSERT_DOUBLE_EQUAL(jnum(tu_mg_res.j, "distinct_share"), 1.0, 1e-9);
	unchanged(before, v0);
	down();
}

/* Proves: POST /channels/{id}/rebuild regroups six boxes of three metros
 * into two groups of distinct metros, with new versions the boxes hear in
 * their next heartbeat; GET /channels/{id}/groups pages with offset and
 * limit; /summary/groups counts the groups of one channel or all (an
 * unknown one: none; not an id: 400); a body is 400, an unknown channel
 * 404. */
static void test_rebuild_groups(void)
{
	char tok[6][MG_TOKEN_BUF], dev[16], hb[64];
	uint32_t id[6];
	json_int_t first;

	up(SEED, 0);
	for (unsigned i = 0; i < 6; i++) {
		snprintf(dev, sizeof(dev), "rb-%u", i);
		id[i] = reg_box(dev, i % 3 + 1, 10 + i, tok[i]);
		tune(id[i], tok[i], 1);
	}
	snprintf(hb, sizeof(hb), "{\"group_version\":%u}",
		 grp_group_version(mg_client_group(mg_client_get(s.st, id[0]))));
	CU_ASSERT_EQUAL(api("POST", ADMIN, NULL, CH "/1/rebuild"), 200);
	CU_ASSERT(jint(tu_mg_res.j, "channel_id") == 1 && jint(tu_mg_res.j, "groups") == 2);
	CU_ASSERT(jint(tu_mg_res.j, "members") == 6 && jint(tu_mg_res.j, "distinct") == 2);
	CU_ASSERT_DOUBLE_EQUAL(jnum(tu_mg_res.j, "distinct_share"), 1.0, 1e-9);
	CU_ASSERT_EQUAL(heartbeat(id[0], tok[0], hb), 200);
	CU_ASSERT(json_is_object(J(tu_mg_res.j, "group"))); /* a new version */
	CU_ASSERT_EQUAL(jint(get(CH "/1/groups?limit=1"), "total"), 2);
	CU_ASSERT_EQUAL_FATAL(json_array_size(J(tu_mg_res.j, "groups")), 1);
	first = jint(json_array_get(J(tu_mg_res.j, "groups"), 0), "id");
	CU_ASSERT_EQUAL_FATAL(json_array_size(J(get(CH "/1/groups?offset=1"), "groups")), 1);
	CU_ASSERT(jint(json_array_get(J(tu_mg_res.j, "groups"), 0), "id") != first);
	CU_ASSERT_EQUAL(json_array_size(J(get(CH "/1/groups?offset=2"), "groups")), 0);
	CU_ASSERT_EQUAL(json_array_size(J(get(CH "/2/groups"), "groups")), 0);
	get(SUM "/groups?channel=1");
	CU_ASSERT(jint(tu_mg_res.j, "groups") == 2 && jint(tu_mg_res.j, "members") == 6 && jint(tu_mg_res.j, "distinct") == 2);
	CU_ASSERT(jint(J(tu_mg_res.j, "sizes"), "3") == 2 && jint(tu_mg_res.j, "target_size") == 5);
	CU_ASSERT_EQUAL(jint(tu_mg_res.j, "channel_id"), 1);
	CU_ASSERT(json_is_null(J(get(SUM "/groups"), "channel_id")) && jint(tu_mg_res.j, "members") == 6);
	CU_ASSERT_EQUAL(jint(get(SUM "/groups?channel=99"), "groups"), 0);
	api("GET", ADMIN, NULL, SUM "/groups?channel=abc");
	CU_ASSERT(err_is(400, "channel must be an id"));
	api("POST", ADMIN, "{\"x\":1}", CH "/1/rebuild");
	CU_ASSERT(err_is(400, "unknown field \"x\""));
	api("POST", ADMIN, NULL, CH "/9/rebuild");
	CU_ASSERT(err_is(404, "no channel 9"));
	api("GET", ADMIN, NULL, CH "/9/groups");
	CU_ASSERT(err_is(404, "no channel 9"));
	down();
}

/* GET /summary's figure key of object sub ("": the top level). */
static json_int_t summary(const char *sub, const char *key)
{
	json_t *j = get(SUM);

	return jint(*sub ? J(j, sub) : j, key);
}

/* Metro m of /summary/metros. */
static json_t *metro_sum(json_int_t m)
{
	return by_id(get(SUM "/metros"), "metro_id", m);
}

/* Proves: GET /summary counts boxes registered and live, channels,
 * metros, edges (registered and live) and grouped boxes as registered
 * through the API; /summary/channels each channel's viewers and groups,
 * /summary/metros each metro's live boxes; a new channel and metro count
 * at once. On the fake clock, a box silent for exactly missed_heartbeats
 * x heartbeat_ms still counts, 1 ms more and the sweep takes it out of
 * the live counts (its metro's, its channel's viewers) but not out of the
 * registered; an edge leaves edges.live as long after its last report. */
static void test_summary_live(void)
{
	static const unsigned metro[] = { 1, 2, 3, 1 }, chan[] = { 1, 1, 1, 2 };
	char tok[4][MG_TOKEN_BUF], te[MG_TOKEN_BUF], dev[16];
	uint32_t id[4], e;
	json_t *c;

	up(SEED, 0);
	for (unsigned i = 0; i < 4; i++) {
		snprintf(dev, sizeof(dev), "sl-%u", i);
		id[i] = reg_box(dev, metro[i], 20 + i, tok[i]);
		tune(id[i], tok[i], chan[i]);
	}
	reg_box("sl-idle", 2, 99, te); /* registered, never heard since */
	e = reg_edge(te);
	CU_ASSERT(summary("clients", "registered") == 5 && summary("clients", "live") == 4);
	CU_ASSERT(summary("", "channels") == 2 && summary("", "metros") == 3);
	CU_ASSERT(summary("edges", "total") == 1 && summary("edges", "live") == 1);
	CU_ASSERT(summary("groups", "members") == 4 && jint(J(tu_mg_res.j, "recent"), "seconds") == 10);
	c = by_id(get(SUM "/channels"), "channel_id", 1);
	CU_ASSERT(jint(c, "viewers") == 3 && jint(c, "groups") == 1 && jint(c, "groups_distinct") == 1);
	CU_ASSERT(!strcmp(jstr(c, "name"), "One") && json_is_true(J(c, "enabled")));
	CU_ASSERT_EQUAL(jint(by_id(tu_mg_res.j, "channel_id", 2), "viewers"), 1);
	CU_ASSERT(jint(metro_sum(1), "live") == 2 && jint(metro_sum(2), "live") == 1);
	CU_ASSERT(jint(metro_sum(3), "live") == 1 && json_is_false(J(metro_sum(1), "silent")));
	CU_ASSERT_EQUAL(api("POST", ADMIN, "{\"name\":\"Three\"}", CH), 201);
	CU_ASSERT_EQUAL(api("POST", ADMIN, "{\"name\":\"m4\"}", MT), 201);
	CU_ASSERT(summary("", "channels") == 3 && summary("", "metros") == 4);
	CU_ASSERT(!strcmp(jstr(metro_sum(4), "name"), "m4") && jint(metro_sum(4), "live") == 0);
	CU_ASSERT_EQUAL(jint(by_id(get(SUM "/channels"), "channel_id", 3), "viewers"), 0);
	/* Box 0 and the edge are heard at 2 s, the other boxes never again. */
	sc_clock_fake_advance(clk, 2 * SC_NS_PER_S);
	CU_ASSERT_EQUAL(heartbeat(id[0], tok[0], "{}"), 200);
	CU_ASSERT_EQUAL(api("POST", te, "{}", "/api/v1/edges/%u/load", e), 200);
	sc_clock_fake_advance(clk, SC_NS_PER_S);
	mg_state_sweep(s.st);
	CU_ASSERT_EQUAL(summary("clients", "live"), 4);
	sc_clock_fake_advance(clk, SC_NS_PER_MS);
	mg_state_sweep(s.st);
	CU_ASSERT(summary("clients", "live") == 1 && summary("clients", "registered") == 5);
	CU_ASSERT(summary("edges", "live") == 1 && summary("groups", "members") == 1);
	CU_ASSERT(jint(metro_sum(1), "live") == 1 && jint(metro_sum(2), "live") == 0);
	CU_ASSERT_EQUAL(jint(by_id(get(SUM "/channels"), "channel_id", 1), "viewers"), 1);
	CU_ASSERT_EQUAL(jint(by_id(tu_mg_res.j, "channel_id", 2), "viewers"), 0);
	sc_clock_fake_advance(clk, 2 * SC_NS_PER_S);
	mg_state_sweep(s.st);
	CU_ASSERT(summary("clients", "live") == 0 && summary("edges", "live") == 0);
	CU_ASSERT(summary("edges", "total") == 1 && jint(metro_sum(1), "live") == 0);
	CU_ASSERT_EQUAL(heartbeat(id[1], tok[1], "{}"), 200); /* back */
	CU_ASSERT(summary("clients", "live") == 1 && jint(metro_sum(2), "live") == 1);
	down();
}

/* The first point of GET /series<sel> (NULL: none); their count into n. */
static json_t *series(const char *sel, size_t *n)
{
	char target[128];

	snprintf(target, sizeof(target), "/api/v1/series%s", sel);
	*n = json_array_size(J(get(target), "points"));
	return json_array_get(J(tu_mg_res.j, "points"), 0);
}

/* Proves: the loss and repair figures boxes report reach the summaries of
 * their channel, their metro and the whole (totals, rates, the last 10 s)
 * and GET /metros/{id}; /series gives the per-second points sampled on
 * the fake clock for one channel, one metro or all, newer than since;
 * both selections or a bad id are 400, an unknown one 404. */
static void test_figures(void)
{
	char ta[MG_TOKEN_BUF], tb[MG_TOKEN_BUF], sel[64];
	uint32_t a, b;
	json_t *j;
	size_t n;
	int64_t t;

	up(SEED, 0);
	tune(a = reg_box("fg-a", 1, 1, ta), ta, 1);
	tune(b = reg_box("fg-b", 2, 1, tb), tb, 2);
	mg_state_sample(s.st); /* primes the series: no point yet */
	CU_ASSERT_EQUAL(heartbeat(a, ta, "{\"stats\":{\"received\":990,\"lost\":10,\"repaired_group\":6,"
				  "\"repaired_edge\":2,\"unrepaired\":2}}"), 200);
	CU_ASSERT_EQUAL(heartbeat(b, tb, "{\"stats\":{\"received\":500}}"), 200);
	sc_clock_fake_advance(clk, SC_NS_PER_S);
	t = mg_state_now_ms(s.st);
	mg_state_sample(s.st);
	CU_ASSERT_EQUAL(jint(J(get(SUM), "totals"), "received"), 1490);
	CU_ASSERT_DOUBLE_EQUAL(jnum(tu_mg_res.j, "loss_rate"), 10.0 / 1500, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(jnum(tu_mg_res.j, "repair_rate"), 0.8, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(jnum(tu_mg_res.j, "residual_rate"), 2.0 / 1500, 1e-9);
	CU_ASSERT_EQUAL(jint(J(J(tu_mg_res.j, "recent"), "counters"), "lost"), 10);
	j = by_id(get(SUM "/channels"), "channel_id", 1);
	CU_ASSERT_EQUAL(jint(J(j, "totals"), "received"), 990);
	CU_ASSERT_DOUBLE_EQUAL(jnum(j, "loss_rate"), 0.01, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(jnum(J(j, "recent"), "repair_rate"), 0.8, 1e-9);
	j = by_id(tu_mg_res.j, "channel_id", 2);
	CU_ASSERT(jint(J(j, "totals"), "received") == 500 && jnum(j, "loss_rate") == 0.0);
	CU_ASSERT_EQUAL(jint(J(metro_sum(1), "totals"), "lost"), 10);
	CU_ASSERT_EQUAL(jint(J(metro_sum(2), "totals"), "received"), 500);
	CU_ASSERT_EQUAL(jint(J(metro_sum(3), "totals"), "received"), 0);
	CU_ASSERT_EQUAL(jint(J(get(MT "/1"), "totals"), "repaired_group"), 6);
	j = series("", &n);
	CU_ASSERT(n == 1 && jint(j, "t_ms") == t && jint(j, "clients") == 2 && jint(j, "received") == 1490);
	CU_ASSERT(jint(tu_mg_res.j, "step_ms") == 1000 && json_is_null(J(tu_mg_res.j, "channel_id")));
	j = series("?channel=1", &n);
	CU_ASSERT(n == 1 && jint(j, "received") == 990 && jint(j, "clients") == 1 && jint(j, "lost") == 10);
	CU_ASSERT(jint(tu_mg_res.j, "channel_id") == 1 && json_is_null(J(tu_mg_res.j, "metro_id")));
	j = series("?metro=2", &n);
	CU_ASSERT(n == 1 && jint(j, "received") == 500 && jint(tu_mg_res.j, "metro_id") == 2);
	/* A second report a second later (a box's counters are cumulative). */
	CU_ASSERT_EQUAL(heartbeat(a, ta, "{\"stats\":{\"received\":1990,\"lost\":10}}"), 200);
	sc_clock_fake_advance(clk, SC_NS_PER_S);
	mg_state_sample(s.st);
	snprintf(sel, sizeof(sel), "?channel=1&since=%lld", (long long)t);
	j = series(sel, &n);
	CU_ASSERT(n == 1 && jint(j, "received") == 1000 && jint(j, "lost") == 0);
	snprintf(sel, sizeof(sel), "?since=%lld", (long long)t - 1);
	CU_ASSERT(series(sel, &n) && n == 2);
	api("GET", ADMIN, NULL, "/api/v1/series?channel=1&metro=1");
	CU_ASSERT(err_is(400, "give channel=ID or metro=ID, or neither for all"));
	CU_ASSERT_EQUAL(api("GET", ADMIN, NULL, "/api/v1/series?channel=x"), 400);
	CU_ASSERT_EQUAL(api("GET", ADMIN, NULL, "/api/v1/series?metro=0"), 400);
	api("GET", ADMIN, NULL, "/api/v1/series?channel=99");
	CU_ASSERT(err_is(404, "no channel 99"));
	api("GET", ADMIN, NULL, "/api/v1/series?metro=99");
	CU_ASSERT(err_is(404, "no metro 99"));
	down();
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "listing channels and metros, edge sources", test_listing },
		{ "channel create: ids, defaults, 409", test_channel_create },
		{ "refused channel requests change nothing", test_channel_refused },
		{ "channel update, disable, delete as boxes see it", test_channel_update_delete },
		{ "line-up version and long polls", test_version_long_poll },
		{ "metros: create, update, delete, refusals, restart", test_metros },
		{ "lineup.mode = file refuses changes", test_file_mode },
		{ "rebuild and group listing", test_rebuild_groups },
		{ "summary counts and liveness expiry", test_summary_live },
		{ "loss figures and series", test_figures },
		{ NULL, NULL },
	};
	CU_pSuite suite = CU_add_suite("mg_api_lineup", suite_init, suite_clean);

	if (!suite)
		return CU_get_error();
	for (const struct tu_test *t = tests; t->name; t++)
		if (!CU_add_test(suite, t->name, t->fn))
			return CU_get_error();
	return 0;
}
