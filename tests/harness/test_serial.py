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

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "harness"))

from vmlib.serial import Console  # noqa: E402

PROMPT = "g> "


def fake_shell(server):
    """Echo each line; answer `probe' with a device, anything else with
    an error; a prompt after each answer, and one stale one on connect."""
    conn, _ = server.accept()
    with conn:
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
                if line == b"probe":
                    out += b"blk0 ok\r\n"
                elif line:
                    out += b"error: unknown command\r\n"
                conn.sendall(out + PROMPT.encode())


def test_sync_skips_a_prompt_printed_before_we_came(tmp_path):
    path = str(tmp_path / "serial.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    t = threading.Thread(target=fake_shell, args=(server,), daemon=True)
    t.start()
    con = Console(path, PROMPT, timeout=10)
    try:
        con.sync()
        out = con.command("probe")
    finally:
        con.close()
        server.close()
    assert "blk0 ok" in out, out
