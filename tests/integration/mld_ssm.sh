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
	local fam="$1" group port right wrong got wire
	if [ "$fam" = 6 ]; then
		port=5006 group="[ff3e::8000:7]:$port" right="$(lab_addr6 c1)" wrong=2001:db8::99
	else
		port=5004 group="232.1.0.7:$port" right="$(lab_addr4 c1)" wrong=10.0.0.99
	fi
	# An any-source join on the SSM group is refused, with the reason.
	if lab_exec m1h2 "$probe" recv -g "$group" -i eth0 -t 1 >"$LAB_DIR/asm$fam.log" 2>&1; then
		lab_fail "IPv$fam: an any-source join on $group was accepted"
	fi
	grep -q "source-specific (SSM) group needs its source" "$LAB_DIR/asm$fam.log" ||
		lab_fail "IPv$fam: refusal without the reason: $(cat "$LAB_DIR/asm$fam.log")"

	lab_count_start m2h1 "$port"
	lab_bg m1h1 "$LAB_DIR/right$fam.log" "$probe" recv -g "$group" -i eth0 -s "$right" -t 4
	lab_bg m2h1 "$LAB_DIR/wrong$fam.log" "$probe" recv -g "$group" -i eth0 -s "$wrong" -t 4
	for _ in $(seq 50); do
		[ "$(cat "$LAB_DIR/right$fam.log" "$LAB_DIR/wrong$fam.log" | grep -c '^joined')" = 2 ] && break
		sleep 0.1
	done
	sleep 0.5 # the reports cross both bridges
	lab_exec c1 "$probe" send -g "$group" -i eth0 -n "$COUNT" -r "$RATE" >"$LAB_DIR/send$fam.log" ||
		lab_fail "IPv$fam sender failed: $(cat "$LAB_DIR/send$fam.log")"
	wait
	echo "IPv$fam right source ($right): $(tail -1 "$LAB_DIR/right$fam.log")"
	echo "IPv$fam wrong source ($wrong): $(tail -1 "$LAB_DIR/wrong$fam.log"), on its wire: $(lab_count m2h1)"
	lab_mdb core | grep -F "${group%:*}" | tr -d '[]' || true
	got="$(sed -n 's/.*unique=\([0-9]*\).*/\1/p' "$LAB_DIR/right$fam.log")"
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
