/* mg_view: JSON views of channels, groups, boxes, metros and edges. See
 * mg_view.h. */
#include "config.h"

#include "mg_view.h"

#include <string.h>

/* Does edge e serve channel ch now, with addresses of this kind? */
static bool serves(const struct mg_state *st, const struct mg_edge *e, const struct mg_channel *ch,
		   bool burst)
{
	return mg_edge_carries(e, ch->def.id) && mg_edge_live(st, e) && (burst ? e->nburst : e->nret);
}

json_t *mg_view_cert(const struct mg_cert *c)
{
	char hex[2 * RTX_CERT_BYTES + 1];

	if (!c)
		return NULL;
	rtx_hex(c->raw, RTX_CERT_BYTES, hex);
	return json_string(hex);
}

void mg_view_cert_fields(json_t *obj, const struct mg_state *st, const struct mg_cert *c)
{
	char hex[2 * RTX_CA_PUB_BYTES + 1];

	if (!obj)
		return;
	if (c)
		json_object_set_new(obj, "cert", mg_view_cert(c));
	rtx_hex(mg_trust_ca_pub(st), RTX_CA_PUB_BYTES, hex);
	json_object_set_new(obj, "ca", json_string(hex));
	json_object_set_new(obj, "cert_lifetime_ms", json_integer((json_int_t)mg_trust_lifetime_ms(st)));
}

/* cert_serial and cert_not_after_ms of the NOC's views (null: none). */
static void cert_summary(json_t *obj, const struct mg_cert *c)
{
	json_object_set_new(obj, "cert_serial", c ? json_integer(c->serial) : json_null());
	json_object_set_new(obj, "cert_not_after_ms", c ? json_integer(c->not_after_ms) : json_null());
}

static json_t *addr_or_null(const struct sc_sockaddr *a)
{
	char buf[SC_ADDR_STRLEN];

	if (!a->len)
		return json_null();
	sc_addr_format(a, false, buf, sizeof(buf));
	return json_string(buf);
}

json_t *mg_view_channel(const struct mg_state *st, const struct mg_channel *ch, bool admin)
{
	struct sc_sockaddr s6, s4;
	const char *url = mg_channel_sdp_url(st, ch);
	json_t *j;

	mg_channel_sources(st, ch, &s6, &s4);
	j = json_pack("{s:I, s:s, s:o, s:o, s:I, s:o, s:o, s:s?}", "id", (json_int_t)ch->def.id,
		      "name", ch->def.name, "group6", addr_or_null(&ch->def.group6), "group4",
		      addr_or_null(&ch->def.group4), "port", (json_int_t)ch->def.port, "source6",
		      addr_or_null(&s6), "source4", addr_or_null(&s4), "sdp_url", url);
	if (j && !url)
		json_object_set_new(j, "sdp_url", json_null());
	if (j && admin) {
		struct grp_stats gs;

		grp_stats(mg_state_grp(st), ch->def.id, &gs);
		json_object_set_new(j, "enabled", json_boolean(ch->def.enabled));
		json_object_set_new(j, "direct_max", json_integer(ch->def.direct_max));
		json_object_set_new(j, "configured_source6", addr_or_null(&ch->def.source6));
		json_object_set_new(j, "configured_source4", addr_or_null(&ch->def.source4));
		json_object_set_new(j, "configured_sdp_url",
				    ch->def.sdp_url[0] ? json_string(ch->def.sdp_url) : json_null());
		json_object_set_new(j, "viewers", json_integer((json_int_t)gs.members));
		json_object_set_new(j, "groups", json_integer((json_int_t)gs.groups));
		json_object_set_new(j, "groups_distinct", json_integer((json_int_t)gs.distinct));
		json_object_set_new(j, "mesh_peers",
				    json_integer((json_int_t)trk_channel_peers(mg_state_trk(st), ch->def.id)));
	}
	return j;
}

json_t *mg_view_group(const struct mg_state *st, const struct grp_group *g, bool with_key,
		      bool admin)
{
	json_t *members = json_array(), *j;

	for (unsigned i = 0; members && i < grp_group_size(g); i++) {
		const struct grp_member *m = grp_group_member(g, i);
		const struct mg_client *c = mg_client_get(st, m->id);
		json_t *o = json_pack("{s:I, s:s, s:I, s:o}", "client_id", (json_int_t)m->id, "metro",
				      mg_metro_name(st, m->metro), "metro_id", (json_int_t)m->metro,
				      "addrs", c ? mg_json_addr_array(c->addrs, c->naddr) : json_array());

		if (o && with_key && c && c->cert)
			json_object_set_new(o, "cert", mg_view_cert(c->cert));
		json_array_append_new(members, o);
	}
	j = json_pack("{s:I, s:I, s:I, s:o}", "id", (json_int_t)grp_group_id(g), "channel_id",
		      (json_int_t)grp_group_channel(g), "version", (json_int_t)grp_group_version(g),
		      "members", members ? members : json_array());
	if (j && with_key)
		json_object_set_new(j, "key", mg_json_hex(grp_group_key(g), GRP_KEY_LEN));
	if (j && admin)
		json_object_set_new(j, "distinct", json_boolean(grp_group_distinct(g)));
	return j;
}

static json_t *edge_addrs(const struct mg_state *st, const struct mg_channel *ch, bool burst)
{
	json_t *arr = json_array();
	const struct mg_edge *e;
	char buf[SC_ADDR_STRLEN];
	size_t pos = 0;

	while (arr && (e = mg_edge_next(st, &pos))) {
		const struct mg_caddr *a = burst ? e->burst : e->ret;
		size_t n = burst ? e->nburst : e->nret;

		if (!mg_edge_carries(e, ch->def.id) || !mg_edge_live(st, e))
			continue;
		for (size_t i = 0; i < n; i++) {
			mg_caddr_format(&a[i], buf, sizeof(buf));
			json_array_append_new(arr, json_string(buf));
		}
	}
	return arr;
}

json_t *mg_view_server(const struct mg_edge *e, bool burst)
{
	json_t *o = json_pack("{s:I, s:I, s:o}", "edge_id", (json_int_t)e->id, "id",
			      (json_int_t)mg_edge_wire_id(e), "addrs",
			      burst ? mg_json_addr_array(e->burst, e->nburst)
				    : mg_json_addr_array(e->ret, e->nret));

	if (o && e->cert)
		json_object_set_new(o, "cert", mg_view_cert(e->cert));
	return o;
}

static json_t *servers(const struct mg_state *st, const struct mg_channel *ch, bool burst)
{
	json_t *arr = json_array();
	const struct mg_edge *e;
	size_t pos = 0;

	while (arr && (e = mg_edge_next(st, &pos)))
		if (serves(st, e, ch, burst))
			json_array_append_new(arr, mg_view_server(e, burst));
	return arr;
}

json_t *mg_view_ret(const struct mg_state *st, const struct mg_channel *ch)
{
	return json_pack("{s:o, s:I, s:o, s:o}", "addrs", edge_addrs(st, ch, false), "domain_id",
			 (json_int_t)ch->def.id, "key", mg_json_hex(ch->ret_key, sizeof(ch->ret_key)),
			 "servers", servers(st, ch, false));
}

json_t *mg_view_burst(const struct mg_state *st, const struct mg_channel *ch)
{
	return json_pack("{s:o, s:o}", "addrs", edge_addrs(st, ch, true), "servers",
			 servers(st, ch, true));
}

json_t *mg_view_counters(const struct mg_counters *c)
{
	json_t *j = json_object();

	for (unsigned i = 0; j && i < MG_COUNTERS; i++)
		json_object_set_new(j, mg_counter_names[i], json_integer((json_int_t)mg_counter_get(c, i)));
	return j;
}

void mg_view_rates(json_t *obj, const struct mg_counters *c)
{
	json_object_set_new(obj, "loss_rate", json_real(mg_loss_rate(c)));
	json_object_set_new(obj, "repair_rate", json_real(mg_repair_rate(c)));
	json_object_set_new(obj, "residual_rate", json_real(mg_residual_rate(c)));
}

json_t *mg_view_client(const struct mg_state *st, const struct mg_client *c, bool detail)
{
	const struct grp_group *g = mg_client_group(c);
	json_t *j = json_pack("{s:I, s:s, s:s, s:I, s:b, s:b, s:b, s:o, s:o, s:I}", "id",
			      (json_int_t)c->id, "device_id", c->device_id, "metro",
			      mg_metro_name(st, c->metro), "metro_id", (json_int_t)c->metro, "pinned",
			      c->pinned != MG_PIN_PREFIX, "banned", c->banned, "live", c->live, "channel_id",
			      c->channel ? json_integer(c->channel) : json_null(), "group_id",
			      g ? json_integer(grp_group_id(g)) : json_null(), "last_seen_ms",
			      (json_int_t)c->last_seen_ms);

	if (j)
		json_object_set_new(j, "mode", json_string(c->on_mesh ? "mesh" : "multicast"));
	if (j && detail) {
		json_t *rtt = json_array();

		for (unsigned i = 0; rtt && i < c->nrtt; i++)
			json_array_append_new(rtt, json_pack("{s:I, s:f}", "client_id",
							     (json_int_t)c->rtt[i].peer, "ms",
							     c->rtt[i].us / 1000.0));
		json_object_set_new(j, "metro_source", json_string(c->pinned == MG_PIN_NOC ? "noc" :
								   c->pinned == MG_PIN_BOX ? "box" : "prefix"));
		json_object_set_new(j, "addrs", mg_json_addr_array(c->addrs, c->naddr));
		json_object_set_new(j, "registered_ms", json_integer(c->registered_ms));
		json_object_set_new(j, "has_token", json_boolean(c->has_token));
		cert_summary(j, c->cert);
		json_object_set_new(j, "stats", mg_view_counters(&c->stats));
		json_object_set_new(j, "rtt", rtt ? rtt : json_array());
		if (g)
			json_object_set_new(j, "group", mg_view_group(st, g, false, true));
	}
	return j;
}

json_t *mg_view_metro(const struct mg_state *st, const struct mg_metro *m)
{
	json_t *pfx = json_array(), *j;
	char buf[64];

	(void)st;
	for (size_t i = 0; pfx && i < m->def.nprefix; i++) {
		sc_prefix_format(&m->def.prefix[i], buf, sizeof(buf));
		json_array_append_new(pfx, json_string(buf));
	}
	j = json_pack("{s:I, s:s, s:o, s:I, s:b, s:I}", "id", (json_int_t)m->def.id, "name",
		      m->def.name, "prefixes", pfx ? pfx : json_array(), "live", (json_int_t)m->live,
		      "silent", m->silent, "outages", (json_int_t)m->outages);
	if (j && m->outages) {
		json_object_set_new(j, "last_outage",
				    json_pack("{s:I, s:I, s:f}", "since_ms", (json_int_t)m->silent_since_ms,
					      "clients", (json_int_t)m->silenced, "rebuild_ms",
					      (double)m->rebuild_ns / 1e6));
	}
	return j;
}

json_t *mg_view_edge(const struct mg_state *st, const struct mg_edge *e)
{
	json_t *chans = json_array(), *j;

	for (size_t i = 0; chans && i < e->nchan; i++)
		json_array_append_new(chans, json_pack("{s:I, s:I, s:s}", "id", (json_int_t)e->chan[i].id,
						       "direct_max", (json_int_t)e->chan[i].direct_max,
						       "sdp_url", e->chan[i].sdp_url));
	j = json_pack("{s:I, s:s, s:o, s:o, s:o, s:o, s:b, s:I, s:I, s:O}", "id", (json_int_t)e->id,
			 "name", e->name, "addrs", mg_json_addr_array(e->addrs, e->naddr), "ret_addrs",
			 mg_json_addr_array(e->ret, e->nret), "burst_addrs",
			 mg_json_addr_array(e->burst, e->nburst), "channels", chans ? chans : json_array(),
			 "live", mg_edge_live(st, e), "registered_ms", (json_int_t)e->registered_ms,
			 "last_seen_ms", (json_int_t)e->last_seen_ms, "load",
			 e->load ? e->load : json_null());
	if (j)
		cert_summary(j, e->cert);
	return j;
}

static void jw_addr(struct mg_jw *w, const struct sc_sockaddr *a)
{
	char buf[SC_ADDR_STRLEN];

	if (!a->len) {
		mg_jw_null(w);
		return;
	}
	sc_addr_format(a, false, buf, sizeof(buf));
	mg_jw_str(w, buf);
}

/* Addresses as strings, into an array already open. */
static void jw_addrs_items(struct mg_jw *w, const struct mg_caddr *a, size_t n)
{
	char buf[SC_ADDR_STRLEN];

	for (size_t i = 0; i < n; i++) {
		mg_caddr_format(&a[i], buf, sizeof(buf));
		mg_jw_str(w, buf);
	}
}

static void jw_addrs(struct mg_jw *w, const struct mg_caddr *a, size_t n)
{
	mg_jw_arr(w);
	jw_addrs_items(w, a, n);
	mg_jw_arr_end(w);
}

static void jw_hex(struct mg_jw *w, const uint8_t *b, size_t n)
{
	char buf[2 * 64 + 1];

	mg_hex(b, n, buf);
	mg_jw_strn(w, buf, 2 * n);
}

void mg_jw_channel(struct mg_jw *w, const struct mg_state *st, const struct mg_channel *ch)
{
	struct sc_sockaddr s6, s4;
	const char *url = mg_channel_sdp_url(st, ch);

	mg_channel_sources(st, ch, &s6, &s4);
	mg_jw_obj(w);
	mg_jw_key(w, "id");
	mg_jw_u64(w, ch->def.id);
	mg_jw_key(w, "name");
	mg_jw_str(w, ch->def.name);
	mg_jw_key(w, "group6");
	jw_addr(w, &ch->def.group6);
	mg_jw_key(w, "group4");
	jw_addr(w, &ch->def.group4);
	mg_jw_key(w, "port");
	mg_jw_u64(w, ch->def.port);
	mg_jw_key(w, "source6");
	jw_addr(w, &s6);
	mg_jw_key(w, "source4");
	jw_addr(w, &s4);
	mg_jw_key(w, "sdp_url");
	if (url)
		mg_jw_str(w, url);
	else
		mg_jw_null(w);
	mg_jw_obj_end(w);
}

void mg_jw_group(struct mg_jw *w, const struct mg_state *st, const struct grp_group *g,
		 bool with_key)
{
	mg_jw_obj(w);
	mg_jw_key(w, "id");
	mg_jw_u64(w, grp_group_id(g));
	mg_jw_key(w, "channel_id");
	mg_jw_u64(w, grp_group_channel(g));
	mg_jw_key(w, "version");
	mg_jw_u64(w, grp_group_version(g));
	mg_jw_key(w, "members");
	mg_jw_arr(w);
	for (unsigned i = 0; i < grp_group_size(g); i++) {
		const struct grp_member *m = grp_group_member(g, i);
		const struct mg_client *c = mg_client_get(st, m->id);

		mg_jw_obj(w);
		mg_jw_key(w, "client_id");
		mg_jw_u64(w, m->id);
		mg_jw_key(w, "metro");
		mg_jw_str(w, mg_metro_name(st, m->metro));
		mg_jw_key(w, "metro_id");
		mg_jw_u64(w, m->metro);
		mg_jw_key(w, "addrs");
		if (c && c->addrs_json)
			mg_jw_raw(w, c->addrs_json, strlen(c->addrs_json));
		else
			jw_addrs(w, c ? c->addrs : NULL, c ? c->naddr : 0);
		if (with_key && c)
			mg_jw_cert(w, c->cert);
		mg_jw_obj_end(w);
	}
	mg_jw_arr_end(w);
	if (with_key) {
		mg_jw_key(w, "key");
		jw_hex(w, grp_group_key(g), GRP_KEY_LEN);
	}
	mg_jw_obj_end(w);
}

static void jw_edge_addrs(struct mg_jw *w, const struct mg_state *st, const struct mg_channel *ch,
			  bool burst)
{
	const struct mg_edge *e;
	size_t pos = 0;

	mg_jw_arr(w);
	while ((e = mg_edge_next(st, &pos))) {
		if (!serves(st, e, ch, burst))
			continue;
		jw_addrs_items(w, burst ? e->burst : e->ret, burst ? e->nburst : e->nret);
	}
	mg_jw_arr_end(w);
}

void mg_jw_cert(struct mg_jw *w, const struct mg_cert *c)
{
	char hex[2 * RTX_CERT_BYTES + 1];

	if (!c)
		return;
	rtx_hex(c->raw, RTX_CERT_BYTES, hex);
	mg_jw_key(w, "cert");
	mg_jw_strn(w, hex, 2 * RTX_CERT_BYTES);
}

/* The "servers" list: one object per edge (mg_view_server's shape). */
static void jw_servers(struct mg_jw *w, const struct mg_state *st, const struct mg_channel *ch,
		       bool burst)
{
	const struct mg_edge *e;
	size_t pos = 0;

	mg_jw_key(w, "servers");
	mg_jw_arr(w);
	while ((e = mg_edge_next(st, &pos))) {
		if (!serves(st, e, ch, burst))
			continue;
		mg_jw_obj(w);
		mg_jw_key(w, "edge_id");
		mg_jw_u64(w, e->id);
		mg_jw_key(w, "id");
		mg_jw_u64(w, mg_edge_wire_id(e));
		mg_jw_key(w, "addrs");
		jw_addrs(w, burst ? e->burst : e->ret, burst ? e->nburst : e->nret);
		mg_jw_cert(w, e->cert);
		mg_jw_obj_end(w);
	}
	mg_jw_arr_end(w);
}

void mg_jw_ret(struct mg_jw *w, const struct mg_state *st, const struct mg_channel *ch)
{
	mg_jw_obj(w);
	mg_jw_key(w, "addrs");
	jw_edge_addrs(w, st, ch, false);
	mg_jw_key(w, "domain_id");
	mg_jw_u64(w, ch->def.id);
	mg_jw_key(w, "key");
	jw_hex(w, ch->ret_key, sizeof(ch->ret_key));
	jw_servers(w, st, ch, false);
	mg_jw_obj_end(w);
}

void mg_jw_burst(struct mg_jw *w, const struct mg_state *st, const struct mg_channel *ch)
{
	mg_jw_obj(w);
	mg_jw_key(w, "addrs");
	jw_edge_addrs(w, st, ch, true);
	jw_servers(w, st, ch, true);
	mg_jw_obj_end(w);
}

void mg_jw_revoked(struct mg_jw *w, struct mg_state *st)
{
	size_t len = 0;
	const char *j = mg_trust_revoked_json(st, &len);

	mg_jw_key(w, "revoked");
	if (j)
		mg_jw_raw(w, j, len);
	else
		w->failed = true;
}

/* Which live edges carry the channel, in which registration and with
 * which certificate: the tune parts are rebuilt when this changes. */
static uint64_t edge_sig(const struct mg_state *st, uint32_t channel)
{
	const struct mg_edge *e;
	uint64_t sig = 0xcbf29ce484222325ULL;
	size_t pos = 0;

	/* A renewed certificate of an edge changes the answer too. */
	while ((e = mg_edge_next(st, &pos)))
		if (mg_edge_carries(e, channel) && mg_edge_live(st, e)) {
			sig = (sig ^ ((uint64_t)e->id << 32 | e->epoch)) * 0x100000001b3ULL;
			sig = (sig ^ (e->cert ? e->cert->serial : 0)) * 0x100000001b3ULL;
		}
	return sig;
}

int mg_tune_parts(const struct mg_state *st, struct mg_channel *ch)
{
	uint64_t sig = edge_sig(st, ch->def.id);
	struct mg_jw w;
	char sdp[1024];

	if (ch->tune_head && ch->tune_lineup == mg_state_lineup_version(st) && ch->tune_sig == sig)
		return 0;
	free(ch->tune_head);
	free(ch->tune_tail);
	ch->tune_tail = NULL;
	mg_jw_init(&w);
	mg_jw_channel(&w, st, ch);
	ch->tune_head = mg_jw_take(&w, &ch->tune_head_len);
	mg_channel_sdp(st, ch, sdp, sizeof(sdp));
	mg_jw_key(&w, "ret");
	mg_jw_ret(&w, st, ch);
	mg_jw_key(&w, "burst");
	mg_jw_burst(&w, st, ch);
	mg_jw_key(&w, "sdp");
	mg_jw_str(&w, sdp);
	ch->tune_tail = mg_jw_take(&w, &ch->tune_tail_len);
	if (!ch->tune_head || !ch->tune_tail) {
		free(ch->tune_head);
		free(ch->tune_tail);
		ch->tune_head = ch->tune_tail = NULL;
		return -1;
	}
	ch->tune_lineup = mg_state_lineup_version(st);
	ch->tune_sig = sig;
	return 0;
}
