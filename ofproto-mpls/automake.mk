# ofproto-mpls/: the OpenFlow 1.3 agent and pipeline.
noinst_LIBRARIES += ofproto-mpls/libofproto.a
ofproto_mpls_libofproto_a_SOURCES = \
	ofproto-mpls/xlate.h
