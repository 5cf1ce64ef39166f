#!/bin/bash
# mld_watch: sixcast-mldmon on the core bridge sees a host join and leave,
# in both families, and the bridges' multicast databases agree.
#
# m1h1 joins an IPv6 SSM channel (two sources), an IPv4 SSM channel and an
# IPv6 any-source group for a few seconds. The watcher, in the fabric
# namespace on "core", must report the joins (MLDv2 ALLOW / TO_EX, IGMPv3
# ALLOW) from m1h1's addresses; its table (SIGUSR1) must list m1h1 under each
# group with the right mode and sources; `bridge mdb` must show the groups
# on m1h1's ports; the host's own view (mldmon --memberships) must too. When
# the receiver exits, the leaves must show up and the mdb entries must go.
# On SIGTERM the watcher exits 0 with a final table.
set -u
. "${top_srcdir:-.}/tests/lab/lab.sh"
probe="${top_builddir:-.}/tests/tools/mcprobe"
mon="${top_builddir:-.}/igmp-mld/sixcast-mldmon"
[ -x "$probe" ] && [ -x "$mon" ] || { echo "mcprobe or sixcast-mldmon not built" >&2; exit 99; }

lab_up 1 2
lab_wait_querier || exit 99

# The watcher runs in the bridges' namespace; lab_down kills it if we fail.
ip netns exec "$LAB_FAB" "$mon" -i core --json >"$LAB_DIR/mon.json" 2>"$LAB_DIR/mon.err" &
monpid=$!
LAB_PIDS+=("$monpid")
lab_wait_log "$LAB_DIR/mon.err" "listening on core" "start of mldmon"

ll6="$(lab_exec m1h1 ip -6 -o addr show dev eth0 scope link | awk '{ sub(/\/.*/, "", $4); print $4 }')"
v4="$(lab_addr4 m1h1)"
src6a="$(lab_addr6 c1)"
src6b=2001:db8::99
src4="$(lab_addr4 c1)"
[ -n "$ll6" ] || lab_fail "no link-local address on m1h1"

# Three receivers on m1h1, until the test has looked at them (-t is only a
# guard), then they leave. The any-source one joins first: the kernel's
# /proc/net/mcfilter6 listing skips an interface whose newest group has no
# source filter (mld_memb.h), and the check of the host's own view below
# wants to see the sources.
lab_bg m1h1 "$LAB_DIR/ra.log" "$probe" recv -g '[ff05::8000:2]:5000' -i eth0 -t 600
recv_pids=("$LAB_LAST_PID")
lab_wait_log "$LAB_DIR/ra.log" '^joined' "any-source join on m1h1"
lab_bg m1h1 "$LAB_DIR/r6.log" "$probe" recv -g '[ff3e::8000:1]:5000' -i eth0 -s "$src6a,$src6b" -t 600
recv_pids+=("$LAB_LAST_PID")
lab_bg m1h1 "$LAB_DIR/r4.log" "$probe" recv -g '232.1.0.1:5000' -i eth0 -s "$src4" -t 600
recv_pids+=("$LAB_LAST_PID")

# wait_for FILE STRING WHAT: until a line of FILE holds the fixed STRING.
_has() { grep -qF -- "$2" "$1" || { tail -n 3 "$1"; return 1; }; }
wait_for() { lab_wait "$3" _has "$1" "$2"; }

wait_for "$LAB_DIR/mon.json" "\"src\":\"$ll6\"" "report from m1h1 ($ll6) at mldmon"
wait_for "$LAB_DIR/mon.json" '"type":"ALLOW","group":"ff3e::8000:1"' "MLDv2 ALLOW for ff3e::8000:1"
wait_for "$LAB_DIR/mon.json" '"type":"TO_EX","group":"ff05::8000:2","sources":[]' \
	"MLDv2 TO_EX {} (any-source join) for ff05::8000:2"
wait_for "$LAB_DIR/mon.json" "\"src\":\"$v4\"" "IGMPv3 report from $v4"
wait_for "$LAB_DIR/mon.json" "\"type\":\"ALLOW\",\"group\":\"232.1.0.1\",\"sources\":[\"$src4\"]" \
	"IGMPv3 ALLOW (232.1.0.1, $src4)"
echo "mldmon saw the joins:"
grep -E 'ff3e::8000:1|ff05::8000:2|232\.1\.0\.1' "$LAB_DIR/mon.json" | head -4

# The table, on demand.
kill -USR1 "$monpid"
wait_for "$LAB_DIR/mon.json" '"table":' "table after SIGUSR1"
table="$(grep '"table":' "$LAB_DIR/mon.json" | tail -1)"
for want in \
	"{\"group\":\"ff3e::8000:1\",\"hosts\":[{\"host\":\"$ll6\"" \
	"\"mode\":\"include\",\"sources\":[\"$src6a\",\"$src6b\"]" \
	"{\"group\":\"ff05::8000:2\",\"hosts\":[{\"host\":\"$ll6\"" \
	"{\"group\":\"232.1.0.1\",\"hosts\":[{\"host\":\"$v4\"" \
	"\"mode\":\"include\",\"sources\":[\"$src4\"]"; do
	grep -qF -- "$want" <<<"$table" || lab_fail "table lacks $want: $table"
done
echo "table (SIGUSR1) lists m1h1 under its three groups"

# What the bridges learnt, per port.
mdb_core="$(lab_mdb core)"
mdb_m1="$(lab_mdb m1)"
echo "$mdb_m1" | grep -E 'ff3e::8000:1|ff05::8000:2|232\.1\.0\.1' || true
grep -q "port m1h1 grp ff3e::8000:1 src $src6a" <<<"$mdb_m1" || lab_fail "m1 mdb lacks (S,G) ff3e::8000:1: $mdb_m1"
grep -q "port m1h1 grp 232.1.0.1 src $src4" <<<"$mdb_m1" || lab_fail "m1 mdb lacks 232.1.0.1: $mdb_m1"
grep -q "port m1h1 grp ff05::8000:2" <<<"$mdb_m1" || lab_fail "m1 mdb lacks ff05::8000:2: $mdb_m1"
grep -q "port dn1 grp ff3e::8000:1" <<<"$mdb_core" || lab_fail "core mdb lacks ff3e::8000:1 on dn1: $mdb_core"

# The host's own view, through netlink.
memb="$(lab_exec m1h1 "$mon" -m -i eth0)"
grep -qE "^eth0 +ff3e::8000:1 +include \{$src6a, $src6b\}" <<<"$memb" ||
	lab_fail "mldmon -m on m1h1: $memb"
grep -qE "^eth0 +232\.1\.0\.1 +include \{$src4\}" <<<"$memb" || lab_fail "mldmon -m on m1h1: $memb"
grep -qE "^eth0 +ff05::8000:2 +exclude \{\}" <<<"$memb" || lab_fail "mldmon -m on m1h1: $memb"
echo "m1h1's own memberships agree"

# The receivers exit: leaves on the wire, entries gone from the bridges.
kill -TERM "${recv_pids[@]}"
for p in "${recv_pids[@]}"; do wait "$p"; done
wait_for "$LAB_DIR/mon.json" '"type":"BLOCK","group":"ff3e::8000:1"' "MLDv2 BLOCK (leave) for ff3e::8000:1"
wait_for "$LAB_DIR/mon.json" '"type":"TO_IN","group":"ff05::8000:2","sources":[]' \
	"MLDv2 TO_IN {} (leave) for ff05::8000:2"
wait_for "$LAB_DIR/mon.json" '"type":"BLOCK","group":"232.1.0.1"' "IGMPv3 BLOCK for 232.1.0.1"
echo "mldmon saw the leaves"
m1_left() { ! lab_mdb m1 | grep -E 'port m1h1 grp (ff3e::8000:1|ff05::8000:2|232\.1\.0\.1)'; }
lab_wait "m1h1's groups gone from m1's mdb after the leaves" m1_left
echo "the bridge dropped m1h1's groups"

# A clean stop, with the final table (without m1h1's groups).
kill -TERM "$monpid"
wait "$monpid"
rc=$?
[ "$rc" = 0 ] || lab_fail "mldmon exited $rc on SIGTERM: $(cat "$LAB_DIR/mon.err")"
final="$(tail -1 "$LAB_DIR/mon.json")"
grep -qF '"table":' <<<"$final" || lab_fail "no final table on exit: $final"
grep -qE '"group":"(ff3e::8000:1|ff05::8000:2|232\.1\.0\.1)"' <<<"$final" &&
	lab_fail "final table still lists a group m1h1 left: $final"
echo "PASS: joins and leaves seen by mldmon and in bridge mdb"
