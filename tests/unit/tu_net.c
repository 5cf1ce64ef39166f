/* tu_net: loopback clients and event waits for HTTP server tests. See
 * tu_net.h. */
#include "config.h"

#include "tu_net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int tu_connect(const char *host, unsigned port, const char *text)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	socklen_t len;
	int fd;

	if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		len = sizeof(*a6);
	} else if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		len = sizeof(*a4);
	} else {
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&ss, len) < 0 ||
	    (*text && send(fd, text, strlen(text), MSG_NOSIGNAL) != (ssize_t)strlen(text))) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool past(uint64_t deadline)
{
	return sc_clock_now_ns(sc_clock_system()) >= deadline;
}

static uint64_t deadline_from_now(void)
{
	return sc_clock_now_ns(sc_clock_system()) + (uint64_t)TU_NET_DEADLINE_MS * SC_NS_PER_MS;
}

/* Read what is there. Returns 1 on data or nothing, 0 at a close. */
static int drain(int fd, char *buf, size_t cap, size_t *got)
{
	char junk[4096];

	for (;;) {
		char *dst = buf && *got + 1 < cap ? buf + *got : junk;
		size_t room = buf && *got + 1 < cap ? cap - 1 - *got : sizeof(junk);
		ssize_t n = recv(fd, dst, room, MSG_DONTWAIT);

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
			return 0;
		if (n < 0)
			return 1;
		if (dst != junk) {
			*got += (size_t)n;
			buf[*got] = '\0';
		}
	}
}

bool tu_wait_closed(sc_loop *loop, int fd, char *buf, size_t cap)
{
	uint64_t end = deadline_from_now();
	size_t got = 0;

	if (buf && cap)
		buf[0] = '\0';
	while (!past(end)) {
		sc_loop_run_once(loop, 10);
		if (drain(fd, buf, cap, &got) == 0)
			return true;
	}
	return false;
}

bool tu_wait_text(sc_loop *loop, int fd, const char *needle, char *buf, size_t cap)
{
	uint64_t end = deadline_from_now();
	size_t got = 0;

	buf[0] = '\0';
	while (!past(end)) {
		int open;

		sc_loop_run_once(loop, 10);
		open = drain(fd, buf, cap, &got);
		if (strstr(buf, needle))
			return true;
		if (!open)
			return false;
	}
	return false;
}

bool tu_pump_until(sc_loop *loop, bool (*cond)(void *arg), void *arg)
{
	uint64_t end = deadline_from_now();

	while (!cond(arg)) {
		if (past(end))
			return false;
		sc_loop_run_once(loop, 10);
	}
	return true;
}

bool tu_still_open(int fd)
{
	size_t got = 0;

	return drain(fd, NULL, 0, &got) == 1;
}
