/* mg_lineup: what a channel and a metro are, wherever they come from (the
 * config file's initial line-up, the NOC's API calls, the store), their
 * defaults and checks, and the metro table that finds a box's metro from
 * its address by longest-prefix match. */
#ifndef MG_LINEUP_H
#define MG_LINEUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sc_addr.h"

#define MG_NAME_MAX 64
#define MG_URL_MAX 256
#define MG_PREFIX_MAX 64 /* prefixes per metro */
#define MG_CHANNEL_PORT 5000

struct mg_metro_def {
	uint32_t id;
	char name[MG_NAME_MAX];
	struct sc_prefix prefix[MG_PREFIX_MAX];
	size_t nprefix;
};

struct mg_chan_def {
	uint32_t id;
	char name[MG_NAME_MAX];
	struct sc_sockaddr group6, group4;   /* len 0: none */
	struct sc_sockaddr source6, source4; /* len 0: from the edges carrying it */
	uint16_t port;
	char sdp_url[MG_URL_MAX];            /* "": none */
	unsigned direct_max;                 /* 0: the tracker's default */
	bool enabled;
};

/* A name: 1..63 bytes, no control characters. Returns 0 or -EINVAL. */
int mg_name_check(const char *name);

/* A channel with id and name set and everything else at its default:
 * group6 ff3e::8000:<id> (the low 32 bits are 0x80000000 + id), group4
 * 232.1.<id/256>.<id%256> (only for ids up to 65535), port 5000, enabled. */
void mg_chan_default(struct mg_chan_def *c, uint32_t id, const char *name);
/* Check a channel: groups of the right family and multicast, sources
 * unicast, at least one group, a name. Returns 0, or -EINVAL with the
 * reason in why. */
int mg_chan_check(const struct mg_chan_def *c, char *why, size_t len);
/* Check a metro's name and prefixes (no duplicates). */
int mg_metro_check(const struct mg_metro_def *m, char *why, size_t len);

/* Field-by-field equality, for syncing the store to a config file. */
bool mg_chan_def_equal(const struct mg_chan_def *a, const struct mg_chan_def *b);
bool mg_metro_def_equal(const struct mg_metro_def *a, const struct mg_metro_def *b);

/* The prefix -> metro table. */
struct mg_metro_table {
	struct sc_prefix *prefix;
	uint32_t *metro;
	size_t n;
};

/* Build from the metros (replacing t's contents). A prefix listed by two
 * metros is refused (-EINVAL, why says which); overlapping prefixes are
 * fine, the longest wins. Returns 0, -EINVAL or -ENOMEM (t unchanged). */
int mg_metro_table_build(struct mg_metro_table *t, const struct mg_metro_def *const *m, size_t n,
			 char *why, size_t len);
void mg_metro_table_free(struct mg_metro_table *t);
/* The metro of an address, or 0 when no prefix holds it. */
uint32_t mg_metro_lookup(const struct mg_metro_table *t, const struct sc_sockaddr *a);

#endif
