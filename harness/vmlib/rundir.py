# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""A directory per guest boot under build/runs/: overlays, sockets, logs.

Every run gets its own, so two runs at once never share a socket or a
disk.  Unix socket paths are limited to 107 bytes; a deep checkout gets
its sockets in a private directory under /tmp instead.
"""

import os
import re
import shutil
import tempfile
import time

from . import BUILD

SUN_PATH_MAX = 100
# Logs of older runs are dropped when a new run starts.
KEEP_SECONDS = 3 * 24 * 3600


def prune(root):
    cutoff = time.time() - KEEP_SECONDS
    for name in os.listdir(root):
        p = os.path.join(root, name)
        try:
            if os.path.isdir(p) and os.stat(p).st_mtime < cutoff:
                shutil.rmtree(p, ignore_errors=True)
        except FileNotFoundError:
            pass        # another run pruned it first


class RunDir:
    def __init__(self, label, root=None):
        root = root or os.path.join(BUILD, "runs")
        os.makedirs(root, exist_ok=True)
        prune(root)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        # Labels carry config ids like event_idx=off; keep names plain.
        label = re.sub(r"[^A-Za-z0-9_.-]+", "_", label)
        self.path = tempfile.mkdtemp(prefix="%s-%s-" % (stamp, label),
                                     dir=root)
        self._sockdir = None

    def file(self, name):
        return os.path.join(self.path, name)

    def socket(self, name):
        p = self.file(name)
        if len(p) <= SUN_PATH_MAX:
            return p
        if self._sockdir is None:
            self._sockdir = tempfile.mkdtemp(prefix="dfly-virtio-")
        return os.path.join(self._sockdir, name)

    def cleanup(self, keep=("serial.log", "qemu.stderr", "qemu.cmdline")):
        """Drop disks and sockets, keep the logs."""
        for fn in os.listdir(self.path):
            if fn not in keep:
                p = self.file(fn)
                if os.path.isdir(p):
                    shutil.rmtree(p, ignore_errors=True)
                else:
                    os.unlink(p)
        if self._sockdir:
            shutil.rmtree(self._sockdir, ignore_errors=True)
