/* mgc_json: the management server's answers to a set-top box, parsed
 * into plain structs (docs/api.md, "Set-top boxes"). Pure functions over
 * a JSON text, so every shape and every malformed answer is unit-tested.
 *
 * The box trusts the management server but not the network between: an
 * answer that does not have the documented shape is refused with a reason
 * (err) and nothing of it is used. Fields the box does not need are
 * ignored, so a newer server can add some. */
#ifndef MGC_JSON_H
#define MGC_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sc_addr.h"

#define MGC_MAX_ADDRS 4
#define MGC_MAX_MEMBERS 64 /* RTX_MAX_MEMBERS */
#define MGC_MAX_SERVERS 8  /* RTX_MAX_RET_PEERS */
#define MGC_KEY_BYTES 32
#define MGC_ERR_LEN 160
#define MGC_MAX_PEERS 16   /* of each list of a tracker answer kept */
#define MGC_CERT_BYTES 128 /* RTX_CERT_BYTES */
#define MGC_CA_BYTES 32    /* RTX_CA_PUB_BYTES */
#define MGC_MAX_REVOKED 512

struct mgc_channel {
	uint32_t id;
	char name[96];
	uint16_t port;
	/* groups and SSM sources without port (len 0: none) */
	struct sc_sockaddr group6, group4, source6, source4;
	char sdp_url[256];
};

struct mgc_member {
	uint32_t client_id;
	uint32_t metro_id;
	size_t n_addrs;
	struct sc_sockaddr addrs[MGC_MAX_ADDRS];
	bool has_cert;                 /* its certificate (docs/security.md) */
	uint8_t cert[MGC_CERT_BYTES];
};

/* A RET or burst server: an edge, by its wire id (0x80000000 | edge id). */
struct mgc_server {
	uint32_t id;
	size_t n_addrs;
	struct sc_sockaddr addrs[MGC_MAX_ADDRS];
	bool has_cert;
	uint8_t cert[MGC_CERT_BYTES];
};

/* A revocation: every certificate of member id issued up to before_ms. */
struct mgc_revoked {
	uint32_t id;
	uint64_t before_ms;
};

struct mgc_group {
	uint32_t id, version;
	uint8_t key[MGC_KEY_BYTES];
	size_t n_members;
	struct mgc_member members[MGC_MAX_MEMBERS];
};

struct mgc_ret {
	uint32_t domain_id;
	uint8_t key[MGC_KEY_BYTES];
	size_t n_addrs, n_burst;
	struct sc_sockaddr addrs[MGC_MAX_SERVERS];
	struct sc_sockaddr burst[MGC_MAX_SERVERS];
	/* the same servers with their ids and certificates */
	size_t n_servers, n_burst_servers;
	struct mgc_server servers[MGC_MAX_SERVERS];
	struct mgc_server burst_servers[MGC_MAX_SERVERS];
};

struct mgc_register {
	uint32_t client_id;
	char token[160];
	char metro[64];
	unsigned heartbeat_ms;
	uint32_t lineup_version;
	bool has_cert, has_ca;         /* our certificate, the CA's key */
	uint8_t cert[MGC_CERT_BYTES];
	uint8_t ca[MGC_CA_BYTES];
};

struct mgc_tune {
	struct mgc_channel channel;
	bool has_group, has_ret;
	struct mgc_group group;
	struct mgc_ret ret;
	unsigned heartbeat_ms;
	uint32_t lineup_version;
};

struct mgc_heartbeat {
	unsigned heartbeat_ms;
	uint32_t lineup_version;
	uint32_t channel_id;    /* 0: the server has the box on no channel */
	bool group_changed;     /* "group" was in the answer */
	bool has_group;         /* ... and was not null */
	struct mgc_group group;
	bool has_cert;          /* a new certificate of ours */
	uint8_t cert[MGC_CERT_BYTES];
	size_t n_revoked;       /* the first MGC_MAX_REVOKED of "revoked" */
	struct mgc_revoked revoked[MGC_MAX_REVOKED];
};

/* The tracker's answer (GET /channels/{id}/peers): the mesh's hosting
 * node and other boxes watching the channel. */
struct mgc_peers {
	uint32_t channel_id;
	bool direct;            /* "edge" mode: ask the source first */
	uint32_t source_id;     /* 0: no source (no live edge) */
	size_t n_source;
	struct sc_sockaddr source[MGC_MAX_SERVERS];
	bool has_source_cert;
	uint8_t source_cert[MGC_CERT_BYTES];
	size_t n_near, n_random; /* the first MGC_MAX_PEERS of each list */
	struct mgc_member near[MGC_MAX_PEERS], random[MGC_MAX_PEERS];
};

/* Each returns 0, or -EBADMSG with err (MGC_ERR_LEN bytes) saying what is
 * wrong (mgc_parse_channels also -ENOMEM). After a failure nothing in out
 * is to be used: the tune, heartbeat and peers parsers clear it first and
 * fill it as they go. *chans is set on success only; the caller frees it
 * (free()). */
int mgc_parse_register(const char *body, struct mgc_register *out, char *err);
int mgc_parse_channels(const char *body, struct mgc_channel **chans, size_t *n, char *err);
int mgc_parse_tune(const char *body, struct mgc_tune *out, char *err);
int mgc_parse_heartbeat(const char *body, struct mgc_heartbeat *out, char *err);
int mgc_parse_peers(const char *body, struct mgc_peers *out, char *err);
/* {"error": "..."} of a refused request, else the start of body, into buf. */
void mgc_error_text(const char *body, char *buf, size_t len);

#endif
