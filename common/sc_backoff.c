/* sc_backoff: doubling steps, a random delay in the upper half of each. */
#include "config.h"

#include "sc_backoff.h"

#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static uint64_t seed_from_kernel(void)
{
	uint64_t s = 0;
	struct timespec ts;

	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) == (ssize_t)sizeof(s) && s)
		return s;
	/* No entropy yet (early boot): differs between boxes all the same. */
	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 40);
}

void sc_backoff_init(struct sc_backoff *b, uint64_t min_ns, uint64_t max_ns, uint64_t seed)
{
	b->min_ns = min_ns;
	b->max_ns = max_ns;
	b->step_ns = 0;
	b->rng = seed ? seed : seed_from_kernel();
	if (!b->rng)
		b->rng = 0x9e3779b97f4a7c15ULL;
}

void sc_backoff_reset(struct sc_backoff *b)
{
	b->step_ns = 0;
}

static uint64_t next_rand(struct sc_backoff *b)
{
	b->rng ^= b->rng >> 12;
	b->rng ^= b->rng << 25;
	b->rng ^= b->rng >> 27;
	return b->rng * 0x2545f4914f6cdd1dULL;
}

uint64_t sc_backoff_next(struct sc_backoff *b)
{
	uint64_t cap = b->max_ns > b->min_ns ? b->max_ns : b->min_ns, half;

	b->step_ns = b->step_ns ? b->step_ns * 2 : b->min_ns;
	if (b->step_ns > cap)
		b->step_ns = cap;
	half = b->step_ns / 2;
	return b->step_ns - half + next_rand(b) % (half + 1);
}
