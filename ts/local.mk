# ts/: MPEG transport stream pieces shared by the edge, the box and the
# test tools: packet accessors and PSI (ts), random access points from the
# elementary stream (ts_es), the clean start of an output (ts_start) and
# the splice of channels into one continuous output (ts_splice). A
# convenience library with no dependency beyond common/'s byte accessors
# (header only).
noinst_LTLIBRARIES += ts/libscts.la
ts_libscts_la_SOURCES = \
	%reldir%/ts.c %reldir%/ts.h \
	%reldir%/ts_cc.c %reldir%/ts_cc.h \
	%reldir%/ts_es.c %reldir%/ts_es.h \
	%reldir%/ts_splice.c %reldir%/ts_splice.h \
	%reldir%/ts_start.c %reldir%/ts_start.h
ts_libscts_la_CFLAGS = $(AM_CFLAGS)

TS_CFLAGS = -I$(top_srcdir)/ts

# Packet builders of the tests of ts/ and of its users.
TSGEN = tests/unit/tsgen.c tests/unit/tsgen.h
TS_TEST_CFLAGS = $(UNIT_CFLAGS) $(TS_CFLAGS)
TS_TEST_LDADD = ts/libscts.la $(UNIT_LDADD)
UNIT_TESTS += tests/unit/test_ts tests/unit/test_ts_es tests/unit/test_ts_start tests/unit/test_ts_splice
tests_unit_test_ts_SOURCES = tests/unit/test_ts.c $(TSGEN) $(TU)
tests_unit_test_ts_CFLAGS = $(TS_TEST_CFLAGS)
tests_unit_test_ts_LDADD = $(TS_TEST_LDADD)
tests_unit_test_ts_es_SOURCES = tests/unit/test_ts_es.c $(TSGEN) $(TU)
tests_unit_test_ts_es_CFLAGS = $(TS_TEST_CFLAGS)
tests_unit_test_ts_es_LDADD = $(TS_TEST_LDADD)
tests_unit_test_ts_start_SOURCES = tests/unit/test_ts_start.c $(TSGEN) $(TU)
tests_unit_test_ts_start_CFLAGS = $(TS_TEST_CFLAGS)
tests_unit_test_ts_start_LDADD = $(TS_TEST_LDADD)
tests_unit_test_ts_splice_SOURCES = tests/unit/test_ts_splice.c $(TSGEN) $(TU)
tests_unit_test_ts_splice_CFLAGS = $(TS_TEST_CFLAGS)
tests_unit_test_ts_splice_LDADD = $(TS_TEST_LDADD)

# tsstart: ts_start over TS files (tests/integration/ts_start.sh).
noinst_PROGRAMS += tests/tools/tsstart
tests_tools_tsstart_SOURCES = tests/tools/tsstart.c
tests_tools_tsstart_CFLAGS = $(AM_CFLAGS) $(TS_CFLAGS)
tests_tools_tsstart_LDADD = ts/libscts.la
# Real encoders' streams through tsstart, checked by ffmpeg (SKIP without).
INTEGRATION_TESTS += tests/integration/ts_start.sh

# Fuzz target of the TS readers (./configure CC=clang-14 --enable-fuzzers;
# tests/fuzz/README.md).
if ENABLE_FUZZERS
noinst_PROGRAMS += tests/fuzz/fuzz_ts
endif
tests_fuzz_fuzz_ts_SOURCES = tests/fuzz/fuzz_ts.c ts/ts.c ts/ts_cc.c ts/ts_es.c ts/ts_splice.c ts/ts_start.c
tests_fuzz_fuzz_ts_CFLAGS = $(AM_CFLAGS) $(FUZZ_FLAGS) $(TS_CFLAGS)
tests_fuzz_fuzz_ts_LDFLAGS = $(FUZZ_FLAGS)
