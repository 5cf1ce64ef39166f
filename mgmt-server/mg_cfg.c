/* mg_cfg: sixcast-mgmt-server's config file. See mg_cfg.h and the example
 * file for every setting. */
#include "config.h"

#include "mg_cfg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sc_log.h"

#define GET_INT(sec, name, min, max, dflt, dst)                                         \
	do {                                                                            \
		long long v_;                                                           \
		if ((rc = sc_cfg_get_int(sec, name, min, max, dflt, &v_, err)) < 0)     \
			return rc;                                                      \
		dst = v_;                                                               \
	} while (0)

/* Copy a string setting into a fixed buffer; too long is an error. */
static int get_str(const config_setting_t *sec, const char *name, const char *dflt, char *dst,
		   size_t len, struct sc_cfg_err *err)
{
	const char *s;
	int rc = sc_cfg_get_string(sec, name, dflt, &s, err);

	if (rc < 0)
		return rc;
	if (strlen(s) >= len)
		return sc_cfg_fail(config_setting_get_member(sec, name), err,
				   "'%s' is longer than %zu characters", name, len - 1);
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

/* A list or array of strings: the setting itself, or NULL when absent. */
static int get_strlist(const config_setting_t *sec, const char *name, config_setting_t **out,
		       struct sc_cfg_err *err)
{
	config_setting_t *s = sec ? config_setting_get_member(sec, name) : NULL;

	*out = NULL;
	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_ARRAY && config_setting_type(s) != CONFIG_TYPE_LIST)
		return sc_cfg_fail(s, err, "'%s' must be a list of strings: [ \"...\", ... ]", name);
	for (int i = 0; i < config_setting_length(s); i++)
		if (config_setting_type(config_setting_get_elem(s, (unsigned)i)) != CONFIG_TYPE_STRING)
			return sc_cfg_fail(config_setting_get_elem(s, (unsigned)i), err,
					   "'%s' must be a list of strings", name);
	*out = s;
	return 0;
}

static int read_http(const config_setting_t *root, struct mg_config *c, struct sc_cfg_err *err)
{
	static const char *const keys[] = { "listen", "max_body", "connection_limit", "idle_timeout_s",
					    "per_address_limit", "request_timeout_ms", "long_poll_max_ms",
					    "metrics_auth", "tls_cert", "tls_key", NULL };
	config_setting_t *h, *l;
	int rc;

	if ((rc = sc_cfg_get_section(root, "http", CONFIG_TYPE_GROUP, &h, err)) < 0 ||
	    (rc = sc_cfg_check_keys(h, keys, err)) < 0 || (rc = get_strlist(h, "listen", &l, err)) < 0)
		return rc;
	if (l && config_setting_length(l) > MG_LISTEN_MAX)
		return sc_cfg_fail(l, err, "at most %d listen addresses", MG_LISTEN_MAX);
	for (int i = 0; l && i < config_setting_length(l); i++) {
		config_setting_t *e = config_setting_get_elem(l, (unsigned)i);

		if (sc_addr_parse(config_setting_get_string(e), 8080, &c->http.listen[i]) < 0)
			return sc_cfg_fail(e, err, "\"%s\" is not a listen address (\"[::]:8080\", "
					   "\"0.0.0.0:8080\")", config_setting_get_string(e));
		if ((rc = sc_cfg_check_listen(e, &c->http.listen[i], SOCK_STREAM, err)) < 0)
			return rc;
		c->http.nlisten++;
	}
	/* IPv6 sockets are IPv6-only here (mg_http.h), so each family has its
	 * own; on a host without one, that one is left out (mg_http_start). */
	if (!c->http.nlisten) {
		sc_addr_parse("[::]:8080", 0, &c->http.listen[0]);
		sc_addr_parse("0.0.0.0:8080", 0, &c->http.listen[1]);
		c->http.nlisten = 2;
		c->http.listen_dflt = true;
	}
	GET_INT(h, "max_body", 1024, 16 << 20, 65536, c->http.max_body);
	/* Boxes keep their connections open (idle up to 90 s between
	 * heartbeats) and long-poll: the idle timeout and the request timeout
	 * count while no request is being served, never during a long poll. */
	c->http.limits = (struct sc_guard_limits){ .max_conns = 65536, .per_addr = 16,
						   .request_ns = 10 * SC_NS_PER_S, .idle_ns = 90 * SC_NS_PER_S };
	if ((rc = sc_cfg_get_http_limits(h, 1000000, &c->http.limits, err)) < 0)
		return rc;
	GET_INT(h, "long_poll_max_ms", 0, 300000, 30000, c->http.long_poll_max_ms);
	if ((rc = sc_cfg_get_bool(h, "metrics_auth", false, &c->http.metrics_auth, err)) < 0 ||
	    (rc = get_str(h, "tls_cert", "", c->http.tls_cert, sizeof(c->http.tls_cert), err)) < 0 ||
	    (rc = get_str(h, "tls_key", "", c->http.tls_key, sizeof(c->http.tls_key), err)) < 0)
		return rc;
	if (!c->http.tls_cert[0] != !c->http.tls_key[0])
		return sc_cfg_fail(h, err, "tls_cert and tls_key go together");
	return 0;
}

static int read_store(const config_setting_t *root, struct mg_config *c, struct sc_cfg_err *err)
{
	static const char *const keys[] = { "path", "flush_ms", "sync", "events_keep", NULL };
	static const char *const syncs[] = { "normal", "full", NULL };
	config_setting_t *s;
	int rc, sync;

	if ((rc = sc_cfg_get_section(root, "store", CONFIG_TYPE_GROUP, &s, err)) < 0 ||
	    (rc = sc_cfg_check_keys(s, keys, err)) < 0 ||
	    (rc = get_str(s, "path", "/var/lib/sixcast/mgmt.db", c->store.path, sizeof(c->store.path),
			  err)) < 0 ||
	    (rc = sc_cfg_get_enum(s, "sync", syncs, 1, &sync, err)) < 0)
		return rc;
	c->store.sync_full = sync == 1;
	GET_INT(s, "flush_ms", 10, 60000, 1000, c->store.flush_ms);
	GET_INT(s, "events_keep", 1000, 100000000, 1000000, c->store.events_keep);
	return 0;
}

/* Tokens and credentials go in HTTP headers and JSON as they are, and
 * sc_cfg_get_secret refuses anything but printable ASCII without spaces. */
static int get_token(const config_setting_t *sec, const char *name, char *dst, size_t len,
		     struct sc_cfg_err *err)
{
	int rc = sc_cfg_get_secret(sec, name, true, NULL, dst, len, err);

	return rc == -ENOENT ? -EINVAL : rc;
}

/* A box credential that opened the admin API, or an edge's that enrolled
 * boxes, would make every box an admin or an edge: each role its own. */
static int check_distinct(const config_setting_t *auth, const struct mg_config *c, struct sc_cfg_err *err)
{
	for (size_t i = 0; i < c->auth.nadmin; i++)
		if (!strcmp(c->auth.admin[i].token, c->auth.client_secret) ||
		    !strcmp(c->auth.admin[i].token, c->auth.edge_secret))
			return sc_cfg_fail(auth, err, "admin \"%s\" has the token of an enrolment credential: "
					   "every secret must be its own", c->auth.admin[i].name);
	if (!strcmp(c->auth.client_secret, c->auth.edge_secret))
		return sc_cfg_fail(auth, err, "client_credential and edge_credential are the same: a box could "
				   "register as an edge");
	return 0;
}

static int read_admins(config_setting_t *list, struct mg_config *c, struct sc_cfg_err *err)
{
	static const char *const keys[] = { "name", "token", "token_file", NULL };
	int n = list ? config_setting_length(list) : 0, rc;

	if (n == 0)
		return sc_cfg_fail(list, err, "auth.admins needs at least one { name; token_file; }");
	if (n > MG_ADMIN_MAX)
		return sc_cfg_fail(list, err, "at most %d admins", MG_ADMIN_MAX);
	for (int i = 0; i < n; i++) {
		config_setting_t *a = config_setting_get_elem(list, (unsigned)i);
		struct mg_admin *ad = &c->auth.admin[i];

		if (config_setting_type(a) != CONFIG_TYPE_GROUP)
			return sc_cfg_fail(a, err, "an admin is a group { name = \"...\"; token_file = \"...\"; }");
		if ((rc = sc_cfg_check_keys(a, keys, err)) < 0 ||
		    (rc = get_str(a, "name", NULL, ad->name, sizeof(ad->name), err)) < 0 ||
		    (rc = get_token(a, "token", ad->token, sizeof(ad->token), err)) < 0)
			return rc == -ENOENT ? -EINVAL : rc;
		if (mg_name_check(ad->name) < 0)
			return sc_cfg_fail(a, err, "admin name must be 1 to 63 printable characters");
		for (int j = 0; j < i; j++)
			if (!strcmp(c->auth.admin[j].name, ad->name) || !strcmp(c->auth.admin[j].token, ad->token))
				return sc_cfg_fail(a, err, "admin \"%s\" repeats a name or a token", ad->name);
		c->auth.nadmin++;
	}
	return 0;
}

static int read_auth(const config_setting_t *root, struct mg_config *c, struct sc_cfg_err *err)
{
	static const char *const keys[] = { "admins", "client_credential", "client_credential_file",
					    "client_credential_mode", "edge_credential", "edge_credential_file",
					    NULL };
	static const char *const modes[] = { "shared", "per-device", NULL };
	config_setting_t *a, *list;
	int rc, mode;

	if ((rc = sc_cfg_get_section(root, "auth", CONFIG_TYPE_GROUP, &a, err)) < 0)
		return rc;
	if (!a)
		return sc_cfg_fail(root, err, "an auth { admins; client_credential_file; "
				   "edge_credential_file; } section is required");
	if ((rc = sc_cfg_check_keys(a, keys, err)) < 0 ||
	    (rc = sc_cfg_get_section(a, "admins", CONFIG_TYPE_LIST, &list, err)) < 0)
		return rc;
	if (!list)
		return sc_cfg_fail(a, err, "auth.admins = ( { name = \"...\"; token_file = \"...\"; } ) "
				   "is required");
	if ((rc = read_admins(list, c, err)) < 0 ||
	    (rc = get_token(a, "client_credential", c->auth.client_secret,
			    sizeof(c->auth.client_secret), err)) < 0 ||
	    (rc = sc_cfg_get_enum(a, "client_credential_mode", modes, 0, &mode, err)) < 0 ||
	    (rc = get_token(a, "edge_credential", c->auth.edge_secret, sizeof(c->auth.edge_secret),
			    err)) < 0)
		return rc;
	c->auth.client_mode = (enum mg_cred_mode)mode;
	return check_distinct(a, c, err);
}

static int read_timing(const config_setting_t *root, struct mg_config *c, struct sc_cfg_err *err)
{
	static const char *const ckeys[] = { "heartbeat_ms", "missed_heartbeats", NULL };
	static const char *const ekeys[] = { "report_ms", "missed_reports", NULL };
	config_setting_t *s;
	int rc;

	if ((rc = sc_cfg_get_section(root, "clients", CONFIG_TYPE_GROUP, &s, err)) < 0 ||
	    (rc = sc_cfg_check_keys(s, ckeys, err)) < 0)
		return rc;
	GET_INT(s, "heartbeat_ms", 100, 600000, 5000, c->clients.heartbeat_ms);
	GET_INT(s, "missed_heartbeats", 1, 100, 3, c->clients.missed);
	if ((rc = sc_cfg_get_section(root, "edges", CONFIG_TYPE_GROUP, &s, err)) < 0 ||
	    (rc = sc_cfg_check_keys(s, ekeys, err)) < 0)
		return rc;
	GET_INT(s, "report_ms", 100, 600000, 5000, c->edges.report_ms);
	GET_INT(s, "missed_reports", 1, 100, 3, c->edges.missed);
	return 0;
}

static int read_grouping(const config_setting_t *root, struct mg_config *c, struct sc_cfg_err *err)
{
	static const char *const keys[] = { "size", "min_size", "max_open", "scan_max",
					    "metro_silence_ms", "metro_silence_min_ms", "metro_min_clients",
					    NULL };
	static const char *const tkeys[] = { "near", "random", "scan_max", "direct_max", NULL };
	config_setting_t *s;
	int rc;

	grp_params_default(&c->grouping);
	if ((rc = sc_cfg_get_section(root, "grouping", CONFIG_TYPE_GROUP, &s, err)) < 0 ||
	    (rc = sc_cfg_check_keys(s, keys, err)) < 0)
		return rc;
	GET_INT(s, "size", GRP_MIN_SIZE, GRP_MAX_SIZE, 5, c->grouping.size);
	GET_INT(s, "min_size", 2, GRP_MAX_SIZE, c->grouping.size > 3 ? 3 : 2, c->grouping.min_size);
	if (c->grouping.min_size > c->grouping.size)
		return sc_cfg_fail(config_setting_get_member(s, "min_size"), err,
				   "'min_size' must not exceed 'size'");
	GET_INT(s, "max_open", 1, 100000, 16, c->grouping.max_open);
	GET_INT(s, "scan_max", 1, 1000000, 256, c->grouping.scan_max);
	GET_INT(s, "metro_silence_ms", 100, 3600000, c->clients.heartbeat_ms * 6 / 5,
		c->metro_silence_ms);
	GET_INT(s, "metro_silence_min_ms", 100, 3600000,
		c->metro_silence_ms < 500 ? c->metro_silence_ms : 500, c->metro_silence_min_ms);
	if (c->metro_silence_min_ms > c->metro_silence_ms)
		return sc_cfg_fail(config_setting_get_member(s, "metro_silence_min_ms"), err,
				   "'metro_silence_min_ms' must not exceed 'metro_silence_ms'");
	GET_INT(s, "metro_min_clients", 1, 10000000, 10, c->metro_min_clients);
	trk_params_default(&c->tracker);
	if ((rc = sc_cfg_get_section(root, "tracker", CONFIG_TYPE_GROUP, &s, err)) < 0 ||
	    (rc = sc_cfg_check_keys(s, tkeys, err)) < 0)
		return rc;
	GET_INT(s, "near", 0, TRK_MAX_ANSWER, 8, c->tracker.near);
	GET_INT(s, "random", 0, TRK_MAX_ANSWER, 3, c->tracker.random);
	GET_INT(s, "scan_max", 1, 10000000, 4096, c->tracker.scan_max);
	GET_INT(s, "direct_max", 0, 1000000, 50, c->tracker.direct_max);
	return 0;
}

/* The certificate authority: a certificate must outlive a few heartbeats
 * (renewal comes at half its life), and revocations are kept as long as
 * the certificates live, so neither end is open. */
static int read_trust(const config_setting_t *root, struct mg_config *c, struct sc_cfg_err *err)
{
	static const char *const keys[] = { "cert_lifetime_s", NULL };
	config_setting_t *s;
	int rc;

	if ((rc = sc_cfg_get_section(root, "trust", CONFIG_TYPE_GROUP, &s, err)) < 0 ||
	    (rc = sc_cfg_check_keys(s, keys, err)) < 0)
		return rc;
	GET_INT(s, "cert_lifetime_s", MG_CERT_LIFETIME_MIN_S, MG_CERT_LIFETIME_MAX_S, 86400,
		c->trust.cert_lifetime_s);
	return 0;
}

static int read_all(sc_cfg *cfg, struct mg_config *c, struct sc_cfg_err *err)
{
	static const char *const keys[] = { "log_level", "http", "store", "auth", "clients", "edges",
					    "grouping", "tracker", "trust", "lineup", NULL };
	config_setting_t *root = sc_cfg_root(cfg);
	const char *lvl;
	int rc;

	if ((rc = sc_cfg_check_keys(root, keys, err)) < 0 ||
	    (rc = sc_cfg_get_string(root, "log_level", "info", &lvl, err)) < 0)
		return rc;
	c->log_level = sc_log_level_parse(lvl);
	if (c->log_level < 0)
		return sc_cfg_fail(config_setting_get_member(root, "log_level"), err,
				   "log_level \"%s\": use err, warning, notice, info or debug", lvl);
	if ((rc = read_http(root, c, err)) < 0 || (rc = read_store(root, c, err)) < 0 ||
	    (rc = read_auth(root, c, err)) < 0 || (rc = read_timing(root, c, err)) < 0 ||
	    (rc = read_grouping(root, c, err)) < 0 || (rc = read_trust(root, c, err)) < 0 ||
	    (rc = mg_cfg_read_lineup(root, c, err)) < 0)
		return rc;
	return 0;
}

static int finish(int rc, sc_cfg *cfg, struct mg_config *c, struct mg_config **out,
		  struct sc_cfg_err *err)
{
	if (rc == 0)
		rc = read_all(cfg, c, err);
	sc_cfg_free(cfg);
	if (rc < 0) {
		mg_cfg_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

int mg_cfg_load(const char *path, struct mg_config **out, struct sc_cfg_err *err)
{
	struct mg_config *c = calloc(1, sizeof(*c));
	sc_cfg *cfg = NULL;
	int rc;

	*out = NULL;
	if (!c)
		return -ENOMEM;
	rc = sc_cfg_load(path, &cfg, err);
	return finish(rc, cfg, c, out, err);
}

int mg_cfg_load_string(const char *text, const char *name, struct mg_config **out,
		       struct sc_cfg_err *err)
{
	struct mg_config *c = calloc(1, sizeof(*c));
	sc_cfg *cfg = NULL;
	int rc;

	*out = NULL;
	if (!c)
		return -ENOMEM;
	rc = sc_cfg_load_string(text, name, &cfg, err);
	return finish(rc, cfg, c, out, err);
}

void mg_cfg_free(struct mg_config *c)
{
	if (!c)
		return;
	free(c->lineup.metro);
	free(c->lineup.chan);
	explicit_bzero(&c->auth, sizeof(c->auth)); /* no tokens left in freed memory */
	free(c);
}
