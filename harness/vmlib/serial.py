# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""The one Python client of a guest's serial console (tests and bench).

A guest shell over the console's unix socket: send a line, read up to a
pattern (by default the profile's prompt).  Every read is bounded, in
seconds scaled by DFLY_VIRTIO_TIMEOUT_SCALE (vmlib.timeouts).  The
expect scripts (harness/expect) are the by-hand equivalent.
"""

import itertools
import re
import socket
import time

from . import HarnessError, timeouts


_sync_words = itertools.count(int(time.time()) % 100000)


class ConsoleError(HarnessError):
    """The guest did not answer as expected; the message has its output."""


class Console:
    """PROMPT is a regular expression (the profile's prompt)."""

    def __init__(self, path, prompt, timeout=30):
        self.prompt = re.compile(prompt.encode())
        self.timeout = timeout
        self.buf = b""
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self.sock.settimeout(timeouts.seconds(timeout))
            self.sock.connect(path)
        except OSError as e:
            self.sock.close()
            raise ConsoleError("cannot connect to the serial console at "
                               "%s: %s" % (path, e))

    @classmethod
    def of(cls, machine, timeout=30):
        """The console of a started vmlib.Machine, at a fresh prompt."""
        con = cls(machine.serial_path, machine.profile.prompt, timeout)
        try:
            con.sync()
        except BaseException:
            con.close()
            raise
        return con

    def sync(self):
        """Get past every prompt the guest printed before we came: a
        prompt printed while we connected would otherwise answer our next
        command.  A word no shell knows is echoed and refused, and every
        guest's refusal repeats it; the prompt after the refusal is the
        fresh one.  The echo alone is not enough: the terminal echoes as
        the characters arrive, so it can come before a prompt the shell
        had not yet printed."""
        word = "dfly-virtio-sync-%d" % next(_sync_words)
        self.send(word)
        self.expect(re.escape(word.encode()))
        while word not in self.expect():
            pass

    def send(self, line):
        """LINE and a carriage return, as a terminal would send them."""
        self.sock.sendall(line.encode() + b"\r")

    def expect(self, pattern=None, timeout=None):
        """Read until PATTERN (bytes regex, default the prompt); return
        the text before it.  Raises ConsoleError after TIMEOUT seconds
        (scaled) or when the console closes."""
        pattern = self.prompt if pattern is None else re.compile(pattern)
        bound = timeouts.seconds(timeout or self.timeout)
        deadline = time.monotonic() + bound
        while True:
            m = pattern.search(self.buf)
            if m:
                before = self.buf[:m.start()]
                self.buf = self.buf[m.end():]
                return before.decode(errors="replace").replace("\r", "")
            left = deadline - time.monotonic()
            if left <= 0:
                raise ConsoleError("no /%s/ on the serial console within "
                                   "%g s; got: %r"
                                   % (pattern.pattern.decode(), bound,
                                      self.buf[-300:]))
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            if not data:
                raise ConsoleError("serial console closed; got: %r"
                                   % self.buf[-300:])
            self.buf += data

    def command(self, cmd, timeout=None):
        """Run CMD in the guest shell; return its output up to the next
        prompt (with the echo, if the guest echoes)."""
        self.send(cmd)
        return self.expect(timeout=timeout)

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
