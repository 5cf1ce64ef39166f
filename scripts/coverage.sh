#!/bin/bash
# coverage: line coverage of the whole suite (unit tests and labs), per
# folder, with gcov and lcov. Builds in build-cov/ (gcc --coverage, -O0),
# runs make check there, and prints a table; the HTML report goes to
# build-cov/coverage/index.html, the table to build-cov/coverage/summary.txt.
#
#   ./run coverage                 (the labs too: as root, or in user namespaces)
#   COV_TARGET=check-unit ./run coverage      (the in-process tests only)
#   COV_TESTS="TESTS=tests/unit/test_sc_rtp" ./run coverage   (a part only)
#
# A test that fails still leaves its coverage: the table is printed, and
# the exit status says the suite failed.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
dir="${COV_BUILD:-$top/build-cov}"
jobs="$(nproc 2>/dev/null || echo 2)"
out="$dir/coverage"
folders=(client mcast-server mgmt-server common retransmit igmp-mld ts)

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

command -v lcov >/dev/null || { echo "coverage: lcov is missing (apt-get install lcov)" >&2; exit 1; }
if [ ! -f "$dir/Makefile" ]; then
	mkdir -p "$dir"
	say "configure ($dir, --coverage)"
	(cd "$dir" && CFLAGS="-O0 -g --coverage" LDFLAGS="--coverage" "$top/configure" --enable-werror \
		>configure.log 2>&1) || { tail -n 20 "$dir/configure.log"; exit 1; }
fi
say "make"
make -C "$dir" -j"$jobs" >"$dir/make.log" 2>&1 || { tail -n 30 "$dir/make.log"; exit 1; }
# Counters of an earlier run would add up with this one's.
find "$dir" -name '*.gcda' -delete
target="${COV_TARGET:-check}"
say "make $target ${COV_TESTS:-}"
rc=0
# shellcheck disable=SC2086 # COV_TESTS is make arguments
make -C "$dir" -j"$jobs" "$target" ${COV_TESTS:-} >"$dir/check.log" 2>&1 || rc=$?
grep -E '^# (TOTAL|PASS|SKIP|FAIL|ERROR):' "$dir/check.log" || true

say "lcov"
rm -rf "$out"
mkdir -p "$out"
# The sources sit beside the build, not under it: what is not ours goes
# by name (--no-external would drop everything).
# A zero baseline from every object first, so that a file no test reaches
# counts as uncovered rather than missing.
lcov --quiet --capture --initial --directory "$dir" --base-directory "$dir" \
	--output-file "$out/base.info" 2>"$out/lcov.log"
lcov --quiet --capture --directory "$dir" --base-directory "$dir" \
	--output-file "$out/run.info" 2>>"$out/lcov.log"
lcov --quiet -a "$out/base.info" -a "$out/run.info" --output-file "$out/all.info" 2>>"$out/lcov.log"
lcov --quiet --remove "$out/all.info" '/usr/*' '*/tests/*' "$dir/*" --output-file "$out/src.info" \
	2>>"$out/lcov.log"

# lines found and hit of one tracefile: "LF LH"
lines_of() { awk -F: '/^LF:/ { f += $2 } /^LH:/ { h += $2 } END { printf "%d %d\n", f, h }' "$1"; }
{
	printf '%-14s %8s %8s %7s\n' folder lines hit cover
	for f in "${folders[@]}"; do
		lcov --quiet --extract "$out/src.info" "$top/$f/*" --output-file "$out/$f.info" 2>>"$out/lcov.log" || continue
		read -r lf lh < <(lines_of "$out/$f.info")
		awk -v f="$f" -v lf="$lf" -v lh="$lh" 'BEGIN { printf "%-14s %8d %8d %6.1f%%\n", f, lf, lh, lf ? 100 * lh / lf : 0 }'
	done
	read -r lf lh < <(lines_of "$out/src.info")
	awk -v lf="$lf" -v lh="$lh" 'BEGIN { printf "%-14s %8d %8d %6.1f%%\n", "all", lf, lh, lf ? 100 * lh / lf : 0 }'
} | tee "$out/summary.txt"
genhtml --quiet --output-directory "$out" "$out/src.info" >>"$out/lcov.log" 2>&1 || true
echo "report: $out/index.html"
[ "$rc" = 0 ] || { echo "coverage: the suite failed (log: $dir/check.log)" >&2; exit "$rc"; }
