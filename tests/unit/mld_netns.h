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
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	return 0;
}

#endif
