#!/bin/bash
# The live demo: the whole sixcast system in the namespace lab.
#   bash scripts/demo.sh BUILD_DIR      (./run demo calls this)
#
# Three metros of set-top boxes behind snooping bridges. In the core: the
# management server (c2) and the edge server (c1), which emits a
# GStreamer-made H.264/AAC channel and a live GStreamer test pattern over
# IPv6 SSM (and IPv4). Every box runs sixcast-client: it registers, is put
# in a repair group spread over the metros, joins source-specifically,
# repairs its losses from its group (then the edge), and records through its
# control API. One box sits on a 5%-lossy line. sixcast-mldmon watches the
# joins on the core bridge; ffprobe opens the SDP. Then metro 3 loses
# multicast: its boxes keep playing through the P2P mesh the edge hosts,
# and return to multicast when it comes back.
set -u
top="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$top/build}"
secs="${SIXCAST_DEMO_SECONDS:-8}"
export top_srcdir="$top" top_builddir="$build"
. "$top/tests/lab/lab.sh"
bold() { printf '\033[1m%s\033[0m\n' "$*"; }

bold "sixcast demo: the metro lab"
lab_up 3 3 2
. "$top/tests/integration/client_lib.sh"
echo "  core: c1 ($CL_E6) runs sixcast-mcast-server, c2 runs sixcast-mgmt-server ($CL_MURL)"
for m in 1 2 3; do
	echo "  metro $m: $(lab_hosts $m | tr '\n' ' ')(2001:db8:$m::/48, 10.$m.0.0/16), each runs sixcast-client"
done

bold "the management server, and a channel made with GStreamer (H.264 + AAC, GOP 1 s)"
CL_NAME1=Clip CL_NAME2="Live pattern" cl_mgmt_start
cl_clip "$LAB_DIR/clip.ts" 1500 5
live="gst:videotestsrc is-live=true pattern=smpte ! video/x-raw,width=640,height=360,framerate=25/1 ! x264enc bitrate=1000 key-int-max=25 speed-preset=ultrafast tune=zerolatency ! h264parse ! mpegtsmux"
CL_EDGE_IN='mesh = { enabled = true; max_children = 3; };'
cl_edge_start "{ id = 1; name = \"Clip\"; source = \"file:$LAB_DIR/clip.ts\"; ipv4 = true; }" \
	"{ id = 2; name = \"Live pattern\"; source = \"$live\"; }"
lab_wait_querier || exit 1
sed 's/^/  /' "$LAB_DIR/edge.log"

lab_loss m2h1 5
echo "  m2h1's line loses 5% of what it receives (nftables)"
BOXES=(m1h1 m1h2 m1h3 m2h1 m2h2 m2h3 m3h1 m3h2 m3h3)
# The watcher sees the boxes' joins for 6 s, then prints its table.
fab "$build/igmp-mld/sixcast-mldmon" -i core --time 6 >"$LAB_DIR/mldmon.txt" 2>&1 &
MLDMON=$!
CL_BOX_EXTRA='mesh = { enabled = true; recover_ms = 3000; };'
for b in "${BOXES[@]}"; do cl_box_start "$b"; done
for b in "${BOXES[@]}"; do cl_wait_playing "$b" || echo "  $b does not play yet: see $LAB_DIR/$b.log"; done
bold "every box plays channel 1; the management server's groups (GET /api/v1/channels/1/groups)"
noc /channels/1/groups | jf '"\n".join("  group %d v%d: %s%s" % (g["id"], g["version"], ", ".join("client %d (%s)" % (m["client_id"], m["metro"]) for m in g["members"]), "  [all metros distinct]" if g["distinct"] else "") for g in j["groups"])'
stb m3h3 tune 2 >/dev/null && echo "  m3h3 zaps to channel 2 (sixcast-stb tune 2)"
echo "  ffprobe on m1h1 opens $LAB_DIR/sdp/1.sdp:"
lab_exec m1h1 timeout 15 ffprobe -v error -protocol_whitelist file,udp,rtp -show_entries stream=codec_name,width,height,sample_rate \
	-of compact=p=0 "$LAB_DIR/sdp/1.sdp" 2>/dev/null | grep . | sort -u | sed 's/^/    /'

bold "every box records ${secs}s through its control API (sixcast-stb record start/stop)"
for b in "${BOXES[@]}"; do stb "$b" record start "$LAB_DIR/$b.ts" >/dev/null; done
sleep "$secs"
for b in "${BOXES[@]}"; do stb "$b" record stop >/dev/null; done
printf '  %-16s %-4s %-8s %-9s %-6s %-10s %-8s %-10s %s\n' box ch "TS pkts" "CC errs" frames "lost" "by group" "by edge" unrepaired
for b in "${BOXES[@]}"; do
	chk="$("$CL_TSREC" check "$LAB_DIR/$b.ts")"
	frames="$(ffprobe -v quiet -count_frames -select_streams v -show_entries stream=nb_read_frames -of csv=p=0 \
		"$LAB_DIR/$b.ts" | grep -m1 '[0-9]')"
	read -r ch g p r u <<<"$(stb "$b" stats | jf '" ".join(str(x) for x in [0] + [j["repair"][k] for k in ("gaps", "repaired_peer", "repaired_ret", "unrepaired")])')"
	ch="$(stb "$b" status | jf 'j["channel"]["id"]')"
	label="$b"
	[ "$b" = m2h1 ] && label="m2h1 (5% loss)"
	printf '  %-16s %-4s %-8s %-9s %-6s %-10s %-8s %-10s %s\n' "$label" "$ch" \
		"$(sed -n 's/.*packets=\([0-9]*\).*/\1/p' <<<"$chk" | head -1)" \
		"$(sed -n 's/.*cc_errors=\([0-9]*\).*/\1/p' <<<"$chk" | head -1)" "${frames:-0}" "$g" "$p" "$r" "$u"
done
echo "  (lost/by group/by edge/unrepaired: RTP packets since the box tuned, from sixcast-stb stats)"

bold "m2h1's status (sixcast-stb status)"
lab_exec m2h1 "$CL_STB" status | sed 's/^/  /'
wait "$MLDMON" 2>/dev/null
bold "who joined what, seen on the core bridge (sixcast-mldmon -i core)"
sed -n "/^# [0-9]* membership/,\$p" "$LAB_DIR/mldmon.txt" |
	awk '/^#/ { next } /^[^ ]/ { keep = ($1 ~ /^ff3e|^232\./) } keep' | head -n 24 | sed 's/^/  /'

bold "metro 3 loses multicast (nftables drops it on its boxes): they go to the P2P mesh"
for b in m3h1 m3h2 m3h3; do
	lab_exec "$b" nft -f - <<'NFT'
table inet nomc {
	chain in {
		type filter hook input priority 0; policy accept;
		ip6 daddr ff00::/8 udp dport 1024-65535 counter drop
		ip daddr 224.0.0.0/4 udp dport 1024-65535 counter drop
	}
}
NFT
done
sleep 3
stb m3h1 record start "$LAB_DIR/m3h1-mesh.ts" >/dev/null
sleep 4
stb m3h1 record stop >/dev/null
for b in m3h1 m3h2 m3h3; do
	stb "$b" stats | jf '"  %s: mode %s, %d packets from the mesh, %d partners, unrepaired %d" % ("'"$b"'", j["mesh"]["mode"], j["mesh"]["accepted"], j["mesh"]["node"]["partners"], j["repair"]["unrepaired"])'
done
echo "  m3h1 recorded 4 s in mesh mode: $("$CL_TSREC" check "$LAB_DIR/m3h1-mesh.ts" | head -1)"
grep -h "switching to the P2P mesh" "$LAB_DIR"/m3h*.log | head -3 | sed 's/^/  log: /'
for b in m3h1 m3h2 m3h3; do lab_exec "$b" nft delete table inet nomc; done
echo "  multicast is back in metro 3; after 3 s clean the boxes return:"
for b in m3h1 m3h2 m3h3; do
	for _ in $(seq 100); do
		[ "$(stb "$b" status | jf 'j["mode"]')" = multicast ] && break
		sleep 0.1
	done
	echo "  $b: mode $(stb "$b" status | jf 'j["mode"]')"
done

bold "left out of this demo:"
cat <<'TXT'
  The NOC console and sixcastctl (docs/sixcastctl.md) and the Debian
  packages (packaging/build-deb.sh); the larger mesh labs are
  tests/integration/mesh_*.sh and client_mesh_lab.sh.
TXT
