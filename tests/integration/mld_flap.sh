#!/bin/bash
# mld_flap: a receiver keeps receiving across a link flap and across its
# interface being re-created, without being restarted.
#
# c1 sends an SSM channel at a steady rate for 12 s. m1h1 runs a receiver
# with --rejoin (netlink link watcher, joins again on link-up; --fast sends
# each join's report at once), m1h2 the
# same receiver without it. Meanwhile both hosts' eth0 go down for 2 s and
# come back, then their veth pairs are deleted and created anew under the
# same names (a new interface index, as after a PPPoE or USB re-plug), which
# drops every membership they had. The --rejoin receiver must report the
# events, join again each time and get the channel until its end; the
# other one must stop at the re-creation, which shows that the watcher is
# what brings the stream back. (They sit on two hosts because a socket's
# membership record outlives its interface, so on one host the rejoined
# socket would carry the other one along.)
set -u
. "${top_srcdir:-.}/tests/lab/lab.sh"
probe="${top_builddir:-.}/tests/tools/mcprobe"
[ -x "$probe" ] || { echo "mcprobe not built" >&2; exit 99; }

lab_up 1 2
lab_wait_querier || exit 99

RATE=500
COUNT=6000 # 12 s
group='[ff3e::8000:9]:5000'
src="$(lab_addr6 c1)"

lab_bg m1h1 "$LAB_DIR/rejoin.log" "$probe" recv -g "$group" -i eth0 -s "$src" -t 14 --rejoin --fast
lab_bg m1h2 "$LAB_DIR/plain.log" "$probe" recv -g "$group" -i eth0 -s "$src" -t 14
for _ in $(seq 50); do
	[ "$(cat "$LAB_DIR/rejoin.log" "$LAB_DIR/plain.log" | grep -c '^joined')" = 2 ] && break
	sleep 0.1
done
sleep 0.5
lab_bg c1 "$LAB_DIR/send.log" "$probe" send -g "$group" -i eth0 -n "$COUNT" -r "$RATE"
old_index="$(lab_exec m1h1 cat /sys/class/net/eth0/ifindex)"

sleep 3
echo "flap: eth0 down for 2 s"
for h in m1h1 m1h2; do lab_exec "$h" ip link set eth0 down; done
sleep 2
for h in m1h1 m1h2; do lab_exec "$h" ip link set eth0 up; done
sleep 2
echo "re-create: the veth pairs are deleted and made again"
for h in m1h1 m1h2; do
	fab ip link del "$h"
	fab ip link add "$h" type veth peer name eth0 netns "$(lab_ns "$h")"
	fab ip link set "$h" master m1 up
	lab_exec "$h" ip link set eth0 up
done
new_index="$(lab_exec m1h1 cat /sys/class/net/eth0/ifindex)"
wait

cat "$LAB_DIR/rejoin.log"
echo "m1h2, without --rejoin: $(tail -1 "$LAB_DIR/plain.log")"
for ev in "link-down eth0 #$old_index" "link-up eth0 #$old_index" "rejoined eth0 #$old_index" \
	"link-del eth0 #$old_index" "link-new eth0 #$new_index" "rejoined eth0 #$new_index"; do
	grep -qF "$ev" "$LAB_DIR/rejoin.log" || lab_fail "the --rejoin receiver did not report '$ev'"
done
field() { sed -n "s/.*$2=\([0-9-]*\).*/\1/p" "$1" | tail -1; }
last="$(field "$LAB_DIR/rejoin.log" last)"
unique="$(field "$LAB_DIR/rejoin.log" unique)"
# The stream ends at COUNT-1; allow the last half second to be in flight.
[ -n "$last" ] && [ "$last" -ge $((COUNT - RATE / 2)) ] ||
	lab_fail "the --rejoin receiver stopped at seq ${last:-none}, the stream went to $((COUNT - 1))"
# Two outages of about 2 s and 1 s: well over half the stream must arrive.
[ -n "$unique" ] && [ "$unique" -ge $((COUNT / 2)) ] ||
	lab_fail "the --rejoin receiver got only ${unique:-no} packets of $COUNT"
plain_last="$(field "$LAB_DIR/plain.log" last)"
[ -n "$plain_last" ] && [ "$plain_last" -lt $((COUNT - RATE * 2)) ] ||
	lab_fail "the receiver without --rejoin kept receiving (last seq ${plain_last:-none}): the test proves nothing"
echo "PASS: packets flow again after a link flap and a re-created interface, without a restart"
