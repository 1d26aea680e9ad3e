#!/usr/bin/python3
# tests/fault_state.py: snapshots of a bridge's OpenFlow state, for the
# fault tests (tests/sys-fault-*.sh), and their comparison.
#
#   fault_state.py snap TARGET FILE
#       Records, through the real ovs-ofctl -O OpenFlow13 on TARGET
#       (unix:PATH), every flow (its match, priority, cookie, actions and
#       table, without statistics) with its n_packets/n_bytes, every group
#       (dump-groups) with its and its buckets' counters (dump-group-stats),
#       and every meter (dump-meters) with its counters (meter-stats), as
#       JSON in FILE.  Prints one summary line.
#
#   fault_state.py check OLD NEW [--same] [--no-counters]
#                                [--ignore-flows REGEX]
#       Fails (exit 1, saying what) unless every flow, group and meter of
#       OLD is in NEW, identically, and (unless --no-counters, for a
#       restarted switch) every counter of OLD is <= its value in NEW.
#       With --same NEW must also hold nothing more than OLD (no
#       duplicates, no new flows); --ignore-flows leaves out of that check
#       the flows whose text matches REGEX (e.g. flows a learning
#       controller may add meanwhile).
#
#   fault_state.py count FILE
#       Prints the number of flows, groups and meters in FILE.

import json
import re
import subprocess
import sys


def ofctl(target, *args):
    out = subprocess.run(["ovs-ofctl", "-O", "OpenFlow13", args[0], target]
                         + list(args[1:]), check=True, capture_output=True,
                         text=True, timeout=60).stdout
    return [l.strip() for l in out.splitlines()
            if l.strip() and not re.match(r"OFPST_\w+ reply", l.strip())]


STAT_FIELDS = re.compile(r"\b(duration|n_packets|n_bytes|idle_age|hard_age)"
                         r"=[^,\s]*,?\s*")


def flows(target):
    """{flow text without statistics: [n_packets, n_bytes]}"""
    out = {}
    for line in ofctl(target, "dump-flows"):
        pk = re.search(r"\bn_packets=(\d+)", line)
        by = re.search(r"\bn_bytes=(\d+)", line)
        key = STAT_FIELDS.sub("", line).strip().rstrip(",")
        # ovs-ofctl prints "cookie=0x0, " only with statistics; normalise.
        key = re.sub(r"^cookie=0x0,\s*", "", key)
        if key in out:
            # Two identical flows: a duplicate, which check reports.
            key = key + " #dup%d" % len(out)
        out[key] = [int(pk.group(1)) if pk else 0,
                    int(by.group(1)) if by else 0]
    return out


def groups(target):
    """({group desc text: id}, {id: [counters...]})"""
    desc = {}
    for line in ofctl(target, "dump-groups"):
        m = re.match(r"group_id=(\d+)", line)
        if m:
            desc[line] = int(m.group(1))
    stats = {}
    for line in ofctl(target, "dump-group-stats"):
        m = re.match(r"group_id=(\d+)", line)
        if m:
            nums = [int(x) for x in
                    re.findall(r"(?:packet|byte)_count=(\d+)", line)]
            stats[m.group(1)] = nums
    return desc, stats


def meters(target):
    """({meter config text: id}, {id: [counters...]})"""
    desc, cur = {}, None
    for line in ofctl(target, "dump-meters"):
        if line.startswith("meter="):
            cur = line
            desc[cur] = [int(re.match(r"meter=(\d+)", line).group(1))]
        elif cur is not None:
            # Band lines belong to the meter above them.
            ids = desc.pop(cur)
            cur = cur + " " + line
            desc[cur] = ids
    desc = {k: v[0] for k, v in desc.items()}
    stats, cur = {}, None
    for line in ofctl(target, "meter-stats"):
        m = re.match(r"meter:(\d+)", line)
        if m:
            cur = m.group(1)
            line = re.sub(r"duration:\S+", "", line)
            stats[cur] = [int(x) for x in
                          re.findall(r"(?:packet_in|byte_in)_count:(\d+)",
                                     line)]
        elif cur is not None:
            stats[cur] += [int(x) for x in
                           re.findall(r"(?:packet|byte)_count:(\d+)", line)]
    return desc, stats


def snap(target, path):
    f = flows(target)
    gd, gs = groups(target)
    md, ms = meters(target)
    state = {"flows": f, "groups": gd, "group_stats": gs,
             "meters": md, "meter_stats": ms}
    with open(path, "w") as fp:
        json.dump(state, fp, indent=1, sort_keys=True)
    print("%d flows, %d groups, %d meters" % (len(f), len(gd), len(md)))


def check(old_path, new_path, same=False, counters=True, ignore=None):
    with open(old_path) as fp:
        old = json.load(fp)
    with open(new_path) as fp:
        new = json.load(fp)
    errs = []
    for kind in ("flows", "groups", "meters"):
        for k in old[kind]:
            if k not in new[kind]:
                errs.append("%s lost: %s" % (kind[:-1], k))
        if same:
            for k in new[kind]:
                if kind == "flows" and ignore and re.search(ignore, k):
                    continue
                if k not in old[kind]:
                    errs.append("%s new or duplicated: %s" % (kind[:-1], k))
    for k in new["flows"]:
        if "#dup" in k:
            errs.append("duplicate flow: %s" % k)
    if counters:
        for k, (pk, by) in old["flows"].items():
            if k in new["flows"]:
                npk, nby = new["flows"][k]
                if npk < pk or nby < by:
                    errs.append("flow counters went back from %d/%d to "
                                "%d/%d: %s" % (pk, by, npk, nby, k))
        for kind in ("group_stats", "meter_stats"):
            for gid, vals in old[kind].items():
                nvals = new[kind].get(gid)
                if nvals is None:
                    errs.append("%s of %s lost" % (kind, gid))
                elif len(nvals) != len(vals) or any(
                        b < a for a, b in zip(vals, nvals)):
                    errs.append("%s of %s went back: %s -> %s"
                                % (kind, gid, vals, nvals))
    for e in errs:
        print("fault_state: " + e)
    if not errs:
        print("fault_state: %d flows, %d groups, %d meters kept%s"
              % (len(old["flows"]), len(old["groups"]), len(old["meters"]),
                 ", counters monotonic" if counters else ""))
    return 1 if errs else 0


def main(argv):
    if len(argv) == 3 and argv[0] == "snap":
        snap(argv[1], argv[2])
        return 0
    if len(argv) >= 3 and argv[0] == "check":
        same = "--same" in argv
        counters = "--no-counters" not in argv
        ignore = None
        if "--ignore-flows" in argv:
            ignore = argv[argv.index("--ignore-flows") + 1]
        return check(argv[1], argv[2], same, counters, ignore)
    if len(argv) == 2 and argv[0] == "count":
        with open(argv[1]) as fp:
            s = json.load(fp)
        print(len(s["flows"]), len(s["groups"]), len(s["meters"]))
        return 0
    sys.stderr.write(__doc__ if __doc__ else "usage: see the file\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
