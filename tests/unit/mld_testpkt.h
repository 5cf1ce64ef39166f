/* mld_testpkt: builders of well-formed MLD and IGMP packets (from the IP
 * header, checksums right) for the igmp-mld tests and benchmarks. Written
 * apart from the decoder on purpose: the checksum and layouts here follow
 * the RFCs directly, so that a decoder bug cannot hide behind a builder
 * sharing its code. Header-only; every function is static. */
#ifndef MLD_TESTPKT_H
#define MLD_TESTPKT_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct tp_rec {
	unsigned type;        /* record type (1..6, or anything for tests) */
	const char *group;
	const char *src[4];   /* NULL-terminated, up to 4 */
};

static inline size_t tp_put_addr(uint8_t *p, const char *a)
{
	if (strchr(a, ':')) {
		if (inet_pton(AF_INET6, a, p) != 1)
			memset(p, 0, 16);
		return 16;
	}
	if (inet_pton(AF_INET, a, p) != 1)
		memset(p, 0, 4);
	return 4;
}

static inline uint16_t tp_csum(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sum += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Wrap an ICMPv6 body (checksum field zero) behind an IPv6 header and the
 * usual hop-by-hop header with router alert. Returns the packet length. */
static inline size_t tp_ipv6(uint8_t *out, const char *src, const char *dst, const uint8_t *body,
			     size_t n)
{
	static const uint8_t hbh[8] = { 58, 0, 5, 2, 0, 0, 1, 0 };
	uint32_t sum = 0;
	uint16_t c;

	memset(out, 0, 40);
	out[0] = 0x60;
	out[4] = (uint8_t)((n + 8) >> 8), out[5] = (uint8_t)(n + 8);
	out[6] = 0, out[7] = 1;
	tp_put_addr(out + 8, src);
	tp_put_addr(out + 24, dst);
	memcpy(out + 40, hbh, 8);
	memcpy(out + 48, body, n);
	for (int i = 8; i < 40; i += 2)
		sum += (uint32_t)out[i] << 8 | out[i + 1];
	sum += (uint32_t)n + 58;
	c = tp_csum(sum, out + 48, n);
	out[50] = (uint8_t)(c >> 8), out[51] = (uint8_t)c;
	return 48 + n;
}

/* Wrap an IGMP body (checksum field zero) behind an IPv4 header with the
 * router alert option. */
static inline size_t tp_ipv4(uint8_t *out, const char *src, const char *dst, const uint8_t *body,
			     size_t n)
{
	uint16_t c;

	memset(out, 0, 24);
	out[0] = 0x46, out[1] = 0xc0;
	out[2] = (uint8_t)((n + 24) >> 8), out[3] = (uint8_t)(n + 24);
	out[6] = 0x40, out[8] = 1, out[9] = 2;
	tp_put_addr(out + 12, src);
	tp_put_addr(out + 16, dst);
	out[20] = 0x94, out[21] = 4;
	c = tp_csum(0, out, 24);
	out[10] = (uint8_t)(c >> 8), out[11] = (uint8_t)c;
	memcpy(out + 24, body, n);
	c = tp_csum(0, out + 24, n);
	out[26] = (uint8_t)(c >> 8), out[27] = (uint8_t)c;
	return 24 + n;
}

/* An MLDv2 (host is IPv6) or IGMPv3 (IPv4) report from host with the given
 * records. out needs 48 + 8 + n * (20 + 4 * 16) bytes at most. */
static inline size_t tp_report(uint8_t *out, const char *host, const struct tp_rec *r, size_t n)
{
	static uint8_t b[65536];
	bool v6 = strchr(host, ':') != NULL;
	size_t len = 8;

	memset(b, 0, 8);
	b[0] = v6 ? 143 : 0x22;
	b[6] = (uint8_t)(n >> 8), b[7] = (uint8_t)n;
	for (size_t i = 0; i < n; i++) {
		size_t ns = 0;

		while (ns < 4 && r[i].src[ns])
			ns++;
		b[len] = (uint8_t)r[i].type, b[len + 1] = 0, b[len + 2] = 0, b[len + 3] = (uint8_t)ns;
		len += 4;
		len += tp_put_addr(b + len, r[i].group);
		for (size_t k = 0; k < ns; k++)
			len += tp_put_addr(b + len, r[i].src[k]);
	}
	return v6 ? tp_ipv6(out, host, "ff02::16", b, len) : tp_ipv4(out, host, "224.0.0.22", b, len);
}

/* One record with nsrc generated sources (IGMPv3 when v4, else MLDv2). */
static inline size_t tp_report_many(uint8_t *out, const char *host, unsigned type, const char *group,
				    unsigned nsrc)
{
	static uint8_t b[65536];
	bool v6 = strchr(host, ':') != NULL;
	size_t alen = v6 ? 16 : 4, len = 8;

	memset(b, 0, sizeof(b));
	b[0] = v6 ? 143 : 0x22;
	b[7] = 1;
	b[8] = (uint8_t)type, b[10] = (uint8_t)(nsrc >> 8), b[11] = (uint8_t)nsrc;
	len += 4;
	len += tp_put_addr(b + len, group);
	for (unsigned i = 0; i < nsrc; i++, len += alen) {
		b[len] = v6 ? 0x20 : 10;
		b[len + alen - 2] = (uint8_t)((i + 1) >> 8), b[len + alen - 1] = (uint8_t)(i + 1);
	}
	return v6 ? tp_ipv6(out, host, "ff02::16", b, len) : tp_ipv4(out, host, "224.0.0.22", b, len);
}

/* MLDv1 report/done (IPv6 host) or IGMPv2 report/leave (IPv4 host). */
static inline size_t tp_v1(uint8_t *out, const char *host, const char *group, bool leave)
{
	uint8_t b[24];

	memset(b, 0, sizeof(b));
	if (strchr(host, ':')) {
		b[0] = leave ? 132 : 131;
		tp_put_addr(b + 8, group);
		return tp_ipv6(out, host, leave ? "ff02::2" : group, b, 24);
	}
	b[0] = leave ? 0x17 : 0x16;
	tp_put_addr(b + 4, group);
	return tp_ipv4(out, host, leave ? "224.0.0.2" : group, b, 8);
}

/* A v2/v3 general query with the given robustness, interval (s, < 128)
 * and maximum response (ms; tenths of a second for IGMP). */
static inline size_t tp_query(uint8_t *out, const char *querier, unsigned qrv, unsigned qqi_s,
			      unsigned mrd_ms)
{
	uint8_t b[28];

	memset(b, 0, sizeof(b));
	if (strchr(querier, ':')) {
		b[0] = 130;
		b[4] = (uint8_t)(mrd_ms >> 8), b[5] = (uint8_t)mrd_ms;
		b[24] = (uint8_t)qrv, b[25] = (uint8_t)qqi_s;
		return tp_ipv6(out, querier, "ff02::1", b, 28);
	}
	b[0] = 0x11, b[1] = (uint8_t)(mrd_ms / 100);
	b[8] = (uint8_t)qrv, b[9] = (uint8_t)qqi_s;
	return tp_ipv4(out, querier, "224.0.0.1", b, 12);
}

#endif
