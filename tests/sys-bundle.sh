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

# The kernel's copy too (offload is on by default): a bundle that adds a
# flow, then deletes one (whose counters are read first), then fails,
# leaves nf_tables exactly as it was.
if [ "$MVS_SWITCH" = mvs ] && command -v nft >/dev/null 2>&1; then
    kernel_table() {
        ip netns exec "$ns" nft list table netdev mvs-br0 \
            | sed 's/counter packets [0-9]* bytes [0-9]*/counter/g'
    }
    kbefore=$(kernel_table)
    echo "$kbefore" | grep -q 'in_port\|iif\|elements' \
        || fail "the flows are not in nf_tables: $kbefore"
    cat > "$TEST_DIR/bad2.txt" <<'F'
add priority=30,cookie=0x10,in_port=2,ip,nw_dst=10.9.9.9,actions=drop
delete in_port=1
add priority=5,cookie=0x11,in_port=2,actions=drop
add priority=5,cookie=0x12,check_overlap,in_port=2,ip,actions=drop
F
    $OFCTL --bundle add-flows "$(sw_target br0)" "$TEST_DIR/bad2.txt" \
        >/dev/null 2>&1 && fail "a bundle with an overlapping flow was committed"
    after=$(of br0 dump-flows --no-stats | sort)
    [ "$before" = "$after" ] || fail "a failed bundle changed the table:
before: $before
after:  $after"
    kafter=$(kernel_table)
    [ "$kbefore" = "$kafter" ] || fail "a failed bundle changed nf_tables:
$(diff <(echo "$kbefore") <(echo "$kafter"))"
    log "failed bundle: nf_tables unchanged"
fi

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
