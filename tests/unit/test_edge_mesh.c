/* Unit tests of the edge's mesh hosting node (ret.c) and its settings
 * (edge_cfg.c): on a fake clock, over real UDP sockets on ::1, a libscmesh
 * peer partners with the edge's node through the RET socket and plays what
 * the edge feeds it; RET datagrams still reach RET; the node waits for a
 * key and an identity and follows the edge id; edge.mesh and a channel's
 * mesh override load, and bad values name their line. The edge and the box
 * have member identities from a test CA (tests/unit/tu_ident.h), as the
 * daemons will once the management server hands them out. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "edge_cfg.h"
#include "edge_ident.h"
#include "mesh.h"
#include "ret.h"
#include "sc_rtp.h"
#include "tu.h"
#include "tu_ident.h"

#define CHAN 5
#define STEP_NS (10 * SC_NS_PER_MS)

static const uint8_t key[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };

struct box {
	int fd;
	struct sc_sockaddr edge;
	mesh_node *n;
	rtx_ident *ident;
	uint64_t delivered;
	sc_clock *clk;
};

static char logged[8192];

static void log_fn(void *ctx, int level, const char *msg)
{
	(void)ctx;
	(void)level;
	if (strlen(logged) + strlen(msg) + 2 < sizeof(logged)) {
		strcat(logged, msg);
		strcat(logged, "\n");
	}
}

/* A free UDP port on ::1 (bound and released: the test binds it next). */
static int udp_socket(struct sc_sockaddr *a)
{
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	memset(a, 0, sizeof(*a));
	a->u.in6.sin6_family = AF_INET6;
	a->u.in6.sin6_addr = in6addr_loopback;
	a->len = sizeof(a->u.in6);
	if (fd < 0 || bind(fd, &a->u.sa, a->len) < 0 || getsockname(fd, &a->u.sa, &a->len) < 0)
		return -1;
	return fd;
}

static uint64_t box_now(void *ctx)
{
	return sc_clock_now_ns(((struct box *)ctx)->clk);
}

/* The box knows one node, the edge: handle 1 (0 is no handle). */
static int box_send(void *ctx, uint64_t peer, const uint8_t *buf, size_t len)
{
	struct box *b = ctx;

	if (peer != 1)
		return -ENOENT;
	return sendto(b->fd, buf, len, 0, &b->edge.u.sa, b->edge.len) < 0 ? -errno : 0;
}

static void box_deliver(void *ctx, uint64_t seq, const uint8_t *rtp, size_t len)
{
	(void)seq;
	(void)rtp;
	(void)len;
	((struct box *)ctx)->delivered++;
}

static int box_handle_of(void *ctx, const struct mesh_addr *a, uint64_t *h)
{
	(void)ctx;
	(void)a;
	*h = 1;
	return 0;
}

static int box_addr_of(void *ctx, uint64_t h, struct mesh_addr *a)
{
	const struct box *b = ctx;

	if (h != 1)
		return -ENOENT;
	memset(a, 0, sizeof(*a));
	a->family = 6;
	memcpy(a->addr, b->edge.u.in6.sin6_addr.s6_addr, 16);
	a->port = sc_addr_port(&b->edge);
	return 0;
}

static struct tu_pki pki;
static rtx_ident *edge_rid, *bare_ident;

static uint64_t pki_now(void *ctx)
{
	return sc_clock_now_ns(ctx);
}

static uint64_t pki_wall(void *ctx)
{
	(void)ctx;
	return tu_pki_wall_ms(&pki);
}

/* The box learns the edge's certificate as from the tracker. */
static int box_new(struct box *b, sc_clock *clk, const struct sc_sockaddr *edge, uint32_t edge_id)
{
	struct mesh_callbacks cb = { .ctx = b, .now_ns = box_now, .send = box_send, .deliver = box_deliver,
				     .handle_of = box_handle_of, .addr_of = box_addr_of };
	struct mesh_peer_info edge_info = { .id = MESH_SOURCE_ID_FLAG | edge_id, .handle = 1 };
	uint8_t edge_cert[RTX_CERT_BYTES];
	struct mesh_config cfg;
	struct sc_sockaddr me;

	memset(b, 0, sizeof(*b));
	b->clk = clk;
	b->ident = tu_ident_new(&pki, 42, 0);
	if (!b->ident)
		return -1;
	rtx_cert_encode(rtx_ident_cert(edge_rid), edge_cert);
	edge_info.cert = edge_cert;
	b->edge = *edge;
	b->fd = udp_socket(&me);
	mesh_config_defaults(&cfg, MESH_ROLE_PEER);
	cfg.self_id = 42;
	cfg.channel_id = CHAN;
	memcpy(cfg.ret_key, key, sizeof(key));
	cfg.self_addr.family = 6;
	memcpy(cfg.self_addr.addr, me.u.in6.sin6_addr.s6_addr, 16);
	cfg.self_addr.port = sc_addr_port(&me);
	cfg.ts_base_ns = 1;
	cfg.release = MESH_RELEASE_ARRIVAL;
	cfg.ident = b->ident;
	if (b->fd < 0 || mesh_node_new(&cfg, &cb, &b->n) < 0)
		return -1;
	box_addr_of(b, 1, &edge_info.addr);
	return mesh_node_set_source(b->n, &edge_info, true) < 0 ? -1 : 0;
}

static void box_free(struct box *b)
{
	mesh_node_free(b->n);
	rtx_ident_free(b->ident);
	if (b->fd >= 0)
		close(b->fd);
}

static void box_poll(struct box *b)
{
	uint8_t buf[2048];
	ssize_t n;

	while ((n = recv(b->fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		mesh_node_input(b->n, buf, (size_t)n, 1);
	if (mesh_node_deadline(b->n) <= box_now(b))
		mesh_node_run(b->n);
}

struct world {
	sc_clock *clk;
	sc_loop *loop;
	edge_ret *r;
	struct sc_sockaddr addr;
	uint16_t seq;
};

/* An edge with mesh identity `ident` (id MESH_SOURCE_ID_FLAG | 1, or none). */
static int world_new(struct world *w, bool ident)
{
	struct sc_logger lg = { log_fn, NULL, LOG_DEBUG };
	struct ret_cfg rc = { .window_ns = SC_NS_PER_S, .max_bitrate_bps = 2000000, .rate_pps = 1000,
			      .burst_speed = 1.5, .burst_max_ns = SC_NS_PER_S, .mesh_edge_id = 1 };
	int fd;

	memset(w, 0, sizeof(*w));
	logged[0] = 0;
	w->clk = sc_clock_fake_new(SC_NS_PER_S);
	w->loop = sc_loop_new(w->clk);
	if (tu_pki_init(&pki, pki_now, w->clk) < 0)
		return -1;
	edge_rid = tu_ident_new(&pki, MESH_SOURCE_ID_FLAG | 1, 0);
	if (!edge_rid)
		return -1;
	if (ident) {
		rc.ident = edge_rid;
	} else {
		/* an identity still waiting for its certificate */
		struct rtx_ident_config ic;
		struct rtx_ident_callbacks icb = { w->clk, pki_now, pki_wall };

		rtx_ident_config_defaults(&ic, 0, pki.ca_pub);
		if (rtx_ident_new(&ic, &icb, &bare_ident) < 0)
			return -1;
		rc.ident = bare_ident;
	}
	fd = udp_socket(&w->addr);
	if (fd < 0 || !w->loop)
		return -1;
	close(fd);
	rc.listen = w->addr;
	rc.mesh_self = w->addr;
	return ret_new(w->loop, &rc, &lg, &w->r);
}

static void world_free(struct world *w)
{
	ret_free(w->r);
	rtx_ident_free(edge_rid); /* after the edge's nodes */
	rtx_ident_free(bare_ident);
	edge_rid = bare_ident = NULL;
	sc_loop_free(w->loop);
	sc_clock_free(w->clk);
}

/* One step: 10 ms pass, the edge emits a packet, both sides work. */
static void step(struct world *w, struct box *b)
{
	uint8_t pkt[12 + 7 * 188];
	struct sc_rtp_fields f = { .payload_type = SC_RTP_PT_MP2T, .seq = w->seq++, .ssrc = 7,
				   .timestamp = w->seq * 900u };

	memset(pkt, 0, sizeof(pkt));
	for (int k = 0; k < 7; k++)
		pkt[12 + k * 188] = 0x47;
	sc_rtp_write(pkt, sizeof(pkt), &f);
	sc_clock_fake_advance(w->clk, STEP_NS);
	ret_packet(w->r, CHAN, pkt, sizeof(pkt), 0);
	for (int k = 0; k < 3; k++) {
		sc_loop_run_once(w->loop, 0);
		if (b)
			box_poll(b);
	}
}

static void test_serves_a_box(void)
{
	struct world w;
	struct box b;
	struct ret_chan_stats rs;
	int i;

	CU_ASSERT_FATAL(world_new(&w, true) == 0);
	CU_ASSERT_EQUAL(ret_add_channel(w.r, CHAN, key), 0);
	CU_ASSERT_EQUAL(ret_set_mesh(w.r, CHAN, 3), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(logged, "mesh hosting node 1 up"));
	CU_ASSERT_FATAL(box_new(&b, w.clk, &w.addr, 1) == 0);
	/* At most 30 s of fake time: the box partners and plays. */
	for (i = 0; i < 3000 && b.delivered < 200; i++)
		step(&w, &b);
	CU_ASSERT(b.delivered >= 200);
	CU_ASSERT_EQUAL(ret_chan_stats(w.r, CHAN, &rs), 0);
	CU_ASSERT(rs.mesh);
	CU_ASSERT_EQUAL(rs.mesh_st.children, 1);
	CU_ASSERT(rs.mesh_st.data_bytes_sent > 0);
	CU_ASSERT_EQUAL(rs.mesh_input_bytes, (uint64_t)w.seq * (12 + 7 * 188));
	CU_ASSERT_EQUAL(rs.rtx.auth_failed, 0); /* no mesh datagram went to RET */
	CU_ASSERT_EQUAL(ret_unrouted(w.r), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(logged, "1 direct child(ren) of 3"));
	box_free(&b);
	world_free(&w);
}

/* A RET request still reaches RET (it fails authentication: no real MAC),
 * a mesh datagram for a channel without a node is unrouted. */
static void test_demux(void)
{
	struct world w;
	struct box b;
	struct ret_chan_stats rs;
	uint8_t junk[64] = { 'S', 'X', 1 };

	CU_ASSERT_FATAL(world_new(&w, true) == 0);
	CU_ASSERT_EQUAL(ret_add_channel(w.r, CHAN, key), 0);
	CU_ASSERT_FATAL(box_new(&b, w.clk, &w.addr, 1) == 0); /* no node yet: its HELLOs go nowhere */
	for (int i = 0; i < 50; i++)
		step(&w, &b);
	CU_ASSERT(ret_unrouted(w.r) > 0);
	CU_ASSERT_EQUAL(ret_chan_stats(w.r, CHAN, &rs), 0);
	CU_ASSERT(!rs.mesh);
	CU_ASSERT_EQUAL(rs.rtx.auth_failed + rs.rtx.malformed, 0);
	sendto(b.fd, junk, sizeof(junk), 0, &w.addr.u.sa, w.addr.len);
	sc_loop_run_once(w.loop, 0);
	CU_ASSERT_EQUAL(ret_chan_stats(w.r, CHAN, &rs), 0);
	CU_ASSERT_EQUAL(rs.rtx.auth_failed + rs.rtx.malformed, 0); /* junk: unrouted, not RET's */
	box_free(&b);
	world_free(&w);
}

/* No key, no node; the key starts it; a new edge id remakes it. No
 * identity, no node. */
static void test_key_and_id(void)
{
	struct world w;
	struct ret_chan_stats rs;

	CU_ASSERT_FATAL(world_new(&w, true) == 0);
	CU_ASSERT_EQUAL(ret_add_channel(w.r, CHAN, NULL), 0);
	CU_ASSERT_EQUAL(ret_set_mesh(w.r, CHAN, 2), 0);
	ret_chan_stats(w.r, CHAN, &rs);
	CU_ASSERT(!rs.mesh);
	CU_ASSERT_EQUAL(ret_set_key(w.r, CHAN, key), 0);
	ret_chan_stats(w.r, CHAN, &rs);
	CU_ASSERT(rs.mesh);
	CU_ASSERT_PTR_NOT_NULL(strstr(logged, "mesh hosting node 1 up, up to 2"));
	/* The node speaks as its identity (edge 1): an edge id alone changes
	 * nothing until a certificate says so. */
	ret_set_edge_id(w.r, 7);
	CU_ASSERT_PTR_NULL(strstr(logged, "mesh hosting node 7 up"));
	ret_chan_stats(w.r, CHAN, &rs);
	CU_ASSERT(rs.mesh);
	CU_ASSERT_EQUAL(ret_set_mesh(w.r, CHAN, 0), 0);
	ret_chan_stats(w.r, CHAN, &rs);
	CU_ASSERT(!rs.mesh);
	world_free(&w);

	CU_ASSERT_FATAL(world_new(&w, false) == 0);
	CU_ASSERT_EQUAL(ret_add_channel(w.r, CHAN, key), 0);
	CU_ASSERT_EQUAL(ret_set_mesh(w.r, CHAN, 2), 0);
	ret_chan_stats(w.r, CHAN, &rs);
	CU_ASSERT(!rs.mesh);
	CU_ASSERT_PTR_NOT_NULL(strstr(logged, "mesh: no identity yet"));
	/* the registration brings the certificate: the node starts */
	{
		uint8_t pub[RTX_PUB_BYTES], cert[RTX_CERT_BYTES];

		rtx_ident_keygen(bare_ident, pub);
		tu_pki_issue(&pki, MESH_SOURCE_ID_FLAG | 1, pub, cert);
		CU_ASSERT_EQUAL(rtx_ident_set_cert(bare_ident, cert, sizeof(cert)), 0);
	}
	ret_set_edge_id(w.r, 1);
	ret_chan_stats(w.r, CHAN, &rs);
	CU_ASSERT(rs.mesh);
	CU_ASSERT_PTR_NOT_NULL(strstr(logged, "mesh hosting node 1 up"));
	world_free(&w);
}

static int load_text(const char *text, struct edge_cfg *c, struct sc_cfg_err *err)
{
	char path[] = "/tmp/test_edge_mesh_XXXXXX";
	int fd = mkstemp(path), rc;
	FILE *f = fd < 0 ? NULL : fdopen(fd, "w");

	if (!f)
		return -EIO;
	fputs(text, f);
	fclose(f);
	rc = edge_cfg_load(path, false, c, err);
	unlink(path);
	return rc;
}

static void test_config(void)
{
	char ts[] = "/tmp/test_edge_mesh_ts_XXXXXX", text[1024];
	uint8_t pkt[188] = { 0x47 };
	struct sc_cfg_err err;
	struct edge_cfg c;
	int fd = mkstemp(ts);

	CU_ASSERT_FATAL(fd >= 0);
	for (int i = 0; i < 20; i++)
		CU_ASSERT_EQUAL(write(fd, pkt, sizeof(pkt)), (ssize_t)sizeof(pkt));
	close(fd);
	snprintf(text, sizeof(text),
		 "edge: { interface = \"lo\"; source6 = \"::1\"; mesh = { enabled = true; max_children = 4; }; };\n"
		 "channels = ( { id = 1; name = \"A\"; source = \"file:%s\"; },\n"
		 "  { id = 2; name = \"B\"; source = \"file:%s\"; mesh = { enabled = false; }; },\n"
		 "  { id = 3; name = \"C\"; source = \"file:%s\"; mesh = { max_children = 9; }; } );\n",
		 ts, ts, ts);
	CU_ASSERT_EQUAL_FATAL(load_text(text, &c, &err), 0);
	CU_ASSERT(c.mesh_enabled);
	CU_ASSERT_EQUAL(c.mesh_edge_id, 1);
	CU_ASSERT_EQUAL(c.chans[0].mesh_max_children, 4);
	CU_ASSERT_EQUAL(c.chans[1].mesh_max_children, 0);
	CU_ASSERT_EQUAL(c.chans[2].mesh_max_children, 9);
	{ /* the mesh setting applies live: no channel restart for it */
		struct edge_chan_cfg x = c.chans[0];

		x.mesh_max_children = 7;
		CU_ASSERT(edge_chan_cfg_equal(&c.chans[0], &x));
	}
	edge_cfg_free(&c);

	CU_ASSERT(load_text("edge: { interface = \"lo\"; source6 = \"::1\";\n mesh = { max_children = 0; }; };\n", &c,
			    &err) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, ":2:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "max_children"));
	snprintf(text, sizeof(text),
		 "edge: { interface = \"lo\"; source6 = \"::1\"; mesh = { enabled = true; }; };\nret: { listen = \"\"; };\n"
		 "channels = ( { id = 1; name = \"A\"; source = \"file:%s\"; } );\n", ts);
	CU_ASSERT(load_text(text, &c, &err) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "needs ret.listen"));
	unlink(ts);
}

/* A standalone edge (its own CA key file) certifies itself at start, dated
 * by its loop's clock: a fake one gives the fixed test date. */
static void test_standalone_identity(void)
{
	struct sc_logger lg = { log_fn, NULL, LOG_DEBUG };
	char path[] = "/tmp/sixcast-edge-ca-XXXXXX", pub[2 * RTX_CA_PUB_BYTES + 1];
	char cert_hex[2 * RTX_CERT_BYTES + 1], ca_hex[2 * RTX_CA_PUB_BYTES + 1];
	sc_clock *clk = sc_clock_fake_new(5 * SC_NS_PER_S);
	sc_loop *loop = sc_loop_new(clk);
	uint8_t cert[RTX_CERT_BYTES];
	struct rtx_cert c;
	edge_ident *ei = NULL;
	uint32_t id = 0;
	int fd = mkstemp(path);

	CU_ASSERT_FATAL(fd >= 0 && loop);
	close(fd);
	unlink(path); /* the key writer refuses to overwrite */
	CU_ASSERT_EQUAL_FATAL(edge_ident_new_ca_key(path, pub), 0);
	CU_ASSERT_EQUAL_FATAL(edge_ident_new(loop, path, 7, &lg, &ei), 0);
	CU_ASSERT_TRUE(edge_ident_describe(ei, &id, cert_hex, ca_hex));
	CU_ASSERT_EQUAL(id, RTX_EDGE_ID_FLAG | 7);
	for (size_t i = 0; i < RTX_CERT_BYTES; i++)
		sscanf(cert_hex + 2 * i, "%2hhx", &cert[i]);
	CU_ASSERT_EQUAL_FATAL(rtx_cert_decode(cert, sizeof(cert), &c), 0);
	CU_ASSERT_EQUAL(c.not_before_ms, (SC_CLOCK_FAKE_WALL0_NS + 5 * SC_NS_PER_S) / SC_NS_PER_MS);
	CU_ASSERT_STRING_EQUAL(ca_hex, pub);
	edge_ident_free(ei);
	unlink(path);
	sc_loop_free(loop);
	sc_clock_free(clk);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "a box partners with the edge and plays", test_serves_a_box },
		{ "RET and mesh datagrams are told apart", test_demux },
		{ "the node waits for a key and an identity, follows the edge id", test_key_and_id },
		{ "edge.mesh and channel overrides", test_config },
		{ "a standalone edge certifies itself on its loop's date", test_standalone_identity },
		{ NULL, NULL },
	};

	return tu_add_suite("edge_mesh", tests);
}
