#!/bin/bash
# sys-fault-port: a port's interface is deleted (ip link del of its veth)
# and a new one with the same name is created and added back while
# traffic runs.
#  - h1 pings h3 throughout, through ports that are not touched: no loss;
#  - h1 pings h2 throughout: lost while h2's link is gone, answered again
#    once the new interface is added back;
#  - mvsd marks the port gone (dpctl/show, port-status LINK_DOWN) and keeps
#    it until `mvs-appctl port/del`, as documented: port/add of the same
#    name and number while it is gone is refused with a clear error;
#    port/del then port/add with the same number brings it back;
#  - no flow, group or meter is lost (the flows naming port 2 included),
#    counters only grow, and the flows that output to port 2 carry
#    traffic again;
#  - if table 0 was offloaded into nf_tables (--offload auto and the
#    kernel allows it), it still is afterwards, flows naming port 2
#    included: a port's removal must not switch offload off for the whole
#    bridge for good.
# A link going down under a fast-failover group is tests/sys-groups.sh's.
. "$(dirname "$0")/lib.sh"
tl_init
. "$top_srcdir/tests/fault_lib.sh"
fault_need_mvs

add_ns sw-br0
ns=$(sw_ns br0)
add_host h1 10.0.0.1/24 "$ns"
add_host h2 10.0.0.2/24 "$ns"
add_host h3 10.0.0.3/24 "$ns"
fault_static_arp h1 h2 h3
fault_static_arp h2 h1
fault_static_arp h3 h1
cat > "$TEST_DIR/flows" <<F
priority=10,cookie=0x12,in_port=1,dl_dst=$(host_mac h2),actions=output:2
priority=10,cookie=0x13,in_port=1,dl_dst=$(host_mac h3),actions=output:3
priority=10,cookie=0x21,in_port=2,actions=output:1
priority=10,cookie=0x31,in_port=3,actions=output:1
F
sw_start --flows "$TEST_DIR/flows" br0 \
    "$(host_port h1)=1" "$(host_port h2)=2" "$(host_port h3)=3"
check of br0 add-meter 'meter=1,pktps,burst,stats,band=type=drop,rate=1000,burst_size=100'
check of br0 add-group 'group_id=1,type=all,bucket=output:2,bucket=output:3'
check of br0 add-flow 'priority=100,cookie=0x77,udp,in_port=1,tp_dst=9999,actions=meter:1,group:1'
ping_host h1 10.0.0.2 2 >/dev/null || fail "h1 cannot reach h2"
ping_host h1 10.0.0.3 2 >/dev/null || fail "h1 cannot reach h3"
fault_snap br0 "$TEST_DIR/s1"
offload0=$(appctl br0 offload/show | head -n 1)
log "$offload0"

# Traffic during the whole exercise (up to 20 s each; stopped below).
fault_ping_start ping-h3 h1 10.0.0.3 400 0.05
ping3=$PING_PID
fault_ping_start ping-h2 h1 10.0.0.2 400 0.05
ping2=$PING_PID
# answered NAME: replies in a background ping's log so far.
answered() { grep -c 'bytes from' "$TEST_DIR/$1.log"; }
wait_for "[ \$(answered ping-h2) -ge 5 ] && [ \$(answered ping-h3) -ge 5 ]" 10 \
    || fail "background pings get no answers"

# --- h2's link disappears.
p2=$(host_port h2)
ip -n "$ns" link del "$p2" || fail "ip link del $p2"
wait_for "appctl br0 dpctl/show | grep -q 'port 2: $p2.*(gone)'" 5 \
    || fail "mvsd did not notice that $p2 is gone: $(appctl br0 dpctl/show)"
wait_for "of br0 dump-ports-desc | grep -A3 '($p2)' | grep -q LINK_DOWN" 5 \
    || fail "port 2 not reported LINK_DOWN"
lost_at=$(answered ping-h2)
log "port 2 gone; h1 -> h2 answered so far: $lost_at"

# A new interface, same name, same host address.
h2ns=$(host_ns h2)
tmp=$(if_name th2b)
add_veth "$tmp" "$h2ns" "$p2" "$ns"
ip -n "$h2ns" link set "$tmp" name eth0 || fail "rename $tmp"
ip -n "$h2ns" link set eth0 address "$(host_mac h2)" || fail "mac of h2"
ip -n "$h2ns" addr add 10.0.0.2/24 dev eth0 || fail "address of h2"
ip -n "$h2ns" link set eth0 up || fail "eth0 up in $h2ns"
fault_static_arp h2 h1

# While the old port is gone, port/add of the same name and number is
# refused (documented: it stays gone until port/del).
if out=$(appctl br0 port/add br0 "$p2=2" 2>&1); then
    log "port/add while gone succeeded: $out"
else
    log "port/add while gone refused: $out"
    echo "$out" | grep -qiE 'exist|taken|in use' \
        || fail "port/add while gone: unclear error: $out"
    check appctl br0 port/del br0 2
    out=$(appctl br0 port/add br0 "$p2=2" 2>&1) \
        || fail "port/add $p2=2 after port/del failed: $out"
fi
echo "$out" | grep -q 'port 2' || fail "port/add did not give port 2: $out"
wait_for "of br0 dump-ports-desc | grep -A3 '($p2)' | grep -q 'state:.*LIVE'" 5 \
    || fail "re-added port 2 is not live: $(of br0 dump-ports-desc)"
wait_for "[ \$(answered ping-h2) -gt $lost_at ]" 10 \
    || fail "h1 -> h2 traffic did not resume on the re-added port"
log "port 2 back; h1 -> h2 answered again"

# Some more traffic both ways, then stop the pings.
wait_for "[ \$(answered ping-h2) -ge $((lost_at + 10)) ]" 10 \
    || fail "h1 -> h2 traffic did not keep going"
kill -INT "$ping2" "$ping3" 2>/dev/null
read -r sent3 got3 < <(fault_ping_wait "$ping3" ping-h3 5)
read -r sent2 got2 < <(fault_ping_wait "$ping2" ping-h2 5)
log "h1 -> h3: $got3 of $sent3; h1 -> h2: $got2 of $sent2"
[ "$sent3" -ge 20 ] && [ "$got3" = "$sent3" ] \
    || fail "traffic between untouched ports was lost: $got3 of $sent3"

# The UDP flow through the group reaches h2 on the new interface.
rx() { ip netns exec "$(host_ns "$1")" cat /sys/class/net/eth0/statistics/rx_packets; }
r2=$(rx h2)
ip netns exec "$(host_ns h1)" bash -c 'echo x >/dev/udp/10.0.0.2/9999'
wait_for "[ \$(rx h2) -gt $r2 ]" 5 \
    || fail "the group's bucket to port 2 does not reach the new interface"

fault_snap br0 "$TEST_DIR/s2"
fault_check "$TEST_DIR/s1" "$TEST_DIR/s2" --same
n=$(flow_packets br0 cookie=0x12)
[ "${n:-0}" -gt 0 ] || fail "flow to port 2 counted nothing"
case $offload0 in
    *"offload on"*)
        show=$(appctl br0 offload/show)
        echo "$show"
        echo "$show" | head -n 1 | grep -q 'offload on' \
            || fail "offload was switched off by the port's removal: $(echo "$show" | head -n 1)"
        echo "$show" | grep -q 'kernel .*cookie=0x12,' \
            || fail "the flow to port 2 is no longer offloaded"
        ;;
esac
exit 0
