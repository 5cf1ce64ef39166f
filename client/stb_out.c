/* stb_out: where the released stream goes: the HTTP output for players
 * on the network, RTP or raw UDP to a local player, the recording, and
 * the box's own GStreamer player. Each gets the transport stream as the
 * playback buffer releases it, from a clean start: a random access point
 * with PAT and PMT first (ts_start.h). The HTTP output, UDP and the player
 * go on across zaps as one continuous stream (ts_splice.h); a recording
 * ends at a zap. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sc_rtp.h"
#include "stb_int.h"

static int hts_tune(void *arg, uint32_t id)
{
	return stb_request_tune(arg, id);
}

static void hts_playlist(void *arg, FILE *f, const char *base)
{
	struct stb *s = arg;

	fprintf(f, "#EXTM3U\n");
	for (size_t i = 0; i < s->n_chans; i++)
		fprintf(f, "#EXTINF:-1,%s\n%s/channel/%u\n", s->chans[i].name, base, s->chans[i].id);
}

static int open_udp(struct stb *s)
{
	int fd = socket(s->cfg.udp.u.sa.sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (connect(fd, &s->cfg.udp.u.sa, s->cfg.udp.len) < 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	s->out.udp_fd = fd;
	return 0;
}

int stb_out_open(struct stb *s)
{
	struct hts_cb cb = { hts_tune, hts_playlist, s };
	struct sc_sockaddr http = s->cfg.http;
	int rc;

	if (!(s->out.tss = ts_start_new(true)))
		return -ENOMEM;
	sc_listen_pick(&http, s->cfg.http_dflt, SOCK_STREAM, NULL, &s->lg, "HTTP output");
	if (http.len && (rc = hts_new(s->loop, &http, &s->cfg.http_limits, &cb, &s->lg, &s->out.hts)) < 0)
		return rc;
	if (s->cfg.udp.len && (rc = open_udp(s)) < 0) {
		sc_logf(&s->lg, LOG_ERR, "UDP output: %s", strerror(-rc));
		return rc;
	}
	if (s->cfg.play) {
		struct player_cfg pc = { s->cfg.video_sink, s->cfg.audio_sink, NULL };

		if ((rc = player_new(s->loop, &pc, &s->lg, &s->out.pl)) < 0)
			return rc;
	}
	return 0;
}

void stb_out_close(struct stb *s)
{
	ts_start_free(s->out.tss);
	hts_free(s->out.hts);
	player_free(s->out.pl);
	rec_stop(s->out.rec);
	if (s->out.udp_fd >= 0)
		close(s->out.udp_fd);
	s->out = (struct stb_out){ .udp_fd = -1 };
}

static void udp_send(struct stb *s)
{
	struct stb_udp *u = &s->out.udp;
	uint8_t *ts = u->buf + SC_RTP_HDR_MIN, *b = ts;
	size_t len = u->n * 188;

	if (!u->n)
		return;
	if (s->cfg.udp_rtp) {
		struct sc_rtp_fields f = { u->rtp.marker, u->rtp.payload_type, u->seq++, u->rtp.timestamp, u->rtp.ssrc };

		sc_rtp_write(u->buf, SC_RTP_HDR_MIN, &f);
		b = u->buf;
		len += SC_RTP_HDR_MIN;
	}
	if (send(s->out.udp_fd, b, len, MSG_DONTWAIT) < 0)
		s->out.udp_errors++;
	u->n = 0;
}

static void udp_emit(void *arg, const uint8_t *ts, size_t len)
{
	struct stb *s = arg;
	struct stb_udp *u = &s->out.udp;

	for (size_t off = 0; off < len; off += 188) {
		memcpy(u->buf + SC_RTP_HDR_MIN + u->n * 188, ts + off, 188);
		if (++u->n == STB_UDP_TS)
			udp_send(s);
	}
}

static void player_emit(void *arg, const uint8_t *ts, size_t len)
{
	player_push(arg, ts, len);
}

/* Every output takes its part of what the clean start was last fed. */
static void outputs(struct stb *s)
{
	if (s->out.hts)
		hts_write(s->out.hts, s->out.tss);
	if (s->out.pl)
		ts_start_out(s->out.tss, &s->out.pl_out, player_emit, s->out.pl);
	if (s->out.rec && rec_write(s->out.rec, s->out.tss) < 0) {
		sc_logf(&s->lg, LOG_ERR, "recording %s stopped: %s", rec_path(s->out.rec),
			strerror(rec_error(s->out.rec)));
		rec_stop(s->out.rec);
		s->out.rec = NULL;
	}
	if (s->out.udp_fd >= 0) {
		ts_start_out(s->out.tss, &s->out.udp.tso, udp_emit, s);
		udp_send(s);
	}
}

void stb_out_packet(struct stb *s, const uint8_t *pkt, size_t len)
{
	struct sc_rtp r;
	uint8_t ts[1500];
	size_t ts_len;

	if (!s->out.tss || sc_rtp_parse(pkt, len, &r) < 0)
		return;
	ts_len = r.payload_len - r.payload_len % 188;
	if (!ts_len)
		return;
	if (s->out.have_ssrc && r.ssrc != s->out.ssrc) {
		/* The edge restarted (or another took over): its sequence numbers,
		 * continuity counters and clocks begin anew. The outputs go on as
		 * one stream from its first random access point, as at a zap, so
		 * players and recordings see no discontinuity, only the time the
		 * channel was away. */
		s->out.restarts++;
		sc_logf(&s->lg, LOG_NOTICE, "the channel's source restarted (SSRC %08x, was %08x): outputs spliced",
			(unsigned)r.ssrc, (unsigned)s->out.ssrc);
		ts_start_zap(s->out.tss);
	}
	s->out.ssrc = r.ssrc;
	s->out.have_ssrc = true;
	s->out.bytes += ts_len;
	s->out.udp.rtp = r;
	/* The splice rewrites packets: a copy, the released one stays as it was. */
	for (size_t off = 0; off < ts_len;) {
		size_t n = ts_len - off < sizeof(ts) / 188 * 188 ? ts_len - off : sizeof(ts) / 188 * 188;

		memcpy(ts, r.payload + off, n);
		off += ts_start_feed(s->out.tss, ts, n, stb_now(s));
		outputs(s);
	}
}

void stb_out_channel_changed(struct stb *s)
{
	/* Every output starts over at the new channel's first random access
	 * point; HTTP and UDP as the same stream, spliced. */
	if (s->out.tss)
		ts_start_zap(s->out.tss);
	s->out.have_ssrc = false; /* the new channel's source is another */
	if (s->out.pl) {
		/* The helper starts its pipeline afresh: a fresh start for it. */
		player_restart(s->out.pl);
		ts_start_out_reset(&s->out.pl_out);
	}
	if (s->out.rec) {
		sc_logf(&s->lg, LOG_NOTICE, "recording %s ends with the channel change (%llu bytes)",
			rec_path(s->out.rec), (unsigned long long)rec_bytes(s->out.rec));
		rec_stop(s->out.rec);
		s->out.rec = NULL;
	}
}

int stb_out_record(struct stb *s, bool start, const char *path, char *why, size_t len)
{
	int rc;

	if (!start) {
		if (!s->out.rec) {
			snprintf(why, len, "not recording");
			return -ENOENT;
		}
		sc_logf(&s->lg, LOG_NOTICE, "recording %s stopped (%llu bytes)", rec_path(s->out.rec),
			(unsigned long long)rec_bytes(s->out.rec));
		rec_stop(s->out.rec);
		s->out.rec = NULL;
		return 0;
	}
	if (!s->t) {
		snprintf(why, len, "not tuned to a channel");
		return -ENOTCONN;
	}
	if (s->out.rec) {
		snprintf(why, len, "already recording to %s", rec_path(s->out.rec));
		return -EALREADY;
	}
	rc = rec_start(s->cfg.record_dir, path, s->t->ch.id,
		       (int64_t)(sc_clock_wall_ns(sc_loop_clock(s->loop)) / SC_NS_PER_S), &s->out.rec);
	if (rc < 0) {
		snprintf(why, len, "cannot record to %s: %s", path ? path : s->cfg.record_dir, strerror(-rc));
		return rc;
	}
	s->out.rec_channel = s->t->ch.id;
	sc_logf(&s->lg, LOG_NOTICE, "recording channel %u to %s", s->t->ch.id, rec_path(s->out.rec));
	return 0;
}
