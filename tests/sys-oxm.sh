#!/bin/bash
# sys-oxm: every OXM field of OpenFlow 1.3.5 (Table 12), as a match (with
# its masked forms) and, where the spec lets set_field write it, as a
# set_field, checked byte for byte on the wire with every checksum
# (IPv4 header, TCP, UDP, ICMP, ICMPv6, SCTP's CRC32c) recomputed by scapy.
# The cases, the frames and the comparison are in tests/oxm_cases.py
# (flows from os-ken through tests/ofclient.py; AF_PACKET sockets opened
# in the host namespaces by the helper itself, no tcpdump).
#
#   h1 (port 1) --+
#   h2 (port 2) --+-- br0      match:  flow -> port 2, priority 0 -> port 3
#   h3 (port 3) --+            set:    flow set_field -> port 2
#
# mvs runs two passes over the same cases: userspace only
# (--offload=off), then with the nf_tables offload (the default), which
# must also give exactly the bytes of the first pass.  With
# MVS_SWITCH=ovs one pass runs against Open vSwitch; the cases it cannot
# express or do are reported XFAIL (expected-unsupported), so its pass
# count compares with mvs's.  OXM_ONLY=REGEX runs only the matching cases;
# the helper's --list prints them all.
. "$(dirname "$0")/lib.sh"
tl_init
"$PYTHON" -c 'import os_ken, scapy' 2>/dev/null \
    || skip "needs python3-os-ken and python3-scapy"

no_ipv6() {
    ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1 || fail "disable IPv6 in $1"
}
# No IPv6 of the kernels' own (router solicitations, MLD) on any link, the
# switch's side included: every frame the hosts receive must be ours.
add_ns sw-br0
ns=$(sw_ns br0)
no_ipv6 "$ns"
for h in h1 h2 h3; do
    add_host "$h" "10.0.0.${h#h}/24" "$ns"
    no_ipv6 "$(host_ns "$h")"
done
ports=("$(host_port h1)=1" "$(host_port h2)=2" "$(host_port h3)=3")

# run_pass NAME ARGS...: the cases against the running bridge.
run_pass() {
    local name=$1
    shift
    "$PYTHON" "$top_srcdir/tests/oxm_cases.py" --target "$(sw_target br0)" \
        --h1 "$(host_ns h1)" --h2 "$(host_ns h2)" --h3 "$(host_ns h3)" \
        --switch "$MVS_SWITCH" --pass "$name" ${OXM_ONLY:+--only "$OXM_ONLY"} \
        "$@"
}

rc=0
if [ "$MVS_SWITCH" = mvs ]; then
    base_args=${MVSD_ARGS:-}
    MVSD_ARGS="$base_args --offload=off"
    sw_start br0 "${ports[@]}"
    run_pass userspace --record "$TEST_DIR/userspace.json" || rc=1
    stop_daemon "${SW_PID[br0]}"
    alive "${SW_PID[br0]}" && fail "mvsd did not stop"

    MVSD_ARGS="$base_args"
    sw_start br0 "${ports[@]}"
    # Each case also checks that offload is still on and says where its
    # flow ran ("kernel, N packets" or "userspace: why").
    show="$top_builddir/utils/mvs-appctl -t $(sw_ctl br0) offload/show"
    if $show | grep -q 'offload on'; then
        run_pass offload --compare "$TEST_DIR/userspace.json" \
            --offload-show "$show" || rc=1
    else
        log "no offload pass: $($show 2>&1 | head -n 1)"
    fi
else
    sw_start br0 "${ports[@]}"
    # Open vSwitch revalidates its datapath flows after the barrier reply:
    # each case purges them, so that no megaflow of the previous case
    # forwards the next one's frames.
    run_pass ovs --sync "ovs-appctl -t $(sw_ctl br0) revalidator/purge" \
        || rc=1
fi
[ "$rc" = 0 ] || fail "some OXM cases failed (see the FAIL lines above)"
log "PASS"
