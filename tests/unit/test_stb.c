/* Unit tests of the set-top box daemon's core (stb): the whole box, in
 * process, on an sc_loop over a fake clock, against a fake management
 * server (tu_stb.h: an sc_httpd on loopback in the same loop) that
 * answers register, channels, tune, heartbeat and leave in the shapes of
 * docs/api.md (certificates from a test CA, tu_ident.h) and counts what
 * it got. Time only moves through the fake clock: advance() moves it in
 * small steps and pumps the loop until no request of the box is in
 * flight.
 *
 * The box joins multicast on a veth of a private network namespace
 * (mld_netns.h): loopback has no global address, so a tuner cannot join
 * there. Without a namespace (no user namespaces) the box runs on "lo"
 * and the tests that need a tuner say so and skip that part.
 *
 * Covered: registration and the heartbeat period; an outage (503) with
 * the doubling, capped backoff and the return; the server down at start;
 * a group change in a heartbeat answer; tune and zap through the control
 * API; a kick (401 to the token): the box registers again. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "mld_netns.h"
#include "tu.h"
#include "tu_stb.h"


/* 1. The box registers, keeps its id and token, and heartbeats once per
 * heartbeat_ms of the registration answer, every one with that token. */
static void test_register_heartbeat(void)
{
	struct tu_fake f;
	struct tu_seen *b = &f.box[0];
	json_t *st;

	tu_fake_up(&f);
	tu_boxes[0] = tu_box_new(&f, "stb-1");
	tu_settle(&f);
	CU_ASSERT_EQUAL(b->reg, 1);
	CU_ASSERT_EQUAL(b->chans, 1);
	CU_ASSERT_EQUAL(tu_boxes[0]->mg, MG_READY);
	CU_ASSERT_EQUAL(tu_boxes[0]->reg.client_id, TU_ID0);
	CU_ASSERT_STRING_EQUAL(tu_boxes[0]->reg.token, b->token);
	CU_ASSERT_EQUAL(tu_boxes[0]->n_chans, 2);
	CU_ASSERT_EQUAL(b->hb, 1); /* the first at once, after the line-up */
	tu_advance(&f, 10 * SC_NS_PER_S);
	CU_ASSERT_EQUAL(b->hb, 11);
	for (size_t i = 1; i < b->n_hb_at; i++)
		CU_ASSERT_EQUAL(b->hb_at[i] - b->hb_at[i - 1], TU_HB_MS * SC_NS_PER_MS);
	CU_ASSERT_EQUAL(b->reg, 1);
	CU_ASSERT_EQUAL(b->bad_token, 0);
	st = tu_status(&f, tu_boxes[0]);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(st, "client_id")), TU_ID0);
	CU_ASSERT_TRUE(json_is_true(json_object_get(st, "mgmt_up")));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(st, "metro")), "metro-a");
	json_decref(st);
	/* Leaving is said to the server. */
	stb_free(tu_boxes[0], 1000);
	tu_boxes[0] = NULL;
	CU_ASSERT_EQUAL(b->leave, 1);
	tu_fake_down(&f);
}

/* Two boxes that failed at the same instant do not retry in lockstep:
 * after the first retries, their instants differ (jitter). */
static void check_jitter(const struct tu_fake *f)
{
	size_t same = 0, n = f->box[0].n_fail_at < f->box[1].n_fail_at ? f->box[0].n_fail_at : f->box[1].n_fail_at;

	for (size_t i = 1; i < n; i++)
		same += f->box[0].fail_at[i] == f->box[1].fail_at[i];
	CU_ASSERT(n >= 6);
	CU_ASSERT(same < n / 2);
}

/* The gaps between a box's refused requests: each in the upper half of a
 * step that doubles from 0.5 s up to retry_max_ms (the loop's 50 ms tick
 * rounds an instant up). */
static void check_backoff(const struct tu_seen *b)
{
	uint64_t step = 500 * SC_NS_PER_MS, gap;

	CU_ASSERT_FATAL(b->n_fail_at >= 6);
	for (size_t i = 1; i < b->n_fail_at; i++) {
		gap = b->fail_at[i] - b->fail_at[i - 1];
		CU_ASSERT(gap + TU_STEP_NS >= step / 2 && gap <= step + TU_STEP_NS);
		step = step * 2 > TU_RETRY_MAX_MS * SC_NS_PER_MS ? TU_RETRY_MAX_MS * SC_NS_PER_MS : step * 2;
	}
}

/* 2. An outage (503) while two boxes heartbeat: each retries with a
 * doubling backoff capped at retry_max_ms, keeps its id, token and line-up
 * (status says the server is away), and resumes heartbeating without
 * registering again once the server answers; the two boxes' retries
 * are not in lockstep (jitter). */
static void test_outage(void)
{
	struct tu_fake f;
	struct stb_tuner *t0;
	char tok[2][96];
	uint64_t back;
	json_t *st;

	tu_fake_up(&f);
	tu_boxes[0] = tu_box_new(&f, "stb-1");
	tu_boxes[1] = tu_box_new(&f, "stb-2");
	tu_advance(&f, 2 * SC_NS_PER_S);
	tu_api_tune(&f, 1);
	t0 = tu_boxes[0]->t;
	memcpy(tok[0], tu_boxes[0]->reg.token, sizeof(tok[0]));
	memcpy(tok[1], tu_boxes[1]->reg.token, sizeof(tok[1]));
	f.status = 503;
	tu_advance(&f, 40 * SC_NS_PER_S);
	/* Keeps playing what it played. */
	CU_ASSERT_PTR_EQUAL(tu_boxes[0]->t, t0);
	check_jitter(&f);
	for (int i = 0; i < TU_MAX_BOXES; i++) {
		check_backoff(&f.box[i]);
		CU_ASSERT_FALSE(tu_boxes[i]->mgmt_up);
		CU_ASSERT_EQUAL(tu_boxes[i]->mg, MG_READY);
		CU_ASSERT_STRING_EQUAL(tu_boxes[i]->reg.token, tok[i]);
		CU_ASSERT_EQUAL(tu_boxes[i]->n_chans, 2);
	}
	st = tu_status(&f, tu_boxes[0]);
	CU_ASSERT_TRUE(json_is_false(json_object_get(st, "mgmt_up")));
	CU_ASSERT_PTR_NOT_NULL(strstr(json_string_value(json_object_get(st, "mgmt_error")), "503"));
	json_decref(st);
	/* Back: the next retry (at most retry_max_ms away) gets through. */
	f.status = 0;
	back = sc_clock_now_ns(f.clk);
	tu_advance(&f, TU_RETRY_MAX_MS * SC_NS_PER_MS + 3 * SC_NS_PER_S);
	for (int i = 0; i < TU_MAX_BOXES; i++) {
		struct tu_seen *b = &f.box[i];

		CU_ASSERT_TRUE(tu_boxes[i]->mgmt_up);
		CU_ASSERT_EQUAL(tu_boxes[i]->backoff.step_ns, 0);
		CU_ASSERT_EQUAL(b->reg, 1);
		CU_ASSERT_EQUAL(b->bad_token, 0);
		CU_ASSERT_FATAL(b->n_hb_at >= 3);
		CU_ASSERT(b->hb_at[b->n_hb_at - 3] >= back);
		CU_ASSERT_EQUAL(b->hb_at[b->n_hb_at - 1] - b->hb_at[b->n_hb_at - 2], TU_HB_MS * SC_NS_PER_MS);
	}
	tu_boxes_free();
	tu_fake_down(&f);
}

/* 2b. The server down when the box starts: registration is retried with
 * the same backoff, and the box registers and heartbeats once it is up. */
static void test_down_at_start(void)
{
	struct tu_fake f;
	struct tu_seen *b = &f.box[0];

	tu_fake_up(&f);
	f.status = 503;
	tu_boxes[0] = tu_box_new(&f, "stb-1");
	tu_advance(&f, 20 * SC_NS_PER_S);
	CU_ASSERT_EQUAL(tu_boxes[0]->mg, MG_REGISTERING);
	CU_ASSERT_EQUAL(tu_boxes[0]->reg.client_id, 0);
	/* the first attempt at start, then steps of 0.5, 1, 2, 4, 8 s */
	check_backoff(b);
	f.status = 0;
	tu_advance(&f, TU_RETRY_MAX_MS * SC_NS_PER_MS + 2 * SC_NS_PER_S);
	CU_ASSERT_EQUAL(b->reg, 1);
	CU_ASSERT_EQUAL(tu_boxes[0]->mg, MG_READY);
	CU_ASSERT_EQUAL(tu_boxes[0]->reg.client_id, TU_ID0);
	CU_ASSERT(b->hb >= 2);
	tu_boxes_free();
	tu_fake_down(&f);
}

/* 3. A new group in a heartbeat answer is applied to the tuned channel at
 * once (its members' certificates learned), and the box polls again at
 * once with the version it now holds. */
static void test_group_change(void)
{
	struct tu_fake f;
	struct tu_seen *b = &f.box[0];
	json_int_t peers0;
	unsigned hb0;
	json_t *st;

	tu_fake_up(&f);
	tu_boxes[0] = tu_box_new(&f, "stb-1");
	tu_advance(&f, SC_NS_PER_S);
	tu_api_tune(&f, 1);
	if (!tu_need_tuner(tu_boxes[0], "the group change"))
		goto out;
	CU_ASSERT_EQUAL(tu_boxes[0]->t->group_id, 5);
	peers0 = tu_box_peers(&f);
	f.group_id = 7;
	f.group_version = 2;
	f.n_members = 3;
	f.group_pending = true;
	hb0 = b->hb;
	tu_advance(&f, TU_HB_MS * SC_NS_PER_MS);
	CU_ASSERT_EQUAL(b->hb, hb0 + 2);
	CU_ASSERT_EQUAL(b->hb_at[b->n_hb_at - 1], b->hb_at[b->n_hb_at - 2]);
	CU_ASSERT_EQUAL(b->hb_group_version, 2);
	st = tu_status(&f, tu_boxes[0]);
	CU_ASSERT_EQUAL(tu_group_field(st, "id"), 7);
	CU_ASSERT_EQUAL(tu_group_field(st, "version"), 2);
	json_decref(st);
	/* 101 was a member already (its new certificate replaces the old):
	 * 102 and 103 are new peers of the box's identity. */
	CU_ASSERT_EQUAL(tu_box_peers(&f), peers0 + 2);
	/* Then the period again. */
	tu_advance(&f, 2 * TU_HB_MS * SC_NS_PER_MS);
	CU_ASSERT_EQUAL(b->hb, hb0 + 4);
out:
	tu_boxes_free();
	tu_fake_down(&f);
}

/* 4. Tune and zap through the control API: each asks the server (tune
 * with the channel id) and joins the channel with the group it gave. */
static void test_tune_zap(void)
{
	struct tu_fake f;
	struct tu_seen *b = &f.box[0];
	char buf[4096];
	json_t *st;

	tu_fake_up(&f);
	tu_boxes[0] = tu_box_new(&f, "stb-1");
	tu_advance(&f, SC_NS_PER_S);
	/* not in the line-up: refused, nothing asked */
	CU_ASSERT_PTR_NOT_NULL(strstr(tu_api(&f, tu_boxes[0], "POST", "/api/tune", "{\"channel\": 9}", buf, sizeof(buf)),
				      "not in the line-up"));
	CU_ASSERT_EQUAL(b->tune, 0);
	tu_api_tune(&f, 1);
	CU_ASSERT_EQUAL(b->tune, 1);
	CU_ASSERT_EQUAL(b->tune_ch, 1);
	CU_ASSERT_TRUE(tu_boxes[0]->tune_confirmed);
	if (!tu_need_tuner(tu_boxes[0], "the join"))
		goto out;
	CU_ASSERT_EQUAL(tu_boxes[0]->t->ch.id, 1);
	CU_ASSERT_EQUAL(tu_boxes[0]->t->family, AF_INET6);
	CU_ASSERT_TRUE(tu_boxes[0]->t->has_group);
	/* zap up: channel 2 */
	CU_ASSERT_PTR_NOT_NULL(strstr(tu_api(&f, tu_boxes[0], "POST", "/api/up", "", buf, sizeof(buf)), "\"channel\":2"));
	CU_ASSERT_EQUAL(b->tune, 2);
	CU_ASSERT_EQUAL(b->tune_ch, 2);
	st = tu_status(&f, tu_boxes[0]);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(st, "channel"), "id")), 2);
	CU_ASSERT_EQUAL(tu_group_field(st, "id"), 5);
	json_decref(st);
	/* the heartbeat says which channel the box plays */
	tu_advance(&f, TU_HB_MS * SC_NS_PER_MS);
	CU_ASSERT_EQUAL(b->tune, 2);
out:
	tu_boxes_free();
	tu_fake_down(&f);
}

/* 5. A kick: the server answers 401 to the token. The box drops it,
 * registers again after the first backoff step (0.5 s), gets a new token,
 * tells the server again the channel it plays (the tuner, under the same
 * id, plays on) and heartbeats with the new token. */
static void test_kick(void)
{
	struct tu_fake f;
	struct tu_seen *b = &f.box[0];
	struct stb_tuner *t0;
	char old[96];

	tu_fake_up(&f);
	tu_boxes[0] = tu_box_new(&f, "stb-1");
	tu_advance(&f, SC_NS_PER_S);
	tu_api_tune(&f, 1);
	t0 = tu_boxes[0]->t;
	memcpy(old, b->token, sizeof(old));
	b->token[0] = '\0'; /* kicked: the token is void */
	tu_advance(&f, TU_HB_MS * SC_NS_PER_MS + 600 * SC_NS_PER_MS);
	CU_ASSERT_EQUAL(b->bad_token, 1);
	CU_ASSERT_EQUAL(b->reg, 2);
	CU_ASSERT_EQUAL(tu_boxes[0]->mg, MG_READY);
	CU_ASSERT_EQUAL(tu_boxes[0]->reg.client_id, TU_ID0);
	CU_ASSERT_STRING_EQUAL(tu_boxes[0]->reg.token, b->token);
	CU_ASSERT_STRING_NOT_EQUAL(b->token, old);
	CU_ASSERT_EQUAL(b->tune, 2);
	CU_ASSERT_EQUAL(b->tune_ch, 1);
	if (tu_need_tuner(tu_boxes[0], "the tuner after a kick")) {
		CU_ASSERT_EQUAL(tu_boxes[0]->t->ch.id, 1);
		/* Same id: the picture goes on (no leave and join). */
		CU_ASSERT_PTR_EQUAL(tu_boxes[0]->t, t0);
	}
	tu_advance(&f, 2 * TU_HB_MS * SC_NS_PER_MS);
	CU_ASSERT_EQUAL(b->bad_token, 1);
	CU_ASSERT(b->hb >= 2);
	tu_boxes_free();
	tu_fake_down(&f);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "registration, then heartbeats on the period", test_register_heartbeat },
		{ "outage: doubling backoff, state kept, heartbeats resume", test_outage },
		{ "server down at start: registration retried", test_down_at_start },
		{ "a group change in a heartbeat answer is applied", test_group_change },
		{ "tune and zap through the control API", test_tune_zap },
		{ "kick: 401 to the token, the box registers again", test_kick },
		{ NULL, NULL },
	};
	tu_stb_enter_netns();
	return tu_add_suite("stb", tests);
}
