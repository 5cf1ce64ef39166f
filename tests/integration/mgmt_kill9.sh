#!/bin/bash
# mgmt_kill9: kill -9 at any moment loses no acknowledged change.
#
# Three rounds. In each, simulated boxes register, tune and zap
# (sixcast-mgmt-load, writing every acknowledged registration and tune to a
# log the moment it is acknowledged) while a NOC loop creates channels and
# metros and renames a channel (logging each 2xx). At a random moment the
# server gets SIGKILL. It is restarted on the same store, and then:
#  - every acknowledged registration's token still works and names its
#    device (sixcast-mgmt-load verify);
#  - a box holding an acknowledged group version either gets a newer group
#    or the server's group with that version has the same key: versions
#    are never reused with other contents;
#  - every acknowledged channel and metro exists, and the renamed channel
#    carries the last acknowledged name or a later one.
set -u
. "${top_srcdir:-.}/tests/integration/mgmt_lib.sh"
[ -x "$MG_LOAD" ] || { echo "sixcast-mgmt-load not built" >&2; exit 99; }

# The load generator's boxes all come from 127.0.0.1.
MG_HTTP="per_address_limit = 0;"
mg_start 'grouping = { metro_min_clients = 1000000; };'
BOXES=5000

idof() { printf '%s' "$BODY" | sed -n 's/^{"id":\([0-9]*\),.*/\1/p'; }

noc_loop() {
	local n=0 id
	: >"$MG_DIR/noc.ack"
	while :; do
		n=$((n + 1))
		api POST /channels "{\"name\":\"k9-$n\"}"
		[ "$CODE" = 201 ] && echo "channel $(idof) k9-$n" >>"$MG_DIR/noc.ack"
		api POST /metros "{\"name\":\"k9m-$n\",\"prefixes\":[\"2001:db8:$((256 + n % 60000))::/48\"]}"
		[ "$CODE" = 201 ] && echo "metro $(idof) k9m-$n" >>"$MG_DIR/noc.ack"
		api PATCH /channels/2 "{\"name\":\"rename-$n\"}"
		[ "$CODE" = 200 ] && echo "rename $n" >>"$MG_DIR/noc.ack"
		[ -z "$CODE" ] || [ "$CODE" = 000 ] && return 0
	done
}

for round in 1 2 3; do
	delay_ms=$((200 + RANDOM % 2300))
	"$MG_LOAD" --server "127.0.0.1:$MG_PORT" --admin "$MG_ADMIN" --credential "$MG_BOXCRED" \
		--boxes $BOXES --conns 64 --channels 10 --metros 3 --phases register,tune,zap \
		--zap 40000 --zap-rate 8000 --prefix "r$round" --ack-log "$MG_DIR/ack$round.log" \
		>"$MG_DIR/load$round.log" 2>&1 &
	load=$!
	noc_loop &
	noc=$!
	# Not a synchronisation: the kill is meant to land at a random moment
	# of the load and the NOC's writes, whatever is under way then;
	# nothing waits for it.
	sleep "$((delay_ms / 1000)).$(printf '%03d' $((delay_ms % 1000)))"
	mg_kill9
	wait $load
	wait $noc
	regs=$(grep -c '^reg ' "$MG_DIR/ack$round.log")
	tunes=$(grep -c '^tune ' "$MG_DIR/ack$round.log")
	nocs=$(wc -l <"$MG_DIR/noc.ack")
	echo "round $round: kill -9 after ${delay_ms} ms; acknowledged: $regs registrations, $tunes tunes, $nocs NOC changes"
	mg_launch || mg_fail "restart after kill -9 (round $round)"
	"$MG_LOAD" verify --server "127.0.0.1:$MG_PORT" --admin "$MG_ADMIN" --boxes $BOXES \
		--ack-log "$MG_DIR/ack$round.log" || mg_fail "round $round: acknowledged box state lost"
	while read -r what id name; do
		case "$what" in
		channel)
			api GET "/channels/$id"; expect 200 "acknowledged channel $id ($name)"
			[ "$(jget 'j["name"]')" = "$name" ] || mg_fail "channel $id: $BODY"
			;;
		metro)
			api GET "/metros/$id"; expect 200 "acknowledged metro $id ($name)"
			[ "$(jget 'j["name"]')" = "$name" ] || mg_fail "metro $id: $BODY"
			;;
		esac
	done <"$MG_DIR/noc.ack"
	last=$(awk '$1 == "rename" { n = $2 } END { print n + 0 }' "$MG_DIR/noc.ack")
	if [ "$last" -gt 0 ]; then
		api GET /channels/2; expect 200 "channel 2"
		now=$(jget 'j["name"]'); now=${now#rename-}
		[ "$now" -ge "$last" ] 2>/dev/null || mg_fail "channel 2 is rename-$now, the last acknowledged was rename-$last"
	fi
done
echo "PASS: nothing acknowledged was lost to kill -9"
