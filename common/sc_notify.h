/* sc_notify: tell systemd how a daemon is doing (Type=notify services).
 *
 * Each call is a no-op when the daemon was built --without-systemd or
 * does not run under systemd (no NOTIFY_SOCKET), so daemons call them
 * unconditionally. */
#ifndef SC_NOTIFY_H
#define SC_NOTIFY_H

#include "sc_log.h"

/* Start-up is complete; status is a one-line summary (may be NULL). */
void sc_notify_ready(const char *status);
/* A SIGHUP reload begins; follow with sc_notify_ready() when done. */
void sc_notify_reloading(void);
/* A clean stop begins. */
void sc_notify_stopping(void);
/* A new status line, shown by systemctl status. */
void sc_notify_status(const char *fmt, ...) SC_PRINTF(1, 2);

#endif
