#!/bin/bash
# mesh_attacks: the P2P mesh (protocol version 2) under attack in the
# namespace lab, by an attacker on the metro network (docs/security.md).
#
# The management server (c2, the tracker) and an edge (c1) that hosts the
# mesh on its RET port (2 direct children at most); four boxes
# (sixcast-client, mesh on) whose multicast is blocked from the start, so
# that they play through the mesh, recording what they play. The attacker
# (m1h5) sees its segment from the fabric (udp_attack.py capture on a box's
# bridge port); a victim host (m1h6) runs nothing and counts what reaches
# it. The attacks:
#
#   M1. mesh hijack: box A's datagrams (data, maps, heartbeats...) captured
#       and replayed to their receivers from the attacker's address, then
#       spoofed as the victim: version 1 moved A's address to the replayer
#       and sent it the channel; now refused (replayed, or unvalidated for
#       data), nothing answered, nobody's entry moved;
#   M2. fresh relays: A's heartbeats and pulls dropped at the bridge and
#       sent on at once from the attacker's address (then spoofed as the
#       victim): authenticated, but the address is not A's: at most a
#       challenge no larger than each datagram, no data;
#   M3. a viewer (sxforge: registered, the RET key, hence the mesh key)
#       seals HELLO, PREQ and PULL as box A to the edge's node and to a box,
#       without a certificate, with A's and with its own: refused; its own
#       requests from its unproven address get at most a challenge, and its
#       PULL no data;
#   M4. garbage: random datagrams and well-formed headers with made-up
#       certificates to the boxes' 5100 and the edge's 5200, a few thousand
#       a second, from the attacker's address and from random spoofed ones.
#
# Asserted for each: bytes answered to the attacker or the victim; the
# counters of the drops; the four recordings have no continuity error;
# every daemon runs on, its log free of assertions and sanitizer reports.
# The figures table is printed (and appended to $SEC_FIGURES).
set -u
. "${top_srcdir:-.}/tests/lab/lab.sh"
lab_up 1 6 2
. "${top_srcdir:-.}/tests/integration/client_lib.sh"
. "${top_srcdir:-.}/tests/security/attack_lib.sh"
t0=$SECONDS
BOXES=(m1h1 m1h2 m1h3 m1h4)
A=m1h1 ATT=m1h5 V=m1h6
A6="$(lab_addr6 $A)" V6="$(lab_addr6 $V)" ATT6="$(lab_addr6 $ATT)" E6="$(lab_addr6 c1)"

cl_mgmt_start
cl_clip "$LAB_DIR/clip.ts" 800 4
CL_EDGE_IN='mesh = { enabled = true; max_children = 2; };'
cl_edge_start "{ id = 1; name = \"Clip\"; source = \"file:$LAB_DIR/clip.ts\"; }"
lab_wait_querier || exit 99
for b in "${BOXES[@]}"; do
	lab_exec "$b" nft -f - <<'NFT'
table inet nomc {
	chain in {
		type filter hook input priority 0; policy accept;
		ip6 daddr ff00::/8 udp dport 5000 counter drop
	}
}
NFT
	{ cl_box_conf "$b"; echo 'mesh = { enabled = true; };'; } >"$LAB_DIR/$b.conf"
	lab_bg "$b" "$LAB_DIR/$b.log" "$CL_CLIENT" -c "$LAB_DIR/$b.conf"
	CL_PID[$b]=$LAB_LAST_PID
done
in_mesh() { [ "$(stb "$1" stats | jf 'j["mesh"]["mode"] == "mesh" and j["mesh"]["node"]["partners"] > 0 and j["mesh"]["startup_ms"] >= 0')" = True ] && echo 1; }
for b in "${BOXES[@]}"; do
	at_wait "$b plays through the mesh" 30 in_mesh "$b"
	cl_wait_playing "$b" || { tail "$LAB_DIR/$b.log" >&2; lab_fail "$b: not playing"; }
done
MACS=""
for h in "${BOXES[@]}" c1 $V $ATT; do MACS+="$(lab_addr6 $h)=$(at_mac $h),"; done
AID="$(stb $A status | jf 'j["client_id"]')"
read -r E1 E1CERT <<<"$(lab_exec c1 curl -s -m 5 "http://[::1]:8081/identity" | jf 'str(j["id"]) + " " + j["cert"]')"
echo "${#BOXES[@]} boxes play through the mesh ($((SECONDS - t0)) s into the lab); box A ($A) is client $AID, the edge $E1"

at_watch $V all ip6 daddr "$V6"
at_watch $ATT all ip6 daddr "$ATT6" udp dport 41000-41999
sumb() { at_boxes "$1" "${BOXES[@]}"; }
victim() { at_watched $V all | cut -d' ' -f2; }
# Mesh drops by reason, the boxes' nodes and the edge's together.
drops() { # REASON...
	local r e="" m=""
	for r in "$@"; do
		e+="${e:+ + }j[\"mesh\"][\"node\"][\"$r\"]"
		m+=" sixcast_mesh_${r}_total"
	done
	echo $(($(sumb "$e") + $(at_edge_metric c1 $m)))
}
until_drops() { ge "$(drops "${@:2}")" "$1"; }
moves() { echo $(($(sumb 'j["mesh"]["node"]["moves"]') + $(at_edge_metric c1 sixcast_mesh_moves_total))); }

for b in "${BOXES[@]}"; do stb "$b" record start "$LAB_DIR/$b.ts" >/dev/null || lab_fail "$b: record start"; done

echo "== ($((SECONDS - t0)) s) M1. box A's mesh datagrams captured on its port and replayed from elsewhere"
fab python3 "$AT_PY" capture --ifname $A --magic SM --count 40 --min 10 --timeout 20 \
	--out "$LAB_DIR/mesh.jsonl" || lab_fail "too few mesh datagrams of $A captured"
N=$(wc -l <"$LAB_DIR/mesh.jsonl")
echo "  captured $N: $(python3 -c 'import json, sys, collections
c = collections.Counter(json.loads(l)["type"] for l in open(sys.argv[1]))
print(", ".join("type %d x%d" % kv for kv in sorted(c.items())))' "$LAB_DIR/mesh.jsonl")"
mv0="$(moves)" d0="$(drops replayed unvalidated)"
at_own m1 send --in "$LAB_DIR/mesh.jsonl"
at_wait "the receivers refused the $N replays" 20 until_drops $((d0 + N)) replayed unvalidated
at_own_done m1 "mesh datagrams replayed from another address (hijack)" 0
d0="$(drops replayed unvalidated)" v0="$(victim)"
read -r n1 b1 <<<"$(at_spoof m2 "$V6" --in "$LAB_DIR/mesh.jsonl")"
at_wait "the receivers refused the $N spoofed replays" 20 until_drops $((d0 + n1)) replayed unvalidated
at_row "mesh datagrams replayed, spoofed source" "$n1" "$b1" $(($(victim) - v0)) 0
[ "$(moves)" = "$mv0" ] || lab_fail "a node's entry moved during the replays ($mv0 -> $(moves))"

echo "== ($((SECONDS - t0)) s) M2. A's fresh heartbeats and pulls relayed on path"
u0="$(drops unvalidated)"
at_relay r1 $A SM "{ 1, 11 }" any 4 at_own r1 send
at_wait "4 relayed datagrams counted unvalidated" 20 until_drops $((u0 + 4)) unvalidated
at_own_done r1 "fresh mesh HELLO/PULL relayed from another address" "<= 1"
u0="$(drops unvalidated)" v0="$(victim)"
at_relay r2 $A SM "{ 1, 11 }" any 4 at_tool $ATT "$LAB_DIR/r2.json" send --spoof "$V6" --macs "$MACS"
wait "$AT_PID"
at_wait "4 spoofed relays counted unvalidated" 20 until_drops $((u0 + 4)) unvalidated
read -r n1 b1 <<<"$(at_result "$LAB_DIR/r2.json" sent bytes_sent)"
at_row "fresh mesh HELLO/PULL relayed, spoofed source" "$n1" "$b1" $(($(victim) - v0)) "<= 1"

echo "== ($((SECONDS - t0)) s) M3. a viewer forges mesh messages as box A"
# Certificates from the management API (admin): each box's group lists it.
cert_of() { # BOX
	local id
	id="$(stb "$1" status | jf 'j["client_id"]')"
	noc "/groups/$(stb "$1" status | jf 'j["repair_group"]["id"]')" |
		jf '[m["cert"] for m in j["members"] if m["client_id"] == '"$id"'][0]'
}
C=m1h2
CID="$(stb $C status | jf 'j["client_id"]')" C6="$(lab_addr6 $C)"
ACERT="$(cert_of $A)" CCERT="$(cert_of $C)"
[ ${#ACERT} = 256 ] && [ ${#CCERT} = 256 ] || lab_fail "no certificates of $A and $C from the management server"
F="$LAB_DIR/forged.txt"
jobs=()
for k in hello preq pull; do
	for m in nocert cert-victim cert-own; do jobs+=("$k:$E1:$m" "$k:$CID:$m"); done
done
at_forge "$F" 5 -L "$CCERT" -V "$AID" -X "$ACERT" "${jobs[@]}" preq:$E1:honest pull:$E1:honest hello:$CID:honest
grep -v ' honest ' "$F" | grep " $E1 " >"$F.edge"
grep -v ' honest ' "$F" | grep " $CID " >"$F.box"
NE=$(wc -l <"$F.edge") NB=$(wc -l <"$F.box")
echo "  $(head -1 "$F.log"); box A = $AID, box C = $CID ($C6)"
f0="$(drops auth_failed unknown_sender)"
at_own f1 send --in "$F.edge" --to "$E6" --port 5200
at_wait "the edge's node refused $NE forgeries" 20 until_drops $((f0 + NE)) auth_failed unknown_sender
at_own_done f1 "a viewer's HELLO/PREQ/PULL as another box, to the edge" 0
f0="$(drops auth_failed unknown_sender)"
at_own f2 send --in "$F.box" --to "$C6" --port 5100
at_wait "box $CID refused $NB forgeries" 20 until_drops $((f0 + NB)) auth_failed unknown_sender
at_own_done f2 "a viewer's HELLO/PREQ/PULL as another box, to a box" 0
f0="$(drops auth_failed unknown_sender)"
at_spoof f3 "$A6" --in "$F.edge" --to "$E6" --port 5200 >/dev/null
at_spoof f4 "$A6" --in "$F.box" --to "$C6" --port 5100 >/dev/null
at_wait "the forgeries from A's own address refused" 20 until_drops $((f0 + NE + NB)) auth_failed unknown_sender
echo "  the same $((NE + NB)) forgeries from A's own address: refused"
u0="$(drops unvalidated)" s0="$(at_edge_metric c1 sixcast_mesh_data_bytes_sent_total)"
at_own f5 send --in "$F" --mode honest --to "$E6" --port 5200 --kind preq
at_wait "the edge's node counted the viewer's own PREQs unvalidated" 20 until_drops $((u0 + 5)) unvalidated
at_own_done f5 "control: a viewer's own PREQ from an unproven address" "<= 1"
u0="$(drops unvalidated)"
at_own f6 send --in "$F" --mode honest --to "$E6" --port 5200 --kind pull
at_wait "the edge's node counted the viewer's own PULLs unvalidated" 20 until_drops $((u0 + 5)) unvalidated
at_own_done f6 "a viewer's own PULL from an unproven address" "<= 1"

echo "== ($((SECONDS - t0)) s) M4. garbage to every UDP port, a few thousand datagrams a second"
ISS="${E1CERT:24:8}"
T="" TS=""
for b in "${BOXES[@]}"; do
	id="$(stb "$b" status | jf 'j["client_id"]')"
	T+="[$(lab_addr6 "$b")]:5100#$id," TS+="[$(lab_addr6 "$b")]:5100@$(at_mac "$b")#$id,"
done
T+="[$E6]:5200#$E1" TS+="[$E6]:5200@$(at_mac c1)#$E1"
rcvbuf() { lab_exec "$1" awk '$1 == "Udp6RcvbufErrors" { print $2 }' /proc/net/snmp6; }
taken() {
	local n h
	n=$(($(sumb 'j["repair_port"]["datagrams"]') + $(at_edge_metric c1 sixcast_ret_datagrams_total)))
	for h in "${BOXES[@]}" c1; do n=$((n + $(rcvbuf $h))); done
	echo $n
}
until_taken() { ge "$(taken)" "$1"; }
k0="$(taken)"
at_own g1 garbage --targets "$T" --issuer "$ISS" --rate 3000 --duration 2 --seed 11
at_wait "the garbage sender finished" 30 grep -c sent "$LAB_DIR/g1.json"
n1="$(at_result "$LAB_DIR/g1.json" sent)"
at_wait "the daemons read $n1 garbage datagrams" 20 until_taken $((k0 + n1))
at_own_done g1 "garbage from the attacker's address" 0
for h in "${BOXES[@]}" c1; do at_egress "$h" spoofed ip6 daddr 2001:db8:1::f:0/112; done
k0="$(taken)"
lab_exec $ATT python3 "$AT_PY" garbage --targets "$TS" --issuer "$ISS" --rate 3000 --duration 2 --seed 12 \
	--spoof-net 2001:db8:1::f: >"$LAB_DIR/g2.json" || lab_fail "garbage: $(cat "$LAB_DIR/g2.json")"
n2="$(at_result "$LAB_DIR/g2.json" sent)"
at_wait "the daemons read $n2 spoofed garbage datagrams" 20 until_taken $((k0 + n2))
out=0
for h in "${BOXES[@]}" c1; do out=$((out + $(at_egressed "$h" spoofed | cut -d' ' -f2))); done
at_row "garbage from random spoofed addresses" "$n2" "$(at_result "$LAB_DIR/g2.json" bytes_sent)" "$out" 0

echo "== after the attacks ($((SECONDS - t0)) s into the lab)"
for b in "${BOXES[@]}"; do stb "$b" record stop >/dev/null || lab_fail "$b: record stop"; done
for b in "${BOXES[@]}"; do
	chk="$("$CL_TSREC" check "$LAB_DIR/$b.ts" | head -1)"
	p="$(sed -n 's/.*packets=\([0-9]*\).*/\1/p' <<<"$chk")"
	echo "  $b recorded through the attacks: $chk; mode $(stb "$b" status | jf 'j["mode"]')"
	grep -q "cc_errors=0" <<<"$chk" || lab_fail "$b: continuity errors during the attacks: $chk"
	[ "${p:-0}" -gt 3000 ] || lab_fail "$b: only ${p:-0} TS packets recorded"
done
late="$(at_watched $ATT all | cut -d' ' -f2)"
[ "$late" -le "$AT_OWN_RECV" ] || lab_fail "the attacker's ports got $late bytes, its sockets $AT_OWN_RECV"
echo "  mesh drops (boxes + edge): replayed $(drops replayed), unvalidated $(drops unvalidated)," \
	"auth_failed $(drops auth_failed), unknown_sender $(drops unknown_sender), malformed $(drops malformed);" \
	"challenges $(drops challenges), sends refused $(drops tx_refused), moves $(moves)"
at_alive "$CL_MGMT_PID:mgmt" "$CL_EDGE_PID:edge"
for b in "${BOXES[@]}"; do at_alive "${CL_PID[$b]}:$b"; done
at_table
echo "PASS ($((SECONDS - t0)) s)"
