#!/bin/bash
# slow_http: every HTTP port of sixcast under a slow-request attack from an
# outsider on the metro network (the security issue "trust on a hostile
# metro network").
#
# The management server (c2) and an edge (c1) in the core; a set-top box
# (m1h1) whose HTTP output listens on [::]:8090 and whose control API on
# [::]:8091, with a bearer token. An attacker (m1h2) with 32 addresses holds
# hundreds of half-sent requests on the four ports at once, adding one
# header line a second to each and never ending the head (slowloris): 200
# on each of the box's ports (16 and 32 slots, 4 per address), 600 on the
# edge (256, 16 per address) and 600 on the management server (16 per
# address). Meanwhile a client on another host (m1h3) is answered by every
# port within 10 s (the time is printed), a player gets the stream, the
# daemons count what they refused and closed, and nothing crashed. Each
# port's request deadline is 3 s here, so that the test sees it fire.
set -u
. "${top_srcdir:-.}/tests/lab/lab.sh"
lab_up 1 3 2
. "${top_srcdir:-.}/tests/integration/client_lib.sh"
ATTACK="${top_srcdir:-.}/tests/security/slow_http_attack.py"
[ -r "$ATTACK" ] || { echo "missing $ATTACK" >&2; exit 99; }

BOX=m1h1 ATT=m1h2 LEG=m1h3
RT=3000     # request_timeout_ms of every port
DUR=600     # seconds the attack lasts at most (a guard: the test stops it)
DEADLINE=10 # what a legitimate request may take
TOK="$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
export SIXCAST_STB_TOKEN="$TOK" # for sixcast-stb on the box (stb)
B6="$(lab_addr6 $BOX)"
M6="$(lab_addr6 c2)"

CL_MGMT_HTTP="request_timeout_ms = $RT;"
cl_mgmt_start
cl_clip "$LAB_DIR/clip.ts" 800 3
CL_EDGE_IN="http_limits = { request_timeout_ms = $RT; };"
cl_edge_start "{ id = 1; name = \"Clip\"; source = \"file:$LAB_DIR/clip.ts\"; }"
lab_wait_querier || exit 99

# Beyond loopback without a token the box does not start.
cl_box_conf $BOX 'control = "[::]:8091";' >"$LAB_DIR/notoken.conf"
out="$("$CL_CLIENT" --check-config -c "$LAB_DIR/notoken.conf" 2>&1)" &&
	lab_fail "a control API beyond loopback without a token passed the check"
grep -q "notoken.conf:[0-9]*: 'control' listens on \[::\]:8091, beyond loopback" <<<"$out" ||
	lab_fail "not named with file and line: $out"
echo "no token: $out"

CL_BOX_EXTRA="http_limits = { request_timeout_ms = $RT; };"
cl_box_start $BOX "control = \"[::]:8091\"; control_token = \"$TOK\";"
cl_wait_playing $BOX || { tail "$LAB_DIR/$BOX.log" >&2; lab_fail "$BOX does not play"; }

# legit WHAT WANT URL [CURL-ARGS]: a request from another host, within
# the deadline, answered WANT.
legit() {
	local what="$1" want="$2" url="$3" r
	shift 3
	r="$(lab_exec $LEG curl -s -m $DEADLINE -o /dev/null -w '%{http_code} %{time_total}' "$@" "$url")"
	echo "  $what: HTTP ${r% *} in ${r#* } s"
	[ "${r% *}" = "$want" ] || lab_fail "$what: HTTP ${r% *} after ${r#* } s, wanted $want within $DEADLINE s"
}

# What each port refused and closed: "refused closed (detail)".
box_counts() { # ['outputs']['http']['connections'] | ['control']
	stb $BOX stats | jf "(lambda c: '%d %d evicted=%d request_timeout=%d idle=%d' % (c['refused_per_address'] + c['refused_full'], c['evicted'] + c['request_timeouts'] + c['idle_timeouts'], c['evicted'], c['request_timeouts'], c['idle_timeouts']))(j$1)"
}
prom_counts() { # HOST URL PREFIX
	lab_exec "$1" curl -s -m 5 "$2" | awk -v p="$3" '
		index($0, p "_refused_total{") == 1 { r += $2 }
		index($0, p "_closed_total{") == 1 { c += $2; d = d " " $1 "=" $2 }
		END { printf "%d %d%s\n", r, c, d }'
}
counts() {
	case "$1" in
	output) box_counts "['outputs']['http']['connections']" ;;
	control) box_counts "['control']" ;;
	edge) prom_counts $LEG "http://[$CL_E6]:8081/metrics" sixcast_edge_http ;;
	mgmt) prom_counts $LEG "$CL_MURL/metrics" sixcast_http ;;
	esac
}
PORTS="output control edge mgmt"

echo "before the attack:"
legit "box output /playlist.m3u" 200 "http://[$B6]:8090/playlist.m3u"
legit "box control /api/status" 200 "http://[$B6]:8091/api/status" -H "Authorization: Bearer $TOK"
legit "box control without the token" 401 "http://[$B6]:8091/api/status"

# The attacker's 32 addresses, in the box's own /48.
SRC=""
for i in $(seq 32); do
	a="2001:db8:1::a:$(printf %x "$i")"
	lab_exec $ATT ip -6 addr add "$a/48" dev eth0 nodad
	SRC+="$a,"
done
declare -A APID
attack() { # NAME TARGET PORT CONNS
	lab_bg $ATT "$LAB_DIR/attack-$1.json" python3 "$ATTACK" --target "$2" --port "$3" --sources "$SRC" \
		--conns "$4" --every 1 --duration $DUR
	APID[$1]=$LAB_LAST_PID
}
attack output "$B6" 8090 200
attack control "$B6" 8091 200
attack edge "$CL_E6" 8081 600
attack mgmt "$M6" 8080 600
t0=$(date +%s)

# Until every port has refused or closed some of it.
all_counted() {
	local p r c ok=0
	for p in $PORTS; do
		read -r r c _ <<<"$(counts $p)"
		[ "$((${r:-0} + ${c:-0}))" -gt 0 ] || ok=1
	done
	[ $ok = 0 ] || { for p in $PORTS; do echo "$p: $(counts $p);"; done; }
	return $ok
}
lab_wait "count of the attack on every port" all_counted

echo "under attack ($(($(date +%s) - t0)) s in):"
legit "box output /playlist.m3u" 200 "http://[$B6]:8090/playlist.m3u"
legit "box control /api/status" 200 "http://[$B6]:8091/api/status" -H "Authorization: Bearer $TOK"
legit "box control without the token" 401 "http://[$B6]:8091/api/status"
legit "edge /channels" 200 "http://[$CL_E6]:8081/channels"
legit "management server /metrics" 200 "$CL_MURL/metrics"
# A player streams for as long as a legitimate request may take (the
# stream's bytes then say it played; its first byte's time is printed).
r="$(lab_exec $LEG curl -s -m $DEADLINE -o "$LAB_DIR/player.ts" -w '%{http_code} %{time_starttransfer}' \
	"http://[$B6]:8090/current")"
n="$(stat -c %s "$LAB_DIR/player.ts" 2>/dev/null || echo 0)"
echo "  a player on /current: HTTP ${r% *}, first byte after ${r#* } s, $n bytes in $DEADLINE s"
if [ "${r% *}" != 200 ] || [ "$n" -le 30000 ]; then
	echo "  box output connections (refused closed): $(counts output)"
	echo "  box: $(stb $BOX status | jf 'json.dumps({k: j.get(k) for k in ("status", "channel", "multicast", "mode")})')"
	echo "  box outputs: $(stb $BOX stats | jf 'json.dumps(j["outputs"])')"
	lab_fail "a player got HTTP ${r% *} and $n bytes in $DEADLINE s"
fi

# The request deadline fires where nothing evicts (the management server).
mgmt_timed_out() {
	local m
	m="$(lab_exec $LEG curl -s -m 5 "$CL_MURL/metrics")"
	grep -q '^sixcast_http_closed_total{reason="request_timeout"} [1-9]' <<<"$m" ||
		{ grep '^sixcast_http_closed_total' <<<"$m"; return 1; }
}
lab_wait "request closed by the management server past its ${RT} ms" mgmt_timed_out
echo "once requests overstayed their ${RT} ms ($(($(date +%s) - t0)) s in):"
legit "management server /metrics" 200 "$CL_MURL/metrics"
legit "edge /channels" 200 "http://[$CL_E6]:8081/channels"
legit "box output /playlist.m3u" 200 "http://[$B6]:8090/playlist.m3u"
legit "box control /api/status" 200 "http://[$B6]:8091/api/status" -H "Authorization: Bearer $TOK"
# The attack was on through all of it (DUR is only a guard).
for p in $PORTS; do
	kill -0 "${APID[$p]}" 2>/dev/null || lab_fail "the attack on $p ended early: $(cat "$LAB_DIR/attack-$p.json")"
done

echo "refused / closed by each port (closed: evicted, request timeouts, idle):"
for p in $PORTS; do echo "  $p: $(counts $p)"; done
for p in $PORTS; do
	kill "${APID[$p]}" 2>/dev/null
	wait "${APID[$p]}" 2>/dev/null
	echo "  attacker on $p: $(cat "$LAB_DIR/attack-$p.json")"
done

for pid in "$CL_MGMT_PID" "$CL_EDGE_PID" "${CL_PID[$BOX]}"; do
	kill -0 "$pid" 2>/dev/null || lab_fail "a daemon died under the attack (pid $pid)"
done
for l in mgmt edge $BOX; do
	grep -E "Sanitizer|runtime error" "$LAB_DIR/$l.log" && lab_fail "$l: sanitizer report"
done
grep -h "refused\|closed" "$LAB_DIR/$BOX.log" "$LAB_DIR/edge.log" "$LAB_DIR/mgmt.log" | head -8
echo "PASS"
