/* sc_backoff: exponential backoff with random jitter for retries.
 *
 * A thousand boxes that lost their management server at the same moment
 * must not come back in lockstep: each retry waits a random time in the
 * upper half of the current step ("equal jitter"), and the step doubles
 * from min_ns up to max_ns. A value type: embed it, no _free. */
#ifndef SC_BACKOFF_H
#define SC_BACKOFF_H

#include <stdint.h>

struct sc_backoff {
	uint64_t min_ns, max_ns; /* the first step and the cap; may be changed live */
	uint64_t step_ns;        /* the step of the last delay; 0 after a success */
	uint64_t rng;            /* xorshift64* state, never 0 */
};

/* Steps from min_ns doubling to max_ns (max_ns < min_ns is taken as
 * min_ns). seed 0 takes one from the kernel (getrandom); a test passes
 * its own to replay a run. */
void sc_backoff_init(struct sc_backoff *b, uint64_t min_ns, uint64_t max_ns, uint64_t seed);

/* A success: the next failure starts again from min_ns. */
void sc_backoff_reset(struct sc_backoff *b);

/* A failure: the delay before the next try, in [step/2, step], where
 * step is min_ns at the first failure after a reset and doubles at each
 * one after, up to max_ns. */
uint64_t sc_backoff_next(struct sc_backoff *b);

#endif
