/* Unit tests of mesh_bmap: sliding buffer maps (set, test, slide, export,
 * merge), the media buffer (FIFO by sequence, duplicates, eviction) and
 * strip assignment. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "mesh_bmap.h"
#include "tu.h"

static void test_bmap_basic(void)
{
	struct mesh_bmap m;

	mesh_bmap_clear(&m);
	CU_ASSERT_FALSE(mesh_bmap_test(&m, 0));
	CU_ASSERT_EQUAL(mesh_bmap_set(&m, 100000), 0);
	CU_ASSERT(mesh_bmap_test(&m, 100000));
	CU_ASSERT_FALSE(mesh_bmap_test(&m, 100001));
	CU_ASSERT_FALSE(mesh_bmap_test(&m, 99999));
	CU_ASSERT_EQUAL(mesh_bmap_set(&m, 100000 - MESH_BMAP_BITS + 1), 0);
	CU_ASSERT_EQUAL(mesh_bmap_set(&m, 100000 - MESH_BMAP_BITS), -ERANGE);
	/* sliding forward clears what enters the window */
	CU_ASSERT_EQUAL(mesh_bmap_set(&m, 100000 + 10), 0);
	CU_ASSERT_FALSE(mesh_bmap_test(&m, 100000 - MESH_BMAP_BITS + 1));
	CU_ASSERT(mesh_bmap_test(&m, 100000));
	CU_ASSERT_EQUAL(m.newest, 100010);
	mesh_bmap_unset(&m, 100000);
	CU_ASSERT_FALSE(mesh_bmap_test(&m, 100000));
	/* a long jump empties it */
	CU_ASSERT_EQUAL(mesh_bmap_set(&m, 1000000), 0);
	CU_ASSERT_EQUAL(mesh_bmap_count(&m, 0, 2000000), 1);
}

/* Against a model: a set of sequence numbers within the window. */
static void test_bmap_model(void)
{
	static uint8_t model[1 << 16];
	struct mesh_bmap m;
	uint64_t base = 5000, newest = 0, s;
	unsigned round;

	mesh_bmap_clear(&m);
	memset(model, 0, sizeof(model));
	for (round = 0; round < 20000; round++) {
		uint64_t seq = base + tu_rand_below(newest ? newest - base + 300 : 300);

		if (seq > (1 << 16) - 1)
			break;
		if (mesh_bmap_set(&m, seq) == 0)
			model[seq] = 1;
		if (seq > newest)
			newest = seq;
		if (round % 1000 == 0)
			for (s = base; s <= newest; s++) {
				bool in = newest - s < MESH_BMAP_BITS;

				CU_ASSERT_EQUAL_FATAL(mesh_bmap_test(&m, s), in && model[s]);
			}
	}
}

static void test_export_merge(void)
{
	struct mesh_bmap a, b;
	uint8_t bits[256];
	unsigned i;

	mesh_bmap_clear(&a);
	mesh_bmap_clear(&b);
	for (i = 0; i < 2000; i++)
		if (tu_rand_below(3))
			mesh_bmap_set(&a, 70000 + i);
	mesh_bmap_export(&a, 70000 + 2000 - 1024, 1024, bits);
	mesh_bmap_set(&b, 70000 + 10); /* a mark of our own survives the merge */
	mesh_bmap_merge(&b, 70000 + 2000 - 1024, 1024, bits);
	for (i = 2000 - 1024; i < 2000; i++)
		CU_ASSERT_EQUAL(mesh_bmap_test(&b, 70000 + i), mesh_bmap_test(&a, 70000 + i));
	CU_ASSERT(mesh_bmap_test(&b, 70010));
}

static void test_buffer(void)
{
	struct mesh_buf b;
	uint8_t pkt[100];
	const struct mesh_slot *s;
	uint64_t seq;

	CU_ASSERT_EQUAL(mesh_buf_init(&b, 100), -EINVAL);
	CU_ASSERT_EQUAL_FATAL(mesh_buf_init(&b, 64), 0);
	memset(pkt, 7, sizeof(pkt));
	CU_ASSERT_EQUAL(mesh_buf_put(&b, 1000, pkt, 50, 11, 22), 0);
	CU_ASSERT_EQUAL(mesh_buf_put(&b, 1000, pkt, 50, 11, 22), -EALREADY);
	s = mesh_buf_get(&b, 1000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->len, 50);
	CU_ASSERT_EQUAL(s->src_ts, 11);
	CU_ASSERT_EQUAL(s->arrival_ns, 22);
	/* FIFO by sequence: 64 places up evicts it */
	for (seq = 1001; seq <= 1064; seq++)
		CU_ASSERT_EQUAL(mesh_buf_put(&b, seq, pkt, 10 + seq % 90, seq, seq), 0);
	CU_ASSERT_PTR_NULL(mesh_buf_get(&b, 1000));
	CU_ASSERT_FALSE(mesh_buf_has(&b, 1000));
	CU_ASSERT_EQUAL(mesh_buf_put(&b, 1000, pkt, 50, 11, 22), -ERANGE);
	CU_ASSERT(mesh_buf_has(&b, 1001));
	CU_ASSERT_EQUAL(mesh_buf_oldest(&b), 1001);
	CU_ASSERT_EQUAL(mesh_buf_get(&b, 1030)->len, 10 + 1030 % 90);
	/* a jump forward leaves nothing stale behind */
	CU_ASSERT_EQUAL(mesh_buf_put(&b, 5000, pkt, 20, 0, 0), 0);
	CU_ASSERT_FALSE(mesh_buf_has(&b, 1064));
	CU_ASSERT_PTR_NULL(mesh_buf_get(&b, 1064));
	mesh_buf_reset(&b);
	CU_ASSERT_FALSE(mesh_buf_any(&b));
	/* released: empty, no packet memory held, and usable again */
	CU_ASSERT_EQUAL(mesh_buf_put(&b, 7000, pkt, 30, 0, 0), 0);
	mesh_buf_release(&b);
	CU_ASSERT_FALSE(mesh_buf_any(&b));
	for (unsigned i = 0; i < b.cap; i++)
		CU_ASSERT_PTR_NULL(b.slot[i].data);
	CU_ASSERT_EQUAL(mesh_buf_put(&b, 7001, pkt, 30, 0, 0), 0);
	CU_ASSERT_EQUAL(mesh_buf_get(&b, 7001)->len, 30);
	mesh_buf_fini(&b);
}

static void test_strips(void)
{
	unsigned counts[8] = { 0 }, i;
	uint64_t seq;

	for (seq = 65536; seq < 65536 + 8000; seq++)
		counts[mesh_strip_of(seq, 8)]++;
	for (i = 0; i < 8; i++)
		CU_ASSERT_EQUAL(counts[i], 1000);
	CU_ASSERT_EQUAL(mesh_strip_of(17, 8), 1);
	CU_ASSERT_EQUAL(mesh_strip_of(17, 1), 0);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "buffer map basics", test_bmap_basic },
		{ "buffer map against a model", test_bmap_model },
		{ "export and merge", test_export_merge },
		{ "media buffer", test_buffer },
		{ "strips", test_strips },
		{ NULL, NULL },
	};
	return tu_add_suite("mesh_bmap", tests);
}
