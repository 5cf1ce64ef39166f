/* hts_req: what a player asks of the box's HTTP stream output (hts.h):
 * the request read into a route, and the base of the playlist's links.
 * Pure functions over the request's text, apart from hts's sockets and
 * rings, so that unit tests and the fuzz target
 * (tests/fuzz/fuzz_hts_req.c) reach every request a player can send. */
#ifndef HTS_REQ_H
#define HTS_REQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sc_addr.h"

enum hts_route {
	HTS_BAD_REQUEST, /* no request line, or a method other than GET and HEAD */
	HTS_NOT_FOUND,   /* a path hts does not serve */
	HTS_PLAYLIST,    /* /playlist.m3u */
	HTS_CURRENT,     /* /current */
	HTS_CHANNEL,     /* /channel/ID */
};

struct hts_req {
	enum hts_route route;
	bool head;         /* HEAD: a stream's head only */
	uint32_t channel;  /* of HTS_CHANNEL */
};

/* Read the request req (NUL-terminated, its head complete). */
void hts_req_parse(const char *req, struct hts_req *out);

/* "http://" and the request's Host into buf[len]: where the playlist's
 * links point. Without a Host (HTTP/1.0), the address the player reached
 * us on (local, IPv4 mapped into IPv6 shown as IPv4), which works for it
 * whatever families the host has; without that, "localhost:port", which
 * its resolver tries in both. */
void hts_req_base_url(const char *req, const struct sc_sockaddr *local, unsigned port, char *buf, size_t len);

#endif
