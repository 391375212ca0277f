# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""The host side of the DragonFly kernel guest, without booting it: what
GRUB is told for each configuration, and the one-byte GRUB fix, which
must patch only the exact bytes it knows."""

import importlib.machinery
import importlib.util
import os
import sys

import pytest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "harness"))

from profiles import dragonfly  # noqa: E402
from profiles.base import Config  # noqa: E402
from vmlib import HarnessError  # noqa: E402


def _grub_fix():
    path = os.path.join(TOP, "images", "dragonfly", "kernel", "grub-fix")
    loader = importlib.machinery.SourceFileLoader("grub_fix", path)
    spec = importlib.util.spec_from_loader("grub_fix", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


grub_fix = _grub_fix()
TRAMPOLINE = b"\x48\xba" + bytes(range(8)) + b"\xfc\xff\x25"


def test_our_modules_are_preloaded_in_dependency_order():
    cfg = dragonfly.grub_cfg(Config("transitional", "pc"))
    loads = [ln.split()[-1] for ln in cfg.splitlines()
             if "kfreebsd_module_elf" in ln]
    # vioif's file is if_vioif.ko, the name ifconfig autoloads for vioif0.
    assert loads == ["/vio_pci.ko", "/vioblk.ko", "/if_vioif.ko",
                     "/viomb.ko"]
    assert "kfreebsd /kernel -h" in cfg
    assert "set kFreeBSD.vfs.root.mountfrom=ufs:md0s0" in cfg
    # The root image comes after the modules, as the kernel expects.
    assert cfg.index("viomb.ko") < cfg.index("type=mfs_root")


def test_the_control_row_loads_dragonflys_own_drivers_only():
    cfg = dragonfly.grub_cfg(Config("transitional", "pc",
                                    options={"drivers": "dragonfly"}))
    loads = [ln.split()[-1] for ln in cfg.splitlines()
             if "kfreebsd_module_elf" in ln]
    assert loads == ["/virtio.ko", "/virtio_pci.ko", "/virtio_blk.ko",
                     "/if_vtnet.ko", "/virtio_balloon.ko"]
    assert "drivers" not in cfg.replace("modules", "")


def test_options_other_than_drivers_are_kernel_tunables():
    cfg = dragonfly.grub_cfg(Config("modern", "q35", options={
        "hw.vio.pci.disable_msix": "1"}))
    assert "set kFreeBSD.hw.vio.pci.disable_msix=1" in cfg


def test_an_unknown_driver_set_is_refused():
    with pytest.raises(HarnessError, match="drivers='bsd'"):
        dragonfly.grub_cfg(Config(options={"drivers": "bsd"}))


def test_the_control_row_refuses_modern_only_devices():
    p = dragonfly.DragonFlyKernel()
    assert p.config_unsupported(Config("modern", "pc", options={
        "drivers": "dragonfly"}))
    assert p.config_unsupported(Config("modern", "pc")) is None


def test_grub_fix_patches_the_broken_trampoline_once():
    data = b"x" * 100 + TRAMPOLINE + b"\0\0\0\0" + b"y" * 50
    new, what = grub_fix.fix(data)
    assert new == b"x" * 100 + TRAMPOLINE + b"\4\0\0\0" + b"y" * 50
    assert "patched" in what


def test_grub_fix_leaves_a_fixed_grub_alone():
    data = b"x" * 10 + TRAMPOLINE + b"\4\0\0\0"
    new, what = grub_fix.fix(data)
    assert new == data and "as is" in what


@pytest.mark.parametrize("data,why", [
    (b"no trampoline here", "0 times"),
    (TRAMPOLINE + b"\0\0\0\0" + TRAMPOLINE + b"\0\0\0\0", "2 times"),
    (TRAMPOLINE + b"\x08\0\0\0", "neither"),
])
def test_grub_fix_refuses_what_it_does_not_know(data, why):
    with pytest.raises(ValueError, match=why):
        grub_fix.fix(data)


@pytest.mark.skipif(not os.path.exists("/usr/lib/grub/i386-pc/relocator.mod"),
                    reason="grub-pc-bin not installed")
def test_grub_fix_knows_this_hosts_grub():
    with open("/usr/lib/grub/i386-pc/relocator.mod", "rb") as f:
        new, _ = grub_fix.fix(f.read())
    grub_fix.fix(new)
