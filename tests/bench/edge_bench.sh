#!/bin/bash
# edge_bench: N channels of about 8 Mb/s from one sixcast-mcast-server process,
# side by side with N multicat processes playing the same file, in the same
# namespace lab and the same run.
#
#   sudo tests/bench/edge_bench.sh [CHANNELS] [SECONDS]     (defaults 50, 20)
#
# Measured for each over the same window (after a warm-up):
#   CPU seconds per Gb/s emitted (utime+stime of the process(es) / Gbit sent),
#   peak RSS (VmHWM, summed over multicat's processes),
#   pacing from a capture on the sender's wire: per-flow inter-packet gap
#   deviation from the flow's median (p50/p99/max) and the largest number of
#   packets of one flow inside any 1 ms window.
# Environment: BUILD (default ./build), BENCH_DIR (default /var/tmp/sixcast-bench),
# EDGE_RET=off (the edge without its RET/burst service), EDGE_MESH=on (with
# the P2P mesh's hosting node on every channel, no boxes: its idle cost).
set -u
top="$(cd "$(dirname "$0")/../.." && pwd)"
build="${BUILD:-$top/build}"
nch="${1:-50}"
secs="${2:-20}"
warm=3
cap_secs=$(((secs - warm - 2) / 2))
dir="${BENCH_DIR:-/var/tmp/sixcast-bench}"
. "$top/tests/lab/lab.sh"
edge="$build/mcast-server/sixcast-mcast-server"
gaps="$build/tests/bench/pcapgaps"
for t in "$edge" "$gaps"; do [ -x "$t" ] || { echo "build first: $t" >&2; exit 2; }; done
for t in multicat ingests ffmpeg tcpdump; do
	command -v "$t" >/dev/null || { echo "missing $t (apt-get install multicat ffmpeg tcpdump)" >&2; exit 2; }
done

# The file: 8 Mb/s CBR (null-padded) H.264 + AAC, long enough for the run,
# since multicat does not loop.
mkdir -p "$dir"
ts="$dir/ch8m-$((secs + 10))s.ts"
if [ ! -s "$ts" ]; then
	echo "making $ts ..."
	ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=1280x720:rate=25 \
		-f lavfi -i sine=frequency=1000:sample_rate=48000 -t $((secs + 10)) \
		-c:v libx264 -preset ultrafast -tune zerolatency -g 25 -b:v 7000k -minrate 7000k \
		-maxrate 7000k -bufsize 1400k -x264-params nal-hrd=cbr -c:a aac -b:a 128k \
		-f mpegts -muxrate 8000k -pcr_period 40 "$ts" || exit 2
fi
pcr_pid="$(ffprobe -v error -show_entries program=pcr_pid -of csv=p=0 "$ts" | head -1)"
[ -s "${ts%.ts}.aux" ] || ingests -p "$pcr_pid" "$ts" >/dev/null 2>&1

# Only the sender, its wire ending in a sink: the far end drops every frame
# at ingress, so the receive side of the veth (which the kernel runs in the
# sender's context) costs next to nothing, as a NIC's would.
lab_up 0 0 1
fab nft add table netdev sink
fab nft add chain netdev sink in '{ type filter hook ingress device c1 priority 0; policy drop; }'
idx="$(lab_exec c1 cat /sys/class/net/eth0/ifindex)"

cpu_ticks() { # sum of utime+stime over pids, in clock ticks
	local p s=0
	for p in "$@"; do
		s=$((s + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
	done
	echo "$s"
}
hwm_kb() {
	local p s=0
	for p in "$@"; do
		s=$((s + $(awk '/VmHWM/ { print $2 }' "/proc/$p/status" 2>/dev/null || echo 0)))
	done
	echo "$s"
}

# measure NAME PIDS...: CPU over one window with nothing else running, then
# pacing from a capture over a second window (capturing costs the sender
# kernel time, which would blur the CPU figure).
measure() {
	local name="$1" t0 t1 c0 c1 hz cap="$LAB_DIR/$1.pcap" g cpu
	shift
	hz="$(getconf CLK_TCK)"
	sleep "$warm"
	c0="$(cpu_ticks "$@")"
	t0="$(date +%s.%N)"
	lab_exec c1 ip -s -j link show eth0 >"$LAB_DIR/$name.l0"
	sleep "$cap_secs"
	c1="$(cpu_ticks "$@")"
	t1="$(date +%s.%N)"
	lab_exec c1 ip -s -j link show eth0 >"$LAB_DIR/$name.l1"
	# Timestamps of the sender's own transmissions (the tap at xmit).
	lab_exec c1 timeout "$cap_secs" tcpdump -q -Q out -i eth0 -s 96 --time-stamp-precision=nano -w "$cap" udp port 5000 2>/dev/null
	g="$("$gaps" "$cap")"
	cpu="$(awk -v a="$c0" -v b="$c1" -v hz="$hz" 'BEGIN { printf "%.3f", (b - a) / hz }')"
	# Bytes the sender's wire carried in the CPU window.
	local b0 b1
	b0="$(grep -o '"tx":{"bytes":[0-9]*' "$LAB_DIR/$name.l0" | grep -o '[0-9]*$')"
	b1="$(grep -o '"tx":{"bytes":[0-9]*' "$LAB_DIR/$name.l1" | grep -o '[0-9]*$')"
	printf '%s|%s|%s|%s|%s|%s\n' "$name" "$cpu" "$(awk -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.2f", t1 - t0 }')" \
		"$(awk -v a="$b0" -v b="$b1" -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.1f", (b - a) * 8 / (t1 - t0) / 1e6 }')" \
		"$(hwm_kb "$@")" "$g" >>"$LAB_DIR/results"
}

# --- sixcast: one process, N channels ---
{
	if [ "${EDGE_MESH:-off}" = on ]; then
		echo 'edge: { interface = "eth0"; http = ""; mesh = { enabled = true; }; };'
		echo "ret: { key = \"$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')\"; };"
	else
		echo 'edge: { interface = "eth0"; http = ""; };'
	fi
	# RET and burst caches are on by default; EDGE_RET=off measures without.
	[ "${EDGE_RET:-on}" = off ] && echo 'ret: { listen = ""; };'
	echo 'channels = ('
	for ((i = 1; i <= nch; i++)); do
		printf '  { id = %d; name = "bench %d"; source = "file:%s"; }%s\n' "$i" "$i" "$ts" \
			"$([ "$i" -lt "$nch" ] && echo ,)"
	done
	echo ');'
} >"$LAB_DIR/edge.conf"
lab_bg c1 "$LAB_DIR/edge.log" "$edge" -c "$LAB_DIR/edge.conf"
epid="$(pgrep -n -f "sixcast-mcast-server -c $LAB_DIR/edge.conf")"
measure sixcast "$epid"
kill "$epid"
sleep 1

# --- multicat: N processes ---
mpids=()
for ((i = 1; i <= nch; i++)); do
	lab_bg c1 /dev/null multicat -p "$pcr_pid" -t 16 "$ts" "[ff3e::8000:$(printf %x "$i")]:5000/ifindex=$idx"
done
sleep 1
mapfile -t mpids < <(pgrep -f "multicat -p $pcr_pid -t 16 $ts")
measure multicat "${mpids[@]}"
kill "${mpids[@]}" 2>/dev/null

echo
echo "edge benchmark: $nch channels of 8 Mb/s; CPU over ${cap_secs}s after ${warm}s warm-up, then pacing over ${cap_secs}s"
printf '%-9s %9s %9s %12s %10s %10s %10s %10s %9s\n' tool "Mb/s" "CPU s" "CPU s/Gb/s" "RSS MB" \
	"dev p50us" "dev p99us" "dev maxus" "burst1ms"
while IFS='|' read -r name cpu wall mbps hwm g; do
	gbit="$(awk -v m="$mbps" -v w="$wall" 'BEGIN { printf "%.4f", m * w / 1000 }')"
	printf '%-9s %9s %9s %12s %10s %10s %10s %10s %9s\n' "$name" "$mbps" "$cpu" \
		"$(awk -v c="$cpu" -v g="$gbit" 'BEGIN { printf "%.3f", (g > 0 ? c / g : 0) }')" \
		"$(awk -v k="$hwm" 'BEGIN { printf "%.1f", k / 1024 }')" \
		"$(sed -n 's/.*dev_p50_us=\([0-9.]*\).*/\1/p' <<<"$g")" \
		"$(sed -n 's/.*dev_p99_us=\([0-9.]*\).*/\1/p' <<<"$g")" \
		"$(sed -n 's/.*dev_max_us=\([0-9.]*\).*/\1/p' <<<"$g")" \
		"$(sed -n 's/.*burst_1ms=\([0-9]*\).*/\1/p' <<<"$g")"
done <"$LAB_DIR/results"
