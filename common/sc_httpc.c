/* sc_httpc: libcurl multi driven by sc_loop. See sc_httpc.h. */
#include "config.h"

#include "sc_httpc.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ANSWER (1u << 20)

struct req {
	sc_httpc *h;
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

struct sc_httpc {
	sc_loop *loop;
	CURLM *multi;
	sc_timer *timer;
	struct req *reqs;
	int64_t next_id;
	size_t pending;
	struct sc_logger lg;
};

static void on_timer(void *arg);

static void check_done(sc_httpc *h)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(h->multi, &left))) {
		struct req *r = NULL, **pp;
		long status = 0;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
		for (pp = &h->reqs; *pp && *pp != r; pp = &(*pp)->next)
			;
		if (*pp)
			*pp = r->next;
		h->pending--;
		curl_multi_remove_handle(h->multi, r->easy);
		if (m->data.result == CURLE_OK && !r->too_big)
			curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
		if (r->too_big)
			snprintf(r->err, sizeof(r->err), "answer larger than %u bytes", MAX_ANSWER);
		else if (m->data.result != CURLE_OK && !r->err[0])
			snprintf(r->err, sizeof(r->err), "%s", curl_easy_strerror(m->data.result));
		r->done(r->arg, (int)status, r->answer ? r->answer : "", r->len, r->err);
		curl_easy_cleanup(r->easy);
		curl_slist_free_all(r->headers);
		free(r->body);
		free(r->answer);
		free(r);
	}
}

static void on_socket_ready(void *arg, int fd, uint32_t events)
{
	sc_httpc *h = arg;
	int running, mask = 0;

	mask |= events & SC_LOOP_IN ? CURL_CSELECT_IN : 0;
	mask |= events & SC_LOOP_OUT ? CURL_CSELECT_OUT : 0;
	mask |= events & SC_LOOP_ERR ? CURL_CSELECT_ERR : 0;
	curl_multi_socket_action(h->multi, fd, mask, &running);
	check_done(h);
}

static int socket_cb(CURL *e, curl_socket_t fd, int what, void *userp, void *socketp)
{
	sc_httpc *h = userp;
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
	sc_httpc *h = userp;

	(void)multi;
	if (ms < 0)
		sc_timer_stop(h->timer);
	else
		sc_timer_arm(h->timer, (uint64_t)ms * SC_NS_PER_MS);
	return 0;
}

static void on_timer(void *arg)
{
	sc_httpc *h = arg;
	int running;

	curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
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

sc_httpc *sc_httpc_new(sc_loop *loop, const struct sc_logger *lg)
{
	sc_httpc *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	h->loop = loop;
	if (lg)
		h->lg = *lg;
	h->multi = curl_multi_init();
	h->timer = sc_timer_new(loop, on_timer, h);
	if (!h->multi || !h->timer) {
		sc_httpc_free(h);
		return NULL;
	}
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
	return h;
}

static void drop(sc_httpc *h, struct req *r)
{
	curl_multi_remove_handle(h->multi, r->easy);
	curl_easy_cleanup(r->easy);
	curl_slist_free_all(r->headers);
	free(r->body);
	free(r->answer);
	free(r);
	h->pending--;
}

void sc_httpc_free(sc_httpc *h)
{
	if (!h)
		return;
	while (h->reqs) {
		struct req *r = h->reqs;

		h->reqs = r->next;
		drop(h, r);
	}
	if (h->multi)
		curl_multi_cleanup(h->multi);
	sc_timer_free(h->timer);
	free(h);
}

static int setup(struct req *r, const char *method, const char *url, const char *token, unsigned timeout_ms)
{
	CURL *e = r->easy;
	char auth[600];

	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(e, CURLOPT_PRIVATE, r);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->err);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	r->headers = curl_slist_append(NULL, "Accept: application/json");
	if (token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		r->headers = curl_slist_append(r->headers, auth);
	}
	if (r->body) {
		r->headers = curl_slist_append(r->headers, "Content-Type: application/json");
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(r->body));
	}
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->headers);
	return r->headers ? 0 : -ENOMEM;
}

int64_t sc_httpc_request(sc_httpc *h, const char *method, const char *url, const char *token, const char *json,
			 unsigned timeout_ms, sc_httpc_done done, void *arg)
{
	struct req *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->h = h;
	r->done = done;
	r->arg = arg;
	r->easy = curl_easy_init();
	r->body = json ? strdup(json) : NULL;
	if (!r->easy || (json && !r->body) || setup(r, method, url, token, timeout_ms) < 0 ||
	    curl_multi_add_handle(h->multi, r->easy) != CURLM_OK) {
		curl_easy_cleanup(r->easy);
		curl_slist_free_all(r->headers);
		free(r->body);
		free(r);
		return -ENOMEM;
	}
	r->id = ++h->next_id;
	r->next = h->reqs;
	h->reqs = r;
	h->pending++;
	return r->id;
}

void sc_httpc_cancel(sc_httpc *h, int64_t id)
{
	for (struct req **pp = &h->reqs; *pp; pp = &(*pp)->next)
		if ((*pp)->id == id) {
			struct req *r = *pp;

			*pp = r->next;
			drop(h, r);
			return;
		}
}

size_t sc_httpc_pending(const sc_httpc *h)
{
	return h->pending;
}
