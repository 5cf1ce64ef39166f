/* Unit tests of the membership table (igmp-mld/mld_table.c): the record
 * types' set operations, v1/v2 compatibility, expiry on the interval a
 * query announces, the limits, and a random walk checked against a plain
 * model of RFC 3810's per-host state. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mld.h"
#include "mld_captured.h"
#include "mld_testpkt.h"
#include "tu.h"

static uint8_t pkt[70000];

struct changes {
	int n[5];
	char last[128];
};

static void on_change(void *arg, enum mld_change c, const struct mld_entry *e)
{
	struct changes *ch = arg;
	char g[MLD_ADDR_STRLEN], h[MLD_ADDR_STRLEN];

	ch->n[c]++;
	mld_addr_format(&e->group, g, sizeof(g));
	mld_addr_format(&e->host, h, sizeof(h));
	snprintf(ch->last, sizeof(ch->last), "%s %s %s %s %zu", mld_change_name(c), g, h,
		 mld_mode_name(e->mode), e->n_sources);
}

static int apply_pkt(mld_table *t, size_t n, uint64_t now)
{
	struct mld_msg m;

	CU_ASSERT_EQUAL_FATAL(mld_decode_ip(pkt, n, &m), 0);
	return mld_table_apply(t, &m, now);
}

static int report(mld_table *t, const char *host, unsigned type, const char *group, const char *s1,
		  const char *s2, uint64_t now)
{
	struct tp_rec r = { type, group, { s1, s1 ? s2 : NULL, NULL } };

	return apply_pkt(t, tp_report(pkt, host, &r, 1), now);
}

static const struct mld_entry *find(mld_table *t, const char *group, const char *host)
{
	struct mld_addr g, h;

	mld_addr_parse(group, &g);
	mld_addr_parse(host, &h);
	return mld_table_find(t, &g, &h);
}

static void test_ssm_join_leave(void)
{
	struct changes ch = { { 0 }, "" };
	mld_table *t = mld_table_new(on_change, &ch);
	const struct mld_entry *e;

	CU_ASSERT_FATAL(t != NULL);
	CU_ASSERT_EQUAL(report(t, "fe80::1", MLD_REC_ALLOW, "ff3e::8000:1", "2001:db8::1", NULL, 10), 1);
	CU_ASSERT_STRING_EQUAL(ch.last, "join ff3e::8000:1 fe80::1 include 1");
	CU_ASSERT_EQUAL(report(t, "fe80::1", MLD_REC_ALLOW, "ff3e::8000:1", "2001:db8::2", NULL, 20), 1);
	e = find(t, "ff3e::8000:1", "fe80::1");
	CU_ASSERT_FATAL(e != NULL);
	CU_ASSERT_EQUAL(e->n_sources, 2);
	CU_ASSERT_EQUAL(e->first_ms, 10);
	CU_ASSERT_EQUAL(e->last_ms, 20);
	CU_ASSERT_EQUAL(e->version, 2);
	/* The same state again (a query answer) refreshes and changes nothing. */
	CU_ASSERT_EQUAL(report(t, "fe80::1", MLD_REC_IS_IN, "ff3e::8000:1", "2001:db8::2", "2001:db8::1", 30), 0);
	CU_ASSERT_EQUAL(find(t, "ff3e::8000:1", "fe80::1")->last_ms, 30);
	CU_ASSERT_EQUAL(report(t, "fe80::1", MLD_REC_BLOCK, "ff3e::8000:1", "2001:db8::1", NULL, 40), 1);
	CU_ASSERT_STRING_EQUAL(ch.last, "update ff3e::8000:1 fe80::1 include 1");
	CU_ASSERT_EQUAL(report(t, "fe80::1", MLD_REC_BLOCK, "ff3e::8000:1", "2001:db8::2", NULL, 50), 1);
	CU_ASSERT_STRING_EQUAL(ch.last, "leave ff3e::8000:1 fe80::1 include 1");
	CU_ASSERT_EQUAL(mld_table_count(t), 0);
	CU_ASSERT_EQUAL(ch.n[MLD_CHANGE_JOIN], 1);
	CU_ASSERT_EQUAL(ch.n[MLD_CHANGE_UPDATE], 2);
	CU_ASSERT_EQUAL(ch.n[MLD_CHANGE_LEAVE], 1);
	/* Blocking or emptying what was never joined does nothing. */
	CU_ASSERT_EQUAL(report(t, "fe80::1", MLD_REC_BLOCK, "ff3e::8000:1", "2001:db8::2", NULL, 60), 0);
	CU_ASSERT_EQUAL(report(t, "fe80::1", MLD_REC_TO_IN, "ff3e::8000:1", NULL, NULL, 60), 0);
	CU_ASSERT_EQUAL(mld_table_count(t), 0);
	mld_table_free(t);
}

static void test_asm_and_exclude(void)
{
	mld_table *t = mld_table_new(NULL, NULL);
	const struct mld_entry *e;

	CU_ASSERT_EQUAL(report(t, "10.1.0.1", MLD_REC_TO_EX, "239.1.0.2", NULL, NULL, 1), 1);
	e = find(t, "239.1.0.2", "10.1.0.1");
	CU_ASSERT_FATAL(e != NULL);
	CU_ASSERT_EQUAL(e->mode, MLD_MODE_EXCLUDE);
	CU_ASSERT_EQUAL(e->n_sources, 0);
	CU_ASSERT_EQUAL(report(t, "10.1.0.1", MLD_REC_IS_EX, "239.1.0.2", NULL, NULL, 2), 0);
	/* Exclude a source, allow it back, block another. */
	CU_ASSERT_EQUAL(report(t, "10.1.0.1", MLD_REC_TO_EX, "239.1.0.2", "10.9.9.9", NULL, 3), 1);
	CU_ASSERT_EQUAL(find(t, "239.1.0.2", "10.1.0.1")->n_sources, 1);
	CU_ASSERT_EQUAL(report(t, "10.1.0.1", MLD_REC_ALLOW, "239.1.0.2", "10.9.9.9", NULL, 4), 1);
	CU_ASSERT_EQUAL(find(t, "239.1.0.2", "10.1.0.1")->n_sources, 0);
	CU_ASSERT_EQUAL(report(t, "10.1.0.1", MLD_REC_BLOCK, "239.1.0.2", "10.8.8.8", NULL, 5), 1);
	e = find(t, "239.1.0.2", "10.1.0.1");
	CU_ASSERT_EQUAL(e->mode, MLD_MODE_EXCLUDE);
	CU_ASSERT_EQUAL(e->n_sources, 1);
	/* TO_IN {S} switches mode; TO_IN {} leaves. */
	CU_ASSERT_EQUAL(report(t, "10.1.0.1", MLD_REC_TO_IN, "239.1.0.2", "10.7.7.7", NULL, 6), 1);
	CU_ASSERT_EQUAL(find(t, "239.1.0.2", "10.1.0.1")->mode, MLD_MODE_INCLUDE);
	CU_ASSERT_EQUAL(report(t, "10.1.0.1", MLD_REC_TO_IN, "239.1.0.2", NULL, NULL, 7), 1);
	CU_ASSERT_PTR_NULL(find(t, "239.1.0.2", "10.1.0.1"));
	/* Unknown record types are ignored. */
	CU_ASSERT_EQUAL(report(t, "10.1.0.1", 9, "239.1.0.2", NULL, NULL, 8), 0);
	CU_ASSERT_EQUAL(mld_table_count(t), 0);
	mld_table_free(t);
}

static void test_v1_compat(void)
{
	struct changes ch = { { 0 }, "" };
	mld_table *t = mld_table_new(on_change, &ch);

	CU_ASSERT_EQUAL(apply_pkt(t, tp_v1(pkt, "fe80::2", "ff05::1", false), 1), 1);
	CU_ASSERT_STRING_EQUAL(ch.last, "join ff05::1 fe80::2 exclude 0");
	CU_ASSERT_EQUAL(find(t, "ff05::1", "fe80::2")->version, 1);
	CU_ASSERT_EQUAL(apply_pkt(t, tp_v1(pkt, "10.1.0.2", "239.1.0.3", false), 2), 1);
	CU_ASSERT_EQUAL(mld_table_count(t), 2);
	CU_ASSERT_EQUAL(apply_pkt(t, tp_v1(pkt, "fe80::2", "ff05::1", true), 3), 1);
	CU_ASSERT_STRING_EQUAL(ch.last, "leave ff05::1 fe80::2 exclude 0");
	CU_ASSERT_EQUAL(apply_pkt(t, tp_v1(pkt, "10.1.0.2", "239.1.0.3", true), 4), 1);
	CU_ASSERT_EQUAL(mld_table_count(t), 0);
	mld_table_free(t);
}

static void test_captured_sequence(void)
{
	mld_table *t = mld_table_new(NULL, NULL);
	const struct mld_entry *e;
	struct mld_msg m;

	CU_ASSERT_EQUAL_FATAL(mld_decode_frame(MLD_LINK_ETHERNET, cap_22, sizeof(cap_22), &m), 0);
	CU_ASSERT_EQUAL(mld_table_apply(t, &m, 100), 1);
	e = find(t, "ff3e::8000:1", "fe80::ec2c:39ff:fe0e:3df");
	CU_ASSERT_FATAL(e != NULL);
	CU_ASSERT(e->has_mac);
	CU_ASSERT_EQUAL(memcmp(e->mac, cap_22 + 6, 6), 0);
	CU_ASSERT_EQUAL(e->n_sources, 2);
	CU_ASSERT_EQUAL_FATAL(mld_decode_frame(MLD_LINK_ETHERNET, cap_27, sizeof(cap_27), &m), 0);
	CU_ASSERT_EQUAL(mld_table_apply(t, &m, 200), 2); /* BLOCK both: leave; TO_EX: join */
	CU_ASSERT_PTR_NULL(find(t, "ff3e::8000:1", "fe80::ec2c:39ff:fe0e:3df"));
	CU_ASSERT_PTR_NOT_NULL(find(t, "ff05::8000:2", "fe80::ec2c:39ff:fe0e:3df"));
	CU_ASSERT_EQUAL_FATAL(mld_decode_frame(MLD_LINK_ETHERNET, cap_35, sizeof(cap_35), &m), 0);
	CU_ASSERT_EQUAL(mld_table_apply(t, &m, 300), 1);
	CU_ASSERT_EQUAL(mld_table_count(t), 0);
	/* Queries change no entry. */
	CU_ASSERT_EQUAL_FATAL(mld_decode_frame(MLD_LINK_ETHERNET, cap_18, sizeof(cap_18), &m), 0);
	CU_ASSERT_EQUAL(mld_table_apply(t, &m, 400), 0);
	mld_table_free(t);
}

struct order {
	char seen[8][96];
	int n;
};

static int visit(void *arg, const struct mld_entry *e)
{
	struct order *o = arg;
	char g[MLD_ADDR_STRLEN], h[MLD_ADDR_STRLEN];

	mld_addr_format(&e->group, g, sizeof(g));
	mld_addr_format(&e->host, h, sizeof(h));
	if (o->n < 8)
		snprintf(o->seen[o->n], sizeof(o->seen[0]), "%s %s", g, h);
	return ++o->n == 100;
}

static void test_foreach_sorted(void)
{
	mld_table *t = mld_table_new(NULL, NULL);
	struct order o = { .n = 0 };

	report(t, "fe80::9", MLD_REC_TO_EX, "ff05::2", NULL, NULL, 1);
	report(t, "fe80::1", MLD_REC_TO_EX, "ff05::2", NULL, NULL, 1);
	report(t, "10.0.0.3", MLD_REC_TO_EX, "239.0.0.9", NULL, NULL, 1);
	report(t, "fe80::5", MLD_REC_TO_EX, "ff05::1", NULL, NULL, 1);
	CU_ASSERT_EQUAL(mld_table_foreach(t, visit, &o), 0);
	CU_ASSERT_EQUAL_FATAL(o.n, 4);
	CU_ASSERT_STRING_EQUAL(o.seen[0], "239.0.0.9 10.0.0.3");
	CU_ASSERT_STRING_EQUAL(o.seen[1], "ff05::1 fe80::5");
	CU_ASSERT_STRING_EQUAL(o.seen[2], "ff05::2 fe80::1");
	CU_ASSERT_STRING_EQUAL(o.seen[3], "ff05::2 fe80::9");
	mld_table_free(t);
	t = mld_table_new(NULL, NULL);
	o.n = 0;
	CU_ASSERT_EQUAL(mld_table_foreach(t, visit, &o), 0);
	CU_ASSERT_EQUAL(o.n, 0);
	mld_table_free(t);
	mld_table_free(NULL);
}

static void test_expiry(void)
{
	struct changes ch = { { 0 }, "" };
	mld_table *t = mld_table_new(on_change, &ch);

	CU_ASSERT_EQUAL(mld_table_max_age_ms(t), MLD_TABLE_DEFAULT_MAX_AGE_MS);
	/* QRV 2, QQI 5 s, max response 1 s: 11 s (the lab's timers). */
	CU_ASSERT_EQUAL(apply_pkt(t, tp_query(pkt, "fe80::fe", 2, 5, 1000), 0), 0);
	CU_ASSERT_EQUAL(mld_table_max_age_ms(t), 11000);
	report(t, "fe80::1", MLD_REC_TO_EX, "ff05::1", NULL, NULL, 1000);
	report(t, "fe80::2", MLD_REC_TO_EX, "ff05::1", NULL, NULL, 1000);
	report(t, "fe80::2", MLD_REC_IS_EX, "ff05::1", NULL, NULL, 9000);
	CU_ASSERT_EQUAL(mld_table_expire(t, 12000), 0);
	CU_ASSERT_EQUAL(mld_table_expire(t, 12001), 1);
	CU_ASSERT_STRING_EQUAL(ch.last, "expire ff05::1 fe80::1 exclude 0");
	CU_ASSERT_EQUAL(mld_table_count(t), 1);
	CU_ASSERT_EQUAL(mld_table_expire(t, 20001), 1);
	CU_ASSERT_EQUAL(ch.n[MLD_CHANGE_EXPIRE], 2);
	/* IGMPv3 query with QRV 0 counts as 2. */
	CU_ASSERT_EQUAL(apply_pkt(t, tp_query(pkt, "10.0.0.254", 0, 10, 2000), 0), 0);
	CU_ASSERT_EQUAL(mld_table_max_age_ms(t), 22000);
	mld_table_free(t);
}

static void test_limits(void)
{
	mld_table *t = mld_table_new(NULL, NULL);
	const struct mld_entry *e;
	struct tp_rec recs[256];
	char groups[256][20];
	int rc = 0;

	/* Sources past MLD_TABLE_MAX_SOURCES are dropped. */
	CU_ASSERT_EQUAL(apply_pkt(t, tp_report_many(pkt, "10.0.0.1", MLD_REC_ALLOW, "232.0.0.1", 1500), 0), 1);
	e = find(t, "232.0.0.1", "10.0.0.1");
	CU_ASSERT_FATAL(e != NULL);
	CU_ASSERT_EQUAL(e->n_sources, MLD_TABLE_MAX_SOURCES);
	CU_ASSERT_EQUAL(apply_pkt(t, tp_report_many(pkt, "fe80::1", MLD_REC_IS_EX, "ff05::1", 2000), 0), 1);
	CU_ASSERT_EQUAL(find(t, "ff05::1", "fe80::1")->n_sources, MLD_TABLE_MAX_SOURCES);
	/* Entries past MLD_TABLE_MAX_ENTRIES are refused. */
	for (int i = 0; i < 256; i++) {
		recs[i].type = MLD_REC_TO_EX;
		recs[i].group = groups[i];
		recs[i].src[0] = NULL;
	}
	for (unsigned h = 0; h < 260 && rc != -ENOSPC; h++) {
		char host[20];

		snprintf(host, sizeof(host), "10.2.%u.%u", h / 250, h % 250 + 1);
		for (int i = 0; i < 256; i++)
			snprintf(groups[i], sizeof(groups[i]), "239.%u.%d.1", 1 + h / 250, i);
		rc = apply_pkt(t, tp_report(pkt, host, recs, 256), 1);
	}
	CU_ASSERT_EQUAL(rc, -ENOSPC);
	CU_ASSERT_EQUAL(mld_table_count(t), MLD_TABLE_MAX_ENTRIES);
	mld_table_free(t);

	/* The sources of all entries together are bounded too. */
	t = mld_table_new(NULL, NULL);
	for (unsigned h = 0; h < 300; h++) {
		char host[20];

		snprintf(host, sizeof(host), "10.3.%u.%u", h / 250, h % 250 + 1);
		apply_pkt(t, tp_report_many(pkt, host, MLD_REC_ALLOW, "232.0.0.1", 1024), 0);
	}
	{
		size_t total = 0;

		for (unsigned h = 0; h < 300; h++) {
			char host[20];
			const struct mld_entry *x;

			snprintf(host, sizeof(host), "10.3.%u.%u", h / 250, h % 250 + 1);
			x = find(t, "232.0.0.1", host);
			total += x ? x->n_sources : 0;
		}
		CU_ASSERT_EQUAL(total, MLD_TABLE_MAX_TOTAL_SOURCES);
	}
	mld_table_free(t);
}

/* ---- random walk against a model ---- */

#define NHOST 2
#define NGROUP 2
#define NSRC 3

struct model {
	bool exists;
	enum mld_mode mode;
	unsigned mask;
};

static void model_apply(struct model *e, unsigned type, unsigned s)
{
	switch (type) {
	case MLD_REC_IS_IN:
	case MLD_REC_TO_IN:
		*e = (struct model){ s != 0, MLD_MODE_INCLUDE, s };
		break;
	case MLD_REC_IS_EX:
	case MLD_REC_TO_EX:
		*e = (struct model){ true, MLD_MODE_EXCLUDE, s };
		break;
	case MLD_REC_ALLOW:
		if (!e->exists)
			*e = (struct model){ s != 0, MLD_MODE_INCLUDE, s };
		else if (e->mode == MLD_MODE_INCLUDE)
			e->mask |= s;
		else
			e->mask &= ~s;
		break;
	case MLD_REC_BLOCK:
		if (!e->exists)
			break;
		if (e->mode == MLD_MODE_INCLUDE) {
			e->mask &= ~s;
			e->exists = e->mask != 0;
		} else {
			e->mask |= s;
		}
		break;
	}
}

static void test_random_walk(void)
{
	static const char *hosts[NHOST] = { "fe80::a", "fe80::b" };
	static const char *groups[NGROUP] = { "ff3e::1", "ff05::2" };
	static const char *srcs[NSRC] = { "2001:db8::1", "2001:db8::2", "2001:db8::3" };
	struct model model[NHOST][NGROUP];
	mld_table *t = mld_table_new(NULL, NULL);

	memset(model, 0, sizeof(model));
	for (int step = 0; step < 5000; step++) {
		unsigned h = (unsigned)tu_rand_below(NHOST), g = (unsigned)tu_rand_below(NGROUP);
		unsigned type = 1 + (unsigned)tu_rand_below(6), mask = (unsigned)tu_rand_below(1u << NSRC);
		struct tp_rec r = { type, groups[g], { NULL } };
		int k = 0;

		for (int i = 0; i < NSRC; i++)
			if (mask & (1u << i))
				r.src[k++] = srcs[i];
		apply_pkt(t, tp_report(pkt, hosts[h], &r, 1), (uint64_t)step);
		model_apply(&model[h][g], type, mask);
		for (unsigned hh = 0; hh < NHOST; hh++) {
			for (unsigned gg = 0; gg < NGROUP; gg++) {
				const struct mld_entry *e = find(t, groups[gg], hosts[hh]);
				const struct model *me = &model[hh][gg];
				unsigned got = 0;

				CU_ASSERT_EQUAL_FATAL(e != NULL, me->exists);
				if (!e)
					continue;
				CU_ASSERT_EQUAL_FATAL(e->mode, me->mode);
				for (size_t i = 0; i < e->n_sources; i++)
					for (int s = 0; s < NSRC; s++) {
						struct mld_addr a;

						mld_addr_parse(srcs[s], &a);
						if (mld_addr_equal(&a, &e->sources[i]))
							got |= 1u << s;
					}
				CU_ASSERT_EQUAL_FATAL(e->n_sources, (size_t)__builtin_popcount(me->mask));
				CU_ASSERT_EQUAL_FATAL(got, me->mask);
			}
		}
	}
	mld_table_free(t);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "SSM join, sources, leave", test_ssm_join_leave },
		{ "ASM and EXCLUDE sets", test_asm_and_exclude },
		{ "MLDv1/IGMPv2 compatibility", test_v1_compat },
		{ "captured sequence", test_captured_sequence },
		{ "foreach is sorted", test_foreach_sorted },
		{ "expiry on the query's interval", test_expiry },
		{ "limits", test_limits },
		{ "random walk against a model", test_random_walk },
		{ NULL, NULL },
	};
	return tu_add_suite("mld_table", tests);
}
