#!/bin/bash
# sys-ofctl-ext: mvs-ofctl and mvsd --flows read and write all seven
# OpenFlow 1.3 extensions libopenvswitch lacks (copy_ttl_out, copy_ttl_in,
# push_pbb, pop_pbb, set_field mpls_bos and pbb_isid, matches on pbb_isid
# and ipv6_exthdr), in flows, in bundles, in group buckets and in
# packet-outs, and the switch carries them out wherever they come
# (issue 16 item 1, issue 15 item 4):
#
#   - a --flows file with extensions is loaded at start;
#   - flows with every extension go in with mvs-ofctl add-flow and
#     --bundle add-flows, and dump-flows (text and json) gives each back
#     exactly as written;
#   - a group whose bucket pushes a label, sets its TTL to 200 and then
#     copy_ttl_out: the frame on the wire carries the IP TTL (64), so the
#     bucket's copy ran; dump-groups (text, json) gives the bucket back;
#   - a packet-out with push_pbb and set_field pbb_isid: the backbone frame
#     on the wire carries the I-SID.
. "$(dirname "$0")/lib.sh"
tl_init
[ "$MVS_SWITCH" = mvs ] || skip "Open vSwitch has none of these extensions"
command -v tcpdump >/dev/null 2>&1 || skip "missing tool: tcpdump"
MVS_OFCTL=$top_builddir/utils/mvs-ofctl

add_ns sw-br0
ns=$(sw_ns br0)
for n in "$ns"; do
    ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
done
add_host h1 10.0.0.1/24 "$ns"
add_host h2 10.0.0.2/24 "$ns"
for h in h1 h2; do
    ip netns exec "$(host_ns $h)" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
done
cat >"$TEST_DIR/start.flows" <<'EOF'
# Loaded by mvsd at start: extensions in a flow file.
priority=50,cookie=0x50,dl_type=0x88e7,pbb_isid=0x10,actions=pop_pbb,output:1
EOF
sw_start --flows "$TEST_DIR/start.flows" br0 "$(host_port h1)=1" \
    "$(host_port h2)=2"
mo() { "$MVS_OFCTL" "$@"; }
T=$(sw_target br0)

mo dump-flows "$T" | grep -q 'cookie=0x50.*pbb_isid=0x10.*actions=pop_pbb,output:1' \
    || fail "--flows file with pbb_isid/pop_pbb: $(mo dump-flows "$T")"

# Every extension, written and read back: the match fields (each as
# written, in libopenvswitch's order) and the actions (exactly).
declare -A match=(
    [0x61]='mpls'
    [0x62]='pbb_isid=0x123400/0xffff00 dl_type=0x88e7'
    [0x63]='ipv6 ipv6_exthdr=0x40/0x40'
    [0x64]='udp tp_dst=7'
    [0x65]='mpls'
)
declare -A actions=(
    [0x61]='copy_ttl_out,copy_ttl_in,set_field:0->mpls_bos,output:2'
    [0x62]='set_field:0x654321->pbb_isid,pop_pbb,output:2'
    [0x63]='output:2'
    [0x64]='push_pbb:0x88e7,set_field:0x1->pbb_isid,output:2'
    [0x65]='write_actions(copy_ttl_in,set_field:1->mpls_bos,output:2)'
)
flow_text() {
    echo "cookie=$1,priority=$(( $1 & 0xff )),$(tr ' ' , <<<"${match[$1]}"),actions=${actions[$1]}"
}
for c in 0x61 0x62 0x63; do
    check mo add-flow "$T" "$(flow_text $c)"
done
: >"$TEST_DIR/bundle.flows"
for c in 0x64 0x65; do
    flow_text $c >>"$TEST_DIR/bundle.flows"
done
check mo --bundle add-flows "$T" "$TEST_DIR/bundle.flows"
mo dump-flows "$T" >"$TEST_DIR/dump"
cat "$TEST_DIR/dump"
for c in "${!actions[@]}"; do
    line=$(grep "cookie=$c," "$TEST_DIR/dump") || fail "flow $c missing"
    [ "${line##* actions=}" = "${actions[$c]}" ] \
        || fail "flow $c: actions ${line##* actions=}, not ${actions[$c]}"
    for m in ${match[$c]}; do
        grep -qE "[ ,]$m[ ,]" <<<"$line" || fail "flow $c: no $m in $line"
    done
done
mo --format json dump-flows "$T" >"$TEST_DIR/dump.json"
"$PYTHON" - "$TEST_DIR/dump.json" <<'PY' || fail "json dump-flows"
import json, sys
flows = {f["cookie"]: f for f in json.load(open(sys.argv[1]))["flows"]}
assert "pop_pbb" in flows["0x62"]["actions"], flows["0x62"]
assert "pbb_isid=0x123400/0xffff00" in flows["0x62"]["match"], flows["0x62"]
assert "ipv6_exthdr=0x40/0x40" in flows["0x63"]["match"], flows["0x63"]
assert "copy_ttl_in" in flows["0x65"]["actions"], flows["0x65"]
PY
log "flows with every extension given back (text, json, --bundle)"

# A group bucket with copy_ttl_out, on the wire.
check mo add-group "$T" 'group_id=1,type=all,bucket=push_mpls:0x8847,set_field:100->mpls_label,set_mpls_ttl:200,copy_ttl_out,output:2'
mo dump-groups "$T" | grep -qF 'set_mpls_ttl(200),copy_ttl_out,output:2' \
    || fail "dump-groups: $(mo dump-groups "$T")"
mo --format json dump-groups "$T" | grep -q 'copy_ttl_out' \
    || fail "json dump-groups lost copy_ttl_out"
check mo add-flow "$T" 'priority=70,in_port=1,udp,tp_dst=5,actions=group:1'

capture grp "$(host_ns h2)" eth0 1 mpls
ip netns exec "$(host_ns h1)" "$PYTHON" -c "
from scapy.all import Ether, IP, UDP, Raw, sendp
sendp(Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')
      / IP(src='10.0.0.1', dst='10.0.0.2', ttl=64) / UDP(sport=9, dport=5)
      / Raw(b'group-copy-ttl'), iface='eth0', verbose=0)" \
    || fail "scapy sender failed"
capture_end grp
"$PYTHON" - "$TEST_DIR/grp.pcap" <<'PY' || fail "group bucket frame wrong"
import sys
from scapy.all import rdpcap, raw
f = rdpcap(sys.argv[1])
assert f, "no frame"
b = raw(f[0])
assert b[12:14] == b"\x88\x47", b[12:14].hex()
lse = int.from_bytes(b[14:18], "big")
assert lse >> 12 == 100 and lse & 0x100, hex(lse)
assert lse & 0xff == 64, ("label TTL %d: copy_ttl_out did not run"
                          % (lse & 0xff))
print("group bucket: label 100, TTL 64 copied from IP")
PY

# A packet-out with push_pbb and set_field pbb_isid, on the wire.
pkt=$("$PYTHON" -c "
from scapy.all import Ether, IP, UDP, Raw, raw
print(raw(Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')
          / IP(src='10.0.0.1', dst='10.0.0.2') / UDP(sport=1, dport=2)
          / Raw(b'packet-out-pbb')).hex())")
capture po "$(host_ns h2)" eth0 1 ether proto 0x88e7
check mo packet-out "$T" "in_port=controller packet=$pkt actions=push_pbb:0x88e7,set_field:0xabcdef->pbb_isid,output:2"
capture_end po
"$PYTHON" - "$TEST_DIR/po.pcap" <<'PY' || fail "packet-out frame wrong"
import sys
from scapy.all import rdpcap, raw
b = raw(rdpcap(sys.argv[1])[0])
assert b[12:14] == b"\x88\xe7", b[12:14].hex()
assert int.from_bytes(b[14:18], "big") & 0xffffff == 0xabcdef, b[14:18].hex()
assert b"packet-out-pbb" in b
print("packet-out: push_pbb, I-SID 0xabcdef")
PY
log "PASS"
