/* mld_addr: the library's address type (IPv6 or IPv4, no port) and the
 * names of its enumerations. See mld.h. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "mld.h"

const char *mld_version(void)
{
	return PACKAGE_VERSION;
}

int mld_addr_parse(const char *text, struct mld_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (!text)
		return -EINVAL;
	if (inet_pton(AF_INET6, text, out->bytes) == 1) {
		out->family = AF_INET6;
		return 0;
	}
	if (inet_pton(AF_INET, text, out->bytes) == 1) {
		out->family = AF_INET;
		return 0;
	}
	memset(out, 0, sizeof(*out));
	return -EINVAL;
}

int mld_addr_format(const struct mld_addr *a, char *buf, size_t len)
{
	char tmp[MLD_ADDR_STRLEN];
	size_t n;

	if (a->family == AF_INET6 || a->family == AF_INET)
		inet_ntop(a->family, a->bytes, tmp, sizeof(tmp));
	else
		strcpy(tmp, "-");
	n = strlen(tmp);
	if (n >= len) {
		if (len)
			buf[0] = '\0';
		return -ENOSPC;
	}
	memcpy(buf, tmp, n + 1);
	return 0;
}

int mld_addr_from_sockaddr(const struct sockaddr *sa, socklen_t len, struct mld_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (sa && sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)sa;

		out->family = AF_INET6;
		memcpy(out->bytes, &s6->sin6_addr, 16);
		return 0;
	}
	if (sa && sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)sa;

		out->family = AF_INET;
		memcpy(out->bytes, &s4->sin_addr, 4);
		return 0;
	}
	return -EINVAL;
}

int mld_addr_to_sockaddr(const struct mld_addr *a, uint16_t port, unsigned scope,
			 struct sockaddr_storage *out)
{
	memset(out, 0, sizeof(*out));
	if (a->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)(void *)out;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		s6->sin6_scope_id = scope;
		memcpy(&s6->sin6_addr, a->bytes, 16);
		return (int)sizeof(*s6);
	}
	if (a->family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)(void *)out;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		memcpy(&s4->sin_addr, a->bytes, 4);
		return (int)sizeof(*s4);
	}
	return -EINVAL;
}

static size_t addr_len(int family)
{
	return family == AF_INET6 ? 16 : family == AF_INET ? 4 : 0;
}

int mld_addr_cmp(const struct mld_addr *a, const struct mld_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->bytes, b->bytes, addr_len(a->family));
}

bool mld_addr_equal(const struct mld_addr *a, const struct mld_addr *b)
{
	return mld_addr_cmp(a, b) == 0;
}

bool mld_addr_is_multicast(const struct mld_addr *a)
{
	if (a->family == AF_INET6)
		return a->bytes[0] == 0xff;
	if (a->family == AF_INET)
		return (a->bytes[0] & 0xf0) == 0xe0;
	return false;
}

bool mld_addr_is_ssm(const struct mld_addr *a)
{
	const uint8_t *b = a->bytes;

	/* ff3x::/32: flags 3 (P and T), prefix length 0 (RFC 4607). */
	if (a->family == AF_INET6)
		return b[0] == 0xff && (b[1] & 0xf0) == 0x30 && b[2] == 0 && b[3] == 0;
	if (a->family == AF_INET)
		return b[0] == 232;
	return false;
}

bool mld_addr_is_unspecified(const struct mld_addr *a)
{
	static const uint8_t zero[16];

	return memcmp(a->bytes, zero, addr_len(a->family)) == 0;
}

const char *mld_mode_name(enum mld_mode mode)
{
	switch (mode) {
	case MLD_MODE_INCLUDE: return "include";
	case MLD_MODE_EXCLUDE: return "exclude";
	}
	return "?";
}

const char *mld_rec_type_name(unsigned type)
{
	static const char *const names[] = { "?", "IS_IN", "IS_EX", "TO_IN", "TO_EX", "ALLOW", "BLOCK" };

	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "?";
}

const char *mld_kind_name(enum mld_kind kind)
{
	switch (kind) {
	case MLD_KIND_QUERY: return "query";
	case MLD_KIND_REPORT: return "report";
	case MLD_KIND_LEAVE: return "leave";
	}
	return "?";
}

const char *mld_link_ev_name(enum mld_link_ev ev)
{
	switch (ev) {
	case MLD_LINK_NEW: return "link-new";
	case MLD_LINK_DEL: return "link-del";
	case MLD_LINK_UP: return "link-up";
	case MLD_LINK_DOWN: return "link-down";
	case MLD_ADDR_NEW: return "addr-new";
	case MLD_ADDR_DEL: return "addr-del";
	case MLD_LINK_RESYNC: return "resync";
	}
	return "?";
}

const char *mld_change_name(enum mld_change c)
{
	switch (c) {
	case MLD_CHANGE_JOIN: return "join";
	case MLD_CHANGE_UPDATE: return "update";
	case MLD_CHANGE_LEAVE: return "leave";
	case MLD_CHANGE_EXPIRE: return "expire";
	}
	return "?";
}
