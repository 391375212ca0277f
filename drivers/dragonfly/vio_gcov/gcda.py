#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""Turn the coverage dumps of our modules (vio_gcov.c) into .gcda files.

Usage: gcda.py [--root DIR] LOG...

Each LOG is a serial console log of a DragonFly guest that ran the
coverage build.  A dump is a run of lines from `gcov-begin MODULE WHY` to
`gcov-end MODULE LINES`, each line closed by ` *` and the FNV-1a checksum
of what precedes it; a dump with a bad or missing line is torn (the guest
died while printing it) and is left out.  Within one log, a module's
counters run from its load to its unload: an `unload` dump is the last
of its instance, and otherwise the last `sysctl` dump stands for it.
The instances of every log are added up, as gcov adds runs, and each
object's counters are written to the .gcda file its gcov_info names
(next to its .gcno), which must lie under --root.

The .gcda layout is gcc 12's (gcc/gcov-io.h): 32-bit words in the
host's order; a header (magic "gcda", version, stamp, checksum); the
object summary (runs, sum_max); per function a FUNCTION record (ident,
line and cfg checksums) and per counter kind a COUNTER record of 64-bit
values, lengths in bytes, an all-zero record written with minus its
length and no values; a zero word at the end.
"""

import argparse
import os
import re
import struct
import sys

GCDA_MAGIC = 0x67636461
TAG_FUNCTION = 0x01000000
TAG_COUNTER_BASE = 0x01a10000
TAG_OBJECT_SUMMARY = 0xa1000000
WORD = 4
ARCS = 0

LINE = re.compile(r"(gcov-[a-z]+ .*) \*([0-9a-f]{8})$")
# The console of a DragonFly guest under TCG now and then sends a byte
# twice; a line whose checksum fails is tried again without up to this
# many of its doubled characters.
REPAIR_DEPTH = 2


class Torn(Exception):
    """A dump that does not parse or does not add up."""


def fnv1a(text):
    h = 2166136261
    for b in text.encode():
        h = ((h ^ b) * 16777619) & 0xffffffff
    return h


def repaired(line, depth=REPAIR_DEPTH):
    """The payload of LINE if its checksum holds, with at most DEPTH
    doubled characters taken out; else None."""
    m = LINE.match(line)
    if m and fnv1a(m.group(1)) == int(m.group(2), 16):
        return m.group(1)
    if depth == 0:
        return None
    for i in range(1, len(line)):
        if line[i] == line[i - 1]:
            payload = repaired(line[:i] + line[i + 1:], depth - 1)
            if payload is not None:
                return payload
    return None


def checked_lines(text):
    """(payload or None) per dump-like line: None where the checksum
    fails even after repair, so that a torn line tears its dump."""
    for raw in text.splitlines():
        at = raw.find("gc")
        if at < 0 or "-" not in raw[at:at + 7] or " *" not in raw[at:]:
            continue
        yield repaired(raw[at:].rstrip())


class Obj:
    """One object file's counters: its gcov_info."""

    def __init__(self, version, stamp, checksum, mask, filename):
        self.version, self.stamp, self.checksum = version, stamp, checksum
        self.mask, self.filename = mask, filename
        # index -> (ident, lineno_checksum, cfg_checksum, {kind: [values]})
        # or None for a function another object owns.
        self.functions = {}
        self.runs = 0
        self.sum_max = 0

    def key(self):
        return (self.version, self.stamp, self.checksum, self.mask,
                tuple(sorted((i, f and f[:3])
                             for i, f in self.functions.items())))

    def add(self, other):
        if other.key() != self.key():
            raise ValueError("%s: two builds of one object" % self.filename)
        for i, f in self.functions.items():
            if f is None:
                continue
            for kind, values in f[3].items():
                theirs = other.functions[i][3][kind]
                f[3][kind] = [a + b for a, b in zip(values, theirs)]
        self.runs += other.runs
        self.sum_max += other.sum_max


def parse_dump(lines):
    """The objects of one dump from its lines after gcov-begin up to and
    including gcov-end; raises Torn."""
    objs, obj, fn, kind, want = [], None, None, None, 0
    for n, line in enumerate(lines, start=2):
        if line is None:
            raise Torn("bad checksum")
        words = line.split()
        tag = words[0]
        if tag == "gcov-end":
            if want or int(words[2]) != n - 1:
                raise Torn("incomplete")
            for o in objs:
                arcs = [v for f in o.functions.values() if f
                        for v in f[3].get(ARCS, [])]
                o.runs, o.sum_max = 1, max(arcs, default=0)
            return objs
        if want and tag != "gcov-val":
            raise Torn("counters missing")
        if tag == "gcov-info":
            v, s, c, m = (int(w, 16) for w in words[1:5])
            obj = Obj(v, s, c, m, " ".join(words[6:]))
            objs.append(obj)
        elif tag == "gcov-fn" and obj is not None:
            ix = int(words[1], 16)
            if words[2] == "-":
                obj.functions[ix], fn = None, None
            else:
                fn = tuple(int(w, 16) for w in words[2:5]) + ({},)
                obj.functions[ix] = fn
        elif tag == "gcov-ctr" and fn is not None:
            kind, want = int(words[1], 16), int(words[2], 16)
            fn[3][kind] = []
        elif tag == "gcov-val" and want:
            vals = [int(w, 16) for w in words[1:]]
            if len(vals) > want:
                raise Torn("too many values")
            fn[3][kind] += vals
            want -= len(vals)
        else:
            raise Torn("unexpected %s" % tag)
    raise Torn("no gcov-end")


def dumps(text):
    """(module, why, objects) for every whole dump in TEXT, in order;
    and the number of torn ones."""
    out, torn, cur = [], 0, None
    for line in checked_lines(text):
        if line is not None and line.startswith("gcov-begin "):
            torn += cur is not None
            w = line.split()
            cur = (w[1], w[2], [])
            continue
        if cur is None:
            continue
        cur[2].append(line)
        if line is not None and line.startswith("gcov-end "):
            try:
                out.append((cur[0], cur[1], parse_dump(cur[2])))
            except Torn:
                torn += 1
            cur = None
    return out, torn + (cur is not None)


def instances(text):
    """The objects of every module instance of one boot's log: the
    unload dumps, and each module's last dump since."""
    done, last = [], {}
    found, torn = dumps(text)
    for module, why, objs in found:
        if why == "unload":
            done.append(objs)
            last.pop(module, None)
        else:
            last[module] = objs
    return done + list(last.values()), torn


def merge(logs):
    """filename -> Obj over all LOGS; and counts for the summary."""
    total, n_inst, n_torn = {}, 0, 0
    for path in logs:
        with open(path, encoding="utf-8", errors="replace") as f:
            insts, torn = instances(f.read())
        n_torn += torn
        n_inst += len(insts)
        for objs in insts:
            for o in objs:
                if o.filename in total:
                    total[o.filename].add(o)
                else:
                    total[o.filename] = o
    return total, n_inst, n_torn


def words(*ws):
    return struct.pack("<%dI" % len(ws), *(w & 0xffffffff for w in ws))


def gcda_bytes(obj):
    out = [words(GCDA_MAGIC, obj.version, obj.stamp, obj.checksum),
           words(TAG_OBJECT_SUMMARY, 2 * WORD, obj.runs, obj.sum_max)]
    for ix in sorted(obj.functions):
        f = obj.functions[ix]
        if f is None:
            out.append(words(TAG_FUNCTION, 0))
            continue
        out.append(words(TAG_FUNCTION, 3 * WORD, *f[:3]))
        for kind in sorted(f[3]):
            values = f[3][kind]
            tag = TAG_COUNTER_BASE + (kind << 17)
            if not any(values):
                out.append(words(tag, -len(values) * 2 * WORD))
                continue
            out.append(words(tag, len(values) * 2 * WORD))
            out.append(struct.pack("<%dQ" % len(values),
                                   *(v & (2**64 - 1) for v in values)))
    out.append(words(0))
    return b"".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", default="/",
                    help="every .gcda written must lie under this folder")
    ap.add_argument("logs", nargs="+")
    args = ap.parse_args()
    root = os.path.realpath(args.root)
    total, n_inst, n_torn = merge(args.logs)
    for name, obj in sorted(total.items()):
        path = os.path.realpath(name)
        if os.path.commonpath([root, path]) != root:
            sys.exit("gcda.py: %s is not under %s" % (name, root))
        with open(path, "wb") as f:
            f.write(gcda_bytes(obj))
    print("gcda.py: %d .gcda files from %d module instances in %d logs"
          "%s" % (len(total), n_inst, len(args.logs),
                  ", %d torn dumps left out" % n_torn if n_torn else ""))
    return 0 if total else 1


if __name__ == "__main__":
    sys.exit(main())
