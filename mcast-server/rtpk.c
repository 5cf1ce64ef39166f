/* rtpk: MPEG-TS over RTP packetizer. See rtpk.h. */
#include "config.h"

#include "rtpk.h"

#include <stdlib.h>
#include <string.h>

struct rtpk {
	struct rtpk_packet cur;
	unsigned nts; /* TS packets in cur */
	uint32_t ssrc, ts_offset;
	uint16_t seq;
};

rtpk *rtpk_new(uint32_t ssrc, uint16_t first_seq, uint32_t ts_offset)
{
	rtpk *pk = calloc(1, sizeof(*pk));

	if (!pk)
		return NULL;
	pk->ssrc = ssrc;
	pk->seq = first_seq;
	pk->ts_offset = ts_offset;
	return pk;
}

void rtpk_free(rtpk *pk)
{
	free(pk);
}

static void finish(rtpk *pk, struct rtpk_packet *out)
{
	struct sc_rtp_fields f = {
		.marker = 0,
		.payload_type = SC_RTP_PT_MP2T,
		.seq = pk->seq,
		/* 27 MHz / 300 = 90 kHz; wraps modulo 2^32 as RTP expects. */
		.timestamp = (uint32_t)(pk->cur.t27 / 300) + pk->ts_offset,
		.ssrc = pk->ssrc,
	};

	sc_rtp_write(pk->cur.buf, sizeof(pk->cur.buf), &f);
	pk->cur.len = (uint16_t)(SC_RTP_HDR_MIN + pk->nts * TS_SIZE);
	pk->cur.seq = pk->seq++;
	*out = pk->cur;
	pk->nts = 0;
	pk->cur.rap = pk->cur.pat = false;
}

int rtpk_add(rtpk *pk, const uint8_t *ts, uint64_t t27, bool rap, bool pat, struct rtpk_packet *out)
{
	if (pk->nts == 0)
		pk->cur.t27 = t27;
	memcpy(pk->cur.buf + SC_RTP_HDR_MIN + pk->nts * TS_SIZE, ts, TS_SIZE);
	pk->nts++;
	pk->cur.rap |= rap;
	pk->cur.pat |= pat;
	if (pk->nts < RTPK_TS_PER_PACKET)
		return 0;
	finish(pk, out);
	return 1;
}

int rtpk_flush(rtpk *pk, struct rtpk_packet *out)
{
	if (pk->nts == 0)
		return 0;
	finish(pk, out);
	return 1;
}

uint16_t rtpk_next_seq(const rtpk *pk)
{
	return pk->seq;
}

uint32_t rtpk_ssrc(const rtpk *pk)
{
	return pk->ssrc;
}
