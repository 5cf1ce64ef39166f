/* ctl_http: sixcastctl's requests to the management API, through libcurl
 * easy (blocking; one at a time). See ctl.h. */
#include "config.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

#define MAX_ANSWER (64u << 20) /* 100,000 boxes' worth of JSON fits */

struct buf {
	char *p;
	size_t len;
	bool too_big;
};

static size_t on_data(char *data, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	size_t add = size * n;
	char *p;

	if (b->len + add > MAX_ANSWER) {
		b->too_big = true;
		return 0;
	}
	p = realloc(b->p, b->len + add + 1);
	if (!p)
		return 0;
	memcpy(p + b->len, data, add);
	b->p = p;
	b->len += add;
	p[b->len] = '\0';
	return add;
}

static CURL *handle(struct ctl *c)
{
	if (!c->curl) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		c->curl = curl_easy_init();
	}
	return c->curl;
}

void ctl_close(struct ctl *c)
{
	if (c->curl) {
		curl_easy_cleanup(c->curl);
		c->curl = NULL;
		curl_global_cleanup();
	}
}

char *ctl_escape(struct ctl *c, const char *s)
{
	CURL *e = handle(c);
	char *q = e ? curl_easy_escape(e, s, 0) : NULL;
	char *r = q ? strdup(q) : NULL;

	curl_free(q);
	return r;
}

/* The server's {"error": "..."} message, or the body itself. */
static void print_refusal(const struct ctl *c, const char *method, const char *path, long status,
			  const struct buf *b)
{
	json_t *j = b->p ? json_loads(b->p, 0, NULL) : NULL;
	const char *msg = json_string_value(json_object_get(j, "error"));

	if (msg)
		fprintf(stderr, "%s: %s %s: %s (HTTP %ld)\n", c->prog, method, path, msg, status);
	else
		fprintf(stderr, "%s: %s %s: HTTP %ld%s%.200s\n", c->prog, method, path, status,
			b->p && *b->p ? ": " : "", b->p ? b->p : "");
	if (status == 401)
		fprintf(stderr, "%s: give the admin token with --token, SIXCAST_TOKEN or the config file\n",
			c->prog);
	json_decref(j);
}

static void setup(struct ctl *c, CURL *e, const char *method, const char *url, struct buf *b,
		  struct curl_slist **hdr)
{
	char auth[600];

	curl_easy_reset(e);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, (long)(c->conn.timeout_s ? c->conn.timeout_s : 30));
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "sixcastctl/" PACKAGE_VERSION);
	if (c->conn.insecure) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (c->conn.cacert[0])
		curl_easy_setopt(e, CURLOPT_CAINFO, c->conn.cacert);
	if (c->conn.token[0]) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", c->conn.token);
		*hdr = curl_slist_append(*hdr, auth);
	}
}

int ctl_call(struct ctl *c, const char *method, const char *path, json_t *body, json_t **out)
{
	struct curl_slist *hdr = NULL;
	struct buf b = { NULL, 0, false };
	char url[1200], *text = NULL;
	CURL *e = handle(c);
	json_error_t jerr;
	long status = 0;
	int rc = CTL_EAPI;
	CURLcode cc;

	if (out)
		*out = NULL;
	if (!e) {
		fprintf(stderr, "%s: libcurl failed to start\n", c->prog);
		return CTL_EAPI;
	}
	snprintf(url, sizeof(url), "%s/api/v1%s", c->conn.url, path);
	setup(c, e, method, url, &b, &hdr);
	if (body) {
		text = json_dumps(body, JSON_COMPACT);
		hdr = curl_slist_append(hdr, "Content-Type: application/json");
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, text ? text : "{}");
	}
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdr);
	cc = curl_easy_perform(e);
	if (cc != CURLE_OK) {
		fprintf(stderr, "%s: %s %s: %s\n", c->prog, method, url,
			b.too_big ? "answer too large" : curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	if (status < 200 || status > 299) {
		print_refusal(c, method, path, status, &b);
		goto out;
	}
	if (out) {
		*out = json_loads(b.p ? b.p : "{}", JSON_DECODE_ANY, &jerr);
		if (!*out) {
			fprintf(stderr, "%s: %s %s: the answer is not JSON: %s\n", c->prog, method, path,
				jerr.text);
			goto out;
		}
	}
	rc = CTL_OK;
out:
	curl_slist_free_all(hdr);
	free(text);
	free(b.p);
	return rc;
}
