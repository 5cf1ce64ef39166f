/* mgc_json: parsing the management server's answers. See mgc_json.h. */
#include "config.h"

#include "mgc_json.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtx_ident.h"
#include "sc_log.h"

SC_PRINTF(2, 3)
static int bad(char *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, MGC_ERR_LEN, fmt, ap);
	va_end(ap);
	return -EBADMSG;
}

static int get_u32(json_t *o, const char *k, bool required, uint32_t *out, char *err)
{
	json_t *v = json_object_get(o, k);

	if (!v || json_is_null(v)) {
		*out = 0;
		return required ? bad(err, "\"%s\" is missing", k) : 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 0xffffffffLL)
		return bad(err, "\"%s\" is not an integer 0..4294967295", k);
	*out = (uint32_t)json_integer_value(v);
	return 0;
}

static int get_str(json_t *o, const char *k, bool required, char *dst, size_t len, char *err)
{
	json_t *v = json_object_get(o, k);

	dst[0] = 0;
	if (!v || json_is_null(v))
		return required ? bad(err, "\"%s\" is missing", k) : 0;
	if (!json_is_string(v) || json_string_length(v) >= len)
		return bad(err, "\"%s\" is not a string of at most %zu characters", k, len - 1);
	memcpy(dst, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

/* An address field; a missing or null one leaves *out empty. */
static int get_addr(json_t *o, const char *k, uint16_t port, struct sc_sockaddr *out, char *err)
{
	json_t *v = json_object_get(o, k);

	memset(out, 0, sizeof(*out));
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v) || sc_addr_parse(json_string_value(v), port, out) < 0)
		return bad(err, "\"%s\" is not an address", k);
	return 0;
}

/* Exactly len bytes as 2 * len hex characters. */
static int get_hex(json_t *o, const char *k, uint8_t *out, size_t len, char *err)
{
	const char *s = json_string_value(json_object_get(o, k));

	if (!s || rtx_unhex(s, out, len) < 0)
		return bad(err, "\"%s\" is not %zu hex characters", k, 2 * len);
	return 0;
}

static int get_key(json_t *o, const char *k, uint8_t key[MGC_KEY_BYTES], char *err)
{
	return get_hex(o, k, key, MGC_KEY_BYTES, err);
}

/* An optional certificate: *has is false when absent or null. */
static int get_cert(json_t *o, const char *k, uint8_t cert[MGC_CERT_BYTES], bool *has, char *err)
{
	json_t *v = json_object_get(o, k);
	int rc;

	*has = false;
	if (!v || json_is_null(v))
		return 0;
	if ((rc = get_hex(o, k, cert, MGC_CERT_BYTES, err)) < 0)
		return rc;
	*has = true;
	return 0;
}

/* An optional list: *a is NULL when absent or null, and *n is 0. */
static int get_list(json_t *o, const char *k, json_t **a, size_t *n, char *err)
{
	*n = 0;
	*a = json_object_get(o, k);
	if (*a && json_is_null(*a))
		*a = NULL;
	if (*a && !json_is_array(*a))
		return bad(err, "\"%s\" is not a list", k);
	return 0;
}

static int get_addrs(json_t *o, const char *k, uint16_t port, struct sc_sockaddr *out, size_t max, size_t *n,
		     char *err)
{
	json_t *a, *v;
	size_t i;
	int rc;

	if ((rc = get_list(o, k, &a, n, err)) < 0 || !a)
		return rc;
	json_array_foreach(a, i, v) {
		if (!json_is_string(v) || sc_addr_parse(json_string_value(v), port, &out[*n]) < 0)
			return bad(err, "\"%s\"[%zu] is not an address", k, i);
		if (++*n == max)
			break;
	}
	return 0;
}

static int parse_channel(json_t *o, struct mgc_channel *c, char *err)
{
	uint32_t port;
	int rc;

	if (!json_is_object(o))
		return bad(err, "a channel is not an object");
	memset(c, 0, sizeof(*c));
	if ((rc = get_u32(o, "id", true, &c->id, err)) < 0 || (rc = get_u32(o, "port", true, &port, err)) < 0 ||
	    (rc = get_str(o, "name", false, c->name, sizeof(c->name), err)) < 0 ||
	    (rc = get_str(o, "sdp_url", false, c->sdp_url, sizeof(c->sdp_url), err)) < 0)
		return rc;
	if (c->id == 0 || port == 0 || port > 65535)
		return bad(err, "channel %u: bad id or port", c->id);
	c->port = (uint16_t)port;
	if ((rc = get_addr(o, "group6", c->port, &c->group6, err)) < 0 ||
	    (rc = get_addr(o, "group4", c->port, &c->group4, err)) < 0 ||
	    (rc = get_addr(o, "source6", 0, &c->source6, err)) < 0 ||
	    (rc = get_addr(o, "source4", 0, &c->source4, err)) < 0)
		return rc;
	if ((c->group6.len && !sc_addr_is_multicast(&c->group6)) || (c->group4.len && !sc_addr_is_multicast(&c->group4)))
		return bad(err, "channel %u: a group is not a multicast address", c->id);
	return 0;
}

static int parse_group(json_t *o, struct mgc_group *g, char *err)
{
	json_t *ms, *m;
	size_t i;
	int rc;

	if (!json_is_object(o))
		return bad(err, "\"group\" is not an object");
	memset(g, 0, sizeof(*g));
	if ((rc = get_u32(o, "id", true, &g->id, err)) < 0 || (rc = get_u32(o, "version", true, &g->version, err)) < 0 ||
	    (rc = get_key(o, "key", g->key, err)) < 0)
		return rc;
	ms = json_object_get(o, "members");
	if (!json_is_array(ms) || json_array_size(ms) > MGC_MAX_MEMBERS)
		return bad(err, "\"members\" is not a list of at most %d", MGC_MAX_MEMBERS);
	json_array_foreach(ms, i, m) {
		struct mgc_member *mb = &g->members[i];

		if (!json_is_object(m))
			return bad(err, "a member is not an object");
		if ((rc = get_u32(m, "client_id", true, &mb->client_id, err)) < 0 ||
		    (rc = get_u32(m, "metro_id", false, &mb->metro_id, err)) < 0 ||
		    (rc = get_addrs(m, "addrs", 5100, mb->addrs, MGC_MAX_ADDRS, &mb->n_addrs, err)) < 0 ||
		    (rc = get_cert(m, "cert", mb->cert, &mb->has_cert, err)) < 0)
			return rc;
		if (!mb->client_id)
			return bad(err, "a member has client_id 0");
	}
	g->n_members = json_array_size(ms);
	return 0;
}

/* "servers": the edges behind a RET or burst address list. */
static int parse_servers(json_t *o, struct mgc_server *out, size_t *n, char *err)
{
	json_t *a, *v;
	size_t i;
	int rc;

	if ((rc = get_list(o, "servers", &a, n, err)) < 0 || !a)
		return rc;
	json_array_foreach(a, i, v) {
		struct mgc_server *sv = &out[*n];

		if (!json_is_object(v))
			return bad(err, "\"servers\"[%zu] is not an object", i);
		if ((rc = get_u32(v, "id", true, &sv->id, err)) < 0 ||
		    (rc = get_addrs(v, "addrs", 5200, sv->addrs, MGC_MAX_ADDRS, &sv->n_addrs, err)) < 0 ||
		    (rc = get_cert(v, "cert", sv->cert, &sv->has_cert, err)) < 0)
			return rc;
		if (!(sv->id & 0x80000000u) || sv->id == 0x80000000u)
			return bad(err, "\"servers\"[%zu]: id %u is no edge's", i, sv->id);
		if (++*n == MGC_MAX_SERVERS)
			break;
	}
	return 0;
}

static int parse_ret(json_t *o, json_t *burst, struct mgc_ret *r, char *err)
{
	int rc;

	memset(r, 0, sizeof(*r));
	if ((rc = get_u32(o, "domain_id", true, &r->domain_id, err)) < 0 || (rc = get_key(o, "key", r->key, err)) < 0 ||
	    (rc = get_addrs(o, "addrs", 5200, r->addrs, MGC_MAX_SERVERS, &r->n_addrs, err)) < 0 ||
	    (rc = parse_servers(o, r->servers, &r->n_servers, err)) < 0)
		return rc;
	if (json_is_object(burst) &&
	    ((rc = get_addrs(burst, "addrs", 5200, r->burst, MGC_MAX_SERVERS, &r->n_burst, err)) < 0 ||
	     (rc = parse_servers(burst, r->burst_servers, &r->n_burst_servers, err)) < 0))
		return rc;
	return 0;
}

static json_t *load(const char *body, char *err)
{
	json_error_t je;
	json_t *j = json_loads(body ? body : "", 0, &je);

	if (!j)
		bad(err, "not JSON: %s (line %d)", je.text, je.line);
	return j;
}

static int get_ca(json_t *j, struct mgc_register *r, char *err)
{
	json_t *v = json_object_get(j, "ca");

	r->has_ca = v && !json_is_null(v);
	return r->has_ca ? get_hex(j, "ca", r->ca, MGC_CA_BYTES, err) : 0;
}

int mgc_parse_register(const char *body, struct mgc_register *out, char *err)
{
	json_t *j = load(body, err);
	struct mgc_register r = { 0 };
	uint32_t hb = 0;
	int rc = -EBADMSG;

	if (!j)
		return rc;
	if (!json_is_object(j))
		bad(err, "the answer is not an object");
	else if ((rc = get_u32(j, "client_id", true, &r.client_id, err)) == 0 &&
		 (rc = get_str(j, "token", true, r.token, sizeof(r.token), err)) == 0 &&
		 (rc = get_str(j, "metro", false, r.metro, sizeof(r.metro), err)) == 0 &&
		 (rc = get_u32(j, "heartbeat_ms", false, &hb, err)) == 0 &&
		 (rc = get_u32(j, "lineup_version", false, &r.lineup_version, err)) == 0 &&
		 (rc = get_cert(j, "cert", r.cert, &r.has_cert, err)) == 0 &&
		 (rc = get_ca(j, &r, err)) == 0) {
		if (!r.client_id || (r.client_id & 0x80000000u))
			rc = bad(err, "client_id %u is out of range", r.client_id);
		r.heartbeat_ms = hb;
	}
	if (rc == 0)
		*out = r;
	json_decref(j);
	return rc;
}

int mgc_parse_channels(const char *body, struct mgc_channel **chans, size_t *n, char *err)
{
	json_t *j = load(body, err), *c;
	struct mgc_channel *v = NULL;
	size_t i;
	int rc = -EBADMSG;

	if (!j)
		return rc;
	if (!json_is_array(j)) {
		bad(err, "the channel list is not a list");
		goto out;
	}
	v = calloc(json_array_size(j) + 1, sizeof(*v));
	if (!v) {
		rc = -ENOMEM;
		goto out;
	}
	rc = 0;
	json_array_foreach(j, i, c) {
		if ((rc = parse_channel(c, &v[i], err)) < 0)
			break;
	}
	if (rc == 0) {
		*chans = v;
		*n = json_array_size(j);
		v = NULL;
	}
out:
	free(v);
	json_decref(j);
	return rc;
}

int mgc_parse_tune(const char *body, struct mgc_tune *out, char *err)
{
	json_t *j = load(body, err), *g, *r;
	uint32_t hb = 0;
	int rc = -EBADMSG;

	if (!j)
		return rc;
	memset(out, 0, sizeof(*out));
	if (!json_is_object(j)) {
		bad(err, "the answer is not an object");
		goto out;
	}
	if ((rc = parse_channel(json_object_get(j, "channel"), &out->channel, err)) < 0)
		goto out;
	g = json_object_get(j, "group");
	if (g && !json_is_null(g)) {
		if ((rc = parse_group(g, &out->group, err)) < 0)
			goto out;
		out->has_group = true;
	}
	r = json_object_get(j, "ret");
	if (json_is_object(r) && json_object_get(r, "key")) {
		if ((rc = parse_ret(r, json_object_get(j, "burst"), &out->ret, err)) < 0)
			goto out;
		out->has_ret = true;
	}
	if ((rc = get_u32(j, "heartbeat_ms", false, &hb, err)) == 0)
		rc = get_u32(j, "lineup_version", false, &out->lineup_version, err);
	out->heartbeat_ms = hb;
out:
	json_decref(j);
	return rc;
}

static int get_u64(json_t *o, const char *k, uint64_t *out, char *err)
{
	json_t *v = json_object_get(o, k);

	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return bad(err, "\"%s\" is not a positive integer", k);
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

static int parse_revoked(json_t *o, struct mgc_revoked *out, size_t max, size_t *n, char *err)
{
	json_t *a, *v;
	size_t i;
	int rc;

	if ((rc = get_list(o, "revoked", &a, n, err)) < 0 || !a)
		return rc;
	json_array_foreach(a, i, v) {
		if (!json_is_object(v))
			return bad(err, "\"revoked\"[%zu] is not an object", i);
		if ((rc = get_u32(v, "id", true, &out[*n].id, err)) < 0 ||
		    (rc = get_u64(v, "before_ms", &out[*n].before_ms, err)) < 0)
			return rc;
		if (!out[*n].id)
			return bad(err, "\"revoked\"[%zu]: id 0", i);
		if (++*n == max)
			break; /* the oldest ones left out expire first anyway */
	}
	return 0;
}

int mgc_parse_heartbeat(const char *body, struct mgc_heartbeat *out, char *err)
{
	json_t *j = load(body, err), *g;
	uint32_t hb = 0;
	int rc = -EBADMSG;

	if (!j)
		return rc;
	memset(out, 0, sizeof(*out));
	if (!json_is_object(j)) {
		bad(err, "the answer is not an object");
		goto out;
	}
	if ((rc = get_u32(j, "heartbeat_ms", false, &hb, err)) < 0 ||
	    (rc = get_u32(j, "lineup_version", false, &out->lineup_version, err)) < 0 ||
	    (rc = get_u32(j, "channel_id", false, &out->channel_id, err)) < 0)
		goto out;
	out->heartbeat_ms = hb;
	if ((rc = get_cert(j, "cert", out->cert, &out->has_cert, err)) < 0 ||
	    (rc = parse_revoked(j, out->revoked, MGC_MAX_REVOKED, &out->n_revoked, err)) < 0)
		goto out;
	g = json_object_get(j, "group");
	if (g) {
		out->group_changed = true;
		if (!json_is_null(g)) {
			rc = parse_group(g, &out->group, err);
			out->has_group = rc == 0;
		}
	}
out:
	json_decref(j);
	return rc;
}

static int parse_peer_list(json_t *o, const char *k, struct mgc_member *out, size_t *n, char *err)
{
	json_t *a, *m;
	size_t i;
	int rc;

	if ((rc = get_list(o, k, &a, n, err)) < 0 || !a)
		return rc;
	json_array_foreach(a, i, m) {
		struct mgc_member *mb = &out[*n];

		if (!json_is_object(m))
			return bad(err, "\"%s\"[%zu] is not an object", k, i);
		if ((rc = get_u32(m, "client_id", true, &mb->client_id, err)) < 0 ||
		    (rc = get_u32(m, "metro_id", false, &mb->metro_id, err)) < 0 ||
		    (rc = get_addrs(m, "addrs", 5100, mb->addrs, MGC_MAX_ADDRS, &mb->n_addrs, err)) < 0 ||
		    (rc = get_cert(m, "cert", mb->cert, &mb->has_cert, err)) < 0)
			return rc;
		if (!mb->client_id || (mb->client_id & 0x80000000u))
			return bad(err, "\"%s\"[%zu]: client_id %u is out of range", k, i, mb->client_id);
		if (++*n == MGC_MAX_PEERS)
			break; /* the rest: the overlay finds them */
	}
	return 0;
}

static int parse_source(json_t *o, struct mgc_peers *p, char *err)
{
	int rc;

	if (!o || json_is_null(o))
		return 0;
	if (!json_is_object(o))
		return bad(err, "\"source\" is not an object");
	if (!json_object_size(o))
		return 0; /* no live edge carries the channel */
	if ((rc = get_u32(o, "id", true, &p->source_id, err)) < 0 ||
	    (rc = get_addrs(o, "addrs", 5200, p->source, MGC_MAX_SERVERS, &p->n_source, err)) < 0 ||
	    (rc = get_cert(o, "cert", p->source_cert, &p->has_source_cert, err)) < 0)
		return rc;
	if (!(p->source_id & 0x80000000u))
		return bad(err, "\"source\": id %u lacks the source flag", p->source_id);
	if (!p->n_source)
		p->source_id = 0;
	return 0;
}

int mgc_parse_peers(const char *body, struct mgc_peers *out, char *err)
{
	json_t *j = load(body, err), *d;
	int rc = -EBADMSG;

	if (!j)
		return rc;
	memset(out, 0, sizeof(*out));
	if (!json_is_object(j)) {
		bad(err, "the answer is not an object");
		goto out;
	}
	d = json_object_get(j, "direct");
	if (d && !json_is_boolean(d)) {
		rc = bad(err, "\"direct\" is not true or false");
		goto out;
	}
	out->direct = json_is_true(d);
	if ((rc = get_u32(j, "channel_id", true, &out->channel_id, err)) < 0 ||
	    (rc = parse_source(json_object_get(j, "source"), out, err)) < 0 ||
	    (rc = parse_peer_list(j, "near", out->near, &out->n_near, err)) < 0)
		goto out;
	rc = parse_peer_list(j, "random", out->random, &out->n_random, err);
out:
	json_decref(j);
	return rc;
}

void mgc_error_text(const char *body, char *buf, size_t len)
{
	json_t *j = json_loads(body ? body : "", 0, NULL);
	const char *e = json_string_value(json_object_get(j, "error"));

	if (e)
		snprintf(buf, len, "%s", e);
	else
		snprintf(buf, len, "%.*s", 120, body && *body ? body : "(no answer body)");
	json_decref(j);
}
