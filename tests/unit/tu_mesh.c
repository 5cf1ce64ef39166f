/* tu_mesh: see tu_mesh.h. */
#include "config.h"

#include "tu_mesh.h"

#include <errno.h>
#include <string.h>

#include "rtx_auth.h"
#include "sc_rtp.h"
#include "tu.h"

uint64_t now_v;
uint8_t ret_key[32], mkey[32];
struct tu_pki pki;

struct sent outq[8192];
size_t nout;
static struct mesh_addr addrs[MAX_H];
static size_t naddrs;
unsigned want_peers_calls;
uint64_t delivered[8192];
size_t ndelivered;

/* Identities made by a test, freed by the next reset(); the one of the
 * node under test; the fake listening at each handle. */
static rtx_ident *idents[64];
static size_t nidents;
rtx_ident *node_ident;
uint32_t node_id;
rtx_ident *ident_at[MAX_H];

uint64_t cb_now(void *ctx)
{
	(void)ctx;
	return now_v;
}

rtx_ident *new_ident(uint32_t id)
{
	rtx_ident *i = tu_ident_new(&pki, id, 0);

	CU_ASSERT_PTR_NOT_NULL_FATAL(i);
	CU_ASSERT_FATAL(nidents < sizeof(idents) / sizeof(idents[0]));
	idents[nidents++] = i;
	return i;
}

/* A fake at handle `to` receives what the node sent: it opens it (and
 * remembers, as a real node would, that the node knows its key). */
static int fake_open(uint64_t to, const uint8_t *buf, size_t len, const struct mesh_hdr *h)
{
	const uint8_t *keys[1] = { mkey };
	struct rtx_opened o;
	int rc;

	if (to >= MAX_H || !ident_at[to])
		return 1; /* nobody there */
	if (rtx_ident_self(ident_at[to]) != h->receiver)
		return 2; /* for someone else (a challenge to a thief's address) */
	rc = rtx_ident_open(ident_at[to], buf, len, &h->env, keys, 1, &o);
	if (rc == 0)
		rtx_ident_commit(ident_at[to], &o);
	return rc;
}

int cb_send(void *ctx, uint64_t to, const uint8_t *buf, size_t len)
{
	struct mesh_hdr h;
	struct sent *s = &outq[nout];

	(void)ctx;
	CU_ASSERT_FATAL(len <= MESH_WIRE_MAX);
	CU_ASSERT_EQUAL_FATAL(mesh_wire_parse(buf, len, &h), 0);
	CU_ASSERT_EQUAL(h.sender, node_id);
	if (nout < sizeof(outq) / sizeof(outq[0])) {
		s->to = to;
		s->type = h.type;
		s->cert = h.cert != NULL;
		s->len = len;
		s->boff = (size_t)(h.body - buf);
		s->blen = h.body_len;
		memcpy(s->buf, buf, len);
		s->opened = fake_open(to, buf, len, &h);
		CU_ASSERT(s->opened >= 0); /* the fake it is for can open it */
		nout++;
	}
	return 0;
}

static void cb_deliver(void *ctx, uint64_t seq, const uint8_t *rtp, size_t len)
{
	(void)ctx;
	(void)rtp;
	(void)len;
	if (ndelivered < 8192)
		delivered[ndelivered++] = seq;
}

/* Handles are 1 + the index of the address (0 is no handle). */
int cb_handle_of(void *ctx, const struct mesh_addr *a, uint64_t *h)
{
	size_t i;

	(void)ctx;
	for (i = 0; i < naddrs; i++)
		if (!memcmp(&addrs[i], a, sizeof(*a))) {
			*h = i + 1;
			return 0;
		}
	if (naddrs == MAX_H - 1)
		return -ENOSPC;
	addrs[naddrs] = *a;
	*h = ++naddrs;
	return 0;
}

int cb_addr_of(void *ctx, uint64_t h, struct mesh_addr *a)
{
	(void)ctx;
	if (!h || h > naddrs)
		return -ENOENT;
	*a = addrs[h - 1];
	return 0;
}

static void cb_want_peers(void *ctx)
{
	(void)ctx;
	want_peers_calls++;
}

struct mesh_addr mkaddr(unsigned m, unsigned h)
{
	struct mesh_addr a = { .family = 6, .port = 5100 };

	a.addr[0] = 0x20;
	a.addr[1] = 0x01;
	a.addr[2] = 0x0d;
	a.addr[3] = 0xb8;
	a.addr[4] = (uint8_t)(m >> 8);
	a.addr[5] = (uint8_t)m;
	a.addr[15] = (uint8_t)h;
	return a;
}

struct fake mkfake(uint32_t id, unsigned m, unsigned h)
{
	struct fake f = { .id = id, .ts = 1000 };

	f.addr = mkaddr(m, h);
	cb_handle_of(NULL, &f.addr, &f.handle);
	f.ident = new_ident(id);
	ident_at[f.handle] = f.ident;
	return f;
}

void cert_of(rtx_ident *i, uint8_t out[RTX_CERT_BYTES])
{
	rtx_cert_encode(rtx_ident_cert(i), out);
}

/* The fake knows the node's certificate (from a node list, say): it can
 * seal for it. The node knows nothing of the fake. */
void fake_knows_node(struct fake *f)
{
	uint8_t c[RTX_CERT_BYTES];

	cert_of(node_ident, c);
	CU_ASSERT_EQUAL(rtx_ident_learn(f->ident, c, sizeof(c)), 0);
}

void meet(struct fake *f)
{
	if (f->met)
		return;
	tu_ident_introduce(f->ident, node_ident);
	CU_ASSERT_EQUAL(rtx_ident_addr_set(node_ident, f->id, f->handle), 0);
	f->met = true;
}

void reset(void)
{
	nout = naddrs = ndelivered = 0;
	want_peers_calls = 0;
	now_v = 100 * SC_NS_PER_S;
	for (unsigned i = 0; i < 32; i++)
		ret_key[i] = (uint8_t)(i + 1);
	mesh_wire_key(ret_key, CH, mkey);
	while (nidents)
		rtx_ident_free(idents[--nidents]);
	memset(ident_at, 0, sizeof(ident_at));
	node_ident = NULL;
	CU_ASSERT_EQUAL_FATAL(tu_pki_init(&pki, cb_now, NULL), 0);
}

mesh_node *mknode(enum mesh_role role, uint32_t id, unsigned m, unsigned h, struct mesh_config *out)
{
	struct mesh_callbacks cb = { .now_ns = cb_now, .send = cb_send, .deliver = cb_deliver,
				     .handle_of = cb_handle_of, .addr_of = cb_addr_of,
				     .want_peers = cb_want_peers };
	struct mesh_config cfg;
	mesh_node *n = NULL;

	mesh_config_defaults(&cfg, role);
	cfg.self_id = id;
	cfg.channel_id = CH;
	memcpy(cfg.ret_key, ret_key, 32);
	cfg.self_addr = mkaddr(m, h);
	cfg.ts_base_ns = 1;
	cfg.max_children = 2;
	cfg.ident = node_ident = new_ident(id);
	node_id = id;
	if (out)
		*out = cfg;
	CU_ASSERT_EQUAL_FATAL(mesh_node_new(&cfg, &cb, &n), 0);
	return n;
}

/* Seal a body from f to the node under test (to = 0: the node) into buf. */
size_t fseal(struct fake *f, uint8_t type, const uint8_t *body, size_t blen, uint8_t *buf)
{
	struct mesh_hdr h = { .type = type, .channel = CH, .receiver = node_id, .ts = ++f->ts, .session = 7 };
	int len = mesh_wire_seal(f->ident, mkey, &h, body, blen, false, buf, MESH_WIRE_MAX);

	CU_ASSERT_FATAL(len > 0);
	return (size_t)len;
}

int fsend(mesh_node *n, struct fake *f, uint8_t type, const uint8_t *body, size_t blen)
{
	uint8_t buf[MESH_WIRE_MAX];
	size_t len;

	meet(f);
	len = fseal(f, type, body, blen, buf);
	return mesh_node_input(n, buf, len, f->handle);
}

int fsmall(mesh_node *n, struct fake *f, uint8_t type, uint8_t a, uint8_t b, uint16_t c)
{
	uint8_t body[4];

	mesh_enc_small(body, a, b, c);
	return fsend(n, f, type, body, 4);
}

size_t rtp(uint8_t *buf, uint64_t seq)
{
	struct sc_rtp_fields fl = { .payload_type = 33, .seq = (uint16_t)seq, .ssrc = 1 };

	sc_rtp_write(buf, 12, &fl);
	memset(buf + 12, (int)seq, 188);
	return 200;
}

int fdata(mesh_node *n, struct fake *f, uint64_t seq, uint64_t src_ts)
{
	uint8_t body[MESH_WIRE_MAX], pkt[300];
	struct mesh_data d = { .seq = seq, .src_ts = src_ts, .rtp = pkt };

	d.rtp_len = rtp(pkt, seq);
	return fsend(n, f, MESH_MSG_DATA, body, (size_t)mesh_enc_data(body, &d));
}

int fbmap(mesh_node *n, struct fake *f, uint8_t depth, uint64_t start, unsigned nbits, bool all)
{
	uint8_t body[MESH_WIRE_MAX], bits[256];
	struct mesh_bmap_msg m = { .depth = depth, .start = start, .nbits = (uint16_t)nbits, .bits = bits };

	memset(bits, 0, sizeof(bits));
	if (all) {
		memset(bits, 0xff, nbits / 8);
		if (nbits % 8)
			bits[nbits / 8] = (uint8_t)(0xff00u >> (nbits % 8));
	}
	return fsend(n, f, MESH_MSG_BMAP, body, (size_t)mesh_enc_bmap(body, &m));
}

/* Messages of a type to a handle since index `from`. */
size_t count_to(size_t from, uint64_t to, uint8_t type)
{
	size_t i, c = 0;

	for (i = from; i < nout; i++)
		c += outq[i].to == to && outq[i].type == type;
	return c;
}

/* Bytes of anything to a handle since index `from`. */
size_t bytes_to(size_t from, uint64_t to)
{
	size_t i, c = 0;

	for (i = from; i < nout; i++)
		c += outq[i].to == to ? outq[i].len : 0;
	return c;
}

const struct sent *last_to(uint64_t to, uint8_t type)
{
	size_t i;

	for (i = nout; i-- > 0;)
		if (outq[i].to == to && outq[i].type == type)
			return &outq[i];
	return NULL;
}

const uint8_t *body_of(const struct sent *s, size_t *len)
{
	*len = s->blen;
	return s->buf + s->boff;
}

int dec_pull(const struct sent *s, struct mesh_pull *p)
{
	size_t len;
	const uint8_t *b = body_of(s, &len);

	return mesh_dec_pull(b, len, p);
}

/* A peer with one fake partner at depth 0. */
mesh_node *peer_with(struct fake *f, unsigned nf, struct mesh_config *cfg)
{
	mesh_node *a = mknode(MESH_ROLE_PEER, 100, 1, 100, cfg);
	unsigned i;

	for (i = 0; i < nf; i++) {
		CU_ASSERT_EQUAL(fsmall(a, &f[i], MESH_MSG_PREQ, 0, 0, 0), 0);
		CU_ASSERT_EQUAL(count_to(0, f[i].handle, MESH_MSG_PACCEPT), 1);
		fbmap(a, &f[i], 0, 0, 0, false);
	}
	return a;
}

/* f's datagram of a type, sealed for the node and given to it from handle
 * `from`; a copy of it in cap (an eavesdropper's capture). */
int fsend_from(mesh_node *n, struct fake *f, uint64_t from, uint8_t type, const uint8_t *body,
		      size_t blen, uint8_t *cap, size_t *caplen)
{
	uint8_t buf[MESH_WIRE_MAX];
	size_t len = fseal(f, type, body, blen, buf);

	if (cap) {
		memcpy(cap, buf, len);
		*caplen = len;
	}
	return mesh_node_input(n, buf, len, from);
}

/* Replace the attached certificate of a datagram from f and seal it again
 * under f's real key: only the certificate is wrong. */
void recert(struct fake *f, uint8_t *buf, size_t len, const uint8_t *cert)
{
	struct rtx_seal s;

	memcpy(buf + MESH_WIRE_HDR, cert, RTX_CERT_BYTES);
	CU_ASSERT_EQUAL_FATAL(rtx_ident_seal_key(f->ident, node_id, mkey, true, &s), 0);
	rtx_auth_sign(s.key, buf, len - MESH_WIRE_MAC);
}

/* ---- several real nodes on one fake network ---- */

#define NET_Q 512

struct net_node net[NET_N];
static struct {
	uint64_t t;
	unsigned from, to;
	size_t len;
	uint8_t buf[MESH_WIRE_MAX];
} netq[NET_Q];
static size_t net_head, net_tail;

void net_reset(void)
{
	net_head = net_tail = 0;
}

static int net_send(void *ctx, uint64_t to, const uint8_t *buf, size_t len)
{
	struct net_node *me = ctx;
	struct mesh_hdr h;

	CU_ASSERT_FATAL(to >= 1 && to <= NET_N && net_tail - net_head < NET_Q);
	CU_ASSERT_EQUAL_FATAL(mesh_wire_parse(buf, len, &h), 0);
	to--;
	if (!rtx_ident_addr_ok(me->ident, net[to].id, to + 1) && h.type != MESH_MSG_HELLO &&
	    h.type != MESH_MSG_NQUERY && h.type != MESH_MSG_PREQ && h.type != MESH_MSG_PATH)
		me->wrong_tx++;
	if (h.type == MESH_MSG_PATH)
		me->paths_to[to]++;
	netq[net_tail % NET_Q].t = now_v + MS;
	netq[net_tail % NET_Q].from = (unsigned)(me - net);
	netq[net_tail % NET_Q].to = (unsigned)to;
	netq[net_tail % NET_Q].len = len;
	memcpy(netq[net_tail % NET_Q].buf, buf, len);
	net_tail++;
	return 0;
}

static void net_deliver(void *ctx, uint64_t seq, const uint8_t *rtp, size_t len)
{
	(void)seq;
	(void)rtp;
	(void)len;
	((struct net_node *)ctx)->delivered++;
}

/* Node i is at host i + 1, handle i + 1, for everyone. */
static int net_handle_of(void *ctx, const struct mesh_addr *a, uint64_t *h)
{
	(void)ctx;
	for (unsigned i = 0; i < NET_N; i++)
		if (a->addr[15] == i + 1) {
			*h = i + 1;
			return 0;
		}
	return -ENOENT;
}

static int net_addr_of(void *ctx, uint64_t h, struct mesh_addr *a)
{
	(void)ctx;
	if (!h || h > NET_N)
		return -ENOENT;
	*a = mkaddr(1, (unsigned)h);
	return 0;
}

void net_node_new(unsigned i, uint32_t id, enum mesh_role role)
{
	struct mesh_callbacks cb = { .ctx = &net[i], .now_ns = cb_now, .send = net_send, .deliver = net_deliver,
				     .handle_of = net_handle_of, .addr_of = net_addr_of };
	struct mesh_config cfg;

	memset(&net[i], 0, sizeof(net[i]));
	net[i].id = id;
	net[i].ident = new_ident(id);
	mesh_config_defaults(&cfg, role);
	cfg.self_id = id;
	cfg.channel_id = CH;
	memcpy(cfg.ret_key, ret_key, 32);
	net_addr_of(NULL, i + 1, &cfg.self_addr);
	cfg.ts_base_ns = 1;
	cfg.max_children = 1;
	cfg.ident = net[i].ident;
	CU_ASSERT_EQUAL_FATAL(mesh_node_new(&cfg, &cb, &net[i].n), 0);
}

/* The tracker tells node i of the source (node 0): its certificate and its
 * registered address. */
void net_tracker(unsigned i)
{
	uint8_t c[RTX_CERT_BYTES];
	struct mesh_peer_info src = { .id = net[0].id, .handle = 1, .cert = c };

	cert_of(net[0].ident, c);
	net_addr_of(NULL, 1, &src.addr);
	CU_ASSERT_EQUAL(mesh_node_set_source(net[i].n, &src, true), 0);
}

void net_step(uint64_t *next_pkt, uint16_t *seq)
{
	uint8_t pkt[300];

	now_v += MS;
	while (net_head < net_tail && netq[net_head % NET_Q].t <= now_v) {
		unsigned k = (unsigned)(net_head++ % NET_Q);

		mesh_node_input(net[netq[k].to].n, netq[k].buf, netq[k].len, netq[k].from + 1);
	}
	if (now_v >= *next_pkt) {
		mesh_node_input_rtp(net[0].n, pkt, rtp(pkt, (*seq)++));
		*next_pkt += 2500000;
	}
	for (unsigned i = 0; i < NET_N; i++)
		if (net[i].n && mesh_node_deadline(net[i].n) <= now_v)
			mesh_node_run(net[i].n);
}
