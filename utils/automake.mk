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
