#!/bin/bash
# sys-registers: pipeline metadata works as Open vSwitch's, and nothing a
# controller may use is taken by mvs (issues 12 item 6, 15 item 5, 16
# item 1).
#
#   1. reg0-reg15, metadata and tunnel_id: set in table 0 (set_field, and
#      move from a packet field), matched in table 1; one frame each, and
#      the table-1 rule that must hit counts exactly one packet;
#   2. a register set before a pop_mpls survives the recirculation that
#      the pop needs, and a later table matches on it and on the IP header;
#   3. flow stats give registers back as registers: reg13=0x12345678 is not
#      read as pbb_isid, set_field:0x99->reg13 does not break dump-flows;
#   4. what mvs does not implement, or keeps for itself, is refused with a
#      precise error: a match on ct_state or tun_src (OFPBMC_BAD_FIELD), a
#      set_field of tun_dst (OFPBAC_BAD_SET_TYPE), set_field mpls_bos in a
#      flow whose packets have no MPLS (OFPBAC_MATCH_INCONSISTENT); and
#      mvs-ofctl refuses a carrier field in its text before sending.
. "$(dirname "$0")/lib.sh"
tl_init
[ "$MVS_SWITCH" = mvs ] || skip "checks mvs's own errors"
MVS_OFCTL=$top_builddir/utils/mvs-ofctl

no_ipv6() {
    ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1 || fail "disable IPv6 in $1"
}
add_ns sw-br0
ns=$(sw_ns br0)
no_ipv6 "$ns"
for h in h1 h2; do
    add_host "$h" "10.0.0.${h#h}/24" "$ns"
    no_ipv6 "$(host_ns "$h")"
done
sw_start br0 "$(host_port h1)=1" "$(host_port h2)=2"

# 1. Each register: UDP port 1000+N sets regN to a value of its own, table
# 1 matches it (cookie 0x100+N) and a catch-all (cookie 0xff) counts what
# fell through.
{
    for n in $(seq 0 15); do
        v=$(( (n + 1) * 0x01010101 & 0xffffffff ))
        printf 'table=0,priority=10,in_port=1,udp,tp_dst=%d,actions=set_field:%#x->reg%d,goto_table:1\n' \
            $((1000 + n)) "$v" "$n"
        printf 'table=1,priority=10,cookie=%#x,reg%d=%#x,actions=output:2\n' \
            $((0x100 + n)) "$n" "$v"
    done
    echo 'table=0,priority=10,in_port=1,udp,tp_dst=1100,actions=set_field:0xfeedface->metadata,goto_table:1'
    echo 'table=1,priority=10,cookie=0x120,metadata=0xfeedface,actions=output:2'
    echo 'table=0,priority=10,in_port=1,udp,tp_dst=1101,actions=set_field:0x1234567890->tun_id,goto_table:1'
    echo 'table=1,priority=10,cookie=0x121,tun_id=0x1234567890,actions=output:2'
    # move: the source address into reg5 (the datapath flow then matches
    # the source address exactly).
    echo 'table=0,priority=10,in_port=1,udp,tp_dst=1102,actions=move:NXM_OF_IP_SRC[]->NXM_NX_REG5[],goto_table:1'
    echo 'table=1,priority=20,cookie=0x122,reg5=0x0a000001,actions=output:2'
    # 2. A register across a pop and its recirculation.
    echo 'table=0,priority=10,in_port=1,mpls,mpls_label=300,actions=set_field:0x77->reg3,pop_mpls:0x0800,goto_table:1'
    echo 'table=1,priority=30,cookie=0x123,reg3=0x77,udp,tp_dst=1103,actions=output:2'
    echo 'table=1,priority=0,cookie=0xff,actions=drop'
} >"$TEST_DIR/flows"
check of br0 add-flows "$TEST_DIR/flows"

cat >"$TEST_DIR/send.py" <<'EOF'
import socket, struct, sys
def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
def frame(dport, labels=()):
    payload = b"registers" + bytes(9)
    udp = struct.pack("!HHHH", 4000, dport, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17,
                     0, socket.inet_aton("10.0.0.1"),
                     socket.inet_aton("10.0.0.2"))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    mpls = b"".join(struct.pack("!I", (l << 12) | ((i == len(labels) - 1) << 8)
                                | 64) for i, l in enumerate(labels))
    et = 0x8847 if labels else 0x0800
    return (bytes.fromhex("020000000002020000000001")
            + struct.pack("!H", et) + mpls + ip + udp)
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
for port in range(1000, 1016):
    s.send(frame(port))
for port in (1100, 1101, 1102):
    s.send(frame(port))
s.send(frame(1103, labels=[300]))
EOF
ip netns exec "$(host_ns h1)" "$PYTHON" "$TEST_DIR/send.py" \
    || fail "sender failed"

# cookie_packets COOKIE: n_packets of the flow with that cookie.
cookie_packets() {
    of br0 dump-flows "cookie=$1/-1" | sed -n 's/.*n_packets=\([0-9]*\).*/\1/p'
}
want_all() {
    local c
    for c in $(seq $((0x100)) $((0x10f))) $((0x120)) $((0x121)) $((0x122)) \
             $((0x123)); do
        [ "$(cookie_packets "$(printf '%#x' "$c")")" = 1 ] || return 1
    done
}
if ! wait_for want_all 10; then
    of br0 dump-flows
    fail "a register, metadata or tunnel_id rule did not count exactly one packet"
fi
[ "$(cookie_packets 0xff)" = 0 ] \
    || { of br0 dump-flows; fail "frames fell through table 1"; }
log "reg0-15, metadata, tunnel_id, move and a register across recirculation: one packet each"

# 3. Registers in flow stats.
check of br0 add-flow 'table=2,priority=5,cookie=0x200,reg13=0x12345678,actions=set_field:0x99->reg13,output:2'
out=$(of br0 dump-flows table=2) || fail "dump-flows failed with a reg13 flow"
echo "$out"
grep -q 'reg13=0x12345678' <<<"$out" || fail "reg13 match not given back"
grep -q 'set_field:0x99->reg13' <<<"$out" || fail "reg13 set_field not given back"
grep -q 'pbb_isid' <<<"$(of br0 dump-flows)" && fail "a register read as pbb_isid"
out=$("$MVS_OFCTL" dump-flows "$(sw_target br0)" table=2) \
    || fail "mvs-ofctl dump-flows failed"
grep -q 'reg13=0x12345678.*set_field:0x99->reg13' <<<"$out" \
    || fail "mvs-ofctl: reg13 flow not shown as sent: $out"

# 4. Refusals.  expect_error MATCH ACTIONS TEXT: an os-ken flow-mod must be
# refused with the OpenFlow error TEXT ("type N ... code M").
OFC="$PYTHON $top_srcdir/tests/ofclient.py $(sw_target br0)"
expect_of_error() {
    local what=$1 pattern=$2
    shift 2
    if "$@" >"$TEST_DIR/err.out" 2>&1; then
        fail "$what was accepted"
    fi
    grep -q "$pattern" "$TEST_DIR/err.out" \
        || fail "$what: expected '$pattern', got: $(cat "$TEST_DIR/err.out")"
    log "$what: refused ($pattern)"
}
expect_of_error "match on ct_state" 'OFPBMC_BAD_FIELD' \
    of br0 add-flow 'table=3,ct_state=+trk,actions=drop'
expect_of_error "match on tun_src" 'OFPBMC_BAD_FIELD' \
    of br0 add-flow 'table=3,tun_src=10.0.0.1,actions=drop'
expect_of_error "set_field tun_dst" 'OFPBAC_BAD_SET_TYPE' \
    of br0 add-flow 'table=3,actions=set_field:10.0.0.1->tun_dst'
expect_of_error "load into tun_ipv6_src" 'OFPBAC_BAD_SET_TYPE' \
    of br0 add-flow 'table=3,actions=load:0x1->NXM_NX_TUN_IPV6_SRC[0..31]'
expect_of_error "set_field mpls_bos without MPLS" 'OFPET_BAD_ACTION) code 10' \
    $OFC add-flow 'table=3,priority=1,eth_type=0x0800' 'set_field:mpls_bos=1,output:2'
expect_of_error "mvs-ofctl with tun_src" 'reserved by mvs' \
    "$MVS_OFCTL" add-flow "$(sw_target br0)" 'table=3,tun_src=10.0.0.1,actions=drop'
of br0 dump-flows table=3 | grep -q "table=3" && fail "a refused flow is in table 3"
# The switch kept everything it had.
want_all || fail "counters changed after refused flow-mods"
log "PASS"
