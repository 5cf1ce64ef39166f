#!/bin/bash
# install-check: `make install DESTDIR=...` puts the two libraries, their
# headers and pkg-config files in place, and a program outside the tree
# compiles and links against them through pkg-config alone.
#   bash tests/install-check.sh BUILD_DIR
set -euo pipefail
build="$(cd "${1:?build dir}" && pwd)"
dest="$(mktemp -d)"
trap 'rm -rf "$dest"' EXIT
make -C "$build" install DESTDIR="$dest" >/dev/null
prefix="$(sed -n 's/^prefix = //p' "$build/Makefile")"
libdir="$(find "$dest" -name 'sixcast-retransmit.pc' -printf '%h\n' | head -1)"
[ -n "$libdir" ] || { echo "install-check: no pkg-config files installed" >&2; exit 1; }
cat >"$dest/try.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <mld.h>
#include <rtx.h>
int main(void)
{
	printf("igmp-mld %s, retransmit %s\n", mld_version(), rtx_version());
	return strcmp(mld_version(), rtx_version()) != 0;
}
C
export PKG_CONFIG_PATH="$libdir" PKG_CONFIG_SYSROOT_DIR="$dest"
# Only the public symbols may be visible from the shared libraries.
flags="$(pkg-config --cflags --libs sixcast-igmp-mld sixcast-retransmit)"
cc -std=c11 -Wall -Werror -o "$dest/try" "$dest/try.c" $flags
LD_LIBRARY_PATH="$dest$prefix/lib:$(dirname "$(find "$dest" -name 'libsixcast-retransmit.so' | head -1)")" "$dest/try"
for lib in $(find "$dest" -name 'libsixcast-*.so'); do
	leaked="$(nm -D --defined-only "$lib" | awk '$2 == "T" { print $3 }' | grep -v -E '^(mld|rtx)_' || true)"
	[ -z "$leaked" ] || { echo "install-check: $lib exports $leaked" >&2; exit 1; }
done
echo "install-check: headers, pkg-config files and libraries OK"
# The default configurations hold no secret and no placeholder: they name
# files in /etc/sixcast/secrets/, which the packages fill (the operator
# guide, "Secrets"); the daemons refuse to start while one is missing.
confs="$(find "$dest" -path '*/sixcast/*.conf' | sort)"
[ "$(echo "$confs" | wc -l)" = 3 ] || { echo "install-check: not 3 default configurations: $confs" >&2; exit 1; }
if grep -iE '^[^#]*(change-?me|(token|credential) *= *")' $confs; then
	echo "install-check: a default configuration holds a secret or a placeholder" >&2
	exit 1
fi
for c in $confs; do
	grep -q '_file = "/etc/sixcast/secrets/' "$c" ||
		{ echo "install-check: $c names no file in /etc/sixcast/secrets/" >&2; exit 1; }
done
echo "install-check: the default configurations name their secrets' files and hold none"
