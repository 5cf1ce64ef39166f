#!/bin/bash
# pkg_deb: build the Debian packages (packaging/build-deb.sh), lintian them,
# and install them into a scratch root: an overlay of this machine's root
# (the host is the lower layer and never changes; everything the packages
# and their scripts write lands in a tmpfs that vanishes with the test's
# mount namespace), with its own network namespace. There it checks:
#   - dpkg -i of every package runs its maintainer scripts: the sixcast user
#     exists, the configuration files are conffiles, root:sixcast 0640;
#   - the management server's postinst made random secrets in
#     /etc/sixcast/secrets/ (root:sixcast 0640, the folder 0750) and said
#     what to copy to boxes and edges; no conffile holds a secret or a
#     placeholder;
#   - each daemon's --check-config passes on its default configuration, and
#     refuses, naming file and line, a CHANGE-ME credential, an empty box
#     secret file and a placeholder edge secret;
#   - each daemon starts as user sixcast without capabilities (the client
#     with CAP_NET_RAW alone), answers on its port, and stops cleanly on
#     SIGTERM; the management server takes the generated admin token;
#   - systemd-analyze verify is clean for every unit, and prints
#     systemd-analyze security's exposure of each;
#   - every man page renders with man(1);
#   - reinstalling keeps an edited configuration and the secrets; purging
#     removes it all.
# Slow (about a minute and a half): not in make check; ./run full-test runs
# it. Needs root, overlayfs, debhelper; SKIP (77) otherwise.
#   bash tests/integration/pkg_deb.sh [DEB_DIR]   (DEB_DIR: packages built already)
set -euo pipefail
top_srcdir="${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}"
skip() { echo "pkg_deb: SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (mount namespace, overlay, chroot)"
for t in dpkg-buildpackage dh unshare setpriv; do command -v $t >/dev/null || skip "$t missing (scripts/deps.sh DEPS_TEST)"; done
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null || skip "no overlayfs"

work="$(mktemp -d /tmp/sixcast-pkg.XXXXXX)"
trap 'rm -rf "$work"' EXIT
t0=$SECONDS
if [ -n "${1:-}" ]; then
	debs="$(cd "$1" && pwd)"
else
	debs="$work/deb"
	bash "$top_srcdir/packaging/build-deb.sh" "$debs"
fi
t_build=$((SECONDS - t0))
if command -v lintian >/dev/null; then
	t1=$SECONDS
	# lintian refuses nothing as root but says so; that line is no finding.
	lintian --fail-on error,warning "$debs"/*.changes 2>&1 | grep -v 'running with root privileges' || true
	lintian --fail-on error,warning "$debs"/*.changes >/dev/null 2>&1 ||
		{ echo "pkg_deb: FAIL: lintian found errors or warnings" >&2; exit 1; }
	echo "pkg_deb: lintian: no errors or warnings ($((SECONDS - t1)) s)"
else
	echo "pkg_deb: lintian missing: not run"
fi

mkdir -p "$work/debs"
cp "$debs"/*.deb "$work/debs/"
rm -f "$work/debs"/*-dbgsym_*.deb
cp "$top_srcdir/tests/integration/pkg_root.sh" "$work/inner.sh"

# The scratch root: lower = /, upper = a tmpfs; /proc, /dev, /sys and a
# fresh /run and /tmp inside; all in a private mount namespace and a new
# network namespace, so that nothing reaches the host.
t2=$SECONDS
unshare --mount --net --propagation private bash -euo pipefail -c '
	w="$1"
	mkdir -p "$w/ov"; mount -t tmpfs -o size=1g sixcast-pkg "$w/ov"
	mkdir -p "$w/ov/upper" "$w/ov/work" "$w/root"
	mount -t overlay overlay -o "lowerdir=/,upperdir=$w/ov/upper,workdir=$w/ov/work" "$w/root"
	r="$w/root"
	mount -t proc proc "$r/proc"
	mount --rbind /dev "$r/dev"
	mount --rbind /sys "$r/sys"
	mount -t tmpfs tmpfs "$r/run"
	mount -t tmpfs tmpfs "$r/tmp"
	cp -a "$w/debs" "$w/inner.sh" "$r/tmp/"
	SIXCAST_PKG_SCRATCH=1 chroot "$r" /bin/bash /tmp/inner.sh
' _ "$work" || { echo "pkg_deb: FAIL (in the scratch root)" >&2; exit 1; }
echo "pkg_deb: PASS: build ${t_build} s, scratch root $((SECONDS - t2)) s, total $((SECONDS - t0)) s"
