#!/bin/bash
# tests/fuzz/build.sh: builds the libFuzzer targets tests/fuzz/fuzz-*.c.
#
#   bash tests/fuzz/build.sh [OUTDIR]
#
# A build of its own, next to the normal one: the mvs sources each target
# needs are compiled with clang, -fsanitize=fuzzer-no-link,address,undefined,
# into OUTDIR (default tests/fuzz/build/), and each target is linked with
# -fsanitize=fuzzer against them and against the libopenvswitch.a that
# `configure` found (OVS_BUILDDIR in $top_builddir/Makefile; built with
# gcc, uninstrumented, which is fine).  Objects are rebuilt only when their
# source, or any header of datapath/, ofproto-mpls/ or kmod/, is newer.
#
# Three targets compile a module's .c file into themselves to reach what
# it keeps static (no test hook in mvs): fuzz-openflow.c includes
# ofproto-mpls/connmgr.c with rconn replaced by an in-memory connection,
# fuzz-nftc.c includes kmod/nftc-nl.c for its netlink reply callbacks,
# fuzz-nlio.c includes it with the socket calls replaced by a fake kernel.
#
# Needs Debian's clang and libclang-rt-NN-dev (utils/setup.sh installs
# them) and a configured $top_builddir (utils/setup.sh).
set -eu
top_srcdir=$(cd "$(dirname "$0")/../.." && pwd)
: "${top_builddir:=$top_srcdir}"
fuzzdir=$top_srcdir/tests/fuzz
out=${1:-$fuzzdir/build}
CLANG=${CLANG:-clang}

die() { echo "fuzz build: ERROR: $*" >&2; exit 1; }

command -v "$CLANG" >/dev/null || die "$CLANG not found (apt-get install clang)"
[ -f "$top_builddir/Makefile" ] \
    || die "$top_builddir is not configured (run utils/setup.sh)"
mkvar() {
    sed -n "s/^$1 = //p" "$top_builddir/Makefile" | head -n 1
}
OVS_BUILDDIR=$(mkvar OVS_BUILDDIR)
OVS_SRCDIR=$(mkvar OVS_SRCDIR)
ovs_libs="$OVS_BUILDDIR/lib/.libs/libopenvswitch.a \
$OVS_BUILDDIR/lib/.libs/libopenvswitchavx512.a"
for l in $ovs_libs; do
    [ -f "$l" ] || die "$l missing (utils/ovs-lib.sh builds it)"
done
ext_libs="$(mkvar SSL_LIBS) $(mkvar CAPNG_LIBS) $(mkvar NFTNL_LIBS) \
$(mkvar MNL_LIBS) -latomic -lm -lpthread -lrt"

cppflags="-I$top_srcdir -I$top_builddir \
-I$OVS_BUILDDIR/include -I$OVS_SRCDIR/include \
-I$OVS_BUILDDIR/lib -I$OVS_SRCDIR/lib -I$OVS_BUILDDIR -I$OVS_SRCDIR \
$(mkvar MNL_CFLAGS) $(mkvar NFTNL_CFLAGS) $(mkvar CAPNG_CFLAGS) \
$(mkvar SSL_CFLAGS) -DPACKAGE_VERSION_MVS=\"fuzz\""
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined \
-fno-omit-frame-pointer"
cflags="-g -O1 -Wall -Wno-unused-parameter -Wno-sign-compare \
-Wno-unused-function -Wno-missing-field-initializers $san"

# am_sources VAR: the .c files automake variable VAR lists in the layers'
# automake.mk files (read as text: no make run in the source tree), so
# that a module added to a library is picked up here too.
am_sources() {
    awk -v V="$1" '
        cont || ($1 == V && ($2 == "=" || $2 == "+=")) {
            line = $0
            if (!cont) { sub(/^[^=]*=/, "", line) }
            cont = sub(/\\[ \t]*$/, "", line)
            n = split(line, w)
            for (i = 1; i <= n; i++) { if (w[i] ~ /\.c$/) { print w[i] } }
        }' "$top_srcdir"/*/automake.mk | tr '\n' ' '
}
lib_datapath=$(am_sources datapath_libdatapath_a_SOURCES)
lib_nftc=$(am_sources kmod_libnftc_a_SOURCES)
lib_ofproto=$(am_sources ofproto_mpls_libofproto_a_SOURCES)
lib_ofpext=$(am_sources ofproto_mpls_libofpext_a_SOURCES)
[ -n "$lib_datapath" ] && [ -n "$lib_nftc" ] && [ -n "$lib_ofproto" ] \
    && [ -n "$lib_ofpext" ] \
    || die "cannot read the library sources from */automake.mk"
# without FILE WORDS...: WORDS minus FILE.
without() {
    local drop=$1 w
    shift
    for w in "$@"; do [ "$w" = "$drop" ] || printf '%s ' "$w"; done
}

# Mvs sources per target (fuzz-openflow and fuzz-nftc include connmgr.c
# and nftc-nl.c themselves, see above).
srcs_dp="datapath/dp-parse.c datapath/dp-actions.c datapath/dp-csum.c"
# shellcheck disable=SC2086
srcs_nftc=$(without kmod/nftc-nl.c $lib_nftc)
# shellcheck disable=SC2086
srcs_ofproto="$(without ofproto-mpls/connmgr.c $lib_ofproto) $lib_ofpext \
$lib_datapath $lib_nftc"
declare -A target_srcs=(
    [fuzz-dp-parse]="$srcs_dp"
    [fuzz-ofp-ext]="$lib_ofpext"
    [fuzz-openflow]="$srcs_ofproto"
    [fuzz-nftc]="$srcs_nftc"
    [fuzz-nlio]="$srcs_nftc"
    [fuzz-groups]="$lib_ofproto $lib_ofpext $lib_datapath $lib_nftc"
)
targets=${MVS_FUZZ_TARGETS:-"fuzz-dp-parse fuzz-ofp-ext fuzz-openflow fuzz-nftc fuzz-nlio fuzz-groups"}

mkdir -p "$out/obj"
# The newest header mvs has: an object older than it is rebuilt.
newest_h=$(ls -t "$top_srcdir"/datapath/*.h "$top_srcdir"/ofproto-mpls/*.h \
               "$top_srcdir"/kmod/*.h "$top_builddir/mvs-config.h" | head -n 1)

# compile SRC OBJ [EXTRA_FLAGS...]: compiles if OBJ is out of date.
compile() {
    local src=$1 obj=$2
    shift 2
    if [ -e "$obj" ] && [ "$obj" -nt "$src" ] && [ "$obj" -nt "$newest_h" ] \
       && [ "$obj" -nt "$0" ]; then
        return 0
    fi
    echo "  CC $(basename "$obj")"
    # shellcheck disable=SC2086
    "$CLANG" $cppflags $cflags "$@" -c "$src" -o "$obj"
}

all_srcs=$(for t in $targets; do echo ${target_srcs[$t]}; done | tr ' ' '\n' \
           | sort -u)
pids=()
for s in $all_srcs; do
    obj=$out/obj/$(echo "$s" | tr / _ | sed 's/\.c$/.o/')
    compile "$top_srcdir/$s" "$obj" -fsanitize=fuzzer-no-link &
    pids+=($!)
    if [ ${#pids[@]} -ge "$(nproc 2>/dev/null || echo 2)" ]; then
        wait "${pids[0]}" || die "compiling failed"
        pids=("${pids[@]:1}")
    fi
done
for p in "${pids[@]}"; do
    wait "$p" || die "compiling failed"
done

for t in $targets; do
    objs=""
    for s in ${target_srcs[$t]}; do
        objs="$objs $out/obj/$(echo "$s" | tr / _ | sed 's/\.c$/.o/')"
    done
    tobj=$out/obj/$t.o
    # A target that includes a module's .c file depends on it too.
    inc=$(sed -n 's/^#include "\(.*\.c\)"/\1/p' "$fuzzdir/$t.c")
    if [ -n "$inc" ] && [ "$top_srcdir/$inc" -nt "$tobj" ]; then
        rm -f "$tobj"
    fi
    compile "$fuzzdir/$t.c" "$tobj" -fsanitize=fuzzer-no-link
    if [ "$out/$t" -nt "$tobj" ] && [ -z "$(find $objs -newer "$out/$t")" ]; then
        continue
    fi
    echo "  LD $t"
    # shellcheck disable=SC2086
    "$CLANG" $cflags -fsanitize=fuzzer -o "$out/$t" "$tobj" $objs \
        $ovs_libs $ext_libs
done
echo "fuzz build: $(cd "$out" && ls $targets | tr '\n' ' ')in $out"
