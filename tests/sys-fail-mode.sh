#!/bin/bash
# sys-fail-mode: with its controller unreachable, a bridge in fail mode
# standalone acts as a learning switch (hosts reach each other with an
# empty flow table, and learned MACs go to one port, not flooded), while a
# bridge in fail mode secure forwards only by the flows it has.
. "$(dirname "$0")/lib.sh"
tl_init
[ "$MVS_SWITCH" = mvs ] || skip "tests mvsd's --fail-mode"

# Nothing listens on this port inside the bridge's namespace.
ctl=tcp:127.0.0.1:6633

add_ns sw-br0
ns=$(sw_ns br0)
add_host h1 10.0.0.1/24 "$ns"
add_host h2 10.0.0.2/24 "$ns"
add_host h3 10.0.0.3/24 "$ns"
add_host h6 10.0.0.6/24 "$ns"
# h6 says nothing until it is pinged.
ip netns exec "$(host_ns h6)" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
MVSD_ARGS="--fail-mode standalone" sw_start --controller "$ctl" br0 \
    "$(host_port h1)=1" "$(host_port h2)=2" "$(host_port h3)=3" \
    "$(host_port h6)=4"
ping_host h1 10.0.0.2 3 || fail "standalone without controller: no learning"
ping_host h2 10.0.0.3 3 || fail "standalone: h2 cannot reach h3"
grep -q 'entering fail-open' "${SW_DIR[br0]}/mvsd-br0.log" \
    || fail "fail-open was never logged"
# Learned: a unicast h1 -> h2 frame goes to port 2 only.
flows=$(appctl br0 dpctl/dump-flows)
echo "$flows"
echo "$flows" | grep 'in_port(1)' | grep 'dst=02:00:00:00:00:02' \
    | grep -q 'actions:output(2)$' \
    || fail "no learned unicast datapath flow from port 1 to port 2"
# A frame to a host not learned yet floods; once the host has spoken, the
# flooding datapath flow must go (else frames to it flood for ever).  h1
# knows h6's MAC without asking, so its first ping to the silent h6
# floods; h6's answer teaches the switch where h6 is.
ip -n "$(host_ns h1)" neigh replace 10.0.0.6 lladdr "$(host_mac h6)" dev eth0
ping_host h1 10.0.0.6 3 || fail "standalone: h1 cannot reach h6"
wait_for "ping_host h1 10.0.0.6 1 >/dev/null; appctl br0 dpctl/dump-flows \
          | grep 'in_port(1)' | grep 'dst=$(host_mac h6)' | grep 0x0800 \
          | grep -q 'actions:output(4)\$'" 5 \
    || fail "frames to h6 still flood after h6 was learned: $(appctl br0 dpctl/dump-flows)"
log "standalone: learning switch while the controller is away"

add_ns sw-br1
ns1=$(sw_ns br1)
add_host h4 10.0.1.4/24 "$ns1"
add_host h5 10.0.1.5/24 "$ns1"
MVSD_ARGS="--fail-mode secure" sw_start --controller "$ctl" br1 \
    "$(host_port h4)=1" "$(host_port h5)=2"
if ping_host h4 10.0.1.5 2; then
    fail "secure without controller and flows forwarded traffic"
fi
check of br1 add-flow 'in_port=1,actions=output:2'
check of br1 add-flow 'in_port=2,actions=output:1'
# Forget the failed ARP attempts of the ping above.
ip -n "$(host_ns h4)" neigh flush all
ping_host h4 10.0.1.5 3 || fail "secure: the flows it has do not forward"
log "secure: forwards only by its flows"
exit 0
