# tests/: CUnit unit tests (one program per module), namespace-lab
# integration tests, the lab library and test tools.

UNIT_LDADD = common/libsccommon.la $(CUNIT_LIBS)
UNIT_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS) $(CONFIG_CFLAGS) -I$(top_srcdir)/tests/unit
TU = %reldir%/unit/tu.c %reldir%/unit/tu.h

UNIT_TESTS = \
	%reldir%/unit/test_sc_addr \
	%reldir%/unit/test_sc_cfg \
	%reldir%/unit/test_sc_clock \
	%reldir%/unit/test_sc_log \
	%reldir%/unit/test_sc_rtp \
	%reldir%/unit/test_mld \
	%reldir%/unit/test_rtx
check_PROGRAMS += $(UNIT_TESTS)
TESTS += $(UNIT_TESTS)

tests_unit_test_sc_addr_SOURCES = %reldir%/unit/test_sc_addr.c $(TU)
tests_unit_test_sc_addr_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sc_addr_LDADD = $(UNIT_LDADD)
tests_unit_test_sc_cfg_SOURCES = %reldir%/unit/test_sc_cfg.c $(TU)
tests_unit_test_sc_cfg_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sc_cfg_LDADD = $(UNIT_LDADD)
tests_unit_test_sc_clock_SOURCES = %reldir%/unit/test_sc_clock.c $(TU)
tests_unit_test_sc_clock_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sc_clock_LDADD = $(UNIT_LDADD)
tests_unit_test_sc_log_SOURCES = %reldir%/unit/test_sc_log.c $(TU)
tests_unit_test_sc_log_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sc_log_LDADD = $(UNIT_LDADD)
tests_unit_test_sc_rtp_SOURCES = %reldir%/unit/test_sc_rtp.c $(TU)
tests_unit_test_sc_rtp_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sc_rtp_LDADD = $(UNIT_LDADD)
tests_unit_test_mld_SOURCES = %reldir%/unit/test_mld.c $(TU)
tests_unit_test_mld_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/igmp-mld
tests_unit_test_mld_LDADD = igmp-mld/libmldcore.la $(UNIT_LDADD)
tests_unit_test_rtx_SOURCES = %reldir%/unit/test_rtx.c $(TU)
tests_unit_test_rtx_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/retransmit
tests_unit_test_rtx_LDADD = retransmit/librtxcore.la $(UNIT_LDADD)

# Test tools: built by `make` too, because the demo uses them.
noinst_PROGRAMS += %reldir%/tools/mcprobe
tests_tools_mcprobe_SOURCES = %reldir%/tools/mcprobe.c
tests_tools_mcprobe_LDADD = common/libsccommon.la

INTEGRATION_TESTS = \
	%reldir%/integration/lab_harness.sh
TESTS += $(INTEGRATION_TESTS)

EXTRA_DIST += $(INTEGRATION_TESTS) \
	%reldir%/lab/lab.sh \
	%reldir%/lab/lab-shell \
	%reldir%/install-check.sh
