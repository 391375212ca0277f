# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""The DragonFly kernel guest through what the four checks never reach
(the coverage report of mk/46-dragonfly-coverage.mk lists it): every
module unloaded, the bus last, and loaded again working; a disk grown
under its driver (a configuration change interrupt); the VLAN filter and
the counters vioif keeps in sysctls; the link going down and up (QMP
set_link: a configuration change) and the media ioctls; receiving
without mergeable rx buffers (big mode)."""

import pytest

from conftest import check
# The DragonFly tests' skip rule and probe parsing, shared.
from test_dragonfly import _skip_reason, probe_lines

from profiles.base import Config
from profiles.dragonfly import DragonFlyKernel
from vmlib import pattern
from vmlib.qmp import QMP
from vmlib.serial import Console

MODULES = "/boot/modules"
# Children before the bus they depend on (MODULE_DEPEND on vio_pci).
UNLOAD_ORDER = ("viomb", "if_vioif", "vioblk", "vio_pci")


class WithoutMergeableRx(DragonFlyKernel):
    """virtio-net without VIRTIO_NET_F_MRG_RXBUF: vioif posts chains of
    clusters (big mode) and cuts each frame's chain to its length."""

    def boot_args(self, run, config):
        return super().boot_args(run, config) + [
            "-global", "virtio-net-pci.mrg_rxbuf=off"]


pytestmark = pytest.mark.skipif(_skip_reason() is not None,
                                reason=str(_skip_reason()))


@pytest.fixture(scope="module")
def guest(boot_guest):
    # vioif's VLAN filter is a tunable; on, it adds the vlan sysctls.
    return boot_guest("dragonfly", Config("transitional", "pc", options={
        "hw.vioif.vlan_filter": "1"}), "dragonfly-lifecycle")


@pytest.fixture
def sh(guest):
    with Console.of(guest, timeout=180) as con:
        yield con


def blk_round_trip(sh, seed):
    args = "%d 16 %d" % (pattern.DEFAULT_LBA, seed)
    for op in ("write", "read"):
        out = sh.command("blk %s %s" % (op, args))
        assert "blk %s: 16 sectors" % op in out and "ok" in out, out


def test_vlan_filter_and_vioif_counters(sh):
    out = sh.command("sysctl dev.vioif.0.vlan_add=5")
    assert "set to 5" in out, out
    out = sh.command("sysctl dev.vioif.0.vlan_del=5")
    assert "set to 5" in out, out
    out = sh.command("sysctl dev.vioif.0.rx_dropped")
    assert "dev.vioif.0.rx_dropped: " in out, out
    assert "ifup: vioif0" in sh.command("ifup vioif0 10.0.2.15/24")
    out = sh.command("ping 10.0.2.2 3")
    assert "ping: 3/3 replies" in out, out


def link_after(sh, state):
    """The link state vioif reports once it is STATE: the configuration
    interrupt is asynchronous, so ask a few times."""
    for _ in range(20):
        out = sh.command("ifmedia vioif0")
        if "link %s" % state in out:
            return out
    return out


def set_link(qmp, up):
    # QMP's set_link takes `name', which QMP.command() keeps for itself.
    qmp.command("human-monitor-command", **{
        "command-line": "set_link vnet0dev %s" % ("on" if up else "off")})


def test_link_down_and_up(guest, sh):
    out = sh.command("ifmedia vioif0 auto")
    assert "ifmedia: vioif0 link up" in out, out
    qmp = QMP(guest.qmp_path)
    try:
        set_link(qmp, False)
        out = link_after(sh, "down")
        assert "link down" in out, out
        set_link(qmp, True)
        out = link_after(sh, "up")
        assert "link up" in out, out
    finally:
        qmp.close()
    assert "ifup: vioif0" in sh.command("ifup vioif0 10.0.2.15/24")
    out = sh.command("ping 10.0.2.2 3")
    assert "ping: 3/3 replies" in out, out


def test_a_grown_disk_keeps_working(guest, sh):
    """QEMU tells the driver through a configuration change interrupt;
    the disk goes on reading and writing."""
    blk_round_trip(sh, pattern.DEFAULT_SEED)
    qmp = QMP(guest.qmp_path)
    try:
        qmp.command("block_resize", device="vblk0", size=128 << 20)
    finally:
        qmp.close()
    blk_round_trip(sh, pattern.DEFAULT_SEED + 1)
    out = sh.command("blk info")
    assert "blk: /dev/" in out and "error" not in out, out


def test_every_module_unloads_and_comes_back(sh):
    for mod in UNLOAD_ORDER:
        out = sh.command("kldunload %s" % mod)
        assert "kldunload: %s unloaded" % mod in out, out
    assert probe_lines(sh) == []
    for mod in reversed(UNLOAD_ORDER):
        out = sh.command("kldload %s/%s.ko" % (MODULES, mod))
        assert "loaded as id" in out, out
    lines = probe_lines(sh)
    assert len(lines) == 3, lines
    blk_round_trip(sh, pattern.DEFAULT_SEED + 2)
    assert "ifup: vioif0" in sh.command("ifup vioif0 10.0.2.15/24")
    out = sh.command("ping 10.0.2.2 3")
    assert "ping: 3/3 replies" in out, out


def test_ping_without_mergeable_rx_buffers(boot_guest):
    m = boot_guest(WithoutMergeableRx(), Config("transitional", "q35"),
                   "dragonfly-big-rx")
    with Console.of(m, timeout=120) as con:
        net = [ln for ln in con.command("probe").splitlines()
               if ln.startswith("vioif0 net ")]
    assert net and " ok on " in net[0], net
    check(m, "ping")
