/* mld_link: network interfaces through libnl (rtnetlink), and a watcher of
 * link and address events.
 *
 * A daemon asks mld_if_get() about its interface at start (index, flags,
 * addresses: an edge server takes its SSM source address from there), then
 * keeps an mld_nlwatch in its event loop so that it re-joins its groups
 * (mld_recv_rejoin) when the interface comes back up, is re-created under
 * the same name, or changes address:
 *
 *     mld_nlwatch *w;
 *     mld_nlwatch_new("eth0", on_link, ctx, &log, &w);
 *     sc_loop_add_fd(loop, mld_nlwatch_fd(w), SC_LOOP_IN, on_readable, w);
 *     // on_readable: mld_nlwatch_process(w);
 *     // on_link(ctx, ev): if ev->type is MLD_LINK_UP or MLD_LINK_NEW, rejoin
 *
 * The watcher owns no thread and no loop: the caller polls its fd. */
#ifndef SIXCAST_MLD_LINK_H
#define SIXCAST_MLD_LINK_H

#include "mld_types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MLD_IFNAMSIZ 16 /* IF_NAMESIZE on Linux, with the NUL */
#define MLD_IF_MAX_ADDRS 32

/* One address of an interface. */
struct mld_if_addr {
	struct mld_addr addr;
	unsigned prefixlen;
	unsigned scope;    /* RT_SCOPE_*: 0 universe (global), 253 link, 254 host */
	bool tentative;    /* IPv6 duplicate address detection not done yet */
	bool deprecated;   /* IPv6 preferred lifetime over */
};

/* What mld_if_get() reports about an interface. */
struct mld_ifinfo {
	unsigned index;
	char name[MLD_IFNAMSIZ];
	unsigned flags;    /* IFF_* as the kernel reports them */
	bool up;           /* administratively up (IFF_UP) */
	bool running;      /* up with carrier (IFF_UP and IFF_RUNNING) */
	bool multicast;    /* IFF_MULTICAST: can join groups */
	unsigned mtu;
	uint8_t mac[6];    /* all zero when the link has no 6-byte address */
	size_t n_addrs;    /* addresses of both families, up to MLD_IF_MAX_ADDRS */
	struct mld_if_addr addrs[MLD_IF_MAX_ADDRS];
};

/* Look an interface up by name or decimal index through rtnetlink. Returns
 * 0, -ENODEV when there is none, -EINVAL for an empty or over-long name, or
 * another negative errno when netlink fails. */
int mld_if_get(const char *iface, struct mld_ifinfo *out, const struct mld_log *log);

/* The address a sender on iface should use as its source for family: the
 * first global-scope address that is neither tentative nor deprecated.
 * Returns 0, -ENODEV for a missing interface, -EADDRNOTAVAIL when it has no
 * such address. */
int mld_if_pick_source(const char *iface, int family, struct mld_addr *out,
		       const struct mld_log *log);

/* Events of the watcher. */
enum mld_link_ev {
	MLD_LINK_NEW = 1, /* an interface appeared (also re-created: new index) */
	MLD_LINK_DEL,     /* an interface is gone: its memberships are gone */
	MLD_LINK_UP,      /* became running: IFF_UP and IFF_RUNNING (carrier) */
	MLD_LINK_DOWN,    /* stopped running */
	MLD_ADDR_NEW,     /* an address was added (or its flags changed) */
	MLD_ADDR_DEL,     /* an address was removed */
	MLD_LINK_RESYNC,  /* events were lost (netlink overrun) and the watcher
	                     resynchronised its links: re-check everything */
};
/* "link-new", "link-del", "link-up", "link-down", "addr-new", "addr-del",
 * "resync"; "?" otherwise. */
const char *mld_link_ev_name(enum mld_link_ev ev);

struct mld_link_event {
	enum mld_link_ev type;
	unsigned ifindex;
	char ifname[MLD_IFNAMSIZ];
	unsigned flags;         /* IFF_* after the event (LINK_*) */
	struct mld_addr addr;   /* ADDR_*: the address */
	unsigned prefixlen;     /* ADDR_* */
};

/* Called from mld_nlwatch_process() (and from mld_nlwatch_new() for no
 * event: the initial state is read silently). ev is valid during the call. */
typedef void (*mld_link_fn)(void *arg, const struct mld_link_event *ev);

typedef struct mld_nlwatch mld_nlwatch;

/* Watch links and IPv6/IPv4 addresses. iface: report only this interface
 * (by name, which follows a re-created interface), or NULL for all. fn is
 * called with arg. On success *out owns a netlink socket. Returns 0 or a
 * negative errno (-ENOMEM, or what netlink said). */
int mld_nlwatch_new(const char *iface, mld_link_fn fn, void *arg, const struct mld_log *log,
		    mld_nlwatch **out);
void mld_nlwatch_free(mld_nlwatch *w);
/* The fd to poll for input. Owned by the watcher. */
int mld_nlwatch_fd(const mld_nlwatch *w);
/* Read and report everything pending, without blocking. Returns the number
 * of events reported, or a negative errno if the socket failed (an overrun
 * is not a failure: it is handled with a resync and MLD_LINK_RESYNC). */
int mld_nlwatch_process(mld_nlwatch *w);

#ifdef __cplusplus
}
#endif
#endif
