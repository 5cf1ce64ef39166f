/* mg_edges: edge servers in the model: registration, load reports, which
 * edges serve RET and bursts for a channel, the channel's multicast
 * sources and its SDP. Part of mg_state. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mg_auth.h"
#include "mg_state_priv.h"

void mg_edge_free(struct mg_edge *e)
{
	if (!e)
		return;
	json_decref(e->load);
	free(e->chan);
	free(e->cert);
	free(e);
}

bool mg_edge_token_ok(const struct mg_edge *e, const char *token)
{
	uint8_t h[MG_HASH_LEN];

	if (!e->has_token || !token)
		return false;
	mg_token_hash(token, h);
	return mg_hash_equal(h, e->token_hash);
}

bool mg_edge_hash_ok(const struct mg_edge *e, const uint8_t hash[16])
{
	return e->has_token && mg_hash_equal(hash, e->token_hash);
}

bool mg_edge_live(const struct mg_state *st, const struct mg_edge *e)
{
	uint64_t now = sc_clock_now_ns(st->clk);
	uint64_t limit = (uint64_t)st->cfg->edges.missed * st->cfg->edges.report_ms * SC_NS_PER_MS;

	return e->last_seen_ns && now - e->last_seen_ns <= limit;
}

bool mg_edge_carries(const struct mg_edge *e, uint32_t channel)
{
	for (size_t i = 0; i < e->nchan; i++)
		if (e->chan[i].id == channel)
			return true;
	return false;
}

static const struct mg_edge_chan *edge_chan(const struct mg_edge *e, uint32_t channel)
{
	for (size_t i = 0; i < e->nchan; i++)
		if (e->chan[i].id == channel)
			return &e->chan[i];
	return NULL;
}

static char *dump_addrs(const struct mg_caddr *a, size_t n)
{
	json_t *j = mg_json_addr_array(a, n);
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;

	json_decref(j);
	return s;
}

void mg_edge_row(struct mg_edge *e, struct mg_batch *b)
{
	char *addrs = dump_addrs(e->addrs, e->naddr), *ret = dump_addrs(e->ret, e->nret);
	char *burst = dump_addrs(e->burst, e->nburst), *chans;
	json_t *cj = json_array();

	for (size_t i = 0; cj && i < e->nchan; i++)
		json_array_append_new(cj, json_pack("{s:I, s:I, s:s}", "id", (json_int_t)e->chan[i].id,
						    "direct_max", (json_int_t)e->chan[i].direct_max,
						    "sdp_url", e->chan[i].sdp_url));
	chans = cj ? json_dumps(cj, JSON_COMPACT) : NULL;
	mg_batch_add(b, MG_SQL_EDGE_PUT, "utbttttii", e->id, e->name,
		     e->has_token ? e->token_hash : NULL, (size_t)MG_HASH_LEN, addrs ? addrs : "[]",
		     ret ? ret : "[]", burst ? burst : "[]", chans ? chans : "[]", e->registered_ms,
		     e->last_seen_ms);
	mg_cert_row(MG_SQL_EDGE_CERT, e->id, e->cert, b);
	e->cert_dirty = false;
	free(addrs);
	free(ret);
	free(burst);
	free(chans);
	json_decref(cj);
}

int mg_state_add_edge(struct mg_state *st, struct mg_edge *e)
{
	if (mg_idmap_put(&st->edges, e->id, e) < 0)
		return -ENOMEM;
	mg_state_next_ids(st, 0, e->id);
	return 0;
}

static struct mg_edge *edge_by_name(const struct mg_state *st, const char *name)
{
	struct mg_edge *e;
	size_t pos = 0;

	while ((e = mg_idmap_next(&st->edges, &pos, NULL)))
		if (!strcmp(e->name, name))
			return e;
	return NULL;
}

int mg_edge_register(struct mg_state *st, const struct mg_edge_reg *r, char *token,
		     struct mg_edge **out, struct mg_batch *b)
{
	struct mg_edge *e = edge_by_name(st, r->name);
	struct mg_edge_chan *chan = calloc(r->nchan ? r->nchan : 1, sizeof(*chan));
	bool fresh = !e;
	char subj[32], detail[96];
	int rc;

	*out = NULL;
	if (!chan || (!e && !(e = calloc(1, sizeof(*e))))) {
		free(chan);
		return -ENOMEM;
	}
	if (fresh) {
		e->id = st->next_edge;
		snprintf(e->name, sizeof(e->name), "%s", r->name);
		e->registered_ms = mg_state_now_ms(st);
		if (mg_state_add_edge(st, e) < 0) {
			free(chan);
			free(e);
			return -ENOMEM;
		}
	}
	memcpy(e->addrs, r->addrs, r->naddr * sizeof(r->addrs[0]));
	memcpy(e->ret, r->ret, r->nret * sizeof(r->ret[0]));
	e->naddr = (uint8_t)r->naddr;
	e->nret = (uint8_t)r->nret;
	/* Bursts come from the RET port unless the edge says otherwise. */
	memcpy(e->burst, r->nburst ? r->burst : r->ret, (r->nburst ? r->nburst : r->nret) * sizeof(r->ret[0]));
	e->nburst = (uint8_t)(r->nburst ? r->nburst : r->nret);
	memcpy(chan, r->chan, r->nchan * sizeof(*chan));
	free(e->chan);
	e->chan = chan;
	e->nchan = r->nchan;
	if (r->pub && (rc = mg_cert_issue(st, &e->cert, mg_edge_wire_id(e), r->pub)) < 0)
		return rc;
	if (!r->pub)
		mg_cert_drop(&e->cert);
	snprintf(subj, sizeof(subj), "e%u.", e->id);
	mg_token_new(subj, token, e->token_hash);
	e->has_token = 1;
	e->epoch++;
	e->last_seen_ns = sc_clock_now_ns(st->clk);
	e->last_seen_ms = mg_state_now_ms(st);
	mg_edge_row(e, b);
	snprintf(subj, sizeof(subj), "edge:%u", e->id);
	snprintf(detail, sizeof(detail), "{\"channels\":%zu}", e->nchan);
	mg_state_event(st, b, subj, fresh ? "edge.register" : "edge.reregister", subj, detail);
	for (size_t i = 0; i < e->nchan; i++)
		mg_channel_update_direct(st, e->chan[i].id);
	*out = e;
	return 0;
}

void mg_edge_load(struct mg_state *st, struct mg_edge *e, json_t *load)
{
	json_incref(load);
	json_decref(e->load);
	e->load = load;
	e->last_seen_ns = sc_clock_now_ns(st->clk);
	e->last_seen_ms = mg_state_now_ms(st);
	e->dirty = true;
	st->edges_dirty = true;
}

int mg_edge_delete(struct mg_state *st, struct mg_edge *e, const char *actor, struct mg_batch *b)
{
	json_t *d = json_pack("{s:s}", "name", e->name);
	char subj[32], *detail = d ? json_dumps(d, JSON_COMPACT) : NULL;

	snprintf(subj, sizeof(subj), "edge:%u", e->id);
	mg_trust_revoke(st, mg_edge_wire_id(e), e->cert, actor, subj, "delete", b);
	mg_batch_add(b, MG_SQL_EDGE_DEL, "u", e->id);
	mg_state_event(st, b, actor, "edge.delete", subj, detail);
	free(detail);
	json_decref(d);
	mg_idmap_del(&st->edges, e->id);
	for (size_t i = 0; i < e->nchan; i++)
		mg_channel_update_direct(st, e->chan[i].id);
	mg_edge_free(e);
	return 0;
}

/* The live edge with the lowest id that carries channel. */
static const struct mg_edge *first_edge(const struct mg_state *st, uint32_t channel)
{
	const struct mg_edge *best = NULL, *e;
	size_t pos = 0;

	while ((e = mg_idmap_next(&st->edges, &pos, NULL)))
		if (mg_edge_carries(e, channel) && mg_edge_live(st, e) && (!best || e->id < best->id))
			best = e;
	return best;
}

void mg_channel_sources(const struct mg_state *st, const struct mg_channel *ch,
			struct sc_sockaddr *src6, struct sc_sockaddr *src4)
{
	const struct mg_edge *e = first_edge(st, ch->def.id);

	*src6 = ch->def.source6;
	*src4 = ch->def.source4;
	for (size_t i = 0; e && i < e->naddr; i++) {
		if (e->addrs[i].family == AF_INET6 && !src6->len)
			mg_caddr_to(&e->addrs[i], src6);
		else if (e->addrs[i].family == AF_INET && !src4->len)
			mg_caddr_to(&e->addrs[i], src4);
	}
	if (src6->len)
		sc_addr_set_port(src6, 0);
	if (src4->len)
		sc_addr_set_port(src4, 0);
}

const char *mg_channel_sdp_url(const struct mg_state *st, const struct mg_channel *ch)
{
	const struct mg_edge *e;
	const struct mg_edge_chan *ec;

	if (ch->def.sdp_url[0])
		return ch->def.sdp_url;
	e = first_edge(st, ch->def.id);
	ec = e ? edge_chan(e, ch->def.id) : NULL;
	return ec && ec->sdp_url[0] ? ec->sdp_url : NULL;
}

void mg_channel_sdp(const struct mg_state *st, const struct mg_channel *ch, char *buf, size_t len)
{
	struct sc_sockaddr s6, s4;
	const struct sc_sockaddr *ga = ch->def.group6.len ? &ch->def.group6 : &ch->def.group4;
	const struct sc_sockaddr *src;
	char g[SC_ADDR_STRLEN], s[SC_ADDR_STRLEN] = "";
	const char *fam;
	int n;

	mg_channel_sources(st, ch, &s6, &s4);
	src = ga == &ch->def.group6 ? &s6 : &s4;
	fam = ga == &ch->def.group6 ? "IP6" : "IP4";
	sc_addr_format(ga, false, g, sizeof(g));
	if (src->len)
		sc_addr_format(src, false, s, sizeof(s));
	n = snprintf(buf, len,
		     "v=0\r\no=- %u %u IN %s %s\r\ns=%s\r\nc=IN %s %s%s\r\nt=0 0\r\n"
		     "a=tool:sixcast\r\n",
		     ch->def.id, st->lineup_version, fam, s[0] ? s : g, ch->def.name, fam, g,
		     ga == &ch->def.group4 ? "/64" : "");
	if (s[0] && n > 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, "a=source-filter: incl IN %s %s %s\r\n", fam, g, s);
	if (n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "m=video %u RTP/AVP 33\r\na=rtpmap:33 MP2T/90000\r\n",
			 ch->def.port);
}

void mg_channel_update_direct(struct mg_state *st, uint32_t channel)
{
	const struct mg_channel *ch = mg_channel_get(st, channel);
	const struct mg_edge *e;
	unsigned sum = 0;
	size_t pos = 0;

	if (!ch)
		return;
	if (ch->def.direct_max) {
		trk_set_direct_max(st->trk, channel, ch->def.direct_max);
		return;
	}
	while ((e = mg_idmap_next(&st->edges, &pos, NULL))) {
		const struct mg_edge_chan *ec = edge_chan(e, channel);

		if (ec && mg_edge_live(st, e))
			sum += ec->direct_max;
	}
	trk_set_direct_max(st->trk, channel, sum);
}
