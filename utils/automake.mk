# utils/: the daemon and the command-line tools.
sbin_PROGRAMS += utils/mvsd
utils_mvsd_SOURCES = utils/mvsd.c
utils_mvsd_LDADD = ofproto-mpls/libofproto.a ofproto-mpls/libofpext.a \
	datapath/libdatapath.a \
	kmod/libnftc.a $(OVS_LIBS) $(NFTNL_LIBS) $(MNL_LIBS)

bin_PROGRAMS += utils/mvs-appctl
utils_mvs_appctl_SOURCES = utils/mvs-appctl.c
utils_mvs_appctl_LDADD = $(OVS_LIBS)

bin_PROGRAMS += utils/mvs-ofctl
utils_mvs_ofctl_SOURCES = utils/mvs-ofctl.c
utils_mvs_ofctl_LDADD = ofproto-mpls/libofpext.a $(OVS_LIBS)
dist_man_MANS += utils/mvs-ofctl.8

UNIT_TESTS += tests/test-ofp-ext
tests_test_ofp_ext_SOURCES = tests/test-ofp-ext.c
tests_test_ofp_ext_LDADD = ofproto-mpls/libofpext.a $(OVS_LIBS) $(CMOCKA_LIBS)
tests_test_ofp_ext_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
EXTRA_DIST += tests/sys-mvs-ofctl.sh

dist_man_MANS += utils/mvsd.8 utils/mvs-appctl.8
EXTRA_DIST += utils/setup.sh utils/demo.sh utils/ovs-lib.sh \
	utils/demo-flows/br-a.flows utils/demo-flows/br-b.flows

# Lab integration.  The systemd unit (instance = bridge name) goes to
# $(systemdunitdir), by default under the prefix, which systemd searches
# (/usr/local/lib/systemd/system, /usr/lib/systemd/system); override with
# `make install systemdunitdir=DIR`.  The installed copy has its
# /usr/local/{s,}bin paths rewritten to the configured ones.  The config
# example and the Mininet switch class go to $(pkgdatadir).
systemdunitdir = $(prefix)/lib/systemd/system
nodist_systemdunit_DATA = utils/systemd/mvsd@.service
CLEANFILES += utils/systemd/mvsd@.service
# Remade on every make (a sed, kept only when it changes), so that a
# `make install prefix=...` different from configure's is honoured.
utils/systemd/mvsd@.service: utils-systemd-force
	@$(MKDIR_P) utils/systemd && \
	sed -e 's|/usr/local/sbin/|$(sbindir)/|g' \
	    -e 's|/usr/local/bin/|$(bindir)/|g' \
	    $(srcdir)/utils/mvsd@.service >$@.tmp && \
	if cmp -s $@.tmp $@; then rm -f $@.tmp; \
	else echo "  GEN      $@"; mv $@.tmp $@; fi
.PHONY: utils-systemd-force
utils-systemd-force:
mvsconfexampledir = $(pkgdatadir)
dist_mvsconfexample_DATA = utils/mvs-br0.conf.example
mvsmininetdir = $(pkgdatadir)/mininet
dist_mvsmininet_DATA = utils/mininet/mvs.py
EXTRA_DIST += utils/mvsd@.service tests/sys-mininet.sh
