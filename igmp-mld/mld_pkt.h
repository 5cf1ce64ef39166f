/* mld_pkt: decoders of MLDv1/MLDv2 (RFC 2710, RFC 3810) and IGMPv1/v2/v3
 * (RFC 1112, RFC 2236, RFC 3376) messages.
 *
 * Pure functions over (buffer, length): no allocation, no state, no I/O.
 * They start at a link-layer frame (Ethernet with 802.1Q/802.1ad tags,
 * Linux cooked v1/v2, raw IP) or at the IP header, walk IPv6 extension
 * headers (hop-by-hop with its router alert, destination options, routing,
 * atomic fragment, AH) and IPv4 options, check lengths and checksums, and
 * validate the whole message before they return, so that iterating its
 * records and sources afterwards cannot fail. They survive anything: a
 * malformed packet is reported through the return value, never a crash.
 *
 * Every message becomes queries, reports or leaves with records of the
 * MLDv2/IGMPv3 model (RFC 3810 8.3.2 / RFC 3376 7.3.2 compatibility):
 * a v1/v2 report is one IS_EX record with no source (an any-source join),
 * an MLDv1 Done / IGMPv2 Leave is one TO_IN record with no source. */
#ifndef SIXCAST_MLD_PKT_H
#define SIXCAST_MLD_PKT_H

#include "mld_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Link layers the frame decoder knows. Values are the pcap DLT_ numbers of
 * Linux, so mld_decode_frame(pcap_datalink(p), ...) works directly. */
enum mld_link {
	MLD_LINK_ETHERNET = 1,  /* DLT_EN10MB */
	MLD_LINK_RAW = 12,      /* DLT_RAW: starts at the IP header */
	MLD_LINK_SLL = 113,     /* DLT_LINUX_SLL: "any" device, cooked v1 */
	MLD_LINK_IPV4 = 228,    /* DLT_IPV4 */
	MLD_LINK_IPV6 = 229,    /* DLT_IPV6 */
	MLD_LINK_SLL2 = 276,    /* DLT_LINUX_SLL2: cooked v2 */
};

enum mld_kind {
	MLD_KIND_QUERY = 1, /* general, group-specific or group-and-source-specific */
	MLD_KIND_REPORT,    /* v1/v2 report (MLD), v1/v2/v3 report (IGMP) */
	MLD_KIND_LEAVE,     /* MLDv1 Done, IGMPv2 Leave Group */
};
/* "query", "report", "leave"; "?" otherwise. */
const char *mld_kind_name(enum mld_kind kind);

/* A decoded message. The pointers inside refer to the decoded buffer: the
 * message is valid as long as the buffer is and unchanged. */
struct mld_msg {
	int family;              /* AF_INET6: MLD; AF_INET: IGMP */
	unsigned version;        /* MLD 1 or 2; IGMP 1, 2 or 3 */
	enum mld_kind kind;
	uint8_t type;            /* ICMPv6 / IGMP type byte */
	struct mld_addr src;     /* IP source (a host's link-local address for MLD) */
	struct mld_addr dst;     /* IP destination */
	uint8_t hop_limit;       /* IPv6 hop limit / IPv4 TTL: 1 when well-behaved */
	bool router_alert;       /* IPv6 hop-by-hop or IPv4 router alert option */
	bool has_mac;            /* the link layer gave MAC addresses */
	uint8_t src_mac[6];
	uint8_t dst_mac[6];      /* zero for Linux cooked captures */
	int vlan;                /* outermost 802.1Q/802.1ad VLAN id, -1 when untagged */
	/* Queries: */
	struct mld_addr group;   /* queried group; unspecified for a general query */
	uint32_t max_resp_ms;    /* maximum response delay, decoded, in ms */
	bool suppress;           /* S flag (v2/v3): routers skip timer updates */
	uint8_t qrv;             /* querier's robustness variable (v2/v3), 0 if none */
	uint32_t qqi_s;          /* querier's query interval, decoded, in s (v2/v3) */
	uint16_t n_sources;      /* sources of a group-and-source-specific query */
	/* Reports and leaves: */
	uint16_t n_records;      /* records (1 for v1/v2 reports and leaves) */
	uint16_t n_unknown;      /* records of unknown type, kept for iteration;
	                            RFC 3810 5.2.12: a receiver ignores them */
	/* Private to the decoder: where the records / query sources start. */
	const uint8_t *priv_body;
	size_t priv_len;
	const char *why;         /* after a failure: a static reason for logs */
};

/* One record of a report (or the synthesised record of a v1 report/leave). */
struct mld_record {
	uint8_t type;            /* enum mld_rec_type, or an unknown value */
	struct mld_addr group;
	uint16_t n_sources;
	uint8_t aux_words;       /* auxiliary data length in 32-bit words (skipped) */
	const uint8_t *priv_src; /* private: the first source in the packet */
};

/* Decode one frame of the given link layer (enum mld_link, or a pcap DLT).
 * Returns 0 and fills m, or:
 *   -ENOMSG           not an MLD/IGMP message (other traffic, not an error)
 *   -ENODATA          truncated: shorter than its headers say (snap length)
 *   -EBADMSG          malformed: bad version, lengths, options, group, ...
 *   -EPROTO           bad IP header, ICMPv6 or IGMP checksum
 *   -EPROTONOSUPPORT  unknown link layer
 * On failure m->why holds a static reason and the other fields are not
 * to be used. */
int mld_decode_frame(int link, const uint8_t *buf, size_t len, struct mld_msg *m);
/* Decode from the IP header (version 6 or 4). Same returns. */
int mld_decode_ip(const uint8_t *buf, size_t len, struct mld_msg *m);

/* The records of a report or leave: start with *pos = 0 and call until it
 * returns 0. Returns 1 and fills r while there are records. */
int mld_msg_next_record(const struct mld_msg *m, size_t *pos, struct mld_record *r);
/* Source i (< r->n_sources) of a record. */
void mld_record_source(const struct mld_record *r, size_t i, struct mld_addr *out);
/* Source i (< m->n_sources) of a group-and-source-specific query. */
void mld_msg_query_source(const struct mld_msg *m, size_t i, struct mld_addr *out);

/* Decode counters, kept by whoever calls the decoders (the pcap watcher
 * keeps one). */
struct mld_pkt_stats {
	uint64_t frames;      /* handed to the decoder */
	uint64_t decoded;     /* MLD/IGMP messages decoded */
	uint64_t ignored;     /* other traffic (-ENOMSG) */
	uint64_t truncated;   /* -ENODATA */
	uint64_t malformed;   /* -EBADMSG, -EPROTONOSUPPORT */
	uint64_t bad_csum;    /* -EPROTO */
	uint64_t unknown_rec; /* records of unknown type inside decoded reports */
};
/* Count one decoder result (rc of mld_decode_*, m as filled). */
void mld_pkt_stats_count(struct mld_pkt_stats *s, int rc, const struct mld_msg *m);

#ifdef __cplusplus
}
#endif
#endif
