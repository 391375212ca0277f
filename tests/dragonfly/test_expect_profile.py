# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""The four checks' DragonFly dialect (harness/expect/profiles/
dragonfly-media.tcl), run by the harness's own check scripts against a stand-in
guest (fake_dfly_guest.py) that answers as DragonFly with our modules
would.  The real guest runs them in tests/e2e on a host with the image."""

import os
import shutil
import subprocess
import sys
import time

import pytest

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
EXPECT = os.path.join(TOP, "harness", "expect")
sys.path.insert(0, os.path.join(TOP, "harness"))

from vmlib import pattern, timeouts  # noqa: E402
FAKE = os.path.join(os.path.dirname(__file__), "fake_dfly_guest.py")

pytestmark = pytest.mark.skipif(
    not all(shutil.which(t) for t in ("expect", "socat", "telnet"))
    or not os.path.isfile(os.path.join(EXPECT, "lib.tcl")),
    reason="expect, socat, telnet and harness/expect/lib.tcl needed")


@pytest.fixture
def guest(tmp_path):
    procs = []

    def start(scenario):
        sock = str(tmp_path / "serial.sock")
        portfile = str(tmp_path / "port")
        p = subprocess.Popen([sys.executable, FAKE, sock, portfile,
                              scenario])
        procs.append(p)
        deadline = time.monotonic() + timeouts.seconds(10)
        while not os.path.exists(portfile):
            assert time.monotonic() < deadline, "fake guest did not start"
            assert p.poll() is None, "fake guest exited"
            time.sleep(0.02)
        with open(portfile) as f:
            return sock, "127.0.0.1:" + f.read()
    yield start
    for p in procs:
        p.kill()
        p.wait()


def check(name, sock, monitor, scale=0.2):
    """Run check NAME; SCALE shortens its timeouts (for the scenarios
    that wait for one), relative to this host's knob."""
    env = dict(os.environ, **{timeouts.ENV: str(scale * timeouts.scale())})
    res = subprocess.run(
        ["expect", os.path.join(EXPECT, name + ".exp"), "--guest",
         "dragonfly-media", "--serial", sock, "--monitor", monitor,
         "--transport", "modern", "--seed", str(pattern.DEFAULT_SEED),
         "--lba", str(pattern.DEFAULT_LBA),
         "--count", str(pattern.DEFAULT_COUNT)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        timeout=timeouts.seconds(120), env=env)
    return res.returncode, res.stdout.strip()


@pytest.mark.parametrize("name,says", [
    ("probe", "vioblk0 (<VirtIO block device> on vio_pci0)"),
    ("blkio", "16 sectors at LBA 2048 written and read back equal on "
              "/dev/vioblk0"),
    ("ping", "vioif0: 3/3 echo replies from 10.0.2.2"),
    ("balloon", "balloon 1024 -> 768 -> 1024 MiB; hw.viomb.actual 0 -> "
                "65536 -> 0 pages"),
])
def test_checks_pass_on_a_good_guest(guest, name, says):
    rc, out = check(name, *guest("ok"))
    assert rc == 0, out
    assert out.startswith("PASS %s: " % name) and says in out, out


@pytest.mark.parametrize("scenario,name,says,scale", [
    ("builtin", "probe", "DragonFly's built-in driver attached "
                         "(virtio_pci0)", 0.2),
    ("no-viomb", "probe", "viomb.ko is not loaded: DFLY-VIRTIO: build "
                          "viomb: FAILED", 0.2),
    ("bad-disk", "blkio", "read back from /dev/vioblk0 differs", 0.2),
    # Failing here means waiting out the balloon timeout (180 s scaled).
    ("balloon-stuck", "balloon", "balloon stuck at 1024 MiB, wanted 768",
     0.05),
])
def test_checks_fail_with_the_reason(guest, scenario, name, says, scale):
    rc, out = check(name, *guest(scenario), scale=scale)
    assert rc == 1, out
    assert out.startswith("FAIL %s: " % name) and says in out, out
