#!/bin/bash
# sys-offload-diff: differential test of the nf_tables offload.  Random
# rule sets, random frames: with --offload require and with --offload off,
# every frame must reach the same hosts with the same bytes.
#
# One bridge with four ports, hosts h1..h4 (switch port N = host hN, raw
# frames only: no addresses, IPv6 off, so the hosts' kernels say nothing).
# For each of MVS_DIFF_SETS rule sets (default 3):
#  - tests/offload_diff.py gen draws 20-60 table-0 flows (priorities with
#    ties between disjoint matches and overlaps across priorities; matches
#    on the fields the offload lowers plus some it cannot; output, multiple
#    outputs, drop, rewrites, dec_ttl, CONTROLLER, goto_table) and
#    MVS_DIFF_FRAMES frames (default 300; IPv4/IPv6 TCP/UDP/SCTP/ICMP/GRE,
#    fragments, extension headers, ARP, MPLS, 802.1Q/802.1ad/QinQ tags,
#    odd ethertypes, 802.3), most of them aimed at some flow;
#  - mvsd runs with --offload off: flows are added one by one (what it
#    refuses is counted and left out), frames are sent from their hosts and
#    received on all four;
#  - mvsd runs with --offload require: the accepted flows in one add-flows
#    (one commit), same frames;
#  - per frame, the multiset of (receiving host, bytes) must be equal.
# With offload on, offload/show must list flows in the kernel, and the
# kernel counters must show that it forwarded or dropped frames itself.
#
# Seeds: MVS_DIFF_SEED (default 1, so CI is deterministic) replays a run
# exactly; MVS_DIFF_SEED=random picks one from the clock (printed).
# MVS_DIFF_KEEP_GOING=1 runs every set even after a mismatch.
. "$(dirname "$0")/lib.sh"
tl_init
[ "$MVS_SWITCH" = mvs ] || skip "compares mvsd's offload on and off"
command -v nft >/dev/null || skip "nft not installed"
$PYTHON -c 'import scapy' 2>/dev/null || skip "python3-scapy not installed"

seed=${MVS_DIFF_SEED:-1}
[ "$seed" = random ] && seed=$(date +%s)
n_sets=${MVS_DIFF_SETS:-3}
n_frames=${MVS_DIFF_FRAMES:-300}
helper="$PYTHON $top_srcdir/tests/offload_diff.py"
log "seed $seed (replay: MVS_DIFF_SEED=$seed), $n_sets rule sets x $n_frames frames"

add_ns sw-br0
ns=$(sw_ns br0)
# No IPv6 anywhere (no router/neighbour solicitations, no MLD): the
# hosts' interfaces and the switch's ports take "default" when created
# or moved into the namespace.
ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1 \
    net.ipv6.conf.all.disable_ipv6=1
ports=()
host_nss=()
for h in h1 h2 h3 h4; do
    add_ns "$h"
    hns=$(host_ns "$h")
    ip netns exec "$hns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1 \
        net.ipv6.conf.all.disable_ipv6=1
    tmp=$(if_name "t$h")
    add_veth "$tmp" "$hns" "$(host_port "$h")" "$ns"
    check ip -n "$hns" link set "$tmp" down
    check ip -n "$hns" link set "$tmp" name eth0
    check ip -n "$hns" link set eth0 address "$(host_mac "$h")"
    check ip -n "$hns" link set eth0 up
    ports+=("$(host_port "$h")=$(host_num "$h")")
    host_nss+=("$hns")
done

# mvsd_start MODE: a fresh mvsd with no flows; mvsd_stop.
mvsd_start() {
    MVSD_ARGS="--offload $1" sw_start br0 "${ports[@]}"
}
mvsd_stop() {
    stop_daemon "${SW_PID[br0]}"
    rm -f "${SW_DIR[br0]}/br0.mgmt" "${SW_DIR[br0]}/br0.ctl"
    ! ip netns exec "$ns" nft list table netdev mvs-br0 >/dev/null 2>&1 \
        || fail "table netdev mvs-br0 left behind by a clean stop"
}
n_flows() { of br0 dump-flows | grep -c 'priority='; }

failed=0
tot_kernel_flows=0
tot_kernel_packets=0
for ((set = 0; set < n_sets; set++)); do
    d=$TEST_DIR/set$set
    check $helper gen "$seed" "$set" "$d" "$n_frames"

    # Offload off: each flow alone, so that one the switch refuses is
    # counted and left out, not the whole set.
    mvsd_start off
    : > "$d/flows"
    rejected=0
    while IFS= read -r f; do
        if of br0 add-flow "$f" 2>>"$d/rejected.err"; then
            printf '%s\n' "$f" >> "$d/flows"
        else
            rejected=$((rejected + 1))
            printf 'rejected: %s\n' "$f" >> "$d/rejected.err"
        fi
    done < "$d/flows.all"
    accepted=$(wc -l < "$d/flows")
    [ "$(n_flows)" = "$accepted" ] \
        || fail "set $set: $accepted flows accepted, $(n_flows) in the table"
    check $helper run "$d/frames.json" "$d/off.json" "${host_nss[@]}" \
        > "$d/off.txt"
    mvsd_stop

    # Offload on: the same flows, one add-flows, one commit.
    mvsd_start require
    check of br0 add-flows "$d/flows"
    [ "$(n_flows)" = "$accepted" ] \
        || fail "set $set: offload on holds $(n_flows) flows, not $accepted"
    check $helper run "$d/frames.json" "$d/on.json" "${host_nss[@]}" \
        > "$d/on.txt"
    appctl br0 offload/show > "$d/offload-show.txt" \
        || fail "offload/show failed"
    ip netns exec "$ns" nft list table netdev mvs-br0 > "$d/nft.txt" 2>&1
    mvsd_stop

    grep -q 'offload on' "$d/offload-show.txt" \
        || fail "set $set: offload is not on: $(head -n 1 "$d/offload-show.txt")"
    kflows=$(grep -c '^ *kernel ' "$d/offload-show.txt")
    uflows=$(grep -c '^ *userspace ' "$d/offload-show.txt")
    kpackets=$(sed -n 's/.*: kernel packets=\([0-9]*\).*/\1/p' \
                   "$d/offload-show.txt" | awk '{ s += $1 } END { print s + 0 }')
    tot_kernel_flows=$((tot_kernel_flows + kflows))
    tot_kernel_packets=$((tot_kernel_packets + kpackets))
    log "set $set: $accepted flows ($rejected rejected; $kflows in the" \
        "kernel, $uflows in userspace); kernel took $kpackets frames;" \
        "off: $(cat "$d/off.txt"); on: $(cat "$d/on.txt")"

    if ! $helper compare "$d" "$d/off.json" "$d/on.json" > "$d/compare.txt"
    then
        failed=$((failed + 1))
        echo "----- seed $seed set $set: the rule set ($d/flows)"
        cat "$d/flows"
        echo "----- offload/show"
        cat "$d/offload-show.txt"
        echo "----- mismatches (off = userspace only, on = nf_tables offload)"
        cat "$d/compare.txt"
        echo "-----"
        [ -n "${MVS_DIFF_KEEP_GOING:-}" ] || break
    else
        log "set $set: identical forwarding ($(tail -n 1 "$d/compare.txt"))"
    fi
done

[ "$failed" = 0 ] || fail "offload on and off forward differently in" \
    "$failed rule set(s); replay with MVS_DIFF_SEED=$seed"
[ "$tot_kernel_flows" -gt 0 ] || fail "no flow was offloaded at all"
[ "$tot_kernel_packets" -gt 0 ] \
    || fail "the kernel forwarded no frame itself (all punted?)"
log "offload on = off for $n_sets rule sets x $n_frames frames" \
    "($tot_kernel_flows flows in the kernel, $tot_kernel_packets frames" \
    "taken by the kernel)"
exit 0
