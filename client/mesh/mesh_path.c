/* mesh_path: addresses. A node answers a peer only at a handle validated
 * for it: one the management server registered (the peers of the tracker
 * and of static lists) or one the peer proved it receives at by echoing a
 * challenge (PATH). What comes from anywhere else draws at most a
 * challenge no larger than itself and is dropped, so a datagram replayed
 * or spoofed from another address moves nothing and wins its sender
 * nothing, while a node that really moved, or one known by gossip only,
 * proves its address within one and a half round trips:
 *
 *   A -> B  HELLO                       B: A's address unproven
 *   B -> A  PATH {token t1}
 *   A -> B  PATH {echo t1, token t2}    B: A proven; A: B unproven
 *   B -> A  PATH {echo t2}              A: B proven
 *
 * A validated node is told HELLO at once, and whatever a challenger
 * dropped (a partner request, a query) is sent again once it talks to us:
 * it validated us before it did. */
#include "config.h"

#include <errno.h>
#include <sodium.h>

#include "mesh_int.h"

/* Whether a PATH to node id is at most limit bytes and can be sealed
 * (it never carries our certificate: id sealed to our key, it has it):
 * asked before a challenge is made, so that one we may not send does not
 * hold back the next (one per 200 ms and address). */
static bool path_fits(struct mesh_node *n, uint32_t id, size_t limit)
{
	struct rtx_seal s;

	if (rtx_ident_seal_key(n->cfg.ident, id, n->key, false, &s) < 0)
		return false;
	sodium_memzero(&s, sizeof(s));
	return MESH_WIRE_OVERHEAD + MESH_WIRE_PATH <= limit;
}

static void path_send(struct mesh_node *n, uint32_t id, uint64_t handle, uint64_t token, uint64_t echo,
		      size_t limit)
{
	int len = mesh_enc_path(mesh_body(n), token, echo);

	if (len > 0 && mesh_tx_to(n, id, handle, MESH_MSG_PATH, (size_t)len, limit) == 0 && token)
		n->st.challenges++;
}

int mesh_path_unvalidated(struct mesh_node *n, const struct mesh_hdr *h, size_t len, uint64_t from)
{
	uint64_t token;

	n->st.unvalidated++;
	/* DATA is the one message a replay gets through the replay check with
	 * (it only has to be fresh): it draws no challenge, so that replaying
	 * a partner's stream from another address is answered with nothing. A
	 * node that did move proves it on its next control message (a map
	 * every 250 ms). rtx_ident_challenge() sends one per 200 ms at most. */
	if (h->type != MESH_MSG_DATA && path_fits(n, h->sender, len) &&
	    rtx_ident_challenge(n->cfg.ident, h->sender, from, &token) == 0)
		path_send(n, h->sender, from, token, 0, len);
	return -ENOTCONN;
}

int mesh_path_in(struct mesh_node *n, struct mesh_peer *p, const struct mesh_hdr *h, size_t len,
		 uint64_t from)
{
	uint64_t token, echo, again = 0;

	if (mesh_dec_path(h->body, h->body_len, &token, &echo) < 0) {
		n->st.malformed++;
		return -EBADMSG;
	}
	if (p && !rtx_bucket_take(&p->ctl, n->cfg.ctl_rate_pps, n->cfg.ctl_burst, n->now, 1)) {
		n->st.rate_limited++;
		return -EBUSY;
	}
	n->st.ctl_received++;
	n->st.ctl_bytes_received += len;
	/* An echo of our challenge proves `from`: the entry goes there (made
	 * if new: an authenticated member at a proven address). */
	if (echo && rtx_ident_path_echo(n->cfg.ident, h->sender, from, echo) == 0) {
		n->st.validated++;
		if ((p = mesh_peer_at(n, p, h, from))) {
			mesh_overlay_hello_to(n, p);
			if (p->challenged)
				mesh_path_redo(n, p);
		}
	}
	/* A challenge of ours: echoed, with one of our own while its address
	 * is unproven to us; never larger than what came. */
	if (token && path_fits(n, h->sender, len)) {
		if (!rtx_ident_addr_ok(n->cfg.ident, h->sender, from) &&
		    rtx_ident_challenge(n->cfg.ident, h->sender, from, &again) < 0)
			again = 0;
		path_send(n, h->sender, from, again, token, len);
		if (p)
			p->challenged = true;
	}
	return 0;
}

void mesh_path_redo(struct mesh_node *n, struct mesh_peer *p)
{
	p->challenged = false;
	if (!p->id || p->banned_until > n->now)
		return;
	if (p->pstate == MESH_P_ASKED)
		mesh_stream_ask(n, p);
	if (n->refining && p->queried)
		mesh_tx(n, p, MESH_MSG_NQUERY,
			(size_t)mesh_enc_small(mesh_body(n), (uint8_t)n->cfg.near_k, 0, 0));
}
