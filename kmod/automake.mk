# kmod/: the kernel classifier side (nf_tables offload).
noinst_LIBRARIES += kmod/libnftc.a
kmod_libnftc_a_SOURCES = \
	kmod/nftc.h \
	kmod/nftc-private.h \
	kmod/nftc.c \
	kmod/nftc-action.c \
	kmod/nftc-field.c \
	kmod/nftc-msg.c \
	kmod/nftc-nl.c \
	kmod/nftc-txn.c \
	kmod/nftc-mpls.h \
	kmod/nftc-mpls.c

UNIT_TESTS += tests/test-nftc
tests_test_nftc_SOURCES = tests/test-nftc.c
tests_test_nftc_LDADD = kmod/libnftc.a $(OVS_LIBS) $(NFTNL_LIBS) $(MNL_LIBS) $(CMOCKA_LIBS)
tests_test_nftc_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)

UNIT_TESTS += tests/test-nftc-mpls
tests_test_nftc_mpls_SOURCES = tests/test-nftc-mpls.c
tests_test_nftc_mpls_LDADD = kmod/libnftc.a ofproto-mpls/libofpext.a \
	$(OVS_LIBS) $(NFTNL_LIBS) $(MNL_LIBS) $(CMOCKA_LIBS)
tests_test_nftc_mpls_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)

# Kernel system test driver (root, network namespaces): tests/sys-offload-kernel.sh.
noinst_PROGRAMS += tests/nftc-driver
tests_nftc_driver_SOURCES = tests/nftc-driver.c
tests_nftc_driver_LDADD = kmod/libnftc.a ofproto-mpls/libofpext.a \
	$(OVS_LIBS) $(NFTNL_LIBS) $(MNL_LIBS)

EXTRA_DIST += tests/sys-offload-kernel.sh

# The nf_tables "mpls" expression: an out-of-tree kernel module
# (make -C kmod/module KDIR=...) and its VM test (not run by make check).
EXTRA_DIST += \
	kmod/module/Kbuild \
	kmod/module/Makefile \
	kmod/module/nft_mpls.c \
	kmod/module/nft_mpls.h \
	tests/sys-kmod-vm.sh \
	tests/vm/mpls-vm-check.c
