# datapath/: the userspace packet engine.
noinst_LIBRARIES += datapath/libdatapath.a
datapath_libdatapath_a_SOURCES = \
	datapath/dp-key.h \
	datapath/dp-parse.h \
	datapath/dp-parse.c \
	datapath/dp-actions.h \
	datapath/dp-actions.c
