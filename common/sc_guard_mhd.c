/* sc_guard_mhd: sc_guard through libmicrohttpd's callbacks; see
 * sc_guard_mhd.h. */
#include "config.h"

#include "sc_guard_mhd.h"

#include <sys/socket.h>

void sc_guard_mhd_split(const struct sc_guard_limits *lim, struct sc_guard_limits *guard, unsigned *timeout_s,
			unsigned *hard_limit)
{
	uint64_t s = (lim->idle_ns + SC_NS_PER_S - 1) / SC_NS_PER_S;

	*guard = *lim;
	guard->idle_ns = 0;
	if (!guard->keep_ns)
		guard->keep_ns = lim->idle_ns;
	*timeout_s = s > 86400 ? 86400 : (unsigned)s;
	/* Room for connections closed by the guard but not yet by MHD: an
	 * MHD run accepts a handful before it closes them. */
	*hard_limit = lim->max_conns ? lim->max_conns + lim->max_conns / 8 + 64 : 0;
}

static sc_guard_conn *guard_conn(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

static int peer_of(const struct sockaddr *sa, struct sc_sockaddr *out)
{
	if (!sa)
		return -1;
	return sc_addr_from_sa(sa, sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
				   sizeof(struct sockaddr_in), out);
}

enum MHD_Result sc_guard_mhd_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
	struct sc_sockaddr peer = { 0 };

	if (sc_addr_from_sa(addr, addrlen, &peer) < 0)
		return MHD_YES;
	return sc_guard_check(cls, &peer) == 0 ? MHD_YES : MHD_NO;
}

void sc_guard_mhd_notify(void *cls, struct MHD_Connection *c, void **socket_context,
			 enum MHD_ConnectionNotificationCode code)
{
	const union MHD_ConnectionInfo *ci;
	struct sc_sockaddr peer = { 0 };

	if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		sc_guard_remove(*socket_context);
		*socket_context = NULL;
		return;
	}
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	peer_of(ci ? ci->client_addr : NULL, &peer);
	/* Out of memory: the connection goes unguarded rather than refused. */
	*socket_context = sc_guard_add(cls, &peer, c);
}

void sc_guard_mhd_request_done(struct MHD_Connection *c)
{
	sc_guard_request_done(guard_conn(c));
}

void sc_guard_mhd_request_next(struct MHD_Connection *c, enum MHD_RequestTerminationCode code)
{
	if (code == MHD_REQUEST_TERMINATED_COMPLETED_OK)
		sc_guard_request_next(guard_conn(c));
}

void sc_guard_mhd_close(void *arg, void *conn, enum sc_guard_why why)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);

	(void)arg;
	(void)why;
	if (ci)
		shutdown(ci->connect_fd, SHUT_RDWR);
}
