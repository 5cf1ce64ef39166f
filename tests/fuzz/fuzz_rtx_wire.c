/* libFuzzer target: the repair protocol's decoders (rtx_wire_parse,
 * rtx_list_parse/foreach, rtx_repair_parse, rtx_peek) on arbitrary bytes,
 * and the list encoder on whatever numbers a parsed list names (what it
 * writes must parse back to the same numbers). Build with
 * ./configure CC=clang --enable-fuzzers; run e.g.
 *   build/tests/fuzz/fuzz_rtx_wire -max_total_time=600 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "rtx_wire.h"

struct acc {
	uint64_t exts[4096];
	size_t n;
};

static void collect(void *ctx, uint16_t seq)
{
	struct acc *a = ctx;

	a->exts[a->n++] = 65536u + seq;
}

static int cmp(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

static void round_trip(struct acc *a)
{
	static uint8_t body[65536];
	struct rtx_list l;
	struct acc back;
	size_t i, k = 0, used;
	int len;

	qsort(a->exts, a->n, sizeof(a->exts[0]), cmp);
	for (i = 0; i < a->n; i++)
		if (k == 0 || a->exts[k - 1] != a->exts[i])
			a->exts[k++] = a->exts[i];
	len = rtx_list_build(body, sizeof(body), 1, 2, a->exts, k, &used);
	if (len < 0 || used != k || rtx_list_parse(body, (size_t)len, &l) != 0)
		abort();
	back.n = 0;
	if (rtx_list_foreach(&l, 4096, collect, &back) != k)
		abort();
}

static void body_decoders(const struct rtx_hdr *h)
{
	static struct acc a;
	struct rtx_list l;
	struct rtx_repair r;

	if (rtx_list_parse(h->body, h->body_len, &l) == 0) {
		a.n = 0;
		rtx_list_foreach(&l, 4096, collect, &a);
		round_trip(&a);
	}
	if (rtx_repair_parse(h->body, h->body_len, &r) == 0 &&
	    (r.rtp < h->body || r.rtp + r.rtp_len > h->body + h->body_len))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtx_hdr h;
	struct rtx_msg_info info;
	struct rtx_list l;

	rtx_peek(data, size, &info);
	if (rtx_wire_parse(data, size, &h) == 0)
		body_decoders(&h);
	/* the body decoders on raw bytes too, without the header's help */
	if (rtx_list_parse(data, size, &l) == 0) {
		static struct acc a;

		a.n = 0;
		rtx_list_foreach(&l, 4096, collect, &a);
	}
	return 0;
}
