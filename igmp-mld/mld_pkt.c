/* mld_pkt: MLD and IGMP decoders over (buffer, length). See mld_pkt.h and
 * docs/igmp-mld.md for the formats and the rules applied.
 *
 * Each layer checks its bounds before reading a byte. Lengths come from the
 * headers (IPv6 payload length, IPv4 total length) and are compared with
 * what was captured: less captured than declared is "truncated" (a short
 * snap length), a message that does not fit its own declared length is
 * "malformed". Link-layer padding after the IP packet is ignored. */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "mld_pkt.h"
#include "sc_bytes.h"

#define ETH_HLEN 14
#define SLL_HLEN 16
#define SLL2_HLEN 20
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define MAX_VLAN_TAGS 4
#define MAX_EXT_HEADERS 16

/* IPv6 next-header values the walk knows. */
#define NH_HOPOPTS 0
#define NH_ROUTING 43
#define NH_FRAGMENT 44
#define NH_AH 51
#define NH_ICMPV6 58
#define NH_NONE 59
#define NH_DSTOPTS 60

#define ICMPV6_MLD_QUERY 130
#define ICMPV6_MLD_REPORT 131
#define ICMPV6_MLD_DONE 132
#define ICMPV6_MLD2_REPORT 143

#define IGMP_QUERY 0x11
#define IGMP_V1_REPORT 0x12
#define IGMP_V2_REPORT 0x16
#define IGMP_LEAVE 0x17
#define IGMP_V3_REPORT 0x22

#define IPOPT_RA 148 /* IPv4 router alert, RFC 2113 */
#define IP6OPT_RA 5  /* IPv6 router alert, RFC 2711 */

static int fail(struct mld_msg *m, int rc, const char *why)
{
	m->why = why;
	return rc;
}

static void set_addr(struct mld_addr *a, int family, const uint8_t *p)
{
	memset(a, 0, sizeof(*a));
	a->family = family;
	memcpy(a->bytes, p, family == AF_INET6 ? 16 : 4);
}

/* One's complement sum of p[0..n) added to sum, folded later. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += sc_get_be16(p + i);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Maximum response code of MLDv2 (RFC 3810 5.1.3): milliseconds, with a
 * floating-point form from 32768 on. */
static uint32_t mld2_mrc_ms(uint16_t c)
{
	if (c < 32768)
		return c;
	return (uint32_t)((c & 0x0fff) | 0x1000) << (((c >> 12) & 7) + 3);
}

/* The 8-bit floating-point code of IGMPv3 Max Resp Code and of QQIC in both
 * protocols (RFC 3376 4.1.1, 4.1.7; RFC 3810 5.1.9). */
static uint32_t code8(uint8_t c)
{
	if (c < 128)
		return c;
	return (uint32_t)((c & 0x0f) | 0x10) << (((c >> 4) & 7) + 3);
}

/* Check a run of records (MLDv2 or IGMPv3, alen 16 or 4 bytes per address)
 *
 *   +-------------+--------------+-------------------------------+
 *   | Record Type | Aux Data Len |     Number of Sources (N)     |
 *   +-------------+--------------+-------------------------------+
 *   |                 Multicast Address (alen)                    |
 *   |                 Source Address [1..N] (alen each)           |
 *   |                 Auxiliary Data (Aux Data Len x 4)           |
 *   +-------------------------------------------------------------+
 */
static int check_records(struct mld_msg *m, const uint8_t *p, size_t len, unsigned n, size_t alen)
{
	size_t off = 0;
	struct mld_addr g;

	for (unsigned i = 0; i < n; i++) {
		size_t need;

		if (len - off < 4 + alen)
			return fail(m, -EBADMSG, "record header past the end of the message");
		need = 4 + alen + (size_t)sc_get_be16(p + off + 2) * alen + (size_t)p[off + 1] * 4;
		if (len - off < need)
			return fail(m, -EBADMSG, "record sources past the end of the message");
		set_addr(&g, m->family, p + off + 4);
		if (!mld_addr_is_multicast(&g))
			return fail(m, -EBADMSG, "record group is not a multicast address");
		if (p[off] < MLD_REC_IS_IN || p[off] > MLD_REC_BLOCK)
			m->n_unknown++;
		off += need;
	}
	m->priv_body = p;
	m->priv_len = off;
	m->n_records = (uint16_t)n;
	return 0;
}

/* The group of a query: unspecified (general) or multicast. */
static int query_group(struct mld_msg *m, const uint8_t *p)
{
	set_addr(&m->group, m->family, p);
	if (!mld_addr_is_unspecified(&m->group) && !mld_addr_is_multicast(&m->group))
		return fail(m, -EBADMSG, "query group is not a multicast address");
	return 0;
}

/* A v1-style message (MLDv1 report/done, IGMPv1/v2 report, IGMPv2 leave)
 * carries one group at p; it becomes one synthesised record. */
static int single_group(struct mld_msg *m, enum mld_kind kind, const uint8_t *p, size_t alen)
{
	m->kind = kind;
	set_addr(&m->group, m->family, p);
	if (!mld_addr_is_multicast(&m->group))
		return fail(m, -EBADMSG, "report or leave of a non-multicast group");
	m->priv_body = p;
	m->priv_len = alen;
	m->n_records = 1;
	return 0;
}

/* MLD after the ICMPv6 header checks.
 *
 *  MLDv1 (RFC 2710), 24 bytes          MLDv2 query (RFC 3810 5.1), 28 + 16 N
 *  +------+------+----------+          +------+------+----------+
 *  | Type | Code | Checksum |          | 130  | Code | Checksum |
 *  +------+------+----------+          +------+------+----------+
 *  | Max Resp Delay| Rsvd   |          | Max Resp Code | Rsvd   |
 *  +---------------+--------+          +---------------+--------+
 *  | Multicast Address (16) |          | Multicast Address (16) |
 *  +------------------------+          +----+-+---+----+--------+
 *                                      |Resv|S|QRV|QQIC| N (16) |
 *  MLDv2 report (RFC 3810 5.2)         +----+-+---+----+--------+
 *  +------+------+----------+          | Source Address [1..N]  |
 *  | 143  | Rsvd | Checksum |          +------------------------+
 *  +------+------+----------+
 *  | Reserved    | Nr of Mcast Address Records (M) |
 *  +-------------+---------------------------------+
 *  | Multicast Address Record [1..M]               |
 */
static int decode_mld(struct mld_msg *m, const uint8_t *p, size_t len)
{
	m->type = p[0];
	switch (p[0]) {
	case ICMPV6_MLD_QUERY:
		m->kind = MLD_KIND_QUERY;
		if (len == 24) {
			m->version = 1;
			m->max_resp_ms = sc_get_be16(p + 4);
			return query_group(m, p + 8);
		}
		if (len < 28)
			return fail(m, -EBADMSG, "MLD query neither 24 nor 28+ bytes (RFC 3810 8.1)");
		m->version = 2;
		m->max_resp_ms = mld2_mrc_ms(sc_get_be16(p + 4));
		m->suppress = (p[24] & 0x08) != 0;
		m->qrv = p[24] & 0x07;
		m->qqi_s = code8(p[25]);
		m->n_sources = sc_get_be16(p + 26);
		if ((len - 28) / 16 < m->n_sources)
			return fail(m, -EBADMSG, "MLDv2 query sources past the end of the message");
		m->priv_body = p + 28;
		m->priv_len = (size_t)m->n_sources * 16;
		return query_group(m, p + 8);
	case ICMPV6_MLD_REPORT:
	case ICMPV6_MLD_DONE:
		if (len < 24)
			return fail(m, -EBADMSG, "MLDv1 message shorter than 24 bytes");
		m->version = 1;
		return single_group(m, p[0] == ICMPV6_MLD_REPORT ? MLD_KIND_REPORT : MLD_KIND_LEAVE,
				    p + 8, 16);
	case ICMPV6_MLD2_REPORT:
		if (len < 8)
			return fail(m, -EBADMSG, "MLDv2 report shorter than 8 bytes");
		m->version = 2;
		m->kind = MLD_KIND_REPORT;
		return check_records(m, p + 8, len - 8, sc_get_be16(p + 6), 16);
	}
	return fail(m, -ENOMSG, "ICMPv6 message other than MLD");
}

static bool is_mld_type(uint8_t t)
{
	return t == ICMPV6_MLD_QUERY || t == ICMPV6_MLD_REPORT || t == ICMPV6_MLD_DONE ||
	       t == ICMPV6_MLD2_REPORT;
}

/* Hop-by-hop options: TLVs (Pad1 is a lone zero byte). Looks for the
 * router alert with value 0 (MLD, RFC 2711). */
static int hbh_options(struct mld_msg *m, const uint8_t *p, size_t len)
{
	size_t off = 0;

	while (off < len) {
		if (p[off] == 0) {
			off++;
			continue;
		}
		if (len - off < 2 || len - off - 2 < p[off + 1])
			return fail(m, -EBADMSG, "hop-by-hop option past the end of its header");
		if (p[off] == IP6OPT_RA && p[off + 1] == 2 && sc_get_be16(p + off + 2) == 0)
			m->router_alert = true;
		off += 2 + (size_t)p[off + 1];
	}
	return 0;
}

/* The extension header chain from p[0..len) with the first next-header
 * value nh. On success *off is where ICMPv6 starts. */
static int ipv6_chain(struct mld_msg *m, const uint8_t *p, size_t len, uint8_t nh, size_t *off,
		      bool *fragmented)
{
	size_t o = 0, hlen;
	int rc;

	for (int n = 0; n < MAX_EXT_HEADERS; n++) {
		switch (nh) {
		case NH_ICMPV6:
			*off = o;
			return 0;
		case NH_HOPOPTS:
		case NH_ROUTING:
		case NH_DSTOPTS:
		case NH_AH:
			if (nh == NH_HOPOPTS && o != 0)
				return fail(m, -EBADMSG, "hop-by-hop header not first");
			if (len - o < 2)
				return fail(m, -EBADMSG, "extension header past the end of the payload");
			hlen = nh == NH_AH ? ((size_t)p[o + 1] + 2) * 4 : ((size_t)p[o + 1] + 1) * 8;
			if (len - o < hlen)
				return fail(m, -EBADMSG, "extension header past the end of the payload");
			if (nh == NH_HOPOPTS) {
				rc = hbh_options(m, p + o + 2, hlen - 2);
				if (rc < 0)
					return rc;
			}
			break;
		case NH_FRAGMENT:
			hlen = 8;
			if (len - o < hlen)
				return fail(m, -EBADMSG, "fragment header past the end of the payload");
			if (sc_get_be16(p + o + 2) & 0xfff8)
				return fail(m, -ENOMSG, "non-first IPv6 fragment");
			if (sc_get_be16(p + o + 2) & 1)
				*fragmented = true;
			break;
		default:
			return fail(m, -ENOMSG, "IPv6 packet other than ICMPv6");
		}
		nh = p[o];
		o += hlen;
	}
	return fail(m, -EBADMSG, "too many IPv6 extension headers");
}

/*  IPv6 header (RFC 8200)
 *  +-------+---------------+---------------------------------------+
 *  |Version| Traffic Class |              Flow Label               |
 *  +-------+---------------+-------+---------------+---------------+
 *  |        Payload Length         |  Next Header  |   Hop Limit   |
 *  +-------------------------------+---------------+---------------+
 *  |                    Source Address (16 bytes)                  |
 *  |                 Destination Address (16 bytes)                |
 *  +---------------------------------------------------------------+
 */
static int decode_ipv6(struct mld_msg *m, const uint8_t *p, size_t len)
{
	size_t plen, off = 0, ilen;
	bool fragmented = false;
	uint32_t sum;
	int rc;

	if (len < 40)
		return fail(m, -ENODATA, "IPv6 header cut short");
	plen = sc_get_be16(p + 4);
	if (plen == 0)
		return fail(m, -ENOMSG, "IPv6 jumbogram or empty payload");
	if (len - 40 < plen)
		return fail(m, -ENODATA, "IPv6 payload cut short");
	m->family = AF_INET6;
	m->hop_limit = p[7];
	set_addr(&m->src, AF_INET6, p + 8);
	set_addr(&m->dst, AF_INET6, p + 24);
	rc = ipv6_chain(m, p + 40, plen, p[6], &off, &fragmented);
	if (rc < 0)
		return rc;
	ilen = plen - off;
	p += 40 + off;
	if (ilen < 4)
		return fail(m, ilen && !is_mld_type(p[0]) ? -ENOMSG : -EBADMSG, "ICMPv6 header cut short");
	if (!is_mld_type(p[0]))
		return fail(m, -ENOMSG, "ICMPv6 message other than MLD");
	if (fragmented)
		return fail(m, -EBADMSG, "fragmented MLD message");
	/* Pseudo-header: source, destination, upper-layer length, next header. */
	sum = csum_add(0, m->src.bytes, 16);
	sum = csum_add(sum, m->dst.bytes, 16);
	sum += (uint32_t)(ilen >> 16) + (uint32_t)(ilen & 0xffff) + NH_ICMPV6;
	if (csum_fold(csum_add(sum, p, ilen)) != 0)
		return fail(m, -EPROTO, "bad ICMPv6 checksum");
	return decode_mld(m, p, ilen);
}

/* IGMP after the IP header checks.
 *
 *  IGMPv1/v2 (RFC 2236), 8 bytes       IGMPv3 query (RFC 3376 4.1), 12 + 4 N
 *  +------+----------+----------+      +------+----------+----------+
 *  | Type | Max Resp | Checksum |      | 0x11 | Max Resp | Checksum |
 *  +------+----------+----------+      +------+----------+----------+
 *  |     Group Address (4)      |      |     Group Address (4)      |
 *  +----------------------------+      +----+-+---+----+------------+
 *                                      |Resv|S|QRV|QQIC|   N (16)   |
 *  IGMPv3 report (RFC 3376 4.2)        +----+-+---+----+------------+
 *  +------+------+----------+          |   Source Address [1..N]    |
 *  | 0x22 | Rsvd | Checksum |          +----------------------------+
 *  +------+------+----------+
 *  | Reserved    | Number of Group Records (M)     |
 *  +-------------+---------------------------------+
 *  | Group Record [1..M]                           |
 */
static int decode_igmp(struct mld_msg *m, const uint8_t *p, size_t len)
{
	m->type = p[0];
	switch (p[0]) {
	case IGMP_QUERY:
		m->kind = MLD_KIND_QUERY;
		if (len == 8) {
			m->version = p[1] == 0 ? 1 : 2;
			m->max_resp_ms = p[1] == 0 ? 10000 : (uint32_t)p[1] * 100;
			return query_group(m, p + 4);
		}
		if (len < 12)
			return fail(m, -EBADMSG, "IGMP query of 9..11 bytes (RFC 3376 7.1)");
		m->version = 3;
		m->max_resp_ms = code8(p[1]) * 100;
		m->suppress = (p[8] & 0x08) != 0;
		m->qrv = p[8] & 0x07;
		m->qqi_s = code8(p[9]);
		m->n_sources = sc_get_be16(p + 10);
		if ((len - 12) / 4 < m->n_sources)
			return fail(m, -EBADMSG, "IGMPv3 query sources past the end of the message");
		m->priv_body = p + 12;
		m->priv_len = (size_t)m->n_sources * 4;
		return query_group(m, p + 4);
	case IGMP_V1_REPORT:
	case IGMP_V2_REPORT:
		m->version = p[0] == IGMP_V1_REPORT ? 1 : 2;
		return single_group(m, MLD_KIND_REPORT, p + 4, 4);
	case IGMP_LEAVE:
		m->version = 2;
		return single_group(m, MLD_KIND_LEAVE, p + 4, 4);
	case IGMP_V3_REPORT:
		m->version = 3;
		m->kind = MLD_KIND_REPORT;
		return check_records(m, p + 8, len - 8, sc_get_be16(p + 6), 4);
	}
	return fail(m, -ENOMSG, "IGMP message other than query, report or leave");
}

/* IPv4 options: TLVs, with End (0) and NOP (1) single bytes. */
static int ipv4_options(struct mld_msg *m, const uint8_t *p, size_t len)
{
	size_t off = 0;

	while (off < len && p[off] != 0) {
		if (p[off] == 1) {
			off++;
			continue;
		}
		if (len - off < 2 || p[off + 1] < 2 || len - off < p[off + 1])
			return fail(m, -EBADMSG, "IPv4 option past the end of the header");
		if (p[off] == IPOPT_RA && p[off + 1] == 4)
			m->router_alert = true;
		off += p[off + 1];
	}
	return 0;
}

/*  IPv4 header (RFC 791)
 *  +-------+-------+---------------+-------------------------------+
 *  |Version|  IHL  |    DS/ECN     |          Total Length         |
 *  +-------+-------+---------------+-----+-------------------------+
 *  |         Identification        |Flags|     Fragment Offset     |
 *  +---------------+---------------+-----+-------------------------+
 *  |  Time to Live |    Protocol   |        Header Checksum        |
 *  +---------------+---------------+-------------------------------+
 *  |                 Source Address | Destination Address          |
 *  |                 Options (IHL > 5: router alert for IGMP)      |
 *  +---------------------------------------------------------------+
 */
static int decode_ipv4(struct mld_msg *m, const uint8_t *p, size_t len)
{
	size_t hl, total;
	uint16_t frag;
	int rc;

	if (len < 20)
		return fail(m, -ENODATA, "IPv4 header cut short");
	hl = (size_t)(p[0] & 0x0f) * 4;
	total = sc_get_be16(p + 2);
	if (hl < 20 || total < hl)
		return fail(m, -EBADMSG, "IPv4 header length inconsistent");
	if (len < total)
		return fail(m, -ENODATA, "IPv4 packet cut short");
	if (p[9] != IPPROTO_IGMP)
		return fail(m, -ENOMSG, "IPv4 packet other than IGMP");
	if (csum_fold(csum_add(0, p, hl)) != 0)
		return fail(m, -EPROTO, "bad IPv4 header checksum");
	frag = sc_get_be16(p + 6);
	if (frag & 0x1fff)
		return fail(m, -ENOMSG, "non-first IPv4 fragment");
	if (frag & 0x2000)
		return fail(m, -EBADMSG, "fragmented IGMP message");
	m->family = AF_INET;
	m->hop_limit = p[8];
	set_addr(&m->src, AF_INET, p + 12);
	set_addr(&m->dst, AF_INET, p + 16);
	rc = ipv4_options(m, p + 20, hl - 20);
	if (rc < 0)
		return rc;
	if (total - hl < 8)
		return fail(m, -EBADMSG, "IGMP message shorter than 8 bytes");
	if (csum_fold(csum_add(0, p + hl, total - hl)) != 0)
		return fail(m, -EPROTO, "bad IGMP checksum");
	return decode_igmp(m, p + hl, total - hl);
}

static int decode_ip(struct mld_msg *m, const uint8_t *p, size_t len)
{
	if (len < 1)
		return fail(m, -ENODATA, "empty IP packet");
	switch (p[0] >> 4) {
	case 6: return decode_ipv6(m, p, len);
	case 4: return decode_ipv4(m, p, len);
	}
	return fail(m, -EBADMSG, "IP version neither 4 nor 6");
}

int mld_decode_ip(const uint8_t *buf, size_t len, struct mld_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->vlan = -1;
	if (!buf)
		return fail(m, -ENODATA, "no buffer");
	return decode_ip(m, buf, len);
}

/* From an EtherType at p[off], past any VLAN tags, to the IP header. */
static int from_ethertype(struct mld_msg *m, const uint8_t *p, size_t len, size_t off)
{
	uint16_t type;

	for (int tags = 0;; tags++) {
		if (len - off < 2)
			return fail(m, -ENODATA, "frame cut short in its link-layer header");
		type = sc_get_be16(p + off);
		if (type != 0x8100 && type != 0x88a8 && type != 0x9100)
			break;
		if (tags == MAX_VLAN_TAGS)
			return fail(m, -ENOMSG, "too many VLAN tags");
		if (len - off < 4)
			return fail(m, -ENODATA, "frame cut short in a VLAN tag");
		if (m->vlan < 0)
			m->vlan = sc_get_be16(p + off + 2) & 0x0fff;
		off += 4;
	}
	off += 2;
	if (type == ETHERTYPE_IPV6 && len > off && p[off] >> 4 != 6)
		return fail(m, -EBADMSG, "EtherType IPv6 but IP version is not 6");
	if (type == ETHERTYPE_IPV4 && len > off && p[off] >> 4 != 4)
		return fail(m, -EBADMSG, "EtherType IPv4 but IP version is not 4");
	if (type != ETHERTYPE_IPV6 && type != ETHERTYPE_IPV4)
		return fail(m, -ENOMSG, "neither IPv6 nor IPv4");
	return decode_ip(m, p + off, len - off);
}

int mld_decode_frame(int link, const uint8_t *p, size_t len, struct mld_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->vlan = -1;
	if (!p)
		return fail(m, -ENODATA, "no buffer");
	switch (link) {
	case MLD_LINK_ETHERNET:
		/* destination MAC (6), source MAC (6), EtherType (2) */
		if (len < ETH_HLEN)
			return fail(m, -ENODATA, "Ethernet header cut short");
		m->has_mac = true;
		memcpy(m->dst_mac, p, 6);
		memcpy(m->src_mac, p + 6, 6);
		return from_ethertype(m, p, len, 12);
	case MLD_LINK_SLL:
		/* packet type (2), ARPHRD (2), address length (2), address (8),
		 * protocol (2) */
		if (len < SLL_HLEN)
			return fail(m, -ENODATA, "Linux cooked header cut short");
		if (sc_get_be16(p + 4) == 6) {
			m->has_mac = true;
			memcpy(m->src_mac, p + 6, 6);
		}
		return from_ethertype(m, p, len, 14);
	case MLD_LINK_SLL2:
		/* protocol (2), reserved (2), ifindex (4), ARPHRD (2), packet
		 * type (1), address length (1), address (8) */
		if (len < SLL2_HLEN)
			return fail(m, -ENODATA, "Linux cooked v2 header cut short");
		if (p[11] == 6) {
			m->has_mac = true;
			memcpy(m->src_mac, p + 12, 6);
		}
		if (sc_get_be16(p) == ETHERTYPE_IPV6 || sc_get_be16(p) == ETHERTYPE_IPV4)
			return decode_ip(m, p + SLL2_HLEN, len - SLL2_HLEN);
		return fail(m, -ENOMSG, "neither IPv6 nor IPv4");
	case MLD_LINK_RAW:
	case MLD_LINK_IPV4:
	case MLD_LINK_IPV6:
		return decode_ip(m, p, len);
	}
	return fail(m, -EPROTONOSUPPORT, "unknown link layer");
}

int mld_msg_next_record(const struct mld_msg *m, size_t *pos, struct mld_record *r)
{
	size_t alen = m->family == AF_INET6 ? 16 : 4;
	const uint8_t *p;

	memset(r, 0, sizeof(*r));
	if ((m->kind != MLD_KIND_REPORT && m->kind != MLD_KIND_LEAVE) || *pos >= m->priv_len)
		return 0;
	if (m->version == 1 || (m->family == AF_INET && m->version == 2)) {
		/* RFC 3810 8.3.2 / RFC 3376 7.3.2: a v1 report is IS_EX {}, a
		 * Done or Leave is TO_IN {}. */
		r->type = m->kind == MLD_KIND_REPORT ? MLD_REC_IS_EX : MLD_REC_TO_IN;
		r->group = m->group;
		*pos = m->priv_len;
		return 1;
	}
	p = m->priv_body + *pos;
	r->type = p[0];
	r->aux_words = p[1];
	r->n_sources = sc_get_be16(p + 2);
	set_addr(&r->group, m->family, p + 4);
	r->priv_src = p + 4 + alen;
	*pos += 4 + alen + (size_t)r->n_sources * alen + (size_t)r->aux_words * 4;
	return 1;
}

void mld_record_source(const struct mld_record *r, size_t i, struct mld_addr *out)
{
	size_t alen = r->group.family == AF_INET6 ? 16 : 4;

	set_addr(out, r->group.family, r->priv_src + i * alen);
}

void mld_msg_query_source(const struct mld_msg *m, size_t i, struct mld_addr *out)
{
	size_t alen = m->family == AF_INET6 ? 16 : 4;

	set_addr(out, m->family, m->priv_body + i * alen);
}

void mld_pkt_stats_count(struct mld_pkt_stats *s, int rc, const struct mld_msg *m)
{
	s->frames++;
	switch (rc) {
	case 0:
		s->decoded++;
		s->unknown_rec += m->n_unknown;
		break;
	case -ENOMSG: s->ignored++; break;
	case -ENODATA: s->truncated++; break;
	case -EPROTO: s->bad_csum++; break;
	default: s->malformed++; break;
	}
}
