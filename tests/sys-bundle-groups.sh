#!/bin/bash
# sys-bundle-groups: bundles of group-mods (issue 15 items 4 and 11), from
# os-ken's encoder (OpenFlow 1.3's ONF bundle extension):
#  (a) a bundle with a group-mod whose bucket holds copy_ttl_in and
#      set_field mpls_bos (extension actions) and a flow-mod to it
#      commits; the group description gives the actions back as sent;
#  (b) a bundle that modifies that group, adds another, then fails on a
#      flow-mod changes nothing: the group is as it was, the other absent,
#      the failing message's error reaches the client, the commit fails
#      with OFPBFC_MSG_FAILED;
#  (c) a bundle that deletes the group (taking its flow with it) and then
#      fails gives both back;
#  (d) bundles of one connection together cannot hold more than 256 MiB:
#      the add that would pass it gets OFPBFC_MSG_TOO_MANY, and a discard
#      gives the room back.
. "$(dirname "$0")/lib.sh"
tl_init
[ "$MVS_SWITCH" = mvs ] || skip "Open vSwitch has no copy_ttl_in"

add_ns sw-br0
ns=$(sw_ns br0)
add_host h1 10.0.0.1/24 "$ns"
add_host h2 10.0.0.2/24 "$ns"
MVSD_ARGS="${MVSD_ARGS:-} --offload=off"
sw_start br0 "$(host_port h1)=1" "$(host_port h2)=2"

"$PYTHON" - "$top_srcdir/tests" "$(sw_target br0)" <<'PY' || fail "see above"
import sys, time
sys.path.insert(0, sys.argv[1])
from ofclient import OFClient, OFError, ofp, parser, action_text
c = OFClient(sys.argv[2])
dp = c.dp

def bucket(*acts):
    return parser.OFPBucket(actions=list(acts))

def group_mod(cmd, gid, buckets):
    return parser.OFPGroupMod(dp, cmd, ofp.OFPGT_ALL, gid, buckets)

def flow_mod(match, acts, cmd=ofp.OFPFC_ADD):
    return parser.OFPFlowMod(dp, command=cmd, priority=10, match=match,
        instructions=[parser.OFPInstructionActions(
            ofp.OFPIT_APPLY_ACTIONS, acts)])

def bundle(msgs, bid):
    """Sends 'msgs' in bundle 'bid', commits; returns (ok, errors)."""
    flags = ofp.ONF_BF_ATOMIC
    c.send(parser.ONFBundleCtrlMsg(dp, bid, ofp.ONF_BCT_OPEN_REQUEST, flags,
                                   []))
    for m in msgs:
        c.send(parser.ONFBundleAddMsg(dp, bid, flags, m, []))
    c.send(parser.ONFBundleCtrlMsg(dp, bid, ofp.ONF_BCT_COMMIT_REQUEST,
                                   flags, []))
    try:
        c.barrier()
        return True, ""
    except OFError as e:
        return False, str(e)

def groups():
    rep = c.request(parser.OFPGroupDescStatsRequest(dp, 0))
    out = {}
    for r in rep:
        for g in r.body:
            out[g.group_id] = [",".join(action_text(a) for a in b.actions)
                               for b in g.buckets]
    return out

def flows():
    return sorted(str(fs.match) for fs in c.flow_stats())

mpls = parser.OFPMatch(in_port=1, eth_type=0x8847)
ext = bucket(parser.OFPActionCopyTtlIn(),
             parser.OFPActionSetField(mpls_bos=1),
             parser.OFPActionOutput(2))

# (a)
ok, err = bundle([group_mod(ofp.OFPGC_ADD, 1, [ext]),
                  flow_mod(mpls, [parser.OFPActionGroup(1)])], 1)
assert ok, "bundle (a) failed: %s" % err
g = groups()
print("after (a):", g)
assert g.get(1) == ["copy_ttl_in,set_field:mpls_bos=1,output:2"], g
before_groups, before_flows = groups(), flows()
assert len(before_flows) == 1, before_flows

# (b)
ok, err = bundle([group_mod(ofp.OFPGC_MODIFY, 1,
                            [bucket(parser.OFPActionOutput(1))]),
                  group_mod(ofp.OFPGC_ADD, 2,
                            [bucket(parser.OFPActionOutput(1))]),
                  flow_mod(parser.OFPMatch(in_port=2),
                           [parser.OFPActionGroup(99)])], 2)
print("bundle (b):", ok, err)
# OFPBAC_BAD_OUT_GROUP for the flow-mod, ONFERR_ET_FAILED for the commit.
assert (not ok and "error type %d (OFPET_BAD_ACTION) code %d"
        % (ofp.OFPET_BAD_ACTION, ofp.OFPBAC_BAD_OUT_GROUP) in err
        and "ONFERR_ET_FAILED" in err), err
assert groups() == before_groups, "(b) left groups %s" % groups()
assert flows() == before_flows, "(b) left flows %s" % flows()

# (c)
ok, err = bundle([group_mod(ofp.OFPGC_DELETE, 1, []),
                  flow_mod(parser.OFPMatch(in_port=2),
                           [parser.OFPActionGroup(99)])], 3)
print("bundle (c):", ok, err)
assert not ok and "ONFERR_ET_FAILED" in err, err
assert groups() == before_groups, "(c) left groups %s" % groups()
assert flows() == before_flows, "(c) left flows %s" % flows()

# (d) 64 KiB messages: a flow-mod padded with output actions, framed once
# and sent raw with the bundle id patched in (ONF bundle add: the id at
# offset 16).
import struct
add = parser.ONFBundleAddMsg(dp, 10, ofp.ONF_BF_ATOMIC,
                             flow_mod(parser.OFPMatch(in_port=2),
                                      [parser.OFPActionOutput(1)] * 4080),
                             [])
c.dp.set_xid(add)
add.serialize()
raw = bytes(add.buf)
size = len(raw)
flags = ofp.ONF_BF_ATOMIC
for bid in (10, 11):
    c.send(parser.ONFBundleCtrlMsg(dp, bid, ofp.ONF_BCT_OPEN_REQUEST, flags,
                                   []))
limit = 256 * 1024 * 1024
n_ok, refused = 0, None
for i in range(limit // size + 2):
    c.send_raw(raw[:16] + struct.pack("!I", 10 + i % 2) + raw[20:])
    if i % 256 == 255 or i >= limit // size - 1:
        try:
            c.barrier()
            n_ok = i + 1
        except OFError as e:
            refused = (i, str(e))
            break
print("bundle bytes: %d adds of %d bytes accepted, then %s"
      % (n_ok, size, refused))
assert refused and "ONFERR_ET_MSG_TOO_MANY" in refused[1], refused
inner = size - 24            # What a bundle holds: the inner message.
assert n_ok * inner <= limit
assert (n_ok + 256) * inner > limit, "refused far below the limit"
# Discarding one gives the room back.
c.send(parser.ONFBundleCtrlMsg(dp, 10, ofp.ONF_BCT_DISCARD_REQUEST, flags,
                               []))
c.send_raw(raw[:16] + struct.pack("!I", 11) + raw[20:])
c.barrier()
c.send(parser.ONFBundleCtrlMsg(dp, 11, ofp.ONF_BCT_DISCARD_REQUEST, flags,
                               []))
c.barrier()
print("ok")
PY
log "PASS"
