#!/bin/bash
# console_browser: the NOC console in headless Chromium. Starts the
# management server on loopback with the console's files, seeds metros,
# channels, an edge and boxes through the API, then runs
# tests/browser/console_test.mjs (playwright-core): sign in, every view
# shows the seeded data, a client moved and a channel rebuilt through the
# UI (checked through the API), a refusal shown with the server's message,
# a 401 signs out. SKIP (77) without chromium or tests/browser/node_modules
# (./run deps installs them).
set -u
. "${top_srcdir:-.}/tests/integration/mgmt_lib.sh"

BROWSER_DIR="${top_srcdir:-.}/tests/browser"
CONSOLE_DIR="$(cd "${top_srcdir:-.}/mgmt-server/console" && pwd)"
CHROMIUM="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}"
[ -n "$CHROMIUM" ] || mg_skip "chromium is missing (apt-get install chromium)"
command -v node >/dev/null || mg_skip "node is missing (apt-get install nodejs npm)"
[ -d "$BROWSER_DIR/node_modules/playwright-core" ] || mg_skip "tests/browser/node_modules is missing (./run deps)"
command -v python3 >/dev/null || mg_skip "python3 is missing"

# The server with the console's files from the source tree.
REAL_SERVER="$MG_SERVER"
MG_SERVER="$MG_DIR/server-with-console"
printf '#!/bin/sh\nexec "%s" --console "%s" "$@"\n' "$REAL_SERVER" "$CONSOLE_DIR" >"$MG_SERVER"
chmod +x "$MG_SERVER"
# Boxes and the edge report once; long periods keep them live however slow
# the machine (a loaded CI runner) makes the test.
mg_start 'clients = { heartbeat_ms = 600000; }; edges = { report_ms = 600000; };'

api_as "" GET / ; expect 200 "the console's index.html"
case "$BODY" in *"sixcast NOC"*) ;; *) mg_fail "GET / is not the console: $BODY" ;; esac

# --- seed: a fourth metro, a third channel, an edge, boxes in every metro ---
api POST /metros '{"name":"west","prefixes":["2001:db8:4::/48","10.4.0.0/16"]}'; expect 201 "metro west"
WEST=$(jget 'j["id"]')
api POST /channels '{"name":"Kids","port":5002}'; expect 201 "channel Kids"
api_as "" POST /edges/register "{\"name\":\"edge-paris-1\",\"credential\":\"$MG_EDGECRED\",\"addrs\":[\"2001:db8::10\",\"10.0.0.10\"],\"ret_addrs\":[\"[2001:db8::10]:5200\"],\"channels\":[{\"id\":1},{\"id\":2}]}"
expect 200 "edge register"
E=$(jget 'j["edge_id"]'); TE=$(jget 'j["token"]')
api_as "$TE" POST "/edges/$E/load" '{"bitrate_bps":16000000,"ret_clients":3,"burst_clients":1,"cpu_percent":12.5}'
expect 200 "edge load"
first=""
for i in $(seq 1 12); do
	m=$((i % 4 + 1))
	if [ "$m" = 4 ]; then addr="[2001:db8:4::$i]:5100"; else addr="[2001:db8:$m::$i]:5100"; fi
	register "stb-browser-$i" "$addr"
	[ -n "$first" ] || { first=$CID; FIRST_METRO=$(jget 'j["metro_id"]'); }
	ch=$((i % 2 + 1))
	api_as "$TOK" POST "/clients/$CID/tune" "{\"channel_id\":$ch}"; expect 200 "tune $i"
	api_as "$TOK" POST "/clients/$CID/heartbeat" "{\"channel_id\":$ch,\"stats\":{\"received\":$((i * 1000)),\"lost\":$i,\"repaired_group\":$i}}"
	expect 200 "heartbeat $i"
done
# The client to move (charts: 3 channels + 4 metros) goes to a metro it is not in.
TO=$WEST; TO_NAME=west
[ "$FIRST_METRO" = "$WEST" ] && { TO=1; TO_NAME=north; }

SEED=$(cat <<EOF
{"move_client": $first, "charts": 7, "to_metro": $TO, "to_metro_name": "$TO_NAME", "rebuild_channel": 1,
 "expect": {
  "overview": ["Clients live", "12", "north", "south", "east", "west", "News 24", "Kids"],
  "channels": ["News 24", "Sport", "Kids", "ff3e::8000:1", "232.1.0.2", "2001:db8::10"],
  "metros": ["north", "west", "2001:db8:4::/48", "10.3.0.0/16"],
  "clients": ["stb-browser-1", "stb-browser-12", "of 12"],
  "groups": ["distinct", "north", "south"],
  "edges": ["edge-paris-1", "16.0 Mb/s", "[2001:db8::10]:5200"],
  "charts": ["Channel 1 News 24", "Metro west"],
  "events": ["client.register", "edge.register", "metro.create", "admin:noc"]
 }}
EOF
)

t0=$(date +%s%N)
SIXCAST_URL="http://127.0.0.1:$MG_PORT" SIXCAST_TOKEN="$MG_ADMIN" SEED="$SEED" CHROMIUM="$CHROMIUM" \
	timeout 120 node "$BROWSER_DIR/console_test.mjs" || mg_fail "the browser test failed"
echo "console_browser: browser part took $((($(date +%s%N) - t0) / 1000000)) ms"

# What the UI did, as the API sees it.
api GET "/clients/$first"
[ "$(jget 'j["metro_id"]')" = "$TO" ] && [ "$(jget 'j["pinned"]')" = True ] || mg_fail "client $first not moved: $BODY"
api GET "/events?type=client.move&subject=client:$first"
[ "$(jget 'j["events"][0]["actor"]')" = "admin:noc" ] || mg_fail "no move event by the NOC: $BODY"
api GET "/events?type=channel.rebuild"
[ "$(jget 'len(j["events"])')" -ge 1 ] || mg_fail "no rebuild event: $BODY"

mg_stop
echo "console_browser: ok"
