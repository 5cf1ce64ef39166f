#!/bin/bash
# edge_lab: the edge server in the namespace lab.
#
# A GStreamer-made H.264/AAC TS file goes out on an ff3e:: SSM group and an
# IPv4 SSM group, and a live GStreamer test pattern on a second channel. In
# other metros: ffprobe opens each SDP and finds both streams; recordings
# have no continuity-counter error and no RTP sequence gap. A central
# server feeds the edge over multicast and the edge relays it. A SIGHUP
# reload adds and removes channels while a recording of an unchanged one
# runs, without a gap in it. A feed that stalls is restarted and reported
# while the other channels go on. A bad config line is named.
set -u
. "${top_srcdir:-.}/tests/lab/lab.sh"
B="${top_builddir:-.}"
edge="$B/mcast-server/sixcast-mcast-server"
tsrec="$B/tests/tools/tsrec"
for t in "$edge" "$tsrec"; do [ -x "$t" ] || { echo "not built: $t" >&2; exit 99; }; done
for t in gst-launch-1.0 ffprobe curl; do command -v "$t" >/dev/null || lab_skip "missing $t"; done

lab_up 2 2 2
E6="$(lab_addr6 c1)"
E4="$(lab_addr4 c1)"
C6="$(lab_addr6 c2)"

# 3 s of H.264 (GOP 1 s) + AAC, looped by the edge.
gst-launch-1.0 -q videotestsrc num-buffers=75 pattern=ball ! video/x-raw,width=320,height=180,framerate=25/1 ! \
	x264enc bitrate=800 key-int-max=25 speed-preset=ultrafast tune=zerolatency ! h264parse ! mux. \
	audiotestsrc num-buffers=130 ! audioconvert ! avenc_aac ! aacparse ! mux. \
	mpegtsmux name=mux ! filesink location="$LAB_DIR/clip.ts" || exit 99

live="gst:videotestsrc is-live=true pattern=smpte ! video/x-raw,width=320,height=180,framerate=25/1 ! x264enc bitrate=500 key-int-max=25 speed-preset=ultrafast tune=zerolatency ! h264parse ! mpegtsmux"
write_conf() { # FILE CHANNEL-LINES...
	local f="$1"
	shift
	{
		echo "edge: { name = \"edge-test\"; interface = \"eth0\"; sdp_dir = \"$LAB_DIR/sdp\"; stall_ms = 1000; };"
		echo 'channels = ('
		local first=1 l
		for l in "$@"; do
			[ $first = 1 ] || echo ','
			first=0
			printf '  %s' "$l"
		done
		echo
		echo ');'
	} >"$f"
}
ch1="{ id = 1; name = \"Clip\"; source = \"file:$LAB_DIR/clip.ts\"; ipv4 = true; }"
ch2="{ id = 2; name = \"Live pattern\"; source = \"$live\"; }"
ch3="{ id = 3; name = \"Relayed\"; source = \"udp://[ff3e::8000:a]:5000?source=$C6\"; }"
ch4="{ id = 4; name = \"Added\"; source = \"file:$LAB_DIR/clip.ts\"; }"
ch5="{ id = 5; name = \"Dead feed\"; source = \"rtp://[ff3e::8000:77]:5000?source=$C6\"; }"

# The central server: one channel (10) that the edge relays.
write_conf "$LAB_DIR/central.conf" "{ id = 10; name = \"Central\"; source = \"file:$LAB_DIR/clip.ts\"; }"
sed -i "s|$LAB_DIR/sdp|$LAB_DIR/central-sdp|" "$LAB_DIR/central.conf"
lab_bg c2 "$LAB_DIR/central.log" "$edge" -c "$LAB_DIR/central.conf"

# A bad line is reported with file and line, and nothing starts.
write_conf "$LAB_DIR/bad.conf" "$ch1" '{ id = 1; name = "Twice"; source = "file:/nonexistent.ts"; }'
out="$("$edge" -c "$LAB_DIR/bad.conf" --check-config 2>&1)" && lab_fail "a bad config passed the check"
grep -q "bad.conf:[0-9]*: 'source': /nonexistent.ts: No such file" <<<"$out" || lab_fail "bad config: $out"
echo "bad config: $out"

write_conf "$LAB_DIR/edge.conf" "$ch1" "$ch2" "$ch3" "$ch5"
lab_exec c1 "$edge" -c "$LAB_DIR/edge.conf" --check-config || lab_fail "check-config refused a good file"
lab_bg c1 "$LAB_DIR/edge.log" "$edge" -c "$LAB_DIR/edge.conf" --log-level debug
EPID=$LAB_LAST_PID
lab_wait_querier || exit 99
lab_wait "SDP file of channel 3" test -s "$LAB_DIR/sdp/3.sdp"

probe() { # HOST SDP: the codecs ffprobe finds
	lab_exec "$1" timeout 15 ffprobe -v error -protocol_whitelist file,udp,rtp -show_entries stream=codec_name \
		-of csv=p=0 "$2" 2>/dev/null | grep . | sort -u | tr '\n' ' '
}
declare -A RPID
rec() { # HOST GROUP SOURCE SECONDS NAME
	lab_bg "$1" "$LAB_DIR/$5.txt" "$tsrec" rec -g "$2" -s "$3" -i eth0 -t "$4" -o "$LAB_DIR/$5.ts"
	RPID[$5]=$LAB_LAST_PID
}
field() { sed -n "s/.*$2=\([0-9]*\).*/\1/p" "$LAB_DIR/$1.txt" | head -1; }
# why_lost: what the edge says of its channels and its log's complaints,
# for a recording with holes (the edge's sending, or the path after it).
why_lost() {
	echo "the edge's channels: $(lab_exec m1h1 curl -sf "http://[$E6]:8081/channels" | tr -s ' \n' ' ')"
	grep -E "warning|error|resync|late|stall|reload" "$LAB_DIR/edge.log" | tail -n 15
}
expect_clean() { # NAME MIN_PACKETS
	local p cc lost
	p="$(field "$1" packets)"
	cc="$(field "$1" cc_errors)"
	lost="$(field "$1" rtp_lost)"
	echo "$1: packets=$p cc_errors=$cc rtp_lost=$lost"
	[ -n "$p" ] && [ "$p" -ge "$2" ] || lab_fail "$1: ${p:-no} TS packets, wanted at least $2"
	[ "$cc" = 0 ] && [ "$lost" = 0 ] && return 0
	why_lost
	[ "$cc" = 0 ] || lab_fail "$1: $cc continuity errors"
	lab_fail "$1: $lost RTP packets missing"
}

# Recordings across a loop of the file (and, for ch1-v6, across the reload
# below: it runs until 3 s of stream after the reload, and at least 8 s of
# it; 600 s is only a guard).
rec m1h2 "[ff3e::8000:1]:5000" "$E6" 600 ch1-v6
rec m2h2 "232.1.0.1:5000" "$E4" 5 ch1-v4
rec m2h1 "[ff3e::8000:2]:5000" "$E6" 5 ch2
rec m1h1 "[ff3e::8000:3]:5000" "$E6" 5 ch3
for r in ch1-v6 ch1-v4 ch2 ch3; do lab_wait_log "$LAB_DIR/$r.txt" '^joined' "join of the $r recorder"; done

# The dead feed is reported before the reload stops it.
lab_wait_log "$LAB_DIR/edge.log" 'channel 5 \(Dead feed\): source stalled' "stall report of channel 5"

# Reload while ch1 is being recorded, once the recordings of 2 and 3 are
# done: drop 2, 3 and 5, add 4.
wait "${RPID[ch2]}" "${RPID[ch3]}"
write_conf "$LAB_DIR/edge.conf" "$ch1" "$ch4"
kill -HUP "$EPID"
lab_wait_log "$LAB_DIR/edge.log" 'reloaded: ' "reload"
kill -0 "${RPID[ch1-v6]}" 2>/dev/null ||
	lab_fail "the ch1-v6 recording ended before the reload: it proves nothing about a gap across it"
chans="$(lab_exec m1h1 curl -sf "http://[$E6]:8081/channels" | grep -o '"id": [0-9]*' | tr -d '"id: ' | tr '\n' ' ')"
echo "channels after reload: $chans"
[ "$chans" = "1 4 " ] || lab_fail "after reload the edge lists channels: $chans"

c1="$(probe m1h1 "$LAB_DIR/sdp/1.sdp")"
c4="$(probe m2h1 "$LAB_DIR/sdp/1-ipv4.sdp")"
echo "ffprobe channel 1 over IPv6: $c1; over IPv4: $c4"
[ "$c1" = "aac h264 " ] || lab_fail "ffprobe over IPv6 found: $c1"
[ "$c4" = "aac h264 " ] || lab_fail "ffprobe over IPv4 found: $c4"
# The clip's own rate: whatever the recorders got, at least half of it.
pps=$(($(stat -c %s "$LAB_DIR/clip.ts") / 188 / 3))
size_ge() { # FILE BYTES
	local n
	n="$(stat -c %s "$1" 2>/dev/null || echo 0)"
	[ "$n" -ge "$2" ] || { echo "$1: $n bytes of $2"; return 1; }
}
want=$(($(stat -c %s "$LAB_DIR/ch1-v6.ts") + pps * 3 * 188))
[ "$want" -ge $((pps * 8 * 188)) ] || want=$((pps * 8 * 188))
lab_wait "3 s of channel 1 recorded after the reload (8 s in all)" size_ge "$LAB_DIR/ch1-v6.ts" "$want"
kill -TERM "${RPID[ch1-v6]}"
wait "${RPID[@]}"

expect_clean ch1-v6 $((pps * 8 / 2))
expect_clean ch1-v4 $((pps * 5 / 2))
expect_clean ch2 100
expect_clean ch3 $((pps * 5 / 2))
# (The last frame of a recording is cut short: the decoder may say so.)
frames="$(ffprobe -v quiet -count_frames -select_streams v -show_entries stream=nb_read_frames -of csv=p=0 \
	"$LAB_DIR/ch1-v6.ts" | grep -m1 '[0-9]')"
echo "ch1 recording decodes to $frames video frames"
[ "${frames:-0}" -ge 150 ] || lab_fail "ch1 recording decodes to only ${frames:-0} frames"

grep -q 'reloaded: 1 channel(s) unchanged, 1 (re)started, 3 stopped' "$LAB_DIR/edge.log" ||
	lab_fail "reload not logged as expected: $(grep reload "$LAB_DIR/edge.log")"
grep -q 'channel 5 (Dead feed): source stalled (no data); restarting' "$LAB_DIR/edge.log" ||
	lab_fail "the dead feed was not reported as stalled"
curl_sdp="$(lab_exec m2h1 curl -sf "http://[$E6]:8081/sdp/4.sdp")"
grep -q "a=source-filter: incl IN IP6 ff3e::8000:4 $E6" <<<"$curl_sdp" || lab_fail "SDP over HTTP: $curl_sdp"
lab_exec m2h1 curl -sf "http://[$E6]:8081/metrics" | grep -q '^sixcast_edge_packets_total [1-9]' ||
	lab_fail "no /metrics"
kill -TERM "$EPID"
wait "$EPID" 2>/dev/null
grep -q 'SIGTERM\|Terminated: stopping' "$LAB_DIR/edge.log" || lab_fail "no clean stop logged"
echo "PASS: edge emits, relays, reloads and recovers"
