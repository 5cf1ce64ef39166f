/* Unit tests of player: a GStreamer-made H.264 TS pushed in pieces through
 * the sixcast-play helper is decoded (frames counted at a fakesink), and a
 * restart starts over. */
#include "config.h"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <string.h>

#include "player.h"
#include "tu.h"

/* 2 s of 25 fps H.264 in MPEG-TS, made by GStreamer. */
static GByteArray *make_ts(void)
{
	GstElement *pipe = gst_parse_launch("videotestsrc num-buffers=50 ! video/x-raw,width=160,height=120,"
					    "framerate=25/1 ! x264enc key-int-max=25 speed-preset=ultrafast "
					    "tune=zerolatency ! h264parse ! mpegtsmux ! appsink name=out sync=false",
					    NULL);
	GstElement *sink = gst_bin_get_by_name(GST_BIN(pipe), "out");
	GByteArray *ts = g_byte_array_new();
	GstSample *s;

	gst_element_set_state(pipe, GST_STATE_PLAYING);
	while ((s = gst_app_sink_pull_sample(GST_APP_SINK(sink)))) {
		GstMapInfo m;

		gst_buffer_map(gst_sample_get_buffer(s), &m, GST_MAP_READ);
		g_byte_array_append(ts, m.data, (guint)m.size);
		gst_buffer_unmap(gst_sample_get_buffer(s), &m);
		gst_sample_unref(s);
	}
	gst_element_set_state(pipe, GST_STATE_NULL);
	gst_object_unref(sink);
	gst_object_unref(pipe);
	return ts;
}

static void play(sc_loop *l, player *p, const GByteArray *ts, struct player_stats *st)
{
	/* 7 TS packets at a time, as the playback buffer releases them. */
	for (guint off = 0; off < ts->len; off += 7 * 188) {
		guint n = ts->len - off < 7 * 188 ? ts->len - off : 7 * 188;

		player_push(p, ts->data + off, n);
		sc_loop_run_once(l, 0);
	}
	for (int i = 0; i < 300; i++) {
		player_get_stats(p, st);
		if (st->frames >= 40)
			break;
		sc_loop_run_once(l, 10);
	}
}

static void test_decode(void)
{
	sc_loop *l = sc_loop_new(sc_clock_system());
	struct player_cfg cfg = { "fakesink sync=false", "fakesink sync=false", PLAY_HELPER };
	GByteArray *ts = make_ts();
	struct player_stats st;
	player *p;

	CU_ASSERT_FATAL(ts->len > 10000);
	CU_ASSERT_EQUAL_FATAL(player_new(l, &cfg, NULL, &p), 0);
	play(l, p, ts, &st);
	CU_ASSERT(st.frames >= 40);
	CU_ASSERT(st.first_frame_ns >= st.started_ns);
	player_restart(p);
	player_get_stats(p, &st);
	CU_ASSERT_EQUAL(st.frames, 0);
	CU_ASSERT_EQUAL(st.restarts, 1);
	play(l, p, ts, &st);
	CU_ASSERT(st.frames >= 40);
	player_free(p);
	g_byte_array_unref(ts);
	sc_loop_free(l);
}

static void test_bad_sink(void)
{
	sc_loop *l = sc_loop_new(sc_clock_system());
	struct player_cfg cfg = { "nosuchsinkelement", "fakesink", PLAY_HELPER };
	player *p;
	uint8_t ts[188] = { 0x47 };

	/* A sink that cannot be made: logged, nothing plays, nothing breaks. */
	CU_ASSERT_EQUAL_FATAL(player_new(l, &cfg, NULL, &p), 0);
	player_push(p, ts, sizeof(ts));
	player_free(p);
	sc_loop_free(l);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "decode and restart", test_decode },
		{ "a sink that does not exist", test_bad_sink },
		{ NULL, NULL },
	};
	gst_init(NULL, NULL);
	return tu_add_suite("player", tests);
}
