# tests/unit/: what every CUnit program shares. Each folder's local.mk
# lists its own test programs in UNIT_TESTS, e.g.
#   UNIT_TESTS += tests/unit/test_sc_rtp
#   tests_unit_test_sc_rtp_SOURCES = tests/unit/test_sc_rtp.c $(TU)
#   tests_unit_test_sc_rtp_CFLAGS = $(UNIT_CFLAGS)
#   tests_unit_test_sc_rtp_LDADD = $(UNIT_LDADD)
UNIT_LDADD = common/libsccommon.la $(CUNIT_LIBS)
UNIT_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS) $(CONFIG_CFLAGS) -I$(top_srcdir)/tests/unit
TU = %reldir%/tu.c %reldir%/tu.h
# A CA and member identities for the tests of authenticated protocols.
TU_IDENT = %reldir%/tu_ident.c %reldir%/tu_ident.h
# Loopback clients for the tests of HTTP servers.
TU_NET = %reldir%/tu_net.c %reldir%/tu_net.h
