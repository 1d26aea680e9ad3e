#!/usr/bin/python3
# tests/fault_ctl.py: a minimal OpenFlow 1.3 controller that reads at a
# chosen rate, for tests/sys-fault-pinstorm.sh.
#
#   fault_ctl.py PORT STATUS_FILE [--rate BYTES_PER_S] [--slow-file FILE]
#                [--marker MAC]
#
# Listens on 127.0.0.1:PORT, accepts one switch, exchanges hellos, and
# then reads at most BYTES_PER_S bytes per second (0, the default: as fast
# as it can), in 4 KiB reads; with --slow-file, only while FILE exists
# (a test removes it to let the controller catch up).  It answers echo requests, sends an echo
# request of its own every second (so a switch never sees it idle), and
# counts packet-ins; a packet-in whose frame is addressed to MAC (--marker)
# is noted.  Only OpenFlow headers are decoded (and the packet-in's frame,
# to find the marker), so a fast reader really is fast.
#
# Every 0.2 s it rewrites STATUS_FILE with one JSON object:
#   {"connected": bool, "packet_ins": N, "bytes": N, "marker": bool,
#    "echo_replies": N}
# It runs until killed.

import json
import os
import socket
import struct
import sys
import time

OFPT_HELLO, OFPT_ECHO_REQUEST, OFPT_ECHO_REPLY, OFPT_PACKET_IN = 0, 2, 3, 10


def main(argv):
    port, status = int(argv[0]), argv[1]
    rate, marker, slow_file = 0, None, None
    i = 2
    while i < len(argv):
        if argv[i] == "--rate":
            rate = int(argv[i + 1])
        elif argv[i] == "--slow-file":
            slow_file = argv[i + 1]
        elif argv[i] == "--marker":
            marker = bytes(int(x, 16) for x in argv[i + 1].split(":"))
        i += 2

    st = {"connected": False, "packet_ins": 0, "bytes": 0, "marker": False,
          "echo_replies": 0}

    def write_status():
        tmp = status + ".tmp"
        with open(tmp, "w") as f:
            json.dump(st, f)
        os.rename(tmp, status)

    write_status()
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(1)
    s, _ = ls.accept()
    # A small receive buffer, so that a slow reader is slow at once.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    s.sendall(struct.pack("!BBHI", 4, OFPT_HELLO, 8, 1))
    st["connected"] = True
    s.settimeout(0.05)
    buf = b""
    xid = 100
    t_start = time.monotonic()
    next_echo = next_status = t_start
    while True:
        now = time.monotonic()
        if now >= next_echo:
            xid += 1
            s.sendall(struct.pack("!BBHI", 4, OFPT_ECHO_REQUEST, 8, xid))
            next_echo = now + 1.0
        if now >= next_status:
            write_status()
            next_status = now + 0.2
        if (rate and st["bytes"] > rate * (now - t_start)
                and (slow_file is None or os.path.exists(slow_file))):
            time.sleep(0.01)
            continue
        try:
            data = s.recv(4096)
        except socket.timeout:
            continue
        if not data:
            st["connected"] = False
            write_status()
            return 0
        st["bytes"] += len(data)
        buf += data
        while len(buf) >= 8:
            ver, mtype, mlen, mxid = struct.unpack_from("!BBHI", buf)
            if mlen < 8:
                return 1
            if len(buf) < mlen:
                break
            msg, buf = buf[:mlen], buf[mlen:]
            if mtype == OFPT_ECHO_REQUEST:
                s.sendall(struct.pack("!BBHI", ver, OFPT_ECHO_REPLY, mlen,
                                      mxid) + msg[8:])
            elif mtype == OFPT_ECHO_REPLY:
                st["echo_replies"] += 1
            elif mtype == OFPT_PACKET_IN:
                st["packet_ins"] += 1
                if marker and marker in msg:
                    # The frame follows the match and 2 bytes of pad;
                    # finding the MAC anywhere is enough for a test.
                    st["marker"] = True


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
