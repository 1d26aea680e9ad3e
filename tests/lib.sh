# tests/lib.sh: shell library for mvs system tests and the demo.
#
# Source it from bash.  Everything a test creates (network namespaces,
# veth pairs, daemons, a scratch directory) is recorded here and removed by
# the EXIT trap, and nothing else is ever touched: daemons are killed by
# their recorded PID, namespaces and interfaces by their recorded name.
#
# Names: every namespace and interface carries the prefix "m$$" (this
# shell's PID), so concurrent runs and the host's own interfaces never
# clash.  Addresses 10.0.x.y are only ever configured inside namespaces
# that we created.
#
# The switch under test is chosen by MVS_SWITCH:
#   mvs (default)  $top_builddir/utils/mvsd, one process per bridge, with a
#                  private --rundir;
#   ovs            Open vSwitch's own ovsdb-server + ovs-vswitchd, userspace
#                  datapath (datapath_type=netdev), private run/db/log dirs:
#                  the behavioural reference.
# Either way each bridge runs in a network namespace of its own, its
# OpenFlow management socket is "unix:DIR/BRIDGE.mgmt", and tests talk to
# it only through sw_* helpers and the real ovs-ofctl.
#
# Test protocol: exit 0 pass, 77 skip, anything else fail.  On failure the
# daemons' logs are shown; MVS_KEEP_TEST_DIR=1 keeps the scratch directory.

# ---------------------------------------------------------------------------
# Paths and settings.

: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${MVS_SWITCH:=mvs}"
: "${MVSD:=$top_builddir/utils/mvsd}"
# /usr/bin/python3 on purpose: Debian's python3-os-ken and python3-scapy
# are installed for the system interpreter, not for one found on PATH.
: "${PYTHON:=/usr/bin/python3}"
OFCTL="ovs-ofctl -O OpenFlow13"

PFX="m$$"                       # Prefix of every name we create.
TEST_NAME=${TEST_NAME:-$(basename "$0" .sh)}
TEST_DIR=""                     # Scratch directory (mktemp), set by tl_init.

declare -a TL_PIDS=()           # Daemons we started, in start order.
declare -a TL_NETNS=()          # Namespaces we created.
declare -a TL_LINKS=()          # Root-namespace interfaces we created.
declare -A TL_PIDNAME=()        # PID -> short name, for messages.
declare -A SW_NS=()             # Bridge -> its namespace.
declare -A SW_DIR=()            # Bridge -> its private run directory.
declare -A SW_PID=()            # Bridge -> main daemon PID.

# ---------------------------------------------------------------------------
# Messages and outcomes.

log() { printf '%s: %s\n' "$TEST_NAME" "$*"; }
fail() { printf '%s: FAIL: %s\n' "$TEST_NAME" "$*" >&2; exit 1; }
skip() { printf '%s: SKIP: %s\n' "$TEST_NAME" "$*"; exit 77; }

# Runs "$@" and fails the test, naming the command, if it fails.
check() { "$@" || fail "command failed: $*"; }

# ---------------------------------------------------------------------------
# Setup and cleanup.

# tl_init: call first.  Skips when not root or when a needed tool is
# missing, makes the scratch directory and installs the cleanup trap.
tl_init() {
    [ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
    local tool
    for tool in ip ovs-ofctl timeout "$PYTHON"; do
        command -v "$tool" >/dev/null 2>&1 || skip "missing tool: $tool"
    done
    case $MVS_SWITCH in
        mvs) [ -x "$MVSD" ] || fail "$MVSD not built (run utils/setup.sh)" ;;
        ovs) for tool in ovsdb-tool ovsdb-server ovs-vswitchd ovs-vsctl; do
                 command -v "$tool" >/dev/null 2>&1 \
                     || skip "missing tool: $tool"
             done ;;
        *) fail "MVS_SWITCH must be mvs or ovs, not '$MVS_SWITCH'" ;;
    esac
    TEST_DIR=$(mktemp -d "${TMPDIR:-/tmp}/mvs-$TEST_NAME.XXXXXX") \
        || fail "mktemp failed"
    trap tl_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    log "switch=$MVS_SWITCH dir=$TEST_DIR"
}

# Kills one recorded daemon: TERM, then KILL after 5 s.  Never by name.
tl_kill_pid() {
    local pid=$1 i
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null
    for i in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}

tl_cleanup() {
    local rc=$? i f
    trap - EXIT INT TERM
    set +e
    if [ "$rc" != 0 ] && [ "$rc" != 77 ] && [ -n "$TEST_DIR" ]; then
        # On failure, show what the daemons said.
        for f in "$TEST_DIR"/*.log "$TEST_DIR"/*/*.log; do
            [ -s "$f" ] || continue
            echo "----- $f (last 40 lines)"
            tail -n 40 "$f"
        done
    fi
    for ((i = ${#TL_PIDS[@]} - 1; i >= 0; i--)); do
        tl_kill_pid "${TL_PIDS[i]}"
    done
    for i in "${TL_LINKS[@]}"; do
        ip link show dev "$i" >/dev/null 2>&1 && ip link del dev "$i"
    done
    for i in "${TL_NETNS[@]}"; do
        ip netns del "$i" 2>/dev/null
    done
    if [ -n "$TEST_DIR" ] && [ -z "${MVS_KEEP_TEST_DIR:-}" ]; then
        rm -rf "$TEST_DIR"
    fi
    exit "$rc"
}

# ---------------------------------------------------------------------------
# Waiting.

# wait_for CONDITION [TIMEOUT]: evaluates the shell CONDITION every 0.1 s
# until it succeeds (returns 0) or TIMEOUT seconds (default 10) pass
# (returns 1).  This is the only way tests synchronise.
wait_for() {
    local cond=$1 timeout=${2:-10} deadline
    deadline=$(( $(date +%s%N) + timeout * 1000000000 ))
    while :; do
        eval "$cond" >/dev/null 2>&1 && return 0
        [ "$(date +%s%N)" -ge "$deadline" ] && return 1
        sleep 0.1
    done
}

# ---------------------------------------------------------------------------
# Daemons.

# start_daemon NAME CMD...: runs CMD in the background with its output in
# $TEST_DIR/NAME.log, records its PID for cleanup and sets LAST_PID.
# CMD must not detach (the recorded PID must be the daemon's).
start_daemon() {
    local name=$1
    shift
    "$@" >"$TEST_DIR/$name.log" 2>&1 </dev/null &
    LAST_PID=$!
    TL_PIDS+=("$LAST_PID")
    TL_PIDNAME[$LAST_PID]=$name
}

# stop_daemon PID: stops a daemon that we started.
stop_daemon() {
    tl_kill_pid "$1"
}

# alive PID: true while the daemon runs.
alive() { kill -0 "$1" 2>/dev/null; }

# ---------------------------------------------------------------------------
# Namespaces, links, hosts.

# ns_name SHORT: the full name of our namespace SHORT.
ns_name() { echo "$PFX-$1"; }

# add_ns SHORT: creates namespace $(ns_name SHORT) with lo up.  (Not to be
# called in $(...): the record for cleanup must reach this shell.)
add_ns() {
    local ns
    ns=$(ns_name "$1")
    ip netns add "$ns" || fail "ip netns add $ns"
    TL_NETNS+=("$ns")
    ip -n "$ns" link set lo up || fail "lo up in $ns"
}

# nsx NS CMD...: runs CMD in namespace NS ("" means the root namespace).
nsx() {
    local ns=$1
    shift
    if [ -n "$ns" ]; then ip netns exec "$ns" "$@"; else "$@"; fi
}

# if_name SHORT: the full name of our interface SHORT (at most 15 chars).
if_name() { echo "$PFX$1"; }

# add_veth A NS_A B NS_B: a veth pair, end A (named A) in namespace NS_A,
# end B in NS_B ("" = root namespace), both up.  Names are taken as given.
add_veth() {
    local a=$1 nsa=$2 b=$3 nsb=$4
    [ ${#a} -le 15 ] && [ ${#b} -le 15 ] \
        || fail "interface name $a or $b longer than 15 characters"
    ip link add "$a" type veth peer name "$b" || fail "ip link add $a/$b"
    TL_LINKS+=("$a" "$b")
    [ -n "$nsa" ] && { ip link set "$a" netns "$nsa" || fail "move $a"; }
    [ -n "$nsb" ] && { ip link set "$b" netns "$nsb" || fail "move $b"; }
    nsx "$nsa" ip link set "$a" up || fail "$a up"
    nsx "$nsb" ip link set "$b" up || fail "$b up"
}

# add_host HOST ADDR/PLEN SWITCH_NS: a host namespace "$PFX-HOST" whose
# interface eth0 has ADDR/PLEN and a fixed MAC; the peer, named
# $(host_port HOST), is left up in SWITCH_NS for a bridge to take.
# Hosts are numbered h1, h2, ...; MAC is 02:00:00:00:00:NN from the host's
# number, so tests can write flows by MAC.
add_host() {
    local host=$1 addr=$2 swns=$3 ns port tmp num
    add_ns "$host"
    ns=$(ns_name "$host")
    port=$(host_port "$host")
    tmp=$(if_name "t$host")
    add_veth "$tmp" "$ns" "$port" "$swns"
    ip -n "$ns" link set "$tmp" name eth0 || fail "rename $tmp"
    num=$(printf '%02x' "$(host_num "$host")")
    ip -n "$ns" link set eth0 address "02:00:00:00:00:$num" \
        || fail "mac of $host"
    ip -n "$ns" addr add "$addr" dev eth0 || fail "address $addr"
    ip -n "$ns" link set eth0 up || fail "eth0 up in $ns"
}
# no_ipv6 NS...: no IPv6 of the kernel's own (router solicitations, MLD)
# on any interface of the namespaces NS, now or later, so that only what a
# test sends crosses them and counters are exact.
no_ipv6() {
    local n
    for n in "$@"; do
        ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
            net.ipv6.conf.default.disable_ipv6=1 || fail "disable IPv6 in $n"
    done
}
host_port() { if_name "$1"; }
host_ns() { ns_name "$1"; }
host_num() { local n=${1//[!0-9]/}; echo "${n:-0}"; }
host_mac() { printf '02:00:00:00:00:%02x\n' "$(host_num "$1")"; }

# ping_host HOST ADDR [COUNT]: pings ADDR from HOST; true if any reply.
ping_host() {
    ip netns exec "$(host_ns "$1")" ping -q -c "${3:-3}" -i 0.2 -W 2 "$2"
}

# ---------------------------------------------------------------------------
# The switch under test.

# sw_start [--dpid HEX] [--controller TARGET]... [--flows FILE]
#          BRIDGE PORT=OFPORT...
# (MVSD_ARGS, if set, adds options to mvsd's command line.)
# Starts bridge BRIDGE with the given ports in namespace $(sw_ns BRIDGE)
# (created here if missing; to put ports there first, create it with
# `add_ns sw-BRIDGE` and use add_host), and waits until its management
# socket answers and shows every port.  With --flows the flow table is
# loaded before it returns (mvsd --flows; ovs-ofctl add-flows for OVS).
sw_start() {
    local dpid="" flows="" ctl=() br ns dir ports=() p
    while [ $# -gt 0 ]; do
        case $1 in
            --dpid) dpid=$2; shift 2 ;;
            --controller) ctl+=("$2"); shift 2 ;;
            --flows) flows=$2; shift 2 ;;
            --) shift; break ;;
            -*) fail "sw_start: unknown option $1" ;;
            *) break ;;
        esac
    done
    br=$1
    shift
    ports=("$@")
    ns=$(sw_ns "$br")
    [ -e "/run/netns/$ns" ] || add_ns "sw-$br"
    dir=$TEST_DIR/$MVS_SWITCH-$br
    mkdir -p "$dir"
    SW_NS[$br]=$ns
    SW_DIR[$br]=$dir
    case $MVS_SWITCH in
        mvs) sw_start_mvs "$br" "$ns" "$dir" "$dpid" "$flows" \
                 "${#ctl[@]}" "${ctl[@]}" "${ports[@]}" ;;
        ovs) sw_start_ovs "$br" "$ns" "$dir" "$dpid" "$flows" \
                 "${#ctl[@]}" "${ctl[@]}" "${ports[@]}" ;;
    esac
    for p in "${ports[@]}"; do
        wait_for "$OFCTL show $(sw_target "$br") | grep -q '(${p%%=*})'" 10 \
            || fail "bridge $br does not show port ${p%%=*}"
    done
    log "bridge $br up ($MVS_SWITCH, pid ${SW_PID[$br]}, ns $ns)"
}

# sw_ns BRIDGE: the namespace the bridge runs in.
sw_ns() { ns_name "sw-$1"; }

# sw_target BRIDGE: its OpenFlow management target, for ovs-ofctl.
sw_target() { echo "unix:${SW_DIR[$1]}/$1.mgmt"; }

# sw_ctl BRIDGE: its unixctl socket (mvs-appctl / ovs-appctl -t).
sw_ctl() {
    case $MVS_SWITCH in
        mvs) echo "${SW_DIR[$1]}/$1.ctl" ;;
        ovs) echo "${SW_DIR[$1]}/ovs-vswitchd.ctl" ;;
    esac
}

# appctl BRIDGE ARGS...: runtime control of the bridge's daemon.
appctl() {
    local br=$1
    shift
    case $MVS_SWITCH in
        mvs) "$top_builddir/utils/mvs-appctl" -t "$(sw_ctl "$br")" "$@" ;;
        ovs) ovs-appctl -t "$(sw_ctl "$br")" "$@" ;;
    esac
}

# of BRIDGE COMMAND [ARGS...]: ovs-ofctl -O OpenFlow13 COMMAND on BRIDGE.
of() {
    local br=$1 cmd=$2
    shift 2
    $OFCTL "$cmd" "$(sw_target "$br")" "$@"
}

# flow_packets BRIDGE MATCH: n_packets of the first flow whose dump-flows
# line contains MATCH (a fixed string), or nothing.
flow_packets() {
    of "$1" dump-flows | grep -F -- "$2" | head -n 1 \
        | sed -n 's/.*n_packets=\([0-9]*\).*/\1/p'
}

sw_start_mvs() {
    local br=$1 ns=$2 dir=$3 dpid=$4 flows=$5 nctl=$6 args=() p
    shift 6
    for ((; nctl > 0; nctl--)); do args+=(--controller "$1"); shift; done
    for p in "$@"; do args+=(--port "$p"); done
    [ -n "$dpid" ] && args+=(--datapath-id "$dpid")
    [ -n "$flows" ] && args+=(--flows "$flows")
    start_daemon "mvsd-$br" ip netns exec "$ns" "$MVSD" --bridge "$br" \
        --rundir "$dir" --pidfile="$dir/$br.pid" \
        --log-file="$dir/mvsd-$br.log" "${args[@]}" ${MVSD_ARGS:-}
    SW_PID[$br]=$LAST_PID
    # Stop waiting early if mvsd exits.
    wait_for "! alive $LAST_PID || { test -S '$dir/$br.mgmt' \
              && $OFCTL show unix:$dir/$br.mgmt; }" 10
    alive "$LAST_PID" || fail "mvsd for $br exited at startup"
    $OFCTL show "unix:$dir/$br.mgmt" >/dev/null 2>&1 \
        || fail "mvsd for $br: no answer on unix:$dir/$br.mgmt"
}

# One ovsdb-server + ovs-vswitchd per bridge, so each can live in its own
# namespace; OVS's netdev provider opens ports in the namespace it runs in.
sw_start_ovs() {
    local br=$1 ns=$2 dir=$3 dpid=$4 flows=$5 nctl=$6 ctl=() p n vsctl
    shift 6
    for ((; nctl > 0; nctl--)); do ctl+=("$1"); shift; done
    export OVS_RUNDIR=$dir OVS_DBDIR=$dir OVS_LOGDIR=$dir
    check ovsdb-tool create "$dir/conf.db" \
        /usr/share/openvswitch/vswitch.ovsschema
    start_daemon "ovsdb-server-$br" ovsdb-server "$dir/conf.db" \
        --remote="punix:$dir/db.sock" --pidfile="$dir/ovsdb-server.pid" \
        --unixctl="$dir/ovsdb-server.ctl" --log-file="$dir/ovsdb-server.log"
    wait_for "test -S '$dir/db.sock'" 10 || fail "ovsdb-server did not start"
    vsctl="ovs-vsctl --timeout=20 --db=unix:$dir/db.sock"
    check $vsctl --no-wait init
    start_daemon "ovs-vswitchd-$br" ip netns exec "$ns" ovs-vswitchd \
        "unix:$dir/db.sock" --pidfile="$dir/ovs-vswitchd.pid" \
        --unixctl="$dir/ovs-vswitchd.ctl" --log-file="$dir/ovs-vswitchd.log"
    SW_PID[$br]=$LAST_PID
    wait_for "test -S '$dir/ovs-vswitchd.ctl'" 10 \
        || fail "ovs-vswitchd did not start"
    # fail_mode=secure: no implicit NORMAL flow and no standalone learning,
    # so an empty table drops, as mvsd's does.
    check $vsctl add-br "$br" -- set bridge "$br" datapath_type=netdev \
        fail_mode=secure \
        protocols=OpenFlow10,OpenFlow11,OpenFlow12,OpenFlow13,OpenFlow14 \
        other-config:disable-in-band=true \
        ${dpid:+other-config:datapath-id=$(printf '%016x' "0x$dpid")}
    n=0
    for p in "$@"; do
        n=$((n + 1))
        case $p in *=*) ;; *) p="$p=$n" ;; esac
        check $vsctl add-port "$br" "${p%%=*}" \
            -- set interface "${p%%=*}" ofport_request="${p#*=}"
    done
    [ ${#ctl[@]} -gt 0 ] && check $vsctl set-controller "$br" "${ctl[@]}"
    wait_for "$OFCTL show unix:$dir/$br.mgmt" 10 \
        || fail "ovs-vswitchd: no answer on unix:$dir/$br.mgmt"
    if [ -n "$flows" ]; then
        check $OFCTL add-flows "unix:$dir/$br.mgmt" "$flows"
    fi
}

# sw_has_flow BRIDGE TEXT: true if a dump-flows line contains TEXT.  Also
# how tests see that a controller has connected: the flows it installs on
# the features handshake are there (switch-agnostic).
sw_has_flow() { of "$1" dump-flows | grep -qF -- "$2"; }

# ---------------------------------------------------------------------------
# Captures on the wire.

declare -A CAP_PID=()
# capture NAME NS IFACE COUNT FILTER...: tcpdump into $TEST_DIR/NAME.pcap
# of the frames IFACE receives until COUNT frames matched FILTER, or
# capture_end stops it.
capture() {
    local name=$1 ns=$2 ifc=$3 count=$4
    shift 4
    start_daemon "tcpdump-$name" ip netns exec "$ns" tcpdump -Z root -U -nn \
        -Q in -i "$ifc" -c "$count" -w "$TEST_DIR/$name.pcap" "$@"
    CAP_PID[$name]=$LAST_PID
    wait_for "grep -q 'listening on' '$TEST_DIR/tcpdump-$name.log'" 10 \
        || fail "tcpdump on $ifc did not start"
}
# capture_end NAME [TIMEOUT]: waits for the capture's count, else stops it.
capture_end() {
    wait_for "! alive ${CAP_PID[$1]}" "${2:-5}" || stop_daemon "${CAP_PID[$1]}"
}
