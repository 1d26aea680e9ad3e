#!/bin/bash
# sys-flood-memory: a 60 s flood of random MACs and IPs costs mvsd a
# bounded amount of memory (issue 15, "how to know").  mvsd with
# --flow-limit 20000 (the other caches at their defaults: 2048 MACs,
# 10 s idle expiry), flows NORMAL; h1 sends UDP frames with random source
# and destination MACs and IPv4 addresses for 60 s (every one a new MAC to
# learn and a new datapath flow).  mvsd's RSS is sampled every 5 s:
#  (a) it grows by less than the caches' worth (64 MiB) over the run;
#  (b) it stops growing once the caches are full: the last 30 s add
#      less than 8 MiB;
#  (c) the flow count never passes the limit, the MAC table never its
#      size, and mvsd answers OpenFlow at the end.
# MVS_FLOOD_SECONDS shortens the run (default 60).
. "$(dirname "$0")/lib.sh"
tl_init
[ "$MVS_SWITCH" = mvs ] || skip "measures mvsd's memory"

SECS=${MVS_FLOOD_SECONDS:-60}
add_ns sw-br0
ns=$(sw_ns br0)
for h in h1 h2; do
    add_host "$h" "10.0.0.${h#h}/24" "$ns"
done
MVSD_ARGS="${MVSD_ARGS:-} --offload=off --flow-limit 20000"
sw_start br0 "$(host_port h1)=1" "$(host_port h2)=2"
check of br0 add-flow 'priority=0,actions=NORMAL'

rss_kb() { sed -n 's/^VmRSS:[^0-9]*\([0-9]*\) kB/\1/p' "/proc/${SW_PID[br0]}/status"; }
show() { appctl br0 dpctl/show; }

cat >"$TEST_DIR/flood.py" <<'EOF'
import os, random, socket, struct, sys, time
secs = float(sys.argv[1])
rnd = random.Random(7)
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
end = time.monotonic() + secs
n = 0
while time.monotonic() < end:
    for _ in range(100):
        mac = lambda: bytes([0x0e]) + rnd.getrandbits(40).to_bytes(5, "big")
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, 0, 0, 64, 17, 0,
                         rnd.getrandbits(32).to_bytes(4, "big"),
                         rnd.getrandbits(32).to_bytes(4, "big"))
        try:
            s.send(mac() + mac() + b"\x08\x00" + ip
                   + struct.pack("!HHHH", 1000, 2000, 8, 0))
            n += 1
        except BlockingIOError:
            pass
    time.sleep(0.005)
print(n)
EOF
base=$(rss_kb)
ip netns exec "$(host_ns h1)" "$PYTHON" "$TEST_DIR/flood.py" "$SECS" \
    >"$TEST_DIR/sent" &
flood=$!
samples=()
max_flows=0 max_macs=0
t=0
while alive "$flood"; do
    wait_for "! alive $flood" 5 && break
    t=$((t + 5))
    samples+=("$t:$(rss_kb)")
    f=$(show | sed -n 's/^  flows: \([0-9]*\) .*/\1/p')
    m=$(show | sed -n 's/.*MAC table: \([0-9]*\) entries.*/\1/p')
    [ "${f:-0}" -gt "$max_flows" ] && max_flows=$f
    [ "${m:-0}" -gt "$max_macs" ] && max_macs=$m
done
wait "$flood" || fail "the flood sender failed"
end=$(rss_kb)
log "sent $(cat "$TEST_DIR/sent") frames in $SECS s; RSS (kB) at start $base," \
    "then ${samples[*]}, at the end $end"
log "most flows $max_flows (limit 20000), most MAC entries $max_macs (2048)"

[ "$max_flows" -le 20000 ] || fail "the cache held $max_flows flows"
[ "$max_macs" -le 2048 ] || fail "the MAC table held $max_macs entries"
max=$end
for s in "${samples[@]}"; do
    [ "${s#*:}" -gt "$max" ] && max=${s#*:}
done
growth=$(( (max - base) / 1024 ))
log "RSS grew by $growth MiB at most"
[ "$growth" -lt 64 ] || fail "RSS grew by $growth MiB"
# The sample nearest the middle of the run against the end.
mid=""
for s in "${samples[@]}"; do
    [ "${s%%:*}" -le $((SECS / 2)) ] && mid=${s#*:}
done
if [ -n "$mid" ]; then
    late=$(( (end - mid) / 1024 ))
    log "the second half of the run added $late MiB"
    [ "$late" -lt 8 ] || fail "RSS still grew by $late MiB in the second half"
fi
of br0 dump-flows >/dev/null || fail "mvsd does not answer after the flood"
log "PASS"
