#!/bin/bash
# bench/soak.sh: mvs under load for a long time (issue 7, "Load").  Not a
# test: it prints numbers.
#
#   sudo bash bench/soak.sh                          # 10 minutes + ~1
#   sudo BENCH_SOAK_SECONDS=120 BENCH_SOAK_OFFLOAD=off bash bench/soak.sh
#
# Topology (every namespace and interface is ours, named m$$...):
#
#   [m$$-snd] trafgen, CPU 1    [m$$-sw-soak] mvsd, CPU 0    [m$$-rcv]
#     m$$soaks ------------ m$$soak1 (port 1)  m$$soak2 (port 2) ---- m$$soakr
#
# One mvsd (bridge "soak", every thread pinned to CPU 0), with its default
# options unless BENCH_SOAK_OFFLOAD is set (then --offload=MODE).  It is
# loaded with FLOWS flows (`ovs-ofctl --bundle add-flows`):
#
#   priority=100,in_port=1,ip,nw_src=10.A.B.C,actions=output:2
#
# for the first FLOWS addresses from 10.0.0.0.  trafgen (CPU 1) sends
# 64-byte IPv4/UDP frames as fast as it can from random sources 10.0.0-3.0-249:
# 1,000 of the flows carry all the traffic.  At the same time
# bench/soak-churn.py (one OpenFlow connection, CPU CHURN_CPU) adds, modifies
# (the flows traffic goes through, same actions) and deletes flows at RATE
# flow-mods per second, each followed by a barrier, recording every
# latency.  Every SAMPLE seconds: mvsd's VmRSS, the frames sent and
# delivered, the userspace datapath's lookups and flows, CPU use.
#
# At the end: RSS per minute (min/median/max) and its growth after WARMUP
# seconds; the forwarding rate per minute; flow-mod latency percentiles;
# where every frame went (sender, switch ports, kernel offload,
# userspace datapath, receiver) and what loss the counters do not explain.
#
# Environment:
#   BENCH_SOAK_SECONDS  duration (default 600)
#   BENCH_SOAK_OFFLOAD  mvsd --offload MODE (default: mvsd's default, auto)
#   BENCH_SOAK_FLOWS    flows loaded (default 100000)
#   BENCH_SOAK_RATE     flow-mods per second (default 500)
#   BENCH_SOAK_SAMPLE   sampling interval in seconds (default 5)
#   BENCH_SOAK_WARMUP   seconds excluded from the RSS growth (default 60)
#   BENCH_CHURN_CPU     CPU of the OpenFlow client (default 0, with mvsd: on
#                       CPU 1, busy with trafgen, the client waits ~1 ms for
#                       the scheduler after each reply)
#   BENCH_OUT=DIR       keep samples, latencies and switch statistics in DIR
set -u
TEST_NAME=soak
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

SECONDS_TOTAL=${BENCH_SOAK_SECONDS:-600}
OFFLOAD=${BENCH_SOAK_OFFLOAD:-}
FLOWS=${BENCH_SOAK_FLOWS:-100000}
RATE=${BENCH_SOAK_RATE:-500}
SAMPLE=${BENCH_SOAK_SAMPLE:-5}
WARMUP=${BENCH_SOAK_WARMUP:-60}
SW_CPU=0
GEN_CPU=1
CHURN_CPU=${BENCH_CHURN_CPU:-$SW_CPU}
HIT=1000                        # Flows the traffic goes through.
if [ -n "$OFFLOAD" ]; then MODE="--offload=$OFFLOAD"; else MODE="defaults (offload auto)"; fi
BR=soak

bench_init
bench_need trafgen netsniff-ng
bench_need tcpdump tcpdump
OUT=${BENCH_OUT:-$TEST_DIR/out}
mkdir -p "$OUT" || fail "mkdir $OUT"
[ "$FLOWS" -ge 1024 ] || fail "BENCH_SOAK_FLOWS must be at least 1024"

add_ns snd
add_ns rcv
SND=$(ns_name snd)
RCV=$(ns_name rcv)
bench_no_ipv6 "$SND"
bench_no_ipv6 "$RCV"
add_ns "sw-$BR"
SWNS=$(sw_ns "$BR")
bench_no_ipv6 "$SWNS"
S=$(if_name "${BR}s") P1=$(if_name "${BR}1") P2=$(if_name "${BR}2") R=$(if_name "${BR}r")
add_veth "$S" "$SND" "$P1" "$SWNS"
add_veth "$R" "$RCV" "$P2" "$SWNS"

bench_header "soak: $FLOWS flows, ${SECONDS_TOTAL}s, trafgen on CPU $GEN_CPU" \
    "through $HIT of the flows, $RATE flow-mods/s + barrier on CPU $CHURN_CPU," \
    "mvsd on CPU $SW_CPU, mvsd $MODE"
MVSD_ARGS=${OFFLOAD:+--offload=$OFFLOAD} on mvs sw_start "$BR" "$P1=1" "$P2=2"
PID=${SW_PID[$BR]}
bench_pin "$PID" "$SW_CPU"
on mvs appctl "$BR" offload/show | head -n 1 | sed 's/^/   /'

rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$PID/status"; }
echo "   RSS at start: $(rss_kb) kB"

awk -v n="$FLOWS" 'BEGIN { for (i = 0; i < n; i++)
    printf "priority=100,in_port=1,ip,nw_src=10.%d.%d.%d,actions=output:2\n",
           int(i / 65536), int(i / 256) % 256, i % 256 }' >"$OUT/flows.txt"
ms=$(bench_time_ms taskset -c "$GEN_CPU" $OFCTL --bundle add-flows \
     "$(sw_target "$BR")" "$OUT/flows.txt") \
    || { cat "$TEST_DIR/last-cmd.err" >&2; fail "loading $FLOWS flows"; }
n=$(on mvs of "$BR" dump-flows | grep -c 'actions=')
[ "$n" = "$FLOWS" ] || fail "$n flows after loading $FLOWS"
echo "   loaded $FLOWS flows in $ms ms (--bundle add-flows); RSS $(rss_kb) kB"
on mvs appctl "$BR" offload/show | head -n 1 | sed 's/^/   /'

cat >"$OUT/frame.trafgen" <<'EOF'
{ eth(da=02:00:00:00:00:02, sa=02:00:00:00:00:01),
  ipv4(sa=10.0.0.0, sa[2]=drnd(0, 3), sa[3]=drnd(0, 249), da=10.1.0.2, ttl=64),
  udp(sp=1000, dp=2000), fill(0, 18) }
EOF

# Everything counted before traffic starts.
mvs_port_stats() {
    # "RXp RXdrop TXp TXdrop" of port $1 from dpctl/show.
    on mvs appctl "$BR" dpctl/show | awk -v p="$1" '
        $1 == "port" { cur = ($2 == p ":") }
        cur && $1 == "RX" { split($2, a, ":"); split($4, b, ":"); rx = a[2]; rxd = b[2] }
        cur && $1 == "TX" { split($2, a, ":"); split($4, b, ":"); tx = a[2]; txd = b[2] }
        END { print rx + 0, rxd + 0, tx + 0, txd + 0 }'
}
veth() { bench_counter "$1" "$2" "$3"; }
counters() {
    echo "snd_tx $(veth "$SND" "$S" tx_packets)"
    echo "snd_txdrop $(veth "$SND" "$S" tx_dropped)"
    echo "p1_rx $(veth "$SWNS" "$P1" rx_packets)"
    echo "p1_rxdrop $(veth "$SWNS" "$P1" rx_dropped)"
    echo "p2_tx $(veth "$SWNS" "$P2" tx_packets)"
    echo "p2_txdrop $(veth "$SWNS" "$P2" tx_dropped)"
    echo "rcv_rx $(veth "$RCV" "$R" rx_packets)"
    echo "rcv_rxdrop $(veth "$RCV" "$R" rx_dropped)"
    local a b
    a=($(mvs_port_stats 1))
    b=($(mvs_port_stats 2))
    echo "mvs_p1_rx ${a[0]}"
    echo "mvs_p1_rxdrop ${a[1]}"
    echo "mvs_p2_tx ${b[2]}"
    echo "mvs_p2_txdrop ${b[3]}"
    echo "mvs_lookups $(bench_mvs_lookups "$BR")"
    echo "mvs_lost $(on mvs appctl "$BR" dpctl/show | sed -n 's/.*lost:\([0-9]*\).*/\1/p')"
}
counters >"$OUT/counters0"
on mvs appctl "$BR" coverage/show >"$OUT/coverage0.txt" 2>&1

bench_trafgen_start "$SND" "$S" "$GEN_CPU" "$OUT/frame.trafgen"
ip netns exec "$RCV" timeout 5 tcpdump -i "$R" -c 8 -nn -e 'not ip6' \
    >"$OUT/sample.txt" 2>/dev/null
[ "$(grep -cE '02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv4 \(0x0800\), length 60: 10\.0\.[0-3]\.[0-9]+\.1000 > 10\.1\.0\.2\.2000: UDP' "$OUT/sample.txt")" = 8 ] \
    || { cat "$OUT/sample.txt" >&2; fail "delivered frames are not the ones sent"; }

start_daemon churn taskset -c "$CHURN_CPU" "$PYTHON" \
    "$top_srcdir/bench/soak-churn.py" "$(sw_target "$BR")" "$RATE" \
    "$SECONDS_TOTAL" "$OUT/churn.txt" "$HIT"
CHURN=$LAST_PID

# Samples: t rss_kb sent delivered lookups dp_flows cpu0 busy/si cpu1 busy/si
#          mvsd_cpu% others%
echo "   sampling every ${SAMPLE}s: t(s) RSS(kB) sent/s delivered/s userspace-lookups/s dp-flows CPU0 busy/si CPU1 busy/si mvsd% others%"
T0=$(bench_now)
prev_t=$T0 prev_tx=$(bench_sent "$SND" "$S") prev_rx=$(veth "$RCV" "$R" rx_packets)
prev_l=$(bench_mvs_lookups "$BR") prev_c=$(bench_cpu_ticks "$PID")
bench_cpus_sample >"$OUT/cpuprev"
prev_o=$(bench_others_ticks "$PID" "$TG_PARENT" "$TG_CHILD" "$CHURN" $$)
: >"$OUT/samples.txt"
next=$SAMPLE
while :; do
    now=$(bench_now)
    el=$(( (now - T0) / 1000000000 ))
    [ "$el" -ge "$SECONDS_TOTAL" ] && break
    if [ "$el" -lt "$next" ]; then
        sleep 0.2
        continue
    fi
    next=$(( (el / SAMPLE + 1) * SAMPLE ))
    alive "$PID" || fail "mvsd died (pid $PID)"
    alive "$TG_CHILD" || fail "trafgen died"
    t=$(bench_now)
    tx=$(bench_sent "$SND" "$S")
    rx=$(veth "$RCV" "$R" rx_packets)
    l=$(bench_mvs_lookups "$BR")
    c=$(bench_cpu_ticks "$PID")
    bench_cpus_sample >"$OUT/cpunow"
    o=$(bench_others_ticks "$PID" "$TG_PARENT" "$TG_CHILD" "$CHURN" $$)
    f=$(on mvs appctl "$BR" dpctl/show | sed -n 's/^  flows: //p')
    dt=$((t - prev_t))
    [ "$o" -lt "$prev_o" ] && o=$prev_o     # Processes that exited.
    line=$(printf '%5d %8d %8d %8d %8d %6d %4s %4s %4s %4s %4d %4d' \
        "$(( (t - T0) / 1000000000 ))" "$(rss_kb)" \
        $(( (tx - prev_tx) * 1000000000 / dt )) \
        $(( (rx - prev_rx) * 1000000000 / dt )) \
        $(( (l - prev_l) * 1000000000 / dt )) "${f:-0}" \
        $(bench_cpus_delta "$OUT/cpuprev" "$OUT/cpunow" 0) \
        $(bench_cpus_delta "$OUT/cpuprev" "$OUT/cpunow" 1) \
        $(( (c - prev_c) * 100 * 1000000000 / CLK_TCK / dt )) \
        $(( (o - prev_o) * 100 * 1000000000 / CLK_TCK / dt )))
    echo "$line" >>"$OUT/samples.txt"
    echo "   $line"
    prev_t=$t prev_tx=$tx prev_rx=$rx prev_l=$l prev_c=$c prev_o=$o
    cp "$OUT/cpunow" "$OUT/cpuprev"
done

# The churn client stops on its own at the same time.
wait_for "! alive $CHURN" 30 || fail "churn client did not finish"
wait "$CHURN"
rc=$?
cat "$TEST_DIR/churn.log"
[ "$rc" = 0 ] || fail "churn client failed (status $rc)"
bench_trafgen_stop
sleep 2                         # Frames in flight arrive.
on mvs appctl "$BR" offload/show >"$OUT/offload.txt" 2>&1  # Reads the kernel counters.
counters >"$OUT/counters1"
on mvs appctl "$BR" dpctl/show >"$OUT/dpctl.txt"
on mvs appctl "$BR" coverage/show >"$OUT/coverage1.txt" 2>&1
on mvs of "$BR" dump-flows >"$OUT/dump-flows.txt"
alive "$PID" || fail "mvsd died"
n=$(grep -c 'actions=' "$OUT/dump-flows.txt")

# ---------------------------------------------------------------------------
# Report.

echo
echo "== soak results: ${SECONDS_TOTAL}s, $FLOWS flows loaded ($n at the end), mvsd $MODE"
head -n 1 "$OUT/offload.txt" | sed 's/^/   /'

echo
echo "-- RSS (kB) and forwarding per minute"
printf '%-8s %9s %9s %9s %11s %11s %9s %9s\n' minute "RSS min" "RSS med" \
    "RSS max" "sent/s" "deliv/s" "share" "uspace/s"
awk '{ m = int(($1 - 1) / 60); r[m] = r[m] " " $2; s[m] += $3; d[m] += $4;
       u[m] += $5; n[m]++; if (m > mx) mx = m }
     END { for (m = 0; m <= mx; m++) {
             k = split(substr(r[m], 2), v, " ");
             for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++)
                 if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
             printf "%-8d %9d %9d %9d %11d %11d %9.3f %9d\n", m, v[1],
                    v[int((k + 1) / 2)], v[k], s[m] / n[m], d[m] / n[m],
                    (s[m] ? d[m] / s[m] : 0), u[m] / n[m] } }' \
    "$OUT/samples.txt"
awk -v w="$WARMUP" '$1 > w { if (!first) first = $2; last = $2;
        if (!min || $2 < min) min = $2; if ($2 > max) max = $2 }
     END { printf "RSS after warm-up (t > %ds): first %d kB, last %d kB," \
                  " growth %+d kB, min %d, max %d\n", w, first, last,
                  last - first, min, max }' "$OUT/samples.txt"

echo
echo "-- flow-mod + barrier latency (us), $RATE/s"
printf '%-8s %8s %8s %8s %8s %8s %9s\n' op count p50 p90 p99 p99.9 max
for op in add modify delete all; do
    awk -v op="$op" 'op == "all" || $2 == op { print $3 }' "$OUT/churn.txt" \
        | sort -n | awk -v op="$op" '{ v[NR] = $1 }
            END { if (!NR) exit;
                  printf "%-8s %8d %8d %8d %8d %8d %9d\n", op, NR,
                         v[int(NR * 0.5) + 1], v[int(NR * 0.9) + 1],
                         v[int(NR * 0.99) + 1], v[int(NR * 0.999) + 1], v[NR] }'
done
awk '$3 >= 100000 { n++; if (n <= 5) printf "   slow: t=%.1fs %s %d us\n", $1, $2, $3 }
     END { printf "   flow-mods over 100 ms: %d\n", n }' "$OUT/churn.txt"
awk '$3 >= 100000 { s += $3 }
     END { printf "   time spent in flow-mods over 100 ms: %.1f s of the run\n", s / 1e6 }' \
    "$OUT/churn.txt"
printf '   p99 / max per minute (us):'
for ((m = 0; m * 60 < SECONDS_TOTAL; m++)); do
    awk -v m="$m" 'int($1 / 60) == m { print $3 }' "$OUT/churn.txt" | sort -n \
        | awk '{ v[NR] = $1 } END { if (NR) printf " %d/%d", v[int(NR * 0.99) + 1], v[NR] }'
done
echo

echo
echo "-- where the frames went (whole run, counters before traffic and after it stopped)"
join <(sort "$OUT/counters0") <(sort "$OUT/counters1") \
    | awk '{ print $1, $3 - $2 }' >"$OUT/delta"
d() { awk -v k="$1" '$1 == k { print $2 }' "$OUT/delta"; }
sent=$(( $(d snd_tx) + $(d snd_txdrop) ))
of_pkts=$(awk '/priority=100,/ && /nw_src=10\.0\.[0-3]\.[0-9]+ / {
                  for (i = 1; i <= NF; i++) if ($i ~ /^n_packets=/) {
                      sub(/^n_packets=/, "", $i); sub(/,$/, "", $i); s += $i } }
               END { printf "%d\n", s }' "$OUT/dump-flows.txt")
kern=$(( $(d p1_rx) - $(d mvs_p1_rx) - $(d mvs_p1_rxdrop) ))
printf '   %-58s %12d\n' "trafgen sent (sender veth tx_packets + tx_dropped)" "$sent"
printf '   %-58s %12d\n' "  refused at the sender veth (tx_dropped)" "$(d snd_txdrop)"
printf '   %-58s %12d\n' "switch port 1 veth rx_packets" "$(d p1_rx)"
printf '   %-58s %12d\n' "  read by mvs's userspace datapath (dpctl/show RX)" "$(d mvs_p1_rx)"
printf '   %-58s %12d\n' "  dropped in mvs's receive rings (dpctl/show RX dropped)" "$(d mvs_p1_rxdrop)"
printf '   %-58s %12d\n' "  so taken by the kernel (nf_tables), the rest" "$kern"
printf '   %-58s %12s\n' "  kernel share of port-1 frames" "$(bench_div "$kern" "$(d p1_rx)" 3)"
printf '   %-58s %12d\n' "userspace lookups (dpctl/show)" "$(d mvs_lookups)"
printf '   %-58s %12d\n' "mvs userspace TX on port 2 (dpctl/show)" "$(d mvs_p2_tx)"
printf '   %-58s %12d\n' "  userspace TX dropped on port 2 (dpctl/show)" "$(d mvs_p2_txdrop)"
printf '   %-58s %12d\n' "switch port 2 veth tx_packets (kernel fwd + mvs TX)" "$(d p2_tx)"
printf '   %-58s %12d\n' "  port 2 veth tx_dropped" "$(d p2_txdrop)"
printf '   %-58s %12d\n' "receiver veth rx_packets" "$(d rcv_rx)"
printf '   %-58s %12d\n' "OpenFlow n_packets of the $HIT traffic flows" "$of_pkts"
expl=$(( $(d snd_txdrop) + $(d mvs_p1_rxdrop) + $(d mvs_p2_txdrop) + $(d p2_txdrop) + $(d p1_rxdrop) ))
unexpl=$(( sent - $(d rcv_rx) - expl ))
printf '   %-58s %12d\n' "lost (sent - received)" $(( sent - $(d rcv_rx) ))
printf '   %-58s %12d\n' "  explained by drop counters" "$expl"
printf '   %-58s %12d (%s of sent)\n' "  NOT explained by any counter" "$unexpl" \
    "$(bench_div "$unexpl" "$sent" 6)"
printf '   %-58s %12d (%s)\n' "OpenFlow counters - receiver count" \
    $(( of_pkts - $(d rcv_rx) )) "$(bench_div "$of_pkts" "$(d rcv_rx)" 4)"
grep -E 'lookups|flows:|recirc' "$OUT/dpctl.txt" | sed 's/^ */   dpctl\/show: /'
echo "   coverage/show (end): $(grep -vE '^ *$' "$OUT/coverage1.txt" | head -n 12 | tr -s ' ' | tr '\n' ';')"
[ -n "${BENCH_OUT:-}" ] && echo "(samples, latencies and statistics in $OUT)"
exit 0
