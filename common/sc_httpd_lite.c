/* sc_httpd_lite: a small HTTP/1.1 server on sc_loop; see sc_httpd_lite.h.
 *
 * A connection reads its request head (at most HEAD_MAX bytes) and a body
 * of Content-Length bytes (at most max_body: else 413), then the handler
 * runs and the whole answer is written, after which the connection
 * closes. "Expect: 100-continue" is answered before the body comes. */
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
#define MAX_CONNS 32
#define IDLE_NS (10 * SC_NS_PER_S)

struct conn {
	sc_httpd_lite *h;
	int fd;
	sc_timer *timer;
	struct sc_sockaddr peer;
	char *in;              /* head, then body */
	size_t in_len, in_cap, head_len, body_want;
	bool continued;        /* 100 Continue sent */
	char *out;
	size_t out_len, out_off;
};

struct sc_httpd_lite {
	sc_loop *loop;
	int lfd;
	unsigned port;
	size_t max_body;
	sc_httpd_fn fn;
	void *arg;
	struct sc_logger lg;
	struct conn *conns[MAX_CONNS];
};

static void conn_close(struct conn *c)
{
	sc_httpd_lite *h = c->h;

	for (int i = 0; i < MAX_CONNS; i++)
		if (h->conns[i] == c)
			h->conns[i] = NULL;
	sc_loop_del_fd(h->loop, c->fd);
	close(c->fd);
	sc_timer_free(c->timer);
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
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 500: return "Internal Server Error";
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
		   "Connection: close\r\n\r\n", r->status, reason(r->status),
		r->type ? r->type : "text/plain; charset=utf-8", r->len);
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

/* The head is in: find the body's length. Returns false when c is gone
 * or answered. */
static bool parse_head(struct conn *c, char *end)
{
	struct sc_http_fields f;
	struct sc_http_resp resp = { 0 };

	*end = '\0';
	c->head_len = (size_t)(end - c->in) + 4;
	sc_http_request_fields(c->in, &f);
	c->body_want = f.content_length;
	if (f.transfer_encoding) {
		sc_httpd_printf(&resp, 400, "application/json", "{\"error\": \"send a Content-Length\"}\n");
		respond(c, &resp);
		return false;
	}
	if (c->body_want > c->h->max_body) {
		sc_httpd_printf(&resp, 413, "application/json",
				"{\"error\": \"request body larger than %zu bytes\"}\n", c->h->max_body);
		respond(c, &resp);
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
				struct sc_http_resp resp = { 0 };

				sc_httpd_printf(&resp, 400, "application/json", "{\"error\": \"request head too large\"}\n");
				respond(c, &resp);
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
	}
	conn_close(c);
}

static void on_idle(void *arg)
{
	conn_close(arg);
}

static void on_accept(void *arg, int lfd, uint32_t events)
{
	sc_httpd_lite *h = arg;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct conn *c;
	int fd, slot;

	(void)events;
	while ((fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		for (slot = 0; slot < MAX_CONNS && h->conns[slot]; slot++)
			;
		if (slot == MAX_CONNS || !(c = calloc(1, sizeof(*c)))) {
			close(fd);
			continue;
		}
		c->h = h;
		c->fd = fd;
		sc_addr_from_sa((struct sockaddr *)&ss, sl, &c->peer);
		c->timer = sc_timer_new(h->loop, on_idle, c);
		if (!c->timer || sc_loop_add_fd(h->loop, fd, SC_LOOP_IN, on_conn, c) < 0) {
			sc_timer_free(c->timer);
			close(fd);
			free(c);
			continue;
		}
		sc_timer_arm(c->timer, IDLE_NS);
		h->conns[slot] = c;
		sl = sizeof(ss);
	}
}

int sc_httpd_lite_new(sc_loop *loop, const struct sc_sockaddr *addr, size_t max_body, sc_httpd_fn fn, void *arg,
		      const struct sc_logger *lg, sc_httpd_lite **out)
{
	sc_httpd_lite *h = calloc(1, sizeof(*h));
	char where[SC_ADDR_STRLEN];
	int rc;

	*out = NULL;
	if (!h)
		return -ENOMEM;
	h->loop = loop;
	h->max_body = max_body;
	h->fn = fn;
	h->arg = arg;
	if (lg)
		h->lg = *lg;
	sc_addr_format(addr, true, where, sizeof(where));
	/* "[::]" listens on IPv4 too, as sc_httpd */
	if ((h->lfd = rc = sc_tcp_listen(addr, 16)) < 0)
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
	free(h);
}

unsigned sc_httpd_lite_port(const sc_httpd_lite *h)
{
	return h->port;
}
