/* mg_state_priv: the inside of struct mg_state, shared by the mg_state*.c,
 * mg_clients.c, mg_edges.c and mg_lineup_ops.c files and nobody else. */
#ifndef MG_STATE_PRIV_H
#define MG_STATE_PRIV_H

#include "mg_state.h"

#define MG_CONTAINER(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/* One revocation in force: member wire's certificates issued up to
 * before_ms are refused; kept until until_ms (the revoked ones expired). */
struct mg_rev {
	uint32_t member;
	int64_t before_ms, until_ms;
};

/* The certificate authority (mg_trust.c). */
struct mg_trust {
	uint8_t ca_pub[RTX_CA_PUB_BYTES];
	uint8_t ca_secret[RTX_CA_SECRET_BYTES]; /* never leaves this struct, never logged */
	uint32_t key_id;
	bool ready;
	struct mg_idmap revoked;   /* wire id -> struct mg_rev */
	int64_t next_until_ms;     /* the earliest until_ms, for pruning */
	char *revoked_json;        /* cached "revoked" list; NULL: to be built */
	size_t revoked_json_len;
};

struct mg_state {
	const struct mg_config *cfg;
	sc_clock *clk;
	mg_store *store;
	grp *grp;
	trk *trk;
	struct mg_idmap metros, channels, edges;
	struct mg_client **clients; /* by id */
	uint32_t clients_cap;
	size_t nclients;
	struct mg_strmap by_device;
	struct mg_metro_table mtable;
	uint32_t next_client, next_edge;
	/* Counters reserved in the store ("seqs"): values below mark are
	 * durable; pending is a reservation on its way. */
	uint64_t next_gid, gid_mark, gid_pending;
	uint64_t next_ver, ver_mark, ver_pending;
	struct mg_client *seen_head, *seen_tail; /* live boxes, least recently seen first */
	size_t nlive;
	/* Write-behind queues, oldest first: boxes, and ids of groups (a
	 * group is dirty while it is in dirty_groups). */
	struct mg_client *dirty_head, *dirty_tail;
	size_t ndirty;
	struct mg_idmap dirty_groups;
	uint32_t *gq;
	size_t gq_head, gq_len, gq_cap;
	uint32_t *removed_groups;
	size_t nremoved, capremoved;
	bool edges_dirty;
	struct mg_batch *wb;      /* write-behind rows waiting for the next submit */
	uint64_t wb_since;
	uint32_t lineup_version;
	mg_notify_fn notify;
	void *notify_ctx;
	struct mg_state_counters cnt;
	struct mg_counters totals;
	struct mg_series series;
	uint64_t last_prune_ns;
	struct mg_trust trust;
};

#endif
