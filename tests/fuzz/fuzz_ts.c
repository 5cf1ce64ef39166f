/* libFuzzer target: reading transport streams as the box's outputs and the
 * edge do (ts/: PAT/PMT, ts_es, ts_start with ts_splice). The input is TS
 * packets, 188 bytes each (the sync byte is forced, so that the fuzzer
 * spends its effort past it); a chunk of 7 packets whose first packet has
 * the transport_error_indicator set follows a zap.
 *
 * Beyond "no crash": outputs get whole packets only; an output's first
 * packet is a PAT; a parsed PES header lies within its bytes; the video
 * type read back from a PMT is one the PMT lists. Build with ./configure
 * CC=clang-14 --enable-fuzzers; run e.g.
 *   build-fuzz/tests/fuzz/fuzz_ts tests/fuzz/corpus/fuzz_ts */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ts.h"
#include "ts_es.h"
#include "ts_start.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x) ((x) ? (void)0 : abort())
#define CHUNK 7

struct out {
	struct ts_start_out o;
	size_t packets;
};

static void emit(void *arg, const uint8_t *ts, size_t len)
{
	struct out *out = arg;

	CHECK(len > 0 && len % TS_SIZE == 0);
	if (!out->packets)
		CHECK(ts_pid(ts) == TS_PID_PAT);
	for (size_t off = 0; off < len; off += TS_SIZE)
		CHECK(ts[off] == TS_SYNC);
	out->packets += len / TS_SIZE;
}

static void one_packet(const uint8_t *p)
{
	static const uint8_t types[] = { 0x01, 0x02, 0x1b, 0x24, 0x10 };
	struct ts_pes pes;
	const uint8_t *start;
	struct ts_pmt pmt;
	uint16_t pid;

	if (ts_check(p) != TS_OK)
		return;
	for (size_t i = 0; i < sizeof(types); i++) {
		enum ts_es_rap r = ts_es_rap(p, types[i]);

		CHECK(r == TS_ES_RAP || r == TS_ES_NOT_RAP || r == TS_ES_UNKNOWN);
		if (!ts_pusi(p))
			CHECK(r == TS_ES_NOT_RAP);
	}
	if (ts_es_pes(p, &pes, &start) == 0)
		CHECK(start + pes.header_len <= p + TS_SIZE);
	(void)ts_pat_first_pmt(p, &pid);
	if (ts_pmt_parse(p, &pmt) == 0)
		CHECK(pmt.nstreams <= TS_MAX_STREAMS);
	(void)ts_psi_version(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = size / TS_SIZE;
	uint8_t *buf = malloc(n ? n * TS_SIZE : 1);
	ts_start *st = ts_start_new(true);
	struct out outs[2] = { { { 0 }, 0 }, { { 0 }, 0 } };
	uint64_t now = 1;

	CHECK(buf && st);
	memcpy(buf, data, n * TS_SIZE);
	for (size_t i = 0; i < n; i++) {
		buf[i * TS_SIZE] = TS_SYNC;
		one_packet(buf + i * TS_SIZE);
	}
	for (size_t i = 0; i < n; i += CHUNK) {
		size_t m = n - i < CHUNK ? n - i : CHUNK;

		if (i && ts_tei(buf + i * TS_SIZE))
			ts_start_zap(st);
		CHECK(ts_start_feed(st, buf + i * TS_SIZE, m * TS_SIZE, now) == m * TS_SIZE);
		now += 1000000;
		ts_start_out(st, &outs[0].o, emit, &outs[0]);
		/* The second output joins half way. */
		if (i >= n / 2)
			ts_start_out(st, &outs[1].o, emit, &outs[1]);
	}
	if (ts_start_stats(st)->video_pid >= 0)
		CHECK(ts_stream_is_video(ts_start_stats(st)->video_type));
	ts_start_free(st);
	free(buf);
	/* A PES header anywhere in the input. */
	{
		struct ts_pes pes;

		if (ts_pes_parse(data, size, &pes) == 0)
			CHECK(pes.header_len <= size);
	}
	return 0;
}
