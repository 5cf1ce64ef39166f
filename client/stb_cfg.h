/* stb_cfg: the set-top box daemon's configuration, read into typed
 * settings. --check-config, start-up and SIGHUP go through stb_cfg_load().
 * The commented example is client/sixcast-client.conf.example. */
#ifndef STB_CFG_H
#define STB_CFG_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "sc_addr.h"
#include "sc_cfg.h"
#include "sc_guard.h"
#include "mesh_switch.h"

/* A control token, when one is given, has at least this many characters;
 * one is required when the control API listens beyond loopback. */
#define STB_TOKEN_MIN 24

struct stb_cfg {
	char device_id[64];
	char credential[128];
	char iface[IF_NAMESIZE];
	unsigned ifindex;
	char metro[64];             /* "" : the management server decides */
	uint16_t repair_port;
	uint64_t playout_delay_ns;
	int policy;                 /* rtx policy: 0 all, 1 ranked */
	bool fast_zap;              /* ask the edge for a burst on tune */
	uint32_t start_channel;     /* 0: none */
	struct sc_sockaddr control; /* len 0: no control API */
	bool control_dflt;          /* control is the default: loopback in either family */
	char control_token[257];    /* "" : none (loopback only) */
	int log_level;
	char mgmt_url[256];
	bool has_ca;                /* mgmt.ca: the management server's CA key, pinned */
	uint8_t ca[32];
	unsigned mgmt_timeout_ms;
	uint64_t mgmt_retry_max_ns;
	struct sc_sockaddr http;    /* len 0: no HTTP output */
	bool http_dflt;             /* http is the default: every address, either family */
	struct sc_sockaddr udp;     /* len 0: no UDP output */
	bool udp_rtp;
	char record_dir[256];
	bool play;
	char video_sink[256], audio_sink[256];
	/* http_limits = { ... }: the HTTP output's and the control API's */
	struct sc_guard_limits http_limits, control_limits;
	/* the P2P mesh fallback (mesh = { ... }) */
	bool mesh;
	struct mesh_switch_config mesh_switch;
};

/* Read and check path. Returns 0, or a negative errno with err naming the
 * file and line. */
int stb_cfg_load(const char *path, struct stb_cfg *out, struct sc_cfg_err *err);

#endif
