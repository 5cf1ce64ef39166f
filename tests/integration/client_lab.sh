#!/bin/bash
# client_lab: the whole system end to end in the namespace lab.
#
# A management server and an edge (a live GStreamer H.264/AAC channel and a
# looped clip) in the core; 3 metros x 5 set-top boxes running
# sixcast-client, each under 5% independent nftables loss on what it
# receives. Checked: every box registers, is grouped across metros, tunes by
# a source-specific join, and its recording (started and stopped through the
# control API with sixcast-stb) has zero continuity-counter errors; repairs
# came from peers; a channel change gives a clean recording of the new
# channel; a box killed with SIGKILL is dropped from its group and the rest
# regroup; the management server going away does not stop the picture.
set -u
. "${top_srcdir:-.}/tests/lab/lab.sh"
B="${top_builddir:-.}"
client="$B/client/sixcast-client"
stbctl="$B/client/sixcast-stb"
edge="$B/mcast-server/sixcast-mcast-server"
mgmt="$B/mgmt-server/sixcast-mgmt-server"
tsrec="$B/tests/tools/tsrec"
for t in "$client" "$stbctl" "$edge" "$mgmt" "$tsrec"; do [ -x "$t" ] || { echo "not built: $t" >&2; exit 99; }; done
for t in gst-launch-1.0 curl python3; do command -v "$t" >/dev/null || lab_skip "missing $t"; done

METROS=3 PER=5
lab_up $METROS $PER 2
E6="$(lab_addr6 c1)" E4="$(lab_addr4 c1)" M6="$(lab_addr6 c2)"
ADMIN=lab-admin-token-0123456789 BOXCRED=lab-box-secret-0123456789

# --- the management server (c2) ---
cat >"$LAB_DIR/mgmt.conf" <<CONF
log_level = "info";
http = { listen = [ "[::]:8080" ]; long_poll_max_ms = 5000; };
store = { path = "$LAB_DIR/mgmt.db"; flush_ms = 200; };
auth = { admins = ( { name = "noc"; token = "$ADMIN"; } );
  client_credential = "$BOXCRED"; edge_credential = "lab-edge-secret-0123456789"; };
clients = { heartbeat_ms = 1000; missed_heartbeats = 3; };
lineup = {
  metros = (
    { id = 1; name = "north"; prefixes = [ "2001:db8:1::/48", "10.1.0.0/16" ]; },
    { id = 2; name = "south"; prefixes = [ "2001:db8:2::/48", "10.2.0.0/16" ]; },
    { id = 3; name = "east";  prefixes = [ "2001:db8:3::/48", "10.3.0.0/16" ]; }
  );
  channels = (
    { id = 1; name = "Live"; source6 = "$E6"; source4 = "$E4"; },
    { id = 2; name = "Clip"; source6 = "$E6"; source4 = "$E4"; }
  );
};
CONF
lab_bg c2 "$LAB_DIR/mgmt.log" "$mgmt" -c "$LAB_DIR/mgmt.conf"
MGMT_PID=$LAB_LAST_PID
MURL="http://[$M6]:8080"
noc() { lab_exec c2 curl -sf -H "Authorization: Bearer $ADMIN" "$MURL/api/v1$1"; }
for _ in $(seq 100); do lab_exec c2 curl -sf -o /dev/null "$MURL/metrics" && break; sleep 0.1; done

# --- the edge (c1): a live channel and a looped 3 s clip, GOP 1 s ---
gst-launch-1.0 -q videotestsrc num-buffers=75 pattern=ball ! video/x-raw,width=320,height=180,framerate=25/1 ! \
	x264enc bitrate=800 key-int-max=25 speed-preset=ultrafast tune=zerolatency ! h264parse ! mux. \
	audiotestsrc num-buffers=130 ! audioconvert ! avenc_aac ! aacparse ! mux. \
	mpegtsmux name=mux ! filesink location="$LAB_DIR/clip.ts" || exit 99
live="gst:videotestsrc is-live=true pattern=smpte ! video/x-raw,width=320,height=180,framerate=25/1 ! x264enc bitrate=1500 key-int-max=25 speed-preset=ultrafast tune=zerolatency ! h264parse ! mpegtsmux"
cat >"$LAB_DIR/edge.conf" <<CONF
edge: { name = "edge-lab"; interface = "eth0"; sdp_dir = "$LAB_DIR/sdp"; };
channels = (
  { id = 1; name = "Live"; source = "$live"; ipv4 = true; },
  { id = 2; name = "Clip"; source = "file:$LAB_DIR/clip.ts"; ipv4 = true; }
);
CONF
lab_bg c1 "$LAB_DIR/edge.log" "$edge" -c "$LAB_DIR/edge.conf"
lab_wait_querier || exit 99

# --- the boxes ---
box_conf() { # HOST
	cat <<CONF
client: { device_id = "stb-$1"; credential = "$BOXCRED"; interface = "eth0";
  start_channel = 1; playout_delay_ms = 300; log_level = "info"; };
mgmt: { url = "$MURL"; timeout_ms = 1000; retry_max_ms = 2000; };
outputs: { http = "[::]:8090"; record_dir = "$LAB_DIR/rec-$1"; };
CONF
}
bad="$LAB_DIR/bad.conf"
box_conf m1h1 | sed 's/playout_delay_ms = 300/playout_delay_ms = "x"/' >"$bad"
out="$("$client" --check-config -c "$bad" 2>&1)" && lab_fail "a bad client config passed the check"
grep -q "bad.conf:2:" <<<"$out" || lab_fail "bad config not named with its line: $out"
echo "bad config: $out"

declare -A PID
BOXES=()
for m in $(seq $METROS); do
	for h in $(seq $PER); do
		b="m${m}h$h"
		BOXES+=("$b")
		box_conf "$b" >"$LAB_DIR/$b.conf"
		lab_loss "$b" 5
		lab_bg "$b" "$LAB_DIR/$b.log" "$client" -c "$LAB_DIR/$b.conf"
		PID[$b]=$LAB_LAST_PID
	done
done
stb() { local b="$1"; shift; lab_exec "$b" "$stbctl" --json "$@"; }
jf() { python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"; }

# Every box plays channel 1 in a repair group.
for b in "${BOXES[@]}"; do
	for _ in $(seq 100); do
		st="$(stb "$b" status 2>/dev/null)" || st=""
		[ -n "$st" ] && [ "$(jf 'j.get("repair_group") is not None and j["zap"]["first_output_ms"] >= 0' <<<"$st")" = True ] && break
		sleep 0.1
	done
	[ "$(jf 'j.get("repair_group") is not None' <<<"$st")" = True ] || { tail "$LAB_DIR/$b.log" >&2; lab_fail "$b: not playing in a group: $st"; }
done
echo "all ${#BOXES[@]} boxes play channel 1 in a repair group"
groups="$(noc /channels/1/groups)"
echo "groups: $(jf '[(g["id"], len(g["members"]), g["distinct"]) for g in j["groups"]]' <<<"$groups")"

# Record 8 s on every box through the control API.
for b in "${BOXES[@]}"; do stb "$b" record start "$LAB_DIR/$b.ts" >/dev/null || lab_fail "$b: record start"; done
sleep 8
for b in "${BOXES[@]}"; do stb "$b" record stop >/dev/null || lab_fail "$b: record stop"; done

peer=0 ret=0 unrep=0 lost=0 dropped=0
for b in "${BOXES[@]}"; do
	chk="$("$tsrec" check "$LAB_DIR/$b.ts")"
	p="$(sed -n 's/.*packets=\([0-9]*\).*/\1/p' <<<"$chk" | head -1)"
	cc="$(sed -n 's/.*cc_errors=\([0-9]*\).*/\1/p' <<<"$chk" | head -1)"
	s="$(stb "$b" stats)"
	read -r g rp rr u <<<"$(jf '" ".join(str(j["repair"][k]) for k in ("gaps", "repaired_peer", "repaired_ret", "unrepaired"))' <<<"$s")"
	d="$(lab_loss_count "$b")"
	echo "$b: ts_packets=$p cc_errors=$cc dropped_by_nft=$d gaps=$g repaired_peer=$rp repaired_ret=$rr unrepaired=$u"
	[ "${p:-0}" -gt 2000 ] || lab_fail "$b: only ${p:-0} TS packets recorded"
	[ "$cc" = 0 ] || lab_fail "$b: $cc continuity errors"
	peer=$((peer + rp)) ret=$((ret + rr)) unrep=$((unrep + u)) lost=$((lost + g)) dropped=$((dropped + d))
done
echo "total: nft dropped $dropped, gaps $lost, repaired by peers $peer, by RET $ret, unrepaired $unrep"
[ "$peer" -gt 0 ] || lab_fail "no repair came from peers"
[ "$lost" -gt 0 ] || lab_fail "no loss seen: is the nftables loss on?"
[ $((ret * 100)) -le $((peer + ret)) ] || lab_fail "the edge served more than 1% of the repairs ($ret of $((peer + ret)))"

# A channel change: three boxes of three metros zap to channel 2 and form
# a group there; the new channel's recording must be clean.
z=m2h3
for b in m1h3 m2h3 m3h3; do stb "$b" tune 2 >/dev/null || lab_fail "$b: tune 2"; done
for b in m1h3 m2h3 m3h3; do
	for _ in $(seq 50); do
		[ "$(stb "$b" status | jf 'j["channel"]["id"] == 2 and j["zap"]["first_output_ms"] >= 0')" = True ] && break
		sleep 0.1
	done
done
echo "$z zapped to channel 2: $(stb "$z" status | jf 'j["zap"]')"
sleep 1
stb "$z" record start "$LAB_DIR/zap.ts" >/dev/null
sleep 4
stb "$z" record stop >/dev/null
chk="$("$tsrec" check "$LAB_DIR/zap.ts")"
echo "after the zap: $chk" | head -1
grep -q "cc_errors=0" <<<"$chk" || lab_fail "the recording after a channel change has CC errors"
lab_exec "$z" curl -s --max-time 2 -o "$LAB_DIR/http.ts" "http://[::1]:8090/current"
[ "$(stat -c %s "$LAB_DIR/http.ts" 2>/dev/null || echo 0)" -gt 100000 ] || lab_fail "the HTTP output gave too little"
echo "HTTP output: $(stat -c %s "$LAB_DIR/http.ts") bytes in 2 s"

# Kill one box: it leaves its group within missed_heartbeats periods.
k=m1h2
kid="$(stb "$k" status | jf 'j["client_id"]')"
kill -9 "${PID[$k]}"
for _ in $(seq 80); do
	noc /channels/1/groups | grep -q "\"client_id\": *$kid[,}]" || break
	sleep 0.1
done
noc /channels/1/groups | grep -q "\"client_id\": *$kid[,}]" && lab_fail "killed box $kid is still in a group"
echo "killed box $kid left its group"
sleep 1.5
for b in m2h1 m3h1; do
	[ "$(stb "$b" status | jf 'j.get("repair_group") is not None')" = True ] || lab_fail "$b lost its group"
done

# The management server goes away: the boxes play on.
kill "$MGMT_PID"
b=m3h2
before="$(stb "$b" stats | jf 'j["repair"]["delivered"]')"
sleep 3
st="$(stb "$b" status)"
after="$(stb "$b" stats | jf 'j["repair"]["delivered"]')"
echo "management server down: $b mgmt_up=$(jf 'j["mgmt_up"]' <<<"$st"), delivered $before -> $after"
[ "$(jf 'j["mgmt_up"]' <<<"$st")" = False ] || lab_fail "$b did not notice the management server left"
[ "$after" -gt $((before + 500)) ] || lab_fail "$b stopped playing without the management server"
grep -q "management server.*retrying" "$LAB_DIR/$b.log" || lab_fail "$b did not log the outage in words"

for b in "${BOXES[@]}"; do
	grep -E "Sanitizer|runtime error" "$LAB_DIR/$b.log" && lab_fail "$b: sanitizer report"
done
echo "PASS"
