# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""The dfly-virtio QEMU harness: launch guests, talk to their monitors.

Used by the `harness/vm` command and by the pytest suites.
"""

import os

HARNESS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOP = os.path.dirname(HARNESS_DIR)
BUILD = os.environ.get("DFLY_VIRTIO_BUILD", os.path.join(TOP, "build"))
EXPECT_DIR = os.path.join(HARNESS_DIR, "expect")


class HarnessError(Exception):
    """A problem the user can fix; the message says how."""
