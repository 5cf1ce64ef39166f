/* Unit tests of mg_bodies: the nested parts of the API's request bodies,
 * with the answers the handlers gave before the conversions moved out of
 * them (the same messages, the same values). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mg_bodies.h"
#include "tu.h"

static json_t *body_of(const char *text, const struct mg_field *fields)
{
	char why[200];
	json_t *j = mg_json_parse_body(text, strlen(text), true, why, sizeof(why));

	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(mg_json_check(j, fields, why, sizeof(why)), 0);
	return j;
}

static void test_fields(void)
{
	char why[200];
	json_t *j = mg_json_parse_body("{\"channel_id\": 0}", 17, true, why, sizeof(why));

	CU_ASSERT_EQUAL(mg_json_check(j, mg_body_tune, why, sizeof(why)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "field \"channel_id\" must be between 1 and 4294967295");
	json_decref(j);
	j = mg_json_parse_body("{}", 2, true, why, sizeof(why));
	CU_ASSERT_EQUAL(mg_json_check(j, mg_body_register, why, sizeof(why)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "missing field \"device_id\"");
	CU_ASSERT_EQUAL(mg_json_check(j, mg_body_empty, why, sizeof(why)), 0);
	json_decref(j);
	j = mg_json_parse_body("{\"mode\": \"mesh\", \"x\": 1}", 24, true, why, sizeof(why));
	CU_ASSERT_EQUAL(mg_json_check(j, mg_body_heartbeat, why, sizeof(why)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "unknown field \"x\"");
	json_decref(j);
}

static void test_stats(void)
{
	struct mg_heartbeat hb = { .on_mesh = -1 };
	json_t *j = json_loads("{\"received\": 1000, \"lost\": 10, \"repaired_group\": 9, \"unrepaired\": 1, "
			       "\"rtt\": [{\"client_id\": 2, \"ms\": 1.5}, {\"client_id\": 3, \"ms\": 20}]}", 0, NULL);
	char why[256];

	CU_ASSERT_EQUAL(mg_body_stats(j, &hb, why, sizeof(why)), 0);
	CU_ASSERT(hb.has_stats);
	CU_ASSERT_EQUAL(hb.stats.received, 1000);
	CU_ASSERT_EQUAL(hb.stats.lost, 10);
	CU_ASSERT_EQUAL(hb.stats.rep_group, 9);
	CU_ASSERT_EQUAL(hb.stats.served, 0);
	CU_ASSERT_EQUAL_FATAL(hb.nrtt, 2);
	CU_ASSERT_EQUAL(hb.rtt[0].peer, 2);
	CU_ASSERT_EQUAL(hb.rtt[0].us, 1500);
	CU_ASSERT_EQUAL(hb.rtt[1].us, 20000);
	json_decref(j);
	j = json_loads("{\"lost\": -1}", 0, NULL);
	CU_ASSERT_EQUAL(mg_body_stats(j, &hb, why, sizeof(why)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "stats: field \"lost\" must be between 0 and 9007199254740991");
	json_decref(j);
	memset(&hb, 0, sizeof(hb));
	j = json_loads("{\"rtt\": [{\"client_id\": 2, \"ms\": 1}, {\"client_id\": 2, \"ms\": 60001}]}", 0, NULL);
	CU_ASSERT_EQUAL(mg_body_stats(j, &hb, why, sizeof(why)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "stats.rtt[1]: field \"ms\" must be between 0 and 60000");
	json_decref(j);
	/* more round trips than a heartbeat carries */
	j = json_loads("{\"rtt\": [{},{},{},{},{},{},{},{},{}]}", 0, NULL);
	CU_ASSERT_EQUAL(mg_body_stats(j, &hb, why, sizeof(why)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "stats: field \"rtt\" must have a number of elements between 0 and 8");
	json_decref(j);
}

/* The edge channels of tests/integration/mgmt_api.sh, and what it refuses. */
static void test_edge_channels(void)
{
	struct mg_edge_reg reg = { 0 };
	char why[256];
	json_t *j = json_loads("[{\"id\": 1, \"direct_max\": 1, \"sdp_url\": \"http://[2001:db8::1]:8081/1.sdp\"},"
			       " {\"id\": 77}]", 0, NULL);

	CU_ASSERT_EQUAL(mg_body_edge_channels(j, &reg, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL_FATAL(reg.nchan, 2);
	CU_ASSERT_EQUAL(reg.chan[0].id, 1);
	CU_ASSERT_EQUAL(reg.chan[0].direct_max, 1);
	CU_ASSERT_STRING_EQUAL(reg.chan[0].sdp_url, "http://[2001:db8::1]:8081/1.sdp");
	CU_ASSERT_EQUAL(reg.chan[1].id, 77);
	CU_ASSERT_STRING_EQUAL(reg.chan[1].sdp_url, "");
	free(reg.chan);
	json_decref(j);
	memset(&reg, 0, sizeof(reg));
	CU_ASSERT_EQUAL(mg_body_edge_channels(NULL, &reg, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(reg.nchan, 0);
	free(reg.chan);
	memset(&reg, 0, sizeof(reg));
	j = json_loads("[{\"id\": 1}, {\"id\": 2}, {\"id\": 1}]", 0, NULL);
	CU_ASSERT_EQUAL(mg_body_edge_channels(j, &reg, why, sizeof(why)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "channels[2]: channel 1 is listed twice");
	free(reg.chan);
	json_decref(j);
	memset(&reg, 0, sizeof(reg));
	j = json_loads("[{\"id\": 1, \"sdp_url\": \"ftp://x/1.sdp\"}]", 0, NULL);
	CU_ASSERT_EQUAL(mg_body_edge_channels(j, &reg, why, sizeof(why)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "channels[0]: sdp_url must be an http(s) URL");
	free(reg.chan);
	json_decref(j);
	memset(&reg, 0, sizeof(reg));
	j = json_loads("[{\"id\": 1}, 5]", 0, NULL);
	CU_ASSERT_EQUAL(mg_body_edge_channels(j, &reg, why, sizeof(why)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "channels[1]: a JSON object is required");
	free(reg.chan);
	json_decref(j);
}

static void test_edge_load(void)
{
	char why[256];
	json_t *j = json_loads("{\"bitrate_bps\": 8000000, \"channels\": [{\"id\": 1, \"bitrate_bps\": 4000000}]}", 0,
			       NULL);

	CU_ASSERT_EQUAL(mg_body_edge_load_channels(j, why, sizeof(why)), 0);
	json_decref(j);
	j = json_loads("{\"channels\": [{\"id\": 1}, {\"bitrate_bps\": 1}]}", 0, NULL);
	CU_ASSERT_EQUAL(mg_body_edge_load_channels(j, why, sizeof(why)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "channels[1]: missing field \"id\"");
	json_decref(j);
}

static void test_chan_def(void)
{
	struct mg_chan_def d;
	char why[200];
	json_t *j = body_of("{\"name\": \"Movies\", \"port\": 5002, \"group4\": null, \"source6\": \"2001:db8::10\","
			    " \"sdp_url\": \"http://x/1.sdp\", \"enabled\": false}", mg_body_channel);

	mg_chan_default(&d, 3, "");
	CU_ASSERT_EQUAL(mg_body_chan_def(j, &d, why, sizeof(why)), 0);
	CU_ASSERT_STRING_EQUAL(d.name, "Movies");
	CU_ASSERT_EQUAL(d.port, 5002);
	CU_ASSERT_EQUAL(sc_addr_port(&d.group6), 5002); /* the groups take the channel's port */
	CU_ASSERT_EQUAL(d.group4.len, 0);
	CU_ASSERT_EQUAL(sc_addr_family(&d.source6), AF_INET6);
	CU_ASSERT_STRING_EQUAL(d.sdp_url, "http://x/1.sdp");
	CU_ASSERT(!d.enabled);
	json_decref(j);
	/* what tests/integration/mgmt_api.sh sends and is refused */
	j = body_of("{\"name\": \"Bad\", \"group6\": \"2001:db8::1\"}", mg_body_channel);
	mg_chan_default(&d, 4, "");
	CU_ASSERT_EQUAL(mg_body_chan_def(j, &d, why, sizeof(why)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "group6 must be a multicast address");
	json_decref(j);
	j = body_of("{\"group4\": \"ff3e::1\"}", mg_body_channel);
	CU_ASSERT_EQUAL(mg_body_chan_def(j, &d, why, sizeof(why)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "group4 must be an IPv4 address");
	json_decref(j);
	j = body_of("{\"group6\": null, \"group4\": null}", mg_body_channel);
	mg_chan_default(&d, 4, "x");
	CU_ASSERT_EQUAL(mg_body_chan_def(j, &d, why, sizeof(why)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "a channel needs group6 or group4");
	json_decref(j);
}

static void test_metro_def(void)
{
	struct mg_metro_def d = { .id = 4 };
	char why[200];
	json_t *j = body_of("{\"name\": \"west\", \"prefixes\": [\"2001:db8:4::/48\", \"10.4.0.0/16\"]}", mg_body_metro);

	CU_ASSERT_EQUAL(mg_body_metro_def(j, &d, why, sizeof(why)), 0);
	CU_ASSERT_STRING_EQUAL(d.name, "west");
	CU_ASSERT_EQUAL(d.nprefix, 2);
	CU_ASSERT_EQUAL(d.prefix[1].family, AF_INET);
	CU_ASSERT_EQUAL(d.prefix[1].len, 16);
	json_decref(j);
	j = body_of("{\"prefixes\": [\"2001:db8:4::/48\", \"2001:db8:1::1/48\"]}", mg_body_metro);
	CU_ASSERT_EQUAL(mg_body_metro_def(j, &d, why, sizeof(why)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "prefixes[1] is not a prefix such as \"2001:db8:1::/48\" (host bits zero)");
	json_decref(j);
	j = body_of("{\"prefixes\": []}", mg_body_metro);
	CU_ASSERT_EQUAL(mg_body_metro_def(j, &d, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(d.nprefix, 0);
	json_decref(j);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "field lists", test_fields },
		{ "heartbeat stats", test_stats },
		{ "edge channels", test_edge_channels },
		{ "edge load", test_edge_load },
		{ "channel definition", test_chan_def },
		{ "metro definition", test_metro_def },
		{ NULL, NULL },
	};
	return tu_add_suite("mg_bodies", tests);
}
