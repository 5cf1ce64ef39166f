/* Unit tests of sc_backoff: each delay lies in the upper half of a step
 * that doubles to the cap, a success starts again from the first step, and
 * boxes with different seeds do not retry in lockstep. */
#include "config.h"

#include "sc_backoff.h"
#include "sc_clock.h"
#include "tu.h"

static uint64_t seed(void)
{
	return tu_rand() | 1;
}

/* Steps 0.5, 1, 2, 4, 8, 8 s: every delay in [step/2, step]. */
static void test_steps(void)
{
	static const uint64_t step[] = { 500, 1000, 2000, 4000, 8000, 8000, 8000 };
	struct sc_backoff b;

	sc_backoff_init(&b, 500 * SC_NS_PER_MS, 8 * SC_NS_PER_S, seed());
	for (int round = 0; round < 2; round++) {
		for (size_t i = 0; i < sizeof(step) / sizeof(step[0]); i++) {
			uint64_t d = sc_backoff_next(&b), s = step[i] * SC_NS_PER_MS;

			CU_ASSERT(d >= s / 2 && d <= s);
			CU_ASSERT_EQUAL(b.step_ns, s);
		}
		sc_backoff_reset(&b);
		CU_ASSERT_EQUAL(b.step_ns, 0);
	}
}

/* A cap below the first step, and a cap lowered live. */
static void test_caps(void)
{
	struct sc_backoff b;
	uint64_t d;

	sc_backoff_init(&b, SC_NS_PER_S, 10 * SC_NS_PER_MS, seed());
	d = sc_backoff_next(&b);
	CU_ASSERT(d >= SC_NS_PER_S / 2 && d <= SC_NS_PER_S);
	sc_backoff_init(&b, SC_NS_PER_S, 60 * SC_NS_PER_S, seed());
	for (int i = 0; i < 5; i++)
		sc_backoff_next(&b);
	b.max_ns = 4 * SC_NS_PER_S;
	d = sc_backoff_next(&b);
	CU_ASSERT(d <= 4 * SC_NS_PER_S);
	CU_ASSERT_EQUAL(b.step_ns, 4 * SC_NS_PER_S);
}

/* 1000 boxes that failed at the same moment: after 6 failures their
 * retries spread over the step's upper half (no instant shared by more
 * than a few), and a box with seed 0 draws its own from the kernel. */
static void test_spread(void)
{
	enum { BOXES = 1000, BUCKETS = 100 };
	static unsigned bucket[BUCKETS];
	struct sc_backoff a, b;
	unsigned worst = 0;

	for (int i = 0; i < BOXES; i++) {
		struct sc_backoff x;
		uint64_t at = 0;

		sc_backoff_init(&x, 500 * SC_NS_PER_MS, 60 * SC_NS_PER_S, seed());
		for (int k = 0; k < 6; k++)
			at += sc_backoff_next(&x);
		/* 6 steps: 0.25..0.5 + 0.5..1 + ... + 8..16 s = 15.75..31.5 s */
		CU_ASSERT(at >= 15750 * SC_NS_PER_MS && at <= 31500 * SC_NS_PER_MS);
		bucket[(at - 15750 * SC_NS_PER_MS) * BUCKETS / (15750 * SC_NS_PER_MS + 1)]++;
	}
	for (int i = 0; i < BUCKETS; i++)
		worst = bucket[i] > worst ? bucket[i] : worst;
	CU_ASSERT(worst < BOXES / 10);
	sc_backoff_init(&a, SC_NS_PER_S, 60 * SC_NS_PER_S, 0);
	sc_backoff_init(&b, SC_NS_PER_S, 60 * SC_NS_PER_S, 0);
	CU_ASSERT_NOT_EQUAL(a.rng, b.rng);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "doubling steps, delays in their upper half", test_steps },
		{ "caps", test_caps },
		{ "a thousand boxes do not retry in lockstep", test_spread },
		{ NULL, NULL },
	};
	return tu_add_suite("sc_backoff", tests);
}
