/* Unit tests of mesh_switch on a fake clock: no multicast after tuning,
 * silence, sustained loss enter mesh mode; only a clean stretch of
 * recover_ns brings the box back (hysteresis). */
#include "config.h"

#include "mesh_switch.h"
#include "sc_clock.h"
#include "tu.h"

#define MS SC_NS_PER_MS
#define T0 (1000 * SC_NS_PER_S)

/* Feed multicast for dur_ms at 1 packet/ms, losing `loss_pm` per mille. */
static uint64_t feed(struct mesh_switch *s, uint64_t t, unsigned dur_ms, unsigned loss_pm, unsigned *switches)
{
	unsigned i;
	bool changed;

	for (i = 0; i < dur_ms; i++, t += MS) {
		if (tu_rand_below(1000) < loss_pm)
			mesh_switch_lost(s, t, 1);
		else
			mesh_switch_received(s, t, 1);
		mesh_switch_poll(s, t, &changed);
		*switches += changed;
	}
	return t;
}

static void test_no_multicast(void)
{
	struct mesh_switch s;

	mesh_switch_init(&s, NULL, T0);
	CU_ASSERT_EQUAL(mesh_switch_poll(&s, T0 + 999 * MS, NULL), MESH_MODE_MULTICAST);
	CU_ASSERT_EQUAL(mesh_switch_poll(&s, T0 + 1000 * MS, NULL), MESH_MODE_MESH);
}

static void test_clean_stays(void)
{
	struct mesh_switch s;
	unsigned sw = 0;
	uint64_t t;

	mesh_switch_init(&s, NULL, T0);
	t = feed(&s, T0 + 10 * MS, 20000, 0, &sw);
	CU_ASSERT_EQUAL(sw, 0);
	/* a little loss is the repair library's business, not a switch, and
	 * so is a 5% or 10% lossy line: repair plays it clean. One stream
	 * without pauses: a pause of seconds is a silence, which switches
	 * when the packet after it is lost (1 seed in 100 did). */
	t = feed(&s, t, 20000, 10, &sw);
	CU_ASSERT_EQUAL(sw, 0);
	t = feed(&s, t, 20000, 50, &sw);
	CU_ASSERT_EQUAL(sw, 0);
	feed(&s, t, 20000, 100, &sw);
	CU_ASSERT_EQUAL(sw, 0);
}

static void test_loss_and_recovery(void)
{
	struct mesh_switch s;
	unsigned sw = 0;
	uint64_t t;

	mesh_switch_init(&s, NULL, T0);
	t = feed(&s, T0, 3000, 0, &sw);
	t = feed(&s, t, 3000, 300, &sw); /* 30 % loss */
	CU_ASSERT_EQUAL(sw, 1);
	CU_ASSERT_EQUAL(s.mode, MESH_MODE_MESH);
	/* clean again, but not for long enough */
	t = feed(&s, t, 4000, 0, &sw);
	CU_ASSERT_EQUAL(s.mode, MESH_MODE_MESH);
	/* loss again resets the clean stretch */
	t = feed(&s, t, 1000, 300, &sw);
	t = feed(&s, t, 5000, 0, &sw);
	CU_ASSERT_EQUAL(s.mode, MESH_MODE_MESH);
	t = feed(&s, t, 3000, 0, &sw);
	CU_ASSERT_EQUAL(s.mode, MESH_MODE_MULTICAST);
	CU_ASSERT_EQUAL(sw, 2);
	CU_ASSERT_EQUAL(s.switches, 2);
	(void)t;
}

static void test_silence(void)
{
	struct mesh_switch s;
	unsigned sw = 0;
	uint64_t t;

	mesh_switch_init(&s, NULL, T0);
	t = feed(&s, T0, 2000, 0, &sw);
	CU_ASSERT_EQUAL(mesh_switch_poll(&s, t + 400 * MS, NULL), MESH_MODE_MULTICAST);
	CU_ASSERT_EQUAL(mesh_switch_poll(&s, t + 600 * MS, NULL), MESH_MODE_MESH);
	CU_ASSERT(mesh_switch_loss(&s, t + 600 * MS) == 0.0);
}

/* Flapping multicast (1 s on, 1 s off) never brings the box back. */
static void test_flapping(void)
{
	struct mesh_switch s;
	unsigned sw = 0, k;
	uint64_t t;

	mesh_switch_init(&s, NULL, T0);
	t = feed(&s, T0, 2000, 0, &sw);
	for (k = 0; k < 20; k++) {
		t += 1000 * MS;
		mesh_switch_poll(&s, t, NULL);
		t = feed(&s, t, 1000, 0, &sw);
	}
	CU_ASSERT_EQUAL(s.mode, MESH_MODE_MESH);
	CU_ASSERT_EQUAL(s.switches, 1);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "no multicast after tuning", test_no_multicast },
		{ "clean multicast stays", test_clean_stays },
		{ "loss, then recovery with hysteresis", test_loss_and_recovery },
		{ "silence", test_silence },
		{ "flapping multicast", test_flapping },
		{ NULL, NULL },
	};
	return tu_add_suite("mesh_switch", tests);
}
