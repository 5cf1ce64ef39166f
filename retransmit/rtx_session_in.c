/* rtx_session_in: datagrams coming into a session: multicast RTP into the
 * raw buffer (with gap detection), and repair-protocol datagrams, which are
 * checked in order of cost (shape, group, membership, MAC, replay) before
 * anything else is done with them. */
#include "config.h"

#include <errno.h>

#include "rtx_auth.h"
#include "rtx_session_int.h"
#include "rtx_stats.h"
#include "sc_rtp.h"

void rtx_in_restart(rtx_session *s)
{
	/* What the old stream left in the playback buffer is played out at
	 * once (and its holes given up): a restart is a discontinuity anyway,
	 * and nothing that arrived is thrown away. */
	if (s->client)
		rtx_playout_run(&s->po, s->rb, UINT64_MAX, rtx_session_playout_out, s);
	rtx_rawbuf_clear(s->rb);
	rtx_playout_reset(&s->po);
	rtx_req_clear(&s->rq);
	rtx_burst_reset(s);
	s->last_mc_ext = s->last_mc_due = 0;
	s->st.restarts++;
	sc_logf(&s->log, LOG_NOTICE, "rtx: source restarted (ssrc %08x): buffers reset",
		(unsigned)s->seq.ssrc);
}

/* Packets prev_high+1 .. ext-1 are missing; track the newest max_gaps. */
static void add_gaps(rtx_session *s, uint64_t prev_high, uint64_t ext, uint64_t deadline)
{
	uint64_t e = prev_high + 1, dropped;
	uint64_t room = s->rq.gaps.cap;

	s->st.gaps += ext - e;
	if (ext - e > room) {
		s->st.gaps_dropped += ext - e - room;
		e = ext - room;
	}
	for (; e < ext; e++)
		if (rtx_req_add(&s->rq, e, ext, s->now, deadline, &dropped) == 1)
			s->st.gaps_dropped++;
}

/* The stream's mean packet period, over windows of RTX_PERIOD_WIN_NS,
 * smoothed (3/4 the last estimate): packets come in batches (a frame's
 * packets paced together, recvmmsg reading many at one time), so the
 * smoothed gap between two arrivals is far below it and no measure of the
 * stream's rate. A window of a quarter second of a 40 packets/s channel
 * held an I-frame or none: its period was off by a factor of 2 to 3, and
 * a pull paced by it gave up numbers before the stream had them. */
static void period(rtx_session *s)
{
	uint64_t p;

	s->win_pkts++;
	/* A silence (our link or the stream was down) is no measure of the
	 * stream's pace: start the window again after it. */
	if (!s->win_start_ns || s->now - s->last_mc_ns > RTX_PERIOD_GAP_NS) {
		s->win_start_ns = s->now;
		s->win_pkts = 0;
		return;
	}
	/* The first estimate after a quarter window: a pull must not wait a
	 * second for one. */
	if (s->now - s->win_start_ns >= (s->mc_period_ns ? RTX_PERIOD_WIN_NS : RTX_PERIOD_WIN_NS / 4)) {
		p = (s->now - s->win_start_ns) / s->win_pkts;
		s->mc_period_ns = s->mc_period_ns ? (3 * s->mc_period_ns + p) / 4 : p;
		s->win_start_ns = s->now;
		s->win_pkts = 0;
	}
}

/* Watch the stream's pace: after a silence, our link is back. */
static void heartbeat(rtx_session *s)
{
	uint64_t gap = s->now - s->last_mc_ns, silence;

	period(s);
	if (s->last_mc_ns && s->now > s->last_mc_ns) {
		silence = RTX_SILENCE_GAPS * s->mc_gap_ns;
		if (silence < RTX_SILENCE_MIN_NS)
			silence = RTX_SILENCE_MIN_NS;
		if (s->mc_gap_ns && gap > silence)
			rtx_req_resume(&s->rq, &s->grp, s->now);
		else
			s->mc_gap_ns = s->mc_gap_ns ? (7 * s->mc_gap_ns + gap) / 8 : gap;
	}
	s->last_mc_ns = s->now;
}

/* A multicast packet of the client: bookkeeping after it was stored. */
static void client_stored(rtx_session *s, uint64_t ext, uint64_t prev_high, uint64_t due)
{
	/* Below the splice point of a burst in progress, the burst fills. */
	uint64_t floor = rtx_burst_client_floor(s);

	heartbeat(s);
	if (ext > s->last_mc_ext) {
		s->last_mc_ext = ext;
		s->last_mc_due = due;
	}
	rtx_playout_stored(&s->po, ext, false);
	rtx_burst_client_mcast(s, ext);
	/* A gap is filled: reordered, or above the highest when it was a
	 * prediction of a pull (rtx_starve) that multicast now delivers; left
	 * in place, such a gap would keep its guessed deadline and a real
	 * loss of that number later would never be asked for. */
	if (rtx_req_resolve(&s->rq, ext, NULL) == 0)
		s->st.reordered++;
	if (prev_high && ext > prev_high + 1) {
		if (prev_high < floor)
			prev_high = floor;
		if (ext > prev_high + 1)
			add_gaps(s, prev_high, ext, due);
	}
	rtx_req_highest(&s->rq, ext, s->now);
}

static int store_rtp(rtx_session *s, const uint8_t *buf, size_t len, const struct sc_rtp *rtp,
		     uint64_t ext)
{
	uint64_t prev_high = rtx_rawbuf_highest(s->rb), due = 0;
	int rc;

	if (s->client) {
		due = rtx_playout_due(&s->po, rtp->timestamp, s->now, true);
		/* (Not started: held back while a burst is asked for.) */
		if (s->po.started && !rtx_playout_pending(&s->po, ext)) {
			/* Too late to play; still worth serving to others. */
			rc = rtx_rawbuf_put(s->rb, ext, buf, len, s->now, due, 0);
			if (rc == -EEXIST) {
				s->st.duplicates_rtp++;
				return -EALREADY;
			}
			s->st.late++;
			return -ETIME;
		}
	}
	rc = rtx_rawbuf_put(s->rb, ext, buf, len, s->now, due, 0);
	if (rc == -EEXIST) {
		s->st.duplicates_rtp++;
		return -EALREADY;
	}
	if (rc < 0) {
		s->st.out_of_window++;
		return -ERANGE;
	}
	s->st.received++;
	s->st.received_bytes += len;
	if (s->client)
		client_stored(s, ext, prev_high, due);
	return 0;
}

static int input_rtp(rtx_session *s, const uint8_t *buf, size_t len, unsigned flags)
{
	struct sc_rtp rtp;
	uint64_t ext;
	enum rtx_seq_verdict v;
	int rc;

	s->now = s->cb.now_ns(s->cb.ctx);
	if (len > s->cfg.max_packet || sc_rtp_parse(buf, len, &rtp) < 0) {
		s->st.malformed_rtp++;
		return len > s->cfg.max_packet ? -EMSGSIZE : -EBADMSG;
	}
	v = rtx_seq_update(&s->seq, rtp.seq, rtp.ssrc, &ext);
	if (v == RTX_SEQ_PROBATION) {
		s->st.out_of_window++;
		return -ERANGE;
	}
	if (v == RTX_SEQ_START) {
		if (s->had_stream)
			rtx_in_restart(s);
		s->had_stream = true;
		if (s->client && rtx_burst_client_may_start(s, ext))
			rtx_playout_start(&s->po, ext);
	}
	rc = store_rtp(s, buf, len, &rtp, ext);
	if (rc == 0 && !s->client)
		rtx_burst_edge_input(s, ext, len, flags);
	rtx_session_update_deadline(s);
	return rc;
}

int rtx_session_input_rtp(rtx_session *s, const uint8_t *buf, size_t len)
{
	return input_rtp(s, buf, len, 0);
}

int rtx_session_input_rtp_flags(rtx_session *s, const uint8_t *buf, size_t len, unsigned flags)
{
	return input_rtp(s, buf, len, flags);
}

/* ---- repair-protocol datagrams ---- */

/* Who sent a checked datagram: a member index, RTX_MEMBER_FORMER, or for
 * RET traffic RTX_MEMBER_FORMER too (no index). */
struct origin {
	struct rtx_hdr h;
	bool ret;
	int member;
	struct rtx_peer_state *ps;
	const uint8_t *key;       /* the domain secret it verified under */
	struct rtx_opened opened;
};

static int role_check(const rtx_session *s, const struct rtx_hdr *h, bool ret)
{
	bool edge_sender = (h->sender_id & RTX_EDGE_ID_FLAG) != 0;

	if (h->type == RTX_MSG_BURST_REQ && s->client)
		return -EOPNOTSUPP;
	if (h->type == RTX_MSG_BURST && !ret)
		return -EOPNOTSUPP;
	if (h->type == RTX_MSG_NACK || h->type == RTX_MSG_BURST_REQ ||
	    (h->type == RTX_MSG_PATH && !s->client)) {
		/* Edges answer RET requests from clients; clients answer their
		 * group. */
		if (s->client ? ret : (!ret || edge_sender))
			return -EOPNOTSUPP;
		return s->client && edge_sender ? -EPERM : 0;
	}
	if (!s->client)
		return -EOPNOTSUPP;
	return ret == edge_sender ? 0 : -EPERM;
}

/* Membership: of the group for group traffic; for RET, holding the key
 * (checked next) is membership. */
static int member_check(rtx_session *s, struct origin *o)
{
	if (o->ret) {
		o->member = RTX_MEMBER_FORMER;
		return 0;
	}
	o->member = rtx_groups_member(&s->grp, o->h.group_id, o->h.sender_id, s->now);
	return o->member < 0 ? -EPERM : 0;
}

/* The sender's identity and the MAC, for us alone, under one of the
 * domain's keys. */
static int auth_check(rtx_session *s, const uint8_t *buf, size_t len, struct origin *o,
		      const uint8_t *const keys[2], int n)
{
	int rc = rtx_ident_open(s->cfg.ident, buf, len, &o->h.env, keys, n, &o->opened);

	if (rc == 0) {
		o->key = keys[o->opened.key_index];
		return 0;
	}
	if (rc == -EKEYREVOKED)
		s->st.revoked++;
	else if (rc == -ENOKEY)
		s->st.unknown_sender++;
	else
		s->st.auth_failed++;
	return -EACCES;
}

/* Accepted once: what makes us send (requests, challenges). */
static bool once_only(uint8_t type)
{
	return type == RTX_MSG_NACK || type == RTX_MSG_BURST_REQ || type == RTX_MSG_PATH;
}

static int fresh_check(rtx_session *s, struct origin *o)
{
	uint64_t own, d;

	if (s->cfg.max_clock_skew_ns && s->cfg.ts_base_ns) {
		own = rtx_own_ts(s, s->now);
		d = own > o->h.ts ? own - o->h.ts : o->h.ts - own;
		if (d > s->cfg.max_clock_skew_ns)
			return -EALREADY;
	}
	o->ps = rtx_ptab_get(s->peers, o->h.sender_id, s->now);
	if (rtx_replay_fresh(&o->ps->hi_ts, o->h.ts, RTX_REPLAY_WINDOW_NS) < 0)
		return -EALREADY;
	if (!once_only(o->h.type))
		return 0;
	return rtx_replay_check(&o->ps->replay, o->h.ts, RTX_REPLAY_WINDOW_NS);
}

/* Every check before a datagram is acted upon, cheapest first; each
 * failure counted. Nothing the datagram says is kept before all passed. */
static int check(rtx_session *s, const uint8_t *buf, size_t len, struct origin *o)
{
	const uint8_t *keys[2];
	int rc, n;

	if (rtx_wire_parse(buf, len, &o->h) < 0 || o->h.sender_id == rtx_sid(s)) {
		s->st.malformed++;
		return -EBADMSG;
	}
	o->ret = (o->h.flags & RTX_WIRE_FLAG_RET) != 0;
	rc = role_check(s, &o->h, o->ret);
	if (rc == -EOPNOTSUPP) {
		s->st.unsupported++;
		return rc;
	}
	n = rtx_groups_keys(&s->grp, o->ret, o->h.group_id, s->now, keys);
	if (n == 0) {
		s->st.auth_failed++;
		return -EACCES;
	}
	if (rc < 0 || (rc = member_check(s, o)) < 0) {
		s->st.non_member++;
		return -EPERM;
	}
	if (auth_check(s, buf, len, o, keys, n) < 0)
		return -EACCES;
	if (fresh_check(s, o) < 0) {
		s->st.replayed++;
		return -EALREADY;
	}
	rtx_ident_commit(s->cfg.ident, &o->opened);
	return 0;
}

/* Answers to this datagram go to `from`, under the key it verified with. */
static void reply_to(rtx_session *s, const struct origin *o, uint64_t from)
{
	s->reply = (struct rtx_reply){ from, o->h.sender_id, o->key, o->h.group_id, o->ret, o->h.ts };
}

/* A request is served only at an address its sender registered or proved:
 * elsewhere it gets a challenge no larger than itself, and nothing else. */
static bool addr_check(rtx_session *s, const struct origin *o, uint64_t from, size_t len)
{
	struct rtx_path p = { 0 };

	if (rtx_ident_addr_ok(s->cfg.ident, o->h.sender_id, from))
		return true;
	s->st.unvalidated++;
	if (rtx_ident_challenge(s->cfg.ident, o->h.sender_id, from, &p.token) == 0) {
		reply_to(s, o, from);
		rtx_out_path(s, &s->reply, &p, len);
	}
	return false;
}

static int handle_nack(rtx_session *s, struct origin *o, uint64_t from, size_t len)
{
	struct rtx_list l;
	struct rtx_serve_result r;

	if (rtx_list_parse(o->h.body, o->h.body_len, &l) < 0) {
		s->st.malformed++;
		return -EBADMSG;
	}
	if (!addr_check(s, o, from, len))
		return -EAGAIN;
	s->st.requests_received++;
	reply_to(s, o, from);
	rtx_serve(&s->serve, s->rb, &s->seq, &l, o->h.sender_id, o->ps, s->now, rtx_out_repair, s,
		  s->scratch, &r);
	s->st.repairs_sent += r.served;
	s->st.seqs_missing += r.n_missing;
	s->st.seqs_refused += r.refused;
	s->st.seqs_deduped += r.deduped;
	if (r.n_missing)
		rtx_out_missing(s, s->scratch, r.n_missing);
	if (r.refused) {
		s->st.requests_refused++;
		if (!r.served)
			return -EBUSY;
	}
	return 0;
}

static void rtt_sample(rtx_session *s, const struct origin *o, uint64_t echo)
{
	uint64_t own = rtx_own_ts(s, s->now), rtt;

	if (echo == 0 || echo > own)
		return;
	rtt = own - echo;
	/* An answer slower than the longest timeout answers a request long
	 * given up (queued behind a burst, a stalled process): no round trip
	 * to plan by. Taken, one such sample made RET look seconds away, too
	 * slow to be asked before any deadline, and, no longer asked, it was
	 * never measured again. */
	if (rtt > s->cfg.rto_max_ns)
		return;
	if (o->ret)
		rtx_rtt_sample(&s->grp.ret_rtt, rtt);
	else if (o->member >= 0 && o->member < (int)s->grp.n)
		rtx_rtt_sample(&s->grp.m[o->member].rtt, rtt);
}

/* Store a repaired packet if it fills a hole the playback buffer still
 * waits for. */
static int take_repair(rtx_session *s, const struct origin *o, const struct sc_rtp *rtp,
		       const uint8_t *pkt, size_t len)
{
	uint64_t ext = rtx_seq_nearest(&s->seq, rtp->seq), detect, due;

	if (!s->seq.started || rtp->ssrc != s->seq.ssrc || ext == 0 ||
	    (ext > rtx_rawbuf_highest(s->rb) && !(s->pull_ns && rtx_gaps_find(&s->rq.gaps, ext)))) {
		s->st.unsolicited++;
		return -EALREADY;
	}
	if (rtx_rawbuf_has(s->rb, ext)) {
		s->st.duplicates++;
		return -EALREADY;
	}
	due = rtx_playout_due(&s->po, rtp->timestamp, s->now, false);
	if (!rtx_playout_pending(&s->po, ext)) {
		rtx_rawbuf_put(s->rb, ext, pkt, len, s->now, due, RTX_SLOT_REPAIR);
		s->st.late++;
		if (rtx_diag_ok(s))
			sc_logf(&s->log, LOG_INFO, "rtx: late repair %u from %s, %.1f ms after its playback time",
				(unsigned)rtp->seq, o->ret ? "RET" : "a peer",
				((double)s->now - (double)due) / 1e6);
		return -ETIME;
	}
	if (rtx_rawbuf_put(s->rb, ext, pkt, len, s->now, due, RTX_SLOT_REPAIR) < 0) {
		s->st.unsolicited++;
		return -EALREADY;
	}
	rtx_playout_stored(&s->po, ext, true);
	if (!o->ret && o->member >= 0 && (size_t)o->member < s->grp.n && ext > s->grp.m[o->member].high)
		s->grp.m[o->member].high = ext;
	if (o->ret)
		s->st.repaired_ret++;
	else
		s->st.repaired_peer++;
	if (rtx_req_resolve(&s->rq, ext, &detect) == 0)
		s->st.latency_hist[rtx_lat_bucket(s->now - detect)]++;
	return 0;
}

static int handle_repair(rtx_session *s, struct origin *o)
{
	struct rtx_repair rp;
	struct sc_rtp rtp;

	if (rtx_repair_parse(o->h.body, o->h.body_len, &rp) < 0 || rp.rtp_len > s->cfg.max_packet ||
	    sc_rtp_parse(rp.rtp, rp.rtp_len, &rtp) < 0) {
		s->st.malformed++;
		return -EBADMSG;
	}
	if (o->ret && rtx_burst_client_packet(s, &rtp, rp.rtp, rp.rtp_len))
		return 0;
	/* A burst's stragglers echo the burst request, seconds old: no
	 * round-trip sample (it would make RET look too slow to ask). */
	if (!(o->ret && s->fcc.req_first_ts && rp.echo_ts >= s->fcc.req_first_ts &&
	      rp.echo_ts <= s->fcc.req_last_ts))
		rtt_sample(s, o, rp.echo_ts);
	return take_repair(s, o, &rtp, rp.rtp, rp.rtp_len);
}

struct lack_ctx {
	rtx_session *s;
	int member;
};

static void one_lack(void *arg, uint16_t seq16)
{
	struct lack_ctx *c = arg;
	uint64_t ext = rtx_seq_nearest(&c->s->seq, seq16), at;

	if (!ext)
		return;
	if ((at = rtx_starve_not_yet(c->s, ext, c->member)))
		rtx_req_not_yet(&c->s->rq, &c->s->grp, ext, c->member, at);
	else
		rtx_req_missing(&c->s->rq, ext, c->member, c->s->now);
}

static int handle_missing(rtx_session *s, struct origin *o)
{
	struct rtx_list l;
	struct lack_ctx c = { s, o->ret ? -1 : o->member };

	if (rtx_list_parse(o->h.body, o->h.body_len, &l) < 0) {
		s->st.malformed++;
		return -EBADMSG;
	}
	s->st.missing_received++;
	rtt_sample(s, o, l.echo_ts);
	if (l.ssrc == s->seq.ssrc && s->seq.started && c.member >= 0)
		rtx_list_foreach(&l, s->rq.gaps.cap, one_lack, &c);
	return 0;
}

static int handle_burst_req(rtx_session *s, struct origin *o, uint64_t from, size_t len)
{
	struct rtx_burst_req rq;
	struct rtx_peer_state *ps = o->ps;

	if (rtx_burst_req_parse(o->h.body, o->h.body_len, &rq) < 0) {
		s->st.malformed++;
		return -EBADMSG;
	}
	if (!addr_check(s, o, from, len)) {
		/* Kept (it authenticated) to be served once the address is. */
		ps->pend = true;
		ps->pend_backlog_ms = rq.backlog_ms;
		ps->pend_from = from;
		ps->pend_ts = o->h.ts;
		ps->pend_ns = s->now;
		return -EAGAIN;
	}
	return rtx_burst_edge_request(s, o->h.sender_id, &rq, o->h.ts, o->key, ps, from);
}

/* A RET server challenged us: its challenge answers our last request at
 * once, so it is a round-trip sample (before it, the first gap of a tune
 * planned its few tries by the 50 ms guess); what it left unanswered is
 * asked again right after our echo (rtx_req_ret_challenged). */
static void ret_challenged(rtx_session *s)
{
	uint64_t rtt = s->now - s->ret_ask_ns;

	if (s->ret_ask_ns && s->now >= s->ret_ask_ns && rtt <= s->cfg.rto_max_ns)
		rtx_rtt_sample(&s->grp.ret_rtt, rtt);
	s->ret_ask_ns = 0;
	rtx_req_ret_challenged(&s->rq, s->now);
}

/* A challenge echoed (the address is validated: a burst request waiting
 * for it is served) or sent to us (echo it). */
static int handle_path(rtx_session *s, struct origin *o, uint64_t from, size_t len)
{
	struct rtx_path p, ans = { 0 };
	struct rtx_peer_state *ps = o->ps;

	if (rtx_path_parse(o->h.body, o->h.body_len, &p) < 0) {
		s->st.malformed++;
		return -EBADMSG;
	}
	if (p.echo && rtx_ident_path_echo(s->cfg.ident, o->h.sender_id, from, p.echo) == 0 &&
	    !s->client && ps->pend && ps->pend_from == from && s->now - ps->pend_ns < RTX_PEND_NS) {
		struct rtx_burst_req rq = { ps->pend_backlog_ms };

		ps->pend = false;
		rtx_burst_edge_request(s, o->h.sender_id, &rq, ps->pend_ts, s->grp.ret_key, ps, from);
	}
	if (p.token && s->client && o->ret)
		ret_challenged(s);
	if (p.token) {
		ans.echo = p.token;
		if (!rtx_ident_addr_ok(s->cfg.ident, o->h.sender_id, from))
			rtx_ident_challenge(s->cfg.ident, o->h.sender_id, from, &ans.token);
		reply_to(s, o, from);
		rtx_out_path(s, &s->reply, &ans, len);
	}
	return 0;
}

int rtx_session_input_peer(rtx_session *s, const uint8_t *buf, size_t len, uint64_t from)
{
	struct origin o = { 0 };
	int rc;

	s->now = s->cb.now_ns(s->cb.ctx);
	s->st.bytes_received += len;
	rc = check(s, buf, len, &o);
	if (rc < 0) {
		sc_logf(&s->log, LOG_DEBUG, "rtx: dropped %zu-byte datagram from peer %llu: %d", len,
			(unsigned long long)from, rc);
		return rc;
	}
	switch (o.h.type) {
	case RTX_MSG_NACK:
		rc = handle_nack(s, &o, from, len);
		break;
	case RTX_MSG_REPAIR:
		rc = handle_repair(s, &o);
		break;
	case RTX_MSG_BURST_REQ:
		rc = handle_burst_req(s, &o, from, len);
		break;
	case RTX_MSG_PATH:
		rc = handle_path(s, &o, from, len);
		break;
	case RTX_MSG_BURST:
		rc = rtx_burst_client_answer(s, &o.h);
		break;
	default:
		rc = handle_missing(s, &o);
		break;
	}
	rtx_session_update_deadline(s);
	return rc;
}
