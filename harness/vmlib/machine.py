# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""One QEMU guest: its command line, its process, its consoles.

No QEMU may outlive the harness.  Each QEMU runs in its own process group
(the terminal's Ctrl-C reaches us, not it, and we can kill the group), dies
with its parent through PR_SET_PDEATHSIG even when the parent is SIGKILLed,
and is stopped by stop(), by atexit, and by SIGTERM/SIGHUP through
install_signal_handlers().
"""

import atexit
import ctypes
import os
import signal
import subprocess
import sys
import time

from . import HarnessError, accel as accelmod, disk, ports, timeouts
from . import tap as tapmod
from .rundir import RunDir
from .tools import require

TRANSPORT_PROPS = {
    "transitional": {"disable-legacy": "off", "disable-modern": "off"},
    "modern": {"disable-legacy": "on", "disable-modern": "off"},
    "legacy": {"disable-legacy": "off", "disable-modern": "on"},
    "mmio-legacy": {},
    "mmio-modern": {},
}
# A virtio-mmio transport's version is the transport's property, not the
# device's: QEMU's force-legacy (on by default) gives version 1.
MMIO_FORCE_LEGACY = {"mmio-legacy": "true", "mmio-modern": "false"}
# acpi=off: only then does microvm name its virtio-mmio devices on the
# kernel command line (virtio_mmio.device=...), which is how guests find
# them (images/mini/mmio.h); it also leaves one I/O APIC, lines 5 + n.
MACHINE_OPTIONS = {"microvm": "microvm,acpi=off"}
GUEST_MAC = "52:54:00:12:34:56"
# The second NIC's, on the socket network between two guests: each end
# its own (socket_net "listen" or "connect").
SOCKET_MACS = {"listen": "52:54:00:12:35:01", "connect": "52:54:00:12:35:02"}
# The second NIC's on a host tap (tap_net).
TAP_MAC = "52:54:00:12:36:01"
# Sockets and port are QEMU's to create; this long at most (scaled,
# vmlib.timeouts, like every other bound here).
STARTUP_SECONDS = 10
STOP_SECONDS = 3

_live = set()
_libc = ctypes.CDLL(None, use_errno=True)
_PR_SET_PDEATHSIG = 1


def _stop_all():
    for m in list(_live):
        m.stop()


atexit.register(_stop_all)


def install_signal_handlers():
    """Make SIGTERM and SIGHUP unwind the stack like Ctrl-C does, so the
    finally clauses and atexit stop every QEMU.  SIGINT gets Python's
    KeyboardInterrupt even when the caller ignored it (a shell without
    job control does so for commands it runs in the background), so an
    interrupt never leaves QEMU behind."""
    def handler(signum, frame):
        raise SystemExit(128 + signum)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, handler)
    signal.signal(signal.SIGINT, signal.default_int_handler)


def _child_setup(parent):
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    # The parent may have died before prctl took effect.
    if os.getppid() != parent:
        os._exit(1)


def _say(msg):
    print("vm: " + msg, file=sys.stderr, flush=True)


def _q(path):
    """A path as a QEMU option value: commas are doubled."""
    return path.replace(",", ",,")


def _device_props(config, device):
    """",NAME=VALUE..." for DEVICE (profiles.base.DEVICES) in CONFIG."""
    props = dict(TRANSPORT_PROPS[config.transport])
    props.update(config.device_props(device))
    return "".join(",%s=%s" % kv for kv in props.items())


BLK_BACKENDS = ("qcow2", "null-co")
NULL_DISK_BYTES = 1 << 30


class _DefaultConfig:
    transport = "transitional"
    machine = "pc"
    props = {}
    options = {}
    smp = None
    id = "transitional-pc"
    mmio = False

    def device_props(self, device):
        return {}


class Machine:
    """The only code that starts QEMU: tests, `make run`, `make bench` and
    the DragonFly image build (images/dragonfly) all come through here.

    serial: "unix" (a socket in the run directory), "unix:PATH",
    "unix-wait" (a socket in the run directory, and QEMU holds the guest
    until a client connects, so a dialogue misses nothing) or "stdio"
    (interactive).  monitor_port: 0 picks a free port.  qmp: the QMP
    socket path (default: in the run directory).  blk_backend: "qcow2"
    (an overlay over disk_base) or "null-co" (QEMU's null driver, the
    device-side limit for `make bench`); blk_iothread: the virtio-blk
    device runs in an iothread, concurrently with the guest's vCPU.
    socket_net: None, or ("listen", None) / ("connect", PORT): a second
    virtio-net device on a network of two guests, the first listening
    on a free loopback port (socket_net_port once started), the second
    connecting to it.  tap_net: True for that second virtio-net on a
    host tap with the virtio-net header instead (vmlib.tap; root only):
    the host side is tap.host_addr/24, the guest's tap.guest_addr; the
    tap goes away with QEMU."""

    def __init__(self, profile, config=None, accel="auto", serial="unix",
                 monitor_port=0, disk_base=None, qmp=None, label=None,
                 say=_say, blk_backend="qcow2", blk_iothread=False,
                 socket_net=None, tap_net=False):
        if blk_backend not in BLK_BACKENDS:
            raise HarnessError("blk_backend %r not in %s"
                               % (blk_backend, BLK_BACKENDS))
        self.blk_backend = blk_backend
        self.blk_iothread = blk_iothread
        if socket_net is not None and socket_net[0] not in SOCKET_MACS:
            raise HarnessError("socket_net %r: listen or connect"
                               % (socket_net,))
        if socket_net is not None and tap_net:
            raise HarnessError("socket_net and tap_net: one second NIC")
        self.socket_net = socket_net
        self.socket_net_port = None
        self.tap_net = tap_net
        self.tap = None
        self.profile = profile
        self.config = config or _DefaultConfig()
        self.accel_request = accel
        self.serial_mode = serial
        self.monitor_wanted = monitor_port
        self.disk_base = disk_base
        self.qmp_wanted = qmp
        self.label = label or "%s-%s" % (profile.name, self.config.id)
        self.say = say
        self.proc = None
        self.run = None
        self.accel = None
        self.accel_reason = None
        self.monitor_port = None

    # -- command line -------------------------------------------------
    def argv(self):
        """The QEMU command line; valid once start() chose paths/ports."""
        p, c = self.profile, self.config
        argv = [require("qemu-system-x86_64"),
                "-name", "dfly-virtio-%s" % p.name,
                "-nodefaults", "-no-user-config", "-display", "none",
                "-no-reboot",
                "-machine", MACHINE_OPTIONS.get(c.machine, c.machine),
                "-accel", self.accel, "-smp", str(c.smp or p.smp),
                "-m", str(p.memory_mb),
                "-pidfile", self.run.file("qemu.pid")]
        cpu = p.cpu(self.accel)
        if cpu:
            argv += ["-cpu", cpu]
        # The monitors come first: with serial "unix-wait" QEMU stops at
        # the serial chardev until a client connects, and the QMP socket
        # must exist by then (start() waits for it).
        argv += [
            # Loopback only: the monitor can stop and inspect the VM.
            "-chardev", "socket,id=hmp0,host=%s,port=%d,telnet=on,"
            "server=on,wait=off" % (ports.LOOPBACK, self.monitor_port),
            "-mon", "chardev=hmp0,mode=readline",
            "-chardev", "socket,id=qmp0,path=%s,server=on,wait=off"
            % _q(self.qmp_path),
            "-mon", "chardev=qmp0,mode=control"]
        log = "logfile=%s,logappend=on" % _q(self.serial_log)
        if self.serial_mode == "stdio":
            # signal=off: Ctrl-C goes to the guest; Ctrl-A x quits QEMU.
            argv += ["-chardev", "stdio,id=ser0,mux=on,signal=off," + log,
                     "-mon", "chardev=ser0,mode=readline"]
        else:
            wait = "on" if self.serial_mode == "unix-wait" else "off"
            argv += ["-chardev", "socket,id=ser0,path=%s,server=on,"
                     "wait=%s,%s" % (_q(self.serial_path), wait, log)]
        argv += ["-serial", "chardev:ser0"]
        argv += p.boot_args(self.run, self.config)
        if p.test_devices:
            argv += self._test_devices()
        if p.debug_exit:
            argv += ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
        return argv

    def _test_devices(self):
        """The devices under test: virtio-blk, -net and -balloon, on PCI
        or, on microvm, on virtio-mmio transports (-device suffix)."""
        bus, glob = "pci", []
        if self.config.mmio:
            bus = "device"
            glob = ["-global", "virtio-mmio.force-legacy=%s"
                    % MMIO_FORCE_LEGACY[self.config.transport]]
        if self.blk_backend == "null-co":
            drive = ["-blockdev", "driver=null-co,node-name=vblk0,"
                     "size=%d,read-zeroes=on" % NULL_DISK_BYTES]
        else:
            drive = ["-drive", "file=%s,if=none,id=vblk0,format=qcow2"
                     % _q(self.disk_path)]
        blk_props = _device_props(self.config, "blk")
        if self.blk_iothread:
            # poll-max-ns=0: the iothread runs the queue's handler only
            # when the guest kicks, never because polling saw new
            # requests, so the handler runs (the virtio_queue_notify
            # trace events make bench counts) are the guest's kicks.
            drive += ["-object", "iothread,id=blkio0,poll-max-ns=0"]
            blk_props += ",iothread=blkio0"
        # romfile=: no iPXE ROM, it only slows the boot (PCI only).
        rom = "" if self.config.mmio else ",romfile="
        return glob + drive + [
                "-device", "virtio-blk-%s,drive=vblk0,id=vblk0dev,"
                "serial=dfly-virtio-0%s" % (bus, blk_props),
                "-netdev", "user,id=vnet0",
                "-device", "virtio-net-%s,netdev=vnet0,id=vnet0dev,"
                "mac=%s%s%s" % (bus, GUEST_MAC, rom,
                                _device_props(self.config, "net")),
                "-device", "virtio-balloon-%s,id=balloon0%s"
                % (bus, _device_props(self.config, "balloon"))] + \
            self._second_nic(bus, rom)

    def _second_nic(self, bus, rom):
        """The second NIC, or nothing.  socket_net: a two-guest network
        on a TCP socket pair (-netdev socket listen/connect), not -netdev
        dgram: the host link between the two QEMUs then loses nothing
        and pushes back on a fast sender, so a datagram the receiving
        guest did not get was lost inside a guest.  tap_net: the host
        tap (vmlib.tap) whose descriptor QEMU inherits; QEMU sees the
        virtio-net header on it (IFF_VNET_HDR) by itself."""
        if self.socket_net is not None:
            side = self.socket_net[0]
            netdev = "socket,id=vnet1,%s=%s:%d" % (
                side, ports.LOOPBACK, self.socket_net_port)
            mac = SOCKET_MACS[side]
        elif self.tap_net:
            netdev = "tap,id=vnet1,fd=%d" % self._tap_fd()
            mac = TAP_MAC
        else:
            return []
        return ["-netdev", netdev,
                "-device", "virtio-net-%s,netdev=vnet1,id=vnet1dev,"
                "mac=%s%s%s" % (bus, mac, rom,
                                _device_props(self.config, "net"))]

    def _tap_fd(self):
        if self.tap is None or self.tap.fd is None:
            raise HarnessError("tap_net: no tap descriptor (start() "
                               "makes the tap)")
        return self.tap.fd

    # -- life cycle -----------------------------------------------------
    def start(self):
        # A missing QEMU is the first thing to say: profiles may need it
        # to tell whether they can boot at all.
        require("qemu-system-x86_64")
        require("qemu-img")
        why = self.profile.unavailable() or \
            self.profile.config_unsupported(self.config)
        if why:
            raise HarnessError("%s: %s" % (self.label, why))
        self.profile.prepare()
        self.accel, self.accel_reason = accelmod.choose(
            self.accel_request, self.profile, kvm_probe)
        self.make_run_dir()
        try:
            self._start_qemu()
        except BaseException:
            self._drop_tap()
            raise
        self.say("%s: accel %s (%s); monitor telnet %s %d; run dir %s"
                 % (self.label, self.accel, self.accel_reason,
                    ports.LOOPBACK, self.monitor_port, self.run.path))
        return self

    _taps = 0

    def _start_qemu(self):
        if self.tap_net:
            # Unique while we run: our pid, and a count of our taps.
            Machine._taps += 1
            self.tap = tapmod.Tap("dfvt%d.%d" % (os.getpid(),
                                                 Machine._taps))
        for attempt in range(3):
            self.monitor_port = (ports.pick_port(self.monitor_wanted)
                                 if attempt == 0 else ports.free_port())
            if self.socket_net is not None:
                side, port = self.socket_net
                self.socket_net_port = (port if side == "connect"
                                        else ports.free_port())
            if self._launch():
                break
        else:
            raise HarnessError("QEMU could not bind a monitor port")
        if self.tap is not None:
            self.tap.drop_fd()

    def make_run_dir(self):
        """The run directory, its sockets and the test disk's overlay."""
        self.run = RunDir(self.label)
        self.serial_log = self.run.file("serial.log")
        if self.serial_mode.startswith("unix:"):
            self.serial_path = self.serial_mode[len("unix:"):]
        else:
            self.serial_path = self.run.socket("serial.sock")
        self.qmp_path = self.qmp_wanted or self.run.socket("qmp.sock")
        self.disk_path = None
        if self.profile.test_devices:
            self.disk_path = disk.overlay(self.disk_base or
                                          self.profile.test_disk_base(),
                                          self.run.file("disk.qcow2"))

    def _launch(self):
        """Start QEMU; False if it lost its monitor port to someone."""
        argv = self.argv()
        with open(self.run.file("qemu.cmdline"), "w") as f:
            f.write(" ".join(argv) + "\n")
        stderr = open(self.run.file("qemu.stderr"), "w")
        stdio = self.serial_mode == "stdio"
        fds = (self.tap.fd,) if self.tap is not None else ()
        self.proc = subprocess.Popen(
            argv, stdin=None if stdio else subprocess.DEVNULL,
            stdout=None if stdio else subprocess.DEVNULL, stderr=stderr,
            start_new_session=True, pass_fds=fds,
            preexec_fn=lambda parent=os.getpid(): _child_setup(parent))
        stderr.close()
        self.launched = time.monotonic()
        _live.add(self)
        bound = timeouts.seconds(STARTUP_SECONDS)
        deadline = time.monotonic() + bound
        while not os.path.exists(self.qmp_path):
            if self.proc.poll() is not None:
                err = self.stderr_text()
                self._reap()
                if "in use" in err:
                    return False
                raise HarnessError("QEMU exited with status %d: %s"
                                   % (self.proc.returncode,
                                      err.strip()[-800:]))
            if time.monotonic() > deadline:
                self.stop()
                raise HarnessError("QEMU did not open its sockets within "
                                   "%g s" % bound)
            time.sleep(0.02)
        return True

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def wait(self, timeout=None):
        """Wait for QEMU to exit by itself; return its exit status.
        TIMEOUT: seconds (already scaled) before HarnessError; None waits
        as long as QEMU runs (an interactive session)."""
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise HarnessError("%s: QEMU still running after %g s\n%s"
                               % (self.label, timeout, self.serial_tail()))
        self._reap()
        return rc

    def wait_ready(self, timeout=None):
        """Wait for the profile's readiness marker on the serial console,
        at most TIMEOUT (default: the profile's boot_timeout) seconds,
        scaled by DFLY_VIRTIO_TIMEOUT_SCALE."""
        timeout = timeouts.seconds(timeout or self.profile.boot_timeout)
        marker = self.profile.ready_marker.encode()
        t0 = time.monotonic()
        while True:
            seen = self.serial_bytes()
            if marker in seen:
                # From QEMU's start: what a person waits for.
                self.boot_seconds = time.monotonic() - self.launched
                self.say("%s: ready after %.1f s" % (self.label,
                                                     self.boot_seconds))
                return self.boot_seconds
            dead = [m for m in self.profile.fatal_markers
                    if m.encode() in seen]
            if dead:
                raise HarnessError("%s: the guest died before it was ready "
                                   "(%r on the console)\n%s"
                                   % (self.label, dead[0],
                                      self.serial_tail(lines=60)))
            if not self.alive():
                raise HarnessError("QEMU exited (status %s) before the guest "
                                   "was ready: %s\n%s"
                                   % (self.proc.returncode,
                                      self.stderr_text().strip()[-400:],
                                      self.serial_tail()))
            if time.monotonic() - t0 > timeout:
                raise HarnessError("%s: no %r on the serial console within "
                                   "%g s (accel %s)\n%s"
                                   % (self.label, self.profile.ready_marker,
                                      timeout, self.accel,
                                      self.serial_tail()))
            time.sleep(0.05)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            for sig, wait in ((signal.SIGTERM,
                               timeouts.seconds(STOP_SECONDS)),
                              (signal.SIGKILL, None)):
                try:
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.proc.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    pass
        self._reap()
        self._drop_tap()

    def _drop_tap(self):
        """The tap goes with QEMU; stop() and a failed start() make
        sure."""
        if self.tap is not None and not self.alive():
            self.tap.close()
            self.say("%s: tap %s gone" % (self.label, self.tap.name))
            self.tap = None

    def _reap(self):
        if self.proc is not None:
            try:
                self.proc.wait(timeouts.seconds(STOP_SECONDS))
            except subprocess.TimeoutExpired:
                pass
        _live.discard(self)

    def cleanup(self):
        """Stop QEMU and drop the run's disks and sockets (logs stay)."""
        self.stop()
        if self.run is not None:
            self.run.cleanup()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()

    # -- consoles -------------------------------------------------------
    def serial_bytes(self, offset=0):
        try:
            with open(self.serial_log, "rb") as f:
                f.seek(offset)
                return f.read()
        except FileNotFoundError:
            return b""

    def serial_size(self):
        try:
            return os.path.getsize(self.serial_log)
        except FileNotFoundError:
            return 0

    def serial_tail(self, lines=25, offset=0):
        text = self.serial_bytes(offset).decode("utf-8", "replace")
        tail = text.replace("\r", "").splitlines()[-lines:]
        return ("--- last %d lines of %s ---\n" % (len(tail),
                                                   self.serial_log)
                + "\n".join(tail))

    def stderr_text(self):
        try:
            with open(self.run.file("qemu.stderr")) as f:
                return f.read()
        except (OSError, AttributeError):
            return ""


def kvm_probe(profile, seconds):
    """Boot PROFILE under KVM; None if it reached readiness in SECONDS."""
    m = Machine(profile, accel="kvm", label="%s-kvm-probe" % profile.name)
    try:
        m.start()
        m.wait_ready(seconds)
        return None
    except HarnessError as e:
        return str(e).splitlines()[0]
    finally:
        m.cleanup()
