/* src: source URIs, the file source, and dispatch to the UDP and GStreamer
 * sources. See src.h. */
#include "config.h"

#include "src_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ts.h"

static int check_file(src *s, char *err, size_t errlen)
{
	uint8_t head[3 * TS_SIZE];
	ssize_t n;
	int fd = open(s->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", s->path, strerror(errno));
		return -errno;
	}
	n = read(fd, head, sizeof(head));
	close(fd);
	if (n < (ssize_t)sizeof(head) || head[0] != TS_SYNC || head[TS_SIZE] != TS_SYNC ||
	    head[2 * TS_SIZE] != TS_SYNC) {
		snprintf(err, errlen, "%s: not an MPEG-TS file (no 0x47 sync byte every 188 bytes at its start)",
			 s->path);
		return -EINVAL;
	}
	return 0;
}

int src_new(const char *uri, const struct sc_logger *lg, src **out, char *err, size_t errlen)
{
	src *s = calloc(1, sizeof(*s));
	int rc = -ENOMEM;

	*out = NULL;
	if (!s || !(s->uri = strdup(uri)))
		goto fail;
	if (lg)
		s->lg = *lg;
	s->fd = s->sock = -1;
	s->last_seq = -1;
	if (strncmp(uri, "file:", 5) == 0) {
		s->kind = SRC_FILE;
		rc = (s->path = strdup(uri + 5)) ? check_file(s, err, errlen) : -ENOMEM;
	} else if (strncmp(uri, "udp://", 6) == 0 || strncmp(uri, "rtp://", 6) == 0) {
		s->kind = SRC_UDP;
		rc = src_udp_parse(s, uri + 6, err, errlen);
	} else if (strncmp(uri, "gst:", 4) == 0 && uri[4]) {
		s->kind = SRC_GST;
		rc = (s->pipeline = strdup(uri + 4)) ? 0 : -ENOMEM;
	} else {
		snprintf(err, errlen, "\"%s\": unknown source (forms: file:PATH, udp://ADDR:PORT, "
			 "rtp://ADDR:PORT, gst:PIPELINE)", uri);
		rc = -EINVAL;
	}
	if (rc < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	src_free(s);
	return rc;
}

void src_free(src *s)
{
	if (!s)
		return;
	src_stop(s);
	free(s->uri);
	free(s->path);
	free(s->pipeline);
	free(s);
}

void src_fail(src *s, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	src_stop(s);
	if (s->cb.event)
		s->cb.event(s->cb.arg, SRC_EV_ERROR, msg);
}

int src_start(src *s, sc_loop *loop, const struct src_cb *cb)
{
	int rc = 0;

	src_stop(s);
	s->loop = loop;
	s->cb = *cb;
	s->running = true;
	switch (s->kind) {
	case SRC_FILE:
		s->live = false;
		s->fd = open(s->path, O_RDONLY | O_CLOEXEC);
		if (s->fd < 0) {
			rc = -errno;
			src_fail(s, "%s: %s", s->path, strerror(errno));
		}
		break;
	case SRC_UDP:
		s->live = true;
		rc = src_udp_start(s);
		break;
	case SRC_GST:
		rc = src_gst_start(s);
		break;
	}
	if (rc == 0)
		s->st.restarts++;
	return rc;
}

void src_stop(src *s)
{
	if (!s->running)
		return;
	s->running = false;
	switch (s->kind) {
	case SRC_FILE:
		close(s->fd);
		s->fd = -1;
		break;
	case SRC_UDP:
		src_udp_stop(s);
		break;
	case SRC_GST:
		src_gst_stop(s);
		break;
	}
}

ssize_t src_pull(src *s, size_t max)
{
	uint8_t buf[64 * 1024];
	ssize_t n;

	if (s->kind != SRC_FILE || !s->running)
		return 0;
	n = read(s->fd, buf, max < sizeof(buf) ? max : sizeof(buf));
	if (n < 0) {
		src_fail(s, "%s: %s", s->path, strerror(errno));
		return -EIO;
	}
	if (n == 0) {
		/* The end: loop. A file that ends mid-packet loses the tail,
		 * which the framing counts as skipped bytes. */
		if (lseek(s->fd, 0, SEEK_SET) < 0) {
			src_fail(s, "%s: cannot loop: %s", s->path, strerror(errno));
			return -EIO;
		}
		s->st.loops++;
		if (s->cb.event)
			s->cb.event(s->cb.arg, SRC_EV_LOOP, NULL);
		return 0;
	}
	s->st.bytes += (uint64_t)n;
	s->cb.data(s->cb.arg, buf, (size_t)n);
	return n;
}

void src_want(src *s, bool want)
{
	if (s->kind == SRC_GST && s->running)
		src_gst_want(s, want);
}

enum src_kind src_kind(const src *s)
{
	return s->kind;
}

bool src_live(const src *s)
{
	return s->live;
}

const char *src_uri(const src *s)
{
	return s->uri;
}

const struct src_stats *src_stats(const src *s)
{
	return &s->st;
}
