/* tsgen: builds MPEG-TS packets for the edge server's unit tests: PAT, PMT,
 * and elementary-stream packets with optional PCR, random access and
 * discontinuity flags. */
#ifndef TSGEN_H
#define TSGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tsgen_es {
	uint16_t pid;
	uint8_t cc;
	bool pusi, rai, disc;
	bool with_pcr;
	uint64_t pcr; /* 27 MHz */
};

/* An elementary-stream packet; advances the CC when it has a payload. */
void tsgen_es(uint8_t *p, struct tsgen_es *es);
/* A PAT naming one program (1) with its PMT on pmt_pid. */
void tsgen_pat(uint8_t *p, uint16_t pmt_pid, uint8_t cc);
/* A PMT for program 1: PCR on pcr_pid, an H.264 stream on video_pid and an
 * AAC stream on audio_pid. */
void tsgen_pmt(uint8_t *p, uint16_t pmt_pid, uint16_t pcr_pid, uint16_t video_pid,
	       uint16_t audio_pid, uint8_t cc);
/* The same with the video's stream_type (0x1b H.264, 0x24 HEVC, 0x02
 * MPEG-2 video, ...). */
void tsgen_pmt_type(uint8_t *p, uint16_t pmt_pid, uint16_t pcr_pid, uint16_t video_pid, uint8_t video_type,
		    uint16_t audio_pid, uint8_t cc);

/* A PES header: stream_id (0xe0 video, 0xc0 audio), PTS and DTS. */
struct tsgen_pes {
	uint8_t stream_id;
	bool has_pts, has_dts;
	uint64_t pts, dts; /* 90 kHz */
};
/* A packet of es starting a PES (PUSI) with header h and then data; the
 * adaptation field (with es's flags and PCR) is stuffed so that the data
 * ends the packet. Returns how many bytes of data fit (the rest is cut). */
size_t tsgen_pes(uint8_t *p, struct tsgen_es *es, const struct tsgen_pes *h, const uint8_t *data, size_t len);
/* A synthetic channel, packet by packet: per video frame a PES start with
 * PCR, PTS and DTS (an H.264 IDR with SPS at the start of each GOP, with
 * RAI, else a P slice), frame_pkts - 1 continuation packets, each video
 * packet followed by an audio packet (two-packet PES with PTS); PAT and
 * PMT before each GOP. video_type 0: a radio channel (audio alone). */
struct tsgen_chan {
	uint16_t pmt_pid, video_pid, audio_pid;
	uint8_t video_type;
	unsigned gop, frame_pkts;
	uint64_t pts0;     /* 90 kHz time of frame 0 */
	bool rai_on_p;     /* a loose muxer: RAI on every frame */
	/* state */
	uint64_t frame;    /* frames begun */
	unsigned step;     /* position in the frame's packets */
	uint8_t cc_pat, cc_pmt;
	struct tsgen_es v, a;
	bool audio_pusi;
};
/* The next packet. Returns what it is: 'P' PAT, 'M' PMT, 'I' a frame
 * start that is a RAP, 'F' another frame start, 'v' video, 'A' an audio
 * PES start, 'a' audio. */
char tsgen_chan_next(struct tsgen_chan *c, uint8_t *p);
/* A null packet. */
void tsgen_null(uint8_t *p);

#endif
