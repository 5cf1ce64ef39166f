# shellcheck shell=bash
# client_lib: the whole system in the namespace lab, for client_lab.sh and
# tests/bench/client_bench.sh. Source after tests/lab/lab.sh and lab_up
# (at least 2 core hosts: c1 runs the edge, c2 the management server).
#
#   cl_mgmt_start                      management server on c2 (heartbeat 1 s;
#                                      CL_MGMT_HTTP: more http settings)
#   cl_clip FILE KBPS SECONDS          an H.264 (GOP 1 s) + AAC TS clip
#                                      (CL_PATTERN=snow: the bitrate is met)
#   cl_edge_start "CHANNEL" ...        the edge on c1 with these channel lines
#   cl_box_start HOST [CLIENT-SETTINGS] a sixcast-client on HOST, channel 1
#   stb HOST ARGS...                   sixcast-stb --json on HOST
#   jf EXPR                            a Python expression over JSON on stdin (j)
#   noc PATH                           GET /api/v1PATH as the NOC
#   cl_wait_playing HOST [CHANNEL]     until the box plays (returns 1 on timeout)
#   cl_status_is HOST EXPR, cl_wait_status HOST EXPR WHAT
#                                      test / wait for a condition on its status
#   cl_delivered HOST                  its delivered counter (RTP packets played)
#   cl_why HOST                        its repair counters and log account of
#                                      unrepaired packets (for a failure)
#   cl_ref_start CHANNEL, cl_ref CHANNEL, cl_wait_ref CHANNEL N [BASE]
#                                      a receiver of the channel in the core (on
#                                      c2): its packet count, a wait for N more

CL_B="${top_builddir:-.}"
CL_CLIENT="$CL_B/client/sixcast-client"
CL_STB="$CL_B/client/sixcast-stb"
CL_EDGE="$CL_B/mcast-server/sixcast-mcast-server"
CL_MGMT="$CL_B/mgmt-server/sixcast-mgmt-server"
CL_TSREC="$CL_B/tests/tools/tsrec"
CL_PROBE="$CL_B/tests/tools/mcprobe"
for t in "$CL_CLIENT" "$CL_STB" "$CL_EDGE" "$CL_MGMT" "$CL_TSREC" "$CL_PROBE"; do
	[ -x "$t" ] || { echo "not built: $t" >&2; exit 99; }
done
for t in gst-launch-1.0 curl python3; do command -v "$t" >/dev/null || lab_skip "missing $t"; done

# Random-looking (the daemons refuse placeholders and short secrets); the
# enrolment secrets live in files, as the packages keep them.
CL_ADMIN=noc-f924b5c15e078d5ff3f5ce165fa35c8a8868dbb9
CL_BOXCRED=box-2d21c427a41ddad04e7264b910f67a1b348d7276
CL_EDGECRED=edge-ac27a4bea677db6df1a2f0791208571366843231
echo "$CL_BOXCRED" >"$LAB_DIR/box-enrolment"
echo "$CL_EDGECRED" >"$LAB_DIR/edge-enrolment"
CL_E6="$(lab_addr6 c1)"
CL_E4="$(lab_addr4 c1)"
CL_MURL="http://[$(lab_addr6 c2)]:8080"
CL_MGMT_PID=""
CL_EDGE_PID=""
declare -A CL_PID

cl_mgmt_start() {
	cat >"$LAB_DIR/mgmt.conf" <<CONF
log_level = "info";
http = { listen = [ "[::]:8080" ]; long_poll_max_ms = 5000; ${CL_MGMT_HTTP:-} };
store = { path = "$LAB_DIR/mgmt.db"; flush_ms = 200; };
auth = { admins = ( { name = "noc"; token = "$CL_ADMIN"; } );
  client_credential_file = "$LAB_DIR/box-enrolment"; edge_credential_file = "$LAB_DIR/edge-enrolment"; };
clients = { heartbeat_ms = 1000; missed_heartbeats = 3; };
edges = { report_ms = 1000; };
lineup = {
  metros = (
    { id = 1; name = "north"; prefixes = [ "2001:db8:1::/48", "10.1.0.0/16" ]; },
    { id = 2; name = "south"; prefixes = [ "2001:db8:2::/48", "10.2.0.0/16" ]; },
    { id = 3; name = "east";  prefixes = [ "2001:db8:3::/48", "10.3.0.0/16" ]; }
  );
  channels = (
    { id = 1; name = "${CL_NAME1:-Live}"; source6 = "$CL_E6"; source4 = "$CL_E4"; },
    { id = 2; name = "${CL_NAME2:-Clip}"; source6 = "$CL_E6"; source4 = "$CL_E4"; }
  );
};
CONF
	lab_bg c2 "$LAB_DIR/mgmt.log" "$CL_MGMT" -c "$LAB_DIR/mgmt.conf"
	CL_MGMT_PID=$LAB_LAST_PID
	lab_wait "answer from the management server ($CL_MURL/metrics)" _cl_mgmt_answers
}
_cl_mgmt_answers() { lab_exec c2 curl -sf -o /dev/null "$CL_MURL/metrics" || { tail -n 3 "$LAB_DIR/mgmt.log"; return 1; }; }

noc() { lab_exec c2 curl -sf -H "Authorization: Bearer $CL_ADMIN" "$CL_MURL/api/v1$1"; }

cl_clip() { # FILE KBPS SECONDS
	local n=$(($3 * 25))
	gst-launch-1.0 -q videotestsrc num-buffers=$n pattern="${CL_PATTERN:-ball}" ! \
		video/x-raw,width=640,height=360,framerate=25/1 ! \
		x264enc bitrate="$2" key-int-max=25 speed-preset=ultrafast tune=zerolatency ! h264parse ! mux. \
		audiotestsrc num-buffers=$((n * 44100 / 25 / 1024 + 1)) ! audioconvert ! avenc_aac ! aacparse ! mux. \
		mpegtsmux name=mux ! filesink location="$1" || exit 99
}

cl_edge_start() { # CHANNEL-LINE...
	local l first=1
	{
		echo "edge: { name = \"edge-lab\"; interface = \"eth0\"; sdp_dir = \"$LAB_DIR/sdp\"; ${CL_EDGE_IN:-} };"
		echo "mgmt: { url = \"$CL_MURL\"; credential_file = \"$LAB_DIR/edge-enrolment\"; };"
		echo "${CL_EDGE_EXTRA:-}"
		echo 'channels = ('
		for l in "$@"; do
			[ $first = 1 ] || echo ','
			first=0
			printf '  %s' "$l"
		done
		printf '\n);\n'
	} >"$LAB_DIR/edge.conf"
	# An edge built before registration existed refuses the mgmt section.
	"$CL_EDGE" --check-config -c "$LAB_DIR/edge.conf" >/dev/null 2>&1 || sed -i '/^mgmt:/d' "$LAB_DIR/edge.conf"
	lab_bg c1 "$LAB_DIR/edge.log" "$CL_EDGE" -c "$LAB_DIR/edge.conf" ${CL_EDGE_ARGS:-}
	CL_EDGE_PID=$LAB_LAST_PID
}

cl_box_conf() { # HOST [CLIENT-SETTINGS]
	cat <<CONF
client: { device_id = "stb-$1"; credential_file = "$LAB_DIR/box-enrolment"; interface = "eth0";
  start_channel = 1; playout_delay_ms = 300; log_level = "${CL_LOG:-info}"; ${2:-} };
mgmt: { url = "$CL_MURL"; timeout_ms = 1000; retry_max_ms = 2000; };
outputs: { http = "[::]:8090"; record_dir = "$LAB_DIR/rec-$1"; ${CL_OUTPUTS:-} };
CONF
	[ -z "${CL_BOX_EXTRA:-}" ] || printf '%s\n' "$CL_BOX_EXTRA"
}

cl_box_start() { # HOST [CLIENT-SETTINGS]
	cl_box_conf "$1" "${2:-}" >"$LAB_DIR/$1.conf"
	lab_bg "$1" "$LAB_DIR/$1.log" "$CL_CLIENT" -c "$LAB_DIR/$1.conf"
	CL_PID[$1]=$LAB_LAST_PID
}

stb() { local b="$1"; shift; lab_exec "$b" "$CL_STB" --json "$@"; }
jf() { python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"; }

# cl_status_is HOST EXPR: true when jf EXPR holds over the box's status;
# otherwise prints the status (what a wait saw last).
cl_status_is() {
	local st
	st="$(stb "$1" status 2>&1)" || { printf 'sixcast-stb on %s: %s\n' "$1" "$st"; return 1; }
	[ "$(jf "$2" <<<"$st" 2>&1)" = True ] && return 0
	jf 'json.dumps({k: j.get(k) for k in ("status", "channel", "repair_group", "mgmt_up", "multicast", "mode", "zap")})' <<<"$st"
	return 1
}

# cl_wait_status HOST EXPR WHAT: wait (lab_wait) until EXPR (Python over the
# box's status, j) holds; the test fails with WHAT and the last status.
cl_wait_status() { lab_wait "$3" cl_status_is "$1" "$2"; }

# cl_wait_playing HOST [CHANNEL]: until the box plays channel CHANNEL (1)
# (in a group when a management server is up). Returns 1 after
# CL_PLAY_WAIT seconds (LAB_WAIT unless set), having printed the last status.
cl_wait_playing() {
	(lab_wait "channel ${2:-1} playing on $1" -t "${CL_PLAY_WAIT:-$LAB_WAIT}" cl_status_is "$1" \
		"j['channel'] is not None and j['channel']['id'] == ${2:-1} and j['zap']['first_output_ms'] >= 0")
}

# cl_why HOST: why a box's recording has holes, for a failing test: its
# repair counters and the retransmit session's account of each unrepaired
# or late packet and each silence of its multicast (its log, info level).
cl_why() {
	echo "$1's repair counters: $(stb "$1" stats | jf 'json.dumps({k: v for k, v in j["repair"].items() if v})')"
	grep -E "rtx: (unrepaired|late repair|no multicast|multicast is back)|no multicast for" \
		"$LAB_DIR/$1.log" | tail -n 20
}

# cl_delivered HOST: the box's repair.delivered counter (RTP packets out of
# its playback buffer: the stream's progress at the box).
cl_delivered() { stb "$1" stats | jf 'j["repair"]["delivered"]'; }

# cl_ref_start CHANNEL: a receiver in the core (c2, beside the management
# server) joins the channel's multicast and counts its packets (mcprobe).
# It is the tests' clock: "so many seconds" of a channel are so many of its
# packets there, which a busy machine does not change. cl_ref CHANNEL: its
# count so far. cl_wait_ref CHANNEL N [BASE]: wait until it has counted N
# packets past BASE (by default its count now). Reading the count is a file
# read, so waiting does not load the machine the boxes run on.
cl_ref_start() {
	local grp
	grp="$(noc "/channels/$1" | jf '"[%s]:%d" % (j["group6"], j["port"])')" ||
		lab_fail "no multicast group of channel $1 from the management server"
	lab_bg c2 "$LAB_DIR/ref$1.log" "$CL_PROBE" recv -g "$grp" -i eth0 -s "$CL_E6" -t 3600 --progress 5
	cl_wait_ref "$1" 5 0
}
cl_ref() { awk '/^progress / { u = $2 } END { sub(/unique=/, "", u); print u + 0 }' "$LAB_DIR/ref$1.log" 2>/dev/null; }
# cl_ref_gap CHANNEL BASE: the longest pause (ms) between two packets of the
# channel at the core's receiver since it had counted BASE packets: a
# multicast silence there is the edge's or the machine's, not a box's.
cl_ref_gap() {
	awk -v base="$2" '/^progress / { u = $2; g = $4; sub(/unique=/, "", u); sub(/gap_ms=/, "", g)
		if (u + 0 > base && g + 0 > m) m = g + 0 } END { print m + 0 }' "$LAB_DIR/ref$1.log" 2>/dev/null
}
_cl_ref_past() {
	local n
	n="$(cl_ref "$1")"
	[ "${n:-0}" -ge "$2" ] && return 0
	echo "the receiver of channel $1 in the core counted ${n:-0} packets, waiting for $2"
	tail -n 2 "$LAB_DIR/ref$1.log" 2>/dev/null
	return 1
}
cl_wait_ref() {
	local base="${3:-$(cl_ref "$1")}"
	lab_wait "$2 packets of channel $1 at its receiver in the core (c2)" _cl_ref_past "$1" $((base + $2))
}
