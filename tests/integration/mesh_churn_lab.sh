#!/bin/bash
# mesh_churn_lab: boxes killed (SIGKILL: no goodbye) and restarted at random
# every 2 s while the others keep playing.
#
# The edge (sixcast-mcast-server, TS file, its mesh hosting node on the RET
# port with at most 3 direct children) and 16
# boxes in 2 metros (static peer lists, one box per host). 6 "stable" boxes
# run throughout; the other 10 are killed and restarted at random, one
# every 2 s, for 16 s. The stable boxes must keep decoding: continuity at
# least 0.95 (alone on the machine they play everything; with the rest of
# `make -j2 check` beside them a kill of the source's child has cost a
# metro half a second), ffprobe reads what they wrote. The continuity
# figures are the benchmark's (tests/bench/mesh_bench.sh).
set -u
. "${top_srcdir:-.}/tests/lab/lab.sh"
. "${top_srcdir:-.}/tests/integration/mesh_lib.sh"
edge="$B/mcast-server/sixcast-mcast-server"
[ -x "$edge" ] || { echo "not built: $edge" >&2; exit 99; }

lab_up 2 8 1
S6="$(lab_addr6 c1)"
mesh_clip 30 "$LAB_DIR/clip.ts"
mesh_ca_file "$LAB_DIR/ca.key"
cat >"$LAB_DIR/edge.conf" <<CONF
edge: { name = "edge-churn"; interface = "eth0"; http = "[$S6]:8081";
        mesh = { enabled = true; max_children = 3; edge_id = 1; }; };
ret: { key = "$MESH_KEY"; };
trust: { ca_key_file = "$LAB_DIR/ca.key"; };
channels = ( { id = 1; name = "Clip"; source = "file:$LAB_DIR/clip.ts"; } );
CONF
lab_bg c1 "$LAB_DIR/edge.log" "$edge" -c "$LAB_DIR/edge.conf"
spid=$LAB_LAST_PID
mesh_edge_identity "$LAB_DIR/edge.log" c1 "$S6"
URL="http://[$S6]:8081"
mesh_edge_wait c1 "$URL" input_bytes 1 # the edge has the stream
hosts=($(lab_hosts 1) $(lab_hosts 2))
list="$(mesh_peer_list "${hosts[@]}")"
stable=(m1h1 m1h5 m1h8 m2h2 m2h4 m2h7)
declare -A pid
start() { # HOST [DURATION]
	local h="$1"
	lab_bg "$h" "$LAB_DIR/$h.json" "$MESHPEER" peer --listen "[$(lab_addr6 "$h")]:5100" --id "$(mesh_id "$h")" \
		--key "$MESH_KEY" --ca-key "$MESH_CA" \
		--source-cert "$MESH_EDGE_CERT" --source "1@[$S6]:5200" --peers "$list" --out "$LAB_DIR/$h.ts" \
		--duration "${2:-60}"
	pid[$h]=$LAB_LAST_PID
}
is_stable() { local s; for s in "${stable[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1; }
# the first boxes to ask are the source's children: let churn hit them (the
# stable ones start once the source has its first child)
for h in "${hosts[@]}"; do is_stable "$h" || { start "$h"; mesh_wait_up "$LAB_DIR/$h.json"; }; done
mesh_edge_wait c1 "$URL" children 1
for h in "${stable[@]}"; do start "$h" 21; done
for h in "${stable[@]}"; do mesh_wait_up "$LAB_DIR/$h.json"; done
churny=()
for h in "${hosts[@]}"; do is_stable "$h" || churny+=("$h"); done
kills=0
# The churn itself runs on the clock: a kill every 2 s, and a killed box
# comes back 0.3 s after it died (a box that reboots). These pauses are the
# scenario, not a wait for an event; the stable boxes' own run is measured
# by meshpeer (--duration 21).
for ((t = 0; t < 8; t++)); do
	sleep 2
	v="${churny[RANDOM % ${#churny[@]}]}"
	kill -KILL "${pid[$v]}" 2>/dev/null && kills=$((kills + 1))
	wait "${pid[$v]}" 2>/dev/null
	sleep 0.3
	start "$v"
done
echo "killed and restarted $kills boxes"
for h in "${stable[@]}"; do wait "${pid[$h]}"; done
for h in "${churny[@]}"; do kill -TERM "${pid[$h]}" 2>/dev/null; done
cat /dev/null >"$LAB_DIR/stable.json"
for h in "${stable[@]}"; do grep '"role":"peer"' "$LAB_DIR/$h.json" >>"$LAB_DIR/stable.json"; done
pps=$(($(stat -c %s "$LAB_DIR/clip.ts") / 1316 / 30))
MESH_CC_OK=1 mesh_check "6 stable boxes under churn" "$LAB_DIR/stable.json" 0.95 $((pps * 15))
for h in m1h1 m2h7; do
	c="$(mesh_probe "$LAB_DIR/$h.ts")"
	echo "ffprobe $h: $c"
	[ "$c" = "aac h264 " ] || lab_fail "ffprobe on $h's recording found: $c"
done
kill -TERM "$spid" 2>/dev/null
echo "PASS: boxes killed and restarted every 2 s, the others keep playing"
