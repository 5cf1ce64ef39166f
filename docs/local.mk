# docs/: architecture, protocols, operator and developer guides.
EXTRA_DIST += \
	%reldir%/HACKING.md \
	%reldir%/lab.md \
	%reldir%/ts.md \
	%reldir%/mcast-server.md
