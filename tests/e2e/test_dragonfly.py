# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""What the DragonFly kernel guest shows beyond the four shared checks:
our modules unloaded and loaded again while they work (kldunload of vioif
during a ping, of vioblk during reads), two virtio disks at once, a
read-only disk, INTx when MSI-X is turned off, and the control row
really running DragonFly's own drivers."""

import os

import pytest

# conftest puts harness/ on sys.path.
from conftest import Shell, check

import profiles
from profiles.base import Config
from profiles.dragonfly import DragonFlyKernel
from vmlib import disk, pattern

PROMPT = DragonFlyKernel.prompt
MODULES = "/boot/modules"


def _skip_reason():
    if "dragonfly" not in os.environ.get("DFLY_VIRTIO_GUESTS",
                                         "dragonfly").split(","):
        return "dragonfly not in DFLY_VIRTIO_GUESTS"
    return profiles.get("dragonfly").unavailable()


pytestmark = pytest.mark.skipif(_skip_reason() is not None,
                                reason=str(_skip_reason()))


def probe_lines(sh):
    return [ln for ln in sh.run("probe").splitlines() if " ok on " in ln]


def assert_alive(sh):
    """The kernel still runs commands (and is not sitting in DDB)."""
    out = sh.run("sysctl kern.osrelease")
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
    s = Shell(guest.serial_path, PROMPT, timeout=120)
    yield s
    s.close()


def test_kldunload_vioif_during_ping(sh):
    """vioif goes away under a running ping and comes back working."""
    assert "ifup: vioif0 10.0.2.15/24 up" in sh.run(
        "ifup vioif0 10.0.2.15/24")
    out = sh.run("bg ping 10.0.2.2 50")
    assert "bg: started pid" in out, out
    sh.read_until("ping: seq 3 reply")
    out = sh.run("kldunload vioif")
    assert "kldunload: vioif unloaded" in out, out
    assert not [ln for ln in probe_lines(sh) if " net " in ln]
    # The ping outlives its interface: its later echoes fail or go
    # unanswered, and it ends reporting fewer than 50 replies.
    ended = sh.read_until("ping: ")
    ended += sh.read_until("replies")
    assert "/50 replies" in ended and "50/50" not in ended, ended
    assert_alive(sh)
    out = sh.run("kldload %s/vioif.ko" % MODULES)
    assert "kldload: " in out and "loaded as id" in out, out
    assert [ln for ln in probe_lines(sh) if ln.startswith("vioif0 net ")]
    sh.run("ifup vioif0 10.0.2.15/24")
    out = sh.run("ping 10.0.2.2 3")
    assert "ping: 3/3 replies" in out, out


def test_kldunload_vioblk_during_reads(sh):
    """vioblk unloaded while a reader loops on its disk: the kernel
    survives, and the disk is back and intact after kldload."""
    seed, lba, count = pattern.DEFAULT_SEED, 4096, 128
    args = "%d %d %d" % (lba, count, seed)
    assert "ok" in sh.run("blk write %s" % args)
    out = sh.run("bg repeat 100000 blk read %s" % args)
    assert "bg: started pid" in out, out
    sh.read_until("blk read: ")
    out = sh.run("kldunload vioblk")
    unloaded = "kldunload: vioblk unloaded" in out
    assert unloaded or "EBUSY" in out, out
    if unloaded:
        # The reader loses its disk: its next read fails.
        failed = sh.read_until("repeat: run ")
        assert "error: blk read" in failed or "mismatch" not in failed, \
            failed
        assert_alive(sh)
        out = sh.run("kldload %s/vioblk.ko" % MODULES)
        assert "loaded as id" in out, out
    assert_alive(sh)
    out = sh.run("blk read %s" % args)
    assert "blk read: %d sectors at LBA %d ok" % (count, lba) in out, out


def test_intx_when_msix_is_off(boot_guest):
    m = boot_guest("dragonfly", Config("modern", "q35", options={
        "hw.vio.pci.disable_msix": "1"}), "dragonfly-intx")
    sh = Shell(m.serial_path, PROMPT, timeout=120)
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
    sh = Shell(m.serial_path, PROMPT, timeout=120)
    try:
        names = sorted(ln.split()[0] for ln in probe_lines(sh))
        kld = sh.run("kldstat")
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
    sh = Shell(m.serial_path, PROMPT, timeout=120)
    try:
        disks = [ln.split()[0] for ln in probe_lines(sh) if " blk " in ln]
        assert disks == ["vioblk0", "vioblk1", "vioblk2"], disks
        args = "%d %d" % (lba, count)
        # Two writable disks, each with its own data.
        for dev, s in (("vioblk0", seed), ("vioblk1", seed + 7)):
            out = sh.run("blk write %s %d %s" % (args, s, dev))
            assert "blk write: %d sectors at LBA %d ok" % (count, lba) \
                in out, out
        for dev, s in (("vioblk0", seed), ("vioblk1", seed + 7)):
            out = sh.run("blk read %s %d %s" % (args, s, dev))
            assert "blk read: %d sectors at LBA %d ok" % (count, lba) \
                in out, out
        # The read-only disk reads what the host put there ...
        out = sh.run("blk read %s %d vioblk2" % (args, seed))
        assert "blk read: %d sectors at LBA %d ok" % (count, lba) in out, \
            out
        # ... and refuses writes with an error, not a hang or a panic.
        out = sh.run("blk write %s %d vioblk2" % (args, seed + 1))
        assert out.count("error: blk write") == 1, out
        out = sh.run("blk read %s %d vioblk2" % (args, seed))
        assert "ok" in out, out
    finally:
        sh.close()
    # The base of the read-only disk is as the host made it.
    with open(ro, "rb") as f:
        f.seek(lba * 512)
        assert f.read(count * 512) == pattern.pattern(seed, lba, count)
