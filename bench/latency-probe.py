# bench/latency-probe.py: one-way latency of frames through a switch, for
# bench/forwarding.sh (p50/p99 under background load).
#
#   latency-probe.py recv IFACE COUNT SECS OUT   (in the receiver's netns)
#   latency-probe.py send IFACE SCENARIO COUNT RATE OUT  (sender's netns)
#   latency-probe.py report SENT RECEIVED
#
# The sender puts COUNT probe frames, RATE per second, on IFACE: the
# scenario's frame (what its flows match) with a magic tag and a sequence
# number as UDP payload, and records when each went: the kernel's software
# transmit timestamp (SO_TIMESTAMPING, taken as the veth transmits it), or
# if none comes, the time just before send().  The receiver takes every
# frame on IFACE with the kernel's receive timestamp (SO_TIMESTAMPNS, the
# same clock) and records the probes it finds, wherever the payload sits
# (after pushes or pops).  Both run on one machine, so the difference is
# the time through the switch and the two veth hops; kernel timestamps on
# both ends keep the sender's scheduling (it shares a CPU with trafgen)
# out of it.
import socket
import struct
import sys
import time

MAGIC = b"mvsLATPROBE!"
ETH_P_ALL = 0x0003
SO_TIMESTAMPNS = 35
SO_TIMESTAMPING = 37            # Also SCM_TIMESTAMPING.
SOF_TX_SOFTWARE = 1 << 1
SOF_SOFTWARE = 1 << 4
SOF_OPT_TSONLY = 1 << 11


def frames(scenario, count):
    from scapy.all import Ether, IP, UDP, Raw
    from scapy.contrib.mpls import MPLS
    eth = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
    src = "10.0.0.0" if scenario == "churn" else "10.0.0.1"
    ip = IP(src=src, dst="10.1.0.2", ttl=64) / UDP(sport=1000, dport=2000)
    if scenario == "pop-recirc":
        head = eth / MPLS(label=200, s=1, ttl=64) / ip
    else:
        head = eth / ip
    # 200 bytes of payload: the receiver's filter tells a probe from the
    # 60-byte background frames by length alone.
    return [bytes(head / Raw(MAGIC + struct.pack("!I", i) + bytes(184)))
            for i in range(count)]


def attach_min_len(s, min_len):
    # Classic BPF: accept frames of at least 'min_len' bytes, so the
    # background load never fills the socket.
    import ctypes
    code = [(0x80, 0, 0, 0),                   # ld len
            (0x35, 0, 1, min_len),             # jge min_len ? next : drop
            (0x06, 0, 0, 0xffff),              # ret accept
            (0x06, 0, 0, 0)]                   # ret drop
    buf = ctypes.create_string_buffer(
        b"".join(struct.pack("HBBI", *c) for c in code))
    prog = struct.pack("HL", len(code), ctypes.addressof(buf))
    s.setsockopt(socket.SOL_SOCKET, 26, prog)   # SO_ATTACH_FILTER
    return buf


def tx_stamp(s):
    # The transmit timestamp of the frame just sent, from the error queue,
    # or None.
    import select
    for _ in range(20):
        try:
            _, anc, _, _ = s.recvmsg(1, 512, socket.MSG_ERRQUEUE)
        except BlockingIOError:
            select.select([s], [], [], 0.001)
            continue
        for level, kind, val in anc:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPING:
                sec, nsec = struct.unpack("qq", val[:16])
                return sec * 1000000000 + nsec
    return None


def send(iface, scenario, count, rate, out):
    fs = frames(scenario, count)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPING,
                 SOF_TX_SOFTWARE | SOF_SOFTWARE | SOF_OPT_TSONLY)
    s.setblocking(False)
    gap = 1.0 / rate
    sent = []
    start = time.monotonic()
    for i, f in enumerate(fs):
        delay = start + i * gap - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        t = time.time_ns()
        s.send(f)
        k = tx_stamp(s)
        sent.append((i, k if k else t, 1 if k else 0))
    with open(out, "w") as fh:
        for i, t, k in sent:
            fh.write("%d %d %d\n" % (i, t, k))


def recv(iface, count, secs, out):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                      socket.htons(ETH_P_ALL))
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    keep = attach_min_len(s, 200)
    s.bind((iface, 0))
    s.settimeout(0.2)
    got = {}
    open(out + ".ready", "w").close()
    end = time.monotonic() + secs
    while len(got) < count and time.monotonic() < end:
        try:
            data, anc, _, _ = s.recvmsg(2048, 64)
        except socket.timeout:
            continue
        k = data.find(MAGIC)
        if k < 0 or k + len(MAGIC) + 4 > len(data):
            continue
        seq = struct.unpack("!I", data[k + len(MAGIC):k + len(MAGIC) + 4])[0]
        for level, kind, val in anc:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                sec, nsec = struct.unpack("qq", val[:16])
                got.setdefault(seq, sec * 1000000000 + nsec)
    with open(out, "w") as fh:
        for seq, t in sorted(got.items()):
            fh.write("%d %d\n" % (seq, t))


def report(sent_file, recv_file):
    sent, kern = {}, 0
    for l in open(sent_file):
        i, t, k = map(int, l.split())
        sent[i] = t
        kern += k
    got = dict(map(int, l.split()) for l in open(recv_file))
    lat = sorted(got[i] - sent[i] for i in got if i in sent)
    if not lat:
        print("p50 - p99 - us, 0 of %d probes arrived" % len(sent))
        return
    def pct(p):
        return lat[min(len(lat) - 1, int(len(lat) * p))] / 1000.0
    print("p50 %.0f p99 %.0f us, %d of %d probes arrived "
          "(%d with kernel tx timestamps)"
          % (pct(0.5), pct(0.99), len(lat), len(sent), kern))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "send":
        send(sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5]),
             sys.argv[6])
    elif cmd == "recv":
        recv(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5])
    else:
        report(sys.argv[2], sys.argv[3])
