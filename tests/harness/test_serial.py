# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""vmlib.serial.Console against a stand-in guest shell on a unix socket:
a prompt the guest printed while we connected must not answer our first
command (the DragonFly init prints its first prompt right after its
ready marker, so a client can connect between the two)."""

import os
import socket
import sys
import threading

import pytest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "harness"))

from vmlib.serial import Console  # noqa: E402

PROMPT = "g> "


def fake_shell(server, echo_first=False):
    """Echo each line; answer `probe' with a device, anything else with
    an error that repeats it (as every guest's shell does); a prompt after
    each answer, and one stale one on connect.  ECHO_FIRST: the terminal
    echoes the first line before the shell has printed that stale prompt
    (the tty echoes as characters arrive, the shell prints when it runs)."""
    conn, _ = server.accept()
    with conn:
        if not echo_first:
            conn.sendall(PROMPT.encode())
        buf = b""
        while True:
            data = conn.recv(1024)
            if not data:
                return
            buf += data
            while b"\r" in buf:
                line, _, buf = buf.partition(b"\r")
                out = line + b"\r\n"
                if echo_first:
                    out += PROMPT.encode()
                    echo_first = False
                if line == b"probe":
                    out += b"blk0 ok\r\n"
                elif line:
                    out += b"error: unknown command '" + line + b"'\r\n"
                conn.sendall(out + PROMPT.encode())


@pytest.mark.parametrize("echo_first", [False, True],
                         ids=["prompt-then-echo", "echo-then-prompt"])
def test_sync_skips_a_prompt_printed_before_we_came(tmp_path, echo_first):
    path = str(tmp_path / "serial.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    t = threading.Thread(target=fake_shell, args=(server, echo_first),
                         daemon=True)
    t.start()
    con = Console(path, PROMPT, timeout=10)
    try:
        con.sync()
        out = con.command("probe")
    finally:
        con.close()
        server.close()
    assert "blk0 ok" in out, out
