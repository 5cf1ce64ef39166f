/* rtx_starve: when a client's multicast goes silent (its link or its
 * metro lost the channel) the session keeps the picture going from its
 * group and the edge's RET: it predicts the sequence numbers the stream
 * goes on with, from the smoothed packet interval, and tracks them as gaps.
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

/* The pace of the predictions: the stream's mean packet period. Not the
 * smoothed gap between arrivals: packets come in batches, so that one is a
 * fraction of the period, and a pull paced by it predicted thousands of
 * numbers ahead of the stream in a silence of 60 ms. */
static uint64_t pace_ns(const rtx_session *s)
{
	return s->mc_period_ns ? s->mc_period_ns : s->mc_gap_ns;
}

static uint64_t silence_ns(const rtx_session *s)
{
	uint64_t t = STARVE_GAPS * pace_ns(s);

	return t < STARVE_MIN_NS ? STARVE_MIN_NS : t;
}

/* A predicted packet's playback time: the last multicast packet's, one
 * period per number after it (not now + the delay: the numbers a pull
 * predicts at once after the silence that starts it were due earlier). */
static uint64_t guess_due(const rtx_session *s, uint64_t e)
{
	if (!s->last_mc_due || e <= s->last_mc_ext)
		return s->now + s->cfg.playout_delay_ns;
	return s->last_mc_due + (e - s->last_mc_ext) * pace_ns(s);
}

static void predict(rtx_session *s, uint64_t n)
{
	uint64_t dropped, e;

	for (e = s->pull_ext + 1; e <= s->pull_ext + n; e++)
		if (rtx_req_add(&s->rq, e, s->pull_ext + n + 1, s->now, guess_due(s, e), &dropped) >= 0)
			s->st.gaps++;
	s->pull_ext += n;
	s->st.pulled += n;
	s->pull_ns += n * pace_ns(s);
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
	uint64_t n, high, quiet;

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
	high = rtx_rawbuf_highest(s->rb);
	if (!s->pull_ns) {
		s->pull_ns = s->last_mc_ns + pace_ns(s);
		s->pull_ext = high;
		s->pull_start = s->st.pulled;
		s->st.starved++;
		sc_logf(&s->log, LOG_NOTICE, "rtx: no multicast for %llu ms: asking the group and RET for the stream",
			(unsigned long long)((s->now - s->last_mc_ns) / MS));
	}
	if (s->pull_ext < high)
		s->pull_ext = high;
	if (s->now >= s->pull_ns) {
		n = (s->now - s->pull_ns) / pace_ns(s) + 1;
		predict(s, n > PULL_STEP_MAX ? PULL_STEP_MAX : n);
	}
	return s->pull_ns;
}
