/* ts_cc: continuity counters that go on across a seam.
 *
 * Where a stream is cut and another (or the same file from its start)
 * follows, each PID's continuity_counter (ISO/IEC 13818-1, 2.4.3.3) would
 * jump, and a player counts the jump as lost packets. A ts_cc rewrites the
 * counters of what follows a seam so that each PID's first packet after it
 * continues from the last counter sent (+1 with a payload), and keeps that
 * offset for the PID until the next seam. Used by the edge's looped files
 * (mcast-server/tsfix.c) and by the box's splice of channels and
 * restarted sources (ts_splice.c).
 *
 * A value the caller embeds (24 KiB: a counter, an offset and a flag for
 * each of the 8192 PIDs); no allocation. */
#ifndef TS_CC_H
#define TS_CC_H

#include <stdint.h>

#define TS_CC_PIDS 8192

struct ts_cc {
	uint8_t last[TS_CC_PIDS];   /* last counter out per PID, 0xff before any */
	uint8_t off[TS_CC_PIDS];    /* added to the input counter, mod 16 */
	uint8_t relink[TS_CC_PIDS]; /* the PID's next packet follows a seam */
};

/* No counter out yet, no seam. */
void ts_cc_init(struct ts_cc *c);
/* What comes next follows a seam, on every PID. */
void ts_cc_seam(struct ts_cc *c);
/* Rewrite the counter of a validated 188-byte packet going out (null
 * packets are left alone: their counter means nothing). */
void ts_cc_apply(struct ts_cc *c, uint8_t *p);
/* Give a packet the caller inserts (it carries a payload) the counter that
 * continues its PID's. */
void ts_cc_insert(struct ts_cc *c, uint8_t *p);

#endif
