/* mg_api: routing, authentication, bodies and answers for /api/v1, plus
 * /metrics and the console's files. See mg_api.h; docs/api.md lists every
 * route. */
#include "config.h"

#include "mg_api.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mg_auth.h"
#include "sc_log.h"

#define API_PREFIX "/api/v1"
#define MAX_SEGS 6

struct route {
	enum mg_method method;
	const char *pattern; /* after /api/v1; "{id}" matches an id */
	unsigned roles;      /* enum mg_role bits */
	int area;
	mg_route_fn fn;
};

static const struct route routes[] = {
	{ MG_POST, "/clients/register", MG_ROLE_NONE, MG_AREA_REGISTER, mg_h_register },
	{ MG_GET, "/channels", MG_ROLE_ANY, MG_AREA_BOX, mg_h_channels },
	{ MG_GET, "/channels/{id}", MG_ROLE_ANY, MG_AREA_BOX, mg_h_channel },
	{ MG_POST, "/clients/{id}/tune", MG_ROLE_CLIENT, MG_AREA_BOX, mg_h_tune },
	{ MG_POST, "/clients/{id}/heartbeat", MG_ROLE_CLIENT, MG_AREA_BOX, mg_h_heartbeat },
	{ MG_POST, "/clients/{id}/leave", MG_ROLE_CLIENT, MG_AREA_BOX, mg_h_leave },
	{ MG_GET, "/channels/{id}/peers", MG_ROLE_CLIENT | MG_ROLE_ADMIN, MG_AREA_BOX, mg_h_peers },
	{ MG_POST, "/edges/register", MG_ROLE_NONE, MG_AREA_REGISTER, mg_h_edge_register },
	{ MG_GET, "/edges/{id}/channels", MG_ROLE_EDGE | MG_ROLE_ADMIN, MG_AREA_EDGE, mg_h_edge_channels },
	{ MG_POST, "/edges/{id}/load", MG_ROLE_EDGE, MG_AREA_EDGE, mg_h_edge_load },
	{ MG_GET, "/status", MG_ROLE_ADMIN, MG_AREA_NOC, mg_h_status },
	{ MG_GET, "/whoami", MG_ROLE_ANY, MG_AREA_NOC, mg_h_whoami },
	{ MG_GET, "/trust", MG_ROLE_ANY, MG_AREA_BOX, mg_h_trust },
	{ MG_POST, "/reload", MG_ROLE_ADMIN, MG_AREA_NOC, mg_h_reload },
	{ MG_POST, "/channels", MG_ROLE_ADMIN, MG_AREA_NOC, mg_h_channel_create },
	{ MG_PATCH, "/channels/{id}", MG_ROLE_ADMIN, MG_AREA_NOC, mg_h_channel_update },
	{ MG_DELETE, "/channels/{id}", MG_ROLE_ADMIN, MG_AREA_NOC, mg_h_channel_delete },
	{ MG_POST, "/channels/{id}/rebuild", MG_ROLE_ADMIN, MG_AREA_NOC, mg_h_channel_rebuild },
	{ MG_GET, "/channels/{id}/groups", MG_ROLE_ADMIN, MG_AREA_NOC, mg_h_channel_groups },
	{ MG_GET, "/metros", MG_ROLE_ADMIN, MG_AREA_NOC, mg_h_metros },
	{ MG_POST, "/metros", MG_ROLE_ADMIN, MG_AREA_NOC, mg_h_metro_create },
	{ MG_GET, "/metros/{id}", MG_ROLE_ADMIN, MG_AREA_NOC, mg_h_metro },
	{ MG_PATCH, "/metros/{id}", MG_ROLE_ADMIN, MG_AREA_NOC, mg_h_metro_update },
	{ MG_DELETE, "/metros/{id}", MG_ROLE_ADMIN, MG_AREA_NOC, mg_h_metro_delete },
	{ MG_GET, "/clients", MG_ROLE_ADMIN, MG_AREA_NOC, mg_h_clients },
	{ MG_GET, "/clients/{id}", MG_ROLE_ADMIN | MG_ROLE_CLIENT, MG_AREA_NOC, mg_h_client },
	{ MG_PATCH, "/clients/{id}", MG_ROLE_ADMIN, MG_AREA_NOC, mg_h_client_patch },
	{ MG_DELETE, "/clients/{id}", MG_ROLE_ADMIN, MG_AREA_NOC, mg_h_client_delete },
	{ MG_POST, "/clients/{id}/move", MG_ROLE_ADMIN, MG_AREA_NOC, mg_h_client_move },
	{ MG_POST, "/clients/{id}/kick", MG_ROLE_ADMIN, MG_AREA_NOC, mg_h_client_kick },
	{ MG_GET, "/groups", MG_ROLE_ADMIN, MG_AREA_NOC, mg_h_groups },
	{ MG_GET, "/groups/{id}", MG_ROLE_ADMIN, MG_AREA_NOC, mg_h_group },
	{ MG_GET, "/edges", MG_ROLE_ADMIN, MG_AREA_NOC, mg_h_edges },
	{ MG_GET, "/edges/{id}", MG_ROLE_ADMIN | MG_ROLE_EDGE, MG_AREA_NOC, mg_h_edge },
	{ MG_DELETE, "/edges/{id}", MG_ROLE_ADMIN, MG_AREA_NOC, mg_h_edge_delete },
	{ MG_GET, "/events", MG_ROLE_ADMIN, MG_AREA_NOC, mg_h_events },
	{ MG_GET, "/summary", MG_ROLE_ADMIN, MG_AREA_NOC, mg_h_summary },
	{ MG_GET, "/summary/channels", MG_ROLE_ADMIN, MG_AREA_NOC, mg_h_summary_channels },
	{ MG_GET, "/summary/metros", MG_ROLE_ADMIN, MG_AREA_NOC, mg_h_summary_metros },
	{ MG_GET, "/summary/groups", MG_ROLE_ADMIN, MG_AREA_NOC, mg_h_summary_groups },
	{ MG_GET, "/series", MG_ROLE_ADMIN, MG_AREA_NOC, mg_h_series },
};

struct mg_api {
	struct mg_state *st;
	struct mg_metrics *metrics;
	sc_loop *loop;
	mg_http *http;
	const struct mg_config *cfg;
	uint8_t admin_hash[MG_ADMIN_MAX][MG_HASH_LEN];
	char *console;
	int (*reload)(void *ctx, char *why, size_t len);
	void *reload_ctx;
	int64_t started_ms;
};

static void set_admins(struct mg_api *api, const struct mg_config *cfg)
{
	api->cfg = cfg;
	for (size_t i = 0; i < cfg->auth.nadmin; i++)
		mg_token_hash(cfg->auth.admin[i].token, api->admin_hash[i]);
}

struct mg_api *mg_api_new(struct mg_state *st, struct mg_metrics *metrics, sc_loop *loop)
{
	struct mg_api *api = calloc(1, sizeof(*api));

	if (!api)
		return NULL;
	api->st = st;
	api->metrics = metrics;
	api->loop = loop;
	api->started_ms = mg_state_now_ms(st);
	set_admins(api, mg_state_config(st));
	mg_state_set_notify(st, mg_api_notify, api);
	mg_api_box_init(api);
	return api;
}

void mg_api_free(struct mg_api *api)
{
	if (!api)
		return;
	mg_api_box_fini(api);
	mg_state_set_notify(api->st, NULL, NULL);
	free(api->console);
	free(api);
}

void mg_api_reconfigure(struct mg_api *api, const struct mg_config *cfg)
{
	set_admins(api, cfg);
}

void mg_api_set_console(struct mg_api *api, const char *dir)
{
	free(api->console);
	api->console = dir ? strdup(dir) : NULL;
}

void mg_api_set_reload(struct mg_api *api, int (*fn)(void *ctx, char *why, size_t len), void *ctx)
{
	api->reload = fn;
	api->reload_ctx = ctx;
}

void mg_api_set_http(struct mg_api *api, mg_http *http)
{
	api->http = http;
}

const struct mg_config *mg_api_config(const struct mg_api *api)
{
	return api->cfg;
}

struct mg_state *mg_api_state(const struct mg_api *api)
{
	return api->st;
}

sc_loop *mg_api_loop(const struct mg_api *api)
{
	return api->loop;
}

struct mg_metrics *mg_api_metrics(const struct mg_api *api)
{
	return api->metrics;
}

mg_http *mg_api_http(const struct mg_api *api)
{
	return api->http;
}

int64_t mg_api_started_ms(const struct mg_api *api)
{
	return api->started_ms;
}

int mg_api_reload(struct mg_api *api, char *why, size_t len)
{
	if (!api->reload) {
		snprintf(why, len, "reload is not available");
		return -ENOTSUP;
	}
	return api->reload(api->reload_ctx, why, len);
}

void mg_reply_text(struct mg_req *r, unsigned status, const char *type, char *text, size_t len)
{
	free(r->resp);
	r->resp = text;
	r->resp_len = len;
	r->resp_type = type;
	r->status = status;
}

void mg_reply_json(struct mg_req *r, unsigned status, json_t *j)
{
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;

	json_decref(j);
	if (!s) {
		mg_reply_error(r, 500, "out of memory");
		return;
	}
	mg_reply_text(r, status, "application/json", s, strlen(s));
}

void mg_reply_jw(struct mg_req *r, struct mg_jw *w)
{
	size_t len = 0;
	char *text = mg_jw_take(w, &len);

	if (!text) {
		mg_reply_error(r, 500, "out of memory");
		return;
	}
	mg_reply_text(r, 200, "application/json", text, len);
}

void mg_reply_error(struct mg_req *r, unsigned status, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	json_t *j;
	char *s;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	j = json_pack("{s:s}", "error", msg);
	s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!s)
		s = strdup("{\"error\":\"out of memory\"}");
	mg_reply_text(r, status, "application/json", s, s ? strlen(s) : 0);
}

int64_t mg_arg_id(const struct mg_req *r, const char *name)
{
	const char *v = mg_req_arg(r, name);
	char *end;
	unsigned long long n;

	if (!v)
		return 0;
	if (!*v || *v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || *end || n == 0 || n > UINT32_MAX)
		return -1;
	return (int64_t)n;
}

bool mg_body_ok(struct mg_call *c, const struct mg_field *fields)
{
	char why[256];

	if (!c->body) {
		c->body = mg_json_parse_body(c->r->body ? c->r->body : "", c->r->body_len, true, why,
					     sizeof(why));
		if (!c->body) {
			mg_reply_error(c->r, 400, "%s", why);
			return false;
		}
	}
	if (mg_json_check(c->body, fields, why, sizeof(why)) < 0) {
		mg_reply_error(c->r, 400, "%s", why);
		return false;
	}
	return true;
}

int mg_body_pubkey(struct mg_call *c, uint8_t pub[RTX_PUB_BYTES])
{
	char why[160];
	int rc = mg_json_pubkey(c->body, "pubkey", pub, why, sizeof(why));

	if (rc < 0)
		mg_reply_error(c->r, 400, "%s", why);
	return rc < 0 ? -1 : rc;
}

struct commit {
	struct mg_req *r;
	json_t *answer;
	unsigned status;
};

static void commit_free_req(struct mg_req *r)
{
	struct commit *cm = r->api_data;

	if (cm)
		cm->r = NULL;
}

static void commit_done(void *arg, int rc)
{
	struct commit *cm = arg;

	if (cm->r) {
		cm->r->api_data = NULL;
		cm->r->on_free = NULL;
		if (rc < 0) {
			json_decref(cm->answer);
			mg_reply_error(cm->r, 500, "the store could not record the change: %s",
				       strerror(-rc));
		} else {
			mg_reply_json(cm->r, cm->status, cm->answer);
		}
		mg_req_finish(cm->r);
	} else {
		json_decref(cm->answer);
	}
	free(cm);
}

void mg_api_commit(struct mg_call *c, struct mg_batch *b, unsigned status, json_t *answer)
{
	struct commit *cm = malloc(sizeof(*cm));

	if (!cm) {
		mg_store_submit(mg_state_store(c->st), b, NULL, NULL);
		mg_reply_json(c->r, status, answer);
		return;
	}
	*cm = (struct commit){ c->r, answer, status };
	c->r->pending = true;
	c->r->api_data = cm;
	c->r->on_free = commit_free_req;
	mg_store_submit(mg_state_store(c->st), b, commit_done, cm);
}

/* Does path match pattern? Fills ids for "{id}" segments. */
static bool match(const char *pat, const char *path, uint32_t *ids)
{
	size_t k = 0;

	while (*pat && *path) {
		const char *pe, *qe;

		if (*pat != '/' || *path != '/')
			return false;
		pe = strchrnul(++pat, '/');
		qe = strchrnul(++path, '/');
		if (pe - pat == 4 && !memcmp(pat, "{id}", 4)) {
			uint64_t v = 0;

			if (qe == path || qe - path > 10 || *path == '0')
				return false;
			for (const char *p = path; p < qe; p++) {
				if (*p < '0' || *p > '9')
					return false;
				v = v * 10 + (uint64_t)(*p - '0');
			}
			if (v > UINT32_MAX || k == 3)
				return false;
			ids[k++] = (uint32_t)v;
		} else if (pe - pat != qe - path || memcmp(pat, path, (size_t)(pe - pat))) {
			return false;
		}
		pat = pe;
		path = qe;
	}
	return !*pat && !*path;
}

/* Who sent this: an admin token from the config, a box's "c<id>." token
 * or an edge's "e<id>." token, checked by hash. */
static void identify(struct mg_api *api, const char *auth, struct mg_who *w)
{
	const char *tok = mg_bearer(auth);
	uint8_t h[MG_HASH_LEN];
	unsigned long id;
	char *end;
	bool admin = false;

	memset(w, 0, sizeof(*w));
	if (!tok || strlen(tok) > 512)
		return;
	mg_token_hash(tok, h);
	for (size_t i = 0; i < api->cfg->auth.nadmin; i++)
		if (mg_hash_equal(h, api->admin_hash[i]) && !admin) {
			admin = true;
			w->role = MG_ROLE_ADMIN;
			snprintf(w->actor, sizeof(w->actor), "admin:%s", api->cfg->auth.admin[i].name);
		}
	if (admin || (tok[0] != 'c' && tok[0] != 'e') || tok[1] < '1' || tok[1] > '9')
		return;
	id = strtoul(tok + 1, &end, 10);
	if (*end != '.' || id > UINT32_MAX)
		return;
	if (tok[0] == 'c') {
		struct mg_client *c = mg_client_get(api->st, (uint32_t)id);

		if (c && mg_client_hash_ok(c, h)) {
			w->role = MG_ROLE_CLIENT;
			w->client = c;
			snprintf(w->actor, sizeof(w->actor), "client:%lu", id);
		}
	} else {
		struct mg_edge *e = mg_edge_get(api->st, (uint32_t)id);

		if (e && mg_edge_hash_ok(e, h)) {
			w->role = MG_ROLE_EDGE;
			w->edge = e;
			snprintf(w->actor, sizeof(w->actor), "edge:%lu", id);
		}
	}
}

static bool allowed(const struct route *rt, struct mg_call *c)
{
	if (rt->roles == MG_ROLE_NONE)
		return true;
	if (!(c->who.role & rt->roles)) {
		if (c->who.role == MG_ROLE_NONE)
			mg_reply_error(c->r, 401, "a valid token is required (Authorization: Bearer ...)");
		else
			mg_reply_error(c->r, 403, "not allowed with this token");
		return false;
	}
	/* A box or an edge acts on itself only. */
	if ((c->who.role == MG_ROLE_CLIENT && !strncmp(rt->pattern, "/clients/{id}", 13) &&
	     c->id[0] != c->who.client->id) ||
	    (c->who.role == MG_ROLE_EDGE && !strncmp(rt->pattern, "/edges/{id}", 11) &&
	     c->id[0] != c->who.edge->id)) {
		mg_reply_error(c->r, 403, "a token acts on its own box or edge only");
		return false;
	}
	return true;
}

static void route(struct mg_api *api, struct mg_req *r, const char *path)
{
	struct mg_call c = { .api = api, .st = api->st, .r = r };
	const struct route *rt = NULL;
	char allow[64] = "";
	static char allow_buf[64];

	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		uint32_t ids[3] = { 0 };

		if (!match(routes[i].pattern, path, ids))
			continue;
		if (routes[i].method == r->method) {
			rt = &routes[i];
			memcpy(c.id, ids, sizeof(ids));
			break;
		}
		r->area = routes[i].area;
		snprintf(allow + strlen(allow), sizeof(allow) - strlen(allow), "%s%s", allow[0] ? ", " : "",
			 (const char *[]){ "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD" }[routes[i].method]);
	}
	if (!rt) {
		if (allow[0]) {
			snprintf(allow_buf, sizeof(allow_buf), "%s", allow);
			r->allow = allow_buf; /* copied into the answer at once */
			mg_reply_error(r, 405, "method %s not allowed here (allowed: %s)", r->method_name, allow);
		} else {
			mg_reply_error(r, 404, "no such endpoint: %s %s", r->method_name, r->path);
		}
		return;
	}
	r->area = rt->area;
	identify(api, r->auth, &c.who);
	if (!allowed(rt, &c))
		return;
	if ((r->method == MG_POST || r->method == MG_PATCH || r->method == MG_PUT) && r->content_type &&
	    strncasecmp(r->content_type, "application/json", 16) != 0) {
		mg_reply_error(r, 415, "the body must be application/json");
		return;
	}
	rt->fn(&c);
	json_decref(c.body);
}

static const char *content_type(const char *path)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{ ".html", "text/html; charset=utf-8" }, { ".js", "text/javascript; charset=utf-8" },
		{ ".mjs", "text/javascript; charset=utf-8" }, { ".css", "text/css; charset=utf-8" },
		{ ".svg", "image/svg+xml" }, { ".png", "image/png" }, { ".ico", "image/x-icon" },
		{ ".json", "application/json" }, { ".map", "application/json" },
		{ ".txt", "text/plain; charset=utf-8" }, { ".woff2", "font/woff2" },
	};
	const char *dot = strrchr(path, '.');

	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(dot, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

/* The NOC console: static files from the console folder, "/" being its
 * index.html. Only plain relative names: no "..", no hidden files. */
static void serve_console(struct mg_api *api, struct mg_req *r)
{
	const char *rel = r->path + 1;
	char path[1024];
	struct stat sb;
	char *buf;
	int fd;

	r->area = MG_AREA_CONSOLE;
	if (r->method != MG_GET && r->method != MG_HEAD) {
		mg_reply_error(r, 405, "the console is read-only");
		return;
	}
	if (!*rel)
		rel = "index.html";
	if (!api->console || strlen(rel) > 200 || strstr(rel, "..") || strstr(rel, "//") ||
	    rel[0] == '.' || strstr(rel, "/.") || rel[strspn(rel, "abcdefghijklmnopqrstuvwxyz"
						  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/")]) {
		mg_reply_error(r, 404, "not found: %s", r->path);
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", api->console, rel);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_size > (8 << 20)) {
		if (fd >= 0)
			close(fd);
		mg_reply_error(r, 404, "not found: %s", r->path);
		return;
	}
	buf = malloc((size_t)sb.st_size + 1);
	if (!buf || read(fd, buf, (size_t)sb.st_size) != sb.st_size) {
		close(fd);
		free(buf);
		mg_reply_error(r, 500, "cannot read %s", r->path);
		return;
	}
	close(fd);
	mg_reply_text(r, 200, content_type(path), buf, (size_t)sb.st_size);
}

static void serve_metrics(struct mg_api *api, struct mg_req *r)
{
	struct mg_who w;
	size_t len = 0;
	char *text;

	r->area = MG_AREA_METRICS;
	if (r->method != MG_GET) {
		mg_reply_error(r, 405, "GET only");
		return;
	}
	if (api->cfg->http.metrics_auth) {
		identify(api, r->auth, &w);
		if (w.role != MG_ROLE_ADMIN) {
			mg_reply_error(r, 401, "an admin token is required");
			return;
		}
	}
	text = mg_metrics_render(api->metrics, api->st, api->http, mg_api_waiters(api), &len);
	if (!text) {
		mg_reply_error(r, 500, "out of memory");
		return;
	}
	mg_reply_text(r, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
}

void mg_api_handle(void *ctx, struct mg_req *r)
{
	struct mg_api *api = ctx;

	r->area = MG_AREA_OTHER;
	if (!strcmp(r->path, "/metrics"))
		serve_metrics(api, r);
	else if (!strncmp(r->path, API_PREFIX "/", sizeof(API_PREFIX)))
		route(api, r, r->path + sizeof(API_PREFIX) - 1);
	else if (!strncmp(r->path, API_PREFIX, sizeof(API_PREFIX) - 1))
		mg_reply_error(r, 404, "no such endpoint: %s", r->path);
	else
		serve_console(api, r);
}

void mg_api_done(void *ctx, const struct mg_req *r, uint64_t ns)
{
	struct mg_api *api = ctx;

	mg_metrics_observe(api->metrics, r->area, r->status, ns);
}
