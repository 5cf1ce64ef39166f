/* mesh_overlay: the membership overlay (seed 004). Each node keeps an
 * OutView of k near neighbours and l random ones and knows its InView (the
 * nodes that keep it in theirs, from their heartbeats' OUT flag). The near
 * set starts from the tracker's k nearest and is refined by asking the
 * near neighbours for their own k nearest to us, then the new ones, until
 * the median distance of the k nearest stops improving. Heartbeats go to
 * both views every hello_interval and measure round trips (echoed
 * timestamps); a node silent for dead_after is removed; when the near set
 * falls under k/2 a refinement restarts, and when the random set is short
 * the caller is asked to query the tracker.
 *
 * Node lists (neighbour answers, a full source's redirect) carry each
 * node's certificate: a node lists only nodes whose certificate it holds,
 * and the receiver checks each (the CA's signature) before it keeps the
 * node, within a budget of checks per second. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mesh_int.h"
#include "sc_clock.h"

#define REFINE_STEP_NS (200 * SC_NS_PER_MS)
#define REFINE_MAX_ROUNDS 8
#define FULL_RETRY_NS (10 * SC_NS_PER_S)
/* Certificates from node lists checked per second (an Ed25519 check costs
 * about 0.1 ms: a member sending lists of made-up nodes must not take a
 * core), and at once (a joining node learns its neighbourhood). */
#define GOSSIP_CERT_RATE 64
#define GOSSIP_CERT_BURST 128

unsigned mesh_overlay_count(const struct mesh_node *n, bool near)
{
	unsigned i, c = 0;

	for (i = 0; i < MESH_MAX_PEERS; i++)
		if (n->peers[i].id && (near ? n->peers[i].out_near : n->peers[i].out_rand))
			c++;
	return c;
}

static bool usable(const struct mesh_node *n, const struct mesh_peer *p)
{
	return p->id && !p->is_source && p->addr.family && p->banned_until <= n->now;
}

void mesh_overlay_hello_in(struct mesh_node *n, struct mesh_peer *p, const struct mesh_hdr *h)
{
	struct mesh_hello m;
	uint64_t mine;

	if (mesh_dec_hello(h->body, h->body_len, &m) < 0) {
		n->st.malformed++;
		return;
	}
	if (m.flags & MESH_HELLO_LEAVE) {
		mesh_peer_forget(n, p);
		return;
	}
	p->in_view = !!(m.flags & MESH_HELLO_OUT);
	if (m.flags & MESH_HELLO_SOURCE) {
		if (!(h->sender & MESH_SOURCE_ID_FLAG)) {
			mesh_peer_ban(n, p, "claims to be a source");
			return;
		}
		if (m.newest > n->head_hint)
			n->head_hint = m.newest;
	}
	/* The echo is our own timestamp: the round trip is on our clock. */
	mine = n->cfg.ts_base_ns + (n->now - n->t0_ns);
	if (m.echo_ts && m.echo_ts <= mine && mine - m.echo_ts < 10 * SC_NS_PER_S) {
		uint64_t rtt = mine - m.echo_ts, held = (uint64_t)m.echo_delay_us * 1000;
		uint32_t us = (uint32_t)((rtt > held ? rtt - held : 0) / 1000);

		if (!us)
			us = 1;
		p->rtt_us = p->rtt_us ? (p->rtt_us * 7 + us) / 8 : us;
	}
	if (p->pstate == MESH_P_PARTNER && m.depth < p->depth)
		p->depth = m.depth;
}

/* Up to k of our neighbours nearest to `to` (not `to` itself). */
static size_t nearest_to(struct mesh_node *n, const struct mesh_peer *to, struct mesh_entries *out, size_t k)
{
	uint32_t dist[MESH_WIRE_MAX_ENTRIES];
	uint8_t cert[RTX_CERT_BYTES];
	unsigned i;
	size_t c = 0, j;

	for (i = 0; i < MESH_MAX_PEERS; i++) {
		const struct mesh_peer *p = &n->peers[i];
		uint32_t d;

		if (!usable(n, p) || p == to || !p->heard || !(p->out_near || p->out_rand || p->in_view))
			continue;
		d = mesh_addr_distance_us(&to->addr, &p->addr);
		if (c == k && d >= dist[k - 1])
			continue;
		if (rtx_ident_peer_cert(n->cfg.ident, p->id, cert) < 0)
			continue; /* only nodes whose certificate we hold */
		j = c < k ? c++ : k - 1;
		while (j > 0 && dist[j - 1] > d) {
			dist[j] = dist[j - 1];
			out->e[j] = out->e[j - 1];
			j--;
		}
		dist[j] = d;
		out->e[j].id = p->id;
		out->e[j].addr = p->addr;
		memcpy(out->e[j].cert, cert, RTX_CERT_BYTES);
	}
	out->n = c;
	return c;
}

void mesh_overlay_nquery_in(struct mesh_node *n, struct mesh_peer *p, const struct mesh_hdr *h)
{
	struct mesh_entries e;
	uint8_t want, r1;
	uint16_t r2;
	int len;

	if (mesh_dec_small(h->body, h->body_len, &want, &r1, &r2) < 0 || !want ||
	    want > MESH_WIRE_MAX_ENTRIES || r1 || r2) {
		n->st.malformed++;
		return;
	}
	nearest_to(n, p, &e, want);
	len = mesh_enc_entries(mesh_body(n), &e);
	if (len > 0)
		mesh_tx(n, p, MESH_MSG_NANSWER, (size_t)len);
}

/* A node from a list another node sent: its certificate first (checked by
 * the ident, within the budget unless we hold it already), then its entry
 * at the address listed, not validated: we may only greet it, ask it and
 * challenge it until it proves that address. */
static void learn_entry(struct mesh_node *n, const struct mesh_entry *x)
{
	uint8_t held[RTX_CERT_BYTES];

	if (x->id == n->cfg.self_id || (x->id & MESH_SOURCE_ID_FLAG))
		return;
	if (rtx_ident_peer_cert(n->cfg.ident, x->id, held) < 0 || memcmp(held, x->cert, RTX_CERT_BYTES)) {
		if (!rtx_bucket_take(&n->gossip, GOSSIP_CERT_RATE, GOSSIP_CERT_BURST, n->now, 1) ||
		    rtx_ident_learn(n->cfg.ident, x->cert, RTX_CERT_BYTES) < 0)
			return;
	}
	mesh_peer_learn(n, x->id, &x->addr, NULL);
}

void mesh_overlay_nanswer_in(struct mesh_node *n, struct mesh_peer *p, const struct mesh_hdr *h)
{
	struct mesh_entries e;
	size_t i;

	(void)p;
	if (mesh_dec_entries(h->body, h->body_len, &e) < 0) {
		n->st.malformed++;
		return;
	}
	for (i = 0; i < e.n; i++)
		learn_entry(n, &e.e[i]);
	if (n->refining)
		n->t_refine = n->now; /* look at the answer soon */
}

void mesh_overlay_redirect(struct mesh_node *n, struct mesh_peer *p)
{
	struct mesh_entries e = { 0 };
	unsigned i;
	int len;

	for (i = 0; i < MESH_MAX_PEERS && e.n < MESH_WIRE_MAX_ENTRIES; i++) {
		const struct mesh_peer *c = &n->peers[i];

		if (c->id && c->pstate == MESH_P_PARTNER && c->addr.family &&
		    rtx_ident_peer_cert(n->cfg.ident, c->id, e.e[e.n].cert) == 0) {
			e.e[e.n].id = c->id;
			e.e[e.n++].addr = c->addr;
		}
	}
	len = mesh_enc_entries(mesh_body(n), &e);
	if (len >= 0 && mesh_tx(n, p, MESH_MSG_FULL, (size_t)len) == 0)
		n->st.redirects_sent++;
}

void mesh_overlay_full_in(struct mesh_node *n, struct mesh_peer *p, const struct mesh_hdr *h)
{
	struct mesh_entries e;
	size_t i;

	if (mesh_dec_entries(h->body, h->body_len, &e) < 0) {
		n->st.malformed++;
		return;
	}
	n->st.redirects_received++;
	if (p->pstate == MESH_P_PARTNER)
		mesh_stream_drop_partner(n, p, false);
	p->pstate = MESH_P_NONE;
	p->retry_after_ns = n->now + FULL_RETRY_NS;
	for (i = 0; i < e.n; i++)
		learn_entry(n, &e.e[i]);
	n->t_partners = n->now;
}

struct mesh_peer *mesh_overlay_learn_info(struct mesh_node *n, const struct mesh_peer_info *pi)
{
	uint8_t held[RTX_CERT_BYTES];
	struct mesh_peer *p;

	if (!pi->id || pi->id == n->cfg.self_id)
		return NULL;
	if (pi->cert && rtx_ident_learn(n->cfg.ident, pi->cert, RTX_CERT_BYTES) < 0)
		return NULL;
	if (rtx_ident_peer_cert(n->cfg.ident, pi->id, held) < 0)
		return NULL; /* we could not say a word to it */
	if (!(p = mesh_peer_learn(n, pi->id, &pi->addr, &pi->handle)))
		return NULL;
	/* the management server registered that address */
	rtx_ident_addr_set(n->cfg.ident, pi->id, pi->handle);
	return p;
}

void mesh_overlay_start_refine(struct mesh_node *n)
{
	unsigned i;

	for (i = 0; i < MESH_MAX_PEERS; i++)
		n->peers[i].queried = false;
	n->refining = true;
	n->refine_rounds = 0;
	n->last_median = UINT32_MAX;
	n->t_refine = n->now;
	n->st.refinements++;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Mark the k nearest usable nodes as the near set; their median distance. */
static uint32_t choose_near(struct mesh_node *n)
{
	uint32_t d[MESH_MAX_PEERS], cut, med;
	unsigned i, c = 0, k = n->cfg.near_k, taken = 0;

	for (i = 0; i < MESH_MAX_PEERS; i++)
		if (usable(n, &n->peers[i]))
			d[c++] = mesh_peer_distance(n, &n->peers[i]);
	if (!c || !k) {
		for (i = 0; i < MESH_MAX_PEERS; i++)
			n->peers[i].out_near = false;
		return UINT32_MAX;
	}
	qsort(d, c, sizeof(d[0]), cmp_u32);
	cut = d[(c < k ? c : k) - 1];
	med = d[((c < k ? c : k) - 1) / 2];
	for (i = 0; i < MESH_MAX_PEERS; i++) {
		struct mesh_peer *p = &n->peers[i];

		p->out_near = usable(n, p) && taken < k && mesh_peer_distance(n, p) <= cut;
		if (p->out_near) {
			taken++;
			p->out_rand = false; /* a random one that is near counts as near */
		}
	}
	return med;
}

static void refine_step(struct mesh_node *n)
{
	uint8_t *b = mesh_body(n);
	uint32_t med = choose_near(n);
	unsigned i, asked = 0;

	for (i = 0; i < MESH_MAX_PEERS; i++) {
		struct mesh_peer *p = &n->peers[i];

		if (p->id && p->out_near && !p->queried) {
			p->queried = true;
			mesh_tx(n, p, MESH_MSG_NQUERY, (size_t)mesh_enc_small(b, (uint8_t)n->cfg.near_k, 0, 0));
			asked++;
		}
	}
	/* Converged: nobody new to ask and the median did not improve. */
	if ((!asked && med >= n->last_median) || ++n->refine_rounds >= REFINE_MAX_ROUNDS)
		n->refining = false;
	if (med < n->last_median)
		n->last_median = med;
}

/* Remove the dead, keep the views at size, ask the tracker when short. */
static void maintain(struct mesh_node *n)
{
	unsigned i, rnd = 0;

	for (i = 0; i < MESH_MAX_PEERS; i++) {
		struct mesh_peer *p = &n->peers[i];
		uint64_t since = p->heard ? p->last_heard_ns : p->added_ns;

		if (!p->id || p->banned_until > n->now)
			continue;
		if ((p->out_near || p->out_rand || p->in_view || p->pstate) && n->now - since > n->cfg.dead_after_ns) {
			n->st.dead_removed++;
			mesh_peer_forget(n, p);
		}
	}
	choose_near(n);
	for (i = 0; i < MESH_MAX_PEERS; i++)
		rnd += n->peers[i].id && n->peers[i].out_rand;
	/* fill the random set from known nodes outside the near set */
	for (i = 0; i < MESH_MAX_PEERS && rnd < n->cfg.random_l; i++) {
		struct mesh_peer *p = &n->peers[i];

		if (usable(n, p) && !p->out_near && !p->out_rand && p->heard) {
			p->out_rand = true;
			rnd++;
		}
	}
	if (mesh_overlay_count(n, true) < (n->cfg.near_k + 1) / 2 && !n->refining)
		mesh_overlay_start_refine(n);
	if (rnd < n->cfg.random_l && n->cb.want_peers && n->now >= n->t_tracker) {
		n->t_tracker = n->now + n->cfg.tracker_interval_ns;
		n->st.tracker_asks++;
		n->cb.want_peers(n->cb.ctx);
	}
}

void mesh_overlay_tick(struct mesh_node *n)
{
	if (n->cfg.role == MESH_ROLE_SOURCE) {
		unsigned i;

		for (i = 0; i < MESH_MAX_PEERS; i++) {
			struct mesh_peer *p = &n->peers[i];

			if (p->id && p->pstate && n->now - p->last_heard_ns > n->cfg.dead_after_ns) {
				n->st.dead_removed++;
				mesh_peer_forget(n, p);
			}
		}
		n->t_refine = n->now + n->cfg.refine_interval_ns;
		return;
	}
	if (n->refining) {
		refine_step(n);
		n->t_refine = n->now + (n->refining ? REFINE_STEP_NS : n->cfg.refine_interval_ns);
		return;
	}
	maintain(n);
	n->t_refine = n->now + (n->refining ? 0 : n->cfg.refine_interval_ns);
}

void mesh_overlay_hello_to(struct mesh_node *n, struct mesh_peer *p)
{
	struct mesh_hello h = { 0 };

	if (n->cfg.role == MESH_ROLE_SOURCE)
		h.flags |= MESH_HELLO_SOURCE;
	if (p->out_near || p->out_rand)
		h.flags |= MESH_HELLO_OUT;
	h.depth = n->depth;
	h.newest = mesh_buf_any(&n->buf) ? mesh_buf_newest(&n->buf) : 0;
	if (p->heard) {
		uint64_t held = (n->now - p->echo_at_ns) / 1000;

		h.echo_ts = p->echo_ts;
		h.echo_delay_us = held > UINT32_MAX ? UINT32_MAX : (uint32_t)held;
	}
	mesh_tx(n, p, MESH_MSG_HELLO, (size_t)mesh_enc_hello(mesh_body(n), &h));
}

void mesh_overlay_hello_tick(struct mesh_node *n)
{
	unsigned i;

	for (i = 0; i < MESH_MAX_PEERS; i++) {
		struct mesh_peer *p = &n->peers[i];

		if (!p->id || p->banned_until > n->now)
			continue;
		if (!(p->out_near || p->out_rand || p->in_view || p->pstate == MESH_P_PARTNER))
			continue;
		mesh_overlay_hello_to(n, p);
	}
}
