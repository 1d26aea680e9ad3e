#! /bin/bash
# sys-kmod-vm.sh: tests the nf_tables "mpls" expression (kmod/module) in a
# virtual machine, since the host kernel cannot load modules.
#
# Builds nft_mpls.ko against Debian's linux-headers-*-amd64, a
# check program (tests/vm/mpls-vm-check.c) and an initramfs with
# busybox-static and the modules the checks need (from the matching
# linux-image-amd64), boots that kernel with qemu-system-x86_64 (TCG, no
# KVM needed) and reads the results back from the serial console.
#
# Exit: 0 all checks passed, 77 skipped (a package is missing), 1 failed.
# Packages: qemu-system-x86 linux-image-amd64 linux-headers-amd64
#           busybox-static cpio gcc make libmnl-dev.
# Environment: MVS_VM_TIMEOUT (seconds, default 170), MVS_VM_KEEP=1 keeps
#              the work directory, MVS_VM_NFTC_DRIVER another nftc-driver
#              binary for the end-to-end part.
set -u

srcdir=$(cd "$(dirname "$0")/.." && pwd)
timeout_s=${MVS_VM_TIMEOUT:-170}

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

qemu=$(command -v qemu-system-x86_64) || skip "qemu-system-x86_64 missing"
busybox=/bin/busybox
[ -x "$busybox" ] || busybox=$(command -v busybox) || skip "busybox missing"
ldd "$busybox" 2>&1 | grep -q 'not a dynamic executable' \
    || skip "busybox is not static (install busybox-static)"
for tool in gcc make cpio gzip timeout; do
    command -v $tool >/dev/null || skip "$tool missing"
done

# The newest kernel with headers, image and modules, all the same version.
kver=
for hdr in $(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V -r); do
    v=${hdr#/usr/src/linux-headers-}
    if [ -f "/boot/vmlinuz-$v" ] && [ -d "/lib/modules/$v/kernel" ]; then
        kver=$v
        break
    fi
done
[ -n "$kver" ] || skip "no linux-headers-*-amd64 matching linux-image-amd64"
[ -r "/boot/vmlinuz-$kver" ] || skip "/boot/vmlinuz-$kver unreadable"
kdir=/usr/src/linux-headers-$kver
moddir=/lib/modules/$kver

work=$(mktemp -d /tmp/mvs-kmod-vm.XXXXXX)
cleanup() {
    [ -n "${MVS_VM_KEEP:-}" ] && { echo "kept $work"; return; }
    rm -rf "$work"
}
trap cleanup EXIT
start=$(date +%s%N)

# 1. The module, out of tree, warnings are errors (Kbuild sets -Werror).
cp -r "$srcdir/kmod/module" "$work/module"
rm -f "$work/module/"*.o "$work/module/"*.ko "$work/module/"*.mod*
make -s -C "$kdir" M="$work/module" modules >"$work/build.log" 2>&1 \
    || { cat "$work/build.log"; fail "module build"; }
if grep -i 'warning' "$work/build.log" | grep -v 'Skipping BTF'; then
    fail "module build has warnings"
fi

# 2. The check program, with mvs's own encoder and probe
#    (kmod/nftc-mpls.c, which needs libmnl and an empty config.h).
mkdir -p "$work/inc"
: >"$work/inc/config.h"
[ -f /usr/include/libmnl/libmnl.h ] || skip "libmnl-dev missing"
gcc -O2 -Wall -Wno-override-init -I"$work/inc" -I"$srcdir" \
    -o "$work/mpls-vm-check" "$srcdir/tests/vm/mpls-vm-check.c" \
    "$srcdir/kmod/nftc-mpls.c" -lmnl || fail "check program build"

# 3. The initramfs.
root=$work/root
mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,lib/modules}
cp "$busybox" "$root/bin/busybox"
for app in sh mount insmod poweroff cat echo sleep dmesg grep; do
    ln -s busybox "$root/bin/$app"
done
cp "$work/mpls-vm-check" "$root/bin/"
# mvs's own nftc, end to end, if the tree is built: tests/nftc-driver
# installs MPLS flows that "mpls-vm-check e2e" then sends frames through.
bins=$work/mpls-vm-check
driver=${MVS_VM_NFTC_DRIVER:-$srcdir/tests/nftc-driver}
if [ -x "$driver" ]; then
    cp "$driver" "$root/bin/nftc-driver"
    bins="$bins $driver"
    cat >"$root/e2e.flows" <<'EOF'
port 1 a1
port 2 b0
add1 table=0,priority=10,cookie=0x4,in_port=1,arp,actions=output:2
add1 table=0,priority=10,cookie=0x1,in_port=1,ip,actions=push_mpls:0x8847,set_field:100->mpls_label,set_mpls_ttl(9),output:2
add1 table=0,priority=10,cookie=0x2,in_port=1,mpls,mpls_label=200,actions=dec_mpls_ttl,set_mpls_label(201),output:2
add1 table=0,priority=10,cookie=0x3,in_port=1,mpls,mpls_label=300,mpls_bos=1,actions=pop_mpls:0x0800,output:2
add1 table=0,priority=20,cookie=0x5,in_port=1,ip,nw_ttl=33,actions=push_mpls:0x8847,set_field:400->mpls_label,set_mpls_ttl(9),copy_ttl_out,output:2
add1 table=0,priority=10,cookie=0x6,in_port=1,mpls,mpls_label=500,mpls_bos=1,actions=copy_ttl_in,pop_mpls:0x0800,output:2
expect-offloadable in_port=1,ip,actions=push_mpls:0x8847,output:2
expect-offloadable in_port=1,ip,nw_ttl=33,actions=push_mpls:0x8847,set_mpls_ttl(9),copy_ttl_out,output:2
expect-offloadable in_port=1,mpls,mpls_label=500,mpls_bos=1,actions=copy_ttl_in,pop_mpls:0x0800,output:2
EOF
fi
# The shared libraries (libmnl, libc, the loader...), at their own paths.
for lib in $(ldd $bins | awk '/=>/ { print $3 } /^\t\// { print $1 }' \
             | sort -u); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
done

# Modules in load order: each one's dependencies (modules.dep) first.
loaded=" "
order=()
add_module() {
    local rel=$1 dep
    case $loaded in *" $rel "*) return ;; esac
    for dep in $(sed -n "s|^$rel: *||p" "$moddir/modules.dep"); do
        add_module "$dep"
    done
    loaded="$loaded$rel "
    order+=("$rel")
}
# libcrc32c asks the crypto API for crc32c at load time: give it one.
add_module kernel/crypto/crc32c_generic.ko
for m in veth nf_tables nft_fwd_netdev nft_dup_netdev; do
    rel=$(grep -o "^[^:]*/$m\.ko[^:]*" "$moddir/modules.dep" | head -1)
    [ -n "$rel" ] || skip "module $m not in $moddir"
    add_module "$rel"
done
: >"$root/modules.list"
for rel in "${order[@]}"; do
    cp "$moddir/$rel" "$root/lib/modules/"
    echo "/lib/modules/$(basename "$rel")" >>"$root/modules.list"
done
cp "$work/module/nft_mpls.ko" "$root/lib/modules/"

cat >"$root/init" <<'EOF'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo "MPLSVM BOOTED"
ok=1
for m in $(cat /modules.list); do
    if ! insmod "$m"; then
        echo "MPLSVM FAIL insmod $m"
        ok=0
    fi
done
if [ $ok = 1 ]; then
    /bin/mpls-vm-check probe-absent
    if insmod /lib/modules/nft_mpls.ko; then
        echo "MPLSVM PASS insmod"
        /bin/mpls-vm-check
        if [ -x /bin/nftc-driver ]; then
            if nftc-driver br0 /e2e.flows >/tmp/driver.log 2>&1; then
                echo "MPLSVM PASS e2e-nftc-install"
                /bin/mpls-vm-check e2e
            elif grep -q 'nftc_create: Protocol error' /tmp/driver.log; then
                # nftc takes the ack of NFNL_MSG_BATCH_END as its commit's
                # success; older kernels (Debian 12's 6.1) never send it.
                echo "MPLSVM SKIP e2e: this kernel does not ack BATCH_END," \
                     "which kmod/nftc requires"
            else
                echo "MPLSVM FAIL e2e-nftc-install"
                sed 's/^/MPLSVM driver: /' /tmp/driver.log
            fi
        else
            echo "MPLSVM SKIP e2e (tests/nftc-driver not built)"
        fi
    else
        echo "MPLSVM FAIL insmod nft_mpls.ko"
    fi
fi
# Kernel complaints (BUG, WARNING, KASAN...) fail the host side.
dmesg | grep -E 'BUG|WARNING|Oops|general protection|KASAN|refcount' \
    | sed 's/^/MPLSVM KERNEL /'
echo "MPLSVM END"
poweroff -f
EOF
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) \
    >"$work/initramfs.gz" || fail "initramfs"

# 4. Boot.  panic=-1 and -no-reboot turn any panic into a qemu exit.
console=$work/console.log
timeout -k 5 "$timeout_s" "$qemu" -accel tcg -m 512M -nographic \
    -no-reboot -nodefaults -serial stdio \
    -kernel "/boot/vmlinuz-$kver" -initrd "$work/initramfs.gz" \
    -append "console=ttyS0 panic=-1 oops=panic loglevel=4" \
    </dev/null >"$console" 2>&1
qemu_rc=$?
end=$(date +%s%N)

tr -d '\r' <"$console" | grep '^MPLSVM' | sed 's/^/  /'
ms=$(( (end - start) / 1000000 ))
printf 'VM test time: %d.%d s (kernel %s)\n' $((ms / 1000)) \
    $((ms % 1000 / 100)) "$kver"

if [ $qemu_rc = 124 ] || [ $qemu_rc = 137 ]; then
    tail -20 "$console"
    fail "VM timed out after ${timeout_s}s"
fi
grep -q 'Kernel panic' "$console" && { tail -40 "$console"; fail "panic"; }
grep -q '^MPLSVM KERNEL' "$console" && fail "kernel complained"
grep -q '^MPLSVM END' "$console" || { tail -20 "$console"; fail "no end"; }
grep -q '^MPLSVM FAIL' "$console" && fail "checks failed"
summary=$(tr -d '\r' <"$console" | grep '^MPLSVM: ' | grep -v e2e)
[ -n "$summary" ] || fail "check program did not finish"
n_pass=$(tr -d '\r' <"$console" | grep -c '^MPLSVM PASS')
n_fail=$(tr -d '\r' <"$console" | grep -c '^MPLSVM FAIL')
echo "$n_pass passed, $n_fail failed"
[ "$n_fail" = 0 ] || fail "checks failed"
