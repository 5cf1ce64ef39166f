/* mldmon_fmt: sixcast-mldmon's output. See mldmon_fmt.h and the examples
 * in docs/igmp-mld.md. */
#include "config.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "mldmon_fmt.h"

const char *mon_proto_name(int family, unsigned version)
{
	static const char *const mld[] = { "MLD?", "MLDv1", "MLDv2" };
	static const char *const igmp[] = { "IGMP?", "IGMPv1", "IGMPv2", "IGMPv3" };

	if (family == AF_INET6)
		return version < 3 ? mld[version] : mld[0];
	return version < 4 ? igmp[version] : igmp[0];
}

static void fmt_mac(const uint8_t *m, char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* Local wall-clock time of day, like tcpdump: "12:00:01.234". */
static void fmt_clock(uint64_t ts_us, char buf[32])
{
	time_t s = (time_t)(ts_us / 1000000u);
	struct tm tm;

	size_t n;

	localtime_r(&s, &tm);
	n = strftime(buf, 32, "%H:%M:%S", &tm);
	snprintf(buf + n, 32 - n, ".%03u", (unsigned)(ts_us / 1000u % 1000u));
}

/* ISO 8601 UTC with microseconds, for JSON. */
static void fmt_iso(uint64_t ts_us, char buf[32])
{
	time_t s = (time_t)(ts_us / 1000000u);
	struct tm tm;

	size_t n;

	gmtime_r(&s, &tm);
	n = strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, 32 - n, ".%06uZ", (unsigned)(ts_us % 1000000u));
}

static json_t *jaddr(const struct mld_addr *a)
{
	char s[MLD_ADDR_STRLEN];

	mld_addr_format(a, s, sizeof(s));
	return json_string(s);
}

static void emit_json(const struct mon_out *o, json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);

	if (s) {
		fprintf(o->f, "%s\n", s);
		free(s);
	}
	json_decref(j);
}

/* "{a, b}" of n addresses got by get(ctx, i). */
static void print_set(FILE *f, size_t n, void (*get)(const void *, size_t, struct mld_addr *),
		      const void *ctx)
{
	char s[MLD_ADDR_STRLEN];
	struct mld_addr a;

	fputc('{', f);
	for (size_t i = 0; i < n; i++) {
		get(ctx, i, &a);
		mld_addr_format(&a, s, sizeof(s));
		fprintf(f, "%s%s", i ? ", " : "", s);
	}
	fputc('}', f);
}

static void rec_src(const void *ctx, size_t i, struct mld_addr *out)
{
	mld_record_source(ctx, i, out);
}

static void query_src(const void *ctx, size_t i, struct mld_addr *out)
{
	mld_msg_query_source(ctx, i, out);
}

static void entry_src(const void *ctx, size_t i, struct mld_addr *out)
{
	*out = ((const struct mld_entry *)ctx)->sources[i];
}

static json_t *jset(size_t n, void (*get)(const void *, size_t, struct mld_addr *), const void *ctx)
{
	json_t *a = json_array();
	struct mld_addr x;

	for (size_t i = 0; i < n; i++) {
		get(ctx, i, &x);
		json_array_append_new(a, jaddr(&x));
	}
	return a;
}

static void msg_json(const struct mon_out *o, const struct mld_msg *m, uint64_t ts_us)
{
	json_t *j = json_object(), *recs;
	struct mld_record r;
	char t[32], mac[18];
	size_t pos = 0;

	fmt_iso(ts_us, t);
	json_object_set_new(j, "time", json_string(t));
	json_object_set_new(j, "proto", json_string(mon_proto_name(m->family, m->version)));
	json_object_set_new(j, "type", json_string(mld_kind_name(m->kind)));
	json_object_set_new(j, "src", jaddr(&m->src));
	json_object_set_new(j, "dst", jaddr(&m->dst));
	if (m->has_mac) {
		fmt_mac(m->src_mac, mac);
		json_object_set_new(j, "mac", json_string(mac));
	}
	if (m->vlan >= 0)
		json_object_set_new(j, "vlan", json_integer(m->vlan));
	json_object_set_new(j, "hop_limit", json_integer(m->hop_limit));
	json_object_set_new(j, "router_alert", json_boolean(m->router_alert));
	if (m->kind == MLD_KIND_QUERY) {
		json_object_set_new(j, "group", jaddr(&m->group));
		json_object_set_new(j, "max_resp_ms", json_integer(m->max_resp_ms));
		if ((m->family == AF_INET6 && m->version == 2) || (m->family == AF_INET && m->version == 3)) {
			json_object_set_new(j, "qrv", json_integer(m->qrv));
			json_object_set_new(j, "qqi_s", json_integer(m->qqi_s));
			json_object_set_new(j, "suppress", json_boolean(m->suppress));
			json_object_set_new(j, "sources", jset(m->n_sources, query_src, m));
		}
		emit_json(o, j);
		return;
	}
	recs = json_array();
	while (mld_msg_next_record(m, &pos, &r)) {
		json_t *jr = json_object();

		json_object_set_new(jr, "type", json_string(mld_rec_type_name(r.type)));
		if (r.type < MLD_REC_IS_IN || r.type > MLD_REC_BLOCK)
			json_object_set_new(jr, "type_code", json_integer(r.type));
		json_object_set_new(jr, "group", jaddr(&r.group));
		json_object_set_new(jr, "sources", jset(r.n_sources, rec_src, &r));
		json_array_append_new(recs, jr);
	}
	json_object_set_new(j, "records", recs);
	emit_json(o, j);
}

void mon_print_msg(const struct mon_out *o, const struct mld_msg *m, uint64_t ts_us)
{
	char t[32], src[MLD_ADDR_STRLEN], g[MLD_ADDR_STRLEN], mac[18] = "";
	struct mld_record r;
	size_t pos = 0;

	if (o->json) {
		msg_json(o, m, ts_us);
		return;
	}
	fmt_clock(ts_us, t);
	mld_addr_format(&m->src, src, sizeof(src));
	if (m->has_mac)
		fmt_mac(m->src_mac, mac);
	fprintf(o->f, "%s %s %s %s%s%s%s", t, mon_proto_name(m->family, m->version),
		mld_kind_name(m->kind), src, mac[0] ? " [" : "", mac, mac[0] ? "]" : "");
	if (m->vlan >= 0)
		fprintf(o->f, " vlan %d", m->vlan);
	if (m->kind == MLD_KIND_QUERY) {
		mld_addr_format(&m->group, g, sizeof(g));
		if (mld_addr_is_unspecified(&m->group))
			fprintf(o->f, " general");
		else
			fprintf(o->f, " group %s", g);
		if (m->n_sources) {
			fputc(' ', o->f);
			print_set(o->f, m->n_sources, query_src, m);
		}
		fprintf(o->f, " mrd=%ums", m->max_resp_ms);
		if (m->qqi_s)
			fprintf(o->f, " qrv=%u qqi=%us", m->qrv, m->qqi_s);
	} else if (m->version == 1 || (m->family == AF_INET && m->version == 2)) {
		/* v1-style: one group, no record types on the wire. */
		mld_addr_format(&m->group, g, sizeof(g));
		fprintf(o->f, " %s", g);
	} else {
		for (int i = 0; mld_msg_next_record(m, &pos, &r); i++) {
			mld_addr_format(&r.group, g, sizeof(g));
			if (r.type >= MLD_REC_IS_IN && r.type <= MLD_REC_BLOCK)
				fprintf(o->f, "%s %s %s ", i ? ";" : "", mld_rec_type_name(r.type), g);
			else
				fprintf(o->f, "%s type-%u %s ", i ? ";" : "", r.type, g);
			print_set(o->f, r.n_sources, rec_src, &r);
		}
	}
	fprintf(o->f, "%s\n", m->router_alert ? "" : " (no router alert)");
}

void mon_print_change(const struct mon_out *o, enum mld_change c, const struct mld_entry *e,
		      uint64_t ts_ms)
{
	char t[32], g[MLD_ADDR_STRLEN], h[MLD_ADDR_STRLEN], mac[18] = "";

	mld_addr_format(&e->group, g, sizeof(g));
	mld_addr_format(&e->host, h, sizeof(h));
	if (e->has_mac)
		fmt_mac(e->mac, mac);
	if (o->json) {
		json_t *j = json_object();

		fmt_iso(ts_ms * 1000u, t);
		json_object_set_new(j, "time", json_string(t));
		json_object_set_new(j, "change", json_string(mld_change_name(c)));
		json_object_set_new(j, "group", json_string(g));
		json_object_set_new(j, "host", json_string(h));
		if (mac[0])
			json_object_set_new(j, "mac", json_string(mac));
		json_object_set_new(j, "proto", json_string(mon_proto_name(e->group.family, e->version)));
		json_object_set_new(j, "mode", json_string(mld_mode_name(e->mode)));
		json_object_set_new(j, "sources", jset(e->n_sources, entry_src, e));
		emit_json(o, j);
		return;
	}
	fmt_clock(ts_ms * 1000u, t);
	fprintf(o->f, "%s %-6s %s %s%s%s%s %s ", t, mld_change_name(c), g, h, mac[0] ? " [" : "", mac,
		mac[0] ? "]" : "", mld_mode_name(e->mode));
	print_set(o->f, e->n_sources, entry_src, e);
	fputc('\n', o->f);
}

/* ---- the table ---- */

struct table_walk {
	const struct mon_out *o;
	uint64_t now_ms;
	struct mld_addr group; /* of the entries seen last */
	json_t *groups, *hosts;
	size_t ngroups;
};

static int table_text(void *arg, const struct mld_entry *e)
{
	struct table_walk *w = arg;
	char g[MLD_ADDR_STRLEN], h[MLD_ADDR_STRLEN], mac[18] = "-";
	uint64_t age = w->now_ms > e->last_ms ? w->now_ms - e->last_ms : 0;

	if (w->ngroups == 0 || !mld_addr_equal(&w->group, &e->group)) {
		mld_addr_format(&e->group, g, sizeof(g));
		fprintf(w->o->f, "%s\n", g);
		w->group = e->group;
		w->ngroups++;
	}
	mld_addr_format(&e->host, h, sizeof(h));
	if (e->has_mac)
		fmt_mac(e->mac, mac);
	fprintf(w->o->f, "    %-26s %-17s %-6s %-7s ", h, mac, mon_proto_name(e->group.family, e->version),
		mld_mode_name(e->mode));
	print_set(w->o->f, e->n_sources, entry_src, e);
	fprintf(w->o->f, "  last %llu.%llus ago\n", (unsigned long long)(age / 1000),
		(unsigned long long)(age % 1000 / 100));
	return 0;
}

static int table_json(void *arg, const struct mld_entry *e)
{
	struct table_walk *w = arg;
	json_t *h = json_object();
	char mac[18], t[32];

	if (!w->hosts || !mld_addr_equal(&w->group, &e->group)) {
		json_t *g = json_object();

		w->hosts = json_array();
		json_object_set_new(g, "group", jaddr(&e->group));
		json_object_set_new(g, "hosts", w->hosts);
		json_array_append_new(w->groups, g);
		w->group = e->group;
		w->ngroups++;
	}
	json_object_set_new(h, "host", jaddr(&e->host));
	if (e->has_mac) {
		fmt_mac(e->mac, mac);
		json_object_set_new(h, "mac", json_string(mac));
	}
	json_object_set_new(h, "proto", json_string(mon_proto_name(e->group.family, e->version)));
	json_object_set_new(h, "mode", json_string(mld_mode_name(e->mode)));
	json_object_set_new(h, "sources", jset(e->n_sources, entry_src, e));
	fmt_iso(e->first_ms * 1000u, t);
	json_object_set_new(h, "first", json_string(t));
	fmt_iso(e->last_ms * 1000u, t);
	json_object_set_new(h, "last", json_string(t));
	json_array_append_new(w->hosts, h);
	return 0;
}

static json_t *stats_json(const struct mld_cap_stats *st)
{
	return json_pack("{sIsIsIsIsIsIsIsI}", "frames", (json_int_t)st->pkt.frames, "decoded",
			 (json_int_t)st->pkt.decoded, "ignored", (json_int_t)st->pkt.ignored,
			 "truncated", (json_int_t)st->pkt.truncated, "malformed",
			 (json_int_t)st->pkt.malformed, "bad_checksum", (json_int_t)st->pkt.bad_csum,
			 "unknown_records", (json_int_t)st->pkt.unknown_rec, "kernel_drops",
			 (json_int_t)st->kernel_drops);
}

void mon_print_table(const struct mon_out *o, const mld_table *t, const struct mld_cap_stats *st,
		     uint64_t now_ms)
{
	struct table_walk w = { o, now_ms, { 0, { 0 } }, NULL, NULL, 0 };
	char clock[32];

	if (o->json) {
		json_t *j = json_object();
		char iso[32];

		w.groups = json_array();
		mld_table_foreach(t, table_json, &w);
		fmt_iso(now_ms * 1000u, iso);
		json_object_set_new(j, "time", json_string(iso));
		json_object_set_new(j, "source", json_string(o->source));
		json_object_set_new(j, "table", w.groups);
		json_object_set_new(j, "stats", stats_json(st));
		emit_json(o, j);
		fflush(o->f);
		return;
	}
	fmt_clock(now_ms * 1000u, clock);
	fprintf(o->f, "# %zu membership(s) on %s at %s\n", mld_table_count(t), o->source, clock);
	mld_table_foreach(t, table_text, &w);
	fprintf(o->f,
		"# %zu group(s); frames %llu, decoded %llu, ignored %llu, truncated %llu, "
		"malformed %llu, bad checksum %llu, unknown records %llu, kernel drops %llu\n",
		w.ngroups, (unsigned long long)st->pkt.frames, (unsigned long long)st->pkt.decoded,
		(unsigned long long)st->pkt.ignored, (unsigned long long)st->pkt.truncated,
		(unsigned long long)st->pkt.malformed, (unsigned long long)st->pkt.bad_csum,
		(unsigned long long)st->pkt.unknown_rec, (unsigned long long)st->kernel_drops);
	fflush(o->f);
}

static void memb_src(const void *ctx, size_t i, struct mld_addr *out)
{
	*out = ((const struct mld_membership *)ctx)->sources[i];
}

void mon_print_memberships(const struct mon_out *o, const struct mld_memberships *m)
{
	char g[MLD_ADDR_STRLEN];
	json_t *arr = o->json ? json_array() : NULL;

	for (size_t i = 0; i < m->n; i++) {
		const struct mld_membership *e = &m->v[i];

		if (arr) {
			json_t *j = json_object();

			json_object_set_new(j, "iface", json_string(e->ifname));
			json_object_set_new(j, "ifindex", json_integer(e->ifindex));
			json_object_set_new(j, "group", jaddr(&e->group));
			json_object_set_new(j, "mode", json_string(mld_mode_name(e->mode)));
			json_object_set_new(j, "sources", jset(e->n_sources, memb_src, e));
			json_object_set_new(j, "users", json_integer(e->users));
			json_array_append_new(arr, j);
			continue;
		}
		mld_addr_format(&e->group, g, sizeof(g));
		fprintf(o->f, "%-10s %-28s %-7s ", e->ifname[0] ? e->ifname : "?", g, mld_mode_name(e->mode));
		print_set(o->f, e->n_sources, memb_src, e);
		if (e->users)
			fprintf(o->f, "  users %u", e->users);
		fputc('\n', o->f);
	}
	if (arr) {
		json_t *j = json_object();

		json_object_set_new(j, "memberships", arr);
		json_object_set_new(j, "from6", json_string(m->from6 == MLD_MEMB_FROM_NETLINK ? "netlink"
							    : m->from6 ? "proc" : "none"));
		json_object_set_new(j, "from4", json_string(m->from4 == MLD_MEMB_FROM_NETLINK ? "netlink"
							    : m->from4 ? "proc" : "none"));
		emit_json(o, j);
	}
}
