#!/bin/bash
# sys-malformed-of: malformed OpenFlow messages on the switch's listener get
# the precise OFPT_ERROR (tests/of_malformed.py), and the switch keeps
# serving: echo and flow stats answer, the flows installed before are all
# still there, and they still forward.
. "$(dirname "$0")/lib.sh"
tl_init

add_ns sw-br0
ns=$(sw_ns br0)
add_host h1 10.0.0.1/24 "$ns"
add_host h2 10.0.0.2/24 "$ns"
sw_start br0 "$(host_port h1)=1" "$(host_port h2)=2"

check of br0 add-flow "priority=100,cookie=0xc0ffee,in_port=1,actions=output:2"
check of br0 add-flow "priority=100,cookie=0xc0ffef,in_port=2,actions=output:1"
before=$(of br0 dump-flows --no-stats | grep -v reply | sort)

"$PYTHON" "$top_srcdir/tests/of_malformed.py" "$(sw_target br0)" c0ffee \
    || fail "malformed OpenFlow checks failed"

if [ -n "${SW_PID[br0]}" ]; then
    alive "${SW_PID[br0]}" || fail "the switch died"
fi
after=$(of br0 dump-flows --no-stats | grep -v reply | sort)
[ "$before" = "$after" ] \
    || fail "flow table changed: before:
$before
after:
$after"
log "flows preserved:"
echo "$after"
check of br0 show >/dev/null
ping_host h1 10.0.0.2 3 || fail "ping fails after the malformed messages"
log "switch still forwards"
exit 0
