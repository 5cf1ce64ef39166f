# tests/fuzz/: what the fuzz targets share. The targets themselves are in
# the local.mk of the folder whose parsers they fuzz; all are built only
# with ./configure CC=clang-14 --enable-fuzzers (tests/fuzz/README.md).
EXTRA_DIST += tests/fuzz/corpus tests/fuzz/dict tests/fuzz/README.md tests/fuzz/capture_seeds.sh \
	tests/fuzz/smoke.sh tests/fuzz/xfail

# The seeds of the binary targets, written with the libraries' encoders
# (fuzz_seeds.c says how the smoke step keeps them in step).
if ENABLE_FUZZERS
noinst_PROGRAMS += tests/fuzz/fuzz_seeds
endif
# The libraries' sources, not libscmesh.la: that would build all of
# libsccommon, which the fuzz build needs nowhere else.
tests_fuzz_fuzz_seeds_SOURCES = tests/fuzz/fuzz_seeds.c $(MESH_FUZZ_SOURCES)
tests_fuzz_fuzz_seeds_CFLAGS = $(AM_CFLAGS) $(SODIUM_CFLAGS) -I$(top_srcdir)/retransmit -I$(top_srcdir)/client/mesh
tests_fuzz_fuzz_seeds_LDADD = $(SODIUM_LIBS)
