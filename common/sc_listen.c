/* sc_listen: default listen addresses that follow the host's address
 * families, and the other loopback for local clients. See sc_listen.h. */
#include "config.h"

#include "sc_listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

bool sc_af_missing(int err)
{
	return err == -EAFNOSUPPORT || err == -EADDRNOTAVAIL;
}

static void set_v4(struct sc_sockaddr *out, uint32_t host_order, uint16_t port)
{
	memset(out, 0, sizeof(*out));
	out->u.in4.sin_family = AF_INET;
	out->u.in4.sin_addr.s_addr = htonl(host_order);
	out->u.in4.sin_port = htons(port);
	out->len = sizeof(out->u.in4);
}

int sc_addr_ipv4_standin(const struct sc_sockaddr *a, struct sc_sockaddr *out)
{
	if (sc_addr_family(a) != AF_INET6 || a->u.in6.sin6_scope_id)
		return -ENOENT;
	if (IN6_IS_ADDR_LOOPBACK(&a->u.in6.sin6_addr))
		set_v4(out, INADDR_LOOPBACK, sc_addr_port(a));
	else if (IN6_IS_ADDR_UNSPECIFIED(&a->u.in6.sin6_addr))
		set_v4(out, INADDR_ANY, sc_addr_port(a));
	else
		return -ENOENT;
	return 0;
}

int sc_addr_other_loopback(const struct sc_sockaddr *a, struct sc_sockaddr *out)
{
	uint16_t port = sc_addr_port(a);

	if (!sc_addr_is_loopback(a))
		return -ENOENT;
	if (sc_addr_family(a) == AF_INET6 && IN6_IS_ADDR_LOOPBACK(&a->u.in6.sin6_addr)) {
		set_v4(out, INADDR_LOOPBACK, port);
		return 0;
	}
	/* 127/8, plain or mapped into IPv6. */
	memset(out, 0, sizeof(*out));
	out->u.in6.sin6_family = AF_INET6;
	out->u.in6.sin6_addr = in6addr_loopback;
	out->u.in6.sin6_port = htons(port);
	out->len = sizeof(out->u.in6);
	return 0;
}

int sc_listen_probe(const struct sc_sockaddr *a, int type)
{
	struct sc_sockaddr p = *a;
	int fd = socket(sc_addr_family(a), type | SOCK_CLOEXEC, 0), rc = 0;

	if (fd < 0)
		return -errno;
	sc_addr_set_port(&p, 0);
	if (bind(fd, &p.u.sa, p.len) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

int sc_listen_pick(struct sc_sockaddr *a, bool dflt, int type, sc_listen_probe_fn probe,
		   const struct sc_logger *lg, const char *what)
{
	char want[SC_ADDR_STRLEN] = "?", took[SC_ADDR_STRLEN] = "?";
	struct sc_sockaddr alt;
	int rc;

	if (!dflt || !a->len)
		return 0;
	if (!probe)
		probe = sc_listen_probe;
	sc_addr_format(a, true, want, sizeof(want));
	rc = probe(a, type);
	if (rc == 0) {
		sc_logf(lg, LOG_INFO, "%s: %s (the default)", what, want);
		return 0;
	}
	/* Anything but a missing family is not the host's doing: the
	 * listener meets it again and says so, about the default. */
	if (!sc_af_missing(rc) || sc_addr_ipv4_standin(a, &alt) < 0 || probe(&alt, type) < 0)
		return 0;
	sc_addr_format(&alt, true, took, sizeof(took));
	sc_logf(lg, LOG_INFO, "%s: %s, the IPv4 stand-in of the default %s (no IPv6 on this host: %s)", what,
		took, want, strerror(-rc));
	*a = alt;
	return 1;
}
