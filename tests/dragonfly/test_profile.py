# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""The harness's dragonfly profile, as far as it can be checked without a
DragonFly image: when it is available, what it boots, what its drivers
CD carries.  Booting it is tests/e2e's job on a host with the image."""

import os
import shutil
import subprocess
import sys

import pytest

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(TOP, "harness"))

pytest.importorskip("profiles.base",
                    reason="harness profiles not in this checkout")
import profiles  # noqa: E402
from profiles import dragonfly_media as dragonfly  # noqa: E402
from profiles.base import Config  # noqa: E402
from vmlib import matrix, pattern  # noqa: E402
from vmlib.rundir import RunDir  # noqa: E402


@pytest.fixture
def env(monkeypatch, tmp_path):
    for k in ("DFLY_IMAGE", "DFLY_VERSION", "DFLY_CACHE", "DFLY_MODULES",
              "DFLY_KO_DIR"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("DFLY_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("DFLY_KO_DIR", str(tmp_path / "ko"))
    return monkeypatch


def test_without_an_image_the_profile_says_how_to_make_one(env):
    p = profiles.get("dragonfly-media")
    assert p.unavailable() == (
        "DragonFly image not found: run make dragonfly-image (needs "
        "DragonFly release media; see README)")


def test_the_image_path_follows_version_cache_and_override(env, tmp_path):
    env.setenv("DFLY_VERSION", "6.2.1")
    assert dragonfly.base_image() == str(
        tmp_path / "cache" / "dfly-6.2.1-base.qcow2")
    img = tmp_path / "mine.qcow2"
    img.write_bytes(b"")
    env.setenv("DFLY_IMAGE", str(img))
    assert profiles.get("dragonfly-media").unavailable() is None


def test_only_modern_devices_are_checked(env):
    # DragonFly's built-in virtio_pci claims legacy/transitional ids.
    p = profiles.get("dragonfly-media")
    rows = [r for r in matrix.read() if r.guest == "dragonfly-media"]
    assert rows and {r.config.transport for r in rows} == {"modern"}
    assert p.config_unsupported(Config("modern")) is None
    why = p.config_unsupported(Config("transitional"))
    assert "built-in virtio_pci" in why and "--transport modern" in why


def test_prebuilt_mode_needs_the_host_modules(env, tmp_path):
    img = tmp_path / "base.qcow2"
    img.write_bytes(b"")
    env.setenv("DFLY_IMAGE", str(img))
    env.setenv("DFLY_MODULES", "prebuilt")
    with pytest.raises(dragonfly.HarnessError, match="make dragonfly-check"):
        profiles.get("dragonfly-media").prepare()
    env.setenv("DFLY_MODULES", "sideways")
    with pytest.raises(dragonfly.HarnessError, match="DFLY_MODULES"):
        profiles.get("dragonfly-media").prepare()


def test_drivers_cd_carries_sources_modules_and_the_pattern(tmp_path):
    ko = tmp_path / "ko"
    ko.mkdir()
    (ko / "vio_pci.ko").write_bytes(b"\x7fELF")
    files = dragonfly.drivers_cd_files((7, 100, 2), "build", str(ko))
    assert files["pattern.bin"] == pattern.pattern(7, 100, 2)
    assert files["mode"] == "build\n"
    assert files["drivers"] == ("copy", os.path.join(TOP, "drivers"))
    assert "ko/vio_pci.ko" in files and "ko/vioblk.ko" not in files
    assert os.access(dragonfly.BOOT_SCRIPT, os.X_OK)


@pytest.mark.skipif(not (shutil.which("qemu-img") and shutil.which("xorriso")),
                    reason="qemu-img and xorriso needed (make deps)")
def test_boot_args_use_an_overlay_on_ahci_and_a_drivers_cd(env, tmp_path):
    base = tmp_path / "base.qcow2"
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", str(base),
                    "16M"], check=True)
    before = base.read_bytes()
    env.setenv("DFLY_IMAGE", str(base))
    run = RunDir("dfly-profile-test", root=str(tmp_path / "runs"))
    argv = profiles.get("dragonfly-media").boot_args(
        run, Config("modern", "pc"))
    assert "ahci,id=ahci" in argv
    root = run.file("root.qcow2")
    assert "if=none,id=root,file=%s,format=qcow2" % root in argv
    assert "ide-cd,drive=drvcd,bus=ahci.1" in argv
    assert not any("virtio" in a for a in argv)
    info = subprocess.run(["qemu-img", "info", root], text=True,
                          stdout=subprocess.PIPE, check=True).stdout
    assert str(base) in info
    assert os.path.getsize(run.file("drivers.iso")) > 0
    assert base.read_bytes() == before
