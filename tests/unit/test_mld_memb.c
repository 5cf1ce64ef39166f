/* Unit tests of the host-membership readers (igmp-mld/mld_proc.c,
 * mld_memb.c): the /proc/net parsers on text the kernel wrote (taken from
 * a namespace with IPv6/IPv4, any-source and source-specific joins), odd
 * and damaged text, and the live reader against the kernel's own view of
 * a join on the loopback interface. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mld.h"
#include "mld_internal.h"
#include "tu.h"

static const char igmp6_text[] =
	"1    lo              ff020000000000000000000000000001     1 0000000C 0\n"
	"1    lo              ff010000000000000000000000000001     1 00000008 0\n"
	"2    veth1           ff0200000000000000000001ffca15be     1 00000004 0\n"
	"3    veth0           ff3e0000000000000000000080000001     1 00000004 0\n"
	"3    veth0           ff050000000000000000000000000005     2 00000004 0\n"
	"3    veth0           ff0200000000000000000001fffb9028     1 00000004 0\n";

static const char mcfilter6_text[] =
	"Idx Device                Multicast Address                   Source Address    INC    EXC\n"
	"  3  veth0 ff3e0000000000000000000080000001 20010db8000000000000000000000001      1      0\n"
	"  3  veth0 ff3e0000000000000000000080000001 20010db8000000000000000000000002      1      0\n";

static const char mcfilter_text[] =
	"Idx Device        MCA        SRC    INC    EXC\n"
	"  3  veth0 0xe8010001 0x0a000001      1      0\n"
	"  3  veth0 0xe8010001 0x0a000002      1      0\n";

struct seen {
	int n;
	unsigned idx[16], users[16], inc[16], exc[16];
	char name[16][16], group[16][MLD_ADDR_STRLEN], src[16][MLD_ADDR_STRLEN];
};

static int on_group(void *arg, unsigned ifindex, const char *ifname, const struct mld_addr *g,
		    unsigned users)
{
	struct seen *s = arg;

	if (s->n == 16)
		return -ENOSPC;
	s->idx[s->n] = ifindex;
	s->users[s->n] = users;
	snprintf(s->name[s->n], sizeof(s->name[0]), "%s", ifname);
	mld_addr_format(g, s->group[s->n], sizeof(s->group[0]));
	s->n++;
	return 0;
}

static int on_source(void *arg, unsigned ifindex, const char *ifname, const struct mld_addr *g,
		     const struct mld_addr *src, unsigned inc, unsigned exc)
{
	struct seen *s = arg;

	if (on_group(arg, ifindex, ifname, g, 0))
		return -ENOSPC;
	mld_addr_format(src, s->src[s->n - 1], sizeof(s->src[0]));
	s->inc[s->n - 1] = inc;
	s->exc[s->n - 1] = exc;
	return 0;
}

static void test_igmp6(void)
{
	struct seen s = { 0 };

	CU_ASSERT_EQUAL(mldi_proc_igmp6(igmp6_text, on_group, &s), 6);
	CU_ASSERT_EQUAL(s.idx[3], 3);
	CU_ASSERT_STRING_EQUAL(s.name[3], "veth0");
	CU_ASSERT_STRING_EQUAL(s.group[3], "ff3e::8000:1");
	CU_ASSERT_STRING_EQUAL(s.group[4], "ff05::5");
	CU_ASSERT_EQUAL(s.users[4], 2);
	CU_ASSERT_STRING_EQUAL(s.group[0], "ff02::1");
}

/* /proc/net/igmp prints the group as the raw network-order word read as
 * a host number: build the sample the way this host's kernel would. */
static void test_igmp(void)
{
	static const uint8_t groups[3][4] = { { 232, 1, 0, 1 }, { 239, 1, 2, 3 }, { 224, 0, 0, 1 } };
	char text[1024];
	uint32_t w[3];
	struct seen s = { 0 };

	for (int i = 0; i < 3; i++)
		memcpy(&w[i], groups[i], 4);
	snprintf(text, sizeof(text),
		 "Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n"
		 "1\tlo        :     1      V3\n"
		 "\t\t\t\t%08X     1 0:00000000\t\t0\n"
		 "3\tveth0     :     3      V3\n"
		 "\t\t\t\t%08X     1 0:00000000\t\t0\n"
		 "\t\t\t\t%08X     2 0:00000000\t\t0\n"
		 "4\tverylongname0: 1      V2\n"
		 "\t\t\t\t%08X     1 0:00000000\t\t1\n",
		 w[2], w[0], w[1], w[2]);
	CU_ASSERT_EQUAL(mldi_proc_igmp(text, on_group, &s), 4);
	CU_ASSERT_STRING_EQUAL(s.group[0], "224.0.0.1");
	CU_ASSERT_STRING_EQUAL(s.name[0], "lo");
	CU_ASSERT_EQUAL(s.idx[1], 3);
	CU_ASSERT_STRING_EQUAL(s.group[1], "232.1.0.1");
	CU_ASSERT_STRING_EQUAL(s.group[2], "239.1.2.3");
	CU_ASSERT_EQUAL(s.users[2], 2);
	CU_ASSERT_STRING_EQUAL(s.name[3], "verylongname0");
	CU_ASSERT_EQUAL(s.idx[3], 4);
}

static void test_mcfilter(void)
{
	struct seen s = { 0 };

	CU_ASSERT_EQUAL(mldi_proc_mcfilter6(mcfilter6_text, on_source, &s), 2);
	CU_ASSERT_STRING_EQUAL(s.group[0], "ff3e::8000:1");
	CU_ASSERT_STRING_EQUAL(s.src[1], "2001:db8::2");
	CU_ASSERT_EQUAL(s.inc[1], 1);
	CU_ASSERT_EQUAL(s.exc[1], 0);
	memset(&s, 0, sizeof(s));
	CU_ASSERT_EQUAL(mldi_proc_mcfilter(mcfilter_text, on_source, &s), 2);
	CU_ASSERT_STRING_EQUAL(s.group[0], "232.1.0.1");
	CU_ASSERT_STRING_EQUAL(s.src[0], "10.0.0.1");
	CU_ASSERT_STRING_EQUAL(s.name[1], "veth0");
}

static void test_odd_text(void)
{
	struct seen s = { 0 };
	char *junk = malloc(3000);

	CU_ASSERT_FATAL(junk != NULL);
	/* Empty, header only, damaged lines, a line longer than any buffer,
	 * no final newline: understood lines only. */
	CU_ASSERT_EQUAL(mldi_proc_igmp6("", on_group, &s), 0);
	CU_ASSERT_EQUAL(mldi_proc_mcfilter6("Idx Device Multicast Address\n", on_source, &s), 0);
	CU_ASSERT_EQUAL(mldi_proc_igmp6("3 eth0 ff3e00000000000000000000800000 1 4 0\n"
					"3 eth0 zz3e0000000000000000000080000001 1 4 0\n"
					"x eth0 ff3e0000000000000000000080000001 1 4 0\n"
					"3 eth0 ff3e0000000000000000000080000001 1 4 0",
					on_group, &s),
			1);
	memset(junk, 'a', 2999);
	junk[2999] = '\0';
	CU_ASSERT_EQUAL(mldi_proc_igmp(junk, on_group, &s), 0);
	CU_ASSERT_EQUAL(mldi_proc_mcfilter(junk, on_source, &s), 0);
	/* A group line before any device line is skipped. */
	CU_ASSERT_EQUAL(mldi_proc_igmp("\t\t\t\t010000E0     1 0:00000000\t\t0\n", on_group, &s), 0);
	/* Random bytes. */
	for (int round = 0; round < 200; round++) {
		for (int i = 0; i < 2999; i++)
			junk[i] = (char)(1 + tu_rand_below(255));
		(void)mldi_proc_igmp6(junk, on_group, &(struct seen){ 0 });
		(void)mldi_proc_igmp(junk, on_group, &(struct seen){ 0 });
		(void)mldi_proc_mcfilter(junk, on_source, &(struct seen){ 0 });
		(void)mldi_proc_mcfilter6(junk, on_source, &(struct seen){ 0 });
	}
	/* A callback's stop value comes back. */
	memset(&s, 0, sizeof(s));
	s.n = 16;
	CU_ASSERT_EQUAL(mldi_proc_igmp6(igmp6_text, on_group, &s), -ENOSPC);
	free(junk);
}

static void test_read_file(void)
{
	char *text;
	long n = mldi_read_file("/proc/self/status", &text);

	CU_ASSERT(n > 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_EQUAL((long)strlen(text), n);
	free(text);
	CU_ASSERT_EQUAL(mldi_read_file("/nonexistent/file", &text), -ENOENT);
	CU_ASSERT_PTR_NULL(text);
}

/* The kernel's view of joins on lo: one any-source, one source-specific
 * with two sources, per family. Groups are this test's own. */
static void test_live(void)
{
	static const char *g6 = "ff15::5c:7e57", *s6 = "ff3e::5c:7e57", *g4 = "239.255.92.1",
			  *s4 = "232.255.92.1";
	struct mld_addr a, src[2];
	struct mld_memberships m;
	const struct mld_membership *e;
	int fd6 = socket(AF_INET6, SOCK_DGRAM, 0), fd4 = socket(AF_INET, SOCK_DGRAM, 0);

	CU_ASSERT_FATAL(fd6 >= 0 && fd4 >= 0);
	mld_addr_parse(g6, &a);
	CU_ASSERT_EQUAL_FATAL(mld_join(fd6, "lo", &a, NULL, 0, NULL), 0);
	mld_addr_parse(s6, &a);
	mld_addr_parse("2001:db8::1", &src[0]);
	mld_addr_parse("2001:db8::2", &src[1]);
	CU_ASSERT_EQUAL_FATAL(mld_join(fd6, "lo", &a, src, 2, NULL), 0);
	mld_addr_parse(g4, &a);
	CU_ASSERT_EQUAL_FATAL(mld_join(fd4, "1", &a, NULL, 0, NULL), 0);
	mld_addr_parse(s4, &a);
	mld_addr_parse("10.0.0.1", &src[0]);
	CU_ASSERT_EQUAL_FATAL(mld_join(fd4, "lo", &a, src, 1, NULL), 0);

	CU_ASSERT(mld_memberships_get(AF_UNSPEC, "lo", &m, NULL) >= 4);
	CU_ASSERT_EQUAL(m.from6, MLD_MEMB_FROM_NETLINK);
	CU_ASSERT(m.from4 == MLD_MEMB_FROM_NETLINK || m.from4 == MLD_MEMB_FROM_PROC);
	mld_addr_parse(g6, &a);
	e = mld_memberships_find(&m, 1, &a);
	CU_ASSERT_FATAL(e != NULL);
	CU_ASSERT_STRING_EQUAL(e->ifname, "lo");
	CU_ASSERT(e->users >= 1);
	CU_ASSERT_EQUAL(e->mode, MLD_MODE_EXCLUDE);
	mld_addr_parse(s6, &a);
	e = mld_memberships_find(&m, 0, &a);
	CU_ASSERT_FATAL(e != NULL);
	CU_ASSERT_EQUAL(e->mode, MLD_MODE_INCLUDE);
	CU_ASSERT_EQUAL(e->n_sources, 2);
	mld_addr_parse(g4, &a);
	CU_ASSERT_PTR_NOT_NULL(mld_memberships_find(&m, 1, &a));
	mld_addr_parse(s4, &a);
	e = mld_memberships_find(&m, 1, &a);
	CU_ASSERT_FATAL(e != NULL);
	CU_ASSERT_EQUAL(e->mode, MLD_MODE_INCLUDE);
	CU_ASSERT_EQUAL_FATAL(e->n_sources, 1);
	mld_addr_parse("10.0.0.1", &a);
	CU_ASSERT(mld_addr_equal(&e->sources[0], &a));
	/* Sorted by interface, then group. */
	for (size_t i = 1; i < m.n; i++)
		CU_ASSERT(m.v[i - 1].ifindex < m.v[i].ifindex ||
			  (m.v[i - 1].ifindex == m.v[i].ifindex &&
			   mld_addr_cmp(&m.v[i - 1].group, &m.v[i].group) < 0));
	mld_memberships_clear(&m);
	CU_ASSERT_EQUAL(m.n, 0);

	/* An any-source group joined last hides lo's source filters from
	 * /proc/net/mcfilter6 (a kernel listing gap): the mode is then unknown
	 * (0) or, on a kernel without the gap, still right; never a wrong
	 * EXCLUDE. */
	mld_addr_parse("ff15::5c:7e58", &a);
	CU_ASSERT_EQUAL_FATAL(mld_join(fd6, "lo", &a, NULL, 0, NULL), 0);
	CU_ASSERT(mld_memberships_get(AF_INET6, "lo", &m, NULL) >= 3);
	mld_addr_parse(s6, &a);
	e = mld_memberships_find(&m, 1, &a);
	CU_ASSERT_FATAL(e != NULL);
	CU_ASSERT(e->mode == 0 || (e->mode == MLD_MODE_INCLUDE && e->n_sources == 2));
	CU_ASSERT_STRING_EQUAL(mld_mode_name(e->mode), e->mode ? "include" : "?");
	mld_memberships_clear(&m);

	/* Only one family; closing the sockets drops the groups. */
	close(fd6);
	close(fd4);
	CU_ASSERT(mld_memberships_get(AF_INET, NULL, &m, NULL) >= 0);
	CU_ASSERT_EQUAL(m.from6, 0);
	mld_addr_parse(s4, &a);
	CU_ASSERT_PTR_NULL(mld_memberships_find(&m, 0, &a));
	mld_memberships_clear(&m);
	CU_ASSERT_EQUAL(mld_memberships_get(AF_INET, "nosuch0", &m, NULL), -ENODEV);
	CU_ASSERT_EQUAL(mld_memberships_get(AF_PACKET, NULL, &m, NULL), -EINVAL);
	mld_memberships_clear(NULL);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "/proc/net/igmp6", test_igmp6 },
		{ "/proc/net/igmp", test_igmp },
		{ "/proc/net/mcfilter{,6}", test_mcfilter },
		{ "odd and damaged text", test_odd_text },
		{ "read_file", test_read_file },
		{ "live memberships on lo", test_live },
		{ NULL, NULL },
	};
	return tu_add_suite("mld_memb", tests);
}
