/* rtx_seq: 16-bit RTP sequence numbers extended to 64 bits across wrap, and
 * detection of a source restart.
 *
 * Extended numbers start at 65536 + the first sequence number, so that a
 * packet up to max_misorder behind the first one still extends to a positive
 * value and 0 is never a valid extended number (callers use 0 as "none").
 * The low 16 bits of an extended number are always the wire number.
 *
 * A packet far outside the window (a jump of max_dropout or more, or from a
 * new SSRC) is not trusted on its own: it becomes a restart candidate, and
 * only the next packet continuing it (same SSRC, next number) confirms the
 * restart. A stray packet thus never resets a stream (RFC 3550, A.1). */
#ifndef RTX_SEQ_H
#define RTX_SEQ_H

#include <stdbool.h>
#include <stdint.h>

struct rtx_seq {
	bool started;
	uint32_t ssrc;
	uint64_t max_ext;      /* highest extended number accepted */
	uint32_t max_dropout;  /* forward jump beyond which a restart is suspected */
	uint32_t max_misorder; /* how far behind max a packet still belongs */
	bool have_cand;        /* a restart candidate is pending */
	uint32_t cand_ssrc;
	uint16_t cand_seq;
};

enum rtx_seq_verdict {
	RTX_SEQ_OK,      /* *ext set; in the current stream */
	RTX_SEQ_START,   /* *ext set; first packet, or a confirmed restart */
	RTX_SEQ_PROBATION, /* outside the window: a restart candidate, dropped */
};

/* Start empty with the given limits (both > 0 and < 32768). */
void rtx_seq_init(struct rtx_seq *s, uint32_t max_dropout, uint32_t max_misorder);
/* Forget the stream; the next packet starts a new one. */
void rtx_seq_reset(struct rtx_seq *s);

/* Place a multicast packet (seq, ssrc). Returns a verdict; *ext is set for
 * RTX_SEQ_OK and RTX_SEQ_START. max_ext advances only with new highs. */
enum rtx_seq_verdict rtx_seq_update(struct rtx_seq *s, uint16_t seq, uint32_t ssrc,
				    uint64_t *ext);

/* Extend a 16-bit number to the nearest extended number around max_ext
 * (within -32768..+32767) without changing any state: how repairs and
 * requests, which carry 16-bit numbers, are placed. Returns 0 before the
 * stream started or when the result would not be positive. */
uint64_t rtx_seq_nearest(const struct rtx_seq *s, uint16_t seq);

#endif
