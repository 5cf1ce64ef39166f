# mgmt-server/: the management daemon sixcast-mgmt-server. Its modules go
# into a convenience library so that the unit tests reach them directly.
noinst_LTLIBRARIES += mgmt-server/libmgcore.la
mgmt_server_libmgcore_la_SOURCES = \
	%reldir%/grp.c %reldir%/grp.h \
	%reldir%/trk.c %reldir%/trk.h \
	%reldir%/mg_map.c %reldir%/mg_map.h \
	%reldir%/mg_lineup.c %reldir%/mg_lineup.h \
	%reldir%/mg_cfg.c %reldir%/mg_cfg_lineup.c %reldir%/mg_cfg.h \
	%reldir%/mg_store.c %reldir%/mg_store_read.c %reldir%/mg_store.h \
	%reldir%/mg_json.c %reldir%/mg_json.h %reldir%/mg_bodies.c %reldir%/mg_bodies.h \
	%reldir%/mg_auth.c %reldir%/mg_auth.h \
	%reldir%/mg_stats.c %reldir%/mg_stats.h \
	%reldir%/mg_state.c %reldir%/mg_state.h %reldir%/mg_state_priv.h \
	%reldir%/mg_state_load.c %reldir%/mg_clients.c %reldir%/mg_edges.c %reldir%/mg_trust.c \
	%reldir%/mg_lineup_ops.c \
	%reldir%/mg_metrics.c %reldir%/mg_metrics.h \
	%reldir%/mg_http.c %reldir%/mg_http.h \
	%reldir%/mg_view.c %reldir%/mg_view.h %reldir%/mg_jw.c %reldir%/mg_jw.h \
	%reldir%/mg_api.c %reldir%/mg_api.h %reldir%/mg_api_box.c %reldir%/mg_api_edge.c \
	%reldir%/mg_api_lineup.c %reldir%/mg_api_noc.c %reldir%/mg_api_summary.c
MG_DEP_CFLAGS = $(CONFIG_CFLAGS) $(SQLITE_CFLAGS) $(JANSSON_CFLAGS) $(SODIUM_CFLAGS) $(MHD_CFLAGS) \
	-I$(top_srcdir)/retransmit
MG_DEP_LIBS = $(CONFIG_LIBS) $(SQLITE_LIBS) $(JANSSON_LIBS) $(SODIUM_LIBS) $(MHD_LIBS)
mgmt_server_libmgcore_la_CFLAGS = $(AM_CFLAGS) $(MG_DEP_CFLAGS) -pthread
# librtxcore: the member certificates (rtx_ident.h) the server signs.
mgmt_server_libmgcore_la_LIBADD = retransmit/librtxcore.la common/libsccommon.la $(MG_DEP_LIBS) \
	-lpthread

sbin_PROGRAMS += mgmt-server/sixcast-mgmt-server
mgmt_server_sixcast_mgmt_server_SOURCES = %reldir%/mg_main.c
mgmt_server_sixcast_mgmt_server_CFLAGS = $(AM_CFLAGS) $(MG_DEP_CFLAGS) \
	-DSC_SYSCONFDIR='"$(sysconfdir)"' -DSC_CONSOLEDIR='"$(pkgdatadir)/console"'
mgmt_server_sixcast_mgmt_server_LDADD = mgmt-server/libmgcore.la

EXTRA_DIST += %reldir%/README.md %reldir%/sixcast-mgmt-server.conf.example

MG_TEST_CFLAGS = $(UNIT_CFLAGS) $(MG_DEP_CFLAGS) -I$(top_srcdir)/mgmt-server -DSRCDIR='"$(abs_top_srcdir)"'
MG_TEST_LDADD = mgmt-server/libmgcore.la $(UNIT_LDADD)

UNIT_TESTS += tests/unit/test_grp
tests_unit_test_grp_SOURCES = tests/unit/test_grp.c $(TU)
tests_unit_test_grp_CFLAGS = $(MG_TEST_CFLAGS)
tests_unit_test_grp_LDADD = $(MG_TEST_LDADD)

UNIT_TESTS += tests/unit/test_trk
tests_unit_test_trk_SOURCES = tests/unit/test_trk.c $(TU)
tests_unit_test_trk_CFLAGS = $(MG_TEST_CFLAGS)
tests_unit_test_trk_LDADD = $(MG_TEST_LDADD)

UNIT_TESTS += tests/unit/test_mg_cfg
tests_unit_test_mg_cfg_SOURCES = tests/unit/test_mg_cfg.c $(TU)
tests_unit_test_mg_cfg_CFLAGS = $(MG_TEST_CFLAGS)
tests_unit_test_mg_cfg_LDADD = $(MG_TEST_LDADD)

UNIT_TESTS += tests/unit/test_mg_store
tests_unit_test_mg_store_SOURCES = tests/unit/test_mg_store.c $(TU)
tests_unit_test_mg_store_CFLAGS = $(MG_TEST_CFLAGS) $(SQLITE_CFLAGS)
tests_unit_test_mg_store_LDADD = $(MG_TEST_LDADD)

# The load generator: figures by hand (tests/bench/mgmt_bench.sh), and the
# kill -9 test drives the server with it.
noinst_PROGRAMS += tests/bench/sixcast-mgmt-load
tests_bench_sixcast_mgmt_load_SOURCES = tests/bench/mgmt_load.c tests/bench/mgmt_load_verify.c \
	tests/bench/mgmt_load.h
tests_bench_sixcast_mgmt_load_LDADD = -lm

# Checks the certificates of the API's answers (mgmt_api.sh).
noinst_PROGRAMS += tests/tools/certcheck
tests_tools_certcheck_SOURCES = tests/tools/certcheck.c
tests_tools_certcheck_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/retransmit
tests_tools_certcheck_LDADD = retransmit/librtxcore.la

INTEGRATION_TESTS += tests/integration/mgmt_api.sh tests/integration/mgmt_outage.sh \
	tests/integration/mgmt_kill9.sh tests/integration/mgmt_tls.sh
EXTRA_DIST += tests/integration/mgmt_lib.sh tests/bench/mgmt_bench.sh docs/api.md docs/mgmt-server.md

UNIT_TESTS += tests/unit/test_mg_http
tests_unit_test_mg_http_SOURCES = tests/unit/test_mg_http.c $(TU) $(TU_NET)
tests_unit_test_mg_http_CFLAGS = $(MG_TEST_CFLAGS)
tests_unit_test_mg_http_LDADD = $(MG_TEST_LDADD)

UNIT_TESTS += tests/unit/test_mg_json
tests_unit_test_mg_json_SOURCES = tests/unit/test_mg_json.c $(TU)
tests_unit_test_mg_json_CFLAGS = $(MG_TEST_CFLAGS)
tests_unit_test_mg_json_LDADD = $(MG_TEST_LDADD)

UNIT_TESTS += tests/unit/test_mg_bodies
tests_unit_test_mg_bodies_SOURCES = tests/unit/test_mg_bodies.c $(TU)
tests_unit_test_mg_bodies_CFLAGS = $(MG_TEST_CFLAGS)
tests_unit_test_mg_bodies_LDADD = $(MG_TEST_LDADD)

UNIT_TESTS += tests/unit/test_mg_state
tests_unit_test_mg_state_SOURCES = tests/unit/test_mg_state.c $(TU)
tests_unit_test_mg_state_CFLAGS = $(MG_TEST_CFLAGS)
tests_unit_test_mg_state_LDADD = $(MG_TEST_LDADD)

UNIT_TESTS += tests/unit/test_mg_trust
tests_unit_test_mg_trust_SOURCES = tests/unit/test_mg_trust.c $(TU)
tests_unit_test_mg_trust_CFLAGS = $(MG_TEST_CFLAGS)
tests_unit_test_mg_trust_LDADD = $(MG_TEST_LDADD)

# The API in process: model, API and HTTP server on one loop, fake clock;
# their one HTTP client.
TU_MG_HTTP = tests/unit/tu_mg_http.c tests/unit/tu_mg_http.h
UNIT_TESTS += tests/unit/test_mg_api
tests_unit_test_mg_api_SOURCES = tests/unit/test_mg_api.c $(TU) $(TU_NET) $(TU_MG_HTTP)
tests_unit_test_mg_api_CFLAGS = $(MG_TEST_CFLAGS)
tests_unit_test_mg_api_LDADD = $(MG_TEST_LDADD)

# The line-up and summary API (mg_api_lineup.c, mg_api_summary.c), same fixture.
UNIT_TESTS += tests/unit/test_mg_api_lineup
tests_unit_test_mg_api_lineup_SOURCES = tests/unit/test_mg_api_lineup.c $(TU) $(TU_NET) $(TU_MG_HTTP)
tests_unit_test_mg_api_lineup_CFLAGS = $(MG_TEST_CFLAGS)
tests_unit_test_mg_api_lineup_LDADD = $(MG_TEST_LDADD)

# sixcastctl: the NOC's command-line tool (libcurl easy + jansson). Its
# modules go into a convenience library for tests/unit/test_ctl.
noinst_LTLIBRARIES += mgmt-server/libctl.la
mgmt_server_libctl_la_SOURCES = \
	%reldir%/ctl.h %reldir%/ctl_opts.c %reldir%/ctl_opts.h \
	%reldir%/ctl_table.c %reldir%/ctl_table.h %reldir%/ctl_http.c \
	%reldir%/ctl_cmds.c %reldir%/ctl_cmds_noc.c %reldir%/ctl_run.c %reldir%/ctl_run.h
mgmt_server_libctl_la_CFLAGS = $(AM_CFLAGS) $(CONFIG_CFLAGS) $(JANSSON_CFLAGS) $(CURL_CFLAGS) \
	-DSC_SYSCONFDIR='"$(sysconfdir)"'
mgmt_server_libctl_la_LIBADD = common/libsccommon.la $(CONFIG_LIBS) $(JANSSON_LIBS) $(CURL_LIBS)

bin_PROGRAMS += mgmt-server/sixcastctl
mgmt_server_sixcastctl_SOURCES = %reldir%/ctl_main.c
mgmt_server_sixcastctl_LDADD = mgmt-server/libctl.la

UNIT_TESTS += tests/unit/test_ctl
tests_unit_test_ctl_SOURCES = tests/unit/test_ctl.c $(TU)
tests_unit_test_ctl_CFLAGS = $(UNIT_CFLAGS) $(JANSSON_CFLAGS) -I$(top_srcdir)/mgmt-server
tests_unit_test_ctl_LDADD = mgmt-server/libctl.la $(UNIT_LDADD)
INTEGRATION_TESTS += tests/integration/mgmt_cli.sh

# The NOC console: static files served by the daemon (--console, by default
# $(pkgdatadir)/console), installed and shipped as they are: no build step.
consoledir = $(pkgdatadir)/console
dist_console_DATA = \
	%reldir%/console/index.html %reldir%/console/console.css %reldir%/console/favicon.svg \
	%reldir%/console/app.js %reldir%/console/api.js %reldir%/console/ui.js \
	%reldir%/console/chart.js %reldir%/console/views.js %reldir%/console/views_lineup.js \
	%reldir%/console/views_boxes.js %reldir%/console/views_charts.js

# Its browser test (headless Chromium through playwright-core from npm;
# SKIPs without them).
INTEGRATION_TESTS += tests/integration/console_browser.sh
EXTRA_DIST += docs/sixcastctl.md tests/browser/package.json tests/browser/package-lock.json \
	tests/browser/console_test.mjs
EXTRA_DIST += tests/bench/console_bench.sh tests/browser/console_bench.mjs

# Fuzz target of the request bodies' decoding (./configure CC=clang-14
# --enable-fuzzers; tests/fuzz/README.md).
if ENABLE_FUZZERS
noinst_PROGRAMS += tests/fuzz/fuzz_mg_json
endif
tests_fuzz_fuzz_mg_json_SOURCES = tests/fuzz/fuzz_mg_json.c mgmt-server/mg_json.c mgmt-server/mg_bodies.c \
	mgmt-server/mg_lineup.c mgmt-server/mg_stats.c common/sc_addr.c retransmit/rtx_cert.c
tests_fuzz_fuzz_mg_json_CFLAGS = $(AM_CFLAGS) $(FUZZ_FLAGS) $(MG_DEP_CFLAGS) $(SODIUM_CFLAGS) \
	-I$(top_srcdir)/mgmt-server -I$(top_srcdir)/retransmit
tests_fuzz_fuzz_mg_json_LDFLAGS = $(FUZZ_FLAGS)
tests_fuzz_fuzz_mg_json_LDADD = $(JANSSON_LIBS) $(SODIUM_LIBS) -lm
