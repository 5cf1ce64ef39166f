#!/bin/bash
# mld_flap: a receiver keeps receiving across a link flap and across its
# interface being re-created, without being restarted.
#
# c1 sends an SSM channel at a steady rate. m1h1 runs a receiver with
# --rejoin (netlink link watcher, joins again on link-up; --fast sends each
# join's report at once), m1h2 the same receiver without it. Both hosts'
# eth0 go down and come back, then their veth pairs are deleted and created
# anew under the same names (a new interface index, as after a PPPoE or USB
# re-plug), which drops every membership they had. The --rejoin receiver
# must report the events, join again each time and get the channel again
# after each; the other one must stop at the re-creation, which shows that
# the watcher is what brings the stream back. (They sit on two hosts
# because a socket's membership record outlives its interface, so on one
# host the rejoined socket would carry the other one along.)
#
# Every step waits for what it needs (a join on the bridges, a link event
# in the log, packets flowing again), so a busy machine only makes it
# slower.
set -u
. "${top_srcdir:-.}/tests/lab/lab.sh"
probe="${top_builddir:-.}/tests/tools/mcprobe"
[ -x "$probe" ] || { echo "mcprobe not built" >&2; exit 99; }

lab_up 1 2
lab_wait_querier || exit 99

RATE=500
EVERY=100 # a progress line every 100 packets (0.2 s)
group='[ff3e::8000:9]:5000'
src="$(lab_addr6 c1)"
R="$LAB_DIR/rejoin.log"
P="$LAB_DIR/plain.log"

# The receivers run until told to stop (-t is only a guard).
lab_bg m1h1 "$R" "$probe" recv -g "$group" -i eth0 -s "$src" -t 600 --rejoin --fast --progress $EVERY
RPID=$LAB_LAST_PID
lab_bg m1h2 "$P" "$probe" recv -g "$group" -i eth0 -s "$src" -t 600 --progress $EVERY
PPID_=$LAB_LAST_PID
lab_wait_log "$R" '^joined'
lab_wait_log "$P" '^joined'
lab_wait_mdb m1 ff3e::8000:9 m1h1 m1h2
lab_wait_mdb core ff3e::8000:9 dn1
lab_bg c1 "$LAB_DIR/send.log" "$probe" send -g "$group" -i eth0 -n 65536 -r "$RATE"
SPID=$LAB_LAST_PID
old_index="$(lab_exec m1h1 cat /sys/class/net/eth0/ifindex)"

# unique_after FILE LINE: the packet count of the last progress line after
# the first line equal to LINE (nothing when there is none yet).
unique_after() {
	awk -v m="$2" '$0 == m { f = 1 } f && /^progress/ { sub(/.*unique=/, ""); sub(/ .*/, ""); u = $0 }
		END { if (u != "") print u }' "$1"
}
# flowing FILE LINE N: at least N packets arrived after LINE.
flowing() {
	local first now
	first="$(awk -v m="$2" '$0 == m { f = 1 } f && /^progress/ { sub(/.*unique=/, ""); sub(/ .*/, ""); print; exit }' "$1")"
	now="$(unique_after "$1" "$2")"
	[ -n "$first" ] && [ $((now - first)) -ge "$3" ] || { tail -n 3 "$1"; return 1; }
}

lab_wait "the stream at both receivers" flowing "$R" joined $((RATE * 2))
lab_wait "the stream at the plain receiver" flowing "$P" joined $((RATE * 2))

echo "flap: eth0 down and up"
for h in m1h1 m1h2; do lab_exec "$h" ip link set eth0 down; done
lab_wait_log "$R" "^link-down eth0 #$old_index"
for h in m1h1 m1h2; do lab_exec "$h" ip link set eth0 up; done
lab_wait_log "$R" "^rejoined eth0 #$old_index"
lab_wait "the stream again after the flap" flowing "$R" "rejoined eth0 #$old_index" $((RATE * 2))

echo "re-create: the veth pairs are deleted and made again"
for h in m1h1 m1h2; do
	fab ip link del "$h"
	fab ip link add "$h" type veth peer name eth0 netns "$(lab_ns "$h")"
	fab ip link set "$h" master m1 up
	lab_exec "$h" ip link set eth0 up
done
new_index="$(lab_exec m1h1 cat /sys/class/net/eth0/ifindex)"
lab_wait_log "$R" "^rejoined eth0 #$new_index"
lab_wait "the stream again after the re-creation" flowing "$R" "rejoined eth0 #$new_index" $((RATE * 2))

# Stop the sender, then the receivers: each prints its totals.
kill -TERM "$SPID" && wait "$SPID" 2>/dev/null
kill -TERM "$RPID" "$PPID_"
wait "$RPID" "$PPID_" 2>/dev/null
lab_wait_log "$R" '^received=' "the --rejoin receiver's totals"
lab_wait_log "$P" '^received=' "the plain receiver's totals"

grep -v '^progress' "$R"
echo "m1h2, without --rejoin: $(tail -1 "$P")"
for ev in "link-down eth0 #$old_index" "link-up eth0 #$old_index" "rejoined eth0 #$old_index" \
	"link-del eth0 #$old_index" "link-new eth0 #$new_index" "rejoined eth0 #$new_index"; do
	grep -qF "$ev" "$R" || lab_fail "the --rejoin receiver did not report '$ev'"
done
field() { sed -n "s/.*$2=\([0-9-]*\).*/\1/p" "$1" | tail -1; }
last="$(field "$R" last)"
plain_last="$(field "$P" last)"
echo "last packet: $last with --rejoin, ${plain_last:-none} without"
# Without the watcher the stream ends at the re-creation, while the
# --rejoin receiver got 2 s of it (RATE * 2 packets) after its rejoin: ask
# for half of that, as the last progress line may be behind.
[ -n "$last" ] && [ -n "$plain_last" ] && [ "$plain_last" -lt $((last - RATE)) ] ||
	lab_fail "the receiver without --rejoin kept receiving (last seq ${plain_last:-none}, --rejoin ${last:-none}): the test proves nothing"
echo "PASS: packets flow again after a link flap and a re-created interface, without a restart"
