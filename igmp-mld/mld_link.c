/* mld_link: interfaces through libnl, and the link/address watcher. See
 * mld_link.h.
 *
 * The watcher keeps what it knows of every link (index, name, running) so
 * that it can turn the kernel's RTM_NEWLINK messages, which arrive for any
 * change of any attribute, into the few transitions a daemon cares about:
 * appeared, gone, up, down. When the socket overruns (the kernel dropped
 * messages), it dumps the links again and reports the differences. */
#include "config.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/socket.h>

#include "mld_internal.h"
#include "sc_addr.h"

int mldi_nlerr(int nle)
{
	switch (nle < 0 ? -nle : nle) {
	case 0: return 0;
	case NLE_INTR: return -EINTR;
	case NLE_AGAIN: return -EAGAIN;
	case NLE_NOMEM: return -ENOMEM;
	case NLE_EXIST: return -EEXIST;
	case NLE_INVAL: return -EINVAL;
	case NLE_RANGE: return -ERANGE;
	case NLE_OPNOTSUPP: return -EOPNOTSUPP;
	case NLE_AF_NOSUPPORT: return -EAFNOSUPPORT;
	case NLE_OBJ_NOTFOUND: return -ENODEV;
	case NLE_NODEV: return -ENODEV;
	case NLE_NOACCESS: return -EACCES;
	case NLE_PERM: return -EPERM;
	case NLE_BUSY: return -EBUSY;
	case NLE_MSGSIZE: return -EMSGSIZE;
	default: return -EIO;
	}
}

static void from_nl_addr(struct nl_addr *na, struct mld_addr *out)
{
	unsigned len = na ? nl_addr_get_len(na) : 0;

	memset(out, 0, sizeof(*out));
	if (na && nl_addr_get_family(na) == AF_INET6 && len == 16)
		out->family = AF_INET6;
	else if (na && nl_addr_get_family(na) == AF_INET && len == 4)
		out->family = AF_INET;
	else
		return;
	memcpy(out->bytes, nl_addr_get_binary_addr(na), len);
}

static void fill_link(struct rtnl_link *link, struct mld_ifinfo *out)
{
	struct nl_addr *mac = rtnl_link_get_addr(link);

	out->index = (unsigned)rtnl_link_get_ifindex(link);
	snprintf(out->name, sizeof(out->name), "%s", rtnl_link_get_name(link));
	out->flags = rtnl_link_get_flags(link);
	out->up = (out->flags & IFF_UP) != 0;
	out->running = out->up && (out->flags & IFF_RUNNING);
	out->multicast = (out->flags & IFF_MULTICAST) != 0;
	out->mtu = rtnl_link_get_mtu(link);
	if (mac && nl_addr_get_len(mac) == 6)
		memcpy(out->mac, nl_addr_get_binary_addr(mac), 6);
}

static void add_addrs(struct nl_cache *cache, struct mld_ifinfo *out)
{
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		struct mld_if_addr *x;
		unsigned fl;

		if ((unsigned)rtnl_addr_get_ifindex(a) != out->index || out->n_addrs == MLD_IF_MAX_ADDRS)
			continue;
		x = &out->addrs[out->n_addrs];
		from_nl_addr(rtnl_addr_get_local(a), &x->addr);
		if (!x->addr.family)
			continue;
		fl = rtnl_addr_get_flags(a);
		x->prefixlen = (unsigned)rtnl_addr_get_prefixlen(a);
		x->scope = (unsigned)rtnl_addr_get_scope(a);
		x->tentative = (fl & IFA_F_TENTATIVE) != 0;
		x->deprecated = (fl & IFA_F_DEPRECATED) != 0;
		out->n_addrs++;
	}
}

int mld_if_get(const char *iface, struct mld_ifinfo *out, const struct mld_log *log)
{
	struct sc_logger lg = mldi_logger(log);
	struct rtnl_link *link = NULL;
	struct nl_cache *cache = NULL;
	struct nl_sock *sk = NULL;
	unsigned index;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = iface ? sc_if_index(iface, &index) : -EINVAL;
	if (rc < 0) {
		sc_logf(&lg, LOG_ERR, "interface %s: %s", iface ? iface : "(none)",
			rc == -ENODEV ? "no such interface" : "not a valid name");
		return rc;
	}
	sk = nl_socket_alloc();
	if (!sk)
		return -ENOMEM;
	rc = mldi_nlerr(nl_connect(sk, NETLINK_ROUTE));
	if (rc == 0)
		rc = mldi_nlerr(rtnl_link_get_kernel(sk, (int)index, NULL, &link));
	if (rc < 0) {
		sc_logf(&lg, LOG_ERR, "interface %s: %s", iface, strerror(-rc));
		goto out;
	}
	fill_link(link, out);
	rc = mldi_nlerr(rtnl_addr_alloc_cache(sk, &cache));
	if (rc < 0) {
		sc_logf(&lg, LOG_ERR, "addresses of %s: %s", iface, strerror(-rc));
		goto out;
	}
	add_addrs(cache, out);
out:
	if (cache)
		nl_cache_free(cache);
	if (link)
		rtnl_link_put(link);
	nl_socket_free(sk);
	return rc;
}

int mld_if_pick_source(const char *iface, int family, struct mld_addr *out,
		       const struct mld_log *log)
{
	struct sc_logger lg = mldi_logger(log);
	struct mld_ifinfo *info = malloc(sizeof(*info));
	int rc;

	memset(out, 0, sizeof(*out));
	if (!info)
		return -ENOMEM;
	rc = mld_if_get(iface, info, log);
	if (rc == 0) {
		rc = -EADDRNOTAVAIL;
		for (size_t i = 0; i < info->n_addrs && rc; i++) {
			const struct mld_if_addr *a = &info->addrs[i];

			if (a->addr.family == family && a->scope == RT_SCOPE_UNIVERSE && !a->tentative &&
			    !a->deprecated) {
				*out = a->addr;
				rc = 0;
			}
		}
		if (rc)
			sc_logf(&lg, LOG_ERR, "%s has no usable global %s address", iface,
				family == AF_INET6 ? "IPv6" : "IPv4");
	}
	free(info);
	return rc;
}

/* ---- the watcher ---- */

struct link_state {
	unsigned index;
	char name[MLD_IFNAMSIZ];
	unsigned flags;
	bool running;
	bool seen; /* in the resync dump */
};

struct mld_nlwatch {
	struct nl_sock *sk;
	char filter[MLD_IFNAMSIZ]; /* "" for every interface */
	mld_link_fn fn;
	void *arg;
	struct sc_logger lg;
	struct link_state *links;
	size_t n, cap;
	bool silent; /* the initial dump reports nothing */
	int events;
	int err;
};

static struct link_state *link_find(mld_nlwatch *w, unsigned index)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->links[i].index == index)
			return &w->links[i];
	return NULL;
}

static bool wanted(const mld_nlwatch *w, const char *name)
{
	return !w->filter[0] || strcmp(w->filter, name) == 0;
}

static void emit(mld_nlwatch *w, enum mld_link_ev type, const struct link_state *l)
{
	struct mld_link_event ev;

	if (w->silent || !wanted(w, l->name))
		return;
	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.ifindex = l->index;
	memcpy(ev.ifname, l->name, sizeof(ev.ifname));
	ev.flags = l->flags;
	w->events++;
	w->fn(w->arg, &ev);
}

static void link_gone(mld_nlwatch *w, struct link_state *l)
{
	struct link_state copy = *l;

	*l = w->links[--w->n];
	emit(w, MLD_LINK_DEL, &copy);
}

static int on_link(mld_nlwatch *w, struct nlmsghdr *nlh)
{
	struct nlattr *tb[IFLA_MAX + 1];
	struct ifinfomsg *ifi;
	struct link_state *l;
	bool running, renamed;

	if (nlmsg_parse(nlh, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0)
		return NL_SKIP;
	ifi = nlmsg_data(nlh);
	l = link_find(w, (unsigned)ifi->ifi_index);
	if (nlh->nlmsg_type == RTM_DELLINK) {
		if (l)
			link_gone(w, l);
		return NL_OK;
	}
	running = (ifi->ifi_flags & IFF_UP) && (ifi->ifi_flags & IFF_RUNNING);
	if (!l) {
		if (w->n == w->cap) {
			size_t ncap = w->cap ? w->cap * 2 : 16;
			struct link_state *nl = realloc(w->links, ncap * sizeof(*nl));

			if (!nl) {
				w->err = -ENOMEM;
				return NL_STOP;
			}
			w->links = nl;
			w->cap = ncap;
		}
		l = &w->links[w->n++];
		memset(l, 0, sizeof(*l));
		l->index = (unsigned)ifi->ifi_index;
	}
	l->seen = true;
	renamed = tb[IFLA_IFNAME] && strncmp(l->name, nla_get_string(tb[IFLA_IFNAME]), sizeof(l->name));
	if (renamed)
		snprintf(l->name, sizeof(l->name), "%s", nla_get_string(tb[IFLA_IFNAME]));
	l->flags = ifi->ifi_flags;
	if (renamed) {
		/* New to us, or new under this name: the index is what counts. */
		l->running = running;
		emit(w, MLD_LINK_NEW, l);
		if (running)
			emit(w, MLD_LINK_UP, l);
	} else if (running != l->running) {
		l->running = running;
		emit(w, running ? MLD_LINK_UP : MLD_LINK_DOWN, l);
	}
	return NL_OK;
}

static int on_addr(mld_nlwatch *w, struct nlmsghdr *nlh)
{
	struct nlattr *tb[IFA_MAX + 1], *at;
	struct mld_link_event ev;
	struct ifaddrmsg *ifa;
	struct link_state *l;
	size_t alen;

	if (nlmsg_parse(nlh, sizeof(*ifa), tb, IFA_MAX, NULL) < 0)
		return NL_SKIP;
	ifa = nlmsg_data(nlh);
	alen = ifa->ifa_family == AF_INET6 ? 16 : ifa->ifa_family == AF_INET ? 4 : 0;
	/* IPv4 keeps the local address in IFA_LOCAL (IFA_ADDRESS is the peer
	 * on point-to-point links); IPv6 has only IFA_ADDRESS. */
	at = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	l = link_find(w, ifa->ifa_index);
	if (w->silent || !alen || !at || nla_len(at) != (int)alen || !l || !wanted(w, l->name))
		return NL_OK;
	memset(&ev, 0, sizeof(ev));
	ev.type = nlh->nlmsg_type == RTM_NEWADDR ? MLD_ADDR_NEW : MLD_ADDR_DEL;
	ev.ifindex = l->index;
	memcpy(ev.ifname, l->name, sizeof(ev.ifname));
	ev.flags = l->flags;
	ev.addr.family = ifa->ifa_family;
	memcpy(ev.addr.bytes, nla_data(at), alen);
	ev.prefixlen = ifa->ifa_prefixlen;
	w->events++;
	w->fn(w->arg, &ev);
	return NL_OK;
}

static int on_msg(struct nl_msg *msg, void *arg)
{
	mld_nlwatch *w = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		return on_link(w, nlh);
	case RTM_NEWADDR:
	case RTM_DELADDR:
		return on_addr(w, nlh);
	}
	return NL_SKIP;
}

/* Dump every link on a separate socket and feed it to on_link(); links
 * the dump does not show are gone. */
static int dump_links(mld_nlwatch *w)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nl_sock *sk = nl_socket_alloc();
	int rc;

	if (!sk)
		return -ENOMEM;
	for (size_t i = 0; i < w->n; i++)
		w->links[i].seen = false;
	w->err = 0;
	rc = nl_connect(sk, NETLINK_ROUTE);
	if (rc == 0)
		rc = nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_msg, w);
	if (rc == 0)
		rc = nl_send_simple(sk, RTM_GETLINK, NLM_F_DUMP, &ifi, sizeof(ifi));
	if (rc >= 0)
		rc = nl_recvmsgs_default(sk);
	nl_socket_free(sk);
	if (rc < 0 || w->err < 0)
		return w->err < 0 ? w->err : mldi_nlerr(rc);
	for (size_t i = 0; i < w->n;) {
		if (!w->links[i].seen)
			link_gone(w, &w->links[i]);
		else
			i++;
	}
	return 0;
}

int mld_nlwatch_new(const char *iface, mld_link_fn fn, void *arg, const struct mld_log *log,
		    mld_nlwatch **out)
{
	mld_nlwatch *w;
	int rc;

	*out = NULL;
	if (!fn || (iface && strlen(iface) >= MLD_IFNAMSIZ))
		return -EINVAL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->fn = fn;
	w->arg = arg;
	w->lg = mldi_logger(log);
	if (iface)
		snprintf(w->filter, sizeof(w->filter), "%s", iface);
	w->sk = nl_socket_alloc();
	if (!w->sk) {
		rc = -ENOMEM;
		goto fail;
	}
	nl_socket_disable_seq_check(w->sk);
	rc = mldi_nlerr(nl_socket_modify_cb(w->sk, NL_CB_VALID, NL_CB_CUSTOM, on_msg, w));
	if (rc == 0)
		rc = mldi_nlerr(nl_connect(w->sk, NETLINK_ROUTE));
	/* Subscribe before the dump, so that no change falls between them. */
	if (rc == 0)
		rc = mldi_nlerr(nl_socket_add_memberships(w->sk, RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR,
							  RTNLGRP_IPV6_IFADDR, 0));
	if (rc == 0)
		rc = mldi_nlerr(nl_socket_set_nonblocking(w->sk));
	if (rc == 0) {
		w->silent = true;
		rc = dump_links(w);
		w->silent = false;
	}
	if (rc < 0) {
		sc_logf(&w->lg, LOG_ERR, "netlink link watcher: %s", strerror(-rc));
		goto fail;
	}
	*out = w;
	return 0;
fail:
	mld_nlwatch_free(w);
	return rc;
}

void mld_nlwatch_free(mld_nlwatch *w)
{
	if (!w)
		return;
	if (w->sk)
		nl_socket_free(w->sk);
	free(w->links);
	free(w);
}

int mld_nlwatch_fd(const mld_nlwatch *w)
{
	return nl_socket_get_fd(w->sk);
}

int mld_nlwatch_process(mld_nlwatch *w)
{
	struct mld_link_event ev;
	int rc;

	w->events = 0;
	for (;;) {
		w->err = 0;
		rc = nl_recvmsgs_default(w->sk);
		if (w->err < 0)
			return w->err;
		if (rc == -NLE_AGAIN)
			break;
		if (rc == -NLE_NOMEM || rc == -NLE_DUMP_INTR) {
			/* ENOBUFS: the kernel dropped events. Read the links
			 * again and tell the caller to re-check the rest. */
			sc_logf(&w->lg, LOG_WARNING, "netlink events lost; resynchronising links");
			rc = dump_links(w);
			if (rc < 0)
				return rc;
			memset(&ev, 0, sizeof(ev));
			ev.type = MLD_LINK_RESYNC;
			w->events++;
			w->fn(w->arg, &ev);
			continue;
		}
		if (rc < 0) {
			sc_logf(&w->lg, LOG_ERR, "netlink watcher: %s", nl_geterror(rc));
			return mldi_nlerr(rc);
		}
	}
	return w->events;
}
