/* stb: the set-top box daemon's core: the repair socket, tuning and
 * channel changes, link events, and the glue between the management
 * server, the tuner and the outputs. See stb.h. */
#include "config.h"

#include "stb.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "stb_int.h"

#define REPAIR_RCVBUF (1 << 20)
#define STARVE_NS (2 * SC_NS_PER_S)
/* How long a zap waits for the management server's tune answer (group,
 * RET key, burst server) before joining without it. */
#define ZAP_WAIT_MAX_NS (300 * SC_NS_PER_MS)

const struct mgc_channel *stb_channel(const struct stb *s, uint32_t id)
{
	for (size_t i = 0; i < s->n_chans; i++)
		if (s->chans[i].id == id)
			return &s->chans[i];
	return NULL;
}

void stb_cache_ret(struct stb *s, uint32_t channel, const struct mgc_ret *r)
{
	size_t slot = channel % (sizeof(s->ret_cache) / sizeof(s->ret_cache[0]));

	s->ret_cache[slot].channel = channel;
	s->ret_cache[slot].ret = *r;
}

const struct mgc_ret *stb_cached_ret(const struct stb *s, uint32_t channel)
{
	size_t slot = channel % (sizeof(s->ret_cache) / sizeof(s->ret_cache[0]));

	return s->ret_cache[slot].channel == channel ? &s->ret_cache[slot].ret : NULL;
}

int stb_send(struct stb *s, uint64_t peer, const uint8_t *buf, size_t len)
{
	const struct sc_sockaddr *a = peers_get(s->peers, peer);
	struct sc_sockaddr to;

	if (!a)
		return -EHOSTUNREACH;
	if (s->rfam == AF_INET6)
		peers_to_v6(a, &to);
	else
		sc_addr_unmap(a, &to);
	if (sendto(s->rfd, buf, len, MSG_DONTWAIT, &to.u.sa, to.len) < 0)
		return -errno;
	return 0;
}

/* One batch of the repair port's datagrams (repairs, group requests, the
 * mesh) to the tuner. */
static void read_repair(struct stb *s, int fd)
{
	uint8_t buf[2048];
	struct rtx_msg_info info;

	for (int i = 0; i < 64; i++) {
		struct sc_sockaddr from = { 0 };
		socklen_t fl = sizeof(from.u.ss);
		uint64_t h = 0;
		ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, &from.u.sa, &fl);

		if (n < 0)
			return;
		from.len = fl;
		s->repair_in++;
		/* The mesh and the repair protocol share the port. */
		if (mesh_peek(buf, (size_t)n, NULL, NULL)) {
			if (s->t && (h = peers_intern_src(s->peers, &from)) &&
			    stb_mesh_input(s->t, buf, (size_t)n, h) == 0)
				peers_trust(s->peers, h);
			else if (!s->t || !h)
				s->repair_stray++;
			continue;
		}
		if (rtx_peek(buf, (size_t)n, &info) < 0) {
			s->repair_bad++;
			continue;
		}
		if (!s->t) {
			s->repair_stray++;
			continue;
		}
		/* The source is remembered for good only once a datagram of
		 * its authenticated and was used. */
		if (!(h = peers_intern_src(s->peers, &from)))
			s->repair_stray++;
		else if (stb_tuner_input_peer(s->t, buf, (size_t)n, h) == 0)
			peers_trust(s->peers, h);
	}
}

static void on_repair(void *arg, int fd, uint32_t events)
{
	(void)events;
	read_repair(arg, fd);
}

/* A timer about to judge what is missing (a repair, a pull, a skip at the
 * playback deadline, a switch to the mesh) reads first what waited in the
 * sockets while the machine did not run the box: on a busy host, that wait
 * is the box's, not the network's. */
void stb_drain_input(struct stb *s)
{
	if (s->rfd >= 0)
		read_repair(s, s->rfd);
	if (s->t)
		stb_tuner_drain(s->t);
}

/* One socket for peers and edges of both families: [::] with IPv4 mapped,
 * or 0.0.0.0 on a host without IPv6. */
static int open_repair(struct stb *s)
{
	struct sc_sockaddr a;
	int off = 0, rcv = REPAIR_RCVBUF;

	sc_addr_parse("[::]", s->cfg.repair_port, &a);
	sc_listen_pick(&a, true, SOCK_DGRAM, NULL, &s->lg, "repair port");
	s->rfam = sc_addr_family(&a);
	s->rfd = socket(s->rfam, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->rfd < 0)
		return -errno;
	if (s->rfam == AF_INET6)
		setsockopt(s->rfd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	setsockopt(s->rfd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	if (bind(s->rfd, &a.u.sa, a.len) < 0) {
		int rc = -errno;

		sc_logf(&s->lg, LOG_ERR, "repair port %u: %s (another sixcast-client running?)", s->cfg.repair_port,
			strerror(-rc));
		return rc;
	}
	return sc_loop_add_fd(s->loop, s->rfd, SC_LOOP_IN, on_repair, s);
}

void stb_stop_tuner(struct stb *s)
{
	if (!s->t)
		return;
	sc_logf(&s->lg, LOG_INFO, "channel %u: leaving", s->t->ch.id);
	if (s->peers_req)
		sc_httpc_cancel(s->http, s->peers_req);
	s->peers_req = 0;
	stb_tuner_free(s->t);
	s->t = NULL;
}

/* Join ch now, with what the management server said (tu) or, without an
 * answer, with the RET of an earlier tune to the same channel. */
static void start_tuner(struct stb *s, const struct mgc_channel *ch, const struct mgc_tune *tu)
{
	const struct mgc_ret *ret = tu && tu->has_ret ? &tu->ret : stb_cached_ret(s, ch->id);

	sc_timer_stop(s->zap_timer);
	if (stb_tuner_new(s, ch, &s->t) < 0)
		return;
	s->t->asked_ns = s->want_ns ? s->want_ns : s->t->tune_ns;
	if (tu && tu->has_group)
		stb_tuner_set_group(s->t, &tu->group);
	if (ret)
		stb_tuner_set_ret(s->t, ret, s->cfg.fast_zap && ret->n_burst > 0);
	if (!tu)
		sc_logf(&s->lg, LOG_NOTICE, "channel %u: joined without the management server's answer (%s)", ch->id,
			ret ? "RET from an earlier tune" : "no repair until it answers");
}

static void on_zap_timeout(void *arg)
{
	struct stb *s = arg;
	const struct mgc_channel *ch = stb_channel(s, s->want);

	if (!s->t && ch)
		start_tuner(s, ch, NULL);
}

int stb_request_tune(struct stb *s, uint32_t id)
{
	const struct mgc_channel *ch = stb_channel(s, id);

	if (!ch)
		return -ENOENT;
	if (s->want == id && (s->t || sc_timer_armed(s->zap_timer)))
		return 0;
	sc_logf(&s->lg, LOG_INFO, "tuning to channel %u (%s)", id, ch->name);
	stb_stop_tuner(s);
	stb_out_channel_changed(s);
	s->want = id;
	s->want_ns = stb_now(s);
	s->tune_confirmed = false;
	if (s->mg == MG_READY && s->mgmt_up) {
		stb_mgmt_tune(s, id);
		sc_timer_arm(s->zap_timer, ZAP_WAIT_MAX_NS);
	} else {
		start_tuner(s, ch, NULL);
	}
	return 0;
}

void stb_on_tuned(struct stb *s, const struct mgc_tune *tu)
{
	if (tu->channel.id != s->want)
		return; /* the viewer zapped on meanwhile */
	s->tune_confirmed = true;
	if (tu->has_ret)
		stb_cache_ret(s, tu->channel.id, &tu->ret);
	if (!s->t) {
		start_tuner(s, &tu->channel, tu);
		return;
	}
	if (tu->has_group)
		stb_tuner_set_group(s->t, &tu->group);
	if (tu->has_ret)
		stb_tuner_set_ret(s->t, &tu->ret, false);
}

void stb_on_group(struct stb *s, const struct mgc_group *g)
{
	if (!s->t)
		return;
	if (g && s->t->has_group && g->id == s->t->group_id && g->version == s->t->group_version)
		return;
	if (!g && !s->t->has_group)
		return;
	peers_unpin_all(s->peers);
	stb_tuner_set_group(s->t, g);
	{
		const struct mgc_ret *r = stb_cached_ret(s, s->t->ch.id);

		if (r)
			stb_tuner_set_ret(s->t, r, false);
	}
}

void stb_on_registered(struct stb *s)
{
	/* A tuner started before the box had an id cannot sign requests as
	 * itself: start it over under its id. Registered again under the id
	 * it speaks as (after a kick, or the server's restart), it plays on:
	 * the server only hears the tune again. */
	if (s->t && s->want && s->t->self_id == s->reg.client_id) {
		stb_mgmt_tune(s, s->want);
	} else if (s->t && s->want) {
		uint32_t id = s->want;

		stb_stop_tuner(s);
		s->want = 0;
		stb_request_tune(s, id);
	}
}

void stb_on_channels(struct stb *s)
{
	uint32_t id = s->want ? s->want : s->cfg.start_channel;

	if (!id || (s->t && s->t->ch.id == id && s->tune_confirmed))
		return;
	if (!stb_channel(s, id)) {
		sc_logf(&s->lg, LOG_WARNING, "channel %u is not in the line-up (%zu channels)", id, s->n_chans);
		return;
	}
	if (s->t && s->t->ch.id == id) {
		stb_mgmt_tune(s, id); /* joined while the server was away: confirm */
		return;
	}
	s->want = 0;
	stb_request_tune(s, id);
}

static void on_link(void *arg, const struct mld_link_event *ev)
{
	struct stb *s = arg;

	sc_logf(&s->lg, LOG_INFO, "%s: %s", ev->ifname, mld_link_ev_name(ev->type));
	if (s->t && (ev->type == MLD_LINK_UP || ev->type == MLD_LINK_NEW || ev->type == MLD_ADDR_NEW ||
		     ev->type == MLD_LINK_RESYNC))
		stb_tuner_rejoin(s->t);
}

static void on_nl(void *arg, int fd, uint32_t events)
{
	struct stb *s = arg;

	(void)fd;
	(void)events;
	mld_nlwatch_process(s->nlw);
}

static void on_house(void *arg)
{
	struct stb *s = arg;
	struct stb_tuner *t = s->t;
	uint64_t n = stb_now(s);

	sc_timer_arm(s->house, SC_NS_PER_S);
	if (!t || t->starving)
		return;
	if (stb_tuner_drain(t) > 0) {
		stb_tuner_kick(t);
		return;
	}
	if (n - (t->last_rx_ns ? t->last_rx_ns : t->join_ns) > STARVE_NS) {
		t->starving = true;
		sc_logf(&s->lg, LOG_WARNING,
			"channel %u: no multicast for %.0f s on %s (network or edge problem?)%s", t->ch.id,
			(double)STARVE_NS / 1e9, s->cfg.iface,
			t->has_ret ? ": the playback buffer is filled from the edge's RET" : "");
	}
}

static void log_to_sc(void *ctx, int level, const char *msg)
{
	(void)ctx;
	sc_log(level, "%s", msg);
}

static int start(struct stb *s)
{
	int rc;

	if ((rc = stb_ident_open(s)) < 0)
		return rc;
	s->peers = peers_new(512);
	s->http = sc_httpc_new(s->loop, &s->lg);
	s->zap_timer = sc_timer_new(s->loop, on_zap_timeout, s);
	s->house = sc_timer_new(s->loop, on_house, s);
	if (!s->peers || !s->http || !s->zap_timer || !s->house)
		return -ENOMEM;
	if ((rc = open_repair(s)) < 0 || (rc = stb_out_open(s)) < 0 || (rc = stb_api_open(s)) < 0)
		return rc;
	rc = mld_nlwatch_new(s->cfg.iface, on_link, s, &s->mlg, &s->nlw);
	if (rc == 0)
		sc_loop_add_fd(s->loop, mld_nlwatch_fd(s->nlw), SC_LOOP_IN, on_nl, s);
	else
		sc_logf(&s->lg, LOG_WARNING, "no link watch on %s (%s): a link flap needs a restart", s->cfg.iface,
			strerror(-rc));
	sc_timer_arm(s->house, SC_NS_PER_S);
	stb_mgmt_start(s);
	return 0;
}

int stb_new(sc_loop *loop, const struct stb_cfg *cfg, stb **out)
{
	struct stb *s = calloc(1, sizeof(*s));
	int rc;

	*out = NULL;
	if (!s)
		return -ENOMEM;
	s->loop = loop;
	s->cfg = *cfg;
	s->rfd = -1;
	s->out.udp_fd = -1;
	s->lg = (struct sc_logger){ log_to_sc, NULL, LOG_DEBUG };
	s->mlg = (struct mld_log){ log_to_sc, NULL, LOG_INFO };
	s->started_ns = stb_now(s);
	rc = start(s);
	if (rc < 0) {
		stb_free(s, 0);
		return rc;
	}
	*out = s;
	return 0;
}

struct leave_wait {
	bool done;
};

static void on_left(void *arg, int status, const char *body, size_t len, const char *err)
{
	struct leave_wait *w = arg;

	(void)status;
	(void)body;
	(void)len;
	(void)err;
	w->done = true;
}

void stb_free(stb *s, unsigned timeout_ms)
{
	struct leave_wait w = { false };

	if (!s)
		return;
	stb_stop_tuner(s);
	if (timeout_ms && s->mg == MG_READY && stb_mgmt_leave(s, on_left, &w) > 0) {
		uint64_t until = stb_now(s) + timeout_ms * SC_NS_PER_MS;

		while (!w.done && stb_now(s) < until)
			sc_loop_run_once(s->loop, 50);
	}
	stb_mgmt_stop(s);
	stb_api_close(s);
	stb_out_close(s);
	if (s->nlw) {
		sc_loop_del_fd(s->loop, mld_nlwatch_fd(s->nlw));
		mld_nlwatch_free(s->nlw);
	}
	if (s->rfd >= 0) {
		sc_loop_del_fd(s->loop, s->rfd);
		close(s->rfd);
	}
	sc_httpc_free(s->http);
	sc_timer_free(s->zap_timer);
	sc_timer_free(s->house);
	peers_free(s->peers);
	stb_ident_close(s);
	free(s->chans);
	free(s);
}

void stb_reconfigure(stb *s, const struct stb_cfg *cfg)
{
	if (strcmp(cfg->device_id, s->cfg.device_id) || strcmp(cfg->iface, s->cfg.iface) ||
	    cfg->repair_port != s->cfg.repair_port || strcmp(cfg->mgmt_url, s->cfg.mgmt_url) ||
	    !sc_addr_equal(&cfg->http, &s->cfg.http) || !sc_addr_equal(&cfg->control, &s->cfg.control) ||
	    cfg->http_dflt != s->cfg.http_dflt || cfg->control_dflt != s->cfg.control_dflt ||
	    !sc_addr_equal(&cfg->udp, &s->cfg.udp) || cfg->play != s->cfg.play)
		sc_log(LOG_WARNING, "reload: device id, interface, ports, URL and outputs change at the next restart");
	s->cfg.log_level = cfg->log_level;
	s->cfg.playout_delay_ns = cfg->playout_delay_ns;
	s->cfg.policy = cfg->policy;
	s->cfg.fast_zap = cfg->fast_zap;
	s->cfg.mesh = cfg->mesh;
	s->cfg.mesh_switch = cfg->mesh_switch;
	s->cfg.mgmt_timeout_ms = cfg->mgmt_timeout_ms;
	s->cfg.mgmt_retry_max_ns = cfg->mgmt_retry_max_ns;
	snprintf(s->cfg.record_dir, sizeof(s->cfg.record_dir), "%s", cfg->record_dir);
	/* A rotated enrolment secret serves the next registration; the box's
	 * own token goes on meanwhile. */
	snprintf(s->cfg.credential, sizeof(s->cfg.credential), "%s", cfg->credential);
	s->cfg.http_limits = cfg->http_limits;
	s->cfg.control_limits = cfg->control_limits;
	if (s->out.hts)
		hts_set_limits(s->out.hts, &cfg->http_limits);
	stb_api_reconfigure(s, cfg);
	sc_log(LOG_NOTICE, "reloaded: playout delay %llu ms, policy %s and the mesh (%s) apply from the next tune",
	       (unsigned long long)(cfg->playout_delay_ns / SC_NS_PER_MS), rtx_policy_name(cfg->policy),
	       cfg->mesh ? "on" : "off");
}

void stb_status_line(const stb *s, char *buf, size_t len)
{
	if (s->t)
		snprintf(buf, len, "client %u, channel %u (%s)%s%s%s", s->reg.client_id, s->t->ch.id, s->t->ch.name,
			 s->t->has_group ? ", in a repair group" : "",
			 stb_mesh_active(s->t) ? ", through the P2P mesh" : "",
			 s->mgmt_up ? "" : ", management server away");
	else
		snprintf(buf, len, "client %u, not tuned%s", s->reg.client_id,
			 s->mgmt_up ? "" : ", management server away");
}
