# utils/: the daemon and the command-line tools.
sbin_PROGRAMS += utils/mvsd
utils_mvsd_SOURCES = utils/mvsd.c
utils_mvsd_LDADD = ofproto-mpls/libofproto.a datapath/libdatapath.a \
	kmod/libkmod.a $(OVS_LIBS) $(NFTNL_LIBS) $(MNL_LIBS)

bin_PROGRAMS += utils/mvs-appctl
utils_mvs_appctl_SOURCES = utils/mvs-appctl.c
utils_mvs_appctl_LDADD = $(OVS_LIBS)

bin_PROGRAMS += utils/mvs-ofctl
utils_mvs_ofctl_SOURCES = utils/mvs-ofctl.c
utils_mvs_ofctl_LDADD = $(OVS_LIBS)
utils_mvs_ofctl_SOURCES += utils/ofctl-mpls.c utils/ofctl-mpls.h
dist_man_MANS += utils/mvs-ofctl.8

UNIT_TESTS += tests/test-ofctl-mpls
tests_test_ofctl_mpls_SOURCES = tests/test-ofctl-mpls.c utils/ofctl-mpls.c
tests_test_ofctl_mpls_LDADD = $(OVS_LIBS) $(CMOCKA_LIBS)
tests_test_ofctl_mpls_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
EXTRA_DIST += tests/sys-mvs-ofctl.sh

dist_man_MANS += utils/mvsd.8 utils/mvs-appctl.8
EXTRA_DIST += utils/setup.sh utils/demo.sh utils/ovs-lib.sh \
	utils/demo-flows/br-a.flows utils/demo-flows/br-b.flows
