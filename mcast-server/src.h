/* src: where a channel's transport stream comes from.
 *
 *   "file:/srv/tv/news.ts"              an MPEG-TS file, looped, paced by its PCR
 *   "udp://[ff3e::100:1]:5000?source=2001:db8::99&iface=eth1"
 *   "rtp://232.5.5.5:5000?source=10.9.9.9"
 *                                       RTP/MP2T or raw TS over UDP, unicast or
 *                                       multicast (any-source or source-specific):
 *                                       the feed of a central server to this edge
 *   "gst:videotestsrc is-live=true ! ... ! mpegtsmux"
 *                                       a GStreamer pipeline ending in TS
 *
 * A source hands raw TS bytes to its channel through a callback; framing,
 * timing and pacing are the channel's. File sources are pulled by the
 * channel when its queue runs low; the others push from the event loop, and
 * the channel pauses a non-live one by src_want(false) (backpressure). A
 * source that fails reports it through the event callback and stays stopped
 * until the channel restarts it. */
#ifndef SRC_H
#define SRC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sc_log.h"
#include "sc_loop.h"

typedef struct src src;

enum src_kind { SRC_FILE, SRC_UDP, SRC_GST };

enum src_event {
	SRC_EV_ERROR, /* failed: msg says why; stopped */
	SRC_EV_EOS,   /* a non-looping source ended (GStreamer EOS); stopped */
	SRC_EV_LOOP,  /* a file looped: the next bytes restart the stream */
};

struct src_cb {
	/* TS bytes, in order, any chunking. */
	void (*data)(void *arg, const uint8_t *buf, size_t len);
	void (*event)(void *arg, enum src_event ev, const char *msg);
	void *arg;
};

struct src_stats {
	uint64_t bytes, datagrams;
	uint64_t bad_datagrams; /* UDP: neither RTP/MP2T nor TS */
	uint64_t rtp_lost;      /* UDP/RTP: sequence gaps on the feed */
	uint64_t loops, restarts;
};

/* Parse and check a source URI (files must exist and start with TS sync).
 * Nothing starts yet. Returns 0 and *out, or a negative errno with a
 * one-line reason in err. */
int src_new(const char *uri, const struct sc_logger *lg, src **out, char *err, size_t errlen);
void src_free(src *s);

/* Start producing on loop. Returns 0, or a negative errno (reported
 * through the event callback too). */
int src_start(src *s, sc_loop *loop, const struct src_cb *cb);
/* Stop; safe when stopped. */
void src_stop(src *s);

/* Pull up to max bytes synchronously (file sources; others return 0).
 * Returns the bytes handed to the data callback, 0 at a loop boundary,
 * or a negative errno (also reported as SRC_EV_ERROR). */
ssize_t src_pull(src *s, size_t max);

/* Flow control for pushing sources: whether the channel wants data now. */
void src_want(src *s, bool want);

enum src_kind src_kind(const src *s);
/* Whether data arrives in real time (UDP, a live pipeline) rather than as
 * fast as it is read. Valid after src_start. */
bool src_live(const src *s);
/* The URI as configured. */
const char *src_uri(const src *s);
const struct src_stats *src_stats(const src *s);

#endif
