# client/: the set-top box daemon sixcast-client and its CLI. Its modules
# form a convenience library so that unit tests reach them.
noinst_LTLIBRARIES += client/libstb.la
client_libstb_la_SOURCES = \
	%reldir%/hts.c %reldir%/hts.h %reldir%/hts_req.c %reldir%/hts_req.h \
	%reldir%/mgc_json.c %reldir%/mgc_json.h \
	%reldir%/peers.c %reldir%/peers.h \
	%reldir%/player.c %reldir%/player.h %reldir%/play_proto.h \
	%reldir%/rec.c %reldir%/rec.h \
	%reldir%/stb.c %reldir%/stb.h %reldir%/stb_int.h \
	%reldir%/stb_api.c %reldir%/stb_ident.c %reldir%/stb_mesh.c %reldir%/stb_mgmt.c %reldir%/stb_out.c %reldir%/stb_tuner.c \
	%reldir%/stb_cfg.c %reldir%/stb_cfg.h
client_libstb_la_CFLAGS = $(AM_CFLAGS) $(TS_CFLAGS) $(JANSSON_CFLAGS) $(CONFIG_CFLAGS) \
	-I$(top_srcdir)/igmp-mld -I$(top_srcdir)/retransmit -I$(top_srcdir)/client/mesh \
	-DPKGLIBEXECDIR='"$(pkglibexecdir)"'
client_libstb_la_LIBADD = ts/libscts.la common/libsccommon.la igmp-mld/libmldcore.la retransmit/librtxcore.la \
	client/mesh/libscmesh.la $(JANSSON_LIBS) $(SODIUM_LIBS)

sbin_PROGRAMS += client/sixcast-client
client_sixcast_client_SOURCES = %reldir%/main.c
client_sixcast_client_CFLAGS = $(AM_CFLAGS) $(TS_CFLAGS) $(CONFIG_CFLAGS) -I$(top_srcdir)/client/mesh \
	-DSYSCONFDIR='"$(sysconfdir)"'
client_sixcast_client_LDADD = client/libstb.la
# Only the libraries the daemon calls become its dependencies: libsccommon's
# libmicrohttpd (sc_httpd, the servers') is not one of them (issue 7: RSS).
client_sixcast_client_LDFLAGS = $(AM_LDFLAGS) -Wl,--as-needed

# The player runs in a helper process, so that the daemon links neither
# GStreamer nor GLib (issue 7: the daemon's RSS).
pkglibexec_PROGRAMS = client/sixcast-play
client_sixcast_play_SOURCES = %reldir%/sixcast-play.c %reldir%/play_proto.h
client_sixcast_play_CFLAGS = $(AM_CFLAGS) $(GST_CFLAGS)
client_sixcast_play_LDADD = $(GST_LIBS)

bin_PROGRAMS += client/sixcast-stb
client_sixcast_stb_SOURCES = %reldir%/stbctl.c
client_sixcast_stb_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(JANSSON_CFLAGS) $(CONFIG_CFLAGS) \
	-DSYSCONFDIR='"$(sysconfdir)"'
client_sixcast_stb_LDADD = common/libsccommon.la $(CURL_LIBS) $(JANSSON_LIBS) $(CONFIG_LIBS)
client_sixcast_stb_LDFLAGS = $(AM_LDFLAGS) -Wl,--as-needed

STB_TEST_CFLAGS = $(UNIT_CFLAGS) $(TS_CFLAGS) -I$(top_srcdir)/client -I$(top_srcdir)/client/mesh
STB_TEST_LDADD = client/libstb.la $(UNIT_LDADD)
UNIT_TESTS += tests/unit/test_hts tests/unit/test_hts_req tests/unit/test_player tests/unit/test_mgc_json \
	tests/unit/test_peers tests/unit/test_stb_cfg tests/unit/test_stb_secret
tests_unit_test_hts_SOURCES = tests/unit/test_hts.c $(TSGEN) $(TU) $(TU_NET)
tests_unit_test_hts_CFLAGS = $(STB_TEST_CFLAGS)
tests_unit_test_hts_LDADD = $(STB_TEST_LDADD)
tests_unit_test_hts_req_SOURCES = tests/unit/test_hts_req.c $(TU)
tests_unit_test_hts_req_CFLAGS = $(STB_TEST_CFLAGS)
tests_unit_test_hts_req_LDADD = $(STB_TEST_LDADD)
tests_unit_test_player_SOURCES = tests/unit/test_player.c $(TU)
tests_unit_test_player_CFLAGS = $(STB_TEST_CFLAGS) $(GST_CFLAGS) \
	-DPLAY_HELPER='"$(abs_top_builddir)/client/sixcast-play"'
tests_unit_test_player_LDADD = $(STB_TEST_LDADD) $(GST_LIBS)

tests_unit_test_mgc_json_SOURCES = tests/unit/test_mgc_json.c $(TU)
tests_unit_test_mgc_json_CFLAGS = $(STB_TEST_CFLAGS)
tests_unit_test_mgc_json_LDADD = $(STB_TEST_LDADD)
tests_unit_test_peers_SOURCES = tests/unit/test_peers.c $(TU)
tests_unit_test_peers_CFLAGS = $(STB_TEST_CFLAGS)
tests_unit_test_peers_LDADD = $(STB_TEST_LDADD)
tests_unit_test_stb_cfg_SOURCES = tests/unit/test_stb_cfg.c $(TU)
tests_unit_test_stb_cfg_CFLAGS = $(STB_TEST_CFLAGS)
tests_unit_test_stb_cfg_LDADD = $(STB_TEST_LDADD)
tests_unit_test_stb_secret_SOURCES = tests/unit/test_stb_secret.c $(TU)
tests_unit_test_stb_secret_CFLAGS = $(STB_TEST_CFLAGS)
tests_unit_test_stb_secret_LDADD = $(STB_TEST_LDADD)

EXTRA_DIST += %reldir%/README.md %reldir%/sixcast-client.conf.example docs/client.md
INTEGRATION_TESTS += tests/integration/client_lab.sh tests/integration/client_mesh_lab.sh
EXTRA_DIST += tests/integration/client_lib.sh

# Fuzz targets of the box's parsers of management answers and of its HTTP
# output's requests (./configure CC=clang-14 --enable-fuzzers;
# tests/fuzz/README.md).
if ENABLE_FUZZERS
noinst_PROGRAMS += tests/fuzz/fuzz_mgc_json tests/fuzz/fuzz_hts_req
endif
tests_fuzz_fuzz_mgc_json_SOURCES = tests/fuzz/fuzz_mgc_json.c client/mgc_json.c common/sc_addr.c retransmit/rtx_cert.c
tests_fuzz_fuzz_mgc_json_CFLAGS = $(AM_CFLAGS) $(FUZZ_FLAGS) $(JANSSON_CFLAGS) $(SODIUM_CFLAGS) -I$(top_srcdir)/client \
	-I$(top_srcdir)/retransmit
tests_fuzz_fuzz_mgc_json_LDFLAGS = $(FUZZ_FLAGS)
tests_fuzz_fuzz_mgc_json_LDADD = $(JANSSON_LIBS) $(SODIUM_LIBS)
tests_fuzz_fuzz_hts_req_SOURCES = tests/fuzz/fuzz_hts_req.c client/hts_req.c common/sc_addr.c
tests_fuzz_fuzz_hts_req_CFLAGS = $(AM_CFLAGS) $(FUZZ_FLAGS) -I$(top_srcdir)/client
tests_fuzz_fuzz_hts_req_LDFLAGS = $(FUZZ_FLAGS)

# The box's core in process: a fake management server, a fake clock.
# test_stb_repair: zap with and without a burst, repair escalation from the
# group to RET, against test sockets in the namespace.
TU_STB = tests/unit/tu_stb.c tests/unit/tu_stb.h tests/unit/mld_netns.h $(TU) $(TU_IDENT) $(TU_NET)
UNIT_TESTS += tests/unit/test_stb tests/unit/test_stb_repair tests/unit/test_stb_mesh
tests_unit_test_stb_SOURCES = tests/unit/test_stb.c $(TU_STB)
tests_unit_test_stb_CFLAGS = $(STB_TEST_CFLAGS) $(JANSSON_CFLAGS) -I$(top_srcdir)/igmp-mld -I$(top_srcdir)/retransmit
tests_unit_test_stb_LDADD = $(STB_TEST_LDADD) $(JANSSON_LIBS)
tests_unit_test_stb_repair_SOURCES = tests/unit/test_stb_repair.c $(TU_STB)
tests_unit_test_stb_repair_CFLAGS = $(tests_unit_test_stb_CFLAGS)
tests_unit_test_stb_repair_LDADD = $(tests_unit_test_stb_LDADD)
# test_stb_mesh: the switch to the P2P mesh and back, the edge's hosting node
# played by a libscmesh node of the test.
tests_unit_test_stb_mesh_SOURCES = tests/unit/test_stb_mesh.c $(TU_STB)
tests_unit_test_stb_mesh_CFLAGS = $(tests_unit_test_stb_CFLAGS)
tests_unit_test_stb_mesh_LDADD = $(tests_unit_test_stb_LDADD)
