/* mg_state_load: start-up from the store: line-up (seeded from the config
 * on first start, or kept equal to it in "file" mode), the CA's key and
 * the revocations, edges and boxes with their certificates, the
 * reserved counters and the groups as they were last written, then every
 * box that was watching is given a heartbeat's grace to come back. Part of
 * mg_state. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mg_auth.h"
#include "mg_state_priv.h"
#include "sc_log.h"

static int parse_addr(const char *text, uint16_t port, struct sc_sockaddr *out)
{
	memset(out, 0, sizeof(*out));
	return text ? sc_addr_parse(text, port, out) : 0;
}

static int load_metro(void *ctx, const struct mg_row_metro *r)
{
	struct mg_state *st = ctx;
	struct mg_metro_def d = { .id = r->id };

	snprintf(d.name, sizeof(d.name), "%s", r->name ? r->name : "?");
	for (size_t i = 0; i < r->nprefix && d.nprefix < MG_PREFIX_MAX; i++)
		if (sc_prefix_parse(r->prefix[i], &d.prefix[d.nprefix]) == 0)
			d.nprefix++;
	return mg_metro_insert(st, &d) ? 0 : -ENOMEM;
}

static int load_channel(void *ctx, const struct mg_row_channel *r)
{
	struct mg_state *st = ctx;
	struct mg_chan_def d;

	mg_chan_default(&d, r->id, r->name);
	d.port = (uint16_t)r->port;
	if (parse_addr(r->group6, d.port, &d.group6) < 0 || parse_addr(r->group4, d.port, &d.group4) < 0 ||
	    parse_addr(r->source6, 0, &d.source6) < 0 || parse_addr(r->source4, 0, &d.source4) < 0)
		sc_log(LOG_WARNING, "store: channel %u has an unreadable address", r->id);
	snprintf(d.sdp_url, sizeof(d.sdp_url), "%s", r->sdp_url ? r->sdp_url : "");
	d.direct_max = r->direct_max;
	d.enabled = r->enabled;
	return mg_channel_insert(st, &d, r->ret_key_len == 32 ? r->ret_key : NULL) ? 0 : -ENOMEM;
}

static size_t addrs_from_text(const char *text, struct mg_caddr *out, size_t max)
{
	json_t *j = text ? json_loads(text, 0, NULL) : NULL;
	char why[64];
	size_t n = 0;

	if (j && mg_json_addrs(j, 0, out, max, &n, why, sizeof(why)) < 0)
		n = 0;
	json_decref(j);
	return n;
}

static int load_edge(void *ctx, const struct mg_row_edge *r)
{
	struct mg_state *st = ctx;
	struct mg_edge *e = calloc(1, sizeof(*e));
	json_t *ch = r->channels ? json_loads(r->channels, 0, NULL) : NULL, *v;
	size_t i;

	if (!e)
		return -ENOMEM;
	e->id = r->id;
	snprintf(e->name, sizeof(e->name), "%s", r->name ? r->name : "?");
	if (r->token_hash_len == MG_HASH_LEN) {
		memcpy(e->token_hash, r->token_hash, MG_HASH_LEN);
		e->has_token = 1;
	}
	e->naddr = (uint8_t)addrs_from_text(r->addrs, e->addrs, MG_EDGE_ADDRS);
	e->nret = (uint8_t)addrs_from_text(r->ret_addrs, e->ret, MG_EDGE_ADDRS);
	e->nburst = (uint8_t)addrs_from_text(r->burst_addrs, e->burst, MG_EDGE_ADDRS);
	e->registered_ms = r->registered_ms;
	e->last_seen_ms = r->last_seen_ms;
	e->load = r->load ? json_loads(r->load, 0, NULL) : NULL;
	mg_cert_restore(st, &e->cert, mg_edge_wire_id(e), r->cert, r->cert_len);
	e->chan = calloc(json_array_size(ch) + 1, sizeof(*e->chan));
	json_array_foreach(ch, i, v) {
		if (!e->chan)
			break;
		e->chan[e->nchan].id = mg_json_u32(v, "id", 0);
		e->chan[e->nchan].direct_max = mg_json_u32(v, "direct_max", 0);
		snprintf(e->chan[e->nchan].sdp_url, MG_URL_MAX, "%s", mg_json_str(v, "sdp_url", ""));
		e->nchan++;
	}
	json_decref(ch);
	if (mg_state_add_edge(st, e) < 0) {
		mg_edge_free(e);
		return -ENOMEM;
	}
	return 0;
}


static int load_client(void *ctx, const struct mg_row_client *r)
{
	struct mg_state *st = ctx;
	struct mg_client *c = calloc(1, sizeof(*c));
	struct mg_caddr a[MG_CLIENT_ADDRS];
	size_t n = addrs_from_text(r->addrs, a, MG_CLIENT_ADDRS);

	if (!c || !(c->device_id = strdup(r->device_id ? r->device_id : "?")) ||
	    !(c->addrs = malloc((n ? n : 1) * sizeof(*a)))) {
		mg_client_free(c);
		return -ENOMEM;
	}
	c->id = c->gm.id = c->tp.id = r->id;
	memcpy(c->addrs, a, n * sizeof(*a));
	c->naddr = (uint8_t)n;
	mg_client_addrs_json(c);
	c->metro = c->tp.metro = r->metro;
	c->pinned = (uint8_t)r->pinned;
	/* The line-up may have changed since (file mode, a deleted metro):
	 * a metro from the prefix table is looked up again, a declared or
	 * pinned one is kept while it exists. */
	if (c->pinned == MG_PIN_PREFIX || !mg_metro_get(st, c->metro)) {
		c->pinned = MG_PIN_PREFIX;
		c->metro = c->tp.metro = 0;
		for (size_t i = 0; i < n && !c->metro; i++) {
			struct sc_sockaddr sa;

			mg_caddr_to(&a[i], &sa);
			c->metro = c->tp.metro = mg_metro_match(st, &sa);
		}
	}
	c->banned = r->banned;
	if (r->token_hash_len == MG_HASH_LEN) {
		memcpy(c->token_hash, r->token_hash, MG_HASH_LEN);
		c->has_token = 1;
	}
	c->registered_ms = r->registered_ms;
	c->last_seen_ms = r->last_seen_ms;
	if (c->has_token)
		mg_cert_restore(st, &c->cert, c->id, r->cert, r->cert_len);
	c->channel = c->has_token && mg_channel_get(st, r->channel) ? r->channel : 0;
	for (unsigned i = 0; i < MG_COUNTERS; i++)
		*mg_counter_at(&c->stats, i) = r->stats[i] > 0 ? (uint64_t)r->stats[i] : 0;
	for (size_t i = 0; i < n; i++) {
		if (a[i].family == AF_INET6 && !c->tp.has6) {
			memcpy(c->tp.addr6, a[i].a, 16);
			c->tp.has6 = 1;
		} else if (a[i].family == AF_INET && !c->tp.has4) {
			memcpy(c->tp.addr4, a[i].a, 4);
			c->tp.has4 = 1;
		}
	}
	if (mg_state_add_client(st, c) < 0) {
		mg_client_free(c);
		return -ENOMEM;
	}
	return 0;
}

struct group_load {
	struct mg_state *st;
	struct mg_batch *cleanup;
	size_t restored, dropped;
};

/* Restore a group with those of its members still tuned to its channel;
 * drop it when none is. */
static int load_group(void *ctx, const struct mg_row_group *r)
{
	struct group_load *gl = ctx;
	struct grp_member *m[GRP_MAX_SIZE];
	uint32_t metros[GRP_MAX_SIZE];
	const char *p = r->members ? r->members : "";
	size_t n = 0;

	while (*p && n < GRP_MAX_SIZE) {
		char *end;
		unsigned long id = strtoul(p, &end, 10);
		struct mg_client *c = mg_client_get(gl->st, (uint32_t)id);

		if (end == p)
			break;
		if (c && c->channel == r->channel && !grp_of(&c->gm)) {
			metros[n] = c->metro;
			m[n++] = &c->gm;
		}
		p = *end == ',' ? end + 1 : end;
	}
	if (n && r->key_len == GRP_KEY_LEN &&
	    grp_restore(gl->st->grp, r->id, r->channel, r->version, r->key, m, n, metros) == 0) {
		gl->restored++;
		return 0;
	}
	gl->dropped++;
	mg_batch_add(gl->cleanup, MG_SQL_GROUP_DEL, "u", r->id);
	return 0;
}

static int seed_lineup(struct mg_state *st, char *why, size_t len)
{
	const struct mg_config *cfg = st->cfg;
	struct mg_batch *b = mg_batch_new();
	int rc = 0;

	if (!b)
		return -ENOMEM;
	for (size_t i = 0; i < cfg->lineup.nmetro && rc == 0; i++)
		rc = mg_metro_put(st, &cfg->lineup.metro[i], "config", b, why, len);
	for (size_t i = 0; i < cfg->lineup.nchan && rc == 0; i++)
		rc = mg_channel_put(st, &cfg->lineup.chan[i], "config", b);
	mg_batch_add(b, MG_SQL_SEQ_PUT, "ti", "lineup_seeded", (int64_t)1);
	mg_store_submit(st->store, b, NULL, NULL);
	mg_store_drain(st->store);
	if (rc == 0)
		sc_log(LOG_NOTICE, "line-up seeded from the config: %zu metros, %zu channels",
		       cfg->lineup.nmetro, cfg->lineup.nchan);
	return rc;
}

static bool cfg_has_channel(const struct mg_config *cfg, uint32_t id)
{
	for (size_t i = 0; i < cfg->lineup.nchan; i++)
		if (cfg->lineup.chan[i].id == id)
			return true;
	return false;
}

static bool cfg_has_metro(const struct mg_config *cfg, uint32_t id)
{
	for (size_t i = 0; i < cfg->lineup.nmetro; i++)
		if (cfg->lineup.metro[i].id == id)
			return true;
	return false;
}

/* "file" mode: remove what the file lacks, add or change what differs. */
static int sync_lineup(struct mg_state *st, struct mg_batch *b, char *why, size_t len)
{
	const struct mg_config *cfg = st->cfg;
	struct mg_channel *ch;
	struct mg_metro *m;
	size_t pos;
	int rc = 0;

	for (bool again = true; again;) {
		again = false;
		for (pos = 0; (ch = mg_channel_next(st, &pos));)
			if (!cfg_has_channel(cfg, ch->def.id)) {
				mg_channel_delete(st, ch->def.id, "config", b);
				again = true;
				break;
			}
		for (pos = 0; !again && (m = mg_metro_next(st, &pos));)
			if (!cfg_has_metro(cfg, m->def.id)) {
				mg_metro_delete(st, m->def.id, "config", b);
				again = true;
				break;
			}
	}
	for (size_t i = 0; i < cfg->lineup.nmetro && rc == 0; i++) {
		m = mg_metro_get(st, cfg->lineup.metro[i].id);
		if (!m || !mg_metro_def_equal(&m->def, &cfg->lineup.metro[i]))
			rc = mg_metro_put(st, &cfg->lineup.metro[i], "config", b, why, len);
	}
	for (size_t i = 0; i < cfg->lineup.nchan && rc == 0; i++) {
		ch = mg_channel_get(st, cfg->lineup.chan[i].id);
		if (!ch || !mg_chan_def_equal(&ch->def, &cfg->lineup.chan[i]))
			rc = mg_channel_put(st, &cfg->lineup.chan[i], "config", b);
	}
	return rc;
}

int mg_state_load_lineup_file(struct mg_state *st, char *why, size_t len)
{
	struct mg_batch *b = mg_batch_new();
	int rc;

	if (!b)
		return -ENOMEM;
	rc = sync_lineup(st, b, why, len);
	if (mg_batch_count(b)) {
		mg_store_submit(st->store, b, NULL, NULL);
		mg_store_drain(st->store);
	} else {
		mg_batch_free(b);
	}
	return rc;
}

static int load_lineup(struct mg_state *st, char *why, size_t len)
{
	int64_t seeded = 0;
	int rc;

	if ((rc = mg_store_each_metro(st->store, load_metro, st)) < 0 ||
	    (rc = mg_store_each_channel(st->store, load_channel, st)) < 0 ||
	    (rc = mg_store_seq_get(st->store, "lineup_seeded", &seeded)) < 0) {
		snprintf(why, len, "cannot read the line-up from the store");
		return rc;
	}
	if ((rc = mg_state_rebuild_metro_table(st, why, len)) < 0)
		return rc;
	if (st->cfg->lineup.mode == MG_LINEUP_FILE)
		return mg_state_load_lineup_file(st, why, len);
	if (!seeded)
		return seed_lineup(st, why, len);
	return 0;
}

/* Boxes that were watching get a heartbeat period or three to show up. */
static void revive(struct mg_state *st)
{
	struct mg_client *c;
	uint32_t pos = 0;

	while ((c = mg_client_next(st, &pos)))
		if (c->channel && c->has_token) {
			mg_client_activate(st, c);
			c->last_seen_ns = sc_clock_now_ns(st->clk);
		}
}

int mg_state_load(struct mg_state *st, char *why, size_t len)
{
	struct group_load gl = { st, mg_batch_new(), 0, 0 };
	int64_t gid = 0, ver = 0;
	int rc;

	if (!gl.cleanup)
		return -ENOMEM;
	if ((rc = load_lineup(st, why, len)) < 0 || (rc = mg_trust_load(st, why, len)) < 0 ||
	    (rc = mg_store_each_edge(st->store, load_edge, st)) < 0 ||
	    (rc = mg_store_each_client(st->store, load_client, st)) < 0 ||
	    (rc = mg_store_seq_get(st->store, "group_id", &gid)) < 0 ||
	    (rc = mg_store_seq_get(st->store, "version", &ver)) < 0) {
		if (!why[0])
			snprintf(why, len, "cannot load the store: %s", strerror(-rc));
		mg_batch_free(gl.cleanup);
		return rc;
	}
	st->gid_mark = st->gid_pending = (uint64_t)gid;
	st->ver_mark = st->ver_pending = (uint64_t)ver;
	mg_state_seq_init(st);
	rc = mg_store_each_group(st->store, load_group, &gl);
	mg_store_submit(st->store, gl.cleanup, NULL, NULL);
	if (rc < 0) {
		snprintf(why, len, "cannot load the groups from the store");
		return rc;
	}
	revive(st);
	for (size_t pos = 0;;) {
		struct mg_channel *ch = mg_channel_next(st, &pos);

		if (!ch)
			break;
		mg_channel_update_direct(st, ch->def.id);
	}
	mg_store_drain(st->store);
	sc_log(LOG_INFO, "loaded %zu boxes (%zu watching), %zu groups restored, %zu dropped",
	       st->nclients, st->nlive, gl.restored, gl.dropped);
	return 0;
}
