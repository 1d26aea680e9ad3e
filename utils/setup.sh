#!/bin/bash
# utils/setup.sh: installs what mvs needs and builds it.  Idempotent: on a
# machine where everything is there and the build is current it only runs
# a `make` that has nothing to do.
#
# Runs as root on a fresh Debian 12 with only the base system and git:
#   1. installs the missing Debian packages (build, run and test deps),
#      running `apt-get update` only when something is missing;
#   2. ./boot.sh and ./configure, only when needed (no configure or
#      Makefile yet, or their inputs are newer); configure builds OVS's lib/
#      once into a cache (utils/ovs-lib.sh);
#   3. make -j$(nproc).
# Output: short progress lines; the details go to setup.log in the build
# folder, whose tail is shown on failure.
set -eu

top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
cd "$top_srcdir"
logfile=$top_srcdir/setup.log
: >"$logfile"

say() { echo "setup: $*"; }
die() {
    echo "setup: ERROR: $*" >&2
    if [ -s "$logfile" ]; then
        echo "setup: last lines of $logfile:" >&2
        tail -n 30 "$logfile" >&2
    fi
    exit 1
}

# Build dependencies, then what the daemon, the demo and the tests run
# (clang with libclang-rt-dev, the libFuzzer and sanitizer runtimes of
# Debian's default clang, and valgrind: tests/fuzz/ and
# tests/run-sanitized.sh; ethtool: the checksum-offload cases of
# tests/sys-port-io.sh; qemu, Debian's kernel image and headers,
# busybox-static and cpio: the kernel module's VM test, tests/sys-kmod-vm.sh).
packages="build-essential autoconf automake libtool pkg-config
    openvswitch-source libssl-dev libmnl-dev libnftnl-dev libcap-ng-dev
    libcmocka-dev python3
    openvswitch-switch openvswitch-common python3-os-ken python3-scapy
    tcpdump nftables iproute2 iputils-ping netsniff-ng procps ethtool
    mininet
    clang libclang-rt-dev valgrind"

# Wanted, not required: the tests that use them skip (77) without them, and
# a failure to install them (a kernel image in an odd container, say) is
# only a warning.
optional="qemu-system-x86 linux-image-amd64 linux-headers-amd64
    busybox-static cpio"

installed() {
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" \
        = installed ]
}

missing=""
for p in $packages; do
    installed "$p" || missing="$missing $p"
done
missing_optional=""
for p in $optional; do
    installed "$p" || missing_optional="$missing_optional $p"
done

if [ -n "$missing$missing_optional" ]; then
    say "installing Debian packages:$missing"
    [ "$(id -u)" = 0 ] || die "installing packages needs root"
    export DEBIAN_FRONTEND=noninteractive
    # Packaged services (openvswitch-switch) must not be started on install:
    # there may be no init system and no OVS kernel module; the tests start
    # their own daemons.  Only add the standard deny-all policy when there
    # is none, and remove only what we added.
    policy=/usr/sbin/policy-rc.d
    added_policy=""
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        added_policy=$policy
        trap 'rm -f "$added_policy"' EXIT
    fi
    say "apt-get update"
    apt-get update >>"$logfile" 2>&1 || die "apt-get update failed"
    if [ -n "$missing" ]; then
        # shellcheck disable=SC2086
        apt-get install -y --no-install-recommends $missing \
            >>"$logfile" 2>&1 || die "apt-get install failed"
    fi
    if [ -n "$missing_optional" ]; then
        say "installing optional packages:$missing_optional"
        # shellcheck disable=SC2086
        apt-get install -y --no-install-recommends $missing_optional \
            >>"$logfile" 2>&1 \
            || say "warning: could not install$missing_optional;" \
                   "the tests that need them will skip"
    fi
    if [ -n "$added_policy" ]; then
        rm -f "$added_policy"
        trap - EXIT
    fi
    for p in $missing; do
        installed "$p" || die "package $p did not install"
    done
else
    say "Debian packages: all present"
fi

# newer A B...: true if A is missing or any B is newer than A.
newer() {
    local target=$1 f
    shift
    [ -e "$target" ] || return 0
    for f in "$@"; do
        [ -e "$f" ] && [ "$f" -nt "$target" ] && return 0
    done
    return 1
}

am_inputs=$(ls Makefile.am ./*/automake.mk 2>/dev/null)
# shellcheck disable=SC2086
if newer configure configure.ac $am_inputs || [ ! -e Makefile.in ]; then
    say "./boot.sh"
    ./boot.sh >>"$logfile" 2>&1 || die "./boot.sh failed"
fi
if newer Makefile configure || [ ! -e config.status ]; then
    say "./configure (builds libopenvswitch into a cache the first time)"
    ./configure >>"$logfile" 2>&1 || die "./configure failed"
fi

jobs=$(nproc 2>/dev/null || echo 2)
say "make -j$jobs"
make -j"$jobs" >>"$logfile" 2>&1 || die "make failed"
say "build up to date: $(ls utils/mvsd utils/mvs-ofctl utils/mvs-appctl \
    2>/dev/null | tr '\n' ' ')"
