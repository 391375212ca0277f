#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""make bench: numbers about the mini guest, printed as a table.

- boot: wall time from starting QEMU (TCG) to the mini's ready marker
  (just before its first prompt), over several boots;
- blk: kicks and interrupts per 1000 virtio-blk requests at queue depth
  16 (`blk bench read|write 1000 16`), with the device's event_idx on
  and off.

Numbers, not assertions: the tests check behaviour, this reports cost.
The guests run under vmlib.Machine with the harness's devices, like the
tests' (harness/vmlib/machine.py).
"""

import argparse
import os
import re
import statistics
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "harness"))

import profiles  # noqa: E402
from profiles.base import Config  # noqa: E402
from vmlib import BUILD, HarnessError, disk  # noqa: E402
from vmlib.machine import Machine  # noqa: E402
from vmlib.serial import Console  # noqa: E402

WORK = os.path.join(BUILD, "bench")
BENCH_RE = re.compile(r"blk bench (\w+): requests (\d+) qd (\d+) kicks (\d+)"
                      r" interrupts (\d+) elapsed_us (\d+)")


def start(accel, props=None, disk_base=None):
    """The mini under vmlib.Machine, ready; the caller cleans it up."""
    m = Machine(profiles.get("mini"), Config("transitional", "pc", props),
                accel=accel, disk_base=disk_base, label="bench",
                say=lambda msg: None)
    try:
        m.start()
        m.wait_ready()
    except BaseException:
        m.cleanup()
        raise
    return m


def boot_times(accel, boots):
    times = []
    for _ in range(boots):
        m = start(accel)
        times.append(m.boot_seconds)
        m.cleanup()
    return times


def blk_bench(accel, event_idx, count, qd, repeat):
    """Rows (op, event_idx, requests, kicks/1000, interrupts/1000,
    us/request), each the median of REPEAT runs.  Writes go first, so
    the reads find allocated clusters rather than qcow2 holes."""
    base = disk.scratch_base(os.path.join(WORK, "disk-1G.qcow2"), "1G")
    m = start(accel, {"event_idx": event_idx}, base)
    rows = []
    try:
        con = Console.of(m, timeout=120)
        for op in ("write", "read"):
            runs = []
            for _ in range(repeat):
                text = con.command("blk bench %s %d %d" % (op, count, qd))
                got = BENCH_RE.search(text)
                if not got:
                    raise HarnessError("blk bench %s: %s"
                                       % (op, text.strip()))
                reqs, kicks, intrs, usec = (int(got.group(i))
                                            for i in (2, 4, 5, 6))
                runs.append((kicks * 1000 / reqs, intrs * 1000 / reqs,
                             usec / reqs))
            rows.append((op, event_idx, count) + tuple(
                statistics.median(r[k] for r in runs) for k in range(3)))
        con.close()
    finally:
        m.cleanup()
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--accel", default="tcg", choices=("tcg", "kvm", "auto"))
    ap.add_argument("--boots", type=int, default=5)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--qd", type=int, default=16)
    ap.add_argument("--repeat", type=int, default=5,
                    help="blk bench runs per row (the median is shown)")
    args = ap.parse_args()
    try:
        times = boot_times(args.accel, args.boots)
        rows = []
        for event_idx in ("on", "off"):
            rows += blk_bench(args.accel, event_idx, args.count, args.qd,
                              args.repeat)
    except HarnessError as e:
        sys.exit("bench: %s" % e)

    print("mini guest, accel %s" % args.accel)
    print("  QEMU start -> ready marker over %d boots: median %.3f s, "
          "min %.3f s, max %.3f s" % (len(times), statistics.median(times),
                                      min(times), max(times)))
    print("  virtio-blk, %d random 4 KiB requests at QD %d, median of %d:"
          % (args.count, args.qd, args.repeat))
    print("    %-6s %-9s %9s %15s %20s %12s" % (
        "op", "event_idx", "requests", "kicks/1000 req",
        "interrupts/1000 req", "us/request"))
    for op, ei, reqs, kicks, intrs, us in rows:
        print("    %-6s %-9s %9d %15.1f %20.1f %12.1f"
              % (op, ei, reqs, kicks, intrs, us))


if __name__ == "__main__":
    main()
