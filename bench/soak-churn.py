#!/usr/bin/python3
"""bench/soak-churn.py: steady flow-mod churn on one OpenFlow connection.

    soak-churn.py unix:PATH RATE SECONDS OUTFILE [HIT_FLOWS]

Opens one OpenFlow 1.3 connection (bench/ofp-latency.py's Conn) and, for
SECONDS (wall clock), starts one operation every 1/RATE s (open loop: a
late operation starts at once, the schedule is not shifted, so a switch
that cannot keep up shows as fewer operations than RATE x SECONDS).  Each operation is one
flow-mod immediately followed by a barrier request; its latency is the time
from sending both to the barrier reply.  The operations cycle through:

  add      OFPFC_ADD of a new flow: priority 200, ip, ipv4_src=172.x.y.z,
           output:2 (sources no traffic uses);
  modify   OFPFC_MODIFY_STRICT of one of the HIT_FLOWS (default 1000)
           flows traffic goes through: priority 100, in_port=1, ip,
           ipv4_src=10.0.(i/250).(i%250), output:2, i.e. the same actions
           again: the flow is rewritten (in the kernel too, with offload)
           while it forwards;
  delete   OFPFC_DELETE_STRICT of the flow added DEPTH (300) adds earlier,

so the table stays at its size plus DEPTH.  Each operation is written to
OUTFILE as "SECONDS_SINCE_START OP LATENCY_US"; at the end a summary line
"ops N late N errors 0 seconds S" goes to standard output (late: started
more than one period after their due time).  An OpenFlow error stops
the client (the benchmark then fails).  SIGTERM stops it early, cleanly.
"""
import importlib.util
import os
import signal
import struct
import sys
import time

_spec = importlib.util.spec_from_file_location(
    "ofp_latency", os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "ofp-latency.py"))
ofp = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ofp)

OFPFC_ADD, OFPFC_MODIFY_STRICT, OFPFC_DELETE_STRICT = 0, 2, 4
DEPTH = 300
STOP = False


def on_term(signum, frame):
    global STOP
    STOP = True


def flow_mod(xid, command, priority, src, in_port=None):
    oxm = b""
    if in_port is not None:
        oxm += struct.pack("!II", 0x80000004, in_port)
    oxm += struct.pack("!IH", 0x80000A02, 0x0800)
    oxm += struct.pack("!I4s", 0x80001604, bytes(src))
    match = struct.pack("!HH", 1, 4 + len(oxm)) + oxm
    match += b"\0" * ((8 - len(match) % 8) % 8)
    inst = b""
    if command != OFPFC_DELETE_STRICT:
        output = struct.pack("!HHIH6x", 0, 16, 2, 0xffff)
        inst = struct.pack("!HH4x", 4, 8 + len(output)) + output
    body = struct.pack("!QQBBHHHIIIH2x", 0, 0, 0, command, 0, 0, priority,
                       0xffffffff, 0xffffffff, 0xffffffff, 0)
    length = 8 + len(body) + len(match) + len(inst)
    return ofp.header(ofp.OFPT_FLOW_MOD, length, xid) + body + match + inst


def churn_src(i):
    return [172, 16 + ((i >> 16) & 15), (i >> 8) & 255, i & 255]


def main():
    if len(sys.argv) < 5:
        raise SystemExit(__doc__)
    target, rate, seconds = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    out = open(sys.argv[4], "w")
    hit = int(sys.argv[5]) if len(sys.argv) > 5 else 1000
    if not target.startswith("unix:") or rate <= 0:
        raise SystemExit(__doc__)
    signal.signal(signal.SIGTERM, on_term)
    conn = ofp.Conn(target[5:])
    conn.sock.sendall(ofp.header(ofp.OFPT_HELLO, 8, 1))
    conn.sock.sendall(ofp.header(ofp.OFPT_BARRIER_REQUEST, 8, 2))
    conn.wait_for(ofp.OFPT_BARRIER_REPLY, 2)

    n_add = n_mod = 0
    ops = late = 0
    xid = 100
    t0 = time.monotonic()
    period = 1.0 / rate
    while not STOP:
        due = t0 + ops * period
        now = time.monotonic()
        if due - t0 >= seconds or now - t0 >= seconds:
            break
        if now < due:
            time.sleep(due - now)
        elif now - due > period:
            late += 1
        kind = ops % 3
        if kind == 0:
            msg = flow_mod(xid, OFPFC_ADD, 200, churn_src(n_add))
            n_add += 1
            name = "add"
        elif kind == 1:
            i = n_mod % hit
            msg = flow_mod(xid, OFPFC_MODIFY_STRICT, 100,
                           [10, 0, i // 250, i % 250], in_port=1)
            n_mod += 1
            name = "modify"
        else:
            if n_add > DEPTH:
                msg = flow_mod(xid, OFPFC_DELETE_STRICT, 200,
                               churn_src(n_add - 1 - DEPTH))
            else:       # Nothing old enough to delete yet: add instead.
                msg = flow_mod(xid, OFPFC_ADD, 200, churn_src(n_add))
                n_add += 1
            name = "delete"
        msg += ofp.header(ofp.OFPT_BARRIER_REQUEST, 8, xid + 1)
        s = time.monotonic()
        conn.sock.sendall(msg)
        conn.wait_for(ofp.OFPT_BARRIER_REPLY, xid + 1)
        e = time.monotonic()
        out.write("%.3f %s %d\n" % (s - t0, name, (e - s) * 1e6))
        xid += 2
        ops += 1
    out.close()
    print("ops %d late %d errors 0 seconds %.1f" % (ops, late,
                                                   time.monotonic() - t0))


if __name__ == "__main__":
    main()
