# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""One knob for every wait: DFLY_VIRTIO_TIMEOUT_SCALE.

Every wait in the harness and in the tests is for an event (a marker on
the console, a prompt, a socket, a process exit) and gives up after a
bound written for TCG on an idle host.  The bound is multiplied by
DFLY_VIRTIO_TIMEOUT_SCALE (default 1), so a busy or slow host raises one
number instead of editing tests.  The expect checks read the same
variable (harness/expect/lib.tcl).
"""

import os

from . import HarnessError

ENV = "DFLY_VIRTIO_TIMEOUT_SCALE"


def scale():
    """The factor from the environment; a bad value is a usage error."""
    text = os.environ.get(ENV, "").strip() or "1"
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise HarnessError("%s=%r: want a number > 0" % (ENV, text))
    return value


def seconds(n):
    """N seconds of an idle host, scaled for this one."""
    return n * scale()
