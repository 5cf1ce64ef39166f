# shellcheck shell=bash
# The Debian packages sixcast needs, by purpose. Sourced by ./run.

# To build: compiler, autotools, and the -dev packages configure checks.
DEPS_BUILD="gcc make autoconf automake libtool pkg-config
  libpcap-dev libnl-3-dev libnl-route-3-dev
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  libconfig-dev libcunit1-dev libsqlite3-dev libmicrohttpd-dev
  libjansson-dev libcurl4-openssl-dev libsodium-dev"

# To run the lab and the demo: namespaces, bridges, nftables, GStreamer
# with the H.264/AAC/MPEG-TS elements, ffprobe.
DEPS_RUN="iproute2 nftables iputils-ping procps tcpdump
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav
  ffmpeg sqlite3 curl"

# To test and benchmark: the reference tools compared side by side; clang
# with libFuzzer (its runtime is only a Recommends of clang-14) and
# llvm-symbolizer for the fuzz smoke; stress-ng and lcov for
# ./run stress-test and ./run coverage.
DEPS_TEST="multicat rist-tools valgrind chromium nodejs
  dpkg-dev debhelper fakeroot lintian mandoc
  clang-14 libclang-rt-14-dev llvm-14 stress-ng lcov"
# npm for the browser tests' playwright-core: Debian's package, unless the
# installed nodejs brings its own (NodeSource's does, and conflicts with it).
command -v npm >/dev/null 2>&1 || DEPS_TEST="$DEPS_TEST npm"
