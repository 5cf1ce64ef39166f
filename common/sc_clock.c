/* sc_clock: the real monotonic clock and a hand-driven fake behind one
 * handle type, so production code never knows which one it has. */
#include "config.h"

#include "sc_clock.h"

#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

struct sc_clock {
	bool fake;
	uint64_t now_ns; /* fake clocks only */
};

static sc_clock system_clock = { false, 0 };

sc_clock *sc_clock_system(void)
{
	return &system_clock;
}

sc_clock *sc_clock_fake_new(uint64_t start_ns)
{
	sc_clock *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->fake = true;
	c->now_ns = start_ns;
	return c;
}

void sc_clock_fake_set(sc_clock *c, uint64_t now_ns)
{
	if (c && c->fake && now_ns > c->now_ns)
		c->now_ns = now_ns;
}

void sc_clock_fake_advance(sc_clock *c, uint64_t delta_ns)
{
	if (c && c->fake)
		c->now_ns += delta_ns;
}

void sc_clock_free(sc_clock *c)
{
	if (c && c->fake)
		free(c);
}

int sc_clock_is_fake(const sc_clock *c)
{
	return c && c->fake;
}

uint64_t sc_clock_now_ns(const sc_clock *c)
{
	struct timespec ts;

	if (c && c->fake)
		return c->now_ns;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * SC_NS_PER_S + (uint64_t)ts.tv_nsec;
}

uint64_t sc_clock_wall_ns(const sc_clock *c)
{
	struct timespec ts;

	if (c && c->fake)
		return SC_CLOCK_FAKE_WALL0_NS + c->now_ns;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * SC_NS_PER_S + (uint64_t)ts.tv_nsec;
}
