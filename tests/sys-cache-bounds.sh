#!/bin/bash
# sys-cache-bounds: what a busy host costs the switch is bounded (issue 15
# items 2 and 9).  mvsd --max-idle 1000 --flow-limit 4000
# --mac-table-size 1000; one flow, actions=NORMAL.  h1 sends 20,000
# frames, each from its own source MAC to its own destination MAC (every
# one a datapath flow of its own, exact on the MACs, and a MAC to learn):
#  (a) the cache never holds more than 4000 flows and the MAC table more
#      than 1000 entries (polled while the frames flow), and the limit
#      shows in dpctl/show's evictions or uncached misses;
#  (b) within 3 s of the last frame every datapath flow has expired;
#  (c) the NORMAL flow counts all 20,000 frames: counters of expired,
#      evicted and uncached traffic all reach OpenFlow;
#  (d) a learning burst does not flush the cache: a ping's flow survives
#      the next burst of 500 new source MACs (fewer than the table holds,
#      so the ping's addresses, learned last, stay).
. "$(dirname "$0")/lib.sh"
tl_init
[ "$MVS_SWITCH" = mvs ] || skip "tests mvsd's cache bounds and options"

add_ns sw-br0
ns=$(sw_ns br0)
for h in h1 h2; do
    add_host "$h" "10.0.0.${h#h}/24" "$ns"
    # No IPv6 chatter from the hosts' own stacks.
    ip netns exec "$(host_ns "$h")" sysctl -qw \
        net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
MVSD_ARGS="${MVSD_ARGS:-} --offload=off --max-idle 1000 --flow-limit 4000 --mac-table-size 1000"
sw_start br0 "$(host_port h1)=1" "$(host_port h2)=2"
check of br0 add-flow 'priority=0,actions=NORMAL'

show() { appctl br0 dpctl/show; }
field() { show | sed -n "$1" | head -n 1; }
n_flows() { field 's/^  flows: \([0-9]*\) .*/\1/p'; }
n_macs() { field 's/.*MAC table: \([0-9]*\) entries.*/\1/p'; }
show | grep -q 'flows: 0 (limit 4000, idle expiry 1000 ms)' \
    || fail "dpctl/show does not show the limits: $(show)"

cat >"$TEST_DIR/burst.py" <<'EOF'
import socket, struct, sys, time
n, base = int(sys.argv[1]), int(sys.argv[2])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
for i in range(base, base + n):
    dst = b"\x0e" + struct.pack("!I", i) + b"\x01"
    src = b"\x0e" + struct.pack("!I", i) + b"\x02"
    s.send(dst + src + b"\x88\xb5" + bytes(46))
    if i % 200 == 0:
        time.sleep(0.002)
EOF
burst() {
    ip netns exec "$(host_ns h1)" "$PYTHON" "$TEST_DIR/burst.py" "$1" "$2" \
        || fail "sender failed"
}

# (a) Poll while the burst runs.
burst 20000 0 &
sender=$!
max_flows=0 max_macs=0
while alive "$sender"; do
    f=$(n_flows) m=$(n_macs)
    [ "${f:-0}" -gt "$max_flows" ] && max_flows=$f
    [ "${m:-0}" -gt "$max_macs" ] && max_macs=$m
done
wait "$sender" || fail "sender failed"
log "most flows seen: $max_flows, most MAC entries: $max_macs"
[ "$max_flows" -le 4000 ] || fail "the cache held $max_flows flows"
[ "$max_macs" -le 1000 ] || fail "the MAC table held $max_macs entries"
show | tee "$TEST_DIR/show1"
grep -Eq 'evicted at the limit: [1-9]|handled uncached at the limit: [1-9]' \
    "$TEST_DIR/show1" || fail "the flow limit never acted"

# (b) Idle expiry.
wait_for "[ \"\$(n_flows)\" -eq 0 ]" 5 \
    || fail "flows did not expire: $(n_flows) left"
show | grep -q 'expired: [1-9]' || fail "no expiry counted"

# (c) Every frame counted, wherever it went: the NORMAL flow's counter is
# what the ports received (the burst, and whatever the hosts' own stacks
# sent).
rx_all() {
    show | sed -n 's/^    RX packets:\([0-9]*\) .*/\1/p' | awk '{ n += $1 } END { print n }'
}
wait_for "[ \"\$(flow_packets br0 actions=NORMAL)\" -ge 20000 ] \
          && [ \"\$(flow_packets br0 actions=NORMAL)\" -eq \"\$(rx_all)\" ]" 5 \
    || fail "the NORMAL flow counted $(flow_packets br0 actions=NORMAL) frames of $(rx_all)"
log "the NORMAL flow counted $(flow_packets br0 actions=NORMAL) frames, the ports received $(rx_all)"

# (d) A ping's flow survives a burst of 500 new source MACs (each learned
# address only removes the flows to it, of which there are none).
ping_host h1 10.0.0.2 1 >/dev/null || fail "h1 cannot ping h2"
burst 500 100000
appctl br0 dpctl/dump-flows >"$TEST_DIR/after"
grep -q 'dst=02:00:00:00:00:02)' "$TEST_DIR/after" \
    || fail "the burst removed the ping's flow: $(grep -v 0e:00 "$TEST_DIR/after")"
log "PASS"
