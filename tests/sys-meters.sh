#!/bin/bash
# sys-meters: an OpenFlow 1.3 meter holds a flow to its rate on the wire:
# 200 UDP frames offered in one second through a 10 packet/s meter with a
# burst of 10 reach the receiver as about 20 frames; the meter's band
# counts the drops; meter config, stats and features answer; meter-mod
# errors are OpenFlow's; deleting a meter removes the flows that use it.
. "$(dirname "$0")/lib.sh"
tl_init

add_ns sw-br0
ns=$(sw_ns br0)
add_host h1 10.0.0.1/24 "$ns"
add_host h2 10.0.0.2/24 "$ns"
sw_start br0 "$(host_port h1)=1" "$(host_port h2)=2"

check of br0 add-meter 'meter=1,pktps,burst,stats,band=type=drop,rate=10,burst_size=10'
check of br0 add-flow 'priority=10,udp,in_port=1,actions=meter:1,output:2'
of br0 dump-meters | grep -q 'meter=1 pktps burst stats bands=' \
    || fail "dump-meters does not show meter 1: $(of br0 dump-meters)"
of br0 meter-features | grep -q 'max_meter' \
    || fail "no meter features reply"

rx() { ip netns exec "$(host_ns h2)" cat /sys/class/net/eth0/statistics/rx_packets; }
before=$(rx)
ip netns exec "$(host_ns h1)" "$PYTHON" - <<'PY' || fail "scapy sender failed"
from scapy.all import Ether, IP, UDP, Raw, sendp
f = (Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
     / IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=1234, dport=5678)
     / Raw(b"x" * 64))
sendp([f] * 200, iface="eth0", inter=0.005, verbose=0)
PY
# Let the last frames drain through the switch before counting.
wait_for "[ \$(of br0 meter-stats | sed -n 's/.*packet_in_count:\([0-9]*\).*/\1/p' | head -1) -ge 200 ]" 5 \
    || fail "the meter saw fewer than 200 packets: $(of br0 meter-stats)"
got=$(( $(rx) - before ))
log "received $got of 200 frames through a 10 pkt/s meter"
[ "$got" -ge 5 ] || fail "meter passed only $got frames: rate not honoured"
[ "$got" -le 40 ] || fail "meter passed $got frames: it does not limit"
stats=$(of br0 meter-stats)
echo "$stats"
dropped=$(echo "$stats" | sed -n 's/.*0: packet_count:\([0-9]*\).*/\1/p' | head -1)
[ "${dropped:-0}" -ge 150 ] || fail "band 0 counted ${dropped:-0} drops"

# Errors.
out=$(of br0 add-meter 'meter=1,pktps,band=type=drop,rate=5' 2>&1) \
    && fail "adding meter 1 twice succeeded"
echo "$out" | grep -q 'OFPMMFC_METER_EXISTS' || fail "got: $out"
out=$(of br0 add-flow 'priority=5,in_port=2,actions=meter:9,output:1' 2>&1) \
    && fail "a flow to missing meter 9 was accepted"
echo "$out" | grep -q 'OFPMMFC_UNKNOWN_METER' || fail "got: $out"
out=$(of br0 add-meter 'meter=2,kbps,pktps,band=type=drop,rate=5' 2>&1) \
    && fail "a meter both kbps and pktps was accepted"
echo "$out" | grep -q 'OFPMMFC_BAD_FLAGS' || fail "got: $out"

check of br0 del-meter meter=1
of br0 dump-flows | grep -q 'meter:1' \
    && fail "a flow using deleted meter 1 survived"
exit 0
