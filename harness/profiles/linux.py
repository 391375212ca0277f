# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""The Linux reference guest: a distribution kernel whose virtio drivers
are known to work, so a failing check points at the harness, not at us."""

import os
import shutil

from vmlib import BUILD, HarnessError

from .base import Profile

OUT = os.path.join(BUILD, "linux")
FILES = ("vmlinuz", "initramfs.img")


class Linux(Profile):
    name = "linux"
    order = 20
    ready_marker = "DFLY-VIRTIO-LINUX-READY"
    prompt = "linux# "
    boot_timeout = 90
    memory_mb = 256

    def unavailable(self):
        if not self.built() and not shutil.which("apt-get"):
            return ("the Linux guest is built from Debian/Ubuntu packages "
                    "and this host has no apt-get")
        return None

    @staticmethod
    def built():
        return all(os.path.exists(os.path.join(OUT, f)) for f in FILES)

    def prepare(self):
        # make builds it before any test starts (mk/50-harness.mk).
        if not self.built():
            raise HarnessError("the Linux guest is not built in %s: run "
                               "make linux-image" % OUT)

    def boot_args(self, run, config):
        return ["-kernel", os.path.join(OUT, "vmlinuz"),
                "-initrd", os.path.join(OUT, "initramfs.img"),
                # quiet: under TCG every console line costs time.
                "-append", "console=ttyS0,115200 panic=-1 quiet"]


PROFILE = Linux
