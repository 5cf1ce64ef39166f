/* mg_json: request validation and shared JSON helpers. See mg_json.h. */
#include "config.h"

#include "mg_json.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rtx_ident.h"

static int why_set(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int why_set(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

json_t *mg_json_parse_body(const char *body, size_t len, bool empty_ok, char *why, size_t wlen)
{
	json_error_t e;
	json_t *j;
	size_t i;

	for (i = 0; i < len && (body[i] == ' ' || body[i] == '\n' || body[i] == '\r' || body[i] == '\t'); i++)
		;
	if (i == len) {
		if (empty_ok)
			return json_object();
		why_set(why, wlen, "a JSON object is required");
		return NULL;
	}
	j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &e);
	if (!j) {
		why_set(why, wlen, "malformed JSON at line %d column %d: %s", e.line, e.column, e.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		why_set(why, wlen, "the body must be a JSON object");
		return NULL;
	}
	return j;
}

static const char *type_name(int t)
{
	switch (t) {
	case MG_J_UINT: return "an integer";
	case MG_J_STR: return "a string";
	case MG_J_BOOL: return "true or false";
	case MG_J_ARRAY: return "an array";
	case MG_J_OBJECT: return "an object";
	case MG_J_NUMBER: return "a number";
	default: return "a value";
	}
}

static int check_range(const struct mg_field *f, double v, const char *what, char *why, size_t len)
{
	if (v < f->min || v > f->max)
		return why_set(why, len, "field \"%s\" must have %s between %.0f and %.0f", f->name, what,
			       f->min, f->max);
	return 0;
}

static int check_value(const struct mg_field *f, const json_t *v, char *why, size_t len)
{
	int t = f->type & 0xff;

	if (json_is_null(v) && (f->type & MG_J_NULLABLE))
		return 0;
	switch (t) {
	case MG_J_UINT:
		if (!json_is_integer(v))
			break;
		if ((double)json_integer_value(v) < f->min || (double)json_integer_value(v) > f->max)
			return why_set(why, len, "field \"%s\" must be between %.0f and %.0f", f->name,
				       f->min, f->max);
		return 0;
	case MG_J_NUMBER:
		if (!json_is_number(v))
			break;
		if (!isfinite(json_number_value(v)) || json_number_value(v) < f->min ||
		    json_number_value(v) > f->max)
			return why_set(why, len, "field \"%s\" must be between %g and %g", f->name, f->min,
				       f->max);
		return 0;
	case MG_J_STR:
		if (!json_is_string(v))
			break;
		return check_range(f, (double)json_string_length(v), "a length", why, len);
	case MG_J_BOOL:
		if (!json_is_boolean(v))
			break;
		return 0;
	case MG_J_ARRAY:
		if (!json_is_array(v))
			break;
		return check_range(f, (double)json_array_size(v), "a number of elements", why, len);
	case MG_J_OBJECT:
		if (!json_is_object(v))
			break;
		return 0;
	default:
		return 0;
	}
	return why_set(why, len, "field \"%s\" must be %s%s", f->name, type_name(t),
		       (f->type & MG_J_NULLABLE) ? " or null" : "");
}

int mg_json_check(const json_t *obj, const struct mg_field *fields, char *why, size_t wlen)
{
	const char *key;
	json_t *v;
	int rc;

	if (!json_is_object(obj))
		return why_set(why, wlen, "a JSON object is required");
	json_object_foreach((json_t *)obj, key, v) {
		const struct mg_field *f;

		for (f = fields; f->name && strcmp(f->name, key); f++)
			;
		if (!f->name)
			return why_set(why, wlen, "unknown field \"%.60s\"", key);
		if ((rc = check_value(f, v, why, wlen)) < 0)
			return rc;
	}
	for (const struct mg_field *f = fields; f->name; f++)
		if ((f->type & MG_J_REQUIRED) && !json_object_get(obj, f->name))
			return why_set(why, wlen, "missing field \"%s\"", f->name);
	return 0;
}

uint32_t mg_json_u32(const json_t *obj, const char *name, uint32_t dflt)
{
	json_t *v = json_object_get(obj, name);

	return json_is_integer(v) ? (uint32_t)json_integer_value(v) : dflt;
}

uint64_t mg_json_u64(const json_t *obj, const char *name, uint64_t dflt)
{
	json_t *v = json_object_get(obj, name);

	return json_is_integer(v) && json_integer_value(v) >= 0 ? (uint64_t)json_integer_value(v) : dflt;
}

const char *mg_json_str(const json_t *obj, const char *name, const char *dflt)
{
	json_t *v = json_object_get(obj, name);

	return json_is_string(v) ? json_string_value(v) : dflt;
}

bool mg_json_bool(const json_t *obj, const char *name, bool dflt)
{
	json_t *v = json_object_get(obj, name);

	return json_is_boolean(v) ? json_is_true(v) : dflt;
}

void mg_caddr_from(struct mg_caddr *c, const struct sc_sockaddr *s)
{
	memset(c, 0, sizeof(*c));
	c->family = (uint8_t)sc_addr_family(s);
	c->port = sc_addr_port(s);
	if (c->family == AF_INET6)
		memcpy(c->a, s->u.in6.sin6_addr.s6_addr, 16);
	else if (c->family == AF_INET)
		memcpy(c->a, &s->u.in4.sin_addr, 4);
	else
		c->family = 0;
}

void mg_caddr_to(const struct mg_caddr *c, struct sc_sockaddr *s)
{
	memset(s, 0, sizeof(*s));
	if (c->family == AF_INET6) {
		s->u.in6.sin6_family = AF_INET6;
		memcpy(s->u.in6.sin6_addr.s6_addr, c->a, 16);
		s->u.in6.sin6_port = htons(c->port);
		s->len = sizeof(struct sockaddr_in6);
	} else if (c->family == AF_INET) {
		s->u.in4.sin_family = AF_INET;
		memcpy(&s->u.in4.sin_addr, c->a, 4);
		s->u.in4.sin_port = htons(c->port);
		s->len = sizeof(struct sockaddr_in);
	}
}

void mg_caddr_format(const struct mg_caddr *c, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "";

	if (!c->family) {
		snprintf(buf, len, "%s", "");
		return;
	}
	inet_ntop(c->family, c->a, host, sizeof(host));
	if (!c->port)
		snprintf(buf, len, "%s", host);
	else if (c->family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", host, c->port);
	else
		snprintf(buf, len, "%s:%u", host, c->port);
}

static bool unspecified(const struct mg_caddr *c)
{
	static const uint8_t zero[16];

	return memcmp(c->a, zero, c->family == AF_INET6 ? 16 : 4) == 0;
}

int mg_json_addrs(const json_t *arr, uint16_t default_port, struct mg_caddr *out, size_t max,
		  size_t *n, char *why, size_t wlen)
{
	struct sc_sockaddr s;
	size_t i;
	json_t *v;

	*n = 0;
	if (!json_is_array(arr))
		return why_set(why, wlen, "addresses must be an array of strings");
	if (json_array_size(arr) > max)
		return why_set(why, wlen, "at most %zu addresses", max);
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v) || sc_addr_parse(json_string_value(v), default_port, &s) < 0)
			return why_set(why, wlen, "address %zu is not an address such as "
				       "\"[2001:db8::5]:5100\" or \"10.1.0.5:5100\"", i + 1);
		if (sc_addr_is_multicast(&s))
			return why_set(why, wlen, "address %zu is a multicast address", i + 1);
		mg_caddr_from(&out[i], &s);
		if (unspecified(&out[i]) || (!out[i].port && default_port))
			return why_set(why, wlen, "address %zu has no host or no port", i + 1);
		(*n)++;
	}
	return 0;
}

json_t *mg_json_addr_array(const struct mg_caddr *a, size_t n)
{
	json_t *arr = json_array();
	char buf[SC_ADDR_STRLEN];

	for (size_t i = 0; arr && i < n; i++) {
		mg_caddr_format(&a[i], buf, sizeof(buf));
		json_array_append_new(arr, json_string(buf));
	}
	return arr;
}

int mg_json_pubkey(const json_t *obj, const char *name, uint8_t out[32], char *why, size_t wlen)
{
	static const uint8_t zero[RTX_PUB_BYTES];
	json_t *v = json_object_get(obj, name);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v) || rtx_unhex(json_string_value(v), out, RTX_PUB_BYTES) < 0)
		return why_set(why, wlen, "field \"%s\" must be an X25519 public key as %d hex "
			       "characters", name, 2 * RTX_PUB_BYTES);
	/* All zeros is no key: every exchange with it gives zeros. */
	if (!memcmp(out, zero, sizeof(zero)))
		return why_set(why, wlen, "field \"%s\" must not be all zeros", name);
	return 1;
}

void mg_hex(const uint8_t *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int mg_unhex(const char *s, uint8_t *b, size_t n)
{
	if (!s || strlen(s) != 2 * n)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		int hi = nibble(s[2 * i]), lo = nibble(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

json_t *mg_json_hex(const uint8_t *b, size_t n)
{
	char buf[2 * 64 + 1];

	if (n > 64)
		return NULL;
	mg_hex(b, n, buf);
	return json_string(buf);
}
