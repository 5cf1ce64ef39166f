/* sc_httpd_lite: a small HTTP/1.1 server on sc_loop; see sc_httpd_lite.h.
 *
 * A connection reads its request head (at most HEAD_MAX bytes) and a body
 * of Content-Length bytes (at most max_body: else 413), then the handler
 * runs and the whole answer is written, after which the connection
 * closes. "Expect: 100-continue" is answered before the body comes. The
 * token is checked as soon as the head is in, so a request without it
 * never gets to send its body. */
#include "config.h"

#include "sc_httpd_lite.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sc_http_parse.h"

#define HEAD_MAX 8192
#define MAX_CONNS SC_HTTPD_LITE_MAX_CONNS
#define LOG_EVERY_NS (10 * SC_NS_PER_S)

struct conn {
	sc_httpd_lite *h;
	int fd;
	sc_guard_conn *gc;
	struct sc_sockaddr peer;
	char *in;              /* head, then body */
	size_t in_len, in_cap, head_len, body_want;
	bool continued;        /* 100 Continue sent */
	char *out;
	size_t out_len, out_off;
	const char *extra;     /* more response header lines, or NULL */
};

struct sc_httpd_lite {
	sc_loop *loop;
	int lfd;
	unsigned port;
	size_t max_body;
	sc_httpd_fn fn;
	void *arg;
	struct sc_logger lg;
	char name[SC_ADDR_STRLEN + 8]; /* for logs: "http [::1]:8091" */
	struct conn *conns[MAX_CONNS];
	sc_guard *guard;
	char *token;           /* NULL: none required */
	uint64_t auth_failed;
	struct sc_lograte auth_note;
};

static void conn_close(struct conn *c)
{
	sc_httpd_lite *h = c->h;

	for (int i = 0; i < MAX_CONNS; i++)
		if (h->conns[i] == c)
			h->conns[i] = NULL;
	sc_loop_del_fd(h->loop, c->fd);
	close(c->fd);
	sc_guard_remove(c->gc);
	free(c->in);
	free(c->out);
	free(c);
}

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return status < 400 ? "OK" : "Error";
	}
}

/* Queue the whole answer and start writing it. */
static void respond(struct conn *c, struct sc_http_resp *r)
{
	FILE *f = open_memstream(&c->out, &c->out_len);

	if (!f) {
		conn_close(c);
		return;
	}
	fprintf(f, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nCache-Control: no-store\r\n"
		   "%sConnection: close\r\n\r\n", r->status, reason(r->status),
		r->type ? r->type : "text/plain; charset=utf-8", r->len, c->extra ? c->extra : "");
	if (r->len)
		fwrite(r->body, 1, r->len, f);
	free(r->body);
	r->body = NULL;
	if (fclose(f) != 0) {
		conn_close(c);
		return;
	}
	c->out_off = 0;
	sc_loop_mod_fd(c->h->loop, c->fd, SC_LOOP_OUT);
}

static void serve(struct conn *c)
{
	struct sc_http_line line;
	struct sc_http_resp resp = { 200, NULL, NULL, 0 };
	char *body = c->in + c->head_len;

	body[c->body_want] = '\0';
	if (sc_http_request_line(c->in, &line) < 0) {
		sc_httpd_printf(&resp, 400, "application/json", "{\"error\": \"malformed request\"}\n");
		respond(c, &resp);
		return;
	}
	c->h->fn(c->h->arg,
		 &(struct sc_http_req){ line.method, line.target, body, c->body_want, &c->peer, NULL }, &resp);
	respond(c, &resp);
}

/* Equal, in a time that depends on the length of want only (so a guess
 * learns nothing from how long the answer took). */
static bool same_secret(const char *want, const char *got, size_t got_len)
{
	size_t n = strlen(want);
	unsigned char d = n != got_len;

	for (size_t i = 0; i < n; i++)
		d |= (unsigned char)(want[i] ^ (i < got_len ? got[i] : 0));
	return d == 0;
}

/* Whether the head carries the token (always, when none is required).
 * A refusal is counted and logged at most once per 10 s. */
static bool authorized(struct conn *c)
{
	sc_httpd_lite *h = c->h;
	const char *v = h->token ? strcasestr(c->in, "\r\nAuthorization:") : NULL;
	char who[SC_ADDR_STRLEN], more[64] = "";
	uint64_t quiet;

	if (!h->token)
		return true;
	if (v) {
		v += 16;
		v += strspn(v, " \t");
		if (strncasecmp(v, "Bearer", 6) == 0 && (v[6] == ' ' || v[6] == '\t')) {
			v += 6 + strspn(v + 6, " \t");
			if (same_secret(h->token, v, strcspn(v, " \t\r\n")))
				return true;
		}
	}
	h->auth_failed++;
	if (sc_lograte_ok(&h->auth_note, sc_clock_now_ns(sc_loop_clock(h->loop)), LOG_EVERY_NS, &quiet)) {
		sc_addr_format(&c->peer, false, who, sizeof(who));
		if (quiet)
			snprintf(more, sizeof(more), " (and %llu more in the last 10 s)", (unsigned long long)quiet);
		sc_logf(&h->lg, LOG_WARNING, "%s: refused a request from %s without the right bearer token%s", h->name,
			who, more);
	}
	return false;
}

/* Answer before the handler (the request is over as far as the guard
 * goes: what is left is writing the answer). */
static void answer_early(struct conn *c, int status, const char *json)
{
	struct sc_http_resp resp = { 0 };

	sc_guard_request_done(c->gc);
	sc_httpd_printf(&resp, status, "application/json", "%s\n", json);
	respond(c, &resp);
}

/* The head is in: find the body's length. Returns false when c is gone
 * or answered. */
static bool parse_head(struct conn *c, char *end)
{
	struct sc_http_fields f;
	char msg[96];

	*end = '\0';
	c->head_len = (size_t)(end - c->in) + 4;
	sc_http_request_fields(c->in, &f);
	c->body_want = f.content_length;
	if (!authorized(c)) {
		c->extra = "WWW-Authenticate: Bearer realm=\"sixcast\"\r\n";
		answer_early(c, 401, "{\"error\": \"missing or wrong bearer token (Authorization: Bearer TOKEN)\"}");
		return false;
	}
	if (f.transfer_encoding) {
		answer_early(c, 400, "{\"error\": \"send a Content-Length\"}");
		return false;
	}
	if (c->body_want > c->h->max_body) {
		snprintf(msg, sizeof(msg), "{\"error\": \"request body larger than %zu bytes\"}", c->h->max_body);
		answer_early(c, 413, msg);
		return false;
	}
	if (f.expect_continue && !c->continued) {
		c->continued = true;
		(void)!send(c->fd, "HTTP/1.1 100 Continue\r\n\r\n", 25, MSG_NOSIGNAL | MSG_DONTWAIT);
	}
	return true;
}

static void on_read(struct conn *c)
{
	for (;;) {
		size_t room = (c->head_len ? c->head_len + c->body_want : HEAD_MAX) + 1;
		ssize_t n;
		char *end;

		if (c->in_cap < room) {
			char *in = realloc(c->in, room);

			if (!in) {
				conn_close(c);
				return;
			}
			c->in = in;
			c->in_cap = room;
		}
		if (c->head_len && c->in_len >= c->head_len + c->body_want) {
			sc_guard_request_done(c->gc);
			serve(c);
			return;
		}
		n = recv(c->fd, c->in + c->in_len, c->in_cap - 1 - c->in_len, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			conn_close(c);
			return;
		}
		c->in_len += (size_t)n;
		c->in[c->in_len] = '\0';
		if (!c->head_len) {
			if ((end = strstr(c->in, "\r\n\r\n"))) {
				if (!parse_head(c, end))
					return;
			} else if (c->in_len >= HEAD_MAX) {
				answer_early(c, 400, "{\"error\": \"request head too large\"}");
				return;
			}
		}
	}
}

static void on_conn(void *arg, int fd, uint32_t events)
{
	struct conn *c = arg;

	if (!c->out) {
		if (events & (SC_LOOP_IN | SC_LOOP_ERR))
			on_read(c);
		return;
	}
	while (c->out_off < c->out_len) {
		ssize_t n = send(fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0)
			break;
		c->out_off += (size_t)n;
		sc_guard_touch(c->gc);
	}
	conn_close(c);
}

/* The guard closes a connection that overstays: at once. */
static void guard_close(void *arg, void *conn, enum sc_guard_why why)
{
	(void)arg;
	(void)why;
	conn_close(conn);
}

static void refuse(int fd)
{
	static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
				   "Content-Length: 35\r\nConnection: close\r\n\r\n"
				   "{\"error\": \"too many connections\"}\n";

	(void)!send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
}

/* Take one connection in; false when it was refused. */
static bool take(sc_httpd_lite *h, int fd, const struct sc_sockaddr *peer)
{
	struct conn *c;
	int slot;

	/* May close the oldest half-sent request to make room. */
	if (sc_guard_check(h->guard, peer) < 0)
		return false;
	for (slot = 0; slot < MAX_CONNS && h->conns[slot]; slot++)
		;
	if (slot == MAX_CONNS || !(c = calloc(1, sizeof(*c))))
		return false;
	c->h = h;
	c->fd = fd;
	c->peer = *peer;
	c->gc = sc_guard_add(h->guard, peer, c);
	if (!c->gc || sc_loop_add_fd(h->loop, fd, SC_LOOP_IN, on_conn, c) < 0) {
		sc_guard_remove(c->gc);
		free(c);
		return false;
	}
	h->conns[slot] = c;
	return true;
}

static void on_accept(void *arg, int lfd, uint32_t events)
{
	sc_httpd_lite *h = arg;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct sc_sockaddr peer;
	int fd;

	(void)events;
	while ((fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		memset(&peer, 0, sizeof(peer));
		sc_addr_from_sa((struct sockaddr *)&ss, sl, &peer);
		if (!take(h, fd, &peer))
			refuse(fd);
		sl = sizeof(ss);
	}
}

void sc_httpd_lite_limits_default(struct sc_guard_limits *lim)
{
	*lim = (struct sc_guard_limits){ .max_conns = MAX_CONNS, .per_addr = 4, .request_ns = 5 * SC_NS_PER_S,
					 .idle_ns = 10 * SC_NS_PER_S };
}

/* The caller's limits, or the defaults, within the slots there are. */
static struct sc_guard_limits fit(const struct sc_guard_limits *lim)
{
	struct sc_guard_limits l;

	if (lim)
		l = *lim;
	else
		sc_httpd_lite_limits_default(&l);
	if (!l.max_conns || l.max_conns > MAX_CONNS)
		l.max_conns = MAX_CONNS;
	l.keep_ns = 0; /* one request per connection */
	return l;
}

int sc_httpd_lite_new(sc_loop *loop, const struct sc_sockaddr *addr, size_t max_body,
		      const struct sc_guard_limits *lim, sc_httpd_fn fn, void *arg, const struct sc_logger *lg,
		      sc_httpd_lite **out)
{
	sc_httpd_lite *h = calloc(1, sizeof(*h));
	struct sc_guard_limits l = fit(lim);
	char where[SC_ADDR_STRLEN];
	int rc;

	*out = NULL;
	if (!h)
		return -ENOMEM;
	h->loop = loop;
	h->lfd = -1;
	h->max_body = max_body;
	h->fn = fn;
	h->arg = arg;
	if (lg)
		h->lg = *lg;
	sc_addr_format(addr, true, where, sizeof(where));
	snprintf(h->name, sizeof(h->name), "http %s", where);
	if ((rc = sc_guard_new(loop, &l, h->name, guard_close, h, lg, &h->guard)) < 0)
		goto fail;
	/* "[::]" listens on IPv4 too, as sc_httpd.
	 * A backlog with room for a burst of connects: a full one drops SYNs,
	 * and a dropped SYN costs the client a second. */
	if ((h->lfd = rc = sc_tcp_listen(addr, 128)) < 0)
		goto fail;
	h->port = sc_sock_port(h->lfd);
	if ((rc = sc_loop_add_fd(loop, h->lfd, SC_LOOP_IN, on_accept, h)) < 0)
		goto fail;
	*out = h;
	return 0;
fail:
	sc_logf(&h->lg, LOG_ERR, "http: cannot listen on %s: %s", where, strerror(-rc));
	if (h->lfd >= 0)
		close(h->lfd);
	sc_guard_free(h->guard);
	free(h);
	return rc;
}

void sc_httpd_lite_free(sc_httpd_lite *h)
{
	if (!h)
		return;
	for (int i = 0; i < MAX_CONNS; i++)
		if (h->conns[i])
			conn_close(h->conns[i]);
	sc_loop_del_fd(h->loop, h->lfd);
	close(h->lfd);
	sc_guard_free(h->guard);
	free(h->token);
	free(h);
}

unsigned sc_httpd_lite_port(const sc_httpd_lite *h)
{
	return h->port;
}

void sc_httpd_lite_set_limits(sc_httpd_lite *h, const struct sc_guard_limits *lim)
{
	struct sc_guard_limits l = fit(lim);

	sc_guard_set_limits(h->guard, &l);
}

int sc_httpd_lite_set_token(sc_httpd_lite *h, const char *token)
{
	char *t = NULL;

	if (token && *token && !(t = strdup(token)))
		return -ENOMEM;
	free(h->token);
	h->token = t;
	return 0;
}

void sc_httpd_lite_stats(const sc_httpd_lite *h, struct sc_httpd_lite_stats *out)
{
	out->conns = *sc_guard_stats(h->guard);
	out->auth_failed = h->auth_failed;
}
