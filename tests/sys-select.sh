#!/bin/bash
# sys-select: a select group shares traffic on the wire by weight, a flow
# keeps its bucket, weight 0 gets nothing, and MPLS traffic spreads by its
# labels, or by its entropy label when it has one (issue 12 item 5, issue
# 15 item 7).  One bridge: h1 (port 1) sends, h2/h3/h4 (ports 2-4) are
# the group's buckets with weights 1, 2 and 0.
#
#   1. 3000 UDP flows (distinct source ports): h2 and h3 receive 1:2 of
#      them, each within 10%, h4 none; bucket counters agree;
#   2. the same 3000 frames again: every host receives exactly what it
#      received the first time, frame for frame (each flow kept its
#      bucket, through the datapath's cached flows too);
#   3. 600 MPLS frames with 12 entropy labels (ELI 7 + EL) under 600
#      different top labels: every frame of one EL reaches one host, and
#      the ELs spread over both weighted buckets;
#      600 frames with distinct bottom labels and no EL spread over h2 and
#      h3 (each at least a fifth).
. "$(dirname "$0")/lib.sh"
tl_init
[ "$MVS_SWITCH" = mvs ] || skip "Open vSwitch hashes MPLS on L2 only"
command -v tcpdump >/dev/null 2>&1 || skip "missing tool: tcpdump"

no_ipv6() {
    ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1 || fail "disable IPv6 in $1"
}
add_ns sw-br0
ns=$(sw_ns br0)
no_ipv6 "$ns"
for h in h1 h2 h3 h4; do
    add_host "$h" "10.0.0.${h#h}/24" "$ns"
    no_ipv6 "$(host_ns "$h")"
done
sw_start br0 "$(host_port h1)=1" "$(host_port h2)=2" "$(host_port h3)=3" \
    "$(host_port h4)=4"
check of br0 add-group 'group_id=1,type=select,bucket=weight:1,output:2,bucket=weight:2,output:3,bucket=weight:0,output:4'
check of br0 add-flow 'in_port=1,actions=group:1'

cat >"$TEST_DIR/send.py" <<'EOF'
import socket, struct, sys
kind, n = sys.argv[1], int(sys.argv[2])
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
def udp(sport):
    payload = b"select" + bytes(12)
    u = struct.pack("!HHHH", sport, 53, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(u), 1, 0, 64, 17, 0,
                     socket.inet_aton("10.0.0.1"), socket.inet_aton("10.9.9.9"))
    return ip[:10] + struct.pack("!H", csum(ip)) + ip[12:] + u
def mpls(labels):
    return b"".join(struct.pack("!I", (l << 12) | ((i == len(labels) - 1) << 8)
                                | 64) for i, l in enumerate(labels))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
for i in range(n):
    if kind == "udp":
        f = bytes.fromhex("0200000000aa020000000001") + b"\x08\x00" + udp(10000 + i)
    elif kind == "el":
        f = (bytes.fromhex("0200000000aa020000000001") + b"\x88\x47"
             + mpls([1000 + i, 7, 5000 + i % 12, 16]) + udp(1))
    else:
        f = (bytes.fromhex("0200000000aa020000000001") + b"\x88\x47"
             + mpls([100, 2000 + i]) + udp(1))
    s.send(f)
EOF

# run KIND N: sends N frames of KIND from h1, capturing on h2-h4; sets
# got_h2.. to the received counts and leaves the captures in KIND.hN.
run() {
    local kind=$1 n=$2 h
    for h in h2 h3 h4; do
        capture "$kind.$h" "$(host_ns $h)" eth0 "$n" ether src 02:00:00:00:00:01
    done
    ip netns exec "$(host_ns h1)" "$PYTHON" "$TEST_DIR/send.py" "$kind" "$n" \
        || fail "sender failed"
    # Everything sent arrives somewhere: wait until the three add up.
    total() {
        local t=0 h c
        for h in h2 h3 h4; do
            c=$(tcpdump -nr "$TEST_DIR/$kind.$h.pcap" 2>/dev/null | wc -l)
            t=$((t + c))
        done
        echo "$t"
    }
    wait_for "[ \$(total) -ge $n ]" 20 || log "only $(total) of $n arrived"
    for h in h2 h3 h4; do
        stop_daemon "${CAP_PID[$kind.$h]}"
        eval "got_$h=$(tcpdump -nr "$TEST_DIR/$kind.$h.pcap" 2>/dev/null | wc -l)"
    done
    log "$kind x$n: h2 $got_h2, h3 $got_h3, h4 $got_h4"
}

# 1. Weights.
run udp 3000
[ $((got_h2 + got_h3 + got_h4)) = 3000 ] || fail "frames lost"
[ "$got_h4" = 0 ] || fail "weight 0 bucket got $got_h4 frames"
[ "$got_h2" -ge 900 ] && [ "$got_h2" -le 1100 ] \
    || fail "weight 1 bucket got $got_h2 of 3000 (want 1000 +- 10%)"
[ "$got_h3" -ge 1800 ] && [ "$got_h3" -le 2200 ] \
    || fail "weight 2 bucket got $got_h3 of 3000 (want 2000 +- 10%)"
of br0 dump-group-stats | tee "$TEST_DIR/gs"
grep -q "bucket0:packet_count=$got_h2," "$TEST_DIR/gs" \
    && grep -q "bucket1:packet_count=$got_h3," "$TEST_DIR/gs" \
    && grep -q "bucket2:packet_count=0," "$TEST_DIR/gs" \
    || fail "bucket counters disagree with the wire"

# 2. Stickiness: the same flows, through cached datapath flows now.
ports() { tcpdump -nr "$1" 2>/dev/null | sed -n 's/.*\.\([0-9]*\) > 10.9.9.9.*/\1/p' | sort -n; }
for h in h2 h3; do ports "$TEST_DIR/udp.$h.pcap" >"$TEST_DIR/first.$h"; done
rm -f "$TEST_DIR"/udp.h*.pcap
run udp 3000
for h in h2 h3; do
    ports "$TEST_DIR/udp.$h.pcap" >"$TEST_DIR/second.$h"
    cmp -s "$TEST_DIR/first.$h" "$TEST_DIR/second.$h" \
        || fail "flows changed bucket between two sends ($h)"
done
log "every flow kept its bucket"

# 3. MPLS: entropy labels decide when present.
run el 600
for h in h2 h3; do
    tcpdump -nr "$TEST_DIR/el.$h.pcap" -e 2>/dev/null \
        | grep -o 'label 50[01][0-9]' | sort -u >"$TEST_DIR/els.$h"
done
if [ -n "$(comm -12 "$TEST_DIR/els.h2" "$TEST_DIR/els.h3")" ]; then
    fail "one entropy label reached both buckets"
fi
[ "$got_h4" = 0 ] || fail "weight 0 bucket got MPLS frames"
[ -s "$TEST_DIR/els.h2" ] && [ -s "$TEST_DIR/els.h3" ] \
    || fail "12 entropy labels did not spread over the two buckets"
log "each entropy label on one bucket: h2 $(tr '\n' ' ' <"$TEST_DIR/els.h2"), h3 $(tr '\n' ' ' <"$TEST_DIR/els.h3")"
run plain 600
[ "$got_h2" -ge 120 ] && [ "$got_h3" -ge 240 ] \
    || fail "MPLS without an entropy label did not spread: h2 $got_h2, h3 $got_h3"
log "PASS"
