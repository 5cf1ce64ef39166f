# mcast-server/: the edge server daemon sixcast-mcast-server. Its modules
# form a convenience library so that unit tests reach them.
noinst_LTLIBRARIES += mcast-server/libedge.la
mcast_server_libedge_la_SOURCES = \
	%reldir%/chan.c %reldir%/chan.h \
	%reldir%/edge.c %reldir%/edge.h \
	%reldir%/edge_cfg.c %reldir%/edge_cfg.h \
	%reldir%/edge_ident.c %reldir%/edge_ident.h %reldir%/edge_mgmt.c %reldir%/edge_mgmt.h \
	%reldir%/edge_mgmt_json.c %reldir%/edge_mgmt_json.h \
	%reldir%/emit.c %reldir%/emit.h \
	%reldir%/pace.c %reldir%/pace.h \
	%reldir%/pcr.c %reldir%/pcr.h \
	%reldir%/ret.c %reldir%/ret.h \
	%reldir%/rtpk.c %reldir%/rtpk.h \
	%reldir%/sdp.c %reldir%/sdp.h \
	%reldir%/src.c %reldir%/src.h %reldir%/src_int.h \
	%reldir%/src_gst.c %reldir%/src_udp.c \
	%reldir%/tsfix.c %reldir%/tsfix.h \
	%reldir%/tsin.c %reldir%/tsin.h
mcast_server_libedge_la_CFLAGS = $(AM_CFLAGS) $(TS_CFLAGS) $(GST_CFLAGS) $(JANSSON_CFLAGS) $(SODIUM_CFLAGS) \
	$(CONFIG_CFLAGS) $(MHD_CFLAGS) $(CURL_CFLAGS) -I$(top_srcdir)/retransmit -I$(top_srcdir)/igmp-mld \
	-I$(top_srcdir)/client/mesh
mcast_server_libedge_la_LIBADD = ts/libscts.la common/libsccommon.la retransmit/librtxcore.la igmp-mld/libmldcore.la \
	client/mesh/libscmesh.la \
	$(GST_LIBS) $(JANSSON_LIBS) \
	$(SODIUM_LIBS) $(CURL_LIBS)

sbin_PROGRAMS += mcast-server/sixcast-mcast-server
mcast_server_sixcast_mcast_server_SOURCES = %reldir%/main.c
mcast_server_sixcast_mcast_server_CFLAGS = $(AM_CFLAGS) $(TS_CFLAGS) $(GST_CFLAGS) $(CONFIG_CFLAGS) -I$(top_srcdir)/retransmit \
	-DSYSCONFDIR='"$(sysconfdir)"'
mcast_server_sixcast_mcast_server_LDADD = mcast-server/libedge.la

# tsrec: records a channel and checks TS continuity (lab tests, demo).
noinst_PROGRAMS += tests/tools/tsrec
tests_tools_tsrec_SOURCES = tests/tools/tsrec.c
tests_tools_tsrec_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/mcast-server $(TS_CFLAGS) -I$(top_srcdir)/retransmit \
	-I$(top_srcdir)/client/mesh
tests_tools_tsrec_LDADD = mcast-server/libedge.la

# Benchmarks: built, never run by make check (see tests/bench/edge_bench.sh).
noinst_PROGRAMS += tests/bench/pcapgaps
tests_bench_pcapgaps_SOURCES = tests/bench/pcapgaps.c
tests_bench_pcapgaps_CFLAGS = $(AM_CFLAGS) $(PCAP_CFLAGS)
tests_bench_pcapgaps_LDADD = common/libsccommon.la $(PCAP_LIBS)
EXTRA_DIST += tests/bench/edge_bench.sh tests/bench/edge_ret_bench.sh

EDGE_TEST_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/mcast-server $(TS_CFLAGS) -I$(top_srcdir)/retransmit \
	-I$(top_srcdir)/client/mesh $(GST_CFLAGS)
EDGE_TEST_LDADD = mcast-server/libedge.la $(UNIT_LDADD)

UNIT_TESTS += \
	tests/unit/test_pcr \
	tests/unit/test_tsin \
	tests/unit/test_tsfix \
	tests/unit/test_rtpk \
	tests/unit/test_edge_mesh \
	tests/unit/test_edge_ret \
	tests/unit/test_edge_cfg tests/unit/test_edge_mgmt_json \
	tests/unit/test_edge_mgmt
tests_unit_test_pcr_SOURCES = tests/unit/test_pcr.c $(TSGEN) $(TU)
tests_unit_test_pcr_CFLAGS = $(EDGE_TEST_CFLAGS)
tests_unit_test_pcr_LDADD = $(EDGE_TEST_LDADD)
tests_unit_test_tsin_SOURCES = tests/unit/test_tsin.c $(TSGEN) $(TU)
tests_unit_test_tsin_CFLAGS = $(EDGE_TEST_CFLAGS)
tests_unit_test_tsin_LDADD = $(EDGE_TEST_LDADD)
tests_unit_test_tsfix_SOURCES = tests/unit/test_tsfix.c $(TSGEN) $(TU)
tests_unit_test_tsfix_CFLAGS = $(EDGE_TEST_CFLAGS)
tests_unit_test_tsfix_LDADD = $(EDGE_TEST_LDADD)
tests_unit_test_rtpk_SOURCES = tests/unit/test_rtpk.c $(TSGEN) $(TU)
tests_unit_test_rtpk_CFLAGS = $(EDGE_TEST_CFLAGS)
tests_unit_test_rtpk_LDADD = $(EDGE_TEST_LDADD)
tests_unit_test_edge_mesh_SOURCES = tests/unit/test_edge_mesh.c $(TU) $(TU_IDENT)
tests_unit_test_edge_mesh_CFLAGS = $(EDGE_TEST_CFLAGS) $(SODIUM_CFLAGS)
tests_unit_test_edge_mesh_LDADD = $(EDGE_TEST_LDADD)
tests_unit_test_edge_ret_SOURCES = tests/unit/test_edge_ret.c $(TSGEN) $(TU) $(TU_IDENT) $(TU_NET)
tests_unit_test_edge_ret_CFLAGS = $(EDGE_TEST_CFLAGS) $(SODIUM_CFLAGS)
tests_unit_test_edge_ret_LDADD = $(EDGE_TEST_LDADD)
tests_unit_test_edge_cfg_SOURCES = tests/unit/test_edge_cfg.c $(TU)
tests_unit_test_edge_cfg_CFLAGS = $(EDGE_TEST_CFLAGS)
tests_unit_test_edge_cfg_LDADD = $(EDGE_TEST_LDADD)
tests_unit_test_edge_mgmt_json_SOURCES = tests/unit/test_edge_mgmt_json.c $(TU)
tests_unit_test_edge_mgmt_json_CFLAGS = $(EDGE_TEST_CFLAGS)
tests_unit_test_edge_mgmt_json_LDADD = $(EDGE_TEST_LDADD)
# --wrap: the test counts edge_mgmt's requests until their callback returned
# (test_edge_mgmt.c says why), without a seam in the product.
tests_unit_test_edge_mgmt_SOURCES = tests/unit/test_edge_mgmt.c $(TU) $(TU_IDENT) $(TU_NET)
tests_unit_test_edge_mgmt_CFLAGS = $(EDGE_TEST_CFLAGS) $(SODIUM_CFLAGS) $(JANSSON_CFLAGS) $(MHD_CFLAGS)
tests_unit_test_edge_mgmt_LDFLAGS = -Wl,--wrap=sc_httpc_request
tests_unit_test_edge_mgmt_LDADD = $(EDGE_TEST_LDADD)

# Fuzz target of the edge's parsers of management answers (./configure
# CC=clang-14 --enable-fuzzers; tests/fuzz/README.md).
if ENABLE_FUZZERS
noinst_PROGRAMS += tests/fuzz/fuzz_edge_mgmt
endif
tests_fuzz_fuzz_edge_mgmt_SOURCES = tests/fuzz/fuzz_edge_mgmt.c mcast-server/edge_mgmt_json.c
tests_fuzz_fuzz_edge_mgmt_CFLAGS = $(AM_CFLAGS) $(FUZZ_FLAGS) $(JANSSON_CFLAGS) $(SODIUM_CFLAGS) \
	-I$(top_srcdir)/mcast-server
tests_fuzz_fuzz_edge_mgmt_LDFLAGS = $(FUZZ_FLAGS)
tests_fuzz_fuzz_edge_mgmt_LDADD = $(JANSSON_LIBS) $(SODIUM_LIBS)

INTEGRATION_TESTS += tests/integration/edge_lab.sh tests/integration/edge_ret_lab.sh tests/integration/edge_mgmt_lab.sh

EXTRA_DIST += %reldir%/README.md %reldir%/sixcast-mcast-server.conf.example

# rtxprobe: a set-top box reduced to RET and fast channel change (lab tests,
# benchmarks).
noinst_PROGRAMS += tests/tools/rtxprobe
tests_tools_rtxprobe_SOURCES = tests/tools/rtxprobe.c tests/tools/probe_ident.c tests/tools/probe_ident.h
tests_tools_rtxprobe_CFLAGS = $(AM_CFLAGS) $(SODIUM_CFLAGS) $(CURL_CFLAGS) $(JANSSON_CFLAGS) -I$(top_srcdir)/mcast-server $(TS_CFLAGS) \
	-I$(top_srcdir)/retransmit -I$(top_srcdir)/igmp-mld -I$(top_srcdir)/client/mesh
tests_tools_rtxprobe_LDADD = mcast-server/libedge.la $(SODIUM_LIBS) $(CURL_LIBS) $(JANSSON_LIBS)

# sxforge: a viewer (registered like rtxprobe) that seals datagrams as
# itself or as another box, for the attack suite (tests/security/).
noinst_PROGRAMS += tests/security/sxforge
tests_security_sxforge_SOURCES = tests/security/sxforge.c tests/tools/probe_ident.c tests/tools/probe_ident.h
tests_security_sxforge_CFLAGS = $(tests_tools_rtxprobe_CFLAGS) -I$(top_srcdir)/tests/tools
tests_security_sxforge_LDADD = $(tests_tools_rtxprobe_LDADD)
