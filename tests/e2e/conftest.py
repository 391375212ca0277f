# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""pytest plumbing for the end-to-end tests: boot guests, run checks.

`guest` boots one configuration of one profile and is shared by the tests
of a module (one boot, four checks).  `run_check` runs an expect check
against it and fails with the check's reason and the tail of the serial
console.  Serial logs land in build/test-results/serial/.

DFLY_VIRTIO_GUESTS=linux,mini limits the profiles; DFLY_VIRTIO_ACCEL
(auto, kvm, tcg) picks the accelerator.  DFLY_VIRTIO_GCOV_LOGS=DIR (the
coverage build, mk/46-dragonfly-coverage.mk): before a guest stops, its
profile's coverage_command runs, and its whole serial log goes to DIR.
"""

import itertools
import os
import re
import shutil
import socket
import subprocess
import sys

import pytest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "harness"))

import profiles  # noqa: E402
from vmlib import BUILD, EXPECT_DIR  # noqa: E402
from vmlib.machine import Machine, install_signal_handlers  # noqa: E402

LOGS = os.path.join(BUILD, "test-results", "serial")
# lib.tcl gives up after 300 s (scaled); we allow a little more.
CHECK_SECONDS = 330


def pytest_configure(config):
    install_signal_handlers()
    os.makedirs(LOGS, exist_ok=True)


def _wanted():
    only = os.environ.get("DFLY_VIRTIO_GUESTS")
    names = profiles.names()
    if only:
        names = [n for n in names if n in only.split(",")]
    return names


def guest_params():
    """One pytest param per (profile, config); unavailable profiles give
    one skipped param carrying their reason."""
    out = []
    for name in _wanted():
        prof = profiles.get(name)
        why = prof.unavailable()
        if why:
            out.append(pytest.param((name, None), id=name, marks=pytest.mark.
                                    skip(reason="%s: %s" % (name, why))))
            continue
        for config in prof.matrix():
            out.append(pytest.param((name, config),
                                    id="%s-%s" % (name, config.id)))
    return out


def _safe(name):
    return re.sub(r"[^A-Za-z0-9_.=-]+", "_", name)


def boot(profile, config, label=None):
    """Start and wait for PROFILE (a name or a Profile instance, e.g. a
    subclass with another kernel command line) in CONFIG; the caller stops
    it."""
    if isinstance(profile, str):
        profile = profiles.get(profile)
    m = Machine(profile, config,
                accel=os.environ.get("DFLY_VIRTIO_ACCEL", "auto"),
                serial="unix", label=label)
    try:
        m.start()
        m.wait_ready()
    except BaseException:
        keep_log(m)
        m.cleanup()
        raise
    return m


def keep_log(m, name=None, offset=0):
    if m.run is None:
        return
    dst = os.path.join(LOGS, _safe(name or m.label) + ".serial.log")
    with open(dst, "wb") as f:
        f.write(m.serial_bytes(offset))


_gcov_boots = itertools.count(1)


def dump_coverage(m):
    """Best effort: a guest that died has printed what it could (a guest
    in its kernel debugger: nothing since the last dump)."""
    seen = m.serial_bytes()
    if any(k.encode() in seen for k in m.profile.fatal_markers):
        print("%s: no coverage dump: the guest is dead" % m.label,
              file=sys.stderr)
        return
    try:
        sh = Shell(m.serial_path, m.profile.prompt, timeout=120)
        try:
            sh.run(m.profile.coverage_command)
        finally:
            sh.close()
    except (OSError, AssertionError) as e:
        print("%s: no coverage dump: %s" % (m.label, e), file=sys.stderr)


def shut_down(m):
    logs = os.environ.get("DFLY_VIRTIO_GCOV_LOGS")
    if logs and m.profile.coverage_command and m.alive():
        dump_coverage(m)
    m.stop()
    keep_log(m)
    if logs and m.run is not None:
        os.makedirs(logs, exist_ok=True)
        with open(os.path.join(logs, "%03d-%s.serial.log" % (
                next(_gcov_boots), _safe(m.label))), "wb") as f:
            f.write(m.serial_bytes())
    m.cleanup()


@pytest.fixture(scope="module", params=guest_params())
def guest(request):
    name, config = request.param
    m = boot(name, config)
    try:
        yield m
    finally:
        shut_down(m)


@pytest.fixture(scope="module")
def boot_guest():
    """For profile-specific test modules: boot_guest(PROFILE, CONFIG, LABEL)
    (PROFILE a name or a Profile instance) returns a ready Machine; it is
    stopped, and its serial log kept, when the module is done."""
    started = []

    def start(profile, config=None, label=None):
        m = boot(profile, config, label)
        started.append(m)
        return m
    try:
        yield start
    finally:
        for m in started:
            shut_down(m)


class Shell:
    """A guest's shell over the serial socket, one command at a time:
    run() sends a line and returns what came before the next prompt."""

    def __init__(self, path, prompt="mini> ", timeout=30):
        self.prompt = prompt.encode()
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = b""
        self.run("")

    def read_until(self, text):
        """Wait for TEXT (e.g. a background command's line); return what
        came up to and including it."""
        want = text.encode()
        while want not in self.buf:
            data = self.sock.recv(4096)
            if not data:
                raise AssertionError("serial console closed")
            self.buf += data
        out, _, self.buf = self.buf.partition(want)
        return (out + want).decode(errors="replace").replace("\r", "")

    def run(self, cmd):
        self.sock.sendall(cmd.encode() + b"\r")
        out = self.read_until(self.prompt.decode())
        return out[:-len(self.prompt)]

    def close(self):
        self.sock.close()


def run_expect(m, name):
    """Run harness/expect/NAME.exp against machine M; (status, output)."""
    seed, lba, count = m.profile.blk_params
    argv = [shutil.which("expect") or "expect",
            os.path.join(EXPECT_DIR, name + ".exp"),
            "--guest", m.profile.name, "--serial", m.serial_path,
            "--monitor", "127.0.0.1:%d" % m.monitor_port,
            "--transport", m.config.transport,
            "--seed", str(seed), "--lba", str(lba), "--count", str(count)]
    env = dict(os.environ)
    scale = m.profile.timeout_scale * float(
        env.get("DFLY_VIRTIO_TIMEOUT_SCALE", "1"))
    env["DFLY_VIRTIO_TIMEOUT_SCALE"] = str(scale)
    try:
        r = subprocess.run(argv, env=env, text=True, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT,
                           timeout=CHECK_SECONDS * scale)
        return r.returncode, r.stdout.strip()
    except subprocess.TimeoutExpired:
        return -1, "expect %s did not end within %d s" % (
            name, CHECK_SECONDS * scale)


def check(m, name, log_name=None):
    """Run harness/expect/NAME.exp against machine M; fail with its
    reason and the serial console's tail.  Returns the PASS line."""
    offset = m.serial_size()
    rc, out = run_expect(m, name)
    if log_name:
        keep_log(m, log_name, offset)
    if rc != 0:
        pytest.fail("%s on %s (accel %s): %s\n%s"
                    % (name, m.label, m.accel, out or "exit %d" % rc,
                       m.serial_tail(offset=offset)), pytrace=False)
    return out


@pytest.fixture
def run_check(guest, request):
    """run_check("probe") against this module's guest; the serial output
    of the test is kept as build/test-results/serial/TEST.serial.log."""
    # The JUnit XML says how each guest ran.
    request.node.user_properties += [
        ("accel", "%s (%s)" % (guest.accel, guest.accel_reason)),
        ("boot_seconds", "%.1f" % guest.boot_seconds)]

    def run(name):
        return check(guest, name, log_name=request.node.name)
    return run
