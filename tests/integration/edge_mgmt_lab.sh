#!/bin/bash
# edge_mgmt_lab: the edge registers with the real management server in the
# lab, takes its RET keys and its certificate from it and reports load; a
# box (rtxprobe, registered and tuned like sixcast-client) zaps with the key
# and the edge's certificate the server hands out; the server restarted on
# an empty store (a new CA) makes the edge start over with a new key and
# register again (new keys, which the edge then uses); while the server is
# down the edge goes on serving and retries. Every step waits for what it
# needs (a log line, an answer of the server's API), none sleeps.
set -u
. "${top_srcdir:-.}/tests/lab/lab.sh"
B="${top_builddir:-.}"
edge="$B/mcast-server/sixcast-mcast-server"
mgmt="$B/mgmt-server/sixcast-mgmt-server"
probe="$B/tests/tools/rtxprobe"
for t in "$edge" "$mgmt" "$probe"; do [ -x "$t" ] || { echo "not built: $t" >&2; exit 99; }; done
for t in gst-launch-1.0 curl; do command -v "$t" >/dev/null || lab_skip "missing $t"; done

lab_up 1 2 2
E6="$(lab_addr6 c1)"
M6="$(lab_addr6 c2)"
ADMIN=noc-b1e2190c62d3eb7f3cd02343008d555dfddf1085
BOXCRED=box-d54c2ed75867b15c9eb25a665ada1c41428702dd
EDGECRED="edge-b55cfec1b8f9db81d1a44472c16da8e434d8fc3e"
URL="http://[$M6]:8080"

gst-launch-1.0 -q videotestsrc num-buffers=100 pattern=ball ! video/x-raw,width=320,height=180,framerate=25/1 ! \
	x264enc bitrate=800 key-int-max=25 speed-preset=ultrafast tune=zerolatency ! h264parse ! \
	mpegtsmux ! filesink location="$LAB_DIR/clip.ts" || exit 99
# The clip's RTP packets per second: a zap's probe records 2 s of stream
# (-N; its 60 s are only a guard).
pps=$(($(stat -c %s "$LAB_DIR/clip.ts") / 1316 / 4))

cat >"$LAB_DIR/mgmt.conf" <<EOF
http = { listen = [ "[$M6]:8080" ]; };
store = { path = "$LAB_DIR/mgmt.db"; flush_ms = 200; };
auth = { admins = ( { name = "noc"; token = "$ADMIN"; } ); client_credential = "$BOXCRED";
         edge_credential = "$EDGECRED"; };
edges = { report_ms = 500; };
lineup = { metros = ( { id = 1; name = "m1"; prefixes = [ "2001:db8:1::/48" ]; } );
           channels = ( { id = 1; name = "Clip"; } ); };
EOF
cat >"$LAB_DIR/edge.conf" <<EOF
edge: { name = "edge-lab"; interface = "eth0"; };
mgmt: { url = "$URL"; credential = "$EDGECRED"; };
channels = ( { id = 1; name = "Clip"; source = "file:$LAB_DIR/clip.ts"; } );
EOF
start_mgmt() {
	lab_bg c2 "$LAB_DIR/mgmt.log" "$mgmt" -c "$LAB_DIR/mgmt.conf"
	MPID=$LAB_LAST_PID
	lab_wait "answer from the management server ($URL/metrics)" mgmt_answers
}
mgmt_answers() { lab_exec c2 curl -sf -o /dev/null "$URL/metrics" || { tail -n 5 "$LAB_DIR/mgmt.log"; return 1; }; }
admin() { lab_exec c2 curl -sf -H "Authorization: Bearer $ADMIN" "$URL/api/v1$1"; }
ret_key() { # the channel's RET key as the server hands it to edges
	admin "/edges/$1/channels" | grep -o '"ret_key": *"[0-9a-f]*"' | head -1 | grep -o '[0-9a-f]\{64\}'
}
# wait_log ERE [COUNT]: until COUNT (1) lines of the edge's log match.
edge_log_has() { [ "$(grep -cE -- "$1" "$LAB_DIR/edge.log")" -ge "$2" ] || { tail -n 5 "$LAB_DIR/edge.log"; return 1; }; }
wait_log() { lab_wait "'$1' (x${2:-1}) in the edge's log" edge_log_has "$1" "${2:-1}"; }
# load_report: the server lists the edge with a load report that has a bit rate.
load_report() {
	local e
	e="$(admin /edges)" || { echo "GET /edges: no answer"; return 1; }
	grep -q '"bitrate_bps": *[1-9]' <<<"$e" || { echo "GET /edges: $e"; return 1; }
}
zap() { # NAME: a box registers, tunes (the server's RET key and edge certificate) and zaps
	lab_exec m1h1 "$probe" -g "[ff3e::8000:1]:5000" -s "$E6" -i eth0 -r "[$E6]:5200" -c 1 -t 60 -N $((pps * 2)) -b \
		-M "$URL" -C "$BOXCRED" -a "[$(lab_addr6 m1h1)]:5100" -o "$LAB_DIR/$1.ts" >"$LAB_DIR/$1.txt" 2>&1
	cat "$LAB_DIR/$1.txt"
	grep -q 'burst_state=3 ' "$LAB_DIR/$1.txt" || lab_fail "$1: the burst with the server's key did not splice"
	grep -q ' lost=0 ' "$LAB_DIR/$1.txt" || lab_fail "$1: packets lost"
}

start_mgmt
lab_bg c1 "$LAB_DIR/edge.log" "$edge" -c "$LAB_DIR/edge.conf"
EPID=$LAB_LAST_PID
wait_log "registered with .* as edge"
id="$(sed -n 's/.*registered with .* as edge \([0-9]*\).*/\1/p' "$LAB_DIR/edge.log" | head -1)"
key1="$(ret_key "$id")"
[ ${#key1} = 64 ] || lab_fail "no RET key for channel 1 from the server"
lab_wait_querier || exit 99
lab_wait "load report with a bit rate from the edge" load_report
edges="$(admin /edges)"
echo "GET /edges: $edges"
grep -q '"bitrate_bps": *[1-9]' <<<"$edges" || lab_fail "no load report with a bit rate: $edges"
zap zap1

# The server loses its store: the edge's next report is refused, it
# registers again and gets the new key.
kill -9 "$MPID"
wait "$MPID" 2>/dev/null
rm -f "$LAB_DIR"/mgmt.db*
start_mgmt
wait_log "registering again"
wait_log "registered with .* as edge" 2
id="$(sed -n 's/.*registered with .* as edge \([0-9]*\).*/\1/p' "$LAB_DIR/edge.log" | tail -1)"
key2="$(ret_key "$id")"
[ "$key2" != "$key1" ] || lab_fail "the new store handed out the same key"
grep -q "a new CA key" "$LAB_DIR/edge.log" || lab_fail "the edge did not notice the new CA"
zap zap2

# Down: the edge retries with backoff and keeps serving a box that
# registered before.
lab_bg m1h1 "$LAB_DIR/zap3.txt" "$probe" -g "[ff3e::8000:1]:5000" -s "$E6" -i eth0 -r "[$E6]:5200" -c 1 -t 60 -N $((pps * 2)) -b \
	-M "$URL" -C "$BOXCRED" -a "[$(lab_addr6 m1h1)]:5100" -G "$LAB_DIR/go" -o "$LAB_DIR/zap3.ts"
ZPID=$LAB_LAST_PID
lab_wait_log "$LAB_DIR/zap3.txt" 'rtxprobe: ready' "registration of the zap3 probe (rtxprobe: ready)"
kill -TERM "$MPID"
wait "$MPID" 2>/dev/null
wait_log "load report failed|management server .*: no answer|Couldn't connect|retrying in"
touch "$LAB_DIR/go"
wait "$ZPID"
cat "$LAB_DIR/zap3.txt"
grep -q 'burst_state=3 ' "$LAB_DIR/zap3.txt" || lab_fail "zap3: no burst while the server is down"
grep -q ' lost=0 ' "$LAB_DIR/zap3.txt" || lab_fail "zap3: packets lost"
kill -0 "$EPID" || lab_fail "the edge died"
kill -TERM "$EPID"
wait "$EPID" 2>/dev/null
echo "PASS: the edge registers, takes its RET keys from the server, re-registers after a restart, runs on without it"
