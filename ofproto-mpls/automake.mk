# ofproto-mpls/: the OpenFlow 1.3 agent and pipeline.
noinst_LIBRARIES += ofproto-mpls/libofproto.a
ofproto_mpls_libofproto_a_SOURCES = \
	ofproto-mpls/bundle.c \
	ofproto-mpls/bundle.h \
	ofproto-mpls/connmgr.c \
	ofproto-mpls/connmgr.h \
	ofproto-mpls/group.c \
	ofproto-mpls/group.h \
	ofproto-mpls/meter.c \
	ofproto-mpls/meter.h \
	ofproto-mpls/offload.c \
	ofproto-mpls/offload.h \
	ofproto-mpls/ofproto.c \
	ofproto-mpls/ofproto.h \
	ofproto-mpls/ofproto-private.h \
	ofproto-mpls/xlate.c \
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
