#!/bin/bash
# sys-offload-mass-delete: 100,000 offloaded flows deleted in one go
# (issue 14).
#  - a bundle of 100,000 flows in three masks lands in nf_tables: `nft
#    list` holds one element per flow, and a frame for one of them is
#    forwarded by the kernel (userspace sees none) and counted;
#  - del-flows by cookie removes exactly that cookie's flows, and the
#    other masks' elements stay;
#  - del-flows of everything leaves our table without a single element,
#    no frame crosses any more, and the counters the kernel kept before
#    the delete reached OpenFlow (a flow-removed message carries them);
#  - table 0's matched count has the kernel's frames as soon as they
#    crossed, and keeps them after the delete;
#  - another program's table in the same namespace is byte for byte what
#    it was.
. "$(dirname "$0")/lib.sh"
tl_init
[ "$MVS_SWITCH" = mvs ] || skip "tests mvsd's nf_tables offload"
command -v nft >/dev/null 2>&1 || skip "missing tool: nft"

add_ns sw-br0
ns=$(sw_ns br0)
add_host h1 10.0.0.1/24 "$ns"
add_host h2 10.0.0.2/24 "$ns"
no_ipv6 "$(host_ns h1)" "$(host_ns h2)" "$ns"
MVSD_ARGS="--offload require" sw_start br0 "$(host_port h1)=1" \
    "$(host_port h2)=2"

# A foreign table with a set, a chain on the same ports' ingress and a
# rule: it must come out of all this unchanged.
cat >"$TEST_DIR/foreign.nft" <<EOF
table netdev mvs-test-foreign {
    set blocked { type ipv4_addr; elements = { 192.0.2.1, 192.0.2.2 } }
    chain in {
        type filter hook ingress device $(host_port h1) priority 10;
        ip saddr @blocked counter drop
    }
}
EOF
check ip netns exec "$ns" nft -f "$TEST_DIR/foreign.nft"
ip netns exec "$ns" nft list table netdev mvs-test-foreign \
    >"$TEST_DIR/foreign.before"

# h2 counts what reaches it.
check ip netns exec "$(host_ns h2)" nft -f - <<'EOF'
table netdev cnt {
    chain in {
        type filter hook ingress device eth0 priority 0;
        udp dport 7000 counter comment "rx"
    }
}
EOF
rx() {
    ip netns exec "$(host_ns h2)" nft list table netdev cnt \
        | sed -n 's/.*counter packets \([0-9]*\) .*/\1/p'
}
# send N: N frames from h1 to h2, UDP port 7000; prints how many went.
send() {
    ip netns exec "$(host_ns h1)" "$PYTHON" "$top_srcdir/tests/meter_rates.py" \
        send eth0 0 0 "7000:$1:100:0" | sed -n 's/.*: sent \([0-9]*\) .*/\1/p'
}
# port1_rx: frames userspace received on port 1.
port1_rx() {
    appctl br0 dpctl/show | sed -n '/port 1:/{n;s/.*RX packets:\([0-9]*\).*/\1/p}'
}
# elements: how many elements the flow maps of our table hold (maps "m"
# and a number, one per mask; the table has port maps besides).
elements() {
    ip netns exec "$ns" nft -j list table netdev mvs-br0 | "$PYTHON" -c '
import json, re, sys
n = 0
for item in json.load(sys.stdin)["nftables"]:
    s = item.get("set") or item.get("map")
    if s and re.fullmatch(r"m[0-9]+", s["name"]):
        n += len(s.get("elem", []))
print(n)'
}

# 97,999 UDP flows by source (cookie 1), 2,000 IP flows by destination
# (cookie 2, one mask), and the one the frames take (cookie 3, its own
# mask), asking for a flow-removed message.
awk 'BEGIN {
    for (i = 0; i < 97999; i++)
        printf "priority=100,cookie=0x1,udp,nw_src=10.%d.%d.%d,tp_dst=5000,actions=output:2\n",
               100 + int(i / 65536), int(i / 256) % 256, i % 256
    for (i = 0; i < 2000; i++)
        printf "priority=90,cookie=0x2,ip,nw_dst=10.200.%d.%d,actions=drop\n",
               int(i / 256), i % 256
    print "priority=200,cookie=0x3,send_flow_rem,udp,in_port=1,nw_src=10.0.0.1,tp_dst=7000,actions=output:2"
}' >"$TEST_DIR/flows"
check ovs-ofctl -O OpenFlow13 --bundle add-flows "$(sw_target br0)" \
    "$TEST_DIR/flows"
n=$(of br0 dump-flows | grep -c 'actions=')
[ "$n" = 100000 ] || fail "$n flows after the bundle, not 100000"
n=$(elements)
[ "$n" = 100000 ] || fail "nf_tables holds $n elements for 100000 flows"
log "100000 flows in nf_tables"

# A controller listening: it must hear cookie 3's flow-removed message.
start_daemon monitor env OVS_RUNDIR="$TEST_DIR" \
    ovs-ofctl -O OpenFlow13 -vvconn:console:dbg monitor \
    "$(sw_target br0)"
wait_for "grep -q 'received: OFPT_HELLO' '$TEST_DIR/monitor.log'" 5 \
    || fail "the monitor did not connect: $(cat "$TEST_DIR/monitor.log")"

before=$(port1_rx)
sent=$(send 20)
wait_for "[ \"\$(rx)\" = $sent ]" 5 \
    || fail "h2 got $(rx) of $sent frames through the offloaded flow"
# Table 0's counts include them at once (the action chains' counters, read
# for the request, not left to the periodic read), and keep them when the
# flows go.
matched0() {
    of br0 dump-tables | awk '/table 0/ { t = 1 } t && /matched=/ {
        sub(/.*matched=/, ""); sub(/[^0-9].*/, ""); print; exit }'
}
m=$(matched0)
[ -n "$m" ] && [ "$m" -ge "$sent" ] \
    || fail "table 0 matched '$m' packets, not the $sent the kernel forwarded"
# A request for one flow of a big table reads its kernel counter now.
n=$(of br0 dump-flows 'cookie=0x3/-1' | sed -n 's/.*n_packets=\([0-9]*\).*/\1/p')
[ "$n" = "$sent" ] || fail "cookie 0x3 counted $n of the $sent frames"
# (h1 may send a stray frame of its own, which userspace sees.)
[ $(( $(port1_rx) - before )) -lt "$sent" ] \
    || fail "userspace received the frames the kernel forwarded"
log "the kernel forwarded $sent frames and counted them"

check of br0 del-flows 'cookie=0x2/-1'
n=$(of br0 dump-flows | grep -c 'actions=')
[ "$n" = 98000 ] || fail "$n flows after deleting cookie 2, not 98000"
n=$(elements)
[ "$n" = 98000 ] || fail "nf_tables holds $n elements after deleting cookie 2"
log "del-flows by cookie: the other masks' 98000 elements stay"

start=$(date +%s%N)
check of br0 del-flows
ms=$(( ($(date +%s%N) - start) / 1000000 ))
n=$(of br0 dump-flows | grep -c 'actions=')
[ "$n" = 0 ] || fail "$n flows after del-flows"
n=$(elements)
[ "$n" = 0 ] || fail "nf_tables still holds $n elements after del-flows"
log "del-flows of 98000 flows: $ms ms, no element left"
m2=$(matched0)
[ -n "$m2" ] && [ "$m2" -ge "$m" ] \
    || fail "table 0 matched $m2 packets after del-flows, $m before"
log "table 0 matched $m2 packets, as before the delete"

# Nothing crosses any more (a table miss drops in OpenFlow 1.3): the
# frames reach userspace, which drops them.
got=$(rx)
before=$(port1_rx)
sent2=$(send 20)
[ "$sent2" -gt 0 ] || fail "the sender sent nothing"
wait_for "[ \$(( \$(port1_rx) - before )) -ge $sent2 ]" 5 \
    || fail "userspace saw $(( $(port1_rx) - before )) of $sent2 frames after del-flows"
[ "$(rx)" = "$got" ] || fail "$(( $(rx) - got )) frames crossed after del-flows"
log "after del-flows no frame crosses"

# The flow-removed message carries what the kernel counted.
wait_for "grep -q 'OFPT_FLOW_REMOVED.*cookie:0x3' $TEST_DIR/monitor.log" 5 \
    || fail "no flow-removed for cookie 0x3: $(cat "$TEST_DIR/monitor.log")"
grep -A1 'OFPT_FLOW_REMOVED.*cookie:0x3' "$TEST_DIR/monitor.log"
grep -A1 'OFPT_FLOW_REMOVED.*cookie:0x3' "$TEST_DIR/monitor.log" \
    | grep -q "pkts$sent " \
    || fail "flow-removed of cookie 0x3 lost the kernel's $sent packets"

ip netns exec "$ns" nft list table netdev mvs-test-foreign \
    >"$TEST_DIR/foreign.after"
diff "$TEST_DIR/foreign.before" "$TEST_DIR/foreign.after" \
    || fail "the foreign table changed"
log "the foreign table is unchanged"
log "PASS"
