#!/usr/bin/python3
"""bench/ofp-latency.py: latency of one OpenFlow 1.3 flow-mod + barrier.

    ofp-latency.py unix:PATH COUNT [FIRST]

Opens one connection to the switch, says hello, then COUNT times sends an
OFPFC_ADD of a new distinct flow (priority 200, ip, ipv4_src=192.168.x.y,
output:2) immediately followed by a barrier request, and waits for the
barrier reply.  Prints "median_us p90_us min_us" of the round trips.  No
client start-up or handshake is in the numbers (ovs-ofctl pays both on every
call), so this is what the switch itself spends on a flow-mod.  The flows
use addresses from FIRST (default 1) on, so runs can avoid each other.
"""
import socket
import struct
import sys
import time

OFP_VERSION = 4
OFPT_HELLO, OFPT_ERROR, OFPT_ECHO_REQUEST, OFPT_ECHO_REPLY = 0, 1, 2, 3
OFPT_FLOW_MOD, OFPT_BARRIER_REQUEST, OFPT_BARRIER_REPLY = 14, 20, 21


def header(msg_type, length, xid):
    return struct.pack("!BBHI", OFP_VERSION, msg_type, length, xid)


def flow_mod(xid, index):
    # OXM: eth_type=0x0800, ipv4_src=192.168.(index>>8).(index&255).
    oxm = struct.pack("!IH", 0x80000A02, 0x0800)
    oxm += struct.pack("!I4s", 0x80001604,
                       bytes([192, 168, (index >> 8) & 255, index & 255]))
    match = struct.pack("!HH", 1, 4 + len(oxm)) + oxm
    match += b"\0" * ((8 - len(match) % 8) % 8)
    output = struct.pack("!HHIH6x", 0, 16, 2, 0xffff)
    inst = struct.pack("!HH4x", 4, 8 + len(output)) + output
    body = struct.pack("!QQBBHHHIIIH2x", 0, 0, 0, 0, 0, 0, 200,
                       0xffffffff, 0xffffffff, 0xffffffff, 0)
    length = 8 + len(body) + len(match) + len(inst)
    return header(OFPT_FLOW_MOD, length, xid) + body + match + inst


class Conn:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.buf = b""

    def recv_msg(self):
        while True:
            if len(self.buf) >= 8:
                _, msg_type, length, xid = struct.unpack("!BBHI",
                                                         self.buf[:8])
                if len(self.buf) >= length:
                    msg = self.buf[:length]
                    self.buf = self.buf[length:]
                    return msg_type, xid, msg
            data = self.sock.recv(65536)
            if not data:
                raise SystemExit("ofp-latency: connection closed")
            self.buf += data

    def wait_for(self, want_type, want_xid):
        while True:
            msg_type, xid, msg = self.recv_msg()
            if msg_type == OFPT_ECHO_REQUEST:
                self.sock.sendall(header(OFPT_ECHO_REPLY, len(msg), xid)
                                  + msg[8:])
            elif msg_type == OFPT_ERROR:
                raise SystemExit("ofp-latency: OpenFlow error %r" % msg)
            elif msg_type == want_type and xid == want_xid:
                return


def main():
    target, count = sys.argv[1], int(sys.argv[2])
    first = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    if not target.startswith("unix:") or count < 1 or count > 60000:
        raise SystemExit(__doc__)
    conn = Conn(target[5:])
    conn.sock.sendall(header(OFPT_HELLO, 8, 1))
    # The switch's hello is skipped by wait_for(); one barrier first, so
    # the hello exchange is over before timing.
    conn.sock.sendall(header(OFPT_BARRIER_REQUEST, 8, 2))
    conn.wait_for(OFPT_BARRIER_REPLY, 2)
    times = []
    for i in range(count):
        xid = 100 + 2 * i
        msg = flow_mod(xid, first + i)
        msg += header(OFPT_BARRIER_REQUEST, 8, xid + 1)
        t0 = time.perf_counter_ns()
        conn.sock.sendall(msg)
        conn.wait_for(OFPT_BARRIER_REPLY, xid + 1)
        times.append(time.perf_counter_ns() - t0)
    times.sort()
    print("%d %d %d" % (times[len(times) // 2] // 1000,
                        times[len(times) * 9 // 10] // 1000,
                        times[0] // 1000))


if __name__ == "__main__":
    main()
