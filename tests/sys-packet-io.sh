#!/bin/bash
# sys-packet-io: packet-out and packet-in as OpenFlow 1.3 defines them.
#  - packet-out to OFPP_TABLE runs the frame through the flow table from
#    table 0 (it arrives where the flows send it);
#  - packet-out to OFPP_IN_PORT sends it back out its in_port;
#  - a table-miss flow's packet-in has reason no_match, the flow's table
#    and cookie, max_len honoured (data truncated, total_len whole);
#  - an output:CONTROLLER flow's packet-in has reason action.
. "$(dirname "$0")/lib.sh"
tl_init

add_ns sw-br0
ns=$(sw_ns br0)
add_host h1 10.0.0.1/24 "$ns"
add_host h2 10.0.0.2/24 "$ns"
# No IPv6 chatter (MLD, router solicitations) from the hosts' own stacks.
# No ARP either: the hosts know each other.
for h in h1 h2; do
    ip netns exec "$(host_ns $h)" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
done
ip -n "$(host_ns h1)" neigh replace 10.0.0.2 lladdr 02:00:00:00:00:02 \
    dev eth0 nud permanent
ip -n "$(host_ns h2)" neigh replace 10.0.0.1 lladdr 02:00:00:00:00:01 \
    dev eth0 nud permanent
sw_start br0 "$(host_port h1)=1" "$(host_port h2)=2"
target=$(sw_target br0)

check of br0 add-flow 'priority=10,in_port=1,udp,actions=output:2'
frame=$("$PYTHON" -c '
from scapy.all import Ether, IP, UDP, Raw, raw
print(raw(Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
          / IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=7, dport=7)
          / Raw(b"packet-out-table" + b"x" * 100)).hex())')

rx() { ip netns exec "$(host_ns "$1")" cat /sys/class/net/eth0/statistics/rx_packets; }

# OFPP_TABLE: through table 0, which sends it to port 2.
b2=$(rx h2)
check of br0 packet-out "in_port=1 packet=$frame actions=table"
wait_for "[ \$(rx h2) -gt $b2 ]" 5 || fail "packet-out to TABLE did not reach h2"
n=$(flow_packets br0 'udp,in_port=1')
[ "${n:-0}" -ge 1 ] || fail "packet-out to TABLE not counted by the flow"
log "packet-out to OFPP_TABLE went through the flow table"

# OFPP_IN_PORT: back out of port 1.
b1=$(rx h1)
check of br0 packet-out "in_port=1 packet=$frame actions=in_port"
wait_for "[ \$(rx h1) -gt $b1 ]" 5 || fail "packet-out to IN_PORT did not reach h1"
log "packet-out to OFPP_IN_PORT went back out its port"

# Packet-ins, through a controller connection.
check of br0 add-flow 'table=0,priority=0,cookie=0x77,actions=CONTROLLER:64'
check of br0 add-flow 'table=0,priority=20,cookie=0x78,in_port=2,udp,actions=CONTROLLER:65535'
start_daemon pin "$PYTHON" "$top_srcdir/tests/ofclient.py" "$target" packet-in \
    --count 2 --timeout 15 --ready "$TEST_DIR/ready"
pin_pid=$LAST_PID
wait_for "[ -e '$TEST_DIR/ready' ]" 10 || fail "packet-in client not ready"
ip netns exec "$(host_ns h1)" "$PYTHON" -c '
from scapy.all import Ether, IP, ICMP, Raw, sendp
sendp(Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:09")
      / IP(src="10.0.0.1", dst="10.0.0.9") / ICMP() / Raw(b"m" * 200),
      iface="eth0", verbose=0)'
ip netns exec "$(host_ns h2)" "$PYTHON" -c '
from scapy.all import Ether, IP, UDP, Raw, sendp
sendp(Ether(src="02:00:00:00:00:02", dst="02:00:00:00:00:01")
      / IP(src="10.0.0.2", dst="10.0.0.1") / UDP(sport=9, dport=9)
      / Raw(b"a" * 300), iface="eth0", verbose=0)'
wait_for "! alive $pin_pid" 15 || fail "packet-ins did not arrive"
"$PYTHON" - "$TEST_DIR/pin.log" <<'PY' || fail "packet-in fields wrong"
import json, sys
pins = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
miss = [p for p in pins if p["cookie"] == 0x77]
act = [p for p in pins if p["cookie"] == 0x78]
assert miss and act, pins
m = miss[0]
assert m["reason"] == 0, ("table-miss reason", m)          # OFPR_NO_MATCH
assert m["table"] == 0, m
assert len(m["data"]) // 2 == 64, ("max_len 64 not honoured", m)
assert m["total_len"] == 14 + 20 + 8 + 200, m
a = act[0]
assert a["reason"] == 1, ("output:CONTROLLER reason", a)   # OFPR_ACTION
assert len(a["data"]) // 2 == a["total_len"] == 14 + 20 + 8 + 300, a
print("packet-ins ok:", [(p["cookie"], p["reason"], p["total_len"]) for p in pins])
PY
exit 0
