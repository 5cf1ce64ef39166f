# shellcheck shell=bash
# mgmt_lib: start sixcast-mgmt-server on loopback for a test and talk to it
# with curl. The API is the control plane, not the multicast path, so these
# tests need neither root nor the namespace lab.
#
#   . tests/integration/mgmt_lib.sh
#   mgmt_start [EXTRA_CONFIG_TEXT]   # temp dir, random port, waits until it answers
#   api POST /clients/register '{"device_id":...}'   # -> $BODY and $CODE
#   api_as TOKEN GET /channels
#   expect 200 "what"                # fails the test unless $CODE is 200
#   mgmt_stop                        # SIGTERM, waits; mgmt_kill9 for kill -9
# Everything is removed at exit.

MG_BUILD="${top_builddir:-.}"
MG_SERVER="$MG_BUILD/mgmt-server/sixcast-mgmt-server"
MG_LOAD="$MG_BUILD/tests/bench/sixcast-mgmt-load"
MG_CERTCHECK="$MG_BUILD/tests/tools/certcheck"
# Random-looking, as the daemons refuse placeholders and short secrets.
MG_ADMIN="noc-cce68f9c55d62a60fca33da62ddfc20665056d1b"
MG_BOXCRED="box-7d251e6e1c6899be1354240a9d3504d90ec23664"
MG_EDGECRED="edge-e4cc743b702828165f93f8c34261a346a612b1a4"
MG_DIR="$(mktemp -d /tmp/sixcast-mgmt-test-XXXXXX)"
MG_PID=""
MG_PORT=""
MG_EXTRA=""
MG_HTTP=""      # more settings for the http section (TLS)
MG_SCHEME=http
BODY=""
CODE=""

mg_fail() { printf 'FAIL: %s\n' "$*" >&2; [ -f "$MG_DIR/server.log" ] && tail -n 20 "$MG_DIR/server.log" >&2; exit 1; }
mg_skip() { printf 'SKIP: %s\n' "$*" >&2; exit 77; }

mg_cleanup() {
	local rc=$?
	if [ -n "$MG_PID" ] && kill -0 "$MG_PID" 2>/dev/null; then
		kill "$MG_PID" 2>/dev/null
		wait "$MG_PID" 2>/dev/null
		if [ "$rc" = 0 ] && grep -q "Sanitizer" "$MG_DIR/server.log"; then
			grep -A30 "Sanitizer" "$MG_DIR/server.log" >&2
			rc=1
		fi
	fi
	rm -rf "$MG_DIR"
	exit "$rc"
}
trap mg_cleanup EXIT

[ -x "$MG_SERVER" ] || { echo "sixcast-mgmt-server not built" >&2; exit 99; }
command -v curl >/dev/null || mg_skip "curl is missing"

# The config: loopback on $MG_PORT, the store in the temp dir, the
# secrets in files beside it (as the packages keep them), a line-up
# (MG_LINEUP, else three metros and two channels), plus whatever the test
# adds ($1 of mg_start, appended).
mg_config() {
	mkdir -p "$MG_DIR/secrets"
	echo "$MG_ADMIN" >"$MG_DIR/secrets/admin-token"
	echo "$MG_BOXCRED" >"$MG_DIR/secrets/box-enrolment"
	echo "$MG_EDGECRED" >"$MG_DIR/secrets/edge-enrolment"
	cat <<EOF
log_level = "info";
http = { listen = [ "127.0.0.1:$MG_PORT", "[::1]:$MG_PORT" ]; max_body = 4096; long_poll_max_ms = 5000; $MG_HTTP };
store = { path = "$MG_DIR/mgmt.db"; flush_ms = 200; };
auth = {
  admins = ( { name = "noc"; token_file = "secrets/admin-token"; } );
  client_credential_file = "secrets/box-enrolment";
  edge_credential_file = "$MG_DIR/secrets/edge-enrolment";
};
${MG_LINEUP:-$MG_DEFAULT_LINEUP}
$MG_EXTRA
EOF
}

# Three metros and two channels, unless a test sets MG_LINEUP.
MG_DEFAULT_LINEUP='lineup = {
  metros = (
    { id = 1; name = "north"; prefixes = [ "2001:db8:1::/48", "10.1.0.0/16" ]; },
    { id = 2; name = "south"; prefixes = [ "2001:db8:2::/48", "10.2.0.0/16" ]; },
    { id = 3; name = "east";  prefixes = [ "2001:db8:3::/48", "10.3.0.0/16" ]; }
  );
  channels = ( { id = 1; name = "News 24"; }, { id = 2; name = "Sport"; } );
};'
MG_LINEUP=""

# mg_launch: (re)start the server with the current config; keeps the port.
mg_launch() {
	mg_config >"$MG_DIR/mgmt.conf"
	"$MG_SERVER" -c "$MG_DIR/mgmt.conf" >>"$MG_DIR/server.log" 2>&1 &
	MG_PID=$!
	# Until it answers (a busy machine is slow: 60 s is only a guard) or dies.
	local end=$((SECONDS + 60))
	while [ "$SECONDS" -lt "$end" ]; do
		curl -sk -o /dev/null "$MG_SCHEME://127.0.0.1:$MG_PORT/metrics" && return 0
		kill -0 "$MG_PID" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# A port below the kernel's ephemeral range, so that no client connection
# (and the load generator makes many) takes it while the server restarts.
mg_pick_port() {
	local low
	low=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
	[ "$low" -gt 12000 ] || low=32768
	MG_PORT=$((10000 + RANDOM % (low - 11000)))
}

mg_start() {
	MG_EXTRA="${1:-}"
	for _ in 1 2 3 4 5; do
		mg_pick_port
		mg_launch && return 0
		grep -q "Address already in use" "$MG_DIR/server.log" 2>/dev/null || break
	done
	mg_fail "the server did not start"
}

# A clean stop; a sanitizer build's report in the log fails the test.
mg_stop() {
	kill "$MG_PID"
	wait "$MG_PID" 2>/dev/null
	MG_PID=""
	if grep -q "Sanitizer" "$MG_DIR/server.log"; then
		grep -A30 "Sanitizer" "$MG_DIR/server.log" >&2
		mg_fail "the sanitizer found a problem"
	fi
}

mg_kill9() {
	kill -9 "$MG_PID"
	wait "$MG_PID" 2>/dev/null
	MG_PID=""
}

# api_as TOKEN METHOD PATH [BODY]: sets BODY and CODE.
api_as() {
	local tok="$1" method="$2" path="$3" data="${4:-}" out
	local args=(-sk -m 10 -X "$method" -w '\n%{http_code}')

	[ -n "$tok" ] && args+=(-H "Authorization: Bearer $tok")
	[ -n "$data" ] && args+=(-H "Content-Type: application/json" --data-binary "$data")
	case "$path" in
	/metrics | /*.html | /) out="$(curl "${args[@]}" "$MG_SCHEME://127.0.0.1:$MG_PORT$path")" ;;
	*) out="$(curl "${args[@]}" "$MG_SCHEME://127.0.0.1:$MG_PORT/api/v1$path")" ;;
	esac
	CODE="${out##*$'\n'}"
	BODY="${out%$'\n'*}"
}

# api METHOD PATH [BODY]: as the NOC.
api() { api_as "$MG_ADMIN" "$@"; }

expect() {
	[ "$CODE" = "$1" ] || mg_fail "${2:-request}: HTTP $CODE, wanted $1: $BODY"
}

# jget EXPR: a value out of $BODY (python3 expression on j).
jget() { printf '%s' "$BODY" | python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"; }

# register DEVICE ADDR [METRO] [PUBKEY]: sets CID and TOK, and with a
# public key CERT (its certificate; "" without) and CA (the CA key).
register() {
	local metro="" key=""
	[ -n "${3:-}" ] && metro=",\"metro\":$3"
	[ -n "${4:-}" ] && key=",\"pubkey\":\"$4\""
	api_as "" POST /clients/register \
		"{\"device_id\":\"$1\",\"credential\":\"$MG_BOXCRED\",\"addrs\":[\"$2\"]$metro$key}"
	expect 200 "register $1"
	read -r CID TOK CERT CA < <(jget 'j["client_id"], j["token"], j.get("cert") or "-", j["ca"]')
	[ "$CERT" = - ] && CERT=""
	return 0
}

# jtrue WHAT EXPR: fails the test unless EXPR (python3 on j, the JSON of
# $BODY) is true. One interpreter for many conditions.
jtrue() { [ "$(jget "bool($2)")" = True ] || mg_fail "$1: $BODY"; }

# newkey: a public key for a box or an edge to send (32 random bytes in
# hex: the server certifies what it is given; daemons send X25519 keys).
newkey() { python3 -c 'import os; print(os.urandom(32).hex())'; }

# cert_ok CA CERT [WHAT]: fails the test unless CERT verifies under CA;
# its fields go to CERTF ("kind=box id=3 serial=... pub=...").
cert_ok() {
	[ -x "$MG_CERTCHECK" ] || mg_fail "tests/tools/certcheck not built"
	CERTF="$("$MG_CERTCHECK" "$1" "$2")" || mg_fail "${3:-certificate} does not verify under the CA: $2"
}
# certf FIELD: a field of CERTF.
certf() { printf '%s\n' "$CERTF" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# mg_wait WHAT TRIES CMD...: run CMD until it succeeds, 50 ms apart: a
# wait for an event, not for a time.
mg_wait() {
	local what="$1" n="$2"
	shift 2
	for _ in $(seq "$n"); do
		"$@" && return 0
		sleep 0.05
	done
	mg_fail "timed out waiting for $what (last answer: HTTP $CODE $BODY)"
}
