/* libscmesh: the P2P mesh a set-top box falls back to when multicast is
 * missing, and the hosting node (source role) an edge runs for it.
 *
 * Two layers, after seed 004 (Microsoft's "peer-to-peer aided live video
 * sharing"): a membership overlay (each node keeps an OutView of k near + l
 * random neighbours, refines the near set by asking neighbours for theirs
 * until the median distance stops improving, sends heartbeats, drops the
 * dead and asks the tracker for new random ones) and a streaming overlay
 * (4..8 partners, buffer maps, P strips by sequence mod P, prefetch push
 * of subscribed strips, general and urgent pulls). docs/protocol/mesh.md
 * has the wire format and the algorithms.
 *
 * One mesh_node is one node of one channel: a peer (a box) or the source
 * (the edge, fed with the channel's RTP). Like rtx_session, the library
 * does no I/O of its own: the caller reads its socket and its clock and
 * drives the node from its event loop:
 *
 *    mesh_node_input_rtp(n, buf, len)          source: the channel's RTP
 *    mesh_node_input(n, buf, len, from)        a mesh datagram from `from`
 *    next = mesh_node_run(n)                   on the timer: due work
 *    arm one timer at mesh_node_deadline(n)    after every call
 *
 * Datagrams go out through the send callback to opaque 64-bit peer
 * handles the caller chose (one handle names one address while it lives,
 * and 0 is none: rtx_ident validates handles, never 0); the library learns other nodes' addresses from
 * its neighbours and asks the caller for their handles (handle_of), and
 * the address of a handle it was contacted from (addr_of). The channel's
 * RTP datagrams come out of the deliver callback, byte-identical to what
 * the source emitted, each once. Time comes from now_ns, so a simulation
 * runs hundreds of nodes in one process on a fake clock.
 *
 * Trust (docs/protocol/mesh.md, "Keys" and "Addresses"): every node has a
 * member identity (rtx_ident: its key pair, its CA-signed certificate, the
 * certificates of its peers). A datagram is sealed for one receiver under
 * a key bound to both ids and the channel's mesh key, so only members
 * tuned to the channel speak in it, none can speak as another, and a
 * datagram is valid at its receiver only. Answers go only to a peer's
 * validated handle: registered by the management server (the tracker's or
 * a static list's peers) or proven by a PATH challenge echoed from it.
 *
 * Conventions: 0 or a count on success, a negative errno on failure; no
 * printing, no exiting; not thread-safe (one thread per node); callbacks
 * must not call back into the same node's input/run/set functions. */
#ifndef SIXCAST_MESH_H
#define SIXCAST_MESH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtx_ident.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MESH_KEY_BYTES 32
#define MESH_SOURCE_ID_FLAG 0x80000000u /* source ids: flag | edge id */
#define MESH_MAX_STRIPS 16
#define MESH_NO_DEADLINE UINT64_MAX

typedef struct mesh_node mesh_node;

/* A node's address as the mesh carries it (neighbour answers, redirects).
 * family is 6 or 4 (IPv4 in addr[0..3]); 0 is "none". */
struct mesh_addr {
	uint8_t family;
	uint8_t addr[16];
	uint16_t port;
};

/* A node the caller knows of (from the tracker, the tune answer or a
 * static list): its id, its address and the handle its datagrams go to.
 * The management server registered that address, so the handle counts as
 * validated for the node (rtx_ident_addr_set()). cert is its certificate
 * (RTX_CERT_BYTES, checked and learnt by the node's ident), or NULL when
 * the caller already made the ident learn it; a node whose certificate the
 * ident does not hold is ignored. */
struct mesh_peer_info {
	uint32_t id;
	struct mesh_addr addr;
	uint64_t handle;
	const uint8_t *cert;
};

enum mesh_role {
	MESH_ROLE_PEER = 1,   /* a box: partners, buffer, playback */
	MESH_ROLE_SOURCE = 2, /* the hosting node: fed with RTP, serves up to capacity */
};

/* How the deliver callback hands packets out. */
enum mesh_release {
	/* In sequence order at each packet's playback deadline (the first
	 * packet's arrival + playout_delay, then at the source's pace),
	 * skipping what is still missing then. For a caller without a
	 * playback buffer of its own (the lab tool, the simulation). */
	MESH_RELEASE_PLAYOUT = 0,
	/* Each packet once, the moment it arrives, in any order: for a caller
	 * that feeds rtx_session_input_rtp(), whose playback buffer orders
	 * and paces (sixcast-client). The node still computes deadlines for
	 * its urgent pulls. */
	MESH_RELEASE_ARRIVAL = 1,
};

typedef void (*mesh_log_fn)(void *ctx, int level, const char *msg);

struct mesh_callbacks {
	void *ctx;
	/* Required. Monotonic time in ns. */
	uint64_t (*now_ns)(void *ctx);
	/* Required. Send one datagram; buf is valid during the call only.
	 * Return 0 or a negative errno (counted as send_errors). */
	int (*send)(void *ctx, uint64_t peer, const uint8_t *buf, size_t len);
	/* Peer role: an original RTP datagram of the channel, each once;
	 * ext_seq is the source's 64-bit sequence number. */
	void (*deliver)(void *ctx, uint64_t ext_seq, const uint8_t *rtp, size_t len);
	/* Optional (playout release): ext_seq was missing at its deadline. */
	void (*lost)(void *ctx, uint64_t ext_seq);
	/* Required for the overlay: the handle to reach addr (create one if
	 * needed). Return 0 and set *handle, or a negative errno to refuse
	 * (the node is then ignored). */
	int (*handle_of)(void *ctx, const struct mesh_addr *addr, uint64_t *handle);
	/* Required: the address datagrams from handle came from. Return 0 or
	 * a negative errno (unknown handle: the node is then ignored). */
	int (*addr_of)(void *ctx, uint64_t handle, struct mesh_addr *addr);
	/* Optional: the node wants fresh peers from the tracker (GET
	 * /channels/{id}/peers); the caller asks, later, and gives the answer
	 * to mesh_node_add_peers(). Called at most every tracker_interval_ns. */
	void (*want_peers)(void *ctx);
	mesh_log_fn log;
	int log_level; /* most verbose level wanted; 0 = LOG_INFO */
};

struct mesh_config {
	enum mesh_role role;
	/* The node's id: the client id, or MESH_SOURCE_ID_FLAG | edge id. */
	uint32_t self_id;
	uint32_t channel_id;
	/* The channel's RET key (tune answer / edge registration). The mesh's
	 * own key is derived from it: docs/protocol/mesh.md. */
	uint8_t ret_key[MESH_KEY_BYTES];
	/* Required: the daemon's member identity, for self_id (its id must be
	 * self_id) with a certificate installed. Borrowed: it belongs to the
	 * caller, who keeps it alive until after mesh_node_free() (which still
	 * says goodbye) and may share it with other nodes and repair sessions
	 * (one thread). The node teaches it the certificates and addresses it
	 * learns. */
	rtx_ident *ident;
	/* The node's own address (for distances to others). */
	struct mesh_addr self_addr;
	/* Wall clock at creation (ns): message timestamps start there, so a
	 * restarted node goes on above its old ones. */
	uint64_t ts_base_ns;
	enum mesh_release release;

	/* Membership overlay: k near and l random neighbours. */
	unsigned near_k, random_l;
	uint64_t hello_interval_ns, dead_after_ns, refine_interval_ns, tracker_interval_ns;

	/* Streaming overlay. A peer asks for partners while it has fewer than
	 * partners_min and accepts requests up to partners_max. */
	unsigned partners_min, partners_max;
	unsigned strips;            /* P, 1..MESH_MAX_STRIPS */
	uint64_t bmap_interval_ns;  /* buffer maps to partners */
	uint64_t round_ns;          /* partner evaluation round */
	uint64_t stall_ns;          /* a strip silent this long moves elsewhere */
	unsigned pull_th1;          /* general pull: older than newest - TH1 (packets) */
	uint64_t pull_th1_ns;       /* ... or than the newest's time - this */
	uint64_t pull_th2_ns;       /* urgent pull: within TH2 of the deadline */
	uint64_t pull_retry_ns;     /* a pull unanswered this long is asked again */
	uint64_t playout_delay_ns;  /* first packet -> its playback */
	unsigned buffer_pkts;       /* packets kept (and served): a power of 2 <= 4096 */
	unsigned bmap_bits;         /* packets a buffer map describes, <= 2048 */
	unsigned max_ahead;         /* a map claiming beyond our newest + this lies */
	unsigned lie_limit;         /* claimed packets not delivered before a drop */

	/* Source role: direct children served, then "full: use the mesh". */
	unsigned max_children;
	/* Per-peer token bucket on pulls served (packets/s, depth). */
	uint32_t pull_rate_pps, pull_burst;
	/* Per-peer token bucket on control messages (queries, requests). */
	uint32_t ctl_rate_pps, ctl_burst;
	size_t max_packet;          /* RTP datagrams above this are dropped (<= 1384) */
};

void mesh_config_defaults(struct mesh_config *cfg, enum mesh_role role);

/* Create a node. cfg and cb are copied. Returns 0 and sets *out; -EINVAL
 * for a bad setting (logged), -ENOMEM, -ENOSYS when libsodium fails. */
int mesh_node_new(const struct mesh_config *cfg, const struct mesh_callbacks *cb, mesh_node **out);
/* Says goodbye to neighbours and partners (LEAVE) and frees. NULL ok. */
void mesh_node_free(mesh_node *n);

/* Peer role: nodes from the tracker (near first, then random) or a static
 * list. Near ones seed the nearest-set refinement; random ones fill the
 * random neighbourhood. Returns how many were new. */
int mesh_node_add_peers(mesh_node *n, const struct mesh_peer_info *near, size_t nnear,
			const struct mesh_peer_info *random, size_t nrandom);
/* Peer role: the source (the edge's hosting node). With direct true (the
 * tracker said "edge") the node asks it for partnership first; otherwise
 * only when it has lost every path to it. Returns 0, -EINVAL (no source
 * id), -ENOKEY (no valid certificate for it), -ENOSPC. */
int mesh_node_set_source(mesh_node *n, const struct mesh_peer_info *src, bool direct);

/* Source role: one RTP datagram of the channel. Returns 0, -EBADMSG (not
 * RTP), -EMSGSIZE, -EOPNOTSUPP on a peer. */
int mesh_node_input_rtp(mesh_node *n, const uint8_t *buf, size_t len);
/* A mesh datagram from handle `from`. Returns 0 when used, or why it was
 * dropped (each counted): -EBADMSG malformed, -EOPNOTSUPP an unknown type
 * or flag, or not for this role, -EACCES other channel, other receiver,
 * bad MAC or certificate, -EKEYREVOKED a revoked sender, -ENOKEY a sender
 * whose certificate we lack (none attached), -EPERM from a node dropped
 * for misbehaviour, -EALREADY replayed, -ENOTCONN from a handle not
 * validated for its sender (a challenge may have gone back), -EBUSY rate
 * limited. */
int mesh_node_input(mesh_node *n, const uint8_t *buf, size_t len, uint64_t from);
/* Do what is due; returns the next deadline (MESH_NO_DEADLINE: none). */
uint64_t mesh_node_run(mesh_node *n);
uint64_t mesh_node_deadline(const mesh_node *n);

/* Pause / resume the streaming side without leaving the overlay (the
 * switching policy's hysteresis: a box back on multicast stays a member of
 * the overlay and is quick to fall back again). A paused peer drops its
 * partners' subscriptions of its strips, unsubscribes its own, does not
 * pull and delivers nothing. */
void mesh_node_pause(mesh_node *n, bool paused);
struct mesh_stats {
	/* data */
	uint64_t data_received, data_duplicates, data_pushed_in, data_pulled_in;
	uint64_t data_sent, data_pushed, data_pulled_out, data_bytes_sent, data_bytes_received;
	uint64_t delivered, lost, late;
	uint64_t pulls_sent, urgent_pulls_sent, pulls_received, pulls_missing, pulls_refused;
	/* control */
	uint64_t ctl_sent, ctl_received, ctl_bytes_sent, ctl_bytes_received;
	/* overlay and partners */
	uint64_t partners_added, partners_dropped, poor_flagged, liars_dropped, dead_removed;
	uint64_t redirects_sent, redirects_received, tracker_asks, refinements;
	/* dropped input */
	uint64_t malformed, auth_failed, replayed, rate_limited, banned, unsupported, send_errors;
	uint64_t revoked, unknown_sender; /* a revoked member; no certificate known or attached */
	uint64_t unvalidated;  /* from a handle not validated for its sender */
	/* addresses */
	uint64_t tx_refused;   /* sends refused: an answer to a handle not validated, or too big */
	uint64_t challenges;   /* PATH challenges sent */
	uint64_t validated;    /* handles proven by an echoed challenge */
	uint64_t moves;        /* a node's entry moved to another validated handle */
	/* now */
	unsigned partners, out_view, in_view, children, depth;
	uint64_t first_packet_ns, first_deliver_ns; /* 0: not yet (now_ns clock) */
	uint64_t newest;                            /* highest ext seq held */
	/* delivery time - source timestamp over the packets delivered: the
	 * playback lag behind the source, when its clock is ours (same host,
	 * or synchronised clocks) */
	uint64_t lag_sum_ns, lag_max_ns;
};
void mesh_node_stats(const mesh_node *n, struct mesh_stats *out);

/* What a datagram on the shared repair port is. Returns 1 for a
 * well-formed mesh datagram of this version (and fills channel/sender when
 * not NULL), 0 for anything else (a repair-protocol datagram, garbage).
 * No authentication. */
int mesh_peek(const uint8_t *buf, size_t len, uint32_t *channel_id, uint32_t *sender_id);

/* The version of the library, "MAJOR.MINOR.PATCH". */
const char *mesh_version(void);

#ifdef __cplusplus
}
#endif
#endif
