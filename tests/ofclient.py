#!/usr/bin/python3
# tests/ofclient.py: a small OpenFlow 1.3 client for the system tests,
# built on os-ken's OpenFlow 1.3 encoder and parser (python3-os-ken).
#
# It exists because ovs-ofctl cannot express some OpenFlow 1.3 actions
# (copy_ttl_out, copy_ttl_in, set_field mpls_bos) and cannot act as a
# controller that waits for a given packet-in.
#
# Library use (python3 heredoc in a test):
#
#   import sys; sys.path.insert(0, "tests")
#   from ofclient import OFClient, ofp, parser
#   c = OFClient("unix:/tmp/x/br0.mgmt")          # connect + hello
#   c.add_flow("table=0,priority=100,in_port=1,eth_type=0x0800",
#              "push_mpls:0x8847,set_field:mpls_label=100,copy_ttl_out,"
#              "output:2")                        # or c.send(msg objects)
#   c.barrier()                # waits for the reply; raises OFError if the
#                              # switch sent an error for anything before
#   for fs in c.flow_stats(): print(fs.instructions)
#   c.set_async(packet_in_mask=1 << ofp.OFPR_INVALID_TTL)
#   pi = c.wait_packet_in(timeout=10, reason=ofp.OFPR_INVALID_TTL)
#
# Command line (exit 0 on success, 1 on an OpenFlow error or timeout,
# 2 on a usage error):
#
#   ofclient.py TARGET add-flow 'MATCH' 'ACTIONS'
#   ofclient.py TARGET add-flows FILE        # lines "MATCH ACTIONS", # = comment
#   ofclient.py TARGET del-flows ['MATCH']
#   ofclient.py TARGET dump-flows [--json]   # one line per flow
#   ofclient.py TARGET packet-in [--reason R] [--timeout S] [--count N]
#                                [--async-mask HEX] [--ready FILE]
#        waits for N packet-ins (optionally of reason R: no_match, action,
#        invalid_ttl or a number) and prints each as one JSON line.  It
#        first sends OFPT_SET_CONFIG with miss_send_len 0xffff (Open
#        vSwitch sends nothing asynchronous to a management-socket
#        connection without it) and, with --async-mask, OFPT_SET_ASYNC with
#        that packet-in mask (hex) for the master/equal role; --ready FILE
#        is created once the switch has acknowledged that (a barrier), for
#        a test to wait on.
#   ofclient.py decode FILE.pcap            # frames as JSON lines (see below)
#
# TARGET: unix:PATH or tcp:HOST:PORT.
#
# MATCH syntax: comma-separated KEY=VALUE.  table, priority, cookie,
# idle_timeout, hard_timeout, flags are flow-mod fields; every other key is
# an os-ken OFPMatch field (in_port, eth_type, eth_dst, ipv4_dst, ip_proto,
# mpls_label, mpls_tc, mpls_bos, vlan_vid, ...).  VALUE is an integer (any
# base), a MAC or IP address string, or VALUE/MASK.
#
# ACTIONS syntax: comma-separated, applied in order (apply-actions):
#   output:PORT (number, in_port, controller, table, all, flood, local)
#   controller[:MAXLEN]  drop (empty list)  group:N  set_queue:N
#   push_mpls:ETHERTYPE  pop_mpls:ETHERTYPE  push_vlan:ETHERTYPE  pop_vlan
#   push_pbb:ETHERTYPE  pop_pbb
#   set_mpls_ttl:N  dec_mpls_ttl  copy_ttl_out  copy_ttl_in
#   set_nw_ttl:N  dec_nw_ttl
#   set_field:FIELD=VALUE   (any OXM field os-ken knows, e.g. mpls_bos=1)
# and instructions:
#   goto_table:N  write_metadata:VALUE[/MASK]  clear_actions
#   write_actions(A;B;...)   (the action set; ';' separates inside)
#
# decode prints, per frame in a pcap file, a JSON object:
#   {"len": N, "dst": "..", "src": "..", "type": ETHERTYPE after VLAN tags,
#    "mpls": [[label, tc, bos, ttl], ...]   (the whole stack, if MPLS),
#    "payload": HEX of what follows the L2 header / the MPLS stack,
#    "hex": HEX of the whole frame}

import json
import os
import select
import socket
import struct
import sys
import time

from os_ken.ofproto import ofproto_parser
from os_ken.ofproto import ofproto_v1_3 as ofp
from os_ken.ofproto import ofproto_v1_3_parser as parser

__all__ = ["OFClient", "OFError", "ofp", "parser", "parse_match",
           "parse_actions", "parse_flow_mod", "mpls_stack", "decode_frame",
           "read_pcap"]

TIMEOUT = 10.0


class OFError(Exception):
    """The switch answered with OFPT_ERROR (errors: list of OFPErrorMsg),
    or a reply did not come in time (errors empty)."""

    def __init__(self, text, errors=()):
        Exception.__init__(self, text)
        self.errors = list(errors)


def error_text(e):
    """One line for an OFPErrorMsg (an experimenter error, such as the ONF
    bundle errors of OpenFlow 1.3, too)."""
    data = bytes(e.data[:16]).hex() if e.data else ""
    if getattr(e, "exp_type", None) is not None:
        ename = {v: k for k, v in vars(ofp).items()
                 if k.startswith("ONFERR_ET_") and isinstance(v, int)}
        return "experimenter error %#x type %d (%s), data %s" % (
            e.experimenter, e.exp_type, ename.get(e.exp_type, "?"), data)
    tname = {v: k for k, v in vars(ofp).items()
             if k.startswith("OFPET_") and isinstance(v, int)}
    return "error type %d (%s) code %d, data %s" % (
        e.type, tname.get(e.type, "?"), e.code, data)


class _Datapath(object):
    """What os-ken's parser needs of a datapath."""
    ofproto = ofp
    ofproto_parser = parser
    id = 0

    def __init__(self):
        self.xid = 0

    def set_xid(self, msg):
        self.xid = (self.xid + 1) & 0xffffffff
        msg.xid = self.xid
        return self.xid


class OFClient(object):
    """One OpenFlow 1.3 connection to a switch (as a controller would open
    it: the switch's passive listener).  Messages the switch sends on its
    own (packet-in, port-status, flow-removed, errors) are queued in
    self.async_msgs / self.errors while waiting for replies."""

    def __init__(self, target, timeout=TIMEOUT):
        self.timeout = timeout
        self.dp = _Datapath()
        self.buf = b""
        self.async_msgs = []     # packet-in, flow-removed, port-status...
        self.errors = []         # OFPErrorMsg not yet reported
        if target.startswith("unix:"):
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            self.sock.connect(target[5:])
        elif target.startswith("tcp:"):
            host, port = target[4:].rsplit(":", 1)
            self.sock = socket.create_connection((host, int(port)), timeout)
        else:
            raise ValueError("target must be unix:PATH or tcp:HOST:PORT, "
                             "not %r" % target)
        self.sock.settimeout(None)
        self.dp.send_msg = self.send
        # Hello exchange: both sides send OFPT_HELLO; we insist on 1.3.
        hello = parser.OFPHello(self.dp)
        self.send(hello)
        h = self._recv_type(ofp.OFPT_HELLO, self.timeout)
        if h.version < ofp.OFP_VERSION:
            raise OFError("switch offers OpenFlow version %d < 1.3"
                          % h.version)

    def close(self):
        self.sock.close()

    # ---- raw I/O -------------------------------------------------------

    def send(self, msg):
        """Serializes (assigning an xid if it has none) and sends 'msg';
        returns its xid."""
        if msg.xid is None:
            self.dp.set_xid(msg)
        msg.serialize()
        self.sock.sendall(msg.buf)
        return msg.xid

    def send_raw(self, data):
        self.sock.sendall(data)

    def recv(self, timeout):
        """Returns the next parsed message, or None after 'timeout' s.
        Echo requests are answered here."""
        deadline = time.monotonic() + timeout
        while True:
            if len(self.buf) >= 8:
                version, mtype, mlen, xid = struct.unpack_from(
                    "!BBHI", self.buf)
                if mlen < 8:
                    raise OFError("bad message length %d from switch" % mlen)
                if len(self.buf) >= mlen:
                    raw = self.buf[:mlen]
                    self.buf = self.buf[mlen:]
                    msg = ofproto_parser.msg(self.dp, version, mtype, mlen,
                                             xid, bytearray(raw))
                    if mtype == ofp.OFPT_ECHO_REQUEST:
                        rep = parser.OFPEchoReply(self.dp, data=msg.data)
                        rep.xid = xid
                        self.send(rep)
                        continue
                    return msg
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                return None
            data = self.sock.recv(65536)
            if not data:
                raise OFError("connection closed by the switch")
            self.buf += data

    def _dispatch(self, msg):
        """Files a message nobody waits for."""
        if msg.msg_type == ofp.OFPT_ERROR:
            self.errors.append(msg)
        else:
            self.async_msgs.append(msg)

    def _recv_type(self, mtype, timeout, xid=None):
        """Waits for a message of type 'mtype' (and 'xid'), filing others;
        raises OFError on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            msg = self.recv(max(left, 0)) if left > 0 else None
            if msg is None:
                raise OFError("no message of type %d (xid %s) within %.1f s"
                              % (mtype, xid, timeout))
            if msg.msg_type == mtype and (xid is None or msg.xid == xid):
                return msg
            self._dispatch(msg)

    # ---- requests ------------------------------------------------------

    def barrier(self, check=True, timeout=None):
        """Sends a barrier request and waits for its reply.  With 'check',
        raises OFError if the switch sent any error (for anything before
        the barrier); otherwise returns the list of errors and clears it."""
        xid = self.send(parser.OFPBarrierRequest(self.dp))
        self._recv_type(ofp.OFPT_BARRIER_REPLY, timeout or self.timeout, xid)
        errs, self.errors = self.errors, []
        if check and errs:
            raise OFError("; ".join(error_text(e) for e in errs), errs)
        return errs

    def request(self, msg, timeout=None):
        """Sends a multipart request and returns the list of reply
        messages (following OFPMPF_REPLY_MORE).  An error for it raises."""
        xid = self.send(msg)
        deadline = time.monotonic() + (timeout or self.timeout)
        replies = []
        while True:
            left = deadline - time.monotonic()
            m = self.recv(left) if left > 0 else None
            if m is None:
                raise OFError("no reply to xid %d" % xid)
            if m.xid == xid and m.msg_type == ofp.OFPT_ERROR:
                raise OFError(error_text(m), [m])
            if m.xid == xid and m.msg_type == ofp.OFPT_MULTIPART_REPLY:
                replies.append(m)
                if not m.flags & ofp.OFPMPF_REPLY_MORE:
                    return replies
                continue
            self._dispatch(m)

    def flow_stats(self, table_id=ofp.OFPTT_ALL, match=None,
                   out_port=ofp.OFPP_ANY, out_group=ofp.OFPG_ANY,
                   cookie=0, cookie_mask=0):
        """Returns the list of os-ken OFPFlowStats entries."""
        req = parser.OFPFlowStatsRequest(
            self.dp, 0, table_id, out_port, out_group, cookie, cookie_mask,
            match or parser.OFPMatch())
        out = []
        for rep in self.request(req):
            out.extend(rep.body)
        return out

    def features(self):
        xid = self.send(parser.OFPFeaturesRequest(self.dp))
        return self._recv_type(ofp.OFPT_FEATURES_REPLY, self.timeout, xid)

    def set_async(self, packet_in_mask=None, port_status_mask=None,
                  flow_removed_mask=None):
        """OFPT_SET_ASYNC.  Each mask is [master/equal, slave] or an int
        for master/equal (slave then gets 0).  Defaults: the spec's."""
        def pair(v, dflt):
            if v is None:
                return dflt
            if isinstance(v, int):
                return [v, 0]
            return list(v)
        pi = pair(packet_in_mask, [(1 << ofp.OFPR_NO_MATCH)
                                   | (1 << ofp.OFPR_ACTION), 0])
        ps = pair(port_status_mask, [7, 7])
        fr = pair(flow_removed_mask, [15, 0])
        self.send(parser.OFPSetAsync(self.dp, pi, ps, fr))

    def set_config(self, miss_send_len=ofp.OFPCML_NO_BUFFER, flags=0):
        """OFPT_SET_CONFIG.  A nonzero miss_send_len also makes Open
        vSwitch send asynchronous messages to a connection on its
        management socket (a "service" connection)."""
        self.send(parser.OFPSetConfig(self.dp, flags, miss_send_len))

    def flow_mod(self, match, actions, command=ofp.OFPFC_ADD, **kw):
        """Sends one flow-mod from text (see parse_flow_mod)."""
        self.send(parse_flow_mod(self.dp, match, actions, command, **kw))

    def add_flow(self, match, actions, **kw):
        self.flow_mod(match, actions, ofp.OFPFC_ADD, **kw)

    def del_flows(self, match="", strict=False):
        self.flow_mod(match, "", ofp.OFPFC_DELETE_STRICT if strict
                      else ofp.OFPFC_DELETE)

    def wait_packet_in(self, timeout=None, reason=None):
        """Returns the first (queued or new) packet-in, of 'reason' if
        given; None after 'timeout'."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            for i, m in enumerate(self.async_msgs):
                if (m.msg_type == ofp.OFPT_PACKET_IN
                        and (reason is None or m.reason == reason)):
                    return self.async_msgs.pop(i)
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            m = self.recv(left)
            if m is None:
                return None
            self._dispatch(m)


# ---- text syntax ---------------------------------------------------------

FLOW_MOD_KEYS = ("table", "table_id", "priority", "cookie", "cookie_mask",
                 "idle_timeout", "hard_timeout", "flags", "out_port",
                 "out_group", "buffer_id")

PORTS = {"in_port": ofp.OFPP_IN_PORT, "controller": ofp.OFPP_CONTROLLER,
         "table": ofp.OFPP_TABLE, "all": ofp.OFPP_ALL,
         "flood": ofp.OFPP_FLOOD, "local": ofp.OFPP_LOCAL,
         "normal": ofp.OFPP_NORMAL, "any": ofp.OFPP_ANY}


def _value(text):
    """An integer (any base) if it is one, else the string (MAC, IP...).
    'V/M' becomes a (value, mask) tuple."""
    if "/" in text:
        v, m = text.split("/", 1)
        return (_value(v), _value(m))
    try:
        return int(text, 0)
    except ValueError:
        return text


def _split(text, sep=","):
    """Splits on 'sep' outside parentheses."""
    out, depth, cur = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == sep and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return [s.strip() for s in out if s.strip()]


def parse_match(text):
    """Returns (OFPMatch, dict of flow-mod fields)."""
    fields, fm = {}, {}
    for item in _split(text):
        if "=" not in item:
            raise ValueError("match item %r is not KEY=VALUE" % item)
        k, v = item.split("=", 1)
        k = k.strip()
        if k in FLOW_MOD_KEYS:
            fm["table_id" if k == "table" else k] = int(v, 0)
        else:
            fields[k] = _value(v.strip())
    return parser.OFPMatch(**fields), fm


def _port(text):
    t = text.strip().lower()
    return PORTS[t] if t in PORTS else int(t, 0)


def parse_action(item):
    """One action from text."""
    name, _, arg = item.partition(":")
    name = name.strip().lower()
    arg = arg.strip()
    P = parser
    if name == "output":
        return P.OFPActionOutput(_port(arg), ofp.OFPCML_NO_BUFFER)
    if name == "controller":
        return P.OFPActionOutput(ofp.OFPP_CONTROLLER,
                                 int(arg, 0) if arg else ofp.OFPCML_NO_BUFFER)
    if name == "group":
        return P.OFPActionGroup(int(arg, 0))
    if name == "set_queue":
        return P.OFPActionSetQueue(int(arg, 0))
    if name == "push_mpls":
        return P.OFPActionPushMpls(int(arg or "0x8847", 0))
    if name == "pop_mpls":
        return P.OFPActionPopMpls(int(arg, 0))
    if name == "push_vlan":
        return P.OFPActionPushVlan(int(arg or "0x8100", 0))
    if name == "pop_vlan":
        return P.OFPActionPopVlan()
    if name == "push_pbb":
        return P.OFPActionPushPbb(int(arg or "0x88e7", 0))
    if name == "pop_pbb":
        return P.OFPActionPopPbb()
    if name == "set_mpls_ttl":
        return P.OFPActionSetMplsTtl(int(arg, 0))
    if name == "dec_mpls_ttl":
        return P.OFPActionDecMplsTtl()
    if name == "copy_ttl_out":
        return P.OFPActionCopyTtlOut()
    if name == "copy_ttl_in":
        return P.OFPActionCopyTtlIn()
    if name == "set_nw_ttl":
        return P.OFPActionSetNwTtl(int(arg, 0))
    if name == "dec_nw_ttl":
        return P.OFPActionDecNwTtl()
    if name == "set_field":
        if "=" in arg:
            k, v = arg.split("=", 1)
        elif "->" in arg:           # ovs-ofctl order: VALUE->FIELD
            v, k = arg.split("->", 1)
        else:
            raise ValueError("set_field needs FIELD=VALUE: %r" % item)
        return P.OFPActionSetField(**{k.strip(): _value(v.strip())})
    raise ValueError("unknown action %r" % item)


def parse_actions(text):
    """Returns a list of OFPInstruction* from ACTIONS text."""
    apply_, insts = [], []
    for item in _split(text):
        low = item.lower()
        if low in ("drop",):
            continue
        if low.startswith("goto_table:"):
            insts.append(parser.OFPInstructionGotoTable(
                int(item.split(":", 1)[1], 0)))
        elif low.startswith("write_metadata:"):
            v = _value(item.split(":", 1)[1])
            v, m = v if isinstance(v, tuple) else (v, 0xffffffffffffffff)
            insts.append(parser.OFPInstructionWriteMetadata(v, m))
        elif low == "clear_actions":
            insts.append(parser.OFPInstructionActions(
                ofp.OFPIT_CLEAR_ACTIONS, []))
        elif low.startswith("write_actions(") and low.endswith(")"):
            acts = [parse_action(a) for a in _split(item[14:-1], ";")]
            insts.append(parser.OFPInstructionActions(
                ofp.OFPIT_WRITE_ACTIONS, acts))
        else:
            apply_.append(parse_action(item))
    if apply_:
        insts.insert(0, parser.OFPInstructionActions(
            ofp.OFPIT_APPLY_ACTIONS, apply_))
    return insts


def parse_flow_mod(dp, match, actions, command=ofp.OFPFC_ADD, **kw):
    m, fm = parse_match(match)
    fm.update(kw)
    if command in (ofp.OFPFC_DELETE, ofp.OFPFC_DELETE_STRICT):
        fm.setdefault("table_id", ofp.OFPTT_ALL)
        fm.setdefault("out_port", ofp.OFPP_ANY)
        fm.setdefault("out_group", ofp.OFPG_ANY)
    return parser.OFPFlowMod(dp, command=command, match=m,
                             instructions=parse_actions(actions), **fm)


# ---- printing ------------------------------------------------------------

def action_text(a):
    """An action back as text in the syntax above."""
    P = parser
    if isinstance(a, P.OFPActionOutput):
        rev = {v: k for k, v in PORTS.items()}
        return "output:%s" % rev.get(a.port, a.port)
    simple = {P.OFPActionCopyTtlOut: "copy_ttl_out",
              P.OFPActionCopyTtlIn: "copy_ttl_in",
              P.OFPActionDecMplsTtl: "dec_mpls_ttl",
              P.OFPActionDecNwTtl: "dec_nw_ttl",
              P.OFPActionPopVlan: "pop_vlan", P.OFPActionPopPbb: "pop_pbb"}
    for cls, name in simple.items():
        if type(a) is cls:
            return name
    if isinstance(a, P.OFPActionPushMpls):
        return "push_mpls:0x%04x" % a.ethertype
    if isinstance(a, P.OFPActionPopMpls):
        return "pop_mpls:0x%04x" % a.ethertype
    if isinstance(a, P.OFPActionPushVlan):
        return "push_vlan:0x%04x" % a.ethertype
    if isinstance(a, P.OFPActionPushPbb):
        return "push_pbb:0x%04x" % a.ethertype
    if isinstance(a, P.OFPActionSetMplsTtl):
        return "set_mpls_ttl:%d" % a.mpls_ttl
    if isinstance(a, P.OFPActionSetNwTtl):
        return "set_nw_ttl:%d" % a.nw_ttl
    if isinstance(a, P.OFPActionGroup):
        return "group:%d" % a.group_id
    if isinstance(a, P.OFPActionSetQueue):
        return "set_queue:%d" % a.queue_id
    if isinstance(a, P.OFPActionSetField):
        return "set_field:%s=%s" % (a.key, a.value)
    return repr(a)


def instructions_text(insts):
    out = []
    for i in insts:
        if isinstance(i, parser.OFPInstructionActions):
            acts = [action_text(a) for a in i.actions]
            if i.type == ofp.OFPIT_APPLY_ACTIONS:
                out.extend(acts)
            elif i.type == ofp.OFPIT_WRITE_ACTIONS:
                out.append("write_actions(%s)" % ";".join(acts))
            else:
                out.append("clear_actions")
        elif isinstance(i, parser.OFPInstructionGotoTable):
            out.append("goto_table:%d" % i.table_id)
        elif isinstance(i, parser.OFPInstructionWriteMetadata):
            out.append("write_metadata:0x%x/0x%x"
                       % (i.metadata, i.metadata_mask))
        else:
            out.append(repr(i))
    return ",".join(out) or "drop"


def flow_dict(fs):
    return {"table": fs.table_id, "priority": fs.priority,
            "cookie": fs.cookie, "n_packets": fs.packet_count,
            "n_bytes": fs.byte_count,
            "match": {k: (list(v) if isinstance(v, tuple) else v)
                      for k, v in fs.match.items()},
            "actions": instructions_text(fs.instructions)}


def flow_text(fs):
    d = flow_dict(fs)
    m = ",".join("%s=%s" % (k, "/".join(map(str, v))
                            if isinstance(v, list) else v)
                 for k, v in d["match"].items())
    return ("table=%d,priority=%d,cookie=0x%x,n_packets=%d,n_bytes=%d%s "
            "actions=%s" % (d["table"], d["priority"], d["cookie"],
                            d["n_packets"], d["n_bytes"],
                            "," + m if m else "", d["actions"]))


# ---- frames and captures -------------------------------------------------

def mpls_stack(data, off):
    """The MPLS label stack at data[off:], as a list of (label, tc, bos,
    ttl), up to and including the BOS entry (or to the end of data); and
    the offset after it."""
    stack = []
    while off + 4 <= len(data):
        (w,) = struct.unpack_from("!I", data, off)
        off += 4
        e = (w >> 12, (w >> 9) & 7, (w >> 8) & 1, w & 0xff)
        stack.append(e)
        if e[2]:
            break
    return stack, off


def decode_frame(data):
    data = bytes(data)
    d = {"len": len(data), "hex": data.hex()}
    if len(data) < 14:
        return d
    mac = lambda b: ":".join("%02x" % x for x in b)
    d["dst"], d["src"] = mac(data[0:6]), mac(data[6:12])
    off = 12
    (etype,) = struct.unpack_from("!H", data, off)
    vlans = []
    while etype in (0x8100, 0x88a8) and off + 6 <= len(data):
        vlans.append(struct.unpack_from("!H", data, off + 2)[0])
        off += 4
        (etype,) = struct.unpack_from("!H", data, off)
    off += 2
    d["type"] = etype
    if vlans:
        d["vlans"] = vlans
    if etype in (0x8847, 0x8848):
        stack, off = mpls_stack(data, off)
        d["mpls"] = [list(e) for e in stack]
    d["payload"] = data[off:].hex()
    return d


def read_pcap(path):
    """Frames of a classic pcap file (tcpdump -w), as bytes."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return []
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        raise ValueError("%s: not a pcap file" % path)
    off, out = 24, []
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack_from(e + "IIII", data, off)
        off += 16
        out.append(data[off:off + incl])
        off += incl
    return out


# ---- command line --------------------------------------------------------

REASONS = {"no_match": ofp.OFPR_NO_MATCH, "action": ofp.OFPR_ACTION,
           "invalid_ttl": ofp.OFPR_INVALID_TTL}


def _usage():
    """Prints the comment at the top of this file and exits 2."""
    with open(os.path.abspath(__file__)) as f:
        for line in f.readlines()[1:]:
            if not line.startswith("#"):
                break
            sys.stderr.write(line[2:] if line.startswith("# ") else "\n")
    sys.exit(2)


def _opts(args, names):
    """--name VALUE options out of args; returns (dict, rest)."""
    got, rest, i = {}, [], 0
    while i < len(args):
        a = args[i]
        if a.startswith("--") and a[2:] in names:
            if names[a[2:]]:
                got[a[2:]] = args[i + 1]
                i += 2
            else:
                got[a[2:]] = True
                i += 1
        else:
            rest.append(a)
            i += 1
    return got, rest


def main(argv):
    if len(argv) >= 2 and argv[0] == "decode":
        for frame in read_pcap(argv[1]):
            print(json.dumps(decode_frame(frame)))
        return 0
    if len(argv) < 2:
        _usage()
    target, cmd, args = argv[0], argv[1], argv[2:]
    try:
        c = OFClient(target)
        if cmd == "add-flow":
            if len(args) not in (1, 2):
                _usage()
            c.add_flow(args[0], args[1] if len(args) > 1 else "")
            c.barrier()
        elif cmd == "add-flows":
            with open(args[0]) as f:
                for line in f:
                    line = line.strip()
                    if not line or line.startswith("#"):
                        continue
                    m, _, a = line.partition(" ")
                    c.add_flow(m, a.strip())
            c.barrier()
        elif cmd == "del-flows":
            c.del_flows(args[0] if args else "")
            c.barrier()
        elif cmd == "dump-flows":
            o, _ = _opts(args, {"json": False})
            for fs in c.flow_stats():
                print(json.dumps(flow_dict(fs)) if o.get("json")
                      else flow_text(fs))
        elif cmd == "packet-in":
            o, _ = _opts(args, {"reason": True, "timeout": True,
                                "count": True, "async-mask": True,
                                "ready": True})
            c.set_config()
            if "async-mask" in o:
                c.set_async(packet_in_mask=int(o["async-mask"], 16))
            c.barrier()
            if "ready" in o:
                open(o["ready"], "w").close()
            reason = o.get("reason")
            if reason is not None:
                reason = REASONS.get(reason, None)
                if reason is None:
                    reason = int(o["reason"], 0)
            deadline = time.monotonic() + float(o.get("timeout", 10))
            for _ in range(int(o.get("count", 1))):
                pi = c.wait_packet_in(max(deadline - time.monotonic(),
                                          0.001), reason)
                if pi is None:
                    sys.stderr.write("ofclient: no packet-in in time\n")
                    return 1
                print(json.dumps({
                    "reason": pi.reason, "table": pi.table_id,
                    "cookie": pi.cookie, "total_len": pi.total_len,
                    "buffer_id": pi.buffer_id,
                    "match": dict(pi.match.items()),
                    "data": bytes(pi.data).hex()}))
                sys.stdout.flush()
        else:
            _usage()
    except OFError as e:
        sys.stderr.write("ofclient: %s\n" % e)
        return 1
    except (OSError, ValueError) as e:
        sys.stderr.write("ofclient: %s\n" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
