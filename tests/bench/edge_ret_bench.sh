#!/bin/bash
# edge_ret_bench: the edge's RET and fast channel change figures, in the lab.
#
#   sudo tests/bench/edge_ret_bench.sh [BOXES] [LOSS%] [SECONDS] [ZAPS]   (defaults 8 10 15 8)
#
# One edge emits one 8 Mb/s H.264/AAC channel (GOP 1 s) and serves RET.
#  1. RET: BOXES rtxprobe boxes, each under LOSS% nftables loss (multicast,
#     requests and repairs alike), repair everything from the edge alone for
#     SECONDS: repairs per second served, and the edge's CPU per repair (its
#     utime+stime over the window, minus the same window's cost with the
#     same boxes joined but without
#     loss, divided by the repairs), residual loss at the boxes.
#  2. Zap: ZAPS channel changes with a burst and ZAPS without (join and wait),
#     one box, no loss, 300 ms playback delay: from the request (or the join)
#     to the first packet out of the playback buffer, to the first packet out
#     holding the RAP, and to the first whole picture out (the next picture's
#     start arrives); p50 and max.
# Environment: BUILD (default ./build), BENCH_DIR (default /var/tmp/sixcast-bench).
set -u
top="$(cd "$(dirname "$0")/../.." && pwd)"
build="${BUILD:-$top/build}"
boxes="${1:-8}"
loss="${2:-10}"
secs="${3:-15}"
zaps="${4:-8}"
dir="${BENCH_DIR:-/var/tmp/sixcast-bench}"
. "$top/tests/lab/lab.sh"
edge="$build/mcast-server/sixcast-mcast-server"
probe="$build/tests/tools/rtxprobe"
for t in "$edge" "$probe"; do [ -x "$t" ] || { echo "build first: $t" >&2; exit 2; }; done
command -v ffmpeg >/dev/null || { echo "missing ffmpeg" >&2; exit 2; }

mkdir -p "$dir"
ts="$dir/ch8m-30s.ts"
if [ ! -s "$ts" ]; then
	echo "making $ts ..."
	ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=1280x720:rate=25 \
		-f lavfi -i sine=frequency=1000:sample_rate=48000 -t 30 \
		-c:v libx264 -preset ultrafast -tune zerolatency -g 25 -b:v 7000k -minrate 7000k \
		-maxrate 7000k -bufsize 1400k -x264-params nal-hrd=cbr -c:a aac -b:a 128k \
		-f mpegts -muxrate 8000k -pcr_period 40 "$ts" || exit 2
fi

lab_up 1 "$boxes" 1
E6="$(lab_addr6 c1)"
KEY=4b632e18cf6e150863d97550a979d39aca1136e7e12d54b8e0fb0645f14f606a
cat >"$LAB_DIR/edge.conf" <<EOF
edge: { name = "bench"; interface = "eth0"; };
ret: { key = "$KEY"; rate_pps = 100000; };
channels = ( { id = 1; name = "8M"; source = "file:$ts"; } );
EOF
lab_bg c1 "$LAB_DIR/edge.log" "$edge" -c "$LAB_DIR/edge.conf"
EPID=$LAB_LAST_PID
lab_wait_querier >/dev/null || exit 2
hz=$(getconf CLK_TCK)
cpu() { awk '{ print $14 + $15 }' "/proc/$EPID/stat"; }
metric() { lab_exec m1h1 curl -sf "http://[$E6]:8081/metrics" | sed -n "s/^$1{channel=\"1\"} //p"; }
probe_run() { # HOST NAME SECONDS ARGS...
	local h="$1" n="$2" s="$3"
	shift 3
	lab_exec "$h" "$probe" -g "[ff3e::8000:1]:5000" -s "$E6" -i eth0 -r "[$E6]:5200" -c 1 -k "$KEY" -t "$s" \
		-o "$LAB_DIR/$n.ts" "$@" >"$LAB_DIR/$n.txt" 2>/dev/null
}
field() { tr ' ' '\n' <"$LAB_DIR/$1.txt" | sed -n "s/^$2=//p"; }

# 1. RET: the same boxes without loss first (the multicast to them costs the
# sender's CPU too, on veths), then with it.
boxes_run() { # NAME-PREFIX
	local pids=() h
	for h in $(lab_hosts 1); do
		probe_run "$h" "$1-$h" "$secs" &
		pids+=($!)
	done
	wait "${pids[@]}" # (not a bare wait: the edge runs in the background too)
}
c0=$(cpu)
boxes_run base
base=$(($(cpu) - c0))
for h in $(lab_hosts 1); do lab_loss "$h" "$loss"; done
r0=$(metric sixcast_ret_repairs_total)
c0=$(cpu)
boxes_run ret
c1=$(cpu)
r1=$(metric sixcast_ret_repairs_total)
for h in $(lab_hosts 1); do lab_loss_clear "$h"; done
rep=$((r1 - r0))
lost=0 delivered=0
for h in $(lab_hosts 1); do
	lost=$((lost + $(field "ret-$h" lost)))
	delivered=$((delivered + $(field "ret-$h" delivered)))
done
awk -v rep="$rep" -v s="$secs" -v c="$((c1 - c0))" -v b="$base" -v hz="$hz" -v n="$boxes" -v l="$loss" \
	-v lost="$lost" -v d="$delivered" 'BEGIN {
	printf "RET: %d boxes at %d%% loss, %d s: %d repairs, %.0f repairs/s; edge CPU %.2f s (%.2f s without loss)",
		n, l, s, rep, rep / s, c / hz, b / hz
	if (rep > 0) printf ", %.1f us per repair", (c - b) / hz / rep * 1e6
	printf "; residual loss at the boxes %d of %d packets\n", lost, d
}'

# 2. Zaps: with a burst, then without, alternating so both see the GOP alike.
for i in $(seq "$zaps"); do
	probe_run m1h1 "zapb-$i" 2.5 -b
	sleep 0.$((RANDOM % 9 + 1))
	probe_run m1h1 "zapn-$i" 2.5
	sleep 0.$((RANDOM % 9 + 1))
done
stats() { # PREFIX FIELD: p50 and max over the zaps, ms
	for i in $(seq "$zaps"); do field "$1-$i" "$2"; done | sort -n |
		awk '{ v[NR] = $1 } END { printf "p50 %6.1f  max %6.1f", v[int((NR + 1) / 2)], v[NR] }'
}
echo "Zap ($zaps each, 300 ms playback delay, GOP 1 s), ms from the request/join:"
for f in first_out_ms first_rap_out_ms first_frame_ms; do
	printf '  %-17s burst: %s   no burst: %s\n' "$f" "$(stats zapb "$f")" "$(stats zapn "$f")"
done
bad=0
for i in $(seq "$zaps"); do
	[ "$(field "zapb-$i" burst_state)" = 3 ] && [ "$(field "zapb-$i" lost)" = 0 ] || bad=$((bad + 1))
done
echo "  bursts that did not splice gap-free: $bad of $zaps"
kill -TERM "$EPID"
