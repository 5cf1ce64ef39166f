/* rtx_session: the public face of the library: settings and their
 * defaults, the session's life cycle, group and RET changes, the timer
 * (run/deadline), counters. Datagrams in and out are in rtx_session_in.c
 * and rtx_session_out.c. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rtx_auth.h"
#include "rtx_session_int.h"
#include "rtx_stats.h"

#define MS 1000000ULL
#define S 1000000000ULL

/* The playback delay default comes from tests/bench/rtx_bench.c --delays:
 * the smallest that keeps `ranked` at the group's floor at 5% loss and
 * survives back-to-back 200-packet outages. docs/protocol/repair.md,
 * "Defaults and why", has the measurements. */
#define RTX_DEFAULT_DELAY_NS (300 * MS)

void rtx_config_defaults(struct rtx_config *cfg, enum rtx_role role)
{
	bool edge = role == RTX_ROLE_EDGE;

	memset(cfg, 0, sizeof(*cfg));
	cfg->role = role;
	cfg->policy = RTX_POLICY_RANKED;
	cfg->playout_delay_ns = RTX_DEFAULT_DELAY_NS;
	cfg->clock_rate = 90000;
	cfg->buffer_ns = edge ? 5 * S : 2 * S;
	cfg->buffer_max_bytes = edge ? 64u << 20 : 8u << 20;
	cfg->max_packet = 1500;
	cfg->reorder_hold_ns = 5 * MS;
	cfg->reorder_hold_pkts = 3;
	cfg->max_gaps = 4096;
	cfg->max_dropout = 3000;
	cfg->rtt_initial_ns = 50 * MS;
	cfg->rto_min_ns = 5 * MS;
	cfg->rto_max_ns = 500 * MS;
	cfg->ret_after_rounds = 1;
	cfg->ret_lead_ns = 100 * MS;
	cfg->rate_pps = edge ? 500 : 1000;
	cfg->rate_burst = 1000;
	cfg->max_seqs_per_request = 1024;
	cfg->max_requesters = edge ? 8192 : 256;
	cfg->key_grace_ns = 10 * S;
	cfg->burst_speed_pct = 150;
	cfg->burst_max_ns = 3 * S;
	cfg->burst_overlap_ns = 100 * MS;
	cfg->burst_interval_ns = 200 * MS;
	cfg->max_bursts = 64;
}

int rtx_policy_parse(const char *name)
{
	if (name && strcasecmp(name, "all") == 0)
		return RTX_POLICY_ALL;
	if (name && strcasecmp(name, "ranked") == 0)
		return RTX_POLICY_RANKED;
	return -EINVAL;
}

const char *rtx_policy_name(int policy)
{
	switch (policy) {
	case RTX_POLICY_ALL:
		return "all";
	case RTX_POLICY_RANKED:
		return "ranked";
	default:
		return "?";
	}
}

/* The first setting that is out of range, by name, or NULL. */
static const char *bad_setting(const struct rtx_config *c, const struct rtx_callbacks *cb)
{
	bool client = c->role == RTX_ROLE_CLIENT;

	if (c->role != RTX_ROLE_CLIENT && c->role != RTX_ROLE_EDGE)
		return "role";
	if (c->self_id == 0 || client == ((c->self_id & RTX_EDGE_ID_FLAG) != 0))
		return "self_id";
	if (c->policy != RTX_POLICY_ALL && c->policy != RTX_POLICY_RANKED)
		return "policy";
	if (!cb || !cb->now_ns || !cb->send || (client && !cb->deliver))
		return "callbacks";
	if (client && (c->playout_delay_ns == 0 || c->playout_delay_ns > 10 * S))
		return "playout_delay_ns";
	if (c->buffer_ns == 0 || (client && c->buffer_ns < c->playout_delay_ns))
		return "buffer_ns";
	if (c->max_packet < 64 || c->max_packet > 65000)
		return "max_packet";
	if (c->buffer_max_bytes < 16 * (c->max_packet + sizeof(struct rtx_slot)))
		return "buffer_max_bytes";
	if (c->max_gaps < 16 || c->max_gaps > (1u << 20))
		return "max_gaps";
	if (c->max_dropout < 16 || c->max_dropout > 30000)
		return "max_dropout";
	if (c->rtt_initial_ns == 0 || c->rto_min_ns > c->rto_max_ns || c->rto_max_ns > 60 * S)
		return "rtt_initial_ns/rto_min_ns/rto_max_ns";
	if (c->rate_pps == 0 || c->rate_burst == 0 || c->rate_pps > 1000000 ||
	    c->rate_burst > 1000000)
		return "rate_pps/rate_burst";
	if (c->max_seqs_per_request == 0 || c->max_seqs_per_request > 65536)
		return "max_seqs_per_request";
	if (c->max_requesters == 0 || c->max_requesters > (1u << 24))
		return "max_requesters";
	if (c->burst_speed_pct < 100 || c->burst_speed_pct > 400)
		return "burst_speed_pct";
	if (c->burst_max_ns == 0 || c->burst_max_ns > 60 * S || c->burst_overlap_ns > 10 * S ||
	    c->burst_interval_ns > 60 * S)
		return "burst_max_ns/burst_overlap_ns/burst_interval_ns";
	if (c->max_bursts > 4096)
		return "max_bursts";
	/* (An identity without an id yet: a box before its registration,
	 * which can only receive, an edge before its edge id is known.) */
	if (!c->ident || (rtx_ident_self(c->ident) && rtx_ident_self(c->ident) != c->self_id &&
			  (c->self_id & ~RTX_EDGE_ID_FLAG)))
		return "ident";
	return NULL;
}

static int alloc_parts(rtx_session *s)
{
	const struct rtx_config *c = &s->cfg;
	struct rtx_req_cfg rc = {
		.policy = c->policy, .hold_ns = c->reorder_hold_ns,
		.hold_pkts = c->reorder_hold_pkts, .rtt_init_ns = c->rtt_initial_ns,
		.rto_min_ns = c->rto_min_ns, .rto_max_ns = c->rto_max_ns,
		.ret_after_rounds = c->ret_after_rounds, .ret_lead_ns = c->ret_lead_ns,
		.max_gaps = c->max_gaps,
	};

	s->rb = rtx_rawbuf_new(c->buffer_max_bytes, c->max_packet, c->buffer_ns);
	s->peers = rtx_ptab_new(c->max_requesters);
	s->tx_cap = c->max_packet + RTX_WIRE_OVERHEAD + RTX_CERT_BYTES + RTX_WIRE_REPAIR_HDR;
	if (s->tx_cap < RTX_WIRE_OVERHEAD + RTX_CERT_BYTES + RTX_LIST_BODY_MAX)
		s->tx_cap = RTX_WIRE_OVERHEAD + RTX_CERT_BYTES + RTX_LIST_BODY_MAX;
	s->tx = malloc(s->tx_cap);
	s->scratch = calloc(c->max_seqs_per_request, sizeof(*s->scratch));
	if (!s->client && c->max_bursts)
		s->bursts = calloc(c->max_bursts, sizeof(*s->bursts));
	if (!s->rb || !s->peers || !s->tx || !s->scratch || (!s->client && c->max_bursts && !s->bursts))
		return -ENOMEM;
	return rtx_req_init(&s->rq, &rc);
}

int rtx_session_new(const struct rtx_config *cfg, const struct rtx_callbacks *cb,
		    rtx_session **out)
{
	rtx_session *s;
	const char *bad;
	struct sc_logger lg = { cb ? cb->log : NULL, cb ? cb->ctx : NULL,
				cb && cb->log_level ? cb->log_level : LOG_INFO };
	int rc;

	*out = NULL;
	bad = cfg ? bad_setting(cfg, cb) : "config";
	if (bad) {
		sc_logf(&lg, LOG_ERR, "rtx: invalid setting: %s", bad);
		return -EINVAL;
	}
	if (rtx_auth_init() < 0)
		return -ENOSYS;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->cfg = *cfg;
	s->cb = *cb;
	s->log = lg;
	s->client = cfg->role == RTX_ROLE_CLIENT;
	s->start_ns = cb->now_ns(cb->ctx);
	s->now = s->start_ns;
	s->nonce_session = rtx_auth_session();
	rtx_seq_init(&s->seq, cfg->max_dropout, cfg->max_dropout);
	rtx_playout_init(&s->po, cfg->playout_delay_ns, cfg->clock_rate);
	rtx_groups_init(&s->grp, cfg->self_id);
	s->serve = (struct rtx_serve_cfg){ cfg->rate_pps, cfg->rate_burst, cfg->max_seqs_per_request };
	s->deadline = RTX_NO_DEADLINE;
	rc = alloc_parts(s);
	if (rc < 0) {
		rtx_session_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void rtx_session_free(rtx_session *s)
{
	if (!s)
		return;
	rtx_groups_wipe(&s->grp);
	rtx_rawbuf_free(s->rb);
	rtx_ptab_free(s->peers);
	rtx_req_free(&s->rq);
	free(s->tx);
	free(s->scratch);
	free(s->bursts);
	free(s);
}

int rtx_session_set_group(rtx_session *s, const struct rtx_group *g)
{
	int rc;

	if (!s->client)
		return -EOPNOTSUPP;
	s->now = s->cb.now_ns(s->cb.ctx);
	rc = rtx_groups_set(&s->grp, g, s->now, s->cfg.key_grace_ns);
	if (rc < 0) {
		sc_logf(&s->log, LOG_WARNING, "rtx: group %u version %u refused: %d",
			g ? (unsigned)g->id : 0, g ? (unsigned)g->version : 0, rc);
		return rc;
	}
	if (rc > 0)
		rtx_req_regrouped(&s->rq);
	/* The management server registered the members' addresses. */
	for (size_t i = 0; g && i < s->grp.n; i++)
		if (rtx_ident_addr_set(s->cfg.ident, s->grp.m[i].id, s->grp.m[i].peer) < 0)
			sc_logf(&s->log, LOG_INFO, "rtx: no certificate of member %u",
				(unsigned)s->grp.m[i].id);
	if (g)
		sc_logf(&s->log, LOG_INFO, "rtx: group %u version %u, %zu peers", (unsigned)g->id,
			(unsigned)g->version, s->grp.n);
	else
		sc_logf(&s->log, LOG_INFO, "rtx: left the repair group");
	rtx_session_update_deadline(s);
	return 0;
}

int rtx_session_set_ret(rtx_session *s, const struct rtx_ret *r)
{
	int rc;

	if (r && !s->client && r->n_servers)
		return -EINVAL;
	rc = rtx_groups_set_ret(&s->grp, r);
	if (rc < 0)
		return rc;
	for (size_t i = 0; r && i < r->n_servers; i++)
		if (rtx_ident_addr_set(s->cfg.ident, r->servers[i].id, r->servers[i].peer) < 0)
			sc_logf(&s->log, LOG_INFO, "rtx: no certificate of RET server %u",
				(unsigned)r->servers[i].id);
	if (s->client)
		rtx_req_regrouped(&s->rq);
	rtx_session_update_deadline(s);
	return 0;
}

bool rtx_diag_ok(rtx_session *s)
{
	if (s->now >= s->diag_win + S) {
		s->diag_win = s->now;
		s->diag_n = 0;
	}
	return s->diag_n++ < RTX_DIAG_PER_S;
}

/* ms from a to b (negative when b is earlier). */
static double ms_to(uint64_t a, uint64_t b)
{
	return ((double)b - (double)a) / 1e6;
}

static uint64_t max_srtt(const rtx_session *s)
{
	uint64_t m = 0, r;

	for (size_t i = 0; i < s->grp.n; i++) {
		r = rtx_rtt_srtt(&s->grp.m[i].rtt, s->cfg.rtt_initial_ns);
		if (r > m)
			m = r;
	}
	return m;
}

/* Why a packet is given up: what its repair did, so that a residual loss
 * can be told apart: never asked, asked too late, answered too late, a
 * deadline too close. Times are before the deadline (the playback time of
 * the next multicast packet). */
static void log_unrepaired(rtx_session *s, uint64_t ext)
{
	const struct rtx_gap *gp = rtx_gaps_find(&s->rq.gaps, ext);
	static const char *const state[] = { "?", "held", "asking", "done" };

	if (!rtx_diag_ok(s))
		return;
	if (!gp) {
		sc_logf(&s->log, LOG_INFO, "rtx: unrepaired %u: not a gap (%llu behind the highest)",
			(unsigned)(uint16_t)ext, (unsigned long long)(rtx_rawbuf_highest(s->rb) - ext));
		return;
	}
	sc_logf(&s->log, LOG_INFO,
		"rtx: unrepaired %u: given up %.1f ms after its deadline; detected %.1f ms before it, "
		"%s; %u asks of peers (first %.1f, last %.1f ms before), %u rounds, lacks %#llx; "
		"RET %s (%u retries, last %.1f ms before); srtt peers %.1f ms, RET %.1f ms",
		(unsigned)(uint16_t)ext, ms_to(gp->deadline_ns, s->now), ms_to(gp->detect_ns, gp->deadline_ns),
		state[gp->state <= RTX_GAP_DONE ? gp->state : 0], gp->asks,
		gp->first_ask ? ms_to(gp->first_ask, gp->deadline_ns) : -1.0,
		gp->last_ask ? ms_to(gp->last_ask, gp->deadline_ns) : -1.0, gp->rounds_done,
		(unsigned long long)gp->lacks, gp->ret_ns ? "asked" : "never asked", gp->ret_tries,
		gp->ret_ns ? ms_to(gp->ret_ns, gp->deadline_ns) : -1.0, (double)max_srtt(s) / 1e6,
		(double)rtx_rtt_srtt(&s->grp.ret_rtt, s->cfg.rtt_initial_ns) / 1e6);
}

/* The playback buffer's output. */
void rtx_session_playout_out(void *ctx, uint64_t ext, const uint8_t *pkt, size_t len)
{
	rtx_session *s = ctx;

	if (pkt) {
		if (!s->fcc.zap.first_delivered_ns)
			s->fcc.zap.first_delivered_ns = s->now;
		s->st.delivered++;
		s->cb.deliver(s->cb.ctx, ext, pkt, len);
		return;
	}
	s->st.unrepaired++;
	log_unrepaired(s, ext);
	rtx_req_resolve(&s->rq, ext, NULL);
	if (s->cb.lost)
		s->cb.lost(s->cb.ctx, ext);
}

void rtx_session_update_deadline(rtx_session *s)
{
	uint64_t d = RTX_NO_DEADLINE, p;

	if (s->client) {
		d = rtx_req_next(&s->rq);
		p = rtx_playout_next(&s->po, s->rb);
		if (p < d)
			d = p;
		p = rtx_burst_client_next(s);
		if (rtx_starve_next(s) < d)
			d = rtx_starve_next(s);
	} else {
		p = rtx_burst_edge_next(s);
	}
	s->deadline = p < d ? p : d;
}

uint64_t rtx_session_run(rtx_session *s)
{
	s->now = s->cb.now_ns(s->cb.ctx);
	if (!s->client && s->now >= s->deadline) {
		rtx_burst_edge_run(s);
		rtx_session_update_deadline(s);
	}
	if (s->client && s->now >= s->deadline) {
		rtx_burst_client_run(s);
		rtx_starve_run(s);
		rtx_playout_run(&s->po, s->rb, s->now, rtx_session_playout_out, s);
		if (rtx_req_run(&s->rq, &s->grp, s->now, rtx_out_nacks, s) < 0)
			sc_logf(&s->log, LOG_ERR, "rtx: out of memory scheduling requests");
		rtx_session_update_deadline(s);
	}
	return s->deadline;
}

uint64_t rtx_session_deadline(const rtx_session *s)
{
	return s->deadline;
}

void rtx_session_stats(const rtx_session *s, struct rtx_stats *out)
{
	*out = s->st;
}

int rtx_peek(const uint8_t *buf, size_t len, struct rtx_msg_info *info)
{
	struct rtx_hdr h;

	if (!info || rtx_wire_parse(buf, len, &h) < 0)
		return -EBADMSG;
	info->type = (enum rtx_msg_type)h.type;
	info->ret = (h.flags & RTX_WIRE_FLAG_RET) != 0;
	info->group_id = h.group_id;
	info->sender_id = h.sender_id;
	info->receiver_id = h.receiver_id;
	return 0;
}

