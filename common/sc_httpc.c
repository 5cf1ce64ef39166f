/* sc_httpc: see sc_httpc.h. http:// is served here by a small HTTP/1.1
 * client on the loop (one connection per request, "Connection: close");
 * https:// (and http:// with SIXCAST_HTTPC=curl in the environment) by
 * libcurl, loaded on first use (sc_httpc_curl.c;
 * sc_httpc_int.h says why).
 *
 * A request: resolve (an address literal at once; a name with
 * getaddrinfo_a(), polled from the request's timer, so the loop never
 * blocks on DNS), connect to each address in turn, write the request, read
 * the answer until its Content-Length, its last chunk, or EOF. One timer
 * per request bounds the whole of it. Callbacks always run from the loop,
 * never from inside sc_httpc_request(). */
#include "config.h"

#include "sc_httpc.h"

#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sc_http_parse.h"
#include "sc_httpc_int.h"

#define HEAD_MAX (16u << 10)
#define RESOLVE_POLL_NS (5 * SC_NS_PER_MS)

enum phase { RESOLVING, CONNECTING, SENDING, READING, FAILED };

/* An asynchronous lookup, apart from its request: one that cannot be
 * cancelled outlives the request (the resolver thread writes into it). */
struct lookup {
	struct gaicb gai, *list[1];
	struct addrinfo hints;
	char host[256], port[8];
};

struct req {
	sc_httpc *h;
	int64_t id;
	sc_httpc_done done;
	void *arg;
	enum phase phase;
	uint64_t deadline_ns;
	unsigned timeout_ms;
	sc_timer *timer;
	char host[256], port[8];
	struct lookup *lk;    /* a name being resolved */
	struct addrinfo *ai, *next_ai;
	int fd;
	char *out;            /* the request, head and body */
	size_t out_len, out_off;
	char *in;             /* the answer as it came */
	size_t in_len, in_cap;
	char err[512];
	struct req *next;
};

struct sc_httpc {
	sc_loop *loop;
	struct sc_logger lg;
	struct req *reqs;
	struct lookup **orphans; /* lookups of cancelled requests, still running */
	size_t n_orphans;
	struct sc_httpc_curl *curl;
	int64_t next_id;
	size_t pending;
};

static uint64_t now_ns(const sc_httpc *h)
{
	return sc_clock_now_ns(sc_loop_clock(h->loop));
}

static void lookup_free(struct lookup *lk)
{
	if (lk->gai.ar_result)
		freeaddrinfo(lk->gai.ar_result);
	free(lk);
}

/* Lookups of cancelled requests that could not be cancelled: freed once
 * done, checked at each new request and waited for at the end. */
static void orphans_reap(sc_httpc *h, bool wait)
{
	size_t k = 0;

	for (size_t i = 0; i < h->n_orphans; i++) {
		struct lookup *lk = h->orphans[i];

		while (wait && gai_error(&lk->gai) == EAI_INPROGRESS)
			gai_suspend((const struct gaicb *const *)lk->list, 1, NULL);
		if (gai_error(&lk->gai) == EAI_INPROGRESS)
			h->orphans[k++] = lk;
		else
			lookup_free(lk);
	}
	h->n_orphans = k;
}

static void lookup_drop(sc_httpc *h, struct lookup *lk)
{
	struct lookup **o;

	if (gai_cancel(&lk->gai) != EAI_NOTCANCELED) {
		lookup_free(lk);
		return;
	}
	if ((o = realloc(h->orphans, (h->n_orphans + 1) * sizeof(*o)))) {
		h->orphans = o;
		h->orphans[h->n_orphans++] = lk;
		return;
	}
	/* Out of memory: wait for it rather than free it under the thread. */
	while (gai_error(&lk->gai) == EAI_INPROGRESS)
		gai_suspend((const struct gaicb *const *)lk->list, 1, NULL);
	lookup_free(lk);
}

static void req_release(sc_httpc *h, struct req *r)
{
	if (r->fd >= 0) {
		sc_loop_del_fd(h->loop, r->fd);
		close(r->fd);
	}
	if (r->lk)
		lookup_drop(h, r->lk);
	if (r->ai)
		freeaddrinfo(r->ai);
	sc_timer_free(r->timer);
	free(r->out);
	free(r->in);
	free(r);
}

static void unlink_req(sc_httpc *h, struct req *r)
{
	for (struct req **pp = &h->reqs; *pp; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			h->pending--;
			return;
		}
}

/* The end: the callback (unless cancelled), then the request is gone. */
static void finish(struct req *r, int status, const char *body, size_t len)
{
	sc_httpc *h = r->h;

	unlink_req(h, r);
	r->done(r->arg, status, body ? body : "", len, status ? "" : r->err);
	req_release(h, r);
}

static void fail(struct req *r, const char *fmt, ...) SC_PRINTF(2, 3);
static void fail(struct req *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	finish(r, 0, NULL, 0);
}

static void on_io(void *arg, int fd, uint32_t events);

/* Connect to the next address. Returns false when none is left (r->err
 * says why). */
static bool connect_next(struct req *r)
{
	while (r->next_ai) {
		struct addrinfo *a = r->next_ai;

		r->next_ai = a->ai_next;
		if (r->fd >= 0) {
			sc_loop_del_fd(r->h->loop, r->fd);
			close(r->fd);
		}
		r->fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
		if (r->fd < 0) {
			snprintf(r->err, sizeof(r->err), "socket: %s", strerror(errno));
			continue;
		}
		if (connect(r->fd, a->ai_addr, a->ai_addrlen) < 0 && errno != EINPROGRESS) {
			snprintf(r->err, sizeof(r->err), "Failed to connect to %s port %s: %s", r->host, r->port,
				 strerror(errno));
			continue;
		}
		r->phase = CONNECTING;
		if (sc_loop_add_fd(r->h->loop, r->fd, SC_LOOP_OUT, on_io, r) < 0) {
			snprintf(r->err, sizeof(r->err), "cannot watch the socket");
			continue;
		}
		return true;
	}
	return false;
}

/* The answer so far: finished (callback made) or not yet. eof: nothing
 * more will come. Returns true when r is finished. */
static bool parse_answer(struct req *r, bool eof)
{
	struct sc_http_answer a;
	int rc = sc_http_answer_parse(r->in, r->in_len, eof, SC_HTTPC_MAX_ANSWER, &a);

	if (rc == 0)
		return false;
	if (rc == -EMSGSIZE)
		fail(r, "answer larger than %u bytes", SC_HTTPC_MAX_ANSWER);
	else if (rc < 0)
		fail(r, "%s", a.err);
	else
		finish(r, a.status, a.body, a.body_len);
	return true;
}

static void on_readable(struct req *r)
{
	for (;;) {
		ssize_t n;

		if (r->in_cap - r->in_len < 4096 + 1) {
			size_t cap = r->in_cap ? r->in_cap * 2 : 8192;
			char *in;

			if (r->in_len > SC_HTTPC_MAX_ANSWER + HEAD_MAX) {
				snprintf(r->err, sizeof(r->err), "answer larger than %u bytes", SC_HTTPC_MAX_ANSWER);
				finish(r, 0, NULL, 0);
				return;
			}
			if (!(in = realloc(r->in, cap))) {
				fail(r, "%s", "out of memory");
				return;
			}
			r->in = in;
			r->in_cap = cap;
		}
		n = recv(r->fd, r->in + r->in_len, r->in_cap - r->in_len - 1, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n < 0) {
			fail(r, "Recv failure: %s", strerror(errno));
			return;
		}
		r->in_len += (size_t)n;
		r->in[r->in_len] = '\0';
		if (n == 0) {
			parse_answer(r, true);
			return;
		}
	}
	parse_answer(r, false);
}

static void on_io(void *arg, int fd, uint32_t events)
{
	struct req *r = arg;
	int e = 0;
	socklen_t el = sizeof(e);

	if (r->phase == CONNECTING) {
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0)
			e = errno;
		if (e) {
			snprintf(r->err, sizeof(r->err), "Failed to connect to %s port %s: %s", r->host, r->port,
				 strerror(e));
			if (!connect_next(r))
				finish(r, 0, NULL, 0);
			return;
		}
		r->phase = SENDING;
	}
	if (r->phase == SENDING) {
		ssize_t n = send(fd, r->out + r->out_off, r->out_len - r->out_off, MSG_NOSIGNAL);

		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			fail(r, "Send failure: %s", strerror(errno));
			return;
		}
		r->out_off += n > 0 ? (size_t)n : 0;
		if (r->out_off == r->out_len) {
			r->phase = READING;
			sc_loop_mod_fd(r->h->loop, fd, SC_LOOP_IN);
		}
		return;
	}
	if (r->phase == READING && (events & (SC_LOOP_IN | SC_LOOP_ERR)))
		on_readable(r);
}

static void on_timer(void *arg)
{
	struct req *r = arg;
	int e;

	if (r->phase == FAILED) {
		finish(r, 0, NULL, 0);
		return;
	}
	if (now_ns(r->h) >= r->deadline_ns) {
		snprintf(r->err, sizeof(r->err), "Operation timed out after %u milliseconds", r->timeout_ms);
		finish(r, 0, NULL, 0);
		return;
	}
	if (r->phase != RESOLVING)
		return;
	e = gai_error(&r->lk->gai);
	if (e == EAI_INPROGRESS) {
		sc_timer_arm(r->timer, RESOLVE_POLL_NS);
		return;
	}
	if (e) {
		fail(r, "Could not resolve host: %s", r->host);
		return;
	}
	r->ai = r->next_ai = r->lk->gai.ar_result;
	r->lk->gai.ar_result = NULL;
	lookup_free(r->lk);
	r->lk = NULL;
	if (!connect_next(r)) {
		finish(r, 0, NULL, 0);
		return;
	}
	sc_timer_arm_at(r->timer, r->deadline_ns);
}

/* "http://host[:port]/path": host (brackets removed), port, path. */
static int split_url(struct req *r, const char *url, const char **path)
{
	const char *h = url + 7, *end, *colon;
	size_t n;

	if (*h == '[') {
		end = strchr(++h, ']');
		if (!end)
			return -EINVAL;
		colon = end[1] == ':' ? end + 1 : NULL;
		*path = end + 1 + strcspn(end + 1, "/?");
	} else {
		end = h + strcspn(h, ":/?");
		colon = *end == ':' ? end : NULL;
		*path = end + strcspn(end, "/?");
	}
	n = (size_t)(end - h);
	if (!n || n >= sizeof(r->host))
		return -EINVAL;
	memcpy(r->host, h, n);
	r->host[n] = '\0';
	n = colon ? (size_t)(*path - colon - 1) : 2;
	if (n < 1 || n >= sizeof(r->port))
		return -EINVAL;
	snprintf(r->port, sizeof(r->port), "%.*s", (int)n, colon ? colon + 1 : "80");
	return strspn(r->port, "0123456789") == n ? 0 : -EINVAL;
}

static int build_request(struct req *r, const char *method, const char *url, const char *token,
			 const char *json)
{
	const char *path;
	size_t len = 0;
	FILE *f;
	bool v6;

	if (split_url(r, url, &path) < 0)
		return -EINVAL;
	v6 = strchr(r->host, ':') != NULL;
	if (!(f = open_memstream(&r->out, &len)))
		return -ENOMEM;
	fprintf(f, "%s %s%s HTTP/1.1\r\nHost: %s%s%s%s%s\r\nAccept: application/json\r\nConnection: close\r\n",
		method, *path == '/' ? "" : "/", path, v6 ? "[" : "", r->host, v6 ? "]" : "",
		strcmp(r->port, "80") ? ":" : "", strcmp(r->port, "80") ? r->port : "");
	if (token)
		fprintf(f, "Authorization: Bearer %s\r\n", token);
	if (json)
		fprintf(f, "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s", strlen(json), json);
	else
		fprintf(f, "%s\r\n", strcmp(method, "GET") && strcmp(method, "HEAD") ? "Content-Length: 0\r\n" : "");
	if (fclose(f) != 0)
		return -ENOMEM;
	r->out_len = len;
	return 0;
}

/* Take the literal address, or start resolving the name. A failure here
 * reaches the callback through the timer, from the loop. */
static void start(struct req *r)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
	struct lookup *lk;

	if (getaddrinfo(r->host, r->port, &hints, &r->ai) == 0) {
		r->next_ai = r->ai;
		r->phase = connect_next(r) ? r->phase : FAILED;
		sc_timer_arm_at(r->timer, r->phase == FAILED ? 0 : r->deadline_ns);
		return;
	}
	r->ai = NULL;
	if (!(lk = calloc(1, sizeof(*lk)))) {
		snprintf(r->err, sizeof(r->err), "out of memory");
		r->phase = FAILED;
		sc_timer_arm(r->timer, 0);
		return;
	}
	memcpy(lk->host, r->host, sizeof(lk->host));
	memcpy(lk->port, r->port, sizeof(lk->port));
	lk->hints = (struct addrinfo){ .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG };
	lk->gai = (struct gaicb){ .ar_name = lk->host, .ar_service = lk->port, .ar_request = &lk->hints };
	lk->list[0] = &lk->gai;
	r->phase = RESOLVING;
	if (getaddrinfo_a(GAI_NOWAIT, lk->list, 1, NULL) != 0) {
		free(lk);
		snprintf(r->err, sizeof(r->err), "Could not resolve host: %s", r->host);
		r->phase = FAILED;
		sc_timer_arm(r->timer, 0);
		return;
	}
	r->lk = lk;
	sc_timer_arm(r->timer, RESOLVE_POLL_NS);
}

sc_httpc *sc_httpc_new(sc_loop *loop, const struct sc_logger *lg)
{
	sc_httpc *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->loop = loop;
	if (lg)
		h->lg = *lg;
	return h;
}

void sc_httpc_free(sc_httpc *h)
{
	if (!h)
		return;
	while (h->reqs) {
		struct req *r = h->reqs;

		h->reqs = r->next;
		req_release(h, r);
	}
	orphans_reap(h, true);
	free(h->orphans);
	sc_httpc_curl_free(h->curl);
	free(h);
}

/* Whether http:// takes the built-in client: yes unless SIXCAST_HTTPC=curl
 * (a way back should a management server's HTTP stack disagree with ours).
 * A box's stalls with it under load (client_lab's "multicast blocked")
 * were the retransmit library's, fixed since: a stall of multicast
 * poisoned later repairs, and a slow answer froze RET out. */
static bool builtin(void)
{
	const char *v = getenv("SIXCAST_HTTPC");

	return !(v && strcmp(v, "curl") == 0);
}

static int64_t request_curl(sc_httpc *h, const char *method, const char *url, const char *token, const char *json,
			   unsigned timeout_ms, sc_httpc_done done, void *arg)
{
	char why[200];
	int rc;

	if (!h->curl && (rc = sc_httpc_curl_new(h->loop, &h->curl, why, sizeof(why))) < 0) {
		sc_logf(&h->lg, LOG_ERR, "%s", why);
		return rc;
	}
	rc = sc_httpc_curl_request(h->curl, h->next_id + 1, method, url, token, json, timeout_ms, done, arg);
	return rc < 0 ? rc : ++h->next_id;
}

int64_t sc_httpc_request(sc_httpc *h, const char *method, const char *url, const char *token, const char *json,
			 unsigned timeout_ms, sc_httpc_done done, void *arg)
{
	struct req *r;

	if (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0)
		return -EPROTONOSUPPORT;
	if (strncasecmp(url, "https://", 8) == 0 || !builtin())
		return request_curl(h, method, url, token, json, timeout_ms, done, arg);
	orphans_reap(h, false);
	if (!(r = calloc(1, sizeof(*r))))
		return -ENOMEM;
	r->h = h;
	r->fd = -1;
	r->done = done;
	r->arg = arg;
	r->timeout_ms = timeout_ms;
	r->deadline_ns = now_ns(h) + (uint64_t)timeout_ms * SC_NS_PER_MS;
	if (!(r->timer = sc_timer_new(h->loop, on_timer, r)) ||
	    build_request(r, method, url, token, json) < 0) {
		int rc = r->timer ? -EINVAL : -ENOMEM;

		req_release(h, r);
		return rc;
	}
	r->id = ++h->next_id;
	r->next = h->reqs;
	h->reqs = r;
	h->pending++;
	start(r);
	return r->id;
}

void sc_httpc_cancel(sc_httpc *h, int64_t id)
{
	for (struct req **pp = &h->reqs; *pp; pp = &(*pp)->next)
		if ((*pp)->id == id) {
			struct req *r = *pp;

			*pp = r->next;
			h->pending--;
			req_release(h, r);
			return;
		}
	if (h->curl)
		sc_httpc_curl_cancel(h->curl, id);
}

size_t sc_httpc_pending(const sc_httpc *h)
{
	return h->pending + (h->curl ? sc_httpc_curl_pending(h->curl) : 0);
}
