#!/bin/bash
# sys-groups: OpenFlow 1.3 groups through the real ovs-ofctl: an "all"
# group copies a frame to every bucket's port, group and bucket counters
# count it, a fast-failover group moves traffic to its second bucket when
# the first bucket's link goes down (and back when it returns), chained
# groups work, deleting a group removes the flows that use it, and the
# group-mod errors are OpenFlow's.
. "$(dirname "$0")/lib.sh"
tl_init

add_ns sw-br0
ns=$(sw_ns br0)
add_host h1 10.0.0.1/24 "$ns"
add_host h2 10.0.0.2/24 "$ns"
add_host h3 10.0.0.3/24 "$ns"
sw_start br0 "$(host_port h1)=1" "$(host_port h2)=2" "$(host_port h3)=3"

# --- all: h1's frames reach h2 and h3 both.
check of br0 add-group 'group_id=1,type=all,bucket=output:2,bucket=output:3'
check of br0 add-flow 'priority=10,in_port=1,actions=group:1'
check of br0 add-flow 'priority=10,in_port=2,actions=output:1'
check of br0 add-flow 'priority=10,in_port=3,actions=output:1'
ping_host h1 10.0.0.2 3 || fail "ping through an all group failed"
ping_host h1 10.0.0.3 3 || fail "second bucket of the all group unused"
stats=$(of br0 dump-group-stats)
echo "$stats"
echo "$stats" | grep -q 'group_id=1,.*packet_count=[1-9]' \
    || fail "group 1 counted no packets"
echo "$stats" | grep -q 'bucket0:packet_count=[1-9]' \
    || fail "bucket 0 counted no packets"
echo "$stats" | grep -q 'bucket1:packet_count=[1-9]' \
    || fail "bucket 1 counted no packets"
of br0 dump-groups | grep -q 'group_id=1,type=all,bucket=.*output:2.*output:3' \
    || fail "dump-groups does not show group 1: $(of br0 dump-groups)"

# --- errors: adding an existing group, modifying a missing one, a flow
# to a missing group.
out=$(of br0 add-group 'group_id=1,type=all,bucket=output:2' 2>&1) \
    && fail "adding group 1 twice succeeded"
echo "$out" | grep -q 'OFPGMFC_GROUP_EXISTS' \
    || fail "expected OFPGMFC_GROUP_EXISTS, got: $out"
out=$(of br0 mod-group 'group_id=99,type=all,bucket=output:2' 2>&1) \
    && fail "modifying a missing group succeeded"
echo "$out" | grep -q 'OFPGMFC_UNKNOWN_GROUP' \
    || fail "expected OFPGMFC_UNKNOWN_GROUP, got: $out"
out=$(of br0 add-flow 'priority=5,in_port=9,actions=group:77' 2>&1) \
    && fail "a flow to a missing group was accepted"
echo "$out" | grep -q 'OFPBAC_BAD_OUT_GROUP' \
    || fail "expected OFPBAC_BAD_OUT_GROUP, got: $out"

# --- deleting a group removes the flows that use it.
check of br0 del-groups group_id=1
of br0 dump-flows | grep -q 'group:1' \
    && fail "a flow to deleted group 1 survived: $(of br0 dump-flows)"
log "all group: copies, counters, errors and delete ok"

# --- fast failover: h3 takes over h2's address; bucket 0 watches port 2.
h3ns=$(host_ns h3)
ip -n "$h3ns" addr flush dev eth0
ip -n "$h3ns" link set eth0 address 02:00:00:00:00:02
ip -n "$h3ns" addr add 10.0.0.2/24 dev eth0
check of br0 add-group 'group_id=2,type=fast_failover,bucket=watch_port:2,output:2,bucket=watch_port:3,output:3'
# Chained: flows go through an indirect group to the failover group.
check of br0 add-group 'group_id=3,type=indirect,bucket=group:2'
check of br0 add-flow 'priority=10,in_port=1,actions=group:3'
ping_host h1 10.0.0.2 3 || fail "ping through the failover group failed"
b0=$(of br0 dump-group-stats | sed -n 's/.*group_id=2,.*bucket0:packet_count=\([0-9]*\).*/\1/p')
[ "${b0:-0}" -gt 0 ] || fail "failover bucket 0 unused while port 2 is up"

# The link to h2 goes down at h2's end: the switch sees no carrier.
ip -n "$(host_ns h2)" link set eth0 down
wait_for "of br0 dump-ports-desc | grep -A3 '($(host_port h2))' | grep -q LINK_DOWN" 5 \
    || fail "port 2 never reported link down"
wait_for "ping_host h1 10.0.0.2 1 >/dev/null" 10 \
    || fail "no failover to bucket 1 after port 2 went down"
b1=$(of br0 dump-group-stats | sed -n 's/.*group_id=2,.*bucket1:packet_count=\([0-9]*\).*/\1/p')
[ "${b1:-0}" -gt 0 ] || fail "failover bucket 1 counted nothing"
log "fast failover moved to bucket 1 when port 2 lost its link"

out=$(of br0 del-groups group_id=2 2>&1) \
    && fail "deleting group 2 while group 3 chains to it succeeded"
echo "$out" | grep -q 'OFPGMFC_CHAINED_GROUP' \
    || fail "expected OFPGMFC_CHAINED_GROUP, got: $out"
of br0 dump-groups | grep -q 'group_id=2' || fail "group 2 lost"
exit 0
