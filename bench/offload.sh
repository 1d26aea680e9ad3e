#!/bin/bash
# bench/offload.sh: the nf_tables offload against mvs's userspace datapath
# and Open vSwitch 3.1's (issue 5, "How fast").  Not a test: it prints
# numbers.
#
#   sudo bash bench/offload.sh               # ~4 minutes
#   sudo BENCH_SCENARIOS=plain BENCH_PARTS=forwarding bash bench/offload.sh
#
# Topology (every namespace and interface is ours, named m$$...):
#
#   [m$$-snd] trafgen, CPU 1                    [m$$-rcv] counts rx_packets
#     m$$mvsks -- m$$mvsk1 [m$$-sw-mvsk] mvsd --offload=require  m$$mvsk2 -- m$$mvskr
#     m$$mvss  -- m$$mvs1  [m$$-sw-mvs]  mvsd --offload=off      m$$mvs2  -- m$$mvsr
#     m$$ovss  -- m$$ovs1  [m$$-sw-ovs]  ovs-vswitchd (netdev)   m$$ovs2  -- m$$ovsr
#
# The switches run in the same run, every thread pinned to CPU 0 (as in
# forwarding.sh); only the one measured gets traffic.  mvs and ovs run
# from the start; mvsk is started after their runs (see mvsk_start: an
# idle offloading mvsd costs CPU 0 timer interrupts).  Per switch and
# scenario the same flows are loaded (ovs-ofctl add-flows), then one run:
# a 1 s warm-up and a WINDOW of 64-byte frames from trafgen on CPU 1.
# "offered" is what trafgen put on the sender veth (tx_packets plus
# tx_dropped: a veth counts a frame its peer refused as tx_dropped).
# The variants:
#
#   kern      mvsd --offload=require: nf_tables forwards the frames in the
#             ingress hook of m$$mvsk1, i.e. in the softirq of the CPU that
#             transmitted them on the veth: trafgen's, CPU 1.  CPU 0 (and
#             mvsd) stay idle.  Checked: the kernel counters of the flows
#             (offload/show) account for >= 90% of the delivered frames and
#             the userspace datapath's lookups (dpctl/show) stay under 1%.
#             (Steering that work to CPU 0 with RPS on m$$mvsk1 does not
#             work with veth and trafgen's TX ring: trafgen's sends fail
#             with EAGAIN.  So the CPU cost is reported as ns/pkt of both
#             CPUs, trafgen included, for every variant.)
#   user      mvsd --offload=off: mvs's userspace datapath on CPU 0.
#   ovs       ovs-vswitchd, datapath_type=netdev, on CPU 0.
#
# Scenarios: plain (in_port=1 -> output:2), flows10k (10,000 exact
# 5-tuple flows, trafgen draws the source address and port at random, all
# flows must be hit), moddst (mod_dl_dst + output; the rewritten address
# must arrive).  8 delivered frames per run are checked with tcpdump.
#
# Then the control plane ("ctl"), on the two mvs bridges (offload require
# and off), no traffic: one flow-mod + barrier on one connection
# (bench/ofp-latency.py, median of SINGLE round trips) on an empty bridge
# and on a bridge holding N flows; the time to load the N flows with
# `ovs-ofctl --bundle add-flows` and with plain `add-flows` (median of
# RUNS); with offload, the time to read the kernel counters of the N
# flows (median of 5 reads, as offload/show reports it).  With offload,
# mvsd commits the kernel batch before it answers a
# barrier (and at the end of a bundle commit), so these times include the
# kernel's commit.
#
# Environment:
#   BENCH_PARTS      "forwarding ctl" (default), or one of them
#   BENCH_SCENARIOS  subset of: plain flows10k moddst
#   BENCH_VARIANTS   subset of: kern user ovs
#   BENCH_WARMUP     seconds of traffic before the window (default 1)
#   BENCH_WINDOW     measurement window in seconds (default 5)
#   BENCH_FLOWS      flows for the control-plane part (default 100000)
#   BENCH_RUNS       runs of each load (default 3; median reported)
#   BENCH_SINGLE     round trips per single-add measurement (default 1000)
#   BENCH_OUT=DIR    keep logs, samples and switch statistics in DIR
set -u
TEST_NAME=offload
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

PARTS=${BENCH_PARTS:-forwarding ctl}
SCENARIOS=${BENCH_SCENARIOS:-plain flows10k moddst}
VARIANTS=${BENCH_VARIANTS:-kern user ovs}
WARMUP=${BENCH_WARMUP:-1}
WINDOW=${BENCH_WINDOW:-5}
N=${BENCH_FLOWS:-100000}
RUNS=${BENCH_RUNS:-3}
SINGLE=${BENCH_SINGLE:-1000}
SW_CPU=0
GEN_CPU=1
SAMPLE=8
BRIDGES="mvsk mvs ovs"          # mvsd --offload=require, mvsd off, OVS.

bench_init
"$MVSD" --help 2>/dev/null | grep -q -- '--offload' \
    || skip "this mvsd has no --offload"
bench_need trafgen netsniff-ng
bench_need tcpdump tcpdump
OUT=${BENCH_OUT:-$TEST_DIR/out}
mkdir -p "$OUT" || fail "mkdir $OUT"

# Which bridge (and switch) a variant runs on.
variant_bridge() {
    case $1 in kern) echo mvsk ;; user) echo mvs ;; ovs) echo ovs ;; esac
}
bridge_switch() { case $1 in ovs) echo ovs ;; *) echo mvs ;; esac; }

# ---------------------------------------------------------------------------
# Scenarios.

SRC_MAC=02:00:00:00:00:01
DST_MAC=02:00:00:00:00:02
NEW_MAC=02:00:00:00:00:99
UDP_IP='eth(da=02:00:00:00:00:02, sa=02:00:00:00:00:01),
        ipv4(sa=10.0.0.1, da=10.1.0.2, ttl=64), udp(sp=1000, dp=2000)'

scenario_flows() {
    local a p
    case $1 in
        plain) echo "in_port=1,actions=output:2" ;;
        moddst) echo "in_port=1,actions=mod_dl_dst:$NEW_MAC,output:2" ;;
        flows10k)
            for ((a = 1; a <= 100; a++)); do
                for ((p = 1000; p < 1100; p++)); do
                    echo "priority=100,in_port=1,udp,nw_src=10.0.0.$a,nw_dst=10.1.0.2,tp_src=$p,tp_dst=2000,actions=output:2"
                done
            done ;;
    esac
}
scenario_nflows() { case $1 in flows10k) echo 10000 ;; *) echo 1 ;; esac; }

scenario_frame() {
    case $1 in
        plain|moddst) echo "{ $UDP_IP, fill(0, 18) }" ;;
        flows10k)
            echo "{ eth(da=$DST_MAC, sa=$SRC_MAC),
                    ipv4(sa=10.0.0.1, sa[3]=drnd(1, 100), da=10.1.0.2, ttl=64),
                    udp(sp=drnd(1000, 1099), dp=2000), fill(0, 18) }" ;;
    esac
}

# scenario_check NAME FILE: every frame in FILE (tcpdump -nn -e -v) is
# what NAME must deliver, and there are at least SAMPLE of them.
scenario_check() {
    local name=$1 file=$2 re
    local udp='10\.0\.0\.1\.1000 > 10\.1\.0\.2\.2000: UDP'
    case $name in
        plain) re="$SRC_MAC > $DST_MAC, ethertype IPv4 \(0x0800\), length 60: .*$udp" ;;
        moddst) re="$SRC_MAC > $NEW_MAC, ethertype IPv4 \(0x0800\), length 60: .*$udp" ;;
        flows10k) re="$SRC_MAC > $DST_MAC, ethertype IPv4 \(0x0800\), length 60: .* 10\.0\.0\.([1-9]|[1-9][0-9]|100)\.1[0-9][0-9]{2} > 10\.1\.0\.2\.2000: UDP" ;;
    esac
    awk '/^[0-9]/ { if (f != "") print f; f = $0; next }
         { sub(/^[ \t]+/, " "); f = f $0 }
         END { if (f != "") print f }' "$file" >"$file.joined"
    [ "$(wc -l <"$file.joined")" -ge "$SAMPLE" ] || return 1
    ! grep -vqE -- "$re" "$file.joined"
}

# ---------------------------------------------------------------------------
# Topology and switches.

add_ns snd
add_ns rcv
SND=$(ns_name snd)
RCV=$(ns_name rcv)
bench_no_ipv6 "$SND"
bench_no_ipv6 "$RCV"
for br in $BRIDGES; do
    add_ns "sw-$br"
    bench_no_ipv6 "$(sw_ns "$br")"
    add_veth "$(if_name "${br}s")" "$SND" "$(if_name "${br}1")" "$(sw_ns "$br")"
    add_veth "$(if_name "${br}r")" "$RCV" "$(if_name "${br}2")" "$(sw_ns "$br")"
done

bench_header "offload: 64-byte frames, switches on CPU $SW_CPU," \
    "trafgen on CPU $GEN_CPU, warm-up ${WARMUP}s, window ${WINDOW}s;" \
    "control plane: $N flows, median of $SINGLE single adds, $RUNS loads"
# idle_cpu SECONDS: busy and softirq share of CPU 0 and CPU 1 with no
# traffic of ours (other sessions' daemons and their timers show here).
idle_cpu() {
    bench_cpus_sample >"$OUT/idle0"
    sleep "$1"
    bench_cpus_sample >"$OUT/idle1"
    echo "CPU0 busy/softirq $(bench_cpus_delta "$OUT/idle0" "$OUT/idle1" 0 \
          | sed 's/ /%\//')%, CPU1 $(bench_cpus_delta "$OUT/idle0" "$OUT/idle1" 1 \
          | sed 's/ /%\//')%"
}
echo "   no traffic, before any switch: $(idle_cpu 2)"

# The kernel-offload bridge is started only when its variants run: an
# offloading mvsd has 8 receive rings per port, each with a 1 ms block
# retire timer that fires whether or not traffic comes, in softirq on the
# CPU it is pinned to (CPU 0), which would tax the runs of the others.
mvsk_start() {
    [ -n "${SW_PID[mvsk]:-}" ] && alive "${SW_PID[mvsk]}" && return 0
    MVSD_ARGS="--offload=require" on mvs sw_start mvsk \
        "$(if_name mvsk1)=1" "$(if_name mvsk2)=2"
    bench_pin "${SW_PID[mvsk]}" "$SW_CPU"
    head -n 1 <(on mvs appctl mvsk offload/show) | grep -q 'offload on' \
        || fail "mvsk: offload is not on: $(on mvs appctl mvsk offload/show | head -n 1)"
    echo "   mvsk up, no traffic: $(idle_cpu 2)"
}
MVSD_ARGS="--offload=off" on mvs sw_start mvs \
    "$(if_name mvs1)=1" "$(if_name mvs2)=2"
on ovs sw_start ovs "$(if_name ovs1)=1" "$(if_name ovs2)=2"
bench_ovs_single ovs
for br in mvs ovs; do
    bench_pin "${SW_PID[$br]}" "$SW_CPU"
done
head -n 1 <(on mvs appctl mvs offload/show) | grep -q 'offload off' \
    || fail "mvs: offload is not off"
echo "   mvs (offload off) and ovs up, no traffic: $(idle_cpu 2)"

# ---------------------------------------------------------------------------
# One forwarding measurement.

sample() {
    local sc=$1 v=$2 br=$3 f=$OUT/sample-$1-$2.txt
    ip netns exec "$RCV" timeout 5 taskset -c "$GEN_CPU" \
        tcpdump -i "$(if_name "${br}r")" -c "$SAMPLE" -nn -e -v 'not ip6' \
        >"$f" 2>/dev/null
    scenario_check "$sc" "$f" || {
        sed 's/^/    /' "$f" | head -n 30 >&2
        fail "$sc on $v: delivered frames are not the expected ones"
    }
}

# measure SCENARIO VARIANT: sets OFFERED DELIVERED (pps), C0 C1 ("busy%
# softirq%" of CPU 0 and 1), NSPP (ns of CPU 0 + CPU 1 busy time per
# delivered packet), KERN (kernel-forwarded share of the delivered
# frames), ULOOK (userspace lookups per delivered frame), OTHERS.
measure() {
    local sc=$1 v=$2 br sw pid s r tx0 tx1 rx0 rx1 t0 t1 dt o0 o1 k0 k1
    local l0 l1 b0 b1 mine busy rk0 rk1
    br=$(variant_bridge "$v")
    sw=$(bridge_switch "$br")
    pid=${SW_PID[$br]}
    s=$(if_name "${br}s")
    r=$(if_name "${br}r")
    [ "$sw" = ovs ] && on ovs appctl ovs dpif-netdev/pmd-stats-clear >/dev/null
    bench_trafgen_start "$SND" "$s" "$GEN_CPU" "$OUT/$sc.trafgen"
    sample "$sc" "$v" "$br"
    sleep "$WARMUP"
    k0=0 l0=0 k1=0 l1=0 rk0=0 rk1=0
    if [ "$sw" = mvs ]; then
        rk0=$(bench_counter "$RCV" "$r" rx_packets)
        k0=$(bench_mvs_kernel_packets "$br")
        l0=$(bench_mvs_lookups "$br")
    fi
    tx0=$(bench_sent "$SND" "$s")
    rx0=$(bench_counter "$RCV" "$r" rx_packets)
    mine="$pid $TG_PARENT $TG_CHILD $$"
    o0=$(bench_others_ticks $mine)
    bench_cpus_sample >"$OUT/cpu0"
    t0=$(bench_now)
    sleep "$WINDOW"
    t1=$(bench_now)
    tx1=$(bench_sent "$SND" "$s")
    rx1=$(bench_counter "$RCV" "$r" rx_packets)
    bench_cpus_sample >"$OUT/cpu1"
    o1=$(bench_others_ticks $mine)
    if [ "$sw" = mvs ]; then
        k1=$(bench_mvs_kernel_packets "$br")
        l1=$(bench_mvs_lookups "$br")
        rk1=$(bench_counter "$RCV" "$r" rx_packets)
    fi
    bench_trafgen_stop
    dt=$((t1 - t0))
    OFFERED=$(( (tx1 - tx0) * 1000000000 / dt ))
    DELIVERED=$(( (rx1 - rx0) * 1000000000 / dt ))
    C0=$(bench_cpus_delta "$OUT/cpu0" "$OUT/cpu1" 0)
    C1=$(bench_cpus_delta "$OUT/cpu0" "$OUT/cpu1" 1)
    b0=($(awk '$1 == "cpu0" || $1 == "cpu1" { s += $2 } END { print s }' "$OUT/cpu0"))
    b1=($(awk '$1 == "cpu0" || $1 == "cpu1" { s += $2 } END { print s }' "$OUT/cpu1"))
    busy=$((b1 - b0))
    NSPP=$(( busy * 1000000000 / CLK_TCK / ((rx1 - rx0) + 1) ))
    OTHERS=$(( (o1 - o0) * 100 * 1000000000 / CLK_TCK / dt ))
    [ "$OTHERS" -lt 0 ] && OTHERS=0
    # The kernel counters are read around the window (offload/show takes
    # a moment), against the receiver's count over the same span.
    KERN=$(bench_div $((k1 - k0)) $((rk1 - rk0 + 1)))
    ULOOK=$(bench_div $((l1 - l0)) $((rk1 - rk0 + 1)) 3)
    case $sw in
        mvs) on mvs appctl "$br" dpctl/show >"$OUT/dpctl-$sc-$v.txt"
             on mvs appctl "$br" offload/show >"$OUT/offload-$sc-$v.txt" ;;
        ovs) on ovs appctl ovs dpif-netdev/pmd-stats-show \
                 >"$OUT/pmd-stats-$sc-$v.txt" ;;
    esac
    case $v in
        kern)
            # The point of the variant: nf_tables forwarded the frames.
            awk -v k="$KERN" -v u="$ULOOK" 'BEGIN { exit !(k >= 0.9 && u < 0.01) }' \
                || fail "$sc/$v: kernel share $KERN, userspace lookups per frame $ULOOK: not offloaded" ;;
        user)
            [ $((k1 - k0)) = 0 ] || fail "$sc/user: kernel counted $((k1 - k0)) frames with --offload=off" ;;
    esac
}

declare -A RES=()
forwarding() {
    local sc v br sw n hit
    # Bridge by bridge (mvsk last, see mvsk_start), scenario by scenario.
    for br in mvs ovs mvsk; do
      for sc in $SCENARIOS; do
        scenario_flows "$sc" >"$OUT/$sc.flows"
        scenario_frame "$sc" >"$OUT/$sc.trafgen"
        local vs=""
        for v in $VARIANTS; do
            [ "$(variant_bridge "$v")" = "$br" ] && vs="$vs $v"
        done
        [ -n "$vs" ] || continue
        [ "$br" = mvsk ] && mvsk_start
        sw=$(bridge_switch "$br")
        on "$sw" of "$br" del-flows || fail "del-flows on $br"
        on "$sw" of "$br" add-flows "$OUT/$sc.flows" \
            || fail "add-flows $sc on $br"
        n=$(on "$sw" of "$br" dump-flows | grep -c 'actions=')
        [ "$n" = "$(scenario_nflows "$sc")" ] \
            || fail "$sc on $br: $n flows installed"
        if [ "$br" = mvsk ]; then
            on mvs appctl mvsk offload/show | grep -q '^  userspace' \
                && fail "$sc: a flow stays in userspace on mvsk: $(on mvs appctl mvsk offload/show | grep -m1 '^  userspace')"
        fi
        for v in $vs; do
            measure "$sc" "$v"
            RES[$sc/$v]="$OFFERED $DELIVERED $NSPP $KERN"
            printf '   %-9s %-8s offered %7d pps  delivered %7d pps (%5s)  CPU0 busy %3d%% (softirq %3d%%)  CPU1 busy %3d%% (softirq %3d%%)  %5d ns/pkt  kernel share %5s  userspace lookups/frame %5s  other processes %3d%%\n' \
                "$sc" "$v" "$OFFERED" "$DELIVERED" \
                "$(bench_div "$DELIVERED" "$OFFERED")" $C0 $C1 "$NSPP" \
                "$KERN" "$ULOOK" "$OTHERS"
            [ "$OTHERS" -gt 10 ] && echo "                WARNING: other processes used ${OTHERS}% of a CPU during the window"
            RES[$sc/$v/cpu]="$C0 $C1"
        done
        if [ "$sc" = flows10k ]; then
            # offload/show first: it reads the kernel counters into the
            # OpenFlow ones (dump-flows does so only up to 4096 flows).
            [ "$sw" = mvs ] && on mvs appctl "$br" offload/show >/dev/null
            hit=$(on "$sw" of "$br" dump-flows | grep -c 'n_packets=[1-9]')
            echo "                $br: OpenFlow flows hit: $hit of 10000"
            [ "$hit" -ge 5000 ] || fail "flows10k on $br: only $hit flows hit"
        fi
        on "$sw" of "$br" del-flows
      done
    done

    echo
    echo "== forwarding results (pps; share = delivered / offered;" \
         "ns/pkt = CPU 0 + CPU 1 busy time per delivered packet, trafgen included)"
    printf '%-9s %-8s %9s %9s %5s %12s %12s %7s %7s %7s\n' scenario variant \
        offered delivered share "CPU0 busy/si" "CPU1 busy/si" ns/pkt kernel "x ovs"
    local f c
    for sc in $SCENARIOS; do
        for v in $VARIANTS; do
            [ -n "${RES[$sc/$v]:-}" ] || continue
            f=(${RES[$sc/$v]})
            c=(${RES[$sc/$v/cpu]})
            printf '%-9s %-8s %9s %9s %5s %12s %12s %7s %7s %7s\n' "$sc" "$v" \
                "${f[0]}" "${f[1]}" "$(bench_div "${f[1]}" "${f[0]}")" \
                "${c[0]}%/${c[1]}%" "${c[2]}%/${c[3]}%" "${f[2]}" \
                "$( [ "$v" = ovs ] && echo - || echo "${f[3]}")" \
                "$(o=(${RES[$sc/ovs]:-- -}); bench_div "${f[1]}" "${o[1]}")"
        done
    done
    echo "kern: mvsd --offload=require, nf_tables forwarding in the softirq of trafgen's CPU 1;"
    echo "user: mvsd --offload=off, on CPU 0; ovs: OVS 3.1 netdev datapath, on CPU 0."
    echo "kernel = frames counted by the offloaded flows' nf_tables counters / frames delivered."
}

# ---------------------------------------------------------------------------
# Control plane: one add on an empty and on a full bridge, loading N flows.

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

timed() {
    local br=$1 what=$2 ms
    shift 2
    ms=$(bench_time_ms "$@") \
        || { cat "$TEST_DIR/last-cmd.err" >&2; fail "$what on $br failed"; }
    echo "$ms"
}

# loaded BRIDGE COUNT: fails unless the bridge holds COUNT OpenFlow flows
# and, with offload, COUNT flows in its nf_tables table.
loaded() {
    local br=$1 want=$2 n k
    n=$(on mvs of "$br" dump-flows | grep -c 'actions=')
    [ "$n" = "$want" ] || fail "$br: $n OpenFlow flows, not $want"
    if [ "$br" = mvsk ]; then
        k=$(on mvs appctl "$br" offload/show | head -n 1 \
            | sed -n 's/.*, \([0-9]*\) flows,.*/\1/p')
        [ "$k" = "$want" ] || fail "$br: $k offloaded flows, not $want"
    fi
}

# single BRIDGE FIRST: "median p90 min" (us) of SINGLE flow-mod + barrier
# round trips on one connection, flows 192.168.x.y from FIRST on.
single() {
    taskset -c "$GEN_CPU" "$PYTHON" "$top_srcdir/bench/ofp-latency.py" \
        "$(sw_target "$1")" "$SINGLE" "$2" || fail "ofp-latency.py on $1"
}

declare -A CTL=()
ctl() {
    local br t client="taskset -c $GEN_CPU $OFCTL" bundles adds run rss
    awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++)
        printf "priority=100,ip,nw_src=10.%d.%d.%d,actions=output:2\n",
               int(i / 65536), int(i / 256) % 256, i % 256 }' >"$OUT/flows.txt"
    mvsk_start
    for br in mvsk mvs; do
        t=$(sw_target "$br")
        on mvs of "$br" del-flows
        CTL[$br/empty]=$(single "$br" 1)
        on mvs of "$br" del-flows
        bundles=() adds=()
        for ((run = 1; run <= RUNS; run++)); do
            bundles+=("$(timed "$br" "bundle add-flows" $client --bundle add-flows "$t" "$OUT/flows.txt")")
            loaded "$br" "$N"
            on mvs of "$br" del-flows
            loaded "$br" 0
            adds+=("$(timed "$br" add-flows $client add-flows "$t" "$OUT/flows.txt")")
            loaded "$br" "$N"
            [ "$run" -lt "$RUNS" ] && { on mvs of "$br" del-flows; loaded "$br" 0; }
        done
        CTL[$br/bundle]=$(printf '%s\n' "${bundles[@]}" | median)
        CTL[$br/add]=$(printf '%s\n' "${adds[@]}" | median)
        CTL[$br/full]=$(single "$br" 30000)
        if [ "$br" = mvsk ]; then
            # The kernel counters of all N flows, read 5 times (offload/show
            # reads them first and says how long that took).
            CTL[$br/read]=$(for run in 1 2 3 4 5; do
                    on mvs appctl "$br" offload/show | head -n 1 \
                        | sed -n 's/.*counters read in \([0-9]*\) ms.*/\1/p'
                done | median)
        fi
        rss=$(awk '/^VmRSS/ { print $2 }' "/proc/${SW_PID[$br]}/status")
        CTL[$br/rss]=$((rss / 1024))
        log "$br: bundle ${bundles[*]} ms, add-flows ${adds[*]} ms," \
            "single empty ${CTL[$br/empty]} full ${CTL[$br/full]} (median p90 min us)," \
            "RSS with $N flows ${CTL[$br/rss]} MiB"
        on mvs of "$br" del-flows
    done

    echo
    echo "== control plane: $N flows, one connection (ofp-latency.py, $SINGLE" \
         "round trips) and ovs-ofctl -O OpenFlow13 (median of $RUNS), client on CPU $GEN_CPU"
    printf '%-42s %16s %16s\n' operation "offload require" "offload off"
    local e f
    e=(${CTL[mvsk/empty]}) f=(${CTL[mvs/empty]})
    printf '%-42s %16s %16s\n' "flow-mod+barrier, empty: median (p90) us" \
        "${e[0]} (${e[1]})" "${f[0]} (${f[1]})"
    e=(${CTL[mvsk/full]}) f=(${CTL[mvs/full]})
    printf '%-42s %16s %16s\n' "flow-mod+barrier, $N: median (p90) us" \
        "${e[0]} (${e[1]})" "${f[0]} (${f[1]})"
    printf '%-42s %16s %16s\n' "full / empty (medians)" \
        "$(bench_div "${CTL[mvsk/full]%% *}" "${CTL[mvsk/empty]%% *}")" \
        "$(bench_div "${CTL[mvs/full]%% *}" "${CTL[mvs/empty]%% *}")"
    printf '%-42s %16s %16s\n' "add-flows --bundle ($N) ms" \
        "${CTL[mvsk/bundle]}" "${CTL[mvs/bundle]}"
    printf '%-42s %16s %16s\n' "add-flows ($N) ms" "${CTL[mvsk/add]}" \
        "${CTL[mvs/add]}"
    printf '%-42s %16s %16s\n' "kernel counters read, $N flows (ms)" \
        "${CTL[mvsk/read]:--}" "-"
    printf '%-42s %16s %16s\n' "mvsd RSS with $N flows (MiB)" \
        "${CTL[mvsk/rss]}" "${CTL[mvs/rss]}"
}

for part in $PARTS; do
    case $part in
        forwarding) forwarding ;;
        ctl) ctl ;;
        *) fail "unknown part $part" ;;
    esac
done
[ -n "${BENCH_OUT:-}" ] && echo "(logs and samples in $OUT)"
exit 0
