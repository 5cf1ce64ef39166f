# common/: shared internals, linked into the libraries and the daemons.
noinst_LTLIBRARIES += common/libsccommon.la
common_libsccommon_la_SOURCES = \
	%reldir%/sc_addr.c %reldir%/sc_addr.h \
	%reldir%/sc_bytes.h \
	%reldir%/sc_cfg.c %reldir%/sc_cfg.h \
	%reldir%/sc_clock.c %reldir%/sc_clock.h \
	%reldir%/sc_log.c %reldir%/sc_log.h \
	%reldir%/sc_rtp.c %reldir%/sc_rtp.h
common_libsccommon_la_CFLAGS = $(AM_CFLAGS) $(CONFIG_CFLAGS)
common_libsccommon_la_LIBADD = $(CONFIG_LIBS)
