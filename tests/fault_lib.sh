# shellcheck shell=bash
# tests/fault_lib.sh: helpers shared by the fault tests (sys-fault-*.sh).
# Source it after tests/lib.sh and tl_init.  Like lib.sh, it only ever
# stops what the test started, by PID.

FAULT_STATE="$PYTHON $top_srcdir/tests/fault_state.py"

# fault_need_mvs: these tests exercise mvsd's own behaviour (controller
# reconnection, offload, appctl counters).
fault_need_mvs() {
    [ "$MVS_SWITCH" = mvs ] || skip "tests mvsd's fault handling"
}

# fault_need_osken: skips without os-ken; sets OSKEN_APP.
fault_need_osken() {
    "$PYTHON" -c 'import os_ken' 2>/dev/null \
        || skip "os-ken not installed for $PYTHON (python3-os-ken)"
    if "$PYTHON" -c 'import os_ken.app.simple_switch_13' 2>/dev/null; then
        OSKEN_APP=os_ken.app.simple_switch_13
    else
        OSKEN_APP=$top_srcdir/tests/osken_simple_switch_13.py
    fi
}

# fault_free_port NS: an unused TCP port on 127.0.0.1 in namespace NS.
fault_free_port() {
    ip netns exec "$1" "$PYTHON" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])' || fail "could not find a free port"
}

# fault_listening NS PORT: true while something listens on 127.0.0.1:PORT.
fault_listening() {
    ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q .
}

# fault_start_osken NAME NS PORT: starts os-ken's simple_switch_13 in NS on
# 127.0.0.1:PORT (log $TEST_DIR/NAME.log), waits until it listens, and
# sets OSKEN_PID.
fault_start_osken() {
    local name=$1 ns=$2 port=$3
    start_daemon "$name" ip netns exec "$ns" "$PYTHON" -m os_ken.cmd.manager \
        --ofp-listen-host 127.0.0.1 --ofp-tcp-listen-port "$port" \
        "$OSKEN_APP"
    OSKEN_PID=$LAST_PID
    wait_for "! alive $OSKEN_PID || fault_listening $ns $port" 20
    alive "$OSKEN_PID" || fail "os-ken ($name) exited at startup"
    fault_listening "$ns" "$port" \
        || fail "os-ken ($name) did not listen on 127.0.0.1:$port"
    log "os-ken $name (pid $OSKEN_PID) listening on 127.0.0.1:$port"
}

# fault_ctl_state BRIDGE: "connected" or "not connected" for its (first)
# configured controller, from mvs-appctl dpctl/show.
fault_ctl_state() {
    appctl "$1" dpctl/show \
        | sed -n 's/^controller: [^,]*, \([^,]*\),.*/\1/p' | head -n 1
}
fault_ctl_connected() { [ "$(fault_ctl_state "$1")" = connected ]; }

# fault_snap BRIDGE FILE: records the bridge's flows, groups, meters and
# their counters (tests/fault_state.py).
fault_snap() {
    $FAULT_STATE snap "$(sw_target "$1")" "$2" \
        || fail "could not snapshot the state of $1"
}

# fault_check OLD NEW [OPTIONS]: fails unless no flow, group, meter or
# counter of OLD is lost or went back in NEW (see fault_state.py).
fault_check() {
    $FAULT_STATE check "$@" || fail "state lost between $1 and $2"
}

# fault_n_flows BRIDGE: the number of OpenFlow flows.
fault_n_flows() {
    of "$1" dump-flows --no-stats | grep -vc '^OFPST_FLOW reply'
}

# fault_kill9 PID: SIGKILL to a daemon this test started (a crash), and
# reaps it quietly.
fault_kill9() {
    kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    ! alive "$1" || fail "pid $1 survived SIGKILL"
}

# fault_rss PID: resident memory of PID in kB.
fault_rss() {
    awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

# fault_ping_start NAME HOST ADDR COUNT INTERVAL: a background ping (its
# output in $TEST_DIR/NAME.log); sets PING_PID.  -D for timestamps.
fault_ping_start() {
    local name=$1 host=$2 addr=$3 count=$4 interval=$5
    start_daemon "$name" ip netns exec "$(host_ns "$host")" \
        ping -D -n -c "$count" -i "$interval" -W 1 "$addr"
    PING_PID=$LAST_PID
}

# fault_ping_wait PID NAME [TIMEOUT]: waits for a background ping to end and
# prints "SENT RECEIVED".
fault_ping_wait() {
    local pid=$1 name=$2 timeout=${3:-30}
    wait_for "! alive $pid" "$timeout" || fail "ping $name did not end"
    sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1 \2/p' \
        "$TEST_DIR/$name.log"
}

# fault_static_arp HOST PEER...: permanent neighbour entries on HOST's eth0
# for each PEER host, so no ARP is needed (tests about flows, not ARP).
fault_static_arp() {
    local host=$1 peer
    shift
    for peer in "$@"; do
        ip -n "$(host_ns "$host")" neigh replace "$(fault_host_ip "$peer")" \
            lladdr "$(host_mac "$peer")" dev eth0 nud permanent \
            || fail "static neighbour $peer on $host"
    done
}
# fault_host_ip HOST: the address of HOST's eth0 (first IPv4).
fault_host_ip() {
    ip -n "$(host_ns "$1")" -4 -o addr show dev eth0 \
        | awk '{ split($4, a, "/"); print a[1]; exit }'
}

# fault_nft_flows BRIDGE: "table=0 priority=P cookie=C" for each flow
# element in the bridge's nf_tables table (from the elements' comments),
# sorted; nothing if there is no table.
fault_nft_flows() {
    ip netns exec "$(sw_ns "$1")" nft list table netdev "mvs-$1" 2>/dev/null \
        | grep -o 'comment "table=[0-9]* priority=[0-9]* cookie=0x[0-9a-f]*' \
        | sed 's/^comment "//' | LC_ALL=C sort
}

# fault_of_flows0 BRIDGE: the same for the bridge's OpenFlow table 0.
fault_of_flows0() {
    of "$1" dump-flows table=0 | grep -v '^OFPST_FLOW' | awk '{
        c = "0x0"; p = "32768"
        if (match($0, /cookie=0x[0-9a-f]+/)) c = substr($0, RSTART + 7, RLENGTH - 7)
        if (match($0, /priority=[0-9]+/)) p = substr($0, RSTART + 9, RLENGTH - 9)
        print "table=0 priority=" p " cookie=" c }' | LC_ALL=C sort
}

# fault_offload_kernel BRIDGE: the same for the flows offload/show says
# run in the kernel.
fault_offload_kernel() {
    appctl "$1" offload/show \
        | sed -n 's/^ *kernel *table=0, priority=\([0-9]*\), cookie=\(0x[0-9a-f]*\|0\),.*/table=0 priority=\1 cookie=\2/p' \
        | sed 's/cookie=0$/cookie=0x0/' | LC_ALL=C sort
}

# fault_nft_matches_of BRIDGE: true if the kernel holds at most one element
# per current table-0 flow and nothing else (no element of a flow that is
# gone), and one for each flow offload/show says is in the kernel.  (A
# flow that only hands frames to userspace may need no element.)
fault_nft_matches_of() {
    local kern of want
    kern=$(fault_nft_flows "$1")
    of=$(fault_of_flows0 "$1")
    want=$(fault_offload_kernel "$1")
    [ -n "$kern" ] || return 1
    [ "$(LC_ALL=C sort -u <<<"$kern")" = "$kern" ] || return 1
    [ -z "$(LC_ALL=C comm -23 <(echo "$kern") <(echo "$of"))" ] || return 1
    [ -z "$(LC_ALL=C comm -23 <(echo "$want") <(echo "$kern"))" ]
}
