/* Unit tests of the set-top box daemon's core (stb): the whole box, in
 * process, on an sc_loop over a fake clock, against a fake management
 * server written here (an sc_httpd on loopback in the same loop) that
 * answers register, channels, tune, heartbeat and leave in the shapes of
 * docs/api.md (certificates from a test CA, tu_ident.h) and counts what
 * it got. Time only moves through the fake clock: advance() moves it in
 * small steps and pumps the loop until no request of the box is in
 * flight.
 *
 * The box joins multicast on a veth of a private network namespace
 * (mld_netns.h): loopback has no global address, so a tuner cannot join
 * there. Without a namespace (no user namespaces) the box runs on "lo"
 * and the tests that need a tuner say so and skip that part.
 *
 * Covered: registration and the heartbeat period; an outage (503) with
 * the doubling, capped backoff and the return; the server down at start;
 * a group change in a heartbeat answer; tune and zap through the control
 * API; a kick (401 to the token): the box registers again. */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mld_netns.h"
#include "sc_httpd.h"
#include "stb_int.h"
#include "tu.h"
#include "tu_ident.h"
#include "tu_net.h"

#define STEP_NS (50 * SC_NS_PER_MS)
#define HB_MS 1000
#define RETRY_MAX_MS 8000
#define ID0 4201u
#define MAX_BOXES 2
#define MAX_TIMES 64

static int netns_rc = -1;

/* What the fake saw of one box (by client id ID0 + i). */
struct seen {
	unsigned reg, chans, tune, hb, leave, bad_token;
	uint32_t tune_ch, hb_group_version;
	char token[96];
	uint64_t hb_at[MAX_TIMES];       /* heartbeats answered 200 */
	uint64_t fail_at[MAX_TIMES];     /* requests answered 503 */
	size_t n_hb_at, n_fail_at;
};

struct fake {
	sc_clock *clk;
	sc_loop *loop;
	sc_httpd *h;
	unsigned port;
	struct tu_pki pki;
	int status;              /* not 0: every request gets it */
	bool group_pending;      /* the next heartbeat answers carry group */
	uint32_t group_id, group_version;
	unsigned n_members;
	struct seen box[MAX_BOXES];
};

static uint64_t pki_now(void *ctx)
{
	return sc_clock_wall_ns(ctx);
}

static void note(uint64_t *at, size_t *n, uint64_t t)
{
	if (*n < MAX_TIMES)
		at[(*n)++] = t;
}

static json_t *hex(const uint8_t *b, size_t n)
{
	char buf[2 * RTX_CERT_BYTES + 1];

	rtx_hex(b, n, buf);
	return json_string(buf);
}

static json_t *channel_json(uint32_t id)
{
	char g6[64], g4[32];

	snprintf(g6, sizeof(g6), "ff3e::8000:%u", id);
	snprintf(g4, sizeof(g4), "232.1.1.%u", id);
	return json_pack("{s:I, s:s, s:i, s:s, s:s, s:s, s:s}", "id", (json_int_t)id, "name", id == 1 ? "One" : "Two",
			 "port", 5000 + (int)id, "group6", g6, "source6", "2001:db8:7::9", "group4", g4, "source4",
			 "10.77.0.9");
}

/* The group the fake hands out: members 101.. with certificates of the
 * test CA (any 32 bytes are an X25519 public key). */
static json_t *group_json(struct fake *f)
{
	json_t *m = json_array();
	uint8_t key[32], pub[RTX_PUB_BYTES], cert[RTX_CERT_BYTES];

	memset(key, 0x5a, sizeof(key));
	for (unsigned i = 0; i < f->n_members; i++) {
		char a[64];

		memset(pub, (int)(0x10 + f->group_version + i), sizeof(pub));
		tu_pki_issue(&f->pki, 101 + i, pub, cert);
		snprintf(a, sizeof(a), "[2001:db8:7::%x]:5100", 0x20 + i);
		json_array_append_new(m, json_pack("{s:I, s:i, s:[s], s:o}", "client_id", (json_int_t)(101 + i),
						   "metro_id", 1, "addrs", a, "cert", hex(cert, sizeof(cert))));
	}
	return json_pack("{s:I, s:I, s:o, s:o}", "id", (json_int_t)f->group_id, "version",
			 (json_int_t)f->group_version, "key", hex(key, sizeof(key)), "members", m);
}

static void answer(struct sc_http_resp *resp, int status, json_t *j)
{
	char *text = json_dumps(j, JSON_COMPACT);

	json_decref(j);
	sc_httpd_printf(resp, status, "application/json", "%s", text ? text : "{}");
	free(text);
}

static void on_register(struct fake *f, json_t *b, struct sc_http_resp *resp)
{
	const char *dev = json_string_value(json_object_get(b, "device_id"));
	const char *pubhex = json_string_value(json_object_get(b, "pubkey"));
	unsigned i = dev && strcmp(dev, "stb-2") == 0 ? 1 : 0;
	uint8_t pub[RTX_PUB_BYTES], cert[RTX_CERT_BYTES];
	struct seen *s = &f->box[i];

	s->reg++;
	if (!pubhex || rtx_unhex(pubhex, pub, sizeof(pub)) < 0) {
		answer(resp, 400, json_pack("{s:s}", "error", "pubkey"));
		return;
	}
	tu_pki_issue(&f->pki, ID0 + i, pub, cert);
	/* Registering again gives a new token and voids the old one. */
	snprintf(s->token, sizeof(s->token), "c%u.%064x", ID0 + i, s->reg);
	answer(resp, 200, json_pack("{s:I, s:s, s:s, s:i, s:i, s:i, s:o, s:o}", "client_id", (json_int_t)(ID0 + i),
				    "token", s->token, "metro", "metro-a", "metro_id", 1, "heartbeat_ms", HB_MS,
				    "lineup_version", 1, "cert", hex(cert, sizeof(cert)), "ca",
				    hex(f->pki.ca_pub, sizeof(f->pki.ca_pub))));
}

static void on_heartbeat(struct fake *f, struct seen *s, json_t *b, struct sc_http_resp *resp)
{
	json_t *a = json_pack("{s:i, s:i, s:I, s:[]}", "heartbeat_ms", HB_MS, "lineup_version", 1, "channel_id",
			      (json_int_t)s->tune_ch, "revoked");

	s->hb++;
	s->hb_group_version = (uint32_t)json_integer_value(json_object_get(b, "group_version"));
	note(s->hb_at, &s->n_hb_at, sc_clock_now_ns(f->clk));
	if (f->group_pending && s->hb_group_version != f->group_version)
		json_object_set_new(a, "group", group_json(f));
	answer(resp, 200, a);
}

/* /clients/{id}/{what}, with the box's token. */
static void on_client(struct fake *f, const struct sc_http_req *req, json_t *b, struct sc_http_resp *resp)
{
	unsigned id = 0;
	char what[32] = "", want[128];
	const char *auth = sc_httpd_header(req, "Authorization");
	struct seen *s;

	if (sscanf(req->url, "/api/v1/clients/%u/%31s", &id, what) != 2 || id < ID0 || id >= ID0 + MAX_BOXES) {
		answer(resp, 404, json_pack("{s:s}", "error", "no such client"));
		return;
	}
	s = &f->box[id - ID0];
	snprintf(want, sizeof(want), "Bearer %s", s->token);
	if (!s->token[0] || !auth || strcmp(auth, want)) {
		s->bad_token++;
		answer(resp, 401, json_pack("{s:s}", "error", "the token was revoked"));
	} else if (strcmp(what, "heartbeat") == 0) {
		on_heartbeat(f, s, b, resp);
	} else if (strcmp(what, "tune") == 0) {
		s->tune++;
		s->tune_ch = (uint32_t)json_integer_value(json_object_get(b, "channel_id"));
		answer(resp, 200, json_pack("{s:o, s:o, s:n, s:i, s:i}", "channel", channel_json(s->tune_ch), "group",
					    group_json(f), "ret", "heartbeat_ms", HB_MS, "lineup_version", 1));
	} else if (strcmp(what, "leave") == 0) {
		s->leave++;
		answer(resp, 200, json_object());
	} else {
		answer(resp, 404, json_pack("{s:s}", "error", "no such endpoint"));
	}
}

/* Which box a request is from, for the 503 log: -1 when unknown. */
static int box_of(const struct sc_http_req *req, json_t *b)
{
	unsigned id;
	const char *dev = json_string_value(json_object_get(b, "device_id"));

	if (dev)
		return strcmp(dev, "stb-2") == 0;
	if (sscanf(req->url, "/api/v1/clients/%u/", &id) == 1 && id >= ID0 && id < ID0 + MAX_BOXES)
		return (int)(id - ID0);
	return -1;
}

static void handler(void *arg, const struct sc_http_req *req, struct sc_http_resp *resp)
{
	struct fake *f = arg;
	json_t *b = json_loads(req->body_len ? req->body : "{}", 0, NULL);
	int who = box_of(req, b);

	if (f->status) {
		if (who >= 0)
			note(f->box[who].fail_at, &f->box[who].n_fail_at, sc_clock_now_ns(f->clk));
		answer(resp, f->status, json_pack("{s:s}", "error", "the server is shutting down"));
	} else if (strcmp(req->url, "/api/v1/clients/register") == 0) {
		on_register(f, b, resp);
	} else if (strcmp(req->url, "/api/v1/channels") == 0) {
		for (int i = 0; i < MAX_BOXES; i++)
			f->box[i].chans += who < 0; /* no token check: both boxes' count */
		answer(resp, 200, json_pack("[o, o]", channel_json(1), channel_json(2)));
	} else {
		on_client(f, req, b, resp);
	}
	json_decref(b);
}

static void fake_up(struct fake *f)
{
	struct sc_sockaddr a;

	memset(f, 0, sizeof(*f));
	f->clk = sc_clock_fake_new(100 * SC_NS_PER_S);
	f->loop = sc_loop_new(f->clk);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->loop);
	CU_ASSERT_EQUAL_FATAL(tu_pki_init(&f->pki, pki_now, f->clk), 0);
	f->pki.wall0_ms = 0; /* the box's date: the fake clock's */
	f->group_id = 5;
	f->group_version = 1;
	f->n_members = 1;
	sc_addr_parse("[::1]:0", 0, &a);
	CU_ASSERT_EQUAL_FATAL(sc_httpd_new(f->loop, &a, 65536, NULL, handler, f, NULL, &f->h), 0);
	f->port = sc_httpd_port(f->h);
}

static void fake_down(struct fake *f)
{
	sc_httpd_free(f->h);
	sc_loop_free(f->loop);
	sc_clock_free(f->clk);
}

/* The box's configuration, through the file parser, then what a test
 * needs: the fake's URL, ephemeral ports, no outputs, no mesh. */
static void box_cfg(const struct fake *f, const char *device, struct stb_cfg *c)
{
	char path[] = "/tmp/sixcast-test-stb-XXXXXX";
	struct sc_cfg_err err;
	int fd = mkstemp(path);
	FILE *fp = fd >= 0 ? fdopen(fd, "w") : NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	fprintf(fp, "client: { device_id = \"%s\"; interface = \"%s\"; credential = \"q7Xv2LmN9pR4sT1wY6zA3bC8dEx\";"
		    " control = \"[::1]:8091\"; log_level = \"debug\"; };\n"
		    "mgmt: { url = \"http://[::1]:%u\"; retry_max_ms = %d; };\n"
		    "outputs: { http = \"\"; };\nmesh: { enabled = false; };\n",
		device, netns_rc == 0 ? "mldt0" : "lo", f->port, RETRY_MAX_MS);
	fclose(fp);
	CU_ASSERT_EQUAL_FATAL(stb_cfg_load(path, c, &err), 0);
	unlink(path);
	c->repair_port = 0;
	sc_addr_parse("[::1]:0", 0, &c->control);
}

static stb *box_new(struct fake *f, const char *device)
{
	struct stb_cfg c;
	stb *s = NULL;

	box_cfg(f, device, &c);
	CU_ASSERT_EQUAL_FATAL(stb_new(f->loop, &c, &s), 0);
	return s;
}

static stb *boxes[MAX_BOXES];

static bool idle(void *arg)
{
	(void)arg;
	for (int i = 0; i < MAX_BOXES; i++)
		if (boxes[i] && sc_httpc_pending(boxes[i]->http))
			return false;
	return true;
}

/* Run what is due now until no request of a box is in flight. */
static void settle(struct fake *f)
{
	do {
		CU_ASSERT_FATAL(tu_pump_until(f->loop, idle, NULL));
		sc_loop_run_once(f->loop, 0);
	} while (!idle(NULL));
}

static void advance(struct fake *f, uint64_t ns)
{
	settle(f);
	for (uint64_t t = 0; t < ns; t += STEP_NS) {
		sc_clock_fake_advance(f->clk, STEP_NS);
		settle(f);
	}
}

static void boxes_free(void)
{
	for (int i = 0; i < MAX_BOXES; i++) {
		stb_free(boxes[i], 0);
		boxes[i] = NULL;
	}
}

/* A control API request; the answer's body (after the head) in buf. */
static const char *api(struct fake *f, stb *s, const char *method, const char *path, const char *body, char *buf,
		       size_t cap)
{
	char req[512];
	const char *p;
	int fd;

	snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: x\r\nContent-Length: %zu\r\n\r\n%s", method, path,
		 strlen(body), body);
	fd = tu_connect("::1", sc_httpd_lite_port(s->api), req);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT(tu_wait_closed(f->loop, fd, buf, cap));
	close(fd);
	settle(f);
	p = strstr(buf, "\r\n\r\n");
	return p ? p + 4 : "";
}

static json_t *status(struct fake *f, stb *s)
{
	static char buf[16384];

	return json_loads(api(f, s, "GET", "/api/status", "", buf, sizeof(buf)), 0, NULL);
}

static bool need_tuner(const stb *s, const char *what)
{
	if (s->t)
		return true;
	if (netns_rc == 0) {
		CU_FAIL("the box has no tuner");
	} else {
		printf("\n  (no network namespace: %s not checked: lo cannot join) ", what);
	}
	return false;
}

/* Tune box 0 to channel ch through the control API. */
static void api_tune(struct fake *f, uint32_t ch)
{
	char body[64], buf[4096];

	snprintf(body, sizeof(body), "{\"channel\": %u}", ch);
	CU_ASSERT_PTR_NOT_NULL(strstr(api(f, boxes[0], "POST", "/api/tune", body, buf, sizeof(buf)), "\"channel\""));
}

static json_int_t group_field(json_t *st, const char *k)
{
	return json_integer_value(json_object_get(json_object_get(st, "repair_group"), k));
}

static json_int_t ident_peers(struct fake *f)
{
	static char buf[16384];
	json_t *j = json_loads(api(f, boxes[0], "GET", "/api/stats", "", buf, sizeof(buf)), 0, NULL);
	json_int_t n = json_integer_value(json_object_get(json_object_get(j, "identity"), "peers"));

	json_decref(j);
	return n;
}

/* 1. The box registers, keeps its id and token, and heartbeats once per
 * heartbeat_ms of the registration answer, every one with that token. */
static void test_register_heartbeat(void)
{
	struct fake f;
	struct seen *b = &f.box[0];
	json_t *st;

	fake_up(&f);
	boxes[0] = box_new(&f, "stb-1");
	settle(&f);
	CU_ASSERT_EQUAL(b->reg, 1);
	CU_ASSERT_EQUAL(b->chans, 1);
	CU_ASSERT_EQUAL(boxes[0]->mg, MG_READY);
	CU_ASSERT_EQUAL(boxes[0]->reg.client_id, ID0);
	CU_ASSERT_STRING_EQUAL(boxes[0]->reg.token, b->token);
	CU_ASSERT_EQUAL(boxes[0]->n_chans, 2);
	CU_ASSERT_EQUAL(b->hb, 1); /* the first at once, after the line-up */
	advance(&f, 10 * SC_NS_PER_S);
	CU_ASSERT_EQUAL(b->hb, 11);
	for (size_t i = 1; i < b->n_hb_at; i++)
		CU_ASSERT_EQUAL(b->hb_at[i] - b->hb_at[i - 1], HB_MS * SC_NS_PER_MS);
	CU_ASSERT_EQUAL(b->reg, 1);
	CU_ASSERT_EQUAL(b->bad_token, 0);
	st = status(&f, boxes[0]);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(st, "client_id")), ID0);
	CU_ASSERT_TRUE(json_is_true(json_object_get(st, "mgmt_up")));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(st, "metro")), "metro-a");
	json_decref(st);
	/* Leaving is said to the server. */
	stb_free(boxes[0], 1000);
	boxes[0] = NULL;
	CU_ASSERT_EQUAL(b->leave, 1);
	fake_down(&f);
}

/* Two boxes that failed at the same instant do not retry in lockstep:
 * after the first retries, their instants differ (jitter). */
static void check_jitter(const struct fake *f)
{
	size_t same = 0, n = f->box[0].n_fail_at < f->box[1].n_fail_at ? f->box[0].n_fail_at : f->box[1].n_fail_at;

	for (size_t i = 1; i < n; i++)
		same += f->box[0].fail_at[i] == f->box[1].fail_at[i];
	CU_ASSERT(n >= 6);
	CU_ASSERT(same < n / 2);
}

/* The gaps between a box's refused requests: each in the upper half of a
 * step that doubles from 0.5 s up to retry_max_ms (the loop's 50 ms tick
 * rounds an instant up). */
static void check_backoff(const struct seen *b)
{
	uint64_t step = 500 * SC_NS_PER_MS, gap;

	CU_ASSERT_FATAL(b->n_fail_at >= 6);
	for (size_t i = 1; i < b->n_fail_at; i++) {
		gap = b->fail_at[i] - b->fail_at[i - 1];
		CU_ASSERT(gap + STEP_NS >= step / 2 && gap <= step + STEP_NS);
		step = step * 2 > RETRY_MAX_MS * SC_NS_PER_MS ? RETRY_MAX_MS * SC_NS_PER_MS : step * 2;
	}
}

/* 2. An outage (503) while two boxes heartbeat: each retries with a
 * doubling backoff capped at retry_max_ms, keeps its id, token and line-up
 * (status says the server is away), and resumes heartbeating without
 * registering again once the server answers; the two boxes' retries
 * are not in lockstep (jitter). */
static void test_outage(void)
{
	struct fake f;
	struct stb_tuner *t0;
	char tok[2][96];
	uint64_t back;
	json_t *st;

	fake_up(&f);
	boxes[0] = box_new(&f, "stb-1");
	boxes[1] = box_new(&f, "stb-2");
	advance(&f, 2 * SC_NS_PER_S);
	api_tune(&f, 1);
	t0 = boxes[0]->t;
	memcpy(tok[0], boxes[0]->reg.token, sizeof(tok[0]));
	memcpy(tok[1], boxes[1]->reg.token, sizeof(tok[1]));
	f.status = 503;
	advance(&f, 40 * SC_NS_PER_S);
	/* Keeps playing what it played. */
	CU_ASSERT_PTR_EQUAL(boxes[0]->t, t0);
	check_jitter(&f);
	for (int i = 0; i < MAX_BOXES; i++) {
		check_backoff(&f.box[i]);
		CU_ASSERT_FALSE(boxes[i]->mgmt_up);
		CU_ASSERT_EQUAL(boxes[i]->mg, MG_READY);
		CU_ASSERT_STRING_EQUAL(boxes[i]->reg.token, tok[i]);
		CU_ASSERT_EQUAL(boxes[i]->n_chans, 2);
	}
	st = status(&f, boxes[0]);
	CU_ASSERT_TRUE(json_is_false(json_object_get(st, "mgmt_up")));
	CU_ASSERT_PTR_NOT_NULL(strstr(json_string_value(json_object_get(st, "mgmt_error")), "503"));
	json_decref(st);
	/* Back: the next retry (at most retry_max_ms away) gets through. */
	f.status = 0;
	back = sc_clock_now_ns(f.clk);
	advance(&f, RETRY_MAX_MS * SC_NS_PER_MS + 3 * SC_NS_PER_S);
	for (int i = 0; i < MAX_BOXES; i++) {
		struct seen *b = &f.box[i];

		CU_ASSERT_TRUE(boxes[i]->mgmt_up);
		CU_ASSERT_EQUAL(boxes[i]->backoff.step_ns, 0);
		CU_ASSERT_EQUAL(b->reg, 1);
		CU_ASSERT_EQUAL(b->bad_token, 0);
		CU_ASSERT_FATAL(b->n_hb_at >= 3);
		CU_ASSERT(b->hb_at[b->n_hb_at - 3] >= back);
		CU_ASSERT_EQUAL(b->hb_at[b->n_hb_at - 1] - b->hb_at[b->n_hb_at - 2], HB_MS * SC_NS_PER_MS);
	}
	boxes_free();
	fake_down(&f);
}

/* 2b. The server down when the box starts: registration is retried with
 * the same backoff, and the box registers and heartbeats once it is up. */
static void test_down_at_start(void)
{
	struct fake f;
	struct seen *b = &f.box[0];

	fake_up(&f);
	f.status = 503;
	boxes[0] = box_new(&f, "stb-1");
	advance(&f, 20 * SC_NS_PER_S);
	CU_ASSERT_EQUAL(boxes[0]->mg, MG_REGISTERING);
	CU_ASSERT_EQUAL(boxes[0]->reg.client_id, 0);
	/* the first attempt at start, then steps of 0.5, 1, 2, 4, 8 s */
	check_backoff(b);
	f.status = 0;
	advance(&f, RETRY_MAX_MS * SC_NS_PER_MS + 2 * SC_NS_PER_S);
	CU_ASSERT_EQUAL(b->reg, 1);
	CU_ASSERT_EQUAL(boxes[0]->mg, MG_READY);
	CU_ASSERT_EQUAL(boxes[0]->reg.client_id, ID0);
	CU_ASSERT(b->hb >= 2);
	boxes_free();
	fake_down(&f);
}

/* 3. A new group in a heartbeat answer is applied to the tuned channel at
 * once (its members' certificates learned), and the box polls again at
 * once with the version it now holds. */
static void test_group_change(void)
{
	struct fake f;
	struct seen *b = &f.box[0];
	json_int_t peers0;
	unsigned hb0;
	json_t *st;

	fake_up(&f);
	boxes[0] = box_new(&f, "stb-1");
	advance(&f, SC_NS_PER_S);
	api_tune(&f, 1);
	if (!need_tuner(boxes[0], "the group change"))
		goto out;
	CU_ASSERT_EQUAL(boxes[0]->t->group_id, 5);
	peers0 = ident_peers(&f);
	f.group_id = 7;
	f.group_version = 2;
	f.n_members = 3;
	f.group_pending = true;
	hb0 = b->hb;
	advance(&f, HB_MS * SC_NS_PER_MS);
	CU_ASSERT_EQUAL(b->hb, hb0 + 2);
	CU_ASSERT_EQUAL(b->hb_at[b->n_hb_at - 1], b->hb_at[b->n_hb_at - 2]);
	CU_ASSERT_EQUAL(b->hb_group_version, 2);
	st = status(&f, boxes[0]);
	CU_ASSERT_EQUAL(group_field(st, "id"), 7);
	CU_ASSERT_EQUAL(group_field(st, "version"), 2);
	json_decref(st);
	/* 101 was a member already (its new certificate replaces the old):
	 * 102 and 103 are new peers of the box's identity. */
	CU_ASSERT_EQUAL(ident_peers(&f), peers0 + 2);
	/* Then the period again. */
	advance(&f, 2 * HB_MS * SC_NS_PER_MS);
	CU_ASSERT_EQUAL(b->hb, hb0 + 4);
out:
	boxes_free();
	fake_down(&f);
}

/* 4. Tune and zap through the control API: each asks the server (tune
 * with the channel id) and joins the channel with the group it gave. */
static void test_tune_zap(void)
{
	struct fake f;
	struct seen *b = &f.box[0];
	char buf[4096];
	json_t *st;

	fake_up(&f);
	boxes[0] = box_new(&f, "stb-1");
	advance(&f, SC_NS_PER_S);
	/* not in the line-up: refused, nothing asked */
	CU_ASSERT_PTR_NOT_NULL(strstr(api(&f, boxes[0], "POST", "/api/tune", "{\"channel\": 9}", buf, sizeof(buf)),
				      "not in the line-up"));
	CU_ASSERT_EQUAL(b->tune, 0);
	api_tune(&f, 1);
	CU_ASSERT_EQUAL(b->tune, 1);
	CU_ASSERT_EQUAL(b->tune_ch, 1);
	CU_ASSERT_TRUE(boxes[0]->tune_confirmed);
	if (!need_tuner(boxes[0], "the join"))
		goto out;
	CU_ASSERT_EQUAL(boxes[0]->t->ch.id, 1);
	CU_ASSERT_EQUAL(boxes[0]->t->family, AF_INET6);
	CU_ASSERT_TRUE(boxes[0]->t->has_group);
	/* zap up: channel 2 */
	CU_ASSERT_PTR_NOT_NULL(strstr(api(&f, boxes[0], "POST", "/api/up", "", buf, sizeof(buf)), "\"channel\":2"));
	CU_ASSERT_EQUAL(b->tune, 2);
	CU_ASSERT_EQUAL(b->tune_ch, 2);
	st = status(&f, boxes[0]);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(st, "channel"), "id")), 2);
	CU_ASSERT_EQUAL(group_field(st, "id"), 5);
	json_decref(st);
	/* the heartbeat says which channel the box plays */
	advance(&f, HB_MS * SC_NS_PER_MS);
	CU_ASSERT_EQUAL(b->tune, 2);
out:
	boxes_free();
	fake_down(&f);
}

/* 5. A kick: the server answers 401 to the token. The box drops it,
 * registers again after the first backoff step (0.5 s), gets a new token,
 * tells the server again the channel it plays (the tuner, under the same
 * id, plays on) and heartbeats with the new token. */
static void test_kick(void)
{
	struct fake f;
	struct seen *b = &f.box[0];
	struct stb_tuner *t0;
	char old[96];

	fake_up(&f);
	boxes[0] = box_new(&f, "stb-1");
	advance(&f, SC_NS_PER_S);
	api_tune(&f, 1);
	t0 = boxes[0]->t;
	memcpy(old, b->token, sizeof(old));
	b->token[0] = '\0'; /* kicked: the token is void */
	advance(&f, HB_MS * SC_NS_PER_MS + 600 * SC_NS_PER_MS);
	CU_ASSERT_EQUAL(b->bad_token, 1);
	CU_ASSERT_EQUAL(b->reg, 2);
	CU_ASSERT_EQUAL(boxes[0]->mg, MG_READY);
	CU_ASSERT_EQUAL(boxes[0]->reg.client_id, ID0);
	CU_ASSERT_STRING_EQUAL(boxes[0]->reg.token, b->token);
	CU_ASSERT_STRING_NOT_EQUAL(b->token, old);
	CU_ASSERT_EQUAL(b->tune, 2);
	CU_ASSERT_EQUAL(b->tune_ch, 1);
	if (need_tuner(boxes[0], "the tuner after a kick")) {
		CU_ASSERT_EQUAL(boxes[0]->t->ch.id, 1);
		/* Same id: the picture goes on (no leave and join). */
		CU_ASSERT_PTR_EQUAL(boxes[0]->t, t0);
	}
	advance(&f, 2 * HB_MS * SC_NS_PER_MS);
	CU_ASSERT_EQUAL(b->bad_token, 1);
	CU_ASSERT(b->hb >= 2);
	boxes_free();
	fake_down(&f);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "registration, then heartbeats on the period", test_register_heartbeat },
		{ "outage: doubling backoff, state kept, heartbeats resume", test_outage },
		{ "server down at start: registration retried", test_down_at_start },
		{ "a group change in a heartbeat answer is applied", test_group_change },
		{ "tune and zap through the control API", test_tune_zap },
		{ "kick: 401 to the token, the box registers again", test_kick },
		{ NULL, NULL },
	};
	netns_rc = tu_netns_private();
	if (netns_rc < 0)
		printf("no network namespace (%d): the box runs on lo, without a tuner\n", netns_rc);
	return tu_add_suite("stb", tests);
}
