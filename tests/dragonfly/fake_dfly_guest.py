# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""A stand-in for a running DragonFly guest with our modules loaded, for
the checks of harness/expect/profiles/dragonfly-media.tcl.

Serves root's shell on a unix socket (as QEMU serves the serial console)
and an HMP-like monitor on 127.0.0.1:PORT, and answers the commands the
profile sends the way DragonFly does (kldstat, devinfo, dmesg, sysctl,
dd, ifconfig, ping).  The balloon is shared: `balloon N` on the monitor
moves hw.viomb.* in the guest, unless the scenario says it does not.

  fake_dfly_guest.py SOCKET PORTFILE SCENARIO
  SCENARIO: ok | builtin | no-viomb | bad-disk | balloon-stuck
"""

import os
import re
import socket
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))), "harness"))
import profiles  # noqa: E402
from vmlib import pattern  # noqa: E402

FULL_MB = 1024
PROMPT = profiles.get("dragonfly-media").facts()["prompt"].encode()
# What the profile's blkio check staged: the pattern's default parameters.
PATTERN_PARAMS = "%d %d %d" % (pattern.DEFAULT_SEED, pattern.DEFAULT_LBA,
                               pattern.DEFAULT_COUNT)


class Guest:
    def __init__(self, scenario):
        self.scenario = scenario
        self.target_mb = FULL_MB
        self.lock = threading.Lock()

    def balloon_pages(self):
        with self.lock:
            if self.scenario == "balloon-stuck":
                return 0
            return (FULL_MB - self.target_mb) * 256

    def run(self, cmd):
        sc = self.scenario
        if cmd == "kldstat":
            mods = ["kernel", "vio_pci.ko", "vioblk.ko", "if_vioif.ko"]
            if sc != "no-viomb":
                mods.append("viomb.ko")
            rows = ["Id Refs Address            Size     Name"]
            rows += ["%2d    1 0xffffffff80000000 1000     %s" % (i + 1, m)
                     for i, m in enumerate(mods)]
            return "\n".join(rows)
        if cmd.startswith("grep -E 'FAIL|MISSING"):
            return "DFLY-VIRTIO: build viomb: FAILED, last lines:"
        if cmd.startswith("devinfo | grep"):
            return "      virtio_pci0" if sc == "builtin" else ""
        if cmd == "devinfo":
            return ("nexus0\n  pci0\n    vio_pci0\n      vioblk0\n"
                    "    vio_pci1\n      vioif0\n    vio_pci2\n"
                    "      viomb0")
        if cmd.startswith("dmesg"):
            return ("vio_pci0: <VirtIO 1.0 block device> port 0xc000-0xc03f\n"
                    "vioblk0: <VirtIO block device> on vio_pci0\n"
                    "vioif0: <VirtIO network device> on vio_pci1\n"
                    "viomb0: <VirtIO memory balloon> on vio_pci2")
        if cmd == "sysctl -n dev.vio_pci.0.transport":
            return "modern"
        if cmd.startswith("cat ") and cmd.endswith("pattern.params"):
            return PATTERN_PARAMS
        if cmd.startswith("dd if=/tmp/dfly-virtio/pattern.bin"):
            return "16+0 records in\n16+0 records out\nRC=0"
        if cmd.startswith("dd if=/dev/vioblk0"):
            if sc == "bad-disk":
                return "- /tmp/dfly-virtio/pattern.bin differ: char 1, line 1"
            return "BLKOK"
        if cmd.startswith("ifconfig vioif0"):
            return "NETUP"
        if cmd.startswith("ping -c 3 10.0.2.2"):
            return ("PING 10.0.2.2 (10.0.2.2): 56 data bytes\n"
                    "--- 10.0.2.2 ping statistics ---\n"
                    "3 packets transmitted, 3 packets received, "
                    "0.0% packet loss")
        if cmd == "sysctl -n hw.viomb.target hw.viomb.actual":
            pages = self.balloon_pages()
            with self.lock:
                target = (FULL_MB - self.target_mb) * 256
            return "%d\n%d" % (target, pages)
        return "sh: %s: not found" % cmd.split()[0] if cmd else ""


def serve_serial(guest, srv):
    while True:
        conn, _ = srv.accept()
        line = b""
        while True:
            data = conn.recv(4096)
            if not data:
                break
            for ch in data:
                ch = bytes([ch])
                if ch != b"\r":
                    line += ch
                    continue
                cmd = line.decode().strip()
                line = b""
                out = cmd + "\r\n"
                res = guest.run(cmd)
                if res:
                    out += res.replace("\n", "\r\n") + "\r\n"
                conn.sendall(out.encode() + PROMPT)


def serve_monitor(guest, srv):
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=monitor_session, args=(guest, conn),
                         daemon=True).start()


def monitor_session(guest, conn):
    conn.sendall(b"QEMU 7.2.0 monitor - type 'help' for more information"
                 b"\r\n(qemu) ")
    buf = b""
    while True:
        data = conn.recv(4096)
        if not data:
            return
        buf += data
        while b"\r" in buf or b"\n" in buf:
            cmd, buf = re.split(rb"\r\n|\r|\n", buf, maxsplit=1)
            cmd = cmd.decode().strip()
            out = cmd + "\r\n"
            m = re.match(r"balloon (\d+)$", cmd)
            if cmd == "info balloon":
                actual = FULL_MB - guest.balloon_pages() // 256
                out += "balloon: actual=%d\r\n" % actual
            elif m:
                with guest.lock:
                    guest.target_mb = int(m.group(1))
            conn.sendall(out.encode() + b"(qemu) ")


def main():
    path, portfile, scenario = sys.argv[1:4]
    guest = Guest(scenario)
    ser = socket.socket(socket.AF_UNIX)
    ser.bind(path)
    ser.listen(1)
    mon = socket.socket()
    mon.bind(("127.0.0.1", 0))
    mon.listen(4)
    threading.Thread(target=serve_monitor, args=(guest, mon),
                     daemon=True).start()
    with open(portfile + ".tmp", "w") as f:
        f.write(str(mon.getsockname()[1]))
    os.replace(portfile + ".tmp", portfile)
    serve_serial(guest, ser)


if __name__ == "__main__":
    main()
