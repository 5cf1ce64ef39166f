#!/bin/bash
# af_lab: hosts without IPv6, or without IPv4, run sixcast with the default
# listen and control addresses.
#
# c2 (management server), c1 (edge) and m1h1 (box) have IPv6 disabled by
# sysctl (disable_ipv6 on all, default, lo and eth0), as an operator does on
# an IPv4-only host: ::1 is gone (binding or connecting to it fails with
# EADDRNOTAVAIL) while AF_INET6 sockets still open and [::] still binds and
# takes IPv4. Their configs leave out every listen and control address.
# Checked: a [::1] written in the box's config is refused with its file and
# line; the management server listens and sixcastctl reaches it with no
# URL; the box's control API falls back to 127.0.0.1 (said at info) and
# sixcast-stb reaches it with no -c; the box plays the channel over IPv4
# multicast; a playlist asked without Host links to IPv4 loopback.
# m1h2 has no IPv4 address (127.0.0.1 on lo only): there the management
# server's default list ([::] IPv6-only beside 0.0.0.0) listens on both and
# sixcastctl reaches it with no URL.
#
# A kernel without IPv6 (ipv6.disable=1, socket(AF_INET6) fails with
# EAFNOSUPPORT) cannot be had in a namespace: test_sc_listen and
# test_mg_http play it in process.
set -u
. "${top_srcdir:-.}/tests/lab/lab.sh"
lab_up 1 2 2
. "${top_srcdir:-.}/tests/integration/client_lib.sh"
CTL="${top_builddir:-.}/mgmt-server/sixcastctl"
[ -x "$CTL" ] || { echo "not built: $CTL" >&2; exit 99; }

for h in c1 c2 m1h1; do
	lab_exec "$h" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 \
		net.ipv6.conf.lo.disable_ipv6=1 net.ipv6.conf.eth0.disable_ipv6=1 ||
		lab_skip "cannot disable IPv6 in a namespace here"
	[ -z "$(lab_exec "$h" ip -6 addr show)" ] || lab_fail "$h still has IPv6: $(lab_exec "$h" ip -6 addr show)"
done
lab_exec m1h2 ip -4 addr flush dev eth0
# The boxes and edges reach the management server over IPv4 now.
CL_MURL="http://$(lab_addr4 c2):8080"

# sixcastctl reads a config file of the machine when there is one; this
# test is about its default URL. (sixcast-stb's is the build's
# $sysconfdir/sixcast/client.conf, which no test machine has.)
export SIXCAST_CONFIG=/dev/null SIXCAST_TOKEN="$CL_ADMIN"
ctl() { lab_exec "$1" "$CTL" "${@:2}"; }

# An operator's [::1] on this host is refused before start, where it is
# written.
cat >"$LAB_DIR/bad.conf" <<CONF
client: { device_id = "stb-bad"; credential_file = "$LAB_DIR/box-enrolment"; interface = "eth0";
  control = "[::1]:8091"; };
mgmt: { url = "$CL_MURL"; };
CONF
out="$(lab_exec m1h1 "$CL_CLIENT" --check-config -c "$LAB_DIR/bad.conf" 2>&1)" &&
	lab_fail "[::1] on a host without IPv6 passed the check: $out"
grep -q "bad.conf:2: 'client.control': this host has no IPv6 for \[::1\]:8091" <<<"$out" ||
	lab_fail "refused without file, line and reason: $out"
echo "written [::1] refused: $out"

mgmt_conf() { # DIR
	cat <<CONF
log_level = "info";
store = { path = "$1/mgmt.db"; flush_ms = 200; };
auth = { admins = ( { name = "noc"; token = "$CL_ADMIN"; } );
  client_credential_file = "$LAB_DIR/box-enrolment"; edge_credential_file = "$LAB_DIR/edge-enrolment"; };
clients = { heartbeat_ms = 1000; missed_heartbeats = 3; };
edges = { report_ms = 1000; };
lineup = { channels = ( { id = 1; name = "Live"; source4 = "$CL_E4"; } ); };
CONF
}
_ctl_answers() { ctl "$1" --json status >/dev/null || { tail -n 3 "$2"; return 1; }; }

# The management server with its default listen list, on the IPv4-only
# host: sixcastctl (default http://localhost:8080) reaches it.
mgmt_conf "$LAB_DIR" >"$LAB_DIR/mgmt.conf"
lab_bg c2 "$LAB_DIR/mgmt.log" "$CL_MGMT" -c "$LAB_DIR/mgmt.conf"
lab_wait_log "$LAB_DIR/mgmt.log" 'listening on 0\.0\.0\.0:8080'
lab_wait "sixcastctl with no URL answered on c2" _ctl_answers c2 "$LAB_DIR/mgmt.log"
lab_exec c1 curl -sf -o /dev/null "$CL_MURL/metrics" || lab_fail "the management server is not reached over IPv4"

# The same on the IPv6-only host: both defaults listen (IPv6 sockets are
# IPv6-only, so 0.0.0.0 binds beside [::]).
mkdir -p "$LAB_DIR/v6only"
mgmt_conf "$LAB_DIR/v6only" >"$LAB_DIR/v6only/mgmt.conf"
lab_bg m1h2 "$LAB_DIR/v6only/mgmt.log" "$CL_MGMT" -c "$LAB_DIR/v6only/mgmt.conf"
lab_wait_log "$LAB_DIR/v6only/mgmt.log" 'listening on 0\.0\.0\.0:8080'
grep -q 'listening on \[::\]:8080' "$LAB_DIR/v6only/mgmt.log" ||
	lab_fail "IPv6-only host: not listening on [::]:8080: $(cat "$LAB_DIR/v6only/mgmt.log")"
lab_wait "sixcastctl with no URL answered on m1h2" _ctl_answers m1h2 "$LAB_DIR/v6only/mgmt.log"
echo "management servers up (IPv4-only c2, IPv6-only m1h2), sixcastctl reached both with no URL"

# The edge: default http and RET, an IPv4-only channel.
live="gst:videotestsrc is-live=true pattern=smpte ! video/x-raw,width=320,height=180,framerate=25/1 ! x264enc bitrate=500 key-int-max=25 speed-preset=ultrafast tune=zerolatency ! h264parse ! mpegtsmux"
cl_edge_start "{ id = 1; name = \"Live\"; source = \"$live\"; ipv6 = false; ipv4 = true; }"
lab_wait_log "$LAB_DIR/edge.log" 'RET: \[::\]:5200 \(the default\)'
lab_wait "the edge's HTTP over IPv4" lab_exec c2 curl -sf -o /dev/null "http://$CL_E4:8081/channels"

# The box: nothing but what it must have.
cat >"$LAB_DIR/m1h1.conf" <<CONF
client: { device_id = "stb-m1h1"; credential_file = "$LAB_DIR/box-enrolment"; interface = "eth0";
  start_channel = 1; log_level = "info"; };
mgmt: { url = "$CL_MURL"; timeout_ms = 1000; retry_max_ms = 2000; };
outputs: { record_dir = "$LAB_DIR/rec"; };
CONF
lab_bg m1h1 "$LAB_DIR/m1h1.log" "$CL_CLIENT" -c "$LAB_DIR/m1h1.conf"
lab_wait_log "$LAB_DIR/m1h1.log" 'control API: 127\.0\.0\.1:8091, the IPv4 stand-in of the default \[::1\]:8091'
grep -E 'HTTP output: |repair port: ' "$LAB_DIR/m1h1.log"
# cl_wait_playing asks through sixcast-stb with no -c.
cl_wait_playing m1h1 || { tail "$LAB_DIR/m1h1.log" >&2; lab_fail "m1h1: not playing"; }
st="$(stb m1h1 status)"
[ "$(jf 'j["family"]' <<<"$st")" = ipv4 ] || lab_fail "m1h1 plays, not over IPv4: $st"
n0="$(stb m1h1 stats | jf 'j["multicast"]["datagrams"]')"
_more_multicast() {
	local n
	n="$(stb m1h1 stats | jf 'j["multicast"]["datagrams"]')" || return 1
	[ "$n" -ge $((n0 + 100)) ] || { echo "m1h1 counted $n multicast datagrams, waiting for $((n0 + 100))"; return 1; }
}
lab_wait "100 more IPv4 multicast datagrams at m1h1" _more_multicast
echo "m1h1 plays channel 1 over IPv4: $(jf 'j["status"]' <<<"$st")"

# A player without Host (HTTP/1.0) that came over IPv4 loopback gets links
# there, not to [::1], which this host has not.
pl="$(lab_exec m1h1 curl -sf -0 -H 'Host:' "http://127.0.0.1:8090/playlist.m3u")" ||
	lab_fail "no playlist from the HTTP output on 127.0.0.1:8090"
grep -q '^http://127\.0\.0\.1:8090/channel/1$' <<<"$pl" || lab_fail "playlist links: $pl"
echo "playlist without Host links to http://127.0.0.1:8090"
