/* rtx_seq: sequence number extension and restart detection. See rtx_seq.h. */
#include "config.h"

#include "rtx_seq.h"

#define RTX_SEQ_BASE 65536u

void rtx_seq_init(struct rtx_seq *s, uint32_t max_dropout, uint32_t max_misorder)
{
	s->max_dropout = max_dropout;
	s->max_misorder = max_misorder;
	rtx_seq_reset(s);
}

void rtx_seq_reset(struct rtx_seq *s)
{
	s->started = false;
	s->ssrc = 0;
	s->max_ext = 0;
	s->have_cand = false;
	s->cand_ssrc = 0;
	s->cand_seq = 0;
}

static enum rtx_seq_verdict start(struct rtx_seq *s, uint16_t seq, uint32_t ssrc, uint64_t *ext)
{
	s->started = true;
	s->ssrc = ssrc;
	s->max_ext = RTX_SEQ_BASE + seq;
	s->have_cand = false;
	*ext = s->max_ext;
	return RTX_SEQ_START;
}

/* Outside the window: remember it, or restart if it continues the last
 * candidate. */
static enum rtx_seq_verdict candidate(struct rtx_seq *s, uint16_t seq, uint32_t ssrc,
				      uint64_t *ext)
{
	if (s->have_cand && s->cand_ssrc == ssrc && (uint16_t)(s->cand_seq + 1) == seq)
		return start(s, seq, ssrc, ext);
	s->have_cand = true;
	s->cand_ssrc = ssrc;
	s->cand_seq = seq;
	return RTX_SEQ_PROBATION;
}

enum rtx_seq_verdict rtx_seq_update(struct rtx_seq *s, uint16_t seq, uint32_t ssrc,
				    uint64_t *ext)
{
	uint16_t fwd;

	if (!s->started)
		return start(s, seq, ssrc, ext);
	if (ssrc != s->ssrc)
		return candidate(s, seq, ssrc, ext);
	fwd = (uint16_t)(seq - (uint16_t)s->max_ext);
	if (fwd < s->max_dropout) {
		s->max_ext += fwd;
		s->have_cand = false;
		*ext = s->max_ext;
		return RTX_SEQ_OK;
	}
	/* Behind the highest: a reordered or duplicate packet. */
	if ((uint32_t)(65536u - fwd) <= s->max_misorder && s->max_ext > 65536u - fwd) {
		*ext = s->max_ext - (65536u - fwd);
		return RTX_SEQ_OK;
	}
	return candidate(s, seq, ssrc, ext);
}

uint64_t rtx_seq_nearest(const struct rtx_seq *s, uint16_t seq)
{
	int16_t d;

	if (!s->started)
		return 0;
	d = (int16_t)(uint16_t)(seq - (uint16_t)s->max_ext);
	if (d < 0 && (uint64_t)(-(int32_t)d) >= s->max_ext)
		return 0;
	return s->max_ext + (int64_t)d;
}
