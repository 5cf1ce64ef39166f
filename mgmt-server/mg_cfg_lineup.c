/* mg_cfg_lineup: the config file's initial line-up (metros with their
 * prefixes, channels). Part of mg_cfg. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mg_cfg.h"

static int read_prefixes(config_setting_t *m, struct mg_metro_def *d, struct sc_cfg_err *err)
{
	config_setting_t *l = config_setting_get_member(m, "prefixes");
	int n;

	if (!l)
		return 0;
	if (config_setting_type(l) != CONFIG_TYPE_ARRAY && config_setting_type(l) != CONFIG_TYPE_LIST)
		return sc_cfg_fail(l, err, "'prefixes' must be a list of strings: [ \"2001:db8:1::/48\" ]");
	n = config_setting_length(l);
	if (n > MG_PREFIX_MAX)
		return sc_cfg_fail(l, err, "at most %d prefixes per metro", MG_PREFIX_MAX);
	for (int i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(l, (unsigned)i);
		const char *t = config_setting_get_string(e);

		if (!t || sc_prefix_parse(t, &d->prefix[i]) < 0)
			return sc_cfg_fail(e, err, "\"%s\" is not a prefix (\"2001:db8:1::/48\", "
					   "\"10.1.0.0/16\"; host bits must be zero)", t ? t : "?");
		d->nprefix++;
	}
	return 0;
}

static int read_metro(config_setting_t *m, struct mg_metro_def *d, struct sc_cfg_err *err)
{
	static const char *const keys[] = { "id", "name", "prefixes", NULL };
	const char *name;
	char why[200];
	long long id;
	int rc;

	if (config_setting_type(m) != CONFIG_TYPE_GROUP)
		return sc_cfg_fail(m, err, "a metro is a group { id; name; prefixes; }");
	if ((rc = sc_cfg_check_keys(m, keys, err)) < 0 ||
	    (rc = sc_cfg_get_int(m, "id", 1, UINT32_MAX, 0, &id, err)) < 0 ||
	    (rc = sc_cfg_get_string(m, "name", NULL, &name, err)) < 0)
		return rc == -ENOENT ? -EINVAL : rc;
	if (!id)
		return sc_cfg_fail(m, err, "a metro needs an id (1 or more)");
	d->id = (uint32_t)id;
	if (strlen(name) >= sizeof(d->name))
		return sc_cfg_fail(m, err, "metro name is too long");
	strcpy(d->name, name);
	if ((rc = read_prefixes(m, d, err)) < 0)
		return rc;
	if (mg_metro_check(d, why, sizeof(why)) < 0)
		return sc_cfg_fail(m, err, "metro %u: %s", d->id, why);
	return 0;
}

static int get_group(config_setting_t *ch, const char *name, int family, struct sc_sockaddr *a,
		     struct sc_cfg_err *err)
{
	config_setting_t *s = config_setting_get_member(ch, name);
	const char *t;
	int rc;

	if (!s)
		return 0;
	if ((rc = sc_cfg_get_string(ch, name, "", &t, err)) < 0)
		return rc;
	memset(a, 0, sizeof(*a));
	if (!*t)
		return 0; /* "" turns a default group off */
	if (sc_addr_parse(t, 0, a) < 0 || sc_addr_family(a) != family)
		return sc_cfg_fail(s, err, "'%s': \"%s\" is not an IPv%d address", name, t,
				   family == AF_INET6 ? 6 : 4);
	return 0;
}

static int read_channel_opts(config_setting_t *ch, struct mg_chan_def *d, struct sc_cfg_err *err)
{
	const char *url;
	long long v;
	int rc;

	if ((rc = sc_cfg_get_int(ch, "port", 1, 65535, MG_CHANNEL_PORT, &v, err)) < 0)
		return rc;
	d->port = (uint16_t)v;
	if ((rc = get_group(ch, "group6", AF_INET6, &d->group6, err)) < 0 ||
	    (rc = get_group(ch, "group4", AF_INET, &d->group4, err)) < 0 ||
	    (rc = get_group(ch, "source6", AF_INET6, &d->source6, err)) < 0 ||
	    (rc = get_group(ch, "source4", AF_INET, &d->source4, err)) < 0 ||
	    (rc = sc_cfg_get_string(ch, "sdp_url", "", &url, err)) < 0 ||
	    (rc = sc_cfg_get_int(ch, "direct_max", 0, 1000000, 0, &v, err)) < 0)
		return rc;
	d->direct_max = (unsigned)v;
	if (strlen(url) >= sizeof(d->sdp_url))
		return sc_cfg_fail(ch, err, "sdp_url is too long");
	strcpy(d->sdp_url, url);
	if (d->group6.len)
		sc_addr_set_port(&d->group6, d->port);
	if (d->group4.len)
		sc_addr_set_port(&d->group4, d->port);
	return sc_cfg_get_bool(ch, "enabled", true, &d->enabled, err);
}

static int read_channel(config_setting_t *ch, struct mg_chan_def *d, struct sc_cfg_err *err)
{
	static const char *const keys[] = { "id", "name", "group6", "group4", "port", "source6",
					    "source4", "sdp_url", "direct_max", "enabled", NULL };
	const char *name;
	char why[200];
	long long id;
	int rc;

	if (config_setting_type(ch) != CONFIG_TYPE_GROUP)
		return sc_cfg_fail(ch, err, "a channel is a group { id; name; ... }");
	if ((rc = sc_cfg_check_keys(ch, keys, err)) < 0 ||
	    (rc = sc_cfg_get_int(ch, "id", 1, UINT32_MAX, 0, &id, err)) < 0 ||
	    (rc = sc_cfg_get_string(ch, "name", NULL, &name, err)) < 0)
		return rc == -ENOENT ? -EINVAL : rc;
	if (!id)
		return sc_cfg_fail(ch, err, "a channel needs an id (1 or more)");
	if (strlen(name) >= MG_NAME_MAX)
		return sc_cfg_fail(ch, err, "channel name is too long");
	mg_chan_default(d, (uint32_t)id, name);
	if ((rc = read_channel_opts(ch, d, err)) < 0)
		return rc;
	if (mg_chan_check(d, why, sizeof(why)) < 0)
		return sc_cfg_fail(ch, err, "channel %u: %s", d->id, why);
	return 0;
}

static int read_metros(config_setting_t *l, struct mg_config *c, struct sc_cfg_err *err)
{
	const struct mg_metro_def **ptr;
	struct mg_metro_table t = { 0 };
	int n = l ? config_setting_length(l) : 0, rc = 0;
	char why[200];

	c->lineup.metro = calloc((size_t)n + 1, sizeof(*c->lineup.metro));
	ptr = calloc((size_t)n + 1, sizeof(*ptr));
	if (!c->lineup.metro || !ptr) {
		free(ptr);
		return -ENOMEM;
	}
	for (int i = 0; i < n && rc == 0; i++) {
		config_setting_t *m = config_setting_get_elem(l, (unsigned)i);
		struct mg_metro_def *d = &c->lineup.metro[i];

		rc = read_metro(m, d, err);
		for (int j = 0; j < i && rc == 0; j++)
			if (c->lineup.metro[j].id == d->id || !strcmp(c->lineup.metro[j].name, d->name))
				rc = sc_cfg_fail(m, err, "metro %u \"%s\" repeats an id or a name", d->id,
						 d->name);
		ptr[i] = d;
		c->lineup.nmetro++;
	}
	if (rc == 0 && mg_metro_table_build(&t, ptr, (size_t)n, why, sizeof(why)) < 0)
		rc = sc_cfg_fail(l, err, "%s", why);
	mg_metro_table_free(&t);
	free(ptr);
	return rc;
}

static int read_channels(config_setting_t *l, struct mg_config *c, struct sc_cfg_err *err)
{
	int n = l ? config_setting_length(l) : 0, rc = 0;

	c->lineup.chan = calloc((size_t)n + 1, sizeof(*c->lineup.chan));
	if (!c->lineup.chan)
		return -ENOMEM;
	for (int i = 0; i < n && rc == 0; i++) {
		config_setting_t *ch = config_setting_get_elem(l, (unsigned)i);
		struct mg_chan_def *d = &c->lineup.chan[i];

		rc = read_channel(ch, d, err);
		for (int j = 0; j < i && rc == 0; j++)
			if (c->lineup.chan[j].id == d->id)
				rc = sc_cfg_fail(ch, err, "channel id %u is used twice", d->id);
		c->lineup.nchan++;
	}
	return rc;
}

int mg_cfg_read_lineup(const config_setting_t *root, struct mg_config *c, struct sc_cfg_err *err)
{
	static const char *const keys[] = { "mode", "metros", "channels", NULL };
	static const char *const modes[] = { "seed", "file", NULL };
	config_setting_t *s, *metros = NULL, *chans = NULL;
	int rc, mode;

	if ((rc = sc_cfg_get_section(root, "lineup", CONFIG_TYPE_GROUP, &s, err)) < 0 ||
	    (rc = sc_cfg_check_keys(s, keys, err)) < 0 ||
	    (rc = sc_cfg_get_enum(s, "mode", modes, 0, &mode, err)) < 0 ||
	    (rc = sc_cfg_get_section(s, "metros", CONFIG_TYPE_LIST, &metros, err)) < 0 ||
	    (rc = sc_cfg_get_section(s, "channels", CONFIG_TYPE_LIST, &chans, err)) < 0)
		return rc;
	c->lineup.mode = (enum mg_lineup_mode)mode;
	if ((rc = read_metros(metros, c, err)) < 0)
		return rc;
	return read_channels(chans, c, err);
}
