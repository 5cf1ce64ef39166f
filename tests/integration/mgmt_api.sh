#!/bin/bash
# mgmt_api: drives sixcast-mgmt-server's API with curl, as boxes, an edge
# and the NOC would: registration, tune, heartbeat (with a long poll),
# leave, tracker peers; edge registration and load; the NOC's line-up,
# clients, groups, events, summaries, series, status and reload; /metrics;
# and bad input (malformed JSON, unknown fields, oversize bodies, bad
# tokens, wrong methods) answered 4xx with a message and changing nothing.
set -u
. "${top_srcdir:-.}/tests/integration/mgmt_lib.sh"

mg_start

# --- config checking names the bad line ---
printf 'auth = { admins = ( { name = "a"; token = "%s"; } );\n client_credential = "%s"; edge_credential = "%s"; };\ngrouping = { size = 12; };\n' \
	"$MG_ADMIN" "$MG_BOXCRED" "$MG_EDGECRED" >"$MG_DIR/bad.conf"
out="$("$MG_SERVER" --check-config "$MG_DIR/bad.conf" 2>&1)" && mg_fail "--check-config accepted size 12"
case "$out" in *bad.conf:3:*grouping.size*) ;; *) mg_fail "--check-config said: $out" ;; esac
"$MG_SERVER" --check-config "$MG_DIR/mgmt.conf" >/dev/null || mg_fail "--check-config refused the good config"
# The example names /etc/sixcast/secrets/: here, the test's files.
sed "s|/etc/sixcast/secrets/|$MG_DIR/secrets/|" "${top_srcdir:-.}/mgmt-server/sixcast-mgmt-server.conf.example" \
	>"$MG_DIR/example.conf"
"$MG_SERVER" --check-config "$MG_DIR/example.conf" >/dev/null || mg_fail "--check-config refused the example config"
# A placeholder (what the packages shipped until now) or a short secret
# is refused at its line, and so is a server started on it.
sed 's|client_credential_file = .*|client_credential = "CHANGE-ME-box-enrolment-secret";|' "$MG_DIR/mgmt.conf" \
	>"$MG_DIR/weak.conf"
line="$(grep -n CHANGE-ME "$MG_DIR/weak.conf" | cut -d: -f1)"
out="$("$MG_SERVER" --check-config "$MG_DIR/weak.conf" 2>&1)" && mg_fail "--check-config accepted a CHANGE-ME credential"
case "$out" in *"weak.conf:$line: 'auth.client_credential' is a placeholder"*) ;;
	*) mg_fail "--check-config on a CHANGE-ME credential said: $out" ;; esac
out="$(timeout 10 "$MG_SERVER" -c "$MG_DIR/weak.conf" 2>&1)" && mg_fail "the server started on a CHANGE-ME credential"
case "$out" in *"weak.conf:$line: "*placeholder*) ;; *) mg_fail "start on a CHANGE-ME credential said: $out" ;; esac
echo short >"$MG_DIR/short-token"
sed "s|secrets/admin-token|$MG_DIR/short-token|" "$MG_DIR/mgmt.conf" >"$MG_DIR/weak.conf"
out="$("$MG_SERVER" --check-config "$MG_DIR/weak.conf" 2>&1)" && mg_fail "--check-config accepted a short token"
case "$out" in *"weak.conf:"*"'auth.admins[0].token_file': the secret in $MG_DIR/short-token is too short"*"at least 24"*) ;;
	*) mg_fail "--check-config on a short token said: $out" ;; esac

# --- boxes ---
register stb-a "[2001:db8:1::a]:5100"; A=$CID; TA=$TOK
[ "$(jget 'j["metro"]')" = north ] || mg_fail "metro by prefix: $BODY"
register stb-b "[2001:db8:2::b]:5100"; B=$CID; TB=$TOK
register stb-c "10.3.0.12:5100"; C=$CID; TC=$TOK
[ "$(jget 'j["metro"]')" = east ] || mg_fail "IPv4 metro by prefix: $BODY"
register stb-d "[2001:db8:9::d]:5100" '"south"'; D=$CID; TD=$TOK
[ "$(jget 'j["metro_id"]')" = 2 ] || mg_fail "metro given by name: $BODY"
case "$TA" in "c$A."*) ;; *) mg_fail "token $TA does not name client $A" ;; esac

api_as "$TA" GET /channels; expect 200 "channel list"
[ "$(jget 'len(j)')" = 2 ] || mg_fail "two channels expected: $BODY"
[ "$(jget 'j[0]["group6"]')" = "ff3e::8000:1" ] || mg_fail "default group6: $BODY"

api_as "$TA" POST "/clients/$A/tune" '{"channel_id":1}'; expect 200 "tune A"
GV="$(jget 'j["group"]["version"]')"
[ "$(jget 'len(j["group"]["key"])')" = 64 ] || mg_fail "group key is not 64 hex: $BODY"
[ "$(jget 'j["ret"]["domain_id"]')" = 1 ] || mg_fail "RET domain: $BODY"
case "$(jget 'j["sdp"]')" in *"m=video 5000 RTP/AVP 33"*) ;; *) mg_fail "SDP: $BODY" ;; esac

# A long poll returns as soon as the group changes (B joins it).
t0=$(date +%s%N)
api_as "$TA" POST "/clients/$A/heartbeat?wait=4000" "{\"group_version\":$GV,\"channel_id\":1}" >"$MG_DIR/lp" &
lp=$!
sleep 0.3
api_as "$TB" POST "/clients/$B/tune" '{"channel_id":1}'; expect 200 "tune B"
wait $lp
t1=$(date +%s%N)
[ $(((t1 - t0) / 1000000)) -lt 3000 ] || mg_fail "the long poll did not return on the change"
api_as "$TA" POST "/clients/$A/heartbeat" "{\"group_version\":$GV}"; expect 200 "heartbeat A"
[ "$(jget 'len(j["group"]["members"])')" = 2 ] || mg_fail "A's group has not 2 members: $BODY"
GV="$(jget 'j["group"]["version"]')"
api_as "$TA" POST "/clients/$A/heartbeat" "{\"group_version\":$GV,\"stats\":{\"received\":1000,\"lost\":10,\"repaired_group\":9,\"unrepaired\":1,\"rtt\":[{\"client_id\":$B,\"ms\":1.5}]}}"
expect 200 "heartbeat with stats"
[ "$(jget '"group" in j')" = False ] || mg_fail "unchanged group sent again: $BODY"
# The box says it plays through the mesh: the NOC sees it, until it says otherwise.
api_as "$TA" POST "/clients/$A/heartbeat" "{\"group_version\":$GV,\"mode\":\"mesh\"}"; expect 200 "heartbeat in mesh mode"
api GET "/clients/$A"; expect 200 "A in mesh mode"
[ "$(jget 'j["mode"]')" = mesh ] || mg_fail "mode not shown: $BODY"
api_as "$TA" POST "/clients/$A/heartbeat" '{"mode":"carrier-pigeon"}'; expect 400 "bad mode"
api_as "$TA" POST "/clients/$A/heartbeat" "{\"group_version\":$GV,\"mode\":\"multicast\"}"; expect 200 "back on multicast"
api GET "/clients/$A"; expect 200 "A on multicast"
[ "$(jget 'j["mode"]')" = multicast ] || mg_fail "mode not back: $BODY"

api_as "$TC" POST "/clients/$C/tune" '{"channel_id":1}'; expect 200 "tune C"
api_as "$TD" POST "/clients/$D/tune" '{"channel_id":2}'; expect 200 "tune D"

# tracker
api_as "$TA" GET "/channels/1/peers"; expect 200 "peers"
[ "$(jget 'j["mode"]')" = edge ] || mg_fail "first asker not served by the edge: $BODY"
[ "$(jget 'len(j["near"]) + len(j["random"])')" = 2 ] || mg_fail "peers of A: $BODY"
[ "$(jget 'j["near"][0]["client_id"]')" = "$B" ] || mg_fail "B (measured 1.5 ms) not nearest: $BODY"
api_as "$TA" GET "/channels/1/peers?client_id=$B"; expect 403 "peers of another box"
api_as "$TD" GET "/channels/1/peers"; expect 409 "peers of a channel not watched"

# --- an edge ---
api_as "" POST /edges/register "{\"name\":\"edge-1\",\"credential\":\"$MG_EDGECRED\",\"addrs\":[\"2001:db8::1\",\"10.0.0.1\"],\"ret_addrs\":[\"[2001:db8::1]:5200\"],\"channels\":[{\"id\":1,\"direct_max\":1,\"sdp_url\":\"http://[2001:db8::1]:8081/1.sdp\"},{\"id\":77}]}"
expect 200 "edge register"
E=$(jget 'j["edge_id"]'); TE=$(jget 'j["token"]')
[ "$(jget 'len(j["channels"][0]["ret_key"])')" = 64 ] || mg_fail "RET key: $BODY"
[ "$(jget 'j["unknown_channels"]')" = "[77]" ] || mg_fail "unknown channel not reported: $BODY"
api_as "$TE" POST "/edges/$E/load" '{"bitrate_bps":8000000,"ret_clients":2,"channels":[{"id":1,"bitrate_bps":4000000}]}'
expect 200 "edge load"
api_as "$TE" GET "/edges/$E/channels"; expect 200 "edge channels"
api_as "$TB" POST "/clients/$B/tune" '{"channel_id":1}'; expect 200 "re-tune B"
[ "$(jget 'j["ret"]["addrs"][0]')" = "[2001:db8::1]:5200" ] || mg_fail "RET address: $BODY"
[ "$(jget 'j["channel"]["source6"]')" = "2001:db8::1" ] || mg_fail "SSM source from the edge: $BODY"
case "$(jget 'j["sdp"]')" in *"source-filter: incl IN IP6 ff3e::8000:1 2001:db8::1"*) ;; *) mg_fail "SDP source filter: $BODY" ;; esac
api_as "$TB" GET "/channels/1/peers"; expect 200 "peers of B"
[ "$(jget 'j["mode"]')" = mesh ] || mg_fail "past the edge's threshold (1) B should use the mesh: $BODY"
# the mesh's hosting node: the edge's RET port, its mesh id flag | edge id
[ "$(jget 'j["source"]["addrs"][0]')" = "[2001:db8::1]:5200" ] || mg_fail "mesh source address: $BODY"
[ "$(jget 'j["source"]["id"] == 0x80000000 | j["source"]["edge_id"]')" = True ] || mg_fail "mesh source id: $BODY"

# --- bad input changes nothing ---
api GET /summary; expect 200 summary; before="$(jget 'j["clients"]')"
api_as "" POST /clients/register '{"device_id":"stb-x","credential":"wrong","addrs":["[2001:db8:1::9]:5100"]}'; expect 401 "bad credential"
api_as "" POST /clients/register '{"device_id":"stb-x","credential":"'"$MG_BOXCRED"'","addrs":["[2001:db8:1::9]:5100"],"color":"red"}'; expect 400 "unknown field"
case "$BODY" in *'unknown field \"color\"'*) ;; *) mg_fail "unknown field message: $BODY" ;; esac
api_as "" POST /clients/register '{"device_id":"stb-x",'; expect 400 "malformed JSON"
api_as "" POST /clients/register '["not", "an object"]'; expect 400 "array body"
api_as "" POST /clients/register '{"device_id":"stb x","credential":"'"$MG_BOXCRED"'","addrs":["[2001:db8:1::9]:5100"]}'; expect 400 "bad device id"
api_as "" POST /clients/register '{"device_id":"stb-x","credential":"'"$MG_BOXCRED"'","addrs":["ff3e::1"]}'; expect 400 "multicast address"
big="$(head -c 6000 /dev/zero | tr '\0' 'x')"
api_as "" POST /clients/register "{\"device_id\":\"$big\"}"; expect 413 "oversize body"
api_as "bogus-token" POST "/clients/$A/tune" '{"channel_id":1}'; expect 401 "bad token"
api_as "$TB" POST "/clients/$A/tune" '{"channel_id":1}'; expect 403 "another box's token"
api_as "$TA" POST "/clients/$A/tune" '{"channel_id":99}'; expect 404 "unknown channel"
api_as "$TA" POST "/clients/$A/tune" '{"channel_id":"one"}'; expect 400 "channel_id as a string"
api_as "$TA" POST "/clients/$A/heartbeat" '{"stats":{"lost":-1}}'; expect 400 "negative counter"
api_as "$TA" GET /metros; expect 403 "a box on a NOC endpoint"
api_as "$TA" DELETE "/clients/$A/tune"; expect 405 "wrong method"
api_as "$TA" GET /nothing/here; expect 404 "unknown endpoint"
CODE=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $TA" -H 'Content-Type: text/plain' --data '{}' "http://127.0.0.1:$MG_PORT/api/v1/clients/$A/leave")
expect 415 "text/plain body"
api POST /channels '{"name":"Bad","group6":"2001:db8::1"}'; expect 400 "unicast group"
api POST /channels '{"id":1,"name":"Dup"}'; expect 409 "duplicate channel"
api POST /metros '{"name":"west","prefixes":["2001:db8:1::/48"]}'; expect 409 "prefix of another metro"
api POST /metros '{"name":"west","prefixes":["2001:db8:1::1/48"]}'; expect 400 "host bits set"
api GET /summary; expect 200 summary
[ "$(jget 'j["clients"]')" = "$before" ] || mg_fail "bad requests changed the clients: $before -> $BODY"

# --- the NOC ---
api GET /whoami; expect 200 whoami
[ "$(jget 'j["actor"]')" = "admin:noc" ] || mg_fail "whoami: $BODY"
api POST /metros '{"name":"west","prefixes":["2001:db8:4::/48","10.4.0.0/16"]}'; expect 201 "create metro"
W=$(jget 'j["id"]')
api PATCH "/metros/$W" '{"prefixes":["2001:db8:9::/48"]}'; expect 200 "change metro prefixes"
api GET "/clients/$D"; expect 200 "client D"
[ "$(jget 'j["metro"]')" = south ] || mg_fail "D was registered into south explicitly, then: $BODY"
api POST /channels '{"name":"Movies","port":5002}'; expect 201 "create channel"
M=$(jget 'j["id"]')
[ "$(jget 'j["group4"]')" = "232.1.0.$M" ] || mg_fail "default group4: $BODY"
api PATCH "/channels/$M" '{"name":"Movies HD","enabled":false}'; expect 200 "change channel"
api_as "$TA" POST "/clients/$A/tune" "{\"channel_id\":$M}"; expect 409 "tune to a disabled channel"
api PATCH "/channels/$M" '{"enabled":true,"group4":null}'; expect 200 "re-enable channel"
[ "$(jget 'j["group4"]')" = None ] || mg_fail "group4 not cleared: $BODY"
api GET /channels/1/groups; expect 200 "groups of channel 1"
G=$(jget 'j["groups"][0]["id"]')
api GET "/groups/$G"; expect 200 "group"
[ "$(jget 'j["distinct"]')" = True ] || mg_fail "group not cross-metro: $BODY"
api POST "/clients/$A/move" "{\"metro_id\":$W}"; expect 200 "move A to west"
[ "$(jget 'j["metro"]')" = west ] && [ "$(jget 'j["pinned"]')" = True ] || mg_fail "move: $BODY"
api POST "/clients/$A/move" '{"metro_id":1,"group_id":1}'; expect 400 "move with both"
api POST /channels/1/rebuild; expect 200 "rebuild"
[ "$(jget 'j["distinct_share"]')" = 1.0 ] || mg_fail "rebuild: $BODY"
api POST "/clients/$C/kick" '{"reason":"test"}'; expect 200 "kick C"
api_as "$TC" POST "/clients/$C/heartbeat" '{}'; expect 401 "kicked box's token"
register stb-c "10.3.0.12:5100"; [ "$CID" = "$C" ] || mg_fail "re-registration changed the id: $C -> $CID"
api PATCH "/clients/$C" '{"banned":true}'; expect 200 "ban C"
api_as "" POST /clients/register '{"device_id":"stb-c","credential":"'"$MG_BOXCRED"'","addrs":["10.3.0.12:5100"]}'; expect 403 "banned device"
api PATCH "/clients/$C" '{"banned":false}'; expect 200 "unban C"
register stb-c "10.3.0.12:5100"
api GET "/clients?channel=1"; expect 200 "clients of channel 1"
[ "$(jget 'j["total"]')" -ge 1 ] || mg_fail "client list: $BODY"
api GET "/clients?limit=1&offset=1"; expect 200 "client page"
[ "$(jget 'len(j["clients"])')" = 1 ] || mg_fail "paging: $BODY"
api GET /edges; expect 200 edges
[ "$(jget 'j[0]["live"]')" = True ] || mg_fail "edge not live: $BODY"
api GET "/events?limit=200"; expect 200 events
for t in client.register channel.create channel.update metro.create client.move client.kick client.ban client.unban channel.rebuild edge.register; do
	printf '%s' "$BODY" | grep -q "\"$t\"" || mg_fail "event $t missing"
done
[ "$(jget '[e["actor"] for e in j["events"] if e["type"]=="client.kick"][0]')" = admin:noc ] || mg_fail "kick actor"
api GET "/events?type=client.&limit=2"; expect 200 "events by type"
[ "$(jget 'len(j["events"])')" = 2 ] && [ "$(jget 'j["next_before"] is not None')" = True ] || mg_fail "event paging: $BODY"
api GET /summary/channels; expect 200 "channel summaries"
[ "$(jget '[c for c in j if c["channel_id"]==1][0]["totals"]["lost"]')" = 10 ] || mg_fail "loss summary: $BODY"
api GET /summary/metros; expect 200 "metro summaries"
api GET /summary/groups; expect 200 "group summary"
sleep 1.2
api GET "/series?channel=1"; expect 200 "series"
[ "$(jget '"points" in j')" = True ] || mg_fail "series: $BODY"
api GET /status; expect 200 status
api_as "" GET /metrics; expect 200 metrics
for m in sixcast_clients_registered 'sixcast_clients{channel="1",metro="south"}' sixcast_groups_distinct \
	'sixcast_packets_total{channel="1",kind="lost"} 10' sixcast_api_request_duration_seconds_bucket sixcast_loss_ratio; do
	printf '%s' "$BODY" | grep -qF "$m" || mg_fail "metric $m missing"
done

# --- reload: SIGHUP and the API ---
MG_EXTRA='clients = { heartbeat_ms = 3000; };'
mg_config >"$MG_DIR/mgmt.conf"
kill -HUP "$MG_PID"; sleep 0.3
api_as "$TA" POST "/clients/$A/heartbeat" '{}'; expect 200 "heartbeat after reload"
[ "$(jget 'j["heartbeat_ms"]')" = 3000 ] || mg_fail "SIGHUP did not apply: $BODY"
printf 'grouping = { size = 99; };\n' >>"$MG_DIR/mgmt.conf"
api POST /reload; expect 400 "reload of a bad config"
case "$BODY" in *mgmt.conf:*size*) ;; *) mg_fail "reload error without file:line: $BODY" ;; esac
kill -0 "$MG_PID" || mg_fail "the server died on a bad reload"

# --- leave, delete ---
api_as "$TB" POST "/clients/$B/leave"; expect 200 "leave"
api DELETE "/channels/$M"; expect 200 "delete channel"
api DELETE "/metros/$W"; expect 200 "delete metro"
api GET "/clients/$A"; expect 200 "A after its metro went"
[ "$(jget 'j["pinned"]')" = False ] || mg_fail "A still pinned to a deleted metro: $BODY"
api DELETE "/clients/$D"; expect 200 "delete D"
api_as "$TD" POST "/clients/$D/heartbeat" '{}'; expect 401 "deleted box"

# --- everything acknowledged survives a clean restart ---
mg_stop
mg_launch || mg_fail "restart"
api GET "/clients/$A"; expect 200 "A after restart"
[ "$(jget 'j["metro"]')" = north ] || mg_fail "A's metro after restart: $BODY"
api_as "$TA" POST "/clients/$A/heartbeat" '{"group_version":0,"channel_id":1}'; expect 200 "A's token after restart"
api GET /channels; expect 200
[ "$(jget 'len(j)')" = 2 ] || mg_fail "line-up after restart: $BODY"
echo "PASS: mgmt API"
