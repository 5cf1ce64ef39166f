# mcast-server/: see README.md; nothing is built here yet.
EXTRA_DIST += %reldir%/README.md
