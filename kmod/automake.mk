# kmod/: the kernel classifier side (nf_tables offload).
noinst_LIBRARIES += kmod/libkmod.a
kmod_libkmod_a_SOURCES = \
	kmod/nftc.h
