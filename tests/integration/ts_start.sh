#!/bin/bash
# ts_start: the clean start and the splice (ts/ts_start.h, ts/ts_splice.h)
# on real encoders' streams. ffmpeg makes H.264/AAC, HEVC/AAC (x265, open
# GOP: CRA pictures, RASL after them) and MPEG-2/MP2 clips with 1 s and
# 5 s GOPs; tests/tools/tsstart starts an output in the middle of GOPs and
# splices clips into one stream as zaps would; ffmpeg must decode each
# output without an error message, from a key frame, PAT and PMT first,
# and a spliced output must keep every stream's DTS increasing.
# No lab, no root: a plain script. SKIP without ffmpeg or an encoder.
set -euo pipefail
top_srcdir="${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}"
top_builddir="${top_builddir:-$top_srcdir/build}"
tool="$top_builddir/tests/tools/tsstart"
me=ts_start

for t in ffmpeg ffprobe; do
	command -v $t >/dev/null || { echo "$me: $t missing (apt-get install ffmpeg): SKIP"; exit 77; }
done
[ -x "$tool" ] || { echo "$me: $tool not built"; exit 99; }
encoders="$(ffmpeg -hide_banner -encoders 2>/dev/null)"
for e in libx264 libx265 mpeg2video aac mp2; do
	grep -q " $e " <<<"$encoders" || { echo "$me: ffmpeg has no $e encoder: SKIP"; exit 77; }
done

dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
fail=0
bad() { echo "$me: FAIL: $*" >&2; fail=1; }

# clip NAME VCODEC-ARGS ACODEC GOP SECONDS SOURCE
clip() {
	local name=$1 v=$2 a=$3 gop=$4 secs=$5 src=$6
	# shellcheck disable=SC2086
	nice -n 19 ffmpeg -v error -y -f lavfi -i "$src=size=320x240:rate=25" \
		-f lavfi -i sine=frequency=440:sample_rate=48000 -t "$secs" \
		$v -g "$gop" -c:a "$a" -b:a 64k -f mpegts "$dir/$name.ts"
}
x265='-c:v libx265 -preset veryfast -x265-params log-level=error'
for g in 1 5; do
	secs=$((g == 1 ? 6 : 12))
	clip h264_g$g '-c:v libx264 -preset ultrafast' aac $((25 * g)) $secs testsrc2
	clip hevc_g$g "$x265" aac $((25 * g)) $secs testsrc2
	clip mpeg2_g$g '-c:v mpeg2video' mp2 $((25 * g)) $secs testsrc2
done
# Other pictures for the zaps: another encoder instance, another clock.
clip h264_b '-c:v libx264 -preset ultrafast' aac 25 4 smptebars
clip hevc_b "$x265" aac 25 4 smptebars
clip mpeg2_b '-c:v mpeg2video' mp2 25 4 smptebars

packets() { echo $(($(stat -c %s "$1") / 188)); }

# What ffmpeg says while decoding all of it (nothing, when clean).
decode_errors() { ffmpeg -v error -i "$1" -f null - 2>&1 | sed -n 1,3p; }

# The first decoded video frame: "1,I" when a key frame.
first_frame() {
	ffprobe -v error -select_streams v -show_frames -show_entries frame=key_frame,pict_type -of csv=p=0 "$1" |
		sed -n 1p | cut -d, -f1,2
}

# PID of packet N of a file.
pid_at() { od -An -tu1 -j $(($2 * 188 + 1)) -N2 "$1" | awk '{ print ($1 % 32) * 256 + $2 }'; }

# Packets whose DTS is not above the last one of their stream.
dts_backwards() {
	ffprobe -v error -show_packets -show_entries packet=stream_index,dts -of csv=p=0 "$1" | grep . |
		awk -F, '$2 != "N/A" { if (($1 in last) && $2 + 0 <= last[$1]) n++; last[$1] = $2 + 0 } END { print n + 0 }'
}

check_start() {
	local out=$1 what=$2 e f
	[ -s "$out" ] || { bad "$what: no output"; return; }
	[ "$(pid_at "$out" 0)" = 0 ] || bad "$what: the first packet is no PAT"
	[ "$(pid_at "$out" 1)" = 4096 ] || bad "$what: the second packet is no PMT"
	e="$(decode_errors "$out")"
	[ -z "$e" ] || bad "$what: ffmpeg: $e"
	f="$(first_frame "$out")"
	[ "$f" = "1,I" ] || bad "$what: the first frame decoded is '$f', no key frame"
}

# Starts in the middle of GOPs.
for c in h264 hevc mpeg2; do
	for g in 1 5; do
		f="$dir/${c}_g$g.ts"
		n="$(packets "$f")"
		for pct in 7 30 45; do
			out="$dir/out_${c}_g${g}_$pct.ts"
			"$tool" -o "$out" "$f:$((n * pct / 100))" | sed -n "1s/^.*${c}_g$g.ts/$me: ${c} ${g}s GOP/p"
			check_start "$out" "$c, ${g}s GOP, from $pct%"
		done
	done
done

# Zaps: a clip from the middle of a GOP, another encoder's clip, back.
for c in h264 hevc mpeg2; do
	a="$dir/${c}_g1.ts" b="$dir/${c}_b.ts" z="$dir/zap_$c.ts"
	na="$(packets "$a")" nb="$(packets "$b")"
	"$tool" -c -o "$z" "$a:$((na / 10)):$((na * 4 / 10))" "$b:$((nb / 3)):$((nb / 3))" "$a:$((na * 6 / 10))" |
		sed -n "s/^video/$me: zap $c: video/p"
	check_start "$z" "zap $c"
	back="$(dts_backwards "$z")"
	[ "$back" = 0 ] || bad "zap $c: $back packets go back in time"
done

[ $fail = 0 ] && echo "$me: every start clean, every splice continuous"
exit $fail
