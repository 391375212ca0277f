# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""What only the mini guest can show, beyond the four shared checks:
INTx delivery when MSI-X is kept off, virtio-mmio windows taken from the
command line on microvm, bad shell input answered (never hung), memory
statistics reaching the host over the balloon's stats queue, and the
exit status through isa-debug-exit."""

import os
import socket
import struct
import time

import pytest

# conftest puts harness/ on sys.path.
from conftest import boot, check, shut_down

from profiles.base import Config
from profiles.mini import Mini
from vmlib import disk, pattern, timeouts
from vmlib.qmp import QMP
from vmlib.serial import Console

pytestmark = pytest.mark.skipif(
    "mini" not in os.environ.get("DFLY_VIRTIO_GUESTS", "mini").split(","),
    reason="mini not in DFLY_VIRTIO_GUESTS")


class MiniCmdline(Mini):
    """The mini with a kernel command line (e.g. "intx")."""

    def __init__(self, cmdline):
        self.cmdline = cmdline

    def boot_args(self, run, config):
        return super().boot_args(run, config) + ["-append", self.cmdline]


@pytest.fixture(scope="module")
def mini(boot_guest):
    return boot_guest("mini", Config("transitional", "q35"), "mini-extras")


@pytest.mark.parametrize("machine", ["pc", "q35"])
def test_intx(boot_guest, machine):
    """MSI-X kept off: every device takes its INTx line through the
    I/O APIC, and block I/O and ping still complete."""
    m = boot_guest(MiniCmdline("intx"), Config("modern", machine),
                   "mini-intx-" + machine)
    with Console.of(m) as sh:
        out = sh.command("probe")
    for dev in ("blk", "net", "balloon"):
        line = [ln for ln in out.splitlines() if " %s " % dev in ln]
        assert line and line[0].endswith(" intx ok"), out
    check(m, "blkio")
    check(m, "ping")


@pytest.mark.parametrize("cmd,error", [
    ("frobnicate", "error: unknown command 'frobnicate'"),
    ("blk read 1 2", "error: bad arguments"),
    ("blk write x 1 1", "error: bad arguments"),
    ("blk read 0 1 1 extra", "error: bad arguments"),
    ("blk bench read 10 0", "error: bad arguments"),
    ("ping 10.0.2", "error: bad arguments"),
    ("ping 10.0.2.256", "error: bad arguments"),
    ("halt 1000", "error: bad arguments"),
    ("net", "error: bad arguments"),
])
def test_bad_input(mini, cmd, error):
    with Console.of(mini) as sh:
        out = sh.command(cmd)
        assert error in out and "usage: " in out, out
        # The shell is still there and still works.
        assert "mem: total" in sh.command("mem")


def test_blk_beyond_capacity(mini):
    with Console.of(mini) as sh:
        out = sh.command("blk write 131072 1 1")
    assert "error: LBA 131072 + 1 beyond capacity 131072" in out, out


def test_balloon_stats_reach_host(mini):
    """The guest answers the host's statistics requests on the stats
    queue with its own view of memory."""
    with Console.of(mini) as sh:
        out = sh.command("mem")
    total_kib = int(out.split("total ")[1].split()[0])
    qmp = QMP(mini.qmp_path)
    try:
        qmp.command("qom-set", path="/machine/peripheral/balloon0",
                    property="guest-stats-polling-interval", value=1)
        deadline = time.monotonic() + timeouts.seconds(20)
        while True:
            got = qmp.command("qom-get", path="/machine/peripheral/balloon0",
                              property="guest-stats")
            if got["last-update"] != 0 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    finally:
        qmp.close()
    stats = got["stats"]
    assert got["last-update"] != 0, "no statistics arrived: %r" % got
    assert stats["stat-total-memory"] == total_kib * 1024, stats
    assert 0 < stats["stat-free-memory"] <= stats["stat-total-memory"]


def test_halt_exit_status(boot_guest):
    """halt CODE leaves QEMU through isa-debug-exit with (CODE << 1) | 1."""
    m = boot_guest("mini", Config("modern", "pc"), "mini-halt")
    with Console.of(m) as sh:
        sh.send("halt 21")
        rc = m.wait(timeouts.seconds(10))
    assert rc == (21 << 1) | 1


class MiniPeerNic(Mini):
    """The mini whose NIC is a datagram socket pair with the test: the
    test plays the other host on the wire.  The NIC comes before the
    harness's own devices, so it is the one the mini attaches."""

    def __init__(self, guest_sock, test_sock):
        self.guest_sock = guest_sock
        self.test_sock = test_sock

    def boot_args(self, run, config):
        return super().boot_args(run, config) + [
            "-netdev", "dgram,id=peer,local.type=unix,local.path=%s,"
            "remote.type=unix,remote.path=%s"
            % (self.guest_sock, self.test_sock),
            "-device", "virtio-net-pci,netdev=peer,mac=%s,romfile="
            % PEER_GUEST_MAC]


PEER_GUEST_MAC = "52:54:00:00:00:99"
PEER_MAC = bytes.fromhex("020000000001")
PEER_IP = bytes([10, 0, 2, 99])
GUEST_IP = bytes([10, 0, 2, 15])


def inet_cksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def arp_request():
    arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, PEER_MAC,
                      PEER_IP, b"\0" * 6, GUEST_IP)
    return b"\xff" * 6 + PEER_MAC + b"\x08\x06" + arp


def echo_request(guest_mac, ident, seq, payload):
    icmp = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + payload
    icmp = icmp[:2] + struct.pack("!H", inet_cksum(icmp)) + icmp[4:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 7, 0, 64, 1,
                     0, PEER_IP, GUEST_IP)
    ip = ip[:10] + struct.pack("!H", inet_cksum(ip)) + ip[12:]
    return guest_mac + PEER_MAC + b"\x08\x00" + ip + icmp


def receive(sock, want, seconds=10):
    """The first frame for which want(frame) is true."""
    seconds = timeouts.seconds(seconds)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        sock.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            frame = sock.recv(65536)
        except socket.timeout:
            break
        if want(frame):
            return frame
    raise AssertionError("no such frame from the guest in %g s" % seconds)


def test_answers_arp_and_ping(tmp_path):
    """The mini answers an ARP request for 10.0.2.15 and an ICMP echo
    request addressed to it, from a host it has never seen."""
    guest_sock = str(tmp_path / "guest.sock")
    test_sock = str(tmp_path / "test.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(test_sock)
    try:
        m = boot(MiniPeerNic(guest_sock, test_sock), Config("modern", "q35"),
                 "mini-peer")
    except BaseException:
        sock.close()
        raise
    try:
        sock.sendto(arp_request(), guest_sock)
        reply = receive(sock, lambda f: f[12:14] == b"\x08\x06" and
                        f[20:22] == b"\x00\x02")
        guest_mac = reply[22:28]
        assert guest_mac == bytes.fromhex(PEER_GUEST_MAC.replace(":", ""))
        assert reply[28:32] == GUEST_IP and reply[32:38] == PEER_MAC
        assert reply[:6] == PEER_MAC

        payload = bytes(range(48))
        sock.sendto(echo_request(guest_mac, 0x4242, 7, payload), guest_sock)
        reply = receive(sock, lambda f: f[12:14] == b"\x08\x00" and
                        f[23] == 1 and f[34] == 0)
        ip, icmp = reply[14:34], reply[34:]
        assert ip[12:16] == GUEST_IP and ip[16:20] == PEER_IP
        assert inet_cksum(ip) == 0 and inet_cksum(icmp) == 0
        assert struct.unpack("!HH", icmp[4:8]) == (0x4242, 7)
        assert icmp[8:] == payload
        with Console.of(m) as sh:
            out = sh.command("net info")
        assert "answered arp 1 echo 1" in out, out
    finally:
        sock.close()
        shut_down(m)


RING_FEATURES = {"indirect_desc": 1 << 28, "event_idx": 1 << 29}


def probe_features(out):
    """{device type: negotiated feature bits} from probe's lines."""
    got = {}
    for ln in out.splitlines():
        words = ln.split()
        if len(words) > 4 and words[3] == "features":
            got[words[1]] = int(words[4], 16)
    return got


def assert_ring_features(out, off):
    got = probe_features(out)
    assert set(got) >= {"blk", "net", "balloon"}, out
    for dev, feats in got.items():
        for name, bit in RING_FEATURES.items():
            assert bool(feats & bit) == (name not in off), \
                "%s: %s %s: %s" % (dev, name,
                                   "on" if feats & bit else "off", out)


def test_ring_features_for_every_device(mini):
    """The core asks for indirect descriptors and event index for blk,
    net and balloon alike, as the DragonFly modules do."""
    with Console.of(mini) as sh:
        assert_ring_features(sh.command("probe"), ())


@pytest.mark.parametrize("prop", sorted(RING_FEATURES))
def test_ring_feature_off_for_every_device(boot_guest, prop):
    """A device property turning a ring feature off turns it off for all
    three devices, and the balloon still moves without it."""
    m = boot_guest("mini", Config("modern", "q35", {prop: "off"}),
                   "mini-ring-" + prop)
    with Console.of(m) as sh:
        assert_ring_features(sh.command("probe"), (prop,))
    check(m, "balloon")


def test_mmio_windows_come_from_the_command_line(boot_guest):
    """On microvm the mini attaches the windows the command line names
    (QEMU appends its own after ours): a malformed word or a line the
    I/O APIC lacks is reported and skipped, a window without a device
    is reported empty, and each device's own line delivers its
    interrupts."""
    m = boot_guest(MiniCmdline("virtio_mmio.device=bogus "
                               "virtio_mmio.device=512@0xfeb00000:40 "
                               "virtio_mmio.device=512@0xfeb00000:5"),
                   Config("mmio-modern", "microvm"), "mini-mmio-cmdline")
    log = m.serial_bytes().decode("utf-8", "replace")
    for word in ("bogus", "512@0xfeb00000:40"):
        assert 'mmio: ignoring "virtio_mmio.device=%s"' % word in log, log
    with Console.of(m) as sh:
        probe = sh.command("probe")
        assert "probe: 4 virtio devices" in probe, probe
        empty = [ln for ln in probe.splitlines()
                 if ln.startswith("mmio@feb00000 ")]
        assert empty and "failed: empty virtio-mmio window" in empty[0], \
            probe
        for dev in ("blk", "net", "balloon"):
            line = [ln for ln in probe.splitlines() if " %s " % dev in ln]
            assert line and line[0].startswith("mmio@feb00") and \
                " %s modern " % dev in line[0] and \
                line[0].endswith(" line ok"), probe
        assert "ok" in sh.command("blk write 0 8 5")
        assert "blk read: 8 sectors at LBA 0 ok" in \
            sh.command("blk read 0 8 5")
        stats = sh.command("stats")
    # "blk req0 q0: requests R kicks K interrupts I", a line per queue.
    blk = [int(ln.rsplit(" ", 1)[1]) for ln in stats.splitlines()
           if ln.startswith("blk ") and " interrupts " in ln and
           not ln.startswith("blk config")]
    assert blk and sum(blk) > 0, stats


class MiniTwoDisks(Mini):
    """The mini with a second virtio disk (serial dfly-virtio-1)."""

    def boot_args(self, run, config):
        self.second = disk.overlay(self.test_disk_base(),
                                   run.file("disk1.qcow2"))
        return super().boot_args(run, config) + [
            "-drive", "file=%s,if=none,id=vblk1,format=qcow2" % self.second,
            "-device", "virtio-blk-pci,drive=vblk1,serial=dfly-virtio-1"]


def test_two_disks_both_attach_and_keep_their_own_data(boot_guest):
    """Every virtio disk attaches, and each unit holds what was written
    to it: the host finds each seed's pattern in its own image."""
    prof = MiniTwoDisks()
    m = boot_guest(prof, Config("modern", "q35"), "mini-two-disks")
    seed, lba, count = prof.blk_params
    with Console.of(m) as sh:
        probe = sh.command("probe")
        assert probe.count(" blk modern ") == 2, probe
        for unit in (0, 1):
            out = sh.command("blk write %d %d %d %d"
                             % (lba, count, seed + unit, unit))
            assert "blk write: %d sectors at LBA %d ok" % (count, lba) \
                in out, out
            assert "blk flush: ok" in sh.command("blk flush %d" % unit)
        for unit in (0, 1):
            out = sh.command("blk read %d %d %d %d"
                             % (lba, count, seed + unit, unit))
            assert "blk read: %d sectors at LBA %d ok" % (count, lba) \
                in out, out
        assert "error: bad arguments" in sh.command("blk info 9")
        # Which image is which unit: the serial number QEMU gave each.
        images = {"dfly-virtio-0": m.disk_path, "dfly-virtio-1": prof.second}
        unit_image = {}
        for unit in (0, 1):
            info = sh.command("blk info %d" % unit)
            serial = info.split("serial '", 1)[1].split("'", 1)[0]
            unit_image[unit] = images[serial]
    assert sorted(unit_image.values()) == sorted(images.values())
    for unit, image in unit_image.items():
        data = disk.read_sectors(image, lba, count, m.run.file("v.raw"))
        assert pattern.first_mismatch(data, seed + unit, lba, count) is None
