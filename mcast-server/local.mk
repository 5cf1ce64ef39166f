# mcast-server/: the edge server daemon sixcast-mcast-server. Its modules
# form a convenience library so that unit tests reach them.
noinst_LTLIBRARIES += mcast-server/libedge.la
mcast_server_libedge_la_SOURCES = \
	%reldir%/pcr.c %reldir%/pcr.h \
	%reldir%/rtpk.c %reldir%/rtpk.h \
	%reldir%/ts.c %reldir%/ts.h \
	%reldir%/tsin.c %reldir%/tsin.h
mcast_server_libedge_la_LIBADD = common/libsccommon.la

EDGE_TEST_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/mcast-server
EDGE_TEST_LDADD = mcast-server/libedge.la $(UNIT_LDADD)
TSGEN = tests/unit/tsgen.c tests/unit/tsgen.h

UNIT_TESTS += \
	tests/unit/test_ts \
	tests/unit/test_pcr \
	tests/unit/test_tsin \
	tests/unit/test_rtpk
tests_unit_test_ts_SOURCES = tests/unit/test_ts.c $(TSGEN) $(TU)
tests_unit_test_ts_CFLAGS = $(EDGE_TEST_CFLAGS)
tests_unit_test_ts_LDADD = $(EDGE_TEST_LDADD)
tests_unit_test_pcr_SOURCES = tests/unit/test_pcr.c $(TSGEN) $(TU)
tests_unit_test_pcr_CFLAGS = $(EDGE_TEST_CFLAGS)
tests_unit_test_pcr_LDADD = $(EDGE_TEST_LDADD)
tests_unit_test_tsin_SOURCES = tests/unit/test_tsin.c $(TSGEN) $(TU)
tests_unit_test_tsin_CFLAGS = $(EDGE_TEST_CFLAGS)
tests_unit_test_tsin_LDADD = $(EDGE_TEST_LDADD)
tests_unit_test_rtpk_SOURCES = tests/unit/test_rtpk.c $(TSGEN) $(TU)
tests_unit_test_rtpk_CFLAGS = $(EDGE_TEST_CFLAGS)
tests_unit_test_rtpk_LDADD = $(EDGE_TEST_LDADD)

EXTRA_DIST += %reldir%/README.md
