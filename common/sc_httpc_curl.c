/* sc_httpc_curl: https for sc_httpc, libcurl multi driven by sc_loop, with
 * libcurl loaded by dlopen() (see sc_httpc_int.h for why). Only the
 * functions below are used; their addresses are looked up once. */
#include "config.h"

#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sc_httpc_int.h"

#define MAX_ANSWER SC_HTTPC_MAX_ANSWER
#define LIBCURL "libcurl.so.4"

/* libcurl's entry points, filled by load(). */
static struct {
	CURLcode (*global_init)(long);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_setopt)(CURLM *, CURLMoption, ...);
	CURLMcode (*multi_socket_action)(CURLM *, curl_socket_t, int, int *);
	CURLMsg *(*multi_info_read)(CURLM *, int *);
	CURLMcode (*multi_add_handle)(CURLM *, CURL *);
	CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
	CURLMcode (*multi_cleanup)(CURLM *);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void (*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
} C;
static char load_error[200];

static void load(void)
{
	static const char *const names[] = {
		"curl_global_init", "curl_multi_init", "curl_multi_setopt", "curl_multi_socket_action",
		"curl_multi_info_read", "curl_multi_add_handle", "curl_multi_remove_handle", "curl_multi_cleanup",
		"curl_easy_init", "curl_easy_setopt", "curl_easy_getinfo", "curl_easy_cleanup", "curl_easy_strerror",
		"curl_slist_append", "curl_slist_free_all",
	};
	void *lib = dlopen(LIBCURL, RTLD_NOW | RTLD_LOCAL);
	void **slot = (void **)&C;

	if (!lib) {
		snprintf(load_error, sizeof(load_error), "https needs %s (libcurl4): %s", LIBCURL, dlerror());
		return;
	}
	_Static_assert(sizeof(C) == sizeof(names) / sizeof(names[0]) * sizeof(void *), "one slot per name");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(slot[i] = dlsym(lib, names[i]))) {
			snprintf(load_error, sizeof(load_error), "%s: no %s", LIBCURL, names[i]);
			memset(&C, 0, sizeof(C));
			return; /* stays loaded: dlclose of libcurl is not safe */
		}
	}
	C.global_init(CURL_GLOBAL_DEFAULT);
}

typedef struct sc_httpc_curl sc_httpc_curl;

struct req {
	sc_httpc_curl *h;
	CURL *easy;
	struct curl_slist *headers;
	char *body;   /* the request body, owned */
	char *answer;
	size_t len;
	bool too_big;
	int64_t id;
	sc_httpc_done done;
	void *arg;
	char err[CURL_ERROR_SIZE];
	struct req *next;
};

struct sc_httpc_curl {
	sc_loop *loop;
	CURLM *multi;
	sc_timer *timer;
	struct req *reqs;
	size_t pending;
};

static void on_timer(void *arg);

static void check_done(sc_httpc_curl *h)
{
	CURLMsg *m;
	int left;

	while ((m = C.multi_info_read(h->multi, &left))) {
		struct req *r = NULL, **pp;
		long status = 0;

		if (m->msg != CURLMSG_DONE)
			continue;
		C.easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
		for (pp = &h->reqs; *pp && *pp != r; pp = &(*pp)->next)
			;
		if (*pp)
			*pp = r->next;
		h->pending--;
		C.multi_remove_handle(h->multi, r->easy);
		if (m->data.result == CURLE_OK && !r->too_big)
			C.easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
		if (r->too_big)
			snprintf(r->err, sizeof(r->err), "answer larger than %u bytes", MAX_ANSWER);
		else if (m->data.result != CURLE_OK && !r->err[0])
			snprintf(r->err, sizeof(r->err), "%s", C.easy_strerror(m->data.result));
		r->done(r->arg, (int)status, r->answer ? r->answer : "", r->len, r->err);
		C.easy_cleanup(r->easy);
		C.slist_free_all(r->headers);
		free(r->body);
		free(r->answer);
		free(r);
	}
}

static void on_socket_ready(void *arg, int fd, uint32_t events)
{
	sc_httpc_curl *h = arg;
	int running, mask = 0;

	mask |= events & SC_LOOP_IN ? CURL_CSELECT_IN : 0;
	mask |= events & SC_LOOP_OUT ? CURL_CSELECT_OUT : 0;
	mask |= events & SC_LOOP_ERR ? CURL_CSELECT_ERR : 0;
	C.multi_socket_action(h->multi, fd, mask, &running);
	check_done(h);
}

static int socket_cb(CURL *e, curl_socket_t fd, int what, void *userp, void *socketp)
{
	sc_httpc_curl *h = userp;
	uint32_t ev = (what & CURL_POLL_IN ? SC_LOOP_IN : 0) | (what & CURL_POLL_OUT ? SC_LOOP_OUT : 0);

	(void)e;
	(void)socketp;
	if (what == CURL_POLL_REMOVE) {
		sc_loop_del_fd(h->loop, fd);
		return 0;
	}
	if (sc_loop_mod_fd(h->loop, fd, ev) == -ENOENT)
		sc_loop_add_fd(h->loop, fd, ev, on_socket_ready, h);
	return 0;
}

static int timer_cb(CURLM *multi, long ms, void *userp)
{
	sc_httpc_curl *h = userp;

	(void)multi;
	if (ms < 0)
		sc_timer_stop(h->timer);
	else
		sc_timer_arm(h->timer, (uint64_t)ms * SC_NS_PER_MS);
	return 0;
}

static void on_timer(void *arg)
{
	sc_httpc_curl *h = arg;
	int running;

	C.multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(h);
}

static size_t on_write(char *data, size_t size, size_t n, void *arg)
{
	struct req *r = arg;
	size_t len = size * n;
	char *a;

	if (r->len + len > MAX_ANSWER) {
		r->too_big = true;
		return 0;
	}
	a = realloc(r->answer, r->len + len + 1);
	if (!a)
		return 0;
	memcpy(a + r->len, data, len);
	r->answer = a;
	r->len += len;
	a[r->len] = '\0';
	return len;
}

int sc_httpc_curl_new(sc_loop *loop, sc_httpc_curl **out, char *why, size_t len)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	sc_httpc_curl *h;

	*out = NULL;
	pthread_once(&once, load);
	if (!C.global_init) {
		snprintf(why, len, "%s", load_error);
		return -ENOSYS;
	}
	if (!(h = calloc(1, sizeof(*h))))
		return -ENOMEM;
	h->loop = loop;
	h->multi = C.multi_init();
	h->timer = sc_timer_new(loop, on_timer, h);
	if (!h->multi || !h->timer) {
		sc_httpc_curl_free(h);
		snprintf(why, len, "libcurl: out of memory");
		return -ENOMEM;
	}
	C.multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
	C.multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
	C.multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	C.multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
	*out = h;
	return 0;
}

static void drop(sc_httpc_curl *h, struct req *r)
{
	C.multi_remove_handle(h->multi, r->easy);
	C.easy_cleanup(r->easy);
	C.slist_free_all(r->headers);
	free(r->body);
	free(r->answer);
	free(r);
	h->pending--;
}

void sc_httpc_curl_free(sc_httpc_curl *h)
{
	if (!h)
		return;
	while (h->reqs) {
		struct req *r = h->reqs;

		h->reqs = r->next;
		drop(h, r);
	}
	if (h->multi)
		C.multi_cleanup(h->multi);
	sc_timer_free(h->timer);
	free(h);
}

static int setup(struct req *r, const char *method, const char *url, const char *token, unsigned timeout_ms)
{
	CURL *e = r->easy;
	char auth[600];

	C.easy_setopt(e, CURLOPT_URL, url);
	C.easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	C.easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	C.easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_ms);
	C.easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	C.easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
	C.easy_setopt(e, CURLOPT_WRITEDATA, r);
	C.easy_setopt(e, CURLOPT_PRIVATE, r);
	C.easy_setopt(e, CURLOPT_ERRORBUFFER, r->err);
	C.easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	r->headers = C.slist_append(NULL, "Accept: application/json");
	if (token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		r->headers = C.slist_append(r->headers, auth);
	}
	if (r->body) {
		r->headers = C.slist_append(r->headers, "Content-Type: application/json");
		C.easy_setopt(e, CURLOPT_POSTFIELDS, r->body);
		C.easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(r->body));
	}
	C.easy_setopt(e, CURLOPT_HTTPHEADER, r->headers);
	return r->headers ? 0 : -ENOMEM;
}

int sc_httpc_curl_request(sc_httpc_curl *h, int64_t id, const char *method, const char *url, const char *token,
			  const char *json, unsigned timeout_ms, sc_httpc_done done, void *arg)
{
	struct req *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->h = h;
	r->done = done;
	r->arg = arg;
	r->easy = C.easy_init();
	r->body = json ? strdup(json) : NULL;
	if (!r->easy || (json && !r->body) || setup(r, method, url, token, timeout_ms) < 0 ||
	    C.multi_add_handle(h->multi, r->easy) != CURLM_OK) {
		C.easy_cleanup(r->easy);
		C.slist_free_all(r->headers);
		free(r->body);
		free(r);
		return -ENOMEM;
	}
	r->id = id;
	r->next = h->reqs;
	h->reqs = r;
	h->pending++;
	return 0;
}

int sc_httpc_curl_cancel(sc_httpc_curl *h, int64_t id)
{
	for (struct req **pp = &h->reqs; *pp; pp = &(*pp)->next)
		if ((*pp)->id == id) {
			struct req *r = *pp;

			*pp = r->next;
			drop(h, r);
			return 1;
		}
	return 0;
}

size_t sc_httpc_curl_pending(const sc_httpc_curl *h)
{
	return h->pending;
}
