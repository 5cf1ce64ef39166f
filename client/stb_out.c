/* stb_out: where the released stream goes: the HTTP output for players
 * on the network, RTP or raw UDP to a local player, the recording, and
 * the box's own GStreamer player. Each gets the transport stream exactly
 * as the playback buffer releases it. */
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
	hts_free(s->out.hts);
	player_free(s->out.pl);
	rec_stop(s->out.rec);
	if (s->out.udp_fd >= 0)
		close(s->out.udp_fd);
	s->out = (struct stb_out){ .udp_fd = -1 };
}

void stb_out_packet(struct stb *s, const uint8_t *pkt, size_t len)
{
	struct sc_rtp r;
	size_t ts_len;

	if (sc_rtp_parse(pkt, len, &r) < 0)
		return;
	ts_len = r.payload_len - r.payload_len % 188;
	if (!ts_len)
		return;
	s->out.bytes += ts_len;
	if (s->out.hts)
		hts_write(s->out.hts, r.payload, ts_len);
	if (s->out.pl)
		player_push(s->out.pl, r.payload, ts_len);
	if (s->out.rec && rec_write(s->out.rec, r.payload, ts_len) < 0) {
		sc_logf(&s->lg, LOG_ERR, "recording %s stopped: %s", rec_path(s->out.rec),
			strerror(rec_error(s->out.rec)));
		rec_stop(s->out.rec);
		s->out.rec = NULL;
	}
	if (s->out.udp_fd >= 0 &&
	    send(s->out.udp_fd, s->cfg.udp_rtp ? pkt : r.payload, s->cfg.udp_rtp ? len : ts_len, MSG_DONTWAIT) < 0)
		s->out.udp_errors++;
}

void stb_out_channel_changed(struct stb *s)
{
	if (s->out.hts)
		hts_channel_changed(s->out.hts);
	if (s->out.pl)
		player_restart(s->out.pl);
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
