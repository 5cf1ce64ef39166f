/* mld_memb: the host's memberships, from rtnetlink with /proc as fallback
 * and complement. See mld_memb.h. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "mld_internal.h"
#include "sc_addr.h"

/* Older kernels answer an IPv6 dump with RTM_GETMULTICAST messages; newer
 * ones (which also dump IPv4) with RTM_NEWMULTICAST, which older headers do
 * not define. Both are accepted. */
#ifndef RTM_NEWMULTICAST
#define RTM_NEWMULTICAST 56
#endif

struct collect {
	struct mld_memberships *m;
	size_t cap;
	unsigned ifindex; /* 0: every interface */
	int family;       /* of the netlink dump in progress */
	int err;
	/* Interfaces in the kernel's list order, as /proc/net/igmp{,6} walk
	 * them (the same order /proc/net/mcfilter{,6} uses). */
	unsigned order[256];
	size_t norder;
};

/* Remember the kernel's interface order while /proc/net/igmp{,6} is read. */
static void note_order(struct collect *c, unsigned ifindex)
{
	if (c->norder && c->order[c->norder - 1] == ifindex)
		return;
	for (size_t i = 0; i < c->norder; i++)
		if (c->order[i] == ifindex)
			return;
	if (c->norder < sizeof(c->order) / sizeof(c->order[0]))
		c->order[c->norder++] = ifindex;
}

/* Position of ifindex in the kernel's order, or -1. */
static long order_of(const struct collect *c, unsigned ifindex)
{
	for (size_t i = 0; i < c->norder; i++)
		if (c->order[i] == ifindex)
			return (long)i;
	return -1;
}

static struct mld_membership *find(struct mld_memberships *m, unsigned ifindex,
				   const struct mld_addr *g)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].ifindex == ifindex && mld_addr_equal(&m->v[i].group, g))
			return &m->v[i];
	return NULL;
}

static int add_group(void *arg, unsigned ifindex, const char *ifname, const struct mld_addr *g,
		     unsigned users)
{
	struct collect *c = arg;
	struct mld_membership *e;

	if (ifname) /* from /proc: in the kernel's interface order */
		note_order(c, ifindex);
	if (c->ifindex && ifindex != c->ifindex)
		return 0;
	e = find(c->m, ifindex, g);
	if (!e) {
		if (c->m->n == c->cap) {
			size_t ncap = c->cap ? c->cap * 2 : 16;
			struct mld_membership *nv = realloc(c->m->v, ncap * sizeof(*nv));

			if (!nv)
				return -ENOMEM;
			c->m->v = nv;
			c->cap = ncap;
		}
		e = &c->m->v[c->m->n++];
		memset(e, 0, sizeof(*e));
		e->ifindex = ifindex;
		e->group = *g;
		e->mode = MLD_MODE_EXCLUDE;
	}
	if (ifname && ifname[0] && !e->ifname[0])
		snprintf(e->ifname, sizeof(e->ifname), "%s", ifname);
	if (users)
		e->users = users;
	return 0;
}

/* Include counts per membership while /proc/net/mcfilter is read: the
 * mode is decided once every source is known. */
struct filter_note {
	unsigned inc_sum;
	bool any_exc;
};

struct collect_src {
	struct collect *c;
	struct filter_note *notes; /* one per membership */
	unsigned first_ifindex;    /* of the first line of the file, 0: none */
};

static int add_source(void *arg, unsigned ifindex, const char *ifname, const struct mld_addr *g,
		      const struct mld_addr *s, unsigned inc, unsigned exc)
{
	struct collect_src *cs = arg;
	struct mld_membership *e = find(cs->c->m, ifindex, g);
	struct mld_addr *nv;

	(void)ifname;
	if (!cs->first_ifindex)
		cs->first_ifindex = ifindex;
	if (!e)
		return 0;
	if (exc)
		cs->notes[e - cs->c->m->v].any_exc = true;
	if (!inc)
		return 0;
	cs->notes[e - cs->c->m->v].inc_sum += inc;
	nv = realloc(e->sources, (e->n_sources + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	e->sources = nv;
	e->sources[e->n_sources++] = *s;
	return 0;
}

static int on_dump(struct nl_msg *msg, void *arg)
{
	struct collect *c = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[IFA_MAX + 1];
	struct ifaddrmsg *ifa;
	struct mld_addr g;
	size_t alen;

	if ((nlh->nlmsg_type != RTM_NEWMULTICAST && nlh->nlmsg_type != RTM_GETMULTICAST) ||
	    nlmsg_parse(nlh, sizeof(*ifa), tb, IFA_MAX, NULL) < 0)
		return NL_SKIP;
	ifa = nlmsg_data(nlh);
	alen = ifa->ifa_family == AF_INET6 ? 16 : ifa->ifa_family == AF_INET ? 4 : 0;
	if (!alen || ifa->ifa_family != c->family || !tb[IFA_MULTICAST] ||
	    nla_len(tb[IFA_MULTICAST]) != (int)alen)
		return NL_SKIP;
	memset(&g, 0, sizeof(g));
	g.family = ifa->ifa_family;
	memcpy(g.bytes, nla_data(tb[IFA_MULTICAST]), alen);
	c->err = add_group(c, ifa->ifa_index, NULL, &g, 0);
	return c->err < 0 ? NL_STOP : NL_OK;
}

/* RTM_GETMULTICAST dump of one family. Returns 0 or a negative errno
 * (-EOPNOTSUPP from kernels that do not dump IPv4 groups). */
static int netlink_groups(struct collect *c, int family)
{
	struct ifaddrmsg ifa = { .ifa_family = (uint8_t)family };
	struct nl_sock *sk = nl_socket_alloc();
	int rc;

	if (!sk)
		return -ENOMEM;
	c->family = family;
	c->err = 0;
	rc = nl_connect(sk, NETLINK_ROUTE);
	if (rc == 0)
		rc = nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_dump, c);
	if (rc == 0)
		rc = nl_send_simple(sk, RTM_GETMULTICAST, NLM_F_DUMP, &ifa, sizeof(ifa));
	if (rc >= 0)
		rc = nl_recvmsgs_default(sk);
	nl_socket_free(sk);
	if (c->err < 0)
		return c->err;
	return rc < 0 ? mldi_nlerr(rc) : 0;
}

static int proc_parse(const char *path, int (*parse)(const char *, mldi_group_fn, void *),
		      struct collect *c)
{
	char *text;
	long n = mldi_read_file(path, &text);
	int rc;

	if (n < 0)
		return (int)n;
	rc = parse(text, add_group, c);
	free(text);
	return rc < 0 ? rc : 0;
}

/* Whether the filter file listed ifindex's groups: it starts at its first
 * line's interface and walks on in list order from there. */
static bool filter_listed(const struct collect *c, const struct collect_src *cs, unsigned ifindex)
{
	long first = cs->first_ifindex ? order_of(c, cs->first_ifindex) : -1;
	long pos = order_of(c, ifindex);

	return first >= 0 && pos >= first;
}

static int proc_sources(const char *path, int (*parse)(const char *, mldi_source_fn, void *),
			struct collect *c, int family)
{
	struct collect_src cs = { c, NULL, 0 };
	char *text;
	long n;
	int rc;

	if (c->m->n == 0)
		return 0;
	n = mldi_read_file(path, &text);
	if (n < 0) {
		/* No filters to read: the modes are unknown. */
		for (size_t i = 0; i < c->m->n; i++)
			if (c->m->v[i].group.family == family)
				c->m->v[i].mode = 0;
		return 0;
	}
	cs.notes = calloc(c->m->n, sizeof(*cs.notes));
	if (!cs.notes) {
		free(text);
		return -ENOMEM;
	}
	rc = parse(text, add_source, &cs);
	for (size_t i = 0; i < c->m->n && rc >= 0; i++) {
		struct mld_membership *e = &c->m->v[i];

		if (e->group.family != family)
			continue;
		if (e->n_sources && !cs.notes[i].any_exc && e->users <= cs.notes[i].inc_sum)
			e->mode = MLD_MODE_INCLUDE;
		else if (!e->n_sources && !filter_listed(c, &cs, e->ifindex))
			e->mode = 0;
	}
	free(cs.notes);
	free(text);
	return rc < 0 ? rc : 0;
}

/* One family: groups from netlink or /proc, then users and sources from
 * /proc. Returns MLD_MEMB_FROM_* or a negative errno. */
static int one_family(struct collect *c, int family, const struct sc_logger *lg)
{
	bool v6 = family == AF_INET6;
	const char *groups = v6 ? "/proc/net/igmp6" : "/proc/net/igmp";
	int rc, from = MLD_MEMB_FROM_NETLINK;

	c->norder = 0;
	rc = netlink_groups(c, family);
	if (rc == -ENOMEM)
		return rc;
	if (rc < 0) {
		sc_logf(lg, LOG_DEBUG, "RTM_GETMULTICAST (%s): %s; reading %s", v6 ? "IPv6" : "IPv4",
			strerror(-rc), groups);
		from = MLD_MEMB_FROM_PROC;
		rc = proc_parse(groups, v6 ? mldi_proc_igmp6 : mldi_proc_igmp, c);
		if (rc < 0) {
			sc_logf(lg, LOG_ERR, "%s: %s", groups, strerror(-rc));
			return rc;
		}
	} else {
		/* netlink has no reference counts: take them from /proc. */
		proc_parse(groups, v6 ? mldi_proc_igmp6 : mldi_proc_igmp, c);
	}
	rc = proc_sources(v6 ? "/proc/net/mcfilter6" : "/proc/net/mcfilter",
			  v6 ? mldi_proc_mcfilter6 : mldi_proc_mcfilter, c, family);
	return rc < 0 ? rc : from;
}

static int cmp_memb(const void *a, const void *b)
{
	const struct mld_membership *x = a, *y = b;

	if (x->ifindex != y->ifindex)
		return x->ifindex < y->ifindex ? -1 : 1;
	return mld_addr_cmp(&x->group, &y->group);
}

int mld_memberships_get(int family, const char *iface, struct mld_memberships *out,
			const struct mld_log *log)
{
	struct sc_logger lg = mldi_logger(log);
	struct collect c;
	int rc = 0;

	memset(&c, 0, sizeof(c));
	c.m = out;
	memset(out, 0, sizeof(*out));
	if (family != AF_INET6 && family != AF_INET && family != AF_UNSPEC)
		return -EINVAL;
	if (iface) {
		rc = sc_if_index(iface, &c.ifindex);
		if (rc < 0) {
			sc_logf(&lg, LOG_ERR, "memberships: no interface %s", iface);
			return rc;
		}
	}
	if (family != AF_INET) {
		rc = one_family(&c, AF_INET6, &lg);
		if (rc < 0)
			goto fail;
		out->from6 = rc;
	}
	if (family != AF_INET6) {
		rc = one_family(&c, AF_INET, &lg);
		if (rc < 0)
			goto fail;
		out->from4 = rc;
	}
	for (size_t i = 0; i < out->n; i++)
		if (!out->v[i].ifname[0] && sc_if_name(out->v[i].ifindex, out->v[i].ifname) < 0)
			out->v[i].ifname[0] = '\0';
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_memb);
	return (int)out->n;
fail:
	mld_memberships_clear(out);
	return rc;
}

void mld_memberships_clear(struct mld_memberships *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].sources);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

const struct mld_membership *mld_memberships_find(const struct mld_memberships *m,
						  unsigned ifindex, const struct mld_addr *group)
{
	for (size_t i = 0; i < m->n; i++)
		if ((!ifindex || m->v[i].ifindex == ifindex) && mld_addr_equal(&m->v[i].group, group))
			return &m->v[i];
	return NULL;
}
