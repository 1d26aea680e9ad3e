#!/bin/bash
# bench/latency.sh: what one bridge adds to a round trip at low rates, mvs
# against Open vSwitch in the same run.
#
#   sudo bash bench/latency.sh
#
# For each switch: hosts h1 and h2 in namespaces of their own, one bridge
# between them (mvsd --offload=off, so every frame crosses the userspace
# datapath; OVS's userspace datapath, datapath_type=netdev), flows
# in_port=1->2 and 2->1.  After a warm-up, BENCH_PINGS (50) pings 0.2 s
# apart from h1 to h2; prints the median, the 90th percentile and the
# largest RTT, and the mvs/OVS ratio of the medians.  The same pings with
# the two hosts' veth pair joined directly (no switch) give the floor.
# Then each switch's CPU use over BENCH_IDLE (5) seconds with no traffic.
#
# Then a busy table: another bridge of each switch whose table 0 also
# holds BENCH_BUSY_FLOWS (100,000) flows the pings do not match
# (priority 100, ip, nw_src=11.x.y.z; mvsd with its default --offload
# auto, so nf_tables holds them and mvsd reads their counters every few
# seconds), and a last flow, priority 0, actions=NORMAL, that the pings
# take through the userspace datapath.  BENCH_BUSY_PINGS (1500) pings
# 10 ms apart; prints the median, p99 and the largest RTT: a switch that
# stops forwarding while it reads the kernel's counters shows it in the
# largest.  Before that, while the flows go in as one bundle, pings 5 ms
# apart give the largest RTT around its commit.  BENCH_BUSY_FLOWS=0
# skips it.
#
# Environment: BENCH_PINGS (50), BENCH_SWITCHES ("mvs ovs"),
# BENCH_MVSD_ARGS (extra mvsd arguments, e.g. "--port-io packet"),
# BENCH_BUSY_FLOWS (100000), BENCH_BUSY_PINGS (1500).
set -u
TEST_NAME=latency
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

PINGS=${BENCH_PINGS:-50}
IDLE=${BENCH_IDLE:-5}
SWITCHES=${BENCH_SWITCHES:-mvs ovs}
BUSY=${BENCH_BUSY_FLOWS:-100000}
BUSY_PINGS=${BENCH_BUSY_PINGS:-1500}

bench_init
bench_header "latency: ping RTT through one bridge, $PINGS pings 0.2 s apart"

# rtts NS ADDR: PINGS round trips from namespace NS to ADDR, in ms, one a
# line, sorted.
rtts() {
    ip netns exec "$1" ping -q -c 3 -i 0.2 "$2" >/dev/null 2>&1 || true
    ip netns exec "$1" ping -n -c "$PINGS" -i 0.2 "$2" 2>/dev/null \
        | sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' | sort -n
}
# summary LABEL: median, p90, max of the sorted numbers on stdin.
declare -A MED=()
summary() {
    local label=$1 v
    mapfile -t v
    [ "${#v[@]}" -ge $((PINGS / 2)) ] \
        || fail "$label: only ${#v[@]} of $PINGS pings answered"
    MED[$label]=${v[$(( ${#v[@]} / 2 ))]}
    printf '%-10s median %7s ms   p90 %7s ms   max %7s ms   (%d pings)\n' \
        "$label" "${MED[$label]}" "${v[$(( ${#v[@]} * 9 / 10 ))]}" \
        "${v[-1]}" "${#v[@]}"
}

# The floor: h1 and h2 on the two ends of one veth pair.
add_ns direct-a
add_ns direct-b
add_veth "$(if_name da)" "$(ns_name direct-a)" "$(if_name db)" \
    "$(ns_name direct-b)"
ip -n "$(ns_name direct-a)" addr add 10.9.0.1/24 dev "$(if_name da)"
ip -n "$(ns_name direct-b)" addr add 10.9.0.2/24 dev "$(if_name db)"
ip -n "$(ns_name direct-a)" link set "$(if_name da)" up
ip -n "$(ns_name direct-b)" link set "$(if_name db)" up
summary veth < <(rtts "$(ns_name direct-a)" 10.9.0.2)

for sw in $SWITCHES; do
    add_ns "sw-$sw"
    add_host "${sw}a" 10.0.1.1/24 "$(sw_ns "$sw")"
    add_host "${sw}b" 10.0.1.2/24 "$(sw_ns "$sw")"
    printf 'priority=10,in_port=1,actions=output:2\npriority=10,in_port=2,actions=output:1\n' \
        >"$TEST_DIR/flows-$sw"
    MVSD_ARGS="--offload=off ${BENCH_MVSD_ARGS:-}" on "$sw" sw_start \
        --flows "$TEST_DIR/flows-$sw" "$sw" \
        "$(host_port "${sw}a")=1" "$(host_port "${sw}b")=2"
    summary "$sw" < <(rtts "$(host_ns "${sw}a")" 10.0.1.2)
done

echo
for sw in $SWITCHES; do
    pid=${SW_PID[$sw]}
    t0=$(bench_cpu_ticks "$pid")
    sleep "$IDLE"
    t1=$(bench_cpu_ticks "$pid")
    printf '%-10s idle: %s%% of a CPU over %s s\n' "$sw" \
        "$(bench_div $(( (t1 - t0) * 100 )) $(( IDLE * CLK_TCK )) 1)" "$IDLE"
done

echo
if [ -n "${MED[mvs]:-}" ] && [ -n "${MED[ovs]:-}" ]; then
    echo "median RTT mvs/ovs: $(bench_div "${MED[mvs]}" "${MED[ovs]}")"
fi

[ "$BUSY" -gt 0 ] || exit 0
echo
echo "== busy table: $BUSY more flows in table 0, $BUSY_PINGS pings 10 ms apart"
awk -v n="$BUSY" 'BEGIN { for (i = 0; i < n; i++)
    printf "priority=100,ip,nw_src=11.%d.%d.%d,actions=output:2\n",
           int(i / 65536), int(i / 256) % 256, i % 256
    print "priority=0,actions=NORMAL" }' >"$TEST_DIR/busy.flows"
for sw in $SWITCHES; do
    br=${sw}k
    add_ns "sw-$br"
    add_host "${br}1" 10.0.2.1/24 "$(sw_ns "$br")"
    add_host "${br}2" 10.0.2.2/24 "$(sw_ns "$br")"
    MVSD_ARGS="${BENCH_MVSD_ARGS:-}" on "$sw" sw_start "$br" \
        "$(host_port "${br}1")=1" "$(host_port "${br}2")=2"
    # The flows go in as one bundle while pings cross: what the bundle's
    # commit costs the traffic (NORMAL is not there yet: the pings go
    # through a flow of their own).
    check $OFCTL add-flow "$(MVS_SWITCH=$sw sw_target "$br")" \
        "priority=1,actions=NORMAL"
    ip netns exec "$(host_ns "${br}1")" ping -q -c 3 -i 0.2 10.0.2.2 \
        >/dev/null 2>&1 || true
    ip netns exec "$(host_ns "${br}1")" ping -n -c 400 -i 0.005 10.0.2.2 \
        >"$TEST_DIR/bundle-pings-$sw" 2>/dev/null &
    pinger=$!
    sleep 0.2
    t0=$(bench_now)
    check $OFCTL --bundle add-flows "$(MVS_SWITCH=$sw sw_target "$br")" \
        "$TEST_DIR/busy.flows"
    t1=$(bench_now)
    wait "$pinger"
    mapfile -t v < <(sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' \
                     "$TEST_DIR/bundle-pings-$sw" | sort -n)
    [ "${#v[@]}" -ge 100 ] || fail "$br: only ${#v[@]} pings answered around the bundle"
    printf '%-10s bundle of %s flows: %s ms; pings 5 ms apart around it: largest %s ms\n' \
        "$sw" "$((BUSY + 1))" "$(( (t1 - t0) / 1000000 ))" "${v[-1]}"
    if [ "$sw" = mvs ]; then
        on mvs appctl "$br" offload/show | head -n 1 | grep -q 'offload on' \
            || fail "$br: offload is not on"
    fi
    ip netns exec "$(host_ns "${br}1")" ping -q -c 3 -i 0.2 10.0.2.2 \
        >/dev/null 2>&1 || true
    mapfile -t v < <(ip netns exec "$(host_ns "${br}1")" \
        ping -n -c "$BUSY_PINGS" -i 0.01 10.0.2.2 2>/dev/null \
        | sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' | sort -n)
    [ "${#v[@]}" -ge $((BUSY_PINGS / 2)) ] \
        || fail "$br: only ${#v[@]} of $BUSY_PINGS pings answered"
    printf '%-10s median %7s ms   p99 %7s ms   max %8s ms   (%d pings)\n' \
        "$sw" "${v[$(( ${#v[@]} / 2 ))]}" "${v[$(( ${#v[@]} * 99 / 100 ))]}" \
        "${v[-1]}" "${#v[@]}"
    if [ "$sw" = mvs ]; then
        on mvs appctl "$br" offload/show | head -n 1 \
            | grep -o 'counters read in [0-9]* ms' | sed 's/^/           kernel /'
    fi
done
