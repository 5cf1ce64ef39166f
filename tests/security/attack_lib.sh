# shellcheck shell=bash
# attack_lib: helpers of the UDP attack labs (repair_attacks.sh,
# mesh_attacks.sh). Source after tests/lab/lab.sh, lab_up and
# tests/integration/client_lib.sh.
#
#   at_mloss HOST PCT            drop PCT% of the multicast stream (UDP to port
#                                5000) the host receives: the boxes ask for
#                                repairs, and what the attacks capture
#                                (requests, repairs) is never lost
#   at_mac HOST                  the MAC of the host's eth0
#   at_watch HOST TAG MATCH...   count the UDP datagrams arriving on the host's
#                                wire (netdev ingress) that match; at_watched
#                                HOST TAG prints "datagrams payload-bytes"
#   at_egress HOST TAG MATCH...  the same for what the host sends (output hook);
#                                at_egressed HOST TAG
#   at_boxes EXPR BOX...         sum of a Python expression over the boxes'
#                                /api/stats (j), e.g. 'j["repair"]["replayed"]'
#   at_edge_metric HOST NAME...  sum of the edge's /metrics samples of NAMEs
#   at_wait WHAT SECONDS CMD...  until CMD prints something true (non-empty,
#                                not 0/False), or fail saying what it printed
#                                (lab_wait; the deadline is SECONDS or LAB_WAIT,
#                                whichever is longer)
#   at_tool HOST LOG ARGS...     udp_attack.py ARGS in HOST's namespace, in the
#                                background (pid in AT_PID)
#   at_result LOG KEY...         fields of the tool's JSON result line
#   at_row CLASS DGRAMS BYTES_IN BYTES_OUT BAR   one line of the figures table
#                                (also appended to $SEC_FIGURES when set)
#   at_table                     print the table
#   at_alive PID:NAME...         each daemon still runs, its log clean
#   at_own LOG ARGS...           udp_attack.py ARGS on the attacker ($ATT) from
#                                its own address (a port of its own per attack),
#                                socket kept until at_own_done LOG CLASS BAR,
#                                which adds the figures' row (bytes that came back)
#   at_spoof LOG SOURCE ARGS...  udp_attack.py send ARGS from a spoofed source
#                                (MAC addresses from $MACS); prints "sent bytes"
#   at_relay LOG IFNAME MAGIC TYPES DPORT N CMD...   the bridge drops what
#                                IFNAME's host sends of MAGIC's TYPES ("1" or
#                                "{ 1, 11 }") to DPORT (or any) while N of
#                                them are captured there and relayed
#                                at once by CMD (at_own LOG send or at_tool ...),
#                                then lets them pass again
#   at_forge OUT COUNT ARGS... JOB...  sxforge on the attacker, registered with
#                                the management server as a viewer of channel 1

AT_PY="${top_srcdir:-.}/tests/security/udp_attack.py"
AT_FORGE="$CL_B/tests/security/sxforge"
[ -r "$AT_PY" ] || { echo "missing $AT_PY" >&2; exit 99; }
[ -x "$AT_FORGE" ] || { echo "not built: $AT_FORGE" >&2; exit 99; }
AT_ROWS=()
AT_PID=""
AT_PORT=41000
AT_OWN_RECV=0

at_mloss() {
	lab_exec "$1" nft add table inet mloss
	lab_exec "$1" nft add chain inet mloss in '{ type filter hook input priority 0; policy accept; }'
	lab_exec "$1" nft add rule inet mloss in udp dport 5000 numgen random mod 100 '<' "$2" counter drop
}

at_mac() { lab_exec "$1" cat /sys/class/net/eth0/address; }

at_watch() { # HOST TAG MATCH...
	local h="$1" t="$2"
	shift 2
	if ! lab_exec "$h" nft list table netdev atw >/dev/null 2>&1; then
		lab_exec "$h" nft add table netdev atw
		lab_exec "$h" nft add chain netdev atw in "{ type filter hook ingress device eth0 priority 0; }"
	fi
	lab_exec "$h" nft add rule netdev atw in "$@" meta l4proto udp counter comment "\"$t\""
}

# "datagrams payload-bytes" of the rule TAG in TABLE (IPv6 + UDP headers off).
_at_counted() { # HOST TABLE TAG
	lab_exec "$1" nft list table "$2" 2>/dev/null | awk -v t="comment \"$3\"" '
		index($0, t) { for (i = 1; i <= NF; i++) { if ($i == "packets") p = $(i + 1); if ($i == "bytes") b = $(i + 1) } }
		END { printf "%d %d\n", p, b - 48 * p }'
}
at_watched() { _at_counted "$1" "netdev atw" "$2"; }

at_egress() { # HOST TAG MATCH...
	local h="$1" t="$2"
	shift 2
	if ! lab_exec "$h" nft list table inet ate >/dev/null 2>&1; then
		lab_exec "$h" nft add table inet ate
		lab_exec "$h" nft add chain inet ate out '{ type filter hook output priority 0; policy accept; }'
	fi
	lab_exec "$h" nft add rule inet ate out "$@" meta l4proto udp counter comment "\"$t\""
}
at_egressed() { _at_counted "$1" "inet ate" "$2"; }

at_boxes() { # EXPR BOX...
	local e="$1" b
	shift
	for b in "$@"; do stb "$b" stats 2>/dev/null || echo '{}'; done | python3 -c '
import json, sys
t, d, s = sys.stdin.read(), json.JSONDecoder(), 0
i = 0
while True:
    while i < len(t) and t[i].isspace():
        i += 1
    if i >= len(t):
        break
    j, i = d.raw_decode(t, i)
    try:
        s += '"$e"'
    except (KeyError, TypeError):
        pass
print(s)'
}

at_edge_metric() { # HOST NAME...
	local h="$1"
	shift
	lab_exec "$h" curl -s -m 5 "http://[::1]:8081/metrics" | awk -v names=" $* " '
		/^#/ { next } { n = $1; sub(/\{.*/, "", n); if (index(names, " " n " ")) s += $NF } END { printf "%d\n", s }'
}

at_wait() { # WHAT SECONDS CMD...
	local what="$1" secs="$2" t=$SECONDS
	shift 2
	[ "$secs" -ge "$LAB_WAIT" ] || secs="$LAB_WAIT"
	lab_wait "'$what'" -t "$secs" _at_true "$@"
	[ -z "${AT_DEBUG:-}" ] || echo "  ($what: $((SECONDS - t)) s)" >&2
}
# _at_true CMD...: CMD printed something true; otherwise shows what it printed.
_at_true() {
	local out
	out="$("$@")"
	case "$out" in
	"" | 0 | False | false)
		echo "${out:-nothing}"
		return 1
		;;
	esac
}

# ge A B: prints 1 when A >= B (for at_wait).
ge() { [ "$1" -ge "$2" ] && echo 1; }

at_tool() { # HOST LOG ARGS...
	local h="$1" log="$2"
	shift 2
	lab_bg "$h" "$log" python3 "$AT_PY" "$@"
	AT_PID=$LAB_LAST_PID
}

at_result() { # LOG KEY...: from the tool's last JSON line
	python3 -c 'import json, sys
r = {}
for l in open(sys.argv[1]):
    if l.startswith("{"):
        r = json.loads(l)
print(" ".join(str(r.get(k, 0)) for k in sys.argv[2:]))' "$@"
}

# exists FILE: prints 1 when it does (for at_wait).
exists() { [ -e "$1" ] && echo 1; }

at_row() { # CLASS DGRAMS BYTES_IN BYTES_OUT BAR
	local ratio
	ratio="$(awk -v i="$3" -v o="$4" 'BEGIN { printf "%.3f", i ? o / i : 0 }')"
	AT_ROWS+=("| $1 | $2 | $3 | $4 | $ratio | $5 |")
	[ -z "${SEC_FIGURES:-}" ] || printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4" "$ratio" "$5" >>"$SEC_FIGURES"
	awk -v i="$3" -v o="$4" -v bar="$5" 'BEGIN { if (bar == "0") exit !(o == 0); exit !(o <= i) }' ||
		lab_fail "$1: $4 bytes answered for $3 bytes of attack (bar: $5)"
}

at_table() {
	echo "| attack | datagrams | bytes in | bytes answered | answered per byte in | bar |"
	echo "|---|---|---|---|---|---|"
	printf '%s\n' "${AT_ROWS[@]}"
}

at_alive() { # PID:LOGNAME...
	local x pid l
	for x in "$@"; do
		pid="${x%%:*}" l="${x#*:}"
		kill -0 "$pid" 2>/dev/null || lab_fail "$l died under the attacks (pid $pid): $(tail -5 "$LAB_DIR/$l.log")"
		grep -iE "assert|Sanitizer|runtime error" "$LAB_DIR/$l.log" && lab_fail "$l: assertion or sanitizer report"
	done
	return 0
}

at_own() {
	local log="$1"
	shift
	AT_PORT=$((AT_PORT + 1))
	at_tool "$ATT" "$LAB_DIR/$log.json" "$@" --from-port $AT_PORT --stop-file "$LAB_DIR/$log.stop"
	AT_OWN_PID=$AT_PID
}

at_own_done() { # LOG CLASS BAR
	touch "$LAB_DIR/$1.stop"
	wait "$AT_OWN_PID" || lab_fail "$2: the attack tool failed: $(cat "$LAB_DIR/$1.json")"
	local n b r rn small big
	read -r n b r rn small big <<<"$(at_result "$LAB_DIR/$1.json" sent bytes_sent bytes_recv recv min_sent max_recv)"
	AT_OWN_RECV=$((AT_OWN_RECV + r))
	at_row "$2" "$n" "$b" "$r" "$3"
	# At most one challenge per request, none larger than a request.
	[ "$rn" -le "$n" ] && [ "$big" -le "$small" ] ||
		lab_fail "$2: $rn datagrams came back (up to $big bytes) for $n sent (from $small bytes)"
}

at_spoof() { # LOG SOURCE ARGS...
	local log="$1" src="$2"
	shift 2
	lab_exec "$ATT" python3 "$AT_PY" send "$@" --spoof "$src" --macs "$MACS" >"$LAB_DIR/$log.json" ||
		lab_fail "$log: the attack tool failed: $(cat "$LAB_DIR/$log.json")"
	at_result "$LAB_DIR/$log.json" sent bytes_sent
}

at_relay() { # LOG IFNAME MAGIC TYPES DPORT N CMD...
	local log="$1" ifn="$2" magic="$3" types="$4" dport="$5" n="$6" hex rc m=()
	shift 6
	case "$magic" in SX) hex=0x5358 ;; SM) hex=0x534d ;; esac
	[ "$dport" = any ] || m=(udp dport "$dport")
	fab nft add rule bridge lab xfer iifname "$ifn" meta l4proto udp "${m[@]}" @th,64,16 $hex @th,88,8 "$types" \
		counter drop comment "\"relay\""
	"$@" --in "$LAB_DIR/$log.jsonl" --follow "$n" --follow-timeout 30
	fab python3 "$AT_PY" capture --ifname "$ifn" --magic "$magic" --types "$(tr -d '{} ' <<<"$types")" \
		--dport "${dport/any/}" --count "$n" --min "$n" --timeout 20 --out "$LAB_DIR/$log.jsonl" >/dev/null
	rc=$?
	_lab_fab_rules_del relay
	[ $rc = 0 ] || lab_fail "$log: $n datagrams of $ifn's host not captured in 20 s"
}

at_forge() { # OUT COUNT ARGS... JOB...
	local out="$1" n="$2"
	shift 2
	lab_exec "$ATT" "$AT_FORGE" -M "$CL_MURL" -C "$CL_BOXCRED" -a "[$(lab_addr6 "$ATT")]:5100" -c 1 -o "$out" \
		-N "$n" "$@" 2>"$out.log" || lab_fail "sxforge: $(cat "$out.log")"
}
