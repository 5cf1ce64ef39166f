/* mesh_stream: the streaming overlay (seed 004). Partners (4..8, near
 * first) exchange buffer maps; the stream is cut into P strips (sequence
 * mod P); a peer subscribes each strip from the partner that delivered it
 * best so far, among those nearer the source than itself (depth: the
 * source is 0, a node is one more than its nearest partner), which keeps
 * the push paths free of loops; a partner pushes each packet of a
 * subscribed strip the moment it holds it, unless its local copy of the
 * subscriber's map shows the packet there already. What push misses is
 * pulled: packets older than newest - TH1 (general pull), and any packet
 * within TH2 of its playback deadline (urgent pull), from a partner whose
 * map shows it. Each round, partners that delivered under half of what
 * their strips carried are flagged poor and replaced, and partners whose
 * maps claim packets they never deliver are dropped. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mesh_int.h"
#include "sc_clock.h"

#define ASK_TIMEOUT_NS (1 * SC_NS_PER_S)
#define RETRY_NS (3 * SC_NS_PER_S)
#define NO_PATH_NS (300 * SC_NS_PER_MS)
#define MAX_DEPTH 16
#define PARTNER_DEAD 3
#define STARVED_NS (600 * SC_NS_PER_MS)

static uint64_t rnd(struct mesh_node *n)
{
	uint64_t z;

	/* seeded from what the caller chose, so that a simulation replays */
	if (!n->rng)
		n->rng = n->cfg.ts_base_ns ^ ((uint64_t)n->cfg.self_id << 32) ^ 0x6d657368;
	z = (n->rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned popcount16(uint16_t v)
{
	unsigned c = 0;

	for (; v; v &= (uint16_t)(v - 1))
		c++;
	return c;
}

unsigned mesh_stream_partners(const struct mesh_node *n)
{
	unsigned i, c = 0;

	for (i = 0; i < MESH_MAX_PEERS; i++)
		c += n->peers[i].id && n->peers[i].pstate == MESH_P_PARTNER;
	return c;
}

static void recompute_depth(struct mesh_node *n)
{
	unsigned i, min = MESH_DEPTH_NONE;
	uint8_t d;

	if (n->cfg.role == MESH_ROLE_SOURCE)
		return;
	for (i = 0; i < MESH_MAX_PEERS; i++) {
		const struct mesh_peer *p = &n->peers[i];

		if (p->id && p->pstate == MESH_P_PARTNER && p->depth < min)
			min = p->depth;
	}
	/* a depth past MAX_DEPTH is a loop of partners counting up */
	d = min >= MAX_DEPTH ? MESH_DEPTH_NONE : (uint8_t)(min + 1);
	/* A node that receives nothing has no path, whatever its partners
	 * say: this cuts the count to infinity of a group of partners whose
	 * common upstream died. */
	if (n->anchored && n->now - n->last_arrival_ns > STARVED_NS)
		d = MESH_DEPTH_NONE;
	if (d != n->depth) {
		n->depth = d;
		n->t_bmap = n->now; /* tell the partners soon */
		if (d == MESH_DEPTH_NONE)
			n->no_path_since_ns = n->now;
	}
}

static void send_small(struct mesh_node *n, struct mesh_peer *p, uint8_t type, uint8_t a, uint8_t b, uint16_t c)
{
	mesh_tx(n, p, type, (size_t)mesh_enc_small(mesh_body(n), a, b, c));
}

static void send_bmap(struct mesh_node *n, struct mesh_peer *p)
{
	struct mesh_bmap_msg m = { .depth = n->depth };

	/* Poison reverse: a partner our depth comes from is told we have no
	 * path of our own, so that two partners never take each other for
	 * their way to the source (and count up when it goes). */
	if (n->cfg.role == MESH_ROLE_PEER && n->depth != MESH_DEPTH_NONE && p->depth + 1 == n->depth)
		m.depth = MESH_DEPTH_NONE;

	if (mesh_buf_any(&n->buf) && !n->paused) {
		uint64_t newest = mesh_buf_newest(&n->buf), lo = mesh_buf_oldest(&n->buf);

		m.start = newest + 1 >= n->cfg.bmap_bits ? newest + 1 - n->cfg.bmap_bits : 0;
		if (m.start < lo)
			m.start = lo;
		m.nbits = (uint16_t)(newest - m.start + 1);
		mesh_bmap_export(&n->buf.have, m.start, m.nbits, n->bits);
		m.bits = n->bits;
	}
	mesh_tx(n, p, MESH_MSG_BMAP, (size_t)mesh_enc_bmap(mesh_body(n), &m));
}

void mesh_stream_drop_partner(struct mesh_node *n, struct mesh_peer *p, bool tell)
{
	bool was = p->pstate == MESH_P_PARTNER;

	if (tell && was)
		send_small(n, p, MESH_MSG_PREFUSE, 0, 0, 0);
	p->pstate = MESH_P_NONE;
	p->sub_from_us = p->sub_to_it = 0;
	p->depth = MESH_DEPTH_NONE;
	mesh_bmap_clear(&p->map);
	memset(p->strip_recv, 0, sizeof(p->strip_recv));
	p->round_recv = p->claimed = p->answered = 0;
	if (was) {
		n->st.partners_dropped++;
		recompute_depth(n);
		mesh_stream_assign(n);
	}
}

static void become_partner(struct mesh_node *n, struct mesh_peer *p, uint8_t depth)
{
	unsigned s;

	if (p->pstate != MESH_P_PARTNER) {
		n->st.partners_added++;
		p->partner_since_ns = n->now;
		for (s = 0; s < MESH_MAX_STRIPS; s++)
			p->strip_last_ns[s] = n->now;
	}
	p->pstate = MESH_P_PARTNER;
	p->depth = depth;
	p->heard = true;
	recompute_depth(n);
	send_bmap(n, p);
	mesh_stream_assign(n);
}

/* ---- control messages of the streaming overlay ---- */

/* Room for a requester: up to partners_max, and a little past it for one
 * that has almost no partner yet (else a late joiner in a mesh where
 * everyone is full would never get in). */
#define STARVING_SLACK 4
#define STARVING 0x8000u /* in a PREQ: refused everywhere for a while */
#define STARVING_NS (1 * SC_NS_PER_S)

/* A requester without a way to the source, to a node with one: taken past
 * partners_max. Else the nodes of a host or a metro that found each other
 * first make an island, with partners enough never to count as starving,
 * refused by every full node that has the stream, for seconds. */
static bool bridges(const struct mesh_node *n, uint8_t its_depth)
{
	return its_depth == MESH_DEPTH_NONE && n->depth != MESH_DEPTH_NONE;
}

static void preq_in(struct mesh_node *n, struct mesh_peer *p, uint8_t depth, uint16_t its_partners)
{
	unsigned have = mesh_stream_partners(n);

	if (p->pstate == MESH_P_PARTNER) { /* our accept was lost */
		send_small(n, p, MESH_MSG_PACCEPT, n->depth, 0, 0);
		return;
	}
	if (n->cfg.role == MESH_ROLE_SOURCE) {
		if (have >= n->cfg.max_children) {
			mesh_overlay_redirect(n, p);
			return;
		}
	} else if (n->paused || p->is_source) {
		send_small(n, p, MESH_MSG_PREFUSE, MESH_REFUSE_PAUSED, 0, 0);
		return;
	} else if (have >= n->cfg.partners_max + (its_partners & STARVING || bridges(n, depth) ? STARVING_SLACK : 0)) {
		send_small(n, p, MESH_MSG_PREFUSE, MESH_REFUSE_FULL, 0, 0);
		return;
	}
	send_small(n, p, MESH_MSG_PACCEPT, n->depth, 0, 0);
	become_partner(n, p, depth);
}

/* A map claiming packets far beyond anything we know of lies. */
static bool beyond_head(const struct mesh_node *n, uint64_t claimed)
{
	uint64_t head = n->head_hint;

	if (mesh_buf_any(&n->buf) && mesh_buf_newest(&n->buf) > head)
		head = mesh_buf_newest(&n->buf);
	return head && claimed > head + n->cfg.max_ahead;
}

static void bmap_in(struct mesh_node *n, struct mesh_peer *p, const struct mesh_hdr *h)
{
	struct mesh_bmap_msg m;

	if (mesh_dec_bmap(h->body, h->body_len, &m) < 0) {
		n->st.malformed++;
		return;
	}
	if (p->pstate != MESH_P_PARTNER) {
		n->st.unsupported++;
		return;
	}
	if (m.nbits && beyond_head(n, m.start + m.nbits - 1)) {
		mesh_peer_ban(n, p, "buffer map beyond the live head");
		return;
	}
	if (m.nbits)
		mesh_bmap_merge(&p->map, m.start, m.nbits, m.bits);
	if (m.depth != p->depth) {
		p->depth = m.depth;
		recompute_depth(n);
		mesh_stream_assign(n);
	}
}

static void sub_in(struct mesh_node *n, struct mesh_peer *p, const struct mesh_hdr *h)
{
	uint8_t strips, r;
	uint16_t mask;

	if (mesh_dec_small(h->body, h->body_len, &strips, &r, &mask) < 0 || r || strips != n->cfg.strips ||
	    (strips < 16 && (mask >> strips))) {
		n->st.malformed++;
		return;
	}
	if (p->pstate != MESH_P_PARTNER) {
		n->st.unsupported++;
		return;
	}
	if (h->type == MESH_MSG_SUB)
		p->sub_from_us = mask;
	else
		p->sub_from_us &= (uint16_t)~mask;
}

static void send_data(struct mesh_node *n, struct mesh_peer *p, const struct mesh_slot *s, uint8_t flags)
{
	struct mesh_data d = { .flags = flags, .seq = s->seq, .src_ts = s->src_ts, .rtp = s->data,
			       .rtp_len = s->len };
	int len = mesh_enc_data(mesh_body(n), &d);

	if (len < 0)
		return;
	if (mesh_tx(n, p, MESH_MSG_DATA, (size_t)len) == 0) {
		mesh_bmap_set(&p->map, s->seq);
		if (flags & MESH_DATA_PULLED)
			n->st.data_pulled_out++;
		else
			n->st.data_pushed++;
	}
}

static void pull_in(struct mesh_node *n, struct mesh_peer *p, const struct mesh_hdr *h)
{
	struct mesh_pull m;
	uint32_t granted;
	size_t i;

	if (mesh_dec_pull(h->body, h->body_len, &m) < 0) {
		n->st.malformed++;
		return;
	}
	if (p->pstate != MESH_P_PARTNER) {
		n->st.unsupported++;
		return;
	}
	n->st.pulls_received += m.n;
	granted = rtx_bucket_take(&p->pull, n->cfg.pull_rate_pps, n->cfg.pull_burst, n->now, (uint32_t)m.n);
	for (i = 0; i < m.n; i++) {
		const struct mesh_slot *s = mesh_buf_get(&n->buf, m.base + m.off[i]);

		if (!s) {
			n->st.pulls_missing++;
		} else if (i >= granted) {
			n->st.pulls_refused++;
		} else {
			send_data(n, p, s, MESH_DATA_PULLED);
		}
	}
}

void mesh_stream_ctl_in(struct mesh_node *n, struct mesh_peer *p, const struct mesh_hdr *h)
{
	uint8_t a, b;
	uint16_t c;

	switch (h->type) {
	case MESH_MSG_PREQ:
	case MESH_MSG_PACCEPT:
	case MESH_MSG_PREFUSE:
		if (mesh_dec_small(h->body, h->body_len, &a, &b, &c) < 0) {
			n->st.malformed++;
			return;
		}
		if (h->type == MESH_MSG_PREQ) {
			preq_in(n, p, b, c);
		} else if (h->type == MESH_MSG_PACCEPT) {
			if (n->cfg.role == MESH_ROLE_SOURCE || (p->pstate == MESH_P_NONE &&
			    (n->paused || mesh_stream_partners(n) >= n->cfg.partners_max)))
				send_small(n, p, MESH_MSG_PREFUSE, MESH_REFUSE_FULL, 0, 0);
			else
				become_partner(n, p, a);
		} else if (p->pstate == MESH_P_PARTNER) {
			mesh_stream_drop_partner(n, p, false);
		} else if (p->pstate == MESH_P_ASKED) {
			p->pstate = MESH_P_NONE;
			p->retry_after_ns = n->now + RETRY_NS;
			n->t_partners = n->now;
		}
		return;
	case MESH_MSG_BMAP:
		bmap_in(n, p, h);
		return;
	case MESH_MSG_SUB:
	case MESH_MSG_UNSUB:
		sub_in(n, p, h);
		return;
	case MESH_MSG_PULL:
		pull_in(n, p, h);
		return;
	case MESH_MSG_FULL:
		if (n->cfg.role == MESH_ROLE_PEER && (h->sender & MESH_SOURCE_ID_FLAG))
			mesh_overlay_full_in(n, p, h);
		else
			n->st.unsupported++;
		return;
	default:
		n->st.unsupported++;
	}
}

/* ---- data ---- */

static uint64_t est_src_ts(const struct mesh_node *n, uint64_t seq)
{
	if (seq >= n->first_seq)
		return n->anchor_src_ts + (seq - n->first_seq) * n->ns_per_pkt;
	return n->anchor_src_ts - (n->first_seq - seq) * n->ns_per_pkt;
}

/* Playback deadline of seq on our clock. */
static uint64_t deadline(const struct mesh_node *n, uint64_t seq)
{
	const struct mesh_slot *s = mesh_buf_get(&n->buf, seq);
	uint64_t est = est_src_ts(n, seq), ts = est, slack = n->cfg.playout_delay_ns / 2;

	if (s) {
		/* a timestamp far from the estimate would stall the playout */
		ts = s->src_ts;
		if (ts > est + slack)
			ts = est + slack;
		if (ts + slack < est)
			ts = est - slack;
	}
	/* unsigned: a hostile timestamp wraps instead of overflowing */
	return ts + (uint64_t)n->offset_ns + n->cfg.playout_delay_ns;
}

static void delivered(struct mesh_node *n, const struct mesh_slot *s)
{
	uint64_t lag = n->now > s->src_ts ? n->now - s->src_ts : 0;

	if (n->cb.deliver)
		n->cb.deliver(n->cb.ctx, s->seq, s->data, s->len);
	n->st.delivered++;
	n->st.lag_sum_ns += lag;
	if (lag > n->st.lag_max_ns)
		n->st.lag_max_ns = lag;
	if (!n->st.first_deliver_ns)
		n->st.first_deliver_ns = n->now;
}

static void anchor(struct mesh_node *n, uint64_t seq, uint64_t src_ts)
{
	n->anchored = true;
	n->first_seq = n->play_next = seq;
	n->started = false;
	n->anchor_src_ts = src_ts;
	n->offset_ns = (int64_t)(n->now - src_ts);
	if (!n->ns_per_pkt)
		n->ns_per_pkt = SC_NS_PER_MS; /* until measured */
	n->round_newest = seq;
	if (!n->st.first_packet_ns)
		n->st.first_packet_ns = n->now;
}

static void push(struct mesh_node *n, const struct mesh_slot *s, const struct mesh_peer *from)
{
	uint16_t bit = (uint16_t)(1u << mesh_strip_of(s->seq, n->cfg.strips));
	unsigned i;

	for (i = 0; i < MESH_MAX_PEERS; i++) {
		struct mesh_peer *q = &n->peers[i];

		if (q == from || !q->id || q->pstate != MESH_P_PARTNER || !(q->sub_from_us & bit))
			continue;
		if (mesh_bmap_test(&q->map, s->seq))
			continue; /* it has it: no packet is pushed twice */
		send_data(n, q, s, 0);
	}
}

/* Store a packet that came from the channel (source role) or the mesh,
 * push it on, release it (arrival mode). Returns 0 or -EALREADY etc. */
static int store(struct mesh_node *n, uint64_t seq, uint64_t src_ts, const uint8_t *rtp, size_t len,
		 const struct mesh_peer *from)
{
	const struct mesh_slot *s;
	int rc = mesh_buf_put(&n->buf, seq, rtp, len, src_ts, n->now);

	if (rc < 0)
		return rc;
	s = mesh_buf_get(&n->buf, seq);
	if (seq == mesh_buf_newest(&n->buf))
		n->last_arrival_ns = n->now;
	if (n->cfg.role == MESH_ROLE_PEER) {
		if (!n->anchored)
			anchor(n, seq, src_ts);
		else if (seq < n->play_next)
			n->st.late++;
		if (seq > n->first_seq + 16 && src_ts > n->anchor_src_ts && seq == mesh_buf_newest(&n->buf))
			n->ns_per_pkt = (src_ts - n->anchor_src_ts) / (seq - n->first_seq);
		if (n->cfg.release == MESH_RELEASE_ARRIVAL && seq >= n->first_seq)
			delivered(n, s);
	}
	push(n, s, from);
	return 0;
}

void mesh_stream_store_local(struct mesh_node *n, uint64_t seq, uint64_t src_ts, const uint8_t *rtp,
			     size_t len)
{
	if (store(n, seq, src_ts, rtp, len, NULL) == 0)
		n->st.data_received++;
}

static void restart(struct mesh_node *n)
{
	unsigned i;

	sc_logf(&n->lg, LOG_INFO, "mesh: the stream restarted");
	mesh_buf_reset(&n->buf);
	n->anchored = false;
	n->ns_per_pkt = 0;
	n->jump_seq = 0;
	for (i = 0; i < MESH_MAX_PEERS; i++)
		mesh_bmap_clear(&n->peers[i].map);
}

/* A sequence far ahead of ours is a restart of the source only when the
 * source itself or two different partners say so. */
static bool accept_jump(struct mesh_node *n, const struct mesh_peer *p, uint64_t seq)
{
	if (!mesh_buf_any(&n->buf) || seq <= mesh_buf_newest(&n->buf) + n->cfg.max_ahead)
		return true;
	if (!p->is_source && (!n->jump_seq || n->jump_from == p->id ||
			      seq > n->jump_seq + n->cfg.buffer_pkts || seq + n->cfg.buffer_pkts < n->jump_seq)) {
		n->jump_seq = seq;
		n->jump_from = p->id;
		return false;
	}
	restart(n);
	return true;
}

void mesh_stream_data_in(struct mesh_node *n, struct mesh_peer *p, const struct mesh_hdr *h)
{
	struct mesh_data d;
	unsigned strip;
	int rc;

	if (mesh_dec_data(h->body, h->body_len, &d) < 0 || d.rtp_len > n->cfg.max_packet) {
		n->st.malformed++;
		return;
	}
	if (n->cfg.role != MESH_ROLE_PEER || p->pstate != MESH_P_PARTNER || n->paused) {
		n->st.unsupported++;
		return;
	}
	if (!accept_jump(n, p, d.seq))
		return;
	strip = mesh_strip_of(d.seq, n->cfg.strips);
	mesh_bmap_set(&p->map, d.seq);
	p->strip_recv[strip]++;
	p->strip_last_ns[strip] = n->now;
	if (p->sub_to_it & (1u << strip))
		p->round_recv++;
	if (d.flags & MESH_DATA_PULLED) {
		uint64_t i = d.seq & (n->cfg.buffer_pkts - 1);

		if (n->pull_seq[i] == d.seq && n->pull_from[i] == p->id)
			p->answered++;
	}
	rc = store(n, d.seq, d.src_ts, d.rtp, d.rtp_len, p);
	if (rc == -EALREADY) {
		n->st.data_duplicates++;
		return;
	}
	if (rc < 0)
		return;
	n->st.data_received++;
	if (d.flags & MESH_DATA_PULLED)
		n->st.data_pulled_in++;
	else
		n->st.data_pushed_in++;
}

/* ---- periodic work ---- */

/* How long a strip may stay silent before that means something: at least
 * base, and at least 3 of its packets (a strip carries one packet in P: a
 * slow stream is not silence). */
static uint64_t strip_silence(const struct mesh_node *n, uint64_t base)
{
	uint64_t slow = 3 * n->cfg.strips * n->ns_per_pkt;

	return slow > base ? slow : base;
}

/* A subscription is soft state: a SUB lost on the way would leave the
 * strips unserved for good (a node that never received anything has no
 * stall to detect), so it is said again while its strips stay silent. */
static void resub_if_silent(struct mesh_node *n, struct mesh_peer *p)
{
	uint64_t quiet = strip_silence(n, 2 * n->cfg.bmap_interval_ns);
	unsigned s;

	for (s = 0; s < n->cfg.strips; s++)
		if ((p->sub_to_it >> s) & 1 && n->now - p->strip_last_ns[s] > quiet) {
			send_small(n, p, MESH_MSG_SUB, (uint8_t)n->cfg.strips, 0, p->sub_to_it);
			return;
		}
}

/* Partners publish a map every bmap_interval: one silent for PARTNER_DEAD
 * of them is gone (killed, unplugged), long before the overlay's
 * dead_after, so that its strips and its slot move on at once. */
void mesh_stream_bmap_tick(struct mesh_node *n)
{
	unsigned i;

	for (i = 0; i < MESH_MAX_PEERS; i++) {
		struct mesh_peer *p = &n->peers[i];

		if (!p->id || p->pstate != MESH_P_PARTNER)
			continue;
		if (n->now - p->last_heard_ns > PARTNER_DEAD * n->cfg.bmap_interval_ns &&
		    n->now - p->partner_since_ns > PARTNER_DEAD * n->cfg.bmap_interval_ns) {
			sc_logf(&n->lg, LOG_DEBUG, "mesh: partner %u went silent", p->id);
			n->st.dead_removed++;
			mesh_stream_drop_partner(n, p, false);
			p->retry_after_ns = n->now + RETRY_NS;
			continue;
		}
		send_bmap(n, p);
		resub_if_silent(n, p);
	}
}

void mesh_stream_ask(struct mesh_node *n, struct mesh_peer *p)
{
	unsigned have = mesh_stream_partners(n);
	uint16_t c = (uint16_t)have;

	if (have >= 2)
		n->short_since_ns = 0;
	else if (!n->short_since_ns)
		n->short_since_ns = n->now;
	else if (n->now - n->short_since_ns > STARVING_NS)
		c |= STARVING;
	p->pstate = MESH_P_ASKED;
	p->asked_ns = n->now;
	send_small(n, p, MESH_MSG_PREQ, n->source_direct && p->is_source, n->depth, c);
}

/* The best candidate to ask: near first, poor ones only as a last resort. */
static struct mesh_peer *candidate(struct mesh_node *n)
{
	struct mesh_peer *best = NULL;
	unsigned i;

	for (i = 0; i < MESH_MAX_PEERS; i++) {
		struct mesh_peer *p = &n->peers[i];

		if (!p->id || p->is_source || !p->addr.family || p->pstate != MESH_P_NONE ||
		    p->banned_until > n->now || p->retry_after_ns > n->now)
			continue;
		if (!best || (best->poor && !p->poor) ||
		    (best->poor == p->poor && mesh_peer_distance(n, p) < mesh_peer_distance(n, best)))
			best = p;
	}
	return best;
}

/* A partner with no path of its own, the most recent first. */
static struct mesh_peer *pathless_partner(struct mesh_node *n)
{
	struct mesh_peer *best = NULL;
	unsigned i;

	for (i = 0; i < MESH_MAX_PEERS; i++) {
		struct mesh_peer *p = &n->peers[i];

		if (p->id && p->pstate == MESH_P_PARTNER && p->depth == MESH_DEPTH_NONE &&
		    (!best || p->partner_since_ns > best->partner_since_ns))
			best = p;
	}
	return best;
}

void mesh_stream_partners_tick(struct mesh_node *n)
{
	struct mesh_peer *src = n->source_id ? mesh_peer_find(n, n->source_id) : NULL, *p;
	unsigned i, count = 0;

	if (n->cfg.role != MESH_ROLE_PEER || n->paused)
		return;
	for (i = 0; i < MESH_MAX_PEERS; i++) {
		p = &n->peers[i];
		if (p->id && p->pstate == MESH_P_ASKED && n->now - p->asked_ns > ASK_TIMEOUT_NS) {
			p->pstate = MESH_P_NONE;
			p->retry_after_ns = n->now + RETRY_NS;
		}
		if (p->id && p->pstate && !p->is_source)
			count++;
	}
	if (n->depth == MESH_DEPTH_NONE && n->now - n->no_path_since_ns >= NO_PATH_NS && count >= n->cfg.partners_max &&
	    (p = pathless_partner(n))) {
		/* An island: full of partners, none with a way to the source
		 * (a host's or a metro's nodes found each other first). One
		 * makes room for a node farther away (which takes us past its
		 * partners_max when it has a path: bridges()), one every
		 * NO_PATH_NS. */
		mesh_stream_drop_partner(n, p, true);
		p->retry_after_ns = n->now + RETRY_NS;
		n->no_path_since_ns = n->now;
		count--;
	}
	if (src && src->pstate == MESH_P_NONE && src->retry_after_ns <= n->now &&
	    (n->source_direct || (n->depth == MESH_DEPTH_NONE && n->now - n->no_path_since_ns >= NO_PATH_NS)))
		mesh_stream_ask(n, src);
	/* without a path, look wider: up to partners_max */
	while ((count < n->cfg.partners_min ||
		(n->depth == MESH_DEPTH_NONE && count < n->cfg.partners_max)) && (p = candidate(n))) {
		mesh_stream_ask(n, p);
		count++;
	}
}

/* Strip s of this round: from whom. */
static struct mesh_peer *provider(struct mesh_node *n, unsigned s, const unsigned *load)
{
	struct mesh_peer *best = NULL, *cur = NULL;
	unsigned i;

	for (i = 0; i < MESH_MAX_PEERS; i++) {
		struct mesh_peer *p = &n->peers[i];

		if (!p->id || p->pstate != MESH_P_PARTNER || p->depth >= n->depth)
			continue;
		if (p->sub_to_it & (1u << s))
			cur = p;
		if (!best || ((best->stalled >> s) & 1) > ((p->stalled >> s) & 1)) {
			best = p;
			continue;
		}
		if (((best->stalled >> s) & 1) < ((p->stalled >> s) & 1))
			continue;
		if (p->strip_recv[s] > best->strip_recv[s] ||
		    (p->strip_recv[s] == best->strip_recv[s] && load[i] < load[best - n->peers]))
			best = p;
	}
	/* keep a provider that is still about as good: moving costs a gap */
	if (cur && !((cur->stalled >> s) & 1) && best && cur->strip_recv[s] &&
	    cur->strip_recv[s] * 5 >= best->strip_recv[s] * 4)
		return cur;
	return best;
}

void mesh_stream_assign(struct mesh_node *n)
{
	uint16_t mask[MESH_MAX_PEERS] = { 0 };
	unsigned load[MESH_MAX_PEERS] = { 0 };
	unsigned s, i;

	if (n->cfg.role != MESH_ROLE_PEER)
		return;
	for (s = 0; s < n->cfg.strips && !n->paused; s++) {
		struct mesh_peer *p = provider(n, s, load);

		if (p) {
			mask[p - n->peers] |= (uint16_t)(1u << s);
			load[p - n->peers]++;
		}
	}
	for (i = 0; i < MESH_MAX_PEERS; i++) {
		struct mesh_peer *p = &n->peers[i];

		if (!p->id || p->pstate != MESH_P_PARTNER || mask[i] == p->sub_to_it)
			continue;
		p->sub_to_it = mask[i];
		send_small(n, p, MESH_MSG_SUB, (uint8_t)n->cfg.strips, 0, mask[i]);
	}
}

/* Past partners_max (bridges() let a pathless node in): once a round, let
 * go of one partner no strip flows through either way. Extra partners
 * only add pushes and pulls that cross (duplicates). */
static void shed_extra(struct mesh_node *n)
{
	unsigned i;

	if (mesh_stream_partners(n) <= n->cfg.partners_max)
		return;
	for (i = 0; i < MESH_MAX_PEERS; i++) {
		struct mesh_peer *p = &n->peers[i];

		if (p->id && p->pstate == MESH_P_PARTNER && !p->sub_to_it && !p->sub_from_us &&
		    p->depth != MESH_DEPTH_NONE) {
			mesh_stream_drop_partner(n, p, true);
			p->retry_after_ns = n->now + RETRY_NS;
			return;
		}
	}
}

void mesh_stream_round_tick(struct mesh_node *n)
{
	uint64_t adv;
	unsigned i, s;

	if (n->cfg.role != MESH_ROLE_PEER || !n->anchored) {
		n->round_newest = mesh_buf_any(&n->buf) ? mesh_buf_newest(&n->buf) : 0;
		return;
	}
	adv = mesh_buf_newest(&n->buf) - n->round_newest;
	for (i = 0; i < MESH_MAX_PEERS; i++) {
		struct mesh_peer *p = &n->peers[i];
		uint64_t expected;

		if (!p->id || p->pstate != MESH_P_PARTNER)
			continue;
		expected = adv * popcount16(p->sub_to_it) / n->cfg.strips;
		if (p->claimed >= n->cfg.lie_limit && p->answered * 4 < p->claimed) {
			mesh_peer_ban(n, p, "claims packets it does not deliver");
			continue;
		}
		p->claimed /= 2;
		p->answered /= 2;
		/* delivered under half its strips, or went silent on them */
		if (((expected >= 16 && p->round_recv * 2 < expected) || (p->stalled && !p->round_recv)) &&
		    n->now - p->partner_since_ns > n->cfg.round_ns) {
			sc_logf(&n->lg, LOG_DEBUG, "mesh: partner %u is poor (%u of %llu)", p->id, p->round_recv,
				(unsigned long long)expected);
			p->poor = true;
			n->st.poor_flagged++;
			mesh_stream_drop_partner(n, p, true);
			p->retry_after_ns = n->now + RETRY_NS;
			continue;
		}
		p->round_recv = 0;
		p->stalled = 0;
		for (s = 0; s < MESH_MAX_STRIPS; s++)
			p->strip_recv[s] /= 2;
	}
	shed_extra(n);
	n->round_newest = mesh_buf_newest(&n->buf);
	mesh_stream_assign(n);
	n->t_partners = n->now;
}

/* A subscribed strip whose provider went quiet while the rest flows moves
 * elsewhere at once, not at the end of the round. */
static void check_stalls(struct mesh_node *n)
{
	uint64_t stall = strip_silence(n, n->cfg.stall_ns);
	bool moved = false;
	unsigned i, s;

	if (n->now - n->last_arrival_ns > stall)
		return; /* nothing flows: not one provider's fault */
	for (i = 0; i < MESH_MAX_PEERS; i++) {
		struct mesh_peer *p = &n->peers[i];

		if (!p->id || p->pstate != MESH_P_PARTNER || !p->sub_to_it)
			continue;
		for (s = 0; s < n->cfg.strips; s++)
			if ((p->sub_to_it >> s) & 1 && !((p->stalled >> s) & 1) &&
			    n->now - p->strip_last_ns[s] > stall) {
				p->stalled |= (uint16_t)(1u << s);
				p->strip_recv[s] = 0;
				moved = true;
			}
	}
	if (moved)
		mesh_stream_assign(n);
}

struct batch {
	struct mesh_peer *p;
	struct mesh_pull m;
};

static void add_pull(struct mesh_node *n, struct batch *b, size_t *nb, struct mesh_peer *p, uint64_t seq,
		     bool urgent)
{
	size_t i;

	for (i = 0; i < *nb; i++)
		if (b[i].p == p && b[i].m.n < MESH_WIRE_MAX_PULL && seq - b[i].m.base <= UINT16_MAX)
			break;
	if (i == *nb) {
		if (*nb == 2 * MESH_MAX_STRIPS)
			return;
		b[i].p = p;
		b[i].m.flags = 0;
		b[i].m.base = seq;
		b[i].m.n = 0;
		(*nb)++;
	}
	if (urgent)
		b[i].m.flags |= MESH_PULL_URGENT;
	b[i].m.off[b[i].m.n++] = (uint16_t)(seq - b[i].m.base);
	p->claimed++;
	(void)n;
}

/* A partner whose map shows seq, at random; another than `avoid` if any. */
static struct mesh_peer *holder(struct mesh_node *n, uint64_t seq, uint32_t avoid)
{
	struct mesh_peer *cand[MESH_MAX_PEERS];
	unsigned i, c = 0, other = 0;

	for (i = 0; i < MESH_MAX_PEERS; i++) {
		struct mesh_peer *p = &n->peers[i];

		if (p->id && p->pstate == MESH_P_PARTNER && mesh_bmap_test(&p->map, seq)) {
			cand[c++] = p;
			other += p->id != avoid;
		}
	}
	if (!c)
		return NULL;
	for (;;) {
		struct mesh_peer *p = cand[rnd(n) % c];

		if (p->id != avoid || !other)
			return p;
	}
}

void mesh_stream_pull_tick(struct mesh_node *n)
{
	struct batch b[2 * MESH_MAX_STRIPS];
	size_t nb = 0, i;
	uint64_t seq, newest;
	unsigned mask = n->cfg.buffer_pkts - 1;

	if (n->paused || !n->anchored)
		return;
	recompute_depth(n);
	check_stalls(n);
	newest = mesh_buf_newest(&n->buf);
	for (seq = n->play_next; seq <= newest; seq++) {
		bool urgent, general;
		uint64_t retry;
		struct mesh_peer *p;

		if (mesh_buf_has(&n->buf, seq))
			continue;
		urgent = deadline(n, seq) <= n->now + n->cfg.pull_th2_ns;
		general = newest - seq > n->cfg.pull_th1 ||
			  (newest - seq) * n->ns_per_pkt > n->cfg.pull_th1_ns;
		if (!urgent && !general)
			continue;
		retry = urgent ? n->cfg.pull_retry_ns / 2 : n->cfg.pull_retry_ns;
		if (n->pull_seq[seq & mask] == seq && n->now - n->pull_at[seq & mask] < retry)
			continue;
		p = holder(n, seq, n->pull_seq[seq & mask] == seq ? n->pull_from[seq & mask] : 0);
		if (!p)
			continue;
		add_pull(n, b, &nb, p, seq, urgent);
		n->pull_seq[seq & mask] = seq;
		n->pull_at[seq & mask] = n->now;
		n->pull_from[seq & mask] = p->id;
	}
	for (i = 0; i < nb; i++) {
		int len = mesh_enc_pull(mesh_body(n), &b[i].m);

		if (len < 0)
			continue;
		mesh_tx(n, b[i].p, MESH_MSG_PULL, (size_t)len);
		n->st.pulls_sent += b[i].m.n;
		if (b[i].m.flags & MESH_PULL_URGENT)
			n->st.urgent_pulls_sent++;
	}
}

uint64_t mesh_stream_next_playout(const struct mesh_node *n)
{
	if (!n->anchored || n->paused || n->play_next > mesh_buf_newest(&n->buf))
		return MESH_NO_DEADLINE;
	if (n->play_next < mesh_buf_oldest(&n->buf))
		return n->now;
	return deadline(n, n->play_next);
}

/* The first packet heard is often a lone push on one strip while the
 * packets right after it are older than anything the other partners still
 * hold: playing from it would open on a gap. So the playback starts at the
 * first run of one packet per strip held in a row; what lies before it is
 * before this peer's start, not lost. */
static void pick_start(struct mesh_node *n)
{
	uint64_t seq, run = 0, newest = mesh_buf_newest(&n->buf);

	n->started = true;
	for (seq = n->play_next; seq <= newest; seq++) {
		run = mesh_buf_has(&n->buf, seq) ? run + 1 : 0;
		if (run == n->cfg.strips) {
			n->play_next = seq + 1 - run;
			return;
		}
	}
}

void mesh_stream_playout(struct mesh_node *n)
{
	unsigned guard = 0;

	if (n->anchored && !n->started && !n->paused && deadline(n, n->play_next) <= n->now)
		pick_start(n);

	while (n->anchored && !n->paused && n->play_next <= mesh_buf_newest(&n->buf) && guard++ < 65536) {
		const struct mesh_slot *s;
		uint64_t oldest = mesh_buf_oldest(&n->buf);

		if (n->play_next < oldest) {
			n->st.lost += oldest - n->play_next;
			n->play_next = oldest;
			continue;
		}
		if (deadline(n, n->play_next) > n->now)
			break;
		s = mesh_buf_get(&n->buf, n->play_next);
		if (!s) {
			n->st.lost++;
			if (n->cb.lost)
				n->cb.lost(n->cb.ctx, n->play_next);
		} else if (n->cfg.release == MESH_RELEASE_PLAYOUT) {
			delivered(n, s);
		}
		n->play_next++;
	}
}
