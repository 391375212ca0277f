# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""The dragonfly-media guest: our kernel modules in a DragonFly release.

Boots the image `make dragonfly-image` installs from release media
(images/dragonfly) through a qcow2 overlay, root disk on AHCI.  A second
CD made per run carries drivers/, the modules `make dragonfly-check` built
on the host (build/dragonfly/NAME.ko), the blk pattern and
dfly-virtio-boot.sh, which the image's rc.local runs: it builds the
modules in the guest against /usr/src/sys (or takes the host's), kldloads
vio_pci, vioblk, if_vioif and viomb, and then getty logs root in on ttyd0
and the ready marker appears.

Only modern (virtio 1.x only) devices: DragonFly's own virtio_pci is
compiled into GENERIC and probes legacy and transitional ids (PCI device
0x1000-0x103f, revision 0) only, and its bus code has no generic
hint.NAME.N.disabled, so with those devices the built-in drivers attach
before ours are loaded.  Environment: DFLY_IMAGE (a base image),
DFLY_VERSION (default: dfly_media.DEFAULT_VERSION), DFLY_CACHE
(build/dragonfly), DFLY_KO_DIR (the host's .ko files, build/dragonfly),
DFLY_MODULES (build: in the guest, prebuilt: the host's .ko only).
"""

import os
import sys

from vmlib import BUILD, TOP, HarnessError, disk, pattern

from .base import Profile
from .dragonfly import DragonFlyKernel

sys.path.insert(0, os.path.join(TOP, "images", "dragonfly"))
import dfly_pfi  # noqa: E402
from dfly_media import DEFAULT_VERSION  # noqa: E402
MODULES = ("vio_pci", "vioblk", "if_vioif", "viomb")
BOOT_SCRIPT = os.path.join(TOP, "images", "dragonfly", "guest",
                           "dfly-virtio-boot.sh")
NO_IMAGE = ("DragonFly image not found: run make dragonfly-image "
            "(needs DragonFly release media; see README)")


def cache_dir():
    return os.environ.get("DFLY_CACHE") or os.path.join(BUILD, "dragonfly")


def base_image():
    """The installed image: DFLY_IMAGE, else the recipe's output."""
    if os.environ.get("DFLY_IMAGE"):
        return os.environ["DFLY_IMAGE"]
    return os.path.join(cache_dir(), "dfly-%s-base.qcow2" % version())


def version():
    """The DragonFly release: DFLY_VERSION, else the recipe's default."""
    return os.environ.get("DFLY_VERSION") or DEFAULT_VERSION


def ko_dir():
    """Where `make dragonfly-check` leaves NAME.ko (drivers/dragonfly/
    check.sh writes to build/dragonfly whatever DFLY_CACHE says)."""
    return os.environ.get("DFLY_KO_DIR") or os.path.join(BUILD, "dragonfly")


def module_mode():
    mode = os.environ.get("DFLY_MODULES") or "build"
    if mode not in ("build", "prebuilt"):
        raise HarnessError("DFLY_MODULES=%r: use build or prebuilt" % mode)
    return mode


def drivers_cd_files(blk_params, mode, ko_dir):
    """What the drivers CD carries (dfly_pfi.build_cd's dict)."""
    seed, lba, count = blk_params
    files = {
        "dfly-virtio-boot.sh": ("copy", BOOT_SCRIPT),
        "drivers": ("copy", os.path.join(TOP, "drivers")),
        "pattern.bin": pattern.pattern(seed, lba, count),
        "pattern.params": "%d %d %d\n" % (seed, lba, count),
        "mode": mode + "\n",
    }
    for m in MODULES:
        ko = os.path.join(ko_dir, m + ".ko")
        if os.path.isfile(ko):
            files["ko/%s.ko" % m] = ("copy", ko)
    return files


class DragonFlyMedia(Profile):
    name = "dragonfly-media"
    order = 90
    # The kernel guest's marker: both are DragonFly with our modules.
    ready_marker = DragonFlyKernel.ready_marker
    prompt = "dfly# "
    # Loader, kernel, rc and building four modules, under TCG.
    boot_timeout = 1200
    memory_mb = 1024
    # Every DragonFly command is slower than busybox's under TCG.
    timeout_scale = 5.0
    # Reaching the marker includes building four modules: a KVM boot
    # needs more than the default probe time (see vmlib/accel.py).
    kvm_probe_seconds = 300

    def facts(self):
        return dict(super().facts(), version=version(),
                    modules=" ".join(MODULES))

    def unavailable(self):
        if not os.path.isfile(base_image()):
            return NO_IMAGE
        return None

    def prepare(self):
        if self.unavailable():
            raise HarnessError(NO_IMAGE)
        mode = module_mode()
        if mode == "prebuilt":
            missing = [m for m in MODULES if not os.path.isfile(
                os.path.join(ko_dir(), m + ".ko"))]
            if missing:
                raise HarnessError(
                    "DFLY_MODULES=prebuilt but %s not built: run make "
                    "dragonfly-check DFLY_SYS=<DragonFly %s sys/>"
                    % (", ".join(m + ".ko" for m in missing), version()))

    def boot_args(self, run, config):
        root = disk.overlay(base_image(), run.file("root.qcow2"))
        cd = run.file("drivers.iso")
        try:
            dfly_pfi.build_cd(cd, drivers_cd_files(self.blk_params,
                                                   module_mode(),
                                                   ko_dir()),
                              "DFLYDRV")
        except RuntimeError as e:
            raise HarnessError("drivers CD: %s" % e)
        return ["-vga", "std",
                "-device", "ahci,id=ahci",
                "-drive", "if=none,id=root,file=%s,format=qcow2" % root,
                "-device", "ide-hd,drive=root,bus=ahci.0,bootindex=0",
                "-drive", "if=none,id=drvcd,file=%s,format=raw,"
                "media=cdrom,readonly=on" % cd,
                "-device", "ide-cd,drive=drvcd,bus=ahci.1"]

    def config_unsupported(self, config):
        why = super().config_unsupported(config)
        if why:
            return why
        if config.transport != "modern":
            return ("DragonFly's built-in virtio_pci claims %s virtio "
                    "devices at boot; the dragonfly guest runs with "
                    "--transport modern only" % config.transport)
        return None


PROFILE = DragonFlyMedia
