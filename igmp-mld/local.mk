# igmp-mld/: the group membership library, installed with its headers and
# pkg-config file, and the sixcast-mldmon tool. The code lives in a
# convenience library so that unit tests can reach internal symbols; the
# installed library exports mld_* only.
MLD_PUBHDRS = \
	%reldir%/mld.h \
	%reldir%/mld_types.h \
	%reldir%/mld_cap.h \
	%reldir%/mld_link.h \
	%reldir%/mld_memb.h \
	%reldir%/mld_pkt.h \
	%reldir%/mld_sock.h \
	%reldir%/mld_table.h

noinst_LTLIBRARIES += igmp-mld/libmldcore.la
igmp_mld_libmldcore_la_SOURCES = \
	$(MLD_PUBHDRS) \
	%reldir%/mld_internal.h \
	%reldir%/mld_addr.c \
	%reldir%/mld_cap.c \
	%reldir%/mld_fast.c \
	%reldir%/mld_link.c \
	%reldir%/mld_memb.c \
	%reldir%/mld_pkt.c \
	%reldir%/mld_proc.c \
	%reldir%/mld_sock.c \
	%reldir%/mld_table.c
igmp_mld_libmldcore_la_CFLAGS = $(AM_CFLAGS) $(NL_CFLAGS) $(PCAP_CFLAGS)
igmp_mld_libmldcore_la_LIBADD = common/libsccommon.la $(NL_LIBS) $(PCAP_LIBS)

lib_LTLIBRARIES += igmp-mld/libsixcast-igmp-mld.la
igmp_mld_libsixcast_igmp_mld_la_SOURCES =
igmp_mld_libsixcast_igmp_mld_la_LIBADD = igmp-mld/libmldcore.la
igmp_mld_libsixcast_igmp_mld_la_LDFLAGS = $(AM_LDFLAGS) -version-info $(MLD_LT_VERSION) \
	-export-symbols-regex '^mld_'

sixcastinclude_HEADERS += $(MLD_PUBHDRS)
pkgconfig_DATA += %reldir%/sixcast-igmp-mld.pc
EXTRA_DIST += %reldir%/sixcast-igmp-mld.pc.in %reldir%/README.md docs/igmp-mld.md

UNIT_TESTS += tests/unit/test_mld
tests_unit_test_mld_SOURCES = tests/unit/test_mld.c $(TU)
tests_unit_test_mld_CFLAGS = $(MLD_TEST_CFLAGS)
tests_unit_test_mld_LDADD = $(MLD_TEST_LDADD)

MLD_TEST_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/igmp-mld $(PCAP_CFLAGS) \
	-DMLD_TEST_DATA='"$(abs_top_srcdir)/tests/unit/data"'
MLD_TEST_LDADD = igmp-mld/libmldcore.la $(UNIT_LDADD)
UNIT_TESTS += tests/unit/test_mld_pkt
tests_unit_test_mld_pkt_SOURCES = tests/unit/test_mld_pkt.c tests/unit/mld_captured.h $(TU)
tests_unit_test_mld_pkt_CFLAGS = $(MLD_TEST_CFLAGS)
tests_unit_test_mld_pkt_LDADD = $(MLD_TEST_LDADD)
UNIT_TESTS += tests/unit/test_mld_table
tests_unit_test_mld_table_SOURCES = tests/unit/test_mld_table.c tests/unit/mld_captured.h \
	tests/unit/mld_testpkt.h $(TU)
tests_unit_test_mld_table_CFLAGS = $(MLD_TEST_CFLAGS)
tests_unit_test_mld_table_LDADD = $(MLD_TEST_LDADD)
UNIT_TESTS += tests/unit/test_mld_memb
tests_unit_test_mld_memb_SOURCES = tests/unit/test_mld_memb.c $(TU)
tests_unit_test_mld_memb_CFLAGS = $(MLD_TEST_CFLAGS)
tests_unit_test_mld_memb_LDADD = $(MLD_TEST_LDADD)
UNIT_TESTS += tests/unit/test_mld_sock
tests_unit_test_mld_sock_SOURCES = tests/unit/test_mld_sock.c tests/unit/mld_netns.h $(TU)
tests_unit_test_mld_sock_CFLAGS = $(MLD_TEST_CFLAGS)
tests_unit_test_mld_sock_LDADD = $(MLD_TEST_LDADD)
UNIT_TESTS += tests/unit/test_mld_link
tests_unit_test_mld_link_SOURCES = tests/unit/test_mld_link.c tests/unit/mld_netns.h $(TU)
tests_unit_test_mld_link_CFLAGS = $(MLD_TEST_CFLAGS)
tests_unit_test_mld_link_LDADD = $(MLD_TEST_LDADD)
UNIT_TESTS += tests/unit/test_mld_cap
tests_unit_test_mld_cap_SOURCES = tests/unit/test_mld_cap.c tests/unit/mld_netns.h \
	tests/unit/mld_testpkt.h $(TU)
tests_unit_test_mld_cap_CFLAGS = $(MLD_TEST_CFLAGS)
tests_unit_test_mld_cap_LDADD = $(MLD_TEST_LDADD) $(PCAP_LIBS)
EXTRA_DIST += tests/unit/data/mld_lab.pcap

bin_PROGRAMS += igmp-mld/sixcast-mldmon
igmp_mld_sixcast_mldmon_SOURCES = %reldir%/mldmon.c %reldir%/mldmon_fmt.c %reldir%/mldmon_fmt.h
igmp_mld_sixcast_mldmon_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
igmp_mld_sixcast_mldmon_LDADD = igmp-mld/libmldcore.la common/libsccommon.la $(JANSSON_LIBS)

INTEGRATION_TESTS += tests/integration/mld_watch.sh
INTEGRATION_TESTS += tests/integration/mld_ssm.sh tests/integration/mld_flap.sh

# libFuzzer targets over the decoders, the table and the /proc parsers:
# their sources are compiled into each target with the fuzzer's
# instrumentation. Only with --enable-fuzzers (CC=clang); corpus seeds in
# tests/fuzz/corpus/.
if ENABLE_FUZZERS
MLD_FUZZ_FLAGS = $(FUZZ_FLAGS)
noinst_PROGRAMS += tests/fuzz/fuzz_mld_decode tests/fuzz/fuzz_mld_proc
tests_fuzz_fuzz_mld_decode_SOURCES = tests/fuzz/fuzz_mld_decode.c \
	igmp-mld/mld_pkt.c igmp-mld/mld_table.c igmp-mld/mld_addr.c
tests_fuzz_fuzz_mld_decode_CFLAGS = $(AM_CFLAGS) $(MLD_FUZZ_FLAGS) -I$(top_srcdir)/igmp-mld
tests_fuzz_fuzz_mld_decode_LDFLAGS = $(MLD_FUZZ_FLAGS)
tests_fuzz_fuzz_mld_proc_SOURCES = tests/fuzz/fuzz_mld_proc.c igmp-mld/mld_proc.c \
	igmp-mld/mld_addr.c
tests_fuzz_fuzz_mld_proc_CFLAGS = $(AM_CFLAGS) $(MLD_FUZZ_FLAGS) -I$(top_srcdir)/igmp-mld
tests_fuzz_fuzz_mld_proc_LDFLAGS = $(MLD_FUZZ_FLAGS)
endif

# Benchmarks (tests/bench/): built with the tree, run by hand, never by
# make check. tests/bench/mld_decode.sh and tests/bench/mld_joinlat.sh.
noinst_PROGRAMS += tests/bench/bench_mld_decode tests/bench/bench_mld_joinlat
tests_bench_bench_mld_decode_SOURCES = tests/bench/bench_mld_decode.c tests/unit/mld_captured.h \
	tests/unit/mld_testpkt.h
tests_bench_bench_mld_decode_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/igmp-mld -I$(top_srcdir)/tests/unit \
	$(PCAP_CFLAGS)
tests_bench_bench_mld_decode_LDADD = igmp-mld/libmldcore.la common/libsccommon.la $(PCAP_LIBS)
tests_bench_bench_mld_joinlat_SOURCES = tests/bench/bench_mld_joinlat.c
tests_bench_bench_mld_joinlat_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/igmp-mld $(PCAP_CFLAGS)
tests_bench_bench_mld_joinlat_LDADD = igmp-mld/libmldcore.la common/libsccommon.la $(PCAP_LIBS)
EXTRA_DIST += tests/bench/mld_decode.sh tests/bench/mld_joinlat.sh \
	tests/tools/mld-capture.sh tests/tools/mld-pcap2c.sh
