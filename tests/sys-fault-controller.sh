#!/bin/bash
# sys-fault-controller: the controller disappears and comes back.
#  - br0, fail mode secure (the default), os-ken's simple_switch_13 as its
#    controller: hosts h1 and h2 learn each other through it, and a group,
#    a meter and a flow using both are added.  The controller is killed:
#    mvsd notices, keeps every flow, group and meter, and h1 and h2 go on
#    reaching each other by the learned flows (no loss), whose counters
#    grow.  The controller is started again: mvsd reconnects by itself,
#    simple_switch_13 re-adds its table-miss flow, which replaces the one
#    there (same flows as before, no duplicate, counters kept).
#  - br1, fail mode standalone, its own os-ken: with the controller killed
#    the bridge becomes a learning switch, so h3 and h4, which never
#    talked while the controller was there, reach each other without any
#    flow from it; when the controller returns, the bridge leaves
#    fail-open and keeps its flows.
. "$(dirname "$0")/lib.sh"
tl_init
. "$top_srcdir/tests/fault_lib.sh"
fault_need_mvs
fault_need_osken

# --- br0: fail secure.
add_ns sw-br0
ns=$(sw_ns br0)
add_host h1 10.0.0.1/24 "$ns"
add_host h2 10.0.0.2/24 "$ns"
fault_static_arp h1 h2
fault_static_arp h2 h1
port=$(fault_free_port "$ns")
fault_start_osken osken-a "$ns" "$port"
osken=$OSKEN_PID
sw_start --controller "tcp:127.0.0.1:$port" --dpid 0000000000000c01 \
    br0 "$(host_port h1)=1" "$(host_port h2)=2"
wait_for "sw_has_flow br0 'actions=CONTROLLER:65535'" 20 \
    || fail "controller never connected (no table-miss flow)"
fault_ctl_connected br0 || fail "dpctl/show: controller not connected"

ping_host h1 10.0.0.2 3 >/dev/null || fail "h1 -> h2 failed through os-ken"
wait_for "sw_has_flow br0 'dl_dst=$(host_mac h2)' \
          && sw_has_flow br0 'dl_dst=$(host_mac h1)'" 10 \
    || fail "the controller installed no learned flows: $(of br0 dump-flows)"

# State the controller does not know about: a group, a meter, a flow
# using them, with some traffic.
check of br0 add-meter 'meter=1,pktps,burst,stats,band=type=drop,rate=1000,burst_size=100'
check of br0 add-group 'group_id=1,type=all,bucket=output:2'
check of br0 add-flow 'priority=100,cookie=0x77,udp,in_port=1,tp_dst=9999,actions=meter:1,group:1'
for i in 1 2 3; do
    ip netns exec "$(host_ns h1)" bash -c 'echo x >/dev/udp/10.0.0.2/9999'
done
wait_for "[ \"\$(flow_packets br0 cookie=0x77)\" = 3 ]" 5 \
    || fail "the group/meter flow counted $(flow_packets br0 cookie=0x77) of 3"
fault_snap br0 "$TEST_DIR/s1"
n1=$(fault_n_flows br0)
of br0 dump-flows

# --- The controller dies.
fault_kill9 "$osken"
wait_for "! fault_ctl_connected br0" 10 \
    || fail "mvsd did not notice that its controller went away"
log "controller killed; mvsd: $(fault_ctl_state br0)"

# Fail secure: forwarding goes on by the flows the controller left.
learned1=$(flow_packets br0 "dl_dst=$(host_mac h2)")
fault_ping_start ping-secure h1 10.0.0.2 20 0.05
read -r sent got < <(fault_ping_wait "$PING_PID" ping-secure 20)
log "fail secure, no controller: $got of $sent pings answered"
[ "$sent" = 20 ] && [ "$got" = 20 ] \
    || fail "fail secure without controller lost pings ($got of $sent)"
learned2=$(flow_packets br0 "dl_dst=$(host_mac h2)")
[ "$learned2" -ge $((learned1 + 20)) ] \
    || fail "learned flow counted $learned1 -> $learned2: not the path taken"
fault_snap br0 "$TEST_DIR/s2"
fault_check "$TEST_DIR/s1" "$TEST_DIR/s2" --same
grep -q 'entering fail-open' "${SW_DIR[br0]}/mvsd-br0.log" \
    && fail "fail mode secure entered fail-open"

# --- The controller returns: mvsd reconnects by itself.
# When the table-miss flow was created (s since the epoch, from its age).
miss_born() {
    of br0 dump-flows | grep -F 'actions=CONTROLLER:65535' \
        | sed -n 's/.*duration=\([0-9.]*\)s.*/\1/p' | head -n 1 \
        | awk -v now="$(date +%s.%N)" '{ printf "%.3f\n", now - $1 }'
}
born0=$(miss_born)
t0=$(date +%s)
fault_start_osken osken-b "$ns" "$port"
wait_for "fault_ctl_connected br0" 20 \
    || fail "mvsd did not reconnect to the restarted controller"
wait_for "grep -q 'switch connected' '$TEST_DIR/osken-b.log'" 10 \
    || fail "the restarted controller never saw the switch"
log "reconnected after $(( $(date +%s) - t0 )) s"
# simple_switch_13 re-adds its table-miss flow on connection: the same
# flow, replaced (so its duration starts again), not a second one.
wait_for "awk -v a=\$(miss_born) -v b=$born0 'BEGIN { exit !(a > b + 0.5) }'" 10 \
    || fail "the table-miss flow was not re-added (born $(miss_born), before $born0)"
ping_host h1 10.0.0.2 3 >/dev/null || fail "ping failed after reconnection"
fault_snap br0 "$TEST_DIR/s3"
n3=$(fault_n_flows br0)
[ "$n3" = "$n1" ] || fail "flow count went from $n1 to $n3 after reconnection"
fault_check "$TEST_DIR/s1" "$TEST_DIR/s3" --same
log "fail secure: flows kept and used without controller; reconnected, no duplicates"

# --- br1: fail standalone.
add_ns sw-br1
ns1=$(sw_ns br1)
add_host h3 10.0.1.3/24 "$ns1"
add_host h4 10.0.1.4/24 "$ns1"
port1=$(fault_free_port "$ns1")
fault_start_osken osken-c "$ns1" "$port1"
oskenc=$OSKEN_PID
MVSD_ARGS="--fail-mode standalone" sw_start \
    --controller "tcp:127.0.0.1:$port1" --dpid 0000000000000c02 \
    br1 "$(host_port h3)=1" "$(host_port h4)=2"
wait_for "sw_has_flow br1 'actions=CONTROLLER:65535'" 20 \
    || fail "br1's controller never connected"
wait_for "fault_ctl_connected br1" 5 || fail "br1: controller not connected"
fault_snap br1 "$TEST_DIR/b1"

fault_kill9 "$oskenc"
wait_for "grep -q 'entering fail-open' '${SW_DIR[br1]}/mvsd-br1.log'" 10 \
    || fail "standalone: no fail-open after the controller went away"
ping_host h3 10.0.1.4 3 >/dev/null \
    || fail "standalone without controller: h3 cannot reach h4 (no learning)"
ping_host h4 10.0.1.3 3 >/dev/null || fail "standalone: h4 cannot reach h3"
of br1 dump-flows | grep -q 'dl_dst=' \
    && fail "br1 has learned flows from a controller that was gone"
pi=$(appctl br1 dpctl/show | sed -n 's/.*packet-ins: \([0-9]*\),.*/\1/p')
fault_snap br1 "$TEST_DIR/b2"
fault_check "$TEST_DIR/b1" "$TEST_DIR/b2" --same
log "standalone: learning switch while the controller is away ($pi packet-ins)"

fault_start_osken osken-d "$ns1" "$port1"
wait_for "fault_ctl_connected br1" 20 \
    || fail "br1 did not reconnect to the restarted controller"
wait_for "grep -q 'leaving fail-open' '${SW_DIR[br1]}/mvsd-br1.log'" 5 \
    || fail "br1 did not leave fail-open when the controller came back"
ping_host h3 10.0.1.4 3 >/dev/null || fail "h3 -> h4 failed after reconnection"
fault_snap br1 "$TEST_DIR/b3"
fault_check "$TEST_DIR/b1" "$TEST_DIR/b3"
log "standalone: controller back, fail-open left, flows kept"
exit 0
