/* edge_cfg: reading and checking the edge server's configuration. See
 * edge_cfg.h and sixcast-mcast-server.conf.example. */
#include "config.h"

#include "edge_cfg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gst/gst.h>
#include <ifaddrs.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include "sc_httpd.h"
#include "sc_log.h"

static const char *const root_keys[] = { "edge", "ret", "mgmt", "trust", "channels", NULL };
static const char *const trust_keys[] = { "ca_key_file", NULL };
static const char *const edge_keys[] = { "name", "interface", "source6", "source4", "http", "sdp_dir",
					 "latency_ms", "lookahead_ms", "stall_ms", "tick_us", "hops",
					 "dscp", "log_level", "mesh", "http_limits", NULL };
static const char *const edge_mesh_keys[] = { "enabled", "max_children", "edge_id", NULL };
static const char *const http_limits_keys[] = { "connection_limit", "per_address_limit", "request_timeout_ms",
					       "idle_timeout_s", NULL };
static const char *const chan_mesh_keys[] = { "enabled", "max_children", NULL };
static const char *const ret_keys[] = { "listen", "window_ms", "max_bitrate", "rate_pps", "key", "burst_speed",
					"burst_max_ms", "burst_overlap_ms", "burst_interval_ms", "burst_total_mbps",
					NULL };
static const char *const mgmt_keys[] = { "url", "credential", "credential_file", "report_ms", NULL };
static const char *const chan_keys[] = { "id", "name", "source", "group6", "group4", "ipv6", "ipv4",
					 "hops", "dscp", "bitrate", "ret_key", "mesh", NULL };

/* The first global address of the interface in the family, as the SSM
 * source that players and set-top boxes must name. */
static int iface_address(const char *iface, int family, struct sc_sockaddr *out)
{
	struct ifaddrs *ifa, *i;

	memset(out, 0, sizeof(*out));
	if (getifaddrs(&ifa) < 0)
		return -errno;
	for (i = ifa; i; i = i->ifa_next) {
		struct sc_sockaddr a;

		if (!i->ifa_addr || i->ifa_addr->sa_family != family || strcmp(i->ifa_name, iface) != 0)
			continue;
		if (sc_addr_from_sa(i->ifa_addr, family == AF_INET6 ? sizeof(struct sockaddr_in6)
								  : sizeof(struct sockaddr_in), &a) < 0)
			continue;
		if (family == AF_INET6 && (IN6_IS_ADDR_LINKLOCAL(&a.u.in6.sin6_addr) ||
					   IN6_IS_ADDR_LOOPBACK(&a.u.in6.sin6_addr)))
			continue;
		*out = a;
		break;
	}
	freeifaddrs(ifa);
	return out->len ? 0 : -ENOENT;
}

static int get_ms(const config_setting_t *g, const char *name, long long min, long long max, long long dflt,
		  uint64_t *ns, struct sc_cfg_err *err)
{
	long long v;
	int rc = sc_cfg_get_int(g, name, min, max, dflt, &v, err);

	*ns = (uint64_t)v * SC_NS_PER_MS;
	return rc;
}

/* edge.mesh = { enabled; max_children; edge_id; }: the P2P mesh's hosting
 * node, one per channel on the RET port. */
static int read_edge_mesh(const config_setting_t *edge, struct edge_cfg *c, struct sc_cfg_err *err)
{
	config_setting_t *g;
	long long v;
	int rc;

	if ((rc = sc_cfg_get_section(edge, "mesh", CONFIG_TYPE_GROUP, &g, err)) < 0 ||
	    (rc = sc_cfg_check_keys(g, edge_mesh_keys, err)) < 0 ||
	    (rc = sc_cfg_get_bool(g, "enabled", false, &c->mesh_enabled, err)) < 0 ||
	    (rc = sc_cfg_get_int(g, "max_children", 1, 1000, 3, &v, err)) < 0)
		return rc;
	c->mesh_max_children = (unsigned)v;
	if ((rc = sc_cfg_get_int(g, "edge_id", 1, 0x7fffffff, 1, &v, err)) < 0)
		return rc;
	c->mesh_edge_id = (uint32_t)v;
	return 0;
}

/* edge.http_limits = { connection_limit; per_address_limit;
 * request_timeout_ms; idle_timeout_s; }: what the HTTP port's connections
 * may hold (sc_httpd's defaults). */
static int read_http_limits(const config_setting_t *edge, struct edge_cfg *c, struct sc_cfg_err *err)
{
	config_setting_t *g;
	int rc;

	sc_httpd_limits_default(&c->http_limits);
	if ((rc = sc_cfg_get_section(edge, "http_limits", CONFIG_TYPE_GROUP, &g, err)) < 0 ||
	    (rc = sc_cfg_check_keys(g, http_limits_keys, err)) < 0)
		return rc;
	return sc_cfg_get_http_limits(g, 100000, &c->http_limits, err);
}

/* A channel's mesh = { enabled; max_children; } over the edge's. */
static int read_chan_mesh(config_setting_t *e, const struct edge_cfg *c, bool ret_on, struct edge_chan_cfg *out,
			  struct sc_cfg_err *err)
{
	config_setting_t *g;
	bool on;
	long long v;
	int rc;

	if ((rc = sc_cfg_get_section(e, "mesh", CONFIG_TYPE_GROUP, &g, err)) < 0 ||
	    (rc = sc_cfg_check_keys(g, chan_mesh_keys, err)) < 0 ||
	    (rc = sc_cfg_get_bool(g, "enabled", c->mesh_enabled, &on, err)) < 0 ||
	    (rc = sc_cfg_get_int(g, "max_children", 1, 1000, c->mesh_max_children, &v, err)) < 0)
		return rc;
	out->mesh_max_children = on ? (unsigned)v : 0;
	if (on && !ret_on)
		return sc_cfg_fail(g ? g : e, err, "channel %u: the mesh shares the RET port: it needs ret.listen",
				   out->chan.id);
	return 0;
}

static int read_edge(const config_setting_t *root, struct edge_cfg *c, long long *hops, long long *dscp,
		     struct sc_cfg_err *err)
{
	config_setting_t *g;
	const char *s;
	long long tick;
	char host[64] = "edge";
	int rc;

	if ((rc = sc_cfg_get_section(root, "edge", CONFIG_TYPE_GROUP, &g, err)) < 0)
		return rc;
	if (!g)
		return sc_cfg_fail(root, err, "the 'edge' group is required (at least edge.interface)");
	if ((rc = sc_cfg_check_keys(g, edge_keys, err)) < 0)
		return rc;
	gethostname(host, sizeof(host) - 1);
	if ((rc = sc_cfg_get_string(g, "name", host, &s, err)) < 0)
		return rc;
	snprintf(c->name, sizeof(c->name), "%s", s);
	if ((rc = sc_cfg_get_string(g, "interface", NULL, &s, err)) < 0)
		return rc;
	if (sc_if_index(s, &c->ifindex) < 0)
		return sc_cfg_fail(config_setting_get_member(g, "interface"), err,
				   "'edge.interface': no interface \"%s\" on this host", s);
	snprintf(c->iface, sizeof(c->iface), "%s", s);
	if (config_setting_get_member(g, "source6")) {
		if ((rc = sc_cfg_get_addr(g, "source6", NULL, 0, &c->source6, err)) < 0)
			return rc;
	} else {
		iface_address(c->iface, AF_INET6, &c->source6);
	}
	if (config_setting_get_member(g, "source4")) {
		if ((rc = sc_cfg_get_addr(g, "source4", NULL, 0, &c->source4, err)) < 0)
			return rc;
	} else {
		iface_address(c->iface, AF_INET, &c->source4);
	}
	if ((rc = sc_cfg_get_listen(g, "http", "[::]:8081", 8081, SOCK_STREAM, &c->http, &c->http_dflt, err)) < 0)
		return rc;
	if ((rc = sc_cfg_get_string(g, "sdp_dir", "", &s, err)) < 0)
		return rc;
	snprintf(c->sdp_dir, sizeof(c->sdp_dir), "%s", s);
	if ((rc = get_ms(g, "latency_ms", 10, 5000, 100, &c->latency_ns, err)) < 0 ||
	    (rc = get_ms(g, "lookahead_ms", 50, 5000, 300, &c->lookahead_ns, err)) < 0 ||
	    (rc = get_ms(g, "stall_ms", 500, 60000, 3000, &c->stall_ns, err)) < 0 ||
	    (rc = sc_cfg_get_int(g, "tick_us", 50, 10000, 500, &tick, err)) < 0 ||
	    (rc = sc_cfg_get_int(g, "hops", 1, 255, 16, hops, err)) < 0 ||
	    (rc = sc_cfg_get_int(g, "dscp", 0, 63, 34, dscp, err)) < 0)
		return rc;
	c->tick_ns = (uint64_t)tick * SC_NS_PER_US;
	if ((rc = sc_cfg_get_string(g, "log_level", "info", &s, err)) < 0)
		return rc;
	c->log_level = sc_log_level_parse(s);
	if (c->log_level < 0)
		return sc_cfg_fail(config_setting_get_member(g, "log_level"), err,
				   "'edge.log_level' is \"%s\": use error, warning, notice, info or debug", s);
	if ((rc = read_http_limits(g, c, err)) < 0)
		return rc;
	return read_edge_mesh(g, c, err);
}

/* Where an edge's enrolment credential comes from, for messages. */
#define EDGE_CRED_HINT "use the management server's edge enrolment secret (the content of its " \
	"/etc/sixcast/secrets/edge-enrolment)"

/* An optional RET key: 64 hex characters, and no "0000..." either. */
static int read_key(config_setting_t *g, const char *name, uint8_t key[32], bool *has, struct sc_cfg_err *err)
{
	const char *s;
	char why[160];
	size_t n = 0;
	int rc;

	*has = false;
	if ((rc = sc_cfg_get_string(g, name, "", &s, err)) < 0 || !*s)
		return rc;
	if (strlen(s) != 64 || sodium_hex2bin(key, 32, s, 64, NULL, &n, NULL) != 0 || n != 32)
		return sc_cfg_fail(config_setting_get_member(g, name), err,
				   "'%s' must be 64 hex characters (32 bytes)", name);
	if (sc_cfg_secret_check(s, why, sizeof(why)) < 0)
		return sc_cfg_fail(config_setting_get_member(g, name), err, "'%s' %s; " SC_SECRET_ADVICE, name,
				   why);
	*has = true;
	return 0;
}

/* trust = { ca_key_file; }: a standalone edge's own CA (edge_ident.h).
 * With a management server its CA rules: both would be a mistake. */
static int read_trust(const config_setting_t *root, struct edge_cfg *c, struct sc_cfg_err *err)
{
	config_setting_t *g;
	const char *s;
	int rc;

	if ((rc = sc_cfg_get_section(root, "trust", CONFIG_TYPE_GROUP, &g, err)) < 0 ||
	    (rc = sc_cfg_check_keys(g, trust_keys, err)) < 0 ||
	    (rc = sc_cfg_get_string(g, "ca_key_file", "", &s, err)) < 0)
		return rc;
	if (strlen(s) >= sizeof(c->ca_key_file))
		return sc_cfg_fail(config_setting_get_member(g, "ca_key_file"), err, "'ca_key_file' is too long");
	if (*s && c->mgmt_url[0])
		return sc_cfg_fail(config_setting_get_member(g, "ca_key_file"), err,
				   "'ca_key_file' is for an edge without a management server (mgmt.url is set: "
				   "its CA certifies this edge)");
	if (*s && access(s, R_OK) < 0)
		return sc_cfg_fail(config_setting_get_member(g, "ca_key_file"), err, "'ca_key_file' %s: %s", s,
				   strerror(errno));
	snprintf(c->ca_key_file, sizeof(c->ca_key_file), "%s", s);
	return 0;
}

static int read_ret_mgmt(const config_setting_t *root, struct edge_cfg *c, struct sc_cfg_err *err)
{
	config_setting_t *g;
	const char *s;
	long long v;
	int rc;

	if ((rc = sc_cfg_get_section(root, "ret", CONFIG_TYPE_GROUP, &g, err)) < 0 ||
	    (rc = sc_cfg_check_keys(g, ret_keys, err)) < 0 ||
	    (rc = sc_cfg_get_listen(g, "listen", "[::]:5200", 5200, SOCK_DGRAM, &c->ret_listen, &c->ret_listen_dflt,
				    err)) < 0)
		return rc;
	if ((rc = get_ms(g, "window_ms", 200, 30000, 3000, &c->ret_window_ns, err)) < 0 ||
	    (rc = sc_cfg_get_int(g, "max_bitrate", 100000, 1000000000, 12000000, &v, err)) < 0)
		return rc;
	c->ret_max_bitrate = (uint64_t)v;
	if ((rc = sc_cfg_get_int(g, "rate_pps", 10, 1000000, 2000, &v, err)) < 0)
		return rc;
	c->ret_rate_pps = (unsigned)v;
	if ((rc = read_key(g, "key", c->ret_key, &c->has_ret_key, err)) < 0)
		return rc;
	if ((rc = sc_cfg_get_float(g, "burst_speed", 1.0, 4.0, 1.5, &c->burst_speed, err)) < 0 ||
	    (rc = get_ms(g, "burst_max_ms", 200, 10000, 3000, &c->burst_max_ns, err)) < 0 ||
	    (rc = get_ms(g, "burst_overlap_ms", 0, 2000, 100, &c->burst_overlap_ns, err)) < 0 ||
	    (rc = get_ms(g, "burst_interval_ms", 0, 10000, 200, &c->burst_interval_ns, err)) < 0 ||
	    (rc = sc_cfg_get_int(g, "burst_total_mbps", 0, 100000, 1000, &v, err)) < 0)
		return rc;
	c->burst_total_bps = (uint64_t)v * 1000000;
	if ((rc = sc_cfg_get_section(root, "mgmt", CONFIG_TYPE_GROUP, &g, err)) < 0 ||
	    (rc = sc_cfg_check_keys(g, mgmt_keys, err)) < 0 ||
	    (rc = sc_cfg_get_string(g, "url", "", &s, err)) < 0)
		return rc;
	snprintf(c->mgmt_url, sizeof(c->mgmt_url), "%s", s);
	/* Standalone, the credential is unused: the packaged file names one
	 * that the operator fills only when the edge gets a management server. */
	if ((rc = sc_cfg_get_secret(g, "credential", c->mgmt_url[0] != '\0', EDGE_CRED_HINT, c->mgmt_credential,
				    sizeof(c->mgmt_credential), err)) < 0)
		return rc;
	if ((rc = get_ms(g, "report_ms", 1000, 600000, 5000, &c->mgmt_report_ns, err)) < 0)
		return rc;
	return read_trust(root, c, err);
}

/* The contract's default groups: ff3e::8000:<id> (SSM, the RFC 4607
 * dynamic range) and 232.1.<id/256>.<id%256>. */
static void default_group(int family, uint32_t id, struct sc_sockaddr *g)
{
	char text[64];

	if (family == AF_INET6)
		snprintf(text, sizeof(text), "[ff3e::%x:%x]:5000", 0x8000 | (id >> 16 & 0x7fff), id & 0xffff);
	else
		snprintf(text, sizeof(text), "232.1.%u.%u:5000", id >> 8 & 0xff, id & 0xff);
	sc_addr_parse(text, 5000, g);
}

static int read_group(config_setting_t *e, const char *name, const char *flag, bool flag_dflt, int family,
		      uint32_t id, struct sc_sockaddr *g, struct sc_cfg_err *err)
{
	bool on;
	int rc;

	memset(g, 0, sizeof(*g));
	if ((rc = sc_cfg_get_bool(e, flag, flag_dflt, &on, err)) < 0)
		return rc;
	if (config_setting_get_member(e, name)) {
		if ((rc = sc_cfg_get_addr(e, name, NULL, 5000, g, err)) < 0)
			return rc;
		if (sc_addr_family(g) != family || !sc_addr_is_multicast(g))
			return sc_cfg_fail(config_setting_get_member(e, name), err,
					   "'%s' must be an IPv%d multicast group", name, family == AF_INET6 ? 6 : 4);
	} else if (on) {
		default_group(family, id, g);
	}
	return 0;
}

static int check_source(config_setting_t *e, const char *uri, bool deep, struct sc_cfg_err *err)
{
	char why[300];
	src *s = NULL;
	int rc = src_new(uri, NULL, &s, why, sizeof(why));

	src_free(s);
	if (rc < 0)
		return sc_cfg_fail(config_setting_get_member(e, "source"), err, "'source': %s", why);
	if (deep && strncmp(uri, "gst:", 4) == 0) {
		GError *ge = NULL;
		GstElement *p = gst_parse_launch(uri + 4, &ge);

		if (p)
			gst_object_unref(p);
		if (ge) {
			rc = sc_cfg_fail(config_setting_get_member(e, "source"), err, "'source': pipeline: %s",
					 ge->message);
			g_clear_error(&ge);
			return rc;
		}
	}
	return 0;
}

static int read_channel(config_setting_t *e, const struct edge_cfg *c, long long hops, long long dscp,
			bool deep, struct edge_chan_cfg *out, struct sc_cfg_err *err)
{
	struct chan_cfg *ch = &out->chan;
	const char *s;
	long long v;
	int rc;

	if (config_setting_type(e) != CONFIG_TYPE_GROUP)
		return sc_cfg_fail(e, err, "each channel is a group { id = ...; name = ...; source = ...; }");
	if ((rc = sc_cfg_check_keys(e, chan_keys, err)) < 0 ||
	    (rc = sc_cfg_get_int(e, "id", 1, 2147483647, 0, &v, err)) < 0)
		return rc;
	if (v == 0)
		return sc_cfg_fail(e, err, "a channel needs an 'id' (1 and up)");
	ch->id = (uint32_t)v;
	if ((rc = sc_cfg_get_string(e, "name", NULL, &s, err)) < 0)
		return rc;
	if (!*s || strlen(s) >= sizeof(ch->name))
		return sc_cfg_fail(config_setting_get_member(e, "name"), err, "'name' must have 1 to %zu characters",
				   sizeof(ch->name) - 1);
	snprintf(ch->name, sizeof(ch->name), "%s", s);
	if ((rc = sc_cfg_get_string(e, "source", NULL, &s, err)) < 0)
		return rc;
	if (strlen(s) >= sizeof(ch->source))
		return sc_cfg_fail(config_setting_get_member(e, "source"), err, "'source' is too long");
	snprintf(ch->source, sizeof(ch->source), "%s", s);
	if ((rc = check_source(e, s, deep, err)) < 0 ||
	    (rc = read_group(e, "group6", "ipv6", true, AF_INET6, ch->id, &ch->group6, err)) < 0 ||
	    (rc = read_group(e, "group4", "ipv4", false, AF_INET, ch->id, &ch->group4, err)) < 0)
		return rc;
	if (ch->group6.len && !c->source6.len)
		return sc_cfg_fail(e, err, "channel %u sends IPv6 but %s has no global IPv6 address: set edge.source6, "
				   "or 'ipv6 = false; ipv4 = true;' on a host without IPv6", ch->id, c->iface);
	if (ch->group4.len && !c->source4.len)
		return sc_cfg_fail(e, err, "channel %u sends IPv4 but %s has no IPv4 address: set edge.source4",
				   ch->id, c->iface);
	if (!ch->group6.len && !ch->group4.len)
		return sc_cfg_fail(e, err, "channel %u sends nowhere: enable ipv6 or ipv4", ch->id);
	ch->ifindex = c->ifindex;
	if ((rc = sc_cfg_get_int(e, "hops", 1, 255, hops, &v, err)) < 0)
		return rc;
	ch->hops = (int)v;
	if ((rc = sc_cfg_get_int(e, "dscp", 0, 63, dscp, &v, err)) < 0)
		return rc;
	ch->dscp = (int)v;
	if ((rc = sc_cfg_get_int(e, "bitrate", 0, 1000000000, 0, &v, err)) < 0)
		return rc;
	ch->fallback_bps = (uint64_t)v;
	if ((rc = read_key(e, "ret_key", out->ret_key, &out->has_ret_key, err)) < 0)
		return rc;
	return read_chan_mesh(e, c, c->ret_listen.len != 0, out, err);
}

/* No two channels may share an id or a group. */
static int check_unique(config_setting_t *list, const struct edge_cfg *c, size_t i, struct sc_cfg_err *err)
{
	const struct chan_cfg *a = &c->chans[i].chan;

	for (size_t k = 0; k < i; k++) {
		const struct chan_cfg *b = &c->chans[k].chan;

		if (a->id == b->id)
			return sc_cfg_fail(config_setting_get_elem(list, (unsigned)i), err,
					   "channel id %u is used twice", a->id);
		if ((a->group6.len && sc_addr_equal(&a->group6, &b->group6)) ||
		    (a->group4.len && sc_addr_equal(&a->group4, &b->group4)))
			return sc_cfg_fail(config_setting_get_elem(list, (unsigned)i), err,
					   "channels %u and %u use the same group", b->id, a->id);
	}
	return 0;
}

static int read_channels(const config_setting_t *root, struct edge_cfg *c, long long hops, long long dscp,
			 bool deep, struct sc_cfg_err *err)
{
	config_setting_t *list;
	int rc, n;

	if ((rc = sc_cfg_get_section(root, "channels", CONFIG_TYPE_LIST, &list, err)) < 0)
		return rc;
	n = list ? config_setting_length(list) : 0;
	if (n == 0)
		return 0;
	c->chans = calloc((size_t)n, sizeof(*c->chans));
	if (!c->chans)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		rc = read_channel(config_setting_get_elem(list, (unsigned)i), c, hops, dscp, deep, &c->chans[i], err);
		if (rc < 0 || (rc = check_unique(list, c, (size_t)i, err)) < 0)
			return rc;
		c->nchans++;
	}
	return 0;
}

int edge_cfg_load(const char *path, bool deep_check, struct edge_cfg *out, struct sc_cfg_err *err)
{
	config_setting_t *root;
	long long hops, dscp;
	sc_cfg *cfg = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = sc_cfg_load(path, &cfg, err);
	if (rc < 0)
		return rc;
	root = sc_cfg_root(cfg);
	if ((rc = sc_cfg_check_keys(root, root_keys, err)) < 0 ||
	    (rc = read_edge(root, out, &hops, &dscp, err)) < 0 || (rc = read_ret_mgmt(root, out, err)) < 0 ||
	    (rc = read_channels(root, out, hops, dscp, deep_check, err)) < 0)
		edge_cfg_free(out);
	sc_cfg_free(cfg);
	return rc;
}

void edge_cfg_free(struct edge_cfg *cfg)
{
	free(cfg->chans);
	cfg->chans = NULL;
	cfg->nchans = 0;
}

bool edge_chan_cfg_equal(const struct edge_chan_cfg *a, const struct edge_chan_cfg *b)
{
	const struct chan_cfg *x = &a->chan, *y = &b->chan;

	return x->id == y->id && strcmp(x->name, y->name) == 0 && strcmp(x->source, y->source) == 0 &&
	       x->group6.len == y->group6.len && (!x->group6.len || sc_addr_equal(&x->group6, &y->group6)) &&
	       x->group4.len == y->group4.len && (!x->group4.len || sc_addr_equal(&x->group4, &y->group4)) &&
	       x->ifindex == y->ifindex && x->hops == y->hops && x->dscp == y->dscp &&
	       x->fallback_bps == y->fallback_bps && a->has_ret_key == b->has_ret_key &&
	       memcmp(a->ret_key, b->ret_key, sizeof(a->ret_key)) == 0;
}
