# shellcheck shell=bash
# sixcast namespace lab: a metro network in Linux network namespaces.
#
# Source this file from a bash script, then call lab_up. The topology:
#
#            core bridge "core" (MLDv2/IGMPv3 snooping + querier)
#           /        |          \                 \
#     c1..cK     metro bridge m1  metro bridge m2  ...   (snooping, uplink = router port)
#   (servers)     /   |   \          /  |  \
#              m1h1 m1h2 ...      m2h1 m2h2 ...          (hosts, one namespace each)
#
# All bridges live in one "fabric" namespace of their own, so the lab never
# touches the root namespace. Every host namespace has one interface, eth0,
# with addresses derived from its place:
#   metro M host H: 2001:db8:M::H/48 and 10.M.0.H/8   (M in 1..99, H in 1..250)
#   core host H:    2001:db8:0::H/48 and 10.0.0.H/8
# and on-link routes for 2001:db8::/32 and 10.0.0.0/8, so every host reaches
# every other one at layer 2 while the management server can still find a
# host's metro from its /48 (or its 10.M/16).
#
# Only the core bridge queries, as the aggregation router of a real metro
# network does; the metro bridges snoop and treat their uplink as a router
# port. Names carry a per-run id (LAB_ID), so two runs never collide. lab_up
# installs an EXIT trap that tears everything down, also when a test fails.
#
# Helpers: lab_require, lab_up, lab_down, lab_exec, lab_bg, lab_addr6,
# lab_addr4, lab_hosts, lab_loss, lab_loss_clear, lab_loss_count,
# lab_count_start, lab_count, lab_count_stop,
# lab_metro_loss, lab_metro_cut, lab_metro_heal, lab_wait_querier, lab_mdb,
# lab_wait, lab_wait_log, lab_wait_mdb, lab_skip, lab_fail, lab_log.
# docs/lab.md walks through them.

LAB_SKIP=77
LAB_HARD=99

: "${LAB_ID:=sc$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')}"
# Snooping timers in centiseconds (the kernel's unit). Shorter than the RFC
# defaults so that a test does not wait minutes for a membership to age out;
# override in the environment to experiment.
: "${LAB_QUERY_INTERVAL:=500}"
: "${LAB_QUERY_RESPONSE:=100}"
: "${LAB_LAST_MEMBER:=50}"

LAB_FAB="${LAB_ID}-fab"
LAB_HOSTS=()
LAB_PIDS=()
LAB_LAST_PID=""
LAB_METROS=0
LAB_DIR=""
LAB_KEEP="${LAB_KEEP:-0}"
LAB_ARGV=("$@") # the test's own arguments, for a re-run in a user namespace

lab_log() { printf '[lab %s] %s\n' "$LAB_ID" "$*" >&2; }
lab_skip() { printf 'SKIP: %s\n' "$*" >&2; exit "$LAB_SKIP"; }
lab_fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

# Not root: the test runs again, from its start, inside a user namespace of
# its own where it is root over the namespaces it makes (unprivileged user
# namespaces, on by default in Debian 12's kernel). /run is a private tmpfs
# there, so that ip netns can keep its names; nothing outside is touched.
# Returns only when that cannot be done.
_lab_userns() {
	[ -z "${LAB_IN_USERNS:-}" ] || return 0
	command -v unshare >/dev/null 2>&1 || return 0
	unshare --user --map-root-user --mount --net true 2>/dev/null || return 0
	export LAB_IN_USERNS=1
	# shellcheck disable=SC2016 # expanded by the inner shell
	exec unshare --user --map-root-user --mount --net --propagation private \
		bash -c 'mount -t tmpfs sixcast-lab /run && mkdir -p /run/netns && exec "$@"' \
		lab-userns "$BASH" "$0" "${LAB_ARGV[@]}"
}

# lab_require: exit 77 (automake SKIP) where the lab cannot run here.
lab_require() {
	local t probe="${LAB_ID}-probe"
	if [ "${SIXCAST_LAB:-yes}" = no ]; then
		lab_skip "lab tests disabled (configure --disable-lab-tests or SIXCAST_LAB=no)"
	fi
	[ "$(id -u)" = 0 ] || _lab_userns
	[ "$(id -u)" = 0 ] || lab_skip "the lab needs root or unprivileged user namespaces (kernel.unprivileged_userns_clone, user.max_user_namespaces)"
	for t in ip bridge nft; do
		command -v "$t" >/dev/null 2>&1 || lab_skip "missing tool: $t"
	done
	ip netns add "$probe" 2>/dev/null || lab_skip "cannot create network namespaces here"
	ip netns del "$probe"
}

lab_ns() { printf '%s-%s' "$LAB_ID" "$1"; }

# lab_exec HOST CMD...: run a command inside a host's namespace.
lab_exec() {
	local h="$1"
	shift
	ip netns exec "$(lab_ns "$h")" "$@"
}

# fab CMD...: run a command in the fabric namespace (the bridges).
fab() { ip netns exec "$LAB_FAB" "$@"; }

# lab_bg HOST LOGFILE CMD...: start CMD in HOST in the background, stdout and
# stderr to LOGFILE. Its pid is left in LAB_LAST_PID (not printed: a command
# substitution would run in a subshell and lose track of it); lab_down kills it.
lab_bg() {
	local h="$1" log="$2"
	shift 2
	ip netns exec "$(lab_ns "$h")" "$@" >"$log" 2>&1 &
	LAB_LAST_PID=$!
	LAB_PIDS+=("$LAB_LAST_PID")
}

_lab_metro_of() {
	case "$1" in
	c*) printf 0 ;;
	m*)
		local m="${1#m}"
		printf '%s' "${m%%h*}"
		;;
	*) return 1 ;;
	esac
}
_lab_host_of() {
	case "$1" in
	c*) printf '%s' "${1#c}" ;;
	m*) printf '%s' "${1#*h}" ;;
	esac
}

# lab_addr6 HOST / lab_addr4 HOST: the host's global addresses.
lab_addr6() {
	local m
	m="$(_lab_metro_of "$1")"
	if [ "$m" = 0 ]; then
		printf '2001:db8::%x' "$(_lab_host_of "$1")"
	else
		printf '2001:db8:%x::%x' "$m" "$(_lab_host_of "$1")"
	fi
}
lab_addr4() { printf '10.%d.0.%d' "$(_lab_metro_of "$1")" "$(_lab_host_of "$1")"; }

# lab_hosts [METRO]: the hosts of one metro (0 = core), or all hosts.
lab_hosts() {
	local h
	for h in "${LAB_HOSTS[@]}"; do
		if [ $# -eq 0 ] || [ "$(_lab_metro_of "$h")" = "$1" ]; then
			printf '%s\n' "$h"
		fi
	done
}

_lab_bridge() {
	local br="$1" querier="$2"
	fab ip link add "$br" type bridge mcast_snooping 1 mcast_querier "$querier" \
		mcast_mld_version 2 mcast_igmp_version 3 mcast_query_use_ifaddr 1 \
		mcast_query_interval "$LAB_QUERY_INTERVAL" \
		mcast_query_response_interval "$LAB_QUERY_RESPONSE" \
		mcast_startup_query_interval "$LAB_QUERY_RESPONSE" \
		mcast_membership_interval $((2 * LAB_QUERY_INTERVAL + LAB_QUERY_RESPONSE)) \
		mcast_querier_interval $((2 * LAB_QUERY_INTERVAL + LAB_QUERY_RESPONSE / 2)) \
		mcast_last_member_interval "$LAB_LAST_MEMBER" \
		mcast_stats_enabled 1 forward_delay 0 stp_state 0
	fab ip link set "$br" up
}

_lab_add_host() {
	local h="$1" br="$2" ns
	ns="$(lab_ns "$h")"
	ip netns add "$ns"
	fab ip link add "$h" type veth peer name eth0 netns "$ns"
	fab ip link set "$h" master "$br" up
	# No DAD: addresses are usable at once and a lab never has duplicates.
	ip netns exec "$ns" sh -c '
		sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
		sysctl -qw net.ipv6.conf.eth0.accept_dad=0
		sysctl -qw net.ipv6.conf.eth0.force_mld_version=2
		sysctl -qw net.ipv4.conf.eth0.force_igmp_version=3
		sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth0.rp_filter=0
		sysctl -qw net.ipv4.ping_group_range="0 2147483647"
		ip link set lo up
		ip link set eth0 up' >/dev/null
	ip netns exec "$ns" ip -6 addr add "$(lab_addr6 "$h")/48" dev eth0 nodad
	ip netns exec "$ns" ip -6 route add 2001:db8::/32 dev eth0
	ip netns exec "$ns" ip addr add "$(lab_addr4 "$h")/8" dev eth0
	ip netns exec "$ns" ip route add 224.0.0.0/4 dev eth0
	LAB_HOSTS+=("$h")
}

# lab_up METROS HOSTS_PER_METRO [CORE_HOSTS]: build the topology. LAB_DIR is
# a scratch folder for logs and files, removed by lab_down.
lab_up() {
	local metros="$1" per="$2" core="${3:-1}" m h
	lab_require
	LAB_METROS="$metros"
	LAB_DIR="$(mktemp -d "${TMPDIR:-/tmp}/${LAB_ID}.XXXXXX")"
	# Only the test's own shell tears down: a subshell of it (a command
	# substitution, a background job not yet exec'd) that exits, or is
	# killed, inherits the traps, and once removed LAB_DIR under the
	# running test ("wait_for: No record of process", seen in
	# mesh_churn_lab beside stress-ng).
	LAB_SHELL=$BASHPID
	trap 'rc=$?; [ "$BASHPID" = "$LAB_SHELL" ] || exit $rc; [ "$rc" = 0 ] || [ "$rc" = "$LAB_SKIP" ] || _lab_drops; lab_down; exit $rc' EXIT
	trap 'exit 130' INT TERM
	ip netns add "$LAB_FAB"
	fab sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	fab ip link set lo up
	_lab_bridge core 1
	# The querier's own addresses are the lowest in the lab, so it would win
	# any election should someone bring up a second querier.
	fab ip addr add 10.0.0.254/8 dev core
	fab ip -6 addr add 2001:db8::fe/48 dev core nodad
	for ((h = 1; h <= core; h++)); do _lab_add_host "c$h" core; done
	for ((m = 1; m <= metros; m++)); do
		_lab_bridge "m$m" 0
		fab ip link add "up$m" type veth peer name "dn$m"
		fab ip link set "dn$m" master core up
		fab ip link set "up$m" master "m$m" up
		# The uplink leads to the querier: a permanent router port, so
		# reports and sources in the metro always reach the core.
		fab bridge link set dev "up$m" mcast_router 2
		# And the core sees each metro as a router (an aggregation router
		# that pulls what its hosts want): when one host of a metro leaves
		# an (S,G), the core's group-and-source query, sent to G from the
		# querier's link-local address, matches no (S,G) entry of the metro
		# bridge and reaches none of the metro's other listeners, so the
		# core pruned the metro for 2 s under them (seen with this lab's
		# kernel). The metro bridges still filter per host.
		fab bridge link set dev "dn$m" mcast_router 2
		for ((h = 1; h <= per; h++)); do _lab_add_host "m${m}h$h" "m$m"; done
	done
	fab nft add table bridge lab
	fab nft add chain bridge lab xfer '{ type filter hook forward priority 0; policy accept; }'
	lab_log "up: $metros metro(s) x $per host(s), $core core host(s); scratch $LAB_DIR"
}

# A failed test's hosts: which of them dropped datagrams in the kernel
# (socket buffers full, discards), beside what nftables dropped on
# purpose; a loss a test blames on the product may be the machine's.
_lab_drops() {
	local h out
	for h in "${LAB_HOSTS[@]}"; do
		out="$(lab_exec "$h" nstat -as 'Udp*Errors' 'Udp6*Errors' 'Ip*Discards' 'Ip6*Discards' 2>/dev/null |
			awk '!/^#/ { printf " %s=%s", $1, $2 }')"
		[ -z "$out" ] || printf '[lab %s] kernel drops on %s:%s\n' "$LAB_ID" "$h" "$out" >&2
	done
	# Links that dropped (a veth whose peer's backlog was full: softirqs
	# starved on a busy machine), hosts' and the fabric's.
	for h in "${LAB_HOSTS[@]}" fab; do
		out="$( { if [ "$h" = fab ]; then fab ip -s -o link; else lab_exec "$h" ip -s -o link; fi; } 2>/dev/null |
			awk '{ name = $2; for (i = 1; i <= NF; i++) { if ($i == "RX:") rx = i; if ($i == "TX:") tx = i }
				rd = $(rx + 11); td = $(tx + 11)
				if (rd + td > 0) printf " %s rx_dropped=%s tx_dropped=%s", name, rd, td }')"
		[ -z "$out" ] || printf '[lab %s] link drops on %s:%s\n' "$LAB_ID" "$h" "$out" >&2
	done
	local a b rest d=0
	while read -r a b rest; do d=$((d + 16#$b)); done </proc/net/softnet_stat 2>/dev/null
	[ "$d" = 0 ] || printf '[lab %s] softnet backlog drops (all of this machine, since boot): %s\n' "$LAB_ID" "$d" >&2
}

# lab_down: kill what lab_bg started and delete every namespace of this run.
# LAB_KEEP=1 leaves the namespaces for a look by hand.
lab_down() {
	local p ns
	trap - EXIT INT TERM
	for p in "${LAB_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${LAB_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	LAB_PIDS=()
	if [ "$LAB_KEEP" = 1 ]; then
		lab_log "LAB_KEEP=1: leaving namespaces $LAB_ID-* and $LAB_DIR in place"
		return 0
	fi
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		case "$ns" in "$LAB_ID"-*) ip netns del "$ns" 2>/dev/null ;; esac
	done
	[ -n "$LAB_DIR" ] && rm -rf "$LAB_DIR"
	LAB_DIR=""
}

# lab_loss HOST PCT [in|out|both]: drop PCT% of the UDP datagrams a host
# receives (in, the default), sends (out) or both. Only UDP is dropped, so
# MLD, IGMP, ND and ARP keep the memberships alive, as on a lossy access line
# that loses video but not the sparse control traffic. Loopback is not the
# line: what a host sends itself (a daemon's UDP output to a local player or
# recorder) is never dropped.
lab_loss() {
	local h="$1" pct="$2" dir="${3:-in}" hook
	lab_loss_clear "$h"
	lab_exec "$h" nft add table inet lab
	for hook in input output; do
		case "$dir:$hook" in
		in:output | out:input) continue ;;
		esac
		lab_exec "$h" nft add chain inet lab "$hook" "{ type filter hook $hook priority 0; policy accept; }"
		lab_exec "$h" nft add rule inet lab "$hook" "$([ $hook = input ] && echo iifname || echo oifname)" != lo \
			meta l4proto udp numgen random mod 100 '<' "$pct" counter drop
	done
}

lab_loss_clear() { lab_exec "$1" nft delete table inet lab 2>/dev/null || true; }

# lab_loss_count HOST: how many datagrams the host's loss rules dropped.
lab_loss_count() {
	lab_exec "$1" nft list table inet lab 2>/dev/null |
		awk '/counter/ { for (i = 1; i <= NF; i++) if ($i == "packets") s += $(i + 1) } END { print s + 0 }'
}

# lab_count_start HOST PORT: count the UDP datagrams to PORT that arrive on
# the host's wire, joined or not: netdev ingress sees frames before any
# membership filtering, so this proves what snooping let through.
# lab_count HOST reads the count; lab_count_stop HOST removes the counter.
lab_count_start() {
	lab_count_stop "$1"
	lab_exec "$1" nft add table netdev cnt
	lab_exec "$1" nft add chain netdev cnt in "{ type filter hook ingress device eth0 priority 0; }"
	lab_exec "$1" nft add rule netdev cnt in udp dport "$2" counter
}

lab_count() {
	lab_exec "$1" nft list table netdev cnt 2>/dev/null |
		awk '/counter/ { for (i = 1; i <= NF; i++) if ($i == "packets") s += $(i + 1) } END { print s + 0 }'
}

lab_count_stop() { lab_exec "$1" nft delete table netdev cnt 2>/dev/null || true; }

# lab_metro_loss METRO PCT: drop PCT% of the UDP datagrams that cross the
# metro's uplink, both ways (a lossy aggregation link). PCT 0 removes it.
lab_metro_loss() {
	local m="$1" pct="$2"
	_lab_fab_rules_del "loss$m"
	[ "$pct" = 0 ] && return 0
	fab nft add rule bridge lab xfer iifname "up$m" meta l4proto udp numgen random mod 100 '<' "$pct" counter drop comment "\"loss$m\""
	fab nft add rule bridge lab xfer oifname "up$m" meta l4proto udp numgen random mod 100 '<' "$pct" counter drop comment "\"loss$m\""
}

# lab_metro_cut METRO: the metro's uplink drops everything, MLD and ND too.
lab_metro_cut() {
	local m="$1"
	_lab_fab_rules_del "cut$m"
	fab nft add rule bridge lab xfer iifname "up$m" counter drop comment "\"cut$m\""
	fab nft add rule bridge lab xfer oifname "up$m" counter drop comment "\"cut$m\""
}

# lab_metro_heal METRO: undo lab_metro_cut.
lab_metro_heal() { _lab_fab_rules_del "cut$1"; }

_lab_fab_rules_del() {
	local tag="$1" handle
	for handle in $(fab nft -a list chain bridge lab xfer |
		awk -v t="comment \"$1\"" 'index($0, t) { print $NF }'); do
		fab nft delete rule bridge lab xfer handle "$handle"
	done
}

# lab_wait_querier [SECONDS]: wait until every metro bridge has heard the
# core querier for both families, then one response interval more, so that
# snooping filters rather than floods. The kernel floods unknown multicast
# until it knows a querier, so a test that asserts filtering calls this first.
lab_wait_querier() {
	local limit="${1:-30}" i
	for ((i = 0; i < limit * 10; i++)); do
		if _lab_querier_heard; then
			sleep "$(awk -v c="$LAB_QUERY_RESPONSE" 'BEGIN { printf "%.2f", c / 100 + 0.5 }')"
			return 0
		fi
		sleep 0.1
	done
	lab_log "querier not heard in every metro within ${limit}s"
	return 1
}

# True when each metro uplink has received at least one IGMPv3 and one MLDv2
# query (per-port snooping statistics, mcast_stats_enabled on the bridges).
_lab_querier_heard() {
	local m
	for ((m = 1; m <= LAB_METROS; m++)); do
		fab ip link xstats type bridge_slave dev "up$m" | awk '
			/IGMP queries:/ { f = "igmp" } /MLD queries:/ { f = "mld" }
			/IGMP reports:|MLD reports:/ { f = "" }
			f == "igmp" && $1 == "RX:" { igmp = $7 }
			f == "mld" && $1 == "RX:" { mld = $5 }
			END { exit !(igmp > 0 && mld > 0) }' || return 1
	done
	return 0
}

# lab_mdb [BRIDGE]: a bridge's multicast database (core, m1, m2, ...).
lab_mdb() { fab bridge mdb show dev "${1:-core}"; }

# A test waits for the event it needs, never for a time: a busy machine
# makes every step slower, so a deadline is only a guard against a test
# that would hang, LAB_WAIT seconds (60) unless the call says more, and a
# failure says what it was waiting for and what it saw last.
: "${LAB_WAIT:=60}"

# lab_wait WHAT [-t SECONDS] CMD...: run CMD (quietly) every 0.1 s until it
# succeeds; fail the test with WHAT and CMD's last output after the deadline.
lab_wait() {
	local what="$1" secs="$LAB_WAIT" out="" end
	shift
	if [ "${1:-}" = -t ]; then
		secs="$2"
		shift 2
	fi
	end=$((SECONDS + secs))
	while ! out="$("$@" 2>&1)"; do
		[ "$SECONDS" -lt "$end" ] ||
			lab_fail "no $what within ${secs} s${out:+; last seen: $(printf '%s' "$out" | tail -n 5)}"
		sleep 0.1
	done
}

# lab_wait_log FILE PATTERN [WHAT]: wait until a line of FILE matches the
# extended regular expression PATTERN; on failure the file's tail is shown.
_lab_log_has() { grep -qE -- "$2" "$1" 2>/dev/null || { tail -n 5 "$1" 2>/dev/null; return 1; }; }
lab_wait_log() { lab_wait "${3:-"'$2' in $1"}" _lab_log_has "$1" "$2"; }

# lab_wait_mdb BRIDGE GROUP PORT...: wait until BRIDGE's snooping has GROUP
# on every PORT (a join has crossed that bridge): the step before sending,
# instead of a pause for the reports to arrive.
_lab_mdb_has() {
	local br="$1" grp="$2" p mdb
	shift 2
	mdb="$(fab bridge mdb show dev "$br")"
	for p in "$@"; do
		grep -qE "port $p grp $grp( |$)" <<<"$mdb" || { printf '%s\n' "$mdb"; return 1; }
	done
}
lab_wait_mdb() { lab_wait "$2 on port(s) ${*:3} of bridge $1" _lab_mdb_has "$@"; }
