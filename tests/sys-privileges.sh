#!/bin/bash
# sys-privileges: mvsd --user nobody:GROUP drops to that user after setting
# up, keeping only CAP_NET_ADMIN and CAP_NET_RAW; its control sockets admit
# only root and the switch's group (mode 0770, that group); and the switch
# still forwards, offloads into nf_tables and answers OpenFlow.  Ports
# opened before the drop keep AF_XDP; a port added at run time, when
# CAP_BPF is gone, falls back to AF_PACKET, says why, and forwards.
. "$(dirname "$0")/lib.sh"
tl_init
[ "$MVS_SWITCH" = mvs ] || skip "tests mvsd's --user"
getent passwd nobody >/dev/null || skip "no user nobody"
group=$(id -gn nobody)

add_ns sw-br0
ns=$(sw_ns br0)
add_host h1 10.0.0.1/24 "$ns"
add_host h2 10.0.0.2/24 "$ns"
add_host h3 10.0.0.3/24 "$ns"
printf 'priority=10,in_port=1,actions=output:2\npriority=10,in_port=2,actions=output:1\n' \
    > "$TEST_DIR/flows"
chmod 755 "$TEST_DIR"
MVSD_ARGS="--user nobody:$group --offload require" \
    sw_start --flows "$TEST_DIR/flows" br0 "$(host_port h1)=1" "$(host_port h2)=2"
pid=${SW_PID[br0]}
# The recorded PID may be "ip netns exec"'s, which exec()s mvsd: same PID.
status=/proc/$pid/status
uid=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "$status")
[ "$uid" = "$(id -u nobody) $(id -u nobody) $(id -u nobody) $(id -u nobody)" ] \
    || fail "mvsd runs as uids '$uid', not nobody's"
capeff=$(awk '/^CapEff:/ { print $2 }' "$status")
capprm=$(awk '/^CapPrm:/ { print $2 }' "$status")
capbnd=$(awk '/^CapBnd:/ { print $2 }' "$status")
# CAP_NET_ADMIN is bit 12, CAP_NET_RAW bit 13.
[ "$capeff" = 0000000000003000 ] || fail "effective capabilities $capeff"
[ "$capprm" = 0000000000003000 ] || fail "permitted capabilities $capprm"
# Nothing beyond those two can ever come back (the bounding set).
[ $(( 0x$capbnd & ~0x3000 )) = 0 ] || fail "bounding set $capbnd"
log "runs as nobody with CapEff=$capeff"

for s in br0.mgmt br0.ctl; do
    f=${SW_DIR[br0]}/$s
    mode=$(stat -c '%a %U %G' "$f")
    [ "$mode" = "770 root $group" ] || fail "$s is '$mode', not '770 root $group'"
done
log "control sockets: 0770, root:$group"

ping_host h1 10.0.0.2 3 || fail "no forwarding after dropping privileges"
of br0 dump-flows | grep -q 'n_packets=[1-9]' || fail "no OpenFlow answer or counts"
appctl br0 offload/show | grep -q 'offload on' || fail "offload lost with the privileges"
check of br0 add-flow 'priority=20,icmp,in_port=1,actions=output:2'
ping_host h1 10.0.0.2 2 || fail "forwarding broken after a flow-mod as nobody"

io=$(appctl br0 dpctl/show | sed -n 's/^ *io: //p' | head -n 1)
[[ $io == xdp* ]] || fail "port 1, opened as root, uses '$io'"
check appctl br0 port/add br0 "$(host_port h3)=3" >/dev/null
io=$(appctl br0 dpctl/show | awk '/port 3:/ { on = 1 } on && /io:/ { sub(/^ *io: /, ""); print; exit }')
log "port added as nobody: $io"
[[ $io == "packet (AF_XDP not used: "*"CAP_BPF"* ]] \
    || fail "run-time port without CAP_BPF: io '$io'"
check of br0 add-flow 'priority=30,in_port=1,ip,nw_dst=10.0.0.3,actions=output:3'
check of br0 add-flow 'priority=30,in_port=3,actions=output:1'
check of br0 add-flow 'priority=30,in_port=1,arp,arp_tpa=10.0.0.3,actions=output:3'
ping_host h1 10.0.0.3 2 || fail "no forwarding through the AF_PACKET port"
exit 0
