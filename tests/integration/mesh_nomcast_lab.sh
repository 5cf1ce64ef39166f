#!/bin/bash
# mesh_nomcast_lab: a network with no multicast at all, 36 boxes, the real
# tracker.
#
# The management server runs on c2; an "edge" registers with it (curl, as
# sixcast-mcast-server would) to get the channel's RET key, and the mesh's
# hosting node (meshpeer source on c1, at the edge's RET address) plays a
# TS file into the mesh, serving at most 3 boxes directly. 12 hosts in 3
# metros run 3 boxes each (meshpeer peer --nodes 3): every box registers,
# tunes (the tune answer's RET key is the mesh's root of trust) and asks
# the tracker for its peers and the source. No multicast anywhere. Every
# box plays the channel with continuity at least 0.999, no TS continuity
# error (start-up and lag printed); ffprobe reads what they wrote; the
# source's upload stays under 4x the stream whatever the number of boxes.
set -u
. "${top_srcdir:-.}/tests/lab/lab.sh"
. "${top_srcdir:-.}/tests/integration/mesh_lib.sh"
mgmt="$B/mgmt-server/sixcast-mgmt-server"
[ -x "$mgmt" ] || { echo "not built: $mgmt" >&2; exit 99; }
command -v curl >/dev/null || lab_skip "missing curl"

lab_up 3 4 2
S6="$(lab_addr6 c1)"
M6="$(lab_addr6 c2)"
mesh_clip 30 "$LAB_DIR/clip.ts"
cat >"$LAB_DIR/mgmt.conf" <<CONF
log_level = "notice";
http = { listen = [ "[$M6]:8080" ]; };
store = { path = "$LAB_DIR/mgmt.db"; flush_ms = 200; };
auth = { admins = ( { name = "noc"; token = "noc-token-for-the-mesh-lab-0123"; } );
         client_credential = "box-secret-for-the-lab"; edge_credential = "edge-secret-for-the-lab"; };
edges = { report_ms = 60000; };
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
for _ in $(seq 100); do lab_exec c1 curl -sf -o /dev/null "http://[$M6]:8080/metrics" && break; sleep 0.1; done
reg="$(lab_exec c1 curl -sf -X POST "http://[$M6]:8080/api/v1/edges/register" -H 'Content-Type: application/json' \
	-d "{\"name\":\"edge-mesh\",\"credential\":\"edge-secret-for-the-lab\",\"addrs\":[\"$S6\"],\"ret_addrs\":[\"[$S6]:5200\"],\"channels\":[{\"id\":1,\"direct_max\":3}]}")" ||
	lab_fail "edge registration failed: $(tail -5 "$LAB_DIR/mgmt.log")"
EDGE_ID="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["edge_id"])' "$reg")"
KEY="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["channels"][0]["ret_key"])' "$reg")"
echo "edge $EDGE_ID registered"

kbps=$(($(stat -c %s "$LAB_DIR/clip.ts") * 8 / 30 / 1000))
lab_bg c1 "$LAB_DIR/source.json" "$MESHPEER" source --edge-id "$EDGE_ID" --listen "[$S6]:5200" --key "$KEY" \
	--ts-file "$LAB_DIR/clip.ts" --kbps "$kbps" --max-children 3 --duration 20
spid=$LAB_LAST_PID
sleep 0.5
pids=()
# all boxes stop together (a source's child leaving is churn, another test)
end="$(awk 'BEGIN { srand(); print systime() + 17 }')"
for h in $(lab_hosts 1) $(lab_hosts 2) $(lab_hosts 3); do
	dur="$(date +%s.%N | awk -v e="$end" '{ printf "%.2f", e - $1 }')"
	lab_bg "$h" "$LAB_DIR/$h.json" "$MESHPEER" peer --nodes 3 --listen "[$(lab_addr6 "$h")]:5100" \
		--mgmt "http://[$M6]:8080" --credential box-secret-for-the-lab --device "$h" --out "$LAB_DIR/$h-%d.ts" --duration "$dur"
	pids+=("$LAB_LAST_PID")
	sleep 0.2
done
for p in "${pids[@]}"; do wait "$p"; done
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
wait "$spid"
src="$(grep '"role":"source"' "$LAB_DIR/source.json")"
echo "source: $src"
up="$(sed -n 's/.*"upload_x":\([0-9.]*\).*/\1/p' <<<"$src")"
awk -v u="${up:-99}" 'BEGIN { exit !(u <= 4.0) }' || lab_fail "source upload ${up}x the stream"
echo "PASS: 36 boxes without multicast play the channel from the mesh, peers from the tracker"
