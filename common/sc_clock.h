/* sc_clock: the monotonic clock seam.
 *
 * Everything that reads time (buffers, timers, schedulers, rate limiters)
 * takes an sc_clock rather than calling clock_gettime(), so a unit test can
 * drive time by hand with a fake clock and never sleep. Time is nanoseconds
 * on an arbitrary monotonic origin. */
#ifndef SC_CLOCK_H
#define SC_CLOCK_H

#include <stdint.h>

#define SC_NS_PER_US 1000ULL
#define SC_NS_PER_MS 1000000ULL
#define SC_NS_PER_S 1000000000ULL

typedef struct sc_clock sc_clock;

/* The real CLOCK_MONOTONIC. A static object: never free it. */
sc_clock *sc_clock_system(void);

/* A clock that only moves when told to, starting at start_ns. Returns NULL
 * when out of memory. The caller owns it; free with sc_clock_free(). */
sc_clock *sc_clock_fake_new(uint64_t start_ns);

/* Move a fake clock to now_ns (never backwards: an earlier value is ignored)
 * or forward by delta_ns. No effect on the system clock. */
void sc_clock_fake_set(sc_clock *c, uint64_t now_ns);
void sc_clock_fake_advance(sc_clock *c, uint64_t delta_ns);

/* Free a fake clock; NULL and the system clock are ignored. */
void sc_clock_free(sc_clock *c);

/* Whether this is a fake clock (tests) rather than CLOCK_MONOTONIC. */
int sc_clock_is_fake(const sc_clock *c);

/* Current time of the clock, in nanoseconds. */
uint64_t sc_clock_now_ns(const sc_clock *c);

/* The date (CLOCK_REALTIME, ns since 1970) for what goes on the wire or
 * to disk: certificate validity, message timestamps, records. Under a fake
 * clock it is SC_CLOCK_FAKE_WALL0_NS moved by the fake monotonic time, the
 * same for every object on that clock, so a test of expiry advances one
 * clock and never reads the host's date. */
#define SC_CLOCK_FAKE_WALL0_NS (1700000000ULL * SC_NS_PER_S)
uint64_t sc_clock_wall_ns(const sc_clock *c);

#endif
