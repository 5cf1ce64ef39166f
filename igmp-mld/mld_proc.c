/* mld_proc: parsers of the kernel's membership files in /proc/net, the
 * fallback and the complement of rtnetlink (mld_memb.c).
 *
 * The kernel writes them with fixed printf formats (net/ipv6/mcast.c,
 * net/ipv4/igmp.c); each parser reads one line at a time from a bounded
 * copy, so that a long or odd line is skipped rather than overrun, and so
 * that a number never reads into the next line. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "mld_internal.h"

#define LINE_MAX_LEN 256

/* Copy the line at *p into buf (NUL-terminated, cut at size - 1) and move
 * *p past it. Returns false at the end of the text. */
static bool next_line(const char **p, char *buf, size_t size)
{
	const char *s = *p, *nl;
	size_t n;

	if (!*s)
		return false;
	nl = strchr(s, '\n');
	n = nl ? (size_t)(nl - s) : strlen(s);
	*p = nl ? nl + 1 : s + n;
	if (n >= size)
		n = size - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* 32 hex digits (the kernel's %pi6) to an IPv6 address. */
static bool parse_hex6(const char *s, struct mld_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (strlen(s) != 32)
		return false;
	for (int i = 0; i < 16; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		a->bytes[i] = (uint8_t)(hi << 4 | lo);
	}
	a->family = AF_INET6;
	return true;
}

static void set_ipv4(struct mld_addr *a, uint32_t network_order)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	memcpy(a->bytes, &network_order, 4);
}

int mldi_proc_igmp6(const char *text, mldi_group_fn fn, void *arg)
{
	char line[LINE_MAX_LEN], name[MLD_IFNAMSIZ], hex[40];
	unsigned idx, users, flags;
	struct mld_addr g;
	int n = 0, rc;

	/* "%-4d %-15s %pi6 %5d %08X %ld" */
	while (next_line(&text, line, sizeof(line))) {
		if (sscanf(line, "%u %15s %39s %u %x", &idx, name, hex, &users, &flags) != 5 ||
		    !parse_hex6(hex, &g))
			continue;
		rc = fn(arg, idx, name, &g, users);
		if (rc)
			return rc;
		n++;
	}
	return n;
}

int mldi_proc_igmp(const char *text, mldi_group_fn fn, void *arg)
{
	char line[LINE_MAX_LEN], name[MLD_IFNAMSIZ] = "";
	unsigned idx = 0, users, word;
	struct mld_addr g;
	int n = 0, rc;

	/* "%d\t%-10s: %5d %7s" per device, then per group
	 * "\t\t\t\t%08X %5d %d:%08lX\t\t%d" with the raw __be32 group. */
	while (next_line(&text, line, sizeof(line))) {
		if (line[0] >= '0' && line[0] <= '9') {
			char *colon = strchr(line, ':');
			unsigned i;

			idx = 0;
			if (!colon || sscanf(line, "%u", &i) != 1)
				continue;
			*colon = '\0';
			if (sscanf(line, "%*u %15s", name) != 1)
				continue;
			idx = i;
		} else if ((line[0] == '\t' || line[0] == ' ') && idx) {
			if (sscanf(line, "%8x %u", &word, &users) != 2)
				continue;
			set_ipv4(&g, word);
			rc = fn(arg, idx, name, &g, users);
			if (rc)
				return rc;
			n++;
		}
	}
	return n;
}

int mldi_proc_mcfilter6(const char *text, mldi_source_fn fn, void *arg)
{
	char line[LINE_MAX_LEN], name[MLD_IFNAMSIZ], gh[40], sh[40];
	unsigned idx, inc, exc;
	struct mld_addr g, s;
	int n = 0, rc;

	/* "%3d %6.6s %pi6 %pi6 %6lu %6lu" */
	while (next_line(&text, line, sizeof(line))) {
		if (sscanf(line, "%u %15s %39s %39s %u %u", &idx, name, gh, sh, &inc, &exc) != 6 ||
		    !parse_hex6(gh, &g) || !parse_hex6(sh, &s))
			continue;
		rc = fn(arg, idx, name, &g, &s, inc, exc);
		if (rc)
			return rc;
		n++;
	}
	return n;
}

int mldi_proc_mcfilter(const char *text, mldi_source_fn fn, void *arg)
{
	char line[LINE_MAX_LEN], name[MLD_IFNAMSIZ];
	unsigned idx, gw, sw, inc, exc;
	struct mld_addr g, s;
	int n = 0, rc;

	/* "%3d %6.6s 0x%08x 0x%08x %6lu %6lu", addresses in host order */
	while (next_line(&text, line, sizeof(line))) {
		if (sscanf(line, "%u %15s 0x%8x 0x%8x %u %u", &idx, name, &gw, &sw, &inc, &exc) != 6)
			continue;
		set_ipv4(&g, htonl(gw));
		set_ipv4(&s, htonl(sw));
		rc = fn(arg, idx, name, &g, &s, inc, exc);
		if (rc)
			return rc;
		n++;
	}
	return n;
}

long mldi_read_file(const char *path, char **out)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap), *nb;
	ssize_t r;
	int fd;

	*out = NULL;
	if (!buf)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return -errno;
	}
	for (;;) {
		if (cap - len < 2) {
			if (cap >= (1u << 26)) /* 64 MiB: not a /proc file we know */
				break;
			nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				close(fd);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = -errno;

			free(buf);
			close(fd);
			return err;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	buf[len] = '\0';
	*out = buf;
	return (long)len;
}
