#!/bin/bash
# client_rss: what memory sixcast-client costs on an 8 Mb/s channel (issue 7:
# RSS at most 8 MB), measured in a small namespace lab.
#
#   sudo tests/bench/client_rss.sh [BUILD_DIR] [SECONDS]
#
# Three metros of one box each (one repair group: the server spreads a
# group across metros), an edge sending an 8 Mb/s
# H.264/AAC clip, LOSS% (default 5) independent nftables loss on each box so
# that repair runs. Box m1h1 is plain (HTTP output listening, no viewer),
# m2h1 serves an HTTP viewer (curl on /current), m3h1 plays with --play
# (GStreamer, fakesink). After SECONDS (default 20) of playing, printed per
# box from /proc/PID/smaps_rollup and /proc/PID/smaps: RSS, PSS, private
# dirty, private clean, shared, peak RSS (VmHWM), and the TOP (default 10)
# mappings that cost most RSS, grouped by file ([heap], [anon], [stack] for
# the rest), with their PSS. Also the same for the sixcast-play helper when
# there is one. Then m1h1 zaps 6 times (channels 2 and 1, 2 s each) and
# its RSS is printed again: a zap frees one raw buffer and makes another.
# RSS counts every resident page of the shared libraries the
# process maps; PSS shares them out among the processes mapping them.
set -u
top="$(cd "$(dirname "$0")/../.." && pwd)"
B="$(cd "${1:-$top/build}" && pwd)"
DUR="${2:-20}"
TOP="${TOP:-10}"
LOSS="${LOSS:-5}"
export top_srcdir="$top" top_builddir="$B"
. "$top/tests/lab/lab.sh"
lab_up 3 1 2
. "$top/tests/integration/client_lib.sh"
cl_mgmt_start
CL_PATTERN=snow cl_clip "$LAB_DIR/clip.ts" 8000 10
echo "clip: $(($(stat -c %s "$LAB_DIR/clip.ts") * 8 / 10 / 1000)) kb/s, loss $LOSS% per box, $DUR s"
cl_edge_start "{ id = 1; name = \"Bench\"; source = \"file:$LAB_DIR/clip.ts\"; }" \
	"{ id = 2; name = \"Zap\"; source = \"file:$LAB_DIR/clip.ts\"; }"
lab_wait_querier || exit 99
for b in m1h1 m2h1 m3h1; do
	[ "$LOSS" = 0 ] || lab_loss "$b" "$LOSS"
done
cl_box_start m1h1
cl_box_start m2h1
CL_OUTPUTS='play = true; video_sink = "fakesink"; audio_sink = "fakesink";' cl_box_start m3h1
for b in m1h1 m2h1 m3h1; do
	cl_wait_playing "$b" || { tail -n 5 "$LAB_DIR/$b.log"; lab_fail "$b does not play"; }
done
lab_bg m2h1 "$LAB_DIR/viewer.log" curl -s -o /dev/null "http://[::1]:8090/current"
sleep "$DUR"

# mem PID: one summary line, then the ten costliest mappings by RSS.
mem() {
	python3 - "$1" "$TOP" <<'PY'
import os, re, sys
pid = sys.argv[1]
roll = {}
for l in open(f"/proc/{pid}/smaps_rollup"):
    p = l.split()
    if len(p) >= 2 and p[0].endswith(":") and p[1].isdigit():
        roll[p[0][:-1]] = int(p[1])
hwm = next(int(l.split()[1]) for l in open(f"/proc/{pid}/status") if l.startswith("VmHWM"))
print("  RSS %d kB, PSS %d kB, private dirty %d kB, private clean %d kB, shared %d kB, peak RSS %d kB" % (
    roll["Rss"], roll["Pss"], roll["Private_Dirty"], roll["Private_Clean"],
    roll["Shared_Clean"] + roll["Shared_Dirty"], hwm))
by = {}
anon = []
name = None
for l in open(f"/proc/{pid}/smaps"):
    m = re.match(r"^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$", l)
    if m:
        name = m.group(3).strip() or "[anon]"
        name = name.rsplit("/", 1)[-1]
        size = (int(m.group(2), 16) - int(m.group(1), 16)) // 1024
        by.setdefault(name, [0, 0, 0])
        continue
    p = l.split()
    if p[0] == "Rss:":
        by[name][0] += int(p[1])
        if name in ("[anon]", "[heap]") and int(p[1]) >= 64:
            anon.append((name, size, int(p[1])))
    elif p[0] == "Pss:":
        by[name][1] += int(p[1])
    elif p[0] in ("Private_Dirty:", "Private_Clean:"):
        by[name][2] += int(p[1])
N = int(sys.argv[2])
top = sorted(by.items(), key=lambda kv: -kv[1][0])
print("  %-34s %7s %7s %7s" % ("mapping", "RSS kB", "PSS kB", "priv kB"))
for n, (r, p, u) in top[:N]:
    print("  %-34s %7d %7d %7d" % (n[:34], r, p, u))
rest = top[N:]
print("  %-34s %7d %7d %7d   (%d more, %d files mapped in all)" % ("rest", sum(v[0] for _, v in rest),
      sum(v[1] for _, v in rest), sum(v[2] for _, v in rest), len(rest),
      sum(1 for n, _ in top if not n.startswith("["))))
if os.environ.get("ANON"):
    for n, size, r in anon:
        print("  %s mapping of %d kB: %d kB resident" % (n, size, r))
PY
}
stats() { stb "$1" stats | jf '"received %d, repaired by peers %d / by RET %d, unrepaired %d" % (j["repair"]["received"], j["repair"]["repaired_peer"], j["repair"]["repaired_ret"], j["repair"]["unrepaired"])'; }

echo
for b in m1h1 m2h1 m3h1; do
	case $b in m1h1) what="plain" ;; m2h1) what="one HTTP viewer" ;; m3h1) what="--play (fakesink)" ;; esac
	echo "sixcast-client on $b, $what: $(stats "$b")"
	mem "${CL_PID[$b]}"
	for c in $(cat "/proc/${CL_PID[$b]}/task/"*/children 2>/dev/null); do
		echo "  child $c: $(tr '\0' ' ' <"/proc/$c/cmdline")"
		mem "$c" | sed 's/^/  /'
	done
done

for i in 1 2 3 4 5 6; do
	stb m1h1 tune $((i % 2 + 1)) >/dev/null
	cl_wait_playing m1h1 $((i % 2 + 1)) || lab_fail "m1h1 does not play after zap $i"
	sleep 2
done
echo "sixcast-client on m1h1 after 6 zaps: $(stats m1h1)"
mem "${CL_PID[m1h1]}" | head -1
