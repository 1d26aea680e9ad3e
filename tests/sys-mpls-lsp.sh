#!/bin/bash
# sys-mpls-lsp: a label switched path across three bridges carries ping
# both ways, and the labels and TTLs on both core links are checked on the
# wire.
#
#   h1 -- A ==core1== B ==core2== C -- h2
#   10.0.0.1                          10.0.0.2
#
#   A (ingress/egress LER): h1's IPv4 -> push, label 100; label 201 -> pop
#   B (transit LSR): 100 -> swap 101, dec_mpls_ttl; 200 -> swap 201, dec
#   C (egress/ingress LER): label 101 -> pop_mpls:0x0800, goto_table:1,
#     and table 1 matches the inner IPv4 destination (after the pop: the
#     datapath recirculates to parse it); h2's IPv4 -> push, label 200.
#     A pops label 201 the same way.
#   ARP crosses every bridge as plain Ethernet.
#
# On the wire (hosts send with IP TTL 64; push copies the IP TTL into the
# new entry, pop without copy_ttl_in leaves the IP TTL alone):
#   core1: label 100 TTL 64 BOS (h1->h2), label 201 TTL 63 BOS (h2->h1)
#   core2: label 101 TTL 63 BOS (h1->h2), label 200 TTL 64 BOS (h2->h1)
#   h2 and h1 receive plain IPv4 with IP TTL 64.
#
# Open vSwitch: behaves the same (its push_mpls also copies the IP TTL),
# so this test runs unchanged with MVS_SWITCH=ovs.
. "$(dirname "$0")/lib.sh"
tl_init
command -v tcpdump >/dev/null 2>&1 || skip "missing tool: tcpdump"

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
add_ns sw-C
nsa=$(sw_ns A)
nsb=$(sw_ns B)
nsc=$(sw_ns C)
add_host h1 10.0.0.1/24 "$nsa"
add_host h2 10.0.0.2/24 "$nsc"
c1a=$(if_name c1a)
c1b=$(if_name c1b)
c2b=$(if_name c2b)
c2c=$(if_name c2c)
add_veth "$c1a" "$nsa" "$c1b" "$nsb"
add_veth "$c2b" "$nsb" "$c2c" "$nsc"

cat >"$TEST_DIR/A.flows" <<'EOF'
table=0,priority=100,in_port=1,ip,actions=push_mpls:0x8847,set_field:100->mpls_label,output:2
table=0,priority=100,in_port=1,arp,actions=output:2
table=0,priority=100,in_port=2,mpls,mpls_label=201,actions=pop_mpls:0x0800,goto_table:1
table=0,priority=100,in_port=2,arp,actions=output:1
table=1,priority=100,ip,nw_dst=10.0.0.1,actions=output:1
EOF
cat >"$TEST_DIR/B.flows" <<'EOF'
table=0,priority=100,in_port=1,mpls,mpls_label=100,actions=set_field:101->mpls_label,dec_mpls_ttl,output:2
table=0,priority=100,in_port=2,mpls,mpls_label=200,actions=set_field:201->mpls_label,dec_mpls_ttl,output:1
table=0,priority=100,in_port=1,arp,actions=output:2
table=0,priority=100,in_port=2,arp,actions=output:1
EOF
cat >"$TEST_DIR/C.flows" <<'EOF'
table=0,priority=100,in_port=1,mpls,mpls_label=101,actions=pop_mpls:0x0800,goto_table:1
table=0,priority=100,in_port=1,arp,actions=output:2
table=0,priority=100,in_port=2,ip,actions=push_mpls:0x8847,set_field:200->mpls_label,output:1
table=0,priority=100,in_port=2,arp,actions=output:1
table=1,priority=100,ip,nw_dst=10.0.0.2,actions=output:2
EOF

sw_start --flows "$TEST_DIR/A.flows" A "$(host_port h1)=1" "$c1a=2"
sw_start --flows "$TEST_DIR/B.flows" B "$c1b=1" "$c2b=2"
sw_start --flows "$TEST_DIR/C.flows" C "$c2c=1" "$(host_port h2)=2"

# Three pings each way: 12 MPLS frames on each core link, 6 ICMP frames at
# each host.
# Each core link is captured at both ends (frames each end receives).
capture core1a "$nsa" "$c1a" 6 mpls
capture core1b "$nsb" "$c1b" 6 mpls
capture core2b "$nsb" "$c2b" 6 mpls
capture core2c "$nsc" "$c2c" 6 mpls
capture h2 "$(host_ns h2)" eth0 6 icmp and src host 10.0.0.1
capture h1 "$(host_ns h1)" eth0 6 icmp and src host 10.0.0.2

ping_host h1 10.0.0.2 3 || fail "h1 -> h2 ping across the LSP failed"
ping_host h2 10.0.0.1 3 || fail "h2 -> h1 ping across the LSP failed"
log "ping crosses the LSP both ways"

for c in core1a core1b core2b core2c h1 h2; do capture_end "$c"; done

for br in A B C; do of "$br" dump-flows; done
n=$(flow_packets C "table=1")
[ -n "$n" ] && [ "$n" -ge 6 ] \
    || fail "C's table 1 flow (IP match after the pop) counted '$n' packets"
# The pop is followed by a recirculation: a datapath flow recirculates and
# another matches the recirculated packet.
appctl C dpctl/dump-flows | tee "$TEST_DIR/C.dpflows"
grep -q 'recirc(' "$TEST_DIR/C.dpflows" \
    || fail "no datapath flow on C recirculates after the pop"
grep -qE 'recirc_id\((0x)?[1-9a-f]' "$TEST_DIR/C.dpflows" \
    || fail "no datapath flow on C matches a recirculated packet"

check_wire() {
    # check_wire NAME 'label:ttl:src ...' CAPTURES...: every frame must be
    # a one-entry stack whose (label, TTL) is listed with the inner IPv4 source, and
    # every listed pair must appear at least 6 times (3 requests, 3
    # replies in each direction).
    local name=$1 want=$2
    shift 2
    decode "$@" | "$PYTHON" -c '
import json, sys
want = {}
for w in sys.argv[2].split():
    label, ttl, src = w.split(":")
    want[int(label)] = (int(ttl), src)
seen = dict.fromkeys(want, 0)
for line in sys.stdin:
    f = json.loads(line)
    st = f.get("mpls")
    if not st or len(st) != 1:
        sys.exit("%s: frame with stack %s, want one entry" % (sys.argv[1], st))
    label, tc, bos, ttl = st[0]
    if label not in want:
        sys.exit("%s: unexpected label %d" % (sys.argv[1], label))
    ip = bytes.fromhex(f["payload"])
    src = ".".join(map(str, ip[12:16]))
    if bos != 1 or tc != 0 or ttl != want[label][0] or ip[0] >> 4 != 4 \
            or src != want[label][1] or ip[8] != 64:
        sys.exit("%s: label %d: tc %d bos %d ttl %d, inner IPv%d from %s "
                 "TTL %d; want tc 0 bos 1 ttl %d, IPv4 from %s TTL 64"
                 % (sys.argv[1], label, tc, bos, ttl, ip[0] >> 4, src, ip[8],
                    want[label][0], want[label][1]))
    seen[label] += 1
for label, n in seen.items():
    if n < 6:
        sys.exit("%s: label %d seen %d times, want 6" % (sys.argv[1], label, n))
print("%s: %s" % (sys.argv[1], ", ".join("label %d x%d ttl %d" % (l, n, want[l][0])
                                         for l, n in sorted(seen.items()))))
' "$name" "$want"
}
check_wire core1 "100:64:10.0.0.1 201:63:10.0.0.2" core1a core1b \
    || fail "core link 1"
check_wire core2 "101:63:10.0.0.1 200:64:10.0.0.2" core2b core2c \
    || fail "core link 2"

# What the hosts receive: plain IPv4 ICMP, IP TTL 64 (pop leaves it).
for h in h1 h2; do
    decode "$h" | "$PYTHON" -c '
import json, sys
n = 0
for line in sys.stdin:
    f = json.loads(line)
    ip = bytes.fromhex(f["payload"])
    if f["type"] != 0x0800 or ip[8] != 64:
        sys.exit("%s: frame of type 0x%04x IP TTL %d, want IPv4 TTL 64"
                 % (sys.argv[1], f["type"], ip[8]))
    n += 1
if n < 6:
    sys.exit("%s: %d ICMP frames, want 6" % (sys.argv[1], n))
' "$h" || fail "frames at $h"
done
log "labels, TTLs and BOS on both core links as expected; hosts get IPv4 TTL 64"
exit 0
