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
import subprocess
import sys

import pytest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "harness"))

import profiles  # noqa: E402
from vmlib import BUILD, EXPECT_DIR, matrix, timeouts  # noqa: E402
from vmlib.machine import Machine, install_signal_handlers  # noqa: E402
from vmlib.serial import Console, ConsoleError  # noqa: E402

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
    """One pytest param per row of harness/matrix.cfg; the rows of a
    guest that cannot boot here are skipped with its reason."""
    out = []
    wanted = _wanted()
    for row in matrix.read():
        if row.guest not in wanted:
            continue
        why = profiles.get(row.guest).unavailable()
        marks = [pytest.mark.skip(reason="%s: %s" % (row.guest, why))] \
            if why else []
        # One boot serves the row's four checks: one worker runs them.
        marks.append(pytest.mark.xdist_group(row.id))
        out.append(pytest.param(row, id=row.id, marks=marks))
    return out


# First: xdist's own hook reads the groups to schedule by.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """make e2e runs two pytest-xdist workers (--dist loadgroup); a test
    module's shared boot stays with one worker, like a matrix row's."""
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))


def _safe(name):
    return re.sub(r"[^A-Za-z0-9_.=-]+", "_", name)


def boot(profile, config, label=None, timeout=None, **kw):
    """Start and wait for PROFILE (a name or a Profile instance, e.g. a
    subclass with another kernel command line) in CONFIG, at most TIMEOUT
    seconds (scaled; default the profile's boot_timeout); the caller
    stops it.  KW: more vmlib.Machine options (socket_net)."""
    if isinstance(profile, str):
        profile = profiles.get(profile)
    m = Machine(profile, config,
                accel=os.environ.get("DFLY_VIRTIO_ACCEL", "auto"),
                serial="unix", label=label, **kw)
    try:
        m.start()
        m.wait_ready(timeout)
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
        with Console.of(m, timeout=120) as con:
            con.command(m.profile.coverage_command)
    except (OSError, ConsoleError) as e:
        print("%s: no coverage dump: %s" % (m.label, e), file=sys.stderr)


def shut_down(m):
    logs = os.environ.get("DFLY_VIRTIO_GCOV_LOGS")
    if logs and m.profile.coverage_command and m.alive():
        dump_coverage(m)
    m.stop()
    keep_log(m)
    if logs and m.run is not None:
        os.makedirs(logs, exist_ok=True)
        # pytest-xdist workers each count their own boots.
        with open(os.path.join(logs, "%d-%03d-%s.serial.log" % (
                os.getpid(), next(_gcov_boots), _safe(m.label))),
                "wb") as f:
            f.write(m.serial_bytes())
    m.cleanup()


@pytest.fixture(scope="module", params=guest_params())
def guest(request):
    row = request.param
    m = boot(row.guest, row.config, timeout=row.timeout)
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

    def start(profile, config=None, label=None, **kw):
        m = boot(profile, config, label, **kw)
        started.append(m)
        return m
    try:
        yield start
    finally:
        for m in started:
            shut_down(m)


def run_expect(m, name):
    """Run harness/expect/NAME.exp against machine M; (status, output).
    The block pattern and the prompt come from the profile's facts."""
    argv = [shutil.which("expect") or "expect",
            os.path.join(EXPECT_DIR, name + ".exp"),
            "--guest", m.profile.name, "--serial", m.serial_path,
            "--monitor", "127.0.0.1:%d" % m.monitor_port,
            "--transport", m.config.transport]
    scale = m.profile.timeout_scale * timeouts.scale()
    env = dict(os.environ, **{timeouts.ENV: str(scale)})
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
