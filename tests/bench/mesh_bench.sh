#!/bin/bash
# mesh_bench.sh: the mesh's figures. First the simulation (20, 50, 100 peers,
# with and without churn: build/tests/bench/mesh_bench), then a real-network
# point in the namespace lab: meshpeer nodes on real UDP sockets, a source
# playing a TS file into the mesh (at most 3 direct partners), PEERS boxes
# (default 60: 6 hosts x 10 nodes) over 3 metros, no multicast.
#
#   sudo tests/bench/mesh_bench.sh [SIM_SECONDS] [PEERS_PER_HOST]
#
# Prints continuity, start-up, lag, the source's upload (x the stream) and
# control overhead. No reference tool does P2P live streaming in this lab;
# the anchors are the published ones (issue 8: Zattoo joins in 2-5 s with
# lag up to 3 s; CoolStreaming continuity 0.9-0.99).
set -u
top_srcdir="$(cd "$(dirname "$0")/../.." && pwd)"
top_builddir="${top_builddir:-$top_srcdir/build}"
secs="${1:-60}"
per="${2:-10}"
"$top_builddir/tests/bench/mesh_bench" -d "$secs" || exit 1
echo
. "$top_srcdir/tests/lab/lab.sh"
. "$top_srcdir/tests/integration/mesh_lib.sh"
lab_up 3 2 1
S6="$(lab_addr6 c1)"
mesh_clip 40 "$LAB_DIR/clip.ts"
kbps=$(($(stat -c %s "$LAB_DIR/clip.ts") * 8 / 40 / 1000))
lab_bg c1 "$LAB_DIR/source.json" "$MESHPEER" source --edge-id 1 --listen "[$S6]:5200" --key "$MESH_KEY" \
	--ca-key "$MESH_CA" --ts-file "$LAB_DIR/clip.ts" --kbps "$kbps" --max-children 3 --duration 30
spid=$LAB_LAST_PID
sleep 0.5
hosts=($(lab_hosts 1) $(lab_hosts 2) $(lab_hosts 3))
list=""
for h in "${hosts[@]}"; do
	for ((i = 0; i < per; i++)); do
		list="$list${list:+,}$(($(mesh_id "$h") * 10 + i))@[$(lab_addr6 "$h")]:$((5100 + i))"
	done
done
end="$(awk 'BEGIN { srand(); print systime() + 26 }')"
first=1
pids=()
for h in "${hosts[@]}"; do
	dur="$(date +%s.%N | awk -v e="$end" '{ printf "%.2f", e - $1 }')"
	src="1@[$S6]:5200"
	lab_bg "$h" "$LAB_DIR/$h.json" "$MESHPEER" peer --nodes "$per" --listen "[$(lab_addr6 "$h")]:5100" \
		--id "$(($(mesh_id "$h") * 10))" --key "$MESH_KEY" --ca-key "$MESH_CA" --source "$src" \
		$([ $first = 1 ] && echo --direct) \
		--peers "$list" --duration "$dur"
	pids+=("$LAB_LAST_PID")
	first=0
	sleep 0.2
done
for p in "${pids[@]}"; do wait "$p"; done
wait "$spid"
cat "$LAB_DIR"/m*h*.json >"$LAB_DIR/peers.json"
python3 - "$LAB_DIR/peers.json" "$LAB_DIR/source.json" <<'PY'
import json, sys
p = [json.loads(l) for l in open(sys.argv[1]) if l.startswith('{"role":"peer"')]
s = [json.loads(l) for l in open(sys.argv[2]) if l.startswith('{"role":"source"')][0]
c = [x['continuity'] for x in p]
ctl = sum(x['ctl_bytes_sent'] for x in p)
data = sum(x['data_bytes_sent'] for x in p)
print("lab, %d peers on real UDP (%d hosts), no multicast:" % (len(p), len(set(x['id'] // 100 for x in p))))
print("  continuity avg %.5f min %.5f; start-up avg %.0f ms max %.0f ms; lag avg %.0f ms max %.0f ms"
      % (sum(c) / len(c), min(c), sum(x['startup_ms'] for x in p) / len(p), max(x['startup_ms'] for x in p),
         sum(x['lag_ms_avg'] for x in p) / len(p), max(x['lag_ms_max'] for x in p)))
print("  source upload %.2fx the stream; control %.2f%% of the peers' bytes; TS continuity errors %d"
      % (s['upload_x'], 100.0 * ctl / (ctl + data), sum(x['cc_errors'] for x in p)))
PY
