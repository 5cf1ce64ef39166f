# ts/: MPEG transport stream pieces shared by the edge, the box and the
# test tools: packet accessors and PSI (ts), random access points from the
# elementary stream (ts_es), the clean start of an output (ts_start) and
# the splice of channels into one continuous output (ts_splice). A
# convenience library with no dependency beyond common/'s byte accessors
# (header only).
noinst_LTLIBRARIES += ts/libscts.la
ts_libscts_la_SOURCES = \
	%reldir%/ts.c %reldir%/ts.h
ts_libscts_la_CFLAGS = $(AM_CFLAGS)

TS_CFLAGS = -I$(top_srcdir)/ts
