/* mesh_int: the inside of a mesh_node, shared by its modules:
 * mesh_node.c (lifecycle, peer table, sending, the checks of input and
 * its dispatch), mesh_path.c (addresses: challenges, PATH, moves),
 * mesh_overlay.c (membership overlay: views, refinement, heartbeats, the
 * node lists of answers and redirects),
 * mesh_stream.c (streaming overlay: partners, strips, push, pull,
 * playout). */
#ifndef MESH_INT_H
#define MESH_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mesh.h"
#include "mesh_bmap.h"
#include "mesh_wire.h"
#include "rtx_auth.h"
#include "rtx_ratelimit.h"
#include "sc_log.h"

#define MESH_MAX_PEERS 128

enum mesh_pstate {
	MESH_P_NONE = 0,
	MESH_P_ASKED = 1,   /* we sent a partner request */
	MESH_P_PARTNER = 2,
};

/* Everything a node knows of another node. */
struct mesh_peer {
	uint32_t id; /* 0: free entry */
	uint64_t handle;
	struct mesh_addr addr;
	bool is_source;
	/* membership overlay */
	bool out_near, out_rand, in_view;
	bool heard;                 /* an authenticated message came from it */
	bool challenged;            /* it challenged our address: what it dropped is redone */
	bool queried;               /* in this refinement */
	uint64_t last_heard_ns, added_ns;
	uint32_t rtt_us;            /* 0: not measured */
	uint64_t echo_ts, echo_at_ns; /* its last timestamp, when we got it */
	/* authentication and rate limits */
	struct rtx_replay replay;
	uint64_t hi_ts;
	struct rtx_bucket ctl, pull;
	uint64_t banned_until;
	/* streaming overlay */
	enum mesh_pstate pstate;
	uint64_t asked_ns, retry_after_ns, partner_since_ns;
	bool poor;
	uint8_t depth;
	struct mesh_bmap map;       /* local copy of its buffer map */
	uint16_t sub_from_us;       /* strips it subscribed from us: we push */
	uint16_t sub_to_it;         /* strips we subscribed from it */
	uint32_t strip_recv[MESH_MAX_STRIPS]; /* decayed count per strip */
	uint64_t strip_last_ns[MESH_MAX_STRIPS];
	uint32_t round_recv;        /* packets of subscribed strips this round */
	uint32_t claimed, answered; /* pulls of packets its map showed */
	uint16_t stalled;           /* strips it stopped pushing this round */
};

struct mesh_node {
	struct mesh_config cfg;
	struct mesh_callbacks cb;
	struct sc_logger lg;
	uint8_t key[MESH_KEY_BYTES];
	uint32_t session;
	uint64_t t0_ns, last_ts;
	uint64_t now; /* time of the current call */

	struct mesh_peer peers[MESH_MAX_PEERS];
	struct rtx_bucket gossip;   /* certificates of node lists checked */
	struct mesh_buf buf;

	/* source role: the extended sequence of the emitted stream */
	bool src_started;
	uint64_t src_ext;
	uint32_t src_ssrc;

	/* peer role */
	uint32_t source_id;         /* 0: none known */
	bool source_direct;
	bool paused;
	uint8_t depth;
	uint64_t no_path_since_ns;
	uint64_t short_since_ns;    /* fewer than 2 partners since (0: not) */
	uint64_t head_hint;         /* newest sequence a source announced */

	/* playout */
	bool anchored;
	bool started;               /* the start of the playback was chosen */
	uint64_t first_seq, play_next;
	int64_t offset_ns;          /* first arrival - its source timestamp */
	uint64_t anchor_src_ts;
	uint64_t ns_per_pkt;        /* from the source timestamps */
	uint64_t last_arrival_ns;   /* of the newest packet */
	uint64_t jump_seq;          /* an unconfirmed restart: its sequence */
	uint32_t jump_from;         /* and who sent it */
	uint64_t rng;
	uint64_t round_newest;      /* newest at the start of the round */
	uint64_t *pull_at;          /* per buffer slot: last pull of that seq */
	uint64_t *pull_seq;
	uint32_t *pull_from;

	/* refinement of the near set */
	bool refining;
	uint32_t last_median;
	unsigned refine_rounds;

	/* timers: next due time of each periodic job */
	uint64_t t_hello, t_bmap, t_round, t_refine, t_pull, t_partners, t_tracker;

	struct mesh_stats st;
	uint8_t body[MESH_WIRE_MAX]; /* the body being built (mesh_body()) */
	uint8_t tx[MESH_WIRE_MAX];
	uint8_t bits[MESH_WIRE_MAX_BITS / 8];
};

/* mesh_node.c */
struct mesh_peer *mesh_peer_find(struct mesh_node *n, uint32_t id);
/* Find or create (evicting a node that is neither neighbour nor partner).
 * NULL when the table is full. */
struct mesh_peer *mesh_peer_get(struct mesh_node *n, uint32_t id);
void mesh_peer_forget(struct mesh_node *n, struct mesh_peer *p);
void mesh_peer_ban(struct mesh_node *n, struct mesh_peer *p, const char *why);
/* Learn a node from a list (tracker, answer, redirect): id, address and
 * the caller's handle. Returns the entry or NULL. */
struct mesh_peer *mesh_peer_learn(struct mesh_node *n, uint32_t id, const struct mesh_addr *a,
				  const uint64_t *handle);
/* Seal the body built at mesh_body(n) for p and send it to its handle.
 * To a handle not validated for p, only HELLO, NQUERY, PREQ and PATH go
 * (small control the node starts); anything else is refused (counted).
 * Returns 0 or a negative errno. */
int mesh_tx(struct mesh_node *n, struct mesh_peer *p, uint8_t type, size_t body_len);
/* The same to node `id` at `handle`, no longer than limit bytes. */
int mesh_tx_to(struct mesh_node *n, uint32_t id, uint64_t handle, uint8_t type, size_t body_len,
	       size_t limit);
static inline uint8_t *mesh_body(struct mesh_node *n) { return n->body; }
/* The entry of an authenticated sender at a validated handle `from`,
 * created if new and moved to `from` if it was elsewhere. NULL when the
 * table is full or the handle has no address. */
struct mesh_peer *mesh_peer_at(struct mesh_node *n, struct mesh_peer *p, const struct mesh_hdr *h,
			       uint64_t from);
uint32_t mesh_peer_distance(const struct mesh_node *n, const struct mesh_peer *p);
uint32_t mesh_addr_distance_us(const struct mesh_addr *a, const struct mesh_addr *b);

/* mesh_path.c */
/* A PATH from `from` (len bytes) that passed every check but the address. */
int mesh_path_in(struct mesh_node *n, struct mesh_peer *p, const struct mesh_hdr *h, size_t len,
		 uint64_t from);
/* Anything else from a handle not validated for its sender: challenge it
 * (no larger than len) and drop. Returns -ENOTCONN. */
int mesh_path_unvalidated(struct mesh_node *n, const struct mesh_hdr *h, size_t len, uint64_t from);
/* p talked to us after challenging us: redo what it dropped. */
void mesh_path_redo(struct mesh_node *n, struct mesh_peer *p);

/* mesh_overlay.c */
void mesh_overlay_hello_in(struct mesh_node *n, struct mesh_peer *p, const struct mesh_hdr *h);
void mesh_overlay_nquery_in(struct mesh_node *n, struct mesh_peer *p, const struct mesh_hdr *h);
void mesh_overlay_nanswer_in(struct mesh_node *n, struct mesh_peer *p, const struct mesh_hdr *h);
void mesh_overlay_tick(struct mesh_node *n);
void mesh_overlay_hello_tick(struct mesh_node *n);
void mesh_overlay_start_refine(struct mesh_node *n);
void mesh_overlay_hello_to(struct mesh_node *n, struct mesh_peer *p);
/* A source at capacity: "use the mesh", with its partners. */
void mesh_overlay_redirect(struct mesh_node *n, struct mesh_peer *p);
void mesh_overlay_full_in(struct mesh_node *n, struct mesh_peer *p, const struct mesh_hdr *h);
/* Learn a peer from a trusted list (tracker, static): its certificate,
 * its entry, its registered handle validated. NULL when it is refused. */
struct mesh_peer *mesh_overlay_learn_info(struct mesh_node *n, const struct mesh_peer_info *pi);
unsigned mesh_overlay_count(const struct mesh_node *n, bool near);

/* mesh_stream.c */
void mesh_stream_data_in(struct mesh_node *n, struct mesh_peer *p, const struct mesh_hdr *h);
void mesh_stream_ctl_in(struct mesh_node *n, struct mesh_peer *p, const struct mesh_hdr *h);
void mesh_stream_store_local(struct mesh_node *n, uint64_t seq, uint64_t src_ts, const uint8_t *rtp,
			     size_t len);
void mesh_stream_drop_partner(struct mesh_node *n, struct mesh_peer *p, bool tell);
void mesh_stream_ask(struct mesh_node *n, struct mesh_peer *p);
void mesh_stream_partners_tick(struct mesh_node *n);
void mesh_stream_bmap_tick(struct mesh_node *n);
void mesh_stream_round_tick(struct mesh_node *n);
void mesh_stream_pull_tick(struct mesh_node *n);
void mesh_stream_assign(struct mesh_node *n);
void mesh_stream_playout(struct mesh_node *n);
uint64_t mesh_stream_next_playout(const struct mesh_node *n);
unsigned mesh_stream_partners(const struct mesh_node *n);

#endif
