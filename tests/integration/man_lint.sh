#!/bin/bash
# man_lint: the manual pages are clean for mandoc -Tlint (warnings and up),
# render with mandoc and groff, every program the build installs has a page,
# and every long option a built program's --help shows is in its page.
# Programs not built yet are named and skipped. SKIP without mandoc.
set -euo pipefail
top_srcdir="${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}"
top_builddir="${top_builddir:-$top_srcdir/build}"
man="$top_srcdir/docs/man"
command -v mandoc >/dev/null || { echo "man_lint: mandoc missing (apt-get install mandoc): SKIP"; exit 77; }
fail=0
bad() { echo "man_lint: FAIL: $*" >&2; fail=1; }

pages=("$man"/*.[1-8])
for p in "${pages[@]}"; do
	name="$(basename "$p")"
	out="$(mandoc -Tlint -Wwarning "$p" 2>&1)" || true
	[ -z "$out" ] || bad "$name: mandoc -Tlint: $out"
	mandoc -Tutf8 "$p" >/dev/null 2>&1 || bad "$name: mandoc cannot render it"
	if command -v groff >/dev/null; then
		out="$(groff -Tutf8 -mandoc -z -ww "$p" 2>&1)" || bad "$name: groff cannot render it"
		[ -z "$out" ] || bad "$name: groff: $out"
	fi
	# .Dt names the page as its file does.
	dt="$(sed -n 's/^\.Dt \([^ ]*\) \([0-9]\).*/\1.\2/p' "$p" | tr 'A-Z' 'a-z')"
	[ "$dt" = "$name" ] || bad "$name: .Dt says $dt"
done
echo "man_lint: ${#pages[@]} pages lint-clean"

# Every default configuration file has its page.
for c in "$top_srcdir"/packaging/etc/*.conf; do
	f="sixcast-$(basename "$c").5"
	[ -f "$man/$f" ] || bad "no page $f for $(basename "$c")"
done

# Every setting a daemon's config module knows (its *_keys[] lists) is in
# the configuration's page, as .Va or as a section.
conf_keys() {
	awk '/static const char \*const [a-z_]*keys\[\] = \{/ { on = 1 }
		on { print } on && /\};/ { on = 0 }' "$@" |
		grep -o '"[a-z0-9_]*"' | tr -d '"' | sort -u
}
check_conf() {
	local page="$man/$1" key n=0
	shift
	for key in $(conf_keys "$@"); do
		n=$((n + 1))
		grep -q -E "(Va|^\.Ss) ${key}( |,|$)" "$page" ||
			bad "$(basename "$page"): the setting '$key' ($(basename "$1") ...) is not documented"
	done
	echo "man_lint: $(basename "$page"): $n settings documented"
}
check_conf sixcast-mcast-server.conf.5 "$top_srcdir"/mcast-server/edge_cfg.c
check_conf sixcast-mgmt-server.conf.5 "$top_srcdir"/mgmt-server/mg_cfg*.c
check_conf sixcast-client.conf.5 "$top_srcdir"/client/stb_cfg.c

# Every installed program has a page, and the page has its options.
[ -f "$top_builddir/Makefile" ] || { echo "man_lint: no build in $top_builddir; programs not checked"; exit $fail; }
progs="$(printf 'print:\n\t@echo $(bin_PROGRAMS) $(sbin_PROGRAMS)\n' |
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top_builddir" -f Makefile -f - print 2>&1)" || true
[ -n "$progs" ] || bad "cannot list the build's programs"
for prog in $progs; do
	base="$(basename "$prog")"
	page="$(ls "$man/$base".[18] 2>/dev/null | head -1)"
	[ -n "$page" ] || { bad "$base has no page in docs/man"; continue; }
	bin="$top_builddir/$prog"
	if [ ! -x "$bin" ]; then
		echo "man_lint: $base not built: its options are not checked"
		continue
	fi
	n=0
	for opt in $("$bin" --help 2>&1 | grep -o -E -- '--[a-z][a-z0-9-]+' | sort -u); do
		n=$((n + 1))
		grep -q -E "Fl \\\\-${opt#--}([^a-z0-9-]|$)" "$page" ||
			bad "$(basename "$page"): $base --help shows $opt, the page does not"
	done
	echo "man_lint: $base: $n options of --help documented"
done
exit $fail
