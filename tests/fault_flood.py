#!/usr/bin/python3
# tests/fault_flood.py: a controller that floods a switch, for
# tests/sys-fault-flood.sh.
#
#   fault_flood.py TARGET PROBE_TARGET --pid PID [--flows N]
#                  [--packet-outs N] [--rounds R] [--out-port P]
#                  [--dst MAC] [--ready FILE]
#
# Opens two OpenFlow 1.3 connections (tests/ofclient.py): the flooder on
# TARGET and a probe on PROBE_TARGET.  The probe sends an echo request
# every 50 ms for as long as the flood lasts and records each round trip
# (an answer later than 5 s counts as lost).
#
# 1. Flow-mods and packet-outs, never reading.  Round 0 adds N flows
#    (table 0, priority 20, ipv4_dst 10.128.0.0 + i, output:P) interleaved
#    with packet-outs (a 60-byte frame of ethertype 0x88b5 to MAC --dst out
#    of port P); rounds 1..R send the same again (each flow-mod replaces
#    its flow: the table does not grow).  None of this has a reply.  VmRSS
#    of process PID is sampled after each round.
# 2. Requests whose replies are never read: a second connection on TARGET
#    sends up to 20,000 echo requests of 1 KiB (20 MiB of replies) and
#    gives up once the switch stops taking them for 3 s; VmRSS is sampled
#    meanwhile.  Then it closes.
# 3. The flooder sends a barrier and reads until its reply (up to 60 s).
#
# Prints one JSON object: rss_kb (before, after each round of 1),
# rss_reply_kb (before and during 2), echo_accepted (echo requests the
# switch took in 2), probe (n, lost, median_ms, p99_ms, max_ms), sent
# (flow_mods, packet_outs), replies (to the flooder: errors, other),
# last_barrier, flood_s, drain_s.  --ready FILE is created once both
# connections are up.

import json
import os
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ofclient import OFClient, OFError, ofp, parser  # noqa: E402


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def encode(c, msg):
    c.dp.set_xid(msg)
    msg.serialize()
    return bytes(msg.buf)


class Probe(threading.Thread):
    def __init__(self, target):
        threading.Thread.__init__(self, daemon=True)
        self.c = OFClient(target)
        self.stop = threading.Event()
        self.rtts = []
        self.lost = 0

    def run(self):
        while not self.stop.is_set():
            t = time.monotonic()
            xid = self.c.send(parser.OFPEchoRequest(self.c.dp, data=b"p"))
            try:
                self.c._recv_type(ofp.OFPT_ECHO_REPLY, 5.0, xid)
                self.rtts.append((time.monotonic() - t) * 1000.0)
            except OFError:
                self.lost += 1
            self.stop.wait(0.05)

    def result(self):
        r = sorted(self.rtts)
        return {"n": len(r), "lost": self.lost,
                "max_ms": round(r[-1], 1) if r else None,
                "p99_ms": round(r[int(len(r) * 0.99) - 1], 1) if r else None,
                "median_ms": round(r[len(r) // 2], 1) if r else None}


def main(argv):
    args = {"flows": "20000", "packet-outs": "5000", "rounds": "3",
            "out-port": "2", "dst": "02:00:00:00:00:02", "ready": None,
            "pid": None}
    target, probe_target = argv[0], argv[1]
    i = 2
    while i < len(argv):
        args[argv[i][2:]] = argv[i + 1]
        i += 2
    pid = int(args["pid"])
    n_flows = int(args["flows"])
    n_po = int(args["packet-outs"])
    out_port = int(args["out-port"])

    c = OFClient(target)
    probe = Probe(probe_target)
    if args["ready"]:
        open(args["ready"], "w").close()

    # Pre-encode everything, so the flood runs at the socket's speed.
    dst = bytes(int(x, 16) for x in args["dst"].split(":"))
    frame = dst + bytes.fromhex("02000000ff01") + b"\x88\xb5" + b"\x00" * 46
    po_actions = [parser.OFPActionOutput(out_port, 0)]
    fm_actions = [parser.OFPInstructionActions(
        ofp.OFPIT_APPLY_ACTIONS, [parser.OFPActionOutput(out_port, 0)])]
    po_every = max(n_flows // n_po, 1) if n_po else 0

    def round_bytes():
        chunks = []
        cnt = {"flow_mods": 0, "packet_outs": 0}
        for k in range(n_flows):
            a = 0x0a800000 + k
            m = parser.OFPMatch(eth_type=0x0800, ipv4_dst=socket.inet_ntoa(
                struct.pack("!I", a)))
            chunks.append(encode(c, parser.OFPFlowMod(
                c.dp, table_id=0, priority=20, match=m,
                instructions=fm_actions)))
            cnt["flow_mods"] += 1
            if po_every and k % po_every == 0 and cnt["packet_outs"] < n_po:
                chunks.append(encode(c, parser.OFPPacketOut(
                    c.dp, buffer_id=ofp.OFP_NO_BUFFER,
                    in_port=ofp.OFPP_CONTROLLER, actions=po_actions,
                    data=frame)))
                cnt["packet_outs"] += 1
        return b"".join(chunks), cnt

    probe.start()
    samples = [rss_kb(pid)]
    sent = {"flow_mods": 0, "packet_outs": 0}
    rounds = int(args["rounds"])
    t_start = time.monotonic()
    for r in range(rounds + 1):
        data, cnt = round_bytes()
        c.sock.sendall(data)
        for k, v in cnt.items():
            sent[k] += v
        samples.append(rss_kb(pid))
    t_flood = time.monotonic() - t_start

    # 2. Replies nobody reads.
    rss_reply = [rss_kb(pid)]
    e = OFClient(target)
    echo = encode(e, parser.OFPEchoRequest(e.dp, data=b"e" * 1024))
    e.sock.setblocking(False)
    pending, accepted, stalled = b"", 0, None
    t_end = time.monotonic() + 15
    while accepted < 20000 and time.monotonic() < t_end:
        if not pending:
            pending = echo
        try:
            n = e.sock.send(pending)
        except BlockingIOError:
            n = 0
        except OSError:
            break               # Disconnected by the switch: fine.
        pending = pending[n:]
        if not pending and n:
            accepted += 1
        if n:
            stalled = None
        else:
            stalled = stalled or time.monotonic()
            if time.monotonic() - stalled > 3:
                break
            if len(rss_reply) < 8:
                rss_reply.append(rss_kb(pid))
            time.sleep(0.2)
    rss_reply.append(rss_kb(pid))
    e.close()

    # Now read: everything queued, then our last barrier's reply.
    t0 = time.monotonic()
    xid = c.send(parser.OFPBarrierRequest(c.dp))
    replies = {"errors": 0, "other": 0}
    ok = False
    deadline = t0 + 60
    while time.monotonic() < deadline:
        m = c.recv(deadline - time.monotonic())
        if m is None:
            break
        if m.msg_type == ofp.OFPT_BARRIER_REPLY and m.xid == xid:
            ok = True
            break
        elif m.msg_type == ofp.OFPT_ERROR:
            replies["errors"] += 1
        else:
            replies["other"] += 1
    drain = time.monotonic() - t0
    probe.stop.set()
    probe.join(10)
    samples.append(rss_kb(pid))
    print(json.dumps({"rss_kb": samples, "rss_reply_kb": rss_reply,
                      "echo_accepted": accepted, "probe": probe.result(),
                      "sent": sent, "replies": replies,
                      "last_barrier": ok, "flood_s": round(t_flood, 2),
                      "drain_s": round(drain, 2)}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
