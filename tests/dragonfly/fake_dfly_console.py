# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""A stand-in for QEMU running the DragonFly live CD, for install.exp.

It prints what the real loader, kernel and pfi print on the serial
console (the strings install.exp waits for, taken from DragonFly's
sys/boot/dloader and nrelease/root/etc/rc.d/pfi), insists on the keys a
person would type, and ends as the scenario says:

  fake_dfly_console.py SCENARIO [qemu args ignored...]
  SCENARIO: ok | guest-fail | no-pfi | panic | serial-deaf   (live CD)
            boot-ok | boot-login                              (installed)
"""

import os
import sys
import time
import tty

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))), "harness"))
import profiles  # noqa: E402
from vmlib import timeouts  # noqa: E402

out = sys.stdout


def say(text):
    out.write(text)
    out.flush()


def read_until(want, limit=10.0):
    """Read stdin until WANT was typed; exit 3 (a failed fake) if not."""
    got = b""
    end = time.monotonic() + timeouts.seconds(limit)
    while want not in got:
        if time.monotonic() > end:
            say("\r\nFAKE: expected %r, got %r\r\n" % (want, got))
            sys.exit(3)
        c = os.read(0, 1)
        if not c:
            sys.exit(3)
        got += c
    return got


def installed(scenario):
    """The installed image: boot2/loader/kernel on COM1, getty on ttyd0."""
    say("/boot.config: -h\r\nConsole: serial port\r\n")
    say("Copyright (c) 2003-2023 The DragonFly Project.\r\n")
    if scenario == "boot-login":
        say("\r\nDragonFly/x86_64 (dfly-virtio) (ttyd0)\r\n\r\nlogin: ")
        time.sleep(30)
        sys.exit(0)
    facts = profiles.get("dragonfly-media").facts()
    say("\r\n%s\r\n%s" % (facts["ready_marker"], facts["prompt"]))
    read_until(b"PS1='DFLY# '\r")
    say("\r\nDFLY# ")
    line = read_until(b"END\r")
    say(line.decode().replace("\r", "\r\n"))
    say("DFLY-FB-INFO\r\nversion=6.4.2\r\nsys=release media\r\n"
        "6.4-RELEASE\r\n/usr/src/sys/conf/kmod.mk\r\nDFLY-FB-END\r\nDFLY# ")
    read_until(b"halt -p\r")
    say("\r\nThe operating system has halted.\r\n")
    sys.exit(0)


def main():
    scenario = sys.argv[1]
    if os.isatty(0):
        tty.setraw(0)
    if scenario.startswith("boot-"):
        installed(scenario)
    say("SeaBIOS\r\nBooting from DVD/CD...\r\n")
    say("Console: internal video/keyboard\r\nConsole: serial port\r\n")
    say(" 1. Boot DragonFly [kernel]\r\n"
        " 9. Escape to loader prompt (also ESC)\r\n")
    say("\rBooting in 10 seconds... ")
    if scenario == "serial-deaf":
        time.sleep(30)
        sys.exit(0)
    read_until(b"\x1b")
    say("\r\n\r\nOK ")
    read_until(b"set console=comconsole\r")
    say("\r\nOK ")
    read_until(b"menu\r")
    say("\r\n 1. Boot DragonFly [kernel]\r\n\rBooting in 10 seconds... ")
    read_until(b"1")
    say("\r\nLoading /boot/kernel/kernel\r\n")
    say("Copyright (c) 2003-2023 The DragonFly Project.\r\n")
    if scenario == "panic":
        say("panic: vm_fault: fault on nofault entry\r\n")
        time.sleep(30)
        sys.exit(0)
    say("Starting pfi...\r\n")
    say("Looking for pfi.conf on /dev/cd0... /dev/cd0 ok... not found\r\n")
    if scenario == "no-pfi":
        say("Looking for pfi.conf on /dev/cd1... /dev/cd1 ok... not found\r\n")
        time.sleep(30)
        sys.exit(0)
    say("Looking for pfi.conf on /dev/cd1... /dev/cd1 ok... found!\r\n")
    say("DFLY-INSTALL: start: DragonFly 6.4-RELEASE, target /dev/da0 "
        "(+0s)\r\n")
    say("DFLY-INSTALL: phase partition (+1s)\r\n")
    if scenario == "guest-fail":
        say("DFLY-INSTALL: FAIL: fdisk -BI did not create /dev/da0s1\r\n")
        sys.exit(0)
    say("DFLY-INSTALL: phase copy (+5s)\r\n")
    say("DFLY-INSTALL: OK\r\n")
    sys.exit(0)


if __name__ == "__main__":
    main()
