# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""The DragonFly kernel guest: a DragonFly kernel built here from
DragonFly's source (images/dragonfly/kernel), our four modules loaded the
way DragonFly's loader loads them, and our own init (images/dragonfly/init)
as the whole userland.  `make dragonfly-guest` builds what it boots.

GRUB's kfreebsd loader does the booting, from a small ISO made per boot:
it hands the kernel its environment (serial console, root, tunables),
preloads the modules (`kfreebsd_module_elf`, as loader(8) would from
loader.conf) and the md root image.  The config decides which modules:
ours (vio_pci, vioblk, if_vioif, viomb) or, for the control row, DragonFly's
own virtio drivers from the same tree.  The kernel has no virtio driver
compiled in, so whichever set is loaded is what attaches.  Its rows are
in harness/matrix.cfg.
"""

import os
import subprocess

from vmlib import BUILD, TOP, HarnessError
from vmlib.tools import require

from .base import Profile

# DFLY_VIRTIO_DFLY_GUEST: another assembly, e.g. the coverage build's
# (mk/46-dragonfly-coverage.mk).
GUEST_DIR = os.environ.get("DFLY_VIRTIO_DFLY_GUEST") or os.path.join(
    BUILD, "dfly-guest")
# Our module files, in load order; the NIC driver vioif is if_vioif.ko,
# the name DragonFly's ifconfig autoloads for vioif0.
OUR_MODULES = ("vio_pci", "vioblk", "if_vioif", "viomb")
# DragonFly's own, in dependency order.
DRAGONFLY_MODULES = ("virtio", "virtio_pci", "virtio_blk", "if_vtnet",
                     "virtio_balloon")
# Guest options (Config.options) that are not kernel tunables.
DRIVERS_OPTION = "drivers"

NOT_BUILT = ("DragonFly kernel guest not built: run make dragonfly-guest "
             "(it needs a DragonFly source tree: DFLY_SRC=<checkout of "
             "https://github.com/DragonFlyBSD/DragonFlyBSD> or "
             "../shared/dragonfly/dragonfly-src-*.tar.xz)")

# The kernel environment every boot gets.  HPET calibration is off
# because, with this small kernel, the HPET becomes the calibration timer
# before any interrupt timer is registered and the next systimer reload
# dereferences a NULL one (cputimer_intr_reload); the i8254 path
# registers its interrupt timer first.
BASE_ENV = (("vfs.root.mountfrom", "ufs:md0s0"),
            ("hw.calibrate_timers_with_hpet", "0"))


def guest_file(*parts):
    return os.path.join(GUEST_DIR, *parts)


def modules_for(config):
    """[(name, path)] of the modules CONFIG preloads."""
    which = config.options.get(DRIVERS_OPTION, "ours")
    if which == "ours":
        return [(m, guest_file("modules", "ours", m + ".ko"))
                for m in OUR_MODULES]
    if which == "dragonfly":
        return [(m, guest_file("modules", "dragonfly", m + ".ko"))
                for m in DRAGONFLY_MODULES]
    raise HarnessError("drivers=%r: use ours or dragonfly" % which)


def grub_cfg(config):
    """The grub.cfg of one boot of CONFIG."""
    env = list(BASE_ENV)
    env += [(k, v) for k, v in sorted(config.options.items())
            if k != DRIVERS_OPTION]
    lines = ["serial --unit=0 --speed=115200",
             "terminal_input serial",
             "terminal_output serial",
             "set timeout=0",
             "menuentry dfly-virtio {",
             # -h: the serial console (RB_SERIAL).
             "  kfreebsd /kernel -h"]
    lines += ["  set kFreeBSD.%s=%s" % kv for kv in env]
    lines += ["  kfreebsd_module_elf /%s.ko" % m
              for m, _ in modules_for(config)]
    lines += ["  kfreebsd_module /root.img type=mfs_root",
              "  boot",
              "}"]
    return "\n".join(lines) + "\n"


class DragonFlyKernel(Profile):
    name = "dragonfly"
    order = 30
    ready_marker = "DFLY-VIRTIO-DRAGONFLY-READY"
    prompt = "dfly> "
    # GRUB, the kernel's probe and root mount under TCG: about 20 s idle.
    boot_timeout = 300
    memory_mb = 512
    debug_exit = True
    # DragonFly cannot send a disk a cache flush from userland, so the
    # host has QEMU flush before it reads the disk image back.
    guest_flushes_disk = False
    fatal_markers = ("db> ",)
    # The init's command that prints the coverage build's counters.
    coverage_command = "gcov"

    def unavailable(self):
        for f in ("kernel", "root.img", "grub-i386-pc/relocator.mod"):
            if not os.path.exists(guest_file(f)):
                return NOT_BUILT
        return None

    def config_unsupported(self, config):
        why = super().config_unsupported(config)
        if why:
            return why
        if config.options.get(DRIVERS_OPTION) == "dragonfly" and \
                config.transport == "modern":
            return ("DragonFly's own virtio_pci (this tree) drives legacy "
                    "and transitional devices only")
        return None

    def prepare(self):
        why = self.unavailable()
        if why:
            raise HarnessError(why)

    def cpu(self, accel):
        return None

    def boot_args(self, run, config):
        cfg = run.file("grub.cfg")
        with open(cfg, "w") as f:
            f.write(grub_cfg(config))
        iso = run.file("boot.iso")
        grafts = ["boot/grub/grub.cfg=" + cfg,
                  "kernel=" + guest_file("kernel"),
                  "root.img=" + guest_file("root.img")]
        for m, path in modules_for(config):
            if not os.path.exists(path):
                raise HarnessError("%s missing: run make dragonfly-guest"
                                   % path)
            grafts.append("%s.ko=%s" % (m, path))
        r = subprocess.run([require("grub-mkrescue"),
                            "-d", guest_file("grub-i386-pc"), "-o", iso]
                           + grafts, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            raise HarnessError("grub-mkrescue failed: %s" % r.stdout[-600:])
        return ["-drive", "file=%s,if=ide,index=2,media=cdrom,readonly=on,"
                "format=raw" % iso.replace(",", ",,"),
                "-boot", "order=d"]


PROFILE = DragonFlyKernel
