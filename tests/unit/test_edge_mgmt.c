/* Unit tests of the edge's management client (edge_mgmt.c), in process:
 * edge_mgmt runs in the test's sc_loop on a fake clock against a fake
 * management server written here (an sc_httpd on [::1], same loop) that
 * answers POST /edges/register and /edges/{id}/load in the shapes of
 * mgmt-server/mg_api_edge.c, with certificates of a test CA (tu_ident.h),
 * and counts the requests with the fake time each came at. The edge's
 * ops callbacks record what it was told (RET keys, its id); its identity
 * is an edge_ident of the server's CA.
 *
 * Time moves only by sc_clock_fake_advance(), in steps of STEP_NS. After
 * each step the loop is pumped (tu_net.h, real-time deadline) until no
 * request of the edge is in flight, so an answer is always taken at the
 * fake time its request was sent and gaps between requests are exact.
 * Knowing "in flight" needs no seam in edge_mgmt: the link wraps
 * sc_httpc_request (-Wl,--wrap, mcast-server/local.mk) to count requests
 * until their callback has returned. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edge_ident.h"
#include "edge_mgmt.h"
#include "rtx.h"
#include "sc_httpc.h"
#include "sc_httpd.h"
#include "tu.h"
#include "tu_ident.h"
#include "tu_net.h"

#define STEP_NS SC_NS_PER_MS
#define REPORT_MS 2000
#define REPORT_NS ((uint64_t)REPORT_MS * SC_NS_PER_MS)
#define EDGE_ID 7u
#define EDGE_WIRE (RTX_EDGE_ID_FLAG | EDGE_ID)
#define CHAN_A 11u
#define CHAN_B 12u
#define BOX_ID 4242u
#define MAX_AT 64
#define MAX_KEYS 32
#define CREDENTIAL "edge-secret-of-the-test"

/* ---- counting sc_httpc requests until their callback returned ---- */

int64_t __real_sc_httpc_request(sc_httpc *h, const char *method, const char *url, const char *token,
				const char *json, unsigned timeout_ms, sc_httpc_done done, void *arg);
int64_t __wrap_sc_httpc_request(sc_httpc *h, const char *method, const char *url, const char *token,
				const char *json, unsigned timeout_ms, sc_httpc_done done, void *arg);

struct slot {
	bool used;
	sc_httpc_done done;
	void *arg;
};
static struct slot slots[8];
static unsigned inflight;

static void wrapped_done(void *arg, int status, const char *body, size_t len, const char *err)
{
	struct slot *s = arg;

	s->used = false;
	s->done(s->arg, status, body, len, err);
	inflight--;
}

int64_t __wrap_sc_httpc_request(sc_httpc *h, const char *method, const char *url, const char *token,
				const char *json, unsigned timeout_ms, sc_httpc_done done, void *arg)
{
	struct slot *s = NULL;
	int64_t id;

	for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]) && !s; i++)
		if (!slots[i].used)
			s = &slots[i];
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	*s = (struct slot){ true, done, arg };
	id = __real_sc_httpc_request(h, method, url, token, json, timeout_ms, wrapped_done, s);
	if (id < 0)
		s->used = false;
	else
		inflight++;
	return id;
}

/* ---- the fake management server ---- */

struct fake {
	sc_clock *clk;
	sc_loop *loop;
	sc_httpd *h;
	unsigned port;
	struct tu_pki pki;
	int status;              /* not 0: every request gets it */
	int load_status_once;    /* not 0: the next load report gets it */
	int64_t lineup;          /* lineup_version of the answers */
	bool reload_in_reg;      /* a reload while the next registration is in flight */
	char token[64];          /* "": the server forgot the edge */
	unsigned reg, load, bad_token, n_fail;
	uint64_t reg_at[MAX_AT], load_at[MAX_AT], fail_at[MAX_AT];
	uint8_t pub[RTX_PUB_BYTES];  /* the key last certified */
	uint8_t cert[RTX_CERT_BYTES];/* the certificate last issued */
	unsigned certs;              /* certificates issued */
	uint32_t revoked_id;         /* 0: no revocation in force */
	uint64_t revoked_before_ms;
	bool body_ok;                /* every request body had what it must */
};

/* What the edge told the test through its ops. */
struct seen {
	unsigned channels, loads, registered, keys;
	uint32_t edge_id;
	uint32_t key_chan[MAX_KEYS];
	uint8_t key[MAX_KEYS][32];
	unsigned warnings, notices;
	char last_warning[512], last_notice[512];
};

static struct fake F;
static struct seen S;
static edge_ident *ident;
static edge_mgmt *mgmt;

/* Count a request in *n and note its time. */
static void note(uint64_t *at, unsigned *n, uint64_t t)
{
	if (*n < MAX_AT)
		at[*n] = t;
	(*n)++;
}

static json_t *hex(const uint8_t *b, size_t n)
{
	char buf[2 * RTX_CERT_BYTES + 1];

	rtx_hex(b, n, buf);
	return json_string(buf);
}

/* The RET key of channel ch given by registration number reg. */
static void chan_key(unsigned reg, uint32_t ch, uint8_t key[32])
{
	memset(key, (int)(0x40 + 4 * reg + ch), 32);
}

static void answer(struct sc_http_resp *resp, int status, json_t *j)
{
	char *text = json_dumps(j, JSON_COMPACT);

	json_decref(j);
	sc_httpd_printf(resp, status, "application/json", "%s", text ? text : "{}");
	free(text);
}

/* The key the edge presents: certified (a new one) unless already. */
static bool certify(struct fake *f, json_t *body)
{
	const char *p = json_string_value(json_object_get(body, "pubkey"));
	uint8_t pub[RTX_PUB_BYTES];

	if (!p || rtx_unhex(p, pub, sizeof(pub)) < 0) {
		f->body_ok = false;
		return false;
	}
	if (f->certs && memcmp(pub, f->pub, sizeof(pub)) == 0)
		return false;
	memcpy(f->pub, pub, sizeof(pub));
	tu_pki_issue(&f->pki, EDGE_WIRE, pub, f->cert);
	f->certs++;
	return true;
}

static json_t *edge_channel(unsigned reg, uint32_t ch)
{
	uint8_t key[32];

	chan_key(reg, ch, key);
	return json_pack("{s:I, s:s, s:o, s:b, s:s, s:n, s:i}", "id", (json_int_t)ch, "name",
			 ch == CHAN_A ? "One" : "Two", "ret_key", hex(key, sizeof(key)), "enabled", 1, "group6",
			 ch == CHAN_A ? "ff3e::8000:11" : "ff3e::8000:12", "group4", "port", 5000 + (int)ch);
}

/* mg_h_edge_register's answer: edge_id, token, channels with RET keys,
 * unknown_channels, report_ms, lineup_version, then cert, ca and
 * cert_lifetime_ms. */
static void on_register(struct fake *f, json_t *b, struct sc_http_resp *resp)
{
	const char *cred = json_string_value(json_object_get(b, "credential"));
	json_t *chans = json_object_get(b, "channels");

	note(f->reg_at, &f->reg, sc_clock_now_ns(f->clk));
	if (!cred || strcmp(cred, CREDENTIAL) || json_array_size(chans) != 2 ||
	    !json_is_array(json_object_get(b, "addrs")) || !json_is_array(json_object_get(b, "ret_addrs")))
		f->body_ok = false;
	certify(f, b);
	if (f->reload_in_reg) { /* the operator's SIGHUP, while this is answered */
		f->reload_in_reg = false;
		edge_mgmt_reregister(mgmt);
	}
	snprintf(f->token, sizeof(f->token), "e%u.%032x", EDGE_ID, f->reg);
	answer(resp, 200, json_pack("{s:I, s:s, s:[o, o], s:[], s:i, s:I, s:o, s:o, s:I}", "edge_id",
				    (json_int_t)EDGE_ID, "token", f->token, "channels", edge_channel(f->reg, CHAN_A),
				    edge_channel(f->reg, CHAN_B), "unknown_channels", "report_ms", REPORT_MS,
				    "lineup_version", (json_int_t)f->lineup, "cert", hex(f->cert, sizeof(f->cert)),
				    "ca", hex(f->pki.ca_pub, sizeof(f->pki.ca_pub)), "cert_lifetime_ms",
				    (json_int_t)f->pki.lifetime_ms));
}

/* load_answer(): report_ms, lineup_version, a certificate when one was
 * issued for a new key, and always the revocations in force. */
static void on_load(struct fake *f, json_t *b, struct sc_http_resp *resp)
{
	json_t *a;

	note(f->load_at, &f->load, sc_clock_now_ns(f->clk));
	if (!json_is_integer(json_object_get(b, "viewers")))
		f->body_ok = false;
	a = json_pack("{s:i, s:I, s:[]}", "report_ms", REPORT_MS, "lineup_version", (json_int_t)f->lineup,
		      "revoked");
	if (certify(f, b))
		json_object_set_new(a, "cert", hex(f->cert, sizeof(f->cert)));
	if (f->revoked_id)
		json_array_append_new(json_object_get(a, "revoked"),
				      json_pack("{s:I, s:I}", "id", (json_int_t)f->revoked_id, "before_ms",
						(json_int_t)f->revoked_before_ms));
	answer(resp, 200, a);
}

static void handler(void *arg, const struct sc_http_req *req, struct sc_http_resp *resp)
{
	struct fake *f = arg;
	json_t *b = json_loads(req->body_len ? req->body : "{}", 0, NULL);
	const char *auth = sc_httpd_header(req, "Authorization");
	char want[96], path[64];

	snprintf(want, sizeof(want), "Bearer %s", f->token);
	snprintf(path, sizeof(path), "/api/v1/edges/%u/load", EDGE_ID);
	if (f->status || (f->load_status_once && strcmp(req->url, path) == 0)) {
		note(f->fail_at, &f->n_fail, sc_clock_now_ns(f->clk));
		answer(resp, f->status ? f->status : f->load_status_once,
		       json_pack("{s:s}", "error", "the server is shutting down"));
		f->load_status_once = 0;
	} else if (strcmp(req->method, "POST") == 0 && strcmp(req->url, "/api/v1/edges/register") == 0) {
		on_register(f, b, resp);
	} else if (strcmp(req->method, "POST") == 0 && strcmp(req->url, path) == 0 && f->token[0] && auth &&
		   strcmp(auth, want) == 0) {
		on_load(f, b, resp);
	} else if (strncmp(req->url, "/api/v1/edges/", 14) == 0) {
		f->bad_token++; /* what mg_api's allowed() answers without a known token */
		answer(resp, 401, json_pack("{s:s}", "error", "a valid token is required (Authorization: Bearer ...)"));
	} else {
		answer(resp, 404, json_pack("{s:s}", "error", "no such endpoint"));
	}
	json_decref(b);
}

/* ---- the edge's side ---- */

static void log_fn(void *ctx, int level, const char *msg)
{
	struct seen *s = ctx;

	if (getenv("EDGE_MGMT_TEST_LOG"))
		fprintf(stderr, "<%d> %s\n", level, msg);
	if (level == LOG_WARNING) {
		s->warnings++;
		snprintf(s->last_warning, sizeof(s->last_warning), "%s", msg);
	} else if (level == LOG_NOTICE) {
		s->notices++;
		snprintf(s->last_notice, sizeof(s->last_notice), "%s", msg);
	}
}

static const struct sc_logger lg = { log_fn, &S, LOG_DEBUG };

static json_t *op_channels(void *arg)
{
	struct seen *s = arg;

	s->channels++;
	return json_pack("[{s:I}, {s:I}]", "id", (json_int_t)CHAN_A, "id", (json_int_t)CHAN_B);
}

static json_t *op_load(void *arg)
{
	struct seen *s = arg;

	s->loads++;
	return json_pack("{s:i}", "viewers", 3);
}

static void op_ret_key(void *arg, uint32_t chan_id, const uint8_t key[32])
{
	struct seen *s = arg;

	if (s->keys < MAX_KEYS) {
		s->key_chan[s->keys] = chan_id;
		memcpy(s->key[s->keys], key, 32);
	}
	s->keys++;
}

static void op_registered(void *arg, uint32_t edge_id)
{
	struct seen *s = arg;

	s->registered++;
	s->edge_id = edge_id;
}

static bool idle(void *arg)
{
	(void)arg;
	return inflight == 0;
}

/* Run what is due now until no request of the edge is in flight. */
static void settle(void)
{
	do {
		CU_ASSERT_FATAL(tu_pump_until(F.loop, idle, NULL));
		sc_loop_run_once(F.loop, 0);
	} while (!idle(NULL));
}

static void advance(uint64_t ns)
{
	settle();
	for (uint64_t t = 0; t < ns; t += STEP_NS) {
		sc_clock_fake_advance(F.clk, STEP_NS);
		settle();
	}
}

/* Advance until *count reaches want, at most max_ns. */
static void advance_until(const unsigned *count, unsigned want, uint64_t max_ns)
{
	settle();
	for (uint64_t t = 0; *count < want && t < max_ns; t += STEP_NS) {
		sc_clock_fake_advance(F.clk, STEP_NS);
		settle();
	}
	CU_ASSERT_EQUAL_FATAL(*count, want);
}

static uint64_t now(void)
{
	return sc_clock_now_ns(F.clk);
}

static uint64_t pki_now(void *ctx)
{
	return sc_clock_wall_ns(ctx);
}

/* The fake, the edge's identity and edge_mgmt, registering at once. */
static void up(uint64_t lifetime_ms)
{
	struct sc_sockaddr a;
	struct edge_mgmt_cfg cfg = { .credential = CREDENTIAL, .name = "edge-7", .report_ns = 30 * SC_NS_PER_S };
	struct edge_mgmt_ops ops = { &S, op_channels, op_load, op_ret_key, op_registered };
	char url[64];

	memset(&F, 0, sizeof(F));
	memset(&S, 0, sizeof(S));
	memset(slots, 0, sizeof(slots));
	inflight = 0;
	F.body_ok = true;
	F.lineup = 1;
	F.clk = sc_clock_fake_new(100 * SC_NS_PER_S);
	F.loop = sc_loop_new(F.clk);
	CU_ASSERT_PTR_NOT_NULL_FATAL(F.loop);
	CU_ASSERT_EQUAL_FATAL(tu_pki_init(&F.pki, pki_now, F.clk), 0);
	F.pki.wall0_ms = 0; /* the edge's date: the fake clock's */
	if (lifetime_ms)
		F.pki.lifetime_ms = lifetime_ms;
	sc_addr_parse("[::1]:0", 0, &a);
	CU_ASSERT_EQUAL_FATAL(sc_httpd_new(F.loop, &a, 65536, NULL, handler, &F, NULL, &F.h), 0);
	F.port = sc_httpd_port(F.h);
	CU_ASSERT_EQUAL_FATAL(edge_ident_new(F.loop, NULL, 0, &lg, &ident), 0);
	snprintf(url, sizeof(url), "http://[::1]:%u/", F.port);
	cfg.url = url;
	cfg.addrs = json_pack("[s]", "2001:db8::7");
	cfg.ret_addrs = json_pack("[s]", "[2001:db8::7]:5200");
	cfg.ident = ident;
	CU_ASSERT_EQUAL_FATAL(edge_mgmt_new(F.loop, &cfg, &ops, &lg, &mgmt), 0);
	json_decref(cfg.addrs);
	json_decref(cfg.ret_addrs);
}

static void down(void)
{
	edge_mgmt_free(mgmt);
	edge_ident_free(ident);
	mgmt = NULL;
	ident = NULL;
	sc_httpd_free(F.h);
	sc_loop_free(F.loop);
	sc_clock_free(F.clk);
}

/* Registered at once (fake time t0) with the fake's first answer. */
static uint64_t registered(void)
{
	uint64_t t0 = now();

	settle();
	CU_ASSERT_EQUAL_FATAL(F.reg, 1);
	CU_ASSERT_EQUAL(F.reg_at[0], t0);
	CU_ASSERT_EQUAL_FATAL(S.registered, 1);
	CU_ASSERT_EQUAL(edge_mgmt_id(mgmt), EDGE_ID);
	CU_ASSERT(edge_mgmt_up(mgmt));
	return t0;
}

/* The last two keys the ops got are registration reg's, for A and B. */
static void check_keys(unsigned reg)
{
	uint8_t want[32];

	CU_ASSERT_FATAL(S.keys >= 2 && S.keys <= MAX_KEYS);
	CU_ASSERT_EQUAL(S.key_chan[S.keys - 2], CHAN_A);
	CU_ASSERT_EQUAL(S.key_chan[S.keys - 1], CHAN_B);
	chan_key(reg, CHAN_A, want);
	CU_ASSERT_EQUAL(memcmp(S.key[S.keys - 2], want, 32), 0);
	chan_key(reg, CHAN_B, want);
	CU_ASSERT_EQUAL(memcmp(S.key[S.keys - 1], want, 32), 0);
}

/* ---- the tests ---- */

/* Proves: edge_mgmt registers at once with its name, credential, channels
 * and key; the answer's edge id and RET keys reach the ops; load reports
 * then come exactly every report_ms of the answer (not the configured
 * 30 s), with the token, and nothing else is sent. */
static void test_register_and_report(void)
{
	uint64_t t0;

	up(0);
	t0 = registered();
	CU_ASSERT_EQUAL(S.edge_id, EDGE_ID);
	CU_ASSERT_EQUAL(S.channels, 1);
	CU_ASSERT_EQUAL(S.keys, 2);
	check_keys(1);
	advance(REPORT_NS - STEP_NS);
	CU_ASSERT_EQUAL(F.load, 0);
	advance_until(&F.load, 5, 5 * REPORT_NS);
	for (unsigned i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(F.load_at[i], t0 + (i + 1) * REPORT_NS);
	CU_ASSERT_EQUAL(S.loads, 5);
	CU_ASSERT_EQUAL(F.reg, 1);
	CU_ASSERT_EQUAL(F.bad_token, 0);
	CU_ASSERT_EQUAL(F.n_fail, 0);
	CU_ASSERT_EQUAL(S.keys, 2);
	CU_ASSERT_EQUAL(S.warnings, 0);
	CU_ASSERT(F.body_ok);
	CU_ASSERT(edge_mgmt_up(mgmt));
	down();
}

/* The edge's installed certificate is the fake's last one. */
static void check_cert(void)
{
	char cert_hex[2 * RTX_CERT_BYTES + 1], ca_hex[2 * RTX_CA_PUB_BYTES + 1], want[2 * RTX_CERT_BYTES + 1];
	uint32_t id = 0;

	CU_ASSERT_FATAL(edge_ident_describe(ident, &id, cert_hex, ca_hex));
	CU_ASSERT_EQUAL(id, EDGE_WIRE);
	rtx_hex(F.cert, sizeof(F.cert), want);
	CU_ASSERT_STRING_EQUAL(cert_hex, want);
	CU_ASSERT_STRING_EQUAL(ca_hex, ""); /* the server's CA, not one of our own */
	CU_ASSERT(rtx_ident_ready(edge_ident_get(ident)));
}

/* Proves: the registration's certificate (and CA) are installed; when
 * half its life is spent the edge presents a new key in a load report and
 * installs the certificate of the answer; a revocation in a load answer
 * is applied: the revoked box's certificate is forgotten and refused. */
static void test_cert_and_revocation(void)
{
	uint8_t pub[RTX_PUB_BYTES], box[RTX_CERT_BYTES], got[RTX_CERT_BYTES];
	rtx_ident *id;
	unsigned loads;

	up(60000);
	registered();
	CU_ASSERT_EQUAL(F.certs, 1);
	check_cert();
	/* half of 60 s: a new key in a report, certified in its answer */
	advance_until(&F.certs, 2, 40 * SC_NS_PER_S);
	settle();
	check_cert();
	CU_ASSERT_EQUAL(F.reg, 1);
	id = edge_ident_get(ident);
	memset(pub, 0x33, sizeof(pub));
	tu_pki_issue(&F.pki, BOX_ID, pub, box);
	CU_ASSERT_EQUAL(rtx_ident_learn(id, box, sizeof(box)), 0);
	CU_ASSERT_EQUAL(rtx_ident_peer_cert(id, BOX_ID, got), 0);
	advance(STEP_NS);
	F.revoked_id = BOX_ID;
	F.revoked_before_ms = sc_clock_wall_ns(F.clk) / SC_NS_PER_MS;
	loads = F.load;
	advance_until(&F.load, loads + 1, REPORT_NS);
	CU_ASSERT_EQUAL(rtx_ident_peer_cert(id, BOX_ID, got), -ENOKEY);
	CU_ASSERT_EQUAL(rtx_ident_learn(id, box, sizeof(box)), -EKEYREVOKED);
	check_cert(); /* our own certificate stays */
	CU_ASSERT(F.body_ok);
	down();
}

/* The step of the i-th retry (0: the first failure): 1 s doubling, 30 s cap. */
static uint64_t step_of(unsigned i)
{
	uint64_t s = SC_NS_PER_S << (i < 5 ? i : 5);

	return s > 30 * SC_NS_PER_S ? 30 * SC_NS_PER_S : s;
}

/* F.n_fail failures so far: each gap in the upper half of its step.
 * Returns how many gaps were exactly their step. */
static unsigned check_gaps(unsigned from, unsigned n, uint64_t *frac_min, uint64_t *frac_max)
{
	unsigned at_step = 0;

	for (unsigned i = 0; i + 1 < n; i++) {
		uint64_t gap = F.fail_at[from + i + 1] - F.fail_at[from + i], st = step_of(i);
		uint64_t frac = (gap - st / 2) * 1000 / (st / 2); /* where in the upper half, per mille */

		CU_ASSERT(gap >= st / 2 && gap <= st);
		at_step += gap == st;
		*frac_min = frac < *frac_min ? frac : *frac_min;
		*frac_max = frac > *frac_max ? frac : *frac_max;
	}
	return at_step;
}

/* Proves: while the server answers 503 the edge retries its load report
 * (no registration) after delays in the upper half of steps doubling from
 * 1 s to 30 s, at random places in them (jitter: neither the plain step
 * nor one fixed fraction), logs one warning, keeps its id, keys and
 * certificate; once the server is back a retry succeeds, "back" is
 * logged, reports follow every report_ms again and the backoff restarts
 * from 1 s at the next outage. */
static void test_outage_backoff(void)
{
	uint64_t fmin = UINT64_MAX, fmax = 0, t;
	unsigned loads, keys;

	up(0);
	registered();
	advance_until(&F.load, 1, REPORT_NS);
	keys = S.keys;
	F.status = 503;
	advance_until(&F.n_fail, 9, 200 * SC_NS_PER_S);
	CU_ASSERT_EQUAL(F.fail_at[0], F.load_at[0] + REPORT_NS); /* the next report is the first failure */
	CU_ASSERT(check_gaps(0, 9, &fmin, &fmax) < 8);
	CU_ASSERT(fmin < fmax);
	CU_ASSERT_EQUAL(S.warnings, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(S.last_warning, "retrying in"));
	CU_ASSERT_FALSE(edge_mgmt_up(mgmt));
	CU_ASSERT_EQUAL(edge_mgmt_id(mgmt), EDGE_ID);
	CU_ASSERT_EQUAL(F.reg, 1);
	CU_ASSERT_EQUAL(S.keys, keys);
	CU_ASSERT_EQUAL(S.loads, 1 + 9); /* each retry is a load report */
	check_cert();
	F.status = 0;
	loads = F.load;
	advance_until(&F.load, loads + 1, 31 * SC_NS_PER_S);
	t = F.load_at[loads];
	CU_ASSERT(t - F.fail_at[8] >= step_of(8) / 2 && t - F.fail_at[8] <= step_of(8));
	CU_ASSERT(edge_mgmt_up(mgmt));
	CU_ASSERT_PTR_NOT_NULL(strstr(S.last_notice, "is back"));
	advance_until(&F.load, loads + 3, 2 * REPORT_NS);
	CU_ASSERT_EQUAL(F.load_at[loads + 1], t + REPORT_NS);
	CU_ASSERT_EQUAL(F.load_at[loads + 2], t + 2 * REPORT_NS);
	/* a second outage starts again from the first step */
	F.status = 503;
	advance_until(&F.n_fail, 11, REPORT_NS + 2 * SC_NS_PER_S);
	CU_ASSERT(F.fail_at[10] - F.fail_at[9] >= step_of(0) / 2 && F.fail_at[10] - F.fail_at[9] <= step_of(0));
	CU_ASSERT_EQUAL(S.warnings, 2);
	CU_ASSERT_EQUAL(F.reg, 1);
	down();
}

/* Proves: a load answer with a new lineup_version makes the edge register
 * again at once, take the new keys, and report every report_ms from
 * then; the same version again changes nothing. */
static void test_lineup_change(void)
{
	uint64_t t;

	up(0);
	registered();
	advance_until(&F.load, 2, 2 * REPORT_NS);
	CU_ASSERT_EQUAL(F.reg, 1);
	F.lineup = 2;
	advance_until(&F.load, 3, REPORT_NS);
	settle();
	t = F.load_at[2];
	CU_ASSERT_EQUAL_FATAL(F.reg, 2);
	CU_ASSERT_EQUAL(F.reg_at[1], t);
	CU_ASSERT_EQUAL(S.registered, 2);
	CU_ASSERT_EQUAL(S.channels, 2);
	CU_ASSERT_EQUAL(S.keys, 4);
	check_keys(2);
	advance_until(&F.load, 6, 3 * REPORT_NS);
	for (unsigned i = 3; i < 6; i++)
		CU_ASSERT_EQUAL(F.load_at[i], t + (i - 2) * REPORT_NS);
	CU_ASSERT_EQUAL(F.reg, 2);
	CU_ASSERT_EQUAL(F.bad_token, 0);
	CU_ASSERT_EQUAL(S.warnings, 0);
	down();
}

/* Proves: a line-up change between the registration and the first load
 * report is not missed (the registration's answer sets the baseline), and
 * a reload while a registration is in flight registers again once it is
 * answered (its channels were read before the reload). */
static void test_lineup_races(void)
{
	up(0);
	F.lineup = 5;
	registered();
	F.lineup = 6;
	advance_until(&F.reg, 2, 2 * REPORT_NS);
	CU_ASSERT_EQUAL(F.load, 1);
	CU_ASSERT_EQUAL(F.reg_at[1], F.load_at[0]);
	advance_until(&F.load, 3, 2 * REPORT_NS);
	CU_ASSERT_EQUAL(F.reg, 2);
	F.reload_in_reg = true;
	edge_mgmt_reregister(mgmt);
	advance_until(&F.reg, 4, REPORT_NS);
	settle();
	CU_ASSERT_EQUAL(F.reg_at[3], F.reg_at[2]);
	CU_ASSERT_EQUAL(S.registered, 4);
	CU_ASSERT_EQUAL(S.warnings, 0);
	down();
}

/* After a report answered with status, the edge registered again at
 * once, with no warning, and reports with the new token. */
static void check_reregistered(int status, unsigned reg)
{
	unsigned loads = F.load;
	uint64_t t;

	advance_until(&F.reg, reg, REPORT_NS);
	settle();
	t = F.reg_at[reg - 1];
	CU_ASSERT_EQUAL(t, status == 401 ? F.load_at[loads - 1] + REPORT_NS : F.fail_at[F.n_fail - 1]);
	CU_ASSERT_EQUAL(S.registered, reg);
	check_keys(reg);
	CU_ASSERT(edge_mgmt_up(mgmt));
	advance_until(&F.load, loads + 1, REPORT_NS);
	CU_ASSERT_EQUAL(F.load_at[loads], t + REPORT_NS);
	CU_ASSERT_EQUAL(S.warnings, 0);
}

/* Proves: a load report answered 401 (the server forgot the edge: its
 * token is unknown), 403 or 404 makes the edge register again at once,
 * without backoff or warning, and report with the new token every
 * report_ms after. */
static void test_forgotten(void)
{
	up(0);
	registered();
	advance_until(&F.load, 1, REPORT_NS);
	F.token[0] = '\0'; /* a fresh store */
	check_reregistered(401, 2);
	CU_ASSERT_EQUAL(F.bad_token, 1);
	F.load_status_once = 404;
	check_reregistered(404, 3);
	F.load_status_once = 403;
	check_reregistered(403, 4);
	CU_ASSERT_EQUAL(F.bad_token, 1);
	CU_ASSERT(F.body_ok);
	down();
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "register, then reports on the period", test_register_and_report },
		{ "certificate installed, renewed; revocation applied", test_cert_and_revocation },
		{ "outage: backoff with jitter, one log, resume", test_outage_backoff },
		{ "new lineup_version: register again", test_lineup_change },
		{ "line-up change before the first report; reload during a registration", test_lineup_races },
		{ "401/403/404 to a report: register again", test_forgotten },
		{ NULL, NULL },
	};
	return tu_add_suite("edge_mgmt", tests);
}
