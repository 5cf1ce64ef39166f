/* mld_table: who joined what, as seen on a link.
 *
 * Fed with the decoded reports and leaves a watcher sees (mld_cap), it keeps
 * one entry per (group, host) with the host's filter mode and sources, the
 * way a querier keeps its state (RFC 3810 7.4 / RFC 3376 6.4, reduced to
 * what one host asked for): TO_IN/IS_IN set INCLUDE, TO_EX/IS_EX set
 * EXCLUDE, ALLOW and BLOCK add and remove sources, INCLUDE {} removes the
 * entry (a leave). Entries a host stops refreshing expire. A host is its IP
 * source address (an MLD host's link-local one), with its MAC shown beside.
 *
 * Time is whatever the caller counts in milliseconds (wall clock or a
 * monotonic one): the table never reads a clock. */
#ifndef SIXCAST_MLD_TABLE_H
#define SIXCAST_MLD_TABLE_H

#include "mld_types.h"
#include "mld_pkt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Group membership interval when no query was seen: RFC 3810 9.4 with the
 * default timers (2 x 125 s + 10 s). */
#define MLD_TABLE_DEFAULT_MAX_AGE_MS 260000u
/* Limits that keep a flood of forged reports from exhausting memory. */
#define MLD_TABLE_MAX_ENTRIES 65536u
#define MLD_TABLE_MAX_SOURCES 1024u        /* per entry */
#define MLD_TABLE_MAX_TOTAL_SOURCES 262144u /* over all entries (about 5 MiB) */

/* One host's membership of one group. Pointers are valid until the table
 * changes next. */
struct mld_entry {
	struct mld_addr group;
	struct mld_addr host;        /* IP source of its reports */
	bool has_mac;
	uint8_t mac[6];
	unsigned version;            /* protocol version of its last report */
	enum mld_mode mode;
	size_t n_sources;            /* INCLUDE: sources wanted; EXCLUDE: refused */
	const struct mld_addr *sources; /* sorted */
	uint64_t first_ms, last_ms;  /* first and last report */
};

enum mld_change {
	MLD_CHANGE_JOIN = 1, /* a new entry */
	MLD_CHANGE_UPDATE,   /* mode or sources changed */
	MLD_CHANGE_LEAVE,    /* a leave removed it */
	MLD_CHANGE_EXPIRE,   /* not refreshed in time */
};
/* "join", "update", "leave", "expire"; "?" otherwise. */
const char *mld_change_name(enum mld_change c);

/* Told about each change; e is the entry after the change (before its
 * removal for LEAVE/EXPIRE) and valid during the call only. The callback
 * must not change the table. */
typedef void (*mld_table_fn)(void *arg, enum mld_change c, const struct mld_entry *e);

typedef struct mld_table mld_table;

/* A new empty table; fn may be NULL. Returns NULL when out of memory. */
mld_table *mld_table_new(mld_table_fn fn, void *arg);
void mld_table_free(mld_table *t);

/* Apply a decoded message seen at now_ms. Reports and leaves change
 * entries; a query (from the querier) sets the membership interval to
 * QRV x QQI + max response delay (RFC 3810 9.4), which mld_table_expire()
 * then uses. Records of unknown type, and sources beyond
 * MLD_TABLE_MAX_SOURCES per entry or MLD_TABLE_MAX_TOTAL_SOURCES in all,
 * are ignored. Returns the number of changes, or
 * -ENOSPC when a new entry was refused because the table is full. */
int mld_table_apply(mld_table *t, const struct mld_msg *m, uint64_t now_ms);
/* Drop entries not refreshed for longer than the membership interval.
 * Returns the number dropped. */
int mld_table_expire(mld_table *t, uint64_t now_ms);
/* The membership interval in use, in ms (MLD_TABLE_DEFAULT_MAX_AGE_MS until
 * a query is seen). */
uint64_t mld_table_max_age_ms(const mld_table *t);
/* Number of entries. */
size_t mld_table_count(const mld_table *t);

/* Visit the entries sorted by group family, group, then host. fn returns 0
 * to go on, anything else to stop (which mld_table_foreach returns).
 * Returns 0, the callback's stop value, or -ENOMEM. */
typedef int (*mld_table_visit_fn)(void *arg, const struct mld_entry *e);
int mld_table_foreach(const mld_table *t, mld_table_visit_fn fn, void *arg);

/* The entry of (group, host), or NULL. */
const struct mld_entry *mld_table_find(const mld_table *t, const struct mld_addr *group,
				       const struct mld_addr *host);

#ifdef __cplusplus
}
#endif
#endif
