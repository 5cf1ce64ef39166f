/* Unit tests of rtx_responder: serving held packets, MISSING lists,
 * de-duplication, the rate limit, and hostile requests. */
#include "config.h"

#include <string.h>

#include "rtx_responder.h"
#include "sc_bytes.h"
#include "tu.h"

#define MS 1000000ULL

struct sent {
	uint64_t ext[70000];
	size_t n;
};

static void on_repair(void *ctx, uint64_t ext, const uint8_t *pkt, size_t len)
{
	struct sent *s = ctx;

	CU_ASSERT_EQUAL(len, 20);
	CU_ASSERT_EQUAL(sc_get_be16(pkt + 2), (uint16_t)ext);
	if (s->n < 70000)
		s->ext[s->n++] = ext;
}

struct fix {
	struct rtx_rawbuf *rb;
	struct rtx_seq seq;
	struct rtx_peer_state ps;
	struct rtx_serve_cfg cfg;
	uint64_t missing[2048];
	struct rtx_serve_result res;
	uint8_t body[4096];
	struct rtx_list list;
};

static struct sent sent;

/* Held: 65536+1000 .. 65536+1999 except every tenth. */
static void setup(struct fix *f)
{
	uint8_t pkt[20] = { 0x80, 33 };
	uint64_t ext;
	uint16_t s;

	memset(f, 0, sizeof(*f));
	memset(&sent, 0, sizeof(sent));
	f->rb = rtx_rawbuf_new(4096 * (20 + sizeof(struct rtx_slot)), 20, 1000 * MS);
	rtx_seq_init(&f->seq, 3000, 3000);
	for (s = 1000; s < 2000; s++) {
		rtx_seq_update(&f->seq, s, 0x55, &ext);
		if (s % 10 == 0)
			continue;
		sc_put_be16(pkt + 2, s);
		rtx_rawbuf_put(f->rb, ext, pkt, sizeof(pkt), 0, 0, 0);
	}
	f->cfg = (struct rtx_serve_cfg){ .rate_pps = 1000, .rate_burst = 1000, .max_seqs = 1024 };
}

static void request(struct fix *f, uint32_t ssrc, const uint64_t *exts, size_t n, uint64_t now)
{
	size_t used;
	int len = rtx_list_build(f->body, sizeof(f->body), ssrc, 0, exts, n, &used);

	CU_ASSERT_FATAL(len > 0 && used == n);
	CU_ASSERT_FATAL(rtx_list_parse(f->body, (size_t)len, &f->list) == 0);
	rtx_serve(&f->cfg, f->rb, &f->seq, &f->list, 9, &f->ps, now, on_repair, &sent, f->missing,
		  &f->res);
}

static void test_serve_and_missing(void)
{
	struct fix f;
	uint64_t want[30];
	size_t i;

	setup(&f);
	for (i = 0; i < 30; i++)
		want[i] = 65536 + 1095 + i; /* 1100, 1110, 1120 not held */
	request(&f, 0x55, want, 30, 1 * MS);
	CU_ASSERT_EQUAL(f.res.visited, 30);
	CU_ASSERT_EQUAL(f.res.served, 27);
	CU_ASSERT_EQUAL(sent.n, 27);
	CU_ASSERT_EQUAL_FATAL(f.res.n_missing, 3);
	CU_ASSERT_EQUAL(f.missing[0], 65536 + 1100);
	CU_ASSERT_EQUAL(f.missing[1], 65536 + 1110);
	CU_ASSERT_EQUAL(f.missing[2], 65536 + 1120);
	/* asked again at once (a duplicated datagram): not sent twice */
	request(&f, 0x55, want, 30, 1 * MS + 1000);
	CU_ASSERT_EQUAL(f.res.deduped, 27);
	CU_ASSERT_EQUAL(sent.n, 27);
	/* asked again a round trip later: sent again */
	request(&f, 0x55, want, 30, 1 * MS + RTX_DEDUP_NS);
	CU_ASSERT_EQUAL(f.res.served, 27);
	rtx_rawbuf_free(f.rb);
}

static void test_other_stream_or_window(void)
{
	struct fix f;
	uint64_t want[3] = { 65536 + 1001, 65536 + 1002, 65536 + 1003 };
	uint64_t far[2] = { 65536 + 30000, 65536 + 40000 };

	setup(&f);
	request(&f, 0x66, want, 3, 1 * MS);
	CU_ASSERT_EQUAL(f.res.served, 0);
	CU_ASSERT_EQUAL(f.res.n_missing, 3);
	request(&f, 0x55, far, 2, 1 * MS);
	CU_ASSERT_EQUAL(f.res.served, 0);
	CU_ASSERT_EQUAL(f.res.n_missing, 2);
	/* too old for the time window */
	request(&f, 0x55, want, 3, 2000 * MS);
	CU_ASSERT_EQUAL(f.res.served, 0);
	CU_ASSERT_EQUAL(f.res.n_missing, 3);
	rtx_rawbuf_free(f.rb);
}

static void test_rate_limit(void)
{
	struct fix f;
	uint64_t want[900];
	size_t i;

	setup(&f);
	f.cfg.rate_pps = 100;
	f.cfg.rate_burst = 50;
	for (i = 0; i < 900; i++)
		want[i] = 65536 + 1001 + i;
	request(&f, 0x55, want, 900, 1 * MS);
	CU_ASSERT_EQUAL(f.res.served, 50);
	CU_ASSERT(f.res.refused > 700);
	/* 200 ms later: 20 more (100/s) */
	request(&f, 0x55, want, 900, 201 * MS);
	CU_ASSERT_EQUAL(f.res.served, 20);
	/* 900 ms later: the bucket holds at most 50 */
	request(&f, 0x55, want, 900, 901 * MS);
	CU_ASSERT_EQUAL(f.res.served, 50);
	rtx_rawbuf_free(f.rb);
}

static void test_hostile_ranges(void)
{
	struct fix f;
	uint8_t body[RTX_WIRE_LIST_HDR + 8 * 4];
	struct rtx_list l;
	size_t i;

	setup(&f);
	/* eight ranges of 65535 from everywhere: at most max_seqs looked at */
	memset(body, 0, sizeof(body));
	sc_put_be32(body, 0x55);
	sc_put_be16(body + 14, 8);
	for (i = 0; i < 8; i++) {
		sc_put_be16(body + RTX_WIRE_LIST_HDR + 4 * i, (uint16_t)(i * 8000));
		sc_put_be16(body + RTX_WIRE_LIST_HDR + 4 * i + 2, 0xffff);
	}
	CU_ASSERT_EQUAL_FATAL(rtx_list_parse(body, sizeof(body), &l), 0);
	rtx_serve(&f.cfg, f.rb, &f.seq, &l, 9, &f.ps, 1 * MS, on_repair, &sent, f.missing, &f.res);
	CU_ASSERT_EQUAL(f.res.visited, 1024);
	CU_ASSERT(f.res.served + f.res.n_missing + f.res.deduped <= 1024);
	CU_ASSERT(f.res.n_missing <= 1024);
	rtx_rawbuf_free(f.rb);
}

static void test_no_stream_yet(void)
{
	struct fix f;
	uint64_t want[2] = { 65536 + 5, 65536 + 6 };

	setup(&f);
	rtx_seq_reset(&f.seq);
	request(&f, 0x55, want, 2, 1 * MS);
	CU_ASSERT_EQUAL(f.res.served, 0);
	CU_ASSERT_EQUAL(f.res.n_missing, 2);
	CU_ASSERT_EQUAL(f.missing[0] & 0xffff, 5);
	rtx_rawbuf_free(f.rb);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "serve and missing", test_serve_and_missing },
		{ "other stream, outside the window", test_other_stream_or_window },
		{ "rate limit", test_rate_limit },
		{ "hostile ranges", test_hostile_ranges },
		{ "no stream yet", test_no_stream_yet },
		{ NULL, NULL },
	};
	return tu_add_suite("rtx_responder", tests);
}
