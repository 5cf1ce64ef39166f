#!/bin/bash
# client_mesh_lab: real set-top boxes fall back to the P2P mesh when their
# metro loses multicast, and return to multicast when it comes back.
#
# A management server (c2, the tracker), an edge (c1, a looped H.264/AAC
# clip) and the mesh's hosting node (c3: the meshpeer tool in source role,
# fed by multicast, until the edge hosts the mesh itself). The management
# server learns of the hosting node as edges tell it of theirs: this lab
# registers the edge through the API with the hosting node's address first
# among its RET addresses (the tracker's "source"), the edge's own RET
# second, and reports its load. Metro 1's 6 boxes run sixcast-client with
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
set -u
. "${top_srcdir:-.}/tests/lab/lab.sh"
PER=6
lab_up 1 $PER 3
. "${top_srcdir:-.}/tests/integration/client_lib.sh"
MESHPEER="$CL_B/tests/tools/meshpeer"
[ -x "$MESHPEER" ] || { echo "not built: $MESHPEER" >&2; exit 99; }
command -v ffprobe >/dev/null || lab_skip "missing ffprobe"
client="$CL_CLIENT" tsrec="$CL_TSREC"
S6="$(lab_addr6 c3)"
t0=$SECONDS

cl_mgmt_start
{ cl_box_conf m1h1; printf 'mesh = { enabled = true;\n  loss_enter_pct = 1.0; loss_leave_pct = 2.0; };\n'; } >"$LAB_DIR/bad.conf"
out="$("$client" --check-config -c "$LAB_DIR/bad.conf" 2>&1)" && lab_fail "a flapping mesh config passed"
grep -q "bad.conf:6:.*loss_leave_pct" <<<"$out" || lab_fail "bad mesh config not named with its line: $out"
cl_clip "$LAB_DIR/clip.ts" 800 6

# The edge's registration, as an edge that hosts the mesh would send it:
# the hosting node on the first RET address. direct_max 2: the tracker
# sends the third box that asks into the mesh.
reg="$(lab_exec c2 curl -sf -H 'Content-Type: application/json' -d "{\"name\": \"edge-lab\",
	\"credential\": \"$CL_EDGECRED\", \"addrs\": [\"$CL_E6\", \"$CL_E4\"],
	\"ret_addrs\": [\"[$S6]:5200\", \"[$CL_E6]:5200\"], \"burst_addrs\": [\"[$CL_E6]:5200\"],
	\"channels\": [{\"id\": 1, \"direct_max\": 2}]}" "$CL_MURL/api/v1/edges/register")" ||
	lab_fail "edge registration refused"
eid="$(jf 'j["edge_id"]' <<<"$reg")"
etok="$(jf 'j["token"]' <<<"$reg")"
key="$(jf '[c for c in j["channels"] if c["id"] == 1][0]["ret_key"]' <<<"$reg")"
lab_bg c2 /dev/null bash -c "while :; do curl -sf -o /dev/null -H 'Authorization: Bearer $etok' \
	-H 'Content-Type: application/json' -d '{}' '$CL_MURL/api/v1/edges/$eid/load'; sleep 0.5; done"

cat >"$LAB_DIR/edge.conf" <<CONF
edge: { name = "edge-lab"; interface = "eth0"; sdp_dir = "$LAB_DIR/sdp"; };
channels = ( { id = 1; name = "Clip"; source = "file:$LAB_DIR/clip.ts"; ret_key = "$key"; } );
CONF
lab_bg c1 "$LAB_DIR/edge.log" "$CL_EDGE" -c "$LAB_DIR/edge.conf"
lab_bg c3 "$LAB_DIR/source.json" "$MESHPEER" source --edge-id "$eid" --listen "[$S6]:5200" --key "$key" \
	--group '[ff3e::8000:1]:5000' --ssm "$CL_E6" --iface eth0 --max-children 2 --duration 120
lab_wait_querier || exit 99

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
# The stream's rate by multicast, to compare the mesh's with.
r0="$(stb m1h1 stats | jf 'j["repair"]["delivered"]')"
sleep 3
rate=$((($(stb m1h1 stats | jf 'j["repair"]["delivered"]') - r0) / 3))
for b in "${BOXES[@]}"; do
	m="$(stb "$b" status | jf 'j["mode"]')"
	[ "$m" = multicast ] || lab_fail "$b: mode $m before the block"
done
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
box_fail() { grep -v ' repair: ' "$LAB_DIR/$1.log" | tail -25 >&2; lab_fail "$1: $2"; }
for b in "${BOXES[@]}"; do
	for _ in $(seq 50); do
		[ "$(mesh "$b" '["startup_ms"] >= 0')" = True ] && break
		sleep 0.1
	done
	read -r sw first <<<"$(mesh "$b" '["switched_mono_ms"], j["mesh"]["first_mesh_mono_ms"]' | tr -d '(),')"
	[ "$first" != "0.0" ] || { tail -20 "$LAB_DIR/$b.log" >&2; lab_fail "$b: no packet from the mesh"; }
	echo "$b: block -> mesh mode $(jf "round(j[0] - ${BLOCK[$b]} / 1000)" <<<"[$sw]") ms," \
		"-> first mesh packet $(jf "round(j[0] - ${BLOCK[$b]} / 1000)" <<<"[$first]") ms"
	grep -q "switching to the P2P mesh: no multicast for" "$LAB_DIR/$b.log" ||
		lab_fail "$b: the log does not say why it went to the mesh"
done

# 6 s in mesh mode: clean recordings, the stream from the mesh.
sleep 2
declare -A A0 D0 U0 Q0 R0
for b in "${BOXES[@]}"; do
	A0[$b]="$(mesh "$b" '["accepted"]')"
	read -r D0[$b] U0[$b] Q0[$b] R0[$b] <<<"$(stb "$b" stats | jf '" ".join(str(j["repair"][k]) for k in
		("delivered", "unrepaired", "requests_sent", "ret_requests_sent"))')"
	stb "$b" record start "$LAB_DIR/$b-mesh.ts" >/dev/null || lab_fail "$b: record start"
done
sleep 6
for b in "${BOXES[@]}"; do stb "$b" record stop >/dev/null; done
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
	[ $((del * 10)) -ge $((rate * 6 * 9)) ] || box_fail "$b" "played $del packets in 6 s, multicast brings $rate/s"
	[ $((acc * 10)) -ge $((del * 8)) ] || box_fail "$b" "the mesh brought only $acc of $del packets"
	[ "$un" = 0 ] || box_fail "$b" "$un packets missing at play-out in mesh mode"
done
c="$(ffprobe -v quiet -show_entries stream=codec_name -of csv=p=0 "$LAB_DIR/m1h6-mesh.ts" | grep . | sort -u | tr '\n' ' ')"
echo "ffprobe m1h6 (mesh mode): $c"
[ "$c" = "aac h264 " ] || lab_fail "ffprobe on m1h6's mesh-mode recording found: $c"

# Multicast comes back: the boxes return to it, the output continuous.
for b in "${BOXES[@]}"; do stb "$b" record start "$LAB_DIR/$b-back.ts" >/dev/null; done
for b in "${BOXES[@]}"; do lab_exec "$b" nft delete table inet nomc; done
for b in "${BOXES[@]}"; do
	for _ in $(seq 120); do
		[ "$(stb "$b" status | jf 'j["mode"]')" = multicast ] && break
		sleep 0.1
	done
done
sleep 1
for b in "${BOXES[@]}"; do stb "$b" record stop >/dev/null; done
for b in "${BOXES[@]}"; do
	st="$(stb "$b" stats)"
	[ "$(jf 'j["mesh"]["mode"]' <<<"$st")" = multicast ] || lab_fail "$b did not return to multicast"
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
