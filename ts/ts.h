/* ts: MPEG transport stream packet accessors (ISO/IEC 13818-1, 2.4.3).
 *
 *  Transport packet, 188 bytes:
 *  +--------+---+---+---+-------------+------+------+------+----------------+
 *  |  sync  |TEI|PUS|PRI|     PID     | TSC  | AFC  |  CC  | adaptation ... |
 *  |  0x47  | 1 | 1 | 1 |     13      |  2   |  2   |  4   | payload ...    |
 *  +--------+---+---+---+-------------+------+------+------+----------------+
 *  Adaptation field (AFC bit 1): length (8), then flags (8):
 *  discontinuity(1) random_access(1) es_priority(1) PCR(1) OPCR(1)
 *  splicing(1) private(1) extension(1); then PCR when flagged:
 *  program_clock_reference_base (33) reserved (6) extension (9).
 *
 * All accessors take a whole 188-byte packet; ts_check() validates one
 * first and says what is wrong with it, so nothing after it reads out of
 * bounds whatever the adaptation field length claims. */
#ifndef TS_H
#define TS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TS_SIZE 188
#define TS_SYNC 0x47
#define TS_PID_PAT 0x0000
#define TS_PID_NULL 0x1fff
#define TS_PCR_HZ 27000000ULL /* PCR ticks per second */
#define TS_PCR_WRAP (((uint64_t)1 << 33) * 300) /* the 33-bit base wraps */

/* What ts_check() finds wrong with a packet. */
enum ts_err {
	TS_OK = 0,
	TS_ESYNC,   /* first byte is not 0x47 */
	TS_EAFLEN,  /* adaptation field longer than the packet */
	TS_EAFC,    /* adaptation_field_control 00 (reserved) */
};

/* Validate one 188-byte packet. */
enum ts_err ts_check(const uint8_t *p);
const char *ts_strerror(enum ts_err e);

static inline uint16_t ts_pid(const uint8_t *p) { return (uint16_t)((p[1] & 0x1f) << 8 | p[2]); }
static inline bool ts_pusi(const uint8_t *p) { return p[1] & 0x40; }
static inline bool ts_tei(const uint8_t *p) { return p[1] & 0x80; }
static inline uint8_t ts_cc(const uint8_t *p) { return p[3] & 0x0f; }
static inline bool ts_has_af(const uint8_t *p) { return p[3] & 0x20; }
static inline bool ts_has_payload(const uint8_t *p) { return p[3] & 0x10; }

/* Flags of a validated packet's adaptation field (false without one). */
bool ts_random_access(const uint8_t *p);
bool ts_discontinuity(const uint8_t *p);
/* The PCR of a validated packet in 27 MHz ticks, if it carries one. */
bool ts_pcr(const uint8_t *p, uint64_t *pcr);

/* Rewrite the PCR of a validated packet that carries one (ts_pcr() is
 * true); pcr in 27 MHz ticks, taken modulo TS_PCR_WRAP. */
void ts_set_pcr(uint8_t *p, uint64_t pcr);

/* Where a validated packet's payload starts and how long it is; 0 when it
 * has none. */
size_t ts_payload(const uint8_t *p, const uint8_t **payload);

/* Programs found in a PAT and streams in a PMT (2.4.4.3, 2.4.4.8), from a
 * section that starts in one packet (sections spanning packets are not
 * needed for PAT/PMT of a handful of streams; they are reported as
 * -EMSGSIZE). */
#define TS_MAX_STREAMS 16
struct ts_pmt {
	uint16_t program;
	uint16_t pcr_pid;
	unsigned nstreams;
	struct {
		uint8_t type; /* stream_type: 0x1b H.264, 0x24 HEVC, 0x0f AAC, ... */
		uint16_t pid;
	} streams[TS_MAX_STREAMS];
};

/* First program's PMT PID from a PAT packet. Returns 0, -EAGAIN when the
 * packet does not start a PAT section, -EBADMSG when it is malformed,
 * -EMSGSIZE when the section spans packets, -ENOENT with no program. */
int ts_pat_first_pmt(const uint8_t *p, uint16_t *pmt_pid);
/* Parse a PMT packet. Same returns as ts_pat_first_pmt(). */
int ts_pmt_parse(const uint8_t *p, struct ts_pmt *out);

/* version_number (5 bits) of the PAT or PMT section starting in a
 * validated packet; returns it, or the negative errno of
 * ts_pat_first_pmt(). Setting it recomputes the CRC: 0 or a negative
 * errno, the packet then unchanged. Any table_id is taken. */
int ts_psi_version(const uint8_t *p);
int ts_psi_set_version(uint8_t *p, unsigned version);

/* The MPEG-2 CRC-32 of PSI sections (polynomial 0x04C11DB7). */
uint32_t ts_crc32(const uint8_t *data, size_t len);

/* Whether a stream type carries video (MPEG-2, H.264, HEVC, ...). */
bool ts_stream_is_video(uint8_t type);

#endif
