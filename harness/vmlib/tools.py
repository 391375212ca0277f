# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""Find the host tools the harness runs, or say which package has them."""

import shutil

from . import HarnessError

# Tool -> the Debian/Ubuntu package that ships it.
PACKAGES = {
    "qemu-system-x86_64": "qemu-system-x86",
    "qemu-img": "qemu-utils",
    "expect": "expect",
    "socat": "socat",
    "telnet": "telnet",
    "apt-get": "apt",
    "dpkg": "dpkg",
    "ip": "iproute2",
}


def require(tool):
    """Return the path of TOOL; raise HarnessError naming its package."""
    path = shutil.which(tool)
    if path is None:
        raise HarnessError("%s not found: run `make deps` (Debian package %s)"
                           % (tool, PACKAGES.get(tool, tool)))
    return path
