/* ctl_opts: sixcastctl's argument parsing and typed JSON fields. See
 * ctl_opts.h. */
#include "config.h"

#include "ctl_opts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sc_cfg.h"

int ctl_opt_index(const struct ctl_opt *spec, const char *name)
{
	for (int i = 0; spec && spec[i].name; i++)
		if (strcmp(spec[i].name, name) == 0)
			return i;
	return -1;
}

const char *ctl_arg(const struct ctl_opt *spec, const struct ctl_args *a, const char *name)
{
	int i = ctl_opt_index(spec, name);

	return i < 0 ? NULL : a->val[i];
}

bool ctl_has(const struct ctl_opt *spec, const struct ctl_args *a, const char *name)
{
	int i = ctl_opt_index(spec, name);

	return i >= 0 && a->count[i] > 0;
}

/* One "--name[=value]" at argv[*i]; may consume the next argument. */
static int parse_long(const struct ctl_opt *spec, int argc, char *const *argv, int *i,
		      struct ctl_args *out, char *err, size_t errlen)
{
	const char *arg = argv[*i] + 2, *eq = strchr(arg, '=');
	size_t n = eq ? (size_t)(eq - arg) : strlen(arg);
	const char *value = eq ? eq + 1 : NULL;
	char name[64];
	int k;

	if (n >= sizeof(name)) {
		snprintf(err, errlen, "unknown option --%.40s...", arg);
		return -EINVAL;
	}
	memcpy(name, arg, n);
	name[n] = '\0';
	if (strcmp(name, "help") == 0 || strcmp(name, "json") == 0) {
		if (value) {
			snprintf(err, errlen, "--%s takes no value", name);
			return -EINVAL;
		}
		if (name[0] == 'h')
			out->help = true;
		else
			out->json = true;
		return 0;
	}
	k = ctl_opt_index(spec, name);
	if (k < 0) {
		snprintf(err, errlen, "unknown option --%s", name);
		return -EINVAL;
	}
	if (spec[k].kind == CTL_FLAG) {
		if (value) {
			snprintf(err, errlen, "--%s takes no value", name);
			return -EINVAL;
		}
		out->count[k]++;
		out->val[k] = "1";
		return 0;
	}
	if (!value) {
		if (*i + 1 >= argc) {
			snprintf(err, errlen, "--%s needs a value", name);
			return -EINVAL;
		}
		value = argv[++*i];
	}
	out->count[k]++;
	out->val[k] = value;
	if (spec[k].kind == CTL_MULTI) {
		if (out->nmulti >= CTL_MAX_VALUES) {
			snprintf(err, errlen, "--%s given too often", name);
			return -EINVAL;
		}
		out->multi_of[out->nmulti] = (unsigned)k;
		out->multi[out->nmulti++] = value;
	}
	return 0;
}

int ctl_args_parse(const struct ctl_opt *spec, int argc, char *const *argv, struct ctl_args *out,
		   char *err, size_t errlen)
{
	bool opts = true;
	int rc;

	memset(out, 0, sizeof(*out));
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (opts && strcmp(a, "--") == 0) {
			opts = false;
		} else if (opts && strcmp(a, "-h") == 0) {
			out->help = true;
		} else if (opts && a[0] == '-' && a[1] == '-') {
			rc = parse_long(spec, argc, argv, &i, out, err, errlen);
			if (rc < 0)
				return rc;
		} else if (opts && a[0] == '-' && a[1] != '\0') {
			snprintf(err, errlen, "unknown option %s", a);
			return -EINVAL;
		} else {
			if (out->npos >= CTL_MAX_POS) {
				snprintf(err, errlen, "too many arguments");
				return -EINVAL;
			}
			out->pos[out->npos++] = a;
		}
	}
	return 0;
}

int ctl_parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int ctl_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1", "y", NULL };
	static const char *const no[] = { "no", "false", "off", "0", "n", NULL };

	for (int i = 0; s && yes[i]; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

/* Append the comma-separated items of s to arr ("" adds nothing). */
static void append_items(json_t *arr, const char *s)
{
	while (*s) {
		const char *comma = strchr(s, ',');
		size_t n = comma ? (size_t)(comma - s) : strlen(s);

		while (n && (*s == ' ')) {
			s++;
			n--;
		}
		while (n && s[n - 1] == ' ')
			n--;
		if (n)
			json_array_append_new(arr, json_stringn(s, n));
		if (!comma)
			break;
		s = comma + 1;
	}
}

static json_t *list_field(const struct ctl_opt *o, const struct ctl_args *a, int k)
{
	json_t *arr = json_array();

	if (arr && o->kind != CTL_MULTI) {
		append_items(arr, a->val[k]);
		return arr;
	}
	for (unsigned m = 0; arr && m < a->nmulti; m++)
		if (a->multi_of[m] == (unsigned)k)
			append_items(arr, a->multi[m]);
	return arr;
}

static json_t *typed_value(const struct ctl_opt *o, const struct ctl_args *a, int k, char *err,
			   size_t errlen)
{
	const char *v = a->val[k];
	unsigned long long u;
	bool b;

	switch (o->jtype) {
	case CTL_J_STR:
		return json_string(v);
	case CTL_J_STR_NULL:
		if (!*v || strcasecmp(v, "none") == 0 || strcasecmp(v, "null") == 0)
			return json_null();
		return json_string(v);
	case CTL_J_UINT:
		if (ctl_parse_uint(v, 0xffffffffULL, &u) == 0)
			return json_integer((json_int_t)u);
		snprintf(err, errlen, "--%s: \"%s\" is not a whole number", o->name, v);
		return NULL;
	case CTL_J_BOOL:
		if (o->kind == CTL_FLAG)
			return json_true();
		if (ctl_parse_bool(v, &b) == 0)
			return json_boolean(b);
		snprintf(err, errlen, "--%s: \"%s\" is not yes or no", o->name, v);
		return NULL;
	case CTL_J_LIST:
		return list_field(o, a, k);
	case CTL_J_NONE:
		break;
	}
	snprintf(err, errlen, "--%s: no JSON type", o->name);
	return NULL;
}

int ctl_opts_to_json(const struct ctl_opt *spec, const struct ctl_args *a, json_t *obj, char *err,
		     size_t errlen)
{
	int n = 0;

	for (int k = 0; spec && spec[k].name; k++) {
		json_t *v;

		if (spec[k].jtype == CTL_J_NONE || !spec[k].field || !a->count[k])
			continue;
		v = typed_value(&spec[k], a, k, err, errlen);
		if (!v)
			return -EINVAL;
		json_object_set_new(obj, spec[k].field, v);
		n++;
	}
	return n;
}

int ctl_url_normalise(const char *in, char *out, size_t outlen)
{
	size_t n, host;
	int w;

	if (!in || !*in)
		return -EINVAL;
	if (strstr(in, "://")) {
		if (strncasecmp(in, "http://", 7) != 0 && strncasecmp(in, "https://", 8) != 0)
			return -EINVAL;
		w = snprintf(out, outlen, "%s", in);
	} else {
		w = snprintf(out, outlen, "http://%s", in);
	}
	if (w < 0 || (size_t)w >= outlen)
		return -EINVAL;
	host = (size_t)(strstr(out, "://") - out) + 3;
	n = strlen(out);
	while (n > host && out[n - 1] == '/')
		out[--n] = '\0';
	if (n >= host + 7 && strcmp(out + n - 7, "/api/v1") == 0)
		out[n -= 7] = '\0';
	while (n > host && out[n - 1] == '/')
		out[--n] = '\0';
	return n > host ? 0 : -EINVAL;
}

static int copy_setting(char *dst, size_t len, const char *src, const config_setting_t *root,
			const char *name, struct sc_cfg_err *e)
{
	if (dst[0] || !src)
		return 0;
	if (strlen(src) >= len)
		return sc_cfg_fail(config_setting_get_member(root, name), e, "%s is too long", name);
	snprintf(dst, len, "%s", src);
	return 0;
}

int ctl_conn_from_config(struct ctl_conn *conn, const char *text, const char *name, char *err,
			 size_t errlen)
{
	static const char *const known[] = { "url", "token", "cacert", "insecure", "timeout_s", NULL };
	const char *url = NULL, *token = NULL, *cacert = NULL;
	struct sc_cfg_err e = { "" };
	char norm[sizeof(conn->url)];
	config_setting_t *root;
	long long timeout;
	sc_cfg *cfg = NULL;
	bool insecure;
	int rc;

	rc = sc_cfg_load_string(text, name, &cfg, &e);
	if (rc < 0)
		goto out;
	root = sc_cfg_root(cfg);
	if ((rc = sc_cfg_check_keys(root, known, &e)) < 0 ||
	    (rc = sc_cfg_get_string(root, "url", "", &url, &e)) < 0 ||
	    (rc = sc_cfg_get_string(root, "token", "", &token, &e)) < 0 ||
	    (rc = sc_cfg_get_string(root, "cacert", "", &cacert, &e)) < 0 ||
	    (rc = sc_cfg_get_bool(root, "insecure", false, &insecure, &e)) < 0 ||
	    (rc = sc_cfg_get_int(root, "timeout_s", 1, 3600, 0, &timeout, &e)) < 0)
		goto out;
	if (*url && !conn->url[0]) {
		if (ctl_url_normalise(url, norm, sizeof(norm)) < 0) {
			rc = sc_cfg_fail(config_setting_get_member(root, "url"), &e,
					 "url must be http(s)://host[:port]");
			goto out;
		}
		snprintf(conn->url, sizeof(conn->url), "%s", norm);
	}
	if ((rc = copy_setting(conn->token, sizeof(conn->token), *token ? token : NULL, root, "token",
			       &e)) < 0 ||
	    (rc = copy_setting(conn->cacert, sizeof(conn->cacert), *cacert ? cacert : NULL, root,
			       "cacert", &e)) < 0)
		goto out;
	conn->insecure = conn->insecure || insecure;
	if (!conn->timeout_s && timeout)
		conn->timeout_s = (unsigned)timeout;
out:
	if (rc < 0)
		snprintf(err, errlen, "%s", e.msg);
	sc_cfg_free(cfg);
	return rc;
}
