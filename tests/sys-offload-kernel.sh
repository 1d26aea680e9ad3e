#!/bin/bash
# tests/sys-offload-kernel.sh: kmod/nftc against the running kernel.
#
# Two host namespaces and a "switch" namespace, joined by veth pairs:
#
#   h1: eth0 10.0.0.1 <--> p1 [sw: table netdev mvs-br0] p2 <--> eth0 10.0.0.2 :h2
#
# tests/nftc-driver installs flows into the switch namespace's nf_tables;
# frames between the hosts are forwarded by the kernel alone (the switch
# namespace runs no userspace datapath, so a frame that nf_tables did not
# take goes nowhere).  Checks: forwarding and per-flow counters, the
# comments in `nft list`, priority order across masks, punting of a
# non-offloadable flow, the receive order of packet sockets around nf
# ingress, a foreign table left alone, ERESTART retried, one table after
# reopening, and the time of one add at 0 and N flows (printed).
#
# Exit 0 pass, 77 skip, else fail.  Everything runs inside namespaces
# named with this shell's PID, removed on exit; the host's nf_tables is
# never touched.  NFTC_BENCH_FLOWS (default 0: skipped; the numbers belong in bench/) sizes the
# timing.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
DRIVER=$top_builddir/tests/nftc-driver
PYTHON=${PYTHON:-/usr/bin/python3}
BENCH_FLOWS=${NFTC_BENCH_FLOWS:-0}
NAME=sys-offload-kernel

PFX="nk$$"
SW=${PFX}sw
H1=${PFX}h1
H2=${PFX}h2
B1=${PFX}b1                     # Bench namespace.
TMP=""
CREATED=()

log() { printf '%s: %s\n' "$NAME" "$*"; }
fail() { printf '%s: FAIL: %s\n' "$NAME" "$*" >&2; exit 1; }
skip() { printf '%s: SKIP: %s\n' "$NAME" "$*"; exit 77; }

cleanup() {
    local ns
    for ns in "${CREATED[@]}"; do
        ip netns del "$ns" 2>/dev/null
    done
    [ -n "$TMP" ] && rm -rf "$TMP"
}
trap cleanup EXIT

mkns() {
    ip netns add "$1" || fail "cannot create namespace $1"
    CREATED+=("$1")
    ip -n "$1" link set lo up
}

[ "$(id -u)" = 0 ] || skip "needs root"
[ -x "$DRIVER" ] || skip "build tests/nftc-driver first"
command -v nft >/dev/null || skip "nft not installed"
mkns "$SW"
ip netns exec "$SW" nft list tables >/dev/null 2>&1 \
    || skip "nf_tables unavailable"
mkns "$H1"
mkns "$H2"
TMP=$(mktemp -d)

# Wiring: hN eth0 <-> sw pN.  No IPv6 (router solicitations would add
# noise to the counters); static neighbours (no ARP needed).
for i in 1 2; do
    h=${PFX}h$i
    ip link add "${PFX}x$i" netns "$h" type veth peer name "p$i" netns "$SW" \
        || fail "veth"
    ip -n "$h" link set "${PFX}x$i" name eth0
    ip netns exec "$h" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    ip -n "$h" addr add "10.0.0.$i/24" dev eth0
    ip -n "$h" link set eth0 up
    ip -n "$SW" link set "p$i" up
done
ip netns exec "$SW" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
MAC1=$(ip -n "$H1" -br link show eth0 | awk '{print $3}')
MAC2=$(ip -n "$H2" -br link show eth0 | awk '{print $3}')
ip -n "$H1" neigh replace 10.0.0.2 lladdr "$MAC2" dev eth0 nud permanent
ip -n "$H2" neigh replace 10.0.0.1 lladdr "$MAC1" dev eth0 nud permanent

# Helpers the driver's "sh" lines call.
cat >"$TMP/h.sh" <<EOF
#!/bin/bash
# rxmark NS: remember eth0's rx_packets; rxcheck NS OP N: compare growth.
rx() { ip netns exec "\$1" cat /sys/class/net/eth0/statistics/rx_packets; }
case \$1 in
rxmark) rx "\$2" >"$TMP/rx.\$2" ;;
rxcheck)
    d=\$(( \$(rx "\$2") - \$(cat "$TMP/rx.\$2") ))
    echo "rx growth on \$2: \$d (want \$3 \$4)"
    [ "\$d" "\$3" "\$4" ] ;;
ping) ip netns exec $H1 ping -q -c "\$2" -i 0.05 -W 1 10.0.0.2 >/dev/null ;;
udp)  ip netns exec $H1 $PYTHON -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(\$3): s.sendto(b'x' * 32, ('10.0.0.2', \$2))" ;;
esac
EOF
chmod +x "$TMP/h.sh"
H="$TMP/h.sh"

# ---------------------------------------------------------------------------
log "foreign table, created before us"
ip netns exec "$SW" nft add table inet other || fail "nft add table"
ip netns exec "$SW" nft add chain inet other c '{ type filter hook input priority 0; }'
ip netns exec "$SW" nft add rule inet other c counter comment '"not mvs"'
ip netns exec "$SW" nft -a list table inet other >"$TMP/other.before"

log "flows, traffic, counters, priorities"
cat >"$TMP/script1" <<EOF
port 1 p1
port 2 p2
# The decision table, a few rows.
expect-offloadable priority=100,ip,nw_dst=10.0.0.2,actions=output:2
expect-offloadable priority=1,in_port=1,actions=output:2
expect-offloadable priority=1,udp,tp_dst=53,actions=mod_nw_dst:10.0.0.9,output:2
expect-offloadable priority=1,mpls,mpls_label=16,actions=output:2
expect-userspace priority=1,ip,actions=controller
expect-userspace priority=1,ip,actions=goto_table:1
expect-userspace priority=1,ip,actions=push_mpls:0x8847,output:2
expect-userspace priority=1,ip,actions=group:1
expect-userspace priority=1,metadata=1,actions=output:2
expect-userspace table=1,priority=1,ip,actions=output:2

# One bundle: base forwarding both ways, one mask per in_port.
begin
add priority=10,cookie=0x10,in_port=1,actions=output:2
add priority=10,cookie=0x20,in_port=2,actions=output:1
# Higher priority, other masks.
add priority=100,cookie=0x100,ip,nw_dst=10.0.0.2,actions=output:2
add priority=200,cookie=0x200,udp,nw_dst=10.0.0.2,tp_dst=9999,actions=drop
add priority=300,cookie=0x300,udp,nw_dst=10.0.0.0/24,tp_dst=7777,actions=controller
add priority=50,cookie=0x50,in_port=1,ip,nw_dst=10.0.0.0/24,actions=drop
commit
counts
sh ip netns exec $SW nft list table netdev mvs-br0 > $TMP/list1

# ping: 0x100 (prio 100) beats 0x50 (prio 50, wider mask) and 0x10.
sh $H rxmark $H2
sh $H ping 5
sh $H rxcheck $H2 -ge 5
expect-packets 0x100 >= 5
expect-packets 0x50 == 0
expect-packets 0x20 >= 5

# UDP 9999: 0x200 (prio 200) drops in the kernel before 0x100 forwards.
sh $H rxmark $H2
sh $H udp 9999 7
sh $H rxcheck $H2 -eq 0
expect-packets 0x200 == 7
expect-packets 0x100 == 5

# UDP 7777: 0x300 cannot be offloaded (controller); its element punts the
# frames to userspace (which is absent here), so the lower-priority
# offloaded 0x100 must not forward them.
sh $H rxmark $H2
sh $H udp 7777 4
sh $H rxcheck $H2 -eq 0
expect-packets 0x300 == 4
expect-packets 0x100 == 5

# Delete 0x200: UDP 9999 now falls to 0x100 and is forwarded.
del1 priority=200,udp,nw_dst=10.0.0.2,tp_dst=9999
sh $H rxmark $H2
sh $H udp 9999 3
sh $H rxcheck $H2 -eq 3
expect-packets 0x100 == 8

# Replace 0x100's actions (same identity): drop now.
add1 priority=100,cookie=0x101,ip,nw_dst=10.0.0.2,actions=drop
sh $H rxmark $H2
sh $H udp 9999 2
sh $H rxcheck $H2 -eq 0
expect-packets 0x101 == 2
stats

# Rewrite + forward: eth_dst rewritten by the kernel, seen on h2 as such
# (h2 drops it: not its MAC; the frame counts on its interface anyway).
add1 priority=400,cookie=0x400,udp,nw_dst=10.0.0.2,tp_dst=5555,actions=mod_dl_dst:02:00:00:00:00:42,output:2
sh ip netns exec $H2 ip link set eth0 promisc on
sh ip netns exec $H2 timeout 10 tcpdump -c 2 -w $TMP/rw.pcap -i eth0 -U ether dst 02:00:00:00:00:42 >/dev/null 2>&1 & p=\$!; sleep 1; $H udp 5555 2; sleep 1; kill \$p 2>/dev/null; wait \$p; test \$(ip netns exec $H2 tcpdump -r $TMP/rw.pcap 2>/dev/null | wc -l) -ge 2
expect-packets 0x400 == 2

# A foreign commit between our GETGEN and our batch: ERESTART, retried.
race ip netns exec $SW nft add table inet other2 ;; priority=500,cookie=0x500,ip,nw_src=10.9.9.9,actions=drop
expect-restarts 1
expect-packets 0x500 == 0

# Reopen: the old table is replaced, not duplicated.
reopen
sh test \$(ip netns exec $SW nft list tables | grep -c 'netdev mvs-br0') = 1
counts
EOF
ip netns exec "$SW" "$DRIVER" br0 "$TMP/script1" >"$TMP/out1" 2>&1
rc=$?
cat "$TMP/out1"
[ $rc = 0 ] || fail "driver script 1 failed"

log "nft list shows our comments"
cat "$TMP/list1"
grep -q 'comment "table=0 priority=100 cookie=0x100 actions=a[0-9]*"' "$TMP/list1" \
    || fail "element comment missing"
grep -q 'comment "m[0-9]* priority=200 key=' "$TMP/list1" \
    || fail "rule comment missing"
grep -q 'cookie=0x300 userspace" : 0x00000000' "$TMP/list1" \
    || fail "punt element missing"

log "foreign tables untouched"
ip netns exec "$SW" nft -a list table inet other >"$TMP/other.after"
diff -u "$TMP/other.before" "$TMP/other.after" || fail "inet other changed"
ip netns exec "$SW" nft list table inet other2 >/dev/null \
    || fail "racing table inet other2 lost"

log "a second process finds the table and leaves exactly one"
printf 'port 1 p1\nport 2 p2\nadd1 priority=10,in_port=1,actions=output:2\n' \
    | ip netns exec "$SW" "$DRIVER" br0 >/dev/null || fail "driver rerun"
n=$(ip netns exec "$SW" nft list tables | grep -c 'netdev mvs-br0')
[ "$n" = 1 ] || fail "$n tables named mvs-br0"

log "receive order: ETH_P_ALL before nf ingress, ETH_P_IP after"
# Flow drops IPv4 from p1 in nf ingress; an ETH_P_ALL socket on p1 still
# sees the pings, an ETH_P_IP socket on p1 does not.
printf 'port 1 p1\nport 2 p2\nadd1 priority=10,ip,actions=drop\n' \
    | ip netns exec "$SW" "$DRIVER" br0 >/dev/null || fail "driver drop"
ip netns exec "$SW" timeout 20 $PYTHON - "$H" <<'EOF' || fail "receive order"
import socket, subprocess, sys, time
ETH_P_ALL, ETH_P_IP = 0x0003, 0x0800
def sock(proto):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(proto))
    s.bind(("p1", proto))
    s.setblocking(False)
    return s
s_all, s_ip = sock(ETH_P_ALL), sock(ETH_P_IP)
subprocess.run([sys.argv[1], "ping", "3"])
time.sleep(0.3)
def count(s):
    n = 0
    while True:
        try:
            f = s.recv(2048)
        except BlockingIOError:
            return n
        if f[12:14] == b"\x08\x00":
            n += 1
a, i = count(s_all), count(s_ip)
print("ETH_P_ALL saw %d IPv4 frames, ETH_P_IP saw %d" % (a, i))
sys.exit(0 if a >= 3 and i == 0 else 1)
EOF
ip netns exec "$SW" nft delete table netdev mvs-br0

if [ "$BENCH_FLOWS" -gt 0 ]; then
    log "timing: one add at 0 and $BENCH_FLOWS flows"
    mkns "$B1"
    ip -n "$B1" link add q1 type veth peer name q2
    ip -n "$B1" link set q1 up
    ip -n "$B1" link set q2 up
    printf 'port 1 q1\nport 2 q2\nbench %s 2\n' "$BENCH_FLOWS" \
        | ip netns exec "$B1" "$DRIVER" br0 >"$TMP/bench" 2>&1
    rc=$?
    grep -E 'bench:|FAILED' "$TMP/bench"
    [ $rc = 0 ] || { cat "$TMP/bench"; fail "bench failed"; }
fi

log "PASS"
exit 0
