/* mg_cfg: the configuration of sixcast-mgmt-server, read from its libconfig
 * file into typed settings. Start-up, --check-config and a SIGHUP reload
 * all run mg_cfg_load(), so a file that passes --check-config starts. The
 * commented example is mgmt-server/sixcast-mgmt-server.conf.example. */
#ifndef MG_CFG_H
#define MG_CFG_H

#include <stdbool.h>
#include <stddef.h>

#include "grp.h"
#include "mg_lineup.h"
#include "sc_addr.h"
#include "sc_cfg.h"
#include "trk.h"

#define MG_LISTEN_MAX 8
#define MG_ADMIN_MAX 16
#define MG_TOKEN_MAX 256
#define MG_CERT_LIFETIME_MIN_S 600
#define MG_CERT_LIFETIME_MAX_S (30 * 86400)

enum mg_lineup_mode {
	MG_LINEUP_SEED, /* the file seeds an empty store; the API edits after */
	MG_LINEUP_FILE, /* the file is the line-up; start and reload apply it */
};

enum mg_cred_mode {
	MG_CRED_SHARED,     /* every box presents the same enrolment secret */
	MG_CRED_PER_DEVICE, /* hex HMAC-SHA256(secret, device id) */
};

struct mg_admin {
	char name[MG_NAME_MAX];
	char token[MG_TOKEN_MAX];
};

struct mg_config {
	int log_level;
	struct {
		struct sc_sockaddr listen[MG_LISTEN_MAX];
		size_t nlisten;
		bool listen_dflt; /* the default list: a family the host lacks is left out */
		size_t max_body;
		/* connection_limit, per_address_limit, request_timeout_ms,
		 * idle_timeout_s (sc_cfg_get_http_limits) */
		struct sc_guard_limits limits;
		unsigned long_poll_max_ms;
		bool metrics_auth;
		char tls_cert[512], tls_key[512]; /* "": plain HTTP */
	} http;
	struct {
		char path[512];
		unsigned flush_ms;
		bool sync_full;
		unsigned events_keep;
	} store;
	struct {
		struct mg_admin admin[MG_ADMIN_MAX];
		size_t nadmin;
		char client_secret[MG_TOKEN_MAX];
		enum mg_cred_mode client_mode;
		char edge_secret[MG_TOKEN_MAX];
	} auth;
	struct {
		unsigned heartbeat_ms;
		unsigned missed;
	} clients;
	struct {
		unsigned report_ms;
		unsigned missed;
	} edges;
	struct grp_params grouping;
	unsigned metro_silence_ms;     /* longest silence before a metro is declared down */
	unsigned metro_silence_min_ms; /* shortest, for big metros */
	unsigned metro_min_clients;
	struct trk_params tracker;
	struct {
		/* How long a member certificate the CA signs is valid. */
		unsigned cert_lifetime_s;
	} trust;
	struct {
		enum mg_lineup_mode mode;
		struct mg_metro_def *metro;
		size_t nmetro;
		struct mg_chan_def *chan;
		size_t nchan;
	} lineup;
};

/* Read and check path into a new config (free with mg_cfg_free). Returns
 * 0, or a negative errno with "file:line: message" in err. */
int mg_cfg_load(const char *path, struct mg_config **out, struct sc_cfg_err *err);
/* The same from text; name stands for the file in messages (tests). */
int mg_cfg_load_string(const char *text, const char *name, struct mg_config **out,
		       struct sc_cfg_err *err);
void mg_cfg_free(struct mg_config *c);

/* Internal to mg_cfg*.c: the lineup section (mg_cfg_lineup.c). */
int mg_cfg_read_lineup(const config_setting_t *root, struct mg_config *c, struct sc_cfg_err *err);

#endif
