#!/bin/bash
# mgmt_cli: drives every sixcastctl command against sixcast-mgmt-server on
# loopback (boxes and an edge registered with curl), and checks each
# change through the API; bad input exits 1 with the server's message,
# usage errors exit 2, and the server URL and token come from options, the
# environment or a config file.
set -u
. "${top_srcdir:-.}/tests/integration/mgmt_lib.sh"

CTL="$MG_BUILD/mgmt-server/sixcastctl"
[ -x "$CTL" ] || { echo "sixcastctl not built" >&2; exit 99; }

# Boxes and the edge report once; long periods keep them live however slow
# the machine (a loaded CI runner) makes the test.
mg_start 'clients = { heartbeat_ms = 600000; }; edges = { report_ms = 600000; };'

# ctl ARGS...: runs sixcastctl with the URL and token from the environment;
# $OUT holds stdout and stderr, $RC the exit code.
ctl() {
	OUT="$(SIXCAST_URL="http://127.0.0.1:$MG_PORT" SIXCAST_TOKEN="$MG_ADMIN" SIXCAST_CONFIG=/dev/null \
		"$CTL" "$@" 2>&1)"
	RC=$?
}
ok() { ctl "$@"; [ "$RC" = 0 ] || mg_fail "sixcastctl $*: exit $RC: $OUT"; }
has() { case "$OUT" in *"$1"*) ;; *) mg_fail "${2:-output} lacks \"$1\": $OUT" ;; esac; }
refused() { # refused CODE MESSAGE ARGS...: exit CODE and MESSAGE in the output
	local want="$1" msg="$2"
	shift 2
	ctl "$@"
	[ "$RC" = "$want" ] || mg_fail "sixcastctl $*: exit $RC, wanted $want: $OUT"
	has "$msg" "sixcastctl $*"
}

# --- boxes and an edge, as the API sees them ---
register stb-a "[2001:db8:1::a]:5100"; A=$CID; TA=$TOK
api_as "$TA" POST "/clients/$A/tune" '{"channel_id":1}'; expect 200 "tune A"
register stb-b "[2001:db8:2::b]:5100"; B=$CID; TB=$TOK
api_as "$TB" POST "/clients/$B/tune" '{"channel_id":1}'; expect 200 "tune B"
register stb-c "10.3.0.12:5100"; C=$CID; TC=$TOK
api_as "$TC" POST "/clients/$C/tune" '{"channel_id":1}'; expect 200 "tune C"
api_as "$TA" POST "/clients/$A/heartbeat" '{"channel_id":1,"stats":{"received":1000,"lost":10,"repaired_group":9,"unrepaired":1}}'
expect 200 "heartbeat A"
api_as "" POST /edges/register "{\"name\":\"edge-1\",\"credential\":\"$MG_EDGECRED\",\"addrs\":[\"2001:db8::1\"],\"ret_addrs\":[\"[2001:db8::1]:5200\"],\"channels\":[{\"id\":1}]}"
expect 200 "edge register"
E=$(jget 'j["edge_id"]'); TE=$(jget 'j["token"]')
api_as "$TE" POST "/edges/$E/load" '{"bitrate_bps":8000000,"ret_clients":2}'; expect 200 "edge load"

# --- reading ---
ok status; has "3 registered"; has "1/1 edges live"
ok whoami; has "admin:noc"
ok channels list; has "News 24"; has "Sport"
ok channel; has "ff3e::8000:1"
ok channels show 1; has "viewers             3"
ok --json channels show 1
[ "$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["viewers"])')" = 3 ] ||
	mg_fail "--json channels show: $OUT"
ok metros list; has "north"; has "2001:db8:3::/48"
ok metros show south; has "totals.received"
ok clients list; has "stb-a"; has "1-3 of 3"
ok clients list --metro east --live yes; has "stb-c"
case "$OUT" in *stb-a*) mg_fail "metro filter let stb-a through: $OUT" ;; esac
ok clients list --device stb-b --json
[ "$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')" = 1 ] ||
	mg_fail "device filter: $OUT"
ok clients list --limit 1 --offset 1; has "2-2 of 3"
ok clients show "$A"; has "stats.lost            10"; has "all metros distinct"
ok groups list; has "yes"; has "north,south,east"
G=$(printf '%s' "$OUT" | awk 'NR == 2 { print $1 }')
ok groups list --channel 1 --distinct yes --metro north; has "north,south,east"
ok groups show "$G"; has "key"; has "[2001:db8:1::a]:5100"
ok edges list; has "edge-1"; has "8.00 Mb/s"
ok edges show "$E"; has "ret_addrs"
ok summary; has "clients.registered"
ok summary channels; has "News 24"; has "0.99%"; has "90.0%"
ok summary metros; has "north"
ok summary groups --channel 1; has "target size 5"
ok series --channel 1 --last 0
ok series --metro north
ok peers 1 --client "$A"; has "mode"

# --- changing, checked through the API ---
ok channels add --name "Kids" --port 5002 --direct-max 100
K=$(printf '%s' "$OUT" | awk '$1 == "id" { print $2 }')
api GET "/channels/$K"; expect 200 "channel $K"
[ "$(jget 'j["port"]')" = 5002 ] && [ "$(jget 'j["direct_max"]')" = 100 ] || mg_fail "channels add: $BODY"
ok channels set "$K" --name "Kids HD" --group4 none --enabled no
api GET "/channels/$K"
[ "$(jget 'j["name"]')" = "Kids HD" ] && [ "$(jget 'j["group4"]')" = None ] &&
	[ "$(jget 'j["enabled"]')" = False ] || mg_fail "channels set: $BODY"
ok channels add --id 40 --name "Forty" --group6 ff3e::8000:99
api GET /channels/40; expect 200 "channel 40"
[ "$(jget 'j["group6"]')" = "ff3e::8000:99" ] || mg_fail "channels add --group6: $BODY"
ok channels rm 40; has "channel 40 removed"
api GET /channels/40; expect 404 "removed channel"

ok metros add --name west --prefix 2001:db8:4::/48 --prefix 10.4.0.0/16
W=$(printf '%s' "$OUT" | awk '$1 == "id" { print $2 }')
api GET "/metros/$W"
[ "$(jget 'j["prefixes"]')" = "['2001:db8:4::/48', '10.4.0.0/16']" ] || mg_fail "metros add: $BODY"
ok metros set west --name west2 --prefix 2001:db8:5::/48
api GET "/metros/$W"
[ "$(jget 'j["name"]')" = west2 ] && [ "$(jget 'j["prefixes"]')" = "['2001:db8:5::/48']" ] ||
	mg_fail "metros set: $BODY"
ok metros set "$W" --prefix ""
api GET "/metros/$W"; [ "$(jget 'j["prefixes"]')" = "[]" ] || mg_fail "metros set --prefix '': $BODY"

ok clients move "$A" --metro west2; has "moved: metro west2 (pinned)"
api GET "/clients/$A"
[ "$(jget 'j["metro_id"]')" = "$W" ] && [ "$(jget 'j["pinned"]')" = True ] || mg_fail "clients move --metro: $BODY"
ok clients unpin "$A"
api GET "/clients/$A"
[ "$(jget 'j["metro"]')" = north ] && [ "$(jget 'j["pinned"]')" = False ] || mg_fail "clients unpin: $BODY"

ok channels rebuild 1; has "channel 1 rebuilt: 1 groups, 3 members"
api GET "/events?type=channel.rebuild"
[ "$(jget 'len(j["events"])')" = 1 ] || mg_fail "no rebuild event: $BODY"
api GET /channels/1/groups; G=$(jget 'j["groups"][0]["id"]')
ok clients move "$C" --group "$G"; has "group $G"

ok clients kick "$C" --reason "firmware test"; has "kicked"
api_as "$TC" POST "/clients/$C/heartbeat" '{}'; expect 401 "kicked box's token"
api GET "/events?type=client.kick&limit=1"
[ "$(jget 'j["events"][0]["detail"]["reason"]')" = "firmware test" ] || mg_fail "kick reason: $BODY"
ok clients ban "$C"
api GET "/clients/$C"; [ "$(jget 'j["banned"]')" = True ] || mg_fail "clients ban: $BODY"
ok clients unban "$C"
api GET "/clients/$C"; [ "$(jget 'j["banned"]')" = False ] || mg_fail "clients unban: $BODY"
ok clients kick "$B" --ban
api GET "/clients/$B"; [ "$(jget 'j["banned"]')" = True ] || mg_fail "clients kick --ban: $BODY"
ok clients rm "$B"; has "client $B removed"
api GET "/clients/$B"; expect 404 "removed client"

ok events --type client. --limit 3; has "client."
ok events --actor admin:noc --subject "client:$A"; has "client.move"
case "$OUT" in *client.kick*) mg_fail "subject filter: $OUT" ;; esac
ok events --limit 2; has "older: --before"
ok reload; has "reloaded"
api GET "/events?type=config.reload"; [ "$(jget 'len(j["events"])')" = 1 ] || mg_fail "reload: $BODY"

ok metros rm "$W"; has "metro $W removed"
api GET "/metros/$W"; expect 404 "removed metro"
ok edges rm "$E"
api GET "/edges/$E"; expect 404 "removed edge"

# --- bad input: exit 1 with the server's message, and nothing changes ---
api GET /summary; before="$BODY"
refused 1 "no channel 99 (HTTP 404)" channels show 99
refused 1 "409" channels add --id 1 --name Dup
refused 1 "(HTTP 400)" channels add --name Bad --group6 2001:db8::1
refused 1 "(HTTP 400)" metros add --name bad --prefix 2001:db8:1::1/48
refused 1 "no metro \"atlantis\"" clients move "$A" --metro atlantis
refused 1 "no client 999" clients kick 999
counts='(j["channels"], j["metros"], j["clients"])'
api GET /summary
after="$(jget "$counts")"
BODY="$before"
[ "$after" = "$(jget "$counts")" ] || mg_fail "refused commands changed something: $before -> $after"

# --- usage errors: exit 2, nothing sent ---
refused 2 "unknown option --colour" channels list --colour
refused 2 "usage" channels show
refused 2 "must be an id" clients show abc
refused 2 "not a whole number" channels set 1 --port five
refused 2 "one of --metro and --group" clients move "$A"
refused 2 "nothing to change" channels set 1
refused 2 "unknown command" frobnicate
ok channels add --help; has "--direct-max N"
ok --help; has "Exit status"

# --- where the URL and token come from ---
OUT="$("$CTL" --url "http://127.0.0.1:$MG_PORT" --token wrong-token status 2>&1)" && mg_fail "a wrong token passed"
case "$OUT" in *"HTTP 401"*) ;; *) mg_fail "wrong token: $OUT" ;; esac
printf '%s\n' "$MG_ADMIN" >"$MG_DIR/token"
"$CTL" -u "127.0.0.1:$MG_PORT/api/v1/" --token-file "$MG_DIR/token" whoami >/dev/null ||
	mg_fail "--url without scheme and --token-file"
printf 'url = "http://127.0.0.1:%s";\ntoken = "%s";\n' "$MG_PORT" "$MG_ADMIN" >"$MG_DIR/ctl.conf"
chmod 600 "$MG_DIR/ctl.conf"
OUT="$(env -u SIXCAST_URL -u SIXCAST_TOKEN "$CTL" -c "$MG_DIR/ctl.conf" whoami 2>&1)" || mg_fail "config file: $OUT"
OUT="$(SIXCAST_CONFIG="$MG_DIR/ctl.conf" SIXCAST_TOKEN=wrong-token "$CTL" whoami 2>&1)" &&
	mg_fail "the environment's token did not win over the config file's"
printf 'url = "http://127.0.0.1:%s";\ntokn = "x";\n' "$MG_PORT" >"$MG_DIR/bad.conf"
OUT="$("$CTL" -c "$MG_DIR/bad.conf" whoami 2>&1)"
[ $? = 2 ] || mg_fail "a bad config file: exit not 2: $OUT"
case "$OUT" in *bad.conf:2:*) ;; *) mg_fail "a bad config file's line: $OUT" ;; esac
OUT="$("$CTL" --url http://127.0.0.1:1 -c /dev/null status 2>&1)"
[ $? = 1 ] || mg_fail "an unreachable server: exit not 1: $OUT"

mg_stop
echo "mgmt_cli: every sixcastctl command checked"
