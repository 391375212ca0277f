# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""The Linux reference guest: a distribution kernel whose virtio drivers
are known to work, so a failing check points at the harness, not at us."""

import os
import shutil
import subprocess
import sys

from vmlib import BUILD, TOP, HarnessError

from .base import MACHINES, TRANSPORTS, Config, Profile

RECIPE = os.path.join(TOP, "images", "linux", "build.py")
OUT = os.path.join(BUILD, "linux")

# Set once the recipe has run in this process.
_prepared = False


class Linux(Profile):
    name = "linux"
    order = 20
    ready_marker = "DFLY-VIRTIO-LINUX-READY"
    prompt = "linux# "
    boot_timeout = 90
    memory_mb = 256

    def unavailable(self):
        built = all(os.path.exists(os.path.join(OUT, f))
                    for f in ("vmlinuz", "initramfs.img"))
        if not built and not shutil.which("apt-get"):
            return ("the Linux guest is built from Debian/Ubuntu packages "
                    "and this host has no apt-get")
        return None

    def prepare(self):
        # Every boot asks; the recipe's up-to-date check costs apt-cache
        # calls, so one answer per process is enough.
        global _prepared
        if _prepared:
            return
        r = subprocess.run([sys.executable, RECIPE, "--out", OUT])
        if r.returncode != 0:
            raise HarnessError("building the Linux guest failed "
                               "(images/linux/build.py, see above)")
        _prepared = True

    def boot_args(self, run, config):
        return ["-kernel", os.path.join(OUT, "vmlinuz"),
                "-initrd", os.path.join(OUT, "initramfs.img"),
                # quiet: under TCG every console line costs time.
                "-append", "console=ttyS0,115200 panic=-1 quiet"]

    def matrix(self):
        # Every transport on both machines, and once without the ring
        # features a driver may take for granted.
        return [Config(t, m) for m in MACHINES for t in TRANSPORTS] + [
            Config("modern", "q35", {"event_idx": "off",
                                     "indirect_desc": "off"})]


PROFILE = Linux
