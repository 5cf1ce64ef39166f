/* rtx_burst: fast channel change (docs/protocol/repair.md, "Fast channel
 * change").
 *
 * Edge: the session remembers the last random access points of the stream
 * it emits (the packet with the PAT before each RAP). A BURST_REQ picks the
 * newest one at least the requester's playback delay old, answers with the
 * splice information and sends the packets from there as REPAIRs, paced at
 * burst_speed_pct of the pace they were emitted at, up to burst_overlap_ns
 * of stream past the live head at the request: the requester joins the
 * multicast at once, and the overlap covers its join.
 *
 * Client: the playback waits for the answer (three tries at most); then it
 * starts at the burst's first packet, shifted so that this packet is due
 * when the answer arrives: the output starts about one round trip after the
 * request and then runs at the stream's pace, the burst's backlog behind
 * live (at least the playback delay, which keeps its repair margin). Burst
 * packets fill the raw buffer like repairs; holes among them are asked of
 * the RET server like any gap; multicast gaps below the splice point are
 * left to the burst. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "rtx_session_int.h"
#include "sc_bytes.h"

#define MS 1000000ULL
#define S 1000000000ULL
/* Packets due within this of each other leave together: fewer wake-ups,
 * a burst still smooth at the millisecond. */
#define BURST_SLACK_NS (1 * MS)
/* The answer is repeated every so many packets: a lost answer costs the
 * packets before the next copy (the client asks for them as gaps), not the
 * burst. */
#define ANSWER_EVERY 32
/* A PAT this much older than the RAP is not the one before it. */
#define PAT_MAX_AGE_NS (600 * MS)
/* The client ends a burst that sent nothing for this long. */
#define STALL_NS (50 * MS)
#define TRIES 3

/* ---------------------------------------------------------------- edge */

static uint64_t arrival(rtx_session *s, uint64_t ext)
{
	const struct rtx_slot *sl = rtx_rawbuf_meta(s->rb, ext);

	return sl ? sl->arrival_ns : 0;
}

static uint32_t rtp_ts(rtx_session *s, uint64_t ext)
{
	size_t len;
	const uint8_t *p = rtx_rawbuf_data(s->rb, ext, &len);

	return p && len >= 12 ? sc_get_be32(p + 4) : 0;
}

void rtx_burst_edge_input(rtx_session *s, uint64_t ext, size_t len, unsigned flags)
{
	uint64_t now = s->now, g, start;

	if (!s->rate_start)
		s->rate_start = now;
	s->rate_bytes += len;
	if (now - s->rate_start >= S) {
		s->rate_bps = s->rate_bytes * 8 * S / (now - s->rate_start);
		s->rate_start = now;
		s->rate_bytes = 0;
	}
	if (s->last_mc_ns && now >= s->last_mc_ns) {
		g = now - s->last_mc_ns;
		s->in_gap_ns = s->in_gap_ns ? (7 * s->in_gap_ns + g) / 8 : g;
	}
	s->last_mc_ns = now;
	if (flags & RTX_PKT_PAT)
		s->last_pat = ext;
	if (!(flags & RTX_PKT_RAP))
		return;
	start = ext;
	if (s->last_pat && s->last_pat <= ext && rtx_rawbuf_has(s->rb, s->last_pat) &&
	    now - arrival(s, s->last_pat) <= PAT_MAX_AGE_NS)
		start = s->last_pat;
	s->raps[s->rap_pos] = (struct rtx_rap){ start, ext };
	s->rap_pos = (s->rap_pos + 1) % RTX_RAPS;
	if (s->n_raps < RTX_RAPS)
		s->n_raps++;
	s->st.raps++;
}

/* The stream time of a burst from a0 to a1 at the session's speed. */
static uint64_t burst_time(const rtx_session *s, uint64_t a0, uint64_t a1)
{
	return a1 > a0 ? (a1 - a0) * 100 / s->cfg.burst_speed_pct : 0;
}

/* The newest random access point at least backlog_ns old whose burst fits
 * in burst_max_ns, else the oldest that fits. Returns 0 or -ENOENT. */
static int pick_rap(rtx_session *s, uint64_t backlog_ns, uint64_t head, struct rtx_rap *out)
{
	uint64_t ahead = arrival(s, head);
	bool found = false;
	size_t len;

	for (unsigned i = 0; i < s->n_raps; i++) {
		const struct rtx_rap *r = &s->raps[(s->rap_pos + RTX_RAPS - 1 - i) % RTX_RAPS];

		if (r->start > head || head - r->start >= rtx_rawbuf_capacity(s->rb) / 2 || head - r->start >= 16384 ||
		    !rtx_rawbuf_get(s->rb, r->start, s->now, &len) || !rtx_rawbuf_has(s->rb, r->rap))
			continue;
		if (burst_time(s, arrival(s, r->rap), ahead) + s->cfg.burst_overlap_ns > s->cfg.burst_max_ns)
			continue;
		*out = *r;
		found = true;
		if (s->now - arrival(s, r->rap) >= backlog_ns)
			return 0;
	}
	return found ? 0 : -ENOENT;
}

/* Packets of stream past the head that cover overlap_ns. */
static uint64_t overlap_packets(const rtx_session *s, uint64_t start, uint64_t head, uint64_t span_ns)
{
	uint64_t n;

	if (head > start && span_ns > 0)
		n = s->cfg.burst_overlap_ns * (head - start) / span_ns;
	else
		n = s->in_gap_ns ? s->cfg.burst_overlap_ns / s->in_gap_ns : 0;
	return n > 8192 ? 8192 : n;
}

static void send_answer(rtx_session *s, uint64_t peer, uint32_t to, const uint8_t *key,
			const struct rtx_burst_ans *a)
{
	rtx_out_burst_ans(s, peer, to, key, s->grp.ret_domain, a);
}

static uint64_t burst_rate(const rtx_session *s)
{
	uint64_t bps = s->rate_bps;

	if (!bps && s->in_gap_ns)
		bps = (uint64_t)s->cfg.max_packet * 8 * S / s->in_gap_ns;
	return bps * s->cfg.burst_speed_pct / 100;
}

/* What to answer a new request; fills the burst when it is granted. */
static int decide(rtx_session *s, const struct rtx_burst_req *rq, const struct rtx_peer_state *ps,
		  struct rtx_eburst *b)
{
	uint64_t head = rtx_rawbuf_highest(s->rb), span;
	struct rtx_rap r;

	if (!s->seq.started || !head)
		return RTX_BURST_NO_STREAM;
	if (ps->burst_ns && s->now - ps->burst_ns < s->cfg.burst_interval_ns)
		return RTX_BURST_RATE;
	if (s->n_bursts >= s->cfg.max_bursts)
		return RTX_BURST_BUSY;
	if (pick_rap(s, (uint64_t)rq->backlog_ms * MS, head, &r) < 0)
		return RTX_BURST_NO_RAP;
	b->bps = burst_rate(s);
	if (s->burst_cap_bps && rtx_session_burst_bps(s) + b->bps > s->burst_cap_bps)
		return RTX_BURST_BUSY;
	span = arrival(s, head) - arrival(s, r.start);
	b->next = r.start;
	b->end = head + 1 + overlap_packets(s, r.start, head, span);
	/* Paced from the RAP: what comes before it (back to the PAT) leaves
	 * at once, so that the picture can start as soon as it arrives. */
	b->t0 = s->now;
	b->a0 = arrival(s, r.rap);
	b->until = s->now + s->cfg.burst_max_ns;
	b->ans.start = (uint16_t)r.start;
	b->ans.rap = (uint16_t)r.rap;
	b->ans.splice = (uint16_t)b->end;
	b->ans.head = (uint16_t)head;
	b->ans.start_ts = rtp_ts(s, r.start);
	b->ans.rap_ts = rtp_ts(s, r.rap);
	b->ans.head_ts = rtp_ts(s, head);
	return RTX_BURST_OK;
}

int rtx_burst_edge_request(rtx_session *s, uint32_t who, const struct rtx_burst_req *rq, uint64_t ts,
			   const uint8_t *key, struct rtx_peer_state *ps, uint64_t from)
{
	struct rtx_eburst b = { 0 };
	int status;

	/* A repeated request of a burst in progress (its answer was lost, or
	 * the box restarted): the same burst, answering this request. */
	for (size_t i = 0; i < s->n_bursts; i++)
		if (s->bursts[i].who == who) {
			s->bursts[i].peer = from;
			s->bursts[i].ans.echo_ts = ts;
			send_answer(s, from, who, key, &s->bursts[i].ans);
			return 0;
		}
	b.ans.speed_pct = (uint16_t)s->cfg.burst_speed_pct;
	b.ans.ssrc = s->seq.ssrc;
	b.ans.echo_ts = ts;
	status = decide(s, rq, ps, &b);
	if (status != RTX_BURST_OK) {
		struct rtx_burst_ans no = { .status = (uint8_t)status, .speed_pct = b.ans.speed_pct,
					    .ssrc = b.ans.ssrc, .echo_ts = ts };

		s->st.burst_refused++;
		send_answer(s, from, who, key, &no);
		sc_logf(&s->log, LOG_DEBUG, "rtx: burst for %u refused: %d", (unsigned)who, status);
		return -EBUSY;
	}
	b.peer = from;
	b.who = who;
	ps->burst_ns = s->now;
	s->bursts[s->n_bursts++] = b;
	s->st.bursts_served++;
	send_answer(s, from, who, key, &b.ans);
	sc_logf(&s->log, LOG_DEBUG, "rtx: burst for %u: %u..%u (RAP %u), splice %u", (unsigned)b.who,
		(unsigned)b.ans.start, (unsigned)b.ans.head, (unsigned)b.ans.rap, (unsigned)b.ans.splice);
	rtx_burst_edge_run(s);
	return 0;
}

static uint64_t packet_due(rtx_session *s, const struct rtx_eburst *b, const struct rtx_slot *sl)
{
	return b->t0 + burst_time(s, b->a0, sl->arrival_ns);
}

/* Send what is due of one burst. Returns true when it is over. */
static bool run_one(rtx_session *s, struct rtx_eburst *b)
{
	uint64_t hi = rtx_rawbuf_highest(s->rb);
	const struct rtx_slot *sl;
	const uint8_t *pkt;
	size_t len;

	while (b->next < b->end && b->next <= hi) {
		sl = rtx_rawbuf_meta(s->rb, b->next);
		if (!sl || !(pkt = rtx_rawbuf_data(s->rb, b->next, &len))) {
			b->next++; /* gone: the requester asks for it as a gap */
			continue;
		}
		if (packet_due(s, b, sl) > s->now + BURST_SLACK_NS)
			break;
		s->reply = (struct rtx_reply){ b->peer, b->who, s->grp.ret_key, s->grp.ret_domain, true,
					       b->ans.echo_ts };
		rtx_out_repair(s, b->next, pkt, len);
		s->st.burst_packets++;
		s->st.burst_bytes += len;
		if (++b->since_ans >= ANSWER_EVERY) {
			send_answer(s, b->peer, b->who, s->grp.ret_key, &b->ans);
			b->since_ans = 0;
		}
		b->next++;
	}
	return b->next >= b->end || s->now >= b->until;
}

void rtx_burst_edge_run(rtx_session *s)
{
	if (!s->grp.have_ret)
		return;
	for (size_t i = 0; i < s->n_bursts;)
		if (run_one(s, &s->bursts[i]))
			s->bursts[i] = s->bursts[--s->n_bursts];
		else
			i++;
}

uint64_t rtx_burst_edge_next(rtx_session *s)
{
	uint64_t d = RTX_NO_DEADLINE, hi = rtx_rawbuf_highest(s->rb), t;

	for (size_t i = 0; i < s->n_bursts; i++) {
		const struct rtx_eburst *b = &s->bursts[i];
		const struct rtx_slot *sl;

		t = b->until;
		if (b->next <= hi)
			t = (sl = rtx_rawbuf_meta(s->rb, b->next)) ? packet_due(s, b, sl) : 0;
		if (t < d)
			d = t;
	}
	return d;
}

void rtx_session_set_burst_cap(rtx_session *s, uint64_t bps)
{
	s->burst_cap_bps = bps;
}

uint64_t rtx_session_burst_bps(const rtx_session *s)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < s->n_bursts; i++)
		sum += s->bursts[i].bps;
	return sum;
}

/* -------------------------------------------------------------- client */

static void send_request(rtx_session *s)
{
	struct rtx_cburst *f = &s->fcc;
	struct rtx_burst_req r = { (uint32_t)(s->cfg.playout_delay_ns / MS) };
	uint64_t wait = 2 * rtx_rtt_srtt(&s->grp.ret_rtt, s->cfg.rtt_initial_ns);
	uint64_t cap = s->cfg.burst_interval_ns ? s->cfg.burst_interval_ns : 200 * MS;

	rtx_out_burst_req(s, &s->grp.ret_srv[s->ret_rr++ % s->grp.n_ret], &r);
	f->req_last_ts = s->ts_last;
	if (!f->req_first_ts)
		f->req_first_ts = s->ts_last;
	f->tries++;
	s->st.bursts_requested++;
	f->retry_at = s->now + (wait < 10 * MS ? 10 * MS : wait > cap ? cap : wait);
}

int rtx_session_request_burst(rtx_session *s)
{
	if (!s->client)
		return -EOPNOTSUPP;
	if (!s->grp.have_ret || s->grp.n_ret == 0)
		return -ENOTCONN;
	s->now = s->cb.now_ns(s->cb.ctx);
	memset(&s->fcc, 0, sizeof(s->fcc));
	s->fcc.zap.state = RTX_BURST_ASKED;
	s->fcc.zap.requested_ns = s->now;
	send_request(s);
	rtx_session_update_deadline(s);
	return 0;
}

/* No burst after all: play the multicast from its first packet held. */
static void give_up(rtx_session *s, enum rtx_burst_state st)
{
	s->fcc.zap.state = st;
	if (!s->po.started && s->fcc.first_mc_ext)
		rtx_playout_start(&s->po, s->fcc.first_mc_ext);
}

/* Packets stored before the playback was shifted move with it. */
static void shift_held(rtx_session *s, uint64_t from, uint64_t by)
{
	uint64_t hi = rtx_rawbuf_highest(s->rb);
	struct rtx_slot *sl;

	for (uint64_t e = from; from && by && e <= hi; e++)
		if ((sl = rtx_rawbuf_meta(s->rb, e)))
			sl->due_ns += by;
}

static uint64_t ts_span_ns(const rtx_session *s, uint32_t from, uint32_t to)
{
	int32_t d = (int32_t)(to - from);

	return d > 0 && s->cfg.clock_rate ? (uint64_t)d * S / s->cfg.clock_rate : 0;
}

/* How much stream from the burst's start is released as soon as it
 * arrives. The playback then runs at the stream's pace, backlog - late
 * behind live, where backlog is the stream from the burst's start to the
 * live head. The burst reaches the head (backlog - r) / speed after the
 * answer, r being the part up to the RAP that the edge sends at once; the
 * last packets it brings must keep the whole playback delay as repair
 * margin, like any multicast packet: so late = backlog - that - delay, and
 * at least r, so that the picture starts at once. */
static uint64_t late_part(const rtx_session *s, const struct rtx_burst_ans *a)
{
	uint64_t d = ts_span_ns(s, a->start_ts, a->head_ts), r = ts_span_ns(s, a->start_ts, a->rap_ts);
	uint64_t v = a->speed_pct >= 100 ? a->speed_pct : 100, reach;

	if (r > d)
		r = d;
	reach = (d - r) * 100 / v + s->cfg.playout_delay_ns;
	return d > reach && d - reach > r ? d - reach : r;
}

/* Where the answer puts the burst; false when it cannot be used. */
static bool place(rtx_session *s, const struct rtx_burst_ans *a)
{
	struct rtx_cburst *f = &s->fcc;
	uint64_t head, due0, late;

	if (s->po.started || (s->seq.started && s->seq.ssrc != a->ssrc))
		return false;
	if (!s->seq.started) {
		rtx_seq_update(&s->seq, a->head, a->ssrc, &head);
		s->had_stream = true;
	}
	f->start = rtx_seq_nearest(&s->seq, a->start);
	f->end = rtx_seq_nearest(&s->seq, a->splice);
	head = rtx_seq_nearest(&s->seq, a->head);
	if (!f->start || f->start > head || head >= f->end || f->end - f->start >= rtx_rawbuf_capacity(s->rb) / 2)
		return false;
	rtx_playout_anchor(&s->po, a->head_ts, s->now);
	due0 = rtx_playout_due(&s->po, a->start_ts, s->now, false);
	late = late_part(s, a);
	if (due0 + late < s->now) {
		s->po.extra_ns = s->now - late - due0;
		shift_held(s, f->first_mc_ext, s->po.extra_ns);
	}
	rtx_playout_start(&s->po, f->start);
	f->ssrc = a->ssrc;
	f->hi = f->start - 1;
	f->last_pkt_ns = s->now;
	f->zap.start_seq = a->start;
	f->zap.rap_seq = a->rap;
	f->zap.splice_seq = a->splice;
	return true;
}

int rtx_burst_client_answer(rtx_session *s, const struct rtx_hdr *h)
{
	struct rtx_cburst *f = &s->fcc;
	struct rtx_burst_ans a;

	if (rtx_burst_ans_parse(h->body, h->body_len, &a) < 0) {
		s->st.malformed++;
		return -EBADMSG;
	}
	if (f->zap.state != RTX_BURST_ASKED || a.echo_ts < f->req_first_ts || a.echo_ts > f->req_last_ts)
		return -EALREADY; /* a repeated answer, or not ours */
	/* (No round-trip sample: the answer may be a copy sent along the
	 * burst, long after the request.) */
	f->zap.answered_ns = s->now;
	if (a.status != RTX_BURST_OK) {
		s->st.burst_refused++;
		give_up(s, RTX_BURST_REFUSED);
		sc_logf(&s->log, LOG_INFO, "rtx: the RET server refused a burst (%u)", (unsigned)a.status);
		return 0;
	}
	if (!place(s, &a)) {
		give_up(s, RTX_BURST_REFUSED);
		sc_logf(&s->log, LOG_NOTICE, "rtx: burst answer unusable (stream or range); playing the multicast");
		return 0;
	}
	f->zap.state = RTX_BURST_ACTIVE;
	s->st.bursts_answered++;
	return 0;
}

/* Holes from..to-1 among the burst's packets: asked of the RET server.
 * The part of a burst released at once is due already; a hole in it holds
 * the playback until the multicast's first packet is due, so that is its
 * deadline. */
static void holes(rtx_session *s, uint64_t from, uint64_t to, uint64_t deadline)
{
	const struct rtx_slot *sl = s->fcc.first_mc_ext ? rtx_rawbuf_meta(s->rb, s->fcc.first_mc_ext) : NULL;
	uint64_t dropped, n = 0, mc = sl ? sl->due_ns : s->now + s->cfg.playout_delay_ns;

	if (deadline < mc)
		deadline = mc;

	for (uint64_t e = from; e < to && n < s->rq.gaps.cap; e++)
		if (!rtx_rawbuf_has(s->rb, e) && rtx_req_add(&s->rq, e, to, s->now, deadline, &dropped) >= 0) {
			s->st.gaps++;
			n++;
		}
}

int rtx_burst_client_packet(rtx_session *s, const struct sc_rtp *rtp, const uint8_t *pkt, size_t len)
{
	struct rtx_cburst *f = &s->fcc;
	uint64_t ext, due;

	if (f->zap.state != RTX_BURST_ACTIVE || rtp->ssrc != f->ssrc)
		return 0;
	ext = rtx_seq_nearest(&s->seq, rtp->seq);
	if (!ext || ext < f->start || ext >= f->end)
		return 0;
	f->last_pkt_ns = s->now;
	if (!f->zap.first_burst_ns)
		f->zap.first_burst_ns = s->now;
	due = rtx_playout_due(&s->po, rtp->timestamp, s->now, false);
	if (rtx_rawbuf_has(s->rb, ext)) {
		s->st.burst_duplicates++;
	} else if (!rtx_playout_pending(&s->po, ext)) {
		s->st.late++;
	} else if (rtx_rawbuf_put(s->rb, ext, pkt, len, s->now, due, RTX_SLOT_REPAIR) == 0) {
		rtx_playout_stored(&s->po, ext, true);
		rtx_req_resolve(&s->rq, ext, NULL);
		s->st.burst_packets++;
	}
	if (ext > f->hi + 1)
		holes(s, f->hi + 1, ext, due);
	if (ext > f->hi)
		f->hi = ext;
	if (f->hi + 1 >= f->end) {
		f->zap.state = RTX_BURST_DONE;
		f->zap.spliced_ns = s->now;
	}
	return 1;
}

void rtx_burst_client_mcast(rtx_session *s, uint64_t ext)
{
	struct rtx_cburst *f = &s->fcc;

	if (!f->zap.first_mcast_ns)
		f->zap.first_mcast_ns = s->now;
	if (!f->first_mc_ext)
		f->first_mc_ext = ext;
	if (!s->po.started && f->zap.state != RTX_BURST_ASKED)
		rtx_playout_start(&s->po, f->first_mc_ext);
}

bool rtx_burst_client_may_start(rtx_session *s, uint64_t ext)
{
	(void)ext;
	return s->fcc.zap.state != RTX_BURST_ASKED;
}

uint64_t rtx_burst_client_floor(const rtx_session *s)
{
	return s->fcc.zap.state == RTX_BURST_ACTIVE ? s->fcc.end - 1 : 0;
}

void rtx_burst_client_run(rtx_session *s)
{
	struct rtx_cburst *f = &s->fcc;
	uint64_t top;

	if (f->zap.state == RTX_BURST_ASKED && s->now >= f->retry_at) {
		if (f->tries < TRIES) {
			send_request(s);
		} else {
			give_up(s, RTX_BURST_REFUSED);
			sc_logf(&s->log, LOG_NOTICE, "rtx: no answer to the burst request; playing the multicast");
		}
	} else if (f->zap.state == RTX_BURST_ACTIVE && s->now >= f->last_pkt_ns + STALL_NS) {
		/* The rest of the burst is not coming: ask for what multicast
		 * has not brought either. */
		top = rtx_rawbuf_highest(s->rb) + 1;
		holes(s, f->hi + 1, f->end < top ? f->end : top, s->now + s->cfg.playout_delay_ns);
		f->zap.state = RTX_BURST_DONE;
		sc_logf(&s->log, LOG_NOTICE, "rtx: the burst stopped short of the splice point");
	}
}

uint64_t rtx_burst_client_next(const rtx_session *s)
{
	const struct rtx_cburst *f = &s->fcc;

	if (f->zap.state == RTX_BURST_ASKED)
		return f->retry_at;
	if (f->zap.state == RTX_BURST_ACTIVE)
		return f->last_pkt_ns + STALL_NS;
	return RTX_NO_DEADLINE;
}

void rtx_burst_reset(rtx_session *s)
{
	s->n_bursts = 0;
	s->n_raps = 0;
	s->rap_pos = 0;
	s->last_pat = 0;
	s->fcc.first_mc_ext = 0;
	if (s->fcc.zap.state == RTX_BURST_ASKED || s->fcc.zap.state == RTX_BURST_ACTIVE)
		s->fcc.zap.state = RTX_BURST_REFUSED;
}

void rtx_session_zap(const rtx_session *s, struct rtx_zap *out)
{
	*out = s->fcc.zap;
}
