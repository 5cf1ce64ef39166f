/* Unit tests of the pcap watcher (igmp-mld/mld_cap.c): the lab capture
 * (tests/unit/data/mld_lab.pcap) read back through it and into a table,
 * a file of cooked-v2 frames with damaged ones among them, the errors, and
 * a live capture on a veth of a private network namespace that sees the
 * reports of a real join. */
#include "config.h"

#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "mld.h"
#include "mld_internal.h"
#include "mld_netns.h"
#include "mld_testpkt.h"
#include "tu.h"

static int netns_rc = -1;

struct seen {
	int kinds[4];
	int versions[4];
	uint64_t last_ts;
	bool ts_monotonic;
	mld_table *t;
	char changes[4096];
	struct mld_addr want_group;
	bool saw_group;
};

static void on_change(void *arg, enum mld_change c, const struct mld_entry *e)
{
	struct seen *s = arg;
	char g[MLD_ADDR_STRLEN], line[96];

	mld_addr_format(&e->group, g, sizeof(g));
	snprintf(line, sizeof(line), "%s %s;", mld_change_name(c), g);
	if (strlen(s->changes) + strlen(line) < sizeof(s->changes))
		strcat(s->changes, line);
}

static void on_msg(void *arg, const struct mld_msg *m, uint64_t ts_us)
{
	struct seen *s = arg;
	struct mld_record r;
	size_t pos = 0;

	s->kinds[m->kind]++;
	if (m->family == AF_INET6)
		s->versions[m->version]++;
	if (ts_us < s->last_ts)
		s->ts_monotonic = false;
	s->last_ts = ts_us;
	if (s->t)
		mld_table_apply(s->t, m, ts_us / 1000);
	while (mld_msg_next_record(m, &pos, &r))
		if (mld_addr_equal(&r.group, &s->want_group))
			s->saw_group = true;
}

static char *data_path(const char *name)
{
	static char path[1024];

	snprintf(path, sizeof(path), "%s/%s", MLD_TEST_DATA, name);
	return path;
}

static void test_lab_capture(void)
{
	struct seen s = { .ts_monotonic = true };
	struct mld_cap_cfg cc = { .file = data_path("mld_lab.pcap") };
	struct mld_cap_stats st;
	mld_cap *c;
	int n, total = 0;

	s.t = mld_table_new(on_change, &s);
	CU_ASSERT_EQUAL_FATAL(mld_cap_open(&cc, on_msg, &s, NULL, &c), 0);
	CU_ASSERT_EQUAL(mld_cap_fd(c), -1);
	CU_ASSERT_EQUAL(mld_cap_link(c), MLD_LINK_ETHERNET);
	while ((n = mld_cap_dispatch(c)) > 0)
		total += n;
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_EQUAL(mld_cap_stats_get(c, &st), 0);
	/* 74 frames in the file: 62 MLD/IGMP messages and 12 router
	 * solicitations, which the watcher's filter keeps out. */
	CU_ASSERT_EQUAL(total, 62);
	CU_ASSERT_EQUAL(st.pkt.frames, 62);
	CU_ASSERT_EQUAL(st.pkt.ignored, 0);
	CU_ASSERT_EQUAL(st.pkt.decoded, 62);
	CU_ASSERT_EQUAL(st.pkt.malformed + st.pkt.truncated + st.pkt.bad_csum, 0);
	CU_ASSERT_EQUAL(s.kinds[MLD_KIND_QUERY], 6);
	CU_ASSERT_EQUAL(s.kinds[MLD_KIND_LEAVE], 2);
	CU_ASSERT(s.versions[1] > 0 && s.versions[2] > 0);
	CU_ASSERT(s.ts_monotonic);
	/* Every test join shows up, and was left again. */
	CU_ASSERT_PTR_NOT_NULL(strstr(s.changes, "join ff3e::8000:1;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s.changes, "leave ff3e::8000:1;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s.changes, "join 232.1.0.1;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s.changes, "leave 232.1.0.1;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s.changes, "join ff05::8000:3;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s.changes, "leave ff05::8000:3;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s.changes, "join 239.1.0.3;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s.changes, "leave 239.1.0.3;"));
	/* The querier's interval (QRV 2 x 5 s + 1 s), from its queries. */
	CU_ASSERT_EQUAL(mld_table_max_age_ms(s.t), 11000);
	mld_table_free(s.t);
	mld_cap_free(c);
	mld_cap_free(NULL);
}

/* A cooked-v2 capture ("any" device) with good, cut and damaged frames. */
static void test_sll2_file(void)
{
	char path[] = "/tmp/mld-test-XXXXXX";
	int fd = mkstemp(path);
	pcap_t *dead = pcap_open_dead(DLT_LINUX_SLL2, 65535);
	pcap_dumper_t *d;
	uint8_t frame[2048];
	struct pcap_pkthdr h = { { 1700000000, 0 }, 0, 0 };
	struct seen s = { .ts_monotonic = true };
	struct mld_cap_cfg cc = { .file = path };
	struct mld_cap_stats st;
	struct tp_rec rec = { MLD_REC_ALLOW, "ff3e::8000:7", { "2001:db8::1", NULL } };
	mld_cap *c;
	size_t n;

	CU_ASSERT_FATAL(fd >= 0 && dead != NULL);
	close(fd);
	d = pcap_dump_open(dead, path);
	CU_ASSERT_FATAL(d != NULL);
	memset(frame, 0, 20);
	frame[0] = 0x86, frame[1] = 0xdd, frame[11] = 6;
	n = 20 + tp_report(frame + 20, "fe80::7", &rec, 1);
	h.caplen = h.len = (bpf_u_int32)n;
	pcap_dump((u_char *)d, &h, frame); /* good */
	h.caplen = (bpf_u_int32)n - 10;
	pcap_dump((u_char *)d, &h, frame); /* snap length cut it */
	h.caplen = (bpf_u_int32)n;
	frame[n - 1] ^= 0xff;
	pcap_dump((u_char *)d, &h, frame); /* bad checksum */
	{
		/* Nine records announced, none there (checksum right). */
		uint8_t body[8] = { 143, 0, 0, 0, 0, 0, 0, 9 };

		n = 20 + tp_ipv6(frame + 20, "fe80::7", "ff02::16", body, sizeof(body));
		h.caplen = h.len = (bpf_u_int32)n;
		pcap_dump((u_char *)d, &h, frame); /* records past the end */
	}
	pcap_dump_close(d);
	pcap_close(dead);

	mld_addr_parse("ff3e::8000:7", &s.want_group);
	CU_ASSERT_EQUAL_FATAL(mld_cap_open(&cc, on_msg, &s, NULL, &c), 0);
	CU_ASSERT_EQUAL(mld_cap_link(c), MLD_LINK_SLL2);
	while (mld_cap_dispatch(c) > 0)
		;
	mld_cap_stats_get(c, &st);
	CU_ASSERT_EQUAL(st.pkt.frames, 4);
	CU_ASSERT_EQUAL(st.pkt.decoded, 1);
	CU_ASSERT_EQUAL(st.pkt.truncated, 1);
	CU_ASSERT_EQUAL(st.pkt.bad_csum, 1);
	CU_ASSERT_EQUAL(st.pkt.malformed, 1);
	CU_ASSERT(s.saw_group);
	CU_ASSERT_EQUAL(s.last_ts, 1700000000ull * 1000000u);
	mld_cap_free(c);
	remove(path);
}

struct logbuf {
	char last[1024];
};

static void on_log(void *ctx, int level, const char *msg)
{
	(void)level;
	snprintf(((struct logbuf *)ctx)->last, sizeof(((struct logbuf *)ctx)->last), "%s", msg);
}

static void test_errors(void)
{
	struct logbuf lb = { "" };
	struct mld_log log = { on_log, &lb, LOG_DEBUG };
	struct mld_cap_cfg cc = { .file = "/nonexistent/x.pcap" };
	char path[] = "/tmp/mld-test-XXXXXX";
	int fd = mkstemp(path);
	pcap_t *dead = pcap_open_dead(DLT_PPP, 65535);
	mld_cap *c = (mld_cap *)&cc;
	int rc;

	CU_ASSERT_EQUAL(mld_cap_open(&cc, on_msg, NULL, &log, &c), -ENOENT);
	CU_ASSERT_PTR_NULL(c);
	cc.iface = "lo";
	CU_ASSERT_EQUAL(mld_cap_open(&cc, on_msg, NULL, &log, &c), -EINVAL);
	cc.file = NULL;
	cc.iface = NULL;
	CU_ASSERT_EQUAL(mld_cap_open(&cc, on_msg, NULL, &log, &c), -EINVAL);
	cc.iface = "lo";
	CU_ASSERT_EQUAL(mld_cap_open(&cc, NULL, NULL, &log, &c), -EINVAL);
	cc.iface = "nosuch0";
	rc = mld_cap_open(&cc, on_msg, NULL, &log, &c);
	CU_ASSERT(rc == -ENODEV || rc == -EPERM);
	if (rc == -ENODEV)
		CU_ASSERT_PTR_NOT_NULL(strstr(lb.last, "no such interface"));
	/* A link layer the decoders do not know. */
	close(fd);
	pcap_dump_close(pcap_dump_open(dead, path));
	pcap_close(dead);
	cc.iface = NULL;
	cc.file = path;
	CU_ASSERT_EQUAL(mld_cap_open(&cc, on_msg, NULL, &log, &c), -EPROTONOSUPPORT);
	CU_ASSERT_PTR_NOT_NULL(strstr(lb.last, "PPP"));
	remove(path);
	/* Not a pcap file at all. */
	cc.file = "/proc/self/status";
	CU_ASSERT_EQUAL(mld_cap_open(&cc, on_msg, NULL, &log, &c), -EIO);
	/* The filter compiles for every link layer the decoder knows. */
	static const int links[] = { DLT_EN10MB, DLT_RAW, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_IPV4, DLT_IPV6 };
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		struct bpf_program prog;
		pcap_t *p = pcap_open_dead(links[i], 65535);
		int ok = pcap_compile(p, &prog, mld_cap_filter, 1, PCAP_NETMASK_UNKNOWN) == 0;

		if (!ok) /* the VLAN half needs a link layer with VLANs */
			CU_ASSERT(links[i] != DLT_EN10MB);
		if (ok)
			pcap_freecode(&prog);
		pcap_close(p);
	}
}

/* A live capture on mldt1 sees the MLDv2 report of a join on mldt0. */
static void test_live(void)
{
	struct seen s = { .ts_monotonic = true };
	struct mld_cap_cfg cc = { .iface = "mldt1" };
	struct mld_addr g, src;
	mld_cap *c;
	int fd, tries;

	if (netns_rc < 0) {
		printf("skipped: no private network namespace here (%s) ", strerror(-netns_rc));
		return;
	}
	CU_ASSERT_EQUAL_FATAL(mld_cap_open(&cc, on_msg, &s, NULL, &c), 0);
	CU_ASSERT(mld_cap_fd(c) >= 0);
	CU_ASSERT_EQUAL(mld_cap_link(c), MLD_LINK_ETHERNET);
	CU_ASSERT_EQUAL(mld_cap_dispatch(c), 0);
	mld_addr_parse("ff3e::8000:42", &g);
	mld_addr_parse("2001:db8::42", &src);
	s.want_group = g;
	fd = socket(AF_INET6, SOCK_DGRAM, 0);
	CU_ASSERT_EQUAL_FATAL(mld_join(fd, "mldt0", &g, &src, 1, NULL), 0);
	/* The kernel sends the report from a work queue: wait for it (5 s
	 * at most, a bound on a broken kernel, not a measurement). */
	for (tries = 0; tries < 50 && !s.saw_group; tries++) {
		struct pollfd p = { mld_cap_fd(c), POLLIN, 0 };

		poll(&p, 1, 100);
		CU_ASSERT(mld_cap_dispatch(c) >= 0);
	}
	CU_ASSERT(s.saw_group);
	CU_ASSERT(s.kinds[MLD_KIND_REPORT] >= 1);
	close(fd);
	mld_cap_free(c);
}

/* The fast-join report (MLD_RECV_FAST_JOIN) leaves at once and decodes
 * as the kernel's would: sent here for groups nobody joined, so that what
 * the capture sees can only be ours. */
static void fast_family(const char *group, const char *src)
{
	struct seen s = { .ts_monotonic = true };
	struct mld_cap_cfg cc = { .iface = "mldt0" };
	struct mld_addr g, sa;
	mld_cap *c;
	int tries;

	mld_addr_parse(group, &g);
	mld_addr_parse(src, &sa);
	s.want_group = g;
	CU_ASSERT_EQUAL_FATAL(mld_cap_open(&cc, on_msg, &s, NULL, &c), 0);
	CU_ASSERT_EQUAL(mldi_fast_report(if_nametoindex("mldt1"), &g, &sa, 1, NULL), 0);
	for (tries = 0; tries < 50 && !s.saw_group; tries++) {
		struct pollfd p = { mld_cap_fd(c), POLLIN, 0 };

		poll(&p, 1, 100);
		mld_cap_dispatch(c);
	}
	CU_ASSERT(s.saw_group);
	CU_ASSERT_EQUAL(s.kinds[MLD_KIND_REPORT], 1);
	mld_cap_free(c);
}

static void test_fast_report(void)
{
	uint8_t body[512], pkt[600];
	struct mld_addr g, src[2];
	struct mld_msg m;
	struct mld_record r;
	size_t n, pos = 0;

	/* Built: ALLOW {S1, S2}; TO_EX {} for any-source. */
	mld_addr_parse("ff3e::8000:77", &g);
	mld_addr_parse("2001:db8::1", &src[0]);
	mld_addr_parse("2001:db8::2", &src[1]);
	n = mldi_fast_build(body, sizeof(body), &g, src, 2);
	CU_ASSERT_EQUAL_FATAL(n, 8 + 4 + 48);
	n = tp_ipv6(pkt, "fe80::1", "ff02::16", body, n);
	CU_ASSERT_EQUAL_FATAL(mld_decode_ip(pkt, n, &m), 0);
	CU_ASSERT_EQUAL(m.version, 2);
	CU_ASSERT_EQUAL_FATAL(mld_msg_next_record(&m, &pos, &r), 1);
	CU_ASSERT_EQUAL(r.type, MLD_REC_ALLOW);
	CU_ASSERT(mld_addr_equal(&r.group, &g));
	CU_ASSERT_EQUAL(r.n_sources, 2);
	mld_addr_parse("239.1.0.77", &g);
	n = mldi_fast_build(body, sizeof(body), &g, NULL, 0);
	CU_ASSERT_EQUAL_FATAL(n, 16);
	CU_ASSERT_EQUAL(tp_csum(0, body, n), 0); /* its own checksum is right */
	body[2] = body[3] = 0;
	n = tp_ipv4(pkt, "10.0.0.1", "224.0.0.22", body, n);
	pos = 0;
	CU_ASSERT_EQUAL_FATAL(mld_decode_ip(pkt, n, &m), 0);
	CU_ASSERT_EQUAL_FATAL(mld_msg_next_record(&m, &pos, &r), 1);
	CU_ASSERT_EQUAL(r.type, MLD_REC_TO_EX);
	CU_ASSERT_EQUAL(r.n_sources, 0);
	CU_ASSERT_EQUAL(mldi_fast_build(body, 10, &g, NULL, 0), 0);
	/* Sent on a real link. */
	if (netns_rc < 0) {
		printf("skipped: no private network namespace here (%s) ", strerror(-netns_rc));
		return;
	}
	fast_family("ff3e::8000:77", "2001:db8::1");
	fast_family("232.1.0.77", "10.0.0.1");
	/* Forced MLDv1: nothing is sent (a v1 network ignores v2 reports). */
	CU_ASSERT_EQUAL(tu_write_file("/proc/sys/net/ipv6/conf/mldt1/force_mld_version", "1"), 0);
	mld_addr_parse("ff3e::8000:78", &g);
	CU_ASSERT_EQUAL(mldi_fast_report(if_nametoindex("mldt1"), &g, src, 1, NULL), -EPROTONOSUPPORT);
	tu_write_file("/proc/sys/net/ipv6/conf/mldt1/force_mld_version", "0");
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "the lab capture, into a table", test_lab_capture },
		{ "cooked v2 file with damaged frames", test_sll2_file },
		{ "errors", test_errors },
		{ "live capture of a real join", test_live },
		{ "fast-join report", test_fast_report },
		{ NULL, NULL },
	};
	netns_rc = tu_netns_private();
	return tu_add_suite("mld_cap", tests);
}
