/* ts: validation and field access for MPEG-TS packets, and the PAT/PMT
 * parsing the edge needs to find the video and PCR streams. See ts.h for
 * the packet diagram. */
#include "config.h"

#include "ts.h"

#include <errno.h>
#include <string.h>

#include "sc_bytes.h"

enum ts_err ts_check(const uint8_t *p)
{
	unsigned afc = (p[3] >> 4) & 3;

	if (p[0] != TS_SYNC)
		return TS_ESYNC;
	if (afc == 0)
		return TS_EAFC;
	/* With payload the field may take up to 182 bytes, without 183. */
	if ((afc & 2) && p[4] > (afc == 2 ? 183 : 182))
		return TS_EAFLEN;
	return TS_OK;
}

const char *ts_strerror(enum ts_err e)
{
	switch (e) {
	case TS_OK:
		return "ok";
	case TS_ESYNC:
		return "lost sync (no 0x47 sync byte)";
	case TS_EAFLEN:
		return "adaptation field longer than the packet";
	case TS_EAFC:
		return "reserved adaptation_field_control 00";
	}
	return "?";
}

/* The adaptation field flags byte, or 0 when there is none or it is empty. */
static uint8_t af_flags(const uint8_t *p)
{
	return ts_has_af(p) && p[4] > 0 ? p[5] : 0;
}

bool ts_random_access(const uint8_t *p)
{
	return af_flags(p) & 0x40;
}

bool ts_discontinuity(const uint8_t *p)
{
	return af_flags(p) & 0x80;
}

bool ts_pcr(const uint8_t *p, uint64_t *pcr)
{
	uint64_t base;
	unsigned ext;

	if (!(af_flags(p) & 0x10) || p[4] < 7)
		return false;
	base = (uint64_t)sc_get_be32(p + 6) << 1 | p[10] >> 7;
	ext = (unsigned)(p[10] & 1) << 8 | p[11];
	*pcr = base * 300 + ext;
	return true;
}

void ts_set_pcr(uint8_t *p, uint64_t pcr)
{
	uint64_t base;
	unsigned ext;

	pcr %= TS_PCR_WRAP;
	base = pcr / 300;
	ext = (unsigned)(pcr % 300);
	sc_put_be32(p + 6, (uint32_t)(base >> 1));
	p[10] = (uint8_t)((base & 1) << 7 | 0x7e | ext >> 8);
	p[11] = (uint8_t)ext;
}

size_t ts_payload(const uint8_t *p, const uint8_t **payload)
{
	size_t off = 4;

	if (!ts_has_payload(p))
		return 0;
	if (ts_has_af(p))
		off += 1 + (size_t)p[4];
	if (off >= TS_SIZE)
		return 0;
	*payload = p + off;
	return TS_SIZE - off;
}

uint32_t ts_crc32(const uint8_t *data, size_t len)
{
	uint32_t crc = 0xffffffff;

	/* MPEG-2 CRC: polynomial 0x04C11DB7, MSB first, no final xor. PSI
	 * sections are a few hundred bytes a second: no table needed. */
	for (size_t i = 0; i < len; i++) {
		crc ^= (uint32_t)data[i] << 24;
		for (int b = 0; b < 8; b++)
			crc = crc & 0x80000000u ? crc << 1 ^ 0x04c11db7u : crc << 1;
	}
	return crc;
}

/* A PSI section starting in this packet: pointer_field, then table_id,
 * section_length ... CRC_32. Checks framing and CRC, returns the section. */
static int section(const uint8_t *p, int table_id, const uint8_t **sec, size_t *len)
{
	const uint8_t *pl;
	size_t n = ts_payload(p, &pl), off, slen;

	if (!ts_pusi(p) || n == 0)
		return -EAGAIN;
	off = 1 + (size_t)pl[0];
	if (off + 3 > n)
		return -EBADMSG;
	if (table_id >= 0 && pl[off] != table_id)
		return -EBADMSG;
	slen = (size_t)(sc_get_be16(pl + off + 1) & 0x0fff);
	/* 5 bytes of header after the length and a 4-byte CRC at least. */
	if (slen < 9 || slen > 1021)
		return -EBADMSG;
	if (off + 3 + slen > n)
		return -EMSGSIZE;
	/* The CRC over the whole section, its own 4 bytes included, is 0. */
	if (ts_crc32(pl + off, 3 + slen) != 0)
		return -EBADMSG;
	*sec = pl + off;
	*len = 3 + slen;
	return 0;
}

int ts_pat_first_pmt(const uint8_t *p, uint16_t *pmt_pid)
{
	const uint8_t *s;
	size_t len;
	int rc = section(p, 0x00, &s, &len);

	if (rc < 0)
		return rc;
	/* Program loop: from byte 8 to the CRC, 4 bytes each. */
	for (size_t off = 8; off + 4 <= len - 4; off += 4) {
		uint16_t program = sc_get_be16(s + off);

		if (program == 0) /* network PID, not a program */
			continue;
		*pmt_pid = sc_get_be16(s + off + 2) & 0x1fff;
		return 0;
	}
	return -ENOENT;
}

/* version_number sits in bits 5..1 of the sixth byte of a long section. */
int ts_psi_version(const uint8_t *p)
{
	const uint8_t *s;
	size_t len;
	int rc = section(p, -1, &s, &len);

	return rc < 0 ? rc : s[5] >> 1 & 0x1f;
}

int ts_psi_set_version(uint8_t *p, unsigned version)
{
	const uint8_t *s;
	uint8_t *w;
	size_t len;
	int rc = section(p, -1, &s, &len);

	if (rc < 0)
		return rc;
	/* section() found the section inside p: write through p. */
	w = p + (s - p);
	w[5] = (uint8_t)((w[5] & 0xc1) | (version & 0x1f) << 1);
	sc_put_be32(w + len - 4, ts_crc32(w, len - 4));
	return 0;
}

int ts_pmt_parse(const uint8_t *p, struct ts_pmt *out)
{
	const uint8_t *s;
	size_t len, off, info;
	int rc = section(p, 0x02, &s, &len);

	if (rc < 0)
		return rc;
	if (len < 16)
		return -EBADMSG;
	memset(out, 0, sizeof(*out));
	out->program = sc_get_be16(s + 3);
	out->pcr_pid = sc_get_be16(s + 8) & 0x1fff;
	info = sc_get_be16(s + 10) & 0x0fff;
	off = 12 + info;
	while (off + 5 <= len - 4) {
		size_t es_info = sc_get_be16(s + off + 3) & 0x0fff;

		if (out->nstreams < TS_MAX_STREAMS) {
			out->streams[out->nstreams].type = s[off];
			out->streams[out->nstreams].pid = sc_get_be16(s + off + 1) & 0x1fff;
			out->nstreams++;
		}
		off += 5 + es_info;
	}
	return off == len - 4 ? 0 : -EBADMSG;
}

bool ts_stream_is_video(uint8_t type)
{
	switch (type) {
	case 0x01: /* MPEG-1 video */
	case 0x02: /* MPEG-2 video */
	case 0x10: /* MPEG-4 part 2 */
	case 0x1b: /* H.264 */
	case 0x24: /* HEVC */
	case 0x33: /* VVC */
		return true;
	default:
		return false;
	}
}
