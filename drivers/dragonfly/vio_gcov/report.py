#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""Summarize gcovr's JSON report of the DragonFly guest's coverage.

Usage: report.py COVERAGE.json

Prints each drivers/dragonfly file's line coverage, the functions of
drivers/dragonfly that never ran, and the two lines `make coverage`
shows: drivers/dragonfly, and the core and protocols (drivers/core, blk,
net, balloon) as they ran inside DragonFly.
"""

import json
import sys

OURS = "drivers/dragonfly/"
CORE = ("drivers/core/", "drivers/blk/", "drivers/net/", "drivers/balloon/")


def line_counts(entry):
    """(lines, lines run) of one file of gcovr's JSON."""
    code = [ln for ln in entry["lines"]
            if not ln.get("gcovr/noncode") and not ln.get("gcovr/excluded")]
    return len(code), sum(1 for ln in code if ln["count"] > 0)


def percent(run, total):
    return 100.0 * run / total if total else 0.0


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[2])
    with open(sys.argv[1]) as f:
        files = sorted(json.load(f)["files"], key=lambda e: e["file"])
    totals = {OURS: [0, 0], CORE: [0, 0]}
    zero = []
    print("drivers/dragonfly in the DragonFly guest (lines run/lines):")
    for entry in files:
        name = entry["file"]
        n, run = line_counts(entry)
        part = OURS if name.startswith(OURS) else \
            CORE if name.startswith(CORE) else None
        if part is None:
            continue
        totals[part][0] += n
        totals[part][1] += run
        if part is not OURS:
            continue
        print("  %-36s %5d/%-5d %5.1f%%" % (name[len(OURS):], run, n,
                                          percent(run, n)))
        zero += ["%s:%d %s" % (name[len(OURS):], fn["lineno"], fn["name"])
                 for fn in sorted(entry.get("functions", []),
                                  key=lambda fn: fn["lineno"])
                 if fn["execution_count"] == 0]
    print("functions of drivers/dragonfly never run: %d" % len(zero))
    for z in zero:
        print("  " + z)
    n, run = totals[OURS]
    print("coverage: %.1f%% of drivers/dragonfly lines (in the DragonFly "
          "guest)" % percent(run, n))
    n, run = totals[CORE]
    print("coverage: %.1f%% of drivers/core, blk, net and balloon lines "
          "(in the DragonFly guest)" % percent(run, n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
