#!/usr/bin/python3
"""offload_diff.py: the helper of tests/sys-offload-diff.sh.

  offload_diff.py gen SEED SET DIR [NFRAMES]
      Writes DIR/flows.all (one table-0 or table-1 flow a line, ovs-ofctl
      add-flow syntax) and DIR/frames.json (the frames to send: id, sending
      host, bytes, a one-line description).  Everything comes from
      random.Random(f"{SEED}/{SET}"), so a seed replays exactly.

  offload_diff.py run FRAMES OUT NS1 NS2 NS3 NS4
      Opens one AF_PACKET socket on eth0 in each host namespace NSi (host i
      is switch port i), then sends every frame from its host, a little
      apart, and receives on all four until nothing has arrived for a
      while (bounded).  Writes OUT (JSON): frame id -> sorted list of
      [host, hex bytes] it received.  Frames are told apart by the tag
      b"MVSDIFF" + 4-byte id in their payload; anything else (what the
      hosts' kernels send, or what they send themselves) is ignored.

  offload_diff.py compare DIR OFF ON
      Compares two run results frame by frame; prints each mismatch with
      the frame and what each mode delivered; exit 1 on any mismatch.
"""

import ctypes
import json
import os
import random
import select
import socket
import struct
import sys
import time

TAG = b"MVSDIFF"
# MVS_DIFF_NO_VLAN=1: no VLAN-tagged frames (to look for other mismatches
# while the VLAN ones are open; see tests/sys-offload-diff.sh).
NO_VLAN = bool(os.environ.get("MVS_DIFF_NO_VLAN"))
HOSTS = (1, 2, 3, 4)

# ---------------------------------------------------------------------------
# Value pools.  Flows and frames draw from the same small pools so that
# frames hit rules (and their masks' edges) often.

MACS = ["02:00:00:00:00:01", "02:00:00:00:00:02", "02:00:00:00:00:03",
        "02:00:00:00:00:04", "02:00:00:00:00:aa", "0a:0b:0c:0d:0e:0f",
        "ff:ff:ff:ff:ff:ff", "01:00:5e:00:00:01", "33:33:00:00:00:01"]
MAC_MASKS = ["ff:ff:ff:ff:ff:ff", "ff:ff:ff:00:00:00", "01:00:00:00:00:00",
             "00:00:00:00:00:0f", "fe:ff:ff:ff:ff:ff"]
IP4 = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.1.1", "10.1.2.3",
       "192.168.1.1", "192.168.1.200", "172.16.0.5", "224.0.0.1",
       "255.255.255.255", "0.0.0.0"]
IP4_MASKS = [32, 32, 24, 16, 8, 25, 31, 1, "255.0.255.0", "0.0.0.255"]
IP6 = ["2001:db8::1", "2001:db8::2", "2001:db8:1::1", "2001:db8:1::ffff",
       "fe80::1", "ff02::1", "2001:db8:ff00::7", "::1"]
IP6_PLENS = [128, 128, 64, 48, 32, 10, 127, 1]
PORTS = [0, 1, 53, 80, 443, 1000, 1024, 4096, 8080, 65535]
PORT_MASKS = [0xffff, 0xffff, 0xfff0, 0xff00, 0x8000, 0x00ff, 0x0001]
MPLS_LABELS = [0, 3, 16, 100, 1000, 0xfffff]
VIDS = [0, 1, 5, 100, 4095]
ODD_TYPES = [0x88cc, 0x1234, 0x9100, 0x88e5, 0x0806]
ICMP_TYPES = [0, 3, 8, 11, 13]
ICMP6_TYPES = [1, 2, 3, 128, 129, 143]


def ip4_int(s):
    return struct.unpack(">I", socket.inet_aton(s))[0]


def int_ip4(v):
    return socket.inet_ntoa(struct.pack(">I", v & 0xffffffff))


def ip6_int(s):
    return int.from_bytes(socket.inet_pton(socket.AF_INET6, s), "big")


def int_ip6(v):
    return socket.inet_ntop(socket.AF_INET6, v.to_bytes(16, "big"))


def mac_int(s):
    return int(s.replace(":", ""), 16)


def int_mac(v):
    h = "%012x" % (v & (2**48 - 1))
    return ":".join(h[i:i + 2] for i in range(0, 12, 2))


def prefix_mask(plen, bits):
    return ((1 << plen) - 1) << (bits - plen) if plen else 0


# ---------------------------------------------------------------------------
# Flow generation.  A match is a dict: canonical field -> (value, mask),
# used for disjointness and to aim frames at a flow, plus its ovs-ofctl
# text.  Fields are named after struct flow members, so two flows compare
# field by field even when ovs-ofctl spells them differently (nw_src vs
# arp_spa share "nw_src", as in OVS).

class Match:
    def __init__(self):
        self.f = {}
        self.text = []

    def add(self, key, value, mask, text):
        v0, m0 = self.f.get(key, (0, 0))
        self.f[key] = ((v0 & ~mask) | (value & mask), m0 | mask)
        self.text.append(text)

    def disjoint(self, other):
        for k, (v, m) in self.f.items():
            if k in other.f:
                v2, m2 = other.f[k]
                if (v ^ v2) & m & m2:
                    return True
        return False


def gen_match(r):
    m = Match()
    kind = r.choices(["any", "ip", "ipv6", "arp", "mpls", "odd"],
                     [12, 40, 22, 10, 10, 6])[0]
    if r.random() < 0.5:
        port = r.choice(HOSTS) if r.random() < 0.97 else 7
        m.add("in_port", port, 0xffff, f"in_port={port}")
    for key, p in (("dl_dst", 0.25), ("dl_src", 0.15)):
        if r.random() < p:
            mac = r.choice(MACS)
            mask = r.choice(MAC_MASKS)
            m.add(key, mac_int(mac), mac_int(mask), f"{key}={mac}/{mask}")
    u = r.random()
    if u < 0.10:
        vid = r.choice(VIDS)
        m.add("vlan_tci", 0x1000 | vid, 0x1fff, f"vlan_vid={0x1000 | vid:#x}")
        if r.random() < 0.3:
            pcp = r.randrange(8)
            m.add("vlan_tci", pcp << 13, 0xe000, f"vlan_pcp={pcp}")
    elif u < 0.15:
        m.add("vlan_tci", 0x1000, 0x1000, "vlan_vid=0x1000/0x1000")
    elif u < 0.22:
        m.add("vlan_tci", 0, 0x1000, "vlan_tci=0x0000/0x1000")
    if kind == "ip":
        m.add("dl_type", 0x0800, 0xffff, "dl_type=0x0800")
        for key in ("nw_src", "nw_dst"):
            if r.random() < 0.35:
                a = r.choice(IP4)
                mk = r.choice(IP4_MASKS)
                mv = (prefix_mask(mk, 32) if isinstance(mk, int)
                      else ip4_int(mk))
                m.add(key, ip4_int(a), mv, f"{key}={a}/{int_ip4(mv)}")
        gen_l4(r, m, 4)
        if r.random() < 0.15:
            d = r.choice([0, 10, 46, 63])
            m.add("nw_tos", d << 2, 0xfc, f"ip_dscp={d}")
        if r.random() < 0.08:
            e = r.randrange(4)
            m.add("nw_tos", e, 0x03, f"ip_ecn={e}")
        if r.random() < 0.12:
            t = r.choice([1, 2, 64, 255])
            m.add("nw_ttl", t, 0xff, f"nw_ttl={t}")
        if r.random() < 0.06:       # not offloadable
            fr = r.choice([("no", 0, 1), ("first", 1, 3), ("later", 3, 3),
                           ("not_later", 0, 2), ("yes", 1, 1)])
            m.add("nw_frag", fr[1], fr[2], f"ip_frag={fr[0]}")
    elif kind == "ipv6":
        m.add("dl_type", 0x86dd, 0xffff, "dl_type=0x86dd")
        for key in ("ipv6_src", "ipv6_dst"):
            if r.random() < 0.4:
                a = r.choice(IP6)
                pl = r.choice(IP6_PLENS)
                m.add(key, ip6_int(a), prefix_mask(pl, 128),
                      f"{key}={a}/{pl}")
        gen_l4(r, m, 6)
        if r.random() < 0.12:
            d = r.choice([0, 10, 46, 63])
            m.add("nw_tos", d << 2, 0xfc, f"ip_dscp={d}")
        if r.random() < 0.1:
            t = r.choice([1, 64, 255])
            m.add("nw_ttl", t, 0xff, f"nw_ttl={t}")
        if r.random() < 0.06:       # not offloadable
            lbl = r.choice([0, 1, 0x12345])
            m.add("ipv6_label", lbl, 0xfffff, f"ipv6_label={lbl:#x}")
    elif kind == "arp":
        m.add("dl_type", 0x0806, 0xffff, "dl_type=0x0806")
        for key, name in (("nw_src", "arp_spa"), ("nw_dst", "arp_tpa")):
            if r.random() < 0.4:
                a = r.choice(IP4)
                pl = r.choice([32, 24, 8])
                m.add(key, ip4_int(a), prefix_mask(pl, 32),
                      f"{name}={a}/{pl}")
        if r.random() < 0.4:
            op = r.choice([1, 2])
            m.add("nw_proto", op, 0xff, f"arp_op={op}")
        if r.random() < 0.05:       # not offloadable
            mac = r.choice(MACS)
            m.add("arp_sha", mac_int(mac), 2**48 - 1, f"arp_sha={mac}")
    elif kind == "mpls":
        m.add("dl_type", 0x8847, 0xffff, "dl_type=0x8847")
        if r.random() < 0.7:
            lbl = r.choice(MPLS_LABELS)
            m.add("mpls", lbl << 12, 0xfffff000, f"mpls_label={lbl}")
        if r.random() < 0.2:
            tc = r.randrange(8)
            m.add("mpls", tc << 9, 0xe00, f"mpls_tc={tc}")
        if r.random() < 0.3:
            bos = r.randrange(2)
            m.add("mpls", bos << 8, 0x100, f"mpls_bos={bos}")
    elif kind == "odd":
        t = r.choice(ODD_TYPES[:2])
        m.add("dl_type", t, 0xffff, f"dl_type={t:#06x}")
    if r.random() < 0.03:           # not offloadable (always 0 in table 0)
        m.add("metadata", 0, 2**64 - 1, "metadata=0")
    return m


def gen_l4(r, m, ver):
    if r.random() < 0.35:
        return
    icmp = 1 if ver == 4 else 58
    proto = r.choice([6, 6, 17, 17, icmp, 132, 47])
    m.add("nw_proto", proto, 0xff, f"nw_proto={proto}")
    if proto in (6, 17, 132):
        name = {6: "tcp", 17: "udp", 132: "sctp"}[proto]
        for key in ("tp_src", "tp_dst"):
            if r.random() < 0.4:
                p = r.choice(PORTS)
                mk = r.choice(PORT_MASKS)
                m.add(key, p, mk,
                      f"{name}_{key[3:]}={p & mk:#x}/{mk:#x}")
        if proto == 6 and r.random() < 0.1:
            fl = r.choice([(0x002, 0x012, "+syn-ack"), (0x010, 0x010, "+ack"),
                           (0x004, 0x004, "+rst"), (0x000, 0x001, "-fin")])
            m.add("tcp_flags", fl[0], fl[1], f"tcp_flags={fl[2]}")
    elif proto == icmp:
        pre = "icmp" if ver == 4 else "icmpv6"
        if r.random() < 0.5:
            t = r.choice(ICMP_TYPES if ver == 4 else ICMP6_TYPES)
            m.add("tp_src", t, 0xff, f"{pre}_type={t}")
        if r.random() < 0.3:
            c = r.choice([0, 1])
            m.add("tp_dst", c, 0xff, f"{pre}_code={c}")


def gen_actions(r, m):
    out = lambda: r.choice(HOSTS)
    dl_type = m.f.get("dl_type", (0, 0))[0]
    proto = m.f.get("nw_proto", (0, 0))[0]
    opts = [("out", 30), ("out2", 14), ("drop", 8), ("dl_dst", 7),
            ("dl_src", 3), ("ctl", 3), ("goto", 4)]
    if dl_type == 0x0800:
        opts += [("nw_src", 6), ("nw_dst", 4), ("dscp", 5), ("ttl", 3),
                 ("dec_ttl", 4), ("ecn", 2)]
    if dl_type == 0x86dd:
        opts += [("ip6_src", 4), ("dscp", 4), ("ttl", 2), ("dec_ttl", 3)]
    if dl_type in (0x0800, 0x86dd) and proto in (6, 17):
        opts += [("tp_dst", 18), ("tp_src", 6)]
    kind = r.choices([o[0] for o in opts], [o[1] for o in opts])[0]
    a, b = out(), out()
    tp = {6: "tcp", 17: "udp"}.get(proto)
    return {
        "out": f"output:{a}",
        "out2": f"output:{a},output:{b}",
        "drop": "drop",
        "dl_dst": f"mod_dl_dst:{r.choice(MACS)},output:{a}",
        "dl_src": f"output:{b},mod_dl_src:02:00:00:00:00:bb,output:{a}",
        "ctl": "CONTROLLER:128",
        "goto": "goto_table:1",
        "nw_src": f"mod_nw_src:{r.choice(IP4)},output:{a}",
        "nw_dst": f"output:{b},mod_nw_dst:10.9.9.9,output:{a}",
        "dscp": f"set_field:{r.randrange(64)}->ip_dscp,output:{a}",
        "ecn": f"set_field:{r.randrange(4)}->ip_ecn,output:{a}",
        "ttl": f"set_field:{r.choice([1, 7, 200])}->nw_ttl,output:{a}",
        "dec_ttl": f"dec_ttl,output:{a}",
        "ip6_src": f"set_field:2001:db8::99->ipv6_src,output:{a}",
        "tp_dst": f"set_field:{r.choice(PORTS)}->{tp}_dst,output:{a}",
        "tp_src": f"output:{b},set_field:{r.choice(PORTS)}->{tp}_src,"
                  f"output:{a}",
    }[kind]


def gen_flows(r):
    flows = []                  # (priority, Match, actions)
    prios = [1, 10, 10, 20, 50, 100, 100, 200, 1000, 30000]
    n = r.randint(20, 60)
    tries = 0
    while len(flows) < n and tries < 10 * n:
        tries += 1
        m = gen_match(r)
        for _ in range(10):
            prio = r.choice(prios)
            # Equal priorities only for disjoint matches (OpenFlow leaves
            # overlapping equal priorities undefined).
            if all(p != prio or m.disjoint(m2) for p, m2, _ in flows):
                break
        else:
            continue
        flows.append((prio, m, gen_actions(r, m)))
    lines = []
    for i, (prio, m, acts) in enumerate(flows):
        match = ",".join(m.text)
        lines.append(f"table=0,priority={prio},cookie={i + 1:#x},"
                     f"{match + ',' if match else ''}actions={acts}")
    if r.random() < 0.6:
        lines.append(f"table=0,priority=0,cookie={len(flows) + 1:#x},"
                     f"actions=output:{r.choice(HOSTS)}")
    lines.append(f"table=1,priority=0,cookie=0xffff,"
                 f"actions=output:{r.choice(HOSTS)}")
    return lines, [m for _, m, _ in flows]


# ---------------------------------------------------------------------------
# Frame generation.  A frame is aimed at a random flow most of the time:
# the flow's matched bits are taken, the rest is random (from the pools).

def pick(r, key, aim, rand):
    """A value for 'key': the aimed flow's matched bits over 'rand'."""
    if aim is not None and key in aim.f:
        v, m = aim.f[key]
        return (v & m) | (rand & ~m)
    return rand


def gen_frame(r, fid, aim):
    from scapy.all import (ARP, Dot1AD, Dot1Q, Ether, ICMP, IP, IPv6,
                           IPv6ExtHdrFragment, IPv6ExtHdrHopByHop, Raw,
                           SCTP, TCP, UDP, GRE, LLC)
    from scapy.layers.inet6 import ICMPv6Unknown
    from scapy.contrib.mpls import MPLS

    payload = TAG + struct.pack(">I", fid) + bytes(
        r.randrange(256) for _ in range(r.randrange(0, 24)))
    dl_type = aim.f["dl_type"][0] if aim and "dl_type" in aim.f else None
    if dl_type is None:
        dl_type = r.choices([0x0800, 0x86dd, 0x0806, 0x8847, 0],
                            [40, 25, 10, 12, 13])[0]
    host = pick(r, "in_port", aim, r.choice(HOSTS))
    if host not in HOSTS:
        host = r.choice(HOSTS)
    src = pick(r, "dl_src", aim, mac_int(r.choice(MACS)))
    dst = pick(r, "dl_dst", aim, mac_int(r.choice(MACS)))
    eth = Ether(src=int_mac(src & ~(1 << 40) if r.random() < 0.9 else src),
                dst=int_mac(dst))
    desc = []

    # VLAN tags: none, one (802.1Q, sometimes 802.1ad), or two.
    tags = []
    want = aim.f.get("vlan_tci") if aim else None
    if NO_VLAN:
        pass
    elif want is not None:
        v, mk = want
        if v & 0x1000:
            tci = (v & mk) | (r.randrange(0x10000) & ~mk)
            tags.append(tci & 0xefff)
    elif r.random() < 0.2:
        tags.append(r.choice(VIDS) | (r.randrange(8) << 13))
    if tags and r.random() < 0.25:
        tags.append(r.choice(VIDS))
    layers = eth
    tpids = []
    for i, tci in enumerate(tags):
        outer_ad = i == 0 and (len(tags) == 2 or r.random() < 0.2)
        tpids.append(0x88a8 if outer_ad else 0x8100)
        layers = layers / (Dot1AD if outer_ad else Dot1Q)(
            prio=tci >> 13, id=(tci >> 12) & 1, vlan=tci & 0xfff)
    if tags:
        desc.append("tags " + "/".join(f"{t:#x}:{c & 0xfff}"
                                       for t, c in zip(tpids, tags)))

    def ttl():
        return pick(r, "nw_ttl", aim, r.choice([1, 2, 64, 255,
                                               r.randrange(256)]))

    def tos():
        return pick(r, "nw_tos", aim, r.randrange(256))

    def l4(ver):
        icmp = 1 if ver == 4 else 58
        proto = pick(r, "nw_proto", aim,
                     r.choice([6, 6, 17, 17, icmp, 132, 47, 253]))
        sp = pick(r, "tp_src", aim, r.choice(PORTS + [r.randrange(65536)]))
        dp = pick(r, "tp_dst", aim, r.choice(PORTS + [r.randrange(65536)]))
        if proto == 6:
            fl = pick(r, "tcp_flags", aim, r.choice([0x02, 0x10, 0x12, 0x04,
                                                     0x11, 0x18, 0]))
            return proto, TCP(sport=sp, dport=dp, flags=fl & 0xfff), \
                f"tcp {sp}>{dp} flags={fl:#x}"
        if proto == 17:
            u = UDP(sport=sp, dport=dp)
            zero = r.random() < 0.3
            if zero:
                u.chksum = 0
            return proto, u, f"udp {sp}>{dp}{' csum0' if zero else ''}"
        if proto == 132:
            return proto, SCTP(sport=sp, dport=dp), f"sctp {sp}>{dp}"
        if proto == icmp:
            t = pick(r, "tp_src", aim, r.choice(
                ICMP_TYPES if ver == 4 else ICMP6_TYPES)) & 0xff
            c = pick(r, "tp_dst", aim, r.choice([0, 1, 3])) & 0xff
            if ver == 4:
                return proto, ICMP(type=t, code=c), f"icmp {t}/{c}"
            return proto, ICMPv6Unknown(type=t, code=c), f"icmp6 {t}/{c}"
        if proto == 47:
            return proto, GRE(), "gre"
        return proto, None, f"proto {proto}"

    if dl_type == 0x0800:
        s = pick(r, "nw_src", aim, ip4_int(r.choice(IP4)))
        d = pick(r, "nw_dst", aim, ip4_int(r.choice(IP4)))
        proto, l4h, l4d = l4(4)
        ip = IP(src=int_ip4(s), dst=int_ip4(d), tos=tos(), ttl=ttl(),
                proto=proto, id=r.randrange(65536))
        frag = pick(r, "nw_frag", aim, r.choices([0, 1, 3], [90, 4, 6])[0])
        if frag & 1:
            if frag & 2:
                ip.frag = r.randrange(1, 100)
                l4h, l4d = None, f"later fragment proto {proto}"
            ip.flags = "MF"
        if r.random() < 0.05:
            ip.options = b"\x01\x01\x01\x00"    # NOPs and EOL
        layers = layers / ip / (l4h if l4h is not None else Raw()) / payload
        desc.append(f"ip {int_ip4(s)}>{int_ip4(d)} tos={ip.tos} "
                    f"ttl={ip.ttl} {l4d}")
    elif dl_type == 0x86dd:
        s = pick(r, "ipv6_src", aim, ip6_int(r.choice(IP6)))
        d = pick(r, "ipv6_dst", aim, ip6_int(r.choice(IP6)))
        proto, l4h, l4d = l4(6)
        ip6 = IPv6(src=int_ip6(s), dst=int_ip6(d), tc=tos(), hlim=ttl(),
                   fl=pick(r, "ipv6_label", aim, r.choice(
                       [0, 1, 0x12345, r.randrange(1 << 20)])))
        ext = r.choices(["", "hbh", "frag0", "fragN"], [88, 5, 3, 4])[0]
        if ext == "hbh":
            ip6 = ip6 / IPv6ExtHdrHopByHop()
        elif ext == "frag0":
            ip6 = ip6 / IPv6ExtHdrFragment(offset=0, m=1, id=fid)
        elif ext == "fragN":
            ip6 = ip6 / IPv6ExtHdrFragment(offset=r.randrange(1, 50), m=0,
                                           id=fid, nh=proto)
            l4h, l4d = None, f"later fragment proto {proto}"
        if l4h is None:
            ip6.nh = proto if ext != "fragN" else 44
            if ext not in ("", "fragN"):
                ip6.payload.nh = proto
        layers = layers / ip6 / (l4h if l4h is not None else Raw()) / payload
        desc.append(f"ipv6 {int_ip6(s)}>{int_ip6(d)} tc={ip6.tc} "
                    f"hlim={ip6.hlim} fl={ip6.fl:#x} {ext} {l4d}")
    elif dl_type == 0x0806:
        s = pick(r, "nw_src", aim, ip4_int(r.choice(IP4)))
        d = pick(r, "nw_dst", aim, ip4_int(r.choice(IP4)))
        op = pick(r, "nw_proto", aim, r.choice([1, 2, 1, 2, 3]))
        layers = layers / ARP(op=op, psrc=int_ip4(s), pdst=int_ip4(d),
                              hwsrc=r.choice(MACS)) / payload
        desc.append(f"arp op={op} {int_ip4(s)}>{int_ip4(d)}")
    elif dl_type == 0x8847:
        lse = pick(r, "mpls", aim, (r.choice(MPLS_LABELS) << 12)
                   | (r.randrange(8) << 9) | (r.randrange(2) << 8)
                   | r.choice([1, 64, 255]))
        m = MPLS(label=lse >> 12, cos=(lse >> 9) & 7, s=(lse >> 8) & 1,
                 ttl=lse & 0xff)
        layers = layers / m
        if not (lse & 0x100):
            layers = layers / MPLS(label=r.choice(MPLS_LABELS), s=1, ttl=9)
        layers = layers / IP(src="10.0.0.1", dst="10.0.0.2") / UDP() / payload
        desc.append(f"mpls label={lse >> 12} tc={(lse >> 9) & 7} "
                    f"bos={(lse >> 8) & 1} ttl={lse & 0xff}")
    elif dl_type in (0x88cc, 0x1234) or r.random() < 0.6:
        t = dl_type if dl_type else r.choice(ODD_TYPES)
        if t == 0x0806:
            t = 0x88cc
        layers.lastlayer().type = t
        layers = layers / payload
        desc.append(f"ethertype {t:#06x}")
    else:
        layers = layers / LLC() / payload       # 802.3 length frame
        desc.append("802.3/LLC")
    raw = bytes(layers)
    return {"id": fid, "host": host, "hex": raw.hex(),
            "desc": f"h{host}: " + ", ".join(desc)}


def cmd_gen(seed, set_no, out_dir, n_frames=300):
    r = random.Random(f"{seed}/{set_no}")
    lines, matches = gen_flows(r)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "flows.all"), "w") as f:
        f.write("\n".join(lines) + "\n")
    frames = []
    for fid in range(n_frames):
        aim = r.choice(matches) if matches and r.random() < 0.75 else None
        frames.append(gen_frame(r, fid, aim))
    with open(os.path.join(out_dir, "frames.json"), "w") as f:
        json.dump(frames, f)


# ---------------------------------------------------------------------------
# Sending and receiving.

CLONE_NEWNET = 0x40000000
SOL_PACKET = 263
PACKET_AUXDATA = 8
TP_STATUS_VLAN_VALID = 0x10
TP_STATUS_VLAN_TPID_VALID = 0x40
PACKET_OUTGOING = 4
ETH_P_ALL = 0x0003


def setns(path):
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            e = ctypes.get_errno()
            raise OSError(e, f"setns {path}: {os.strerror(e)}")
    finally:
        os.close(fd)


def open_port(ns):
    """A packet socket on eth0 of namespace 'ns' (the socket stays there)."""
    here = os.open("/proc/self/ns/net", os.O_RDONLY)
    try:
        setns(f"/run/netns/{ns}")
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                          socket.htons(ETH_P_ALL))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
        s.bind(("eth0", 0))
        s.setblocking(False)
    finally:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.setns(here, CLONE_NEWNET)
        os.close(here)
    return s


def recv_all(s, host, got):
    """Reads every queued frame of 's' into 'got' (id -> [[host, hex]])."""
    n = 0
    while True:
        try:
            data, anc, _, addr = s.recvmsg(65536, socket.CMSG_SPACE(20))
        except BlockingIOError:
            return n
        if addr[2] == PACKET_OUTGOING:
            continue
        for level, typ, cdata in anc:
            if level == SOL_PACKET and typ == PACKET_AUXDATA:
                status, _, _, _, _, tci, tpid = struct.unpack(
                    "IIIHHHH", cdata[:20])
                if status & TP_STATUS_VLAN_VALID:
                    if not status & TP_STATUS_VLAN_TPID_VALID:
                        tpid = 0x8100
                    data = data[:12] + struct.pack(">HH", tpid, tci) \
                        + data[12:]
        i = data.find(TAG)
        if i < 0 or i + len(TAG) + 4 > len(data):
            continue
        fid = struct.unpack(">I", data[i + len(TAG):i + len(TAG) + 4])[0]
        got.setdefault(str(fid), []).append([host, data.hex()])
        n += 1


def cmd_run(frames_file, out, nss, gap=0.002, quiet=0.5, limit=5.0):
    with open(frames_file) as f:
        frames = json.load(f)
    socks = {h: open_port(ns) for h, ns in zip(HOSTS, nss)}
    by_fd = {s.fileno(): (h, s) for h, s in socks.items()}
    got = {}
    poll = select.poll()
    for s in socks.values():
        poll.register(s, select.POLLIN)

    def drain(timeout):
        n = 0
        for fd, _ in poll.poll(timeout * 1000):
            h, s = by_fd[fd]
            n += recv_all(s, h, got)
        return n

    for fr in frames:
        socks[fr["host"]].send(bytes.fromhex(fr["hex"]))
        deadline = time.monotonic() + gap
        while (left := deadline - time.monotonic()) > 0:
            drain(left)
    # Drain: until nothing has come for 'quiet' seconds, at most 'limit'.
    end = time.monotonic() + limit
    last = time.monotonic()
    while time.monotonic() < end and time.monotonic() - last < quiet:
        if drain(0.05):
            last = time.monotonic()
    for v in got.values():
        v.sort()
    with open(out, "w") as f:
        json.dump(got, f)
    n = sum(len(v) for v in got.values())
    print(f"sent {len(frames)} frames, received {n} copies of "
          f"{len(got)} of them")


# ---------------------------------------------------------------------------
# Comparison.

def cmd_compare(dir_, off_file, on_file):
    with open(os.path.join(dir_, "frames.json")) as f:
        frames = json.load(f)
    with open(off_file) as f:
        off = json.load(f)
    with open(on_file) as f:
        on = json.load(f)
    bad = 0
    for fr in frames:
        k = str(fr["id"])
        a, b = off.get(k, []), on.get(k, [])
        if a == b:
            continue
        bad += 1
        if bad > 20:
            continue
        print(f"MISMATCH frame {k} ({fr['desc']})")
        print(f"  sent:        {fr['hex']}")
        for name, res in (("offload off", a), ("offload on ", b)):
            if not res:
                print(f"  {name}: nothing delivered")
            for h, x in res:
                print(f"  {name}: h{h} {x}")
    n_off = sum(len(v) for v in off.values())
    n_on = sum(len(v) for v in on.values())
    print(f"{len(frames)} frames: delivered {n_off} copies with offload "
          f"off, {n_on} with offload on; {bad} frames differ")
    if n_off == 0:
        print("nothing was delivered at all")
        return 1
    return 1 if bad else 0


def main(argv):
    if len(argv) >= 4 and argv[1] == "gen":
        cmd_gen(argv[2], argv[3], argv[4],
                int(argv[5]) if len(argv) > 5 else 300)
        return 0
    if len(argv) == 8 and argv[1] == "run":
        cmd_run(argv[2], argv[3], argv[4:8])
        return 0
    if len(argv) == 5 and argv[1] == "compare":
        return cmd_compare(argv[2], argv[3], argv[4])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
