#!/bin/bash
# sys-fault-nft-busy: another nf_tables user is busy on the same machine
# (issue 15 item 1).  While a loop adds and deletes foreign tables in the
# switch's namespace as fast as nft can, mvsd offloads 2100 flows (1500 in
# one mask, so a counter dump spans many netlink messages and the kernel
# interrupts it, and 600 with distinct masks), reads counters, replaces
# and deletes flows.  Afterwards:
#  (a) offload is still on, and what the kernel holds is exactly table 0:
#      one element per flow, in a table named after the bridge;
#  (b) counters read back (dump-flows) and the kernel's answers never left
#      the socket out of step (offload/show: no commit failure);
#  (c) after del-flows the kernel holds no element, and a frame that every
#      deleted flow would have forwarded does not cross;
#  (d) the foreign tables were never touched by mvs (the loop's own
#      last table is still there);
#  (e) mvs-appctl exit removes our table.
. "$(dirname "$0")/lib.sh"
tl_init
. "$top_srcdir/tests/fault_lib.sh"
fault_need_mvs
command -v nft >/dev/null || skip "nft not installed"

add_ns sw-br0
ns=$(sw_ns br0)
add_host h1 10.0.0.1/24 "$ns"
add_host h2 10.0.0.2/24 "$ns"
fault_static_arp h1 h2
MVSD_ARGS="--offload require" sw_start br0 "$(host_port h1)=1" \
    "$(host_port h2)=2"

# kernel_elems: the elements of every map of our table.
kernel_elems() {
    ip netns exec "$ns" nft -j list table netdev mvs-br0 | "$PYTHON" -c '
import json, sys
n = 0
for o in json.load(sys.stdin)["nftables"]:
    s = o.get("map") or o.get("set")
    if s and s["name"].startswith("m"):
        n += len(s.get("elem", []))
print(n)'
}
of_count() { of br0 dump-flows --no-stats | grep -c 'actions=' ; }

# The foreign user: its tables come and go, one transaction per line of
# an interactive nft (thousands a second); the last one stays.
cat >"$TEST_DIR/foreign.py" <<'EOF'
import os, sys
stop = sys.argv[1]
i = 0
while not os.path.exists(stop):
    i += 1
    print("add table inet foreign%d" % i)
    print("add chain inet foreign%d c { type filter hook input priority 0; }"
          % i)
    if i > 1:
        print("delete table inet foreign%d" % (i - 1))
    sys.stdout.flush()
open(stop + ".last", "w").write("%d\n" % i)
EOF
cat >"$TEST_DIR/foreign.sh" <<EOF
set -o pipefail
$PYTHON "$TEST_DIR/foreign.py" "\$1" | nft -i >/dev/null
EOF
start_daemon foreign ip netns exec "$ns" bash "$TEST_DIR/foreign.sh" \
    "$TEST_DIR/stop"
FOREIGN=$LAST_PID

"$PYTHON" - "$TEST_DIR" <<'PY'
import sys
d = sys.argv[1]
with open(d + "/one-mask", "w") as f:
    for i in range(1500):
        f.write("priority=100,udp,in_port=1,nw_src=10.1.%d.%d,tp_dst=7,"
                "actions=output:2\n" % (i // 250, i % 250 + 1))
with open(d + "/masks", "w") as f:
    for p in range(8, 32):
        for q in range(8, 33):
            f.write("priority=200,ip,in_port=1,nw_src=10.2.0.0/%d,"
                    "nw_dst=10.3.0.0/%d,actions=output:2\n" % (p, q))
with open(d + "/replace", "w") as f:
    for i in range(0, 1500, 3):
        f.write("priority=100,udp,in_port=1,nw_src=10.1.%d.%d,tp_dst=7,"
                "actions=drop\n" % (i // 250, i % 250 + 1))
PY
check of br0 add-flows "$TEST_DIR/one-mask"
check of br0 add-flows "$TEST_DIR/masks"
# Ten seconds of flow-mods and counter reads under the foreign load.
end=$(( $(date +%s) + 10 ))
round=0
while [ "$(date +%s)" -lt "$end" ]; do
    round=$((round + 1))
    of br0 dump-flows >/dev/null || fail "dump-flows failed in round $round"
    check of br0 add-flows "$TEST_DIR/replace"
    check of br0 del-flows --strict 'priority=200,ip,in_port=1,nw_src=10.2.0.0/8,nw_dst=10.3.0.0/8'
    check of br0 add-flow 'priority=200,ip,in_port=1,nw_src=10.2.0.0/8,nw_dst=10.3.0.0/8,actions=output:2'
    # A counter read as the 5 s timer does it.
    appctl br0 offload/show >"$TEST_DIR/show$round" \
        || fail "offload/show failed in round $round"
done
log "$round rounds of flow-mods and counter reads"
touch "$TEST_DIR/stop"
wait_for "! alive $FOREIGN" 10 || fail "the foreign loop did not stop"
[ -s "$TEST_DIR/stop.last" ] || fail "the foreign loop failed: $(cat "$TEST_DIR/foreign.log")"
last=$(cat "$TEST_DIR/stop.last")
log "the foreign loop made $last tables"
[ "$last" -ge 1000 ] || fail "the foreign loop was not busy ($last tables)"

# (a), (b)
appctl br0 offload/show | head -1 | tee "$TEST_DIR/show"
grep -q 'offload on' "$TEST_DIR/show" \
    || fail "offload turned itself off: $(grep -i offload "$TEST_DIR"/mvs-br0/*.log | tail -5)"
want=$(of_count)
got=$(kernel_elems)
log "OpenFlow holds $want flows, the kernel $got elements"
[ "$want" -eq 2100 ] || fail "OpenFlow holds $want flows, want 2100"
[ "$got" -eq "$want" ] || fail "the kernel holds $got elements for $want flows"
grep -E 'out of step|EPROTO|Protocol error' "$TEST_DIR"/mvs-br0/*.log \
    && fail "the netlink socket went out of step"

# (c)
check of br0 del-flows
wait_for "[ \$(kernel_elems) -eq 0 ]" 10 \
    || fail "after del-flows the kernel still holds $(kernel_elems) elements"
rx() { ip netns exec "$(host_ns h2)" cat /sys/class/net/eth0/statistics/rx_packets; }
before=$(rx)
ip netns exec "$(host_ns h1)" "$PYTHON" - <<'PY' || fail "sender failed"
import socket, struct
def csum(b):
    s = sum(struct.unpack("!10H", b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, 0, 0, 64, 17, 0,
                 socket.inet_aton("10.1.0.1"), socket.inet_aton("10.0.0.2"))
ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
f = (bytes.fromhex("020000000002020000000001") + b"\x08\x00" + ip
     + struct.pack("!HHHH", 9, 7, 8, 0))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
for _ in range(20):
    s.send(f)
PY
# The frames reach mvsd (its ports count them) and go no further.
wait_for "appctl br0 dpctl/show | grep -q 'missed:[1-9]'" 5 \
    || fail "the frames never reached the switch"
after=$(rx)
[ "$after" -eq "$before" ] \
    || fail "$((after - before)) frames crossed after del-flows"

# (d)
ip netns exec "$ns" nft list table inet "foreign$last" >/dev/null \
    || fail "the foreign table foreign$last is gone"

# (e) Our table does not outlive the switch.
appctl br0 exit
wait_for "! alive ${SW_PID[br0]}" 10 || fail "mvsd did not exit"
ip netns exec "$ns" nft list table netdev mvs-br0 >/dev/null 2>&1 \
    && fail "table netdev mvs-br0 outlived mvsd"
log "PASS"
