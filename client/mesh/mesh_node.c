/* mesh_node: a node's lifecycle, its table of known nodes, sending (and
 * the one rule on what may go to an address not validated), the checks of
 * what comes in, in their order, and the dispatch to the overlays. */
#include "config.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "mesh_int.h"
#include "sc_clock.h"
#include "sc_rtp.h"

#define REPLAY_WINDOW_NS (2 * SC_NS_PER_S)
#define BAN_NS (60 * SC_NS_PER_S)

void mesh_config_defaults(struct mesh_config *c, enum mesh_role role)
{
	memset(c, 0, sizeof(*c));
	c->role = role;
	c->release = MESH_RELEASE_PLAYOUT;
	c->near_k = 8;
	c->random_l = 3;
	c->hello_interval_ns = 1 * SC_NS_PER_S;
	c->dead_after_ns = 4 * SC_NS_PER_S;
	c->refine_interval_ns = 2 * SC_NS_PER_S;
	c->tracker_interval_ns = 10 * SC_NS_PER_S;
	c->partners_min = 4;
	c->partners_max = 8;
	c->strips = 8;
	c->bmap_interval_ns = 250 * SC_NS_PER_MS;
	c->round_ns = 2 * SC_NS_PER_S;
	c->stall_ns = 300 * SC_NS_PER_MS;
	c->pull_th1 = 64;
	c->pull_th1_ns = 200 * SC_NS_PER_MS;
	c->pull_th2_ns = 400 * SC_NS_PER_MS;
	c->pull_retry_ns = 150 * SC_NS_PER_MS;
	c->playout_delay_ns = 1500 * SC_NS_PER_MS;
	c->buffer_pkts = 2048;
	c->bmap_bits = 1024;
	c->max_ahead = 1024;
	c->lie_limit = 32;
	c->max_children = 3;
	c->pull_rate_pps = 2000;
	c->pull_burst = 1000;
	c->ctl_rate_pps = 200;
	c->ctl_burst = 200;
	c->max_packet = MESH_WIRE_MAX_RTP;
}

static int check_config(const struct mesh_config *c, const struct sc_logger *lg)
{
	const char *bad = NULL;

	if (c->role != MESH_ROLE_PEER && c->role != MESH_ROLE_SOURCE)
		bad = "role";
	else if (!c->self_id || (c->role == MESH_ROLE_SOURCE) != !!(c->self_id & MESH_SOURCE_ID_FLAG))
		bad = "self_id";
	else if (!c->channel_id)
		bad = "channel_id";
	else if (!c->strips || c->strips > MESH_MAX_STRIPS)
		bad = "strips";
	else if (!c->partners_min || c->partners_max < c->partners_min || c->partners_max > 32)
		bad = "partners_min/max";
	else if (!c->ident || rtx_ident_self(c->ident) != c->self_id)
		bad = "ident";
	else if (c->near_k > MESH_WIRE_MAX_ENTRIES || c->random_l > 16)
		bad = "near_k/random_l";
	else if (c->buffer_pkts < 16 || c->buffer_pkts > MESH_BMAP_BITS || (c->buffer_pkts & (c->buffer_pkts - 1)))
		bad = "buffer_pkts";
	else if (!c->bmap_bits || c->bmap_bits > MESH_WIRE_MAX_BITS || c->bmap_bits > c->buffer_pkts)
		bad = "bmap_bits";
	else if (!c->hello_interval_ns || !c->bmap_interval_ns || !c->round_ns || !c->refine_interval_ns ||
		 !c->pull_retry_ns || c->dead_after_ns <= c->hello_interval_ns)
		bad = "intervals";
	else if (c->max_packet < SC_RTP_HDR_MIN || c->max_packet > MESH_WIRE_MAX_RTP)
		bad = "max_packet";
	else if (c->role == MESH_ROLE_SOURCE && !c->max_children)
		bad = "max_children";
	if (bad) {
		sc_logf(lg, LOG_ERR, "mesh: bad setting %s", bad);
		return -EINVAL;
	}
	return 0;
}

int mesh_node_new(const struct mesh_config *cfg, const struct mesh_callbacks *cb, mesh_node **out)
{
	struct sc_logger lg = { cb ? cb->log : NULL, cb ? cb->ctx : NULL, 0 };
	struct mesh_node *n;
	int rc;

	*out = NULL;
	if (!cfg || !cb || !cb->now_ns || !cb->send || !cb->handle_of || !cb->addr_of)
		return -EINVAL;
	lg.max_level = cb->log_level ? cb->log_level : LOG_INFO;
	if ((rc = check_config(cfg, &lg)) < 0)
		return rc;
	if (rtx_auth_init() < 0)
		return -ENOSYS;
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->cfg = *cfg;
	n->cb = *cb;
	n->lg = lg;
	if ((rc = mesh_buf_init(&n->buf, cfg->buffer_pkts)) < 0)
		goto fail;
	n->pull_at = calloc(cfg->buffer_pkts, sizeof(*n->pull_at));
	n->pull_seq = calloc(cfg->buffer_pkts, sizeof(*n->pull_seq));
	n->pull_from = calloc(cfg->buffer_pkts, sizeof(*n->pull_from));
	rc = -ENOMEM;
	if (!n->pull_at || !n->pull_seq || !n->pull_from)
		goto fail;
	mesh_wire_key(cfg->ret_key, cfg->channel_id, n->key);
	n->session = rtx_auth_session();
	n->t0_ns = cb->now_ns(cb->ctx);
	n->now = n->t0_ns;
	n->depth = cfg->role == MESH_ROLE_SOURCE ? 0 : MESH_DEPTH_NONE;
	n->no_path_since_ns = n->t0_ns;
	n->t_hello = n->t_bmap = n->t_pull = n->t_partners = n->t_refine = n->t0_ns;
	n->t_round = n->t0_ns + cfg->round_ns;
	*out = n;
	return 0;
fail:
	mesh_node_free(n);
	return rc;
}

void mesh_node_free(mesh_node *n)
{
	struct mesh_hello h = { .flags = MESH_HELLO_LEAVE };
	unsigned i;

	if (!n)
		return;
	n->now = n->cb.now_ns(n->cb.ctx);
	h.depth = n->depth;
	for (i = 0; i < MESH_MAX_PEERS; i++) {
		struct mesh_peer *p = &n->peers[i];

		if (p->id && p->heard && (p->out_near || p->out_rand || p->in_view || p->pstate))
			mesh_tx(n, p, MESH_MSG_HELLO, (size_t)mesh_enc_hello(mesh_body(n), &h));
	}
	mesh_buf_fini(&n->buf);
	sodium_memzero(n->key, sizeof(n->key));
	free(n->pull_at);
	free(n->pull_seq);
	free(n->pull_from);
	free(n);
}

/* ---- the table of known nodes ---- */

struct mesh_peer *mesh_peer_find(struct mesh_node *n, uint32_t id)
{
	unsigned i;

	for (i = 0; i < MESH_MAX_PEERS; i++)
		if (n->peers[i].id == id)
			return &n->peers[i];
	return NULL;
}

static bool evictable(const struct mesh_peer *p)
{
	return !p->out_near && !p->out_rand && !p->in_view && p->pstate == MESH_P_NONE && !p->is_source &&
	       !p->banned_until;
}

struct mesh_peer *mesh_peer_get(struct mesh_node *n, uint32_t id)
{
	struct mesh_peer *p = mesh_peer_find(n, id), *victim = NULL;
	unsigned i;

	if (p)
		return p;
	if (id == n->cfg.self_id)
		return NULL;
	for (i = 0; i < MESH_MAX_PEERS && !victim; i++)
		if (!n->peers[i].id)
			victim = &n->peers[i];
	for (i = 0; i < MESH_MAX_PEERS && !victim; i++) {
		p = &n->peers[i];
		if (evictable(p) && (!victim || p->last_heard_ns < victim->last_heard_ns))
			victim = p;
	}
	if (!victim)
		return NULL;
	memset(victim, 0, sizeof(*victim));
	victim->id = id;
	victim->added_ns = n->now;
	victim->depth = MESH_DEPTH_NONE;
	victim->is_source = !!(id & MESH_SOURCE_ID_FLAG);
	return victim;
}

void mesh_peer_forget(struct mesh_node *n, struct mesh_peer *p)
{
	if (p->pstate)
		mesh_stream_drop_partner(n, p, false);
	memset(p, 0, sizeof(*p));
}

void mesh_peer_ban(struct mesh_node *n, struct mesh_peer *p, const char *why)
{
	sc_logf(&n->lg, LOG_NOTICE, "mesh: dropping node %u: %s", p->id, why);
	if (p->pstate)
		mesh_stream_drop_partner(n, p, true);
	p->out_near = p->out_rand = p->in_view = false;
	p->banned_until = n->now + BAN_NS;
	n->st.liars_dropped++;
}

struct mesh_peer *mesh_peer_learn(struct mesh_node *n, uint32_t id, const struct mesh_addr *a,
				  const uint64_t *handle)
{
	struct mesh_peer *p;
	uint64_t h;

	if (!id || id == n->cfg.self_id || (a->family != 4 && a->family != 6))
		return NULL;
	p = mesh_peer_find(n, id);
	if (p && p->addr.family)
		return p;
	if (handle)
		h = *handle;
	else if (n->cb.handle_of(n->cb.ctx, a, &h) < 0)
		return NULL;
	if (!p && !(p = mesh_peer_get(n, id)))
		return NULL;
	p->addr = *a;
	p->handle = h;
	return p;
}

/* ---- distance: measured RTT, else an estimate from the shared prefix
 * (the tracker's scale: mgmt-server/trk.h) ---- */

static unsigned common_bits(const uint8_t *a, const uint8_t *b, unsigned max)
{
	unsigned i, bits = 0;

	for (i = 0; i < max / 8; i++) {
		uint8_t x = a[i] ^ b[i];

		if (x) {
			while (!(x & 0x80)) {
				x <<= 1;
				bits++;
			}
			return bits;
		}
		bits += 8;
	}
	return bits;
}

uint32_t mesh_addr_distance_us(const struct mesh_addr *a, const struct mesh_addr *b)
{
	unsigned c;

	if (a->family != b->family || !a->family)
		return 50000;
	if (a->family == 6) {
		c = common_bits(a->addr, b->addr, 128);
		if (c >= 64)
			return 500;
		if (c >= 56)
			return 1000;
		if (c >= 48)
			return 2000;
		if (c >= 40)
			return 5000;
		if (c >= 32)
			return 10000;
		return 10000 + (32 - c) * 1000;
	}
	c = common_bits(a->addr, b->addr, 32);
	return c >= 24 ? 500 : c >= 16 ? 2000 : c >= 8 ? 10000 : 30000;
}

uint32_t mesh_peer_distance(const struct mesh_node *n, const struct mesh_peer *p)
{
	if (p->rtt_us)
		return p->rtt_us;
	return mesh_addr_distance_us(&n->cfg.self_addr, &p->addr);
}

/* ---- sending ---- */

/* What may go to a handle not validated for its node: the little the node
 * itself starts towards nodes it learnt by gossip (a challenge is no
 * larger than what it answers: mesh_path.c). Never data, maps, node
 * lists, partnerships or any answer: a forged or replayed datagram from
 * another address must win its sender nothing. */
static bool unvalidated_ok(uint8_t type)
{
	return type == MESH_MSG_HELLO || type == MESH_MSG_NQUERY || type == MESH_MSG_PREQ ||
	       type == MESH_MSG_PATH;
}

int mesh_tx_to(struct mesh_node *n, uint32_t id, uint64_t handle, uint8_t type, size_t body_len,
	       size_t limit)
{
	struct mesh_hdr h = { .type = type, .channel = n->cfg.channel_id, .receiver = id,
			      .session = n->session };
	int len, rc;

	if (!unvalidated_ok(type) && !rtx_ident_addr_ok(n->cfg.ident, id, handle)) {
		n->st.tx_refused++;
		return -EPERM;
	}
	h.ts = n->cfg.ts_base_ns + (n->now - n->t0_ns);
	if (h.ts <= n->last_ts)
		h.ts = n->last_ts + 1;
	n->last_ts = h.ts;
	/* DATA never carries our certificate: with the largest RTP it would
	 * not fit in one 1500-byte packet, and it goes only to partners, who
	 * hold it (their maps come with it when they lack it). */
	len = mesh_wire_seal(n->cfg.ident, n->key, &h, n->body, body_len,
			     type == MESH_MSG_DATA || type == MESH_MSG_PATH, n->tx,
			     sizeof(n->tx));
	if (len < 0) {
		n->st.send_errors++;
		return len;
	}
	if ((size_t)len > limit) {
		n->st.tx_refused++;
		return -EMSGSIZE;
	}
	rc = n->cb.send(n->cb.ctx, handle, n->tx, (size_t)len);
	if (rc < 0) {
		n->st.send_errors++;
		return rc;
	}
	if (type == MESH_MSG_DATA) {
		n->st.data_sent++;
		n->st.data_bytes_sent += (uint64_t)len;
	} else {
		n->st.ctl_sent++;
		n->st.ctl_bytes_sent += (uint64_t)len;
	}
	return 0;
}

int mesh_tx(struct mesh_node *n, struct mesh_peer *p, uint8_t type, size_t body_len)
{
	return mesh_tx_to(n, p->id, p->handle, type, body_len, SIZE_MAX);
}

/* ---- input ---- */

static int drop(uint64_t *counter, int rc)
{
	(*counter)++;
	return rc;
}

static int check_replay(struct mesh_peer *p, const struct mesh_hdr *h)
{
	if (h->type == MESH_MSG_DATA)
		return rtx_replay_fresh(&p->hi_ts, h->ts, REPLAY_WINDOW_NS);
	if (rtx_replay_check(&p->replay, h->ts, REPLAY_WINDOW_NS) < 0)
		return -EALREADY;
	if (h->ts > p->hi_ts)
		p->hi_ts = h->ts;
	return 0;
}

struct mesh_peer *mesh_peer_at(struct mesh_node *n, struct mesh_peer *p, const struct mesh_hdr *h,
			       uint64_t from)
{
	struct mesh_addr a;
	bool fresh = !p;

	if (p && p->handle == from && p->addr.family)
		return p;
	if (n->cb.addr_of(n->cb.ctx, from, &a) < 0)
		return NULL;
	if (!p && !(p = mesh_peer_get(n, h->sender)))
		return NULL;
	if (p->addr.family && p->handle != from) {
		sc_logf(&n->lg, LOG_DEBUG, "mesh: node %u moved (a proven address)", p->id);
		n->st.moves++;
	}
	p->addr = a;
	p->handle = from;
	if (fresh)
		check_replay(p, h); /* its window starts with this datagram */
	return p;
}

/* Who sent it, proven: the receiver is us, the sender's certificate (held
 * or attached) is good and not revoked, the MAC checks under our pair key
 * and the channel's mesh key. */
static int open_dgram(struct mesh_node *n, const uint8_t *buf, size_t len, const struct mesh_hdr *h,
		      struct rtx_opened *o)
{
	const uint8_t *keys[1] = { n->key };
	int rc = rtx_ident_open(n->cfg.ident, buf, len, &h->env, keys, 1, o);
	struct mesh_peer *p;

	switch (rc) {
	case 0:
		return 0;
	case -EKEYREVOKED:
		/* the management server threw it out: so do we */
		if ((p = mesh_peer_find(n, h->sender)))
			mesh_peer_forget(n, p);
		return drop(&n->st.revoked, rc);
	case -ENOKEY:
		return drop(&n->st.unknown_sender, rc);
	case -EBUSY: /* too many new certificates to check just now */
		return drop(&n->st.rate_limited, rc);
	default:
		return drop(&n->st.auth_failed, -EACCES);
	}
}

static int dispatch(struct mesh_node *n, struct mesh_peer *p, const struct mesh_hdr *h)
{
	switch (h->type) {
	case MESH_MSG_HELLO:
		mesh_overlay_hello_in(n, p, h);
		return 0;
	case MESH_MSG_NQUERY:
		mesh_overlay_nquery_in(n, p, h);
		return 0;
	case MESH_MSG_NANSWER:
		mesh_overlay_nanswer_in(n, p, h);
		return 0;
	case MESH_MSG_DATA:
		mesh_stream_data_in(n, p, h);
		return 0;
	default:
		mesh_stream_ctl_in(n, p, h);
		return 0;
	}
}

/* The checks, in this order, each drop counted: shape, type and flags,
 * channel, who sent it (certificate and MAC), banned, replay. Only then is
 * anything remembered (the sender's certificate, its replay window); then
 * its address: from a handle not validated for it, a PATH is handled and
 * anything else only draws a challenge. Only a datagram from a validated
 * handle makes or moves the sender's entry and reaches the overlays. */
int mesh_node_input(mesh_node *n, const uint8_t *buf, size_t len, uint64_t from)
{
	struct rtx_opened o;
	struct mesh_hdr h;
	struct mesh_peer *p;
	int rc;

	n->now = n->cb.now_ns(n->cb.ctx);
	rc = mesh_wire_parse(buf, len, &h);
	if (rc == -EOPNOTSUPP)
		return drop(&n->st.unsupported, rc);
	if (rc < 0)
		return drop(&n->st.malformed, -EBADMSG);
	if (h.channel != n->cfg.channel_id)
		return drop(&n->st.auth_failed, -EACCES);
	if (h.sender == n->cfg.self_id)
		return drop(&n->st.unsupported, -EOPNOTSUPP);
	if ((rc = open_dgram(n, buf, len, &h, &o)) < 0)
		return rc;
	p = mesh_peer_find(n, h.sender);
	if (p && p->banned_until > n->now)
		return drop(&n->st.banned, -EPERM);
	if (p && p->banned_until)
		p->banned_until = 0;
	if (p && check_replay(p, &h) < 0)
		return drop(&n->st.replayed, -EALREADY);
	rtx_ident_commit(n->cfg.ident, &o);
	sodium_memzero(&o, sizeof(o));
	if (h.type == MESH_MSG_PATH)
		return mesh_path_in(n, p, &h, len, from);
	if (!rtx_ident_addr_ok(n->cfg.ident, h.sender, from))
		return mesh_path_unvalidated(n, &h, len, from);
	if (!(p = mesh_peer_at(n, p, &h, from)))
		return drop(&n->st.unsupported, -ENOSPC);
	if (h.type != MESH_MSG_DATA && h.type != MESH_MSG_BMAP &&
	    !rtx_bucket_take(&p->ctl, n->cfg.ctl_rate_pps, n->cfg.ctl_burst, n->now, 1))
		return drop(&n->st.rate_limited, -EBUSY);
	if (h.type == MESH_MSG_DATA) {
		n->st.data_bytes_received += len;
	} else {
		n->st.ctl_received++;
		n->st.ctl_bytes_received += len;
	}
	p->heard = true;
	p->last_heard_ns = n->now;
	p->echo_ts = h.ts;
	p->echo_at_ns = n->now;
	rc = dispatch(n, p, &h);
	if (p->challenged)
		mesh_path_redo(n, p);
	return rc;
}

/* ---- the caller's lists ---- */

int mesh_node_add_peers(mesh_node *n, const struct mesh_peer_info *near, size_t nnear,
			const struct mesh_peer_info *random, size_t nrandom)
{
	size_t i;
	int added = 0;

	n->now = n->cb.now_ns(n->cb.ctx);
	if (n->cfg.role != MESH_ROLE_PEER)
		return -EOPNOTSUPP;
	for (i = 0; i < nnear + nrandom; i++) {
		const struct mesh_peer_info *pi = i < nnear ? &near[i] : &random[i - nnear];
		struct mesh_peer *p = mesh_peer_find(n, pi->id);
		bool known = p != NULL;

		if (p && p->banned_until > n->now)
			continue;
		if (!(p = mesh_overlay_learn_info(n, pi)))
			continue;
		added += !known;
		if (i >= nnear && !p->out_near && mesh_overlay_count(n, false) < n->cfg.random_l)
			p->out_rand = true;
	}
	if (nnear)
		mesh_overlay_start_refine(n);
	n->t_partners = n->t_hello = n->now;
	return added;
}

int mesh_node_set_source(mesh_node *n, const struct mesh_peer_info *src, bool direct)
{
	struct mesh_peer *p;

	n->now = n->cb.now_ns(n->cb.ctx);
	if (n->cfg.role != MESH_ROLE_PEER)
		return -EOPNOTSUPP;
	if (!(src->id & MESH_SOURCE_ID_FLAG))
		return -EINVAL;
	p = mesh_overlay_learn_info(n, src);
	if (!p) {
		uint8_t c[RTX_CERT_BYTES];

		return rtx_ident_peer_cert(n->cfg.ident, src->id, c) < 0 ? -ENOKEY : -ENOSPC;
	}
	p->is_source = true;
	p->retry_after_ns = 0;
	n->source_id = src->id;
	n->source_direct = direct;
	n->t_partners = n->now;
	return 0;
}

/* Source role: extend the RTP sequence; a jump or a new SSRC (the edge's
 * input restarted) moves on to the next number with the same low 16 bits,
 * so that receivers see a forward jump and restart with it. */
int mesh_node_input_rtp(mesh_node *n, const uint8_t *buf, size_t len)
{
	struct sc_rtp r;
	uint64_t ext;

	n->now = n->cb.now_ns(n->cb.ctx);
	if (n->cfg.role != MESH_ROLE_SOURCE)
		return -EOPNOTSUPP;
	if (len > n->cfg.max_packet)
		return -EMSGSIZE;
	if (sc_rtp_parse(buf, len, &r) < 0)
		return -EBADMSG;
	if (!n->src_started) {
		ext = 65536 + r.seq;
	} else {
		uint16_t d = (uint16_t)(r.seq - (uint16_t)n->src_ext);

		if (r.ssrc != n->src_ssrc || (d > 3000 && d < 65536 - 3000))
			ext = n->src_ext + (d ? d : 65536);
		else if (d < 32768)
			ext = n->src_ext + d;
		else
			ext = n->src_ext - (65536u - d); /* late / reordered */
	}
	if (!n->src_started || ext > n->src_ext)
		n->src_ext = ext;
	n->src_started = true;
	n->src_ssrc = r.ssrc;
	mesh_stream_store_local(n, ext, n->now, buf, len);
	return 0;
}

void mesh_node_pause(mesh_node *n, bool paused)
{
	n->now = n->cb.now_ns(n->cb.ctx);
	if (n->paused == paused || n->cfg.role != MESH_ROLE_PEER)
		return;
	n->paused = paused;
	if (paused) {
		unsigned i;

		for (i = 0; i < MESH_MAX_PEERS; i++)
			if (n->peers[i].id && n->peers[i].pstate)
				mesh_stream_drop_partner(n, &n->peers[i], true);
		n->anchored = false;
		mesh_buf_release(&n->buf);
	}
	n->t_partners = n->now;
}

static uint64_t min3(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t m = a < b ? a : b;

	return m < c ? m : c;
}

uint64_t mesh_node_deadline(const mesh_node *n)
{
	uint64_t d = min3(n->t_hello, n->t_bmap, n->t_round);

	d = min3(d, n->t_refine, n->t_partners);
	if (n->cfg.role == MESH_ROLE_PEER) {
		d = min3(d, n->t_pull, mesh_stream_next_playout(n));
	}
	return d;
}

uint64_t mesh_node_run(mesh_node *n)
{
	n->now = n->cb.now_ns(n->cb.ctx);
	if (n->now >= n->t_hello) {
		mesh_overlay_hello_tick(n);
		n->t_hello = n->now + n->cfg.hello_interval_ns;
	}
	if (n->now >= n->t_refine)
		mesh_overlay_tick(n); /* sets t_refine */
	if (n->now >= n->t_partners) {
		mesh_stream_partners_tick(n);
		n->t_partners = n->now + n->cfg.round_ns / 4;
	}
	if (n->now >= n->t_round) {
		mesh_stream_round_tick(n);
		n->t_round = n->now + n->cfg.round_ns;
	}
	if (n->now >= n->t_bmap) {
		mesh_stream_bmap_tick(n);
		n->t_bmap = n->now + n->cfg.bmap_interval_ns;
	}
	if (n->cfg.role == MESH_ROLE_PEER) {
		if (n->now >= n->t_pull) {
			mesh_stream_pull_tick(n);
			n->t_pull = n->now + n->cfg.pull_retry_ns / 3;
		}
		mesh_stream_playout(n);
	}
	return mesh_node_deadline(n);
}

void mesh_node_stats(const mesh_node *n, struct mesh_stats *out)
{
	unsigned i;

	*out = n->st;
	out->partners = out->out_view = out->in_view = out->children = 0;
	for (i = 0; i < MESH_MAX_PEERS; i++) {
		const struct mesh_peer *p = &n->peers[i];

		if (!p->id)
			continue;
		out->partners += p->pstate == MESH_P_PARTNER;
		out->out_view += p->out_near || p->out_rand;
		out->in_view += p->in_view;
	}
	if (n->cfg.role == MESH_ROLE_SOURCE)
		out->children = out->partners;
	out->depth = n->depth;
	out->newest = mesh_buf_any(&n->buf) ? mesh_buf_newest(&n->buf) : 0;
}

const char *mesh_version(void)
{
	return PACKAGE_VERSION;
}
