#!/bin/bash
# utils/demo.sh: the quick-start demo.  Installs and builds what is missing
# (utils/setup.sh), then builds an MPLS path out of two mvsd bridges:
#
#   h1 (10.0.0.1) -- br-a ==== core link ==== br-b -- h2 (10.0.0.2)
#                   push 100 -->  label 100  --> pop
#                   pop      <--  label 200  <-- push 200
#
# Each host and each bridge lives in a network namespace of its own; each
# bridge loads its flow table from utils/demo-flows/BRIDGE.flows (no
# controller).  It pings h1 -> h2, shows the MPLS labels captured on the
# core link and the flows with their counters, and removes everything it
# created, and only that.  Exit status: nonzero when the ping fails.
#
# MVS_DEMO_SWITCH=ovs runs the same path on Open vSwitch's userspace
# datapath instead of mvsd, as a reference.  MVS_SKIP_SETUP=1 skips setup.
set -u
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
export MVS_SWITCH=${MVS_DEMO_SWITCH:-${MVS_SWITCH:-mvs}}

if [ "$(id -u)" != 0 ]; then
    echo "demo.sh: must run as root (network namespaces)" >&2
    exit 1
fi
if [ -z "${MVS_SKIP_SETUP:-}" ]; then
    bash "$top_srcdir/utils/setup.sh" || { echo "demo.sh: setup failed" >&2
                                           exit 1; }
fi

TEST_NAME=demo
. "$top_srcdir/tests/lib.sh"
if ! command -v tcpdump >/dev/null; then
    echo "demo.sh: tcpdump is missing (run utils/setup.sh)" >&2
    exit 1
fi
tl_init

section() { printf '\n== %s\n' "$*"; }

section "topology ($MVS_SWITCH)"
add_ns sw-br-a
add_ns sw-br-b
nsa=$(sw_ns br-a)
nsb=$(sw_ns br-b)
add_host h1 10.0.0.1/24 "$nsa"
add_host h2 10.0.0.2/24 "$nsb"
core_a=$(if_name core-a)
core_b=$(if_name core-b)
add_veth "$core_a" "$nsa" "$core_b" "$nsb"
echo "h1 $(host_ns h1) eth0 10.0.0.1 -- br-a port 1 $(host_port h1)"
echo "br-a port 2 $core_a ==== core link ==== $core_b br-b port 2"
echo "h2 $(host_ns h2) eth0 10.0.0.2 -- br-b port 1 $(host_port h2)"

sw_start --dpid 00000000000000a1 --flows "$top_srcdir/utils/demo-flows/br-a.flows" \
    br-a "$(host_port h1)=1" "$core_a=2"
sw_start --dpid 00000000000000b1 --flows "$top_srcdir/utils/demo-flows/br-b.flows" \
    br-b "$(host_port h2)=1" "$core_b=2"

# Capture on the core link, from br-a's side, until 8 MPLS frames (4 echo
# requests with label 100 and 4 replies with label 200) have crossed.
start_daemon tcpdump ip netns exec "$nsa" tcpdump -l -nn -e -i "$core_a" \
    -c 8 mpls
dump=$LAST_PID
wait_for "grep -q 'listening on' '$TEST_DIR/tcpdump.log'" 10 \
    || fail "tcpdump did not start"

section "ping h1 -> h2 across the MPLS path"
ip netns exec "$(host_ns h1)" ping -c 4 -i 0.2 -W 2 10.0.0.2
ping_rc=$?

section "MPLS frames on the core link (tcpdump -e on $core_a)"
wait_for "! alive $dump" 5 || stop_daemon "$dump"
grep -E 'MPLS' "$TEST_DIR/tcpdump.log"
echo "labels seen:"
grep -o 'label [0-9]*' "$TEST_DIR/tcpdump.log" | sort | uniq -c

for br in br-a br-b; do
    section "flows of $br: ovs-ofctl -O OpenFlow13 dump-flows $(sw_target "$br")"
    of "$br" dump-flows
done

section "result"
if [ "$ping_rc" != 0 ]; then
    fail "ping h1 -> h2 failed"
fi
for label in 100 200; do
    grep -q "label $label," "$TEST_DIR/tcpdump.log" \
        || fail "no frame with MPLS label $label seen on the core link"
done
echo "demo: ping crossed the MPLS path (label 100 towards h2, 200 back)"
echo "demo: cleaning up what it created"
exit 0
