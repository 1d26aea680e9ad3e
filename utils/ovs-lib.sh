#!/bin/sh
# utils/ovs-lib.sh: unpack Debian's openvswitch-source tarball and build its
# lib/ (libopenvswitch.a) once, into a cache folder outside the source tree.
#
# Usage: ovs-lib.sh [CACHE_DIR]
# Prints the build directory (which is also the source directory) on the
# last line of standard output.  A build whose stamp matches the tarball's
# checksum is reused as it is, so repeated configures cost nothing.
set -eu

tarball=${MVS_OVS_TARBALL:-/usr/src/openvswitch/openvswitch.tar.gz}
cache=${1:-${MVS_OVS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mvs}}

if [ ! -r "$tarball" ]; then
    echo "ovs-lib.sh: $tarball not found; install Debian's openvswitch-source" >&2
    exit 1
fi

sum=$(sha256sum "$tarball" | cut -c1-16)
dir=$cache/ovs-$sum
src=$dir/openvswitch
stamp=$dir/.built

if [ -f "$stamp" ] && [ -f "$src/lib/.libs/libopenvswitch.a" ]; then
    echo "$src"
    exit 0
fi

echo "ovs-lib.sh: building libopenvswitch in $dir (once; a few minutes)" >&2
rm -rf "$dir"
mkdir -p "$dir"
tar -C "$dir" -xzf "$tarball"
cd "$src"
jobs=$(nproc 2>/dev/null || echo 2)
{
    ./configure --enable-silent-rules --disable-afxdp --disable-dpdk \
        --localstatedir=/var --sysconfdir=/etc --prefix=/usr
    # lib/ needs the generated headers that the full build would make first.
    make -j"$jobs" include/odp-netlink.h include/odp-netlink-macros.h \
        lib/vswitch-idl.h lib/ovsdb-server-idl.h lib/dirs.c
    make -j"$jobs" lib/libopenvswitch.la
} > "$dir/build.log" 2>&1 || {
    echo "ovs-lib.sh: building libopenvswitch failed; see $dir/build.log" >&2
    tail -n 20 "$dir/build.log" >&2
    exit 1
}
touch "$stamp"
echo "$src"
