/* Unit tests of interfaces and the link watcher (igmp-mld/mld_link.c), in a
 * private network namespace (mld_netns.h) where the test changes links
 * with `ip` and reads the watcher's events. rtnetlink queues a change's
 * notifications before the command that made it returns, so reading right
 * after each command is deterministic. */
#include "config.h"

#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "mld.h"
#include "mld_netns.h"
#include "tu.h"

static int netns_rc = -1;

static bool have_netns(void)
{
	if (netns_rc < 0)
		printf("skipped: no private network namespace here (%s) ", strerror(-netns_rc));
	return netns_rc == 0;
}

static void sh(const char *cmd)
{
	CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
}

static void test_if_get(void)
{
	struct mld_ifinfo *i = malloc(sizeof(*i));
	struct mld_addr a;
	char s[MLD_ADDR_STRLEN];
	bool v6 = false, v4 = false;
	static const uint8_t zero[6];

	CU_ASSERT_FATAL(i != NULL);
	CU_ASSERT_EQUAL(mld_if_get("lo", i, NULL), 0);
	CU_ASSERT_STRING_EQUAL(i->name, "lo");
	CU_ASSERT_EQUAL(mld_if_get("nosuch0", i, NULL), -ENODEV);
	CU_ASSERT_EQUAL(mld_if_get("", i, NULL), -EINVAL);
	CU_ASSERT_EQUAL(mld_if_get(NULL, i, NULL), -EINVAL);
	if (!have_netns()) {
		free(i);
		return;
	}
	CU_ASSERT_EQUAL_FATAL(mld_if_get("mldt0", i, NULL), 0);
	CU_ASSERT_EQUAL(i->index, if_nametoindex("mldt0"));
	CU_ASSERT(i->up && i->running && i->multicast);
	CU_ASSERT_EQUAL(i->mtu, 1500);
	CU_ASSERT(memcmp(i->mac, zero, 6) != 0);
	for (size_t k = 0; k < i->n_addrs; k++) {
		mld_addr_format(&i->addrs[k].addr, s, sizeof(s));
		if (strcmp(s, TU_SRC6_A) == 0 && i->addrs[k].prefixlen == 64 && i->addrs[k].scope == 0 &&
		    !i->addrs[k].tentative)
			v6 = true;
		if (strcmp(s, TU_SRC4_A) == 0 && i->addrs[k].prefixlen == 24)
			v4 = true;
	}
	CU_ASSERT(v6 && v4);
	/* By index too. */
	snprintf(s, sizeof(s), "%u", if_nametoindex("mldt1"));
	CU_ASSERT_EQUAL(mld_if_get(s, i, NULL), 0);
	CU_ASSERT_STRING_EQUAL(i->name, "mldt1");
	/* Sources for a sender. */
	CU_ASSERT_EQUAL(mld_if_pick_source("mldt0", AF_INET6, &a, NULL), 0);
	mld_addr_format(&a, s, sizeof(s));
	CU_ASSERT(strcmp(s, TU_SRC6_A) == 0 || strcmp(s, TU_SRC6_B) == 0);
	CU_ASSERT_EQUAL(mld_if_pick_source("mldt0", AF_INET, &a, NULL), 0);
	mld_addr_format(&a, s, sizeof(s));
	CU_ASSERT(strcmp(s, TU_SRC4_A) == 0 || strcmp(s, TU_SRC4_B) == 0);
	CU_ASSERT_EQUAL(mld_if_pick_source("mldt1", AF_INET6, &a, NULL), -EADDRNOTAVAIL);
	CU_ASSERT_EQUAL(mld_if_pick_source("nosuch0", AF_INET6, &a, NULL), -ENODEV);
	free(i);
}

struct evlog {
	int n;
	struct mld_link_event ev[256];
};

static void on_ev(void *arg, const struct mld_link_event *ev)
{
	struct evlog *l = arg;

	if (l->n < 256)
		l->ev[l->n++] = *ev;
}

/* The first event of type in l (for ifname, or any with NULL), or NULL. */
static const struct mld_link_event *find_ev(const struct evlog *l, enum mld_link_ev type,
					    const char *ifname)
{
	for (int i = 0; i < l->n; i++)
		if (l->ev[i].type == type && (!ifname || strcmp(l->ev[i].ifname, ifname) == 0))
			return &l->ev[i];
	return NULL;
}

static int process(mld_nlwatch *w, struct evlog *l)
{
	l->n = 0;
	return mld_nlwatch_process(w);
}

/* Wait (up to 3 s) until an event of type for ifname is in l, reading
 * what comes. Carrier changes reach netlink through the kernel's
 * linkwatch, which may hold them back for up to a second, so a single
 * read right after `ip link set` sometimes finds nothing yet. */
static const struct mld_link_event *wait_ev(mld_nlwatch *w, struct evlog *l, enum mld_link_ev type,
					    const char *ifname)
{
	const struct mld_link_event *e;

	for (int i = 0; i < 60 && !(e = find_ev(l, type, ifname)); i++) {
		struct pollfd p = { .fd = mld_nlwatch_fd(w), .events = POLLIN };

		poll(&p, 1, 50);
		mld_nlwatch_process(w);
	}
	return e;
}

static void test_watch_flap_and_recreate(void)
{
	struct evlog l = { 0 }, all = { 0 };
	mld_nlwatch *w, *wall;
	const struct mld_link_event *e;
	unsigned old_index;
	char s[MLD_ADDR_STRLEN];

	if (!have_netns())
		return;
	CU_ASSERT_EQUAL_FATAL(mld_nlwatch_new("mldt1", on_ev, &l, NULL, &w), 0);
	CU_ASSERT_EQUAL_FATAL(mld_nlwatch_new(NULL, on_ev, &all, NULL, &wall), 0);
	CU_ASSERT(mld_nlwatch_fd(w) >= 0);
	/* Nothing pending: the initial state is not reported. */
	CU_ASSERT_EQUAL(process(w, &l), 0);
	old_index = if_nametoindex("mldt1");

	sh("ip link set mldt1 down");
	CU_ASSERT(process(w, &l) >= 1);
	e = find_ev(&l, MLD_LINK_DOWN, "mldt1");
	CU_ASSERT_FATAL(e != NULL);
	CU_ASSERT_EQUAL(e->ifindex, old_index);
	for (int i = 0; i < l.n; i++)
		CU_ASSERT_STRING_EQUAL(l.ev[i].ifname, "mldt1");
	l.n = 0;
	sh("ip link set mldt1 up");
	CU_ASSERT_PTR_NOT_NULL(wait_ev(w, &l, MLD_LINK_UP, "mldt1"));
	CU_ASSERT_PTR_NULL(find_ev(&l, MLD_LINK_DOWN, "mldt1"));
	/* The peer going down takes the carrier away: down, then up. */
	l.n = 0;
	sh("ip link set mldt0 down");
	CU_ASSERT_PTR_NOT_NULL(wait_ev(w, &l, MLD_LINK_DOWN, "mldt1"));
	l.n = 0;
	sh("ip link set mldt0 up");
	CU_ASSERT_PTR_NOT_NULL(wait_ev(w, &l, MLD_LINK_UP, "mldt1"));

	sh("ip addr add 10.77.1.1/24 dev mldt1");
	CU_ASSERT(process(w, &l) >= 1);
	e = find_ev(&l, MLD_ADDR_NEW, "mldt1");
	CU_ASSERT_FATAL(e != NULL);
	mld_addr_format(&e->addr, s, sizeof(s));
	CU_ASSERT_STRING_EQUAL(s, "10.77.1.1");
	CU_ASSERT_EQUAL(e->prefixlen, 24);
	sh("ip addr del 10.77.1.1/24 dev mldt1");
	process(w, &l);
	CU_ASSERT_PTR_NOT_NULL(find_ev(&l, MLD_ADDR_DEL, "mldt1"));

	/* Re-created under the same name: gone, then new with another index. */
	sh("ip link del mldt1");
	process(w, &l);
	CU_ASSERT_PTR_NOT_NULL(find_ev(&l, MLD_LINK_DEL, "mldt1"));
	l.n = 0;
	sh("ip link add mldt0 type veth peer name mldt1 && ip link set mldt0 up && ip link set mldt1 up");
	CU_ASSERT_PTR_NOT_NULL(wait_ev(w, &l, MLD_LINK_UP, "mldt1"));
	e = find_ev(&l, MLD_LINK_NEW, "mldt1");
	CU_ASSERT_FATAL(e != NULL);
	CU_ASSERT_NOT_EQUAL(e->ifindex, old_index);
	CU_ASSERT_PTR_NULL(find_ev(&l, MLD_LINK_NEW, "mldt0")); /* filtered */

	/* The unfiltered watcher saw mldt0 too. */
	process(wall, &all);
	CU_ASSERT_PTR_NOT_NULL(find_ev(&all, MLD_LINK_NEW, "mldt0"));
	CU_ASSERT_PTR_NOT_NULL(find_ev(&all, MLD_LINK_DEL, "mldt0"));
	mld_nlwatch_free(w);
	mld_nlwatch_free(wall);
	mld_nlwatch_free(NULL);
	/* Restore what the other tests expect. */
	sh("ip addr add " TU_SRC6_A "/64 dev mldt0 nodad && ip addr add " TU_SRC4_A "/24 dev mldt0");
}

/* A netlink socket too small for a burst of changes overruns; the watcher
 * re-reads the links and says so. */
static void test_watch_overrun(void)
{
	struct evlog l = { 0 };
	mld_nlwatch *w;
	int tiny = 1;
	FILE *f;

	if (!have_netns())
		return;
	CU_ASSERT_EQUAL_FATAL(mld_nlwatch_new(NULL, on_ev, &l, NULL, &w), 0);
	CU_ASSERT_EQUAL(setsockopt(mld_nlwatch_fd(w), SOL_SOCKET, SO_RCVBUF, &tiny, sizeof(tiny)), 0);
	f = popen("ip -batch -", "w");
	CU_ASSERT_FATAL(f != NULL);
	for (int i = 1; i <= 200; i++)
		fprintf(f, "addr add 10.78.%d.%d/32 dev mldt0\n", i / 200, i % 200 + 1);
	CU_ASSERT_EQUAL(pclose(f), 0);
	CU_ASSERT(process(w, &l) >= 1);
	CU_ASSERT_PTR_NOT_NULL(find_ev(&l, MLD_LINK_RESYNC, NULL));
	/* Still working afterwards. */
	sh("ip link set mldt1 down");
	process(w, &l);
	CU_ASSERT_PTR_NOT_NULL(find_ev(&l, MLD_LINK_DOWN, "mldt1"));
	sh("ip link set mldt1 up");
	mld_nlwatch_free(w);
}

static void test_watch_errors(void)
{
	mld_nlwatch *w = (mld_nlwatch *)&w;

	CU_ASSERT_EQUAL(mld_nlwatch_new("x", NULL, NULL, NULL, &w), -EINVAL);
	CU_ASSERT_PTR_NULL(w);
	CU_ASSERT_EQUAL(mld_nlwatch_new("an-interface-name-too-long", on_ev, NULL, NULL, &w), -EINVAL);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "mld_if_get and pick_source", test_if_get },
		{ "watch: flap, addresses, re-created link", test_watch_flap_and_recreate },
		{ "watch: overrun and resync", test_watch_overrun },
		{ "watch: errors", test_watch_errors },
		{ NULL, NULL },
	};
	netns_rc = tu_netns_private();
	return tu_add_suite("mld_link", tests);
}
