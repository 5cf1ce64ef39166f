/* Unit tests of the MLD/IGMP decoders (igmp-mld/mld_pkt.c): frames captured
 * in the lab (mld_captured.h), hand-built packets for every version and
 * every extension-header and option variant, malformed and truncated
 * packets, and random garbage. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mld.h"
#include "mld_captured.h"
#include "tu.h"

/* ---- a small packet writer ---- */

struct w {
	uint8_t b[4096];
	size_t n;
};

static void put8(struct w *w, unsigned v)
{
	w->b[w->n++] = (uint8_t)v;
}

static void put16(struct w *w, unsigned v)
{
	put8(w, v >> 8);
	put8(w, v & 0xff);
}

static void putn(struct w *w, const void *p, size_t n)
{
	memcpy(w->b + w->n, p, n);
	w->n += n;
}

static void put6(struct w *w, const char *a)
{
	uint8_t x[16];

	CU_ASSERT_FATAL(inet_pton(AF_INET6, a, x) == 1);
	putn(w, x, 16);
}

static void put4(struct w *w, const char *a)
{
	uint8_t x[4];

	CU_ASSERT_FATAL(inet_pton(AF_INET, a, x) == 1);
	putn(w, x, 4);
}

static uint16_t csum(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sum += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* An IPv6 packet: header, ext (whose own next-header fields the caller
 * set), then body (ICMPv6 with its checksum computed unless bad_csum). */
static size_t ip6(uint8_t *out, const char *src, const char *dst, uint8_t hlim, uint8_t first_nh,
		  const struct w *ext, const struct w *body, bool bad_csum)
{
	struct w h = { .n = 0 };
	uint8_t *icmp;
	uint32_t sum = 0;
	size_t plen = (ext ? ext->n : 0) + body->n;

	put8(&h, 0x60), put8(&h, 0), put16(&h, 0);
	put16(&h, (unsigned)plen), put8(&h, first_nh), put8(&h, hlim);
	put6(&h, src), put6(&h, dst);
	if (ext)
		putn(&h, ext->b, ext->n);
	icmp = h.b + h.n;
	putn(&h, body->b, body->n);
	if (body->n >= 4) {
		icmp[2] = icmp[3] = 0;
		for (int i = 0; i < 32; i += 2)
			sum += (uint32_t)h.b[8 + i] << 8 | h.b[9 + i];
		sum += (uint32_t)body->n + 58;
		uint16_t c = csum(sum, icmp, body->n) ^ (bad_csum ? 0x5555 : 0);
		icmp[2] = (uint8_t)(c >> 8), icmp[3] = (uint8_t)c;
	}
	memcpy(out, h.b, h.n);
	return h.n;
}

/* The usual hop-by-hop header: router alert (MLD) and PadN. */
static void hbh_ra(struct w *e, uint8_t next)
{
	put8(e, next), put8(e, 0);
	put8(e, 5), put8(e, 2), put16(e, 0); /* router alert, value 0 */
	put8(e, 1), put8(e, 0);              /* PadN, 0 bytes of data */
}

/* An IPv4 packet with the given options (a multiple of 4 bytes) and body,
 * IP header and IGMP checksums right unless told. */
static size_t ip4(uint8_t *out, const char *src, const char *dst, uint8_t proto, const struct w *opt,
		  const struct w *body, bool bad_ipcsum, bool bad_csum)
{
	struct w h = { .n = 0 };
	size_t hl = 20 + (opt ? opt->n : 0);
	uint16_t c;

	put8(&h, 0x40 | (unsigned)(hl / 4)), put8(&h, 0xc0), put16(&h, (unsigned)(hl + body->n));
	put16(&h, 0), put16(&h, 0x4000);
	put8(&h, 1), put8(&h, proto), put16(&h, 0);
	put4(&h, src), put4(&h, dst);
	if (opt)
		putn(&h, opt->b, opt->n);
	c = csum(0, h.b, hl) ^ (bad_ipcsum ? 0x1111 : 0);
	h.b[10] = (uint8_t)(c >> 8), h.b[11] = (uint8_t)c;
	putn(&h, body->b, body->n);
	if (body->n >= 4) {
		h.b[hl + 2] = h.b[hl + 3] = 0;
		c = csum(0, h.b + hl, body->n) ^ (bad_csum ? 0x2222 : 0);
		h.b[hl + 2] = (uint8_t)(c >> 8), h.b[hl + 3] = (uint8_t)c;
	}
	memcpy(out, h.b, h.n);
	return h.n;
}

static const struct w ra4 = { { 0x94, 0x04, 0x00, 0x00 }, 4 };

static void addr_is(const struct mld_addr *a, const char *want)
{
	char s[MLD_ADDR_STRLEN];

	mld_addr_format(a, s, sizeof(s));
	CU_ASSERT_STRING_EQUAL(s, want);
	if (strcmp(s, want) != 0)
		printf("\n    got %s, wanted %s\n", s, want);
}

/* Record i of m: type, group, first source (or NULL for none), count. */
static void record_is(const struct mld_msg *m, size_t i, unsigned type, const char *group,
		      size_t nsrc, const char *src0)
{
	struct mld_record r;
	struct mld_addr a;
	size_t pos = 0;

	for (size_t k = 0; k <= i; k++)
		CU_ASSERT_FATAL(mld_msg_next_record(m, &pos, &r) == 1);
	CU_ASSERT_EQUAL(r.type, type);
	addr_is(&r.group, group);
	CU_ASSERT_EQUAL(r.n_sources, nsrc);
	if (src0 && r.n_sources) {
		mld_record_source(&r, 0, &a);
		addr_is(&a, src0);
	}
}

static size_t count_records(const struct mld_msg *m)
{
	struct mld_record r;
	size_t pos = 0, n = 0;

	while (mld_msg_next_record(m, &pos, &r))
		n++;
	return n;
}

#define DECODE(arr, m) mld_decode_frame(MLD_LINK_ETHERNET, arr, sizeof(arr), m)

/* ---- captured frames ---- */

static void test_captured_mldv2_reports(void)
{
	struct mld_msg m;

	CU_ASSERT_EQUAL_FATAL(DECODE(cap_22, &m), 0);
	CU_ASSERT_EQUAL(m.family, AF_INET6);
	CU_ASSERT_EQUAL(m.version, 2);
	CU_ASSERT_EQUAL(m.kind, MLD_KIND_REPORT);
	CU_ASSERT_EQUAL(m.type, 143);
	CU_ASSERT(m.router_alert);
	CU_ASSERT_EQUAL(m.hop_limit, 1);
	CU_ASSERT(m.has_mac);
	CU_ASSERT_EQUAL(memcmp(m.src_mac, cap_22 + 6, 6), 0);
	CU_ASSERT_EQUAL(m.vlan, -1);
	addr_is(&m.src, "fe80::ec2c:39ff:fe0e:3df");
	addr_is(&m.dst, "ff02::16");
	CU_ASSERT_EQUAL(m.n_records, 1);
	record_is(&m, 0, MLD_REC_ALLOW, "ff3e::8000:1", 2, "2001:db8::1");

	CU_ASSERT_EQUAL_FATAL(DECODE(cap_25, &m), 0);
	CU_ASSERT_EQUAL(m.n_records, 3);
	CU_ASSERT_EQUAL(count_records(&m), 3);
	record_is(&m, 0, MLD_REC_IS_IN, "ff3e::8000:1", 2, "2001:db8::1");
	record_is(&m, 1, MLD_REC_IS_EX, "ff02::1:ff00:1", 0, NULL);

	CU_ASSERT_EQUAL_FATAL(DECODE(cap_27, &m), 0);
	record_is(&m, 0, MLD_REC_BLOCK, "ff3e::8000:1", 2, "2001:db8::2");
	record_is(&m, 1, MLD_REC_TO_EX, "ff05::8000:2", 0, NULL);

	CU_ASSERT_EQUAL_FATAL(DECODE(cap_35, &m), 0);
	record_is(&m, 0, MLD_REC_TO_IN, "ff05::8000:2", 0, NULL);
	CU_ASSERT_EQUAL(m.n_unknown, 0);
}

static void test_captured_igmpv3_reports(void)
{
	struct mld_msg m;
	struct mld_record r;
	struct mld_addr a;
	size_t pos = 0;

	CU_ASSERT_EQUAL_FATAL(DECODE(cap_36, &m), 0);
	CU_ASSERT_EQUAL(m.family, AF_INET);
	CU_ASSERT_EQUAL(m.version, 3);
	CU_ASSERT_EQUAL(m.kind, MLD_KIND_REPORT);
	CU_ASSERT(m.router_alert);
	CU_ASSERT_EQUAL(m.hop_limit, 1);
	addr_is(&m.src, "10.1.0.1");
	addr_is(&m.dst, "224.0.0.22");
	CU_ASSERT_FATAL(mld_msg_next_record(&m, &pos, &r) == 1);
	CU_ASSERT_EQUAL(r.type, MLD_REC_ALLOW);
	addr_is(&r.group, "232.1.0.1");
	CU_ASSERT_EQUAL_FATAL(r.n_sources, 2);
	mld_record_source(&r, 1, &a);
	addr_is(&a, "10.0.0.2");
	CU_ASSERT_EQUAL(mld_msg_next_record(&m, &pos, &r), 0);

	CU_ASSERT_EQUAL_FATAL(DECODE(cap_39, &m), 0);
	record_is(&m, 0, MLD_REC_BLOCK, "232.1.0.1", 2, "10.0.0.2");
	record_is(&m, 1, MLD_REC_TO_EX, "239.1.0.2", 0, NULL);
	CU_ASSERT_EQUAL_FATAL(DECODE(cap_47, &m), 0);
	record_is(&m, 0, MLD_REC_IS_EX, "239.1.0.2", 0, NULL);
	CU_ASSERT_EQUAL_FATAL(DECODE(cap_49, &m), 0);
	record_is(&m, 0, MLD_REC_TO_IN, "239.1.0.2", 0, NULL);
	/* A host without an address yet reports from 0.0.0.0. */
	CU_ASSERT_EQUAL_FATAL(DECODE(cap_8, &m), 0);
	addr_is(&m.src, "0.0.0.0");
	record_is(&m, 0, MLD_REC_TO_EX, "224.0.0.106", 0, NULL);
}

static void test_captured_queries(void)
{
	struct mld_msg m;

	CU_ASSERT_EQUAL_FATAL(DECODE(cap_18, &m), 0); /* MLDv2, HBH with Pad1 Pad1 */
	CU_ASSERT_EQUAL(m.kind, MLD_KIND_QUERY);
	CU_ASSERT_EQUAL(m.version, 2);
	CU_ASSERT(m.router_alert);
	CU_ASSERT(mld_addr_is_unspecified(&m.group));
	CU_ASSERT_EQUAL(m.max_resp_ms, 1000);
	CU_ASSERT_EQUAL(m.qrv, 2);
	CU_ASSERT_EQUAL(m.qqi_s, 5);
	CU_ASSERT_FALSE(m.suppress);
	CU_ASSERT_EQUAL(m.n_sources, 0);
	CU_ASSERT_EQUAL(count_records(&m), 0);

	CU_ASSERT_EQUAL_FATAL(DECODE(cap_17, &m), 0); /* IGMPv3 */
	CU_ASSERT_EQUAL(m.kind, MLD_KIND_QUERY);
	CU_ASSERT_EQUAL(m.version, 3);
	CU_ASSERT_EQUAL(m.max_resp_ms, 1000);
	CU_ASSERT_EQUAL(m.qrv, 2);
	CU_ASSERT_EQUAL(m.qqi_s, 5);
	addr_is(&m.src, "10.0.0.254");

	CU_ASSERT_EQUAL_FATAL(DECODE(cap_62, &m), 0); /* MLDv1 */
	CU_ASSERT_EQUAL(m.version, 1);
	CU_ASSERT_EQUAL(m.max_resp_ms, 1000);
	CU_ASSERT_EQUAL(m.qrv, 0);

	CU_ASSERT_EQUAL_FATAL(DECODE(cap_61, &m), 0); /* IGMPv2: 10 tenths */
	CU_ASSERT_EQUAL(m.version, 2);
	CU_ASSERT_EQUAL(m.max_resp_ms, 1000);
}

static void test_captured_v1_v2(void)
{
	struct mld_msg m;

	CU_ASSERT_EQUAL_FATAL(DECODE(cap_50, &m), 0); /* MLDv1 report */
	CU_ASSERT_EQUAL(m.version, 1);
	CU_ASSERT_EQUAL(m.kind, MLD_KIND_REPORT);
	addr_is(&m.group, "ff05::8000:3");
	CU_ASSERT_EQUAL(m.n_records, 1);
	record_is(&m, 0, MLD_REC_IS_EX, "ff05::8000:3", 0, NULL);
	CU_ASSERT_EQUAL(count_records(&m), 1);

	CU_ASSERT_EQUAL_FATAL(DECODE(cap_52, &m), 0); /* MLDv1 done */
	CU_ASSERT_EQUAL(m.kind, MLD_KIND_LEAVE);
	record_is(&m, 0, MLD_REC_TO_IN, "ff05::8000:3", 0, NULL);

	CU_ASSERT_EQUAL_FATAL(DECODE(cap_53, &m), 0); /* IGMPv2 report */
	CU_ASSERT_EQUAL(m.version, 2);
	CU_ASSERT_EQUAL(m.kind, MLD_KIND_REPORT);
	record_is(&m, 0, MLD_REC_IS_EX, "239.1.0.3", 0, NULL);

	CU_ASSERT_EQUAL_FATAL(DECODE(cap_56, &m), 0); /* IGMPv2 leave */
	CU_ASSERT_EQUAL(m.kind, MLD_KIND_LEAVE);
	addr_is(&m.dst, "224.0.0.2");
	record_is(&m, 0, MLD_REC_TO_IN, "239.1.0.3", 0, NULL);
}

struct frame {
	const uint8_t *p;
	size_t n;
};

#define F(x) { x, sizeof(x) }
static const struct frame frames[] = {
	F(cap_8),  F(cap_17), F(cap_18), F(cap_22), F(cap_25), F(cap_27), F(cap_35), F(cap_36), F(cap_39),
	F(cap_47), F(cap_49), F(cap_50), F(cap_52), F(cap_53), F(cap_56), F(cap_61), F(cap_62),
};
#define NFRAMES (sizeof(frames) / sizeof(frames[0]))

/* Every prefix of a frame is truncated, never decoded, never a crash. */
static void test_truncated_every_length(void)
{
	uint8_t buf[2048];
	struct mld_msg m;

	for (size_t f = 0; f < NFRAMES; f++) {
		CU_ASSERT_EQUAL(mld_decode_frame(MLD_LINK_ETHERNET, frames[f].p, frames[f].n, &m), 0);
		for (size_t n = 0; n < frames[f].n; n++) {
			/* A copy of exactly n bytes, so ASan sees any overread. */
			memcpy(buf, frames[f].p, n);
			int rc = mld_decode_frame(MLD_LINK_ETHERNET, n ? buf : NULL, n, &m);

			CU_ASSERT_EQUAL(rc, -ENODATA);
			CU_ASSERT_PTR_NOT_NULL(m.why);
		}
	}
}

/* Damage every byte of every frame in turn: decode or fail, never crash;
 * damage inside the checksummed part is caught by the checksum. */
static void test_every_byte_damaged(void)
{
	uint8_t buf[2048];
	struct mld_msg m;
	struct mld_pkt_stats st = { 0 };

	for (size_t f = 0; f < NFRAMES; f++) {
		for (size_t i = 0; i < frames[f].n; i++) {
			memcpy(buf, frames[f].p, frames[f].n);
			buf[i] ^= (uint8_t)(1 + tu_rand_below(255));
			int rc = mld_decode_frame(MLD_LINK_ETHERNET, buf, frames[f].n, &m);

			mld_pkt_stats_count(&st, rc, &m);
			if (rc == 0)
				(void)count_records(&m);
		}
	}
	CU_ASSERT(st.bad_csum > 0);
	CU_ASSERT_EQUAL(st.frames, st.decoded + st.ignored + st.truncated + st.malformed + st.bad_csum);
}

static void test_random_garbage(void)
{
	static const int links[] = { MLD_LINK_ETHERNET, MLD_LINK_RAW, MLD_LINK_SLL, MLD_LINK_SLL2 };
	uint8_t buf[512];
	struct mld_msg m;
	struct mld_pkt_stats st = { 0 };

	for (int i = 0; i < 20000; i++) {
		size_t n = tu_rand_below(sizeof(buf));
		int link = links[tu_rand_below(4)];

		for (size_t k = 0; k < n; k++)
			buf[k] = (uint8_t)tu_rand();
		/* Often make the start plausible so the deeper layers get exercised. */
		if (n > 60 && tu_rand_below(2)) {
			size_t f = tu_rand_below(NFRAMES);
			size_t keep = tu_rand_below(frames[f].n < n ? frames[f].n : n);

			memcpy(buf, frames[f].p, keep);
			link = MLD_LINK_ETHERNET;
		}
		int rc = mld_decode_frame(link, buf, n, &m);

		mld_pkt_stats_count(&st, rc, &m);
		if (rc == 0)
			(void)count_records(&m);
	}
	CU_ASSERT_EQUAL(st.frames, 20000);
}

/* ---- hand-built MLD ---- */

static size_t mld2_report(uint8_t *out, const struct w *records, unsigned nrec, bool bad_csum)
{
	struct w e = { .n = 0 }, b = { .n = 0 };

	hbh_ra(&e, 58);
	put8(&b, 143), put8(&b, 0), put16(&b, 0), put16(&b, 0), put16(&b, nrec);
	putn(&b, records->b, records->n);
	return ip6(out, "fe80::1", "ff02::16", 1, 0, &e, &b, bad_csum);
}

static void rec6(struct w *r, unsigned type, unsigned aux, const char *g, const char *s1, const char *s2)
{
	put8(r, type), put8(r, aux), put16(r, (s1 != NULL) + (s2 != NULL));
	put6(r, g);
	if (s1)
		put6(r, s1);
	if (s2)
		put6(r, s2);
	for (unsigned i = 0; i < aux * 4; i++)
		put8(r, 0xaa);
}

static void test_mld2_unknown_and_aux(void)
{
	uint8_t pkt[1024];
	struct w r = { .n = 0 };
	struct mld_msg m;
	struct mld_pkt_stats st = { 0 };
	size_t n;

	rec6(&r, 0, 0, "ff05::1", NULL, NULL);                 /* unknown type 0 */
	rec6(&r, MLD_REC_ALLOW, 2, "ff3e::1", "2001:db8::9", NULL); /* 8 bytes of aux data */
	rec6(&r, 42, 1, "ff05::2", "2001:db8::1", "2001:db8::2");   /* unknown type 42 */
	rec6(&r, MLD_REC_TO_EX, 0, "ff05::3", NULL, NULL);
	n = mld2_report(pkt, &r, 4, false);
	CU_ASSERT_EQUAL_FATAL(mld_decode_ip(pkt, n, &m), 0);
	CU_ASSERT_EQUAL(m.n_records, 4);
	CU_ASSERT_EQUAL(m.n_unknown, 2);
	CU_ASSERT_FALSE(m.has_mac);
	record_is(&m, 0, 0, "ff05::1", 0, NULL);
	record_is(&m, 1, MLD_REC_ALLOW, "ff3e::1", 1, "2001:db8::9");
	record_is(&m, 2, 42, "ff05::2", 2, "2001:db8::1");
	record_is(&m, 3, MLD_REC_TO_EX, "ff05::3", 0, NULL);
	mld_pkt_stats_count(&st, 0, &m);
	CU_ASSERT_EQUAL(st.unknown_rec, 2);
	CU_ASSERT_STRING_EQUAL(mld_rec_type_name(42), "?");
	CU_ASSERT_STRING_EQUAL(mld_rec_type_name(MLD_REC_BLOCK), "BLOCK");
}

static void test_mld2_malformed_reports(void)
{
	uint8_t pkt[1024];
	struct w r = { .n = 0 };
	struct mld_msg m;
	size_t n;

	/* More records announced than present. */
	rec6(&r, MLD_REC_ALLOW, 0, "ff3e::1", "2001:db8::1", NULL);
	n = mld2_report(pkt, &r, 2, false);
	CU_ASSERT_EQUAL(mld_decode_ip(pkt, n, &m), -EBADMSG);
	/* A record whose sources run past the end. */
	r.n = 0;
	rec6(&r, MLD_REC_ALLOW, 0, "ff3e::1", "2001:db8::1", NULL);
	r.b[3] = 9;
	n = mld2_report(pkt, &r, 1, false);
	CU_ASSERT_EQUAL(mld_decode_ip(pkt, n, &m), -EBADMSG);
	/* Aux data past the end. */
	r.n = 0;
	rec6(&r, MLD_REC_ALLOW, 0, "ff3e::1", NULL, NULL);
	r.b[1] = 3;
	n = mld2_report(pkt, &r, 1, false);
	CU_ASSERT_EQUAL(mld_decode_ip(pkt, n, &m), -EBADMSG);
	/* A record of a unicast "group". */
	r.n = 0;
	rec6(&r, MLD_REC_TO_EX, 0, "2001:db8::7", NULL, NULL);
	n = mld2_report(pkt, &r, 1, false);
	CU_ASSERT_EQUAL(mld_decode_ip(pkt, n, &m), -EBADMSG);
	/* Bad checksum. */
	r.n = 0;
	rec6(&r, MLD_REC_TO_EX, 0, "ff05::7", NULL, NULL);
	n = mld2_report(pkt, &r, 1, true);
	CU_ASSERT_EQUAL(mld_decode_ip(pkt, n, &m), -EPROTO);
	/* Right checksum, trailing bytes after the records: accepted. */
	put8(&r, 0), put8(&r, 0), put8(&r, 0), put8(&r, 0);
	n = mld2_report(pkt, &r, 1, false);
	CU_ASSERT_EQUAL(mld_decode_ip(pkt, n, &m), 0);
	/* Shorter than the report header. */
	{
		struct w e = { .n = 0 }, b = { .n = 0 };

		hbh_ra(&e, 58);
		put8(&b, 143), put8(&b, 0), put16(&b, 0), put16(&b, 0);
		n = ip6(pkt, "fe80::1", "ff02::16", 1, 0, &e, &b, false);
		CU_ASSERT_EQUAL(mld_decode_ip(pkt, n, &m), -EBADMSG);
	}
}

static size_t mld_query(uint8_t *out, size_t body_len, unsigned mrc, const char *group,
			unsigned flags_qrv, unsigned qqic, unsigned nsrc, size_t srcs_present)
{
	struct w e = { .n = 0 }, b = { .n = 0 };

	hbh_ra(&e, 58);
	put8(&b, 130), put8(&b, 0), put16(&b, 0), put16(&b, mrc), put16(&b, 0);
	put6(&b, group);
	if (body_len >= 28) {
		put8(&b, flags_qrv), put8(&b, qqic), put16(&b, nsrc);
		for (size_t i = 0; i < srcs_present; i++)
			put6(&b, i ? "2001:db8::2" : "2001:db8::1");
	}
	while (b.n < body_len)
		put8(&b, 0);
	return ip6(out, "fe80::fe", "ff02::1", 1, 0, &e, &b, false);
}

static void test_mld_queries(void)
{
	uint8_t pkt[512];
	struct mld_msg m;
	struct mld_addr a;
	size_t n;

	/* Group-and-source-specific, with the floating-point codes. */
	n = mld_query(pkt, 28 + 32, 0x8123, "ff3e::8000:1", 0x08 | 3, 0x90, 2, 2);
	CU_ASSERT_EQUAL_FATAL(mld_decode_ip(pkt, n, &m), 0);
	CU_ASSERT_EQUAL(m.version, 2);
	addr_is(&m.group, "ff3e::8000:1");
	CU_ASSERT_EQUAL(m.max_resp_ms, (0x1123u) << 3);
	CU_ASSERT_EQUAL(m.qqi_s, 0x10u << 4);
	CU_ASSERT(m.suppress);
	CU_ASSERT_EQUAL(m.qrv, 3);
	CU_ASSERT_EQUAL_FATAL(m.n_sources, 2);
	mld_msg_query_source(&m, 1, &a);
	addr_is(&a, "2001:db8::2");
	/* Sources announced but missing. */
	n = mld_query(pkt, 28 + 16, 1000, "ff3e::8000:1", 2, 125, 2, 1);
	CU_ASSERT_EQUAL(mld_decode_ip(pkt, n, &m), -EBADMSG);
	/* 25..27 bytes: neither v1 nor v2. */
	for (size_t len = 25; len < 28; len++) {
		n = mld_query(pkt, len, 1000, "::", 2, 125, 0, 0);
		CU_ASSERT_EQUAL(mld_decode_ip(pkt, n, &m), -EBADMSG);
	}
	/* A query for a unicast group. */
	n = mld_query(pkt, 28, 1000, "2001:db8::1", 2, 125, 0, 0);
	CU_ASSERT_EQUAL(mld_decode_ip(pkt, n, &m), -EBADMSG);
	/* MLDv1 group-specific query. */
	n = mld_query(pkt, 24, 500, "ff05::8000:3", 0, 0, 0, 0);
	CU_ASSERT_EQUAL_FATAL(mld_decode_ip(pkt, n, &m), 0);
	CU_ASSERT_EQUAL(m.version, 1);
	CU_ASSERT_EQUAL(m.max_resp_ms, 500);
	addr_is(&m.group, "ff05::8000:3");
	CU_ASSERT_STRING_EQUAL(mld_kind_name(m.kind), "query");
}

/* MLDv2 report body with one TO_EX record, for the extension-header tests. */
static void simple_report(struct w *b)
{
	put8(b, 143), put8(b, 0), put16(b, 0), put16(b, 0), put16(b, 1);
	put8(b, MLD_REC_TO_EX), put8(b, 0), put16(b, 0);
	put6(b, "ff05::8000:9");
}

static int decode_with(const struct w *ext, uint8_t first_nh, struct mld_msg *m)
{
	static uint8_t pkt[2048];
	struct w b = { .n = 0 };
	size_t n;

	simple_report(&b);
	n = ip6(pkt, "fe80::1", "ff02::16", 1, first_nh, ext, &b, false);
	return mld_decode_ip(pkt, n, m);
}

static void opts_hdr(struct w *e, uint8_t next, unsigned len8)
{
	/* A destination-options-like header of (len8 + 1) * 8 bytes of PadN. */
	put8(e, next), put8(e, len8);
	put8(e, 1), put8(e, (unsigned)((len8 + 1) * 8 - 4));
	for (unsigned i = 0; i < (len8 + 1) * 8 - 4; i++)
		put8(e, 0);
}

static void test_ext_header_variants(void)
{
	struct w e = { .n = 0 };
	struct mld_msg m;

	/* No hop-by-hop header at all: decoded, no router alert. */
	CU_ASSERT_EQUAL(decode_with(NULL, 58, &m), 0);
	CU_ASSERT_FALSE(m.router_alert);
	/* HBH (router alert) + destination options. */
	hbh_ra(&e, 60);
	opts_hdr(&e, 58, 1);
	CU_ASSERT_EQUAL(decode_with(&e, 0, &m), 0);
	CU_ASSERT(m.router_alert);
	/* HBH + routing header (type 0, no segments left) + atomic fragment. */
	e.n = 0;
	hbh_ra(&e, 43);
	put8(&e, 44), put8(&e, 0), put8(&e, 0), put8(&e, 0), put16(&e, 0), put16(&e, 0);
	put8(&e, 58), put8(&e, 0), put16(&e, 0), put16(&e, 0), put16(&e, 0x1234);
	CU_ASSERT_EQUAL(decode_with(&e, 0, &m), 0);
	CU_ASSERT(m.router_alert);
	/* AH: length in 4-byte units minus 2. */
	e.n = 0;
	hbh_ra(&e, 51);
	put8(&e, 58), put8(&e, 4), put16(&e, 0);
	for (int i = 0; i < 20; i++)
		put8(&e, 0x11);
	CU_ASSERT_EQUAL(decode_with(&e, 0, &m), 0);
	/* First fragment with more to come: an MLD message is never fragmented. */
	e.n = 0;
	hbh_ra(&e, 44);
	put8(&e, 58), put8(&e, 0), put16(&e, 0x0001), put16(&e, 0), put16(&e, 1);
	CU_ASSERT_EQUAL(decode_with(&e, 0, &m), -EBADMSG);
	/* A later fragment: cannot be decoded on its own. */
	e.n = 0;
	put8(&e, 58), put8(&e, 0), put16(&e, 0x0100), put16(&e, 0), put16(&e, 1);
	CU_ASSERT_EQUAL(decode_with(&e, 44, &m), -ENOMSG);
	/* Hop-by-hop after another header. */
	e.n = 0;
	opts_hdr(&e, 0, 0);
	hbh_ra(&e, 58);
	CU_ASSERT_EQUAL(decode_with(&e, 60, &m), -EBADMSG);
	/* Seventeen headers. */
	e.n = 0;
	for (int i = 0; i < 17; i++)
		opts_hdr(&e, i == 16 ? 58 : 60, 0);
	CU_ASSERT_EQUAL(decode_with(&e, 60, &m), -EBADMSG);
	/* A hop-by-hop option longer than its header. */
	e.n = 0;
	put8(&e, 58), put8(&e, 0), put8(&e, 5), put8(&e, 2), put16(&e, 0), put8(&e, 1), put8(&e, 9);
	CU_ASSERT_EQUAL(decode_with(&e, 0, &m), -EBADMSG);
	/* A router alert for RSVP (value 1) is not MLD's. */
	e.n = 0;
	put8(&e, 58), put8(&e, 0), put8(&e, 5), put8(&e, 2), put16(&e, 1), put8(&e, 0), put8(&e, 0);
	CU_ASSERT_EQUAL(decode_with(&e, 0, &m), 0);
	CU_ASSERT_FALSE(m.router_alert);
	/* Unknown options are skipped (Pad1 runs too). */
	e.n = 0;
	put8(&e, 58), put8(&e, 1), put8(&e, 0x3e), put8(&e, 3), put8(&e, 1), put8(&e, 2), put8(&e, 3);
	put8(&e, 0), put8(&e, 5), put8(&e, 2), put16(&e, 0), put8(&e, 0), put8(&e, 0), put8(&e, 0);
	put8(&e, 0);
	CU_ASSERT_EQUAL(decode_with(&e, 0, &m), 0);
	CU_ASSERT(m.router_alert);
	/* Other upper layers: UDP, ESP, no next header. */
	CU_ASSERT_EQUAL(decode_with(NULL, 17, &m), -ENOMSG);
	CU_ASSERT_EQUAL(decode_with(NULL, 50, &m), -ENOMSG);
	CU_ASSERT_EQUAL(decode_with(NULL, 59, &m), -ENOMSG);
}

static void test_ipv6_layer(void)
{
	uint8_t pkt[512];
	struct w b = { .n = 0 }, e = { .n = 0 };
	struct mld_msg m;
	size_t n;

	/* Extension header running past the payload. */
	put8(&e, 58), put8(&e, 3), put8(&e, 1), put8(&e, 0);
	b.n = 0;
	n = ip6(pkt, "fe80::1", "ff02::16", 1, 0, &e, &b, false);
	CU_ASSERT_EQUAL(mld_decode_ip(pkt, n, &m), -EBADMSG);
	/* ICMPv6 other than MLD: echo request, neighbour solicitation. */
	put8(&b, 128), put8(&b, 0), put16(&b, 0), put16(&b, 1), put16(&b, 1);
	n = ip6(pkt, "fe80::1", "ff02::1", 64, 58, NULL, &b, false);
	CU_ASSERT_EQUAL(mld_decode_ip(pkt, n, &m), -ENOMSG);
	b.b[0] = 135;
	n = ip6(pkt, "fe80::1", "ff02::1", 255, 58, NULL, &b, false);
	CU_ASSERT_EQUAL(mld_decode_ip(pkt, n, &m), -ENOMSG);
	/* An MLD type with a cut ICMPv6 header. */
	b.n = 0;
	put8(&b, 143), put8(&b, 0);
	n = ip6(pkt, "fe80::1", "ff02::16", 1, 58, NULL, &b, false);
	CU_ASSERT_EQUAL(mld_decode_ip(pkt, n, &m), -EBADMSG);
	/* MLDv1 report shorter than 24 bytes (good checksum). */
	b.n = 0;
	put8(&b, 131), put8(&b, 0), put16(&b, 0), put16(&b, 0), put16(&b, 0);
	n = ip6(pkt, "fe80::1", "ff02::16", 1, 58, NULL, &b, false);
	CU_ASSERT_EQUAL(mld_decode_ip(pkt, n, &m), -EBADMSG);
	/* Payload length 0 (jumbogram), and larger than what was captured. */
	b.n = 0;
	simple_report(&b);
	n = ip6(pkt, "fe80::1", "ff02::16", 1, 58, NULL, &b, false);
	pkt[4] = pkt[5] = 0;
	CU_ASSERT_EQUAL(mld_decode_ip(pkt, n, &m), -ENOMSG);
	n = ip6(pkt, "fe80::1", "ff02::16", 1, 58, NULL, &b, false);
	pkt[5] += 1;
	CU_ASSERT_EQUAL(mld_decode_ip(pkt, n, &m), -ENODATA);
	/* Extra bytes after the payload (padding) are ignored. */
	n = ip6(pkt, "fe80::1", "ff02::16", 1, 58, NULL, &b, false);
	memset(pkt + n, 0xee, 16);
	CU_ASSERT_EQUAL(mld_decode_ip(pkt, n + 16, &m), 0);
	/* IP version 5. */
	pkt[0] = 0x50;
	CU_ASSERT_EQUAL(mld_decode_ip(pkt, n, &m), -EBADMSG);
	CU_ASSERT_EQUAL(mld_decode_ip(NULL, 0, &m), -ENODATA);
}

/* ---- hand-built IGMP ---- */

static size_t igmp(uint8_t *out, const struct w *body, bool with_ra)
{
	return ip4(out, "10.1.0.9", "224.0.0.22", 2, with_ra ? &ra4 : NULL, body, false, false);
}

static void test_igmp_versions(void)
{
	uint8_t pkt[512];
	struct w b = { .n = 0 };
	struct mld_msg m;
	struct mld_addr a;
	size_t n;

	/* IGMPv1 query (max resp 0) and report. */
	put8(&b, 0x11), put8(&b, 0), put16(&b, 0), put4(&b, "0.0.0.0");
	n = igmp(pkt, &b, false);
	CU_ASSERT_EQUAL_FATAL(mld_decode_ip(pkt, n, &m), 0);
	CU_ASSERT_EQUAL(m.version, 1);
	CU_ASSERT_EQUAL(m.max_resp_ms, 10000);
	CU_ASSERT_FALSE(m.router_alert);
	b.n = 0;
	put8(&b, 0x12), put8(&b, 0), put16(&b, 0), put4(&b, "239.2.2.2");
	n = igmp(pkt, &b, false);
	CU_ASSERT_EQUAL_FATAL(mld_decode_ip(pkt, n, &m), 0);
	CU_ASSERT_EQUAL(m.version, 1);
	record_is(&m, 0, MLD_REC_IS_EX, "239.2.2.2", 0, NULL);
	/* IGMPv3 group-and-source query with codes >= 128. */
	b.n = 0;
	put8(&b, 0x11), put8(&b, 0x8f), put16(&b, 0), put4(&b, "232.1.0.1");
	put8(&b, 0x0a), put8(&b, 0x81), put16(&b, 2), put4(&b, "10.0.0.1"), put4(&b, "10.0.0.2");
	n = igmp(pkt, &b, true);
	CU_ASSERT_EQUAL_FATAL(mld_decode_ip(pkt, n, &m), 0);
	CU_ASSERT_EQUAL(m.version, 3);
	CU_ASSERT_EQUAL(m.max_resp_ms, (0x1fu << 3) * 100);
	CU_ASSERT_EQUAL(m.qqi_s, 0x11u << 3);
	CU_ASSERT(m.suppress);
	CU_ASSERT_EQUAL(m.qrv, 2);
	CU_ASSERT(m.router_alert);
	mld_msg_query_source(&m, 1, &a);
	addr_is(&a, "10.0.0.2");
	/* 9..11 byte query; sources announced but missing. */
	b.n = 10;
	n = igmp(pkt, &b, true);
	CU_ASSERT_EQUAL(mld_decode_ip(pkt, n, &m), -EBADMSG);
	b.n = 0;
	put8(&b, 0x11), put8(&b, 10), put16(&b, 0), put4(&b, "0.0.0.0");
	put8(&b, 2), put8(&b, 125), put16(&b, 3), put4(&b, "10.0.0.1");
	n = igmp(pkt, &b, true);
	CU_ASSERT_EQUAL(mld_decode_ip(pkt, n, &m), -EBADMSG);
	/* v2 report of a unicast group; other IGMP types (DVMRP, mtrace). */
	b.n = 0;
	put8(&b, 0x16), put8(&b, 0), put16(&b, 0), put4(&b, "10.1.1.1");
	n = igmp(pkt, &b, true);
	CU_ASSERT_EQUAL(mld_decode_ip(pkt, n, &m), -EBADMSG);
	b.b[0] = 0x13;
	n = igmp(pkt, &b, true);
	CU_ASSERT_EQUAL(mld_decode_ip(pkt, n, &m), -ENOMSG);
	b.b[0] = 0x1f;
	n = igmp(pkt, &b, true);
	CU_ASSERT_EQUAL(mld_decode_ip(pkt, n, &m), -ENOMSG);
}

static void test_igmpv3_report_records(void)
{
	uint8_t pkt[512];
	struct w b = { .n = 0 };
	struct mld_msg m;
	size_t n;

	put8(&b, 0x22), put8(&b, 0), put16(&b, 0), put16(&b, 0), put16(&b, 3);
	put8(&b, 7), put8(&b, 1), put16(&b, 1), put4(&b, "232.9.9.9"), put4(&b, "10.0.0.1");
	put16(&b, 0xdead), put16(&b, 0xbeef); /* aux */
	put8(&b, MLD_REC_ALLOW), put8(&b, 0), put16(&b, 2), put4(&b, "232.1.0.1");
	put4(&b, "10.0.0.1"), put4(&b, "10.0.0.2");
	put8(&b, MLD_REC_TO_IN), put8(&b, 0), put16(&b, 0), put4(&b, "239.1.1.1");
	n = igmp(pkt, &b, true);
	CU_ASSERT_EQUAL_FATAL(mld_decode_ip(pkt, n, &m), 0);
	CU_ASSERT_EQUAL(m.n_records, 3);
	CU_ASSERT_EQUAL(m.n_unknown, 1);
	record_is(&m, 0, 7, "232.9.9.9", 1, "10.0.0.1");
	record_is(&m, 1, MLD_REC_ALLOW, "232.1.0.1", 2, "10.0.0.1");
	record_is(&m, 2, MLD_REC_TO_IN, "239.1.1.1", 0, NULL);
	/* One record too many announced. */
	b.b[7] = 4;
	n = igmp(pkt, &b, true);
	CU_ASSERT_EQUAL(mld_decode_ip(pkt, n, &m), -EBADMSG);
	/* A bad IGMP checksum, a bad header checksum. */
	b.b[7] = 3;
	n = ip4(pkt, "10.1.0.9", "224.0.0.22", 2, &ra4, &b, false, true);
	CU_ASSERT_EQUAL(mld_decode_ip(pkt, n, &m), -EPROTO);
	n = ip4(pkt, "10.1.0.9", "224.0.0.22", 2, &ra4, &b, true, false);
	CU_ASSERT_EQUAL(mld_decode_ip(pkt, n, &m), -EPROTO);
}

static void test_ipv4_layer(void)
{
	uint8_t pkt[512];
	struct w b = { .n = 0 }, opt = { .n = 0 };
	struct mld_msg m;
	size_t n;

	put8(&b, 0x16), put8(&b, 0), put16(&b, 0), put4(&b, "239.1.0.3");
	/* Options: NOP, NOP, then router alert; End before padding. */
	put8(&opt, 1), put8(&opt, 1), put8(&opt, 0x94), put8(&opt, 4), put16(&opt, 0), put8(&opt, 0),
		put8(&opt, 0);
	n = ip4(pkt, "10.1.0.2", "239.1.0.3", 2, &opt, &b, false, false);
	CU_ASSERT_EQUAL_FATAL(mld_decode_ip(pkt, n, &m), 0);
	CU_ASSERT(m.router_alert);
	/* An option longer than the header. */
	opt.n = 0;
	put8(&opt, 0x94), put8(&opt, 8), put16(&opt, 0);
	n = ip4(pkt, "10.1.0.2", "239.1.0.3", 2, &opt, &b, false, false);
	CU_ASSERT_EQUAL(mld_decode_ip(pkt, n, &m), -EBADMSG);
	/* An option of length 1. */
	opt.b[1] = 1;
	n = ip4(pkt, "10.1.0.2", "239.1.0.3", 2, &opt, &b, false, false);
	CU_ASSERT_EQUAL(mld_decode_ip(pkt, n, &m), -EBADMSG);
	/* UDP is not ours. */
	n = ip4(pkt, "10.1.0.2", "239.1.0.3", 17, NULL, &b, false, false);
	CU_ASSERT_EQUAL(mld_decode_ip(pkt, n, &m), -ENOMSG);
	/* IHL below 5, total length below IHL, total above what was captured. */
	n = ip4(pkt, "10.1.0.2", "239.1.0.3", 2, NULL, &b, false, false);
	pkt[0] = 0x44;
	CU_ASSERT_EQUAL(mld_decode_ip(pkt, n, &m), -EBADMSG);
	pkt[0] = 0x45, pkt[3] = 16;
	CU_ASSERT_EQUAL(mld_decode_ip(pkt, n, &m), -EBADMSG);
	pkt[3] = 29;
	CU_ASSERT_EQUAL(mld_decode_ip(pkt, n, &m), -ENODATA);
	/* IGMP shorter than 8 bytes. */
	b.n = 6;
	n = ip4(pkt, "10.1.0.2", "239.1.0.3", 2, NULL, &b, false, false);
	CU_ASSERT_EQUAL(mld_decode_ip(pkt, n, &m), -EBADMSG);
	/* Fragments: more to come, or a later piece. */
	b.n = 8;
	n = ip4(pkt, "10.1.0.2", "239.1.0.3", 2, NULL, &b, false, false);
	pkt[6] = 0x20, pkt[10] = pkt[11] = 0;
	{
		uint16_t c = csum(0, pkt, 20);

		pkt[10] = (uint8_t)(c >> 8), pkt[11] = (uint8_t)c;
	}
	CU_ASSERT_EQUAL(mld_decode_ip(pkt, n, &m), -EBADMSG);
	pkt[6] = 0x00, pkt[7] = 0x10, pkt[10] = pkt[11] = 0;
	{
		uint16_t c = csum(0, pkt, 20);

		pkt[10] = (uint8_t)(c >> 8), pkt[11] = (uint8_t)c;
	}
	CU_ASSERT_EQUAL(mld_decode_ip(pkt, n, &m), -ENOMSG);
}

/* ---- link layers ---- */

static void test_link_layers(void)
{
	uint8_t ip[256], f[512];
	struct w b = { .n = 0 };
	struct mld_msg m;
	size_t n, k;

	put8(&b, 0x16), put8(&b, 0), put16(&b, 0), put4(&b, "239.1.0.3");
	n = ip4(ip, "10.1.0.2", "239.1.0.3", 2, &ra4, &b, false, false);

	/* Ethernet padded to 60 bytes: the IP length wins. */
	memset(f, 0, sizeof(f));
	memcpy(f, "\x01\x00\x5e\x01\x00\x03\x02\x00\x00\x00\x00\x02\x08\x00", 14);
	memcpy(f + 14, ip, n);
	CU_ASSERT_EQUAL(mld_decode_frame(MLD_LINK_ETHERNET, f, 60, &m), 0);
	CU_ASSERT_EQUAL(m.src_mac[5], 2);
	CU_ASSERT_EQUAL(m.dst_mac[0], 1);
	/* One 802.1Q tag, then 802.1ad + 802.1Q (QinQ). */
	memcpy(f + 12, "\x81\x00\x20\x64\x08\x00", 6);
	memcpy(f + 18, ip, n);
	CU_ASSERT_EQUAL(mld_decode_frame(MLD_LINK_ETHERNET, f, 18 + n, &m), 0);
	CU_ASSERT_EQUAL(m.vlan, 100);
	memcpy(f + 12, "\x88\xa8\x00\x0a\x81\x00\x00\x64\x08\x00", 10);
	memcpy(f + 22, ip, n);
	CU_ASSERT_EQUAL(mld_decode_frame(MLD_LINK_ETHERNET, f, 22 + n, &m), 0);
	CU_ASSERT_EQUAL(m.vlan, 10);
	CU_ASSERT_EQUAL(mld_decode_frame(MLD_LINK_ETHERNET, f, 15, &m), -ENODATA);
	CU_ASSERT_EQUAL(mld_decode_frame(MLD_LINK_ETHERNET, f, 19, &m), -ENODATA);
	/* Five tags: more than any real network stacks. */
	for (k = 0; k < 5; k++)
		memcpy(f + 12 + 4 * k, "\x81\x00\x00\x01", 4);
	memcpy(f + 32, "\x08\x00", 2);
	memcpy(f + 34, ip, n);
	CU_ASSERT_EQUAL(mld_decode_frame(MLD_LINK_ETHERNET, f, 34 + n, &m), -ENOMSG);
	/* ARP; EtherType IPv6 around an IPv4 packet. */
	memcpy(f + 12, "\x08\x06", 2);
	CU_ASSERT_EQUAL(mld_decode_frame(MLD_LINK_ETHERNET, f, 60, &m), -ENOMSG);
	memcpy(f + 12, "\x86\xdd", 2);
	memcpy(f + 14, ip, n);
	CU_ASSERT_EQUAL(mld_decode_frame(MLD_LINK_ETHERNET, f, 14 + n, &m), -EBADMSG);

	/* Linux cooked v1: type, ARPHRD, address length 6, address, protocol. */
	memset(f, 0, sizeof(f));
	memcpy(f, "\x00\x00\x00\x01\x00\x06\x02\x11\x22\x33\x44\x55\x00\x00\x08\x00", 16);
	memcpy(f + 16, ip, n);
	CU_ASSERT_EQUAL(mld_decode_frame(MLD_LINK_SLL, f, 16 + n, &m), 0);
	CU_ASSERT(m.has_mac);
	CU_ASSERT_EQUAL(m.src_mac[5], 0x55);
	CU_ASSERT_EQUAL(mld_decode_frame(MLD_LINK_SLL, f, 10, &m), -ENODATA);
	/* Linux cooked v2: protocol, reserved, ifindex, ARPHRD, type, address
	 * length, address. */
	memset(f, 0, sizeof(f));
	memcpy(f, "\x08\x00\x00\x00\x00\x00\x00\x02\x00\x01\x00\x06\x02\x11\x22\x33\x44\x66\x00\x00", 20);
	memcpy(f + 20, ip, n);
	CU_ASSERT_EQUAL(mld_decode_frame(MLD_LINK_SLL2, f, 20 + n, &m), 0);
	CU_ASSERT_EQUAL(m.src_mac[5], 0x66);
	f[1] = 0x06;
	CU_ASSERT_EQUAL(mld_decode_frame(MLD_LINK_SLL2, f, 20 + n, &m), -ENOMSG);
	CU_ASSERT_EQUAL(mld_decode_frame(MLD_LINK_SLL2, f, 19, &m), -ENODATA);
	/* Raw IP, and a link layer nobody knows. */
	CU_ASSERT_EQUAL(mld_decode_frame(MLD_LINK_RAW, ip, n, &m), 0);
	CU_ASSERT_EQUAL(mld_decode_frame(MLD_LINK_IPV4, ip, n, &m), 0);
	CU_ASSERT_FALSE(m.has_mac);
	CU_ASSERT_EQUAL(mld_decode_frame(105, ip, n, &m), -EPROTONOSUPPORT);
	CU_ASSERT_PTR_NOT_NULL(m.why);
}

static void test_stats(void)
{
	struct mld_pkt_stats st = { 0 };
	struct mld_msg m;

	mld_pkt_stats_count(&st, mld_decode_frame(MLD_LINK_ETHERNET, cap_22, sizeof(cap_22), &m), &m);
	mld_pkt_stats_count(&st, mld_decode_frame(MLD_LINK_ETHERNET, cap_22, 20, &m), &m);
	mld_pkt_stats_count(&st, -ENOMSG, &m);
	mld_pkt_stats_count(&st, -EBADMSG, &m);
	mld_pkt_stats_count(&st, -EPROTONOSUPPORT, &m);
	mld_pkt_stats_count(&st, -EPROTO, &m);
	CU_ASSERT_EQUAL(st.frames, 6);
	CU_ASSERT_EQUAL(st.decoded, 1);
	CU_ASSERT_EQUAL(st.truncated, 1);
	CU_ASSERT_EQUAL(st.ignored, 1);
	CU_ASSERT_EQUAL(st.malformed, 2);
	CU_ASSERT_EQUAL(st.bad_csum, 1);
}

int tu_register(void)
{
	static const struct tu_test captured[] = {
		{ "MLDv2 reports", test_captured_mldv2_reports },
		{ "IGMPv3 reports", test_captured_igmpv3_reports },
		{ "queries of every version", test_captured_queries },
		{ "MLDv1 and IGMPv2 reports and leaves", test_captured_v1_v2 },
		{ "every truncation is -ENODATA", test_truncated_every_length },
		{ "every damaged byte survives", test_every_byte_damaged },
		{ "random garbage survives", test_random_garbage },
		{ NULL, NULL },
	};
	static const struct tu_test built[] = {
		{ "MLDv2 unknown record types and aux data", test_mld2_unknown_and_aux },
		{ "MLDv2 malformed reports", test_mld2_malformed_reports },
		{ "MLD queries", test_mld_queries },
		{ "IPv6 extension header variants", test_ext_header_variants },
		{ "IPv6 layer", test_ipv6_layer },
		{ "IGMP versions", test_igmp_versions },
		{ "IGMPv3 report records", test_igmpv3_report_records },
		{ "IPv4 layer", test_ipv4_layer },
		{ "link layers", test_link_layers },
		{ "stats", test_stats },
		{ NULL, NULL },
	};
	int rc = tu_add_suite("mld_pkt captured", captured);

	return rc ? rc : tu_add_suite("mld_pkt hand-built", built);
}
