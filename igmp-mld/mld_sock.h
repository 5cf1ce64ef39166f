/* mld_sock: join and leave groups, and the two sockets sixcast needs.
 *
 * A receiver (set-top box) is a UDP socket bound to group:port, joined on
 * one interface, any-source or source-specific (one or several sources),
 * with a receive buffer sized for video:
 *
 *     struct mld_addr src;
 *     struct mld_recv_cfg rc = { .iface = "eth0", .port = 5000,
 *                                .sources = &src, .n_sources = 1 };
 *     mld_addr_parse("ff3e::8000:1", &rc.group);
 *     mld_addr_parse("2001:db8::1", &src);
 *     mld_recv *r;
 *     int err = mld_recv_open(&rc, &log, &r);   // then poll mld_recv_fd(r)
 *     ...
 *     mld_recv_rejoin(r);                       // after a link flap (mld_link.h)
 *     mld_recv_free(r);                         // leaves and closes
 *
 * A sender (edge server) is a UDP socket with hop limit/TTL, loop off,
 * DSCP and the outgoing interface set:
 *
 *     struct mld_send_cfg sc = { .iface = "eth0", .family = AF_INET6, .dscp = 34 };
 *     int fd = mld_send_open(&sc, &log);       // then sendto() the group
 *
 * Interfaces are given by name or decimal index everywhere ("eth0", "3").
 * Both families go through the same calls; the group's family decides. */
#ifndef SIXCAST_MLD_SOCK_H
#define SIXCAST_MLD_SOCK_H

#include "mld_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Receive buffer asked for when the caller says 0: about 2.5 s of a
 * 12 Mbit/s channel. The kernel caps it at net.core.rmem_max unless the
 * process has CAP_NET_ADMIN; the library then logs a warning with the size
 * it got and carries on. */
#define MLD_RCVBUF_DEFAULT (4 * 1024 * 1024)
/* Hop limit / TTL of a sender when the caller says 0. */
#define MLD_HOPS_DEFAULT 16

/* Flags of mld_recv_cfg. */
#define MLD_RECV_REUSEPORT 0x1u /* SO_REUSEPORT: spread the group over several sockets */
/* Fast channel change: after each join (and rejoin), send the MLDv2/IGMPv3
 * state-change report at once from a raw socket, instead of waiting for the
 * kernel's, which leaves two timer ticks later (8-20 ms): the snooping
 * network opens the path that much sooner. Needs CAP_NET_RAW; without it,
 * or on an interface forced to MLDv1/IGMPv2, the kernel's report does the
 * job alone (nothing fails). The kernel's reports still follow. */
#define MLD_RECV_FAST_JOIN 0x2u

/* Join one group on one interface: any-source when n_sources is 0 (refused
 * with -EINVAL on an SSM group), otherwise one source-specific membership per
 * source. fd is a socket of the group's family; iface is a name or decimal
 * index. Sources must be unicast addresses of the group's family.
 * Returns 0, or:
 *   -EINVAL     bad group, source or family mix, or any-source on an SSM group
 *               (each with a logged reason)
 *   -ENODEV     no such interface
 *   -EADDRINUSE already joined any-source on this socket
 *   -EADDRNOTAVAIL this source already joined on this socket
 *   -ENOBUFS    too many memberships or sources (net.ipv4.igmp_max_memberships,
 *               igmp_max_msf, net.ipv6.mld_max_msf)
 *   or another negative errno from setsockopt.
 * A failure part-way through a multi-source join leaves the sources joined
 * so far in place; the caller closes the socket or calls mld_leave(). */
int mld_join(int fd, const char *iface, const struct mld_addr *group,
	     const struct mld_addr *sources, size_t n_sources, const struct mld_log *log);
/* The same with an interface index. */
int mld_join_index(int fd, unsigned ifindex, const struct mld_addr *group,
		   const struct mld_addr *sources, size_t n_sources, const struct mld_log *log);
/* Undo mld_join (the same sources; none for any-source). Every membership is
 * tried; returns 0, or the first error (-EADDRNOTAVAIL or -EINVAL: was not
 * joined; -ENODEV: the interface is gone, which dropped its memberships
 * anyway). Closing the socket leaves everything too. */
int mld_leave(int fd, const char *iface, const struct mld_addr *group,
	      const struct mld_addr *sources, size_t n_sources, const struct mld_log *log);
int mld_leave_index(int fd, unsigned ifindex, const struct mld_addr *group,
		    const struct mld_addr *sources, size_t n_sources, const struct mld_log *log);

/* What a receiver joins. */
struct mld_recv_cfg {
	const char *iface;              /* name or decimal index; required */
	struct mld_addr group;          /* IPv6 or IPv4 multicast group */
	uint16_t port;                  /* UDP port, host order; 0 is refused */
	const struct mld_addr *sources; /* n_sources unicast sources; none: any-source */
	size_t n_sources;
	int rcvbuf;                     /* bytes; 0: MLD_RCVBUF_DEFAULT; <0: system default */
	unsigned flags;                 /* MLD_RECV_* */
};

/* An open receiver: socket, its bound group and its memberships. */
typedef struct mld_recv mld_recv;

/* Open a UDP socket bound to group:port, non-blocking and close-on-exec,
 * with SO_REUSEADDR (other programs may listen to the same group:port, each
 * gets a copy), IP(V6)_MULTICAST_ALL off (only what this socket joined
 * arrives, with the source filter it asked for), the receive buffer set,
 * and joined as
 * cfg says. cfg and the sources it points to are copied. On success *out
 * owns the socket. Returns 0 or the errors of mld_join(), and -EINVAL for a
 * port 0 or a missing iface; *out is NULL on failure. */
int mld_recv_open(const struct mld_recv_cfg *cfg, const struct mld_log *log, mld_recv **out);
/* Leave, close and free. NULL is ignored. */
void mld_recv_free(mld_recv *r);
/* The socket to poll and read (recv/recvmmsg). Owned by r. */
int mld_recv_fd(const mld_recv *r);
/* The interface index the memberships are on now (0 while it is missing). */
unsigned mld_recv_ifindex(const mld_recv *r);
/* The receive buffer the kernel granted, in bytes (as SO_RCVBUF reports it:
 * the kernel doubles what it is given for its own bookkeeping). */
int mld_recv_rcvbuf(const mld_recv *r);
/* Join again: look the interface name up anew (a re-created interface has
 * a new index), drop the old memberships and join on the interface as it is
 * now, which also makes the kernel send fresh unsolicited reports. Call it
 * on MLD_LINK_UP / MLD_LINK_NEW / address events of the receiver's
 * interface (mld_link.h). Returns 0; -ENODEV while the interface is missing
 * (call again when it appears); or the errors of mld_join(). */
int mld_recv_rejoin(mld_recv *r);

/* How a sender emits. */
struct mld_send_cfg {
	const char *iface;  /* outgoing interface, name or decimal index; required */
	int family;         /* AF_INET6 or AF_INET */
	int hops;           /* hop limit / TTL 1..255; 0: MLD_HOPS_DEFAULT */
	int dscp;           /* DiffServ code point 0..63 (0: best effort; 34: AF41) */
	bool loop;          /* deliver to local listeners too (off by default) */
	int sndbuf;         /* bytes; 0: system default */
	const struct mld_addr *bind_addr; /* local address to send from (the SSM
	                                     source); NULL: the kernel chooses */
	uint16_t bind_port; /* local UDP port, host order; 0: any */
};

/* Set the sender options of cfg on an existing UDP socket fd of
 * cfg->family (bind_addr and bind_port are not used). Returns 0, -EINVAL for
 * values out of range, -ENODEV for a missing interface, or a negative errno
 * from setsockopt. */
int mld_send_setup(int fd, const struct mld_send_cfg *cfg, const struct mld_log *log);
/* A new UDP socket (non-blocking, close-on-exec) with mld_send_setup()
 * applied and bound to bind_addr:bind_port when given. Returns the fd (the
 * caller owns it) or a negative errno: those of mld_send_setup(), and
 * -EADDRNOTAVAIL when bind_addr is not an address of this host. */
int mld_send_open(const struct mld_send_cfg *cfg, const struct mld_log *log);

#ifdef __cplusplus
}
#endif
#endif
