/* rtx_starve: when a client's multicast goes silent (its link or its
 * metro lost the channel) the session keeps the picture going from its
 * group and the edge's RET: it predicts the sequence numbers the stream
 * goes on with, at the stream's mean pace from the highest packet held,
 * a little ahead of it, and tracks them as gaps.
 * The requester then asks the group (members that still have multicast
 * answer; members that lack it too say so) and RET, like for any loss,
 * and the repairs fill the playback buffer in order. A prediction ahead of
 * the server is answered MISSING (or not at all) and asked again later; the
 * pull stops at the first multicast packet. */
#include "config.h"

#include <stdbool.h>

#include "rtx_session_int.h"

#define MS 1000000ULL
/* Silence that starts a pull: this many packet intervals, at least
 * STARVE_MIN_NS: longer than any pause of a healthy stream (the edge paces
 * a frame's packets together, 40 ms apart at most for 25 frames/s). */
#define STARVE_GAPS 16
#define STARVE_MIN_NS (60 * MS)
/* Packets predicted per run at most (the rest at the next one). */
#define PULL_STEP_MAX 64
#define PULL_CHUNK 8
/* "Not yet" numbers are asked again on this grid (see rtx_starve_not_yet). */
#define PULL_GRID_NS (10 * MS)
/* A guessed deadline's slack at most (see guess_due). */
#define PULL_DUE_SLACK_NS (50 * MS)
/* How far the predictions run ahead of the stream's expected position:
 * this many packets, at least PULL_LEAD_MIN_NS and at most
 * PULL_LEAD_MAX_NS of stream (16 packets of a slow stream are longer than
 * the playback delay). A frame's packets leave the edge together (an
 * I-frame is tens of them), so paced predictions alone would ask for an
 * I-frame's tail hundreds of ms after it was sent; ahead of the stream, a
 * prediction costs a MISSING. */
#define PULL_LEAD_GAPS 16
#define PULL_LEAD_MIN_NS (50 * MS)
#define PULL_LEAD_MAX_NS (100 * MS)

/* The pace of the predictions: the stream's mean packet period. Not the
 * smoothed gap between arrivals: packets come in batches, so that one is a
 * fraction of the period, and a pull paced by it predicted thousands of
 * numbers ahead of the stream in a silence of 60 ms. */
static uint64_t pace_ns(const rtx_session *s)
{
	return s->mc_period_ns ? s->mc_period_ns : s->mc_gap_ns;
}

/* ... but at most half the playback delay (and STARVE_MIN_NS): at 40
 * packets/s, 16 intervals are 400 ms, and what was due in the silence was
 * lost before the pull began. */
static uint64_t silence_ns(const rtx_session *s)
{
	uint64_t t = STARVE_GAPS * pace_ns(s), max = s->cfg.playout_delay_ns / 2;

	if (max < STARVE_MIN_NS)
		max = STARVE_MIN_NS;
	if (t > max)
		t = max;
	return t < STARVE_MIN_NS ? STARVE_MIN_NS : t;
}

static uint64_t lead_ns(const rtx_session *s)
{
	uint64_t t = PULL_LEAD_GAPS * pace_ns(s);

	if (t > PULL_LEAD_MAX_NS)
		t = PULL_LEAD_MAX_NS;
	return t < PULL_LEAD_MIN_NS ? PULL_LEAD_MIN_NS : t;
}

/* The predictions are extrapolated from an anchor: the highest packet
 * held and its playback time, first the last multicast packet, then each
 * repair above it. A period estimated over a second of a variable-rate
 * stream is a few per cent off; extrapolated from the last multicast
 * packet alone, the guesses drifted by that much of the whole pull, ran
 * ahead of the stream, and gaps were given up on guessed deadlines before
 * their packets existed. */
static void anchor(rtx_session *s)
{
	uint64_t high = rtx_rawbuf_highest(s->rb);
	const struct rtx_slot *sl;

	if (s->pull_ext < high)
		s->pull_ext = high;
	if (high <= s->pull_anc_ext)
		return;
	sl = rtx_rawbuf_meta(s->rb, high);
	if (!sl || !sl->due_ns)
		return;
	s->pull_anc_ext = high;
	s->pull_anc_due = sl->due_ns;
}

/* A predicted packet's playback time: the anchor's, one period per number
 * after it, plus a slack of a frame or so: a frame's packets share one
 * playback time, so the extrapolation may be early by about that, and a
 * gap given up on an early guess is a loss. Not more: RET is asked
 * ret_lead_ns before the guess, and after a guess too late it was asked
 * after the playback buffer had skipped the hole (a silence's slack, 400 ms
 * at 40 packets/s, lost 7 packets a pull that peers could not serve). */
static uint64_t guess_due(const rtx_session *s, uint64_t e)
{
	uint64_t slack = silence_ns(s);

	if (!s->pull_anc_due || e <= s->pull_anc_ext)
		return s->now + s->cfg.playout_delay_ns;
	if (slack > PULL_DUE_SLACK_NS)
		slack = PULL_DUE_SLACK_NS;
	return s->pull_anc_due + (e - s->pull_anc_ext) * pace_ns(s) + slack;
}

/* When packet e is asked for: when the stream is expected to have sent it
 * (its guessed playback time less the delay), a lead earlier. */
static uint64_t ask_at(const rtx_session *s, uint64_t e)
{
	uint64_t t, back = s->po.delay_ns + s->po.extra_ns + lead_ns(s);

	if (!s->pull_anc_due || e <= s->pull_anc_ext)
		return s->now;
	t = s->pull_anc_due + (e - s->pull_anc_ext) * pace_ns(s);
	return t > back ? t - back : 0;
}

/* Predictions are made PULL_CHUNK at a time: gaps made together share
 * their timers, so that each round asks for them in one request per member
 * (and they are answered in one MISSING while ahead of the stream). */
static void predict(rtx_session *s)
{
	uint64_t dropped, e = s->pull_ext + 1, end, n = 0;

	while (n < PULL_STEP_MAX && ask_at(s, e) <= s->now)
		for (end = e + PULL_CHUNK; e < end; e++, n++)
			if (rtx_req_add(&s->rq, e, end, s->now, guess_due(s, e), &dropped) >= 0)
				s->st.gaps++;
	s->pull_ext += n;
	s->st.pulled += n;
	s->pull_ns = ask_at(s, s->pull_ext + 1);
	if (s->pull_ns <= s->now)
		s->pull_ns = s->now + 1; /* the rest at the next run */
}

static bool can_pull(const rtx_session *s)
{
	return s->client && s->grp.have_ret && s->seq.started && s->last_mc_ns && s->mc_gap_ns;
}

uint64_t rtx_starve_next(const rtx_session *s)
{
	if (!can_pull(s))
		return UINT64_MAX;
	return s->pull_ns ? s->pull_ns : s->last_mc_ns + silence_ns(s);
}

uint64_t rtx_starve_run(rtx_session *s)
{
	uint64_t quiet;

	if (!can_pull(s)) {
		s->pull_ns = 0;
		return UINT64_MAX;
	}
	quiet = silence_ns(s);
	if (s->now < s->last_mc_ns + quiet) {
		if (s->pull_ns)
			sc_logf(&s->log, LOG_INFO, "rtx: multicast is back; %llu numbers predicted (period %.3f ms)",
				(unsigned long long)(s->st.pulled - s->pull_start), (double)pace_ns(s) / 1e6);
		s->pull_ns = 0;
		return s->last_mc_ns + quiet;
	}
	if (!s->pull_ns) {
		s->pull_ext = s->pull_anc_ext = s->last_mc_ext;
		s->pull_anc_due = s->last_mc_due;
		s->pull_start = s->st.pulled;
		s->st.starved++;
		sc_logf(&s->log, LOG_NOTICE, "rtx: no multicast for %llu ms: asking the group and RET for the stream",
			(unsigned long long)((s->now - s->last_mc_ns) / MS));
	}
	anchor(s);
	predict(s);
	return s->pull_ns;
}

uint64_t rtx_starve_not_yet(const rtx_session *s, uint64_t ext, int member)
{
	uint64_t high = rtx_rawbuf_highest(s->rb), wait, mh;

	if (!s->pull_ns || member < 0 || (size_t)member >= s->grp.n)
		return 0;
	/* Below a number the member has sent us, it lacks ext for real (and
	 * repairs its own copy meanwhile): the next member, or RET. Repairs
	 * come out of order (the members ranked first differ by number), so
	 * our own highest says nothing of what one member has reached. */
	mh = s->grp.m[member].high;
	if (ext <= mh)
		return 0;
	if (mh > high)
		high = mh;
	/* Half the time the stream takes from there to ext at its mean pace
	 * (what we hold lags the stream by a round trip), at most half the
	 * lead (an I-frame brings many numbers at once: at 40 packets/s the
	 * mean pace put them a quarter second later than they came), at least
	 * the least timeout, on a grid, so that the numbers one MISSING named
	 * are asked again together, in one request. */
	wait = ext > high ? (ext - high) * pace_ns(s) / 2 : 0;
	if (wait > lead_ns(s) / 2)
		wait = lead_ns(s) / 2;
	if (wait < s->cfg.rto_min_ns)
		wait = s->cfg.rto_min_ns;
	return (s->now + wait + PULL_GRID_NS - 1) / PULL_GRID_NS * PULL_GRID_NS;
}
