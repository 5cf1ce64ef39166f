/* libFuzzer target: the box's parsers of the management server's answers
 * (client/mgc_json.c). The first byte picks the parser (register, channel
 * list, tune, heartbeat, tracker peers, error text), the rest is the body.
 *
 * Beyond "no crash": a refused answer has a reason; an accepted one keeps
 * the documented limits (ids, ports, list sizes, multicast groups, the
 * source flag), and written back as JSON (docs/api.md's shapes, by the
 * encoders below) it parses to the same values: nothing the box keeps
 * depends on how the server spelled it. Build with ./configure
 * CC=clang-14 --enable-fuzzers; run e.g.
 *   build-fuzz/tests/fuzz/fuzz_mgc_json -dict=tests/fuzz/dict/json.dict CORPUS_DIR */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "mgc_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x) ((x) ? (void)0 : abort())

static char err[MGC_ERR_LEN];

/* --- encoders: the parsed values as the server would write them --- */

static json_t *enc_addr(const struct sc_sockaddr *a)
{
	char buf[SC_ADDR_STRLEN];

	if (!a->len)
		return json_null();
	CHECK(sc_addr_format(a, true, buf, sizeof(buf)) == 0);
	return json_string(buf);
}

static json_t *enc_addrs(const struct sc_sockaddr *a, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, enc_addr(&a[i]));
	return arr;
}

static json_t *enc_key(const uint8_t *k)
{
	char hex[2 * MGC_KEY_BYTES + 1];

	for (size_t i = 0; i < MGC_KEY_BYTES; i++)
		snprintf(hex + 2 * i, 3, "%02x", k[i]);
	return json_string(hex);
}

static json_t *enc_channel(const struct mgc_channel *c)
{
	return json_pack("{s:I, s:s, s:I, s:s, s:o, s:o, s:o, s:o}", "id", (json_int_t)c->id, "name", c->name,
			 "port", (json_int_t)c->port, "sdp_url", c->sdp_url, "group6", enc_addr(&c->group6),
			 "group4", enc_addr(&c->group4), "source6", enc_addr(&c->source6), "source4",
			 enc_addr(&c->source4));
}

static json_t *enc_members(const struct mgc_member *m, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:I, s:I, s:o}", "client_id", (json_int_t)m[i].client_id,
						     "metro_id", (json_int_t)m[i].metro_id, "addrs",
						     enc_addrs(m[i].addrs, m[i].n_addrs)));
	return arr;
}

static json_t *enc_group(const struct mgc_group *g)
{
	return json_pack("{s:I, s:I, s:o, s:o}", "id", (json_int_t)g->id, "version", (json_int_t)g->version, "key",
			 enc_key(g->key), "members", enc_members(g->members, g->n_members));
}

/* json_dumps of j (reference taken), NUL-terminated, malloc'd. */
static char *text_of(json_t *j)
{
	char *s;

	CHECK(j != NULL);
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	CHECK(s != NULL);
	return s;
}

/* --- comparisons --- */

static bool addr_same(const struct sc_sockaddr *a, const struct sc_sockaddr *b)
{
	return a->len == b->len && (!a->len || sc_addr_equal(a, b));
}

static bool addrs_same(const struct sc_sockaddr *a, const struct sc_sockaddr *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!addr_same(&a[i], &b[i]))
			return false;
	return true;
}

static bool channel_same(const struct mgc_channel *a, const struct mgc_channel *b)
{
	return a->id == b->id && a->port == b->port && !strcmp(a->name, b->name) && !strcmp(a->sdp_url, b->sdp_url) &&
	       addr_same(&a->group6, &b->group6) && addr_same(&a->group4, &b->group4) &&
	       addr_same(&a->source6, &b->source6) && addr_same(&a->source4, &b->source4);
}

static bool members_same(const struct mgc_member *a, const struct mgc_member *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i].client_id != b[i].client_id || a[i].metro_id != b[i].metro_id ||
		    a[i].n_addrs != b[i].n_addrs || !addrs_same(a[i].addrs, b[i].addrs, a[i].n_addrs))
			return false;
	return true;
}

static bool group_same(const struct mgc_group *a, const struct mgc_group *b)
{
	return a->id == b->id && a->version == b->version && !memcmp(a->key, b->key, MGC_KEY_BYTES) &&
	       a->n_members == b->n_members && members_same(a->members, b->members, a->n_members);
}

/* --- invariants of an accepted answer --- */

static void check_addrs(const struct sc_sockaddr *a, size_t n, size_t max)
{
	CHECK(n <= max);
	for (size_t i = 0; i < n; i++)
		CHECK(a[i].len != 0);
}

static void check_channel(const struct mgc_channel *c)
{
	CHECK(c->id != 0 && c->port != 0);
	CHECK(strlen(c->name) < sizeof(c->name) && strlen(c->sdp_url) < sizeof(c->sdp_url));
	CHECK(!c->group6.len || sc_addr_is_multicast(&c->group6));
	CHECK(!c->group4.len || sc_addr_is_multicast(&c->group4));
}

static void check_members(const struct mgc_member *m, size_t n, size_t max, bool box_ids)
{
	CHECK(n <= max);
	for (size_t i = 0; i < n; i++) {
		CHECK(m[i].client_id != 0);
		CHECK(!box_ids || !(m[i].client_id & 0x80000000u));
		check_addrs(m[i].addrs, m[i].n_addrs, MGC_MAX_ADDRS);
	}
}

/* --- one parser each --- */

/* Whether rc says "refused", with a reason. */
static bool refused(int rc)
{
	if (rc == 0)
		return false;
	CHECK(rc == -ENOMEM || (rc == -EBADMSG && err[0] && strlen(err) < MGC_ERR_LEN));
	return true;
}

static void register_answer(const char *body)
{
	struct mgc_register a, b;
	char *again;

	if (refused(mgc_parse_register(body, &a, err)))
		return;
	CHECK(a.client_id && !(a.client_id & 0x80000000u));
	again = text_of(json_pack("{s:I, s:s, s:s, s:I, s:I}", "client_id", (json_int_t)a.client_id, "token", a.token,
				  "metro", a.metro, "heartbeat_ms", (json_int_t)a.heartbeat_ms, "lineup_version",
				  (json_int_t)a.lineup_version));
	CHECK(mgc_parse_register(again, &b, err) == 0);
	CHECK(a.client_id == b.client_id && !strcmp(a.token, b.token) && !strcmp(a.metro, b.metro) &&
	      a.heartbeat_ms == b.heartbeat_ms && a.lineup_version == b.lineup_version);
	free(again);
}

static void channels_answer(const char *body)
{
	struct mgc_channel *a = NULL, *b = NULL;
	size_t n, m;
	json_t *arr;
	char *again;

	if (refused(mgc_parse_channels(body, &a, &n, err)))
		return;
	arr = json_array();
	for (size_t i = 0; i < n; i++) {
		check_channel(&a[i]);
		json_array_append_new(arr, enc_channel(&a[i]));
	}
	again = text_of(arr);
	CHECK(mgc_parse_channels(again, &b, &m, err) == 0 && m == n);
	for (size_t i = 0; i < n; i++)
		CHECK(channel_same(&a[i], &b[i]));
	free(again);
	free(a);
	free(b);
}

static void check_tune(const struct mgc_tune *t)
{
	check_channel(&t->channel);
	if (t->has_group)
		check_members(t->group.members, t->group.n_members, MGC_MAX_MEMBERS, false);
	if (t->has_ret) {
		check_addrs(t->ret.addrs, t->ret.n_addrs, MGC_MAX_SERVERS);
		check_addrs(t->ret.burst, t->ret.n_burst, MGC_MAX_SERVERS);
	}
}

static void tune_answer(const char *body)
{
	static struct mgc_tune a, b;
	json_t *j;
	char *again;

	if (refused(mgc_parse_tune(body, &a, err)))
		return;
	check_tune(&a);
	j = json_pack("{s:o, s:o, s:I, s:I}", "channel", enc_channel(&a.channel), "group",
		      a.has_group ? enc_group(&a.group) : json_null(), "heartbeat_ms", (json_int_t)a.heartbeat_ms,
		      "lineup_version", (json_int_t)a.lineup_version);
	if (j && a.has_ret) {
		json_object_set_new(j, "ret", json_pack("{s:I, s:o, s:o}", "domain_id", (json_int_t)a.ret.domain_id,
							 "key", enc_key(a.ret.key), "addrs",
							 enc_addrs(a.ret.addrs, a.ret.n_addrs)));
		json_object_set_new(j, "burst", json_pack("{s:o}", "addrs", enc_addrs(a.ret.burst, a.ret.n_burst)));
	}
	again = text_of(j);
	CHECK(mgc_parse_tune(again, &b, err) == 0);
	CHECK(channel_same(&a.channel, &b.channel) && a.has_group == b.has_group && a.has_ret == b.has_ret &&
	      a.heartbeat_ms == b.heartbeat_ms && a.lineup_version == b.lineup_version);
	CHECK(!a.has_group || group_same(&a.group, &b.group));
	CHECK(!a.has_ret || (a.ret.domain_id == b.ret.domain_id && !memcmp(a.ret.key, b.ret.key, MGC_KEY_BYTES) &&
			     a.ret.n_addrs == b.ret.n_addrs && addrs_same(a.ret.addrs, b.ret.addrs, a.ret.n_addrs) &&
			     a.ret.n_burst == b.ret.n_burst && addrs_same(a.ret.burst, b.ret.burst, a.ret.n_burst)));
	free(again);
}

static void heartbeat_answer(const char *body)
{
	static struct mgc_heartbeat a, b;
	json_t *j;
	char *again;

	if (refused(mgc_parse_heartbeat(body, &a, err)))
		return;
	CHECK(!a.has_group || a.group_changed);
	if (a.has_group)
		check_members(a.group.members, a.group.n_members, MGC_MAX_MEMBERS, false);
	j = json_pack("{s:I, s:I, s:I}", "heartbeat_ms", (json_int_t)a.heartbeat_ms, "lineup_version",
		      (json_int_t)a.lineup_version, "channel_id", (json_int_t)a.channel_id);
	if (j && a.group_changed)
		json_object_set_new(j, "group", a.has_group ? enc_group(&a.group) : json_null());
	again = text_of(j);
	CHECK(mgc_parse_heartbeat(again, &b, err) == 0);
	CHECK(a.heartbeat_ms == b.heartbeat_ms && a.lineup_version == b.lineup_version &&
	      a.channel_id == b.channel_id && a.group_changed == b.group_changed && a.has_group == b.has_group);
	CHECK(!a.has_group || group_same(&a.group, &b.group));
	free(again);
}

static void peers_answer(const char *body)
{
	static struct mgc_peers a, b;
	json_t *src;
	char *again;

	if (refused(mgc_parse_peers(body, &a, err)))
		return;
	CHECK(!a.source_id || ((a.source_id & 0x80000000u) && a.n_source));
	check_addrs(a.source, a.n_source, MGC_MAX_SERVERS);
	check_members(a.near, a.n_near, MGC_MAX_PEERS, true);
	check_members(a.random, a.n_random, MGC_MAX_PEERS, true);
	src = a.source_id ? json_pack("{s:I, s:o}", "id", (json_int_t)a.source_id, "addrs",
				      enc_addrs(a.source, a.n_source)) :
			    json_object();
	again = text_of(json_pack("{s:I, s:b, s:o, s:o, s:o}", "channel_id", (json_int_t)a.channel_id, "direct",
				  a.direct, "source", src, "near", enc_members(a.near, a.n_near), "random",
				  enc_members(a.random, a.n_random)));
	CHECK(mgc_parse_peers(again, &b, err) == 0);
	CHECK(a.channel_id == b.channel_id && a.direct == b.direct && a.source_id == b.source_id);
	CHECK(!a.source_id || (a.n_source == b.n_source && addrs_same(a.source, b.source, a.n_source)));
	CHECK(a.n_near == b.n_near && members_same(a.near, b.near, a.n_near));
	CHECK(a.n_random == b.n_random && members_same(a.random, b.random, a.n_random));
	free(again);
}

/* len: the first byte, 5 or more, so short buffers are tried too. */
static void error_text(const char *body, uint8_t len)
{
	char buf[256];

	memset(buf, 'x', sizeof(buf));
	mgc_error_text(body, buf, len);
	CHECK(strlen(buf) < len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *body;

	if (size < 1)
		return 0;
	body = malloc(size);
	if (!body)
		return 0;
	memcpy(body, data + 1, size - 1);
	body[size - 1] = '\0';
	err[0] = '\0';
	switch (data[0] % 6) {
	case 0: register_answer(body); break;
	case 1: channels_answer(body); break;
	case 2: tune_answer(body); break;
	case 3: heartbeat_answer(body); break;
	case 4: peers_answer(body); break;
	default: error_text(body, data[0]); break;
	}
	free(body);
	return 0;
}
