# client/: the set-top box daemon sixcast-client and its CLI. Its modules
# form a convenience library so that unit tests reach them.
noinst_LTLIBRARIES += client/libstb.la
client_libstb_la_SOURCES = \
	%reldir%/hts.c %reldir%/hts.h \
	%reldir%/player.c %reldir%/player.h \
	%reldir%/rec.c %reldir%/rec.h \
	%reldir%/stb_cfg.c %reldir%/stb_cfg.h
client_libstb_la_CFLAGS = $(AM_CFLAGS) $(GST_CFLAGS) $(JANSSON_CFLAGS) $(CONFIG_CFLAGS)
client_libstb_la_LIBADD = common/libsccommon.la $(GST_LIBS) $(JANSSON_LIBS)

bin_PROGRAMS += client/sixcast-stb
client_sixcast_stb_SOURCES = %reldir%/stbctl.c
client_sixcast_stb_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(JANSSON_CFLAGS)
client_sixcast_stb_LDADD = $(CURL_LIBS) $(JANSSON_LIBS)

STB_TEST_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/client $(GST_CFLAGS)
STB_TEST_LDADD = client/libstb.la $(UNIT_LDADD)
UNIT_TESTS += tests/unit/test_hts tests/unit/test_player
tests_unit_test_hts_SOURCES = tests/unit/test_hts.c $(TU)
tests_unit_test_hts_CFLAGS = $(STB_TEST_CFLAGS)
tests_unit_test_hts_LDADD = $(STB_TEST_LDADD)
tests_unit_test_player_SOURCES = tests/unit/test_player.c $(TU)
tests_unit_test_player_CFLAGS = $(STB_TEST_CFLAGS)
tests_unit_test_player_LDADD = $(STB_TEST_LDADD) $(GST_LIBS)

EXTRA_DIST += %reldir%/README.md
