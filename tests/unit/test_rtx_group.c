/* Unit tests of rtx_group: validation, regroups with grace periods, key
 * selection, round-trip estimates. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "rtx_group.h"
#include "tu.h"

#define MS 1000000ULL

static struct rtx_group group(uint32_t id, uint32_t version, uint8_t key_byte,
			      const struct rtx_member *m, size_t n)
{
	struct rtx_group g = { .id = id, .version = version, .members = m, .n_members = n };

	memset(g.key, key_byte, sizeof(g.key));
	return g;
}

static void test_validation(void)
{
	struct rtx_groups g;
	struct rtx_member dup[2] = { { 5, 0 }, { 5, 1 } };
	struct rtx_member zero[1] = { { 0, 0 } };
	struct rtx_member edge[1] = { { RTX_EDGE_ID_FLAG | 3, 0 } };
	struct rtx_member many[RTX_MAX_MEMBERS + 2];
	struct rtx_group in;
	size_t i;

	rtx_groups_init(&g, 1);
	in = group(0, 1, 1, NULL, 0);
	CU_ASSERT_EQUAL(rtx_groups_set(&g, &in, 0, 0), -EINVAL);
	in = group(1, 1, 1, dup, 2);
	CU_ASSERT_EQUAL(rtx_groups_set(&g, &in, 0, 0), -EINVAL);
	in = group(1, 1, 1, zero, 1);
	CU_ASSERT_EQUAL(rtx_groups_set(&g, &in, 0, 0), -EINVAL);
	in = group(1, 1, 1, edge, 1);
	CU_ASSERT_EQUAL(rtx_groups_set(&g, &in, 0, 0), -EINVAL);
	in = group(1, 1, 1, NULL, 3);
	CU_ASSERT_EQUAL(rtx_groups_set(&g, &in, 0, 0), -EINVAL);
	for (i = 0; i < RTX_MAX_MEMBERS + 2; i++)
		many[i] = (struct rtx_member){ (uint32_t)(i + 1), i };
	/* 66 listed, ourselves (1) among them: 65 peers, one too many */
	in = group(1, 1, 1, many, RTX_MAX_MEMBERS + 2);
	CU_ASSERT_EQUAL(rtx_groups_set(&g, &in, 0, 0), -EINVAL);
	/* 65 listed with ourselves: 64 peers is the limit */
	in = group(1, 1, 1, many, RTX_MAX_MEMBERS + 1);
	CU_ASSERT_EQUAL(rtx_groups_set(&g, &in, 0, 0), 1);
	CU_ASSERT_EQUAL(g.n, RTX_MAX_MEMBERS);
	CU_ASSERT_FALSE(g.have_prev);
}

static void test_regroup_and_grace(void)
{
	struct rtx_groups g;
	struct rtx_member a[3] = { { 1, 10 }, { 2, 20 }, { 3, 30 } };
	struct rtx_member b[2] = { { 3, 31 }, { 4, 40 } };
	struct rtx_group ga = group(100, 1, 0xaa, a, 3), gb = group(200, 1, 0xbb, b, 2);
	const uint8_t *keys[2];

	rtx_groups_init(&g, 1);
	CU_ASSERT_EQUAL(rtx_groups_set(&g, &ga, 0, 10 * MS), 1);
	CU_ASSERT_EQUAL(g.n, 2);
	CU_ASSERT_EQUAL(rtx_groups_member(&g, 100, 2, 0), 0);
	CU_ASSERT_EQUAL(rtx_groups_member(&g, 100, 3, 0), 1);
	CU_ASSERT_EQUAL(rtx_groups_member(&g, 100, 4, 0), -EPERM);
	CU_ASSERT_EQUAL(rtx_groups_member(&g, 101, 2, 0), -EPERM);
	g.m[1].rtt.has = true;
	g.m[1].rtt.srtt = 7 * MS;
	/* same content again: nothing changes */
	CU_ASSERT_EQUAL(rtx_groups_set(&g, &ga, 1 * MS, 10 * MS), 0);
	CU_ASSERT_FALSE(g.have_prev);
	/* regroup into group 200 */
	CU_ASSERT_EQUAL(rtx_groups_set(&g, &gb, 2 * MS, 10 * MS), 1);
	CU_ASSERT_EQUAL(g.m[0].id, 3u);
	CU_ASSERT_EQUAL(g.m[0].peer, 31u);
	CU_ASSERT_EQUAL(g.m[0].rtt.srtt, 7 * MS); /* kept: member 3 stayed */
	CU_ASSERT_EQUAL(rtx_groups_member(&g, 200, 4, 3 * MS), 1);
	/* the old group during its grace: member 2 is a former member, 3 maps
	 * to its new index */
	CU_ASSERT_EQUAL(rtx_groups_member(&g, 100, 2, 3 * MS), RTX_MEMBER_FORMER);
	CU_ASSERT_EQUAL(rtx_groups_member(&g, 100, 3, 3 * MS), 0);
	CU_ASSERT_EQUAL(rtx_groups_member(&g, 100, 4, 3 * MS), -EPERM);
	CU_ASSERT_EQUAL(rtx_groups_keys(&g, false, 100, 3 * MS, keys), 1);
	CU_ASSERT_EQUAL(keys[0][0], 0xaa);
	CU_ASSERT_EQUAL(rtx_groups_keys(&g, false, 200, 3 * MS, keys), 1);
	CU_ASSERT_EQUAL(keys[0][0], 0xbb);
	/* a new group: its key at once */
	CU_ASSERT_EQUAL(rtx_groups_send_key(&g, 0, 3 * MS)[0], 0xbb);
	/* after the grace */
	CU_ASSERT_EQUAL(rtx_groups_member(&g, 100, 2, 12 * MS), -EPERM);
	CU_ASSERT_EQUAL(rtx_groups_keys(&g, false, 100, 12 * MS, keys), 0);
	/* an older version of the current group is refused */
	gb.version = 2;
	CU_ASSERT_EQUAL(rtx_groups_set(&g, &gb, 13 * MS, 10 * MS), 0);
	gb.version = 1;
	CU_ASSERT_EQUAL(rtx_groups_set(&g, &gb, 14 * MS, 10 * MS), -ESTALE);
}

static void test_key_rotation_same_group(void)
{
	struct rtx_groups g;
	struct rtx_member a[1] = { { 2, 20 } };
	struct rtx_group v1 = group(100, 1, 0x11, a, 1), v2 = group(100, 2, 0x22, a, 1);
	const uint8_t *keys[2];

	rtx_groups_init(&g, 1);
	rtx_groups_set(&g, &v1, 0, 10 * MS);
	CU_ASSERT_EQUAL(rtx_groups_set(&g, &v2, 1 * MS, 10 * MS), 0); /* same members */
	CU_ASSERT_EQUAL(rtx_groups_keys(&g, false, 100, 2 * MS, keys), 2);
	CU_ASSERT_EQUAL(keys[0][0], 0x22);
	CU_ASSERT_EQUAL(keys[1][0], 0x11);
	CU_ASSERT_EQUAL(rtx_groups_keys(&g, false, 100, 20 * MS, keys), 1);
	/* requests to member 2, who had the old key, use it for half the
	 * grace: it may not have heard of version 2 yet */
	CU_ASSERT_EQUAL(rtx_groups_send_key(&g, 0, 2 * MS)[0], 0x11);
	CU_ASSERT_EQUAL(rtx_groups_send_key(&g, 0, 6 * MS)[0], 0x22);
	/* leaving keeps the last group acceptable for the grace period */
	CU_ASSERT_EQUAL(rtx_groups_set(&g, NULL, 30 * MS, 10 * MS), 1);
	CU_ASSERT_EQUAL(g.n, 0);
	CU_ASSERT_EQUAL(rtx_groups_member(&g, 100, 2, 31 * MS), RTX_MEMBER_FORMER);
	CU_ASSERT_EQUAL(rtx_groups_keys(&g, false, 100, 31 * MS, keys), 1);
	CU_ASSERT_EQUAL(rtx_groups_keys(&g, false, 100, 41 * MS, keys), 0);
	rtx_groups_wipe(&g);
}

static void test_ret(void)
{
	struct rtx_groups g;
	struct rtx_member srv[RTX_MAX_RET_PEERS + 1];
	struct rtx_ret r = { .domain_id = 42, .servers = srv, .n_servers = 2 };
	const uint8_t *keys[2];

	for (size_t i = 0; i <= RTX_MAX_RET_PEERS; i++)
		srv[i] = (struct rtx_member){ RTX_EDGE_ID_FLAG | (uint32_t)(i + 1), i };
	rtx_groups_init(&g, 1);
	CU_ASSERT_EQUAL(rtx_groups_keys(&g, true, 42, 0, keys), 0);
	memset(r.key, 0x42, sizeof(r.key));
	CU_ASSERT_EQUAL(rtx_groups_set_ret(&g, &r), 0);
	CU_ASSERT_EQUAL(rtx_groups_keys(&g, true, 42, 0, keys), 1);
	CU_ASSERT_EQUAL(keys[0][0], 0x42);
	CU_ASSERT_EQUAL(rtx_groups_keys(&g, true, 43, 0, keys), 0);
	CU_ASSERT_EQUAL(rtx_groups_keys(&g, false, 42, 0, keys), 0);
	r.n_servers = RTX_MAX_RET_PEERS + 1;
	CU_ASSERT_EQUAL(rtx_groups_set_ret(&g, &r), -EINVAL);
	r.n_servers = 1;
	srv[0].id = 5; /* a box is no RET server */
	CU_ASSERT_EQUAL(rtx_groups_set_ret(&g, &r), -EINVAL);
	srv[0].id = RTX_EDGE_ID_FLAG | 1;
	r.domain_id = 0;
	CU_ASSERT_EQUAL(rtx_groups_set_ret(&g, &r), -EINVAL);
	CU_ASSERT_EQUAL(rtx_groups_set_ret(&g, NULL), 0);
	CU_ASSERT_EQUAL(rtx_groups_keys(&g, true, 42, 0, keys), 0);
}

static void test_rtt(void)
{
	struct rtx_rtt r = { 0 };
	int i;

	CU_ASSERT_EQUAL(rtx_rtt_srtt(&r, 50 * MS), 50 * MS);
	CU_ASSERT_EQUAL(rtx_rtt_rto(&r, 50 * MS, 5 * MS, 500 * MS), 100 * MS);
	rtx_rtt_sample(&r, 20 * MS);
	CU_ASSERT_EQUAL(r.srtt, 20 * MS);
	CU_ASSERT_EQUAL(rtx_rtt_rto(&r, 50 * MS, 5 * MS, 500 * MS), 60 * MS);
	for (i = 0; i < 200; i++)
		rtx_rtt_sample(&r, 10 * MS);
	CU_ASSERT(r.srtt < 10 * MS + MS / 10);
	CU_ASSERT_EQUAL(rtx_rtt_rto(&r, 50 * MS, 12 * MS, 500 * MS), 12 * MS);
	rtx_rtt_sample(&r, 10000 * MS);
	CU_ASSERT_EQUAL(rtx_rtt_rto(&r, 50 * MS, 5 * MS, 500 * MS), 500 * MS);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "validation", test_validation },
		{ "regroup and grace", test_regroup_and_grace },
		{ "key rotation in the same group", test_key_rotation_same_group },
		{ "RET domain", test_ret },
		{ "round-trip estimator", test_rtt },
		{ NULL, NULL },
	};
	return tu_add_suite("rtx_group", tests);
}
