/* edge_mgmt: the edge's side of the management server (docs/api.md,
 * "Edges"): register with the channels carried, take the edge id and the
 * RET keys and the edge's certificate from the answer (edge_ident.h),
 * report load every report_ms (presenting a new key when the certificate
 * is due for renewal; answers renew it and announce revocations), register again
 * after the server forgot us (401/404 on a report) and retry with backoff
 * (1 s doubling to 30 s) while it is down. Without a URL nothing runs and
 * the edge is standalone. Everything goes through sc_httpc on the loop: the
 * packet path never waits for the server. */
#ifndef EDGE_MGMT_H
#define EDGE_MGMT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "edge_ident.h"
#include "sc_log.h"
#include "sc_loop.h"

/* What the edge gives and takes. */
struct edge_mgmt_ops {
	void *arg;
	/* The register body's "channels" array (new reference). */
	json_t *(*channels)(void *arg);
	/* A load report body (new reference). */
	json_t *(*load)(void *arg);
	/* A channel's RET key from the server. */
	void (*ret_key)(void *arg, uint32_t chan_id, const uint8_t key[32]);
	/* Registered as edge_id. */
	void (*registered)(void *arg, uint32_t edge_id);
};

struct edge_mgmt_cfg {
	const char *url;         /* base, e.g. "http://[2001:db8::10]:8080" */
	const char *credential;
	const char *name;
	json_t *addrs, *ret_addrs; /* arrays of strings (borrowed; copied) */
	uint64_t report_ns;      /* until the server says otherwise */
	edge_ident *ident;       /* NULL: no RET (borrowed: outlives this) */
};

typedef struct edge_mgmt edge_mgmt;

/* Start registering at once. Returns 0 and *out, or -ENOMEM. */
int edge_mgmt_new(sc_loop *loop, const struct edge_mgmt_cfg *cfg, const struct edge_mgmt_ops *ops,
		  const struct sc_logger *lg, edge_mgmt **out);
void edge_mgmt_free(edge_mgmt *m);

/* The channels changed (a reload): register again to get their keys. */
void edge_mgmt_reregister(edge_mgmt *m);

/* The edge id (0 until registered) and whether the last exchange worked. */
uint32_t edge_mgmt_id(const edge_mgmt *m);
bool edge_mgmt_up(const edge_mgmt *m);

#endif
