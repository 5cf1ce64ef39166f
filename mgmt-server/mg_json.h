/* mg_json: checking what arrives in API requests, and the small JSON
 * helpers every handler shares (hex keys, address lists, compact
 * addresses).
 *
 * Every request body is checked against a field list before anything is
 * changed: a body that is not a JSON object, a field nobody knows, a
 * missing required field, a value of the wrong type or out of range all
 * stop the request with a message naming the field (400). Pure: no HTTP,
 * no state. */
#ifndef MG_JSON_H
#define MG_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sc_addr.h"

enum mg_jtype {
	MG_J_UINT,   /* integer in [min, max] */
	MG_J_STR,    /* string of [min, max] bytes */
	MG_J_BOOL,
	MG_J_ARRAY,  /* [min, max] elements, checked by the handler */
	MG_J_OBJECT,
	MG_J_NUMBER, /* integer or real in [min, max] */
	MG_J_ANY,
};

#define MG_J_REQUIRED 0x100 /* or'ed into type */
#define MG_J_NULLABLE 0x200 /* null is accepted too */

struct mg_field {
	const char *name;
	int type;
	double min, max;
};

/* Parse a request body into a JSON object (duplicate keys refused). An
 * empty body is {} when empty_ok. Returns a new reference, or NULL with
 * the reason in why. */
json_t *mg_json_parse_body(const char *body, size_t len, bool empty_ok, char *why, size_t wlen);
/* Check obj against fields (ending with { NULL }). Returns 0 or -EINVAL
 * with a message such as "unknown field \"x\"" in why. */
int mg_json_check(const json_t *obj, const struct mg_field *fields, char *why, size_t wlen);

/* Accessors for checked objects: the field, or dflt when absent or null. */
uint32_t mg_json_u32(const json_t *obj, const char *name, uint32_t dflt);
uint64_t mg_json_u64(const json_t *obj, const char *name, uint64_t dflt);
const char *mg_json_str(const json_t *obj, const char *name, const char *dflt);
bool mg_json_bool(const json_t *obj, const char *name, bool dflt);

/* A compact address, for the many stored per box. */
struct mg_caddr {
	uint8_t family; /* AF_INET6, AF_INET, 0: empty */
	uint8_t pad;
	uint16_t port;  /* host order */
	uint8_t a[16];  /* IPv4 in the first 4 bytes */
};

void mg_caddr_from(struct mg_caddr *c, const struct sc_sockaddr *s);
void mg_caddr_to(const struct mg_caddr *c, struct sc_sockaddr *s);
/* "[2001:db8::1]:5100" or "10.1.0.5:5100" (port 0: without port). */
void mg_caddr_format(const struct mg_caddr *c, char *buf, size_t len);

/* An array of address strings into out[max]: each must parse (sc_addr
 * forms, default_port when none) and be a unicast, specified address;
 * with default_port 0 a port is optional.
 * Returns 0 and the count in *n, or -EINVAL with the reason in why. */
int mg_json_addrs(const json_t *arr, uint16_t default_port, struct mg_caddr *out, size_t max,
		  size_t *n, char *why, size_t wlen);
/* The addresses as a JSON array of strings (new reference). */
json_t *mg_json_addr_array(const struct mg_caddr *a, size_t n);

/* An optional public key field (an X25519 key: 64 hex characters, not
 * all zeros) of a checked object into out[32]. Returns 1 when given, 0
 * when absent or null, or -EINVAL with a message naming the field. */
int mg_json_pubkey(const json_t *obj, const char *name, uint8_t out[32], char *why, size_t wlen);

/* Lowercase hex of n bytes into out[2n + 1]. */
void mg_hex(const uint8_t *b, size_t n, char *out);
/* 2n hex characters into b[n]. Returns 0 or -EINVAL. */
int mg_unhex(const char *s, uint8_t *b, size_t n);
/* A JSON string of hex (new reference). */
json_t *mg_json_hex(const uint8_t *b, size_t n);

#endif
