/* mld_cap: watch the MLD and IGMP messages on an interface with libpcap.
 *
 * Opens a capture with a filter that lets through IGMP and MLD (also behind
 * the IPv6 hop-by-hop header, where a plain "icmp6" filter misses them),
 * decodes every frame with mld_pkt and hands each message to a callback.
 * On a bridge (promiscuous, the default) it sees every host's reports and
 * the querier's queries. Like the netlink watcher it owns no thread: the
 * caller polls mld_cap_fd() and calls mld_cap_dispatch().
 *
 *     mld_cap *c;
 *     struct mld_cap_cfg cc = { .iface = "br0" };
 *     int err = mld_cap_open(&cc, on_msg, ctx, &log, &c);
 *     sc_loop_add_fd(loop, mld_cap_fd(c), SC_LOOP_IN, on_readable, c);
 *     // on_readable: mld_cap_dispatch(c);
 *     // on_msg(ctx, m, ts_us): a decoded query, report or leave
 *
 * Capturing needs CAP_NET_RAW (and CAP_NET_ADMIN for promiscuous mode). */
#ifndef SIXCAST_MLD_CAP_H
#define SIXCAST_MLD_CAP_H

#include "mld_types.h"
#include "mld_pkt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The capture filter (pcap syntax) mld_cap_open() installs. */
extern const char mld_cap_filter[];

struct mld_cap_cfg {
	const char *iface;  /* interface to capture on, or NULL with file */
	const char *file;   /* a pcap file to read instead (tests, post-mortem) */
	bool no_promisc;    /* do not ask for promiscuous mode */
	int snaplen;        /* bytes per frame; 0: 65535 */
	int buffer_bytes;   /* kernel ring size; 0: 2 MiB */
};

/* A decoded message. ts_us: capture time, microseconds since the Unix
 * epoch. m is valid only during the call. */
typedef void (*mld_cap_fn)(void *arg, const struct mld_msg *m, uint64_t ts_us);

typedef struct mld_cap mld_cap;

/* Open a live capture (cfg->iface) or a file (cfg->file). Returns 0 and
 * *out, or:
 *   -ENODEV           no such interface
 *   -EPERM            no permission to capture (needs CAP_NET_RAW / root)
 *   -ENETDOWN         the interface is down
 *   -ENOENT           no such file (cfg->file)
 *   -EPROTONOSUPPORT  a link layer the decoders do not know
 *   -EINVAL           neither or both of iface and file, or a bad cfg
 *   -EIO              any other libpcap error
 * each with the reason logged at LOG_ERR. */
int mld_cap_open(const struct mld_cap_cfg *cfg, mld_cap_fn fn, void *arg,
		 const struct mld_log *log, mld_cap **out);
void mld_cap_free(mld_cap *c);
/* The selectable fd of a live capture (pcap_get_selectable_fd), -1 for a
 * file. Owned by the capture. */
int mld_cap_fd(const mld_cap *c);
/* The link layer of the capture (enum mld_link). */
int mld_cap_link(const mld_cap *c);
/* Process what is pending without blocking: decode every frame and call
 * the callback for each message. On a file, process the next batch of
 * frames. Returns the number of frames handled (0: nothing pending, or the
 * end of a file), or -EIO when the capture failed (the interface went away:
 * the reason is logged). */
int mld_cap_dispatch(mld_cap *c);

struct mld_cap_stats {
	struct mld_pkt_stats pkt; /* decoder counters */
	uint64_t kernel_drops;    /* frames the kernel dropped (ring full) */
};
/* Counters so far. Returns 0. */
int mld_cap_stats_get(mld_cap *c, struct mld_cap_stats *out);

#ifdef __cplusplus
}
#endif
#endif
