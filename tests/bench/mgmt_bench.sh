#!/bin/bash
# mgmt_bench: the management server's figures (issue 6), on loopback.
#
# Starts sixcast-mgmt-server with 10 metros and 100 channels, drives it with
# sixcast-mgmt-load (100,000 simulated boxes by default) and prints what was
# measured: registrations/s, tunes/s with tune-to-group latency p50/p99,
# heartbeats/s, server RSS per box, the share of groups whose members are
# all in different metros, and how a metro of 10,000 silent boxes is
# detected and regrouped. There is no reference tool for a grouping server;
# the targets of issue 6 are printed beside the figures.
#
#   tests/bench/mgmt_bench.sh [BUILD_DIR] [-- extra sixcast-mgmt-load options]
#   BOXES=20000 ZAP_RATE=10000 tests/bench/mgmt_bench.sh build
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
build="$(cd "${1:-$top/build}" && pwd)"
[ $# -gt 0 ] && shift
[ "${1:-}" = -- ] && shift
server="$build/mgmt-server/sixcast-mgmt-server"
load="$build/tests/bench/sixcast-mgmt-load"
[ -x "$server" ] && [ -x "$load" ] || { echo "build first: make -C $build" >&2; exit 1; }

BOXES="${BOXES:-100000}"
ZAP_RATE="${ZAP_RATE:-20000}"
HEARTBEAT_MS="${HEARTBEAT_MS:-5000}"
PORT="${PORT:-$((10000 + RANDOM % 20000))}"
dir="$(mktemp -d /tmp/sixcast-bench-XXXXXX)"
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

TOKEN=bench-4df59e2f7c922a262af0647ec706b580bacc5d1a
BOXCRED=box-762deaa5b20762f1468d88175cc0b40e07454e2a
{
	echo 'log_level = "notice";'
	echo "http = { listen = [ \"127.0.0.1:$PORT\" ]; connection_limit = 4096; per_address_limit = 0; };"
	echo "store = { path = \"$dir/mgmt.db\"; };"
	echo "auth = { admins = ( { name = \"bench\"; token = \"$TOKEN\"; } );"
	echo "  client_credential = \"$BOXCRED\"; edge_credential = \"edge-ed7325efa43ed5d62efe2af951fa8ed324aabf17\"; };"
	echo "clients = { heartbeat_ms = $HEARTBEAT_MS; missed_heartbeats = 3; };"
	echo "grouping = { size = 5; metro_silence_ms = $((HEARTBEAT_MS * 6 / 5)); };"
	echo 'lineup = { metros = ('
	for m in $(seq 1 10); do
		printf '  { id = %d; name = "metro%d"; prefixes = [ "2001:db8:%x::/48" ]; }%s\n' \
			"$m" "$m" "$m" "$([ "$m" = 10 ] || echo ,)"
	done
	echo '); channels = ('
	for c in $(seq 1 100); do
		printf '  { id = %d; name = "Channel %d"; }%s\n' "$c" "$c" "$([ "$c" = 100 ] || echo ,)"
	done
	echo '); };'
} >"$dir/bench.conf"

"$server" -c "$dir/bench.conf" 2>"$dir/server.log" &
pid=$!
for _ in $(seq 50); do
	curl -s -o /dev/null "http://127.0.0.1:$PORT/metrics" && break
	sleep 0.1
done
echo "== sixcast-mgmt-server on 127.0.0.1:$PORT, $(nproc) cores, store $dir/mgmt.db (sync full)"
"$load" --server "127.0.0.1:$PORT" --admin "$TOKEN" --credential "$BOXCRED" \
	--boxes "$BOXES" --zap-rate "$ZAP_RATE" "$@"
echo "== targets (issue 6): >= 20000 tunes/s with p99 <= 10 ms; <= 2048 bytes RSS per box;"
echo "   distinct-metro share >= 0.99; metro regrouped within 1 s of detection"
grep -E "warning|err" "$dir/server.log" | tail -5 || true
