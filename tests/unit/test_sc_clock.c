/* Unit tests of sc_clock: the fake clock moves only when told, the
 * system clock is monotonic, and the date follows the clock it is read from. */
#include "config.h"

#include "sc_clock.h"
#include "tu.h"

static void test_fake(void)
{
	sc_clock *c = sc_clock_fake_new(5 * SC_NS_PER_S);

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(sc_clock_now_ns(c), 5 * SC_NS_PER_S);
	CU_ASSERT_EQUAL(sc_clock_now_ns(c), 5 * SC_NS_PER_S);
	sc_clock_fake_advance(c, 300 * SC_NS_PER_MS);
	CU_ASSERT_EQUAL(sc_clock_now_ns(c), 5300 * SC_NS_PER_MS);
	sc_clock_fake_set(c, 7 * SC_NS_PER_S);
	CU_ASSERT_EQUAL(sc_clock_now_ns(c), 7 * SC_NS_PER_S);
	sc_clock_fake_set(c, 1); /* never backwards */
	CU_ASSERT_EQUAL(sc_clock_now_ns(c), 7 * SC_NS_PER_S);
	sc_clock_free(c);
}

static void test_system(void)
{
	sc_clock *c = sc_clock_system();
	uint64_t a = sc_clock_now_ns(c), b;

	sc_clock_fake_advance(c, SC_NS_PER_S); /* ignored */
	sc_clock_fake_set(c, 0);
	b = sc_clock_now_ns(c);
	CU_ASSERT(b >= a);
	CU_ASSERT(b - a < SC_NS_PER_S);
	sc_clock_free(c); /* ignored: static */
	sc_clock_free(NULL);
	CU_ASSERT(sc_clock_now_ns(sc_clock_system()) >= b);
}

/* The date: a fixed one moved by a fake clock, the host's otherwise. */
static void test_wall(void)
{
	sc_clock *c = sc_clock_fake_new(5 * SC_NS_PER_S);
	uint64_t w;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(sc_clock_wall_ns(c), SC_CLOCK_FAKE_WALL0_NS + 5 * SC_NS_PER_S);
	sc_clock_fake_advance(c, 90 * SC_NS_PER_S);
	CU_ASSERT_EQUAL(sc_clock_wall_ns(c), SC_CLOCK_FAKE_WALL0_NS + 95 * SC_NS_PER_S);
	sc_clock_free(c);
	/* after 2020-09-13 and before 2286: seconds since 1970, in ns */
	w = sc_clock_wall_ns(sc_clock_system());
	CU_ASSERT(w > 1600000000ULL * SC_NS_PER_S);
	CU_ASSERT(w < 10000000000ULL * SC_NS_PER_S);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "fake clock", test_fake },
		{ "system clock", test_system },
		{ "the date", test_wall },
		{ NULL, NULL },
	};
	return tu_add_suite("sc_clock", tests);
}
