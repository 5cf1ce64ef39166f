#!/bin/bash
# mgmt_tls: the API over TLS (libmicrohttpd with GnuTLS) when a certificate
# is configured: a box registers over https, plain http on that port gets
# no answer, and an unreadable key stops the start with a message.
set -u
. "${top_srcdir:-.}/tests/integration/mgmt_lib.sh"
command -v openssl >/dev/null || mg_skip "openssl is missing (to make a test certificate)"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
	-keyout "$MG_DIR/key.pem" -out "$MG_DIR/cert.pem" >/dev/null 2>&1 || mg_fail "openssl"

MG_HTTP="tls_cert = \"$MG_DIR/cert.pem\"; tls_key = \"$MG_DIR/key.pem\";"
MG_SCHEME=https
mg_start
register stb-tls "[2001:db8:1::1]:5100"
api_as "$TOK" POST "/clients/$CID/tune" '{"channel_id":1}'; expect 200 "tune over TLS"
curl -s -m 3 -o /dev/null "http://127.0.0.1:$MG_PORT/api/v1/channels" && mg_fail "plain HTTP answered on the TLS port"
grep -q "(TLS)" "$MG_DIR/server.log" || mg_fail "the server did not say it serves TLS"
mg_stop

MG_HTTP="tls_cert = \"$MG_DIR/cert.pem\"; tls_key = \"$MG_DIR/missing.pem\";"
mg_config >"$MG_DIR/mgmt.conf"
"$MG_SERVER" -c "$MG_DIR/mgmt.conf" >"$MG_DIR/bad.log" 2>&1 && mg_fail "started without its key"
grep -q "cannot read .*missing.pem" "$MG_DIR/bad.log" || mg_fail "no message about the key: $(cat "$MG_DIR/bad.log")"
echo "PASS: TLS"
