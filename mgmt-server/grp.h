/* grp: grouping of a channel's viewers into small cross-metro groups.
 *
 * Seed 001: the management server gathers the clients watching a channel
 * into groups of about five that repair each other's losses, and spreads
 * each group across metro networks so that the fault of one metro never
 * takes a whole group. This module is that policy and nothing else: no
 * HTTP, no SQLite, no clock. The caller feeds it joins, leaves, metro
 * changes and outages, and it calls back once per group that changed.
 *
 * Policy (docs/mgmt-server.md has the reasoning):
 *  - join: the fullest open group (fewer than `size` members) of the
 *    channel that has no member of the joiner's metro; failing that a new
 *    group while the channel has fewer than `max_open` open groups; failing
 *    that the open group with the fewest members of that metro. So metros
 *    repeat only when the audience leaves no other choice.
 *  - leave (also channel change, missed heartbeats, metro outage): the group
 *    shrinks; below `min_size` it merges away, each member moving into
 *    another open group lacking its metro, when all of them can.
 *  - rebuild: the channel's members are dealt out metro by metro over
 *    ceil(n / size) groups, which puts every metro with no more members
 *    than groups into distinct groups, with sizes within one of each other.
 *  - every public call ends by giving each group it touched one new
 *    version (from the caller's counter), a new key when a member left (a
 *    departed box must not keep a working key; a newcomer gets the current
 *    one), and one `changed` callback.
 *
 * Members are intrusive: the caller embeds struct grp_member in its own
 * client record, sets `id`, and passes it to grp_join(). A member belongs
 * to at most one group at a time. Single-threaded. */
#ifndef GRP_H
#define GRP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GRP_KEY_LEN 32
#define GRP_MIN_SIZE 3
#define GRP_MAX_SIZE 8 /* hard cap, also for groups filled by hand */

struct grp_params {
	unsigned size;     /* target members per group, GRP_MIN_SIZE..GRP_MAX_SIZE */
	unsigned min_size; /* a group below this merges away when it can; 2..size */
	unsigned max_open; /* open groups per channel before metros may repeat; >= 1 */
	unsigned scan_max; /* groups a join looks at, bounding its cost; >= 1 */
};

/* Defaults: size 5, min_size 3, max_open 16, scan_max 256. */
void grp_params_default(struct grp_params *p);
/* Returns 0, or -EINVAL when a field is out of its range. */
int grp_params_check(const struct grp_params *p);

struct grp_group;

struct grp_member {
	uint32_t id;    /* set by the caller, nonzero, unique */
	uint32_t metro; /* read-only: set through grp_join()/grp_set_metro() */
	/* private */
	uint32_t channel;
	struct grp_group *group;
};

struct grp_ops {
	void *ctx;
	/* Fill a fresh group key (libsodium randombytes_buf in the daemon). */
	void (*new_key)(void *ctx, uint8_t key[GRP_KEY_LEN]);
	/* A new group id, nonzero, never handed out before. */
	uint32_t (*new_group_id)(void *ctx);
	/* The next version; must grow on every call, across restarts too. */
	uint32_t (*new_version)(void *ctx);
	/* After each public call, once per surviving group it changed. */
	void (*changed)(void *ctx, const struct grp_group *g);
	/* A group was dissolved (it had no members left). May be NULL. */
	void (*removed)(void *ctx, uint32_t group_id, uint32_t channel);
};

typedef struct grp grp;

/* A grouping engine. ops is copied; every callback but removed is
 * required. Returns NULL for bad params or when out of memory. */
grp *grp_new(const struct grp_params *p, const struct grp_ops *ops);
/* Frees the engine and its groups; members are left ungrouped (their
 * memory is the caller's). NULL is ignored. */
void grp_free(grp *g);
/* New parameters apply to later decisions; existing groups stay until
 * they change. Returns 0 or -EINVAL. */
int grp_set_params(grp *g, const struct grp_params *p);
const struct grp_params *grp_get_params(const grp *g);

/* Put m (ungrouped or grouped) into a group of channel (nonzero) as a
 * member of metro. Leaving its current group first when it changes
 * channel; a join to the channel it is already in only updates its metro.
 * Returns 0, -EINVAL or -ENOMEM (m is then ungrouped). */
int grp_join(grp *g, struct grp_member *m, uint32_t channel, uint32_t metro);
/* Take m out of its group (no-op when ungrouped). */
void grp_leave(grp *g, struct grp_member *m);
/* Take many members out at once (missed heartbeats, a silent metro): one
 * version per touched group, merges after all are out. */
void grp_leave_many(grp *g, struct grp_member *const *m, size_t n);
/* m's metro changed (NOC move, metro table edit): it stays in its group
 * when the group has no other member of the new metro, else it re-joins.
 * Returns 0 or a negative errno from the re-join. */
int grp_set_metro(grp *g, struct grp_member *m, uint32_t metro);
/* NOC: move m into group id (same channel, fewer than GRP_MAX_SIZE
 * members). Returns 0, -ENOENT (no such group), -EXDEV (another channel,
 * or m is not tuned), -ENOSPC (full). */
int grp_place(grp *g, struct grp_member *m, uint32_t group_id);
/* Regroup a channel from scratch (see the policy above). Returns the
 * number of groups, or -ENOMEM. */
int grp_rebuild(grp *g, uint32_t channel);

/* Re-create a persisted group as it was (no version bump, no callback).
 * Members must be ungrouped; their metro is taken as given. Returns 0,
 * -EEXIST (id in use), -EINVAL (n is 0 or over GRP_MAX_SIZE, a member
 * already grouped, channel or id 0), or -ENOMEM. */
int grp_restore(grp *g, uint32_t id, uint32_t channel, uint32_t version,
		const uint8_t key[GRP_KEY_LEN], struct grp_member *const *members, size_t n,
		const uint32_t *metros);

/* Read access. Pointers are valid until the next mutating call. */
const struct grp_group *grp_find(const grp *g, uint32_t id);
static inline const struct grp_group *grp_of(const struct grp_member *m) { return m->group; }
static inline uint32_t grp_member_channel(const struct grp_member *m) { return m->channel; }
uint32_t grp_group_id(const struct grp_group *gr);
uint32_t grp_group_channel(const struct grp_group *gr);
uint32_t grp_group_version(const struct grp_group *gr);
const uint8_t *grp_group_key(const struct grp_group *gr);
unsigned grp_group_size(const struct grp_group *gr);
const struct grp_member *grp_group_member(const struct grp_group *gr, unsigned i);
/* Whether every member is in a different metro. */
bool grp_group_distinct(const struct grp_group *gr);

/* Call fn for each group of channel (0: of every channel); a nonzero
 * return stops the walk and is returned. fn must not change the groups. */
int grp_foreach(const grp *g, uint32_t channel, int (*fn)(void *ctx, const struct grp_group *gr),
		void *ctx);

struct grp_stats {
	size_t groups, members, distinct, open;
	size_t size_hist[GRP_MAX_SIZE + 1]; /* groups by member count */
};
/* Totals for channel (0: all channels). */
void grp_stats(const grp *g, uint32_t channel, struct grp_stats *out);

#endif
