/* stb_mesh: the tuned channel's P2P mesh fallback (libscmesh, peer role).
 *
 * One mesh node per tuned channel, created once the tune answer gave the
 * channel's RET key (the mesh key is derived from it), paused while
 * multicast is fine. The switch policy (mesh_switch) hears of every
 * multicast packet and of every gap in the multicast sequence; when it
 * says "mesh" the box asks the tracker for peers and the source and
 * resumes the node, whose packets go into the retransmit session's raw
 * buffer like multicast ones (MESH_RELEASE_ARRIVAL): the playback buffer
 * orders and paces them, duplicates of the two paths are dropped there,
 * so the outputs see one continuous stream. Back on multicast the node is
 * paused but stays in the overlay, quick to fall back again. */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stb_int.h"

#define POLL_NS (100 * SC_NS_PER_MS)
/* How long after a switch an output pause counts as the switch's. */
#define SWITCH_SPAN_NS (5 * SC_NS_PER_S)

/* ---- the node's callbacks ---- */

static void cb_deliver(void *ctx, uint64_t ext_seq, const uint8_t *rtp, size_t len)
{
	struct stb_tuner *t = ctx;
	struct stb_mesh *m = &t->mesh;

	(void)ext_seq;
	m->delivered++;
	if (rtx_session_input_rtp(t->rtx, rtp, len) == 0) {
		m->accepted++;
		if (!m->first_ns && m->entered_ns) {
			m->first_ns = stb_now(t->s);
			sc_logf(&t->s->lg, LOG_NOTICE,
				"channel %u: first packet from the mesh, %.0f ms after switching", t->ch.id,
				(double)(m->first_ns - m->entered_ns) / 1e6);
		}
	}
}

static int cb_handle_of(void *ctx, const struct mesh_addr *a, uint64_t *h)
{
	struct stb_tuner *t = ctx;
	struct sc_sockaddr sa;

	if (mesh_addr_to_sockaddr(a, false, &sa) < 0 || !a->port)
		return -EINVAL;
	*h = peers_intern(t->s->peers, &sa, false);
	return *h ? 0 : -ENOSPC;
}

static int cb_addr_of(void *ctx, uint64_t h, struct mesh_addr *a)
{
	struct stb_tuner *t = ctx;
	const struct sc_sockaddr *sa = peers_get(t->s->peers, h);

	if (!sa)
		return -ENOENT;
	mesh_addr_from_sockaddr(sa, a);
	return 0;
}

static void cb_want_peers(void *ctx)
{
	struct stb_tuner *t = ctx;

	stb_mgmt_peers(t->s, t->ch.id);
}

static void cb_log(void *ctx, int level, const char *msg)
{
	struct stb_tuner *t = ctx;

	sc_logf(&t->s->lg, level, "channel %u mesh: %s", t->ch.id, msg);
}

/* ---- driving the node ---- */

static void rearm(struct stb_tuner *t)
{
	uint64_t d = t->mesh.n ? mesh_node_deadline(t->mesh.n) : MESH_NO_DEADLINE;

	if (d == MESH_NO_DEADLINE)
		sc_timer_stop(t->mesh.timer);
	else
		sc_timer_arm_at(t->mesh.timer, d);
}

/* What the node delivered went into the raw buffer: let the session
 * release it and re-arm both timers. */
static void after(struct stb_tuner *t)
{
	rearm(t);
	stb_tuner_kick(t);
}

static void on_timer(void *arg)
{
	struct stb_tuner *t = arg;

	stb_drain_input(t->s); /* what the node misses may be waiting */
	if (t->mesh.n)
		mesh_node_run(t->mesh.n);
	after(t);
}

int stb_mesh_input(struct stb_tuner *t, const uint8_t *buf, size_t len, uint64_t from)
{
	int rc;

	if (!t->mesh.n) {
		t->mesh.stray++;
		return -ENOTCONN;
	}
	if ((rc = mesh_node_input(t->mesh.n, buf, len, from)) < 0)
		t->mesh.dropped++;
	mesh_node_run(t->mesh.n);
	after(t);
	return rc;
}

/* ---- the switch ---- */

static void why_mesh(struct stb_tuner *t, uint64_t n, char *buf, size_t len)
{
	struct mesh_switch *sw = &t->mesh.sw;

	if (!sw->any_pkt)
		snprintf(buf, len, "no multicast within %.1f s of the tune", (double)sw->cfg.tune_timeout_ns / 1e9);
	else if (n - sw->last_pkt_ns >= sw->cfg.silence_ns)
		snprintf(buf, len, "no multicast for %.0f ms", (double)(n - sw->last_pkt_ns) / 1e6);
	else
		snprintf(buf, len, "multicast loses %.1f%% over %.1f s (more than %.1f%%)",
			 100 * mesh_switch_loss(sw, n), (double)sw->cfg.window_ns / 1e9, 100 * sw->cfg.loss_enter);
}

static void enter_mesh(struct stb_tuner *t, uint64_t n)
{
	struct stb_mesh *m = &t->mesh;

	m->entered_ns = n;
	m->first_ns = 0;
	m->mc_back_ns = 0;
	/* The pause may have begun before the switch: count it from the last
	 * multicast packet. */
	m->gap_enter_ns = m->gap_since_mc_ns;
	m->gap_mesh_ns = m->gap_back_ns = 0;
	m->to_mesh++;
	sc_logf(&t->s->lg, LOG_NOTICE, "channel %u: switching to the P2P mesh: %s", t->ch.id, m->why);
	if (!m->n)
		return; /* resumed once the RET key makes the node */
	mesh_node_pause(m->n, false);
	stb_mgmt_peers(t->s, t->ch.id);
}

static void leave_mesh(struct stb_tuner *t, uint64_t n)
{
	struct stb_mesh *m = &t->mesh;

	m->left_ns = n;
	m->to_mcast++;
	sc_logf(&t->s->lg, LOG_NOTICE,
		"channel %u: back to multicast: clean for %.1f s (loss %.2f%%); the mesh delivered %llu packet(s)",
		t->ch.id, (double)m->sw.cfg.recover_ns / 1e9, 100 * mesh_switch_loss(&m->sw, n),
		(unsigned long long)m->accepted);
	if (m->n)
		mesh_node_pause(m->n, true);
}

static void on_poll(void *arg)
{
	struct stb_tuner *t = arg;
	struct stb_mesh *m = &t->mesh;
	uint64_t n = stb_now(t->s);
	bool changed;

	sc_timer_arm(m->poll, POLL_NS);
	stb_drain_input(t->s);
	stb_tuner_kick(t);
	n = stb_now(t->s);
	if (m->sw.mode == MESH_MODE_MULTICAST)
		why_mesh(t, n, m->why, sizeof(m->why)); /* before the poll moves the window */
	mesh_switch_poll(&m->sw, n, &changed);
	if (!changed)
		return;
	if (m->sw.mode == MESH_MODE_MESH)
		enter_mesh(t, n);
	else
		leave_mesh(t, n);
	after(t);
}

void stb_mesh_output(struct stb_tuner *t, uint64_t n)
{
	struct stb_mesh *m = &t->mesh;
	uint64_t gap = m->last_out_ns ? n - m->last_out_ns : 0, *slot = NULL;

	m->last_out_ns = n;
	if (gap > m->gap_since_mc_ns)
		m->gap_since_mc_ns = gap;
	if (!m->poll || !m->to_mesh)
		return;
	if (m->mc_back_ns && n >= m->mc_back_ns && (m->sw.mode == MESH_MODE_MESH || n < m->left_ns + SWITCH_SPAN_NS))
		slot = &m->gap_back_ns;
	else if (m->sw.mode == MESH_MODE_MESH)
		slot = n < m->entered_ns + SWITCH_SPAN_NS ? &m->gap_enter_ns : &m->gap_mesh_ns;
	if (slot && gap > *slot)
		*slot = gap;
}

/* A multicast datagram: count it, and the packets its sequence number
 * says were lost before it (reordered and duplicate ones count nothing). */
void stb_mesh_mcast(struct stb_tuner *t, const uint8_t *rtp, size_t len, uint64_t n)
{
	struct stb_mesh *m = &t->mesh;
	uint16_t seq, d;
	bool after_silence;

	if (!m->poll || len < 12 || (rtp[0] >> 6) != 2)
		return;
	/* The numbers multicast skipped while it was silent are the outage the
	 * silence already told, not loss: counted as loss, they kept the box
	 * on the mesh up to window_ms longer than recover_ms. */
	after_silence = m->sw.any_pkt && n - m->sw.last_pkt_ns >= m->sw.cfg.silence_ns;
	/* Multicast comes back to a box on the mesh: the switch back begins. */
	if (m->sw.mode == MESH_MODE_MESH && (!m->mc_back_ns || m->mc_back_ns < m->entered_ns) &&
	    (!m->sw.any_pkt || n - m->sw.last_pkt_ns >= m->sw.cfg.silence_ns))
		m->mc_back_ns = n;
	seq = (uint16_t)(rtp[2] << 8 | rtp[3]);
	d = (uint16_t)(seq - m->last_seq);
	if (m->have_seq && (d == 0 || d >= 0x8000))
		return;
	if (m->have_seq && d > 1 && d < 0x1000 && !after_silence)
		mesh_switch_lost(&m->sw, n, d - 1u);
	m->have_seq = true;
	m->last_seq = seq;
	m->gap_since_mc_ns = 0;
	mesh_switch_received(&m->sw, n, 1);
}

/* ---- lifecycle ---- */

int stb_mesh_start(struct stb_tuner *t)
{
	struct stb_mesh *m = &t->mesh;

	if (!t->s->cfg.mesh)
		return 0;
	m->timer = sc_timer_new(t->s->loop, on_timer, t);
	m->poll = sc_timer_new(t->s->loop, on_poll, t);
	if (!m->timer || !m->poll)
		return -ENOMEM;
	mesh_switch_init(&m->sw, &t->s->cfg.mesh_switch, t->tune_ns);
	sc_timer_arm(m->poll, POLL_NS);
	return 0;
}

static int self_addr(struct stb_tuner *t, struct mesh_addr *out)
{
	struct mld_addr mine;
	int rc = mld_if_pick_source(t->s->cfg.iface, t->family == AF_INET ? AF_INET : AF_INET6, &mine,
				    &t->s->mlg);

	memset(out, 0, sizeof(*out));
	if (rc < 0)
		return rc;
	out->family = mine.family == AF_INET6 ? 6 : 4;
	memcpy(out->addr, mine.bytes, mine.family == AF_INET6 ? 16 : 4);
	out->port = t->s->cfg.repair_port;
	return 0;
}

static int make_node(struct stb_tuner *t, const uint8_t key[MESH_KEY_BYTES])
{
	struct stb *s = t->s;
	struct mesh_config cfg;
	struct mesh_callbacks cb = { .ctx = t, .now_ns = stb_tuner_cb_now, .send = stb_tuner_cb_send, .deliver = cb_deliver,
				     .handle_of = cb_handle_of, .addr_of = cb_addr_of,
				     .want_peers = cb_want_peers, .log = cb_log, .log_level = s->cfg.log_level };
	int rc;

	mesh_config_defaults(&cfg, MESH_ROLE_PEER);
	cfg.self_id = s->reg.client_id;
	cfg.channel_id = t->ch.id;
	memcpy(cfg.ret_key, key, MESH_KEY_BYTES);
	cfg.ident = s->ident;
	if ((rc = self_addr(t, &cfg.self_addr)) < 0)
		return rc;
	cfg.ts_base_ns = sc_clock_wall_ns(sc_loop_clock(s->loop));
	cfg.release = MESH_RELEASE_ARRIVAL;
	if ((rc = mesh_node_new(&cfg, &cb, &t->mesh.n)) < 0)
		return rc;
	memcpy(t->mesh.key, key, MESH_KEY_BYTES);
	mesh_node_pause(t->mesh.n, t->mesh.sw.mode != MESH_MODE_MESH);
	return 0;
}

void stb_mesh_set_key(struct stb_tuner *t, const uint8_t key[MESH_KEY_BYTES])
{
	struct stb_mesh *m = &t->mesh;
	int rc;

	if (!m->poll || (m->n && memcmp(m->key, key, MESH_KEY_BYTES) == 0))
		return;
	if (!t->s->reg.client_id) {
		sc_logf(&t->s->lg, LOG_INFO, "channel %u: no mesh before registration", t->ch.id);
		return;
	}
	if (!rtx_ident_ready(t->s->ident)) {
		sc_logf(&t->s->lg, LOG_INFO, "channel %u: mesh: no identity yet", t->ch.id);
		return;
	}
	mesh_node_free(m->n); /* a new key: the old overlay is void */
	m->n = NULL;
	rc = make_node(t, key);
	if (rc < 0) {
		sc_logf(&t->s->lg, LOG_WARNING, "channel %u: no P2P mesh fallback: %s", t->ch.id, strerror(-rc));
		return;
	}
	if (m->sw.mode == MESH_MODE_MESH)
		stb_mgmt_peers(t->s, t->ch.id);
	after(t);
}

/* The address of a tracker entry the box reaches it by: IPv6 first when
 * the box has it, like the repair group. */
static bool peer_info(struct stb_tuner *t, uint32_t id, const struct sc_sockaddr *a, size_t n,
		      const uint8_t *cert, struct mesh_peer_info *pi)
{
	const struct sc_sockaddr *pick = NULL;
	bool v6 = t->family != AF_INET;

	for (size_t i = 0; i < n && !pick; i++)
		if ((sc_addr_family(&a[i]) == AF_INET6) == v6)
			pick = &a[i];
	if (!pick && n)
		pick = &a[0];
	if (!pick || !id)
		return false;
	pi->id = id;
	pi->cert = cert; /* (NULL: none in the answer: the node ignores it) */
	mesh_addr_from_sockaddr(pick, &pi->addr);
	pi->handle = peers_intern(t->s->peers, pick, false);
	return pi->handle != 0;
}

static size_t peer_list(struct stb_tuner *t, const struct mgc_member *l, size_t n, struct mesh_peer_info *out)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (l[i].client_id != t->s->reg.client_id &&
		    peer_info(t, l[i].client_id, l[i].addrs, l[i].n_addrs, l[i].has_cert ? l[i].cert : NULL,
			      &out[k]))
			k++;
	return k;
}

void stb_mesh_peers(struct stb_tuner *t, const struct mgc_peers *p)
{
	struct stb_mesh *m = &t->mesh;
	struct mesh_peer_info near[MGC_MAX_PEERS], rnd[MGC_MAX_PEERS], src;
	size_t nn, nr;
	int added;

	if (!m->n || p->channel_id != t->ch.id)
		return;
	m->tracker_answers++;
	if (p->source_id && peer_info(t, p->source_id, p->source, p->n_source,
				      p->has_source_cert ? p->source_cert : NULL, &src))
		mesh_node_set_source(m->n, &src, p->direct);
	nn = peer_list(t, p->near, p->n_near, near);
	nr = peer_list(t, p->random, p->n_random, rnd);
	added = mesh_node_add_peers(m->n, near, nn, rnd, nr);
	sc_logf(&t->s->lg, LOG_INFO, "channel %u: tracker: %zu near and %zu random peer(s) (%d new), %s%s", t->ch.id,
		nn, nr, added < 0 ? 0 : added, p->source_id ? "the source " : "no source",
		p->source_id ? (p->direct ? "serves us directly" : "says: use the mesh") : "");
	mesh_node_run(m->n);
	after(t);
}

void stb_mesh_free(struct stb_tuner *t)
{
	struct stb_mesh *m = &t->mesh;

	mesh_node_free(m->n); /* says goodbye */
	m->n = NULL;
	sc_timer_free(m->timer);
	sc_timer_free(m->poll);
	m->timer = m->poll = NULL;
}

bool stb_mesh_active(const struct stb_tuner *t)
{
	return t->mesh.poll && t->mesh.sw.mode == MESH_MODE_MESH;
}
