/* mg_state: the management server's live model, in memory, and the rules
 * that keep it and the store in step.
 *
 * Boxes (clients), edges, channels, metros, groups (through grp) and peer
 * caches (through trk). The daemon's thread is the only one that touches
 * it. Each change either
 *  - goes to the store before its answer: the caller passes a batch, the
 *    change adds its rows and an audit event, and the caller submits the
 *    batch and answers from the completion (registrations, kicks, bans,
 *    moves, line-up edits, edge registrations); or
 *  - is written behind: it marks the object dirty and mg_state_flush()
 *    writes everything dirty as one batch every store.flush_ms (tunes,
 *    channel changes, last seen, stats, group membership and keys). A
 *    crash loses at most that much of it, and boxes restore it by
 *    re-tuning: every heartbeat carries the box's channel.
 * Group ids and versions come from counters whose bounds are reserved in
 * the store before use, so neither repeats after a crash.
 *
 * Split over mg_state.c (life cycle, counters, flush, sweeps),
 * mg_clients.c (boxes), mg_edges.c (edges, RET and SDP), mg_lineup_ops.c
 * (channels and metros), mg_trust.c (the certificate authority: member
 * certificates and revocations) and mg_state_load.c (start-up from the
 * store). */
#ifndef MG_STATE_H
#define MG_STATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "grp.h"
#include "mg_cfg.h"
#include "mg_json.h"
#include "mg_lineup.h"
#include "mg_map.h"
#include "mg_stats.h"
#include "mg_store.h"
#include "rtx.h"
#include "rtx_ident.h"
#include "sc_clock.h"
#include "trk.h"

#define MG_CLIENT_ADDRS 4
#define MG_EDGE_ADDRS 8
#define MG_RTT_MAX 8
#define MG_DEVICE_MAX 128

/* A box's metro: from the prefix table, declared by the box when it
 * registered, or set by the NOC (which only the NOC undoes). */
#define MG_PIN_PREFIX 0
#define MG_PIN_BOX 1
#define MG_PIN_NOC 2

struct mg_rtt {
	uint32_t peer;
	uint32_t us;
};

/* A member's current certificate (mg_trust.c): the bytes as signed, and
 * the fields the views show. The certified public key is raw[32..63]. */
struct mg_cert {
	uint8_t raw[RTX_CERT_BYTES];
	uint32_t serial;
	int64_t not_before_ms, not_after_ms;
};

struct mg_client {
	struct grp_member gm; /* gm.id is the client id */
	struct trk_peer tp;
	uint32_t id;
	uint32_t metro;       /* 0: unknown */
	uint32_t channel;     /* tuned channel, kept while the box is silent; 0: none */
	uint8_t naddr, nrtt;
	uint8_t pinned;       /* where the metro comes from: MG_PIN_* */
	uint8_t banned;
	uint8_t live;         /* heartbeating: in the seen list, grouped when tuned */
	uint8_t dirty;        /* in the write-behind list */
	uint8_t has_token;
	uint8_t on_mesh;      /* its last heartbeat said it plays through the P2P mesh */
	uint8_t cert_dirty;   /* cert changed since its row was written */
	uint8_t token_hash[16];
	uint64_t last_seen_ns;  /* monotonic, for timeouts */
	int64_t last_seen_ms;   /* wall clock, for people */
	int64_t registered_ms;
	char *device_id;
	struct mg_caddr *addrs; /* naddr */
	char *addrs_json;       /* the same as a JSON array, for the hot path */
	struct mg_cert *cert;   /* NULL: none (the box sent no public key) */
	struct mg_counters stats;
	struct mg_rtt *rtt;     /* nrtt reported peer round-trip times */
	struct mg_client *seen_prev, *seen_next, *dirty_next;
	void *waiter;           /* a long-polling request, owned by the API */
};

struct mg_channel {
	struct mg_chan_def def;
	uint8_t ret_key[32];
	/* The parts of a tune answer that do not depend on the box: rebuilt
	 * when the line-up or the live edges carrying the channel change. */
	char *tune_head, *tune_tail;
	size_t tune_head_len, tune_tail_len;
	uint32_t tune_lineup;
	uint64_t tune_sig;
	struct mg_counters acc;
	struct mg_series series;
};

struct mg_metro {
	struct mg_metro_def def;
	uint32_t live;            /* live boxes */
	uint64_t last_hb_ns;      /* last heartbeat from any of them */
	bool silent;
	int64_t silent_since_ms;
	uint32_t silenced;        /* boxes taken out when it went silent */
	uint64_t rebuild_ns;      /* how long taking them out took */
	uint32_t outages;
	struct mg_counters acc;
	struct mg_series series;
};

struct mg_edge_chan {
	uint32_t id;
	unsigned direct_max;     /* unicast streams it can serve (hosting node) */
	char sdp_url[MG_URL_MAX];
};

struct mg_edge {
	uint32_t id;
	char name[MG_NAME_MAX];
	uint8_t token_hash[16];
	uint8_t has_token;
	uint32_t epoch;          /* grows when it registers again */
	struct mg_caddr addrs[MG_EDGE_ADDRS], ret[MG_EDGE_ADDRS], burst[MG_EDGE_ADDRS];
	uint8_t naddr, nret, nburst;
	struct mg_edge_chan *chan;
	size_t nchan;
	uint64_t last_seen_ns;
	int64_t registered_ms, last_seen_ms;
	json_t *load;            /* the latest load report */
	struct mg_cert *cert;    /* NULL: none */
	bool dirty, cert_dirty;
};

/* The id an edge has on the wire and in its certificate. */
static inline uint32_t mg_edge_wire_id(const struct mg_edge *e)
{
	return RTX_EDGE_ID_FLAG | e->id;
}

/* Called when a box has news for its next heartbeat: its group changed, it
 * was kicked or moved, its channel went away. */
typedef void (*mg_notify_fn)(void *ctx, struct mg_client *c);

struct mg_state_counters {
	uint64_t registrations, tunes, heartbeats, leaves, timeouts, kicks;
	uint64_t group_changes, metro_outages;
	uint64_t certs_issued, revocations;
};

struct mg_state;

int mg_state_new(const struct mg_config *cfg, sc_clock *clk, mg_store *store,
		 struct mg_state **out);
void mg_state_free(struct mg_state *st);
/* Load the store (seeding the line-up from the config when the store has
 * none, or making it match the file in "file" mode) and reserve counters.
 * The store's writer must be running. Returns 0 or a negative errno with
 * why set. */
int mg_state_load(struct mg_state *st, char *why, size_t len);
/* A reloaded config (kept by pointer; the caller keeps it alive). */
int mg_state_reconfigure(struct mg_state *st, const struct mg_config *cfg, char *why, size_t len);
const struct mg_config *mg_state_config(const struct mg_state *st);
void mg_state_set_notify(struct mg_state *st, mg_notify_fn fn, void *ctx);

/* Heartbeats a silent window must have been expected to hold before a
 * metro is declared silent (see mg_state_sweep). */
#define MG_SILENCE_EXPECTED 20

/* Timers, called by the daemon. */
#define MG_FLUSH_TICK_MS 50
/* Write behind, every MG_FLUSH_TICK_MS (a slice) or all at once. */
void mg_state_flush(struct mg_state *st, bool all);
void mg_state_sweep(struct mg_state *st);     /* timeouts and silent metros, every 100 ms */
void mg_state_sample(struct mg_state *st);    /* series, once a second */

/* Lookups; NULL when absent. */
struct mg_client *mg_client_get(const struct mg_state *st, uint32_t id);
struct mg_client *mg_client_by_device(const struct mg_state *st, const char *device_id);
struct mg_channel *mg_channel_get(const struct mg_state *st, uint32_t id);
struct mg_metro *mg_metro_get(const struct mg_state *st, uint32_t id);
struct mg_metro *mg_metro_by_name(const struct mg_state *st, const char *name);
struct mg_edge *mg_edge_get(const struct mg_state *st, uint32_t id);
const char *mg_metro_name(const struct mg_state *st, uint32_t id); /* "unknown" for 0 */
/* Iteration: *pos starts at 0; NULL at the end. */
struct mg_client *mg_client_next(const struct mg_state *st, uint32_t *pos);
struct mg_channel *mg_channel_next(const struct mg_state *st, size_t *pos);
struct mg_metro *mg_metro_next(const struct mg_state *st, size_t *pos);
struct mg_edge *mg_edge_next(const struct mg_state *st, size_t *pos);
size_t mg_client_count(const struct mg_state *st);
/* All channels / metros / edges by id, in a malloc'd array (*out, freed by
 * the caller). Returns the count; 0 with *out NULL when empty or out of
 * memory. */
size_t mg_channels_sorted(const struct mg_state *st, struct mg_channel ***out);
size_t mg_metros_sorted(const struct mg_state *st, struct mg_metro ***out);
size_t mg_edges_sorted(const struct mg_state *st, struct mg_edge ***out);
grp *mg_state_grp(const struct mg_state *st);
trk *mg_state_trk(const struct mg_state *st);
mg_store *mg_state_store(const struct mg_state *st);
uint32_t mg_state_lineup_version(const struct mg_state *st);
const struct mg_state_counters *mg_state_counters(const struct mg_state *st);
const struct mg_counters *mg_state_totals(const struct mg_state *st);
size_t mg_state_live(const struct mg_state *st);
const struct mg_series *mg_state_series(const struct mg_state *st);
/* The date (ms since 1970) of records, events, certificates and
 * revocations: the host's, or under a fake clock (tests) a fixed date in
 * 2023 plus the fake clock's time. */
int64_t mg_state_now_ms(const struct mg_state *st);

/* An audit event into b (or its own batch, written behind, when b is
 * NULL). detail is JSON text or NULL. */
void mg_state_event(struct mg_state *st, struct mg_batch *b, const char *actor, const char *type,
		    const char *subject, const char *detail);

/* --- boxes (mg_clients.c) --- */
struct mg_register {
	const char *device_id;
	struct mg_caddr addrs[MG_CLIENT_ADDRS];
	size_t naddr;
	uint32_t metro;                 /* given by the box; 0: find by prefix */
	const struct sc_sockaddr *peer; /* the HTTP peer, a last resort for the metro */
	const uint8_t *pub;             /* its X25519 public key to certify; NULL: none */
};
/* Register (or re-register) a box; a new token goes to
 * token[MG_TOKEN_BUF], a new certificate of r->pub to c->cert (none
 * without a key). Durable rows and the event go into b. Returns 0, or
 * -EPERM (banned), -ENOMEM. */
int mg_client_register(struct mg_state *st, const struct mg_register *r, char *token,
		       struct mg_client **out, struct mg_batch *b);
/* Tune c to channel. Returns 0, -ENOENT (no channel), -EAGAIN (disabled),
 * -ENOMEM. */
int mg_client_tune(struct mg_state *st, struct mg_client *c, uint32_t channel);
void mg_client_leave(struct mg_state *st, struct mg_client *c);
struct mg_heartbeat {
	uint32_t channel;         /* the box's idea of its channel; 0: none given */
	bool has_stats;
	int8_t on_mesh;           /* -1: not said, 0: multicast, 1: mesh */
	struct mg_counters stats;
	struct mg_rtt rtt[MG_RTT_MAX];
	size_t nrtt;
};
/* A heartbeat: the box is alive (re-joining a group if it had dropped
 * out), its channel is what it says, its stats count. Returns 0 or a
 * negative errno from re-tuning. */
int mg_client_heartbeat(struct mg_state *st, struct mg_client *c, const struct mg_heartbeat *hb);
/* The certificate rule of a heartbeat (pub: the key it sent, or NULL):
 * a new certificate when pub differs from the certified key or the
 * certificate has spent half its life (the same key again). Returns 1
 * when one was issued (c->cert), 0 when none was due, or a negative
 * errno. Written behind. */
int mg_client_cert_refresh(struct mg_state *st, struct mg_client *c, const uint8_t *pub);
/* NOC actions; durable rows and events into b. A kick (with or without a
 * ban) and a delete revoke the box's certificates. */
int mg_client_kick(struct mg_state *st, struct mg_client *c, bool ban, const char *actor,
		   const char *reason, struct mg_batch *b);
int mg_client_unban(struct mg_state *st, struct mg_client *c, const char *actor,
		    struct mg_batch *b);
/* metro 0 with pin false: back to the prefix table. */
int mg_client_set_metro(struct mg_state *st, struct mg_client *c, uint32_t metro, bool pin,
			const char *actor, struct mg_batch *b);
int mg_client_place(struct mg_state *st, struct mg_client *c, uint32_t group, const char *actor,
		    struct mg_batch *b);
int mg_client_delete(struct mg_state *st, struct mg_client *c, const char *actor,
		     struct mg_batch *b);
bool mg_client_token_ok(const struct mg_client *c, const char *token);
bool mg_client_hash_ok(const struct mg_client *c, const uint8_t hash[16]);
/* Round-trip time the box reported to peer, or -1. */
int64_t mg_client_rtt(const struct mg_client *c, uint32_t peer);
const struct grp_group *mg_client_group(const struct mg_client *c);

/* --- edges (mg_edges.c) --- */
struct mg_edge_reg {
	const char *name;
	struct mg_caddr addrs[MG_EDGE_ADDRS], ret[MG_EDGE_ADDRS], burst[MG_EDGE_ADDRS];
	size_t naddr, nret, nburst;
	struct mg_edge_chan *chan;
	size_t nchan;
	const uint8_t *pub;      /* its X25519 public key to certify; NULL: none */
};
int mg_edge_register(struct mg_state *st, const struct mg_edge_reg *r, char *token,
		     struct mg_edge **out, struct mg_batch *b);
/* A load report (reference taken on load). */
void mg_edge_load(struct mg_state *st, struct mg_edge *e, json_t *load);
/* The certificate rule of a load report, as mg_client_cert_refresh(). */
int mg_edge_cert_refresh(struct mg_state *st, struct mg_edge *e, const uint8_t *pub);
int mg_edge_delete(struct mg_state *st, struct mg_edge *e, const char *actor, struct mg_batch *b);
bool mg_edge_token_ok(const struct mg_edge *e, const char *token);
bool mg_edge_hash_ok(const struct mg_edge *e, const uint8_t hash[16]);
bool mg_edge_live(const struct mg_state *st, const struct mg_edge *e);
bool mg_edge_carries(const struct mg_edge *e, uint32_t channel);
/* The channel's multicast sources: configured, else the first live edge
 * carrying it. Fills len 0 when none. */
void mg_channel_sources(const struct mg_state *st, const struct mg_channel *ch,
			struct sc_sockaddr *src6, struct sc_sockaddr *src4);
/* SDP (RFC 4566, with RFC 4570 source filters) into buf. */
void mg_channel_sdp(const struct mg_state *st, const struct mg_channel *ch, char *buf, size_t len);
/* The SDP URL: configured, else the first live edge's for the channel. */
const char *mg_channel_sdp_url(const struct mg_state *st, const struct mg_channel *ch);
/* Recompute the tracker threshold of a channel from config and edges. */
void mg_channel_update_direct(struct mg_state *st, uint32_t channel);

/* --- the certificate authority (mg_trust.c) --- */
/* Its public key (RTX_CA_PUB_BYTES), the key's id, the lifetime of the
 * certificates it signs. */
const uint8_t *mg_trust_ca_pub(const struct mg_state *st);
uint32_t mg_trust_ca_key_id(const struct mg_state *st);
uint64_t mg_trust_lifetime_ms(const struct mg_state *st);
/* The revocations in force. */
size_t mg_trust_revocations(const struct mg_state *st);
/* The "revoked" list of the API, [{"id": wire id, "before_ms": ms}, ...]
 * oldest first, as JSON text (cached; valid until the next change of the
 * model); NULL when out of memory. */
const char *mg_trust_revoked_json(struct mg_state *st, size_t *len);
/* When member wire's certificates issued up to then were revoked; -1:
 * never (or long enough ago to be forgotten). */
int64_t mg_trust_revoked_before(const struct mg_state *st, uint32_t wire);

/* --- line-up (mg_lineup_ops.c) --- */
/* Create or replace a channel (a new RET key for a new one). Returns 0 or
 * -ENOMEM. */
int mg_channel_put(struct mg_state *st, const struct mg_chan_def *d, const char *actor,
		   struct mg_batch *b);
int mg_channel_delete(struct mg_state *st, uint32_t id, const char *actor, struct mg_batch *b);
/* Regroup a channel from scratch. Returns the number of groups. */
int mg_channel_rebuild(struct mg_state *st, uint32_t id, const char *actor, struct mg_batch *b);
/* Create or replace a metro; boxes whose metro follows their prefix are
 * re-matched. Returns 0, -EEXIST (a prefix of another metro, or a name in
 * use; why says which), -ENOMEM. */
int mg_metro_put(struct mg_state *st, const struct mg_metro_def *d, const char *actor,
		 struct mg_batch *b, char *why, size_t len);
int mg_metro_delete(struct mg_state *st, uint32_t id, const char *actor, struct mg_batch *b);
uint32_t mg_metro_match(const struct mg_state *st, const struct sc_sockaddr *a);

/* Internal to mg_*.c. */
struct mg_state_priv;
void mg_client_touch(struct mg_state *st, struct mg_client *c);
void mg_state_unlink_dirty(struct mg_state *st, struct mg_client *c);
void mg_client_activate(struct mg_state *st, struct mg_client *c);
void mg_client_deactivate_many(struct mg_state *st, struct mg_client **v, size_t n);
void mg_state_notify(struct mg_state *st, struct mg_client *c);
void mg_state_lineup_changed(struct mg_state *st);
int mg_state_rebuild_metro_table(struct mg_state *st, char *why, size_t len);
void mg_state_rematch_clients(struct mg_state *st);
int mg_state_add_client(struct mg_state *st, struct mg_client *c);
void mg_client_free(struct mg_client *c);
void mg_client_addrs_json(struct mg_client *c);
void mg_channel_free(struct mg_channel *ch);
void mg_client_row(struct mg_state *st, struct mg_client *c, struct mg_batch *b);
void mg_edge_row(struct mg_edge *e, struct mg_batch *b);
int mg_state_add_edge(struct mg_state *st, struct mg_edge *e);
void mg_edge_free(struct mg_edge *e);
void mg_channel_row(const struct mg_state *st, struct mg_channel *ch, struct mg_batch *b);
void mg_metro_row(const struct mg_state *st, struct mg_metro *m, struct mg_batch *b);
struct mg_channel *mg_channel_insert(struct mg_state *st, const struct mg_chan_def *d,
				     const uint8_t *ret_key);
struct mg_metro *mg_metro_insert(struct mg_state *st, const struct mg_metro_def *d);
void mg_state_seq_init(struct mg_state *st);
void mg_state_next_ids(struct mg_state *st, uint32_t client, uint32_t edge);
struct mg_counters *mg_state_totals_rw(struct mg_state *st);
int mg_state_load_lineup_file(struct mg_state *st, char *why, size_t len);
void mg_client_dirty(struct mg_state *st, struct mg_client *c);
/* mg_trust.c: start-up (the CA's key, the revocations), sweeping, the end. */
int mg_trust_load(struct mg_state *st, char *why, size_t len);
void mg_trust_prune(struct mg_state *st);
void mg_trust_free(struct mg_state *st);
/* Sign a certificate of pub for member wire into *slot (replacing the
 * one there). Returns 0, -ERANGE (an id no certificate can carry),
 * -ENOMEM. */
int mg_cert_issue(struct mg_state *st, struct mg_cert **slot, uint32_t wire, const uint8_t *pub);
/* The rule of mg_client_cert_refresh() on a slot. */
int mg_cert_refresh(struct mg_state *st, struct mg_cert **slot, uint32_t wire, const uint8_t *pub);
/* A stored certificate into *slot when it is well formed, for member wire,
 * by our key and not revoked; else *slot stays NULL. */
void mg_cert_restore(struct mg_state *st, struct mg_cert **slot, uint32_t wire, const uint8_t *raw,
		     size_t len);
void mg_cert_drop(struct mg_cert **slot);
/* Revoke every certificate of member wire issued up to now; cur: its
 * current one (kept revoked as long as it lives). In force at once; the
 * durable row and the event (actor, subject, why) go into b. */
void mg_trust_revoke(struct mg_state *st, uint32_t wire, const struct mg_cert *cur,
		     const char *actor, const char *subject, const char *why, struct mg_batch *b);
/* The row of a member's certificate (NULL: none) into b. */
void mg_cert_row(enum mg_sql sql, uint32_t id, const struct mg_cert *cert, struct mg_batch *b);

#endif
