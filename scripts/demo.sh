#!/bin/bash
# The live demo: what sixcast can show today, in the namespace lab.
#   bash scripts/demo.sh BUILD_DIR      (./run demo calls this)
#
# Three metros of set-top boxes behind snooping bridges; the edge server in
# the core emits two channels over IPv6 SSM (one also over IPv4): a
# GStreamer-made H.264/AAC clip and a live GStreamer test pattern. Boxes
# tune in (source-specific joins) and record; one box sits on a 5%-lossy
# line; one box does not tune in and sees nothing. ffprobe opens the SDP.
# The demo ends by saying what is not built yet.
set -u
top="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$top/build}"
edge="$build/mcast-server/sixcast-mcast-server"
tsrec="$build/tests/tools/tsrec"
secs="${SIXCAST_DEMO_SECONDS:-8}"
. "$top/tests/lab/lab.sh"
for t in "$edge" "$tsrec"; do
	[ -x "$t" ] || { echo "demo: $t is not built; run ./run build" >&2; exit 1; }
done

bold() { printf '\033[1m%s\033[0m\n' "$*"; }

bold "sixcast demo: the metro lab"
lab_up 3 2 1
E6="$(lab_addr6 c1)"
echo "  core: c1 ($E6) runs sixcast-mcast-server, the edge"
for m in 1 2 3; do
	echo "  metro $m: $(lab_hosts $m | tr '\n' ' ')(2001:db8:$m::/48, 10.$m.0.0/16)"
done

bold "making a channel with GStreamer (H.264 + AAC in MPEG-TS, GOP 1 s)"
gst-launch-1.0 -q videotestsrc num-buffers=125 pattern=ball ! video/x-raw,width=640,height=360,framerate=25/1 ! \
	x264enc bitrate=1500 key-int-max=25 speed-preset=ultrafast tune=zerolatency ! h264parse ! mux. \
	audiotestsrc num-buffers=216 ! audioconvert ! avenc_aac ! aacparse ! mux. \
	mpegtsmux name=mux ! filesink location="$LAB_DIR/clip.ts" || exit 1
cat >"$LAB_DIR/edge.conf" <<EOF
edge: { name = "edge-demo"; interface = "eth0"; sdp_dir = "$LAB_DIR/sdp"; };
channels = (
  { id = 1; name = "Clip"; source = "file:$LAB_DIR/clip.ts"; ipv4 = true; },
  { id = 2; name = "Live pattern";
    source = "gst:videotestsrc is-live=true pattern=smpte ! video/x-raw,width=640,height=360,framerate=25/1 ! x264enc bitrate=1000 key-int-max=25 speed-preset=ultrafast tune=zerolatency ! h264parse ! mpegtsmux"; }
);
EOF
lab_bg c1 "$LAB_DIR/edge.log" "$edge" -c "$LAB_DIR/edge.conf"
lab_wait_querier || exit 1
sleep 1
sed 's/^/  /' "$LAB_DIR/edge.log"

lab_loss m2h1 5
echo "  m2h1's line loses 5% of UDP (nftables); m3h2 does not tune in"
lab_count_start m3h2 5000
bold "boxes tune to channel 1 (IPv6 SSM ff3e::8000:1 from $E6) and record ${secs}s"
for h in m1h1 m1h2 m2h1 m2h2 m3h1; do
	lab_bg "$h" "$LAB_DIR/$h.txt" "$tsrec" rec -g "[ff3e::8000:1]:5000" -s "$E6" -i eth0 -t "$secs" -o "$LAB_DIR/$h.ts"
done
lab_bg m1h2 "$LAB_DIR/v4.txt" "$tsrec" rec -g "232.1.0.1:5000" -s "$(lab_addr4 c1)" -i eth0 -t "$secs" -o "$LAB_DIR/v4.ts"
lab_bg m3h1 "$LAB_DIR/ch2.txt" "$tsrec" rec -g "[ff3e::8000:2]:5000" -s "$E6" -i eth0 -t "$secs" -o "$LAB_DIR/ch2.ts"
echo "  ffprobe on m1h1 opens $LAB_DIR/sdp/1.sdp:"
lab_exec m1h1 timeout 15 ffprobe -v error -protocol_whitelist file,udp,rtp -show_entries stream=codec_name,width,height,sample_rate \
	-of compact=p=0 "$LAB_DIR/sdp/1.sdp" 2>/dev/null | grep . | sort -u | sed 's/^/    /'
while pgrep -f "$tsrec rec" >/dev/null; do sleep 0.3; done

field() { sed -n "s/.*$2=\([0-9]*\).*/\1/p" "$LAB_DIR/$1.txt" | head -1; }
bold "what each box recorded"
printf '  %-14s %-9s %-10s %-10s %s\n' box "TS pkts" "RTP lost" "CC errors" "video frames"
for h in m1h1 m1h2 m2h1 m2h2 m3h1 v4 ch2; do
	label="$h"
	[ "$h" = v4 ] && label="m1h2 (IPv4)"
	[ "$h" = ch2 ] && label="m3h1 (ch 2)"
	[ "$h" = m2h1 ] && label="m2h1 (5% loss)"
	frames="$(ffprobe -v quiet -count_frames -select_streams v -show_entries stream=nb_read_frames -of csv=p=0 \
		"$LAB_DIR/$h.ts" | grep -m1 '[0-9]')"
	printf '  %-14s %-9s %-10s %-10s %s\n' "$label" "$(field "$h" packets)" "$(field "$h" rtp_lost)" \
		"$(field "$h" cc_errors)" "${frames:-0}"
done
echo "  m3h2 (did not tune in): $(lab_count m3h2) datagrams of any channel reached its wire"
bold "the edge's view (GET /channels)"
lab_exec m1h1 curl -s "http://[$E6]:8081/channels" |
	grep -E '"(id|name|bitrate_bps|packets)"' | paste - - - - | tr -s ' \t' ' ' | sed 's/^/ /'

bold "not built yet (the issues say when):"
cat <<'TXT'
  - in-group repair: m2h1's losses above would be repaired by its group  (issues 4, 7)
  - sixcast-mgmt-server: registry, grouping, API, NOC console             (issue 6)
  - sixcast-client: tune, repair, play, record                            (issue 7)
  - edge RET and fast channel change, P2P mesh fallback                   (issues 5, 8)
TXT
