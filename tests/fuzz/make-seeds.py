#!/usr/bin/env python3
"""tests/fuzz/make-seeds.py: writes the seed corpora tests/fuzz/corpus-*/.

    python3 tests/fuzz/make-seeds.py

Run once by hand when a target's input format changes; the output is
committed and tests/fuzz/run.sh only reads it.  Everything is built with
struct from the wire formats (OpenFlow 1.3.5, Ethernet/MPLS/IP), so no
OpenFlow library is needed; `ovs-ofctl ofp-parse FILE` prints the OpenFlow
part of a seed to check it (skip the first byte of corpus-openflow and
corpus-nftc files: `tail -c +2 FILE > x; ovs-ofctl ofp-parse x`).
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    d = os.path.join(HERE, 'corpus-' + target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


# --- Frames -------------------------------------------------------------

MAC1 = bytes.fromhex('020000000001')
MAC2 = bytes.fromhex('020000000002')


def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def eth(ethertype, payload, dst=MAC2, src=MAC1):
    return dst + src + struct.pack('!H', ethertype) + payload


def vlan(tpid, tci, inner_type, payload):
    return MAC2 + MAC1 + struct.pack('!HHH', tpid, tci, inner_type) + payload


def ipv4(proto, payload, ttl=64, frag=0, opts=b''):
    ihl = 5 + len(opts) // 4
    h = struct.pack('!BBHHHBBH4s4s', 0x40 | ihl, 0x2e, 4 * ihl + len(payload),
                    1, frag, ttl, proto, 0, bytes([10, 0, 0, 1]),
                    bytes([10, 0, 0, 2])) + opts
    h = h[:10] + struct.pack('!H', csum(h)) + h[12:]
    return h + payload


def ipv6(nh, payload, hlim=64):
    src = bytes.fromhex('fd000000000000000000000000000001')
    dst = bytes.fromhex('fd000000000000000000000000000002')
    return struct.pack('!IHBB', 0x60012345, len(payload), nh, hlim) \
        + src + dst + payload


def tcp(sport=1234, dport=80, flags=0x02):
    return struct.pack('!HHIIBBHHH', sport, dport, 1, 0, 0x50, flags,
                       8192, 0, 0) + b'data'


def udp(sport=5000, dport=53):
    return struct.pack('!HHHH', sport, dport, 12, 0) + b'abcd'


def icmp(t=8, c=0):
    return struct.pack('!BBHHH', t, c, 0, 1, 1) + b'ping'


def sctp():
    return struct.pack('!HHII', 7, 9, 1, 0) + b'\0' * 4


def arp(op=1):
    return struct.pack('!HHBBH6s4s6s4s', 1, 0x0800, 6, 4, op, MAC1,
                       bytes([10, 0, 0, 1]), b'\0' * 6, bytes([10, 0, 0, 2]))


def lse(label, tc=0, bos=0, ttl=64):
    return struct.pack('!I', (label << 12) | (tc << 9) | (bos << 8) | ttl)


def mpls_stack(n, inner):
    return b''.join(lse(100 + i, i & 7, int(i == n - 1), 64 - i)
                    for i in range(n)) + inner


def ipv6_ext_chain():
    # Hop-by-hop (0) -> routing (43) -> fragment (44) -> dest opts (60)
    # -> TCP (6).
    hbh = struct.pack('!BB', 43, 0) + b'\x01\x04\0\0\0\0'
    rt = struct.pack('!BBBB', 44, 0, 0, 0) + b'\0' * 4
    frag = struct.pack('!BBHI', 60, 0, 0, 77)
    dst = struct.pack('!BB', 6, 0) + b'\x01\x04\0\0\0\0'
    return ipv6(0, hbh + rt + frag + dst + tcp())


def nd_ns():
    target = bytes.fromhex('fd000000000000000000000000000002')
    body = struct.pack('!BBHI', 135, 0, 0, 0) + target \
        + struct.pack('!BB', 1, 1) + MAC1
    return ipv6(58, body, 255)


FRAMES = {
    'ipv4-tcp': eth(0x0800, ipv4(6, tcp())),
    'ipv4-udp': eth(0x0800, ipv4(17, udp())),
    'ipv4-icmp': eth(0x0800, ipv4(1, icmp())),
    'ipv4-sctp': eth(0x0800, ipv4(132, sctp())),
    'ipv4-opts-frag': eth(0x0800, ipv4(17, udp(), frag=0x2000,
                                      opts=b'\x01\x01\x01\x00')),
    'ipv4-later-frag': eth(0x0800, ipv4(6, tcp(), frag=0x0010)),
    'ipv4-ttl1': eth(0x0800, ipv4(6, tcp(), ttl=1)),
    'arp': eth(0x0806, arp()),
    'vlan-ipv4': vlan(0x8100, 0x2064, 0x0800, ipv4(6, tcp())),
    'qinq-ipv4': MAC2 + MAC1 + struct.pack('!HHHH', 0x88a8, 10, 0x8100, 20)
    + struct.pack('!H', 0x0800) + ipv4(17, udp()),
    'qinq3-9100': MAC2 + MAC1 + struct.pack('!HHHHHH', 0x9100, 1, 0x8100, 2,
                                            0x8100, 3)
    + struct.pack('!H', 0x0800) + ipv4(17, udp()),
    'mpls1-ipv4': eth(0x8847, mpls_stack(1, ipv4(6, tcp()))),
    'mpls3-ipv4': eth(0x8847, mpls_stack(3, ipv4(17, udp()))),
    'mpls17-deep': eth(0x8847, mpls_stack(17, ipv4(1, icmp()))),
    'mpls-truncated': eth(0x8847, lse(5)[:3]),
    'mpls-ttl1': eth(0x8847, lse(16, 0, 1, 1) + ipv4(6, tcp())),
    'mpls-mcast-ipv6': eth(0x8848, mpls_stack(2, ipv6(17, udp()))),
    'eompls': eth(0x8847, lse(200, 0, 1, 64)
                  + eth(0x0800, ipv4(6, tcp()), MAC1, MAC2)),
    'vlan-mpls': vlan(0x8100, 5, 0x8847, mpls_stack(2, ipv4(6, tcp()))),
    'ipv6-tcp': eth(0x86dd, ipv6(6, tcp())),
    'ipv6-ext-chain': eth(0x86dd, ipv6_ext_chain()),
    'ipv6-esp': eth(0x86dd, ipv6(50, b'\0' * 16)),
    'ipv6-nd-ns': eth(0x86dd, nd_ns()),
    '8023-llc': MAC2 + MAC1 + struct.pack('!H', 20) + b'\xaa\xaa\x03' + b'\0' * 17,
}

# dp_action types (datapath/dp-actions.h, in order).
DPA = {n: i for i, n in enumerate('''output userspace recirc meter clone
    push_vlan pop_vlan set_vlan_vid set_vlan_pcp push_mpls pop_mpls
    set_mpls_label set_mpls_tc set_mpls_bos set_mpls_ttl dec_mpls_ttl
    copy_ttl_out copy_ttl_in set_eth_src set_eth_dst set_ipv4_src
    set_ipv4_dst set_ipv6_src set_ipv6_dst set_ipv6_label set_ip_dscp
    set_ip_ecn set_ip_ttl dec_nw_ttl set_tp_src set_tp_dst set_icmp_type
    set_icmp_code set_arp_op set_arp_spa set_arp_tpa set_arp_sha
    set_arp_tha push_pbb pop_pbb set_pbb_isid set_nd_target set_nd_sll
    set_nd_tll set_ip_proto set_eth_type'''.split())}


def dpa(name, u8=0, be16=0, u32=0, operand=b''):
    """One 16-byte action as tests/fuzz/fuzz-dp-parse.c reads it."""
    return bytes([DPA[name], u8]) + struct.pack('!H', be16) \
        + struct.pack('<I', u32) + operand.ljust(8, b'\0')[:8]


ACTION_LISTS = {
    'none': [],
    'push-mpls': [dpa('push_mpls', be16=0x8847), dpa('set_mpls_label',
                                                      u32=1000),
                  dpa('set_mpls_ttl', u8=9), dpa('output', u32=2)],
    'pop-mpls-ip': [dpa('dec_mpls_ttl'), dpa('copy_ttl_in', be16=0x0800),
                    dpa('pop_mpls', be16=0x0800), dpa('recirc', u32=7)],
    'pop-eompls': [dpa('pop_mpls', be16=0x6558), dpa('output', u32=3),
                   dpa('recirc', u32=1)],
    'swap': [dpa('set_mpls_label', u32=77), dpa('set_mpls_tc', u8=5),
             dpa('set_mpls_bos', u8=1), dpa('copy_ttl_out', be16=0x0800),
             dpa('dec_mpls_ttl'), dpa('userspace', u8=1, u32=128)],
    'l3l4': [dpa('set_ipv4_src', operand=bytes([1, 2, 3, 4])),
             dpa('set_tp_dst', be16=8080), dpa('dec_nw_ttl'),
             dpa('set_ip_dscp', u8=46), dpa('set_ip_ecn', u8=1),
             dpa('meter', u32=1), dpa('output', u32=1)],
    'vlan': [dpa('push_vlan', be16=0x88a8, u32=100), dpa('set_vlan_pcp', u8=3),
             dpa('push_vlan', be16=0x8100, u32=200), dpa('pop_vlan'),
             dpa('set_vlan_vid', u32=5), dpa('push_mpls', be16=0x8848)],
    'clone': [dpa('clone', u32=2), dpa('push_mpls', be16=0x8847),
              dpa('output', u32=2), dpa('set_eth_dst', operand=MAC1),
              dpa('output', u32=3)],
    'ipv6-arp': [dpa('set_ipv6_dst', operand=b'\xfd' + b'\0' * 7),
                 dpa('set_ipv6_label', u32=0xfffff), dpa('set_ip_ttl', u8=3),
                 dpa('set_icmp_type', u8=0), dpa('set_arp_op', be16=2),
                 dpa('set_arp_tha', operand=MAC2)],
    'nd-proto': [dpa('set_nd_target', operand=b'\x20\x01' + b'\0' * 6),
                 dpa('set_nd_sll', operand=MAC1), dpa('set_nd_tll',
                                                      operand=MAC2),
                 dpa('set_ip_proto', u8=253), dpa('output', u32=1),
                 dpa('set_eth_type', be16=0x86dd), dpa('set_ip_ttl', u8=1),
                 dpa('recirc', u32=3)],
}

SEED_PAIRS = [
    ('ipv4-tcp', 'l3l4'), ('ipv4-udp', 'push-mpls'), ('ipv4-icmp', 'l3l4'),
    ('ipv4-sctp', 'l3l4'), ('ipv4-opts-frag', 'none'),
    ('ipv4-later-frag', 'l3l4'), ('ipv4-ttl1', 'l3l4'), ('arp', 'ipv6-arp'),
    ('vlan-ipv4', 'vlan'), ('qinq-ipv4', 'vlan'), ('qinq3-9100', 'vlan'),
    ('mpls1-ipv4', 'pop-mpls-ip'), ('mpls3-ipv4', 'swap'),
    ('mpls17-deep', 'swap'), ('mpls-truncated', 'swap'),
    ('mpls-ttl1', 'swap'), ('mpls-mcast-ipv6', 'pop-mpls-ip'),
    ('eompls', 'pop-eompls'), ('vlan-mpls', 'push-mpls'),
    ('ipv6-tcp', 'l3l4'), ('ipv6-ext-chain', 'ipv6-arp'),
    ('ipv6-esp', 'none'), ('ipv6-nd-ns', 'ipv6-arp'), ('8023-llc', 'clone'),
    ('ipv4-tcp', 'clone'), ('mpls1-ipv4', 'push-mpls'),
    ('ipv6-nd-ns', 'nd-proto'), ('ipv6-ext-chain', 'nd-proto'),
    ('ipv4-udp', 'nd-proto'),
]


def dp_seeds():
    for frame, acts in SEED_PAIRS:
        al = ACTION_LISTS[acts]
        # flags 3: 192 bytes of headroom; no stripped tag.
        head = bytes([3, len(al), 0, 0, 0])
        write('dp-parse', '%s--%s' % (frame, acts),
              head + b''.join(al) + FRAMES[frame])
    # A stripped tag re-inserted (TCI 0x0064, TPID 0x8100), no headroom.
    write('dp-parse', 'stripped-tag--push-mpls',
          bytes([0, 4, 0, 0x64, 1]) + b''.join(ACTION_LISTS['push-mpls'])
          + FRAMES['ipv4-tcp'])
    # The largest frame a port takes (padding flag).
    write('dp-parse', 'pad-9216--vlan',
          bytes([4 | 3, 6, 0, 0, 0]) + b''.join(ACTION_LISTS['vlan'])
          + FRAMES['mpls3-ipv4'])


# --- OpenFlow 1.3 -------------------------------------------------------

OFP13 = 4
xid_counter = [0x100]


def ofp(msg_type, body, xid=None, version=OFP13):
    if xid is None:
        xid_counter[0] += 1
        xid = xid_counter[0]
    return struct.pack('!BBHI', version, msg_type, 8 + len(body), xid) + body


def pad8(b):
    return b + b'\0' * (-len(b) % 8)


def oxm(field, value, mask=None):
    if mask is not None:
        return struct.pack('!HBB', 0x8000, (field << 1) | 1,
                           2 * len(value)) + value + mask
    return struct.pack('!HBB', 0x8000, field << 1, len(value)) + value


def match(*fields):
    body = b''.join(fields)
    return pad8(struct.pack('!HH', 1, 4 + len(body)) + body)


IN_PORT, ETH_DST, ETH_SRC, ETH_TYPE, VLAN_VID = 0, 3, 4, 5, 6
IP_PROTO, IPV4_SRC, IPV4_DST, TCP_SRC, TCP_DST = 10, 11, 12, 13, 14
UDP_DST, IPV6_DST, MPLS_LABEL, MPLS_TC, MPLS_BOS = 16, 27, 34, 35, 36
TUNNEL_ID = 38


def u8(v): return struct.pack('!B', v)
def u16(v): return struct.pack('!H', v)
def u32(v): return struct.pack('!I', v)


def a_output(port, max_len=0xffff):
    return struct.pack('!HHIH6x', 0, 16, port, max_len)


def a_simple(t):                      # copy_ttl_out/in, dec ttls, pop_vlan
    return struct.pack('!HH4x', t, 8)


def a_ethertype(t, et):               # push_vlan 17, push_mpls 19, pop 20
    return struct.pack('!HHH2x', t, 8, et)


def a_ttl(t, ttl):                    # set_mpls_ttl 15, set_nw_ttl 23
    return struct.pack('!HHB3x', t, 8, ttl)


def a_group(gid):
    return struct.pack('!HHI', 22, 8, gid)


def a_set_field(field_oxm):
    body = pad8(struct.pack('!HH', 25, 0) + field_oxm)
    return struct.pack('!HH', 25, len(body)) + body[4:]


COPY_TTL_OUT, COPY_TTL_IN, SET_MPLS_TTL, DEC_MPLS_TTL = 11, 12, 15, 16
PUSH_VLAN, POP_VLAN, PUSH_MPLS, POP_MPLS = 17, 18, 19, 20
SET_NW_TTL, DEC_NW_TTL = 23, 24
CONTROLLER, TABLE, ANY = 0xfffffffd, 0xfffffff9, 0xffffffff


def i_actions(t, acts):               # 3 write, 4 apply
    body = b''.join(acts)
    return struct.pack('!HH4x', t, 8 + len(body)) + body


def i_goto(table):
    return struct.pack('!HHB3x', 1, 8, table)


def i_meter(mid):
    return struct.pack('!HHI', 6, 8, mid)


def i_clear():
    return struct.pack('!HH4x', 5, 8)


def flow_mod(m, instrs, command=0, table=0, priority=100, cookie=0,
             out_port=ANY, out_group=ANY, flags=0, idle=0, hard=0):
    body = struct.pack('!QQBBHHHIIIH2x', cookie, 0, table, command, idle,
                       hard, priority, 0xffffffff, out_port, out_group,
                       flags) + m + b''.join(instrs)
    return ofp(14, body)


def packet_out(acts, frame, in_port=CONTROLLER):
    a = b''.join(acts)
    return ofp(13, struct.pack('!IIH6x', 0xffffffff, in_port, len(a))
               + a + frame)


def bucket(acts, weight=0, watch_port=ANY, watch_group=ANY):
    a = b''.join(acts)
    return struct.pack('!HHII4x', 16 + len(a), weight, watch_port,
                       watch_group) + a


def group_mod(command, gtype, gid, buckets):
    return ofp(15, struct.pack('!HBxI', command, gtype, gid)
               + b''.join(buckets))


def meter_mod(command, flags, mid, bands):
    return ofp(29, struct.pack('!HHI', command, flags, mid) + b''.join(bands))


def band_drop(rate, burst=0):
    return struct.pack('!HHII4x', 1, 16, rate, burst)


def band_dscp(rate, prec=1, burst=0):
    return struct.pack('!HHIIB3x', 2, 16, rate, burst, prec)


def multipart(mp_type, body=b'', flags=0):
    return ofp(18, struct.pack('!HH4x', mp_type, flags) + body)


def flow_stats_req(table=0xff, m=None):
    return multipart(1, struct.pack('!B3xII4xQQ', table, ANY, ANY, 0, 0)
                     + (m or match()))


def onf_exp(exp_type, body, xid=None):
    return ofp(4, struct.pack('!II', 0x4f4e4600, exp_type) + body, xid)


def bundle_ctrl(bid, ctype, flags=0):
    return onf_exp(2300, struct.pack('!IHH', bid, ctype, flags))


def bundle_add(bid, inner, flags=0):
    # The inner message's xid must be the outer one's.
    xid = struct.unpack('!I', inner[4:8])[0]
    return onf_exp(2301, struct.pack('!I2xH', bid, flags) + pad8(inner), xid)


ECHO = ofp(2, b'hello')
FEATURES = ofp(5, b'')
GET_CONFIG = ofp(7, b'')
SET_CONFIG = ofp(9, struct.pack('!HH', 0, 256))
BARRIER = ofp(20, b'')
GET_ASYNC = ofp(26, b'')
SET_ASYNC = ofp(28, struct.pack('!IIIIII', 7, 0, 7, 0, 7, 0))

M_IP_TCP = match(oxm(ETH_TYPE, u16(0x0800)), oxm(IP_PROTO, u8(6)),
                 oxm(TCP_DST, u16(80)))
M_MPLS = match(oxm(IN_PORT, u32(1)), oxm(ETH_TYPE, u16(0x8847)),
               oxm(MPLS_LABEL, u32(100)), oxm(MPLS_BOS, u8(1)))
M_IPV4_MASK = match(oxm(ETH_TYPE, u16(0x0800)),
                    oxm(IPV4_DST, bytes([10, 0, 0, 0]), bytes([255, 0, 0, 0])),
                    oxm(ETH_SRC, MAC1, bytes.fromhex('ffffff000000')))
M_VLAN = match(oxm(VLAN_VID, u16(0x1000 | 10)), oxm(ETH_DST, MAC2))
M_IPV6 = match(oxm(ETH_TYPE, u16(0x86dd)),
               oxm(IPV6_DST, bytes.fromhex('fd000000000000000000000000000002')))

FM_LER_PUSH = flow_mod(M_IP_TCP, [i_actions(4, [
    a_ethertype(PUSH_MPLS, 0x8847),
    a_set_field(oxm(MPLS_LABEL, u32(200))),
    a_simple(COPY_TTL_OUT), a_output(2)])], cookie=1)
FM_LSR_SWAP = flow_mod(M_MPLS, [i_actions(4, [
    a_set_field(oxm(MPLS_LABEL, u32(300))), a_simple(DEC_MPLS_TTL),
    a_set_field(oxm(MPLS_TC, u8(3))), a_output(3)])], priority=200, cookie=2)
FM_LER_POP = flow_mod(match(oxm(ETH_TYPE, u16(0x8847)),
                            oxm(MPLS_LABEL, u32(300))),
                      [i_actions(4, [a_simple(COPY_TTL_IN),
                                     a_ethertype(POP_MPLS, 0x0800)]),
                       i_goto(1)], priority=300)
FM_TABLE1 = flow_mod(match(oxm(ETH_TYPE, u16(0x0800))),
                     [i_actions(3, [a_simple(DEC_NW_TTL), a_output(1)]),
                      i_actions(4, [a_ttl(SET_NW_TTL, 9)])], table=1)
FM_BOS = flow_mod(M_MPLS, [i_actions(4, [
    a_ethertype(PUSH_MPLS, 0x8847),
    a_set_field(oxm(MPLS_BOS, u8(0))), a_ttl(SET_MPLS_TTL, 5),
    a_output(CONTROLLER, 128)])], priority=250)
FM_WRITE = flow_mod(M_IPV4_MASK, [i_clear(), i_actions(3, [
    a_simple(COPY_TTL_OUT), a_ethertype(PUSH_VLAN, 0x8100),
    a_set_field(oxm(VLAN_VID, u16(0x1000 | 7))), a_output(2)])],
    table=0, priority=10, idle=10, hard=20, flags=1)
FM_VLAN = flow_mod(M_VLAN, [i_actions(4, [a_simple(POP_VLAN),
                                          a_output(TABLE)])])
FM_IPV6 = flow_mod(M_IPV6, [i_actions(4, [a_simple(DEC_NW_TTL),
                                          a_output(CONTROLLER, 64)])])
FM_MISS = flow_mod(match(), [i_actions(4, [a_output(CONTROLLER, 128)])],
                   priority=0)
FM_GROUP = flow_mod(M_IP_TCP, [i_actions(4, [a_group(1)])], priority=400)
FM_METER = flow_mod(M_IP_TCP, [i_meter(1), i_actions(4, [a_output(2)])],
                    priority=500)
FM_DEL = flow_mod(match(), [], command=3, table=0xff)
FM_DEL_STRICT = flow_mod(M_MPLS, [], command=4, priority=200)
FM_MODIFY = flow_mod(M_IP_TCP, [i_actions(4, [a_output(3)])], command=1)

PO_TABLE_TCP = packet_out([a_output(TABLE)], FRAMES['ipv4-tcp'])
PO_TABLE_MPLS = packet_out([a_output(TABLE)], FRAMES['mpls1-ipv4'], in_port=1)
PO_PUSH = packet_out([a_ethertype(PUSH_MPLS, 0x8847), a_simple(COPY_TTL_OUT),
                      a_set_field(oxm(MPLS_BOS, u8(1))),
                      a_output(CONTROLLER, 0xffff)], FRAMES['ipv4-udp'])
PO_GROUP = packet_out([a_group(1)], FRAMES['ipv4-tcp'])

GM_ALL = group_mod(0, 0, 1, [bucket([a_output(1)]),
                             bucket([a_ethertype(PUSH_MPLS, 0x8847),
                                     a_output(2)])])
GM_SELECT = group_mod(0, 1, 2, [bucket([a_output(1)], weight=1),
                                bucket([a_output(2)], weight=3)])
GM_INDIRECT = group_mod(0, 2, 3, [bucket([a_simple(DEC_MPLS_TTL),
                                          a_output(3)])])
GM_FF = group_mod(0, 3, 4, [bucket([a_output(1)], watch_port=1),
                            bucket([a_output(2)], watch_port=2)])
GM_CHAIN = group_mod(0, 2, 5, [bucket([a_group(3)])])
GM_MODIFY = group_mod(1, 0, 1, [bucket([a_output(3)])])
GM_DEL = group_mod(2, 0, 1, [])
GM_DEL_ALL = group_mod(2, 0, 0xfffffffc, [])

MM_DROP = meter_mod(0, 0x1 | 0x8, 1, [band_drop(1000, 100)])
MM_DSCP = meter_mod(0, 0x2, 2, [band_dscp(500), band_drop(2000)])
MM_MODIFY = meter_mod(1, 0x1, 1, [band_drop(10)])
MM_DEL = meter_mod(2, 0, 1, [])
MM_DEL_ALL = meter_mod(2, 0, 0xffffffff, [])


def role(r, gen):
    return ofp(24, struct.pack('!I4xQ', r, gen))


def openflow_seeds():
    seeds = {
        'handshake': [FEATURES, GET_CONFIG, SET_CONFIG, ECHO, BARRIER,
                      multipart(0), multipart(13), multipart(3),
                      multipart(4, struct.pack('!I4x', ANY)), multipart(12),
                      GET_ASYNC, SET_ASYNC, GET_ASYNC],
        'mpls-ler-lsr': [FM_LER_PUSH, FM_LSR_SWAP, FM_LER_POP, FM_TABLE1,
                         FM_BOS, FM_WRITE, FM_MISS, BARRIER, PO_TABLE_TCP,
                         PO_TABLE_MPLS, PO_PUSH, flow_stats_req(),
                         multipart(2, struct.pack('!B3xII4xQQ', 0xff, ANY,
                                                  ANY, 0, 0) + match()),
                         FM_MODIFY, FM_DEL_STRICT, flow_stats_req(), FM_DEL,
                         BARRIER],
        'vlan-ipv6': [FM_VLAN, FM_IPV6, FM_MISS,
                      packet_out([a_output(TABLE)], FRAMES['vlan-ipv4']),
                      packet_out([a_output(TABLE)], FRAMES['ipv6-tcp']),
                      packet_out([a_output(TABLE)], FRAMES['ipv6-nd-ns']),
                      flow_stats_req(0)],
        'groups': [GM_ALL, GM_SELECT, GM_INDIRECT, GM_FF, GM_CHAIN, GM_ALL,
                   FM_GROUP, PO_TABLE_TCP, PO_GROUP,
                   multipart(6, struct.pack('!I4x', 0xfffffffc)),
                   multipart(7), multipart(8), GM_MODIFY, GM_DEL,
                   PO_GROUP, GM_DEL_ALL, flow_stats_req(), BARRIER],
        'meters': [MM_DROP, MM_DSCP, MM_DROP, FM_METER, PO_TABLE_TCP,
                   multipart(9, struct.pack('!I4x', 0xffffffff)),
                   multipart(10, struct.pack('!I4x', 0xffffffff)),
                   multipart(11), MM_MODIFY, MM_DEL, PO_TABLE_TCP,
                   MM_DEL_ALL, flow_stats_req(), BARRIER],
        'bundle-commit': [bundle_ctrl(1, 0), bundle_add(1, FM_LER_PUSH),
                          bundle_add(1, FM_LSR_SWAP),
                          bundle_add(1, FM_DEL_STRICT), bundle_ctrl(1, 2),
                          bundle_ctrl(1, 4), flow_stats_req(), BARRIER],
        'bundle-discard': [bundle_ctrl(7, 0, 0x3), bundle_add(7, FM_MISS, 0x3),
                           bundle_add(7, FM_GROUP, 0x3), bundle_ctrl(7, 6),
                           bundle_ctrl(8, 4), bundle_ctrl(9, 0),
                           bundle_ctrl(9, 0), bundle_add(9, ECHO),
                           bundle_ctrl(9, 4)],
        'roles': [role(2, 5), FM_MISS, role(3, 6), FM_LER_PUSH, GM_ALL,
                  MM_DROP, role(2, 4), role(1, 0), SET_ASYNC, GET_ASYNC,
                  role(0, 0)],
        'malformed': [ofp(14, b'\0' * 10), ofp(15, b'\0' * 3),
                      ofp(29, b'\xff' * 9), ofp(13, b'\0' * 16),
                      ofp(99, b''), ofp(18, struct.pack('!HH4x', 0xffff, 0)),
                      BARRIER],
    }
    for name, msgs in seeds.items():
        write('openflow', name, bytes([0]) + b''.join(msgs))
    # OpenFlow 1.0 connection (selector 5): the 1.0 handshake.
    of10 = [ofp(5, b'', version=1), ofp(7, b'', version=1),
            ofp(18, b'', version=1), ofp(20, b'', version=1)]
    write('openflow', 'of10-handshake', bytes([5]) + b''.join(of10))


def ofp_ext_seeds():
    """The extension codec (ofproto-mpls/ofp-ext.h): every extension in
    flow-mods, packet-outs, group-mods and the replies mvs sends."""
    for name, msg in [('flow-mod-push', FM_LER_PUSH), ('flow-mod-pop', FM_LER_POP),
                      ('flow-mod-bos', FM_BOS), ('flow-mod-write', FM_WRITE),
                      ('flow-mod-swap', FM_LSR_SWAP),
                      ('packet-out-push', PO_PUSH),
                      ('packet-out-table', PO_TABLE_TCP)]:
        write('ofp-ext', name, msg)
    PUSH_PBB, POP_PBB, PBB_ISID, IPV6_EXTHDR = 26, 27, 37, 39
    pbb = [a_ethertype(PUSH_PBB, 0x88e7),
           a_set_field(oxm(PBB_ISID, bytes([0x12, 0x34, 0x56]))),
           a_simple(POP_PBB), a_output(2)]
    m_pbb = match(oxm(ETH_TYPE, u16(0x88e7)),
                  oxm(PBB_ISID, bytes([1, 2, 0]), bytes([0xff, 0xff, 0])))
    m_exthdr = match(oxm(ETH_TYPE, u16(0x86dd)),
                     oxm(IPV6_EXTHDR, u16(0x40), u16(0x40)))
    write('ofp-ext', 'flow-mod-pbb',
          flow_mod(m_pbb, [i_actions(4, pbb), i_actions(3, pbb)]))
    write('ofp-ext', 'flow-mod-exthdr',
          flow_mod(m_exthdr, [i_actions(4, [a_output(1)])]))
    write('ofp-ext', 'group-mod-ext',
          group_mod(0, 0, 1, [bucket([a_simple(COPY_TTL_IN), a_output(1)]),
                              bucket(pbb)]))
    # Carriers as mvs keeps them inside, as a reply taken back: a flow
    # stats reply and a group description reply.
    marker = lambda ident, val: (struct.pack('!HHI', 25, 24, 0x0001da10)
                                 + b'mvsx' + bytes([ident]) + b'\0' * 3
                                 + struct.pack('!I', val) + b'\0' * 4)
    set_tun_src = struct.pack('!HHII4x', 25, 16, 0x00013e04, 0x123456)
    instr = i_actions(4, [marker(0, 0), marker(1, 0), marker(4, 1),
                          marker(2, 0x88e7), set_tun_src, marker(3, 0),
                          a_output(2)])
    entry_body = match(struct.pack('!HBB', 0x0001, 31 << 1, 4) + u32(5)) \
        + instr
    entry = struct.pack('!HBxIIHHHH4xQQQ', 48 + len(entry_body), 0, 1, 2,
                        100, 0, 0, 0, 5, 6, 7) + entry_body
    write('ofp-ext', 'flow-stats-reply-carriers',
          ofp(19, struct.pack('!HH4x', 1, 0) + entry + entry))
    desc_buckets = bucket([marker(1, 0), a_output(1)])
    desc = struct.pack('!HBxI', 8 + len(desc_buckets), 0, 1) + desc_buckets
    write('ofp-ext', 'group-desc-reply-carriers',
          ofp(19, struct.pack('!HH4x', 7, 0) + desc))


def nftc_seeds():
    fm = lambda m, acts, **kw: flow_mod(m, [i_actions(4, acts)], **kw)
    M_TCP_PORT = match(oxm(IN_PORT, u32(1)), oxm(ETH_TYPE, u16(0x0800)),
                       oxm(IP_PROTO, u8(6)), oxm(TCP_DST, u16(22)))
    M_UDP = match(oxm(ETH_TYPE, u16(0x0800)), oxm(IP_PROTO, u8(17)),
                  oxm(UDP_DST, u16(53)))
    flows = {
        'offloadable': [fm(M_TCP_PORT, [a_output(2)]),
                        fm(M_UDP, [a_set_field(oxm(IPV4_DST,
                                                   bytes([10, 0, 0, 9]))),
                                   a_simple(DEC_NW_TTL), a_output(1)]),
                        fm(M_IPV4_MASK, [a_output(1), a_output(2)],
                           priority=5),
                        fm(M_TCP_PORT, [], priority=7)],
        'punt-and-delete': [fm(M_MPLS, [a_output(2)]),
                            fm(M_VLAN, [a_simple(POP_VLAN), a_output(1)]),
                            fm(M_IP_TCP, [a_output(CONTROLLER)]),
                            fm(M_IPV6, [a_output(2)], table=3),
                            flow_mod(M_IP_TCP, [], command=4),
                            fm(M_IP_TCP, [a_ethertype(PUSH_MPLS, 0x8847),
                                          a_output(2)])],
    }
    # With the "mpls" expression and the fuzz target's extension decoder
    # (first byte: flow count + 9 * 3): set_field tunnel_id (OXM 38) is an
    # extension action whose kind is its last byte (0 none, 1 copy_ttl_in,
    # 2 copy_ttl_out, 3 set mpls_bos, 4 no kind) and value the one before.
    ext = lambda kind, value=0: a_set_field(
        oxm(TUNNEL_ID, bytes(6) + bytes([value, kind])))
    M_IP = match(oxm(IN_PORT, u32(1)), oxm(ETH_TYPE, u16(0x0800)))
    mpls_ext = [
        fm(M_IP, [a_ethertype(PUSH_MPLS, 0x8847),
                  a_set_field(oxm(MPLS_LABEL, u32(100))), ext(2),
                  a_output(2)]),
        fm(M_MPLS, [ext(1), a_ethertype(POP_MPLS, 0x0800), a_output(2)]),
        fm(M_MPLS, [a_ethertype(POP_MPLS, 0x8847),
                    a_ethertype(PUSH_MPLS, 0x8847), ext(1), a_output(2)],
           priority=7),
        fm(M_MPLS, [a_simple(DEC_MPLS_TTL), ext(3, 1), a_output(2)],
           priority=8),
        fm(M_IP, [ext(4), a_output(2)], priority=9),
        fm(M_IP, [ext(0), a_output(2)], priority=10),
    ]
    # Netlink answers after the flows: an ack, an error, a GENID answer
    # and an echoed rule (only the raw ones are taken as they are).
    nlerr = lambda err: struct.pack('!IHHII'.replace('!', '='), 36, 2, 0, 1,
                                    0) + struct.pack('=i', err) + b'\0' * 16
    tail = nlerr(0) + nlerr(-1) + nlerr(-85) + bytes([0, 1, 2, 3, 0, 0, 0, 0,
                                                      1, 2, 2, 9, 9])
    for name, msgs in flows.items():
        write('nftc', name, bytes([len(msgs)]) + b''.join(msgs) + tail)
    write('nftc', 'mpls-ext',
          bytes([len(mpls_ext) + 9 * 3]) + b''.join(mpls_ext) + tail)


def nlio_seeds():
    """tests/fuzz/fuzz-nlio.c: operations, then answers [flags][len][bytes]."""
    def nlmsg(mtype, flags, payload, seq=0):
        return struct.pack('=IHHII', 16 + len(payload), mtype, flags, seq,
                           0) + payload
    def err(e, seq=0):
        return nlmsg(2, 0, struct.pack('=i', e) + b'\0' * 16, seq)
    done = nlmsg(3, 2, struct.pack('=i', 0))
    nfgen = struct.pack('!BBH', 0, 0, 0)        # struct nfgenmsg
    # NFT_MSG_NEWGEN (subsys 10 << 8 | 17) with NFTA_GEN_ID = 5.
    gen = nlmsg(10 << 8 | 17, 0, nfgen + struct.pack('=HHI', 8, 1, 5))
    def ans(flags, *msgs):
        b = b''.join(msgs)
        return bytes([flags]) + struct.pack('!H', len(b)) + b
    # Each request answered in step (flags bit 0), one with a stale answer
    # left before it, one dump interrupted then answered, one batch.
    ops = [0, 1, 2, 3, 4, 5, 6]
    answers = (ans(1, gen, err(0))                     # genid
               + ans(0, gen, err(0))                   # stale: skipped
               + ans(1, gen, err(0))                   # check: genid
               + ans(1, done)                          # ... rule dump
               + ans(0x11, done) + ans(1, done)        # interrupted, again
               + ans(1, err(0)) + ans(1, gen, err(0))  # counters, genid
               + ans(3, err(0)) + ans(0x20, b'')       # batch END, ENOBUFS
               + ans(1, gen, err(0)) + ans(3, err(-22)))
    write('nlio', 'in-step', bytes([len(ops)] + ops) + answers)
    write('nlio', 'silent', bytes([len(ops)] + ops))
    write('nlio', 'reopen-fails', bytes([3, 6 | 0x80, 0, 5]) + answers)


def groups_seeds():
    """tests/fuzz/fuzz-groups.c: group-mod records, then translations."""
    def bucket(acts, weight=1, wport=5, wgroup=40):
        return bytes([weight, wport, wgroup, len(acts)]) + b''.join(
            bytes([k, v]) for k, v in acts)
    def group(cmd, gid, gtype, buckets):
        return bytes([cmd, gid, gtype, len(buckets)]) + b''.join(buckets)
    xl = lambda gid: bytes([3, gid])
    # A chain of ALL groups, 8 buckets each to the group below, 10 deep.
    chain = group(0, 1, 0, [bucket([(0, 2)])])
    for g in range(2, 11):
        chain += group(0, g, 0, [bucket([(1, g - 1), (2, g)])] * 8)
    write('groups', 'fan-chain', chain + xl(10) + xl(5)
          + group(1, 1, 0, [bucket([(1, 10)])]) + xl(10))
    # Fast-failover watching groups and a dead port, select by weight.
    ff = (group(0, 1, 0, [bucket([(0, 1)])])
          + group(0, 2, 3, [bucket([(0, 4)], wport=4),
                            bucket([(1, 1)], wgroup=1)])
          + group(0, 3, 1, [bucket([(0, 1)], weight=0),
                            bucket([(0, 2), (3, 0)], weight=3)])
          + xl(2) + xl(3) + group(2, 39, 0, []) + xl(3))
    write('groups', 'ff-select', ff)


def main():
    dp_seeds()
    openflow_seeds()
    ofp_ext_seeds()
    nftc_seeds()
    nlio_seeds()
    groups_seeds()
    return 0


if __name__ == '__main__':
    sys.exit(main())
