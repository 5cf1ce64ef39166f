/* mg_view: the JSON shapes of the model's objects, shared by the API
 * handlers (docs/api.md shows each one). Every function returns a new
 * reference, or NULL when out of memory. */
#ifndef MG_VIEW_H
#define MG_VIEW_H

#include <jansson.h>
#include <stdbool.h>

#include "mg_jw.h"
#include "mg_state.h"

/* A channel as boxes and edges see it; admin adds the NOC's fields. */
json_t *mg_view_channel(const struct mg_state *st, const struct mg_channel *ch, bool admin);
/* A group with its members; the key, and each member's certificate, only
 * when with_key (the boxes' shape). */
json_t *mg_view_group(const struct mg_state *st, const struct grp_group *g, bool with_key,
		      bool admin);
/* A certificate as a JSON string of hex; NULL for none. */
json_t *mg_view_cert(const struct mg_cert *c);
/* "cert" (when c), "ca" and "cert_lifetime_ms" into a registration's
 * answer. */
void mg_view_cert_fields(json_t *obj, const struct mg_state *st, const struct mg_cert *c);
/* An edge as the server of a channel: {edge_id, id, addrs, cert} with its
 * RET (or burst) addresses. */
json_t *mg_view_server(const struct mg_edge *e, bool burst);
/* The RET service of a channel: {addrs, domain_id, key, servers} and the
 * burst service {addrs, servers}, from the live edges carrying it. */
json_t *mg_view_ret(const struct mg_state *st, const struct mg_channel *ch);
json_t *mg_view_burst(const struct mg_state *st, const struct mg_channel *ch);
json_t *mg_view_client(const struct mg_state *st, const struct mg_client *c, bool detail);
json_t *mg_view_metro(const struct mg_state *st, const struct mg_metro *m);
json_t *mg_view_edge(const struct mg_state *st, const struct mg_edge *e);
json_t *mg_view_counters(const struct mg_counters *c);
/* {loss_rate, repair_rate, residual_rate} added to obj. */
void mg_view_rates(json_t *obj, const struct mg_counters *c);

/* The same shapes written straight into a buffer (the boxes' hot path):
 * channel as boxes see it, group without the admin fields, RET, burst. */
void mg_jw_channel(struct mg_jw *w, const struct mg_state *st, const struct mg_channel *ch);
void mg_jw_group(struct mg_jw *w, const struct mg_state *st, const struct grp_group *g,
		 bool with_key);
void mg_jw_ret(struct mg_jw *w, const struct mg_state *st, const struct mg_channel *ch);
void mg_jw_burst(struct mg_jw *w, const struct mg_state *st, const struct mg_channel *ch);
/* "cert": hex, when c is not NULL. */
void mg_jw_cert(struct mg_jw *w, const struct mg_cert *c);
/* "revoked": the revocations in force (a failure when out of memory: an
 * answer must not pretend there are none). */
void mg_jw_revoked(struct mg_jw *w, struct mg_state *st);
/* Bring ch's cached tune parts up to date: tune_head is the channel
 * object, tune_tail the "ret", "burst" and "sdp" members. Returns 0, or -1
 * when out of memory. */
int mg_tune_parts(const struct mg_state *st, struct mg_channel *ch);

#endif
