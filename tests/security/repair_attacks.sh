#!/bin/bash
# repair_attacks: the repair protocol (version 2) under attack in the
# namespace lab, by an attacker on the metro network (docs/security.md).
#
# The management server (c2), an edge (c1: channels 1 and 2, RET and fast
# channel change), later a second edge of channel 1 (c3); seven boxes
# (sixcast-client, 5% loss on their multicast, so that they ask each other
# and the edge for repairs), six of them recording what they play. The
# attacker (m1h3) sees its segment from the fabric (udp_attack.py capture on
# a box's bridge port), sends from its own address (counting what comes
# back on its socket) or from a spoofed one (frames it builds); a victim
# host (m2h3) runs nothing and counts what reaches it. The attacks:
#
#   A. group NACKs of box A captured and replayed, from the attacker and
#      spoofed as the victim: to their receiver (refused: replayed), and to
#      another member of the group (refused: another receiver's MAC);
#   B. fresh NACKs of A relayed on path (dropped at the bridge, sent on at
#      once from the attacker's address, then spoofed as the victim): the
#      receiver authenticates them but the address is not A's: at most a
#      challenge no larger than the request (unvalidated);
#   C. a box's BURST_REQ (captured while it zaps) replayed to a second edge
#      of the channel (another receiver: refused, nothing to the attacker
#      nor to the box), and to its own edge (replayed);
#   D. a viewer (sxforge: registered, the real RET key, its own
#      certificate) seals RET NACKs, BURST_REQs and group NACKs under box
#      A's id, without a certificate, with A's and with its own: the edge
#      and the member refuse them (bad MAC, rejected certificate), also
#      from A's own address; its own requests from its unproven address
#      get at most a challenge;
#   E. reflection: the viewer's fresh, valid requests spoofed from the
#      victim's address: the edges answer the victim with at most a
#      challenge no larger than each request;
#   F. garbage: random datagrams and well-formed headers with made-up
#      certificates to every box's 5100 and both edges' 5200, a few thousand
#      a second, from the attacker's address and from random spoofed ones.
#
# Asserted for each: bytes answered to the attacker or the victim (0 for
# replays and forgeries, at most the attack's bytes where a challenge is
# allowed); the daemons counted the drops; the six recordings have no
# continuity error; every daemon still runs, its log free of assertions and
# sanitizer reports. The figures table is printed (and appended to
# $SEC_FIGURES for tests/bench/security_bench.sh).
set -u
. "${top_srcdir:-.}/tests/lab/lab.sh"
lab_up 3 3 3
. "${top_srcdir:-.}/tests/integration/client_lib.sh"
. "${top_srcdir:-.}/tests/security/attack_lib.sh"
t0=$SECONDS
BOXES=(m1h1 m1h2 m2h1 m2h2 m3h1 m3h2) # recorded
Z=m3h3                                # zaps (its BURST_REQ is captured)
ALL=("${BOXES[@]}" $Z)
A=m1h1 ATT=m1h3 V=m2h3
ATT6="$(lab_addr6 $ATT)" V6="$(lab_addr6 $V)" A6="$(lab_addr6 $A)" Z6="$(lab_addr6 $Z)"
E1_6="$(lab_addr6 c1)" E2_6="$(lab_addr6 c3)"

cl_mgmt_start
cl_clip "$LAB_DIR/clip.ts" 800 4
cl_edge_start "{ id = 1; name = \"One\"; source = \"file:$LAB_DIR/clip.ts\"; }" \
	"{ id = 2; name = \"Two\"; source = \"file:$LAB_DIR/clip.ts\"; }"
lab_wait_querier || exit 99
for b in "${ALL[@]}"; do
	at_mloss "$b" 5
	cl_box_start "$b"
done
for b in "${ALL[@]}"; do
	cl_wait_playing "$b" || { tail "$LAB_DIR/$b.log" >&2; lab_fail "$b: not playing"; }
done
MACS=""
for h in "${ALL[@]}" c1 c3 $V $ATT; do MACS+="$(lab_addr6 $h)=$(at_mac $h),"; done
AID="$(stb $A status | jf 'j["client_id"]')"
echo "${#ALL[@]} boxes play ($((SECONDS - t0)) s into the lab); box A ($A) is client $AID"

# Box A's group from the management API (admin): its key and members.
group_json() {
	local g
	g="$(stb $A status | jf 'j["repair_group"]["id"] if j.get("repair_group") else 0')"
	if [ "$g" = 0 ]; then echo '{"members": []}'; else noc "/groups/$g"; fi
}
group_ok() { group_json | jf 'len(j["members"]) >= 3 or ""'; }
at_wait "$A in a group of 3 or more" 20 group_ok
# member_other GROUP_JSON ADDR...: "id addr cert" of a member at none of ADDRs.
member_other() {
	python3 -c 'import json, sys
g = json.loads(sys.argv[1])
for m in g["members"]:
    a = [x.rsplit("]", 1)[0].lstrip("[") for x in m["addrs"]]
    if not set(a) & set(sys.argv[2:]):
        print(m["client_id"], a[0], m.get("cert", ""))
        break' "$@"
}

at_watch $V all ip6 daddr "$V6"
at_watch $ATT all ip6 daddr "$ATT6" udp dport 41000-41999
sumb() { at_boxes "$1" "${ALL[@]}"; }
until_boxes() { ge "$(sumb "$1")" "$2"; }
until_edge() { ge "$(at_edge_metric "$1" "${@:3}")" "$2"; }
victim() { at_watched $V all | cut -d' ' -f2; }

for b in "${BOXES[@]}"; do stb "$b" record start "$LAB_DIR/$b.ts" >/dev/null || lab_fail "$b: record start"; done
D0="$(sumb 'j["repair"]["delivered"]')"

echo "== ($((SECONDS - t0)) s) A. box A's group NACKs, captured on its port and replayed"
fab python3 "$AT_PY" capture --ifname $A --magic SX --types 1 --dport 5100 --ret no --count 4 --min 3 \
	--timeout 20 --out "$LAB_DIR/nacks.jsonl" || lab_fail "no NACK of $A captured in 20 s"
N=$(wc -l <"$LAB_DIR/nacks.jsonl")
G="$(group_json)"
# Each NACK also goes to a member that is neither A nor its receiver.
python3 -c 'import json, sys
g = json.loads(sys.argv[1])
for l in open(sys.argv[2]):
    d = json.loads(l)
    for m in g["members"]:
        a = m["addrs"][0].rsplit("]", 1)[0].lstrip("[")
        if a not in (d["src"], d["dst"]):
            d["dst"] = a
            print(json.dumps(d))
            break' "$G" "$LAB_DIR/nacks.jsonl" >"$LAB_DIR/nacks-other.jsonl"
[ "$(wc -l <"$LAB_DIR/nacks-other.jsonl")" = "$N" ] || lab_fail "no third member for every NACK: $G"
r0="$(sumb 'j["repair"]["replayed"]')"
at_own a1 send --in "$LAB_DIR/nacks.jsonl"
at_wait "the receivers counted $N replayed NACKs" 20 until_boxes 'j["repair"]["replayed"]' $((r0 + N))
at_own_done a1 "group NACK replayed to its receiver" 0
f0="$(sumb 'j["repair"]["auth_failed"]')"
at_own a2 send --in "$LAB_DIR/nacks-other.jsonl"
at_wait "the other members refused $N NACKs" 20 until_boxes 'j["repair"]["auth_failed"]' $((f0 + N))
at_own_done a2 "group NACK replayed to another member" 0
v0="$(victim)" r0="$(sumb 'j["repair"]["replayed"]')" f0="$(sumb 'j["repair"]["auth_failed"]')"
read -r n1 b1 <<<"$(at_spoof a3 "$V6" --in "$LAB_DIR/nacks.jsonl")"
read -r n2 b2 <<<"$(at_spoof a4 "$V6" --in "$LAB_DIR/nacks-other.jsonl")"
at_wait "spoofed replays counted" 20 until_boxes 'j["repair"]["replayed"] + j["repair"]["auth_failed"]' \
	$((r0 + f0 + n1 + n2))
at_row "group NACK replayed (receiver, other member), spoofed source" $((n1 + n2)) $((b1 + b2)) \
	$(($(victim) - v0)) 0
f0="$(sumb 'j["repair"]["auth_failed"]')"
read -r n1 b1 <<<"$(at_spoof a5 "$A6" --in "$LAB_DIR/nacks-other.jsonl")"
at_wait "NACKs replayed to another member from A's own address refused" 20 \
	until_boxes 'j["repair"]["auth_failed"]' $((f0 + n1))
echo "  $n1 NACKs replayed to another member from A's address: refused (auth_failed)"

echo "== ($((SECONDS - t0)) s) B. A's fresh NACKs relayed on path (the bridge drops the originals)"
u0="$(sumb 'j["repair"]["unvalidated"]')"
at_relay b1 $A SX 1 5100 4 at_own b1 send
at_wait "4 relayed NACKs counted unvalidated" 20 until_boxes 'j["repair"]["unvalidated"]' $((u0 + 4))
at_own_done b1 "fresh group NACK relayed from another address" "<= 1"
u0="$(sumb 'j["repair"]["unvalidated"]')" v0="$(victim)"
at_relay b2 $A SX 1 5100 4 at_tool $ATT "$LAB_DIR/b2.json" send --spoof "$V6" --macs "$MACS"
wait "$AT_PID"
at_wait "4 spoofed relays counted unvalidated" 20 until_boxes 'j["repair"]["unvalidated"]' $((u0 + 4))
read -r n1 b1 <<<"$(at_result "$LAB_DIR/b2.json" sent bytes_sent)"
at_row "fresh group NACK relayed, spoofed source" "$n1" "$b1" $(($(victim) - v0)) "<= 1"

echo "== ($((SECONDS - t0)) s) C. a BURST_REQ captured while $Z zaps, replayed to a second edge of the channel"
lab_bg fab "$LAB_DIR/capz.log" python3 "$AT_PY" capture --ifname $Z --magic SX --types 4 --dport 5200 --ret yes \
	--domain 1 --count 1 --timeout 30 --ready "$LAB_DIR/capz.ready" --out "$LAB_DIR/breq.jsonl"
CAPZ=$LAB_LAST_PID
at_wait "the capture listens" 10 exists "$LAB_DIR/capz.ready"
stb $Z tune 2 >/dev/null && cl_wait_playing $Z 2 || lab_fail "$Z does not play channel 2"
stb $Z tune 1 >/dev/null && cl_wait_playing $Z 1 || lab_fail "$Z does not play channel 1 again"
wait $CAPZ || lab_fail "no BURST_REQ of $Z captured: $(cat "$LAB_DIR/capz.log")"
# The second edge carries channel 1 too (its own group), registered.
cat >"$LAB_DIR/edge2.conf" <<EOF
edge: { name = "edge-two"; interface = "eth0"; sdp_dir = "$LAB_DIR/sdp2"; };
mgmt: { url = "$CL_MURL"; credential_file = "$LAB_DIR/edge-enrolment"; };
channels = ( { id = 1; name = "One"; source = "file:$LAB_DIR/clip.ts"; group6 = "[ff3e::8000:99]:5000"; } );
EOF
lab_bg c3 "$LAB_DIR/edge2.log" "$CL_EDGE" -c "$LAB_DIR/edge2.conf"
E2PID=$LAB_LAST_PID
at_wait "the second edge registered" 20 grep -c "registered with" "$LAB_DIR/edge2.log"
ident() { lab_exec "$1" curl -s -m 5 "http://[::1]:8081/identity"; }
read -r E1 E1CERT <<<"$(ident c1 | jf 'str(j["id"]) + " " + j["cert"]')"
read -r E2 E2CERT <<<"$(ident c3 | jf 'str(j["id"]) + " " + j["cert"]')"
echo "  edges $E1 (c1) and $E2 (c3); the box's BURST_REQ: $(jf 'j["len"]' <"$LAB_DIR/breq.jsonl") bytes to $(jf 'j["dst"]' <"$LAB_DIR/breq.jsonl")"
[ "$(jf 'j["receiver"]' <"$LAB_DIR/breq.jsonl")" = "$E1" ] || lab_fail "the BURST_REQ was not for edge $E1"

echo "== ($((SECONDS - t0)) s) D. a viewer forges (and, as a control, asks as itself)"
G="$(group_json)"
read -r CID C6 CCERT <<<"$(member_other "$G" "$A6" "$ATT6")"
ACERT="$(jf '[m["cert"] for m in j["members"] if m["client_id"] == '"$AID"'][0]' <<<"$G")"
GID="$(jf 'j["id"]' <<<"$G")" GKEY="$(jf 'j["key"]' <<<"$G")"
forge() { at_forge "$1" "$2" -L "$E2CERT" -L "$CCERT" -g "$GID" -K "$GKEY" -V "$AID" -X "$ACERT" "${@:3}"; }
F="$LAB_DIR/forged.txt"
forge "$F" 5 ret-nack:$E1:nocert ret-nack:$E1:cert-victim ret-nack:$E1:cert-own \
	burst-req:$E1:nocert burst-req:$E1:cert-victim burst-req:$E1:cert-own \
	nack:$CID:nocert nack:$CID:cert-victim nack:$CID:cert-own \
	ret-nack:$E1:honest burst-req:$E2:honest nack:$CID:honest
grep -E ' (nocert|cert-victim|cert-own) ' "$F" | grep -v '^nack ' >"$F.edge"
grep -E '^nack .* (nocert|cert-victim|cert-own) ' "$F" >"$F.member"
echo "  $(head -1 "$F.log"); box A = $AID, member C = $CID ($C6), group $GID"

# C, continued: the second edge is keyed and answers the viewer's own
# BURST_REQ from an unproven address with one challenge (the control).
at_own c0 send --in "$F" --kind burst-req --mode honest --to "$E2_6" --port 5200
at_wait "the second edge challenged the viewer" 20 until_edge c3 1 sixcast_ret_unvalidated_total
at_own_done c0 "control: a viewer's own BURST_REQ from an unproven address" "<= 1"
[ "$(at_result "$LAB_DIR/c0.json" recv)" -ge 1 ] || lab_fail "the second edge sent no challenge: is it keyed?"
a0="$(at_edge_metric c3 sixcast_ret_auth_failures_total sixcast_ret_unknown_sender_total)"
at_own c1 send --in "$LAB_DIR/breq.jsonl" --to "$E2_6" --repeat 3
at_wait "the second edge refused the replayed BURST_REQ" 20 until_edge c3 $((a0 + 3)) \
	sixcast_ret_auth_failures_total sixcast_ret_unknown_sender_total
at_own_done c1 "BURST_REQ replayed to another edge" 0
at_watch $Z e2 ip6 saddr "$E2_6"
a0="$(at_edge_metric c3 sixcast_ret_auth_failures_total sixcast_ret_unknown_sender_total)"
read -r n1 b1 <<<"$(at_spoof c2 "$Z6" --in "$LAB_DIR/breq.jsonl" --to "$E2_6" --repeat 3)"
at_wait "the second edge refused the BURST_REQ spoofed from its box" 20 until_edge c3 $((a0 + 3)) \
	sixcast_ret_auth_failures_total sixcast_ret_unknown_sender_total
at_row "BURST_REQ replayed to another edge, from its box's address" "$n1" "$b1" \
	"$(at_watched $Z e2 | cut -d' ' -f2)" 0
p0="$(at_edge_metric c1 sixcast_ret_replayed_total)"
at_own c3 send --in "$LAB_DIR/breq.jsonl" --repeat 3
at_wait "the edge counted the replayed BURST_REQ" 20 until_edge c1 $((p0 + 3)) sixcast_ret_replayed_total
at_own_done c3 "BURST_REQ replayed to its edge" 0

# D: the forgeries, from the attacker's address and from A's.
m0="$(at_edge_metric c1 sixcast_ident_bad_mac_total)"
a0="$(at_edge_metric c1 sixcast_ret_auth_failures_total sixcast_ret_unknown_sender_total)"
NE=$(wc -l <"$F.edge")
at_own d1 send --in "$F.edge" --to "$E1_6" --port 5200
at_wait "the edge refused $NE forgeries" 20 until_edge c1 $((a0 + NE)) \
	sixcast_ret_auth_failures_total sixcast_ret_unknown_sender_total
at_own_done d1 "a viewer's RET NACK / BURST_REQ under another box's id" 0
m1="$(at_edge_metric c1 sixcast_ident_bad_mac_total)"
[ $((m1 - m0)) -ge 10 ] || lab_fail "the edge's bad MACs rose by $((m1 - m0)), wanted 10 (the victim's certificate attached)"
f0="$(sumb 'j["repair"]["auth_failed"]')" m0="$(sumb 'j["identity"]["bad_mac"]')"
NM=$(wc -l <"$F.member")
at_own d2 send --in "$F.member" --to "$C6" --port 5100
at_wait "member $CID refused $NM forgeries" 20 until_boxes 'j["repair"]["auth_failed"]' $((f0 + NM))
at_own_done d2 "a viewer's group NACK under a member's id" 0
m1="$(sumb 'j["identity"]["bad_mac"]')"
[ $((m1 - m0)) -ge 10 ] || lab_fail "the members' bad MACs rose by $((m1 - m0)), wanted 10"
a0="$(at_edge_metric c1 sixcast_ret_auth_failures_total sixcast_ret_unknown_sender_total)"
f0="$(sumb 'j["repair"]["auth_failed"]')"
at_spoof d3 "$A6" --in "$F.edge" --to "$E1_6" --port 5200 >/dev/null
at_spoof d4 "$A6" --in "$F.member" --to "$C6" --port 5100 >/dev/null
at_wait "the forgeries from A's own address refused at the edge" 20 until_edge c1 $((a0 + NE)) \
	sixcast_ret_auth_failures_total sixcast_ret_unknown_sender_total
at_wait "the forgeries from A's own address refused at $CID" 20 until_boxes 'j["repair"]["auth_failed"]' \
	$((f0 + NM))
echo "  the same $NE + $NM forgeries from A's own address: refused"
u0="$(at_edge_metric c1 sixcast_ret_unvalidated_total)"
at_own d5 send --in "$F" --kind ret-nack --mode honest --to "$E1_6" --port 5200
at_wait "the edge challenged the viewer's own NACKs" 20 until_edge c1 $((u0 + 5)) sixcast_ret_unvalidated_total
at_own_done d5 "control: a viewer's own RET NACK from an unproven address" "<= 1"

echo "== ($((SECONDS - t0)) s) E. reflection: the viewer's own fresh requests, spoofed from the victim"
R="$LAB_DIR/reflect.txt"
forge "$R" 50 ret-nack:$E1:honest burst-req:$E1:honest burst-req:$E2:honest
grep " $E1 " "$R" >"$R.1"
grep " $E2 " "$R" >"$R.2"
unv() { echo $(($(at_edge_metric c1 sixcast_ret_unvalidated_total) + $(at_edge_metric c3 sixcast_ret_unvalidated_total))); }
u0="$(unv)" v0="$(victim)"
read -r n1 b1 <<<"$(at_spoof e1 "$V6" --in "$R.1" --to "$E1_6" --port 5200 --rate 500)"
read -r n2 b2 <<<"$(at_spoof e2 "$V6" --in "$R.2" --to "$E2_6" --port 5200 --rate 500)"
until_unv() { ge "$(unv)" "$1"; }
at_wait "the edges counted the spoofed requests unvalidated" 20 until_unv $((u0 + n1 + n2))
at_row "a viewer's fresh RET NACKs and BURST_REQs, spoofed source (reflection)" $((n1 + n2)) $((b1 + b2)) \
	$(($(victim) - v0)) "<= 1"

echo "== ($((SECONDS - t0)) s) F. garbage to every UDP port, a few thousand datagrams a second"
E1ID="$E1" E2ID="$E2"
T="" TS=""
for b in "${ALL[@]}"; do
	id="$(stb "$b" status | jf 'j["client_id"]')"
	T+="[$(lab_addr6 "$b")]:5100#$id," TS+="[$(lab_addr6 "$b")]:5100@$(at_mac "$b")#$id,"
done
T+="[$E1_6]:5200#$E1ID,[$E2_6]:5200#$E2ID"
TS+="[$E1_6]:5200@$(at_mac c1)#$E1ID,[$E2_6]:5200@$(at_mac c3)#$E2ID"
# What the daemons read (or the kernel dropped for a full socket buffer).
rcvbuf() { lab_exec "$1" awk '$1 == "Udp6RcvbufErrors" { print $2 }' /proc/net/snmp6; }
taken() {
	local n h
	n=$(($(sumb 'j["repair_port"]["datagrams"]') + $(at_edge_metric c1 sixcast_ret_datagrams_total) +
		$(at_edge_metric c3 sixcast_ret_datagrams_total)))
	for h in "${ALL[@]}" c1 c3; do n=$((n + $(rcvbuf $h))); done
	echo $n
}
until_taken() { ge "$(taken)" "$1"; }
k0="$(taken)"
ISS="${E1CERT:24:8}" # the CA's key id, in every certificate
at_own f1 garbage --targets "$T" --issuer "$ISS" --rate 3000 --duration 2 --seed 1
wait_sent() { # LOG: the sender's count once its first line is out
	at_wait "the garbage sender finished" 30 grep -c sent "$LAB_DIR/$1.json"
	at_result "$LAB_DIR/$1.json" sent
}
n1="$(wait_sent f1)"
at_wait "the daemons read $n1 garbage datagrams" 20 until_taken $((k0 + n1))
at_own_done f1 "garbage from the attacker's address" 0
for h in "${ALL[@]}" c1 c3; do at_egress "$h" spoofed ip6 daddr 2001:db8:1::f:0/112; done
k0="$(taken)"
lab_exec $ATT python3 "$AT_PY" garbage --targets "$TS" --issuer "$ISS" --rate 3000 --duration 2 --seed 2 \
	--spoof-net 2001:db8:1::f: >"$LAB_DIR/f2.json" || lab_fail "garbage: $(cat "$LAB_DIR/f2.json")"
n2="$(at_result "$LAB_DIR/f2.json" sent)"
at_wait "the daemons read $n2 spoofed garbage datagrams" 20 until_taken $((k0 + n2))
out=0
for h in "${ALL[@]}" c1 c3; do out=$((out + $(at_egressed "$h" spoofed | cut -d' ' -f2))); done
at_row "garbage from random spoofed addresses" "$n2" "$(at_result "$LAB_DIR/f2.json" bytes_sent)" "$out" 0
# Made-up certificates at the edge faster than it checks them: the budget.
b0="$(at_edge_metric c1 sixcast_ident_budget_refused_total)" v0="$(at_edge_metric c1 sixcast_ident_certs_verified_total)"
at_own f3 garbage --targets "[$E1_6]:5200#$E1ID" --issuer "$ISS" --mix sx --rate 2000 --duration 1.5 --seed 3
n3="$(wait_sent f3)"
at_wait "the edge refused certificates past its budget" 20 until_edge c1 $((b0 + 1)) sixcast_ident_budget_refused_total
at_wait "the edge read the certificate flood" 20 until_taken $((k0 + n2 + n3))
at_own_done f3 "made-up certificates to the edge, 2000 a second" 0
echo "  certificates checked $(($(at_edge_metric c1 sixcast_ident_certs_verified_total) - v0)), refused for the budget" \
	"$(($(at_edge_metric c1 sixcast_ident_budget_refused_total) - b0)) of $n3 datagrams"

echo "== after the attacks ($((SECONDS - t0)) s into the lab)"
for b in "${BOXES[@]}"; do stb "$b" record stop >/dev/null || lab_fail "$b: record stop"; done
D1="$(sumb 'j["repair"]["delivered"]')"
for b in "${BOXES[@]}"; do
	chk="$("$CL_TSREC" check "$LAB_DIR/$b.ts" | head -1)"
	p="$(sed -n 's/.*packets=\([0-9]*\).*/\1/p' <<<"$chk")"
	echo "  $b recorded through the attacks: $chk"
	grep -q "cc_errors=0" <<<"$chk" || {
		cl_why "$b"
		# The edges' side of the RET that did not come: refused by the
		# rate limit, no longer held, unvalidated, or dropped unread.
		for e in c1 c3; do
			echo "  edge $e: $(lab_exec $e curl -s http://[::1]:8081/metrics |
				grep -E '^sixcast_ret_(requests|repairs|refused|missing|unvalidated|unknown_sender|replayed)_total' |
				tr '\n' ' ') Udp6RcvbufErrors $(rcvbuf $e)"
		done
		lab_fail "$b: continuity errors during the attacks: $chk"
	}
	[ "${p:-0}" -gt 5000 ] || lab_fail "$b: only ${p:-0} TS packets recorded"
done
[ $((D1 - D0)) -gt 1000 ] || lab_fail "the boxes delivered $((D1 - D0)) packets during the attacks"
# Nothing reached the attacker's ports after its sockets closed.
late="$(at_watched $ATT all | cut -d' ' -f2)"
[ "$late" -le "$AT_OWN_RECV" ] || lab_fail "the attacker's ports got $late bytes, its sockets $AT_OWN_RECV"
echo "  dropped by the boxes: $(sumb 'j["repair"]["replayed"]') replayed, $(sumb 'j["repair"]["auth_failed"]') auth_failed," \
	"$(sumb 'j["repair"]["unvalidated"]') unvalidated, $(sumb 'j["repair"]["unknown_sender"]') unknown_sender," \
	"$(sumb 'j["repair"]["malformed"] + j["repair_port"]["malformed"]') malformed; challenges $(sumb 'j["identity"]["challenges_sent"]')"
echo "  edge c1: $(lab_exec c1 curl -s http://[::1]:8081/metrics | grep -E '^sixcast_(ret_(replayed|unvalidated|auth_failures|unknown_sender|malformed|path_sent|unrouted)|ident_(bad_mac|wrong_receiver|certs_rejected|budget_refused))' | tr '\n' ' ')"
at_alive "$CL_MGMT_PID:mgmt" "$CL_EDGE_PID:edge" "$E2PID:edge2"
for b in "${ALL[@]}"; do at_alive "${CL_PID[$b]}:$b"; done
at_table
echo "PASS ($((SECONDS - t0)) s)"
