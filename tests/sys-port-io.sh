#!/bin/bash
# sys-port-io: port I/O on the TPACKET_V2 ring and the batched transmit path.
# Three hosts on one bridge, MTU 9000 everywhere, flows by destination MAC
# and static neighbours (no ARP):
#   - UDP sent by h1 with tx checksum offload on (the frame reaches the
#     switch with a partial checksum) arrives at h2 with a valid checksum:
#     h2's socket receives every datagram, Udp InCsumErrors stays 0;
#   - a VLAN-tagged frame with VID 0 (the kernel strips it into metadata)
#     leaves the switch with its tag intact;
#   - a 9000-byte jumbo frame crosses both ways (ping -s 8972 -M do);
#   - a port set down drops its output quietly (tx_dropped, no log flood)
#     and forwards again once it is up;
#   - a port deleted (ip link del) while traffic runs is shown gone by
#     dpctl/show, mvsd does not spin, and h1 <-> h2 still forwards.
. "$(dirname "$0")/lib.sh"
[ "$MVS_SWITCH" = ovs ] && skip "checks mvsd's port counters and dpctl/show"
tl_init
command -v ethtool >/dev/null 2>&1 || skip "missing tool: ethtool"
command -v tcpdump >/dev/null 2>&1 || skip "missing tool: tcpdump"
"$PYTHON" -c 'import scapy.all' 2>/dev/null \
    || skip "scapy not installed for $PYTHON (python3-scapy)"

add_ns sw-br0
ns=$(sw_ns br0)
for h in 1 2 3; do
    add_host "h$h" "10.0.0.$h/24" "$ns"
    check ip -n "$ns" link set "$(host_port "h$h")" mtu 9000
    check ip -n "$(host_ns "h$h")" link set eth0 mtu 9000
done
for h in 1 2 3; do
    for peer in 1 2 3; do
        [ "$h" = "$peer" ] && continue
        check ip -n "$(host_ns "h$h")" neigh replace "10.0.0.$peer" \
            lladdr "$(host_mac "h$peer")" nud permanent dev eth0
    done
done
# The sender keeps tx checksum offload on (veth's default, made explicit).
check ip netns exec "$(host_ns h1)" ethtool -K eth0 tx on
ip netns exec "$(host_ns h1)" ethtool -k eth0 \
    | grep -q '^tx-checksumming: on' || skip "cannot turn tx offload on"

cat >"$TEST_DIR/flows" <<EOF
table=0,priority=10,dl_dst=$(host_mac h1),actions=output:1
table=0,priority=10,dl_dst=$(host_mac h2),actions=output:2
table=0,priority=10,dl_dst=$(host_mac h3),actions=output:3
EOF
# The userspace datapath is what this test measures.
MVSD_ARGS="--offload off" sw_start --flows "$TEST_DIR/flows" br0 "$(host_port h1)=1" \
    "$(host_port h2)=2" "$(host_port h3)=3"
log_file=${SW_DIR[br0]}/mvsd-br0.log

# port_stat PORT FIELD: one dpctl/show counter, e.g. port_stat 2 "TX dropped".
port_stat() {
    appctl br0 dpctl/show | awk -v p="port $1:" -v dir="${2% *}" \
        -v f="${2#* }" '
        index($0, p) { on = 1; next }
        /^  port / { on = 0 }
        on && $1 == dir {
            for (i = 2; i <= NF; i++) {
                split($i, kv, ":"); if (kv[1] == f) print kv[2]
            }
        }'
}
udp_csum_errors() {
    ip netns exec "$(host_ns h2)" awk '/^Udp:/ { n++; if (n == 1) {
        for (i = 1; i <= NF; i++) if ($i == "InCsumErrors") c = i }
        else print $c }' /proc/net/snmp
}

# UDP receiver on h2: counts datagrams on port PORT for SECS seconds.
udp_sink() {
    ip netns exec "$(host_ns h2)" "$PYTHON" -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.0.0.2", int(sys.argv[1])))
s.settimeout(0.2)
open(sys.argv[3], "w").close()
n, end = 0, time.time() + float(sys.argv[2])
while time.time() < end:
    try:
        s.recv(65535); n += 1
    except socket.timeout:
        pass
print(n)' "$@"
}
udp_send() {
    ip netns exec "$(host_ns h1)" "$PYTHON" -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(int(sys.argv[2])):
    s.sendto((bytes(range(256)) * 6)[:int(sys.argv[3])],
             ("10.0.0.2", int(sys.argv[1])))
    if i % 20 == 19:
        time.sleep(0.01)' "$@"
}

# 1. UDP with tx checksum offload on the sender.
errs0=$(udp_csum_errors)
udp_sink 5001 4 "$TEST_DIR/sink1.ready" >"$TEST_DIR/sink1" &
sink=$!
wait_for "test -e '$TEST_DIR/sink1.ready'" 5 || fail "UDP sink did not start"
udp_send 5001 200 200
udp_send 5001 20 1400
wait "$sink"
got=$(cat "$TEST_DIR/sink1")
errs=$(( $(udp_csum_errors) - errs0 ))
log "UDP with tx offload: $got of 220 received, $errs checksum errors"
[ "$errs" = 0 ] || fail "h2 saw $errs UDP checksum errors"
[ "$got" -ge 210 ] || fail "only $got of 220 UDP datagrams arrived"

# 2. A VID 0 tag survives.
pcap=$TEST_DIR/vlan.pcap
start_daemon tcpdump-vlan ip netns exec "$(host_ns h2)" tcpdump -Z root -U \
    -nn -i eth0 -c 3 -w "$pcap" "ether src $(host_mac h1) and vlan"
cap=$LAST_PID
wait_for "grep -q 'listening on' '$TEST_DIR/tcpdump-vlan.log'" 10 \
    || fail "tcpdump did not start"
ip netns exec "$(host_ns h1)" "$PYTHON" -c '
import sys
from scapy.all import Ether, Dot1Q, IP, UDP, Raw, sendp
f = (Ether(src=sys.argv[1], dst=sys.argv[2]) / Dot1Q(vlan=0, prio=0)
     / IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=7, dport=5002)
     / Raw(b"vid0" * 8))
sendp(f, iface="eth0", count=3, verbose=False)' "$(host_mac h1)" \
    "$(host_mac h2)" || fail "scapy could not send"
wait_for "! alive $cap" 5 || stop_daemon "$cap"
tcpdump -r "$pcap" -nn -e 2>/dev/null | tee "$TEST_DIR/vlan.txt"
n=$(grep -c 'vlan 0, p 0, ethertype IPv4.*5002' "$TEST_DIR/vlan.txt")
[ "$n" = 3 ] || fail "$n of 3 frames arrived with their VID 0 tag"
log "VID 0 tag kept on 3 frames"

# 3. Jumbo frames.
ip netns exec "$(host_ns h1)" ping -q -c 3 -i 0.2 -W 2 -M do -s 8972 \
    10.0.0.2 || fail "9000-byte ping h1 -> h2 failed"
ip netns exec "$(host_ns h2)" ping -q -c 3 -i 0.2 -W 2 -M do -s 8972 \
    10.0.0.1 || fail "9000-byte ping h2 -> h1 failed"
log "9000-byte frames cross both ways"

# 4. A port that goes down drops quietly and comes back.
warn0=$(grep -c 'send' "$log_file")
check ip -n "$ns" link set "$(host_port h2)" down
wait_for "appctl br0 dpctl/show | grep -q '(link down)'" 5 \
    || fail "dpctl/show does not show port 2 down"
drop0=$(port_stat 2 "TX dropped")
udp_send 5003 100 100
drop=$(( $(port_stat 2 "TX dropped") - drop0 ))
warn=$(( $(grep -c 'send' "$log_file") - warn0 ))
log "port 2 down: $drop frames dropped, $warn log lines"
[ "$drop" -ge 100 ] || fail "port 2 down: tx_dropped grew by $drop, not 100"
[ "$warn" -le 1 ] || fail "port 2 down: $warn send warnings logged"
check ip -n "$ns" link set "$(host_port h2)" up
wait_for "ip netns exec $(host_ns h1) ping -c 1 -W 1 10.0.0.2" 10 \
    || fail "no forwarding after port 2 came back up"
log "port 2 forwards again after coming back up"

# 5. A port deleted under traffic.
ip netns exec "$(host_ns h3)" ping -q -i 0.002 -w 8 10.0.0.1 \
    >/dev/null 2>&1 &
flood=$!
wait_for "[ \"\$(port_stat 3 'RX packets')\" -gt 200 ]" 5 \
    || fail "no traffic from h3"
check ip -n "$ns" link del "$(host_port h3)"
wait_for "appctl br0 dpctl/show | grep -q 'port 3: .*(gone)'" 5 \
    || fail "dpctl/show does not show port 3 gone: $(appctl br0 dpctl/show)"
wait "$flood"
alive "${SW_PID[br0]}" || fail "mvsd died when port 3 was deleted"
cpu0=$(awk '{ print $14 + $15 }' "/proc/${SW_PID[br0]}/stat")
sleep 2
cpu=$(( $(awk '{ print $14 + $15 }' "/proc/${SW_PID[br0]}/stat") - cpu0 ))
log "mvsd used $cpu ticks in 2 s with port 3 gone"
[ "$cpu" -lt 100 ] || fail "mvsd spins with port 3 gone ($cpu ticks in 2 s)"
ping_host h1 10.0.0.2 3 || fail "h1 -> h2 broken after port 3 was deleted"
ping_host h2 10.0.0.1 3 || fail "h2 -> h1 broken after port 3 was deleted"
appctl br0 dpctl/show
log "port 3 gone, h1 <-> h2 still forwards"
exit 0
