#!/bin/bash
# smoke: builds every fuzz target (tests/fuzz/fuzz_*.c) with clang and
# runs each for a short while on a copy of its seeds, two at a time, so
# that the targets keep building and a shallow bug shows up in CI. Fails
# when a target does not build, has no seeds, crashes, leaks, times out or
# runs out of memory, with the input that did it and the log's tail.
#
#   bash tests/fuzz/smoke.sh            (./run fuzz-smoke; full-test runs it)
#
# Environment: FUZZ_BUILD (build-fuzz/), FUZZ_CC (clang-14), FUZZ_SECONDS
# per target (30), FUZZ_JOBS at a time (2). The runs stay in
# $FUZZ_BUILD/smoke/<target>/: log, corpus, and crash-*, leak-*,
# timeout-*, oom-* inputs (replay one with $FUZZ_BUILD/tests/fuzz/<target> FILE).
#
# tests/fuzz/xfail lists known bugs of code that is not ours to fix here,
# one per line: target, a pattern of its crash log that names the bug,
# and why. Such a crash is reported and does not fail the step; any
# other of the same target does.
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
build="${FUZZ_BUILD:-$top/build-fuzz}"
cc="${FUZZ_CC:-clang-14}"
secs="${FUZZ_SECONDS:-30}"
jobs="${FUZZ_JOBS:-2}"
work="$build/smoke"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'fuzz-smoke: %s\n' "$*" >&2; exit 1; }

mapfile -t targets < <(cd "$top/tests/fuzz" && ls fuzz_*.c | sed 's/\.c$//' | grep -v '^fuzz_seeds$')

build_all() {
	if [ ! -f "$build/Makefile" ]; then
		mkdir -p "$build"
		(cd "$build" && CC="$cc" "$top/configure" --enable-werror --enable-fuzzers --disable-lab-tests \
			>configure.log 2>&1) || { tail -n 20 "$build/configure.log"; die "configure failed"; }
	fi
	make -C "$build" -j"$jobs" tests/fuzz/fuzz_seeds "${targets[@]/#/tests/fuzz/}" >"$build/make.log" 2>&1 ||
		{ grep -E 'error|Error' "$build/make.log" | head -n 30; die "the fuzz targets do not build (log: $build/make.log)"; }
}

# The seeds of the binary targets must be what the encoders write today:
# a wire format changed under old seeds leaves its target mutating bytes
# that the parsers refuse at once.
check_seeds() {
	local f t rel
	rm -rf "$work/seeds"
	mkdir -p "$work"
	"$build/tests/fuzz/fuzz_seeds" "$work/seeds"
	for f in "$work"/seeds/*/*; do
		rel="${f#"$work/seeds/"}"
		cmp -s "$f" "$top/tests/fuzz/corpus/$rel" ||
			die "tests/fuzz/corpus/$rel is not what the encoders write now: run $build/tests/fuzz/fuzz_seeds $top/tests/fuzz/corpus and commit it"
	done
	for t in "${targets[@]}"; do
		[ -n "$(ls -A "$top/tests/fuzz/corpus/$t" 2>/dev/null)" ] || die "$t has no seeds in tests/fuzz/corpus/$t"
	done
}

dict_of() {
	case "$1" in
	fuzz_mgc_json | fuzz_edge_mgmt | fuzz_mg_json) echo "$top/tests/fuzz/dict/json.dict" ;;
	fuzz_http_request | fuzz_httpc | fuzz_hts_req) echo "$top/tests/fuzz/dict/http.dict" ;;
	esac
}

# One target; its exit status goes to $work/<target>/rc.
run_one() {
	local t="$1" d="$work/$1" dict rc=0
	local args=(-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
		-artifact_prefix="$d/")

	rm -rf "$d"
	mkdir -p "$d/corpus"
	cp "$top/tests/fuzz/corpus/$t"/* "$d/corpus/"
	dict="$(dict_of "$t")"
	[ -n "$dict" ] && args+=(-dict="$dict")
	# The outer timeout catches a hang libFuzzer's own -timeout misses.
	ASAN_SYMBOLIZER_PATH="$(command -v llvm-symbolizer-14 || command -v llvm-symbolizer || true)" \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		timeout -k 10 $((secs * 3 + 60)) "$build/tests/fuzz/$t" "${args[@]}" "$d/corpus" >"$d/log" 2>&1 || rc=$?
	echo "$rc" >"$d/rc"
}

# xfail entry of target t whose pattern its log matches, if any.
xfail_of() {
	local t="$1" name pattern why
	[ -f "$top/tests/fuzz/xfail" ] || return 1
	while read -r name pattern why; do
		case "$name" in '' | '#'*) continue ;; esac
		[ "$name" = "$t" ] && grep -qE -- "$pattern" "$work/$t/log" && { echo "$why"; return 0; }
	done <"$top/tests/fuzz/xfail"
	return 1
}

report() {
	local t failed=0 rc why art
	for t in "${targets[@]}"; do
		rc="$(cat "$work/$t/rc" 2>/dev/null || echo 99)"
		if [ "$rc" = 0 ]; then
			printf 'PASS  %-18s %s\n' "$t" "$(grep -E '^Done [0-9]+ runs' "$work/$t/log" | tail -n 1)"
			grep -qs "^$t " "$top/tests/fuzz/xfail" &&
				printf '      %s has an xfail entry but did not fail this time\n' "$t"
			continue
		fi
		art="$(ls "$work/$t"/crash-* "$work/$t"/leak-* "$work/$t"/timeout-* "$work/$t"/oom-* 2>/dev/null | head -n 1)"
		if why="$(xfail_of "$t")"; then
			printf 'XFAIL %-18s %s (known: %s)\n' "$t" "${art:-exit $rc}" "$why"
			continue
		fi
		failed=1
		printf '\nFAIL  %-18s exit %s; input: %s\n' "$t" "$rc" "${art:-none written (hang or build problem?)}"
		printf -- '----- tail of %s -----\n' "$work/$t/log"
		tail -n 40 "$work/$t/log"
		[ -n "$art" ] && printf 'replay: %s %s\n' "$build/tests/fuzz/$t" "$art"
	done
	return "$failed"
}

start=$SECONDS
say "fuzz targets: build with $cc ($build)"
build_all
check_seeds
say "fuzz targets: ${#targets[@]} runs of ${secs} s, $jobs at a time (after $((SECONDS - start)) s of build)"
n=0
for t in "${targets[@]}"; do
	run_one "$t" &
	n=$((n + 1))
	if [ "$n" -ge "$jobs" ]; then
		wait -n || true
		n=$((n - 1))
	fi
done
wait
report || die "a fuzz target failed (runs under $work)"
say "fuzz smoke passed in $((SECONDS - start)) s"
