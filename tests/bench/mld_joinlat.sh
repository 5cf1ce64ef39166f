#!/bin/bash
# mld_joinlat: join-to-first-packet latency in the namespace lab, median and
# p99 over 50 joins, per family: through libsixcast-igmp-mld (plain, and
# with MLD_RECV_FAST_JOIN) and through a bare setsockopt join (the
# reference: what any receiver does).
#
#   sudo tests/bench/mld_joinlat.sh [BUILD_DIR] [JOINS]
#
# Topology: the sender c1 on the core bridge (the querier), the receiver
# m1h1 behind the metro bridge m1, so a join crosses two snooping bridges.
# The sender runs at RATE packets/s (default 1000, so the stream adds at
# most 1 ms); between joins the receiver waits for the pruned path (see
# bench_mld_joinlat.c). The last-member interval is cut to 0.1 s so that a
# leave prunes quickly. Not run by make check.
set -u
build="${1:-build}"
joins="${2:-50}"
RATE="${RATE:-1000}"
top_srcdir="$(cd "$(dirname "$0")/../.." && pwd)"
build="$(cd "$build" && pwd)"
export LAB_LAST_MEMBER=10
. "$top_srcdir/tests/lab/lab.sh"
probe="$build/tests/tools/mcprobe"
bench="$build/tests/bench/bench_mld_joinlat"
[ -x "$probe" ] && [ -x "$bench" ] || { echo "build first: make -C $build" >&2; exit 2; }

lab_up 1 1
lab_wait_querier || exit 99
echo "kernel $(uname -r); sender at $RATE pkt/s; $joins joins per line"

run() {
	local fam="$1" how="$2" group src sender
	if [ "$fam" = 6 ]; then
		group='[ff3e::8000:10]:5000' src="$(lab_addr6 c1)"
	else
		group='232.1.0.10:5000' src="$(lab_addr4 c1)"
	fi
	# A sender long enough for the whole series (mcprobe counts to 65536).
	lab_bg c1 "$LAB_DIR/send.log" "$probe" send -g "$group" -i eth0 -n 65536 -r "$RATE"
	sender=$LAB_LAST_PID
	lab_exec m1h1 "$bench" -g "$group" -s "$src" -i eth0 -n "$joins" $how >"$LAB_DIR/lat.log" ||
		{ cat "$LAB_DIR/lat.log"; lab_fail "benchmark failed"; }
	kill "$sender" 2>/dev/null
	wait "$sender" 2>/dev/null
	printf 'IPv%s %s\n' "$fam" "$(tail -1 "$LAB_DIR/lat.log")"
}

for fam in 6 4; do
	run "$fam" ""
	run "$fam" --fast
	run "$fam" --raw
done
