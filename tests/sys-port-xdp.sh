#!/bin/bash
# sys-port-xdp: the two port back-ends (mvsd --port-io), AF_XDP and
# AF_PACKET, on veths, and how mvsd picks between them.
#
# For each of --port-io xdp and --port-io packet, one bridge, offload off,
# hosts h1 and h2 (h3 added at run time), flows by destination MAC:
#   - dpctl/show names each port's back-end ("xdp native copy, 1 queue" or
#     "packet");
#   - TCP (IPv4, then IPv6) from h1 to h2 with the hosts' default offloads (tx checksum on,
#     so frames reach the switch with a partial checksum) delivers 4 MB
#     intact with no TCP checksum errors at h2 (on AF_PACKET the sender's
#     TSO is turned off: super-frames are dropped there, as documented);
#   - MPLS on the wire: UDP to port 9001 gets label 1001 pushed (h2 sees
#     ethertype 0x8847, label 1001, the IPv4 TTL, and so does a tcpdump on
#     the switch's port toward h2), and an MPLS frame from
#     h2 with label 2002 is popped and reaches h1 as IPv4;
#   - port 2's interface set down stops forwarding, and up again restores
#     it;
#   - port/add of h3 at run time forwards (h1 pings h3), port/del removes
#     it, and an interface deleted under a running port shows "(gone)"
#     while h1 <-> h2 still forwards and mvsd stays idle (< 5% CPU).
# A port with two receive queues gets a socket on each, and forwards what
# arrives on both.
# Then, in auto mode (the default):
#   - with offload on, IPv4 is passed by the XDP program to nf_tables,
#     which forwards an offloaded flow in the kernel: the flow's kernel
#     counter counts the frames and the port's userspace RX does not;
#   - VLAN-tagged frames (VID 0 and 10) cross with their tags;
#   - a port with MTU 9000 (more than an AF_XDP frame holds) falls back to
#     AF_PACKET, and dpctl/show and the log say why (also when only the
#     veth's peer has that MTU); with --port-io xdp
#     the same port is refused with that reason;
#   - a second mvsd on a port that has the first one's program falls back
#     to AF_PACKET and says that the interface has another XDP program;
#   - after mvsd is killed (SIGKILL), no XDP program is left on the ports.
. "$(dirname "$0")/lib.sh"
[ "$MVS_SWITCH" = ovs ] && skip "tests mvsd's port back-ends"
tl_init
command -v ethtool >/dev/null 2>&1 || skip "missing tool: ethtool"
command -v tcpdump >/dev/null 2>&1 || skip "missing tool: tcpdump"
"$PYTHON" -c 'import scapy.all' 2>/dev/null \
    || skip "scapy not installed for $PYTHON (python3-scapy)"

cat >"$TEST_DIR/tcp.py" <<'EOF'
# tcp.py srv READY | cli ADDR: 4 MB over TCP (IPv4 or IPv6); each side
# prints its SHA-256.
import hashlib, os, socket, sys
if sys.argv[1] == "srv":
    s = socket.socket(socket.AF_INET6)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", 5001))
    s.listen(1)
    s.settimeout(20)
    open(sys.argv[2], "w").close()
    c, _ = s.accept()
    c.settimeout(20)
    h, n = hashlib.sha256(), 0
    while True:
        d = c.recv(65536)
        if not d:
            break
        h.update(d)
        n += len(d)
    print(n, h.hexdigest())
else:
    data = os.urandom(4000000)
    s = socket.create_connection((sys.argv[2], 5001), timeout=20)
    s.sendall(data)
    s.close()
    print(len(data), hashlib.sha256(data).hexdigest())
EOF
cat >"$TEST_DIR/mpls.py" <<'EOF'
# mpls.py push | pop SRC_MAC DST_MAC: sends the frames of the MPLS checks.
import sys
from scapy.all import Ether, IP, UDP, Raw, sendp
from scapy.contrib.mpls import MPLS
src, dst = sys.argv[2], sys.argv[3]
if sys.argv[1] == "push":
    f = (Ether(src=src, dst=dst) / IP(src="10.0.0.1", dst="10.0.0.2", ttl=33)
         / UDP(sport=7, dport=9001) / Raw(b"push" * 8))
else:
    f = (Ether(src=src, dst=dst, type=0x8847) / MPLS(label=2002, s=1, ttl=9)
         / IP(src="10.0.0.2", dst="10.0.0.1") / UDP(sport=7, dport=9002)
         / Raw(b"pop!" * 8))
sendp(f, iface="eth0", count=3, verbose=False)
EOF

# io_of BRIDGE PORT: the "io:" line of a port in dpctl/show.
io_of() {
    appctl "$1" dpctl/show | awk -v p="port $2:" '
        index($0, p) { on = 1; next } /^  port / { on = 0 }
        on && $1 == "io:" { sub(/^ *io: /, ""); print; exit }'
}
port_rx() {
    appctl "$1" dpctl/show | awk -v p="port $2:" '
        index($0, p) { on = 1; next } /^  port / { on = 0 }
        on && $1 == "RX" { split($2, kv, ":"); print kv[2]; exit }'
}
xdp_attached() { ip -n "$1" -d link show "$2" | grep -q 'prog/xdp'; }

n=0
for mode in xdp packet; do
    n=$((n + 1))
    br=br$n
    add_ns "sw-$br"
    ns=$(sw_ns "$br")
    for h in 1 2 3; do
        add_host "h$n$h" "10.0.0.$h/24" "$ns"
    done
    h1=h${n}1 h2=h${n}2 h3=h${n}3
    if [ "$mode" = packet ]; then
        check ip netns exec "$(host_ns "$h1")" ethtool -K eth0 tso off gso off
    fi
    cat >"$TEST_DIR/$br.flows" <<EOF
table=0,priority=100,in_port=1,udp,tp_dst=9001,actions=push_mpls:0x8847,set_field:1001->mpls_label,output:2
table=0,priority=100,in_port=2,mpls,mpls_label=2002,actions=pop_mpls:0x0800,set_field:$(host_mac "$h1")->eth_dst,output:1
table=0,priority=10,dl_dst=$(host_mac "$h1"),actions=output:1
table=0,priority=10,dl_dst=$(host_mac "$h2"),actions=output:2
table=0,priority=10,dl_dst=$(host_mac "$h3"),actions=output:3
table=0,priority=5,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,actions=flood
EOF
    MVSD_ARGS="--offload off --port-io $mode" sw_start \
        --flows "$TEST_DIR/$br.flows" "$br" "$(host_port "$h1")=1" \
        "$(host_port "$h2")=2"
    pid=${SW_PID[$br]}

    for p in 1 2; do
        io=$(io_of "$br" $p)
        case $mode in
            xdp) [[ $io == "xdp native copy, 1 queue" ]] ;;
            packet) [ "$io" = packet ] ;;
        esac || fail "$mode: port $p io is '$io'"
        [ "$mode" = xdp ] && { xdp_attached "$ns" "$(host_port "$h1")" \
            || fail "no XDP program on $(host_port "$h1")"; }
    done
    log "$mode: ports use '$(io_of "$br" 1)'"

    # TCP over IPv4 and IPv6, default offloads (checksum partial on the
    # wire to the switch).
    check ip -n "$(host_ns "$h1")" addr add fd00::1/64 dev eth0 nodad
    check ip -n "$(host_ns "$h2")" addr add fd00::2/64 dev eth0 nodad
    for dst in 10.0.0.2 fd00::2; do
        csum0=$(ip netns exec "$(host_ns "$h2")" nstat -az TcpInCsumErrors \
                | awk '/TcpInCsumErrors/ { print $2 }')
        rm -f "$TEST_DIR/srv.ready"
        ip netns exec "$(host_ns "$h2")" "$PYTHON" "$TEST_DIR/tcp.py" srv \
            "$TEST_DIR/srv.ready" >"$TEST_DIR/srv.out" 2>&1 &
        srv=$!
        wait_for "test -e '$TEST_DIR/srv.ready'" 5 || fail "TCP server did not start"
        ip netns exec "$(host_ns "$h1")" "$PYTHON" "$TEST_DIR/tcp.py" cli \
            "$dst" >"$TEST_DIR/cli.out" 2>&1 \
            || fail "$mode: TCP client to $dst: $(cat "$TEST_DIR/cli.out")"
        wait "$srv" || fail "$mode: TCP server: $(cat "$TEST_DIR/srv.out")"
        cmp -s "$TEST_DIR/srv.out" "$TEST_DIR/cli.out" \
            || fail "$mode: TCP data to $dst differs: sent $(cat "$TEST_DIR/cli.out"), got $(cat "$TEST_DIR/srv.out")"
        csum=$(ip netns exec "$(host_ns "$h2")" nstat -az TcpInCsumErrors \
               | awk '/TcpInCsumErrors/ { print $2 }')
        [ "$csum" = "$csum0" ] \
            || fail "$mode: h2 counted $((csum - csum0)) TCP checksum errors ($dst)"
        log "$mode: 4 MB over TCP to $dst intact, no checksum errors"
    done

    # MPLS push and pop on the wire; what the switch sends is also seen by
    # a tcpdump on the switch's own port (the interface's taps).
    capture "push$n" "$(host_ns "$h2")" eth0 3 mpls
    start_daemon "tcpdump-tap$n" ip netns exec "$ns" tcpdump -Z root -U -nn \
        -Q out -i "$(host_port "$h2")" -c 3 -w "$TEST_DIR/tap$n.pcap" mpls
    tap=$LAST_PID
    wait_for "grep -q 'listening on' '$TEST_DIR/tcpdump-tap$n.log'" 10 \
        || fail "tcpdump on the switch port did not start"
    ip netns exec "$(host_ns "$h1")" "$PYTHON" "$TEST_DIR/mpls.py" push \
        "$(host_mac "$h1")" "$(host_mac "$h2")" || fail "scapy send"
    capture_end "push$n"
    wait_for "! alive $tap" 5 || stop_daemon "$tap"
    got=$(tcpdump -r "$TEST_DIR/push$n.pcap" -nn -e 2>/dev/null \
          | grep -c 'MPLS (label 1001, tc 0, \[S\], ttl 33).*9001')
    [ "$got" = 3 ] || fail "$mode: $got of 3 pushed frames with label 1001: $(tcpdump -r "$TEST_DIR/push$n.pcap" -nn -e 2>&1)"
    got=$(tcpdump -r "$TEST_DIR/tap$n.pcap" -nn -e 2>/dev/null \
          | grep -c 'MPLS (label 1001, tc 0, \[S\], ttl 33).*9001')
    [ "$got" = 3 ] || fail "$mode: tcpdump on the switch port saw $got of the 3 frames it sent"
    capture "pop$n" "$(host_ns "$h1")" eth0 3 udp port 9002
    ip netns exec "$(host_ns "$h2")" "$PYTHON" "$TEST_DIR/mpls.py" pop \
        "$(host_mac "$h2")" "$(host_mac "$h1")" || fail "scapy send"
    capture_end "pop$n"
    got=$(tcpdump -r "$TEST_DIR/pop$n.pcap" -nn -e 2>/dev/null \
          | grep -c 'ethertype IPv4.*10.0.0.2.7 > 10.0.0.1.9002')
    [ "$got" = 3 ] || fail "$mode: $got of 3 popped frames reached h1 as IPv4"
    log "$mode: MPLS push (label 1001) and pop (label 2002) on the wire"

    # Link flap: port 2's interface down, then up again; forwarding
    # comes back on the same sockets.
    p2=$(host_port "$h2")
    check ip -n "$ns" link set "$p2" down
    ! ping_host "$h1" 10.0.0.2 1 >/dev/null || fail "$mode: ping crossed a port that is down"
    check ip -n "$ns" link set "$p2" up
    wait_for "ping_host $h1 10.0.0.2 1 >/dev/null" 10 \
        || fail "$mode: no forwarding after port 2 came back up"
    log "$mode: port down and up again: forwards"

    # A port added at run time, removed, added again, then its interface
    # deleted under it.
    p3=$(host_port "$h3")
    check appctl "$br" port/add "$br" "$p3=3" >/dev/null
    io=$(io_of "$br" 3)
    case $mode in
        xdp) [[ $io == xdp* ]] ;;
        packet) [ "$io" = packet ] ;;
    esac || fail "$mode: run-time port 3 io is '$io'"
    ping_host "$h1" 10.0.0.3 || fail "$mode: h1 cannot ping h3 on a run-time port"
    check appctl "$br" port/del "$br" 3 >/dev/null
    [ "$mode" = xdp ] && { ! xdp_attached "$ns" "$p3" \
        || fail "XDP program left on $p3 after port/del"; }
    check appctl "$br" port/add "$br" "$p3=3" >/dev/null
    ping_host "$h1" 10.0.0.3 || fail "$mode: h1 cannot ping h3 after re-adding"
    ip -n "$ns" link del "$p3" || fail "ip link del $p3"
    wait_for "appctl $br dpctl/show | grep -q 'port 3: $p3 (gone)'" 5 \
        || fail "$mode: port 3 not shown gone: $(appctl "$br" dpctl/show)"
    ping_host "$h1" 10.0.0.2 || fail "$mode: h1 -> h2 broken after h3's interface went away"
    t0=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
    sleep 1
    t1=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
    hz=$(getconf CLK_TCK)
    [ $(( (t1 - t0) * 100 / hz )) -lt 5 ] \
        || fail "$mode: mvsd used $(( (t1 - t0) * 100 / hz ))% CPU with a gone port"
    alive "$pid" || fail "$mode: mvsd died"
    log "$mode: run-time port add/del, interface deleted under a port: handled"
done

# A port with two receive queues (a veth made with two): one AF_XDP socket
# per queue, and frames that arrive on either are forwarded.
ns=$(sw_ns br1)
add_ns h14
hns=$(ns_name h14)
p=$(host_port h14)
tmp=$(if_name th14)
ip link add "$tmp" numtxqueues 2 numrxqueues 2 type veth peer name "$p" \
    numtxqueues 2 numrxqueues 2 || fail "ip link add $tmp/$p with 2 queues"
TL_LINKS+=("$tmp" "$p")
check ip link set "$tmp" netns "$hns"
check ip link set "$p" netns "$ns"
check ip -n "$hns" link set "$tmp" name eth0
check ip -n "$hns" link set eth0 address "$(host_mac h14)"
check ip -n "$hns" addr add 10.0.0.4/24 dev eth0
check ip -n "$hns" link set eth0 up
check ip -n "$ns" link set "$p" up
check appctl br1 port/add br1 "$p=4" >/dev/null
[ "$(io_of br1 4)" = "xdp native copy, 2 queues" ] \
    || fail "2-queue port: io '$(io_of br1 4)'"
check of br1 add-flow "priority=50,in_port=4,actions=output:1"
check of br1 add-flow "priority=50,dl_dst=$(host_mac h14),actions=output:4"
udp_no_ports() {
    ip netns exec "$(host_ns h11)" nstat -az UdpNoPorts \
        | awk '/UdpNoPorts/ { print $2 }'
}
before=$(udp_no_ports)
# 40 source ports: the sender's transmit queue (and so our receive queue)
# is chosen per flow.
ip netns exec "$hns" "$PYTHON" -c '
import socket
for port in range(5000, 5040):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("10.0.0.4", port))
    for i in range(5):
        s.sendto(b"q" * 100, ("10.0.0.1", 9999))'
wait_for "[ \$(( \$(udp_no_ports) - before )) -ge 200 ]" 5 \
    || fail "2-queue port: h1 got $(( $(udp_no_ports) - before )) of 200 datagrams"
q0=$(ip netns exec "$ns" ethtool -S "$p" | awk '/rx_queue_0_xdp_redirect/ { print $2 }')
q1=$(ip netns exec "$ns" ethtool -S "$p" | awk '/rx_queue_1_xdp_redirect/ { print $2 }')
log "2-queue port: 200 of 200 datagrams forwarded; queue 0 redirected $q0, queue 1 $q1"
[ "${q0:-0}" -gt 0 ] && [ "${q1:-0}" -gt 0 ] \
    || fail "the datagrams did not use both queues (queue 0: $q0, queue 1: $q1)"

# Auto mode with offload on: IPv4 goes through nf_tables ingress.
add_ns sw-br3
ns=$(sw_ns br3)
add_host h31 10.0.0.1/24 "$ns"
add_host h32 10.0.0.2/24 "$ns"
add_host h33 10.0.0.3/24 "$ns"
check ip -n "$ns" link set "$(host_port h33)" mtu 9000
check ip -n "$(host_ns h33)" link set eth0 mtu 9000
cat >"$TEST_DIR/br3.flows" <<EOF
table=0,priority=100,in_port=1,udp,nw_dst=10.0.0.2,tp_dst=9003,actions=output:2
table=0,priority=10,dl_dst=$(host_mac h31),actions=output:1
table=0,priority=10,dl_dst=$(host_mac h32),actions=output:2
table=0,priority=10,dl_dst=$(host_mac h33),actions=output:3
table=0,priority=5,dl_dst=ff:ff:ff:ff:ff:ff,actions=flood
EOF
MVSD_ARGS="--offload require" sw_start --flows "$TEST_DIR/br3.flows" br3 \
    "$(host_port h31)=1" "$(host_port h32)=2" "$(host_port h33)=3"
pid=${SW_PID[br3]}
[[ $(io_of br3 1) == xdp* ]] || fail "auto: port 1 io is '$(io_of br3 1)'"
io=$(io_of br3 3)
log "auto: MTU 9000 port: $io"
[[ $io == "packet (AF_XDP not used: MTU 9000 is larger"* ]] \
    || fail "auto: MTU 9000 port io is '$io'"
grep -q "$(host_port h33): AF_XDP not used (MTU 9000" \
    "${SW_DIR[br3]}/mvsd-br3.log" || fail "no log line for the fallback"
ping_host h31 10.0.0.3 || fail "auto: h1 cannot ping the AF_PACKET port"
# Only the veth's peer has MTU 9000: native XDP is refused for it (ERANGE),
# and the reason says so.
add_host h34 10.0.0.4/24 "$ns"
check ip -n "$(host_ns h34)" link set eth0 mtu 9000
check appctl br3 port/add br3 "$(host_port h34)=4" >/dev/null
io=$(io_of br3 4)
log "auto: port whose veth peer has MTU 9000: $io"
[[ $io == "packet (AF_XDP not used: "*"the peer's MTU counts"* ]] \
    || fail "auto: peer MTU 9000: io is '$io'"

rx0=$(port_rx br3 1)
ip netns exec "$(host_ns h31)" ip neigh replace 10.0.0.2 \
    lladdr "$(host_mac h32)" nud permanent dev eth0
capture off3 "$(host_ns h32)" eth0 50 udp port 9003
ip netns exec "$(host_ns h31)" "$PYTHON" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(50):
    s.sendto(b"offloaded", ("10.0.0.2", 9003))'
capture_end off3
got=$(tcpdump -r "$TEST_DIR/off3.pcap" -nn 2>/dev/null | grep -c '9003')
rx1=$(port_rx br3 1)
wait_for "[ \"\$(flow_packets br3 tp_dst=9003)\" -ge 50 ]" 5 \
    || fail "auto+offload: flow counted $(flow_packets br3 tp_dst=9003) of 50"
log "auto+offload: $got of 50 at h2, flow counted $(flow_packets br3 tp_dst=9003), port 1 userspace RX +$((rx1 - rx0))"
[ "$got" = 50 ] || fail "auto+offload: $got of 50 offloaded frames reached h2"
[ $((rx1 - rx0)) -lt 50 ] \
    || fail "auto+offload: the offloaded frames reached userspace too (RX +$((rx1 - rx0)))"

# VLAN-tagged frames (VID 0 and 10) under offload: the XDP program keeps
# them (see dp-xsk.c), and they arrive tagged.
capture vlan "$(host_ns h32)" eth0 6 vlan
ip netns exec "$(host_ns h31)" "$PYTHON" -c '
import sys
from scapy.all import Ether, Dot1Q, IP, UDP, Raw, sendp
for vid in (0, 10):
    f = (Ether(src=sys.argv[1], dst=sys.argv[2]) / Dot1Q(vlan=vid)
         / IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=7, dport=5002)
         / Raw(b"tagged" * 4))
    sendp(f, iface="eth0", count=3, verbose=False)' "$(host_mac h31)" \
    "$(host_mac h32)" || fail "scapy could not send"
capture_end vlan
got=$(tcpdump -r "$TEST_DIR/vlan.pcap" -nn -e 2>/dev/null \
      | grep -cE 'vlan (0|10), p 0, ethertype IPv4.*5002')
[ "$got" = 6 ] || fail "auto+offload: $got of 6 VLAN-tagged frames arrived tagged"
log "auto+offload: 6 of 6 VLAN-tagged frames (VID 0, 10) arrived tagged"

# --port-io xdp refuses what auto falls back from.
add_ns sw-br4
ns4=$(sw_ns br4)
add_host h41 10.0.0.1/24 "$ns4"
check ip -n "$ns4" link set "$(host_port h41)" mtu 9000
# (Its exit status 1 is the point: under the sanitizers it is filed under
# another name than this test's, whose mvsd must all exit cleanly.)
MVS_SAN_TEST=${MVS_SAN_TEST:+$MVS_SAN_TEST-expected-exit} \
start_daemon mvsd-br4 ip netns exec "$ns4" "$MVSD" --bridge br4 \
    --rundir "$TEST_DIR" --pidfile="$TEST_DIR/br4.pid" \
    --log-file="$TEST_DIR/mvsd-br4.log" --port-io xdp --offload off \
    --port "$(host_port h41)=1"
wait_for "! alive $LAST_PID" 10 || fail "--port-io xdp on an MTU 9000 port did not fail"
grep -q "cannot open as an AF_XDP port: MTU 9000" "$TEST_DIR/mvsd-br4.log" \
    || fail "--port-io xdp failure unclear: $(cat "$TEST_DIR/mvsd-br4.log")"
log "--port-io xdp on an MTU 9000 port: refused ($(grep -o 'MTU 9000[^)]*' "$TEST_DIR/mvsd-br4.log" | head -1))"

# Another program on the interface (a second mvsd on port 1): auto falls
# back and says so; the first mvsd's program stays.
start_daemon mvsd-br5 ip netns exec "$ns" "$MVSD" --bridge br5 \
    --rundir "$TEST_DIR" --pidfile="$TEST_DIR/br5.pid" \
    --log-file="$TEST_DIR/mvsd-br5.log" --offload off \
    --port "$(host_port h31)=1"
pid5=$LAST_PID
wait_for "grep -q 'AF_XDP not used' '$TEST_DIR/mvsd-br5.log'" 10 \
    || fail "a second mvsd on port 1: no fallback logged: $(cat "$TEST_DIR/mvsd-br5.log")"
grep -q "$(host_port h31): AF_XDP not used (BPF_LINK_CREATE (the interface has another XDP program)" \
    "$TEST_DIR/mvsd-br5.log" \
    || fail "fallback reason: $(grep 'AF_XDP' "$TEST_DIR/mvsd-br5.log")"
stop_daemon "$pid5"
xdp_attached "$ns" "$(host_port h31)" || fail "the first mvsd's program went"
log "another XDP program on the interface: fallback to AF_PACKET, said why"

# SIGKILL: the BPF links go with the process, so do the programs.
xdp_attached "$ns" "$(host_port h31)" || fail "no XDP program on port 1"
if [ -n "${MVS_SAN_TEST:-}" ]; then
    # Under the sanitizers a killed mvsd counts as a crash (no leak check):
    # a clean exit must leave no program either.
    how="a clean exit"
    stop_daemon "$pid"
else
    how=SIGKILL
    kill -9 "$(cat "${SW_DIR[br3]}/br3.pid")" || fail "no mvsd pid for br3"
fi
wait_for "! xdp_attached $ns $(host_port h31) && ! xdp_attached $ns $(host_port h32)" 5 \
    || fail "an XDP program was left after $how: $(ip -n "$ns" -d link show)"
log "no XDP program left after $how"
exit 0
