# retransmit/: buffers and the repair protocol, installed with its header
# and pkg-config file. Same split as igmp-mld: a convenience library for
# the tests, an installed one exporting rtx_*.
noinst_LTLIBRARIES += retransmit/librtxcore.la
retransmit_librtxcore_la_SOURCES = \
	%reldir%/rtx.h \
	%reldir%/rtx_version.c
retransmit_librtxcore_la_CFLAGS = $(AM_CFLAGS) $(SODIUM_CFLAGS)
retransmit_librtxcore_la_LIBADD = common/libsccommon.la $(SODIUM_LIBS)

lib_LTLIBRARIES += retransmit/libsixcast-retransmit.la
retransmit_libsixcast_retransmit_la_SOURCES =
retransmit_libsixcast_retransmit_la_LIBADD = retransmit/librtxcore.la
retransmit_libsixcast_retransmit_la_LDFLAGS = $(AM_LDFLAGS) -version-info $(RTX_LT_VERSION) \
	-export-symbols-regex '^rtx_'

sixcastinclude_HEADERS += %reldir%/rtx.h
pkgconfig_DATA += %reldir%/sixcast-retransmit.pc
EXTRA_DIST += %reldir%/sixcast-retransmit.pc.in %reldir%/README.md

UNIT_TESTS += tests/unit/test_rtx
tests_unit_test_rtx_SOURCES = tests/unit/test_rtx.c $(TU)
tests_unit_test_rtx_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/retransmit
tests_unit_test_rtx_LDADD = retransmit/librtxcore.la $(UNIT_LDADD)
