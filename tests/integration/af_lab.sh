#!/bin/bash
# af_lab: hosts without IPv6, or without IPv4, run sixcast with the default
# listen and control addresses.
#
# Two kinds of host lack IPv6. IPv6 disabled by sysctl (disable_ipv6 on
# all, default, lo and eth0, as an operator does on an IPv4-only host): ::1
# is gone (binding or connecting to it fails with EADDRNOTAVAIL) while
# AF_INET6 sockets still open and [::] still binds and takes IPv4. A kernel
# without IPv6 (ipv6.disable=1): socket(AF_INET6) fails with EAFNOSUPPORT;
# a namespace cannot have that, so a process gets it from
# tests/tools/noipv6.so (LD_PRELOAD), on a host of the first kind.
#
#   c2    management server       IPv6 disabled
#   c1    edge                    IPv6 disabled, no IPv6 in its "kernel"
#   m1h1  box                     IPv6 disabled
#   m1h3  box (5% loss), and a    IPv6 disabled, no IPv6 in their "kernel"
#         management server
#   m1h2  management server       IPv6 only (no IPv4 address; 127.0.0.1 on lo)
#
# Every config leaves out every listen and control address. Checked: a
# [::1] written in the box's config is refused with its file and line; each
# management server listens on what its host has and sixcastctl reaches it
# with no URL; the edge's HTTP and RET and the boxes' control APIs take the
# IPv4 stand-ins where needed (said at info) and sixcast-stb reaches a box
# with no -c; both boxes play the channel over IPv4 multicast, and the one
# under loss gets repairs through its IPv4-only repair socket; a playlist
# asked without Host links to IPv4 loopback.
set -u
. "${top_srcdir:-.}/tests/lab/lab.sh"
lab_up 1 3 2
. "${top_srcdir:-.}/tests/integration/client_lib.sh"
CTL="${top_builddir:-.}/mgmt-server/sixcastctl"
NOIPV6="${top_builddir:-.}/tests/tools/.libs/noipv6.so"
for t in "$CTL" "$NOIPV6"; do [ -e "$t" ] || { echo "not built: $t (make check builds it)" >&2; exit 99; }; done
NOIPV6="$(cd "$(dirname "$NOIPV6")" && pwd)/noipv6.so"

for h in c1 c2 m1h1 m1h3; do
	lab_exec "$h" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 \
		net.ipv6.conf.lo.disable_ipv6=1 net.ipv6.conf.eth0.disable_ipv6=1 ||
		lab_skip "cannot disable IPv6 in a namespace here"
	[ -z "$(lab_exec "$h" ip -6 addr show)" ] || lab_fail "$h still has IPv6: $(lab_exec "$h" ip -6 addr show)"
done
lab_exec m1h2 ip -4 addr flush dev eth0
# What runs on c1 and m1h3 runs as on a kernel without IPv6.
on() { # HOST CMD...: run CMD on HOST, without IPv6 sockets on c1 and m1h3
	local h="$1"
	shift
	case "$h" in
	c1 | m1h3) lab_exec "$h" env LD_PRELOAD="$NOIPV6" "$@" ;;
	*) lab_exec "$h" "$@" ;;
	esac
}
bg_on() { # HOST LOG CMD...
	local h="$1" log="$2"
	shift 2
	case "$h" in
	c1 | m1h3) lab_bg "$h" "$log" env LD_PRELOAD="$NOIPV6" "$@" ;;
	*) lab_bg "$h" "$log" "$@" ;;
	esac
}
on m1h3 python3 -c 'import socket; socket.socket(socket.AF_INET6)' 2>/dev/null &&
	lab_fail "noipv6.so does not take IPv6 sockets away"
# client_lib's helpers ask the boxes through sixcast-stb, with no -c.
stb() { local b="$1"; shift; on "$b" "$CL_STB" --json "$@"; }
# The boxes and the edge reach the management server over IPv4.
CL_MURL="http://$(lab_addr4 c2):8080"

# sixcastctl reads a config file of the machine when there is one; this
# test is about its default URL. (sixcast-stb's is the build's
# $sysconfdir/sixcast/client.conf, which no test machine has.)
export SIXCAST_CONFIG=/dev/null SIXCAST_TOKEN="$CL_ADMIN"

# An operator's [::1] on this host is refused before start, where it is
# written.
cat >"$LAB_DIR/bad.conf" <<CONF
client: { device_id = "stb-bad"; credential_file = "$LAB_DIR/box-enrolment"; interface = "eth0";
  control = "[::1]:8091"; };
mgmt: { url = "$CL_MURL"; };
CONF
for h in m1h1 m1h3; do
	out="$(on "$h" "$CL_CLIENT" --check-config -c "$LAB_DIR/bad.conf" 2>&1)" &&
		lab_fail "$h: [::1] on a host without IPv6 passed the check: $out"
	grep -q "bad.conf:2: 'client.control': this host has no IPv6 for \[::1\]:8091" <<<"$out" ||
		lab_fail "$h: refused without file, line and reason: $out"
done
echo "written [::1] refused: $out"

mgmt_start() { # HOST: a management server with the default listen list
	mkdir -p "$LAB_DIR/$1"
	cat >"$LAB_DIR/$1/mgmt.conf" <<CONF
log_level = "info";
store = { path = "$LAB_DIR/$1/mgmt.db"; flush_ms = 200; };
auth = { admins = ( { name = "noc"; token = "$CL_ADMIN"; } );
  client_credential_file = "$LAB_DIR/box-enrolment"; edge_credential_file = "$LAB_DIR/edge-enrolment"; };
clients = { heartbeat_ms = 1000; missed_heartbeats = 3; };
edges = { report_ms = 1000; };
lineup = { channels = ( { id = 1; name = "Live"; source4 = "$CL_E4"; } ); };
CONF
	bg_on "$1" "$LAB_DIR/$1/mgmt.log" "$CL_MGMT" -c "$LAB_DIR/$1/mgmt.conf"
}
_ctl_answers() { on "$1" "$CTL" --json status >/dev/null || { tail -n 3 "$LAB_DIR/$1/mgmt.log"; return 1; }; }

# IPv6 disabled: both defaults bind ([::] IPv6-only listens to nothing).
# No IPv6 at all: [::] is left out, said at info. IPv6 only: both bind
# (IPv6 sockets are IPv6-only, so 0.0.0.0 binds beside [::]).
# sixcastctl's default, http://localhost:8080, reaches each.
for h in c2 m1h3 m1h2; do mgmt_start "$h"; done
for h in c2 m1h3 m1h2; do
	lab_wait_log "$LAB_DIR/$h/mgmt.log" 'listening on 0\.0\.0\.0:8080'
	lab_wait "sixcastctl with no URL answered on $h" _ctl_answers "$h"
done
grep -q 'listening on \[::\]:8080' "$LAB_DIR/m1h2/mgmt.log" ||
	lab_fail "IPv6-only host: not listening on [::]:8080: $(cat "$LAB_DIR/m1h2/mgmt.log")"
grep -q 'not listening on the default \[::\]:8080: no IPv6 on this host' "$LAB_DIR/m1h3/mgmt.log" ||
	lab_fail "no IPv6: [::]:8080 not left out: $(cat "$LAB_DIR/m1h3/mgmt.log")"
lab_exec c1 curl -sf -o /dev/null "$CL_MURL/metrics" || lab_fail "the management server is not reached over IPv4"
echo "management servers up on c2 (IPv6 disabled), m1h3 (no IPv6), m1h2 (IPv6 only); sixcastctl reached each with no URL"

# The edge, without IPv6: default http and RET, an IPv4-only channel.
live="gst:videotestsrc is-live=true pattern=smpte ! video/x-raw,width=320,height=180,framerate=25/1 ! x264enc bitrate=500 key-int-max=25 speed-preset=ultrafast tune=zerolatency ! h264parse ! mpegtsmux"
cat >"$LAB_DIR/edge.conf" <<CONF
edge: { name = "edge-af"; interface = "eth0"; };
mgmt: { url = "$CL_MURL"; credential_file = "$LAB_DIR/edge-enrolment"; };
channels = ( { id = 1; name = "Live"; source = "$live"; ipv6 = false; ipv4 = true; } );
CONF
bg_on c1 "$LAB_DIR/edge.log" "$CL_EDGE" -c "$LAB_DIR/edge.conf"
lab_wait_log "$LAB_DIR/edge.log" 'RET: 0\.0\.0\.0:5200, the IPv4 stand-in of the default \[::\]:5200'
grep -q 'http: 0\.0\.0\.0:8081, the IPv4 stand-in of the default \[::\]:8081' "$LAB_DIR/edge.log" ||
	lab_fail "edge http: no stand-in: $(cat "$LAB_DIR/edge.log")"
lab_wait "the edge's HTTP over IPv4" lab_exec c2 curl -sf -o /dev/null "http://$CL_E4:8081/channels"

# The boxes: nothing but what they must have.
box_start() { # HOST
	cat >"$LAB_DIR/$1.conf" <<CONF
client: { device_id = "stb-$1"; credential_file = "$LAB_DIR/box-enrolment"; interface = "eth0";
  start_channel = 1; log_level = "info"; };
mgmt: { url = "$CL_MURL"; timeout_ms = 1000; retry_max_ms = 2000; };
outputs: { record_dir = "$LAB_DIR/rec-$1"; };
CONF
	bg_on "$1" "$LAB_DIR/$1.log" "$CL_CLIENT" -c "$LAB_DIR/$1.conf"
}
lab_loss m1h3 5
box_start m1h1
box_start m1h3
for b in m1h1 m1h3; do
	lab_wait_log "$LAB_DIR/$b.log" 'control API: 127\.0\.0\.1:8091, the IPv4 stand-in of the default \[::1\]:8091'
done
grep -q 'repair port: \[::\]:5100 (the default)' "$LAB_DIR/m1h1.log" || lab_fail "m1h1: $(head "$LAB_DIR/m1h1.log")"
grep -q 'repair port: 0\.0\.0\.0:5100, the IPv4 stand-in' "$LAB_DIR/m1h3.log" || lab_fail "m1h3: $(head "$LAB_DIR/m1h3.log")"
grep -q 'HTTP output: 0\.0\.0\.0:8090, the IPv4 stand-in' "$LAB_DIR/m1h3.log" || lab_fail "m1h3: $(head "$LAB_DIR/m1h3.log")"

multicast() { stb "$1" stats | jf 'j["multicast"]["datagrams"]'; }
repaired() { stb "$1" stats | jf 'j["repair"]["repaired_peer"] + j["repair"]["repaired_ret"]'; }
_grown() { # WHAT HOST BASE N
	local n
	n="$("$1" "$2")" || return 1
	[ "$n" -ge $(($3 + $4)) ] || { echo "$2: $1 at $n, waiting for $(($3 + $4))"; return 1; }
}
for b in m1h1 m1h3; do
	cl_wait_playing "$b" || { tail "$LAB_DIR/$b.log" >&2; lab_fail "$b: not playing"; }
	st="$(stb "$b" status)"
	[ "$(jf 'j["family"]' <<<"$st")" = ipv4 ] || lab_fail "$b plays, not over IPv4: $st"
	lab_wait "100 more IPv4 multicast datagrams at $b" _grown multicast "$b" "$(multicast "$b")" 100
	echo "$b plays channel 1 over IPv4: $(jf 'j["status"]' <<<"$st")"
done
lab_wait "repairs at m1h3 (5% loss)" _grown repaired m1h3 0 5
echo "m1h3 (no IPv6, 5% loss) repaired $(repaired m1h3) packets through its IPv4 repair socket"

# A player without Host (HTTP/1.0) that came over IPv4 loopback gets links
# there, not to [::1], which these hosts have not.
for b in m1h1 m1h3; do
	pl="$(lab_exec "$b" curl -sf -0 -H 'Host:' "http://127.0.0.1:8090/playlist.m3u")" ||
		lab_fail "$b: no playlist from the HTTP output on 127.0.0.1:8090"
	grep -q '^http://127\.0\.0\.1:8090/channel/1$' <<<"$pl" || lab_fail "$b: playlist links: $pl"
done
echo "playlists without Host link to http://127.0.0.1:8090"
