# tests/security/: lab tests of what an outsider on the metro network can
# do to sixcast's daemons.
INTEGRATION_TESTS += %reldir%/slow_http.sh
EXTRA_DIST += %reldir%/slow_http_attack.py
INTEGRATION_TESTS += %reldir%/repair_attacks.sh
EXTRA_DIST += %reldir%/udp_attack.py %reldir%/attack_lib.sh
