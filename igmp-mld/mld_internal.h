/* mld_internal: what the library's modules share and do not export.
 *
 * Internal functions carry the mldi_ prefix: the installed library exports
 * only mld_*, so these stay hidden while unit tests, linked to the
 * convenience library, can still reach them. */
#ifndef MLD_INTERNAL_H
#define MLD_INTERNAL_H

#include "mld.h"
#include "sc_log.h"

/* The caller's struct mld_log as the sc_logf() helper wants it. */
static inline struct sc_logger mldi_logger(const struct mld_log *l)
{
	struct sc_logger lg = { NULL, NULL, 0 };

	if (l) {
		lg.fn = l->fn;
		lg.ctx = l->ctx;
		lg.max_level = l->max_level;
	}
	return lg;
}

/* Parsers of the kernel's /proc/net membership files, over a NUL-terminated
 * copy of the text. Each calls fn once per line it understands and skips
 * the rest (headers, lines of another shape). A callback that returns
 * non-zero stops the parse, and that value is returned; otherwise the
 * number of entries reported. */
typedef int (*mldi_group_fn)(void *arg, unsigned ifindex, const char *ifname,
			     const struct mld_addr *group, unsigned users);
typedef int (*mldi_source_fn)(void *arg, unsigned ifindex, const char *ifname,
			      const struct mld_addr *group, const struct mld_addr *source,
			      unsigned inc, unsigned exc);
/* /proc/net/igmp6: "idx name group-hex32 users flags timer". */
int mldi_proc_igmp6(const char *text, mldi_group_fn fn, void *arg);
/* /proc/net/igmp: a device line "idx\tname : count querier", then one line
 * per group "\t\t\t\tXXXXXXXX users timer reporter", where the group is the
 * raw network-order word printed as a host-order number. */
int mldi_proc_igmp(const char *text, mldi_group_fn fn, void *arg);
/* /proc/net/mcfilter6: "idx name group-hex32 source-hex32 inc exc". */
int mldi_proc_mcfilter6(const char *text, mldi_source_fn fn, void *arg);
/* /proc/net/mcfilter: "idx name 0xGROUP 0xSOURCE inc exc", host-order hex. */
int mldi_proc_mcfilter(const char *text, mldi_source_fn fn, void *arg);

/* An MLDv2 (IPv6 group) or IGMPv3 (IPv4) report of one record into out:
 * ALLOW {sources}, or TO_EX {} when n is 0. The IGMP checksum is filled;
 * the ICMPv6 one is left 0 for the kernel (raw ICMPv6 sockets checksum
 * themselves). Returns the length, 0 when it does not fit or n > 64. */
size_t mldi_fast_build(uint8_t *out, size_t len, const struct mld_addr *group,
		       const struct mld_addr *sources, size_t n);
/* Send that report on ifindex now, from a raw socket (MLD_RECV_FAST_JOIN).
 * Returns 0, or a negative errno (-EPERM without CAP_NET_RAW,
 * -EPROTONOSUPPORT when the interface is forced to MLDv1/IGMPv1-2). */
int mldi_fast_report(unsigned ifindex, const struct mld_addr *group, const struct mld_addr *sources,
		     size_t n, const struct sc_logger *lg);

/* A libnl error code (NLE_*, negative or not) as a negative errno. */
int mldi_nlerr(int nle);

/* Read a whole (small) file into a NUL-terminated malloc'd buffer. Returns
 * the length, or a negative errno. */
long mldi_read_file(const char *path, char **out);

#endif
