#!/bin/bash
# mgmt_outage: a metro falls silent. 1,000 simulated boxes in ten metros
# heartbeat every 500 ms; then metro 2's boxes stop. The server must
# declare the metro silent (event metro.silent) well before the boxes'
# own timeouts, take them out of their groups at once, leave no group with
# a box of metro 2, keep the other groups cross-metro, and declare the
# metro back when one of its boxes is heard again.
set -u
. "${top_srcdir:-.}/tests/integration/mgmt_lib.sh"
[ -x "$MG_LOAD" ] || { echo "sixcast-mgmt-load not built" >&2; exit 99; }

MG_LINEUP="lineup = { metros = ("
for m in $(seq 10); do
	MG_LINEUP+="{ id = $m; name = \"m$m\"; prefixes = [ \"2001:db8:$(printf %x $m)::/48\" ]; }"
	[ $m = 10 ] || MG_LINEUP+=","
done
MG_LINEUP+="); channels = ( { id = 1; name = \"One\"; }, { id = 2; name = \"Two\"; } ); };"
# The load generator's boxes all come from 127.0.0.1.
MG_HTTP="per_address_limit = 0;"
mg_start 'clients = { heartbeat_ms = 500; missed_heartbeats = 20; };
grouping = { metro_silence_ms = 800; metro_min_clients = 10; };'
"$MG_LOAD" --server "127.0.0.1:$MG_PORT" --admin "$MG_ADMIN" --credential "$MG_BOXCRED" \
	--boxes 1000 --conns 16 --channels 2 --metros 10 --phases register,tune,outage --outage-metro 2 \
	>"$MG_DIR/load.log" 2>&1 || mg_fail "load generator: $(cat "$MG_DIR/load.log")"
cat "$MG_DIR/load.log"
grep -q "^outage     detected" "$MG_DIR/load.log" || mg_fail "no metro.silent seen"
grep -q "groups still holding a box of metro 2: 0$" "$MG_DIR/load.log" || mg_fail "metro 2 still in groups"
api GET "/events?type=metro.silent"; expect 200 events
[ "$(jget 'j["events"][0]["subject"]')" = metro:2 ] || mg_fail "event: $BODY"
# Detected by the metro rule, before 20 missed heartbeats (10 s) would have
# dropped the boxes one by one. How soon (the silence limit plus a sweep,
# about 1 s) is the server's timing on this machine: printed, and measured
# by tests/bench/mgmt_bench.sh; test_mg_state checks it on the fake clock.
silent_ms=$(jget 'j["events"][0]["detail"]["silent_ms"]')
echo "metro 2 detected after $silent_ms ms of silence"
[ "$silent_ms" -lt 10000 ] || mg_fail "detected after $silent_ms ms of silence: not by the metro rule"
api GET /metros/2; expect 200 "metro 2"
[ "$(jget 'j["silent"]')" = True ] && [ "$(jget 'j["live"]')" = 0 ] || mg_fail "metro 2: $BODY"
# Right after the phase the other nine metros still heartbeat: their
# groups stay cross-metro.
share=$(sed -n 's/^groups .*share \([0-9.]*\)$/\1/p' "$MG_DIR/load.log" | tail -1)
python3 -c "import sys; sys.exit(0 if float('$share') >= 0.99 else 1)" ||
	mg_fail "groups lost their metro spread: share $share"
# One box of metro 2 is heard again: the metro is back, the box regrouped.
register stb-back "[2001:db8:2::77]:5100"
api_as "$TOK" POST "/clients/$CID/tune" '{"channel_id":1}'; expect 200 "tune in metro 2"
api GET /metros/2; expect 200 "metro 2"
[ "$(jget 'j["silent"]')" = False ] || mg_fail "metro 2 not back: $BODY"
api GET "/events?type=metro.back"; expect 200 events
[ "$(jget 'len(j["events"])')" = 1 ] || mg_fail "no metro.back event: $BODY"
echo "PASS: a silent metro is regrouped at once"
