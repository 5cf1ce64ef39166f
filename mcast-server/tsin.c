/* tsin: TS framing, PSI and continuity watching. See tsin.h. */
#include "config.h"

#include "tsin.h"

#include <stdlib.h>
#include <string.h>

#include "ts_es.h"

/* Sync is confirmed by this many sync bytes 188 apart. */
#define CONFIRM 3
#define CARRY_MAX (CONFIRM * TS_SIZE)
#define CHUNK (64 * 1024)
#define NO_CC 0xff

struct tsin {
	/* Bytes not yet framed (fewer than CARRY_MAX, from earlier feeds),
	 * then room for the next chunk of input. */
	uint8_t buf[CARRY_MAX + CHUNK];
	size_t ncarry;
	bool synced;
	uint8_t cc[8192]; /* last CC per PID, NO_CC when unseen */
	struct tsin_stats st;
};

tsin *tsin_new(void)
{
	tsin *in = calloc(1, sizeof(*in));

	if (!in)
		return NULL;
	tsin_reset(in);
	return in;
}

void tsin_free(tsin *in)
{
	free(in);
}

void tsin_reset(tsin *in)
{
	in->ncarry = 0;
	in->synced = false;
	memset(in->cc, NO_CC, sizeof(in->cc));
	in->st.video_pid = -1;
	in->st.pmt_pid = -1;
}

bool tsin_synced(const tsin *in)
{
	return in->synced;
}

const struct tsin_stats *tsin_stats(const tsin *in)
{
	return &in->st;
}

/* Continuity: a packet with payload must carry the last CC + 1; one
 * duplicate (same CC) is allowed; a discontinuity indicator resets. */
static void check_cc(tsin *in, const uint8_t *p)
{
	uint16_t pid = ts_pid(p);
	uint8_t cc = ts_cc(p), last = in->cc[pid];

	if (pid == TS_PID_NULL)
		return;
	if (last != NO_CC && !ts_discontinuity(p)) {
		uint8_t want = ts_has_payload(p) ? (uint8_t)((last + 1) & 0x0f) : last;

		if (cc != want && !(ts_has_payload(p) && cc == last))
			in->st.cc_errors++;
	}
	in->cc[pid] = cc;
}

static void watch_psi(tsin *in, const uint8_t *p, bool *pat)
{
	uint16_t pid = ts_pid(p), pmt_pid;
	struct ts_pmt pmt;

	*pat = false;
	if (pid == TS_PID_PAT && ts_pat_first_pmt(p, &pmt_pid) == 0) {
		*pat = true;
		in->st.pmt_pid = pmt_pid;
	} else if ((int)pid == in->st.pmt_pid && ts_pmt_parse(p, &pmt) == 0) {
		in->st.video_pid = -1;
		for (unsigned i = 0; i < pmt.nstreams && in->st.video_pid < 0; i++) {
			if (ts_stream_is_video(pmt.streams[i].type)) {
				in->st.video_pid = pmt.streams[i].pid;
				in->st.video_type = pmt.streams[i].type;
			}
		}
	}
}

bool tsin_rap(const tsin *in, const uint8_t *p)
{
	if (in->st.video_pid < 0)
		return ts_random_access(p);
	return ts_pid(p) == in->st.video_pid && ts_es_is_rap(p, in->st.video_type);
}

static void deliver(tsin *in, const uint8_t *p, tsin_fn fn, void *arg)
{
	enum ts_err e = ts_check(p);
	bool pat, rap;

	if (e != TS_OK) {
		in->st.invalid++;
		in->st.last_error = e;
		return;
	}
	check_cc(in, p);
	watch_psi(in, p, &pat);
	rap = tsin_rap(in, p);
	in->st.raps += rap;
	in->st.rai_refused += !rap && in->st.video_pid >= 0 && ts_pid(p) == in->st.video_pid && ts_random_access(p);
	in->st.packets++;
	fn(arg, p, rap, pat);
}

/* Offset of the first confirmed sync in b[0..n), or n when none can be
 * confirmed yet (then the last CARRY_MAX bytes may still hold one). */
static size_t find_sync(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i + CARRY_MAX <= n; i++) {
		bool ok = true;

		for (int k = 0; k < CONFIRM && ok; k++)
			ok = b[i + (size_t)k * TS_SIZE] == TS_SYNC;
		if (ok)
			return i;
	}
	return n;
}

/* Frame b[0..n); returns how many bytes were used. */
static size_t frame(tsin *in, const uint8_t *b, size_t n, tsin_fn fn, void *arg, size_t *count)
{
	size_t off = 0;

	while (n - off >= TS_SIZE) {
		if (in->synced && b[off] == TS_SYNC) {
			deliver(in, b + off, fn, arg);
			(*count)++;
			off += TS_SIZE;
			continue;
		}
		if (in->synced) {
			in->synced = false;
			in->st.sync_losses++;
		}
		size_t s = find_sync(b + off, n - off);

		if (s == n - off) {
			/* Keep the tail that might still start a sync. */
			size_t keep = n - off < CARRY_MAX ? n - off : CARRY_MAX - 1;

			in->st.skipped += n - off - keep;
			return n - keep;
		}
		in->st.skipped += s;
		off += s;
		in->synced = true;
	}
	return off;
}

size_t tsin_feed(tsin *in, const uint8_t *data, size_t len, tsin_fn fn, void *arg)
{
	size_t count = 0;

	in->st.bytes += len;
	/* Copying once through buf costs far less than the sends that follow,
	 * and keeps framing the same whatever the source's chunking. */
	while (len) {
		size_t take = len < CHUNK ? len : CHUNK, n, used;

		memcpy(in->buf + in->ncarry, data, take);
		data += take;
		len -= take;
		n = in->ncarry + take;
		used = frame(in, in->buf, n, fn, arg, &count);
		memmove(in->buf, in->buf + used, n - used);
		in->ncarry = n - used;
	}
	return count;
}
