/* rtx_sim: discrete-event simulation of a repair group over libsixcast-
 * retransmit. See rtx_sim.h. Everything random comes from seeded
 * splitmix64 streams: one per member for its multicast (loss, jitter), one
 * per member for its outages, one for the unicast network, so that the
 * multicast losses are the same whatever the policy under test. */
#include "config.h"

#include "rtx_sim.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sc_bytes.h"
#include "sc_rtp.h"
#include "tu_ident.h"

#define MS 1000000ULL
#define S 1000000000ULL
#define RING 2048 /* stream packets kept for multicast deliveries in flight */
#define SSRC 0x5c5c0001u
#define GROUP_ID 77
#define RET_DOMAIN 1000
#define EDGE_ID (RTX_EDGE_ID_FLAG | 1)

/* ---- random numbers ---- */

struct rng {
	uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

static uint64_t rng_below(struct rng *r, uint64_t n)
{
	return n ? rng_next(r) % n : 0;
}

/* ---- events ---- */

enum ev_kind { EV_EMIT, EV_MCAST, EV_PEER, EV_WAKE, EV_REGROUP };

struct ev {
	uint64_t t, id;
	uint64_t index;   /* EMIT/MCAST: stream packet */
	uint8_t *buf;     /* PEER: owned copy */
	uint32_t len;
	int16_t node, from;
	uint8_t kind;
};

struct heap {
	struct ev *v;
	size_t n, cap;
	uint64_t next_id;
};

static bool ev_before(const struct ev *a, const struct ev *b)
{
	return a->t != b->t ? a->t < b->t : a->id < b->id;
}

static int heap_push(struct heap *h, struct ev e)
{
	size_t i, p;

	if (h->n == h->cap) {
		size_t cap = h->cap ? 2 * h->cap : 4096;
		struct ev *v = realloc(h->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		h->v = v;
		h->cap = cap;
	}
	e.id = h->next_id++;
	for (i = h->n++; i > 0; i = p) {
		p = (i - 1) / 2;
		if (!ev_before(&e, &h->v[p]))
			break;
		h->v[i] = h->v[p];
	}
	h->v[i] = e;
	return 0;
}

static struct ev heap_pop(struct heap *h)
{
	struct ev top = h->v[0], last = h->v[--h->n];
	size_t i = 0, c;

	while ((c = 2 * i + 1) < h->n) {
		if (c + 1 < h->n && ev_before(&h->v[c + 1], &h->v[c]))
			c++;
		if (!ev_before(&h->v[c], &last))
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n)
		h->v[i] = last;
	return top;
}

/* ---- nodes ---- */

struct sim;

struct node {
	struct sim *sim;
	int idx;
	bool edge;
	rtx_session *s;
	struct rng rng_mc, rng_out;
	uint64_t out_start, out_end; /* current or next outage */
	uint64_t mc_delay;
	uint64_t sched;              /* earliest wake queued */
	bool started;
	uint64_t ext0, i0, next_i;
};

struct sim {
	const struct rtx_sim_params *p;
	struct rtx_sim_result *r;
	uint64_t now, interval, total;
	uint64_t frame, frame_left;  /* frames mode: the frame being sent */
	struct heap q;
	struct node nodes[RTX_SIM_MAX_MEMBERS + 1];
	unsigned n_nodes;
	uint64_t p2p[RTX_SIM_MAX_MEMBERS][RTX_SIM_MAX_MEMBERS];
	struct rng rng_net;
	uint8_t *ring;
	uint8_t *lost_map;         /* a bit per counted packet */
	size_t pkt_len;
	uint16_t seq0;
	uint8_t key[RTX_KEY_BYTES], key2[RTX_KEY_BYTES], ret_key[RTX_KEY_BYTES];
	/* one identity per node, by one CA (the management server's part) */
	struct tu_pki pki;
	rtx_ident *idents[RTX_SIM_MAX_MEMBERS + 1];
	int err;
};

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * S + (uint64_t)ts.tv_nsec;
}

static uint64_t mono_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

/* Time library calls when asked: the benchmark's CPU figure. The
 * simulator's own work inside the callbacks (copying datagrams, checking
 * delivered bytes) is timed too and taken out: see cb_begin/cb_end. */
#define LIB(sim, call)                                                 \
	do {                                                           \
		uint64_t t0_ = (sim)->p->measure_cpu ? mono_ns() : 0;  \
		call;                                                  \
		if ((sim)->p->measure_cpu) {                           \
			(sim)->r->lib_ns += mono_ns() - t0_;           \
			(sim)->r->lib_calls++;                         \
		}                                                      \
	} while (0)

static uint64_t cb_begin(const struct sim *sim)
{
	return sim->p->measure_cpu ? mono_ns() : 0;
}

static void cb_end(struct sim *sim, uint64_t t0)
{
	if (sim->p->measure_cpu) {
		sim->r->cb_ns += mono_ns() - t0;
		sim->r->cb_calls++;
	}
}

static void push(struct sim *sim, struct ev e)
{
	if (heap_push(&sim->q, e) < 0)
		sim->err = -ENOMEM;
}

/* Arm the node's timer at its session's deadline if that is earlier than
 * what is queued. */
static void rearm(struct node *nd)
{
	uint64_t d = rtx_session_deadline(nd->s);

	if (d < nd->sim->now)
		d = nd->sim->now;
	if (d == RTX_NO_DEADLINE || d >= nd->sched)
		return;
	nd->sched = d;
	push(nd->sim, (struct ev){ .t = d, .kind = EV_WAKE, .node = (int16_t)nd->idx });
}

/* ---- the stream ---- */

static uint8_t *ring_pkt(struct sim *sim, uint64_t i)
{
	return sim->ring + (i % RING) * sim->pkt_len;
}

static bool frames(const struct sim *sim)
{
	return sim->p->fps != 0;
}

/* Frames mode: packets of the stream before frame f (weights: an I-frame
 * iframe_weight, a P-frame 1; a GOP carries pps * gop / fps packets). */
static uint64_t before_frame(const struct sim *sim, uint64_t f)
{
	const struct rtx_sim_params *p = sim->p;
	uint64_t per_gop = (uint64_t)p->pps * p->gop / p->fps, wg = p->iframe_weight + p->gop - 1;
	uint64_t in = f % p->gop, w = (f / p->gop) * wg;

	if (in)
		w += p->iframe_weight + in - 1;
	return w * per_gop / wg;
}

/* Frames mode: the frame of stream packet i (a GOP's first frame starts
 * at a multiple of its packets). */
static uint64_t frame_of(const struct sim *sim, uint64_t i)
{
	uint64_t per_gop = (uint64_t)sim->p->pps * sim->p->gop / sim->p->fps;
	uint64_t f = i / per_gop * sim->p->gop;

	while (before_frame(sim, f + 1) <= i)
		f++;
	return f;
}

static void make_packet(struct sim *sim, uint64_t i, uint8_t *buf)
{
	struct sc_rtp_fields f = {
		.payload_type = SC_RTP_PT_MP2T, .seq = (uint16_t)(sim->seq0 + i),
		.timestamp = frames(sim) ? (uint32_t)(frame_of(sim, i) * 90000 / sim->p->fps)
					 : (uint32_t)(i * 90000 / sim->p->pps),
		.ssrc = SSRC,
	};

	sc_rtp_write(buf, sim->pkt_len, &f);
	sc_put_be64(buf + SC_RTP_HDR_MIN, i);
	memset(buf + SC_RTP_HDR_MIN + 8, (int)(uint8_t)(i * 7 + 1), sim->pkt_len - SC_RTP_HDR_MIN - 8);
}

/* ---- session callbacks ---- */

static uint64_t cb_now(void *ctx)
{
	return ((struct node *)ctx)->sim->now;
}

static uint64_t path_delay(struct sim *sim, int from, int to)
{
	const struct rtx_sim_params *p = sim->p;
	int m = (int)p->members;

	if (from == m || to == m)
		return p->ret_ns;
	return sim->p2p[from][to];
}

static int cb_send(void *ctx, uint64_t peer, const uint8_t *buf, size_t len)
{
	struct node *nd = ctx;
	struct sim *sim = nd->sim;
	uint64_t t0 = cb_begin(sim), t;
	uint8_t *copy;

	if (peer >= sim->n_nodes || peer == (uint64_t)nd->idx)
		return -EINVAL;
	copy = malloc(len);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, buf, len);
	t = sim->now + path_delay(sim, nd->idx, (int)peer) +
	    rng_below(&sim->rng_net, sim->p->uc_jitter_ns + 1);
	sim->r->unicast_sent++;
	push(sim, (struct ev){ .t = t, .kind = EV_PEER, .node = (int16_t)peer,
			       .from = (int16_t)nd->idx, .buf = copy, .len = (uint32_t)len });
	cb_end(sim, t0);
	return 0;
}

/* Playback output: the checks of the simulation. */
static void account(struct node *nd, uint64_t ext, uint64_t i, bool delivered)
{
	struct rtx_sim_result *r = nd->sim->r;

	if (!nd->started) {
		nd->started = true;
		nd->ext0 = ext;
		nd->i0 = nd->next_i = i;
		if (i < nd->sim->p->packets)
			r->expected += nd->sim->p->packets - i;
	}
	if (i != nd->next_i || ext - nd->ext0 != i - nd->i0) {
		if (i < nd->next_i)
			r->dup_deliveries++;
		else
			r->order_errors++;
	}
	nd->next_i = i + 1;
	if (i >= nd->sim->p->packets)
		return;
	if (delivered) {
		r->delivered++;
	} else {
		uint8_t *m = &nd->sim->lost_map[i / 8], bit = (uint8_t)(1u << (i % 8));

		r->lost++;
		r->lost_by_member[nd->idx]++;
		if (!(*m & bit)) {
			*m |= bit;
			r->lost_any++;
		}
	}
}

static void cb_deliver(void *ctx, uint64_t ext, const uint8_t *pkt, size_t len)
{
	struct node *nd = ctx;
	struct sim *sim = nd->sim;
	uint64_t t0 = cb_begin(sim), i;

	if (len != sim->pkt_len) {
		sim->r->content_errors++;
		return;
	}
	i = sc_get_be64(pkt + SC_RTP_HDR_MIN);
	make_packet(sim, i, sim->ring + RING * sim->pkt_len); /* scratch after the ring */
	if (memcmp(pkt, sim->ring + RING * sim->pkt_len, len) != 0)
		sim->r->content_errors++;
	account(nd, ext, i, true);
	cb_end(sim, t0);
}

static void cb_lost(void *ctx, uint64_t ext)
{
	struct node *nd = ctx;
	uint64_t t0 = cb_begin(nd->sim);

	if (!nd->started)
		return;
	account(nd, ext, nd->i0 + (ext - nd->ext0), false);
	cb_end(nd->sim, t0);
}

/* ---- set-up ---- */

void rtx_sim_defaults(struct rtx_sim_params *p)
{
	memset(p, 0, sizeof(*p));
	p->members = 5;
	p->packets = 100000;
	p->pps = 1000;
	p->payload = 1316;
	p->loss = 0.05;
	p->unicast_loss = true;
	p->policy = RTX_POLICY_RANKED;
	p->delay_ns = 300 * MS;
	p->seed = 1;
	p->mc_min_ns = 2 * MS;
	p->mc_max_ns = 10 * MS;
	p->mc_jitter_ns = 300000;
	p->p2p_min_ns = 3 * MS;
	p->p2p_max_ns = 25 * MS;
	p->uc_jitter_ns = 1 * MS;
	p->ret_ns = 8 * MS;
}

static void fill_group(struct sim *sim, struct rtx_member *m, struct rtx_group *g, int version)
{
	unsigned i, n = sim->p->members;

	if (version == 2 && sim->p->regroup_drop_last)
		n--;
	for (i = 0; i < n; i++)
		m[i] = (struct rtx_member){ .id = i + 1, .peer = i };
	*g = (struct rtx_group){ .id = GROUP_ID, .version = (uint32_t)version, .members = m,
				 .n_members = n };
	memcpy(g->key, version == 2 ? sim->key2 : sim->key, sizeof(g->key));
}

static int make_session(struct sim *sim, struct node *nd)
{
	const struct rtx_sim_params *p = sim->p;
	struct rtx_callbacks cb = { .ctx = nd, .now_ns = cb_now, .send = cb_send };
	struct rtx_config cfg;
	struct rtx_member edge = { EDGE_ID, sim->p->members };
	struct rtx_ret ret = { .domain_id = RET_DOMAIN, .servers = &edge, .n_servers = 1 };

	rtx_config_defaults(&cfg, nd->edge ? RTX_ROLE_EDGE : RTX_ROLE_CLIENT);
	cfg.self_id = nd->edge ? EDGE_ID : (uint32_t)nd->idx + 1;
	cfg.ident = sim->idents[nd->idx];
	cfg.policy = p->policy;
	cfg.playout_delay_ns = p->delay_ns;
	if (cfg.buffer_ns < p->delay_ns + 1 * S)
		cfg.buffer_ns = p->delay_ns + 1 * S;
	cfg.ts_base_ns = 1000 * S * (uint64_t)(nd->idx + 1);
	if (!nd->edge) {
		cb.deliver = cb_deliver;
		cb.lost = cb_lost;
	}
	if (p->tweak)
		p->tweak(p->tweak_ctx, nd->idx, &cfg);
	if (rtx_session_new(&cfg, &cb, &nd->s) < 0)
		return -EINVAL;
	memcpy(ret.key, sim->ret_key, sizeof(ret.key));
	if (nd->edge) {
		ret.n_servers = 0;
		return rtx_session_set_ret(nd->s, &ret);
	}
	if (p->ret && rtx_session_set_ret(nd->s, &ret) < 0)
		return -EINVAL;
	return 0;
}

static uint64_t pki_now(void *ctx)
{
	return ((const struct sim *)ctx)->now;
}

/* Every node's identity; each knows the others' certificates (the
 * management server's lists) and the edge has met every member. */
static int make_idents(struct sim *sim)
{
	unsigned i, j, n = sim->n_nodes;

	if (tu_pki_init(&sim->pki, pki_now, sim) < 0)
		return -ENOSYS;
	for (i = 0; i < n; i++) {
		sim->idents[i] = tu_ident_new(&sim->pki, i == sim->p->members ? EDGE_ID : i + 1, 0);
		if (!sim->idents[i])
			return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			tu_ident_introduce(sim->idents[i], sim->idents[j]);
	for (i = 0; sim->p->ret && i < sim->p->members; i++)
		rtx_ident_addr_set(sim->idents[sim->p->members], i + 1, i);
	return 0;
}

static int setup(struct sim *sim)
{
	const struct rtx_sim_params *p = sim->p;
	struct rtx_member m[RTX_SIM_MAX_MEMBERS];
	struct rtx_group g;
	struct rng setup_rng = { p->seed * 7919 + 3 };
	unsigned i, j;

	sim->interval = S / p->pps;
	sim->pkt_len = SC_RTP_HDR_MIN + p->payload;
	sim->n_nodes = p->members + (p->ret ? 1 : 0);
	sim->ring = malloc((RING + 1) * sim->pkt_len);
	sim->lost_map = calloc(p->packets / 8 + 1, 1);
	if (!sim->ring || !sim->lost_map)
		return -ENOMEM;
	sim->rng_net.s = p->seed * 104729 + 17;
	sim->seq0 = (uint16_t)rng_next(&setup_rng);
	for (i = 0; i < RTX_KEY_BYTES; i++) {
		sim->key[i] = (uint8_t)rng_next(&setup_rng);
		sim->key2[i] = (uint8_t)rng_next(&setup_rng);
		sim->ret_key[i] = (uint8_t)rng_next(&setup_rng);
	}
	for (i = 0; i < p->members; i++)
		for (j = i + 1; j < p->members; j++)
			sim->p2p[i][j] = sim->p2p[j][i] =
				p->p2p_min_ns + rng_below(&setup_rng, p->p2p_max_ns - p->p2p_min_ns + 1);
	fill_group(sim, m, &g, 1);
	if (make_idents(sim) < 0)
		return -EINVAL;
	for (i = 0; i < sim->n_nodes; i++) {
		struct node *nd = &sim->nodes[i];

		nd->sim = sim;
		nd->idx = (int)i;
		nd->edge = i == p->members;
		nd->sched = UINT64_MAX;
		nd->rng_mc.s = p->seed * 1000003 + i * 7777 + 1;
		nd->rng_out.s = p->seed * 999983 + i * 3333 + 2;
		nd->mc_delay = nd->edge ? 1 * MS :
			p->mc_min_ns + rng_below(&setup_rng, p->mc_max_ns - p->mc_min_ns + 1);
		if (make_session(sim, nd) < 0)
			return -EINVAL;
		if (!nd->edge && rtx_session_set_group(nd->s, &g) < 0)
			return -EINVAL;
	}
	return 0;
}

static int check_params(const struct rtx_sim_params *p)
{
	if (p->members < 1 || p->members > RTX_SIM_MAX_MEMBERS || p->pps == 0 ||
	    p->pps > 100000 || p->payload < 8 || p->payload > 1400 || p->loss < 0 ||
	    (p->fps && (p->fps > 1000 || p->gop == 0 || p->iframe_weight == 0 ||
			(uint64_t)p->pps * p->gop / p->fps < p->iframe_weight + p->gop - 1)) ||
	    p->loss >= 1 || p->mc_min_ns > p->mc_max_ns || p->p2p_min_ns > p->p2p_max_ns)
		return -EINVAL;
	/* multicast deliveries in flight must fit the ring */
	if ((p->mc_max_ns + p->mc_jitter_ns) / (S / p->pps) + 2 >= RING)
		return -EINVAL;
	return 0;
}

/* ---- losses ---- */

/* Whether a datagram reaching a member at time t is lost, by the model.
 * Outages are a renewal process of fixed length, spaced so that the mean
 * fraction of time lost is p->loss. */
static bool model_drops(struct sim *sim, struct node *nd, bool mcast)
{
	const struct rtx_sim_params *p = sim->p;
	double gap;

	if (!mcast && !p->unicast_loss)
		return false;
	if (p->loss <= 0)
		return false;
	if (p->burst == 0)
		return rng_unit(mcast ? &nd->rng_mc : &sim->rng_net) < p->loss;
	while (sim->now >= nd->out_end) {
		gap = -log(1.0 - rng_unit(&nd->rng_out)) * (double)p->burst *
		      (double)sim->interval * (1.0 - p->loss) / p->loss;
		nd->out_start = nd->out_end + (uint64_t)gap;
		nd->out_end = nd->out_start + p->burst * sim->interval;
	}
	return sim->now >= nd->out_start;
}

static bool dropped(struct sim *sim, struct node *nd, const struct ev *e)
{
	struct rtx_sim_dgram d = {
		.kind = e->kind == EV_MCAST ? RTX_SIM_MCAST : RTX_SIM_PEER,
		.from = e->kind == EV_MCAST ? -1 : e->from, .to = nd->idx,
		.index = e->index, .at_ns = sim->now,
	};
	struct rtx_msg_info info;

	if (sim->p->drop) {
		if (d.kind == RTX_SIM_PEER && rtx_peek(e->buf, e->len, &info) == 0)
			d.type = (int)info.type;
		return sim->p->drop(sim->p->drop_ctx, &d);
	}
	if (nd->edge)
		return false;
	if (sim->p->blocked_from && e->kind == EV_MCAST && nd->idx == 0 &&
	    e->index >= sim->p->blocked_from)
		return true;
	return model_drops(sim, nd, e->kind == EV_MCAST);
}

/* ---- event handlers ---- */

/* When the packet after the one just sent leaves the source: a frame's
 * packets 50 us apart, frames 1/fps apart (from the first, at 1 s). */
static uint64_t next_emit(struct sim *sim)
{
	if (!frames(sim))
		return sim->now + sim->interval;
	if (sim->frame_left > 1) {
		sim->frame_left--;
		return sim->now + 50000;
	}
	do {
		sim->frame++;
		sim->frame_left = before_frame(sim, sim->frame + 1) - before_frame(sim, sim->frame);
	} while (!sim->frame_left);
	return 1 * S + sim->frame * S / sim->p->fps;
}

static void on_emit(struct sim *sim, const struct ev *e)
{
	unsigned n;
	uint64_t t;

	if (frames(sim) && e->index == 0)
		sim->frame_left = before_frame(sim, 1);
	make_packet(sim, e->index, ring_pkt(sim, e->index));
	for (n = 0; n < sim->n_nodes; n++) {
		struct node *nd = &sim->nodes[n];

		t = sim->now + nd->mc_delay;
		if (!nd->edge)
			t += rng_below(&nd->rng_mc, sim->p->mc_jitter_ns + 1);
		push(sim, (struct ev){ .t = t, .kind = EV_MCAST, .node = (int16_t)n,
				       .index = e->index });
	}
	sim->r->mcast_sent++;
	if (e->index + 1 < sim->total)
		push(sim, (struct ev){ .t = next_emit(sim), .kind = EV_EMIT, .index = e->index + 1 });
}

static void on_mcast(struct sim *sim, struct node *nd, const struct ev *e)
{
	if (dropped(sim, nd, e)) {
		sim->r->mcast_dropped += e->index < sim->p->packets;
		return;
	}
	LIB(sim, rtx_session_input_rtp(nd->s, ring_pkt(sim, e->index), sim->pkt_len));
	rearm(nd);
}

static void on_peer(struct sim *sim, struct node *nd, struct ev *e)
{
	if (dropped(sim, nd, e))
		sim->r->unicast_dropped++;
	else
		LIB(sim, rtx_session_input_peer(nd->s, e->buf, e->len, (uint64_t)e->from));
	free(e->buf);
	rearm(nd);
}

static void on_wake(struct sim *sim, struct node *nd, const struct ev *e)
{
	if (e->t != nd->sched)
		return; /* superseded by an earlier wake */
	nd->sched = UINT64_MAX;
	LIB(sim, rtx_session_run(nd->s));
	rearm(nd);
}

static void on_regroup(struct sim *sim, struct node *nd)
{
	struct rtx_member m[RTX_SIM_MAX_MEMBERS];
	struct rtx_group g;

	fill_group(sim, m, &g, 2);
	if (sim->p->regroup_drop_last && nd->idx == (int)sim->p->members - 1)
		rtx_session_set_group(nd->s, NULL);
	else if (rtx_session_set_group(nd->s, &g) < 0)
		sim->err = -EPROTO;
	rearm(nd);
}

static void dispatch(struct sim *sim, struct ev *e)
{
	struct node *nd = &sim->nodes[e->node];

	switch (e->kind) {
	case EV_EMIT:
		on_emit(sim, e);
		break;
	case EV_MCAST:
		on_mcast(sim, nd, e);
		break;
	case EV_PEER:
		on_peer(sim, nd, e);
		break;
	case EV_WAKE:
		on_wake(sim, nd, e);
		break;
	default:
		on_regroup(sim, nd);
		break;
	}
}

/* ---- the run ---- */

static void schedule_start(struct sim *sim)
{
	struct rng r = { sim->p->seed * 31 + 5 };
	unsigned i;

	push(sim, (struct ev){ .t = 1 * S, .kind = EV_EMIT, .index = 0 });
	if (!sim->p->regroup_ns)
		return;
	for (i = 0; i < sim->p->members; i++)
		push(sim, (struct ev){ .t = 1 * S + sim->p->regroup_ns +
					    rng_below(&r, sim->p->regroup_skew_ns + 1),
				       .kind = EV_REGROUP, .node = (int16_t)i });
}

static void sum_stats(struct rtx_stats *sum, const struct rtx_stats *st)
{
	uint64_t *a = (uint64_t *)sum;
	const uint64_t *b = (const uint64_t *)st;
	size_t i;

	for (i = 0; i < sizeof(*sum) / sizeof(uint64_t); i++)
		a[i] += b[i];
}

static void finish(struct sim *sim)
{
	struct rtx_stats st;
	unsigned i;

	for (i = 0; i < sim->n_nodes; i++) {
		rtx_session_stats(sim->nodes[i].s, &st);
		sum_stats(sim->nodes[i].edge ? &sim->r->edge : &sim->r->members, &st);
	}
}

static void teardown(struct sim *sim)
{
	unsigned i;

	while (sim->q.n) {
		struct ev e = heap_pop(&sim->q);

		free(e.buf);
	}
	free(sim->q.v);
	for (i = 0; i < sim->n_nodes; i++) {
		rtx_session_free(sim->nodes[i].s);
		rtx_ident_free(sim->idents[i]);
	}
	free(sim->ring);
	free(sim->lost_map);
}

int rtx_sim_run(const struct rtx_sim_params *p, struct rtx_sim_result *r)
{
	struct sim *sim;
	uint64_t end;
	int rc;

	memset(r, 0, sizeof(*r));
	if (check_params(p) < 0)
		return -EINVAL;
	sim = calloc(1, sizeof(*sim));
	if (!sim)
		return -ENOMEM;
	sim->p = p;
	sim->r = r;
	/* enough stream after the counted packets for all their fates to be
	 * decided: the delay plus a second */
	sim->total = p->packets + (p->delay_ns + 1 * S) / (S / p->pps) + 1;
	rc = setup(sim);
	if (rc == 0) {
		uint64_t wall0 = mono_ns(), cpu0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);

		schedule_start(sim);
		end = 1 * S + sim->total * (S / p->pps) + p->delay_ns + 3 * S;
		while (sim->q.n && sim->err == 0) {
			struct ev e = heap_pop(&sim->q);

			if (e.t > end) {
				free(e.buf);
				break;
			}
			sim->now = e.t;
			r->events++;
			dispatch(sim, &e);
		}
		r->loop_wall_ns = mono_ns() - wall0;
		r->loop_cpu_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0;
		rc = sim->err;
		finish(sim);
	}
	teardown(sim);
	free(sim);
	return rc;
}
