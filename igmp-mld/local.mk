# igmp-mld/: the group membership library, installed with its header and
# pkg-config file. The code lives in a convenience library so that unit
# tests can reach internal symbols; the installed library exports mld_*.
noinst_LTLIBRARIES += igmp-mld/libmldcore.la
igmp_mld_libmldcore_la_SOURCES = \
	%reldir%/mld.h \
	%reldir%/mld_version.c
igmp_mld_libmldcore_la_CFLAGS = $(AM_CFLAGS) $(NL_CFLAGS) $(PCAP_CFLAGS)
igmp_mld_libmldcore_la_LIBADD = common/libsccommon.la $(NL_LIBS) $(PCAP_LIBS)

lib_LTLIBRARIES += igmp-mld/libsixcast-igmp-mld.la
igmp_mld_libsixcast_igmp_mld_la_SOURCES =
igmp_mld_libsixcast_igmp_mld_la_LIBADD = igmp-mld/libmldcore.la
igmp_mld_libsixcast_igmp_mld_la_LDFLAGS = $(AM_LDFLAGS) -version-info $(MLD_LT_VERSION) \
	-export-symbols-regex '^mld_'

sixcastinclude_HEADERS += %reldir%/mld.h
pkgconfig_DATA += %reldir%/sixcast-igmp-mld.pc
EXTRA_DIST += %reldir%/sixcast-igmp-mld.pc.in %reldir%/README.md

UNIT_TESTS += tests/unit/test_mld
tests_unit_test_mld_SOURCES = tests/unit/test_mld.c $(TU)
tests_unit_test_mld_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/igmp-mld
tests_unit_test_mld_LDADD = igmp-mld/libmldcore.la $(UNIT_LDADD)
