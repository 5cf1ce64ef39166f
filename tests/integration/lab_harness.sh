#!/bin/bash
# lab_harness: proves the namespace lab itself before anything is built on it.
#
# A sender in metro 1 emits numbered RTP to an IPv6 SSM group and an IPv4
# SSM group; receivers in metros 2 and 3 join source-specific, one of them
# under 5% nftables loss. Checks: the clean receiver gets every packet, the
# lossy one loses within binomial bounds, and hosts that did not join
# (one beside the sender, one beside a receiver) see none of the traffic on
# their wire once the querier has settled, i.e. snooping filters.
set -u
. "${top_srcdir:-.}/tests/lab/lab.sh"
probe="${top_builddir:-.}/tests/tools/mcprobe"
[ -x "$probe" ] || { echo "mcprobe not built" >&2; exit 99; }

lab_up 3 2
lab_wait_querier || exit 99

COUNT=1000
RATE=500
LOSS=5
lab_loss m3h1 "$LOSS"

run_family() {
	local fam="$1" group addr src port
	if [ "$fam" = 6 ]; then
		port=5006
		addr=ff3e::8000:1
		group="[$addr]:$port"
		src="$(lab_addr6 m1h1)"
	else
		port=5004
		addr=232.1.1.1
		group="$addr:$port"
		src="$(lab_addr4 m1h1)"
	fi
	for h in m1h2 m3h2; do
		lab_count_start "$h" "$port"
	done
	# The receivers run until told (600 s is a guard): they stop once the
	# clean one has counted every packet, and count what their sockets
	# still hold, however late the machine ran them.
	local pids=()
	for h in m2h1 m3h1; do
		lab_bg "$h" "$LAB_DIR/recv$fam-$h.log" "$probe" recv -g "$group" -i eth0 -s "$src" -t 600 --progress 100
		pids+=("$LAB_LAST_PID")
	done
	# Both receivers joined, and their reports reached the bridges.
	lab_wait_log "$LAB_DIR/recv$fam-m2h1.log" '^joined'
	lab_wait_log "$LAB_DIR/recv$fam-m3h1.log" '^joined'
	lab_wait_mdb m2 "$addr" m2h1
	lab_wait_mdb m3 "$addr" m3h1
	lab_wait_mdb core "$addr" dn2 dn3
	lab_exec m1h1 "$probe" send -g "$group" -i eth0 -n "$COUNT" -r "$RATE" >"$LAB_DIR/send$fam.log" ||
		lab_fail "IPv$fam sender failed: $(cat "$LAB_DIR/send$fam.log")"
	lab_wait_log "$LAB_DIR/recv$fam-m2h1.log" "^progress unique=$COUNT " "IPv$fam: all $COUNT packets at the clean receiver"
	kill -TERM "${pids[@]}"
	wait "${pids[@]}"
	echo "IPv$fam m2h1: $(tail -1 "$LAB_DIR/recv$fam-m2h1.log")"
	echo "IPv$fam m3h1 ($LOSS% loss): $(tail -1 "$LAB_DIR/recv$fam-m3h1.log")"
	echo "IPv$fam not joined: m1h2 saw $(lab_count m1h2), m3h2 saw $(lab_count m3h2)"
	lab_mdb core | grep -E "ff3e::8000:1|232.1.1.1" || true

	local got lossy
	got="$(sed -n 's/^received=.* unique=\([0-9]*\).*/\1/p' "$LAB_DIR/recv$fam-m2h1.log")"
	lossy="$(sed -n 's/^received=.* unique=\([0-9]*\).*/\1/p' "$LAB_DIR/recv$fam-m3h1.log")"
	[ "$got" = "$COUNT" ] || lab_fail "IPv$fam: clean receiver got ${got:-nothing} of $COUNT"
	# 5% of 1000: mean 50 lost, sd 6.9; accept 5 sd either way.
	[ -n "$lossy" ] && [ "$lossy" -ge 915 ] && [ "$lossy" -le 985 ] ||
		lab_fail "IPv$fam: lossy receiver got ${lossy:-nothing} of $COUNT, expected 915..985"
	[ "$(lab_count m1h2)" = 0 ] || lab_fail "IPv$fam: m1h2 did not join but saw $(lab_count m1h2) datagrams"
	[ "$(lab_count m3h2)" = 0 ] || lab_fail "IPv$fam: m3h2 did not join but saw $(lab_count m3h2) datagrams"
	for h in m1h2 m3h2; do lab_count_stop "$h"; done
}

run_family 6
run_family 4
echo "PASS: lab delivers, loses as told, and snooping filters"
