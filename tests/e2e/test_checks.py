# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""The four checks on every available guest profile and configuration.

Each configuration is one boot (the module-scoped `guest` fixture); the
checks run in file order on it, balloon last.  The host confirms what the
guest says: the pattern is in the disk image, the balloon is back.
"""

import re
import sys

from vmlib.qmp import QMP

# VIRTIO_F_RING_PACKED; probe lines of these profiles show the features
# our drivers negotiated.
RING_PACKED = 1 << 34
SHOWS_FEATURES = ("mini", "dragonfly")


def test_probe(guest, run_check):
    out = run_check("probe")
    options = guest.config.options
    if (guest.config.props.get("packed") == "on"
            and guest.profile.name in SHOWS_FEATURES
            and "drivers" not in options):
        # QEMU offers packed rings: every device runs them, unless the
        # DragonFly tunable turned them off.
        want = options.get("hw.vio.pci.disable_packed") != "1"
        feats = [int(f, 16) for f in re.findall(r"\b0x([0-9a-f]+)", out)]
        assert len(feats) == 3, out
        assert all(bool(f & RING_PACKED) == want for f in feats), out


def test_blkio(guest, run_check):
    run_check("blkio")
    if guest.profile.guest_flushes_disk:
        why = guest.profile.verify_disk(guest.disk_path,
                                        guest.run.file("verify.raw"))
    else:
        # Stopping the VM makes QEMU flush every drive; the image then
        # holds what the guest wrote.
        qmp = QMP(guest.qmp_path)
        try:
            qmp.command("stop")
            why = guest.profile.verify_disk(guest.disk_path,
                                            guest.run.file("verify.raw"))
            qmp.command("cont")
        finally:
            qmp.close()
    assert why is None, why


def test_ping(guest, run_check):
    run_check("ping")


def test_balloon(guest, run_check):
    print(run_check("balloon"), file=sys.stderr)
    # The check moved the balloon there and back: QMP must agree that the
    # guest holds all of its memory again.
    qmp = QMP(guest.qmp_path)
    try:
        actual = qmp.command("query-balloon")["actual"]
    finally:
        qmp.close()
    assert actual == guest.profile.memory_mb << 20
