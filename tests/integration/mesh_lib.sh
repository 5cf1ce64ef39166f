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
	local i
	for i in $(seq 100); do
		grep -q 'mesh hosting node 1 up' "$1" && break
		sleep 0.1
	done
	grep -q 'mesh hosting node 1 up' "$1" || lab_fail "the edge's mesh node did not start: $(tail -3 "$1")"
	for i in $(seq 100); do
		MESH_EDGE_CERT="$(lab_exec "$2" curl -sf "http://[$3]:8081/identity" |
			sed -n 's/.*"cert": "\([0-9a-f]*\)".*/\1/p')"
		[ ${#MESH_EDGE_CERT} = 256 ] && return 0
		sleep 0.1
	done
	lab_fail "no certificate at the edge's /identity"
}

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
