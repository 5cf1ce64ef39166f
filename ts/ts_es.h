/* ts_es: what the elementary stream says at the start of a PES packet:
 * its timestamps, and whether a decoder can start there (a random access
 * point, RAP).
 *
 * The adaptation field's random_access_indicator (RAI) is only what the
 * muxer claims, and muxers set it loosely (on every I picture, on open-GOP
 * pictures, on nothing at all). So a RAP is read from the video itself, in
 * the first TS packet of the PES (the one with payload_unit_start):
 *
 *   H.264 (stream_type 0x1b): an IDR slice (NAL type 5); or a non-IDR
 *     slice whose slice_type is I or SI (2, 4, 7, 9) preceded in the same
 *     packet by a sequence parameter set (NAL type 7): the broadcast
 *     convention (ETSI TS 101 154) for an open-GOP I picture. Its leading
 *     B pictures may reference the previous GOP and come out damaged; the
 *     picture itself and everything after it in display order decode.
 *   HEVC (0x24): an IRAP picture, NAL types 16-21 (BLA, IDR, CRA). A CRA
 *     is accepted: open-GOP encoders (x265 by default) make no other RAP
 *     after the first picture. The RASL pictures that follow a CRA
 *     reference the previous GOP; a decoder that starts at the CRA drops
 *     them (H.265 8.1.3, NoRaslOutputFlag: ffmpeg, GStreamer and VLC do),
 *     so nothing is rewritten here. Reserved IRAP types (22, 23): unknown.
 *   MPEG-1/2 video (0x01, 0x02): a sequence header (start code 0xB3)
 *     followed in the packet by a picture header whose
 *     picture_coding_type is I (1).
 *
 * Parameter sets, AUDs, SEI, GOP headers and other non-picture units are
 * skipped until the first picture's slice (picture header for MPEG-2). If
 * that is not within the packet (an access unit opened by a long SEI, such
 * as the encoder's settings x264 and x265 write into their first picture),
 * if the packet or PES is scrambled, or if the codec is none of the above,
 * the answer is TS_ES_UNKNOWN, never a guess. ts_es_is_rap() then falls
 * back on the RAI.
 *
 * PES packet header (ISO/IEC 13818-1, 2.4.3.6), for the stream_ids that
 * have the optional header (not padding, private_2, ECM, EMM, DSM-CC,
 * program stream map/directory, H.222.1 type E):
 *  +----------------+-----------+---------------+
 *  | 0x000001 (24)  | stream_id | PES_packet_   |
 *  |                |    (8)    | length (16)   |
 *  +----+------+---+---+---+---+--------------+------------+----------+
 *  | 10 | scr  |pri|ali|cpy|org| PTS_DTS (2)  | 6 flags    | header_  |
 *  | (2)| (2)  |   |   |   |   | ESCR,rate... |            | len (8)  |
 *  +----+------+---+---+---+---+--------------+------------+----------+
 *  | PTS (40) when PTS_DTS is 10 or 11 | DTS (40) when 11 | ... stuffing
 *  +-----------------------------------+------------------+
 *  A timestamp field: prefix (4) ts[32..30] (3) marker (1) ts[29..15] (15)
 *  marker (1) ts[14..0] (15) marker (1); 90 kHz, 33 bits. */
#ifndef TS_ES_H
#define TS_ES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TS_PTS_WRAP ((uint64_t)1 << 33)

enum ts_es_rap {
	TS_ES_UNKNOWN = 0, /* the packet does not tell (see above) */
	TS_ES_RAP,         /* a decoder can start at this packet */
	TS_ES_NOT_RAP,     /* a picture that is no random access point, or no PES start */
};

/* What a PES header holds. Offsets are from the start of the PES (its
 * 0x000001), so that a caller can rewrite a timestamp in place. */
struct ts_pes {
	uint8_t stream_id;
	uint16_t packet_length;  /* PES_packet_length: 0 = unbounded (video) */
	size_t header_len;       /* bytes before the elementary stream data */
	bool scrambled;          /* PES_scrambling_control != 00 */
	bool has_pts, has_dts;
	uint64_t pts, dts;       /* 90 kHz, 33 bits */
	size_t pts_off, dts_off; /* where the 5-byte fields are */
};

/* Parse a PES header from the len bytes at pes. Returns 0; -ENOMSG for a
 * stream_id without the optional header (header_len is then 6 and no
 * timestamp is set); -EBADMSG when it is no PES start or malformed;
 * -EMSGSIZE when the header does not fit in len. */
int ts_pes_parse(const uint8_t *pes, size_t len, struct ts_pes *out);

/* The PES header of a validated TS packet that starts one (PUSI), with
 * *pes pointing at its first byte inside the packet. Returns as
 * ts_pes_parse(), and -EAGAIN for a packet without PUSI or payload. */
int ts_es_pes(const uint8_t *p, struct ts_pes *out, const uint8_t **pes);

/* Read and write a 5-byte PTS/DTS field (the diagram above); writing keeps
 * the field's 4-bit prefix and sets the marker bits. */
uint64_t ts_pes_get_ts(const uint8_t *field);
void ts_pes_put_ts(uint8_t *field, uint64_t t);

/* Whether a validated TS packet of a video stream of this stream_type
 * starts at a random access point, from the elementary stream alone. */
enum ts_es_rap ts_es_rap(const uint8_t *p, uint8_t stream_type);

/* The same, falling back on the random_access_indicator when the stream
 * cannot tell; a packet without PUSI is never a RAP. */
bool ts_es_is_rap(const uint8_t *p, uint8_t stream_type);

/* A TS packet (CC 0) on pid holding a PES without timestamps whose
 * payload ends the video sequence of this stream_type: H.264 end of
 * sequence (NAL 10), HEVC end of sequence (NAL 36), MPEG-2
 * sequence_end_code (0xB7). A decoder given it then outputs every picture
 * it holds, and starts the next sequence afresh (an HEVC CRA after it is
 * a start: its RASL pictures are dropped, H.265 8.1.3). Returns 0, or
 * -ENOTSUP for another stream_type. */
int ts_es_end_of_sequence(uint8_t *p, uint16_t pid, uint8_t stream_type);

/* Whether ts_es_rap() knows this stream_type (H.264, HEVC, MPEG-1/2). */
bool ts_es_known_type(uint8_t stream_type);

#endif
