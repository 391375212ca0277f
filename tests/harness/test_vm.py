# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""Unit tests of the harness itself: options, ports, overlays, clean-up.

The clean-up tests start real QEMU processes (the Linux guest under TCG)
but never wait for a full boot.
"""

import os
import re
import select
import signal
import socket
import subprocess
import sys
import time

import pytest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
HARNESS = os.path.join(TOP, "harness")
VM = os.path.join(HARNESS, "vm")
sys.path.insert(0, HARNESS)

import profiles  # noqa: E402
from profiles.base import Config, Profile  # noqa: E402
from vmlib import (HarnessError, accel, disk, matrix,  # noqa: E402
                   pattern, ports, tap as tapmod, timeouts)
from vmlib.machine import Machine  # noqa: E402


def vm(*args, env=None, timeout=60):
    return subprocess.run([sys.executable, VM] + list(args), env=env,
                          text=True, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE,
                          timeout=timeouts.seconds(timeout))


# --- options -----------------------------------------------------------------

def test_bad_transport_is_a_usage_error():
    r = vm("run", "--transport", "bogus")
    assert r.returncode == 2
    assert "invalid choice: 'bogus'" in r.stderr


def test_bad_serial_is_a_usage_error():
    r = vm("run", "--serial", "tcp:1234")
    assert r.returncode == 2
    assert "--serial wants stdio or unix:PATH" in r.stderr


def test_bad_prop_is_a_usage_error():
    r = vm("run", "--prop", "event_idx")
    assert r.returncode == 2
    assert "--prop wants NAME=VALUE" in r.stderr


def test_unknown_guest_names_the_profiles():
    r = vm("run", "--guest", "nosuch", "--serial", "unix:/tmp/x")
    assert r.returncode == 1
    assert "unknown guest 'nosuch'" in r.stderr
    assert "linux" in r.stderr


def test_missing_qemu_is_named_with_its_package(tmp_path):
    env = dict(os.environ, PATH=str(tmp_path))
    r = vm("run", "--guest", "linux", "--accel", "tcg",
           "--serial", "unix:%s" % (tmp_path / "s"), env=env)
    assert r.returncode == 1
    assert "qemu-system-x86_64 not found" in r.stderr
    assert "qemu-system-x86" in r.stderr


def test_list_shows_every_profile():
    r = vm("list")
    assert r.returncode == 0
    for name in profiles.names():
        assert re.search(r"^%s\s" % name, r.stdout, re.M)


def test_config_rejects_unknown_values():
    with pytest.raises(ValueError):
        Config("bogus")
    with pytest.raises(ValueError):
        Config("modern", "isapc")
    assert Config("legacy", "q35", {"event_idx": "off"}).id == \
        "legacy-q35-event_idx=off"


@pytest.mark.parametrize("transport,machine", [
    ("mmio-modern", "pc"), ("mmio-legacy", "q35"), ("modern", "microvm"),
    ("transitional", "microvm")])
def test_virtio_mmio_and_microvm_go_together(transport, machine):
    with pytest.raises(ValueError, match="virtio-mmio"):
        Config(transport, machine)


def test_only_mmio_guests_take_microvm_rows():
    config = Config("mmio-modern", "microvm")
    assert config.mmio and not Config().mmio
    assert profiles.get("mini").config_unsupported(config) is None
    for name in ("linux", "dragonfly", "dragonfly-media"):
        why = profiles.get(name).config_unsupported(config)
        assert why and "no virtio-mmio driver" in why


def test_mmio_transport_picks_microvm_on_the_command_line():
    r = vm("run", "--transport", "mmio-modern", "--machine", "q35")
    assert r.returncode == 2
    assert "virtio-mmio" in r.stderr


# --- the matrix table --------------------------------------------------------

def test_matrix_prints_every_row_of_the_table():
    rows = matrix.read()
    assert {r.guest for r in rows} == set(profiles.names())
    r = vm("matrix")
    assert r.returncode == 0
    n = len(matrix.COLUMNS)
    lines = r.stdout.splitlines()
    assert lines[0].split()[:n] == list(matrix.COLUMNS)
    assert [ln.split()[:n] for ln in lines[1:]] == [list(row.cells())
                                                    for row in rows]


@pytest.mark.parametrize("line,why", [
    ("nosuch pc modern - - -", "no guest profile 'nosuch'"),
    ("mini pc modern - -", "want 6 columns"),
    ("mini isapc modern - - -", "machine 'isapc'"),
    ("mini pc modern event_idx - - -", "want 6 columns"),
    ("mini pc modern event_idx - -", "props wants NAME=VALUE"),
    ("mini pc modern - msix -", "props wants NAME=VALUE"),
    ("mini pc modern - - 0", "timeout must be > 0"),
    ("dragonfly-media pc legacy - - -", "dragonfly-media refuses legacy-pc"),
    ("dragonfly pc modern - drivers=dragonfly -",
     "dragonfly refuses modern-pc-drivers=dragonfly"),
    ("mini pc modern - - -\nmini pc modern - - 5", "same configuration as"),
    ("mini pc modern disk.num-queues=4 - -", "'disk' is not one of"),
    ("linux pc,cpus=2 modern - - -", "MACHINE or MACHINE,smp=N"),
    ("linux pc,smp=x modern - - -", "MACHINE or MACHINE,smp=N"),
    ("mini q35,smp=2 modern - - -", "the mini runs on one CPU"),
])
def test_a_bad_matrix_row_is_named_by_its_line(tmp_path, line, why):
    cfg = tmp_path / "matrix.cfg"
    cfg.write_text("# comment\n\n" + line + "  # trailing comment\n")
    with pytest.raises(HarnessError, match=why) as e:
        matrix.read(str(cfg))
    assert ("%s:%d:" % (cfg, 2 + line.count("\n") + 1)) in str(e.value)


def test_a_matrix_row_carries_its_config_and_timeout(tmp_path):
    cfg = tmp_path / "matrix.cfg"
    cfg.write_text("linux q35 legacy indirect_desc=off,event_idx=off - 45\n"
                   "mini pc modern - - -\n"
                   "dragonfly pc transitional - hw.vio.pci.disable_msix=1 -\n")
    a, b, c = matrix.read(str(cfg))
    assert a.id == "linux-legacy-q35-event_idx=off-indirect_desc=off"
    assert a.config.props == {"event_idx": "off", "indirect_desc": "off"}
    assert a.timeout == 45 and b.timeout is None
    assert c.config.options == {"hw.vio.pci.disable_msix": "1"}
    assert c.id == "dragonfly-transitional-pc-hw.vio.pci.disable_msix=1"


# --- ports -------------------------------------------------------------------

def test_free_ports_are_free_and_loopback():
    p = ports.free_port()
    with socket.socket() as s:
        s.bind((ports.LOOPBACK, p))


def test_taken_port_is_replaced():
    with socket.socket() as s:
        s.bind((ports.LOOPBACK, 0))
        s.listen()
        busy = s.getsockname()[1]
        assert not ports.port_is_free(busy)
        other = ports.pick_port(busy)
        assert other != busy
        assert ports.port_is_free(other)


# --- disks -------------------------------------------------------------------

def sha(path):
    import hashlib
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def test_overlay_writes_leave_the_base_untouched(tmp_path):
    base = disk.scratch_base(str(tmp_path / "base.qcow2"), "1M")
    before = sha(base)
    ov = disk.overlay(base, str(tmp_path / "ov.qcow2"))
    subprocess.run(["qemu-io", "-f", "qcow2", "-c", "write -P 0xab 0 64k",
                    ov], check=True, stdout=subprocess.DEVNULL)
    assert sha(base) == before
    data = disk.read_sectors(ov, 0, 1, str(tmp_path / "raw"))
    assert data == b"\xab" * 512
    assert disk.read_sectors(base, 0, 1, str(tmp_path / "raw")) == \
        b"\0" * 512


def test_overlay_of_a_missing_base_is_a_clear_error(tmp_path):
    with pytest.raises(HarnessError, match="does not exist"):
        disk.overlay(str(tmp_path / "none.qcow2"), str(tmp_path / "o"))


# --- the block pattern -------------------------------------------------------

def test_pattern_words_follow_the_formula():
    import struct
    data = pattern.pattern(1, 5, 2)
    words = struct.unpack("<128Q", data)
    assert words[0] == (0x9E3779B97F4A7C15 + 5 * 64) % 2**64
    assert words[127] == (0x9E3779B97F4A7C15 + 6 * 64 + 63) % 2**64
    # Wraps modulo 2**64.
    big = struct.unpack("<Q", pattern.pattern(2**64 - 1, 0, 1)[:8])[0]
    assert big == ((2**64 - 1) * 0x9E3779B97F4A7C15) % 2**64


def test_first_mismatch_finds_the_bad_sector():
    good = pattern.pattern(7, 100, 4)
    assert pattern.first_mismatch(good, 7, 100, 4) is None
    bad = good[:1024] + b"\0" + good[1025:]
    assert pattern.first_mismatch(bad, 7, 100, 4) == 102
    assert pattern.first_mismatch(good[:600], 7, 100, 4) == 101


@pytest.mark.parametrize("guest", profiles.names())
def test_tcl_reads_the_profile_facts(guest):
    """`vm facts` is what the expect scripts read: Tcl's array set must
    give back every fact of the Python profile, spaces and all."""
    facts = profiles.get(guest).facts()
    assert facts["prompt"] and facts["ready_marker"]
    script = ("array set f [exec %s %s facts --guest %s]\n"
              "foreach k [lsort [array names f]] "
              "{ puts \"$k=$f($k)|\" }" % (sys.executable, VM, guest))
    r = subprocess.run(["tclsh"], input=script, text=True,
                       stdout=subprocess.PIPE, timeout=timeouts.seconds(30))
    assert r.returncode == 0
    assert r.stdout.split("|\n")[:-1] == [
        "%s=%s" % kv for kv in sorted(facts.items())]


def test_a_fact_is_printed_alone_or_refused():
    r = vm("facts", "--guest", "mini", "--get", "prompt")
    assert r.returncode == 0
    assert r.stdout == profiles.get("mini").prompt + "\n"
    r = vm("facts", "--guest", "mini", "--get", "colour")
    assert r.returncode == 1 and "has no fact 'colour'" in r.stderr


@pytest.mark.parametrize("guest", ["mini", "dragonfly"])
def test_c_header_gives_the_guest_code_its_facts(guest, tmp_path):
    """The guest's own C prints the prompt and marker from this header:
    compiled and run on the host, it must print the profile's strings."""
    r = vm("facts", "--guest", guest, "--c-header")
    assert r.returncode == 0, r.stderr
    (tmp_path / "guest_facts.h").write_text(r.stdout)
    (tmp_path / "t.c").write_text(
        '#include <stdio.h>\n#include "guest_facts.h"\n'
        'int main(void) { printf("%s|%s", GUEST_PROMPT, '
        'GUEST_READY_MARKER); return 0; }\n')
    subprocess.run(["gcc", "-Wall", "-Werror", "-o", str(tmp_path / "t"),
                    str(tmp_path / "t.c")], check=True,
                   timeout=timeouts.seconds(60))
    out = subprocess.run([str(tmp_path / "t")], stdout=subprocess.PIPE,
                         text=True, timeout=timeouts.seconds(30)).stdout
    p = profiles.get(guest)
    assert out == "%s|%s" % (p.prompt, p.ready_marker)


# --- expect scripts ----------------------------------------------------------

def expect(check, *args):
    return subprocess.run(["expect", os.path.join(HARNESS, "expect",
                                                  check + ".exp")] +
                          list(args), text=True, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT,
                          timeout=timeouts.seconds(30))


@pytest.mark.parametrize("check", ["probe", "blkio", "ping", "balloon"])
def test_expect_without_options_is_a_usage_error(check):
    r = expect(check)
    assert r.returncode == 2
    assert "--guest and --serial are required" in r.stdout


def test_expect_without_a_guest_fails_in_one_line(tmp_path):
    r = expect("probe", "--guest", "linux", "--serial",
               str(tmp_path / "none.sock"))
    assert r.returncode == 1
    assert r.stdout.strip().splitlines() == [
        "FAIL probe: no serial socket at %s (is the guest running?)"
        % (tmp_path / "none.sock")]


def test_expect_with_a_silent_guest_gives_up(tmp_path):
    path = str(tmp_path / "mute.sock")
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(path)
    srv.listen()
    # serial_sync tries three times, 10 s each, scaled.
    child_scale = 0.2 * timeouts.scale()
    bound = 3 * 10 * child_scale
    env = dict(os.environ, DFLY_VIRTIO_TIMEOUT_SCALE=str(child_scale))
    t0 = time.monotonic()
    r = subprocess.run(["expect", os.path.join(HARNESS, "expect",
                                               "probe.exp"),
                        "--guest", "linux", "--serial", path], env=env,
                       text=True, stdout=subprocess.PIPE,
                       timeout=timeouts.seconds(60))
    elapsed = time.monotonic() - t0
    srv.close()
    assert r.returncode == 1
    assert "no shell prompt" in r.stdout
    assert elapsed < bound + timeouts.seconds(10)


# --- accelerator choice ------------------------------------------------------

class FakeProfile(Profile):
    name = "fake"


def test_auto_without_kvm_is_tcg_and_says_why(monkeypatch, tmp_path):
    monkeypatch.setattr(accel, "KVM", str(tmp_path / "kvm"))
    probed = []
    got = accel.choose("auto", FakeProfile(), lambda p, s: probed.append(p))
    assert got == ("tcg", "no %s on this host" % (tmp_path / "kvm"))
    assert not probed
    with pytest.raises(HarnessError, match="no .*kvm on this host"):
        accel.choose("kvm", FakeProfile(), None)


def test_kvm_probe_result_is_cached(monkeypatch, tmp_path):
    fake_kvm = tmp_path / "kvm"
    fake_kvm.write_bytes(b"")
    monkeypatch.setattr(accel, "KVM", str(fake_kvm))
    monkeypatch.setattr(accel, "CACHE", str(tmp_path / "accel.json"))
    monkeypatch.delenv("DFLY_VIRTIO_KVM_PROBE_SECONDS", raising=False)
    calls = []

    def probe(prof, seconds):
        calls.append(seconds)
        return "did not boot"
    first = accel.choose("auto", FakeProfile(), probe)
    second = accel.choose("auto", FakeProfile(), probe)
    assert first == ("tcg", "KVM probe failed: did not boot")
    assert second[0] == "tcg" and "cached" in second[1]
    # One probe, as long as the profile's own boot may take.
    assert calls == [FakeProfile.kvm_probe_seconds]


# --- the QEMU command line ---------------------------------------------------

def machine_argv(config, tap=None, **kw):
    m = Machine(profiles.get("linux"), config, **kw)
    m.accel, m.monitor_port, m.socket_net_port = "tcg", 4444, 4445
    m.tap = tap
    m.make_run_dir()
    try:
        return m.argv()
    finally:
        m.run.cleanup(keep=())


@pytest.mark.parametrize("transport,legacy,modern", [
    ("transitional", "off", "off"), ("modern", "on", "off"),
    ("legacy", "off", "on")])
def test_transport_sets_every_virtio_device(transport, legacy, modern):
    argv = machine_argv(Config(transport, "q35", {"event_idx": "off"}))
    devs = [a for a in argv if a.startswith("virtio-")]
    assert len(devs) == 3
    for d in devs:
        assert "disable-legacy=%s" % legacy in d
        assert "disable-modern=%s" % modern in d
        assert "event_idx=off" in d
    assert argv[argv.index("-machine") + 1] == "q35"


@pytest.mark.parametrize("transport,force_legacy", [
    ("mmio-legacy", "true"), ("mmio-modern", "false")])
def test_microvm_gets_virtio_mmio_devices(transport, force_legacy):
    argv = machine_argv(Config(transport, "microvm", {"event_idx": "off"}))
    assert argv[argv.index("-machine") + 1] == "microvm,acpi=off"
    assert "virtio-mmio.force-legacy=%s" % force_legacy in argv
    devs = [d for opt, d in zip(argv, argv[1:]) if opt == "-device" and
            d.startswith("virtio-")]
    assert [d.split(",")[0] for d in devs] == [
        "virtio-blk-device", "virtio-net-device", "virtio-balloon-device"]
    for d in devs:
        # PCI's properties would make QEMU refuse the device.
        assert "disable-" not in d and "romfile" not in d
        assert "event_idx=off" in d


def test_a_device_prefix_gives_a_property_to_that_device_only():
    argv = machine_argv(Config("modern", "q35", {"blk.num-queues": "4",
                                                 "event_idx": "off"}))
    devs = {a.split(",")[0]: a for a in argv if a.startswith("virtio-")}
    assert ",num-queues=4" in devs["virtio-blk-pci"]
    for d in ("virtio-net-pci", "virtio-balloon-pci"):
        assert "num-queues" not in devs[d] and "event_idx=off" in devs[d]
    assert not any(",blk." in d for d in devs.values())


def test_a_row_sets_the_guest_cpus(tmp_path):
    cfg = tmp_path / "matrix.cfg"
    cfg.write_text("linux q35,smp=2 modern blk.num-queues=4 - -\n"
                   "linux q35 modern blk.num-queues=4 - -\n")
    a, b = matrix.read(str(cfg))
    assert a.config.smp == 2 and b.config.smp is None
    assert a.id == "linux-modern-q35-smp=2-blk.num-queues=4"
    assert a.cells()[1] == "q35,smp=2"
    argv = machine_argv(a.config)
    assert argv[argv.index("-smp") + 1] == "2"
    argv = machine_argv(b.config)
    assert argv[argv.index("-smp") + 1] == str(profiles.get("linux").smp)


def test_null_backend_and_iothread_change_only_the_disk():
    argv = machine_argv(Config(), blk_backend="null-co", blk_iothread=True)
    line = " ".join(argv)
    assert "driver=null-co,node-name=vblk0" in line
    assert "format=qcow2" not in line
    assert "iothread,id=blkio0,poll-max-ns=0" in argv
    blk = [a for a in argv if a.startswith("virtio-blk-pci,")]
    assert blk and "iothread=blkio0" in blk[0]
    net = [a for a in argv if a.startswith("virtio-net-pci,")]
    assert net and "iothread" not in net[0]


def test_socket_net_adds_a_second_nic_with_its_own_mac():
    plain = machine_argv(Config())
    listen = machine_argv(Config(), socket_net=("listen", None))
    assert sum(a.startswith("virtio-net-pci,") for a in plain) == 1
    nics = [a for a in listen if a.startswith("virtio-net-pci,")]
    assert len(nics) == 2 and "netdev=vnet1" in nics[1]
    assert len({re.search(r"mac=([0-9a-f:]+)", n).group(1)
                for n in nics}) == 2
    assert "socket,id=vnet1,listen=127.0.0.1:" in " ".join(listen)
    with pytest.raises(HarnessError):
        Machine(profiles.get("linux"), Config(), socket_net=("both", 1))


class FakeTap:
    fd = 7


def test_tap_net_adds_a_second_nic_on_the_taps_descriptor():
    argv = machine_argv(Config(), tap=FakeTap(), tap_net=True)
    nics = [a for a in argv if a.startswith("virtio-net-pci,")]
    assert len(nics) == 2 and "netdev=vnet1" in nics[1]
    assert "mac=52:54:00:12:36:01" in nics[1]
    # QEMU finds the virtio-net header on the descriptor by itself;
    # ifname=, script= and vnet_hdr= are refused with fd=.
    assert "tap,id=vnet1,fd=7" in argv
    with pytest.raises(HarnessError):
        Machine(profiles.get("linux"), Config(), tap_net=True,
                socket_net=("listen", None))


def test_an_unknown_blk_backend_is_refused():
    with pytest.raises(HarnessError):
        Machine(profiles.get("linux"), Config(), blk_backend="nbd")


def test_monitor_listens_on_loopback_only():
    argv = machine_argv(Config())
    mon = [a for a in argv if a.startswith("socket,id=hmp0,")]
    assert mon and "host=127.0.0.1,port=4444,telnet=on" in mon[0]
    assert "0.0.0.0" not in " ".join(argv)


def test_runs_get_their_own_disk_and_sockets():
    a = Machine(profiles.get("linux"), Config())
    b = Machine(profiles.get("linux"), Config())
    for m in (a, b):
        m.make_run_dir()
    try:
        assert a.run.path != b.run.path
        assert a.disk_path != b.disk_path
        assert a.serial_path != b.serial_path
        assert a.qmp_path != b.qmp_path
    finally:
        for m in (a, b):
            m.run.cleanup(keep=())


# --- no QEMU outlives the harness --------------------------------------------

def launch(tmp_path, tag):
    """Start `vm run` on the Linux guest; return (proc, QEMU pid, port)."""
    p = subprocess.Popen([sys.executable, VM, "run", "--guest", "linux",
                          "--accel", "tcg", "--monitor-port", "0",
                          "--serial", "unix:%s" % (tmp_path / tag)],
                         stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                         text=True)
    deadline = time.monotonic() + timeouts.seconds(60)
    seen = ""
    while time.monotonic() < deadline:
        r, _, _ = select.select([p.stderr], [], [], 1)
        if r:
            line = p.stderr.readline()
            seen += line
            m = re.search(r"monitor telnet 127.0.0.1 (\d+); run dir (\S+)",
                          line)
            if m:
                with open(os.path.join(m.group(2), "qemu.pid")) as f:
                    return p, int(f.read()), int(m.group(1))
        if p.poll() is not None:
            break
    p.kill()
    pytest.fail("vm run did not start QEMU: " + seen)


def gone(pid, seconds=10):
    deadline = time.monotonic() + timeouts.seconds(seconds)
    while time.monotonic() < deadline:
        try:
            with open("/proc/%d/stat" % pid) as f:
                if f.read().split(") ")[1].startswith("Z"):
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT,
                                 signal.SIGKILL])
def test_qemu_dies_with_its_launcher(tmp_path, sig):
    p, qemu, _ = launch(tmp_path, "s")
    assert not gone(qemu, 0.5)
    p.send_signal(sig)
    try:
        assert gone(qemu), "QEMU %d outlived its launcher (%s)" % (qemu,
                                                                   sig)
    finally:
        p.kill()
        p.wait()
        try:
            os.kill(qemu, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_two_runs_at_once_do_not_collide(tmp_path):
    a, qa, pa = launch(tmp_path, "a")
    b, qb, pb = launch(tmp_path, "b")
    try:
        assert qa != qb and pa != pb
        assert not gone(qa, 0.2) and not gone(qb, 0.2)
    finally:
        for p in (a, b):
            p.terminate()
            p.wait(timeouts.seconds(20))
    assert gone(qa) and gone(qb)


def test_qemu_accepts_the_command_line_of_a_property_config():
    # Config ids carry '=' and paths may carry ',': QEMU must still parse
    # every option (it exits at once if not).
    m = Machine(profiles.get("linux"),
                Config("modern", "q35", {"event_idx": "off"}), accel="tcg",
                say=lambda msg: None)
    try:
        m.start()
        assert m.alive()
        assert "=" not in os.path.basename(m.run.path)
    finally:
        m.cleanup()
    assert not m.alive()


@pytest.mark.parametrize("transport", ["mmio-legacy", "mmio-modern"])
def test_qemu_accepts_the_command_line_of_microvm(transport):
    m = Machine(profiles.get("mini"), Config(transport, "microvm"),
                accel="tcg", say=lambda msg: None)
    try:
        m.start()
        assert m.alive()
    finally:
        m.cleanup()
    assert not m.alive()


def test_qemu_accepts_the_null_backend_in_an_iothread():
    m = Machine(profiles.get("linux"), Config(), accel="tcg",
                say=lambda msg: None, blk_backend="null-co",
                blk_iothread=True)
    try:
        m.start()
        assert m.alive()
    finally:
        m.cleanup()
    assert not m.alive()


def test_two_guests_meet_on_a_socket_network():
    # The listener's port is free and loopback; the second QEMU must be
    # able to connect to it (it exits at once if it cannot).
    a = Machine(profiles.get("linux"), Config(), accel="tcg",
                say=lambda msg: None, socket_net=("listen", None))
    b = Machine(profiles.get("linux"), Config(), accel="tcg",
                say=lambda msg: None)
    try:
        a.start()
        b.socket_net = ("connect", a.socket_net_port)
        b.start()
        assert a.alive() and b.alive()
        assert "connect=127.0.0.1:%d" % a.socket_net_port in \
            " ".join(b.argv())
    finally:
        b.cleanup()
        a.cleanup()
    assert not a.alive() and not b.alive()


def test_a_guest_that_never_gets_ready_fails_within_its_bound():
    """wait_ready gives up after its own bound, however far the guest
    got: the test measures the bound, not the guest's boot speed."""
    class Mute(type(profiles.get("mini"))):
        ready_marker = "THIS-NEVER-APPEARS"
    bound = 2
    m = Machine(Mute(), accel="tcg", say=lambda msg: None)
    try:
        m.start()
        t0 = time.monotonic()
        with pytest.raises(HarnessError) as e:
            m.wait_ready(bound)
        elapsed = time.monotonic() - t0
        log = m.serial_bytes().decode("utf-8", "replace")
    finally:
        m.cleanup()
    scaled = timeouts.seconds(bound)
    assert scaled <= elapsed < scaled + timeouts.seconds(5)
    msg = str(e.value)
    assert ("no 'THIS-NEVER-APPEARS' on the serial console within %g s"
            % scaled) in msg
    # The failure carries the console's tail, whatever it holds by then.
    head, _, tail = msg.partition("--- last ")
    assert m.serial_log in tail
    for line in tail.splitlines()[1:]:
        assert line in log
    assert not m.alive()


def test_serial_tail_is_the_end_of_the_log(tmp_path):
    m = Machine(profiles.get("linux"))
    m.serial_log = str(tmp_path / "serial.log")
    assert m.serial_tail() == "--- last 0 lines of %s ---\n" % m.serial_log
    lines = [b"line %d\r\n" % i for i in range(40)]
    with open(m.serial_log, "wb") as f:
        f.write(b"".join(lines))
    tail = m.serial_tail(lines=3).splitlines()
    assert tail == ["--- last 3 lines of %s ---" % m.serial_log,
                    "line 37", "line 38", "line 39"]
    # From an offset: only what came after it.
    offset = len(b"".join(lines[:39]))
    assert m.serial_tail(offset=offset).splitlines()[1:] == ["line 39"]


def test_timeout_scale_is_one_knob(monkeypatch):
    monkeypatch.setenv(timeouts.ENV, "2.5")
    assert timeouts.seconds(4) == 10
    monkeypatch.delenv(timeouts.ENV)
    assert timeouts.seconds(4) == 4
    for bad in ("0", "-1", "fast"):
        monkeypatch.setenv(timeouts.ENV, bad)
        with pytest.raises(HarnessError, match=timeouts.ENV):
            timeouts.scale()


def test_unix_wait_holds_the_guest_until_the_console_is_there():
    """serial "unix-wait" (the DragonFly image build's dialogues): QEMU
    is up, but the guest prints nothing until a client connects."""
    m = Machine(profiles.get("mini"), accel="tcg", serial="unix-wait",
                say=lambda msg: None)
    try:
        m.start()
        held = 1.0
        time.sleep(held)
        assert m.alive() and m.serial_bytes() == b""
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(m.serial_path)
            assert m.wait_ready() > held
    finally:
        m.cleanup()


def test_disk_option_puts_an_overlay_over_the_given_base(tmp_path):
    import json
    base = disk.scratch_base(str(tmp_path / "mine.qcow2"), "1M")
    m = Machine(profiles.get("linux"), Config(), disk_base=base)
    m.make_run_dir()
    try:
        info = json.loads(subprocess.run(
            ["qemu-img", "info", "--output=json", m.disk_path], check=True,
            stdout=subprocess.PIPE).stdout)
        assert info["backing-filename"] == base
        assert info["format"] == "qcow2"
    finally:
        m.run.cleanup(keep=())


def test_interactive_run_on_a_terminal(tmp_path):
    """`make run`'s way: the console on a terminal, Ctrl-A x quits."""
    import pty
    master, slave = pty.openpty()
    p = subprocess.Popen([sys.executable, VM, "run", "--guest", "linux",
                          "--accel", "tcg", "--monitor-port", "0"],
                         stdin=slave, stdout=slave, stderr=slave,
                         start_new_session=True)
    os.close(slave)
    seen = b""

    def wait_for(what, seconds=90):
        nonlocal seen
        seconds = timeouts.seconds(seconds)
        deadline = time.monotonic() + seconds
        while what not in seen:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([master], [], [], left)[0]:
                pytest.fail("no %r on the terminal; got:\n%s"
                            % (what, seen[-2000:].decode(errors="replace")))
            try:
                seen += os.read(master, 4096)
            except OSError:         # EIO: the other side is gone
                pytest.fail("terminal closed before %r" % what)
    try:
        wait_for(b"telnet 127.0.0.1 ")
        wait_for(profiles.get("linux").prompt.encode())
        os.write(master, b"echo $((6 * 7))\r")
        wait_for(b"42")
        os.write(master, b"\x01x")
        assert p.wait(timeouts.seconds(20)) == 0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        os.close(master)


# --- the host tap lives no longer than its QEMU ------------------------------

needs_tap = pytest.mark.skipif(tapmod.unavailable() is not None,
                               reason=str(tapmod.unavailable()))


def our_taps():
    return sorted(n for n in os.listdir("/sys/class/net")
                  if n.startswith("dfvt%d." % os.getpid()))


def tap_gone(name, seconds=10):
    deadline = time.monotonic() + timeouts.seconds(seconds)
    while tapmod.exists(name):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@needs_tap
def test_two_taps_at_once_each_on_its_network_and_gone_after():
    ms = [Machine(profiles.get("mini"), Config(), accel="tcg",
                  say=lambda msg: None, tap_net=True) for _ in range(2)]
    try:
        for m in ms:
            m.start()
        names = [m.tap.name for m in ms]
        assert our_taps() == sorted(names)
        assert ms[0].tap.host_addr != ms[1].tap.host_addr
        for m in ms:
            shown = subprocess.run(["ip", "-4", "addr", "show", "dev",
                                    m.tap.name], stdout=subprocess.PIPE,
                                   text=True).stdout
            assert "inet %s/24" % m.tap.host_addr in shown, shown
            # Only QEMU holds the tap once it runs.
            assert m.tap.fd is None and m.alive()
    finally:
        for m in ms:
            m.cleanup()
    assert our_taps() == []


@needs_tap
def test_a_tap_goes_when_qemu_does_not_start():
    class Broken(type(profiles.get("mini"))):
        def boot_args(self, run, config):
            return super().boot_args(run, config) + ["-no-such-option"]
    said = []
    m = Machine(Broken(), Config(), accel="tcg", say=said.append,
                tap_net=True)
    try:
        with pytest.raises(HarnessError) as e:
            m.start()
        assert "QEMU exited" in str(e.value)
        assert [s for s in said if " tap dfvt" in s and s.endswith(" gone")]
        assert our_taps() == []
    finally:
        m.cleanup()


TAP_CHILD = """
import sys, time
sys.path.insert(0, %r)
import profiles
from vmlib.machine import Machine
m = Machine(profiles.get("mini"), accel="tcg", say=lambda msg: None,
            tap_net=True).start()
print(m.tap.name, flush=True)
time.sleep(600)
"""


@needs_tap
def test_a_tap_dies_with_its_harness_killed():
    """SIGKILL leaves no clean-up to the harness: QEMU dies with it
    (PR_SET_PDEATHSIG) and the tap with QEMU, its last holder."""
    p = subprocess.Popen([sys.executable, "-c", TAP_CHILD % HARNESS],
                         stdout=subprocess.PIPE, text=True)
    try:
        r, _, _ = select.select([p.stdout], [], [], timeouts.seconds(60))
        name = p.stdout.readline().strip() if r else ""
        assert name and tapmod.exists(name), name
        p.kill()
        assert tap_gone(name), "tap %s outlived its harness" % name
    finally:
        p.kill()
        p.wait()
