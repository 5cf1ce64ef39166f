#!/bin/bash
# mld_decode: decoder throughput in packets per second, with tcpdump's
# decoder on the same frames as the reference.
#
#   tests/bench/mld_decode.sh [BUILD_DIR] [SECONDS] [FRAMES]
#
# bench_mld_decode times the decoders in memory (per frame kind and for the
# mix), then writes the mix as a pcap file of FRAMES frames (default
# 500000) and reads it back through mld_cap (libpcap + decoders). tcpdump
# then decodes the same file verbosely (-v, which walks every MLD/IGMP
# record and source) into /dev/null. Not run by make check.
set -eu
build="${1:-build}"
secs="${2:-2}"
frames="${3:-500000}"
bench="$build/tests/bench/bench_mld_decode"
[ -x "$bench" ] || { echo "build first: make -C $build" >&2; exit 2; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'); $(nproc) cores"
"$bench" "$secs" --pcap "$tmp/mix.pcap" "$frames"
if command -v tcpdump >/dev/null; then
	start=$(date +%s.%N)
	tcpdump -r "$tmp/mix.pcap" -nn -v >/dev/null 2>&1
	end=$(date +%s.%N)
	awk -v n="$frames" -v s="$start" -v e="$end" 'BEGIN {
		printf "%-44s %12.0f pkt/s  (%d frames, %.3f s)\n", "reference: tcpdump -r -nn -v > /dev/null", n / (e - s), n, e - s }'
	start=$(date +%s.%N)
	tcpdump -r "$tmp/mix.pcap" -nn >/dev/null 2>&1
	end=$(date +%s.%N)
	awk -v n="$frames" -v s="$start" -v e="$end" 'BEGIN {
		printf "%-44s %12.0f pkt/s  (%d frames, %.3f s)\n", "reference: tcpdump -r -nn > /dev/null", n / (e - s), n, e - s }'
else
	echo "tcpdump not installed: no reference line"
fi
