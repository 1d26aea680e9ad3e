#!/bin/bash
# sys-set-fields: set_field on the OpenFlow 1.3 fields that Open vSwitch
# treats as read-only or leaves out (issue 12 item 1): IPv6 neighbour
# discovery's target and link-layer options, the IP protocol and the
# ethertype.  Flows from os-ken (a controller's encoding), frames from a
# raw socket on h1, checked byte by byte on h2 and h3, checksums included.
#
#   frame                         flow                          h2 gets
#   1  neighbour solicitation     set nd_target, nd_sll         new target and
#      with an SLL option                                       SLL, ICMPv6
#                                                               checksum valid
#   2  neighbour advertisement    set nd_tll                    new TLL, valid
#      with a TLL option
#   3  IPv4 UDP port 7            set ip_proto 253              protocol 253,
#                                                               header and UDP
#                                                               checksums valid
#                                                               for it
#   4  IPv4 UDP port 8            set eth_type 0x88b5           only the
#                                                               ethertype
#                                                               changed
#   5  IPv4 UDP port 9            set ip_proto 6, goto 1;       (h3) table 1
#                                 t1 ip_proto=6 -> 3            saw protocol 6
. "$(dirname "$0")/lib.sh"
tl_init
[ "$MVS_SWITCH" = mvs ] || skip "Open vSwitch cannot set ip_proto or eth_type"
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
nd='in_port=1,eth_type=0x86dd,ip_proto=58'
udp='in_port=1,eth_type=0x0800,ip_proto=17'
cat >"$TEST_DIR/flows" <<EOF
table=0,priority=10,$nd,icmpv6_type=135 set_field:ipv6_nd_target=2001:db8::99,set_field:ipv6_nd_sll=02:aa:bb:cc:dd:ee,output:2
table=0,priority=10,$nd,icmpv6_type=136 set_field:ipv6_nd_tll=02:11:22:33:44:55,output:2
table=0,priority=10,$udp,udp_dst=7 set_field:ip_proto=253,output:2
table=0,priority=10,$udp,udp_dst=8 set_field:eth_type=0x88b5,output:2
table=0,priority=10,$udp,udp_dst=9 set_field:ip_proto=6,goto_table:1
table=1,priority=10,eth_type=0x0800,ip_proto=6 output:3
table=1,priority=0 output:2
EOF
check $OFC add-flows "$TEST_DIR/flows"

# The flow stats give the controller back the fields it set.
$OFC dump-flows >"$TEST_DIR/dump" || fail "dump-flows failed"
for f in ip_proto=253 eth_type=34997 ipv6_nd_target=2001:db8::99 \
         ipv6_nd_tll=02:11:22:33:44:55; do
    grep -qF "set_field:$f" "$TEST_DIR/dump" \
        || { cat "$TEST_DIR/dump"; fail "flow stats lack set_field $f"; }
done

cat >"$TEST_DIR/send.py" <<'EOF'
import socket, struct, sys
def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
src6 = socket.inet_pton(socket.AF_INET6, "fe80::1")
dst6 = socket.inet_pton(socket.AF_INET6, "ff02::1:ff00:2")
def nd(kind, target, opt, lla):
    body = struct.pack("!BBHI", kind, 0, 0, 0) \
        + socket.inet_pton(socket.AF_INET6, target) \
        + struct.pack("!BB", opt, 1) + bytes.fromhex(lla.replace(":", ""))
    pseudo = src6 + dst6 + struct.pack("!IxxxB", len(body), 58)
    c = csum(pseudo + body)
    body = body[:2] + struct.pack("!H", c) + body[4:]
    return struct.pack("!IHBB", 6 << 28, len(body), 58, 255) + src6 \
        + dst6 + body
def udp4(dport):
    payload = b"set-fields" + bytes(8)
    src, dst = socket.inet_aton("10.0.0.1"), socket.inet_aton("10.0.0.2")
    u = struct.pack("!HHHH", 7, dport, 8 + len(payload), 0) + payload
    c = csum(src + dst + struct.pack("!xBH", 17, len(u)) + u) or 0xffff
    u = u[:6] + struct.pack("!H", c) + u[8:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(u), 1, 0, 64, 17, 0,
                     src, dst)
    return ip[:10] + struct.pack("!H", csum(ip)) + ip[12:] + u
macs = bytes.fromhex("020000000002020000000001")
frames = {
    "1": macs + b"\x86\xdd" + nd(135, "2001:db8::2", 1, "02:00:00:00:00:01"),
    "2": macs + b"\x86\xdd" + nd(136, "2001:db8::2", 2, "02:00:00:00:00:01"),
    "3": macs + b"\x08\x00" + udp4(7),
    "4": macs + b"\x08\x00" + udp4(8),
    "5": macs + b"\x08\x00" + udp4(9),
}
if sys.argv[1] == "dump":
    open(sys.argv[3], "wb").write(frames[sys.argv[2]])
    sys.exit(0)
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
s.send(frames[sys.argv[1]])
EOF

# one N HOST: sends frame N, captures it on HOST into fN.pcap.
one() {
    capture "f$1" "$(host_ns "$2")" eth0 1 ether src 02:00:00:00:00:01
    ip netns exec "$(host_ns h1)" "$PYTHON" "$TEST_DIR/send.py" "$1" \
        || fail "sender failed"
    capture_end "f$1" 5
    "$PYTHON" "$TEST_DIR/send.py" dump "$1" "$TEST_DIR/sent$1.bin"
}
for n in 1 2 3 4; do
    one "$n" h2
done
one 5 h3

"$PYTHON" - "$TEST_DIR" <<'PY' || fail "frames on the wire are wrong"
import socket, struct, sys
from scapy.all import rdpcap, raw
d = sys.argv[1]
def got(n):
    f = rdpcap("%s/f%s.pcap" % (d, n))
    assert f, "frame %s: nothing arrived" % n
    return raw(f[0])
def sent(n):
    return open("%s/sent%s.bin" % (d, n), "rb").read()
def fold(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s
def icmp6_ok(b):
    ip, body = b[14:54], b[54:]
    pseudo = ip[8:40] + struct.pack("!IxxxB", len(body), 58)
    return fold(pseudo + body) == 0xffff
def l4_ok4(b, proto):
    ip = b[14:34]; l4 = b[34:14 + struct.unpack("!H", ip[2:4])[0]]
    pseudo = ip[12:20] + struct.pack("!xBH", proto, len(l4))
    return fold(pseudo + l4) == 0xffff
ip6 = lambda a: socket.inet_pton(socket.AF_INET6, a)
# 1: target and SLL changed, nothing else, checksum right.
b, s = got(1), sent(1)
assert b[62:78] == ip6("2001:db8::99"), "frame 1: target %s" % b[62:78].hex()
assert b[78:80] == b"\x01\x01" and b[80:86] == bytes.fromhex("02aabbccddee"), \
    "frame 1: SLL option %s" % b[78:86].hex()
assert icmp6_ok(b), "frame 1: ICMPv6 checksum wrong"
assert b[:56] == s[:56] and len(b) == len(s), "frame 1: other bytes changed"
# 2: TLL changed, target kept.
b, s = got(2), sent(2)
assert b[80:86] == bytes.fromhex("021122334455"), "frame 2: TLL %s" % b[80:86].hex()
assert b[62:78] == s[62:78], "frame 2: target changed"
assert icmp6_ok(b), "frame 2: ICMPv6 checksum wrong"
# 3: protocol 253, header checksum right, the UDP checksum right for the
# pseudo-header that now says 253.
b = got(3)
assert b[23] == 253, "frame 3: protocol %d" % b[23]
assert fold(b[14:34]) == 0xffff, "frame 3: IPv4 header checksum wrong"
assert l4_ok4(b, 253), "frame 3: L4 checksum wrong for protocol 253"
# 4: only the ethertype.
b, s = got(4), sent(4)
assert b[12:14] == b"\x88\xb5", "frame 4: ethertype %s" % b[12:14].hex()
assert b[14:] == s[14:] and b[:12] == s[:12], "frame 4: other bytes changed"
# 5: reached h3, so table 1 matched protocol 6 after the set.
b = got(5)
assert b[23] == 6, "frame 5: protocol %d" % b[23]
assert fold(b[14:34]) == 0xffff, "frame 5: IPv4 header checksum wrong"
print("all five frames right on the wire")
PY
log "PASS"
