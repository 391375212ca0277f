# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""images/dragonfly/guest/dfly-virtio-boot.sh (run by the image's
rc.local off the drivers CD) on Linux, with stub make, kldload, kldstat
and kldconfig: which modules it builds, which it takes from the host,
the order it loads them in, and what it tells the harness."""

import os
import shutil
import subprocess
import sys

import pytest

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(TOP, "harness"))
sys.path.insert(0, os.path.join(TOP, "images", "dragonfly"))

import dfly_pfi  # noqa: E402

pytest.importorskip("profiles.base",
                    reason="harness profiles not in this checkout")
from profiles import dragonfly_media as dragonfly  # noqa: E402
from vmlib import timeouts  # noqa: E402

STUBS = os.path.join(os.path.dirname(__file__), "stubs")
SH = shutil.which("dash") or "/bin/sh"
MODULES = ["vio_pci", "vioblk", "if_vioif", "viomb"]


def boot(tmp_path, mode="build", sys_tree=True, host_ko=(), env=None):
    root = tmp_path / "guest"
    (root / "tmp").mkdir(parents=True)
    (root / "tmp" / "loaded").write_text("")
    if sys_tree:
        kmod = root / "usr" / "src" / "sys" / "conf" / "kmod.mk"
        kmod.parent.mkdir(parents=True)
        kmod.write_text("# kmod\n")
    ko = tmp_path / "host-ko"
    ko.mkdir()
    for m in host_ko:
        (ko / (m + ".ko")).write_text("built on host")
    cd = str(tmp_path / "cd")
    dfly_pfi.stage(dragonfly.drivers_cd_files((1, 2, 3), mode, str(ko)), cd)
    e = dict(os.environ, DFLY_TEST_ROOT=str(root),
             PATH=STUBS + os.pathsep + os.environ["PATH"])
    e.update(env or {})
    res = subprocess.run([SH, os.path.join(cd, "dfly-virtio-boot.sh"), cd],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, env=e, timeout=timeouts.seconds(60))
    w = root / "tmp" / "dfly-virtio"
    return (res.stdout, (root / "tmp" / "stub.log").read_text(),
            (root / "tmp" / "loaded").read_text().split(), w)


def test_builds_all_four_in_the_guest_and_loads_them_in_order(tmp_path):
    out, stubs, loaded, w = boot(tmp_path, host_ko=MODULES)
    assert loaded == MODULES
    for m in MODULES:
        assert "DFLY-VIRTIO: build %s: ok (in the guest)" % m in out
        assert "DFLY-VIRTIO: kldload %s: ok" % m in out
        assert (w / "ko" / (m + ".ko")).read_text() == "built in guest\n"
    assert "kldconfig -m -i %s" % (w / "ko") in stubs
    assert "SYSDIR=%s" % (tmp_path / "guest" / "usr" / "src" / "sys") \
        in stubs
    assert (w / "pattern.params").read_text() == "1 2 3\n"
    assert "sources built in guest: yes" in out
    assert ("modules loaded: kernel vio_pci.ko vioblk.ko if_vioif.ko "
            "viomb.ko") in out
    # The probe check greps this log for what went wrong.
    assert "kldload viomb: ok" in (w / "boot.log").read_text()


def test_a_module_that_does_not_build_falls_back_to_the_host(tmp_path):
    out, _, loaded, w = boot(tmp_path, host_ko=["viomb"],
                             env={"DFLY_TEST_FAIL_BUILD": "viomb"})
    assert "DFLY-VIRTIO: build viomb: FAILED, last lines:" in out
    assert "DFLY-VIRTIO:   viomb.c:1: error: this build was told to fail" \
        in out
    assert "DFLY-VIRTIO: module viomb: built on the host" in out
    assert loaded == MODULES
    assert (w / "ko" / "viomb.ko").read_text() == "built on host"


def test_without_sources_it_uses_the_host_modules_and_says_what_is_missing(
        tmp_path):
    out, stubs, loaded, _ = boot(tmp_path, sys_tree=False,
                                 host_ko=["vio_pci", "vioblk"])
    assert "no /usr/src/sys in this image; using the host's modules" in out
    assert "make " not in stubs
    assert loaded == ["vio_pci", "vioblk"]
    assert "DFLY-VIRTIO: module if_vioif: MISSING" in out
    assert "DFLY-VIRTIO: module viomb: MISSING" in out


def test_prebuilt_mode_does_not_build_and_reports_load_errors(tmp_path):
    out, stubs, loaded, w = boot(tmp_path, mode="prebuilt", host_ko=MODULES,
                                 env={"DFLY_TEST_FAIL_LOAD": "if_vioif"})
    assert "make " not in stubs
    assert loaded == ["vio_pci", "vioblk", "viomb"]
    assert ("DFLY-VIRTIO: kldload if_vioif: FAILED: kldload: can't "
            "load") in out
    assert "sources built in guest: no" in out
    assert "kldload if_vioif: FAILED" in (w / "boot.log").read_text()
