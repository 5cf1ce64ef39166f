/* mg_api_edge: the edge servers' API: register, their channels with RET
 * keys, load reports; and the trust anchor every member reads (the CA key
 * and the revocations). Part of mg_api; docs/api.md has the shapes. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mg_api.h"
#include "mg_auth.h"
#include "mg_view.h"
#include "sc_log.h"

#define RET_PORT 5200

static json_t *edge_channel(const struct mg_channel *ch)
{
	json_t *j = json_pack("{s:I, s:s, s:o, s:b}", "id", (json_int_t)ch->def.id, "name",
			      ch->def.name, "ret_key", mg_json_hex(ch->ret_key, sizeof(ch->ret_key)),
			      "enabled", ch->def.enabled);
	char buf[SC_ADDR_STRLEN];

	if (!j)
		return NULL;
	if (ch->def.group6.len) {
		sc_addr_format(&ch->def.group6, false, buf, sizeof(buf));
		json_object_set_new(j, "group6", json_string(buf));
	} else {
		json_object_set_new(j, "group6", json_null());
	}
	if (ch->def.group4.len) {
		sc_addr_format(&ch->def.group4, false, buf, sizeof(buf));
		json_object_set_new(j, "group4", json_string(buf));
	} else {
		json_object_set_new(j, "group4", json_null());
	}
	json_object_set_new(j, "port", json_integer(ch->def.port));
	return j;
}

/* The edge's channels as the line-up knows them, and those it does not. */
static json_t *edge_channels(struct mg_state *st, const struct mg_edge *e, json_t **unknown)
{
	json_t *arr = json_array();

	*unknown = json_array();
	for (size_t i = 0; arr && *unknown && i < e->nchan; i++) {
		const struct mg_channel *ch = mg_channel_get(st, e->chan[i].id);

		if (ch)
			json_array_append_new(arr, edge_channel(ch));
		else
			json_array_append_new(*unknown, json_integer(e->chan[i].id));
	}
	return arr;
}

static int read_channels(struct mg_call *c, const json_t *arr, struct mg_edge_reg *reg)
{
	char why[256];
	int rc = mg_body_edge_channels(arr, reg, why, sizeof(why));

	if (rc == -ENOMEM)
		mg_reply_error(c->r, 500, "out of memory");
	else if (rc < 0)
		mg_reply_error(c->r, 400, "%s", why);
	return rc;
}

static int read_addrs(struct mg_call *c, const char *name, uint16_t port, struct mg_caddr *out,
		      size_t *n)
{
	json_t *a = json_object_get(c->body, name);
	char why[160];

	*n = 0;
	if (!a)
		return 0;
	if (mg_json_addrs(a, port, out, MG_EDGE_ADDRS, n, why, sizeof(why)) < 0) {
		mg_reply_error(c->r, 400, "%s: %s", name, why);
		return -EINVAL;
	}
	return 0;
}

void mg_h_edge_register(struct mg_call *c)
{
	const struct mg_config *cfg = mg_api_config(c->api);
	struct mg_edge_reg reg = { 0 };
	char token[MG_TOKEN_BUF];
	uint8_t pub[RTX_PUB_BYTES];
	const char *cred;
	struct mg_edge *e;
	struct mg_batch *b;
	json_t *chans, *unknown, *answer;
	int rc;

	if (!mg_body_ok(c, mg_body_edge_register))
		return;
	reg.name = mg_json_str(c->body, "name", "");
	cred = mg_json_str(c->body, "credential", "");
	if (mg_name_check(reg.name) < 0) {
		mg_reply_error(c->r, 400, "name must be printable, 1 to 63 characters");
		return;
	}
	if (strlen(cred) != strlen(cfg->auth.edge_secret) ||
	    !mg_credential_ok(MG_CRED_SHARED, cfg->auth.edge_secret, reg.name, cred)) {
		mg_reply_error(c->r, 401, "wrong credential for an edge");
		return;
	}
	if ((rc = mg_body_pubkey(c, pub)) < 0)
		return;
	reg.pub = rc ? pub : NULL;
	if (read_addrs(c, "addrs", 0, reg.addrs, &reg.naddr) < 0 ||
	    read_addrs(c, "ret_addrs", RET_PORT, reg.ret, &reg.nret) < 0 ||
	    read_addrs(c, "burst_addrs", RET_PORT, reg.burst, &reg.nburst) < 0 ||
	    read_channels(c, json_object_get(c->body, "channels"), &reg) < 0) {
		free(reg.chan);
		return;
	}
	b = mg_batch_new();
	if (!b || mg_edge_register(c->st, &reg, token, &e, b) < 0) {
		mg_batch_free(b);
		free(reg.chan);
		mg_reply_error(c->r, 500, "cannot register the edge");
		return;
	}
	free(reg.chan);
	chans = edge_channels(c->st, e, &unknown);
	/* lineup_version: the edge's baseline, so that a change before its
	 * first load report is not missed */
	answer = json_pack("{s:I, s:s, s:o, s:o, s:I, s:I}", "edge_id", (json_int_t)e->id, "token", token,
			   "channels", chans, "unknown_channels", unknown, "report_ms",
			   (json_int_t)cfg->edges.report_ms, "lineup_version",
			   (json_int_t)mg_state_lineup_version(c->st));
	mg_view_cert_fields(answer, c->st, e->cert);
	mg_api_commit(c, b, 200, answer);
}

void mg_h_edge_channels(struct mg_call *c)
{
	struct mg_edge *e = mg_edge_get(c->st, c->id[0]);
	json_t *chans, *unknown;

	if (!e) {
		mg_reply_error(c->r, 404, "no edge %u", c->id[0]);
		return;
	}
	chans = edge_channels(c->st, e, &unknown);
	mg_reply_json(c->r, 200, json_pack("{s:o, s:o, s:I}", "channels", chans, "unknown_channels",
					   unknown, "lineup_version",
					   (json_int_t)mg_state_lineup_version(c->st)));
}

/* Written by hand like the heartbeat's answer: the revocations come as
 * the one cached text. */
static void load_answer(struct mg_req *r, struct mg_state *st, const struct mg_edge *e, bool cert)
{
	struct mg_jw w;

	mg_jw_init(&w);
	mg_jw_obj(&w);
	mg_jw_key(&w, "report_ms");
	mg_jw_u64(&w, mg_state_config(st)->edges.report_ms);
	mg_jw_key(&w, "lineup_version");
	mg_jw_u64(&w, mg_state_lineup_version(st));
	if (cert)
		mg_jw_cert(&w, e->cert);
	mg_jw_revoked(&w, st);
	mg_jw_obj_end(&w);
	mg_reply_jw(r, &w);
}

void mg_h_edge_load(struct mg_call *c)
{
	struct mg_edge *e = c->who.edge;
	uint8_t pub[RTX_PUB_BYTES];
	int given, issued;
	char why[256];

	if (!mg_body_ok(c, mg_body_edge_load))
		return;
	if (mg_body_edge_load_channels(c->body, why, sizeof(why)) < 0) {
		mg_reply_error(c->r, 400, "%s", why);
		return;
	}
	if ((given = mg_body_pubkey(c, pub)) < 0)
		return;
	json_object_del(c->body, "pubkey"); /* the report shown is the load's figures */
	mg_edge_load(c->st, e, c->body);
	if ((issued = mg_edge_cert_refresh(c->st, e, given ? pub : NULL)) < 0)
		sc_log(LOG_ERR, "cannot certify edge %u: %s", e->id, strerror(-issued));
	load_answer(c->r, c->st, e, issued > 0);
}

/* GET /trust: what any member needs to check the others' certificates. */
void mg_h_trust(struct mg_call *c)
{
	char hex[2 * RTX_CA_PUB_BYTES + 1];
	struct mg_jw w;

	rtx_hex(mg_trust_ca_pub(c->st), RTX_CA_PUB_BYTES, hex);
	mg_jw_init(&w);
	mg_jw_obj(&w);
	mg_jw_key(&w, "ca");
	mg_jw_str(&w, hex);
	mg_jw_key(&w, "ca_key_id");
	mg_jw_u64(&w, mg_trust_ca_key_id(c->st));
	mg_jw_key(&w, "cert_lifetime_ms");
	mg_jw_u64(&w, mg_trust_lifetime_ms(c->st));
	mg_jw_revoked(&w, c->st);
	mg_jw_obj_end(&w);
	mg_reply_jw(c->r, &w);
}
