/* certcheck: check a member certificate of the management server's API
 * against its CA key, and print its fields, for the integration tests
 * (tests/integration/mgmt_api.sh) and for people.
 *
 *   certcheck CA_HEX CERT_HEX
 *
 * CA_HEX: the "ca" of a registration answer or GET /trust (64 hex);
 * CERT_HEX: a "cert" (256 hex). Prints one line
 *   kind=box id=3 serial=2749115649 issuer=6d1f03aa not_before_ms=... not_after_ms=... pub=<hex>
 * and exits 0 when the signature verifies under the CA key, 1 (with the
 * reason on stderr) when the certificate is malformed or does not verify,
 * 2 on bad usage. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "rtx_ident.h"

int main(int argc, char **argv)
{
	uint8_t ca[RTX_CA_PUB_BYTES], raw[RTX_CERT_BYTES];
	char pub[2 * RTX_PUB_BYTES + 1];
	struct rtx_cert c;

	if (argc != 3 || rtx_unhex(argv[1], ca, sizeof(ca)) < 0 ||
	    rtx_unhex(argv[2], raw, sizeof(raw)) < 0) {
		fprintf(stderr, "usage: certcheck CA_HEX(64) CERT_HEX(256)\n");
		return 2;
	}
	if (rtx_cert_decode(raw, sizeof(raw), &c) < 0) {
		fprintf(stderr, "certcheck: not a well-formed certificate\n");
		return 1;
	}
	rtx_hex(c.pub, sizeof(c.pub), pub);
	printf("kind=%s id=%u serial=%u issuer=%08x not_before_ms=%llu not_after_ms=%llu pub=%s\n",
	       c.kind == RTX_CERT_EDGE ? "edge" : "box", c.id, c.serial, c.issuer,
	       (unsigned long long)c.not_before_ms, (unsigned long long)c.not_after_ms, pub);
	if (rtx_cert_verify(&c, ca) < 0) {
		fprintf(stderr, "certcheck: the signature does not verify under this CA key\n");
		return 1;
	}
	return 0;
}
