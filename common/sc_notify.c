/* sc_notify: systemd's notify protocol, spoken directly: one datagram with
 * the message to the AF_UNIX socket named by $NOTIFY_SOCKET (a path, or an
 * abstract name written with a leading '@'). libsystemd's sd_notify() does
 * the same, but linking libsystemd loads libgcrypt, liblzma, libzstd, liblz4
 * and libcap into every daemon: about 1 MB of RSS for one sendto(). */
#include "config.h"

#include "sc_notify.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void notify(const char *msg)
{
#ifdef HAVE_SD_NOTIFY
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t n;
	int fd;

	if (!path || (path[0] != '/' && path[0] != '@') || (n = strlen(path)) < 2 || n > sizeof(sa.sun_path))
		return;
	memcpy(sa.sun_path, path, n);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	/* Best effort, as sd_notify(): systemd not listening is no error. */
	(void)!sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sa,
		      (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n));
	close(fd);
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
