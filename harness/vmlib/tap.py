# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""A host tap for a guest's NIC, with the virtio-net header (vnet_hdr).

QEMU's user-mode network carries no virtio-net header, so its device
offers no checksum offload; on a tap opened with IFF_VNET_HDR it offers
CSUM, GUEST_CSUM and GUEST_TSO*, and the host's stack sends the guest
frames with partial checksums for as long as the guest's offloads say it
takes them (QEMU passes CTRL_GUEST_OFFLOADS on as TUNSETOFFLOAD).

The tap is not persistent: we create it by opening /dev/net/tun and
hand the descriptor to QEMU (-netdev tap,fd=N), so the kernel deletes it
when the last holder closes it.  QEMU dies with the harness (machine.py),
so no tap outlives a run even when the harness is SIGKILLed; close()
checks it is gone all the same.  Creating a tap and giving it an address
need CAP_NET_ADMIN: unavailable() says why there is none.
"""

import array
import fcntl
import os
import shutil
import socket
import struct
import subprocess

from . import HarnessError

TUN = "/dev/net/tun"
_TUNSETIFF = 0x400454ca
_IFF_TAP = 0x0002
_IFF_NO_PI = 0x1000
_IFF_VNET_HDR = 0x4000
_SIOCETHTOOL = 0x8946
_ETHTOOL_GTXCSUM = 0x16
# The tap networks are 10.0.N.0/24, the host .1 and the guest .2; N
# from here up, the first no route on the host uses yet.
FIRST_NET, LAST_NET = 4, 254
# Held while a run picks its network, so two runs never pick the same.
LOCK = "/run/dfly-virtio-tap.lock"


def unavailable():
    """Why no tap can be made here, or None."""
    if not _net_admin():
        return ("a host tap needs root: creating a tap and giving it an "
                "address need CAP_NET_ADMIN, which this process (uid %d) "
                "does not have" % os.geteuid())
    if shutil.which("ip") is None:
        return "ip not found: run `make deps` (Debian package iproute2)"
    try:
        os.close(os.open(TUN, os.O_RDWR))
    except OSError as e:
        return "cannot open %s: %s" % (TUN, e.strerror)
    return None


def _net_admin():
    """Whether we hold CAP_NET_ADMIN (bit 12 of CapEff): root in a
    container may not."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("CapEff:"):
                return int(line.split()[1], 16) >> 12 & 1 == 1
    return False


def _ip(*args):
    r = subprocess.run(["ip"] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        raise HarnessError("ip %s: %s" % (" ".join(args), r.stdout.strip()))
    return r.stdout


def exists(name):
    return os.path.exists("/sys/class/net/%s" % name)


class Tap:
    """The tap NAME with the host side at host_addr/24; fd is QEMU's to
    take (pass it, then drop_fd())."""

    def __init__(self, name):
        why = unavailable()
        if why:
            raise HarnessError(why)
        if len(name) > 15:
            raise HarnessError("tap name %r: 15 characters at most" % name)
        self.name = name
        self.fd = os.open(TUN, os.O_RDWR)
        try:
            fcntl.ioctl(self.fd, _TUNSETIFF, struct.pack(
                "16sH22x", name.encode(),
                _IFF_TAP | _IFF_NO_PI | _IFF_VNET_HDR))
            self.host_addr, self.guest_addr = self._address()
        except BaseException:
            self.close()
            raise

    def _address(self):
        with open(LOCK, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            used = _ip("-4", "route", "show")
            for n in range(FIRST_NET, LAST_NET + 1):
                if "10.0.%d.0/24 " % n not in used:
                    break
            else:
                raise HarnessError("no free 10.0.N.0/24 for a tap")
            _ip("addr", "add", "10.0.%d.1/24" % n, "dev", self.name)
            _ip("link", "set", self.name, "up")
        return "10.0.%d.1" % n, "10.0.%d.2" % n

    def stats(self, name):
        """A counter of the host side, e.g. tx_packets: frames QEMU
        read from the tap (sent to the guest)."""
        with open("/sys/class/net/%s/statistics/%s" % (self.name, name)) \
                as f:
            return int(f.read())

    def host_csum_offload(self):
        """Whether the host may send the guest partial checksums: the
        tap's transmit checksum offload, which QEMU turns on and off
        (TUNSETOFFLOAD TUN_F_CSUM) as the guest's GUEST_CSUM offload
        is; what ethtool -k shows as tx-checksumming."""
        value = array.array("I", [_ETHTOOL_GTXCSUM, 0])
        ifr = struct.pack("16sP", self.name.encode(),
                          value.buffer_info()[0])
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            fcntl.ioctl(s.fileno(), _SIOCETHTOOL, ifr.ljust(40, b"\0"))
        return value[1] != 0

    def drop_fd(self):
        """Our copy of the descriptor: once QEMU holds its own, the tap
        lives as long as QEMU."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def close(self):
        """Delete the tap: QEMU must have exited (else it holds it)."""
        self.drop_fd()
        if exists(self.name):
            _ip("link", "del", self.name)
