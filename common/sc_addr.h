/* sc_addr: socket addresses as an ISP engineer writes them, and back.
 *
 * Accepted forms: "[2001:db8::1]:5000", "[fe80::1%eth0]:5000", "2001:db8::1"
 * (no port), "[2001:db8::1]", "192.0.2.1:5000", "192.0.2.1". A scope id may
 * be an interface name or a number. Formatting produces the same forms, so a
 * parsed-then-formatted address reads the same in logs as in the config.
 *
 * Also: interface name <-> index, multicast and SSM range tests, and IPv6/
 * IPv4 prefixes with longest-prefix matching for metro tables. */
#ifndef SC_ADDR_H
#define SC_ADDR_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct sc_sockaddr {
	union {
		struct sockaddr sa;
		struct sockaddr_in in4;
		struct sockaddr_in6 in6;
		struct sockaddr_storage ss;
	} u;
	socklen_t len; /* 0 when empty */
};

/* Longest text sc_addr_format() writes, with the NUL: "[" addr "%" ifname
 * "]:" port. */
#define SC_ADDR_STRLEN (INET6_ADDRSTRLEN + IF_NAMESIZE + 10)

/* Parse text into out. default_port is used when the text has none.
 * Returns 0, or -EINVAL for anything that is not an address in the forms
 * above (out is then zeroed), or -ENODEV for a scope naming no interface. */
int sc_addr_parse(const char *text, uint16_t default_port, struct sc_sockaddr *out);

/* Format into buf (at least SC_ADDR_STRLEN to never truncate). with_port
 * false leaves the port and brackets out. Returns 0, -EINVAL for an empty or
 * unknown-family address, -ENOSPC when buf is too small. */
int sc_addr_format(const struct sc_sockaddr *a, bool with_port, char *buf, size_t len);

/* Build from a sockaddr the kernel gave (recvfrom, getsockname). Returns 0 or
 * -EINVAL for a family other than AF_INET/AF_INET6 or a short length. */
int sc_addr_from_sa(const struct sockaddr *sa, socklen_t len, struct sc_sockaddr *out);

/* A non-blocking, close-on-exec TCP socket listening on a; "[::]" takes
 * IPv4 clients too. Returns the fd, or a negative errno. */
int sc_tcp_listen(const struct sc_sockaddr *a, int backlog);
/* The port socket fd is bound to; 0 when it cannot be read. */
uint16_t sc_sock_port(int fd);

/* An IPv4 address mapped into IPv6 (::ffff:a.b.c.d, what a dual-stack
 * socket reports of an IPv4 peer) as plain IPv4; any other address as it
 * is. out may be a. */
void sc_addr_unmap(const struct sc_sockaddr *a, struct sc_sockaddr *out);

int sc_addr_family(const struct sc_sockaddr *a);
uint16_t sc_addr_port(const struct sc_sockaddr *a);
void sc_addr_set_port(struct sc_sockaddr *a, uint16_t port);
/* Same family, address, port and (IPv6) scope. */
bool sc_addr_equal(const struct sc_sockaddr *a, const struct sc_sockaddr *b);
bool sc_addr_is_multicast(const struct sc_sockaddr *a);
/* Source-specific multicast ranges: ff3x::/32 (RFC 4607) and 232.0.0.0/8. */
bool sc_addr_is_ssm(const struct sc_sockaddr *a);
/* Loopback: ::1, 127.0.0.0/8, and 127/8 mapped into IPv6 (::ffff:127.x). */
bool sc_addr_is_loopback(const struct sc_sockaddr *a);

/* Interface by name or by decimal index ("eth0", "3"). Returns 0 and the
 * index, -EINVAL for an empty or over-long name, -ENODEV if none exists. */
int sc_if_index(const char *name_or_index, unsigned *index);
/* Name of an interface index into buf[IF_NAMESIZE]. Returns 0 or -ENODEV. */
int sc_if_name(unsigned index, char buf[IF_NAMESIZE]);

/* An IPv6 or IPv4 prefix, as in a metro table. */
struct sc_prefix {
	int family;        /* AF_INET6 or AF_INET */
	uint8_t addr[16];  /* network byte order; IPv4 in the first 4 bytes */
	unsigned len;      /* prefix length in bits */
};

/* "2001:db8:1::/48" or "10.1.0.0/16" (a bare address is a host prefix).
 * Bits past the length must be zero. Returns 0 or -EINVAL. */
int sc_prefix_parse(const char *text, struct sc_prefix *out);
/* "2001:db8:1::/48". Returns 0 or -ENOSPC. */
int sc_prefix_format(const struct sc_prefix *p, char *buf, size_t len);
/* Whether the address (of the same family) falls inside the prefix. An
 * IPv4-mapped IPv6 address (::ffff:a.b.c.d) matches IPv4 prefixes. */
bool sc_prefix_contains(const struct sc_prefix *p, const struct sc_sockaddr *a);
/* Index of the longest prefix of table[0..n) holding a, or -1 for none. */
int sc_prefix_longest_match(const struct sc_prefix *table, size_t n, const struct sc_sockaddr *a);

#endif
