/* Unit tests of mesh_node on a fake clock, against scripted fake nodes
 * that speak the wire protocol, each with its own member identity from one
 * test CA: the source's capacity and redirect, push without duplicates
 * (local map copies), the general and urgent pull triggers, partner
 * scoring (a stalled strip moves, a poor partner is replaced), liars
 * dropped, hostile input counted and dropped, the near-set refinement and
 * dead-neighbour removal. And the trust rules (docs/protocol/mesh.md,
 * "Addresses"): a datagram replayed from another address moves nothing and
 * wins nothing, one for another receiver, with a forged or foreign
 * certificate, claiming another's id or from a revoked member is refused,
 * a node that moved proves its new address, nodes that know each other by
 * gossip only validate each other and stream, garbage costs no answer. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "mesh.h"
#include "mesh_wire.h"
#include "rtx_auth.h"
#include "sc_clock.h"
#include "tu.h"
#include "tu_mesh.h"

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
	/* each with its certificate, so that the third can speak to them */
	{
		uint8_t c[RTX_CERT_BYTES];

		cert_of(e.e[0].id == 11 ? f1.ident : f2.ident, c);
		CU_ASSERT_EQUAL(memcmp(e.e[0].cert, c, sizeof(c)), 0);
	}
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

static void test_pull_triggers(void)
{
	struct fake f;
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
	struct mesh_hdr h = { .type = MESH_MSG_NQUERY, .channel = CH, .receiver = 100, .ts = 5000, .session = 7 };
	uint8_t wrong[32] = { 9 };
	mesh_node *a;
	size_t len, i, k;
	int l;

	reset();
	a = mknode(MESH_ROLE_PEER, 100, 1, 100, NULL);
	f = mkfake(11, 1, 11);
	g = mkfake(12, 1, 12);
	meet(&f);
	/* random bytes */
	for (k = 0; k < 2000; k++) {
		len = tu_rand_below(sizeof(buf));
		for (i = 0; i < len; i++)
			buf[i] = (uint8_t)tu_rand();
		CU_ASSERT(mesh_node_input(a, buf, len, f.handle) < 0);
	}
	/* another channel's key */
	l = mesh_wire_seal(f.ident, wrong, &h, body, 4, false, buf, sizeof(buf));
	CU_ASSERT_EQUAL(mesh_node_input(a, buf, (size_t)l, f.handle), -EACCES);
	/* another channel */
	h.channel = CH + 1;
	l = mesh_wire_seal(f.ident, mkey, &h, body, 4, false, buf, sizeof(buf));
	CU_ASSERT_EQUAL(mesh_node_input(a, buf, (size_t)l, f.handle), -EACCES);
	h.channel = CH;
	/* a replayed query */
	l = mesh_wire_seal(f.ident, mkey, &h, body, 4, false, buf, sizeof(buf));
	CU_ASSERT_EQUAL(mesh_node_input(a, buf, (size_t)l, f.handle), 0);
	CU_ASSERT_EQUAL(mesh_node_input(a, buf, (size_t)l, f.handle), -EALREADY);
	/* data from a node that is no partner */
	CU_ASSERT_EQUAL(fdata(a, &g, 70000, 1), 0);
	/* a flood of queries is rate limited */
	for (k = 0; k < 1000; k++)
		fsmall(a, &g, MESH_MSG_NQUERY, 8, 0, 0);
	/* a query for more than a list holds */
	CU_ASSERT_EQUAL(fsmall(a, &f, MESH_MSG_NQUERY, MESH_WIRE_MAX_ENTRIES + 1, 0, 0), 0);
	/* a peer claiming to be a source */
	{
		struct mesh_hello m = { .flags = MESH_HELLO_SOURCE };
		uint8_t b[24];

		mesh_enc_hello(b, &m);
		fsend(a, &f, MESH_MSG_HELLO, b, 24);
	}
	mesh_node_stats(a, &st);
	CU_ASSERT(st.malformed + st.auth_failed >= 2000);
	CU_ASSERT(st.auth_failed >= 2);
	CU_ASSERT(st.malformed >= 1);
	CU_ASSERT_EQUAL(st.replayed, 1);
	CU_ASSERT(st.unsupported >= 1);
	CU_ASSERT(st.rate_limited > 0);
	CU_ASSERT_EQUAL(st.liars_dropped, 1);
	CU_ASSERT_EQUAL(st.delivered, 0);
	mesh_node_free(a);
}

/* Everything sent to handle `to` may go to an address not validated. */
static bool only_unvalidated_kinds(uint64_t to)
{
	for (size_t i = 0; i < nout; i++)
		if (outq[i].to == to && outq[i].type != MESH_MSG_HELLO && outq[i].type != MESH_MSG_NQUERY &&
		    outq[i].type != MESH_MSG_PREQ && outq[i].type != MESH_MSG_PATH)
			return false;
	return true;
}

static bool queried(size_t from, uint64_t to)
{
	return count_to(from, to, MESH_MSG_NQUERY) > 0;
}

static void test_refinement(void)
{
	struct fake far[3], near[3];
	struct mesh_peer_info pi[3];
	uint8_t certs[3][RTX_CERT_BYTES];
	struct mesh_entries e = { 0 };
	struct mesh_stats st;
	uint8_t body[MESH_WIRE_MAX];
	mesh_node *a;
	unsigned i;
	size_t mark;

	reset();
	a = mknode(MESH_ROLE_PEER, 100, 1, 100, NULL);
	for (i = 0; i < 3; i++) {
		far[i] = mkfake(20 + i, 0x100 + i, 1);   /* other /48s */
		near[i] = mkfake(30 + i, 1, 50 + i);     /* our /64 */
		pi[i].id = far[i].id;
		pi[i].addr = far[i].addr;
		pi[i].handle = far[i].handle;
		cert_of(far[i].ident, certs[i]);
		pi[i].cert = certs[i];
		e.e[i].id = near[i].id;
		e.e[i].addr = near[i].addr;
		cert_of(near[i].ident, e.e[i].cert);
	}
	e.n = 3;
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
	/* known by gossip only, never proven: greetings and questions only */
	for (i = 0; i < 3; i++)
		CU_ASSERT(only_unvalidated_kinds(near[i].handle));
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

/* ---- trust: identities and addresses ---- */

/* At HEAD, a captured datagram replayed from another address moved its
 * sender there before the replay check: the replayer got the channel.
 * Now a replay moves nothing and wins the replayer not one byte. */
static void test_replay_other_addr(void)
{
	struct fake f, x;
	uint8_t cap[8][MESH_WIRE_MAX], pkt[300], body[64];
	size_t caplen[8], nc = 0, in_bytes = 0, mark, k;
	struct mesh_stats st;
	struct mesh_pull pl = { .base = 65536 + 2, .n = 2, .off = { 0, 1 } };
	struct mesh_hello hl = { .depth = 255 };
	mesh_node *src;
	uint64_t s;

	reset();
	src = mknode(MESH_ROLE_SOURCE, MESH_SOURCE_ID_FLAG | 1, 0, 1, NULL);
	f = mkfake(11, 1, 11);
	x = mkfake(66, 2, 66); /* the replayer: a member, elsewhere */
	meet(&f);
	/* f's partnership as an eavesdropper captures it */
	mesh_enc_small(body, 1, 255, 0);
	CU_ASSERT_EQUAL(fsend_from(src, &f, f.handle, MESH_MSG_PREQ, body, 4, cap[nc], &caplen[nc]), 0);
	nc++;
	mesh_enc_small(body, 8, 0, 0xff);
	CU_ASSERT_EQUAL(fsend_from(src, &f, f.handle, MESH_MSG_SUB, body, 4, cap[nc], &caplen[nc]), 0);
	nc++;
	for (s = 0; s < 4; s++)
		mesh_node_input_rtp(src, pkt, rtp(pkt, s));
	CU_ASSERT_EQUAL(fsend_from(src, &f, f.handle, MESH_MSG_PULL, body, (size_t)mesh_enc_pull(body, &pl),
				   cap[nc], &caplen[nc]), 0);
	nc++;
	CU_ASSERT_EQUAL(fsend_from(src, &f, f.handle, MESH_MSG_HELLO, body, (size_t)mesh_enc_hello(body, &hl),
				   cap[nc], &caplen[nc]), 0);
	nc++;
	/* replayed, each three times, from x's address */
	mark = nout;
	for (k = 0; k < 3 * nc; k++) {
		CU_ASSERT_EQUAL(mesh_node_input(src, cap[k % nc], caplen[k % nc], x.handle), -EALREADY);
		in_bytes += caplen[k % nc];
	}
	for (s = 4; s < 14; s++)
		mesh_node_input_rtp(src, pkt, rtp(pkt, s));
	mesh_node_run(src);
	/* bytes answered per byte replayed: 0; the stream still goes to f */
	CU_ASSERT(in_bytes > 0);
	CU_ASSERT_EQUAL(bytes_to(mark, x.handle), 0);
	CU_ASSERT_EQUAL(count_to(mark, f.handle, MESH_MSG_DATA), 10);
	mesh_node_stats(src, &st);
	CU_ASSERT_EQUAL(st.replayed, 3 * nc);
	CU_ASSERT_EQUAL(st.moves, 0);
	CU_ASSERT_EQUAL(st.children, 1);
	/* a datagram of f's never seen before, sent first from x (a thief on
	 * the path): a challenge no larger than it, nothing else */
	mark = nout;
	CU_ASSERT_EQUAL(fsend_from(src, &f, x.handle, MESH_MSG_PULL, body, (size_t)mesh_enc_pull(body, &pl),
				   cap[0], &caplen[0]), -ENOTCONN);
	CU_ASSERT_EQUAL(count_to(mark, x.handle, MESH_MSG_PATH), 1);
	CU_ASSERT(bytes_to(mark, x.handle) <= caplen[0]);
	CU_ASSERT_EQUAL(count_to(mark, x.handle, MESH_MSG_DATA), 0);
	mesh_node_stats(src, &st);
	CU_ASSERT_EQUAL(st.unvalidated, 1);
	CU_ASSERT_EQUAL(st.moves, 0);
	mesh_node_free(src);
}

/* A peer's pushes replayed from elsewhere: DATA only has to be fresh, so
 * its replay passes the replay check, and is answered with nothing. */
static void test_replay_data(void)
{
	struct fake f, x;
	uint8_t cap[MESH_WIRE_MAX], body[MESH_WIRE_MAX], pkt[300];
	struct mesh_data d = { .rtp = pkt };
	struct mesh_stats st;
	size_t caplen, mark, k;
	mesh_node *a;

	reset();
	f = mkfake(11, 1, 11);
	x = mkfake(66, 2, 66);
	a = peer_with(&f, 1, NULL);
	mark = nout;
	for (k = 0; k < 20; k++) {
		d.seq = 65536 + k;
		d.src_ts = k * 2500000;
		d.rtp_len = rtp(pkt, d.seq);
		CU_ASSERT_EQUAL(fsend_from(a, &f, f.handle, MESH_MSG_DATA, body, (size_t)mesh_enc_data(body, &d),
					   cap, &caplen), 0);
		CU_ASSERT_EQUAL(mesh_node_input(a, cap, caplen, x.handle), -ENOTCONN);
	}
	mesh_node_run(a);
	CU_ASSERT_EQUAL(bytes_to(mark, x.handle), 0);
	mesh_node_stats(a, &st);
	CU_ASSERT_EQUAL(st.unvalidated, 20);
	CU_ASSERT_EQUAL(st.data_received, 20);
	CU_ASSERT_EQUAL(st.partners, 1);
	mesh_node_free(a);
}

/* Sealed for another node: refused, whoever sends it. */
static void test_other_receiver(void)
{
	struct fake f;
	struct mesh_stats st;
	struct mesh_hdr h = { .type = MESH_MSG_NQUERY, .channel = CH, .receiver = 200, .ts = 5, .session = 3 };
	uint8_t buf[MESH_WIRE_MAX], body[4] = { 8, 0, 0, 0 };
	rtx_ident *other;
	mesh_node *a;
	int len;

	reset();
	a = mknode(MESH_ROLE_PEER, 100, 1, 100, NULL);
	f = mkfake(11, 1, 11);
	meet(&f);
	other = new_ident(200);
	tu_ident_introduce(f.ident, other);
	len = mesh_wire_seal(f.ident, mkey, &h, body, 4, false, buf, sizeof(buf));
	CU_ASSERT_FATAL(len > 0);
	CU_ASSERT_EQUAL(mesh_node_input(a, buf, (size_t)len, f.handle), -EACCES);
	mesh_node_stats(a, &st);
	CU_ASSERT_EQUAL(st.auth_failed, 1);
	CU_ASSERT_EQUAL(nout, 0);
	mesh_node_free(a);
}

static void test_forged_cert(void)
{
	struct fake m;
	struct mesh_stats st;
	struct tu_pki other;
	struct rtx_cert c;
	uint8_t buf[MESH_WIRE_MAX], orig[MESH_WIRE_MAX], forged[RTX_CERT_BYTES], body[4] = { 8, 0, 0, 0 };
	uint8_t held[RTX_CERT_BYTES];
	mesh_node *a;
	size_t len;

	reset();
	a = mknode(MESH_ROLE_PEER, 100, 1, 100, NULL);
	m = mkfake(77, 2, 77);
	fake_knows_node(&m); /* it can seal for the node; the node knows nothing of it */
	len = fseal(&m, MESH_MSG_NQUERY, body, 4, orig);
	CU_ASSERT_FATAL(len == MESH_WIRE_OVERHEAD + RTX_CERT_BYTES + 4); /* its certificate attached */
	/* a bit of the CA's signature changed */
	memcpy(buf, orig, len);
	memcpy(forged, orig + MESH_WIRE_HDR, RTX_CERT_BYTES);
	forged[100] ^= 1;
	recert(&m, buf, len, forged);
	CU_ASSERT_EQUAL(mesh_node_input(a, buf, len, m.handle), -EACCES);
	/* the same id and key, signed by another CA */
	CU_ASSERT_EQUAL_FATAL(tu_pki_init(&other, cb_now, NULL), 0);
	tu_pki_issue(&other, m.id, rtx_ident_cert(m.ident)->pub, forged);
	memcpy(buf, orig, len);
	recert(&m, buf, len, forged);
	CU_ASSERT_EQUAL(mesh_node_input(a, buf, len, m.handle), -EACCES);
	/* a certificate that does not decode */
	memcpy(buf, orig, len);
	memset(forged, 0, sizeof(forged));
	recert(&m, buf, len, forged);
	CU_ASSERT_EQUAL(mesh_node_input(a, buf, len, m.handle), -EACCES);
	mesh_node_stats(a, &st);
	CU_ASSERT_EQUAL(st.auth_failed, 3);
	CU_ASSERT_EQUAL(nout, 0);
	CU_ASSERT_EQUAL(rtx_ident_peer_cert(node_ident, m.id, held), -ENOKEY); /* nothing learnt */
	/* the genuine one opens (and only meets the address rule) */
	CU_ASSERT_EQUAL(rtx_cert_decode(orig + MESH_WIRE_HDR, RTX_CERT_BYTES, &c), 0);
	CU_ASSERT_EQUAL(mesh_node_input(a, orig, len, m.handle), -ENOTCONN);
	CU_ASSERT_EQUAL(rtx_ident_peer_cert(node_ident, m.id, held), 0);
	mesh_node_free(a);
}

/* m, a member, speaks as f: with its own certificate, with f's, with none. */
static void test_claims_other_id(void)
{
	struct fake f, m;
	struct mesh_stats st;
	struct rtx_seal s;
	struct rtx_env e = { .type = MESH_MSG_NQUERY, .domain = CH, .sender = 11, .receiver = 100,
			     .session = 9, .body_len = 4 };
	uint8_t buf[MESH_WIRE_MAX], fc[RTX_CERT_BYTES], mc[RTX_CERT_BYTES];
	const uint8_t *certs[3] = { mc, fc, NULL };
	mesh_node *a;
	size_t off;
	int k;

	reset();
	a = mknode(MESH_ROLE_PEER, 100, 1, 100, NULL);
	f = mkfake(11, 1, 11);
	m = mkfake(77, 2, 77);
	meet(&f);
	fake_knows_node(&m);
	cert_of(f.ident, fc);
	cert_of(m.ident, mc);
	CU_ASSERT_EQUAL_FATAL(rtx_ident_seal_key(m.ident, 100, mkey, true, &s), 0);
	for (k = 0; k < 6; k++) {
		e.ts = 1000 + (uint64_t)k;
		e.hint = s.hint;
		e.cert = certs[k % 3];
		e.flags = e.cert ? RTX_ENV_FLAG_CERT : 0;
		off = rtx_env_put(buf, MESH_WIRE_MAGIC, &e);
		mesh_enc_small(buf + off, 8, 0, 0);
		rtx_auth_sign(s.key, buf, off + 4);
		CU_ASSERT_EQUAL(mesh_node_input(a, buf, off + 4 + MESH_WIRE_MAC, k < 3 ? m.handle : f.handle),
				-EACCES);
	}
	mesh_node_stats(a, &st);
	CU_ASSERT_EQUAL(st.auth_failed, 6);
	CU_ASSERT_EQUAL(nout, 0);
	mesh_node_free(a);
}

static void test_revoked(void)
{
	struct fake f;
	struct mesh_stats st;
	mesh_node *a;
	size_t mark;
	int i;

	reset();
	f = mkfake(11, 1, 11);
	a = peer_with(&f, 1, NULL);
	CU_ASSERT_EQUAL(fdata(a, &f, 65536, 1), 0);
	/* the management server revokes f's certificates */
	CU_ASSERT_EQUAL(rtx_ident_revoke(node_ident, f.id, tu_pki_wall_ms(&pki)), 0);
	mark = nout;
	CU_ASSERT(fdata(a, &f, 65537, 2) < 0);
	/* not a word more to it; once it is no longer sure we know its key
	 * it attaches its certificate: revoked */
	for (i = 0; i < 15; i++) {
		now_v += 100 * MS;
		mesh_node_run(a);
	}
	CU_ASSERT_EQUAL(bytes_to(mark, f.handle), 0);
	CU_ASSERT_EQUAL(fbmap(a, &f, 0, 0, 0, false), -EKEYREVOKED);
	mesh_node_stats(a, &st);
	CU_ASSERT(st.revoked >= 1);
	CU_ASSERT_EQUAL(st.partners, 0);
	CU_ASSERT_EQUAL(st.data_received, 1);
	mesh_node_free(a);
}

/* A partner that really moved proves its new address: then, and only
 * then, the node follows it. */
static void test_move_proven(void)
{
	struct fake f;
	struct mesh_stats st;
	struct mesh_addr a2 = mkaddr(1, 99);
	uint8_t body[64], cap[MESH_WIRE_MAX];
	uint64_t h2, token, echo;
	const struct sent *ch;
	size_t mark, caplen, len;
	mesh_node *a;

	reset();
	f = mkfake(11, 1, 11);
	a = peer_with(&f, 1, NULL);
	cb_handle_of(NULL, &a2, &h2);
	ident_at[h2] = f.ident;
	mark = nout;
	/* an empty map from the new address: smaller than a challenge (its
	 * certificate no longer attached), so nothing at all */
	memset(body, 0, sizeof(body));
	CU_ASSERT_EQUAL(fsend_from(a, &f, h2, MESH_MSG_BMAP, body, 12, cap, &caplen), -ENOTCONN);
	CU_ASSERT(caplen < MESH_WIRE_OVERHEAD + MESH_WIRE_PATH);
	CU_ASSERT_EQUAL(nout, mark);
	/* its heartbeat: a challenge there, nothing else */
	mesh_enc_hello(body, &(struct mesh_hello){ .depth = 0 });
	CU_ASSERT_EQUAL(fsend_from(a, &f, h2, MESH_MSG_HELLO, body, 24, cap, &caplen), -ENOTCONN);
	CU_ASSERT_EQUAL(nout - mark, 1);
	ch = last_to(h2, MESH_MSG_PATH);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ch);
	CU_ASSERT(ch->len <= caplen);
	CU_ASSERT_EQUAL(ch->opened, 0);
	{
		const uint8_t *pb = body_of(ch, &len);

		CU_ASSERT_EQUAL_FATAL(mesh_dec_path(pb, len, &token, &echo), 0);
	}
	CU_ASSERT(token != 0);
	CU_ASSERT_EQUAL(echo, 0);
	/* a wrong echo changes nothing; the right one moves it */
	mesh_enc_path(body, 0, token + 1);
	CU_ASSERT_EQUAL(fsend_from(a, &f, h2, MESH_MSG_PATH, body, 16, NULL, NULL), 0);
	mesh_node_stats(a, &st);
	CU_ASSERT_EQUAL(st.moves, 0);
	mesh_enc_path(body, 0, token);
	CU_ASSERT_EQUAL(fsend_from(a, &f, h2, MESH_MSG_PATH, body, 16, NULL, NULL), 0);
	mesh_node_stats(a, &st);
	CU_ASSERT_EQUAL(st.validated, 1);
	CU_ASSERT_EQUAL(st.moves, 1);
	CU_ASSERT_EQUAL(count_to(mark, h2, MESH_MSG_HELLO), 1); /* said at once */
	mark = nout;
	now_v += 300 * MS;
	mesh_node_run(a);
	CU_ASSERT(count_to(mark, h2, MESH_MSG_BMAP) >= 1);
	CU_ASSERT_EQUAL(count_to(mark, f.handle, MESH_MSG_BMAP), 0);
	CU_ASSERT_EQUAL(st.partners, 1);
	mesh_node_free(a);
}

/* Garbage of every kind, from anywhere: dropped, counted, never answered. */
static void test_garbage_flood(void)
{
	struct fake f;
	struct mesh_stats st;
	struct rtx_env e = { .domain = CH, .receiver = 100, .session = 1 };
	uint8_t buf[MESH_WIRE_MAX], fc[RTX_CERT_BYTES];
	size_t mark, len, i, off;
	uint64_t drops;
	unsigned k;
	mesh_node *a;

	reset();
	f = mkfake(11, 1, 11);
	a = peer_with(&f, 1, NULL);
	cert_of(f.ident, fc);
	mark = nout;
	for (k = 0; k < 10000; k++) {
		len = 1 + tu_rand_below(sizeof(buf));
		for (i = 0; i < len; i++)
			buf[i] = (uint8_t)tu_rand();
		if (k % 2 && len > MESH_WIRE_OVERHEAD + RTX_CERT_BYTES + 24) {
			/* the right shape, a known or unknown sender, a certificate
			 * or not, a made-up MAC */
			e.type = (uint8_t)(1 + tu_rand_below(MESH_MSG_MAX));
			e.sender = k % 4 == 1 ? f.id : (uint32_t)tu_rand();
			e.flags = k % 8 < 4 ? RTX_ENV_FLAG_CERT : 0;
			e.cert = k % 16 < 4 ? fc : buf + 200;
			e.body_len = (uint16_t)(len - MESH_WIRE_OVERHEAD - (e.flags ? RTX_CERT_BYTES : 0));
			e.ts = tu_rand();
			off = rtx_env_put(buf, MESH_WIRE_MAGIC, &e);
			(void)off;
		}
		CU_ASSERT(mesh_node_input(a, buf, len, tu_rand_below(MAX_H)) < 0);
	}
	CU_ASSERT_EQUAL(nout, mark);
	mesh_node_stats(a, &st);
	drops = st.malformed + st.unsupported + st.auth_failed + st.unknown_sender + st.rate_limited;
	CU_ASSERT_EQUAL(drops, 10000);
	CU_ASSERT(st.auth_failed > 1000);
	CU_ASSERT_EQUAL(st.partners, 1);
	mesh_node_free(a);
}

/* P2 knows P1 only from the source's redirect (FULL): neither has the
 * other's address validated. They prove them to each other in one and a
 * half round trips, partner, and the stream flows. */
static void test_gossip_validation(void)
{
	struct mesh_stats st[NET_N];
	uint64_t next_pkt, t_end;
	uint16_t seq = 0;
	unsigned i;

	reset();
	net_reset();
	net_node_new(0, MESH_SOURCE_ID_FLAG | 1, MESH_ROLE_SOURCE);
	net_node_new(1, 101, MESH_ROLE_PEER);
	net_node_new(2, 102, MESH_ROLE_PEER);
	next_pkt = now_v;
	net_tracker(1);
	for (t_end = now_v + SC_NS_PER_S; now_v < t_end;)
		net_step(&next_pkt, &seq);
	net_tracker(2); /* the source is full: P1 is all it gives */
	for (t_end = now_v + 5 * SC_NS_PER_S; now_v < t_end;)
		net_step(&next_pkt, &seq);
	for (i = 0; i < NET_N; i++) {
		mesh_node_stats(net[i].n, &st[i]);
		CU_ASSERT_EQUAL(net[i].wrong_tx, 0);
		CU_ASSERT_EQUAL(st[i].tx_refused, 0);
	}
	CU_ASSERT_EQUAL(st[2].redirects_received, 1);
	CU_ASSERT(st[1].validated >= 1);
	CU_ASSERT(st[2].validated >= 1);
	/* P1 -> P2: the challenge, then the echo; P2 -> P1: echo and challenge */
	CU_ASSERT_EQUAL(net[1].paths_to[2], 2);
	CU_ASSERT_EQUAL(net[2].paths_to[1], 1);
	CU_ASSERT_EQUAL(st[2].partners, 1);
	CU_ASSERT(net[1].delivered > 1000);
	CU_ASSERT(net[2].delivered > 800);
	CU_ASSERT_EQUAL(st[2].lost, 0);
	for (i = 0; i < NET_N; i++)
		mesh_node_free(net[i].n);
}

static void test_bad_config(void)
{
	struct mesh_callbacks cb = { .now_ns = cb_now, .send = cb_send, .handle_of = cb_handle_of,
				     .addr_of = cb_addr_of };
	struct mesh_config cfg;
	mesh_node *n = NULL;
	rtx_ident *mine;

	reset();
	mesh_config_defaults(&cfg, MESH_ROLE_PEER);
	cfg.channel_id = 1;
	cfg.self_id = MESH_SOURCE_ID_FLAG | 1; /* a peer with a source id */
	cfg.ident = mine = new_ident(1);
	CU_ASSERT_EQUAL(mesh_node_new(&cfg, &cb, &n), -EINVAL);
	cfg.self_id = 1;
	cfg.ident = NULL; /* no identity */
	CU_ASSERT_EQUAL(mesh_node_new(&cfg, &cb, &n), -EINVAL);
	cfg.ident = new_ident(2); /* another's */
	CU_ASSERT_EQUAL(mesh_node_new(&cfg, &cb, &n), -EINVAL);
	cfg.ident = mine;
	cfg.max_packet = MESH_WIRE_MAX_RTP + 1; /* would not fit a 1500-byte packet */
	CU_ASSERT_EQUAL(mesh_node_new(&cfg, &cb, &n), -EINVAL);
	cfg.max_packet = MESH_WIRE_MAX_RTP;
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
		{ "a datagram replayed from another address wins nothing", test_replay_other_addr },
		{ "pushes replayed from another address are not answered", test_replay_data },
		{ "a datagram for another receiver is refused", test_other_receiver },
		{ "forged and foreign certificates are refused", test_forged_cert },
		{ "a member speaking as another is refused", test_claims_other_id },
		{ "a revoked member is refused", test_revoked },
		{ "a partner proves its new address, then moves", test_move_proven },
		{ "a flood of garbage costs no answer", test_garbage_flood },
		{ "nodes known by gossip validate each other and stream", test_gossip_validation },
		{ "bad settings", test_bad_config },
		{ NULL, NULL },
	};
	return tu_add_suite("mesh_node", tests);
}
