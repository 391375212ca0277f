# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""Disk images: scratch bases, per-run qcow2 overlays, reading sectors back.

Guests only ever write to an overlay made here; the base stays as it was,
so a run cannot spoil the next one.
"""

import json
import os
import subprocess

from . import HarnessError
from .tools import require


def _qemu_img(*args):
    argv = [require("qemu-img")] + list(args)
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    if r.returncode != 0:
        raise HarnessError("qemu-img %s failed: %s"
                           % (args[0], r.stderr.strip()))
    return r.stdout


def image_format(path):
    if not os.path.exists(path):
        raise HarnessError("disk image %s does not exist" % path)
    info = json.loads(_qemu_img("info", "-U", "--output=json", path))
    return info["format"]


def scratch_base(path, size="64M"):
    """An empty qcow2 base of SIZE at PATH, made once and then only read."""
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = path + ".tmp%d" % os.getpid()
        _qemu_img("create", "-q", "-f", "qcow2", tmp, size)
        os.replace(tmp, path)
    return path


def overlay(base, path):
    """Create a qcow2 overlay at PATH whose backing file is BASE."""
    fmt = image_format(base)
    _qemu_img("create", "-q", "-f", "qcow2", "-b", os.path.abspath(base),
              "-F", fmt, path)
    return path


def read_sectors(image, lba, count, scratch):
    """Return COUNT 512-byte sectors from LBA of IMAGE as the guest sees
    them (through the backing chain).  -U: the guest may still run."""
    _qemu_img("convert", "-U", "-O", "raw", image, scratch)
    try:
        with open(scratch, "rb") as f:
            f.seek(lba * 512)
            return f.read(count * 512)
    finally:
        os.unlink(scratch)
