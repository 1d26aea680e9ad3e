#!/bin/bash
# sys-fault-nftables: someone else removes mvs's nf_tables table.
# mvsd --offload require mirrors table 0 into "table netdev mvs-br0" in the
# switch's namespace.  Twice (nft delete table netdev mvs-br0, then nft
# flush ruleset), while h1 pings h2 every 50 ms:
#  (a) the userspace datapath carries the traffic at once (a ping right
#      after the deletion is answered, and the background ping loses at
#      most 2 in each event);
#  (b) within 10 s mvs notices and restores the table: exactly one table
#      netdev mvs-br0 exists again, offload/show says "offload on" with
#      the flows back in the kernel, and a ping is forwarded by the kernel
#      again (the userspace datapath looks up none of it);
#  and no OpenFlow flow, group or meter is lost, counters only grow.
. "$(dirname "$0")/lib.sh"
tl_init
. "$top_srcdir/tests/fault_lib.sh"
fault_need_mvs
command -v nft >/dev/null || skip "nft not installed"

add_ns sw-br0
ns=$(sw_ns br0)
add_host h1 10.0.0.1/24 "$ns"
add_host h2 10.0.0.2/24 "$ns"
add_host h3 10.0.0.3/24 "$ns"
fault_static_arp h1 h2
fault_static_arp h2 h1
cat > "$TEST_DIR/flows" <<'F'
priority=10,cookie=0x1,in_port=1,actions=output:2
priority=10,cookie=0x2,in_port=2,actions=output:1
F
MVSD_ARGS="--offload require" sw_start --flows "$TEST_DIR/flows" br0 \
    "$(host_port h1)=1" "$(host_port h2)=2" "$(host_port h3)=3"
check of br0 add-meter 'meter=1,pktps,burst,stats,band=type=drop,rate=1000,burst_size=100'
check of br0 add-group 'group_id=1,type=all,bucket=output:3'
check of br0 add-flow 'priority=100,cookie=0x77,udp,in_port=1,tp_dst=9999,actions=meter:1,group:1'

lookups() {
    appctl br0 dpctl/show | sed -n \
        's/.*emc-hit:\([0-9]*\) megaflow-hit:\([0-9]*\) missed:\([0-9]*\).*/\1 \2 \3/p' \
        | awk '{ print $1 + $2 + $3 }'
}
n_tables() { ip netns exec "$ns" nft list tables | grep -c 'netdev mvs-br0$'; }
# offloaded: the table is there, offload/show says on, both ping flows run
# in the kernel, and the kernel has one element per table-0 flow.
offloaded() {
    local show
    [ "$(n_tables)" = 1 ] || return 1
    show=$(appctl br0 offload/show) || return 1
    echo "$show" | head -n 1 | grep -q 'offload on' || return 1
    echo "$show" | grep -q 'kernel .*cookie=0x1,' || return 1
    echo "$show" | grep -q 'kernel .*cookie=0x2,' || return 1
    fault_nft_matches_of br0
}
# kernel_forwards: a ping goes through without the userspace datapath
# looking up any of it.  (Frames queued before a commit may still reach
# userspace: tried a few times.)
kernel_forwards() {
    local i before
    for i in 1 2 3; do
        before=$(lookups)
        ping_host h1 10.0.0.2 2 >/dev/null || continue
        [ "$(lookups)" = "$before" ] && return 0
    done
    return 1
}

offloaded || fail "not offloaded at start: $(appctl br0 offload/show)"
kernel_forwards || fail "the kernel does not forward the ping at start"
fault_snap br0 "$TEST_DIR/s1"
log "offloaded; kernel forwards h1 <-> h2"

n=0
for how in "delete table netdev mvs-br0" "flush ruleset"; do
    n=$((n + 1))
    fault_ping_start "ping$n" h1 10.0.0.2 400 0.05
    bg=$PING_PID
    wait_for "grep -q 'bytes from' '$TEST_DIR/ping$n.log'" 5 \
        || fail "background ping gets no answer"
    restores=$(grep -c 'restored table' "${SW_DIR[br0]}/mvsd-br0.log")
    ip netns exec "$ns" nft $how || fail "nft $how"
    t0=$(date +%s%N)
    # (Unless mvs's once-a-second check restored it in the meantime.)
    [ "$(n_tables)" = 0 ] \
        || [ "$(grep -c 'restored table' "${SW_DIR[br0]}/mvsd-br0.log")" -gt "$restores" ] \
        || fail "nft $how left the table"
    # (a) userspace takes over at once.
    ping_host h1 10.0.0.2 2 >/dev/null \
        || fail "nft $how: no forwarding right after it"
    log "nft $how: forwarding right after it"
    # (b) mvs restores the table.
    wait_for offloaded 10 \
        || fail "nft $how: table not restored within 10 s: tables: $(ip netns exec "$ns" nft list tables | tr '\n' ' '); $(appctl br0 offload/show | head -n 1)"
    log "nft $how: restored after $(( ($(date +%s%N) - t0) / 1000000 )) ms"
    kernel_forwards || fail "nft $how: the kernel does not forward after the restore"
    kill -INT "$bg" 2>/dev/null
    read -r sent got < <(fault_ping_wait "$bg" "ping$n" 5)
    log "nft $how: background ping $got of $sent"
    [ $((sent - got)) -le 2 ] \
        || fail "nft $how: background ping lost $((sent - got)) of $sent"
    fault_snap br0 "$TEST_DIR/s$((n + 1))"
    fault_check "$TEST_DIR/s1" "$TEST_DIR/s$((n + 1))" --same
done

# Only the current flows are in the kernel: one element per table-0 flow,
# nothing twice.
[ "$(n_tables)" = 1 ] || fail "$(n_tables) tables named mvs-br0"
fault_nft_matches_of br0 \
    || fail "kernel elements [$(fault_nft_flows br0 | tr '\n' ';')] are not table 0's flows [$(fault_of_flows0 br0 | tr '\n' ';')]"
alive "${SW_PID[br0]}" || fail "mvsd died"
exit 0
