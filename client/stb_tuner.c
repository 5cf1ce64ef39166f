/* stb_tuner: receiving one channel. The multicast socket (a source-
 * specific join through igmp-mld, IPv6 when the box and the channel have
 * it) feeds the retransmit session's raw buffer; the session asks the
 * group and the edge's RET for what is missing, and its playback buffer
 * hands the stream, in order, to the outputs. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "stb_int.h"

#define BATCH 32
/* The raw buffer in packets, and the largest packet it keeps: sixcast
 * edges send 7 TS packets per RTP packet (1328 bytes; mcast-server/rtpk.h),
 * and room for a few CSRCs or a small header extension is left. A slot of
 * the retransmit library's default 1500 bytes would leave 170 bytes of
 * every slot unused yet resident (issue 7: 0.45 MB of the box's RSS). */
#define STB_RAWBUF_PACKETS 2720
#define STB_MAX_PACKET 1360
/* At most this per slot of metadata (struct rtx_slot, 40 bytes). */
#define STB_SLOT_META 64
/* Packets per second of the fastest channel planned for (24 Mb/s). */
#define STB_MAX_PPS 2000
#define DGRAM_MAX 2048

/* The tuner as a library's context (the retransmit session's and the mesh
 * node's callbacks): its clock and its repair socket. */
uint64_t stb_tuner_cb_now(void *ctx)
{
	struct stb_tuner *t = ctx;

	return stb_now(t->s);
}

int stb_tuner_cb_send(void *ctx, uint64_t peer, const uint8_t *buf, size_t len)
{
	struct stb_tuner *t = ctx;

	return stb_send(t->s, peer, buf, len);
}

static void cb_deliver(void *ctx, uint64_t ext_seq, const uint8_t *pkt, size_t len)
{
	struct stb_tuner *t = ctx;

	(void)ext_seq;
	if (!t->first_out_ns) {
		t->first_out_ns = stb_now(t->s);
		sc_logf(&t->s->lg, LOG_INFO, "channel %u: playing, %.1f ms after it was asked for", t->ch.id,
			(double)(t->first_out_ns - t->asked_ns) / 1e6);
	}
	t->out_packets++;
	stb_mesh_output(t, stb_now(t->s));
	stb_out_packet(t->s, pkt, len);
}

static void cb_log(void *ctx, int level, const char *msg)
{
	struct stb_tuner *t = ctx;

	sc_logf(&t->s->lg, level, "channel %u repair: %s", t->ch.id, msg);
}

static void rearm(struct stb_tuner *t)
{
	uint64_t d = rtx_session_deadline(t->rtx);

	if (d == RTX_NO_DEADLINE)
		sc_timer_stop(t->timer);
	else
		sc_timer_arm_at(t->timer, d);
}

/* Reads what the multicast socket holds (one batch) into the session and
 * the mesh switch; returns how many datagrams. */
static int drain(struct stb_tuner *t)
{
	static uint8_t bufs[BATCH][DGRAM_MAX];
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	int n;

	if (!t->mr)
		return 0;
	for (int i = 0; i < BATCH; i++) {
		iov[i] = (struct iovec){ bufs[i], DGRAM_MAX };
		msg[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[i], .msg_iovlen = 1 } };
	}
	n = recvmmsg(mld_recv_fd(t->mr), msg, BATCH, MSG_DONTWAIT, NULL);
	if (n <= 0) {
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			t->rx_errors++;
		return 0;
	}
	t->last_rx_ns = stb_now(t->s);
	if (!t->first_rx_ns) {
		t->first_rx_ns = t->last_rx_ns;
		sc_logf(&t->s->lg, LOG_INFO, "channel %u: multicast arrives, %.1f ms after the join", t->ch.id,
			(double)(t->first_rx_ns - t->join_ns) / 1e6);
	}
	if (t->starving) {
		t->starving = false;
		sc_logf(&t->s->lg, LOG_NOTICE, "channel %u: multicast is back", t->ch.id);
	}
	for (int i = 0; i < n; i++) {
		t->rx_datagrams++;
		stb_mesh_mcast(t, bufs[i], msg[i].msg_len, t->last_rx_ns);
		rtx_session_input_rtp(t->rtx, bufs[i], msg[i].msg_len);
	}
	return n;
}

/* A box the machine did not run for a while must not take that for a
 * multicast silence: what waited in the socket meanwhile is read before a
 * timer judges (a pull from the group, a switch to the mesh, the starving
 * warning). Without it a starved box pulled, or left for the mesh, with its
 * multicast queued in the kernel (client_mesh_lab beside stress-ng). */
int stb_tuner_drain(struct stb_tuner *t)
{
	return drain(t);
}

static void on_timer(void *arg)
{
	struct stb_tuner *t = arg;

	stb_drain_input(t->s); /* may run the session: it is run again below */
	rtx_session_run(t->rtx);
	rearm(t);
}

static void on_mcast(void *arg, int fd, uint32_t events)
{
	struct stb_tuner *t = arg;

	(void)fd;
	(void)events;
	if (drain(t) <= 0)
		return;
	rtx_session_run(t->rtx);
	rearm(t);
}

/* The family to join in: IPv6 when the channel has an IPv6 group (and a
 * source for an SSM group) and the box an IPv6 address; else IPv4. */
static int pick_family(struct stb_tuner *t, struct mld_addr *group, struct mld_addr *src, size_t *nsrc)
{
	const struct mgc_channel *c = &t->ch;
	struct mld_addr mine;
	const struct {
		int family;
		const struct sc_sockaddr *g, *s;
	} cand[2] = { { AF_INET6, &c->group6, &c->source6 }, { AF_INET, &c->group4, &c->source4 } };

	for (int i = 0; i < 2; i++) {
		if (!cand[i].g->len || (sc_addr_is_ssm(cand[i].g) && !cand[i].s->len))
			continue;
		if (mld_if_pick_source(t->s->cfg.iface, cand[i].family, &mine, &t->s->mlg) < 0)
			continue;
		mld_addr_from_sockaddr(&cand[i].g->u.sa, cand[i].g->len, group);
		*nsrc = 0;
		if (cand[i].s->len) {
			mld_addr_from_sockaddr(&cand[i].s->u.sa, cand[i].s->len, src);
			*nsrc = 1;
		}
		return cand[i].family;
	}
	return -EADDRNOTAVAIL;
}

static int join(struct stb_tuner *t)
{
	struct mld_addr group, src;
	struct mld_recv_cfg rc = { .iface = t->s->cfg.iface, .port = t->ch.port, .flags = MLD_RECV_FAST_JOIN };
	int rcode;

	t->family = pick_family(t, &group, &src, &rc.n_sources);
	if (t->family < 0) {
		sc_logf(&t->s->lg, LOG_ERR,
			"channel %u: cannot join: the line-up gives no group with an SSM source in a family "
			"this box has an address in on %s (is an edge carrying the channel?)",
			t->ch.id, t->s->cfg.iface);
		return t->family;
	}
	rc.group = group;
	rc.sources = rc.n_sources ? &src : NULL;
	t->join_ns = stb_now(t->s);
	rcode = mld_recv_open(&rc, &t->s->mlg, &t->mr);
	if (rcode < 0) {
		sc_logf(&t->s->lg, LOG_ERR, "channel %u: join failed: %s", t->ch.id, strerror(-rcode));
		return rcode;
	}
	return sc_loop_add_fd(t->s->loop, mld_recv_fd(t->mr), SC_LOOP_IN, on_mcast, t);
}

static int make_session(struct stb_tuner *t)
{
	struct stb *s = t->s;
	struct rtx_config rc;
	struct rtx_callbacks cb = { .ctx = t, .now_ns = stb_tuner_cb_now, .send = stb_tuner_cb_send, .deliver = cb_deliver,
				    .log = cb_log, .log_level = s->cfg.log_level };

	rtx_config_defaults(&rc, RTX_ROLE_CLIENT);
	/* Before registration the box has no id yet; the session then only
	 * receives and plays, and a regroup gives it its id later. */
	rc.self_id = s->reg.client_id ? s->reg.client_id : 0x7fffffffu;
	t->self_id = rc.self_id;
	rc.ident = s->ident;
	rc.policy = s->cfg.policy ? RTX_POLICY_RANKED : RTX_POLICY_ALL;
	rc.playout_delay_ns = s->cfg.playout_delay_ns;
	rc.clock_rate = 90000;
	/* The raw buffer is touched slot by slot, so its size is resident
	 * memory. A fast-zap burst (from a random access point at least one
	 * playout delay old, up to the live head and a little past it) must
	 * fit in half of it: 2720 packets (3.7 MB) hold 1.7 s of an 8 Mb/s
	 * channel in that half, a GOP of 1 s plus the 300 ms delay and the
	 * overlap. */
	rc.max_packet = STB_MAX_PACKET;
	rc.buffer_max_bytes = STB_RAWBUF_PACKETS * (STB_MAX_PACKET + STB_SLOT_META);
	/* A gap lives until its playback deadline, one playout delay: room
	 * for the gaps of (delay + 0.7 s) of the fastest channel (2048 at the
	 * default 300 ms) rather than the library's 4096 (104 bytes each,
	 * resident once the ring has turned under loss: 0.2 MB, issue 7). */
	rc.max_gaps = (uint32_t)((s->cfg.playout_delay_ns / SC_NS_PER_MS + 700) * STB_MAX_PPS / 1000);
	/* The edge is the last resort (it serves every box of the channel):
	 * give the group three rounds before RET (a round of two peers fails
	 * for about 1% of losses at 5% loss both ways); ret_lead_ns still
	 * sends the request to RET in time when the deadline comes near. */
	rc.ret_after_rounds = 3;
	rc.ts_base_ns = sc_clock_wall_ns(sc_loop_clock(s->loop));
	return rtx_session_new(&rc, &cb, &t->rtx);
}

int stb_tuner_new(struct stb *s, const struct mgc_channel *ch, struct stb_tuner **out)
{
	struct stb_tuner *t = calloc(1, sizeof(*t));
	int rc;

	*out = NULL;
	if (!t)
		return -ENOMEM;
	t->s = s;
	t->ch = *ch;
	t->tune_ns = stb_now(s);
	t->timer = sc_timer_new(s->loop, on_timer, t);
	if (!t->timer) {
		rc = -ENOMEM;
		goto fail;
	}
	if ((rc = make_session(t)) < 0) {
		sc_logf(&s->lg, LOG_ERR, "channel %u: repair session: %s", ch->id, strerror(-rc));
		goto fail;
	}
	if ((rc = stb_mesh_start(t)) < 0)
		goto fail;
	if ((rc = join(t)) < 0)
		goto fail;
	*out = t;
	return 0;
fail:
	stb_tuner_free(t);
	return rc;
}

void stb_tuner_free(struct stb_tuner *t)
{
	if (!t)
		return;
	if (t->mr) {
		sc_loop_del_fd(t->s->loop, mld_recv_fd(t->mr));
		mld_recv_free(t->mr); /* leaves the group */
	}
	stb_mesh_free(t);
	sc_timer_free(t->timer);
	rtx_session_free(t->rtx);
	free(t);
}

/* A peer's address in the form the box reaches it by: IPv6 first when the
 * box has IPv6 (the repair socket is dual-stack), else IPv4. */
static const struct sc_sockaddr *pick_addr(const struct sc_sockaddr *a, size_t n, bool v6)
{
	for (size_t i = 0; i < n; i++)
		if ((a[i].u.sa.sa_family == AF_INET6) == v6)
			return &a[i];
	return n ? &a[0] : NULL;
}

void stb_tuner_set_group(struct stb_tuner *t, const struct mgc_group *g)
{
	struct rtx_member m[MGC_MAX_MEMBERS];
	struct rtx_group rg = { 0 };
	bool v6 = t->family == AF_INET6;
	int rc;

	if (!g) {
		rc = rtx_session_set_group(t->rtx, NULL);
		t->has_group = false;
		sc_logf(&t->s->lg, LOG_NOTICE, "channel %u: no repair group now (RET only)", t->ch.id);
		return;
	}
	rg.id = g->id;
	rg.version = g->version;
	memcpy(rg.key, g->key, sizeof(rg.key));
	for (size_t i = 0; i < g->n_members; i++) {
		const struct sc_sockaddr *a = pick_addr(g->members[i].addrs, g->members[i].n_addrs, v6);
		uint64_t h = a ? peers_intern(t->s->peers, a, true) : 0;

		if (g->members[i].client_id == t->s->reg.client_id || !h ||
		    !stb_ident_learn(t->s, g->members[i].client_id, g->members[i].has_cert, g->members[i].cert))
			continue;
		m[rg.n_members++] = (struct rtx_member){ g->members[i].client_id, h };
	}
	rg.members = m;
	rc = rtx_session_set_group(t->rtx, &rg);
	if (rc < 0 && rc != -ESTALE) {
		sc_logf(&t->s->lg, LOG_WARNING, "channel %u: repair group %u refused: %s", t->ch.id, g->id,
			strerror(-rc));
		return;
	}
	t->has_group = true;
	t->group_id = g->id;
	t->group_version = g->version;
	sc_logf(&t->s->lg, LOG_INFO, "channel %u: repair group %u version %u, %zu peer(s)", t->ch.id, g->id,
		g->version, rg.n_members);
}

/* The RET servers of r, each by its id and the address of the box's own
 * family (the session tries them in turn), if its certificate is good. */
static size_t ret_servers(struct stb_tuner *t, const struct mgc_ret *r, struct rtx_member *out)
{
	bool v6 = t->family == AF_INET6;
	size_t n = 0;

	for (size_t i = 0; i < r->n_servers; i++) {
		const struct mgc_server *sv = &r->servers[i];
		const struct sc_sockaddr *a = pick_addr(sv->addrs, sv->n_addrs, v6);
		uint64_t h = a ? peers_intern(t->s->peers, a, true) : 0;

		if (h && stb_ident_learn(t->s, sv->id, sv->has_cert, sv->cert))
			out[n++] = (struct rtx_member){ sv->id, h };
	}
	return n;
}

void stb_tuner_set_ret(struct stb_tuner *t, const struct mgc_ret *r, bool burst)
{
	struct rtx_member srv[MGC_MAX_SERVERS];
	struct rtx_ret rr = { .domain_id = r->domain_id, .servers = srv };
	int rc;

	memcpy(rr.key, r->key, sizeof(rr.key));
	rr.n_servers = ret_servers(t, r, srv);
	rc = rtx_session_set_ret(t->rtx, &rr);
	if (rc < 0) {
		sc_logf(&t->s->lg, LOG_WARNING, "channel %u: RET refused: %s", t->ch.id, strerror(-rc));
		return;
	}
	t->has_ret = rr.n_servers > 0;
	stb_mesh_set_key(t, r->key);
	if (burst && t->has_ret && !t->burst_asked && !t->first_rx_ns) {
		rc = rtx_session_request_burst(t->rtx);
		t->burst_asked = rc == 0;
		if (rc < 0)
			sc_logf(&t->s->lg, LOG_INFO, "channel %u: no fast channel change: %s", t->ch.id,
				strerror(-rc));
		rtx_session_run(t->rtx);
	}
	rearm(t);
}

void stb_tuner_kick(struct stb_tuner *t)
{
	rtx_session_run(t->rtx);
	rearm(t);
}

int stb_tuner_input_peer(struct stb_tuner *t, const uint8_t *buf, size_t len, uint64_t from)
{
	int rc = rtx_session_input_peer(t->rtx, buf, len, from);

	rtx_session_run(t->rtx);
	rearm(t);
	return rc;
}

void stb_tuner_rejoin(struct stb_tuner *t)
{
	int rc = t->mr ? mld_recv_rejoin(t->mr) : -ENODEV;

	if (rc < 0)
		sc_logf(&t->s->lg, LOG_WARNING, "channel %u: rejoin on %s failed: %s", t->ch.id, t->s->cfg.iface,
			strerror(-rc));
	else
		sc_logf(&t->s->lg, LOG_NOTICE, "channel %u: joined again on %s", t->ch.id, t->s->cfg.iface);
}
