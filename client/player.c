/* player: playbin fed from an appsrc; see player.h.
 *
 * The decoded-frame probe runs on GStreamer's streaming thread, so its
 * counters are atomics; everything else runs on the event loop. The bus is
 * polled from a timer, as the daemon has no GLib main loop. */
#include "config.h"

#include "player.h"

#include <errno.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define BUS_POLL_NS (250 * SC_NS_PER_MS)

struct player {
	sc_loop *loop;
	char *vsink, *asink;
	struct sc_logger lg;
	GstElement *pipe;
	GstElement *src;
	sc_timer *bus_timer;
	atomic_uint_fast64_t frames, first_frame_ns;
	uint64_t started_ns, restarts, errors, bytes;
	GstBufferList *early; /* data that came before playbin made its source */
};

static uint64_t now_ns(void)
{
	return sc_clock_now_ns(sc_clock_system());
}

static GstPadProbeReturn on_frame(GstPad *pad, GstPadProbeInfo *info, gpointer arg)
{
	player *p = arg;
	uint_fast64_t zero = 0;

	(void)pad;
	(void)info;
	atomic_compare_exchange_strong(&p->first_frame_ns, &zero, now_ns());
	atomic_fetch_add(&p->frames, 1);
	return GST_PAD_PROBE_OK;
}

static GstElement *make_sink(player *p, const char *desc, bool video)
{
	GError *e = NULL;
	GstElement *bin = gst_parse_bin_from_description(desc, TRUE, &e);
	GstPad *pad;

	if (!bin) {
		sc_logf(&p->lg, LOG_ERR, "player: %s sink \"%s\": %s", video ? "video" : "audio", desc,
			e ? e->message : "?");
		g_clear_error(&e);
		return NULL;
	}
	if (video && (pad = gst_element_get_static_pad(bin, "sink"))) {
		gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, on_frame, p, NULL);
		gst_object_unref(pad);
	}
	return bin;
}

static void on_source_setup(GstElement *playbin, GstElement *source, gpointer arg)
{
	player *p = arg;
	GstCaps *caps = gst_caps_new_simple("video/mpegts", "systemstream", G_TYPE_BOOLEAN, TRUE, "packetsize",
					    G_TYPE_INT, 188, NULL);

	(void)playbin;
	g_object_set(source, "is-live", TRUE, "format", GST_FORMAT_BYTES, "caps", caps, "max-bytes",
		     (guint64)(4 << 20), "block", FALSE, NULL);
	gst_caps_unref(caps);
	p->src = gst_object_ref(source);
}

static void stop(player *p)
{
	if (!p->pipe)
		return;
	gst_element_set_state(p->pipe, GST_STATE_NULL);
	gst_object_unref(p->pipe);
	if (p->src)
		gst_object_unref(p->src);
	p->pipe = p->src = NULL;
	if (p->early)
		gst_buffer_list_unref(p->early);
	p->early = NULL;
	sc_timer_stop(p->bus_timer);
}

static void poll_bus(void *arg)
{
	player *p = arg;
	GstBus *bus;
	GstMessage *m;

	if (!p->pipe)
		return;
	bus = gst_element_get_bus(p->pipe);
	while ((m = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR))) {
		GError *e = NULL;

		gst_message_parse_error(m, &e, NULL);
		sc_logf(&p->lg, LOG_WARNING, "player: %s; restarting", e ? e->message : "error");
		g_clear_error(&e);
		gst_message_unref(m);
		p->errors++;
		gst_object_unref(bus);
		/* Start over with the next data. */
		stop(p);
		return;
	}
	gst_object_unref(bus);
	sc_timer_arm(p->bus_timer, BUS_POLL_NS);
}

static int start(player *p)
{
	GstElement *vs, *as;

	p->pipe = gst_element_factory_make("playbin", NULL);
	vs = make_sink(p, p->vsink, true);
	as = make_sink(p, p->asink, false);
	if (!p->pipe || !vs || !as) {
		if (vs)
			gst_object_unref(vs);
		if (as)
			gst_object_unref(as);
		if (p->pipe)
			gst_object_unref(p->pipe);
		p->pipe = NULL;
		return -EINVAL;
	}
	g_object_set(p->pipe, "uri", "appsrc://", "video-sink", vs, "audio-sink", as, NULL);
	g_signal_connect(p->pipe, "source-setup", G_CALLBACK(on_source_setup), p);
	atomic_store(&p->frames, 0);
	atomic_store(&p->first_frame_ns, 0);
	gst_element_set_state(p->pipe, GST_STATE_PLAYING);
	sc_timer_arm(p->bus_timer, BUS_POLL_NS);
	return 0;
}

int player_new(sc_loop *loop, const struct player_cfg *cfg, const struct sc_logger *lg, player **out)
{
	player *p = calloc(1, sizeof(*p));

	*out = NULL;
	if (!p)
		return -ENOMEM;
	p->loop = loop;
	if (lg)
		p->lg = *lg;
	p->vsink = strdup(cfg->video_sink ? cfg->video_sink : "autovideosink");
	p->asink = strdup(cfg->audio_sink ? cfg->audio_sink : "autoaudiosink");
	p->bus_timer = sc_timer_new(loop, poll_bus, p);
	if (!p->vsink || !p->asink || !p->bus_timer) {
		player_free(p);
		return -ENOMEM;
	}
	p->started_ns = now_ns();
	*out = p;
	return 0;
}

void player_free(player *p)
{
	if (!p)
		return;
	stop(p);
	sc_timer_free(p->bus_timer);
	free(p->vsink);
	free(p->asink);
	free(p);
}

void player_push(player *p, const uint8_t *ts, size_t len)
{
	GstBuffer *b;

	if (!p->pipe && start(p) < 0)
		return;
	b = gst_buffer_new_memdup(ts, len);
	p->bytes += len;
	/* playbin makes its source while it starts; keep what comes before
	 * (the PAT and the picture a zap begins with) and hand it over then. */
	if (!p->src) {
		if (!p->early)
			p->early = gst_buffer_list_new();
		gst_buffer_list_add(p->early, b);
		return;
	}
	if (p->early) {
		gst_app_src_push_buffer_list(GST_APP_SRC(p->src), p->early);
		p->early = NULL;
	}
	gst_app_src_push_buffer(GST_APP_SRC(p->src), b);
}

void player_restart(player *p)
{
	stop(p);
	p->restarts++;
	p->started_ns = now_ns();
	atomic_store(&p->frames, 0);
	atomic_store(&p->first_frame_ns, 0);
}

void player_get_stats(const player *p, struct player_stats *out)
{
	out->frames = atomic_load(&((player *)p)->frames);
	out->first_frame_ns = atomic_load(&((player *)p)->first_frame_ns);
	out->started_ns = p->started_ns;
	out->restarts = p->restarts;
	out->errors = p->errors;
	out->bytes = p->bytes;
}
