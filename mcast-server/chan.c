/* chan: a channel's pipeline from source to send queue, with restarts.
 * See chan.h. */
#include "config.h"

#include "chan.h"
#include "tsfix.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define QUEUE_PACKETS 1024
#define PCR_PENDING 2048 /* TS packets: 380 ms at 8 Mb/s, 150 ms at 20 */
#define PCR_MAX_GAP_MS 1000
#define BACKOFF_MIN_NS (1 * SC_NS_PER_S)
#define BACKOFF_MAX_NS (30 * SC_NS_PER_S)
#define HEALTHY_NS (60 * SC_NS_PER_S)
#define CHECK_NS (500 * SC_NS_PER_MS)

struct chan {
	struct chan_cfg cfg;
	struct chan_env env;
	src *src;
	tsin *in;
	tsfix *fix;
	pcr_timeline *tl;
	rtpk *pk;
	pace *q;
	int h6, h4; /* emit socket handles, -1 when unused */
	sc_timer *restart, *check;
	uint64_t backoff, started_at, last_data;
	uint64_t restarts, stalls, sent, sent_bytes;
	char last_error[200];
};

static uint32_t random32(void)
{
	uint32_t v = 0;

	/* Unpredictable SSRC and initial sequence/timestamp (RFC 3550 5.1);
	 * should getrandom fail, any value still works. */
	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != (ssize_t)sizeof(v))
		v = (uint32_t)sc_clock_now_ns(sc_clock_system());
	return v;
}

static uint64_t now(const chan *c)
{
	return sc_clock_now_ns(sc_loop_clock(c->env.loop));
}

/* Timed TS out of the PCR timeline into RTP packets into the queue. */
static void drain_timeline(chan *c)
{
	struct rtpk_packet pkt;
	uint8_t p[TS_SIZE];
	uint64_t t, due;
	bool was_empty = pace_len(c->q) == 0;

	while (pcr_pop(c->tl, p, &t) == 1) {
		/* The PSI may have moved on since the packet went by tsin (the
		 * timeline holds packets up to a PCR interval): it rarely does. */
		bool rap = tsin_rap(c->in, p);
		bool pat = ts_pid(p) == TS_PID_PAT && ts_pusi(p);

		if (rtpk_add(c->pk, p, t, rap, pat, &pkt))
			pace_push(c->q, &pkt, now(c));
	}
	if (was_empty && pace_peek(c->q, &due))
		c->env.wake(c->env.arg, due);
}

static void on_ts(void *arg, const uint8_t *ts, bool rap, bool pat)
{
	chan *c = arg;
	uint8_t p[TS_SIZE];

	(void)rap;
	(void)pat;
	memcpy(p, ts, TS_SIZE);
	tsfix_packet(c->fix, p);
	if (pcr_push(c->tl, p) == -ENOBUFS) {
		/* Timed packets waiting: make room and try once more. */
		drain_timeline(c);
		pcr_push(c->tl, p);
	}
}

static void on_data(void *arg, const uint8_t *buf, size_t len)
{
	chan *c = arg;

	c->last_data = now(c);
	tsin_feed(c->in, buf, len, on_ts, c);
	drain_timeline(c);
}

static void schedule_restart(chan *c, const char *why)
{
	snprintf(c->last_error, sizeof(c->last_error), "%s", why);
	if (c->started_at && now(c) - c->started_at > HEALTHY_NS)
		c->backoff = BACKOFF_MIN_NS;
	sc_logf(&c->env.lg, LOG_ERR, "channel %u (%s): %s; restarting in %llu s", c->cfg.id, c->cfg.name,
		why, (unsigned long long)(c->backoff / SC_NS_PER_S));
	src_stop(c->src);
	sc_timer_arm(c->restart, c->backoff);
	c->backoff = c->backoff * 2 > BACKOFF_MAX_NS ? BACKOFF_MAX_NS : c->backoff * 2;
}

static void on_event(void *arg, enum src_event ev, const char *msg)
{
	chan *c = arg;

	switch (ev) {
	case SRC_EV_LOOP:
		/* The stream starts over: its PCRs jump back, its CCs restart. */
		tsin_reset(c->in);
		tsfix_seam(c->fix);
		pcr_restart(c->tl);
		drain_timeline(c);
		break;
	case SRC_EV_EOS:
		schedule_restart(c, "source ended");
		break;
	case SRC_EV_ERROR:
		schedule_restart(c, msg ? msg : "source failed");
		break;
	}
}

/* Read files and non-live pipelines up to the lookahead. */
static void refill(chan *c)
{
	uint64_t t = now(c);
	int budget = 64;

	if (src_kind(c->src) == SRC_FILE) {
		while (pace_ahead_ns(c->q, t) < c->env.lookahead_ns && pace_len(c->q) < QUEUE_PACKETS / 2 &&
		       budget-- > 0 && src_pull(c->src, 16 * 1024) >= 0)
			;
	} else if (!src_live(c->src)) {
		src_want(c->src, pace_ahead_ns(c->q, t) < c->env.lookahead_ns &&
					 pace_len(c->q) < QUEUE_PACKETS / 2);
	}
}

static void on_check(void *arg)
{
	chan *c = arg;
	uint64_t t = now(c);

	sc_timer_arm(c->check, CHECK_NS);
	if (sc_timer_armed(c->restart))
		return;
	if (src_live(c->src) && t - c->last_data > c->env.stall_ns) {
		c->stalls++;
		schedule_restart(c, "source stalled (no data)");
		return;
	}
	refill(c);
}

static void on_restart(void *arg)
{
	chan_start(arg);
}

void chan_start(chan *c)
{
	struct src_cb cb = { on_data, on_event, c };

	tsin_reset(c->in);
	tsfix_seam(c->fix);
	pcr_restart(c->tl);
	drain_timeline(c);
	pace_reanchor(c->q);
	c->started_at = c->last_data = now(c);
	if (c->restarts++)
		sc_logf(&c->env.lg, LOG_NOTICE, "channel %u (%s): restarting %s", c->cfg.id, c->cfg.name,
			src_uri(c->src));
	if (src_start(c->src, c->env.loop, &cb) == 0) {
		c->last_error[0] = '\0';
		pace_set_live(c->q, src_live(c->src));
		refill(c);
	}
	sc_timer_arm(c->check, CHECK_NS);
}

int chan_send_due(chan *c, uint64_t now_ns)
{
	const struct rtpk_packet *p;
	uint64_t due;
	int n = 0;

	while ((p = pace_peek(c->q, &due)) && due <= now_ns) {
		if (c->h6 >= 0)
			emit_queue(c->env.em, c->h6, &c->cfg.group6, p->buf, p->len);
		if (c->h4 >= 0)
			emit_queue(c->env.em, c->h4, &c->cfg.group4, p->buf, p->len);
		if (c->env.sent)
			c->env.sent(c->env.arg, c->cfg.id, p);
		c->sent++;
		c->sent_bytes += p->len;
		pace_pop(c->q);
		n++;
	}
	if (n)
		refill(c);
	return n;
}

bool chan_next_due(const chan *c, uint64_t *due_ns)
{
	return pace_peek(c->q, due_ns) != NULL;
}

static int open_sockets(chan *c, char *err, size_t errlen)
{
	c->h6 = c->h4 = -1;
	if (c->cfg.group6.len)
		c->h6 = emit_socket(c->env.em, AF_INET6, c->cfg.ifindex, c->cfg.hops, c->cfg.dscp, c->env.src6);
	if (c->cfg.group4.len)
		c->h4 = emit_socket(c->env.em, AF_INET, c->cfg.ifindex, c->cfg.hops, c->cfg.dscp, c->env.src4);
	if ((c->cfg.group6.len && c->h6 < 0) || (c->cfg.group4.len && c->h4 < 0)) {
		int rc = c->h6 < 0 && c->cfg.group6.len ? c->h6 : c->h4;

		snprintf(err, errlen, "cannot open a multicast sender: %s", strerror(-rc));
		return rc;
	}
	return 0;
}

int chan_new(const struct chan_cfg *cfg, const struct chan_env *env, chan **out, char *err, size_t errlen)
{
	chan *c = calloc(1, sizeof(*c));
	int rc = -ENOMEM;

	*out = NULL;
	snprintf(err, errlen, "out of memory");
	if (!c)
		return -ENOMEM;
	c->cfg = *cfg;
	c->env = *env;
	c->backoff = BACKOFF_MIN_NS;
	rc = src_new(cfg->source, &env->lg, &c->src, err, errlen);
	if (rc < 0)
		goto fail;
	rc = -ENOMEM;
	c->in = tsin_new();
	c->fix = tsfix_new();
	c->tl = pcr_new(PCR_PENDING, PCR_MAX_GAP_MS, cfg->fallback_bps);
	c->pk = rtpk_new(random32(), (uint16_t)random32(), random32());
	c->q = pace_new(QUEUE_PACKETS, env->latency_ns, false);
	c->restart = sc_timer_new(env->loop, on_restart, c);
	c->check = sc_timer_new(env->loop, on_check, c);
	if (!c->in || !c->fix || !c->tl || !c->pk || !c->q || !c->restart || !c->check)
		goto fail;
	rc = open_sockets(c, err, errlen);
	if (rc < 0)
		goto fail;
	*out = c;
	return 0;
fail:
	chan_free(c);
	return rc;
}

void chan_free(chan *c)
{
	if (!c)
		return;
	src_free(c->src);
	tsin_free(c->in);
	tsfix_free(c->fix);
	pcr_free(c->tl);
	rtpk_free(c->pk);
	pace_free(c->q);
	sc_timer_free(c->restart);
	sc_timer_free(c->check);
	free(c);
}

const struct chan_cfg *chan_config(const chan *c)
{
	return &c->cfg;
}

void chan_get_stats(const chan *c, struct chan_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->packets_sent = c->sent;
	out->bytes_sent = c->sent_bytes;
	out->restarts = c->restarts ? c->restarts - 1 : 0;
	out->stalls = c->stalls;
	out->bitrate_bps = pcr_stats(c->tl)->bitrate_bps;
	out->running = !sc_timer_armed(c->restart);
	snprintf(out->last_error, sizeof(out->last_error), "%s", c->last_error);
}

const struct tsin_stats *chan_ts_stats(const chan *c)
{
	return tsin_stats(c->in);
}

const struct src_stats *chan_src_stats(const chan *c)
{
	return src_stats(c->src);
}

uint32_t chan_ssrc(const chan *c)
{
	return rtpk_ssrc(c->pk);
}
