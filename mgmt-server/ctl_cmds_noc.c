/* ctl_cmds_noc: sixcastctl's commands on boxes, groups, edges, the event
 * log, the summaries, the chart series and the tracker. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ctl_table.h"

static const char *str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "-";
}

static long long num(const json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

static const char *rate(const json_t *o, const char *k, char *buf, size_t len)
{
	return ctl_fmt_rate(json_number_value(json_object_get(o, k)), buf, len);
}

/* An id or "-" for null. */
static void put_id(ctl_table *t, const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	if (json_is_integer(v) && json_integer_value(v))
		ctl_table_put(t, "%lld", (long long)json_integer_value(v));
	else
		ctl_table_put(t, "-");
}

static const char *id_text(const json_t *o, const char *k, char *buf, size_t len)
{
	const json_t *v = json_object_get(o, k);

	if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else
		snprintf(buf, len, "-");
	return buf;
}

static void print_table(ctl_table *t, const char *none)
{
	if (ctl_table_rows(t) == 0)
		printf("(%s)\n", none);
	else
		ctl_table_print(t, stdout);
	ctl_table_free(t);
}

/* Append "?key=value" or "&key=value" to path, the value escaped. */
static int add_query(struct ctl *c, char *path, size_t len, const char *key, const char *val)
{
	char *q;
	size_t n = strlen(path);

	if (!val)
		return 0;
	q = ctl_escape(c, val);
	if (!q)
		return -1;
	snprintf(path + n, len - n, "%c%s=%s", strchr(path, '?') ? '&' : '?', key, q);
	free(q);
	return 0;
}

/* Options that go to the query string, with metros by name and yes/no as
 * 1/0. Returns CTL_OK or an exit code. */
static int query_from(struct ctl *c, const struct ctl_cmd *cmd, const struct ctl_args *a, char *path,
		      size_t len)
{
	for (int k = 0; cmd->opts[k].name; k++) {
		const struct ctl_opt *o = &cmd->opts[k];
		const char *v = a->val[k];
		char num_s[24];
		bool b;

		if (!a->count[k] || o->jtype != CTL_J_NONE || !o->field)
			continue;
		if (strcmp(o->name, "metro") == 0) {
			int rc = CTL_OK;
			unsigned long long id = ctl_metro_id(c, v, &rc);

			if (!id)
				return rc;
			snprintf(num_s, sizeof(num_s), "%llu", id);
			v = num_s;
		} else if (strcmp(o->arg ? o->arg : "", "yes|no") == 0) {
			if (ctl_parse_bool(v, &b) < 0) {
				fprintf(stderr, "%s: --%s: \"%s\" is not yes or no\n", c->prog, o->name, v);
				return CTL_EUSAGE;
			}
			v = b ? "1" : "0";
		}
		add_query(c, path, len, o->field, v);
	}
	return CTL_OK;
}

/* path = "/<coll>/<the id in the first argument><tail>". */
static int id_path(const struct ctl *c, const struct ctl_args *a, const char *coll, const char *tail,
		   const char *what, char *path, size_t len)
{
	long long id = ctl_pos_id(c, a, 0, what);

	if (id < 0)
		return CTL_EUSAGE;
	snprintf(path, len, "/%s/%lld%s", coll, id, tail);
	return CTL_OK;
}

/* --- clients --- */

static int cmd_clients_list(struct ctl *c, const struct ctl_cmd *cmd, const struct ctl_args *a)
{
	static const char *const head[] = { "ID", "DEVICE", "METRO", "PIN", "BAN", "LIVE",
					    "CHANNEL", "GROUP", "SEEN" };
	char path[1024] = "/clients", ago[32];
	long long now = ctl_now_ms();
	json_t *j, *cl;
	ctl_table *t;
	size_t i;
	int rc;

	if ((rc = query_from(c, cmd, a, path, sizeof(path))) != CTL_OK ||
	    (rc = ctl_call(c, "GET", path, NULL, &j)) != CTL_OK)
		return rc;
	if (c->json) {
		ctl_print_json(j);
		json_decref(j);
		return CTL_OK;
	}
	t = ctl_table_new(9, head, "rllllllrr");
	ctl_table_set_max(t, 1, 32);
	json_array_foreach(json_object_get(j, "clients"), i, cl) {
		ctl_table_row(t);
		ctl_table_put(t, "%lld", num(cl, "id"));
		ctl_table_put(t, "%s", str(cl, "device_id"));
		ctl_table_put(t, "%s", str(cl, "metro"));
		ctl_table_put(t, "%s", json_is_true(json_object_get(cl, "pinned")) ? "pin" : "");
		ctl_table_put(t, "%s", json_is_true(json_object_get(cl, "banned")) ? "BAN" : "");
		ctl_table_put(t, "%s", json_is_true(json_object_get(cl, "live")) ? "live" : "-");
		put_id(t, cl, "channel_id");
		put_id(t, cl, "group_id");
		ctl_table_put(t, "%s", ctl_fmt_ago(now, num(cl, "last_seen_ms"), ago, sizeof(ago)));
	}
	i = json_array_size(json_object_get(j, "clients"));
	print_table(t, "no clients");
	if (i)
		printf("%lld-%lld of %lld\n", num(j, "offset") + 1, num(j, "offset") + (long long)i,
		       num(j, "total"));
	json_decref(j);
	return CTL_OK;
}

static int cmd_clients_show(struct ctl *c, const struct ctl_cmd *cmd, const struct ctl_args *a)
{
	static const char *const skip[] = { "group", NULL };
	const json_t *g, *m;
	char path[64];
	json_t *j;
	size_t i;
	int rc;

	(void)cmd;
	if ((rc = id_path(c, a, "clients", "", "client", path, sizeof(path))) != CTL_OK ||
	    (rc = ctl_call(c, "GET", path, NULL, &j)) != CTL_OK)
		return rc;
	if (c->json) {
		ctl_print_json(j);
		json_decref(j);
		return CTL_OK;
	}
	ctl_print_kv(j, skip);
	g = json_object_get(j, "group");
	if (json_is_object(g)) {
		printf("group         %lld (version %lld, %s)\n", num(g, "id"), num(g, "version"),
		       json_is_true(json_object_get(g, "distinct")) ? "all metros distinct" : "metros repeat");
		json_array_foreach(json_object_get(g, "members"), i, m)
			printf("  member      %lld  %s\n", num(m, "client_id"), str(m, "metro"));
	}
	json_decref(j);
	return CTL_OK;
}

/* POST/PATCH a body to /clients/ID[/suffix] and print the box's record. */
static int client_action(struct ctl *c, const struct ctl_args *a, const char *method,
			 const char *suffix, json_t *body, const char *done)
{
	char path[96];
	json_t *j;
	int rc;

	if ((rc = id_path(c, a, "clients", "", "client", path, sizeof(path))) != CTL_OK) {
		json_decref(body);
		return rc;
	}
	strncat(path, suffix, sizeof(path) - strlen(path) - 1);
	rc = ctl_call(c, method, path, body, &j);
	json_decref(body);
	if (rc != CTL_OK)
		return rc;
	if (c->json) {
		ctl_print_json(j);
	} else {
		char ch[24], gr[24];

		printf("client %lld %s: metro %s%s, channel %s, group %s\n", num(j, "id"), done, str(j, "metro"),
		       json_is_true(json_object_get(j, "pinned")) ? " (pinned)" : "", id_text(j, "channel_id", ch, sizeof(ch)),
		       id_text(j, "group_id", gr, sizeof(gr)));
	}
	json_decref(j);
	return CTL_OK;
}

static int cmd_clients_move(struct ctl *c, const struct ctl_cmd *cmd, const struct ctl_args *a)
{
	const char *metro = ctl_arg(cmd->opts, a, "metro"), *group = ctl_arg(cmd->opts, a, "group");
	unsigned long long id;
	int rc = CTL_OK;

	if (!metro == !group) {
		fprintf(stderr, "%s: clients move needs one of --metro and --group\n", c->prog);
		return CTL_EUSAGE;
	}
	if (group) {
		if (ctl_parse_uint(group, 0xffffffffULL, &id) < 0 || !id) {
			fprintf(stderr, "%s: --group must be an id, not \"%s\"\n", c->prog, group);
			return CTL_EUSAGE;
		}
		return client_action(c, a, "POST", "/move", json_pack("{s:I}", "group_id", (json_int_t)id),
				     "moved");
	}
	id = ctl_metro_id(c, metro, &rc);
	if (!id)
		return rc;
	return client_action(c, a, "POST", "/move", json_pack("{s:I}", "metro_id", (json_int_t)id), "moved");
}

static int cmd_clients_kick(struct ctl *c, const struct ctl_cmd *cmd, const struct ctl_args *a)
{
	json_t *b = json_object();
	char err[200];

	if (ctl_opts_to_json(cmd->opts, a, b, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", c->prog, err);
		json_decref(b);
		return CTL_EUSAGE;
	}
	return client_action(c, a, "POST", "/kick", b, "kicked");
}

static int cmd_clients_ban(struct ctl *c, const struct ctl_cmd *cmd, const struct ctl_args *a)
{
	bool ban = strcmp(cmd->verb, "ban") == 0;

	return client_action(c, a, "PATCH", "", json_pack("{s:b}", "banned", ban), ban ? "banned" : "unbanned");
}

static int cmd_clients_unpin(struct ctl *c, const struct ctl_cmd *cmd, const struct ctl_args *a)
{
	(void)cmd;
	return client_action(c, a, "PATCH", "", json_pack("{s:n}", "metro_id"), "unpinned");
}

static int delete_one(struct ctl *c, const struct ctl_args *a, const char *coll, const char *what)
{
	char path[64];
	json_t *j;
	int rc;

	if ((rc = id_path(c, a, coll, "", what, path, sizeof(path))) != CTL_OK ||
	    (rc = ctl_call(c, "DELETE", path, NULL, &j)) != CTL_OK)
		return rc;
	if (c->json)
		ctl_print_json(j);
	else
		printf("%s %s removed\n", what, a->pos[0]);
	json_decref(j);
	return CTL_OK;
}

static int cmd_clients_rm(struct ctl *c, const struct ctl_cmd *cmd, const struct ctl_args *a)
{
	(void)cmd;
	return delete_one(c, a, "clients", "client");
}

/* --- groups --- */

/* "north, south, east" and "1, 2, 3" of a group's members. */
static void spread(const json_t *g, char *metros, size_t mlen, char *ids, size_t ilen)
{
	size_t i, mo = 0, io = 0;
	const json_t *m;

	metros[0] = ids[0] = '\0';
	json_array_foreach(json_object_get(g, "members"), i, m) {
		if (mo < mlen)
			mo += (size_t)snprintf(metros + mo, mlen - mo, "%s%s", i ? "," : "", str(m, "metro"));
		if (io < ilen)
			io += (size_t)snprintf(ids + io, ilen - io, "%s%lld", i ? "," : "", num(m, "client_id"));
	}
}

static int cmd_groups_list(struct ctl *c, const struct ctl_cmd *cmd, const struct ctl_args *a)
{
	static const char *const head[] = { "ID", "CHANNEL", "VERSION", "SIZE", "DISTINCT", "METROS",
					    "MEMBERS" };
	char path[512] = "/groups", metros[512], ids[512];
	json_t *j, *g;
	ctl_table *t;
	size_t i;
	int rc;

	if ((rc = query_from(c, cmd, a, path, sizeof(path))) != CTL_OK ||
	    (rc = ctl_call(c, "GET", path, NULL, &j)) != CTL_OK)
		return rc;
	if (c->json) {
		ctl_print_json(j);
		json_decref(j);
		return CTL_OK;
	}
	t = ctl_table_new(7, head, "rrrrlll");
	json_array_foreach(json_object_get(j, "groups"), i, g) {
		spread(g, metros, sizeof(metros), ids, sizeof(ids));
		ctl_table_row(t);
		ctl_table_put(t, "%lld", num(g, "id"));
		ctl_table_put(t, "%lld", num(g, "channel_id"));
		ctl_table_put(t, "%lld", num(g, "version"));
		ctl_table_put(t, "%zu", json_array_size(json_object_get(g, "members")));
		ctl_table_put(t, "%s", json_is_true(json_object_get(g, "distinct")) ? "yes" : "NO");
		ctl_table_put(t, "%s", metros);
		ctl_table_put(t, "%s", ids);
	}
	i = json_array_size(json_object_get(j, "groups"));
	print_table(t, "no groups");
	if (i)
		printf("%lld-%lld of %lld\n", num(j, "offset") + 1, num(j, "offset") + (long long)i,
		       num(j, "total"));
	json_decref(j);
	return CTL_OK;
}

static int cmd_groups_show(struct ctl *c, const struct ctl_cmd *cmd, const struct ctl_args *a)
{
	static const char *const skip[] = { "members", NULL };
	static const char *const head[] = { "CLIENT", "METRO", "ADDRS" };
	char path[64], addrs[512];
	json_t *j, *m;
	ctl_table *t;
	size_t i, k;
	int rc;

	(void)cmd;
	if ((rc = id_path(c, a, "groups", "", "group", path, sizeof(path))) != CTL_OK ||
	    (rc = ctl_call(c, "GET", path, NULL, &j)) != CTL_OK)
		return rc;
	if (c->json) {
		ctl_print_json(j);
		json_decref(j);
		return CTL_OK;
	}
	ctl_print_kv(j, skip);
	putchar('\n');
	t = ctl_table_new(3, head, "rll");
	json_array_foreach(json_object_get(j, "members"), i, m) {
		const json_t *ad;
		size_t off = 0;

		addrs[0] = '\0';
		json_array_foreach(json_object_get(m, "addrs"), k, ad)
			if (off < sizeof(addrs))
				off += (size_t)snprintf(addrs + off, sizeof(addrs) - off, "%s%s", k ? " " : "",
							json_string_value(ad));
		ctl_table_row(t);
		ctl_table_put(t, "%lld", num(m, "client_id"));
		ctl_table_put(t, "%s", str(m, "metro"));
		ctl_table_put(t, "%s", addrs);
	}
	print_table(t, "no members");
	json_decref(j);
	return CTL_OK;
}

/* --- edges --- */

static int cmd_edges_list(struct ctl *c, const struct ctl_cmd *cmd, const struct ctl_args *a)
{
	static const char *const head[] = { "ID", "NAME", "LIVE", "CHANNELS", "BITRATE", "RET",
					    "BURST", "SEEN", "ADDRS" };
	long long now = ctl_now_ms();
	char chans[256], addrs[256], bps[32], ago[32];
	json_t *j, *e, *v;
	ctl_table *t;
	size_t i, k;
	int rc;

	(void)cmd;
	(void)a;
	if ((rc = ctl_call(c, "GET", "/edges", NULL, &j)) != CTL_OK)
		return rc;
	if (c->json) {
		ctl_print_json(j);
		json_decref(j);
		return CTL_OK;
	}
	t = ctl_table_new(9, head, "rllrrrrrl");
	json_array_foreach(j, i, e) {
		const json_t *load = json_object_get(e, "load");
		size_t co = 0, ao = 0;

		chans[0] = addrs[0] = '\0';
		json_array_foreach(json_object_get(e, "channels"), k, v)
			if (co < sizeof(chans))
				co += (size_t)snprintf(chans + co, sizeof(chans) - co, "%s%lld", k ? "," : "",
						       num(v, "id"));
		json_array_foreach(json_object_get(e, "addrs"), k, v)
			if (ao < sizeof(addrs))
				ao += (size_t)snprintf(addrs + ao, sizeof(addrs) - ao, "%s%s", k ? " " : "",
						       json_string_value(v));
		ctl_table_row(t);
		ctl_table_put(t, "%lld", num(e, "id"));
		ctl_table_put(t, "%s", str(e, "name"));
		ctl_table_put(t, "%s", json_is_true(json_object_get(e, "live")) ? "live" : "DOWN");
		ctl_table_put(t, "%s", chans);
		ctl_table_put(t, "%s", ctl_fmt_bps(json_number_value(json_object_get(load, "bitrate_bps")), bps,
						 sizeof(bps)));
		ctl_table_put(t, "%lld", num(load, "ret_clients"));
		ctl_table_put(t, "%lld", num(load, "burst_clients"));
		ctl_table_put(t, "%s", ctl_fmt_ago(now, num(e, "last_seen_ms"), ago, sizeof(ago)));
		ctl_table_put(t, "%s", addrs);
	}
	print_table(t, "no edges");
	json_decref(j);
	return CTL_OK;
}

static int cmd_edges_show(struct ctl *c, const struct ctl_cmd *cmd, const struct ctl_args *a)
{
	char path[64];
	json_t *j;
	int rc;

	(void)cmd;
	if ((rc = id_path(c, a, "edges", "", "edge", path, sizeof(path))) != CTL_OK ||
	    (rc = ctl_call(c, "GET", path, NULL, &j)) != CTL_OK)
		return rc;
	if (c->json)
		ctl_print_json(j);
	else
		ctl_print_kv(j, NULL);
	json_decref(j);
	return CTL_OK;
}

static int cmd_edges_rm(struct ctl *c, const struct ctl_cmd *cmd, const struct ctl_args *a)
{
	(void)cmd;
	return delete_one(c, a, "edges", "edge");
}

/* --- events --- */

static int cmd_events(struct ctl *c, const struct ctl_cmd *cmd, const struct ctl_args *a)
{
	static const char *const head[] = { "ID", "TIME (UTC)", "ACTOR", "TYPE", "SUBJECT", "DETAIL" };
	char path[1024] = "/events", when[40];
	json_t *j, *e;
	ctl_table *t;
	size_t i;
	int rc;

	if ((rc = query_from(c, cmd, a, path, sizeof(path))) != CTL_OK ||
	    (rc = ctl_call(c, "GET", path, NULL, &j)) != CTL_OK)
		return rc;
	if (c->json) {
		ctl_print_json(j);
		json_decref(j);
		return CTL_OK;
	}
	t = ctl_table_new(6, head, "rlllll");
	ctl_table_set_max(t, 5, 80);
	json_array_foreach(json_object_get(j, "events"), i, e) {
		char *d = json_dumps(json_object_get(e, "detail"), JSON_COMPACT | JSON_ENCODE_ANY);

		ctl_table_row(t);
		ctl_table_put(t, "%lld", num(e, "id"));
		ctl_table_put(t, "%s", ctl_fmt_time(num(e, "ts_ms"), when, sizeof(when)));
		ctl_table_put(t, "%s", str(e, "actor"));
		ctl_table_put(t, "%s", str(e, "type"));
		ctl_table_put(t, "%s", str(e, "subject"));
		ctl_table_put(t, "%s", d && strcmp(d, "null") ? d : "");
		free(d);
	}
	print_table(t, "no events");
	if (json_is_integer(json_object_get(j, "next_before")))
		printf("older: --before %lld\n", num(j, "next_before"));
	json_decref(j);
	return CTL_OK;
}

/* --- summaries and series --- */

static int cmd_summary(struct ctl *c, const struct ctl_cmd *cmd, const struct ctl_args *a)
{
	static const char *const skip[] = { "sizes", NULL };
	json_t *j;
	int rc;

	(void)cmd;
	(void)a;
	if ((rc = ctl_call(c, "GET", "/summary", NULL, &j)) != CTL_OK)
		return rc;
	if (c->json)
		ctl_print_json(j);
	else
		ctl_print_kv(j, skip);
	json_decref(j);
	return CTL_OK;
}

/* The rows of /summary/channels and /summary/metros. */
static void summary_row(ctl_table *t, const json_t *s, const char *idkey, const char *extra)
{
	const json_t *tot = json_object_get(s, "totals"), *rec = json_object_get(s, "recent");
	char r[5][32];

	ctl_table_row(t);
	ctl_table_put(t, "%lld", num(s, idkey));
	ctl_table_put(t, "%s", str(s, "name"));
	ctl_table_put(t, "%s", extra);
	ctl_table_put(t, "%lld", num(tot, "received"));
	ctl_table_put(t, "%lld", num(tot, "lost"));
	ctl_table_put(t, "%s", rate(s, "loss_rate", r[0], sizeof(r[0])));
	ctl_table_put(t, "%s", rate(s, "repair_rate", r[1], sizeof(r[1])));
	ctl_table_put(t, "%s", rate(s, "residual_rate", r[2], sizeof(r[2])));
	ctl_table_put(t, "%s", rate(rec, "loss_rate", r[3], sizeof(r[3])));
	ctl_table_put(t, "%s", rate(rec, "repair_rate", r[4], sizeof(r[4])));
}

static int cmd_summary_list(struct ctl *c, const struct ctl_cmd *cmd, const struct ctl_args *a)
{
	static const char *const chead[] = { "CHANNEL", "NAME", "VIEWERS/GROUPS", "RECEIVED", "LOST",
					     "LOSS", "REPAIRED", "RESIDUAL", "LOSS 10s", "REPAIRED 10s" };
	static const char *const mhead[] = { "METRO", "NAME", "LIVE", "RECEIVED", "LOST", "LOSS",
					     "REPAIRED", "RESIDUAL", "LOSS 10s", "REPAIRED 10s" };
	bool metros = strcmp(cmd->verb, "metros") == 0;
	json_t *j, *s;
	ctl_table *t;
	size_t i;
	int rc;

	(void)a;
	if ((rc = ctl_call(c, "GET", metros ? "/summary/metros" : "/summary/channels", NULL, &j)) != CTL_OK)
		return rc;
	if (c->json) {
		ctl_print_json(j);
		json_decref(j);
		return CTL_OK;
	}
	t = ctl_table_new(10, metros ? mhead : chead, "rlrrrrrrrr");
	json_array_foreach(j, i, s) {
		char extra[64];

		if (metros)
			snprintf(extra, sizeof(extra), "%lld%s", num(s, "live"),
				 json_is_true(json_object_get(s, "silent")) ? " SILENT" : "");
		else
			snprintf(extra, sizeof(extra), "%lld/%lld", num(s, "viewers"), num(s, "groups"));
		summary_row(t, s, metros ? "metro_id" : "channel_id", extra);
	}
	print_table(t, metros ? "no metros" : "no channels");
	json_decref(j);
	return CTL_OK;
}

static int cmd_summary_groups(struct ctl *c, const struct ctl_cmd *cmd, const struct ctl_args *a)
{
	char path[128] = "/summary/groups", share[32];
	const json_t *sizes, *v;
	const char *k;
	json_t *j;
	int rc;

	if ((rc = query_from(c, cmd, a, path, sizeof(path))) != CTL_OK ||
	    (rc = ctl_call(c, "GET", path, NULL, &j)) != CTL_OK)
		return rc;
	if (c->json) {
		ctl_print_json(j);
		json_decref(j);
		return CTL_OK;
	}
	printf("groups %lld, members %lld, all-distinct %lld (%s), open %lld, target size %lld\nsizes ",
	       num(j, "groups"), num(j, "members"), num(j, "distinct"),
	       rate(j, "distinct_share", share, sizeof(share)), num(j, "open"), num(j, "target_size"));
	sizes = json_object_get(j, "sizes");
	json_object_foreach((json_t *)sizes, k, v)
		printf(" %s:%lld", k, (long long)json_integer_value(v));
	putchar('\n');
	json_decref(j);
	return CTL_OK;
}

static int cmd_series(struct ctl *c, const struct ctl_cmd *cmd, const struct ctl_args *a)
{
	static const char *const head[] = { "TIME (UTC)", "CLIENTS", "RECEIVED", "LOST", "GROUP",
					     "EDGE", "MESH", "UNREPAIRED", "LOSS", "REPAIRED" };
	char path[256] = "/series", when[40], r[2][32];
	unsigned long long last = 20;
	const char *lim = ctl_arg(cmd->opts, a, "last");
	json_t *j, *p, *pts;
	ctl_table *t;
	size_t i, n;
	int rc;

	if (lim && ctl_parse_uint(lim, 300, &last) < 0) {
		fprintf(stderr, "%s: --last must be 0..300\n", c->prog);
		return CTL_EUSAGE;
	}
	if ((rc = query_from(c, cmd, a, path, sizeof(path))) != CTL_OK ||
	    (rc = ctl_call(c, "GET", path, NULL, &j)) != CTL_OK)
		return rc;
	if (c->json) {
		ctl_print_json(j);
		json_decref(j);
		return CTL_OK;
	}
	t = ctl_table_new(10, head, "lrrrrrrrrr");
	pts = json_object_get(j, "points");
	n = json_array_size(pts);
	json_array_foreach(pts, i, p) {
		if (last && i + last < n)
			continue;
		ctl_table_row(t);
		ctl_table_put(t, "%s", ctl_fmt_time(num(p, "t_ms"), when, sizeof(when)));
		ctl_table_put(t, "%lld", num(p, "clients"));
		ctl_table_put(t, "%lld", num(p, "received"));
		ctl_table_put(t, "%lld", num(p, "lost"));
		ctl_table_put(t, "%lld", num(p, "repaired_group"));
		ctl_table_put(t, "%lld", num(p, "repaired_edge"));
		ctl_table_put(t, "%lld", num(p, "repaired_mesh"));
		ctl_table_put(t, "%lld", num(p, "unrepaired"));
		ctl_table_put(t, "%s", rate(p, "loss_rate", r[0], sizeof(r[0])));
		ctl_table_put(t, "%s", rate(p, "repair_rate", r[1], sizeof(r[1])));
	}
	print_table(t, "no points yet");
	json_decref(j);
	return CTL_OK;
}

static int cmd_peers(struct ctl *c, const struct ctl_cmd *cmd, const struct ctl_args *a)
{
	const char *client = ctl_arg(cmd->opts, a, "client");
	char path[256];
	json_t *j;
	int rc;

	if ((rc = id_path(c, a, "channels", "/peers", "channel", path, sizeof(path))) != CTL_OK)
		return rc;
	add_query(c, path, sizeof(path), "client_id", client);
	if ((rc = ctl_call(c, "GET", path, NULL, &j)) != CTL_OK)
		return rc;
	if (c->json)
		ctl_print_json(j);
	else
		ctl_print_kv(j, NULL);
	json_decref(j);
	return CTL_OK;
}

static const struct ctl_opt clients_list_opts[] = {
	{ "channel", CTL_VALUE, "channel", CTL_J_NONE, "ID", "boxes watching this channel" },
	{ "metro", CTL_VALUE, "metro", CTL_J_NONE, "ID|NAME", "boxes in this metro" },
	{ "live", CTL_VALUE, "live", CTL_J_NONE, "yes|no", "boxes heartbeating (or not)" },
	{ "device", CTL_VALUE, "device", CTL_J_NONE, "TEXT", "device ids containing TEXT" },
	{ "offset", CTL_VALUE, "offset", CTL_J_NONE, "N", "skip the first N" },
	{ "limit", CTL_VALUE, "limit", CTL_J_NONE, "N", "at most N (1-1000, default 100)" },
	{ NULL, 0, NULL, 0, NULL, NULL },
};

static const struct ctl_opt move_opts[] = {
	{ "metro", CTL_VALUE, NULL, CTL_J_NONE, "ID|NAME", "pin the box to this metro" },
	{ "group", CTL_VALUE, NULL, CTL_J_NONE, "ID", "put the box into this group (same channel)" },
	{ NULL, 0, NULL, 0, NULL, NULL },
};

static const struct ctl_opt kick_opts[] = {
	{ "ban", CTL_FLAG, "ban", CTL_J_BOOL, NULL, "ban the device too (it may not register again)" },
	{ "reason", CTL_VALUE, "reason", CTL_J_STR, "TEXT", "recorded in the event log" },
	{ NULL, 0, NULL, 0, NULL, NULL },
};

static const struct ctl_opt groups_list_opts[] = {
	{ "channel", CTL_VALUE, "channel", CTL_J_NONE, "ID", "groups of this channel" },
	{ "metro", CTL_VALUE, "metro", CTL_J_NONE, "ID|NAME", "groups with a member in this metro" },
	{ "distinct", CTL_VALUE, "distinct", CTL_J_NONE, "yes|no", "all members in distinct metros (or not)" },
	{ "offset", CTL_VALUE, "offset", CTL_J_NONE, "N", "skip the first N" },
	{ "limit", CTL_VALUE, "limit", CTL_J_NONE, "N", "at most N (1-1000, default 100)" },
	{ NULL, 0, NULL, 0, NULL, NULL },
};

static const struct ctl_opt events_opts[] = {
	{ "type", CTL_VALUE, "type", CTL_J_NONE, "PREFIX", "event types starting so (client., channel.rebuild)" },
	{ "actor", CTL_VALUE, "actor", CTL_J_NONE, "WHO", "admin:NAME, client:ID, edge:ID, config, system" },
	{ "subject", CTL_VALUE, "subject", CTL_J_NONE, "WHAT", "client:ID, channel:ID, metro:ID, ..." },
	{ "limit", CTL_VALUE, "limit", CTL_J_NONE, "N", "at most N (1-1000, default 100)" },
	{ "before", CTL_VALUE, "before", CTL_J_NONE, "ID", "older than event ID (paging back)" },
	{ "after", CTL_VALUE, "after", CTL_J_NONE, "ID", "newer than event ID, oldest first" },
	{ NULL, 0, NULL, 0, NULL, NULL },
};

static const struct ctl_opt summary_groups_opts[] = {
	{ "channel", CTL_VALUE, "channel", CTL_J_NONE, "ID", "one channel's groups only" },
	{ NULL, 0, NULL, 0, NULL, NULL },
};

static const struct ctl_opt series_opts[] = {
	{ "channel", CTL_VALUE, "channel", CTL_J_NONE, "ID", "one channel's points" },
	{ "metro", CTL_VALUE, "metro", CTL_J_NONE, "ID|NAME", "one metro's points" },
	{ "since", CTL_VALUE, "since", CTL_J_NONE, "MS", "points after this wall-clock time (ms)" },
	{ "last", CTL_VALUE, NULL, CTL_J_NONE, "N", "print the last N seconds (default 20, 0: all)" },
	{ NULL, 0, NULL, 0, NULL, NULL },
};

static const struct ctl_opt peers_opts[] = {
	{ "client", CTL_VALUE, NULL, CTL_J_NONE, "ID", "the box asking (it must watch the channel)" },
	{ NULL, 0, NULL, 0, NULL, NULL },
};

static const struct ctl_opt none[] = { { NULL, 0, NULL, 0, NULL, NULL } };

const struct ctl_cmd ctl_cmds_more[] = {
	{ "clients", "list", "[filters]", "boxes, filtered and paged", clients_list_opts, cmd_clients_list, 0, 0 },
	{ "clients", "show", "ID", "one box with its stats and group", none, cmd_clients_show, 1, 1 },
	{ "clients", "move", "ID --metro M | --group G", "move a box to a metro (pinned) or a group",
	  move_opts, cmd_clients_move, 1, 1 },
	{ "clients", "kick", "ID [--ban] [--reason TEXT]", "kick a box: it leaves its channel, its token is void",
	  kick_opts, cmd_clients_kick, 1, 1 },
	{ "clients", "ban", "ID", "ban a box (kicks it too)", none, cmd_clients_ban, 1, 1 },
	{ "clients", "unban", "ID", "let a banned box register again", none, cmd_clients_ban, 1, 1 },
	{ "clients", "unpin", "ID", "give a pinned box's metro back to its prefixes", none, cmd_clients_unpin,
	  1, 1 },
	{ "clients", "rm", "ID", "forget a box", none, cmd_clients_rm, 1, 1 },
	{ "groups", "list", "[filters]", "groups with their metro spread", groups_list_opts, cmd_groups_list, 0, 0 },
	{ "groups", "show", "ID", "one group with its members and key", none, cmd_groups_show, 1, 1 },
	{ "edges", "list", "", "edge servers with their last load report", none, cmd_edges_list, 0, 0 },
	{ "edges", "show", "ID", "one edge server", none, cmd_edges_show, 1, 1 },
	{ "edges", "rm", "ID", "forget an edge server", none, cmd_edges_rm, 1, 1 },
	{ "events", NULL, "[filters]", "the audit log, newest first", events_opts, cmd_events, 0, 0 },
	{ "summary", NULL, "", "counts, groups, loss and repair overall", none, cmd_summary, 0, 0 },
	{ "summary", "channels", "", "loss and repair per channel", none, cmd_summary_list, 0, 0 },
	{ "summary", "metros", "", "loss and repair per metro", none, cmd_summary_list, 0, 0 },
	{ "summary", "groups", "[--channel ID]", "group sizes and metro diversity", summary_groups_opts,
	  cmd_summary_groups, 0, 0 },
	{ "series", NULL, "[--channel ID | --metro M]", "per-second loss and repair, last 5 minutes",
	  series_opts, cmd_series, 0, 0 },
	{ "peers", NULL, "CHANNEL --client ID", "what the tracker tells a box of the P2P mesh", peers_opts,
	  cmd_peers, 1, 1 },
	{ NULL, NULL, NULL, NULL, NULL, NULL, 0, 0 },
};
