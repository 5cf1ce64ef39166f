/* mesh_sim: one channel's mesh on a fake clock. See mesh_sim.h. */
#include "config.h"

#include "mesh_sim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sc_bytes.h"
#include "sc_clock.h"
#include "sc_rtp.h"
#include "tu_ident.h"

#define TS_BASE (1700000000ULL * SC_NS_PER_S)
#define SSRC 0x5eed0001u
#define SIM_IDENT_PEERS 4096

enum ev_type { EV_PKT, EV_TRACKER };

struct ev {
	uint64_t t;
	uint64_t order; /* ties keep their order: deterministic */
	enum ev_type type;
	unsigned dst, src;
	uint16_t len;
	uint8_t *buf;
};

struct sim;

struct snode {
	struct sim *sim;
	unsigned idx; /* 0: the source */
	uint32_t id;
	struct mesh_addr addr;
	mesh_node *n;
	rtx_ident *ident; /* its own key pair and certificate, from the sim's CA */
	uint8_t cert[RTX_CERT_BYTES];
	bool alive, joined, dying, ever_died, told_direct;
	uint64_t join_at, joined_ns, restart_at, due;
	/* what it delivered */
	bool any;
	uint64_t last_seq, first_deliver_ns, delivered;
	double lag_sum, lag_max;
	struct mesh_stats last_st; /* of its dead incarnations, summed */
};

struct sim {
	struct mesh_sim_config c;
	uint64_t now, rng, order;
	struct snode *node;
	unsigned nn;
	struct ev *heap;
	size_t nh, caph;
	uint64_t *emit_ns;
	uint64_t npkts, maxpkts;
	uint8_t key[MESH_KEY_BYTES];
	struct tu_pki pki;  /* the management server's CA */
	struct mesh_sim_result *r;
	uint64_t ctl_bytes, data_bytes; /* of dead incarnations */
};

static uint64_t rnd(struct sim *s)
{
	uint64_t z = (s->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double rnd01(struct sim *s)
{
	return (double)(rnd(s) >> 11) / 9007199254740992.0;
}

void mesh_sim_config_defaults(struct mesh_sim_config *c)
{
	memset(c, 0, sizeof(*c));
	c->peers = 20;
	c->metros = 4;
	c->seed = 1;
	c->duration_ns = 20 * SC_NS_PER_S;
	c->join_spread_ns = 2 * SC_NS_PER_S;
	c->pps = 400;
	c->payload = 7 * 188;
	c->lat_metro_ns = 2 * SC_NS_PER_MS;
	c->lat_core_ns = 10 * SC_NS_PER_MS;
	c->jitter_ns = 1 * SC_NS_PER_MS;
	c->churn_down_ns = 3 * SC_NS_PER_S;
	c->max_children = 3;
}

/* ---- the event heap ---- */

static bool before(const struct ev *a, const struct ev *b)
{
	return a->t < b->t || (a->t == b->t && a->order < b->order);
}

static int push_ev(struct sim *s, struct ev e)
{
	size_t i;

	if (s->nh == s->caph) {
		size_t cap = s->caph ? 2 * s->caph : 4096;
		struct ev *h = realloc(s->heap, cap * sizeof(*h));

		if (!h)
			return -ENOMEM;
		s->heap = h;
		s->caph = cap;
	}
	e.order = s->order++;
	i = s->nh++;
	while (i && before(&e, &s->heap[(i - 1) / 2])) {
		s->heap[i] = s->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	s->heap[i] = e;
	return 0;
}

static struct ev pop_ev(struct sim *s)
{
	struct ev top = s->heap[0], last = s->heap[--s->nh];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= s->nh)
			break;
		if (c + 1 < s->nh && before(&s->heap[c + 1], &s->heap[c]))
			c++;
		if (!before(&s->heap[c], &last))
			break;
		s->heap[i] = s->heap[c];
		i = c;
	}
	if (s->nh)
		s->heap[i] = last;
	return top;
}

/* ---- the stream ---- */

static size_t make_pkt(const struct sim *s, uint64_t k, uint8_t *buf)
{
	struct sc_rtp_fields f = { .payload_type = SC_RTP_PT_MP2T, .seq = (uint16_t)k,
				   .timestamp = (uint32_t)(k * 90000 / s->c.pps), .ssrc = SSRC };
	unsigned i;

	sc_rtp_write(buf, 12, &f);
	for (i = 0; i < s->c.payload; i += 4)
		sc_put_be32(buf + 12 + i, (uint32_t)(k * 2654435761u + i));
	return 12 + s->c.payload;
}

/* ---- callbacks ---- */

static uint64_t cb_now(void *ctx)
{
	return ((struct snode *)ctx)->sim->now;
}

static unsigned metro_of(const struct sim *s, unsigned idx)
{
	return idx ? 1 + (idx - 1) % s->c.metros : 0;
}

static int cb_send(void *ctx, uint64_t peer, const uint8_t *buf, size_t len)
{
	struct snode *me = ctx;
	struct sim *s = me->sim;
	struct ev e = { .type = EV_PKT, .src = me->idx, .len = (uint16_t)len };
	uint64_t lat;

	if (me->dying || !peer || peer > s->nn)
		return 0;
	peer--; /* handles are 1 + the node's index: 0 is no handle */
	if (s->c.loss > 0 && rnd01(s) < s->c.loss)
		return 0;
	lat = metro_of(s, me->idx) && metro_of(s, me->idx) == metro_of(s, (unsigned)peer) ? s->c.lat_metro_ns
											: s->c.lat_core_ns;
	if (s->c.jitter_ns)
		lat += rnd(s) % s->c.jitter_ns;
	e.t = s->now + lat;
	e.dst = (unsigned)peer;
	e.buf = malloc(len);
	if (!e.buf)
		return -ENOMEM;
	memcpy(e.buf, buf, len);
	return push_ev(s, e);
}

static void cb_deliver(void *ctx, uint64_t seq, const uint8_t *rtp, size_t len)
{
	struct snode *me = ctx;
	struct sim *s = me->sim;
	uint8_t want[1500];
	uint64_t k = seq - 65536;

	if (me->any && seq == me->last_seq)
		s->r->dup_deliveries++;
	else if (me->any && seq < me->last_seq)
		s->r->order_errors++;
	if (k >= s->npkts || len != make_pkt(s, k, want) || memcmp(want, rtp, len))
		s->r->corrupt++;
	else {
		double lag = (double)(s->now - s->emit_ns[k]) / 1e6;

		me->lag_sum += lag;
		if (lag > me->lag_max)
			me->lag_max = lag;
	}
	if (!me->any)
		me->first_deliver_ns = s->now;
	me->any = true;
	me->last_seq = seq;
	me->delivered++;
}

static int cb_handle_of(void *ctx, const struct mesh_addr *a, uint64_t *handle)
{
	struct sim *s = ((struct snode *)ctx)->sim;
	unsigned i;

	for (i = 0; i < s->nn; i++)
		if (!memcmp(&s->node[i].addr, a, sizeof(*a))) {
			*handle = i + 1;
			return 0;
		}
	return -ENOENT;
}

static int cb_addr_of(void *ctx, uint64_t handle, struct mesh_addr *a)
{
	struct sim *s = ((struct snode *)ctx)->sim;

	if (!handle || handle > s->nn)
		return -ENOENT;
	*a = s->node[handle - 1].addr;
	return 0;
}

static void cb_want_peers(void *ctx)
{
	struct snode *me = ctx;
	struct ev e = { .t = me->sim->now + 20 * SC_NS_PER_MS, .type = EV_TRACKER, .dst = me->idx };

	push_ev(me->sim, e);
}

/* ---- nodes ---- */

static int start_node(struct sim *s, struct snode *sn)
{
	struct mesh_callbacks cb = { .ctx = sn, .now_ns = cb_now, .send = cb_send, .deliver = cb_deliver,
				     .handle_of = cb_handle_of, .addr_of = cb_addr_of,
				     .want_peers = cb_want_peers };
	struct mesh_config cfg;
	int rc;

	/* A node (re)starting registers: a new key, certified by the CA. Room
	 * for 4096 peers: rtx_ident's table spreads sequential ids over few
	 * of its sets (ids 1..20 fill two), and with the default 256 a node
	 * forgets the peers it talks to. */
	if (!sn->ident && !(sn->ident = tu_ident_new(&s->pki, sn->id, SIM_IDENT_PEERS)))
		return -ENOKEY;
	rtx_cert_encode(rtx_ident_cert(sn->ident), sn->cert);
	mesh_config_defaults(&cfg, sn->idx ? MESH_ROLE_PEER : MESH_ROLE_SOURCE);
	cfg.self_id = sn->id;
	cfg.ident = sn->ident;
	cfg.channel_id = 1;
	memcpy(cfg.ret_key, s->key, sizeof(s->key));
	cfg.self_addr = sn->addr;
	cfg.ts_base_ns = TS_BASE + s->now;
	cfg.max_children = s->c.max_children;
	if (sn->idx && s->c.tune)
		s->c.tune(&cfg, s->c.tune_arg);
	if ((rc = mesh_node_new(&cfg, &cb, &sn->n)) < 0)
		return rc;
	sn->alive = true;
	sn->any = false;
	sn->due = s->now;
	return 0;
}

/* What the tracker says of node i: its registered address and its
 * certificate. */
static void info_of(struct sim *s, unsigned i, struct mesh_peer_info *pi)
{
	pi->id = s->node[i].id;
	pi->addr = s->node[i].addr;
	pi->handle = i + 1;
	pi->cert = s->node[i].cert;
}

/* The tracker: k near (same metro first) and l random joined peers, and
 * the source, direct while it has free slots. */
static void tracker(struct sim *s, struct snode *sn, bool first)
{
	struct mesh_peer_info near[8], rand[3], src;
	size_t nn = 0, nr = 0;
	unsigned i, tries, direct = 0;

	for (i = 1; i < s->nn && nn < 8; i++)
		if (i != sn->idx && s->node[i].alive && s->node[i].joined &&
		    metro_of(s, i) == metro_of(s, sn->idx))
			info_of(s, i, &near[nn++]);
	for (tries = 0; tries < 64 && nn < 8; tries++) {
		i = 1 + (unsigned)(rnd(s) % (s->nn - 1));
		if (i != sn->idx && s->node[i].alive && s->node[i].joined)
			info_of(s, i, &near[nn++]);
	}
	for (tries = 0; tries < 64 && nr < 3; tries++) {
		i = 1 + (unsigned)(rnd(s) % (s->nn - 1));
		if (i != sn->idx && s->node[i].alive && s->node[i].joined)
			info_of(s, i, &rand[nr++]);
	}
	mesh_node_add_peers(sn->n, near, nn, rand, nr);
	if (!first)
		return;
	for (i = 1; i < s->nn; i++)
		direct += s->node[i].alive && s->node[i].told_direct;
	sn->told_direct = direct < s->c.max_children;
	info_of(s, 0, &src);
	mesh_node_set_source(sn->n, &src, sn->told_direct);
}

static void kill_node(struct sim *s, struct snode *sn)
{
	struct mesh_stats st;

	mesh_node_stats(sn->n, &st);
	s->ctl_bytes += st.ctl_bytes_sent;
	s->data_bytes += st.data_bytes_sent;
	sn->dying = true; /* a kill: no goodbye */
	mesh_node_free(sn->n);
	sn->n = NULL;
	rtx_ident_free(sn->ident); /* its keys die with it */
	sn->ident = NULL;
	sn->dying = false;
	sn->alive = sn->joined = sn->told_direct = false;
	sn->ever_died = true;
	sn->restart_at = s->now + s->c.churn_down_ns;
	s->r->kills++;
}

static void churn(struct sim *s)
{
	unsigned tries, i;

	for (tries = 0; tries < 16; tries++) {
		i = 1 + (unsigned)(rnd(s) % (s->nn - 1));
		if (s->node[i].alive && s->node[i].joined) {
			kill_node(s, &s->node[i]);
			return;
		}
	}
}

static void join(struct sim *s, struct snode *sn)
{
	if (!sn->alive && start_node(s, sn) < 0)
		return;
	sn->joined = true;
	sn->joined_ns = s->now;
	tracker(s, sn, true);
	sn->due = s->now;
}

static void run_node(struct sim *s, struct snode *sn)
{
	unsigned k;

	for (k = 0; k < 4 && sn->alive && sn->due <= s->now; k++)
		sn->due = mesh_node_run(sn->n);
	if (sn->alive && sn->due <= s->now)
		sn->due = s->now + 1;
}

/* ---- the run ---- */

static uint64_t sim_now(void *ctx)
{
	return ((struct sim *)ctx)->now;
}

static int setup(struct sim *s, const struct mesh_sim_config *c, struct mesh_sim_result *r)
{
	unsigned i;
	int rc;

	memset(s, 0, sizeof(*s));
	memset(r, 0, sizeof(*r));
	s->c = *c;
	s->r = r;
	s->rng = c->seed;
	s->now = 1 * SC_NS_PER_S;
	s->nn = c->peers + 1;
	if (!c->peers || !c->pps || !c->metros || c->payload > 1400 || c->payload % 4)
		return -EINVAL;
	s->maxpkts = (c->duration_ns / SC_NS_PER_S + 2) * c->pps;
	s->node = calloc(s->nn, sizeof(*s->node));
	s->emit_ns = calloc(s->maxpkts, sizeof(*s->emit_ns));
	if (!s->node || !s->emit_ns)
		return -ENOMEM;
	if ((rc = tu_pki_init(&s->pki, sim_now, s)) < 0)
		return rc;
	for (i = 0; i < sizeof(s->key); i++)
		s->key[i] = (uint8_t)rnd(s);
	for (i = 0; i < s->nn; i++) {
		struct snode *sn = &s->node[i];
		unsigned m = metro_of(s, i);

		sn->sim = s;
		sn->idx = i;
		sn->id = i ? i : MESH_SOURCE_ID_FLAG | 1;
		sn->addr.family = 6;
		sn->addr.addr[0] = 0x20;
		sn->addr.addr[1] = 0x01;
		sn->addr.addr[2] = 0x0d;
		sn->addr.addr[3] = 0xb8;
		sn->addr.addr[5] = (uint8_t)m;
		sn->addr.addr[14] = (uint8_t)(i >> 8);
		sn->addr.addr[15] = (uint8_t)(i + 1);
		sn->addr.port = i ? 5100 : 5200;
		sn->join_at = i ? s->now + 500 * SC_NS_PER_MS + (c->join_spread_ns ? rnd(s) % c->join_spread_ns : 0)
				: UINT64_MAX;
		sn->restart_at = UINT64_MAX;
	}
	return start_node(s, &s->node[0]);
}

/* MESH_SIM_DEBUG: what a peer dropped and refused, and its addresses. */
static void debug_drops(unsigned i, const struct mesh_stats *st)
{
	fprintf(stderr, "peer %u: unvalidated %llu refused %llu auth %llu unknown %llu send_err %llu malformed %llu "
		"unsupp %llu replayed %llu rate %llu chal %llu valid %llu partners %u depth %u\n",
		i, (unsigned long long)st->unvalidated, (unsigned long long)st->tx_refused,
		(unsigned long long)st->auth_failed, (unsigned long long)st->unknown_sender,
		(unsigned long long)st->send_errors, (unsigned long long)st->malformed,
		(unsigned long long)st->unsupported, (unsigned long long)st->replayed,
		(unsigned long long)st->rate_limited, (unsigned long long)st->challenges,
		(unsigned long long)st->validated, st->partners, st->depth);
}

static void results(struct sim *s)
{
	struct mesh_sim_result *r = s->r;
	struct mesh_stats st;
	uint64_t ctl = s->ctl_bytes, data = s->data_bytes, rx = 0, dups = 0, partners = 0;
	double lag_n = 0, lag_sum = 0;
	unsigned i;

	r->continuity_min = 1.0;
	for (i = 0; i < s->nn; i++) {
		struct snode *sn = &s->node[i];
		double cont;

		if (!sn->alive)
			continue;
		mesh_node_stats(sn->n, &st);
		ctl += st.ctl_bytes_sent;
		data += st.data_bytes_sent;
		if (!i) {
			r->source_upload_x = (double)(st.data_bytes_sent + st.ctl_bytes_sent) /
					     ((double)s->npkts * (12 + s->c.payload));
			continue;
		}
		if (getenv("MESH_SIM_DEBUG") && (st.lost || st.poor_flagged || st.liars_dropped))
			fprintf(stderr, "peer %u: lost %llu poor %llu liars %llu dropped %llu added %llu redirects %llu depth %u\n",
				i, (unsigned long long)st.lost, (unsigned long long)st.poor_flagged,
				(unsigned long long)st.liars_dropped, (unsigned long long)st.partners_dropped,
				(unsigned long long)st.partners_added, (unsigned long long)st.redirects_received, st.depth);
		if (getenv("MESH_SIM_DEBUG"))
			debug_drops(i, &st);
		rx += st.data_received;
		dups += st.data_duplicates;
		r->pushed += st.data_pushed_in;
		r->pulled += st.data_pulled_in;
		r->urgent += st.urgent_pulls_sent;
		if (!sn->ever_died && !sn->any && getenv("MESH_SIM_DEBUG"))
			fprintf(stderr, "peer %u never played: partners %u depth %u out %u in %u redirects %llu added %llu dropped %llu newest %llu\n",
				i, st.partners, st.depth, st.out_view, st.in_view,
				(unsigned long long)st.redirects_received, (unsigned long long)st.partners_added,
				(unsigned long long)st.partners_dropped, (unsigned long long)st.newest);
		if (sn->ever_died || !sn->any)
			continue;
		r->survivors++;
		partners += st.partners;
		if (st.depth != 255 && st.depth > r->depth_max)
			r->depth_max = st.depth;
		r->delivered += st.delivered;
		r->lost += st.lost;
		cont = st.delivered + st.lost ? (double)st.delivered / (double)(st.delivered + st.lost) : 0;
		r->continuity_avg += cont;
		if (cont < r->continuity_min)
			r->continuity_min = cont;
		r->startup_avg_ms += (double)(sn->first_deliver_ns - sn->joined_ns) / 1e6;
		if ((double)(sn->first_deliver_ns - sn->joined_ns) / 1e6 > r->startup_max_ms)
			r->startup_max_ms = (double)(sn->first_deliver_ns - sn->joined_ns) / 1e6;
		lag_sum += sn->lag_sum;
		lag_n += (double)sn->delivered;
		if (sn->lag_max > r->lag_max_ms)
			r->lag_max_ms = sn->lag_max;
	}
	if (r->survivors) {
		r->continuity_avg /= r->survivors;
		r->startup_avg_ms /= r->survivors;
		r->partners_avg_x10 = (unsigned)(partners * 10 / r->survivors);
	} else {
		r->continuity_min = 0;
	}
	r->lag_avg_ms = lag_n ? lag_sum / lag_n : 0;
	r->control_share = ctl + data ? (double)ctl / (double)(ctl + data) : 0;
	r->dup_share = rx + dups ? (double)dups / (double)(rx + dups) : 0;
}

static uint64_t next_time(struct sim *s, uint64_t next_src, uint64_t next_churn)
{
	uint64_t t = next_src < next_churn ? next_src : next_churn;
	unsigned i;

	if (s->nh && s->heap[0].t < t)
		t = s->heap[0].t;
	for (i = 0; i < s->nn; i++) {
		const struct snode *sn = &s->node[i];

		if (sn->alive && sn->due < t)
			t = sn->due;
		if (!sn->joined && sn->join_at < t)
			t = sn->join_at;
		if (!sn->alive && sn->restart_at < t)
			t = sn->restart_at;
	}
	return t;
}

static void step(struct sim *s, uint64_t *next_src, uint64_t *next_churn)
{
	uint8_t pkt[1500];
	unsigned i;

	while (s->nh && s->heap[0].t <= s->now) {
		struct ev e = pop_ev(s);
		struct snode *d = &s->node[e.dst];

		if (d->alive && e.type == EV_PKT) {
			mesh_node_input(d->n, e.buf, e.len, e.src + 1);
			d->due = mesh_node_deadline(d->n);
		} else if (d->alive && e.type == EV_TRACKER) {
			tracker(s, d, false);
			d->due = mesh_node_deadline(d->n);
		}
		free(e.buf);
	}
	if (s->now >= *next_src && s->npkts < s->maxpkts) {
		size_t len = make_pkt(s, s->npkts, pkt);

		s->emit_ns[s->npkts++] = s->now;
		mesh_node_input_rtp(s->node[0].n, pkt, len);
		s->node[0].due = mesh_node_deadline(s->node[0].n);
		*next_src += SC_NS_PER_S / s->c.pps;
	}
	if (s->now >= *next_churn) {
		churn(s);
		*next_churn += s->c.churn_every_ns / 2 + rnd(s) % s->c.churn_every_ns;
	}
	for (i = 1; i < s->nn; i++) {
		struct snode *sn = &s->node[i];

		if (!sn->joined && !sn->alive && sn->join_at <= s->now) {
			sn->join_at = UINT64_MAX;
			join(s, sn);
		} else if (!sn->alive && sn->restart_at <= s->now) {
			sn->restart_at = UINT64_MAX;
			join(s, sn);
		}
	}
	for (i = 0; i < s->nn; i++)
		if (s->node[i].alive && s->node[i].due <= s->now)
			run_node(s, &s->node[i]);
}

int mesh_sim_run(const struct mesh_sim_config *c, struct mesh_sim_result *r)
{
	struct sim s;
	uint64_t end, next_src, next_churn;
	unsigned i;
	int rc = setup(&s, c, r);

	if (rc < 0)
		goto out;
	end = s.now + c->duration_ns;
	next_src = s.now;
	next_churn = c->churn_every_ns ? s.now + c->join_spread_ns + 2 * SC_NS_PER_S : UINT64_MAX;
	while (s.now < end) {
		uint64_t t = next_time(&s, next_src, next_churn);

		s.now = t > s.now ? t : s.now;
		step(&s, &next_src, &next_churn);
	}
	results(&s);
out:
	for (i = 0; s.node && i < s.nn; i++) {
		if (s.node[i].alive) {
			s.node[i].dying = true;
			mesh_node_free(s.node[i].n);
		}
		rtx_ident_free(s.node[i].ident);
	}
	while (s.nh)
		free(pop_ev(&s).buf);
	free(s.heap);
	free(s.node);
	free(s.emit_ns);
	return rc;
}
