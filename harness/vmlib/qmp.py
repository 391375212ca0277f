# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""A small QMP client: the machine-readable monitor, for code."""

import json
import socket
import time

from . import HarnessError


class QMP:
    def __init__(self, path, timeout=10.0):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock.connect(path)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                if time.monotonic() > deadline:
                    raise HarnessError("QMP socket %s did not open" % path)
                time.sleep(0.05)
        self._buf = b""
        self._read()                       # greeting
        self.command("qmp_capabilities")

    def _read(self):
        while True:
            line, sep, rest = self._buf.partition(b"\n")
            if sep:
                self._buf = rest
                msg = json.loads(line)
                if "event" in msg:
                    continue
                return msg
            data = self.sock.recv(65536)
            if not data:
                raise HarnessError("QMP connection closed")
            self._buf += data

    def command(self, name, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        reply = self._read()
        if "error" in reply:
            raise HarnessError("QMP %s: %s" % (name, reply["error"]["desc"]))
        return reply.get("return")

    def close(self):
        self.sock.close()
