# bench/lib.sh: shell library for the benchmarks in bench/.
#
# Source it from bash.  It sources tests/lib.sh, so namespaces, veth
# pairs, daemons and the scratch directory are recorded and removed by the
# same EXIT trap (also on Ctrl-C), by recorded PID and recorded name only.
# What it adds is what a benchmark needs and a test does not:
#
#   - both switches in one run: tests/lib.sh picks the switch from the
#     global MVS_SWITCH; `on mvs CMD...` / `on ovs CMD...` run one of its
#     helpers (sw_start, of, appctl...) for the given switch.  Give the two
#     bridges different names (the benchmarks use "mvs" and "ovs"), so
#     each has its own namespace "m$$-sw-BRIDGE" and private directory;
#   - installing a missing tool from Debian (bench_need);
#   - CPU pinning of every thread of a daemon (bench_pin);
#   - interface counters, a nanosecond clock and CPU time of a process.
#
# Benchmarks are never part of the test suite: they print numbers and do
# not pass or fail on them.  They do fail when the traffic or the flows
# they measure are not what they should be.

: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
# shellcheck source=../tests/lib.sh
. "$top_srcdir/tests/lib.sh"

# on SWITCH CMD...: runs CMD (a tests/lib.sh helper) with MVS_SWITCH set to
# SWITCH (mvs or ovs) for its duration; SWITCH mvsoff is mvs with
# --offload=off added to MVSD_ARGS.
on() {
    local MVS_SWITCH=$1 MVSD_ARGS=${MVSD_ARGS:-}
    case $1 in
        # mvs with nf_tables offload off, beside "mvs" with it on.
        mvsoff) MVS_SWITCH=mvs MVSD_ARGS="$MVSD_ARGS --offload=off" ;;
    esac
    shift
    "$@"
}

# bench_init: tl_init for a benchmark that drives both switches: root,
# the common tools, mvsd built, Open vSwitch's daemons present.
bench_init() {
    local tool
    MVS_SWITCH=mvs tl_init
    for tool in ovsdb-tool ovsdb-server ovs-vswitchd ovs-vsctl taskset; do
        command -v "$tool" >/dev/null 2>&1 || skip "missing tool: $tool"
    done
    [ -x "$top_builddir/utils/mvs-appctl" ] \
        || fail "utils/mvs-appctl not built (make -j2)"
}

# bench_need COMMAND PACKAGE: installs Debian's PACKAGE when COMMAND is not
# on PATH (apt-get update first only if the install fails without it).
bench_need() {
    local cmd=$1 pkg=$2
    command -v "$cmd" >/dev/null 2>&1 && return 0
    log "installing $pkg (for $cmd)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q "$pkg" >"$TEST_DIR/apt-$pkg.log" 2>&1 \
        || { apt-get update -q >>"$TEST_DIR/apt-$pkg.log" 2>&1 \
             && apt-get install -y -q "$pkg" >>"$TEST_DIR/apt-$pkg.log" 2>&1; }
    command -v "$cmd" >/dev/null 2>&1 \
        || fail "could not install $pkg (see $TEST_DIR/apt-$pkg.log)"
}

# bench_pin PID CPULIST: pins every thread of process PID to CPULIST.
# Threads the process creates later inherit the affinity of their creator.
bench_pin() {
    taskset -a -p -c "$2" "$1" >/dev/null || fail "taskset $2 on pid $1"
}

# bench_quota PID PERCENT NAME: limits every thread of PID to PERCENT of
# one CPU (a cgroup of the cpu controller, cgroup v1, named after us and
# NAME), so a switch the generator cannot saturate is measured saturated.
# The group is removed once this shell has exited and PID with it.
bench_quota() {
    local pid=$1 pct=$2 d=/sys/fs/cgroup/cpu/mvs-bench-$$-$3
    [ -d /sys/fs/cgroup/cpu ] \
        || fail "BENCH_CPU_QUOTA needs the cgroup v1 cpu controller"
    mkdir -p "$d" && echo 100000 >"$d/cpu.cfs_period_us" \
        && echo $((pct * 1000)) >"$d/cpu.cfs_quota_us" \
        && echo "$pid" >"$d/cgroup.procs" \
        || fail "cannot limit pid $pid to $pct% of a CPU ($d)"
    (
        while kill -0 $$ 2>/dev/null || kill -0 "$pid" 2>/dev/null; do
            sleep 1
        done
        rmdir "$d"
    ) </dev/null >/dev/null 2>&1 &
}

# bench_ovs_single: makes the OVS bridge as close to mvsd's single thread
# as its configuration allows (one handler, one revalidator; PMD threads
# only on CPU 0, though a netdev datapath whose ports are Linux interfaces
# (AF_PACKET, "system" ports) has none: its main thread polls them).
bench_ovs_single() {
    local br=$1
    ovs-vsctl --timeout=20 --db="unix:${SW_DIR[$br]}/db.sock" \
        set Open_vSwitch . other_config:n-handler-threads=1 \
        other_config:n-revalidator-threads=1 other_config:pmd-cpu-mask=0x1 \
        || fail "ovs-vsctl other_config"
}

# bench_no_ipv6 NS: no IPv6 (router solicitations, MLD) in namespace NS,
# so nothing but the benchmark's frames crosses its interfaces.  Call it
# before interfaces are moved in.
bench_no_ipv6() {
    ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1 || true
}

# bench_counter NS IF STAT: the interface statistic STAT (rx_packets,
# tx_packets, rx_dropped...) of IF in namespace NS.
bench_counter() {
    ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"
}

# bench_now: monotonic-enough wall clock in nanoseconds.
bench_now() { date +%s%N; }

# bench_cpu_ticks PID: user + system time of process PID (all threads) in
# clock ticks.
bench_cpu_ticks() {
    # Fields 14 and 15 of /proc/PID/stat; the command name (field 2) has
    # no spaces for our daemons.
    awk '{ print $14 + $15 }' "/proc/$1/stat"
}
CLK_TCK=$(getconf CLK_TCK)

# bench_time_ms CMD...: runs CMD (output to /dev/null) and prints its wall
# time in milliseconds; returns CMD's status.
bench_time_ms() {
    local t0 t1 rc
    t0=$(bench_now)
    "$@" >/dev/null 2>"$TEST_DIR/last-cmd.err"
    rc=$?
    t1=$(bench_now)
    echo $(( (t1 - t0) / 1000000 ))
    return $rc
}

# bench_div A B [DIGITS]: A / B as a decimal with DIGITS (2) decimals, or
# "-" when B is 0 or either is not a number.
bench_div() {
    awk -v a="$1" -v b="$2" -v d="${3:-2}" 'BEGIN {
        if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || b + 0 == 0) print "-";
        else printf "%.*f\n", d, a / b }'
}

# bench_header TITLE: a line about this run, for the results.
bench_header() {
    echo "== $*"
    echo "   $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs," \
         "$(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "   mvsd: ${MVSD_BIN:-$MVSD} ($(stat -c %y "${MVSD_BIN:-$MVSD}" | cut -d. -f1))"
    echo "   ovs:  $(ovs-vswitchd --version | head -n 1)"
}

# bench_cpu_sample: prints "CPU0_BUSY CPU0_IDLE CPU0_SOFTIRQ ALL_BUSY" in
# clock ticks from /proc/stat (idle includes iowait).
bench_cpu_sample() {
    awk '$1 == "cpu0" { b0 = $2 + $3 + $4 + $7 + $8 + $9; i0 = $5 + $6;
                        s0 = $8 }
         $1 == "cpu" { ab = $2 + $3 + $4 + $7 + $8 + $9 }
         END { print b0, i0, s0, ab }' /proc/stat
}

# bench_others_ticks PID...: user + system ticks of every process except
# the PIDs given (our own) and ksoftirqd, to see whether something else competed for the
# CPUs while we measured.
bench_others_ticks() {
    local skip=" $* " f pid sum=0 t
    for f in /proc/[0-9]*/stat; do
        pid=${f#/proc/}
        pid=${pid%/stat}
        case $skip in *" $pid "*) continue ;; esac
        # ksoftirqd runs our own traffic's softirq work: not "other".
        t=$(awk '$2 ~ /ksoftirqd/ { print 0; next } { print $14 + $15 }' \
            "$f" 2>/dev/null) || continue
        sum=$((sum + ${t:-0}))
    done
    echo "$sum"
}

# bench_cpus_sample: per-CPU "cpuN BUSY IDLE SOFTIRQ" lines (clock ticks,
# from /proc/stat; busy = user nice system irq softirq steal, idle
# includes iowait), one line per CPU.  Save two samples and give them to
# bench_cpus_delta.
bench_cpus_sample() {
    awk '$1 ~ /^cpu[0-9]+$/ { print $1, $2 + $3 + $4 + $7 + $8 + $9,
                              $5 + $6, $8 }' /proc/stat
}

# bench_cpus_delta FILE0 FILE1 CPU: "BUSY% SOFTIRQ%" of CPU (a number)
# between the two bench_cpus_sample outputs.
bench_cpus_delta() {
    awk -v c="cpu$3" 'FNR == NR { if ($1 == c) { b = $2; i = $3; s = $4 }
                                  next }
        $1 == c { db = $2 - b; di = $3 - i; ds = $4 - s; t = db + di;
                  if (t <= 0) t = 1;
                  printf "%d %d\n", db * 100 / t, ds * 100 / t }' "$1" "$2"
}

# bench_trafgen_start NS DEV CPU CFG [ARG...]: trafgen sending CFG (a
# trafgen configuration file) on DEV in namespace NS as fast as it can,
# or as the extra trafgen ARGs say ("-b 500kpps"), every process on CPU.
# trafgen pins its one worker itself (-P 1, to CPU 0), so the worker is
# moved once it exists.  Sets TG_PARENT and TG_CHILD, and
# returns once DEV's tx_packets moves.
bench_trafgen_start() {
    local ns=$1 dev=$2 cpu=$3 cfg=$4 tx0
    shift 4
    start_daemon "trafgen-$dev" ip netns exec "$ns" \
        taskset -c "$cpu" trafgen -o "$dev" -P 1 -Q -n 0 -c "$cfg" "$@"
    TG_PARENT=$LAST_PID
    wait_for "pgrep -P $TG_PARENT" 5 || fail "trafgen did not start"
    TG_CHILD=$(pgrep -P "$TG_PARENT" | head -n 1)
    TL_PIDS+=("$TG_CHILD")
    bench_pin "$TG_CHILD" "$cpu"
    tx0=$(bench_sent "$ns" "$dev")
    wait_for "[ \$(bench_sent $ns $dev) -gt $((tx0 + 1000)) ]" 5 \
        || fail "trafgen sends nothing on $dev"
}

# bench_sent NS DEV: frames sent on veth DEV in NS, tx_packets +
# tx_dropped (a veth counts a frame its peer's backlog refused as
# tx_dropped, not tx_packets).
bench_sent() {
    echo $(( $(bench_counter "$1" "$2" tx_packets) \
             + $(bench_counter "$1" "$2" tx_dropped) ))
}

# bench_trafgen_stop: stops what bench_trafgen_start started.
bench_trafgen_stop() {
    stop_daemon "$TG_CHILD"
    stop_daemon "$TG_PARENT"
}

# bench_mvs_kernel_packets BRIDGE: sum of the kernel counters of the mvs
# bridge's offloaded flows (mvs-appctl offload/show, which reads them from
# the kernel first).  0 when offload is off.
bench_mvs_kernel_packets() {
    on mvs appctl "$1" offload/show 2>/dev/null \
        | awk '{ for (i = 1; i <= NF; i++)
                     if ($i ~ /^packets=/) { sub(/^packets=/, "", $i);
                                             s += $i } }
               END { printf "%d\n", s }'
}

# bench_mvs_lookups BRIDGE: userspace datapath lookups of the mvs bridge
# (emc hits + megaflow hits + misses, from dpctl/show).
bench_mvs_lookups() {
    on mvs appctl "$1" dpctl/show \
        | awk '/lookups:/ { for (i = 2; i <= NF; i++) { split($i, f, ":");
                                if (f[1] != "lost") s += f[2] } }
               END { printf "%d\n", s }'
}
