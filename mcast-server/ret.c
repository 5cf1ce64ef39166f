/* ret: the edge's RET and burst service over the retransmit library. See
 * ret.h. */
#include "config.h"

#include "ret.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "rtpk.h"

#define PEERS 4096       /* requesters' addresses (a power of two) */
#define PROBE 8          /* slots looked at per address */
#define BATCH 32         /* datagrams per recvmmsg */
#define DGRAM_MAX 2048

struct peer {
	struct sc_sockaddr a;  /* len 0: free */
	uint32_t gen;          /* raised when the slot takes another address */
	bool trusted;          /* a datagram from it authenticated and was used */
	uint64_t last_ns;      /* last datagram from it */
	uint64_t burst_ns;     /* last burst request from it */
};

/* A handle names one address for as long as it lives (a validated address
 * is remembered by handle: docs/security.md): slot and generation. */
static uint64_t handle_of_slot(const struct peer *peers, uint32_t i)
{
	return (uint64_t)peers[i].gen << 32 | i;
}

/* The slot of a handle that is still current, or NULL. */
static const struct peer *slot_of(const struct peer *peers, uint64_t h)
{
	uint32_t i = (uint32_t)h;

	if (i >= PEERS || !peers[i].a.len || peers[i].gen != (uint32_t)(h >> 32))
		return NULL;
	return &peers[i];
}

struct rchan {
	edge_ret *r;
	uint32_t id;
	rtx_session *s;
	sc_timer *t;
	uint64_t armed;        /* the timer's deadline, RTX_NO_DEADLINE: stopped */
	bool has_key;
	uint8_t key[RTX_KEY_BYTES];
	/* the mesh's hosting node: NULL until on and keyed */
	unsigned mesh_max;     /* direct children; 0: no mesh */
	mesh_node *m;
	sc_timer *mt;
	uint64_t m_armed;      /* MESH_NO_DEADLINE: stopped */
	uint32_t m_id;         /* the id m runs with */
	unsigned m_children;   /* last logged */
	uint64_t m_in_bytes;
};

struct edge_ret {
	sc_loop *loop;
	struct ret_cfg cfg;
	struct sc_logger lg;
	int fd;
	struct rchan **ch;
	size_t n, cap;
	size_t last;           /* index of the last channel looked up */
	struct peer peers[PEERS];
	uint64_t unrouted;
	uint64_t datagrams;    /* read from the socket */
	/* one batch of datagrams */
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sc_sockaddr from[BATCH];
	uint8_t buf[BATCH][DGRAM_MAX];
};

static uint64_t now(const edge_ret *r)
{
	return sc_clock_now_ns(sc_loop_clock(r->loop));
}

static uint64_t clock_now_cb(void *ctx)
{
	const struct rchan *c = ctx;

	return now(c->r);
}

static int send_cb(void *ctx, uint64_t peer, const uint8_t *buf, size_t len)
{
	struct rchan *c = ctx;
	const struct peer *p = slot_of(c->r->peers, peer);

	if (!p)
		return -ENOENT;
	if (sendto(c->r->fd, buf, len, 0, &p->a.u.sa, p->a.len) < 0)
		return -errno;
	return 0;
}

static void log_cb(void *ctx, int level, const char *msg)
{
	const struct rchan *c = ctx;

	sc_logf(&c->r->lg, level, "channel %u: %s", c->id, msg);
}

static struct rchan *find(const edge_ret *r, uint32_t id, size_t *idx)
{
	size_t i;

	/* Packets come in runs per channel: try the last one first. */
	if (r->last < r->n && r->ch[r->last]->id == id)
		i = r->last;
	else
		for (i = 0; i < r->n && r->ch[i]->id != id; i++)
			;
	if (i == r->n)
		return NULL;
	((edge_ret *)r)->last = i;
	if (idx)
		*idx = i;
	return r->ch[i];
}

static void rearm(struct rchan *c)
{
	uint64_t d = rtx_session_deadline(c->s);

	if (d == c->armed)
		return;
	c->armed = d;
	if (d == RTX_NO_DEADLINE)
		sc_timer_stop(c->t);
	else
		sc_timer_arm_at(c->t, d);
}

static void on_timer(void *arg)
{
	struct rchan *c = arg;

	c->armed = RTX_NO_DEADLINE;
	rtx_session_run(c->s);
	rearm(c);
}

/* ---- the address table ---- */

static uint32_t addr_hash(const struct sc_sockaddr *a)
{
	const uint8_t *p = (const uint8_t *)&a->u.ss;
	uint32_t h = 2166136261u;

	for (socklen_t i = 0; i < a->len; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static bool same_addr(const struct sc_sockaddr *a, const struct sc_sockaddr *b)
{
	return a->len == b->len && sc_addr_equal(a, b);
}

/* The handle of address a, made if needed: a free slot or the least
 * recently heard one of its probe run, unless a burst may still be sending
 * to that one. The source of a datagram not yet authenticated (trusted
 * false) takes the place of another such one only: a flood from made-up
 * sources must not push out the boxes served. Returns 0 and *out, or
 * -ENOSPC. */
static int peer_handle(edge_ret *r, const struct sc_sockaddr *a, uint64_t t, bool trusted, uint64_t *out)
{
	uint32_t h = addr_hash(a);
	uint64_t guard = r->cfg.burst_max_ns + SC_NS_PER_S;
	int free_i = -1, old_i = -1, best;

	for (int k = 0; k < PROBE; k++) {
		uint32_t i = (h + (uint32_t)k) & (PEERS - 1);
		struct peer *p = &r->peers[i];

		if (!p->a.len) {
			if (free_i < 0)
				free_i = (int)i;
		} else if (same_addr(&p->a, a)) {
			p->last_ns = t;
			p->trusted |= trusted;
			*out = handle_of_slot(r->peers, i);
			return 0;
		} else if (t - p->burst_ns > guard && t - p->last_ns > SC_NS_PER_S && (trusted || !p->trusted) &&
			   (old_i < 0 || p->last_ns < r->peers[old_i].last_ns)) {
			old_i = (int)i;
		}
	}
	best = free_i >= 0 ? free_i : old_i;
	if (best < 0)
		return -ENOSPC;
	r->peers[best] = (struct peer){ .a = *a, .gen = r->peers[best].gen + 1, .trusted = trusted, .last_ns = t };
	*out = handle_of_slot(r->peers, (uint32_t)best);
	return 0;
}

/* ---- the mesh's hosting node ---- */

/* A mesh address as recvmmsg gives it: a dual-stack socket sees IPv4 as
 * mapped addresses. */
static int from_mesh(const edge_ret *r, const struct mesh_addr *m, struct sc_sockaddr *s)
{
	return mesh_addr_to_sockaddr(m, sc_addr_family(&r->cfg.listen) != AF_INET, s);
}

/* Handles are the address table's slots, as for RET. A slot a child still
 * uses is not taken over while the child talks (heartbeats, buffer maps
 * and pulls keep it recent); a silent one is dropped by the node anyway. */
static int mesh_handle_of(void *ctx, const struct mesh_addr *a, uint64_t *handle)
{
	struct rchan *c = ctx;
	struct sc_sockaddr s;

	if (from_mesh(c->r, a, &s) < 0)
		return -EAFNOSUPPORT;
	return peer_handle(c->r, &s, now(c->r), true, handle);
}

static int mesh_addr_of(void *ctx, uint64_t handle, struct mesh_addr *a)
{
	const struct rchan *c = ctx;
	const struct peer *p = slot_of(c->r->peers, handle);

	if (!p)
		return -ENOENT;
	mesh_addr_from_sockaddr(&p->a, a);
	return 0;
}

static void mesh_rearm(struct rchan *c)
{
	uint64_t d = c->m ? mesh_node_deadline(c->m) : MESH_NO_DEADLINE;

	if (d == c->m_armed)
		return;
	c->m_armed = d;
	if (d == MESH_NO_DEADLINE)
		sc_timer_stop(c->mt);
	else
		sc_timer_arm_at(c->mt, d);
}

/* The number of direct children goes to the log when it changes: the
 * edge's mesh load at a glance. */
static void mesh_log_children(struct rchan *c)
{
	struct mesh_stats st;

	mesh_node_stats(c->m, &st);
	if (st.children == c->m_children)
		return;
	sc_logf(&c->r->lg, LOG_INFO, "channel %u: mesh: %u direct child(ren) of %u, %llu data bytes sent", c->id,
		st.children, c->mesh_max, (unsigned long long)st.data_bytes_sent);
	c->m_children = st.children;
}

static void on_mesh_timer(void *arg)
{
	struct rchan *c = arg;

	c->m_armed = MESH_NO_DEADLINE;
	if (!c->m)
		return;
	mesh_node_run(c->m);
	mesh_log_children(c);
	mesh_rearm(c);
}

/* The node's id: the identity's (its certificate's), else provisional. */
static uint32_t mesh_self_id(const edge_ret *r)
{
	uint32_t id = rtx_ident_self(r->cfg.ident);

	return id ? id : MESH_SOURCE_ID_FLAG | (r->cfg.edge_id ? r->cfg.edge_id : r->cfg.mesh_edge_id);
}

static void mesh_stop(struct rchan *c)
{
	mesh_node_free(c->m); /* says goodbye to the children */
	c->m = NULL;
	c->m_children = 0;
	mesh_rearm(c);
}

/* (Re)make the node: on, keyed, with the current edge id. */
static int mesh_start(struct rchan *c)
{
	const edge_ret *r = c->r;
	struct mesh_callbacks cb = { .ctx = c, .now_ns = clock_now_cb, .send = send_cb,
				     .handle_of = mesh_handle_of, .addr_of = mesh_addr_of, .log = log_cb,
				     .log_level = r->lg.max_level };
	struct mesh_config mc;
	int rc;

	mesh_stop(c);
	if (!c->mesh_max || !c->has_key)
		return 0;
	if (!rtx_ident_ready(r->cfg.ident)) {
		sc_logf(&r->lg, LOG_INFO, "channel %u: mesh: no identity yet", c->id);
		return 0;
	}
	mesh_config_defaults(&mc, MESH_ROLE_SOURCE);
	mc.self_id = mesh_self_id(r);
	mc.channel_id = c->id;
	memcpy(mc.ret_key, c->key, MESH_KEY_BYTES);
	mesh_addr_from_sockaddr(&r->cfg.mesh_self, &mc.self_addr);
	mc.ts_base_ns = sc_clock_wall_ns(sc_loop_clock(r->loop));
	mc.max_children = c->mesh_max;
	mc.ident = r->cfg.ident;
	rc = mesh_node_new(&mc, &cb, &c->m);
	if (rc < 0) {
		sc_logf(&r->lg, LOG_ERR, "channel %u: no mesh: %s", c->id, strerror(-rc));
		return rc;
	}
	c->m_id = mc.self_id;
	c->m_in_bytes = 0;
	sc_logf(&r->lg, LOG_INFO, "channel %u: mesh hosting node %u up, up to %u direct children", c->id,
		mc.self_id & ~MESH_SOURCE_ID_FLAG, c->mesh_max);
	mesh_rearm(c);
	return 0;
}

static void handle_mesh(edge_ret *r, const uint8_t *buf, size_t len, const struct sc_sockaddr *from, uint64_t t,
			uint32_t chan_id)
{
	struct rchan *c = find(r, chan_id, NULL);
	uint64_t h;

	if (!c || !c->m || peer_handle(r, from, t, false, &h) < 0) {
		r->unrouted++;
		return;
	}
	if (mesh_node_input(c->m, buf, len, h) == 0)
		r->peers[(uint32_t)h].trusted = true;
	mesh_rearm(c);
}

/* ---- datagrams ---- */

/* Share the edge-wide burst budget: this channel may use what the others
 * leave. */
static void share_budget(edge_ret *r, struct rchan *c)
{
	uint64_t others = 0, cap = r->cfg.burst_total_bps;

	if (!cap)
		return;
	for (size_t i = 0; i < r->n; i++)
		if (r->ch[i] != c)
			others += rtx_session_burst_bps(r->ch[i]->s);
	rtx_session_set_burst_cap(c->s, others >= cap ? 1 : cap - others);
}

static void handle(edge_ret *r, const uint8_t *buf, size_t len, const struct sc_sockaddr *from, uint64_t t)
{
	struct rtx_msg_info info;
	struct rchan *c;
	uint32_t mesh_chan;
	uint64_t h;

	if (mesh_peek(buf, len, &mesh_chan, NULL)) {
		handle_mesh(r, buf, len, from, t, mesh_chan);
		return;
	}
	if (rtx_peek(buf, len, &info) < 0 || !info.ret || !(c = find(r, info.group_id, NULL))) {
		r->unrouted++;
		return;
	}
	if (peer_handle(r, from, t, false, &h) < 0) {
		r->unrouted++;
		return;
	}
	if (info.type == RTX_MSG_BURST_REQ)
		share_budget(r, c);
	/* Only an authenticated request counts as a client and pins its
	 * source's slot for the burst (a forged one may not hold a slot). */
	if (rtx_session_input_peer(c->s, buf, len, h) == 0) {
		r->peers[(uint32_t)h].trusted = true;
		if (info.type == RTX_MSG_BURST_REQ)
			r->peers[(uint32_t)h].burst_ns = t;
	}
	rearm(c);
}

static void on_readable(void *arg, int fd, uint32_t events)
{
	edge_ret *r = arg;
	uint64_t t = now(r);
	int n;

	(void)events;
	for (int i = 0; i < BATCH; i++) {
		r->iov[i] = (struct iovec){ r->buf[i], DGRAM_MAX };
		r->msgs[i].msg_hdr = (struct msghdr){ .msg_name = &r->from[i].u.ss,
						      .msg_namelen = sizeof(r->from[i].u.ss),
						      .msg_iov = &r->iov[i], .msg_iovlen = 1 };
	}
	n = recvmmsg(fd, r->msgs, BATCH, MSG_DONTWAIT, NULL);
	if (n > 0)
		r->datagrams += (uint64_t)n;
	for (int i = 0; i < n; i++) {
		struct sc_sockaddr a;

		if (r->msgs[i].msg_hdr.msg_flags & MSG_TRUNC ||
		    sc_addr_from_sa(&r->from[i].u.sa, r->msgs[i].msg_hdr.msg_namelen, &a) < 0) {
			r->unrouted++;
			continue;
		}
		handle(r, r->buf[i], r->msgs[i].msg_len, &a, t);
	}
}

static int open_socket(const struct sc_sockaddr *a)
{
	int fam = sc_addr_family(a), off = 0, one = 1, buf = 4 << 20;
	int fd = socket(fam, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), rc;

	if (fd < 0)
		return -errno;
	/* [::] also takes IPv4 (as mapped addresses); a specific address only
	 * its own family. */
	if (fam == AF_INET6 && IN6_IS_ADDR_UNSPECIFIED(&a->u.in6.sin6_addr))
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	if (bind(fd, &a->u.sa, a->len) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

int ret_new(sc_loop *loop, const struct ret_cfg *cfg, const struct sc_logger *lg, edge_ret **out)
{
	edge_ret *r = calloc(1, sizeof(*r));
	char text[SC_ADDR_STRLEN] = "?";
	int rc;

	*out = NULL;
	if (!r)
		return -ENOMEM;
	r->loop = loop;
	r->cfg = *cfg;
	r->lg = *lg;
	r->fd = open_socket(&cfg->listen);
	sc_addr_format(&cfg->listen, true, text, sizeof(text));
	if (r->fd < 0) {
		rc = r->fd;
		sc_logf(lg, LOG_ERR, "RET: cannot listen on %s: %s", text, strerror(-rc));
		free(r);
		return rc;
	}
	rc = sc_loop_add_fd(loop, r->fd, SC_LOOP_IN, on_readable, r);
	if (rc < 0) {
		close(r->fd);
		free(r);
		return rc;
	}
	sc_logf(lg, LOG_INFO, "RET and fast channel change on %s", text);
	*out = r;
	return 0;
}

static void chan_free(struct rchan *c)
{
	if (!c)
		return;
	mesh_node_free(c->m);
	sc_timer_free(c->mt);
	sc_timer_free(c->t);
	rtx_session_free(c->s);
	free(c);
}

void ret_free(edge_ret *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		chan_free(r->ch[i]);
	free(r->ch);
	sc_loop_del_fd(r->loop, r->fd);
	close(r->fd);
	free(r);
}

static void session_config(const edge_ret *r, struct rtx_config *rc)
{
	const struct ret_cfg *c = &r->cfg;
	uint64_t pkts;

	rtx_config_defaults(rc, RTX_ROLE_EDGE);
	rc->self_id = RTX_EDGE_ID_FLAG | c->edge_id;
	rc->ident = c->ident;
	rc->ts_base_ns = sc_clock_wall_ns(sc_loop_clock(r->loop));
	rc->max_packet = RTPK_MAX;
	rc->buffer_ns = c->window_ns;
	/* Slots for the window at the largest bit rate, plus a quarter. */
	pkts = c->window_ns / SC_NS_PER_MS * (c->max_bitrate_bps / 8 / (RTPK_MAX - 12)) / 1000;
	pkts += pkts / 4 + 64;
	rc->buffer_max_bytes = pkts * (RTPK_MAX + 64);
	rc->rate_pps = c->rate_pps;
	rc->rate_burst = c->rate_pps > 1000 ? c->rate_pps : 1000;
	rc->burst_speed_pct = (uint32_t)(c->burst_speed * 100 + 0.5);
	rc->burst_max_ns = c->burst_max_ns;
	rc->burst_overlap_ns = c->burst_overlap_ns;
	rc->burst_interval_ns = c->burst_interval_ns;
}

int ret_add_channel(edge_ret *r, uint32_t id, const uint8_t *key)
{
	struct rtx_config rc;
	struct rtx_callbacks cb = { 0 };
	struct rchan *c;
	int err;

	if (find(r, id, NULL))
		return -EEXIST;
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 16;
		struct rchan **ch = realloc(r->ch, cap * sizeof(*ch));

		if (!ch)
			return -ENOMEM;
		r->ch = ch;
		r->cap = cap;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->r = r;
	c->id = id;
	c->armed = RTX_NO_DEADLINE;
	c->m_armed = MESH_NO_DEADLINE;
	cb = (struct rtx_callbacks){ .ctx = c, .now_ns = clock_now_cb, .send = send_cb, .log = log_cb,
				     .log_level = r->lg.max_level };
	session_config(r, &rc);
	c->t = sc_timer_new(r->loop, on_timer, c);
	c->mt = sc_timer_new(r->loop, on_mesh_timer, c);
	err = c->t && c->mt ? rtx_session_new(&rc, &cb, &c->s) : -ENOMEM;
	if (err < 0) {
		chan_free(c);
		return err;
	}
	r->ch[r->n++] = c;
	if (key)
		ret_set_key(r, id, key);
	return 0;
}

void ret_remove_channel(edge_ret *r, uint32_t id)
{
	size_t i;

	if (!find(r, id, &i))
		return;
	chan_free(r->ch[i]);
	r->ch[i] = r->ch[--r->n];
	r->last = 0;
}

int ret_set_key(edge_ret *r, uint32_t id, const uint8_t key[RTX_KEY_BYTES])
{
	struct rchan *c = find(r, id, NULL);
	struct rtx_ret rr = { .domain_id = id };
	int rc;

	if (!c)
		return -ENOENT;
	memcpy(rr.key, key, RTX_KEY_BYTES);
	rc = rtx_session_set_ret(c->s, &rr);
	if (rc < 0)
		return rc;
	if (c->has_key && memcmp(c->key, key, RTX_KEY_BYTES) == 0 && (c->m || !c->mesh_max))
		return 0;
	c->has_key = true;
	memcpy(c->key, key, RTX_KEY_BYTES);
	mesh_start(c); /* a new key: a new node (logged when it fails) */
	return 0;
}

int ret_set_mesh(edge_ret *r, uint32_t id, unsigned max_children)
{
	struct rchan *c = find(r, id, NULL);

	if (!c)
		return -ENOENT;
	c->mesh_max = max_children;
	return mesh_start(c);
}

void ret_set_edge_id(edge_ret *r, uint32_t edge_id)
{
	r->cfg.edge_id = edge_id & ~RTX_EDGE_ID_FLAG;
	/* The mesh's id is the tracker's "source" id: follow it now, and
	 * start the nodes that waited for the identity's certificate. */
	for (size_t i = 0; i < r->n; i++)
		if ((r->ch[i]->m && r->ch[i]->m_id != mesh_self_id(r)) || (!r->ch[i]->m && r->ch[i]->mesh_max))
			mesh_start(r->ch[i]);
}

bool ret_has_key(const edge_ret *r, uint32_t id)
{
	const struct rchan *c = find(r, id, NULL);

	return c && c->has_key;
}

void ret_packet(edge_ret *r, uint32_t id, const uint8_t *buf, size_t len, unsigned flags)
{
	struct rchan *c = find(r, id, NULL);

	if (!c)
		return;
	rtx_session_input_rtp_flags(c->s, buf, len, flags);
	rearm(c);
	if (c->m && mesh_node_input_rtp(c->m, buf, len) == 0) {
		c->m_in_bytes += len;
		mesh_rearm(c);
	}
}

int ret_chan_stats(const edge_ret *r, uint32_t id, struct ret_chan_stats *out)
{
	const struct rchan *c = find(r, id, NULL);

	memset(out, 0, sizeof(*out));
	if (!c)
		return -ENOENT;
	rtx_session_stats(c->s, &out->rtx);
	out->burst_bps = rtx_session_burst_bps(c->s);
	if (c->m) {
		out->mesh = true;
		mesh_node_stats(c->m, &out->mesh_st);
		out->mesh_input_bytes = c->m_in_bytes;
	}
	return 0;
}

void ret_clients(const edge_ret *r, uint64_t since_ns, unsigned *ret_clients, unsigned *burst_clients)
{
	uint64_t t = now(r);

	*ret_clients = *burst_clients = 0;
	for (size_t i = 0; i < PEERS; i++) {
		const struct peer *p = &r->peers[i];

		if (!p->a.len)
			continue;
		if (!p->trusted) /* heard, never authenticated: not a box */
			continue;
		*ret_clients += t - p->last_ns <= since_ns;
		*burst_clients += p->burst_ns && t - p->burst_ns <= since_ns;
	}
}

uint64_t ret_unrouted(const edge_ret *r)
{
	return r->unrouted;
}

uint64_t ret_datagrams(const edge_ret *r)
{
	return r->datagrams;
}
