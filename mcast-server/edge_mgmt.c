/* edge_mgmt: registration and load reports. See edge_mgmt.h. */
#include "config.h"

#include "edge_mgmt.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edge_mgmt_json.h"
#include "sc_backoff.h"
#include "sc_httpc.h"

#define BACKOFF_MIN_NS (1 * SC_NS_PER_S)
#define BACKOFF_MAX_NS (30 * SC_NS_PER_S)
#define TIMEOUT_MS 5000

enum state { REGISTERING, REPORTING };

struct edge_mgmt {
	sc_loop *loop;
	sc_httpc *http;
	struct sc_logger lg;
	struct edge_mgmt_ops ops;
	char *url, *credential, *name;
	json_t *addrs, *ret_addrs;
	uint64_t report_ns;
	struct sc_backoff backoff;
	sc_timer *timer;
	enum state state;
	int64_t inflight;
	uint32_t edge_id;
	char token[EDGE_MGMT_TOKEN_MAX];
	edge_ident *ident;
	struct edge_mgmt_identity idbuf; /* the last answer's identity parts */
	bool up;
	int64_t lineup_version;
	bool reg_inflight;   /* the request in flight is a registration */
	bool again;          /* register again once it is answered (a reload) */
};

static void schedule(edge_mgmt *m, uint64_t delay)
{
	sc_timer_arm(m->timer, delay);
}

static void failed(edge_mgmt *m, const char *what, int status, const char *err, const char *body)
{
	/* the first failure after a success is logged; the retries are not */
	bool first = m->up || !m->backoff.step_ns;
	uint64_t delay = sc_backoff_next(&m->backoff);

	if (first && status)
		sc_logf(&m->lg, LOG_WARNING, "management server %s: %s: HTTP %d%s%s; retrying in %.1f s", m->url,
			what, status, body && *body ? " " : "", body ? body : "", (double)delay / 1e9);
	else if (first)
		sc_logf(&m->lg, LOG_WARNING, "management server %s: %s: %s; retrying in %.1f s", m->url, what,
			err ? err : "no answer", (double)delay / 1e9);
	m->up = false;
	schedule(m, delay);
}

static void take_keys(edge_mgmt *m, const struct edge_mgmt_reg_answer *a)
{
	for (size_t i = 0; i < a->n_chans; i++) {
		if (!a->chans[i].id) {
			sc_logf(&m->lg, LOG_WARNING, "management server: a channel without a usable id or ret_key");
			continue;
		}
		m->ops.ret_key(m->ops.arg, a->chans[i].id, a->chans[i].key);
	}
}

/* The identity parts of an answer: the CA key, a (new) certificate, the
 * revocations. -EAGAIN: the server has a new CA, register again. */
static int take_identity(edge_mgmt *m, const char *body, size_t len)
{
	struct edge_mgmt_identity *x = &m->idbuf;

	if (!m->ident)
		return 0;
	edge_mgmt_parse_identity(body, len, x);
	if (edge_ident_install(m->ident, x->has_ca ? x->ca : NULL, x->has_cert ? x->cert : NULL) == -EAGAIN)
		return -EAGAIN;
	for (size_t i = 0; i < x->n_revoked; i++)
		edge_ident_revoke(m->ident, x->revoked[i].id, x->revoked[i].before_ms);
	return 0;
}

/* The key for the server to certify (a new one when it is time). */
static void add_pubkey(edge_mgmt *m, json_t *j)
{
	char pub[2 * RTX_PUB_BYTES + 1];

	if (!m->ident || !j)
		return;
	edge_ident_pubkey(m->ident, pub);
	json_object_set_new(j, "pubkey", json_string(pub));
}

static void on_register(void *arg, int status, const char *body, size_t len, const char *err)
{
	edge_mgmt *m = arg;
	struct edge_mgmt_reg_answer a;

	m->inflight = 0;
	if (status != 200 || edge_mgmt_parse_register(body, len, &a) < 0) {
		failed(m, "registration refused", status, err, body);
		return;
	}
	m->edge_id = a.edge_id;
	snprintf(m->token, sizeof(m->token), "%s", a.token);
	if (a.report_ms)
		m->report_ns = a.report_ms * SC_NS_PER_MS;
	if (a.lineup_version)
		m->lineup_version = a.lineup_version;
	take_keys(m, &a);
	edge_mgmt_reg_answer_clear(&a);
	if (take_identity(m, body, len) == -EAGAIN) {
		schedule(m, 0); /* at once, with the new key */
		return;
	}
	/* A reload while this registration was in flight: its channels were
	 * read before the reload, so register again at once. */
	m->state = m->again ? REGISTERING : REPORTING;
	m->again = false;
	m->up = true;
	sc_backoff_reset(&m->backoff);
	sc_logf(&m->lg, LOG_NOTICE, "registered with %s as edge %u; load reports every %llu ms", m->url,
		(unsigned)m->edge_id, (unsigned long long)(m->report_ns / SC_NS_PER_MS));
	m->ops.registered(m->ops.arg, m->edge_id);
	schedule(m, m->state == REGISTERING ? 0 : m->report_ns);
}

static void on_load(void *arg, int status, const char *body, size_t len, const char *err)
{
	edge_mgmt *m = arg;
	struct edge_mgmt_load_answer a;

	m->inflight = 0;
	if (status == 401 || status == 403 || status == 404) {
		/* The server forgot us (restarted on a fresh store, or an admin
		 * deleted the edge): register anew. */
		sc_logf(&m->lg, LOG_NOTICE, "management server answered %d to a load report: registering again", status);
		m->state = REGISTERING;
		schedule(m, 0);
		return;
	}
	if (status != 200) {
		failed(m, "load report failed", status, err, body);
		return;
	}
	if (!m->up)
		sc_logf(&m->lg, LOG_NOTICE, "management server %s is back", m->url);
	m->up = true;
	sc_backoff_reset(&m->backoff);
	edge_mgmt_parse_load(body, len, &a);
	if (a.report_ms)
		m->report_ns = a.report_ms * SC_NS_PER_MS;
	if (a.lineup_version && m->lineup_version && a.lineup_version != m->lineup_version)
		m->state = REGISTERING; /* new line-up: fetch channels and keys again */
	if (a.lineup_version)
		m->lineup_version = a.lineup_version;
	if (take_identity(m, body, len) == -EAGAIN)
		m->state = REGISTERING;
	schedule(m, m->state == REGISTERING ? 0 : m->report_ns);
}

static void send_register(edge_mgmt *m)
{
	json_t *j = json_pack("{s:s, s:s, s:O, s:O, s:o}", "name", m->name, "credential", m->credential, "addrs",
			      m->addrs, "ret_addrs", m->ret_addrs, "channels", m->ops.channels(m->ops.arg));
	char url[600], *text;
	int64_t id;

	add_pubkey(m, j);
	text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	snprintf(url, sizeof(url), "%s/api/v1/edges/register", m->url);
	id = text ? sc_httpc_request(m->http, "POST", url, NULL, text, TIMEOUT_MS, on_register, m) : -ENOMEM;
	free(text);
	m->reg_inflight = id >= 0;
	m->again = false; /* this one reads the channels as they are now */
	if (id < 0)
		failed(m, "cannot send the registration", 0, strerror((int)-id), NULL);
	else
		m->inflight = id;
}

static void send_load(edge_mgmt *m)
{
	json_t *j = m->ops.load(m->ops.arg);
	char url[600], *text;
	int64_t id;

	add_pubkey(m, j);
	text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	snprintf(url, sizeof(url), "%s/api/v1/edges/%u/load", m->url, (unsigned)m->edge_id);
	id = text ? sc_httpc_request(m->http, "POST", url, m->token, text, TIMEOUT_MS, on_load, m) : -ENOMEM;
	free(text);
	m->reg_inflight = false;
	if (id < 0)
		failed(m, "cannot send a load report", 0, strerror((int)-id), NULL);
	else
		m->inflight = id;
}

static void on_timer(void *arg)
{
	edge_mgmt *m = arg;

	if (m->inflight)
		return;
	if (m->state == REGISTERING)
		send_register(m);
	else
		send_load(m);
}

int edge_mgmt_new(sc_loop *loop, const struct edge_mgmt_cfg *cfg, const struct edge_mgmt_ops *ops,
		  const struct sc_logger *lg, edge_mgmt **out)
{
	edge_mgmt *m = calloc(1, sizeof(*m));

	*out = NULL;
	if (!m)
		return -ENOMEM;
	m->loop = loop;
	m->lg = *lg;
	m->ops = *ops;
	m->report_ns = cfg->report_ns;
	m->ident = cfg->ident;
	sc_backoff_init(&m->backoff, BACKOFF_MIN_NS, BACKOFF_MAX_NS, 0);
	m->url = strdup(cfg->url);
	m->credential = strdup(cfg->credential);
	m->name = strdup(cfg->name);
	m->addrs = json_deep_copy(cfg->addrs);
	m->ret_addrs = json_deep_copy(cfg->ret_addrs);
	m->http = sc_httpc_new(loop, lg);
	m->timer = sc_timer_new(loop, on_timer, m);
	if (!m->url || !m->credential || !m->name || !m->addrs || !m->ret_addrs || !m->http || !m->timer) {
		edge_mgmt_free(m);
		return -ENOMEM;
	}
	/* Strip a trailing slash so that paths join cleanly. */
	if (*m->url && m->url[strlen(m->url) - 1] == '/')
		m->url[strlen(m->url) - 1] = '\0';
	schedule(m, 0);
	*out = m;
	return 0;
}

void edge_mgmt_free(edge_mgmt *m)
{
	if (!m)
		return;
	sc_timer_free(m->timer);
	sc_httpc_free(m->http);
	json_decref(m->addrs);
	json_decref(m->ret_addrs);
	free(m->url);
	free(m->credential);
	free(m->name);
	sodium_memzero(m->token, sizeof(m->token));
	free(m);
}

void edge_mgmt_reregister(edge_mgmt *m)
{
	if (!m)
		return;
	m->state = REGISTERING;
	if (!m->inflight)
		schedule(m, 0);
	else if (m->reg_inflight)
		m->again = true;
}

uint32_t edge_mgmt_id(const edge_mgmt *m)
{
	return m ? m->edge_id : 0;
}

bool edge_mgmt_up(const edge_mgmt *m)
{
	return m && m->up;
}
