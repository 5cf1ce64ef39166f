/* noipv6: a kernel without IPv6, for one process. Preloaded
 * (LD_PRELOAD=.../noipv6.so), it makes socket(AF_INET6, ...) fail with
 * EAFNOSUPPORT, as Linux booted with ipv6.disable=1 does, so that a lab can
 * run a daemon as on such a host, which a network namespace cannot give
 * (tests/integration/af_lab.sh). Calls inside the C library itself are not
 * seen; the daemons' own sockets, libcurl's and libmicrohttpd's are. */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <sys/socket.h>

int socket(int domain, int type, int protocol)
{
	static int (*real)(int, int, int);

	if (domain == AF_INET6) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "socket");
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	return real(domain, type, protocol);
}
