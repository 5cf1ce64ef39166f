/* libsixcast-retransmit: who a node is, who its peers are, and the
 * authenticated envelope of every UDP datagram sixcast sends (the repair
 * protocol "SX" and the mesh "SM" share it). docs/security.md has the
 * threat model; docs/protocol/repair.md the wire format.
 *
 * Identity. The management server is a certificate authority (CA): it
 * signs, with Ed25519, a short certificate binding a member id (a box's
 * client id, or RTX_EDGE_ID_FLAG | edge id) to an X25519 public key the
 * member made itself, valid for a while. A node holds its own key pair and
 * certificate in an rtx_ident, which also caches its peers' certificates
 * (from the management server, or attached to their first datagrams) and
 * the revocations the management server announced.
 *
 * Envelope. A datagram from A to B names both; its MAC key is derived from
 * the X25519 secret A and B share, the two ids and the domain's secret (the
 * group key, the channel's RET key, the channel's mesh key), so it is valid
 * at exactly one receiver, proves its sender and is bound to the channel.
 * A sender attaches its certificate while the receiver may not know its
 * current key.
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     magic (protocol's)        |  version = 2  |     type      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |C|  flags      |   key hint    |          body length          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         domain id (group, RET domain = channel, channel)      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                           sender id                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                          receiver id                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  timestamp (64 bits, sender's)                |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  session (random per sender run)              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  sender's certificate (RTX_CERT_BYTES), only if C is set ...  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  body (body length bytes) ...                 |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  MAC (16 bytes)                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * C (0x80): a certificate follows the header. Key hint: the low 8 bits of
 * the serial of the receiver's certificate the sender used, so that a
 * receiver that just renewed its key picks the right one at once. The
 * other flag bits belong to the protocol.
 *
 * Addresses. An answer goes only to an address the management server
 * registered for its peer or that the peer proved it receives at (a
 * challenge echoed back: rtx_ident_challenge()/rtx_ident_path_echo()); to
 * anything else a node sends at most a challenge no larger than what it
 * received.
 *
 * Ownership: an rtx_ident belongs to its creator, who frees it after every
 * session and mesh node using it. It is not thread-safe. Functions return
 * 0 or a negative errno; nothing prints, nothing exits. */
#ifndef SIXCAST_RTX_IDENT_H
#define SIXCAST_RTX_IDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- certificates ---- */

#define RTX_CERT_BYTES 128
#define RTX_PUB_BYTES 32        /* X25519 public key */
#define RTX_CA_PUB_BYTES 32     /* Ed25519 public key */
#define RTX_CA_SECRET_BYTES 64  /* Ed25519 secret key (libsodium's form) */
#define RTX_CERT_MAGIC 0x5343u  /* "SC" */
#define RTX_CERT_VERSION 1

enum rtx_cert_kind {
	RTX_CERT_BOX = 1,
	RTX_CERT_EDGE = 2,
};

/* A member certificate (docs/security.md, "Certificates"):
 *
 *  0: magic "SC" (2) | version 1 (1) | kind (1)
 *  4: member id (4)         8: serial (4)        12: issuer key id (4)
 * 16: not before (8, ms since 1970, UTC)
 * 24: not after  (8, ms)
 * 32: X25519 public key (32)
 * 64: Ed25519 signature of bytes 0..63 by the CA (64)
 */
struct rtx_cert {
	uint8_t kind;            /* enum rtx_cert_kind */
	uint32_t id;             /* box: client id; edge: RTX_EDGE_ID_FLAG | edge id */
	uint32_t serial;         /* chosen by the CA; its low byte is the key hint */
	uint32_t issuer;         /* rtx_ca_key_id() of the signing key */
	uint64_t not_before_ms;
	uint64_t not_after_ms;
	uint8_t pub[RTX_PUB_BYTES];
	uint8_t sig[64];
};

/* Decode RTX_CERT_BYTES bytes: shape only (magic, version, kind, id not 0,
 * kind matching the id's edge flag, not_before < not_after); the signature
 * is not checked. Returns 0 or -EBADMSG. */
int rtx_cert_decode(const uint8_t *buf, size_t len, struct rtx_cert *c);
/* Encode c (signature included) into RTX_CERT_BYTES bytes. */
void rtx_cert_encode(const struct rtx_cert *c, uint8_t out[RTX_CERT_BYTES]);
/* Check c's signature under the CA key. Returns 0 or -EKEYREJECTED. */
int rtx_cert_verify(const struct rtx_cert *c, const uint8_t ca_pub[RTX_CA_PUB_BYTES]);

/* The CA (the management server). A new key pair; returns 0 or -ENOSYS. */
int rtx_ca_keygen(uint8_t pub[RTX_CA_PUB_BYTES], uint8_t secret[RTX_CA_SECRET_BYTES]);
/* The public key of a CA secret key. */
void rtx_ca_pub(const uint8_t secret[RTX_CA_SECRET_BYTES], uint8_t pub[RTX_CA_PUB_BYTES]);
/* The 32-bit id of a CA key, written in the certificates it signs. */
uint32_t rtx_ca_key_id(const uint8_t ca_pub[RTX_CA_PUB_BYTES]);
/* Sign c (its issuer is set here). Returns 0 or -EINVAL. */
int rtx_cert_sign(struct rtx_cert *c, const uint8_t ca_secret[RTX_CA_SECRET_BYTES]);

/* Lowercase hex of binary data: out holds 2 * len + 1 chars. Parse hex of
 * exactly 2 * len chars: returns 0 or -EINVAL. For the JSON of the API. */
void rtx_hex(const uint8_t *in, size_t len, char *out);
int rtx_unhex(const char *in, uint8_t *out, size_t len);

/* ---- the envelope ---- */

#define RTX_ENV_VERSION 2
#define RTX_ENV_HDR 32
#define RTX_ENV_MAC 16
#define RTX_ENV_FLAG_CERT 0x80u
#define RTX_ENV_OFF_TS 20
#define RTX_ENV_OFF_SESSION 28

struct rtx_env {
	uint8_t type;
	uint8_t flags;           /* protocol flags | RTX_ENV_FLAG_CERT */
	uint8_t hint;
	uint16_t body_len;
	uint32_t domain;
	uint32_t sender, receiver;
	uint64_t ts;
	uint32_t session;
	const uint8_t *cert;     /* parse: the attached certificate, or NULL */
	const uint8_t *body;     /* parse: the body */
};

/* Parse the envelope of a whole datagram with this magic: version 2,
 * exact length (header, certificate if flagged, body, MAC), sender and
 * receiver not 0. Type and protocol flags are left to the protocol.
 * Returns 0 or -EBADMSG. */
int rtx_env_parse(const uint8_t *buf, size_t len, uint16_t magic, struct rtx_env *e);
/* Write the header of e (and, with RTX_ENV_FLAG_CERT, copy e->cert after
 * it). Returns the offset of the body. */
size_t rtx_env_put(uint8_t *buf, uint16_t magic, const struct rtx_env *e);
/* The datagram's length once sealed: header, certificate, body, MAC. */
static inline size_t rtx_env_len(const struct rtx_env *e)
{
	return RTX_ENV_HDR + ((e->flags & RTX_ENV_FLAG_CERT) ? RTX_CERT_BYTES : 0) + e->body_len +
	       RTX_ENV_MAC;
}

/* ---- identity ---- */

typedef struct rtx_ident rtx_ident;

struct rtx_ident_callbacks {
	void *ctx;
	/* Required: monotonic time in ns (the daemon's sc_clock). */
	uint64_t (*now_ns)(void *ctx);
	/* Required: wall clock in ms since 1970 (certificate validity). */
	uint64_t (*wall_ms)(void *ctx);
};

struct rtx_ident_config {
	/* As in the certificates; 0: taken from the first certificate
	 * installed (a box learns its id when it registers). */
	uint32_t self_id;
	/* The management server's CA key; all zero: none yet (set it with
	 * rtx_ident_set_ca() before installing a certificate). */
	uint8_t ca_pub[RTX_CA_PUB_BYTES];
	uint32_t max_peers;                 /* peers remembered (box 256, edge 16384) */
	/* Certificates not seen before are checked at most verify_rate per
	 * second, verify_burst at once: an Ed25519 check and an X25519
	 * exchange cost about 0.1 ms, and a flood of made-up certificates
	 * must not take a core. */
	uint32_t verify_rate, verify_burst;
	/* After a renewal our previous key is still accepted this long, and
	 * a peer's previous certificate too. */
	uint64_t key_grace_ns;
	/* A certificate whose not-before is up to this far in our future is
	 * accepted (wall clocks differ). */
	uint64_t clock_skew_ms;
	/* A peer is believed to know our current key while it used it within
	 * this; past it, our certificate is attached again. */
	uint64_t confirm_ns;
};

void rtx_ident_config_defaults(struct rtx_ident_config *cfg, uint32_t self_id,
			       const uint8_t ca_pub[RTX_CA_PUB_BYTES]);

/* Create an identity without a key yet. cfg and cb are copied. Returns 0
 * and sets *out, -EINVAL, -ENOMEM or -ENOSYS (libsodium). */
int rtx_ident_new(const struct rtx_ident_config *cfg, const struct rtx_ident_callbacks *cb,
		  rtx_ident **out);
/* Wipes every secret and frees. NULL is ignored. */
void rtx_ident_free(rtx_ident *id);

/* Start over, as if new: our keys, certificate and CA (ca_pub NULL or
 * all zero: none), our id (0: from the next certificate), every peer and
 * revocation are forgotten; counters stay. For a management server that
 * came back with a new CA (its store was lost): the sessions and mesh
 * nodes using the identity go on with it once it is certified again. */
void rtx_ident_reset(rtx_ident *id, uint32_t self_id, const uint8_t *ca_pub);

/* The CA key, when the identity was created without one (from the
 * registration answer, or pinned in the configuration). Returns 0 (also
 * for the key already set), -EKEYREJECTED for another key than the one
 * set. */
int rtx_ident_set_ca(rtx_ident *id, const uint8_t ca_pub[RTX_CA_PUB_BYTES]);

/* Make a new key pair and return its public key, for the management
 * server to certify (registration, heartbeat, load report). The pair
 * waits until rtx_ident_set_cert() gives its certificate; a second call
 * replaces a waiting pair. */
void rtx_ident_keygen(rtx_ident *id, uint8_t pub[RTX_PUB_BYTES]);
/* The public key waiting for a certificate, else the current one; false
 * when there is none. */
bool rtx_ident_pending_pub(const rtx_ident *id, uint8_t pub[RTX_PUB_BYTES]);
/* Install our certificate (RTX_CERT_BYTES): it must be signed by the CA,
 * name self_id (or set it when 0), be valid now and certify the waiting
 * or the current key.
 * A new key becomes current; the old one stays acceptable for
 * key_grace_ns. Returns 0 (also for the certificate already installed),
 * -EBADMSG, -EKEYREJECTED (signature, id, key), -EKEYEXPIRED. */
int rtx_ident_set_cert(rtx_ident *id, const uint8_t *cert, size_t len);
/* Whether we hold a current, unexpired certificate. */
bool rtx_ident_ready(const rtx_ident *id);
/* Our current certificate, NULL without one. */
const struct rtx_cert *rtx_ident_cert(const rtx_ident *id);
/* Whether our certificate has spent more than half of its life (or
 * there is none): time to ask for a new one with a new key. */
bool rtx_ident_wants_renewal(const rtx_ident *id);
/* Our id (0 before the first certificate when created without one). */
uint32_t rtx_ident_self(const rtx_ident *id);

/* Learn a peer's certificate from a trusted list (the management
 * server's answers). Checked (signature, validity, revocation) and
 * remembered. Returns 0, -EBADMSG, -EKEYREJECTED, -EKEYEXPIRED,
 * -EKEYREVOKED. */
int rtx_ident_learn(rtx_ident *id, const uint8_t *cert, size_t len);
/* The certificate we hold for peer (RTX_CERT_BYTES into out). Returns 0
 * or -ENOKEY. For lists of peers given to others (mesh neighbours). */
int rtx_ident_peer_cert(rtx_ident *id, uint32_t peer, uint8_t out[RTX_CERT_BYTES]);

/* The management server revoked every certificate of member `peer`
 * issued up to before_ms (a kick or a ban): they are refused from now on,
 * and forgotten. Returns 0, or -ENOSPC when the list is full (4096). */
int rtx_ident_revoke(rtx_ident *id, uint32_t peer, uint64_t before_ms);

/* How to seal one datagram to a peer. */
struct rtx_seal {
	uint8_t key[32];         /* the MAC key (rtx_ident_seal_finish() uses it) */
	uint8_t hint;            /* for the header */
	bool attach;             /* our current certificate goes after the header */
	bool confirmed;          /* the peer used the key sealed to lately */
};

/* Keys for a datagram from us to `to` in the domain whose secret is
 * domain_key (32 bytes). A peer that has not used our current key lately
 * may not know it: with may_attach (small datagrams: requests, control)
 * the datagram carries our certificate; without (repairs, media: a
 * certificate would take them past the MTU) it is sealed to our previous
 * key when the peer used that one within the grace period. Returns 0,
 * -ENOKEY (no certificate of `to`, or none of ours), -EKEYREVOKED. */
int rtx_ident_seal_key(rtx_ident *id, uint32_t to, const uint8_t *domain_key, bool may_attach,
		       struct rtx_seal *out);
/* Fill e's sender, receiver, hint and certificate flag from s, write the
 * header (and our certificate) into buf; returns the body's offset. */
size_t rtx_ident_seal_begin(rtx_ident *id, const struct rtx_seal *s, uint16_t magic,
			    struct rtx_env *e, uint8_t *buf);
/* Append the MAC to the datagram of len bytes (everything before the
 * MAC) in buf. Returns the sealed length. */
size_t rtx_ident_seal_finish(const struct rtx_seal *s, uint8_t *buf, size_t len);

/* What authenticated a datagram; commit it once the protocol's own checks
 * (replay) passed. */
struct rtx_opened {
	int key_index;           /* which of the domain keys given */
	bool new_cert;           /* the attached certificate is new to us */
	bool own_current;        /* it was sealed to our current key */
	struct rtx_cert cert;    /* the sender's certificate used */
	uint8_t shared[32];      /* X25519 secret with it (new_cert only) */
	uint32_t own_serial;
};

/* Authenticate a parsed datagram for us: receiver is us, the sender is
 * not revoked, its certificate (ours in cache, or attached: checked within
 * the verification budget) and one of our keys give a MAC key, under one
 * of the n domain keys, that verifies. Nothing is remembered yet. Returns
 * 0; -EACCES (wrong receiver, bad MAC, unknown key), -ENOKEY (sender
 * unknown and no certificate attached), -EKEYREVOKED, -EKEYEXPIRED,
 * -EKEYREJECTED (a forged certificate), -EBUSY (verification budget
 * spent). */
int rtx_ident_open(rtx_ident *id, const uint8_t *buf, size_t len, const struct rtx_env *e,
		   const uint8_t *const *domain_keys, int n, struct rtx_opened *out);
/* Remember what an opened datagram taught us: the sender's certificate
 * and that it knows our key. */
void rtx_ident_commit(rtx_ident *id, const struct rtx_opened *o);

/* ---- addresses ---- */

/* Whether handle h is a validated address of peer (registered by the
 * management server, or proven by an echoed challenge). Handles are the
 * caller's, as in rtx_session: one handle names one address for as long
 * as it lives (a reused slot gets a new handle). */
bool rtx_ident_addr_ok(rtx_ident *id, uint32_t peer, uint64_t h);
/* h is peer's address as the management server registered it. The peer's
 * certificate must be known. Returns 0 or -ENOKEY. */
int rtx_ident_addr_set(rtx_ident *id, uint32_t peer, uint64_t h);
/* A challenge to send to peer at h: 0 and *token, or -EAGAIN when one was
 * sent there within the last 200 ms (send nothing), -ENOKEY. */
int rtx_ident_challenge(rtx_ident *id, uint32_t peer, uint64_t h, uint64_t *token);
/* An authenticated echo of a challenge from peer at h. Returns 0 (h is now
 * validated), -ENOENT (no such challenge: nothing changes). */
int rtx_ident_path_echo(rtx_ident *id, uint32_t peer, uint64_t h, uint64_t echo);

/* Counters since creation. */
struct rtx_ident_stats {
	uint64_t certs_verified;   /* signatures checked */
	uint64_t certs_rejected;   /* bad signature, wrong CA, expired */
	uint64_t revoked;          /* datagrams or certificates of revoked members */
	uint64_t budget_refused;   /* certificates not checked: budget spent */
	uint64_t unknown_sender;   /* no certificate known or attached */
	uint64_t wrong_receiver;
	uint64_t bad_mac;
	uint64_t challenges_sent;
	uint64_t addrs_validated;
	uint64_t renewals;         /* our certificate replaced */
	unsigned peers;            /* remembered now */
};
void rtx_ident_stats(const rtx_ident *id, struct rtx_ident_stats *out);

#ifdef __cplusplus
}
#endif
#endif
