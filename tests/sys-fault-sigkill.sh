#!/bin/bash
# sys-fault-sigkill: mvsd is killed with SIGKILL and started again with the
# same options (--offload require, --flows FILE, --controller to os-ken's
# simple_switch_13).
#  - before: the kernel table mirrors table 0; a flow added at run time
#    (not in --flows) is offloaded too;
#  - SIGKILL leaves the kernel table behind (nothing can remove it);
#  - after the restart: exactly one table netdev mvs-br0, holding one
#    element per current table-0 flow and nothing else (not the run-time
#    flow of the killed process); the flows of --flows are back and the
#    run-time flow is not; the controller reconnects by itself and
#    re-adds its table-miss flow (no duplicate); h1 and h2 reach each
#    other again, forwarded by the kernel.
# (tests/sys-offload-mvsd.sh checks the single table after a restart
# without a controller.)
. "$(dirname "$0")/lib.sh"
tl_init
. "$top_srcdir/tests/fault_lib.sh"
fault_need_mvs
fault_need_osken
command -v nft >/dev/null || skip "nft not installed"

add_ns sw-br0
ns=$(sw_ns br0)
add_host h1 10.0.0.1/24 "$ns"
add_host h2 10.0.0.2/24 "$ns"
fault_static_arp h1 h2
fault_static_arp h2 h1
cat > "$TEST_DIR/flows" <<'F'
priority=10,cookie=0x1,in_port=1,actions=output:2
priority=10,cookie=0x2,in_port=2,actions=output:1
priority=20,cookie=0x3,ip,in_port=1,nw_dst=10.0.0.77,actions=drop
F
port=$(fault_free_port "$ns")
fault_start_osken osken "$ns" "$port"

start_br0() {
    MVSD_ARGS="--offload require" sw_start --flows "$TEST_DIR/flows" \
        --controller "tcp:127.0.0.1:$port" --dpid 0000000000000d01 \
        br0 "$(host_port h1)=1" "$(host_port h2)=2"
}
lookups() {
    appctl br0 dpctl/show | sed -n \
        's/.*emc-hit:\([0-9]*\) megaflow-hit:\([0-9]*\) missed:\([0-9]*\).*/\1 \2 \3/p' \
        | awk '{ print $1 + $2 + $3 }'
}
n_tables() { ip netns exec "$ns" nft list tables | grep -c 'netdev mvs-br0$'; }
kernel_forwards() {
    local i before
    for i in 1 2 3; do
        before=$(lookups)
        ping_host h1 10.0.0.2 2 >/dev/null || continue
        [ "$(lookups)" = "$before" ] && return 0
    done
    return 1
}
connections() { grep -c 'switch connected' "$TEST_DIR/osken.log"; }

start_br0
wait_for "sw_has_flow br0 'actions=CONTROLLER:65535'" 20 \
    || fail "controller never connected (no table-miss flow)"
wait_for "fault_ctl_connected br0" 5 || fail "dpctl/show: controller not connected"
[ "$(connections)" = 1 ] || fail "os-ken saw $(connections) connections"
fault_snap br0 "$TEST_DIR/s1"
# A flow that is not in --flows: gone after the restart, in both places.
check of br0 add-flow 'priority=30,cookie=0x99,ip,in_port=1,nw_dst=10.0.0.99,actions=drop'
wait_for "fault_nft_matches_of br0" 5 \
    || fail "kernel [$(fault_nft_flows br0 | tr '\n' ';')] != table 0 [$(fault_of_flows0 br0 | tr '\n' ';')]"
fault_nft_flows br0 | grep -q 'cookie=0x99$' || fail "cookie 0x99 not offloaded"
kernel_forwards || fail "the kernel does not forward h1 -> h2 at start"
log "offloaded, controller connected, kernel forwards"

# --- SIGKILL: nothing runs, the table stays.
old=${SW_PID[br0]}
fault_kill9 "$old"
[ "$(n_tables)" = 1 ] || fail "$(n_tables) tables after SIGKILL (expected the stale one)"
log "mvsd killed; stale table left: $(fault_nft_flows br0 | wc -l) elements"
rm -f "${SW_DIR[br0]}/br0.mgmt" "${SW_DIR[br0]}/br0.ctl"

# --- Restart.
t0=$(date +%s%N)
start_br0
[ "${SW_PID[br0]}" != "$old" ] || fail "no new mvsd"
[ "$(n_tables)" = 1 ] || fail "$(n_tables) tables named mvs-br0 after the restart"
# The controller reconnects (the restarted mvsd connects at once).
wait_for "[ \$(connections) -ge 2 ]" 20 \
    || fail "the controller never saw the restarted switch"
wait_for "fault_ctl_connected br0" 10 || fail "dpctl/show: controller not connected"
wait_for "sw_has_flow br0 'actions=CONTROLLER:65535'" 10 \
    || fail "the controller did not re-add its table-miss flow"
log "controller reconnected $(( ($(date +%s%N) - t0) / 1000000 )) ms after the restart"
fault_snap br0 "$TEST_DIR/s2"
# --flows and the controller's flow, nothing else (0x99 is gone), once each.
fault_check "$TEST_DIR/s1" "$TEST_DIR/s2" --same --no-counters
sw_has_flow br0 'cookie=0x99' && fail "a run-time flow survived the restart"
# The kernel holds exactly the current flows.
wait_for "fault_nft_matches_of br0" 5 \
    || fail "kernel [$(fault_nft_flows br0 | tr '\n' ';')] != table 0 [$(fault_of_flows0 br0 | tr '\n' ';')]"
fault_nft_flows br0 | grep -q 'cookie=0x99$' \
    && fail "the stale kernel element of cookie 0x99 survived"
appctl br0 offload/show | head -n 1 | grep -q 'offload on' \
    || fail "offload not on after the restart: $(appctl br0 offload/show | head -n 1)"
ping_host h1 10.0.0.2 3 >/dev/null || fail "h1 -> h2 failed after the restart"
kernel_forwards || fail "the kernel does not forward h1 -> h2 after the restart"
log "restarted: one table, only current flows, forwarding by the kernel"
alive "${SW_PID[br0]}" || fail "mvsd died"
exit 0
