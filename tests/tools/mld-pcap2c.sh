#!/bin/bash
# mld-pcap2c: turn frames of a capture into C arrays for the unit tests.
#
#   tests/tools/mld-pcap2c.sh FILE.pcap N[,N...] > frames.h
#
# N are 1-based frame numbers (tcpdump -r FILE -nn -# lists them). Each
# frame becomes "static const uint8_t cap_N[]" preceded by tcpdump's own
# one-line decode, so a reader sees what the bytes are.
set -eu
file="${1:?usage: mld-pcap2c.sh FILE.pcap N[,N...]}"
want=",${2:?frame numbers},"
tcpdump -r "$file" -nn -tttt -v -xx -# 2>/dev/null | awk -v want="$want" '
function flush() {
	if (num != "" && index(want, "," num ",")) {
		printf "/* %s */\nstatic const uint8_t cap_%s[] = {", desc, num
		for (i = 0; i < nb; i++)
			printf "%s0x%s,", (i % 12 == 0 ? "\n\t" : " "), bytes[i]
		printf "\n};\n\n"
	}
	num = ""; nb = 0; desc = ""
}
/^ *[0-9]+  [0-9][0-9][0-9][0-9]-/ { flush(); num = $1; sub(/^ *[0-9]+  [^ ]+ [^ ]+ /, ""); desc = $0; next }
/^\t0x[0-9a-f]+:/ {
	for (f = 2; f <= NF; f++) {
		if ($f !~ /^[0-9a-f]+$/ || length($f) > 4) break
		for (k = 1; k < length($f); k += 2) bytes[nb++] = substr($f, k, 2)
	}
	next
}
num != "" { line = $0; gsub(/^[ \t]+/, "", line); desc = desc " " line }
END { flush() }' | sed 's/\*\//* \//g; s/\/\* \(.*\) \* \/$/\/* \1 *\//'
