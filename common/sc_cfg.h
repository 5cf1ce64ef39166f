/* sc_cfg: libconfig helpers that read typed settings and report every
 * problem as "file:line: message", the way an operator fixes a config file.
 *
 * Each daemon has one config module that reads its file through these
 * getters into a typed struct, so --check-config and a SIGHUP reload run the
 * same code. A missing optional setting takes its default; a setting of the
 * wrong type, out of range, or unknown to the group is an error naming the
 * file and the line. */
#ifndef SC_CFG_H
#define SC_CFG_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sc_addr.h"
#include "sc_guard.h"

typedef struct sc_cfg sc_cfg;

/* Where the first problem is described, ready to print. */
struct sc_cfg_err {
	char msg[512];
};

/* Read a file. Returns 0 and a handle the caller frees with sc_cfg_free(),
 * -ENOENT/-EACCES/-EIO when it cannot be read, -EINVAL on a syntax error.
 * @include paths are taken relative to the file's folder. */
int sc_cfg_load(const char *path, sc_cfg **out, struct sc_cfg_err *err);
/* The same from a string; name stands in for the file name in messages. */
int sc_cfg_load_string(const char *text, const char *name, sc_cfg **out, struct sc_cfg_err *err);
void sc_cfg_free(sc_cfg *cfg);

/* The root group. Valid while cfg is. */
config_setting_t *sc_cfg_root(const sc_cfg *cfg);

/* A sub-group or list by name; NULL when absent. A present setting of
 * another type is an error (-EINVAL, *out NULL). type is CONFIG_TYPE_GROUP or
 * CONFIG_TYPE_LIST. */
int sc_cfg_get_section(const config_setting_t *grp, const char *name, int type,
		       config_setting_t **out, struct sc_cfg_err *err);

/* Typed getters. Each returns 0, or -EINVAL with err set. A missing setting
 * yields the default, unless the getter says otherwise. */
int sc_cfg_get_int(const config_setting_t *grp, const char *name, long long min, long long max,
		   long long dflt, long long *out, struct sc_cfg_err *err);
int sc_cfg_get_float(const config_setting_t *grp, const char *name, double min, double max,
		     double dflt, double *out, struct sc_cfg_err *err);
int sc_cfg_get_bool(const config_setting_t *grp, const char *name, bool dflt, bool *out,
		    struct sc_cfg_err *err);
/* *out points into the config and lives as long as it. dflt NULL makes the
 * setting required (-ENOENT when missing). */
int sc_cfg_get_string(const config_setting_t *grp, const char *name, const char *dflt,
		      const char **out, struct sc_cfg_err *err);
/* One of choices (a NULL-terminated list); *out is its index. */
int sc_cfg_get_enum(const config_setting_t *grp, const char *name, const char *const *choices,
		    int dflt, int *out, struct sc_cfg_err *err);
/* An address in sc_addr forms. dflt NULL makes it required (-ENOENT). */
int sc_cfg_get_addr(const config_setting_t *grp, const char *name, const char *dflt,
		    uint16_t default_port, struct sc_sockaddr *out, struct sc_cfg_err *err);

/* A listen address for sockets of type (SOCK_STREAM, SOCK_DGRAM): an
 * sc_addr form, or "" for none (out->len 0). An absent setting takes dflt
 * ("" makes none the default) and sets *is_dflt (may be NULL): a default
 * may follow the host's address families when the daemon opens it
 * (sc_listen_pick()). An address written in the file is kept as written;
 * an IPv6 loopback or wildcard there, on a host without IPv6, is refused
 * (sc_cfg_check_listen()). Returns 0 or a negative errno with err set. */
int sc_cfg_get_listen(const config_setting_t *grp, const char *name, const char *dflt, uint16_t default_port,
		      int type, struct sc_sockaddr *out, bool *is_dflt, struct sc_cfg_err *err);
/* Refuse a listen address written at s that this host can never listen
 * on: [::1] or [::] where it has no IPv6. The message names the file and
 * line and the IPv4 address to write instead. Other addresses are left to
 * the listener (a config may be checked on another host than its own).
 * Returns 0 or -EINVAL. */
int sc_cfg_check_listen(const config_setting_t *s, const struct sc_sockaddr *a, int type,
			struct sc_cfg_err *err);

/* The HTTP limits of a daemon's group (sc_guard.h), the same keys in every
 * daemon: connection_limit (read only when conns_max is not 0, and at most
 * that), per_address_limit (0: none), request_timeout_ms, idle_timeout_s.
 * Each defaults to what *lim holds; keep_ns is left alone. The caller
 * checks the group's keys. Returns 0 or -EINVAL. */
int sc_cfg_get_http_limits(const config_setting_t *grp, unsigned conns_max, struct sc_guard_limits *lim,
			   struct sc_cfg_err *err);

/* Refuse settings of grp not named in known (NULL-terminated): a typo in a
 * key would otherwise silently fall back to a default. Returns 0 or
 * -EINVAL naming the first unknown one. */
int sc_cfg_check_keys(const config_setting_t *grp, const char *const *known,
		      struct sc_cfg_err *err);

/* Secrets (sc_cfg_secret.c): admin tokens, enrolment credentials, keys.
 *
 * The shortest secret accepted, and the advice given with a refusal. */
#define SC_SECRET_MIN 24
#define SC_SECRET_ADVICE "generate one with `openssl rand -hex 32`"

/* Whether value may serve as a secret: at least SC_SECRET_MIN printable
 * ASCII characters without spaces, no placeholder ("CHANGE-ME", "changeme",
 * "secret", "password", ...: case and separators do not matter), not made
 * of a handful of characters ("xxxx...", "0000..."). Returns 0, or -EINVAL
 * with why set to the reason, worded to follow a setting's name ("is too
 * short ..."); the value itself is never copied into why. */
int sc_cfg_secret_check(const char *value, char *why, size_t len);

/* A secret given either inline as grp's setting name, or as the one line
 * of the file named by name_file (a relative path is taken from the folder
 * of the config file that names it; a final newline is dropped). Both at
 * once is an error. Copies the secret into dst (len bytes, dst "" when
 * none) and checks it with sc_cfg_secret_check(). hint says where the
 * right value comes from; it ends every message about a missing, empty or
 * weak secret (NULL: SC_SECRET_ADVICE). When required is false, an absent
 * setting, a missing file and an empty file all mean "no secret" (dst "",
 * 0); otherwise each is an error (-ENOENT for an absent setting, -EINVAL
 * else). Returns 0 or a negative errno with err naming file and line. */
int sc_cfg_get_secret(const config_setting_t *grp, const char *name, bool required,
		      const char *hint, char *dst, size_t len, struct sc_cfg_err *err);

/* Report a problem found by the caller about setting s (which may be a
 * group) with the same "file:line: " prefix. Returns -EINVAL. */
int sc_cfg_fail(const config_setting_t *s, struct sc_cfg_err *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
