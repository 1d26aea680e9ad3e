#!/bin/bash
# sys-ipv6-exthdr: matching on OXM_OF_IPV6_EXTHDR (which libopenvswitch,
# and so Open vSwitch, does not know): a flow matching the fragment-header
# bit forwards IPv6 frames that carry a fragment header and not others;
# the match's prerequisite (eth_type=0x86dd) is enforced with
# OFPBMC_BAD_PREREQ; flow stats give the field back as sent.
. "$(dirname "$0")/lib.sh"
tl_init
[ "$MVS_SWITCH" = mvs ] || skip "Open vSwitch has no ipv6_exthdr match"

add_ns sw-br0
ns=$(sw_ns br0)
add_host h1 10.0.0.1/24 "$ns"
add_host h2 10.0.0.2/24 "$ns"
no_ipv6 "$(host_ns h1)" "$(host_ns h2)" "$ns"
sw_start br0 "$(host_port h1)=1" "$(host_port h2)=2"
target=$(sw_target br0)
OFC="$PYTHON $top_srcdir/tests/ofclient.py $target"

# OFPIEH_FRAG is 1 << 4.
check $OFC add-flow 'table=0,priority=20,cookie=0x21,in_port=1,eth_type=0x86dd,ipv6_exthdr=0x10/0x10' 'output:2'
check $OFC add-flow 'table=0,priority=10,cookie=0x22,in_port=1,eth_type=0x86dd' ''
if $OFC add-flow 'table=0,priority=30,in_port=1,ipv6_exthdr=0x10/0x10' 'output:2' \
        > "$TEST_DIR/prereq.out" 2>&1; then
    fail "ipv6_exthdr without eth_type=0x86dd was accepted"
fi
grep -q 'OFPET_BAD_MATCH) code 9' "$TEST_DIR/prereq.out" \
    || fail "expected OFPBMC_BAD_PREREQ, got: $(cat "$TEST_DIR/prereq.out")"

$OFC dump-flows > "$TEST_DIR/flows.out" || fail "dump-flows failed"
cat "$TEST_DIR/flows.out"
grep 'cookie=0x21' "$TEST_DIR/flows.out" | grep -q 'ipv6_exthdr' \
    || fail "flow stats lost the ipv6_exthdr match"

rx() { ip netns exec "$(host_ns h2)" cat /sys/class/net/eth0/statistics/rx_packets; }
# Five frames without a fragment header, then five with one, in order on
# one port: once the last five have arrived, the first five would have
# too, so an exact count needs no waiting for something not to happen.
before=$(rx)
ip netns exec "$(host_ns h1)" "$PYTHON" -c "
from scapy.all import Ether, IPv6, IPv6ExtHdrFragment, UDP, Raw, sendp
e = Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')
ip = IPv6(src='fd00::1', dst='fd00::2')
plain = e / ip / UDP(sport=1, dport=2) / Raw(b'exthdr')
frag = e / ip / IPv6ExtHdrFragment(m=0, offset=0, id=7) / UDP(sport=1, dport=2) / Raw(b'exthdr')
sendp([plain] * 5 + [frag] * 5, iface='eth0', verbose=0)" \
    || fail "scapy sender failed"
wait_for "[ \$(( \$(rx) - $before )) -ge 5 ]" 5 \
    || fail "IPv6 frames with a fragment header were not forwarded"
got=$(( $(rx) - before ))
[ "$got" = 5 ] || fail "$got frames arrived: frames without the header were forwarded"
appctl br0 dpctl/dump-flows
exit 0
