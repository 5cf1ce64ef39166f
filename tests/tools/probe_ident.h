/* probe_ident: an identity for the lab's probe boxes (rtxprobe): from a
 * standalone edge's CA key file (trust.ca_key_file), or by registering
 * with the management server and tuning, as sixcast-client does. Test
 * code: blocking HTTP, messages on stderr. */
#ifndef PROBE_IDENT_H
#define PROBE_IDENT_H

#include <stdint.h>

#include "rtx_ident.h"

/* A certificate for id from the CA key in ca_key_file (128 hex). The
 * edge's certificate (hex) is learned. Returns 0 or -1. */
int probe_ident_standalone(const char *ca_key_file, uint32_t id, const char *edge_cert_hex, rtx_ident **out);

/* What the management server says of a channel. */
struct probe_tune {
	uint32_t client_id;
	uint8_t ret_key[32];
	uint32_t server_id;      /* the first RET server (its certificate learned) */
};

/* Register (device_id, credential, our address on iface) and tune to
 * channel at the management server url. Returns 0 or -1. */
int probe_ident_mgmt(const char *url, const char *credential, const char *device_id, const char *addr,
		     uint32_t channel, rtx_ident **out, struct probe_tune *t);

#endif
