/* edge_cfg: the edge server's configuration file, read into typed settings.
 *
 * --check-config, start-up and a SIGHUP reload all go through
 * edge_cfg_load(), so a file that passes the check is a file that runs.
 * The file format is libconfig; a commented example ships as
 * mcast-server/sixcast-mcast-server.conf.example. */
#ifndef EDGE_CFG_H
#define EDGE_CFG_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chan.h"
#include "sc_addr.h"
#include "sc_cfg.h"
#include "sc_guard.h"

struct edge_chan_cfg {
	struct chan_cfg chan;
	uint8_t ret_key[32]; /* RET key when no management server gives one */
	bool has_ret_key;
	/* The mesh's hosting node for this channel: direct children, 0 = no
	 * mesh (the edge's mesh setting unless the channel has its own). */
	unsigned mesh_max_children;
};

struct edge_cfg {
	char name[64];
	char iface[IF_NAMESIZE];
	unsigned ifindex;
	struct sc_sockaddr source6, source4; /* announced SSM sources; len 0 = none */
	struct sc_sockaddr http;             /* len 0: no HTTP */
	bool http_dflt;                      /* http is the default: [::], or 0.0.0.0 without IPv6 */
	struct sc_guard_limits http_limits;  /* edge.http_limits, see sc_httpd.h */
	char sdp_dir[256];                   /* "" : no SDP files */
	uint64_t latency_ns, lookahead_ns, stall_ns, tick_ns;
	int log_level;
	/* RET and fast channel change (unicast repair service). */
	struct sc_sockaddr ret_listen;       /* len 0: no RET service */
	bool ret_listen_dflt;                /* ret_listen is the default, as http_dflt */
	uint64_t ret_window_ns;
	uint64_t ret_max_bitrate;            /* bits/s: sizes the RET buffers */
	unsigned ret_rate_pps;
	uint8_t ret_key[32];                 /* for channels without their own */
	bool has_ret_key;
	double burst_speed;
	uint64_t burst_max_ns, burst_overlap_ns, burst_interval_ns;
	uint64_t burst_total_bps;            /* 0: no cap */
	/* The P2P mesh's hosting node (edge.mesh): the default of channels. */
	bool mesh_enabled;
	unsigned mesh_max_children;
	uint32_t mesh_edge_id;               /* mesh id while no edge id is known */
	/* Standalone identity (trust.ca_key_file): the edge's own CA key. */
	char ca_key_file[256];               /* "" : the management server's CA */
	/* Management server. */
	char mgmt_url[256];                  /* "" : standalone */
	char mgmt_credential[128];
	uint64_t mgmt_report_ns;
	struct edge_chan_cfg *chans;
	size_t nchans;
};

/* Read and check path. Returns 0 and fills out (free with edge_cfg_free),
 * or a negative errno with err naming file and line. With deep_check, GStreamer
 * pipelines are also parsed (needs gst_init). */
int edge_cfg_load(const char *path, bool deep_check, struct edge_cfg *out, struct sc_cfg_err *err);
void edge_cfg_free(struct edge_cfg *cfg);

/* Whether two channel configurations differ in anything that needs the
 * channel restarted (the mesh setting does not: it applies live). */
bool edge_chan_cfg_equal(const struct edge_chan_cfg *a, const struct edge_chan_cfg *b);

#endif
