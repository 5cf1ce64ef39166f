/* Unit tests of rtx_auth: MACs (every bit matters, wrong keys fail) and
 * the replay window (never accepts a timestamp twice). */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "rtx_auth.h"
#include "rtx_wire.h"
#include "tu.h"

static void make(uint8_t *buf, size_t body, uint64_t ts)
{
	struct rtx_hdr h = { .type = RTX_MSG_NACK, .body_len = (uint16_t)body, .group_id = 9,
			     .sender_id = 4, .receiver_id = 5, .ts = ts, .session = 77 };
	struct rtx_env e;
	size_t i;

	rtx_wire_env(&e, &h);
	rtx_env_put(buf, RTX_WIRE_MAGIC, &e);
	for (i = 0; i < body; i++)
		buf[RTX_WIRE_HDR + i] = (uint8_t)tu_rand();
}

static void test_sign_verify(void)
{
	uint8_t key[32], other[32], buf[RTX_WIRE_OVERHEAD + 100];
	size_t len = sizeof(buf), i;
	int bit;

	CU_ASSERT_EQUAL_FATAL(rtx_auth_init(), 0);
	for (i = 0; i < 32; i++) {
		key[i] = (uint8_t)i;
		other[i] = (uint8_t)(i + 1);
	}
	make(buf, 100, 1000);
	rtx_auth_sign(key, buf, len - RTX_AUTH_TAG_BYTES);
	CU_ASSERT_EQUAL(rtx_auth_verify(key, buf, len), 0);
	CU_ASSERT_EQUAL(rtx_auth_verify(other, buf, len), -EACCES);
	/* every bit of header, body and tag is covered */
	for (i = 0; i < len; i++)
		for (bit = 0; bit < 8; bit += 3) {
			buf[i] ^= (uint8_t)(1 << bit);
			CU_ASSERT_EQUAL_FATAL(rtx_auth_verify(key, buf, len), -EACCES);
			buf[i] ^= (uint8_t)(1 << bit);
		}
	CU_ASSERT_EQUAL(rtx_auth_verify(key, buf, len - 1), -EACCES);
	CU_ASSERT_EQUAL(rtx_auth_verify(key, buf, RTX_WIRE_OVERHEAD - 1), -EACCES);
	CU_ASSERT_EQUAL(rtx_auth_verify(key, buf, len), 0);
}

static void test_session_nonzero(void)
{
	int i;

	for (i = 0; i < 100; i++)
		CU_ASSERT_NOT_EQUAL(rtx_auth_session(), 0u);
}

static void test_replay_basic(void)
{
	struct rtx_replay r = { 0 };

	CU_ASSERT_EQUAL(rtx_replay_check(&r, 1000, 500), 0);
	CU_ASSERT_EQUAL(rtx_replay_check(&r, 1000, 500), -EALREADY);
	CU_ASSERT_EQUAL(rtx_replay_check(&r, 1100, 500), 0);
	/* reordered, inside the window: once */
	CU_ASSERT_EQUAL(rtx_replay_check(&r, 1050, 500), 0);
	CU_ASSERT_EQUAL(rtx_replay_check(&r, 1050, 500), -EALREADY);
	CU_ASSERT_EQUAL(rtx_replay_check(&r, 1000, 500), -EALREADY);
	/* too old */
	CU_ASSERT_EQUAL(rtx_replay_check(&r, 599, 500), -EALREADY);
	CU_ASSERT_EQUAL(rtx_replay_check(&r, 2000, 500), 0);
	CU_ASSERT_EQUAL(rtx_replay_check(&r, 1100, 500), -EALREADY);
}

static void test_replay_full_ring(void)
{
	struct rtx_replay r = { 0 };
	uint64_t t;

	for (t = 1; t <= 100; t++)
		CU_ASSERT_EQUAL(rtx_replay_check(&r, t * 10, 1000000), 0);
	/* the last RTX_REPLAY_SLOTS below the highest are known; anything not
	 * seen above the oldest of them is new */
	CU_ASSERT_EQUAL(rtx_replay_check(&r, 995, 1000000), 0);
	CU_ASSERT_EQUAL(rtx_replay_check(&r, 995, 1000000), -EALREADY);
	/* below every remembered one: cannot tell, refused */
	CU_ASSERT_EQUAL(rtx_replay_check(&r, 15, 1000000), -EALREADY);
}

static void test_replay_never_twice(void)
{
	static uint8_t accepted[1 << 16];
	struct rtx_replay r = { 0 };
	uint64_t base = 1000, ts;
	int i;

	memset(accepted, 0, sizeof(accepted));
	for (i = 0; i < 200000; i++) {
		/* a sender going forward, with reordering and replays */
		base += tu_rand_below(3);
		ts = base - tu_rand_below(40);
		if (ts >= (1 << 16))
			break;
		if (rtx_replay_check(&r, ts, 30) == 0) {
			CU_ASSERT_EQUAL_FATAL(accepted[ts], 0);
			accepted[ts] = 1;
		}
	}
	/* in-order traffic is never refused */
	memset(&r, 0, sizeof(r));
	for (ts = 1; ts < 10000; ts += 1 + tu_rand_below(5))
		CU_ASSERT_EQUAL_FATAL(rtx_replay_check(&r, ts, 1), 0);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "sign and verify", test_sign_verify },
		{ "session numbers", test_session_nonzero },
		{ "replay basics", test_replay_basic },
		{ "replay with a full ring", test_replay_full_ring },
		{ "replay never accepts twice", test_replay_never_twice },
		{ NULL, NULL },
	};
	return tu_add_suite("rtx_auth", tests);
}
