/* Unit tests of rtx_rawbuf: exact bytes, duplicates, memory and time
 * bounds. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "rtx_rawbuf.h"
#include "tu.h"

#define SLOT (200 + sizeof(struct rtx_slot))

static void fill(uint8_t *b, size_t n, uint64_t ext)
{
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (uint8_t)(ext * 31 + i);
}

static void test_put_get_exact(void)
{
	struct rtx_rawbuf *rb = rtx_rawbuf_new(64 * SLOT, 200, 1000);
	uint8_t pkt[200], big[201] = { 0 };
	const uint8_t *p;
	size_t len = 0;
	uint64_t e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(rb);
	CU_ASSERT_EQUAL(rtx_rawbuf_capacity(rb), 64);
	for (e = 100; e < 150; e++) {
		fill(pkt, 10 + e % 150, e);
		CU_ASSERT_EQUAL(rtx_rawbuf_put(rb, e, pkt, 10 + e % 150, 5, e * 10, 0), 0);
	}
	CU_ASSERT_EQUAL(rtx_rawbuf_highest(rb), 149);
	for (e = 100; e < 150; e++) {
		fill(pkt, sizeof(pkt), e);
		p = rtx_rawbuf_get(rb, e, 5, &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		CU_ASSERT_EQUAL(len, 10 + e % 150);
		CU_ASSERT_EQUAL(memcmp(p, pkt, len), 0);
		CU_ASSERT_EQUAL(rtx_rawbuf_meta(rb, e)->due_ns, e * 10);
	}
	CU_ASSERT_EQUAL(rtx_rawbuf_put(rb, 120, pkt, 10, 5, 0, 0), -EEXIST);
	CU_ASSERT_EQUAL(rtx_rawbuf_put(rb, 151, big, sizeof(big), 5, 0, 0), -EMSGSIZE);
	CU_ASSERT_EQUAL(rtx_rawbuf_put(rb, 0, pkt, 10, 5, 0, 0), -ERANGE);
	CU_ASSERT_FALSE(rtx_rawbuf_has(rb, 99));
	CU_ASSERT_FALSE(rtx_rawbuf_has(rb, 0));
	CU_ASSERT_PTR_NULL(rtx_rawbuf_get(rb, 150, 5, &len));
	rtx_rawbuf_free(rb);
	rtx_rawbuf_free(NULL);
}

static void test_memory_bound(void)
{
	struct rtx_rawbuf *rb = rtx_rawbuf_new(16 * SLOT, 200, 1000000);
	uint8_t pkt[50] = { 1 };
	size_t len;
	uint64_t e;

	CU_ASSERT_EQUAL(rtx_rawbuf_capacity(rb), 16);
	for (e = 1; e <= 40; e++)
		CU_ASSERT_EQUAL(rtx_rawbuf_put(rb, e, pkt, sizeof(pkt), 0, 0, 0), 0);
	/* only the last 16 are held; older ones cannot come back */
	CU_ASSERT_FALSE(rtx_rawbuf_has(rb, 24));
	CU_ASSERT_TRUE(rtx_rawbuf_has(rb, 25));
	CU_ASSERT_EQUAL(rtx_rawbuf_put(rb, 24, pkt, sizeof(pkt), 0, 0, 0), -ERANGE);
	CU_ASSERT_EQUAL(rtx_rawbuf_put(rb, 3, pkt, sizeof(pkt), 0, 0, 0), -ERANGE);
	/* a far jump forward overwrites */
	CU_ASSERT_EQUAL(rtx_rawbuf_put(rb, 1000, pkt, sizeof(pkt), 0, 0, 0), 0);
	CU_ASSERT_PTR_NULL(rtx_rawbuf_get(rb, 40, 0, &len));
	CU_ASSERT_FALSE(rtx_rawbuf_has(rb, 1000 - 16));
	rtx_rawbuf_free(rb);
}

static void test_time_bound(void)
{
	struct rtx_rawbuf *rb = rtx_rawbuf_new(16 * SLOT, 200, 1000);
	uint8_t pkt[20] = { 0 };
	size_t len;

	rtx_rawbuf_put(rb, 7, pkt, sizeof(pkt), 500, 0, 0);
	CU_ASSERT_PTR_NOT_NULL(rtx_rawbuf_get(rb, 7, 1500, &len));
	CU_ASSERT_PTR_NULL(rtx_rawbuf_get(rb, 7, 1501, &len));
	/* still there for the playback buffer */
	CU_ASSERT_TRUE(rtx_rawbuf_has(rb, 7));
	CU_ASSERT_PTR_NOT_NULL(rtx_rawbuf_data(rb, 7, &len));
	rtx_rawbuf_clear(rb);
	CU_ASSERT_FALSE(rtx_rawbuf_has(rb, 7));
	CU_ASSERT_EQUAL(rtx_rawbuf_highest(rb), 0);
	rtx_rawbuf_free(rb);
}

static void test_bad_sizes(void)
{
	CU_ASSERT_PTR_NULL(rtx_rawbuf_new(1 << 20, 0, 1));
	CU_ASSERT_PTR_NULL(rtx_rawbuf_new(1 << 20, 70000, 1));
	/* too little memory still gives a usable minimum */
	struct rtx_rawbuf *rb = rtx_rawbuf_new(10, 100, 1);

	CU_ASSERT_PTR_NOT_NULL_FATAL(rb);
	CU_ASSERT_EQUAL(rtx_rawbuf_capacity(rb), 2);
	rtx_rawbuf_free(rb);
}

static void test_random_model(void)
{
	/* Whatever is still held has exactly the bytes put; the newest
	 * capacity numbers can always be put. */
	struct rtx_rawbuf *rb = rtx_rawbuf_new(32 * SLOT, 200, UINT64_MAX);
	uint8_t pkt[200], want[200];
	uint64_t hi = 0, e;
	const uint8_t *p;
	size_t len;
	int i, rc;

	for (i = 0; i < 20000; i++) {
		e = 1 + tu_rand_below(2000) + (uint64_t)i / 4;
		fill(pkt, 1 + e % 199, e);
		rc = rtx_rawbuf_put(rb, e, pkt, 1 + e % 199, 0, 0, 0);
		if (rc == 0 && e > hi)
			hi = e;
		CU_ASSERT_FATAL(rc == 0 || rc == -EEXIST || rc == -ERANGE);
		/* refused only behind the highest, where a newer packet has
		 * its slot */
		if (rc == -ERANGE)
			CU_ASSERT_FATAL(e < hi);
	}
	for (e = hi > 40 ? hi - 40 : 1; e <= hi; e++) {
		p = rtx_rawbuf_data(rb, e, &len);
		if (!p)
			continue;
		fill(want, sizeof(want), e);
		CU_ASSERT_EQUAL_FATAL(len, 1 + e % 199);
		CU_ASSERT_EQUAL_FATAL(memcmp(p, want, len), 0);
	}
	rtx_rawbuf_free(rb);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "put and get exact bytes", test_put_get_exact },
		{ "memory bound", test_memory_bound },
		{ "time bound", test_time_bound },
		{ "bad sizes", test_bad_sizes },
		{ "random against a model", test_random_model },
		{ NULL, NULL },
	};
	return tu_add_suite("rtx_rawbuf", tests);
}
