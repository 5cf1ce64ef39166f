/* tu_stb: the set-top box tests' fixture (tu_stb.h): the fake management
 * server, the boxes' configuration, the pump on the fake clock and the
 * control API client. */
#include "config.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mld_netns.h"
#include "sc_bytes.h"
#include "tu.h"
#include "tu_net.h"
#include "tu_stb.h"

int tu_stb_netns = -1;
stb *tu_boxes[TU_MAX_BOXES];

static uint64_t pki_now(void *ctx)
{
	return sc_clock_wall_ns(ctx);
}

static void note(uint64_t *at, size_t *n, uint64_t t)
{
	if (*n < TU_MAX_TIMES)
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
			 "port", 5000 + (int)id, "group6", g6, "source6", TU_CHAN_SRC6, "group4", g4, "source4",
			 "10.77.0.9");
}

/* The group the fake hands out: members 101.. with certificates of the
 * test CA (any 32 bytes are an X25519 public key), the first n_real
 * those of the test's sockets. */
static json_t *group_json(struct tu_fake *f)
{
	json_t *m = json_array();
	uint8_t key[32], pub[RTX_PUB_BYTES], cert[RTX_CERT_BYTES];

	memset(key, TU_GROUP_KEY, sizeof(key));
	for (unsigned i = 0; i < f->n_members; i++) {
		char a[64];

		memset(pub, (int)(0x10 + f->group_version + i), sizeof(pub));
		tu_pki_issue(&f->pki, 101 + i, pub, cert);
		snprintf(a, sizeof(a), "[2001:db8:7::%x]:5100", 0x20 + i);
		if (i < f->n_real) {
			memcpy(cert, f->real_cert[i], sizeof(cert));
			snprintf(a, sizeof(a), "%s", f->real_addr[i]);
		}
		json_array_append_new(m, json_pack("{s:I, s:i, s:[s], s:o}", "client_id", (json_int_t)(101 + i),
						   "metro_id", 1, "addrs", a, "cert", hex(cert, sizeof(cert))));
	}
	return json_pack("{s:I, s:I, s:o, s:o}", "id", (json_int_t)f->group_id, "version",
			 (json_int_t)f->group_version, "key", hex(key, sizeof(key)), "members", m);
}

/* "ret" and "burst" of a tune answer: the edge of f->ret (the RET domain
 * is the channel), or null. */
static void ret_json(struct tu_fake *f, uint32_t ch, json_t *a)
{
	json_t *srv;

	if (!f->ret.on) {
		json_object_set_new(a, "ret", json_null());
		return;
	}
	srv = json_pack("[{s:I, s:[s], s:o}]", "id", (json_int_t)f->ret.id, "addrs", f->ret.addr, "cert",
			hex(f->ret.cert, sizeof(f->ret.cert)));
	json_object_set_new(a, "ret", json_pack("{s:I, s:o, s:[s], s:O}", "domain_id", (json_int_t)ch, "key",
						hex(f->ret.key, sizeof(f->ret.key)), "addrs", f->ret.addr,
						"servers", srv));
	if (f->ret.burst)
		json_object_set_new(a, "burst", json_pack("{s:[s], s:O}", "addrs", f->ret.addr, "servers", srv));
	json_decref(srv);
}

static json_t *tune_json(struct tu_fake *f, uint32_t ch)
{
	json_t *a = json_pack("{s:o, s:o, s:i, s:i}", "channel", channel_json(ch), "group", group_json(f),
			      "heartbeat_ms", TU_HB_MS, "lineup_version", 1);

	ret_json(f, ch, a);
	return a;
}

static void answer(struct sc_http_resp *resp, int status, json_t *j)
{
	char *text = json_dumps(j, JSON_COMPACT);

	json_decref(j);
	sc_httpd_printf(resp, status, "application/json", "%s", text ? text : "{}");
	free(text);
}

static void on_register(struct tu_fake *f, json_t *b, struct sc_http_resp *resp)
{
	const char *dev = json_string_value(json_object_get(b, "device_id"));
	const char *pubhex = json_string_value(json_object_get(b, "pubkey"));
	unsigned i = dev && strcmp(dev, "stb-2") == 0 ? 1 : 0;
	uint8_t pub[RTX_PUB_BYTES], cert[RTX_CERT_BYTES];
	struct tu_seen *s = &f->box[i];

	s->reg++;
	if (!pubhex || rtx_unhex(pubhex, pub, sizeof(pub)) < 0) {
		answer(resp, 400, json_pack("{s:s}", "error", "pubkey"));
		return;
	}
	tu_pki_issue(&f->pki, TU_ID0 + i, pub, cert);
	/* Registering again gives a new token and voids the old one. */
	snprintf(s->token, sizeof(s->token), "c%u.%064x", TU_ID0 + i, s->reg);
	answer(resp, 200, json_pack("{s:I, s:s, s:s, s:i, s:i, s:i, s:o, s:o}", "client_id", (json_int_t)(TU_ID0 + i),
				    "token", s->token, "metro", "metro-a", "metro_id", 1, "heartbeat_ms", TU_HB_MS,
				    "lineup_version", 1, "cert", hex(cert, sizeof(cert)), "ca",
				    hex(f->pki.ca_pub, sizeof(f->pki.ca_pub))));
}

static void on_heartbeat(struct tu_fake *f, struct tu_seen *s, json_t *b, struct sc_http_resp *resp)
{
	json_t *a = json_pack("{s:i, s:i, s:I, s:[]}", "heartbeat_ms", TU_HB_MS, "lineup_version", 1, "channel_id",
			      (json_int_t)s->tune_ch, "revoked");
	const char *mode = json_string_value(json_object_get(b, "mode"));

	s->hb++;
	snprintf(s->hb_mode, sizeof(s->hb_mode), "%s", mode ? mode : "");
	s->hb_mesh += mode && strcmp(mode, "mesh") == 0;
	s->hb_group_version = (uint32_t)json_integer_value(json_object_get(b, "group_version"));
	note(s->hb_at, &s->n_hb_at, sc_clock_now_ns(f->clk));
	if (f->group_pending && s->hb_group_version != f->group_version)
		json_object_set_new(a, "group", group_json(f));
	answer(resp, 200, a);
}

/* /clients/{id}/{what}, with the box's token. */
static void on_client(struct tu_fake *f, const struct sc_http_req *req, json_t *b, struct sc_http_resp *resp)
{
	unsigned id = 0;
	char what[32] = "", want[128];
	const char *auth = sc_httpd_header(req, "Authorization");
	struct tu_seen *s;

	if (sscanf(req->url, "/api/v1/clients/%u/%31s", &id, what) != 2 || id < TU_ID0 || id >= TU_ID0 + TU_MAX_BOXES) {
		answer(resp, 404, json_pack("{s:s}", "error", "no such client"));
		return;
	}
	s = &f->box[id - TU_ID0];
	snprintf(want, sizeof(want), "Bearer %s", s->token);
	if (!s->token[0] || !auth || strcmp(auth, want)) {
		s->bad_token++;
		answer(resp, 401, json_pack("{s:s}", "error", "the token was revoked"));
	} else if (strcmp(what, "heartbeat") == 0) {
		on_heartbeat(f, s, b, resp);
	} else if (strcmp(what, "tune") == 0) {
		s->tune++;
		s->tune_ch = (uint32_t)json_integer_value(json_object_get(b, "channel_id"));
		answer(resp, 200, tune_json(f, s->tune_ch));
	} else if (strcmp(what, "leave") == 0) {
		s->leave++;
		answer(resp, 200, json_object());
	} else {
		answer(resp, 404, json_pack("{s:s}", "error", "no such endpoint"));
	}
}

/* The tracker (GET /channels/{id}/peers?client_id=): f->src as the
 * source, no other boxes. The query is not in req->url: every ask counts
 * for box 0. */
static void on_peers(struct tu_fake *f, uint32_t ch, struct sc_http_resp *resp)
{
	json_t *a = json_pack("{s:I, s:b, s:[], s:[]}", "channel_id", (json_int_t)ch, "direct", f->src.direct,
			      "near", "random");

	f->box[0].peers++;
	f->box[0].peers_ch = ch;
	if (f->src.on)
		json_object_set_new(a, "source", json_pack("{s:I, s:[s], s:o}", "id", (json_int_t)f->src.id, "addrs",
							   f->src.addr, "cert", hex(f->src.cert, sizeof(f->src.cert))));
	else
		json_object_set_new(a, "source", json_object());
	answer(resp, 200, a);
}

/* Which box a request is from, for the 503 log: -1 when unknown. */
static int box_of(const struct sc_http_req *req, json_t *b)
{
	unsigned id;
	const char *dev = json_string_value(json_object_get(b, "device_id"));

	if (dev)
		return strcmp(dev, "stb-2") == 0;
	if (sscanf(req->url, "/api/v1/clients/%u/", &id) == 1 && id >= TU_ID0 && id < TU_ID0 + TU_MAX_BOXES)
		return (int)(id - TU_ID0);
	return -1;
}

static void handler(void *arg, const struct sc_http_req *req, struct sc_http_resp *resp)
{
	struct tu_fake *f = arg;
	json_t *b = json_loads(req->body_len ? req->body : "{}", 0, NULL);
	int who = box_of(req, b);
	unsigned ch;
	char tail[8] = "";

	if (f->status) {
		if (who >= 0)
			note(f->box[who].fail_at, &f->box[who].n_fail_at, sc_clock_now_ns(f->clk));
		answer(resp, f->status, json_pack("{s:s}", "error", "the server is shutting down"));
	} else if (strcmp(req->url, "/api/v1/clients/register") == 0) {
		on_register(f, b, resp);
	} else if (strcmp(req->url, "/api/v1/channels") == 0) {
		for (int i = 0; i < TU_MAX_BOXES; i++)
			f->box[i].chans += who < 0; /* no token check: both boxes' count */
		answer(resp, 200, json_pack("[o, o]", channel_json(1), channel_json(2)));
	} else if (sscanf(req->url, "/api/v1/channels/%u/peer%7s", &ch, tail) == 2 && strcmp(tail, "s") == 0) {
		on_peers(f, ch, resp);
	} else {
		on_client(f, req, b, resp);
	}
	json_decref(b);
}

/* /proc/net/if_inet6: mldt0 has a link-local address, none tentative. */
static bool link_up_now(void)
{
	FILE *fp = fopen("/proc/net/if_inet6", "r");
	char addr[40], name[32];
	unsigned ifi, plen, scope, flags;
	bool ll = false, tentative = false;

	if (!fp)
		return false;
	while (fscanf(fp, "%39s %x %x %x %x %31s", addr, &ifi, &plen, &scope, &flags, name) == 6) {
		if (strcmp(name, "mldt0"))
			continue;
		ll |= scope == 0x20;
		tentative |= (flags & 0x40) != 0; /* IFA_F_TENTATIVE */
	}
	fclose(fp);
	return ll && !tentative;
}

bool tu_stb_link_ready(void)
{
	for (int i = 0; i < 2000; i++) {
		if (link_up_now())
			return true;
		poll(NULL, 0, 10); /* the kernel's linkwatch: no event to wait on here */
	}
	return false;
}

void tu_stb_enter_netns(void)
{
	tu_stb_netns = tu_netns_private();
	/* the veth comes up a little later (a loaded machine: seconds) */
	if (tu_stb_netns == 0 && !tu_stb_link_ready())
		printf("mldt0 is not up after 20 s\n");
	if (tu_stb_netns < 0)
		printf("no network namespace (%d): the box runs on lo, without a tuner\n", tu_stb_netns);
}

void tu_fake_up(struct tu_fake *f)
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

void tu_fake_down(struct tu_fake *f)
{
	sc_httpd_free(f->h);
	sc_loop_free(f->loop);
	sc_clock_free(f->clk);
}

/* The box's configuration, through the file parser, then what a test
 * needs: the fake's URL, ephemeral ports, no outputs, no mesh. */
static void box_cfg(const struct tu_fake *f, const char *device, struct stb_cfg *c)
{
	char path[] = "/tmp/sixcast-test-stb-XXXXXX";
	struct sc_cfg_err err;
	int fd = mkstemp(path);
	FILE *fp = fd >= 0 ? fdopen(fd, "w") : NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	fprintf(fp, "client: { device_id = \"%s\"; interface = \"%s\"; credential = \"q7Xv2LmN9pR4sT1wY6zA3bC8dEx\";"
		    " control = \"[::1]:8091\"; log_level = \"debug\"; };\n"
		    "mgmt: { url = \"http://[::1]:%u\"; retry_max_ms = %d; };\n"
		    "outputs: { http = \"\"; };\nmesh: { enabled = %s; };\n",
		device, tu_stb_netns == 0 ? "mldt0" : "lo", f->port, TU_RETRY_MAX_MS, f->mesh ? "true" : "false");
	fclose(fp);
	CU_ASSERT_EQUAL_FATAL(stb_cfg_load(path, c, &err), 0);
	unlink(path);
	c->repair_port = 0;
	sc_addr_parse("[::1]:0", 0, &c->control);
}

stb *tu_box_new(struct tu_fake *f, const char *device)
{
	struct stb_cfg c;
	stb *s = NULL;

	box_cfg(f, device, &c);
	CU_ASSERT_EQUAL_FATAL(stb_new(f->loop, &c, &s), 0);
	return s;
}

static bool idle(void *arg)
{
	(void)arg;
	for (int i = 0; i < TU_MAX_BOXES; i++)
		if (tu_boxes[i] && sc_httpc_pending(tu_boxes[i]->http))
			return false;
	return true;
}

bool tu_stb_pump(sc_loop *loop, bool (*cond)(void *arg), void *arg)
{
	for (int i = 0; i < TU_STB_PUMPS; i++)
		if (tu_pump_until(loop, cond, arg))
			return true;
	return false;
}

/* Run what is due now until no request of a box is in flight. */
void tu_settle(struct tu_fake *f)
{
	do {
		CU_ASSERT_FATAL(tu_stb_pump(f->loop, idle, NULL));
		sc_loop_run_once(f->loop, 0);
	} while (!idle(NULL));
}

void tu_advance(struct tu_fake *f, uint64_t ns)
{
	tu_settle(f);
	for (uint64_t t = 0; t < ns; t += TU_STEP_NS) {
		sc_clock_fake_advance(f->clk, TU_STEP_NS);
		tu_settle(f);
	}
}

void tu_boxes_free(void)
{
	for (int i = 0; i < TU_MAX_BOXES; i++) {
		stb_free(tu_boxes[i], 0);
		tu_boxes[i] = NULL;
	}
}

/* A control API request; the answer's body (after the head) in buf. */
const char *tu_api(struct tu_fake *f, stb *s, const char *method, const char *path, const char *body, char *buf,
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
	tu_settle(f);
	p = strstr(buf, "\r\n\r\n");
	return p ? p + 4 : "";
}

json_t *tu_status(struct tu_fake *f, stb *s)
{
	static char buf[16384];

	return json_loads(tu_api(f, s, "GET", "/api/status", "", buf, sizeof(buf)), 0, NULL);
}

bool tu_need_tuner(const stb *s, const char *what)
{
	if (s->t)
		return true;
	if (tu_stb_netns == 0) {
		CU_FAIL("the box has no tuner");
	} else {
		printf("\n  (no network namespace: %s not checked: lo cannot join) ", what);
	}
	return false;
}

/* Tune box 0 to channel ch through the control API. */
void tu_api_tune(struct tu_fake *f, uint32_t ch)
{
	char body[64], buf[4096];

	snprintf(body, sizeof(body), "{\"channel\": %u}", ch);
	CU_ASSERT_PTR_NOT_NULL(strstr(tu_api(f, tu_boxes[0], "POST", "/api/tune", body, buf, sizeof(buf)), "\"channel\""));
}

json_int_t tu_group_field(json_t *st, const char *k)
{
	return json_integer_value(json_object_get(json_object_get(st, "repair_group"), k));
}

json_t *tu_stats(struct tu_fake *f, stb *s)
{
	static char buf[65536];

	return json_loads(tu_api(f, s, "GET", "/api/stats", "", buf, sizeof(buf)), 0, NULL);
}

json_int_t tu_box_peers(struct tu_fake *f)
{
	json_t *j = tu_stats(f, tu_boxes[0]);
	json_int_t n = json_integer_value(json_object_get(json_object_get(j, "identity"), "peers"));

	json_decref(j);
	return n;
}
void tu_cert_of(const rtx_ident *ident, uint8_t out[RTX_CERT_BYTES])
{
	rtx_cert_encode(rtx_ident_cert(ident), out);
}

int tu_stb_ns_socket(uint16_t *port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6 };
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	inet_pton(AF_INET6, TU_CHAN_SRC6, &a.sin6_addr);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
	getsockname(fd, (struct sockaddr *)&a, &al);
	*port = ntohs(a.sin6_port);
	return fd;
}

int tu_stb_mcast_socket(void)
{
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_port = htons(TU_CHAN_PORT) };
	unsigned ifi = if_nametoindex("mldt0");
	int one = 1, hops = 1, fd;
	uint16_t port;

	fd = tu_stb_ns_socket(&port);
	inet_pton(AF_INET6, TU_CHAN_GROUP, &to.sin6_addr);
	setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifi, sizeof(ifi));
	setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &one, sizeof(one));
	setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops));
	CU_ASSERT_FATAL(connect(fd, (struct sockaddr *)&to, sizeof(to)) == 0);
	return fd;
}

void tu_stb_rtp(uint8_t *b, uint16_t seq, uint32_t ticks, uint32_t ssrc)
{
	memset(b, 0, TU_RTP_LEN);
	b[0] = 0x80;
	b[1] = 33;
	sc_put_be16(b + 2, seq);
	sc_put_be32(b + 4, (uint32_t)seq * ticks);
	sc_put_be32(b + 8, ssrc);
	for (int k = 0; k < TU_TS_PER_RTP; k++) {
		uint8_t *ts = b + 12 + 188 * k;

		ts[0] = 0x47;
		ts[1] = 0x01; /* PID 0x100 */
		ts[3] = (uint8_t)(0x10 | ((seq * TU_TS_PER_RTP + k) & 0x0f));
		ts[4] = (uint8_t)seq;
	}
}

bool tu_stb_box_got(void *arg)
{
	const uint64_t *want = arg;

	return tu_boxes[0]->t && tu_boxes[0]->t->rx_datagrams >= *want;
}
