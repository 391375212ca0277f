# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""What the harness needs to know about a guest: the profile interface.

One subclass per guest (mini, linux, dragonfly), in harness/profiles/NAME.py,
exported as PROFILE.  The launcher asks a profile how to boot, the expect
scripts read its facts (`harness/vm facts`) and find its serial dialect in
harness/expect/profiles/NAME.tcl; the configurations the tests boot are
its rows in harness/matrix.cfg.
"""

import os

from vmlib import BUILD, disk, pattern

# virtio-mmio comes in version 1 (legacy) and 2 (virtio 1.x, "modern");
# QEMU has it on the microvm machine only, which has no PCI.
MMIO_TRANSPORTS = ("mmio-legacy", "mmio-modern")
TRANSPORTS = ("transitional", "modern", "legacy") + MMIO_TRANSPORTS
MACHINES = ("pc", "q35", "microvm")
# The virtio devices of a boot, as a property names one: blk.num-queues=4.
DEVICES = ("blk", "net", "balloon")


class Config:
    """How the virtio devices of one boot are set up (a row of
    harness/matrix.cfg names one)."""

    def __init__(self, transport="transitional", machine="pc", props=None,
                 options=None, smp=None):
        if transport not in TRANSPORTS:
            raise ValueError("transport %r not in %s" % (transport,
                                                         TRANSPORTS))
        if machine not in MACHINES:
            raise ValueError("machine %r not in %s" % (machine, MACHINES))
        if (transport in MMIO_TRANSPORTS) != (machine == "microvm"):
            raise ValueError("transport %s on machine %s: virtio-mmio "
                             "(mmio-legacy, mmio-modern) is on microvm, "
                             "PCI on pc and q35" % (transport, machine))
        if smp is not None and not (isinstance(smp, int) and smp >= 1):
            raise ValueError("smp wants a CPU count >= 1, got %r" % (smp,))
        self.transport = transport
        self.machine = machine
        # Extra properties of every virtio device, e.g. event_idx=off,
        # or of one device named before a dot, e.g. blk.num-queues=4.
        self.props = dict(props or {})
        for name in self.props:
            dev, dot, _ = name.rpartition(".")
            if dot and dev not in DEVICES:
                raise ValueError("property %r: %r is not one of %s"
                                 % (name, dev, ", ".join(DEVICES)))
        # Guest-side settings the profile understands, e.g. a kernel
        # tunable (hw.vio.pci.disable_msix=1) or which drivers to load.
        self.options = dict(options or {})
        # CPUs of the guest; None: the profile's own count (Profile.smp).
        self.smp = smp

    def device_props(self, device):
        """The properties of DEVICE (one of DEVICES): those of every
        device, then its own without their prefix."""
        props = {k: v for k, v in self.props.items() if "." not in k}
        prefix = device + "."
        props.update((k[len(prefix):], v) for k, v in self.props.items()
                     if k.startswith(prefix))
        return props

    @property
    def id(self):
        parts = [self.transport, self.machine]
        if self.smp is not None:
            parts.append("smp=%d" % self.smp)
        parts += ["%s=%s" % kv for kv in sorted(self.props.items())]
        parts += ["%s=%s" % kv for kv in sorted(self.options.items())]
        return "-".join(parts)

    @property
    def mmio(self):
        """The devices are virtio-mmio ones (on microvm), not PCI."""
        return self.transport in MMIO_TRANSPORTS

    def __repr__(self):
        return "Config(%s)" % self.id


class Profile:
    """Defaults suit a guest booted from -kernel with a scratch test disk."""

    name = None
    # Position in listings and in `make test` (smaller first).
    order = 50
    # Printed once on the serial console when the guest's shell is ready.
    ready_marker = None
    # The shell prompt, as a regular expression (Python and Tcl agree).
    prompt = None
    # Seconds from QEMU start to ready_marker under TCG on a slow host.
    boot_timeout = 120
    # Seconds a boot under KVM may take before `--accel auto` gives up on
    # KVM (vmlib.accel); fast guests keep the probe short.
    kvm_probe_seconds = 20
    memory_mb = 256
    smp = 1
    # The harness's virtio-blk, virtio-net and virtio-balloon devices
    # (off for machines that must have no virtio device, e.g. the
    # DragonFly image build in images/dragonfly/dfly_qemu.py).
    test_devices = True
    # Profiles that report their result through QEMU's exit code.
    debug_exit = False
    # The guest finds virtio-mmio devices (microvm, the mmio-* transports).
    mmio = False
    # False when the guest cannot make the device flush its cache (the
    # host then has QEMU flush before it reads the disk image).
    guest_flushes_disk = True
    # Console text that means the guest is dead (a kernel debugger
    # prompt): waiting for readiness stops at once.
    fatal_markers = ()
    # Multiplies every timeout of the expect checks (slow guests).
    timeout_scale = 1.0
    # seed, lba, count of the block pattern the blkio check writes.
    blk_params = (pattern.DEFAULT_SEED, pattern.DEFAULT_LBA,
                  pattern.DEFAULT_COUNT)
    # A shell command that prints the guest's coverage counters, which
    # the e2e tests run before stopping a guest when DFLY_VIRTIO_GCOV_LOGS
    # names a folder for the serial logs (None: no such command).
    coverage_command = None

    def facts(self):
        """What the expect scripts and other tools need to know about the
        guest, printed by `harness/vm facts` (Tcl reads it with array
        set), so each fact is written once, here."""
        seed, lba, count = self.blk_params
        return {"name": self.name, "prompt": self.prompt,
                "ready_marker": self.ready_marker,
                "memory_mb": self.memory_mb, "seed": seed, "lba": lba,
                "count": count,
                "guest_flushes_disk": int(self.guest_flushes_disk)}

    def unavailable(self):
        """None when this host can boot the guest, else a one-line reason
        saying how to make it bootable."""
        return None

    def config_unsupported(self, config):
        """None when the guest can run CONFIG, else why not."""
        if config.mmio and not self.mmio:
            return ("the %s guest has no virtio-mmio driver (microvm "
                    "rows are for guests that do)" % self.name)
        return None

    def exit_status(self, rc):
        """The guest's own exit status from QEMU's.  isa-debug-exit makes
        QEMU exit with (code << 1) | 1."""
        if self.debug_exit and rc > 0 and rc & 1:
            return rc >> 1
        return rc

    def prepare(self):
        """Build or fetch boot artifacts (cached); raise HarnessError."""

    def boot_args(self, run, config):
        """QEMU arguments that boot the guest (kernel, boot disk, ...) in
        CONFIG.  RUN is the vmlib.rundir.RunDir of this boot, for
        overlays."""
        raise NotImplementedError

    def cpu(self, accel):
        return "host" if accel == "kvm" else None

    def test_disk_base(self):
        """The base image behind the virtio-blk overlay."""
        return disk.scratch_base(os.path.join(BUILD, "scratch",
                                              "disk-64M.qcow2"))

    def verify_disk(self, image, scratch):
        """After blkio: None when IMAGE holds the pattern, else why not."""
        seed, lba, count = self.blk_params
        data = disk.read_sectors(image, lba, count, scratch)
        bad = pattern.first_mismatch(data, seed, lba, count)
        if bad is not None:
            return ("disk image differs from the pattern at LBA %d "
                    "(seed %#x)" % (bad, seed))
        return None
