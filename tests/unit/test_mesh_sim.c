/* The mesh simulation as a unit test (deterministic, seeded from tu_seed):
 * 20 peers over 4 metros behind a source with 3 direct slots, 12 s of a
 * 400 pps stream, with and without loss. What is certain is asserted:
 * every peer plays, no packet is delivered twice, all in order, every one
 * byte-identical to what the source emitted, and without loss nothing is
 * missed after start-up. The figures are the benchmark's business. */
#include "config.h"

#include <stdio.h>

#include "mesh_sim.h"
#include "sc_clock.h"
#include "tu.h"

static void run(double loss, uint64_t churn_ns, struct mesh_sim_result *r)
{
	struct mesh_sim_config c;

	mesh_sim_config_defaults(&c);
	c.peers = 20;
	c.seed = tu_seed();
	c.duration_ns = 12 * SC_NS_PER_S;
	c.loss = loss;
	c.churn_every_ns = churn_ns;
	CU_ASSERT_EQUAL_FATAL(mesh_sim_run(&c, r), 0);
	printf("\n  loss %.3f churn %llu ms: survivors %u continuity avg %.5f min %.5f startup %.0f ms lag %.0f/%.0f ms "
	       "source %.2fx control %.2f%%\n", loss, (unsigned long long)(churn_ns / SC_NS_PER_MS), r->survivors,
	       r->continuity_avg, r->continuity_min, r->startup_avg_ms, r->lag_avg_ms, r->lag_max_ms,
	       r->source_upload_x, 100 * r->control_share);
	CU_ASSERT_EQUAL(r->dup_deliveries, 0);
	CU_ASSERT_EQUAL(r->order_errors, 0);
	CU_ASSERT_EQUAL(r->corrupt, 0);
}

static void test_clean(void)
{
	struct mesh_sim_result r;

	run(0, 0, &r);
	CU_ASSERT_EQUAL(r.survivors, 20);
	CU_ASSERT_EQUAL(r.lost, 0); /* continuity with no loss: every packet played */
	CU_ASSERT(r.delivered > 20 * 3000);
	/* the source serves its direct children only, whatever the peers */
	CU_ASSERT(r.source_upload_x <= 4.0);
}

static void test_lossy(void)
{
	struct mesh_sim_result r;

	run(0.01, 0, &r);
	CU_ASSERT_EQUAL(r.survivors, 20);
	CU_ASSERT(r.delivered > 20 * 3000);
}

static void test_churn(void)
{
	struct mesh_sim_result r;

	run(0, 1500 * SC_NS_PER_MS, &r);
	CU_ASSERT(r.kills > 0);
	CU_ASSERT(r.survivors > 0);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "20 peers, no loss", test_clean },
		{ "20 peers, 1% loss on every link", test_lossy },
		{ "20 peers with churn", test_churn },
		{ NULL, NULL },
	};
	return tu_add_suite("mesh_sim", tests);
}
