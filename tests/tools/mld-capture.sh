#!/bin/bash
# mld-capture: record real MLD and IGMP traffic of every version in the lab,
# the source of the captured packets in tests/unit/mld_captured.h.
#
#   sudo tests/tools/mld-capture.sh OUT.pcap [BUILD_DIR]
#   tests/tools/mld-pcap2c.sh OUT.pcap > tests/unit/mld_captured.h
#
# One metro with two hosts; tcpdump on the core bridge (promiscuous, so it
# sees every host's reports and the querier's own queries). m1h1 speaks
# MLDv2/IGMPv3 (any-source and source-specific joins and leaves); m1h2 is
# forced to MLDv1/IGMPv2; then the querier is switched to MLDv1/IGMPv2 for
# old-style queries.
set -u
out="${1:?usage: mld-capture.sh OUT.pcap [BUILD_DIR]}"
build="${2:-build}"
top_srcdir="$(cd "$(dirname "$0")/../.." && pwd)"
. "$top_srcdir/tests/lab/lab.sh"
probe="$build/tests/tools/mcprobe"
[ -x "$probe" ] || { echo "build mcprobe first ($probe)" >&2; exit 2; }
command -v tcpdump >/dev/null || { echo "tcpdump is missing" >&2; exit 2; }

lab_up 1 2
# Started directly (not through the fab function) so that $! is tcpdump.
ip netns exec "$LAB_FAB" tcpdump -i core -U -s 0 -w "$LAB_DIR/cap.pcap" \
	'igmp or (ip6 and (ip6[6] == 0 or (ip6[6] == 58 and ip6[40] >= 130 and ip6[40] <= 143)))' \
	>"$LAB_DIR/tcpdump.log" 2>&1 </dev/null &
tcpd=$!
lab_wait_querier || exit 99

# MLDv2 / IGMPv3 from m1h1: SSM join with two sources, ASM join, leaves.
recv() { lab_exec "$@" >/dev/null 2>&1; }
recv m1h1 "$probe" recv -g '[ff3e::8000:1]:5000' -i eth0 -s 2001:db8::1,2001:db8::2 -t 1.5
recv m1h1 "$probe" recv -g '[ff05::8000:2]:5000' -i eth0 -t 1.5
recv m1h1 "$probe" recv -g '232.1.0.1:5000' -i eth0 -s 10.0.0.1,10.0.0.2 -t 1.5
recv m1h1 "$probe" recv -g '239.1.0.2:5000' -i eth0 -t 1.5
# MLDv1 / IGMPv2 from m1h2.
lab_exec m1h2 sysctl -qw net.ipv6.conf.eth0.force_mld_version=1 net.ipv4.conf.eth0.force_igmp_version=2
recv m1h2 "$probe" recv -g '[ff05::8000:3]:5000' -i eth0 -t 1.5
recv m1h2 "$probe" recv -g '239.1.0.3:5000' -i eth0 -t 1.5
# Old-style queries from the querier.
fab ip link set core type bridge mcast_mld_version 1 mcast_igmp_version 2
sleep 6
kill "$tcpd"
wait "$tcpd" 2>/dev/null
cp "$LAB_DIR/cap.pcap" "$out"
echo "wrote $out: $(tcpdump -r "$out" -nn 2>/dev/null | wc -l) frames"
