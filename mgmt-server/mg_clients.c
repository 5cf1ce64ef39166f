/* mg_clients: set-top boxes in the model: registration, tune, heartbeat,
 * leave, and the NOC's actions on them. Part of mg_state. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mg_auth.h"
#include "mg_state_priv.h"
#include "sc_log.h"

void mg_client_free(struct mg_client *c)
{
	if (!c)
		return;
	free(c->device_id);
	free(c->addrs);
	free(c->addrs_json);
	free(c->rtt);
	free(c->cert);
	free(c);
}

void mg_client_addrs_json(struct mg_client *c)
{
	json_t *a = mg_json_addr_array(c->addrs, c->naddr);

	free(c->addrs_json);
	c->addrs_json = a ? json_dumps(a, JSON_COMPACT) : NULL;
	json_decref(a);
}

bool mg_client_token_ok(const struct mg_client *c, const char *token)
{
	uint8_t h[MG_HASH_LEN];

	if (!c->has_token || !token)
		return false;
	mg_token_hash(token, h);
	return mg_hash_equal(h, c->token_hash);
}

bool mg_client_hash_ok(const struct mg_client *c, const uint8_t hash[16])
{
	return c->has_token && mg_hash_equal(hash, c->token_hash);
}

int64_t mg_client_rtt(const struct mg_client *c, uint32_t peer)
{
	for (unsigned i = 0; i < c->nrtt; i++)
		if (c->rtt[i].peer == peer)
			return c->rtt[i].us;
	return -1;
}

const struct grp_group *mg_client_group(const struct mg_client *c)
{
	return grp_of(&c->gm);
}

/* The tracker's view of the box: its first IPv6 and IPv4 addresses. */
static void set_peer_addrs(struct mg_client *c)
{
	c->tp.has6 = c->tp.has4 = 0;
	c->tp.metro = c->metro;
	for (unsigned i = 0; i < c->naddr; i++) {
		if (c->addrs[i].family == AF_INET6 && !c->tp.has6) {
			memcpy(c->tp.addr6, c->addrs[i].a, 16);
			c->tp.has6 = 1;
		} else if (c->addrs[i].family == AF_INET && !c->tp.has4) {
			memcpy(c->tp.addr4, c->addrs[i].a, 4);
			c->tp.has4 = 1;
		}
	}
}

void mg_client_row(struct mg_state *st, struct mg_client *c, struct mg_batch *b)
{
	json_t *a = mg_json_addr_array(c->addrs, c->naddr);
	char *addrs = a ? json_dumps(a, JSON_COMPACT) : NULL;

	(void)st;
	mg_batch_add(b, MG_SQL_CLIENT_PUT, "utbuutuiui", c->id, c->device_id,
		     c->has_token ? c->token_hash : NULL, (size_t)MG_HASH_LEN, c->metro,
		     (uint32_t)c->pinned, addrs ? addrs : "[]", (uint32_t)c->banned, c->registered_ms,
		     c->channel, c->last_seen_ms);
	mg_cert_row(MG_SQL_CLIENT_CERT, c->id, c->cert, b);
	c->cert_dirty = 0;
	free(addrs);
	json_decref(a);
}

/* The metro of a box from its addresses (first match wins), else from the
 * address its request came from. */
static uint32_t find_metro(const struct mg_state *st, const struct mg_register *r)
{
	struct sc_sockaddr s;
	uint32_t m;

	for (size_t i = 0; i < r->naddr; i++) {
		mg_caddr_to(&r->addrs[i], &s);
		if ((m = mg_metro_match(st, &s)))
			return m;
	}
	return r->peer ? mg_metro_match(st, r->peer) : 0;
}

static struct mg_client *client_new(struct mg_state *st, const char *device_id)
{
	struct mg_client *c = calloc(1, sizeof(*c));

	if (!c || !(c->device_id = strdup(device_id))) {
		free(c);
		return NULL;
	}
	c->id = st->next_client;
	c->gm.id = c->tp.id = c->id;
	c->registered_ms = mg_state_now_ms(st);
	if (mg_state_add_client(st, c) < 0) {
		mg_client_free(c);
		return NULL;
	}
	return c;
}

/* A box's metro changed: regroup it (grp keeps it where the new metro
 * does not repeat) and tell the tracker. */
static void metro_changed(struct mg_state *st, struct mg_client *c, uint32_t metro)
{
	struct mg_metro *old = c->metro ? mg_metro_get(st, c->metro) : NULL;
	struct mg_metro *nm = metro ? mg_metro_get(st, metro) : NULL;

	if (metro == c->metro)
		return;
	if (c->live) {
		if (old && old->live)
			old->live--;
		if (nm)
			nm->live++;
	}
	c->metro = metro;
	c->tp.metro = metro;
	if (grp_of(&c->gm))
		grp_set_metro(st->grp, &c->gm, metro);
	mg_state_notify(st, c);
}

int mg_client_register(struct mg_state *st, const struct mg_register *r, char *token,
		       struct mg_client **out, struct mg_batch *b)
{
	struct mg_client *c = mg_client_by_device(st, r->device_id);
	struct mg_caddr *addrs;
	bool fresh = !c;
	char subj[32], detail[256];
	int rc;

	*out = NULL;
	if (c && c->banned)
		return -EPERM;
	addrs = malloc((r->naddr ? r->naddr : 1) * sizeof(*addrs));
	if (!addrs || (!c && !(c = client_new(st, r->device_id)))) {
		free(addrs);
		return -ENOMEM;
	}
	memcpy(addrs, r->addrs, r->naddr * sizeof(*addrs));
	free(c->addrs);
	c->addrs = addrs;
	c->naddr = (uint8_t)r->naddr;
	mg_client_addrs_json(c);
	set_peer_addrs(c);
	/* A metro the box declares wins over its prefix; one the NOC set
	 * wins over both. */
	if (c->pinned != MG_PIN_NOC) {
		c->pinned = r->metro ? MG_PIN_BOX : MG_PIN_PREFIX;
		metro_changed(st, c, r->metro ? r->metro : find_metro(st, r));
	}
	/* A box that registers again has restarted: it tunes afresh, with
	 * the key it presents now (none: it has no certificate). */
	if (!fresh)
		mg_client_leave(st, c);
	if (r->pub && (rc = mg_cert_issue(st, &c->cert, c->id, r->pub)) < 0)
		return rc;
	if (!r->pub)
		mg_cert_drop(&c->cert);
	snprintf(subj, sizeof(subj), "c%u.", c->id);
	mg_token_new(subj, token, c->token_hash);
	c->has_token = 1;
	mg_client_row(st, c, b);
	snprintf(subj, sizeof(subj), "client:%u", c->id);
	snprintf(detail, sizeof(detail), "{\"device_id\":\"%.*s\",\"metro\":%u}", 100, c->device_id,
		 c->metro);
	/* The device id is checked to be printable without quotes or
	 * backslashes by the API, so it can go into the JSON as it is. */
	mg_state_event(st, b, subj, fresh ? "client.register" : "client.reregister", subj, detail);
	st->cnt.registrations++;
	*out = c;
	return 0;
}

int mg_client_tune(struct mg_state *st, struct mg_client *c, uint32_t channel)
{
	struct mg_channel *ch = mg_channel_get(st, channel);
	int rc;

	if (!ch)
		return -ENOENT;
	if (!ch->def.enabled)
		return -EAGAIN;
	mg_client_touch(st, c);
	st->cnt.tunes++;
	if (c->channel == channel && c->live && grp_of(&c->gm))
		return 0;
	if (c->channel != channel)
		memset(&c->stats, 0, sizeof(c->stats)); /* counters restart at each tune */
	c->channel = channel;
	if (!c->live) {
		mg_client_activate(st, c);
		return grp_of(&c->gm) ? 0 : -ENOMEM;
	}
	rc = grp_join(st->grp, &c->gm, channel, c->metro);
	if (rc == 0)
		rc = trk_add(st->trk, &c->tp, channel);
	return rc;
}

void mg_client_leave(struct mg_state *st, struct mg_client *c)
{
	if (!c->channel && !grp_of(&c->gm))
		return;
	st->cnt.leaves++;
	trk_remove(st->trk, &c->tp);
	grp_leave(st->grp, &c->gm);
	c->channel = 0;
	memset(&c->stats, 0, sizeof(c->stats));
	mg_client_touch(st, c);
}

/* Turn a report into deltas for the channel, the metro and the totals. */
static void ingest(struct mg_state *st, struct mg_client *c, const struct mg_heartbeat *hb)
{
	struct mg_channel *ch = c->channel ? mg_channel_get(st, c->channel) : NULL;
	struct mg_metro *m = c->metro ? mg_metro_get(st, c->metro) : NULL;
	struct mg_counters d;

	mg_counters_delta(&hb->stats, &c->stats, &d);
	c->stats = hb->stats;
	if (ch)
		mg_counters_add(&ch->acc, &d);
	if (m)
		mg_counters_add(&m->acc, &d);
	mg_counters_add(&st->totals, &d);
	if (hb->nrtt) {
		struct mg_rtt *v = c->nrtt >= hb->nrtt ? c->rtt : realloc(c->rtt, hb->nrtt * sizeof(*v));

		if (v) {
			memcpy(v, hb->rtt, hb->nrtt * sizeof(*v));
			c->rtt = v;
			c->nrtt = (uint8_t)hb->nrtt;
		}
	}
}

int mg_client_heartbeat(struct mg_state *st, struct mg_client *c, const struct mg_heartbeat *hb)
{
	int rc = 0;

	st->cnt.heartbeats++;
	/* The box knows its channel best: after a crash of this server the
	 * write-behind may have lost its last tune. */
	if (hb->channel && hb->channel != c->channel && mg_channel_get(st, hb->channel))
		rc = mg_client_tune(st, c, hb->channel);
	mg_client_touch(st, c);
	if (!c->live)
		mg_client_activate(st, c);
	if (hb->has_stats)
		ingest(st, c, hb);
	if (hb->on_mesh >= 0)
		c->on_mesh = (uint8_t)hb->on_mesh;
	return rc;
}

int mg_client_kick(struct mg_state *st, struct mg_client *c, bool ban, const char *actor,
		   const char *reason, struct mg_batch *b)
{
	char subj[32], detail[200];
	json_t *d = json_pack("{s:b, s:s?}", "ban", ban, "reason", reason);
	char *dt = d ? json_dumps(d, JSON_COMPACT) : NULL;

	snprintf(subj, sizeof(subj), "client:%u", c->id);
	snprintf(detail, sizeof(detail), "%s", dt ? dt : "{}");
	free(dt);
	json_decref(d);
	mg_client_leave(st, c);
	c->has_token = 0;
	memset(c->token_hash, 0, sizeof(c->token_hash));
	if (ban)
		c->banned = 1;
	/* Revoked before the group's long polls are answered (after this
	 * call), so the other members hear of it with their new group. */
	mg_trust_revoke(st, c->id, c->cert, actor, subj, ban ? "ban" : "kick", b);
	mg_cert_drop(&c->cert);
	mg_client_row(st, c, b);
	mg_state_event(st, b, actor, ban ? "client.ban" : "client.kick", subj, detail);
	st->cnt.kicks++;
	mg_state_notify(st, c);
	return 0;
}

int mg_client_unban(struct mg_state *st, struct mg_client *c, const char *actor,
		    struct mg_batch *b)
{
	char subj[32];

	if (!c->banned)
		return 0;
	c->banned = 0;
	snprintf(subj, sizeof(subj), "client:%u", c->id);
	mg_client_row(st, c, b);
	mg_state_event(st, b, actor, "client.unban", subj, NULL);
	return 0;
}

int mg_client_set_metro(struct mg_state *st, struct mg_client *c, uint32_t metro, bool pin,
			const char *actor, struct mg_batch *b)
{
	char subj[32], detail[96];
	uint32_t from = c->metro;

	c->pinned = pin ? MG_PIN_NOC : MG_PIN_PREFIX;
	if (!pin) {
		struct mg_register r = { .naddr = c->naddr };

		memcpy(r.addrs, c->addrs, c->naddr * sizeof(*c->addrs));
		metro = find_metro(st, &r);
	}
	metro_changed(st, c, metro);
	snprintf(subj, sizeof(subj), "client:%u", c->id);
	snprintf(detail, sizeof(detail), "{\"from\":%u,\"to\":%u,\"pinned\":%s}", from, metro,
		 pin ? "true" : "false");
	mg_client_row(st, c, b);
	mg_state_event(st, b, actor, "client.move", subj, detail);
	return 0;
}

int mg_client_place(struct mg_state *st, struct mg_client *c, uint32_t group, const char *actor,
		    struct mg_batch *b)
{
	char subj[32], detail[64];
	int rc = grp_place(st->grp, &c->gm, group);

	if (rc < 0)
		return rc;
	snprintf(subj, sizeof(subj), "client:%u", c->id);
	snprintf(detail, sizeof(detail), "{\"group\":%u}", group);
	mg_state_event(st, b, actor, "client.place", subj, detail);
	return 0;
}

int mg_client_delete(struct mg_state *st, struct mg_client *c, const char *actor,
		     struct mg_batch *b)
{
	char subj[32], detail[200];

	mg_client_leave(st, c);
	mg_client_deactivate_many(st, &c, 1);
	mg_state_unlink_dirty(st, c);
	snprintf(subj, sizeof(subj), "client:%u", c->id);
	snprintf(detail, sizeof(detail), "{\"device_id\":\"%.100s\"}", c->device_id);
	mg_trust_revoke(st, c->id, c->cert, actor, subj, "delete", b);
	mg_batch_add(b, MG_SQL_CLIENT_DEL, "u", c->id);
	mg_state_event(st, b, actor, "client.delete", subj, detail);
	mg_strmap_del(&st->by_device, c);
	st->clients[c->id] = NULL;
	st->nclients--;
	c->has_token = 0;
	mg_state_notify(st, c);
	mg_client_free(c);
	return 0;
}
