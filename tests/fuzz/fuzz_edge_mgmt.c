/* libFuzzer target: the edge's parsers of the management server's answers
 * (mcast-server/edge_mgmt_json.c). The first byte picks the answer (even:
 * registration, odd: load report), the rest is the body, given with its
 * length and without a NUL after it, as sc_httpc hands it over (ASan sees
 * a read past its end).
 *
 * Beyond "no crash": an accepted registration keeps the limits (edge id,
 * token length, report period, a channel is kept with a key or marked
 * unusable), and written back as JSON it parses to the same values; so
 * does a load report's answer. Build with ./configure CC=clang-14
 * --enable-fuzzers; run e.g.
 *   build-fuzz/tests/fuzz/fuzz_edge_mgmt -dict=tests/fuzz/dict/json.dict CORPUS_DIR */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edge_mgmt_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x) ((x) ? (void)0 : abort())

static const uint8_t zero_key[EDGE_MGMT_KEY_BYTES];

static bool report_ok(uint64_t ms)
{
	return ms == 0 || (ms >= 100 && ms <= 3600000);
}

static json_t *enc_chan(const struct edge_mgmt_chan_key *k)
{
	char hex[2 * EDGE_MGMT_KEY_BYTES + 1];

	if (!k->id)
		return json_pack("{s:I}", "id", (json_int_t)0);
	for (size_t i = 0; i < EDGE_MGMT_KEY_BYTES; i++)
		snprintf(hex + 2 * i, 3, "%02X", k->key[i]); /* either case is hex */
	return json_pack("{s:I, s:s}", "id", (json_int_t)k->id, "ret_key", hex);
}

static char *enc_register(const struct edge_mgmt_reg_answer *a)
{
	json_t *chans = json_array(), *j;
	char *s;

	for (size_t i = 0; i < a->n_chans; i++)
		json_array_append_new(chans, enc_chan(&a->chans[i]));
	j = json_pack("{s:I, s:s, s:o}", "edge_id", (json_int_t)a->edge_id, "token", a->token, "channels", chans);
	if (j && a->report_ms)
		json_object_set_new(j, "report_ms", json_integer((json_int_t)a->report_ms));
	s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	CHECK(s != NULL);
	return s;
}

static void registration(const char *body, size_t len)
{
	struct edge_mgmt_reg_answer a, b;
	char *again;
	int rc = edge_mgmt_parse_register(body, len, &a);

	if (rc < 0) {
		CHECK((rc == -EBADMSG || rc == -ENOMEM) && !a.chans && !a.edge_id);
		return;
	}
	CHECK(a.edge_id && a.edge_id <= 0x7fffffff && strlen(a.token) < sizeof(a.token) && report_ok(a.report_ms));
	CHECK(!a.n_chans == !a.chans);
	for (size_t i = 0; i < a.n_chans; i++)
		CHECK(a.chans[i].id || !memcmp(a.chans[i].key, zero_key, sizeof(zero_key)));
	again = enc_register(&a);
	CHECK(edge_mgmt_parse_register(again, strlen(again), &b) == 0);
	CHECK(a.edge_id == b.edge_id && !strcmp(a.token, b.token) && a.report_ms == b.report_ms &&
	      a.n_chans == b.n_chans);
	for (size_t i = 0; i < a.n_chans; i++)
		CHECK(a.chans[i].id == b.chans[i].id && !memcmp(a.chans[i].key, b.chans[i].key, EDGE_MGMT_KEY_BYTES));
	free(again);
	edge_mgmt_reg_answer_clear(&a);
	edge_mgmt_reg_answer_clear(&b);
}

static void load(const char *body, size_t len)
{
	struct edge_mgmt_load_answer a, b;
	char again[128];

	edge_mgmt_parse_load(body, len, &a);
	CHECK(report_ok(a.report_ms));
	snprintf(again, sizeof(again), "{\"report_ms\": %llu, \"lineup_version\": %lld}",
		 (unsigned long long)a.report_ms, (long long)a.lineup_version);
	edge_mgmt_parse_load(again, strlen(again), &b);
	CHECK(a.report_ms == b.report_ms && a.lineup_version == b.lineup_version);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *body;

	if (size < 1)
		return 0;
	body = malloc(size - 1 ? size - 1 : 1);
	if (!body)
		return 0;
	memcpy(body, data + 1, size - 1);
	if (data[0] & 1)
		load(body, size - 1);
	else
		registration(body, size - 1);
	free(body);
	return 0;
}
