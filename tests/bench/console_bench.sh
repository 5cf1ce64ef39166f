#!/bin/bash
# console_bench: the NOC console's figures with 100,000 boxes in the store
# (issue 6, item 5): first paint, the overview with its data, the clients
# view's pages (first, next, near the end, filtered) and the groups view,
# in headless Chromium (playwright-core, tests/browser). The store is
# filled by sixcast-mgmt-load (register and tune phases, 10 metros, 100
# channels); heartbeats are set long so the boxes stay live while measured.
# No reference tool: a page render is compared with the API call under it
# (curl, same page), printed beside.
#
#   tests/bench/console_bench.sh [BUILD_DIR]
#   BOXES=20000 RUNS=5 tests/bench/console_bench.sh build
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
build="$(cd "${1:-$top/build}" && pwd)"
server="$build/mgmt-server/sixcast-mgmt-server"
load="$build/tests/bench/sixcast-mgmt-load"
[ -x "$server" ] && [ -x "$load" ] || { echo "build first: make -C $build" >&2; exit 1; }
[ -d "$top/tests/browser/node_modules/playwright-core" ] || { echo "run ./run deps first (npm ci in tests/browser)" >&2; exit 1; }
CHROMIUM="${CHROMIUM:-$(command -v chromium || true)}"
[ -n "$CHROMIUM" ] || { echo "chromium is missing: apt-get install chromium" >&2; exit 1; }

BOXES="${BOXES:-100000}"
PORT="${PORT:-$((10000 + RANDOM % 20000))}"
TOKEN=bench-2315b7fd62ff6773ce0acc597b499fcc7e659817
BOXCRED=box-2add7bcb8ff177064be506e26ed7a562f55a3147
dir="$(mktemp -d /tmp/sixcast-console-bench-XXXXXX)"
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

{
	echo 'log_level = "notice";'
	echo "http = { listen = [ \"127.0.0.1:$PORT\" ]; connection_limit = 4096; per_address_limit = 0; };"
	echo "store = { path = \"$dir/mgmt.db\"; };"
	echo "auth = { admins = ( { name = \"bench\"; token = \"$TOKEN\"; } );"
	echo "  client_credential = \"$BOXCRED\"; edge_credential = \"edge-2b79732f6e6e34829892e38acdcebc738c882cd8\"; };"
	echo 'clients = { heartbeat_ms = 600000; missed_heartbeats = 3; };'
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

"$server" -c "$dir/bench.conf" --console "$top/mgmt-server/console" 2>"$dir/server.log" &
pid=$!
for _ in $(seq 50); do
	curl -s -o /dev/null "http://127.0.0.1:$PORT/metrics" && break
	sleep 0.1
done
echo "== filling the store: $BOXES boxes registered and tuned (sixcast-mgmt-load)"
"$load" --server "127.0.0.1:$PORT" --admin "$TOKEN" --credential "$BOXCRED" \
	--boxes "$BOXES" --phases register,tune | grep -E "register|tune" | head -4

api_ms() { # the API call under a view, median of 7 (curl's total time)
	for _ in 1 2 3 4 5 6 7; do
		curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1$1"
	done | sort -n | awk 'NR == 4 { printf "%.1f", $1 * 1000 }'
}
SIXCAST_URL="http://127.0.0.1:$PORT" SIXCAST_TOKEN="$TOKEN" CHROMIUM="$CHROMIUM" RUNS="${RUNS:-7}" \
	node "$top/tests/browser/console_bench.mjs"
echo "== the API calls under them (curl, median of 7): /summary $(api_ms /summary) ms," \
	"/clients first page $(api_ms '/clients?limit=100') ms," \
	"near the end $(api_ms "/clients?limit=100&offset=$((BOXES - 100))") ms," \
	"/groups first page $(api_ms '/groups?limit=100') ms"
