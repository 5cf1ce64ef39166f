/* Unit tests of edge_mgmt_json: the management server's answers to an
 * edge, as edge_mgmt took them before the parsing moved out of it (the
 * same limits, the same channels kept and refused). */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "edge_mgmt_json.h"
#include "tu.h"

#define KEY "892c36c4ce0c5ce010b0fab2ce3b32a77e0c5a9de178c49b6c4bde27174f544b"

static int reg(const char *body, struct edge_mgmt_reg_answer *a)
{
	return edge_mgmt_parse_register(body, strlen(body), a);
}

/* The answer of a real server (tests/fuzz/capture_seeds.sh): one channel
 * with its key, one the line-up does not know. */
static void test_register(void)
{
	struct edge_mgmt_reg_answer a;
	const char *ok = "{\"edge_id\":3,\"token\":\"e3.5f1b\",\"channels\":[{\"id\":1,\"name\":\"News 24\","
			 "\"ret_key\":\"" KEY "\",\"enabled\":true,\"group6\":\"ff3e::8000:1\",\"group4\":\"232.1.0.1\","
			 "\"port\":5000}],\"unknown_channels\":[77],\"report_ms\":5000}";

	CU_ASSERT_EQUAL_FATAL(reg(ok, &a), 0);
	CU_ASSERT_EQUAL(a.edge_id, 3);
	CU_ASSERT_STRING_EQUAL(a.token, "e3.5f1b");
	CU_ASSERT_EQUAL(a.report_ms, 5000);
	CU_ASSERT_EQUAL_FATAL(a.n_chans, 1);
	CU_ASSERT_EQUAL(a.chans[0].id, 1);
	CU_ASSERT_EQUAL(a.chans[0].key[0], 0x89);
	CU_ASSERT_EQUAL(a.chans[0].key[31], 0x4b);
	edge_mgmt_reg_answer_clear(&a);
	CU_ASSERT_PTR_NULL(a.chans);
	/* no channels at all */
	CU_ASSERT_EQUAL(reg("{\"edge_id\": 2147483647, \"token\": \"t\"}", &a), 0);
	CU_ASSERT_EQUAL(a.n_chans, 0);
	CU_ASSERT_EQUAL(a.report_ms, 0);
	edge_mgmt_reg_answer_clear(&a);
}

static void test_register_refused(void)
{
	struct edge_mgmt_reg_answer a;
	char big[400];

	CU_ASSERT_EQUAL(reg("", &a), -EBADMSG);
	CU_ASSERT_EQUAL(reg("{\"edge_id\": 3", &a), -EBADMSG);
	CU_ASSERT_EQUAL(reg("[3]", &a), -EBADMSG);
	CU_ASSERT_EQUAL(reg("{\"token\": \"t\"}", &a), -EBADMSG);
	CU_ASSERT_EQUAL(reg("{\"edge_id\": 0, \"token\": \"t\"}", &a), -EBADMSG);
	CU_ASSERT_EQUAL(reg("{\"edge_id\": -3, \"token\": \"t\"}", &a), -EBADMSG);
	CU_ASSERT_EQUAL(reg("{\"edge_id\": 2147483648, \"token\": \"t\"}", &a), -EBADMSG);
	CU_ASSERT_EQUAL(reg("{\"edge_id\": 3.0, \"token\": \"t\"}", &a), -EBADMSG);
	CU_ASSERT_EQUAL(reg("{\"edge_id\": \"3\", \"token\": \"t\"}", &a), -EBADMSG);
	CU_ASSERT_EQUAL(reg("{\"edge_id\": 3, \"token\": 3}", &a), -EBADMSG);
	CU_ASSERT_EQUAL(a.edge_id, 0);
	/* a token of 159 characters fits, 160 do not */
	snprintf(big, sizeof(big), "{\"edge_id\": 3, \"token\": \"%0159d\"}", 0);
	CU_ASSERT_EQUAL(reg(big, &a), 0);
	CU_ASSERT_EQUAL(strlen(a.token), 159);
	edge_mgmt_reg_answer_clear(&a);
	snprintf(big, sizeof(big), "{\"edge_id\": 3, \"token\": \"%0160d\"}", 0);
	CU_ASSERT_EQUAL(reg(big, &a), -EBADMSG);
}

/* Channels without a usable id or key stay in the list with id 0 (the
 * edge logs each), in the answer's order. */
static void test_channel_keys(void)
{
	struct edge_mgmt_reg_answer a;
	const char *body = "{\"edge_id\": 3, \"token\": \"t\", \"channels\": ["
			   "{\"id\": 1, \"ret_key\": \"" KEY "\"},"
			   "{\"id\": 2, \"ret_key\": \"" KEY "00\"},"   /* 66 characters */
			   "{\"id\": 3, \"ret_key\": \"x" KEY "\"},"    /* 65, not hex */
			   "{\"id\": 4, \"ret_key\": \"g" KEY "\"},"
			   "{\"id\": 0, \"ret_key\": \"" KEY "\"},"
			   "{\"id\": 4294967296, \"ret_key\": \"" KEY "\"},"
			   "{\"ret_key\": \"" KEY "\"}, 7, null,"
			   "{\"id\": 4294967295, \"ret_key\": \"" KEY "\"}]}";
	char bad[256];

	CU_ASSERT_EQUAL_FATAL(reg(body, &a), 0);
	CU_ASSERT_EQUAL_FATAL(a.n_chans, 10);
	CU_ASSERT_EQUAL(a.chans[0].id, 1);
	for (size_t i = 1; i < 9; i++)
		CU_ASSERT_EQUAL(a.chans[i].id, 0);
	CU_ASSERT_EQUAL(a.chans[9].id, 4294967295u);
	edge_mgmt_reg_answer_clear(&a);
	/* 64 characters with a non-hex one in the middle */
	snprintf(bad, sizeof(bad), "{\"edge_id\": 3, \"token\": \"t\", \"channels\": [{\"id\": 1, \"ret_key\": \"%.31s"
		 "z%s\"}]}", KEY, KEY + 32);
	CU_ASSERT_EQUAL_FATAL(reg(bad, &a), 0);
	CU_ASSERT_EQUAL(a.chans[0].id, 0);
	edge_mgmt_reg_answer_clear(&a);
	/* "channels" that is no list: none */
	CU_ASSERT_EQUAL(reg("{\"edge_id\": 3, \"token\": \"t\", \"channels\": {\"id\": 1}}", &a), 0);
	CU_ASSERT_EQUAL(a.n_chans, 0);
	edge_mgmt_reg_answer_clear(&a);
}

static void test_report_ms(void)
{
	struct edge_mgmt_reg_answer a;
	static const struct {
		const char *v;
		uint64_t want;
	} cases[] = { { "99", 0 }, { "100", 100 }, { "3600000", 3600000 }, { "3600001", 0 },
		      { "-5000", 0 }, { "5000.0", 0 }, { "\"5000\"", 0 }, { "null", 0 } };
	char body[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(body, sizeof(body), "{\"edge_id\": 3, \"token\": \"t\", \"report_ms\": %s}", cases[i].v);
		CU_ASSERT_EQUAL_FATAL(reg(body, &a), 0);
		CU_ASSERT_EQUAL(a.report_ms, cases[i].want);
		edge_mgmt_reg_answer_clear(&a);
	}
}

static void test_load(void)
{
	struct edge_mgmt_load_answer l;
	const char *ok = "{\"report_ms\": 5000, \"lineup_version\": 7}";

	edge_mgmt_parse_load(ok, strlen(ok), &l);
	CU_ASSERT_EQUAL(l.report_ms, 5000);
	CU_ASSERT_EQUAL(l.lineup_version, 7);
	edge_mgmt_parse_load("{\"report_ms\": 50, \"lineup_version\": -2}", 39, &l);
	CU_ASSERT_EQUAL(l.report_ms, 0);
	CU_ASSERT_EQUAL(l.lineup_version, -2);
	edge_mgmt_parse_load("<html>", 6, &l);
	CU_ASSERT_EQUAL(l.report_ms, 0);
	CU_ASSERT_EQUAL(l.lineup_version, 0);
	edge_mgmt_parse_load("", 0, &l);
	CU_ASSERT_EQUAL(l.lineup_version, 0);
	/* only len bytes count */
	edge_mgmt_parse_load(ok, 20, &l);
	CU_ASSERT_EQUAL(l.report_ms, 0);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "register", test_register },
		{ "register refused", test_register_refused },
		{ "channel keys", test_channel_keys },
		{ "report_ms", test_report_ms },
		{ "load", test_load },
		{ NULL, NULL },
	};
	return tu_add_suite("edge_mgmt_json", tests);
}
