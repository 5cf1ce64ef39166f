/* probe_ident: see probe_ident.h. */
#include "config.h"

#include "probe_ident.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sc_clock.h"

static uint64_t mono(void *ctx)
{
	(void)ctx;
	return sc_clock_now_ns(sc_clock_system());
}

static uint64_t wall(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static rtx_ident *make(const uint8_t *ca_pub)
{
	struct rtx_ident_config cfg;
	struct rtx_ident_callbacks cb = { NULL, mono, wall };
	rtx_ident *id;

	rtx_ident_config_defaults(&cfg, 0, ca_pub);
	return rtx_ident_new(&cfg, &cb, &id) < 0 ? NULL : id;
}

static int learn_hex(rtx_ident *id, const char *hex, const char *what)
{
	uint8_t cert[RTX_CERT_BYTES];
	int rc;

	if (!hex || rtx_unhex(hex, cert, sizeof(cert)) < 0) {
		fprintf(stderr, "rtxprobe: %s: no certificate\n", what);
		return -1;
	}
	if ((rc = rtx_ident_learn(id, cert, sizeof(cert))) < 0) {
		fprintf(stderr, "rtxprobe: %s: certificate refused (%d)\n", what, rc);
		return -1;
	}
	return 0;
}

int probe_ident_standalone(const char *ca_key_file, uint32_t self, const char *edge_cert_hex, rtx_ident **out)
{
	uint8_t sk[RTX_CA_SECRET_BYTES], pub[RTX_CA_PUB_BYTES], cert[RTX_CERT_BYTES];
	char hex[2 * RTX_CA_SECRET_BYTES + 8] = "";
	struct rtx_cert c = { .kind = RTX_CERT_BOX, .id = self, .serial = 1 };
	FILE *f = fopen(ca_key_file, "r");
	rtx_ident *id = NULL;

	if (!f || !fgets(hex, sizeof(hex), f) || (hex[strcspn(hex, "\r\n")] = 0, rtx_unhex(hex, sk, sizeof(sk)) < 0)) {
		fprintf(stderr, "rtxprobe: %s: not a CA key file\n", ca_key_file);
		goto fail;
	}
	rtx_ca_pub(sk, pub);
	if (!(id = make(pub)))
		goto fail;
	rtx_ident_keygen(id, c.pub);
	c.not_before_ms = wall(NULL) - 1000;
	c.not_after_ms = c.not_before_ms + 3600 * 1000;
	rtx_cert_sign(&c, sk);
	rtx_cert_encode(&c, cert);
	if (rtx_ident_set_cert(id, cert, sizeof(cert)) < 0 || learn_hex(id, edge_cert_hex, "the edge") < 0)
		goto fail;
	if (f)
		fclose(f);
	*out = id;
	return 0;
fail:
	if (f)
		fclose(f);
	rtx_ident_free(id);
	return -1;
}

struct buf {
	char *p;
	size_t n;
};

static size_t take(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct buf *b = ud;
	size_t k = size * nmemb;
	char *p = realloc(b->p, b->n + k + 1);

	if (!p)
		return 0;
	memcpy(p + b->n, ptr, k);
	b->p = p;
	b->n += k;
	p[b->n] = 0;
	return k;
}

/* POST body to url + path; the answer's JSON (NULL on failure, said). */
static json_t *post(const char *url, const char *path, const char *token, json_t *body)
{
	char u[512], auth[300];
	char *text = json_dumps(body, JSON_COMPACT);
	struct buf b = { NULL, 0 };
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	CURL *c = curl_easy_init();
	long status = 0;
	json_t *j = NULL;

	snprintf(u, sizeof(u), "%s/api/v1%s", url, path);
	if (token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		h = curl_slist_append(h, auth);
	}
	curl_easy_setopt(c, CURLOPT_URL, u);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, text);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, take);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (status == 200)
		j = json_loads(b.p ? b.p : "", 0, NULL);
	if (!j)
		fprintf(stderr, "rtxprobe: POST %s: %ld %s\n", path, status, b.p ? b.p : "");
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	free(text);
	free(b.p);
	json_decref(body);
	return j;
}

static int registered(json_t *r, rtx_ident *id, struct probe_tune *t, char *token, size_t len)
{
	uint8_t ca[RTX_CA_PUB_BYTES], cert[RTX_CERT_BYTES];
	const char *tok = json_string_value(json_object_get(r, "token"));

	t->client_id = (uint32_t)json_integer_value(json_object_get(r, "client_id"));
	if (!tok || strlen(tok) >= len || rtx_unhex(json_string_value(json_object_get(r, "ca")), ca, sizeof(ca)) < 0 ||
	    rtx_unhex(json_string_value(json_object_get(r, "cert")), cert, sizeof(cert)) < 0 ||
	    rtx_ident_set_ca(id, ca) < 0 || rtx_ident_set_cert(id, cert, sizeof(cert)) < 0) {
		fprintf(stderr, "rtxprobe: the registration answer has no usable token, ca or cert\n");
		return -1;
	}
	snprintf(token, len, "%s", tok);
	return 0;
}

static int tuned(json_t *a, rtx_ident *id, struct probe_tune *t)
{
	json_t *ret = json_object_get(a, "ret");
	json_t *srv = json_array_get(json_object_get(ret, "servers"), 0);

	if (rtx_unhex(json_string_value(json_object_get(ret, "key")), t->ret_key, sizeof(t->ret_key)) < 0 || !srv) {
		fprintf(stderr, "rtxprobe: the tune answer has no RET key or server\n");
		return -1;
	}
	t->server_id = (uint32_t)json_integer_value(json_object_get(srv, "id"));
	return learn_hex(id, json_string_value(json_object_get(srv, "cert")), "the RET server");
}

int probe_ident_mgmt(const char *url, const char *credential, const char *device_id, const char *addr,
		     uint32_t channel, rtx_ident **out, struct probe_tune *t)
{
	uint8_t pub[RTX_PUB_BYTES];
	char pubhex[2 * RTX_PUB_BYTES + 1], token[200], path[64];
	rtx_ident *id = make(NULL);
	json_t *a;
	int rc = -1;

	if (!id)
		return -1;
	rtx_ident_keygen(id, pub);
	rtx_hex(pub, sizeof(pub), pubhex);
	a = post(url, "/clients/register", NULL,
		 json_pack("{s:s, s:s, s:[s], s:s}", "device_id", device_id, "credential", credential, "addrs", addr,
			   "pubkey", pubhex));
	if (a && registered(a, id, t, token, sizeof(token)) == 0) {
		json_decref(a);
		snprintf(path, sizeof(path), "/clients/%u/tune", (unsigned)t->client_id);
		a = post(url, path, token, json_pack("{s:i}", "channel_id", (json_int_t)channel));
		rc = a ? tuned(a, id, t) : -1;
	}
	json_decref(a);
	if (rc < 0) {
		rtx_ident_free(id);
		return -1;
	}
	*out = id;
	return 0;
}
