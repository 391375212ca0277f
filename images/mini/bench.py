#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""make bench: numbers about the mini guest, printed as a table.

- boot: wall time from starting QEMU (TCG) to the first `mini> ` prompt,
  over several boots;
- blk: kicks and interrupts per 1000 virtio-blk requests at queue depth
  16 (`blk bench read|write 1000 16`), with the device's event_idx on
  and off.

Numbers, not assertions: the tests check behaviour, this reports cost.
"""

import argparse
import os
import re
import select
import shutil
import signal
import statistics
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
BUILD = os.path.join(TOP, "build")
KERNEL = os.path.join(BUILD, "mini", "mini.elf")
WORK = os.path.join(BUILD, "bench")
PROMPT = b"mini> "
BENCH_RE = re.compile(r"blk bench (\w+): requests (\d+) qd (\d+) kicks (\d+)"
                      r" interrupts (\d+) elapsed_us (\d+)")


class BenchError(Exception):
    pass


class Guest:
    """One mini guest under QEMU, serial console on a pipe."""

    def __init__(self, accel, props="", disk=None):
        argv = [shutil.which("qemu-system-x86_64") or "qemu-system-x86_64",
                "-nodefaults", "-no-user-config", "-display", "none",
                "-machine", "pc", "-accel", accel, "-m", "256",
                "-serial", "stdio", "-kernel", KERNEL,
                "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
                "-netdev", "user,id=n0",
                "-device", "virtio-net-pci,netdev=n0,romfile=" + props,
                "-device", "virtio-balloon-pci" + props]
        if disk:
            argv += ["-drive", "file=%s,if=none,id=d0,format=qcow2" % disk,
                     "-device", "virtio-blk-pci,drive=d0" + props]
        self.out = b""
        self.started = time.monotonic()
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE,
                                     start_new_session=True)

    def expect(self, what, timeout):
        """Read until WHAT; return (text before it, seconds since start)."""
        deadline = time.monotonic() + timeout
        while what not in self.out:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BenchError("no %r from the guest within %d s; tail: %r"
                                 % (what, timeout, self.out[-300:]))
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if ready:
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    raise BenchError("QEMU ended: %s" % self.proc.stderr
                                     .read().decode(errors="replace"))
                self.out += chunk
        at = time.monotonic() - self.started
        before, _, self.out = self.out.partition(what)
        return before.decode(errors="replace"), at

    def command(self, cmd, timeout=120):
        self.proc.stdin.write(cmd.encode() + b"\r")
        self.proc.stdin.flush()
        text, _ = self.expect(PROMPT, timeout)
        return text

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write(b"halt 0\r")
                self.proc.stdin.flush()
                self.proc.wait(5)
            except (OSError, subprocess.TimeoutExpired):
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def boot_times(accel, boots):
    times = []
    for _ in range(boots):
        g = Guest(accel)
        try:
            _, at = g.expect(PROMPT, 60)
            times.append(at)
        finally:
            g.close()
    return times


def blk_bench(accel, event_idx, count, qd, repeat):
    """Rows (op, event_idx, requests, kicks/1000, interrupts/1000,
    us/request), each the median of REPEAT runs.  Writes go first, so
    the reads find allocated clusters rather than qcow2 holes."""
    disk = os.path.join(WORK, "disk.qcow2")
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", disk,
                    "1G"], check=True)
    g = Guest(accel, props=",event_idx=" + event_idx, disk=disk)
    rows = []
    try:
        g.expect(PROMPT, 60)
        for op in ("write", "read"):
            runs = []
            for _ in range(repeat):
                text = g.command("blk bench %s %d %d" % (op, count, qd))
                m = BENCH_RE.search(text)
                if not m:
                    raise BenchError("blk bench %s: %s"
                                     % (op, text.strip()))
                reqs, kicks, intrs, usec = (int(m.group(i))
                                            for i in (2, 4, 5, 6))
                runs.append((kicks * 1000 / reqs, intrs * 1000 / reqs,
                             usec / reqs))
            rows.append((op, event_idx, count) + tuple(
                statistics.median(r[k] for r in runs) for k in range(3)))
    finally:
        g.close()
        os.unlink(disk)
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--accel", default="tcg", choices=("tcg", "kvm"))
    ap.add_argument("--boots", type=int, default=5)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--qd", type=int, default=16)
    ap.add_argument("--repeat", type=int, default=5,
                    help="blk bench runs per row (the median is shown)")
    args = ap.parse_args()
    if not os.path.exists(KERNEL):
        sys.exit("bench: %s missing: run make mini" % KERNEL)
    os.makedirs(WORK, exist_ok=True)
    try:
        times = boot_times(args.accel, args.boots)
        rows = []
        for event_idx in ("on", "off"):
            rows += blk_bench(args.accel, event_idx, args.count, args.qd,
                              args.repeat)
    except BenchError as e:
        sys.exit("bench: %s" % e)

    print("mini guest, accel %s" % args.accel)
    print("  QEMU start -> 'mini> ' prompt over %d boots: median %.3f s, "
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
