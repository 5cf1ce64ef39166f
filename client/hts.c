/* hts: HTTP streaming of the current channel. See hts.h. */
#include "config.h"

#include "hts.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hts_req.h"

#define MAX_CLIENTS HTS_MAX_CLIENTS
#define REQ_MAX 4096
#define RING (2u << 20) /* about two seconds of an 8 Mb/s channel */

enum state { READING, STREAMING, CLOSING };

struct conn {
	hts *h;
	int fd;
	sc_guard_conn *gc;
	enum state state;
	char req[REQ_MAX + 1];
	size_t reqlen;
	uint8_t *ring; /* output: [head, head + len) modulo size */
	size_t size, head, len;
	struct ts_start_out tso; /* where this player's stream stands */
	bool overflow;           /* the ring could not take what came */
	bool polling_out;
};

struct hts {
	sc_loop *loop;
	int lfd;
	struct hts_cb cb;
	struct sc_logger lg;
	struct conn *conns[MAX_CLIENTS];
	struct hts_stats st;
	sc_guard *guard;
};

static void conn_close(struct conn *c)
{
	hts *h = c->h;

	for (int i = 0; i < MAX_CLIENTS; i++)
		if (h->conns[i] == c)
			h->conns[i] = NULL;
	sc_loop_del_fd(h->loop, c->fd);
	close(c->fd);
	sc_guard_remove(c->gc);
	free(c->ring);
	free(c);
	h->st.clients--;
}

/* The guard closes a connection that overstays: at once. */
static void guard_close(void *arg, void *conn, enum sc_guard_why why)
{
	(void)arg;
	(void)why;
	conn_close(conn);
}

/* Send what the ring holds; close a CLOSING connection once it is empty.
 * Returns false when the connection is gone (c is freed). */
static bool flush(struct conn *c)
{
	while (c->len) {
		size_t first = c->size - c->head < c->len ? c->size - c->head : c->len;
		ssize_t n = send(c->fd, c->ring + c->head, first, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n <= 0) {
			conn_close(c);
			return false;
		}
		c->head = (c->head + (size_t)n) % c->size;
		c->len -= (size_t)n;
		c->h->st.bytes += (uint64_t)n;
		sc_guard_touch(c->gc);
	}
	/* A player waiting for the channel's next bytes is not idle; one
	 * with bytes waiting that it does not take is. */
	sc_guard_hold(c->gc, !c->len && c->state == STREAMING);
	/* An empty ring starts over at its beginning: a player that keeps up
	 * then only ever touches its first pages, and the ring's 2 MiB
	 * (mmap'd by malloc, untouched until written) become resident only
	 * as far as a player actually falls behind. */
	if (!c->len)
		c->head = 0;
	if (!c->len && c->state == CLOSING) {
		conn_close(c);
		return false;
	}
	if ((c->len > 0) != c->polling_out) {
		c->polling_out = c->len > 0;
		sc_loop_mod_fd(c->h->loop, c->fd, SC_LOOP_IN | (c->polling_out ? SC_LOOP_OUT : 0));
	}
	return true;
}

/* Append to the ring. Returns false when it does not fit. */
static bool put(struct conn *c, const void *data, size_t len)
{
	size_t tail, first;

	if (!c->ring) {
		c->size = RING;
		c->ring = malloc(c->size);
		if (!c->ring)
			return false;
	}
	if (c->size - c->len < len)
		return false;
	tail = (c->head + c->len) % c->size;
	first = c->size - tail < len ? c->size - tail : len;
	memcpy(c->ring + tail, data, first);
	memcpy(c->ring, (const uint8_t *)data + first, len - first);
	c->len += len;
	return true;
}

/* Queue a response; body NULL with 200 starts a stream, or closes after
 * the head when head_only. */
static void respond(struct conn *c, int status, const char *reason, const char *type, const char *body,
		    size_t len, bool head_only)
{
	char head[256];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.0 %d %s\r\nContent-Type: %s\r\nCache-Control: no-cache\r\n"
			 "Connection: close\r\nServer: sixcast-client\r\n\r\n",
			 status, reason, type);

	put(c, head, (size_t)n);
	if (body && !put(c, body, len))
		c->h->st.bad_requests++;
	c->state = status == 200 && !body && !head_only ? STREAMING : CLOSING;
	flush(c);
}

static void error(struct conn *c, int status, const char *reason, const char *msg)
{
	c->h->st.bad_requests++;
	respond(c, status, reason, "text/plain; charset=utf-8", msg, strlen(msg), false);
}

/* "Host: name:port" of the request, else where the player reached us, for
 * links in a playlist. */
static void base_url(const struct conn *c, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct sc_sockaddr local = { .len = 0 };

	if (getsockname(c->fd, (struct sockaddr *)&ss, &sl) == 0)
		sc_addr_from_sa((struct sockaddr *)&ss, sl, &local);
	hts_req_base_url(c->req, &local, hts_port(c->h), buf, len);
}

static void serve_playlist(struct conn *c)
{
	char base[256], *body = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&body, &len);

	if (!f) {
		error(c, 500, "Internal Server Error", "out of memory\n");
		return;
	}
	base_url(c, base, sizeof(base));
	fputs("#EXTM3U\n", f);
	if (c->h->cb.playlist)
		c->h->cb.playlist(c->h->cb.arg, f, base);
	fclose(f);
	respond(c, 200, "OK", "audio/x-mpegurl", body, len, false);
	free(body);
}

static void serve(struct conn *c)
{
	struct hts_req rq;

	hts_req_parse(c->req, &rq);
	switch (rq.route) {
	case HTS_BAD_REQUEST:
		error(c, 400, "Bad Request", "only GET /current, /channel/ID and /playlist.m3u\n");
		return;
	case HTS_PLAYLIST:
		serve_playlist(c);
		return;
	case HTS_NOT_FOUND:
		error(c, 404, "Not Found", "try /current, /channel/ID or /playlist.m3u\n");
		return;
	case HTS_CHANNEL:
		if (!c->h->cb.tune || c->h->cb.tune(c->h->cb.arg, rq.channel) < 0) {
			error(c, 404, "Not Found", "no such channel\n");
			return;
		}
		break;
	case HTS_CURRENT:
		break;
	}
	ts_start_out_reset(&c->tso);
	c->h->st.streams++;
	respond(c, 200, "OK", "video/mp2t", NULL, 0, rq.head);
}

static void on_conn(void *arg, int fd, uint32_t events)
{
	struct conn *c = arg;
	ssize_t n;

	if (events & SC_LOOP_OUT) {
		flush(c);
		return;
	}
	if (c->state != READING) {
		char junk[512];

		/* Players send nothing after the request; EOF means gone. */
		n = recv(fd, junk, sizeof(junk), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			conn_close(c);
		return;
	}
	n = recv(fd, c->req + c->reqlen, REQ_MAX - c->reqlen, MSG_DONTWAIT);
	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			conn_close(c);
		return;
	}
	c->reqlen += (size_t)n;
	c->req[c->reqlen] = '\0';
	if (strstr(c->req, "\r\n\r\n") || strstr(c->req, "\n\n")) {
		sc_guard_request_done(c->gc);
		serve(c);
	} else if (c->reqlen == REQ_MAX) {
		sc_guard_request_done(c->gc);
		error(c, 431, "Request Header Fields Too Large", "request too large\n");
	}
}

static void refuse(int fd)
{
	static const char busy[] = "HTTP/1.0 503 Service Unavailable\r\nConnection: close\r\n\r\n";

	send(fd, busy, sizeof(busy) - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
	close(fd);
}

/* Take one connection in; false when it was refused. */
static bool take(hts *h, int fd, const struct sc_sockaddr *peer)
{
	struct conn *c = NULL;
	int slot = -1;

	/* May close the oldest half-sent request to make room. */
	if (sc_guard_check(h->guard, peer) < 0)
		return false;
	for (int i = 0; i < MAX_CLIENTS && slot < 0; i++)
		if (!h->conns[i])
			slot = i;
	if (slot >= 0 && (c = calloc(1, sizeof(*c))))
		c->gc = sc_guard_add(h->guard, peer, c);
	if (!c || !c->gc || sc_loop_add_fd(h->loop, fd, SC_LOOP_IN, on_conn, c) < 0) {
		if (c)
			sc_guard_remove(c->gc);
		free(c);
		return false;
	}
	c->h = h;
	c->fd = fd;
	h->conns[slot] = c;
	h->st.clients++;
	return true;
}

static void on_accept(void *arg, int lfd, uint32_t events)
{
	hts *h = arg;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct sc_sockaddr peer;
	int fd;

	(void)events;
	while ((fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		h->st.connections++;
		memset(&peer, 0, sizeof(peer));
		sc_addr_from_sa((struct sockaddr *)&ss, sl, &peer);
		if (!take(h, fd, &peer))
			refuse(fd);
		sl = sizeof(ss);
	}
}

static void emit(void *arg, const uint8_t *ts, size_t len)
{
	struct conn *c = arg;

	if (!c->overflow && !put(c, ts, len))
		c->overflow = true;
}

void hts_write(hts *h, const ts_start *st)
{
	for (int i = 0; i < MAX_CLIENTS; i++) {
		struct conn *c = h->conns[i];

		if (!c || c->state != STREAMING)
			continue;
		ts_start_out(st, &c->tso, emit, c);
		if (c->overflow) {
			sc_logf(&h->lg, LOG_WARNING, "http output: a player fell %u MB behind; disconnected",
				RING >> 20);
			h->st.dropped_slow++;
			conn_close(c);
			continue;
		}
		flush(c);
	}
}

void hts_limits_default(struct sc_guard_limits *lim)
{
	*lim = (struct sc_guard_limits){ .max_conns = MAX_CLIENTS, .per_addr = 4,
					 .request_ns = 5 * SC_NS_PER_S, .idle_ns = 30 * SC_NS_PER_S };
}

/* The caller's limits, or the defaults, within the slots there are. */
static struct sc_guard_limits fit(const struct sc_guard_limits *lim)
{
	struct sc_guard_limits l;

	if (lim)
		l = *lim;
	else
		hts_limits_default(&l);
	if (!l.max_conns || l.max_conns > MAX_CLIENTS)
		l.max_conns = MAX_CLIENTS;
	l.keep_ns = 0; /* one response per connection */
	return l;
}

int hts_new(sc_loop *loop, const struct sc_sockaddr *addr, const struct sc_guard_limits *lim,
	    const struct hts_cb *cb, const struct sc_logger *lg, hts **out)
{
	hts *h = calloc(1, sizeof(*h));
	struct sc_guard_limits l = fit(lim);
	char where[SC_ADDR_STRLEN];
	int rc;

	*out = NULL;
	if (!h)
		return -ENOMEM;
	h->loop = loop;
	h->cb = *cb;
	h->lfd = -1;
	if (lg)
		h->lg = *lg;
	sc_addr_format(addr, true, where, sizeof(where));
	if ((rc = sc_guard_new(loop, &l, "http output", guard_close, h, lg, &h->guard)) < 0)
		goto fail;
	/* [::] takes IPv4 players too.
	 * A backlog with room for a burst of connects: a full one drops SYNs,
	 * and a dropped SYN costs the client a second. */
	if ((h->lfd = rc = sc_tcp_listen(addr, 128)) < 0)
		goto fail;
	if ((rc = sc_loop_add_fd(loop, h->lfd, SC_LOOP_IN, on_accept, h)) < 0)
		goto fail;
	*out = h;
	return 0;
fail:
	sc_logf(&h->lg, LOG_ERR, "http output: cannot listen on %s: %s", where, strerror(-rc));
	if (h->lfd >= 0)
		close(h->lfd);
	sc_guard_free(h->guard);
	free(h);
	return rc;
}

void hts_set_limits(hts *h, const struct sc_guard_limits *lim)
{
	struct sc_guard_limits l = fit(lim);

	sc_guard_set_limits(h->guard, &l);
}

void hts_free(hts *h)
{
	if (!h)
		return;
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (h->conns[i])
			conn_close(h->conns[i]);
	sc_loop_del_fd(h->loop, h->lfd);
	close(h->lfd);
	sc_guard_free(h->guard);
	free(h);
}

unsigned hts_port(const hts *h)
{
	return sc_sock_port(h->lfd);
}

const struct hts_stats *hts_stats(const hts *h)
{
	return &h->st;
}

const struct sc_guard_stats *hts_guard_stats(const hts *h)
{
	return sc_guard_stats(h->guard);
}
