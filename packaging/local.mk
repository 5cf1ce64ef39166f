# packaging/: the systemd units (made from packaging/systemd/*.in with this
# build's paths), the sysusers.d entry, the default configuration files,
# and the Debian packaging (packaging/debian/, built by
# packaging/build-deb.sh). See packaging/README.md.

SC_UNITS = \
	%reldir%/systemd/sixcast-mcast-server.service \
	%reldir%/systemd/sixcast-mgmt-server.service \
	%reldir%/systemd/sixcast-client.service \
	%reldir%/systemd/sixcast-mldmon@.service

if HAVE_SYSTEMDUNITDIR
systemdsystemunit_DATA = $(SC_UNITS)
else
noinst_DATA = $(SC_UNITS)
endif
if HAVE_SYSUSERSDIR
sysusers_DATA = %reldir%/sysusers.d/sixcast.conf
endif

# Paths are substituted by make, not configure, so that they come out
# expanded (configure leaves ${prefix} in them) and follow `make prefix=`.
sc_unit_subst = sed \
	-e 's|@sbindir[@]|$(sbindir)|g' \
	-e 's|@bindir[@]|$(bindir)|g' \
	-e 's|@sysconfdir[@]|$(sysconfdir)|g' \
	-e 's|@SC_SERVICE_TYPE[@]|$(SC_SERVICE_TYPE)|g'
$(SC_UNITS): Makefile
	$(AM_V_GEN)$(MKDIR_P) $(@D) && rm -f $@ $@.tmp && \
	$(sc_unit_subst) $(srcdir)/$@.in >$@.tmp && mv $@.tmp $@
%reldir%/systemd/sixcast-mcast-server.service: %reldir%/systemd/sixcast-mcast-server.service.in
%reldir%/systemd/sixcast-mgmt-server.service: %reldir%/systemd/sixcast-mgmt-server.service.in
%reldir%/systemd/sixcast-client.service: %reldir%/systemd/sixcast-client.service.in
%reldir%/systemd/sixcast-mldmon@.service: %reldir%/systemd/sixcast-mldmon@.service.in
CLEANFILES += $(SC_UNITS)

# The default configuration files go to $(sysconfdir)/sixcast/ unless a
# file of that name is there already: an install never overwrites an
# operator's configuration (the Debian packages make them conffiles). They
# name the secrets' files in /etc/sixcast/secrets/ (the Debian packages
# make those) and hold none; still 0640, and group sixcast when that group
# exists, as an operator may put a secret inline.
SC_CONFIGS = \
	%reldir%/etc/mcast-server.conf \
	%reldir%/etc/mgmt-server.conf \
	%reldir%/etc/client.conf
install-data-local: install-sixcast-configs
install-sixcast-configs:
	$(MKDIR_P) '$(DESTDIR)$(sysconfdir)/sixcast'
	@for f in $(SC_CONFIGS); do \
	  t='$(DESTDIR)$(sysconfdir)/sixcast/'$${f##*/}; \
	  if test -e "$$t"; then echo "keeping $$t"; continue; fi; \
	  echo " $(INSTALL) -m 0640 $(srcdir)/$$f $$t"; \
	  $(INSTALL) -m 0640 $(srcdir)/$$f "$$t" || exit 1; \
	  if test "$$(id -u)" = 0 && getent group sixcast >/dev/null 2>&1; then \
	    chgrp sixcast "$$t"; fi; \
	done
# Only files still as installed are removed.
uninstall-local: uninstall-sixcast-configs
uninstall-sixcast-configs:
	@for f in $(SC_CONFIGS); do \
	  t='$(DESTDIR)$(sysconfdir)/sixcast/'$${f##*/}; \
	  if cmp -s $(srcdir)/$$f "$$t"; then echo " rm -f $$t"; rm -f "$$t"; fi; \
	done
	-rmdir '$(DESTDIR)$(sysconfdir)/sixcast' 2>/dev/null
.PHONY: install-sixcast-configs uninstall-sixcast-configs

# distcheck installs under its own prefix: so must the units.
AM_DISTCHECK_CONFIGURE_FLAGS += \
	--with-systemdsystemunitdir='$${dc_install_base}/lib/systemd/system' \
	--with-sysusersdir='$${dc_install_base}/lib/sysusers.d'

EXTRA_DIST += \
	%reldir%/README.md \
	$(SC_UNITS:=.in) \
	%reldir%/sysusers.d/sixcast.conf \
	$(SC_CONFIGS) \
	%reldir%/build-deb.sh \
	tests/integration/pkg_deb.sh \
	tests/integration/pkg_root.sh \
	%reldir%/debian
