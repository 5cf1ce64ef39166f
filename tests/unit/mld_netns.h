/* mld_netns: move a unit test into a network namespace of its own.
 *
 * As root, unshare(CLONE_NEWNET); otherwise in a new user namespace too,
 * mapped to root inside, which Debian allows unprivileged. The namespace
 * starts with lo down and nothing else; tu_netns_private() brings lo up
 * and gives IPv6 multicast a route through it (as Linux does for any real
 * interface), so that sockets can send to a group on lo and receive it
 * back. A test there may also create veth pairs with `ip`: the changes
 * are its own and vanish with the process. Header-only. */
#ifndef MLD_NETNS_H
#define MLD_NETNS_H

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define TU_SRC6_A "2001:db8:7::1"
#define TU_SRC6_B "2001:db8:7::2"
#define TU_SRC4_A "10.77.0.1"
#define TU_SRC4_B "10.77.0.2"

static inline int tu_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		rc = -EIO;
	close(fd);
	return rc;
}

/* Whether ifname runs: IFF_RUNNING (the operational state, which the
 * kernel's linkwatch sets later than `ip link set up` returns; until then
 * a multicast sent out of it is dropped) and, with IPv6, its link-local
 * address. Read through the namespace's own socket and /proc/net (sysfs
 * would show the namespace that mounted it). */
static inline bool tu_netns_link_runs(const char *ifname)
{
	struct ifreq ifr;
	char addr[40], name[32];
	unsigned ifi, plen, scope, flags;
	bool ll = false;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc;
	FILE *fp;

	if (fd < 0)
		return false;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	rc = ioctl(fd, SIOCGIFFLAGS, &ifr);
	close(fd);
	if (rc < 0 || !(ifr.ifr_flags & IFF_UP) || !(ifr.ifr_flags & IFF_RUNNING))
		return false;
	if (!(fp = fopen("/proc/net/if_inet6", "r")))
		return true; /* no IPv6: the flags say it all */
	while (fscanf(fp, "%39s %x %x %x %x %31s", addr, &ifi, &plen, &scope, &flags, name) == 6)
		ll |= !strcmp(name, ifname) && scope == 0x20 && !(flags & 0x40); /* not IFA_F_TENTATIVE */
	fclose(fp);
	return ll;
}

/* Wait until both ends of the veth run: 20 s at most, a bound for a stuck
 * kernel, not a measurement (a busy machine runs linkwatch late: a test
 * that sent at once lost its first datagram beside stress-ng). The kernel
 * offers no event to wait on from here, so its state is read every 10 ms. */
static inline bool tu_netns_links_run(void)
{
	for (int i = 0; i < 2000; i++) {
		if (tu_netns_link_runs("mldt0") && tu_netns_link_runs("mldt1"))
			return true;
		usleep(10000);
	}
	return false;
}

/* Returns 0 once inside, or a negative errno (the caller then skips what
 * needs the namespace and says so). */
static inline int tu_netns_private(void)
{
	char map[64];
	unsigned uid = (unsigned)getuid(), gid = (unsigned)getgid();

	if (unshare(CLONE_NEWNET) < 0) {
		if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
			return -errno;
		tu_write_file("/proc/self/setgroups", "deny");
		snprintf(map, sizeof(map), "0 %u 1", uid);
		if (tu_write_file("/proc/self/uid_map", map) < 0)
			return -EPERM;
		snprintf(map, sizeof(map), "0 %u 1", gid);
		if (tu_write_file("/proc/self/gid_map", map) < 0)
			return -EPERM;
	}
	/* No duplicate address detection: link-local addresses usable at once,
	 * as in the lab (a raw socket cannot send from a tentative one). */
	tu_write_file("/proc/sys/net/ipv6/conf/all/accept_dad", "0");
	tu_write_file("/proc/sys/net/ipv6/conf/default/accept_dad", "0");
	if (system("ip link set lo up && ip link add mldt0 type veth peer name mldt1 && "
		   "ip link set mldt0 up && ip link set mldt1 up && "
		   "ip addr add " TU_SRC6_A "/64 dev mldt0 nodad && "
		   "ip addr add " TU_SRC6_B "/64 dev mldt0 nodad && "
		   "ip addr add " TU_SRC4_A "/24 dev mldt0 && ip addr add " TU_SRC4_B "/24 dev mldt0 && "
		   "ip route add 224.0.0.0/4 dev mldt0") != 0)
		return -EIO;
	/* The sender's IPv4 addresses are this namespace's own: let mldt1
	 * accept packets from them instead of dropping them as martians. */
	tu_write_file("/proc/sys/net/ipv4/conf/all/rp_filter", "0");
	tu_write_file("/proc/sys/net/ipv4/conf/mldt1/rp_filter", "0");
	tu_write_file("/proc/sys/net/ipv4/conf/all/accept_local", "1");
	tu_write_file("/proc/sys/net/ipv4/conf/mldt1/accept_local", "1");
	return tu_netns_links_run() ? 0 : -ETIMEDOUT;
}

#endif
