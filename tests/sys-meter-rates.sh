#!/bin/bash
# sys-meter-rates: meters hold their rate on the wire (issue 12 item 4).
# Drop and dscp_remark bands at 100 / 1000 / 10000 packets/s and at 10 and
# 100 Mbit/s, each offered about twice its rate, the streams of one band
# type at once; the receiver's nf_tables counters (in h2's own namespace)
# measure each over a 10 s window after a warm-up.  A band must pass its
# rate within 5%; a dscp_remark band must pass all of the offered traffic
# (within 1%), the part within the rate with its DSCP intact (24, CS3) and
# the rest remarked (16: the precedence lowered by prec_level 1, what
# os-ken's switch tester expects), both within 5%.  IPv6 is remarked the
# same way.  "Offered" is what the sender sent within the window, and it
# must be at least 1.3 times the rate, or the band was not tested.
. "$(dirname "$0")/lib.sh"
tl_init
[ "$MVS_SWITCH" = mvs ] || skip "Open vSwitch's userspace datapath has no dscp_remark band"
command -v nft >/dev/null 2>&1 || skip "missing tool: nft"

WARMUP=${MVS_METER_WARMUP:-2}
WINDOW=${MVS_METER_WINDOW:-10}
add_ns sw-br0
ns=$(sw_ns br0)
add_host h1 10.0.0.1/24 "$ns"
add_host h2 10.0.0.2/24 "$ns"
sw_start br0 "$(host_port h1)=1" "$(host_port h2)=2"

# meters BASE TYPE: meters BASE+1..BASE+5 with TYPE bands at the five
# rates and their flows, UDP ports 1000+BASE+1...  Meter 16: IPv6,
# dscp_remark at 1000 packets/s, port 1016.
rates="pktps:100 pktps:1000 pktps:10000 kbps:10000 kbps:100000"
meters() {
    local base=$1 type=$2 i=0 r unit rate extra=""
    [ "$type" = dscp_remark ] && extra=",prec_level=1"
    for r in $rates; do
        i=$((i + 1))
        unit=${r%%:*} rate=${r#*:}
        check of br0 add-meter \
            "meter=$((base + i)),$unit,band=type=$type,rate=$rate$extra"
        check of br0 add-flow \
            "priority=10,udp,in_port=1,tp_dst=$((1000 + base + i)),actions=meter:$((base + i)),output:2"
    done
}
meters 0 drop
meters 10 dscp_remark
check of br0 add-meter "meter=16,pktps,band=type=dscp_remark,rate=1000,prec_level=1"
check of br0 add-flow \
    "priority=10,udp6,in_port=1,tp_dst=1016,actions=meter:16,output:2"

# Counters on h2's ingress, per port and DSCP.
{
    echo "table netdev cnt {"
    echo "  chain in {"
    echo "    type filter hook ingress device eth0 priority 0;"
    for p in 1001 1002 1003 1004 1005; do
        echo "    udp dport $p counter comment \"d$p\""
    done
    for p in 1011 1012 1013 1014 1015; do
        for d in 24 16; do
            echo "    ip dscp $d udp dport $p counter comment \"r$p-$d\""
        done
    done
    for d in 24 16; do
        echo "    ip6 dscp $d udp dport 1016 counter comment \"r6-$d\""
    done
    echo "  }"
    echo "}"
} >"$TEST_DIR/cnt.nft"
check ip netns exec "$(host_ns h2)" nft -f "$TEST_DIR/cnt.nft"
ip netns exec "$(host_ns h2)" sysctl -qw net.ipv6.conf.eth0.disable_ipv6=1

GEN="$PYTHON $top_srcdir/tests/meter_rates.py"
# phase NAME STREAM...: offers the streams for warm-up + window + 1 s and
# measures them; the results land in NAME.rates.
phase() {
    local name=$1
    shift
    ip netns exec "$(host_ns h2)" $GEN count cnt "$WARMUP" "$WINDOW" \
        >"$TEST_DIR/$name.rates" 2>&1 &
    local reader=$!
    ip netns exec "$(host_ns h1)" $GEN send eth0 "$WARMUP" "$WINDOW" "$@" \
        >"$TEST_DIR/$name.sent" \
        || fail "sender failed: $(cat "$TEST_DIR/$name.sent")"
    wait "$reader" || fail "counter reader failed: $(cat "$TEST_DIR/$name.rates")"
    cat "$TEST_DIR/$name.sent" "$TEST_DIR/$name.rates"
}
# Twice each rate: 100-byte frames for the packet rates, 1500-byte frames
# for the bit rates (1750/s is 21 Mbit/s, 17500/s 210 Mbit/s).
phase drop 1001:200:100:24 1002:2000:100:24 1003:20000:64:24 \
    1004:1750:1500:24 1005:17500:1500:24
phase remark 1011:200:100:24 1012:2000:100:24 1013:20000:64:24 \
    1014:1750:1500:24 1015:17500:1500:24 1016:2000:100:24:6

"$PYTHON" - "$TEST_DIR" <<'PY' || fail "a meter missed its rate"
import re
import sys
d = sys.argv[1]
def load(name):
    r = {}
    for line in open("%s/%s.rates" % (d, name)):
        k, pps, kbps = line.split()
        r[k] = (float(pps), float(kbps))
    return r
def offered(name):
    # What the sender offered within the measuring window, per port: the
    # meters are judged against that, not against the nominal rate, so a
    # generator that falls behind on a busy machine is not a meter's miss.
    r = {}
    for line in open("%s/%s.sent" % (d, name)):
        m = re.match(r"stream (\d+): .* in the window ([\d.]+)/s", line)
        if m:
            r[int(m.group(1))] = float(m.group(2))
    return r
drop, remark = load("drop"), load("remark")
sent = offered("drop")
sent.update(offered("remark"))
# (unit, rate, packets/s the rate is in 1500-byte frames)
want = [("pps", 100, 100), ("pps", 1000, 1000), ("pps", 10000, 10000),
        ("kbps", 10000, 10000 * 1000 / (1500 * 8)),
        ("kbps", 100000, 100000 * 1000 / (1500 * 8))]
bad = []
def near(what, got, want, tol=0.05):
    ok = abs(got - want) <= tol * want
    print("%-32s %10.1f  want %10.1f  %s" % (what, got, want,
                                             "ok" if ok else "MISS"))
    if not ok:
        bad.append(what)
def exercised(what, port, pps_rate):
    # A band is only tested when clearly more than its rate is offered.
    if sent[port] < 1.3 * pps_rate:
        print("%-32s offered only %.1f/s for a rate of %.1f/s: the"
              " generator fell behind" % (what, sent[port], pps_rate))
        bad.append(what)
        return False
    return True
def remarked(what, port, kept, marked, col, rate, pps_rate):
    near(what + ": kept", kept[col], rate)
    # The rest is remarked and none is lost: what was offered above the
    # rate, in packets.
    near(what + ": remarked", marked[0], sent[port] - pps_rate)
    near(what + ": all delivered", kept[0] + marked[0], sent[port], 0.01)
for i, (unit, rate, pps_rate) in enumerate(want):
    col = 0 if unit == "pps" else 1
    what = "drop %d %s" % (rate, unit)
    if exercised(what, 1001 + i, pps_rate):
        near(what, drop["d%d" % (1001 + i)][col], rate)
    what = "remark %d %s" % (rate, unit)
    if exercised(what, 1011 + i, pps_rate):
        remarked(what, 1011 + i, remark["r%d-24" % (1011 + i)],
                 remark["r%d-16" % (1011 + i)], col, rate, pps_rate)
if exercised("remark IPv6 1000 pps", 1016, 1000):
    remarked("remark IPv6 1000 pps", 1016, remark["r6-24"], remark["r6-16"],
             0, 1000, 1000)
sys.exit(1 if bad else 0)
PY
log "PASS"
