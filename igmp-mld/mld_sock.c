/* mld_sock: joins, leaves, and the receiver and sender sockets. See
 * mld_sock.h.
 *
 * Joins use the protocol-independent MCAST_* socket options (RFC 3678), so
 * IPv6 and IPv4 take the same path and source-specific joins are one call
 * per source. Everything a kernel would accept but a network would not
 * deliver (an any-source join on an SSM group) is refused here, with the
 * reason logged, because the symptom otherwise is silence. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "mld_internal.h"
#include "sc_addr.h"

#ifndef IPV6_MULTICAST_ALL
#define IPV6_MULTICAST_ALL 29
#endif
#ifndef IP_MULTICAST_ALL
#define IP_MULTICAST_ALL 49
#endif

struct mld_recv {
	int fd;
	char iface[MLD_IFNAMSIZ];
	unsigned ifindex;
	struct mld_addr group;
	uint16_t port;
	struct mld_addr *sources;
	size_t n_sources;
	int rcvbuf;
	unsigned flags;
	struct mld_log log;
	bool has_log;
};

static const char *fam_name(int family)
{
	return family == AF_INET6 ? "IPv6" : "IPv4";
}

/* Everything about a join that can be judged before asking the kernel. */
static int check_join(const struct mld_addr *g, const struct mld_addr *src, size_t n,
		      const struct sc_logger *lg)
{
	char gs[MLD_ADDR_STRLEN], ss[MLD_ADDR_STRLEN];

	if (!g || (g->family != AF_INET6 && g->family != AF_INET)) {
		sc_logf(lg, LOG_ERR, "join: no IPv6 or IPv4 group given");
		return -EINVAL;
	}
	mld_addr_format(g, gs, sizeof(gs));
	if (!mld_addr_is_multicast(g)) {
		sc_logf(lg, LOG_ERR, "join %s: not a multicast group address", gs);
		return -EINVAL;
	}
	if (n == 0 && mld_addr_is_ssm(g)) {
		sc_logf(lg, LOG_ERR,
			"join %s: a source-specific (SSM) group needs its source; an any-source "
			"join there is accepted by the kernel and receives nothing", gs);
		return -EINVAL;
	}
	if (n && !src) {
		sc_logf(lg, LOG_ERR, "join %s: %zu sources announced, none given", gs, n);
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		mld_addr_format(&src[i], ss, sizeof(ss));
		if (src[i].family != g->family) {
			sc_logf(lg, LOG_ERR, "join %s: source %s is not an %s address", gs, ss,
				fam_name(g->family));
			return -EINVAL;
		}
		if (mld_addr_is_multicast(&src[i]) || mld_addr_is_unspecified(&src[i])) {
			sc_logf(lg, LOG_ERR, "join %s: source %s is not a unicast address", gs, ss);
			return -EINVAL;
		}
	}
	return 0;
}

/* One MCAST_{JOIN,LEAVE}_{,SOURCE_}GROUP. src NULL: any-source. */
static int mcast_opt(int fd, bool join, unsigned ifindex, const struct mld_addr *g,
		     const struct mld_addr *src)
{
	int level = g->family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;

	if (!src) {
		struct group_req r;

		memset(&r, 0, sizeof(r));
		r.gr_interface = ifindex;
		mld_addr_to_sockaddr(g, 0, 0, &r.gr_group);
		return setsockopt(fd, level, join ? MCAST_JOIN_GROUP : MCAST_LEAVE_GROUP, &r, sizeof(r)) < 0
			       ? -errno
			       : 0;
	} else {
		struct group_source_req r;

		memset(&r, 0, sizeof(r));
		r.gsr_interface = ifindex;
		mld_addr_to_sockaddr(g, 0, 0, &r.gsr_group);
		mld_addr_to_sockaddr(src, 0, 0, &r.gsr_source);
		return setsockopt(fd, level, join ? MCAST_JOIN_SOURCE_GROUP : MCAST_LEAVE_SOURCE_GROUP,
				  &r, sizeof(r)) < 0
			       ? -errno
			       : 0;
	}
}

static void log_join_error(const struct sc_logger *lg, int rc, unsigned ifindex,
			   const struct mld_addr *g, const struct mld_addr *src)
{
	char gs[MLD_ADDR_STRLEN], ss[MLD_ADDR_STRLEN] = "*", ifname[IF_NAMESIZE] = "?";
	const char *hint = "";

	mld_addr_format(g, gs, sizeof(gs));
	if (src)
		mld_addr_format(src, ss, sizeof(ss));
	if (sc_if_name(ifindex, ifname) < 0)
		snprintf(ifname, sizeof(ifname), "#%u", ifindex);
	switch (rc) {
	case -ENODEV: hint = " (the interface is gone)"; break;
	case -EADDRINUSE: hint = " (already joined on this socket)"; break;
	case -EADDRNOTAVAIL: hint = src ? " (already joined this source?)" : ""; break;
	case -ENOBUFS:
		hint = g->family == AF_INET6 ? " (limit: net.ipv6.mld_max_msf / memberships)"
					     : " (limits: net.ipv4.igmp_max_memberships, igmp_max_msf)";
		break;
	case -EINVAL: hint = " (is the socket of the group's family?)"; break;
	}
	sc_logf(lg, LOG_ERR, "join (%s, %s) on %s: %s%s", ss, gs, ifname, strerror(-rc), hint);
}

int mld_join_index(int fd, unsigned ifindex, const struct mld_addr *group,
		   const struct mld_addr *sources, size_t n_sources, const struct mld_log *log)
{
	struct sc_logger lg = mldi_logger(log);
	int rc = check_join(group, sources, n_sources, &lg);

	if (rc < 0)
		return rc;
	if (n_sources == 0) {
		rc = mcast_opt(fd, true, ifindex, group, NULL);
		if (rc < 0)
			log_join_error(&lg, rc, ifindex, group, NULL);
		return rc;
	}
	for (size_t i = 0; i < n_sources; i++) {
		rc = mcast_opt(fd, true, ifindex, group, &sources[i]);
		if (rc < 0) {
			log_join_error(&lg, rc, ifindex, group, &sources[i]);
			return rc;
		}
	}
	return 0;
}

int mld_join(int fd, const char *iface, const struct mld_addr *group,
	     const struct mld_addr *sources, size_t n_sources, const struct mld_log *log)
{
	struct sc_logger lg = mldi_logger(log);
	unsigned ifindex;
	int rc = iface ? sc_if_index(iface, &ifindex) : -EINVAL;

	if (rc < 0) {
		sc_logf(&lg, LOG_ERR, "join: %s %s", iface ? "no such interface" : "no interface given",
			iface ? iface : "");
		return rc;
	}
	return mld_join_index(fd, ifindex, group, sources, n_sources, log);
}

int mld_leave_index(int fd, unsigned ifindex, const struct mld_addr *group,
		    const struct mld_addr *sources, size_t n_sources, const struct mld_log *log)
{
	struct sc_logger lg = mldi_logger(log);
	char gs[MLD_ADDR_STRLEN];
	int rc, first = 0;

	if (!group || (group->family != AF_INET6 && group->family != AF_INET))
		return -EINVAL;
	if (n_sources && !sources)
		return -EINVAL;
	mld_addr_format(group, gs, sizeof(gs));
	for (size_t i = 0; i < (n_sources ? n_sources : 1); i++) {
		rc = mcast_opt(fd, false, ifindex, group, n_sources ? &sources[i] : NULL);
		if (rc < 0) {
			sc_logf(&lg, LOG_DEBUG, "leave %s on #%u: %s", gs, ifindex, strerror(-rc));
			if (!first)
				first = rc;
		}
	}
	return first;
}

int mld_leave(int fd, const char *iface, const struct mld_addr *group,
	      const struct mld_addr *sources, size_t n_sources, const struct mld_log *log)
{
	unsigned ifindex;
	int rc = iface ? sc_if_index(iface, &ifindex) : -EINVAL;

	return rc < 0 ? rc : mld_leave_index(fd, ifindex, group, sources, n_sources, log);
}

/* SO_RCVBUF, or SO_RCVBUFFORCE past net.core.rmem_max when allowed. */
static int set_rcvbuf(int fd, int want, const struct sc_logger *lg)
{
	int got = 0;
	socklen_t len = sizeof(got);

	if (want > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &want, sizeof(want)) < 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof(want)) < 0)
		return -errno;
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &len) < 0)
		return -errno;
	/* The kernel reports twice what it was given (its own overhead). */
	if (want > 0 && got / 2 < want)
		sc_logf(lg, LOG_WARNING,
			"receive buffer: %d bytes asked, %d granted; raise net.core.rmem_max "
			"or run with CAP_NET_ADMIN", want, got / 2);
	return got;
}

/* Link- and interface-local groups only mean something with a scope. */
static unsigned bind_scope(const struct mld_addr *g, unsigned ifindex)
{
	return g->family == AF_INET6 && (g->bytes[1] & 0x0f) <= 2 ? ifindex : 0;
}

static int recv_socket(mld_recv *r, unsigned flags, const struct sc_logger *lg)
{
	int one = 1, zero = 0, fam = r->group.family, rc;
	struct sockaddr_storage ss;
	char gs[MLD_ADDR_STRLEN];
	int sslen;

	r->fd = socket(fam, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (r->fd < 0) {
		rc = -errno;
		sc_logf(lg, LOG_ERR, "%s socket: %s", fam_name(fam), strerror(-rc));
		return rc;
	}
	setsockopt(r->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if ((flags & MLD_RECV_REUSEPORT) &&
	    setsockopt(r->fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0)
		sc_logf(lg, LOG_WARNING, "SO_REUSEPORT: %s", strerror(errno));
	if (fam == AF_INET6) {
		setsockopt(r->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		rc = setsockopt(r->fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, &zero, sizeof(zero));
	} else {
		rc = setsockopt(r->fd, IPPROTO_IP, IP_MULTICAST_ALL, &zero, sizeof(zero));
	}
	if (rc < 0) /* kernels before 4.20 (IPv6): other sockets' groups leak in */
		sc_logf(lg, LOG_DEBUG, "%s_MULTICAST_ALL: %s", fam == AF_INET6 ? "IPV6" : "IP",
			strerror(errno));
	rc = set_rcvbuf(r->fd, r->rcvbuf, lg);
	if (rc < 0)
		sc_logf(lg, LOG_WARNING, "receive buffer: %s", strerror(-rc));
	else
		r->rcvbuf = rc;
	/* Bound to the group: only its datagrams reach this socket. */
	sslen = mld_addr_to_sockaddr(&r->group, r->port, bind_scope(&r->group, r->ifindex), &ss);
	if (bind(r->fd, (struct sockaddr *)&ss, (socklen_t)sslen) < 0) {
		rc = -errno;
		mld_addr_format(&r->group, gs, sizeof(gs));
		sc_logf(lg, LOG_ERR, "bind %s port %u: %s", gs, r->port, strerror(-rc));
		return rc;
	}
	return 0;
}

static void warn_if_flags(const char *iface, const struct sc_logger *lg)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", iface);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		if (!(ifr.ifr_flags & IFF_MULTICAST))
			sc_logf(lg, LOG_WARNING, "%s has no MULTICAST flag: nothing will arrive", iface);
		else if (!(ifr.ifr_flags & IFF_UP) || !(ifr.ifr_flags & IFF_RUNNING))
			sc_logf(lg, LOG_NOTICE, "%s is down: joined, waiting for it to come up", iface);
	}
	close(fd);
}

static int recv_copy_cfg(mld_recv *r, const struct mld_recv_cfg *cfg, const struct mld_log *log,
			 const struct sc_logger *lg)
{
	if (!cfg->iface || !cfg->iface[0] || strlen(cfg->iface) >= sizeof(r->iface)) {
		sc_logf(lg, LOG_ERR, "receiver: no interface given (or the name is too long)");
		return -EINVAL;
	}
	if (cfg->port == 0) {
		sc_logf(lg, LOG_ERR, "receiver: no UDP port given");
		return -EINVAL;
	}
	snprintf(r->iface, sizeof(r->iface), "%s", cfg->iface);
	r->group = cfg->group;
	r->port = cfg->port;
	r->rcvbuf = cfg->rcvbuf == 0 ? MLD_RCVBUF_DEFAULT : cfg->rcvbuf;
	r->flags = cfg->flags;
	if (log) {
		r->log = *log;
		r->has_log = true;
	}
	if (cfg->n_sources) {
		if (!cfg->sources)
			return -EINVAL;
		r->sources = malloc(cfg->n_sources * sizeof(*r->sources));
		if (!r->sources)
			return -ENOMEM;
		memcpy(r->sources, cfg->sources, cfg->n_sources * sizeof(*r->sources));
		r->n_sources = cfg->n_sources;
	}
	return 0;
}

static const struct mld_log *recv_log(const mld_recv *r)
{
	return r->has_log ? &r->log : NULL;
}

int mld_recv_open(const struct mld_recv_cfg *cfg, const struct mld_log *log, mld_recv **out)
{
	struct sc_logger lg = mldi_logger(log);
	mld_recv *r;
	int rc;

	*out = NULL;
	if (!cfg)
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->fd = -1;
	rc = recv_copy_cfg(r, cfg, log, &lg);
	if (rc == 0)
		rc = check_join(&r->group, r->sources, r->n_sources, &lg);
	if (rc == 0) {
		rc = sc_if_index(r->iface, &r->ifindex);
		if (rc < 0)
			sc_logf(&lg, LOG_ERR, "receiver: no such interface %s", r->iface);
	}
	if (rc == 0)
		rc = recv_socket(r, cfg->flags, &lg);
	if (rc == 0)
		rc = mld_join_index(r->fd, r->ifindex, &r->group, r->sources, r->n_sources, log);
	if (rc < 0) {
		mld_recv_free(r);
		return rc;
	}
	if (r->flags & MLD_RECV_FAST_JOIN)
		mldi_fast_report(r->ifindex, &r->group, r->sources, r->n_sources, &lg);
	warn_if_flags(r->iface, &lg);
	*out = r;
	return 0;
}

void mld_recv_free(mld_recv *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd); /* drops every membership of the socket */
	free(r->sources);
	free(r);
}

int mld_recv_fd(const mld_recv *r)
{
	return r->fd;
}

unsigned mld_recv_ifindex(const mld_recv *r)
{
	return r->ifindex;
}

int mld_recv_rcvbuf(const mld_recv *r)
{
	return r->rcvbuf;
}

int mld_recv_rejoin(mld_recv *r)
{
	struct sc_logger lg = mldi_logger(recv_log(r));
	unsigned index = 0;
	int rc = sc_if_index(r->iface, &index);

	if (r->ifindex)
		mld_leave_index(r->fd, r->ifindex, &r->group, r->sources, r->n_sources, NULL);
	if (rc < 0) {
		r->ifindex = 0;
		sc_logf(&lg, LOG_NOTICE, "rejoin: %s is missing; waiting for it", r->iface);
		return rc;
	}
	if (index != r->ifindex && r->ifindex)
		sc_logf(&lg, LOG_INFO, "rejoin: %s is now interface #%u (was #%u)", r->iface, index,
			r->ifindex);
	r->ifindex = 0;
	rc = mld_join_index(r->fd, index, &r->group, r->sources, r->n_sources, recv_log(r));
	if (rc == 0) {
		r->ifindex = index;
		if (r->flags & MLD_RECV_FAST_JOIN)
			mldi_fast_report(index, &r->group, r->sources, r->n_sources, &lg);
	}
	return rc;
}

/* ---- sender ---- */

int mld_send_setup(int fd, const struct mld_send_cfg *cfg, const struct mld_log *log)
{
	struct sc_logger lg = mldi_logger(log);
	int hops = cfg->hops ? cfg->hops : MLD_HOPS_DEFAULT, loop = cfg->loop, tos = cfg->dscp << 2;
	unsigned ifindex;
	int rc;

	if ((cfg->family != AF_INET6 && cfg->family != AF_INET) || hops < 1 || hops > 255 ||
	    cfg->dscp < 0 || cfg->dscp > 63 || cfg->sndbuf < 0) {
		sc_logf(&lg, LOG_ERR, "sender: family, hops (1..255) or dscp (0..63) out of range");
		return -EINVAL;
	}
	rc = cfg->iface ? sc_if_index(cfg->iface, &ifindex) : -EINVAL;
	if (rc < 0) {
		sc_logf(&lg, LOG_ERR, "sender: %s %s", cfg->iface ? "no such interface" : "no interface given",
			cfg->iface ? cfg->iface : "");
		return rc;
	}
	if (cfg->family == AF_INET6) {
		int idx = (int)ifindex;

		if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &idx, sizeof(idx)) < 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) < 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &loop, sizeof(loop)) < 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof(tos)) < 0)
			rc = -errno;
	} else {
		struct ip_mreqn m;

		memset(&m, 0, sizeof(m));
		m.imr_ifindex = (int)ifindex;
		if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof(m)) < 0 ||
		    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &hops, sizeof(hops)) < 0 ||
		    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof(loop)) < 0 ||
		    setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos)) < 0)
			rc = -errno;
	}
	if (rc == 0 && cfg->sndbuf > 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &cfg->sndbuf, sizeof(cfg->sndbuf)) < 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &cfg->sndbuf, sizeof(cfg->sndbuf)) < 0)
		rc = -errno;
	if (rc < 0)
		sc_logf(&lg, LOG_ERR, "sender options on %s: %s", cfg->iface, strerror(-rc));
	return rc;
}

int mld_send_open(const struct mld_send_cfg *cfg, const struct mld_log *log)
{
	struct sc_logger lg = mldi_logger(log);
	struct sockaddr_storage ss;
	char as[MLD_ADDR_STRLEN];
	int fd, rc, one = 1, sslen;

	if (!cfg || (cfg->family != AF_INET6 && cfg->family != AF_INET))
		return -EINVAL;
	if (cfg->bind_addr && cfg->bind_addr->family != cfg->family) {
		sc_logf(&lg, LOG_ERR, "sender: bind address of another family");
		return -EINVAL;
	}
	fd = socket(cfg->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		sc_logf(&lg, LOG_ERR, "%s socket: %s", fam_name(cfg->family), strerror(-rc));
		return rc;
	}
	if (cfg->family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	rc = mld_send_setup(fd, cfg, log);
	if (rc == 0 && (cfg->bind_addr || cfg->bind_port)) {
		struct mld_addr any = { .family = cfg->family };
		const struct mld_addr *a = cfg->bind_addr ? cfg->bind_addr : &any;

		sslen = mld_addr_to_sockaddr(a, cfg->bind_port, 0, &ss);
		if (bind(fd, (struct sockaddr *)&ss, (socklen_t)sslen) < 0) {
			rc = -errno;
			mld_addr_format(a, as, sizeof(as));
			sc_logf(&lg, LOG_ERR, "sender: bind %s port %u: %s%s", as, cfg->bind_port,
				strerror(-rc), rc == -EADDRNOTAVAIL ? " (not an address of this host)" : "");
		}
	}
	if (rc < 0) {
		close(fd);
		return rc;
	}
	return fd;
}
