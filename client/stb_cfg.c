/* stb_cfg: reading and checking the set-top box configuration. */
#include "config.h"

#include "stb_cfg.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "hts.h"
#include "rtx_ident.h"
#include "sc_httpd_lite.h"
#include "sc_log.h"

static const char *const root_keys[] = { "client", "mgmt", "outputs", "mesh", "http_limits", NULL };
static const char *const client_keys[] = { "device_id", "credential", "credential_file", "interface", "metro",
					   "repair_port", "playout_delay_ms", "policy", "fast_zap", "start_channel",
					   "control", "control_token", "control_token_file", "log_level", NULL };
static const char *const limit_keys[] = { "per_address_limit", "request_timeout_ms", "idle_timeout_s", NULL };
static const char *const mgmt_keys[] = { "url", "timeout_ms", "retry_max_ms", "ca", NULL };
static const char *const out_keys[] = { "http", "udp", "udp_rtp", "record_dir", "play", "video_sink",
					"audio_sink", NULL };
static const char *const mesh_keys[] = { "enabled", "tune_timeout_ms", "silence_ms", "loss_enter_pct",
					 "loss_leave_pct", "recover_ms", NULL };
static const char *const policies[] = { "all", "ranked", NULL };

/* Where a box's enrolment credential comes from, for messages: the box
 * packages cannot make it, the management server's must be copied. */
#define BOX_CRED_HINT "use the management server's box enrolment secret (the content of its " \
	"/etc/sixcast/secrets/box-enrolment; in per-device mode, the HMAC of device_id under it)"

static int copy_string(const config_setting_t *g, const char *name, const char *dflt, char *dst, size_t len,
		       struct sc_cfg_err *err)
{
	const char *s;
	int rc = sc_cfg_get_string(g, name, dflt, &s, err);

	if (rc < 0)
		return rc;
	if (strlen(s) >= len)
		return sc_cfg_fail(config_setting_get_member(g, name), err, "'%s' is longer than %zu characters",
				   name, len - 1);
	snprintf(dst, len, "%s", s);
	return 0;
}

/* An optional address to send to: "" (the default when dflt is "") means
 * off. */
static int opt_addr(const config_setting_t *g, const char *name, const char *dflt, uint16_t port,
		    struct sc_sockaddr *out, struct sc_cfg_err *err)
{
	const char *s;
	int rc = sc_cfg_get_string(g, name, dflt, &s, err);

	memset(out, 0, sizeof(*out));
	if (rc < 0 || !*s)
		return rc;
	return sc_cfg_get_addr(g, name, dflt, port, out, err);
}

/* The first line of a token file, without its line end. */
static int read_token_file(const config_setting_t *g, const char *path, char *dst, size_t len,
			   struct sc_cfg_err *err)
{
	const config_setting_t *s = config_setting_get_member(g, "control_token_file");
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return sc_cfg_fail(s, err, "'control_token_file': cannot read %s: %s", path, strerror(errno));
	if (!fgets(dst, (int)len, f))
		dst[0] = '\0';
	fclose(f);
	n = strcspn(dst, "\r\n");
	if (n == len - 1)
		return sc_cfg_fail(s, err, "'control_token_file': the token in %s is longer than %zu characters", path,
				   len - 2);
	dst[n] = '\0';
	return 0;
}

/* A token given must be strong; beyond loopback one is required, since
 * whoever reaches the API can change the channel and record to disk. */
static int check_token(const config_setting_t *g, const struct stb_cfg *c, struct sc_cfg_err *err)
{
	const config_setting_t *s = config_setting_get_member(g, "control_token");
	char where[SC_ADDR_STRLEN];

	if (!s)
		s = config_setting_get_member(g, "control_token_file");
	if (!c->control_token[0]) {
		if (!c->control.len || sc_addr_is_loopback(&c->control))
			return 0;
		sc_addr_format(&c->control, true, where, sizeof(where));
		return sc_cfg_fail(config_setting_get_member(g, "control"), err,
				   "'control' listens on %s, beyond loopback: set 'control_token' (or "
				   "'control_token_file'), %d characters or more, or listen on loopback", where,
				   STB_TOKEN_MIN);
	}
	if (strlen(c->control_token) < STB_TOKEN_MIN)
		return sc_cfg_fail(s, err, "the control token has %zu characters: it needs %d or more",
				   strlen(c->control_token), STB_TOKEN_MIN);
	if (strcasestr(c->control_token, "CHANGE-ME"))
		return sc_cfg_fail(s, err, "the control token is the example's placeholder (CHANGE-ME): make one, "
				   "e.g. head -c 24 /dev/urandom | base64");
	for (const char *p = c->control_token; *p; p++)
		if (*p <= ' ' || *p == 0x7f)
			return sc_cfg_fail(s, err, "the control token must not contain spaces or control characters");
	return 0;
}

/* control, control_token or control_token_file. */
static int read_control(const config_setting_t *g, struct stb_cfg *c, struct sc_cfg_err *err)
{
	const char *file;
	int rc;

	if ((rc = sc_cfg_get_listen(g, "control", "[::1]:8091", 8091, SOCK_STREAM, &c->control, &c->control_dflt,
				    err)) < 0 ||
	    (rc = copy_string(g, "control_token", "", c->control_token, sizeof(c->control_token), err)) < 0 ||
	    (rc = sc_cfg_get_string(g, "control_token_file", "", &file, err)) < 0)
		return rc;
	if (*file && c->control_token[0])
		return sc_cfg_fail(config_setting_get_member(g, "control_token_file"), err,
				   "give 'control_token' or 'control_token_file', not both");
	if (*file && (rc = read_token_file(g, file, c->control_token, sizeof(c->control_token), err)) < 0)
		return rc;
	return check_token(g, c, err);
}

static int read_client(const config_setting_t *root, struct stb_cfg *c, struct sc_cfg_err *err)
{
	config_setting_t *g;
	long long v;
	const char *s;
	int rc;

	if ((rc = sc_cfg_get_section(root, "client", CONFIG_TYPE_GROUP, &g, err)) < 0)
		return rc;
	if (!g)
		return sc_cfg_fail(root, err, "the 'client' group is required (device_id, interface)");
	if ((rc = sc_cfg_check_keys(g, client_keys, err)) < 0 ||
	    (rc = copy_string(g, "device_id", NULL, c->device_id, sizeof(c->device_id), err)) < 0 ||
	    (rc = sc_cfg_get_secret(g, "credential", true, BOX_CRED_HINT, c->credential, sizeof(c->credential),
				    err)) < 0 ||
	    (rc = copy_string(g, "interface", NULL, c->iface, sizeof(c->iface), err)) < 0 ||
	    (rc = copy_string(g, "metro", "", c->metro, sizeof(c->metro), err)) < 0)
		return rc;
	if (sc_if_index(c->iface, &c->ifindex) < 0)
		return sc_cfg_fail(config_setting_get_member(g, "interface"), err,
				   "'interface': no interface \"%s\" on this host", c->iface);
	if ((rc = sc_cfg_get_int(g, "repair_port", 1, 65535, 5100, &v, err)) < 0)
		return rc;
	c->repair_port = (uint16_t)v;
	if ((rc = sc_cfg_get_int(g, "playout_delay_ms", 20, 10000, 300, &v, err)) < 0)
		return rc;
	c->playout_delay_ns = (uint64_t)v * 1000000ULL;
	if ((rc = sc_cfg_get_enum(g, "policy", policies, 1, &c->policy, err)) < 0 ||
	    (rc = sc_cfg_get_bool(g, "fast_zap", true, &c->fast_zap, err)) < 0 ||
	    (rc = sc_cfg_get_int(g, "start_channel", 0, 2147483647, 0, &v, err)) < 0)
		return rc;
	c->start_channel = (uint32_t)v;
	if ((rc = read_control(g, c, err)) < 0 || (rc = sc_cfg_get_string(g, "log_level", "info", &s, err)) < 0)
		return rc;
	c->log_level = sc_log_level_parse(s);
	if (c->log_level < 0)
		return sc_cfg_fail(config_setting_get_member(g, "log_level"), err,
				   "'log_level' is \"%s\": use error, warning, notice, info or debug", s);
	return 0;
}

/* mgmt.ca: the CA key of the management server (GET /api/v1/trust), so
 * that the box trusts no other; without it, the one its first
 * registration answer names. */
static int read_ca(const config_setting_t *g, struct stb_cfg *c, struct sc_cfg_err *err)
{
	const char *s;
	int rc = sc_cfg_get_string(g, "ca", "", &s, err);

	if (rc < 0 || !*s)
		return rc;
	if (rtx_unhex(s, c->ca, sizeof(c->ca)) < 0)
		return sc_cfg_fail(config_setting_get_member(g, "ca"), err,
				   "'ca' is not 64 hex characters (the \"ca\" of GET /api/v1/trust)");
	c->has_ca = true;
	return 0;
}

static int read_mgmt(const config_setting_t *root, struct stb_cfg *c, struct sc_cfg_err *err)
{
	config_setting_t *g;
	long long v;
	int rc;

	if ((rc = sc_cfg_get_section(root, "mgmt", CONFIG_TYPE_GROUP, &g, err)) < 0)
		return rc;
	if (!g)
		return sc_cfg_fail(root, err, "the 'mgmt' group is required (mgmt.url)");
	if ((rc = sc_cfg_check_keys(g, mgmt_keys, err)) < 0 ||
	    (rc = copy_string(g, "url", NULL, c->mgmt_url, sizeof(c->mgmt_url), err)) < 0)
		return rc;
	if (strncmp(c->mgmt_url, "http://", 7) != 0 && strncmp(c->mgmt_url, "https://", 8) != 0)
		return sc_cfg_fail(config_setting_get_member(g, "url"), err,
				   "'url' must start with http:// or https://");
	if ((rc = sc_cfg_get_int(g, "timeout_ms", 100, 60000, 3000, &v, err)) < 0)
		return rc;
	c->mgmt_timeout_ms = (unsigned)v;
	if ((rc = sc_cfg_get_int(g, "retry_max_ms", 1000, 600000, 30000, &v, err)) < 0)
		return rc;
	c->mgmt_retry_max_ns = (uint64_t)v * 1000000ULL;
	return read_ca(g, c, err);
}

static int read_outputs(const config_setting_t *root, struct stb_cfg *c, struct sc_cfg_err *err)
{
	config_setting_t *g;
	int rc;

	if ((rc = sc_cfg_get_section(root, "outputs", CONFIG_TYPE_GROUP, &g, err)) < 0 ||
	    (rc = sc_cfg_check_keys(g, out_keys, err)) < 0 ||
	    (rc = sc_cfg_get_listen(g, "http", "[::]:8090", 8090, SOCK_STREAM, &c->http, &c->http_dflt, err)) < 0 ||
	    (rc = opt_addr(g, "udp", "", 1234, &c->udp, err)) < 0 ||
	    (rc = sc_cfg_get_bool(g, "udp_rtp", true, &c->udp_rtp, err)) < 0 ||
	    (rc = copy_string(g, "record_dir", "/var/lib/sixcast/recordings", c->record_dir,
			      sizeof(c->record_dir), err)) < 0 ||
	    (rc = sc_cfg_get_bool(g, "play", false, &c->play, err)) < 0 ||
	    (rc = copy_string(g, "video_sink", "autovideosink", c->video_sink, sizeof(c->video_sink), err)) < 0 ||
	    (rc = copy_string(g, "audio_sink", "autoaudiosink", c->audio_sink, sizeof(c->audio_sink), err)) < 0)
		return rc;
	return 0;
}

/* http_limits = { per_address_limit; request_timeout_ms; idle_timeout_s; }
 * for both servers, over each one's defaults (hts.h, sc_httpd_lite.h). */
static int read_http_limits(const config_setting_t *root, struct stb_cfg *c, struct sc_cfg_err *err)
{
	config_setting_t *g;
	int rc;

	hts_limits_default(&c->http_limits);
	sc_httpd_lite_limits_default(&c->control_limits);
	if ((rc = sc_cfg_get_section(root, "http_limits", CONFIG_TYPE_GROUP, &g, err)) < 0 ||
	    (rc = sc_cfg_check_keys(g, limit_keys, err)) < 0 ||
	    (rc = sc_cfg_get_http_limits(g, 0, &c->http_limits, err)) < 0)
		return rc;
	return sc_cfg_get_http_limits(g, 0, &c->control_limits, err);
}

/* mesh = { ... }: off by default; the switch thresholds default to the
 * library's (mesh_switch.h). */
static int read_mesh(const config_setting_t *root, struct stb_cfg *c, struct sc_cfg_err *err)
{
	struct mesh_switch_config *m = &c->mesh_switch;
	config_setting_t *g;
	long long tune, silence, recover;
	double enter, leave;
	int rc;

	mesh_switch_config_defaults(m);
	if ((rc = sc_cfg_get_section(root, "mesh", CONFIG_TYPE_GROUP, &g, err)) < 0 ||
	    (rc = sc_cfg_check_keys(g, mesh_keys, err)) < 0 ||
	    (rc = sc_cfg_get_bool(g, "enabled", false, &c->mesh, err)) < 0 ||
	    (rc = sc_cfg_get_int(g, "tune_timeout_ms", 100, 60000, (long long)(m->tune_timeout_ns / 1000000),
				 &tune, err)) < 0 ||
	    (rc = sc_cfg_get_int(g, "silence_ms", 50, 60000, (long long)(m->silence_ns / 1000000), &silence,
				 err)) < 0 ||
	    (rc = sc_cfg_get_float(g, "loss_enter_pct", 0.1, 100, m->loss_enter * 100, &enter, err)) < 0 ||
	    (rc = sc_cfg_get_float(g, "loss_leave_pct", 0, 100, m->loss_leave * 100, &leave, err)) < 0 ||
	    (rc = sc_cfg_get_int(g, "recover_ms", 0, 600000, (long long)(m->recover_ns / 1000000), &recover,
				 err)) < 0)
		return rc;
	if (leave > enter)
		return sc_cfg_fail(config_setting_get_member(g, "loss_leave_pct"), err,
				   "'loss_leave_pct' (%.2f) is above 'loss_enter_pct' (%.2f): the box would flap",
				   leave, enter);
	m->tune_timeout_ns = (uint64_t)tune * 1000000ULL;
	m->silence_ns = (uint64_t)silence * 1000000ULL;
	m->loss_enter = enter / 100;
	m->loss_leave = leave / 100;
	m->recover_ns = (uint64_t)recover * 1000000ULL;
	return 0;
}

int stb_cfg_load(const char *path, struct stb_cfg *out, struct sc_cfg_err *err)
{
	config_setting_t *root;
	sc_cfg *cfg = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = sc_cfg_load(path, &cfg, err);
	if (rc < 0)
		return rc;
	root = sc_cfg_root(cfg);
	if ((rc = sc_cfg_check_keys(root, root_keys, err)) == 0 && (rc = read_client(root, out, err)) == 0 &&
	    (rc = read_mgmt(root, out, err)) == 0 && (rc = read_outputs(root, out, err)) == 0 &&
	    (rc = read_http_limits(root, out, err)) == 0)
		rc = read_mesh(root, out, err);
	sc_cfg_free(cfg);
	return rc;
}
