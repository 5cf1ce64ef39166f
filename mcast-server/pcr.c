/* pcr: PCR interpolation onto a continuous 27 MHz timeline. See pcr.h.
 *
 * Packets are numbered by absolute position k (0, 1, ... since creation).
 * [popped, timed) have times, [timed, pushed) wait. next_t is the time the
 * packet at position `timed` will get if the rate stays what it was. An
 * anchor is the last PCR seen: its position, raw value and, once known,
 * its time. */
#include "config.h"

#include "pcr.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ts.h"

/* The ring grows up to this many times its first size for PCR gaps
 * longer than it holds (see grow()). */
#define PCR_GROWTH 16

struct slot {
	uint8_t ts[TS_SIZE];
	uint64_t t;
};

struct pcr_timeline {
	struct slot *ring;
	size_t cap, max_cap;
	uint64_t pushed, timed, popped;
	uint64_t next_t;
	/* Rate of the last good PCR interval: delta ticks over steps packets. */
	uint64_t rate_delta, rate_steps;
	int pcr_pid; /* -1 until the first PCR locks it */
	bool anchored, anchor_timed;
	bool free_running; /* no PCR for a whole ring: time packets on arrival */
	uint64_t anchor_k, anchor_raw, anchor_t;
	uint64_t max_gap;
	uint64_t fallback_ticks; /* ticks per packet at the fallback rate, 0 = none */
	struct pcr_stats st;
};

pcr_timeline *pcr_new(size_t max_pending, unsigned max_gap_ms, uint64_t fallback_bps)
{
	pcr_timeline *tl = calloc(1, sizeof(*tl));

	if (!tl)
		return NULL;
	tl->cap = max_pending ? max_pending : 1;
	tl->max_cap = tl->cap * PCR_GROWTH;
	tl->ring = calloc(tl->cap, sizeof(*tl->ring));
	if (!tl->ring) {
		free(tl);
		return NULL;
	}
	tl->pcr_pid = -1;
	tl->max_gap = (uint64_t)max_gap_ms * (TS_PCR_HZ / 1000);
	if (fallback_bps)
		tl->fallback_ticks = TS_SIZE * 8 * TS_PCR_HZ / fallback_bps;
	return tl;
}

void pcr_free(pcr_timeline *tl)
{
	if (!tl)
		return;
	free(tl->ring);
	free(tl);
}

static struct slot *at(pcr_timeline *tl, uint64_t k)
{
	return &tl->ring[k % tl->cap];
}

/* Double the ring, keeping every pending packet at its index. Encoders
 * such as GStreamer's mpegtsmux write a PCR only at a PES start, so a big
 * I-frame of a high-rate stream can put more packets between two PCRs than
 * the spec's 100 ms would: wait for the next PCR rather than lose them.
 * Only for a stream that has shown a PCR: a PCR-less one is declared so at
 * the first size.
 * Returns 0, or -ENOBUFS at the bound or without memory. */
static int grow(pcr_timeline *tl)
{
	size_t ncap = tl->cap * 2;
	struct slot *n;

	if (ncap > tl->max_cap || !(n = calloc(ncap, sizeof(*n))))
		return -ENOBUFS;
	for (uint64_t k = tl->popped; k < tl->pushed; k++)
		n[k % ncap] = *at(tl, k);
	free(tl->ring);
	tl->ring = n;
	tl->cap = ncap;
	return 0;
}

/* Time of position k >= timed at the current rate (or the fallback). */
static uint64_t extrapolate(const pcr_timeline *tl, uint64_t k)
{
	uint64_t n = k - tl->timed;

	if (tl->rate_steps)
		return tl->next_t + n * tl->rate_delta / tl->rate_steps;
	return tl->next_t + n * tl->fallback_ticks;
}

static bool rate_known(const pcr_timeline *tl)
{
	return tl->rate_steps || tl->fallback_ticks;
}

/* Give times to [timed, k] going linearly from t_first (at timed) to t_k. */
static void time_range(pcr_timeline *tl, uint64_t k, uint64_t t_first, uint64_t t_k)
{
	uint64_t n = k - tl->timed;

	/* After an extrapolation overshot, hold rather than go backwards. */
	if (t_k < t_first)
		t_k = t_first;
	for (uint64_t i = tl->timed; i <= k; i++)
		at(tl, i)->t = n ? t_first + (i - tl->timed) * (t_k - t_first) / n : t_first;
	tl->st.packets += n + 1;
	tl->timed = k + 1;
	tl->next_t = t_k + (tl->rate_steps ? tl->rate_delta / tl->rate_steps : tl->fallback_ticks);
}

/* Time everything waiting at the current rate. */
void pcr_flush(pcr_timeline *tl)
{
	uint64_t last = tl->pushed;

	if (tl->timed == last || !rate_known(tl))
		return;
	time_range(tl, last - 1, tl->next_t, extrapolate(tl, last - 1));
	tl->anchor_timed = tl->anchored;
	tl->anchor_t = at(tl, tl->anchor_k)->t;
}

void pcr_restart(pcr_timeline *tl)
{
	pcr_flush(tl);
	tl->anchored = false;
	tl->pcr_pid = -1;
}

/* A usable PCR at position k: time what waits up to it. */
static void on_pcr(pcr_timeline *tl, uint64_t k, uint64_t raw, bool disc)
{
	uint64_t delta, steps;

	tl->st.pcrs++;
	if (!tl->anchored)
		goto reanchor;
	delta = (raw + TS_PCR_WRAP - tl->anchor_raw) % TS_PCR_WRAP;
	steps = k - tl->anchor_k;
	if (disc || delta == 0 || delta > tl->max_gap) {
		tl->st.discontinuities++;
		goto reanchor;
	}
	tl->rate_delta = delta;
	tl->rate_steps = steps;
	tl->st.bitrate_bps = steps * TS_SIZE * 8 * TS_PCR_HZ / delta;
	if (!tl->anchor_timed) /* the first interval: time from the start */
		time_range(tl, tl->anchor_k, tl->next_t, extrapolate(tl, tl->anchor_k));
	time_range(tl, k, tl->next_t, at(tl, tl->anchor_k)->t + delta);
	tl->anchor_t = at(tl, k)->t;
	tl->anchor_timed = true;
	goto done;
reanchor:
	/* A new stretch of timeline: continue at the old rate when there is
	 * one, otherwise wait for the next PCR to learn it. */
	tl->anchor_timed = rate_known(tl);
	if (tl->anchor_timed) {
		time_range(tl, k, tl->next_t, extrapolate(tl, k));
		tl->anchor_t = at(tl, k)->t;
	}
done:
	tl->anchored = true;
	tl->anchor_k = k;
	tl->anchor_raw = raw;
}

int pcr_push(pcr_timeline *tl, const uint8_t *ts)
{
	uint64_t k = tl->pushed, raw;
	bool has_pcr = ts_pcr(ts, &raw);

	if (tl->pushed - tl->popped == tl->cap && (tl->popped != tl->timed || tl->pcr_pid < 0 || grow(tl) < 0)) {
		/* A ring full of packets no PCR has timed: the stream lacks
		 * PCRs. Run at the last or the fallback rate from now on. */
		if (tl->popped == tl->timed && rate_known(tl)) {
			pcr_flush(tl);
			tl->free_running = true;
		}
		/* Full either way: the caller has to pop first. */
		tl->st.dropped++;
		return -ENOBUFS;
	}
	memcpy(at(tl, k)->ts, ts, TS_SIZE);
	tl->pushed++;
	if (has_pcr && tl->pcr_pid < 0)
		tl->pcr_pid = ts_pid(ts);
	if (has_pcr && ts_pid(ts) == tl->pcr_pid) {
		tl->free_running = false;
		on_pcr(tl, k, raw, ts_discontinuity(ts));
	} else if (tl->free_running) {
		pcr_flush(tl);
	}
	return 0;
}

int pcr_pop(pcr_timeline *tl, uint8_t *ts, uint64_t *t27)
{
	if (tl->popped == tl->timed)
		return 0;
	memcpy(ts, at(tl, tl->popped)->ts, TS_SIZE);
	*t27 = at(tl, tl->popped)->t;
	tl->popped++;
	return 1;
}

size_t pcr_pending(const pcr_timeline *tl)
{
	return (size_t)(tl->pushed - tl->popped);
}

const struct pcr_stats *pcr_stats(const pcr_timeline *tl)
{
	return &tl->st;
}
