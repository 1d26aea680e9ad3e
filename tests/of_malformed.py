#!/usr/bin/python3
# tests/of_malformed.py: feeds malformed OpenFlow 1.3 messages to a switch's
# passive listener over a raw socket and checks each precise OFPT_ERROR
# reply, and that the switch keeps serving (echo, flow stats) afterwards.
#
# Usage: of_malformed.py TARGET COOKIE
#   TARGET  unix:PATH or tcp:HOST:PORT (the switch's OpenFlow listener)
#   COOKIE  hex cookie of a flow installed beforehand; flow stats must still
#           return it after all the bad messages.
# Exit 0 when every check passes; prints one line per check.

import socket
import struct
import sys

OFP13 = 4
OFPT_HELLO, OFPT_ERROR, OFPT_ECHO_REQUEST, OFPT_ECHO_REPLY = 0, 1, 2, 3
OFPT_FEATURES_REQUEST, OFPT_FEATURES_REPLY = 5, 6
OFPT_FLOW_MOD = 14
OFPT_MULTIPART_REQUEST, OFPT_MULTIPART_REPLY = 18, 19
OFPT_BARRIER_REQUEST, OFPT_BARRIER_REPLY = 20, 21
OFPMP_FLOW = 1

# (type, code) pairs from the OpenFlow 1.3.5 specification, section 7.4.4.
OFPET_BAD_REQUEST = 1
OFPBRC_BAD_TYPE = 1
OFPBRC_BAD_LEN = 6
OFPET_BAD_ACTION = 2
OFPBAC_BAD_TYPE = 0
OFPET_BAD_MATCH = 4
OFPBMC_BAD_LEN = 1

TIMEOUT = 5.0
failures = 0


def ok(what):
    print("PASS: %s" % what)


def bad(what):
    global failures
    failures += 1
    print("FAIL: %s" % what)


def hdr(mtype, length, xid, version=OFP13):
    return struct.pack("!BBHI", version, mtype, length, xid)


def msg(mtype, body, xid):
    return hdr(mtype, 8 + len(body), xid) + body


class Conn:
    def __init__(self, target):
        if target.startswith("unix:"):
            self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.s.settimeout(TIMEOUT)
            self.s.connect(target[5:])
        elif target.startswith("tcp:"):
            host, port = target[4:].rsplit(":", 1)
            self.s = socket.create_connection((host, int(port)), TIMEOUT)
        else:
            raise SystemExit("bad target %s" % target)
        self.s.settimeout(TIMEOUT)

    def send(self, data):
        self.s.sendall(data)

    def _recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.s.recv(n - len(buf))
            if not chunk:
                raise EOFError("connection closed by the switch")
            buf += chunk
        return buf

    def recv(self):
        """One message: (version, type, xid, body)."""
        h = self._recv_exact(8)
        version, mtype, length, xid = struct.unpack("!BBHI", h)
        if length < 8:
            raise ValueError("switch sent a message with length %d" % length)
        return version, mtype, xid, self._recv_exact(length - 8)

    def wait_xid(self, xid):
        """The first message answering 'xid', answering the switch's own
        echo requests on the way."""
        while True:
            version, mtype, rxid, body = self.recv()
            if mtype == OFPT_ECHO_REQUEST and rxid != xid:
                self.send(msg(OFPT_ECHO_REPLY, body, rxid))
                continue
            if rxid == xid:
                return version, mtype, body

    def hello(self):
        self.send(hdr(OFPT_HELLO, 8, 1))
        version, mtype, xid, body = self.recv()
        if mtype != OFPT_HELLO:
            raise ValueError("first message is type %d, not HELLO" % mtype)
        # Negotiation: the lower of the two header versions, unless the
        # switch's hello carries a version bitmap (then it must have 1.3).
        if version < OFP13:
            bitmap_ok = False
            off = 0
            while off + 4 <= len(body):
                etype, elen = struct.unpack_from("!HH", body, off)
                if etype == 1 and elen >= 8:
                    (bits,) = struct.unpack_from("!I", body, off + 4)
                    bitmap_ok = bool(bits & (1 << OFP13))
                if elen < 4:
                    break
                off += (elen + 7) // 8 * 8
            if not bitmap_ok:
                raise ValueError("switch does not offer OpenFlow 1.3")
        return version

    def close(self):
        self.s.close()


def expect_error(conn, what, data, xid, etype, codes):
    """Sends 'data' (xid 'xid') and expects OFPT_ERROR 'etype'/one of
    'codes', echoing the xid and the start of the offending message."""
    conn.send(data)
    try:
        version, mtype, body = conn.wait_xid(xid)
    except (socket.timeout, EOFError, ValueError) as e:
        bad("%s: no error reply (%s)" % (what, e))
        return
    if mtype != OFPT_ERROR:
        bad("%s: reply type %d instead of OFPT_ERROR" % (what, mtype))
        return
    rtype, rcode = struct.unpack_from("!HH", body, 0)
    echoed = body[4:]
    want = "/".join("(%d,%d)" % (etype, c) for c in codes)
    if rtype != etype or rcode not in codes:
        bad("%s: error (type %d, code %d), expected %s"
            % (what, rtype, rcode, want))
        return
    # The spec asks for at least 64 bytes of the request (or all of it).
    n = min(len(data), 64)
    if echoed[:8][1:4] != data[:8][1:4] or echoed[4:8] != data[4:8]:
        bad("%s: error data does not start with the request's header"
            % what)
        return
    if len(echoed) < min(n, 8):
        bad("%s: error data too short (%d bytes)" % (what, len(echoed)))
        return
    ok("%s -> OFPT_ERROR type %d code %d" % (what, rtype, rcode))


def check_echo(conn, xid, what):
    payload = b"mvs-alive-%d" % xid
    conn.send(msg(OFPT_ECHO_REQUEST, payload, xid))
    try:
        version, mtype, body = conn.wait_xid(xid)
    except (socket.timeout, EOFError, ValueError) as e:
        bad("echo after %s: %s" % (what, e))
        return False
    if mtype != OFPT_ECHO_REPLY or body != payload:
        bad("echo after %s: got type %d body %r" % (what, mtype, body))
        return False
    ok("echo answered after %s" % what)
    return True


def flow_stats_request(xid):
    # ofp_multipart_request + ofp_flow_stats_request with an empty match.
    body = struct.pack("!HH4x", OFPMP_FLOW, 0)
    body += struct.pack("!B3xII4xQQ", 0xff, 0xffffffff, 0xffffffff, 0, 0)
    body += struct.pack("!HH4x", 1, 4)          # OFPMT_OXM, no fields.
    return msg(OFPT_MULTIPART_REQUEST, body, xid)


def flow_cookies(conn, xid):
    conn.send(flow_stats_request(xid))
    cookies = []
    while True:
        version, mtype, body = conn.wait_xid(xid)
        if mtype != OFPT_MULTIPART_REPLY:
            raise ValueError("flow stats: reply type %d" % mtype)
        mp_type, flags = struct.unpack_from("!HH", body, 0)
        off = 8
        while off + 32 <= len(body):
            (length,) = struct.unpack_from("!H", body, off)
            (cookie,) = struct.unpack_from("!Q", body, off + 24)
            cookies.append(cookie)
            if length < 56:
                break
            off += length
        if not flags & 1:               # OFPMPF_REPLY_MORE
            return cookies


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: of_malformed.py TARGET COOKIE")
    target, cookie = sys.argv[1], int(sys.argv[2], 16)

    conn = Conn(target)
    version = conn.hello()
    ok("hello exchanged (switch hello version %d)" % version)
    check_echo(conn, 2, "hello")

    # 1. Bad length: a FEATURES_REQUEST has no body; this one claims and
    #    carries 8 bytes of one.
    data = hdr(OFPT_FEATURES_REQUEST, 16, 100) + b"\0" * 8
    expect_error(conn, "features request with bad length", data, 100,
                 OFPET_BAD_REQUEST, [OFPBRC_BAD_LEN])
    check_echo(conn, 101, "bad length")

    # 2. Unknown message type.
    data = hdr(200, 8, 200)
    expect_error(conn, "unknown message type 200", data, 200,
                 OFPET_BAD_REQUEST, [OFPBRC_BAD_TYPE])
    check_echo(conn, 201, "unknown type")

    # 3. Truncated flow-mod: 40 bytes, shorter than ofp_flow_mod's fixed
    #    part (48 bytes before the match).
    body = struct.pack("!QQBBHHHIII", 0xbad, 0, 0, 0, 0, 0, 100,
                       0xffffffff, 0xffffffff, 0xffffffff)[:32]
    data = msg(OFPT_FLOW_MOD, body, 300)
    expect_error(conn, "truncated flow-mod (40 bytes)", data, 300,
                 OFPET_BAD_REQUEST, [OFPBRC_BAD_LEN])
    check_echo(conn, 301, "truncated flow-mod")

    # 4. Flow-mod whose OXM match claims 64 bytes where the message has 4.
    fixed = struct.pack("!QQBBHHHIIIH2x", 0xbad, 0, 0, 0, 0, 0, 100,
                        0xffffffff, 0xffffffff, 0xffffffff, 0)
    data = msg(OFPT_FLOW_MOD, fixed + struct.pack("!HH4x", 1, 64), 400)
    expect_error(conn, "flow-mod with match longer than the message", data,
                 400, OFPET_BAD_MATCH, [OFPBMC_BAD_LEN])
    check_echo(conn, 401, "bad match length")

    # 5. Flow-mod with an action of an undefined type (0x30).
    inst = struct.pack("!HH4x", 4, 16)          # OFPIT_APPLY_ACTIONS
    inst += struct.pack("!HH4x", 0x30, 8)
    data = msg(OFPT_FLOW_MOD,
               fixed + struct.pack("!HH4x", 1, 4) + inst, 500)
    expect_error(conn, "flow-mod with unknown action type 0x30", data, 500,
                 OFPET_BAD_ACTION, [OFPBAC_BAD_TYPE])
    check_echo(conn, 501, "unknown action")

    # The flow table survived and still answers flow stats.
    try:
        cookies = flow_cookies(conn, 600)
        if cookie in cookies:
            ok("flow stats still list cookie %#x" % cookie)
        else:
            bad("flow stats lost cookie %#x (have %s)"
                % (cookie, [hex(c) for c in cookies]))
        if 0xbad in cookies:
            bad("a malformed flow-mod added a flow")
    except (socket.timeout, EOFError, ValueError) as e:
        bad("flow stats after malformed messages: %s" % e)

    # 6. A header whose length is below 8 cannot be framed: the switch may
    #    answer with an error or drop this connection, but must go on
    #    serving new ones.
    conn.send(hdr(OFPT_ECHO_REQUEST, 4, 700))
    try:
        conn.wait_xid(700)
    except (socket.timeout, EOFError, ValueError, OSError):
        pass
    conn.close()
    conn = Conn(target)
    conn.hello()
    check_echo(conn, 702, "a header with length 4 (new connection)")
    conn.close()

    print("%d check(s) failed" % failures if failures else "all checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
