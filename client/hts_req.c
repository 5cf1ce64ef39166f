/* hts_req: reading a player's request. See hts_req.h. */
#include "config.h"

#include "hts_req.h"

#include <stdio.h>
#include <string.h>

void hts_req_parse(const char *req, struct hts_req *out)
{
	char method[8], path[256];
	unsigned id;
	char tail;

	memset(out, 0, sizeof(*out));
	if (sscanf(req, "%7s %255s HTTP/1.%*c", method, path) != 2 ||
	    (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)) {
		out->route = HTS_BAD_REQUEST;
		return;
	}
	out->head = strcmp(method, "HEAD") == 0;
	if (strcmp(path, "/playlist.m3u") == 0)
		out->route = HTS_PLAYLIST;
	else if (sscanf(path, "/channel/%u%c", &id, &tail) == 1) {
		out->route = HTS_CHANNEL;
		out->channel = id;
	} else if (strcmp(path, "/current") == 0)
		out->route = HTS_CURRENT;
	else
		out->route = HTS_NOT_FOUND;
}

void hts_req_base_url(const char *req, unsigned port, char *buf, size_t len)
{
	const char *host = strcasestr(req, "\r\nHost:");
	size_t n;

	if (!host) {
		snprintf(buf, len, "http://[::1]:%u", port);
		return;
	}
	host += 7;
	host += strspn(host, " \t");
	n = strcspn(host, "\r\n");
	snprintf(buf, len, "http://%.*s", (int)(n < 200 ? n : 200), host);
}
