#!/bin/bash
# build-deb: the Debian packages from this tree. The upstream tree keeps its
# packaging in packaging/debian; this copies the tree (the files git knows,
# committed or not; or everything, in an unpacked release tarball) to
# OUT/sixcast-VERSION/, puts packaging/debian there as debian/, and runs
# dpkg-buildpackage -us -uc -b. The .deb files land in OUT.
#
#   packaging/build-deb.sh [OUT]          OUT defaults to build/deb
#   SIXCAST_DEB_CHECK=1 ...               also run the unit tests (make check)
#   SIXCAST_LINTIAN=1 ...                 and lintian over the result
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mkdir -p "${1:-$top/build/deb}" && cd "${1:-$top/build/deb}" && pwd)"
version="$(dpkg-parsechangelog -l "$top/packaging/debian/changelog" -S Version)"
src="$out/sixcast-${version%%-*}"

for t in dpkg-buildpackage dh; do
	command -v "$t" >/dev/null || { echo "build-deb: $t missing: apt-get install dpkg-dev debhelper" >&2; exit 1; }
done
rm -rf "$src" "$out"/*.deb "$out"/*.changes "$out"/*.buildinfo
mkdir -p "$src"
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$top" && git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
		tar --null -T - -cf -) | tar -C "$src" -xf -
else
	(cd "$top" && tar --exclude=./build --exclude=./build-san --exclude=./debian -cf - .) | tar -C "$src" -xf -
fi
rm -rf "$src/debian"
cp -a "$top/packaging/debian" "$src/debian"

opts="parallel=2"
[ "${SIXCAST_DEB_CHECK:-0}" = 1 ] || opts="$opts nocheck"
start=$SECONDS
(cd "$src" && DEB_BUILD_OPTIONS="$opts ${DEB_BUILD_OPTIONS:-}" dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1 ||
	{ tail -n 60 "$out/build.log"; echo "build-deb: dpkg-buildpackage failed (log: $out/build.log)" >&2; exit 1; }
echo "build-deb: $(ls "$out"/*.deb | wc -l) packages in $out ($((SECONDS - start)) s)"
if [ "${SIXCAST_LINTIAN:-0}" = 1 ]; then
	lintian --fail-on error,warning --info "$out"/*.changes
	echo "build-deb: lintian clean"
fi
