/* sc_addr: parsing and formatting of socket addresses and prefixes, and
 * interface lookups. See sc_addr.h for the accepted forms. */
#include "config.h"

#include "sc_addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int parse_u32(const char *s, size_t n, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 10)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

int sc_if_index(const char *name, unsigned *index)
{
	size_t n = name ? strlen(name) : 0;
	uint32_t v;

	if (n == 0 || n >= IF_NAMESIZE)
		return -EINVAL;
	if (parse_u32(name, n, UINT32_MAX, &v) == 0) {
		char buf[IF_NAMESIZE];

		if (v == 0 || !if_indextoname(v, buf))
			return -ENODEV;
		*index = v;
		return 0;
	}
	v = if_nametoindex(name);
	if (v == 0)
		return -ENODEV;
	*index = v;
	return 0;
}

int sc_if_name(unsigned index, char buf[IF_NAMESIZE])
{
	return if_indextoname(index, buf) ? 0 : -ENODEV;
}

/* Parse "addr" or "addr%scope" (IPv6 only) into out, port left at 0. */
static int parse_host(const char *s, size_t n, bool bracketed, struct sc_sockaddr *out)
{
	char host[INET6_ADDRSTRLEN + 1], scope[IF_NAMESIZE + 1];
	const char *pct = memchr(s, '%', n);
	size_t hn = pct ? (size_t)(pct - s) : n;
	unsigned idx = 0;
	int rc;

	if (hn == 0 || hn >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, hn);
	host[hn] = '\0';
	if (pct) {
		size_t sn = n - hn - 1;

		if (sn == 0 || sn >= sizeof(scope))
			return -EINVAL;
		memcpy(scope, pct + 1, sn);
		scope[sn] = '\0';
		rc = sc_if_index(scope, &idx);
		if (rc < 0)
			return rc;
	}
	if (inet_pton(AF_INET6, host, &out->u.in6.sin6_addr) == 1) {
		out->u.in6.sin6_family = AF_INET6;
		out->u.in6.sin6_scope_id = idx;
		out->len = sizeof(out->u.in6);
		return 0;
	}
	if (!pct && !bracketed && inet_pton(AF_INET, host, &out->u.in4.sin_addr) == 1) {
		out->u.in4.sin_family = AF_INET;
		out->len = sizeof(out->u.in4);
		return 0;
	}
	return -EINVAL;
}

static int split_and_parse(const char *text, uint16_t default_port, struct sc_sockaddr *out)
{
	size_t n = strlen(text);
	const char *host = text, *port = NULL;
	size_t hn = n;
	bool bracketed = false;
	uint32_t p = default_port;
	int rc;

	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (!close)
			return -EINVAL;
		host = text + 1;
		hn = (size_t)(close - host);
		bracketed = true;
		if (close[1] == ':')
			port = close + 2;
		else if (close[1] != '\0')
			return -EINVAL;
	} else {
		const char *colon = strchr(text, ':');

		/* One colon is IPv4 host:port; more is a bare IPv6 address. */
		if (colon && !strchr(colon + 1, ':')) {
			hn = (size_t)(colon - text);
			port = colon + 1;
		}
	}
	if (port && parse_u32(port, strlen(port), 65535, &p) < 0)
		return -EINVAL;
	rc = parse_host(host, hn, bracketed, out);
	if (rc < 0)
		return rc;
	sc_addr_set_port(out, (uint16_t)p);
	return 0;
}

int sc_addr_parse(const char *text, uint16_t default_port, struct sc_sockaddr *out)
{
	int rc;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!text || !*text)
		return -EINVAL;
	rc = split_and_parse(text, default_port, out);
	if (rc < 0)
		memset(out, 0, sizeof(*out));
	return rc;
}

int sc_addr_from_sa(const struct sockaddr *sa, socklen_t len, struct sc_sockaddr *out)
{
	memset(out, 0, sizeof(*out));
	if (!sa)
		return -EINVAL;
	if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		memcpy(&out->u.in6, sa, sizeof(out->u.in6));
		out->len = sizeof(out->u.in6);
		return 0;
	}
	if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
		memcpy(&out->u.in4, sa, sizeof(out->u.in4));
		out->len = sizeof(out->u.in4);
		return 0;
	}
	return -EINVAL;
}

int sc_tcp_listen(const struct sc_sockaddr *a, int backlog)
{
	int fd = socket(sc_addr_family(a), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1, zero = 0, e;

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (sc_addr_family(a) == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, &a->u.sa, a->len) < 0 || listen(fd, backlog) < 0) {
		e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

uint16_t sc_sock_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct sc_sockaddr a;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0 || sc_addr_from_sa((struct sockaddr *)&ss, len, &a) < 0)
		return 0;
	return sc_addr_port(&a);
}

int sc_addr_format(const struct sc_sockaddr *a, bool with_port, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN], scope[IF_NAMESIZE + 12] = "";
	int n;

	if (!a || !buf || a->len == 0)
		return -EINVAL;
	if (a->u.sa.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &a->u.in6.sin6_addr, host, sizeof(host));
		if (a->u.in6.sin6_scope_id) {
			char name[IF_NAMESIZE];

			if (sc_if_name(a->u.in6.sin6_scope_id, name) == 0)
				snprintf(scope, sizeof(scope), "%%%s", name);
			else
				snprintf(scope, sizeof(scope), "%%%u", a->u.in6.sin6_scope_id);
		}
		n = with_port ? snprintf(buf, len, "[%s%s]:%u", host, scope, sc_addr_port(a))
			      : snprintf(buf, len, "%s%s", host, scope);
	} else if (a->u.sa.sa_family == AF_INET) {
		inet_ntop(AF_INET, &a->u.in4.sin_addr, host, sizeof(host));
		n = with_port ? snprintf(buf, len, "%s:%u", host, sc_addr_port(a))
			      : snprintf(buf, len, "%s", host);
	} else {
		return -EINVAL;
	}
	return (n < 0 || (size_t)n >= len) ? -ENOSPC : 0;
}

void sc_addr_unmap(const struct sc_sockaddr *a, struct sc_sockaddr *out)
{
	struct sc_sockaddr m = *a;

	if (sc_addr_family(a) == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&a->u.in6.sin6_addr)) {
		memset(&m, 0, sizeof(m));
		m.u.in4.sin_family = AF_INET;
		m.u.in4.sin_port = a->u.in6.sin6_port;
		memcpy(&m.u.in4.sin_addr, &a->u.in6.sin6_addr.s6_addr[12], 4);
		m.len = sizeof(m.u.in4);
	}
	*out = m;
}

int sc_addr_family(const struct sc_sockaddr *a)
{
	return a && a->len ? a->u.sa.sa_family : AF_UNSPEC;
}

uint16_t sc_addr_port(const struct sc_sockaddr *a)
{
	switch (sc_addr_family(a)) {
	case AF_INET6:
		return ntohs(a->u.in6.sin6_port);
	case AF_INET:
		return ntohs(a->u.in4.sin_port);
	default:
		return 0;
	}
}

void sc_addr_set_port(struct sc_sockaddr *a, uint16_t port)
{
	switch (sc_addr_family(a)) {
	case AF_INET6:
		a->u.in6.sin6_port = htons(port);
		break;
	case AF_INET:
		a->u.in4.sin_port = htons(port);
		break;
	default:
		break;
	}
}

bool sc_addr_equal(const struct sc_sockaddr *a, const struct sc_sockaddr *b)
{
	int f = sc_addr_family(a);

	if (f != sc_addr_family(b) || sc_addr_port(a) != sc_addr_port(b))
		return false;
	if (f == AF_INET6)
		return memcmp(&a->u.in6.sin6_addr, &b->u.in6.sin6_addr, 16) == 0 &&
		       a->u.in6.sin6_scope_id == b->u.in6.sin6_scope_id;
	if (f == AF_INET)
		return a->u.in4.sin_addr.s_addr == b->u.in4.sin_addr.s_addr;
	return false;
}

bool sc_addr_is_multicast(const struct sc_sockaddr *a)
{
	switch (sc_addr_family(a)) {
	case AF_INET6:
		return a->u.in6.sin6_addr.s6_addr[0] == 0xff;
	case AF_INET:
		return (ntohl(a->u.in4.sin_addr.s_addr) >> 28) == 0xe;
	default:
		return false;
	}
}

bool sc_addr_is_ssm(const struct sc_sockaddr *a)
{
	const uint8_t *b;

	switch (sc_addr_family(a)) {
	case AF_INET6:
		/* ff3x::/32: flags 3 (P and T set), prefix length 0. */
		b = a->u.in6.sin6_addr.s6_addr;
		return b[0] == 0xff && (b[1] & 0xf0) == 0x30 && b[2] == 0 && b[3] == 0;
	case AF_INET:
		return (ntohl(a->u.in4.sin_addr.s_addr) >> 24) == 232;
	default:
		return false;
	}
}

int sc_prefix_parse(const char *text, struct sc_prefix *out)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *slash;
	size_t hn, max, full;
	uint32_t len;

	if (!text || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	slash = strchr(text, '/');
	hn = slash ? (size_t)(slash - text) : strlen(text);
	if (hn == 0 || hn >= sizeof(host))
		return -EINVAL;
	memcpy(host, text, hn);
	host[hn] = '\0';
	if (inet_pton(AF_INET6, host, out->addr) == 1) {
		out->family = AF_INET6;
		max = 128;
	} else if (inet_pton(AF_INET, host, out->addr) == 1) {
		out->family = AF_INET;
		max = 32;
	} else {
		return -EINVAL;
	}
	len = (uint32_t)max;
	if (slash && parse_u32(slash + 1, strlen(slash + 1), (uint32_t)max, &len) < 0)
		goto bad;
	out->len = len;
	/* Host bits set is almost always a typo in a metro table: refuse it. */
	full = len / 8;
	for (size_t i = full; i < max / 8; i++) {
		uint8_t mask = i == full ? (uint8_t)(0xff >> (len % 8)) : 0xff;

		if (out->addr[i] & mask)
			goto bad;
	}
	return 0;
bad:
	memset(out, 0, sizeof(*out));
	return -EINVAL;
}

int sc_prefix_format(const struct sc_prefix *p, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];
	int n;

	if (!p || (p->family != AF_INET6 && p->family != AF_INET))
		return -EINVAL;
	inet_ntop(p->family, p->addr, host, sizeof(host));
	n = snprintf(buf, len, "%s/%u", host, p->len);
	return (n < 0 || (size_t)n >= len) ? -ENOSPC : 0;
}

/* The address bytes to compare against a prefix of the given family, or
 * NULL when the address cannot belong to it. */
static const uint8_t *addr_bytes(const struct sc_sockaddr *a, int family)
{
	static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	int f = sc_addr_family(a);

	if (f == family)
		return f == AF_INET6 ? a->u.in6.sin6_addr.s6_addr : (const uint8_t *)&a->u.in4.sin_addr;
	if (f == AF_INET6 && family == AF_INET && memcmp(a->u.in6.sin6_addr.s6_addr, v4mapped, 12) == 0)
		return a->u.in6.sin6_addr.s6_addr + 12;
	return NULL;
}

bool sc_addr_is_loopback(const struct sc_sockaddr *a)
{
	const uint8_t *b4 = addr_bytes(a, AF_INET);

	if (sc_addr_family(a) == AF_INET6 && IN6_IS_ADDR_LOOPBACK(&a->u.in6.sin6_addr))
		return true;
	return b4 && b4[0] == 127;
}

bool sc_prefix_contains(const struct sc_prefix *p, const struct sc_sockaddr *a)
{
	const uint8_t *b = p ? addr_bytes(a, p->family) : NULL;
	unsigned full;

	if (!b)
		return false;
	full = p->len / 8;
	if (memcmp(b, p->addr, full) != 0)
		return false;
	if (p->len % 8) {
		uint8_t mask = (uint8_t)(0xff << (8 - p->len % 8));

		return (b[full] & mask) == p->addr[full];
	}
	return true;
}

int sc_prefix_longest_match(const struct sc_prefix *table, size_t n, const struct sc_sockaddr *a)
{
	int best = -1;

	for (size_t i = 0; i < n; i++)
		if (sc_prefix_contains(&table[i], a) && (best < 0 || table[i].len > table[best].len))
			best = (int)i;
	return best;
}
