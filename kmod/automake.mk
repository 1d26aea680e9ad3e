# kmod/: the kernel classifier side (nf_tables offload).
noinst_LIBRARIES += kmod/libkmod.a
kmod_libkmod_a_SOURCES = \
	kmod/nftc.h \
	kmod/nftc-private.h \
	kmod/nftc.c \
	kmod/nftc-action.c \
	kmod/nftc-field.c \
	kmod/nftc-msg.c

UNIT_TESTS += tests/test-nftc
tests_test_nftc_SOURCES = tests/test-nftc.c
tests_test_nftc_LDADD = kmod/libkmod.a $(OVS_LIBS) $(NFTNL_LIBS) $(MNL_LIBS) $(CMOCKA_LIBS)
tests_test_nftc_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)

# Kernel system test driver (root, network namespaces): tests/sys-offload-kernel.sh.
noinst_PROGRAMS += tests/nftc-driver
tests_nftc_driver_SOURCES = tests/nftc-driver.c
tests_nftc_driver_LDADD = kmod/libkmod.a $(OVS_LIBS) $(NFTNL_LIBS) $(MNL_LIBS)

EXTRA_DIST += tests/sys-offload-kernel.sh
