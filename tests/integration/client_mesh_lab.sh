#!/bin/bash
# client_mesh_lab: real set-top boxes fall back to the P2P mesh when their
# metro loses multicast, and return to multicast when it comes back.
#
# A management server (c2, the tracker) and an edge (c1, a looped H.264/AAC
# clip) that is also the mesh's hosting node on its RET port and registers
# itself with the management server. Metro 1's 6 boxes run sixcast-client with
# `mesh = { enabled = true; recover_ms = 3000; }` (3 s of clean multicast
# before the return keeps the lab short).
#
# Checked: the boxes play by multicast; nftables then drops the channel's
# multicast on every box of the metro: each box switches to the mesh (its
# log says so and why), and a recording of 6 s in mesh mode has zero TS
# continuity errors with most packets from the mesh; multicast is let
# through again: each box returns to multicast, and a recording across the
# switch back is continuous (zero continuity errors). Figures printed:
# start-up in mesh mode (block -> switch -> first mesh packet), the longest
# output pauses entering, in and leaving mesh mode, the mesh's share.
#
# No step sleeps: each waits for the state it needs (a box's mode, status
# or counters, the management server's answer). A span of time is a span of
# stream: a receiver in the core counts the channel's multicast
# (cl_ref_start), and the clip's 6 s are as many RTP packets as 1316-byte
# pieces of its file.
set -u
. "${top_srcdir:-.}/tests/lab/lab.sh"
PER=6
lab_up 1 $PER 2
. "${top_srcdir:-.}/tests/integration/client_lib.sh"
command -v ffprobe >/dev/null || lab_skip "missing ffprobe"
client="$CL_CLIENT" tsrec="$CL_TSREC"
t0=$SECONDS

cl_mgmt_start
{ cl_box_conf m1h1; printf 'mesh = { enabled = true;\n  loss_enter_pct = 1.0; loss_leave_pct = 2.0; };\n'; } >"$LAB_DIR/bad.conf"
out="$("$client" --check-config -c "$LAB_DIR/bad.conf" 2>&1)" && lab_fail "a flapping mesh config passed"
grep -q "bad.conf:6:.*loss_leave_pct" <<<"$out" || lab_fail "bad mesh config not named with its line: $out"
cl_clip "$LAB_DIR/clip.ts" 800 6

# The edge hosts the mesh on its RET port and registers itself: the
# tracker's "source" is the edge. max_children 2: the third box that asks
# is sent into the mesh.
CL_EDGE_IN='mesh = { enabled = true; max_children = 2; };'
cl_edge_start '{ id = 1; name = "Clip"; source = "file:'"$LAB_DIR"'/clip.ts"; }'
lab_wait_querier || exit 99

box_fail() { grep -v ' repair: ' "$LAB_DIR/$1.log" | tail -25 >&2; lab_fail "$1: $2"; }
BOXES=()
declare -A PID
for h in $(seq $PER); do
	b="m1h$h"
	BOXES+=("$b")
	{ cl_box_conf "$b"; echo 'mesh = { enabled = true; recover_ms = 3000; };'; } >"$LAB_DIR/$b.conf"
	lab_bg "$b" "$LAB_DIR/$b.log" "$client" -c "$LAB_DIR/$b.conf"
	PID[$b]=$LAB_LAST_PID
done
for b in "${BOXES[@]}"; do
	cl_wait_playing "$b" || { tail "$LAB_DIR/$b.log" >&2; lab_fail "$b: not playing"; }
done
# The clock: the channel's multicast counted as it reaches the core. Six
# seconds of the stream are the clip's packets.
pkts6=$((($(stat -c %s "$LAB_DIR/clip.ts") + 1315) / 1316))
rate=$((pkts6 / 6))
cl_ref_start 1
# A box whose first multicast took over tune_timeout (a slow join on a
# loaded lab) starts in the mesh and returns after recover_ms: wait for it.
for b in "${BOXES[@]}"; do cl_wait_status "$b" 'j["mode"] == "multicast"' "multicast mode on $b before the block"; done
echo "all $PER boxes play channel 1 by multicast, $rate packets/s ($((SECONDS - t0)) s into the lab)"

# Metro 1 loses multicast (the channel's port to any group, on every box).
# The boxes report switch times on CLOCK_MONOTONIC; bash reads the wall
# clock itself ($EPOCHREALTIME, no exec): the offset between the two, once.
off=$(python3 -c 'import time; print(time.monotonic_ns() - time.time_ns())')
mono_us() { local r=${EPOCHREALTIME/[.,]/}; echo $(((r * 1000 + off) / 1000)); }
declare -A BLOCK
for b in "${BOXES[@]}"; do
	lab_exec "$b" nft -f - <<'NFT'
table inet nomc {
	chain in {
		type filter hook input priority 0; policy accept;
		ip6 daddr ff00::/8 udp dport 5000 counter drop
	}
}
NFT
	BLOCK[$b]=$(mono_us)
done
mesh() { stb "$1" stats | jf "j['mesh']$2"; }
# mesh_is HOST EXPR: EXPR (Python over the box's stats, j) holds; else
# prints the box's mesh counters.
mesh_is() {
	local st
	st="$(stb "$1" stats 2>&1)" || { echo "$1: $st"; return 1; }
	[ "$(jf "$2" <<<"$st" 2>&1)" = True ] && return 0
	jf 'json.dumps({k: v for k, v in (j.get("mesh") or {}).items() if k != "node"})' <<<"$st"
	return 1
}
declare -A A1
for b in "${BOXES[@]}"; do
	lab_wait "packet from the mesh on $b" mesh_is "$b" 'j["mesh"]["startup_ms"] >= 0'
	A1[$b]="$(mesh "$b" '["accepted"]')"
	read -r sw first <<<"$(mesh "$b" '["switched_mono_ms"], j["mesh"]["first_mesh_mono_ms"]' | tr -d '(),')"
	[ "$first" != "0.0" ] || { tail -20 "$LAB_DIR/$b.log" >&2; lab_fail "$b: no packet from the mesh"; }
	echo "$b: block -> mesh mode $(jf "round(j[0] - ${BLOCK[$b]} / 1000)" <<<"[$sw]") ms," \
		"-> first mesh packet $(jf "round(j[0] - ${BLOCK[$b]} / 1000)" <<<"[$first]") ms"
	grep -q "switching to the P2P mesh: no multicast for" "$LAB_DIR/$b.log" ||
		lab_fail "$b: the log does not say why it went to the mesh"
done

# Settled in the mesh: each box has taken 2 s of stream from it.
for b in "${BOXES[@]}"; do
	lab_wait "2 s of stream ($((2 * rate)) packets) from the mesh on $b" \
		mesh_is "$b" "j['mesh']['accepted'] >= ${A1[$b]} + $((2 * rate))"
done
# 6 s of stream in mesh mode (the reference counts them): clean
# recordings, the stream from the mesh, as much of it as multicast brings.
declare -A A0 D0 U0 Q0 R0
for b in "${BOXES[@]}"; do
	A0[$b]="$(mesh "$b" '["accepted"]')"
	read -r D0[$b] U0[$b] Q0[$b] R0[$b] <<<"$(stb "$b" stats | jf '" ".join(str(j["repair"][k]) for k in
		("delivered", "unrepaired", "requests_sent", "ret_requests_sent"))')"
	stb "$b" record start "$LAB_DIR/$b-mesh.ts" >/dev/null || lab_fail "$b: record start"
done
ref0="$(cl_ref 1)"
cl_wait_ref 1 "$pkts6" "$ref0"
mc=$(($(cl_ref 1) - ref0))
for b in "${BOXES[@]}"; do stb "$b" record stop >/dev/null; done
echo "6 s of stream: $mc packets of multicast at the receiver in the core (the clip: $pkts6 in 6 s)"
for b in "${BOXES[@]}"; do
	st="$(stb "$b" stats)"
	read -r acc del un q r <<<"$(jf '" ".join(str(x) for x in (j["mesh"]["accepted"], j["repair"]["delivered"],
		j["repair"]["unrepaired"], j["repair"]["requests_sent"], j["repair"]["ret_requests_sent"]))' <<<"$st")"
	acc=$((acc - A0[$b])) del=$((del - D0[$b])) un=$((un - U0[$b])) q=$((q - Q0[$b])) r=$((r - R0[$b]))
	chk="$("$tsrec" check "$LAB_DIR/$b-mesh.ts" | head -1)"
	echo "$b in mesh mode: $chk; played $del packets ($un missing), $acc from the mesh;" \
		"repair requests to the group $q, to RET $r;" \
		"node $(jf '{k: j["mesh"]["node"][k] for k in ("received", "pushed_in", "pulled_in", "pushed", "pulled_out", "partners")}' <<<"$st")"
	grep -q "cc_errors=0" <<<"$chk" || box_fail "$b" "continuity errors in mesh mode"
	[ $((del * 10)) -ge $((mc * 9)) ] || box_fail "$b" "played $del packets in 6 s, multicast brought $mc"
	[ $((acc * 10)) -ge $((del * 8)) ] || box_fail "$b" "the mesh brought only $acc of $del packets"
	[ "$un" = 0 ] || box_fail "$b" "$un packets missing at play-out in mesh mode"
done
# The NOC sees the boxes on the mesh (their heartbeats say so).
in_mesh() { noc /clients | jf 'sum(1 for c in (j["clients"] if isinstance(j, dict) else j) if c["mode"] == "mesh")'; }
_all_in_mesh() { local n; n="$(in_mesh 2>&1)"; [ "$n" -ge "$PER" ] 2>/dev/null || { echo "$n of $PER boxes in mesh mode"; return 1; }; }
lab_wait "mesh mode of all $PER boxes at the management server" _all_in_mesh
n="$(in_mesh)"
echo "the management server shows $n boxes in mesh mode"
[ "$n" -ge "$PER" ] || lab_fail "the management server shows $n of $PER boxes in mesh mode"
c="$(ffprobe -v quiet -show_entries stream=codec_name -of csv=p=0 "$LAB_DIR/m1h6-mesh.ts" | grep . | sort -u | tr '\n' ' ')"
echo "ffprobe m1h6 (mesh mode): $c"
[ "$c" = "aac h264 " ] || lab_fail "ffprobe on m1h6's mesh-mode recording found: $c"

# Multicast comes back: the boxes return to it, the output continuous.
for b in "${BOXES[@]}"; do stb "$b" record start "$LAB_DIR/$b-back.ts" >/dev/null; done
r_back="$(cl_ref 1)"
for b in "${BOXES[@]}"; do lab_exec "$b" nft delete table inet nomc; done
for b in "${BOXES[@]}"; do cl_wait_status "$b" 'j["mode"] == "multicast"' "return of $b to multicast"; done
# A second of stream on multicast after the last return.
cl_wait_ref 1 "$rate"
for b in "${BOXES[@]}"; do stb "$b" record stop >/dev/null; done
for b in "${BOXES[@]}"; do
	st="$(stb "$b" stats)"
	if [ "$(jf 'j["mesh"]["mode"]' <<<"$st")" != multicast ]; then
		sw="$(jf 'json.dumps({k: j["mesh"][k] for k in ("to_mesh", "to_multicast", "multicast_loss")})' <<<"$st")"
		gap="$(cl_ref_gap 1 "$r_back")"
		# Multicast that paused at the core too (an edge the machine did
		# not run): leaving for the mesh was right.
		[ "$gap" -ge 250 ] || box_fail "$b" "not on multicast a second of stream after its return ($sw)"
		echo "$b left multicast again ($sw), rightly: the channel paused ${gap} ms at the core's receiver"
		grep -E "switching to the P2P mesh|back to multicast" "$LAB_DIR/$b.log" | tail -n 3
	fi
	chk="$("$tsrec" check "$LAB_DIR/$b-back.ts" | head -1)"
	echo "$b back on multicast: $chk; output pauses (ms) $(jf 'j["mesh"]["output_gap_max_ms"]' <<<"$st")," \
		"multicast back -> switch $(jf 'round(j["mesh"]["multicast_back_ms"])' <<<"$st") ms"
	grep -q "cc_errors=0" <<<"$chk" || box_fail "$b" "the switch back is not continuous"
	grep -q "back to multicast: clean for" "$LAB_DIR/$b.log" || lab_fail "$b: the log does not say it returned"
done
# Exit frees the mesh node (goodbye to the neighbours): clean, also under
# a sanitizer build.
for b in "${BOXES[@]}"; do kill -TERM "${PID[$b]}"; done
for b in "${BOXES[@]}"; do wait "${PID[$b]}" || lab_fail "$b: exit status $? after SIGTERM"; done
for b in "${BOXES[@]}"; do
	grep -E "Sanitizer|runtime error" "$LAB_DIR/$b.log" && lab_fail "$b: sanitizer report"
done
echo "PASS: $PER boxes played through the mesh without multicast and returned ($((SECONDS - t0)) s)"
