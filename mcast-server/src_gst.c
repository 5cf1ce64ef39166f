/* src_gst: a GStreamer pipeline as a channel source.
 *
 * The pipeline description ends in an element that produces MPEG-TS; an
 * appsink named "sixcast" is appended unless the description has one. The
 * appsink's streaming thread writes the TS bytes into a pipe that the event
 * loop reads, so the rest of the edge stays single-threaded and a non-live
 * pipeline is held back by the pipe when the channel has enough queued.
 * The bus is polled from a timer: errors stop the source (the channel
 * restarts it), an end of stream loops it. */
#include "config.h"

#include "src_int.h"

#include <errno.h>
#include <fcntl.h>
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BUS_POLL_NS (200 * SC_NS_PER_MS)

struct src_gst {
	GstElement *pipe;
	int rd, wr;          /* the pipe: appsink thread -> event loop */
	atomic_bool stopping;
	sc_timer *bus_timer;
	bool want;
};

/* Streaming thread: hand a buffer's bytes to the loop through the pipe. */
static GstFlowReturn on_sample(GstAppSink *sink, gpointer arg)
{
	struct src_gst *g = arg;
	GstSample *sample = gst_app_sink_pull_sample(sink);
	GstFlowReturn ret = GST_FLOW_OK;
	GstMapInfo map;
	size_t off = 0;

	if (!sample)
		return GST_FLOW_EOS;
	if (gst_buffer_map(gst_sample_get_buffer(sample), &map, GST_MAP_READ)) {
		while (off < map.size && ret == GST_FLOW_OK) {
			ssize_t n = write(g->wr, map.data + off, map.size - off);

			if (n > 0) {
				off += (size_t)n;
			} else if (n < 0 && errno == EAGAIN) {
				struct pollfd p = { g->wr, POLLOUT, 0 };

				if (atomic_load(&g->stopping))
					ret = GST_FLOW_FLUSHING;
				else
					poll(&p, 1, 100);
			} else if (n < 0 && errno != EINTR) {
				ret = GST_FLOW_ERROR;
			}
		}
		gst_buffer_unmap(gst_sample_get_buffer(sample), &map);
	}
	gst_sample_unref(sample);
	return ret;
}

static void on_pipe(void *arg, int fd, uint32_t events)
{
	src *s = arg;
	uint8_t buf[64 * 1024];
	ssize_t n;

	(void)events;
	n = read(fd, buf, sizeof(buf));
	if (n > 0) {
		s->st.bytes += (uint64_t)n;
		s->cb.data(s->cb.arg, buf, (size_t)n);
	}
}

static void poll_bus(void *arg)
{
	src *s = arg;
	GstBus *bus = gst_element_get_bus(s->gst->pipe);
	GstMessage *m;
	bool eos = false;

	while (s->running && (m = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR | GST_MESSAGE_EOS))) {
		if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR) {
			GError *e = NULL;
			gchar *dbg = NULL, *who = gst_object_get_name(GST_MESSAGE_SRC(m));

			gst_message_parse_error(m, &e, &dbg);
			gst_message_unref(m);
			gst_object_unref(bus);
			src_fail(s, "pipeline error from %s: %s", who ? who : "?", e ? e->message : "?");
			g_free(who);
			g_clear_error(&e);
			g_free(dbg);
			return;
		}
		eos = true;
		gst_message_unref(m);
	}
	gst_object_unref(bus);
	if (eos) {
		/* A finite pipeline (a decoded file) loops like a file does. */
		s->st.loops++;
		src_gst_stop(s);
		if (s->cb.event)
			s->cb.event(s->cb.arg, SRC_EV_LOOP, NULL);
		src_gst_start(s);
		return;
	}
	if (s->running)
		sc_timer_arm(s->gst->bus_timer, BUS_POLL_NS);
}

static GstElement *build(src *s, char *err, size_t errlen)
{
	GError *e = NULL;
	GstElement *pipe, *sink;
	char *desc;

	desc = strstr(s->pipeline, "name=sixcast") ? g_strdup(s->pipeline)
						    : g_strdup_printf("%s ! appsink name=sixcast", s->pipeline);
	pipe = gst_parse_launch(desc, &e);
	g_free(desc);
	if (!pipe || e) {
		snprintf(err, errlen, "%s", e ? e->message : "cannot build the pipeline");
		g_clear_error(&e);
		if (pipe)
			gst_object_unref(pipe);
		return NULL;
	}
	sink = gst_bin_get_by_name(GST_BIN(pipe), "sixcast");
	if (!sink || !GST_IS_APP_SINK(sink)) {
		snprintf(err, errlen, "the element named \"sixcast\" is not an appsink");
		if (sink)
			gst_object_unref(sink);
		gst_object_unref(pipe);
		return NULL;
	}
	/* We pace by PCR ourselves: the sink must not hold buffers to the
	 * clock, and must never drop. */
	g_object_set(sink, "sync", FALSE, "drop", FALSE, "max-buffers", 64, NULL);
	gst_app_sink_set_callbacks(GST_APP_SINK(sink),
				   &(GstAppSinkCallbacks){ .new_sample = on_sample }, s->gst, NULL);
	gst_object_unref(sink);
	return pipe;
}

static int open_pipe(struct src_gst *g)
{
	int fds[2];

	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	/* A second of an 8 Mb/s channel: the pipeline runs ahead smoothly. */
	fcntl(fds[1], F_SETPIPE_SZ, 1 << 20);
	g->rd = fds[0];
	g->wr = fds[1];
	return 0;
}

int src_gst_start(src *s)
{
	char err[300] = "";
	struct src_gst *g = calloc(1, sizeof(*g));
	GstStateChangeReturn sc;
	int rc = -ENOMEM;

	if (!g || (rc = open_pipe(g)) < 0) {
		free(g);
		src_fail(s, "pipeline: %s", strerror(-rc));
		return rc;
	}
	s->gst = g;
	g->want = true;
	g->pipe = build(s, err, sizeof(err));
	g->bus_timer = sc_timer_new(s->loop, poll_bus, s);
	if (!g->pipe || !g->bus_timer || sc_loop_add_fd(s->loop, g->rd, SC_LOOP_IN, on_pipe, s) < 0) {
		src_fail(s, "pipeline: %s", err[0] ? err : "out of resources");
		return -EINVAL;
	}
	sc = gst_element_set_state(g->pipe, GST_STATE_PLAYING);
	if (sc == GST_STATE_CHANGE_FAILURE) {
		/* The bus says why; pick it up now rather than in 200 ms. */
		poll_bus(s);
		if (s->running)
			src_fail(s, "pipeline would not start");
		return -EINVAL;
	}
	s->live = sc == GST_STATE_CHANGE_NO_PREROLL;
	sc_timer_arm(g->bus_timer, BUS_POLL_NS);
	return 0;
}

void src_gst_stop(src *s)
{
	struct src_gst *g = s->gst;

	if (!g)
		return;
	atomic_store(&g->stopping, true);
	if (g->pipe) {
		gst_element_set_state(g->pipe, GST_STATE_NULL);
		gst_object_unref(g->pipe);
	}
	sc_timer_free(g->bus_timer);
	sc_loop_del_fd(s->loop, g->rd);
	close(g->rd);
	close(g->wr);
	free(g);
	s->gst = NULL;
}

void src_gst_want(src *s, bool want)
{
	struct src_gst *g = s->gst;

	if (!g || g->want == want)
		return;
	g->want = want;
	sc_loop_mod_fd(s->loop, g->rd, want ? SC_LOOP_IN : 0);
}
