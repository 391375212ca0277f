# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""Loopback TCP ports for monitors, chosen so concurrent runs do not collide.

The kernel picks a free ephemeral port for a socket bound to port 0; we
close it and hand the number to QEMU.  Another process could take it in
between, so the launcher retries when QEMU reports the address in use.
"""

import errno
import socket

LOOPBACK = "127.0.0.1"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def port_is_free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((LOOPBACK, port))
        except OSError as e:
            if e.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
        return True


def pick_port(wanted):
    """WANTED if it is free, else a free port; 0 means any free port."""
    if wanted and port_is_free(wanted):
        return wanted
    return free_port()
