#!/bin/bash
# bench/flowmod.sh: control-plane cost of mvs against Open vSwitch
# (issue 4, "How fast").  Not a test: it prints numbers.
#
#   sudo bash bench/flowmod.sh               # ~1-2 minutes
#
# Both switches run at once, each in its own namespace with two veth ports,
# every thread pinned to CPU 0; the client, the same `ovs-ofctl -O
# OpenFlow13` for both, runs on CPU 1.  For each switch, RUNS times:
#
#   add-flows   N distinct flows from one file (priority 100, ip,
#               nw_src=10.x.y.z, output:2; with BENCH_FLOWSET=udp, the
#               set of issue 14: udp, priorities 100-106 in turn,
#               nw_src=10.x.y.z and tp_dst varying, output:2), then
#               dump-flows must count N;
#   dump-flows  of the N flows (must print N);
#   del-flows   of all of them (the table must then be empty);
#   bundle      add-flows --bundle of the same file, where the switch
#               supports bundles ("unsupported" otherwise), then del-flows.
#
# The median of the RUNS wall times is reported.  Then, with an empty table
# and with N flows installed, the cost of one flow-mod followed by a
# barrier, two ways:
#
#   ovs-ofctl   `ovs-ofctl -O OpenFlow13 add-flow` of one flow, end to end
#               (process start, connection, hello, flow-mod, barrier),
#               timed by hyperfine;
#   in-conn     bench/ofp-latency.py: one open connection, a new distinct
#               flow + barrier per round trip, median of SINGLE round trips
#               (what the switch itself spends).
#
# "mvs" is mvsd with its default --offload auto (nf_tables offload on
# where the kernel allows, which the script checks), "mvsoff" mvsd with
# --offload=off.
#
# Environment: BENCH_FLOWS (100000), BENCH_FLOWSET (nw_src, or udp),
# BENCH_RUNS (3), BENCH_SINGLE (200),
# BENCH_SWITCHES ("mvs mvsoff ovs"), BENCH_OUT=DIR keeps logs and flow
# files.
set -u
TEST_NAME=flowmod
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

N=${BENCH_FLOWS:-100000}
FLOWSET=${BENCH_FLOWSET:-nw_src}
case $FLOWSET in nw_src|udp) ;; *) fail "BENCH_FLOWSET: nw_src or udp" ;; esac
RUNS=${BENCH_RUNS:-3}
SINGLE=${BENCH_SINGLE:-200}
SWITCHES=${BENCH_SWITCHES:-mvs mvsoff ovs}
SW_CPU=0
CLIENT_CPU=1

bench_init
bench_need hyperfine hyperfine
OUT=${BENCH_OUT:-$TEST_DIR/out}
mkdir -p "$OUT" || fail "mkdir $OUT"
CLIENT="taskset -c $CLIENT_CPU $OFCTL"

bench_header "flowmod: $N flows ($FLOWSET), switch on CPU $SW_CPU," \
    "ovs-ofctl on CPU $CLIENT_CPU, median of $RUNS runs"
for sw in $SWITCHES; do
    add_ns "sw-$sw"
    add_veth "$(if_name "${sw}1")" "$(sw_ns "$sw")" \
        "$(if_name "${sw}2")" "$(sw_ns "$sw")"
    on "$sw" sw_start "$sw" "$(if_name "${sw}1")=1" "$(if_name "${sw}2")=2"
    [ "$sw" = ovs ] && bench_ovs_single "$sw"
    bench_pin "${SW_PID[$sw]}" "$SW_CPU"
    if [ "$sw" = mvs ]; then
        on mvs appctl mvs offload/show | head -n 1 | grep -q 'offload on' \
            || fail "mvs: offload is not on: $(on mvs appctl mvs offload/show)"
    fi
done

# N distinct flows: nw_src 10.0.0.0, 10.0.0.1, ... (N < 2^24); for "udp"
# also seven priorities (seven nf_tables maps) and a tp_dst per flow.
awk -v n="$N" -v set="$FLOWSET" 'BEGIN { for (i = 0; i < n; i++)
    if (set == "udp")
        printf "priority=%d,udp,nw_src=10.%d.%d.%d,tp_dst=%d,actions=output:2\n",
               100 + i % 7, int(i / 65536), int(i / 256) % 256, i % 256,
               1 + (i * 7919) % 65535
    else
        printf "priority=100,ip,nw_src=10.%d.%d.%d,actions=output:2\n",
               int(i / 65536), int(i / 256) % 256, i % 256 }' >"$OUT/flows.txt"
SINGLE_FLOW="priority=200,ip,nw_src=192.0.2.1,actions=output:2"

# nflows SWITCH: number of flows in its tables.
nflows() { on "$1" of "$1" dump-flows | grep -c 'actions='; }

# timed SWITCH WHAT CMD...: runs CMD, prints its wall time in ms; fails the
# benchmark when CMD fails.
timed() {
    local sw=$1 what=$2 ms
    shift 2
    ms=$(bench_time_ms "$@") \
        || { cat "$TEST_DIR/last-cmd.err" >&2; fail "$what on $sw failed"; }
    echo "$ms"
}

# median: the median of the numbers on standard input.
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# bundle_supported SWITCH: true if a one-flow bundle is accepted.
bundle_supported() {
    local sw=$1 t
    t=$(sw_target "$sw")
    echo "$SINGLE_FLOW" >"$OUT/one.flow"
    $CLIENT --bundle add-flows "$t" "$OUT/one.flow" \
        >"$OUT/bundle-probe-$sw.txt" 2>&1 || return 1
    on "$sw" of "$sw" del-flows
    return 0
}

# single SWITCH LABEL: the two single flow-mod costs, into SINGLE_OFCTL (ms,
# mean from hyperfine) and SINGLE_CONN (us, median in one connection).
single() {
    local sw=$1 label=$2 t first
    t=$(MVS_SWITCH=$sw sw_target "$sw")
    hyperfine -N --warmup 3 --runs 30 --export-json \
        "$OUT/hyperfine-$sw-$label.json" \
        "$CLIENT add-flow $t $SINGLE_FLOW" >"$OUT/hyperfine-$sw-$label.txt" \
        2>&1 || { cat "$OUT/hyperfine-$sw-$label.txt" >&2;
                  fail "hyperfine on $sw"; }
    SINGLE_OFCTL=$("$PYTHON" -c 'import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print("%.2f" % (r["mean"] * 1000))' "$OUT/hyperfine-$sw-$label.json")
    # Distinct flows per call: 192.168.x.y from a different first address.
    case $label in empty) first=1 ;; *) first=30000 ;; esac
    SINGLE_CONN=$(taskset -c "$CLIENT_CPU" "$PYTHON" \
        "$top_srcdir/bench/ofp-latency.py" "$t" "$SINGLE" "$first") \
        || fail "ofp-latency.py on $sw"
    SINGLE_CONN=${SINGLE_CONN%% *}
}

declare -A R=()
for sw in $SWITCHES; do
    t=$(sw_target "$sw")
    on "$sw" of "$sw" del-flows
    if bundle_supported "$sw"; then bundle=1; else bundle=""; fi
    adds=() dumps=() dels=() bundles=()
    for ((run = 1; run <= RUNS; run++)); do
        adds+=("$(timed "$sw" add-flows $CLIENT add-flows "$t" "$OUT/flows.txt")")
        n=$(nflows "$sw")
        [ "$n" = "$N" ] || fail "$sw: $n flows after add-flows, not $N"
        dumps+=("$(timed "$sw" dump-flows $CLIENT dump-flows "$t")")
        dels+=("$(timed "$sw" del-flows $CLIENT del-flows "$t")")
        n=$(nflows "$sw")
        [ "$n" = 0 ] || fail "$sw: $n flows after del-flows"
        if [ -n "$bundle" ]; then
            bundles+=("$(timed "$sw" bundle $CLIENT --bundle add-flows "$t" \
                          "$OUT/flows.txt")")
            n=$(nflows "$sw")
            [ "$n" = "$N" ] || fail "$sw: $n flows after a bundle"
            on "$sw" of "$sw" del-flows
        fi
    done
    R[$sw/add]=$(printf '%s\n' "${adds[@]}" | median)
    R[$sw/dump]=$(printf '%s\n' "${dumps[@]}" | median)
    R[$sw/del]=$(printf '%s\n' "${dels[@]}" | median)
    if [ -n "$bundle" ]; then
        R[$sw/bundle]=$(printf '%s\n' "${bundles[@]}" | median)
    else
        R[$sw/bundle]=unsupported
    fi
    log "$sw: add-flows ${adds[*]} ms, dump-flows ${dumps[*]} ms," \
        "del-flows ${dels[*]} ms, bundle ${bundles[*]:-unsupported} ms"

    single "$sw" empty
    R[$sw/ofctl-empty]=$SINGLE_OFCTL
    R[$sw/conn-empty]=$SINGLE_CONN
    on "$sw" of "$sw" del-flows
    $CLIENT add-flows "$t" "$OUT/flows.txt" || fail "add-flows on $sw"
    single "$sw" full
    R[$sw/ofctl-full]=$SINGLE_OFCTL
    R[$sw/conn-full]=$SINGLE_CONN
    log "$sw: one flow-mod + barrier: ovs-ofctl ${R[$sw/ofctl-empty]} ms" \
        "empty / ${R[$sw/ofctl-full]} ms full; in one connection" \
        "${R[$sw/conn-empty]} us empty / ${R[$sw/conn-full]} us full"
    on "$sw" of "$sw" del-flows
done

echo
echo "== results: $N flows ($FLOWSET), ovs-ofctl -O OpenFlow13 (median of $RUNS)"
echo "   mvs: offload on (nf_tables), mvsoff: --offload=off"
printf '%-34s %11s %11s %11s %8s %8s %8s\n' operation mvs mvsoff ovs \
    mvs/ovs off/ovs mvs/off
row() {
    local label=$1 key=$2 unit=$3 m f o
    m=${R[mvs/$key]:--}
    f=${R[mvsoff/$key]:--}
    o=${R[ovs/$key]:--}
    printf '%-34s %11s %11s %11s %8s %8s %8s\n' "$label" \
        "$m${m:+ }$unit" "$f${f:+ }$unit" "$o${o:+ }$unit" \
        "$(bench_div "$m" "$o")" "$(bench_div "$f" "$o")" \
        "$(bench_div "$m" "$f")"
}
row "add-flows ($N)" add ms
row "add-flows --bundle ($N)" bundle ms
row "dump-flows ($N)" dump ms
row "del-flows ($N)" del ms
row "add-flow, empty table (ovs-ofctl)" ofctl-empty ms
row "add-flow, $N flows (ovs-ofctl)" ofctl-full ms
row "flow-mod+barrier, empty (in-conn)" conn-empty us
row "flow-mod+barrier, $N (in-conn)" conn-full us
echo
printf '%-34s %11s %11s %11s\n' "full / empty (one flow-mod)" mvs mvsoff ovs
printf '%-34s %11s %11s %11s\n' "ovs-ofctl add-flow" \
    "$(bench_div "${R[mvs/ofctl-full]:--}" "${R[mvs/ofctl-empty]:--}")" \
    "$(bench_div "${R[mvsoff/ofctl-full]:--}" "${R[mvsoff/ofctl-empty]:--}")" \
    "$(bench_div "${R[ovs/ofctl-full]:--}" "${R[ovs/ofctl-empty]:--}")"
printf '%-34s %11s %11s %11s\n' "in one connection" \
    "$(bench_div "${R[mvs/conn-full]:--}" "${R[mvs/conn-empty]:--}")" \
    "$(bench_div "${R[mvsoff/conn-full]:--}" "${R[mvsoff/conn-empty]:--}")" \
    "$(bench_div "${R[ovs/conn-full]:--}" "${R[ovs/conn-empty]:--}")"
if [ -n "${BENCH_OUT:-}" ]; then echo "(logs in $OUT)"; fi
