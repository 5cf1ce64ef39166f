/* ts_start: the clean start of a channel's outputs at a random access
 * point, PAT and PMT first. See ts_start.h. */
#include "config.h"

#include "ts_start.h"

#include <stdlib.h>
#include <string.h>

#include "ts.h"
#include "ts_es.h"

#define NONE 0xff
/* After a zap a spliced start waits for the new channel's PCR, but not for
 * ever: a stream without PCR starts at this RAP regardless. */
#define PCR_WAIT_RAPS 2

enum mark {
	PASS,
	HOLD,      /* after a zap, before its RAP: no output gets it */
	START,     /* a waiting output starts here */
	ZAP_START, /* every output starts here */
};

enum psi { NOT_PSI, PAT, PMT };

struct ts_start {
	ts_splice *sp; /* NULL: no splicing */
	/* the program of the input since the last zap */
	int pmt_pid;
	bool have_pat, have_pmt, have_pcr;
	struct ts_pmt pmt;
	int key_pid;                                /* where RAPs are: the video, else the first stream */
	uint8_t pat_in[TS_SIZE], pmt_in[TS_SIZE];   /* latest, as received */
	uint8_t pat_out[TS_SIZE], pmt_out[TS_SIZE]; /* latest, as handed on */
	bool zapping;
	unsigned raps_waiting; /* RAPs passed by for want of a PCR */
	/* the packets last fed */
	uint8_t *buf;
	size_t n;
	uint8_t mark[TS_START_MAX];
	uint8_t sidx[TS_START_MAX]; /* index of the packet's stream in the PMT, or NONE */
	int start;
	/* Before the start: [an end of sequence of the old video, after a
	 * zap], PAT, PMT. */
	uint8_t inject[3][TS_SIZE];
	unsigned inject_from;
	int eos_pid;        /* the video out before the zap, -1: none */
	uint8_t eos_type;
	struct ts_start_stats st;
};

static void forget(ts_start *st)
{
	st->pmt_pid = st->key_pid = st->st.video_pid = -1;
	st->st.video_type = 0;
	st->have_pat = st->have_pmt = st->have_pcr = false;
	st->raps_waiting = 0;
}

ts_start *ts_start_new(bool splice)
{
	ts_start *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	if (splice && !(st->sp = ts_splice_new())) {
		free(st);
		return NULL;
	}
	forget(st);
	st->start = -1;
	st->eos_pid = -1;
	return st;
}

void ts_start_free(ts_start *st)
{
	if (!st)
		return;
	ts_splice_free(st->sp);
	free(st);
}

void ts_start_zap(ts_start *st)
{
	/* Two zaps before a start: the video out is still the first one's. */
	if (!st->zapping) {
		st->eos_pid = st->st.video_pid;
		st->eos_type = st->st.video_type;
	}
	forget(st);
	st->zapping = true;
	st->st.zaps++;
	if (st->sp)
		ts_splice_cut(st->sp);
}

static void learn_pmt(ts_start *st, const struct ts_pmt *pmt)
{
	st->pmt = *pmt;
	st->have_pmt = true;
	st->key_pid = st->st.video_pid = -1;
	st->st.video_type = 0;
	for (unsigned i = 0; i < pmt->nstreams && st->st.video_pid < 0; i++) {
		if (ts_stream_is_video(pmt->streams[i].type)) {
			st->st.video_pid = pmt->streams[i].pid;
			st->st.video_type = pmt->streams[i].type;
		}
	}
	if (st->st.video_pid >= 0) {
		st->key_pid = st->st.video_pid;
		return;
	}
	/* A radio channel: every audio frame is a random access point; the
	 * stream carrying the PCR is the one that matters, else the first. */
	st->key_pid = pmt->nstreams ? pmt->streams[0].pid : -1;
	for (unsigned i = 0; i < pmt->nstreams; i++)
		if (pmt->streams[i].pid == pmt->pcr_pid)
			st->key_pid = pmt->pcr_pid;
}

static enum psi learn(ts_start *st, const uint8_t *p)
{
	uint16_t pid = ts_pid(p), pmt_pid;
	struct ts_pmt pmt;
	uint64_t pcr;

	if (ts_pcr(p, &pcr))
		st->have_pcr = true;
	if (pid == TS_PID_PAT && ts_pat_first_pmt(p, &pmt_pid) == 0) {
		if ((int)pmt_pid != st->pmt_pid)
			st->have_pmt = false;
		st->pmt_pid = pmt_pid;
		st->have_pat = true;
		memcpy(st->pat_in, p, TS_SIZE);
		return PAT;
	}
	if ((int)pid == st->pmt_pid && ts_pmt_parse(p, &pmt) == 0) {
		learn_pmt(st, &pmt);
		memcpy(st->pmt_in, p, TS_SIZE);
		return PMT;
	}
	return NOT_PSI;
}

static uint8_t stream_index(const ts_start *st, uint16_t pid)
{
	if (st->have_pmt)
		for (unsigned i = 0; i < st->pmt.nstreams; i++)
			if (st->pmt.streams[i].pid == pid)
				return (uint8_t)i;
	return NONE;
}

static bool is_rap(ts_start *st, const uint8_t *p)
{
	enum ts_es_rap r;
	bool rai;

	if (st->key_pid < 0 || ts_pid(p) != st->key_pid || !ts_pusi(p))
		return false;
	if (st->st.video_pid < 0)
		return true;
	r = ts_es_rap(p, st->st.video_type);
	rai = ts_random_access(p);
	st->st.rai_refused += r == TS_ES_NOT_RAP && rai;
	if (r == TS_ES_UNKNOWN && rai)
		st->st.rai_only++;
	return r == TS_ES_RAP || (r == TS_ES_UNKNOWN && rai);
}

/* The first RAP after a zap: every output starts here, PAT and PMT of
 * the new channel first (through the splice, which numbers them on).
 * When splicing, an end of sequence closes the old video before: the
 * decoder outputs the pictures it holds back for reordering before the
 * new ones, and takes an HEVC CRA as a fresh start. */
static void zap_start(ts_start *st, size_t i, uint64_t now_ns)
{
	st->zapping = false;
	st->mark[i] = ZAP_START;
	st->start = (int)i;
	st->inject_from = 1;
	if (st->sp && st->eos_pid >= 0 &&
	    ts_es_end_of_sequence(st->inject[0], (uint16_t)st->eos_pid, st->eos_type) == 0) {
		ts_splice_append(st->sp, st->inject[0]);
		st->inject_from = 0;
	}
	st->eos_pid = -1;
	memcpy(st->inject[1], st->pat_in, TS_SIZE);
	memcpy(st->inject[2], st->pmt_in, TS_SIZE);
	if (st->sp) {
		ts_splice_output(st->sp, st->inject[1], now_ns);
		ts_splice_output(st->sp, st->inject[2], now_ns);
	}
	memcpy(st->pat_out, st->inject[1], TS_SIZE);
	memcpy(st->pmt_out, st->inject[2], TS_SIZE);
}

static void one(ts_start *st, size_t i, uint64_t now_ns)
{
	uint8_t *p = st->buf + i * TS_SIZE;
	enum psi kind;
	bool start;

	st->st.packets++;
	st->mark[i] = PASS;
	st->sidx[i] = NONE;
	if (ts_check(p) != TS_OK) {
		st->mark[i] = st->zapping ? HOLD : PASS;
		return;
	}
	if (st->sp)
		ts_splice_input(st->sp, p);
	kind = learn(st, p);
	st->sidx[i] = stream_index(st, ts_pid(p));
	start = is_rap(st, p);
	st->st.raps += start;
	start = start && st->have_pat && st->have_pmt;
	if (st->zapping) {
		if (start && st->sp && !st->have_pcr && ++st->raps_waiting <= PCR_WAIT_RAPS)
			start = false;
		if (!start) {
			st->mark[i] = HOLD;
			st->st.held++;
			return;
		}
		zap_start(st, i, now_ns);
	} else if (start && st->start < 0) {
		st->mark[i] = START;
		st->start = (int)i;
		st->inject_from = 1;
		memcpy(st->inject[1], st->pat_out, TS_SIZE);
		memcpy(st->inject[2], st->pmt_out, TS_SIZE);
	}
	if (st->sp)
		ts_splice_output(st->sp, p, now_ns);
	if (kind == PAT)
		memcpy(st->pat_out, p, TS_SIZE);
	else if (kind == PMT)
		memcpy(st->pmt_out, p, TS_SIZE);
}

size_t ts_start_feed(ts_start *st, uint8_t *ts, size_t len, uint64_t now_ns)
{
	size_t n = len / TS_SIZE;

	if (n > TS_START_MAX)
		n = TS_START_MAX;
	st->buf = ts;
	st->n = n;
	st->start = -1;
	for (size_t i = 0; i < n; i++)
		one(st, i, now_ns);
	return n * TS_SIZE;
}

/* Whether output o gets packet i: not while held after a zap; a stream of
 * the program from its first PES start on. */
static bool keep(const ts_start *st, struct ts_start_out *o, size_t i)
{
	uint32_t bit;

	if (st->mark[i] == HOLD)
		return false;
	if (st->sidx[i] == NONE)
		return true;
	bit = 1u << st->sidx[i];
	if (o->begun & bit)
		return true;
	if (!ts_pusi(st->buf + i * TS_SIZE))
		return false;
	o->begun |= bit;
	return true;
}

void ts_start_out(const ts_start *st, struct ts_start_out *o, ts_start_emit emit, void *arg)
{
	size_t i = 0, run = 0;

	if (!o->streaming) {
		if (st->start < 0)
			return;
		i = run = (size_t)st->start;
	}
	for (; i < st->n; i++) {
		if ((int)i == st->start && (!o->streaming || st->mark[i] == ZAP_START)) {
			/* The end of sequence is for an output that had the old video. */
			unsigned from = o->streaming ? st->inject_from : 1;

			if (i > run)
				emit(arg, st->buf + run * TS_SIZE, (i - run) * TS_SIZE);
			emit(arg, st->inject[from], (3 - from) * TS_SIZE);
			o->streaming = true;
			o->begun = 0;
			run = i;
		}
		if (!keep(st, o, i)) {
			if (i > run)
				emit(arg, st->buf + run * TS_SIZE, (i - run) * TS_SIZE);
			run = i + 1;
		}
	}
	if (st->n > run)
		emit(arg, st->buf + run * TS_SIZE, (st->n - run) * TS_SIZE);
}

int ts_start_point(const ts_start *st)
{
	return st->start;
}

const struct ts_start_stats *ts_start_stats(const ts_start *st)
{
	return &st->st;
}

const struct ts_splice_stats *ts_start_splice_stats(const ts_start *st)
{
	return st->sp ? ts_splice_stats(st->sp) : NULL;
}
