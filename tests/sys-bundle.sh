#!/bin/bash
# sys-bundle: OpenFlow bundles through `ovs-ofctl --bundle` (OpenFlow 1.3's
# ONF extension): a good bundle applies every change; a bundle whose last
# flow-mod fails changes nothing at all (the delete and the add before it
# are rolled back) and the client gets the failing message's error.
. "$(dirname "$0")/lib.sh"
tl_init

add_ns sw-br0
ns=$(sw_ns br0)
add_host h1 10.0.0.1/24 "$ns"
add_host h2 10.0.0.2/24 "$ns"
sw_start br0 "$(host_port h1)=1" "$(host_port h2)=2"

check of br0 add-flow 'priority=10,cookie=0xa,in_port=1,actions=output:2'
check of br0 add-flow 'priority=10,cookie=0xb,in_port=2,actions=output:1'
before=$(of br0 dump-flows --no-stats | sort)

cat > "$TEST_DIR/bad.txt" <<'F'
delete in_port=1
add priority=5,cookie=0xc,in_port=2,actions=drop
add priority=5,cookie=0xd,check_overlap,in_port=2,ip,actions=drop
F
out=$($OFCTL --bundle add-flows "$(sw_target br0)" "$TEST_DIR/bad.txt" 2>&1) \
    && fail "a bundle with an overlapping flow was committed"
echo "$out"
echo "$out" | grep -q 'OFPFMFC_OVERLAP' \
    || fail "the failing flow-mod's error was not reported: $out"
after=$(of br0 dump-flows --no-stats | sort)
[ "$before" = "$after" ] || fail "a failed bundle changed the table:
before: $before
after:  $after"
ping_host h1 10.0.0.2 2 || fail "forwarding broken after a failed bundle"
log "failed bundle: nothing changed"

cat > "$TEST_DIR/good.txt" <<'F'
delete in_port=1
add priority=20,cookie=0xe,in_port=1,ip,actions=output:2
add priority=20,cookie=0xf,in_port=1,arp,actions=output:2
F
check $OFCTL --bundle add-flows "$(sw_target br0)" "$TEST_DIR/good.txt"
flows=$(of br0 dump-flows --no-stats)
echo "$flows"
echo "$flows" | grep -q 'cookie=0xa' && fail "bundle's delete not applied"
echo "$flows" | grep -q 'cookie=0xe' || fail "bundle's first add missing"
echo "$flows" | grep -q 'cookie=0xf' || fail "bundle's second add missing"
ping_host h1 10.0.0.2 2 || fail "forwarding broken after a good bundle"
log "good bundle: every change applied"
exit 0
