/* mg_api: the HTTP/JSON API under /api/v1 (docs/api.md), /metrics and the
 * NOC console's static files.
 *
 * mg_api.c routes a request (path, method, role), checks its token and
 * parses its body; the handlers live in mg_api_box.c (set-top boxes),
 * mg_api_edge.c (edge servers), mg_api_lineup.c (channels and metros),
 * mg_api_noc.c (the rest of the NOC) and build their JSON with mg_view.c.
 * A change that must be durable before its answer goes through
 * mg_api_commit(): the answer is sent when the store has committed it. */
#ifndef MG_API_H
#define MG_API_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "mg_bodies.h"
#include "mg_cfg.h"
#include "mg_http.h"
#include "mg_json.h"
#include "mg_jw.h"
#include "mg_metrics.h"
#include "mg_state.h"

enum mg_role {
	MG_ROLE_NONE = 0,
	MG_ROLE_CLIENT = 1,
	MG_ROLE_EDGE = 2,
	MG_ROLE_ADMIN = 4,
	MG_ROLE_ANY = 7,
};

struct mg_who {
	enum mg_role role;
	struct mg_client *client;
	struct mg_edge *edge;
	char actor[80]; /* for the event log: "admin:noc", "client:17", "edge:2" */
};

struct mg_api;

/* One routed request. */
struct mg_call {
	struct mg_api *api;
	struct mg_state *st;
	struct mg_req *r;
	uint32_t id[3];  /* the {id}s of the path, in order */
	struct mg_who who;
	json_t *body;    /* the parsed body for POST/PATCH/PUT, else NULL */
};

typedef void (*mg_route_fn)(struct mg_call *c);

struct mg_api *mg_api_new(struct mg_state *st, struct mg_metrics *metrics, sc_loop *loop);
void mg_api_free(struct mg_api *api);
/* A reloaded config (admin tokens, long-poll cap). */
void mg_api_reconfigure(struct mg_api *api, const struct mg_config *cfg);
/* Where the NOC console's files are (NULL: not served). Copied. */
void mg_api_set_console(struct mg_api *api, const char *dir);
/* What POST /api/v1/reload calls; returns 0 or -errno with why set. */
void mg_api_set_reload(struct mg_api *api, int (*fn)(void *ctx, char *why, size_t len), void *ctx);
void mg_api_set_http(struct mg_api *api, mg_http *http);
/* The mg_http handler and done callbacks. */
void mg_api_handle(void *api, struct mg_req *r);
void mg_api_done(void *api, const struct mg_req *r, uint64_t ns);
/* Answer every long poll now (before a shutdown). */
void mg_api_release_waiters(struct mg_api *api);
unsigned mg_api_waiters(const struct mg_api *api);

/* Answers. mg_reply_json takes the reference. */
void mg_reply_json(struct mg_req *r, unsigned status, json_t *j);
void mg_reply_error(struct mg_req *r, unsigned status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void mg_reply_text(struct mg_req *r, unsigned status, const char *type, char *text, size_t len);
/* 200 with the writer's JSON (emptied), or 500 when it ran out of memory. */
void mg_reply_jw(struct mg_req *r, struct mg_jw *w);
/* Submit b and answer status + answer (reference taken) once committed;
 * 500 if the store fails. */
void mg_api_commit(struct mg_call *c, struct mg_batch *b, unsigned status, json_t *answer);
/* A request argument as an id (1..UINT32_MAX): 0 when absent, -1 when
 * malformed. */
int64_t mg_arg_id(const struct mg_req *r, const char *name);
/* Parse and check the body against fields; on error answers 400 and
 * returns false. */
bool mg_body_ok(struct mg_call *c, const struct mg_field *fields);
/* The checked body's optional "pubkey" into pub: 1 given, 0 absent, or -1
 * with the request answered 400 (the message names the field). */
int mg_body_pubkey(struct mg_call *c, uint8_t pub[RTX_PUB_BYTES]);

/* Handlers. */
void mg_h_register(struct mg_call *c);
void mg_h_channels(struct mg_call *c);
void mg_h_channel(struct mg_call *c);
void mg_h_tune(struct mg_call *c);
void mg_h_heartbeat(struct mg_call *c);
void mg_h_leave(struct mg_call *c);
void mg_h_peers(struct mg_call *c);
void mg_h_edge_register(struct mg_call *c);
void mg_h_edge_channels(struct mg_call *c);
void mg_h_edge_load(struct mg_call *c);
void mg_h_trust(struct mg_call *c);
void mg_h_channel_create(struct mg_call *c);
void mg_h_channel_update(struct mg_call *c);
void mg_h_channel_delete(struct mg_call *c);
void mg_h_channel_rebuild(struct mg_call *c);
void mg_h_channel_groups(struct mg_call *c);
void mg_h_metros(struct mg_call *c);
void mg_h_metro(struct mg_call *c);
void mg_h_metro_create(struct mg_call *c);
void mg_h_metro_update(struct mg_call *c);
void mg_h_metro_delete(struct mg_call *c);
void mg_h_status(struct mg_call *c);
void mg_h_whoami(struct mg_call *c);
void mg_h_reload(struct mg_call *c);
void mg_h_clients(struct mg_call *c);
void mg_h_client(struct mg_call *c);
void mg_h_client_patch(struct mg_call *c);
void mg_h_client_delete(struct mg_call *c);
void mg_h_client_move(struct mg_call *c);
void mg_h_client_kick(struct mg_call *c);
void mg_h_groups(struct mg_call *c);
void mg_h_group(struct mg_call *c);
void mg_h_edges(struct mg_call *c);
void mg_h_edge(struct mg_call *c);
void mg_h_edge_delete(struct mg_call *c);
void mg_h_events(struct mg_call *c);
void mg_h_summary(struct mg_call *c);
void mg_h_summary_channels(struct mg_call *c);
void mg_h_summary_metros(struct mg_call *c);
void mg_h_summary_groups(struct mg_call *c);
void mg_h_series(struct mg_call *c);

/* Internal to mg_api*.c. */
const struct mg_config *mg_api_config(const struct mg_api *api);
struct mg_state *mg_api_state(const struct mg_api *api);
sc_loop *mg_api_loop(const struct mg_api *api);
struct mg_metrics *mg_api_metrics(const struct mg_api *api);
mg_http *mg_api_http(const struct mg_api *api);
int mg_api_reload(struct mg_api *api, char *why, size_t len);
int64_t mg_api_started_ms(const struct mg_api *api);
/* Long polls (mg_api_box.c). */
void mg_api_box_init(struct mg_api *api);
void mg_api_box_fini(struct mg_api *api);
void mg_api_notify(void *api, struct mg_client *c);

#endif
