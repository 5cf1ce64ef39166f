/* Unit tests of mesh_node on a fake clock, against scripted fake nodes
 * that speak the wire protocol: the source's capacity and redirect, push
 * without duplicates (local map copies), the general and urgent pull
 * triggers, partner scoring (a stalled strip moves, a poor partner is
 * replaced), liars dropped, hostile input counted and dropped, the
 * near-set refinement and dead-neighbour removal. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "mesh.h"
#include "mesh_wire.h"
#include "sc_clock.h"
#include "sc_rtp.h"
#include "tu.h"

#define MS SC_NS_PER_MS
#define CH 5

static uint64_t now_v;
static uint8_t ret_key[32], mkey[32];

struct sent {
	uint64_t to;
	uint8_t type, flags;
	size_t len;
	uint8_t buf[MESH_WIRE_MAX];
};
static struct sent outq[8192];
static size_t nout;
static struct mesh_addr addrs[64];
static size_t naddrs;
static unsigned want_peers_calls;
static uint64_t delivered[8192];
static size_t ndelivered;

static uint64_t cb_now(void *ctx)
{
	(void)ctx;
	return now_v;
}

static int cb_send(void *ctx, uint64_t to, const uint8_t *buf, size_t len)
{
	struct mesh_hdr h;

	(void)ctx;
	CU_ASSERT_EQUAL_FATAL(mesh_wire_parse(buf, len, &h), 0);
	CU_ASSERT_EQUAL(mesh_wire_verify(mkey, buf, len), 0);
	if (nout < sizeof(outq) / sizeof(outq[0])) {
		outq[nout].to = to;
		outq[nout].type = h.type;
		outq[nout].len = len;
		memcpy(outq[nout].buf, buf, len);
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

static int cb_handle_of(void *ctx, const struct mesh_addr *a, uint64_t *h)
{
	size_t i;

	(void)ctx;
	for (i = 0; i < naddrs; i++)
		if (!memcmp(&addrs[i], a, sizeof(*a))) {
			*h = i;
			return 0;
		}
	if (naddrs == 64)
		return -ENOSPC;
	addrs[naddrs] = *a;
	*h = naddrs++;
	return 0;
}

static int cb_addr_of(void *ctx, uint64_t h, struct mesh_addr *a)
{
	(void)ctx;
	if (h >= naddrs)
		return -ENOENT;
	*a = addrs[h];
	return 0;
}

static void cb_want_peers(void *ctx)
{
	(void)ctx;
	want_peers_calls++;
}

/* A fake node: an address in metro m, host h. */
struct fake {
	uint32_t id;
	uint64_t handle, ts;
	struct mesh_addr addr;
};

static struct mesh_addr mkaddr(unsigned m, unsigned h)
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

static struct fake mkfake(uint32_t id, unsigned m, unsigned h)
{
	struct fake f = { .id = id, .ts = 1000 };

	f.addr = mkaddr(m, h);
	cb_handle_of(NULL, &f.addr, &f.handle);
	return f;
}

static void reset(void)
{
	nout = naddrs = ndelivered = 0;
	want_peers_calls = 0;
	now_v = 100 * SC_NS_PER_S;
	for (unsigned i = 0; i < 32; i++)
		ret_key[i] = (uint8_t)(i + 1);
	mesh_wire_key(ret_key, CH, mkey);
}

static mesh_node *mknode(enum mesh_role role, uint32_t id, unsigned m, unsigned h, struct mesh_config *out)
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
	if (out)
		*out = cfg;
	CU_ASSERT_EQUAL_FATAL(mesh_node_new(&cfg, &cb, &n), 0);
	return n;
}

static int fsend(mesh_node *n, struct fake *f, uint8_t type, const uint8_t *body, size_t blen)
{
	uint8_t buf[MESH_WIRE_MAX];
	struct mesh_hdr h = { .type = type, .channel = CH, .sender = f->id, .ts = ++f->ts, .session = 7 };
	size_t len;

	memcpy(buf + MESH_WIRE_HDR, body, blen);
	len = mesh_wire_seal(mkey, buf, &h, blen);
	return mesh_node_input(n, buf, len, f->handle);
}

static int fsmall(mesh_node *n, struct fake *f, uint8_t type, uint8_t a, uint8_t b, uint16_t c)
{
	uint8_t body[4];

	mesh_enc_small(body, a, b, c);
	return fsend(n, f, type, body, 4);
}

static size_t rtp(uint8_t *buf, uint64_t seq)
{
	struct sc_rtp_fields fl = { .payload_type = 33, .seq = (uint16_t)seq, .ssrc = 1 };

	sc_rtp_write(buf, 12, &fl);
	memset(buf + 12, (int)seq, 188);
	return 200;
}

static int fdata(mesh_node *n, struct fake *f, uint64_t seq, uint64_t src_ts)
{
	uint8_t body[MESH_WIRE_MAX], pkt[300];
	struct mesh_data d = { .seq = seq, .src_ts = src_ts, .rtp = pkt };

	d.rtp_len = rtp(pkt, seq);
	return fsend(n, f, MESH_MSG_DATA, body, (size_t)mesh_enc_data(body, &d));
}

static int fbmap(mesh_node *n, struct fake *f, uint8_t depth, uint64_t start, unsigned nbits, bool all)
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
static size_t count_to(size_t from, uint64_t to, uint8_t type)
{
	size_t i, c = 0;

	for (i = from; i < nout; i++)
		c += outq[i].to == to && outq[i].type == type;
	return c;
}

static const struct sent *last_to(uint64_t to, uint8_t type)
{
	size_t i;

	for (i = nout; i-- > 0;)
		if (outq[i].to == to && outq[i].type == type)
			return &outq[i];
	return NULL;
}

static const uint8_t *body_of(const struct sent *s, size_t *len)
{
	*len = s->len - MESH_WIRE_OVERHEAD;
	return s->buf + MESH_WIRE_HDR;
}

static int dec_pull(const struct sent *s, struct mesh_pull *p)
{
	size_t len;
	const uint8_t *b = body_of(s, &len);

	return mesh_dec_pull(b, len, p);
}

static void test_source_capacity(void)
{
	struct fake f1, f2, f3;
	struct mesh_entries e;
	mesh_node *src;
	size_t len;
	const uint8_t *b;

	reset();
	src = mknode(MESH_ROLE_SOURCE, MESH_SOURCE_ID_FLAG | 1, 0, 1, NULL);
	f1 = mkfake(11, 1, 11);
	f2 = mkfake(12, 1, 12);
	f3 = mkfake(13, 1, 13);
	CU_ASSERT_EQUAL(fsmall(src, &f1, MESH_MSG_PREQ, 1, 255, 0), 0);
	CU_ASSERT_EQUAL(fsmall(src, &f2, MESH_MSG_PREQ, 1, 255, 0), 0);
	CU_ASSERT_EQUAL(fsmall(src, &f3, MESH_MSG_PREQ, 1, 255, 0), 0);
	CU_ASSERT_EQUAL(count_to(0, f1.handle, MESH_MSG_PACCEPT), 1);
	CU_ASSERT_EQUAL(count_to(0, f2.handle, MESH_MSG_PACCEPT), 1);
	CU_ASSERT_EQUAL(count_to(0, f3.handle, MESH_MSG_PACCEPT), 0);
	/* the third is told to use the mesh, and where */
	CU_ASSERT_PTR_NOT_NULL_FATAL(last_to(f3.handle, MESH_MSG_FULL));
	b = body_of(last_to(f3.handle, MESH_MSG_FULL), &len);
	CU_ASSERT_EQUAL_FATAL(mesh_dec_entries(b, len, &e), 0);
	CU_ASSERT_EQUAL(e.n, 2);
	CU_ASSERT(e.e[0].id == 11 || e.e[1].id == 11);
	mesh_node_free(src);
}

static void test_push_no_duplicates(void)
{
	struct mesh_stats st;
	struct fake f1;
	mesh_node *src;
	uint8_t pkt[300];
	uint64_t s;
	size_t mark;

	reset();
	src = mknode(MESH_ROLE_SOURCE, MESH_SOURCE_ID_FLAG | 1, 0, 1, NULL);
	f1 = mkfake(11, 1, 11);
	fsmall(src, &f1, MESH_MSG_PREQ, 1, 255, 0);
	CU_ASSERT_EQUAL(fsmall(src, &f1, MESH_MSG_SUB, 8, 0, 0xff), 0);
	for (s = 0; s < 10; s++) {
		now_v += 2 * MS;
		CU_ASSERT_EQUAL(mesh_node_input_rtp(src, pkt, rtp(pkt, s)), 0);
	}
	CU_ASSERT_EQUAL(count_to(0, f1.handle, MESH_MSG_DATA), 10);
	/* its map shows 65546 and 65547 (it got them elsewhere): not pushed */
	CU_ASSERT_EQUAL(fbmap(src, &f1, 1, 65546, 2, true), 0);
	mark = nout;
	for (s = 10; s < 15; s++)
		mesh_node_input_rtp(src, pkt, rtp(pkt, s));
	CU_ASSERT_EQUAL(count_to(mark, f1.handle, MESH_MSG_DATA), 3);
	/* a duplicate input is not pushed again */
	mark = nout;
	mesh_node_input_rtp(src, pkt, rtp(pkt, 14));
	CU_ASSERT_EQUAL(count_to(mark, f1.handle, MESH_MSG_DATA), 0);
	/* unsubscribed strips are not pushed */
	fsmall(src, &f1, MESH_MSG_UNSUB, 8, 0, 0x0f);
	mark = nout;
	for (s = 16; s < 24; s++)
		mesh_node_input_rtp(src, pkt, rtp(pkt, s));
	CU_ASSERT_EQUAL(count_to(mark, f1.handle, MESH_MSG_DATA), 4);
	/* a pull is answered from the buffer */
	{
		struct mesh_pull p = { .base = 65536 + 3, .n = 2, .off = { 0, 1 } };
		uint8_t body[200];

		mark = nout;
		fsend(src, &f1, MESH_MSG_PULL, body, (size_t)mesh_enc_pull(body, &p));
		CU_ASSERT_EQUAL(count_to(mark, f1.handle, MESH_MSG_DATA), 2);
	}
	mesh_node_stats(src, &st);
	CU_ASSERT_EQUAL(st.data_pushed, 10 + 3 + 4);
	CU_ASSERT_EQUAL(st.data_pulled_out, 2);
	mesh_node_free(src);
}

/* A peer with one fake partner at depth 0. */
static mesh_node *peer_with(struct fake *f, unsigned nf, struct mesh_config *cfg)
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

static void test_pull_triggers(void)
{
	struct fake f = mkfake(11, 1, 11);
	const struct sent *s;
	struct mesh_pull p;
	mesh_node *a;
	uint64_t seq, base = 65536;
	size_t mark;

	reset();
	f = mkfake(11, 1, 11);
	a = peer_with(&f, 1, NULL);
	CU_ASSERT_PTR_NOT_NULL(last_to(f.handle, MESH_MSG_SUB)); /* all strips from it */
	/* 0..100 but 50, 2.5 ms apart at the source, arriving at once */
	for (seq = 0; seq <= 100; seq++)
		if (seq != 50)
			CU_ASSERT_EQUAL(fdata(a, &f, base + seq, seq * 2500000), 0);
	fbmap(a, &f, 0, base, 101, true);
	mark = nout;
	mesh_node_run(a);
	/* 100 - 50 < TH1 (64) and far from its deadline: no pull yet */
	CU_ASSERT_EQUAL(count_to(mark, f.handle, MESH_MSG_PULL), 0);
	for (seq = 101; seq <= 120; seq++)
		fdata(a, &f, base + seq, seq * 2500000);
	fbmap(a, &f, 0, base, 121, true);
	now_v += 100 * MS;
	mesh_node_run(a);
	CU_ASSERT_EQUAL_FATAL(count_to(mark, f.handle, MESH_MSG_PULL), 1);
	s = last_to(f.handle, MESH_MSG_PULL);
	CU_ASSERT_EQUAL_FATAL(dec_pull(s, &p), 0);
	CU_ASSERT_EQUAL(p.n, 1);
	CU_ASSERT_EQUAL(p.base, base + 50);
	CU_ASSERT_FALSE(p.flags & MESH_PULL_URGENT);
	/* not asked again within the retry time */
	mark = nout;
	now_v += 50 * MS;
	mesh_node_run(a);
	CU_ASSERT_EQUAL(count_to(mark, f.handle, MESH_MSG_PULL), 0);
	/* the answer fills it; 110 goes missing: urgent once near its deadline */
	fdata(a, &f, base + 50, 50 * 2500000);
	mark = nout;
	for (seq = 121; seq <= 130; seq++)
		fdata(a, &f, base + seq, seq * 2500000);
	/* far from the deadline of 125 (arrival of the first + playout delay
	 * + 125 x 2.5 ms) and under TH1: no pull */
	now_v += 300 * MS;
	mesh_node_run(a);
	CU_ASSERT_EQUAL(count_to(mark, f.handle, MESH_MSG_PULL), 0);
	mesh_node_free(a);
}

static void test_urgent_pull(void)
{
	struct fake f;
	const struct sent *s;
	struct mesh_pull p;
	struct mesh_config cfg;
	mesh_node *a;
	uint64_t seq, base = 65536, t0, dl;
	size_t mark;

	reset();
	f = mkfake(11, 1, 11);
	a = peer_with(&f, 1, &cfg);
	t0 = now_v;
	for (seq = 0; seq <= 20; seq++)
		if (seq != 10)
			fdata(a, &f, base + seq, seq * 2500000);
	fbmap(a, &f, 0, base, 21, true);
	mark = nout;
	/* the deadline of 10 is t0 + playout delay + 25 ms; urgent from TH2
	 * before, at the first pull tick (every pull_retry / 3); the partner
	 * keeps publishing its map (else it would be gone) */
	dl = t0 + cfg.playout_delay_ns + 25 * MS;
	for (now_v = t0; now_v < dl - cfg.pull_th2_ns - 200 * MS; now_v += 100 * MS) {
		fbmap(a, &f, 0, base, 21, true);
		mesh_node_run(a);
	}
	mark = nout;
	for (; !count_to(mark, f.handle, MESH_MSG_PULL) && now_v < dl; now_v += MS) {
		if (now_v % (100 * MS) == 0)
			fbmap(a, &f, 0, base, 21, true);
		mesh_node_run(a);
	}
	CU_ASSERT(now_v > dl - cfg.pull_th2_ns);
	CU_ASSERT(now_v <= dl - cfg.pull_th2_ns + cfg.pull_retry_ns / 3 + 2 * MS);
	CU_ASSERT_EQUAL_FATAL(count_to(mark, f.handle, MESH_MSG_PULL), 1);
	s = last_to(f.handle, MESH_MSG_PULL);
	CU_ASSERT_EQUAL_FATAL(dec_pull(s, &p), 0);
	CU_ASSERT_EQUAL(p.base, base + 10);
	CU_ASSERT(p.flags & MESH_PULL_URGENT);
	/* at its deadline it is given up, the rest is played in order */
	now_v = t0 + cfg.playout_delay_ns + SC_NS_PER_S;
	mesh_node_run(a);
	CU_ASSERT_EQUAL(ndelivered, 20);
	for (seq = 1; seq < ndelivered; seq++)
		CU_ASSERT(delivered[seq] > delivered[seq - 1]);
	mesh_node_free(a);
}

static uint16_t sub_mask(uint64_t to)
{
	const struct sent *s = last_to(to, MESH_MSG_SUB);
	uint8_t a, b;
	uint16_t c = 0;
	size_t len;

	if (s)
		{
		const uint8_t *bd = body_of(s, &len);

		mesh_dec_small(bd, len, &a, &b, &c);
	}
	return c;
}

static void test_poor_partner(void)
{
	struct fake f[2];
	struct mesh_stats st;
	struct mesh_config cfg;
	mesh_node *a;
	uint64_t seq, base = 65536, t;
	uint16_t m0, m1;

	reset();
	f[0] = mkfake(11, 1, 11);
	f[1] = mkfake(12, 1, 12);
	a = peer_with(f, 2, &cfg);
	m0 = sub_mask(f[0].handle);
	m1 = sub_mask(f[1].handle);
	/* the strips are spread over both */
	CU_ASSERT_EQUAL(m0 | m1, 0xff);
	CU_ASSERT_EQUAL(m0 & m1, 0);
	CU_ASSERT(m0 && m1);
	/* f[0] delivers its strips, f[1] nothing */
	for (t = 0, seq = 0; t < 3 * cfg.round_ns; t += 2500000, seq++) {
		now_v += 2500000;
		if ((m0 >> (seq % 8)) & 1)
			fdata(a, &f[0], base + seq, seq * 2500000);
		mesh_node_run(a);
		if (seq % 100 == 0) {
			fbmap(a, &f[0], 0, 0, 0, false);
			fbmap(a, &f[1], 0, 0, 0, false);
		}
	}
	/* the silent strips moved at once (stall), the partner went as poor */
	CU_ASSERT_EQUAL(sub_mask(f[0].handle), 0xff);
	mesh_node_stats(a, &st);
	CU_ASSERT_EQUAL(st.poor_flagged, 1);
	CU_ASSERT(count_to(0, f[1].handle, MESH_MSG_PREFUSE) >= 1);
	mesh_node_free(a);
}

static void test_liar(void)
{
	struct fake f[2];
	struct mesh_stats st;
	struct mesh_config cfg;
	mesh_node *a;
	uint64_t seq, base = 65536;
	unsigned k;

	reset();
	f[0] = mkfake(11, 1, 11);
	f[1] = mkfake(12, 1, 12);
	a = peer_with(f, 2, &cfg);
	/* f[0] pushes 3 of 4 packets; f[1] claims them all and never answers */
	for (seq = 0, k = 0; k < 3000; k++, seq++) {
		now_v += 2500000;
		if (seq % 4)
			fdata(a, &f[0], base + seq, seq * 2500000);
		if (seq % 50 == 0) {
			fbmap(a, &f[1], 0, base + seq - (seq > 1000 ? 1000 : seq), seq > 1000 ? 1000 : (unsigned)seq,
			      true);
			fbmap(a, &f[0], 0, 0, 0, false);
		}
		mesh_node_run(a);
	}
	mesh_node_stats(a, &st);
	CU_ASSERT_EQUAL(st.liars_dropped, 1);
	CU_ASSERT_EQUAL(fsmall(a, &f[1], MESH_MSG_PREQ, 0, 0, 0), -EPERM);
	mesh_node_free(a);
}

static void test_beyond_head(void)
{
	struct fake f;
	struct mesh_stats st;
	mesh_node *a;

	reset();
	f = mkfake(11, 1, 11);
	a = peer_with(&f, 1, NULL);
	fdata(a, &f, 70000, 1);
	fbmap(a, &f, 0, 70000 + 5000, 10, true);
	mesh_node_stats(a, &st);
	CU_ASSERT_EQUAL(st.liars_dropped, 1);
	CU_ASSERT_EQUAL(st.partners, 0);
	mesh_node_free(a);
}

static void test_hostile(void)
{
	struct fake f, g;
	struct mesh_stats st;
	uint8_t buf[MESH_WIRE_MAX], body[4] = { 8, 0, 0, 0 };
	struct mesh_hdr h = { .type = MESH_MSG_NQUERY, .channel = CH, .sender = 11, .ts = 5000, .session = 7 };
	uint8_t wrong[32] = { 9 };
	mesh_node *a;
	size_t len, i, k;

	reset();
	f = mkfake(11, 1, 11);
	g = mkfake(12, 1, 12);
	a = mknode(MESH_ROLE_PEER, 100, 1, 100, NULL);
	/* random bytes */
	for (k = 0; k < 2000; k++) {
		len = tu_rand_below(sizeof(buf));
		for (i = 0; i < len; i++)
			buf[i] = (uint8_t)tu_rand();
		CU_ASSERT(mesh_node_input(a, buf, len, f.handle) < 0);
	}
	/* another key */
	memcpy(buf + MESH_WIRE_HDR, body, 4);
	len = mesh_wire_seal(wrong, buf, &h, 4);
	CU_ASSERT_EQUAL(mesh_node_input(a, buf, len, f.handle), -EACCES);
	/* a replayed query */
	len = mesh_wire_seal(mkey, buf, &h, 4);
	CU_ASSERT_EQUAL(mesh_node_input(a, buf, len, f.handle), 0);
	CU_ASSERT_EQUAL(mesh_node_input(a, buf, len, f.handle), -EALREADY);
	/* data from a node that is no partner */
	CU_ASSERT_EQUAL(fdata(a, &g, 70000, 1), 0);
	/* a flood of queries is rate limited */
	for (k = 0; k < 1000; k++)
		fsmall(a, &g, MESH_MSG_NQUERY, 8, 0, 0);
	/* a peer claiming to be a source */
	{
		struct mesh_hello m = { .flags = MESH_HELLO_SOURCE };
		uint8_t b[24];

		mesh_enc_hello(b, &m);
		fsend(a, &f, MESH_MSG_HELLO, b, 24);
	}
	mesh_node_stats(a, &st);
	CU_ASSERT(st.malformed + st.auth_failed >= 2000);
	CU_ASSERT(st.auth_failed >= 1);
	CU_ASSERT_EQUAL(st.replayed, 1);
	CU_ASSERT(st.unsupported >= 1);
	CU_ASSERT(st.rate_limited > 0);
	CU_ASSERT_EQUAL(st.liars_dropped, 1);
	CU_ASSERT_EQUAL(st.delivered, 0);
	mesh_node_free(a);
}

static bool queried(size_t from, uint64_t to)
{
	return count_to(from, to, MESH_MSG_NQUERY) > 0;
}

static void test_refinement(void)
{
	struct fake far[3], near[3];
	struct mesh_peer_info pi[3];
	struct mesh_entries e = { 0 };
	struct mesh_stats st;
	uint8_t body[MESH_WIRE_MAX];
	mesh_node *a;
	unsigned i;
	size_t mark;

	reset();
	for (i = 0; i < 3; i++) {
		far[i] = mkfake(20 + i, 0x100 + i, 1);   /* other /48s */
		near[i] = mkfake(30 + i, 1, 50 + i);     /* our /64 */
		pi[i].id = far[i].id;
		pi[i].addr = far[i].addr;
		pi[i].handle = far[i].handle;
		e.e[i].id = near[i].id;
		e.e[i].addr = near[i].addr;
	}
	e.n = 3;
	a = mknode(MESH_ROLE_PEER, 100, 1, 100, NULL);
	CU_ASSERT_EQUAL(mesh_node_add_peers(a, pi, 3, NULL, 0), 3);
	mark = nout;
	mesh_node_run(a);
	for (i = 0; i < 3; i++)
		CU_ASSERT(queried(mark, far[i].handle));
	/* one answers with nodes in our /64: they are asked in turn */
	fsend(a, &far[0], MESH_MSG_NANSWER, body, (size_t)mesh_enc_entries(body, &e));
	mark = nout;
	now_v += 200 * MS;
	mesh_node_run(a);
	for (i = 0; i < 3; i++)
		CU_ASSERT(queried(mark, near[i].handle));
	/* nothing new: converged; the near ones are in the OutView */
	for (i = 0; i < 10; i++) {
		now_v += 200 * MS;
		mesh_node_run(a);
	}
	mesh_node_stats(a, &st);
	CU_ASSERT_EQUAL(st.out_view, 6);
	CU_ASSERT(count_to(0, near[0].handle, MESH_MSG_HELLO) > 0);
	/* they go silent: removed as dead, and the tracker is asked */
	for (i = 0; i < 60; i++) {
		now_v += 100 * MS;
		mesh_node_run(a);
	}
	mesh_node_stats(a, &st);
	CU_ASSERT_EQUAL(st.out_view, 0);
	CU_ASSERT(st.dead_removed >= 6);
	CU_ASSERT(want_peers_calls >= 1);
	mesh_node_free(a);
}

static void test_bad_config(void)
{
	struct mesh_callbacks cb = { .now_ns = cb_now, .send = cb_send, .handle_of = cb_handle_of,
				     .addr_of = cb_addr_of };
	struct mesh_config cfg;
	mesh_node *n = NULL;

	mesh_config_defaults(&cfg, MESH_ROLE_PEER);
	cfg.channel_id = 1;
	cfg.self_id = MESH_SOURCE_ID_FLAG | 1; /* a peer with a source id */
	CU_ASSERT_EQUAL(mesh_node_new(&cfg, &cb, &n), -EINVAL);
	cfg.self_id = 1;
	cfg.strips = 17;
	CU_ASSERT_EQUAL(mesh_node_new(&cfg, &cb, &n), -EINVAL);
	cfg.strips = 8;
	cfg.buffer_pkts = 1000;
	CU_ASSERT_EQUAL(mesh_node_new(&cfg, &cb, &n), -EINVAL);
	cfg.buffer_pkts = 1024;
	CU_ASSERT_EQUAL(mesh_node_new(&cfg, &cb, &n), 0);
	CU_ASSERT_EQUAL(mesh_node_input_rtp(n, (const uint8_t *)"x", 1), -EOPNOTSUPP);
	mesh_node_free(n);
	mesh_node_free(NULL);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "source capacity and redirect", test_source_capacity },
		{ "push without duplicates", test_push_no_duplicates },
		{ "general pull trigger", test_pull_triggers },
		{ "urgent pull trigger and playout", test_urgent_pull },
		{ "poor partner replaced, stalled strips moved", test_poor_partner },
		{ "a partner lying in its map is dropped", test_liar },
		{ "a map beyond the live head is a lie", test_beyond_head },
		{ "hostile input", test_hostile },
		{ "near-set refinement and dead neighbours", test_refinement },
		{ "bad settings", test_bad_config },
		{ NULL, NULL },
	};
	return tu_add_suite("mesh_node", tests);
}
