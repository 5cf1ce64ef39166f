/* mg_lineup: channel and metro definitions and the metro table. See
 * mg_lineup.h. */
#include "config.h"

#include "mg_lineup.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int mg_name_check(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n >= MG_NAME_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return -EINVAL;
	return 0;
}

void mg_chan_default(struct mg_chan_def *c, uint32_t id, const char *name)
{
	uint32_t low = 0x80000000u + id;
	uint8_t *a6;

	memset(c, 0, sizeof(*c));
	c->id = id;
	snprintf(c->name, sizeof(c->name), "%s", name ? name : "");
	c->port = MG_CHANNEL_PORT;
	c->enabled = true;
	c->group6.u.in6.sin6_family = AF_INET6;
	c->group6.u.in6.sin6_port = htons(c->port);
	c->group6.len = sizeof(struct sockaddr_in6);
	a6 = c->group6.u.in6.sin6_addr.s6_addr;
	a6[0] = 0xff;
	a6[1] = 0x3e;
	a6[12] = (uint8_t)(low >> 24);
	a6[13] = (uint8_t)(low >> 16);
	a6[14] = (uint8_t)(low >> 8);
	a6[15] = (uint8_t)low;
	if (id <= 0xffff) {
		c->group4.u.in4.sin_family = AF_INET;
		c->group4.u.in4.sin_port = htons(c->port);
		c->group4.u.in4.sin_addr.s_addr = htonl(0xe8010000u | id); /* 232.1.x.y */
		c->group4.len = sizeof(struct sockaddr_in);
	}
}

static int check_group(const struct sc_sockaddr *a, int family, const char *what, char *why,
		       size_t len)
{
	if (!a->len)
		return 0;
	if (sc_addr_family(a) != family)
		return why_set(why, len, "%s must be an IPv%d address", what, family == AF_INET6 ? 6 : 4);
	if (!sc_addr_is_multicast(a))
		return why_set(why, len, "%s must be a multicast address", what);
	return 0;
}

static int check_source(const struct sc_sockaddr *a, int family, const char *what, char *why,
			size_t len)
{
	if (!a->len)
		return 0;
	if (sc_addr_family(a) != family)
		return why_set(why, len, "%s must be an IPv%d address", what, family == AF_INET6 ? 6 : 4);
	if (sc_addr_is_multicast(a))
		return why_set(why, len, "%s must be a unicast address", what);
	return 0;
}

int mg_chan_check(const struct mg_chan_def *c, char *why, size_t len)
{
	int rc;

	if (!c->id)
		return why_set(why, len, "channel id must be 1 or more");
	if (mg_name_check(c->name) < 0)
		return why_set(why, len, "name must be 1 to %d characters, no control characters",
			       MG_NAME_MAX - 1);
	if (!c->port)
		return why_set(why, len, "port must be 1 to 65535");
	if (!c->group6.len && !c->group4.len)
		return why_set(why, len, "a channel needs group6 or group4");
	if ((rc = check_group(&c->group6, AF_INET6, "group6", why, len)) < 0 ||
	    (rc = check_group(&c->group4, AF_INET, "group4", why, len)) < 0 ||
	    (rc = check_source(&c->source6, AF_INET6, "source6", why, len)) < 0 ||
	    (rc = check_source(&c->source4, AF_INET, "source4", why, len)) < 0)
		return rc;
	if (c->sdp_url[0] && strncmp(c->sdp_url, "http://", 7) && strncmp(c->sdp_url, "https://", 8))
		return why_set(why, len, "sdp_url must be an http:// or https:// URL");
	return 0;
}

static bool prefix_equal(const struct sc_prefix *a, const struct sc_prefix *b)
{
	return a->family == b->family && a->len == b->len && memcmp(a->addr, b->addr, 16) == 0;
}

int mg_metro_check(const struct mg_metro_def *m, char *why, size_t len)
{
	char p[64];

	if (!m->id)
		return why_set(why, len, "metro id must be 1 or more");
	if (mg_name_check(m->name) < 0)
		return why_set(why, len, "name must be 1 to %d characters, no control characters",
			       MG_NAME_MAX - 1);
	if (m->nprefix > MG_PREFIX_MAX)
		return why_set(why, len, "at most %d prefixes per metro", MG_PREFIX_MAX);
	for (size_t i = 0; i < m->nprefix; i++)
		for (size_t j = 0; j < i; j++)
			if (prefix_equal(&m->prefix[i], &m->prefix[j])) {
				sc_prefix_format(&m->prefix[i], p, sizeof(p));
				return why_set(why, len, "prefix %s is listed twice", p);
			}
	return 0;
}

void mg_metro_table_free(struct mg_metro_table *t)
{
	if (!t)
		return;
	free(t->prefix);
	free(t->metro);
	memset(t, 0, sizeof(*t));
}

int mg_metro_table_build(struct mg_metro_table *t, const struct mg_metro_def *const *m, size_t n,
			 char *why, size_t len)
{
	struct mg_metro_table nt = { NULL, NULL, 0 };
	size_t total = 0, k = 0;
	char p[64];

	for (size_t i = 0; i < n; i++)
		total += m[i]->nprefix;
	nt.prefix = calloc(total ? total : 1, sizeof(*nt.prefix));
	nt.metro = calloc(total ? total : 1, sizeof(*nt.metro));
	if (!nt.prefix || !nt.metro) {
		mg_metro_table_free(&nt);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < m[i]->nprefix; j++) {
			for (size_t q = 0; q < k; q++)
				if (prefix_equal(&nt.prefix[q], &m[i]->prefix[j]) && nt.metro[q] != m[i]->id) {
					sc_prefix_format(&nt.prefix[q], p, sizeof(p));
					mg_metro_table_free(&nt);
					return why_set(why, len, "prefix %s belongs to two metros", p);
				}
			nt.prefix[k] = m[i]->prefix[j];
			nt.metro[k++] = m[i]->id;
		}
	nt.n = k;
	mg_metro_table_free(t);
	*t = nt;
	return 0;
}

uint32_t mg_metro_lookup(const struct mg_metro_table *t, const struct sc_sockaddr *a)
{
	int i = sc_prefix_longest_match(t->prefix, t->n, a);

	return i < 0 ? 0 : t->metro[i];
}

static bool addr_equal(const struct sc_sockaddr *a, const struct sc_sockaddr *b)
{
	return a->len == b->len && (!a->len || sc_addr_equal(a, b));
}

bool mg_chan_def_equal(const struct mg_chan_def *a, const struct mg_chan_def *b)
{
	return a->id == b->id && !strcmp(a->name, b->name) && addr_equal(&a->group6, &b->group6) &&
	       addr_equal(&a->group4, &b->group4) && addr_equal(&a->source6, &b->source6) &&
	       addr_equal(&a->source4, &b->source4) && a->port == b->port &&
	       !strcmp(a->sdp_url, b->sdp_url) && a->direct_max == b->direct_max &&
	       a->enabled == b->enabled;
}

bool mg_metro_def_equal(const struct mg_metro_def *a, const struct mg_metro_def *b)
{
	if (a->id != b->id || strcmp(a->name, b->name) || a->nprefix != b->nprefix)
		return false;
	for (size_t i = 0; i < a->nprefix; i++) {
		bool found = false;

		for (size_t j = 0; j < b->nprefix && !found; j++)
			found = prefix_equal(&a->prefix[i], &b->prefix[j]);
		if (!found)
			return false;
	}
	return true;
}
