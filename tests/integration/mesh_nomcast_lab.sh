#!/bin/bash
# mesh_nomcast_lab: a network with no multicast at all, 36 boxes, the real
# tracker.
#
# The management server runs on c2; the edge (sixcast-mcast-server on c1)
# registers with it (edge id, the channel's RET key, direct_max 3) and is
# itself the mesh's hosting node on its RET port, playing a TS file into
# the mesh and serving at most 3 boxes directly. 12 hosts in 3
# metros run 3 boxes each (meshpeer peer --nodes 3): every box registers,
# tunes (the tune answer's RET key is the mesh's root of trust) and asks
# the tracker for its peers and the source. No multicast anywhere. Every
# box plays the channel with continuity at least 0.999, no TS continuity
# error (start-up and lag printed); ffprobe reads what they wrote; the
# edge's mesh upload stays under 4x the stream whatever the number of boxes,
# and its load report carries its direct children (direct_clients).
set -u
. "${top_srcdir:-.}/tests/lab/lab.sh"
. "${top_srcdir:-.}/tests/integration/mesh_lib.sh"
mgmt="$B/mgmt-server/sixcast-mgmt-server"
edge="$B/mcast-server/sixcast-mcast-server"
[ -x "$mgmt" ] || { echo "not built: $mgmt" >&2; exit 99; }
[ -x "$edge" ] || { echo "not built: $edge" >&2; exit 99; }
command -v curl >/dev/null || lab_skip "missing curl"

lab_up 3 4 2
S6="$(lab_addr6 c1)"
M6="$(lab_addr6 c2)"
mesh_clip 30 "$LAB_DIR/clip.ts"
ADMIN=noc-83a21a618dbbefe00438cd956844f5923aaf9c3c
BOXCRED=box-eeca061bee5596f5338aa103ba67338730dcb80e
EDGECRED=edge-cd6a9cc0b8d4610d3b6a12e47496e24294fc9686
cat >"$LAB_DIR/mgmt.conf" <<CONF
log_level = "notice";
http = { listen = [ "[$M6]:8080" ]; };
store = { path = "$LAB_DIR/mgmt.db"; flush_ms = 200; };
auth = { admins = ( { name = "noc"; token = "$ADMIN"; } );
         client_credential = "$BOXCRED"; edge_credential = "$EDGECRED"; };
edges = { report_ms = 2000; };
lineup = {
  metros = (
    { id = 1; name = "north"; prefixes = [ "2001:db8:1::/48" ]; },
    { id = 2; name = "south"; prefixes = [ "2001:db8:2::/48" ]; },
    { id = 3; name = "east";  prefixes = [ "2001:db8:3::/48" ]; }
  );
  channels = ( { id = 1; name = "Clip"; } );
};
CONF
lab_bg c2 "$LAB_DIR/mgmt.log" "$mgmt" -c "$LAB_DIR/mgmt.conf"
mgmt_answers() { lab_exec c1 curl -sf -o /dev/null "http://[$M6]:8080/metrics" || { tail -n 3 "$LAB_DIR/mgmt.log"; return 1; }; }
lab_wait "answer from the management server" mgmt_answers
cat >"$LAB_DIR/edge.conf" <<CONF
edge: { name = "edge-mesh"; interface = "eth0"; http = "[$S6]:8081";
        mesh = { enabled = true; max_children = 3; }; };
mgmt: { url = "http://[$M6]:8080"; credential = "$EDGECRED"; };
channels = ( { id = 1; name = "Clip"; source = "file:$LAB_DIR/clip.ts"; } );
CONF
lab_bg c1 "$LAB_DIR/edge.log" "$edge" -c "$LAB_DIR/edge.conf"
lab_wait_log "$LAB_DIR/edge.log" 'registered with' "registration of the edge"
lab_wait_log "$LAB_DIR/edge.log" 'mesh hosting node [0-9]+ up' "start of the edge's mesh node"
grep 'registered with\|mesh hosting node' "$LAB_DIR/edge.log" || lab_fail "the edge did not register: $(tail -5 "$LAB_DIR/edge.log")"
EDGE_ID="$(sed -n 's/.*registered with .* as edge \([0-9]*\);.*/\1/p' "$LAB_DIR/edge.log" | tail -1)"
grep -q "mesh hosting node $EDGE_ID up" "$LAB_DIR/edge.log" || lab_fail "no mesh node with edge id $EDGE_ID"
mesh_edge_snap c1 "http://[$S6]:8081" "$LAB_DIR/edge0.json"
pids=()
# One host after the other, each once its 3 boxes are up (registered, tuned,
# peers asked from the tracker). They play until all stop together (a
# source's child leaving is churn, another test): the last host's boxes
# play 16 s of the stream (--duration is only a guard).
for h in $(lab_hosts 1) $(lab_hosts 2) $(lab_hosts 3); do
	lab_bg "$h" "$LAB_DIR/$h.json" "$MESHPEER" peer --nodes 3 --listen "[$(lab_addr6 "$h")]:5100" \
		--mgmt "http://[$M6]:8080" --credential "$BOXCRED" --device "$h" --out "$LAB_DIR/$h-%d.ts" --duration 600
	pids+=("$LAB_LAST_PID")
	mesh_wait_up "$LAB_DIR/$h.json"
done
# The middle of their run: 6 s of the stream after the last host came up.
mesh_stream_wait c1 "http://[$S6]:8081" 6 "$LAB_DIR/clip.ts" 30
mesh_edge_snap c1 "http://[$S6]:8081" "$LAB_DIR/edge-mid.json"
# A load report with the children in it: one the management server got after
# that snapshot (last_seen_ms moves with each report).
edge_rec() { lab_exec c1 curl -sf -H "Authorization: Bearer $ADMIN" "http://[$M6]:8080/api/v1/edges/$EDGE_ID"; }
seen() { edge_rec | python3 -c 'import json,sys; print(json.load(sys.stdin)["last_seen_ms"])'; }
seen_after() { local t; t="$(seen 2>&1)"; [ "$t" -gt "$1" ] 2>/dev/null || { echo "last_seen_ms: $t"; return 1; }; }
lab_wait "load report from the edge after the snapshot" seen_after "$(seen)"
direct="$(edge_rec | python3 -c 'import json,sys; print(json.load(sys.stdin)["load"]["direct_clients"])' 2>&1)"
echo "the management server's view of the edge's direct children: $direct"
mesh_stream_wait c1 "http://[$S6]:8081" 10 "$LAB_DIR/clip.ts" 30
for p in "${pids[@]}"; do kill -TERM "$p"; done
for p in "${pids[@]}"; do wait "$p"; done
mesh_edge_snap c1 "http://[$S6]:8081" "$LAB_DIR/edge1.json"
cat "$LAB_DIR"/m*h*.json >"$LAB_DIR/peers.json"
n="$(grep -c '"role":"peer"' "$LAB_DIR/peers.json")"
[ "$n" = 36 ] || lab_fail "$n boxes reported, wanted 36: $(grep -h -i error "$LAB_DIR"/m*h*.json | head -5)"
pps=$(($(stat -c %s "$LAB_DIR/clip.ts") / 1316 / 30))
mesh_check "36 boxes, no multicast" "$LAB_DIR/peers.json" 0.999 $((pps * 12))
# (Start-up and lag are printed above; their targets are the benchmark's,
# tests/bench/mesh_bench.sh: no timing threshold in a test.)
for h in m1h1 m3h4; do
	c="$(mesh_probe "$LAB_DIR/$h-2.ts")"
	echo "ffprobe $h node 2: $c"
	[ "$c" = "aac h264 " ] || lab_fail "ffprobe on $h's recording found: $c"
done
src="$(mesh_edge_upload "$LAB_DIR/edge0.json" "$LAB_DIR/edge1.json" "$LAB_DIR/edge-mid.json")"
echo "edge (mesh source): $src"
up="$(sed -n 's/.*"upload_x":\([0-9.]*\).*/\1/p' <<<"$src")"
awk -v u="${up:-99}" 'BEGIN { exit !(u <= 4.0) }' || lab_fail "edge mesh upload ${up}x the stream"
ch="$(sed -n 's/.*"children":\([0-9]*\).*/\1/p' <<<"$src")"
[ "${ch:-0}" -ge 1 ] && [ "${ch:-0}" -le 3 ] || lab_fail "the edge had ${ch:-no} direct children, wanted 1 to 3"
[ "$direct" -ge 1 ] 2>/dev/null && [ "$direct" -le 3 ] || lab_fail "direct_clients in the edge's load report: $direct"
echo "PASS: 36 boxes without multicast play the channel from the edge's mesh, peers from the tracker"
