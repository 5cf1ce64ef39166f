/* sc_cfg: typed, located access to libconfig settings. See sc_cfg.h. */
#include "config.h"

#include "sc_cfg.h"

#include "sc_listen.h"

#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sc_cfg {
	config_t cfg;
	char *name;     /* the file, or the stand-in name of a string */
	char *incdir;   /* folder for @include, owned */
};

static void set_err(struct sc_cfg_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_err(struct sc_cfg_err *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

static int load_common(sc_cfg *c, int ok, sc_cfg **out, struct sc_cfg_err *err)
{
	config_setting_set_hook(config_root_setting(&c->cfg), c);
	if (!ok) {
		int io = config_error_type(&c->cfg) == CONFIG_ERR_FILE_IO;
		const char *file = config_error_file(&c->cfg);

		if (io) {
			int e = errno ? errno : EIO;

			set_err(err, "%s: cannot read: %s", c->name, strerror(e));
			sc_cfg_free(c);
			return -e;
		}
		set_err(err, "%s:%d: %s", file ? file : c->name, config_error_line(&c->cfg),
			config_error_text(&c->cfg));
		sc_cfg_free(c);
		return -EINVAL;
	}
	*out = c;
	return 0;
}

static sc_cfg *cfg_alloc(const char *name)
{
	sc_cfg *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	config_init(&c->cfg);
	c->name = strdup(name ? name : "(config)");
	if (!c->name) {
		sc_cfg_free(c);
		return NULL;
	}
	return c;
}

int sc_cfg_load(const char *path, sc_cfg **out, struct sc_cfg_err *err)
{
	sc_cfg *c;
	char *tmp;

	*out = NULL;
	c = cfg_alloc(path);
	if (!c) {
		set_err(err, "%s: out of memory", path);
		return -ENOMEM;
	}
	tmp = strdup(path);
	c->incdir = tmp ? strdup(dirname(tmp)) : NULL;
	free(tmp);
	if (c->incdir)
		config_set_include_dir(&c->cfg, c->incdir);
	errno = 0;
	return load_common(c, config_read_file(&c->cfg, path) == CONFIG_TRUE, out, err);
}

int sc_cfg_load_string(const char *text, const char *name, sc_cfg **out, struct sc_cfg_err *err)
{
	sc_cfg *c = cfg_alloc(name);

	*out = NULL;
	if (!c) {
		set_err(err, "%s: out of memory", name ? name : "(config)");
		return -ENOMEM;
	}
	errno = 0;
	return load_common(c, config_read_string(&c->cfg, text) == CONFIG_TRUE, out, err);
}

void sc_cfg_free(sc_cfg *c)
{
	if (!c)
		return;
	config_destroy(&c->cfg);
	free(c->name);
	free(c->incdir);
	free(c);
}

config_setting_t *sc_cfg_root(const sc_cfg *c)
{
	return config_root_setting(&c->cfg);
}

/* "file:line: " for a setting; settings parsed from a string have no file
 * of their own, so the handle's stand-in name is used. */
static void where(const config_setting_t *s, char *buf, size_t len)
{
	const char *file = s ? config_setting_source_file(s) : NULL;
	unsigned line = s ? config_setting_source_line(s) : 0;
	const sc_cfg *c = NULL;

	if (!file && s) {
		const config_setting_t *root = s;

		while (config_setting_parent(root))
			root = config_setting_parent(root);
		c = config_setting_get_hook(root);
		file = c ? c->name : NULL;
	}
	if (line)
		snprintf(buf, len, "%s:%u: ", file ? file : "(config)", line);
	else
		snprintf(buf, len, "%s: ", file ? file : "(config)");
}

__attribute__((format(printf, 3, 0)))
static int vfail(const config_setting_t *s, struct sc_cfg_err *err, const char *fmt, va_list ap)
{
	char loc[300], msg[400];

	where(s, loc, sizeof(loc));
	vsnprintf(msg, sizeof(msg), fmt, ap);
	set_err(err, "%s%s", loc, msg);
	return -EINVAL;
}

int sc_cfg_fail(const config_setting_t *s, struct sc_cfg_err *err, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vfail(s, err, fmt, ap);
	va_end(ap);
	return rc;
}

/* The name a setting goes by in messages: "group.name" or "name". */
static const char *path_of(const config_setting_t *grp, const char *name, char *buf, size_t len)
{
	const char *g = grp ? config_setting_name(grp) : NULL;

	if (g)
		snprintf(buf, len, "%s.%s", g, name);
	else
		snprintf(buf, len, "%s", name);
	return buf;
}

int sc_cfg_get_section(const config_setting_t *grp, const char *name, int type,
		       config_setting_t **out, struct sc_cfg_err *err)
{
	config_setting_t *s = grp ? config_setting_get_member(grp, name) : NULL;
	char p[128];

	*out = NULL;
	if (!s)
		return 0;
	if (config_setting_type(s) != type)
		return sc_cfg_fail(s, err, "'%s' must be a %s", path_of(grp, name, p, sizeof(p)),
				   type == CONFIG_TYPE_GROUP ? "group { ... }" : "list ( ... )");
	*out = s;
	return 0;
}

int sc_cfg_get_int(const config_setting_t *grp, const char *name, long long min, long long max,
		   long long dflt, long long *out, struct sc_cfg_err *err)
{
	config_setting_t *s = grp ? config_setting_get_member(grp, name) : NULL;
	char p[128];
	long long v;
	int t;

	*out = dflt;
	if (!s)
		return 0;
	t = config_setting_type(s);
	if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
		return sc_cfg_fail(s, err, "'%s' must be an integer", path_of(grp, name, p, sizeof(p)));
	v = config_setting_get_int64(s);
	if (v < min || v > max)
		return sc_cfg_fail(s, err, "'%s' is %lld, must be between %lld and %lld",
				   path_of(grp, name, p, sizeof(p)), v, min, max);
	*out = v;
	return 0;
}

int sc_cfg_get_http_limits(const config_setting_t *grp, unsigned conns_max, struct sc_guard_limits *lim,
			   struct sc_cfg_err *err)
{
	long long conns = lim->max_conns, per, req, idle;
	int rc;

	if ((conns_max && (rc = sc_cfg_get_int(grp, "connection_limit", 16, conns_max, lim->max_conns, &conns,
					      err)) < 0) ||
	    (rc = sc_cfg_get_int(grp, "per_address_limit", 0, 1000000, lim->per_addr, &per, err)) < 0 ||
	    (rc = sc_cfg_get_int(grp, "request_timeout_ms", 100, 600000,
				 (long long)(lim->request_ns / SC_NS_PER_MS), &req, err)) < 0 ||
	    (rc = sc_cfg_get_int(grp, "idle_timeout_s", 1, 3600, (long long)(lim->idle_ns / SC_NS_PER_S), &idle,
				 err)) < 0)
		return rc;
	lim->max_conns = (unsigned)conns;
	lim->per_addr = (unsigned)per;
	lim->request_ns = (uint64_t)req * SC_NS_PER_MS;
	lim->idle_ns = (uint64_t)idle * SC_NS_PER_S;
	return 0;
}

int sc_cfg_get_float(const config_setting_t *grp, const char *name, double min, double max,
		     double dflt, double *out, struct sc_cfg_err *err)
{
	config_setting_t *s = grp ? config_setting_get_member(grp, name) : NULL;
	char p[128];
	double v;
	int t;

	*out = dflt;
	if (!s)
		return 0;
	t = config_setting_type(s);
	if (t == CONFIG_TYPE_FLOAT)
		v = config_setting_get_float(s);
	else if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64)
		v = (double)config_setting_get_int64(s);
	else
		return sc_cfg_fail(s, err, "'%s' must be a number", path_of(grp, name, p, sizeof(p)));
	if (!(v >= min && v <= max))
		return sc_cfg_fail(s, err, "'%s' is %g, must be between %g and %g",
				   path_of(grp, name, p, sizeof(p)), v, min, max);
	*out = v;
	return 0;
}

int sc_cfg_get_bool(const config_setting_t *grp, const char *name, bool dflt, bool *out,
		    struct sc_cfg_err *err)
{
	config_setting_t *s = grp ? config_setting_get_member(grp, name) : NULL;
	char p[128];

	*out = dflt;
	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return sc_cfg_fail(s, err, "'%s' must be true or false", path_of(grp, name, p, sizeof(p)));
	*out = config_setting_get_bool(s) != 0;
	return 0;
}

int sc_cfg_get_string(const config_setting_t *grp, const char *name, const char *dflt,
		      const char **out, struct sc_cfg_err *err)
{
	config_setting_t *s = grp ? config_setting_get_member(grp, name) : NULL;
	char p[128];

	*out = dflt;
	if (!s) {
		if (dflt)
			return 0;
		sc_cfg_fail(grp, err, "'%s' is required", path_of(grp, name, p, sizeof(p)));
		return -ENOENT;
	}
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return sc_cfg_fail(s, err, "'%s' must be a string in double quotes",
				   path_of(grp, name, p, sizeof(p)));
	*out = config_setting_get_string(s);
	return 0;
}

int sc_cfg_get_enum(const config_setting_t *grp, const char *name, const char *const *choices,
		    int dflt, int *out, struct sc_cfg_err *err)
{
	config_setting_t *s = grp ? config_setting_get_member(grp, name) : NULL;
	char p[128], list[256] = "";
	const char *v;
	size_t n = 0;
	int rc;

	*out = dflt;
	if (!s)
		return 0;
	rc = sc_cfg_get_string(grp, name, "", &v, err);
	if (rc < 0)
		return rc;
	for (int i = 0; choices[i]; i++) {
		if (strcmp(v, choices[i]) == 0) {
			*out = i;
			return 0;
		}
		n += (size_t)snprintf(list + n, n < sizeof(list) ? sizeof(list) - n : 0, "%s\"%s\"",
				      i ? ", " : "", choices[i]);
		if (n >= sizeof(list))
			n = sizeof(list) - 1;
	}
	return sc_cfg_fail(s, err, "'%s' is \"%s\", must be one of %s",
			   path_of(grp, name, p, sizeof(p)), v, list);
}

int sc_cfg_get_addr(const config_setting_t *grp, const char *name, const char *dflt,
		    uint16_t default_port, struct sc_sockaddr *out, struct sc_cfg_err *err)
{
	config_setting_t *s = grp ? config_setting_get_member(grp, name) : NULL;
	const char *text;
	char p[128];
	int rc;

	rc = sc_cfg_get_string(grp, name, dflt, &text, err);
	if (rc < 0)
		return rc;
	rc = sc_addr_parse(text, default_port, out);
	if (rc == -ENODEV)
		return sc_cfg_fail(s, err, "'%s': \"%s\" names an interface that does not exist",
				   path_of(grp, name, p, sizeof(p)), text);
	if (rc < 0)
		return sc_cfg_fail(s, err,
				   "'%s': \"%s\" is not an address (forms: \"[2001:db8::1]:5000\", "
				   "\"192.0.2.1:5000\")", path_of(grp, name, p, sizeof(p)), text);
	return 0;
}

/* Refuse at s (named label in the message) a listen address the host can
 * never listen on; see sc_cfg_check_listen(). */
static int check_listen(const config_setting_t *s, const char *label, const struct sc_sockaddr *a, int type,
			struct sc_cfg_err *err)
{
	char text[SC_ADDR_STRLEN], v4[SC_ADDR_STRLEN];
	struct sc_sockaddr alt;
	int rc;

	if (sc_addr_ipv4_standin(a, &alt) < 0 || !sc_af_missing(rc = sc_listen_probe(a, type)))
		return 0;
	sc_addr_format(a, true, text, sizeof(text));
	sc_addr_format(&alt, true, v4, sizeof(v4));
	return sc_cfg_fail(s, err, "'%s': this host has no IPv6 for %s (%s): write \"%s\" instead, or leave "
			   "the setting out (its default takes IPv4 where IPv6 is missing)", label, text,
			   strerror(-rc), v4);
}

int sc_cfg_check_listen(const config_setting_t *s, const struct sc_sockaddr *a, int type,
			struct sc_cfg_err *err)
{
	const config_setting_t *named = s;

	/* An element of a list has no name of its own: its list's. */
	while (named && !config_setting_name(named))
		named = config_setting_parent(named);
	return check_listen(s, named ? config_setting_name(named) : "listen", a, type, err);
}

int sc_cfg_get_listen(const config_setting_t *grp, const char *name, const char *dflt, uint16_t default_port,
		      int type, struct sc_sockaddr *out, bool *is_dflt, struct sc_cfg_err *err)
{
	config_setting_t *s = grp ? config_setting_get_member(grp, name) : NULL;
	const char *text;
	char p[128];
	int rc;

	memset(out, 0, sizeof(*out));
	if (is_dflt)
		*is_dflt = !s;
	if ((rc = sc_cfg_get_string(grp, name, dflt, &text, err)) < 0 || !*text)
		return rc;
	if ((rc = sc_cfg_get_addr(grp, name, dflt, default_port, out, err)) < 0)
		return rc;
	return s ? check_listen(s, path_of(grp, name, p, sizeof(p)), out, type, err) : 0;
}

int sc_cfg_check_keys(const config_setting_t *grp, const char *const *known, struct sc_cfg_err *err)
{
	int n = grp ? config_setting_length(grp) : 0;

	if (!grp || config_setting_type(grp) != CONFIG_TYPE_GROUP)
		return 0;
	for (int i = 0; i < n; i++) {
		config_setting_t *s = config_setting_get_elem(grp, (unsigned)i);
		const char *name = config_setting_name(s);
		bool ok = false;

		for (int k = 0; known[k] && !ok; k++)
			ok = strcmp(name, known[k]) == 0;
		if (!ok) {
			const char *g = config_setting_name(grp);

			return sc_cfg_fail(s, err, "unknown setting '%s'%s%s", name, g ? " in " : "", g ? g : "");
		}
	}
	return 0;
}
