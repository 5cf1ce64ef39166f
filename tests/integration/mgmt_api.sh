#!/bin/bash
# mgmt_api: drives sixcast-mgmt-server's API with curl, as boxes, an edge
# and the NOC would: registration, tune, heartbeat (with a long poll),
# leave, tracker peers; edge registration and load; the NOC's line-up,
# clients, groups, events, summaries, series, status and reload; /metrics;
# member certificates (checked under the CA key by tests/tools/certcheck),
# their renewal, and revocations reaching the other boxes (a long poll
# too); and bad input (malformed JSON, unknown fields, oversize bodies,
# bad tokens and keys, wrong methods) answered 4xx with a message and
# changing nothing. Waits are for events, never for a time.
set -u
. "${top_srcdir:-.}/tests/integration/mgmt_lib.sh"

# Boxes and edges of this test speak only when the test says so, which on
# a busy machine may be seconds apart: they are given 100 s before they
# count as gone (no step here is about timeouts; mgmt_outage.sh is).
SLOW='clients = { missed_heartbeats = 20; }; edges = { missed_reports = 20; };'
mg_start "$SLOW"

# --- config checking names the bad line ---
printf 'auth = { admins = ( { name = "a"; token = "%s"; } );\n client_credential = "%s"; edge_credential = "%s"; };\ngrouping = { size = 12; };\n' \
	"$MG_ADMIN" "$MG_BOXCRED" "$MG_EDGECRED" >"$MG_DIR/bad.conf"
out="$("$MG_SERVER" --check-config "$MG_DIR/bad.conf" 2>&1)" && mg_fail "--check-config accepted size 12"
case "$out" in *bad.conf:3:*grouping.size*) ;; *) mg_fail "--check-config said: $out" ;; esac
printf 'auth = { admins = ( { name = "a"; token = "%s"; } );\n client_credential = "%s"; edge_credential = "%s"; };\ntrust = {\n  cert_lifetime_s = 60; };\n' \
	"$MG_ADMIN" "$MG_BOXCRED" "$MG_EDGECRED" >"$MG_DIR/bad.conf"
out="$("$MG_SERVER" --check-config "$MG_DIR/bad.conf" 2>&1)" && mg_fail "--check-config accepted a lifetime of 60 s"
case "$out" in *bad.conf:4:*trust.cert_lifetime_s*600*) ;; *) mg_fail "--check-config said: $out" ;; esac
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

# --- boxes (a, b, c with their own keys; d as an old box without) ---
KA=$(newkey); KB=$(newkey); KC=$(newkey)
register stb-a "[2001:db8:1::a]:5100" "" "$KA"; A=$CID; TA=$TOK
jtrue "metro by prefix, certificate lifetime" 'j["metro"] == "north" and j["cert_lifetime_ms"] == 86400000'
cert_ok "$CA" "$CERT" "A's certificate"; CA0=$CA
[ "$(certf kind) $(certf id) $(certf pub)" = "box $A $KA" ] || mg_fail "A's certificate: $CERTF"
[ $(($(certf not_after_ms) - $(certf not_before_ms))) = 86400000 ] || mg_fail "A's validity: $CERTF"
register stb-b "[2001:db8:2::b]:5100" "" "$KB"; B=$CID; TB=$TOK
cert_ok "$CA0" "$CERT" "B's certificate"
register stb-c "10.3.0.12:5100" "" "$KC"; C=$CID; TC=$TOK
[ "$(jget 'j["metro"]')" = east ] || mg_fail "IPv4 metro by prefix: $BODY"
cert_ok "$CA0" "$CERT" "C's certificate"; NBC=$(certf not_before_ms)
register stb-d "[2001:db8:9::d]:5100" '"south"'; D=$CID; TD=$TOK
[ -z "$CERT" ] && [ "$CA" = "$CA0" ] || mg_fail "a box without a key got a certificate: $BODY"
jtrue "metro given by name" 'j["metro_id"] == 2'
case "$TA" in "c$A."*) ;; *) mg_fail "token $TA does not name client $A" ;; esac

api_as "$TA" GET /channels; expect 200 "channel list"
[ "$(jget 'len(j)')" = 2 ] || mg_fail "two channels expected: $BODY"
[ "$(jget 'j[0]["group6"]')" = "ff3e::8000:1" ] || mg_fail "default group6: $BODY"

api_as "$TA" POST "/clients/$A/tune" '{"channel_id":1}'; expect 200 "tune A"
GV="$(jget 'j["group"]["version"]')"
[ "$(jget 'len(j["group"]["key"])')" = 64 ] || mg_fail "group key is not 64 hex: $BODY"
[ "$(jget 'j["ret"]["domain_id"]')" = 1 ] || mg_fail "RET domain: $BODY"
case "$(jget 'j["sdp"]')" in *"m=video 5000 RTP/AVP 33"*) ;; *) mg_fail "SDP: $BODY" ;; esac

cert_ok "$CA0" "$(jget 'j["group"]["members"][0]["cert"]')" "A's certificate in its group"
# long_polls N: the server holds N long polls now.
long_polls() { api GET /status; [ "$(jget 'j["http"]["long_polls"]')" = "$1" ]; }

# A long poll returns as soon as the group changes (B joins it).
t0=$(date +%s%N)
api_as "$TA" POST "/clients/$A/heartbeat?wait=4000" "{\"group_version\":$GV,\"channel_id\":1}" >"$MG_DIR/lp" &
lp=$!
mg_wait "A's long poll (B joins)" 100 long_polls 1
api_as "$TB" POST "/clients/$B/tune" '{"channel_id":1}'; expect 200 "tune B"
wait $lp
t1=$(date +%s%N)
[ $(((t1 - t0) / 1000000)) -lt 3000 ] || mg_fail "the long poll did not return on the change"
api_as "$TA" POST "/clients/$A/heartbeat" "{\"group_version\":$GV}"; expect 200 "heartbeat A"
jtrue "A's group of 2, no revocations, no new certificate" \
	'len(j["group"]["members"]) == 2 and j["revoked"] == [] and "cert" not in j'
read -r GV M0 I0 M1 I1 < <(jget 'j["group"]["version"], *[x for m in j["group"]["members"] for x in (m["cert"], m["client_id"])]')
cert_ok "$CA0" "$M0" "member 0's certificate"; [ "$(certf id)" = "$I0" ] || mg_fail "member 0: $CERTF"
cert_ok "$CA0" "$M1" "member 1's certificate"; [ "$(certf id)" = "$I1" ] || mg_fail "member 1: $CERTF"

# Renewal: a new key gets a certificate at once; the same key again does not.
KA2=$(newkey)
api_as "$TA" POST "/clients/$A/heartbeat" "{\"group_version\":$GV,\"pubkey\":\"$KA2\"}"; expect 200 "A's new key"
cert_ok "$CA0" "$(jget 'j["cert"]')" "A's renewed certificate"
[ "$(certf id) $(certf pub)" = "$A $KA2" ] || mg_fail "A's renewed certificate: $CERTF"
SA=$(certf serial)
api_as "$TA" POST "/clients/$A/heartbeat?wait=50" "{\"group_version\":$GV,\"pubkey\":\"$KA2\"}"; expect 200 "A's key again"
jtrue "the same key certified again" '"cert" not in j'
api GET "/clients/$A"; expect 200 "A with its certificate"
jtrue "A's certificate in its record" "j['cert_serial'] == $SA and j['cert_not_after_ms'] == $(certf not_after_ms)"
api GET "/clients/$D"; expect 200 "D without a certificate"
jtrue "D's certificate" 'j["cert_serial"] is None and j["cert_not_after_ms"] is None'
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
read -r NB NC < <(jget 'j["near"][0]["client_id"], j["near"][0]["cert"]')
[ "$NB" = "$B" ] || mg_fail "B (measured 1.5 ms) not nearest: $BODY"
cert_ok "$CA0" "$NC" "B's certificate in the tracker's answer"
[ "$(certf id) $(certf pub)" = "$B $KB" ] || mg_fail "B's certificate from the tracker: $CERTF"
api_as "$TA" GET "/channels/1/peers?client_id=$B"; expect 403 "peers of another box"
api_as "$TD" GET "/channels/1/peers"; expect 409 "peers of a channel not watched"

# --- an edge, with its own key ---
KE=$(newkey)
api_as "" POST /edges/register "{\"name\":\"edge-1\",\"credential\":\"$MG_EDGECRED\",\"addrs\":[\"2001:db8::1\",\"10.0.0.1\"],\"ret_addrs\":[\"[2001:db8::1]:5200\"],\"channels\":[{\"id\":1,\"direct_max\":1,\"sdp_url\":\"http://[2001:db8::1]:8081/1.sdp\"},{\"id\":77}],\"pubkey\":\"$KE\"}"
expect 200 "edge register"
read -r E TE CE < <(jget 'j["edge_id"], j["token"], j["cert"]')
jtrue "RET key, unknown channel, CA" \
	"len(j['channels'][0]['ret_key']) == 64 and j['unknown_channels'] == [77] and j['ca'] == '$CA0'"
cert_ok "$CA0" "$CE" "the edge's certificate"
[ "$(certf kind) $(certf id) $(certf pub)" = "edge $((0x80000000 | E)) $KE" ] || mg_fail "the edge's certificate: $CERTF"
# A is a box that heartbeats (and keeps its direct slot of the tracker).
api_as "$TA" POST "/clients/$A/heartbeat" "{\"group_version\":$GV}"; expect 200 "A heartbeats"
api_as "$TE" POST "/edges/$E/load" '{"bitrate_bps":8000000,"ret_clients":2,"channels":[{"id":1,"bitrate_bps":4000000}]}'
expect 200 "edge load"
jtrue "load answer" 'j["revoked"] == [] and "cert" not in j'
KE2=$(newkey)
api_as "$TE" POST "/edges/$E/load" "{\"bitrate_bps\":8000000,\"pubkey\":\"$KE2\"}"; expect 200 "edge load with a new key"
cert_ok "$CA0" "$(jget 'j["cert"]')" "the edge's renewed certificate"
[ "$(certf pub)" = "$KE2" ] || mg_fail "the edge's renewed certificate: $CERTF"
SE=$(certf serial)
api GET "/edges/$E"; expect 200 "the edge's record"
jtrue "edge record" "j['cert_serial'] == $SE and 'pubkey' not in j['load']"
api_as "$TE" GET "/edges/$E/channels"; expect 200 "edge channels"
api_as "$TB" POST "/clients/$B/tune" '{"channel_id":1}'; expect 200 "re-tune B"
[ "$(jget 'j["ret"]["addrs"][0]')" = "[2001:db8::1]:5200" ] || mg_fail "RET address: $BODY"
jtrue "RET and burst servers" "all(len(j[s]['servers']) == 1 and [j[s]['servers'][0][k] for k in ('edge_id', 'id', 'addrs')] == [$E, 0x80000000 | $E, ['[2001:db8::1]:5200']] for s in ('ret', 'burst'))"
read -r RS BS < <(jget 'j["ret"]["servers"][0]["cert"], j["burst"]["servers"][0]["cert"]')
cert_ok "$CA0" "$BS" "the edge's certificate in burst"; [ "$(certf serial)" = "$SE" ] || mg_fail "burst: $CERTF"
cert_ok "$CA0" "$RS" "the edge's certificate in ret"; [ "$(certf serial)" = "$SE" ] || mg_fail "ret: $CERTF"
[ "$(jget 'j["channel"]["source6"]')" = "2001:db8::1" ] || mg_fail "SSM source from the edge: $BODY"
case "$(jget 'j["sdp"]')" in *"source-filter: incl IN IP6 ff3e::8000:1 2001:db8::1"*) ;; *) mg_fail "SDP source filter: $BODY" ;; esac
api_as "$TB" GET "/channels/1/peers"; expect 200 "peers of B"
[ "$(jget 'j["mode"]')" = mesh ] || mg_fail "past the edge's threshold (1) B should use the mesh: $BODY"
# the mesh's hosting node: the edge's RET port, its mesh id flag | edge id
[ "$(jget 'j["source"]["addrs"][0]')" = "[2001:db8::1]:5200" ] || mg_fail "mesh source address: $BODY"
[ "$(jget 'j["source"]["id"] == 0x80000000 | j["source"]["edge_id"]')" = True ] || mg_fail "mesh source id: $BODY"
cert_ok "$CA0" "$(jget 'j["source"]["cert"]')" "the mesh source's certificate"
api_as "$TE" GET /trust; expect 200 "trust as the edge"
jtrue "GET /trust" "j['ca'] == '$CA0' and '%08x' % j['ca_key_id'] == '$(certf issuer)' and j['cert_lifetime_ms'] == 86400000 and j['revoked'] == []"
api_as "" GET /trust; expect 401 "trust without a token"

# --- bad input changes nothing ---
api GET /summary; expect 200 summary; before="$(jget 'j["clients"]')"
api_as "" POST /clients/register '{"device_id":"stb-x","credential":"wrong","addrs":["[2001:db8:1::9]:5100"]}'; expect 401 "bad credential"
api_as "" POST /clients/register '{"device_id":"stb-x","credential":"'"$MG_BOXCRED"'","addrs":["[2001:db8:1::9]:5100"],"color":"red"}'; expect 400 "unknown field"
case "$BODY" in *'unknown field \"color\"'*) ;; *) mg_fail "unknown field message: $BODY" ;; esac
api_as "" POST /clients/register '{"device_id":"stb-x",'; expect 400 "malformed JSON"
api_as "" POST /clients/register '["not", "an object"]'; expect 400 "array body"
api_as "" POST /clients/register '{"device_id":"stb x","credential":"'"$MG_BOXCRED"'","addrs":["[2001:db8:1::9]:5100"]}'; expect 400 "bad device id"
api_as "" POST /clients/register '{"device_id":"stb-x","credential":"'"$MG_BOXCRED"'","addrs":["ff3e::1"]}'; expect 400 "multicast address"
api_as "" POST /clients/register '{"device_id":"stb-x","credential":"'"$MG_BOXCRED"'","addrs":["[2001:db8:1::9]:5100"],"pubkey":"xyz"}'
expect 400 "bad public key"
case "$BODY" in *'field \"pubkey\"'*) ;; *) mg_fail "bad key message: $BODY" ;; esac
api_as "$TA" POST "/clients/$A/heartbeat" "{\"pubkey\":\"${KA2%??}\"}"; expect 400 "short public key in a heartbeat"
api_as "$TE" POST "/edges/$E/load" '{"pubkey":"00"}'; expect 400 "bad public key in a load report"
api GET "/clients/$A"; expect 200 "A after a bad key"
jtrue "a refused heartbeat changed A's certificate" "j['cert_serial'] == $SA"
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
# A kick revokes C's certificates: A, held in a long poll in C's group,
# hears of it with its new group; B with its next heartbeat.
api_as "$TC" POST "/clients/$C/tune" '{"channel_id":1}'; expect 200 "C back on channel 1"
api_as "$TA" POST "/clients/$A/heartbeat" '{"channel_id":1}'; expect 200 "A's group"
jtrue "C in A's group" "$C in [m['client_id'] for m in j['group']['members']]"
GA="$(jget 'j["group"]["version"]')"
(api_as "$TA" POST "/clients/$A/heartbeat?wait=4000" "{\"group_version\":$GA,\"channel_id\":1}"
 printf '%s\n' "$BODY" >"$MG_DIR/lp") &
lp=$!
mg_wait "A's long poll (C kicked)" 100 long_polls 1
api POST "/clients/$C/kick" '{"reason":"test"}'; expect 200 "kick C"
wait $lp
BODY="$(head -n 1 "$MG_DIR/lp")"
jtrue "A's long poll: C's revocation with the new group" \
	"[r['id'] for r in j['revoked']] == [$C] and $C not in [m['client_id'] for m in j['group']['members']]"
RC=$(jget 'j["revoked"][0]["before_ms"]')
[ "$RC" -ge "$NBC" ] || mg_fail "revoked before C's certificate was made: $BODY"
api_as "$TB" POST "/clients/$B/heartbeat" '{}'; expect 200 "B after the kick"
jtrue "B hears of C's revocation" "j['revoked'] == [{'id': $C, 'before_ms': $RC}]"
api_as "$TC" POST "/clients/$C/heartbeat" '{}'; expect 401 "kicked box's token"
register stb-c "10.3.0.12:5100" "" "$KC"; [ "$CID" = "$C" ] || mg_fail "re-registration changed the id: $C -> $CID"
cert_ok "$CA0" "$CERT" "C's certificate after the kick"
[ "$(certf not_before_ms)" -gt "$RC" ] || mg_fail "C's new certificate is not younger than its revocation: $CERTF"
api PATCH "/clients/$C" '{"banned":true}'; expect 200 "ban C"
api_as "$TB" POST "/clients/$B/heartbeat" '{}'; expect 200 "B after the ban"
jtrue "the ban revokes C again" "[r['before_ms'] > $RC for r in j['revoked'] if r['id'] == $C] == [True]"
api_as "" POST /clients/register '{"device_id":"stb-c","credential":"'"$MG_BOXCRED"'","addrs":["10.3.0.12:5100"]}'; expect 403 "banned device"
api PATCH "/clients/$C" '{"banned":false}'; expect 200 "unban C"
register stb-c "10.3.0.12:5100"
api GET "/clients?channel=1"; expect 200 "clients of channel 1"
[ "$(jget 'j["total"]')" -ge 1 ] || mg_fail "client list: $BODY"
api GET "/clients?limit=1&offset=1"; expect 200 "client page"
[ "$(jget 'len(j["clients"])')" = 1 ] || mg_fail "paging: $BODY"
api_as "$TE" POST "/edges/$E/load" '{}'; expect 200 "the edge's next report" # as every report_ms
api GET /edges; expect 200 edges
[ "$(jget 'j[0]["live"]')" = True ] || mg_fail "edge not live: $BODY"
api GET "/events?limit=200"; expect 200 events
for t in client.register channel.create channel.update metro.create client.move client.kick client.ban client.unban channel.rebuild edge.register; do
	printf '%s' "$BODY" | grep -q "\"$t\"" || mg_fail "event $t missing"
done
[ "$(jget '[e["actor"] for e in j["events"] if e["type"]=="client.kick"][0]')" = admin:noc ] || mg_fail "kick actor"
api GET "/events?type=cert.revoke&subject=client:$C"; expect 200 "revocation events"
jtrue "revocation events" "[(e['actor'], e['detail']['why'], e['detail']['id']) for e in j['events']] == [('admin:noc', 'ban', $C), ('admin:noc', 'kick', $C)]"
api GET "/events?type=client.&limit=2"; expect 200 "events by type"
[ "$(jget 'len(j["events"])')" = 2 ] && [ "$(jget 'j["next_before"] is not None')" = True ] || mg_fail "event paging: $BODY"
api GET /summary/channels; expect 200 "channel summaries"
[ "$(jget '[c for c in j if c["channel_id"]==1][0]["totals"]["lost"]')" = 10 ] || mg_fail "loss summary: $BODY"
api GET /summary/metros; expect 200 "metro summaries"
api GET /summary/groups; expect 200 "group summary"
series_points() { api GET "/series?channel=1"; [ "$CODE" = 200 ] && [ "$(jget 'len(j.get("points", [])) > 0')" = True ]; }
mg_wait "a point of the series" 100 series_points
api GET /status; expect 200 status
api_as "" GET /metrics; expect 200 metrics
for m in sixcast_clients_registered 'sixcast_clients{channel="1",metro="south"}' sixcast_groups_distinct \
	'sixcast_packets_total{channel="1",kind="lost"} 10' sixcast_api_request_duration_seconds_bucket sixcast_loss_ratio \
	'sixcast_certs_issued_total 7' 'sixcast_revocations 1' 'sixcast_revocations_total 2'; do
	printf '%s' "$BODY" | grep -qF "$m" || mg_fail "metric $m missing"
done

# --- reload: SIGHUP and the API ---
MG_EXTRA='clients = { heartbeat_ms = 3000; missed_heartbeats = 20; }; edges = { missed_reports = 20; };'
mg_config >"$MG_DIR/mgmt.conf"
kill -HUP "$MG_PID"
reloaded() { api_as "$TA" POST "/clients/$A/heartbeat" '{}' && [ "$CODE" = 200 ] && [ "$(jget 'j["heartbeat_ms"]')" = 3000 ]; }
mg_wait "the SIGHUP reload" 100 reloaded
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
api DELETE "/edges/$E"; expect 200 "forget the edge"
api_as "$TA" GET /trust; expect 200 "trust as a box"
jtrue "revocations of C, D and the edge" "sorted(r['id'] for r in j['revoked']) == [$C, $D, 0x80000000 | $E]"
api GET "/clients/$A"; expect 200 "A before the restart"
SA="$(jget 'j["cert_serial"]')"

# --- everything acknowledged survives a clean restart ---
mg_stop
mg_launch || mg_fail "restart"
api GET "/clients/$A"; expect 200 "A after restart"
[ "$(jget 'j["metro"]')" = north ] || mg_fail "A's metro after restart: $BODY"
api_as "$TA" POST "/clients/$A/heartbeat" '{"group_version":0,"channel_id":1}'; expect 200 "A's token after restart"
jtrue "revocations after restart" "sorted(r['id'] for r in j['revoked']) == [$C, $D, 0x80000000 | $E]"
M0="$(jget "[m.get('cert', '') for m in j['group']['members'] if m['client_id'] == $A][0]")"
cert_ok "$CA0" "$M0" "A's certificate in its group after the restart"
[ "$(certf serial)" = "$SA" ] || mg_fail "A's certificate after the restart: $CERTF"
api GET "/clients/$A"; expect 200 "A after restart"
jtrue "A's certificate after the restart" "j['cert_serial'] == $SA"
api_as "$TA" GET /trust; expect 200 "trust after restart"
jtrue "the CA key after the restart" "j['ca'] == '$CA0'"
api GET /channels; expect 200
[ "$(jget 'len(j)')" = 2 ] || mg_fail "line-up after restart: $BODY"
echo "PASS: mgmt API"
