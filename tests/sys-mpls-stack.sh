#!/bin/bash
# sys-mpls-stack: deep label stacks.  Bridge A pushes 5 labels (or 16) on
# UDP frames from h1; bridge B pops them all and delivers to h2.
#
#   h1 -- A ==core== B -- h2
#
# Checked on the wire, byte for byte:
#   - on the core link, the 5-entry stack 501..505 and the 16-entry stack
#     1601..1616 (top first, in that order), BOS only on the last entry, TC
#     0, every TTL 64 (the first push takes the IP TTL, later pushes the
#     outer entry's), and the original IPv4 packet under the stack;
#   - h2 receives exactly the frames h1 sent (scapy, known UDP payloads, a
#     small and a 1400-byte packet for each depth);
#   - deeper than the 16 entries the flow key keeps: A pushes 16 entries
#     onto a 4-entry stack from h1 (20 on the core link, in order, TTLs
#     copied from the outer entry), B pops all 20 and h2 gets the IPv4
#     packet that was under them.
#
# Open vSwitch keeps at most 3 label stack entries (FLOW_MAX_MPLS_LABELS):
# its translation drops a packet when a push would make a 4th, so the
# 5- and 16-label round trips cannot work there: with MVS_SWITCH=ovs the
# test checks that and skips (exit 77).
. "$(dirname "$0")/lib.sh"
tl_init
command -v tcpdump >/dev/null 2>&1 || skip "missing tool: tcpdump"
"$PYTHON" -c 'import scapy.all' 2>/dev/null \
    || skip "scapy not installed for $PYTHON (python3-scapy)"

# capture NAME NS IFACE COUNT FILTER...: tcpdump into $TEST_DIR/NAME.pcap
# of the frames IFACE receives (-Q in: what a switch transmits is captured
# at the other end of the link, which does not depend on how the switch
# sends) until COUNT frames matched FILTER, or capture_end stops it.
# decode NAME...: the frames of the captures, one JSON line each.
decode() {
    local n
    for n in "$@"; do
        "$PYTHON" "$top_srcdir/tests/ofclient.py" decode "$TEST_DIR/$n.pcap"
    done
}

add_ns sw-A
add_ns sw-B
nsa=$(sw_ns A)
nsb=$(sw_ns B)
add_host h1 10.0.0.1/24 "$nsa"
add_host h2 10.0.0.2/24 "$nsb"
ca=$(if_name ca)
cb=$(if_name cb)
add_veth "$ca" "$nsa" "$cb" "$nsb"

# push_actions FIRST LAST: pushes LAST first, so that the wire shows FIRST
# on top ... LAST at the bottom.
push_actions() {
    local l a=""
    for ((l = $2; l >= $1; l--)); do
        a+="push_mpls:0x8847,set_field:$l->mpls_label,"
    done
    echo "$a"
}
pop_actions() {
    local i a=""
    for ((i = 1; i < $1; i++)); do a+="pop_mpls:0x8847,"; done
    echo "${a}pop_mpls:0x0800,"
}
cat >"$TEST_DIR/A.flows" <<EOF
table=0,priority=100,in_port=1,udp,tp_dst=5005,actions=$(push_actions 501 505)output:2
table=0,priority=100,in_port=1,udp,tp_dst=1616,actions=$(push_actions 1601 1616)output:2
table=0,priority=100,in_port=1,mpls,mpls_label=2000,actions=$(push_actions 3001 3016)output:2
EOF
cat >"$TEST_DIR/B.flows" <<EOF
table=0,priority=100,in_port=1,mpls,mpls_label=501,actions=$(pop_actions 5)output:2
table=0,priority=100,in_port=1,mpls,mpls_label=1601,actions=$(pop_actions 16)output:2
table=0,priority=100,in_port=1,mpls,mpls_label=3001,actions=$(pop_actions 20)output:2
EOF

sw_start --flows "$TEST_DIR/A.flows" A "$(host_port h1)=1" "$ca=2"
sw_start --flows "$TEST_DIR/B.flows" B "$cb=1" "$(host_port h2)=2"

# send DPORT...: h1 sends, for each UDP destination port, a 60-byte and a
# 1400-byte IPv4/UDP frame with a known payload to h2; the frames' hex go
# to $TEST_DIR/sent.
send() {
    ip netns exec "$(host_ns h1)" "$PYTHON" - "$TEST_DIR/sent" "$@" <<'EOF'
import sys
from scapy.all import Ether, IP, UDP, Raw, sendp
frames = []
for dport in map(int, sys.argv[2:]):
    for size in (18, 1358):
        payload = bytes((dport + i) & 0xff for i in range(size))
        frames.append(Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
                      / IP(src="10.0.0.1", dst="10.0.0.2", ttl=64, id=dport)
                      / UDP(sport=4242, dport=dport) / Raw(payload))
with open(sys.argv[1], "w") as f:
    for fr in frames:
        f.write(bytes(fr).hex() + "\n")
sendp(frames, iface="eth0", verbose=False)
EOF
}

capture core "$nsb" "$cb" 4 mpls
capture h2 "$(host_ns h2)" eth0 4 udp
send 5005 1616 || fail "scapy could not send from h1"
capture_end core
capture_end h2
of A dump-flows
of B dump-flows

if [ "$MVS_SWITCH" = ovs ]; then
    n=$(decode core | wc -l)
    [ "$n" = 0 ] || fail "OVS put $n frames with more than 3 labels on the wire"
    skip "Open vSwitch keeps at most 3 MPLS labels: 5- and 16-label pushes drop (as expected)"
fi

# The core link: stacks and the packet underneath.
decode core | "$PYTHON" -c '
import json, sys
sent = [bytes.fromhex(l) for l in open(sys.argv[1]).read().split()]
frames = [json.loads(l) for l in sys.stdin]
seen = {5: 0, 16: 0}
for f in frames:
    st = f.get("mpls") or []
    n = len(st)
    first = 501 if n == 5 else 1601
    want = [[first + i, 0, int(i == n - 1), 64] for i in range(n)]
    if n not in seen or st != want:
        sys.exit("core: stack %s (%d entries), want %s" % (st, n, want))
    inner = bytes.fromhex(f["payload"])
    if not any(inner == s[14:] for s in sent):
        sys.exit("core: the IPv4 packet under the %d-entry stack differs from "
                 "every packet sent: %s" % (n, inner[:40].hex()))
    seen[n] += 1
if seen != {5: 2, 16: 2}:
    sys.exit("core: frames by stack depth %s, want 2 of each" % seen)
print("core: 5-entry and 16-entry stacks in order, BOS last, TTL 64, "
      "payload intact")
' "$TEST_DIR/sent" || fail "frames on the core link"

# h2: exactly the frames h1 sent.
decode h2 | "$PYTHON" -c '
import json, sys
sent = [l for l in open(sys.argv[1]).read().split()]
got = [json.loads(l)["hex"] for l in sys.stdin]
for s in sent:
    if s not in got:
        sys.exit("h2 did not receive this frame intact:\n  sent %s\n  got  %s"
                 % (s[:120], "\n       ".join(g[:120] for g in got)))
print("h2: received the %d frames exactly as h1 sent them" % len(sent))
' "$TEST_DIR/sent" || fail "frames at h2"

# Deeper than the 16 entries a flow key keeps: h1 sends a 4-entry stack
# (2000..2003, TTL 50); A pushes 16 more (3001..3016: label and TC of the
# new entries set/copied, TTL 50 copied from the outer entry), so the core
# link carries 20 entries; B pops all 20 and h2 must get the IPv4 packet
# that was under the 4 entries, with h1's Ethernet header.
capture core20 "$nsb" "$cb" 1 mpls
capture h2x20 "$(host_ns h2)" eth0 1 udp
ip netns exec "$(host_ns h1)" "$PYTHON" - "$TEST_DIR/sent20" <<'EOF' \
    || fail "scapy could not send from h1"
import sys
from scapy.all import Ether, IP, UDP, Raw, sendp
from scapy.contrib.mpls import MPLS
ip = (IP(src="10.0.0.1", dst="10.0.0.2", ttl=64, id=2020)
      / UDP(sport=4242, dport=2020) / Raw(b"twenty labels" * 10))
p = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02", type=0x8847)
for i in range(4):
    p = p / MPLS(label=2000 + i, cos=0, s=int(i == 3), ttl=50)
p = p / ip
open(sys.argv[1], "w").write(bytes(p).hex() + "\n")
sendp(p, iface="eth0", verbose=False)
EOF
capture_end core20
capture_end h2x20
of A dump-flows | grep -F 'mpls_label=2000'
of B dump-flows | grep -F 'mpls_label=3001'
{ decode core20; echo; decode h2x20; } | "$PYTHON" -c '
import json, sys
sent = bytes.fromhex(open(sys.argv[1]).read().strip())
core, h2 = sys.stdin.read().split("\n\n")
want = ([[3001 + i, 0, 0, 50] for i in range(16)]
        + [[2000 + i, 0, int(i == 3), 50] for i in range(4)])
core = [json.loads(l) for l in core.split("\n") if l.strip()]
if len(core) != 1 or core[0].get("mpls") != want \
        or bytes.fromhex(core[0]["payload"]) != sent[14 + 16:]:
    sys.exit("core: %s, want a 20-entry stack %s over the IPv4 packet"
             % ([c.get("mpls") for c in core], want))
h2 = [json.loads(l) for l in h2.split("\n") if l.strip()]
inner = sent[:12] + b"\x08\x00" + sent[14 + 16:]
if len(h2) != 1 or bytes.fromhex(h2[0]["hex"]) != inner:
    sys.exit("h2: got %s, want %s" % ([f["hex"] for f in h2], inner.hex()))
print("20-entry stack on the core link in order; 20 pops deliver the packet")
' "$TEST_DIR/sent20" || fail "20-entry stack (deeper than the flow key)"
log "5-, 16- and 20-label push/pop round trips keep the frames intact"
exit 0
