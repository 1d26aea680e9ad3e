#!/bin/bash
# sys-osken-ping: a real OpenFlow controller, os-ken running the
# simple_switch_13 learning switch, connected through --controller
# tcp:127.0.0.1:PORT, makes two namespace hosts reach each other.
#
# The controller runs in the bridge's namespace, so 127.0.0.1 there is
# private to the test and the port cannot clash with anything on the host.
. "$(dirname "$0")/lib.sh"
tl_init

"$PYTHON" -c 'import os_ken' 2>/dev/null \
    || skip "os-ken not installed for $PYTHON (python3-os-ken)"
# Debian 12's python3-os-ken ships no sample apps; use the packaged
# simple_switch_13 when there is one, else ours.
if "$PYTHON" -c 'import os_ken.app.simple_switch_13' 2>/dev/null; then
    app=os_ken.app.simple_switch_13
else
    app=$top_srcdir/tests/osken_simple_switch_13.py
fi

add_ns sw-br0
ns=$(sw_ns br0)
add_host h1 10.0.0.1/24 "$ns"
add_host h2 10.0.0.2/24 "$ns"

# An unused TCP port on 127.0.0.1 in the bridge's namespace.
port=$(ip netns exec "$ns" "$PYTHON" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])') || fail "could not find a free port"

start_daemon osken ip netns exec "$ns" "$PYTHON" -m os_ken.cmd.manager \
    --ofp-listen-host 127.0.0.1 --ofp-tcp-listen-port "$port" "$app"
osken=$LAST_PID
wait_for "ip netns exec $ns ss -Hltn 'sport = :$port' | grep -q ." 30 \
    || fail "os-ken did not listen on 127.0.0.1:$port"
log "os-ken ($app) listening on 127.0.0.1:$port"

sw_start --controller "tcp:127.0.0.1:$port" --dpid 0000000000000b01 \
    br0 "$(host_port h1)=1" "$(host_port h2)=2"

# simple_switch_13 installs its table-miss flow on the features reply.
wait_for "sw_has_flow br0 'actions=CONTROLLER:65535'" 30 \
    || fail "controller never connected (no table-miss flow)"
log "controller connected"
of br0 dump-flows

ping_host h1 10.0.0.2 5 || fail "h1 -> h2 ping failed through os-ken"
ping_host h2 10.0.0.1 3 || fail "h2 -> h1 ping failed through os-ken"
log "ping works both ways"

alive "$osken" || fail "os-ken died"
of br0 dump-flows
wait_for "sw_has_flow br0 'dl_dst=$(host_mac h2)'" 10 \
    || fail "controller did not install a learned flow towards h2"
log "learned flows installed by the controller"
exit 0
