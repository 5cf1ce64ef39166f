#!/bin/bash
# edge_ret_lab: the edge's RET service and fast channel change in the lab.
#
# An edge in the core emits a GStreamer-made H.264/AAC channel (GOP 1 s) to
# an ff3e:: SSM group and serves RET on [::]:5200 with a key from its
# config; standalone, it is its own CA (trust.ca_key_file) and the probe
# boxes get their certificates from the same key. In a metro:
#  - a box under 5% nftables loss runs rtxprobe (a retransmit client whose
#    only repairer is the edge): every lost packet is repaired, its recorded
#    output has no continuity-counter error;
#  - a box with a wrong key gets no repair at all, and the edge counts the
#    authentication failures;
#  - a box zaps with a burst: the output starts with a PAT and a random
#    access point about a round trip after the request, is gap-free across
#    the splice into the multicast, and decodes (ffprobe);
#  - the same over IPv4 (the RET socket takes both families).
set -u
. "${top_srcdir:-.}/tests/lab/lab.sh"
B="${top_builddir:-.}"
edge="$B/mcast-server/sixcast-mcast-server"
tsrec="$B/tests/tools/tsrec"
probe="$B/tests/tools/rtxprobe"
for t in "$edge" "$tsrec" "$probe"; do [ -x "$t" ] || { echo "not built: $t" >&2; exit 99; }; done
for t in gst-launch-1.0 ffprobe curl; do command -v "$t" >/dev/null || lab_skip "missing $t"; done

lab_up 1 4 1
E6="$(lab_addr6 c1)"
E4="$(lab_addr4 c1)"
KEY=38aa227e19d7da7d81c5c2c8e0d52d4e328ee1cbfdc4636e54df8e57343f6679
BAD=fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210

# 4 s of H.264 (GOP 1 s, about 2 Mb/s) + AAC, looped by the edge.
gst-launch-1.0 -q videotestsrc num-buffers=100 pattern=ball ! video/x-raw,width=640,height=360,framerate=25/1 ! \
	x264enc bitrate=2000 key-int-max=25 speed-preset=ultrafast tune=zerolatency ! h264parse ! mux. \
	audiotestsrc num-buffers=173 ! audioconvert ! avenc_aac ! aacparse ! mux. \
	mpegtsmux name=mux ! filesink location="$LAB_DIR/clip.ts" || exit 99

"$edge" --new-ca-key "$LAB_DIR/ca.key" >/dev/null || exit 99
cat >"$LAB_DIR/edge.conf" <<EOF
edge: { name = "edge-ret"; interface = "eth0"; };
ret: { listen = "[::]:5200"; key = "$KEY"; };
trust: { ca_key_file = "$LAB_DIR/ca.key"; };
channels = ( { id = 1; name = "Clip"; source = "file:$LAB_DIR/clip.ts"; ipv4 = true; } );
EOF
lab_exec c1 "$edge" -c "$LAB_DIR/edge.conf" --check-config || lab_fail "check-config refused a good file"
lab_bg c1 "$LAB_DIR/edge.log" "$edge" -c "$LAB_DIR/edge.conf"
EPID=$LAB_LAST_PID
lab_wait_querier || exit 99
# The edge's certificate, as a box learns it (here from GET /identity).
edge_cert() { # FILE: the certificate into FILE (lab_wait runs this in a subshell)
	local c
	c="$(lab_exec m1h3 curl -sf "http://[$E6]:8081/identity")" || { tail -n 3 "$LAB_DIR/edge.log"; return 1; }
	c="$(sed -n 's/.*"cert": "\([0-9a-f]*\)".*/\1/p' <<<"$c")"
	[ ${#c} = 256 ] || { echo "cert: '$c'"; return 1; }
	printf '%s\n' "$c" >"$1"
}
lab_wait "certificate at the edge's /identity" edge_cert "$LAB_DIR/edge.cert"
ECERT="$(cat "$LAB_DIR/edge.cert")"

run_probe() { # HOST NAME SECONDS ARGS...: rtxprobe on the channel, key=value line into NAME.txt
	local h="$1" name="$2" secs="$3"
	shift 3
	lab_exec "$h" "$probe" -g "[ff3e::8000:1]:5000" -s "$E6" -i eth0 -r "[$E6]:5200" -c 1 -t "$secs" \
		-A "$LAB_DIR/ca.key" -E "$ECERT" -o "$LAB_DIR/$name.ts" "$@" >"$LAB_DIR/$name.txt" 2>"$LAB_DIR/$name.err"
}
field() { tr ' ' '\n' <"$LAB_DIR/$1.txt" | sed -n "s/^$2=//p" | head -1; }
cc_errors() { "$tsrec" check "$LAB_DIR/$1.ts" | sed -n 's/.*cc_errors=\([0-9]*\).*/\1/p' | head -1; }

# 1. RET under 5% loss (multicast, requests and repairs alike), for 8 s of
# stream (counted at the probe's output; 120 s of wall time is only a guard).
# A playback delay of 1 s: with a request or its repair lost one time in
# ten, a hole needs several round trips, and on a busy machine an edge's
# round trip takes up to a few hundred ms; at 300 ms that left a hole one
# run in a few beside stress-ng, with every retry sent in time (-v: the
# session's account of each unrepaired packet, printed on failure).
pps=$(($(stat -c %s "$LAB_DIR/clip.ts") / 1316 / 4))
lab_loss m1h1 5
run_probe m1h1 ret 120 -k "$KEY" -N $((pps * 8)) -d 1000 -v &
P1=$!
# 2. A wrong key, same loss, at the same time, for 5 s of stream.
lab_loss m1h2 5
run_probe m1h2 badkey 120 -k "$BAD" -N $((pps * 5)) &
P2=$!
wait $P1 $P2
cat "$LAB_DIR/ret.txt" "$LAB_DIR/badkey.txt"
dropped=$(lab_loss_count m1h1)
echo "m1h1: nftables dropped $dropped datagrams"
[ $(($(field ret delivered) + $(field ret lost))) -ge $((pps * 8)) ] ||
	lab_fail "RET box: $(field ret delivered) packets played and $(field ret lost) lost in 120 s (wanted $((pps * 8)))"
[ "$(field ret gaps)" -gt 0 ] || lab_fail "no loss was seen: is nftables dropping?"
[ "$(field ret lost)" = 0 ] || {
	grep -E 'rtx: unrepaired' "$LAB_DIR/ret.err" | tail -n 10
	lab_fail "RET box: $(field ret lost) packets never repaired (their account above)"
}
[ "$(field ret repaired_ret)" -gt 0 ] || lab_fail "RET box: nothing repaired by the edge"
cc="$(cc_errors ret)"
[ "$cc" = 0 ] || lab_fail "RET box recording: $cc continuity errors"
[ "$(field badkey repaired_ret)" = 0 ] || lab_fail "a wrong key got $(field badkey repaired_ret) repairs"
[ "$(field badkey lost)" -gt 0 ] || lab_fail "the wrong-key box lost nothing: was it asking?"
metrics="$(lab_exec m1h3 curl -sf "http://[$E6]:8081/metrics")"
grep -q '^sixcast_ret_auth_failures_total{channel="1"} [1-9]' <<<"$metrics" ||
	lab_fail "the edge did not count the wrong key: $(grep auth <<<"$metrics")"
grep -q '^sixcast_ret_repairs_total{channel="1"} [1-9]' <<<"$metrics" || lab_fail "no repairs in /metrics"
lab_exec m1h3 curl -sf "http://[$E6]:8081/channels" | grep -q '"repairs": [1-9]' || lab_fail "no repairs in /channels"
echo "RET: $(field ret repaired_ret) repaired, 0 lost, 0 CC errors; wrong key: 0 repairs"
lab_loss_clear m1h1
lab_loss_clear m1h2

# 3. Zap with a burst, twice, at different points of the GOP; each probe
# records 3 s of stream (60 s of wall time is only a guard).
pat_first() { # FILE: whether one of the first 7 TS packets (the first RTP packet) is a PAT
	local sync b1 b2 rest
	while read -r sync b1 b2 rest; do
		[ "$sync" = 47 ] && [ $(((0x$b1 & 0x1f) << 8 | 0x$b2)) = 0 ] && return 0
	done < <(od -An -tx1 -v -w188 -N1316 "$1")
	return 1
}
zap_check() { # NAME
	local n="$1" first frames
	cat "$LAB_DIR/$n.txt"
	[ "$(field "$n" burst_state)" = 3 ] || lab_fail "$n: the burst did not splice (state $(field "$n" burst_state))"
	[ "$(field "$n" lost)" = 0 ] || lab_fail "$n: $(field "$n" lost) packets lost across the splice"
	[ "$(field "$n" burst_packets)" -gt 0 ] || lab_fail "$n: no burst packets"
	cc="$(cc_errors "$n")"
	[ "$cc" = 0 ] || lab_fail "$n: $cc continuity errors"
	pat_first "$LAB_DIR/$n.ts" || lab_fail "$n: the first RTP packet out holds no PAT"
	frames="$(ffprobe -v quiet -count_frames -select_streams v -show_entries stream=nb_read_frames -of csv=p=0 \
		"$LAB_DIR/$n.ts" | grep -m1 '[0-9]')"
	echo "$n: starts with a PAT, decodes to ${frames:-0} frames; first packet out $(field "$n" first_out_ms) ms," \
		"first RAP out $(field "$n" first_rap_out_ms) ms after the request"
	[ "${frames:-0}" -ge 50 ] || lab_fail "$n: decodes to only ${frames:-0} frames"
}
# The edge's packet counter of the channel (/channels): the stream's clock.
sent() { lab_exec m1h3 curl -sf "http://[$E6]:8081/channels" | awk '$1 == "\"packets\":" { sub(/,$/, "", $2); print $2; exit }'; }
sent_ge() {
	local n
	n="$(sent)"
	[ -n "$n" ] && [ "$n" -ge "$1" ] && return 0
	echo "packets=${n:-none}, waiting for $1"
	return 1
}
run_probe m1h3 zap1 60 -k "$KEY" -b -N $((pps * 3))
# The second zap 0.4 s of stream later (0.4 GOP): not a wait for an event,
# the point of the GOP it lands on.
lab_wait "0.4 s more of the channel sent" sent_ge $(($(sent) + pps * 2 / 5))
run_probe m1h3 zap2 60 -k "$KEY" -b -N $((pps * 3))
zap_check zap1
zap_check zap2

# 4. IPv4: RET and a burst over the dual-stack socket.
lab_exec m1h4 "$probe" -g "232.1.0.1:5000" -s "$E4" -i eth0 -r "$E4:5200" -c 1 -t 60 -N $((pps * 3)) -k "$KEY" -b \
	-A "$LAB_DIR/ca.key" -E "$ECERT" \
	-o "$LAB_DIR/zap4.ts" >"$LAB_DIR/zap4.txt" 2>"$LAB_DIR/zap4.err"
zap_check zap4

metrics="$(lab_exec m1h3 curl -sf "http://[$E6]:8081/metrics")"
grep -q '^sixcast_ret_bursts_total{channel="1"} [3-9]' <<<"$metrics" || lab_fail "bursts not counted: $(grep burst <<<"$metrics")"
kill -TERM "$EPID"
wait "$EPID" 2>/dev/null
echo "PASS: RET repairs every loss, refuses a wrong key; burst zaps splice gap-free over IPv6 and IPv4"
