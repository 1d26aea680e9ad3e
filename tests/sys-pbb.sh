#!/bin/bash
# sys-pbb: OpenFlow 1.3's 802.1ah actions and match, which libopenvswitch
# (and so Open vSwitch) lacks: push_pbb and set_field pbb_isid build a
# backbone frame on the wire (customer addresses copied, ethertype 0x88e7,
# the I-SID set, the customer frame intact behind it); a flow matching
# pbb_isid pops it and delivers exactly the customer frame; pbb_isid's
# prerequisite (eth_type=0x88e7) is enforced; flow stats give back what was
# sent.
. "$(dirname "$0")/lib.sh"
tl_init
[ "$MVS_SWITCH" = mvs ] || skip "Open vSwitch has no PBB actions"
command -v tcpdump >/dev/null 2>&1 || skip "missing tool: tcpdump"

add_ns sw-br0
ns=$(sw_ns br0)
add_host h1 10.0.0.1/24 "$ns"
add_host h2 10.0.0.2/24 "$ns"
no_ipv6 "$(host_ns h1)" "$(host_ns h2)" "$ns"
sw_start br0 "$(host_port h1)=1" "$(host_port h2)=2"
OFC="$PYTHON $top_srcdir/tests/ofclient.py $(sw_target br0)"

check $OFC add-flow 'table=0,priority=10,cookie=0x41,in_port=1,eth_type=0x0800' \
    'push_pbb:0x88e7,set_field:pbb_isid=0x123456,output:2'
check $OFC add-flow 'table=0,priority=10,cookie=0x42,in_port=2,eth_type=0x88e7,pbb_isid=0x654321' \
    'pop_pbb,output:1'
if $OFC add-flow 'table=0,priority=20,in_port=2,pbb_isid=1' 'output:1' \
        > "$TEST_DIR/prereq.out" 2>&1; then
    fail "pbb_isid without eth_type=0x88e7 was accepted"
fi
grep -q 'OFPET_BAD_MATCH) code 9' "$TEST_DIR/prereq.out" \
    || fail "expected OFPBMC_BAD_PREREQ: $(cat "$TEST_DIR/prereq.out")"
$OFC dump-flows > "$TEST_DIR/flows.out" || fail "dump-flows failed"
cat "$TEST_DIR/flows.out"
grep 'cookie=0x41' "$TEST_DIR/flows.out" | grep -q 'push_pbb:0x88e7.*pbb_isid' \
    || fail "flow stats lost push_pbb or set_field pbb_isid"
grep 'cookie=0x42' "$TEST_DIR/flows.out" | grep -q 'pbb_isid=6636321.*pop_pbb' \
    || fail "flow stats lost the pbb_isid match or pop_pbb"

# h1 -> h2: the backbone frame on the wire.
capture push "$(host_ns h2)" eth0 1 ether proto 0x88e7
ip netns exec "$(host_ns h1)" "$PYTHON" -c "
from scapy.all import Ether, IP, UDP, Raw, sendp
sendp(Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')
      / IP(src='10.0.0.1', dst='10.0.0.2') / UDP(sport=5, dport=6)
      / Raw(b'customer-frame'), iface='eth0', verbose=0)" \
    || fail "scapy sender failed"
capture_end push
"$PYTHON" - "$TEST_DIR/push.pcap" <<'PY' || fail "pushed frame wrong"
import sys
from scapy.all import rdpcap, raw
frames = rdpcap(sys.argv[1])
assert frames, "no frame captured"
b = raw(frames[0])
cust_macs = bytes.fromhex("020000000002" "020000000001")
assert b[0:12] == cust_macs, ("backbone addresses", b[:12].hex())
assert b[12:14] == b"\x88\xe7", b[12:14].hex()
itag = int.from_bytes(b[14:18], "big")
assert itag & 0xffffff == 0x123456, hex(itag)
assert b[18:30] == cust_macs and b[30:32] == b"\x08\x00", b[18:32].hex()
assert b"customer-frame" in b[32:]
print("push_pbb ok:", b[:40].hex())
PY

# h2 -> h1: a backbone frame for I-SID 0x654321; h1 gets the customer
# frame, byte for byte.
capture pop "$(host_ns h1)" eth0 1 udp port 9
ip netns exec "$(host_ns h2)" "$PYTHON" -c "
from scapy.all import Ether, IP, UDP, Raw, raw, sendp
inner = raw(Ether(src='02:00:00:00:00:02', dst='02:00:00:00:00:01')
            / IP(src='10.0.0.2', dst='10.0.0.1') / UDP(sport=9, dport=9)
            / Raw(b'inner-customer-frame'))
open('$TEST_DIR/inner.bin', 'wb').write(inner)
outer = (bytes.fromhex('0200000000aa' '0200000000bb' '88e7')
         + (0x654321).to_bytes(4, 'big') + inner)
sendp(Ether(outer), iface='eth0', verbose=0)" || fail "scapy sender failed"
capture_end pop
"$PYTHON" - "$TEST_DIR/pop.pcap" "$TEST_DIR/inner.bin" <<'PY' || fail "popped frame wrong"
import sys
from scapy.all import rdpcap, raw
frames = rdpcap(sys.argv[1])
assert frames, "no frame captured"
want = open(sys.argv[2], "rb").read()
assert raw(frames[0]) == want, (raw(frames[0]).hex(), want.hex())
print("pop_pbb ok: the customer frame exactly")
PY
exit 0
