#!/bin/bash
# sys-fault-flood: a client floods the switch (tests/fault_flood.py) while
# another connection and two hosts go on using it.
#  - 20,000 flow-mods (4 times over: the first round adds, the others
#    replace) and 20,000 packet-outs sent without ever reading: all
#    flow-mods are applied in the end (flow count), every packet-out
#    reaches its port, and mvsd's resident memory does not grow after the
#    first round (warm-up: the 20,000 flows themselves);
#  - echo requests whose replies are never read: the switch stops reading
#    that connection instead of queueing 20 MiB of replies (memory flat);
#  - meanwhile another connection keeps getting echo replies within a
#    bound, and h1 pings h2 through flows the userspace datapath carries
#    (goto_table keeps them out of nf_tables), with no more than 2% loss;
#  - the flows, group and meter that were there before are all kept, with
#    counters that only grew.
. "$(dirname "$0")/lib.sh"
tl_init
. "$top_srcdir/tests/fault_lib.sh"
fault_need_mvs

N_FLOWS=20000
N_PO=5000          # per round
ROUNDS=3           # after the first
RSS_SLACK_KB=4096  # growth allowed after warm-up
ECHO_MAX_MS=2000   # the other connection's worst echo round trip

add_ns sw-br0
ns=$(sw_ns br0)
add_host h1 10.0.0.1/24 "$ns"
add_host h2 10.0.0.2/24 "$ns"
add_host h3 10.0.0.3/24 "$ns"
fault_static_arp h1 h2
fault_static_arp h2 h1
cat > "$TEST_DIR/flows" <<'F'
table=0,priority=10,in_port=1,actions=goto_table:1
table=0,priority=10,in_port=2,actions=goto_table:1
table=1,priority=10,in_port=1,actions=output:2
table=1,priority=10,in_port=2,actions=output:1
F
sw_start --flows "$TEST_DIR/flows" br0 \
    "$(host_port h1)=1" "$(host_port h2)=2" "$(host_port h3)=3"
pid=${SW_PID[br0]}
check of br0 add-meter 'meter=1,pktps,burst,stats,band=type=drop,rate=1000,burst_size=100'
check of br0 add-group 'group_id=1,type=all,bucket=output:3'
check of br0 add-flow 'table=1,priority=100,cookie=0x77,udp,in_port=1,tp_dst=9999,actions=meter:1,group:1'
ping_host h1 10.0.0.2 2 >/dev/null || fail "h1 cannot reach h2 before the flood"
ip netns exec "$(host_ns h1)" bash -c 'echo x >/dev/udp/10.0.0.2/9999'
wait_for "[ \"\$(flow_packets br0 cookie=0x77)\" = 1 ]" 5 \
    || fail "the group/meter flow did not count its packet"
fault_snap br0 "$TEST_DIR/s1"
n0=$(fault_n_flows br0)

lookups() {
    appctl br0 dpctl/show | sed -n \
        's/.*emc-hit:\([0-9]*\) megaflow-hit:\([0-9]*\) missed:\([0-9]*\).*/\1 \2 \3/p' \
        | awk '{ print $1 + $2 + $3 }'
}
rx0=$(ip netns exec "$(host_ns h2)" cat /sys/class/net/eth0/statistics/rx_packets)
lk0=$(lookups)

start_daemon flood "$PYTHON" "$top_srcdir/tests/fault_flood.py" \
    "$(sw_target br0)" "$(sw_target br0)" --pid "$pid" \
    --flows "$N_FLOWS" --packet-outs "$N_PO" --rounds "$ROUNDS" \
    --out-port 2 --dst "$(host_mac h2)" --ready "$TEST_DIR/flood.ready"
flood=$LAST_PID
wait_for "test -e '$TEST_DIR/flood.ready' || ! alive $flood" 10
[ -e "$TEST_DIR/flood.ready" ] || fail "the flooder did not connect"
# Pings for as long as the flood lasts (up to 20 s).
fault_ping_start ping h1 10.0.0.2 400 0.05
ping=$PING_PID
wait_for "! alive $flood" 25 || fail "the flood did not end within 25 s"
wait "$flood"
rc=$?
kill -INT "$ping" 2>/dev/null    # ping prints its summary on SIGINT
read -r sent got < <(fault_ping_wait "$ping" ping 5)
result=$(tail -n 1 "$TEST_DIR/flood.log")
echo "$result"
[ "$rc" = 0 ] || fail "the flooder failed (exit $rc): $(cat "$TEST_DIR/flood.log")"

# Parse the flooder's report.
eval "$("$PYTHON" - "$result" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
rss = r["rss_kb"]
print("rss_warm=%d rss_end=%d rss_max=%d" % (rss[2], rss[-1], max(rss[2:])))
rr = r["rss_reply_kb"]
print("rss_reply0=%d rss_reply_max=%d" % (rr[0], max(rr)))
p = r["probe"]
print("probe_n=%d probe_lost=%d probe_max=%d" % (p["n"], p["lost"],
                                                 int(p["max_ms"] or 0)))
print("po_sent=%d fm_sent=%d errors=%d echo_accepted=%d" % (
    r["sent"]["packet_outs"], r["sent"]["flow_mods"], r["replies"]["errors"],
    r["echo_accepted"]))
PY
)"
log "flood: $fm_sent flow-mods, $po_sent packet-outs; ping $got of $sent"

# All flow-mods applied, without errors.
[ "$errors" = 0 ] || fail "the switch answered $errors flow-mods with errors"
n1=$(fault_n_flows br0)
[ "$n1" = $((n0 + N_FLOWS)) ] \
    || fail "$n1 flows after the flood, expected $n0 + $N_FLOWS"
# Every packet-out went out of port 2.
rx1=$(ip netns exec "$(host_ns h2)" cat /sys/class/net/eth0/statistics/rx_packets)
[ $((rx1 - rx0)) -ge "$po_sent" ] \
    || fail "h2 received $((rx1 - rx0)) frames, fewer than $po_sent packet-outs"
# Memory: flat after the first round, and no queue of unread replies.
log "RSS: after warm-up ${rss_warm} kB, max ${rss_max} kB, end ${rss_end} kB;" \
    "unread replies: ${rss_reply0} -> ${rss_reply_max} kB" \
    "($echo_accepted echo requests taken)"
[ $((rss_max - rss_warm)) -le "$RSS_SLACK_KB" ] \
    || fail "RSS grew by $((rss_max - rss_warm)) kB after warm-up"
[ $((rss_reply_max - rss_reply0)) -le "$RSS_SLACK_KB" ] \
    || fail "RSS grew by $((rss_reply_max - rss_reply0)) kB for unread replies"
[ "$echo_accepted" -lt 20000 ] \
    || fail "the switch took 20,000 echo requests whose replies nobody read"
# The other connection was served throughout.
[ "$probe_n" -ge 20 ] || fail "only $probe_n echo round trips on the probe"
[ "$probe_lost" = 0 ] || fail "$probe_lost probe echo requests unanswered in 5 s"
[ "$probe_max" -le "$ECHO_MAX_MS" ] \
    || fail "probe echo round trip up to $probe_max ms (bound $ECHO_MAX_MS)"
# Forwarding went on, in userspace.
[ "${sent:-0}" -ge 20 ] || fail "only ${sent:-0} pings sent during the flood"
[ $((got * 100)) -ge $((sent * 98)) ] \
    || fail "ping during the flood: $got of $sent answered"
[ $(( $(lookups) - lk0 )) -ge "$got" ] \
    || fail "the userspace datapath did not carry the pings"
ping_host h1 10.0.0.2 2 >/dev/null || fail "h1 cannot reach h2 after the flood"

fault_snap br0 "$TEST_DIR/s2"
fault_check "$TEST_DIR/s1" "$TEST_DIR/s2"
alive "$pid" || fail "mvsd died"
exit 0
