/* rtx_playout: the playback buffer over the raw buffer. See rtx_playout.h. */
#include "config.h"

#include "rtx_playout.h"

#define NS_PER_S 1000000000LL

void rtx_playout_init(struct rtx_playout *po, uint64_t delay_ns, uint32_t clock_rate)
{
	po->delay_ns = delay_ns;
	po->clock_rate = clock_rate;
	rtx_playout_reset(po);
}

void rtx_playout_reset(struct rtx_playout *po)
{
	po->started = false;
	po->head = 0;
	po->succ_valid = false;
	po->succ = 0;
	po->ts_started = false;
	po->ts_first = po->ts_high = 0;
	po->ref_started = false;
	po->ref_cur = po->ref_prev = 0;
	po->epoch_end = 0;
	po->extra_ns = 0;
}

/* Extend ts to 64 bits around the highest timestamp seen and return its
 * offset from the first one, in ns (negative for packets before it). */
static int64_t ts_offset_ns(struct rtx_playout *po, uint32_t ts)
{
	uint64_t ext;
	int64_t ticks;

	if (!po->ts_started) {
		po->ts_started = true;
		po->ts_first = po->ts_high = (1ULL << 32) + ts;
	}
	ext = po->ts_high + (int64_t)(int32_t)(ts - (uint32_t)po->ts_high);
	if (ext > po->ts_high)
		po->ts_high = ext;
	ticks = (int64_t)(ext - po->ts_first);
	/* Split so that days of 90 kHz ticks times 1e9 cannot overflow. */
	return ticks / po->clock_rate * NS_PER_S + ticks % po->clock_rate * NS_PER_S / po->clock_rate;
}

static void update_reference(struct rtx_playout *po, int64_t transit, uint64_t now_ns)
{
	int64_t ref;

	if (!po->ref_started || transit - (po->ref_cur < po->ref_prev ? po->ref_cur : po->ref_prev) >
						(int64_t)po->delay_ns) {
		/* First packet, or the timestamps jumped back: anchor here. */
		po->ref_started = true;
		po->ref_cur = po->ref_prev = transit;
		po->epoch_end = now_ns + RTX_PLAYOUT_EPOCH_NS;
		return;
	}
	if (now_ns >= po->epoch_end) {
		po->ref_prev = po->ref_cur;
		po->ref_cur = transit;
		po->epoch_end = now_ns + RTX_PLAYOUT_EPOCH_NS;
	}
	ref = po->ref_cur;
	if (transit < ref)
		po->ref_cur = transit;
}

uint64_t rtx_playout_due(struct rtx_playout *po, uint32_t ts, uint64_t now_ns,
			 bool first_arrival)
{
	int64_t off, ref, due;

	if (po->clock_rate == 0)
		return first_arrival ? now_ns + po->delay_ns + po->extra_ns : 0;
	off = ts_offset_ns(po, ts);
	if (first_arrival)
		update_reference(po, (int64_t)now_ns - off, now_ns);
	if (!po->ref_started)
		return now_ns + po->delay_ns + po->extra_ns;
	ref = po->ref_cur < po->ref_prev ? po->ref_cur : po->ref_prev;
	due = off + ref + (int64_t)po->delay_ns + (int64_t)po->extra_ns;
	return due < 0 ? 0 : (uint64_t)due;
}

void rtx_playout_anchor(struct rtx_playout *po, uint32_t ts, uint64_t now_ns)
{
	int64_t off;

	if (po->clock_rate == 0 || po->ref_started)
		return;
	off = ts_offset_ns(po, ts);
	po->ref_started = true;
	po->ref_cur = po->ref_prev = (int64_t)now_ns - off;
	po->epoch_end = now_ns + RTX_PLAYOUT_EPOCH_NS;
}

void rtx_playout_start(struct rtx_playout *po, uint64_t ext)
{
	po->started = true;
	po->head = ext;
	po->succ_valid = false;
}

bool rtx_playout_pending(const struct rtx_playout *po, uint64_t ext)
{
	return po->started && ext >= po->head;
}

void rtx_playout_stored(struct rtx_playout *po, uint64_t ext, bool repair)
{
	if (!repair && po->succ_valid && ext > po->head && ext < po->succ)
		po->succ = ext;
}

/* First multicast packet held after the head, or 0. Scans at most up to
 * the highest (always a multicast packet), once per head position thanks
 * to the cache. */
static uint64_t successor(struct rtx_playout *po, struct rtx_rawbuf *rb)
{
	uint64_t hi = rtx_rawbuf_highest(rb), e;
	const struct rtx_slot *sl;

	if (po->succ_valid && po->succ > po->head)
		return po->succ;
	for (e = po->head + 1; e <= hi; e++) {
		sl = rtx_rawbuf_meta(rb, e);
		if (sl && !(sl->flags & RTX_SLOT_REPAIR)) {
			po->succ = e;
			po->succ_valid = true;
			return e;
		}
	}
	/* No multicast packet after the head: the stream is pulled through
	 * repairs (multicast gone), and the first repair held paces instead. */
	for (e = po->head + 1; e <= hi; e++)
		if (rtx_rawbuf_meta(rb, e))
			return e;
	return 0;
}

/* Slots that newer packets took are gone: skip them as lost. */
static size_t skip_evicted(struct rtx_playout *po, struct rtx_rawbuf *rb, rtx_playout_fn fn,
			   void *ctx)
{
	uint64_t hi = rtx_rawbuf_highest(rb), cap = rtx_rawbuf_capacity(rb);
	size_t n = 0;

	while (hi >= cap && po->head <= hi - cap) {
		fn(ctx, po->head++, NULL, 0);
		n++;
	}
	return n;
}

size_t rtx_playout_run(struct rtx_playout *po, struct rtx_rawbuf *rb, uint64_t now_ns,
		       rtx_playout_fn fn, void *ctx)
{
	uint64_t hi, s;
	size_t n, len;
	const uint8_t *pkt;
	const struct rtx_slot *sl;

	if (!po->started)
		return 0;
	n = skip_evicted(po, rb, fn, ctx);
	hi = rtx_rawbuf_highest(rb);
	while (po->head <= hi) {
		sl = rtx_rawbuf_meta(rb, po->head);
		if (sl) {
			if (sl->due_ns > now_ns)
				break;
			pkt = rtx_rawbuf_data(rb, po->head, &len);
			fn(ctx, po->head++, pkt, len);
			n++;
			continue;
		}
		s = successor(po, rb);
		if (!s || rtx_rawbuf_meta(rb, s)->due_ns > now_ns)
			break;
		fn(ctx, po->head++, NULL, 0);
		n++;
	}
	return n;
}

uint64_t rtx_playout_next(struct rtx_playout *po, struct rtx_rawbuf *rb)
{
	uint64_t hi = rtx_rawbuf_highest(rb), cap = rtx_rawbuf_capacity(rb), s;
	const struct rtx_slot *sl;

	if (!po->started || po->head > hi)
		return UINT64_MAX;
	if (hi >= cap && po->head <= hi - cap)
		return 0;
	sl = rtx_rawbuf_meta(rb, po->head);
	if (sl)
		return sl->due_ns;
	s = successor(po, rb);
	return s ? rtx_rawbuf_meta(rb, s)->due_ns : UINT64_MAX;
}
