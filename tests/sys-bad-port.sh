#!/bin/bash
# sys-bad-port: `mvsd --port doesnotexist0` is a clean startup error: exit
# code 1, a message naming the interface, and no socket or pidfile left
# behind; the same with --detach (the parent reports the child's failure).
# An unknown option is exit 1 too.  mvsd's command line only: skipped for
# MVS_SWITCH=ovs.
. "$(dirname "$0")/lib.sh"
[ "$MVS_SWITCH" = ovs ] && skip "tests mvsd's command line, not OVS's"
tl_init

# A fresh namespace, so that the interface surely does not exist.
add_ns sw-bad
ns=$(ns_name sw-bad)
run=$TEST_DIR/run
mkdir -p "$run"

# leftovers: sockets and pidfiles under the run directory.
leftovers() { find "$run" \( -type s -o -name '*.pid' \) -print; }

try_bad_port() {
    local what=$1 rc
    shift
    timeout 20 ip netns exec "$ns" "$MVSD" --bridge br0 --rundir "$run" \
        --port doesnotexist0 --pidfile="$run/br0.pid" "$@" \
        >"$TEST_DIR/out" 2>&1 </dev/null
    rc=$?
    cat "$TEST_DIR/out"
    [ "$rc" != 124 ] || fail "$what: mvsd still running after 20 s"
    [ "$rc" = 1 ] || fail "$what: exit code $rc, expected 1"
    grep -q doesnotexist0 "$TEST_DIR/out" \
        || fail "$what: the error does not name the interface"
    [ -z "$(leftovers)" ] || fail "$what: left behind: $(leftovers)"
    log "$what: exit 1, names the interface, nothing left behind"
}

try_bad_port "--port doesnotexist0"
try_bad_port "--port doesnotexist0 --detach" --detach

# The default pidfile location (--pidfile with no argument) too.
timeout 20 ip netns exec "$ns" "$MVSD" --bridge br0 --rundir "$run" \
    --port doesnotexist0 --pidfile >"$TEST_DIR/out" 2>&1 </dev/null
rc=$?
[ "$rc" = 1 ] || fail "--pidfile (default path): exit code $rc, expected 1"
[ -z "$(leftovers)" ] || fail "--pidfile (default path): left $(leftovers)"

timeout 20 "$MVSD" --no-such-option >"$TEST_DIR/out" 2>&1 </dev/null
rc=$?
cat "$TEST_DIR/out"
[ "$rc" = 1 ] || fail "unknown option: exit code $rc, expected 1"
grep -q 'no-such-option' "$TEST_DIR/out" \
    || fail "unknown option: the error does not name the option"
log "unknown option: exit 1"
exit 0
