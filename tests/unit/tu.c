/* tu: main() for the unit test programs: seed handling and the CUnit run.
 * See tu.h. */
#include "config.h"

#include "tu.h"

#include <CUnit/Basic.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static uint64_t seed, state;

uint64_t tu_seed(void)
{
	return seed;
}

uint64_t tu_rand(void)
{
	uint64_t z = (state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t tu_rand_below(uint64_t n)
{
	return n ? tu_rand() % n : 0;
}

int tu_add_suite(const char *name, const struct tu_test *tests)
{
	CU_pSuite s = CU_add_suite(name, NULL, NULL);

	if (!s)
		return CU_get_error();
	for (; tests->name; tests++)
		if (!CU_add_test(s, tests->name, tests->fn))
			return CU_get_error();
	return 0;
}

static uint64_t pick_seed(void)
{
	const char *env = getenv("SIXCAST_SEED");
	struct timespec ts;

	if (env && *env)
		return strtoull(env, NULL, 0);
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000003ULL ^ (uint64_t)ts.tv_nsec ^ (uint64_t)getpid() << 32;
}

int main(void)
{
	unsigned failed;

	seed = pick_seed();
	state = seed;
	printf("seed: %" PRIu64 " (replay with SIXCAST_SEED=%" PRIu64 ")\n", seed, seed);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 99;
	if (tu_register() != 0) {
		fprintf(stderr, "cannot register tests: %s\n", CU_get_error_msg());
		CU_cleanup_registry();
		return 99;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	if (CU_get_number_of_failure_records() && !failed)
		failed = 1;
	CU_cleanup_registry();
	if (failed)
		printf("FAILED (seed %" PRIu64 ")\n", seed);
	return failed ? 1 : 0;
}
