# common/: shared internals, linked into the libraries and the daemons.
noinst_LTLIBRARIES += common/libsccommon.la
common_libsccommon_la_SOURCES = \
	%reldir%/sc_addr.c %reldir%/sc_addr.h \
	%reldir%/sc_backoff.c %reldir%/sc_backoff.h \
	%reldir%/sc_bytes.h \
	%reldir%/sc_cfg.c %reldir%/sc_cfg.h %reldir%/sc_cfg_secret.c \
	%reldir%/sc_clock.c %reldir%/sc_clock.h \
	%reldir%/sc_guard.c %reldir%/sc_guard.h %reldir%/sc_guard_mhd.c %reldir%/sc_guard_mhd.h \
	%reldir%/sc_http_parse.c %reldir%/sc_http_parse.h \
	%reldir%/sc_httpc.c %reldir%/sc_httpc.h %reldir%/sc_httpc_curl.c %reldir%/sc_httpc_int.h \
	%reldir%/sc_httpd.c %reldir%/sc_httpd.h %reldir%/sc_http_resp.c \
	%reldir%/sc_httpd_lite.c %reldir%/sc_httpd_lite.h \
	%reldir%/sc_listen.c %reldir%/sc_listen.h \
	%reldir%/sc_log.c %reldir%/sc_log.h \
	%reldir%/sc_loop.c %reldir%/sc_loop.h \
	%reldir%/sc_notify.c %reldir%/sc_notify.h \
	%reldir%/sc_rtp.c %reldir%/sc_rtp.h
common_libsccommon_la_CFLAGS = $(AM_CFLAGS) $(CONFIG_CFLAGS) $(MHD_CFLAGS) \
	$(CURL_CFLAGS)
common_libsccommon_la_LIBADD = $(CONFIG_LIBS) $(MHD_LIBS)

UNIT_TESTS += \
	tests/unit/test_sc_addr \
	tests/unit/test_sc_backoff \
	tests/unit/test_sc_cfg \
	tests/unit/test_sc_clock \
	tests/unit/test_sc_guard \
	tests/unit/test_sc_http_parse \
	tests/unit/test_sc_httpc \
	tests/unit/test_sc_httpd \
	tests/unit/test_sc_httpd_lite \
	tests/unit/test_sc_listen \
	tests/unit/test_sc_log \
	tests/unit/test_sc_loop \
	tests/unit/test_sc_rtp
tests_unit_test_sc_addr_SOURCES = tests/unit/test_sc_addr.c $(TU)
tests_unit_test_sc_addr_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sc_addr_LDADD = $(UNIT_LDADD)
tests_unit_test_sc_backoff_SOURCES = tests/unit/test_sc_backoff.c $(TU)
tests_unit_test_sc_backoff_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sc_backoff_LDADD = $(UNIT_LDADD)
tests_unit_test_sc_cfg_SOURCES = tests/unit/test_sc_cfg.c $(TU)
tests_unit_test_sc_cfg_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sc_cfg_LDADD = $(UNIT_LDADD)
tests_unit_test_sc_clock_SOURCES = tests/unit/test_sc_clock.c $(TU)
tests_unit_test_sc_clock_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sc_clock_LDADD = $(UNIT_LDADD)
tests_unit_test_sc_guard_SOURCES = tests/unit/test_sc_guard.c $(TU)
tests_unit_test_sc_guard_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sc_guard_LDADD = $(UNIT_LDADD)
tests_unit_test_sc_http_parse_SOURCES = tests/unit/test_sc_http_parse.c $(TU)
tests_unit_test_sc_http_parse_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sc_http_parse_LDADD = $(UNIT_LDADD)
tests_unit_test_sc_httpc_SOURCES = tests/unit/test_sc_httpc.c $(TU)
tests_unit_test_sc_httpc_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sc_httpc_LDADD = $(UNIT_LDADD)
tests_unit_test_sc_httpd_SOURCES = tests/unit/test_sc_httpd.c $(TU) $(TU_NET)
tests_unit_test_sc_httpd_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sc_httpd_LDADD = $(UNIT_LDADD)
tests_unit_test_sc_httpd_lite_SOURCES = tests/unit/test_sc_httpd_lite.c $(TU) $(TU_NET)
tests_unit_test_sc_httpd_lite_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sc_httpd_lite_LDADD = $(UNIT_LDADD)
tests_unit_test_sc_listen_SOURCES = tests/unit/test_sc_listen.c $(TU)
tests_unit_test_sc_listen_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sc_listen_LDADD = $(UNIT_LDADD)
tests_unit_test_sc_log_SOURCES = tests/unit/test_sc_log.c $(TU)
tests_unit_test_sc_log_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sc_log_LDADD = $(UNIT_LDADD)
tests_unit_test_sc_loop_SOURCES = tests/unit/test_sc_loop.c $(TU)
tests_unit_test_sc_loop_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sc_loop_LDADD = $(UNIT_LDADD)
tests_unit_test_sc_rtp_SOURCES = tests/unit/test_sc_rtp.c $(TU)
tests_unit_test_sc_rtp_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sc_rtp_LDADD = $(UNIT_LDADD)

# Fuzz targets of our HTTP parsing: the small server's requests and the
# built-in client's answers (./configure CC=clang-14 --enable-fuzzers;
# tests/fuzz/README.md).
if ENABLE_FUZZERS
noinst_PROGRAMS += tests/fuzz/fuzz_http_request tests/fuzz/fuzz_httpc
endif
tests_fuzz_fuzz_http_request_SOURCES = tests/fuzz/fuzz_http_request.c common/sc_http_parse.c
tests_fuzz_fuzz_http_request_CFLAGS = $(AM_CFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_http_request_LDFLAGS = $(FUZZ_FLAGS)
tests_fuzz_fuzz_httpc_SOURCES = tests/fuzz/fuzz_httpc.c common/sc_http_parse.c
tests_fuzz_fuzz_httpc_CFLAGS = $(AM_CFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_httpc_LDFLAGS = $(FUZZ_FLAGS)
