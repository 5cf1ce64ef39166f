/* sc_guard_mhd: an sc_guard on libmicrohttpd, for the daemons' HTTP ports
 * (sc_httpd: the edge's; mg_http: the management server's).
 *
 * MHD's own MHD_OPTION_CONNECTION_TIMEOUT is an idle timeout that every
 * received byte resets, so a request head sent one line every few seconds
 * lives for ever, and its MHD_OPTION_PER_IP_CONNECTION_LIMIT refuses
 * without a trace. The guard takes their place:
 *
 *  - MHD's accept policy callback (MHD_start_daemon's apc) is
 *    sc_guard_mhd_accept: a refused connection is closed by MHD before a
 *    byte of it is read; a full server evicts its oldest half-sent request;
 *  - MHD_OPTION_NOTIFY_CONNECTION calls sc_guard_mhd_notify, which
 *    registers each connection (its socket context) and removes it when
 *    MHD has closed it;
 *  - the access handler calls sc_guard_mhd_request_done() once it has the
 *    whole request, and MHD_OPTION_NOTIFY_COMPLETED
 *    sc_guard_mhd_request_next() when the connection is kept alive;
 *  - the guard closes a connection by shutting its socket down (MHD owns
 *    the fd, so no close): MHD sees the end of the stream at its next run
 *    and closes the connection the usual way, with the usual callbacks.
 *
 * MHD keeps the idle timeout (idle_ns, in whole seconds), which covers a
 * slow answer; the guard's own idle list is off, since it never sees the
 * bytes. MHD's connection limit must sit above the guard's: a connection
 * the guard closed counts for MHD until MHD has run. */
#ifndef SC_GUARD_MHD_H
#define SC_GUARD_MHD_H

#include <microhttpd.h>

#include "sc_guard.h"

/* Split limits between the guard (*guard: no idle list; keep_ns, when 0,
 * becomes idle_ns) and MHD (*timeout_s for MHD_OPTION_CONNECTION_TIMEOUT,
 * *hard_limit for MHD_OPTION_CONNECTION_LIMIT). */
void sc_guard_mhd_split(const struct sc_guard_limits *lim, struct sc_guard_limits *guard, unsigned *timeout_s,
			unsigned *hard_limit);

/* MHD_AcceptPolicyCallback; cls is the sc_guard. */
enum MHD_Result sc_guard_mhd_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen);
/* MHD_NotifyConnectionCallback; cls is the sc_guard. */
void sc_guard_mhd_notify(void *cls, struct MHD_Connection *c, void **socket_context,
			 enum MHD_ConnectionNotificationCode code);
/* The access handler has the whole request (head and body). */
void sc_guard_mhd_request_done(struct MHD_Connection *c);
/* From MHD_OPTION_NOTIFY_COMPLETED: the answer went out whole, the next
 * request may follow on this connection. */
void sc_guard_mhd_request_next(struct MHD_Connection *c, enum MHD_RequestTerminationCode code);
/* The guard's close callback (arg unused, conn the MHD_Connection). */
void sc_guard_mhd_close(void *arg, void *conn, enum sc_guard_why why);

#endif
