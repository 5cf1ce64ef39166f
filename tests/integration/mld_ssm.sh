#!/bin/bash
# mld_ssm: source-specific joins through libsixcast-igmp-mld, both families.
#
# c1 sends to an SSM group. m1h1 joins with c1 as the source and must get
# every packet; m2h1 joins the same group with another source and must get
# none, neither on its socket nor on its wire (the snooping bridges forward
# (S,G) by source). m1h2 tries an any-source join on the SSM group and must
# be refused with a clear message, since Linux would accept it and then
# receive nothing through an SSM network.
set -u
. "${top_srcdir:-.}/tests/lab/lab.sh"
probe="${top_builddir:-.}/tests/tools/mcprobe"
[ -x "$probe" ] || { echo "mcprobe not built" >&2; exit 99; }

lab_up 2 2
lab_wait_querier || exit 99

COUNT=1000
RATE=500

run_family() {
	local fam="$1" group addr port right wrong got wire rpid wpid
	if [ "$fam" = 6 ]; then
		port=5006 addr=ff3e::8000:7 right="$(lab_addr6 c1)" wrong=2001:db8::99
		group="[$addr]:$port"
	else
		port=5004 addr=232.1.0.7 right="$(lab_addr4 c1)" wrong=10.0.0.99
		group="$addr:$port"
	fi
	# An any-source join on the SSM group is refused, with the reason.
	if lab_exec m1h2 "$probe" recv -g "$group" -i eth0 -t 1 >"$LAB_DIR/asm$fam.log" 2>&1; then
		lab_fail "IPv$fam: an any-source join on $group was accepted"
	fi
	grep -q "source-specific (SSM) group needs its source" "$LAB_DIR/asm$fam.log" ||
		lab_fail "IPv$fam: refusal without the reason: $(cat "$LAB_DIR/asm$fam.log")"

	lab_count_start m2h1 "$port"
	# The receivers run until told to stop (-t is only a guard).
	lab_bg m1h1 "$LAB_DIR/right$fam.log" "$probe" recv -g "$group" -i eth0 -s "$right" -t 600 --progress 100
	rpid=$LAB_LAST_PID
	lab_bg m2h1 "$LAB_DIR/wrong$fam.log" "$probe" recv -g "$group" -i eth0 -s "$wrong" -t 600
	wpid=$LAB_LAST_PID
	lab_wait_log "$LAB_DIR/right$fam.log" '^joined'
	lab_wait_log "$LAB_DIR/wrong$fam.log" '^joined'
	# Both joins have crossed both bridges.
	lab_wait_mdb m1 "$addr" m1h1
	lab_wait_mdb m2 "$addr" m2h1
	lab_wait_mdb core "$addr" dn1 dn2
	lab_exec c1 "$probe" send -g "$group" -i eth0 -n "$COUNT" -r "$RATE" >"$LAB_DIR/send$fam.log" ||
		lab_fail "IPv$fam sender failed: $(cat "$LAB_DIR/send$fam.log")"
	# The whole stream at the right-source receiver, then both stop.
	lab_wait_log "$LAB_DIR/right$fam.log" "^progress unique=$COUNT " "all $COUNT packets at the right-source receiver"
	kill -TERM "$rpid" "$wpid"
	wait "$rpid" "$wpid"
	lab_wait_log "$LAB_DIR/right$fam.log" '^received=' "the right-source receiver's totals"
	lab_wait_log "$LAB_DIR/wrong$fam.log" '^received=' "the wrong-source receiver's totals"
	echo "IPv$fam right source ($right): $(tail -1 "$LAB_DIR/right$fam.log")"
	echo "IPv$fam wrong source ($wrong): $(tail -1 "$LAB_DIR/wrong$fam.log"), on its wire: $(lab_count m2h1)"
	lab_mdb core | grep -F " $addr " || true
	got="$(sed -n 's/^received=.*unique=\([0-9]*\).*/\1/p' "$LAB_DIR/right$fam.log")"
	[ "$got" = "$COUNT" ] || lab_fail "IPv$fam: the right-source receiver got ${got:-nothing} of $COUNT"
	got="$(sed -n 's/^received=\([0-9]*\).*/\1/p' "$LAB_DIR/wrong$fam.log")"
	[ "$got" = 0 ] || lab_fail "IPv$fam: the wrong-source receiver got $got datagrams"
	wire="$(lab_count m2h1)"
	[ "$wire" = 0 ] || lab_fail "IPv$fam: $wire datagrams reached the wrong-source host's wire"
	lab_count_stop m2h1
}

run_family 6
run_family 4
echo "PASS: SSM with the right source delivers all, with a wrong source nothing"
