# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""The machines of the DragonFly image build, as vmlib.Machine profiles.

Only AHCI and a VGA card (the loader wants one): no virtio device at all
(test_devices off), so nothing DragonFly's own virtio drivers could claim
is present while the image is made.  The root disk is an ide-hd on AHCI
port 0 (da0 in the guest), the release CD on port 1 (cd0, which the
kernel's -C root search tries first) and the pfi CD on port 2 (cd1).
vmlib.Machine starts them like every other guest: the accelerator policy
(vmlib/accel.py), the monitors on 127.0.0.1, the serial console on a
unix socket that the expect dialogue reaches through socat.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)),
                                "harness"))

from profiles.base import Profile  # noqa: E402

# Software emulation boots DragonFly several times slower than KVM.
TCG_SLOWDOWN = 6


def timeout_scale(accel):
    return 1 if accel == "kvm" else TCG_SLOWDOWN


def _disk(path, fmt, bus, ident, cdrom=False, bootindex=None):
    drive = "if=none,id=%s,file=%s,format=%s" % (ident, path, fmt)
    if cdrom:
        drive += ",media=cdrom,readonly=on"
    else:
        drive += ",cache=unsafe" if fmt == "qcow2" else ""
    dev = "%s,drive=%s,bus=ahci.%d" % ("ide-cd" if cdrom else "ide-hd",
                                       ident, bus)
    if bootindex is not None:
        dev += ",bootindex=%d" % bootindex
    return ["-drive", drive, "-device", dev]


class ImageMachine(Profile):
    test_devices = False
    # The KVM probe (vmlib/accel.py) boots the machine to its marker.
    kvm_probe_seconds = 120

    def __init__(self, disks):
        self.disks = disks

    def boot_args(self, run, config):
        return ["-vga", "std", "-device", "ahci,id=ahci"] + self.disks


class Install(ImageMachine):
    """The release CD with the empty DISK and the pfi CD attached."""
    name = "dragonfly-install"
    # The loader menu, on COM1 (install.exp).
    ready_marker = "Booting in"
    memory_mb = 2048
    smp = 2

    def __init__(self, disk, iso, pfi_iso):
        super().__init__(_disk(disk, "qcow2", 0, "root", bootindex=1)
                         + _disk(iso, "raw", 1, "dflycd", cdrom=True,
                                 bootindex=0)
                         + _disk(pfi_iso, "raw", 2, "pficd", cdrom=True))


class FirstBoot(ImageMachine):
    """The installed image (an overlay of it) from its own disk."""
    name = "dragonfly-firstboot"
    # The kernel's banner, on the serial console of the installed image.
    ready_marker = "The DragonFly Project"
    memory_mb = 1024

    def __init__(self, disk):
        super().__init__(_disk(disk, "qcow2", 0, "root", bootindex=0))


def console_argv(machine):
    """The command an expect dialogue spawns to talk to MACHINE's serial
    console; it ends (eof) when QEMU does."""
    return ["socat", "-,raw,echo=0", "UNIX-CONNECT:%s" % machine.serial_path]
