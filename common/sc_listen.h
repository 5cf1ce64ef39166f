/* sc_listen: where a daemon listens, and where a local client connects, on
 * a host with both address families, IPv4 only or IPv6 only.
 *
 * A daemon's default address states an intent rather than an address:
 * "[::1]" means this host only, "[::]" every address of the host. On a host
 * without IPv6 the intent is met by the IPv4 stand-in (127.0.0.1, 0.0.0.0).
 * Two kinds of host lack IPv6, and say so differently:
 *   - IPv6 disabled by sysctl (net.ipv6.conf.*.disable_ipv6 = 1): AF_INET6
 *     sockets are made and "[::]" binds (and still takes IPv4, as mapped
 *     addresses), but ::1 is gone: binding or connecting to it fails with
 *     EADDRNOTAVAIL;
 *   - a kernel without IPv6 (ipv6.disable=1): socket(AF_INET6) fails with
 *     EAFNOSUPPORT.
 * So the decision is made by asking the kernel (a bind to port 0, which
 * never collides with a daemon's port), not by reading sysctls.
 *
 * An address the operator wrote is his: it is never changed, and one this
 * host can never listen on is an error with its file and line
 * (sc_cfg_get_listen()). */
#ifndef SC_LISTEN_H
#define SC_LISTEN_H

#include <stdbool.h>

#include "sc_addr.h"
#include "sc_log.h"

/* Whether err (a negative errno of socket(), bind() or connect()) says the
 * host has no such address family or address: -EAFNOSUPPORT or
 * -EADDRNOTAVAIL. */
bool sc_af_missing(int err);

/* The IPv4 stand-in of an IPv6 loopback or wildcard address: [::1] gives
 * 127.0.0.1 and [::] 0.0.0.0, with the same port. Returns 0, or -ENOENT
 * for any other address. */
int sc_addr_ipv4_standin(const struct sc_sockaddr *a, struct sc_sockaddr *out);

/* For a local client whose connect failed: the loopback of the other
 * family with the same port ([::1] <-> 127.0.0.1; 127.x.y.z and
 * ::ffff:127.x.y.z give [::1]). Returns 0, or -ENOENT when a is not a
 * loopback address. */
int sc_addr_other_loopback(const struct sc_sockaddr *a, struct sc_sockaddr *out);

/* Whether a socket of a's family and of type (SOCK_STREAM, SOCK_DGRAM) can
 * be bound to a's address on this host, on port 0. Returns 0 or the
 * negative errno of socket() or bind(). */
int sc_listen_probe(const struct sc_sockaddr *a, int type);

/* A probe; sc_listen_probe() on the host, another one in tests (a kernel
 * without IPv6 cannot be booted by a test). */
typedef int (*sc_listen_probe_fn)(const struct sc_sockaddr *a, int type);

/* Where a daemon listens for the configured *a. An address the operator
 * wrote (dflt false) is kept, untested: the listener's own error, if any,
 * names it. A daemon's default (dflt true) is kept when probe (NULL:
 * sc_listen_probe) can bind it; when the host has no IPv6 for it
 * (sc_af_missing()) and its IPv4 stand-in binds, *a becomes the stand-in.
 * For a default, lg hears at info which address was taken, under what
 * ("control API", "RET"). Returns 1 when *a became the stand-in, else 0
 * (then *a is as it was, and opening it reports what is wrong). */
int sc_listen_pick(struct sc_sockaddr *a, bool dflt, int type, sc_listen_probe_fn probe,
		   const struct sc_logger *lg, const char *what);

#endif
