/* ctl_cmds: sixcastctl's shared output helpers and the line-up commands
 * (status, channels, metros). Each command maps to one or two calls of
 * docs/api.md and prints a table, a key/value list, or the raw JSON. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "ctl_table.h"

long long ctl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int ctl_print_json(const json_t *j)
{
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	return CTL_OK;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);

	return n >= m && strcmp(s + n - m, tail) == 0;
}

/* A scalar or list as text, with the formats its key suggests. */
static void value_text(const char *key, const json_t *v, char *buf, size_t len)
{
	char t[64], a[32];

	if (json_is_null(v) || !v) {
		snprintf(buf, len, "-");
	} else if (json_is_string(v)) {
		snprintf(buf, len, "%s", json_string_value(v));
	} else if (json_is_boolean(v)) {
		snprintf(buf, len, "%s", json_is_true(v) ? "yes" : "no");
	} else if (json_is_integer(v) && ends_with(key, "_ms") && json_integer_value(v) > 1000000000000LL) {
		long long ms = json_integer_value(v), now = ctl_now_ms();

		ctl_fmt_time(ms, t, sizeof(t));
		if (ms > now + 1000) { /* to come: a certificate's end */
			ctl_fmt_duration((ms - now) / 1000, a, sizeof(a));
			snprintf(buf, len, "%s UTC (in %s)", t, a);
		} else {
			ctl_fmt_ago(now, ms, a, sizeof(a));
			snprintf(buf, len, "%s UTC (%s%s)", t, a, strcmp(a, "now") ? " ago" : "");
		}
	} else if (json_is_number(v) && (ends_with(key, "_rate") || ends_with(key, "_share"))) {
		ctl_fmt_rate(json_number_value(v), buf, len);
	} else if (json_is_integer(v)) {
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	} else if (json_is_real(v)) {
		snprintf(buf, len, "%g", json_real_value(v));
	} else {
		char *d = json_dumps(v, JSON_COMPACT);

		snprintf(buf, len, "%s", d ? d : "?");
		free(d);
	}
}

/* Arrays of scalars joined with ", ", others as compact JSON. */
static void list_text(const json_t *arr, char *buf, size_t len)
{
	size_t i, off = 0;
	const json_t *v;

	buf[0] = '\0';
	json_array_foreach(arr, i, v) {
		char one[256];

		if (json_is_object(v) || json_is_array(v)) {
			char *d = json_dumps(arr, JSON_COMPACT);

			snprintf(buf, len, "%s", d ? d : "?");
			free(d);
			return;
		}
		value_text("", v, one, sizeof(one));
		off += (size_t)snprintf(buf + off, off < len ? len - off : 0, "%s%s", i ? ", " : "", one);
		if (off >= len)
			return;
	}
	if (!i)
		snprintf(buf, len, "-");
}

static bool skipped(const char *key, const char *const *skip)
{
	for (size_t i = 0; skip && skip[i]; i++)
		if (strcmp(key, skip[i]) == 0)
			return true;
	return false;
}

static void kv_rows(ctl_table *t, const char *prefix, const json_t *obj, const char *const *skip)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		char name[128], text[2048];

		if (skipped(key, skip))
			continue;
		snprintf(name, sizeof(name), "%s%s", prefix, key);
		if (json_is_object(v)) {
			char sub[130];

			snprintf(sub, sizeof(sub), "%s.", name);
			kv_rows(t, sub, v, NULL);
			continue;
		}
		if (json_is_array(v))
			list_text(v, text, sizeof(text));
		else
			value_text(key, v, text, sizeof(text));
		ctl_table_row(t);
		ctl_table_put(t, "%s", name);
		ctl_table_put(t, "%s", text);
	}
}

void ctl_print_kv(const json_t *obj, const char *const *skip)
{
	ctl_table *t = ctl_table_new(2, NULL, "ll");

	if (!t)
		return;
	kv_rows(t, "", obj, skip);
	ctl_table_print(t, stdout);
	ctl_table_free(t);
}

long long ctl_pos_id(const struct ctl *c, const struct ctl_args *a, unsigned i, const char *what)
{
	unsigned long long v;

	if (i >= a->npos || ctl_parse_uint(a->pos[i], 0xffffffffULL, &v) < 0 || v == 0) {
		fprintf(stderr, "%s: %s must be an id (1..4294967295), not \"%s\"\n", c->prog, what,
			i < a->npos ? a->pos[i] : "");
		return -1;
	}
	return (long long)v;
}

unsigned long long ctl_metro_id(struct ctl *c, const char *s, int *rc)
{
	unsigned long long id;
	json_t *list, *m;
	size_t i;

	if (ctl_parse_uint(s, 0xffffffffULL, &id) == 0 && id > 0)
		return id;
	*rc = ctl_call(c, "GET", "/metros", NULL, &list);
	if (*rc != CTL_OK)
		return 0;
	id = 0;
	json_array_foreach(list, i, m)
		if (strcmp(json_string_value(json_object_get(m, "name")) ?: "", s) == 0)
			id = (unsigned long long)json_integer_value(json_object_get(m, "id"));
	json_decref(list);
	if (!id) {
		fprintf(stderr, "%s: no metro \"%s\"\n", c->prog, s);
		*rc = CTL_EAPI;
	}
	return id;
}

/* Typed JSON body from the options; prints a usage error. */
static json_t *body_from(const struct ctl *c, const struct ctl_cmd *cmd, const struct ctl_args *a)
{
	json_t *b = json_object();
	char err[256];

	if (b && ctl_opts_to_json(cmd->opts, a, b, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", c->prog, err);
		json_decref(b);
		return NULL;
	}
	return b;
}

/* Output of an answer that is one record: JSON or key/value. */
static int show(struct ctl *c, json_t *j, const char *const *skip)
{
	if (c->json)
		ctl_print_json(j);
	else
		ctl_print_kv(j, skip);
	json_decref(j);
	return CTL_OK;
}

/* Send a body to path and show the record that comes back. */
static int change(struct ctl *c, const struct ctl_cmd *cmd, const struct ctl_args *a,
		  const char *method, const char *path)
{
	json_t *b = body_from(c, cmd, a), *j;
	int rc;

	if (!b)
		return CTL_EUSAGE;
	if (json_object_size(b) == 0 && strcmp(method, "PATCH") == 0) {
		fprintf(stderr, "%s: nothing to change (see %s %s %s --help)\n", c->prog, c->prog,
			cmd->noun, cmd->verb);
		json_decref(b);
		return CTL_EUSAGE;
	}
	rc = ctl_call(c, method, path, b, &j);
	json_decref(b);
	return rc == CTL_OK ? show(c, j, NULL) : rc;
}

static int get_show(struct ctl *c, const char *path, const char *const *skip)
{
	json_t *j;
	int rc = ctl_call(c, "GET", path, NULL, &j);

	return rc == CTL_OK ? show(c, j, skip) : rc;
}

/* DELETE noun/id and say so. */
static int remove_one(struct ctl *c, const struct ctl_args *a, const char *coll, const char *what)
{
	long long id = ctl_pos_id(c, a, 0, what);
	char path[64];
	json_t *j;
	int rc;

	if (id < 0)
		return CTL_EUSAGE;
	snprintf(path, sizeof(path), "/%s/%lld", coll, id);
	rc = ctl_call(c, "DELETE", path, NULL, &j);
	if (rc != CTL_OK)
		return rc;
	if (c->json)
		ctl_print_json(j);
	else
		printf("%s %lld removed\n", what, id);
	json_decref(j);
	return CTL_OK;
}

static void print_table(ctl_table *t, const char *none)
{
	if (ctl_table_rows(t) == 0)
		printf("(%s)\n", none);
	else
		ctl_table_print(t, stdout);
	ctl_table_free(t);
}

static const char *str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "-";
}

static long long num(const json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

static const char *yn(const json_t *o, const char *k)
{
	return json_is_true(json_object_get(o, k)) ? "yes" : "no";
}

/* --- status --- */

static int cmd_status(struct ctl *c, const struct ctl_cmd *cmd, const struct ctl_args *a)
{
	json_t *st, *sum;
	char up[32], lr[32], rr[32];
	int rc;

	(void)cmd;
	(void)a;
	if ((rc = ctl_call(c, "GET", "/status", NULL, &st)) != CTL_OK)
		return rc;
	if ((rc = ctl_call(c, "GET", "/summary", NULL, &sum)) != CTL_OK) {
		json_decref(st);
		return rc;
	}
	if (c->json) {
		json_t *both = json_pack("{s:O, s:O}", "status", st, "summary", sum);

		ctl_print_json(both);
		json_decref(both);
	} else {
		const json_t *cl = json_object_get(sum, "clients"), *ed = json_object_get(sum, "edges");
		const json_t *gr = json_object_get(sum, "groups"), *rec = json_object_get(sum, "recent");

		printf("server      %s, sixcast %s, up %s, line-up %s\n", c->conn.url, str(st, "version"),
		       ctl_fmt_duration(num(st, "uptime_s"), up, sizeof(up)), str(st, "lineup_mode"));
		printf("clients     %lld registered, %lld live\n", num(cl, "registered"), num(cl, "live"));
		printf("line-up     %lld channels, %lld metros, %lld/%lld edges live\n", num(sum, "channels"),
		       num(sum, "metros"), num(ed, "live"), num(ed, "total"));
		printf("groups      %lld groups, %lld members, %s all-distinct metros\n", num(gr, "groups"),
		       num(gr, "members"),
		       ctl_fmt_rate(json_number_value(json_object_get(gr, "distinct_share")), up, sizeof(up)));
		printf("last 10 s   loss %s, repaired %s, residual %s\n",
		       ctl_fmt_rate(json_number_value(json_object_get(rec, "loss_rate")), lr, sizeof(lr)),
		       ctl_fmt_rate(json_number_value(json_object_get(rec, "repair_rate")), rr, sizeof(rr)),
		       ctl_fmt_rate(json_number_value(json_object_get(rec, "residual_rate")), up, sizeof(up)));
		printf("store       %lld commits, %lld queued, last commit %.2f ms\n",
		       num(json_object_get(st, "store"), "commits"), num(json_object_get(st, "store"), "queued"),
		       json_number_value(json_object_get(json_object_get(st, "store"), "last_commit_ms")));
	}
	json_decref(st);
	json_decref(sum);
	return CTL_OK;
}

static int cmd_whoami(struct ctl *c, const struct ctl_cmd *cmd, const struct ctl_args *a)
{
	(void)cmd;
	(void)a;
	return get_show(c, "/whoami", NULL);
}

static int cmd_reload(struct ctl *c, const struct ctl_cmd *cmd, const struct ctl_args *a)
{
	json_t *j;
	int rc;

	(void)cmd;
	(void)a;
	rc = ctl_call(c, "POST", "/reload", NULL, &j);
	if (rc != CTL_OK)
		return rc;
	if (c->json)
		ctl_print_json(j);
	else
		printf("configuration reloaded\n");
	json_decref(j);
	return CTL_OK;
}

/* --- channels --- */

static int cmd_channels_list(struct ctl *c, const struct ctl_cmd *cmd, const struct ctl_args *a)
{
	static const char *const head[] = { "ID", "NAME", "ON", "GROUP6", "GROUP4", "PORT",
					    "SOURCE6", "VIEWERS", "GROUPS", "DISTINCT", "MESH" };
	json_t *j, *ch;
	ctl_table *t;
	size_t i;
	int rc;

	(void)cmd;
	(void)a;
	if ((rc = ctl_call(c, "GET", "/channels", NULL, &j)) != CTL_OK)
		return rc;
	if (c->json)
		return show(c, j, NULL);
	t = ctl_table_new(11, head, "rllllrlrrrr");
	ctl_table_set_max(t, 1, 24);
	json_array_foreach(j, i, ch) {
		ctl_table_row(t);
		ctl_table_put(t, "%lld", num(ch, "id"));
		ctl_table_put(t, "%s", str(ch, "name"));
		ctl_table_put(t, "%s", yn(ch, "enabled"));
		ctl_table_put(t, "%s", str(ch, "group6"));
		ctl_table_put(t, "%s", str(ch, "group4"));
		ctl_table_put(t, "%lld", num(ch, "port"));
		ctl_table_put(t, "%s", str(ch, "source6"));
		ctl_table_put(t, "%lld", num(ch, "viewers"));
		ctl_table_put(t, "%lld", num(ch, "groups"));
		ctl_table_put(t, "%lld", num(ch, "groups_distinct"));
		ctl_table_put(t, "%lld", num(ch, "mesh_peers"));
	}
	print_table(t, "no channels");
	json_decref(j);
	return CTL_OK;
}

static int cmd_channels_show(struct ctl *c, const struct ctl_cmd *cmd, const struct ctl_args *a)
{
	long long id = ctl_pos_id(c, a, 0, "channel");
	char path[64];

	(void)cmd;
	if (id < 0)
		return CTL_EUSAGE;
	snprintf(path, sizeof(path), "/channels/%lld", id);
	return get_show(c, path, NULL);
}

static int cmd_channels_add(struct ctl *c, const struct ctl_cmd *cmd, const struct ctl_args *a)
{
	if (!ctl_has(cmd->opts, a, "name")) {
		fprintf(stderr, "%s: channels add needs --name\n", c->prog);
		return CTL_EUSAGE;
	}
	return change(c, cmd, a, "POST", "/channels");
}

static int cmd_channels_set(struct ctl *c, const struct ctl_cmd *cmd, const struct ctl_args *a)
{
	long long id = ctl_pos_id(c, a, 0, "channel");
	char path[64];

	if (id < 0)
		return CTL_EUSAGE;
	snprintf(path, sizeof(path), "/channels/%lld", id);
	return change(c, cmd, a, "PATCH", path);
}

static int cmd_channels_rm(struct ctl *c, const struct ctl_cmd *cmd, const struct ctl_args *a)
{
	(void)cmd;
	return remove_one(c, a, "channels", "channel");
}

static int cmd_channels_rebuild(struct ctl *c, const struct ctl_cmd *cmd, const struct ctl_args *a)
{
	long long id = ctl_pos_id(c, a, 0, "channel");
	char path[64], share[32];
	json_t *j;
	int rc;

	(void)cmd;
	if (id < 0)
		return CTL_EUSAGE;
	snprintf(path, sizeof(path), "/channels/%lld/rebuild", id);
	if ((rc = ctl_call(c, "POST", path, NULL, &j)) != CTL_OK)
		return rc;
	if (c->json)
		return show(c, j, NULL);
	printf("channel %lld rebuilt: %lld groups, %lld members, %lld all-distinct (%s)\n", id,
	       num(j, "groups"), num(j, "members"), num(j, "distinct"),
	       ctl_fmt_rate(json_number_value(json_object_get(j, "distinct_share")), share, sizeof(share)));
	json_decref(j);
	return CTL_OK;
}

/* --- metros --- */

static int cmd_metros_list(struct ctl *c, const struct ctl_cmd *cmd, const struct ctl_args *a)
{
	static const char *const head[] = { "ID", "NAME", "LIVE", "SILENT", "OUTAGES", "PREFIXES" };
	json_t *j, *m;
	ctl_table *t;
	size_t i;
	int rc;

	(void)cmd;
	(void)a;
	if ((rc = ctl_call(c, "GET", "/metros", NULL, &j)) != CTL_OK)
		return rc;
	if (c->json)
		return show(c, j, NULL);
	t = ctl_table_new(6, head, "rlrlrl");
	json_array_foreach(j, i, m) {
		char pfx[1024];

		list_text(json_object_get(m, "prefixes"), pfx, sizeof(pfx));
		ctl_table_row(t);
		ctl_table_put(t, "%lld", num(m, "id"));
		ctl_table_put(t, "%s", str(m, "name"));
		ctl_table_put(t, "%lld", num(m, "live"));
		ctl_table_put(t, "%s", yn(m, "silent"));
		ctl_table_put(t, "%lld", num(m, "outages"));
		ctl_table_put(t, "%s", pfx);
	}
	print_table(t, "no metros");
	json_decref(j);
	return CTL_OK;
}

static int cmd_metros_show(struct ctl *c, const struct ctl_cmd *cmd, const struct ctl_args *a)
{
	char path[64];
	unsigned long long id;
	int rc = CTL_OK;

	(void)cmd;
	id = ctl_metro_id(c, a->pos[0], &rc);
	if (!id)
		return rc;
	snprintf(path, sizeof(path), "/metros/%llu", id);
	return get_show(c, path, NULL);
}

static int cmd_metros_add(struct ctl *c, const struct ctl_cmd *cmd, const struct ctl_args *a)
{
	if (!ctl_has(cmd->opts, a, "name")) {
		fprintf(stderr, "%s: metros add needs --name\n", c->prog);
		return CTL_EUSAGE;
	}
	return change(c, cmd, a, "POST", "/metros");
}

static int cmd_metros_set(struct ctl *c, const struct ctl_cmd *cmd, const struct ctl_args *a)
{
	char path[64];
	unsigned long long id;
	int rc = CTL_OK;

	id = ctl_metro_id(c, a->pos[0], &rc);
	if (!id)
		return rc;
	snprintf(path, sizeof(path), "/metros/%llu", id);
	return change(c, cmd, a, "PATCH", path);
}

static int cmd_metros_rm(struct ctl *c, const struct ctl_cmd *cmd, const struct ctl_args *a)
{
	(void)cmd;
	return remove_one(c, a, "metros", "metro");
}

#define CHANNEL_FIELDS                                                                            \
	{ "name", CTL_VALUE, "name", CTL_J_STR, "NAME", "the channel's name (1-63 characters)" },  \
	{ "group6", CTL_VALUE, "group6", CTL_J_STR_NULL, "ADDR|none", "IPv6 multicast group" },   \
	{ "group4", CTL_VALUE, "group4", CTL_J_STR_NULL, "ADDR|none", "IPv4 multicast group" },   \
	{ "port", CTL_VALUE, "port", CTL_J_UINT, "PORT", "UDP port (default 5000)" },              \
	{ "source6", CTL_VALUE, "source6", CTL_J_STR_NULL, "ADDR|none",                            \
	  "IPv6 SSM source (none: from the edges)" },                                              \
	{ "source4", CTL_VALUE, "source4", CTL_J_STR_NULL, "ADDR|none",                            \
	  "IPv4 SSM source (none: from the edges)" },                                              \
	{ "sdp-url", CTL_VALUE, "sdp_url", CTL_J_STR_NULL, "URL|none", "SDP URL (none: from the edges)" }, \
	{ "direct-max", CTL_VALUE, "direct_max", CTL_J_UINT, "N",                                  \
	  "boxes served by the edge before the mesh (0: default)" },                               \
	{ "enabled", CTL_VALUE, "enabled", CTL_J_BOOL, "yes|no", "offer the channel to boxes" }

static const struct ctl_opt channel_add_opts[] = {
	{ "id", CTL_VALUE, "id", CTL_J_UINT, "ID", "the new channel's id (default: the next free one)" },
	CHANNEL_FIELDS,
	{ NULL, 0, NULL, 0, NULL, NULL },
};

static const struct ctl_opt channel_set_opts[] = {
	CHANNEL_FIELDS,
	{ NULL, 0, NULL, 0, NULL, NULL },
};

static const struct ctl_opt metro_add_opts[] = {
	{ "id", CTL_VALUE, "id", CTL_J_UINT, "ID", "the new metro's id (default: the next free one)" },
	{ "name", CTL_VALUE, "name", CTL_J_STR, "NAME", "the metro's name (1-63, unique)" },
	{ "prefix", CTL_MULTI, "prefixes", CTL_J_LIST, "PREFIX[,PREFIX...]",
	  "IPv6/IPv4 prefixes of its boxes, repeatable" },
	{ NULL, 0, NULL, 0, NULL, NULL },
};

static const struct ctl_opt metro_set_opts[] = {
	{ "name", CTL_VALUE, "name", CTL_J_STR, "NAME", "a new name" },
	{ "prefix", CTL_MULTI, "prefixes", CTL_J_LIST, "PREFIX[,PREFIX...]",
	  "the prefixes (replace the list; \"\" clears it), repeatable" },
	{ NULL, 0, NULL, 0, NULL, NULL },
};

static const struct ctl_opt no_opts[] = { { NULL, 0, NULL, 0, NULL, NULL } };

const struct ctl_cmd ctl_cmds[] = {
	{ "status", NULL, "", "server status and an overview of the system", no_opts, cmd_status, 0, 0 },
	{ "whoami", NULL, "", "the token's role and name", no_opts, cmd_whoami, 0, 0 },
	{ "reload", NULL, "", "make the server re-read its config file", no_opts, cmd_reload, 0, 0 },
	{ "channels", "list", "", "the line-up with viewers and groups", no_opts, cmd_channels_list, 0, 0 },
	{ "channels", "show", "ID", "one channel", no_opts, cmd_channels_show, 1, 1 },
	{ "channels", "add", "--name NAME [options]", "create a channel", channel_add_opts,
	  cmd_channels_add, 0, 0 },
	{ "channels", "set", "ID [options]", "change a channel", channel_set_opts, cmd_channels_set, 1, 1 },
	{ "channels", "rm", "ID", "remove a channel (its boxes leave it)", no_opts, cmd_channels_rm, 1, 1 },
	{ "channels", "rebuild", "ID", "regroup a channel's boxes from scratch", no_opts,
	  cmd_channels_rebuild, 1, 1 },
	{ "metros", "list", "", "metros with their prefixes and state", no_opts, cmd_metros_list, 0, 0 },
	{ "metros", "show", "ID|NAME", "one metro with its loss and repair totals", no_opts,
	  cmd_metros_show, 1, 1 },
	{ "metros", "add", "--name NAME [--prefix P]...", "create a metro", metro_add_opts,
	  cmd_metros_add, 0, 0 },
	{ "metros", "set", "ID|NAME [options]", "rename a metro or change its prefixes", metro_set_opts,
	  cmd_metros_set, 1, 1 },
	{ "metros", "rm", "ID", "remove a metro", no_opts, cmd_metros_rm, 1, 1 },
	{ NULL, NULL, NULL, NULL, NULL, NULL, 0, 0 },
};
