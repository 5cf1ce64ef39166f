# retransmit/: buffers and the repair protocol, installed with its header
# and pkg-config file. Same split as igmp-mld: a convenience library for
# the tests, an installed one exporting rtx_*.
noinst_LTLIBRARIES += retransmit/librtxcore.la
RTX_CORE_C = \
	%reldir%/rtx_auth.c %reldir%/rtx_burst.c %reldir%/rtx_cert.c %reldir%/rtx_ident.c %reldir%/rtx_gaps.c %reldir%/rtx_group.c \
	%reldir%/rtx_playout.c %reldir%/rtx_ratelimit.c %reldir%/rtx_rawbuf.c \
	%reldir%/rtx_requester.c %reldir%/rtx_responder.c %reldir%/rtx_seq.c \
	%reldir%/rtx_session.c %reldir%/rtx_session_in.c %reldir%/rtx_session_out.c %reldir%/rtx_starve.c \
	%reldir%/rtx_stats.c %reldir%/rtx_version.c %reldir%/rtx_wire.c
RTX_CORE_H = \
	%reldir%/rtx.h %reldir%/rtx_ident.h %reldir%/rtx_auth.h %reldir%/rtx_gaps.h %reldir%/rtx_group.h \
	%reldir%/rtx_playout.h %reldir%/rtx_ratelimit.h %reldir%/rtx_rawbuf.h \
	%reldir%/rtx_requester.h %reldir%/rtx_responder.h %reldir%/rtx_seq.h \
	%reldir%/rtx_session_int.h %reldir%/rtx_stats.h %reldir%/rtx_wire.h
retransmit_librtxcore_la_SOURCES = $(RTX_CORE_C) $(RTX_CORE_H)
retransmit_librtxcore_la_CFLAGS = $(AM_CFLAGS) $(SODIUM_CFLAGS)
retransmit_librtxcore_la_LIBADD = common/libsccommon.la $(SODIUM_LIBS)

lib_LTLIBRARIES += retransmit/libsixcast-retransmit.la
retransmit_libsixcast_retransmit_la_SOURCES =
retransmit_libsixcast_retransmit_la_LIBADD = retransmit/librtxcore.la
# Only the API of rtx.h: the internal modules' rtx_* functions stay hidden.
retransmit_libsixcast_retransmit_la_LDFLAGS = $(AM_LDFLAGS) -version-info $(RTX_LT_VERSION) \
	-export-symbols $(srcdir)/%reldir%/rtx.sym
EXTRA_retransmit_libsixcast_retransmit_la_DEPENDENCIES = %reldir%/rtx.sym

sixcastinclude_HEADERS += %reldir%/rtx.h %reldir%/rtx_ident.h
pkgconfig_DATA += %reldir%/sixcast-retransmit.pc
EXTRA_DIST += %reldir%/sixcast-retransmit.pc.in %reldir%/README.md %reldir%/rtx.sym \
	docs/protocol/repair.md

# One CUnit program per module; they reach internals through librtxcore.
UNIT_TESTS += \
	tests/unit/test_rtx \
	tests/unit/test_rtx_seq \
	tests/unit/test_rtx_rawbuf \
	tests/unit/test_rtx_playout \
	tests/unit/test_rtx_wire \
	tests/unit/test_rtx_auth \
	tests/unit/test_rtx_ident \
	tests/unit/test_rtx_ratelimit \
	tests/unit/test_rtx_gaps \
	tests/unit/test_rtx_requester \
	tests/unit/test_rtx_responder \
	tests/unit/test_rtx_group \
	tests/unit/test_rtx_stats \
	tests/unit/test_rtx_session \
	tests/unit/test_rtx_burst
tests_unit_test_rtx_burst_SOURCES = tests/unit/test_rtx_burst.c $(TU) $(TU_IDENT)
tests_unit_test_rtx_burst_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/retransmit
tests_unit_test_rtx_burst_LDADD = retransmit/librtxcore.la $(UNIT_LDADD)
tests_unit_test_rtx_SOURCES = tests/unit/test_rtx.c $(TU) $(TU_IDENT)
tests_unit_test_rtx_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/retransmit
tests_unit_test_rtx_LDADD = retransmit/librtxcore.la $(UNIT_LDADD)
tests_unit_test_rtx_seq_SOURCES = tests/unit/test_rtx_seq.c $(TU)
tests_unit_test_rtx_seq_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/retransmit
tests_unit_test_rtx_seq_LDADD = retransmit/librtxcore.la $(UNIT_LDADD)
tests_unit_test_rtx_rawbuf_SOURCES = tests/unit/test_rtx_rawbuf.c $(TU)
tests_unit_test_rtx_rawbuf_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/retransmit
tests_unit_test_rtx_rawbuf_LDADD = retransmit/librtxcore.la $(UNIT_LDADD)
tests_unit_test_rtx_playout_SOURCES = tests/unit/test_rtx_playout.c $(TU)
tests_unit_test_rtx_playout_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/retransmit
tests_unit_test_rtx_playout_LDADD = retransmit/librtxcore.la $(UNIT_LDADD)
tests_unit_test_rtx_wire_SOURCES = tests/unit/test_rtx_wire.c $(TU)
tests_unit_test_rtx_wire_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/retransmit
tests_unit_test_rtx_wire_LDADD = retransmit/librtxcore.la $(UNIT_LDADD)
tests_unit_test_rtx_ident_SOURCES = tests/unit/test_rtx_ident.c $(TU) $(TU_IDENT)
tests_unit_test_rtx_ident_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/retransmit
tests_unit_test_rtx_ident_LDADD = retransmit/librtxcore.la $(UNIT_LDADD)
tests_unit_test_rtx_auth_SOURCES = tests/unit/test_rtx_auth.c $(TU)
tests_unit_test_rtx_auth_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/retransmit
tests_unit_test_rtx_auth_LDADD = retransmit/librtxcore.la $(UNIT_LDADD)
tests_unit_test_rtx_ratelimit_SOURCES = tests/unit/test_rtx_ratelimit.c $(TU)
tests_unit_test_rtx_ratelimit_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/retransmit
tests_unit_test_rtx_ratelimit_LDADD = retransmit/librtxcore.la $(UNIT_LDADD)
tests_unit_test_rtx_gaps_SOURCES = tests/unit/test_rtx_gaps.c $(TU)
tests_unit_test_rtx_gaps_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/retransmit
tests_unit_test_rtx_gaps_LDADD = retransmit/librtxcore.la $(UNIT_LDADD)
tests_unit_test_rtx_requester_SOURCES = tests/unit/test_rtx_requester.c $(TU)
tests_unit_test_rtx_requester_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/retransmit
tests_unit_test_rtx_requester_LDADD = retransmit/librtxcore.la $(UNIT_LDADD)
tests_unit_test_rtx_responder_SOURCES = tests/unit/test_rtx_responder.c $(TU)
tests_unit_test_rtx_responder_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/retransmit
tests_unit_test_rtx_responder_LDADD = retransmit/librtxcore.la $(UNIT_LDADD)
tests_unit_test_rtx_group_SOURCES = tests/unit/test_rtx_group.c $(TU)
tests_unit_test_rtx_group_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/retransmit
tests_unit_test_rtx_group_LDADD = retransmit/librtxcore.la $(UNIT_LDADD)
tests_unit_test_rtx_stats_SOURCES = tests/unit/test_rtx_stats.c $(TU)
tests_unit_test_rtx_stats_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/retransmit
tests_unit_test_rtx_stats_LDADD = retransmit/librtxcore.la $(UNIT_LDADD)
tests_unit_test_rtx_session_SOURCES = tests/unit/test_rtx_session.c $(TU) $(TU_IDENT)
tests_unit_test_rtx_session_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/retransmit
tests_unit_test_rtx_session_LDADD = retransmit/librtxcore.la $(UNIT_LDADD)

# The simulation of a group: a unit test (what is certain) and the engine of
# the benchmark (built by make, run by hand: see tests/bench/rtx_bench.c).
RTX_SIM = tests/bench/rtx_sim.c tests/bench/rtx_sim.h
UNIT_TESTS += tests/unit/test_rtx_sim
tests_unit_test_rtx_sim_SOURCES = tests/unit/test_rtx_sim.c $(TU) $(TU_IDENT) $(RTX_SIM)
tests_unit_test_rtx_sim_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/retransmit -I$(top_srcdir)/tests/bench
tests_unit_test_rtx_sim_LDADD = retransmit/librtxcore.la $(UNIT_LDADD) -lm
noinst_PROGRAMS += tests/bench/rtx_bench
tests_bench_rtx_bench_SOURCES = tests/bench/rtx_bench.c $(RTX_SIM) $(TU_IDENT)
tests_bench_rtx_bench_CFLAGS = $(AM_CFLAGS) -O2 -I$(top_srcdir)/retransmit -I$(top_srcdir)/tests/bench \
	-I$(top_srcdir)/tests/unit
tests_bench_rtx_bench_LDADD = retransmit/librtxcore.la -lm

# Fuzz targets (./configure CC=clang --enable-fuzzers): the library's
# sources are compiled into each target so that libFuzzer sees their
# coverage.
RTX_FUZZ_SOURCES = $(RTX_CORE_C) common/sc_rtp.c common/sc_log.c
RTX_FUZZ_CFLAGS = $(AM_CFLAGS) $(SODIUM_CFLAGS) $(FUZZ_FLAGS) -I$(top_srcdir)/retransmit -I$(top_srcdir)/tests/unit
if ENABLE_FUZZERS
noinst_PROGRAMS += tests/fuzz/fuzz_rtx_wire tests/fuzz/fuzz_rtx_session
endif
tests_fuzz_fuzz_rtx_wire_SOURCES = tests/fuzz/fuzz_rtx_wire.c $(RTX_FUZZ_SOURCES)
tests_fuzz_fuzz_rtx_wire_CFLAGS = $(RTX_FUZZ_CFLAGS)
tests_fuzz_fuzz_rtx_wire_LDFLAGS = $(FUZZ_FLAGS)
tests_fuzz_fuzz_rtx_wire_LDADD = $(SODIUM_LIBS)
tests_fuzz_fuzz_rtx_session_SOURCES = tests/fuzz/fuzz_rtx_session.c $(RTX_FUZZ_SOURCES) $(TU_IDENT)
tests_fuzz_fuzz_rtx_session_CFLAGS = $(RTX_FUZZ_CFLAGS)
tests_fuzz_fuzz_rtx_session_LDFLAGS = $(FUZZ_FLAGS)
tests_fuzz_fuzz_rtx_session_LDADD = $(SODIUM_LIBS)

# The attacks on the responders and the cost of the authentication,
# in-process (tests/bench/security_bench.sh prints it with the lab's).
noinst_PROGRAMS += tests/bench/sec_bench
tests_bench_sec_bench_SOURCES = tests/bench/sec_bench.c $(TU_IDENT)
tests_bench_sec_bench_CFLAGS = $(AM_CFLAGS) -O2 -I$(top_srcdir)/retransmit -I$(top_srcdir)/tests/unit
tests_bench_sec_bench_LDADD = retransmit/librtxcore.la
