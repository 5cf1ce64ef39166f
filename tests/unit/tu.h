/* tu: the shared main of sixcast's CUnit test programs.
 *
 * Each test program defines tu_register(), which adds its suites, and links
 * tu.c for main(). main() picks a random seed (or takes SIXCAST_SEED from the
 * environment), prints it, and seeds tu_rand(), so a failure with random
 * inputs is replayed with SIXCAST_SEED=<seed> make check TESTS=... */
#ifndef TU_H
#define TU_H

#include <CUnit/CUnit.h>
#include <stdint.h>

/* Add the program's suites to the CUnit registry. Returns 0, or a CUnit
 * error code. */
int tu_register(void);

/* The seed of this run. */
uint64_t tu_seed(void);

/* A deterministic 64-bit PRNG (splitmix64) seeded by tu_seed(). */
uint64_t tu_rand(void);
/* Uniform in [0, n); n > 0. */
uint64_t tu_rand_below(uint64_t n);

/* Register a suite with tests given as a { "name", fn } array ending in
 * { NULL, NULL }. Returns 0, or a CUnit error code. */
struct tu_test {
	const char *name;
	CU_TestFunc fn;
};
int tu_add_suite(const char *name, const struct tu_test *tests);

#endif
