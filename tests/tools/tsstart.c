/* tsstart: one output of ts_start over TS files, for the tests with real
 * encoders' streams (tests/integration/ts_start.sh).
 *
 *   tsstart [-n] [-c] -o OUT SEGMENT...
 *   SEGMENT: FILE[:FIRST[:COUNT]]   packets FIRST.. (COUNT of them, 0: all)
 *
 * The segments are fed in turn as one channel after another (a zap
 * between them), in chunks of 7 packets as the box gets them, to one
 * output that starts when the tool does; OUT gets what the output gets.
 * Spliced (ts_splice) unless -n. With -c a segment with a COUNT ends
 * where no PES is cut (before a video PES start, with every audio PES
 * whole), so that what a test sees of the zap is the start of the next
 * segment alone. Prints per segment what was skipped
 * before the output (re)started, in packets and in stream time. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ts.h"
#include "ts_es.h"
#include "ts_start.h"

#define CHUNK 7

struct seg_stats {
	uint64_t fed, before;     /* packets fed; of them before the start */
	uint64_t first_pcr, start_pcr;
	bool have_first, have_start, started;
};

static void emit(void *arg, const uint8_t *ts, size_t len)
{
	FILE *out = arg;

	if (fwrite(ts, 1, len, out) != len) {
		perror("tsstart: write");
		exit(1);
	}
}

/* Note where the stream time stands at each packet, and where it started. */
static void watch(struct seg_stats *s, const uint8_t *ts, size_t n, int start)
{
	for (size_t i = 0; i < n; i++) {
		const uint8_t *p = ts + i * TS_SIZE;
		uint64_t pcr;

		if ((int)i == start && !s->started) {
			s->started = true;
			s->before = s->fed;
		}
		if (ts_check(p) == TS_OK && ts_pcr(p, &pcr)) {
			if (!s->have_first) {
				s->first_pcr = pcr;
				s->have_first = true;
			}
			if (!s->started) {
				s->start_pcr = pcr;
				s->have_start = true;
			}
		}
		s->fed++;
	}
}

/* The first packet at or after count (from the file's position) where
 * the video starts a PES and no bounded PES is open. */
static unsigned long long clean_end(FILE *in, unsigned long long count)
{
	static int64_t left[8192]; /* bytes a bounded PES still needs */
	uint8_t p[TS_SIZE];
	long pos = ftell(in);
	int video = -1, pmt_pid = -1;
	unsigned long long i = 0;

	memset(left, 0, sizeof(left));
	for (; fread(p, TS_SIZE, 1, in) == 1; i++) {
		uint16_t pid = ts_pid(p), pp;
		struct ts_pmt pmt;
		struct ts_pes pes;
		const uint8_t *pl;
		size_t n;
		bool whole = true;

		if (ts_check(p) != TS_OK)
			continue;
		if (pid == TS_PID_PAT && ts_pat_first_pmt(p, &pp) == 0)
			pmt_pid = pp;
		if ((int)pid == pmt_pid && ts_pmt_parse(p, &pmt) == 0)
			for (unsigned k = 0; k < pmt.nstreams && video < 0; k++)
				if (ts_stream_is_video(pmt.streams[k].type))
					video = pmt.streams[k].pid;
		for (size_t k = 0; k < 8192 && whole; k++)
			whole = left[k] <= 0;
		if (i >= count && (int)pid == video && ts_pusi(p) && whole)
			break;
		n = ts_payload(p, &pl);
		(void)ts_es_pes(p, &pes, &pl);
		if (ts_pusi(p) && pes.stream_id) /* a PES start, whatever its header */
			left[pid] = pes.packet_length ? (int64_t)pes.packet_length + 6 : 0;
		left[pid] -= (int64_t)n;
	}
	fseek(in, pos, SEEK_SET);
	return i;
}

static int segment(ts_start *st, struct ts_start_out *o, const char *spec, bool clean, FILE *out)
{
	char path[4096];
	unsigned long long first = 0, count = 0;
	const char *colon = strchr(spec, ':');
	struct seg_stats s = { 0 };
	uint8_t buf[CHUNK * TS_SIZE];
	FILE *in;
	size_t n;

	snprintf(path, sizeof(path), "%.*s", colon ? (int)(colon - spec) : (int)strlen(spec), spec);
	if (colon && sscanf(colon + 1, "%llu:%llu", &first, &count) < 1) {
		fprintf(stderr, "tsstart: bad segment %s\n", spec);
		return -EINVAL;
	}
	if (!(in = fopen(path, "rb")) || fseek(in, (long)(first * TS_SIZE), SEEK_SET) < 0) {
		fprintf(stderr, "tsstart: %s: %s\n", path, strerror(errno));
		if (in)
			fclose(in);
		return -errno;
	}
	if (clean && count)
		count = clean_end(in, count);
	while ((n = fread(buf, TS_SIZE, CHUNK, in)) > 0) {
		if (count && s.fed + n > count)
			n = (size_t)(count - s.fed);
		ts_start_feed(st, buf, n * TS_SIZE, 0);
		watch(&s, buf, n, ts_start_point(st));
		ts_start_out(st, o, emit, out);
		if (count && s.fed >= count)
			break;
	}
	fclose(in);
	if (s.started)
		printf("%s: started after %llu packets (%llu bytes, %.3f s of stream)\n", spec,
		       (unsigned long long)s.before, (unsigned long long)s.before * TS_SIZE,
		       s.have_start ? (double)((s.start_pcr + TS_PCR_WRAP - s.first_pcr) % TS_PCR_WRAP) / TS_PCR_HZ : 0.0);
	else
		printf("%s: no start in %llu packets\n", spec, (unsigned long long)s.fed);
	return 0;
}

int main(int argc, char **argv)
{
	const char *out_path = NULL;
	struct ts_start_out o = { 0 };
	const struct ts_start_stats *stt;
	bool splice = true, clean = false;
	ts_start *st;
	FILE *out;
	int c, rc = 0;

	while ((c = getopt(argc, argv, "cno:")) != -1) {
		switch (c) {
		case 'c':
			clean = true;
			break;
		case 'n':
			splice = false;
			break;
		case 'o':
			out_path = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (!out_path || optind >= argc)
		goto usage;
	if (!(out = fopen(out_path, "wb"))) {
		perror(out_path);
		return 1;
	}
	st = ts_start_new(splice);
	for (int i = optind; i < argc && rc == 0; i++) {
		if (i > optind)
			ts_start_zap(st);
		rc = segment(st, &o, argv[i], clean, out);
	}
	stt = ts_start_stats(st);
	printf("video pid 0x%x type 0x%02x: %llu raps, %llu on the RAI alone, %llu RAIs refused, %llu held at zaps\n",
	       stt->video_pid, stt->video_type, (unsigned long long)stt->raps, (unsigned long long)stt->rai_only,
	       (unsigned long long)stt->rai_refused, (unsigned long long)stt->held);
	ts_start_free(st);
	if (fclose(out) != 0)
		rc = -errno;
	return rc < 0 ? 1 : 0;
usage:
	fprintf(stderr, "usage: tsstart [-n] [-c] -o OUT FILE[:FIRST[:COUNT]]...\n");
	return 2;
}
