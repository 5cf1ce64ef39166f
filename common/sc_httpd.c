/* sc_httpd: libmicrohttpd in external-epoll mode under sc_loop. See
 * sc_httpd.h. */
#include "config.h"

#include "sc_httpd.h"
#include "sc_guard_mhd.h"

#include <errno.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sc_httpd {
	struct MHD_Daemon *d;
	sc_loop *loop;
	sc_timer *timer;
	int epfd;
	size_t max_body;
	sc_httpd_fn fn;
	void *arg;
	struct sc_logger lg;
	sc_guard *guard;
	unsigned max_conns; /* what MHD's own limit was made for */
	struct sc_lograte mhd_note;
};

/* A request being received. */
struct pending {
	char *body;
	size_t len;
	bool too_big;
};

static void reschedule(sc_httpd *h)
{
	MHD_UNSIGNED_LONG_LONG ms;

	if (MHD_get_timeout(h->d, &ms) == MHD_YES)
		sc_timer_arm(h->timer, (uint64_t)ms * SC_NS_PER_MS);
	else
		sc_timer_stop(h->timer);
}

static void on_ready(void *arg, int fd, uint32_t events)
{
	sc_httpd *h = arg;

	(void)fd;
	(void)events;
	MHD_run(h->d);
	reschedule(h);
}

static void on_timer(void *arg)
{
	on_ready(arg, -1, 0);
}

static enum MHD_Result send_resp(struct MHD_Connection *conn, struct sc_http_resp *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(r->body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				r->type ? r->type : "text/plain; charset=utf-8");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	ret = MHD_queue_response(conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* Gather the body, then hand the whole request to the handler. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *data, size_t *data_size, void **con_cls)
{
	sc_httpd *h = cls;
	struct pending *p = *con_cls;
	struct sc_http_resp resp = { 200, NULL, NULL, 0 };
	struct sc_sockaddr peer = { 0 };
	const union MHD_ConnectionInfo *ci;

	(void)version;
	if (!p) {
		p = calloc(1, sizeof(*p));
		*con_cls = p;
		return p ? MHD_YES : MHD_NO;
	}
	if (*data_size) {
		if (p->too_big || p->len + *data_size > h->max_body) {
			p->too_big = true;
		} else {
			char *b = realloc(p->body, p->len + *data_size + 1);

			if (!b)
				return MHD_NO;
			memcpy(b + p->len, data, *data_size);
			p->body = b;
			p->len += *data_size;
			b[p->len] = '\0';
		}
		*data_size = 0;
		return MHD_YES;
	}
	sc_guard_mhd_request_done(conn);
	if (p->too_big) {
		sc_httpd_printf(&resp, 413, "application/json",
				"{\"error\": \"request body larger than %zu bytes\"}\n", h->max_body);
		return send_resp(conn, &resp);
	}
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci && ci->client_addr)
		sc_addr_from_sa(ci->client_addr, sizeof(struct sockaddr_storage), &peer);
	h->fn(h->arg, &(struct sc_http_req){ method, url, p->body ? p->body : "", p->len, &peer, conn }, &resp);
	if (!resp.body && !resp.len)
		resp.body = strdup("");
	return send_resp(conn, &resp);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct pending *p = *con_cls;

	(void)cls;
	sc_guard_mhd_request_next(conn, toe);
	if (p) {
		free(p->body);
		free(p);
		*con_cls = NULL;
	}
}

/* MHD says something for every connection that goes wrong, and a remote
 * party decides how many do: at most one line per 10 s. */
static void mhd_log(void *arg, const char *fmt, va_list ap)
{
	sc_httpd *h = arg;
	char msg[512];
	uint64_t quiet;
	size_t n;

	if (!sc_lograte_ok(&h->mhd_note, sc_clock_now_ns(sc_loop_clock(h->loop)), 10 * SC_NS_PER_S, &quiet))
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	if (quiet)
		sc_logf(&h->lg, LOG_WARNING, "http: %s (and %llu more messages in the last 10 s)", msg,
			(unsigned long long)quiet);
	else
		sc_logf(&h->lg, LOG_WARNING, "http: %s", msg);
}

void sc_httpd_limits_default(struct sc_guard_limits *lim)
{
	*lim = (struct sc_guard_limits){ .max_conns = 256, .per_addr = 16, .request_ns = 10 * SC_NS_PER_S,
					 .idle_ns = 30 * SC_NS_PER_S };
}

static struct MHD_Daemon *start(sc_httpd *h, const struct sc_sockaddr *addr, const struct sc_guard_limits *lim)
{
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG, timeout_s, hard;
	struct sc_guard_limits gl;

	sc_guard_mhd_split(lim, &gl, &timeout_s, &hard);
	if (sc_guard_new(h->loop, &gl, "http", sc_guard_mhd_close, NULL, &h->lg, &h->guard) < 0)
		return NULL;
	h->max_conns = lim->max_conns;
	if (sc_addr_family(addr) == AF_INET6)
		flags |= MHD_USE_DUAL_STACK;
	/* The logger first: MHD complains about options given before it. */
	return MHD_start_daemon(flags, sc_addr_port(addr), sc_guard_mhd_accept, h->guard, on_request, h,
				MHD_OPTION_EXTERNAL_LOGGER, mhd_log, h, MHD_OPTION_SOCK_ADDR, &addr->u.sa,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, h, MHD_OPTION_NOTIFY_CONNECTION,
				sc_guard_mhd_notify, h->guard, MHD_OPTION_CONNECTION_TIMEOUT, timeout_s,
				hard ? MHD_OPTION_CONNECTION_LIMIT : MHD_OPTION_END, hard, MHD_OPTION_END);
}

int sc_httpd_new(sc_loop *loop, const struct sc_sockaddr *addr, size_t max_body, const struct sc_guard_limits *lim,
		 sc_httpd_fn fn, void *arg, const struct sc_logger *lg, sc_httpd **out)
{
	sc_httpd *h = calloc(1, sizeof(*h));
	const union MHD_DaemonInfo *di;
	struct sc_guard_limits dflt;
	char where[SC_ADDR_STRLEN];
	int rc = -ENOMEM;

	*out = NULL;
	if (!h)
		return -ENOMEM;
	h->loop = loop;
	h->max_body = max_body;
	h->fn = fn;
	h->arg = arg;
	if (lg)
		h->lg = *lg;
	if (!lim)
		sc_httpd_limits_default(&dflt);
	sc_addr_format(addr, true, where, sizeof(where));
	errno = 0;
	h->d = start(h, addr, lim ? lim : &dflt);
	if (!h->d) {
		rc = errno ? -errno : -EADDRINUSE;
		sc_logf(&h->lg, LOG_ERR, "http: cannot listen on %s: %s", where, strerror(-rc));
		goto fail;
	}
	di = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_EPOLL_FD);
	h->timer = sc_timer_new(loop, on_timer, h);
	if (!di || !h->timer || (rc = sc_loop_add_fd(loop, di->epoll_fd, SC_LOOP_IN, on_ready, h)) < 0)
		goto fail;
	h->epfd = di->epoll_fd;
	reschedule(h);
	*out = h;
	return 0;
fail:
	sc_httpd_free(h);
	return rc < 0 ? rc : -ENOMEM;
}

void sc_httpd_free(sc_httpd *h)
{
	if (!h)
		return;
	if (h->d) {
		if (h->timer)
			sc_loop_del_fd(h->loop, h->epfd);
		MHD_stop_daemon(h->d);
	}
	/* After MHD: stopping notifies the guard of every connection. */
	sc_guard_free(h->guard);
	sc_timer_free(h->timer);
	free(h);
}

void sc_httpd_set_limits(sc_httpd *h, const struct sc_guard_limits *lim)
{
	struct sc_guard_limits gl;
	unsigned timeout_s, hard;

	sc_guard_mhd_split(lim, &gl, &timeout_s, &hard);
	if (!gl.max_conns || gl.max_conns > h->max_conns)
		gl.max_conns = h->max_conns;
	sc_guard_set_limits(h->guard, &gl);
}

const struct sc_guard_stats *sc_httpd_guard_stats(const sc_httpd *h)
{
	return sc_guard_stats(h->guard);
}

const char *sc_httpd_header(const struct sc_http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *sc_httpd_query(const struct sc_http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

unsigned sc_httpd_port(const sc_httpd *h)
{
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);

	return di ? di->port : 0;
}
