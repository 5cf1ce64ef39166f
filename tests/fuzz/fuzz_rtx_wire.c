/* libFuzzer target: the repair protocol's decoders (rtx_wire_parse and
 * the envelope under it, the attached certificate, rtx_list_parse/foreach,
 * rtx_repair_parse, the burst and PATH bodies, rtx_peek) on arbitrary
 * bytes; what decodes must encode back to the same bytes (the envelope,
 * the certificate, the fixed bodies), and the list encoder, given the
 * numbers a parsed list names, must write a list naming them again. Build with
 * ./configure CC=clang --enable-fuzzers; run e.g.
 *   build/tests/fuzz/fuzz_rtx_wire -max_total_time=600 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "rtx_ident.h"
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

/* One encoding only: the envelope and the certificate written back are
 * the bytes read. */
static void envelope_round_trip(const uint8_t *data, const struct rtx_hdr *h)
{
	uint8_t out[RTX_WIRE_HDR + RTX_CERT_BYTES];
	struct rtx_cert c;
	size_t off = rtx_env_put(out, RTX_WIRE_MAGIC, &h->env);

	if (memcmp(out, data, off) != 0)
		abort();
	if (h->env.cert && rtx_cert_decode(h->env.cert, RTX_CERT_BYTES, &c) == 0) {
		rtx_cert_encode(&c, out);
		if (memcmp(out, h->env.cert, RTX_CERT_BYTES) != 0)
			abort();
	}
}

static void fixed_bodies(const struct rtx_hdr *h)
{
	uint8_t out[64];
	struct rtx_burst_req rq;
	struct rtx_burst_ans an;
	struct rtx_path p;

	if (rtx_burst_req_parse(h->body, h->body_len, &rq) == 0 &&
	    (rtx_burst_req_put(out, &rq) != h->body_len || memcmp(out, h->body, h->body_len)))
		abort();
	if (rtx_burst_ans_parse(h->body, h->body_len, &an) == 0 &&
	    (rtx_burst_ans_put(out, &an) != h->body_len || memcmp(out, h->body, h->body_len)))
		abort();
	if (rtx_path_parse(h->body, h->body_len, &p) == 0 &&
	    (rtx_path_put(out, &p) != h->body_len || memcmp(out, h->body, h->body_len)))
		abort();
}

static void body_decoders(const struct rtx_hdr *h)
{
	static struct acc a;
	struct rtx_list l;
	struct rtx_repair r;

	fixed_bodies(h);
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
	if (rtx_wire_parse(data, size, &h) == 0) {
		envelope_round_trip(data, &h);
		body_decoders(&h);
	}
	/* the body decoders on raw bytes too, without the header's help */
	if (rtx_list_parse(data, size, &l) == 0) {
		static struct acc a;

		a.n = 0;
		rtx_list_foreach(&l, 4096, collect, &a);
	}
	return 0;
}
