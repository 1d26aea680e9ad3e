#!/bin/bash
# sys-mpls-depth: copy_ttl on a one-entry stack whose payload nothing
# names, a BOS bit cleared under a copy, a TTL copied out and matched in a
# later table, and a stack deeper than the datapath key (issue 12 item 3,
# issue 15 items 6, 8, 10).  Flows from os-ken (ovs-ofctl cannot express
# copy_ttl; ovs-ofctl the mpls_ttl match); frames from a raw socket on h1; what h2 and h3 receive is
# checked byte by byte.
#
#   frame (label stack / payload)        flow                      h2 gets
#   1  [10 ttl 20] / IPv4 ttl 64         copy_ttl_in, out 2        IPv4 ttl 20,
#                                                                  checksum valid
#   2  [12 ttl 20] / IPv4 ttl 64         set bos=0, copy_ttl_in    label bos 0,
#                                                                  IPv4 ttl 20,
#                                                                  length intact
#   3  [11 ttl 5] / IPv4 ttl 33          set_mpls_ttl 200,         (h2) label ttl 33:
#                                        copy_ttl_out, goto 1;     table 1 saw 33
#                                        t1 mpls_ttl=33 -> 2,
#                                        else -> 3
#   4  [13 ttl 20] / control word 0      copy_ttl_in, out 2        frame unchanged;
#                                                                  dpctl/show counts
#                                                                  a skipped copy
#   5  [100..116] (17 labels) / IPv4     16 x pop_mpls, goto 1;    [116] / IPv4
#                                        t1 mpls_label=116 -> 2
. "$(dirname "$0")/lib.sh"
tl_init
[ "$MVS_SWITCH" = mvs ] || skip "Open vSwitch has no copy_ttl and 3 labels at most"
command -v tcpdump >/dev/null 2>&1 || skip "missing tool: tcpdump"

no_ipv6() {
    ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1 || fail "disable IPv6 in $1"
}
add_ns sw-br0
ns=$(sw_ns br0)
no_ipv6 "$ns"
for h in h1 h2 h3; do
    add_host "$h" "10.0.0.${h#h}/24" "$ns"
    no_ipv6 "$(host_ns "$h")"
done
MVSD_ARGS="${MVSD_ARGS:-} --offload=off"
sw_start br0 "$(host_port h1)=1" "$(host_port h2)=2" "$(host_port h3)=3"
OFC="$PYTHON $top_srcdir/tests/ofclient.py $(sw_target br0)"
pops=$(printf 'pop_mpls:0x8847,%.0s' $(seq 16))
cat >"$TEST_DIR/flows" <<EOF
table=0,priority=10,in_port=1,eth_type=0x8847,mpls_label=10 copy_ttl_in,output:2
table=0,priority=10,in_port=1,eth_type=0x8847,mpls_label=12 set_field:mpls_bos=0,copy_ttl_in,output:2
table=0,priority=10,in_port=1,eth_type=0x8847,mpls_label=11 set_mpls_ttl:200,copy_ttl_out,goto_table:1
table=0,priority=10,in_port=1,eth_type=0x8847,mpls_label=13 copy_ttl_in,output:2
table=0,priority=10,in_port=1,eth_type=0x8847,mpls_label=100 ${pops}goto_table:1
EOF
check $OFC add-flows "$TEST_DIR/flows"
# mpls_ttl is an Open vSwitch (NXM) match: ovs-ofctl writes table 1.
check of br0 add-flow 'table=1,priority=10,mpls,mpls_ttl=33,actions=output:2'
check of br0 add-flow 'table=1,priority=10,mpls,mpls_label=116,actions=output:2'
check of br0 add-flow 'table=1,priority=0,actions=output:3'

cat >"$TEST_DIR/send.py" <<'EOF'
import socket, struct, sys
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
def ipv4(ttl):
    payload = b"mpls-depth" + bytes(8)
    u = struct.pack("!HHHH", 7, 7, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(u), 1, 0, ttl, 17, 0,
                     socket.inet_aton("10.0.0.1"), socket.inet_aton("10.0.0.2"))
    return ip[:10] + struct.pack("!H", csum(ip)) + ip[12:] + u
def lse(label, bos, ttl):
    return struct.pack("!I", (label << 12) | (bos << 8) | ttl)
eth = bytes.fromhex("020000000002020000000001") + b"\x88\x47"
frames = {
    "1": eth + lse(10, 1, 20) + ipv4(64),
    "2": eth + lse(12, 1, 20) + ipv4(64),
    "3": eth + lse(11, 1, 5) + ipv4(33),
    "4": eth + lse(13, 1, 20) + bytes(4) + b"control-word-payload" + bytes(20),
    "5": eth + b"".join(lse(100 + i, i == 16, 64) for i in range(17))
         + ipv4(64),
}
if sys.argv[1] == "dump":
    open(sys.argv[3], "wb").write(frames[sys.argv[2]])
    sys.exit(0)
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
s.send(frames[sys.argv[1]])
EOF

# one N HOST: sends frame N, captures it on HOST into N.pcap.
one() {
    capture "f$1" "$(host_ns "$2")" eth0 1 ether src 02:00:00:00:00:01
    ip netns exec "$(host_ns h1)" "$PYTHON" "$TEST_DIR/send.py" "$1" \
        || fail "sender failed"
    capture_end "f$1" 5
    "$PYTHON" "$TEST_DIR/send.py" dump "$1" "$TEST_DIR/sent$1.bin"
}
for n in 1 2 3 4 5; do
    one "$n" h2
done

"$PYTHON" - "$TEST_DIR" <<'PY' || fail "frames on the wire are wrong"
import struct, sys
from scapy.all import rdpcap, raw
d = sys.argv[1]
def got(n):
    f = rdpcap("%s/f%s.pcap" % (d, n))
    assert f, "frame %s: nothing reached h2" % n
    return raw(f[0])
def sent(n):
    return open("%s/sent%s.bin" % (d, n), "rb").read()
def csum_ok(h):
    s = sum(struct.unpack("!10H", h))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s == 0xffff
# 1: the IP TTL is the label's, the header checksum right.
b = got(1); ip = b[18:38]
assert ip[8] == 20, "frame 1: IP TTL %d, want 20" % ip[8]
assert csum_ok(ip), "frame 1: IPv4 header checksum wrong"
# 2: BOS cleared, the copy still went into the IP TTL, nothing else.
b = got(2); s = sent(2)
assert b[16] & 1 == 0, "frame 2: BOS still set"
assert b[18 + 8] == 20, "frame 2: IP TTL %d, want 20" % b[26]
assert b[18:20 + 0] == s[18:20] and b[20:22] == s[20:22], \
    "frame 2: IP version/length changed: %s" % b[18:22].hex()
assert csum_ok(b[18:38]), "frame 2: IPv4 header checksum wrong"
# 3: reached h2, so table 1 saw mpls_ttl 33; the label carries 33.
b = got(3)
assert b[17] == 33, "frame 3: label TTL %d, want 33" % b[17]
# 4: unchanged.
assert got(4) == sent(4), "frame 4 changed"
# 5: one label left, 116, then the IPv4 header.
b = got(5)
lse = struct.unpack("!I", b[14:18])[0]
assert lse >> 12 == 116 and lse & 0x100, "frame 5: top %x" % lse
assert b[18:] == sent(5)[14 + 17 * 4:], "frame 5: payload changed"
print("all five frames right on the wire")
PY
appctl br0 dpctl/show | tee "$TEST_DIR/show"
grep -q 'TTL copies skipped (no IP under the stack): [1-9]' "$TEST_DIR/show" \
    || fail "the skipped copy of frame 4 was not counted"
log "PASS"
