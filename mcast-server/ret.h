/* ret: the edge's unicast repair service: retransmission (RET) and fast
 * channel change bursts for set-top boxes, over the retransmit library.
 *
 * One UDP socket (ret.listen, [::]:5200 by default, IPv6 and IPv4) serves
 * every channel. Each channel has one RTX_ROLE_EDGE session fed with every
 * packet the edge emits; a datagram is routed to its channel's session by
 * rtx_peek() (RET domain = channel id) and answered through the session's
 * send callback. Requesters' addresses live in a table whose index is the
 * session's peer handle; an entry stays reserved while a burst may still be
 * sending to it. Bursts are paced by each session's deadline on a timer.
 *
 * The same socket carries the P2P mesh (docs/protocol/mesh.md): a channel
 * with the mesh on also runs the mesh's hosting node (libscmesh, source
 * role, id MESH_SOURCE_ID_FLAG | edge id, keyed by the channel's RET key),
 * fed with the same packets. mesh_peek() tells its datagrams from RET's;
 * both share the address table. The node is made once the channel has a
 * key and made anew when the key or the edge id changes. */
#ifndef RET_H
#define RET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mesh.h"
#include "mesh_sockaddr.h"
#include "rtx.h"
#include "sc_addr.h"
#include "sc_log.h"
#include "sc_loop.h"

struct ret_cfg {
	struct sc_sockaddr listen;
	/* The edge's identity (required; borrowed: it outlives the service):
	 * RET sessions and mesh nodes speak as its id. A mesh node starts once
	 * it has a certificate (ret_set_edge_id() after a registration). */
	rtx_ident *ident;
	uint32_t edge_id;          /* 0 until the management server gives one */
	uint64_t window_ns;        /* how much of each channel is kept */
	uint64_t max_bitrate_bps;  /* sizes the buffers: window x this */
	unsigned rate_pps;         /* per requester */
	double burst_speed;        /* 1.0 .. 4.0 */
	uint64_t burst_max_ns, burst_overlap_ns, burst_interval_ns;
	uint64_t burst_total_bps;  /* all channels' bursts together; 0: no cap */
	/* The mesh: the address its nodes announce (the edge's at the RET
	 * port) and the edge id they use while edge_id is still 0. */
	struct sc_sockaddr mesh_self;
	uint32_t mesh_edge_id;
};

struct ret_chan_stats {
	struct rtx_stats rtx;      /* the session's counters */
	uint64_t burst_bps;        /* bursts running now */
	bool mesh;                 /* a mesh node runs: the next two are set */
	struct mesh_stats mesh_st;
	uint64_t mesh_input_bytes; /* RTP bytes fed to the node: the stream */
};

typedef struct edge_ret edge_ret;

/* Open the socket and start serving on loop. cfg is copied. Returns 0 and
 * *out, or a negative errno (logged). */
int ret_new(sc_loop *loop, const struct ret_cfg *cfg, const struct sc_logger *lg, edge_ret **out);
void ret_free(edge_ret *r);

/* Serve channel id (key NULL: no key yet; requests fail authentication
 * until one is set). Returns 0, -EEXIST, -ENOMEM, or the library's error. */
int ret_add_channel(edge_ret *r, uint32_t id, const uint8_t *key);
void ret_remove_channel(edge_ret *r, uint32_t id);
/* Set or change a channel's RET key. Returns 0 or -ENOENT. */
int ret_set_key(edge_ret *r, uint32_t id, const uint8_t key[RTX_KEY_BYTES]);
/* The edge id from the management server: sessions made from now on sign
 * with it (the others keep the provisional 0, which is valid too). */
void ret_set_edge_id(edge_ret *r, uint32_t edge_id);
/* Run the mesh's hosting node for channel id with up to max_children
 * direct children (0: no mesh). The node starts once the channel has a
 * key. Returns 0, -ENOENT, or the library's error (logged). */
int ret_set_mesh(edge_ret *r, uint32_t id, unsigned max_children);
/* Whether channel id has a key. */
bool ret_has_key(const edge_ret *r, uint32_t id);

/* A packet of channel id just left the edge, with its RTX_PKT_* flags. */
void ret_packet(edge_ret *r, uint32_t id, const uint8_t *buf, size_t len, unsigned flags);

/* Counters of channel id. Returns 0 or -ENOENT. */
int ret_chan_stats(const edge_ret *r, uint32_t id, struct ret_chan_stats *out);
/* Requesters heard from within the last since_ns that authenticated at
 * least once: all of them (RET) and those whose burst request did. */
void ret_clients(const edge_ret *r, uint64_t since_ns, unsigned *ret_clients, unsigned *burst_clients);
/* Datagrams dropped before any session saw them: not the repair protocol,
 * not for a channel of ours, no room in the address table. */
uint64_t ret_unrouted(const edge_ret *r);
/* Datagrams read from the socket, whatever they were. */
uint64_t ret_datagrams(const edge_ret *r);

#endif
