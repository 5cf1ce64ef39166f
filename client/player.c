/* player: the sixcast-play helper process fed through a pipe; see player.h
 * and play_proto.h.
 *
 * The daemon never blocks on the helper: the data pipe is non-blocking and
 * every message fits in PIPE_BUF, so a write either goes whole or fails
 * with EAGAIN (a helper more than the pipe's capacity behind: the message
 * is dropped and counted). The pipe is enlarged to 1 MiB (kernel memory,
 * about a second of an 8 Mb/s channel) so that a helper busy starting its
 * pipeline after a zap does not lose the picture the zap begins with. A
 * helper that dies is started again with the next data, at most once a
 * second. */
#include "config.h"

#include "player.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "play_proto.h"

#ifndef PKGLIBEXECDIR
#define PKGLIBEXECDIR "/usr/libexec/sixcast"
#endif
#define PIPE_BYTES (1 << 20)
#define RESPAWN_NS SC_NS_PER_S
#define EXIT_WAIT_MS 1000

extern char **environ;

struct player {
	sc_loop *loop;
	char *vsink, *asink, *helper;
	struct sc_logger lg;
	pid_t pid;            /* 0: no helper */
	int wfd, rfd;         /* data to it, status from it */
	uint64_t spawned_ns;
	struct play_status st;
	uint32_t sent_restarts; /* to this helper; records of older ones are stale */
	uint64_t started_ns, restarts, errors, bytes, dropped;
	uint32_t helper_errors; /* errors counted by the running helper */
};

static uint64_t now_ns(void)
{
	return sc_clock_now_ns(sc_clock_system());
}

/* The helper: next to the running program (a build tree), else where
 * `make install` puts it. */
static char *find_helper(void)
{
	char exe[PATH_MAX], *slash, *path = NULL;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) && asprintf(&path, "%.*s/sixcast-play", (int)(slash - exe), exe) > 0) {
			if (access(path, X_OK) == 0)
				return path;
			free(path);
		}
	}
	return strdup(PKGLIBEXECDIR "/sixcast-play");
}

/* Close the pipes and wait for the helper (EOF on its stdin ends it), or
 * kill it at once: one that is stuck, or far behind on a full pipe. */
static void reap(player *p, bool now)
{
	int status;

	if (!p->pid)
		return;
	if (p->wfd >= 0)
		close(p->wfd);
	if (p->rfd >= 0) {
		sc_loop_del_fd(p->loop, p->rfd);
		close(p->rfd);
	}
	p->wfd = p->rfd = -1;
	for (int i = 0; !now && i < EXIT_WAIT_MS / 10; i++) {
		if (waitpid(p->pid, &status, WNOHANG) != 0)
			goto out;
		usleep(10000);
	}
	kill(p->pid, SIGKILL);
	waitpid(p->pid, &status, 0);
out:
	p->pid = 0;
}

static void on_status(void *arg, int fd, uint32_t events)
{
	player *p = arg;
	struct play_status st;
	ssize_t n;

	while ((n = read(fd, &st, sizeof(st))) == (ssize_t)sizeof(st)) {
		if (st.errors > p->helper_errors) {
			sc_logf(&p->lg, LOG_WARNING, "player: the pipeline failed; it starts over with the next data");
			p->errors += st.errors - p->helper_errors;
			p->helper_errors = st.errors;
		}
		if (st.restarts == p->sent_restarts)
			p->st = st;
	}
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) || (events & SC_LOOP_ERR)) {
		sc_logf(&p->lg, LOG_WARNING, "player: %s ended; starting it again with the next data", p->helper);
		p->errors++;
		reap(p, false);
	}
}

static int spawn(player *p)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, rc;
	posix_spawn_file_actions_t fa;
	char *argv[] = { p->helper, p->vsink, p->asink, NULL };

	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) {
		rc = -errno;
		goto fail;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
	rc = -posix_spawn(&p->pid, p->helper, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc < 0) {
		p->pid = 0;
		goto fail;
	}
	close(in[0]);
	close(out[1]);
	p->wfd = in[1];
	p->rfd = out[0];
	fcntl(p->wfd, F_SETFL, O_NONBLOCK);
	fcntl(p->rfd, F_SETFL, O_NONBLOCK);
	(void)fcntl(p->wfd, F_SETPIPE_SZ, PIPE_BYTES); /* best effort: pipe-max-size may be lower */
	p->helper_errors = 0;
	p->sent_restarts = 0;
	p->st = (struct play_status){ 0 };
	if ((rc = sc_loop_add_fd(p->loop, p->rfd, SC_LOOP_IN, on_status, p)) < 0) {
		reap(p, true);
		return rc;
	}
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
	}
	return rc;
}

/* One message, whole or not at all. Returns 0, -EAGAIN (pipe full) or
 * another negative errno (the helper is gone). */
static int send_msg(player *p, enum play_msg type, const uint8_t *body, size_t len)
{
	uint8_t msg[PLAY_MSG_MAX];
	struct play_hdr h = { (uint8_t)type, 0, (uint16_t)len };
	ssize_t n;

	memcpy(msg, &h, sizeof(h));
	if (len)
		memcpy(msg + sizeof(h), body, len);
	n = write(p->wfd, msg, sizeof(h) + len);
	if (n == (ssize_t)(sizeof(h) + len))
		return 0;
	return n < 0 ? -errno : -EIO;
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
	p->wfd = p->rfd = -1;
	p->vsink = strdup(cfg->video_sink ? cfg->video_sink : "autovideosink");
	p->asink = strdup(cfg->audio_sink ? cfg->audio_sink : "autoaudiosink");
	p->helper = cfg->helper ? strdup(cfg->helper) : find_helper();
	if (!p->vsink || !p->asink || !p->helper) {
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
	reap(p, false);
	free(p->vsink);
	free(p->asink);
	free(p->helper);
	free(p);
}

static bool ensure_helper(player *p)
{
	int rc;

	if (p->pid)
		return true;
	if (p->spawned_ns && now_ns() - p->spawned_ns < RESPAWN_NS)
		return false;
	p->spawned_ns = now_ns();
	if ((rc = spawn(p)) < 0) {
		sc_logf(&p->lg, LOG_ERR, "player: cannot start %s: %s", p->helper, strerror(-rc));
		p->errors++;
		return false;
	}
	return true;
}

void player_push(player *p, const uint8_t *ts, size_t len)
{
	const size_t chunk = (PLAY_MSG_MAX - PLAY_HDR) / 188 * 188;

	p->bytes += len;
	if (!ensure_helper(p)) {
		p->dropped += len;
		return;
	}
	for (size_t off = 0; off < len; off += chunk) {
		size_t n = len - off < chunk ? len - off : chunk;
		int rc = send_msg(p, PLAY_DATA, ts + off, n);

		if (rc == -EAGAIN) {
			p->dropped += n;
		} else if (rc < 0) {
			p->dropped += len - off;
			/* Gone: on_status logs it and reaps it. */
			return;
		}
	}
}

void player_restart(player *p)
{
	p->restarts++;
	p->started_ns = now_ns();
	p->st = (struct play_status){ 0 };
	if (!p->pid)
		return;
	p->sent_restarts++;
	/* A restart that does not fit in the pipe: a new helper. */
	if (send_msg(p, PLAY_RESTART, NULL, 0) < 0) {
		reap(p, true);
		p->spawned_ns = 0;
	}
}

void player_get_stats(const player *p, struct player_stats *out)
{
	out->frames = p->st.frames;
	out->first_frame_ns = p->st.first_frame_ns;
	out->started_ns = p->started_ns;
	out->restarts = p->restarts;
	out->errors = p->errors;
	out->bytes = p->bytes;
	out->dropped = p->dropped;
}
