/* tu_mesh: the harness of the mesh node's unit tests
 * (tests/unit/test_mesh_node.c), on a fake clock: scripted fake nodes that
 * speak the wire protocol with their own member identities from one test
 * CA (tu_ident.h), what the node under test sent (each datagram opened by
 * the fake it is for), and a small network of real nodes. */
#ifndef TU_MESH_H
#define TU_MESH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mesh.h"
#include "mesh_wire.h"
#include "sc_clock.h"
#include "tu_ident.h"

#define MS SC_NS_PER_MS
#define CH 5
#define MAX_H 64

extern uint64_t now_v;
extern uint8_t ret_key[32], mkey[32];
extern struct tu_pki pki;

/* What the node under test sent. */
struct sent {
	uint64_t to;
	uint8_t type;
	bool cert;             /* our certificate was attached */
	int opened;            /* rtx_ident_open() at the fake listening there */
	size_t len, boff, blen;
	uint8_t buf[MESH_WIRE_MAX];
};
extern struct sent outq[8192];
extern size_t nout;
extern unsigned want_peers_calls;
extern uint64_t delivered[8192];
extern size_t ndelivered;
/* The identity and id of the node under test (the last mknode()). */
extern rtx_ident *node_ident;
extern uint32_t node_id;
/* The identity of the fake listening at each handle. */
extern rtx_ident *ident_at[MAX_H];

uint64_t cb_now(void *ctx);
int cb_send(void *ctx, uint64_t to, const uint8_t *buf, size_t len);
/* Handles are 1 + the index of the address (0 is no handle). */
int cb_handle_of(void *ctx, const struct mesh_addr *a, uint64_t *h);
int cb_addr_of(void *ctx, uint64_t h, struct mesh_addr *a);

/* An identity from the test CA, freed by the next reset(). */
rtx_ident *new_ident(uint32_t id);

/* A fake node: an address in metro m, host h, and an identity. Unless a
 * test says otherwise it meets the node under test on its first word, as
 * the management server would introduce them: each learns the other's
 * certificate and the node takes the fake's handle as validated. */
struct fake {	uint32_t id;
	uint64_t handle, ts;
	struct mesh_addr addr;
	rtx_ident *ident;
	bool met;
};

struct mesh_addr mkaddr(unsigned m, unsigned h);
struct fake mkfake(uint32_t id, unsigned m, unsigned h);
void cert_of(rtx_ident *i, uint8_t out[RTX_CERT_BYTES]);
/* The fake knows the node's certificate (from a node list, say): it can
 * seal for it. The node knows nothing of the fake. */
void fake_knows_node(struct fake *f);
/* As the management server would introduce them. */
void meet(struct fake *f);

/* A new test: the clock, the CA, no identity, nothing sent. */
void reset(void);
mesh_node *mknode(enum mesh_role role, uint32_t id, unsigned m, unsigned h, struct mesh_config *out);
/* A peer (id 100) with nf fake partners at depth 0. */
mesh_node *peer_with(struct fake *f, unsigned nf, struct mesh_config *cfg);

/* Seal a body from f for the node under test into buf; its length. */
size_t fseal(struct fake *f, uint8_t type, const uint8_t *body, size_t blen, uint8_t *buf);
int fsend(mesh_node *n, struct fake *f, uint8_t type, const uint8_t *body, size_t blen);
/* The same from handle `from`, a copy in cap (an eavesdropper's capture)
 * when not NULL; no meet(). */
int fsend_from(mesh_node *n, struct fake *f, uint64_t from, uint8_t type, const uint8_t *body,
	       size_t blen, uint8_t *cap, size_t *caplen);
int fsmall(mesh_node *n, struct fake *f, uint8_t type, uint8_t a, uint8_t b, uint16_t c);
size_t rtp(uint8_t *buf, uint64_t seq);
int fdata(mesh_node *n, struct fake *f, uint64_t seq, uint64_t src_ts);
int fbmap(mesh_node *n, struct fake *f, uint8_t depth, uint64_t start, unsigned nbits, bool all);
/* Replace the certificate attached to f's datagram and seal it again
 * under f's real key: only the certificate is wrong. */
void recert(struct fake *f, uint8_t *buf, size_t len, const uint8_t *cert);

/* Messages of a type / bytes of anything to a handle since index `from`. */
size_t count_to(size_t from, uint64_t to, uint8_t type);
size_t bytes_to(size_t from, uint64_t to);
const struct sent *last_to(uint64_t to, uint8_t type);
const uint8_t *body_of(const struct sent *s, size_t *len);
int dec_pull(const struct sent *s, struct mesh_pull *p);

/* ---- several real nodes on one fake network (1 ms, in order) ---- */

#define NET_N 3

struct net_node {
	mesh_node *n;
	rtx_ident *ident;
	uint32_t id;
	uint64_t delivered;
	unsigned wrong_tx;        /* sent to an unproven handle what may not go there */
	unsigned paths_to[NET_N];
};
extern struct net_node net[NET_N];

void net_reset(void);
/* Node i (handle i + 1 for everyone), its own identity. */
void net_node_new(unsigned i, uint32_t id, enum mesh_role role);
/* The tracker tells node i of the source (node 0): its certificate and its
 * registered address. */
void net_tracker(unsigned i);
/* 1 ms: datagrams due arrive, the source emits every 2.5 ms, nodes run. */
void net_step(uint64_t *next_pkt, uint16_t *seq);

#endif
