#!/bin/bash
# tests/run-all.sh: the whole test suite, as README's quick start and CI
# run it.
#
#   bash tests/run-all.sh [PATTERN]
#
#  1. utils/setup.sh: installs what is missing and builds;
#  2. `make check`: the cmocka unit test programs (automake TESTS);
#  3. every system test tests/sys-*.sh (root, network namespaces), or only
#     those whose name matches the extended regex PATTERN; each runs under
#     a timeout with its output in tests/logs/NAME.log, shown on failure.
#     Exit 0 is a pass, 77 a skip, anything else a failure.
#  4. hostile input (issue 7): tests/fuzz/run.sh, the libFuzzer targets
#     for a bounded time each (MVS_FUZZ_SECONDS, default 60), and
#     tests/run-sanitized.sh, a second build under ASan+UBSan running
#     `make check`, valgrind on the unit tests and a subset of the system
#     tests; each counts as one item, with its log in tests/logs/fuzz.log
#     and tests/logs/sanitized.log, shown on failure.  Both run only when
#     no PATTERN is given and MVS_SWITCH is not ovs.
# Ends with the line "N passed, N failed, N skipped", counting unit test
# programs, system tests and the two steps of 4, and exits nonzero if
# anything failed.
#
# Environment: MVS_SWITCH=ovs runs the system tests against Open vSwitch
# instead of mvsd (see tests/lib.sh); MVS_SKIP_SETUP=1 skips step 1;
# MVS_TEST_TIMEOUT is each system test's limit in seconds (default 120);
# MVS_SKIP_FUZZ=1 and MVS_SKIP_SAN=1 skip the steps of 4 (counted as
# skipped).
set -u
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
: "${top_builddir:=$top_srcdir}"
export top_srcdir top_builddir
filter=${1:-}
timeout=${MVS_TEST_TIMEOUT:-120}
logdir=$top_srcdir/tests/logs

passed=0
failed=0
skipped=0
failures=()

summary() {
    echo
    if [ ${#failures[@]} -gt 0 ]; then
        echo "failed: ${failures[*]}"
    fi
    echo "$passed passed, $failed failed, $skipped skipped"
    [ "$failed" = 0 ]
    exit $?
}

# 1. Dependencies and build.
if [ -z "${MVS_SKIP_SETUP:-}" ]; then
    echo "=== setup"
    if ! bash "$top_srcdir/utils/setup.sh"; then
        failed=$((failed + 1))
        failures+=("setup")
        summary
    fi
fi

# 2. Unit tests.  automake's harness prints one "RESULT: name" line per
# program; each program's own cmocka output is in its .log file.
echo "=== unit tests (make check)"
unit_out=$(cd "$top_builddir" \
           && make -j"$(nproc 2>/dev/null || echo 2)" check \
                  AM_COLOR_TESTS=no 2>&1)
unit_rc=$?
n_pass=$(grep -cE '^(PASS|XFAIL): ' <<<"$unit_out")
n_fail=$(grep -cE '^(FAIL|XPASS|ERROR): ' <<<"$unit_out")
n_skip=$(grep -cE '^SKIP: ' <<<"$unit_out")
grep -E '^(PASS|FAIL|SKIP|XFAIL|XPASS|ERROR): ' <<<"$unit_out"
passed=$((passed + n_pass))
skipped=$((skipped + n_skip))
if [ "$n_fail" -gt 0 ] || [ "$unit_rc" != 0 ]; then
    failed=$((failed + (n_fail > 0 ? n_fail : 1)))
    failures+=("make-check")
    echo "--- make check failed (exit $unit_rc):"
    tail -n 60 <<<"$unit_out"
    for f in $(grep -E '^(FAIL|XPASS|ERROR): ' <<<"$unit_out" \
               | sed 's/^[A-Z]*: //'); do
        [ -f "$top_builddir/$f.log" ] && cat "$top_builddir/$f.log"
    done
fi
echo "unit tests: $n_pass passed, $n_fail failed, $n_skip skipped"

# 3. System tests.
echo "=== system tests (switch: ${MVS_SWITCH:-mvs})"
mkdir -p "$logdir"
found=0
for t in "$top_srcdir"/tests/sys-*.sh; do
    [ -e "$t" ] || continue
    name=$(basename "$t" .sh)
    if [ -n "$filter" ] && ! grep -qE -- "$filter" <<<"$name"; then
        continue
    fi
    found=$((found + 1))
    log=$logdir/$name.log
    start=$(date +%s)
    timeout --kill-after=10 "$timeout" bash "$t" >"$log" 2>&1 </dev/null
    rc=$?
    secs=$(( $(date +%s) - start ))
    case $rc in
        0)  passed=$((passed + 1))
            echo "PASS: $name (${secs}s)" ;;
        77) skipped=$((skipped + 1))
            echo "SKIP: $name ($(grep -m1 'SKIP:' "$log" \
                                  | sed 's/.*SKIP: //'))" ;;
        *)  failed=$((failed + 1))
            failures+=("$name")
            [ "$rc" = 124 ] && rc="timeout after ${timeout}s"
            echo "FAIL: $name (exit $rc, ${secs}s); log $log:"
            sed 's/^/    /' "$log" ;;
    esac
done
if [ -n "$filter" ] && [ "$found" = 0 ]; then
    echo "no system test matches '$filter'"
fi

# 4. Hostile input: fuzzing and sanitizers.  run_step NAME SKIPVAR CMD...
# runs CMD with its output in tests/logs/NAME.log as one counted item.
run_step() {
    local name=$1 skipvar=$2 log=$logdir/$1.log start rc secs
    shift 2
    if [ -n "${!skipvar:-}" ]; then
        skipped=$((skipped + 1))
        echo "SKIP: $name ($skipvar is set)"
        return
    fi
    start=$(date +%s)
    "$@" >"$log" 2>&1 </dev/null
    rc=$?
    secs=$(( $(date +%s) - start ))
    if [ "$rc" = 0 ]; then
        passed=$((passed + 1))
        echo "PASS: $name (${secs}s)"
    else
        failed=$((failed + 1))
        failures+=("$name")
        echo "FAIL: $name (exit $rc, ${secs}s); log $log:"
        sed 's/^/    /' "$log"
    fi
}
if [ -z "$filter" ] && [ "${MVS_SWITCH:-mvs}" = mvs ]; then
    echo "=== hostile input (fuzzing, sanitizers)"
    run_step fuzz MVS_SKIP_FUZZ bash "$top_srcdir/tests/fuzz/run.sh"
    run_step sanitized MVS_SKIP_SAN bash "$top_srcdir/tests/run-sanitized.sh"
fi

summary
