#!/bin/bash
# sys-revalidate: a flow-mod removes the datapath flows it may change, and
# only those (issue 3: "affected datapath flows are revalidated: no packet
# is ever forwarded by a stale flow after the barrier reply").  One bridge;
# h1 (port 1) sends UDP frames from a raw socket, h2 (port 2) and h3
# (port 3) count what they receive.  ovs-ofctl waits for the barrier reply
# of each change before the next frames go.
#
#   step                                 frames to     must reach   megaflow
#   1  t0: .1 -> 2, .2 -> 2              .1, .2        h2, h2       new, new
#   2  add t0 prio 20 10.8.0.1 -> 3      .1, .2        h2, h2       both kept
#      (matches neither)
#   3  add t0 prio 20 .1 -> 3            .1, .2        h3, h2       .1 new, .2 kept
#   4  modify .2's rule -> 3             .2            h3           .2 new
#   5  delete step 3's rule              .1            h2           .1 new
#   6  t0 .3: set_field ip_dst 10.7.0.3, .3            h2
#      goto 1; t1 10.7.0.3 -> 2
#   7  add t1 prio 20 10.7.0.3 -> 3      .3            h3           (the lookup in
#      (matches the rewritten packet,                               t1 saw a changed
#      not the one received)                                        packet)
#   8  t0 MPLS 200: pop, goto 1;         MPLS/.4       h2
#      t1 .4 -> 2 (after recirculation)
#   9  add t1 prio 20 udp .4 -> 3        MPLS/.4       h3           recirc pass new
#   11 t0 MPLS 100: pop to MPLS, goto 2; [100x4,200]   h2
#      t2 -> 2; then add t2 prio 10       [100,300,..]  h3           (equal labels:
#      label 300 -> 3                                                not pristine)
#   12 (same flows)                      [100,200],    h2, h3       one per exposed
#                                        [100,300]                  label
#   13 t0 any tag, .8: push_vlan         VID 10, 20    h2, h2       outer VID 20
#                                                                   on the wire
#   10 hard_timeout on .2's rule         .2            nobody       .2 gone
#   14 bundle: add prio 40 .2 -> 2 and   .2, .1        h2, h2       .1 kept
#      an unrelated rule
#
# Rule counters must be exact at the end: a removed datapath flow hands its
# packets to the rules it hit before it goes.  mvs-only (dpctl/dump-flows),
# with the nf_tables offload off: this is the userspace datapath's cache.
. "$(dirname "$0")/lib.sh"
tl_init
[ "$MVS_SWITCH" = mvs ] || skip "datapath flow dumps are mvs's (dpctl/dump-flows)"
MVSD_ARGS="${MVSD_ARGS:-} --offload=off"

# Nothing but our frames on the links: no IPv6 (router solicitations,
# MLD) in any namespace, set before the interfaces arrive.
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
cat >"$TEST_DIR/br0.flows" <<'EOF'
table=0,priority=10,in_port=1,ip,nw_dst=10.9.0.1,actions=output:2
table=0,priority=10,in_port=1,ip,nw_dst=10.9.0.2,actions=output:2
table=0,priority=10,in_port=1,ip,nw_dst=10.9.0.3,actions=set_field:10.7.0.3->ip_dst,goto_table:1
table=0,priority=10,in_port=1,mpls,mpls_label=200,actions=pop_mpls:0x0800,goto_table:1
table=0,priority=10,in_port=1,mpls,mpls_label=100,actions=pop_mpls:0x8847,goto_table:2
table=2,priority=0,actions=output:2
table=1,priority=10,ip,nw_dst=10.7.0.3,actions=output:2
table=1,priority=10,ip,nw_dst=10.9.0.4,actions=output:2
EOF
sw_start --flows "$TEST_DIR/br0.flows" br0 "$(host_port h1)=1" \
    "$(host_port h2)=2" "$(host_port h3)=3"

# send.py DST COUNT [LABELS [VID]]: COUNT UDP frames from h1 to DST, under
# the MPLS label stack LABELS if given ("100,200": 100 on top, "-" for
# none), in a VLAN tag VID if given; a raw socket, so nothing else goes
# out.
cat >"$TEST_DIR/send.py" <<'EOF'
import socket, struct, sys
dst = socket.inet_aton(sys.argv[1])
count = int(sys.argv[2])
labels = ([int(x) for x in sys.argv[3].split(",")]
          if len(sys.argv) > 3 and sys.argv[3] != "-" else [])
vid = int(sys.argv[4]) if len(sys.argv) > 4 else None
payload = b"revalidate" + bytes(10)
udp = struct.pack("!HHHH", 4000, 5000, 8 + len(payload), 0) + payload
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                 socket.inet_aton("10.0.0.1"), dst)
csum = sum(struct.unpack("!10H", ip))
csum = (csum & 0xffff) + (csum >> 16)
csum = (csum & 0xffff) + (csum >> 16)
ip = ip[:10] + struct.pack("!H", ~csum & 0xffff) + ip[12:]
eth = bytes.fromhex("020000000002" "020000000001")
if vid is not None:
    eth += struct.pack("!HH", 0x8100, vid)
if not labels:
    frame = eth + b"\x08\x00" + ip + udp
else:
    stack = b"".join(struct.pack("!I", l << 12 | (i == len(labels) - 1) << 8 | 64)
                     for i, l in enumerate(labels))
    frame = eth + b"\x88\x47" + stack + ip + udp
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
for _ in range(count):
    s.send(frame)
EOF

N=10
rx() { ip netns exec "$(host_ns "$1")" cat /sys/class/net/eth0/statistics/rx_packets; }
declare -A RX=()
snap() { local h; for h in h2 h3; do RX[$h]=$(rx "$h"); done; }

# send DST [LABELS [VID]]: N frames to DST (see send.py).
send() {
    ip netns exec "$(host_ns h1)" "$PYTHON" "$TEST_DIR/send.py" "$1" "$N" \
        "${@:2}" || fail "sending from h1"
}
# expect HOST: the last N frames reached HOST and nobody else.
expect() {
    local want=$1 other=h2
    [ "$want" = h2 ] && other=h3
    wait_for "[ \$(rx $want) -ge $((RX[$want] + N)) ]" 5 \
        || fail "$want got $(( $(rx "$want") - RX[$want] )) of $N frames"
    [ "$(rx "$want")" -eq $((RX[$want] + N)) ] \
        || fail "$want got $(( $(rx "$want") - RX[$want] )) frames, not $N"
    [ "$(rx "$other")" -eq "${RX[$other]}" ] \
        || fail "$other got $(( $(rx "$other") - RX[$other] )) frames, wanted none"
}
# mf_packets TEXT: packets of the datapath flow whose dump contains TEXT
# ("" if there is none).
mf_packets() {
    appctl br0 dpctl/dump-flows | grep -F -- "$1" | head -n 1 \
        | sed -n 's/.*packets:\([0-9]*\).*/\1/p'
}
removed() { appctl br0 dpctl/show | sed -n 's/.*revalidated away: //p'; }
step() { log "step $*"; }

step "1: two datapath flows"
snap; send 10.9.0.1; expect h2
snap; send 10.9.0.2; expect h2
[ "$(mf_packets 'ipv4(dst=10.9.0.1,')" = $N ] \
    || fail "no datapath flow for 10.9.0.1: $(appctl br0 dpctl/dump-flows)"
[ "$(mf_packets 'ipv4(dst=10.9.0.2,')" = $N ] || fail "no datapath flow for 10.9.0.2"

step "2: a rule neither flow can match keeps both"
r0=$(removed)
check of br0 add-flow 'table=0,priority=20,ip,nw_dst=10.8.0.1,actions=output:3'
snap; send 10.9.0.1; expect h2
snap; send 10.9.0.2; expect h2
[ "$(mf_packets 'ipv4(dst=10.9.0.1,')" = $((2 * N)) ] \
    || fail "10.9.0.1's datapath flow did not survive an unrelated add: $(appctl br0 dpctl/dump-flows)"
[ "$(mf_packets 'ipv4(dst=10.9.0.2,')" = $((2 * N)) ] \
    || fail "10.9.0.2's datapath flow did not survive an unrelated add"
[ "$(removed)" = "$r0" ] || fail "an unrelated add removed datapath flows"

step "3: a higher-priority rule for .1 takes .1 at once, .2 keeps its flow"
check of br0 add-flow 'table=0,priority=20,ip,nw_dst=10.9.0.1,actions=output:3'
snap; send 10.9.0.1; expect h3
snap; send 10.9.0.2; expect h2
[ "$(mf_packets 'ipv4(dst=10.9.0.1,')" = $N ] || fail "10.9.0.1's old datapath flow survived"
[ "$(mf_packets 'ipv4(dst=10.9.0.2,')" = $((3 * N)) ] || fail ".2's datapath flow was removed"

step "4: modifying .2's rule moves .2"
check of br0 mod-flows 'table=0,in_port=1,ip,nw_dst=10.9.0.2,actions=output:3'
snap; send 10.9.0.2; expect h3
[ "$(mf_packets 'ipv4(dst=10.9.0.2,')" = $N ] || fail ".2's old datapath flow survived"

step "5: deleting step 3's rule gives .1 back to its old rule"
check of br0 del-flows --strict 'table=0,priority=20,ip,nw_dst=10.9.0.1'
snap; send 10.9.0.1; expect h2

step "6, 7: a rule that matches the packet as rewritten before the lookup"
snap; send 10.9.0.3; expect h2
check of br0 add-flow 'table=1,priority=20,ip,nw_dst=10.7.0.3,actions=output:3'
snap; send 10.9.0.3; expect h3

step "8, 9: after a pop and a recirculation"
snap; send 10.9.0.4 200; expect h2
check of br0 add-flow 'table=1,priority=20,udp,nw_dst=10.9.0.4,actions=output:3'
snap; send 10.9.0.4 200; expect h3

step "11: a pop that exposes a label equal to the popped one"
# [100,100,100,100,200]: after the pop the packet looks as before, but
# [100,300,7,8,9] shares nothing of that except the top label: the
# lookup in table 2 was not on the packet as received.
snap; send 10.9.0.5 100,100,100,100,200; expect h2
check of br0 add-flow 'table=2,priority=10,mpls,mpls_label=300,actions=output:3'
snap; send 10.9.0.5 100,300,7,8,9; expect h3
snap; send 10.9.0.5 100,100,100,100,200; expect h2

step "12: after a pop to MPLS the exposed label decides, per label"
snap; send 10.9.0.5 100,200; expect h2
snap; send 10.9.0.5 100,300; expect h3

step "13: push_vlan copies the outer tag's VID, so the VID is in the mask"
check of br0 add-flow 'table=0,priority=10,in_port=1,vlan_tci=0x1000/0x1000,ip,nw_dst=10.9.0.8,actions=push_vlan:0x8100,output:2'
snap; send 10.9.0.8 - 10; expect h2
capture vid20 "$(host_ns h2)" eth0 "$N" vlan 20
snap; send 10.9.0.8 - 20; expect h2
capture_end vid20
n=$(tcpdump -nn -r "$TEST_DIR/vid20.pcap" 2>/dev/null | wc -l)
[ "$n" = "$N" ] || fail "push_vlan on VID 20 frames: $n of $N arrived with outer VID 20"

step "10: a hard timeout removes the rule and its datapath flow"
check of br0 add-flow 'table=0,priority=30,ip,nw_dst=10.9.0.2,hard_timeout=1,actions=output:2'
snap; send 10.9.0.2; expect h2
wait_for "! of br0 dump-flows | grep -q hard_timeout=1" 5 \
    || fail "the hard_timeout rule did not expire"
snap; send 10.9.0.2; expect h3     # step 4's rule again

step "14: a bundle's adds are revalidated at its commit"
snap; send 10.9.0.1; expect h2
before=$(mf_packets 'ipv4(dst=10.9.0.1,')
cat >"$TEST_DIR/bundle.txt" <<'EOF2'
table=0,priority=40,ip,nw_dst=10.9.0.2,actions=output:2
table=0,priority=40,ip,nw_dst=10.8.0.9,actions=output:3
EOF2
check $OFCTL --bundle add-flows "$(sw_target br0)" "$TEST_DIR/bundle.txt"
snap; send 10.9.0.2; expect h2
snap; send 10.9.0.1; expect h2
[ "$(mf_packets 'ipv4(dst=10.9.0.1,')" = $((before + N)) ] \
    || fail "10.9.0.1's datapath flow did not survive an unrelated bundle"

# --- Every rule's counter is exact: nothing was lost with the removed
# datapath flows.
flows=$(of br0 dump-flows)
echo "$flows"
count() {
    local got
    got=$(echo "$flows" | grep -F -- "$1" | grep -F -- "$2" \
          | sed -n 's/.*n_packets=\([0-9]*\).*/\1/p')
    [ "$got" = "$3" ] || fail "rule '$1 ... $2' counted ${got:-nothing}, want $3"
}
count 'priority=10,ip,in_port=1,nw_dst=10.9.0.1 ' 'output:2' $((5 * N))
count 'priority=40,ip,nw_dst=10.9.0.2 ' 'output:2' $N
count 'priority=10,ip,in_port=1,nw_dst=10.9.0.2 ' 'output:3' $((5 * N))
count 'priority=20,ip,nw_dst=10.8.0.1 ' 'output:3' 0
count 'priority=10,ip,in_port=1,nw_dst=10.9.0.3 ' 'goto_table:1' $((2 * N))
count 'priority=10,ip,nw_dst=10.7.0.3 ' 'output:2' $N
count 'priority=20,ip,nw_dst=10.7.0.3 ' 'output:3' $N
count 'priority=10,ip,nw_dst=10.9.0.4 ' 'output:2' $N
count 'priority=20,udp,nw_dst=10.9.0.4 ' 'output:3' $N
count 'mpls_label=200 ' 'pop_mpls' $((2 * N))
count 'priority=10,mpls,in_port=1,mpls_label=100 ' 'pop_mpls' $((5 * N))
count 'priority=10,mpls,mpls_label=300 ' 'output:3' $((2 * N))
count 'vlan_tci=0x1000/0x1000,nw_dst=10.9.0.8 ' 'push_vlan' $((2 * N))
log "flow-mods removed only the datapath flows they change; counters exact"

step "15: a resync (delete everything, add it back) in one connection"
# 20,000 udp rules in one mask, one per tp_dst: the deleted rules leave
# their classifier over several main-loop passes after the reply (see
# "Removal" in ofproto-mpls/oftable.h), while the same rules come back.
M=20000
awk -v m="$M" 'BEGIN { for (i = 1; i <= m; i++)
    printf "table=0,priority=50,udp,nw_dst=10.9.0.5,tp_dst=%d,actions=output:2\n", i }' \
    >"$TEST_DIR/resync.txt"
check $OFCTL --bundle add-flows "$(sw_target br0)" "$TEST_DIR/resync.txt"
snap; send 10.9.0.5; expect h2
check "$PYTHON" - "$(sw_target br0)" "$M" <<'EOF2'
import sys; sys.path.insert(0, "tests")
from ofclient import OFClient
c = OFClient(sys.argv[1])
c.del_flows()
for i in range(1, int(sys.argv[2]) + 1):
    c.add_flow("table=0,priority=50,eth_type=0x0800,ip_proto=17,"
               "ipv4_dst=10.9.0.5,udp_dst=%d" % i, "output:3")
c.barrier()
EOF2
snap; send 10.9.0.5; expect h3
flows=$(of br0 dump-flows)
[ "$(echo "$flows" | grep -c 'actions=')" = "$M" ] \
    || fail "$(echo "$flows" | grep -c 'actions=') flows after the resync, want $M"
[ "$(echo "$flows" | grep -c 'actions=output:3')" = "$M" ] \
    || fail "not every flow has the resync's actions"
count 'tp_dst=5000 ' 'output:3' $N
active() {
    of br0 dump-tables | awk '/table 0/ { t = 1 } t && /active=/ {
        sub(/.*active=/, ""); sub(/[^0-9].*/, ""); print; exit }'
}
[ "$(active)" = "$M" ] || fail "table 0: active=$(active) after the resync, want $M"
check $OFCTL del-flows "$(sw_target br0)"
[ "$(active)" = 0 ] || fail "table 0: active=$(active) after del-flows, want 0"
[ -z "$(of br0 dump-flows | grep 'actions=')" ] || fail "flows left after del-flows"
# dp_lookups: frames the datapath has looked up, hit or missed.
dp_lookups() {
    appctl br0 dpctl/show | sed -n 's/.*emc-hit:\([0-9]*\) megaflow-hit:\([0-9]*\) missed:\([0-9]*\).*/\1 \2 \3/p' \
        | awk '{ print $1 + $2 + $3 }'
}
seen=$(dp_lookups)
snap; send 10.9.0.5
wait_for "[ \$(dp_lookups) -ge $((seen + N)) ]" 5 \
    || fail "the datapath looked up $(( $(dp_lookups) - seen )) of $N frames"
[ "$(rx h2)" -eq "${RX[h2]}" ] && [ "$(rx h3)" -eq "${RX[h3]}" ] \
    || fail "frames forwarded after every rule was deleted"
alive "${SW_PID[br0]}" || fail "mvsd died"
log "a resync in one connection: the new rules and only they forward"
exit 0
