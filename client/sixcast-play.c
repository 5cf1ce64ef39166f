/* sixcast-play: the set-top box's player, a helper process of
 * sixcast-client (started with --play or outputs.play, never by hand).
 *
 *   sixcast-play VIDEO_SINK AUDIO_SINK
 *
 * GStreamer's playbin decodes the transport stream the daemon writes to
 * stdin (client/play_proto.h) from an appsrc to the given sinks
 * ("autovideosink", "fakesink sync=false", ...), and reports the decoded
 * video frames on stdout so that the daemon can time a zap to the first
 * picture. A separate process keeps GStreamer, GLib and the decoders
 * (tens of MB) out of the daemon, which then costs a few MB; a crash in a
 * decoder no longer takes the box's reception down with it.
 *
 * The frame probe runs on GStreamer's streaming thread; everything else on
 * the main thread, which waits for stdin and polls the bus. A bus error
 * stops the pipeline, which starts over with the next data. EOF on stdin
 * ends the program. Diagnostics go to stderr (the daemon's). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/prctl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "play_proto.h"

#define BUS_POLL_MS 250

struct play {
	const char *vsink, *asink;
	GstElement *pipe, *src;
	GstBufferList *early; /* data that came before playbin made its source */
	atomic_uint_fast64_t frames, first_frame_ns;
	atomic_uint restarts, errors;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* One record to the daemon; stdout is non-blocking and a lost record is
 * superseded by the next. */
static void report(struct play *p)
{
	struct play_status st = {
		atomic_load(&p->frames), atomic_load(&p->first_frame_ns), atomic_load(&p->restarts),
		atomic_load(&p->errors),
	};

	(void)!write(STDOUT_FILENO, &st, sizeof(st));
}

static GstPadProbeReturn on_frame(GstPad *pad, GstPadProbeInfo *info, gpointer arg)
{
	struct play *p = arg;
	uint_fast64_t zero = 0;

	(void)pad;
	(void)info;
	atomic_compare_exchange_strong(&p->first_frame_ns, &zero, now_ns());
	atomic_fetch_add(&p->frames, 1);
	report(p);
	return GST_PAD_PROBE_OK;
}

static GstElement *make_sink(struct play *p, const char *desc, bool video)
{
	GError *e = NULL;
	GstElement *bin = gst_parse_bin_from_description(desc, TRUE, &e);
	GstPad *pad;

	if (!bin) {
		fprintf(stderr, "sixcast-play: %s sink \"%s\": %s\n", video ? "video" : "audio", desc,
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
	struct play *p = arg;
	GstCaps *caps = gst_caps_new_simple("video/mpegts", "systemstream", G_TYPE_BOOLEAN, TRUE, "packetsize",
					    G_TYPE_INT, 188, NULL);

	(void)playbin;
	g_object_set(source, "is-live", TRUE, "format", GST_FORMAT_BYTES, "caps", caps, "max-bytes",
		     (guint64)(4 << 20), "block", FALSE, NULL);
	gst_caps_unref(caps);
	p->src = gst_object_ref(source);
}

static void stop(struct play *p)
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
}

static int start(struct play *p)
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
	gst_element_set_state(p->pipe, GST_STATE_PLAYING);
	return 0;
}

static void poll_bus(struct play *p)
{
	GstBus *bus;
	GstMessage *m;
	GError *e = NULL;

	if (!p->pipe)
		return;
	bus = gst_element_get_bus(p->pipe);
	m = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
	gst_object_unref(bus);
	if (!m)
		return;

	gst_message_parse_error(m, &e, NULL);
	fprintf(stderr, "sixcast-play: %s; restarting\n", e ? e->message : "error");
	g_clear_error(&e);
	gst_message_unref(m);
	/* Start over with the next data. */
	stop(p);
	atomic_fetch_add(&p->errors, 1);
	report(p);
}

static void push(struct play *p, const uint8_t *ts, size_t len)
{
	GstBuffer *b;

	if (!p->pipe && start(p) < 0)
		return;
	b = gst_buffer_new_memdup(ts, len);
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

/* Read exactly len bytes from stdin. Returns 1, 0 on EOF, -1 on error. */
static int read_all(uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t n = read(STDIN_FILENO, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 ? 0 : -1;
		buf += n;
		len -= (size_t)n;
	}
	return 1;
}

/* One message from the daemon. Returns 1, or 0 at the end. */
static int message(struct play *p)
{
	uint8_t body[PLAY_MSG_MAX];
	struct play_hdr h;

	if (read_all((uint8_t *)&h, sizeof(h)) <= 0)
		return 0;
	if (h.len > PLAY_MSG_MAX - PLAY_HDR || read_all(body, h.len) <= 0) {
		fprintf(stderr, "sixcast-play: bad message from the daemon\n");
		return 0;
	}
	if (h.type == PLAY_DATA) {
		push(p, body, h.len);
	} else if (h.type == PLAY_RESTART) {
		stop(p);
		atomic_store(&p->frames, 0);
		atomic_store(&p->first_frame_ns, 0);
		atomic_fetch_add(&p->restarts, 1);
		report(p);
	}
	return 1;
}

int main(int argc, char **argv)
{
	struct play p = { 0 };
	struct pollfd pfd = { STDIN_FILENO, POLLIN, 0 };
	uint64_t polled = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: sixcast-play VIDEO_SINK AUDIO_SINK (a helper of sixcast-client)\n");
		return 2;
	}
	p.vsink = argv[1];
	p.asink = argv[2];
	/* The daemon's CAP_NET_RAW (ambient, for its joins) is nothing a
	 * decoder needs. */
	(void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	signal(SIGPIPE, SIG_IGN);
	fcntl(STDOUT_FILENO, F_SETFL, fcntl(STDOUT_FILENO, F_GETFL) | O_NONBLOCK);
	gst_init(NULL, NULL);
	for (;;) {
		int n = poll(&pfd, 1, BUS_POLL_MS);

		if (n < 0 && errno != EINTR)
			break;
		if (n > 0 && !message(&p))
			break;
		if (now_ns() - polled >= BUS_POLL_MS * 1000000ull) {
			poll_bus(&p);
			polled = now_ns();
		}
	}
	stop(&p);
	return 0;
}
