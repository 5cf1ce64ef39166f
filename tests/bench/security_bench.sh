#!/bin/bash
# security_bench: what the UDP protocols' security gives and costs, as
# markdown tables (docs/security.md quotes them).
#
#   sudo tests/bench/security_bench.sh [BUILD_DIR] [SECONDS]
#
# 1. In-process: build/tests/bench/sec_bench (the attacks driven through
#    the libraries on a fake clock, and the cost of sealing and opening a
#    repair).
# 2. In the namespace lab: the attack suite (tests/security/repair_attacks.sh
#    and mesh_attacks.sh) run against the real daemons; per attack class
#    the bytes answered per byte of attack, and the victims' recordings
#    through the attacks (TS packets, continuity errors).
# 3. The box: CPU (share of one core, from /proc/PID/stat) and memory (RSS,
#    PSS, peak RSS) of sixcast-client on an 8 Mb/s channel under 5% loss
#    (independent nftables loss on each box, so that it asks for and
#    serves repairs), three boxes in one group, over SECONDS (default 20);
#    then the same box while an attacker floods its repair port with
#    garbage and made-up certificates (3000 datagrams a second). The
#    budget is 2.5% of a core and 8 MB.
# About 4 minutes. Needs root (network namespaces), like the lab tests.
set -u
top="$(cd "$(dirname "$0")/../.." && pwd)"
B="$(cd "${1:-$top/build}" && pwd)"
DUR="${2:-20}"
export top_srcdir="$top" top_builddir="$B"
[ -x "$B/tests/bench/sec_bench" ] || { echo "not built: $B/tests/bench/sec_bench" >&2; exit 1; }

echo "## 1. In-process: the libraries under attack (sec_bench, fake clock)"
echo
"$B/tests/bench/sec_bench" || exit 1
echo

echo "## 2. In the namespace lab: the attack suite against the real daemons"
echo
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
for t in repair_attacks mesh_attacks; do
	SEC_FIGURES="$OUT/$t.fig" bash "$top/tests/security/$t.sh" >"$OUT/$t.log" 2>&1
	rc=$?
	if [ $rc != 0 ]; then
		echo "$t: exit $rc"
		tail -5 "$OUT/$t.log"
		exit 1
	fi
done
echo "| lab | attack | datagrams | bytes in | bytes answered | answered per byte in | bar |"
echo "|---|---|---|---|---|---|---|"
for t in repair_attacks mesh_attacks; do sed "s/^|/| $t |/" "$OUT/$t.fig"; done
echo
echo "Bytes answered: what came back to the attacker's socket, or what reached"
echo "the spoofed victim (nftables counters on its wire; for random spoofed"
echo "sources, what the daemons sent there). Bar 0: replays and forgeries; <= 1:"
echo "a request from an address not validated may get one challenge no larger"
echo "than itself."
echo
echo "| lab | box | recorded through the attacks (TS packets) | continuity errors |"
echo "|---|---|---|---|"
for t in repair_attacks mesh_attacks; do
	sed -n 's/^  \(m[0-9]*h[0-9]*\) recorded through the attacks: packets=\([0-9]*\).* cc_errors=\([0-9]*\).*/| '"$t"' | \1 | \2 | \3 |/p' \
		"$OUT/$t.log"
done
echo
echo "Run times: $(for t in repair_attacks mesh_attacks; do sed -n 's/^PASS (\(.*\))/'"$t"' \1/p' "$OUT/$t.log"; done | paste -sd, -)"
echo

rm -rf "$OUT"
echo "## 3. The box: sixcast-client on an 8 Mb/s channel"
echo
. "$top/tests/lab/lab.sh"
lab_up 3 2 2 >/dev/null 2>&1
. "$top/tests/integration/client_lib.sh"
cl_mgmt_start
CL_PATTERN=snow cl_clip "$LAB_DIR/clip.ts" 8000 10
rate=$(($(stat -c %s "$LAB_DIR/clip.ts") * 8 / 10 / 1000))
cl_edge_start "{ id = 1; name = \"Bench\"; source = \"file:$LAB_DIR/clip.ts\"; }"
lab_wait_querier || exit 99
BOXES=(m1h1 m2h1 m3h1)
for b in "${BOXES[@]}"; do
	lab_loss "$b" 5
	cl_box_start "$b"
done
for b in "${BOXES[@]}"; do cl_wait_playing "$b" || lab_fail "$b does not play"; done
hz=$(getconf CLK_TCK)
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
mem() { # PID -> "RSS PSS peak" in kB
	echo "$(awk '/^VmRSS/ { print $2 }' "/proc/$1/status") $(awk '/^Pss:/ { print $2 }' "/proc/$1/smaps_rollup")" \
		"$(awk '/^VmHWM/ { print $2 }' "/proc/$1/status")"
}
repairs() { stb "$1" stats | jf '"%d / %d / %d / %d" % (j["repair"]["gaps"], j["repair"]["repaired_peer"], j["repair"]["repaired_ret"], j["repair"]["repairs_sent"])'; }
table() { # DESCRIPTION: measure the boxes over DUR s, print the rows
	local b p cpu rss pss hwm ok
	declare -A T0
	for b in "${BOXES[@]}"; do T0[$b]=$(ticks "${CL_PID[$b]}"); done
	sleep "$DUR"
	for b in "${BOXES[@]}"; do
		p="${CL_PID[$b]}"
		cpu="$(awk -v a="${T0[$b]}" -v b="$(ticks "$p")" -v h="$hz" -v s="$DUR" 'BEGIN { printf "%.2f", (b - a) / h / s * 100 }')"
		read -r rss pss hwm <<<"$(mem "$p")"
		ok="$(awk -v c="$cpu" -v r="$rss" 'BEGIN { print (c <= 2.5 && r <= 8192) ? "yes" : "NO" }')"
		echo "| $b | $1 | $cpu | $rss | $pss | $hwm | $(repairs "$b") | $ok |"
	done
}
sleep 3 # past the start-up (zap, grouping, first round trips)
echo "clip $rate kb/s, $DUR s per row; budget: 2.5% of a core, 8 MB (8192 kB) RSS; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| box | network | CPU (% of a core) | RSS kB | PSS kB | peak RSS kB | gaps / repaired by peers / by RET / repairs served (since the start) | within budget |"
echo "|---|---|---|---|---|---|---|---|"
table "5% loss"
for b in "${BOXES[@]}"; do lab_loss_clear "$b"; done
table "no loss"
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg) (2 cores, shared)"
echo
# The same box while an attacker floods its repair port.
for b in "${BOXES[@]}"; do lab_loss "$b" 5; done
b=m1h1 p="${CL_PID[m1h1]}" id="$(stb m1h1 status | jf 'j["client_id"]')"
iss="$(noc "/groups/$(stb m1h1 status | jf 'j["repair_group"]["id"]')" | jf 'j["members"][0]["cert"][24:32]')"
t0=$(ticks "$p")
lab_exec m1h2 python3 "$top/tests/security/udp_attack.py" garbage --targets "[$(lab_addr6 m1h1)]:5100#$id" \
	--issuer "$iss" --rate 3000 --duration "$DUR" | tail -1 >"$LAB_DIR/flood.json"
cpu="$(awk -v a="$t0" -v b="$(ticks "$p")" -v h="$hz" -v s="$DUR" 'BEGIN { printf "%.2f", (b - a) / h / s * 100 }')"
read -r rss pss hwm <<<"$(mem "$p")"
echo "Under a flood of garbage and made-up certificates (5% loss; 3000 datagrams a second to its repair port," \
	"$(jf 'j["sent"]' <"$LAB_DIR/flood.json") in $DUR s):"
echo
echo "| box | CPU (% of a core) | RSS kB | PSS kB | peak RSS kB | repair port: malformed / refused by the session |"
echo "|---|---|---|---|---|---|"
echo "| $b under the flood | $cpu | $rss | $pss | $hwm | $(stb m1h1 stats | jf '"%d / %d" % (j["repair_port"]["malformed"], sum(j["repair"][k] for k in ("malformed", "auth_failed", "non_member", "unsupported", "replayed", "unknown_sender", "revoked")))') |"
