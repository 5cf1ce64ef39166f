# docs/man/: the manual pages (mdoc), installed by `make install` and
# checked by tests/integration/man_lint.sh (mandoc -Tlint, and every option
# a program's --help shows is in its page).
dist_man_MANS = \
	%reldir%/sixcast-stb.1 \
	%reldir%/sixcastctl.1 \
	%reldir%/sixcast-client.conf.5 \
	%reldir%/sixcast-mcast-server.conf.5 \
	%reldir%/sixcast-mgmt-server.conf.5 \
	%reldir%/sixcast.7 \
	%reldir%/sixcast-client.8 \
	%reldir%/sixcast-mcast-server.8 \
	%reldir%/sixcast-mgmt-server.8 \
	%reldir%/sixcast-mldmon.8

INTEGRATION_TESTS += tests/integration/man_lint.sh

# The operator's documents (issue 9); the Debian packages install them
# (sixcast-common).
EXTRA_DIST += docs/architecture.md docs/operator-guide.md docs/security.md docs/protocol/README.md
