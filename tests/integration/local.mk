# tests/integration/, tests/lab/, tests/tools/: the namespace lab, its test
# tools, and the lab tests that are not any one component's.

# Test tools: built by `make` too, because the demo uses them.
noinst_PROGRAMS += tests/tools/mcprobe
tests_tools_mcprobe_SOURCES = tests/tools/mcprobe.c
tests_tools_mcprobe_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/igmp-mld
tests_tools_mcprobe_LDADD = igmp-mld/libmldcore.la common/libsccommon.la

# A kernel without IPv6 for one process (LD_PRELOAD), for af_lab.sh.
check_LTLIBRARIES = tests/tools/noipv6.la
tests_tools_noipv6_la_SOURCES = tests/tools/noipv6.c
tests_tools_noipv6_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere
tests_tools_noipv6_la_LIBADD = -ldl

INTEGRATION_TESTS += %reldir%/lab_harness.sh
# Every daemon on hosts without IPv6 (and the management server on one
# without IPv4), with the default addresses.
INTEGRATION_TESTS += %reldir%/af_lab.sh

EXTRA_DIST += \
	tests/lab/lab.sh \
	tests/lab/lab-shell \
	tests/install-check.sh
