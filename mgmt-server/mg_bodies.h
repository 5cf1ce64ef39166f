/* mg_bodies: what the API's request bodies may hold and how their nested
 * parts become the model's structs (docs/api.md).
 *
 * Each handler checks its body against one of the field lists below
 * (mg_body_ok, mg_json_check) and converts the nested parts here: a
 * heartbeat's stats, an edge's channels, a channel's or a metro's
 * definition. Pure: no HTTP, no state; so that unit tests and the fuzz
 * target (tests/fuzz/fuzz_mg_json.c) reach exactly what the server
 * accepts. A refusal's reason in why is what the handler answers (400). */
#ifndef MG_BODIES_H
#define MG_BODIES_H

#include <jansson.h>
#include <stddef.h>

#include "mg_json.h"
#include "mg_lineup.h"
#include "mg_state.h"

extern const struct mg_field mg_body_empty[];         /* leave, reload, rebuild */
extern const struct mg_field mg_body_register[];      /* POST /clients/register */
extern const struct mg_field mg_body_tune[];          /* POST /clients/{id}/tune */
extern const struct mg_field mg_body_heartbeat[];     /* POST /clients/{id}/heartbeat */
extern const struct mg_field mg_body_edge_register[]; /* POST /edges/register */
extern const struct mg_field mg_body_edge_load[];     /* POST /edges/{id}/load */
extern const struct mg_field mg_body_channel[];       /* POST /channels, PATCH /channels/{id} */
extern const struct mg_field mg_body_metro[];         /* POST /metros, PATCH /metros/{id} */
extern const struct mg_field mg_body_client_patch[];  /* PATCH /clients/{id} */
extern const struct mg_field mg_body_client_move[];   /* POST /clients/{id}/move */
extern const struct mg_field mg_body_client_kick[];   /* POST /clients/{id}/kick */

/* A heartbeat's "stats" object into hb (has_stats, counters, rtt).
 * Returns 0, or -EINVAL with why ("stats: ...", "stats.rtt[i]: ..."). */
int mg_body_stats(const json_t *stats, struct mg_heartbeat *hb, char *why, size_t len);

/* An edge registration's "channels" (a checked array, or NULL) into
 * reg->chan (calloc'd, freed by the caller even on failure) and
 * reg->nchan. Returns 0, -EINVAL with why ("channels[i]: ..."), or
 * -ENOMEM. */
int mg_body_edge_channels(const json_t *arr, struct mg_edge_reg *reg, char *why, size_t len);

/* The channels of a checked load report. Returns 0 or -EINVAL with why. */
int mg_body_edge_load_channels(const json_t *body, char *why, size_t len);

/* A checked channel body applied to d (absent fields keep d's values,
 * null clears an address), then d checked as a whole (mg_chan_check).
 * Returns 0 or -EINVAL with why; d is changed either way. */
int mg_body_chan_def(const json_t *body, struct mg_chan_def *d, char *why, size_t len);

/* A checked metro body applied to d, then d checked (mg_metro_check).
 * Returns 0 or -EINVAL with why; d is changed either way. */
int mg_body_metro_def(const json_t *body, struct mg_metro_def *d, char *why, size_t len);

#endif
