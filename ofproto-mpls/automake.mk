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
	ofproto-mpls/ofp-mpls.c \
	ofproto-mpls/ofp-mpls.h \
	ofproto-mpls/ofproto.c \
	ofproto-mpls/ofproto.h \
	ofproto-mpls/ofproto-private.h \
	ofproto-mpls/xlate.c \
	ofproto-mpls/xlate.h
