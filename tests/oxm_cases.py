#!/usr/bin/python3
# tests/oxm_cases.py: every OXM field of OpenFlow 1.3.5 (Table 12), as a
# match and, where the spec lets set_field write it, as a set_field,
# checked byte for byte on the wire.  Driven by tests/sys-oxm.sh.
#
#   oxm_cases.py --target unix:DIR/br0.mgmt --h1 NS1 --h2 NS2 --h3 NS3
#                [--switch mvs|ovs] [--pass NAME] [--only REGEX]
#                [--record FILE] [--compare FILE] [--sync CMD]
#                [--offload-show CMD]
#   oxm_cases.py --list          (the cases, no switch needed)
#
# Topology: one bridge, h1 on port 1, h2 on port 2, h3 on port 3; NS1..3
# are the hosts' network namespaces (/run/netns/NAME).  The helper opens
# AF_PACKET sockets on each host's eth0 itself (setns into the namespace,
# create and bind the socket, setns back), so no tcpdump runs.
#
# Each case: delete every flow (all tables), install the case's flows,
# barrier; then per frame: drain the receive sockets (anything there is a
# stray), send the frame from h1 (h2 for the in_port miss), wait at most
# 1 s for it to arrive at h2 or h3, compare with the expected bytes; at
# the end delete the flows, barrier, drain once more (strays again).
#
#  match cases: a priority-100 flow with the match (and its
#   prerequisites) outputs to port 2, a priority-0 flow to port 3.  The
#   frame carrying the value must reach h2 unchanged; frames differing
#   only in that field (its top and its bottom bit, for masks a masked-in
#   bit) must reach h3 unchanged; for masks, a frame differing only in
#   masked-out bits must still reach h2.
#  set cases: in_port=1 (+ prerequisites) -> set_field, output:2 (and
#   priority 0 -> port 3).  The expected frame is the sent one parsed by
#   scapy, the field changed, every checksum field deleted and the frame
#   rebuilt (IPv4 header, TCP, UDP, ICMP, ICMPv6, SCTP's CRC32c).
#
# One line per case (PASS / FAIL / XFAIL / XPASS), details after a FAIL,
# then "oxm[NAME]: N cases, ..." ; exit 1 if any case failed (2 if the
# test's own frames do not survive a scapy rebuild: a test bug).  XFAIL is a
# failing case marked unsupported for the switch under test (--switch ovs:
# what Open vSwitch cannot express or do); it does not fail the run.
# --sync CMD runs CMD after each case's flows are in (for Open vSwitch,
# whose barrier reply does not wait for its datapath flows to be
# revalidated: ovs-appctl revalidator/purge).
# --record FILE writes what arrived for each frame (JSON); --compare FILE
# reports every frame whose bytes or port differ from that record (the
# offload pass against the userspace pass).  --offload-show CMD (CMD
# prints mvs-appctl offload/show) makes each case check, before its flows
# go, that offload is still on, and report where its first table-0 flow
# ran: [kernel, N packets] or [userspace: why].

import argparse
import ctypes
import json
import os
import re
import select
import shlex
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)

from ofclient import OFClient, OFError  # noqa: E402
from scapy.all import Ether, Dot1Q, ARP, IP, TCP, UDP, ICMP, Raw, \
    Padding, raw  # noqa: E402
from scapy.layers.inet6 import IPv6, IPv6ExtHdrHopByHop, \
    IPv6ExtHdrDestOpt, IPv6ExtHdrRouting, IPv6ExtHdrFragment, \
    ICMPv6Unknown, ICMPv6EchoRequest, ICMPv6ND_NS, ICMPv6ND_NA, \
    ICMPv6NDOptSrcLLAddr, ICMPv6NDOptDstLLAddr  # noqa: E402
from scapy.layers.sctp import SCTP, SCTPChunkData  # noqa: E402
from scapy.layers.ipsec import AH, ESP  # noqa: E402

CLONE_NEWNET = 0x40000000
ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_AUXDATA = 8
PACKET_OUTGOING = 4
TP_STATUS_VLAN_VALID = 0x10
TP_STATUS_VLAN_TPID_VALID = 0x40
WAIT = 1.0                      # Seconds a frame may take to arrive.

# Addresses in the frames: no host owns them, so no host's kernel answers
# (and the hosts have IPv6 disabled).
MAC_D = "02:00:00:00:aa:02"
MAC_S = "02:00:00:00:aa:01"
IP4_S, IP4_D = "192.0.2.1", "198.51.100.2"
IP6_S, IP6_D = "2001:db8::1", "2001:db8::2"
PAYLOAD = b"oxm-test-payload"


# ---- namespaces and sockets ----------------------------------------------

_libc = ctypes.CDLL("libc.so.6", use_errno=True)


def _setns(fd):
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        e = ctypes.get_errno()
        raise OSError(e, "setns: %s" % os.strerror(e))


def in_netns(name, fn):
    """Runs fn() with this thread in network namespace /run/netns/NAME and
    comes back; sockets fn() creates stay in NAME."""
    here = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    there = os.open("/run/netns/%s" % name, os.O_RDONLY)
    try:
        _setns(there)
        try:
            return fn()
        finally:
            _setns(here)
    finally:
        os.close(there)
        os.close(here)


def rx_socket():
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                      socket.htons(ETH_P_ALL))
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    s.bind(("eth0", ETH_P_ALL))
    s.setblocking(False)
    return s


def tx_socket():
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    s.bind(("eth0", 0))
    return s


def recv_frame(s):
    """One received frame (bytes) from rx socket s, the VLAN tag the
    kernel moved into metadata put back; None if the socket is empty or
    the frame was our own outgoing one."""
    try:
        data, anc, _, addr = s.recvmsg(65536, socket.CMSG_SPACE(20))
    except BlockingIOError:
        return None
    if addr[2] == PACKET_OUTGOING:
        return b""
    for level, kind, cdata in anc:
        if level == SOL_PACKET and kind == PACKET_AUXDATA \
                and len(cdata) >= 20:
            status, _, _, _, _, tci, tpid = struct.unpack_from(
                "=IIIHHHH", cdata)
            if status & TP_STATUS_VLAN_VALID:
                if not status & TP_STATUS_VLAN_TPID_VALID:
                    tpid = 0x8100
                data = data[:12] + struct.pack("!HH", tpid, tci) + data[12:]
    return data


# ---- frames --------------------------------------------------------------

def eth(dst=MAC_D, src=MAC_S, vlan=None, pcp=0, dei=0, etype=None):
    e = Ether(dst=dst, src=src)
    if vlan is not None:
        e = e / Dot1Q(vlan=vlan, prio=pcp, id=dei)
        if etype is not None:
            e[Dot1Q].type = etype
    elif etype is not None:
        e.type = etype
    return e


def l4(kind, sport=1111, dport=2222, itype=None, icode=0):
    if kind == "udp":
        return UDP(sport=sport, dport=dport) / Raw(PAYLOAD)
    if kind == "udp0":               # IPv4 UDP without a checksum
        return UDP(sport=sport, dport=dport, chksum=0) / Raw(PAYLOAD)
    if kind == "tcp":
        return TCP(sport=sport, dport=dport, seq=0x01020304, ack=0x0a0b0c0d,
                   flags="PA", window=8192) / Raw(PAYLOAD)
    if kind == "sctp":
        return SCTP(sport=sport, dport=dport, tag=0x11223344) \
            / SCTPChunkData(tsn=1, data=PAYLOAD)
    if kind == "icmp" and itype == 3:   # quotes the packet it is about
        return ICMP(type=3, code=icode) / IP(
            src=IP4_D, dst=IP4_S, ttl=64, id=0x4343) / UDP(
                sport=2222, dport=1111) / Raw(PAYLOAD)
    if kind == "icmp":
        return ICMP(type=8 if itype is None else itype, code=icode,
                    id=0x1234, seq=7) / Raw(PAYLOAD)
    if kind == "icmp6":
        if itype is None or itype == 128:
            return ICMPv6EchoRequest(code=icode, id=0x1234, seq=7,
                                     data=PAYLOAD)
        return ICMPv6Unknown(type=itype, code=icode,
                             msgbody=b"\0\0\0\0" + PAYLOAD)
    if kind == "none":
        return Raw(PAYLOAD)
    raise ValueError(kind)


def ip4(kind="udp", src=IP4_S, dst=IP4_D, tos=0, proto=None, options=None,
        l2=None, **kw):
    ip = IP(src=src, dst=dst, tos=tos, ttl=64, id=0x4242, flags="DF")
    if options is not None:
        ip.options = options
    if proto is not None:
        ip.proto = proto
    return raw((l2 if l2 is not None else eth()) / ip / l4(kind, **kw))


def ip6(kind="udp", src=IP6_S, dst=IP6_D, tc=0, fl=0, nh=None, ext=(),
        l2=None, **kw):
    p = IPv6(src=src, dst=dst, tc=tc, fl=fl, hlim=64)
    if nh is not None:
        p.nh = nh
    for x in ext:
        p = p / x
    return raw((l2 if l2 is not None else eth()) / p / l4(kind, **kw))


def ip6_exthdr(*ext, payload="udp"):
    """IPv6 with extension headers (scapy layers, each made fresh) then UDP
    (or ESP's data, or nothing for nh=59)."""
    p = IPv6(src=IP6_S, dst=IP6_D, hlim=64)
    for x in ext:
        p = p / x()
    if payload == "udp":
        p = p / UDP(sport=1111, dport=2222) / Raw(PAYLOAD)
    return raw(eth() / p)


def ah():
    return AH(nh=17, payloadlen=4, spi=0x1000, seq=1, icv=b"\0" * 12)


def esp():
    return ESP(spi=0x2000, seq=1, data=PAYLOAD + b"\0" * 4)


def nd_ns(tgt="2001:db8::2", sll="02:00:00:00:aa:01", l2=None):
    p = IPv6(src=IP6_S, dst="ff02::1:ff00:2", hlim=255) / ICMPv6ND_NS(tgt=tgt)
    if sll is not None:
        p = p / ICMPv6NDOptSrcLLAddr(lladdr=sll)
    return raw((l2 or eth()) / p)


def nd_na(tgt="2001:db8::2", tll="02:00:00:00:aa:01"):
    p = IPv6(src=IP6_D, dst=IP6_S, hlim=255) \
        / ICMPv6ND_NA(tgt=tgt, R=0, S=1, O=1)
    if tll is not None:
        p = p / ICMPv6NDOptDstLLAddr(lladdr=tll)
    return raw(eth() / p)


def arp(op=1, sha="02:00:00:00:aa:01", spa="192.0.2.1",
        tha="02:00:00:00:aa:02", tpa="198.51.100.2"):
    return raw(eth(etype=0x0806) / ARP(op=op, hwsrc=sha, psrc=spa,
                                       hwdst=tha, pdst=tpa)
               / Padding(load=b"\0" * 18))


def lse(label, tc=0, bos=1, ttl=64):
    return struct.pack("!I", (label << 12) | (tc << 9) | (bos << 8) | ttl)


def ipv4_packet():
    """An IPv4 UDP packet (no Ethernet header)."""
    return raw(IP(src=IP4_S, dst=IP4_D, ttl=64, id=0x4242, flags="DF")
               / UDP(sport=1111, dport=2222) / Raw(PAYLOAD))


def mpls(*stack, etype=0x8847):
    """Ethernet + the label stack (lse() entries) + an IPv4 UDP packet."""
    return raw(eth(etype=etype)) + b"".join(stack) + ipv4_packet()


def inner_frame():
    return raw(Ether(dst="02:00:00:00:cc:02", src="02:00:00:00:cc:01")
               / IP(src=IP4_S, dst=IP4_D, ttl=64, id=0x4242, flags="DF")
               / UDP(sport=1111, dport=2222) / Raw(PAYLOAD))


def pbb(isid, pcp=0):
    """802.1ah: B-DA, B-SA, 0x88e7, I-TAG, the customer frame."""
    return (raw(eth(etype=0x88e7)) + struct.pack("!I", (pcp << 29) | isid)
            + inner_frame())


# ---- cases ---------------------------------------------------------------

class Frame(object):
    def __init__(self, data, dest, want=None, sender="h1", what=""):
        self.data, self.dest, self.sender, self.what = \
            data, dest, sender, what
        self.want = data if want is None else want


class Case(object):
    def __init__(self, kind, field, label, flows, frames, ovs=None,
                 note=None, mvs=None):
        self.kind, self.field, self.label = kind, field, label
        self.flows, self.frames = flows, frames
        self.ovs = ovs              # why Open vSwitch cannot, or None
        self.mvs = mvs              # why mvs does not (yet), or None
        self.note = note

    @property
    def name(self):
        return "%s %s%s" % (self.kind, self.field,
                            " (%s)" % self.label if self.label else "")


CASES = []
CATCH = ("priority=0", "output:3")

NO_OVS_EXTHDR = "Open vSwitch has no ipv6_exthdr match"
NO_OVS_PBB = "Open vSwitch has no PBB"
NO_OVS_PHY = "Open vSwitch has no in_phy_port"
NO_MVS_PHY = ("mvs refuses the optional in_phy_port (OFPBMC_BAD_FIELD), "
              "as libopenvswitch has no such field")


def M(field, label, match, build, hit, miss, hit2=(), ovs=None, note=None,
      pre=None, mvs=None):
    """A match case: flow 'match' (+ prerequisites 'pre') -> port 2; the
    frame build(hit) at h2, build(m) for each m of 'miss' at h3, build(h)
    for each h of 'hit2' (masked-out bits differ) at h2."""
    m = "priority=100," + (pre + "," if pre else "") + match
    frames = [Frame(build(hit), "h2", what="%s (hit)" % (hit,))]
    for h in hit2:
        frames.append(Frame(build(h), "h2",
                            what="%s (masked-out bits differ: hit)" % (h,)))
    for x in miss:
        frames.append(Frame(build(x), "h3", what="%s (miss)" % (x,)))
    CASES.append(Case("match", field, label,
                      [(m, "output:2"), CATCH], frames, ovs, note, mvs))


def pipeline(field, label, writes, match, hit, miss, hit2=(), ovs=None,
             note=None):
    """metadata / tunnel_id: table 0 gives each frame (UDP port 1000 + i) a
    value with the action text writes(value), goto table 1; table 1
    matches 'match' -> port 2, else port 3."""
    values = [(hit, "h2", "hit")] + [(h, "h2", "masked-out bits differ: hit")
                                     for h in hit2] \
        + [(x, "h3", "miss") for x in miss]
    flows, frames = [], []
    for i, (v, dest, what) in enumerate(values):
        flows.append(("table=0,priority=10,in_port=1,eth_type=0x0800,"
                      "ip_proto=17,udp_dst=%d" % (1000 + i),
                      writes(v) + ",goto_table:1"))
        frames.append(Frame(ip4("udp", dport=1000 + i), dest,
                            what="0x%x (%s)" % (v, what)))
    flows.append(("table=1,priority=100," + match, "output:2"))
    flows.append(("table=1,priority=0", "output:3"))
    CASES.append(Case("match", field, label, flows, frames, ovs, note))


def build_match_cases():
    IPV4 = "eth_type=0x0800"
    IPV6 = "eth_type=0x86dd"
    P = lambda *a: ",".join(a)

    # in_port / in_phy_port: the miss comes from h2 (port 2 -> 3).
    f = ip4()
    CASES.append(Case("match", "in_port", "", [
        ("priority=100,in_port=1", "output:2"), CATCH],
        [Frame(f, "h2", what="from port 1 (hit)"),
         Frame(f, "h3", sender="h2", what="from port 2 (miss)")]))
    CASES.append(Case("match", "in_phy_port", "", [
        ("priority=100,in_port=1,in_phy_port=1", "output:2"), CATCH],
        [Frame(f, "h2", what="from port 1 (hit)"),
         Frame(f, "h3", sender="h2", what="from port 2 (miss)")],
        ovs=NO_OVS_PHY, mvs=NO_MVS_PHY,
        note="in_phy_port is optional in 1.3.5 (Table 11)"))
    CASES.append(Case("match", "in_phy_port", "other port", [
        ("priority=100,in_port=1,in_phy_port=2", "output:2"), CATCH],
        [Frame(f, "h3", what="from port 1, in_phy_port=2 (miss)")],
        ovs=NO_OVS_PHY, mvs=NO_MVS_PHY,
        note="in_phy_port is optional in 1.3.5 (Table 11)"))

    # metadata: written in table 0, matched in table 1.
    wm = lambda v: "write_metadata:0x%x" % v
    pipeline("metadata", "", wm, "metadata=0xfedcba9876543210",
             0xfedcba9876543210, [0x7edcba9876543210, 0xfedcba9876543211])
    pipeline("metadata", "masked", wm,
             "metadata=0xfedcba9800000000/0xffffffff00000000",
             0xfedcba9800000000, [0xfedcba9900000000, 0x7edcba9876543210],
             hit2=[0xfedcba98ffffffff, 0xfedcba9876543210])
    # write_metadata with a mask only changes the masked bits.
    flows = [
        ("table=0,priority=10,in_port=1,eth_type=0x0800,ip_proto=17,"
         "udp_dst=1000", "write_metadata:0x1111000000000000/"
         "0xffff000000000000,goto_table:1"),
        ("table=0,priority=10,in_port=1,eth_type=0x0800,ip_proto=17,"
         "udp_dst=1001", "write_metadata:0x1112000000000000/"
         "0xffff000000000000,goto_table:1"),
        ("table=1,priority=10", "write_metadata:0x2222/0xffff,"
         "goto_table:2"),
        ("table=2,priority=100,metadata=0x1111000000002222", "output:2"),
        ("table=2,priority=0", "output:3")]
    CASES.append(Case("match", "metadata", "write_metadata masks", flows, [
        Frame(ip4("udp", dport=1000), "h2", what="0x1111..2222 (hit)"),
        Frame(ip4("udp", dport=1001), "h3", what="0x1112..2222 (miss)")]))

    # metadata starts at 0.
    flows = [
        ("table=0,priority=10,in_port=1,eth_type=0x0800,ip_proto=17,"
         "udp_dst=1000", "goto_table:1"),
        ("table=0,priority=10,in_port=1,eth_type=0x0800,ip_proto=17,"
         "udp_dst=1001", "write_metadata:0x8000000000000000,goto_table:1"),
        ("table=1,priority=100,metadata=0", "output:2"),
        ("table=1,priority=0", "output:3")]
    CASES.append(Case("match", "metadata", "initially 0", flows, [
        Frame(ip4("udp", dport=1000), "h2", what="never written (hit)"),
        Frame(ip4("udp", dport=1001), "h3", what="0x8000.. (miss)")],
        note="1.3.5 5.8: metadata is a 64-bit field that starts at 0"))

    # tunnel_id: set_field in table 0 (pipeline metadata here), table 1.
    st = lambda v: "set_field:tunnel_id=0x%x" % v
    pipeline("tunnel_id", "", st, "tunnel_id=0x8877665544332211",
             0x8877665544332211, [0x0877665544332211, 0x8877665544332210])
    pipeline("tunnel_id", "masked", st,
             "tunnel_id=0x0000000044332200/0x00000000ffffff00",
             0x0000000044332200, [0x0000000044342200, 0x00000000c4332200],
             hit2=[0xffffffff443322ff, 0x0000000044332211])

    # Ethernet.
    M("eth_dst", "", "eth_dst=02:00:00:00:aa:02",
      lambda v: ip4(l2=eth(dst=v)), "02:00:00:00:aa:02",
      ["82:00:00:00:aa:02", "02:00:00:00:aa:03"])
    M("eth_dst", "masked", "eth_dst=02:00:00:aa:00:00/ff:ff:ff:ff:00:00",
      lambda v: ip4(l2=eth(dst=v)), "02:00:00:aa:00:00",
      ["02:00:00:ab:12:34", "82:00:00:aa:12:34"],
      hit2=["02:00:00:aa:12:34", "02:00:00:aa:ff:ff"])
    M("eth_dst", "multicast bit", "eth_dst=01:00:00:00:00:00/"
      "01:00:00:00:00:00", lambda v: ip4(l2=eth(dst=v)),
      "01:00:5e:00:00:01", ["02:00:00:00:aa:02"],
      hit2=["33:33:00:00:00:01", "ff:ff:ff:ff:ff:ff"])
    M("eth_src", "", "eth_src=02:00:00:00:aa:01",
      lambda v: ip4(l2=eth(src=v)), "02:00:00:00:aa:01",
      ["82:00:00:00:aa:01", "02:00:00:00:aa:00"])
    M("eth_src", "masked", "eth_src=02:00:00:00:00:00/ff:ff:ff:00:00:00",
      lambda v: ip4(l2=eth(src=v)), "02:00:00:00:00:00",
      ["06:00:00:12:34:56", "02:00:01:12:34:56"],
      hit2=["02:00:00:12:34:56", "02:00:00:ff:ff:ff"])
    ethtype = lambda v: raw(eth(etype=v) / Raw(PAYLOAD * 3))
    M("eth_type", "", "eth_type=0x88b5", ethtype, 0x88b5, [0x08b5, 0x88b4])
    M("eth_type", "IPv4", "eth_type=0x0800",
      lambda v: ip4() if v == 0x0800 else ip4()[:12] + b"\x86\xdd"
      + ip4()[14:], 0x0800, [0x86dd])

    M("eth_type", "VLAN-tagged", "eth_type=0x0800",
      lambda v: ip4(l2=eth(vlan=7)) if v == 0x0800 else
      ip4(l2=eth(vlan=7))[:16] + b"\x86\xdd" + ip4(l2=eth(vlan=7))[18:],
      0x0800, [0x86dd],
      note="eth_type is the type after the VLAN tag (1.3.5 7.2.3.8)")

    # VLAN.
    vf = lambda v: ip4(l2=eth(vlan=v, pcp=3)) if v is not None else ip4()
    M("vlan_vid", "", "vlan_vid=0x10a5", vf, 0x0a5, [0x8a5, 0x0a4, None])
    M("vlan_vid", "OFPVID_NONE", "vlan_vid=0x0000", vf, None, [0x0a5])
    M("vlan_vid", "OFPVID_PRESENT", "vlan_vid=0x1000/0x1000", vf, 0x0a5,
      [None], hit2=[0x35a, 0xfff])
    M("vlan_vid", "masked", "vlan_vid=0x10a0/0x1ff0", vf, 0x0a0,
      [0x0b5, 0x8a5, None], hit2=[0x0a5, 0x0af])
    qinq = lambda v: raw(Ether(dst=MAC_D, src=MAC_S, type=0x88a8)
                         / Dot1Q(vlan=v, prio=3, type=0x8100)
                         / Dot1Q(vlan=7, type=0x0800)) + ip4()[14:]
    M("vlan_vid", "802.1ad outer tag", "vlan_vid=0x10a5", qinq, 0x0a5,
      [0x8a5, 0x0a4], note="vlan_vid taken as the outermost tag, TPID "
      "0x88a8 included (push_vlan allows 0x88a8)")
    pf = lambda v: ip4(l2=eth(vlan=0x0a5, pcp=v))
    M("vlan_pcp", "", "vlan_pcp=5", pf, 5, [1, 4],
      pre="vlan_vid=0x1000/0x1000")

    # IP (both versions).
    for ver, pre, b in (("IPv4", IPV4, lambda tc, **k: ip4(tos=tc, **k)),
                        ("IPv6", IPV6, lambda tc, **k: ip6(tc=tc, **k))):
        M("ip_dscp", ver, "ip_dscp=46", lambda v, b=b: b((v << 2) | 1),
          46, [14, 47], pre=pre)
        M("ip_ecn", ver, "ip_ecn=2", lambda v, b=b: b((46 << 2) | v),
          2, [0, 3], pre=pre)
    M("ip_proto", "IPv4", "ip_proto=17", lambda v: ip4(proto=v), 17,
      [145, 16], pre=IPV4)
    M("ip_proto", "IPv6", "ip_proto=17", lambda v: ip6(nh=v), 17,
      [145, 16], pre=IPV6)

    # IPv4 addresses.
    M("ipv4_src", "", "ipv4_src=192.0.2.1", lambda v: ip4(src=v),
      "192.0.2.1", ["64.0.2.1", "192.0.2.0"], pre=IPV4)
    M("ipv4_src", "prefix", "ipv4_src=192.0.2.0/255.255.255.0",
      lambda v: ip4(src=v), "192.0.2.0", ["192.0.3.7", "64.0.2.7"],
      hit2=["192.0.2.7", "192.0.2.255"], pre=IPV4)
    M("ipv4_src", "arbitrary mask", "ipv4_src=192.0.0.1/255.0.255.1",
      lambda v: ip4(src=v), "192.0.0.1", ["192.0.1.1", "192.0.0.2"],
      hit2=["192.77.0.3", "192.255.0.255"], pre=IPV4)
    M("ipv4_dst", "", "ipv4_dst=198.51.100.2", lambda v: ip4(dst=v),
      "198.51.100.2", ["70.51.100.2", "198.51.100.3"], pre=IPV4)
    M("ipv4_dst", "prefix", "ipv4_dst=198.51.0.0/255.255.0.0",
      lambda v: ip4(dst=v), "198.51.0.0", ["198.50.100.2", "70.51.100.2"],
      hit2=["198.51.100.2", "198.51.255.255"], pre=IPV4)
    M("ipv4_dst", "arbitrary mask", "ipv4_dst=0.51.0.2/0.255.0.255",
      lambda v: ip4(dst=v), "0.51.0.2", ["198.51.100.3", "198.179.100.2"],
      hit2=["198.51.100.2", "10.51.7.2"], pre=IPV4)
    M("ipv4_dst", "VLAN-tagged", "ipv4_dst=198.51.100.2",
      lambda v: ip4(dst=v, l2=eth(vlan=7)), "198.51.100.2",
      ["198.51.100.3"], pre=IPV4)

    # Transport ports, IPv4 and IPv6.
    for proto, num in (("tcp", 6), ("udp", 17), ("sctp", 132)):
        for ver, eth_type, b in (("IPv4", IPV4, ip4), ("IPv6", IPV6, ip6)):
            pre = P(eth_type, "ip_proto=%d" % num)
            M("%s_src" % proto, ver, "%s_src=1234" % proto,
              lambda v, b=b, k=proto: b(k, sport=v), 1234,
              [1234 ^ 0x8000, 1235], pre=pre)
            M("%s_dst" % proto, ver, "%s_dst=4321" % proto,
              lambda v, b=b, k=proto: b(k, dport=v), 4321,
              [4321 ^ 0x8000, 4320], pre=pre)
    M("tcp_dst", "IPv4 options", "tcp_dst=4321",
      lambda v: ip4("tcp", dport=v, options=[b"\x01\x01\x01\x00"]), 4321,
      [4320], pre=P(IPV4, "ip_proto=6"))
    def frag(dport, off):
        """IPv4 TCP to dport; off None: not a fragment, 0: the first
        fragment (MF), else a later one at that offset."""
        b = bytearray(ip4("tcp", dport=dport))
        if off is not None:
            struct.pack_into("!H", b, 20, (0x2000 if off == 0 else 0) | off)
            b[24:26] = b"\0\0"
            b[24:26] = struct.pack("!H", ~fold(bytes(b[14:34])) & 0xffff)
        return bytes(b)
    M("tcp_dst", "first IPv4 fragment", "tcp_dst=4321",
      lambda v: frag(v, 0), 4321, [4320], pre=P(IPV4, "ip_proto=6"),
      ovs="Open vSwitch's frag mode normal zeroes the ports of every "
      "fragment",
      note="OFPC_FRAG_NORMAL: the first fragment carries the TCP header")
    M("tcp_dst", "later IPv4 fragment", "tcp_dst=4321",
      lambda v: frag(4321, v), None, [185], pre=P(IPV4, "ip_proto=6"),
      note="a non-first fragment has no TCP header, so tcp_dst cannot "
      "match the bytes where it would be")
    M("udp_dst", "later IPv6 fragment", "udp_dst=4321",
      lambda v: ip6("udp", dport=4321, ext=[] if v is None else
                    [IPv6ExtHdrFragment(offset=v, m=0, id=7)]),
      None, [185], pre=P(IPV6, "ip_proto=17"),
      note="a non-first fragment has no UDP header, so udp_dst cannot "
      "match the bytes where it would be")
    M("udp_dst", "IPv6 hop-by-hop", "udp_dst=4321",
      lambda v: ip6("udp", dport=v, ext=[IPv6ExtHdrHopByHop()]), 4321,
      [4320], pre=P(IPV6, "ip_proto=17"))

    # ICMPv4.
    pre = P(IPV4, "ip_proto=1")
    M("icmpv4_type", "", "icmpv4_type=8", lambda v: ip4("icmp", itype=v),
      8, [136, 9], pre=pre)
    M("icmpv4_code", "", "icmpv4_code=2",
      lambda v: ip4("icmp", itype=3, icode=v), 2, [130, 3], pre=pre)

    # ARP.
    pre = "eth_type=0x0806"
    M("arp_op", "", "arp_op=1", lambda v: arp(op=v), 1, [2, 0x8001],
      pre=pre)
    M("arp_op", "16 bits", "arp_op=0x0101", lambda v: arp(op=v), 0x0101,
      [0x0001, 0x0100], pre=pre,
      ovs="Open vSwitch keeps 8 bits of arp_op",
      mvs="libopenvswitch's decoder keeps 8 bits of arp_op (OFPBMC_BAD_VALUE)",
      note="ARP_OP is a 16-bit field in 1.3.5 Table 12; libopenvswitch "
      "keeps 8 bits")
    M("arp_spa", "", "arp_spa=192.0.2.1", lambda v: arp(spa=v),
      "192.0.2.1", ["64.0.2.1", "192.0.2.0"], pre=pre)
    M("arp_spa", "masked", "arp_spa=192.0.2.0/255.255.255.0",
      lambda v: arp(spa=v), "192.0.2.0", ["192.0.3.1", "64.0.2.1"],
      hit2=["192.0.2.1", "192.0.2.255"], pre=pre)
    M("arp_tpa", "", "arp_tpa=198.51.100.2", lambda v: arp(tpa=v),
      "198.51.100.2", ["70.51.100.2", "198.51.100.3"], pre=pre)
    M("arp_tpa", "masked", "arp_tpa=198.51.0.2/255.255.0.255",
      lambda v: arp(tpa=v), "198.51.0.2", ["198.51.100.3", "70.51.100.2"],
      hit2=["198.51.100.2", "198.51.255.2"], pre=pre)
    M("arp_sha", "", "arp_sha=02:00:00:00:aa:01", lambda v: arp(sha=v),
      "02:00:00:00:aa:01", ["82:00:00:00:aa:01", "02:00:00:00:aa:00"],
      pre=pre)
    M("arp_sha", "masked", "arp_sha=02:00:00:00:00:00/ff:ff:ff:00:00:00",
      lambda v: arp(sha=v), "02:00:00:00:00:00",
      ["02:00:01:00:aa:01", "82:00:00:00:aa:01"],
      hit2=["02:00:00:00:aa:01", "02:00:00:ff:ff:ff"], pre=pre)
    M("arp_tha", "", "arp_tha=02:00:00:00:aa:02", lambda v: arp(tha=v),
      "02:00:00:00:aa:02", ["82:00:00:00:aa:02", "02:00:00:00:aa:03"],
      pre=pre)
    M("arp_tha", "masked", "arp_tha=00:00:00:00:aa:02/00:00:00:00:ff:ff",
      lambda v: arp(tha=v), "00:00:00:00:aa:02",
      ["02:00:00:00:ab:02", "02:00:00:00:aa:03"],
      hit2=["02:00:00:00:aa:02", "ff:ff:ff:ff:aa:02"], pre=pre)

    # IPv6 addresses and flow label.
    M("ipv6_src", "", "ipv6_src=2001:db8::1", lambda v: ip6(src=v),
      "2001:db8::1", ["a001:db8::1", "2001:db8::"], pre=IPV6)
    M("ipv6_src", "prefix", "ipv6_src=2001:db8:1:2::/ffff:ffff:ffff:ffff::",
      lambda v: ip6(src=v), "2001:db8:1:2::", ["2001:db8:1:3::5",
                                               "a001:db8:1:2::5"],
      hit2=["2001:db8:1:2::5", "2001:db8:1:2:ffff:ffff:ffff:ffff"], pre=IPV6)
    M("ipv6_src", "arbitrary mask",
      "ipv6_src=2001::1:0:0:1/ffff::ffff:0:0:ffff",
      lambda v: ip6(src=v), "2001::1:0:0:1", ["2001::2:0:0:1",
                                              "2001::1:0:0:0"],
      hit2=["2001:db8::1:7:7:1", "2001:ffff:ffff:ffff:1:ffff:ffff:1"],
      pre=IPV6)
    M("ipv6_dst", "", "ipv6_dst=2001:db8::2", lambda v: ip6(dst=v),
      "2001:db8::2", ["a001:db8::2", "2001:db8::3"], pre=IPV6)
    M("ipv6_dst", "prefix", "ipv6_dst=2001:db8::/ffff:ffff::",
      lambda v: ip6(dst=v), "2001:db8::", ["2001:db9::2", "a001:db8::2"],
      hit2=["2001:db8::2", "2001:db8:ffff::1"], pre=IPV6)
    M("ipv6_dst", "arbitrary mask",
      "ipv6_dst=::2/::ffff", lambda v: ip6(dst=v), "::2",
      ["2001:db8::3", "2001:db8::8002"],
      hit2=["2001:db8::2", "fe80::1:2"], pre=IPV6)
    M("ipv6_flabel", "", "ipv6_flabel=0x12345", lambda v: ip6(fl=v),
      0x12345, [0x92345, 0x12344], pre=IPV6)
    M("ipv6_flabel", "masked", "ipv6_flabel=0x12300/0xfff00",
      lambda v: ip6(fl=v), 0x12300, [0x12200, 0x92300],
      hit2=[0x12345, 0x123ff], pre=IPV6)

    # ICMPv6.
    pre = P(IPV6, "ip_proto=58")
    M("icmpv6_type", "", "icmpv6_type=129", lambda v: ip6("icmp6", itype=v),
      129, [1, 128], pre=pre)
    M("icmpv6_code", "", "icmpv6_code=4",
      lambda v: ip6("icmp6", itype=1, icode=v), 4, [132, 5], pre=pre)
    M("ipv6_nd_target", "NS", "ipv6_nd_target=2001:db8::2",
      lambda v: nd_ns(tgt=v), "2001:db8::2", ["a001:db8::2", "2001:db8::3"],
      pre=P(pre, "icmpv6_type=135"))
    M("ipv6_nd_target", "NA", "ipv6_nd_target=2001:db8::2",
      lambda v: nd_na(tgt=v), "2001:db8::2", ["a001:db8::2", "2001:db8::3"],
      pre=P(pre, "icmpv6_type=136"))
    M("ipv6_nd_sll", "", "ipv6_nd_sll=02:00:00:00:aa:01",
      lambda v: nd_ns(sll=v), "02:00:00:00:aa:01",
      ["82:00:00:00:aa:01", "02:00:00:00:aa:00"],
      pre=P(pre, "icmpv6_type=135"))
    M("ipv6_nd_tll", "", "ipv6_nd_tll=02:00:00:00:aa:01",
      lambda v: nd_na(tll=v), "02:00:00:00:aa:01",
      ["82:00:00:00:aa:01", "02:00:00:00:aa:00"],
      pre=P(pre, "icmpv6_type=136"))

    # MPLS.
    pre = "eth_type=0x8847"
    M("mpls_label", "", "mpls_label=0xabcde",
      lambda v: mpls(lse(v, tc=3)), 0xabcde, [0x2bcde, 0xabcdf], pre=pre)
    M("mpls_label", "0x8848", "mpls_label=0xabcde",
      lambda v: mpls(lse(v, tc=3), etype=0x8848), 0xabcde, [0xabcdf],
      pre="eth_type=0x8848")
    M("mpls_tc", "", "mpls_tc=5", lambda v: mpls(lse(100, tc=v)), 5,
      [1, 4], pre=pre)
    two = lambda v: mpls(lse(100, bos=v), lse(200, bos=1))
    M("mpls_bos", "0", "mpls_bos=0", two, 0, [1], pre=pre)
    M("mpls_bos", "1", "mpls_bos=1", two, 1, [0], pre=pre)

    # PBB.
    M("pbb_isid", "", "pbb_isid=0x123456", pbb, 0x123456,
      [0x923456, 0x123457], pre="eth_type=0x88e7", ovs=NO_OVS_PBB)
    M("pbb_isid", "masked", "pbb_isid=0x123400/0xffff00", pbb, 0x123400,
      [0x123556, 0x923456], hit2=[0x123456, 0x1234ff],
      pre="eth_type=0x88e7", ovs=NO_OVS_PBB)

    # IPv6 extension headers (OFPIEH_*).
    HOP, DEST, RT, FR = (IPv6ExtHdrHopByHop, IPv6ExtHdrDestOpt,
                         IPv6ExtHdrRouting, IPv6ExtHdrFragment)
    X = lambda hs: (ip6_exthdr(*hs) if hs != "nonext" else
                    raw(eth() / IPv6(src=IP6_S, dst=IP6_D, hlim=64, nh=59)))
    for lbl, match, hit, miss, note in (
            ("FRAG", "0x10/0x10", [FR], [[]], None),
            ("HOP", "0x40/0x40", [HOP], [[]], None),
            ("DEST", "0x08/0x08", [DEST], [[]], None),
            ("ROUTER", "0x20/0x20", [RT], [[]], None),
            ("AUTH", "0x04/0x04", [ah], [[]], None),
            ("NONEXT", "0x01/0x01", "nonext", [[]], None),
            ("none", "0x0", [], [[FR], [HOP]], None),
            ("HOP|FRAG exact", "0x50", [HOP, FR],
             [[HOP], [HOP, DEST, FR]], None),
            ("HOP|DEST|ROUTER exact, two DEST", "0x68",
             [HOP, DEST, RT, DEST], [[HOP, DEST, RT, DEST, DEST]],
             "two destination options headers (before routing and last) "
             "are no repeat; a third is"),
            ("UNREP", "0x80/0x80", [HOP, RT, RT], [[HOP, RT]],
             "two routing headers counted as an unexpected repeat"),
            ("UNSEQ", "0x100/0x100", [DEST, HOP], [[HOP, DEST]],
             "hop-by-hop not first counted as unexpected sequencing")):
        CASES.append(Case("match", "ipv6_exthdr", lbl, [
            ("priority=100,eth_type=0x86dd,ipv6_exthdr=" + match,
             "output:2"), CATCH],
            [Frame(X(hit), "h2", what="%s (hit)" % lbl)]
            + [Frame(X(m), "h3", what="%s (miss)" % "/".join(
                h.__name__ for h in m) or "no extension header")
               for m in miss], ovs=NO_OVS_EXTHDR, note=note))
    # ESP: nothing follows in clear.
    esp_frame = raw(eth() / IPv6(src=IP6_S, dst=IP6_D, hlim=64) / esp())
    CASES.append(Case("match", "ipv6_exthdr", "ESP", [
        ("priority=100,eth_type=0x86dd,ipv6_exthdr=0x02/0x02", "output:2"),
        CATCH], [Frame(esp_frame, "h2", what="ESP (hit)"),
                 Frame(X([]), "h3", what="no extension header (miss)")],
        ovs=NO_OVS_EXTHDR))


# ---- set_field -----------------------------------------------------------

def strip_checksums(p):
    """Deletes every checksum field so that raw() recomputes it."""
    layer = p
    while layer is not None and not isinstance(layer, (Raw, Padding)):
        for f in ("chksum", "cksum"):
            if f in layer.fields:
                # delattr, not del fields[f]: it also drops the layer's
                # cached dissected bytes, which raw() would reuse.
                delattr(layer, f)
        layer = layer.payload if layer.payload else None
    return p


def rebuild(data, change, keep=()):
    """The frame 'data' parsed by scapy, change(p) applied, the checksums
    deleted (except of the layers in 'keep') and rebuilt."""
    p = Ether(data)
    change(p)
    saved = [(p[k], p[k].fields.get("chksum")) for k in keep]
    strip_checksums(p)
    for layer, v in saved:
        layer.chksum = v
    return raw(p)


def setter(layer, **fields):
    def change(p):
        for k, v in fields.items():
            setattr(p[layer], k, v)
    return change


def S(field, label, match, actions, sent, want, ovs=None, note=None,
      dest="h2"):
    CASES.append(Case("set", field, label, [
        ("priority=100,in_port=1" + ("," + match if match else ""),
         actions), CATCH], [Frame(sent, dest, want,
                                  what="after set_field")], ovs, note))


def fold(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s


def with_proto(data, new, v6):
    """data (Ethernet/IP/UDP) with the IP protocol changed to 'new', the
    IPv4 header checksum and the UDP checksum recomputed for a
    pseudo-header that says 'new' (what mvs documents)."""
    b = bytearray(data)
    if v6:
        b[14 + 6] = new
        src, dst, l4o = bytes(b[22:38]), bytes(b[38:54]), 54
        l4 = b[l4o:]
        pseudo = src + dst + struct.pack("!IxxxB", len(l4), new)
    else:
        b[14 + 9] = new
        b[24:26] = b"\0\0"
        b[24:26] = struct.pack("!H", ~fold(bytes(b[14:34])) & 0xffff)
        l4o = 34
        l4 = b[l4o:]
        pseudo = bytes(b[26:34]) + struct.pack("!xBH", new, len(l4))
    b[l4o + 6:l4o + 8] = b"\0\0"
    c = ~fold(pseudo + bytes(b[l4o:])) & 0xffff
    b[l4o + 6:l4o + 8] = struct.pack("!H", c or 0xffff)
    return bytes(b)


def build_set_cases():
    IPV4, IPV6 = "eth_type=0x0800", "eth_type=0x86dd"
    P = lambda *a: ",".join(a)
    sf = lambda *kv: ",".join("set_field:%s" % x for x in kv) + ",output:2"

    f = ip4()
    S("eth_dst", "", "", sf("eth_dst=02:aa:bb:cc:dd:ee"), f,
      rebuild(f, setter(Ether, dst="02:aa:bb:cc:dd:ee")))
    S("eth_src", "", "", sf("eth_src=02:aa:bb:cc:dd:ef"), f,
      rebuild(f, setter(Ether, src="02:aa:bb:cc:dd:ef")))
    S("eth_type", "", IPV4, sf("eth_type=0x88b5"), f,
      rebuild(f, setter(Ether, type=0x88b5)),
      ovs="Open vSwitch cannot set eth_type",
      note="set_field eth_type is an mvs extension (read-only in OVS)")

    v = ip4(l2=eth(vlan=10, pcp=3))
    S("vlan_vid", "", "vlan_vid=0x1000/0x1000", sf("vlan_vid=0x1123"), v,
      rebuild(v, setter(Dot1Q, vlan=0x123)))
    vd = ip4(l2=eth(vlan=10, pcp=3, dei=1))
    S("vlan_vid", "DEI kept", "vlan_vid=0x1000/0x1000",
      sf("vlan_vid=0x1123"), vd, rebuild(vd, setter(Dot1Q, vlan=0x123)),
      ovs="Open vSwitch clears DEI when it rewrites the tag",
      note="1.3.5 has no DEI field; set_field vlan_vid should leave it")
    S("vlan_pcp", "", "vlan_vid=0x1000/0x1000", sf("vlan_pcp=6"), v,
      rebuild(v, setter(Dot1Q, prio=6)))
    S("vlan_pcp", "DEI kept", "vlan_vid=0x1000/0x1000", sf("vlan_pcp=6"), vd,
      rebuild(vd, setter(Dot1Q, prio=6)),
      ovs="Open vSwitch clears DEI when it rewrites the tag",
      note="1.3.5 has no DEI field; set_field vlan_pcp should leave it")

    for ver, pre, b, layer, attr in (
            ("IPv4", IPV4, lambda t: ip4(tos=t), IP, "tos"),
            ("IPv6", IPV6, lambda t: ip6(tc=t, fl=0x12345), IPv6, "tc")):
        x = b((10 << 2) | 1)
        S("ip_dscp", ver, pre, sf("ip_dscp=46"), x,
          rebuild(x, setter(layer, **{attr: (46 << 2) | 1})))
        S("ip_ecn", ver, pre, sf("ip_ecn=2"), x,
          rebuild(x, setter(layer, **{attr: (10 << 2) | 2})))
    S("ip_proto", "IPv4", P(IPV4, "ip_proto=17"), sf("ip_proto=253"), f,
      with_proto(f, 253, False), ovs="Open vSwitch cannot set ip_proto",
      note="mvs extension; L4 checksum kept valid for the new "
           "pseudo-header as docs/mpls.md says")
    f6 = ip6()
    S("ip_proto", "IPv6", P(IPV6, "ip_proto=17"), sf("ip_proto=253"), f6,
      with_proto(f6, 253, True), ovs="Open vSwitch cannot set ip_proto",
      note="mvs extension; L4 checksum kept valid for the new "
           "pseudo-header as docs/mpls.md says")

    # IPv4 addresses over each transport (pseudo-header checksums).
    for kind, num in (("udp", 17), ("tcp", 6), ("sctp", 132), ("icmp", 1),
                      ("udp0", 17)):
        x = ip4(kind)
        keep = [UDP] if kind == "udp0" else []
        lbl = {"udp0": "UDP checksum 0"}.get(kind, kind.upper())
        S("ipv4_src", lbl, P(IPV4, "ip_proto=%d" % num),
          sf("ipv4_src=203.0.113.77"), x,
          rebuild(x, setter(IP, src="203.0.113.77"), keep),
          note="an IPv4 UDP checksum of 0 (none) must stay 0 (RFC 768)"
          if kind == "udp0" else None)
        if kind in ("udp", "tcp"):
            S("ipv4_dst", lbl, P(IPV4, "ip_proto=%d" % num),
              sf("ipv4_dst=203.0.113.78"), x,
              rebuild(x, setter(IP, dst="203.0.113.78")))
    x = ip4(l2=eth(vlan=7))
    S("ipv4_dst", "VLAN-tagged", IPV4, sf("ipv4_dst=203.0.113.78"), x,
      rebuild(x, setter(IP, dst="203.0.113.78")))

    # Transport ports.
    for proto, num, layer in (("tcp", 6, TCP), ("udp", 17, UDP),
                              ("sctp", 132, SCTP)):
        for ver, eth_type, b in (("IPv4", IPV4, ip4), ("IPv6", IPV6, ip6)):
            x = b(proto)
            pre = P(eth_type, "ip_proto=%d" % num)
            S("%s_src" % proto, ver, pre, sf("%s_src=40001" % proto), x,
              rebuild(x, setter(layer, sport=40001)))
            S("%s_dst" % proto, ver, pre, sf("%s_dst=40002" % proto), x,
              rebuild(x, setter(layer, dport=40002)))
    x = ip4("tcp", options=[b"\x01\x01\x01\x00"])
    S("tcp_dst", "IPv4 options", P(IPV4, "ip_proto=6"), sf("tcp_dst=40002"),
      x, rebuild(x, setter(TCP, dport=40002)))
    x = ip6("udp", ext=[IPv6ExtHdrHopByHop()])
    S("udp_dst", "IPv6 hop-by-hop", P(IPV6, "ip_proto=17"),
      sf("udp_dst=40002"), x, rebuild(x, setter(UDP, dport=40002)))

    # ICMPv4.
    x = ip4("icmp")
    pre = P(IPV4, "ip_proto=1")
    # (echo request -> echo reply: the same layout, which scapy keeps)
    S("icmpv4_type", "", pre, sf("icmpv4_type=0"), x,
      rebuild(x, setter(ICMP, type=0)))
    S("icmpv4_code", "", pre, sf("icmpv4_code=5"), x,
      rebuild(x, setter(ICMP, code=5)))

    # ARP.
    a = arp()
    pre = "eth_type=0x0806"
    S("arp_op", "", pre, sf("arp_op=2"), a, rebuild(a, setter(ARP, op=2)))
    S("arp_spa", "", pre, sf("arp_spa=203.0.113.1"), a,
      rebuild(a, setter(ARP, psrc="203.0.113.1")))
    S("arp_tpa", "", pre, sf("arp_tpa=203.0.113.2"), a,
      rebuild(a, setter(ARP, pdst="203.0.113.2")))
    S("arp_sha", "", pre, sf("arp_sha=02:aa:bb:cc:dd:01"), a,
      rebuild(a, setter(ARP, hwsrc="02:aa:bb:cc:dd:01")))
    S("arp_tha", "", pre, sf("arp_tha=02:aa:bb:cc:dd:02"), a,
      rebuild(a, setter(ARP, hwdst="02:aa:bb:cc:dd:02")))

    # IPv6 addresses over each transport, flow label.
    for kind, num in (("udp", 17), ("tcp", 6), ("sctp", 132),
                      ("icmp6", 58)):
        x = ip6(kind)
        S("ipv6_src", kind.upper(), P(IPV6, "ip_proto=%d" % num),
          sf("ipv6_src=2001:db8:77::1"), x,
          rebuild(x, setter(IPv6, src="2001:db8:77::1")))
        if kind in ("udp", "tcp"):
            S("ipv6_dst", kind.upper(), P(IPV6, "ip_proto=%d" % num),
              sf("ipv6_dst=2001:db8:77::2"), x,
              rebuild(x, setter(IPv6, dst="2001:db8:77::2")))
    x = ip6(fl=0x12345, tc=(10 << 2) | 1)
    S("ipv6_flabel", "", IPV6, sf("ipv6_flabel=0xabcde"), x,
      rebuild(x, setter(IPv6, fl=0xabcde)))

    # ICMPv6 and neighbour discovery.
    pre = P(IPV6, "ip_proto=58")
    x = ip6("icmp6")
    S("icmpv6_type", "", pre, sf("icmpv6_type=129"), x,
      rebuild(x, setter(ICMPv6EchoRequest, type=129)))
    S("icmpv6_code", "", pre, sf("icmpv6_code=3"), x,
      rebuild(x, setter(ICMPv6EchoRequest, code=3)))
    ns, na = nd_ns(), nd_na()
    S("ipv6_nd_target", "NS", P(pre, "icmpv6_type=135"),
      sf("ipv6_nd_target=2001:db8::99"), ns,
      rebuild(ns, setter(ICMPv6ND_NS, tgt="2001:db8::99")))
    S("ipv6_nd_target", "NA", P(pre, "icmpv6_type=136"),
      sf("ipv6_nd_target=2001:db8::99"), na,
      rebuild(na, setter(ICMPv6ND_NA, tgt="2001:db8::99")))
    S("ipv6_nd_sll", "", P(pre, "icmpv6_type=135"),
      sf("ipv6_nd_sll=02:aa:bb:cc:dd:ee"), ns,
      rebuild(ns, setter(ICMPv6NDOptSrcLLAddr, lladdr="02:aa:bb:cc:dd:ee")))
    S("ipv6_nd_tll", "", P(pre, "icmpv6_type=136"),
      sf("ipv6_nd_tll=02:11:22:33:44:55"), na,
      rebuild(na, setter(ICMPv6NDOptDstLLAddr, lladdr="02:11:22:33:44:55")))

    # MPLS.
    pre = "eth_type=0x8847"
    m1 = mpls(lse(100, tc=3, bos=1, ttl=64))
    eth_m = raw(eth(etype=0x8847))
    S("mpls_label", "", pre, sf("mpls_label=0xabcde"), m1,
      eth_m + lse(0xabcde, 3, 1, 64) + ipv4_packet())
    m2 = mpls(lse(100, 3, 0, 64), lse(200, 1, 1, 63))
    S("mpls_label", "two labels", pre, sf("mpls_label=0xabcde"), m2,
      eth_m + lse(0xabcde, 3, 0, 64) + lse(200, 1, 1, 63) + ipv4_packet())
    S("mpls_tc", "", pre, sf("mpls_tc=6"), m1,
      eth_m + lse(100, 6, 1, 64) + ipv4_packet())
    S("mpls_bos", "", pre, sf("mpls_bos=0"), m1,
      eth_m + lse(100, 3, 0, 64) + ipv4_packet(),
      ovs="Open vSwitch cannot set mpls_bos",
      note="set_field mpls_bos is an mvs extension")

    # PBB.
    b = pbb(0x123456)
    S("pbb_isid", "", "eth_type=0x88e7", sf("pbb_isid=0xabcdef"), b,
      pbb(0xabcdef), ovs=NO_OVS_PBB)
    c = raw(Ether(dst=MAC_D, src=MAC_S) / IP(src=IP4_S, dst=IP4_D, ttl=64,
                                            id=0x4242, flags="DF")
            / UDP(sport=1111, dport=2222) / Raw(PAYLOAD))
    S("pbb_isid", "after push_pbb", IPV4,
      "push_pbb:0x88e7," + sf("pbb_isid=0xabcdef"), c,
      c[:12] + b"\x88\xe7" + struct.pack("!I", 0xabcdef) + c, ovs=NO_OVS_PBB,
      note="push_pbb: B-DA/B-SA copied from the customer addresses, I-PCP "
           "and flags 0 (1.3.5 Table 7)")

    # tunnel_id: pipeline metadata, seen by a match in table 1.
    CASES.append(Case("set", "tunnel_id", "matched in table 1", [
        ("table=0,priority=100,in_port=1",
         "set_field:tunnel_id=0x1122334455667788,goto_table:1"),
        ("table=1,priority=100,tunnel_id=0x1122334455667788", "output:2"),
        ("table=1,priority=0", "output:3")],
        [Frame(f, "h2", what="after set_field (table 1 matched)")]))

    # Several fields in one flow: the checksums stay right together.
    x = ip4("tcp")
    S("ipv4_src+ipv4_dst+tcp_dst", "", P(IPV4, "ip_proto=6"),
      sf("ipv4_src=203.0.113.1", "ipv4_dst=203.0.113.2", "tcp_dst=40002",
         "ip_dscp=12"), x,
      rebuild(x, lambda p: (setter(IP, src="203.0.113.1", dst="203.0.113.2",
                                   tos=12 << 2)(p),
                            setter(TCP, dport=40002)(p))))
    x = ip6("udp")
    S("ipv6_dst+udp_src+ipv6_flabel", "", P(IPV6, "ip_proto=17"),
      sf("ipv6_dst=2001:db8:77::2", "udp_src=40001", "ipv6_flabel=0x54321"),
      x, rebuild(x, lambda p: (setter(IPv6, dst="2001:db8:77::2",
                                      fl=0x54321)(p),
                               setter(UDP, sport=40001)(p))))
    x = ip4(l2=eth(vlan=10, pcp=3))
    S("eth_src+vlan_vid+vlan_pcp+ipv4_src", "",
      P("vlan_vid=0x1000/0x1000", IPV4, "ip_proto=17"),
      sf("eth_src=02:aa:bb:cc:dd:ef", "vlan_vid=0x1321", "vlan_pcp=1",
         "ipv4_src=203.0.113.9"), x,
      rebuild(x, lambda p: (setter(Ether, src="02:aa:bb:cc:dd:ef")(p),
                            setter(Dot1Q, vlan=0x321, prio=1)(p),
                            setter(IP, src="203.0.113.9")(p))))


def self_check():
    """The test's own sanity: scapy rebuilds every sent frame unchanged
    when nothing is changed (else 'rebuild' cannot be trusted)."""
    bad = 0
    for c in CASES:
        for f in c.frames:
            if raw(Ether(f.data)) != f.data:
                print("TESTBUG: %s: scapy does not rebuild %s" %
                      (c.name, f.data.hex()))
                bad += 1
            if rebuild(f.data, lambda p: None) != f.data and \
                    "UDP checksum 0" not in c.label and \
                    c.field != "ip_proto":
                print("TESTBUG: %s: checksums of the sent frame wrong" %
                      c.name)
                bad += 1
    return bad


# ---- running -------------------------------------------------------------

def hexdiff(want, got):
    lines = ["    expected (%d bytes): %s" % (len(want), want.hex()),
             "    got      (%d bytes): %s" % (len(got), got.hex())]
    runs, i, n = [], 0, max(len(want), len(got))
    while i < n:
        if i < len(want) and i < len(got) and want[i] == got[i]:
            i += 1
            continue
        j = i
        while j < n and not (j < len(want) and j < len(got)
                             and want[j] == got[j]):
            j += 1
        runs.append("@%d: %s -> %s" % (i, want[i:j].hex() or "-",
                                       got[i:j].hex() or "-"))
        i = j
    lines.append("    differs " + "; ".join(runs) if runs
                 else "    (bytes identical)")
    return lines


class Runner(object):
    def __init__(self, args):
        self.c = OFClient(args.target)
        self.rx = {h: in_netns(getattr(args, h), rx_socket)
                   for h in ("h2", "h3")}
        self.tx = {h: in_netns(getattr(args, h), tx_socket)
                   for h in ("h1", "h2")}
        self.switch = args.switch
        self.show = shlex.split(args.offload_show) if args.offload_show \
            else None
        self.sync = shlex.split(args.sync) if args.sync else None

    def offload_state(self):
        """With --offload-show: None if offload is on, else why it is
        off; and where each table-0 flow runs ("kernel N packets" or
        "userspace: reason"), by priority."""
        p = subprocess.run(self.show, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=10)
        lines = p.stdout.splitlines()
        if p.returncode or not lines or "offload on" not in lines[0]:
            return ("offload is not on: %s" % p.stdout.strip()
                    or "exit %d" % p.returncode), {}
        where = {}
        for line in lines[1:]:
            m = re.match(r"\s*(kernel|userspace)\s+table=0, priority=(\d+),"
                         r".*?: (.*)$", line)
            if m:
                kind, prio, rest = m.groups()
                if kind == "kernel":
                    k = re.search(r"kernel packets=(\d+)", rest)
                    rest = "kernel, %s packets" % (k.group(1) if k else "?")
                else:
                    rest = "userspace: " + rest
                where.setdefault(int(prio), rest)
        return None, where

    def drain(self):
        out = []
        for h, s in sorted(self.rx.items()):
            while True:
                d = recv_frame(s)
                if d is None:
                    break
                if d:
                    out.append((h, d))
        return out

    def wait_any(self, timeout):
        deadline = time.monotonic() + timeout
        socks = {s: h for h, s in self.rx.items()}
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None, None
            r, _, _ = select.select(list(socks), [], [], left)
            for s in r:
                d = recv_frame(s)
                if d:
                    return socks[s], d

    def reset(self):
        self.c.del_flows("")
        self.c.barrier()

    def run(self, case):
        """Returns (ok, detail lines, what arrived per frame, where the
        case's table-0 flow ran or None)."""
        errs, got = [], []
        self.where = None
        try:
            self.reset()
        except OFError as e:
            return False, ["    deleting the flows failed: %s" % e], got
        try:
            for m, a in case.flows:
                self.c.add_flow(m, a)
            self.c.barrier()
            if self.sync:
                subprocess.run(self.sync, check=True, timeout=10,
                               stdout=subprocess.DEVNULL)
        except OFError as e:
            errs.append("    flow refused: %s" % e)
            for m, a in case.flows:
                errs.append("      flow: %s actions=%s" % (m, a))
            try:
                self.reset()
            except OFError:
                pass
            return False, errs, got
        for i, f in enumerate(case.frames, 1):
            for h, d in self.drain():
                errs.append("    before frame %d: stray frame at %s: %s"
                            % (i, h, d.hex()))
            self.tx[f.sender].send(f.data)
            where, d = self.wait_any(WAIT)
            got.append([where, d.hex() if d else None])
            tag = "    frame %d, %s:" % (i, f.what)
            if where is None:
                errs.append("%s nothing arrived (expected at %s)"
                            % (tag, f.dest))
                errs.append("    sent: %s" % f.data.hex())
            elif where != f.dest:
                errs.append("%s arrived at %s, expected at %s"
                            % (tag, where, f.dest))
                errs.extend(hexdiff(f.want, d))
            elif d != f.want:
                errs.append("%s arrived at %s, bytes differ" % (tag, where))
                errs.extend(hexdiff(f.want, d))
        if self.show:
            off, where = self.offload_state()
            if off:
                errs.append("    " + off)
            self.where = where.get(max(where)) if where else None
        try:
            self.reset()
        except OFError as e:
            errs.append("    deleting the flows failed: %s" % e)
        for h, d in self.drain():
            errs.append("    after the last frame: stray frame at %s: %s"
                        % (h, d.hex()))
        if errs:
            errs.insert(0, "    flows: " + " | ".join(
                "%s actions=%s" % fl for fl in case.flows))
        return not errs, errs, got


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--target")
    ap.add_argument("--h1")
    ap.add_argument("--h2")
    ap.add_argument("--h3")
    ap.add_argument("--switch", default="mvs")
    ap.add_argument("--pass", dest="pass_name", default="")
    ap.add_argument("--only", default="")
    ap.add_argument("--record")
    ap.add_argument("--compare")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--sync", help="command run once a case's flows are "
                    "in (Open vSwitch: revalidator/purge, since its "
                    "barrier does not wait for the datapath flows)")
    ap.add_argument("--offload-show", help="command printing mvs-appctl "
                    "offload/show: each case then checks that offload is "
                    "on and reports where its flow ran")
    args = ap.parse_args()

    build_match_cases()
    build_set_cases()
    cases = [c for c in CASES if re.search(args.only, c.name)]
    if args.list:
        for c in cases:
            print("%s  [%d frames]%s" % (
                c.name, len(c.frames),
                "  (OVS: %s)" % c.ovs if c.ovs else ""))
        print("%d cases, %d frames" % (len(cases),
                                       sum(len(c.frames) for c in cases)))
        return 0
    if self_check():
        return 2
    for a in ("target", "h1", "h2", "h3"):
        if not getattr(args, a):
            ap.error("--%s is needed" % a)

    prev = {}
    if args.compare:
        with open(args.compare) as fh:
            prev = json.load(fh)
    tag = "oxm[%s]" % args.pass_name if args.pass_name else "oxm"
    try:
        r = Runner(args)
    except (OSError, OFError) as e:
        print("%s: cannot start: %s" % (tag, e))
        return 1
    record = {}
    n = {"PASS": 0, "FAIL": 0, "XFAIL": 0, "XPASS": 0}
    failed = []
    n_kernel = 0
    start = time.monotonic()
    gone = None
    for c in cases:
        if gone:
            ok, detail, got = False, ["    not run: %s" % gone], []
        else:
            try:
                ok, detail, got = r.run(c)
            except (OSError, OFError) as e:
                # The switch went away (or a socket broke): no waiting 1 s
                # per frame for the rest, they all fail at once.
                gone = "the OpenFlow connection failed: %s" % e
                ok, detail, got = False, ["    " + gone], []
        record[c.name] = got
        if args.compare and c.name in prev and prev[c.name] != got:
            ok = False
            detail = detail + ["    differs from the %s pass:" % (
                os.path.basename(args.compare))]
            for i, (a, b) in enumerate(zip(prev[c.name], got), 1):
                if a != b:
                    detail.append("      frame %d: before at %s %s" %
                                  (i, a[0], a[1]))
                    detail.append("      frame %d: now    at %s %s" %
                                  (i, b[0], b[1]))
        expected_fail = ((args.switch == "ovs" and c.ovs)
                         or (args.switch == "mvs" and c.mvs))
        if ok:
            res = "XPASS" if expected_fail else "PASS"
        else:
            res = "XFAIL" if expected_fail else "FAIL"
        n[res] += 1
        if r.where:
            n_kernel += r.where.startswith("kernel")
        print("%s %-5s %s" % (tag, res, c.name) +
              ("  -- %s" % c.ovs if expected_fail else "") +
              ("  [%s]" % r.where if r.where else ""))
        if res == "FAIL" or (res == "XFAIL" and os.environ.get("OXM_VERBOSE")):
            for line in detail:
                print(line)
            if c.note:
                print("    note: %s" % c.note)
        if res == "FAIL":
            failed.append(c.name)
        sys.stdout.flush()
    if args.record:
        with open(args.record, "w") as fh:
            json.dump(record, fh)
    print("%s: %d cases (%d frames) in %.1f s: %d passed, %d failed, "
          "%d expected-unsupported, %d unexpectedly passed"
          % (tag, len(cases), sum(len(c.frames) for c in cases),
             time.monotonic() - start, n["PASS"], n["FAIL"], n["XFAIL"],
             n["XPASS"]))
    if args.offload_show:
        print("%s: %d cases had their first table-0 flow in the kernel"
              % (tag, n_kernel))
    for name in failed:
        print("%s failed: %s" % (tag, name))
    return 1 if n["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main())
