/* mld_cap: the libpcap watcher. See mld_cap.h.
 *
 * The capture is non-blocking and in immediate mode, so a report shows up
 * as it crosses the wire and the caller's event loop never waits inside
 * libpcap. The BPF filter does the coarse sorting in the kernel; mld_pkt
 * does the rest (and counts what does not decode). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "mld_internal.h"

/* IGMP; IPv6 with a hop-by-hop header first (where MLD lives, behind its
 * router alert); ICMPv6 MLD types without one (non-conforming senders).
 * The same again behind a VLAN tag. The decoder re-checks everything. */
#define FILTER_BASE                                                                            \
	"igmp or (ip6 and (ip6[6] == 0 or (ip6[6] == 58 and (ip6[40] == 130 or ip6[40] == 131 " \
	"or ip6[40] == 132 or ip6[40] == 143))))"
const char mld_cap_filter[] = FILTER_BASE " or (vlan and (" FILTER_BASE "))";

#define FILE_BATCH 1024
#define DEFAULT_SNAPLEN 65535
#define DEFAULT_BUFFER (2 * 1024 * 1024)

struct mld_cap {
	pcap_t *p;
	int link;
	bool file;
	mld_cap_fn fn;
	void *arg;
	struct sc_logger lg;
	struct mld_pkt_stats st;
	char name[256];
};

static void on_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	mld_cap *c = (mld_cap *)(void *)user;
	struct mld_msg m;
	int rc = mld_decode_frame(c->link, bytes, h->caplen, &m);

	mld_pkt_stats_count(&c->st, rc, &m);
	if (rc == 0) {
		uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;

		c->fn(c->arg, &m, ts);
	} else if (rc != -ENOMSG) {
		sc_logf(&c->lg, LOG_DEBUG, "%s: dropped a frame of %u bytes: %s", c->name, h->len, m.why);
	}
}

static bool link_known(int link)
{
	switch (link) {
	case MLD_LINK_ETHERNET:
	case MLD_LINK_RAW:
	case MLD_LINK_SLL:
	case MLD_LINK_SLL2:
	case MLD_LINK_IPV4:
	case MLD_LINK_IPV6:
		return true;
	}
	return false;
}

/* The full filter, or without the VLAN half where the link layer has no
 * VLAN tags to match (cooked and raw captures). */
static int set_filter(mld_cap *c)
{
	struct bpf_program prog;

	if (pcap_compile(c->p, &prog, mld_cap_filter, 1, PCAP_NETMASK_UNKNOWN) < 0 &&
	    pcap_compile(c->p, &prog, FILTER_BASE, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		sc_logf(&c->lg, LOG_ERR, "%s: capture filter: %s", c->name, pcap_geterr(c->p));
		return -EIO;
	}
	if (pcap_setfilter(c->p, &prog) < 0) {
		sc_logf(&c->lg, LOG_ERR, "%s: capture filter: %s", c->name, pcap_geterr(c->p));
		pcap_freecode(&prog);
		return -EIO;
	}
	pcap_freecode(&prog);
	return 0;
}

static int activate_error(mld_cap *c, int rc)
{
	const char *why = pcap_geterr(c->p);

	switch (rc) {
	case PCAP_ERROR_NO_SUCH_DEVICE:
		sc_logf(&c->lg, LOG_ERR, "%s: no such interface", c->name);
		return -ENODEV;
	case PCAP_ERROR_PERM_DENIED:
	case PCAP_ERROR_PROMISC_PERM_DENIED:
		sc_logf(&c->lg, LOG_ERR,
			"%s: no permission to capture (run as root, or give the program "
			"CAP_NET_RAW and CAP_NET_ADMIN): %s", c->name, why);
		return -EPERM;
	case PCAP_ERROR_IFACE_NOT_UP:
		sc_logf(&c->lg, LOG_ERR, "%s: the interface is down", c->name);
		return -ENETDOWN;
	}
	sc_logf(&c->lg, LOG_ERR, "%s: cannot capture: %s", c->name, why[0] ? why : pcap_statustostr(rc));
	return -EIO;
}

static int open_live(mld_cap *c, const struct mld_cap_cfg *cfg)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	int rc;

	c->p = pcap_create(cfg->iface, err);
	if (!c->p) {
		sc_logf(&c->lg, LOG_ERR, "%s: %s", c->name, err);
		return -EIO;
	}
	pcap_set_snaplen(c->p, cfg->snaplen ? cfg->snaplen : DEFAULT_SNAPLEN);
	pcap_set_promisc(c->p, !cfg->no_promisc);
	pcap_set_immediate_mode(c->p, 1);
	pcap_set_buffer_size(c->p, cfg->buffer_bytes ? cfg->buffer_bytes : DEFAULT_BUFFER);
	rc = pcap_activate(c->p);
	if (rc < 0)
		return activate_error(c, rc);
	if (rc > 0)
		sc_logf(&c->lg, LOG_WARNING, "%s: %s", c->name, pcap_statustostr(rc));
	if (pcap_setnonblock(c->p, 1, err) < 0) {
		sc_logf(&c->lg, LOG_ERR, "%s: %s", c->name, err);
		return -EIO;
	}
	return 0;
}

static int open_file(mld_cap *c, const struct mld_cap_cfg *cfg)
{
	char err[PCAP_ERRBUF_SIZE] = "";

	if (access(cfg->file, R_OK) < 0) {
		int rc = -errno;

		sc_logf(&c->lg, LOG_ERR, "%s: %s", cfg->file, strerror(-rc));
		return rc;
	}
	c->p = pcap_open_offline(cfg->file, err);
	if (!c->p) {
		sc_logf(&c->lg, LOG_ERR, "%s: %s", cfg->file, err);
		return -EIO;
	}
	c->file = true;
	return 0;
}

int mld_cap_open(const struct mld_cap_cfg *cfg, mld_cap_fn fn, void *arg,
		 const struct mld_log *log, mld_cap **out)
{
	mld_cap *c;
	int rc;

	*out = NULL;
	if (!cfg || !fn || !cfg->iface == !cfg->file || cfg->snaplen < 0 || cfg->buffer_bytes < 0)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->fn = fn;
	c->arg = arg;
	c->lg = mldi_logger(log);
	snprintf(c->name, sizeof(c->name), "%s", cfg->iface ? cfg->iface : cfg->file);
	rc = cfg->iface ? open_live(c, cfg) : open_file(c, cfg);
	if (rc < 0)
		goto fail;
	c->link = pcap_datalink(c->p);
	if (!link_known(c->link)) {
		sc_logf(&c->lg, LOG_ERR, "%s: link layer %s is not one the decoder knows", c->name,
			pcap_datalink_val_to_name(c->link) ? pcap_datalink_val_to_name(c->link) : "?");
		rc = -EPROTONOSUPPORT;
		goto fail;
	}
	rc = set_filter(c);
	if (rc < 0)
		goto fail;
	*out = c;
	return 0;
fail:
	mld_cap_free(c);
	return rc;
}

void mld_cap_free(mld_cap *c)
{
	if (!c)
		return;
	if (c->p)
		pcap_close(c->p);
	free(c);
}

int mld_cap_fd(const mld_cap *c)
{
	return c->file ? -1 : pcap_get_selectable_fd(c->p);
}

int mld_cap_link(const mld_cap *c)
{
	return c->link;
}

int mld_cap_dispatch(mld_cap *c)
{
	int n = pcap_dispatch(c->p, c->file ? FILE_BATCH : -1, on_frame, (u_char *)c);

	if (n == PCAP_ERROR) {
		sc_logf(&c->lg, LOG_ERR, "%s: capture failed: %s", c->name, pcap_geterr(c->p));
		return -EIO;
	}
	return n < 0 ? 0 : n;
}

int mld_cap_stats_get(mld_cap *c, struct mld_cap_stats *out)
{
	struct pcap_stat ps;

	memset(out, 0, sizeof(*out));
	out->pkt = c->st;
	if (!c->file && pcap_stats(c->p, &ps) == 0)
		out->kernel_drops = (uint64_t)ps.ps_drop + ps.ps_ifdrop;
	return 0;
}
