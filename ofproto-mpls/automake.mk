# ofproto-mpls/: the OpenFlow 1.3 agent and pipeline.
noinst_LIBRARIES += ofproto-mpls/libofproto.a
ofproto_mpls_libofproto_a_SOURCES = \
	ofproto-mpls/bundle.c \
	ofproto-mpls/bundle.h \
	ofproto-mpls/connmgr.c \
	ofproto-mpls/connmgr.h \
	ofproto-mpls/group.c \
	ofproto-mpls/group.h \
	ofproto-mpls/mac-learning.c \
	ofproto-mpls/mac-learning.h \
	ofproto-mpls/meter.c \
	ofproto-mpls/meter.h \
	ofproto-mpls/offload.c \
	ofproto-mpls/offload.h \
	ofproto-mpls/oftable.c \
	ofproto-mpls/oftable.h \
	ofproto-mpls/ofport.c \
	ofproto-mpls/ofport.h \
	ofproto-mpls/ofproto.c \
	ofproto-mpls/ofproto.h \
	ofproto-mpls/ofproto-private.h \
	ofproto-mpls/ofproto-stats.c \
	ofproto-mpls/ofproto-stats.h \
	ofproto-mpls/ofproto-unixctl.c \
	ofproto-mpls/recirc.c \
	ofproto-mpls/recirc.h \
	ofproto-mpls/revalidate.c \
	ofproto-mpls/revalidate.h \
	ofproto-mpls/upcall.c \
	ofproto-mpls/upcall.h \
	ofproto-mpls/validate.c \
	ofproto-mpls/validate.h \
	ofproto-mpls/xlate.c \
	ofproto-mpls/xlate-actions.c \
	ofproto-mpls/xlate-fields.c \
	ofproto-mpls/xlate-group.c \
	ofproto-mpls/xlate-mpls.c \
	ofproto-mpls/xlate-private.h \
	ofproto-mpls/xlate.h

# The extension table and its codecs (ofp-ext.h), shared by the agent and
# mvs-ofctl.
noinst_LIBRARIES += ofproto-mpls/libofpext.a
ofproto_mpls_libofpext_a_SOURCES = \
	ofproto-mpls/ofp-ext.c \
	ofproto-mpls/ofp-ext.h \
	ofproto-mpls/ofp-ext-private.h \
	ofproto-mpls/ofp-ext-text.c \
	ofproto-mpls/ofp-ext-wire.c

UNIT_TESTS += tests/test-xlate
tests_test_xlate_SOURCES = tests/test-xlate.c tests/frame-builder.c \
	tests/frame-builder.h
tests_test_xlate_LDADD = ofproto-mpls/libofproto.a ofproto-mpls/libofpext.a \
	datapath/libdatapath.a kmod/libnftc.a $(OVS_LIBS) $(NFTNL_LIBS) \
	$(MNL_LIBS) $(CMOCKA_LIBS)
tests_test_xlate_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
