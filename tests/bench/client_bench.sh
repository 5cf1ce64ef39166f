#!/bin/bash
# client_bench: the set-top box end to end in the namespace lab, side by
# side with RIST, under the same nftables loss, in the same run.
#
#   sudo tests/bench/client_bench.sh [BUILD_DIR] [SECONDS_PER_POINT] [LOSSES]
#
# 3 metros x 5 boxes. The edge emits an 8 Mb/s H.264/AAC clip (GOP 1 s) on
# an SSM group for sixcast-client, and the same clip on an IPv4 ASM group that
# ristsender (main profile, on its own core host) takes and sends to every
# box; a ristreceiver runs beside each sixcast-client with the
# same 300 ms buffer, fed by unicast from ristsender. Each box drops LOSS% of the UDP it receives (both
# systems' data, repairs and requests alike) with nftables, independently,
# or drops everything for bursts of about 10, 50 or 200 packets once a
# second. Printed per point:
#   residual loss at the output (sixcast: unrepaired/delivered RTP packets;
#   RIST: lost/received as ristreceiver counts them; no repair: what the
#   network lost before repair), repair latency p50/p99 (sixcast), duplicate
#   repairs per repaired packet, the share of repairs served by the edge.
# Then zap times (tune to first packet out, to first decoded frame) with and
# without the burst, and the client's CPU% and RSS beside ristreceiver's.
set -u
top="$(cd "$(dirname "$0")/../.." && pwd)"
B="$(cd "${1:-$top/build}" && pwd)"
DUR="${2:-20}"
LOSSES="${3:-1 5 10 20}"
BURSTS="${BURSTS:-10 50 200}"
export top_srcdir="$top" top_builddir="$B"
. "$top/tests/lab/lab.sh"
command -v ristreceiver >/dev/null || lab_skip "rist-tools is missing"
METROS=3 PER=5
lab_up $METROS $PER 3
. "$top/tests/integration/client_lib.sh"
cl_mgmt_start
echo "encoding an 8 Mb/s clip..."
CL_PATTERN=snow cl_clip "$LAB_DIR/clip.ts" 8000 10
echo "clip: $(($(stat -c %s "$LAB_DIR/clip.ts") * 8 / 10 / 1000)) kb/s"
cl_edge_start "{ id = 1; name = \"Bench\"; source = \"file:$LAB_DIR/clip.ts\"; }" \
	"{ id = 2; name = \"Zap\"; source = \"file:$LAB_DIR/clip.ts\"; }" \
	"{ id = 3; name = \"For RIST\"; source = \"file:$LAB_DIR/clip.ts\"; ipv6 = false; ipv4 = true; group4 = \"239.1.0.3\"; }"
lab_wait_querier || exit 99
BOXES=()
for m in $(seq $METROS); do for h in $(seq $PER); do BOXES+=("m${m}h$h"); done; done
# The zapping box decodes (fakesink) to time the first decoded frame.
PLAY='play = true; video_sink = "fakesink"; audio_sink = "fakesink";'
zapper=m1h1
for b in "${BOXES[@]}"; do
	if [ "$b" = $zapper ]; then CL_OUTPUTS="$PLAY" cl_box_start "$b"; else cl_box_start "$b"; fi
done

# RIST: a sender on c3 takes the ASM copy and sends it to each box by
# unicast (RIST's own deployment: point to point, every repair from the
# sender); a ristreceiver beside each sixcast-client. (RIST multicast did
# not repair here: librist 0.2.7 receivers could not open an IPv6 multicast
# socket, and over IPv4 multicast the sender retransmitted nothing.)
outs=""
for b in "${BOXES[@]}"; do outs="$outs${outs:+,}rist://[$(lab_addr6 "$b")]:6000"; done
lab_bg c3 "$LAB_DIR/ristsender.log" ristsender -p 1 -b 300 -S 1000 \
	-i "rtp://@239.1.0.3:5000?miface=eth0" -o "$outs"
declare -A RPID
for b in "${BOXES[@]}"; do
	lab_bg "$b" "$LAB_DIR/$b.rist" ristreceiver -p 1 -b 300 -S 1000 \
		-i "rist://@[::]:6000" -o "udp://127.0.0.1:7000"
	RPID[$b]=$LAB_LAST_PID
done
for b in "${BOXES[@]}"; do cl_wait_playing "$b" || { tail -n 5 "$LAB_DIR/$b.log" "$LAB_DIR/edge.log"; lab_fail "$b does not play"; }; done
sleep 2

snap() { # -> one line per box: gaps delivered unrepaired peer ret dups received p50 p99
	local b
	for b in "${BOXES[@]}"; do
		stb "$b" stats | jf '" ".join(str(x) for x in [j["repair"][k] for k in ("gaps", "delivered", "unrepaired", "repaired_peer", "repaired_ret", "duplicates", "received")] + [j["repair"]["repair_latency_p50_ms"], j["repair"]["repair_latency_p99_ms"]])'
	done
}
rist_mark() { local b; for b in "${BOXES[@]}"; do wc -l <"$LAB_DIR/$b.rist"; done; }
# RIST counters of the stats lines after a mark (per-interval counters).
rist_sum() { # MARKS...
	local i=0 b
	for b in "${BOXES[@]}"; do
		tail -n +"$((${MARK[$i]} + 1))" "$LAB_DIR/$b.rist"
		i=$((i + 1))
	done | python3 -c '
import json, sys
rx = lost = rec = 0
for line in sys.stdin:
    k = line.find("{\"receiver-stats\"")
    if k < 0:
        continue
    try:
        f = json.loads(line[k:])["receiver-stats"]["flowinstant"]["stats"]
    except Exception:
        continue
    rx += f.get("received", 0); lost += f.get("lost", 0); rec += f.get("recovered_total", f.get("recovered", 0))
print(rx, lost, rec)'
}

set_loss() { # MODE VALUE: "pct 5" or "burst 50"
	local b
	pkill -f "lab-burst-$LAB_ID" 2>/dev/null
	for b in "${BOXES[@]}"; do
		if [ "$1" = pct ]; then
			lab_loss "$b" "$2"
		else
			lab_loss_clear "$b"
			# about $2 packets of 8 Mb/s (760/s) once a second, random phase
			local ms=$(($2 * 1000 / 760))
			bash -c "exec -a lab-burst-$LAB_ID bash -c 'sleep 0.\$((RANDOM % 10)); while :; do
				ip netns exec $(lab_ns "$b") nft add table inet lab 2>/dev/null
				ip netns exec $(lab_ns "$b") nft add chain inet lab input \"{ type filter hook input priority 0; policy accept; }\" 2>/dev/null
				ip netns exec $(lab_ns "$b") nft add rule inet lab input meta l4proto udp drop
				sleep $(awk -v m=$ms 'BEGIN { printf "%.3f", m / 1000 }')
				ip netns exec $(lab_ns "$b") nft flush chain inet lab input
				sleep 1; done'" &
		fi
	done
}

printf '\n%-10s | %-36s | %-22s | %-12s\n' "loss" "sixcast: residual  p50/p99 ms  dup/rep  edge%" "RIST: residual  recov" "no repair"
point() { # MODE VALUE LABEL
	set_loss "$1" "$2"
	sleep 3
	local a z r
	a="$(snap)"
	mapfile -t MARK < <(rist_mark)
	sleep "$DUR"
	z="$(snap)"
	r="$(rist_sum)"
	python3 - "$3" "$r" <<PY
import sys
a = [list(map(float, l.split())) for l in """$a""".splitlines()]
z = [list(map(float, l.split())) for l in """$z""".splitlines()]
d = [[zz - aa for zz, aa in zip(zr[:7], ar[:7])] for zr, ar in zip(z, a)]
gaps, deliv, unrep, peer, ret, dups, rx = (sum(x[i] for x in d) for i in range(7))
p50 = sorted(x[7] for x in z)[len(z) // 2]; p99 = max(x[8] for x in z)
rep = peer + ret
rrx, rlost, rrec = map(float, sys.argv[2].split())
print("%-10s | %-9.2e %6.1f/%-6.1f %6.2f %6.2f%% | %-9.2e %8d   | %-9.2e" % (
    sys.argv[1], unrep / max(deliv + unrep, 1), p50, p99, dups / max(rep, 1), 100 * ret / max(rep, 1),
    rlost / max(rrx + rlost, 1), rrec, gaps / max(rx + gaps, 1)))
PY
}
for l in $LOSSES; do point pct "$l" "$l%"; done
for n in $BURSTS; do point burst "$n" "burst$n"; done
set_loss pct 0
pkill -f "lab-burst-$LAB_ID" 2>/dev/null

# Zap: 10 changes between channels 1 and 2 on one box, with and without
# the burst (fast_zap), no loss.
zaps() {
	local i ch st
	for i in $(seq 10); do
		ch=$((i % 2 + 1))
		stb "$zapper" tune "$ch" >/dev/null
		cl_wait_playing "$zapper" "$ch"
		for _ in $(seq 30); do
			st="$(stb "$zapper" status)"
			[ "$(jf 'j["zap"].get("first_frame_ms", -1) >= 0' <<<"$st")" = True ] && break
			sleep 0.1
		done
		jf '"%.1f %.1f" % (j["zap"]["first_output_ms"], j["zap"].get("first_frame_ms", -1))' <<<"$st"
		sleep 1.5
	done | python3 -c '
import sys
v = [list(map(float, l.split())) for l in sys.stdin if l.strip()]
o = sorted(x[0] for x in v); f = sorted(x[1] for x in v)
print("first TS out: median %.0f ms, max %.0f ms; first decoded frame: median %.0f ms, max %.0f ms" % (o[len(o)//2], o[-1], f[len(f)//2], f[-1]))'
}
echo
echo "zap with burst:    $(zaps)"
kill "${CL_PID[$zapper]}"; wait "${CL_PID[$zapper]}" 2>/dev/null
CL_OUTPUTS="$PLAY" cl_box_start "$zapper" "fast_zap = false;"
cl_wait_playing "$zapper"
echo "zap without burst: $(zaps)"

# CPU and memory over 10 s at no loss, one box.
cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
mem() { # PID: RSS, PSS, private (USS) and shared kB (tests/bench/client_rss.sh: per mapping)
	awk '/^Rss:/ { r = $2 } /^Pss:/ { p = $2 } /^Private_(Clean|Dirty):/ { u += $2 } /^Shared_(Clean|Dirty):/ { sh += $2 }
		END { printf "RSS %d kB, PSS %d kB, private %d kB, shared %d kB", r, p, u, sh }' "/proc/$1/smaps_rollup"
}
cp=${CL_PID[m2h2]} rp=${RPID[m2h2]}
c0=$(cpu "$cp") r0=$(cpu "$rp")
sleep 10
c1=$(cpu "$cp") r1=$(cpu "$rp")
hz=$(getconf CLK_TCK)
pct() { awk -v a="$1" -v b="$2" -v h="$hz" 'BEGIN { printf "%.1f%%", (b - a) / h / 10 * 100 }'; }
echo
echo "one box, 8 Mb/s channel, no loss, 10 s:"
echo "  sixcast-client: CPU $(pct "$c0" "$c1"), $(mem "$cp"), peak RSS $(awk '/VmHWM/ { print $2 }' /proc/$cp/status) kB"
echo "  ristreceiver:   CPU $(pct "$r0" "$r1"), $(mem "$rp"), peak RSS $(awk '/VmHWM/ { print $2 }' /proc/$rp/status) kB"
