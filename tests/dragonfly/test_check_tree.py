# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""drivers/dragonfly/check.sh against a tree that has sys/ and share/mk
but no userland include/ (what images/dragonfly's recipe fetches): both
builds, the flag-for-flag one and bsd.kmod.mk's, must pass."""

import os
import subprocess

import pytest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
TREE = os.environ.get("DFLY_SRC") or os.path.join(
    TOP, "build", "dfly-src", "dragonfly-src")


@pytest.mark.skipif(not os.path.isdir(os.path.join(TREE, "sys", "kern")),
                    reason="no DragonFly tree at %s (make dragonfly-src, "
                    "or set DFLY_SRC)" % TREE)
def test_check_passes_without_include(tmp_path):
    # sys/ must be a real folder: through a link, sys/.. would be the
    # full tree again.
    tree = tmp_path / "tree"
    (tree / "sys").mkdir(parents=True)
    for entry in os.listdir(os.path.join(TREE, "sys")):
        os.symlink(os.path.join(TREE, "sys", entry), tree / "sys" / entry)
    os.symlink(os.path.join(TREE, "share"), tree / "share")
    assert not (tree / "include").exists()
    r = subprocess.run(["bash", os.path.join(TOP, "drivers", "dragonfly",
                                             "check.sh"),
                        str(tree / "sys"), str(tmp_path / "out")],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    assert r.returncode == 0, r.stdout[-3000:]
    assert "also builds with bsd.kmod.mk" in r.stdout, r.stdout[-3000:]
    assert "4 modules, 0 warnings" in r.stdout, r.stdout[-3000:]
    assert "has no ../include" in r.stdout, r.stdout[-3000:]
