/* Unit tests of mgc_json: the management server's answers as the box
 * reads them, including hostile and malformed ones. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mgc_json.h"
#include "tu.h"

#define KEY "892c36c4ce0c5ce010b0fab2ce3b32a77e0c5a9de178c49b6c4bde27174f544b"
#define CHAN "{\"id\": 1, \"name\": \"News 24\", \"group6\": \"ff3e::8000:1\", \"group4\": \"232.1.0.1\"," \
	     " \"port\": 5000, \"source6\": \"2001:db8::10\", \"source4\": \"10.0.0.10\", \"sdp_url\": null}"
#define GROUP "{\"id\": 7, \"channel_id\": 1, \"version\": 3, \"key\": \"" KEY "\", \"members\": [" \
	      "{\"client_id\": 1, \"metro\": \"north\", \"metro_id\": 1, \"addrs\": [\"[2001:db8:1::55]:5100\"]}," \
	      "{\"client_id\": 2, \"metro_id\": 2, \"addrs\": [\"10.3.0.77\", \"[2001:db8:2::66]:5101\"]}]}"

static void test_register(void)
{
	struct mgc_register r;
	char err[MGC_ERR_LEN];

	CU_ASSERT_EQUAL(mgc_parse_register("{\"client_id\": 17, \"token\": \"c17.ab\", \"metro\": \"north\", "
					   "\"metro_id\": 1, \"heartbeat_ms\": 5000, \"lineup_version\": 2}", &r, err), 0);
	CU_ASSERT_EQUAL(r.client_id, 17);
	CU_ASSERT_STRING_EQUAL(r.token, "c17.ab");
	CU_ASSERT_STRING_EQUAL(r.metro, "north");
	CU_ASSERT_EQUAL(r.heartbeat_ms, 5000);
	CU_ASSERT_EQUAL(mgc_parse_register("{\"token\": \"x\"}", &r, err), -EBADMSG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "client_id"));
	CU_ASSERT_EQUAL(mgc_parse_register("{\"client_id\": 2147483648, \"token\": \"x\"}", &r, err), -EBADMSG);
	CU_ASSERT_EQUAL(mgc_parse_register("{\"client_id\": -1, \"token\": \"x\"}", &r, err), -EBADMSG);
	CU_ASSERT_EQUAL(mgc_parse_register("[1]", &r, err), -EBADMSG);
	CU_ASSERT_EQUAL(mgc_parse_register("{", &r, err), -EBADMSG);
	CU_ASSERT_EQUAL(mgc_parse_register("", &r, err), -EBADMSG);
	CU_ASSERT_EQUAL(mgc_parse_register(NULL, &r, err), -EBADMSG);
}

static void test_channels(void)
{
	struct mgc_channel *c = NULL;
	size_t n = 0;
	char err[MGC_ERR_LEN];

	CU_ASSERT_EQUAL(mgc_parse_channels("[" CHAN ", {\"id\": 2, \"name\": \"Sport\", \"group6\": \"ff3e::8000:2\","
					   " \"port\": 5000, \"source6\": null}]", &c, &n, err), 0);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_EQUAL(c[0].id, 1);
	CU_ASSERT_STRING_EQUAL(c[0].name, "News 24");
	CU_ASSERT_EQUAL(c[0].port, 5000);
	CU_ASSERT_EQUAL(c[0].group6.u.sa.sa_family, AF_INET6);
	CU_ASSERT_EQUAL(c[0].group4.u.sa.sa_family, AF_INET);
	CU_ASSERT_EQUAL(c[0].source6.u.sa.sa_family, AF_INET6);
	CU_ASSERT_EQUAL(c[1].source6.len, 0);
	CU_ASSERT_EQUAL(c[1].group4.len, 0);
	free(c);
	CU_ASSERT_EQUAL(mgc_parse_channels("[]", &c, &n, err), 0);
	CU_ASSERT_EQUAL(n, 0);
	free(c);
	/* not a multicast group, no port, bad id, not a list */
	CU_ASSERT_EQUAL(mgc_parse_channels("[{\"id\": 1, \"port\": 5000, \"group6\": \"2001:db8::1\"}]", &c, &n, err),
			-EBADMSG);
	CU_ASSERT_EQUAL(mgc_parse_channels("[{\"id\": 1}]", &c, &n, err), -EBADMSG);
	CU_ASSERT_EQUAL(mgc_parse_channels("[{\"id\": 0, \"port\": 1}]", &c, &n, err), -EBADMSG);
	CU_ASSERT_EQUAL(mgc_parse_channels("[{\"id\": 1, \"port\": 70000}]", &c, &n, err), -EBADMSG);
	CU_ASSERT_EQUAL(mgc_parse_channels("[{\"id\": 1, \"port\": 5000, \"source6\": \"nope\"}]", &c, &n, err),
			-EBADMSG);
	CU_ASSERT_EQUAL(mgc_parse_channels("{}", &c, &n, err), -EBADMSG);
	CU_ASSERT_EQUAL(mgc_parse_channels("[1]", &c, &n, err), -EBADMSG);
}

static void test_tune(void)
{
	struct mgc_tune *t = malloc(sizeof(*t));
	char err[MGC_ERR_LEN];
	const char *ok = "{\"channel\": " CHAN ", \"group\": " GROUP ", \"ret\": {\"addrs\": [\"[2001:db8::10]:5200\","
			 " \"10.0.0.10:5200\"], \"domain_id\": 1, \"key\": \"" KEY "\"}, \"burst\": {\"addrs\": "
			 "[\"[2001:db8::10]:5200\"]}, \"sdp\": \"v=0\", \"heartbeat_ms\": 4000, \"lineup_version\": 2}";

	CU_ASSERT_EQUAL_FATAL(mgc_parse_tune(ok, t, err), 0);
	CU_ASSERT_EQUAL(t->channel.id, 1);
	CU_ASSERT(t->has_group);
	CU_ASSERT_EQUAL(t->group.id, 7);
	CU_ASSERT_EQUAL(t->group.version, 3);
	CU_ASSERT_EQUAL(t->group.key[0], 0x89);
	CU_ASSERT_EQUAL(t->group.key[31], 0x4b);
	CU_ASSERT_EQUAL(t->group.n_members, 2);
	CU_ASSERT_EQUAL(t->group.members[1].client_id, 2);
	CU_ASSERT_EQUAL(t->group.members[1].n_addrs, 2);
	/* default port 5100 for an address given without one */
	CU_ASSERT_EQUAL(ntohs(t->group.members[1].addrs[0].u.in4.sin_port), 5100);
	CU_ASSERT_EQUAL(ntohs(t->group.members[1].addrs[1].u.in6.sin6_port), 5101);
	CU_ASSERT(t->has_ret);
	CU_ASSERT_EQUAL(t->ret.domain_id, 1);
	CU_ASSERT_EQUAL(t->ret.n_addrs, 2);
	CU_ASSERT_EQUAL(t->ret.n_burst, 1);
	CU_ASSERT_EQUAL(t->heartbeat_ms, 4000);
	/* no group, no RET: fine */
	CU_ASSERT_EQUAL(mgc_parse_tune("{\"channel\": " CHAN ", \"group\": null, \"ret\": {\"addrs\": []}}", t, err), 0);
	CU_ASSERT(!t->has_group);
	CU_ASSERT(!t->has_ret);
	/* a short key, a key with a non-hex character, a member without id */
	CU_ASSERT_EQUAL(mgc_parse_tune("{\"channel\": " CHAN ", \"group\": {\"id\": 1, \"version\": 1, \"key\": \"ab\","
				       " \"members\": []}}", t, err), -EBADMSG);
	CU_ASSERT_EQUAL(mgc_parse_tune("{\"channel\": " CHAN ", \"group\": {\"id\": 1, \"version\": 1, \"key\": \"0x"
				       KEY "\"}}", t, err), -EBADMSG);
	CU_ASSERT_EQUAL(mgc_parse_tune("{\"channel\": " CHAN ", \"group\": {\"id\": 1, \"version\": 1, \"key\": \"" KEY
				       "\", \"members\": [{\"addrs\": []}]}}", t, err), -EBADMSG);
	CU_ASSERT_EQUAL(mgc_parse_tune("{\"group\": null}", t, err), -EBADMSG);
	free(t);
}

static void test_too_many_members(void)
{
	struct mgc_tune *t = malloc(sizeof(*t));
	char err[MGC_ERR_LEN];
	char *body = malloc(20000), *p = body;

	p += sprintf(p, "{\"channel\": " CHAN ", \"group\": {\"id\": 1, \"version\": 1, \"key\": \"" KEY
		     "\", \"members\": [");
	for (int i = 1; i <= MGC_MAX_MEMBERS + 1; i++)
		p += sprintf(p, "%s{\"client_id\": %d}", i > 1 ? "," : "", i);
	sprintf(p, "]}}");
	CU_ASSERT_EQUAL(mgc_parse_tune(body, t, err), -EBADMSG);
	free(body);
	free(t);
}

static void test_heartbeat(void)
{
	struct mgc_heartbeat *h = malloc(sizeof(*h));
	char err[MGC_ERR_LEN];

	CU_ASSERT_EQUAL(mgc_parse_heartbeat("{\"heartbeat_ms\": 5000, \"lineup_version\": 2, \"channel_id\": 1}", h, err),
			0);
	CU_ASSERT(!h->group_changed);
	CU_ASSERT_EQUAL(h->channel_id, 1);
	CU_ASSERT_EQUAL(mgc_parse_heartbeat("{\"heartbeat_ms\": 5000, \"channel_id\": null, \"group\": null}", h, err), 0);
	CU_ASSERT(h->group_changed);
	CU_ASSERT(!h->has_group);
	CU_ASSERT_EQUAL(h->channel_id, 0);
	CU_ASSERT_EQUAL(mgc_parse_heartbeat("{\"heartbeat_ms\": 5000, \"group\": " GROUP "}", h, err), 0);
	CU_ASSERT(h->group_changed && h->has_group);
	CU_ASSERT_EQUAL(h->group.n_members, 2);
	CU_ASSERT_EQUAL(mgc_parse_heartbeat("{\"heartbeat_ms\": \"5\"}", h, err), -EBADMSG);
	CU_ASSERT_EQUAL(mgc_parse_heartbeat("{\"group\": 3}", h, err), -EBADMSG);
	free(h);
}

#define PEERS "{\"channel_id\": 1, \"client_id\": 1, \"mode\": \"mesh\", \"direct\": false, " \
	"\"direct_used\": 3, \"direct_max\": 3, \"peers\": 3, \"edge\": {\"addrs\": [\"2001:db8::10\"]}, " \
	"\"source\": {\"edge_id\": 1, \"id\": 2147483649, \"addrs\": [\"[2001:db8::10]:5200\", \"10.0.0.10\"]}, " \
	"\"near\": [{\"client_id\": 2, \"metro\": \"south\", \"metro_id\": 2, " \
	"\"addrs\": [\"[2001:db8:2::66]:5100\"], \"distance_ms\": 3.2, \"measured\": true}], " \
	"\"random\": [{\"client_id\": 3, \"metro\": \"east\", \"metro_id\": 3, \"addrs\": [\"10.3.0.77\"]}]}"

static void test_peers(void)
{
	struct mgc_peers *p = malloc(sizeof(*p));
	char err[MGC_ERR_LEN], *big;
	size_t off;

	CU_ASSERT_EQUAL_FATAL(mgc_parse_peers(PEERS, p, err), 0);
	CU_ASSERT_EQUAL(p->channel_id, 1);
	CU_ASSERT(!p->direct);
	CU_ASSERT_EQUAL(p->source_id, 0x80000001u);
	CU_ASSERT_EQUAL(p->n_source, 2);
	CU_ASSERT_EQUAL(sc_addr_port(&p->source[1]), 5200);
	CU_ASSERT_EQUAL(p->n_near, 1);
	CU_ASSERT_EQUAL(p->near[0].client_id, 2);
	CU_ASSERT_EQUAL(p->n_random, 1);
	CU_ASSERT_EQUAL(sc_addr_port(&p->random[0].addrs[0]), 5100);
	/* No live edge: an empty source. */
	CU_ASSERT_EQUAL(mgc_parse_peers("{\"channel_id\": 1, \"direct\": true, \"source\": {}, \"near\": [], "
					"\"random\": []}", p, err), 0);
	CU_ASSERT(p->direct);
	CU_ASSERT_EQUAL(p->source_id, 0);
	CU_ASSERT_EQUAL(p->n_near + p->n_random, 0);
	/* A source id without the flag would pose as a box. */
	CU_ASSERT_EQUAL(mgc_parse_peers("{\"channel_id\": 1, \"source\": {\"id\": 1, \"addrs\": [\"[::1]:5200\"]}}",
					p, err), -EBADMSG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "source"));
	CU_ASSERT_EQUAL(mgc_parse_peers("{\"channel_id\": 1, \"near\": [{\"client_id\": 2147483649}]}", p, err),
			-EBADMSG);
	CU_ASSERT_EQUAL(mgc_parse_peers("{\"channel_id\": 1, \"direct\": 1}", p, err), -EBADMSG);
	CU_ASSERT_EQUAL(mgc_parse_peers("{\"channel_id\": 1, \"near\": {}}", p, err), -EBADMSG);
	CU_ASSERT_EQUAL(mgc_parse_peers("{\"near\": []}", p, err), -EBADMSG);
	/* A long list is cut at MGC_MAX_PEERS. */
	big = malloc(8192);
	off = (size_t)snprintf(big, 8192, "{\"channel_id\": 1, \"near\": [");
	for (int i = 1; i <= 40; i++)
		off += (size_t)snprintf(big + off, 8192 - off, "%s{\"client_id\": %d, \"addrs\": [\"[2001:db8::%x]\"]}",
					i > 1 ? "," : "", i, i);
	snprintf(big + off, 8192 - off, "]}");
	CU_ASSERT_EQUAL(mgc_parse_peers(big, p, err), 0);
	CU_ASSERT_EQUAL(p->n_near, MGC_MAX_PEERS);
	CU_ASSERT_EQUAL(p->near[MGC_MAX_PEERS - 1].client_id, MGC_MAX_PEERS);
	free(big);
	free(p);
}

static void test_random_garbage(void)
{
	char buf[256], err[MGC_ERR_LEN];
	struct mgc_tune *t = malloc(sizeof(*t));
	struct mgc_heartbeat *h = malloc(sizeof(*h));
	struct mgc_peers *p = malloc(sizeof(*p));

	/* Whatever comes, the parsers answer 0 or -EBADMSG and never crash. */
	for (int i = 0; i < 2000; i++) {
		size_t n = tu_rand_below(sizeof(buf) - 1);

		for (size_t k = 0; k < n; k++)
			buf[k] = "{}[]\":, 0123456789abcdefnulltrue-+.e\\"[tu_rand_below(37)];
		buf[n] = 0;
		CU_ASSERT(mgc_parse_tune(buf, t, err) <= 0);
		CU_ASSERT(mgc_parse_heartbeat(buf, h, err) <= 0);
		CU_ASSERT(mgc_parse_peers(buf, p, err) <= 0);
	}
	free(t);
	free(h);
	free(p);
}

static void test_error_text(void)
{
	char buf[64];

	mgc_error_text("{\"error\": \"unknown field \\\"x\\\"\"}", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "unknown field \"x\"");
	mgc_error_text("<html>", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "<html>");
	mgc_error_text(NULL, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "(no answer body)");
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "register", test_register },	     { "channels", test_channels },
		{ "tune", test_tune },		     { "too many members", test_too_many_members },
		{ "heartbeat", test_heartbeat },     { "random garbage", test_random_garbage },
		{ "error text", test_error_text },   { "peers", test_peers },
		{ NULL, NULL },
	};
	return tu_add_suite("mgc_json", tests);
}
