#!/bin/bash
# sys-ofctl-ping: two namespace hosts on one bridge, flows installed with
# the real `ovs-ofctl -O OpenFlow13 add-flow`; ping works both ways and the
# flows count it; after del-flows the ping fails.
. "$(dirname "$0")/lib.sh"
tl_init

add_ns sw-br0
ns=$(sw_ns br0)
add_host h1 10.0.0.1/24 "$ns"
add_host h2 10.0.0.2/24 "$ns"
p1=$(host_port h1)
p2=$(host_port h2)
sw_start --dpid 0000000000000a01 br0 "$p1=1" "$p2=2"

of br0 show | grep -q 'dpid:0000000000000a01' \
    || fail "features reply does not carry the datapath id"

check of br0 add-flow "table=0,priority=100,cookie=0x11,in_port=1,actions=output:2"
check of br0 add-flow "table=0,priority=100,cookie=0x12,in_port=2,actions=output:1"
of br0 dump-flows

ping_host h1 10.0.0.2 3 || fail "h1 -> h2 ping failed through the flows"
ping_host h2 10.0.0.1 3 || fail "h2 -> h1 ping failed through the flows"
log "ping works both ways"

of br0 dump-flows
for c in 0x11 0x12; do
    n=$(flow_packets br0 "cookie=$c")
    [ -n "$n" ] || fail "flow with cookie $c missing from dump-flows"
    [ "$n" -gt 0 ] || fail "flow with cookie $c has n_packets=$n"
done
log "both flows have n_packets > 0"

check of br0 del-flows
[ -z "$(of br0 dump-flows | grep -v 'reply')" ] \
    || fail "flows left after del-flows: $(of br0 dump-flows)"
if ping_host h1 10.0.0.2 2; then
    fail "ping still works with an empty flow table"
fi
log "ping fails after del-flows"
exit 0
