#!/bin/bash
# sys-of-config: switch configuration and asynchronous messages (issue 15
# item 11):
#  (a) OFPT_SET_CONFIG from a slave is refused with OFPBRC_IS_SLAVE and
#      changes nothing;
#  (b) an OpenFlow 1.2 controller that sets OFPC_INVALID_TTL_TO_CONTROLLER
#      gets its invalid-TTL packet-ins (GET_CONFIG says so), and one that
#      does not gets none;
#  (c) a controller that never reads costs a bounded queue: 8000
#      flow-removed messages for it, of which the switch keeps at most
#      1000 queued and counts the rest as dropped (dpctl/show), while it
#      keeps answering others.
. "$(dirname "$0")/lib.sh"
tl_init
[ "$MVS_SWITCH" = mvs ] || skip "tests mvsd's connection bounds"

add_ns sw-br0
ns=$(sw_ns br0)
for h in h1 h2; do
    add_host "$h" "10.0.0.${h#h}/24" "$ns"
done
MVSD_ARGS="${MVSD_ARGS:-} --offload=off"
sw_start br0 "$(host_port h1)=1" "$(host_port h2)=2"
sock=${SW_DIR[br0]}/br0.mgmt

# (a) and (b)
"$PYTHON" - "$top_srcdir/tests" "$(sw_target br0)" "$sock" \
    "$(host_ns h1)" <<'PY' || fail "see above"
import os, socket, struct, subprocess, sys, time
sys.path.insert(0, sys.argv[1])
from ofclient import OFClient, OFError, ofp, parser
target, path, h1 = sys.argv[2], sys.argv[3], sys.argv[4]

# (a) A slave's SET_CONFIG.
c = OFClient(target)
c.send(parser.OFPRoleRequest(c.dp, ofp.OFPCR_ROLE_SLAVE, 1))
c.barrier()
c.send(parser.OFPSetConfig(c.dp, 0, 77))
errs = c.barrier(check=False)
assert [(e.type, e.code) for e in errs] == [
    (ofp.OFPET_BAD_REQUEST, ofp.OFPBRC_IS_SLAVE)], errs
m = OFClient(target)
m.send(parser.OFPGetConfigRequest(m.dp))
rep = m._recv_type(ofp.OFPT_GET_CONFIG_REPLY, 5)
assert rep.miss_send_len != 77, "a slave changed miss_send_len"
print("(a) slave SET_CONFIG refused")

# (b) OpenFlow 1.2, by hand: hello, SET_CONFIG, GET_CONFIG, packet-ins.
class Of12(object):
    def __init__(self):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(path)
        self.buf = b""
        self.send(0, b"")                       # OFPT_HELLO
        assert self.recv(0, 5)[1], "no hello from the switch"
    def send(self, t, body, xid=1):
        self.s.sendall(struct.pack("!BBHI", 3, t, 8 + len(body), xid)
                       + body)
    def recv(self, want, timeout):
        end = time.monotonic() + timeout
        while True:
            while len(self.buf) >= 8:
                v, t, n, x = struct.unpack("!BBHI", self.buf[:8])
                if len(self.buf) < n:
                    break
                msg, self.buf = self.buf[:n], self.buf[n:]
                if t == want:
                    return v, msg
            left = end - time.monotonic()
            if left <= 0:
                return None, None
            self.s.settimeout(left)
            try:
                data = self.s.recv(65536)
            except socket.timeout:
                return None, None
            if not data:
                return None, None
            self.buf += data
on, off = Of12(), Of12()
on.send(9, struct.pack("!HH", 4, 0xffff))       # SET_CONFIG, flag 1 << 2
on.send(7, b"", xid=5)                          # GET_CONFIG_REQUEST
v, rep = on.recv(8, 5)
assert rep and struct.unpack("!H", rep[8:10])[0] & 4, \
    "GET_CONFIG does not show OFPC_INVALID_TTL_TO_CONTROLLER: %r" % rep
off.send(7, b"", xid=6)
v, rep = off.recv(8, 5)
assert rep and not struct.unpack("!H", rep[8:10])[0] & 4, \
    "the other connection has the flag too"
# A TTL-1 packet through dec_ttl.
c.close()
m.send(parser.OFPFlowMod(m.dp, priority=10,
    match=parser.OFPMatch(in_port=1, eth_type=0x0800),
    instructions=[parser.OFPInstructionActions(ofp.OFPIT_APPLY_ACTIONS,
        [parser.OFPActionDecNwTtl(), parser.OFPActionOutput(2)])]))
m.barrier()
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, 0, 0, 1, 17, 0,
                 socket.inet_aton("10.0.0.1"), socket.inet_aton("10.0.0.2"))
frame = (bytes.fromhex("020000000002020000000001") + b"\x08\x00" + ip
         + struct.pack("!HHHH", 1, 2, 8, 0))
subprocess.run(["ip", "netns", "exec", h1, sys.executable, "-c",
                "import socket,sys; s=socket.socket(socket.AF_PACKET,"
                "socket.SOCK_RAW); s.bind(('eth0',0)); "
                "s.send(bytes.fromhex(sys.argv[1]))", frame.hex()],
               check=True)
v, pin = on.recv(10, 5)
assert pin, "no invalid-TTL packet-in for the OpenFlow 1.2 controller"
reason = pin[8 + 4 + 2]
assert reason == 2, "packet-in reason %d, want OFPR_INVALID_TTL" % reason
v, pin = off.recv(10, 1)
assert not pin, "a controller without the flag got the packet-in"
print("(b) invalid-TTL packet-in by OpenFlow 1.2's flag")
PY

# (c) A controller that never reads: hello, then silence.
"$PYTHON" - "$sock" "$TEST_DIR/mute.ready" <<'PY' &
import socket, struct, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(sys.argv[1])
s.sendall(struct.pack("!BBHI", 4, 0, 8, 1))
open(sys.argv[2], "w").close()
time.sleep(60)
PY
mute=$!
wait_for "[ -e '$TEST_DIR/mute.ready' ]" 10 || fail "the mute client did not start"
"$PYTHON" -c '
for i in range(8000):
    print("priority=5,hard_timeout=1,send_flow_rem,ip,nw_dst=10.9.%d.%d,"
          "actions=drop" % (i // 250, i % 250))' >"$TEST_DIR/flows"
check of br0 add-flows "$TEST_DIR/flows"
dropped() {
    appctl br0 dpctl/show \
        | sed -n 's/.*other asynchronous messages dropped \([0-9]*\).*/\1/p' \
        | sort -n | tail -1
}
wait_for "[ \"\$(of br0 dump-flows | grep -c nw_dst=10.9)\" -eq 0 ]" 15 \
    || fail "the flows did not time out"
wait_for "[ \"\$(dropped)\" -gt 0 ]" 5 \
    || fail "nothing was dropped for the mute controller: $(appctl br0 dpctl/show)"
log "flow-removed dropped for the mute controller: $(dropped) of 8000"
[ "$(dropped)" -ge 5000 ] || fail "only $(dropped) dropped: the queue is not bounded"
of br0 dump-flows >/dev/null || fail "the switch stopped answering"
kill "$mute" 2>/dev/null
log "PASS"
