/* Unit tests of the management server's API (mg_api*.c, mg_metrics.c) in
 * process: mg_state on a fake clock with a SQLite store in a temporary
 * folder, mg_api and the HTTP server wired as mg_main.c wires the daemon,
 * all on the test's own sc_loop, and requests over loopback through
 * tu_net.h. Registration and certificates, cross-metro groups, liveness
 * and long polls driven by the fake clock (nothing sleeps), the NOC's kick
 * and ban, an edge, /metrics, and bad bodies that change nothing. The
 * shell test tests/integration/mgmt_api.sh drives the same API against a
 * running daemon. */
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
#include "rtx.h"
#include "rtx_ident.h"
#include "sc_log.h"
#include "tu.h"
#include "tu_mg_http.h"
#include "tu_net.h"

#define ADMIN "9b1e4c7a2f5d8e0b3a6c9f2e5d8b1a4c"
#define BOXCRED "4e7a0d3c6f9b2e5a8d1c4f7b0e3a6d9c"
#define EDGECRED "c2f5a8e1b4d7c0f3a6e9b2d5c8f1a4e7"

static const char *conf =
	"auth = { admins = ( { name = \"noc\"; token = \"" ADMIN "\"; } );\n"
	"  client_credential = \"" BOXCRED "\";\n"
	"  edge_credential = \"" EDGECRED "\"; };\n"
	"clients = { heartbeat_ms = 1000; missed_heartbeats = 3; };\n"
	"edges = { report_ms = 1000; missed_reports = 3; };\n"
	"lineup = { metros = (\n"
	" { id = 1; name = \"m1\"; prefixes = [ \"2001:db8:1::/48\" ]; },\n"
	" { id = 2; name = \"m2\"; prefixes = [ \"2001:db8:2::/48\" ]; },\n"
	" { id = 3; name = \"m3\"; prefixes = [ \"2001:db8:3::/48\" ]; } );\n"
	" channels = ( { id = 1; name = \"One\"; }, { id = 2; name = \"Two\"; } ); };\n";

static char dir[128];
static int dbno;
static struct mg_config *cfg;
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

/* A fresh store, model, API and HTTP server for each test. */
static void up(void)
{
	char why[256] = "", path[200];

	snprintf(path, sizeof(path), "%s/mgmt%d.db", dir, ++dbno);
	memset(&s, 0, sizeof(s));
	s.l = sc_loop_new(clk);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s.l);
	CU_ASSERT_EQUAL_FATAL(mg_store_open(path, false, NULL, &s.store, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL_FATAL(mg_store_start(s.store), 0);
	CU_ASSERT_EQUAL_FATAL(mg_state_new(cfg, clk, s.store, &s.st), 0);
	CU_ASSERT_EQUAL_FATAL(mg_state_load(s.st, why, sizeof(why)), 0);
	s.api = mg_api_new(s.st, &s.metrics, s.l);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s.api);
	CU_ASSERT_EQUAL_FATAL(mg_http_start(cfg, s.l, mg_api_handle, mg_api_done, s.api, &s.http, why,
					    sizeof(why)), 0);
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
	snprintf(dir, sizeof(dir), "/tmp/sixcast-api-XXXXXX");
	if (!mkdtemp(dir) || mg_cfg_load_string(conf, "t.conf", &cfg, &err) < 0)
		return 1;
	/* Loopback, any free port. */
	sc_addr_parse("[::1]:0", 0, &cfg->http.listen[0]);
	cfg->http.nlisten = 1;
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
	mg_cfg_free(cfg);
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
	return json_integer_value(json_object_get(j, key));
}

static const char *jstr(const json_t *j, const char *key)
{
	const char *v = json_string_value(json_object_get(j, key));

	return v ? v : "";
}

/* The error message of a 4xx answer. */
static const char *err_msg(void)
{
	return jstr(tu_mg_res.j, "error");
}

/* A box's key: 32 bytes seed, seed + 1, ... as hex. */
static void pubkey(uint8_t seed, uint8_t raw[RTX_PUB_BYTES], char hex[2 * RTX_PUB_BYTES + 1])
{
	for (int i = 0; i < RTX_PUB_BYTES; i++)
		raw[i] = (uint8_t)(seed + i);
	rtx_hex(raw, RTX_PUB_BYTES, hex);
}

/* Register box dev at [2001:db8:<m>::<host>]:5100 (metro m by prefix),
 * with the key pub (hex) or none; its token into tok. Returns its id. */
static uint32_t reg_box(const char *dev, unsigned m, unsigned host, const char *pub, char *tok)
{
	char body[600], key[120] = "";

	if (pub)
		snprintf(key, sizeof(key), ",\"pubkey\":\"%s\"", pub);
	snprintf(body, sizeof(body),
		 "{\"device_id\":\"%s\",\"credential\":\"" BOXCRED "\","
		 "\"addrs\":[\"[2001:db8:%x::%x]:5100\"]%s}", dev, m, host, key);
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
	return (uint32_t)jint(json_object_get(tu_mg_res.j, "group"), "version");
}

/* Heartbeat of box id holding group version held; returns the status. */
static unsigned heartbeat(uint32_t id, const char *tok, uint32_t held)
{
	char body[64];

	snprintf(body, sizeof(body), "{\"group_version\":%u}", held);
	return api("POST", tok, body, "/api/v1/clients/%u/heartbeat", id);
}

/* Decode and check a certificate (hex) under the CA (hex): its kind, id
 * and public key. */
static void check_cert(const char *hex, const char *ca_hex, uint8_t kind, uint32_t id,
		       const uint8_t pub[RTX_PUB_BYTES])
{
	uint8_t raw[RTX_CERT_BYTES], ca[RTX_CA_PUB_BYTES];
	struct rtx_cert c;

	CU_ASSERT_EQUAL_FATAL(rtx_unhex(hex, raw, sizeof(raw)), 0);
	CU_ASSERT_EQUAL_FATAL(rtx_unhex(ca_hex, ca, sizeof(ca)), 0);
	CU_ASSERT_EQUAL(memcmp(ca, mg_trust_ca_pub(s.st), sizeof(ca)), 0);
	CU_ASSERT_EQUAL_FATAL(rtx_cert_decode(raw, sizeof(raw), &c), 0);
	CU_ASSERT_EQUAL(rtx_cert_verify(&c, ca), 0);
	CU_ASSERT_EQUAL(c.kind, kind);
	CU_ASSERT_EQUAL(c.id, id);
	CU_ASSERT_EQUAL(memcmp(c.pub, pub, RTX_PUB_BYTES), 0);
}

/* Proves: a box with the configured credential registers and gets a token
 * naming it, its metro and a certificate of its key signed by the CA; a
 * wrong credential is refused 401 with a message and registers nothing. */
static void test_register(void)
{
	uint8_t raw[RTX_PUB_BYTES];
	char hex[2 * RTX_PUB_BYTES + 1], tok[MG_TOKEN_BUF], want[32];
	uint32_t id;

	up();
	pubkey(7, raw, hex);
	id = reg_box("stb-a", 2, 1, hex, tok);
	CU_ASSERT(id > 0);
	snprintf(want, sizeof(want), "c%u.", id);
	CU_ASSERT_EQUAL(strncmp(tok, want, strlen(want)), 0);
	CU_ASSERT_STRING_EQUAL(jstr(tu_mg_res.j, "metro"), "m2");
	CU_ASSERT_EQUAL(jint(tu_mg_res.j, "metro_id"), 2);
	CU_ASSERT_EQUAL(jint(tu_mg_res.j, "heartbeat_ms"), 1000);
	CU_ASSERT_EQUAL(jint(tu_mg_res.j, "cert_lifetime_ms"), (json_int_t)mg_trust_lifetime_ms(s.st));
	check_cert(jstr(tu_mg_res.j, "cert"), jstr(tu_mg_res.j, "ca"), RTX_CERT_BOX, id, raw);
	CU_ASSERT_EQUAL(api("GET", tok, NULL, "/api/v1/clients/%u", id), 200);
	CU_ASSERT_STRING_EQUAL(jstr(tu_mg_res.j, "device_id"), "stb-a");
	/* Wrong credentials: the edges' one, and none at all for a tune. */
	CU_ASSERT_EQUAL(api("POST", NULL,
			    "{\"device_id\":\"stb-x\",\"credential\":\"" EDGECRED "\","
			    "\"addrs\":[\"[2001:db8:1::9]:5100\"]}", "/api/v1/clients/register"), 401);
	CU_ASSERT_STRING_EQUAL(err_msg(), "wrong credential for this device");
	CU_ASSERT_PTR_NULL(mg_client_by_device(s.st, "stb-x"));
	CU_ASSERT_EQUAL(mg_client_count(s.st), 1);
	CU_ASSERT_EQUAL(api("POST", NULL, "{\"channel_id\":1}", "/api/v1/clients/%u/tune", id), 401);
	CU_ASSERT_PTR_NOT_NULL(strstr(err_msg(), "token is required"));
	CU_ASSERT_EQUAL(api("POST", "c1.bogus", "{\"channel_id\":1}", "/api/v1/clients/%u/tune", id), 401);
	down();
}

/* The metro ids of a group's members, as a bit set; -1 if one repeats. */
static int member_metros(const json_t *group)
{
	const json_t *m;
	size_t i;
	int set = 0;

	json_array_foreach(json_object_get(group, "members"), i, m) {
		int bit = 1 << jint(m, "metro_id");

		if (set & bit)
			return -1;
		set |= bit;
	}
	return set;
}

/* Proves: tunes through the API put boxes of three metros into one group
 * of members from distinct metros, with a key, which the NOC sees as
 * distinct; an unknown channel is 404, a box on a NOC route 403. */
static void test_tune_cross_metro(void)
{
	char tok[3][MG_TOKEN_BUF], dev[16];
	uint32_t id[3];
	json_t *g;
	json_int_t gid;

	up();
	for (unsigned i = 0; i < 3; i++) {
		snprintf(dev, sizeof(dev), "tg-%u", i);
		id[i] = reg_box(dev, i + 1, 10 + i, NULL, tok[i]);
		tune(id[i], tok[i], 1);
	}
	g = json_object_get(tu_mg_res.j, "group");
	CU_ASSERT_EQUAL_FATAL(json_array_size(json_object_get(g, "members")), 3);
	CU_ASSERT_EQUAL(member_metros(g), (1 << 1) | (1 << 2) | (1 << 3));
	CU_ASSERT_EQUAL(strlen(jstr(g, "key")), 64);
	CU_ASSERT_EQUAL(jint(g, "channel_id"), 1);
	CU_ASSERT(json_is_object(json_object_get(tu_mg_res.j, "channel")));
	gid = jint(g, "id");
	for (unsigned i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(grp_group_id(mg_client_group(mg_client_get(s.st, id[i]))), gid);
	CU_ASSERT_EQUAL(api("GET", ADMIN, NULL, "/api/v1/groups/%lld", (long long)gid), 200);
	CU_ASSERT(json_is_true(json_object_get(tu_mg_res.j, "distinct")));
	CU_ASSERT_EQUAL(api("POST", tok[0], "{\"channel_id\":99}", "/api/v1/clients/%u/tune", id[0]), 404);
	CU_ASSERT_STRING_EQUAL(err_msg(), "no channel 99");
	CU_ASSERT_EQUAL(api("GET", tok[0], NULL, "/api/v1/metros"), 403);
	down();
}

/* The live flag and group id of box id as the NOC sees them. */
static bool noc_live(uint32_t id, bool *grouped)
{
	CU_ASSERT_EQUAL(api("GET", ADMIN, NULL, "/api/v1/clients/%u", id), 200);
	*grouped = !json_is_null(json_object_get(tu_mg_res.j, "group_id"));
	return json_is_true(json_object_get(tu_mg_res.j, "live"));
}

/* Proves: heartbeats keep a box live; a box silent for exactly
 * missed_heartbeats x heartbeat_ms on the fake clock is still live, one
 * ms more and the sweep takes it out of its group (still tuned), which
 * its group mate hears in its next heartbeat; a heartbeat brings it back. */
static void test_liveness(void)
{
	char ta[MG_TOKEN_BUF], tb[MG_TOKEN_BUF];
	uint32_t a, b, gv;
	bool grouped;

	up();
	a = reg_box("hb-a", 1, 1, NULL, ta);
	b = reg_box("hb-b", 2, 1, NULL, tb);
	tune(a, ta, 1);
	gv = tune(b, tb, 1);
	for (int i = 0; i < 3; i++) {
		sc_clock_fake_advance(clk, SC_NS_PER_S);
		CU_ASSERT_EQUAL(heartbeat(b, tb, gv), 200);
		CU_ASSERT_PTR_NULL(json_object_get(tu_mg_res.j, "group")); /* unchanged: not sent */
		mg_state_sweep(s.st);
	}
	CU_ASSERT(noc_live(a, &grouped));
	CU_ASSERT(grouped);
	sc_clock_fake_advance(clk, SC_NS_PER_MS);
	CU_ASSERT_EQUAL(heartbeat(b, tb, gv), 200);
	mg_state_sweep(s.st);
	CU_ASSERT_FALSE(noc_live(a, &grouped));
	CU_ASSERT_FALSE(grouped);
	CU_ASSERT_EQUAL(jint(tu_mg_res.j, "channel_id"), 1);
	CU_ASSERT(noc_live(b, &grouped));
	CU_ASSERT(grouped);
	CU_ASSERT_EQUAL(heartbeat(b, tb, gv), 200);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(json_object_get(tu_mg_res.j, "group"), "members")), 1);
	/* Heard again: live, back with b. */
	CU_ASSERT_EQUAL(heartbeat(a, ta, 0), 200);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(json_object_get(tu_mg_res.j, "group"), "members")), 2);
	CU_ASSERT(noc_live(a, &grouped));
	down();
}

static bool one_waiter(void *arg)
{
	(void)arg;
	return mg_api_waiters(s.api) == 1;
}

/* Start box id's long poll (?wait=ms) holding version held; returns its
 * fd once the server holds it. */
static int long_poll(uint32_t id, const char *tok, uint32_t held, unsigned ms)
{
	char body[80], target[96];
	int fd;

	snprintf(body, sizeof(body), "{\"group_version\":%u,\"channel_id\":1}", held);
	snprintf(target, sizeof(target), "/api/v1/clients/%u/heartbeat?wait=%u", id, ms);
	fd = send_req("POST", tok, body, target);
	CU_ASSERT(fd >= 0);
	CU_ASSERT(tu_pump_until(s.l, one_waiter, NULL));
	return fd;
}

/* Proves: a long-poll heartbeat is held until its box's group changes
 * (another box joins; the fake clock stands still) and then answers the
 * new group; held again, it answers with no group exactly when its wait
 * elapses on the fake clock, not a ms before. */
static void test_long_poll(void)
{
	char ta[MG_TOKEN_BUF], tb[MG_TOKEN_BUF];
	uint32_t a, b, gv, gv2;
	int fd;

	up();
	a = reg_box("lp-a", 1, 1, NULL, ta);
	b = reg_box("lp-b", 2, 1, NULL, tb);
	gv = tune(a, ta, 1);
	fd = long_poll(a, ta, gv, 4000);
	CU_ASSERT(tu_still_open(fd));
	tune(b, tb, 1);
	CU_ASSERT_EQUAL(answer(fd), 200);
	gv2 = (uint32_t)jint(json_object_get(tu_mg_res.j, "group"), "version");
	CU_ASSERT(gv2 != 0 && gv2 != gv);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(json_object_get(tu_mg_res.j, "group"), "members")), 2);
	CU_ASSERT_EQUAL(mg_api_waiters(s.api), 0);
	/* Nothing changes: the wait runs out on the fake clock. */
	fd = long_poll(a, ta, gv2, 4000);
	sc_clock_fake_advance(clk, 3999 * SC_NS_PER_MS);
	for (int i = 0; i < 3; i++)
		sc_loop_run_once(s.l, 0);
	CU_ASSERT(tu_still_open(fd));
	CU_ASSERT_EQUAL(mg_api_waiters(s.api), 1);
	sc_clock_fake_advance(clk, SC_NS_PER_MS);
	CU_ASSERT_EQUAL(answer(fd), 200);
	CU_ASSERT_PTR_NULL(json_object_get(tu_mg_res.j, "group"));
	CU_ASSERT_EQUAL(jint(tu_mg_res.j, "heartbeat_ms"), 1000);
	CU_ASSERT_EQUAL(mg_api_waiters(s.api), 0);
	down();
}

/* Whether the answer's "revoked" list names member id. */
static bool revoked(uint32_t id)
{
	const json_t *r;
	size_t i;

	json_array_foreach(json_object_get(tu_mg_res.j, "revoked"), i, r)
		if (jint(r, "id") == id)
			return true;
	return false;
}

/* Proves: kick and ban need the admin token (none: 401, a box's: 403);
 * a kicked box's token is refused 401 and it may register again (same
 * id); a banned box is refused re-registration 403; both revocations
 * reach the other boxes in their heartbeats. */
static void test_noc_kick_ban(void)
{
	char ta[MG_TOKEN_BUF], tb[MG_TOKEN_BUF], tc[MG_TOKEN_BUF];
	uint32_t a, b, c;

	up();
	a = reg_box("nk-a", 1, 1, NULL, ta);
	b = reg_box("nk-b", 2, 1, NULL, tb);
	c = reg_box("nk-c", 3, 1, NULL, tc);
	tune(a, ta, 1);
	tune(b, tb, 1);
	CU_ASSERT_EQUAL(api("POST", NULL, "{}", "/api/v1/clients/%u/kick", a), 401);
	CU_ASSERT_PTR_NOT_NULL(strstr(err_msg(), "token is required"));
	CU_ASSERT_EQUAL(api("POST", tb, "{}", "/api/v1/clients/%u/kick", a), 403);
	CU_ASSERT_EQUAL(heartbeat(a, ta, 0), 200); /* nothing happened to a */
	CU_ASSERT_EQUAL(api("POST", ADMIN, "{\"reason\":\"test\"}", "/api/v1/clients/%u/kick", a), 200);
	CU_ASSERT(json_is_false(json_object_get(tu_mg_res.j, "banned")));
	CU_ASSERT_EQUAL(heartbeat(a, ta, 0), 401);
	CU_ASSERT_EQUAL(heartbeat(c, tc, 0), 200);
	CU_ASSERT(revoked(a));
	CU_ASSERT_EQUAL(reg_box("nk-a", 1, 1, NULL, ta), a);
	CU_ASSERT_EQUAL(heartbeat(a, ta, 0), 200);
	/* The ban. */
	CU_ASSERT_EQUAL(api("POST", ADMIN, "{\"ban\":true}", "/api/v1/clients/%u/kick", b), 200);
	CU_ASSERT(json_is_true(json_object_get(tu_mg_res.j, "banned")));
	CU_ASSERT_EQUAL(heartbeat(b, tb, 0), 401);
	CU_ASSERT_EQUAL(api("POST", NULL,
			    "{\"device_id\":\"nk-b\",\"credential\":\"" BOXCRED "\","
			    "\"addrs\":[\"[2001:db8:2::1]:5100\"]}", "/api/v1/clients/register"), 403);
	CU_ASSERT_STRING_EQUAL(err_msg(), "this device is banned");
	CU_ASSERT_FALSE(mg_client_get(s.st, b)->has_token);
	CU_ASSERT_EQUAL(heartbeat(c, tc, 0), 200);
	CU_ASSERT(revoked(b));
	CU_ASSERT_EQUAL(mg_client_count(s.st), 3);
	down();
}

/* Register edge-1 with key hex; returns its id, its token into tok. */
static uint32_t reg_edge(const char *cred, const char *hex, char *tok)
{
	char body[800];

	snprintf(body, sizeof(body),
		 "{\"name\":\"edge-1\",\"credential\":\"%s\",\"addrs\":[\"2001:db8::1\"],"
		 "\"ret_addrs\":[\"[2001:db8::1]:5200\"],\"channels\":[{\"id\":1,\"direct_max\":1},"
		 "{\"id\":77}],\"pubkey\":\"%s\"}", cred, hex);
	if (api("POST", NULL, body, "/api/v1/edges/register") != 200)
		return 0;
	snprintf(tok, MG_TOKEN_BUF, "%s", jstr(tu_mg_res.j, "token"));
	return (uint32_t)jint(tu_mg_res.j, "edge_id");
}

/* Proves: an edge with the edge credential registers (a box's credential
 * is refused 401), gets a token, its channels with RET keys, the unknown
 * ones named, and a certificate; its load report is taken (a box's token
 * or another edge's path is refused 403) and the NOC sees it live with
 * its load until missed_reports x report_ms pass on the fake clock. */
static void test_edge(void)
{
	uint8_t raw[RTX_PUB_BYTES];
	char hex[2 * RTX_PUB_BYTES + 1], te[MG_TOKEN_BUF], tb[MG_TOKEN_BUF];
	const char *load = "{\"bitrate_bps\":8000000,\"ret_clients\":2,"
			   "\"channels\":[{\"id\":1,\"bitrate_bps\":4000000}]}";
	json_t *ch;
	uint32_t e;

	up();
	pubkey(40, raw, hex);
	CU_ASSERT_EQUAL(reg_edge(BOXCRED, hex, te), 0);
	CU_ASSERT_EQUAL(tu_mg_res.status, 401);
	CU_ASSERT_STRING_EQUAL(err_msg(), "wrong credential for an edge");
	e = reg_edge(EDGECRED, hex, te);
	CU_ASSERT_FATAL(e > 0);
	CU_ASSERT_EQUAL(te[0], 'e');
	ch = json_array_get(json_object_get(tu_mg_res.j, "channels"), 0);
	CU_ASSERT_EQUAL(jint(ch, "id"), 1);
	CU_ASSERT_EQUAL(strlen(jstr(ch, "ret_key")), 64);
	CU_ASSERT_EQUAL(json_integer_value(json_array_get(json_object_get(tu_mg_res.j, "unknown_channels"), 0)), 77);
	CU_ASSERT_EQUAL(jint(tu_mg_res.j, "report_ms"), 1000);
	check_cert(jstr(tu_mg_res.j, "cert"), jstr(tu_mg_res.j, "ca"), RTX_CERT_EDGE, RTX_EDGE_ID_FLAG | e, raw);
	CU_ASSERT_EQUAL(api("POST", te, load, "/api/v1/edges/%u/load", e), 200);
	CU_ASSERT_EQUAL(jint(tu_mg_res.j, "report_ms"), 1000);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(tu_mg_res.j, "revoked")), 0);
	CU_ASSERT_PTR_NULL(json_object_get(tu_mg_res.j, "cert")); /* the same key: no new certificate */
	CU_ASSERT_EQUAL(api("POST", te, load, "/api/v1/edges/%u/load", e + 1), 403);
	reg_box("ed-b", 1, 1, NULL, tb);
	CU_ASSERT_EQUAL(api("POST", tb, load, "/api/v1/edges/%u/load", e), 403);
	CU_ASSERT_EQUAL(api("GET", ADMIN, NULL, "/api/v1/edges/%u", e), 200);
	CU_ASSERT(json_is_true(json_object_get(tu_mg_res.j, "live")));
	CU_ASSERT_EQUAL(jint(json_object_get(tu_mg_res.j, "load"), "bitrate_bps"), 8000000);
	sc_clock_fake_advance(clk, 3 * SC_NS_PER_S);
	CU_ASSERT_EQUAL(api("GET", ADMIN, NULL, "/api/v1/edges/%u", e), 200);
	CU_ASSERT(json_is_true(json_object_get(tu_mg_res.j, "live")));
	sc_clock_fake_advance(clk, SC_NS_PER_MS);
	CU_ASSERT_EQUAL(api("GET", ADMIN, NULL, "/api/v1/edges/%u", e), 200);
	CU_ASSERT(json_is_false(json_object_get(tu_mg_res.j, "live")));
	down();
}

/* Proves: GET /metrics (no token: metrics_auth is off) counts the live
 * boxes per channel and metro, the registered and live totals, and the
 * API's own requests. */
static void test_metrics(void)
{
	static const char *const want[] = {
		"sixcast_clients{channel=\"1\",metro=\"m1\"} 1\n",
		"sixcast_clients{channel=\"1\",metro=\"m2\"} 2\n",
		"sixcast_clients{channel=\"2\",metro=\"m3\"} 1\n",
		"sixcast_clients_registered 4\n",
		"sixcast_clients_live 4\n",
		"sixcast_long_polls 0\n",
		"sixcast_api_request_duration_seconds_bucket",
	};
	static const unsigned metro[] = { 1, 2, 2, 3 }, chan[] = { 1, 1, 1, 2 };
	char tok[MG_TOKEN_BUF], dev[16];

	up();
	for (unsigned i = 0; i < 4; i++) {
		snprintf(dev, sizeof(dev), "mx-%u", i);
		tune(reg_box(dev, metro[i], 20 + i, NULL, tok), tok, chan[i]);
	}
	CU_ASSERT_EQUAL(api("GET", NULL, NULL, "/metrics"), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(tu_mg_res.raw, "Content-Type: text/plain"));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(tu_mg_res.body, want[i])) {
			fprintf(stderr, "metric missing: %s", want[i]);
			CU_FAIL("a metric is missing");
		}
	CU_ASSERT_PTR_NULL(strstr(tu_mg_res.body, "metro=\"unknown\""));
	CU_ASSERT_EQUAL(api("POST", NULL, "{}", "/metrics"), 405);
	down();
}

/* A bad body to target: answered 400 with a message naming what (needle). */
static void bad(const char *tok, const char *body, const char *needle, const char *target)
{
	CU_ASSERT_EQUAL(answer(send_req("POST", tok, body, target)), 400);
	if (!strstr(err_msg(), needle) || !*err_msg()) {
		fprintf(stderr, "%s %s: %s\n", target, body, tu_mg_res.body);
		CU_FAIL("the message does not say what is wrong");
	}
}

/* Proves: malformed JSON, a non-object, unknown fields, wrong types and
 * bad values are answered 400 with a message saying what is wrong, and
 * change nothing: no box registered, the box's channel, group, stats and
 * mode stay as they were. */
static void test_bad_bodies(void)
{
	static const char *const reg = "/api/v1/clients/register";
	char tok[MG_TOKEN_BUF], hb[64], tn[64];
	struct mg_client *c;
	const struct grp_group *g;
	uint32_t id;

	up();
	id = reg_box("bb-a", 1, 1, NULL, tok);
	tune(id, tok, 1);
	c = mg_client_get(s.st, id);
	g = mg_client_group(c);
	snprintf(hb, sizeof(hb), "/api/v1/clients/%u/heartbeat", id);
	snprintf(tn, sizeof(tn), "/api/v1/clients/%u/tune", id);
	bad(NULL, "{\"device_id\":\"stb-x\",", "", reg);
	bad(NULL, "[\"not\", \"an object\"]", "", reg);
	bad(NULL, "{\"device_id\":\"stb-x\",\"credential\":\"" BOXCRED "\",\"addrs\":"
		  "[\"[2001:db8:1::9]:5100\"],\"color\":\"red\"}", "unknown field \"color\"", reg);
	bad(NULL, "{\"device_id\":\"stb x\",\"credential\":\"" BOXCRED "\",\"addrs\":"
		  "[\"[2001:db8:1::9]:5100\"]}", "device_id", reg);
	bad(NULL, "{\"device_id\":\"stb-x\",\"credential\":\"" BOXCRED "\",\"addrs\":"
		  "[\"[2001:db8:1::9]:5100\"],\"pubkey\":\"xyz\"}", "field \"pubkey\"", reg);
	bad(tok, "{\"channel_id\":\"one\"}", "channel_id", tn);
	bad(tok, "{\"channel_id\":2", "", tn);
	bad(tok, "{\"stats\":{\"lost\":-1}}", "lost", hb);
	bad(tok, "{\"mode\":\"carrier-pigeon\"}", "mode", hb);
	bad(tok, "{\"channel_id\":2,\"mode\":\"pigeon\"}", "pigeon", hb);
	CU_ASSERT_EQUAL(api("PATCH", ADMIN, "{\"banned\":\"yes\"}", "/api/v1/clients/%u", id), 400);
	CU_ASSERT_STRING_NOT_EQUAL(err_msg(), "");
	CU_ASSERT_EQUAL(mg_client_count(s.st), 1);
	CU_ASSERT_PTR_NULL(mg_client_by_device(s.st, "stb-x"));
	CU_ASSERT_EQUAL(c->channel, 1);
	CU_ASSERT_PTR_EQUAL(mg_client_group(c), g);
	CU_ASSERT_FALSE(c->banned);
	CU_ASSERT_FALSE(c->on_mesh);
	CU_ASSERT_EQUAL(c->stats.lost, 0);
	CU_ASSERT(c->has_token);
	down();
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "register: token, certificate, wrong credential", test_register },
		{ "tune into a cross-metro group", test_tune_cross_metro },
		{ "heartbeats and liveness on the fake clock", test_liveness },
		{ "long-poll heartbeat", test_long_poll },
		{ "NOC kick and ban", test_noc_kick_ban },
		{ "an edge registers and reports load", test_edge },
		{ "/metrics per channel and metro", test_metrics },
		{ "bad bodies get 400 and change nothing", test_bad_bodies },
		{ NULL, NULL },
	};
	CU_pSuite suite = CU_add_suite("mg_api", suite_init, suite_clean);

	if (!suite)
		return CU_get_error();
	for (const struct tu_test *t = tests; t->name; t++)
		if (!CU_add_test(suite, t->name, t->fn))
			return CU_get_error();
	return 0;
}
