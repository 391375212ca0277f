# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""QEMU command lines for installing and first-booting the DragonFly image.

Only AHCI and a VGA card (the loader wants one): no virtio device at all,
so nothing DragonFly's own virtio drivers could claim is present while
the image is made.  The root disk is an ide-hd on AHCI port 0 (da0 in the
guest), the release CD on port 1 (cd0, which the kernel's -C root search
tries first) and the pfi CD on port 2 (cd1).  The monitor listens on
127.0.0.1 only.
"""

import os
import shutil
import socket

QEMU = "qemu-system-x86_64"


def kvm_usable():
    """/dev/kvm exists and we may open it."""
    try:
        fd = os.open("/dev/kvm", os.O_RDWR)
    except OSError:
        return False
    os.close(fd)
    return True


def choose_accel(request="auto"):
    """(accel, why).  'auto' takes KVM when /dev/kvm opens; the DragonFly
    boot is not the Linux early boot that hangs under nested KVM on some
    hosts, and DFLY_ACCEL=tcg is there if it does."""
    if request not in ("auto", "kvm", "tcg"):
        raise ValueError("DFLY_ACCEL=%r: use auto, kvm or tcg" % (request,))
    if request == "auto":
        if kvm_usable():
            return "kvm", "auto: /dev/kvm is usable"
        return "tcg", "auto: /dev/kvm missing or not accessible"
    if request == "kvm" and not kvm_usable():
        raise ValueError("DFLY_ACCEL=kvm but /dev/kvm cannot be opened")
    return request, "asked for %s" % request


def timeout_scale(accel):
    """Software emulation boots DragonFly several times slower."""
    return 1 if accel == "kvm" else 6


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def qemu_binary():
    path = shutil.which(QEMU)
    if path is None:
        raise RuntimeError("%s not found (apt-get install qemu-system-x86)"
                           % QEMU)
    return path


def _base(accel, hmp_port, mem_mb, smp):
    argv = [QEMU, "-machine", "pc", "-accel", accel,
            "-m", str(mem_mb), "-smp", str(smp),
            "-nodefaults", "-vga", "std", "-display", "none",
            "-serial", "stdio",
            "-monitor", "tcp:127.0.0.1:%d,server=on,wait=off" % hmp_port,
            "-device", "ahci,id=ahci"]
    if accel == "kvm":
        argv += ["-cpu", "host"]
    return argv


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


def install_argv(disk, iso, pfi_iso, accel, hmp_port, mem_mb=2048, smp=2):
    """Boot the release CD with the empty DISK and the pfi CD attached."""
    return (_base(accel, hmp_port, mem_mb, smp)
            + _disk(disk, "qcow2", 0, "root", bootindex=1)
            + _disk(iso, "raw", 1, "dflycd", cdrom=True, bootindex=0)
            + _disk(pfi_iso, "raw", 2, "pficd", cdrom=True)
            + ["-no-reboot"])


def boot_argv(disk, accel, hmp_port, mem_mb=1024, smp=1):
    """Boot the installed image (an overlay of it) from its own disk."""
    return (_base(accel, hmp_port, mem_mb, smp)
            + _disk(disk, "qcow2", 0, "root", bootindex=0)
            + ["-no-reboot"])
