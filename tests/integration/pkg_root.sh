#!/bin/bash
# pkg_root: the checks pkg_deb.sh runs inside its scratch root (an overlay
# of the host's root in its own mount and network namespaces), with the
# packages in /tmp/debs. Not a test by itself: it changes the root it runs in.
set -euo pipefail
fail() { echo "pkg_deb: FAIL: $*" >&2; exit 1; }
say() { echo "pkg_deb: $*"; }
# Run alone (make check TESTS=...), it would install into the host: skip.
[ "${SIXCAST_PKG_SCRATCH:-}" = 1 ] || { echo "pkg_root: SKIP: pkg_deb.sh runs this in its scratch root"; exit 77; }
[ -d /tmp/debs ] && [ ! -e /usr/sbin/sixcast-mgmt-server ] || fail "not in a scratch root with the packages"
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8

# The network: loopback, and an eth0 (a veth pair) with a global address
# for the default configurations' interface.
ip link set lo up
ip link add eth0 type veth peer name eth0-peer
ip link set eth0 up
ip link set eth0-peer up
ip -6 addr add 2001:db8::1/64 dev eth0 nodad
ip addr add 192.0.2.1/24 dev eth0

# --- install -----------------------------------------------------------
dpkg -i /tmp/debs/*.deb >/tmp/dpkg.log 2>&1 || { cat /tmp/dpkg.log; fail "dpkg -i"; }
say "installed: $(cd /tmp/debs && ls *.deb | sed 's/_.*//' | tr '\n' ' ')"
getent passwd sixcast >/dev/null || fail "no sixcast user after installation"
for c in mcast-server mgmt-server client; do
	f=/etc/sixcast/$c.conf
	[ "$(stat -c '%U:%G %a' "$f")" = "root:sixcast 640" ] || fail "$f is $(stat -c '%U:%G %a' "$f")"
	grep -qx "$f" /var/lib/dpkg/info/sixcast-$c.conffiles || fail "$f is no conffile"
done
say "user sixcast; /etc/sixcast/*.conf are conffiles, root:sixcast 0640"

# --- the secrets: made at installation, out of the conffiles ------------
S=/etc/sixcast/secrets
[ "$(stat -c '%U:%G %a' $S)" = "root:sixcast 750" ] || fail "$S is $(stat -c '%U:%G %a' $S)"
for f in admin-token box-enrolment edge-enrolment; do
	[ "$(stat -c '%U:%G %a' $S/$f)" = "root:sixcast 640" ] || fail "$S/$f is $(stat -c '%U:%G %a' $S/$f)"
	grep -qxE '[0-9a-f]{64}' $S/$f || fail "$S/$f holds no 64 hex characters"
done
[ "$(sort -u $S/* | wc -l)" = 3 ] || fail "two secrets in $S are the same"
grep -q "made random secrets in $S/" /tmp/dpkg.log || { cat /tmp/dpkg.log; fail "the postinst did not say where the secrets are"; }
sed -n "/made random secrets/,/operator-guide/p; /^sixcast-\(client\|mcast-server\): /,+1p" /tmp/dpkg.log | sed 's/^/pkg_deb: dpkg: /'
grep -q "box-enrolment   copy it to $S/box-enrolment on every set-top box" /tmp/dpkg.log ||
	fail "the postinst did not say what to copy to the boxes"
! grep -qiE '^[^#]*(change-?me|(token|credential) *= *")' /etc/sixcast/*.conf || fail "a conffile holds a secret or a placeholder"
say "secrets: $S/{admin-token,box-enrolment,edge-enrolment} random, root:sixcast 0640; the conffiles hold none"

# --- the default configurations check ----------------------------------
have() { [ -x "$1" ] || { say "$(basename "$1") is not in the packages yet: skipped"; return 1; }; }
sixcast-mgmt-server --check-config /etc/sixcast/mgmt-server.conf
sixcast-mcast-server -c /etc/sixcast/mcast-server.conf --check-config
! have /usr/sbin/sixcast-client || sixcast-client -c /etc/sixcast/client.conf --check-config

# --- weak secrets are refused, at their line -----------------------------
# expect_refusal WANT CMD...: CMD fails and says WANT.
expect_refusal() {
	local want="$1" out
	shift
	out="$("$@" 2>&1)" && fail "$* accepted a weak secret"
	case "$out" in *"$want"*) ;; *) fail "$*: said \"$out\", not \"$want\"" ;; esac
}
# The value the packages used to ship, inline again.
sed 's|^\( *\)client_credential_file = .*|\1client_credential = "CHANGE-ME-box-enrolment-secret";|' \
	/etc/sixcast/mgmt-server.conf >/tmp/weak.conf
line="$(grep -n '^ *client_credential = "CHANGE-ME' /tmp/weak.conf | cut -d: -f1)"
expect_refusal "/tmp/weak.conf:$line: 'auth.client_credential' is a placeholder" \
	sixcast-mgmt-server --check-config /tmp/weak.conf
# A box or an edge whose secret file the operator has not filled yet: the
# message names the file and says where its content comes from.
cp -p $S/box-enrolment $S/edge-enrolment /tmp/
: >$S/box-enrolment
line="$(grep -n '^ *credential_file =' /etc/sixcast/client.conf | cut -d: -f1)"
! have /usr/sbin/sixcast-client || expect_refusal "/etc/sixcast/client.conf:$line: 'client.credential_file': \
$S/box-enrolment is empty; use the management server's box enrolment secret" \
	sixcast-client -c /etc/sixcast/client.conf --check-config
echo 'changeme' >$S/edge-enrolment
sed 's|^\( *\)url = "";|\1url = "http://[2001:db8::10]:8080";|' /etc/sixcast/mcast-server.conf >/tmp/edge.conf
line="$(grep -n '^ *credential_file =' /tmp/edge.conf | cut -d: -f1)"
expect_refusal "/tmp/edge.conf:$line: 'mgmt.credential_file': the secret in $S/edge-enrolment is a placeholder" \
	sixcast-mcast-server -c /tmp/edge.conf --check-config
cp -p /tmp/box-enrolment /tmp/edge-enrolment $S/
say "--check-config refuses a CHANGE-ME credential, an empty box secret and a placeholder edge secret, at their line"

# --- start and stop as the units would ---------------------------------
# What systemd would make for the units: StateDirectory, RuntimeDirectory,
# CacheDirectory, the GStreamer registry.
install -d -o sixcast -g sixcast -m 0750 /var/lib/sixcast /var/lib/sixcast/recordings
install -d -m 0755 /run/sixcast /var/cache/sixcast
install -d -o sixcast -g sixcast -m 0755 /run/sixcast/sdp /var/cache/sixcast/gstreamer
export GST_REGISTRY=/var/cache/sixcast/gstreamer/registry.bin HOME=/var/lib/sixcast

# run_daemon NAME URL CAPS CMD...: start CMD as sixcast with only CAPS,
# wait until URL answers, SIGTERM, expect exit 0.
run_daemon() {
	local name="$1" url="$2" caps="$3" pid i rc=0
	shift 3
	setpriv --reuid=sixcast --regid=sixcast --clear-groups --no-new-privs \
		--inh-caps="-all${caps:+,+$caps}" --ambient-caps="-all${caps:+,+$caps}" \
		--bounding-set="-all${caps:+,+$caps}" -- "$@" >/tmp/$name.log 2>&1 &
	pid=$!
	for i in $(seq 150); do
		curl -fsS -m 1 -o /dev/null "$url" 2>/dev/null && break
		kill -0 $pid 2>/dev/null || { cat /tmp/$name.log; fail "$name exited at start"; }
		sleep 0.1
	done
	[ "$i" -lt 150 ] || { cat /tmp/$name.log; fail "$name did not answer on $url"; }
	[ -z "${RUN_DAEMON_CHECK:-}" ] || $RUN_DAEMON_CHECK
	kill -TERM $pid
	wait $pid || rc=$?
	[ $rc = 0 ] || { cat /tmp/$name.log; fail "$name exited $rc after SIGTERM"; }
	say "$name: started as sixcast (capabilities: ${caps:-none}), answered $url, stopped cleanly"
}
# The management server starts on the secrets the package made (the
# user sixcast reads them) and takes its admin token, and no other.
admin_check() {
	local code
	code="$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(cat $S/admin-token)" \
		'http://[::1]:8080/api/v1/status')"
	[ "$code" = 200 ] || fail "the generated admin token got $code"
	code="$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(cat $S/box-enrolment)" \
		'http://[::1]:8080/api/v1/status')"
	[ "$code" = 401 ] || fail "the box enrolment secret got $code as an admin token"
	say "sixcast-mgmt-server: the generated admin token opens /api/v1/status, the box secret does not"
}
RUN_DAEMON_CHECK=admin_check run_daemon sixcast-mgmt-server 'http://[::1]:8080/metrics' '' \
	/usr/sbin/sixcast-mgmt-server -c /etc/sixcast/mgmt-server.conf
[ -s /var/lib/sixcast/mgmt.db ] || fail "the management server left no store in /var/lib/sixcast"
run_daemon sixcast-mcast-server 'http://[::1]:8081/channels' '' \
	/usr/sbin/sixcast-mcast-server -c /etc/sixcast/mcast-server.conf
if have /usr/sbin/sixcast-client; then
	run_daemon sixcast-client 'http://[::1]:8091/api/status' net_raw \
		/usr/sbin/sixcast-client -c /etc/sixcast/client.conf
fi
# mldmon's capture, as its unit runs it (CAP_NET_RAW and CAP_NET_ADMIN).
setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all,+net_raw,+net_admin \
	--ambient-caps=-all,+net_raw,+net_admin --bounding-set=-all,+net_raw,+net_admin -- \
	sixcast-mldmon -i eth0-peer -C -t 1 >/tmp/mldmon.log 2>&1 || { cat /tmp/mldmon.log; fail "sixcast-mldmon"; }
say "sixcast-mldmon: captured for 1 s as nobody with CAP_NET_RAW, CAP_NET_ADMIN"

# --- the units -----------------------------------------------------------
units=""
for u in /lib/systemd/system/sixcast-*.service; do
	exe="$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$u")"
	if [ ! -x "$exe" ]; then say "$(basename "$u"): $exe not in the packages yet: not verified"; continue; fi
	case "$u" in *@.service) u="${u%@.service}@eth0.service" ;; esac
	units="$units $u"
done
# verify loads a template's instance from the template's file.
out="$(cd /lib/systemd/system && systemd-analyze verify $(for u in $units; do basename "$u"; done) 2>&1)" ||
	{ echo "$out"; fail "systemd-analyze verify"; }
[ -z "$out" ] || { echo "$out"; fail "systemd-analyze verify has complaints"; }
say "systemd-analyze verify: clean for$(for u in $units; do printf ' %s' "$(basename "$u")"; done)"
for u in $units; do
	line="$(cd /lib/systemd/system && systemd-analyze security --offline=true "$(basename "$u")" 2>&1 |
		grep 'Overall exposure level' || true)"
	say "systemd-analyze security: ${line#→ }"
done

# --- man pages -----------------------------------------------------------
n=0
for p in $(dpkg -L $(cd /tmp/debs && ls *.deb | sed 's/_.*//') | grep '^/usr/share/man/.*\.gz$'); do
	out="$(MANWIDTH=80 man --warnings -l "$p" 2>&1 >/dev/null)" || fail "man $p"
	[ -z "$out" ] || { echo "$out"; fail "man warns on $p"; }
	n=$((n + 1))
done
[ $n -ge 10 ] || fail "only $n man pages installed"
say "man: $n pages render without warnings"

# --- upgrade keeps the configuration and the secrets; purge removes them ---
# An operator's file from before this version: the admin token still the
# placeholder the packages shipped. The postinst warns that it will not start.
sed -i 's|token_file = "/etc/sixcast/secrets/admin-token";|token = "CHANGE-ME-noc-admin-token";|' \
	/etc/sixcast/mgmt-server.conf
echo '# edited by the operator' >>/etc/sixcast/mgmt-server.conf
sums="$(cd $S && sha256sum admin-token box-enrolment edge-enrolment)"
dpkg -i --force-confold /tmp/debs/*.deb >/tmp/dpkg2.log 2>&1 || { cat /tmp/dpkg2.log; fail "reinstall"; }
tail -n 1 /etc/sixcast/mgmt-server.conf | grep -q 'edited by the operator' || fail "reinstall replaced an edited conffile"
[ "$(stat -c '%U:%G %a' /etc/sixcast/mgmt-server.conf)" = "root:sixcast 640" ] || fail "reinstall changed modes"
[ "$(cd $S && sha256sum admin-token box-enrolment edge-enrolment)" = "$sums" ] || fail "reinstall replaced a secret"
! grep -q "made random secrets" /tmp/dpkg2.log || fail "reinstall made secrets again"
grep -q "WARNING: /etc/sixcast/mgmt-server.conf does not check" /tmp/dpkg2.log &&
	grep -q "'auth.admins\[0\].token' is a placeholder" /tmp/dpkg2.log ||
	{ cat /tmp/dpkg2.log; fail "reinstall did not warn of the CHANGE-ME admin token"; }
for f in admin-token box-enrolment edge-enrolment; do
	[ "$(stat -c '%U:%G %a' $S/$f)" = "root:sixcast 640" ] || fail "reinstall changed the modes of $S/$f"
done
say "reinstall: the edited configuration, the secrets and their modes stay; a CHANGE-ME token is warned of"
dpkg --purge $(cd /tmp/debs && ls *.deb | sed 's/_.*//') >/tmp/dpkg3.log 2>&1 || { cat /tmp/dpkg3.log; fail "purge"; }
[ ! -e /etc/sixcast ] || fail "/etc/sixcast is left after purge: $(ls -A /etc/sixcast)"
! dpkg-statoverride --list | grep -q /etc/sixcast || fail "statoverrides left after purge"
[ ! -e /var/lib/sixcast ] || fail "/var/lib/sixcast is left after purge"
say "purge: configuration, secrets, statoverrides and state gone"
