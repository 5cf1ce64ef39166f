/* Unit tests of rtx_wire: header and list encodings, round trips, and
 * malformed, truncated and hostile datagrams. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rtx_wire.h"
#include "sc_bytes.h"
#include "tu.h"

static size_t make_dgram(uint8_t *buf, uint8_t type, uint8_t flags, size_t body_len)
{
	struct rtx_hdr h = {
		.type = type, .flags = flags, .body_len = (uint16_t)body_len,
		.group_id = 0x01020304, .sender_id = 0x0a0b0c0d, .receiver_id = 0x0e0f1011,
		.ts = 0x1122334455667788ULL, .session = 0xdeadbeef,
	};
	struct rtx_env e;

	rtx_wire_env(&e, &h);
	rtx_env_put(buf, RTX_WIRE_MAGIC, &e);
	memset(buf + RTX_WIRE_HDR, 0x5a, body_len + RTX_WIRE_MAC);
	return RTX_WIRE_OVERHEAD + body_len;
}

static void test_header_round_trip(void)
{
	uint8_t buf[256];
	struct rtx_hdr h;
	size_t len = make_dgram(buf, RTX_MSG_REPAIR, RTX_WIRE_FLAG_RET, 40);

	CU_ASSERT_EQUAL(buf[0], 'S');
	CU_ASSERT_EQUAL(buf[1], 'X');
	CU_ASSERT_EQUAL(buf[2], 2);
	CU_ASSERT_EQUAL_FATAL(rtx_wire_parse(buf, len, &h), 0);
	CU_ASSERT_EQUAL(h.type, RTX_MSG_REPAIR);
	CU_ASSERT_EQUAL(h.flags, RTX_WIRE_FLAG_RET);
	CU_ASSERT_EQUAL(h.body_len, 40);
	CU_ASSERT_EQUAL(h.group_id, 0x01020304u);
	CU_ASSERT_EQUAL(h.sender_id, 0x0a0b0c0du);
	CU_ASSERT_EQUAL(h.receiver_id, 0x0e0f1011u);
	CU_ASSERT_EQUAL(h.ts, 0x1122334455667788ULL);
	CU_ASSERT_EQUAL(h.session, 0xdeadbeefu);
	CU_ASSERT_PTR_EQUAL(h.body, buf + RTX_WIRE_HDR);
	CU_ASSERT_PTR_NULL(h.env.cert);
}

static void test_header_rejects(void)
{
	uint8_t buf[256], bad[256];
	struct rtx_hdr h;
	size_t len = make_dgram(buf, RTX_MSG_NACK, 0, 20), i;

	CU_ASSERT_EQUAL(rtx_wire_parse(NULL, len, &h), -EBADMSG);
	for (i = 0; i < len; i++)
		CU_ASSERT_EQUAL(rtx_wire_parse(buf, i, &h), -EBADMSG); /* truncated */
	CU_ASSERT_EQUAL(rtx_wire_parse(buf, len + 1, &h), -EBADMSG);  /* trailing byte */
	memcpy(bad, buf, len);
	bad[0] = 'T';
	CU_ASSERT_EQUAL(rtx_wire_parse(bad, len, &h), -EBADMSG);
	memcpy(bad, buf, len);
	bad[2] = 1; /* version 1 is no longer spoken */
	CU_ASSERT_EQUAL(rtx_wire_parse(bad, len, &h), -EBADMSG);
	memcpy(bad, buf, len);
	bad[3] = 0;
	CU_ASSERT_EQUAL(rtx_wire_parse(bad, len, &h), -EBADMSG);
	bad[3] = 7;
	CU_ASSERT_EQUAL(rtx_wire_parse(bad, len, &h), -EBADMSG);
	memcpy(bad, buf, len);
	bad[4] = 0x02; /* an unknown flag */
	CU_ASSERT_EQUAL(rtx_wire_parse(bad, len, &h), -EBADMSG);
	memcpy(bad, buf, len);
	bad[4] = RTX_ENV_FLAG_CERT; /* a certificate that is not there */
	CU_ASSERT_EQUAL(rtx_wire_parse(bad, len, &h), -EBADMSG);
	memcpy(bad, buf, len);
	sc_put_be16(bad + 6, 21);
	CU_ASSERT_EQUAL(rtx_wire_parse(bad, len, &h), -EBADMSG);
	sc_put_be16(bad + 6, 0xffff);
	CU_ASSERT_EQUAL(rtx_wire_parse(bad, len, &h), -EBADMSG);
	memcpy(bad, buf, len);
	sc_put_be32(bad + 16, 0); /* no receiver */
	CU_ASSERT_EQUAL(rtx_wire_parse(bad, len, &h), -EBADMSG);
}

static void test_path_body(void)
{
	uint8_t b[RTX_WIRE_PATH_LEN];
	struct rtx_path p = { 0x0102030405060708ULL, 0 }, q;

	CU_ASSERT_EQUAL(rtx_path_put(b, &p), RTX_WIRE_PATH_LEN);
	CU_ASSERT_EQUAL(rtx_path_parse(b, sizeof(b), &q), 0);
	CU_ASSERT_EQUAL(q.token, p.token);
	CU_ASSERT_EQUAL(q.echo, 0u);
	CU_ASSERT_EQUAL(rtx_path_parse(b, sizeof(b) - 1, &q), -EBADMSG);
	memset(b, 0, sizeof(b));
	CU_ASSERT_EQUAL(rtx_path_parse(b, sizeof(b), &q), -EBADMSG); /* says nothing */
}

/* Collect what a list names. */
struct seen {
	uint8_t hit[65536];
	size_t n;
};

static void mark(void *ctx, uint16_t seq)
{
	struct seen *s = ctx;

	s->hit[seq]++;
	s->n++;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* A random strictly increasing set of n numbers from base, mixing single
 * losses and bursts. */
static size_t random_set(uint64_t *v, size_t n, uint64_t base)
{
	size_t k = 0;
	uint64_t e = base;

	while (k < n) {
		e += 1 + tu_rand_below(tu_rand_below(4) ? 20 : 2);
		if (tu_rand_below(8) == 0) {
			size_t run = 1 + tu_rand_below(300);

			while (run-- && k < n)
				v[k++] = e++;
		} else {
			v[k++] = e;
		}
	}
	qsort(v, n, sizeof(*v), cmp_u64);
	return n;
}

static void test_list_round_trip(void)
{
	static uint64_t v[3000];
	static uint8_t body[65536];
	static struct seen seen;
	struct rtx_list l;
	size_t n, used, i, done, cap;
	int len, round;

	for (round = 0; round < 200; round++) {
		n = random_set(v, 1 + tu_rand_below(2999), 65536 + tu_rand_below(200000));
		cap = tu_rand_below(2) ? 1200 : 20 + tu_rand_below(200);
		memset(&seen, 0, sizeof(seen));
		for (done = 0; done < n; done += used) {
			len = rtx_list_build(body, cap, 0xabcd, 7, v + done, n - done, &used);
			CU_ASSERT_FATAL(len > 0 && (size_t)len <= cap);
			CU_ASSERT_FATAL(used > 0);
			CU_ASSERT_EQUAL_FATAL(rtx_list_parse(body, (size_t)len, &l), 0);
			CU_ASSERT_EQUAL(l.ssrc, 0xabcdu);
			CU_ASSERT_EQUAL(l.echo_ts, 7u);
			rtx_list_foreach(&l, SIZE_MAX, mark, &seen);
		}
		/* exactly the set, each once */
		CU_ASSERT_EQUAL_FATAL(seen.n, n);
		for (i = 0; i < n; i++)
			CU_ASSERT_EQUAL_FATAL(seen.hit[(uint16_t)v[i]], 1);
	}
}

static void test_list_compact(void)
{
	uint64_t v[300];
	uint8_t body[1200];
	struct rtx_list l;
	size_t used, i;
	int len;

	/* a burst of 200: one range entry */
	for (i = 0; i < 200; i++)
		v[i] = 70000 + i;
	len = rtx_list_build(body, sizeof(body), 1, 0, v, 200, &used);
	CU_ASSERT_EQUAL(len, RTX_WIRE_LIST_HDR + 4);
	CU_ASSERT_EQUAL(used, 200);
	CU_ASSERT_EQUAL(rtx_list_parse(body, (size_t)len, &l), 0);
	CU_ASSERT_EQUAL(l.n_range, 1);
	CU_ASSERT_EQUAL(l.n_pid, 0);
	/* 17 numbers within a bitmask window: one PID/BLP entry */
	for (i = 0; i < 9; i++)
		v[i] = 70000 + 2 * i;
	len = rtx_list_build(body, sizeof(body), 1, 0, v, 9, &used);
	CU_ASSERT_EQUAL(len, RTX_WIRE_LIST_HDR + 4);
	CU_ASSERT_EQUAL(sc_get_be16(body + RTX_WIRE_LIST_HDR + 2), 0xaaaa);
	/* no room for one entry */
	CU_ASSERT_EQUAL(rtx_list_build(body, RTX_WIRE_LIST_HDR + 3, 1, 0, v, 9, &used), -ENOSPC);
}

static void test_list_hostile(void)
{
	uint8_t body[RTX_WIRE_LIST_HDR + 4 * 4];
	struct rtx_list l;
	static struct seen seen;
	size_t n, i;

	memset(body, 0, sizeof(body));
	/* four ranges of 65535: visiting is bounded by the limit */
	sc_put_be16(body + 14, 4);
	for (i = 0; i < 4; i++) {
		sc_put_be16(body + RTX_WIRE_LIST_HDR + 4 * i, (uint16_t)(i * 1000));
		sc_put_be16(body + RTX_WIRE_LIST_HDR + 4 * i + 2, 0xffff);
	}
	CU_ASSERT_EQUAL_FATAL(rtx_list_parse(body, sizeof(body), &l), 0);
	memset(&seen, 0, sizeof(seen));
	n = rtx_list_foreach(&l, 1024, mark, &seen);
	CU_ASSERT_EQUAL(n, 1024);
	CU_ASSERT_EQUAL(seen.n, 1024);
	/* count 0 is malformed */
	sc_put_be16(body + RTX_WIRE_LIST_HDR + 2, 0);
	CU_ASSERT_EQUAL(rtx_list_parse(body, sizeof(body), &l), -EBADMSG);
	/* counts that disagree with the length */
	sc_put_be16(body + 14, 5);
	CU_ASSERT_EQUAL(rtx_list_parse(body, sizeof(body), &l), -EBADMSG);
	sc_put_be16(body + 12, 0xffff);
	CU_ASSERT_EQUAL(rtx_list_parse(body, sizeof(body), &l), -EBADMSG);
	for (i = 0; i < RTX_WIRE_LIST_HDR; i++)
		CU_ASSERT_EQUAL(rtx_list_parse(body, i, &l), -EBADMSG);
	CU_ASSERT_EQUAL(rtx_list_parse(NULL, 0, &l), -EBADMSG);
}

/* The example in docs/protocol/repair.md, byte for byte. */
static void test_documented_example(void)
{
	static const uint8_t want[] = {
		0x5c, 0x5c, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x01, 0x00, 0x01,
		0x03, 0xe8, 0x80, 0x02, 0x0b, 0xb8, 0x00, 0xc8,
	};
	uint64_t v[203];
	uint8_t body[1200];
	size_t i, used;
	int len;

	v[0] = 65536 + 1000;
	v[1] = 65536 + 1002;
	v[2] = 65536 + 1016;
	for (i = 0; i < 200; i++)
		v[3 + i] = 65536 + 3000 + i;
	len = rtx_list_build(body, sizeof(body), 0x5c5c0001, 0, v, 203, &used);
	CU_ASSERT_EQUAL_FATAL(len, (int)sizeof(want));
	CU_ASSERT_EQUAL(used, 203);
	CU_ASSERT_EQUAL(memcmp(body, want, sizeof(want)), 0);
}

static void test_repair_body(void)
{
	uint8_t body[64] = { 0 };
	struct rtx_repair r;

	sc_put_be64(body, 99);
	CU_ASSERT_EQUAL(rtx_repair_parse(body, 8 + 12, &r), 0);
	CU_ASSERT_EQUAL(r.echo_ts, 99u);
	CU_ASSERT_PTR_EQUAL(r.rtp, body + 8);
	CU_ASSERT_EQUAL(r.rtp_len, 12);
	CU_ASSERT_EQUAL(rtx_repair_parse(body, 8 + 11, &r), -EBADMSG);
	CU_ASSERT_EQUAL(rtx_repair_parse(NULL, 40, &r), -EBADMSG);
}

static void test_random_bytes(void)
{
	uint8_t buf[512];
	struct rtx_hdr h;
	struct rtx_list l;
	struct rtx_repair r;
	static struct seen seen;
	size_t len, i;
	int k;

	for (k = 0; k < 20000; k++) {
		len = tu_rand_below(sizeof(buf));
		for (i = 0; i < len; i++)
			buf[i] = (uint8_t)tu_rand();
		if (k & 1) { /* make the header plausible half the time */
			make_dgram(buf, (uint8_t)(1 + tu_rand_below(3)), 0,
				   len > RTX_WIRE_OVERHEAD ? len - RTX_WIRE_OVERHEAD : 0);
			for (i = RTX_WIRE_HDR; i < len; i++)
				buf[i] = (uint8_t)tu_rand();
		}
		if (rtx_wire_parse(buf, len, &h) != 0)
			continue;
		if (rtx_list_parse(h.body, h.body_len, &l) == 0) {
			memset(&seen, 0, sizeof(seen));
			rtx_list_foreach(&l, 4096, mark, &seen);
		}
		rtx_repair_parse(h.body, h.body_len, &r);
	}
	CU_PASS("survived");
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "header round trip", test_header_round_trip },
		{ "header rejects", test_header_rejects },
		{ "list round trip", test_list_round_trip },
		{ "list compact", test_list_compact },
		{ "list hostile", test_list_hostile },
		{ "documented example", test_documented_example },
		{ "repair body", test_repair_body },
		{ "path body", test_path_body },
		{ "random bytes", test_random_bytes },
		{ NULL, NULL },
	};
	return tu_add_suite("rtx_wire", tests);
}
