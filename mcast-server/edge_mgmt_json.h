/* edge_mgmt_json: the management server's answers to an edge (docs/api.md,
 * "Edges"), parsed into plain structs. Pure functions over the answer's
 * text, apart from edge_mgmt's timers and requests, so that unit tests and
 * the fuzz target (tests/fuzz/fuzz_edge_mgmt.c) reach every shape an
 * answer can take. */
#ifndef EDGE_MGMT_JSON_H
#define EDGE_MGMT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EDGE_MGMT_TOKEN_MAX 160 /* with the NUL */
#define EDGE_MGMT_KEY_BYTES 32

/* A channel of the answer: its id and RET key, or id 0 when it has no
 * usable id (1..2^32-1) or ret_key (64 hex characters). */
struct edge_mgmt_chan_key {
	uint32_t id;
	uint8_t key[EDGE_MGMT_KEY_BYTES];
};

/* POST /edges/register's answer. */
struct edge_mgmt_reg_answer {
	uint32_t edge_id;                 /* 1..2^31-1 */
	char token[EDGE_MGMT_TOKEN_MAX];
	uint64_t report_ms;               /* 0: absent or out of 100..3600000 */
	int64_t lineup_version;           /* 0: absent (an older server) */
	size_t n_chans;
	struct edge_mgmt_chan_key *chans; /* the answer's "channels", in order */
};

/* Parse body[0..len). Returns 0, -EBADMSG (not JSON, no edge_id in range,
 * no token or one too long) or -ENOMEM. On success the caller clears out
 * with edge_mgmt_reg_answer_clear(); on failure out holds nothing. */
int edge_mgmt_parse_register(const char *body, size_t len, struct edge_mgmt_reg_answer *out);
void edge_mgmt_reg_answer_clear(struct edge_mgmt_reg_answer *a);

/* A load report's answer: what the edge takes from it. Anything else, an
 * answer that is no JSON included, counts as absent. */
struct edge_mgmt_load_answer {
	uint64_t report_ms;      /* 0: absent or out of 100..3600000 */
	int64_t lineup_version;  /* 0: absent */
};
void edge_mgmt_parse_load(const char *body, size_t len, struct edge_mgmt_load_answer *out);

/* The identity parts of a registration or load answer (docs/security.md):
 * the CA key, a (new) certificate of ours, the revocations in force. */
#define EDGE_MGMT_MAX_REVOKED 512
struct edge_mgmt_revoked {
	uint32_t id;
	uint64_t before_ms;
};
struct edge_mgmt_identity {
	bool has_ca, has_cert;
	uint8_t ca[32];          /* RTX_CA_PUB_BYTES */
	uint8_t cert[128];       /* RTX_CERT_BYTES */
	size_t n_revoked;        /* the first EDGE_MGMT_MAX_REVOKED */
	struct edge_mgmt_revoked revoked[EDGE_MGMT_MAX_REVOKED];
};
/* Parse them from body[0..len). A part that is absent or malformed is left
 * out (has_* false, an entry skipped): the edge keeps what it has. */
void edge_mgmt_parse_identity(const char *body, size_t len, struct edge_mgmt_identity *out);

#endif
