/* mg_http: libmicrohttpd in external-epoll mode under the sc_loop. See
 * mg_http.h. */
#include "config.h"

#include "mg_http.h"

#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sc_guard_mhd.h"
#include "sc_listen.h"
#include "sc_log.h"

enum { PH_COLLECT, PH_PENDING, PH_ANSWERED };

struct daemon {
	struct MHD_Daemon *d;
	struct sc_sockaddr addr;
	int fd;       /* listen socket; -1 for a default left out */
	int epfd;     /* MHD's epoll fd, in our loop */
	sc_timer *timer;
	struct mg_http *h;
};

struct mg_http {
	sc_loop *loop;
	struct daemon dm[MG_LISTEN_MAX];
	size_t ndm;
	mg_handler_fn handler;
	mg_done_fn done;
	void *ctx;
	size_t max_body;
	char *tls_cert, *tls_key;
	struct mg_req *susp; /* pending requests */
	unsigned open;       /* connections */
	sc_timer *kick;      /* runs the daemons after a resume */
	sc_guard *guard;     /* connection limits, across the daemons */
	unsigned max_conns;  /* what MHD's own limits were made for */
	struct sc_lograte mhd_note;
};

static int whyf(char *why, size_t len, int rc, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int whyf(char *why, size_t len, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return rc;
}

static void run_daemon(struct daemon *dm)
{
	MHD_UNSIGNED_LONG_LONG ms;

	MHD_run(dm->d);
	if (MHD_get_timeout(dm->d, &ms) == MHD_YES)
		sc_timer_arm(dm->timer, (uint64_t)ms * SC_NS_PER_MS);
	else
		sc_timer_stop(dm->timer);
}

static void on_epoll(void *arg, int fd, uint32_t events)
{
	(void)fd;
	(void)events;
	run_daemon(arg);
}

static void on_timer(void *arg)
{
	run_daemon(arg);
}

static enum mg_method method_of(const char *m)
{
	static const char *const names[] = { "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD" };

	for (int i = 0; i < 6; i++)
		if (!strcmp(m, names[i]))
			return (enum mg_method)i;
	return MG_OTHER;
}

static struct mg_req *req_new(struct mg_http *h, struct MHD_Connection *c, const char *url,
			      const char *method)
{
	struct mg_req *r = calloc(1, sizeof(*r));
	const union MHD_ConnectionInfo *ci;

	if (!r)
		return NULL;
	r->http = h;
	r->conn = c;
	r->start_ns = sc_clock_now_ns(sc_loop_clock(h->loop));
	r->method = method_of(method);
	r->method_name = method;
	r->path = url;
	r->auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	r->content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci && ci->client_addr)
		sc_addr_from_sa(ci->client_addr, ci->client_addr->sa_family == AF_INET6 ?
				sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in), &r->peer);
	return r;
}

static void body_append(struct mg_req *r, const char *data, size_t n)
{
	if (r->body_too_big || r->body_len + n > r->http->max_body) {
		r->body_too_big = true;
		return;
	}
	if (r->body_len + n + 1 > r->body_cap) {
		size_t cap = r->body_cap ? r->body_cap : 1024;
		char *b;

		while (cap < r->body_len + n + 1)
			cap *= 2;
		b = realloc(r->body, cap);
		if (!b) {
			r->body_too_big = true;
			return;
		}
		r->body = b;
		r->body_cap = cap;
	}
	memcpy(r->body + r->body_len, data, n);
	r->body_len += n;
	r->body[r->body_len] = '\0';
}

static enum MHD_Result queue(struct MHD_Connection *c, struct mg_req *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ok;

	if (!r->resp) {
		r->resp = strdup("{\"error\":\"internal error: no answer\"}");
		r->resp_len = r->resp ? strlen(r->resp) : 0;
		r->status = 500;
	}
	resp = MHD_create_response_from_buffer(r->resp_len, r->resp, MHD_RESPMEM_MUST_FREE);
	if (!resp)
		return MHD_NO;
	r->resp = NULL; /* MHD frees it */
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				r->resp_type ? r->resp_type : "application/json");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (r->allow)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
	ok = MHD_queue_response(c, r->status ? r->status : 200, resp);
	MHD_destroy_response(resp);
	r->phase = PH_ANSWERED;
	return ok;
}

static void susp_link(struct mg_http *h, struct mg_req *r)
{
	r->susp_prev = NULL;
	r->susp_next = h->susp;
	if (h->susp)
		h->susp->susp_prev = r;
	h->susp = r;
}

static void susp_unlink(struct mg_http *h, struct mg_req *r)
{
	if (r->susp_prev)
		r->susp_prev->susp_next = r->susp_next;
	else if (h->susp == r)
		h->susp = r->susp_next;
	if (r->susp_next)
		r->susp_next->susp_prev = r->susp_prev;
	r->susp_prev = r->susp_next = NULL;
}

static void too_big(struct mg_req *r)
{
	char msg[96];

	snprintf(msg, sizeof(msg), "{\"error\":\"request body larger than %zu bytes\"}",
		 r->http->max_body);
	free(r->resp);
	r->resp = strdup(msg);
	r->resp_len = r->resp ? strlen(r->resp) : 0;
	r->status = 413;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *data,
				  size_t *size, void **con_cls)
{
	struct mg_http *h = cls;
	struct mg_req *r = *con_cls;
	const char *cl;

	(void)version;
	if (!r) {
		r = req_new(h, c, url, method);
		if (!r)
			return MHD_NO;
		*con_cls = r;
		cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > h->max_body) {
			/* Refuse before reading: MHD closes the connection after
			 * the answer since the body is left unread. */
			sc_guard_mhd_request_done(c);
			r->body_too_big = true;
			too_big(r);
			return queue(c, r);
		}
		return MHD_YES;
	}
	if (r->phase == PH_ANSWERED) {
		*size = 0; /* an early 413; the rest of the body is dropped */
		return MHD_YES;
	}
	if (r->phase == PH_PENDING) {
		/* Resumed: mg_req_finish() put the answer in place. */
		return queue(c, r);
	}
	if (*size) {
		body_append(r, data, *size);
		*size = 0;
		return MHD_YES;
	}
	/* The whole request is in: no deadline while it is served (a long
	 * poll waits as long as it asked). */
	sc_guard_mhd_request_done(c);
	if (r->body_too_big) {
		too_big(r);
		return queue(c, r);
	}
	h->handler(h->ctx, r);
	if (r->pending) {
		r->phase = PH_PENDING;
		susp_link(h, r);
		MHD_suspend_connection(c);
		return MHD_YES;
	}
	return queue(c, r);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode code)
{
	struct mg_http *h = cls;
	struct mg_req *r = *con_cls;

	sc_guard_mhd_request_next(c, code);
	if (!r)
		return;
	if (h->done)
		h->done(h->ctx, r, sc_clock_now_ns(sc_loop_clock(h->loop)) - r->start_ns);
	if (r->on_free)
		r->on_free(r);
	susp_unlink(h, r);
	free(r->body);
	free(r->resp);
	free(r);
	*con_cls = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct mg_http *h = cls;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED)
		h->open++;
	else if (h->open)
		h->open--;
	sc_guard_mhd_notify(h->guard, c, socket_context, toe);
}

static void on_kick(void *arg)
{
	struct mg_http *h = arg;

	for (size_t i = 0; i < h->ndm; i++)
		if (h->dm[i].d)
			run_daemon(&h->dm[i]);
}

void mg_req_finish(struct mg_req *r)
{
	if (r->phase != PH_PENDING || !r->pending)
		return;
	r->pending = false;
	susp_unlink(r->http, r);
	MHD_resume_connection(r->conn);
	/* In external-epoll mode a resumed connection is served by the next
	 * MHD_run(); do not wait for other traffic to cause one. */
	if (r->http->kick && !sc_timer_armed(r->http->kick))
		sc_timer_arm(r->http->kick, 0);
}

const char *mg_req_arg(const struct mg_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

/* MHD says something for every connection that goes wrong, and a remote
 * party decides how many do: at most one line per 10 s. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct mg_http *h = cls;
	char msg[512];
	uint64_t quiet = 0;
	size_t n;

	if (h && !sc_lograte_ok(&h->mhd_note, sc_clock_now_ns(sc_loop_clock(h->loop)), 10 * SC_NS_PER_S, &quiet))
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	if (h && quiet)
		sc_log(LOG_INFO, "http: %s (and %llu more messages in the last 10 s)", msg, (unsigned long long)quiet);
	else
		sc_log(LOG_INFO, "http: %s", msg);
}

static int listen_socket(const struct sc_sockaddr *a, char *why, size_t len)
{
	char txt[SC_ADDR_STRLEN];
	int fd, one = 1, e;

	sc_addr_format(a, true, txt, sizeof(txt));
	fd = socket(sc_addr_family(a), SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return whyf(why, len, -errno, "%s: socket: %s", txt, strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (sc_addr_family(a) == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, &a->u.sa, a->len) < 0 || listen(fd, 4096) < 0) {
		e = errno;
		close(fd);
		return whyf(why, len, -e, "%s: %s", txt, strerror(e));
	}
	return fd;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && n < (1 << 20) &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = calloc(1, (size_t)n + 1)) &&
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static int start_daemon(struct mg_http *h, const struct mg_config *cfg, size_t i, char *why,
			size_t len)
{
	struct daemon *dm = &h->dm[i];
	unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_TURBO | MHD_USE_ERROR_LOG;
	const union MHD_DaemonInfo *info;
	struct sc_guard_limits gl;
	unsigned timeout_s, hard;
	struct MHD_OptionItem opts[] = {
		{ MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, h },
		{ MHD_OPTION_LISTEN_SOCKET, dm->fd, NULL },
		{ MHD_OPTION_CONNECTION_LIMIT, 0, NULL },
		{ MHD_OPTION_CONNECTION_TIMEOUT, 0, NULL },
		/* Requests and answer headers here are small; MHD clears the
		 * whole pool for every request, so a big one costs time. */
		{ MHD_OPTION_CONNECTION_MEMORY_LIMIT, 8192, NULL },
		{ MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, h },
		{ MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, h },
		{ h->tls_cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, h->tls_cert },
		{ h->tls_key ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, h->tls_key },
		{ MHD_OPTION_END, 0, NULL },
	};
	char txt[SC_ADDR_STRLEN];

	/* The guard's cap is across daemons; each daemon's own is a backstop. */
	sc_guard_mhd_split(&cfg->http.limits, &gl, &timeout_s, &hard);
	opts[2].value = (intptr_t)hard;
	opts[3].value = (intptr_t)timeout_s;
	sc_addr_format(&dm->addr, true, txt, sizeof(txt));
	if (sc_addr_family(&dm->addr) == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (h->tls_cert)
		flags |= MHD_USE_TLS;
	dm->h = h;
	dm->d = MHD_start_daemon(flags, 0, sc_guard_mhd_accept, h->guard, on_request, h, MHD_OPTION_ARRAY, opts,
				 MHD_OPTION_END);
	if (!dm->d)
		return whyf(why, len, -EIO, "%s: libmicrohttpd would not start", txt);
	info = MHD_get_daemon_info(dm->d, MHD_DAEMON_INFO_EPOLL_FD);
	dm->epfd = info ? info->epoll_fd : -1;
	dm->timer = sc_timer_new(h->loop, on_timer, dm);
	if (dm->epfd < 0 || !dm->timer || sc_loop_add_fd(h->loop, dm->epfd, SC_LOOP_IN, on_epoll, dm) < 0)
		return whyf(why, len, -EIO, "%s: cannot watch the server's epoll fd", txt);
	run_daemon(dm);
	sc_log(LOG_NOTICE, "listening on %s%s", txt, h->tls_cert ? " (TLS)" : "");
	return 0;
}

static int new_guard(struct mg_http *h, const struct mg_config *cfg)
{
	struct sc_guard_limits gl;
	unsigned timeout_s, hard;
	struct sc_logger lg = { sc_log_sink, NULL, LOG_DEBUG };

	sc_guard_mhd_split(&cfg->http.limits, &gl, &timeout_s, &hard);
	h->max_conns = gl.max_conns;
	return sc_guard_new(h->loop, &gl, "http", sc_guard_mhd_close, NULL, &lg, &h->guard);
}

/* The default list has one address per family ("[::]" is IPv6-only here):
 * on a host without one of them (IPv6 disabled or not in the kernel), its
 * address is left out and the other family serves. An address written in
 * the config is always opened, and fails loudly. */
static bool left_out(const struct mg_config *cfg, size_t i)
{
	const struct sc_sockaddr *a = &cfg->http.listen[i];
	char txt[SC_ADDR_STRLEN];
	int rc;

	if (!cfg->http.listen_dflt || !sc_af_missing(rc = sc_listen_probe(a, SOCK_STREAM)))
		return false;
	sc_addr_format(a, true, txt, sizeof(txt));
	sc_log(LOG_INFO, "not listening on the default %s: no IPv%d on this host (%s)", txt,
	       sc_addr_family(a) == AF_INET6 ? 6 : 4, strerror(-rc));
	return true;
}

static bool listening(const struct mg_http *h)
{
	for (size_t i = 0; i < h->ndm; i++)
		if (h->dm[i].fd >= 0)
			return true;
	return false;
}

int mg_http_start(const struct mg_config *cfg, sc_loop *loop, mg_handler_fn handler,
		  mg_done_fn done, void *ctx, mg_http **out, char *why, size_t len)
{
	struct mg_http *h = calloc(1, sizeof(*h));
	int rc = 0;

	*out = NULL;
	if (!h)
		return -ENOMEM;
	h->loop = loop;
	h->handler = handler;
	h->done = done;
	h->ctx = ctx;
	h->max_body = cfg->http.max_body;
	h->kick = sc_timer_new(loop, on_kick, h);
	if (!h->kick || (rc = new_guard(h, cfg)) < 0) {
		rc = -ENOMEM;
		goto fail;
	}
	if (cfg->http.tls_cert[0]) {
		if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
			rc = whyf(why, len, -ENOTSUP, "this libmicrohttpd has no TLS");
			goto fail;
		}
		h->tls_cert = read_file(cfg->http.tls_cert);
		h->tls_key = read_file(cfg->http.tls_key);
		if (!h->tls_cert || !h->tls_key) {
			rc = whyf(why, len, -ENOENT, "cannot read %s", !h->tls_cert ? cfg->http.tls_cert :
				  cfg->http.tls_key);
			goto fail;
		}
	}
	for (size_t i = 0; i < cfg->http.nlisten; i++) {
		h->dm[i].fd = -1;
		h->dm[i].epfd = -1;
	}
	for (size_t i = 0; i < cfg->http.nlisten && rc == 0; i++) {
		h->ndm++;
		h->dm[i].addr = cfg->http.listen[i];
		if (left_out(cfg, i))
			continue;
		rc = listen_socket(&h->dm[i].addr, why, len);
		if (rc >= 0) {
			h->dm[i].fd = rc;
			rc = start_daemon(h, cfg, i, why, len);
		}
	}
	if (rc == 0 && !listening(h))
		rc = whyf(why, len, -EADDRNOTAVAIL, "no default listen address works on this host");
	if (rc < 0)
		goto fail;
	*out = h;
	return 0;
fail:
	mg_http_stop(h);
	return rc;
}

void mg_http_stop(mg_http *h)
{
	if (!h)
		return;
	/* MHD cannot stop with suspended connections: answer them first. */
	while (h->susp) {
		struct mg_req *r = h->susp;

		free(r->resp);
		r->resp = strdup("{\"error\":\"server shutting down\"}");
		r->resp_len = r->resp ? strlen(r->resp) : 0;
		r->status = 503;
		mg_req_finish(r);
	}
	for (size_t i = 0; i < h->ndm; i++) {
		struct daemon *dm = &h->dm[i];

		if (dm->epfd >= 0)
			sc_loop_del_fd(h->loop, dm->epfd);
		sc_timer_free(dm->timer);
		if (dm->d) {
			MHD_run(dm->d);
			MHD_stop_daemon(dm->d);
		}
		if (dm->fd >= 0)
			close(dm->fd);
	}
	sc_timer_free(h->kick);
	/* After the daemons: stopping them notifies the guard. */
	sc_guard_free(h->guard);
	free(h->tls_cert);
	free(h->tls_key);
	free(h);
}

void mg_http_reconfigure(mg_http *h, const struct mg_config *cfg)
{
	struct sc_guard_limits gl;
	unsigned timeout_s, hard;

	h->max_body = cfg->http.max_body;
	/* MHD's idle timeout and own connection limit stay as started. */
	sc_guard_mhd_split(&cfg->http.limits, &gl, &timeout_s, &hard);
	if (gl.max_conns > h->max_conns)
		gl.max_conns = h->max_conns;
	sc_guard_set_limits(h->guard, &gl);
}

const struct sc_guard_stats *mg_http_guard_stats(const mg_http *h)
{
	return sc_guard_stats(h->guard);
}

unsigned mg_http_connections(const mg_http *h)
{
	return h->open;
}

unsigned mg_http_port(const mg_http *h, size_t i)
{
	return i < h->ndm ? sc_sock_port(h->dm[i].fd) : 0;
}
