#!/bin/bash
# The live demo: what sixcast can show today, in the namespace lab.
#   bash scripts/demo.sh BUILD_DIR      (./run demo calls this)
#
# Today the daemons do not exist yet, so the demo shows the network they
# will run on: three metros of set-top boxes behind snooping bridges, an
# edge position in the core sending an IPv6 SSM channel at about 7 Mb/s,
# boxes joining source-specific, one of them on a lossy line, and a box
# that did not join seeing nothing of it. It says what is still missing.
set -u
top="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$top/build}"
probe="$build/tests/tools/mcprobe"
secs="${SIXCAST_DEMO_SECONDS:-8}"
. "$top/tests/lab/lab.sh"
[ -x "$probe" ] || { echo "demo: $probe is not built; run ./run build" >&2; exit 1; }

bold() { printf '\033[1m%s\033[0m\n' "$*"; }

bold "sixcast demo: the metro lab"
lab_up 3 2 1
lab_wait_querier || exit 1
echo "  core: c1 ($(lab_addr6 c1)) stands where the edge server will"
for m in 1 2 3; do echo "  metro $m: $(lab_hosts $m | tr '\n' ' ')($(lab_addr6 m${m}h1 | sed 's/::1$/::\/48/'))"; done
lab_loss m2h1 5
echo "  m2h1's line loses 5% of UDP (nftables); m3h2 does not tune in"

group="[ff3e::8000:1]:5000"
rate=700
bold "channel: $group from $(lab_addr6 c1), $rate pkt/s x 1328 B = $((rate * 1328 * 8 / 1000)) kb/s, ${secs}s"
for h in m1h1 m1h2 m2h1 m2h2 m3h1; do
	lab_bg "$h" "$LAB_DIR/$h.log" "$probe" recv -g "$group" -i eth0 -s "$(lab_addr6 c1)" -t $((secs + 2))
done
lab_count_start m3h2 5000
sleep 1
lab_exec c1 "$probe" send -g "$group" -i eth0 -n $((rate * secs)) -r "$rate" >/dev/null
wait
bold "what each box received"
printf '  %-6s %-8s %-8s %-8s\n' box packets lost "loss %"
for h in m1h1 m1h2 m2h1 m2h2 m3h1; do
	line="$(tail -1 "$LAB_DIR/$h.log")"
	u="$(sed -n 's/.*unique=\([0-9]*\).*/\1/p' <<<"$line")"
	printf '  %-6s %-8s %-8s %-8s\n' "$h" "$u" $((rate * secs - u)) \
		"$(awk -v u="$u" -v n=$((rate * secs)) 'BEGIN { printf "%.2f", 100 * (n - u) / n }')"
done
echo "  m3h2 (did not tune in): $(lab_count m3h2) datagrams of the channel reached its wire"
bold "who joined what (core bridge multicast database)"
lab_mdb core | grep -i 'ff3e::8000:1' | sed 's/^/  /'

bold "not built yet (the issues say when):"
cat <<'TXT'
  - sixcast-mcast-server: edge server, RTP packetizer, RET, fast channel change  (issue 5)
  - sixcast-mgmt-server: registry, grouping, API, NOC console                     (issue 6)
  - sixcast-client: tune, in-group repair (m2h1's loss above would be repaired)   (issue 7)
  - P2P mesh fallback                                                              (issue 8)
  The libraries igmp-mld (issue 3) and retransmit (issue 4) have their skeletons.
TXT
