/* mld_types: what every part of libsixcast-igmp-mld shares: addresses,
 * logging, the filter modes and record types of MLDv2/IGMPv3. Include
 * <mld.h> rather than this file. */
#ifndef SIXCAST_MLD_TYPES_H
#define SIXCAST_MLD_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A log callback: level is a syslog priority (LOG_ERR .. LOG_DEBUG), msg a
 * NUL-terminated line without newline, valid only during the call. */
typedef void (*mld_log_fn)(void *ctx, int level, const char *msg);

/* Where the library logs. fn NULL: nothing is logged. Messages with a level
 * above max_level (e.g. LOG_DEBUG when max_level is LOG_INFO) are not even
 * formatted. Functions copy it; the caller may reuse the struct. */
struct mld_log {
	mld_log_fn fn;
	void *ctx;
	int max_level;
};

/* The library's version, "MAJOR.MINOR.PATCH". A static string. */
const char *mld_version(void);

/* An IPv6 or IPv4 address without port. Always zero the struct before
 * filling it by hand (or use the functions below), so that two equal
 * addresses compare equal byte for byte. */
struct mld_addr {
	int family;        /* AF_INET6, AF_INET, or 0 for "no address" */
	uint8_t bytes[16]; /* network byte order; IPv4 in bytes[0..3], rest 0 */
};

/* Longest text mld_addr_format() writes, with the NUL. */
#define MLD_ADDR_STRLEN 46

/* "2001:db8::1" or "192.0.2.1" (no brackets, port or scope). Returns 0,
 * or -EINVAL (out is then zeroed). */
int mld_addr_parse(const char *text, struct mld_addr *out);
/* The text form into buf (MLD_ADDR_STRLEN never truncates); "-" for a
 * family-0 address. Returns 0, or -ENOSPC when buf is too small. */
int mld_addr_format(const struct mld_addr *a, char *buf, size_t len);
/* From a struct sockaddr_in6 / sockaddr_in; the port and scope are dropped.
 * Returns 0 or -EINVAL for another family or a short length. */
int mld_addr_from_sockaddr(const struct sockaddr *sa, socklen_t len, struct mld_addr *out);
/* To a sockaddr with port (host order) and, for IPv6, scope id (an
 * interface index, 0 for none). Returns the length written, or -EINVAL for
 * a family-0 address. */
int mld_addr_to_sockaddr(const struct mld_addr *a, uint16_t port, unsigned scope,
			 struct sockaddr_storage *out);
bool mld_addr_equal(const struct mld_addr *a, const struct mld_addr *b);
/* Orders by family, then bytes (memcmp-like: <0, 0, >0). */
int mld_addr_cmp(const struct mld_addr *a, const struct mld_addr *b);
bool mld_addr_is_multicast(const struct mld_addr *a);
/* Source-specific ranges: ff3x::/32 (RFC 4607) and 232.0.0.0/8. Any-source
 * joins there are refused: Linux accepts them and nothing ever arrives. */
bool mld_addr_is_ssm(const struct mld_addr *a);
/* All-zero address of its family (::, 0.0.0.0), or family 0. */
bool mld_addr_is_unspecified(const struct mld_addr *a);

/* Filter mode of a membership (RFC 3810 / RFC 3376). INCLUDE with sources
 * is a source-specific join; EXCLUDE with no source is an any-source join. */
enum mld_mode {
	MLD_MODE_INCLUDE = 1,
	MLD_MODE_EXCLUDE = 2,
};
/* "include" / "exclude", "?" otherwise. Never NULL. */
const char *mld_mode_name(enum mld_mode mode);

/* Record types of MLDv2 and IGMPv3 reports (same values in both). */
enum mld_rec_type {
	MLD_REC_IS_IN = 1, /* MODE_IS_INCLUDE: current state, answer to a query */
	MLD_REC_IS_EX = 2, /* MODE_IS_EXCLUDE */
	MLD_REC_TO_IN = 3, /* CHANGE_TO_INCLUDE_MODE: TO_IN {} is a leave */
	MLD_REC_TO_EX = 4, /* CHANGE_TO_EXCLUDE_MODE: TO_EX {} is an ASM join */
	MLD_REC_ALLOW = 5, /* ALLOW_NEW_SOURCES: an SSM join adds its source */
	MLD_REC_BLOCK = 6, /* BLOCK_OLD_SOURCES: an SSM leave removes it */
};
/* "IS_IN", "IS_EX", "TO_IN", "TO_EX", "ALLOW", "BLOCK"; "?" for others. */
const char *mld_rec_type_name(unsigned type);

#ifdef __cplusplus
}
#endif

#endif
