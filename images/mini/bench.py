#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""make bench: our drivers against DragonFly's own and Linux's.

One run boots each guest in turn on the same QEMU devices and the same
disk image (vmlib.Machine, the harness's devices):

- dfly-ours: the DragonFly kernel guest with our modules;
- dfly-own:  the same kernel with DragonFly's own virtio drivers;
- linux:     the Linux reference guest;
- mini:      our core without an OS, the floor.

and measures, on a qcow2 overlay and (--null) on QEMU's null-co
backend: 4 KiB random reads and writes at QD 1 and 16 (IOPS) and 1 MiB
sequential reads and writes (MB/s), each the median of --repeat runs;
the round trip of ICMP echoes to 10.0.2.2 (median, 99th percentile);
the seconds from the monitor's balloon command to the guest reaching a
quarter less memory and back; QEMU start to the shell prompt; UDP
datagrams per second received, and the share lost, between two guests
of a kind on a QEMU socket network (not the mini: no UDP in its stack).
The load generators are the guests' own: blkbench, pingstat, udpsend
and udprecv in the DragonFly init, static blkbench and udpbench and
busybox ping in the Linux initramfs, blk bench and ping in the mini.
Last, every guest's kicks and interrupts per 1000 requests at QD 16 with
event_idx on and off, from QEMU's trace events, virtio-blk in an
iothread (polling off) on null-co.  A DragonFly guest's blk, ping and
UDP figures wait for its uptime to pass DFLY_SETTLED_UPTIME.

Output: the table (with the accelerator and QEMU version), the same
numbers as JSON in build/bench/bench-STAMP.json, and a PNG chart of the
ratios next to it.  `bench.py --compare A.json B.json` prints two runs
side by side.  Numbers, never assertions.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "harness"))

import profiles  # noqa: E402
from profiles.base import Config  # noqa: E402
from vmlib import BUILD, HarnessError, disk  # noqa: E402
from vmlib.machine import GUEST_MAC, SOCKET_MACS, Machine  # noqa: E402
from vmlib.qmp import QMP  # noqa: E402
from vmlib.serial import Console  # noqa: E402

WORK = os.path.join(BUILD, "bench")
DISK_SIZE = "1G"
# The guests' blkbench spreads requests over the first 256 MiB, which
# is written once before anything is measured, so reads find data and
# writes find allocated qcow2 clusters.
SPAN_MB = 256
PING_HOST = "10.0.2.2"
BALLOON_TIMEOUT = 60
# UDP between two guests of a kind on a socket network (their second
# NIC): the receiver's address first.  Small datagrams, so the figure is
# packets per second through the drivers, not bytes through memcpy.
UDP_ADDRS = ("10.0.3.1", "10.0.3.2")
UDP_PORT = 9000
UDP_SIZE = 64
UDP_WAIT = 120
# DragonFly's random thread (kern_nrandom.c, rand_thread_loop) wakes ten
# times as often while the kernel's time_uptime is under 120 s: about 66
# wakeups a second instead of 6.7, each about a million instructions
# under TCG: 39 % of what a guest executed over 2000 echoes, 64 % of a
# UDP receive.  A DragonFly guest is ready at some 55 s of uptime, but
# most boots with DragonFly's own drivers (none with ours) step the
# clock by about 4e9 s at boot, so without a wait the bench compared a
# kernel in that phase with one past it; the same thread took from 9000
# to 800000 instructions per MiB of 1 MiB sequential I/O.  Every figure
# of a DragonFly guest waits for this uptime (README, "The network gap").
DFLY_SETTLED_UPTIME = 125

# (guest, profile, Config.options)
GUESTS = (("dfly-ours", "dragonfly", {"drivers": "ours"}),
          ("dfly-own", "dragonfly", {"drivers": "dragonfly"}),
          ("linux", "linux", {}),
          ("mini", "mini", {}))
# (metric, op, size, qd): blkbench's modes.
BLK_METRICS = (("rand-read-4k-qd1", "randread", 4096, 1),
               ("rand-write-4k-qd1", "randwrite", 4096, 1),
               ("rand-read-4k-qd16", "randread", 4096, 16),
               ("rand-write-4k-qd16", "randwrite", 4096, 16),
               ("seq-read-1m", "read", 1 << 20, 4),
               ("seq-write-1m", "write", 1 << 20, 4))
# metric: (unit, more is better)
UNITS = {"boot": ("s", False), "ping-median": ("us", False),
         "ping-p99": ("us", False), "udp-rx": ("pps", True),
         "udp-loss": ("%", False), "udp-fullsock": ("dgram", False),
         "balloon-shrink": ("s", False),
         "balloon-grow": ("s", False)}
# The same blk figures on QEMU's null-co backend (--null): the device
# side costs next to nothing, so the guest's own cost shows.
NULL_SUFFIX = "/null"
for _name, _op, _size, _qd in BLK_METRICS:
    UNITS[_name] = ("IOPS", True) if _size == 4096 else ("MB/s", True)
for _name, _op, _size, _qd in BLK_METRICS:
    UNITS[_name + NULL_SUFFIX] = UNITS[_name]

BLKBENCH_RE = re.compile(r"blkbench \w+: size (\d+) qd (\d+) requests (\d+)"
                         r" elapsed_us (\d+)")
MINI_BENCH_RE = re.compile(r"blk bench (\w+): requests (\d+) qd (\d+) "
                           r"kicks (\d+) interrupts (\d+) elapsed_us (\d+)")
PINGSTAT_RE = re.compile(r"pingstat: (\d+)/(\d+) replies min_us (\d+) "
                         r"median_us (\d+) p99_us (\d+)")
UDPSEND_RE = re.compile(r"udpsend: sent (\d+) size \d+ elapsed_us (\d+)")
UDPRECV_RE = re.compile(r"udprecv: received (\d+) elapsed_us (\d+)")
# The init's sysctl prints an opaque value's size and 64-bit words.
SYSCTL_WORDS_RE = re.compile(r": \(\d+ bytes\)((?: \d+)+)")
# net.inet.udp.stats: struct udpstat, u_long counters.
UDPS_FULLSOCK = 7
# Why a guest kind has no UDP figure.
UDP_UNSUPPORTED = {
    "mini": "its net stack (images/mini/net.c) speaks ARP and ICMP on one "
            "NIC with a fixed address; UDP would need a second device "
            "instance and new protocol code"}


def quiet(msg):
    pass


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, len(values) * p // 100)]


class Guest:
    """One booted guest and how to make it do the benchmark's work.
    The subclasses speak each guest's shell."""

    def __init__(self, name, machine, con):
        self.name = name
        self.m = machine
        self.con = con

    def blk(self, op, size, qd, count):
        """(requests, elapsed seconds) of one blkbench run."""
        text = self.con.command(self.blk_command(op, size, qd, count),
                                timeout=600)
        got = BLKBENCH_RE.search(text)
        if not got:
            raise HarnessError("%s: %s" % (self.name, text.strip()))
        return int(got.group(3)), int(got.group(4)) / 1e6

    def prefill(self):
        self.blk("write", 1 << 20, 4, SPAN_MB)

    def ping(self, count):
        """The round trips in microseconds: (median, p99)."""
        raise NotImplementedError

    # The guest's commands: ping PEER a few times, receive on PORT for
    # SECONDS, send to ADDR PORT COUNT datagrams of SIZE bytes.
    UDP_WARM = UDP_RECV = UDP_SEND = None

    def settle(self, wait=True):
        """The guest's uptime in seconds, None if it cannot say; with
        WAIT, once it is past DFLY_SETTLED_UPTIME, when the figures of
        two kernels compare."""
        return None

    def udp_dropped(self):
        """Datagrams the receiving stack dropped so far (full socket
        buffer), or None if the guest cannot say."""
        return None

    def udp_warm(self, peer):
        """ARP before the count: a datagram waiting for it may be dropped."""
        self.con.command(self.UDP_WARM % peer, timeout=30)

    def udp_recv_start(self, port, seconds):
        """Start the receiver; return once it listens."""
        self.con.send(self.UDP_RECV % (port, seconds))
        self.con.expect(rb"udprecv: listening")

    def udp_recv_end(self):
        """(datagrams received, seconds from the first to the last)."""
        text = self.con.expect(timeout=2 * UDP_WAIT)
        got = UDPRECV_RE.search(text)
        if not got:
            raise HarnessError("%s: %s" % (self.name, text.strip()))
        return int(got.group(1)), int(got.group(2)) / 1e6

    def udp_send(self, addr, port, count, size):
        """(datagrams sent, seconds)."""
        text = self.con.command(self.UDP_SEND % (addr, port, count, size),
                                timeout=UDP_WAIT)
        got = UDPSEND_RE.search(text)
        if not got:
            raise HarnessError("%s: %s" % (self.name, text.strip()))
        return int(got.group(1)), int(got.group(2)) / 1e6


class DragonFlyGuest(Guest):
    UDP_WARM = "ping %s 3"
    UDP_RECV = "udprecv %d %d"
    UDP_SEND = "udpsend %s %d %d %d"

    def blk_command(self, op, size, qd, count):
        return "blkbench %s %d %d %d" % (op, size, qd, count)

    def nic(self, index):
        """The name of the INDEXth NIC (in PCI order, as probe lists)."""
        nics = re.findall(r"([a-z_]+[0-9]+) net ", self.con.command("probe"))
        if len(nics) <= index:
            raise HarnessError("%s: no NIC %d in probe" % (self.name, index))
        return nics[index]

    def udp_up(self, addr):
        self.con.command("ifup %s %s/24" % (self.nic(1), addr))

    def sysctl_words(self, name):
        text = self.con.command("sysctl " + name)
        got = SYSCTL_WORDS_RE.search(text)
        if not got:
            raise HarnessError("%s: %s" % (self.name, text.strip()))
        return [int(w) for w in got.group(1).split()]

    def uptime(self):
        """Seconds since the kernel's boottime (a timespec: the real
        time at inittodr less the uptime then), by the host's clock (the
        guest's RTC is the host's UTC at boot)."""
        sec, nsec = self.sysctl_words("kern.boottime")[:2]
        if sec >= 1 << 63:
            sec -= 1 << 64
        return time.time() - (sec + nsec / 1e9)

    def settle(self, wait=True):
        up = self.uptime()
        if wait and up < DFLY_SETTLED_UPTIME:
            time.sleep(DFLY_SETTLED_UPTIME - up)
            up = self.uptime()
        return up

    def udp_dropped(self):
        return self.sysctl_words("net.inet.udp.stats")[UDPS_FULLSOCK]

    def ping(self, count):
        self.con.command("ifup %s 10.0.2.15/24" % self.nic(0))
        text = self.con.command("pingstat %s %d" % (PING_HOST, count),
                                timeout=600)
        got = PINGSTAT_RE.search(text)
        if not got:
            raise HarnessError("%s: %s" % (self.name, text.strip()))
        return int(got.group(4)), int(got.group(5))


class LinuxGuest(Guest):
    UDP_WARM = "ping -c 3 -W 5 %s"
    UDP_RECV = "udpbench recv %d %d"
    UDP_SEND = "udpbench send %s %d %d %d"

    def __init__(self, name, machine, con):
        super().__init__(name, machine, con)
        # busybox sh can print a second prompt after the one Console.of
        # saw; answers must not slip by one.
        con.send("echo BENCH-SYNC-$((6*7))")
        con.expect(rb"BENCH-SYNC-42")
        con.expect()
        out = con.command("ls /sys/bus/virtio/drivers/virtio_blk/"
                          "virtio*/block/")
        dev = re.search(r"^(vd[a-z]+)\s*$", out, re.M)
        if not dev:
            raise HarnessError("linux: no virtio disk: %s" % out.strip())
        self.dev = "/dev/" + dev.group(1)

    def blk_command(self, op, size, qd, count):
        return "blkbench %s %d %d %d %s" % (op, size, qd, count, self.dev)

    def nic(self, mac):
        """The name of the NIC with address MAC."""
        out = self.con.command("grep -l %s /sys/class/net/*/address" % mac)
        ifc = re.search(r"^/sys/class/net/(\S+)/address", out, re.M)
        if not ifc:
            raise HarnessError("linux: no NIC %s: %s" % (mac, out.strip()))
        return ifc.group(1)

    def ping(self, count):
        self.con.command("ip link set {0} up && ip addr add 10.0.2.15/24 "
                         "dev {0}".format(self.nic(GUEST_MAC)))
        text = self.con.command("ping -A -c %d -W 5 %s" % (count, PING_HOST),
                                timeout=600)
        rtts = [float(t) * 1000 for t in re.findall(r"time=([0-9.]+) ms",
                                                    text)]
        if not rtts:
            raise HarnessError("linux: ping: %s" % text.strip()[-300:])
        return statistics.median(rtts), percentile(rtts, 99)


    def udp_up(self, addr):
        side = self.m.socket_net[0]
        self.con.command("ip link set {0} up && ip addr add {1}/24 dev {0}"
                         .format(self.nic(SOCKET_MACS[side]), addr))



class MiniGuest(Guest):
    # The mini's blk bench: 4 KiB random requests only.
    def blk(self, op, size, qd, count):
        if size != 4096:
            return None
        text = self.con.command("blk bench %s %d %d"
                                % (op.replace("rand", ""), count, qd),
                                timeout=600)
        got = MINI_BENCH_RE.search(text)
        if not got:
            raise HarnessError("mini: %s" % text.strip())
        return int(got.group(2)), int(got.group(6)) / 1e6

    def prefill(self):
        pass

    def ping(self, count):
        rtts = []
        while len(rtts) < count:
            text = self.con.command("ping %s 100" % PING_HOST, timeout=120)
            got = [int(t) for t in re.findall(r"time=([0-9]+) us", text)]
            if not got:
                raise HarnessError("mini: ping: %s" % text.strip()[-300:])
            rtts += got
        return statistics.median(rtts), percentile(rtts, 99)


GUEST_CLASSES = {"dragonfly": DragonFlyGuest, "linux": LinuxGuest,
                 "mini": MiniGuest}


def boot(profile, options, args, props=None, label="bench", **kw):
    """A guest under vmlib.Machine, ready; KW: blk_backend, blk_iothread."""
    props = dict(args.props, **(props or {}))
    m = Machine(profiles.get(profile),
                Config(args.transport, "pc", props, options),
                accel=args.accel,
                disk_base=disk.scratch_base(
                    os.path.join(WORK, "disk-%s.qcow2" % DISK_SIZE),
                    DISK_SIZE),
                label=label, say=quiet, **kw)
    try:
        m.start()
        m.wait_ready()
    except BaseException:
        m.cleanup()
        raise
    return m


def balloon_seconds(m, target_mb):
    """Seconds from the balloon command to query-balloon at TARGET_MB,
    or None if the guest did not get there in BALLOON_TIMEOUT."""
    q = QMP(m.qmp_path)
    try:
        t0 = time.monotonic()
        q.command("balloon", value=target_mb << 20)
        while time.monotonic() - t0 < BALLOON_TIMEOUT:
            actual = q.command("query-balloon")["actual"] >> 20
            if abs(actual - target_mb) <= 1:
                return time.monotonic() - t0
            # QEMU rate-limits BALLOON_CHANGE to one a second, so poll;
            # at 10 ms a poll was a sixth of the figure being measured.
            time.sleep(0.001)
        return None
    finally:
        q.close()


def measure_blk(g, args, res, suffix=""):
    """The blk figures of guest G into RES, each the median of runs."""
    for metric, op, size, qd in BLK_METRICS:
        count = args.seq_count if size > 4096 else \
            args.count * (4 if qd > 1 else 1)
        runs = []
        for _ in range(args.repeat):
            got = g.blk(op, size, qd, count)
            if got is None:
                break
            reqs, secs = got
            runs.append(reqs / secs if size == 4096
                        else reqs * size / secs / 1e6)
        if runs:
            res[metric + suffix] = statistics.median(runs)


def measure_null(name, profile, options, args, res):
    m = boot(profile, options, args, label="bench-null-" + name,
             blk_backend="null-co")
    try:
        con = Console.of(m, timeout=120)
        g = GUEST_CLASSES[profile](name, m, con)
        res["null-uptime"] = g.settle(args.settle)
        measure_blk(g, args, res, NULL_SUFFIX)
        con.close()
    finally:
        m.cleanup()


def measure_udp(name, profile, options, args, res):
    """Datagrams per second that a guest receives from another of its
    kind on a socket network, and the share of those sent it lost."""
    rx = boot(profile, options, args, label="bench-udp-rx-" + name,
              socket_net=("listen", None))
    tx = None
    try:
        tx = boot(profile, options, args, label="bench-udp-tx-" + name,
                  socket_net=("connect", rx.socket_net_port))
        grx = GUEST_CLASSES[profile](name, rx, Console.of(rx, timeout=120))
        gtx = GUEST_CLASSES[profile](name, tx, Console.of(tx, timeout=120))
        grx.udp_up(UDP_ADDRS[0])
        gtx.udp_up(UDP_ADDRS[1])
        # The sender was booted last: its wait covers the receiver's.
        res["udp-uptime"] = [g.settle(args.settle)
                             for g in (gtx, grx)][::-1]
        gtx.udp_warm(UDP_ADDRS[0])
        dropped = grx.udp_dropped()
        grx.udp_recv_start(UDP_PORT, UDP_WAIT)
        sent, _ = gtx.udp_send(UDP_ADDRS[0], UDP_PORT, args.udp_count,
                               UDP_SIZE)
        got, secs = grx.udp_recv_end()
        res["udp-rx"] = (got - 1) / secs if secs > 0 else None
        res["udp-loss"] = 100.0 * (sent - got) / sent
        if dropped is not None:
            # Where the lost ones went: the receiving socket was full.
            res["udp-fullsock"] = grx.udp_dropped() - dropped
        grx.con.close()
        gtx.con.close()
    finally:
        if tx is not None:
            tx.cleanup()
        rx.cleanup()


def measure_guest(name, profile, options, args):
    """{metric: value} for one guest; a metric the guest cannot do is
    left out."""
    m = boot(profile, options, args, label="bench-" + name)
    res = {"boot": m.boot_seconds}
    try:
        con = Console.of(m, timeout=120)
        g = GUEST_CLASSES[profile](name, m, con)
        res["blk-uptime"] = g.settle(args.settle)
        g.prefill()
        measure_blk(g, args, res)
        res["ping-uptime"] = g.settle(args.settle)
        res["ping-median"], res["ping-p99"] = g.ping(args.pings)
        full = profiles.get(profile).memory_mb
        res["balloon-shrink"] = balloon_seconds(m, full - full // 4)
        res["balloon-grow"] = balloon_seconds(m, full)
        con.close()
    finally:
        m.cleanup()
    if args.null:
        measure_null(name, profile, options, args, res)
    if args.udp and name not in UDP_UNSUPPORTED:
        measure_udp(name, profile, options, args, res)
    return res


TRACE_EVENTS = ("virtio_queue_notify", "virtio_notify", "virtio_notify_irqfd",
                "virtio_blk_req_complete")
TRACE_RE = re.compile(r"^(virtio_\w+) vdev (0x[0-9a-f]+)", re.M)


def trace_counts(text):
    """(requests, kicks, interrupts) of the virtio-blk device in QEMU's
    trace lines TEXT: the device is the vdev that completes requests."""
    lines = TRACE_RE.findall(text)
    blk = {v for e, v in lines if e == "virtio_blk_req_complete"}
    count = {e: sum(1 for e2, v in lines if e2 == e and v in blk)
             for e in TRACE_EVENTS}
    return (count["virtio_blk_req_complete"], count["virtio_queue_notify"],
            count["virtio_notify"] + count["virtio_notify_irqfd"])


def notify_guest(name, profile, options, event_idx, args):
    """Kicks and interrupts per 1000 4 KiB requests at QD 16, counted by
    QEMU's trace events, the device in an iothread on null-co."""
    m = boot(profile, options, args, {"event_idx": event_idx},
             "bench-notify-" + name, blk_backend="null-co",
             blk_iothread=True)
    rows = []
    try:
        con = Console.of(m, timeout=120)
        g = GUEST_CLASSES[profile](name, m, con)
        q = QMP(m.qmp_path)
        for ev in TRACE_EVENTS:
            q.command("human-monitor-command",
                      **{"command-line": "trace-event %s on" % ev})
        for op in ("randwrite", "randread"):
            # The window: from just before the run to its answer.  QEMU
            # writes a request's trace lines before the interrupt that
            # tells the guest it is done, so by the answer all are in.
            mark = os.path.getsize(m.run.file("qemu.stderr"))
            measured, _ = g.blk(op, 4096, 16, args.count)
            with open(m.run.file("qemu.stderr")) as f:
                f.seek(mark)
                reqs, kicks, intrs = trace_counts(f.read())
            if reqs < measured:
                raise HarnessError("%s: %d requests traced, %d made"
                                   % (name, reqs, measured))
            rows.append({"guest": name, "op": op, "event_idx": event_idx,
                         "requests": reqs,
                         # Opening the disk (DragonFly reads its label).
                         "setup_requests": reqs - measured,
                         "kicks_per_1000": kicks * 1000 / max(reqs, 1),
                         "interrupts_per_1000": intrs * 1000 / max(reqs, 1)})
        q.close()
        con.close()
    finally:
        m.cleanup()
    return rows


def notify_rows(args, wanted):
    """notify_guest() for every guest, event_idx on and off.  The
    iothread runs the device concurrently with the guest, so event
    index suppression has something to suppress."""
    rows = []
    for name, profile, options in GUESTS:
        if name not in wanted or profiles.get(profile).unavailable():
            continue
        for event_idx in ("on", "off"):
            rows += notify_guest(name, profile, options, event_idx, args)
    return rows


def qemu_version():
    out = subprocess.run(["qemu-system-x86_64", "--version"],
                         stdout=subprocess.PIPE, text=True).stdout
    return out.splitlines()[0] if out else "unknown"


def fmt(v):
    if v is None:
        return "-"
    return "%.0f" % v if v >= 100 else "%.3g" % v


def ratio(run, metric, other):
    """ours / OTHER, oriented so that > 1 means ours is better."""
    a = run["results"].get("dfly-ours", {}).get(metric)
    b = run["results"].get(other, {}).get(metric)
    if not a or not b:
        return None
    return a / b if UNITS[metric][1] else b / a


def table(run):
    names = [g for g, _, _ in GUESTS if g in run["results"]]
    lines = ["make bench: accel %s, %s, %s devices, %s" % (
                 run["accel"], run["qemu"], run.get("transport", "?"),
                 run["stamp"]),
             "%-24s %-5s" % ("metric", "unit")
             + "".join("%11s" % n for n in names)
             + "%11s%11s" % ("ours/own", "ours/linux")]
    for metric, (unit, _) in UNITS.items():
        if all(run["results"][n].get(metric) is None for n in names):
            continue
        row = "%-24s %-5s" % (metric, unit)
        row += "".join("%11s" % fmt(run["results"][n].get(metric))
                       for n in names)
        row += "".join("%11s" % fmt(ratio(run, metric, o))
                       for o in ("dfly-own", "linux"))
        lines.append(row)
    lines.append("ratios: > 1 means ours is better (faster, or shorter); "
                 "blk on a qcow2 overlay, %s on null-co." % NULL_SUFFIX)
    lines.append("udp: %d-byte datagrams between two guests of a kind on a "
                 "QEMU socket network; udp-rx is the receiver's rate." %
                 UDP_SIZE)
    for n in names:
        if n in UDP_UNSUPPORTED and "udp-rx" not in run["results"][n]:
            lines.append("udp: %s skipped: %s" % (n, UDP_UNSUPPORTED[n]))
    if run.get("notify"):
        lines.append("virtio-blk in an iothread (no polling) on null-co, 4 KiB "
                     "at QD 16, per 1000 requests (QEMU trace events):")
        for r in run["notify"]:
            lines.append("  %-10s %-10s event_idx=%-3s kicks %6.1f "
                         "interrupts %6.1f"
                         % (r["guest"], r["op"], r["event_idx"],
                            r["kicks_per_1000"], r["interrupts_per_1000"]))
    return "\n".join(lines)


def chart(run, path):
    """A bar chart of the ratios, or why not."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import matplotlib.ticker
    except ImportError:
        return "no chart: install python3-matplotlib (make deps)"
    metrics = list(UNITS)
    fig, ax = plt.subplots(figsize=(10, 4.5))
    width = 0.4
    for i, other in enumerate(("dfly-own", "linux")):
        vals = [ratio(run, mt, other) or float("nan") for mt in metrics]
        ax.bar([x + (i - 0.5) * width for x in range(len(metrics))], vals,
               width, label="ours / %s" % other)
    ax.axhline(1.0, color="black", linewidth=0.8)
    # Ratios of 0.5 and 2 are the same distance from 1.
    ax.set_yscale("log")
    plain = matplotlib.ticker.FormatStrFormatter("%.2g")
    ax.yaxis.set_major_formatter(plain)
    ax.yaxis.set_minor_formatter(plain)
    ax.set_xticks(range(len(metrics)))
    ax.set_xticklabels(metrics, rotation=35, ha="right", fontsize=8)
    ax.set_ylabel("ratio (> 1: ours better)")
    ax.set_title("dfly-virtio: ours vs DragonFly's own and Linux "
                 "(accel %s, %s)" % (run["accel"], run["stamp"]))
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return "chart: " + path


def compare(a_path, b_path):
    with open(a_path) as f:
        a = json.load(f)
    with open(b_path) as f:
        b = json.load(f)
    print("A: %s (%s)\nB: %s (%s)" % (a_path, a["stamp"], b_path,
                                      b["stamp"]))
    print("%-11s %-24s %11s %11s %8s" % ("guest", "metric", "A", "B",
                                         "B/A"))
    for g, _, _ in GUESTS:
        for metric in UNITS:
            va = a["results"].get(g, {}).get(metric)
            vb = b["results"].get(g, {}).get(metric)
            if va is None and vb is None:
                continue
            r = "%.2f" % (vb / va) if va and vb else "-"
            print("%-11s %-24s %11s %11s %8s" % (g, metric, fmt(va),
                                                 fmt(vb), r))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--accel", default="tcg", choices=("tcg", "kvm", "auto"))
    ap.add_argument("--transport", default="transitional",
                    choices=("transitional", "legacy", "modern"),
                    help="of every virtio device (DragonFly's own drives "
                    "legacy and transitional devices only)")
    ap.add_argument("--prop", dest="props", action="append", default=[],
                    metavar="NAME=VALUE",
                    help="a property of every virtio device, e.g. "
                    "indirect_desc=off (repeatable)")
    ap.add_argument("--guests", default=",".join(g for g, _, _ in GUESTS),
                    help="comma-separated subset of the guests")
    ap.add_argument("--count", type=int, default=1000,
                    help="4 KiB requests per run at QD 1 (x4 at QD 16)")
    ap.add_argument("--seq-count", type=int, default=64,
                    help="1 MiB requests per sequential run")
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs per blk figure (the median is shown)")
    ap.add_argument("--pings", type=int, default=1000)
    ap.add_argument("--udp-count", type=int, default=100000,
                    help="datagrams the UDP sender sends")
    ap.add_argument("--no-udp", dest="udp", action="store_false",
                    help="skip the UDP figures (two guests at once)")
    ap.add_argument("--quick", action="store_true",
                    help="fewer requests and echoes: a smoke run")
    ap.add_argument("--no-null", dest="null", action="store_false",
                    help="skip the blk figures on the null-co backend")
    ap.add_argument("--no-notify", dest="notify", action="store_false",
                    help="skip the kicks/interrupts rows")
    ap.add_argument("--no-settle", dest="settle", action="store_false",
                    help="measure as soon as a DragonFly guest "
                    "is up, before its uptime reaches %d s (see "
                    "DFLY_SETTLED_UPTIME)" % DFLY_SETTLED_UPTIME)
    ap.add_argument("--compare", nargs=2, metavar="JSON",
                    help="print two runs' JSON side by side and stop")
    args = ap.parse_args()
    if args.compare:
        compare(*args.compare)
        return
    try:
        args.props = dict(p.split("=", 1) for p in args.props)
    except ValueError:
        ap.error("--prop takes NAME=VALUE")
    if args.quick:
        args.count, args.seq_count, args.repeat, args.pings = 200, 16, 1, 200
        args.udp_count = 20000
    wanted = args.guests.split(",")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    run = {"stamp": stamp, "accel": args.accel, "qemu": qemu_version(),
           "transport": args.transport, "props": args.props,
           "args": vars(args), "results": {},
           "skipped": {}, "errors": {}}
    t0 = time.monotonic()
    try:
        for name, profile, options in GUESTS:
            if name not in wanted:
                continue
            why = profiles.get(profile).unavailable()
            if why:
                run["skipped"][name] = why
                print("bench: %s skipped: %s" % (name, why), flush=True)
                continue
            print("bench: %s ..." % name, flush=True)
            try:
                run["results"][name] = measure_guest(name, profile,
                                                     options, args)
            except HarnessError as e:
                # One guest's failure leaves the others' figures.
                run["errors"][name] = str(e)
                print("bench: %s failed: %s" % (name, e), flush=True)
        if args.notify:
            run["notify"] = notify_rows(args, wanted)
    except HarnessError as e:
        run["errors"]["notify"] = str(e)
        print("bench: notify rows failed: %s" % e, flush=True)
    run["wall_seconds"] = time.monotonic() - t0
    os.makedirs(WORK, exist_ok=True)
    base = os.path.join(WORK, "bench-%s" % stamp)
    with open(base + ".json", "w") as f:
        json.dump(run, f, indent=1, sort_keys=True)
        f.write("\n")
    print(table(run))
    print("json: %s.json" % base)
    print(chart(run, base + ".png"))
    print("bench: %.0f s" % run["wall_seconds"])


if __name__ == "__main__":
    main()
