# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""The mini guest: our own bare-metal kernel (images/mini) running the
shared virtio core against QEMU's devices.  It boots in well under a
second even under TCG (its rows in harness/matrix.cfg)."""

import os

from vmlib import BUILD, HarnessError

from .base import Profile

KERNEL = os.path.join(BUILD, "mini", "mini.elf")


class Mini(Profile):
    name = "mini"
    order = 10
    ready_marker = "DFLY-VIRTIO-MINI-READY"
    prompt = "mini> "
    boot_timeout = 30
    # The mini reaches its prompt in about 0.1 s under TCG and under real
    # KVM.  Nested KVM here spends 5-9 s in the firmware before our first
    # instruction and is slower than TCG for everything the checks do, so
    # --accel auto only takes a KVM that boots the mini about as fast.
    kvm_probe_seconds = 3
    memory_mb = 256
    debug_exit = True
    # It reads virtio-mmio devices from its command line (images/mini/mmio.h).
    mmio = True

    def cpu(self, accel):
        # The default model serves the mini under KVM and TCG alike; with
        # "-cpu host" QEMU 7.2 aborts under our nested KVM ("failed to set
        # MSR 0x10a"), which would cost the mini its KVM runs.
        return None

    def config_unsupported(self, config):
        if config.smp not in (None, 1):
            return "the mini runs on one CPU (smp=%d)" % config.smp
        return None

    def prepare(self):
        # make builds it before any test starts (mk/50-harness.mk).
        if not os.path.exists(KERNEL):
            raise HarnessError("%s missing: run make mini" % KERNEL)

    def boot_args(self, run, config):
        return ["-kernel", KERNEL]


PROFILE = Mini
