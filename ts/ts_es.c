/* ts_es: PES headers and random access points read from the elementary
 * stream. See ts_es.h for the rules per codec and the header diagram. */
#include "config.h"

#include "ts_es.h"

#include <errno.h>
#include <string.h>

#include "sc_bytes.h"
#include "ts.h"

/* RBSP bytes enough for the start of an H.264 slice header: two ue(v) of
 * at most 32 bits each. */
#define SLICE_HEAD 16

uint64_t ts_pes_get_ts(const uint8_t *f)
{
	return (uint64_t)(f[0] >> 1 & 7) << 30 | (uint64_t)(sc_get_be16(f + 1) >> 1) << 15 |
	       (uint64_t)(sc_get_be16(f + 3) >> 1);
}

void ts_pes_put_ts(uint8_t *f, uint64_t t)
{
	f[0] = (uint8_t)((f[0] & 0xf0) | (t >> 29 & 0x0e) | 1);
	f[1] = (uint8_t)(t >> 22);
	f[2] = (uint8_t)((t >> 14 & 0xfe) | 1);
	f[3] = (uint8_t)(t >> 7);
	f[4] = (uint8_t)((t << 1 & 0xfe) | 1);
}

/* stream_ids whose PES has no optional header (2.4.3.7). */
static bool no_header(uint8_t id)
{
	switch (id) {
	case 0xbc: /* program_stream_map */
	case 0xbe: /* padding_stream */
	case 0xbf: /* private_stream_2 */
	case 0xf0: /* ECM */
	case 0xf1: /* EMM */
	case 0xf2: /* DSMCC_stream */
	case 0xf8: /* ITU-T H.222.1 type E */
	case 0xff: /* program_stream_directory */
		return true;
	default:
		return false;
	}
}

int ts_pes_parse(const uint8_t *pes, size_t len, struct ts_pes *out)
{
	unsigned flags;
	size_t need;

	memset(out, 0, sizeof(*out));
	if (len < 6)
		return -EMSGSIZE;
	if (pes[0] != 0 || pes[1] != 0 || pes[2] != 1)
		return -EBADMSG;
	out->stream_id = pes[3];
	out->packet_length = sc_get_be16(pes + 4);
	if (no_header(out->stream_id)) {
		out->header_len = 6;
		return -ENOMSG;
	}
	if (len < 9)
		return -EMSGSIZE;
	if ((pes[6] & 0xc0) != 0x80)
		return -EBADMSG;
	out->scrambled = pes[6] & 0x30;
	flags = pes[7] >> 6;
	if (flags == 1) /* DTS without PTS: forbidden */
		return -EBADMSG;
	out->header_len = 9 + (size_t)pes[8];
	need = (flags & 2 ? 5 : 0) + (flags == 3 ? 5 : 0);
	if (need > pes[8])
		return -EBADMSG;
	if (out->header_len > len)
		return -EMSGSIZE;
	if (flags & 2) {
		out->has_pts = true;
		out->pts_off = 9;
		out->pts = ts_pes_get_ts(pes + 9);
	}
	if (flags == 3) {
		out->has_dts = true;
		out->dts_off = 14;
		out->dts = ts_pes_get_ts(pes + 14);
	}
	return 0;
}

int ts_es_pes(const uint8_t *p, struct ts_pes *out, const uint8_t **pes)
{
	const uint8_t *pl;
	size_t n;

	if (!ts_pusi(p) || !(n = ts_payload(p, &pl))) {
		memset(out, 0, sizeof(*out));
		return -EAGAIN;
	}
	*pes = pl;
	return ts_pes_parse(pl, n, out);
}

/* Offset of the byte after the next 00 00 01 at or after i, or n. */
static size_t next_unit(const uint8_t *b, size_t n, size_t i)
{
	for (; i + 3 <= n; i++)
		if (b[i] == 0 && b[i + 1] == 0 && b[i + 2] == 1)
			return i + 3;
	return n;
}

/* Up to max bytes of a NAL unit's payload b[0..n) with the emulation
 * prevention bytes (00 00 03) taken out; stops at the next start code. */
static size_t rbsp(const uint8_t *b, size_t n, uint8_t *out, size_t max)
{
	size_t k = 0, zeros = 0;

	for (size_t i = 0; i < n && k < max; i++) {
		if (zeros >= 2 && b[i] == 3) {
			zeros = 0;
			continue;
		}
		if (zeros >= 2 && b[i] <= 2)
			break;
		zeros = b[i] == 0 ? zeros + 1 : 0;
		out[k++] = b[i];
	}
	return k;
}

/* An Exp-Golomb ue(v) at bit *pos of b[0..n). Returns 0, or -1 when the
 * bytes end first (or the code is longer than 32 bits). */
static int read_ue(const uint8_t *b, size_t n, size_t *pos, uint32_t *v)
{
	unsigned zeros = 0;
	uint64_t x = 1;

	for (;; zeros++) {
		if (*pos >= n * 8 || zeros > 31)
			return -1;
		if (b[*pos / 8] >> (7 - *pos % 8) & 1)
			break;
		(*pos)++;
	}
	(*pos)++;
	for (unsigned i = 0; i < zeros; i++, (*pos)++) {
		if (*pos >= n * 8)
			return -1;
		x = x << 1 | (b[*pos / 8] >> (7 - *pos % 8) & 1);
	}
	*v = (uint32_t)(x - 1);
	return 0;
}

/* slice_header(): first_mb_in_slice ue(v), slice_type ue(v) (7.3.3). */
static enum ts_es_rap h264_slice(const uint8_t *b, size_t n)
{
	uint8_t h[SLICE_HEAD];
	size_t len = rbsp(b, n, h, sizeof(h)), pos = 0;
	uint32_t first_mb, type;

	if (read_ue(h, len, &pos, &first_mb) < 0 || read_ue(h, len, &pos, &type) < 0)
		return TS_ES_UNKNOWN;
	/* 2 and 7: I; 4 and 9: SI (7.4.3, table 7-6). */
	return type % 5 == 2 || type % 5 == 4 ? TS_ES_RAP : TS_ES_NOT_RAP;
}

static enum ts_es_rap h264(const uint8_t *es, size_t n)
{
	bool sps = false;

	for (size_t u = next_unit(es, n, 0); u < n; u = next_unit(es, n, u)) {
		switch (es[u] & 0x1f) {
		case 5: /* IDR slice */
			return TS_ES_RAP;
		case 1: /* non-IDR slice: an I picture after an SPS */
			return sps ? h264_slice(es + u + 1, n - u - 1) : TS_ES_NOT_RAP;
		case 2: /* slice data partitions */
		case 3:
		case 4:
			return TS_ES_NOT_RAP;
		case 7:
			sps = true;
			break;
		default: /* AUD, PPS, SEI, ...: the picture comes later */
			break;
		}
	}
	return TS_ES_UNKNOWN;
}

static enum ts_es_rap hevc(const uint8_t *es, size_t n)
{
	for (size_t u = next_unit(es, n, 0); u < n; u = next_unit(es, n, u)) {
		unsigned type, layer;

		if (u + 2 > n)
			return TS_ES_UNKNOWN;
		type = es[u] >> 1 & 0x3f;
		layer = (unsigned)(es[u] & 1) << 5 | es[u + 1] >> 3;
		if (layer != 0 || type >= 32) /* other layers, VPS, SPS, PPS, AUD, SEI, ... */
			continue;
		if (type >= 16 && type <= 21) /* BLA, IDR, CRA */
			return TS_ES_RAP;
		if (type <= 15) /* trailing, TSA, STSA, RADL, RASL, reserved */
			return TS_ES_NOT_RAP;
		return TS_ES_UNKNOWN; /* reserved IRAP and VCL types */
	}
	return TS_ES_UNKNOWN;
}

static enum ts_es_rap mpeg2(const uint8_t *es, size_t n)
{
	bool seq = false;

	for (size_t u = next_unit(es, n, 0); u < n; u = next_unit(es, n, u)) {
		uint8_t code = es[u];

		if (code == 0xb3) {
			seq = true;
		} else if (code == 0x00) {
			/* picture_header: temporal_reference (10), then
			 * picture_coding_type (3): 1 is I (6.2.3). */
			if (u + 3 > n)
				return TS_ES_UNKNOWN;
			return seq && (es[u + 2] >> 3 & 7) == 1 ? TS_ES_RAP : TS_ES_NOT_RAP;
		} else if (code >= 0x01 && code <= 0xaf) {
			return TS_ES_NOT_RAP; /* a slice: the PES starts inside a picture */
		}
	}
	return TS_ES_UNKNOWN;
}

bool ts_es_known_type(uint8_t type)
{
	return type == 0x01 || type == 0x02 || type == 0x1b || type == 0x24;
}

enum ts_es_rap ts_es_rap(const uint8_t *p, uint8_t type)
{
	struct ts_pes pes;
	const uint8_t *start;
	size_t n;

	if (!ts_pusi(p) || !ts_has_payload(p))
		return TS_ES_NOT_RAP;
	if ((p[3] & 0xc0) || !ts_es_known_type(type)) /* scrambled, or a codec not read here */
		return TS_ES_UNKNOWN;
	if (ts_es_pes(p, &pes, &start) < 0 || pes.scrambled)
		return TS_ES_UNKNOWN;
	n = (size_t)(p + TS_SIZE - start) - pes.header_len;
	start += pes.header_len;
	switch (type) {
	case 0x1b:
		return h264(start, n);
	case 0x24:
		return hevc(start, n);
	default:
		return mpeg2(start, n);
	}
}

bool ts_es_is_rap(const uint8_t *p, uint8_t type)
{
	if (!ts_pusi(p))
		return false;
	switch (ts_es_rap(p, type)) {
	case TS_ES_RAP:
		return true;
	case TS_ES_NOT_RAP:
		return false;
	default:
		return ts_random_access(p);
	}
}

int ts_es_end_of_sequence(uint8_t *p, uint16_t pid, uint8_t type)
{
	static const uint8_t h264[] = { 0, 0, 0, 1, 0x0a }, hevc[] = { 0, 0, 0, 1, 0x48, 0x01 },
			     mpeg2[] = { 0, 0, 1, 0xb7 };
	/* PES: video stream 0xe0, length 0 (unbounded), '10', no flags, no
	 * header data. */
	static const uint8_t pes[] = { 0, 0, 1, 0xe0, 0, 0, 0x80, 0, 0 };
	const uint8_t *es;
	size_t n, af;

	switch (type) {
	case 0x1b:
		es = h264, n = sizeof(h264);
		break;
	case 0x24:
		es = hevc, n = sizeof(hevc);
		break;
	case 0x01:
	case 0x02:
		es = mpeg2, n = sizeof(mpeg2);
		break;
	default:
		return -ENOTSUP;
	}
	/* Header, an adaptation field of stuffing, then PES and data, so that
	 * the data ends the packet. */
	af = TS_SIZE - 4 - sizeof(pes) - n;
	p[0] = TS_SYNC;
	p[1] = (uint8_t)(0x40 | (pid >> 8 & 0x1f));
	p[2] = (uint8_t)pid;
	p[3] = 0x30;
	p[4] = (uint8_t)(af - 1);
	p[5] = 0;
	memset(p + 6, 0xff, af - 2);
	memcpy(p + 4 + af, pes, sizeof(pes));
	memcpy(p + 4 + af + sizeof(pes), es, n);
	return 0;
}
