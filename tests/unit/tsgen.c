/* tsgen: MPEG-TS packet builders for tests. See tsgen.h. */
#include "config.h"

#include "tsgen.h"

#include <string.h>

#include "sc_bytes.h"
#include "ts.h"

static void header(uint8_t *p, uint16_t pid, bool pusi, unsigned afc, uint8_t cc)
{
	memset(p, 0xff, TS_SIZE);
	p[0] = TS_SYNC;
	p[1] = (uint8_t)((pusi ? 0x40 : 0) | (pid >> 8 & 0x1f));
	p[2] = (uint8_t)pid;
	p[3] = (uint8_t)(afc << 4 | (cc & 0x0f));
}

void tsgen_es(uint8_t *p, struct tsgen_es *es)
{
	bool af = es->rai || es->disc || es->with_pcr;

	header(p, es->pid, es->pusi, af ? 3 : 1, es->cc);
	if (af) {
		p[4] = es->with_pcr ? 7 : 1;
		p[5] = (uint8_t)((es->disc ? 0x80 : 0) | (es->rai ? 0x40 : 0) | (es->with_pcr ? 0x10 : 0));
		if (es->with_pcr) {
			uint64_t base = es->pcr / 300 % ((uint64_t)1 << 33);
			unsigned ext = (unsigned)(es->pcr % 300);

			sc_put_be32(p + 6, (uint32_t)(base >> 1));
			p[10] = (uint8_t)((base & 1) << 7 | 0x7e | ext >> 8);
			p[11] = (uint8_t)ext;
		}
	}
	es->cc = (uint8_t)((es->cc + 1) & 0x0f);
}

/* Put a section (table bytes without CRC) in a PUSI packet and add the CRC. */
static void psi(uint8_t *p, uint16_t pid, uint8_t cc, const uint8_t *sec, size_t len)
{
	uint32_t crc;

	header(p, pid, true, 1, cc);
	p[4] = 0; /* pointer_field */
	memcpy(p + 5, sec, len);
	crc = ts_crc32(p + 5, len);
	sc_put_be32(p + 5 + len, crc);
}

void tsgen_pat(uint8_t *p, uint16_t pmt_pid, uint8_t cc)
{
	uint8_t s[12] = { 0x00, 0xb0, 13, 0x00, 0x01, 0xc1, 0x00, 0x00,
			  0x00, 0x01, (uint8_t)(0xe0 | pmt_pid >> 8), (uint8_t)pmt_pid };

	psi(p, 0, cc, s, sizeof(s));
}

void tsgen_pmt(uint8_t *p, uint16_t pmt_pid, uint16_t pcr_pid, uint16_t video_pid,
	       uint16_t audio_pid, uint8_t cc)
{
	tsgen_pmt_type(p, pmt_pid, pcr_pid, video_pid, 0x1b, audio_pid, cc);
}

void tsgen_pmt_type(uint8_t *p, uint16_t pmt_pid, uint16_t pcr_pid, uint16_t video_pid, uint8_t video_type,
		    uint16_t audio_pid, uint8_t cc)
{
	uint8_t s[22] = { 0x02, 0xb0, 23, 0x00, 0x01, 0xc1, 0x00, 0x00,
			  (uint8_t)(0xe0 | pcr_pid >> 8), (uint8_t)pcr_pid, 0xf0, 0x00,
			  video_type, (uint8_t)(0xe0 | video_pid >> 8), (uint8_t)video_pid, 0xf0, 0x00,
			  0x0f, (uint8_t)(0xe0 | audio_pid >> 8), (uint8_t)audio_pid, 0xf0, 0x00 };

	psi(p, pmt_pid, cc, s, sizeof(s));
}

static void put_ts(uint8_t *f, unsigned prefix, uint64_t t)
{
	f[0] = (uint8_t)(prefix << 4 | (t >> 29 & 0x0e) | 1);
	f[1] = (uint8_t)(t >> 22);
	f[2] = (uint8_t)((t >> 14 & 0xfe) | 1);
	f[3] = (uint8_t)(t >> 7);
	f[4] = (uint8_t)((t << 1 & 0xfe) | 1);
}

size_t tsgen_pes(uint8_t *p, struct tsgen_es *es, const struct tsgen_pes *h, const uint8_t *data, size_t len)
{
	uint8_t hdr[19] = { 0, 0, 1, h->stream_id, 0, 0, 0x80, 0, 0 };
	size_t hl = 9, room, af_min, af_len, off;

	if (h->has_pts) {
		hdr[7] = h->has_dts ? 0xc0 : 0x80;
		put_ts(hdr + 9, h->has_dts ? 3 : 2, h->pts);
		hl += 5;
		if (h->has_dts) {
			put_ts(hdr + 14, 1, h->dts);
			hl += 5;
		}
	}
	hdr[8] = (uint8_t)(hl - 9);
	/* The adaptation field as tsgen_es makes it, then stuffing. */
	af_min = es->rai || es->disc || es->with_pcr ? (es->with_pcr ? 8 : 2) : 0;
	room = TS_SIZE - 4 - af_min - hl;
	if (len > room)
		len = room;
	af_len = TS_SIZE - 4 - hl - len; /* whole field, length byte included */
	es->pusi = true;
	tsgen_es(p, es);
	if (af_len) {
		/* the length byte, the flags and a PCR as tsgen_es wrote them */
		size_t fixed = af_min ? af_min : af_len > 1 ? 2 : 1;

		p[3] |= 0x20;
		p[4] = (uint8_t)(af_len - 1);
		if (!af_min && af_len > 1)
			p[5] = 0;
		memset(p + 4 + fixed, 0xff, af_len - fixed);
	}
	off = 4 + af_len;
	memcpy(p + off, hdr, hl);
	memcpy(p + off + hl, data, len);
	return len;
}

void tsgen_null(uint8_t *p)
{
	header(p, TS_PID_NULL, false, 1, 0);
}

static char chan_frame_start(struct tsgen_chan *c, uint8_t *p)
{
	static const uint8_t idr[] = { 0, 0, 0, 1, 0x09, 0xf0, 0, 0, 0, 1, 0x67, 0x42, 0xc0, 0x1e, 0xd9,
				       0, 0, 0, 1, 0x68, 0xce, 0x3c, 0x80, 0, 0, 1, 0x65, 0x88, 0x84, 0x00 };
	static const uint8_t pframe[] = { 0, 0, 0, 1, 0x09, 0x30, 0, 0, 1, 0x41, 0x98, 0x84, 0x00 };
	bool key = c->frame % c->gop == 0;
	uint64_t t = c->pts0 + c->frame * 3600;
	struct tsgen_pes h = { 0xe0, true, true, (t + 7200) % ((uint64_t)1 << 33), (t + 3600) % ((uint64_t)1 << 33) };

	c->v.rai = key || c->rai_on_p;
	c->v.with_pcr = true;
	c->v.pcr = t * 300;
	if (key)
		tsgen_pes(p, &c->v, &h, idr, sizeof(idr));
	else
		tsgen_pes(p, &c->v, &h, pframe, sizeof(pframe));
	c->v.rai = c->v.with_pcr = false;
	return key ? 'I' : 'F';
}

static char chan_audio(struct tsgen_chan *c, uint8_t *p)
{
	static const uint8_t adts[] = { 0xff, 0xf1, 0x50, 0x80, 0x02, 0x1f, 0xfc };
	struct tsgen_pes h = { 0xc0, true, false, (c->pts0 + c->frame * 3600 + 9000) % ((uint64_t)1 << 33), 0 };
	bool pusi = c->audio_pusi = !c->audio_pusi;

	if (!pusi) {
		c->a.pusi = false;
		tsgen_es(p, &c->a);
		return 'a';
	}
	if (!c->video_type) { /* a radio channel keeps the PCR on its audio */
		c->a.with_pcr = true;
		c->a.pcr = (c->pts0 + c->frame * 3600) * 300;
	}
	tsgen_pes(p, &c->a, &h, adts, sizeof(adts));
	c->a.with_pcr = false;
	return 'A';
}

char tsgen_chan_next(struct tsgen_chan *c, uint8_t *p)
{
	/* steps: [PAT, PMT at a GOP start], then video and audio in turn */
	unsigned psi = c->frame % c->gop == 0 ? 2 : 0, s = c->step++;
	char r;

	c->v.pid = c->video_pid;
	c->a.pid = c->audio_pid;
	if (s < psi) {
		if (s == 0) {
			tsgen_pat(p, c->pmt_pid, c->cc_pat++);
			return 'P';
		}
		tsgen_pmt_type(p, c->pmt_pid, c->video_type ? c->video_pid : c->audio_pid, c->video_pid,
			       c->video_type ? c->video_type : 0x06, c->audio_pid, c->cc_pmt++);
		return 'M';
	}
	s -= psi;
	if (s % 2 == 1 || !c->video_type) {
		r = chan_audio(c, p);
	} else if (s == 0) {
		r = chan_frame_start(c, p);
	} else {
		c->v.pusi = false;
		tsgen_es(p, &c->v);
		r = 'v';
	}
	if (s + 1 >= 2 * c->frame_pkts) {
		c->frame++;
		c->step = 0;
	}
	return r;
}
