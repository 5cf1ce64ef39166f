/* mesh_sockaddr: see mesh_sockaddr.h. */
#include "config.h"

#include "mesh_sockaddr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

void mesh_addr_from_sockaddr(const struct sc_sockaddr *s, struct mesh_addr *m)
{
	memset(m, 0, sizeof(*m));
	if (sc_addr_family(s) == AF_INET6 && !IN6_IS_ADDR_V4MAPPED(&s->u.in6.sin6_addr)) {
		m->family = 6;
		memcpy(m->addr, s->u.in6.sin6_addr.s6_addr, 16);
	} else if (sc_addr_family(s) == AF_INET6) {
		m->family = 4;
		memcpy(m->addr, s->u.in6.sin6_addr.s6_addr + 12, 4);
	} else if (sc_addr_family(s) == AF_INET) {
		m->family = 4;
		memcpy(m->addr, &s->u.in4.sin_addr, 4);
	}
	m->port = sc_addr_port(s);
}

int mesh_addr_to_sockaddr(const struct mesh_addr *m, bool mapped, struct sc_sockaddr *s)
{
	memset(s, 0, sizeof(*s));
	if (m->family != 4 && m->family != 6)
		return -EAFNOSUPPORT;
	if (m->family == 4 && !mapped) {
		s->u.in4.sin_family = AF_INET;
		memcpy(&s->u.in4.sin_addr, m->addr, 4);
		s->u.in4.sin_port = htons(m->port);
		s->len = sizeof(s->u.in4);
		return 0;
	}
	s->u.in6.sin6_family = AF_INET6;
	if (m->family == 6) {
		memcpy(s->u.in6.sin6_addr.s6_addr, m->addr, 16);
	} else {
		s->u.in6.sin6_addr.s6_addr[10] = s->u.in6.sin6_addr.s6_addr[11] = 0xff;
		memcpy(s->u.in6.sin6_addr.s6_addr + 12, m->addr, 4);
	}
	s->u.in6.sin6_port = htons(m->port);
	s->len = sizeof(s->u.in6);
	return 0;
}
