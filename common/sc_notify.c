/* sc_notify: sd_notify(3) wrappers that compile away without libsystemd. */
#include "config.h"

#include "sc_notify.h"

#include <stdarg.h>
#include <stdio.h>

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

static void notify(const char *msg)
{
#ifdef HAVE_LIBSYSTEMD
	sd_notify(0, msg);
#else
	(void)msg;
#endif
}

void sc_notify_ready(const char *status)
{
	char msg[300];

	snprintf(msg, sizeof(msg), "READY=1%s%s", status ? "\nSTATUS=" : "", status ? status : "");
	notify(msg);
}

void sc_notify_reloading(void)
{
	notify("RELOADING=1");
}

void sc_notify_stopping(void)
{
	notify("STOPPING=1");
}

void sc_notify_status(const char *fmt, ...)
{
	char msg[300];
	va_list ap;
	int n = snprintf(msg, sizeof(msg), "STATUS=");

	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	notify(msg);
}
