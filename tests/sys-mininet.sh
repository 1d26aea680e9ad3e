#!/bin/bash
# sys-mininet: Mininet (Debian's mininet package, Python API) runs a
# topology on mvs through utils/mininet/mvs.py, and every host reaches
# every other:
#
#   h1 --+
#        s1 ---- s2 -- h3        two mvsd bridges, three hosts
#   h2 --+
#
#   1. with a real controller: os-ken running simple_switch_13, listening
#      on a free port of 127.0.0.1 (Mininet runs the switches, hence mvsd,
#      in the root namespace), and the switches must show the flows it
#      installed;
#   2. with no controller: the switches in fail mode standalone, learning.
# net.pingAll() must report 0% loss both times.
#
# Mininet puts its hosts in namespaces of its own (10.0.0.0/8 lives only
# there); its switch-side veth ends are in the root namespace.  Every node
# name carries this test's prefix (m$$), so its interface names
# (m123h1-eth0, m123s1-eth1...) cannot clash with anything else.  Cleanup:
# net.stop(), then the shell kills any PID the driver recorded that still
# runs and whose command line still names our prefix (never by process
# name; never `mn -c`), deletes any interface with our prefix, any
# leftover mvsd run directory and nf_tables table of ours, and checks that
# nothing of ours is left.
. "$(dirname "$0")/lib.sh"
tl_init
[ "$MVS_SWITCH" = mvs ] || skip "runs Mininet on mvs only"
"$PYTHON" -c 'import mininet.net' 2>/dev/null \
    || skip "Mininet not installed for $PYTHON (apt-get install mininet)"
command -v mnexec >/dev/null 2>&1 || skip "mnexec missing (mininet)"
"$PYTHON" -c 'import os_ken' 2>/dev/null \
    || skip "os-ken not installed for $PYTHON (python3-os-ken)"
if "$PYTHON" -c 'import os_ken.app.simple_switch_13' 2>/dev/null; then
    app=os_ken.app.simple_switch_13
else
    app=$top_srcdir/tests/osken_simple_switch_13.py
fi
[ -x "$top_builddir/utils/mvs-ofctl" ] && [ -x "$top_builddir/utils/mvs-appctl" ] \
    || fail "mvs-ofctl/mvs-appctl not built"

PIDS_FILE=$TEST_DIR/mininet.pids      # "PID" lines written by the driver
DRIVER_PID_FILE=$TEST_DIR/driver.pid  # the driver's own PID (rundirs)
export MVSD MVS_OFCTL=$top_builddir/utils/mvs-ofctl \
    MVS_APPCTL=$top_builddir/utils/mvs-appctl

# our_links: interfaces, in the root namespace, whose name has our prefix.
our_links() {
    ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' \
        | grep "^$PFX" || true
}

# Runs before lib.sh's cleanup (which kills os-ken, our own daemon).
mn_cleanup() {
    local pid l d
    if [ -s "$PIDS_FILE" ]; then
        while read -r pid; do
            [ -r "/proc/$pid/cmdline" ] || continue
            tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$PFX" || continue
            log "cleanup: killing leftover pid $pid"
            tl_kill_pid "$pid"
        done <"$PIDS_FILE"
    fi
    for l in $(our_links); do
        log "cleanup: deleting leftover interface $l"
        ip link del dev "$l" 2>/dev/null
    done
    # A run directory the driver did not remove: stop the mvsd its pidfile
    # names (if its command line still names that directory), remove it.
    if [ -s "$DRIVER_PID_FILE" ]; then
        for d in /tmp/mvs-mininet-"$(cat "$DRIVER_PID_FILE")"-"$PFX"*; do
            [ -d "$d" ] || continue
            for f in "$d"/*.pid; do
                [ -s "$f" ] || continue
                pid=$(cat "$f")
                tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null \
                    | grep -qF -- "$d" || continue
                log "cleanup: killing mvsd $pid of $d"
                tl_kill_pid "$pid"
            done
            log "cleanup: removing $d"
            rm -rf "$d"
        done
    fi
    for l in $(nft list tables 2>/dev/null \
                   | awk -v t="mvs-$PFX" '$2 == "netdev" && index($3, t) == 1 { print $3 }'); do
        log "cleanup: deleting nf_tables table netdev $l"
        nft delete table netdev "$l"
    done
}
trap 'mn_cleanup; tl_cleanup' EXIT

# The driver: builds the topology with Mininet's Python API on MVSSwitch,
# records every PID it creates, runs pingAll, checks and stops.
cat >"$TEST_DIR/driver.py" <<'EOF'
import os, signal, sys, time
sys.path.insert(0, os.path.join(os.environ['top_srcdir'], 'utils', 'mininet'))
from mvs import MVSSwitch
from mininet.net import Mininet
from mininet.node import RemoteController
from mininet.topo import Topo
from mininet.log import setLogLevel

mode, pfx, port, pids_file = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
    sys.argv[4]

def on_term(signum, frame):
    raise SystemExit(128 + signum)
signal.signal(signal.SIGTERM, on_term)

class ThreeHosts(Topo):
    def build(self):
        s1 = self.addSwitch(pfx + 's1', dpid='00000000000000a1')
        s2 = self.addSwitch(pfx + 's2', dpid='00000000000000a2')
        for i, sw in ((1, s1), (2, s1), (3, s2)):
            self.addLink(self.addHost(pfx + 'h%d' % i), sw)
        self.addLink(s1, s2)

def record(*pids):
    with open(pids_file, 'a') as f:
        for p in pids:
            if p:
                f.write('%d\n' % p)

def fail(msg):
    print('driver: FAIL: ' + msg)
    return 1

setLogLevel('info')
if mode == 'controller':
    net = Mininet(topo=ThreeHosts(), switch=MVSSwitch, build=False,
                  controller=lambda name: RemoteController(
                      name, ip='127.0.0.1', port=port))
else:
    net = Mininet(topo=ThreeHosts(), switch=MVSSwitch, build=False,
                  controller=None)
rc = 1
try:
    net.build()
    record(*[n.pid for n in net.hosts + net.switches])
    net.start()
    record(*[s.mvsdPid for s in net.switches])
    for s in net.switches:
        print('driver: %s: mvsd pid %s, rundir %s' % (s, s.mvsdPid, s.rundir))
    if not net.waitConnected(timeout=20):
        sys.exit(fail('switches did not connect'))
    loss = net.pingAll()
    if loss != 0:
        sys.exit(fail('pingAll lost %s%%' % loss))
    for s in net.switches:
        flows = s.dpctl('dump-flows')
        print('driver: %s flows:\n%s' % (s, flows))
        if mode == 'controller':
            # simple_switch_13: the table-miss flow, and learned flows.
            if 'actions=CONTROLLER:65535' not in flows:
                sys.exit(fail('%s: no table-miss flow from os-ken' % s))
            if 'dl_dst=' not in flows:
                sys.exit(fail('%s: os-ken installed no learned flow' % s))
        show = s.appctl_('dpctl/show')
        print('driver: %s dpctl/show:\n%s' % (s, show))
        if mode == 'controller' and ', connected,' not in show:
            sys.exit(fail('%s: controller not connected' % s))
        if mode == 'standalone':
            with open('/proc/%d/cmdline' % s.mvsdPid, 'rb') as f:
                argv = f.read().split(b'\0')
            if b'standalone' not in argv or b'--controller' in argv:
                sys.exit(fail('%s: mvsd not standalone without controller:'
                              ' %s' % (s, argv)))
    rc = 0
finally:
    # A second SIGTERM must not cut the cleanup short.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    net.stop()
    for s in net.switches:
        if s.rundir is not None:
            print('driver: %s: run directory not removed' % s)
            rc = 1
sys.exit(rc)
EOF

# A free TCP port on 127.0.0.1 (root namespace: Mininet's switches are).
port=$("$PYTHON" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])') || fail "could not find a free port"

links_before=$(our_links | wc -l)
[ "$links_before" = 0 ] || fail "interfaces with prefix $PFX exist already"
log "interfaces with prefix $PFX before: $links_before"

start_daemon osken "$PYTHON" -m os_ken.cmd.manager \
    --ofp-listen-host 127.0.0.1 --ofp-tcp-listen-port "$port" "$app"
osken=$LAST_PID
log "os-ken pid $osken"
wait_for "ss -Hltn 'sport = :$port' | grep -q ." 30 \
    || fail "os-ken did not listen on 127.0.0.1:$port"
log "os-ken ($app) listening on 127.0.0.1:$port"

# run_driver MODE: runs the driver (it writes its PID for the cleanup).
run_driver() {
    log "=== $1"
    top_srcdir=$top_srcdir "$PYTHON" -c '
import os, sys, runpy
open(sys.argv[1], "w").write("%d\n" % os.getpid())
sys.argv = sys.argv[2:]
runpy.run_path(sys.argv[0], run_name="__main__")' \
        "$DRIVER_PID_FILE" "$TEST_DIR/driver.py" "$1" "$PFX" "$port" \
        "$PIDS_FILE"
}

# check_clean: nothing of ours is left after net.stop().
check_clean() {
    local pid left
    left=$(our_links)
    [ -z "$left" ] || fail "interfaces left after net.stop(): $left"
    while read -r pid; do
        [ -r "/proc/$pid/cmdline" ] || continue
        tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$PFX" \
            && fail "process $pid left after net.stop(): $(tr '\0' ' ' \
                     <"/proc/$pid/cmdline")"
    done <"$PIDS_FILE"
    ls -d /tmp/mvs-mininet-"$(cat "$DRIVER_PID_FILE")"-"$PFX"* 2>/dev/null \
        && fail "mvsd run directories left"
    nft list tables 2>/dev/null | grep -F "mvs-$PFX" \
        && fail "nf_tables tables left"
    log "clean: no interface, process, run directory or table of ours left"
}

run_driver controller || fail "Mininet with os-ken: pingAll failed"
alive "$osken" || fail "os-ken died"
check_clean
log "controller: pingAll 0% loss with os-ken simple_switch_13"
stop_daemon "$osken"

run_driver standalone || fail "Mininet without controller: pingAll failed"
check_clean
log "standalone: pingAll 0% loss by MAC learning"

log "interfaces with prefix $PFX after: $(our_links | wc -l)"
exit 0
