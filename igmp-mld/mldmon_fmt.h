/* mldmon_fmt: what sixcast-mldmon prints, as text for people or as JSON
 * lines (jansson) for programs. One line per event; the table is a block
 * of lines (text) or one line (JSON). */
#ifndef MLDMON_FMT_H
#define MLDMON_FMT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mld.h"

struct mon_out {
	FILE *f;
	bool json;
	const char *source; /* interface or file, shown in the table header */
};

/* "MLDv2", "IGMPv3", ... for a decoded message or an entry. */
const char *mon_proto_name(int family, unsigned version);

/* One decoded message (query, report or leave), ts in microseconds since
 * the epoch. */
void mon_print_msg(const struct mon_out *o, const struct mld_msg *m, uint64_t ts_us);
/* One change of the table at ts_ms (milliseconds since the epoch). */
void mon_print_change(const struct mon_out *o, enum mld_change c, const struct mld_entry *e,
		      uint64_t ts_ms);
/* The table: groups and the hosts that joined them, then the counters. */
void mon_print_table(const struct mon_out *o, const mld_table *t, const struct mld_cap_stats *st,
		     uint64_t now_ms);
/* This host's memberships (--memberships). */
void mon_print_memberships(const struct mon_out *o, const struct mld_memberships *m);

#endif
