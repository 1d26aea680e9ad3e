#!/usr/bin/python3
# tests/meter_rates.py: paced UDP streams for the meter rate test
# (tests/sys-meter-rates.sh), and the receiver's counters.
#
#   meter_rates.py send IFACE WARMUP WINDOW STREAM...
#       sends every STREAM on IFACE (AF_PACKET) for WARMUP + WINDOW + 1
#       seconds, each paced to its own rate in 1 ms steps; prints what it
#       sent per stream, in all and as a rate within the window (from
#       WARMUP to WARMUP + WINDOW seconds after it started), which is what
#       the switch was offered while 'count' measured.
#   meter_rates.py count TABLE WARMUP WINDOW
#       waits WARMUP seconds, reads the counters of nft table TABLE
#       (family netdev), waits WINDOW seconds, reads them again and prints
#       one line per counter: its comment, packets/s and kbit/s over the
#       window, measured by the monotonic clock between the two reads.
#
# STREAM: DPORT:PPS:LEN:DSCP[:6] -- UDP to port DPORT, PPS frames a second
# of LEN bytes (Ethernet header included, no FCS), DSCP in the IP header,
# IPv6 with ":6", else IPv4.  Frames go from 02:00:00:00:00:01 / 10.0.0.1
# (fd00::1) to 02:00:00:00:00:02 / 10.0.0.2 (fd00::2).
import json
import socket
import struct
import subprocess
import sys
import time


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def frame(dport, length, dscp, v6):
    macs = bytes.fromhex("020000000002020000000001")
    hdr = 14 + (40 if v6 else 20) + 8
    payload = bytes(max(0, length - hdr))
    udp = struct.pack("!HHHH", 4000, dport, 8 + len(payload), 0) + payload
    if v6:
        src = socket.inet_pton(socket.AF_INET6, "fd00::1")
        dst = socket.inet_pton(socket.AF_INET6, "fd00::2")
        c = csum(src + dst + struct.pack("!IxxxB", len(udp), 17) + udp)
        udp = udp[:6] + struct.pack("!H", c or 0xffff) + udp[8:]
        ip = struct.pack("!IHBB", 6 << 28 | dscp << 22, len(udp), 17, 64)
        return macs + b"\x86\xdd" + ip + src + dst + udp
    src, dst = socket.inet_aton("10.0.0.1"), socket.inet_aton("10.0.0.2")
    c = csum(src + dst + struct.pack("!xBH", 17, len(udp)) + udp)
    udp = udp[:6] + struct.pack("!H", c or 0xffff) + udp[8:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, dscp << 2, 20 + len(udp), 0, 0,
                     64, 17, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return macs + b"\x08\x00" + ip + udp


def send(iface, warmup, window, specs):
    seconds = warmup + window + 1
    streams = []
    for spec in specs:
        f = spec.split(":")
        dport, pps, length, dscp = (int(x) for x in f[:4])
        v6 = len(f) > 4 and f[4] == "6"
        streams.append([frame(dport, length, dscp, v6), pps, 0, dport,
                        None, None])
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    start = time.monotonic()
    while True:
        t = time.monotonic() - start
        if t >= seconds:
            break
        for st in streams:
            # The counts when the window opens and closes.
            if st[4] is None and t >= warmup:
                st[4] = (st[2], t)
            if st[5] is None and t >= warmup + window:
                st[5] = (st[2], t)
            due = int(st[1] * t)
            # Never more than 20 ms of a stream at once after a stall.
            st[2] = max(st[2], due - max(1, st[1] // 50))
            while st[2] < due:
                try:
                    s.send(st[0])
                except BlockingIOError:
                    break
                st[2] += 1
        time.sleep(0.0005)
    for st in streams:
        (a, ta), (b, tb) = st[4], st[5]
        print("stream %d: sent %d (%.0f/s), in the window %.1f/s"
              % (st[3], st[2], st[2] / seconds,
                 (b - a) / (tb - ta) if tb > ta else 0.0))


def read(table):
    out = subprocess.run(["nft", "-j", "list", "table", "netdev", table],
                         check=True, capture_output=True, text=True).stdout
    counters = {}
    for item in json.loads(out)["nftables"]:
        rule = item.get("rule")
        if not rule:
            continue
        for e in rule["expr"]:
            if "counter" in e:
                counters[rule.get("comment", "?")] = (e["counter"]["packets"],
                                                      e["counter"]["bytes"])
    return counters, time.monotonic()


def count(table, warmup, window):
    time.sleep(warmup)
    a, t0 = read(table)
    time.sleep(window)
    b, t1 = read(table)
    for name in sorted(a):
        dp = b[name][0] - a[name][0]
        db = b[name][1] - a[name][1]
        # nft counts from the network header at ingress: add the
        # Ethernet header back, as a port counter or a meter sees it.
        print("%s %.1f %.1f" % (name, dp / (t1 - t0),
                                (db + 14 * dp) * 8 / 1000 / (t1 - t0)))


if __name__ == "__main__":
    if sys.argv[1] == "send":
        send(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]),
             sys.argv[5:])
    elif sys.argv[1] == "count":
        count(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]))
    else:
        sys.exit("usage: meter_rates.py send|count ...")
