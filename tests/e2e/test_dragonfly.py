# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""What the DragonFly kernel guest shows beyond the four shared checks:
our modules unloaded and loaded again while they work (kldunload of
if_vioif during a ping flood, of vioblk during reads), two virtio disks
at once, a read-only disk, INTx when MSI-X is turned off, a disk's queue
per CPU, and the control row really running DragonFly's own drivers."""

import os
import re
import socket
import time

import pytest

# conftest puts harness/ on sys.path.
from conftest import boot, check, run_expect, shut_down

import profiles
from profiles.base import Config
from profiles.dragonfly import DragonFlyKernel
from vmlib import disk, pattern, tap as tapmod, timeouts
from vmlib.qmp import QMP
from vmlib.serial import Console

MODULES = "/boot/modules"


def _skip_reason():
    if "dragonfly" not in os.environ.get("DFLY_VIRTIO_GUESTS",
                                         "dragonfly").split(","):
        return "dragonfly not in DFLY_VIRTIO_GUESTS"
    return profiles.get("dragonfly").unavailable()


pytestmark = pytest.mark.skipif(_skip_reason() is not None,
                                reason=str(_skip_reason()))


def probe_lines(sh):
    return [ln for ln in sh.command("probe").splitlines() if " ok on " in ln]


def wait_for(sh, seen, text):
    """SEEN is console output already read (a background command prints
    between our commands); return it with more read until TEXT is in it."""
    if text in seen:
        return seen
    return seen + sh.expect(re.escape(text.encode()), timeout=120) + text


def assert_alive(sh):
    """The kernel still runs commands (and is not sitting in DDB)."""
    out = sh.command("sysctl kern.osrelease")
    assert "kern.osrelease: " in out, out


def hmp(m, cmd):
    """An HMP command through QMP (the telnet monitor is for people)."""
    q = QMP(m.qmp_path)
    try:
        return q.command("human-monitor-command", **{"command-line": cmd})
    finally:
        q.close()


def balloon_pages(sh):
    """(target, actual) in 4 KiB pages, as the guest's driver says."""
    words = sh.command("balloon").split()
    return int(words[words.index("target") + 1]), \
        int(words[words.index("actual") + 1])


class WithGlobals(DragonFlyKernel):
    """The guest with QEMU device defaults changed (-global DRIVER.PROP=V),
    e.g. virtio-net-pci.mrg_rxbuf=off."""

    def __init__(self, *settings):
        self.settings = settings

    def boot_args(self, run, config):
        args = super().boot_args(run, config)
        for setting in self.settings:
            args += ["-global", setting]
        return args


class WithDisks(DragonFlyKernel):
    """The guest with two more virtio disks: vioblk1 writable, vioblk2
    read-only (QEMU offers VIRTIO_BLK_F_RO) and holding the pattern."""

    def __init__(self, ro_base):
        self.ro_base = ro_base

    def boot_args(self, run, config):
        rw = disk.overlay(self.test_disk_base(), run.file("disk1.qcow2"))
        return super().boot_args(run, config) + [
            "-drive", "file=%s,if=none,id=vblk1,format=qcow2" % rw,
            "-device", "virtio-blk-pci,drive=vblk1,serial=dfly-virtio-1",
            "-drive", "file=%s,if=none,id=vblk2,format=raw,readonly=on"
            % self.ro_base,
            "-device", "virtio-blk-pci,drive=vblk2,serial=dfly-virtio-2"]


# The runtime tests once on split rings, once on packed ones (whose
# reclaim on unload and completions out of order are the core's too).
RUNTIME_CONFIGS = [Config("transitional", "pc"),
                   Config("modern", "q35", props={"packed": "on"})]


@pytest.fixture(scope="module", params=RUNTIME_CONFIGS,
                ids=[c.id for c in RUNTIME_CONFIGS])
def guest(request):
    m = boot("dragonfly", request.param,
             "dragonfly-extras-" + request.param.id)
    try:
        yield m
    finally:
        shut_down(m)


def synced_shell(m):
    """M's console at a fresh prompt (vmlib.serial.Console.of)."""
    return Console.of(m, timeout=120)


@pytest.fixture
def sh(guest):
    s = synced_shell(guest)
    yield s
    s.close()


ON_INVARIANTS = os.environ.get("DFLY_VIRTIO_DFLY_INVARIANTS") == "1"


@pytest.mark.skipif(not ON_INVARIANTS, reason="for the kernel with "
                    "INVARIANTS only (make dragonfly-invariants)")
def test_invariants_kernel_fills_fresh_memory(sh):
    """make dragonfly-invariants boots a kernel with INVARIANTS, which
    has debug.use_malloc_pattern: memory allocated without M_ZERO comes
    filled with 0xff.  Set for the unload tests that follow on this
    guest, a field a driver reads before writing shows as garbage, not
    as a lucky zero."""
    out = sh.command("sysctl debug.use_malloc_pattern=1")
    assert "debug.use_malloc_pattern: set to 1" in out, out


def test_sysctl_prints_an_opaque_value_as_words(sh):
    """make bench reads structures through the init's sysctl: the
    kernel's boottime (a timespec) for the guest's uptime,
    and udps_fullsock, word 7 of struct udpstat (16 counters)."""
    out = sh.command("sysctl kern.boottime")
    got = re.search(r"kern\.boottime: \(16 bytes\) (\d+) (\d+)$", out, re.M)
    assert got, out
    assert int(got.group(2)) < 1000000000, out
    out = sh.command("sysctl net.inet.udp.stats")
    got = re.search(r"net\.inet\.udp\.stats: \(128 bytes\)((?: \d+){16})$",
                    out, re.M)
    assert got, out


def test_kldunload_vioif_during_flood(guest, sh):
    """vioif goes away and comes back under a ping flood (both queues
    completing while detach and attach run), then the checks pass.  It
    comes back as DragonFly's ifconfig loads the driver of an interface
    it does not know, by the bare name if_vioif (kldload(2) then looks
    for if_vioif.ko in the module path)."""
    assert "ifup: vioif0 10.0.2.15/24 up" in sh.command(
        "ifup vioif0 10.0.2.15/24")
    for _ in range(2):
        out = sh.command("bg flood 10.0.2.2 100000000")
        assert "bg: started pid" in out, out
        seen = wait_for(sh, out, "flood: under way")
        out = sh.command("kldunload if_vioif")
        assert "kldunload: if_vioif unloaded" in out, out
        seen += out
        out = sh.command("probe")
        seen += out
        assert " net " not in out, out
        assert_alive(sh)
        # The flood outlives its interface; it ends once sends fail.
        seen = wait_for(sh, seen, "flood: ended: ")
        out = sh.command("kldload if_vioif")
        assert "kldload: if_vioif loaded as id" in out, out
        assert [ln for ln in probe_lines(sh)
                if ln.startswith("vioif0 net ")]
        assert "up" in sh.command("ifup vioif0 10.0.2.15/24")
    out = sh.command("ping 10.0.2.2 3")
    assert "ping: 3/3 replies" in out, out
    sh.close()  # the console takes one client: the checks' turn
    for name in ("probe", "blkio", "ping", "balloon"):
        check(guest, name)


def socket_nic(sh):
    """(name, parent) of the guest's NIC on the socket network: the
    second one, after the user network's."""
    nic = [ln for ln in probe_lines(sh) if " net " in ln][1].split()
    return nic[0], nic[-1]


def socket_pair(boot_guest, label):
    """Two guests on a socket network: LABEL-rx listens, LABEL-tx
    connects."""
    rx = boot_guest("dragonfly", Config(), label + "-rx",
                    socket_net=("listen", None))
    tx = boot_guest("dragonfly", Config(), label + "-tx",
                    socket_net=("connect", rx.socket_net_port))
    return rx, tx


def socket_pair_up(rsh, tsh):
    """The pair's socket NICs up as 10.0.3.1 (rx) and 10.0.3.2 (tx), and
    tx's ping answered (ARP done)."""
    for sh, addr in ((rsh, "10.0.3.1"), (tsh, "10.0.3.2")):
        assert "up" in sh.command("ifup %s %s/24"
                                  % (socket_nic(sh)[0], addr))
    assert "ping: 3/3 replies" in tsh.command("ping 10.0.3.1 3")


# Each unload hits the moment of a completion with some luck only: a
# few of them make a completion during detach all but certain.
UNLOADS = 3


def test_kldunload_vioif_under_incoming_flood(boot_guest):
    """if_vioif unloaded while another guest floods it with datagrams
    (two guests on a socket network): frames keep arriving through the
    whole detach, whatever the unloading guest does.  The device must be
    stopped before ether_ifdetach() frees what completions touch; on the
    INVARIANTS kernel a completion without the ifnet is a failed
    assertion.  The kernel survives, and the driver comes back and
    answers ping through the flood, three times over."""
    rx, tx = socket_pair(boot_guest, "inflood")
    with Console.of(rx, timeout=120) as rsh, \
            Console.of(tx, timeout=120) as tsh:
        socket_pair_up(rsh, tsh)
        out = tsh.command("bg udpsend 10.0.3.1 9000 100000000 64")
        assert "bg: started pid" in out, out
        for _ in range(UNLOADS):
            unload_under_incoming_flood(rsh)
            # The sender never stopped: the flood outlived the unload.
            assert "udpsend: sent" not in tsh.command("sysctl kern.ostype")
            out = rsh.command("kldload if_vioif")
            assert "kldload: if_vioif loaded as id" in out, out
            assert "up" in rsh.command("ifup %s 10.0.3.1/24"
                                       % socket_nic(rsh)[0])
            out = rsh.command("ping 10.0.3.2 3")
            assert re.search(r"ping: [1-3]/3 replies", out), out


def unload_under_incoming_flood(rsh):
    """Once frames arrive (the socket NIC's receive interrupts go up),
    kldunload if_vioif."""
    oid = "dev.%s.vq.0.interrupts" % re.sub(r"(\d+)$", r".\1",
                                            socket_nic(rsh)[1])
    first = sysctl_u64(rsh, oid)
    for _ in range(2000):
        if sysctl_u64(rsh, oid) > first:
            break
    else:
        raise AssertionError("no frame arrived: %s stayed %d"
                             % (oid, first))
    # A panic's DDB prompt ends the wait, its backtrace in OUT.
    rsh.send("kldunload if_vioif")
    out = rsh.expect(rb"dfly> |db> ")
    assert "kldunload: if_vioif unloaded" in out, out
    assert_alive(rsh)


def mbufs_in_use(sh):
    """Mbufs, clusters and jumbo clusters in use: the first three longs
    of kern.ipc.mbstat, which DragonFly counts up on allocation and down
    on free."""
    out = sh.command("sysctl kern.ipc.mbstat")
    assert "kern.ipc.mbstat: (" in out, out
    return sum(int(w) for w in out.split("bytes)")[1].split()[:3])


FAILED_POSTS = 200


@pytest.mark.skipif(not ON_INVARIANTS, reason="dev.vioif.N.fail_rxpost "
                    "is in modules built with INVARIANTS only")
def test_invariants_rx_post_failure_leaks_no_mbuf(sh):
    """When the replacement of a received buffer cannot be posted (the
    injected failure: dev.vioif.0.fail_rxpost, the next N posts), the
    frame is dropped and counted, its own mbuf freed and the ring keeps
    its slot: after a flood through 200 such failures the mbufs and
    clusters in use are back where they were, and ping still works."""
    sh.command("ifup vioif0 10.0.2.15/24")
    ping_ok(sh)
    base = mbufs_in_use(sh)
    dropped = sysctl_u64(sh, "dev.vioif.0.rx_dropped")
    # Failures from the first reply on would have the flood wait a
    # second for each: they start once it runs.
    out = sh.command("bg flood 10.0.2.2 5000")
    assert "bg: started pid" in out, out
    seen = wait_for(sh, out, "flood: under way")
    out = sh.command("sysctl dev.vioif.0.fail_rxpost=%d" % FAILED_POSTS)
    assert "set to %d" % FAILED_POSTS in out, out
    seen += out
    for _ in range(2000):
        out = sh.command("sysctl dev.vioif.0.fail_rxpost")
        seen += out
        if "fail_rxpost: 0\n" in out or "flood: ended" in seen:
            break
    seen = wait_for(sh, seen, "flood: ended: ")
    assert sysctl_u64(sh, "dev.vioif.0.fail_rxpost") == 0, seen
    assert sysctl_u64(sh, "dev.vioif.0.rx_dropped") - dropped \
        >= FAILED_POSTS
    ping_ok(sh)
    after = mbufs_in_use(sh)
    print("mbufs in use: %d before, %d after %d failed posts"
          % (base, after, FAILED_POSTS))
    # One leaked mbuf and cluster per failure before the fix.
    assert after - base < FAILED_POSTS // 4, (base, after)


def test_kldunload_vioblk_during_reads(sh):
    """vioblk unloaded while a reader loops on its disk: either between
    two reads (the reader then fails with an error, not a wrong answer)
    or, the disk being open, refused with EBUSY until the reader is done.
    Either way the kernel survives, and the disk is back and intact after
    kldload."""
    seed, lba, count = pattern.DEFAULT_SEED, 4096, 128
    args = "%d %d %d" % (lba, count, seed)
    assert "ok" in sh.command("blk write %s" % args)
    out = sh.command("bg repeat 1000 blk read %s" % args)
    assert "bg: started pid" in out, out
    seen = wait_for(sh, out, "blk read: ")
    out = sh.command("kldunload vioblk")
    seen += out
    assert "kldunload: vioblk unloaded" in out or "EBUSY" in out, out
    seen = wait_for(sh, seen, "repeat: ")
    if "kldunload: vioblk unloaded" in out:
        assert "error: blk read" in seen and "mismatch" not in seen, seen
    else:
        seen = wait_for(sh, seen, "runs ok")
        assert_alive(sh)
        out = sh.command("kldunload vioblk")
        assert "kldunload: vioblk unloaded" in out, out
    assert_alive(sh)
    out = sh.command("kldload %s/vioblk.ko" % MODULES)
    assert "loaded as id" in out, out
    out = sh.command("blk read %s" % args)
    assert "blk read: %d sectors at LBA %d ok" % (count, lba) in out, out


def test_kldunload_vioblk_while_open(sh):
    """A disk held open keeps its driver: kldunload answers EBUSY and
    the disk goes on working; once closed, it unloads and comes back."""
    seed, lba, count = pattern.DEFAULT_SEED + 3, 8192, 64
    args = "%d %d %d" % (lba, count, seed)
    assert "ok" in sh.command("blk write %s" % args)
    out = sh.command("blk open vioblk0")
    assert "held as fd " in out, out
    fd = out.split("held as fd ")[1].split()[0]
    out = sh.command("kldunload vioblk")
    assert "EBUSY" in out and "unloaded" not in out, out
    assert [ln for ln in probe_lines(sh) if ln.startswith("vioblk0 blk ")]
    out = sh.command("blk read %s" % args)
    assert "blk read: %d sectors at LBA %d ok" % (count, lba) in out, out
    assert "closed" in sh.command("blk close %s" % fd)
    out = sh.command("kldunload vioblk")
    assert "kldunload: vioblk unloaded" in out, out
    out = sh.command("kldload %s/vioblk.ko" % MODULES)
    assert "loaded as id" in out, out
    out = sh.command("blk read %s" % args)
    assert "blk read: %d sectors at LBA %d ok" % (count, lba) in out, out


def ifconfig(sh, args):
    out = sh.command("ifconfig vioif0 %s" % args)
    assert "ifconfig: vioif0 flags" in out, out
    return out


def poll_until(sh, cmd, text, looks=2000):
    """Run CMD until its answer holds TEXT: each look is a round trip
    through the guest, so this waits for the event, not for a time."""
    for _ in range(looks):
        out = sh.command(cmd)
        if text in out:
            return out
    raise AssertionError("%r never showed %r: %s" % (cmd, text, out))


def ping_ok(sh):
    out = sh.command("ping 10.0.2.2 3")
    assert "ping: 3/3 replies" in out, out


GUEST_CSUM = 1 << 1


RXCSUM = 0x1
# struct udpstat (netinet/udp_var.h): 16 u_longs, one structure per CPU
# in net.inet.udp.stats.
UDPSTAT_WORDS = 16
UDPSTAT = {"ipackets": 0, "badsum": 2, "fullsock": 7}
TAP_DATAGRAMS = 1000
TAP_PORT = 9001
# The host sends bursts of TAP_BURST datagrams, each once QEMU has read
# the one before from the tap (the tap's tx_packets) and TAP_PAUSE
# seconds more have passed, for udprecv to take them from its socket:
# a burst is far less than the guest's receive ring, the tap's queue
# or udprecv's socket buffer (512 KiB of mbufs, some 200 datagrams)
# hold.
TAP_BURST = 50
TAP_PAUSE = 0.01


@pytest.fixture(scope="module", params=RUNTIME_CONFIGS,
                ids=[c.id for c in RUNTIME_CONFIGS])
def tap_guest(request):
    """The runtime guest with a second NIC, vioif1, on a host tap with
    the virtio-net header (vmlib.tap): that device offers checksum
    offloads, and the host's stack sends the guest partial checksums
    while the guest's offloads say it takes them."""
    why = tapmod.unavailable()
    if why:
        pytest.skip(why)
    m = boot("dragonfly", request.param,
             "dragonfly-tap-" + request.param.id, tap_net=True)
    try:
        yield m
    finally:
        shut_down(m)


def udpstat(sh):
    """DragonFly's UDP counters (UDPSTAT), summed over the CPUs."""
    out = sh.command("sysctl net.inet.udp.stats")
    words = [int(w) for w in out.split("bytes)")[-1].split()]
    assert words and len(words) % UDPSTAT_WORDS == 0, out
    return {k: sum(words[i::UDPSTAT_WORDS]) for k, i in UDPSTAT.items()}


def tap_ifconfig(sh, args=""):
    """ifconfig vioif1 ARGS; (capabilities, enabled)."""
    out = sh.command("ifconfig vioif1 %s" % args)
    assert "ifconfig: vioif1 flags" in out, out
    return (int(out.split("caps ")[1].split()[0], 16),
            int(out.split("enabled ")[1].split()[0], 16))


def tap_offloads(sh):
    return sysctl_value(sh, "dev.vioif.1.guest_offloads")


def host_to_guest_udp(m, sh):
    """TAP_DATAGRAMS datagrams from a host socket to the guest's
    udprecv; returns what udprecv said and the guest's UDP counters
    (after minus before)."""
    tap = m.tap
    before = udpstat(sh)
    sh.send("udprecv %d 10" % TAP_PORT)
    sh.expect(rb"udprecv: listening on \d+")
    read0, dropped0 = tap.stats("tx_packets"), tap.stats("tx_dropped")
    deadline = time.monotonic() + timeouts.seconds(120)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for i in range(TAP_DATAGRAMS):
            # Every byte different from one datagram to the next: a
            # checksum left partial never comes out right by chance.
            s.sendto(bytes((i + j) & 0xff for j in range(256)),
                     (tap.guest_addr, TAP_PORT))
            if (i + 1) % TAP_BURST:
                continue
            while tap.stats("tx_packets") - read0 < i + 1:
                assert time.monotonic() < deadline, \
                    "QEMU stopped reading the tap after %d datagrams" % i
                time.sleep(0.001)
            time.sleep(TAP_PAUSE)
    out = sh.expect(timeout=120)
    assert tap.stats("tx_dropped") == dropped0, "the host's tap dropped"
    after = udpstat(sh)
    return out, {k: after[k] - before[k] for k in after}


def assert_all_arrive(m, sh):
    """Every datagram reached the guest's UDP input (none is lost on
    the host: the tap dropped none and QEMU reads it only when the
    guest's ring has buffers), none with a bad checksum, and udprecv
    got all but those its full socket refused, at least 95 %: those
    depend on the host's load only, never on checksums."""
    out, got = host_to_guest_udp(m, sh)
    print("udp: %s %s" % (out.strip().splitlines()[-1], got))
    received = int(re.search(r"udprecv: received (\d+)", out).group(1))
    # At least: the host may send the new interface a stray datagram
    # of its own (e.g. a resolver's multicast query).
    assert got["ipackets"] >= TAP_DATAGRAMS and got["badsum"] == 0, \
        (out, got)
    assert received + got["fullsock"] == TAP_DATAGRAMS, (out, got)
    assert received >= TAP_DATAGRAMS * 95 // 100, (out, got)


def test_rxcsum_off_tells_the_device_on_a_host_tap(tap_guest):
    """-rxcsum must tell the device to stop partial checksums and large
    receive segments (CTRL_GUEST_OFFLOADS): QEMU then has the host's
    tap stop them (TUNSETOFFLOAD), and the host sends full checksums.
    Without it, the host goes on sending partial ones, which the guest's
    stack, told nothing by the driver, finds bad and drops (udps_badsum).
    On a host tap: QEMU's user-mode network has no virtio-net header, so
    its device offers no receive checksum to turn off.  With rxcsum
    on, off and on again, every datagram from the host reaches the
    guest's UDP input, none with a bad checksum (assert_all_arrive)."""
    m = tap_guest
    with Console.of(m, timeout=120) as sh:
        nic = [ln for ln in probe_lines(sh) if ln.startswith("vioif1 ")]
        assert nic, probe_lines(sh)
        assert int(nic[0].split("features ")[1].split()[0], 16) & \
            GUEST_CSUM, nic
        out = sh.command("ifup vioif1 %s/24" % m.tap.guest_addr)
        assert "ifup: vioif1 %s/24 up" % m.tap.guest_addr in out, out
        out = sh.command("ping %s 3" % m.tap.host_addr)
        assert "ping: 3/3 replies" in out, out
        caps, enabled = tap_ifconfig(sh)
        assert caps & RXCSUM and enabled & RXCSUM, (caps, enabled)
        assert tap_offloads(sh) & GUEST_CSUM
        assert m.tap.host_csum_offload()
        assert_all_arrive(m, sh)
        caps, enabled = tap_ifconfig(sh, "-rxcsum")
        assert not enabled & RXCSUM, (caps, enabled)
        assert tap_offloads(sh) == 0
        assert_all_arrive(m, sh)
        assert not m.tap.host_csum_offload()
        caps, enabled = tap_ifconfig(sh, "rxcsum")
        assert enabled & RXCSUM, (caps, enabled)
        assert tap_offloads(sh) & GUEST_CSUM
        assert m.tap.host_csum_offload()
        assert_all_arrive(m, sh)
        out = sh.command("ping %s 3" % m.tap.host_addr)
        assert "ping: 3/3 replies" in out, out


def test_ifconfig_lladdr_and_mtu(sh):
    """lladdr is the address the device filters for, mtu 9000 is taken;
    ping is answered after each."""
    sh.command("ifup vioif0 10.0.2.15/24")
    assert "mtu 9000" in ifconfig(sh, "mtu 9000")
    ping_ok(sh)
    assert "mtu 1500" in ifconfig(sh, "mtu 1500")
    # The device filters unicast for the address it was told: an address
    # the stack uses but the device does not know gets no replies.
    for mac in ("02:df:00:00:00:13", "52:54:00:12:34:56"):
        ifconfig(sh, "lladdr %s" % mac)
        ping_ok(sh)


def test_guest_announce_acknowledged(guest, sh):
    """QEMU's announce_self (as after a migration) sets the device's
    ANNOUNCE status: the driver announces itself and acknowledges."""
    sh.command("ifup vioif0 10.0.2.15/24")
    oid = "sysctl dev.vioif.0.announced"
    before = int(sh.command(oid).split(": ")[-1])
    hmp(guest, "announce_self")
    for _ in range(2000):
        if int(sh.command(oid).split(": ")[-1]) > before:
            break
    else:
        raise AssertionError("the announcement was never acknowledged")
    ping_ok(sh)


def test_set_link_seen_by_the_guest(guest, sh):
    """QEMU's set_link off/on reaches the interface's link state."""
    sh.command("ifup vioif0 10.0.2.15/24")
    assert "link up" in ifconfig(sh, "")
    hmp(guest, "set_link vnet0 off")
    poll_until(sh, "ifconfig vioif0", "link down")
    hmp(guest, "set_link vnet0 on")
    poll_until(sh, "ifconfig vioif0", "link up")
    ping_ok(sh)


def test_block_resize_seen_by_the_guest(guest, sh):
    """QEMU's block_resize: the configuration interrupt reaches vioblk,
    the disk grows, and the sectors past the old end work."""
    hmp(guest, "block_resize vblk0 128M")
    wait_for(sh, "", "vioblk0: capacity now %d sectors" % (128 << 11))
    seed, lba, count = pattern.DEFAULT_SEED + 9, (64 << 11) + 4096, 32
    args = "%d %d %d" % (lba, count, seed)
    out = sh.command("blk write %s" % args)
    assert "blk write: %d sectors at LBA %d ok" % (count, lba) in out, out
    out = sh.command("blk read %s" % args)
    assert "blk read: %d sectors at LBA %d ok" % (count, lba) in out, out


def test_balloon_asked_for_more_than_the_guest_has(guest, sh):
    """The host wants all but 1 MiB of the guest's memory: the balloon
    takes what the guest can spare, says it is short, and the guest goes
    on working; viomb unloads and loads while it retries; given its
    memory back, the balloon empties."""
    hmp(guest, "balloon 1")
    out = wait_for(sh, "", "target pages, trying again every second")
    assert "out of pages at " in out, out
    target, actual = balloon_pages(sh)
    assert 0 < actual < target, (target, actual)
    assert_alive(sh)
    assert "mem: total" in sh.command("mem")
    seed, lba, count = pattern.DEFAULT_SEED + 5, 12288, 16
    args = "%d %d %d" % (lba, count, seed)
    assert "ok" in sh.command("blk write %s" % args)
    assert "ok" in sh.command("blk read %s" % args)
    # Unloaded while it retries, and loaded again: it takes up the
    # host's target where a fresh driver must, from nothing.
    out = sh.command("kldunload viomb")
    assert "kldunload: viomb unloaded" in out, out
    assert_alive(sh)
    out = sh.command("kldload %s/viomb.ko" % MODULES)
    assert "loaded as id" in out, out
    out = wait_for(sh, out, "target pages, trying again every second")
    assert "out of pages at " in out, out
    hmp(guest, "balloon %d" % DragonFlyKernel.memory_mb)
    # Each look is a round trip through the guest; the deflate is done
    # when the driver says so, within the shell's timeout per look.
    for _ in range(10000):
        target, actual = balloon_pages(sh)
        if target == 0 and actual == 0:
            break
    assert (target, actual) == (0, 0)
    assert "balloon" in hmp(guest, "info balloon")


def assert_intx_and_checks(m):
    """Every device of M runs on INTx, and blkio and ping pass."""
    sh = synced_shell(m)
    try:
        lines = probe_lines(sh)
    finally:
        sh.close()
    assert len(lines) == 3, lines
    for ln in lines:
        assert " modern " in ln and " intx ok on vio_pci" in ln, ln
    check(m, "blkio")
    check(m, "ping")


def test_intx_when_msix_is_off(boot_guest):
    assert_intx_and_checks(boot_guest("dragonfly", Config(
        "modern", "q35", options={"hw.vio.pci.disable_msix": "1"}),
        "dragonfly-intx"))


def test_intx_when_the_device_has_no_msix(boot_guest):
    """QEMU's vectors=0: the devices have no MSI-X table at all, and
    vio_pci falls back (QEMU's virtio-pci has no MSI capability, so to
    INTx)."""
    no_vectors = WithGlobals("virtio-blk-pci.vectors=0",
                             "virtio-net-pci.vectors=0")
    assert_intx_and_checks(boot_guest(no_vectors, Config("modern", "q35"),
                                      "dragonfly-novectors"))


def test_msix_vectors_only_those_the_child_uses(boot_guest):
    """A disk offering 8 MSI-X vectors gets 2 (configuration and its one
    queue): the rest stay with the system, and the disk works."""
    m = boot_guest(WithGlobals("virtio-blk-pci.vectors=8"),
                   Config("modern", "q35"),
                   "dragonfly-vectors")
    log = m.serial_bytes().decode(errors="replace")
    blk = [ln for ln in log.splitlines()
           if ln.startswith("vio_pci") and "interrupts" in ln]
    assert "modern interface, msix interrupts (2)" in blk[0], blk
    check(m, "blkio")


def sysctl_u64(sh, name):
    out = sh.command("sysctl " + name)
    lines = [ln for ln in out.splitlines() if ln.startswith(name + ": ")]
    assert lines, out
    return int(lines[0].split(": ")[1])


def queue_requests(sh, nqueues):
    """What each of vioblk0's request queues carried so far."""
    return [sysctl_u64(sh, "dev.vioblk.0.queue.%d.requests" % q)
            for q in range(nqueues)]


def test_a_queue_per_cpu_takes_that_cpus_requests(boot_guest):
    """Two CPUs, a disk with four queues: vioblk uses two, each with its
    own MSI-X vector, a request goes to the queue of the CPU that
    submits it (the init's oncpu binds the shell's child to a CPU), and
    its completion comes back on that CPU."""
    seed, lba, count = pattern.DEFAULT_SEED, pattern.DEFAULT_LBA, 64
    m = boot_guest("dragonfly", Config("modern", "q35",
                                       {"blk.num-queues": "4"}, smp=2),
                   "dragonfly-mq")
    log = m.serial_bytes().decode(errors="replace")
    # Configuration, then a vector for each queue.
    assert "vio_pci0: modern interface, msix interrupts (3)" in log, log
    assert re.search(r"vioblk0: \d+ sectors of 512 bytes, 2 queues", log)
    sh = synced_shell(m)
    try:
        assert sysctl_u64(sh, "dev.vioblk.0.queues") == 2
        for cpu, op in ((0, "write"), (1, "read"), (0, "read"),
                        (1, "write")):
            before = queue_requests(sh, 2)
            out = sh.command("oncpu %d blk %s %d %d %d"
                             % (cpu, op, lba, count, seed))
            assert "blk %s: %d sectors at LBA %d ok" % (op, count, lba) \
                in out, out
            after = queue_requests(sh, 2)
            assert after[cpu] > before[cpu], (cpu, op, before, after)
            # After a write through the whole disk, its close has
            # DragonFly's disk thread (on CPU 0) read the slice table
            # and label again; a read leaves the other queue alone.
            if op == "read":
                assert after[1 - cpu] == before[1 - cpu], (cpu, op,
                                                           before, after)
        intrs = [sysctl_u64(sh, "dev.vio_pci.0.vq.%d.interrupts" % q)
                 for q in range(2)]
        where = [sysctl_u64(sh, "dev.vioblk.0.queue.%d.intr_cpu" % q)
                 for q in range(2)]
    finally:
        sh.close()
    assert all(n > 0 for n in intrs), intrs
    # Each queue's vector interrupts the CPU that submits to it.
    assert where == [0, 1], where


def test_rx_buffers_raise_the_cluster_limit(boot_guest):
    """The page clusters vioif pins in its rings (no mergeable buffers)
    count in the system's jumbo cluster limit, not in ether_ifattach()'s
    default of standard clusters: the limit drops by them on kldunload
    and comes back on kldload, and ping works."""
    m = boot_guest(WithGlobals("virtio-net-pci.mrg_rxbuf=off"),
                   Config("transitional", "pc"),
                   "dragonfly-nomrg")
    sh = synced_shell(m)
    try:
        oid = "sysctl kern.ipc.nmbjclusters"
        loaded = int(sh.command(oid).split(": ")[-1])
        out = sh.command("kldunload if_vioif")
        assert "kldunload: if_vioif unloaded" in out, out
        unloaded = int(sh.command(oid).split(": ")[-1])
        out = sh.command("kldload %s/if_vioif.ko" % MODULES)
        assert "loaded as id" in out, out
        assert loaded - unloaded >= 64, (loaded, unloaded)
        assert int(sh.command(oid).split(": ")[-1]) == loaded
        sh.command("ifup vioif0 10.0.2.15/24")
        ping_ok(sh)
    finally:
        sh.close()


def sysctl_value(sh, oid):
    out = sh.command("sysctl %s" % oid)
    assert out.count(": ") == 1, out
    return int(out.split(": ")[-1])


def test_large_transfers_on_a_disk_of_few_segments(boot_guest):
    """QEMU's virtio-blk says seg_max = queue-size - 2: with queue-size=4
    a request carries 2 data segments, so vioblk tells the disk layer it
    takes a page at a time (si_iosize_max), which DragonFly's physio and
    devfs cut every transfer to.  64 KiB reads and writes (the init's
    read(2) size) at an odd LBA reach the disk whole and come back
    equal."""
    m = boot_guest(WithGlobals("virtio-blk-pci.queue-size=4"),
                   Config("transitional", "pc"), "dragonfly-segmax")
    sh = synced_shell(m)
    try:
        assert sysctl_value(sh, "dev.vioblk.0.seg_max") == 2
        assert sysctl_value(sh, "dev.vioblk.0.iosize_max") == 4096
        seed, lba, count = pattern.DEFAULT_SEED + 5, 4097, 1000
        args = "%d %d %d" % (lba, count, seed)
        out = sh.command("blk write %s" % args)
        assert "blk write: %d sectors at LBA %d ok" % (count, lba) in out, \
            out
        out = sh.command("blk read %s" % args)
        assert "blk read: %d sectors at LBA %d ok" % (count, lba) in out, \
            out
        assert_alive(sh)
    finally:
        sh.close()
    check(m, "blkio")


CTRL_VLAN = 1 << 19


def test_per_unit_tunable_as_dragonfly_reads_it(boot_guest):
    """dev.vioif.0.vlan_filter=1, the per-unit form DragonFly's
    device_getenv_int() reads, negotiates the device's VLAN filter."""
    m = boot_guest("dragonfly", Config("transitional", "pc", options={
        "dev.vioif.0.vlan_filter": "1"}), "dragonfly-tunable")
    sh = synced_shell(m)
    try:
        net = [ln for ln in probe_lines(sh) if ln.startswith("vioif0 ")]
        out = sh.command("sysctl dev.vioif.0.vlan_add")
    finally:
        sh.close()
    assert net, net
    features = int(net[0].split("features ")[1].split()[0], 16)
    assert features & CTRL_VLAN, net
    assert "error" not in out, out


def test_control_row_runs_dragonflys_own_drivers(boot_guest):
    m = boot_guest("dragonfly", Config("transitional", "pc", options={
        "drivers": "dragonfly"}), "dragonfly-control")
    sh = Console.of(m, timeout=120)
    try:
        names = sorted(ln.split()[0] for ln in probe_lines(sh))
        kld = sh.command("kldstat")
    finally:
        sh.close()
    assert names == ["vtballoon0", "vtblk0", "vtnet0"], names
    assert "vio_pci.ko" not in kld and "virtio_pci.ko" in kld, kld


def test_two_disks_and_a_read_only_one(boot_guest, tmp_path):
    seed, lba, count = pattern.DEFAULT_SEED, pattern.DEFAULT_LBA, 16
    ro = tmp_path / "ro.raw"
    with open(ro, "wb") as f:
        f.truncate(16 << 20)
        f.seek(lba * 512)
        f.write(pattern.pattern(seed, lba, count))
    m = boot_guest(WithDisks(str(ro)), Config("transitional", "q35"),
                   "dragonfly-disks")
    sh = Console.of(m, timeout=120)
    try:
        disks = [ln.split()[0] for ln in probe_lines(sh) if " blk " in ln]
        assert len(disks) == 3, disks
        # Which disk is which: by the serial number QEMU gave each.
        by_serial = {}
        for dev in disks:
            out = sh.command("sysctl dev.vioblk.%s.serial" % dev[len("vioblk"):])
            by_serial[out.strip().rsplit(": ", 1)[-1]] = dev
        assert sorted(by_serial) == ["dfly-virtio-%d" % i for i in range(3)]
        main, rw, ro_dev = (by_serial["dfly-virtio-%d" % i]
                            for i in range(3))
        args = "%d %d" % (lba, count)
        # Two writable disks, each with its own data.
        for dev, s in ((main, seed), (rw, seed + 7)):
            out = sh.command("blk write %s %d %s" % (args, s, dev))
            assert "blk write: %d sectors at LBA %d ok" % (count, lba) \
                in out, out
        for dev, s in ((main, seed), (rw, seed + 7)):
            out = sh.command("blk read %s %d %s" % (args, s, dev))
            assert "blk read: %d sectors at LBA %d ok" % (count, lba) \
                in out, out
        # The read-only disk reads what the host put there ...
        out = sh.command("blk read %s %d %s" % (args, seed, ro_dev))
        assert "blk read: %d sectors at LBA %d ok" % (count, lba) in out, \
            out
        # ... and refuses writes with an error, not a hang or a panic.
        out = sh.command("blk write %s %d %s" % (args, seed + 1, ro_dev))
        assert "error: blk write: /dev/%s at LBA %d: EROFS" % (ro_dev, lba) \
            in out, out
        out = sh.command("blk read %s %d %s" % (args, seed, ro_dev))
        assert "ok" in out, out
    finally:
        sh.close()
    # The base of the read-only disk is as the host made it.
    with open(ro, "rb") as f:
        f.seek(lba * 512)
        assert f.read(count * 512) == pattern.pattern(seed, lba, count)


def test_halt_leaves_qemu_with_the_status(boot_guest):
    """halt CODE: the init writes CODE to isa-debug-exit through /dev/io;
    the harness reads it back from QEMU's exit status."""
    m = boot_guest("dragonfly", Config("transitional", "pc"),
                   "dragonfly-halt")
    sh = Console.of(m, timeout=120)
    try:
        sh.send("halt 5")
        rc = m.wait()
    finally:
        sh.close()
    assert m.profile.exit_status(rc) == 5, rc


def test_a_panic_fails_the_check_at_once_with_a_backtrace(boot_guest):
    """A kernel that stops in DDB fails the running check with the panic
    and DDB's trace, instead of a timeout much later."""
    m = boot_guest("dragonfly", Config("transitional", "pc"),
                   "dragonfly-panic")
    sh = Console.of(m, timeout=120)
    try:
        sh.send("sysctl debug.panic=1")
        sh.expect(rb"db> ", timeout=120)
    finally:
        sh.close()
    t0 = time.monotonic()
    rc, out = run_expect(m, "probe")
    took = time.monotonic() - t0
    assert rc == 1, out
    assert "kernel entered its debugger" in out, out
    # DDB's trace, run by the check, shows the way into the panic; the
    # panic message itself is in the console tail a failure shows.
    assert "sys___sysctl()" in out.split("backtrace:", 1)[1], out
    assert "panic: sysctl_debug_panic" in m.serial_tail(lines=60)
    # Without the debugger check, probe would wait out its 3 x 10 s
    # attempts at a shell prompt (lib.tcl serial_sync) and then fail with
    # "no shell prompt".
    assert "no shell prompt" not in out
    print("probe failed %.1f s after the panic" % took)


def tx_queue_counters(sh, parent):
    """(frames posted, interrupts taken) of transmit queue 1 of the
    virtio device PARENT (vio_pciN), from our vq sysctls."""
    node = re.sub(r"(\d+)$", r".\1", parent)
    got = []
    for name in ("requests", "interrupts"):
        out = sh.command("sysctl dev.%s.vq.1.%s" % (node, name))
        got.append(int(re.search(r": (\d+)", out).group(1)))
    return tuple(got)


def test_a_full_transmit_ring_restarts_on_its_interrupt(boot_guest):
    """vioif takes its transmit interrupt only when the ring is full,
    and that interrupt must restart the queue.  Two guests on a socket
    network; the receiving QEMU is stopped, so the link backs up and the
    sender's ring fills; once the receiver runs again every datagram
    gets out and the receiver counts them."""
    rx, tx = socket_pair(boot_guest, "udp")
    with Console.of(rx, timeout=120) as rsh, \
            Console.of(tx, timeout=120) as tsh:
        socket_pair_up(rsh, tsh)
        parent = socket_nic(tsh)[1]
        rsh.send("udprecv 9000 600")
        rsh.expect(rb"udprecv: listening")
        hmp(rx, "stop")
        before = tx_queue_counters(tsh, parent)
        # More than the host's socket buffers between the QEMUs hold.
        out = tsh.command("bg udpsend 10.0.3.1 9000 100000 64")
        assert "bg: started pid" in out, out
        # The ring is full once frames stop being posted.
        posted, deadline = before[0], time.monotonic() + 300
        while True:
            time.sleep(0.5)
            now = tx_queue_counters(tsh, parent)
            if now[0] == posted and now[0] > before[0]:
                break
            posted = now[0]
            assert time.monotonic() < deadline, "the ring never filled"
        hmp(rx, "cont")
        seen = wait_for(tsh, "", "udpsend: sent 100000 ")
        assert tx_queue_counters(tsh, parent)[1] > before[1], seen
        got = re.search(r"udprecv: received (\d+)",
                        wait_for(rsh, "", "elapsed_us"))
        assert got and int(got.group(1)) > 0
