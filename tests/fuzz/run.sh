#!/bin/bash
# tests/fuzz/run.sh: builds the libFuzzer targets and runs each one for a
# bounded time; fails on any finding.
#
#   bash tests/fuzz/run.sh [TARGET...]       (default: all of them)
#
# For each target NAME (fuzz-NAME.c):
#  1. replays every input in tests/fuzz/regress-NAME/ (past findings, and
#     the seeds of tests/fuzz/corpus-NAME/): each must run clean;
#  2. fuzzes for MVS_FUZZ_SECONDS seconds (default 60), starting from the
#     seed corpus tests/fuzz/corpus-NAME/ plus what earlier runs found
#     (kept in tests/fuzz/build/work-NAME/, never committed).
# Targets run MVS_FUZZ_JOBS at a time (default: the number of CPUs).  A
# crash, sanitizer report, leak, timeout (-timeout=10 s per input) or out of
# memory (2 GiB) is a finding: the input libFuzzer saved is copied into
# tests/fuzz/regress-NAME/ (commit it with the fix: from then on it is
# replayed by step 1) and the run fails.  Output goes to
# tests/logs/fuzz-NAME.log; one line per target is printed.
#
# Reproduce a finding by hand:
#     tests/fuzz/build/fuzz-NAME tests/fuzz/regress-NAME/FILE
set -u
top_srcdir=$(cd "$(dirname "$0")/../.." && pwd)
fuzzdir=$top_srcdir/tests/fuzz
build=$fuzzdir/build
logdir=$top_srcdir/tests/logs
secs=${MVS_FUZZ_SECONDS:-60}
jobs=${MVS_FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
targets=${*:-"dp-parse ofp-ext openflow nftc nlio groups"}

# Largest input per target: frames with action lists; one message; a
# conversation of messages; flow-mods followed by netlink answers.
declare -A max_len=(
    [dp-parse]=4096 [ofp-ext]=4096 [openflow]=8192 [nftc]=4096
    [nlio]=8192 [groups]=8192
)

mkdir -p "$logdir"
blog=$logdir/fuzz-build.log
# shellcheck disable=SC2086
if ! MVS_FUZZ_TARGETS="$(printf 'fuzz-%s ' $targets)" \
        bash "$fuzzdir/build.sh" "$build" >"$blog" 2>&1; then
    echo "fuzz: FAIL: build; $blog:"
    tail -n 40 "$blog" | sed 's/^/    /'
    exit 1
fi

# run_target NAME: replay, then fuzz.  Exit status 0 if clean.
run_target() {
    local name=$1 bin=$build/fuzz-$1 log=$logdir/fuzz-$1.log
    local regress=$fuzzdir/regress-$1 corpus=$fuzzdir/corpus-$1
    local work=$build/work-$1 art=$build/artifacts-$1 inputs rc
    local opts=(-timeout=10 -rss_limit_mb=2048 -max_len="${max_len[$1]}")

    : >"$log"
    mkdir -p "$work" "$art" "$regress" "$corpus"
    rm -f "$art"/*

    # 1. Regressions and seeds, each input once.
    inputs=$(find "$regress" "$corpus" -type f ! -name '.*' | sort)
    if [ -n "$inputs" ]; then
        # shellcheck disable=SC2086
        "$bin" "${opts[@]}" -artifact_prefix="$art/" $inputs >>"$log" 2>&1
        rc=$?
        if [ $rc != 0 ]; then
            echo "replay of regress-$1/ and corpus-$1/ failed (exit $rc)" \
                >>"$log"
            return 1
        fi
    fi

    # 2. Fuzzing.
    "$bin" "${opts[@]}" -max_total_time="$secs" -print_final_stats=1 \
        -artifact_prefix="$art/" "$work" "$corpus" >>"$log" 2>&1
    rc=$?
    local found
    found=$(find "$art" -type f | head -n 5)
    if [ $rc != 0 ] || [ -n "$found" ]; then
        local f
        for f in $found; do
            cp "$f" "$regress/$(basename "$f")"
            echo "finding saved as $regress/$(basename "$f")" >>"$log"
        done
        return 1
    fi
    return 0
}

failed=0
declare -A pids
for t in $targets; do
    [ -f "$fuzzdir/fuzz-$t.c" ] || { echo "fuzz: no target fuzz-$t"; exit 1; }
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
        wait -n
    done
    run_target "$t" &
    pids[$t]=$!
done
for t in $targets; do
    wait "${pids[$t]}"
    rc=$?
    log=$logdir/fuzz-$t.log
    stats=$(grep -E '^stat::number_of_executed_units' "$log" \
            | awk '{print $2}')
    n_regress=$(find "$fuzzdir/regress-$t" -type f ! -name '.*' | wc -l)
    if [ $rc = 0 ]; then
        echo "fuzz: PASS: $t (${secs}s, ${stats:-?} inputs, $n_regress" \
             "regression inputs replayed)"
    else
        failed=$((failed + 1))
        echo "fuzz: FAIL: $t; $log:"
        grep -E -B2 -A30 'ERROR|runtime error|SUMMARY|abort|finding saved|failed' \
            "$log" | grep -v '^INFO' | head -n 60 | sed 's/^/    /'
    fi
done
[ "$failed" = 0 ]
