# client/mesh/: the P2P mesh library (libscmesh: wire protocol, membership
# and streaming overlays, source role, switching policy), its tests, its
# simulation and benchmark, its fuzz target and its lab tool.
noinst_LTLIBRARIES += client/mesh/libscmesh.la
MESH_C = \
	%reldir%/mesh_bmap.c %reldir%/mesh_node.c %reldir%/mesh_overlay.c %reldir%/mesh_path.c \
	%reldir%/mesh_sockaddr.c %reldir%/mesh_stream.c %reldir%/mesh_switch.c %reldir%/mesh_wire.c
MESH_H = \
	%reldir%/mesh.h %reldir%/mesh_bmap.h %reldir%/mesh_int.h \
	%reldir%/mesh_sockaddr.h %reldir%/mesh_switch.h %reldir%/mesh_wire.h
client_mesh_libscmesh_la_SOURCES = $(MESH_C) $(MESH_H)
client_mesh_libscmesh_la_CFLAGS = $(AM_CFLAGS) $(SODIUM_CFLAGS) -I$(top_srcdir)/retransmit
client_mesh_libscmesh_la_LIBADD = retransmit/librtxcore.la common/libsccommon.la $(SODIUM_LIBS)

MESH_TEST_CFLAGS = $(UNIT_CFLAGS) $(SODIUM_CFLAGS) -I$(top_srcdir)/client/mesh -I$(top_srcdir)/retransmit \
	-I$(top_srcdir)/tests/bench
MESH_TEST_LDADD = client/mesh/libscmesh.la $(UNIT_LDADD)
UNIT_TESTS += \
	tests/unit/test_mesh_wire \
	tests/unit/test_mesh_bmap \
	tests/unit/test_mesh_switch \
	tests/unit/test_mesh_node
tests_unit_test_mesh_wire_SOURCES = tests/unit/test_mesh_wire.c $(TU) $(TU_IDENT)
tests_unit_test_mesh_wire_CFLAGS = $(MESH_TEST_CFLAGS)
tests_unit_test_mesh_wire_LDADD = $(MESH_TEST_LDADD) $(SODIUM_LIBS)
tests_unit_test_mesh_bmap_SOURCES = tests/unit/test_mesh_bmap.c $(TU)
tests_unit_test_mesh_bmap_CFLAGS = $(MESH_TEST_CFLAGS)
tests_unit_test_mesh_bmap_LDADD = $(MESH_TEST_LDADD)
tests_unit_test_mesh_switch_SOURCES = tests/unit/test_mesh_switch.c $(TU)
tests_unit_test_mesh_switch_CFLAGS = $(MESH_TEST_CFLAGS)
tests_unit_test_mesh_switch_LDADD = $(MESH_TEST_LDADD)
tests_unit_test_mesh_node_SOURCES = tests/unit/test_mesh_node.c tests/unit/tu_mesh.c tests/unit/tu_mesh.h \
	$(TU) $(TU_IDENT)
tests_unit_test_mesh_node_CFLAGS = $(MESH_TEST_CFLAGS)
tests_unit_test_mesh_node_LDADD = $(MESH_TEST_LDADD) $(SODIUM_LIBS)

EXTRA_DIST += docs/protocol/mesh.md

# The simulation of a channel's mesh: a unit test (what is certain) and the
# engine of the benchmark (built by make, run by hand). Its nodes have
# identities from one test CA (tests/unit/tu_ident.c).
MESH_SIM = tests/bench/mesh_sim.c tests/bench/mesh_sim.h $(TU_IDENT)
UNIT_TESTS += tests/unit/test_mesh_sim
tests_unit_test_mesh_sim_SOURCES = tests/unit/test_mesh_sim.c $(TU) $(MESH_SIM)
tests_unit_test_mesh_sim_CFLAGS = $(MESH_TEST_CFLAGS)
tests_unit_test_mesh_sim_LDADD = $(MESH_TEST_LDADD)
noinst_PROGRAMS += tests/bench/mesh_bench
tests_bench_mesh_bench_SOURCES = tests/bench/mesh_bench.c $(MESH_SIM)
tests_bench_mesh_bench_CFLAGS = $(AM_CFLAGS) -O2 -I$(top_srcdir)/client/mesh -I$(top_srcdir)/tests/bench \
	-I$(top_srcdir)/retransmit -I$(top_srcdir)/tests/unit
tests_bench_mesh_bench_LDADD = client/mesh/libscmesh.la

# Fuzz target (./configure CC=clang --enable-fuzzers): the library's and
# the repair library's sources compiled in, so that libFuzzer sees them.
MESH_FUZZ_SOURCES = $(MESH_C) $(RTX_CORE_C) common/sc_rtp.c common/sc_log.c common/sc_addr.c \
	tests/unit/tu_ident.c
if ENABLE_FUZZERS
noinst_PROGRAMS += tests/fuzz/fuzz_mesh
endif
tests_fuzz_fuzz_mesh_SOURCES = tests/fuzz/fuzz_mesh.c $(MESH_FUZZ_SOURCES)
tests_fuzz_fuzz_mesh_CFLAGS = $(AM_CFLAGS) $(SODIUM_CFLAGS) $(FUZZ_FLAGS) \
	-I$(top_srcdir)/client/mesh -I$(top_srcdir)/retransmit -I$(top_srcdir)/tests/unit
tests_fuzz_fuzz_mesh_LDFLAGS = $(FUZZ_FLAGS)
tests_fuzz_fuzz_mesh_LDADD = $(SODIUM_LIBS)

# The lab tool: mesh nodes on real UDP sockets (built by make: the lab
# tests and the benchmark use it).
noinst_PROGRAMS += tests/tools/meshpeer
tests_tools_meshpeer_SOURCES = tests/tools/meshpeer.c tests/tools/meshpeer_ident.c tests/tools/meshpeer_ident.h
tests_tools_meshpeer_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(JANSSON_CFLAGS) $(SODIUM_CFLAGS) \
	-I$(top_srcdir)/client/mesh -I$(top_srcdir)/retransmit
tests_tools_meshpeer_LDADD = client/mesh/libscmesh.la $(CURL_LIBS) $(JANSSON_LIBS) $(SODIUM_LIBS)

# Lab tests (root, namespaces): a metro without multicast, a network
# without multicast, churn.
INTEGRATION_TESTS += tests/integration/mesh_lab.sh tests/integration/mesh_nomcast_lab.sh \
	tests/integration/mesh_churn_lab.sh
EXTRA_DIST += tests/integration/mesh_lib.sh
EXTRA_DIST += tests/bench/mesh_bench.sh
EXTRA_DIST += %reldir%/README.md
