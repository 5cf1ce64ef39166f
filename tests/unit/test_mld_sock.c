/* Unit tests of joins, receivers and senders (igmp-mld/mld_sock.c): the
 * refusals with their logged reasons, a receiver and a sender talking
 * through a real kernel over a veth pair in a private network namespace
 * for both families, the source filter (a wrong source gets nothing),
 * rejoin, and the sender's options as the kernel reports them.
 *
 * "Gets nothing" needs no timer: a datagram is delivered to every matching
 * socket at once, so once the socket that should get it has it, the one
 * that should not is checked without waiting. */
#include "config.h"

#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "mld.h"
#include "mld_netns.h"
#include "tu.h"

struct logbuf {
	char last[1024];
	int n;
};

static void on_log(void *ctx, int level, const char *msg)
{
	struct logbuf *b = ctx;

	(void)level;
	snprintf(b->last, sizeof(b->last), "%s", msg);
	b->n++;
}

static struct mld_addr A(const char *s)
{
	struct mld_addr a;

	CU_ASSERT_FATAL(mld_addr_parse(s, &a) == 0);
	return a;
}

static void test_join_refusals(void)
{
	struct logbuf lb = { "", 0 };
	struct mld_log log = { on_log, &lb, LOG_DEBUG };
	struct mld_addr g, s[2];
	int fd6 = socket(AF_INET6, SOCK_DGRAM, 0), fd4 = socket(AF_INET, SOCK_DGRAM, 0);

	CU_ASSERT_FATAL(fd6 >= 0 && fd4 >= 0);
	g = A("ff3e::8000:1");
	CU_ASSERT_EQUAL(mld_join(fd6, "lo", &g, NULL, 0, &log), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(lb.last, "source-specific"));
	g = A("232.1.0.1");
	CU_ASSERT_EQUAL(mld_join(fd4, "lo", &g, NULL, 0, &log), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(lb.last, "232.1.0.1"));
	g = A("2001:db8::1");
	CU_ASSERT_EQUAL(mld_join(fd6, "lo", &g, NULL, 0, &log), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(lb.last, "not a multicast"));
	g = A("ff3e::8000:1");
	s[0] = A("10.0.0.1");
	CU_ASSERT_EQUAL(mld_join(fd6, "lo", &g, s, 1, &log), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(lb.last, "not an IPv6"));
	s[0] = A("ff05::1");
	CU_ASSERT_EQUAL(mld_join(fd6, "lo", &g, s, 1, &log), -EINVAL);
	s[0] = A("::");
	CU_ASSERT_EQUAL(mld_join(fd6, "lo", &g, s, 1, &log), -EINVAL);
	CU_ASSERT_EQUAL(mld_join(fd6, "lo", &g, NULL, 2, &log), -EINVAL);
	CU_ASSERT_EQUAL(mld_join(fd6, "lo", NULL, NULL, 0, &log), -EINVAL);
	s[0] = A("2001:db8::1");
	CU_ASSERT_EQUAL(mld_join(fd6, "nosuch0", &g, s, 1, &log), -ENODEV);
	CU_ASSERT_PTR_NOT_NULL(strstr(lb.last, "nosuch0"));
	CU_ASSERT_EQUAL(mld_join(fd6, NULL, &g, s, 1, &log), -EINVAL);
	CU_ASSERT_EQUAL(mld_join(fd6, "", &g, s, 1, &log), -EINVAL);
	/* Accepted, then refused as a duplicate, then left. */
	CU_ASSERT_EQUAL(mld_join(fd6, "lo", &g, s, 1, &log), 0);
	CU_ASSERT(mld_join(fd6, "lo", &g, s, 1, &log) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(lb.last, "already joined"));
	CU_ASSERT_EQUAL(mld_leave_index(fd6, 1, &g, s, 1, &log), 0);
	CU_ASSERT(mld_leave_index(fd6, 1, &g, s, 1, &log) < 0);
	CU_ASSERT_EQUAL(mld_leave_index(fd6, 1, NULL, NULL, 0, &log), -EINVAL);
	CU_ASSERT_EQUAL(mld_leave(fd6, "nosuch0", &g, s, 1, &log), -ENODEV);
	CU_ASSERT_EQUAL(mld_join(fd6, "lo", &g, s, 1, &log), 0);
	CU_ASSERT_EQUAL(mld_leave(fd6, "lo", &g, s, 1, &log), 0);
	g = A("ff15::1");
	CU_ASSERT_EQUAL(mld_join(fd6, "lo", &g, NULL, 0, &log), 0);
	CU_ASSERT_EQUAL(mld_join(fd6, "lo", &g, NULL, 0, &log), -EADDRINUSE);
	CU_ASSERT_PTR_NOT_NULL(strstr(lb.last, "already joined"));
	g = A("ff3e::8000:1");
	/* Nothing logs without a logger. */
	CU_ASSERT_EQUAL(mld_join(fd6, "lo", &g, NULL, 0, NULL), -EINVAL);
	close(fd6);
	close(fd4);
}

static void test_recv_refusals(void)
{
	struct logbuf lb = { "", 0 };
	struct mld_log log = { on_log, &lb, LOG_DEBUG };
	struct mld_addr src = A("2001:db8::1");
	struct mld_recv_cfg rc = { .iface = "lo", .group = A("ff3e::8000:1"), .port = 5000 };
	mld_recv *r = (mld_recv *)&rc;

	CU_ASSERT_EQUAL(mld_recv_open(&rc, &log, &r), -EINVAL); /* SSM without source */
	CU_ASSERT_PTR_NULL(r);
	rc.sources = &src;
	rc.n_sources = 1;
	rc.port = 0;
	CU_ASSERT_EQUAL(mld_recv_open(&rc, &log, &r), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(lb.last, "port"));
	rc.port = 5000;
	rc.iface = "nosuch0";
	CU_ASSERT_EQUAL(mld_recv_open(&rc, &log, &r), -ENODEV);
	CU_ASSERT_PTR_NOT_NULL(strstr(lb.last, "nosuch0"));
	rc.iface = NULL;
	CU_ASSERT_EQUAL(mld_recv_open(&rc, &log, &r), -EINVAL);
	rc.iface = "an-interface-name-too-long";
	CU_ASSERT_EQUAL(mld_recv_open(&rc, &log, &r), -EINVAL);
	CU_ASSERT_EQUAL(mld_recv_open(NULL, &log, &r), -EINVAL);
	mld_recv_free(NULL);
}

/* A sender on mldt0 from the address from; returns the fd. */
static int sender(int family, const char *from)
{
	struct mld_addr b = A(from);
	struct mld_send_cfg sc = { .iface = "mldt0", .family = family, .bind_addr = &b };
	int fd = mld_send_open(&sc, NULL);

	CU_ASSERT_FATAL(fd >= 0);
	return fd;
}

static void send_to(int fd, const char *group, uint16_t port, const char *what)
{
	struct mld_addr g = A(group);
	struct sockaddr_storage ss;
	int len = mld_addr_to_sockaddr(&g, port, 0, &ss);

	CU_ASSERT_EQUAL(sendto(fd, what, strlen(what), 0, (struct sockaddr *)&ss, (socklen_t)len),
			(ssize_t)strlen(what));
}

static int take(mld_recv *r, char *buf, size_t len);

/* Wait (up to 5 s, a bound for a broken kernel, not a measurement) for a
 * datagram, then read it. */
static int take_wait(mld_recv *r, char *buf, size_t len)
{
	struct pollfd p = { mld_recv_fd(r), POLLIN, 0 };

	poll(&p, 1, 5000);
	return take(r, buf, len);
}

/* Read what is queued now, without waiting. */
static int take(mld_recv *r, char *buf, size_t len)
{
	ssize_t n = recv(mld_recv_fd(r), buf, len - 1, MSG_DONTWAIT);

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return (int)n;
}

static void ssm_family(int family, const char *group, const char *right, const char *wrong,
		       uint16_t port)
{
	struct mld_addr good = A(right), bad = A(wrong), both[2] = { A(wrong), A(right) };
	struct mld_recv_cfg rc = { .iface = "mldt1", .group = A(group), .port = port, .sources = &good,
				   .n_sources = 1 };
	mld_recv *r1, *r2, *r3;
	char buf[64];
	int s1, s2;

	CU_ASSERT_EQUAL_FATAL(mld_recv_open(&rc, NULL, &r1), 0);
	rc.sources = &bad;
	CU_ASSERT_EQUAL_FATAL(mld_recv_open(&rc, NULL, &r2), 0);
	rc.sources = both;
	rc.n_sources = 2;
	CU_ASSERT_EQUAL_FATAL(mld_recv_open(&rc, NULL, &r3), 0);
	CU_ASSERT_EQUAL(mld_recv_ifindex(r1), if_nametoindex("mldt1"));
	CU_ASSERT(mld_recv_rcvbuf(r1) > 0);
	s1 = sender(family, right);
	s2 = sender(family, wrong);

	/* From the right source: r1 and r3 get it, r2 (wrong source) not. */
	send_to(s1, group, port, "right");
	CU_ASSERT(take_wait(r1, buf, sizeof(buf)) > 0);
	CU_ASSERT_STRING_EQUAL(buf, "right");
	CU_ASSERT(take(r3, buf, sizeof(buf)) > 0);
	CU_ASSERT_EQUAL(take(r2, buf, sizeof(buf)), -EAGAIN);
	/* From the other source: only r2 and r3. */
	send_to(s2, group, port, "wrong");
	CU_ASSERT(take_wait(r2, buf, sizeof(buf)) > 0);
	CU_ASSERT_STRING_EQUAL(buf, "wrong");
	CU_ASSERT(take(r3, buf, sizeof(buf)) > 0);
	CU_ASSERT_EQUAL(take(r1, buf, sizeof(buf)), -EAGAIN);
	/* Rejoin keeps it working. */
	CU_ASSERT_EQUAL(mld_recv_rejoin(r1), 0);
	CU_ASSERT_EQUAL(mld_recv_ifindex(r1), if_nametoindex("mldt1"));
	send_to(s1, group, port, "again");
	CU_ASSERT(take_wait(r1, buf, sizeof(buf)) > 0);
	CU_ASSERT_STRING_EQUAL(buf, "again");
	close(s1);
	close(s2);
	mld_recv_free(r1);
	mld_recv_free(r2);
	mld_recv_free(r3);
}

static int netns_rc = -1;

static bool have_netns(void)
{
	if (netns_rc < 0)
		printf("skipped: no private network namespace here (%s) ", strerror(-netns_rc));
	return netns_rc == 0;
}

static void test_ssm_ipv6(void)
{
	if (have_netns())
		ssm_family(AF_INET6, "ff3e::8000:1", TU_SRC6_A, TU_SRC6_B, 5000);
}

static void test_ssm_ipv4(void)
{
	if (have_netns())
		ssm_family(AF_INET, "232.1.0.1", TU_SRC4_A, TU_SRC4_B, 5000);
}

static void test_asm_receiver(void)
{
	struct mld_recv_cfg rc = { .iface = "mldt1", .group = A("239.1.0.2"), .port = 5000,
				   .rcvbuf = 65536, .flags = MLD_RECV_REUSEPORT };
	mld_recv *r, *other;
	char buf[64];
	int s;

	if (!have_netns())
		return;
	CU_ASSERT_EQUAL_FATAL(mld_recv_open(&rc, NULL, &r), 0);
	CU_ASSERT(mld_recv_rcvbuf(r) >= 65536);
	rc.port = 5001;
	CU_ASSERT_EQUAL_FATAL(mld_recv_open(&rc, NULL, &other), 0);
	s = sender(AF_INET, TU_SRC4_B);
	/* Any source; and the other port's socket does not see this port. */
	send_to(s, "239.1.0.2", 5000, "any");
	CU_ASSERT(take_wait(r, buf, sizeof(buf)) > 0);
	CU_ASSERT_EQUAL(take(other, buf, sizeof(buf)), -EAGAIN);
	close(s);
	mld_recv_free(r);
	mld_recv_free(other);
}

static int getint(int fd, int level, int opt)
{
	int v = -1;
	socklen_t len = sizeof(v);

	CU_ASSERT_EQUAL(getsockopt(fd, level, opt, &v, &len), 0);
	return v;
}

static void test_sender_options(void)
{
	struct logbuf lb = { "", 0 };
	struct mld_log log = { on_log, &lb, LOG_DEBUG };
	struct mld_send_cfg sc = { .iface = "1", .family = AF_INET6, .dscp = 34 };
	int lo = (int)if_nametoindex("lo");
	struct mld_addr foreign = A("192.0.2.1");
	int fd = mld_send_open(&sc, &log);

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(getint(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS), MLD_HOPS_DEFAULT);
	CU_ASSERT_EQUAL(getint(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP), 0);
	CU_ASSERT_EQUAL(getint(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF), lo);
	CU_ASSERT_EQUAL(getint(fd, IPPROTO_IPV6, IPV6_TCLASS), 34 << 2);
	close(fd);
	sc.family = AF_INET;
	sc.hops = 3;
	sc.loop = true;
	sc.dscp = 46;
	sc.sndbuf = 1 << 20;
	sc.iface = "lo";
	fd = mld_send_open(&sc, &log);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(getint(fd, IPPROTO_IP, IP_MULTICAST_TTL), 3);
	CU_ASSERT_EQUAL(getint(fd, IPPROTO_IP, IP_MULTICAST_LOOP), 1);
	CU_ASSERT_EQUAL(getint(fd, IPPROTO_IP, IP_TOS), 46 << 2);
	CU_ASSERT(getint(fd, SOL_SOCKET, SO_SNDBUF) >= 1 << 20);
	/* mld_send_setup on a socket of the caller's. */
	sc.hops = 7;
	CU_ASSERT_EQUAL(mld_send_setup(fd, &sc, &log), 0);
	CU_ASSERT_EQUAL(getint(fd, IPPROTO_IP, IP_MULTICAST_TTL), 7);
	close(fd);

	sc.dscp = 64;
	CU_ASSERT_EQUAL(mld_send_open(&sc, &log), -EINVAL);
	sc.dscp = 0;
	sc.hops = 256;
	CU_ASSERT_EQUAL(mld_send_open(&sc, &log), -EINVAL);
	sc.hops = 0;
	sc.iface = "nosuch0";
	CU_ASSERT_EQUAL(mld_send_open(&sc, &log), -ENODEV);
	CU_ASSERT_PTR_NOT_NULL(strstr(lb.last, "nosuch0"));
	sc.iface = "lo";
	sc.bind_addr = &foreign;
	CU_ASSERT_EQUAL(mld_send_open(&sc, &log), -EADDRNOTAVAIL);
	CU_ASSERT_PTR_NOT_NULL(strstr(lb.last, "not an address of this host"));
	sc.family = AF_INET6;
	CU_ASSERT_EQUAL(mld_send_open(&sc, &log), -EINVAL);
	sc.family = 0;
	CU_ASSERT_EQUAL(mld_send_open(&sc, &log), -EINVAL);
}

static void test_addr_helpers(void)
{
	struct mld_addr a, b;
	struct sockaddr_storage ss;
	char buf[MLD_ADDR_STRLEN];

	CU_ASSERT_EQUAL(mld_addr_parse("ff3e::8000:1", &a), 0);
	CU_ASSERT(mld_addr_is_multicast(&a) && mld_addr_is_ssm(&a));
	CU_ASSERT_EQUAL(mld_addr_to_sockaddr(&a, 5000, 3, &ss), (int)sizeof(struct sockaddr_in6));
	CU_ASSERT_EQUAL(ntohs(((struct sockaddr_in6 *)&ss)->sin6_port), 5000);
	CU_ASSERT_EQUAL(mld_addr_from_sockaddr((struct sockaddr *)&ss, sizeof(struct sockaddr_in6), &b), 0);
	CU_ASSERT(mld_addr_equal(&a, &b));
	CU_ASSERT_EQUAL(mld_addr_from_sockaddr((struct sockaddr *)&ss, 8, &b), -EINVAL);
	CU_ASSERT_EQUAL(mld_addr_parse("ff0e::1", &a), 0);
	CU_ASSERT_FALSE(mld_addr_is_ssm(&a));
	CU_ASSERT_EQUAL(mld_addr_parse("ff3e:1::1", &a), 0); /* prefix length set: not SSM */
	CU_ASSERT_FALSE(mld_addr_is_ssm(&a));
	CU_ASSERT_EQUAL(mld_addr_parse("232.1.2.3", &a), 0);
	CU_ASSERT(mld_addr_is_ssm(&a));
	CU_ASSERT_EQUAL(mld_addr_to_sockaddr(&a, 5000, 0, &ss), (int)sizeof(struct sockaddr_in));
	CU_ASSERT_EQUAL(mld_addr_parse("239.1.2.3", &b), 0);
	CU_ASSERT_FALSE(mld_addr_is_ssm(&b));
	CU_ASSERT(mld_addr_cmp(&a, &b) < 0);
	CU_ASSERT_EQUAL(mld_addr_parse("[::1]:5000", &a), -EINVAL);
	CU_ASSERT_EQUAL(a.family, 0);
	CU_ASSERT_EQUAL(mld_addr_parse(NULL, &a), -EINVAL);
	CU_ASSERT_EQUAL(mld_addr_format(&a, buf, sizeof(buf)), 0);
	CU_ASSERT_STRING_EQUAL(buf, "-");
	CU_ASSERT(mld_addr_is_unspecified(&a));
	CU_ASSERT_EQUAL(mld_addr_to_sockaddr(&a, 1, 0, &ss), -EINVAL);
	mld_addr_parse("2001:db8::1", &a);
	CU_ASSERT_EQUAL(mld_addr_format(&a, buf, 5), -ENOSPC);
	CU_ASSERT_STRING_EQUAL(buf, "");
	CU_ASSERT_STRING_EQUAL(mld_mode_name(MLD_MODE_INCLUDE), "include");
	CU_ASSERT_STRING_EQUAL(mld_mode_name((enum mld_mode)0), "?");
	CU_ASSERT_STRING_EQUAL(mld_link_ev_name(MLD_LINK_UP), "link-up");
	CU_ASSERT_STRING_EQUAL(mld_change_name(MLD_CHANGE_EXPIRE), "expire");
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "address helpers", test_addr_helpers },
		{ "join refusals", test_join_refusals },
		{ "receiver refusals", test_recv_refusals },
		{ "SSM receiver, IPv6 over veth", test_ssm_ipv6 },
		{ "SSM receiver, IPv4 over veth", test_ssm_ipv4 },
		{ "ASM receiver", test_asm_receiver },
		{ "sender options", test_sender_options },
		{ NULL, NULL },
	};
	netns_rc = tu_netns_private();
	return tu_add_suite("mld_sock", tests);
}
