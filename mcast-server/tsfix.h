/* tsfix: keeps a channel's output a single continuous transport stream
 * across the seams of its input: a looped file, a restarted source.
 *
 * At a seam (tsfix_seam) the input's continuity counters start over and its
 * PCRs jump. Downstream a set-top box would count every PID's jump as loss.
 * So the counters are rewritten per PID to continue where the output left
 * off, and the first PCR after the seam gets its discontinuity_indicator
 * set, which tells decoders to re-lock their clock rather than stall. */
#ifndef TSFIX_H
#define TSFIX_H

#include <stdint.h>

typedef struct tsfix tsfix;

/* Returns NULL when out of memory. */
tsfix *tsfix_new(void);
void tsfix_free(tsfix *f);

/* The input starts over after this point. */
void tsfix_seam(tsfix *f);

/* Rewrite one validated TS packet in place. */
void tsfix_packet(tsfix *f, uint8_t *ts);

#endif
