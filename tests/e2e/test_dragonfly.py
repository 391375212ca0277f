# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""What the DragonFly kernel guest shows beyond the four shared checks:
our modules unloaded and loaded again while they work (kldunload of vioif
during a ping, of vioblk during reads), two virtio disks at once, a
read-only disk, INTx when MSI-X is turned off, and the control row
really running DragonFly's own drivers."""

import os
import re
import time

import pytest

# conftest puts harness/ on sys.path.
from conftest import check, run_expect

import profiles
from profiles.base import Config
from profiles.dragonfly import DragonFlyKernel
from vmlib import disk, pattern
from vmlib.serial import Console

MODULES = "/boot/modules"


def _skip_reason():
    if "dragonfly" not in os.environ.get("DFLY_VIRTIO_GUESTS",
                                         "dragonfly").split(","):
        return "dragonfly not in DFLY_VIRTIO_GUESTS"
    return profiles.get("dragonfly").unavailable()


pytestmark = pytest.mark.skipif(_skip_reason() is not None,
                                reason=str(_skip_reason()))


def probe_lines(sh):
    return [ln for ln in sh.command("probe").splitlines() if " ok on " in ln]


def wait_for(sh, seen, text):
    """SEEN is console output already read (a background command prints
    between our commands); return it with more read until TEXT is in it."""
    if text in seen:
        return seen
    return seen + sh.expect(re.escape(text.encode()), timeout=120) + text


def assert_alive(sh):
    """The kernel still runs commands (and is not sitting in DDB)."""
    out = sh.command("sysctl kern.osrelease")
    assert "kern.osrelease: " in out, out


class WithDisks(DragonFlyKernel):
    """The guest with two more virtio disks: vioblk1 writable, vioblk2
    read-only (QEMU offers VIRTIO_BLK_F_RO) and holding the pattern."""

    def __init__(self, ro_base):
        self.ro_base = ro_base

    def boot_args(self, run, config):
        rw = disk.overlay(self.test_disk_base(), run.file("disk1.qcow2"))
        return super().boot_args(run, config) + [
            "-drive", "file=%s,if=none,id=vblk1,format=qcow2" % rw,
            "-device", "virtio-blk-pci,drive=vblk1,serial=dfly-virtio-1",
            "-drive", "file=%s,if=none,id=vblk2,format=raw,readonly=on"
            % self.ro_base,
            "-device", "virtio-blk-pci,drive=vblk2,serial=dfly-virtio-2"]


@pytest.fixture(scope="module")
def guest(boot_guest):
    return boot_guest("dragonfly", Config("transitional", "pc"),
                      "dragonfly-extras")


@pytest.fixture
def sh(guest):
    with Console.of(guest, timeout=120) as con:
        yield con


def test_kldunload_vioif_during_ping(sh):
    """vioif goes away under a running ping and comes back working."""
    assert "ifup: vioif0 10.0.2.15/24 up" in sh.command(
        "ifup vioif0 10.0.2.15/24")
    out = sh.command("bg ping 10.0.2.2 50")
    assert "bg: started pid" in out, out
    seen = wait_for(sh, out, "ping: seq 3 reply")
    out = sh.command("kldunload vioif")
    assert "kldunload: vioif unloaded" in out, out
    seen += out
    out = sh.command("probe")
    seen += out
    assert " net " not in out, out
    # The ping outlives its interface: its later echoes fail or go
    # unanswered, and it ends reporting fewer than 50 replies.
    seen = wait_for(sh, seen, " replies")
    assert "/50 replies" in seen and "50/50" not in seen, seen
    assert_alive(sh)
    out = sh.command("kldload %s/vioif.ko" % MODULES)
    assert "kldload: " in out and "loaded as id" in out, out
    assert [ln for ln in probe_lines(sh) if ln.startswith("vioif0 net ")]
    sh.command("ifup vioif0 10.0.2.15/24")
    out = sh.command("ping 10.0.2.2 3")
    assert "ping: 3/3 replies" in out, out


def test_kldunload_vioblk_during_reads(sh):
    """vioblk unloaded while a reader loops on its disk: the kernel
    survives, and the disk is back and intact after kldload."""
    seed, lba, count = pattern.DEFAULT_SEED, 4096, 128
    args = "%d %d %d" % (lba, count, seed)
    assert "ok" in sh.command("blk write %s" % args)
    out = sh.command("bg repeat 100000 blk read %s" % args)
    assert "bg: started pid" in out, out
    seen = wait_for(sh, out, "blk read: ")
    out = sh.command("kldunload vioblk")
    seen += out
    unloaded = "kldunload: vioblk unloaded" in out
    assert unloaded or "EBUSY" in out, out
    if unloaded:
        # The reader loses its disk: its next open or read fails (with
        # an error, not a wrong answer).
        seen = wait_for(sh, seen, "repeat: run ")
        assert "error: blk read" in seen and "mismatch" not in seen, seen
        assert_alive(sh)
        out = sh.command("kldload %s/vioblk.ko" % MODULES)
        assert "loaded as id" in out, out
    assert_alive(sh)
    out = sh.command("blk read %s" % args)
    assert "blk read: %d sectors at LBA %d ok" % (count, lba) in out, out


def test_intx_when_msix_is_off(boot_guest):
    m = boot_guest("dragonfly", Config("modern", "q35", options={
        "hw.vio.pci.disable_msix": "1"}), "dragonfly-intx")
    sh = Console.of(m, timeout=120)
    try:
        lines = probe_lines(sh)
    finally:
        sh.close()
    assert len(lines) == 3, lines
    for ln in lines:
        assert " modern " in ln and " intx ok on vio_pci" in ln, ln
    check(m, "blkio")
    check(m, "ping")


def test_control_row_runs_dragonflys_own_drivers(boot_guest):
    m = boot_guest("dragonfly", Config("transitional", "pc", options={
        "drivers": "dragonfly"}), "dragonfly-control")
    sh = Console.of(m, timeout=120)
    try:
        names = sorted(ln.split()[0] for ln in probe_lines(sh))
        kld = sh.command("kldstat")
    finally:
        sh.close()
    assert names == ["vtballoon0", "vtblk0", "vtnet0"], names
    assert "vio_pci.ko" not in kld and "virtio_pci.ko" in kld, kld


def test_two_disks_and_a_read_only_one(boot_guest, tmp_path):
    seed, lba, count = pattern.DEFAULT_SEED, pattern.DEFAULT_LBA, 16
    ro = tmp_path / "ro.raw"
    with open(ro, "wb") as f:
        f.truncate(16 << 20)
        f.seek(lba * 512)
        f.write(pattern.pattern(seed, lba, count))
    m = boot_guest(WithDisks(str(ro)), Config("transitional", "q35"),
                   "dragonfly-disks")
    sh = Console.of(m, timeout=120)
    try:
        disks = [ln.split()[0] for ln in probe_lines(sh) if " blk " in ln]
        assert len(disks) == 3, disks
        # Which disk is which: by the serial number QEMU gave each.
        by_serial = {}
        for dev in disks:
            out = sh.command("sysctl dev.vioblk.%s.serial" % dev[len("vioblk"):])
            by_serial[out.strip().rsplit(": ", 1)[-1]] = dev
        assert sorted(by_serial) == ["dfly-virtio-%d" % i for i in range(3)]
        main, rw, ro_dev = (by_serial["dfly-virtio-%d" % i]
                            for i in range(3))
        args = "%d %d" % (lba, count)
        # Two writable disks, each with its own data.
        for dev, s in ((main, seed), (rw, seed + 7)):
            out = sh.command("blk write %s %d %s" % (args, s, dev))
            assert "blk write: %d sectors at LBA %d ok" % (count, lba) \
                in out, out
        for dev, s in ((main, seed), (rw, seed + 7)):
            out = sh.command("blk read %s %d %s" % (args, s, dev))
            assert "blk read: %d sectors at LBA %d ok" % (count, lba) \
                in out, out
        # The read-only disk reads what the host put there ...
        out = sh.command("blk read %s %d %s" % (args, seed, ro_dev))
        assert "blk read: %d sectors at LBA %d ok" % (count, lba) in out, \
            out
        # ... and refuses writes with an error, not a hang or a panic.
        out = sh.command("blk write %s %d %s" % (args, seed + 1, ro_dev))
        assert "error: blk write: /dev/%s at LBA %d: EROFS" % (ro_dev, lba) \
            in out, out
        out = sh.command("blk read %s %d %s" % (args, seed, ro_dev))
        assert "ok" in out, out
    finally:
        sh.close()
    # The base of the read-only disk is as the host made it.
    with open(ro, "rb") as f:
        f.seek(lba * 512)
        assert f.read(count * 512) == pattern.pattern(seed, lba, count)


def test_halt_leaves_qemu_with_the_status(boot_guest):
    """halt CODE: the init writes CODE to isa-debug-exit through /dev/io;
    the harness reads it back from QEMU's exit status."""
    m = boot_guest("dragonfly", Config("transitional", "pc"),
                   "dragonfly-halt")
    sh = Console.of(m, timeout=120)
    try:
        sh.send("halt 5")
        rc = m.wait()
    finally:
        sh.close()
    assert m.profile.exit_status(rc) == 5, rc


def test_a_panic_fails_the_check_at_once_with_a_backtrace(boot_guest):
    """A kernel that stops in DDB fails the running check with the panic
    and DDB's trace, instead of a timeout much later."""
    m = boot_guest("dragonfly", Config("transitional", "pc"),
                   "dragonfly-panic")
    sh = Console.of(m, timeout=120)
    try:
        sh.send("sysctl debug.panic=1")
        sh.expect(rb"db> ", timeout=120)
    finally:
        sh.close()
    t0 = time.monotonic()
    rc, out = run_expect(m, "probe")
    took = time.monotonic() - t0
    assert rc == 1, out
    assert "kernel entered its debugger" in out, out
    # DDB's trace, run by the check, shows the way into the panic; the
    # panic message itself is in the console tail a failure shows.
    assert "sys___sysctl()" in out.split("backtrace:", 1)[1], out
    assert "panic: sysctl_debug_panic" in m.serial_tail(lines=60)
    # Without the debugger check, probe would wait out its 3 x 10 s
    # attempts at a shell prompt (lib.tcl serial_sync) and then fail with
    # "no shell prompt".
    assert "no shell prompt" not in out
    print("probe failed %.1f s after the panic" % took)
