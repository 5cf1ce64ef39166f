/* libFuzzer target: the management server's decoding of request bodies
 * (mgmt-server/mg_json.c, mg_bodies.c): mg_json_parse_body, the check
 * against the field list of the request the first byte picks, and the
 * conversions of its nested parts (addresses, heartbeat stats, an edge's
 * channels, a channel's or a metro's definition). The rest of the input is
 * the body, with its length and no NUL after it, as mg_http hands it over.
 *
 * Beyond "no crash": a refused body has a reason; an accepted one holds
 * only listed fields of the listed types within their ranges; the parsed
 * body written back parses and checks the same; addresses, channel and
 * metro definitions written back as text give the same values. Build with
 * ./configure CC=clang-14 --enable-fuzzers; run e.g.
 *   build-fuzz/tests/fuzz/fuzz_mg_json -dict=tests/fuzz/dict/json.dict CORPUS_DIR */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mg_bodies.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x) ((x) ? (void)0 : abort())

enum kind { REGISTER, TUNE, HEARTBEAT, EMPTY, EDGE_REGISTER, EDGE_LOAD, CHANNEL, METRO, PATCH, MOVE, KICK, KINDS };

static const struct mg_field *const lists[KINDS] = {
	mg_body_register, mg_body_tune, mg_body_heartbeat, mg_body_empty, mg_body_edge_register, mg_body_edge_load,
	mg_body_channel, mg_body_metro, mg_body_client_patch, mg_body_client_move, mg_body_client_kick,
};

static char why[256];

static bool has_reason(void)
{
	return why[0] && strlen(why) < sizeof(why);
}

/* A field of an accepted body: listed, of its type, in its range. */
static void check_field(const struct mg_field *f, const json_t *v)
{
	int t = f->type & 0xff;

	if (json_is_null(v) && (f->type & MG_J_NULLABLE))
		return;
	switch (t) {
	case MG_J_UINT:
		CHECK(json_is_integer(v) && json_integer_value(v) >= f->min && json_integer_value(v) <= f->max);
		break;
	case MG_J_NUMBER:
		CHECK(json_is_number(v) && isfinite(json_number_value(v)) && json_number_value(v) >= f->min &&
		      json_number_value(v) <= f->max);
		break;
	case MG_J_STR:
		CHECK(json_is_string(v) && json_string_length(v) >= f->min && json_string_length(v) <= f->max);
		break;
	case MG_J_BOOL: CHECK(json_is_boolean(v)); break;
	case MG_J_ARRAY:
		CHECK(json_is_array(v) && json_array_size(v) >= f->min && json_array_size(v) <= f->max);
		break;
	case MG_J_OBJECT: CHECK(json_is_object(v)); break;
	default: break;
	}
}

static void check_accepted(const json_t *j, const struct mg_field *fields)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)j, key, v) {
		const struct mg_field *f = fields;

		while (f->name && strcmp(f->name, key))
			f++;
		CHECK(f->name != NULL);
		check_field(f, v);
	}
	for (const struct mg_field *f = fields; f->name; f++)
		CHECK(!(f->type & MG_J_REQUIRED) || json_object_get(j, f->name));
}

/* An address list: accepted ones are unicast with a host (and a port when
 * one is due), and written back they read the same. */
static void addrs(const json_t *arr, uint16_t port, size_t max)
{
	struct mg_caddr a[16], b[16];
	size_t n, m;
	json_t *back;

	if (!arr || max > 16 || mg_json_addrs(arr, port, a, max, &n, why, sizeof(why)) < 0)
		return;
	CHECK(n == json_array_size(arr) && n <= max);
	for (size_t i = 0; i < n; i++)
		CHECK(a[i].family && (a[i].port || !port));
	back = mg_json_addr_array(a, n);
	CHECK(mg_json_addrs(back, port, b, max, &m, why, sizeof(why)) == 0 && m == n && !memcmp(a, b, n * sizeof(a[0])));
	json_decref(back);
}

static void stats(const json_t *s)
{
	struct mg_heartbeat hb;

	memset(&hb, 0, sizeof(hb));
	if (!s)
		return;
	if (mg_body_stats(s, &hb, why, sizeof(why)) < 0) {
		CHECK(has_reason());
		return;
	}
	CHECK(hb.has_stats && hb.nrtt <= MG_RTT_MAX && hb.nrtt == json_array_size(json_object_get(s, "rtt")));
	for (size_t i = 0; i < hb.nrtt; i++)
		CHECK(hb.rtt[i].peer && hb.rtt[i].us <= 60000000);
}

static void edge_channels(const json_t *arr)
{
	struct mg_edge_reg reg;
	int rc;

	memset(&reg, 0, sizeof(reg));
	rc = mg_body_edge_channels(arr, &reg, why, sizeof(why));
	CHECK(rc == 0 || rc == -ENOMEM || (rc == -EINVAL && has_reason()));
	if (rc == 0) {
		CHECK(reg.nchan == json_array_size(arr));
		for (size_t i = 0; i < reg.nchan; i++) {
			CHECK(reg.chan[i].id && strlen(reg.chan[i].sdp_url) < MG_URL_MAX);
			for (size_t k = 0; k < i; k++)
				CHECK(reg.chan[k].id != reg.chan[i].id);
		}
	}
	free(reg.chan);
}

/* A definition as the NOC would send it to create the same channel. */
static json_t *chan_body(const struct mg_chan_def *d)
{
	const struct sc_sockaddr *a[4] = { &d->group6, &d->group4, &d->source6, &d->source4 };
	static const char *const names[4] = { "group6", "group4", "source6", "source4" };
	json_t *j = json_pack("{s:s, s:I, s:s, s:I, s:b}", "name", d->name, "port", (json_int_t)d->port, "sdp_url",
			      d->sdp_url, "direct_max", (json_int_t)d->direct_max, "enabled", d->enabled);
	char buf[SC_ADDR_STRLEN];

	for (int i = 0; j && i < 4; i++) {
		if (!a[i]->len) {
			json_object_set_new(j, names[i], json_null());
			continue;
		}
		CHECK(sc_addr_format(a[i], false, buf, sizeof(buf)) == 0);
		json_object_set_new(j, names[i], json_string(buf));
	}
	CHECK(j != NULL);
	return j;
}

static void channel(const json_t *body)
{
	struct mg_chan_def d, e;
	json_t *back;

	mg_chan_default(&d, 1, "");
	if (mg_body_chan_def(body, &d, why, sizeof(why)) < 0) {
		CHECK(has_reason());
		return;
	}
	CHECK(mg_chan_check(&d, why, sizeof(why)) == 0);
	CHECK(!d.group6.len || sc_addr_port(&d.group6) == d.port);
	CHECK(!d.group4.len || sc_addr_port(&d.group4) == d.port);
	back = chan_body(&d);
	CHECK(mg_json_check(back, mg_body_channel, why, sizeof(why)) == 0);
	mg_chan_default(&e, 1, "");
	CHECK(mg_body_chan_def(back, &e, why, sizeof(why)) == 0 && mg_chan_def_equal(&d, &e));
	json_decref(back);
}

static void metro(const json_t *body)
{
	static struct mg_metro_def d, e;
	char buf[64];
	json_t *back, *arr;

	memset(&d, 0, sizeof(d));
	d.id = 1;
	snprintf(d.name, sizeof(d.name), "m");
	if (mg_body_metro_def(body, &d, why, sizeof(why)) < 0) {
		CHECK(has_reason());
		return;
	}
	CHECK(mg_metro_check(&d, why, sizeof(why)) == 0 && d.nprefix <= MG_PREFIX_MAX);
	arr = json_array();
	for (size_t i = 0; i < d.nprefix; i++) {
		CHECK(sc_prefix_format(&d.prefix[i], buf, sizeof(buf)) == 0);
		json_array_append_new(arr, json_string(buf));
	}
	back = json_pack("{s:s, s:o}", "name", d.name, "prefixes", arr);
	CHECK(back && mg_json_check(back, mg_body_metro, why, sizeof(why)) == 0);
	memset(&e, 0, sizeof(e));
	e.id = 1;
	CHECK(mg_body_metro_def(back, &e, why, sizeof(why)) == 0 && mg_metro_def_equal(&d, &e));
	json_decref(back);
}

/* The nested parts, as the handler of the request converts them. */
static void nested(enum kind k, const json_t *j)
{
	switch (k) {
	case REGISTER: addrs(json_object_get(j, "addrs"), 5100, MG_CLIENT_ADDRS); break;
	case HEARTBEAT: stats(json_object_get(j, "stats")); break;
	case EDGE_REGISTER:
		addrs(json_object_get(j, "addrs"), 0, MG_EDGE_ADDRS);
		addrs(json_object_get(j, "ret_addrs"), 5200, MG_EDGE_ADDRS);
		addrs(json_object_get(j, "burst_addrs"), 5200, MG_EDGE_ADDRS);
		edge_channels(json_object_get(j, "channels"));
		break;
	case EDGE_LOAD:
		CHECK(mg_body_edge_load_channels(j, why, sizeof(why)) == 0 || has_reason());
		break;
	case CHANNEL: channel(j); break;
	case METRO: metro(j); break;
	default: break;
	}
}

/* The parsed body written back: parsed and checked the same. */
static void again(const json_t *j, const struct mg_field *fields, int rc)
{
	char *text = json_dumps(j, JSON_COMPACT);
	json_t *k;

	CHECK(text != NULL);
	k = mg_json_parse_body(text, strlen(text), true, why, sizeof(why));
	CHECK(k && json_equal(j, k));
	CHECK(mg_json_check(k, fields, why, sizeof(why)) == rc);
	json_decref(k);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum kind k;
	char *body;
	json_t *j;
	int rc;

	if (size < 1)
		return 0;
	k = (enum kind)(data[0] % KINDS);
	body = malloc(size - 1 ? size - 1 : 1);
	if (!body)
		return 0;
	memcpy(body, data + 1, size - 1);
	why[0] = '\0';
	j = mg_json_parse_body(body, size - 1, true, why, sizeof(why));
	free(body);
	if (!j) {
		CHECK(has_reason());
		return 0;
	}
	CHECK(json_is_object(j));
	why[0] = '\0';
	rc = mg_json_check(j, lists[k], why, sizeof(why));
	CHECK(rc == 0 || (rc == -EINVAL && has_reason()));
	again(j, lists[k], rc);
	if (rc == 0) {
		check_accepted(j, lists[k]);
		nested(k, j);
	}
	json_decref(j);
	return 0;
}
