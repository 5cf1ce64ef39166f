/* ts_splice: restamping PCR, PTS/DTS, continuity counters and PSI versions
 * across cuts between streams. See ts_splice.h. */
#include "config.h"

#include "ts_splice.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ts.h"
#include "ts_cc.h"
#include "ts_es.h"

/* Ticks per packet before a rate is known: 188 bytes at 4 Mb/s. */
#define PKT27_DEFAULT (TS_PCR_HZ * TS_SIZE * 8 / 4000000)
/* PCRs further apart than this say nothing about the rate. */
#define PCR_GAP_MAX (TS_PCR_HZ / 2)

/* The rate of a stream from its PCRs: ticks per packet. */
struct clock {
	bool have;
	uint64_t pcr;     /* the last one */
	uint64_t pkts;    /* packets since */
	uint64_t pkt27;   /* ticks per packet, 0 before two PCRs */
	uint64_t at_ns;   /* when it went out (output side only) */
};

/* Per PID, the latest presentation time out, and after a cut the decoding
 * time (DTS, else PTS) of the input's latest PES: the offset must not take
 * a stream back in time. Every picture decoded from the new stream's
 * start on is shown at or after its start's DTS, so that DTS must come
 * after every picture shown of the old stream, reordered B pictures
 * included (the PTS out). */
#define TRACKS 16
struct track {
	uint16_t pid;
	bool have_out, have_in;
	uint64_t out, in; /* 90 kHz */
};

/* A PSI table's version_number out: input version + delta, mod 32. */
struct psi_ver {
	int last_out; /* -1 before any */
	uint8_t delta;
	bool relink;
};

struct ts_splice {
	struct ts_cc cc;       /* continuity counters across cuts */
	bool pending;          /* a cut whose offset is not fixed yet */
	uint64_t off27;        /* added to PCRs; a multiple of 300 */
	struct clock in, out;
	struct psi_ver pat, pmt;
	int pmt_pid;
	struct track tr[TRACKS];
	unsigned ntr;
	struct ts_splice_stats st;
};

ts_splice *ts_splice_new(void)
{
	ts_splice *sp = calloc(1, sizeof(*sp));

	if (!sp)
		return NULL;
	ts_cc_init(&sp->cc);
	sp->pat.last_out = sp->pmt.last_out = -1;
	sp->pmt_pid = -1;
	return sp;
}

void ts_splice_free(ts_splice *sp)
{
	free(sp);
}

const struct ts_splice_stats *ts_splice_stats(const ts_splice *sp)
{
	return &sp->st;
}

void ts_splice_cut(ts_splice *sp)
{
	ts_cc_seam(&sp->cc);
	sp->pat.relink = sp->pmt.relink = true;
	sp->pmt_pid = -1;
	/* Nothing out yet: the first stream keeps its own times. */
	sp->pending = sp->out.have;
	sp->in = (struct clock){ 0 };
	for (unsigned i = 0; i < sp->ntr; i++)
		sp->tr[i].have_in = false;
	sp->st.cuts++;
}

static void tick(struct clock *c, const uint8_t *p, uint64_t pcr_now, bool has_pcr)
{
	if (!has_pcr) {
		c->pkts++;
		return;
	}
	if (c->have && c->pkts > 0) {
		uint64_t d = (pcr_now + TS_PCR_WRAP - c->pcr) % TS_PCR_WRAP;

		if (d > 0 && d < PCR_GAP_MAX && !ts_discontinuity(p))
			c->pkt27 = d / (c->pkts + 1);
	}
	c->have = true;
	c->pcr = pcr_now;
	c->pkts = 0;
}

/* PIDs under 0x20 carry PSI and SI, never PES. */
static bool may_be_pes(const ts_splice *sp, const uint8_t *p)
{
	uint16_t pid = ts_pid(p);

	return ts_pusi(p) && pid >= 0x20 && pid != TS_PID_NULL && (int)pid != sp->pmt_pid;
}

static struct track *track(ts_splice *sp, uint16_t pid)
{
	for (unsigned i = 0; i < sp->ntr; i++)
		if (sp->tr[i].pid == pid)
			return &sp->tr[i];
	if (sp->ntr == TRACKS)
		return NULL;
	sp->tr[sp->ntr] = (struct track){ .pid = pid };
	return &sp->tr[sp->ntr++];
}

/* The decoding time of the PES a packet starts, if it has one. */
static bool pes_time(const uint8_t *p, uint64_t *t)
{
	struct ts_pes pes;
	const uint8_t *start;

	if (ts_es_pes(p, &pes, &start) < 0 || !pes.has_pts)
		return false;
	*t = pes.has_dts ? pes.dts : pes.pts;
	return true;
}

void ts_splice_input(ts_splice *sp, const uint8_t *p)
{
	uint64_t pcr, t;
	bool has = ts_pcr(p, &pcr);
	struct track *tr;

	tick(&sp->in, p, has ? pcr : 0, has);
	if (sp->pending && may_be_pes(sp, p) && pes_time(p, &t) && (tr = track(sp, ts_pid(p)))) {
		tr->in = t;
		tr->have_in = true;
	}
}

/* a - b of two 33-bit timestamps, the short way round. */
static int64_t diff33(uint64_t a, uint64_t b)
{
	uint64_t d = (a - b) & (TS_PTS_WRAP - 1);

	return d >= TS_PTS_WRAP / 2 ? (int64_t)d - (int64_t)TS_PTS_WRAP : (int64_t)d;
}

/* Raise the offset (90 kHz) so that no stream goes back: each PID's next
 * PES decodes at least MIN_STEP after the last one shown. The input's
 * latest PES before the start is a lower bound of the first one out.
 * Returns by how much. */
#define MIN_STEP 3600 /* 40 ms: a video frame, two audio frames */
static uint64_t keep_order(const ts_splice *sp, uint64_t off90)
{
	int64_t need = 0;

	for (unsigned i = 0; i < sp->ntr; i++) {
		const struct track *t = &sp->tr[i];
		int64_t over;

		if (!t->have_in || !t->have_out)
			continue;
		over = diff33((t->in + off90) % TS_PTS_WRAP, t->out) - MIN_STEP;
		if (-over > need)
			need = -over;
	}
	return (uint64_t)need;
}

/* The offset that puts this packet right after the output's last one. */
static void fix_offset(ts_splice *sp, const uint8_t *p, uint64_t now_ns)
{
	uint64_t pcr, in_t, out_t, step, gap, off90, extra;
	uint64_t in_rate = sp->in.pkt27 ? sp->in.pkt27 : PKT27_DEFAULT;
	uint64_t out_rate = sp->out.pkt27 ? sp->out.pkt27 : PKT27_DEFAULT;

	/* Where the input is at this packet: its own PCR, or the last one
	 * seen plus the packets since (ts_splice_input counted this one). */
	if (ts_pcr(p, &pcr))
		in_t = pcr;
	else if (sp->in.have)
		in_t = sp->in.pcr + sp->in.pkts * in_rate;
	else
		return; /* no clock yet: try again with the next packet */
	step = (sp->out.pkts + 1) * out_rate;
	if (now_ns && sp->out.at_ns && now_ns > sp->out.at_ns) {
		gap = (now_ns - sp->out.at_ns) * 27 / 1000;
		if (gap > step)
			step = gap;
	}
	out_t = sp->out.pcr + step;
	off90 = (out_t + TS_PCR_WRAP - in_t % TS_PCR_WRAP) % TS_PCR_WRAP / 300;
	extra = keep_order(sp, off90);
	sp->off27 = (off90 + extra) % TS_PTS_WRAP * 300;
	sp->st.last_jump27 = (int64_t)(step + extra * 300);
	sp->pending = false;
}

static void version(struct psi_ver *v, uint8_t *p)
{
	int in = ts_psi_version(p);

	if (in < 0)
		return;
	if (v->relink) {
		v->delta = v->last_out < 0 ? 0 : (uint8_t)((v->last_out + 1 - in) & 0x1f);
		v->relink = false;
	}
	if (v->delta)
		ts_psi_set_version(p, (unsigned)(in + v->delta) & 0x1f);
	v->last_out = (in + v->delta) & 0x1f;
}

static void psi(ts_splice *sp, uint8_t *p)
{
	uint16_t pid = ts_pid(p), pmt_pid;

	if (!ts_pusi(p))
		return;
	if (pid == TS_PID_PAT) {
		version(&sp->pat, p);
		if (ts_pat_first_pmt(p, &pmt_pid) == 0)
			sp->pmt_pid = pmt_pid;
	} else if ((int)pid == sp->pmt_pid) {
		version(&sp->pmt, p);
	}
}

/* Shift the PES header's timestamps and note the decoding time out. */
static void restamp_pes(ts_splice *sp, uint8_t *p)
{
	struct ts_pes pes;
	const uint8_t *start;
	struct track *tr;
	uint8_t *w;
	uint64_t d = sp->off27 / 300;

	if (ts_es_pes(p, &pes, &start) < 0 || !pes.has_pts)
		return;
	if (d) {
		w = p + (start - p);
		pes.pts = (pes.pts + d) % TS_PTS_WRAP;
		ts_pes_put_ts(w + pes.pts_off, pes.pts);
		if (pes.has_dts) {
			pes.dts = (pes.dts + d) % TS_PTS_WRAP;
			ts_pes_put_ts(w + pes.dts_off, pes.dts);
		}
		sp->st.restamped++;
	}
	if ((tr = track(sp, ts_pid(p))) && (!tr->have_out || diff33(pes.pts, tr->out) > 0)) {
		tr->out = pes.pts;
		tr->have_out = true;
	}
}

void ts_splice_output(ts_splice *sp, uint8_t *p, uint64_t now_ns)
{
	uint64_t pcr;
	bool has_pcr;

	if (sp->pending)
		fix_offset(sp, p, now_ns);
	ts_cc_apply(&sp->cc, p);
	psi(sp, p);
	has_pcr = ts_pcr(p, &pcr);
	if (has_pcr && sp->off27) {
		pcr = (pcr + sp->off27) % TS_PCR_WRAP;
		ts_set_pcr(p, pcr);
		sp->st.restamped++;
	}
	if (may_be_pes(sp, p))
		restamp_pes(sp, p);
	tick(&sp->out, p, has_pcr ? pcr : 0, has_pcr);
	if (has_pcr)
		sp->out.at_ns = now_ns;
}

void ts_splice_append(ts_splice *sp, uint8_t *p)
{
	ts_cc_insert(&sp->cc, p);
}
