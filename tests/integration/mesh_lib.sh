# shellcheck shell=bash
# mesh_lib: what the mesh lab tests share (sourced after tests/lab/lab.sh).
B="${top_builddir:-.}"
MESHPEER="$B/tests/tools/meshpeer"
[ -x "$MESHPEER" ] || { echo "not built: $MESHPEER" >&2; exit 99; }
for t in gst-launch-1.0 ffprobe python3; do command -v "$t" >/dev/null || lab_skip "missing $t"; done
MESH_KEY="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
# The lab's certificate authority: meshpeer issues its nodes' certificates
# with it (--ca-key), as the management server would.
MESH_CA="$("$MESHPEER" ca-keygen 2>/dev/null)" || { echo "meshpeer ca-keygen failed" >&2; exit 99; }

# A standalone edge of the lab is certified by the same CA (its
# trust.ca_key_file: the CA key in a file).
mesh_ca_file() { # FILE
	printf '%s\n' "$MESH_CA" >"$1" && chmod 600 "$1"
}

# mesh_edge_identity LOG HOST ADDR6: wait for the edge's mesh node, then
# set MESH_EDGE_CERT to its certificate (GET /identity on its HTTP port),
# which the meshpeer boxes need before their first word to it.
mesh_edge_identity() {
	lab_wait_log "$1" 'mesh hosting node 1 up' "start of the edge's mesh node"
	lab_wait "certificate at the edge's /identity" _mesh_cert "$2" "$3" "$LAB_DIR/edge.cert"
	# shellcheck disable=SC2034 # for the tests that source this file
	MESH_EDGE_CERT="$(cat "$LAB_DIR/edge.cert")"
}
# (lab_wait runs it in a subshell: the certificate goes through a file.)
_mesh_cert() { # HOST ADDR6 FILE
	local c
	c="$(lab_exec "$1" curl -sf "http://[$2]:8081/identity")" || return 1
	c="$(sed -n 's/.*"cert": "\([0-9a-f]*\)".*/\1/p' <<<"$c")"
	[ ${#c} = 256 ] || { echo "cert: '$c'"; return 1; }
	printf '%s\n' "$c" >"$3"
}

# mesh_edge_get HOST URL KEY: one figure of the edge's mesh node of channel 1
# (GET URL/channels, "mesh": children, input_bytes, ...); nothing when the
# edge does not answer or runs no mesh node.
mesh_edge_get() {
	lab_exec "$1" curl -sf "$2/channels" |
		awk -v k="\"$3\":" '$1 == k { sub(/,$/, "", $2); print $2; exit }'
}

# mesh_edge_wait HOST URL KEY MIN: wait until that figure is at least MIN.
mesh_edge_wait() {
	lab_wait "$3 >= $4 at the edge's mesh node" _mesh_edge_ge "$@"
}
_mesh_edge_ge() {
	local v
	v="$(mesh_edge_get "$1" "$2" "$3")"
	if [ -z "$v" ] || [ "$v" -lt "$4" ]; then
		echo "$3=${v:-none}"
		return 1
	fi
}

# mesh_stream_wait HOST URL SECONDS CLIP CLIP_SECONDS: wait until the edge
# has fed its mesh node SECONDS more of the stream (the clip's rate, in RTP
# bytes: 12 more per 7 TS packets). The stream is the test's clock, not the
# machine's: a pause of a test that means "let the boxes play N s" waits
# for N s of stream to have gone out.
mesh_stream_wait() {
	local from need
	from="$(mesh_edge_get "$1" "$2" input_bytes)"
	[ -n "$from" ] || lab_fail "no mesh figures in the edge's /channels"
	need="$(awk -v s="$(stat -c %s "$4")" -v d="$5" -v t="$3" 'BEGIN { printf "%d", s / d * 1328 / 1316 * t }')"
	lab_wait "$3 s of the stream fed to the edge's mesh node" -t $((LAB_WAIT + ${3%.*})) \
		_mesh_edge_ge "$1" "$2" input_bytes $((from + need))
}

# mesh_wait_up LOG: wait until a meshpeer process has its nodes up (with
# --mgmt: registered, tuned, peers asked from the tracker).
mesh_wait_up() { lab_wait_log "$1" '^meshpeer: [0-9]+ peer node\(s\) up' "meshpeer nodes up ($1)"; }

# mesh_clip SECONDS FILE: H.264 (GOP 1 s) + AAC in MPEG-TS, about 1 Mb/s.
mesh_clip() {
	gst-launch-1.0 -q videotestsrc num-buffers=$((25 * $1)) pattern=ball ! \
		video/x-raw,width=320,height=180,framerate=25/1 ! \
		x264enc bitrate=800 key-int-max=25 speed-preset=ultrafast tune=zerolatency ! h264parse ! mux. \
		audiotestsrc num-buffers=$((44 * $1)) ! audioconvert ! avenc_aac ! aacparse ! mux. \
		mpegtsmux name=mux ! filesink location="$2" || exit 99
}

# mesh_id HOST: a peer id from the host's place (metro * 100 + host).
mesh_id() {
	local h="$1" m
	m="${h#m}"
	m="${m%%h*}"
	printf '%d' $((m * 1000 + ${h#*h} * 10))
}

# mesh_peer_list HOSTS...: the static peer list of those hosts (node 0 of each).
mesh_peer_list() {
	local h out=""
	for h in "$@"; do out="$out${out:+,}$(mesh_id "$h")@[$(lab_addr6 "$h")]:5100"; done
	printf '%s' "$out"
}

# mesh_check NAME JSON MIN_CONT MIN_DELIVERED: every peer of a report played
# at least MIN_CONT of its packets and MIN_DELIVERED packets, with no TS
# continuity error (MESH_CC_OK=1: packets lost are allowed to show as
# continuity errors); prints the figures.
mesh_check() {
	python3 - "$@" <<'PY' || lab_fail "$1: see above"
import json, sys
import os
name, path, min_cont, min_del = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
cc_ok = os.environ.get('MESH_CC_OK') == '1'
peers = [json.loads(l) for l in open(path) if l.startswith('{')]
peers = [p for p in peers if p['role'] == 'peer']
bad = []
for p in peers:
    if p['continuity'] < min_cont or p['delivered'] < min_del or (p['cc_errors'] and not cc_ok):
        bad.append(p)
if peers:
    c = [p['continuity'] for p in peers]
    print("%s: %d peers, continuity min %.5f avg %.5f, startup avg %.0f ms max %.0f ms, lag avg %.0f ms max %.0f ms, cc errors %d"
          % (name, len(peers), min(c), sum(c) / len(c), sum(p['startup_ms'] for p in peers) / len(peers),
             max(p['startup_ms'] for p in peers), sum(p['lag_ms_avg'] for p in peers) / len(peers),
             max(p['lag_ms_max'] for p in peers), sum(p['cc_errors'] for p in peers)))
for p in bad:
    print("  bad:", json.dumps(p))
sys.exit(1 if bad or not peers else 0)
PY
}

# mesh_probe FILE: the codecs ffprobe finds in a recording.
mesh_probe() {
	ffprobe -v quiet -show_entries stream=codec_name -of csv=p=0 "$1" 2>/dev/null | grep . | sort -u | tr '\n' ' '
}

# mesh_edge_snap HOST URL FILE: the edge's channel 1 counters (GET
# /channels on the edge's HTTP port) into FILE.
mesh_edge_snap() {
	lab_exec "$1" curl -sf "$2/channels" >"$3" || lab_fail "GET $2/channels failed"
}

# mesh_edge_upload BEFORE AFTER MID: the edge's mesh node between two
# snapshots, as one JSON line: direct children at MID (the boxes are gone at
# AFTER), bytes fed and sent, and upload_x = (data + control bytes sent) /
# stream bytes fed over that time.
mesh_edge_upload() {
	python3 - "$@" <<'PY' || lab_fail "no mesh figures in the edge's /channels"
import json, sys
a, b, m = (json.load(open(p))[0].get('mesh') for p in sys.argv[1:4])
if not a or not b or not m:
    sys.exit(1)
d = lambda k: b[k] - a[k]
sent = d('data_bytes_sent') + d('ctl_bytes_sent')
print(json.dumps({"role": "edge", "children": m['children'], "input_bytes": d('input_bytes'),
                  "data_bytes_sent": d('data_bytes_sent'), "ctl_bytes_sent": d('ctl_bytes_sent'),
                  "pulls_served": d('pulls_served'), "redirects": d('redirects'),
                  "upload_x": round(sent / d('input_bytes'), 3) if d('input_bytes') > 0 else 99},
                 separators=(',', ':')))
PY
}
