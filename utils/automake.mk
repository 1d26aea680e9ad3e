# utils/: the daemon and the command-line tools.
sbin_PROGRAMS += utils/mvsd
utils_mvsd_SOURCES = utils/mvsd.c
utils_mvsd_LDADD = ofproto-mpls/libofproto.a datapath/libdatapath.a \
	kmod/libkmod.a $(OVS_LIBS) $(NFTNL_LIBS) $(MNL_LIBS)
