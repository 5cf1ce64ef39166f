/* mld_memb: the groups this host has joined, per interface.
 *
 * The groups come from rtnetlink (RTM_GETMULTICAST dumps, both families on
 * recent kernels), with /proc/net/igmp6 and /proc/net/igmp as the fallback
 * when the kernel does not answer a family's dump. The reference counts and
 * the source filters come from /proc (/proc/net/igmp{,6} and
 * /proc/net/mcfilter{,6}) when they are readable: netlink does not carry
 * them. A set-top box shows this in its diagnostics; a test checks with it
 * that a join really reached the kernel.
 *
 * A gap of the kernel's /proc/net/mcfilter{,6} listing (seen up to 6.18):
 * it starts at the first interface whose most recently joined group has a
 * source filter, so the interfaces before it are left out even when some of
 * their older groups are source-specific. Those interfaces' groups get mode
 * 0 ("unknown") rather than a guess. */
#ifndef SIXCAST_MLD_MEMB_H
#define SIXCAST_MLD_MEMB_H

#include "mld_types.h"
#include "mld_link.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One group on one interface. */
struct mld_membership {
	unsigned ifindex;
	char ifname[MLD_IFNAMSIZ]; /* "" when the name is unknown */
	struct mld_addr group;
	unsigned users;            /* references (sockets, the kernel's own); 0: unknown */
	/* From the source filter in /proc/net/mcfilter{,6}: INCLUDE with the
	 * sources when every reference to the group is source-specific as far as
	 * the counts show, EXCLUDE otherwise (any-source); 0 when the kernel did
	 * not list this interface's filters (see above) or /proc is unreadable. */
	enum mld_mode mode;
	size_t n_sources;
	struct mld_addr *sources;  /* owned by the list */
};

/* Where the groups came from, per family (MLD_MEMB_FROM_*). */
#define MLD_MEMB_FROM_NETLINK 1
#define MLD_MEMB_FROM_PROC 2

struct mld_memberships {
	size_t n;
	struct mld_membership *v; /* sorted by interface index, family, group */
	int from6, from4;         /* MLD_MEMB_FROM_* or 0 when the family was not asked */
};

/* Read the memberships of family (AF_INET6, AF_INET, or AF_UNSPEC for both)
 * on iface (name or decimal index; NULL: every interface) into out, which
 * the caller frees with mld_memberships_clear(). Returns the number of
 * memberships, or -ENODEV for a missing interface, -ENOMEM, or a negative
 * errno when neither netlink nor /proc answers. */
int mld_memberships_get(int family, const char *iface, struct mld_memberships *out,
			const struct mld_log *log);
/* Free what mld_memberships_get() put in m and zero it. */
void mld_memberships_clear(struct mld_memberships *m);
/* The membership of group on ifindex (0: any interface) in m, or NULL. */
const struct mld_membership *mld_memberships_find(const struct mld_memberships *m,
						  unsigned ifindex, const struct mld_addr *group);

#ifdef __cplusplus
}
#endif
#endif
