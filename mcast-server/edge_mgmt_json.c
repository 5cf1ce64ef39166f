/* edge_mgmt_json: parsing the management server's answers to an edge. See
 * edge_mgmt_json.h. */
#include "config.h"

#include "edge_mgmt_json.h"

#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define REPORT_MS_MIN 100
#define REPORT_MS_MAX 3600000

/* report_ms as the edge takes it: in range, else 0 (keep what it had). */
static uint64_t report_ms(json_t *j)
{
	json_int_t v = json_integer_value(json_object_get(j, "report_ms"));

	return v >= REPORT_MS_MIN && v <= REPORT_MS_MAX ? (uint64_t)v : 0;
}

/* One channel; a channel without a usable id or key is kept with id 0, so
 * that the edge says so in the log. */
static void chan_key(json_t *c, struct edge_mgmt_chan_key *k)
{
	json_int_t id = json_integer_value(json_object_get(c, "id"));
	const char *hex = json_string_value(json_object_get(c, "ret_key"));
	size_t n = 0;

	memset(k, 0, sizeof(*k));
	if (id <= 0 || id > UINT32_MAX || !hex || strlen(hex) != 2 * EDGE_MGMT_KEY_BYTES ||
	    sodium_hex2bin(k->key, sizeof(k->key), hex, 2 * EDGE_MGMT_KEY_BYTES, NULL, &n, NULL) != 0 ||
	    n != EDGE_MGMT_KEY_BYTES) {
		memset(k, 0, sizeof(*k));
		return;
	}
	k->id = (uint32_t)id;
}

static int chan_keys(json_t *chans, struct edge_mgmt_reg_answer *out)
{
	size_t i;
	json_t *c;

	if (!json_array_size(chans))
		return 0;
	out->chans = calloc(json_array_size(chans), sizeof(*out->chans));
	if (!out->chans)
		return -ENOMEM;
	json_array_foreach(chans, i, c)
		chan_key(c, &out->chans[i]);
	out->n_chans = json_array_size(chans);
	return 0;
}

int edge_mgmt_parse_register(const char *body, size_t len, struct edge_mgmt_reg_answer *out)
{
	json_t *j = json_loadb(body, len, 0, NULL);
	json_int_t id = json_integer_value(json_object_get(j, "edge_id"));
	const char *tok = json_string_value(json_object_get(j, "token"));
	int rc = -EBADMSG;

	memset(out, 0, sizeof(*out));
	if (!j || id <= 0 || id > 0x7fffffff || !tok || strlen(tok) >= sizeof(out->token))
		goto out;
	out->edge_id = (uint32_t)id;
	memcpy(out->token, tok, strlen(tok) + 1);
	out->report_ms = report_ms(j);
	out->lineup_version = json_integer_value(json_object_get(j, "lineup_version"));
	rc = chan_keys(json_object_get(j, "channels"), out);
out:
	json_decref(j);
	if (rc < 0)
		edge_mgmt_reg_answer_clear(out);
	return rc;
}

void edge_mgmt_reg_answer_clear(struct edge_mgmt_reg_answer *a)
{
	/* RET keys and the token are secrets: no copy stays in freed memory */
	if (a->chans)
		sodium_memzero(a->chans, a->n_chans * sizeof(*a->chans));
	free(a->chans);
	sodium_memzero(a, sizeof(*a));
}

void edge_mgmt_parse_load(const char *body, size_t len, struct edge_mgmt_load_answer *out)
{
	json_t *j = json_loadb(body, len, 0, NULL);

	out->report_ms = report_ms(j);
	out->lineup_version = json_integer_value(json_object_get(j, "lineup_version"));
	json_decref(j);
}

/* hex of exactly n bytes into out; false when absent or malformed. */
static bool hex_field(json_t *j, const char *k, uint8_t *out, size_t n)
{
	const char *hex = json_string_value(json_object_get(j, k));
	size_t got = 0;

	return hex && strlen(hex) == 2 * n && sodium_hex2bin(out, n, hex, 2 * n, NULL, &got, NULL) == 0 &&
	       got == n;
}

void edge_mgmt_parse_identity(const char *body, size_t len, struct edge_mgmt_identity *out)
{
	json_t *j = json_loadb(body, len, 0, NULL), *v;
	size_t i;

	out->n_revoked = 0;
	out->has_ca = j && hex_field(j, "ca", out->ca, sizeof(out->ca));
	out->has_cert = j && hex_field(j, "cert", out->cert, sizeof(out->cert));
	json_array_foreach(json_object_get(j, "revoked"), i, v) {
		json_int_t id = json_integer_value(json_object_get(v, "id"));
		json_int_t before = json_integer_value(json_object_get(v, "before_ms"));

		if (out->n_revoked == EDGE_MGMT_MAX_REVOKED)
			break;
		if (id > 0 && id <= UINT32_MAX && before > 0)
			out->revoked[out->n_revoked++] = (struct edge_mgmt_revoked){ (uint32_t)id, (uint64_t)before };
	}
	json_decref(j);
}
