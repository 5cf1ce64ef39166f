/* hts_req: reading a player's request. See hts_req.h. */
#include "config.h"

#include "hts_req.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* The next word of *s (after white space): its start, and its length. */
static size_t word(const char **s, const char **w)
{
	size_t n;

	while (isspace((unsigned char)**s))
		(*s)++;
	n = strcspn(*s, " \t\n\v\f\r");
	*w = *s;
	*s += n;
	return n;
}

static bool is(const char *w, size_t n, const char *lit)
{
	return n == strlen(lit) && memcmp(w, lit, n) == 0;
}

/* "/channel/ID": digits of a value that fits in 32 bits, nothing else
 * (no sign, no white space: sscanf's %u took "-1" and wrapped numbers
 * past 2^32 around, so /channel/4294967301 tuned channel 5). */
static bool channel_of(const char *p, size_t n, uint32_t *id)
{
	uint64_t v = 0;

	if (n <= 9 || memcmp(p, "/channel/", 9) != 0)
		return false;
	for (size_t i = 9; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(p[i] - '0');
		if (v > UINT32_MAX)
			return false;
	}
	*id = (uint32_t)v;
	return true;
}

/* The request line's words are compared whole: cut to a buffer's size,
 * a long path could read as another one. */
void hts_req_parse(const char *req, struct hts_req *out)
{
	const char *s = req, *method, *path;
	size_t mn = word(&s, &method), pn = word(&s, &path);

	memset(out, 0, sizeof(*out));
	if (!mn || !pn || (!is(method, mn, "GET") && !is(method, mn, "HEAD"))) {
		out->route = HTS_BAD_REQUEST;
		return;
	}
	out->head = is(method, mn, "HEAD");
	if (is(path, pn, "/playlist.m3u"))
		out->route = HTS_PLAYLIST;
	else if (channel_of(path, pn, &out->channel))
		out->route = HTS_CHANNEL;
	else if (is(path, pn, "/current"))
		out->route = HTS_CURRENT;
	else
		out->route = HTS_NOT_FOUND;
}

void hts_req_base_url(const char *req, const struct sc_sockaddr *local, unsigned port, char *buf, size_t len)
{
	const char *host = strcasestr(req, "\r\nHost:");
	char addr[SC_ADDR_STRLEN];
	struct sc_sockaddr a;
	size_t n;

	if (!host) {
		if (local && local->len) {
			sc_addr_unmap(local, &a);
			if (sc_addr_format(&a, true, addr, sizeof(addr)) == 0) {
				snprintf(buf, len, "http://%s", addr);
				return;
			}
		}
		snprintf(buf, len, "http://localhost:%u", port);
		return;
	}
	host += 7;
	host += strspn(host, " \t");
	n = strcspn(host, "\r\n");
	snprintf(buf, len, "http://%.*s", (int)(n < 200 ? n : 200), host);
}
