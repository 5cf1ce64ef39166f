#!/bin/bash
# stress-test: the whole suite, several times in a row, from a fresh clone,
# while stress-ng keeps every core busy: the proof that no test depends on
# an idle or fast machine (docs/HACKING.md says when to run it).
#
#   ./run stress-test                       (as root; 5 runs)
#   STRESS_RUNS=2 STRESS_CPUS=2 ./run stress-test
#
# The clone is of the committed HEAD (uncommitted changes are not tested:
# it says so), built once in its own build/; then `make check` runs
# STRESS_RUNS times, each from scratch. The logs of a failed run are kept
# under the clone's build-fail-<n>/. Prints a table of the runs; the exit
# status is 1 when any failed.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
runs="${STRESS_RUNS:-5}"
cpus="${STRESS_CPUS:-$(nproc 2>/dev/null || echo 2)}"
jobs="$(nproc 2>/dev/null || echo 2)"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'stress-test: %s\n' "$*" >&2; exit 1; }

command -v stress-ng >/dev/null || die "stress-ng is missing (apt-get install stress-ng)"
[ -z "$(git -C "$top" status --porcelain --untracked-files=no)" ] ||
	say "uncommitted changes are not in the clone: only HEAD ($(git -C "$top" rev-parse --short HEAD)) is tested"

work="$(mktemp -d /tmp/sixcast-stress-XXXXXX)"
git clone -q "$top" "$work/src"
cd "$work/src"
# The browser test's npm packages (./run deps installed them in the tree):
# without them, that test would only SKIP here.
[ ! -d "$top/tests/browser/node_modules" ] || ln -s "$top/tests/browser/node_modules" tests/browser/node_modules
say "build in a fresh clone ($work/src)"
./autogen.sh >"$work/autogen.log" 2>&1 || { tail -n 20 "$work/autogen.log"; die "autogen failed"; }
mkdir build
(cd build && ../configure --enable-werror >"$work/configure.log" 2>&1) ||
	{ tail -n 20 "$work/configure.log"; die "configure failed"; }
make -C build -j"$jobs" >"$work/make.log" 2>&1 || { tail -n 30 "$work/make.log"; die "the build failed"; }

say "stress-ng --cpu $cpus beside $runs runs of make check"
stress-ng --cpu "$cpus" --timeout 0 --quiet &
spid=$!
trap 'kill $spid 2>/dev/null; wait $spid 2>/dev/null || true' EXIT

results=()
failed=0
for ((i = 1; i <= runs; i++)); do
	t0=$SECONDS
	if make -C build -j"$jobs" check >"$work/check-$i.log" 2>&1; then
		res=pass
	else
		res=FAIL
		failed=$((failed + 1))
		mkdir -p "build-fail-$i"
		for trs in $(grep -l -E '^:test-result: (FAIL|ERROR)' $(find build/tests -name '*.trs')); do
			cp "${trs%.trs}.log" "build-fail-$i/"
			res="$res $(basename "${trs%.trs}")"
		done
	fi
	counts="$(grep -E '^# (PASS|SKIP|FAIL|ERROR):' "$work/check-$i.log" | awk '{ printf "%s%s ", tolower($2), $3 }')"
	results+=("$(printf '%3d  %-60s %5d s  %s' "$i" "$res" $((SECONDS - t0)) "$counts")")
	echo "${results[-1]}"
done

echo
printf 'run  %-60s %7s  %s\n' result wall tests
printf '%s\n' "${results[@]}"
[ "$failed" = 0 ] || die "$failed of $runs runs failed (logs: $work/src/build-fail-<run>/)"
say "$runs of $runs runs passed under stress ($work)"
rm -rf "$work"
