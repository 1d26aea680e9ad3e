#!/bin/bash
# sys-group-chains: chained groups cost bounded time (issue 15 item 3).
# ALL groups of 30 buckets, each bucket to the group below, 8 deep (30^7
# paths; the old loop check took 15 s at 7): every group-mod is answered
# at once; a loop and a chain over 16 groups are refused with
# OFPGMFC_LOOP; a packet-out and a frame through the top group stop at
# the translation work limit, are dropped and counted; the switch keeps
# forwarding other traffic and answering OpenFlow meanwhile.
. "$(dirname "$0")/lib.sh"
tl_init
[ "$MVS_SWITCH" = mvs ] || skip "tests mvsd's translation bound"

add_ns sw-br0
ns=$(sw_ns br0)
add_host h1 10.0.0.1/24 "$ns"
add_host h2 10.0.0.2/24 "$ns"
MVSD_ARGS="${MVSD_ARGS:-} --offload=off"
sw_start br0 "$(host_port h1)=1" "$(host_port h2)=2"

"$PYTHON" - "$TEST_DIR/groups" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("group_id=1,type=all,bucket=output:2\n")
    for g in range(2, 9):
        f.write("group_id=%d,type=all%s\n"
                % (g, "".join(",bucket=group:%d" % (g - 1)
                              for _ in range(30))))
PY
start=$(date +%s%N)
timeout 20 $OFCTL add-groups "$(sw_target br0)" "$TEST_DIR/groups" \
    || fail "add-groups of an 8-deep chain did not finish in 20 s"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
log "8-deep chain of 30-bucket groups added in $ms ms"
[ "$(of br0 dump-groups | grep -c group_id=)" -eq 8 ] \
    || fail "not all 8 groups are there: $(of br0 dump-groups)"

out=$(of br0 mod-group 'group_id=1,type=all,bucket=group:8' 2>&1) \
    && fail "a loop through the chain was accepted"
echo "$out" | grep -q OFPGMFC_LOOP || fail "loop refused with: $out"

# A frame through the top group: dropped at the work limit, counted.
check of br0 add-flow 'priority=10,udp,in_port=1,tp_dst=9,actions=group:8'
check of br0 add-flow 'priority=10,icmp,actions=NORMAL'
check of br0 add-flow 'priority=5,arp,actions=NORMAL'
over() {
    appctl br0 dpctl/show \
        | sed -n 's/.*over the work limit (dropped): \([0-9]*\).*/\1/p'
}
ip netns exec "$(host_ns h1)" "$PYTHON" - <<'PY' || fail "sender failed"
import socket, struct
def csum(b):
    s = sum(struct.unpack("!10H", b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, 0, 0, 64, 17, 0,
                 socket.inet_aton("10.0.0.1"), socket.inet_aton("10.0.0.2"))
ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
f = (bytes.fromhex("020000000002020000000001") + b"\x08\x00" + ip
     + struct.pack("!HHHH", 9, 9, 8, 0))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
s.send(f)
PY
wait_for "[ \"\$(over)\" -ge 1 ]" 10 \
    || fail "the translation was not stopped and counted: $(appctl br0 dpctl/show)"

# A packet-out through it: answered at once, dropped, counted.
before=$(over)
timeout 10 $OFCTL packet-out "$(sw_target br0)" \
    'in_port=controller packet=020000000002020000000001080045000014000000004011000000000000000000000000 actions=group:8' \
    || fail "packet-out through the chain did not return"
timeout 5 $OFCTL show "$(sw_target br0)" >/dev/null \
    || fail "the switch does not answer after the packet-out"
[ "$(over)" -gt "$before" ] || fail "the packet-out was not counted"

# Other traffic still crosses.
ping_host h1 10.0.0.2 || fail "h1 cannot ping h2 after the chain"
log "PASS"
