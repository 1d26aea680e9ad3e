#!/bin/bash
# tests/run-sanitized.sh: mvs under AddressSanitizer, UndefinedBehavior-
# Sanitizer and valgrind (issue 7, "Hostile input").
#
#   bash tests/run-sanitized.sh
#
#  1. copies the files git knows (tracked, and new ones not ignored) into
#     $top_srcdir/_build-san, keeping their times so that a second run only
#     recompiles what changed, and builds there with
#     `./configure --enable-sanitizers` (autotools refuses a VPATH build
#     from a configured source folder).  libopenvswitch comes from the
#     same cache as the main build (utils/ovs-lib.sh);
#  2. `make check` in that copy: the unit tests under ASan and UBSan
#     (UBSan stops at the first error, -fno-sanitize-recover; LeakSanitizer
#     runs at each program's exit);
#  3. valgrind --leak-check=full on the unit test programs of the normal
#     build ($top_builddir, which tests/run-all.sh has just built): no
#     error and no definite, indirect or possible leak;
#  4. system tests ($MVS_SAN_SYSTESTS) with MVSD pointing at the sanitized
#     mvsd, through a wrapper that turns the SIGTERM of tests/lib.sh's
#     cleanup into `mvs-appctl exit`: OVS's fatal-signal handler re-raises
#     SIGTERM, so a terminated mvsd would never reach LeakSanitizer, while
#     `exit` tears the bridge down and returns from main().  Sanitizer
#     reports go to files (ASAN_OPTIONS log_path) that are checked after
#     each test.
# Prints one line per step and per test; logs go to tests/logs/san/.  Exits
# nonzero if any step failed or any sanitizer or valgrind report appeared.
#
# Environment: MVS_SAN_SYSTESTS (space-separated test names), MVS_TEST_TIMEOUT
# (each system test's limit in seconds, default 180).
set -u
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
: "${top_builddir:=$top_srcdir}"
san=$top_srcdir/_build-san
logdir=$top_srcdir/tests/logs/san
timeout=${MVS_TEST_TIMEOUT:-180}
# Every system test that runs mvsd, but those whose mvsd is meant to die
# (sys-bad-port, sys-fault-sigkill, sys-offload-mvsd's SIGKILL: the leak
# check needs a clean exit), sys-privileges (LeakSanitizer's stop-the-world
# needs what --user drops), sys-mininet (Mininet starts its own mvsd) and
# sys-fault-flood (its 80,000 flow-mods outlast its time bounds under
# ASan's slowdown).
systests=${MVS_SAN_SYSTESTS:-"sys-ofctl-ping sys-osken-ping sys-malformed-of
    sys-groups sys-meters sys-bundle sys-fail-mode sys-tls
    sys-packet-io sys-port-io sys-port-xdp sys-ipv6-exthdr sys-mvs-ofctl
    sys-mpls-lsp sys-mpls-stack sys-mpls-ttl sys-mpls-eompls sys-mpls-bos
    sys-mpls-push sys-offload-diff sys-revalidate
    sys-fault-controller sys-fault-pinstorm sys-fault-port
    sys-fault-nftables sys-registers sys-ofctl-ext sys-select
    sys-mpls-depth sys-oxm sys-set-fields sys-group-chains
    sys-fault-nft-busy sys-bundle-groups sys-of-config sys-cache-bounds
    sys-offload-mass-delete"}
jobs=$(nproc 2>/dev/null || echo 2)

rm -rf "$logdir"
mkdir -p "$logdir"
failed=0

say() { echo "san: $*"; }
bad() {
    say "FAIL: $*"
    failed=$((failed + 1))
}

# Sanitizer reports: errors stop the program (UBSan: no recover), leaks are
# reported at exit.  Reports go to files named PREFIX.PID.
san_env() {
    local prefix=$1
    export ASAN_OPTIONS="log_path=$prefix:detect_leaks=1:abort_on_error=0:\
strict_string_checks=1:detect_stack_use_after_return=1:\
check_initialization_order=1:handle_abort=1"
    export UBSAN_OPTIONS="log_path=$prefix:print_stacktrace=1:\
halt_on_error=1"
    export LSAN_OPTIONS="log_path=$prefix"
}

# Prints the sanitizer report files with prefix $1 that hold a report.
san_reports() {
    local f
    for f in "$1".*; do
        [ -s "$f" ] || continue
        grep -qE 'Sanitizer|runtime error' "$f" && echo "$f"
    done
}

# 1. The copy and its build.
t0=$(date +%s)
build_log=$logdir/build.log
: >"$build_log"
mkdir -p "$san"
if git -C "$top_srcdir" rev-parse --git-dir >/dev/null 2>&1; then
    (cd "$top_srcdir" && git ls-files -z --cached --others --exclude-standard \
         | grep -zv '^_build-san/' \
         | while IFS= read -r -d '' f; do
               [ -f "$f" ] && printf '%s\0' "$f"
           done \
         | tar -c --null -T - -f -) | tar -x -C "$san" -f - \
        || { bad "build: copying sources into $san"; exit 1; }
else
    # Not a git checkout (an unpacked tarball): copy the whole tree; the
    # build products that come along are cleaned below.
    (cd "$top_srcdir" && tar -c --exclude=./_build-san --exclude=./tests/logs \
         --exclude=./tests/fuzz/build -f - .) | tar -x -C "$san" -f - \
        || { bad "build: copying sources into $san"; exit 1; }
fi
(
    set -e
    cd "$san"
    am_inputs=$(ls Makefile.am ./*/automake.mk)
    regen=""
    for f in configure.ac $am_inputs; do
        [ configure -nt "$f" ] || regen=1
    done
    if [ -n "$regen" ] || [ ! -e Makefile.in ]; then
        ./boot.sh
    fi
    if [ ! -e config.status ] || [ configure -nt config.status ] \
       || ! grep -q -e '--enable-sanitizers' config.status; then
        ./configure --enable-sanitizers
        # Objects built without the sanitizers must not be reused.
        make clean
    fi
    grep -q '^MVS_SAN = -fsanitize' Makefile
    make -j"$jobs" all
    make -j"$jobs" check TESTS=
) >>"$build_log" 2>&1
if [ $? != 0 ]; then
    bad "build in $san failed; last lines of $build_log:"
    tail -n 40 "$build_log" | sed 's/^/    /'
    exit 1
fi
say "build: ok ($(( $(date +%s) - t0 ))s, $san)"

# 2. Unit tests under ASan + UBSan.
t0=$(date +%s)
mkdir -p "$logdir/unit"
san_env "$logdir/unit/asan"
unit_out=$(cd "$san" && make -j"$jobs" check AM_COLOR_TESTS=no 2>&1)
unit_rc=$?
unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
echo "$unit_out" >"$logdir/make-check.log"
reports=$(san_reports "$logdir/unit/asan")
if [ "$unit_rc" != 0 ] || [ -n "$reports" ]; then
    bad "make check under ASan/UBSan (exit $unit_rc)"
    grep -E '^(PASS|FAIL|ERROR|XPASS|SKIP): ' <<<"$unit_out" | sed 's/^/    /'
    for f in $(grep -E '^(FAIL|XPASS|ERROR): ' <<<"$unit_out" \
               | sed 's/^[A-Z]*: //'); do
        [ -f "$san/$f.log" ] && tail -n 60 "$san/$f.log" | sed 's/^/    /'
    done
    for f in $reports; do
        sed -n '/Sanitizer\|runtime error/,/^SUMMARY/p' "$f" | head -n 60 \
            | sed 's/^/    /'
    done
else
    say "make check (ASan+UBSan): ok, $(grep -cE '^PASS: ' <<<"$unit_out")" \
        "programs ($(( $(date +%s) - t0 ))s)"
fi

# 3. valgrind on the normal build's unit test programs.
t0=$(date +%s)
if ! command -v valgrind >/dev/null; then
    bad "valgrind is not installed (utils/setup.sh installs it)"
else
    # UNIT_TESTS as the layers' automake.mk files list them (read as text).
    progs=$(awk '
        cont || ($1 == "UNIT_TESTS" && ($2 == "=" || $2 == "+=")) {
            line = $0
            if (!cont) { sub(/^[^=]*=/, "", line) }
            cont = sub(/\\[ \t]*$/, "", line)
            n = split(line, w)
            for (i = 1; i <= n; i++) { print w[i] }
        }' "$top_srcdir"/*/automake.mk | tr '\n' ' ')
    [ -n "$progs" ] || bad "valgrind: no unit test programs found"
    (cd "$top_builddir" && make -j"$jobs" $progs) >"$logdir/valgrind-build.log" 2>&1 \
        || bad "valgrind: building $progs in $top_builddir failed"
    n_ok=0
    for p in $progs; do
        name=$(basename "$p")
        vlog=$logdir/valgrind-$name.log
        (cd "$top_builddir/tests" \
         && valgrind --leak-check=full --show-leak-kinds=definite,indirect,possible \
                --errors-for-leak-kinds=definite,indirect,possible \
                --error-exitcode=1 --track-origins=yes --num-callers=30 \
                "$top_builddir/$p") >"$vlog" 2>&1
        rc=$?
        if [ $rc != 0 ]; then
            bad "valgrind $name (exit $rc); $vlog:"
            grep -E '==[0-9]+==' "$vlog" | head -n 80 | sed 's/^/    /'
        else
            n_ok=$((n_ok + 1))
        fi
    done
    say "valgrind: $n_ok of $(wc -w <<<"$progs") unit test programs clean" \
        "($(( $(date +%s) - t0 ))s)"
fi

# 4. System tests against the sanitized mvsd.
if [ "$(id -u)" != 0 ]; then
    say "system tests: skipped (need root)"
else
    wrapper=$san/mvsd-san
    cat >"$wrapper" <<EOF
#!/bin/bash
# Generated by tests/run-sanitized.sh: runs the sanitized mvsd and turns
# SIGTERM/SIGINT into "mvs-appctl exit", so that mvsd returns from main()
# and LeakSanitizer runs (a terminating signal would skip it).
real=$san/utils/mvsd
appctl=$top_builddir/utils/mvs-appctl
exits=$logdir/mvsd-exits.log
EOF
    cat >>"$wrapper" <<'EOF'
br="" rundir=/run/mvs
prev=""
for a in "$@"; do
    case $prev in --bridge) br=$a ;; --rundir) rundir=$a ;; esac
    case $a in --bridge=*) br=${a#*=} ;; --rundir=*) rundir=${a#*=} ;; esac
    prev=$a
done
"$real" "$@" &
pid=$!
how=self
interrupted=""
stop() {
    interrupted=1
    trap '' TERM INT
    how="mvs-appctl exit"
    if ! "$appctl" -t "$rundir/$br.ctl" exit >/dev/null 2>&1; then
        how="SIGTERM (mvs-appctl exit failed: no leak check)"
        kill -TERM "$pid" 2>/dev/null
    fi
    for _ in $(seq 40); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -TERM "$pid" 2>/dev/null
}
trap stop TERM INT
# A trapped signal interrupts "wait" (status 128+N); wait again for the
# real exit status, which bash keeps for a child that ended meanwhile.
while :; do
    interrupted=""
    wait "$pid"
    rc=$?
    [ -z "$interrupted" ] && break
done
echo "${MVS_SAN_TEST:-?}: mvsd $br pid $pid stopped by $how, exit $rc" \
    >>"$exits"
exit "$rc"
EOF
    chmod 755 "$wrapper"
    for name in $systests; do
        t="$top_srcdir/tests/$name.sh"
        if [ ! -f "$t" ]; then
            bad "$name: no such system test"
            continue
        fi
        tlog=$logdir/$name.log
        mkdir -p "$logdir/$name"
        rm -f "$logdir/$name"/asan.*
        san_env "$logdir/$name/asan"
        t0=$(date +%s)
        MVSD=$wrapper MVS_SWITCH=mvs MVS_SAN_TEST=$name \
            top_builddir=$top_builddir \
            timeout --kill-after=10 "$timeout" bash "$t" >"$tlog" 2>&1 </dev/null
        rc=$?
        unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
        secs=$(( $(date +%s) - t0 ))
        reports=$(san_reports "$logdir/$name/asan")
        # Every mvsd must have exited by itself (a test's own
        # "mvs-appctl exit") or by the wrapper's "exit", so LeakSanitizer
        # ran, and have exited 0 (LeakSanitizer's exit code is 23).
        unclean=$(grep "^$name: " "$logdir/mvsd-exits.log" 2>/dev/null \
                  | grep -v -e 'stopped by mvs-appctl exit, exit 0$' \
                            -e 'stopped by self, exit 0$')
        n_exits=$(grep -c "^$name: " "$logdir/mvsd-exits.log" 2>/dev/null)
        if [ -n "$unclean" ]; then
            reports="$reports $logdir/mvsd-exits.log"
            rc_note="; $unclean"
        elif [ "${n_exits:-0}" = 0 ] && [ $rc = 0 ]; then
            reports="$reports $logdir/mvsd-exits.log"
            rc_note="; no mvsd went through the wrapper"
        else
            rc_note=""
        fi
        if grep -qE 'runtime error:|ERROR: (Address|Leak|UndefinedBehavior)Sanitizer' \
               "$tlog"; then
            reports="$reports $tlog"
        fi
        if [ $rc = 77 ] && [ -z "$reports" ]; then
            say "SKIP: $name ($(grep -m1 'SKIP:' "$tlog" | sed 's/.*SKIP: //'))"
        elif [ $rc != 0 ] || [ -n "$reports" ]; then
            [ $rc = 124 ] && rc="timeout after ${timeout}s"
            bad "$name (exit $rc, ${secs}s$rc_note); log $tlog"
            if [ $rc != 0 ]; then
                tail -n 40 "$tlog" | sed 's/^/    /'
            fi
            for f in $reports; do
                case $f in
                    */mvsd-exits.log) continue ;;
                esac
                echo "    --- sanitizer report $f:"
                sed -n '/Sanitizer\|runtime error/,/^SUMMARY/p' "$f" \
                    | head -n 60 | sed 's/^/    /'
            done
        else
            say "PASS: $name under ASan/UBSan (${secs}s, $n_exits mvsd" \
                "leak-checked at exit)"
        fi
    done
fi

if [ "$failed" != 0 ]; then
    say "$failed failure(s); logs in $logdir"
    exit 1
fi
say "all clean"
exit 0
