/* Unit tests of tsfix: counters continue across a seam for every PID, AF-
 * only packets keep their counter, and the first PCR after the seam is
 * flagged as a discontinuity. */
#include "config.h"

#include <string.h>

#include "ts.h"
#include "tsfix.h"
#include "tsgen.h"
#include "tu.h"

static void test_seam(void)
{
	tsfix *f = tsfix_new();
	struct tsgen_es v = { .pid = 0x41 }, a = { .pid = 0x42 };
	uint8_t p[TS_SIZE];
	uint8_t last_v = 0, last_a = 0;

	for (int i = 0; i < 10; i++) {
		tsgen_es(p, &v);
		tsfix_packet(f, p);
		last_v = ts_cc(p);
		tsgen_es(p, &a);
		tsfix_packet(f, p);
		last_a = ts_cc(p);
	}
	/* The file loops: input counters restart at 0 (v would say 10). */
	tsfix_seam(f);
	v.cc = 0;
	a.cc = 5;
	v.with_pcr = true;
	v.pcr = 1234;
	tsgen_es(p, &v);
	tsfix_packet(f, p);
	CU_ASSERT_EQUAL(ts_cc(p), (last_v + 1) & 0xf);
	CU_ASSERT(ts_discontinuity(p));
	last_v = ts_cc(p);
	tsgen_es(p, &v); /* the next PCR is not flagged */
	tsfix_packet(f, p);
	CU_ASSERT_EQUAL(ts_cc(p), (last_v + 1) & 0xf);
	CU_ASSERT_FALSE(ts_discontinuity(p));
	tsgen_es(p, &a);
	tsfix_packet(f, p);
	CU_ASSERT_EQUAL(ts_cc(p), (last_a + 1) & 0xf);
	/* The offset stays for later packets of the PID. */
	last_a = ts_cc(p);
	tsgen_es(p, &a);
	tsfix_packet(f, p);
	CU_ASSERT_EQUAL(ts_cc(p), (last_a + 1) & 0xf);
	tsfix_free(f);
}

static void test_no_seam_is_identity(void)
{
	tsfix *f = tsfix_new();
	struct tsgen_es v = { .pid = 0x100, .cc = 7 };
	uint8_t p[TS_SIZE], q[TS_SIZE];

	for (int i = 0; i < 40; i++) {
		v.with_pcr = i % 5 == 0;
		v.pcr = (uint64_t)i * 1000;
		tsgen_es(p, &v);
		memcpy(q, p, TS_SIZE);
		tsfix_packet(f, p);
		CU_ASSERT_EQUAL(memcmp(p, q, TS_SIZE), 0);
	}
	tsfix_free(f);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "counters continue across a seam", test_seam },
		{ "no seam, no change", test_no_seam_is_identity },
		{ NULL, NULL },
	};
	return tu_add_suite("tsfix", tests);
}
