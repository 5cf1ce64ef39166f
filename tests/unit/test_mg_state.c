/* Unit tests of the management server's model (mg_state) on a real store
 * in a temporary folder and a fake clock: registration and tokens, tunes
 * into cross-metro groups, missed heartbeats and silent metros (driven by
 * the clock, no sleeping), NOC actions, line-up changes, and a restart
 * that brings back boxes, groups, keys and counters that never repeat. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mg_auth.h"
#include "mg_state.h"
#include "mg_view.h"
#include "sc_log.h"
#include "tu.h"

static const char *conf =
	"auth = { admins = ( { name = \"noc\"; token = \"9b1e4c7a2f5d8e0b3a6c9f2e5d8b1a4c\"; } );\n"
	"  client_credential = \"4e7a0d3c6f9b2e5a8d1c4f7b0e3a6d9c\";\n"
	"  edge_credential = \"c2f5a8e1b4d7c0f3a6e9b2d5c8f1a4e7\"; };\n"
	"clients = { heartbeat_ms = 1000; missed_heartbeats = 3; };\n"
	"grouping = { metro_silence_ms = 1500; metro_min_clients = 5; };\n"
	"lineup = { metros = (\n"
	" { id = 1; name = \"m1\"; prefixes = [ \"2001:db8:1::/48\" ]; },\n"
	" { id = 2; name = \"m2\"; prefixes = [ \"2001:db8:2::/48\" ]; },\n"
	" { id = 3; name = \"m3\"; prefixes = [ \"2001:db8:3::/48\" ]; },\n"
	" { id = 4; name = \"m4\"; prefixes = [ \"2001:db8:4::/48\" ]; },\n"
	" { id = 5; name = \"m5\"; prefixes = [ \"2001:db8:5::/48\" ]; } );\n"
	" channels = ( { id = 1; name = \"One\"; }, { id = 2; name = \"Two\"; } ); };\n";

static char dir[128], path[160];
static int dbno;
static struct mg_config *cfg;
static sc_clock *clk;
static mg_store *store;
static struct mg_state *st;

/* A fresh store for each test; reopen the same one with again. */
static void up_store(bool again)
{
	struct sc_cfg_err err;
	char why[256] = "";

	if (!again)
		snprintf(path, sizeof(path), "%s/mgmt%d.db", dir, ++dbno);
	CU_ASSERT_EQUAL_FATAL(mg_store_open(path, false, NULL, &store, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL_FATAL(mg_store_start(store), 0);
	if (!cfg)
		CU_ASSERT_EQUAL_FATAL(mg_cfg_load_string(conf, "t.conf", &cfg, &err), 0);
	CU_ASSERT_EQUAL_FATAL(mg_state_new(cfg, clk, store, &st), 0);
	CU_ASSERT_EQUAL_FATAL(mg_state_load(st, why, sizeof(why)), 0);
}

static void up(void)
{
	up_store(false);
}

static void down(void)
{
	mg_state_flush(st, true);
	mg_store_drain(store);
	mg_state_free(st);
	mg_store_close(store);
	st = NULL;
	store = NULL;
}

static int suite_init(void)
{
	sc_log_set_level(LOG_ERR);
	mg_auth_init();
	snprintf(dir, sizeof(dir), "/tmp/sixcast-state-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	clk = sc_clock_fake_new(1000 * SC_NS_PER_S);
	return 0;
}

static int suite_clean(void)
{
	char p[200];
	static const char *const sfx[] = { "", "-wal", "-shm" };

	for (int n = 1; n <= dbno; n++)
		for (int i = 0; i < 3; i++) {
			snprintf(p, sizeof(p), "%s/mgmt%d.db%s", dir, n, sfx[i]);
			unlink(p);
		}
	rmdir(dir);
	mg_cfg_free(cfg);
	sc_clock_free(clk);
	return 0;
}

/* Register box dev with one IPv6 address in metro m. */
static struct mg_client *reg(const char *dev, unsigned m, unsigned host, char *token)
{
	struct mg_register r = { .device_id = dev, .naddr = 1 };
	struct mg_batch *b = mg_batch_new();
	struct mg_client *c = NULL;
	struct sc_sockaddr a;
	char txt[64];

	snprintf(txt, sizeof(txt), "[2001:db8:%x::%x]:5100", m, host);
	sc_addr_parse(txt, 0, &a);
	mg_caddr_from(&r.addrs[0], &a);
	CU_ASSERT_EQUAL(mg_client_register(st, &r, token, &c, b), 0);
	mg_store_submit(store, b, NULL, NULL);
	return c;
}

static void test_register(void)
{
	char t1[MG_TOKEN_BUF], t2[MG_TOKEN_BUF];
	struct mg_client *c, *again;

	up();
	c = reg("stb-1", 2, 1, t1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->metro, 2);
	CU_ASSERT(mg_client_token_ok(c, t1));
	again = reg("stb-1", 3, 1, t2);
	CU_ASSERT_PTR_EQUAL(again, c);
	CU_ASSERT_EQUAL(c->metro, 3); /* the box moved: its prefix says so */
	CU_ASSERT_FALSE(mg_client_token_ok(c, t1));
	CU_ASSERT(mg_client_token_ok(c, t2));
	CU_ASSERT_PTR_EQUAL(mg_client_by_device(st, "stb-1"), c);
	down();
}

static void test_tune_groups(void)
{
	struct mg_client *c[6];
	char tok[MG_TOKEN_BUF], dev[16];
	const struct grp_group *g;
	struct mg_jw w;
	json_t *a, *b;
	size_t len;
	char *text;

	up();
	for (int i = 0; i < 6; i++) {
		snprintf(dev, sizeof(dev), "tg-%d", i);
		c[i] = reg(dev, (unsigned)(i % 5) + 1, (unsigned)i + 10, tok);
		CU_ASSERT_EQUAL(mg_client_tune(st, c[i], 1), 0);
	}
	g = mg_client_group(c[0]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	CU_ASSERT_EQUAL(grp_group_size(g), 5);
	CU_ASSERT(grp_group_distinct(g));
	CU_ASSERT_PTR_NOT_EQUAL(mg_client_group(c[5]), g); /* metro 1 again: another group */
	CU_ASSERT_EQUAL(mg_client_tune(st, c[0], 99), -ENOENT);
	/* The hand-written group JSON is the jansson view, field for field. */
	mg_jw_init(&w);
	mg_jw_group(&w, st, g, true);
	text = mg_jw_take(&w, &len);
	a = json_loads(text, 0, NULL);
	b = mg_view_group(st, g, true, false);
	CU_ASSERT(json_equal(a, b));
	free(text);
	json_decref(a);
	json_decref(b);
	down();
}

static void beat(struct mg_client *c)
{
	struct mg_heartbeat hb = { .channel = c->channel };

	CU_ASSERT_EQUAL(mg_client_heartbeat(st, c, &hb), 0);
}

static void test_missed_heartbeats(void)
{
	struct mg_client *c, *d;
	char tok[MG_TOKEN_BUF];

	up();
	c = reg("hb-1", 1, 100, tok);
	d = reg("hb-2", 2, 100, tok);
	mg_client_tune(st, c, 2);
	mg_client_tune(st, d, 2);
	CU_ASSERT_PTR_EQUAL(mg_client_group(c), mg_client_group(d));
	for (int s = 0; s < 5; s++) {
		sc_clock_fake_advance(clk, SC_NS_PER_S);
		beat(d);
		mg_state_sweep(st);
	}
	/* c missed three periods: out of its group, still tuned. */
	CU_ASSERT_FALSE(c->live);
	CU_ASSERT_PTR_NULL(mg_client_group(c));
	CU_ASSERT_EQUAL(c->channel, 2);
	CU_ASSERT_EQUAL(grp_group_size(mg_client_group(d)), 1);
	/* Heard again: back in a group. */
	beat(c);
	CU_ASSERT(c->live);
	CU_ASSERT_PTR_EQUAL(mg_client_group(c), mg_client_group(d));
	down();
}

static void test_silent_metro(void)
{
	struct mg_client *c[25];
	char tok[MG_TOKEN_BUF], dev[16];
	struct mg_metro *m1;
	size_t in_groups = 0;

	up();
	for (int i = 0; i < 25; i++) {
		snprintf(dev, sizeof(dev), "sm-%d", i);
		c[i] = reg(dev, (unsigned)(i % 5) + 1, 200 + (unsigned)i, tok);
		mg_client_tune(st, c[i], 1);
	}
	m1 = mg_metro_get(st, 1);
	/* Metro 1's five boxes fall silent; the others go on. After 1.5 s of
	 * silence (half their own timeout) the metro is declared down. */
	for (int t = 0; t < 8; t++) {
		sc_clock_fake_advance(clk, 250 * SC_NS_PER_MS);
		for (int i = 0; i < 25; i++)
			if (c[i]->metro != 1 && t % 2)
				beat(c[i]);
		mg_state_sweep(st);
	}
	CU_ASSERT(m1->silent);
	CU_ASSERT_EQUAL(m1->silenced, 5);
	CU_ASSERT_EQUAL(m1->live, 0);
	for (int i = 0; i < 25; i++) {
		const struct grp_group *g = mg_client_group(c[i]);

		if (c[i]->metro == 1) {
			CU_ASSERT_PTR_NULL(g);
			continue;
		}
		in_groups++;
		for (unsigned k = 0; g && k < grp_group_size(g); k++)
			CU_ASSERT_NOT_EQUAL(grp_group_member(g, k)->metro, 1);
	}
	CU_ASSERT_EQUAL(in_groups, 20);
	beat(c[0]);
	CU_ASSERT_FALSE(m1->silent);
	CU_ASSERT_PTR_NOT_NULL(mg_client_group(c[0]));
	down();
}

static void test_silence_scales(void)
{
	static struct mg_client *c[120];
	char tok[MG_TOKEN_BUF], dev[16];

	up();
	/* 100 boxes in metro 1: 100 heartbeats a second, so 500 ms (the
	 * floor) of silence is enough, well under metro_silence_ms (1.5 s). */
	for (int i = 0; i < 120; i++) {
		snprintf(dev, sizeof(dev), "ss-%d", i);
		c[i] = reg(dev, i < 100 ? 1 : 2, 500 + (unsigned)i, tok);
		mg_client_tune(st, c[i], 1);
	}
	for (int t = 0; t < 3; t++) {
		sc_clock_fake_advance(clk, 250 * SC_NS_PER_MS);
		for (int i = 100; i < 120; i++)
			beat(c[i]);
		mg_state_sweep(st);
	}
	CU_ASSERT(mg_metro_get(st, 1)->silent);
	CU_ASSERT_FALSE(mg_metro_get(st, 2)->silent);
	down();
	/* Nobody heard at all: no metro is blamed. */
	up();
	for (int i = 0; i < 120; i++) {
		snprintf(dev, sizeof(dev), "sq-%d", i);
		c[i] = reg(dev, i < 100 ? 1 : 2, 700 + (unsigned)i, tok);
		mg_client_tune(st, c[i], 1);
	}
	for (int t = 0; t < 8; t++) {
		sc_clock_fake_advance(clk, 250 * SC_NS_PER_MS);
		mg_state_sweep(st);
	}
	CU_ASSERT_FALSE(mg_metro_get(st, 1)->silent);
	CU_ASSERT_FALSE(mg_metro_get(st, 2)->silent);
	down();
}

static void test_noc_actions(void)
{
	struct mg_client *c, *d;
	char tok[MG_TOKEN_BUF];
	struct mg_batch *b = mg_batch_new();
	struct mg_metro_def md = { .id = 9, .name = "nine" };

	up();
	c = reg("noc-1", 1, 300, tok);
	d = reg("noc-2", 2, 300, tok);
	mg_client_tune(st, c, 1);
	mg_client_tune(st, d, 1);
	/* Kick: out of its group, token gone. */
	mg_client_kick(st, c, false, "admin:noc", "test", b);
	CU_ASSERT_FALSE(mg_client_token_ok(c, tok));
	CU_ASSERT_PTR_NULL(mg_client_group(c));
	/* Pin d to metro 1, then back to its prefix. */
	mg_client_set_metro(st, d, 1, true, "admin:noc", b);
	CU_ASSERT_EQUAL(d->metro, 1);
	CU_ASSERT_EQUAL(d->pinned, MG_PIN_NOC);
	mg_client_set_metro(st, d, 0, false, "admin:noc", b);
	CU_ASSERT_EQUAL(d->metro, 2);
	/* A new metro that takes d's /64: d follows its prefix there. */
	sc_prefix_parse("2001:db8:2::/64", &md.prefix[md.nprefix++]);
	CU_ASSERT_EQUAL(mg_metro_put(st, &md, "admin:noc", b, NULL, 0), 0);
	CU_ASSERT_EQUAL(d->metro, 9);
	/* A deleted channel untunes its boxes. */
	CU_ASSERT_EQUAL(mg_channel_delete(st, 1, "admin:noc", b), 0);
	CU_ASSERT_EQUAL(d->channel, 0);
	CU_ASSERT_PTR_NULL(mg_client_group(d));
	mg_store_submit(store, b, NULL, NULL);
	down();
}

struct seen {
	uint32_t group, version;
	uint8_t key[32];
};

static void test_restart(void)
{
	struct mg_client *c[10];
	struct seen s[10];
	char tok[MG_TOKEN_BUF], dev[16];
	uint32_t maxver = 0;

	up();
	for (int i = 0; i < 10; i++) {
		const struct grp_group *g;

		snprintf(dev, sizeof(dev), "rs-%d", i);
		c[i] = reg(dev, (unsigned)(i % 5) + 1, 400 + (unsigned)i, tok);
		mg_client_tune(st, c[i], 2);
		g = mg_client_group(c[i]);
		if (grp_group_version(g) > maxver)
			maxver = grp_group_version(g);
	}
	for (int i = 0; i < 10; i++) {
		const struct grp_group *g = mg_client_group(c[i]);

		s[i].group = grp_group_id(g);
		s[i].version = grp_group_version(g);
		memcpy(s[i].key, grp_group_key(g), 32);
	}
	down();
	up_store(true);
	for (int i = 0; i < 10; i++) {
		struct mg_client *x;
		const struct grp_group *g;

		snprintf(dev, sizeof(dev), "rs-%d", i);
		x = mg_client_by_device(st, dev);
		CU_ASSERT_PTR_NOT_NULL_FATAL(x);
		CU_ASSERT(x->live); /* given a grace period */
		g = mg_client_group(x);
		CU_ASSERT_PTR_NOT_NULL_FATAL(g);
		CU_ASSERT_EQUAL(grp_group_id(g), s[i].group);
		CU_ASSERT_EQUAL(grp_group_version(g), s[i].version);
		CU_ASSERT_EQUAL(memcmp(grp_group_key(g), s[i].key, 32), 0);
	}
	/* New versions after a restart are above anything handed out. */
	{
		char t[MG_TOKEN_BUF];
		struct mg_client *n = reg("rs-new", 1, 999, t);

		mg_client_tune(st, n, 2);
		CU_ASSERT(grp_group_version(mg_client_group(n)) > maxver);
	}
	down();
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "registration and tokens", test_register },
		{ "tune into cross-metro groups", test_tune_groups },
		{ "missed heartbeats", test_missed_heartbeats },
		{ "a silent metro", test_silent_metro },
		{ "silence scales with the metro", test_silence_scales },
		{ "NOC actions and line-up changes", test_noc_actions },
		{ "restart restores groups and keys", test_restart },
		{ NULL, NULL },
	};
	CU_pSuite s = CU_add_suite("mg_state", suite_init, suite_clean);

	if (!s)
		return CU_get_error();
	for (const struct tu_test *t = tests; t->name; t++)
		if (!CU_add_test(s, t->name, t->fn))
			return CU_get_error();
	return 0;
}
