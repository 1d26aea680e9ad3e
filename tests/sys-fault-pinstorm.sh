#!/bin/bash
# sys-fault-pinstorm: a packet-in storm.  h1 sends 1 KB frames as fast as
# mausezahn can into a table-miss flow to the controller, while two
# controllers are connected: one reads 20 KB/s (tests/fault_ctl.py
# --rate), the other as fast as it can.
#  - packet-ins are bounded per controller: the slow controller's queue
#    overflows and mvsd counts the drops on that connection (dpctl/show
#    "packet-ins dropped N"), more than on the fast one; every packet-in
#    is either delivered or counted as dropped, for each controller;
#  - mvsd's memory stays bounded during the storm;
#  - both controllers stay connected, and once the slow one catches up it
#    gets new packet-ins again (a marker frame);
#  - h2 and h3 ping each other through userspace flows (goto_table keeps
#    them out of nf_tables) during the storm with at most 2% loss; no flow
#    is lost and counters only grow.
. "$(dirname "$0")/lib.sh"
tl_init
. "$top_srcdir/tests/fault_lib.sh"
fault_need_mvs
command -v mausezahn >/dev/null || skip "mausezahn not installed (netsniff-ng)"

RSS_SLACK_KB=16384
MARKER=02:00:00:00:ff:ee

add_ns sw-br0
ns=$(sw_ns br0)
add_host h1 10.0.0.1/24 "$ns"
add_host h2 10.0.0.2/24 "$ns"
add_host h3 10.0.0.3/24 "$ns"
fault_static_arp h2 h3
fault_static_arp h3 h2
# No IPv6 chatter (DAD, MLD, router solicitations): the only packet-ins
# are the storm's and the marker's.
for h in h1 h2 h3; do
    ip netns exec "$(host_ns $h)" sysctl -qw net.ipv6.conf.eth0.disable_ipv6=1
done

slow_port=$(fault_free_port "$ns")
fast_port=$(fault_free_port "$ns")
[ "$slow_port" != "$fast_port" ] || fail "the same free port twice"
touch "$TEST_DIR/slow-now"
start_daemon ctl-slow ip netns exec "$ns" "$PYTHON" \
    "$top_srcdir/tests/fault_ctl.py" "$slow_port" "$TEST_DIR/slow.json" \
    --rate 20000 --slow-file "$TEST_DIR/slow-now" --marker "$MARKER"
slow=$LAST_PID
start_daemon ctl-fast ip netns exec "$ns" "$PYTHON" \
    "$top_srcdir/tests/fault_ctl.py" "$fast_port" "$TEST_DIR/fast.json" \
    --marker "$MARKER"
fast=$LAST_PID
wait_for "fault_listening $ns $slow_port && fault_listening $ns $fast_port" 10 \
    || fail "the test controllers did not listen"

cat > "$TEST_DIR/flows" <<'F'
priority=0,actions=CONTROLLER:65535
priority=10,in_port=2,actions=goto_table:1
priority=10,in_port=3,actions=goto_table:1
table=1,priority=10,in_port=2,actions=output:3
table=1,priority=10,in_port=3,actions=output:2
F
sw_start --controller "tcp:127.0.0.1:$slow_port" \
    --controller "tcp:127.0.0.1:$fast_port" --flows "$TEST_DIR/flows" \
    br0 "$(host_port h1)=1" "$(host_port h2)=2" "$(host_port h3)=3"
pid=${SW_PID[br0]}
wait_for "grep -q '\"connected\": true' '$TEST_DIR/slow.json' \
          && grep -q '\"connected\": true' '$TEST_DIR/fast.json'" 15 \
    || fail "mvsd did not connect to both controllers"
wait_for "[ \"\$(appctl br0 dpctl/show | grep -c '^controller: .*, connected,')\" = 2 ]" 10 \
    || fail "dpctl/show does not show two connected controllers"
ping_host h2 10.0.0.3 2 >/dev/null || fail "h2 cannot reach h3 before the storm"
fault_snap br0 "$TEST_DIR/s1"

# status FILE KEY: a value from a controller's status file.
status() {
    sed -n "s/.*\"$2\": \([0-9a-z]*\).*/\1/p" "$1"
}
# dropped PORT: mvsd's packet-in drop count for the controller on PORT.
dropped() {
    appctl br0 dpctl/show \
        | sed -n "s/^controller: tcp:127.0.0.1:$1, .*packet-ins dropped \([0-9]*\).*/\1/p"
}
n_pins() {
    appctl br0 dpctl/show | sed -n 's/.*packet-ins: \([0-9]*\),.*/\1/p'
}

# Packet-ins from before a controller connected reached no one: count
# from here.
base() { echo $(( $(n_pins) - $(status "$TEST_DIR/$1.json" packet_ins) - $(dropped "$2") )); }
base_slow=$(base slow "$slow_port")
base_fast=$(base fast "$fast_port")
rss0=$(fault_rss "$pid")
start_daemon storm ip netns exec "$(host_ns h1)" mausezahn eth0 -c 0 -d 0 \
    -a "$(host_mac h1)" -b 02:00:00:00:00:99 -A 10.0.0.1 -B 10.0.0.99 \
    -t udp "dp=9" -p 1000
storm=$LAST_PID
# The storm is on once the slow controller's queue overflows.
wait_for "[ \"\$(dropped $slow_port)\" -gt 0 ]" 10 \
    || fail "no packet-in dropped for the slow controller ($(n_pins) packet-ins)"
rss_max=$(fault_rss "$pid")
fault_ping_start ping h2 10.0.0.3 150 0.02
ping=$PING_PID
while alive "$ping"; do
    r=$(fault_rss "$pid")
    [ "$r" -gt "$rss_max" ] && rss_max=$r
    sleep 0.2     # sampling, not synchronisation
done
read -r sent got < <(fault_ping_wait "$ping" ping 10)
alive "$storm" || fail "the storm ended early: $(tail -n 3 "$TEST_DIR/storm.log")"
stop_daemon "$storm"
alive "$pid" || fail "mvsd died in the storm"
log "storm: $(n_pins) packet-ins; dropped: slow $(dropped "$slow_port")," \
    "fast $(dropped "$fast_port"); ping h2 -> h3 $got of $sent;" \
    "RSS ${rss0} -> max ${rss_max} kB"
grep 'rtt' "$TEST_DIR/ping.log"

[ $((rss_max - rss0)) -le "$RSS_SLACK_KB" ] \
    || fail "RSS grew by $((rss_max - rss0)) kB during the storm"
[ "${sent:-0}" -ge 100 ] || fail "only ${sent:-0} pings sent"
[ $((got * 100)) -ge $((sent * 98)) ] \
    || fail "forwarding h2 -> h3 lost pings in the storm: $got of $sent"
[ "$(dropped "$slow_port")" -gt "$(dropped "$fast_port")" ] \
    || fail "the slow controller did not drop more than the fast one"

# Both stay connected; the slow one catches up and is served again.
[ "$(appctl br0 dpctl/show | grep -c '^controller: .*, connected,')" = 2 ] \
    || fail "a controller was disconnected by the storm: $(appctl br0 dpctl/show)"
rm -f "$TEST_DIR/slow-now"
# Every packet-in was delivered or counted as dropped, on each connection:
# once the slow one has caught up, nothing is missing.
accounted() {
    local c name port b
    for c in slow:$slow_port:$base_slow fast:$fast_port:$base_fast; do
        IFS=: read -r name port b <<<"$c"
        [ "$(base "$name" "$port")" = "$b" ] || return 1
    done
}
report() {
    local c name port b
    for c in slow:$slow_port:$base_slow fast:$fast_port:$base_fast; do
        IFS=: read -r name port b <<<"$c"
        echo "$name controller: $(status "$TEST_DIR/$name.json" packet_ins)" \
             "received, $(dropped "$port") dropped, of $(( $(n_pins) - b ))" \
             "packet-ins sent since it connected"
    done
}
wait_for accounted 20 || fail "packet-ins neither delivered nor counted: $(report)"
report
# And then a new packet-in reaches both.
ip netns exec "$(host_ns h1)" mausezahn eth0 -c 1 -a "$(host_mac h1)" \
    -b "$MARKER" -A 10.0.0.1 -B 10.0.0.99 -t udp "dp=9" >/dev/null 2>&1 \
    || fail "could not send the marker frame"
wait_for "[ \"\$(status $TEST_DIR/slow.json marker)\" = true ] \
          && [ \"\$(status $TEST_DIR/fast.json marker)\" = true ]" 10 \
    || fail "a controller never got the packet-in sent after the storm: $(report)"
wait_for accounted 10 || fail "packet-ins neither delivered nor counted: $(report)"
alive "$slow" && alive "$fast" || fail "a test controller died"

fault_snap br0 "$TEST_DIR/s2"
fault_check "$TEST_DIR/s1" "$TEST_DIR/s2" --same
exit 0
