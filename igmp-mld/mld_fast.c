/* mld_fast: send a join's state-change report at once (MLD_RECV_FAST_JOIN).
 *
 * After a join, Linux sends its MLDv2/IGMPv3 state-change report from a
 * timer two jiffies later (8 ms at HZ=250, 20 ms at HZ=100), and the
 * snooping switches open the path only when they see it: for a zapping
 * viewer that is most of the join-to-first-packet time in a LAN. With
 * CAP_NET_RAW the library sends the same report itself, right after the
 * kernel accepted the join, from a raw socket: ALLOW {sources} for a
 * source-specific join, TO_EX {} for an any-source one, exactly what the
 * kernel's own report will say. The kernel's reports and retransmissions
 * follow as usual; a duplicate report is harmless. Without the capability,
 * when the interface is forced to MLDv1/IGMPv2 (where a v2/v3 report would
 * be ignored), or while IPv6 has no usable link-local address yet (duplicate
 * address detection: the kernel then reports from ::, a raw socket cannot),
 * nothing is sent and the kernel's report does the job. */
#include "config.h"

#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mld_internal.h"
#include "sc_addr.h"
#include "sc_bytes.h"

#define MAX_FAST_SOURCES 64

size_t mldi_fast_build(uint8_t *out, size_t len, const struct mld_addr *group,
		       const struct mld_addr *sources, size_t n)
{
	size_t alen = group->family == AF_INET6 ? 16 : 4, need = 8 + 4 + alen * (n + 1);
	uint8_t *r = out + 8;
	uint32_t sum = 0;

	if (len < need || n > MAX_FAST_SOURCES)
		return 0;
	memset(out, 0, need);
	/* MLDv2 report (143) or IGMPv3 report (0x22): type, reserved/code,
	 * checksum, reserved (2), number of records (2) = 1. */
	out[0] = group->family == AF_INET6 ? 143 : 0x22;
	sc_put_be16(out + 6, 1);
	r[0] = n ? MLD_REC_ALLOW : MLD_REC_TO_EX;
	sc_put_be16(r + 2, (uint16_t)n);
	memcpy(r + 4, group->bytes, alen);
	for (size_t i = 0; i < n; i++)
		memcpy(r + 4 + alen * (i + 1), sources[i].bytes, alen);
	if (group->family == AF_INET) {
		/* IGMP checksums itself; ICMPv6's is the kernel's (RFC 3542). */
		for (size_t i = 0; i < need; i += 2)
			sum += sc_get_be16(out + i);
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		sc_put_be16(out + 2, (uint16_t)~sum);
	}
	return need;
}

/* The interface's forced protocol version (0: none), from /proc/sys. */
static int forced_version(int family, unsigned ifindex)
{
	char name[IF_NAMESIZE], path[128], *text = NULL;
	int v = 0;

	if (sc_if_name(ifindex, name) < 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/sys/net/%s/conf/%s/%s", family == AF_INET6 ? "ipv6" : "ipv4",
		 name, family == AF_INET6 ? "force_mld_version" : "force_igmp_version");
	if (mldi_read_file(path, &text) > 0)
		v = atoi(text);
	free(text);
	return v;
}

static int raw_socket(int family, unsigned ifindex)
{
	static const uint8_t hbh_ra[8] = { 0, 0, 5, 2, 0, 0, 1, 0 }; /* router alert, PadN */
	static const uint8_t ip_ra[4] = { 0x94, 0x04, 0, 0 };
	int fd, one = 1, zero = 0, tos = 0xc0;

	fd = socket(family, SOCK_RAW | SOCK_CLOEXEC, family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_IGMP);
	if (fd < 0)
		return -errno;
	if (family == AF_INET6) {
		int idx = (int)ifindex;

		if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &idx, sizeof(idx)) < 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &one, sizeof(one)) < 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &zero, sizeof(zero)) < 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_HOPOPTS, hbh_ra, sizeof(hbh_ra)) < 0)
			goto fail;
	} else {
		struct ip_mreqn m;

		memset(&m, 0, sizeof(m));
		m.imr_ifindex = (int)ifindex;
		if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof(m)) < 0 ||
		    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &one, sizeof(one)) < 0 ||
		    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &zero, sizeof(zero)) < 0 ||
		    setsockopt(fd, IPPROTO_IP, IP_OPTIONS, ip_ra, sizeof(ip_ra)) < 0 ||
		    setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos)) < 0)
			goto fail;
	}
	return fd;
fail:
	one = -errno;
	close(fd);
	return one;
}

int mldi_fast_report(unsigned ifindex, const struct mld_addr *group, const struct mld_addr *sources,
		     size_t n, const struct sc_logger *lg)
{
	uint8_t msg[8 + 4 + 16 * (MAX_FAST_SOURCES + 1)];
	struct mld_addr all;
	struct sockaddr_storage to;
	int fd, rc, tolen, v = forced_version(group->family, ifindex);
	size_t len;

	if (v == 1 || (group->family == AF_INET && v == 2))
		return -EPROTONOSUPPORT;
	len = mldi_fast_build(msg, sizeof(msg), group, sources, n);
	if (!len)
		return -E2BIG;
	fd = raw_socket(group->family, ifindex);
	if (fd < 0) {
		sc_logf(lg, LOG_DEBUG, "fast join report: %s (the kernel's report follows)", strerror(-fd));
		return fd;
	}
	/* All MLDv2-capable routers / all IGMPv3-capable routers. */
	mld_addr_parse(group->family == AF_INET6 ? "ff02::16" : "224.0.0.22", &all);
	tolen = mld_addr_to_sockaddr(&all, 0, group->family == AF_INET6 ? ifindex : 0, &to);
	rc = sendto(fd, msg, len, 0, (struct sockaddr *)&to, (socklen_t)tolen) < 0 ? -errno : 0;
	if (rc < 0)
		sc_logf(lg, LOG_DEBUG, "fast join report: %s", strerror(-rc));
	close(fd);
	return rc;
}
