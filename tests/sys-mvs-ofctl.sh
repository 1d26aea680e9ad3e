#!/bin/bash
# sys-mvs-ofctl: drives every mvs-ofctl command against a running bridge
# and checks the switch's state through the real `ovs-ofctl -O OpenFlow13`:
# text output identical to ovs-ofctl's (modulo duration=), --format json
# parses and agrees with the text, replace-flows sends only the difference,
# exit codes 0 / 1 (OpenFlow error) / 2 (usage) / 3 (diff-flows).
. "$(dirname "$0")/lib.sh"
tl_init

MVS_OFCTL=${MVS_OFCTL:-$top_builddir/utils/mvs-ofctl}
[ -x "$MVS_OFCTL" ] || fail "$MVS_OFCTL not built"

add_ns sw-br0
ns=$(sw_ns br0)
p1=$(if_name p1)
p2=$(if_name p2)
add_veth "$p1" "$ns" "$(if_name q1)" "$ns"
add_veth "$p2" "$ns" "$(if_name q2)" "$ns"
sw_start br0 "$p1=1" "$p2=2"

# mo ARGS...: mvs-ofctl on bridge br0 by name, through --rundir.
mo() { "$MVS_OFCTL" --rundir "${SW_DIR[br0]}" "$@"; }
# expect_rc RC CMD...: runs CMD, fails unless it exits RC.
expect_rc() {
    local want=$1 rc
    shift
    "$@" >"$TEST_DIR/out" 2>"$TEST_DIR/err"
    rc=$?
    [ "$rc" = "$want" ] || fail "exit $rc (want $want): $* :: $(cat "$TEST_DIR/err")"
}
nodur() { sed 's/duration=[0-9.]*s/duration=X/g'; }
jsonok() { "$PYTHON" -m json.tool >/dev/null || fail "invalid JSON from $*"; }
br=br0
tgt=$(sw_target br0)

# --- Usage errors exit 2, before any connection. ----------------------
expect_rc 2 "$MVS_OFCTL"
expect_rc 2 "$MVS_OFCTL" no-such-command br0
expect_rc 2 mo add-flow br0
expect_rc 2 mo add-flow br0 "in_port=1,no_such_field=3,actions=drop"
expect_rc 2 mo add-flow br0 "actions=set_field:2->mpls_bos"
expect_rc 2 mo --format=xml dump-flows br0
expect_rc 2 mo --no-such-option show br0
expect_rc 2 mo dump-flows br0 a b
expect_rc 2 mo mod-port br0 1 sideways
expect_rc 2 mo add-flows br0 "$TEST_DIR/no-such-file"
expect_rc 1 "$MVS_OFCTL" --rundir "$TEST_DIR/nowhere" show br0
log "usage errors exit 2"

# --- Read-only dumps: text identical to ovs-ofctl's. -----------------
for c in show dump-desc dump-table-features dump-ports-desc; do
    a=$(mo "$c" br0) || fail "mvs-ofctl $c failed"
    b=$(of br0 "$c") || fail "ovs-ofctl $c failed"
    [ "$a" = "$b" ] || fail "$c differs from ovs-ofctl:
$a
---
$b"
done
# Same through an explicit unix: target.
[ "$("$MVS_OFCTL" show "$tgt")" = "$(of br0 show)" ] \
    || fail "show via $tgt differs"
for c in show dump-desc dump-tables dump-table-features dump-ports \
         dump-ports-desc; do
    mo --format json "$c" br0 | jsonok "$c"
done
mo --format json show br0 | "$PYTHON" -c '
import json, sys
j = json.load(sys.stdin)
names = sorted(p["name"] for p in j["ports"])
assert names == sorted(sys.argv[1:]), names
assert j["config"]["frag"] == "normal"
' "$p1" "$p2" || fail "show --format json disagrees with the switch"
of br0 dump-desc | grep -qF "$(mo --format json dump-desc br0 \
    | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["dp_desc"])')" \
    || fail "dump-desc json dp_desc not in text"
log "show/dump-desc/dump-tables/dump-table-features/dump-ports(-desc) ok"

# --- add-flows FILE, add-flow, dump-flows. ----------------------------
# Matches chosen so that no stray traffic (IPv6 DAD...) hits them.
cat >"$TEST_DIR/flows" <<'EOF'
# comment lines and blank lines are skipped

priority=100,cookie=0x11,tcp,tp_dst=9,actions=output:2
priority=90,cookie=0x12,in_port=1,udp,tp_dst=9,actions=output:2
table=1,priority=80,cookie=0x13,arp,arp_tpa=10.9.9.9,actions=drop
priority=70,cookie=0x14,ip,nw_dst=10.9.9.9,actions=goto_table:1
EOF
check mo add-flows br0 "$TEST_DIR/flows"
[ "$(of br0 dump-flows | grep -c cookie=0x1)" = 4 ] \
    || fail "add-flows: switch has $(of br0 dump-flows)"
echo "priority=60,cookie=0x15,udp,tp_dst=7,actions=output:1" \
    | mo add-flows br0 - || fail "add-flows from stdin"
check mo add-flow br0 "priority=50,cookie=0x16,tcp,tp_dst=7,actions=output:1"
sw_has_flow br0 "cookie=0x15" || fail "stdin flow missing"
sw_has_flow br0 "cookie=0x16" || fail "add-flow flow missing"

a=$(mo dump-flows br0 | nodur)
b=$(of br0 dump-flows | nodur)
[ "$a" = "$b" ] || fail "dump-flows differs from ovs-ofctl:
$a
---
$b"
for args in "table=1" "cookie=0x12/-1" "tcp" "--no-stats" "--sort" \
            "--rsort=priority" "--sort=tp_dst" "--names" ; do
    case $args in
        --*) a=$(mo $args dump-flows br0 | nodur)
             b=$($OFCTL $args dump-flows "$tgt" | nodur) ;;
        *) a=$(mo dump-flows br0 "$args" | nodur)
           b=$(of br0 dump-flows "$args" | nodur) ;;
    esac
    [ "$a" = "$b" ] || fail "dump-flows $args differs:
$a
---
$b"
done
mo dump-flows br0 "cookie=0x12/-1" | grep -q 'cookie=0x12' \
    && ! mo dump-flows br0 "cookie=0x12/-1" | grep -q 'cookie=0x11' \
    || fail "cookie filter"
mo --sort=priority dump-flows br0 | sed -n 's/.*priority=\([0-9]*\).*/\1/p' \
    | sort -c -n || fail "--sort=priority not ascending"
mo --names dump-flows br0 | grep -q "in_port=$p1" \
    || fail "--names does not show the port name"
mo --no-stats dump-flows br0 | grep -q n_packets && fail "--no-stats"

# JSON agrees with the text.
mo --format json dump-flows br0 >"$TEST_DIR/flows.json"
jsonok dump-flows <"$TEST_DIR/flows.json"
mo --no-stats dump-flows br0 >"$TEST_DIR/flows.txt"
"$PYTHON" - "$TEST_DIR/flows.json" "$TEST_DIR/flows.txt" <<'EOF' \
    || fail "dump-flows json and text disagree"
import json, sys
flows = json.load(open(sys.argv[1]))["flows"]
lines = [l.strip() for l in open(sys.argv[2]) if l.strip()]
assert len(flows) == len(lines) == 6, (len(flows), len(lines))
for f, l in zip(flows, lines):
    want = "cookie=%s, " % f["cookie"]
    if f["table_id"]:
        want += "table=%d, " % f["table_id"]
    want += "priority=%d" % f["priority"]
    want += ("," + f["match"] if f["match"] else "")
    want += " actions=" + f["actions"]
    assert l == want, (l, want)
    assert "n_packets" in f and "duration_sec" in f
EOF
mo --format json dump-aggregate br0 | "$PYTHON" -c '
import json, sys; assert json.load(sys.stdin)["flow_count"] == 6' \
    || fail "dump-aggregate json flow_count"
[ "$(mo dump-aggregate br0 | nodur)" = "$(of br0 dump-aggregate | nodur)" ] \
    || fail "dump-aggregate text differs"
mo dump-aggregate br0 table=1 | grep -q 'flow_count=1' \
    || fail "dump-aggregate table=1"
log "add-flow(s), dump-flows (filters, sort, names, json), dump-aggregate ok"

# --- mod-flows, del-flows, --strict. -----------------------------------
check mo mod-flows br0 "tcp,tp_dst=9,actions=output:1"
of br0 dump-flows | grep 'cookie=0x11' | grep -q 'actions=output:1' \
    || fail "mod-flows did not change the actions"
# Strict: a match that only covers flows non-strictly changes nothing.
check mo --strict mod-flows br0 "tcp,actions=drop"
of br0 dump-flows | grep 'cookie=0x11' | grep -q 'actions=output:1' \
    || fail "--strict mod-flows changed a non-identical flow"
check mo --strict del-flows br0 "priority=50,tcp,tp_dst=7"
sw_has_flow br0 "cookie=0x16" && fail "--strict del-flows left the flow"
check mo del-flows br0 "udp"
sw_has_flow br0 "cookie=0x12" && fail "del-flows udp left cookie 0x12"
sw_has_flow br0 "cookie=0x15" && fail "del-flows udp left cookie 0x15"
sw_has_flow br0 "cookie=0x11" || fail "del-flows udp removed tcp flow"
log "mod-flows, del-flows, --strict ok"

# --- replace-flows sends only the difference; diff-flows. ---------------
# Switch now: 0x11 (tcp, output:1), 0x13 (table 1), 0x14.
cat >"$TEST_DIR/new" <<'EOF'
priority=100,cookie=0x11,tcp,tp_dst=9,actions=output:1
table=1,priority=80,cookie=0x13,arp,arp_tpa=10.9.9.9,actions=output:2
priority=40,cookie=0x17,udp,tp_dst=5,actions=drop
EOF
# Expected: 0x11 unchanged (nothing sent), 0x13 changed (add), 0x14 gone
# (delete), 0x17 new (add): 3 flow mods.
mo -vvconn:dbg replace-flows br0 "$TEST_DIR/new" 2>"$TEST_DIR/replace.log" \
    || fail "replace-flows failed: $(cat "$TEST_DIR/replace.log")"
n=$(grep -c 'sent (Success): OFPT_FLOW_MOD' "$TEST_DIR/replace.log")
[ "$n" = 3 ] || fail "replace-flows sent $n flow mods, not 3"
expect_rc 0 mo diff-flows br0 "$TEST_DIR/new"
[ "$(of br0 dump-flows | grep -c cookie=)" = 3 ] || fail "replace-flows result"
check of br0 add-flow "priority=1,cookie=0x99,udp,tp_dst=3,actions=drop"
expect_rc 3 mo diff-flows br0 "$TEST_DIR/new"
grep -q '^-priority=1,udp,tp_dst=3 cookie=0x99 actions=drop' "$TEST_DIR/out" \
    || fail "diff-flows output: $(cat "$TEST_DIR/out")"
mo -vvconn:dbg replace-flows br0 "$TEST_DIR/new" 2>"$TEST_DIR/replace.log"
n=$(grep -c 'sent (Success): OFPT_FLOW_MOD' "$TEST_DIR/replace.log")
[ "$n" = 1 ] || fail "second replace-flows sent $n flow mods, not 1"
log "replace-flows (3 then 1 flow mods), diff-flows ok"

# --- OpenFlow errors exit 1 and print the error as ovs-ofctl does. -----
expect_rc 1 mo add-flow br0 "table=254,actions=drop"
grep -q 'OFPT_ERROR' "$TEST_DIR/err" || fail "no OFPT_ERROR printed"
log "OpenFlow error exits 1: $(head -n 1 "$TEST_DIR/err")"

# --- Ports: mod-port, dump-ports, packet-out. ---------------------------
check mo mod-port br0 "$p2" down
of br0 dump-ports-desc | grep -A1 "($p2)" >/dev/null
of br0 dump-ports-desc | grep -A2 "^ 2(" | grep -q PORT_DOWN \
    || fail "mod-port down not applied"
mo --format json dump-ports-desc br0 2 | "$PYTHON" -c '
import json, sys
p = [p for p in json.load(sys.stdin)["ports"] if p["port_no"] == 2]
assert "PORT_DOWN" in p[0]["config"]' \
    || fail "dump-ports-desc json lacks PORT_DOWN"
check mo mod-port br0 2 up
of br0 dump-ports-desc | grep -A2 "^ 2(" | grep -q PORT_DOWN \
    && fail "mod-port up not applied"
check mo mod-port br0 2 no-flood
# mvsd accepts OFPPC_NO_FLOOD but does not report it yet: only log.
of br0 dump-ports-desc | grep -A2 "^ 2(" | grep -q NO_FLOOD \
    || log "note: switch accepted no-flood but does not report NO_FLOOD"
check mo mod-port br0 2 flood

tx() {
    mo --format json dump-ports br0 2 | "$PYTHON" -c '
import json, sys; print(json.load(sys.stdin)["ports"][0]["tx_packets"])'
}
before=$(tx)
pkt=ffffffffffff0200000000010806000108000604000102000000000a0a000001000000000000000a0a0002
check mo packet-out br0 "in_port=controller packet=$pkt actions=output:2"
wait_for '[ "$(tx)" -gt "$before" ]' 5 || fail "packet-out: tx_packets on 2 still $before"
mo dump-ports br0 2 | grep -q 'port  2:' || fail "dump-ports text"
log "mod-port, dump-ports(-desc), packet-out ok"

# --- monitor prints packet-ins. ----------------------------------------
start_daemon monitor "$MVS_OFCTL" --rundir "${SW_DIR[br0]}" monitor br0 65535
mon=$LAST_PID
wait_for "grep -q monitoring '$TEST_DIR/monitor.log'" 5 \
    || fail "monitor did not start: $(cat "$TEST_DIR/monitor.log")"
check mo packet-out br0 "in_port=1 packet=$pkt actions=controller"
if wait_for "grep -q OFPT_PACKET_IN '$TEST_DIR/monitor.log'" 5; then
    log "monitor printed a packet-in"
else
    fail "monitor printed no packet-in: $(cat "$TEST_DIR/monitor.log")"
fi
stop_daemon "$mon"

# --- MPLS actions ovs-ofctl rejects. -------------------------------------
mpls="copy_ttl_out,set_field:1->mpls_bos,copy_ttl_in,output:2"
"$MVS_OFCTL" --rundir "${SW_DIR[br0]}" add-flow br0 \
    "priority=33,cookie=0x33,mpls,actions=$mpls" 2>"$TEST_DIR/err"
case $? in
    0) mo dump-flows br0 cookie=0x33/-1 | grep -qF "actions=$mpls" \
           || fail "MPLS actions not printed back: $(mo dump-flows br0)"
       mo --format json dump-flows br0 cookie=0x33/-1 | grep -qF "$mpls" \
           || fail "MPLS actions not in json"
       check mo del-flows br0 cookie=0x33/-1
       log "switch accepted copy_ttl_*/mpls_bos, printed back" ;;
    1) grep -q OFPT_ERROR "$TEST_DIR/err" || fail "MPLS: $(cat "$TEST_DIR/err")"
       log "switch rejects copy_ttl_*/mpls_bos: $(head -n1 "$TEST_DIR/err")" ;;
    *) fail "MPLS add-flow exited $?" ;;
esac

# --- Groups, meters, bundles: state if supported, else exit 1. ---------
# supported_or_error WHAT CMD...: true if CMD worked; fails unless it
# either worked or exited 1 with an OpenFlow error.
supported_or_error() {
    local what=$1 rc
    shift
    "$@" >"$TEST_DIR/out" 2>"$TEST_DIR/err"
    rc=$?
    case $rc in
        0) return 0 ;;
        1) grep -q OFPT_ERROR "$TEST_DIR/err" \
               || fail "$what: exit 1 without OpenFlow error: $(cat "$TEST_DIR/err")"
           log "$what: switch says $(head -n1 "$TEST_DIR/err")"
           return 1 ;;
        *) fail "$what exited $rc: $(cat "$TEST_DIR/err")" ;;
    esac
}
if supported_or_error add-group mo add-group br0 "group_id=7,type=all,bucket=output:1"; then
    of br0 dump-groups | grep -q 'group_id=7' || fail "add-group not on switch"
    [ "$(mo dump-groups br0)" = "$(of br0 dump-groups)" ] || fail "dump-groups text"
    mo --format json dump-groups br0 | "$PYTHON" -c '
import json, sys; g = json.load(sys.stdin)["groups"]
assert [x["group_id"] for x in g] == [7] and g[0]["type"] == "all"' \
        || fail "dump-groups json"
    check mo mod-group br0 "group_id=7,type=all,bucket=output:2"
    of br0 dump-groups | grep -q 'output:2' || fail "mod-group"
    echo "group_id=8,type=all,bucket=output:2" >"$TEST_DIR/groups"
    check mo add-groups br0 "$TEST_DIR/groups"
    of br0 dump-groups | grep -q 'group_id=8' || fail "add-groups"
    supported_or_error dump-group-stats mo --format json dump-group-stats br0 \
        && { jsonok dump-group-stats <"$TEST_DIR/out"; }
    check mo del-groups br0 group_id=7
    of br0 dump-groups | grep -q 'group_id=7' && fail "del-groups"
    check mo del-groups br0
else
    expect_rc 1 mo dump-groups br0
fi
if supported_or_error add-meter mo add-meter br0 "meter=1,kbps,band=type=drop,rate=100"; then
    of br0 dump-meters | grep -q 'meter=1' || fail "add-meter not on switch"
    check mo mod-meter br0 "meter=1,kbps,band=type=drop,rate=200"
    mo --format json dump-meters br0 | jsonok dump-meters
    mo --format json meter-stats br0 | jsonok meter-stats
    check mo del-meters br0
else
    supported_or_error dump-meters mo dump-meters br0 || true
    supported_or_error meter-stats mo meter-stats br0 || true
fi
if supported_or_error --bundle mo --bundle add-flow br0 "priority=9,cookie=0x9,udp,tp_dst=1,actions=drop"; then
    sw_has_flow br0 "cookie=0x9" || fail "--bundle add-flow not applied"
else
    sw_has_flow br0 "cookie=0x9" && fail "failed bundle still added the flow"
fi
log "groups, meters, --bundle ok"

check mo del-flows br0
[ -z "$(of br0 dump-flows | grep cookie=)" ] || fail "del-flows left flows"
log "all mvs-ofctl checks passed"
exit 0
