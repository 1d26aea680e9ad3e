# datapath/: the userspace packet engine.
noinst_LIBRARIES += datapath/libdatapath.a
datapath_libdatapath_a_SOURCES = \
	datapath/dp-key.h \
	datapath/dp-parse.h \
	datapath/dp-parse.c \
	datapath/dp-actions.h \
	datapath/dp-actions.c \
	datapath/dp-cache.h \
	datapath/dp-cache.c \
	datapath/dp-csum.h \
	datapath/dp-csum.c \
	datapath/dp-port.h \
	datapath/dp-port.c \
	datapath/dp-xsk-ring.h \
	datapath/dp-xsk.h \
	datapath/dp-xsk.c \
	datapath/datapath.h \
	datapath/datapath.c

# Unit tests (tests/automake.mk runs UNIT_TESTS under `make check`).
UNIT_TESTS += tests/test-dp-parse
tests_test_dp_parse_SOURCES = tests/test-dp-parse.c tests/frame-builder.c \
	tests/frame-builder.h
tests_test_dp_parse_LDADD = datapath/libdatapath.a $(OVS_LIBS) $(CMOCKA_LIBS)
tests_test_dp_parse_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)

UNIT_TESTS += tests/test-dp-actions
tests_test_dp_actions_SOURCES = tests/test-dp-actions.c tests/frame-builder.c \
	tests/frame-builder.h
tests_test_dp_actions_LDADD = datapath/libdatapath.a $(OVS_LIBS) $(CMOCKA_LIBS)
tests_test_dp_actions_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)

UNIT_TESTS += tests/test-dp-csum
tests_test_dp_csum_SOURCES = tests/test-dp-csum.c tests/frame-builder.c \
	tests/frame-builder.h
tests_test_dp_csum_LDADD = datapath/libdatapath.a $(OVS_LIBS) $(CMOCKA_LIBS)
tests_test_dp_csum_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)

UNIT_TESTS += tests/test-dp-xsk
tests_test_dp_xsk_SOURCES = tests/test-dp-xsk.c
tests_test_dp_xsk_LDADD = datapath/libdatapath.a $(OVS_LIBS) $(CMOCKA_LIBS)
tests_test_dp_xsk_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)

UNIT_TESTS += tests/test-dp-cache
tests_test_dp_cache_SOURCES = tests/test-dp-cache.c
tests_test_dp_cache_LDADD = datapath/libdatapath.a $(OVS_LIBS) $(CMOCKA_LIBS)
tests_test_dp_cache_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
