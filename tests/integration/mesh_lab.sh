#!/bin/bash
# mesh_lab: a metro without multicast keeps watching through the mesh.
#
# The edge (sixcast-mcast-server) emits a channel on its SSM group and is
# itself the mesh's hosting node (edge.mesh, on its RET port 5200, mesh id
# 0x80000000 | 1, keyed by the channel's RET key). Metro 1's multicast is blocked by nftables on every host
# (an mcprobe receiver there proves nothing arrives); its 10 boxes run
# meshpeer peers that know each other and the source. Every one of them
# plays the channel: continuity at least 0.999 after start-up, no TS
# continuity-counter error in what it wrote, and ffprobe finds H.264 and AAC
# in it. The edge serves at most 3 of them directly (the rest through the
# mesh): its mesh upload (from its /channels counters over the boxes' run)
# stays under 4x the stream.
set -u
. "${top_srcdir:-.}/tests/lab/lab.sh"
. "${top_srcdir:-.}/tests/integration/mesh_lib.sh"
edge="$B/mcast-server/sixcast-mcast-server"
mcprobe="$B/tests/tools/mcprobe"
[ -x "$edge" ] || { echo "not built: $edge" >&2; exit 99; }
command -v curl >/dev/null || lab_skip "missing curl"

lab_up 1 10 1
E6="$(lab_addr6 c1)"
mesh_clip 30 "$LAB_DIR/clip.ts"
mesh_ca_file "$LAB_DIR/ca.key"
cat >"$LAB_DIR/edge.conf" <<CONF
edge: { name = "edge-mesh"; interface = "eth0"; sdp_dir = "$LAB_DIR/sdp"; http = "[$E6]:8081";
        mesh = { enabled = true; max_children = 3; edge_id = 1; }; };
ret: { key = "$MESH_KEY"; };
trust: { ca_key_file = "$LAB_DIR/ca.key"; };
channels = ( { id = 1; name = "Clip"; source = "file:$LAB_DIR/clip.ts"; } );
CONF
lab_bg c1 "$LAB_DIR/edge.log" "$edge" -c "$LAB_DIR/edge.conf"
mesh_edge_identity "$LAB_DIR/edge.log" c1 "$E6"
lab_wait_querier || exit 99

# No multicast reaches metro 1's boxes (UDP to the channel's port dropped).
hosts=($(lab_hosts 1))
for h in "${hosts[@]}"; do
	lab_exec "$h" nft add table inet nomc
	lab_exec "$h" nft add chain inet nomc in '{ type filter hook input priority 0; policy accept; }'
	lab_exec "$h" nft add rule inet nomc in ip6 daddr ff00::/8 udp dport 5000 counter drop
done
# m1h1 joins the channel while the edge emits it: from the join on, 2 s
# of the stream reach the host (its drop rule counts them) and none reaches
# the receiver (-t is only a guard: it stops when told).
dropped() { # HOST: what the host's drop rule counted
	lab_exec "$1" nft list table inet nomc |
		awk '/counter/ { for (i = 1; i <= NF; i++) if ($i == "packets") s += $(i + 1) } END { print s + 0 }'
}
dropped_ge() { # HOST MIN
	local n
	n="$(dropped "$1")"
	[ "$n" -ge "$2" ] || { echo "dropped=$n, waiting for $2"; return 1; }
}
pps=$(($(stat -c %s "$LAB_DIR/clip.ts") / 1316 / 30))
lab_bg m1h1 "$LAB_DIR/mc.log" "$mcprobe" recv -g '[ff3e::8000:1]:5000' -i eth0 -s "$E6" -t 600
mcpid=$LAB_LAST_PID
lab_wait_log "$LAB_DIR/mc.log" '^joined'
lab_wait "2 s of the channel dropped at m1h1" dropped_ge m1h1 $(($(dropped m1h1) + pps * 2))
kill -TERM "$mcpid"
wait "$mcpid" 2>/dev/null
lab_wait_log "$LAB_DIR/mc.log" '^received=' "the blocked receiver's totals"
got="$(sed -n 's/^received=\([0-9]*\).*/\1/p' "$LAB_DIR/mc.log")"
echo "multicast received in metro 1 while blocked: ${got:-0} (m1h1's rule dropped $(dropped m1h1))"
[ "${got:-0}" = 0 ] || lab_fail "metro 1 still receives multicast"

mesh_edge_snap c1 "http://[$E6]:8081" "$LAB_DIR/edge0.json"
list="$(mesh_peer_list "${hosts[@]}")"
pids=()
# One box after the other, each once its node is up.
for h in "${hosts[@]}"; do
	lab_bg "$h" "$LAB_DIR/$h.json" "$MESHPEER" peer --listen "[$(lab_addr6 "$h")]:5100" --id "$(mesh_id "$h")" \
		--key "$MESH_KEY" --ca-key "$MESH_CA" \
		--source-cert "$MESH_EDGE_CERT" --source "1@[$E6]:5200" --peers "$list" --out "$LAB_DIR/$h.ts" \
		--duration 18
	pids+=("$LAB_LAST_PID")
	mesh_wait_up "$LAB_DIR/$h.json"
done
# The middle of the boxes' run: 8 s of the stream after the last one came up.
mesh_stream_wait c1 "http://[$E6]:8081" 8 "$LAB_DIR/clip.ts" 30
mesh_edge_snap c1 "http://[$E6]:8081" "$LAB_DIR/edge-mid.json"
for p in "${pids[@]}"; do wait "$p"; done
mesh_edge_snap c1 "http://[$E6]:8081" "$LAB_DIR/edge1.json"
cat "$LAB_DIR"/m1h*.json >"$LAB_DIR/peers.json"
# the clip's rate over 18 s less a start-up of 2 s, give or take
mesh_check "metro 1 over the mesh" "$LAB_DIR/peers.json" 0.999 $((pps * 15))
for h in m1h1 m1h10; do
	c="$(mesh_probe "$LAB_DIR/$h.ts")"
	echo "ffprobe $h: $c"
	[ "$c" = "aac h264 " ] || lab_fail "ffprobe on $h's recording found: $c"
done
src="$(mesh_edge_upload "$LAB_DIR/edge0.json" "$LAB_DIR/edge1.json" "$LAB_DIR/edge-mid.json")"
echo "edge (mesh source): $src"
up="$(sed -n 's/.*"upload_x":\([0-9.]*\).*/\1/p' <<<"$src")"
ch="$(sed -n 's/.*"children":\([0-9]*\).*/\1/p' <<<"$src")"
[ "${ch:-0}" -ge 1 ] && [ "${ch:-0}" -le 3 ] || lab_fail "the edge had ${ch:-no} direct children, wanted 1 to 3"
awk -v u="${up:-99}" 'BEGIN { exit !(u <= 4.0) }' || lab_fail "edge mesh upload ${up}x the stream"
echo "PASS: 10 boxes without multicast play the channel from the edge's mesh"
