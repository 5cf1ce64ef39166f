/* rtpk: the RTP packetizer for MPEG-TS (RFC 2250 section 2, RFC 3551 PT 33).
 *
 * Seven 188-byte TS packets per RTP packet (1316 bytes of payload, 1328 on
 * the wire: under any metro MTU with room for tunnels), one SSRC per
 * channel, sequence numbers that continue across source restarts, and a
 * 90 kHz timestamp taken from the PCR timeline (pcr.h) of the first TS
 * packet, so the RTP clock runs with the stream's own clock. */
#ifndef RTPK_H
#define RTPK_H

#include <stdbool.h>
#include <stdint.h>

#include "sc_rtp.h"
#include "ts.h"

#define RTPK_TS_PER_PACKET 7
#define RTPK_MAX (SC_RTP_HDR_MIN + RTPK_TS_PER_PACKET * TS_SIZE)

struct rtpk_packet {
	uint8_t buf[RTPK_MAX];
	uint16_t len;
	uint16_t seq;
	uint64_t t27;  /* timeline time of the first TS packet: when to send it */
	bool rap;      /* holds a random access point (see rtpk_add) */
	bool pat;      /* holds a PAT */
};

typedef struct rtpk rtpk;

/* first_seq and ts_offset are the channel's random starting points (RFC
 * 3550 5.1); ssrc identifies the channel. Returns NULL when out of memory. */
rtpk *rtpk_new(uint32_t ssrc, uint16_t first_seq, uint32_t ts_offset);
void rtpk_free(rtpk *pk);

/* Add one TS packet with its timeline time; rap/pat say whether it is a
 * random access point of the video or a PAT (the caller's ts_watch knows).
 * Returns 1 and fills *out when this completes a packet, else 0. */
int rtpk_add(rtpk *pk, const uint8_t *ts, uint64_t t27, bool rap, bool pat, struct rtpk_packet *out);

/* Emit what is buffered as a short packet (end of stream, a stall).
 * Returns 1 and fills *out, or 0 when nothing was buffered. */
int rtpk_flush(rtpk *pk, struct rtpk_packet *out);

/* The sequence number the next packet will carry. */
uint16_t rtpk_next_seq(const rtpk *pk);
uint32_t rtpk_ssrc(const rtpk *pk);

#endif
